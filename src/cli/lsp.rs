//! `archc lsp`: the language server over stdio (see `crate::lsp`).

use super::{Ui, EXIT_FAILED, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accepted for clients that pass it (vscode-languageclient does); stdio is
    /// the only transport.
    #[arg(long)]
    stdio: bool,
    /// Template overrides to check while designs are open: their problems
    /// are shown on the template files. Default: `templates/` beside each
    /// design.
    #[arg(long, value_name = "DIR")]
    templates: Option<super::FilePath>,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let _ = (ui, a.stdio);
    match crate::lsp::run_stdio(a.templates) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("archc lsp: {e}");
            EXIT_FAILED
        }
    }
}
