//! Migration notes: what to do, in what order, to move a running system from
//! one stage to the next, as the classic scaling walkthrough tells each step.

use super::describe::{duration, label};
use super::diff_model::ModelDiff;
use crate::model::{Db, LbMethod, Model, WebState};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The component the note is about, `db`, `web api`.
    pub component: String,
    /// What changes, in a few words.
    pub title: String,
    /// The steps and the risks, one sentence each.
    pub text: Vec<String>,
}

fn note(out: &mut Vec<Note>, kind: &str, name: &str, title: String, text: &[&str]) {
    out.push(Note {
        component: label(kind, name),
        title,
        text: text.iter().map(|s| s.to_string()).collect(),
    });
}

fn added(d: &ModelDiff, kind: &str) -> Vec<String> {
    d.added
        .iter()
        .filter(|w| w.kind == kind)
        .map(|w| w.name.clone())
        .collect()
}

/// The notes for moving from `from` to `to`, data first, traffic last.
pub fn notes(from: &Model, to: &Model, d: &ModelDiff) -> Vec<Note> {
    let mut out = Vec::new();
    data_notes(from, to, d, &mut out);
    web_notes(from, to, d, &mut out);
    edge_notes(to, d, &mut out);
    async_notes(d, &mut out);
    for w in &d.removed {
        note(
            &mut out,
            w.kind,
            &w.name,
            "removed".into(),
            &["Move its traffic and data elsewhere first and check that nothing still connects to it; only then remove it."],
        );
    }
    out
}

fn data_notes(from: &Model, to: &Model, d: &ModelDiff, out: &mut Vec<Note>) {
    for db in &to.dbs {
        if let Some(old) = from.dbs.iter().find(|o| o.name == db.name) {
            db_change_notes(old, db, out);
        }
    }
    for name in added(d, "db") {
        if let Some(db) = to.dbs.iter().find(|x| x.name == name) {
            let mut text = vec!["A new database starts empty: create its schema and load its data before any tier reads it."];
            if db.replicas > 0 {
                text.push("Reads go to its replicas and writes to the primary; a replica may lag the primary.");
            }
            note(out, "db", &name, "added".into(), &text);
        }
    }
    cache_notes(from, to, d, out);
    for name in added(d, "nosql") {
        note(out, "nosql", &name, "added".into(), &[
            "Data moves to a store without joins: denormalise it and copy it over while writing to both, then switch reads.",
        ]);
    }
}

/// A database kept from one stage to the next: moved off the web host,
/// replicas gained or changed, sharded or resharded; each is a step of its own.
fn db_change_notes(old: &Db, db: &Db, out: &mut Vec<Note>) {
    if old.colocated && !db.colocated {
        note(out, "db", &db.name, "moves off the web host onto its own".into(), &[
            "Web and data tiers are now separate: each can be sized, scaled and restarted on its own.",
            "Copy the data to the new host (dump and restore, or replicate and cut over during a short write pause), then point the web tier at it.",
            "The database is now reached over the network: keep it on the private network, closed to the internet.",
        ]);
    }
    if old.replicas == 0 && db.replicas > 0 {
        note(out, "db", &db.name, if db.shard_count > 1 {
            format!("gains read replicas ({} per shard)", db.replicas)
        } else {
            format!("gains read replicas ({})", db.replicas)
        }, &[
            "Reads move to the replicas, writes stay on the primary (master-slave replication): the application needs a read connection and a write connection.",
            "Replication lag: a replica may be a moment behind, so a user who just wrote should read from the primary (read your own writes).",
            "Seed each replica from a snapshot of the primary, let it catch up, then shift reads to it.",
            "If the primary fails a replica is promoted to primary; writes it had not yet received are lost.",
        ]);
    } else if db.replicas != old.replicas {
        note(out, "db", &db.name, format!("replicas {} -> {}", old.replicas, db.replicas), &[
            "Add replicas from a snapshot and let them catch up before they take reads; move reads off a replica before removing it.",
        ]);
    }
    if db.shard_count != old.shard_count || db.shard_key != old.shard_key {
        let key = db.shard_key.as_deref().unwrap_or("its key");
        if old.shard_count <= 1 {
            note(out, "db", &db.name, format!("is sharded by {key} into {} shards", db.shard_count), &[
                "Resharding plan: copy each row to the shard its key maps to while writes go to both places, verify, then switch reads and writes by key; plan now how a later shard is added (many small logical shards or consistent hashing) so data moves in small pieces.",
                "Hot keys (the celebrity problem): one very active key sends all its traffic to one shard; split or cache such keys.",
                "Joins across shards no longer work in SQL: denormalise, or join in the application.",
            ]);
        } else {
            note(out, "db", &db.name, format!("reshards {} -> {} shards", old.shard_count, db.shard_count), &[
                "Resharding moves data between shards: copy while dual-writing, switch by key, then delete the moved rows; watch for hot keys on the new layout.",
            ]);
        }
    }
}

/// A cache kept with a new TTL or node count, or a cache added: what stale
/// reads and misses to expect.
fn cache_notes(from: &Model, to: &Model, d: &ModelDiff, out: &mut Vec<Note>) {
    for c in &to.caches {
        if let Some(old) = from.caches.iter().find(|o| o.name == c.name) {
            if old.ttl_seconds != c.ttl_seconds {
                note(out, "cache", &c.name, "changes its TTL".into(), &[
                    "Entries written before the change keep their old expiry; data may now stay stale as long as the new TTL.",
                ]);
            }
            if old.count != c.count {
                note(out, "cache", &c.name, format!("nodes {} -> {}", old.count, c.count), &[
                    "Keys are spread over a new number of nodes: with modulo hashing most keys move and miss at once (a burst of reads on the database); consistent hashing moves only a share of them.",
                ]);
            }
        }
    }
    for name in added(d, "cache") {
        let c = to.caches.iter().find(|x| x.name == name);
        let ttl = c
            .and_then(|c| c.ttl_seconds)
            .map(|t| format!("Expiry: each entry lives at most {} (TTL), which bounds how stale a read can be.", duration(t)))
            .unwrap_or_else(|| "No TTL: only invalidation keeps entries fresh, and a missed invalidation serves stale data forever.".into());
        out.push(Note {
            component: label("cache", &name),
            title: "added".into(),
            text: vec![
                "Cache-aside: read the cache first; on a miss read the database and put the result in the cache.".into(),
                "Invalidation: on a write, update the database, then delete the key from the cache (do not update both: a race leaves the old value).".into(),
                ttl,
                "It starts cold: every read misses until it fills, so add it at a quiet hour or warm it first. If it fails, all reads fall on the database.".into(),
            ],
        });
    }
}

fn web_notes(from: &Model, to: &Model, d: &ModelDiff, out: &mut Vec<Note>) {
    for w in &to.webs {
        let Some(old) = from.webs.iter().find(|o| o.name == w.name) else {
            continue;
        };
        if old.state == WebState::Stateful && w.state == WebState::Stateless {
            let store = w
                .sessions
                .as_ref()
                .map(|s| {
                    label(
                        &serde_json::to_value(s.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        &s.name,
                    )
                })
                .unwrap_or_else(|| "a shared store".into());
            out.push(Note {
                component: label("web", &w.name),
                title: "goes stateless".into(),
                text: vec![
                    format!("Sessions move to the shared store ({store}) first: deploy the store, then write each session to the instance and the store (dual-write), then read sessions from the store only."),
                    "Only then stop pinning clients to one instance (sticky or ip-hash): any instance can now serve any request.".into(),
                    "Instances become disposable: one can fail, be replaced or be added by autoscaling without logging anyone out.".into(),
                ],
            });
        }
        if old.autoscale.is_none() && w.autoscale.is_some() {
            note(out, "web", &w.name, "autoscales".into(), &[
                "Instances now come and go with load: each must start unattended from its image, and the load balancer sends it traffic only once its health check passes.",
            ]);
        } else if old.count != w.count && w.autoscale.is_none() {
            note(out, "web", &w.name, format!("instances {} -> {}", old.count, w.count), &[
                "The load balancer spreads requests over the instances; start new ones and let their health checks pass before they take traffic.",
            ]);
        }
        if old.lb.is_none() && w.lb.is_some() {
            let lb = w.lb.clone().unwrap_or_default();
            note(out, "web", &w.name, format!("moves behind load balancer {lb}"), &[
                "Users now reach the load balancer's public address; the web instances move to a private network that only the balancer reaches.",
                "Lower the DNS TTL a day before, then point the name at the load balancer.",
            ]);
        }
    }
    for lb in &to.lbs {
        if let Some(old) = from.lbs.iter().find(|o| o.name == lb.name) {
            if old.method == LbMethod::IpHash && lb.method != LbMethod::IpHash {
                note(out, "lb", &lb.name, "stops pinning clients (ip-hash off)".into(), &[
                    "Clients may now land on any instance: safe only once no instance keeps sessions of its own.",
                ]);
            }
        }
    }
    for name in added(d, "lb") {
        note(out, "lb", &name, "added".into(), &[
            "Health checks and failover: the balancer checks each instance's health path and stops sending requests to one that fails, so a web instance failing no longer takes the site down.",
            "The balancer itself is now the one entry point: run it redundant (a managed multi-zone balancer, or a pair sharing a floating address).",
        ]);
    }
}

fn edge_notes(to: &Model, d: &ModelDiff, out: &mut Vec<Note>) {
    for name in added(d, "cdn") {
        let c = to.cdns.iter().find(|x| x.name == name);
        let ttl = c
            .and_then(|c| c.ttl_seconds)
            .map(duration)
            .unwrap_or_else(|| "the CDN's default".into());
        let versioned = if c.is_some_and(|c| c.versioned) {
            "URLs are versioned (`?v=2`): a release changes the URL, so no invalidation is needed."
                .to_string()
        } else {
            format!("Use versioned URLs (`app.js?v=2` or a content hash) so a release is seen at once; otherwise invalidate the paths on every deploy, or users see old files for up to {ttl}.")
        };
        out.push(Note {
            component: label("cdn", &name),
            title: "added".into(),
            text: vec![
                "Static files are served from edge servers near the users; point the asset URLs at the CDN.".into(),
                versioned,
                "If the CDN fails, clients fetch the files from the origin: plan for that load.".into(),
            ],
        });
    }
    if d.added.iter().any(|w| w.kind == "datacenters") {
        out.push(Note {
            component: "datacenters".into(),
            title: "a second data center".into(),
            text: datacenter_notes(to),
        });
    }
}

/// Adding data centers, as the files deploy them (src/analyze/topology.rs):
/// cross-region read replicas, failover pairs, the primary region's writes.
fn datacenter_notes(to: &Model) -> Vec<String> {
    let primary = super::topology::primary(to);
    let module = to
        .datacenters
        .iter()
        .flat_map(|d| d.regions.iter())
        .find(|r| **r != primary)
        .map_or("REGION".into(), |r| r.replace('-', "_"));
    let mut text = vec![
        format!("The Terraform (one apply) creates in every other region a cross-region read replica of each database's primary in {primary}, seeded from a snapshot: minutes for a small database, hours for a large one. Its web instances read from those local replicas, and Route 53 may send users there as soon as their balancer is healthy: apply while traffic is low, or apply each new region's module first (`terraform apply -target=module.{module}`) and the rest once its replicas are available."),
        format!("Writes keep going to the primary in {primary}, across the VPC peering: farther regions write slower, and read their own writes only once replication catches up (usually under a second)."),
        "When a data center fails, Route 53 sends its users to the other data center of their failover pair: each must be able to carry both shares of the load (autoscaling helps, a minimum sized for it is safer).".into(),
        format!("When {primary} fails, reads go on elsewhere and writes wait until an operator promotes a replica (docs/failover.md): rehearse it before you need it; keep deployments identical across data centers."),
    ];
    let uncopied = super::availability::uncopied(to);
    if !uncopied.is_empty() {
        text.push(format!(
            "{} {} in {primary} only (W0307): the other data centers read and write it there, and lose it with {primary}; add `with 1 replica` (a MongoDB store: `dynamodb`) so every data center holds the data.",
            uncopied.join(", "),
            if uncopied.len() == 1 { "is" } else { "are" }
        ));
    }
    text
}

fn async_notes(d: &ModelDiff, out: &mut Vec<Note>) {
    for name in added(d, "queue") {
        note(out, "queue", &name, "added".into(), &[
            "The queue decouples producers from workers: the web tier enqueues slow jobs and answers at once; workers take jobs at their own pace, and either side scales or fails on its own.",
            "Delivery is at least once: make each job idempotent. Watch the queue depth.",
        ]);
    }
    for name in added(d, "worker") {
        note(out, "worker", &name, "added".into(), &[
            "Workers scale independently of the web tier: add workers when the queue grows, remove them when it is empty.",
        ]);
    }
    if d.added.iter().any(|w| w.kind == "logs") {
        note(out, "logs", "logs", "added".into(), &[
            "Logs from every instance go to one place: search errors by request id across instances.",
        ]);
    }
    if d.added.iter().any(|w| w.kind == "metrics") {
        note(out, "metrics", "metrics", "added".into(), &[
            "Collect host metrics (CPU, memory, disk), aggregated metrics (database latency, cache hit rate, queue depth) and business metrics.",
            "Set alert thresholds before you need them, e.g. CPU above 80% for 5 minutes, error rate, replication lag, queue depth growing.",
        ]);
    }
}
