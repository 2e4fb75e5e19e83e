//! `archc watch FILE`: rebuild on every save, with `archc build`'s code path
//! (`build::plan` and `output::write_tree`).
//!
//! The file's directory is watched, not the file: editors that save by writing
//! a temporary file and renaming it over the design, or by deleting and
//! creating it again, replace the file the watch would be attached to. Events
//! for other names in the directory are ignored.
//!
//! Debouncing: an event that says the new contents are complete (the writer
//! closed the file, or a file was renamed onto the name) builds after a short
//! settle time; any other event (a truncation, a partial write, a deletion)
//! waits for a longer quiet period. Every event for the file during either
//! wait starts it again, and events that arrive while the file is being read
//! discard what was read, so a burst of saves is one build of the last one.
//!
//! An empty file is never built: it is what a reader sees between an in-place
//! save's truncation and its write, and building it would remove every output.

use super::build::{plan, targets, Selection};
use super::{load, FilePath, Loaded, MessageFormat, Ui, EXIT_USAGE};
use crate::diag::Diagnostic;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// After an event that completes a save: catch the events that come with it
/// and the next save of a burst (editors and tools that save several times
/// in a row do so a few milliseconds apart).
const SETTLE: Duration = Duration::from_millis(20);
/// After any other event: how long the file must stay quiet.
const QUIET: Duration = Duration::from_millis(50);
/// A file that never stops changing is still built this often.
const MAX_WAIT: Duration = Duration::from_millis(1000);
/// How long a file may stay empty before the watch says it is not building it.
const EMPTY_GRACE: Duration = Duration::from_millis(500);

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
    #[command(flatten)]
    select: Selection,
    /// Template overrides, read again at every build.
    #[command(flatten)]
    templates: super::templates::TemplateArgs,
}

/// What an event means for the watched file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    /// The file's new contents are in place.
    Complete,
    /// Something happened to the file; more may follow.
    Changed,
}

/// What is watched: the design (its file name, in its folder's events) and
/// the template override folder, whose every change rebuilds.
struct Watched {
    name: OsString,
    /// The folder as given and canonical: event paths come in either form.
    templates: Vec<PathBuf>,
}

impl Watched {
    fn classify(&self, ev: &Event) -> Option<Trigger> {
        let in_templates = |p: &Path| self.templates.iter().any(|t| p.starts_with(t));
        if ev.paths.iter().any(|p| in_templates(p)) && !matches!(ev.kind, EventKind::Access(_)) {
            // A template saved: wait for quiet, then rebuild with it.
            return Some(Trigger::Changed);
        }
        classify(ev, &self.name)
    }
}

fn classify(ev: &Event, name: &OsStr) -> Option<Trigger> {
    let is_ours = |p: &Path| p.file_name() == Some(name);
    if !ev.paths.iter().any(|p| is_ours(p)) {
        return None;
    }
    match ev.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Trigger::Complete),
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => Some(Trigger::Complete),
        // [from, to]: complete when the file was renamed onto our name.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            if ev.paths.last().is_some_and(|p| is_ours(p)) {
                Some(Trigger::Complete)
            } else {
                Some(Trigger::Changed)
            }
        }
        EventKind::Access(_) => None,
        _ => Some(Trigger::Changed),
    }
}

/// What a build attempt ended with.
enum Outcome {
    Built,
    /// The file is empty: most likely a save half done, never built.
    Empty,
    /// The design has errors, or the file is gone: wait for the next save.
    NotBuilt,
    /// The command line is wrong (no such stage, output not writable).
    Usage(u8),
}

struct Builder<'a> {
    ui: &'a Ui,
    args: &'a Args,
    display: String,
    /// The diagnostics printed last time, so unchanged warnings are not
    /// repeated on every save.
    shown: Option<Vec<Diagnostic>>,
}

impl Builder<'_> {
    /// Reads and compiles the file; `Err` when there is nothing to build.
    fn read(&mut self) -> Result<Loaded, Outcome> {
        if !self.args.file.exists() {
            eprintln!("{} is gone; waiting for it to come back", self.display);
            self.shown = None;
            return Err(Outcome::NotBuilt);
        }
        // Printed by `load`: unreadable for now, maybe not after the next save.
        let loaded = load(self.ui, &self.args.file).map_err(|_| Outcome::NotBuilt)?;
        if loaded.file.text.trim().is_empty() {
            return Err(Outcome::Empty);
        }
        Ok(loaded)
    }

    fn read_and_build(&mut self) -> Outcome {
        let started = Instant::now();
        match self.read() {
            Ok(loaded) => self.build(&loaded, started),
            Err(o) => o,
        }
    }

    fn build(&mut self, loaded: &Loaded, started: Instant) -> Outcome {
        let c = &loaded.compiled;
        let errors = c.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = c.diagnostics.iter().filter(|d| d.is_warning()).count();
        if errors > 0 || self.shown.as_ref() != Some(&c.diagnostics) {
            self.ui
                .print_diagnostics(&loaded.file, &c.diagnostics, MessageFormat::Human);
            self.shown = Some(c.diagnostics.clone());
        }
        if errors > 0 {
            eprintln!(
                "{}: not built, {errors} error{}; the previous output is kept",
                self.display,
                plural(errors)
            );
            return Outcome::NotBuilt;
        }
        let design = &c.design;
        let stages = match self.args.select.stages(self.ui, design) {
            Ok(s) => s,
            Err(code) => return Outcome::Usage(code),
        };
        let targets = targets(&self.args.select.targets);
        let opts = crate::emit::Options {
            templates: match self.args.templates.load(
                self.ui,
                &self.args.file,
                MessageFormat::Human,
            ) {
                Ok(t) => t,
                Err(_) => return Outcome::NotBuilt,
            },
            ..Default::default()
        };
        let planned = match plan(&stages, &targets, self.args.select.all_stages, &opts) {
            Ok(p) => p,
            Err(e) => {
                super::templates::report_emit_error(self.ui, &e, MessageFormat::Human);
                return Outcome::NotBuilt;
            }
        };
        let out = self.args.select.out.display();
        match crate::output::write_tree(
            &self.args.select.out,
            // The selection's scope, not the files': an --all-stages build
            // owns every stage directory, also of a stage the design dropped.
            self.args.select.scope(),
            &planned,
        ) {
            Ok(s) => {
                let removed = if s.removed.is_empty() {
                    String::new()
                } else {
                    format!(", {} removed", s.removed.len())
                };
                let warned = if warnings > 0 {
                    format!(" ({warnings} warning{})", plural(warnings))
                } else {
                    String::new()
                };
                eprintln!(
                    "{}: {} written, {} unchanged{removed} in {:.1} ms{warned}",
                    self.display,
                    s.written.len(),
                    s.unchanged.len(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
                Outcome::Built
            }
            Err(e) => Outcome::Usage(self.ui.fail(format_args!("cannot write {out}: {e}"))),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let Some(name) = a.file.file_name().map(OsStr::to_os_string) else {
        return ui.fail(format_args!("{} is not a file", a.file.display()));
    };
    let dir = match a.file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => ".".into(),
    };
    if !a.file.is_file() {
        return ui.fail(format_args!(
            "cannot read {}: no such file",
            a.file.display()
        ));
    }
    let mut builder = Builder {
        ui,
        args: &a,
        display: a.file.display().to_string(),
        shown: None,
    };
    // A wrong command line is reported at once rather than on every save.
    match builder.read_and_build() {
        Outcome::Usage(code) => return code,
        Outcome::Empty => say_empty(&builder.display),
        _ => {}
    }

    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => return ui.fail(format_args!("cannot watch files: {e}")),
    };
    if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
        return ui.fail(format_args!("cannot watch {}: {e}", dir.display()));
    }
    let mut watched = Watched {
        name,
        templates: Vec::new(),
    };
    let mut what = builder.display.clone();
    // The override folder as it is when watching starts: one created later
    // is read at the next build of the design, not watched.
    if let Some(t) = a.templates.dir(&a.file).filter(|t| t.is_dir()) {
        if let Err(e) = watcher.watch(&t, RecursiveMode::Recursive) {
            return ui.fail(format_args!("cannot watch {}: {e}", t.display()));
        }
        what = format!("{what} and the templates in {}", t.display());
        watched.templates.extend(t.canonicalize().ok());
        watched.templates.push(t);
    }
    eprintln!("watching {what} (Ctrl-C to stop)");

    // Set when the last read found the file empty: said on stderr unless
    // another event comes soon (the rest of the save).
    let mut empty = false;
    loop {
        let t = match next_trigger(&rx, &watched, &builder.display, &mut empty) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(code) => return code,
        };
        // Never exit on a design error; a usage error (say the stage was
        // renamed) was printed and the next save may fix it.
        match build_after_burst(&rx, &watched, &mut builder, t) {
            Ok(outcome) => empty = matches!(outcome, Outcome::Empty),
            Err(code) => return code,
        }
    }
}

type Events = mpsc::Receiver<notify::Result<Event>>;

/// Waits for the next event and what it means for the file (`None`: not
/// ours, or nothing to do). After a read found the file empty, waits only
/// `EMPTY_GRACE` for the rest of the save before saying so (and `empty` is
/// cleared). `Err` with the exit code when the watcher is gone.
fn next_trigger(
    rx: &Events,
    w: &Watched,
    display: &str,
    empty: &mut bool,
) -> Result<Option<Trigger>, u8> {
    let first = if *empty {
        match rx.recv_timeout(EMPTY_GRACE) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                say_empty(display);
                *empty = false;
                return Ok(None);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(EXIT_USAGE),
        }
    } else {
        match rx.recv() {
            Ok(ev) => ev,
            Err(_) => return Err(EXIT_USAGE),
        }
    };
    Ok(match first {
        Ok(ev) => w.classify(&ev),
        Err(e) => {
            eprintln!("watch error: {e}");
            None
        }
    })
}

/// Builds once the burst of events that `t` started is over: settles, reads,
/// and reads again while events keep coming during the read (up to
/// `MAX_WAIT` after the first). `Err` with the exit code when the watcher is
/// gone.
fn build_after_burst(
    rx: &Events,
    w: &Watched,
    builder: &mut Builder,
    mut t: Trigger,
) -> Result<Outcome, u8> {
    let cap = Instant::now() + MAX_WAIT;
    loop {
        settle(rx, w, t, cap)?;
        let started = Instant::now();
        let loaded = builder.read();
        // Events that came while the file was read: the save was not
        // over, what was read may be half of it. Wait again (unless the
        // file has been changing for too long already).
        if Instant::now() < cap {
            if let Some(next) = pending(rx, w)? {
                t = next;
                continue;
            }
        }
        return Ok(match loaded {
            Ok(l) => builder.build(&l, started),
            Err(o) => o,
        });
    }
}

fn say_empty(display: &str) {
    eprintln!("{display} is empty; not built, the previous output is kept");
}

fn wait(t: Trigger) -> Duration {
    match t {
        Trigger::Complete => SETTLE,
        Trigger::Changed => QUIET,
    }
}

/// Waits until no event for the file has come for the wait its last event
/// asks for (`t`, the event that started the burst, to begin with), or until
/// `cap`; `Err` with the exit code when the watcher is gone.
fn settle(rx: &Events, w: &Watched, mut t: Trigger, cap: Instant) -> Result<(), u8> {
    let mut deadline = Instant::now() + wait(t);
    loop {
        let now = Instant::now();
        if now >= deadline || now >= cap {
            return Ok(());
        }
        match rx.recv_timeout(deadline.min(cap) - now) {
            Ok(Ok(ev)) => {
                if let Some(next) = w.classify(&ev) {
                    t = next;
                    deadline = Instant::now() + wait(t);
                }
            }
            Ok(Err(e)) => eprintln!("watch error: {e}"),
            Err(mpsc::RecvTimeoutError::Timeout) => return Ok(()),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(EXIT_USAGE),
        }
    }
}

/// The last trigger among the events already queued, without waiting.
fn pending(rx: &Events, w: &Watched) -> Result<Option<Trigger>, u8> {
    let mut last = None;
    loop {
        match rx.try_recv() {
            Ok(Ok(ev)) => last = w.classify(&ev).or(last),
            Ok(Err(e)) => eprintln!("watch error: {e}"),
            Err(mpsc::TryRecvError::Empty) => return Ok(last),
            Err(mpsc::TryRecvError::Disconnected) => return Err(EXIT_USAGE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind};
    use std::path::PathBuf;

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        Event {
            kind,
            paths: paths.iter().map(PathBuf::from).collect(),
            attrs: Default::default(),
        }
    }

    #[test]
    fn events_for_the_file_only() {
        let name = OsStr::new("site.arch");
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(
            classify(&ev(close, &["/d/site.arch"]), name),
            Some(Trigger::Complete)
        );
        assert_eq!(classify(&ev(close, &["/d/other.arch"]), name), None);
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert_eq!(
            classify(&ev(write, &["/d/site.arch"]), name),
            Some(Trigger::Changed)
        );
        let create = EventKind::Create(CreateKind::File);
        assert_eq!(
            classify(&ev(create, &["/d/site.arch"]), name),
            Some(Trigger::Changed)
        );
        let remove = EventKind::Remove(RemoveKind::File);
        assert_eq!(
            classify(&ev(remove, &["/d/site.arch"]), name),
            Some(Trigger::Changed)
        );
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert_eq!(classify(&ev(open, &["/d/site.arch"]), name), None);
    }

    #[test]
    fn renames_onto_the_file_complete_a_save() {
        let name = OsStr::new("site.arch");
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(
            classify(&ev(both, &["/d/.site.arch.swp", "/d/site.arch"]), name),
            Some(Trigger::Complete)
        );
        assert_eq!(
            classify(&ev(both, &["/d/site.arch", "/d/site.arch~"]), name),
            Some(Trigger::Changed)
        );
        let to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert_eq!(
            classify(&ev(to, &["/d/site.arch"]), name),
            Some(Trigger::Complete)
        );
    }
}
