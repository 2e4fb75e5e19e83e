//! `archc explain CODE|WORD`: the registry's paragraph for a diagnostic code,
//! or for a keyword the text the editor's hover shows (`crate::keywords`).
//! Without an argument: every code and every keyword, one line each.

use super::{EXIT_OK, EXIT_USAGE};
use crate::diag::{lookup, nearest, Severity, CODES};
use crate::keywords::{self, Keyword};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  archc explain W0302         a diagnostic code\n  \
archc explain sharded       a keyword: what it means and what archc generates for it\n  \
archc explain               every code, then every keyword, one line each\n  \
archc explain --keywords    every keyword of the language with its one-line meaning\n  \
archc explain --codes       every diagnostic code with its title"
)]
pub struct Args {
    /// A code such as E0101 or W0302, or a keyword or clause word such as
    /// `behind` or `sharded`; without one, every code and keyword is listed.
    #[arg(value_name = "CODE|WORD", conflicts_with_all = ["keywords", "codes"])]
    code: Option<String>,
    /// List only the keywords, each with a one-line meaning.
    #[arg(long, conflicts_with = "codes")]
    keywords: bool,
    /// List only the diagnostic codes, each with its title.
    #[arg(long)]
    codes: bool,
}

pub fn run(a: Args) -> u8 {
    let Some(word) = a.code else {
        let (codes, words) = match (a.codes, a.keywords) {
            (true, _) => (true, false),
            (_, true) => (false, true),
            _ => (true, true),
        };
        if codes && words {
            println!("Diagnostic codes (archc explain CODE):");
        }
        if codes {
            for c in CODES {
                println!("{}  {}", c.code, c.title);
            }
        }
        if codes && words {
            println!("\nKeywords (archc explain WORD):");
        }
        if words {
            print!("{}", keyword_list());
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
        "error: `{word}` is neither a diagnostic code nor a keyword; {hint}`archc explain` lists them all"
    );
    EXIT_USAGE
}

/// Every keyword in the registry's order, one line each: the word and the
/// first sentence of its meaning; an entry for one kind of statement
/// (`redis` in a queue) follows the word's general entry, indented.
pub fn keyword_list() -> String {
    let width = keywords::KEYWORDS
        .iter()
        .map(|k| label(k).len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for word in keywords::words() {
        for k in keywords::entries(word) {
            out.push_str(&format!(
                "{:width$}  {}\n",
                label(k),
                first_sentence(k.meaning)
            ));
        }
    }
    out
}

/// `redis`, or `  in queue` for an entry of one kind of statement.
fn label(k: &Keyword) -> String {
    match k.context {
        None => k.word.to_string(),
        Some(kind) => format!("  in {kind}"),
    }
}

/// Up to the first ". " (a sentence end), or all of it.
fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyword_list_has_a_line_per_entry_and_one_sentence_each() {
        let list = keyword_list();
        assert_eq!(list.lines().count(), keywords::KEYWORDS.len());
        let sharded = list.lines().find(|l| l.starts_with("sharded ")).unwrap();
        assert!(sharded.ends_with("Splits the data into N shards by KEY; each shard is a primary with its replicas (E0205/E0206 when the key or count is missing)."), "{sharded}");
        // `web`'s own line, then not the context entries of other words.
        let redis = list.lines().position(|l| l.starts_with("redis ")).unwrap();
        assert!(list
            .lines()
            .nth(redis + 1)
            .unwrap()
            .starts_with("  in queue"));
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("0.5 CPU, 512 MiB."), "0.5 CPU, 512 MiB.");
    }
}
