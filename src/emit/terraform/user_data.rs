//! The user data script of each host group in hosts.tf: install Docker,
//! write the application's environment (where every data service is on AWS,
//! see [`env_value`]), start the colocated databases and caches of a
//! single-server stage ([`Sidecar`]), then the application container.

use super::databases::db_name;
use super::hosts::{HostCtx, HostsTf};
use super::multi::{docdb_key, is_multi, rds_key};
use super::names::{heredoc_escape, sh_quote};
use super::tidy::tidy;
use super::Result;
use crate::emit::templates::{tf_name, Engine};
use crate::emit::EmitError;
use crate::model::runtime::{one_line, EnvValue};
use crate::model::{Cache, CacheEngine, Db, EnvVar, Meaning, Model};
use serde::Serialize;
use tera::Context;

/// The user data script of one host group, indented for the launch
/// template's heredoc.
pub(super) fn user_data(m: &Model, tf: &HostsTf, h: &HostCtx, tpl: Engine) -> Result<String> {
    #[derive(Serialize)]
    struct Ud<'a> {
        kind: &'a str,
        name: &'a str,
        image: String,
        /// `sh -c '…'`: the placeholder's command, when it runs.
        placeholder: Option<String>,
        publish: Option<String>,
        log_group: Option<String>,
        /// Runs the shared `local.fetch_db_passwords`.
        db_passwords: bool,
        /// Appends the shared `local.app_env`.
        app_env: bool,
        env: &'a [(String, String)],
        /// The design's `env`, each `NAME=value` quoted for the shell.
        given: Vec<String>,
        /// The design's `secret`s: (variable, SSM parameter name).
        parameters: &'a [(String, String)],
        sidecars: &'a [Sidecar],
    }
    let u = &h.user_data;
    // The application's own variables (the shared ones are `local.app_env`).
    let env = env_pairs(m, tf.contract.own(h.app()));
    // Quoted whole: the design's value reaches the env file as written, `$`
    // and quotes included (docker reads an env file's lines literally).
    let given = tf
        .contract
        .own(h.app())
        .filter_map(|v| match &v.meaning {
            Meaning::Given { value } => {
                Some(heredoc_escape(&sh_quote(&format!("{}={value}", v.name))))
            }
            _ => None,
        })
        .collect();
    let v = Ud {
        kind: &h.kind,
        name: &h.name,
        image: heredoc_escape(&sh_quote(&u.image)),
        placeholder: u
            .placeholder
            .as_ref()
            .map(|s| heredoc_escape(&format!("sh -c {}", sh_quote(&one_line(s))))),
        publish: u.ports.map(|(h, c)| format!("{h}:{c}")),
        log_group: tf
            .logs
            .then(|| format!("${{aws_cloudwatch_log_group.{}.name}}", h.label)),
        db_passwords: !tf.db_passwords.is_empty(),
        app_env: !tf.app_env.is_empty(),
        env: &env,
        given,
        parameters: &h.parameters,
        sidecars: if u.sidecars { &tf.sidecars } else { &[] },
    };
    let c = Context::from_serialize(&v).map_err(|e| EmitError::new(e.to_string()))?;
    let text = tidy(&tpl.render("user_data.sh", &c)?);
    Ok(indent(&text))
}

/// `text` indented for a heredoc, empty lines left empty.
fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, l) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !l.is_empty() {
            out.push_str("    ");
            out.push_str(l);
        }
    }
    out
}

/// `(variable, value)` of the contract's variables that have a value on AWS
/// (see [`env_value`]), in the contract's order.
pub(super) fn env_pairs<'a>(
    m: &Model,
    vars: impl Iterator<Item = &'a EnvVar>,
) -> Vec<(String, String)> {
    vars.filter_map(|v| Some((v.name.clone(), env_value(m, v)?)))
        .collect()
}

/// A contract variable's value on AWS: an interpolation of the resource that
/// realises the component, or the colocated container's name on the web host.
/// `None`: not written into the environment file (a password, fetched or
/// generated on the host; the credentials of a queue AWS runs as SQS).
fn env_value(m: &Model, v: &EnvVar) -> Option<String> {
    let db = || m.db_of(v);
    let queue = || m.queue_of(v);
    let multi = is_multi(m);
    let rds = |instance: &String| -> String {
        let d = db();
        if d.is_some_and(|d| d.colocated) {
            // A colocated database's container, on the web host's network.
            instance.clone()
        } else if multi && d.is_some_and(|d| d.shards.iter().any(|s| s.primary == *instance)) {
            // Several data centers: every region writes to the primary
            // region's primary (and reads its own replicas).
            format!("${{local.primaries.{}.address}}", rds_key(instance))
        } else {
            format!("${{aws_db_instance.{}.address}}", tf_name(instance))
        }
    };
    match &v.meaning {
        // The design's own: written by `user_data` itself.
        Meaning::Password | Meaning::Given { .. } | Meaning::Secret => None,
        // Every queue is an SQS queue on AWS, whatever engine the design names.
        Meaning::Engine { .. } if v.kind == "queue" => Some("sqs".into()),
        Meaning::User { .. } if v.kind == "queue" => None,
        Meaning::Primaries { instances } | Meaning::Replicas { instances, .. } => {
            Some(instances.iter().map(rds).collect::<Vec<_>>().join(","))
        }
        Meaning::Nodes { .. } if v.kind == "cache" => cache_nodes(m.cache_of(v)?),
        // ElastiCache Redis is encrypted in transit (data.tf); a colocated
        // container and ElastiCache Memcached are plain.
        Meaning::Tls => {
            let c = m.cache_of(v)?;
            Some((!c.colocated && c.engine == CacheEngine::Redis).to_string())
        }
        // A MongoDB store is a DocumentDB cluster: its cluster endpoint (the
        // primary region's, with several data centers).
        Meaning::Nodes { .. } if multi => Some(format!(
            "${{local.primaries.{}.address}}",
            docdb_key(&v.component)
        )),
        Meaning::Nodes { .. } => Some(format!(
            "${{aws_docdb_cluster.{}.endpoint}}",
            tf_name(&v.component)
        )),
        // DocumentDB's replica set is always rs0.
        Meaning::ReplicaSet { .. } => Some("rs0".into()),
        Meaning::DatabaseName { .. } => {
            let d = db()?;
            Some(if d.colocated || multi {
                db_name()
            } else {
                format!(
                    "${{aws_db_instance.{}.db_name}}",
                    tf_name(&d.shards[0].primary)
                )
            })
        }
        // Several data centers: the global table's replica in this region,
        // whose name is the table's.
        Meaning::Table { .. } if multi => {
            Some(format!("${{local.tables.{}.name}}", tf_name(&v.component)))
        }
        Meaning::Table { .. } => Some(format!(
            "${{aws_dynamodb_table.{}.name}}",
            tf_name(&v.component)
        )),
        Meaning::ApiEndpoint => Some(format!(
            "https://{}.${{var.region}}.amazonaws.com",
            if v.kind == "nosql" { "dynamodb" } else { "sqs" }
        )),
        Meaning::QueueUrl => Some(format!(
            "${{aws_sqs_queue.{}.url}}",
            tf_name(&queue()?.name)
        )),
        Meaning::QueueName { .. } => Some(format!(
            "${{aws_sqs_queue.{}.name}}",
            tf_name(&queue()?.name)
        )),
        Meaning::Region { .. } => Some("${var.region}".into()),
        other => other.literal(),
    }
}

/// Where a cache's nodes are: the colocated container, or ElastiCache's
/// endpoints.
fn cache_nodes(c: &Cache) -> Option<String> {
    let label = tf_name(&c.name);
    Some(match (c.colocated, c.engine) {
        (true, _) => c.name.clone(),
        // A replication group: one primary endpoint takes every write.
        (false, CacheEngine::Redis) => {
            format!("${{aws_elasticache_replication_group.{label}.primary_endpoint_address}}")
        }
        (false, CacheEngine::Memcached) => {
            format!("${{join(\",\", aws_elasticache_cluster.{label}.cache_nodes[*].address)}}")
        }
    })
}

/// A colocated database or cache: a container next to the application on the
/// single web host.
#[derive(Serialize)]
pub(super) struct Sidecar {
    /// For comments: `postgres database db`.
    pub(super) what: String,
    container: String,
    image: String,
    volume: Option<String>,
    /// `KEY=value` lines of its env file; `@PASSWORD@` is the generated password.
    env: Vec<(String, String)>,
    /// The application's env var that receives the generated password.
    password_env: Option<String>,
    args: String,
}

/// The containers of a stage's colocated databases (one a shard) and caches.
pub(super) fn sidecars(m: &Model) -> Vec<Sidecar> {
    let mut sidecars = Vec::new();
    for d in m.dbs.iter().filter(|d| d.colocated) {
        // Shards of a colocated database share one generated password.
        for (i, s) in d.shards.iter().enumerate() {
            sidecars.push(Sidecar::db(d, &s.primary, i == 0));
        }
    }
    for c in m.caches.iter().filter(|c| c.colocated) {
        sidecars.push(Sidecar::cache(c));
    }
    sidecars
}

impl Sidecar {
    fn db(d: &Db, instance: &str, first: bool) -> Sidecar {
        let plan = d.engine.runtime();
        let env = d
            .server_env()
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    EnvValue::Text(t) => t,
                    EnvValue::Password => "@PASSWORD@".to_string(),
                };
                (name.to_string(), value)
            })
            .collect();
        Sidecar {
            what: format!("{} database {}", plan.engine, instance),
            container: instance.to_string(),
            image: plan.image.into(),
            volume: Some(format!("{instance}-data:{}", plan.data_dir)),
            env,
            password_env: first.then(|| d.password_env.clone()),
            args: String::new(),
        }
    }

    /// The cache's server command from the runtime plan, quoted for the
    /// shell (a redis cache's `--save ""` is an empty word).
    fn cache(c: &Cache) -> Sidecar {
        let plan = c.engine.runtime();
        let args = c
            .server_command()
            .iter()
            .map(|a| shell_word(a))
            .collect::<Vec<_>>()
            .join(" ");
        Sidecar {
            what: format!("{} cache {}", plan.engine, c.name),
            container: c.name.clone(),
            image: plan.image.into(),
            volume: None,
            env: vec![],
            password_env: None,
            args,
        }
    }
}

/// `word` as one shell word: as it is when it needs no quoting, quoted
/// otherwise (an empty word included).
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:/=+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        sh_quote(word)
    }
}
