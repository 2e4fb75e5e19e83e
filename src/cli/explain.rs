//! `archc explain CODE|WORD`: the registry's paragraph for a diagnostic code,
//! or for a keyword the text the editor's hover shows (`crate::keywords`).

use super::{EXIT_OK, EXIT_USAGE};
use crate::diag::{lookup, nearest, Severity, CODES};
use crate::keywords;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  archc explain W0302     a diagnostic code\n  \
archc explain sharded   a keyword: what it means and what archc generates for it\n  \
archc explain           every code"
)]
pub struct Args {
    /// A code such as E0101 or W0302, or a keyword or clause word such as
    /// `behind` or `sharded`; without one, every code is listed.
    #[arg(value_name = "CODE|WORD")]
    code: Option<String>,
}

pub fn run(a: Args) -> u8 {
    let Some(word) = a.code else {
        for c in CODES {
            println!("{}  {}", c.code, c.title);
        }
        return EXIT_OK;
    };
    if let Some(c) = lookup(&word) {
        let kind = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!("{} ({kind}): {}\n\n{}", c.code, c.title, c.explanation);
        return EXIT_OK;
    }
    let entries = keywords::entries(&word);
    if !entries.is_empty() {
        let texts: Vec<String> = entries.into_iter().map(keywords::markdown).collect();
        println!("{}", texts.join("\n\n---\n\n"));
        return EXIT_OK;
    }
    let candidates = CODES.iter().map(|c| c.code).chain(keywords::words());
    let hint = match nearest(&word, candidates) {
        Some(n) => format!("did you mean `{n}`? "),
        None => String::new(),
    };
    eprintln!(
        "error: `{word}` is neither a diagnostic code nor a keyword; {hint}`archc explain` lists the codes"
    );
    EXIT_USAGE
}
