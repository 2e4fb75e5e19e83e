//! One runtime plan per engine: how each database, cache, document store,
//! queue and collector runs, decided once for every target.
//!
//! Before this module each emitter chose its own image tags, readiness
//! commands, database name and eviction default, and they drifted apart
//! (mysql 8.4 on compose and k8s but 8.0 on AWS; redis with no eviction policy
//! was `noeviction` on compose, the server default on k8s and `volatile-lru`
//! on AWS). Every target now reads the plan below, so such a disagreement is
//! impossible by construction.
//!
//! What the plan holds is what every target must agree on; how a target
//! spells it (a compose `healthcheck`, a Kubernetes probe, a `docker run` in
//! EC2 user data, an RDS `engine_version`) stays in the target.

use super::types::{
    Cache, CacheEngine, Db, DbEngine, Evict, NosqlEngine, QueueEngine, Web, Worker,
};

/// The user every app connects as, on every engine that has users
/// (databases, document stores, RabbitMQ).
pub const APP_USER: &str = "app";
/// The database (schema) the app uses, on every SQL engine and target:
/// named like its user, as the postgres image itself does by default.
pub const DATABASE_NAME: &str = "app";
/// What a CDN path without a `ttl` clause is cached for (W0306 warns about
/// it), on nginx's proxy cache and on CloudFront alike: one hour.
pub const DEFAULT_CDN_TTL_SECS: u64 = 3600;
/// The smallest storage RDS allocates for a gp3 database: a `storage` clause
/// below it gets this much on AWS (W0310 says so; Compose and Kubernetes
/// volumes keep the size written).
pub const RDS_MIN_STORAGE_GB: u32 = 20;

/// How a database engine runs.
#[derive(Debug, PartialEq, Eq)]
pub struct DbRuntime {
    /// The engine's name as targets and the app env write it.
    pub engine: &'static str,
    /// Container image (compose, k8s, a single EC2 host's docker).
    pub image: &'static str,
    /// The major version RDS runs (`engine_version`): the image's.
    pub managed_version: &'static str,
    /// Where the server keeps its data inside the container.
    pub data_dir: &'static str,
}

const POSTGRES: DbRuntime = DbRuntime {
    engine: "postgres",
    image: "postgres:16-alpine",
    managed_version: "16",
    data_dir: "/var/lib/postgresql/data",
};

const MYSQL: DbRuntime = DbRuntime {
    engine: "mysql",
    image: "mysql:8.4",
    managed_version: "8.4",
    data_dir: "/var/lib/mysql",
};

impl DbEngine {
    /// This engine's runtime plan.
    pub fn runtime(self) -> &'static DbRuntime {
        match self {
            DbEngine::Postgres => &POSTGRES,
            DbEngine::Mysql => &MYSQL,
        }
    }
}

/// A value of a server's environment: text, or the component's password,
/// which each target spells as its own secret reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvValue {
    Text(String),
    Password,
}

impl Db {
    /// The environment that makes a primary's image create the app's user
    /// and database on its first start. mysql's root password is random
    /// (printed once in the log): the application never uses root, and a
    /// second secret would be one more thing to keep.
    pub fn server_env(&self) -> Vec<(&'static str, EnvValue)> {
        let text = |s: &str| EnvValue::Text(s.to_string());
        match self.engine {
            DbEngine::Postgres => vec![
                ("POSTGRES_USER", text(&self.user)),
                ("POSTGRES_DB", text(DATABASE_NAME)),
                ("POSTGRES_PASSWORD", EnvValue::Password),
            ],
            DbEngine::Mysql => vec![
                ("MYSQL_RANDOM_ROOT_PASSWORD", text("yes")),
                ("MYSQL_DATABASE", text(DATABASE_NAME)),
                ("MYSQL_USER", text(&self.user)),
                ("MYSQL_PASSWORD", EnvValue::Password),
            ],
        }
    }

    /// The command that succeeds once the server accepts the app's
    /// connections. Over TCP on purpose: during the images' first-start
    /// initialisation the server listens on its socket only, so a readiness
    /// check over the socket would pass too early.
    pub fn ready_command(&self) -> Vec<String> {
        match self.engine {
            DbEngine::Postgres => vec![
                "pg_isready".into(),
                "-h".into(),
                "127.0.0.1".into(),
                "-p".into(),
                self.port.to_string(),
                "-U".into(),
                self.user.clone(),
                "-d".into(),
                DATABASE_NAME.into(),
            ],
            DbEngine::Mysql => ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// How a cache engine runs.
#[derive(Debug, PartialEq, Eq)]
pub struct CacheRuntime {
    pub engine: &'static str,
    pub image: &'static str,
    /// The server program that `Cache::server_args` are for
    /// (`Cache::server_command` is both).
    pub program: &'static str,
    /// ElastiCache `engine_version` and parameter group family.
    pub managed_version: &'static str,
    pub managed_family: &'static str,
}

const REDIS: CacheRuntime = CacheRuntime {
    engine: "redis",
    image: "redis:7.4-alpine",
    program: "redis-server",
    managed_version: "7.1",
    managed_family: "redis7",
};

const MEMCACHED: CacheRuntime = CacheRuntime {
    engine: "memcached",
    image: "memcached:1.6-alpine",
    program: "memcached",
    managed_version: "1.6.22",
    managed_family: "memcached1.6",
};

impl CacheEngine {
    pub fn runtime(self) -> &'static CacheRuntime {
        match self {
            CacheEngine::Redis => &REDIS,
            CacheEngine::Memcached => &MEMCACHED,
        }
    }
}

/// What a full cache does, decided once: the design's `evict` clause, and
/// without one redis's own default, `noeviction` (writes fail when memory is
/// full, which W0305 warns about), on every target including ElastiCache,
/// whose default parameter group would otherwise pick `volatile-lru`.
/// Memcached always evicts least recently used items unless told to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionPlan {
    /// redis `maxmemory-policy`.
    Redis(&'static str),
    /// memcached: evict LRU (`false`) or return an error when full (`-M`).
    Memcached { error_when_full: bool },
}

impl Cache {
    pub fn eviction(&self) -> EvictionPlan {
        match self.engine {
            CacheEngine::Redis => EvictionPlan::Redis(match self.evict {
                Some(Evict::Lru) => "allkeys-lru",
                Some(Evict::Lfu) => "allkeys-lfu",
                Some(Evict::None) | None => "noeviction",
            }),
            CacheEngine::Memcached => EvictionPlan::Memcached {
                error_when_full: self.evict == Some(Evict::None),
            },
        }
    }

    /// The server's arguments (without the program name): memory limit and
    /// eviction; a redis cache also keeps nothing on disk.
    pub fn server_args(&self) -> Vec<String> {
        match self.eviction() {
            EvictionPlan::Redis(policy) => vec![
                "--maxmemory".into(),
                format!("{}mb", self.memory_mb),
                "--maxmemory-policy".into(),
                policy.into(),
                "--save".into(),
                String::new(),
                "--appendonly".into(),
                "no".into(),
            ],
            EvictionPlan::Memcached { error_when_full } => {
                let mut args = vec!["-m".to_string(), self.memory_mb.to_string()];
                if error_when_full {
                    args.push("-M".into());
                }
                args
            }
        }
    }

    /// The server's command line: the program, then `server_args`.
    pub fn server_command(&self) -> Vec<String> {
        std::iter::once(self.engine.runtime().program.to_string())
            .chain(self.server_args())
            .collect()
    }

    /// The user and group the official redis (alpine) image creates for its
    /// server (`adduser -S -G redis -u 999 redis`, group 1000). Its
    /// entrypoint starts the server directly when started as another user
    /// than root ("allow the container to be started with `--user`"), so a
    /// redis cache, which keeps nothing on disk, runs as it from the start,
    /// with no capability added back.
    pub const REDIS_USER: (u32, u32) = (999, 1000);

    /// Whether the local targets run this cache's container as the image's
    /// own user from the start: redis (memcached's image already does).
    pub fn runs_as_image_user(&self) -> bool {
        self.engine == CacheEngine::Redis
    }

    /// The variable the local targets give a password-protected cache's
    /// container its password in: redis-cli reads it, so the health checks
    /// log in without the password on their command line.
    pub const PASSWORD_VAR: &'static str = "REDISCLI_AUTH";

    /// A redis cache's start script on the local targets (`sh -c`): the
    /// image's entrypoint (which drops to the redis user) with
    /// `server_args`, requiring the password in [`Self::PASSWORD_VAR`]. The
    /// password is expanded by the shell at start, so it is in no file and
    /// in no container command; redis replaces its process title. `None`
    /// for a cache without a password (memcached).
    pub fn server_script(&self) -> Option<String> {
        self.password_env.as_ref()?;
        let args: Vec<String> = self.server_args().iter().map(|a| sh_word(a)).collect();
        Some(format!(
            "exec docker-entrypoint.sh {} --requirepass \"${}\" {}",
            self.engine.runtime().program,
            Self::PASSWORD_VAR,
            args.join(" ")
        ))
    }

    /// Memory for the cache's container: the cache's own memory plus a
    /// quarter for the server's overhead (connections, fragmentation), and at
    /// least what its size gives.
    pub fn container_memory_mb(&self) -> u32 {
        self.resources
            .memory_mb
            .max(self.memory_mb + self.memory_mb.div_ceil(4))
    }
}

/// `arg` as one shell word: as is when it needs no quoting, else in single
/// quotes (`''` for the empty argument).
fn sh_word(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/:=+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Container images of the other engines and of the collectors.
pub mod images {
    pub const MONGODB: &str = "mongo:7.0";
    pub const DYNAMODB_LOCAL: &str = "amazon/dynamodb-local:2.5.2";
    pub const RABBITMQ: &str = "rabbitmq:3.13-management-alpine";
    /// A redis queue runs the cache's redis image.
    pub const REDIS: &str = super::REDIS.image;
    pub const ELASTICMQ: &str = "softwaremill/elasticmq-native:1.6.9";
    pub const FLUENT_BIT: &str = "fluent/fluent-bit:3.1";
    pub const PROMETHEUS: &str = "prom/prometheus:v2.55.1";
}

/// What a web tier or worker runs until the design names its image
/// (`image "registry/app:tag"`): something real that starts everywhere, so
/// a fresh design's `docker compose up`, Kubernetes pods and EC2 hosts come
/// up healthy. One small official image for both: busybox, whose `httpd`
/// serves the tier's health path (and `/`, the instance's name) on its port,
/// whose `wget` runs the Compose health check, and whose `sleep` idles a
/// worker. Each target prints the script as its own command
/// (`Web::placeholder_script`).
pub mod placeholder {
    /// Pinned: the same bytes on every run.
    pub const IMAGE: &str = "busybox:1.37.0";
    /// busybox runs as root; Kubernetes pods here run as non-root, so the
    /// placeholder runs as `nobody`, by number as Kubernetes requires.
    pub const UID: u32 = 65534;
    /// Where the web placeholder's files live: writable by anyone.
    pub const ROOT: &str = "/tmp/www";
}

/// The placeholder's last lines: stop at once on TERM or INT (a shell as the
/// container's first process ignores them otherwise, and every stop would
/// wait for the kill), and end when the server ends, so the container restarts.
fn serve(server: &str) -> [String; 2] {
    [
        "trap \"exit 0\" TERM INT".into(),
        format!("{server} & wait"),
    ]
}

impl Web {
    /// The script (`sh -c`, one command a line) the placeholder runs: files
    /// for the health path and `/` (the instance's host name, so a load
    /// balancer's turns can be seen), then busybox `httpd` on the tier's port.
    /// `None` when the design names the tier's image. The health path is a
    /// `path` of the grammar (letters, digits, `- _ . ~ /`): no shell quoting
    /// is needed, and no `$`, which Compose would read as a variable.
    pub fn placeholder_script(&self) -> Option<Vec<String>> {
        if !self.placeholder {
            return None;
        }
        let root = placeholder::ROOT;
        // `/status/ready` is a file in a folder; `/` (the only path that
        // may end in `/`) the root's index.
        let (dir, file) = self.health.rsplit_once('/').unwrap_or(("", ""));
        let file = if file.is_empty() { "index.html" } else { file };
        let mut lines = vec![
            "set -e".to_string(),
            format!(
                "echo \"web tier {} runs a placeholder, busybox httpd on port {}: name its image in the design (archc explain image)\"",
                self.name, self.port
            ),
            format!("mkdir -p {root}{dir}"),
            format!("hostname > {root}/index.html"),
            format!("echo ok > {root}{dir}/{file}"),
        ];
        lines.extend(serve(&format!("httpd -f -v -p {} -h {root}", self.port)));
        Some(lines)
    }
}

impl Worker {
    /// The script the placeholder runs: it says what it is and idles (it
    /// takes nothing from the queue). `None` when the design names the
    /// worker's image.
    pub fn placeholder_script(&self) -> Option<Vec<String>> {
        if !self.placeholder {
            return None;
        }
        let mut lines = vec![
            "set -e".to_string(),
            format!(
                "echo \"worker {} runs a placeholder that idles and takes nothing from queue {}: name its image in the design (archc explain image)\"",
                self.name, self.queue
            ),
        ];
        // The longest sleep busybox takes: 68 years.
        lines.extend(serve("sleep 2147483647"));
        Some(lines)
    }
}

/// A placeholder script as one line, for a command argument (Kubernetes,
/// `docker run`): no line ends in `&`, so `; ` joins them.
pub fn one_line(script: &[String]) -> String {
    script.join("; ")
}

impl NosqlEngine {
    /// The local image (DynamoDB runs as dynamodb-local off AWS).
    pub fn image(self) -> &'static str {
        match self {
            NosqlEngine::Mongodb => images::MONGODB,
            NosqlEngine::Dynamodb => images::DYNAMODB_LOCAL,
        }
    }
}

impl QueueEngine {
    /// The local image (SQS runs as ElasticMQ off AWS).
    pub fn image(self) -> &'static str {
        match self {
            QueueEngine::Rabbitmq => images::RABBITMQ,
            QueueEngine::Redis => images::REDIS,
            QueueEngine::Sqs => images::ELASTICMQ,
        }
    }

    /// Where an app reaches a queue named `name` on `port` off AWS: the
    /// protocol's URL at the service's name (compose and k8s alike).
    pub fn local_url(self, name: &str, port: u16) -> String {
        match self {
            QueueEngine::Rabbitmq => format!("amqp://{name}:{port}"),
            QueueEngine::Redis => format!("redis://{name}:{port}"),
            // ElasticMQ's queue URLs use the account id 000000000000.
            QueueEngine::Sqs => format!("http://{name}:{port}/000000000000/{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(source: &str) -> crate::model::Model {
        let c = crate::compile("t.arch", source);
        assert!(!c.has_errors(), "{source}");
        c.design.stages[0].clone()
    }

    #[test]
    fn a_cache_without_an_eviction_policy_refuses_writes_when_full_on_every_engine() {
        let m = stage("cache redis\ncache c2 memcached\n");
        assert_eq!(m.caches[0].eviction(), EvictionPlan::Redis("noeviction"));
        assert_eq!(
            m.caches[1].eviction(),
            EvictionPlan::Memcached {
                error_when_full: false
            }
        );
        let m = stage("cache redis evict lfu\ncache c2 memcached evict none memory 100mb\n");
        assert_eq!(m.caches[0].eviction(), EvictionPlan::Redis("allkeys-lfu"));
        assert_eq!(m.caches[1].server_args(), ["-m", "100", "-M"]);
        // 100 MB + a quarter is below the small size's 512 MB.
        assert_eq!(m.caches[1].container_memory_mb(), 512);
    }

    #[test]
    fn the_placeholder_serves_the_health_path_on_the_port() {
        let m = stage("web x2 behind lb port 9000 health /status/live\nweb api image \"me/api:1\"\nqueue jobs\nworker consumes jobs\n");
        let script = m.webs[0].placeholder_script().unwrap();
        assert_eq!(m.webs[0].image, placeholder::IMAGE);
        assert!(
            script.contains(&"mkdir -p /tmp/www/status".to_string()),
            "{script:?}"
        );
        assert!(script.contains(&"echo ok > /tmp/www/status/live".to_string()));
        assert_eq!(
            script.last().unwrap(),
            "httpd -f -v -p 9000 -h /tmp/www & wait"
        );
        assert!(m.webs[1].placeholder_script().is_none(), "its own image");
        assert_eq!(m.webs[1].image, "me/api:1");
        let worker = m.workers[0].placeholder_script().unwrap();
        assert!(worker.iter().any(|l| l.starts_with("sleep ")));
        // No `$` (Compose would read a variable) and no line ending in `&`.
        for line in script.iter().chain(&worker) {
            assert!(!line.contains('$') && !line.ends_with('&'), "{line}");
        }
        let m = stage("web health /\n");
        let script = m.webs[0].placeholder_script().unwrap();
        assert!(
            script.contains(&"echo ok > /tmp/www/index.html".to_string()),
            "{script:?}"
        );
    }

    #[test]
    fn container_memory_rounds_the_headroom_up() {
        let m = stage("cache redis memory 1001mb\n");
        assert_eq!(m.caches[0].container_memory_mb(), 1001 + 251);
    }

    #[test]
    fn the_database_name_and_readiness_are_the_same_for_every_engine_user() {
        let m = stage("db mysql\ndb d2 postgres\n");
        let env = m.dbs[0].server_env();
        assert!(env.contains(&("MYSQL_DATABASE", EnvValue::Text(DATABASE_NAME.into()))));
        assert!(env.contains(&("MYSQL_PASSWORD", EnvValue::Password)));
        assert_eq!(
            m.dbs[1].ready_command().join(" "),
            "pg_isready -h 127.0.0.1 -p 5432 -U app -d app"
        );
        assert_eq!(m.dbs[1].user, APP_USER);
    }

    #[test]
    fn local_queue_urls_name_the_service() {
        assert_eq!(
            QueueEngine::Sqs.local_url("q", 9324),
            "http://q:9324/000000000000/q"
        );
        assert_eq!(
            QueueEngine::Rabbitmq.local_url("jobs", 5672),
            "amqp://jobs:5672"
        );
    }
}
