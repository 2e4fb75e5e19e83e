//! `20-cache-<name>.yaml`: how a cache is deployed (redis or memcached): a
//! StatefulSet of its instances, its headless Service and PodDisruptionBudget.

use super::emitter::{plural, File, K8s, TIER_DATA};
use super::images;
use super::objects::*;
use crate::emit::Result;
use crate::model::{Cache, CacheEngine, Evict};

impl K8s<'_> {
    pub(super) fn cache_file(&self, c: &Cache) -> Result<File> {
        let name = &c.name;
        let mut notes = vec![format!(
            "Instances {} are the pods {}.",
            c.instances.join(", "),
            (0..c.count)
                .map(|i| format!("{name}-{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        let (img, port_name, args, ready) = match c.engine {
            CacheEngine::Redis => {
                let mut args = vec!["--maxmemory".to_string(), format!("{}mb", c.memory_mb)];
                match c.evict {
                    Some(e) => {
                        args.push("--maxmemory-policy".into());
                        args.push(
                            match e {
                                Evict::Lru => "allkeys-lru",
                                Evict::Lfu => "allkeys-lfu",
                                Evict::None => "noeviction",
                            }
                            .into(),
                        );
                    }
                    None => notes.push(
                        "No eviction policy in the design: redis keeps its default (noeviction)."
                            .into(),
                    ),
                }
                // A cache: nothing is written to disk.
                args.extend(["--save", "", "--appendonly", "no"].map(String::from));
                (
                    images::REDIS,
                    "redis",
                    args,
                    Probe::exec(vec!["redis-cli".into(), "ping".into()], 5, 10),
                )
            }
            CacheEngine::Memcached => {
                let mut args = vec!["-m".to_string(), c.memory_mb.to_string()];
                match c.evict {
                    Some(Evict::None) => args.push("-M".into()),
                    Some(Evict::Lfu) => notes.push(
                        "memcached evicts least recently used items only (evict lfu acts as lru)."
                            .into(),
                    ),
                    _ => {}
                }
                (
                    images::MEMCACHED,
                    "memcached",
                    args,
                    Probe::tcp("memcached", 5, 10),
                )
            }
        };
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
        // The container holds maxmemory plus the server's own overhead.
        let memory = c
            .resources
            .memory_mb
            .max(c.memory_mb + c.memory_mb.div_ceil(4));
        let mut meta = self.meta(name, "cache");
        meta.notes = notes;
        let mut docs = vec![self.headless_service(
            name,
            "cache",
            Port {
                name: port_name,
                port: c.port,
            },
        )?];
        docs.push(self.doc(
            "workload",
            &Workload {
                kind: "StatefulSet",
                meta,
                replicas: Some(c.count),
                service_name: Some(name.clone()),
                selector: selector(name),
                spread: c.count > 1,
                pod: Pod {
                    labels: self.pod_labels(name, "cache", TIER_DATA),
                    annotations: Map::new(),
                    service_account: None,
                    non_root: false,
                    run_as_user: None,
                    fs_group: None,
                    init_containers: Vec::new(),
                    containers: vec![Container {
                        name: port_name.into(),
                        image: img.into(),
                        command: Vec::new(),
                        args,
                        ports: vec![Port {
                            name: port_name,
                            port: c.port,
                        }],
                        env: Vec::new(),
                        probes: vec![ready.ready(), Probe::tcp(port_name, 15, 20).live()],
                        cpu: c.resources.cpu.clone(),
                        memory: mib(memory),
                        mounts: Vec::new(),
                        env_from: Vec::new(),
                        restricted: false,
                    }],
                    volumes: Vec::new(),
                },
                claims: Vec::new(),
            },
        )?);
        if c.count > 1 {
            docs.push(self.pdb(name, "cache")?);
        }
        Ok(File {
            path: format!("20-cache-{name}.yaml"),
            intro: vec![format!(
                "Cache \"{name}\" ({}): {}, {} MiB each.",
                match c.engine {
                    CacheEngine::Redis => "redis",
                    CacheEngine::Memcached => "memcached",
                },
                plural(c.count, "instance"),
                c.memory_mb
            )],
            docs,
        })
    }
}
