//! `archc diff`: what changes between two stages or two files.

use super::{load, FilePath, MessageFormat, Ui, EXIT_FAILED, EXIT_OK};
use crate::emit::Target;

const AFTER: &str = "\
Examples:
  archc diff journey.arch                          the last stage against the one before it
  archc diff journey.arch --from cached --to stateless
  archc diff journey.arch --to replicated --files  with a unified diff of each changed file
  archc diff old.arch new.arch                     the last stage of each file
  archc diff old.arch new.arch --from main --to main --format json

Generated files are compared as if both sides were built for the --to stage,
so the stage named in every header does not count as a change.
Exit status: 0 when the comparison ran (whatever it found), 1 when a design
has errors, 2 for a bad command line or an unreadable file.";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER)]
pub struct Args {
    /// The design file (the old side when a second file is given).
    file: FilePath,
    /// A second design file: the new side.
    other: Option<FilePath>,
    /// Old stage. One file: default the stage before --to. Two files: a stage
    /// of the first file, default its last.
    #[arg(long)]
    from: Option<String>,
    /// New stage. One file: default the last stage. Two files: a stage of the
    /// second file, default its last.
    #[arg(long)]
    to: Option<String>,
    /// Targets whose generated files to compare; repeat (default: all).
    #[arg(long = "target", short = 't', value_enum)]
    targets: Vec<Target>,
    /// Also print a unified diff of every changed generated file.
    #[arg(long)]
    files: bool,
    /// `human` text or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    format: crate::analyze::report::Format,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let old = match load(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let new = match &a.other {
        Some(p) => match load(ui, p) {
            Ok(l) => Some(l),
            Err(code) => return code,
        },
        None => None,
    };
    for l in std::iter::once(&old).chain(new.as_ref()) {
        if l.compiled.has_errors() {
            ui.print_diagnostics(&l.file, &l.compiled.diagnostics, MessageFormat::Human);
            return EXIT_FAILED;
        }
    }
    let new_side = new.as_ref().unwrap_or(&old);
    let (od, nd) = (&old.compiled.design, &new_side.compiled.design);
    let to = match &a.to {
        Some(s) => match super::find_stage(ui, nd, s) {
            Ok(m) => m,
            Err(code) => return code,
        },
        None => nd.last(),
    };
    let from = match (&a.from, &new) {
        (Some(s), _) => match super::find_stage(ui, od, s) {
            Ok(m) => m,
            Err(code) => return code,
        },
        (None, Some(_)) => od.last(),
        (None, None) => match to.stage_index.checked_sub(1) {
            Some(i) => &od.stages[i],
            None => {
                return ui.fail(format_args!(
                "stage `{}` is the first: there is nothing before it to compare with (give --from)",
                to.stage
            ))
            }
        },
    };
    let targets = if a.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        a.targets.clone()
    };
    let report = match crate::analyze::report::diff(
        (&old.file.name, from),
        (&new_side.file.name, to),
        &targets,
        a.files,
    ) {
        Ok(r) => r,
        Err(e) => return ui.fail(format_args!("internal error while rendering: {e}")),
    };
    match a.format {
        crate::analyze::report::Format::Human => print!("{}", report.human()),
        crate::analyze::report::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report always serialises")
        ),
    }
    EXIT_OK
}
