//! `02-app-env.yaml`: the environment every application pod shares (the
//! addresses of the data tier), and how the application containers read it.

use super::emitter::{File, K8s};
use super::objects::{ConfigMap, Env, EnvFrom, Map};
use crate::emit::Result;
use crate::model::{App, Meaning, SecretName};

impl K8s<'_> {
    /// Names of the ConfigMaps holding the shared application environment.
    pub(super) fn app_env_name(&self) -> String {
        format!("{}-app-env", self.m.system)
    }

    /// The contract's shared variables with Kubernetes addresses (pod DNS
    /// names of the StatefulSets, Service names); passwords are not here:
    /// they are keys of the Secret.
    pub(super) fn shared_env(&self) -> Map {
        let m = self.m;
        let pod = |set: &str, i: u32| format!("{set}-{i}.{set}");
        let mut env = Map::new();
        for v in self.contract.shared() {
            let value = match &v.meaning {
                Meaning::Password => continue,
                Meaning::Primaries { instances } => instances
                    .iter()
                    .map(|p| pod(p, 0))
                    .collect::<Vec<_>>()
                    .join(","),
                // A shard is one StatefulSet named after its primary: pod 0
                // is the primary, pods 1.. its replicas.
                Meaning::Replicas { shard, .. } => m
                    .db_of(v)
                    .and_then(|d| d.shards.iter().find(|s| s.index == *shard))
                    .map(|s| {
                        (1..=s.replicas.len() as u32)
                            .map(|i| pod(&s.primary, i))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default(),
                Meaning::Nodes { instances } => (0..instances.len() as u32)
                    .map(|i| pod(&v.component, i))
                    .collect::<Vec<_>>()
                    .join(","),
                // The local caches run plain, without TLS.
                Meaning::Tls => "false".into(),
                Meaning::ApiEndpoint => m.local_api_endpoint(v),
                Meaning::QueueUrl => m.local_queue_url(v),
                other => other.literal().unwrap_or_default(),
            };
            env.insert(v.name.clone(), value);
        }
        env
    }

    /// The shared environment an application container reads whole: the
    /// ConfigMap and the Secret, by reference.
    pub(super) fn env_from(&self) -> Vec<EnvFrom> {
        let mut out = Vec::new();
        if !self.app_env.is_empty() {
            out.push(EnvFrom {
                config_map: Some(self.app_env_name()),
                secret: None,
            });
        }
        if !self.secret_keys.is_empty() {
            out.push(EnvFrom {
                config_map: None,
                secret: Some(self.secret.clone()),
            });
        }
        out
    }

    /// Pod annotation with a hash of the shared environment the application
    /// tiers read, so that a change to it rolls the pods as a change to their
    /// own environment would.
    pub(super) fn compute_env_hash(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |s: &str| {
            for b in s.bytes().chain([0]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for (k, v) in self.app_env.iter() {
            feed(k);
            feed(v);
        }
        for k in &self.secret_keys {
            feed(k);
        }
        format!("{h:016x}")
    }

    /// The file with the shared application environment, when some
    /// application tier reads it.
    pub(super) fn app_env_file(&self) -> Result<Option<File>> {
        let webs = !self.m.webs.is_empty();
        let apps = webs || !self.m.workers.is_empty();
        let mut docs = Vec::new();
        if apps && !self.app_env.is_empty() {
            let mut meta = self.meta(&self.app_env_name(), "app-env");
            meta.notes.push(
                "Where every data service is: web tiers and workers read all of it (envFrom)."
                    .into(),
            );
            docs.push(self.doc(
                "config-map",
                &ConfigMap {
                    meta,
                    data: self.app_env.clone(),
                    env: true,
                },
            )?);
        }
        if docs.is_empty() {
            return Ok(None);
        }
        let mut intro = vec![
            "The environment every application pod shares, written once and read whole with envFrom.".to_string(),
        ];
        if !self.secret_keys.is_empty() {
            intro.push(format!(
                "Passwords are not here: the pods read every key of the Secret \"{}\" as a variable of the same name.",
                self.secret
            ));
        }
        Ok(Some(File {
            path: "02-app-env.yaml".into(),
            intro,
            docs,
        }))
    }

    /// A web tier's or worker's own part of the contract: archc's, then the
    /// design's `env` (as written: kubelet reads `$(X)` in a value as a
    /// reference, `$$` as `$`) and `secret` (keys of the application's own
    /// Secret, which the user creates).
    pub(super) fn own_env(&self, app: App<'_>) -> Vec<Env> {
        let (App::Web(name) | App::Worker(name)) = app;
        self.contract
            .own(app)
            .map(|v| match &v.meaning {
                Meaning::Given { value } => Env::value(&v.name, &value.replace('$', "$$")),
                Meaning::Secret => Env::in_secret(&v.name, &self.app_secret(name)),
                other => Env::value(&v.name, &other.literal().unwrap_or_default()),
            })
            .collect()
    }

    /// The Secret holding the design's `secret`s of web tier or worker
    /// `name`: one an application, so that no pod reads another's.
    pub(super) fn app_secret(&self, name: &str) -> String {
        format!("{}-{name}-secrets", self.m.system)
    }

    /// The note on an application's Deployment about its own Secret.
    pub(super) fn app_secret_note(&self, name: &str, secrets: &[SecretName]) -> Option<String> {
        let first = secrets.first()?;
        let names: Vec<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
        Some(format!(
            "{} from the Secret \"{}\" that you create (00-namespace.yaml has the command); the pods start once it has {}.",
            names.join(", "),
            self.app_secret(name),
            if names.len() == 1 { format!("the key {}", first.name) } else { "every key".to_string() }
        ))
    }

    /// Every application with `secret`s: (kind, name, its Secret, the keys).
    pub(super) fn app_secrets(&self) -> Vec<(&'static str, &str, String, Vec<&str>)> {
        let m = self.m;
        let webs = m.webs.iter().map(|w| ("web", &w.name, &w.secrets));
        let workers = m.workers.iter().map(|w| ("worker", &w.name, &w.secrets));
        webs.chain(workers)
            .filter(|(_, _, s)| !s.is_empty())
            .map(|(kind, name, s)| {
                let keys = s.iter().map(|s| s.name.as_str()).collect();
                (kind, name.as_str(), self.app_secret(name), keys)
            })
            .collect()
    }
}
