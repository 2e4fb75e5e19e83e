//! Where a web tier keeps its sessions: W0301.

use crate::diag::Diagnostic;
use crate::model::{Model, WebState};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    for w in &m.webs {
        let Some(lb) = &w.lb else { continue };
        if w.state != WebState::Stateful || w.sticky || w.sessions.is_some() {
            continue;
        }
        let span = w.spans.get("state").copied().unwrap_or(w.origin.span);
        let mut d = Diagnostic::new(
            "W0301",
            span,
            format!("stateful web `{}` sits behind load balancer `{lb}`, which does not route users back to the server holding their session", w.name),
        )
        .primary("sessions live in one server's memory");
        if let Some(l) = m.lbs.iter().find(|l| &l.name == lb) {
            d = d.label(l.origin.span, "spreads requests without stickiness");
        }
        let web = named("web", &w.name);
        let lb = named("lb", lb);
        out.push(d.help(format!(
            "make it `{web} stateless … sessions in cache` with a shared cache, or route sticky with `{lb} ip-hash` or `{lb} sticky`"
        )));
    }
}

/// How a statement for this component starts: `web`, or `web api`.
fn named(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}
