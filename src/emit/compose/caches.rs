//! Caches: redis and memcached instances.

use super::passes::Builder;
use super::service::{cmd, limits, plural, Healthcheck, Service, BACKEND};
use crate::model::{Cache, CacheEngine, Evict};

pub(super) const REDIS_IMAGE: &str = "redis:7-alpine";
const MEMCACHED_IMAGE: &str = "memcached:1.6-alpine";

impl Builder<'_> {
    /// One service per cache instance; the first says what the cache is.
    pub(super) fn caches(&mut self) {
        let m = self.m;
        for c in &m.caches {
            for (i, inst) in c.instances.iter().enumerate() {
                let comments = if i == 0 {
                    cache_comments(c)
                } else {
                    Vec::new()
                };
                self.service(cache_service(c, inst, comments));
                self.data_services.push(inst.clone());
            }
        }
    }
}

/// The comment above a cache's first instance: its shape, and what the
/// design leaves to the engine.
fn cache_comments(c: &Cache) -> Vec<String> {
    let mut comments = vec![format!(
        "Cache `{}`: {}, {} MB each{}.",
        c.name,
        plural(c.instances.len(), "instance"),
        c.memory_mb,
        c.ttl_seconds
            .map_or("; no TTL in the design".to_string(), |t| format!(
                "; clients set the {t}s TTL on every write"
            ))
    )];
    if c.colocated {
        comments.push(
            "colocated: on a single host it shares the web server; in compose it is still its own container on the same host."
                .into(),
        );
    }
    if c.engine == CacheEngine::Redis && c.evict.is_none() {
        comments.push(
            "No eviction policy in the design: redis's default, writes fail once memory is full."
                .into(),
        );
    }
    comments
}

/// One cache instance: the engine's server, capped at the design's memory.
fn cache_service(c: &Cache, inst: &str, comments: Vec<String>) -> Service {
    let (image, command, health) = match c.engine {
        CacheEngine::Redis => (REDIS_IMAGE, redis_args(c), redis_ping()),
        CacheEngine::Memcached => (MEMCACHED_IMAGE, memcached_args(c), memcached_stats(c)),
    };
    // The container needs room above the cache's own memory limit.
    let container_mb = c.resources.memory_mb.max(c.memory_mb + c.memory_mb / 4);
    Service {
        name: inst.into(),
        comments,
        image: image.into(),
        hostname: Some(inst.into()),
        command,
        restart: true,
        expose: vec![c.port.to_string()],
        healthcheck: Some(health),
        networks: vec![BACKEND],
        limits: limits(&c.resources, container_mb),
        ..Service::default()
    }
}

/// `redis-server` holding at most the design's memory, evicting as it says
/// (no policy: redis's own default, `noeviction`), never saving to disk.
fn redis_args(c: &Cache) -> Vec<String> {
    let policy = match c.evict {
        Some(Evict::Lru) => "allkeys-lru",
        Some(Evict::Lfu) => "allkeys-lfu",
        Some(Evict::None) | None => "noeviction",
    };
    vec![
        "redis-server".to_string(),
        "--maxmemory".into(),
        format!("{}mb", c.memory_mb),
        "--maxmemory-policy".into(),
        policy.into(),
        "--save".into(),
        String::new(),
    ]
}

pub(super) fn redis_ping() -> Healthcheck {
    Healthcheck::new(cmd(&["redis-cli", "ping"]), "10s")
}

/// `memcached` with the design's memory; it evicts (LRU) unless the design
/// says `none`.
fn memcached_args(c: &Cache) -> Vec<String> {
    let mut args = vec![
        "memcached".to_string(),
        "-m".into(),
        c.memory_mb.to_string(),
    ];
    if c.evict == Some(Evict::None) {
        // -M: return an error when full instead of evicting.
        args.push("-M".into());
    }
    args
}

fn memcached_stats(c: &Cache) -> Healthcheck {
    Healthcheck::new(
        vec![
            "CMD-SHELL".into(),
            format!("echo stats | nc -w 2 127.0.0.1 {} | grep -q uptime", c.port),
        ],
        "10s",
    )
}
