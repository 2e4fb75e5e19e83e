//! Caches on ElastiCache (data.tf): a Redis replication group or a
//! Memcached cluster, with a parameter group when the design's eviction
//! policy is not the engine's default.

use super::data::remote_caches;
use super::names::{aws_name, human_secs, label};
use crate::emit::templates::tf_name;
use crate::model::{Cache, CacheEngine, Evict, Model};
use serde::Serialize;

/// ElastiCache allows a primary and at most 5 replicas per replication group.
const REDIS_MAX_NODES: u32 = 6;

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
    /// Custom parameter group: `(parameter, value)`.
    parameter: Option<(String, String)>,
    evict_note: String,
    ttl_note: String,
}

/// Every cache ElastiCache runs, in the design's order.
pub(super) fn caches(m: &Model) -> Vec<CacheCtx> {
    remote_caches(m).map(|c| cache(&m.system, c)).collect()
}

fn cache(sys: &str, c: &Cache) -> CacheCtx {
    let redis = c.engine == CacheEngine::Redis;
    let (parameter, evict_note) = eviction(redis, c.evict);
    CacheCtx {
        name: c.name.clone(),
        label: tf_name(&c.name),
        // Replication group ids are at most 40 characters, cluster ids 50.
        id: aws_name(sys, &c.name, if redis { 40 } else { 50 }),
        redis,
        node_type: c.resources.cache_node.clone(),
        nodes: if redis {
            c.count.min(REDIS_MAX_NODES)
        } else {
            c.count
        },
        requested: c.count,
        port: c.port,
        sg: label("cache", &c.name),
        parameter,
        evict_note,
        ttl_note: ttl_note(c.ttl_seconds),
    }
}

/// The parameter that sets the design's eviction policy, if the engine's
/// default is not it, and the comment that says what the cache does.
fn eviction(redis: bool, evict: Option<Evict>) -> (Option<(String, String)>, String) {
    let param = |name: &str, value: &str| Some((name.to_string(), value.to_string()));
    let (parameter, note) = match (redis, evict) {
        (true, Some(Evict::Lru)) => (
            param("maxmemory-policy", "allkeys-lru"),
            "evict lru: drop the least recently used key",
        ),
        (true, Some(Evict::Lfu)) => (
            param("maxmemory-policy", "allkeys-lfu"),
            "evict lfu: drop the least frequently used key",
        ),
        (true, Some(Evict::None)) => (
            param("maxmemory-policy", "noeviction"),
            "evict none: writes fail when memory is full",
        ),
        (true, None) => (
            param("maxmemory-policy", "volatile-lru"),
            "no evict clause: ElastiCache's default, volatile-lru",
        ),
        (false, Some(Evict::None)) => (
            param("error_on_memory_exhausted", "1"),
            "evict none: memcached returns an error instead of evicting",
        ),
        (false, Some(Evict::Lfu)) => (
            None,
            "evict lfu: memcached only evicts least recently used items (LRU)",
        ),
        (false, _) => (None, "memcached evicts least recently used items (LRU)"),
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
