//! `20-cache-<name>.yaml`: how a cache is deployed (redis or memcached): a
//! StatefulSet of its instances, its headless Service and PodDisruptionBudget.

use super::emitter::{plural, File, K8s};
use super::objects::*;
use crate::emit::Result;
use crate::model::{Cache, CacheEngine, Evict};

/// What this target runs for a cache engine, sized and configured from the
/// design's memory and eviction policy.
struct CacheServer {
    image: &'static str,
    /// `sh -c` and the start script, for a server that reads its password
    /// from the environment; empty: the image's own command with `args`.
    command: Vec<String>,
    /// The password variable and the Secret key it is read from.
    env: Vec<Env>,
    /// The container's and its port's name.
    name: &'static str,
    args: Vec<String>,
    ready: Probe,
    /// What the engine does with the design's eviction policy, when that is
    /// not what the design says (or the design says nothing).
    notes: Vec<String>,
}

fn cache_server(c: &Cache) -> CacheServer {
    match c.engine {
        CacheEngine::Redis => redis_cache(c),
        CacheEngine::Memcached => memcached_cache(c),
    }
}

fn redis_cache(c: &Cache) -> CacheServer {
    let mut notes = Vec::new();
    if c.evict.is_none() {
        notes.push(
            "No eviction policy in the design: noeviction, writes fail once memory is full.".into(),
        );
    }
    let (command, args, env) = match (&c.password_env, c.server_script()) {
        (Some(var), Some(script)) => (
            vec!["sh".into(), "-c".into(), script],
            Vec::new(),
            vec![Env::secret(Cache::PASSWORD_VAR, var)],
        ),
        _ => (Vec::new(), c.server_args(), Vec::new()),
    };
    CacheServer {
        image: c.engine.runtime().image,
        command,
        env,
        name: "redis",
        args,
        ready: Probe::exec(vec!["redis-cli".into(), "ping".into()], 5, 10),
        notes,
    }
}

fn memcached_cache(c: &Cache) -> CacheServer {
    let mut notes = Vec::new();
    if c.evict == Some(Evict::Lfu) {
        notes.push(
            "memcached evicts least recently used items only (evict lfu acts as lru).".into(),
        );
    }
    CacheServer {
        image: c.engine.runtime().image,
        command: Vec::new(),
        env: Vec::new(),
        name: "memcached",
        args: c.server_args(),
        ready: Probe::tcp("memcached", 5, 10),
        notes,
    }
}

impl K8s<'_> {
    pub(super) fn cache_file(&self, c: &Cache) -> Result<File> {
        let name = &c.name;
        let server = cache_server(c);
        let mut docs = vec![self.headless_service(
            name,
            "cache",
            Port {
                name: server.name,
                port: c.port,
            },
        )?];
        docs.push(self.workload(self.cache_statefulset(c, server))?);
        if c.count > 1 {
            docs.push(self.pdb(name, "cache")?);
        }
        Ok(File {
            path: format!("20-cache-{name}.yaml"),
            intro: vec![cache_intro(c)],
            docs,
        })
    }

    fn cache_statefulset(&self, c: &Cache, server: CacheServer) -> Workload {
        let name = &c.name;
        let container = Container {
            name: server.name.into(),
            image: server.image.into(),
            command: server.command,
            args: server.args,
            ports: vec![Port {
                name: server.name,
                port: c.port,
            }],
            env: server.env,
            probes: vec![server.ready.ready(), Probe::tcp(server.name, 15, 20).live()],
            cpu: c.resources.cpu.clone(),
            memory: mib(c.container_memory_mb()),
            mounts: Vec::new(),
            env_from: Vec::new(),
            caps_add: if c.runs_as_image_user() {
                Vec::new()
            } else {
                IMAGE_ENTRYPOINT_CAPS.to_vec()
            },
            read_only_root: false,
        };
        Workload {
            kind: "StatefulSet",
            meta: Meta {
                notes: self.cache_notes(c, server.notes),
                ..self.meta(name, "cache")
            },
            replicas: Some(c.count),
            service_name: Some(name.clone()),
            selector: selector(name),
            spread: c.count > 1,
            pod: {
                let mut pod = self.data_pod(name, "cache", container);
                if c.runs_as_image_user() {
                    // The image's redis user from the start (see
                    // `Cache::REDIS_USER`): nothing to chown, no volume.
                    pod.non_root = true;
                    pod.run_as_user = Some(Cache::REDIS_USER.0);
                    pod.run_as_group = Some(Cache::REDIS_USER.1);
                }
                pod
            },
            claims: Vec::new(),
        }
    }

    /// The StatefulSet's comment: which pods are which instances, and what
    /// the engine makes of the design's eviction and expiry.
    fn cache_notes(&self, c: &Cache, engine_notes: Vec<String>) -> Vec<String> {
        let name = &c.name;
        let mut notes = vec![format!(
            "Instances {} are the pods {}.",
            c.instances.join(", "),
            (0..c.count)
                .map(|i| format!("{name}-{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        notes.extend(engine_notes);
        match c.ttl_seconds {
            Some(t) => notes.push(format!(
                "Default expiry {t} s: the application sets it on each key (env {}_TTL_SECONDS of the application tiers).",
                self.contract.prefix("cache", name).unwrap_or_default()
            )),
            None => notes.push("No TTL in the design: keys never expire by default.".into()),
        }
        if c.colocated {
            notes.push(
                "\"colocated\" places the cache on the web host; Kubernetes schedules it as its own pod.".into(),
            );
        }
        notes
    }
}

/// The container holds maxmemory plus the server's own overhead (a quarter
/// more), unless the design's size class gives it more.
fn cache_intro(c: &Cache) -> String {
    format!(
        "Cache \"{}\" ({}): {}, {} MiB each.",
        c.name,
        match c.engine {
            CacheEngine::Redis => "redis",
            CacheEngine::Memcached => "memcached",
        },
        plural(c.count, "instance"),
        c.memory_mb
    )
}
