//! The syntax tree. Every node carries a `Copy` span; nothing borrows the source.

use crate::model::{
    CacheEngine, CapacityUnit, DbEngine, Evict, LbEngine, LbMethod, NosqlEngine, QueueEngine,
    SizeClass, StoreKind, WebState,
};
use crate::span::{Span, Spanned};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceFile {
    pub items: Vec<Item>,
    /// Every `# comment` with its span, for the formatter.
    pub comments: Vec<Span>,
}

#[derive(Clone, Debug, Serialize)]
pub enum Item {
    Statement(Statement),
    Stage(Stage),
}

#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    pub name: Spanned<String>,
    /// `stage NAME {`.
    pub open: Span,
    /// The closing `}`, or the end of the file when it was never closed.
    pub close: Span,
    pub body: Vec<Statement>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Statement {
    pub stmt: Stmt,
    /// The statement's words, without the `accept` clauses after them.
    pub span: Span,
    /// `accept CODE "REASON"` after a component or `datacenters` statement:
    /// warnings about what this statement declares, taken on purpose.
    pub accepts: Vec<Accept>,
}

impl Statement {
    /// The statement as written, its `accept` clauses included.
    pub fn full_span(&self) -> Span {
        let end = self.accepts.last().map_or(self.span.end, |a| a.span.end);
        Span {
            start: self.span.start,
            end,
        }
    }
}

/// `accept CODE "REASON"`.
#[derive(Clone, Debug, Serialize)]
pub struct Accept {
    /// As written (`W0304`); checked against the registry when applied.
    pub code: Spanned<String>,
    pub reason: Spanned<String>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub enum Stmt {
    System(Spanned<String>),
    Region(Spanned<String>),
    Datacenters {
        regions: Vec<Spanned<String>>,
        geodns: bool,
    },
    Component(Component),
    Drop {
        kind: Spanned<Kind>,
        name: Option<Spanned<String>>,
    },
    /// `accept CODE "REASON"` on its own: for the whole file at top level,
    /// for its stage inside a stage block.
    Accept(Accept),
    /// `traffic N users, …`: the load a stage must carry.
    Traffic(Traffic),
}

/// `traffic N users[, N requests per user][, peak Nx][, reads N%][, SIZE per response]`,
/// each number as written (checked while lowering: E0220-E0222).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Traffic {
    /// Daily active users, the `k`/`m` suffix applied.
    pub users: Option<Spanned<f64>>,
    /// Requests one user makes a day.
    pub requests_per_user: Option<Spanned<f64>>,
    /// Peak requests per second over the day's average.
    pub peak: Option<Spanned<f64>>,
    /// Share of requests that only read, in percent.
    pub reads_percent: Option<Spanned<f64>>,
    /// Bytes sent back per response.
    pub response_bytes: Option<Spanned<f64>>,
}

/// Every word `drop` accepts as a kind: the components and the singletons.
pub const KIND_WORDS: &[&str] = &[
    "web",
    "lb",
    "db",
    "cache",
    "cdn",
    "nosql",
    "queue",
    "worker",
    "logs",
    "metrics",
    "datacenters",
    "traffic",
];

/// Every word a statement can start with.
pub const STATEMENT_WORDS: &[&str] = &[
    "accept",
    "system",
    "region",
    "datacenters",
    "stage",
    "drop",
    "web",
    "lb",
    "db",
    "cache",
    "cdn",
    "nosql",
    "queue",
    "worker",
    "logs",
    "metrics",
    "traffic",
];

/// The kinds of component, and the singletons `logs`, `metrics`, `datacenters`
/// that `drop` can also remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Web,
    Lb,
    Db,
    Cache,
    Cdn,
    Nosql,
    Queue,
    Worker,
    Logs,
    Metrics,
    Datacenters,
    Traffic,
}

impl Kind {
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Web => "web",
            Kind::Lb => "lb",
            Kind::Db => "db",
            Kind::Cache => "cache",
            Kind::Cdn => "cdn",
            Kind::Nosql => "nosql",
            Kind::Queue => "queue",
            Kind::Worker => "worker",
            Kind::Logs => "logs",
            Kind::Metrics => "metrics",
            Kind::Datacenters => "datacenters",
            Kind::Traffic => "traffic",
        }
    }

    /// The words that may follow this kind as clauses; a name equal to one of
    /// them is read as the clause, and a name close to one is probably a typo.
    pub fn clause_words(self) -> &'static [&'static str] {
        match self {
            Kind::Web => &[
                "stateless",
                "stateful",
                "autoscale",
                "behind",
                "port",
                "image",
                "health",
                "sessions",
                "size",
                "env",
                "secret",
                "label",
                "capacity",
            ],
            Kind::Lb => &[
                "nginx",
                "haproxy",
                "round-robin",
                "least-conn",
                "ip-hash",
                "sticky",
                "label",
                "capacity",
            ],
            Kind::Db => &[
                "postgres",
                "mysql",
                "colocated",
                "sharded",
                "with",
                "storage",
                "size",
                "label",
                "capacity",
            ],
            Kind::Cache => &[
                "redis",
                "memcached",
                "ttl",
                "evict",
                "memory",
                "colocated",
                "size",
                "label",
                "capacity",
                "hits",
            ],
            Kind::Cdn => &["for", "ttl", "versioned", "label"],
            Kind::Nosql => &["dynamodb", "mongodb", "label", "capacity"],
            Kind::Queue => &["rabbitmq", "redis", "sqs", "label"],
            Kind::Worker => &[
                "consumes", "image", "size", "env", "secret", "label", "capacity",
            ],
            Kind::Logs | Kind::Metrics | Kind::Datacenters | Kind::Traffic => &[],
        }
    }
}

/// `KIND [NAME] CLAUSE…`
#[derive(Clone, Debug, Serialize)]
pub struct Component {
    pub kind: Spanned<Kind>,
    pub name: Option<Spanned<String>>,
    pub clauses: Vec<Spanned<Clause>>,
}

/// A number as written, with the span of its digits. Values that do not fit a
/// `u64` are reported while parsing and saturate here.
pub type Num = Spanned<u64>;

#[derive(Clone, Debug, Serialize)]
pub enum Clause {
    State(WebState),
    Count(Num),
    Autoscale {
        min: Num,
        max: Num,
        cpu: Option<Num>,
    },
    Behind(Option<Spanned<String>>),
    Port(Num),
    Image(Spanned<String>),
    Health(Spanned<String>),
    Sessions {
        kind: StoreKind,
        name: Option<Spanned<String>>,
    },
    Size(SizeClass),
    LbEngine(LbEngine),
    LbMethod(LbMethod),
    Sticky,
    DbEngine(DbEngine),
    Colocated,
    Sharded {
        key: Option<Spanned<String>>,
        count: Option<Num>,
    },
    Replicas(Num),
    /// Bytes.
    Storage(Num),
    CacheEngine(CacheEngine),
    /// Seconds.
    Ttl(Num),
    Evict(Evict),
    /// Bytes.
    Memory(Num),
    Paths(Vec<Spanned<String>>),
    Versioned,
    NosqlEngine(NosqlEngine),
    QueueEngine(QueueEngine),
    Consumes(Spanned<String>),
    /// `env NAME="value", …`, as written.
    Env(Vec<Setting>),
    /// `secret NAME, …`, as written.
    Secret(Vec<Spanned<String>>),
    /// `label KEY=VALUE, …`, as written.
    Label(Vec<Setting>),
    /// `capacity N rps|qps|jobs/s`: what one instance sustains.
    Capacity {
        value: Spanned<f64>,
        unit: Spanned<CapacityUnit>,
    },
    /// `hits N%`: the share of reads a cache answers.
    Hits(Spanned<f64>),
}

/// One `NAME=VALUE` of `env` or `label`: the value unquoted, its span the
/// value as written (with its quotes).
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    pub name: Spanned<String>,
    pub value: Spanned<String>,
}

impl Clause {
    /// The clause's identity for "given twice" and for the model's clause spans:
    /// clauses that set the same thing share a key (`nginx` and `haproxy` are
    /// both `engine`).
    pub fn key(&self) -> &'static str {
        match self {
            Clause::State(_) => "state",
            Clause::Count(_) => "count",
            Clause::Autoscale { .. } => "autoscale",
            Clause::Behind(_) => "behind",
            Clause::Port(_) => "port",
            Clause::Image(_) => "image",
            Clause::Health(_) => "health",
            Clause::Sessions { .. } => "sessions",
            Clause::Size(_) => "size",
            Clause::LbEngine(_)
            | Clause::DbEngine(_)
            | Clause::CacheEngine(_)
            | Clause::NosqlEngine(_)
            | Clause::QueueEngine(_) => "engine",
            Clause::LbMethod(_) => "method",
            Clause::Sticky => "sticky",
            Clause::Colocated => "colocated",
            Clause::Sharded { .. } => "sharded",
            Clause::Replicas(_) => "replicas",
            Clause::Storage(_) => "storage",
            Clause::Ttl(_) => "ttl",
            Clause::Evict(_) => "evict",
            Clause::Memory(_) => "memory",
            Clause::Paths(_) => "for",
            Clause::Versioned => "versioned",
            Clause::Consumes(_) => "consumes",
            Clause::Env(_) => "env",
            Clause::Secret(_) => "secret",
            Clause::Label(_) => "label",
            Clause::Capacity { .. } => "capacity",
            Clause::Hits(_) => "hits",
        }
    }

    /// What the clause sets, in words, for messages about it.
    pub fn what(&self) -> &'static str {
        match self.key() {
            "state" => "the state",
            "count" => "the instance count",
            "autoscale" => "`autoscale`",
            "behind" => "the load balancer",
            "port" => "the port",
            "image" => "the image",
            "health" => "the health path",
            "sessions" => "the session store",
            "size" => "the size",
            "engine" => "the engine",
            "method" => "the balancing method",
            "sticky" => "`sticky`",
            "colocated" => "`colocated`",
            "sharded" => "the sharding",
            "replicas" => "the replica count",
            "storage" => "the storage size",
            "ttl" => "the TTL",
            "evict" => "the eviction policy",
            "memory" => "the memory size",
            "for" => "the paths",
            "versioned" => "`versioned`",
            "env" => "`env`",
            "secret" => "`secret`",
            "label" => "`label`",
            "capacity" => "the capacity",
            "hits" => "the hit share",
            _ => "the queue",
        }
    }
}
