//! `archc lsp`: the language server over stdio (see `crate::lsp`).

use super::{Ui, EXIT_FAILED, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accepted for clients that pass it (vscode-languageclient does); stdio is
    /// the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let _ = (ui, a.stdio);
    match crate::lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("archc lsp: {e}");
            EXIT_FAILED
        }
    }
}
