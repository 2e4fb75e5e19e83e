//! Each component as the clauses a designer would write, one `(field, value)`
//! pair per clause, so two stages can be compared clause by clause.

use crate::model::{
    Autoscale, Cache, Cdn, Datacenters, Db, Lb, Model, Nosql, Queue, Web, WebState, Worker,
};

/// A component and its clauses, in a fixed order per kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    pub kind: &'static str,
    pub name: String,
    pub fields: Vec<(&'static str, String)>,
}

impl Described {
    /// `web`, `cache sessions`: the kind, then the name when it differs.
    pub fn label(&self) -> String {
        label(self.kind, &self.name)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }
}

pub fn label(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}

/// A duration the way the language writes it: `1d`, `10m`, `90s`.
pub fn duration(secs: u64) -> String {
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs >= n && secs.is_multiple_of(n) {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

fn ttl(t: Option<u64>) -> String {
    t.map(duration).unwrap_or_else(|| "none".into())
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn scale(count: u32, auto: &Option<Autoscale>) -> String {
    match auto {
        Some(a) => format!("autoscale {}..{} at cpu {}%", a.min, a.max, a.cpu_percent),
        None => format!("count {count}"),
    }
}

fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// One component's clauses, in the order `diff` lists their changes.
type Fields = Vec<(&'static str, String)>;

/// Every component of a stage, described, in [`Model::components`] order.
pub fn describe(m: &Model) -> Vec<Described> {
    let mut out = Vec::new();
    let mut push = |kind, name: &str, fields: Fields| {
        out.push(Described {
            kind,
            name: name.to_string(),
            fields,
        })
    };
    if let Some(dc) = &m.datacenters {
        push("datacenters", "datacenters", datacenters_clauses(dc));
    }
    for w in &m.webs {
        push("web", &w.name, web_clauses(w));
    }
    for lb in &m.lbs {
        push("lb", &lb.name, lb_clauses(lb));
    }
    for d in &m.dbs {
        push("db", &d.name, db_clauses(d));
    }
    for c in &m.caches {
        push("cache", &c.name, cache_clauses(c));
    }
    for c in &m.cdns {
        push("cdn", &c.name, cdn_clauses(c));
    }
    for n in &m.nosqls {
        push("nosql", &n.name, nosql_clauses(n));
    }
    for q in &m.queues {
        push("queue", &q.name, queue_clauses(q));
    }
    for w in &m.workers {
        push("worker", &w.name, worker_clauses(w));
    }
    // The collectors have no clause of their own: only being there counts.
    if m.logs.is_some() {
        push("logs", "logs", Vec::new());
    }
    if m.metrics.is_some() {
        push("metrics", "metrics", Vec::new());
    }
    out
}

fn datacenters_clauses(dc: &Datacenters) -> Fields {
    vec![
        ("regions", dc.regions.join(", ")),
        ("geodns", yes(dc.geodns)),
    ]
}

fn web_clauses(w: &Web) -> Fields {
    let state = match w.state {
        WebState::Stateless => "stateless",
        WebState::Stateful => "stateful",
    };
    vec![
        ("state", state.into()),
        ("scale", scale(w.count, &w.autoscale)),
        ("behind", w.lb.clone().unwrap_or_else(|| "none".into())),
        (
            "sessions",
            w.sessions
                .as_ref()
                .map(|s| format!("in {} {}", word(&s.kind), s.name))
                .unwrap_or_else(|| "on the instance".into()),
        ),
        ("sticky", yes(w.sticky)),
        ("port", w.port.to_string()),
        ("health", w.health.clone()),
        ("image", image(&w.image, w.placeholder)),
        ("size", word(&w.resources.size)),
    ]
}

fn lb_clauses(lb: &Lb) -> Fields {
    vec![
        ("engine", word(&lb.engine)),
        ("method", word(&lb.method)),
        ("sticky", yes(lb.sticky)),
        ("port", lb.port.to_string()),
        ("backends", lb.backends.join(", ")),
    ]
}

fn db_clauses(d: &Db) -> Fields {
    // `4 by user_id`: the key is part of the shard clause, so changing only
    // the key shows as a change of `shards`.
    let shards = match &d.shard_key {
        Some(k) => format!("{} by {k}", d.shard_count),
        None => d.shard_count.to_string(),
    };
    vec![
        ("engine", word(&d.engine)),
        ("colocated", yes(d.colocated)),
        ("shards", shards),
        ("replicas", d.replicas.to_string()),
        ("storage", format!("{} GB", d.storage_gb)),
        ("port", d.port.to_string()),
        ("size", word(&d.resources.size)),
    ]
}

fn cache_clauses(c: &Cache) -> Fields {
    vec![
        ("engine", word(&c.engine)),
        ("count", c.count.to_string()),
        ("ttl", ttl(c.ttl_seconds)),
        (
            "evict",
            c.evict.map(|e| word(&e)).unwrap_or_else(|| "none".into()),
        ),
        ("memory", format!("{} MB", c.memory_mb)),
        ("colocated", yes(c.colocated)),
        ("port", c.port.to_string()),
    ]
}

fn cdn_clauses(c: &Cdn) -> Fields {
    vec![
        ("paths", c.paths.join(", ")),
        ("ttl", ttl(c.ttl_seconds)),
        ("versioned", yes(c.versioned)),
    ]
}

fn nosql_clauses(n: &Nosql) -> Fields {
    vec![
        ("engine", word(&n.engine)),
        ("count", n.count.to_string()),
        ("port", n.port.to_string()),
    ]
}

fn queue_clauses(q: &Queue) -> Fields {
    vec![("engine", word(&q.engine)), ("port", q.port.to_string())]
}

/// The image, said to be the placeholder when the design names none.
fn image(image: &str, placeholder: bool) -> String {
    if placeholder {
        format!("{image} (placeholder: the design names no image)")
    } else {
        image.to_string()
    }
}

fn worker_clauses(w: &Worker) -> Fields {
    vec![
        ("count", w.count.to_string()),
        ("consumes", w.queue.clone()),
        ("image", image(&w.image, w.placeholder)),
        ("size", word(&w.resources.size)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(duration(86_400), "1d");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(7_200), "2h");
        assert_eq!(duration(90), "90s");
    }
}
