//! What to do about a stage's bottleneck: what the design's next stage
//! changes on that tier, or, when it changes nothing there (or there is no
//! next stage), the step the seed takes next for that kind of tier.

use super::Tier;
use crate::model::Model;

/// What to do about the saturated tier `t` of `m`.
pub fn advice(m: &Model, t: &Tier, next: Option<&Model>) -> String {
    if let Some(n) = next {
        if let Some(change) = change(m, t, n) {
            return format!("stage `{}` {change}", n.stage);
        }
    }
    seed_step(m, t)
}

/// Whether the next stage `n` adds capacity to the tier `t` of `m`.
pub(super) fn changes(m: &Model, t: &Tier, n: &Model) -> bool {
    change(m, t, n).is_some()
}

/// What `n` changes about the tier `t` of `m`, in words; `None` when nothing
/// that adds capacity.
fn change(m: &Model, t: &Tier, n: &Model) -> Option<String> {
    match t.kind {
        "web" => {
            let before = m.webs.iter().find(|w| w.name == t.name)?;
            let after = n.webs.iter().find(|w| w.name == t.name)?;
            let (b, a) = (max_instances(before), max_instances(after));
            if a > b {
                return Some(format!("runs up to {a} web servers (was {b})"));
            }
            if after.capacity > before.capacity || after.resources.size != before.resources.size {
                return Some("gives the web tier bigger instances".to_string());
            }
            (n.cdns.len() > m.cdns.len()).then(|| {
                "adds a CDN, which answers static paths before they reach the web tier".to_string()
            })
        }
        "db" => {
            let db = |s: &Model| {
                s.dbs
                    .iter()
                    .find(|d| d.name == t.name || d.shards.iter().any(|x| x.primary == t.name))
                    .cloned()
            };
            let (before, after) = (db(m)?, db(n).or_else(|| n.dbs.first().cloned())?);
            if after.shards.len() > before.shards.len() {
                Some(format!(
                    "shards the database over {} primaries",
                    after.shards.len()
                ))
            } else if after.replicas > before.replicas {
                let per = if after.shards.len() > 1 {
                    " per shard"
                } else {
                    ""
                };
                Some(format!(
                    "adds read replicas ({}{per}, was {})",
                    after.replicas, before.replicas
                ))
            } else if n.caches.len() > m.caches.len() {
                Some("adds a cache in front of the database".to_string())
            } else if n.nosqls.len() > m.nosqls.len() {
                Some("moves data to a NoSQL store".to_string())
            } else {
                None
            }
        }
        "cache" => {
            let before = m.caches.iter().find(|c| c.name == t.name)?;
            let after = n.caches.iter().find(|c| c.name == t.name)?;
            (after.count > before.count)
                .then(|| format!("runs {} cache nodes (was {})", after.count, before.count))
        }
        "worker" => {
            let before = m.workers.iter().find(|w| w.name == t.name)?;
            let after = n.workers.iter().find(|w| w.name == t.name)?;
            (after.count > before.count)
                .then(|| format!("runs {} workers (was {})", after.count, before.count))
        }
        _ => None,
    }
}

fn max_instances(w: &crate::model::Web) -> u32 {
    w.autoscale.as_ref().map_or(w.count, |a| a.max)
}

/// The seed's next step for a saturated tier of this kind.
fn seed_step(m: &Model, t: &Tier) -> String {
    match t.kind {
        "web" if m.lbs.is_empty() => {
            "put the web tier behind a load balancer and add web servers (`web xN behind lb`)"
                .into()
        }
        "web" => "add web servers (`xN`, or `autoscale MIN..MAX`) or a CDN for static paths".into(),
        "lb" => "add a load balancer, or data centers with `datacenters … via geodns`".into(),
        "db" if m.caches.is_empty() => {
            "add a cache in front of the database (`cache redis x2 ttl 10m`)".into()
        }
        "db" if t.instances == 1 => "add read replicas (`with N replicas`)".into(),
        "db" => "shard the database (`sharded by KEY xN`)".into(),
        "cache" => "add cache nodes (`cache xN`) or a bigger `size`".into(),
        "nosql" => "add NoSQL instances or raise its `capacity`".into(),
        _ => "add workers (`worker xN`)".into(),
    }
}
