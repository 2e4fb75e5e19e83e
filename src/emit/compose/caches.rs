//! Caches: redis and memcached instances.

use super::passes::Builder;
use super::service::{cmd, compose_escape, labels, limits, plural, Healthcheck, Service, BACKEND};
use crate::model::{Cache, CacheEngine};

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
                let mut service = cache_service(c, inst, comments);
                if let (Some(var), Some(script)) = (&c.password_env, c.server_script()) {
                    let comment = format!("Password of redis cache `{}`.", c.name);
                    let value = self.secret(var, comment);
                    service
                        .environment
                        .insert(Cache::PASSWORD_VAR.into(), value);
                    service.command = Vec::new();
                    service.script = vec![compose_escape(&script)];
                }
                if c.runs_as_image_user() {
                    let (uid, gid) = Cache::REDIS_USER;
                    service.user = Some(format!("{uid}:{gid}"));
                }
                self.service(service);
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
    if let Some(pw) = &c.password_env {
        comments.push(format!(
            "Requires the password `{pw}` from `.env` (the applications read it too); redis-cli reads it as REDISCLI_AUTH."
        ));
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
    let health = match c.engine {
        CacheEngine::Redis => redis_ping(),
        CacheEngine::Memcached => memcached_stats(c),
    };
    Service {
        name: inst.into(),
        comments,
        image: c.engine.runtime().image.into(),
        hostname: Some(inst.into()),
        command: c.server_command(),
        restart: true,
        expose: vec![c.port.to_string()],
        labels: labels(&c.labels),
        healthcheck: Some(health),
        networks: vec![BACKEND],
        limits: limits(&c.resources, c.container_memory_mb()),
        ..Service::default()
    }
}

pub(super) fn redis_ping() -> Healthcheck {
    Healthcheck::new(cmd(&["redis-cli", "ping"]), "10s")
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
