//! The `k8s` target: plain Kubernetes manifests (built-in kinds and stable
//! APIs only: `v1`, `apps/v1`, `autoscaling/v2`, `networking.k8s.io/v1`,
//! `policy/v1`, `rbac.authorization.k8s.io/v1`) plus a `kustomization.yaml`.
//!
//! One file per component, numbered so that `kubectl apply -f DIR` (which
//! applies in file-name order) creates the namespace first:
//!
//! | file | objects |
//! |---|---|
//! | `00-namespace.yaml` | Namespace named after the system |
//! | `01-network-policy.yaml` | default-deny for the data tier, one allow rule per data component |
//! | `10-db-<name>.yaml` | per shard: headless Service, StatefulSet (primary = pod `-0`), PDB |
//! | `20-cache-<name>.yaml` | headless Service, StatefulSet, PDB |
//! | `30-nosql-<name>.yaml` | mongodb: ConfigMap of replica set scripts, headless Service, StatefulSet (one replica set), PDB; dynamodb: dynamodb-local Deployment + Service |
//! | `40-queue-<name>.yaml` | rabbitmq / redis: StatefulSet; sqs: elasticmq Deployment; + Service |
//! | `50-web-<name>.yaml` | Deployment, Service, HorizontalPodAutoscaler, PDB |
//! | `60-worker-<name>.yaml` | Deployment, PDB |
//! | `70-ingress-<lb>.yaml` | Ingress (ingress-nginx) |
//! | `80-logs.yaml` | fluent-bit ConfigMap + DaemonSet |
//! | `90-metrics.yaml` | Prometheus: RBAC, ConfigMap, Deployment, Service |
//!
//! Passwords are `secretKeyRef`s into one Secret (`<system>-secrets`) that the
//! user creates; archc never writes a Secret object.
//!
//! Decisions live here; the templates under `templates/k8s/` only lay out
//! YAML. Names go through the `yaml` filter (plain scalar when safe, quoted
//! otherwise: a system called `on` or `no` must stay a string); user strings
//! (images) and every env value go through `json`.

use super::templates::{engine, json_quote, render};
use super::{Options, OutFile, Result};
use crate::model::{
    App, AppEnv, Cache, CacheEngine, Db, DbEngine, Evict, Meaning, Model, Nosql, NosqlEngine,
    Origin, Queue, QueueEngine, Resources, SizeClass, Web, Worker, EMULATOR_CREDENTIALS,
};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Context, Tera, Value};

static ENGINE: OnceLock<Tera> = OnceLock::new();

pub(super) fn tera() -> &'static Tera {
    ENGINE.get_or_init(|| {
        let mut t = engine(&[
            (
                "file",
                include_str!("../../../templates/k8s/file.yaml.tera"),
            ),
            (
                "namespace",
                include_str!("../../../templates/k8s/namespace.yaml.tera"),
            ),
            (
                "network-policy",
                include_str!("../../../templates/k8s/network-policy.yaml.tera"),
            ),
            (
                "service",
                include_str!("../../../templates/k8s/service.yaml.tera"),
            ),
            (
                "workload",
                include_str!("../../../templates/k8s/workload.yaml.tera"),
            ),
            ("hpa", include_str!("../../../templates/k8s/hpa.yaml.tera")),
            ("pdb", include_str!("../../../templates/k8s/pdb.yaml.tera")),
            (
                "ingress",
                include_str!("../../../templates/k8s/ingress.yaml.tera"),
            ),
            (
                "config-map",
                include_str!("../../../templates/k8s/config-map.yaml.tera"),
            ),
            (
                "rbac",
                include_str!("../../../templates/k8s/rbac.yaml.tera"),
            ),
            (
                "kustomization",
                include_str!("../../../templates/k8s/kustomization.yaml.tera"),
            ),
            (
                "fluent-bit.conf",
                include_str!("../../../templates/k8s/fluent-bit.conf.tera"),
            ),
            (
                "prometheus.yml",
                include_str!("../../../templates/k8s/prometheus.yml.tera"),
            ),
        ]);
        t.register_filter("yaml", yaml_filter);
        t
    })
}

// ---------------------------------------------------------------------------
// Fixed choices of this target
// ---------------------------------------------------------------------------

const MANAGED_BY: &str = "archc";
/// Storage for components whose size the language does not give (mongodb,
/// persistent queues).
const DEFAULT_VOLUME_GB: u32 = 10;
/// Cookie ingress-nginx sets for sticky routing; the HAProxy target uses the
/// same name, so switching load balancers keeps clients' cookies meaningful.
const STICKY_COOKIE: &str = "SERVERID";

/// Images for the components archc runs itself (the web and worker images
/// come from the design). Should be shared with the compose target.
mod image {
    pub const POSTGRES: &str = "postgres:16";
    pub const MYSQL: &str = "mysql:8.4";
    pub const REDIS: &str = "redis:7.4";
    pub const MEMCACHED: &str = "memcached:1.6";
    pub const MONGODB: &str = "mongo:7.0";
    pub const DYNAMODB_LOCAL: &str = "amazon/dynamodb-local:2.5.2";
    pub const RABBITMQ: &str = "rabbitmq:3.13";
    pub const ELASTICMQ: &str = "softwaremill/elasticmq-native:1.6.9";
    pub const FLUENT_BIT: &str = "fluent/fluent-bit:3.1";
    pub const PROMETHEUS: &str = "prom/prometheus:v2.55.1";
}

// ---------------------------------------------------------------------------
// Template contexts: plain data, in output order
// ---------------------------------------------------------------------------

type Map = IndexMap<String, String>;

#[derive(Serialize, Default)]
struct Meta {
    name: String,
    labels: Map,
    annotations: Map,
    /// Comment lines written above the object.
    notes: Vec<String>,
}

#[derive(Serialize)]
struct Workload {
    /// `Deployment`, `StatefulSet` or `DaemonSet`.
    kind: &'static str,
    meta: Meta,
    /// `None` when an HPA owns the count (and for DaemonSets).
    replicas: Option<u32>,
    /// StatefulSet: the governing headless Service.
    service_name: Option<String>,
    selector: Map,
    /// Spread the pods over nodes (several replicas).
    spread: bool,
    pod: Pod,
    claims: Vec<Claim>,
}

#[derive(Serialize)]
struct Pod {
    labels: Map,
    annotations: Map,
    service_account: Option<String>,
    /// `runAsNonRoot: true` (images archc does not pick, and prometheus).
    non_root: bool,
    run_as_user: Option<u32>,
    fs_group: Option<u32>,
    /// Run to completion, in order, before `containers` start.
    init_containers: Vec<Container>,
    containers: Vec<Container>,
    volumes: Vec<Volume>,
}

#[derive(Serialize)]
struct Container {
    name: String,
    image: String,
    /// Replaces the image's entrypoint (empty: keep it).
    command: Vec<String>,
    args: Vec<String>,
    ports: Vec<Port>,
    /// Whole ConfigMaps and Secrets read as environment variables.
    env_from: Vec<EnvFrom>,
    env: Vec<Env>,
    /// Readiness first, then liveness.
    probes: Vec<Probe>,
    cpu: String,
    memory: String,
    mounts: Vec<Mount>,
    /// No privilege escalation, every capability dropped.
    restricted: bool,
}

#[derive(Serialize)]
struct Port {
    name: &'static str,
    port: u16,
}

#[derive(Serialize)]
struct EnvFrom {
    config_map: Option<String>,
    secret: Option<String>,
}

#[derive(Serialize)]
struct Env {
    name: String,
    value: Option<String>,
    /// Key in the `<system>-secrets` Secret.
    secret_key: Option<String>,
}

#[derive(Serialize)]
struct Probe {
    /// `readinessProbe` or `livenessProbe`.
    field: &'static str,
    /// `http`, `tcp` or `exec`.
    kind: &'static str,
    path: Option<String>,
    port: Option<&'static str>,
    command: Vec<String>,
    initial_delay: u32,
    period: u32,
    timeout: u32,
    failure: u32,
}

#[derive(Serialize, Clone)]
struct Mount {
    name: &'static str,
    path: &'static str,
    sub_path: Option<&'static str>,
    read_only: bool,
}

#[derive(Serialize)]
struct Volume {
    name: &'static str,
    empty_dir: bool,
    config_map: Option<String>,
    host_path: Option<&'static str>,
}

#[derive(Serialize)]
struct Claim {
    name: &'static str,
    storage_gb: u32,
}

#[derive(Serialize)]
struct Service {
    meta: Meta,
    headless: bool,
    /// Pod DNS names resolve before the pods are ready (members that must
    /// find each other to become ready).
    publish_not_ready: bool,
    selector: Map,
    ports: Vec<Port>,
}

#[derive(Serialize)]
struct Hpa {
    meta: Meta,
    target: String,
    min: u32,
    max: u32,
    cpu_percent: u32,
}

#[derive(Serialize)]
struct Pdb {
    meta: Meta,
    selector: Map,
}

#[derive(Serialize)]
struct NetworkPolicy {
    meta: Meta,
    /// `matchLabels` of the pods the policy applies to (empty: use `pods`).
    match_labels: Map,
    /// Or: the pods, by `app.kubernetes.io/name`.
    pods: Vec<String>,
    /// `None`: deny every ingress. Otherwise allowed from these tiers and
    /// from the selected pods themselves (replication), on these ports.
    allow: Option<Allow>,
}

#[derive(Serialize)]
struct Allow {
    tiers: Vec<&'static str>,
    ports: Vec<u16>,
}

#[derive(Serialize)]
struct Ingress {
    meta: Meta,
    service: String,
    port: u16,
}

#[derive(Serialize)]
struct ConfigMap {
    meta: Meta,
    data: Map,
    /// Values are environment variables (one line each), not files.
    env: bool,
}

#[derive(Serialize)]
struct Rbac {
    /// ServiceAccount, Role and RoleBinding share this name.
    meta: Meta,
}

// ---------------------------------------------------------------------------
// Emitter
// ---------------------------------------------------------------------------

/// Renders every `k8s` file for one stage and hands each to `sink` as soon as
/// it is rendered: a stage of thousands of components writes thousands of
/// files, and none has to wait in memory for the others.
pub fn emit_each(
    model: &Model,
    _opts: &Options,
    sink: &mut dyn FnMut(OutFile) -> Result<()>,
) -> Result<()> {
    let k = K8s::new(model);
    // Each file with the components whose design lines it records in its
    // header; a component's own file names them directly (looking them up by
    // file name would scan every component for every file).
    let mut names: Vec<String> = Vec::new();
    let mut put = |f: File, origins: &[&Origin]| -> Result<()> {
        names.push(f.path.clone());
        sink(k.render_file(f, origins)?)
    };
    let shared = |f: File, put: &mut dyn FnMut(File, &[&Origin]) -> Result<()>| {
        let origins = shared_file_origins(model, &f.path);
        put(f, &origins)
    };
    shared(k.namespace_file()?, &mut put)?;
    if let Some(f) = k.network_policy_file()? {
        shared(f, &mut put)?;
    }
    if let Some(f) = k.app_env_file()? {
        shared(f, &mut put)?;
    }
    for db in &model.dbs {
        put(k.db_file(db)?, &[&db.origin])?;
    }
    for c in &model.caches {
        put(k.cache_file(c)?, &[&c.origin])?;
    }
    for n in &model.nosqls {
        put(k.nosql_file(n)?, &[&n.origin])?;
    }
    for q in &model.queues {
        put(k.queue_file(q)?, &[&q.origin])?;
    }
    for w in &model.webs {
        put(k.web_file(w)?, &[&w.origin])?;
    }
    // A worker and the queue it consumes.
    for w in &model.workers {
        let mut origins = vec![&w.origin];
        origins.extend(k.queues.get(w.queue.as_str()).map(|q| &q.origin));
        put(k.worker_file(w)?, &origins)?;
    }
    // A balancer and the web tiers behind it.
    for lb in &model.lbs {
        if let Some(f) = k.ingress_file(lb)? {
            let mut origins = vec![&lb.origin];
            origins.extend(
                lb.backends
                    .iter()
                    .filter_map(|b| k.webs.get(b.as_str()))
                    .map(|w| &w.origin),
            );
            put(f, &origins)?;
        }
    }
    if model.logs.is_some() {
        shared(k.logs_file()?, &mut put)?;
    }
    if model.metrics.is_some() {
        shared(k.metrics_file()?, &mut put)?;
    }

    let mut ctx = k.base_ctx();
    ctx.insert("resources", &names);
    let kustomization = one_newline(render(tera(), "kustomization", &ctx)?);
    sink(OutFile {
        path: "kustomization.yaml".into(),
        contents: super::with_design_lines(kustomization, model, &[]),
    })
}

/// A data-tier component as the network policies see it: (kind, name,
/// names of its workloads, ports, whether workers may connect).
type DataComponent = (&'static str, String, Vec<String>, Vec<u16>, bool);

/// One output file before rendering: its intro comment and its documents.
struct File {
    path: String,
    intro: Vec<String>,
    docs: Vec<String>,
}

struct K8s<'m> {
    m: &'m Model,
    ns: String,
    secret: String,
    /// The model's application environment contract.
    contract: AppEnv,
    /// (kind, name) of every data component workers read a variable of.
    worker_reads: std::collections::HashSet<(String, String)>,
    /// Its shared, non-secret part with this target's addresses: the
    /// ConfigMap `<system>-app-env` that web tiers and workers read whole
    /// (`envFrom`).
    app_env: Map,
    /// Keys of the `<system>-secrets` Secret, which web tiers and workers read
    /// whole (`envFrom`): each key is the variable's name.
    secret_keys: Vec<String>,
    /// `env_hash` of what web tiers and workers read, computed once.
    env_hash: String,
    /// `base_ctx()`, built once: every document's context starts from it.
    base: Context,
    webs: HashMap<&'m str, &'m Web>,
    dbs: HashMap<&'m str, &'m Db>,
    queues: HashMap<&'m str, &'m Queue>,
}

/// Tier label values (`archc.dev/tier`): the network policies select by them.
const TIER_WEB: &str = "web";
const TIER_DATA: &str = "data";
const TIER_WORKER: &str = "worker";
const TIER_OPS: &str = "ops";
/// Pod annotation: hash of the shared environment (ConfigMaps and Secret
/// keys) the pod reads, so a change to it rolls the pods.
const ENV_HASH: &str = "archc.dev/env-hash";

impl<'m> K8s<'m> {
    fn new(m: &'m Model) -> Self {
        let mut k = K8s {
            m,
            ns: m.system.clone(),
            secret: format!("{}-secrets", m.system),
            contract: m.app_env(),
            worker_reads: Default::default(),
            app_env: Map::new(),
            secret_keys: Vec::new(),
            env_hash: String::new(),
            base: Context::new(),
            webs: m.webs.iter().map(|w| (w.name.as_str(), w)).collect(),
            dbs: m.dbs.iter().map(|d| (d.name.as_str(), d)).collect(),
            queues: m.queues.iter().map(|q| (q.name.as_str(), q)).collect(),
        };
        k.app_env = k.shared_env();
        k.secret_keys = k.contract.secrets().map(|v| v.name.clone()).collect();
        // The local DynamoDB / SQS emulators' credentials, as Secret keys.
        if m.needs_emulator_credentials() {
            k.secret_keys.extend(EMULATOR_CREDENTIALS.map(String::from));
        }
        k.worker_reads = k
            .contract
            .vars
            .iter()
            .filter(|v| !matches!(v.reader, crate::model::Reader::Web(_)))
            .map(|v| (v.kind.to_string(), v.component.clone()))
            .collect();
        k.env_hash = k.compute_env_hash();
        k.base = k.base_ctx();
        k
    }

    /// Names of the ConfigMaps holding the shared application environment.
    fn app_env_name(&self) -> String {
        format!("{}-app-env", self.m.system)
    }

    fn base_ctx(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert("ns", &self.ns);
        ctx.insert("secret", &self.secret);
        ctx.insert("header", &super::header_line(self.m));
        ctx
    }

    fn doc(&self, template: &str, o: &impl Serialize) -> Result<String> {
        // A clone of three short strings, not three serialisations a document.
        let mut ctx = self.base.clone();
        ctx.insert("o", o);
        // Each document ends with exactly one newline, so the file does too.
        Ok(one_newline(render(tera(), template, &ctx)?))
    }

    /// The file's header comment from its template, then its documents,
    /// already rendered, appended as they are (not copied through a context).
    fn render_file(&self, f: File, origins: &[&Origin]) -> Result<OutFile> {
        let mut ctx = self.base.clone();
        ctx.insert("intro", &f.intro);
        let head = super::with_design_lines(render(tera(), "file", &ctx)?, self.m, origins);
        // The head goes in front of the first document, in its buffer: a
        // file of megabytes (the network policies) is not copied whole.
        let mut docs = f.docs.into_iter();
        let mut contents = match docs.next() {
            Some(mut first) => {
                first.insert_str(0, &head);
                first
            }
            None => head,
        };
        for d in docs {
            contents.push_str(&d);
        }
        Ok(OutFile {
            path: f.path,
            contents,
        })
    }

    // --- labels -------------------------------------------------------------

    /// Labels on an object's own metadata.
    fn labels(&self, name: &str, component: &str) -> Map {
        let mut l = Map::new();
        l.insert("app.kubernetes.io/name".into(), name.into());
        l.insert("app.kubernetes.io/component".into(), component.into());
        l.insert("app.kubernetes.io/part-of".into(), self.m.system.clone());
        l.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
        l.insert("archc.dev/stage".into(), self.m.stage.clone());
        l
    }

    fn meta(&self, name: &str, component: &str) -> Meta {
        Meta {
            name: name.into(),
            labels: self.labels(name, component),
            ..Meta::default()
        }
    }

    /// Labels on pods. No stage label: moving to the next stage must not
    /// restart pods whose spec did not change.
    fn pod_labels(&self, name: &str, component: &str, tier: &str) -> Map {
        let mut l = Map::new();
        l.insert("app.kubernetes.io/name".into(), name.into());
        l.insert("app.kubernetes.io/component".into(), component.into());
        l.insert("app.kubernetes.io/part-of".into(), self.m.system.clone());
        l.insert("archc.dev/tier".into(), tier.into());
        l
    }

    // --- files ----------------------------------------------------------------

    fn namespace_file(&self) -> Result<File> {
        let mut intro = Vec::new();
        let keys = &self.secret_keys;
        if !keys.is_empty() {
            intro.push(format!(
                "Passwords are read from the Secret \"{}\", which archc never writes. Create it after this file, before the others:",
                self.secret
            ));
            let mut cmd = format!(
                "  kubectl create secret generic {} --namespace {}",
                self.secret, self.ns
            );
            for k in keys {
                cmd.push_str(&format!(
                    " \\\n#     --from-literal={k}=\"$(openssl rand -hex 24)\""
                ));
            }
            intro.push(cmd);
        }
        if let Some(dc) = &self.m.datacenters {
            intro.push(format!(
                "Data centers {}: apply these manifests to one cluster per data center{}.",
                dc.regions.join(", "),
                if dc.geodns {
                    "; geo DNS sends each user to the nearest one's ingress"
                } else {
                    ""
                }
            ));
        }
        let mut meta = self.meta(&self.ns, "namespace");
        meta.labels.shift_remove("app.kubernetes.io/component");
        Ok(File {
            path: "00-namespace.yaml".into(),
            intro,
            docs: vec![self.doc("namespace", &meta)?],
        })
    }

    /// Whether workers read some variable of a data component: then its
    /// network policy lets them in.
    fn workers_read(&self, kind: &str, name: &str) -> bool {
        self.worker_reads
            .contains(&(kind.to_string(), name.to_string()))
    }

    /// The data tier, one entry per component.
    fn data_components(&self) -> Vec<DataComponent> {
        let mut out = Vec::new();
        for db in &self.m.dbs {
            let pods = db.shards.iter().map(|s| s.primary.clone()).collect();
            out.push((
                "db",
                db.name.clone(),
                pods,
                vec![db.port],
                self.workers_read("db", &db.name),
            ));
        }
        for c in &self.m.caches {
            out.push((
                "cache",
                c.name.clone(),
                vec![c.name.clone()],
                vec![c.port],
                self.workers_read("cache", &c.name),
            ));
        }
        for n in &self.m.nosqls {
            out.push((
                "nosql",
                n.name.clone(),
                vec![n.name.clone()],
                vec![n.port],
                self.workers_read("nosql", &n.name),
            ));
        }
        for q in &self.m.queues {
            out.push((
                "queue",
                q.name.clone(),
                vec![q.name.clone()],
                vec![q.port],
                self.workers_read("queue", &q.name),
            ));
        }
        out
    }

    fn network_policy_file(&self) -> Result<Option<File>> {
        let data = self.data_components();
        if data.is_empty() {
            return Ok(None);
        }
        // One policy per data component: megabytes at 10,000 components, so
        // the documents are appended to one text as they are rendered.
        let mut docs = String::new();
        let mut deny = self.meta("deny-data-ingress", "network-policy");
        deny.notes
            .push("The data tier accepts no connection unless a policy below allows it.".into());
        let mut sel = Map::new();
        sel.insert("archc.dev/tier".into(), TIER_DATA.into());
        docs.push_str(&self.doc(
            "network-policy",
            &NetworkPolicy {
                meta: deny,
                match_labels: sel,
                pods: Vec::new(),
                allow: None,
            },
        )?);
        for (kind, name, pods, ports, workers) in data {
            let mut meta = self.meta(&format!("allow-{kind}-{name}"), "network-policy");
            let mut tiers = vec![TIER_WEB];
            if workers {
                tiers.push(TIER_WORKER);
            }
            meta.notes.push(format!(
                "{kind} \"{name}\": reachable from the {} pods, and from its own pods (replication).",
                tiers.join(" and ")
            ));
            docs.push_str(&self.doc(
                "network-policy",
                &NetworkPolicy {
                    meta,
                    match_labels: Map::new(),
                    pods,
                    allow: Some(Allow { tiers, ports }),
                },
            )?);
        }
        Ok(Some(File {
            path: "01-network-policy.yaml".into(),
            intro: vec![
                "Only the application tiers (web and workers) may reach the data tier.".into(),
                "NetworkPolicies need a network plugin that enforces them (Calico, Cilium, ...)."
                    .into(),
            ],
            docs: vec![docs],
        }))
    }

    fn pdb(&self, name: &str, component: &str) -> Result<String> {
        self.doc(
            "pdb",
            &Pdb {
                meta: self.meta(name, component),
                selector: selector(name),
            },
        )
    }

    fn headless_service(&self, name: &str, component: &str, port: Port) -> Result<String> {
        self.doc(
            "service",
            &Service {
                meta: self.meta(name, component),
                headless: true,
                publish_not_ready: false,
                selector: selector(name),
                ports: vec![port],
            },
        )
    }

    fn db_file(&self, db: &Db) -> Result<File> {
        let (img, port_name, data_path) = match db.engine {
            DbEngine::Postgres => (image::POSTGRES, "postgres", "/var/lib/postgresql/data"),
            DbEngine::Mysql => (image::MYSQL, "mysql", "/var/lib/mysql"),
        };
        let ready = match db.engine {
            DbEngine::Postgres => vec![
                "pg_isready".to_string(),
                "-U".into(),
                db.user.clone(),
                "-h".into(),
                "127.0.0.1".into(),
                "-p".into(),
                db.port.to_string(),
            ],
            DbEngine::Mysql => vec![
                "mysqladmin".to_string(),
                "ping".into(),
                "-h".into(),
                "127.0.0.1".into(),
            ],
        };
        let scripts = replication_config_name(&db.name);
        // One ConfigMap of replication scripts for every shard.
        let mut docs = vec![self.doc(
            "config-map",
            &ConfigMap {
                meta: Meta {
                    notes: vec![format!(
                        "Replication scripts of every pod of database \"{}\" (the StatefulSets below mount them).",
                        db.name
                    )],
                    ..self.meta(&scripts, "db")
                },
                data: replication_scripts(db),
                env: false,
            },
        )?];
        // A new volume holds lost+found: the server's data directory must be
        // a subdirectory.
        let data_mount = || Mount {
            name: "data",
            path: data_path,
            sub_path: Some(port_name),
            read_only: false,
        };
        let initdb_mount = Mount {
            name: "replication",
            path: INITDB_SCRIPT,
            sub_path: Some(INITDB_KEY),
            read_only: true,
        };
        let scripts_mount = || Mount {
            name: "replication",
            path: REPLICATION_DIR,
            sub_path: None,
            read_only: true,
        };
        for shard in &db.shards {
            let name = &shard.primary;
            let replicas = 1 + db.replicas;
            let primary_host = format!("{name}-0.{name}");
            // Each shard's pods read that shard's password.
            let mut env = Vec::new();
            let mut command = Vec::new();
            let mut mounts = vec![data_mount(), initdb_mount.clone()];
            let mut init_containers = Vec::new();
            match db.engine {
                DbEngine::Postgres => {
                    env.push(Env::value("POSTGRES_USER", &db.user));
                    env.push(Env::secret("POSTGRES_PASSWORD", &shard.password_env));
                    env.push(Env::value("POSTGRES_DB", &db.user));
                    init_containers.push(Container {
                        name: "clone".into(),
                        image: img.into(),
                        command: vec!["sh".into(), format!("{REPLICATION_DIR}/{CLONE_KEY}")],
                        args: Vec::new(),
                        ports: Vec::new(),
                        env_from: Vec::new(),
                        env: vec![
                            Env::value("PRIMARY_HOST", &primary_host),
                            Env::secret("PGPASSWORD", &shard.password_env),
                        ],
                        probes: Vec::new(),
                        cpu: db.resources.cpu.clone(),
                        memory: mib(db.resources.memory_mb),
                        mounts: vec![data_mount(), scripts_mount()],
                        restricted: false,
                    });
                }
                DbEngine::Mysql => {
                    env.push(Env::value("MYSQL_USER", &db.user));
                    env.push(Env::secret("MYSQL_PASSWORD", &shard.password_env));
                    env.push(Env::value("MYSQL_DATABASE", &db.user));
                    // The root account is not used by the application; a random
                    // password (printed once in the log) avoids a second secret.
                    env.push(Env::value("MYSQL_RANDOM_ROOT_PASSWORD", "yes"));
                    env.push(Env::value("PRIMARY_HOST", &primary_host));
                    // The server's options depend on the pod's ordinal.
                    command = vec!["sh".into(), format!("{REPLICATION_DIR}/{START_KEY}")];
                    mounts.push(scripts_mount());
                }
            }

            docs.push(self.headless_service(
                name,
                "db",
                Port {
                    name: port_name,
                    port: db.port,
                },
            )?);
            let mut meta = self.meta(name, "db");
            if db.shard_key.is_some() {
                meta.notes.push(format!(
                    "Shard {} of {} (sharded by {}).",
                    shard.index,
                    db.shard_count,
                    db.shard_key.as_deref().unwrap_or_default()
                ));
            }
            meta.notes.push(format!(
                "Pod {name}-0 ({primary_host}) is the primary \"{name}\": the application writes to that"
            ));
            meta.notes.push(format!(
                "address only (the bare Service name {name} resolves to every pod)."
            ));
            for (i, r) in shard.replicas.iter().enumerate() {
                meta.notes.push(format!(
                    "Pod {name}-{} ({name}-{}.{name}) is the read replica \"{r}\".",
                    i + 1,
                    i + 1
                ));
            }
            meta.notes.extend(replication_notes(db, &scripts));
            if db.colocated {
                meta.notes.push(
                    "\"colocated\" places the database on the web host; Kubernetes schedules it as its own pod.".into(),
                );
            }
            let res = &db.resources;
            docs.push(self.doc(
                "workload",
                &Workload {
                    kind: "StatefulSet",
                    meta,
                    replicas: Some(replicas),
                    service_name: Some(name.clone()),
                    selector: selector(name),
                    // Also with one pod: the template must not depend on the
                    // number of replicas (see replication_notes).
                    spread: true,
                    pod: Pod {
                        labels: self.pod_labels(name, "db", TIER_DATA),
                        annotations: Map::new(),
                        service_account: None,
                        non_root: false,
                        run_as_user: None,
                        fs_group: None,
                        init_containers,
                        containers: vec![Container {
                            name: port_name.into(),
                            image: img.into(),
                            command,
                            args: Vec::new(),
                            ports: vec![Port {
                                name: port_name,
                                port: db.port,
                            }],
                            env,
                            probes: vec![
                                Probe::exec(ready.clone(), 5, 10).ready(),
                                // First start initialises the data directory: give it time.
                                Probe {
                                    failure: 6,
                                    ..Probe::tcp(port_name, 30, 20)
                                }
                                .live(),
                            ],
                            cpu: res.cpu.clone(),
                            memory: mib(res.memory_mb),
                            mounts,
                            env_from: Vec::new(),
                            restricted: false,
                        }],
                        volumes: vec![Volume {
                            name: "replication",
                            empty_dir: false,
                            config_map: Some(scripts.clone()),
                            host_path: None,
                        }],
                    },
                    claims: vec![Claim {
                        name: "data",
                        storage_gb: db.storage_gb,
                    }],
                },
            )?);
            if replicas > 1 {
                docs.push(self.pdb(name, "db")?);
            }
        }
        Ok(File {
            path: format!("10-db-{}.yaml", db.name),
            intro: vec![format!(
                "Database \"{}\" ({}): {}{}, {} GiB {}.",
                db.name,
                engine_name_db(db.engine),
                match &db.shard_key {
                    Some(k) => format!("{} by {k}, each ", plural(db.shard_count, "shard")),
                    None => String::new(),
                },
                if db.replicas == 0 {
                    "a single server".to_string()
                } else {
                    format!("a primary and {}", plural(db.replicas, "read replica"))
                },
                db.storage_gb,
                if db.instance_count() == 1 {
                    "of storage"
                } else {
                    "each"
                }
            )],
            docs,
        })
    }

    fn cache_file(&self, c: &Cache) -> Result<File> {
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
                    image::REDIS,
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
                    image::MEMCACHED,
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

    fn nosql_file(&self, n: &Nosql) -> Result<File> {
        let name = &n.name;
        let small = SizeClass::Small.resources();
        let mut docs = Vec::new();
        let mut meta = self.meta(name, "nosql");
        let workload = match n.engine {
            NosqlEngine::Mongodb => {
                let scripts = replication_config_name(&n.name);
                docs.push(self.doc(
                    "config-map",
                    &ConfigMap {
                        meta: Meta {
                            notes: vec![format!(
                                "Replica set scripts of every pod of MongoDB \"{name}\" (the StatefulSet below mounts them)."
                            )],
                            ..self.meta(&scripts, "nosql")
                        },
                        data: mongo_scripts(n),
                        env: false,
                    },
                )?);
                let mut svc = self.meta(name, "nosql");
                svc.notes.push(
                    "publishNotReadyAddresses: a pod is ready once it is a member of the replica set, and it"
                        .into(),
                );
                svc.notes.push(
                    "becomes one by its DNS name: the members must resolve each other before that."
                        .into(),
                );
                docs.push(self.doc(
                    "service",
                    &Service {
                        meta: svc,
                        headless: true,
                        publish_not_ready: true,
                        selector: selector(name),
                        ports: vec![Port {
                            name: "mongodb",
                            port: n.port,
                        }],
                    },
                )?);
                meta.notes.push(format!(
                    "Instances {} are the pods {name}-0..{name}-{}, members of replica set \"{name}\"",
                    n.instances.join(", "),
                    n.count - 1
                ));
                meta.notes.extend(mongo_notes(n, &scripts));
                let password = n.password_env.as_deref().unwrap_or_default();
                Workload {
                    kind: "StatefulSet",
                    meta,
                    replicas: Some(n.count),
                    service_name: Some(name.clone()),
                    selector: selector(name),
                    // Also with one pod: the template must not depend on the
                    // number of instances (see mongo_notes).
                    spread: true,
                    pod: Pod {
                        volumes: vec![Volume {
                            name: "replication",
                            empty_dir: false,
                            config_map: Some(scripts.clone()),
                            host_path: None,
                        }],
                        ..self.data_pod(
                            name,
                            "nosql",
                            Container {
                                name: "mongodb".into(),
                                image: image::MONGODB.into(),
                                command: vec![
                                    "sh".into(),
                                    format!("{REPLICATION_DIR}/{START_KEY}"),
                                ],
                                args: Vec::new(),
                                ports: vec![Port {
                                    name: "mongodb",
                                    port: n.port,
                                }],
                                env: vec![
                                    Env::value("MONGO_INITDB_ROOT_USERNAME", MONGO_USER),
                                    Env::secret("MONGO_INITDB_ROOT_PASSWORD", password),
                                ],
                                probes: vec![
                                    // Joining the set takes a few mongosh runs.
                                    Probe {
                                        timeout: 20,
                                        ..Probe::exec(
                                            vec![
                                                "sh".into(),
                                                format!("{REPLICATION_DIR}/{READY_KEY}"),
                                            ],
                                            10,
                                            10,
                                        )
                                    }
                                    .ready(),
                                    Probe::tcp("mongodb", 30, 20).live(),
                                ],
                                cpu: small.cpu.clone(),
                                memory: mib(small.memory_mb),
                                mounts: vec![
                                    Mount {
                                        name: "data",
                                        path: "/data/db",
                                        sub_path: Some("mongodb"),
                                        read_only: false,
                                    },
                                    Mount {
                                        name: "replication",
                                        path: REPLICATION_DIR,
                                        sub_path: None,
                                        read_only: true,
                                    },
                                ],
                                env_from: Vec::new(),
                                restricted: false,
                            },
                        )
                    },
                    claims: vec![Claim {
                        name: "data",
                        storage_gb: DEFAULT_VOLUME_GB,
                    }],
                }
            }
            NosqlEngine::Dynamodb => {
                docs.push(self.cluster_service(name, "nosql", "dynamodb", n.port)?);
                meta.notes.push(
                    "DynamoDB is an AWS service: in the cluster, dynamodb-local (in memory) stands in for it.".into(),
                );
                Workload {
                    kind: "Deployment",
                    meta,
                    replicas: Some(n.count),
                    service_name: None,
                    selector: selector(name),
                    spread: n.count > 1,
                    pod: self.data_pod(
                        name,
                        "nosql",
                        Container {
                            name: "dynamodb".into(),
                            image: image::DYNAMODB_LOCAL.into(),
                            command: Vec::new(),
                            args: Vec::new(),
                            ports: vec![Port {
                                name: "dynamodb",
                                port: n.port,
                            }],
                            env: Vec::new(),
                            probes: vec![
                                Probe::tcp("dynamodb", 5, 10).ready(),
                                Probe::tcp("dynamodb", 15, 20).live(),
                            ],
                            cpu: small.cpu.clone(),
                            memory: mib(small.memory_mb),
                            mounts: Vec::new(),
                            env_from: Vec::new(),
                            restricted: false,
                        },
                    ),
                    claims: Vec::new(),
                }
            }
        };
        docs.push(self.doc("workload", &workload)?);
        if n.count > 1 {
            docs.push(self.pdb(name, "nosql")?);
        }
        Ok(File {
            path: format!("30-nosql-{name}.yaml"),
            intro: vec![format!(
                "NoSQL store \"{name}\" ({}): {}.",
                match n.engine {
                    NosqlEngine::Mongodb => "mongodb",
                    NosqlEngine::Dynamodb => "dynamodb",
                },
                plural(n.count, "instance")
            )],
            docs,
        })
    }

    fn data_pod(&self, name: &str, component: &str, c: Container) -> Pod {
        Pod {
            labels: self.pod_labels(name, component, TIER_DATA),
            annotations: Map::new(),
            service_account: None,
            non_root: false,
            run_as_user: None,
            fs_group: None,
            init_containers: Vec::new(),
            containers: vec![c],
            volumes: Vec::new(),
        }
    }

    fn cluster_service(
        &self,
        name: &str,
        component: &str,
        port_name: &'static str,
        port: u16,
    ) -> Result<String> {
        self.doc(
            "service",
            &Service {
                meta: self.meta(name, component),
                headless: false,
                publish_not_ready: false,
                selector: selector(name),
                ports: vec![Port {
                    name: port_name,
                    port,
                }],
            },
        )
    }

    fn queue_file(&self, q: &Queue) -> Result<File> {
        let name = &q.name;
        let small = SizeClass::Small.resources();
        let mut meta = self.meta(name, "queue");
        let (kind, port_name, container, claims) = match q.engine {
            QueueEngine::Rabbitmq => {
                meta.notes.push(
                    "A StatefulSet: RabbitMQ names its node after the host name, which must stay stable.".into(),
                );
                (
                    "StatefulSet",
                    "amqp",
                    Container {
                        name: "rabbitmq".into(),
                        image: image::RABBITMQ.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: vec![Port {
                            name: "amqp",
                            port: q.port,
                        }],
                        env: vec![
                            Env::value("RABBITMQ_DEFAULT_USER", "app"),
                            Env::secret(
                                "RABBITMQ_DEFAULT_PASS",
                                q.password_env.as_deref().unwrap_or_default(),
                            ),
                        ],
                        probes: vec![
                            Probe {
                                timeout: 10,
                                ..Probe::exec(
                                    vec!["rabbitmq-diagnostics".into(), "-q".into(), "ping".into()],
                                    10,
                                    30,
                                )
                            }
                            .ready(),
                            Probe::tcp("amqp", 60, 30).live(),
                        ],
                        cpu: small.cpu.clone(),
                        memory: mib(small.memory_mb),
                        mounts: vec![Mount {
                            name: "data",
                            path: "/var/lib/rabbitmq",
                            sub_path: Some("rabbitmq"),
                            read_only: false,
                        }],
                        env_from: Vec::new(),
                        restricted: false,
                    },
                    vec![Claim {
                        name: "data",
                        storage_gb: DEFAULT_VOLUME_GB,
                    }],
                )
            }
            QueueEngine::Redis => (
                "StatefulSet",
                "redis",
                Container {
                    name: "redis".into(),
                    image: image::REDIS.into(),
                    command: Vec::new(),
                    // A queue must survive a restart: append-only file on.
                    args: vec!["--appendonly".into(), "yes".into()],
                    ports: vec![Port {
                        name: "redis",
                        port: q.port,
                    }],
                    env: Vec::new(),
                    probes: vec![
                        Probe::exec(vec!["redis-cli".into(), "ping".into()], 5, 10).ready(),
                        Probe::tcp("redis", 15, 20).live(),
                    ],
                    cpu: small.cpu.clone(),
                    memory: mib(small.memory_mb),
                    mounts: vec![Mount {
                        name: "data",
                        path: "/data",
                        sub_path: Some("redis"),
                        read_only: false,
                    }],
                    env_from: Vec::new(),
                    restricted: false,
                },
                vec![Claim {
                    name: "data",
                    storage_gb: DEFAULT_VOLUME_GB,
                }],
            ),
            QueueEngine::Sqs => {
                meta.notes.push(
                    "SQS is an AWS service: in the cluster, ElasticMQ (SQS API, in memory) stands in for it.".into(),
                );
                (
                    "Deployment",
                    "sqs",
                    Container {
                        name: "elasticmq".into(),
                        image: image::ELASTICMQ.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: vec![Port {
                            name: "sqs",
                            port: q.port,
                        }],
                        env: Vec::new(),
                        probes: vec![
                            Probe::tcp("sqs", 5, 10).ready(),
                            Probe::tcp("sqs", 15, 20).live(),
                        ],
                        cpu: small.cpu.clone(),
                        memory: mib(small.memory_mb),
                        mounts: Vec::new(),
                        env_from: Vec::new(),
                        restricted: false,
                    },
                    Vec::new(),
                )
            }
        };
        let mut docs = Vec::new();
        docs.push(if kind == "StatefulSet" {
            self.headless_service(
                name,
                "queue",
                Port {
                    name: port_name,
                    port: q.port,
                },
            )?
        } else {
            self.cluster_service(name, "queue", port_name, q.port)?
        });
        docs.push(self.doc(
            "workload",
            &Workload {
                kind,
                meta,
                replicas: Some(1),
                service_name: (kind == "StatefulSet").then(|| name.clone()),
                selector: selector(name),
                spread: false,
                pod: self.data_pod(name, "queue", container),
                claims,
            },
        )?);
        Ok(File {
            path: format!("40-queue-{name}.yaml"),
            intro: vec![format!(
                "Queue \"{name}\" ({}).",
                match q.engine {
                    QueueEngine::Rabbitmq => "rabbitmq",
                    QueueEngine::Redis => "redis",
                    QueueEngine::Sqs => "sqs",
                }
            )],
            docs,
        })
    }

    // --- env for the application tiers -----------------------------------------

    /// The contract's shared variables with Kubernetes addresses (pod DNS
    /// names of the StatefulSets, Service names); passwords are not here:
    /// they are keys of the Secret.
    fn shared_env(&self) -> Map {
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
                Meaning::Replicas { shard, .. } => self
                    .dbs
                    .get(v.component.as_str())
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
                Meaning::ApiEndpoint => {
                    let port = match v.kind {
                        "nosql" => m
                            .nosqls
                            .iter()
                            .find(|n| n.name == v.component)
                            .map(|n| n.port),
                        _ => self.queues.get(v.component.as_str()).map(|q| q.port),
                    };
                    format!("http://{}:{}", v.component, port.unwrap_or_default())
                }
                Meaning::QueueUrl => super::compose::queue_url(m, &v.component),
                other => other.literal().unwrap_or_default(),
            };
            env.insert(v.name.clone(), value);
        }
        env
    }

    /// The shared environment an application container reads whole: the
    /// ConfigMap and the Secret, by reference.
    fn env_from(&self) -> Vec<EnvFrom> {
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
    fn compute_env_hash(&self) -> String {
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
    fn app_env_file(&self) -> Result<Option<File>> {
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

    /// A web tier's or worker's own part of the contract.
    fn own_env(&self, app: App<'_>) -> Vec<Env> {
        self.contract
            .own(app)
            .map(|v| Env::value(&v.name, &v.meaning.literal().unwrap_or_default()))
            .collect()
    }

    fn app_container(
        &self,
        name: &str,
        image: &str,
        res: &Resources,
        env: Vec<Env>,
        web: Option<&Web>,
    ) -> Container {
        let (ports, probes) = match web {
            Some(w) => (
                vec![Port {
                    name: "http",
                    port: w.port,
                }],
                vec![
                    Probe::http(&w.health, 5, 10).ready(),
                    Probe::http(&w.health, 15, 20).live(),
                ],
            ),
            None => (Vec::new(), Vec::new()),
        };
        Container {
            name: name.into(),
            image: image.into(),
            command: Vec::new(),
            args: Vec::new(),
            ports,
            env,
            probes,
            cpu: res.cpu.clone(),
            memory: mib(res.memory_mb),
            mounts: Vec::new(),
            env_from: self.env_from(),
            restricted: true,
        }
    }

    fn web_file(&self, w: &Web) -> Result<File> {
        let name = &w.name;
        let mut meta = self.meta(name, "web");
        meta.notes.push(format!(
            "Instances {} are the pods of this Deployment.",
            w.instances.join(", ")
        ));
        meta.notes.push(
            "The image must run as a non-root user given by number (USER 1000 in its Dockerfile)."
                .into(),
        );
        if w.autoscale.is_some() {
            meta.notes
                .push("No replicas: the HorizontalPodAutoscaler below owns the count.".into());
        }
        let mut labels = self.pod_labels(name, "web", TIER_WEB);
        if let Some(lb) = &w.lb {
            labels.insert("archc.dev/lb".into(), lb.clone());
        }
        let mut annotations = Map::new();
        if self.m.metrics.is_some() {
            annotations.insert("prometheus.io/scrape".into(), "true".into());
            annotations.insert("prometheus.io/port".into(), w.port.to_string());
            annotations.insert("prometheus.io/path".into(), "/metrics".into());
        }
        annotations.insert(ENV_HASH.into(), self.env_hash.clone());
        let many = w.count > 1 || w.autoscale.is_some();
        let mut docs = vec![self.doc(
            "workload",
            &Workload {
                kind: "Deployment",
                meta,
                replicas: if w.autoscale.is_some() {
                    None
                } else {
                    Some(w.count)
                },
                service_name: None,
                selector: selector(name),
                spread: many,
                pod: Pod {
                    labels,
                    annotations,
                    service_account: None,
                    non_root: true,
                    run_as_user: None,
                    fs_group: None,
                    init_containers: Vec::new(),
                    containers: vec![self.app_container(
                        "web",
                        &w.image,
                        &w.resources,
                        self.own_env(App::Web(name)),
                        Some(w),
                    )],
                    volumes: Vec::new(),
                },
                claims: Vec::new(),
            },
        )?];
        docs.push(self.cluster_service(name, "web", "http", w.port)?);
        if let Some(a) = &w.autoscale {
            docs.push(self.doc(
                "hpa",
                &Hpa {
                    meta: self.meta(name, "web"),
                    target: name.clone(),
                    min: a.min,
                    max: a.max,
                    cpu_percent: a.cpu_percent,
                },
            )?);
        }
        if many {
            docs.push(self.pdb(name, "web")?);
        }
        let count = match &w.autoscale {
            Some(a) => format!("autoscaled {}..{} at {}% CPU", a.min, a.max, a.cpu_percent),
            None => plural(w.count, "instance"),
        };
        Ok(File {
            path: format!("50-web-{name}.yaml"),
            intro: vec![format!(
                "Web tier \"{name}\" ({}): {count}, port {}, health {}.",
                match w.state {
                    crate::model::WebState::Stateless => "stateless",
                    crate::model::WebState::Stateful => "stateful",
                },
                w.port,
                w.health
            )],
            docs,
        })
    }

    fn worker_file(&self, w: &Worker) -> Result<File> {
        let name = &w.name;
        let env = self.own_env(App::Worker(name));
        let mut meta = self.meta(name, "worker");
        meta.notes.push(format!(
            "Instances {} are the pods of this Deployment; they consume the queue \"{}\".",
            w.instances.join(", "),
            w.queue
        ));
        let mut docs = vec![self.doc(
            "workload",
            &Workload {
                kind: "Deployment",
                meta,
                replicas: Some(w.count),
                service_name: None,
                selector: selector(name),
                spread: w.count > 1,
                pod: Pod {
                    labels: self.pod_labels(name, "worker", TIER_WORKER),
                    annotations: [(ENV_HASH.to_string(), self.env_hash.clone())]
                        .into_iter()
                        .collect(),
                    service_account: None,
                    non_root: true,
                    run_as_user: None,
                    fs_group: None,
                    init_containers: Vec::new(),
                    containers: vec![self.app_container(
                        "worker",
                        &w.image,
                        &w.resources,
                        env,
                        None,
                    )],
                    volumes: Vec::new(),
                },
                claims: Vec::new(),
            },
        )?];
        if w.count > 1 {
            docs.push(self.pdb(name, "worker")?);
        }
        Ok(File {
            path: format!("60-worker-{name}.yaml"),
            intro: vec![format!(
                "Worker \"{name}\": {} consuming \"{}\".",
                plural(w.count, "instance"),
                w.queue
            )],
            docs,
        })
    }

    fn ingress_file(&self, lb: &crate::model::Lb) -> Result<Option<File>> {
        let backends: Vec<&Web> = lb
            .backends
            .iter()
            .filter_map(|b| self.webs.get(b.as_str()).copied())
            .collect();
        let Some(first) = backends.first() else {
            // Nothing behind it: an Ingress needs a backend.
            return Ok(None);
        };
        let mut docs = Vec::new();
        let (service, port) = if backends.len() == 1 {
            (first.name.clone(), first.port)
        } else {
            // Several tiers behind one load balancer: one Service over all
            // their pods (labelled archc.dev/lb), each on its own `http` port.
            let svc = format!("{}-backends", lb.name);
            let mut sel = Map::new();
            sel.insert("archc.dev/lb".into(), lb.name.clone());
            let mut meta = self.meta(&svc, "lb");
            meta.notes.push(format!(
                "Every pod of {} behind \"{}\".",
                lb.backends.join(", "),
                lb.name
            ));
            docs.push(self.doc(
                "service",
                &Service {
                    meta,
                    headless: false,
                    publish_not_ready: false,
                    selector: sel,
                    ports: vec![Port {
                        name: "http",
                        port: lb.port,
                    }],
                },
            )?);
            (svc, lb.port)
        };
        let mut meta = self.meta(&lb.name, "lb");
        let sticky = backends.iter().any(|w| w.sticky);
        if sticky {
            meta.notes.push(
                "Stateful web tier: ingress-nginx pins each client to one pod with a cookie."
                    .into(),
            );
            meta.annotations.insert(
                "nginx.ingress.kubernetes.io/affinity".into(),
                "cookie".into(),
            );
            meta.annotations.insert(
                "nginx.ingress.kubernetes.io/session-cookie-name".into(),
                STICKY_COOKIE.into(),
            );
        } else {
            match lb.method {
                crate::model::LbMethod::RoundRobin => {}
                crate::model::LbMethod::IpHash => {
                    meta.annotations.insert(
                        "nginx.ingress.kubernetes.io/upstream-hash-by".into(),
                        "$binary_remote_addr".into(),
                    );
                }
                crate::model::LbMethod::LeastConn => {
                    meta.notes.push(
                        "least-conn: ingress-nginx has no least_conn; ewma also prefers the least busy pod.".into(),
                    );
                    meta.annotations.insert(
                        "nginx.ingress.kubernetes.io/load-balance".into(),
                        "ewma".into(),
                    );
                }
            }
        }
        if self.m.lbs.len() > 1 {
            meta.notes.push(format!(
                "This stage has {} load balancers: give each Ingress rule its own host so their / paths do not overlap.",
                self.m.lbs.len()
            ));
        }
        // The CDNs sit in front of the first load balancer, their origin (as
        // CloudFront's in the terraform target); the others point there.
        // (The first one with an Ingress: one without web tiers has none.)
        let first = self
            .m
            .lbs
            .iter()
            .find(|l| {
                l.backends
                    .iter()
                    .any(|b| self.webs.contains_key(b.as_str()))
            })
            .map_or("", |l| l.name.as_str());
        let origin = first == lb.name;
        if !origin && !self.m.cdns.is_empty() {
            meta.notes.push(format!(
                "The CDNs of this stage use load balancer \"{first}\" as their origin (see its Ingress)."
            ));
        }
        for cdn in self.m.cdns.iter().filter(|_| origin) {
            let ttl = match cdn.ttl_seconds {
                Some(t) => format!("ttl {t} s"),
                None => "no ttl in the design: the CDN's default".into(),
            };
            meta.notes.push(format!(
                "CDN \"{}\" serves {} ({ttl}{}) in front of this Ingress (terraform: CloudFront);",
                cdn.name,
                cdn.paths.join(", "),
                if cdn.versioned {
                    ", query string in the cache key"
                } else {
                    ""
                }
            ));
            meta.notes
                .push("cache misses reach the same backends through the rule below.".into());
        }
        docs.push(self.doc(
            "ingress",
            &Ingress {
                meta,
                service,
                port,
            },
        )?);
        Ok(Some(File {
            path: format!("70-ingress-{}.yaml", lb.name),
            intro: vec![format!(
                "Load balancer \"{}\": an Ingress for ingress-nginx (class nginx) in front of {}.",
                lb.name,
                lb.backends.join(", ")
            )],
            docs,
        }))
    }

    fn logs_file(&self) -> Result<File> {
        let name = "fluent-bit";
        let mut ctx = self.base_ctx();
        ctx.insert("ns", &self.ns);
        let conf = render(tera(), "fluent-bit.conf", &ctx)?;
        let mut data = Map::new();
        data.insert("fluent-bit.conf".into(), conf);
        let mut docs = vec![self.doc(
            "config-map",
            &ConfigMap {
                meta: self.meta(name, "logs"),
                data,
                env: false,
            },
        )?];
        let mut meta = self.meta(name, "logs");
        meta.notes.push(
            "Runs as root: container logs under /var/log on the node are readable by root only."
                .into(),
        );
        docs.push(self.doc(
            "workload",
            &Workload {
                kind: "DaemonSet",
                meta,
                replicas: None,
                service_name: None,
                selector: selector(name),
                spread: false,
                pod: Pod {
                    labels: self.pod_labels(name, "logs", TIER_OPS),
                    annotations: Map::new(),
                    service_account: None,
                    non_root: false,
                    run_as_user: None,
                    fs_group: None,
                    init_containers: Vec::new(),
                    containers: vec![Container {
                        name: name.into(),
                        image: image::FLUENT_BIT.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: Vec::new(),
                        env: Vec::new(),
                        probes: Vec::new(),
                        cpu: "100m".into(),
                        memory: mib(128),
                        mounts: vec![
                            Mount {
                                name: "config",
                                path: "/fluent-bit/etc/",
                                sub_path: None,
                                read_only: true,
                            },
                            Mount {
                                name: "varlog",
                                path: "/var/log",
                                sub_path: None,
                                read_only: true,
                            },
                        ],
                        env_from: Vec::new(),
                        restricted: true,
                    }],
                    volumes: vec![
                        Volume {
                            name: "config",
                            empty_dir: false,
                            config_map: Some(name.into()),
                            host_path: None,
                        },
                        Volume {
                            name: "varlog",
                            empty_dir: false,
                            config_map: None,
                            host_path: Some("/var/log"),
                        },
                    ],
                },
                claims: Vec::new(),
            },
        )?);
        Ok(File {
            path: "80-logs.yaml".into(),
            intro: vec![
                format!("Central logs: fluent-bit on every node collects the logs of the pods in namespace {}.", self.ns),
                "Point the [OUTPUT] section at your log store (Elasticsearch, Loki, CloudWatch, ...).".into(),
            ],
            docs,
        })
    }

    fn metrics_file(&self) -> Result<File> {
        let name = "prometheus";
        let conf = render(tera(), "prometheus.yml", &self.base_ctx())?;
        let mut data = Map::new();
        data.insert("prometheus.yml".into(), conf);
        let mut docs = vec![self.doc(
            "rbac",
            &Rbac {
                meta: self.meta(name, "metrics"),
            },
        )?];
        docs.push(self.doc(
            "config-map",
            &ConfigMap {
                meta: self.meta(name, "metrics"),
                data,
                env: false,
            },
        )?);
        let mut meta = self.meta(name, "metrics");
        meta.notes.push(
            "Metrics are kept 15 days on an emptyDir: they start over when the pod moves.".into(),
        );
        docs.push(self.doc(
            "workload",
            &Workload {
                kind: "Deployment",
                meta,
                replicas: Some(1),
                service_name: None,
                selector: selector(name),
                spread: false,
                pod: Pod {
                    labels: self.pod_labels(name, "metrics", TIER_OPS),
                    annotations: Map::new(),
                    service_account: Some(name.into()),
                    non_root: true,
                    // The image's USER is `nobody` by name; runAsNonRoot needs a number.
                    run_as_user: Some(65534),
                    fs_group: Some(65534),
                    init_containers: Vec::new(),
                    containers: vec![Container {
                        name: name.into(),
                        image: image::PROMETHEUS.into(),
                        command: Vec::new(),
                        args: vec![
                            "--config.file=/etc/prometheus/prometheus.yml".into(),
                            "--storage.tsdb.path=/prometheus".into(),
                            "--storage.tsdb.retention.time=15d".into(),
                        ],
                        ports: vec![Port {
                            name: "http",
                            port: 9090,
                        }],
                        env: Vec::new(),
                        probes: vec![
                            Probe::http("/-/ready", 5, 10).ready(),
                            Probe::http("/-/healthy", 15, 20).live(),
                        ],
                        cpu: "500m".into(),
                        memory: mib(1024),
                        mounts: vec![
                            Mount {
                                name: "config",
                                path: "/etc/prometheus",
                                sub_path: None,
                                read_only: true,
                            },
                            Mount {
                                name: "data",
                                path: "/prometheus",
                                sub_path: None,
                                read_only: false,
                            },
                        ],
                        env_from: Vec::new(),
                        restricted: true,
                    }],
                    volumes: vec![
                        Volume {
                            name: "config",
                            empty_dir: false,
                            config_map: Some(name.into()),
                            host_path: None,
                        },
                        Volume {
                            name: "data",
                            empty_dir: true,
                            config_map: None,
                            host_path: None,
                        },
                    ],
                },
                claims: Vec::new(),
            },
        )?);
        docs.push(self.cluster_service(name, "metrics", "http", 9090)?);
        let mut intro = vec![format!(
            "Metrics: Prometheus scrapes every pod in namespace {} annotated prometheus.io/scrape.",
            self.ns
        )];
        if !self.m.webs.is_empty() {
            intro.push(
                "The web tiers are annotated: they serve metrics on their own port at /metrics."
                    .into(),
            );
        }
        Ok(File {
            path: "90-metrics.yaml".into(),
            intro,
            docs,
        })
    }
}

// ---------------------------------------------------------------------------
// Database replication
// ---------------------------------------------------------------------------
//
// A shard is one StatefulSet: pod -0 is the primary, pods -1.. its read
// replicas. Every pod runs the same template (a StatefulSet has only one),
// so the scripts decide by the pod's ordinal, the end of its host name.

/// Where the pods mount the ConfigMap of scripts.
const REPLICATION_DIR: &str = "/replication";
/// The images run the scripts of this directory once, when they create the
/// data directory: on the primary only (replicas are cloned, or get
/// everything by replication).
const INITDB_SCRIPT: &str = "/docker-entrypoint-initdb.d/10-replication.sh";
const INITDB_KEY: &str = "10-replication.sh";
/// postgres: the init container's script.
const CLONE_KEY: &str = "clone.sh";
/// mysql: the server container's command.
const START_KEY: &str = "start.sh";

/// The ConfigMap of one component's replication scripts: a database's
/// (shared by its shards) or a MongoDB store's.
fn replication_config_name(component: &str) -> String {
    format!("{component}-replication")
}

/// The scripts, by ConfigMap key. The shard-specific values come from the
/// pod's environment: `PRIMARY_HOST` (`<shard>-0.<shard>`) and the password.
fn replication_scripts(db: &Db) -> Map {
    let mut m = Map::new();
    match db.engine {
        DbEngine::Postgres => {
            m.insert(CLONE_KEY.into(), postgres_clone_script(db.port, &db.user));
            m.insert(INITDB_KEY.into(), POSTGRES_PRIMARY_INIT.into());
        }
        DbEngine::Mysql => {
            m.insert(START_KEY.into(), MYSQL_START.into());
            m.insert(INITDB_KEY.into(), mysql_init_script(db.port));
        }
    }
    m
}

/// What the StatefulSet comment says about replication.
fn replication_notes(db: &Db, scripts: &str) -> Vec<String> {
    let mut notes = match db.engine {
        DbEngine::Postgres => vec![
            format!("Replication (ConfigMap {scripts}): on its first start, every pod but -0 clones pod -0"),
            "(init container \"clone\", pg_basebackup -R), then runs as a hot standby streaming from it.".into(),
        ],
        DbEngine::Mysql => vec![
            format!("Replication (ConfigMap {scripts}): every pod writes a binary log with GTIDs (server-id: ordinal + 1);"),
            "on its first start, every pod but -0 replicates pod -0 from the start of its binary log, read-only.".into(),
            "A replica added after pod -0 purged old logs (binlog_expire_logs_seconds, 30 days) cannot".into(),
            "catch up: seed it from a backup of pod -0.".into(),
        ],
    };
    notes.push(
        "The pod template does not depend on the number of replicas: adding some later only scales"
            .into(),
    );
    notes.push("this StatefulSet up, and pod -0 keeps running.".into());
    notes
}

/// The `clone` init container: a pod other than -0 whose data directory is
/// empty clones the primary. `-R` writes `standby.signal` and the connection
/// to the primary, so the image's entrypoint, finding a data directory,
/// starts a hot standby. Runs as root: the files are then given to postgres.
fn postgres_clone_script(port: u16, user: &str) -> String {
    format!(
        r#"# Pod -0 is the primary; another pod clones it once, while its data directory is empty.
set -e
if [ "${{HOSTNAME##*-}}" = 0 ] || [ -s "$PGDATA/PG_VERSION" ]; then exit 0; fi
until pg_basebackup -h "$PRIMARY_HOST" -p {port} -U {user} -D "$PGDATA" -R -X stream -c fast; do
  echo "waiting for $PRIMARY_HOST"; rm -rf "$PGDATA"/*; sleep 2
done
chown -R postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
"#
    )
}

const POSTGRES_PRIMARY_INIT: &str = r#"# Let the other pods clone and stream from this primary (pg_basebackup, as the app user).
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
"#;

/// The mysql container's command: server options by ordinal, then the
/// image's entrypoint. A replica creates no user or database of its own:
/// both arrive by replication (creating them twice would stop it).
const MYSQL_START: &str = r#"# Pod -0 is the source; the other pods are read-only replicas of it.
ordinal="${HOSTNAME##*-}"
set -- mysqld --server-id=$((ordinal + 1)) --gtid-mode=ON --enforce-gtid-consistency=ON --log-bin=mysql-bin
if [ "$ordinal" != 0 ]; then
  export SOURCE_USER="$MYSQL_USER" SOURCE_PASSWORD="$MYSQL_PASSWORD"
  unset MYSQL_USER MYSQL_PASSWORD MYSQL_DATABASE
  set -- "$@" --read-only=ON
fi
exec docker-entrypoint.sh "$@"
"#;

/// Run once by the mysql image (sourced, in bash) when it creates a pod's
/// data directory.
fn mysql_init_script(port: u16) -> String {
    format!(
        r#"if [ "${{HOSTNAME##*-}}" = 0 ]; then
  # The source: the app user may read the binary log (replicas connect as it).
  docker_process_sql --database=mysql <<<"GRANT REPLICATION SLAVE ON *.* TO '$MYSQL_USER'@'%';"
else
  # A replica: GTID auto-positioning from pod -0 (the password must not contain ').
  docker_process_sql <<<"CHANGE REPLICATION SOURCE TO SOURCE_HOST='$PRIMARY_HOST', SOURCE_PORT={port}, SOURCE_USER='$SOURCE_USER', SOURCE_PASSWORD='$SOURCE_PASSWORD', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1; START REPLICA;"
fi
"#
    )
}

// ---------------------------------------------------------------------------
// MongoDB replica set
// ---------------------------------------------------------------------------
//
// A MongoDB store is one StatefulSet whose pods are the members of one
// replica set named after the store (what the application is told:
// `P_REPLICA_SET`, `P_HOSTS` = `<name>-N.<name>`). Pod -0 starts the set
// with itself; every other pod adds itself. So each pod waits only for the
// pods before it (the StatefulSet's OrderedReady start) and the template
// names no member count.

/// The user the image creates on pod -0 (the others receive it by replication).
const MONGO_USER: &str = "app";
/// The readiness probe's script, which also joins the pod to the set.
const READY_KEY: &str = "ready.sh";

/// The scripts, by ConfigMap key: `start.sh`, the container's command, and
/// `ready.sh`, its readiness probe.
fn mongo_scripts(n: &Nosql) -> Map {
    let mut m = Map::new();
    m.insert(START_KEY.into(), mongo_start_script(&n.name, n.port));
    m.insert(READY_KEY.into(), mongo_ready_script(&n.name, n.port));
    m
}

/// What the StatefulSet comment says about the replica set.
fn mongo_notes(n: &Nosql, scripts: &str) -> Vec<String> {
    let name = &n.name;
    vec![
        format!("(ConfigMap {scripts}): every pod runs mongod --replSet {name}, the members authenticating"),
        "each other with a key file derived from the password. Pod -0 creates user app and initiates".into(),
        "the set with itself; every other pod adds itself through the primary and receives everything".into(),
        "by initial sync (ready.sh, the readiness probe, does both once). A pod is ready as the primary".into(),
        "or a secondary. The pod template does not depend on the number of instances: adding some later".into(),
        "only scales this StatefulSet up, and pod -0 keeps running. Scaling down removes no member, and".into(),
        format!("members keep their votes: first rs.remove(\"{name}-N.{name}:{}\") each pod that goes.", n.port),
    ]
}

/// The mongodb container's command. The key file is derived from the
/// password so that no second secret is needed; only pod -0 creates the
/// user (the others receive it by replication: the image strips
/// `--replSet` and `--keyFile` while it creates one, so a pod with a user
/// of its own would start as a separate server first).
fn mongo_start_script(set: &str, port: u16) -> String {
    format!(
        r#"# Every pod is a member of replica set {set}; members authenticate each other with the key file.
set -e
printf '%s' "$MONGO_INITDB_ROOT_PASSWORD" | sha256sum | cut -d ' ' -f 1 > /data/keyfile
chmod 400 /data/keyfile
chown mongodb:mongodb /data/keyfile
if [ "${{HOSTNAME##*-}}" != 0 ]; then
  # Pod -0 creates user {MONGO_USER}; the others receive it by replication.
  unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD
fi
exec docker-entrypoint.sh mongod --replSet {set} --port {port} --bind_ip_all --keyFile /data/keyfile
"#
    )
}

/// The readiness probe: ready as the primary or a secondary. A pod that is
/// in no set yet joins it (the probe repeats until it has): pod -0
/// initiates the set with itself alone, unless pod -1 is in it already
/// (pod -0 lost its volume: the set's heartbeats then give it the
/// configuration back), and any other pod adds itself through the primary,
/// found from pod -0. `hello` needs no login, which a new pod could not do:
/// it has no user before its initial sync.
fn mongo_ready_script(set: &str, port: u16) -> String {
    let svc = set;
    let login = format!(
        "-u {MONGO_USER} -p \"$MONGO_INITDB_ROOT_PASSWORD\" --authenticationDatabase admin"
    );
    format!(
        r#"# Ready as the primary or a secondary of replica set {set}; a pod in no set yet joins it.
me="$HOSTNAME.{svc}:{port}"
state=$(mongosh --quiet --port {port} --eval "const h = db.hello(); h.isWritablePrimary || h.secondary ? 'member' : h.setName ? 'joining' : 'none'") || exit 1
if [ "$state" = member ]; then exit 0; fi
if [ "$state" != none ]; then echo "$me: $state"; exit 1; fi
if [ "${{HOSTNAME##*-}}" = 0 ]; then
  set1=$(mongosh --quiet "mongodb://{svc}-1.{svc}:{port}/?directConnection=true&serverSelectionTimeoutMS=2000" --eval "db.hello().setName" 2>/dev/null)
  if [ "$set1" = {set} ]; then echo "$me: waiting for the set to take pod -0 back"; exit 1; fi
  mongosh --quiet --port {port} {login} --eval "rs.initiate({{_id: '{set}', members: [{{_id: 0, host: '$me'}}]}}).ok"
else
  mongosh --quiet "mongodb://{svc}-0.{svc}:{port}/?replicaSet={set}&serverSelectionTimeoutMS=5000" {login} --eval "rs.conf().members.some(m => m.host === '$me') || rs.add('$me').ok"
fi
# Ready at a later probe: as the primary, or as a secondary after the initial sync.
exit 1
"#
    )
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

impl Env {
    fn value(name: &str, value: &str) -> Env {
        Env {
            name: name.into(),
            value: Some(value.into()),
            secret_key: None,
        }
    }

    fn secret(name: &str, key: &str) -> Env {
        Env {
            name: name.into(),
            value: None,
            secret_key: Some(key.into()),
        }
    }
}

impl Probe {
    fn base(kind: &'static str, initial_delay: u32, period: u32) -> Probe {
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

    fn ready(self) -> Probe {
        Probe {
            field: "readinessProbe",
            ..self
        }
    }

    fn live(self) -> Probe {
        Probe {
            field: "livenessProbe",
            ..self
        }
    }

    fn http(path: &str, initial_delay: u32, period: u32) -> Probe {
        Probe {
            path: Some(path.into()),
            port: Some("http"),
            ..Probe::base("http", initial_delay, period)
        }
    }

    fn tcp(port: &'static str, initial_delay: u32, period: u32) -> Probe {
        Probe {
            port: Some(port),
            ..Probe::base("tcp", initial_delay, period)
        }
    }

    fn exec(command: Vec<String>, initial_delay: u32, period: u32) -> Probe {
        Probe {
            command,
            ..Probe::base("exec", initial_delay, period)
        }
    }
}

fn selector(name: &str) -> Map {
    let mut m = Map::new();
    m.insert("app.kubernetes.io/name".into(), name.into());
    m
}

/// `1 shard`, `4 shards`.
fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn mib(mb: u32) -> String {
    format!("{mb}Mi")
}

fn engine_name_db(e: DbEngine) -> &'static str {
    match e {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    }
}

/// Text ending with exactly one newline.
fn one_newline(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// YAML scalar for names, label values and paths: plain when it cannot be
/// read as anything but a string, JSON-quoted otherwise (`on`, `no`, `null`,
/// `true` are names in the language but booleans/null in YAML 1.1).
fn yaml_scalar(s: &str) -> String {
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '/');
    let rest_ok = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-./_".contains(c));
    if first_ok && rest_ok && !SPECIAL.contains(&s) {
        s.to_string()
    } else {
        json_quote(s)
    }
}

fn yaml_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    match v {
        Value::String(s) => Ok(Value::String(yaml_scalar(s))),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        _ => Err(tera::Error::msg(format!(
            "filter yaml expects a string, got {v}"
        ))),
    }
}

/// The components a file shared by the stage is generated from (for the
/// second header line); `emit` names those of each component's own file.
fn shared_file_origins<'m>(m: &'m Model, path: &str) -> Vec<&'m Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    match path {
        // Secret keys and data centers.
        // Every component with a Secret key: passwords (databases, MongoDB,
        // RabbitMQ), and DynamoDB / SQS, whose emulators need SDK credentials.
        "00-namespace.yaml" => {
            o.extend(m.dbs.iter().map(|d| &d.origin));
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(
                m.queues
                    .iter()
                    .filter(|q| matches!(q.engine, QueueEngine::Rabbitmq | QueueEngine::Sqs))
                    .map(|q| &q.origin),
            );
            o.extend(m.datacenters.as_ref().map(|d| &d.origin));
        }
        // Who may talk to whom: every workload.
        "01-network-policy.yaml" => {
            o.extend(
                m.components()
                    .into_iter()
                    .filter(|c| !matches!(c.kind, "cdn" | "datacenters"))
                    .map(|c| c.origin),
            );
        }
        // Where every data component is.
        "02-app-env.yaml" => {
            o.extend(m.dbs.iter().map(|d| &d.origin));
            o.extend(m.caches.iter().map(|c| &c.origin));
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(m.queues.iter().map(|q| &q.origin));
        }
        "80-logs.yaml" => o.extend(m.logs.as_ref()),
        "90-metrics.yaml" => o.extend(m.metrics.as_ref()),
        _ => {}
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_scalar_quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("web"), "web");
        assert_eq!(yaml_scalar("db-shard-1"), "db-shard-1");
        assert_eq!(yaml_scalar("/health"), "/health");
        assert_eq!(yaml_scalar("on"), "\"on\"");
        assert_eq!(yaml_scalar("no"), "\"no\"");
        assert_eq!(yaml_scalar("8080"), "\"8080\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}
