//! Applies stages in order and turns each stage's statements into a `Model`.
//!
//! Each stage starts from the one before it (the first from the statements before
//! any stage). A statement for the same kind and name replaces that component
//! whole; `drop` removes one. References (`behind lb`, `consumes`, `sessions in`)
//! are resolved per stage, after the stage's statements are applied.
//!
//! The steps, a file each: [`apply`] adds one statement to the declarations a
//! stage sees; [`build`] turns a stage's declarations into its model, one
//! component at a time, each kind read from its clauses in [`front`] (web
//! tiers, load balancers, CDNs), [`data`] (databases, caches, NoSQL stores) or
//! [`jobs`] (queues, workers), with the clause lookups of [`clauses`]; [`link`]
//! then resolves the references between them.

mod apply;
mod build;
mod clauses;
mod data;
mod front;
mod jobs;
mod link;
mod regions;
mod replace;

use super::defaults::*;
use super::types::*;
use crate::diag::Diagnostic;
use crate::span::{LineStarts, Span, Spanned};
use crate::syntax::ast::{self, Item, Kind, Stmt};
use indexmap::IndexMap;
use std::collections::HashMap;

/// A component as declared, with the stage that wrote it.
#[derive(Clone)]
struct Decl<'a> {
    comp: Option<&'a ast::Component>,
    datacenters: Option<(&'a [Spanned<String>], bool)>,
    traffic: Option<&'a ast::Traffic>,
    span: Span,
    stage: Option<String>,
}

type State<'a> = IndexMap<(Kind, String), Decl<'a>>;

/// Resolves a parsed file into one model per stage. `text` is the source the
/// file was parsed from: origins record the line of their statement.
pub fn resolve(file: &ast::SourceFile, source_name: &str, text: &str) -> (Design, Vec<Diagnostic>) {
    let mut r = Resolver {
        diags: Vec::new(),
        system: None,
        region: None,
        dropped: HashMap::new(),
    };
    let (base, stages) = r.before_stages(file);
    let system = r
        .system
        .clone()
        .unwrap_or_else(|| system_from_file(source_name));
    let region = r
        .region
        .clone()
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let ctx = Ctx {
        system: &system,
        region: &region,
        source_name,
        text,
        staged: !stages.is_empty(),
        line_starts: LineStarts::new(text),
    };
    let models = r.stage_models(&ctx, base, &stages);
    let design = Design {
        source_name: source_name.to_string(),
        stages: models,
    };
    (design, r.diags)
}

/// The default system name: the file's stem, made into a valid name.
fn system_from_file(source_name: &str) -> String {
    let stem = std::path::Path::new(source_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("system");
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_string();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "sys-");
    }
    name.truncate(MAX_SYSTEM_LEN);
    name.trim_end_matches('-').to_string()
}

const MAX_SYSTEM_LEN: usize = 24;

struct Ctx<'c> {
    system: &'c str,
    region: &'c str,
    source_name: &'c str,
    /// The source, for quoting clauses in messages.
    text: &'c str,
    staged: bool,
    line_starts: LineStarts,
}

impl Ctx<'_> {
    /// The 1-based line on which `span` starts.
    fn line(&self, span: Span) -> u32 {
        self.line_starts.line_of(span.start as usize) as u32 + 1
    }
}

struct Resolver {
    diags: Vec<Diagnostic>,
    system: Option<String>,
    region: Option<String>,
    /// Components a stage dropped and no later statement declared again: a
    /// reference to one of them points at the `drop` that removed it.
    dropped: Dropped,
}

/// The `drop` statement that removed a component, and its stage.
type Dropped = HashMap<(Kind, String), (Span, String)>;

/// How a statement for this component starts: `web`, or `web api`.
fn named(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}

fn decl_name(kind: Kind, name: Option<&Spanned<String>>) -> String {
    name.map_or_else(|| kind.keyword().to_string(), |n| n.node.clone())
}

impl Resolver {
    /// Applies the statements before the first stage (the base every stage
    /// starts from) and collects the stages. After the first stage only
    /// `system`, `region` and `accept` (all three about the whole file) may
    /// stand outside one.
    fn before_stages<'a>(&mut self, file: &'a ast::SourceFile) -> (State<'a>, Vec<&'a ast::Stage>) {
        let mut base: State = IndexMap::new();
        let mut base_seen: IndexMap<(Kind, String), Span> = IndexMap::new();
        let mut stages: Vec<&ast::Stage> = Vec::new();
        for item in &file.items {
            match item {
                Item::Statement(s) => {
                    if let Some(first) = stages.first() {
                        let whole_file =
                            matches!(s.stmt, Stmt::System(_) | Stmt::Region(_) | Stmt::Accept(_));
                        if !whole_file {
                            self.diags.push(
                                Diagnostic::new(
                                    "E0009",
                                    s.span,
                                    "statements outside a stage go before the first stage",
                                )
                                .primary("after the stages")
                                .label(first.open, "the first stage starts here")
                                .help(
                                    "move it before the first stage, or into the stage it belongs to",
                                ),
                            );
                            continue;
                        }
                    }
                    self.apply(&mut base, &mut base_seen, s, None);
                }
                Item::Stage(st) => stages.push(st),
            }
        }
        (base, stages)
    }

    /// One model per stage, each stage applied on top of the one before; a
    /// file without stages is one stage of its own.
    fn stage_models(&mut self, ctx: &Ctx, base: State, stages: &[&ast::Stage]) -> Vec<Model> {
        let mut models = Vec::new();
        if stages.is_empty() {
            models.push(self.build(ctx, &base, SINGLE_STAGE, 0));
            return models;
        }
        let mut seen_stages: IndexMap<&str, Span> = IndexMap::new();
        let mut state = base;
        for (i, st) in stages.iter().enumerate() {
            if let Some(first) = seen_stages.get(st.name.node.as_str()) {
                self.diags.push(
                    Diagnostic::new(
                        "E0102",
                        st.name.span,
                        format!("stage `{}` is declared twice", st.name.node),
                    )
                    .primary("second declaration")
                    .label(*first, "first declared here")
                    .help("give each stage its own name"),
                );
                continue;
            }
            seen_stages.insert(&st.name.node, st.name.span);
            let mut seen = IndexMap::new();
            for s in &st.body {
                let before = replaced(&state, s);
                self.apply(&mut state, &mut seen, s, Some(&st.name.node));
                if let (Some(old), Stmt::Component(new)) = (before, &s.stmt) {
                    let applied = state.values().any(|d| d.span == s.span);
                    if applied {
                        let old_stage = old.stage.as_deref();
                        let old = old.comp.expect("a component replaces a component");
                        self.report_lost_settings(ctx, old, old_stage, new, s.span, &st.name.node);
                    }
                }
            }
            models.push(self.build(ctx, &state, &st.name.node, i));
        }
        models
    }
}

/// The declaration a component statement `s` would replace, if any.
fn replaced<'a>(state: &State<'a>, s: &ast::Statement) -> Option<Decl<'a>> {
    let Stmt::Component(c) = &s.stmt else {
        return None;
    };
    let decl = state.get(&(c.kind.node, decl_name(c.kind.node, c.name.as_ref())))?;
    decl.comp.is_some().then(|| decl.clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_carry_the_line_of_their_statement_or_reference() {
        let text = "# a design\nsystem s\n\nstage one {\n  db postgres\n  web x2 behind lb\n}\nstage two {\n\n  cache redis\n}\n";
        let c = crate::compile("s.arch", text);
        assert!(!c.has_errors());
        let two = c.design.stage("two").unwrap();
        let line = |kind: &str| {
            two.components()
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.origin.line)
        };
        // Inherited components keep their line; the implicit lb is on its reference's.
        assert_eq!(line("db"), Some(5));
        assert_eq!(line("web"), Some(6));
        assert_eq!(line("lb"), Some(6));
        assert_eq!(line("cache"), Some(10));
    }
}
