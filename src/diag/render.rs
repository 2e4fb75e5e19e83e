//! Rendering diagnostics: human text through codespan-reporting, JSON lines for
//! editors and CI. The only place that knows either format.

use super::{Diagnostic, Severity};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

/// A design source with its display name and line index.
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    Always,
    Never,
}

/// Writes every diagnostic as codespan-reporting draws it.
pub fn render_human(out: &mut dyn WriteColor, file: &SourceFile, diags: &[Diagnostic]) {
    let files = SimpleFile::new(file.name.as_str(), file.text.as_str());
    let config = term::Config::default();
    for d in diags {
        let _ = term::emit(out, &config, &files, &to_codespan(d, file.text.len()));
    }
}

fn clamp(span: crate::span::Span, len: usize) -> std::ops::Range<usize> {
    let r = span.range();
    r.start.min(len)..r.end.min(len).max(r.start.min(len))
}

fn to_codespan(d: &Diagnostic, len: usize) -> cs::Diagnostic<()> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut labels =
        vec![cs::Label::primary((), clamp(d.span, len)).with_message(d.primary_label.clone())];
    labels.extend(
        d.labels
            .iter()
            .map(|l| cs::Label::secondary((), clamp(l.span, len)).with_message(l.message.clone())),
    );
    let mut notes = Vec::new();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    if !d.stages.is_empty() {
        notes.push(format!(
            "in stage{} {}",
            plural(d.stages.len()),
            d.stages.join(", ")
        ));
    }
    notes.push(format!("see `archc explain {}`", d.code));
    base.with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[derive(Serialize)]
struct JsonPos {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonSpan<'a> {
    start: u32,
    end: u32,
    start_pos: JsonPos,
    end_pos: JsonPos,
    #[serde(skip_serializing_if = "str::is_empty")]
    label: &'a str,
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    span: JsonSpan<'a>,
    labels: Vec<JsonSpan<'a>>,
    help: Option<&'a str>,
    stages: &'a [String],
}

fn json_span<'a>(file: &SourceFile, span: crate::span::Span, label: &'a str) -> JsonSpan<'a> {
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    JsonSpan {
        start: span.start,
        end: span.end,
        start_pos: JsonPos { line, column },
        end_pos: JsonPos {
            line: end_line,
            column: end_column,
        },
        label,
    }
}

/// One JSON object per diagnostic per line, like `cargo --message-format json`.
pub fn render_json(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let obj = JsonDiag {
            code: d.code,
            severity: d.severity,
            message: &d.message,
            file: &file.name,
            span: json_span(file, d.span, &d.primary_label),
            labels: d
                .labels
                .iter()
                .map(|l| json_span(file, l.span, &l.message))
                .collect(),
            help: d.help.as_deref(),
            stages: &d.stages,
        };
        out.push_str(&serde_json::to_string(&obj).expect("diagnostics always serialise"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("a.arch", "ab\ncd\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(6), (3, 1));
    }
}
