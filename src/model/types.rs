//! The resolved model: one `Model` per stage, defaults filled, names resolved.
//!
//! This is the single truth every target reads. Every decision that two targets
//! must agree on (instance names, ports, health paths, instance types, secret
//! variable names) is made once here, not in an emitter or a template.

use crate::span::Span;
use serde::Serialize;

/// A whole design: every stage, in order. A file without stages has one stage.
#[derive(Clone, Debug, Serialize)]
pub struct Design {
    /// The file name as the user gave it (used in generated headers).
    pub source_name: String,
    pub stages: Vec<Model>,
}

impl Design {
    pub fn stage(&self, name: &str) -> Option<&Model> {
        self.stages.iter().find(|m| m.stage == name)
    }

    pub fn last(&self) -> &Model {
        self.stages
            .last()
            .expect("a design always has at least one stage")
    }
}

/// The system as it stands in one stage.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    /// `system NAME`, default: the file's stem made into a valid name.
    pub system: String,
    /// `region NAME`, default `us-east-1`.
    pub region: String,
    /// The stage's name; `main` for a file without stages.
    pub stage: String,
    /// Position of the stage in the file, from 0.
    pub stage_index: usize,
    /// The source file name as given by the user, for generated headers.
    pub source_name: String,
    pub datacenters: Option<Datacenters>,
    pub webs: Vec<Web>,
    pub lbs: Vec<Lb>,
    pub dbs: Vec<Db>,
    pub caches: Vec<Cache>,
    pub cdns: Vec<Cdn>,
    pub nosqls: Vec<Nosql>,
    pub queues: Vec<Queue>,
    pub workers: Vec<Worker>,
    pub logs: Option<Origin>,
    pub metrics: Option<Origin>,
    /// `traffic N users, …`: the load the stage must carry (`archc estimate`).
    /// Never changes what a target deploys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
}

/// The stage's load, every clause the design left out at its default
/// (`model::defaults`, docs/estimate.md).
#[derive(Clone, Debug, Serialize)]
pub struct Traffic {
    /// Daily active users.
    pub users: f64,
    /// Requests one user makes a day.
    pub requests_per_user: f64,
    /// Peak requests per second over the day's average.
    pub peak: f64,
    /// Share of requests that only read, 0–100.
    pub reads_percent: f64,
    /// Bytes sent per response.
    pub response_bytes: f64,
    /// The clauses left at their default, by keyword (`peak`, `reads`, …).
    pub defaults: Vec<&'static str>,
    pub origin: Origin,
}

/// The unit of a `capacity` clause: requests (web, lb), queries (db, cache,
/// nosql) or jobs (worker) per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CapacityUnit {
    Rps,
    Qps,
    #[serde(rename = "jobs/s")]
    JobsPerSecond,
}

impl CapacityUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityUnit::Rps => "rps",
            CapacityUnit::Qps => "qps",
            CapacityUnit::JobsPerSecond => "jobs/s",
        }
    }
}

/// Where a component came from: the statement that wrote it and in which stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The statement that declared it (for an implicit component: the reference).
    pub span: Span,
    /// The 1-based line on which that statement (or reference) starts: what
    /// the second header line of every generated file lists.
    pub line: u32,
    /// The stage whose statement wrote it; `None` for statements before any stage.
    pub stage: Option<String>,
    /// True when the current stage did not write it but inherited it.
    pub inherited: bool,
    /// True when the file never declared it and archc created it with defaults
    /// because something referenced it (`behind lb`).
    pub implicit: bool,
}

/// Vertical scaling: picks instance types and container resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeClass {
    Small,
    Medium,
    Large,
    Xlarge,
}

/// What a size class means on every target, decided once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub size: SizeClass,
    /// Kubernetes CPU request, e.g. `500m`.
    pub cpu: String,
    /// Compose `cpus`, e.g. `0.5`.
    pub cpus: String,
    /// Memory in MiB (Kubernetes `512Mi`, Compose `512M`).
    pub memory_mb: u32,
    /// EC2 instance type for web and worker hosts.
    pub ec2_type: String,
    /// RDS instance class.
    pub rds_class: String,
    /// ElastiCache node type.
    pub cache_node: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebState {
    Stateless,
    Stateful,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    /// Target average CPU utilisation in percent (default 70).
    pub cpu_percent: u32,
}

/// Kind of component a web tier keeps its sessions in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Cache,
    Db,
    Nosql,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionStore {
    pub kind: StoreKind,
    /// Name of the component of that kind.
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Web {
    pub name: String,
    pub state: WebState,
    /// Fixed instance count; with autoscale, the minimum.
    pub count: u32,
    pub autoscale: Option<Autoscale>,
    /// Instance (host / container) names, `web-1`, `web-2`, … one per `count`.
    /// Load balancer configs list exactly these.
    pub instances: Vec<String>,
    /// Name of the load balancer in front of it.
    pub lb: Option<String>,
    pub port: u16,
    pub image: String,
    /// The design names no image: `image` is the runtime plan's placeholder,
    /// which serves the health path on the port (`Web::placeholder_script`).
    pub placeholder: bool,
    /// Health check path, default `/health`.
    pub health: String,
    pub sessions: Option<SessionStore>,
    /// True when the tier is stateful and sits behind a load balancer that routes
    /// sticky (ip-hash, or `sticky`): HAProxy inserts a server cookie, nginx hashes
    /// the client address.
    pub sticky: bool,
    pub resources: Resources,
    /// `env NAME="value", …`: variables added after archc's own
    /// (`Model::app_env`), as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvSetting>,
    /// `secret NAME, …`: variables each target reads from its secret store.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretName>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LbEngine {
    Nginx,
    Haproxy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LbMethod {
    RoundRobin,
    LeastConn,
    IpHash,
}

#[derive(Clone, Debug, Serialize)]
pub struct Lb {
    pub name: String,
    pub engine: LbEngine,
    pub method: LbMethod,
    /// `sticky`: keep a client on one server (HAProxy cookie, nginx ip_hash).
    pub sticky: bool,
    /// Port the load balancer listens on (80).
    pub port: u16,
    /// Names of the web tiers behind it, in declaration order.
    pub backends: Vec<String>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbEngine {
    Postgres,
    Mysql,
}

/// One shard: a primary and its read replicas. An unsharded database has one.
#[derive(Clone, Debug, Serialize)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u32,
    /// Primary instance name: `db` unsharded, `db-shard-1` sharded.
    pub primary: String,
    /// Replica instance names: `db-replica-1`, `db-shard-1-replica-1`, …
    pub replicas: Vec<String>,
    /// The secret variable holding this shard's password (its primary's and
    /// replicas'): the database's `password_env` unsharded, `<PREFIX>_SHARD_<i>_PASSWORD`
    /// sharded, because each shard primary has its own (on AWS RDS manages one
    /// secret per instance), so every target gives every shard its own.
    pub password_env: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Db {
    pub name: String,
    pub engine: DbEngine,
    /// Runs on the web host (single-server stage).
    pub colocated: bool,
    pub shard_key: Option<String>,
    pub shard_count: u32,
    /// Read replicas per shard.
    pub replicas: u32,
    pub shards: Vec<Shard>,
    pub storage_gb: u32,
    pub port: u16,
    /// Environment variable that holds the password (`DB_PASSWORD`); never a
    /// value. Named by the application environment contract (`appenv`). A
    /// sharded database has one a shard instead: see `Shard::password_env`.
    pub password_env: String,
    /// Database user name.
    pub user: String,
    pub resources: Resources,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

impl Db {
    pub fn instance_count(&self) -> u32 {
        self.shard_count * (1 + self.replicas)
    }

    /// Split over several primaries (or given a shard key): the application
    /// picks a shard, so it is told about each.
    pub fn is_sharded(&self) -> bool {
        self.shards.len() > 1 || self.shard_key.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheEngine {
    Redis,
    Memcached,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evict {
    Lru,
    Lfu,
    None,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cache {
    pub name: String,
    pub engine: CacheEngine,
    pub count: u32,
    /// Instance names `cache-1`, `cache-2`, …
    pub instances: Vec<String>,
    /// Default expiry in seconds; `None` when the design gives no TTL.
    pub ttl_seconds: Option<u64>,
    pub evict: Option<Evict>,
    /// Memory limit in MiB (default 256).
    pub memory_mb: u32,
    pub colocated: bool,
    pub port: u16,
    /// Environment variable holding the password the local targets' redis
    /// requires (`CACHE_PASSWORD`); none for memcached, which has no
    /// password. ElastiCache on AWS has none either (see data.tf).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    pub resources: Resources,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    /// `hits N%`: the share of reads the cache answers, 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits_percent: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cdn {
    pub name: String,
    /// Absolute URL paths it serves, e.g. `/static`.
    pub paths: Vec<String>,
    pub ttl_seconds: Option<u64>,
    /// URLs carry a version (`?v=2`), so the query string is part of the cache key.
    pub versioned: bool,
    /// The load balancer the CDN fetches from on a miss: the first one, in
    /// declaration order, with a web tier behind it (else the first one); none
    /// when the stage has no load balancer. One site, one origin: only this
    /// balancer's nginx config caches the CDN's paths, as CloudFront's origin.
    pub origin_lb: Option<String>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NosqlEngine {
    Dynamodb,
    Mongodb,
}

#[derive(Clone, Debug, Serialize)]
pub struct Nosql {
    pub name: String,
    pub engine: NosqlEngine,
    pub count: u32,
    pub instances: Vec<String>,
    pub port: u16,
    /// Environment variable holding the password (MongoDB: `DOCS_PASSWORD`);
    /// none for DynamoDB, which the cloud's IAM guards.
    pub password_env: Option<String>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueEngine {
    Rabbitmq,
    Redis,
    Sqs,
}

#[derive(Clone, Debug, Serialize)]
pub struct Queue {
    pub name: String,
    pub engine: QueueEngine,
    pub port: u16,
    /// Environment variable holding the password (RabbitMQ: `JOBS_PASSWORD`).
    pub password_env: Option<String>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

#[derive(Clone, Debug, Serialize)]
pub struct Worker {
    pub name: String,
    pub count: u32,
    pub instances: Vec<String>,
    /// Name of the queue it consumes.
    pub queue: String,
    pub image: String,
    /// The design names no image: `image` is the runtime plan's placeholder,
    /// which idles (`Worker::placeholder_script`).
    pub placeholder: bool,
    pub resources: Resources,
    /// `env NAME="value", …`: variables added after archc's own
    /// (`Model::app_env`), as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvSetting>,
    /// `secret NAME, …`: variables each target reads from its secret store.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretName>,
    /// `label KEY=VALUE, …`, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// `capacity N UNIT`: what one instance sustains; `None`: the
    /// estimate's default for the size and engine (`estimate::defaults`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    pub origin: Origin,
    #[serde(skip)]
    pub spans: ClauseSpans,
}

/// `env NAME="value"`: one variable a web tier or worker is given beyond
/// archc's own. Never a secret (E0210): see `SecretName`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvSetting {
    pub name: String,
    pub value: String,
    /// The name as written, for diagnostics.
    #[serde(skip)]
    pub span: Span,
}

/// `secret NAME`: a variable whose value no output holds; each target reads
/// it from its own secret store (docs/language.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretName {
    pub name: String,
    #[serde(skip)]
    pub span: Span,
}

/// `label KEY=VALUE`: a Kubernetes and Compose label, an AWS tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub key: String,
    pub value: String,
    /// The key as written, for diagnostics.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Datacenters {
    /// AWS regions, the first is the primary.
    pub regions: Vec<String>,
    /// Users are routed to the nearest data center by geo DNS.
    pub geodns: bool,
    pub origin: Origin,
}

/// Spans of the clauses a component was written with, by clause keyword
/// (`count`, `autoscale`, `behind`, `sessions`, `ttl`, …). Checks use them to
/// point at the exact words; they are not part of the JSON model.
pub type ClauseSpans = indexmap::IndexMap<&'static str, Span>;

/// A component seen through what every kind shares, for listings and diffs.
#[derive(Clone, Copy, Debug)]
pub struct ComponentRef<'m> {
    pub kind: &'static str,
    pub name: &'m str,
    pub origin: &'m Origin,
}

impl Model {
    /// Every component of the stage, by kind in a fixed order, then as declared.
    pub fn components(&self) -> Vec<ComponentRef<'_>> {
        fn refs<'m, T>(
            out: &mut Vec<ComponentRef<'m>>,
            kind: &'static str,
            items: &'m [T],
            f: impl Fn(&'m T) -> (&'m str, &'m Origin),
        ) {
            out.extend(items.iter().map(|i| {
                let (name, origin) = f(i);
                ComponentRef { kind, name, origin }
            }));
        }
        let mut out = Vec::new();
        if let Some(dc) = &self.datacenters {
            out.push(ComponentRef {
                kind: "datacenters",
                name: "datacenters",
                origin: &dc.origin,
            });
        }
        refs(&mut out, "web", &self.webs, |c| (&c.name, &c.origin));
        refs(&mut out, "lb", &self.lbs, |c| (&c.name, &c.origin));
        refs(&mut out, "db", &self.dbs, |c| (&c.name, &c.origin));
        refs(&mut out, "cache", &self.caches, |c| (&c.name, &c.origin));
        refs(&mut out, "cdn", &self.cdns, |c| (&c.name, &c.origin));
        refs(&mut out, "nosql", &self.nosqls, |c| (&c.name, &c.origin));
        refs(&mut out, "queue", &self.queues, |c| (&c.name, &c.origin));
        refs(&mut out, "worker", &self.workers, |c| (&c.name, &c.origin));
        if let Some(o) = &self.logs {
            out.push(ComponentRef {
                kind: "logs",
                name: "logs",
                origin: o,
            });
        }
        if let Some(o) = &self.metrics {
            out.push(ComponentRef {
                kind: "metrics",
                name: "metrics",
                origin: o,
            });
        }
        out
    }
}

impl Model {
    /// Every name a component makes on the targets (host names, services,
    /// objects), with the component that makes it, in model order: a web tier
    /// makes its own name and `web-1…`, a database its shard primaries and
    /// replicas. Checks use it to find collisions; provenance to trace a
    /// generated line back to its component.
    pub fn generated_names(&self) -> Vec<(String, ComponentRef<'_>)> {
        fn with<'m>(
            out: &mut Vec<(String, ComponentRef<'m>)>,
            kind: &'static str,
            name: &'m str,
            origin: &'m Origin,
            names: impl IntoIterator<Item = String>,
        ) {
            let c = ComponentRef { kind, name, origin };
            out.extend(names.into_iter().map(|n| (n, c)));
        }
        let mut out = Vec::new();
        for w in &self.webs {
            let names = std::iter::once(w.name.clone()).chain(w.instances.iter().cloned());
            with(&mut out, "web", &w.name, &w.origin, names);
        }
        for l in &self.lbs {
            with(&mut out, "lb", &l.name, &l.origin, [l.name.clone()]);
        }
        for d in &self.dbs {
            let names = d
                .shards
                .iter()
                .flat_map(|s| std::iter::once(s.primary.clone()).chain(s.replicas.iter().cloned()));
            with(
                &mut out,
                "db",
                &d.name,
                &d.origin,
                names.collect::<Vec<_>>(),
            );
        }
        for c in &self.caches {
            let names = std::iter::once(c.name.clone()).chain(c.instances.iter().cloned());
            with(&mut out, "cache", &c.name, &c.origin, names);
        }
        for n in &self.nosqls {
            let names = std::iter::once(n.name.clone()).chain(n.instances.iter().cloned());
            with(&mut out, "nosql", &n.name, &n.origin, names);
        }
        for q in &self.queues {
            with(&mut out, "queue", &q.name, &q.origin, [q.name.clone()]);
        }
        for w in &self.workers {
            let names = std::iter::once(w.name.clone()).chain(w.instances.iter().cloned());
            with(&mut out, "worker", &w.name, &w.origin, names);
        }
        for c in &self.cdns {
            with(&mut out, "cdn", &c.name, &c.origin, [c.name.clone()]);
        }
        out
    }
}
