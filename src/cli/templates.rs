//! `archc templates list|export`, and the `--templates DIR` option that
//! `build`, `watch`, `check --parity` and `lsp` share: a folder whose files
//! replace the built-in templates of the same path (docs/customizing.md).

use super::{FilePath, MessageFormat, Ui, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::emit::templates::{builtin, UserTemplates};
use crate::emit::{self, Target};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder picked up beside a design when `--templates` is not given.
pub const DEFAULT_DIR: &str = "templates";

#[derive(clap::Args, Debug, Default, Clone)]
pub struct TemplateArgs {
    /// A folder of template overrides: each file replaces the built-in
    /// template of the same path (`archc templates list`), the rest stay
    /// built in. Default: the `templates/` folder beside the design, when
    /// there is one.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<FilePath>,
    /// Only the built-in templates, even with a `templates/` folder beside
    /// the design.
    #[arg(long, conflicts_with = "templates")]
    pub builtin_templates: bool,
}

impl TemplateArgs {
    /// The override folder for `design`, if any: the one given, or the
    /// default beside the design when it is a directory (one `stat`: a build
    /// without overrides pays nothing else).
    pub fn dir(&self, design: &Path) -> Option<PathBuf> {
        if self.builtin_templates {
            return None;
        }
        if let Some(d) = &self.templates {
            return Some(d.clone());
        }
        let beside = design.parent().unwrap_or(Path::new(".")).join(DEFAULT_DIR);
        beside.is_dir().then_some(beside)
    }

    /// Loads the overrides for `design`; prints every fault and returns the
    /// exit code when they do not load.
    pub fn load(
        &self,
        ui: &Ui,
        design: &Path,
        format: MessageFormat,
    ) -> Result<Option<Arc<UserTemplates>>, u8> {
        let Some(dir) = self.dir(design) else {
            return Ok(None);
        };
        if !dir.is_dir() {
            return Err(ui.fail(format_args!(
                "--templates {}: not a directory (`archc templates export {0}` creates one)",
                dir.display()
            )));
        }
        match UserTemplates::load(&dir) {
            Ok(u) => Ok(Some(Arc::new(u))),
            Err(faults) => {
                for f in &faults {
                    ui.print_diagnostics(&f.file, std::slice::from_ref(&f.diagnostic), format);
                }
                eprintln!(
                    "{}: {} template problem{}; nothing was written",
                    dir.display(),
                    faults.len(),
                    if faults.len() == 1 { "" } else { "s" }
                );
                Err(EXIT_FAILED)
            }
        }
    }
}

/// Reports an emitter's failure: a user's template that does not render is
/// their diagnostic (exit 1); anything else is archc's bug (exit 2).
pub fn report_emit_error(ui: &Ui, e: &emit::EmitError, format: MessageFormat) -> u8 {
    match &e.template {
        Some(fault) => {
            ui.print_diagnostics(&fault.file, std::slice::from_ref(&fault.diagnostic), format);
            eprintln!("{}: nothing was written", fault.file.name);
            EXIT_FAILED
        }
        None => {
            eprintln!("internal error: {e}\nthis is a bug in archc; nothing was written");
            EXIT_USAGE
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Every built-in template, the files it renders, and which a folder overrides.
    List {
        /// Only this target's templates.
        #[arg(long, short = 't', value_enum)]
        target: Option<Target>,
        /// Mark the templates this override folder replaces.
        #[arg(long, value_name = "DIR")]
        templates: Option<FilePath>,
    },
    /// Write the built-in templates to DIR (default: templates), to edit and
    /// use with `--templates DIR`; refuses to overwrite a file.
    Export {
        /// Where to write them: DIR/<target>/<name>.tera.
        #[arg(default_value = DEFAULT_DIR)]
        dir: FilePath,
        /// Only this target's templates (repeat for several).
        #[arg(long = "target", short = 't', value_enum)]
        targets: Vec<Target>,
        /// Only this template, by its path in `archc templates list` (repeat
        /// for several): export just what you change, so the rest follows
        /// archc's updates.
        #[arg(long = "template", value_name = "PATH")]
        paths: Vec<String>,
    },
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    match a.command {
        Command::List { target, templates } => list(ui, target, templates.as_deref()),
        Command::Export {
            dir,
            targets,
            paths,
        } => export(ui, &dir, &targets, &paths),
    }
}

fn list(ui: &Ui, target: Option<Target>, dir: Option<&Path>) -> u8 {
    let user = match dir {
        None => None,
        Some(d) => match UserTemplates::load(d) {
            Ok(u) => Some(u),
            Err(faults) => {
                for f in &faults {
                    ui.print_diagnostics(
                        &f.file,
                        std::slice::from_ref(&f.diagnostic),
                        MessageFormat::Human,
                    );
                }
                return EXIT_FAILED;
            }
        },
    };
    let overridden = user.as_ref().map(|u| u.paths()).unwrap_or_default();
    let rows: Vec<_> = builtin::BUILTIN
        .iter()
        .filter(|b| target.is_none_or(|t| t == b.target))
        .collect();
    let width = rows.iter().map(|b| b.path.len()).max().unwrap_or(0);
    for b in rows {
        let mark = if overridden.contains(&b.path) {
            "  (overridden)"
        } else {
            ""
        };
        println!("{:width$}  {}{mark}", b.path, b.renders);
    }
    EXIT_OK
}

fn export(ui: &Ui, dir: &Path, targets: &[Target], paths: &[String]) -> u8 {
    if let Some(p) = paths.iter().find(|p| builtin::at(p).is_none()) {
        let hint = crate::diag::nearest(p, builtin::BUILTIN.iter().map(|b| b.path))
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return ui.fail(format_args!(
            "--template {p}: no built-in template has this path{hint} (`archc templates list` shows them)"
        ));
    }
    let chosen: Vec<_> = builtin::BUILTIN
        .iter()
        .filter(|b| targets.is_empty() || targets.contains(&b.target))
        .filter(|b| paths.is_empty() || paths.iter().any(|p| p == b.path))
        .collect();
    // Every path is checked before anything is written: all or nothing.
    let existing: Vec<PathBuf> = chosen
        .iter()
        .map(|b| dir.join(b.path))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
        return ui.fail(format_args!(
            "not exporting: {} already exist{} ({}); nothing was written. Export into an empty folder, or move these away",
            if names.len() == 1 { "1 file" } else { "files" },
            if names.len() == 1 { "s" } else { "" },
            names.join(", ")
        ));
    }
    for b in &chosen {
        if let Err(e) = crate::output::write_atomic(&dir.join(b.path), b.text.as_bytes()) {
            return ui.fail(format_args!(
                "cannot write {}: {e}",
                dir.join(b.path).display()
            ));
        }
    }
    eprintln!(
        "{}: {} templates written. Edit any of them, delete the ones you keep as they are, then\n  archc build DESIGN.arch --templates {0}\n(a `templates/` folder beside the design is used without the flag)",
        dir.display(),
        chosen.len()
    );
    EXIT_OK
}
