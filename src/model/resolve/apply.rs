//! Applying one statement to the declarations a stage sees: `system` and
//! `region` set the file's settings, `drop` removes a declaration, and a
//! component or `datacenters` statement replaces the declaration of the same
//! kind and name. A second statement for one component in the same stage (or
//! before the stages) is reported rather than applied.

use super::{decl_name, Decl, Resolver, State};
use crate::diag::{nearest, Diagnostic};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{self, Kind, Stmt};
use indexmap::IndexMap;

/// What one stage (or the part before the stages) has declared so far, with
/// the statement that declared it.
type Seen = IndexMap<(Kind, String), Span>;

impl Resolver {
    /// Applies `s`, a statement of `stage` (`None` before the stages).
    pub(super) fn apply<'a>(
        &mut self,
        state: &mut State<'a>,
        seen: &mut Seen,
        s: &'a ast::Statement,
        stage: Option<&str>,
    ) {
        let (key, decl) = match &s.stmt {
            Stmt::System(n) | Stmt::Region(n) => {
                self.file_setting(s, n, stage);
                return;
            }
            Stmt::Drop { kind, name } => {
                self.drop_declaration(state, seen, s, kind, name.as_ref(), stage);
                return;
            }
            // Accepted warnings change no model: `check::accept` applies them.
            Stmt::Accept(_) => return,
            Stmt::Datacenters { regions, geodns } => {
                self.check_datacenters(regions);
                (
                    (Kind::Datacenters, Kind::Datacenters.keyword().to_string()),
                    Decl {
                        comp: None,
                        datacenters: Some((regions.as_slice(), *geodns)),
                        traffic: None,
                        span: s.span,
                        stage: stage.map(str::to_string),
                    },
                )
            }
            Stmt::Traffic(t) => (
                (Kind::Traffic, Kind::Traffic.keyword().to_string()),
                Decl {
                    comp: None,
                    datacenters: None,
                    traffic: Some(t),
                    span: s.span,
                    stage: stage.map(str::to_string),
                },
            ),
            Stmt::Component(c) => (
                (c.kind.node, decl_name(c.kind.node, c.name.as_ref())),
                Decl {
                    comp: Some(c),
                    datacenters: None,
                    traffic: None,
                    span: s.span,
                    stage: stage.map(str::to_string),
                },
            ),
        };
        if let Some(first) = seen.get(&key) {
            self.declared_twice(&key, s.span, *first, stage);
            return;
        }
        seen.insert(key.clone(), s.span);
        self.dropped.remove(&key);
        state.insert(key, decl);
    }

    /// `system NAME` or `region NAME`: once, before the stages.
    fn file_setting(&mut self, s: &ast::Statement, n: &Spanned<String>, stage: Option<&str>) {
        let is_system = matches!(s.stmt, Stmt::System(_));
        let word = if is_system { "system" } else { "region" };
        if stage.is_some() {
            self.diags.push(
                Diagnostic::new(
                    "E0009",
                    s.span,
                    format!("`{word}` describes the whole file, not one stage"),
                )
                .primary("inside a stage")
                .help(format!("move `{word}` before the first stage")),
            );
            return;
        }
        if !is_system {
            self.check_region(n);
        }
        let slot = if is_system {
            &mut self.system
        } else {
            &mut self.region
        };
        if slot.is_some() {
            self.diags.push(
                Diagnostic::new("E0101", s.span, format!("`{word}` is declared twice"))
                    .primary("second declaration")
                    .help("keep one"),
            );
            return;
        }
        *slot = Some(n.node.clone());
    }

    /// `drop KIND [NAME]`: removes an inherited declaration and remembers the
    /// statement, for the references that still name it.
    fn drop_declaration(
        &mut self,
        state: &mut State,
        seen: &mut Seen,
        s: &ast::Statement,
        kind: &Spanned<Kind>,
        name: Option<&Spanned<String>>,
        stage: Option<&str>,
    ) {
        let key = (kind.node, decl_name(kind.node, name));
        let Some(stage) = stage else {
            self.diags.push(
                Diagnostic::new("E0009", s.span, "`drop` only works inside a stage")
                    .primary("outside any stage")
                    .help("outside stages there is nothing inherited to drop: delete the declaration instead"),
            );
            return;
        };
        if state.shift_remove(&key).is_some() {
            self.dropped
                .insert(key.clone(), (s.span, stage.to_string()));
        } else {
            self.diags.push(nothing_to_drop(state, s.span, &key));
        }
        seen.insert(key, s.span);
    }

    /// E0101: the component `key` is declared again at `span` in one stage.
    fn declared_twice(
        &mut self,
        key: &(Kind, String),
        span: Span,
        first: Span,
        stage: Option<&str>,
    ) {
        let what = match key.0 {
            Kind::Logs | Kind::Metrics | Kind::Datacenters | Kind::Traffic => {
                format!("`{}`", key.0.keyword())
            }
            k => format!("{} `{}`", k.keyword(), key.1),
        };
        let scope = stage.map_or("in this file".to_string(), |st| format!("in stage `{st}`"));
        self.diags.push(
            Diagnostic::new("E0101", span, format!("{what} is declared twice {scope}"))
                .primary("second declaration")
                .label(first, "first declared here")
                .help("merge the two into one statement; to change it later, redeclare it in a later stage"),
        );
    }
}

/// E0103: `drop` at `span` names `key`, which the stage does not have; the
/// help names the nearest one of its kind, or lists them.
fn nothing_to_drop(state: &State, span: Span, key: &(Kind, String)) -> Diagnostic {
    let kind = key.0;
    let d = Diagnostic::new(
        "E0103",
        span,
        format!("there is no {} named `{}` to drop", kind.keyword(), key.1),
    )
    .primary("nothing to drop");
    let same_kind: Vec<&str> = state
        .keys()
        .filter(|k| k.0 == kind)
        .map(|k| k.1.as_str())
        .collect();
    d.help(if let Some(n) = nearest(&key.1, same_kind.iter().copied()) {
        format!("did you mean `drop {} {n}`?", kind.keyword())
    } else if same_kind.is_empty() {
        format!(
            "this stage has no {} to drop (none was declared before it, or it was dropped already): remove this line",
            kind.keyword()
        )
    } else {
        format!(
            "this stage has {}; drop one of those, or remove this line",
            same_kind
                .iter()
                .map(|n| format!("`{} {n}`", kind.keyword()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}
