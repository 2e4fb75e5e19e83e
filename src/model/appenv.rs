//! The application environment contract: the variables a deployed web tier or
//! worker reads to find its data services, decided once per stage.
//!
//! Every target renders the same names; only the values' address forms differ
//! (a compose service name, a Kubernetes pod DNS name, a Terraform
//! interpolation of the real AWS resource). A variable therefore carries its
//! *meaning* (an engine word, the primaries of some instances, a secret, ...),
//! never a target's address. docs/app-env.md is the developer's view of it.
//!
//! Naming: a component's variables start with its prefix, its name upper-cased
//! with `-` -> `_` (`orders-db` -> `ORDERS_DB`); a name that components of
//! several kinds share is qualified with the kind (`CACHE_SESSIONS`,
//! `DB_SESSIONS`) so their variables stay apart. Passwords are `<PREFIX>_PASSWORD`.

use super::types::*;
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;

/// Who reads a variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "name")]
pub enum Reader {
    /// Every web tier and every worker.
    Apps,
    /// One web tier (its port, health path, session store).
    Web(String),
    /// One worker (the queue it consumes).
    Worker(String),
}

/// An application instance kind and name, to ask what it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App<'a> {
    Web(&'a str),
    Worker(&'a str),
}

impl Reader {
    pub fn reads(&self, app: App<'_>) -> bool {
        match (self, app) {
            (Reader::Apps, _) => true,
            (Reader::Web(w), App::Web(a)) => w == a,
            (Reader::Worker(w), App::Worker(a)) => w == a,
            _ => false,
        }
    }
}

/// What a variable's value means. Target-independent values are given; an
/// address is given as the instances (or the component) it points at, and
/// each target writes its own form of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Meaning {
    /// The engine the application must speak: `postgres`, `redis`, `sqs`, ...
    /// (a target that runs the component on another engine writes that one).
    Engine {
        engine: String,
    },
    /// Addresses (host names, comma-separated) of these primary instances: a
    /// database's primary, or every shard's primary in shard order.
    Primaries {
        instances: Vec<String>,
    },
    /// Addresses of the read replicas of one shard (1-based; 1 when unsharded).
    Replicas {
        shard: u32,
        instances: Vec<String>,
    },
    /// Addresses of every node of a cache or document store; clients spread
    /// keys over them (a target with one managed endpoint writes that one).
    Nodes {
        instances: Vec<String>,
    },
    Port {
        port: u16,
    },
    /// The database (schema) name to connect to.
    DatabaseName {
        name: String,
    },
    User {
        user: String,
    },
    /// The secret itself: the variable's name is the secret's name. Never a
    /// value in any output; each target fills it from its secret store.
    Password,
    ShardKey {
        key: String,
    },
    TtlSeconds {
        seconds: u64,
    },
    /// Whether clients must connect with TLS (`true`/`false`): a target
    /// that runs the component encrypted in transit says `true` (ElastiCache
    /// Redis on AWS), one that runs it plain `false`.
    Tls,
    /// MongoDB replica set name.
    ReplicaSet {
        name: String,
    },
    /// DynamoDB table name.
    Table {
        name: String,
    },
    /// The AWS API endpoint of the component (a local emulator off AWS).
    ApiEndpoint,
    /// A queue's address as a URL (`amqp://`, `redis://`, an SQS queue URL).
    QueueUrl,
    /// A queue's name (RabbitMQ queue, redis list key, SQS queue name).
    QueueName {
        name: String,
    },
    /// The AWS region the SDKs talk to.
    Region {
        region: String,
    },
    /// A web tier's HTTP port and health path.
    HttpPort {
        port: u16,
    },
    HealthPath {
        path: String,
    },
    /// The prefix of another component's variables (`SESSION_STORE=CACHE`
    /// means: read `CACHE_HOSTS`, `CACHE_PORT`, ...).
    Prefix {
        prefix: String,
    },
    /// The design's `env NAME="value"`: the value as written, on every target.
    Given {
        value: String,
    },
    /// The design's `secret NAME`: never a value in any output; each target
    /// reads it from the application's own secret store (not the one of
    /// archc's passwords, `Password`).
    Secret,
}

impl Meaning {
    /// The value when it is the same on every target (no address, no secret).
    pub fn literal(&self) -> Option<String> {
        Some(match self {
            Meaning::Engine { engine } => engine.clone(),
            Meaning::Port { port } | Meaning::HttpPort { port } => port.to_string(),
            Meaning::User { user } => user.clone(),
            Meaning::ShardKey { key } => key.clone(),
            Meaning::TtlSeconds { seconds } => seconds.to_string(),
            Meaning::HealthPath { path } => path.clone(),
            Meaning::Prefix { prefix } => prefix.clone(),
            Meaning::Given { value } => value.clone(),
            Meaning::Region { region } => region.clone(),
            Meaning::DatabaseName { name }
            | Meaning::ReplicaSet { name }
            | Meaning::Table { name }
            | Meaning::QueueName { name } => name.clone(),
            Meaning::Primaries { .. }
            | Meaning::Replicas { .. }
            | Meaning::Nodes { .. }
            | Meaning::Password
            | Meaning::Tls
            | Meaning::Secret
            | Meaning::ApiEndpoint
            | Meaning::QueueUrl => return None,
        })
    }
}

/// One variable of the contract.
#[derive(Clone, Debug, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// Kind of the component it describes (`db`, `cache`, `nosql`, `queue`,
    /// `web`, `worker`; `system` for the region).
    pub kind: &'static str,
    /// Name of that component (the system's name for `system`).
    pub component: String,
    /// The component itself: its position in its kind's list of the stage
    /// (`Model::dbs`, `caches`, `nosqls`, `queues`, `webs`, `workers`; 0 for
    /// `system`). Targets reach it through `Model::db_of` and its siblings,
    /// never by searching for the name.
    #[serde(skip)]
    pub at: usize,
    pub reader: Reader,
    pub meaning: Meaning,
}

/// The whole contract of one stage, in a fixed order: databases, caches,
/// document stores, queues, the region, then each web tier's and worker's own.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AppEnv {
    pub vars: Vec<EnvVar>,
    /// Where each application's own variables are in `vars`: asking every
    /// web tier and worker by scanning the whole contract is quadratic.
    #[serde(skip)]
    own_index: std::collections::HashMap<(bool, String), Vec<usize>>,
    /// Each component's prefix, by (kind, name).
    #[serde(skip)]
    prefixes: std::collections::HashMap<(String, String), String>,
}

impl AppEnv {
    fn new(
        mut vars: Vec<EnvVar>,
        prefixes: std::collections::HashMap<(String, String), String>,
    ) -> AppEnv {
        // Grown by doubling, kept by every emitter for its whole run: up to
        // half of it would be empty (MBs at 10,000 components).
        vars.shrink_to_fit();
        let mut own_index: std::collections::HashMap<(bool, String), Vec<usize>> =
            std::collections::HashMap::new();
        for (i, v) in vars.iter().enumerate() {
            let key = match &v.reader {
                Reader::Apps => continue,
                Reader::Web(w) => (false, w.clone()),
                Reader::Worker(w) => (true, w.clone()),
            };
            own_index.entry(key).or_default().push(i);
        }
        AppEnv {
            vars,
            own_index,
            prefixes,
        }
    }

    /// The variable prefix of a component of this stage (`cache`, `sessions`
    /// -> `SESSIONS`, or `CACHE_SESSIONS` when another kind shares the name).
    pub fn prefix(&self, kind: &str, name: &str) -> Option<&str> {
        self.prefixes
            .get(&(kind.to_string(), name.to_string()))
            .map(String::as_str)
    }

    /// Variables every web tier and worker reads.
    pub fn shared(&self) -> impl Iterator<Item = &EnvVar> {
        self.vars.iter().filter(|v| v.reader == Reader::Apps)
    }

    /// Variables only this application reads.
    pub fn own<'a>(&'a self, app: App<'a>) -> impl Iterator<Item = &'a EnvVar> {
        let key = match app {
            App::Web(w) => (false, w.to_string()),
            App::Worker(w) => (true, w.to_string()),
        };
        self.own_index
            .get(&key)
            .into_iter()
            .flatten()
            .map(|&i| &self.vars[i])
    }

    /// Every variable this application reads: the shared ones come first in
    /// `vars`, then every application's own.
    pub fn for_app<'a>(&'a self, app: App<'a>) -> impl Iterator<Item = &'a EnvVar> {
        self.shared().chain(self.own(app))
    }

    /// The secret variables (`Meaning::Password`), each once.
    pub fn secrets(&self) -> impl Iterator<Item = &EnvVar> {
        self.vars.iter().filter(|v| v.meaning == Meaning::Password)
    }
}

pub fn db_engine_word(e: DbEngine) -> &'static str {
    match e {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    }
}

pub fn cache_engine_word(e: CacheEngine) -> &'static str {
    match e {
        CacheEngine::Redis => "redis",
        CacheEngine::Memcached => "memcached",
    }
}

pub fn nosql_engine_word(e: NosqlEngine) -> &'static str {
    match e {
        NosqlEngine::Dynamodb => "dynamodb",
        NosqlEngine::Mongodb => "mongodb",
    }
}

pub fn queue_engine_word(e: QueueEngine) -> &'static str {
    match e {
        QueueEngine::Rabbitmq => "rabbitmq",
        QueueEngine::Redis => "redis",
        QueueEngine::Sqs => "sqs",
    }
}

/// The variables of the dummy AWS credentials the local targets give
/// applications when `Model::needs_emulator_credentials`.
pub const EMULATOR_CREDENTIALS: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/// Where compose's applications ship their logs, when the stage has `logs`.
pub const LOG_SHIPPING: [&str; 2] = ["LOGS_HOST", "LOGS_PORT"];

impl AppEnv {
    /// The variables of `app` that archc sets itself, with what each is, on
    /// some target: the contract's own (not the design's `env` and
    /// `secret`), and the target-only extras whatever the stage (E0211
    /// keeps a design's names off all of them).
    pub fn archc_vars<'a>(&'a self, app: App<'a>) -> impl Iterator<Item = (&'a str, String)> {
        let contract = self
            .for_app(app)
            .filter(|v| !matches!(v.meaning, Meaning::Given { .. } | Meaning::Secret))
            .map(|v| {
                let what = match v.kind {
                    "web" | "worker" => {
                        format!("archc's own variable of {} `{}`", v.kind, v.component)
                    }
                    "system" => "archc's AWS region for every application".to_string(),
                    kind => format!("archc's variable of {kind} `{}`", v.component),
                };
                (v.name.as_str(), what)
            });
        let extras = EMULATOR_CREDENTIALS
            .iter()
            .map(|n| {
                (
                    *n,
                    "the AWS credentials archc gives the local emulators".to_string(),
                )
            })
            .chain(
                LOG_SHIPPING
                    .iter()
                    .map(|n| (*n, "where compose ships logs, with `logs`".to_string())),
            );
        contract.chain(extras)
    }
}

pub use super::runtime::APP_USER;

impl Model {
    /// Names used by components of more than one kind.
    fn shared_names(&self) -> IndexSet<&str> {
        let mut kinds_of: IndexMap<&str, IndexSet<&str>> = IndexMap::new();
        for c in self.components() {
            kinds_of.entry(c.name).or_default().insert(c.kind);
        }
        kinds_of
            .into_iter()
            .filter(|(_, k)| k.len() > 1)
            .map(|(n, _)| n)
            .collect()
    }

    /// The application environment contract of this stage, in the order
    /// `AppEnv` promises: what every application reads (the variables of each
    /// database, cache, document store and queue, then the region), then each
    /// web tier's and worker's own.
    pub fn app_env(&self) -> AppEnv {
        let shared = self.shared_names();
        let mut c = Contract {
            shared: &shared,
            vars: Vec::new(),
            at: 0,
        };
        for (at, db) in self.dbs.iter().enumerate() {
            c.at = at;
            c.db(db);
        }
        for (at, cache) in self.caches.iter().enumerate() {
            c.at = at;
            c.cache(cache);
        }
        for (at, n) in self.nosqls.iter().enumerate() {
            c.at = at;
            c.nosql(n);
        }
        for (at, q) in self.queues.iter().enumerate() {
            c.at = at;
            c.queue(q);
        }
        c.at = 0;
        if self.uses_aws_apis() {
            c.push(
                "system",
                &self.system,
                "AWS_REGION".into(),
                Meaning::Region {
                    region: self.region.clone(),
                },
            );
        }
        for (at, w) in self.webs.iter().enumerate() {
            c.at = at;
            c.web(w);
        }
        for (at, w) in self.workers.iter().enumerate() {
            c.at = at;
            c.worker(w);
        }
        let prefixes = self
            .components()
            .into_iter()
            .filter(|c| matches!(c.kind, "db" | "cache" | "nosql" | "queue"))
            .map(|c| {
                let p = prefix_with(&shared, c.kind, c.name);
                ((c.kind.to_string(), c.name.to_string()), p)
            })
            .collect();
        AppEnv::new(c.vars, prefixes)
    }

    /// Applications (web tiers or workers) reach an AWS API that the local
    /// targets run an emulator for (DynamoDB, an SQS queue): the SDKs there
    /// insist on credentials, which the emulators accept whatever they are
    /// (`EMULATOR_CREDENTIALS`; on AWS the hosts' IAM role provides them).
    pub fn needs_emulator_credentials(&self) -> bool {
        (!self.webs.is_empty() || !self.workers.is_empty())
            && (self
                .nosqls
                .iter()
                .any(|n| n.engine == NosqlEngine::Dynamodb)
                || self.queues.iter().any(|q| q.engine == QueueEngine::Sqs))
    }

    /// Some component is reached through an AWS API (DynamoDB, any queue,
    /// which AWS runs as SQS): the SDKs need the region.
    pub fn uses_aws_apis(&self) -> bool {
        !self.queues.is_empty()
            || self
                .nosqls
                .iter()
                .any(|n| n.engine == NosqlEngine::Dynamodb)
    }
}

/// The component a contract variable describes, typed (by its position,
/// `EnvVar::at`): `None` when the variable describes another kind.
impl Model {
    pub fn db_of(&self, v: &EnvVar) -> Option<&Db> {
        (v.kind == "db").then(|| &self.dbs[v.at])
    }

    pub fn cache_of(&self, v: &EnvVar) -> Option<&Cache> {
        (v.kind == "cache").then(|| &self.caches[v.at])
    }

    pub fn nosql_of(&self, v: &EnvVar) -> Option<&Nosql> {
        (v.kind == "nosql").then(|| &self.nosqls[v.at])
    }

    pub fn queue_of(&self, v: &EnvVar) -> Option<&Queue> {
        (v.kind == "queue").then(|| &self.queues[v.at])
    }

    /// Where the AWS API of the document store or queue `v` describes is
    /// off AWS (compose and k8s run its emulator under the component's name).
    pub fn local_api_endpoint(&self, v: &EnvVar) -> String {
        let port = self
            .nosql_of(v)
            .map(|n| n.port)
            .or_else(|| self.queue_of(v).map(|q| q.port));
        format!("http://{}:{}", v.component, port.unwrap_or_default())
    }

    /// The URL of the queue `v` describes off AWS (empty for another kind).
    pub fn local_queue_url(&self, v: &EnvVar) -> String {
        self.queue_of(v)
            .map_or(String::new(), |q| q.engine.local_url(&q.name, q.port))
    }
}

fn prefix_with(shared: &IndexSet<&str>, kind: &str, name: &str) -> String {
    let base = name.to_ascii_uppercase().replace('-', "_");
    if shared.contains(name) && name != kind {
        format!("{}_{base}", kind.to_ascii_uppercase())
    } else {
        base
    }
}

/// The contract while `Model::app_env` writes it: the variables so far, and
/// the names several kinds share (which qualify a prefix with the kind).
struct Contract<'s> {
    shared: &'s IndexSet<&'s str>,
    vars: Vec<EnvVar>,
    /// The position of the component being written in its kind's list.
    at: usize,
}

impl Contract<'_> {
    fn prefix(&self, kind: &str, name: &str) -> String {
        prefix_with(self.shared, kind, name)
    }

    /// A variable every application reads.
    fn push(&mut self, kind: &'static str, component: &str, name: String, meaning: Meaning) {
        self.vars.push(EnvVar {
            name,
            kind,
            component: component.to_string(),
            at: self.at,
            reader: Reader::Apps,
            meaning,
        });
    }

    /// A database: engine, hosts (each shard's primary and read replicas),
    /// port, database name, user, and one password a shard.
    fn db(&mut self, db: &Db) {
        let p = self.prefix("db", &db.name);
        let mut v =
            |suffix: &str, meaning| self.push("db", &db.name, format!("{p}_{suffix}"), meaning);
        v(
            "ENGINE",
            Meaning::Engine {
                engine: db_engine_word(db.engine).into(),
            },
        );
        if db.is_sharded() {
            if let Some(key) = &db.shard_key {
                v("SHARD_KEY", Meaning::ShardKey { key: key.clone() });
            }
            v(
                "SHARD_HOSTS",
                Meaning::Primaries {
                    instances: db.shards.iter().map(|s| s.primary.clone()).collect(),
                },
            );
            for s in db.shards.iter().filter(|s| !s.replicas.is_empty()) {
                v(
                    &format!("SHARD_{}_READ_HOSTS", s.index),
                    Meaning::Replicas {
                        shard: s.index,
                        instances: s.replicas.clone(),
                    },
                );
            }
        } else if let Some(s) = db.shards.first() {
            v(
                "HOST",
                Meaning::Primaries {
                    instances: vec![s.primary.clone()],
                },
            );
            if !s.replicas.is_empty() {
                v(
                    "READ_HOSTS",
                    Meaning::Replicas {
                        shard: s.index,
                        instances: s.replicas.clone(),
                    },
                );
            }
        }
        v("PORT", Meaning::Port { port: db.port });
        v(
            "NAME",
            Meaning::DatabaseName {
                name: super::runtime::DATABASE_NAME.to_string(),
            },
        );
        v(
            "USER",
            Meaning::User {
                user: db.user.clone(),
            },
        );
        // One secret a shard (the database's own when unsharded).
        for s in &db.shards {
            self.push("db", &db.name, s.password_env.clone(), Meaning::Password);
        }
    }

    /// A cache: engine, every node, port, and the TTL when it has one.
    fn cache(&mut self, c: &Cache) {
        let p = self.prefix("cache", &c.name);
        let mut v =
            |suffix: &str, meaning| self.push("cache", &c.name, format!("{p}_{suffix}"), meaning);
        v(
            "ENGINE",
            Meaning::Engine {
                engine: cache_engine_word(c.engine).into(),
            },
        );
        v(
            "HOSTS",
            Meaning::Nodes {
                instances: c.instances.clone(),
            },
        );
        v("PORT", Meaning::Port { port: c.port });
        v("TLS", Meaning::Tls);
        if let Some(t) = c.ttl_seconds {
            // The expiry is set by the client on every write.
            v("TTL_SECONDS", Meaning::TtlSeconds { seconds: t });
        }
        if let Some(pw) = &c.password_env {
            self.push("cache", &c.name, pw.clone(), Meaning::Password);
        }
    }

    /// A document store: MongoDB by its nodes and replica set, DynamoDB by
    /// its table and API endpoint.
    fn nosql(&mut self, n: &Nosql) {
        let p = self.prefix("nosql", &n.name);
        let mut v =
            |suffix: &str, meaning| self.push("nosql", &n.name, format!("{p}_{suffix}"), meaning);
        v(
            "ENGINE",
            Meaning::Engine {
                engine: nosql_engine_word(n.engine).into(),
            },
        );
        match n.engine {
            NosqlEngine::Mongodb => {
                v(
                    "HOSTS",
                    Meaning::Nodes {
                        instances: n.instances.clone(),
                    },
                );
                v("PORT", Meaning::Port { port: n.port });
                v(
                    "REPLICA_SET",
                    Meaning::ReplicaSet {
                        name: n.name.clone(),
                    },
                );
                v(
                    "USER",
                    Meaning::User {
                        user: APP_USER.into(),
                    },
                );
            }
            NosqlEngine::Dynamodb => {
                v(
                    "TABLE",
                    Meaning::Table {
                        name: n.name.clone(),
                    },
                );
                v("ENDPOINT", Meaning::ApiEndpoint);
            }
        }
        if let Some(pw) = &n.password_env {
            self.push("nosql", &n.name, pw.clone(), Meaning::Password);
        }
    }

    /// A queue: engine, URL, name, and the user or endpoint its engine needs.
    fn queue(&mut self, q: &Queue) {
        let p = self.prefix("queue", &q.name);
        let mut v =
            |suffix: &str, meaning| self.push("queue", &q.name, format!("{p}_{suffix}"), meaning);
        v(
            "ENGINE",
            Meaning::Engine {
                engine: queue_engine_word(q.engine).into(),
            },
        );
        v("URL", Meaning::QueueUrl);
        v(
            "NAME",
            Meaning::QueueName {
                name: q.name.clone(),
            },
        );
        match q.engine {
            QueueEngine::Rabbitmq => v(
                "USER",
                Meaning::User {
                    user: APP_USER.into(),
                },
            ),
            QueueEngine::Sqs => v("ENDPOINT", Meaning::ApiEndpoint),
            QueueEngine::Redis => {}
        }
        if let Some(pw) = &q.password_env {
            self.push("queue", &q.name, pw.clone(), Meaning::Password);
        }
    }

    /// A web tier's own: its port, health path and session store.
    fn web(&mut self, w: &Web) {
        let session_prefix = w.sessions.as_ref().map(|s| {
            let kind = match s.kind {
                StoreKind::Cache => "cache",
                StoreKind::Db => "db",
                StoreKind::Nosql => "nosql",
            };
            self.prefix(kind, &s.name)
        });
        let reader = Reader::Web(w.name.clone());
        let at = self.at;
        let mut v = |name: &str, meaning| {
            self.vars.push(EnvVar {
                name: name.into(),
                kind: "web",
                component: w.name.clone(),
                at,
                reader: reader.clone(),
                meaning,
            })
        };
        v("PORT", Meaning::HttpPort { port: w.port });
        v(
            "HEALTH_PATH",
            Meaning::HealthPath {
                path: w.health.clone(),
            },
        );
        if let Some(prefix) = session_prefix {
            v("SESSION_STORE", Meaning::Prefix { prefix });
        }
        self.settings("web", &w.name, &w.env, &w.secrets);
    }

    /// An application's `env` and `secret` variables, after archc's own.
    fn settings(
        &mut self,
        kind: &'static str,
        name: &str,
        env: &[EnvSetting],
        secrets: &[SecretName],
    ) {
        let reader = match kind {
            "web" => Reader::Web(name.to_string()),
            _ => Reader::Worker(name.to_string()),
        };
        let given = env.iter().map(|e| {
            (
                e.name.clone(),
                Meaning::Given {
                    value: e.value.clone(),
                },
            )
        });
        let secret = secrets.iter().map(|s| (s.name.clone(), Meaning::Secret));
        for (var, meaning) in given.chain(secret) {
            self.vars.push(EnvVar {
                name: var,
                kind,
                component: name.to_string(),
                at: self.at,
                reader: reader.clone(),
                meaning,
            });
        }
    }

    /// A worker's own: the prefix of the queue it consumes.
    fn worker(&mut self, w: &Worker) {
        let prefix = self.prefix("queue", &w.queue);
        self.vars.push(EnvVar {
            name: "WORKER_QUEUE".into(),
            kind: "worker",
            component: w.name.clone(),
            at: self.at,
            reader: Reader::Worker(w.name.clone()),
            meaning: Meaning::Prefix { prefix },
        });
        self.settings("worker", &w.name, &w.env, &w.secrets);
    }
}

/// Names the password variable of every component that has one, with the
/// contract's prefix rule: `Db::password_env`, and `password_env` of redis
/// caches, MongoDB stores and RabbitMQ queues. Run by the resolver on each stage's model.
pub(crate) fn assign_password_envs(m: &mut Model) {
    let shared: IndexSet<String> = m.shared_names().into_iter().map(String::from).collect();
    let shared: IndexSet<&str> = shared.iter().map(String::as_str).collect();
    let pw = |kind: &str, name: &str| format!("{}_PASSWORD", prefix_with(&shared, kind, name));
    for d in &mut m.dbs {
        d.password_env = pw("db", &d.name);
        let sharded = d.is_sharded();
        let prefix = prefix_with(&shared, "db", &d.name);
        for s in &mut d.shards {
            s.password_env = if sharded {
                format!("{prefix}_SHARD_{}_PASSWORD", s.index)
            } else {
                d.password_env.clone()
            };
        }
    }
    for c in &mut m.caches {
        c.password_env = (c.engine == CacheEngine::Redis).then(|| pw("cache", &c.name));
    }
    for n in &mut m.nosqls {
        n.password_env = (n.engine == NosqlEngine::Mongodb).then(|| pw("nosql", &n.name));
    }
    for q in &mut m.queues {
        q.password_env = (q.engine == QueueEngine::Rabbitmq).then(|| pw("queue", &q.name));
    }
}
