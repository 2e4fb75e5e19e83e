//! Completion: the words that may come next in the statement under the cursor.
//!
//! Read from the text before the cursor, not from the syntax tree, because the
//! statement being typed does not parse yet. Names come from the model of the
//! stage the cursor is in.

use super::{in_comment_or_string, is_word_byte, kind_of_word, Document};
use crate::keywords;
use crate::model::Model;
use crate::span::Span;
use crate::syntax::ast::{Item, Kind, Stmt, KIND_WORDS};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, TextEdit,
};

const COMPONENT_KINDS: [&str; 8] = [
    "web", "lb", "db", "cache", "cdn", "nosql", "queue", "worker",
];

struct Out<'d> {
    doc: &'d Document,
    /// The partial word being typed, replaced by the completion.
    replace: Span,
    context: Option<&'static str>,
    items: Vec<CompletionItem>,
}

impl Out<'_> {
    fn keyword(&mut self, word: &str) {
        let k = keywords::lookup(word, self.context);
        self.push(CompletionItem {
            label: word.to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            detail: k.map(|k| k.role.to_string()),
            documentation: k.map(|k| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: keywords::markdown(k),
                })
            }),
            ..Default::default()
        });
    }

    fn names(&mut self, model: &Model, kind: Kind) {
        for c in model.components() {
            if c.kind == kind.keyword() {
                self.push(CompletionItem {
                    label: c.name.to_string(),
                    kind: Some(CompletionItemKind::REFERENCE),
                    detail: Some(format!("{} in stage {}", c.kind, model.stage)),
                    ..Default::default()
                });
            }
        }
    }

    /// The components of `kind` declared outside any stage.
    fn top_level_names(&mut self, doc: &Document, kind: Kind) {
        for item in &doc.compiled.ast.items {
            if let Item::Statement(s) = item {
                if let Stmt::Component(c) = &s.stmt {
                    if c.kind.node == kind {
                        let name = c.name.as_ref().map_or(kind.keyword(), |n| n.node.as_str());
                        self.push(CompletionItem {
                            label: name.to_string(),
                            kind: Some(CompletionItemKind::REFERENCE),
                            detail: Some(format!(
                                "{} declared before the first stage",
                                kind.keyword()
                            )),
                            ..Default::default()
                        });
                    }
                }
            }
        }
    }

    fn push(&mut self, mut item: CompletionItem) {
        if self.items.iter().any(|i| i.label == item.label) {
            return;
        }
        item.text_edit = Some(CompletionTextEdit::Edit(TextEdit::new(
            self.doc.range(self.replace),
            item.label.clone(),
        )));
        self.items.push(item);
    }
}

impl Document {
    pub fn completion(&self, pos: Position) -> Vec<CompletionItem> {
        let offset = self.offset(pos);
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        if in_comment_or_string(&before[line_start..]) {
            return Vec::new();
        }
        let stmt_start = before.rfind(['\n', ';', '{']).map_or(0, |i| i + 1);
        let prefix = &before[stmt_start..];
        let partial = prefix.len()
            - prefix
                .trim_end_matches(|c: char| c.is_ascii() && is_word_byte(c as u8))
                .len();
        let words: Vec<&str> = prefix[..prefix.len() - partial]
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let stage = self.stage_at(offset);
        let model = self.model_of(stage);
        let mut out = Out {
            doc: self,
            replace: Span::new(offset - partial, offset),
            context: None,
            items: Vec::new(),
        };
        let last = words.last().copied().unwrap_or("");
        let prev = words.len().checked_sub(2).map_or("", |i| words[i]);
        match words.first().copied() {
            None => {
                let starts: &[&str] = if stage.is_some() {
                    &["datacenters", "logs", "metrics", "traffic", "drop"]
                } else {
                    &[
                        "system",
                        "region",
                        "datacenters",
                        "logs",
                        "metrics",
                        "traffic",
                        "stage",
                    ]
                };
                for w in COMPONENT_KINDS.iter().chain(starts) {
                    out.keyword(w);
                }
            }
            Some("drop") => match words.len() {
                1 => KIND_WORDS.iter().for_each(|w| out.keyword(w)),
                2 => match (kind_of_word(last), self.model_before(stage)) {
                    (Some(kind), Some(before)) => out.names(before, kind),
                    // The first stage drops what was declared before any stage.
                    (Some(kind), None) if stage.is_some() => out.top_level_names(self, kind),
                    _ => {}
                },
                _ => {}
            },
            Some("traffic") => {
                out.context = Some("traffic");
                traffic_words(&mut out, &words, last, prev);
            }
            Some("datacenters") => {
                out.context = Some("datacenters");
                match last {
                    "via" => out.keyword("geodns"),
                    "datacenters" | "geodns" => {}
                    _ => out.keyword("via"),
                }
            }
            Some(first) => {
                if let Some(kind) = kind_of_word(first) {
                    out.context = Some(kind.keyword());
                    clause_words(&mut out, model, kind, &words, last, prev);
                }
            }
        }
        out.items
    }
}

/// `traffic N users, N requests per user, peak Nx, reads N%, SIZE per response`:
/// the word a number asks for, else the clauses not written yet.
fn traffic_words(out: &mut Out, words: &[&str], last: &str, prev: &str) {
    let number = |w: &str| w.starts_with(|c: char| c.is_ascii_digit());
    let size = |w: &str| number(w) && ["kb", "mb", "gb", "tb"].iter().any(|u| w.ends_with(u));
    match (prev, last) {
        (_, "requests" | "request") => out.keyword("per"),
        ("requests" | "request", "per") => out.keyword("user"),
        (_, "per") => out.keyword("response"),
        (_, "peak" | "reads") => {}
        (_, w) if size(w) && !matches!(prev, "peak" | "reads") => out.keyword("per"),
        ("traffic", w) if number(w) => out.keyword("users"),
        (p, w) if number(w) && !matches!(p, "peak" | "reads") => out.keyword("requests"),
        _ => {
            for w in ["peak", "reads"] {
                if !words.contains(&w) {
                    out.keyword(w);
                }
            }
        }
    }
}

fn clause_words(out: &mut Out, model: &Model, kind: Kind, words: &[&str], last: &str, prev: &str) {
    match (prev, last) {
        (_, "behind") => out.keyword("lb"),
        ("behind", "lb") => out.names(model, Kind::Lb),
        (_, "sessions") => out.keyword("in"),
        ("sessions", "in") => ["cache", "db", "nosql"].iter().for_each(|w| out.keyword(w)),
        ("in", store @ ("cache" | "db" | "nosql")) => {
            out.names(model, kind_of_word(store).expect("a kind"))
        }
        (_, "consumes") => out.names(model, Kind::Queue),
        (_, "size") => ["small", "medium", "large", "xlarge"]
            .iter()
            .for_each(|w| out.keyword(w)),
        (_, "evict") => ["lru", "lfu", "none"].iter().for_each(|w| out.keyword(w)),
        (_, "sharded") => out.keyword("by"),
        (_, "at") => out.keyword("cpu"),
        ("with", _) => out.keyword("replicas"),
        // A value comes next.
        ("capacity", n) if n.starts_with(|c: char| c.is_ascii_digit()) => {
            if let Some(unit) = crate::syntax::capacity_unit_of(kind) {
                out.keyword(unit.as_str());
            }
        }
        (_, "capacity" | "hits")
        | (_, "autoscale" | "by" | "port" | "image" | "health" | "ttl" | "memory" | "storage")
        | (_, "env" | "secret" | "label")
        | (_, "for" | "cpu" | "with") => {}
        ("autoscale", range) if range.contains("..") => {
            out.keyword("at");
            rest(out, kind, words);
        }
        _ => rest(out, kind, words),
    }
}

/// The kind's clause words not written yet, leaving out the alternatives to
/// one already written (a second engine, method or state is E0003).
fn rest(out: &mut Out, kind: Kind, words: &[&str]) {
    let written = |w: &&str| words[1..].contains(w);
    for w in kind.clause_words() {
        let taken = alternatives(kind)
            .iter()
            .any(|group| group.contains(w) && group.iter().any(written));
        if !written(w) && !taken {
            out.keyword(w);
        }
    }
}

/// Groups of clause words of which a statement takes at most one.
fn alternatives(kind: Kind) -> &'static [&'static [&'static str]] {
    match kind {
        Kind::Web => &[&["stateless", "stateful"]],
        Kind::Lb => &[
            &["nginx", "haproxy"],
            &["round-robin", "least-conn", "ip-hash"],
        ],
        Kind::Db => &[&["postgres", "mysql"]],
        Kind::Cache => &[&["redis", "memcached"]],
        Kind::Nosql => &[&["dynamodb", "mongodb"]],
        Kind::Queue => &[&["rabbitmq", "redis", "sqs"]],
        _ => &[],
    }
}
