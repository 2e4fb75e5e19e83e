//! Caches on ElastiCache (data.tf): a Redis replication group or a
//! Memcached cluster, with a parameter group when the design's eviction
//! policy is not the engine's default.

use super::data::remote_caches;
use super::names::{aws_name, human_secs, label, tags};
use crate::emit::templates::tf_name;
use crate::model::runtime::EvictionPlan;
use crate::model::{Cache, CacheEngine, Evict, Model};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct CacheCtx {
    pub(super) name: String,
    pub(super) label: String,
    id: String,
    pub(super) redis: bool,
    node_type: String,
    nodes: u32,
    requested: u32,
    port: u16,
    sg: String,
    /// The runtime plan's ElastiCache version and parameter group family.
    engine_version: &'static str,
    family: &'static str,
    /// Custom parameter group: `(parameter, value)`.
    parameter: Option<(String, String)>,
    evict_note: String,
    ttl_note: String,
    tags: Vec<(String, String)>,
}

/// Every cache ElastiCache runs, in the design's order.
pub(super) fn caches(m: &Model) -> Vec<CacheCtx> {
    remote_caches(m).map(|c| cache(&m.system, c)).collect()
}

fn cache(sys: &str, c: &Cache) -> CacheCtx {
    let redis = c.engine == CacheEngine::Redis;
    let (parameter, evict_note) = eviction(c);
    CacheCtx {
        name: c.name.clone(),
        label: tf_name(&c.name),
        // Replication group ids are at most 40 characters, cluster ids 50.
        id: aws_name(sys, &c.name, if redis { 40 } else { 50 }),
        redis,
        engine_version: c.engine.runtime().managed_version,
        family: c.engine.runtime().managed_family,
        node_type: c.resources.cache_node.clone(),
        nodes: c.elasticache_nodes(),
        requested: c.count,
        port: c.port,
        sg: label("cache", &c.name),
        parameter,
        evict_note,
        ttl_note: ttl_note(c.ttl_seconds),
        tags: tags(&c.labels),
    }
}

/// The parameter that sets the design's eviction policy, if the engine's
/// default is not it, and the comment that says what the cache does.
/// The parameter group setting (`(parameter, value)`, none when the
/// engine's default is the plan's) and the comment for the runtime plan's
/// eviction. ElastiCache's default group would evict `volatile-lru` keys
/// where redis itself (and every other target) refuses writes, so redis
/// always gets its group.
fn eviction(c: &Cache) -> (Option<(String, String)>, String) {
    let param = |name: &str, value: &str| Some((name.to_string(), value.to_string()));
    let (parameter, note) = match (c.eviction(), c.evict) {
        (EvictionPlan::Redis(policy), evict) => (
            param("maxmemory-policy", policy),
            match evict {
                Some(Evict::Lru) => "evict lru: drop the least recently used key",
                Some(Evict::Lfu) => "evict lfu: drop the least frequently used key",
                Some(Evict::None) => "evict none: writes fail when memory is full",
                None => "no evict clause: noeviction, writes fail when memory is full",
            },
        ),
        (
            EvictionPlan::Memcached {
                error_when_full: true,
            },
            _,
        ) => (
            param("error_on_memory_exhausted", "1"),
            "evict none: memcached returns an error instead of evicting",
        ),
        (EvictionPlan::Memcached { .. }, Some(Evict::Lfu)) => (
            None,
            "evict lfu: memcached only evicts least recently used items (LRU)",
        ),
        (EvictionPlan::Memcached { .. }, _) => {
            (None, "memcached evicts least recently used items (LRU)")
        }
    };
    (parameter, note.to_string())
}

fn ttl_note(ttl: Option<u64>) -> String {
    match ttl {
        Some(t) => format!(
            "TTL {} ({t} s): applications set it on each key; the engine has no default expiry",
            human_secs(t)
        ),
        None => {
            "no TTL in the design: keys never expire unless the application sets one".to_string()
        }
    }
}
