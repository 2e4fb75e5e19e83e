//! The language server: what an editor asks about an open design, answered
//! from the same front end as the command line.
//!
//! A [`Document`] is one open file compiled with [`crate::compile`]; every
//! answer (diagnostics, hover, completion, definition, symbols, formatting) is
//! a method on it, so they can be tested without a client. [`serve`] runs the
//! protocol over an `lsp-server` connection; `archc lsp` connects it to stdio.
//!
//! Positions are UTF-16 code units, as the protocol says ([`position`]).

mod complete;
mod locate;
pub mod position;
mod server;
mod templates;

pub use server::{run_stdio, serve, serve_with};
pub use templates::TemplateWatch;

use crate::diag::{self, Severity};
use crate::model::Model;
use crate::span::Span;
use crate::syntax::ast::{self, Item, Kind, Stmt};
use crate::Compiled;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, Location, NumberOrString,
    Position, Range, SymbolKind, TextEdit, Uri,
};
use position::LineIndex;

/// One open design and everything archc knows about it.
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub index: LineIndex,
    pub compiled: Compiled,
}

impl Document {
    /// Compiles `text`; the file name in the URI names the default system, as
    /// the file name does for `archc check`.
    pub fn new(uri: Uri, version: i32, text: String) -> Self {
        let compiled = crate::compile(&source_name(&uri), &text);
        Document {
            index: LineIndex::new(&text),
            uri,
            version,
            text,
            compiled,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        self.index.range(&self.text, span)
    }

    pub fn offset(&self, pos: Position) -> usize {
        self.index.offset(&self.text, pos)
    }

    fn location(&self, span: Span) -> Location {
        Location::new(self.uri.clone(), self.range(span))
    }

    /// The compiler's diagnostics as LSP diagnostics: the code, the message
    /// with the help and the stages appended, the primary and secondary labels
    /// as related information.
    pub fn diagnostics(&self) -> Vec<lsp_types::Diagnostic> {
        self.compiled
            .diagnostics
            .iter()
            .map(|d| self.convert(d))
            .collect()
    }

    fn convert(&self, d: &diag::Diagnostic) -> lsp_types::Diagnostic {
        let mut message = d.message.clone();
        if let Some(reason) = &d.accepted {
            message.push_str(&format!("\naccepted: {reason}"));
        }
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if !d.stages.is_empty() {
            let s = if d.stages.len() == 1 { "" } else { "s" };
            message.push_str(&format!("\nin stage{s} {}", d.stages.join(", ")));
        }
        let mut related = Vec::new();
        if !d.primary_label.is_empty() {
            related.push(DiagnosticRelatedInformation {
                location: self.location(d.span),
                message: d.primary_label.clone(),
            });
        }
        related.extend(d.labels.iter().map(|l| DiagnosticRelatedInformation {
            location: self.location(l.span),
            message: l.message.clone(),
        }));
        lsp_types::Diagnostic {
            range: self.range(d.span),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                // Taken on purpose: seen, not nagging.
                Severity::Warning if d.accepted.is_some() => DiagnosticSeverity::HINT,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: None,
            source: Some("archc".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }

    /// `archc fmt` as one edit of the whole document; no edit when the text is
    /// already formatted or has syntax errors (the formatter needs every
    /// statement parsed).
    pub fn formatting(&self) -> Vec<TextEdit> {
        let syntax_errors = self
            .compiled
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code < "E0100");
        if syntax_errors {
            return Vec::new();
        }
        let formatted = crate::fmt::format(&self.text, &self.compiled.ast);
        if formatted == self.text {
            return Vec::new();
        }
        let whole = Span::new(0, self.text.len());
        vec![TextEdit::new(self.range(whole), formatted)]
    }

    /// Stages, each with the components its statements declare; statements
    /// before the first stage at the top.
    pub fn symbols(&self) -> Vec<DocumentSymbol> {
        let mut out = Vec::new();
        for item in &self.compiled.ast.items {
            match item {
                Item::Statement(s) => out.extend(self.statement_symbol(s)),
                Item::Stage(st) => {
                    let end = st.close.end.max(st.open.end);
                    let children: Vec<_> = st
                        .body
                        .iter()
                        .filter_map(|s| self.statement_symbol(s))
                        .collect();
                    out.push(symbol(
                        st.name.node.clone(),
                        "stage",
                        SymbolKind::NAMESPACE,
                        self.range(Span {
                            start: st.open.start,
                            end,
                        }),
                        self.range(st.name.span),
                        Some(children),
                    ));
                }
            }
        }
        out
    }

    fn statement_symbol(&self, s: &ast::Statement) -> Option<DocumentSymbol> {
        let (name, detail, kind, selection) = match &s.stmt {
            Stmt::Component(c) => {
                let kind = c.kind.node;
                let (name, sel) = match &c.name {
                    Some(n) => (n.node.clone(), n.span),
                    None => (kind.keyword().to_string(), c.kind.span),
                };
                (name, kind.keyword(), symbol_kind(kind), sel)
            }
            Stmt::Traffic(_) => ("traffic".into(), "traffic", SymbolKind::OBJECT, s.span),
            Stmt::Datacenters { .. } => (
                "datacenters".into(),
                "datacenters",
                SymbolKind::OBJECT,
                s.span,
            ),
            Stmt::System(n) => (n.node.clone(), "system", SymbolKind::PACKAGE, n.span),
            Stmt::Region(n) => (n.node.clone(), "region", SymbolKind::PROPERTY, n.span),
            Stmt::Drop { .. } | Stmt::Accept(_) => return None,
        };
        Some(symbol(
            name,
            detail,
            kind,
            self.range(s.span),
            self.range(selection),
            None,
        ))
    }

    /// The stage block around a byte offset, if any.
    fn stage_at(&self, offset: usize) -> Option<&ast::Stage> {
        self.compiled.ast.items.iter().find_map(|i| match i {
            Item::Stage(st)
                if st.open.start as usize <= offset
                    && offset <= st.close.end.max(st.open.end) as usize =>
            {
                Some(st)
            }
            _ => None,
        })
    }

    /// The model in effect in a stage block; statements outside stages are
    /// read in the first stage (the file's only stage, `main`, without stages).
    fn model_of(&self, stage: Option<&ast::Stage>) -> &Model {
        let design = &self.compiled.design;
        stage
            .and_then(|st| design.stage(&st.name.node))
            .unwrap_or(&design.stages[0])
    }

    /// The model before a stage's statements apply: the stage before it (a
    /// `drop` removes what that one had).
    fn model_before(&self, stage: Option<&ast::Stage>) -> Option<&Model> {
        let m = self.model_of(stage);
        let stages = &self.compiled.design.stages;
        let i = stages.iter().position(|x| std::ptr::eq(x, m))?;
        i.checked_sub(1).map(|p| &stages[p])
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
fn symbol(
    name: String,
    detail: &str,
    kind: SymbolKind,
    range: Range,
    selection_range: Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail: Some(detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children,
    }
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Web | Kind::Worker => SymbolKind::CLASS,
        Kind::Lb | Kind::Cdn => SymbolKind::INTERFACE,
        Kind::Db | Kind::Cache | Kind::Nosql | Kind::Queue => SymbolKind::STRUCT,
        Kind::Logs | Kind::Metrics | Kind::Datacenters | Kind::Traffic => SymbolKind::OBJECT,
    }
}

/// The kinds a component statement can start with, by keyword.
pub(crate) fn kind_of_word(word: &str) -> Option<Kind> {
    const KINDS: [Kind; 12] = [
        Kind::Web,
        Kind::Lb,
        Kind::Db,
        Kind::Cache,
        Kind::Cdn,
        Kind::Nosql,
        Kind::Queue,
        Kind::Worker,
        Kind::Logs,
        Kind::Metrics,
        Kind::Datacenters,
        Kind::Traffic,
    ];
    KINDS.into_iter().find(|k| k.keyword() == word)
}

/// The file name in a URI (`file:///a/b/site.arch` -> `site.arch`).
fn source_name(uri: &Uri) -> String {
    let s = uri.as_str();
    let path = s.split(['?', '#']).next().unwrap_or(s);
    let last = path.rsplit('/').next().unwrap_or(path);
    let name = percent_decode(last);
    if name.is_empty() {
        "design.arch".into()
    } else {
        name
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Letters, digits, `-` and `_`: the characters of names and keywords.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// True when the end of `line_prefix` (text from a line start) is inside a
/// comment or a string.
pub(crate) fn in_comment_or_string(line_prefix: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for c in line_prefix.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => return true,
            _ => {}
        }
    }
    in_string
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_name_is_the_decoded_file_name() {
        let uri: Uri = "file:///tmp/my%20designs/caf%C3%A9.arch".parse().unwrap();
        assert_eq!(source_name(&uri), "café.arch");
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(source_name(&uri), "untitled:Untitled-1");
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn comments_and_strings() {
        assert!(in_comment_or_string("web # be"));
        assert!(in_comment_or_string("web image \"a b"));
        assert!(!in_comment_or_string("web image \"a#b\" po"));
        assert!(!in_comment_or_string("web x3 beh"));
    }
}
