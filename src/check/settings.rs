//! The design's `env` and `secret` variables against archc's own: E0211 when
//! a web tier or worker would get a variable archc already sets for it (the
//! application environment contract of the stage, docs/app-env.md, and the
//! target-only extras). Names given twice in one statement, and labels, are
//! checked while parsing (`syntax::parse::settings`).

use crate::diag::Diagnostic;
use crate::model::{App, Model};
use crate::span::Span;
use std::collections::HashMap;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let apps = m
        .webs
        .iter()
        .map(|w| (App::Web(&w.name), &w.env, &w.secrets))
        .chain(
            m.workers
                .iter()
                .map(|w| (App::Worker(&w.name), &w.env, &w.secrets)),
        )
        .filter(|(_, env, secrets)| !env.is_empty() || !secrets.is_empty())
        .collect::<Vec<_>>();
    if apps.is_empty() {
        return;
    }
    let contract = m.app_env();
    for (app, env, secrets) in apps {
        let archc: HashMap<&str, String> = contract.archc_vars(app).collect();
        let given = env
            .iter()
            .map(|e| (e.name.as_str(), e.span, "env"))
            .chain(secrets.iter().map(|s| (s.name.as_str(), s.span, "secret")));
        for (name, span, clause) in given {
            if let Some(what) = archc.get(name) {
                out.push(taken(name, span, clause, what));
            }
        }
    }
}

fn taken(name: &str, span: Span, clause: &str, what: &str) -> Diagnostic {
    Diagnostic::new(
        "E0211",
        span,
        format!("`{name}` is a variable archc sets itself: {what}"),
    )
    .primary(format!("this `{clause}` would replace it"))
    .help("choose another name; docs/app-env.md lists archc's variables and what they hold")
}
