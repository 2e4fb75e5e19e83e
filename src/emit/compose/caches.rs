//! Caches: redis and memcached instances.

use super::passes::Builder;
use super::service::{cmd, limits, plural, Healthcheck, Service, BACKEND};
use crate::model::{CacheEngine, Evict};

pub(super) const REDIS_IMAGE: &str = "redis:7-alpine";
const MEMCACHED_IMAGE: &str = "memcached:1.6-alpine";

impl Builder<'_> {
    pub(super) fn caches(&mut self) {
        let m = self.m;
        for c in &m.caches {
            for (i, inst) in c.instances.iter().enumerate() {
                let mut comments = Vec::new();
                if i == 0 {
                    comments.push(format!(
                        "Cache `{}`: {}, {} MB each{}.",
                        c.name,
                        plural(c.instances.len(), "instance"),
                        c.memory_mb,
                        c.ttl_seconds
                            .map_or("; no TTL in the design".to_string(), |t| format!(
                                "; clients set the {t}s TTL on every write"
                            ))
                    ));
                    if c.colocated {
                        comments.push(
                            "colocated: on a single host it shares the web server; in compose it is still its own container on the same host."
                                .into(),
                        );
                    }
                }
                let mem = c.memory_mb.to_string();
                let (image, command, health) = match c.engine {
                    CacheEngine::Redis => {
                        let policy = match c.evict {
                            Some(Evict::Lru) => "allkeys-lru",
                            Some(Evict::Lfu) => "allkeys-lfu",
                            Some(Evict::None) => "noeviction",
                            None => {
                                if i == 0 {
                                    comments.push(
                                        "No eviction policy in the design: redis's default, writes fail once memory is full."
                                            .into(),
                                    );
                                }
                                "noeviction"
                            }
                        };
                        (
                            REDIS_IMAGE,
                            vec![
                                "redis-server".to_string(),
                                "--maxmemory".into(),
                                format!("{mem}mb"),
                                "--maxmemory-policy".into(),
                                policy.into(),
                                "--save".into(),
                                String::new(),
                            ],
                            Healthcheck::new(cmd(&["redis-cli", "ping"]), "10s"),
                        )
                    }
                    CacheEngine::Memcached => {
                        let mut args = vec!["memcached".to_string(), "-m".into(), mem.clone()];
                        if c.evict == Some(Evict::None) {
                            // -M: return an error when full instead of evicting.
                            args.push("-M".into());
                        }
                        (
                            MEMCACHED_IMAGE,
                            args,
                            Healthcheck::new(
                                vec![
                                    "CMD-SHELL".into(),
                                    format!(
                                        "echo stats | nc -w 2 127.0.0.1 {} | grep -q uptime",
                                        c.port
                                    ),
                                ],
                                "10s",
                            ),
                        )
                    }
                };
                // The container needs room above the cache's own memory limit.
                let container_mb = c.resources.memory_mb.max(c.memory_mb + c.memory_mb / 4);
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: image.into(),
                    hostname: Some(inst.clone()),
                    command,
                    restart: true,
                    expose: vec![c.port.to_string()],
                    healthcheck: Some(health),
                    networks: vec![BACKEND],
                    limits: limits(&c.resources, container_mb),
                    ..Service::default()
                });
                self.data_services.push(inst.clone());
            }
        }
    }
}
