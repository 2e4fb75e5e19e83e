//! Generated names that would collide: E0108. Every target turns components
//! into host names, Compose services and Kubernetes objects in one namespace, so
//! `web store` and `cache store x2` (both `store-1`) cannot coexist.

use crate::diag::Diagnostic;
use crate::model::{Model, Origin};
use indexmap::IndexMap;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut names: Vec<(String, &'static str, &str, &Origin)> = Vec::new();
    for w in &m.webs {
        names.push((w.name.clone(), "web", &w.name, &w.origin));
        names.extend(
            w.instances
                .iter()
                .map(|i| (i.clone(), "web", w.name.as_str(), &w.origin)),
        );
    }
    for l in &m.lbs {
        names.push((l.name.clone(), "lb", &l.name, &l.origin));
    }
    for d in &m.dbs {
        for s in &d.shards {
            names.push((s.primary.clone(), "db", &d.name, &d.origin));
            names.extend(
                s.replicas
                    .iter()
                    .map(|r| (r.clone(), "db", d.name.as_str(), &d.origin)),
            );
        }
    }
    for c in &m.caches {
        names.push((c.name.clone(), "cache", &c.name, &c.origin));
        names.extend(
            c.instances
                .iter()
                .map(|i| (i.clone(), "cache", c.name.as_str(), &c.origin)),
        );
    }
    for n in &m.nosqls {
        names.push((n.name.clone(), "nosql", &n.name, &n.origin));
        names.extend(
            n.instances
                .iter()
                .map(|i| (i.clone(), "nosql", n.name.as_str(), &n.origin)),
        );
    }
    for q in &m.queues {
        names.push((q.name.clone(), "queue", &q.name, &q.origin));
    }
    for w in &m.workers {
        names.push((w.name.clone(), "worker", &w.name, &w.origin));
        names.extend(
            w.instances
                .iter()
                .map(|i| (i.clone(), "worker", w.name.as_str(), &w.origin)),
        );
    }
    // generated name -> the first component that made it
    let mut seen: IndexMap<&str, (&str, &str, &Origin)> = IndexMap::new();
    let mut reported: Vec<(&str, &str, &str, &str)> = Vec::new();
    for (generated, kind, name, origin) in &names {
        let Some(&(k0, n0, o0)) = seen.get(generated.as_str()) else {
            seen.insert(generated.as_str(), (kind, name, origin));
            continue;
        };
        if (k0, n0) == (*kind, *name) || reported.contains(&(k0, n0, *kind, *name)) {
            continue;
        }
        reported.push((k0, n0, kind, name));
        // Point at whichever was written later; the earlier one is the label.
        let ((kind, name, origin), (k0, n0, o0)) = if origin.span.start >= o0.span.start {
            ((*kind, *name, *origin), (k0, n0, o0))
        } else {
            ((k0, n0, o0), (*kind, *name, *origin))
        };
        out.push(
            Diagnostic::new(
                "E0108",
                origin.span,
                format!("{kind} `{name}` and {k0} `{n0}` both generate the name `{generated}`"),
            )
            .primary(format!("makes `{generated}`"))
            .label(o0.span, format!("also makes `{generated}`"))
            .help("rename one of them: host names, Compose services and Kubernetes objects share one namespace"),
        );
    }
}
