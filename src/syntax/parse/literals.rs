//! Reading the literal forms of a statement, each checked as it is read:
//! names (valid DNS labels of a bounded length), counts and other numbers in
//! range, durations, sizes, paths and strings. A value out of range is
//! reported and saturates, so that the statement still lowers.

use super::{Driver, MAX_COUNT, MAX_NAME_LEN};
use crate::diag::Diagnostic;
use crate::span::{Span, Spanned};
use crate::syntax::ast::Num;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

const MAX_SECONDS: u64 = 365 * 86_400;
const MAX_BYTES: u64 = 64 << 40;
pub(super) const PORT_HELP: &str = "a port is a number from 1 to 65535, e.g. `port 8080`";

impl Driver<'_> {
    /// A name, reported when it would not make a valid DNS label or is too
    /// long for the names generated from it.
    pub(super) fn name(&mut self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        if text.ends_with('-') {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("the name `{text}` ends with `-`"))
                    .primary("not a valid DNS label")
                    .help(format!("use `{}`", text.trim_end_matches('-'))),
            );
        } else if text.contains("--") {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("the name `{text}` contains `--`"))
                    .primary("two dashes in a row")
                    .help("Kubernetes and some AWS names reject consecutive dashes; use one"),
            );
        } else if text.len() > MAX_NAME_LEN {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("this name is {} characters long", text.len()))
                    .primary(format!("at most {MAX_NAME_LEN} characters"))
                    .help("choose a shorter name; generated names add suffixes such as `-shard-1-replica-2`"),
            );
        }
        Spanned::new(text, span)
    }

    /// A count written `xN`.
    pub(super) fn count(&mut self, p: &Pair<'_, Rule>) -> Num {
        let span = self.span(p);
        let digits = &p.as_str()[1..];
        let value = self.parse_u64(digits, span, MAX_COUNT, "a count");
        Spanned::new(value, span)
    }

    /// A number of at most `max`; `what` names it in the message.
    pub(super) fn int(&mut self, p: Pair<'_, Rule>, max: u64, what: &str) -> Num {
        let span = self.span(&p);
        Spanned::new(self.parse_u64(p.as_str(), span, max, what), span)
    }

    /// The value of `digits`, or `max` (reported) when it is larger.
    fn parse_u64(&mut self, digits: &str, span: Span, max: u64, what: &str) -> u64 {
        match digits.parse::<u64>() {
            Ok(v) if v <= max => v,
            _ => {
                self.diags.push(
                    Diagnostic::new("E0004", span, format!("`{digits}` is too large for {what}"))
                        .primary(format!("at most {max}"))
                        .help(match what {
                            "a port" => PORT_HELP.to_string(),
                            "a percentage" => {
                                "a CPU target is a percentage from 1 to 100, e.g. `at cpu 70%`"
                                    .to_string()
                            }
                            _ => format!(
                                "write {what} of at most {max}; archc stops there, far beyond any real design"
                            ),
                        }),
                );
                max
            }
        }
    }

    /// A duration in seconds, at most a year.
    pub(super) fn seconds(&mut self, p: Pair<'_, Rule>) -> Num {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let digits = it.next().expect("duration has digits").as_str();
        let unit = match it.next().map(|u| u.as_str()) {
            Some("m") => 60,
            Some("h") => 3_600,
            Some("d") => 86_400,
            _ => 1,
        };
        let v = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|&s| s <= MAX_SECONDS);
        let v = v.unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::new(
                    "E0004",
                    span,
                    format!("the duration `{}` is too long", &self.src[span.range()]),
                )
                .primary("at most 365d")
                .help("write a duration of at most `365d`, e.g. `ttl 30d`"),
            );
            MAX_SECONDS
        });
        Spanned::new(v, span)
    }

    /// A size in bytes, at most 64 TB.
    pub(super) fn bytes(&mut self, p: Pair<'_, Rule>) -> Num {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let digits = it.next().expect("size has digits").as_str();
        let unit: u64 = match it.next().map(|u| u.as_str()) {
            Some("kb") => 1 << 10,
            Some("mb") => 1 << 20,
            Some("gb") => 1 << 30,
            _ => 1 << 40,
        };
        let v = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|&b| b <= MAX_BYTES);
        let v = v.unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::new(
                    "E0004",
                    span,
                    format!("the size `{}` is too large", &self.src[span.range()]),
                )
                .primary("at most 64tb")
                .help("write a size of at most `64tb`, e.g. `storage 500gb`"),
            );
            MAX_BYTES
        });
        Spanned::new(v, span)
    }

    /// An absolute URL path, reported when it has `.`, `..` or empty segments.
    pub(super) fn path(&mut self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let bad = text
            .split('/')
            .skip(1)
            .enumerate()
            .find_map(|(i, seg)| match seg {
                ".." | "." => Some(format!("a `{seg}` segment")),
                "" if i > 0 && text.len() > 1 => {
                    Some("an empty segment (`//` or a trailing `/`)".to_string())
                }
                _ => None,
            });
        if let Some(what) = bad {
            self.diags.push(
                Diagnostic::new("E0005", span, format!("the path `{text}` has {what}"))
                    .primary("not a plain absolute path")
                    .help("write the path without `.`, `..` or empty segments, e.g. `/static`"),
            );
        }
        Spanned::new(text, span)
    }
}

/// The text of a quoted string with its escapes (`\"`, `\\`) undone.
/// A character no value may hold: a control character, or a Unicode line or
/// paragraph separator (which YAML and JavaScript-based tools read as a line
/// break, though Rust's `is_control` does not count them).
pub(super) fn unprintable(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}
