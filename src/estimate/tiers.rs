//! The tiers of one stage with their capacity and their peak load per daily
//! user (the load model of `super`). Capacities come from `capacity` or from
//! `defaults`; every default used is named in `defaults_used`.

use super::defaults as d;
use super::{Load, Tier};
use crate::model::{Model, NosqlEngine, SizeClass};

/// Per daily user at peak: the request mix every tier's share is taken from.
struct Mix {
    /// Requests/s through the balancers and web tiers (CDN paths left out).
    dynamic: f64,
    /// Queries/s of the reads among them, and of the writes
    /// (`QUERIES_PER_REQUEST` each).
    reads: f64,
    writes: f64,
    /// Share of requests that read (for a shard's mix without traffic).
    read_share: f64,
}

fn mix(m: &Model, load: Option<&Load>) -> Mix {
    let Some(l) = load else {
        // No traffic: capacities only; the read share shapes a shard's.
        return Mix {
            dynamic: 0.0,
            reads: 0.0,
            writes: 0.0,
            read_share: 1.0,
        };
    };
    // With `via geodns` each data center runs the whole stage for its
    // share of the users, assumed even; failover sends everyone to one.
    let per_user = l.requests_per_user * l.peak_factor / d::SECONDS_PER_DAY / regions(m) as f64;
    let cdn = super::cdn_percent(m, l.reads_percent) / 100.0;
    let reads = l.reads_percent / 100.0;
    let q = d::QUERIES_PER_REQUEST;
    Mix {
        dynamic: per_user * (1.0 - cdn),
        reads: per_user * (reads - cdn) * q,
        writes: per_user * (1.0 - reads) * q,
        read_share: reads,
    }
}

/// Data centers that share the users: all of them with `via geodns`, else one.
pub(super) fn regions(m: &Model) -> usize {
    m.datacenters
        .as_ref()
        .filter(|d| d.geodns)
        .map_or(1, |d| d.regions.len().max(1))
}

/// Builds the tiers, in the order requests reach them.
pub(super) fn tiers(m: &Model, load: Option<&Load>, used: &mut Vec<String>) -> Vec<Tier> {
    let mix = mix(m, load);
    let mut out = Vec::new();
    notes(m, load, used);
    front(m, &mix, used, &mut out);
    let store_reads = caches(m, &mix, used, &mut out);
    stores(m, load, &mix, store_reads, used, &mut out);
    workers(m, load, &mix, used, &mut out);
    out
}

/// `s`, noted once in `used`.
fn note(s: String, used: &mut Vec<String>) -> String {
    if !used.contains(&s) {
        used.push(s.clone());
    }
    s
}

/// The assumptions of the whole stage.
fn notes(m: &Model, load: Option<&Load>, used: &mut Vec<String>) {
    if load.is_some() && regions(m) > 1 {
        note(
            format!(
                "{} data centers via geodns share the users evenly: each tier below is one data center's",
                regions(m)
            ),
            used,
        );
    }
    if load.is_some() && !(m.caches.is_empty() && m.dbs.is_empty() && m.nosqls.is_empty()) {
        note(
            format!(
                "{} queries per request to the cache and the data stores (default)",
                d::QUERIES_PER_REQUEST
            ),
            used,
        );
    }
    if load.is_some() && !m.cdns.is_empty() {
        note(
            format!(
                "{}% of requests are CDN paths, answered at the edge (CDN default)",
                d::CDN_STATIC_PERCENT
            ),
            used,
        );
    }
}

/// Balancers and web tiers.
fn front(m: &Model, mix: &Mix, used: &mut Vec<String>, out: &mut Vec<Tier>) {
    let web_share = mix.dynamic / m.webs.len().max(1) as f64;
    for l in &m.lbs {
        let behind = m
            .webs
            .iter()
            .filter(|w| l.backends.contains(&w.name))
            .count();
        let (per, source) = match l.capacity {
            Some(c) => (c, "capacity".to_string()),
            None => (
                d::LB_RPS,
                note(
                    format!("lb: {} rps per balancer (default)", super::num(d::LB_RPS)),
                    used,
                ),
            ),
        };
        out.push(tier(
            &l.name,
            "lb",
            "rps",
            1,
            per,
            source,
            per,
            web_share * behind as f64,
            format!("{behind} web tier(s) behind it × the web tier's load"),
        ));
    }
    for w in &m.webs {
        let instances = w.autoscale.as_ref().map_or(w.count, |a| a.max);
        let (per, source) = match w.capacity {
            Some(c) => (c, "capacity".to_string()),
            None => size_default(
                "web",
                w.resources.size,
                d::web_rps(w.resources.size),
                "rps",
                used,
            ),
        };
        let how = if m.cdns.is_empty() {
            "peak rps"
        } else {
            "peak rps without CDN paths"
        };
        out.push(tier(
            &w.name,
            "web",
            "rps",
            instances,
            per,
            source,
            per * instances as f64,
            web_share,
            format!("{how} / {} web tier(s)", m.webs.len()),
        ));
    }
}

/// Caches; returns the reads they send on to the data stores.
fn caches(m: &Model, mix: &Mix, used: &mut Vec<String>, out: &mut Vec<Tier>) -> f64 {
    let cache_reads = mix.reads / m.caches.len().max(1) as f64;
    let mut store_reads = if m.caches.is_empty() { mix.reads } else { 0.0 };
    for c in &m.caches {
        let hits = c.hits_percent.unwrap_or_else(|| {
            note(
                format!("cache: hits {}% (default)", d::DEFAULT_HITS_PERCENT),
                used,
            );
            d::DEFAULT_HITS_PERCENT
        });
        store_reads += cache_reads * (1.0 - hits / 100.0);
        let (per, source) = match c.capacity {
            Some(v) => (v, "capacity".to_string()),
            None => size_default(
                "cache",
                c.resources.size,
                d::cache_qps(c.resources.size, c.engine),
                "qps",
                used,
            ),
        };
        out.push(tier(
            &c.name,
            "cache",
            "qps",
            c.count,
            per,
            source,
            per * c.count as f64,
            cache_reads,
            format!(
                "read requests × {} queries / {} cache(s); answers {hits}%",
                d::QUERIES_PER_REQUEST,
                m.caches.len()
            ),
        ));
    }
    store_reads
}

/// Databases (a tier per shard) and NoSQL stores.
fn stores(
    m: &Model,
    load: Option<&Load>,
    mix: &Mix,
    store_reads: f64,
    used: &mut Vec<String>,
    out: &mut Vec<Tier>,
) {
    let stores = (m.dbs.len() + m.nosqls.len()).max(1) as f64;
    let (reads, writes) = (store_reads / stores, mix.writes / stores);
    let via = if m.caches.is_empty() {
        "reads"
    } else {
        "cache misses"
    };
    for db in &m.dbs {
        let (per, source) = match db.capacity {
            Some(v) => (v, "capacity".to_string()),
            None => size_default(
                "db",
                db.resources.size,
                d::db_qps(db.resources.size, db.engine),
                "qps",
                used,
            ),
        };
        let n = db.shards.len().max(1) as f64;
        let (sr, sw) = (reads / n, writes / n);
        let spread = 1.0 + db.replicas as f64;
        // The primary takes its part of the reads and every write.
        let (shard, primary) = if load.is_some() {
            (sr + sw, sr / spread + sw)
        } else {
            (mix.read_share, mix.read_share / spread)
        };
        let capacity = if primary > 0.0 {
            per * shard / primary
        } else {
            per * spread
        };
        for s in &db.shards {
            let name = if db.shards.len() > 1 {
                s.primary.clone()
            } else {
                db.name.clone()
            };
            let share = if db.shards.len() > 1 {
                format!(" / {} shards", db.shards.len())
            } else {
                String::new()
            };
            out.push(tier(&name, "db", "qps", 1 + db.replicas, per, source.clone(), capacity, sr + sw,
                format!("({via} + writes) × {} queries / {stores} store(s){share}; primary: reads / {spread} + writes", d::QUERIES_PER_REQUEST)));
        }
    }
    for n in &m.nosqls {
        let instances = match n.engine {
            NosqlEngine::Dynamodb => 1,
            NosqlEngine::Mongodb => n.count,
        };
        let (per, source) = match n.capacity {
            Some(v) => (v, "capacity".to_string()),
            None => {
                let v = d::nosql_qps(n.engine);
                let what = format!("{:?}", n.engine).to_lowercase();
                (
                    v,
                    note(
                        format!("nosql {what}: {v} qps per instance (default)"),
                        used,
                    ),
                )
            }
        };
        out.push(tier(
            &n.name,
            "nosql",
            "qps",
            instances,
            per,
            source,
            per * instances as f64,
            reads + writes,
            format!(
                "({via} + writes) × {} queries / {stores} store(s)",
                d::QUERIES_PER_REQUEST
            ),
        ));
    }
}

/// Workers: the jobs writes enqueue.
fn workers(m: &Model, load: Option<&Load>, mix: &Mix, used: &mut Vec<String>, out: &mut Vec<Tier>) {
    let jobs =
        mix.writes / d::QUERIES_PER_REQUEST * d::JOBS_PER_WRITE / m.workers.len().max(1) as f64;
    if load.is_some() && !m.workers.is_empty() {
        note(
            format!("{} background job per write (default)", d::JOBS_PER_WRITE),
            used,
        );
    }
    for w in &m.workers {
        let (per, source) = match w.capacity {
            Some(v) => (v, "capacity".to_string()),
            None => size_default(
                "worker",
                w.resources.size,
                d::worker_jobs(w.resources.size),
                "jobs/s",
                used,
            ),
        };
        out.push(tier(
            &w.name,
            "worker",
            "jobs/s",
            w.count,
            per,
            source,
            per * w.count as f64,
            jobs,
            format!(
                "writes × {} jobs per write / {} worker tier(s)",
                d::JOBS_PER_WRITE,
                m.workers.len()
            ),
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn tier(
    name: &str,
    kind: &'static str,
    unit: &'static str,
    instances: u32,
    per_instance: f64,
    capacity_source: String,
    capacity: f64,
    load_per_user: f64,
    formula: String,
) -> Tier {
    Tier {
        name: name.to_string(),
        kind,
        unit,
        instances,
        per_instance,
        capacity_source,
        capacity,
        load_per_user,
        formula,
        peak_load: None,
        utilisation: None,
        users_supported: None,
    }
}

/// The default for a sized component, noted once in `used`.
fn size_default(
    kind: &str,
    size: SizeClass,
    value: f64,
    unit: &str,
    used: &mut Vec<String>,
) -> (f64, String) {
    let size = format!("{size:?}").to_lowercase();
    let s = format!("{kind} size {size}: {value} {unit} per instance (default)");
    if !used.contains(&s) {
        used.push(s.clone());
    }
    (value, s)
}
