//! `archc fmt FILE…`: rewrite designs in the canonical layout.

use super::{load, FilePath, MessageFormat, Ui, EXIT_FAILED, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design files to format in place.
    #[arg(required = true)]
    files: Vec<FilePath>,
    /// Write nothing; exit 1 and name each file that is not formatted.
    #[arg(long)]
    check: bool,
    /// Print the formatted text instead of writing it.
    #[arg(long, conflicts_with = "check")]
    stdout: bool,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let mut status = EXIT_OK;
    for path in &a.files {
        let loaded = match load(ui, path) {
            Ok(l) => l,
            Err(code) => return code,
        };
        let syntax_errors: Vec<_> = loaded
            .compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code < "E0100")
            .cloned()
            .collect();
        if !syntax_errors.is_empty() {
            ui.print_diagnostics(&loaded.file, &syntax_errors, MessageFormat::Human);
            eprintln!("{}: not formatted, it has syntax errors", loaded.file.name);
            status = EXIT_FAILED;
            continue;
        }
        let formatted = crate::fmt::format(&loaded.file.text, &loaded.compiled.ast);
        if a.stdout {
            print!("{formatted}");
        } else if formatted != loaded.file.text {
            if a.check {
                println!("{}", loaded.file.name);
                status = EXIT_FAILED;
            } else if let Err(e) = crate::output::write_atomic(path, formatted.as_bytes()) {
                return ui.fail(format_args!("cannot write {}: {e}", loaded.file.name));
            }
        }
    }
    status
}
