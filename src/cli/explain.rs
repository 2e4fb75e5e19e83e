//! `archc explain CODE`: the registry's paragraph for a code.

use super::{EXIT_OK, EXIT_USAGE};
use crate::diag::{lookup, Severity, CODES};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A code such as E0101 or W0302; without one, every code is listed.
    code: Option<String>,
}

pub fn run(a: Args) -> u8 {
    let Some(code) = a.code else {
        for c in CODES {
            println!("{}  {}", c.code, c.title);
        }
        return EXIT_OK;
    };
    match lookup(&code) {
        Some(c) => {
            let kind = match c.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            println!("{} ({kind}): {}\n\n{}", c.code, c.title, c.explanation);
            EXIT_OK
        }
        None => {
            eprintln!("error: no diagnostic code `{code}`; `archc explain` lists them all");
            EXIT_USAGE
        }
    }
}
