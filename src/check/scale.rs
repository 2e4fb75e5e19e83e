//! Instance counts, ranges and where components run: E0201–E0205, E0207, E0208.
//! (A shard count that is missing, E0206, is found while parsing.)

use crate::diag::Diagnostic;
use crate::model::{Db, Lb, Model, Origin, Web};
use crate::span::Span;
use indexmap::IndexMap;

fn at(spans: &IndexMap<&'static str, Span>, key: &str, origin: &Origin) -> Span {
    spans.get(key).copied().unwrap_or(origin.span)
}

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    for w in &m.webs {
        web(w, out);
    }
    for c in &m.caches {
        if c.count == 0 {
            out.push(zero(at(&c.spans, "count", &c.origin), "cache", &c.name));
        }
    }
    for n in &m.nosqls {
        if n.count == 0 {
            out.push(zero(at(&n.spans, "count", &n.origin), "nosql", &n.name));
        }
    }
    for w in &m.workers {
        if w.count == 0 {
            out.push(zero(at(&w.spans, "count", &w.origin), "worker", &w.name));
        }
    }
    for d in &m.dbs {
        shards(d, out);
    }
    colocated(m, out);
}

/// A web tier's scale: a usable autoscaling range and CPU target, or a count
/// above zero; and a balancer in front of more than one instance.
fn web(w: &Web, out: &mut Vec<Diagnostic>) {
    if let Some(a) = &w.autoscale {
        let span = at(&w.spans, "autoscale", &w.origin);
        if a.min == 0 || a.min > a.max {
            out.push(
                Diagnostic::new(
                    "E0203",
                    span,
                    format!("the range {}..{} has no valid instance count", a.min, a.max),
                )
                .primary("empty range")
                .help("write MIN..MAX with 1 <= MIN <= MAX, e.g. `autoscale 2..10`"),
            );
        }
        if a.cpu_percent == 0 || a.cpu_percent > 100 {
            out.push(
                Diagnostic::new(
                    "E0207",
                    span,
                    format!("a CPU target of {}% cannot be reached", a.cpu_percent),
                )
                .primary("between 1% and 100%")
                .help("70% is a common target: it leaves headroom while new instances start"),
            );
        }
    } else if w.count == 0 {
        out.push(zero(at(&w.spans, "count", &w.origin), "web", &w.name));
    }
    // A `behind` clause naming a missing balancer is E0104, reported where
    // references are resolved; not again here.
    let several = w.count > 1 || w.autoscale.as_ref().is_some_and(|a| a.max > 1);
    if several && w.lb.is_none() && !w.spans.contains_key("behind") {
        let span = w
            .spans
            .get("count")
            .or(w.spans.get("autoscale"))
            .copied()
            .unwrap_or(w.origin.span);
        out.push(
            Diagnostic::new("E0201", span, format!("web `{}` runs several instances but no load balancer spreads requests over them", w.name))
                .primary("several instances")
                .label(w.origin.span, "no `behind lb` in this statement")
                .help("add `behind lb` to the web statement"),
        );
    }
}

/// A sharded database names its key and has at least one shard.
fn shards(d: &Db, out: &mut Vec<Diagnostic>) {
    let Some(span) = d.spans.get("sharded").copied() else {
        return;
    };
    if d.shard_key.is_none() {
        out.push(
            Diagnostic::new(
                "E0205",
                span,
                format!("db `{}` is sharded but names no shard key", d.name),
            )
            .primary("no key after `sharded by`")
            .help("name the column that decides a row's shard, e.g. `sharded by user_id x4`"),
        );
    }
    if d.shard_count == 0 {
        out.push(zero(span, "db", &d.name));
    }
}

fn zero(span: Span, kind: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        "E0204",
        span,
        format!("{kind} `{name}` has a count of zero"),
    )
    .primary("nothing would run")
    .help(format!(
        "use at least `x1`; to remove it in a stage, write `drop {kind} {name}`"
    ))
}

/// A colocated database or cache shares the single web host: the stage needs
/// one web host (an autoscaled tier counted at its maximum) and no balancer.
fn colocated(m: &Model, out: &mut Vec<Diagnostic>) {
    let web_instances: u32 = m
        .webs
        .iter()
        .map(|w| w.autoscale.as_ref().map_or(w.count, |a| a.max))
        .sum();
    let places = m
        .dbs
        .iter()
        .filter(|d| d.colocated)
        .map(|d| ("db", &d.name, &d.spans, &d.origin))
        .chain(
            m.caches
                .iter()
                .filter(|c| c.colocated)
                .map(|c| ("cache", &c.name, &c.spans, &c.origin)),
        );
    for (kind, name, spans, origin) in places {
        let span = at(spans, "colocated", origin);
        if m.webs.is_empty() {
            out.push(
                Diagnostic::new(
                    "E0208",
                    span,
                    format!("{kind} `{name}` is colocated, but the stage has no web host"),
                )
                .primary("colocated with nothing")
                .help("declare `web x1`, or remove `colocated`"),
            );
        } else if web_instances > 1 {
            out.push(on_several_hosts(m, kind, name, span));
        } else if let Some(lb) = m.lbs.first() {
            out.push(behind_a_balancer(m, lb, kind, name, span));
        }
    }
}

/// E0202: colocated while web runs on more than one host; the first few web
/// tiers are labelled with why each counts.
fn on_several_hosts(m: &Model, kind: &str, name: &str, span: Span) -> Diagnostic {
    let mut d = Diagnostic::new(
        "E0202",
        span,
        format!("{kind} `{name}` is colocated, but web runs on more than one host"),
    )
    .primary("needs a single web host");
    for w in m.webs.iter().take(3) {
        let what = if w.count > 1 || w.autoscale.is_some() {
            format!("web `{}` scales out here", w.name)
        } else {
            format!("web `{}` is one more host", w.name)
        };
        d = d.label(w.origin.span, what);
    }
    d.help(format!(
        "give the {kind} its own servers: redeclare it without `colocated`"
    ))
}

/// E0202: colocated in a stage with a load balancer. The help names what to
/// remove as the designer wrote it: an implicit balancer exists only through
/// `behind lb`, an explicit one also through its own statement.
fn behind_a_balancer(m: &Model, lb: &Lb, kind: &str, name: &str, span: Span) -> Diagnostic {
    let web = m.webs.iter().find(|w| w.lb.as_ref() == Some(&lb.name));
    let mut d = Diagnostic::new(
        "E0202",
        span,
        format!(
            "{kind} `{name}` is colocated, but the stage has load balancer `{}`",
            lb.name
        ),
    )
    .primary("belongs to the single-server stage, without a load balancer");
    d = match web {
        Some(w) if lb.origin.implicit => d.label(
            lb.origin.span,
            format!("puts web `{}` behind a load balancer", w.name),
        ),
        _ => d.label(lb.origin.span, format!("load balancer `{}`", lb.name)),
    };
    let behind = if lb.name == "lb" {
        "behind lb".to_string()
    } else {
        format!("behind lb {}", lb.name)
    };
    let remove = match (lb.origin.implicit, web.is_some()) {
        (true, _) => format!("`{behind}`"),
        (false, true) => format!("`lb {}` and `{behind}`", lb.name),
        (false, false) => format!("`lb {}`", lb.name),
    };
    d.help(format!(
        "remove {remove} while web has one instance, or give the {kind} its own servers by redeclaring it without `colocated`"
    ))
}
