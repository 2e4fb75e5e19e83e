//! The data stores, read from their clauses: databases (with their shards
//! and read replicas named here), caches and NoSQL stores. Password variables
//! are named once the stage is whole (`assign_password_envs`).

use super::build::Builder;
use super::clauses::{gib_ceil, mib_ceil, numbered, Clauses};
use crate::model::defaults::*;
use crate::model::types::*;
use crate::syntax::ast::Clause;

impl Builder<'_> {
    /// `db [NAME] …`: engine, sharding, replicas, storage, `colocated`.
    pub(super) fn db(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let (shard_key, shard_count) = match cl.get("sharded") {
            Some(Clause::Sharded { key, count }) => (
                key.as_ref().map(|k| k.node.clone()),
                count.as_ref().map_or(1, |c| c.node as u32),
            ),
            _ => (None, 1),
        };
        let replicas = match cl.get("replicas") {
            Some(Clause::Replicas(n)) => n.node as u32,
            _ => 0,
        };
        let shards = shards(&name, cl.has("sharded"), shard_count, replicas);
        let engine = match cl.get("engine") {
            Some(Clause::DbEngine(e)) => *e,
            _ => DbEngine::Postgres,
        };
        self.model.dbs.push(Db {
            // Named once the stage is whole (`assign_password_envs`).
            password_env: String::new(),
            engine,
            colocated: cl.has("colocated"),
            shard_key,
            shard_count,
            replicas,
            shards,
            storage_gb: match cl.get("storage") {
                Some(Clause::Storage(b)) => gib_ceil(b.node),
                _ => DEFAULT_DB_STORAGE_GB,
            },
            port: match engine {
                DbEngine::Postgres => 5432,
                DbEngine::Mysql => 3306,
            },
            user: crate::model::runtime::APP_USER.to_string(),
            resources: cl.size(),
            capacity: cl.capacity(),
            labels: cl.labels(),
            name,
            origin,
            spans: cl.spans(),
        });
    }

    /// `cache [NAME] …`: engine, count, TTL, eviction, memory, `colocated`.
    pub(super) fn cache(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let engine = match cl.get("engine") {
            Some(Clause::CacheEngine(e)) => *e,
            _ => CacheEngine::Redis,
        };
        let count = cl.count(1);
        self.model.caches.push(Cache {
            instances: numbered(&name, count),
            name,
            engine,
            count,
            ttl_seconds: match cl.get("ttl") {
                Some(Clause::Ttl(t)) => Some(t.node),
                _ => None,
            },
            evict: match cl.get("evict") {
                Some(Clause::Evict(e)) => Some(*e),
                _ => None,
            },
            memory_mb: match cl.get("memory") {
                Some(Clause::Memory(b)) => mib_ceil(b.node),
                _ => DEFAULT_CACHE_MEMORY_MB,
            },
            colocated: cl.has("colocated"),
            password_env: None,
            port: match engine {
                CacheEngine::Redis => 6379,
                CacheEngine::Memcached => 11211,
            },
            resources: cl.size(),
            capacity: cl.capacity(),
            hits_percent: cl.hits(),
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }

    /// `nosql [NAME] …`: engine and count.
    pub(super) fn nosql(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let engine = match cl.get("engine") {
            Some(Clause::NosqlEngine(e)) => *e,
            _ => NosqlEngine::Dynamodb,
        };
        let count = cl.count(1);
        self.model.nosqls.push(Nosql {
            instances: numbered(&name, count),
            name,
            engine,
            count,
            port: match engine {
                NosqlEngine::Dynamodb => 8000,
                NosqlEngine::Mongodb => 27017,
            },
            password_env: None,
            capacity: cl.capacity(),
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }
}

/// The shards of database `name` (one when it is not sharded, named like the
/// database), each with its primary and `replicas` read replicas.
fn shards(name: &str, sharded: bool, shard_count: u32, replicas: u32) -> Vec<Shard> {
    (1..=shard_count)
        .map(|i| {
            let primary = if sharded {
                format!("{name}-shard-{i}")
            } else {
                name.to_string()
            };
            Shard {
                index: i,
                replicas: (1..=replicas)
                    .map(|r| format!("{primary}-replica-{r}"))
                    .collect(),
                primary,
                // Named once the stage is whole (`assign_password_envs`).
                password_env: String::new(),
            }
        })
        .collect()
}
