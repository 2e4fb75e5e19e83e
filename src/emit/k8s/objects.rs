//! The Kubernetes objects as template contexts: plain data, in output order,
//! and the small constructors every family of documents builds them with.

use indexmap::IndexMap;
use serde::Serialize;

pub(super) type Map = IndexMap<String, String>;

#[derive(Serialize, Default)]
pub(super) struct Meta {
    pub(super) name: String,
    pub(super) labels: Map,
    /// Also the checkov suppressions (`checkov.io/skipN`), see `policy`.
    pub(super) annotations: Map,
    /// Comment lines written above the object.
    pub(super) notes: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct Workload {
    /// `Deployment`, `StatefulSet` or `DaemonSet`.
    pub(super) kind: &'static str,
    pub(super) meta: Meta,
    /// `None` when an HPA owns the count (and for DaemonSets).
    pub(super) replicas: Option<u32>,
    /// StatefulSet: the governing headless Service.
    pub(super) service_name: Option<String>,
    pub(super) selector: Map,
    /// Spread the pods over nodes (several replicas).
    pub(super) spread: bool,
    pub(super) pod: Pod,
    pub(super) claims: Vec<Claim>,
}

#[derive(Serialize)]
pub(super) struct Pod {
    pub(super) labels: Map,
    pub(super) annotations: Map,
    pub(super) service_account: Option<String>,
    /// `runAsNonRoot: true` (images archc does not pick, and prometheus).
    pub(super) non_root: bool,
    pub(super) run_as_user: Option<u32>,
    pub(super) run_as_group: Option<u32>,
    pub(super) fs_group: Option<u32>,
    /// Run to completion, in order, before `containers` start.
    pub(super) init_containers: Vec<Container>,
    pub(super) containers: Vec<Container>,
    pub(super) volumes: Vec<Volume>,
}

#[derive(Serialize)]
pub(super) struct Container {
    pub(super) name: String,
    pub(super) image: String,
    /// Replaces the image's entrypoint (empty: keep it).
    pub(super) command: Vec<String>,
    pub(super) args: Vec<String>,
    pub(super) ports: Vec<Port>,
    /// Whole ConfigMaps and Secrets read as environment variables.
    pub(super) env_from: Vec<EnvFrom>,
    pub(super) env: Vec<Env>,
    /// Readiness first, then liveness.
    pub(super) probes: Vec<Probe>,
    pub(super) cpu: String,
    pub(super) memory: String,
    pub(super) mounts: Vec<Mount>,
    /// Every capability is dropped; these are added back (the data images'
    /// entrypoints, see `IMAGE_ENTRYPOINT_CAPS`).
    pub(super) caps_add: Vec<&'static str>,
    /// `readOnlyRootFilesystem`: the software writes only to its volumes.
    pub(super) read_only_root: bool,
}

/// What the official data images (postgres, mysql, redis, rabbitmq, mongo)
/// need to start: their entrypoints run as root, chown the data volume to
/// the image's own user (CHOWN, and DAC_OVERRIDE/FOWNER for files another
/// user owns) and then switch to it with gosu/su-exec (SETUID, SETGID). A
/// subset of the runtime's default capabilities, so the images start as
/// they do by default; NET_RAW, MKNOD, KILL and the rest stay dropped.
pub(super) const IMAGE_ENTRYPOINT_CAPS: [&str; 5] =
    ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"];

#[derive(Serialize)]
pub(super) struct Port {
    pub(super) name: &'static str,
    pub(super) port: u16,
}

#[derive(Serialize)]
pub(super) struct EnvFrom {
    pub(super) config_map: Option<String>,
    pub(super) secret: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Env {
    pub(super) name: String,
    pub(super) value: Option<String>,
    /// Key in the `<system>-secrets` Secret.
    pub(super) secret_key: Option<String>,
    /// The Secret holding `secret_key`, when it is not `<system>-secrets`
    /// (an application's own, for the design's `secret`s).
    pub(super) secret_name: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Probe {
    /// `readinessProbe` or `livenessProbe`.
    pub(super) field: &'static str,
    /// `http`, `tcp` or `exec`.
    pub(super) kind: &'static str,
    pub(super) path: Option<String>,
    pub(super) port: Option<&'static str>,
    pub(super) command: Vec<String>,
    pub(super) initial_delay: u32,
    pub(super) period: u32,
    pub(super) timeout: u32,
    pub(super) failure: u32,
}

#[derive(Serialize, Clone)]
pub(super) struct Mount {
    pub(super) name: &'static str,
    pub(super) path: &'static str,
    pub(super) sub_path: Option<&'static str>,
    pub(super) read_only: bool,
}

#[derive(Serialize)]
pub(super) struct Volume {
    pub(super) name: &'static str,
    pub(super) empty_dir: bool,
    pub(super) config_map: Option<String>,
    pub(super) host_path: Option<&'static str>,
}

impl Volume {
    /// A volume of the ConfigMap `map`'s files (see `K8s::files_config_map`).
    pub(super) fn config_map(name: &'static str, map: &str) -> Volume {
        Volume {
            name,
            empty_dir: false,
            config_map: Some(map.to_string()),
            host_path: None,
        }
    }
}

#[derive(Serialize)]
pub(super) struct Claim {
    pub(super) name: &'static str,
    pub(super) storage_gb: u32,
}

#[derive(Serialize)]
pub(super) struct Service {
    pub(super) meta: Meta,
    pub(super) headless: bool,
    /// Pod DNS names resolve before the pods are ready (members that must
    /// find each other to become ready).
    pub(super) publish_not_ready: bool,
    pub(super) selector: Map,
    pub(super) ports: Vec<Port>,
}

#[derive(Serialize)]
pub(super) struct Hpa {
    pub(super) meta: Meta,
    pub(super) target: String,
    pub(super) min: u32,
    pub(super) max: u32,
    pub(super) cpu_percent: u32,
}

#[derive(Serialize)]
pub(super) struct Pdb {
    pub(super) meta: Meta,
    pub(super) selector: Map,
}

#[derive(Serialize)]
pub(super) struct NetworkPolicy {
    pub(super) meta: Meta,
    /// `matchLabels` of the pods the policy applies to (empty: use `pods`).
    pub(super) match_labels: Map,
    /// Or: the pods, by `app.kubernetes.io/name`.
    pub(super) pods: Vec<String>,
    /// `None`: deny every ingress. Otherwise allowed from these tiers and
    /// from the selected pods themselves (replication), on these ports.
    pub(super) allow: Option<Allow>,
}

#[derive(Serialize)]
pub(super) struct Allow {
    pub(super) tiers: Vec<&'static str>,
    pub(super) ports: Vec<u16>,
}

#[derive(Serialize)]
pub(super) struct Ingress {
    pub(super) meta: Meta,
    pub(super) service: String,
    pub(super) port: u16,
    /// The Secret of the certificate `tls:` names (the user creates it).
    pub(super) tls_secret: String,
}

#[derive(Serialize)]
pub(super) struct ConfigMap {
    pub(super) meta: Meta,
    pub(super) data: Map,
    /// Values are environment variables (one line each), not files.
    pub(super) env: bool,
}

#[derive(Serialize)]
pub(super) struct Rbac {
    /// ServiceAccount, Role and RoleBinding share this name.
    pub(super) meta: Meta,
}

impl Env {
    pub(super) fn value(name: &str, value: &str) -> Env {
        Env {
            name: name.into(),
            value: Some(value.into()),
            secret_key: None,
            secret_name: None,
        }
    }

    pub(super) fn secret(name: &str, key: &str) -> Env {
        Env {
            name: name.into(),
            value: None,
            secret_key: Some(key.into()),
            secret_name: None,
        }
    }

    /// Key `name` of the Secret `secret`, as the variable `name`.
    pub(super) fn in_secret(name: &str, secret: &str) -> Env {
        Env {
            secret_name: Some(secret.into()),
            ..Env::secret(name, name)
        }
    }
}

impl Probe {
    pub(super) fn base(kind: &'static str, initial_delay: u32, period: u32) -> Probe {
        Probe {
            field: "readinessProbe",
            kind,
            path: None,
            port: None,
            command: Vec::new(),
            initial_delay,
            period,
            timeout: 3,
            failure: 3,
        }
    }

    pub(super) fn ready(self) -> Probe {
        Probe {
            field: "readinessProbe",
            ..self
        }
    }

    pub(super) fn live(self) -> Probe {
        Probe {
            field: "livenessProbe",
            ..self
        }
    }

    pub(super) fn http(path: &str, initial_delay: u32, period: u32) -> Probe {
        Probe {
            path: Some(path.into()),
            port: Some("http"),
            ..Probe::base("http", initial_delay, period)
        }
    }

    pub(super) fn tcp(port: &'static str, initial_delay: u32, period: u32) -> Probe {
        Probe {
            port: Some(port),
            ..Probe::base("tcp", initial_delay, period)
        }
    }

    pub(super) fn exec(command: Vec<String>, initial_delay: u32, period: u32) -> Probe {
        Probe {
            command,
            ..Probe::base("exec", initial_delay, period)
        }
    }
}

pub(super) fn selector(name: &str) -> Map {
    let mut m = Map::new();
    m.insert("app.kubernetes.io/name".into(), name.into());
    m
}

pub(super) fn mib(mb: u32) -> String {
    format!("{mb}Mi")
}
