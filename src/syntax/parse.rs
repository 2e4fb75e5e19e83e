//! The parser driver: walks stage blocks itself and hands each statement to the
//! pest grammar, so that one mistake costs one statement and every mistake in a
//! file is reported. Statement-local rules (numbers in range, clauses given once,
//! valid paths and names) are checked while lowering pest's pairs to the tree.
//!
//! Here: the driver, which cuts the source into statements and stage blocks.
//! [`lower`] turns one statement's pairs into the tree; [`literals`] reads
//! and checks its numbers, names, paths and strings. A syntax error becomes a
//! message in `super::words`.

mod literals;
mod load;
mod lower;
mod settings;

pub use load::capacity_unit_of;

use super::ast::*;
use super::grammar::{ArchParser, Rule};
use super::words;
use crate::diag::Diagnostic;
use crate::span::{Span, Spanned};
use pest::iterators::Pair;
use pest::Parser as _;

/// Longest name archc accepts; generated names add suffixes such as
/// `-shard-12-replica-3` and must stay within provider limits (RDS: 63).
pub const MAX_NAME_LEN: usize = 40;
/// Largest count, replica or shard number: far beyond any real design, small
/// enough that instance lists stay in memory.
pub const MAX_COUNT: u64 = 100_000;

/// Parses a whole design. Always returns a tree (possibly missing the statements
/// that failed) and every diagnostic found.
pub fn parse(src: &str) -> (SourceFile, Vec<Diagnostic>) {
    let mut d = Driver {
        src,
        pos: 0,
        file: SourceFile::default(),
        diags: Vec::new(),
        open: None,
    };
    d.run();
    (d.file, d.diags)
}

struct OpenStage {
    stage: Stage,
    /// The header did not parse: statements inside are checked, then discarded.
    broken: bool,
}

struct Driver<'s> {
    src: &'s str,
    pos: usize,
    file: SourceFile,
    diags: Vec<Diagnostic>,
    open: Option<OpenStage>,
}

impl<'s> Driver<'s> {
    fn run(&mut self) {
        loop {
            self.skip_trivia();
            if self.pos >= self.src.len() {
                break;
            }
            let rest = &self.src[self.pos..];
            if rest.starts_with('}') {
                self.close_stage();
            } else if starts_with_word(rest, "stage") {
                self.open_stage();
            } else {
                self.statement();
            }
        }
        if let Some(open) = self.open.take() {
            let mut stage = open.stage;
            let end = self.src.len();
            self.diags.push(
                Diagnostic::new(
                    "E0006",
                    stage.open,
                    format!("stage `{}` is never closed", stage.name.node),
                )
                .primary("this block has no closing `}`")
                .help("add `}` after the stage's last statement"),
            );
            stage.close = Span::new(end, end);
            if !open.broken {
                self.file.items.push(Item::Stage(stage));
            }
        }
    }

    /// Skips blanks, newlines, `;` and comments, remembering each comment.
    fn skip_trivia(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b' ' | b'\t' | b'\r' | b'\n' | b';' => self.pos += 1,
                b'#' => {
                    let end = self.src[self.pos..]
                        .find('\n')
                        .map_or(self.src.len(), |i| self.pos + i);
                    self.file.comments.push(Span::new(self.pos, end));
                    self.pos = end;
                }
                _ => break,
            }
        }
    }

    /// Skips to the end of a statement that did not parse: the next newline or
    /// `;`, or just before a `}`.
    fn skip_statement(&mut self) {
        let rest = &self.src[self.pos..];
        let end = rest.find(['\n', ';', '}', '#']).unwrap_or(rest.len());
        self.pos += end.max(1).min(rest.len());
        // Never split a UTF-8 character.
        while !self.src.is_char_boundary(self.pos) {
            self.pos += 1;
        }
    }

    fn close_stage(&mut self) {
        let span = Span::new(self.pos, self.pos + 1);
        self.pos += 1;
        match self.open.take() {
            Some(mut open) => {
                open.stage.close = span;
                if !open.broken {
                    self.file.items.push(Item::Stage(open.stage));
                }
            }
            None => self.diags.push(
                Diagnostic::new("E0006", span, "`}` without a matching `stage NAME {`")
                    .primary("nothing to close here")
                    .help("remove it, or open a stage before it with `stage NAME {`"),
            ),
        }
    }

    fn open_stage(&mut self) {
        let rest = &self.src[self.pos..];
        match ArchParser::parse(Rule::stage_open, statement_text(rest)) {
            Ok(mut pairs) => {
                let pair = pairs.next().expect("stage_open yields one pair");
                let span = self.span(&pair);
                let name_pair = pair.into_inner().nth(1).expect("stage_open has a name");
                let name = self.name(name_pair);
                self.pos += span.end as usize - self.pos;
                if let Some(outer) = &self.open {
                    self.diags.push(
                        Diagnostic::new("E0009", span, "a stage cannot contain another stage")
                            .primary("this stage starts inside another")
                            .label(outer.stage.open, "the stage that is still open")
                            .help("close the outer stage with `}` before starting the next"),
                    );
                    let outer = self.open.take().expect("checked above");
                    if !outer.broken {
                        let mut stage = outer.stage;
                        stage.close = Span::new(span.start as usize, span.start as usize);
                        self.file.items.push(Item::Stage(stage));
                    }
                }
                self.open = Some(OpenStage {
                    stage: Stage {
                        name,
                        open: span,
                        close: span,
                        body: Vec::new(),
                    },
                    broken: false,
                });
            }
            Err(e) => {
                self.diags.push(self.syntax_error(e));
                // Keep the block structure when the line opens one, so that its
                // statements are still checked and its `}` is not reported.
                let line_end = rest.find('\n').unwrap_or(rest.len());
                let opens = rest[..line_end].find('{');
                match opens {
                    Some(brace) if self.open.is_none() => {
                        let span = Span::new(self.pos, self.pos + brace + 1);
                        self.pos += brace + 1;
                        self.open = Some(OpenStage {
                            stage: Stage {
                                name: Spanned::new(String::new(), span),
                                open: span,
                                close: span,
                                body: Vec::new(),
                            },
                            broken: true,
                        });
                    }
                    _ => self.skip_statement(),
                }
            }
        }
    }

    fn statement(&mut self) {
        let rest = &self.src[self.pos..];
        match ArchParser::parse(Rule::statement_eol, statement_text(rest)) {
            Ok(mut pairs) => {
                let eol = pairs.next().expect("statement_eol yields one pair");
                let mut inner = eol.into_inner();
                let stmt_pair = inner.next().expect("statement_eol wraps a statement");
                // What follows the statement is its `accept` clauses.
                let accepts: Vec<_> = inner.collect();
                let end = self.pos + words_end(accepts.last().unwrap_or(&stmt_pair));
                let mut stmt = self.lower_statement(stmt_pair);
                stmt.accepts = accepts.into_iter().map(|p| self.accept(p)).collect();
                self.pos = end;
                match &mut self.open {
                    Some(open) => open.stage.body.push(stmt),
                    None => self.file.items.push(Item::Statement(stmt)),
                }
            }
            Err(e) => {
                self.diags.push(self.syntax_error(e));
                self.skip_statement();
            }
        }
    }

    /// The absolute span of a pair parsed from `self.src[self.pos..]`.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.pos + s.start(), self.pos + s.end())
    }

    /// The span of a statement or clause without trailing blanks and comment:
    /// pest skips them before trying an optional part that then does not
    /// match (`drop cache  # gone`), and counts them in the rule's span.
    fn span_trimmed(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::new(
            self.pos + pair.as_span().start(),
            self.pos + words_end(pair),
        )
    }

    fn syntax_error(&self, err: pest::error::Error<Rule>) -> Diagnostic {
        let at = self.pos
            + match err.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
        let expected: Vec<Rule> = match &err.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
        };
        words::syntax_error(self.src, at, &expected)
    }
}

/// The text pest is given for one statement (or stage header): `rest` up to
/// the first line break, or `;` or `}` outside a string or comment. No rule
/// consumes those, and at the cut pest sees the end of input where it would
/// have seen the separator, which the grammar treats alike, so parses and
/// errors are the same as against all of `rest`. The cut keeps a file of many
/// bad statements linear: pest locates an error's line by scanning back from
/// the end of its input, which for `rest` was the rest of the file.
fn statement_text(rest: &str) -> &str {
    let bytes = rest.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match (in_string, bytes[i]) {
            (_, b'\n' | b'\r') => break,
            (true, b'\\') if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => i += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b';' | b'}') => break,
            (false, b'#') => {
                i += rest[i..].find(['\n', '\r']).unwrap_or(rest.len() - i);
                break;
            }
            _ => {}
        }
        i += 1;
    }
    &rest[..i]
}

/// Where the last word of a pair ends: the end of its last token, found by
/// descending into the last child of every rule that is not itself a token.
fn words_end(pair: &Pair<'_, Rule>) -> usize {
    let token = matches!(
        pair.as_rule(),
        Rule::string
            | Rule::range
            | Rule::percent
            | Rule::duration
            | Rule::size_lit
            | Rule::user_count
            | Rule::load_percent
            | Rule::peak_factor
            | Rule::load_size
    );
    match pair.clone().into_inner().last() {
        Some(last) if !token => words_end(&last),
        _ => pair.as_span().end(),
    }
}

fn starts_with_word(s: &str, word: &str) -> bool {
    s.starts_with(word)
        && !s[word.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What pest says about `text`, in a form that can be compared: the
    /// pairs with their spans, or the error's place and expected rules.
    fn outcome(rule: Rule, text: &str) -> String {
        match ArchParser::parse(rule, text) {
            Ok(pairs) => format!("{pairs:?}"),
            Err(e) => match e.variant {
                pest::error::ErrorVariant::ParsingError {
                    positives,
                    negatives,
                } => format!("{:?} {positives:?} {negatives:?}", e.location),
                other => format!("{:?} {other:?}", e.location),
            },
        }
    }

    const PIECES: &[&str] = &[
        "web",
        "x2",
        "behind",
        "lb",
        "image",
        "\"a;b}\"",
        "\"open",
        "\"es\\\"c;\"",
        "\\",
        ";",
        "}",
        "\n",
        "\r",
        "\r\n",
        "#c;}",
        "stage",
        "s",
        "{",
        "@",
        "drop",
        "cache",
        "ttl",
        "10m",
        " ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Cutting the input at the statement's end changes nothing pest
        /// reports, success or error.
        #[test]
        fn statement_text_parses_like_the_rest_of_the_file(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..16)
        ) {
            let rest = pieces.join(" ");
            let cut = statement_text(&rest);
            prop_assert!(rest.starts_with(cut));
            for rule in [Rule::statement_eol, Rule::stage_open] {
                prop_assert_eq!(outcome(rule, &rest), outcome(rule, cut), "{:?} cut to {:?}", rest, cut);
            }
        }
    }

    #[test]
    fn statement_text_stops_at_the_statement_end() {
        assert_eq!(statement_text("web x1\nweb x2"), "web x1");
        assert_eq!(statement_text("web x1; web x2"), "web x1");
        assert_eq!(statement_text("web x1 }"), "web x1 ");
        assert_eq!(
            statement_text("web image \"a;}\" x2; db"),
            "web image \"a;}\" x2"
        );
        assert_eq!(
            statement_text("web image \"a\\\";\" x2; db"),
            "web image \"a\\\";\" x2"
        );
        assert_eq!(statement_text("web image \"open\ndb"), "web image \"open");
        assert_eq!(statement_text("web x1 # c; }\ndb"), "web x1 # c; }");
        assert_eq!(statement_text("web x1\r\ndb"), "web x1");
    }
}
