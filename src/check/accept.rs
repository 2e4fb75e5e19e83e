//! Warnings a design takes on purpose: `accept CODE "REASON"` (W0311,
//! W0312). Where it is written decides what it covers:
//!
//! - at top level: that code everywhere in the file;
//! - as a statement inside a stage: that code in that stage only (a warning
//!   found in several stages stays a warning in the others);
//! - after a component statement: that code where it points into the
//!   statement, in every stage that inherits it; a later statement that
//!   replaces the component drops the accept with the rest.
//!
//! An accepted warning keeps its place and text and gets the reason; the
//! renderers show it as accepted and `--deny-warnings` does not count it. An
//! accept that cannot apply (an unknown code, an error) or applies to nothing
//! is itself a warning, so that stale ones are found.

use crate::diag::{self, nearest, Diagnostic, Severity, CODES};
use crate::span::Span;
use crate::syntax::ast::{Accept, Item, SourceFile, Statement, Stmt};

/// What one accept covers.
enum Scope<'a> {
    File,
    /// A stage, by name, and its block (for warnings found while parsing,
    /// which have no stage).
    Stage(&'a str, Span),
    /// The words of one statement.
    Statement(Span),
}

struct Rule<'a> {
    accept: &'a Accept,
    /// The registered code (`lookup` takes `w0304` too).
    code: &'static str,
    scope: Scope<'a>,
    used: bool,
}

impl Rule<'_> {
    /// The stages of `d` this rule accepts: all of them (`None`), some, or
    /// none (an empty list).
    fn covers(&self, d: &Diagnostic) -> Option<Vec<String>> {
        if d.code != self.code {
            return Some(Vec::new());
        }
        let inside = |s: Span| d.span.start >= s.start && d.span.end <= s.end;
        match self.scope {
            Scope::File => None,
            Scope::Statement(s) if inside(s) => None,
            Scope::Statement(_) => Some(Vec::new()),
            Scope::Stage(name, block) => {
                if d.stages.iter().any(|s| s == name) {
                    Some(vec![name.to_string()])
                } else if d.stages.is_empty() && inside(block) {
                    None
                } else {
                    Some(Vec::new())
                }
            }
        }
    }
}

/// Marks the warnings the design accepts, splits one accepted in some of
/// its stages only, and reports accepts that cannot apply or apply to nothing.
pub fn apply(file: &SourceFile, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    for (accept, scope) in accepts(file) {
        if accept.reason.node.trim().is_empty() {
            continue; // E0215 already; an accept without a reason accepts nothing
        }
        if let Some(code) = registered(accept, &mut problems) {
            rules.push(Rule {
                accept,
                code,
                scope,
                used: false,
            });
        }
    }
    if rules.is_empty() && problems.is_empty() {
        return diags;
    }
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        out.extend(accept_one(&mut rules, d));
    }
    for r in rules.iter().filter(|r| !r.used) {
        problems.push(stale(r));
    }
    out.extend(problems);
    diag::sort_and_merge(out)
}

/// `d`, accepted where a rule covers it: whole, or split into the stages
/// accepted and the others.
fn accept_one(rules: &mut [Rule], mut d: Diagnostic) -> Vec<Diagnostic> {
    if d.severity != Severity::Warning {
        return vec![d];
    }
    let mut whole: Option<String> = None;
    let mut stages: Vec<(String, String)> = Vec::new();
    for r in rules.iter_mut() {
        match r.covers(&d) {
            None => {
                r.used = true;
                whole.get_or_insert_with(|| r.accept.reason.node.clone());
            }
            Some(s) if !s.is_empty() => {
                r.used = true;
                stages.extend(s.into_iter().map(|s| (s, r.accept.reason.node.clone())));
            }
            Some(_) => {}
        }
    }
    if let Some(reason) = whole {
        d.accepted = Some(reason);
        return vec![d];
    }
    if stages.is_empty() {
        return vec![d];
    }
    let mut reasons: Vec<&str> = stages.iter().map(|(_, r)| r.as_str()).collect();
    reasons.dedup();
    let reason = reasons.join("; ");
    let (taken, left): (Vec<String>, Vec<String>) = d
        .stages
        .iter()
        .cloned()
        .partition(|s| stages.iter().any(|(a, _)| a == s));
    if left.is_empty() {
        d.accepted = Some(reason);
        return vec![d];
    }
    let mut accepted = d.clone();
    accepted.stages = taken;
    accepted.accepted = Some(reason);
    d.stages = left;
    // What still needs attention first.
    vec![d, accepted]
}

/// Every accept in the file with what it covers, in file order.
fn accepts(file: &SourceFile) -> Vec<(&Accept, Scope<'_>)> {
    fn statement<'a>(s: &'a Statement, out: &mut Vec<(&'a Accept, Scope<'a>)>) {
        out.extend(s.accepts.iter().map(|a| (a, Scope::Statement(s.span))));
    }
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            Item::Statement(s) => {
                if let Stmt::Accept(a) = &s.stmt {
                    out.push((a, Scope::File));
                }
                statement(s, &mut out);
            }
            Item::Stage(st) => {
                let block = Span {
                    start: st.open.start,
                    end: st.close.end,
                };
                for s in &st.body {
                    if let Stmt::Accept(a) = &s.stmt {
                        out.push((a, Scope::Stage(&st.name.node, block)));
                    }
                    statement(s, &mut out);
                }
            }
        }
    }
    out
}

/// The registered warning an accept names; `None`, with W0311 saying why
/// it cannot be accepted pushed to `problems`, when there is none.
fn registered(a: &Accept, problems: &mut Vec<Diagnostic>) -> Option<&'static str> {
    let written = &a.code.node;
    let mut cannot = |message: String, help: String| {
        problems.push(
            Diagnostic::new("W0311", a.code.span, message)
                .primary("cannot be accepted")
                .help(help),
        );
        None
    };
    match diag::lookup(written) {
        None => {
            let upper = written.to_ascii_uppercase();
            let warnings = CODES
                .iter()
                .filter(|c| c.severity == Severity::Warning)
                .map(|c| c.code);
            cannot(
                format!("`{written}` is not a diagnostic code"),
                match nearest(&upper, warnings) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "`archc explain` lists the codes; a warning's code is in brackets, e.g. `warning[W0304]`".to_string(),
                },
            )
        }
        Some(info) if info.severity == Severity::Error => cannot(
            format!("`{}` is an error, and errors cannot be accepted", info.code),
            format!(
                "an error means the design cannot be built as written: fix it (`archc explain {}`) and remove this accept",
                info.code
            ),
        ),
        Some(info) if matches!(info.code, "W0311" | "W0312") => cannot(
            format!("`{}` is about accepts themselves and cannot be accepted", info.code),
            "fix or remove the accept it points at".to_string(),
        ),
        Some(info) => Some(info.code),
    }
}

/// W0312: a valid accept that no warning matched.
fn stale(r: &Rule) -> Diagnostic {
    let code = r.code;
    let (where_, stage) = match r.scope {
        Scope::File => ("in this file".to_string(), None),
        Scope::Stage(name, _) => (format!("in stage `{name}`"), Some(name)),
        Scope::Statement(_) => ("at this statement".to_string(), None),
    };
    let mut out = Diagnostic::new(
        "W0312",
        r.accept.span,
        format!("no {code} is found {where_}, so this accept accepts nothing"),
    )
    .primary("accepts nothing")
    .help(format!(
        "remove it: the risk it explained is gone (or moved; `archc check` without it shows where {code} is now)"
    ));
    out.stages.extend(stage.map(str::to_string));
    out
}
