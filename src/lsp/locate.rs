//! What is under the cursor: a keyword, a component's name, or a reference to
//! a component; and the hover and definition built on it.

use super::{in_comment_or_string, is_word_byte, Document};
use crate::keywords::{self, Keyword};
use crate::model::{Model, Origin, StoreKind};
use crate::span::Span;
use crate::syntax::ast::{Clause, Component, Item, Kind, Statement, Stmt};
use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position};

/// The thing under the cursor.
pub(super) enum At<'d> {
    Keyword(&'static Keyword),
    /// A diagnostic code, as `accept` names it: its `archc explain` entry.
    Code(&'static crate::diag::CodeInfo),
    /// A component, declared or referred to, seen in `model` (the stage in
    /// effect at that point). `keyword` is set when the cursor is on the kind
    /// word of an unnamed component: both are worth showing.
    Component {
        kind: Kind,
        name: String,
        model: &'d Model,
        keyword: Option<&'static Keyword>,
    },
}

impl Document {
    /// The word under a position: its span, unless it is in a comment or string.
    fn word_at(&self, offset: usize) -> Option<Span> {
        let b = self.text.as_bytes();
        let mut start = offset.min(b.len());
        while start > 0 && is_word_byte(b[start - 1]) {
            start -= 1;
        }
        let mut end = offset.min(b.len());
        while end < b.len() && is_word_byte(b[end]) {
            end += 1;
        }
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        (start < end && !in_comment_or_string(&self.text[line_start..start]))
            .then(|| Span::new(start, end))
    }

    /// The statement around an offset, with the stage block it is in.
    fn statement_at(
        &self,
        offset: usize,
    ) -> Option<(Option<&crate::syntax::ast::Stage>, &Statement)> {
        let within = |s: Span| s.start as usize <= offset && offset <= s.end as usize;
        for item in &self.compiled.ast.items {
            match item {
                Item::Statement(s) if within(s.span) => return Some((None, s)),
                Item::Stage(st) => {
                    if let Some(s) = st.body.iter().find(|s| within(s.span)) {
                        return Some((Some(st), s));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// What the cursor is on, and the span of the word.
    pub(super) fn at(&self, pos: Position) -> Option<(At<'_>, Span)> {
        let offset = self.offset(pos);
        let word = self.word_at(offset)?;
        let text = &self.text[word.range()];
        let on = |s: Span| covers(s, word);
        if let Some(info) = code_word(text) {
            return Some((At::Code(info), word));
        }
        let Some((stage, stmt)) = self.statement_at(offset) else {
            // A line that did not parse, or a stage header: keywords still explain themselves.
            return keywords::lookup(text, None).map(|k| (At::Keyword(k), word));
        };
        let model = self.model_of(stage);
        let at = match &stmt.stmt {
            Stmt::Component(c) => in_component(c, text, word, model)?,
            Stmt::Drop { kind, name } => {
                // What is dropped is seen as it was: in the stage before.
                let before = self.model_before(stage).unwrap_or(model);
                match name {
                    Some(n) if on(n.span) => component(kind.node, &n.node, before),
                    None if on(kind.span) => component(kind.node, kind.node.keyword(), before),
                    _ => At::Keyword(keywords::lookup(text, Some("drop"))?),
                }
            }
            Stmt::System(_) => At::Keyword(keywords::lookup(text, Some("system"))?),
            Stmt::Region(_) => At::Keyword(keywords::lookup(text, Some("region"))?),
            Stmt::Accept(_) => At::Keyword(keywords::lookup(text, None)?),
            Stmt::Traffic(_) => {
                if text == "traffic" {
                    // The keyword's meaning, then the load as resolved,
                    // defaults filled.
                    At::Component {
                        kind: Kind::Traffic,
                        name: "traffic".to_string(),
                        model,
                        keyword: keywords::lookup("traffic", None),
                    }
                } else {
                    At::Keyword(keywords::lookup(text, Some("traffic"))?)
                }
            }
            Stmt::Datacenters { .. } => {
                if text == "datacenters" {
                    component(Kind::Datacenters, "datacenters", model)
                } else {
                    At::Keyword(keywords::lookup(text, Some("datacenters"))?)
                }
            }
        };
        Some((at, word))
    }

    pub fn hover(&self, pos: Position) -> Option<Hover> {
        let (at, word) = self.at(pos)?;
        let value = match at {
            At::Keyword(k) => keywords::markdown(k),
            At::Code(c) => format!("**{}**: {}\n\n{}", c.code, c.title, c.explanation),
            At::Component {
                kind,
                name,
                model,
                keyword,
            } => {
                let mut s = keyword
                    .map(|k| keywords::markdown(k) + "\n\n---\n\n")
                    .unwrap_or_default();
                s.push_str(&self.component_markdown(model, kind, &name));
                s
            }
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(self.range(word)),
        })
    }

    /// The declaration of the component under the cursor, in the stage in
    /// effect there (for `drop`, the stage before).
    pub fn definition(&self, pos: Position) -> Option<Location> {
        let (
            At::Component {
                kind, name, model, ..
            },
            _,
        ) = self.at(pos)?
        else {
            return None;
        };
        let span = match find(model, kind, &name) {
            Some((_, origin)) => origin.span,
            // Dropped in the first stage: declared before any stage.
            None => self.top_level_declaration(kind, &name)?,
        };
        Some(self.location(span))
    }

    fn top_level_declaration(&self, kind: Kind, name: &str) -> Option<Span> {
        self.compiled.ast.items.iter().rev().find_map(|i| match i {
            Item::Statement(s) => match &s.stmt {
                Stmt::Component(c)
                    if c.kind.node == kind
                        && c.name.as_ref().map_or(kind.keyword(), |n| n.node.as_str()) == name =>
                {
                    Some(s.span)
                }
                _ => None,
            },
            Item::Stage(_) => None,
        })
    }

    fn component_markdown(&self, model: &Model, kind: Kind, name: &str) -> String {
        let staged = self.compiled.design.stages.len() > 1
            || self
                .compiled
                .ast
                .items
                .iter()
                .any(|i| matches!(i, Item::Stage(_)));
        let mut s = format!("**{} `{name}`**", kind.keyword());
        if staged {
            s.push_str(&format!(" in stage `{}`", model.stage));
        }
        s.push_str("\n\n");
        let Some((value, origin)) = find(model, kind, name) else {
            s.push_str(&format!(
                "There is no {} named `{name}` in {}.",
                kind.keyword(),
                if staged {
                    format!("stage `{}`", model.stage)
                } else {
                    "this design".into()
                }
            ));
            return s;
        };
        let line = self
            .index
            .position(&self.text, origin.span.start as usize)
            .line
            + 1;
        let wrote = match (&origin.stage, origin.implicit) {
            (_, true) => format!("Created with defaults by the reference on line {line}."),
            (Some(st), _) if *st != model.stage => {
                format!("Inherited: written by stage `{st}`, line {line}.")
            }
            (Some(_), _) => format!("Written by this stage, line {line}."),
            (None, _) if staged => format!("Written before the first stage, line {line}."),
            (None, _) => format!("Declared on line {line}."),
        };
        s.push_str(&wrote);
        s.push_str("\n\n");
        if let Some(obj) = value.as_object() {
            for (k, v) in obj {
                if k == "name" || k == "origin" {
                    continue;
                }
                s.push_str(&format!("- `{k}`: {}\n", render(v)));
            }
        }
        s
    }
}

/// The word `word` lies within `s`.
fn covers(s: Span, word: Span) -> bool {
    s.start <= word.start && word.end <= s.end
}

fn component<'d>(kind: Kind, name: &str, model: &'d Model) -> At<'d> {
    At::Component {
        kind,
        name: name.to_string(),
        model,
        keyword: None,
    }
}

/// What `word` (its text `text`) is in a component statement: its kind word,
/// its name, a component one of its clauses refers to, or a keyword.
fn in_component<'d>(c: &Component, text: &str, word: Span, model: &'d Model) -> Option<At<'d>> {
    let kind = c.kind.node;
    let own_name = c.name.as_ref().map_or(kind.keyword(), |n| n.node.as_str());
    if covers(c.kind.span, word) {
        let kw = keywords::lookup(text, None);
        // An unnamed component is named by its kind word: show both.
        return Some(if c.name.is_none() {
            At::Component {
                kind,
                name: own_name.to_string(),
                model,
                keyword: kw,
            }
        } else {
            At::Keyword(kw?)
        });
    }
    if c.name.as_ref().is_some_and(|n| covers(n.span, word)) {
        return Some(component(kind, own_name, model));
    }
    let clause = c.clauses.iter().find(|cl| covers(cl.span, word));
    let reference = clause.and_then(|cl| reference(&cl.node, text, word, model, own_name));
    Some(match reference {
        Some((kind, name)) => component(kind, &name, model),
        None => At::Keyword(keywords::lookup(text, Some(kind.keyword()))?),
    })
}

/// The component a clause of web `own_name` refers to, when `word` is its
/// reference. An unnamed reference (`behind lb`, `sessions in cache`) is
/// resolved the way the model resolved it.
fn reference(
    clause: &Clause,
    text: &str,
    word: Span,
    model: &Model,
    own_name: &str,
) -> Option<(Kind, String)> {
    match clause {
        Clause::Behind(name) => match name {
            Some(n) if covers(n.span, word) => Some((Kind::Lb, n.node.clone())),
            None if text == "lb" => {
                let lb = web(model, own_name).and_then(|w| w.lb.clone());
                Some((Kind::Lb, lb.unwrap_or_else(|| "lb".into())))
            }
            _ => None,
        },
        Clause::Sessions { kind: store, name } => {
            let kind = store_kind(*store);
            match name {
                Some(n) if covers(n.span, word) => Some((kind, n.node.clone())),
                None if text == kind.keyword() => web(model, own_name)
                    .and_then(|w| w.sessions.as_ref())
                    .map(|s| (kind, s.name.clone())),
                _ => None,
            }
        }
        Clause::Consumes(n) if covers(n.span, word) => Some((Kind::Queue, n.node.clone())),
        _ => None,
    }
}

fn web<'m>(model: &'m Model, name: &str) -> Option<&'m crate::model::Web> {
    model.webs.iter().find(|w| w.name == name)
}

fn store_kind(k: StoreKind) -> Kind {
    match k {
        StoreKind::Cache => Kind::Cache,
        StoreKind::Db => Kind::Db,
        StoreKind::Nosql => Kind::Nosql,
    }
}

/// A component of a model as JSON (the shape `archc model` prints), with its origin.
pub(super) fn find<'m>(
    model: &'m Model,
    kind: Kind,
    name: &str,
) -> Option<(serde_json::Value, &'m Origin)> {
    fn pick<'m, T: serde::Serialize>(
        items: &'m [T],
        f: impl Fn(&'m T) -> (&'m str, &'m Origin),
        name: &str,
    ) -> Option<(serde_json::Value, &'m Origin)> {
        items
            .iter()
            .find(|i| f(i).0 == name)
            .map(|i| (serde_json::to_value(i).expect("models serialise"), f(i).1))
    }
    match kind {
        Kind::Web => pick(&model.webs, |c| (&c.name, &c.origin), name),
        Kind::Lb => pick(&model.lbs, |c| (&c.name, &c.origin), name),
        Kind::Db => pick(&model.dbs, |c| (&c.name, &c.origin), name),
        Kind::Cache => pick(&model.caches, |c| (&c.name, &c.origin), name),
        Kind::Cdn => pick(&model.cdns, |c| (&c.name, &c.origin), name),
        Kind::Nosql => pick(&model.nosqls, |c| (&c.name, &c.origin), name),
        Kind::Queue => pick(&model.queues, |c| (&c.name, &c.origin), name),
        Kind::Worker => pick(&model.workers, |c| (&c.name, &c.origin), name),
        Kind::Datacenters => model.datacenters.as_ref().map(|d| {
            (
                serde_json::to_value(d).expect("models serialise"),
                &d.origin,
            )
        }),
        Kind::Logs => model.logs.as_ref().map(|o| (serde_json::json!({}), o)),
        Kind::Traffic => model.traffic.as_ref().map(|t| {
            (
                serde_json::to_value(t).expect("models serialise"),
                &t.origin,
            )
        }),
        Kind::Metrics => model.metrics.as_ref().map(|o| (serde_json::json!({}), o)),
    }
}

/// A setting's value on one line.
fn render(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "none".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("`{s}`"),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => a.iter().map(render).collect::<Vec<_>>().join(", "),
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{k} {}", render(v)))
                .collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// The registered diagnostic a word names, when it is written like a code
/// (`W0304`); no other word of the language looks like one.
fn code_word(text: &str) -> Option<&'static crate::diag::CodeInfo> {
    let digits = text.get(1..)?;
    let code_like = text.len() == 5
        && text.starts_with(['W', 'E', 'w', 'e'])
        && digits.bytes().all(|b| b.is_ascii_digit());
    code_like.then(|| crate::diag::lookup(text)).flatten()
}
