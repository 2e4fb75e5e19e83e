//! Rendering diagnostics: human text through codespan-reporting, JSON lines for
//! editors and CI. The only place that knows either format.

use super::{Diagnostic, Severity};
use crate::span::LineStarts;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

/// A design source with its display name and line index.
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: LineStarts,
    /// For text that is not all ASCII: every `MARK` bytes (moved back to a
    /// character boundary), the byte offset and the number of characters
    /// before it, so that a column is counted from a nearby mark instead of
    /// from the start of a possibly very long line.
    marks: Vec<(usize, usize)>,
}

const MARK: usize = 4096;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = LineStarts::new(&text);
        let mut marks = Vec::new();
        if !text.is_ascii() {
            let (mut at, mut chars) = (0, 0);
            for k in 0..=text.len() / MARK {
                let mut p = k * MARK;
                while !text.is_char_boundary(p) {
                    p -= 1;
                }
                chars += text[at..p].chars().count();
                at = p;
                marks.push((p, chars));
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            marks,
        }
    }

    /// The 0-based line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.line_of(offset)
    }

    /// The bytes of a 0-based line, its line break included.
    fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = self.line_starts.start(line)?;
        let end = self.line_starts.start(line + 1).unwrap_or(self.text.len());
        Some(start..end)
    }

    /// Characters before a byte offset on a character boundary.
    fn chars_before(&self, offset: usize) -> Option<usize> {
        if self.marks.is_empty() {
            return Some(offset);
        }
        let (at, chars) = self.marks[offset / MARK];
        Some(chars + self.text.get(at..offset)?.chars().count())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts.start(line).expect("line_of names a line");
        let col = match (self.chars_before(start), self.chars_before(offset)) {
            (Some(a), Some(b)) => b - a,
            _ => offset - start,
        };
        (line + 1, col + 1)
    }
}

/// Lines longer than this are shown in part: the piece around the labels on
/// them, or their beginning. A file of thousands of mistakes on one long line
/// would otherwise print that line once per mistake.
const LONG_LINE: usize = 240;
/// Bytes shown on either side of the labels of a long line.
const CONTEXT: usize = 80;

/// The source as codespan-reporting sees it for one diagnostic: the file,
/// except that long lines are cut to a window. Columns in the header are
/// still counted from the start of the real line.
struct Clipped<'a> {
    file: &'a SourceFile,
    /// (line, bytes shown) for the long lines the diagnostic labels.
    windows: Vec<(usize, std::ops::Range<usize>)>,
}

impl<'a> Clipped<'a> {
    fn new(file: &'a SourceFile, ranges: &[std::ops::Range<usize>]) -> Self {
        // The labelled bytes on each line: a label over several lines counts
        // its first byte on the first line and its last on the last.
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for r in ranges {
            let (first, last) = (file.line_index(r.start), file.line_index(r.end));
            if first == last {
                spans.push((first, r.start, r.end));
            } else {
                spans.push((first, r.start, r.start + 1));
                spans.push((last, r.end.saturating_sub(1), r.end));
            }
        }
        let mut windows: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (line, start, end) in spans {
            let Some(full) = file.line_range(line) else {
                continue;
            };
            if full.len() <= LONG_LINE {
                continue;
            }
            match windows.iter_mut().find(|(l, _)| *l == line) {
                Some((_, w)) => *w = w.start.min(start)..w.end.max(end),
                None => windows.push((line, start..end)),
            }
        }
        for (line, w) in &mut windows {
            let full = file.line_range(*line).expect("checked above");
            let mut start = w.start.saturating_sub(CONTEXT).max(full.start);
            let mut end = (w.end + CONTEXT).min(full.end);
            while !file.text.is_char_boundary(start) {
                start -= 1;
            }
            while !file.text.is_char_boundary(end) {
                end += 1;
            }
            *w = start..end;
        }
        Clipped { file, windows }
    }
}

impl<'a> Files<'a> for Clipped<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.file.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.file.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.file.line_index(byte_index))
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, files::Error> {
        let full = self
            .file
            .line_range(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.file.line_starts.count() - 1,
            })?;
        if let Some((_, w)) = self.windows.iter().find(|(l, _)| *l == line_index) {
            return Ok(w.clone());
        }
        if full.len() <= LONG_LINE {
            return Ok(full);
        }
        let mut end = full.start + LONG_LINE;
        while !self.file.text.is_char_boundary(end) {
            end -= 1;
        }
        Ok(full.start..end)
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.file.line_col(byte_index).1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    Always,
    Never,
}

/// Writes every diagnostic as codespan-reporting draws it; an accepted
/// warning is one line, with its reason.
pub fn render_human(out: &mut dyn WriteColor, file: &SourceFile, diags: &[Diagnostic]) {
    let config = term::Config::default();
    for d in diags {
        if let Some(reason) = &d.accepted {
            let _ = writeln!(out, "{}", accepted_line(file, d, reason));
            continue;
        }
        let cs = to_codespan(d, file.text.len());
        let ranges: Vec<_> = cs.labels.iter().map(|l| l.range.clone()).collect();
        let _ = term::emit(out, &config, &Clipped::new(file, &ranges), &cs);
    }
}

/// `accepted W0302 shop.arch:6:3 (stage single): MESSAGE (REASON)`.
fn accepted_line(file: &SourceFile, d: &Diagnostic, reason: &str) -> String {
    let (line, col) = file.line_col(d.span.start as usize);
    let stages = match d.stages.len() {
        0 => String::new(),
        n => format!(" (stage{} {})", plural(n), d.stages.join(", ")),
    };
    format!(
        "accepted {} {}:{line}:{col}{stages}: {} ({reason})",
        d.code, file.name, d.message
    )
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
    /// The reason of the `accept` that takes this warning on purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<&'a str>,
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
            accepted: d.accepted.as_deref(),
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

    #[test]
    fn line_col_counts_characters_across_marks() {
        let text = format!("é\n{}x\n", "ü".repeat(5000));
        let f = SourceFile::new("a.arch", text.as_str());
        for offset in [0, 3, 4, 2 * MARK, 10_003, 10_004] {
            let offset = (0..=offset)
                .rev()
                .find(|&o| text.is_char_boundary(o))
                .unwrap();
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let col = text[start..offset].chars().count() + 1;
            assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
        }
    }

    fn render(text: &str, d: &Diagnostic) -> String {
        let file = SourceFile::new("a.arch", text);
        let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        render_human(&mut out, &file, std::slice::from_ref(d));
        String::from_utf8(out.into_inner()).unwrap()
    }

    /// Found by a file of 200k `wbe x1;` on one line: each of the first 200
    /// diagnostics printed the whole 1.4 MB line.
    #[test]
    fn a_long_line_is_shown_around_its_labels() {
        let text = format!("{}web @ {}\n", "a ".repeat(3000), "b ".repeat(3000));
        let at = text.find('@').unwrap();
        let d = Diagnostic::new(
            "E0001",
            crate::span::Span::new(at, at + 1),
            "unexpected `@`",
        )
        .primary("here")
        .label(crate::span::Span::new(at - 4, at - 1), "in this statement");
        let shown = render(&text, &d);
        assert!(shown.contains("a.arch:1:6005"), "real column: {shown}");
        assert!(shown.contains("web @ b"), "{shown}");
        assert!(shown.contains("^ here") && shown.contains("in this statement"));
        assert!(shown.len() < 1200, "{} bytes shown: {shown}", shown.len());
        // Short lines are shown whole.
        let d = Diagnostic::new("E0001", crate::span::Span::new(4, 5), "unexpected `@`");
        assert!(render("web @ x1\n", &d).contains("1 │ web @ x1\n"));
    }
}
