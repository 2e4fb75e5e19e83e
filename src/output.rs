//! Writing generated trees safely: every file goes to a temporary file in its
//! own directory and is renamed into place, so a reader never sees half a file
//! and a failed or interrupted build leaves the previous outputs intact. Files a
//! previous build wrote and this one no longer produces are removed only after
//! every new file is in place, and only in the directories this build answers
//! for (its `Scope`): building one target never touches another's files.
//! archc remembers what it wrote, and which directory each file belongs to, in
//! a manifest, so it never removes a file it did not write.

use crate::emit::Target;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of files archc wrote, relative to the output directory.
pub const MANIFEST: &str = ".archc-manifest";

/// The manifest's first line. Each line after it is `OWNER<TAB>PATH`.
/// A manifest without it (archc before owners were recorded) is one path a
/// line, and each path's owner is guessed from its first directories.
const MANIFEST_HEADER: &str =
    "# archc manifest 2: OWNER<TAB>PATH of every file archc wrote here; do not edit";

#[derive(Debug, Default)]
pub struct Summary {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
    /// Temporary files an earlier, interrupted build left behind, removed.
    pub leftovers: Vec<String>,
}

/// The directory of the output tree a generated file belongs to: `TARGET/`
/// in a one-stage build, `STAGE/TARGET/` with `--all-stages`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owner {
    pub stage: Option<String>,
    pub target: Target,
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.stage {
            Some(s) => write!(f, "{s}/{}", self.target.name()),
            None => f.write_str(self.target.name()),
        }
    }
}

impl Owner {
    fn parse(s: &str) -> Option<Owner> {
        let (stage, target) = match s.split_once('/') {
            Some((stage, target)) if !stage.is_empty() => (Some(stage.to_string()), target),
            Some(_) => return None,
            None => (None, s),
        };
        Some(Owner {
            stage,
            target: target_named(target)?,
        })
    }

    /// The owner of a path in a manifest written before owners were recorded:
    /// `TARGET/…` is a one-stage build's (compose's own `compose/nginx/`
    /// included), `STAGE/TARGET/…` an all-stages build's.
    fn guess(path: &str) -> Option<Owner> {
        let mut parts = path.split('/');
        let (first, second) = (parts.next()?, parts.next()?);
        if let Some(target) = target_named(first) {
            return Some(Owner {
                stage: None,
                target,
            });
        }
        parts.next()?;
        Some(Owner {
            stage: Some(first.to_string()),
            target: target_named(second)?,
        })
    }
}

fn target_named(name: &str) -> Option<Target> {
    Target::ALL.into_iter().find(|t| t.name() == name)
}

/// What one build answers for: every directory of its targets in its layout.
/// With `--all-stages` that is `STAGE/TARGET/` for every stage, also a stage
/// the design no longer has (the build covers all of them); a one-stage build
/// owns `TARGET/`. Files of other targets, and of the other layout, belong to
/// other builds and are kept, and so are their manifest entries, so that the
/// build that owns them can still remove them later.
#[derive(Clone, Debug)]
pub struct Scope {
    pub all_stages: bool,
    pub targets: BTreeSet<Target>,
}

impl Scope {
    pub fn owns(&self, o: &Owner) -> bool {
        o.stage.is_some() == self.all_stages && self.targets.contains(&o.target)
    }
}

/// A file to produce: path relative to the output directory, `/`-separated,
/// inside its owner's directory.
pub struct Planned {
    pub owner: Owner,
    pub path: String,
    pub contents: String,
}

/// The previous manifest: each path archc wrote, with its owner. Paths of an
/// old manifest whose owner cannot be told are left out (never removed).
fn previous_manifest(root: &Path) -> BTreeMap<String, Owner> {
    let Ok(text) = std::fs::read_to_string(root.join(MANIFEST)) else {
        return BTreeMap::new();
    };
    let mut lines = text.lines().peekable();
    let tagged = lines.next_if(|l| *l == MANIFEST_HEADER).is_some();
    lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (owner, path) = if tagged {
                let (owner, path) = l.split_once('\t')?;
                (Owner::parse(owner)?, path)
            } else {
                (Owner::guess(l)?, l)
            };
            Some((path.to_string(), owner))
        })
        .collect()
}

/// The manifest: its header, `# ` note lines (which readers skip: they have
/// no tab), then one entry per path.
fn manifest_text(entries: &BTreeMap<String, Owner>, notes: &[String]) -> String {
    let mut text = format!("{MANIFEST_HEADER}\n");
    for n in notes {
        text.push_str(&format!("# {}\n", n.replace(['\n', '\r', '\t'], " ")));
    }
    for (path, owner) in entries {
        text.push_str(&format!("{owner}\t{path}\n"));
    }
    text
}

/// Rejects paths that would leave the output directory.
fn checked(root: &Path, rel: &str) -> std::io::Result<PathBuf> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(std::io::Error::other(format!(
            "refusing to write outside the output directory: {rel}"
        )));
    }
    Ok(root.join(p))
}

/// Replaces `path` with `contents` atomically. An existing file keeps its
/// permissions (`fmt` rewrites the user's own source file).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mode = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => new_file_mode(),
    };
    let mut tmp = temp_builder().permissions(mode.clone()).tempfile_in(dir)?;
    // The umask applies at creation; an existing file's mode is restored as is.
    tmp.as_file().set_permissions(mode)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_data()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` with `contents` atomically, and only if nothing is there:
/// the file appears whole or not at all, and a file that appeared meanwhile
/// is never replaced (`AlreadyExists`). For `archc init`, which writes the
/// user's own files and must never overwrite one.
pub fn create_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let tmp = stage_file(path, contents)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)
}

/// Writes every planned file under `root`, skipping those already identical,
/// and removes what the previous builds within `scope` wrote and these files
/// no longer include.
pub fn write_tree(root: &Path, scope: Scope, files: &[Planned]) -> std::io::Result<Summary> {
    let mut tree = TreeWriter::new(root, scope);
    for f in files {
        tree.add(f)?;
    }
    tree.finish()
}

/// A tree being written, one file at a time, so a large build never holds all
/// of its output in memory.
///
/// Two phases, so a failure leaves the previous tree as it was: `add` writes
/// each changed file to a temporary file beside its target (an error, an
/// interrupt, or dropping the writer removes them all), then `finish` renames
/// each into place, writes the manifest and removes the files of its scope no
/// longer produced.
pub struct TreeWriter {
    root: PathBuf,
    scope: Scope,
    old: BTreeMap<String, Owner>,
    new: BTreeMap<String, Owner>,
    staged: Vec<(tempfile::TempPath, PathBuf, String)>,
    unchanged: Vec<String>,
    leftovers: Vec<String>,
    /// Lines the manifest records about the build (template overrides).
    notes: Vec<String>,
    /// Directories seen so far (their leftovers removed once), and whether
    /// each is known to exist: one `create_dir_all` each, not one a file.
    dirs: HashMap<PathBuf, bool>,
}

impl TreeWriter {
    /// Records `line` in the manifest (as a `# ` comment line).
    pub fn note(&mut self, line: String) {
        self.notes.push(line);
    }

    pub fn new(root: &Path, scope: Scope) -> TreeWriter {
        TreeWriter {
            root: root.to_path_buf(),
            scope,
            old: previous_manifest(root),
            new: BTreeMap::new(),
            staged: Vec::new(),
            unchanged: Vec::new(),
            leftovers: Vec::new(),
            notes: Vec::new(),
            dirs: HashMap::new(),
        }
    }

    /// Stages one file. Fails, and leaves everything as it was, once the
    /// process has received SIGINT or SIGTERM (see `interrupt`).
    pub fn add(&mut self, f: &Planned) -> std::io::Result<()> {
        interrupt::check()?;
        let rel = &f.path;
        let path = checked(&self.root, rel)?;
        if self.new.insert(rel.clone(), f.owner.clone()).is_some() {
            return Err(std::io::Error::other(format!(
                "two generated files have the same path: {rel}"
            )));
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        let exists = match self.dirs.get(&dir) {
            Some(&exists) => exists,
            None => {
                let exists = dir.is_dir();
                if exists {
                    self.leftovers
                        .extend(remove_leftovers(&self.root, &dir, true)?);
                }
                self.dirs.insert(dir.clone(), exists);
                exists
            }
        };
        if same_contents(&path, f.contents.as_bytes()) {
            self.unchanged.push(rel.clone());
            return Ok(());
        }
        if !exists {
            std::fs::create_dir_all(&dir)?;
            self.dirs.insert(dir, true);
        }
        self.staged
            .push((stage_file(&path, f.contents.as_bytes())?, path, rel.clone()));
        Ok(())
    }

    /// Moves every staged file into place. The summary lists paths sorted,
    /// whatever order they were added in. Once it has begun, an interrupt no
    /// longer stops the build: the renames are quick and all or most done.
    pub fn finish(self) -> std::io::Result<Summary> {
        interrupt::check()?;
        let TreeWriter {
            root,
            scope,
            old,
            mut new,
            mut staged,
            mut unchanged,
            mut leftovers,
            notes,
            dirs: _,
        } = self;
        std::fs::create_dir_all(&root)?;
        leftovers.extend(remove_leftovers(&root, &root, true)?);
        // What this build owns and no longer produces goes; what other builds
        // wrote stays listed (while it exists) so that they can remove it.
        // (Paths of `old` are distinct, so what this loop adds to `new` never
        // makes a later path look produced.)
        let mut stale = Vec::new();
        for (path, owner) in old {
            if new.contains_key(&path) {
                continue;
            }
            if scope.owns(&owner) {
                stale.push(path);
            } else if checked(&root, &path).is_ok_and(|p| p.symlink_metadata().is_ok()) {
                new.insert(path, owner);
            }
        }
        let manifest_path = root.join(MANIFEST);
        let manifest_tmp = stage_file(&manifest_path, manifest_text(&new, &notes).as_bytes())?;
        staged.sort_by(|a, b| a.2.cmp(&b.2));
        unchanged.sort();
        leftovers.sort();
        let mut summary = Summary {
            unchanged,
            leftovers,
            ..Summary::default()
        };
        for (tmp, path, rel) in staged {
            tmp.persist(&path).map_err(|e| e.error)?;
            summary.written.push(rel);
        }
        manifest_tmp.persist(&manifest_path).map_err(|e| e.error)?;
        for stale in stale {
            let path = checked(&root, &stale)?;
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    summary.removed.push(stale);
                    if let Some(dir) = path.parent() {
                        // Leftovers would keep a dropped stage's directory.
                        summary
                            .leftovers
                            .extend(remove_leftovers(&root, dir, true).unwrap_or_default());
                    }
                    remove_empty_parents(&root, &path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(summary)
    }
}

/// Whether `path` already holds exactly `contents` (compared without reading
/// a file whose size differs). The file is read and compared a block at a
/// time: a rebuild compares files of megabytes (compose.yaml is 15 MB at
/// 10,000 components), which need not be in memory twice.
fn same_contents(path: &Path, contents: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    match file.metadata() {
        Ok(m) if m.is_file() && m.len() == contents.len() as u64 => {}
        _ => return false,
    }
    let mut block = vec![0u8; contents.len().clamp(1, 64 * 1024)];
    let mut rest = contents;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Temporary files are named `.archc-PID-XXXXXX`: the process that writes
/// them, then six random letters or digits.
const TEMP_PREFIX: &str = ".archc-";
const TEMP_RANDOM: usize = 6;

fn temp_builder() -> tempfile::Builder<'static, 'static> {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| format!("{TEMP_PREFIX}{}-", std::process::id()));
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).rand_bytes(TEMP_RANDOM);
    b
}

/// Whether `name` is a temporary file that archc left behind: its process is
/// gone (a build killed before it could clean up), or it has no process id
/// (archc 0.1 named them `.archc-XXXXXX`). Only archc's own names match,
/// never the manifest or a user's file; a build running now keeps its own.
fn is_leftover(name: &str) -> bool {
    let random = |s: &str| s.len() == TEMP_RANDOM && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
        return false;
    };
    if random(rest) {
        return true;
    }
    let Some((pid, tail)) = rest.split_once('-') else {
        return false;
    };
    if !random(tail) || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match pid.parse::<libc::pid_t>() {
        Ok(pid) if pid > 0 => pid as u32 != std::process::id() && !process_alive(pid),
        _ => false,
    }
}

fn process_alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only asks whether the process exists; pid > 0 names
    // one process, never a group.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The leftovers in `dir` (not below it), as paths relative to `root`;
/// removed when `remove` is set. A directory that does not exist has none.
fn remove_leftovers(root: &Path, dir: &Path, remove: bool) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_leftover(name) || !e.file_type()?.is_file() {
            continue;
        }
        if remove {
            match std::fs::remove_file(e.path()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        let rel = e.path().strip_prefix(root).map(Path::to_path_buf);
        found.push(rel.unwrap_or(e.path()).display().to_string());
    }
    found.sort();
    Ok(found)
}

/// Writes `contents` to a temporary file in the directory of `path`.
/// The file is closed (only its path is kept, and removed on drop), so a build
/// of thousands of files does not run out of file descriptors.
/// The directory must exist.
fn stage_file(path: &Path, contents: &[u8]) -> std::io::Result<tempfile::TempPath> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_builder()
        .permissions(new_file_mode())
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    // No fsync: the rename protects readers and interrupted builds, which is
    // what a build tool answers for; syncing every file would cost more than
    // the whole build (generated files can always be generated again).
    Ok(tmp.into_temp_path())
}

/// The mode of a file any tool creates: 0666 less the umask (tempfile's own
/// default, 0600, would hide generated configs from the nginx or CI user).
fn new_file_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// What `build --check` reports: files that differ, are missing, or would be
/// removed (files of its scope no longer produced, and temporary files an
/// interrupted build left in the directories it writes).
#[derive(Debug, Default)]
pub struct Drift {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub stale: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.stale.is_empty()
    }
}

pub fn compare_tree(root: &Path, scope: &Scope, files: &[Planned]) -> std::io::Result<Drift> {
    let old = previous_manifest(root);
    let mut drift = Drift::default();
    let mut new = BTreeSet::new();
    let mut dirs = BTreeSet::from([root.to_path_buf()]);
    for f in files {
        let path = checked(root, &f.path)?;
        new.insert(f.path.clone());
        if let Some(dir) = path.parent() {
            dirs.insert(dir.to_path_buf());
        }
        if same_contents(&path, f.contents.as_bytes()) {
            continue;
        }
        // A file that cannot be read counts as missing, as it always has.
        if std::fs::File::open(&path).is_ok_and(|f| f.metadata().is_ok_and(|m| m.is_file())) {
            drift.changed.push(f.path.clone());
        } else {
            drift.missing.push(f.path.clone());
        }
    }
    drift.stale = old
        .iter()
        .filter(|(p, owner)| scope.owns(owner) && !new.contains(*p) && root.join(p).exists())
        .map(|(p, _)| p.clone())
        .collect();
    for dir in dirs {
        drift.stale.extend(remove_leftovers(root, &dir, false)?);
    }
    Ok(drift)
}

/// Stopping a build cleanly on Ctrl-C (SIGINT) or SIGTERM: once `catch` is
/// called, either signal only sets a flag, which `TreeWriter` reads before
/// each file; the build then fails with `ErrorKind::Interrupted`, dropping
/// (and so deleting) every temporary file, and the caller exits 128 + the
/// signal's number as a killed process would. A second signal kills at once
/// (its leftovers are removed by the next build).
pub mod interrupt {
    use std::sync::atomic::{AtomicI32, Ordering};

    static RECEIVED: AtomicI32 = AtomicI32::new(0);

    extern "C" fn record(signal: libc::c_int) {
        // Only an atomic store: async-signal-safe.
        RECEIVED.store(signal, Ordering::SeqCst);
    }

    /// Installs the handler for SIGINT and SIGTERM, once per handler reset.
    pub fn catch() {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction is valid (empty mask, no flags); the
            // handler is an `extern "C" fn(c_int)` that only stores an atomic.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART | libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }

    /// The signal received since `catch`, if any.
    pub fn received() -> Option<i32> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    pub(super) fn check() -> std::io::Result<()> {
        match received() {
            None => Ok(()),
            Some(s) => Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                format!("interrupted by signal {s}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_contents_compares_every_block_and_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // Three blocks and a bit, so a difference can sit in any of them.
        let text: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        assert!(same_contents(&path, &text));
        for at in [0, 65_535, 65_536, 150_000, 199_999] {
            let mut other = text.clone();
            other[at] ^= 1;
            assert!(!same_contents(&path, &other), "difference at {at}");
        }
        assert!(!same_contents(&path, &text[..199_999]));
        assert!(!same_contents(&dir.path().join("missing"), &text));
        assert!(!same_contents(dir.path(), b""));
        std::fs::write(&path, b"").unwrap();
        assert!(same_contents(&path, b""));
        assert!(!same_contents(&path, b"x"));
    }

    #[test]
    fn an_old_manifest_gets_owners_from_its_paths() {
        let dir = tempfile::tempdir().unwrap();
        let old = "k8s/00-namespace.yaml\ncompose/nginx/lb.conf\n\
                   balanced/nginx/lb.conf\nnotes/readme.md\nREADME\n";
        std::fs::write(dir.path().join(MANIFEST), old).unwrap();
        let m = previous_manifest(dir.path());
        let owners: Vec<(&str, String)> =
            m.iter().map(|(p, o)| (p.as_str(), o.to_string())).collect();
        assert_eq!(
            owners,
            [
                ("balanced/nginx/lb.conf", "balanced/nginx".to_string()),
                ("compose/nginx/lb.conf", "compose".to_string()),
                ("k8s/00-namespace.yaml", "k8s".to_string()),
            ],
            "paths of no target are left out, never removed"
        );
        // Written back with owners, and read back the same.
        std::fs::write(dir.path().join(MANIFEST), manifest_text(&m, &[])).unwrap();
        assert_eq!(previous_manifest(dir.path()), m);
    }

    #[test]
    fn only_archc_temporary_files_of_a_dead_process_are_leftovers() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let me = std::process::id();
        assert!(is_leftover(".archc-a1B2c3"), "archc 0.1's names");
        assert!(is_leftover(&format!(".archc-{dead}-a1B2c3")));
        assert!(
            !is_leftover(&format!(".archc-{me}-a1B2c3")),
            "this build's own"
        );
        assert!(!is_leftover(".archc-1-a1B2c3"), "init is alive");
        for name in [
            MANIFEST,
            ".archc-abc",
            ".archc-a1B2c3d",
            ".archc--a1B2c3",
            ".archc-0-a1B2c3",
            ".archc-x1-a1B2c3",
            ".archc-12-a1B2c.",
            "archc-a1B2c3",
            ".archc-a1B2c3.yaml",
        ] {
            assert!(!is_leftover(name), "{name}");
        }
    }
}
