//! `.env.example` (`env.example.tera`): every secret variable compose.yaml
//! reads, with a placeholder and a comment.

use super::passes::Builder;
use super::project::Project;
use crate::emit::templates::Engine;
use crate::emit::Result;
use crate::model::{EnvVar, Model, NosqlEngine, QueueEngine, APP_USER};
use serde::Serialize;
use tera::Context;

/// `.env.example`: the secrets `project` collected while it was built.
pub(super) fn env_example(model: &Model, project: &Project, tpl: Engine) -> Result<String> {
    let mut ctx = Context::new();
    ctx.insert("header", &crate::emit::header_line(model));
    ctx.insert("p", project);
    tpl.render("env.example", &ctx)
}

/// Placeholder written into `.env.example`: non-empty, so `${VAR:?…}` accepts it.
const PLACEHOLDER: &str = "change-me";

#[derive(Serialize)]
pub(super) struct SecretVar {
    pub(super) name: String,
    comment: String,
    placeholder: &'static str,
}

/// `${VAR:?…}`: compose refuses to start when the variable is unset or empty.
pub(super) fn secret_ref(var: &str) -> String {
    format!("${{{var}:?set {var} in .env}}")
}

/// The components `.env.example` asks secrets for: databases, password-protected
/// document stores and queues, the AWS emulators' credentials, and the web
/// tiers and workers with `secret`s of their own.
pub(super) fn secret_origins(m: &Model) -> Vec<&crate::model::Origin> {
    let apps = !m.webs.is_empty() || !m.workers.is_empty();
    let mut o: Vec<_> = m.dbs.iter().map(|d| &d.origin).collect();
    o.extend(
        m.nosqls
            .iter()
            .filter(|n| n.engine == NosqlEngine::Mongodb || apps)
            .map(|n| &n.origin),
    );
    o.extend(
        m.queues
            .iter()
            .filter(|q| q.engine == QueueEngine::Rabbitmq || (apps && q.engine == QueueEngine::Sqs))
            .map(|q| &q.origin),
    );
    o.extend(
        m.webs
            .iter()
            .filter(|w| !w.secrets.is_empty())
            .map(|w| &w.origin),
    );
    o.extend(
        m.workers
            .iter()
            .filter(|w| !w.secrets.is_empty())
            .map(|w| &w.origin),
    );
    o
}

impl Builder<'_> {
    /// The reference to secret `var`, which `.env.example` lists once, with
    /// `comment`.
    pub(super) fn secret(&mut self, var: &str, comment: String) -> String {
        if self.secret_names.insert(var.to_string()) {
            self.p.secrets.push(SecretVar {
                name: var.to_string(),
                comment,
                placeholder: PLACEHOLDER,
            });
        }
        secret_ref(var)
    }

    /// The `.env.example` comment of a contract secret.
    pub(super) fn secret_comment(&self, v: &EnvVar) -> String {
        let m = self.m;
        match v.kind {
            "db" => {
                let db = m.db_of(v);
                let user = db.map_or("app", |d| d.user.as_str());
                let shard = db
                    .filter(|d| d.is_sharded())
                    .and_then(|d| d.shards.iter().find(|s| s.password_env == v.name));
                let scope = match (shard, db) {
                    (Some(s), _) => format!(" (shard {}: its primary and replicas)", s.index),
                    (None, Some(d)) if d.instance_count() > 1 => {
                        " (every primary and replica)".to_string()
                    }
                    _ => String::new(),
                };
                format!(
                    "Password of user `{user}` on database `{}`{scope}.",
                    v.component
                )
            }
            "cache" => format!("Password of redis cache `{}`.", v.component),
            "nosql" => format!(
                "Password of user `{APP_USER}` on MongoDB `{}`; also derives the replica set key.",
                v.component
            ),
            _ => format!(
                "Password of user `{APP_USER}` on RabbitMQ `{}`.",
                v.component
            ),
        }
    }
}
