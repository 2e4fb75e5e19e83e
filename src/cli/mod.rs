//! The command line: one file per subcommand; this module parses arguments,
//! loads designs and prints diagnostics.

mod analyze;
mod build;
mod check;
mod completions;
mod diff;
mod estimate;
mod explain;
mod explain_output;
mod fmt;
mod graph;
mod init;
mod lsp;
mod model;
mod stages;
mod templates;
mod watch;

use crate::diag::{self, Diagnostic, SourceFile};
use crate::Compiled;
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The version and, when built from a git checkout, the commit and date
/// (build.rs). Only `--version` shows it: no generated file does.
pub const BUILD: &str = env!("ARCHC_BUILD");

/// Exit codes, documented in `--help`.
pub const EXIT_OK: u8 = 0;
/// The design has errors, or `--check` found a difference.
pub const EXIT_FAILED: u8 = 1;
/// The command line or the file system is wrong (no such file, no such stage).
pub const EXIT_USAGE: u8 = 2;

/// More than this many diagnostics are summarised in human output: past that
/// a person reads the first ones, fixes them, and runs again.
const MAX_HUMAN_DIAGNOSTICS: usize = 200;

const AFTER_HELP: &str = "\
Examples:
  archc init shop                            start a project: shop/shop.arch, out/.gitignore, CI
  archc check site.arch                      report problems in a design
  archc build site.arch -o out               all targets for the last stage into out/
  archc build site.arch --target k8s --stage balanced
  archc build site.arch --all-stages         out/<stage>/<target>/… for every stage
  archc build site.arch --check              exit 1 if out/ differs from a fresh build
  archc stages journey.arch                  what each stage adds, replaces and drops
  archc explain W0302                        what a diagnostic means and how to fix it
  archc templates export tpl -t k8s          copy the k8s templates out, to edit them
  archc build site.arch --templates tpl      build with your edited templates
  archc explain --keywords                   every keyword of the language, one line each
  archc diff journey.arch --to balanced      what a stage changes from the one before
  archc analyze journey.arch --all-stages    single points of failure and availability
  archc estimate journey.arch --all-stages   users each stage carries, what saturates first
  archc watch site.arch                      rebuild on every save
  archc completions bash > ~/.local/share/bash-completion/completions/archc

Exit status: 0 success (warnings allowed), 1 errors in the design or drift found
by --check, 2 bad command line or unreadable file.

Colour follows --color; `auto` turns it off when NO_COLOR is set (and not empty) or
stderr is not a terminal. Language reference: docs/language.md.";

#[derive(Parser, Debug)]
#[command(
    name = "archc",
    version = BUILD,
    about = "Compile .arch architecture designs into Terraform, Compose, nginx, HAProxy and Kubernetes",
    long_about = "archc compiles a design written in the .arch language, stage by stage as a system \
grows from one server to millions of users, into infrastructure files that the real tools accept.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum MessageFormat {
    /// Text drawn with the source, on stderr.
    #[default]
    Human,
    /// One JSON object per diagnostic per line, on stdout (for editors and CI).
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report every problem in a design; exit 1 on errors.
    Check(check::Args),
    /// Generate infrastructure files for one stage or every stage.
    Build(build::Args),
    /// Print the resolved model (stages applied, defaults filled) as JSON.
    Model(model::Args),
    /// List the stages and what each adds, replaces and drops.
    Stages(stages::Args),
    /// Rewrite designs in the canonical layout.
    Fmt(fmt::Args),
    /// Explain a diagnostic code or a keyword, or list every code.
    Explain(explain::Args),
    /// Draw the architecture of a stage as SVG, Mermaid or DOT.
    Graph(graph::Args),
    /// Compare two stages (or two files): components, generated files, migration notes.
    Diff(diff::Args),
    /// Single points of failure, failure scenarios and availability per stage.
    Analyze(analyze::Args),
    /// How many users each stage carries, which tier saturates first, and what to do next.
    Estimate(estimate::Args),
    /// Name the design line and stage behind a line of generated output.
    ExplainOutput(explain_output::Args),
    /// Rebuild on every save.
    Watch(watch::Args),
    /// Run the language server (LSP over stdio) for editors.
    Lsp(lsp::Args),
    /// List or export the templates every file is rendered from, to override them.
    Templates(templates::Args),
    /// Start a project: a starter design, out/.gitignore and a CI workflow.
    Init(init::Args),
    /// Print the shell completion script for bash, zsh or fish.
    Completions(completions::Args),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui { color: cli.color };
    let code = match cli.command {
        Command::Check(a) => check::run(&ui, a),
        Command::Build(a) => build::run(&ui, a),
        Command::Model(a) => model::run(&ui, a),
        Command::Stages(a) => stages::run(&ui, a),
        Command::Fmt(a) => fmt::run(&ui, a),
        Command::Explain(a) => explain::run(a),
        Command::Graph(a) => graph::run(&ui, a),
        Command::Diff(a) => diff::run(&ui, a),
        Command::Analyze(a) => analyze::run(&ui, a),
        Command::Estimate(a) => estimate::run(&ui, a),
        Command::ExplainOutput(a) => explain_output::run(&ui, a),
        Command::Watch(a) => watch::run(&ui, a),
        Command::Lsp(a) => lsp::run(&ui, a),
        Command::Templates(a) => templates::run(&ui, a),
        Command::Init(a) => init::run(&ui, a),
        Command::Completions(a) => completions::run(a),
    };
    ExitCode::from(code)
}

/// Terminal settings shared by every subcommand.
struct Ui {
    color: Color,
}

impl Ui {
    /// Buffered: a file with thousands of mistakes is drawn in one write, not
    /// one system call per fragment.
    fn stderr(&self) -> BufferedStandardStream {
        let choice = color_choice(
            self.color,
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
            std::io::stderr().is_terminal(),
        );
        BufferedStandardStream::stderr(choice)
    }

    /// A one-line error about the command line or the file system.
    fn fail(&self, msg: impl std::fmt::Display) -> u8 {
        eprintln!("error: {msg}");
        EXIT_USAGE
    }

    fn print_diagnostics(&self, file: &SourceFile, diags: &[Diagnostic], format: MessageFormat) {
        match format {
            MessageFormat::Human => {
                let mut err = self.stderr();
                let shown = &diags[..diags.len().min(MAX_HUMAN_DIAGNOSTICS)];
                diag::render_human(&mut err, file, shown);
                if diags.len() > shown.len() {
                    let _ = writeln!(
                        err,
                        "… and {} more diagnostics not shown; `--message-format json` lists them all\n",
                        diags.len() - shown.len()
                    );
                }
                let _ = err.flush();
            }
            MessageFormat::Json => print!("{}", diag::render_json(file, diags)),
        }
    }
}

/// A design loaded from disk and compiled.
struct Loaded {
    file: SourceFile,
    compiled: Compiled,
}

/// Reads and compiles a design; on an unreadable file prints the reason and
/// returns the exit code.
fn load(ui: &Ui, path: &Path) -> Result<Loaded, u8> {
    let display = path.display().to_string();
    let (text, utf8) = match crate::source::read(path) {
        Ok(r) => r,
        Err(e) => return Err(ui.fail(format_args!("cannot read {display}: {e}"))),
    };
    let mut compiled = crate::compile(&display, &text);
    if let Some(d) = utf8 {
        compiled.diagnostics.insert(0, d);
    }
    Ok(Loaded {
        file: SourceFile::new(display, text),
        compiled,
    })
}

/// Like `load`, for commands that need a design without errors: prints the
/// diagnostics and returns `EXIT_FAILED` when it has any.
fn load_valid(ui: &Ui, path: &Path) -> Result<Loaded, u8> {
    let loaded = load(ui, path)?;
    if loaded.compiled.has_errors() {
        ui.print_diagnostics(
            &loaded.file,
            &loaded.compiled.diagnostics,
            MessageFormat::Human,
        );
        return Err(EXIT_FAILED);
    }
    Ok(loaded)
}

/// The stages a `--stage NAME` / `--all-stages` pair selects: every stage,
/// the one named (an unknown name is reported and its exit code returned), or
/// the last.
fn select_stages<'d>(
    ui: &Ui,
    design: &'d crate::model::Design,
    stage: Option<&str>,
    all_stages: bool,
) -> Result<Vec<&'d crate::model::Model>, u8> {
    if all_stages {
        return Ok(design.stages.iter().collect());
    }
    match stage {
        Some(s) => find_stage(ui, design, s).map(|m| vec![m]),
        None => Ok(vec![design.last()]),
    }
}

/// Finds a stage by name, with a suggestion when it does not exist.
fn find_stage<'d>(
    ui: &Ui,
    design: &'d crate::model::Design,
    name: &str,
) -> Result<&'d crate::model::Model, u8> {
    design.stage(name).ok_or_else(|| {
        let names: Vec<&str> = design.stages.iter().map(|m| m.stage.as_str()).collect();
        let hint = diag::nearest(name, names.iter().copied())
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        ui.fail(format_args!(
            "there is no stage named `{name}`{hint} (stages: {})",
            names.join(", ")
        ))
    })
}

type FilePath = PathBuf;

/// Whether to colour, decided here rather than by termcolor's `Auto`: that
/// one turns colour off whenever `NO_COLOR` is set, even to the empty string,
/// where no-color.org says only a present and non-empty value counts.
fn color_choice(
    flag: Color,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
    stderr_is_terminal: bool,
) -> ColorChoice {
    match flag {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto => {
            let no_color = no_color.is_some_and(|v| !v.is_empty());
            // As termcolor: no TERM (outside Windows) or a dumb one has no colour.
            let term_ok = term.map_or(cfg!(windows), |t| t != "dumb");
            if no_color || !term_ok || !stderr_is_terminal {
                ColorChoice::Never
            } else {
                ColorChoice::Always
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn only_a_non_empty_no_color_turns_colour_off() {
        let xterm = Some(OsStr::new("xterm"));
        let auto = |no_color: Option<&str>| {
            color_choice(Color::Auto, no_color.map(OsStr::new), xterm, true)
        };
        assert_eq!(auto(None), ColorChoice::Always);
        assert_eq!(
            auto(Some("")),
            ColorChoice::Always,
            "empty NO_COLOR is unset"
        );
        assert_eq!(auto(Some("1")), ColorChoice::Never);
        assert_eq!(
            color_choice(Color::Auto, None, xterm, false),
            ColorChoice::Never,
            "not a terminal"
        );
        assert_eq!(
            color_choice(Color::Auto, None, Some(OsStr::new("dumb")), true),
            ColorChoice::Never
        );
        assert_eq!(
            color_choice(Color::Always, Some(OsStr::new("1")), None, false),
            ColorChoice::Always
        );
        assert_eq!(
            color_choice(Color::Never, None, xterm, true),
            ColorChoice::Never
        );
    }
}
