//! Diagnostics: archc's own type, a registry of stable codes, and rendering
//! (human text through codespan-reporting, JSON lines for editors) in one place.

mod codes;
mod render;

pub use codes::{lookup, CodeInfo, CODES};
pub use render::{render_human, render_json, ColorMode, SourceFile};

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary place in the source that explains the primary one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// A stable code from the registry (`E0101`, `W0302`).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The words that are wrong.
    pub span: Span,
    /// What the primary span is, in a few words.
    pub primary_label: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Stages this was found in, when the design has stages.
    pub stages: Vec<String>,
    /// The reason of the `accept CODE "REASON"` that takes this warning on
    /// purpose (`check::accept`): shown as accepted, not counted as a warning.
    pub accepted: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for a registered code; the severity comes from the registry.
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        let info =
            lookup(code).unwrap_or_else(|| panic!("diagnostic code {code} is not registered"));
        Diagnostic {
            code: info.code,
            severity: info.severity,
            message: message.into(),
            span,
            primary_label: String::new(),
            labels: Vec::new(),
            help: None,
            stages: Vec::new(),
            accepted: None,
        }
    }

    /// Text under the primary span.
    pub fn primary(mut self, text: impl Into<String>) -> Self {
        self.primary_label = text.into();
        self
    }

    /// A secondary label at another place.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A warning the design does not accept: what `--deny-warnings` counts.
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning && self.accepted.is_none()
    }
}

/// Sorts by position, then code, and merges diagnostics that differ only in the
/// stage they were found in (an inherited component is checked in every stage).
pub fn sort_and_merge(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags {
        if let Some(last) = out.last_mut() {
            let same = last.code == d.code && last.span == d.span && last.message == d.message;
            // A warning accepted in some stages only stays two: accepted, and not.
            if same && last.accepted == d.accepted {
                for s in d.stages {
                    if !last.stages.contains(&s) {
                        last.stages.push(s);
                    }
                }
                continue;
            }
        }
        out.push(d);
    }
    out
}

/// Edit distance between two short words, for "did you mean" suggestions:
/// insertions, deletions, substitutions and swaps of two neighbouring letters
/// each count one (optimal string alignment), since `lur` is one slip from
/// `lru`, not two.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match word.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let len = word.chars().count();
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the work.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= limit && *d < c.len())
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_only() {
        let kws = ["stateless", "stateful", "autoscale", "behind"];
        assert_eq!(nearest("stateles", kws), Some("stateless"));
        assert_eq!(nearest("behnd", kws), Some("behind"));
        assert_eq!(nearest("zebra", kws), None);
    }

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(edit_distance("lur", "lru"), 1);
        assert_eq!(edit_distance("lur", "lfu"), 2);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(nearest("lur", ["lru", "lfu", "none"]), Some("lru"));
        assert_eq!(
            nearest("stetaless", ["stateless", "stateful"]),
            Some("stateless")
        );
    }
}
