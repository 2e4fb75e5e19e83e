//! `archc check FILE`: every diagnostic, nothing written.

use super::{load, FilePath, MessageFormat, Ui, EXIT_FAILED, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// Check only this stage (default: every stage).
    #[arg(long)]
    stage: Option<String>,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    deny_warnings: bool,
    /// Also build every target for every stage in memory and check that the
    /// generated files agree with the model (instance counts, ports, health
    /// paths, replicas, TTLs, balancing method); a disagreement is E0401.
    #[arg(long)]
    parity: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    message_format: MessageFormat,
    /// Template overrides that `--parity` renders with.
    #[command(flatten)]
    templates: super::templates::TemplateArgs,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let loaded = match load(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut diags = loaded.compiled.diagnostics.clone();
    if a.parity && !loaded.compiled.has_errors() {
        let opts = crate::emit::Options {
            templates: match a.templates.load(ui, &a.file, a.message_format) {
                Ok(t) => t,
                Err(code) => return code,
            },
            ..Default::default()
        };
        match crate::analyze::parity::check_design(&loaded.compiled.design, &opts) {
            Ok(found) => diags.extend(found),
            Err(e) => {
                ui.print_diagnostics(&loaded.file, &diags, a.message_format);
                return super::templates::report_emit_error(ui, &e, a.message_format);
            }
        }
        diags = crate::diag::sort_and_merge(diags);
    }
    if let Some(stage) = &a.stage {
        if let Err(code) = super::find_stage(ui, &loaded.compiled.design, stage) {
            return code;
        }
        diags.retain(|d| d.stages.is_empty() || d.stages.contains(stage));
    }
    ui.print_diagnostics(&loaded.file, &diags, a.message_format);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().filter(|d| d.is_warning()).count();
    let accepted = diags.len() - errors - warnings;
    if a.message_format == MessageFormat::Human {
        let stages = loaded.compiled.design.stages.len();
        let what = if stages == 1 {
            "1 stage".to_string()
        } else {
            format!("{stages} stages")
        };
        let accepted = if accepted > 0 {
            format!(", {accepted} accepted")
        } else {
            String::new()
        };
        eprintln!(
            "{}: {what}, {errors} error{}, {warnings} warning{}{accepted}",
            loaded.file.name,
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    if errors > 0 || (a.deny_warnings && warnings > 0) {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
