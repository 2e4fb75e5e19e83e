//! W0309: a later stage's statement replaces a component whole, so a setting
//! the earlier statement wrote and this one does not repeat goes back to its
//! default (`db postgres storage 100gb`, then `db postgres with 2 replicas`:
//! storage is 20 GB again). Warned when the value changes as a result; not
//! for `colocated`, `sticky` and `versioned`, which a later statement can
//! only turn off by leaving them out.

use super::clauses::{gib_ceil, mib_ceil};
use super::{Ctx, Resolver};
use crate::diag::Diagnostic;
use crate::model::defaults::*;
use crate::model::types::*;
use crate::span::Spanned;
use crate::syntax::ast::{Clause, Component};

/// Clauses that are on or off: leaving one out is how a later stage turns
/// it off, so losing it is never a surprise.
const FLAGS: &[&str] = &["colocated", "sticky", "versioned"];

impl Resolver {
    /// Reports each setting of `old` (written in `old_stage`, `None` before
    /// the stages) that `new`, a statement of `stage`, loses.
    pub(super) fn report_lost_settings(
        &mut self,
        ctx: &Ctx,
        old: &Component,
        old_stage: Option<&str>,
        new: &Component,
        new_span: crate::span::Span,
        stage: &str,
    ) {
        for lost in lost_settings(old, new) {
            let text = clause_text(ctx.text, lost);
            let key = lost.node.key();
            let what = if key == "autoscale" {
                "the instance count"
            } else {
                lost.node.what()
            };
            let kind = old.kind.node.keyword();
            let earlier = old_stage.map_or("before the stages".to_string(), |s| {
                format!("in stage `{s}`")
            });
            let mut d = Diagnostic::new(
                "W0309",
                new_span,
                format!(
                    "this `{kind}` statement replaces the earlier one whole, so `{text}` is lost and {what} is back to its default ({})",
                    default_of(old.kind.node, key)
                ),
            )
            .primary(format!("does not repeat `{text}`"))
            .label(
                lost.span,
                format!("set here (line {}, {earlier})", ctx.line(lost.span)),
            )
            .help(format!(
                "repeat `{text}` in this statement to keep it, or write the value this stage needs"
            ));
            d.stages.push(stage.to_string());
            self.diags.push(d);
        }
    }
}

/// The clauses of `old` that `new` does not set and whose value is not the
/// default, in the order written.
fn lost_settings<'a>(old: &'a Component, new: &Component) -> Vec<&'a Spanned<Clause>> {
    let sets = |key: &str| new.clauses.iter().any(|c| c.node.key() == key);
    old.clauses
        .iter()
        .filter(|c| {
            let key = c.node.key();
            let kept = match key {
                // Both set how many instances run: either keeps the setting.
                "count" | "autoscale" => sets("count") || sets("autoscale"),
                _ => sets(key),
            };
            !kept && !FLAGS.contains(&key) && !is_default(&c.node)
        })
        .collect()
}

/// Whether a clause writes what the component has without it anyway.
fn is_default(c: &Clause) -> bool {
    match c {
        Clause::State(s) => *s == WebState::Stateless,
        Clause::Count(n) => n.node == 1,
        Clause::Port(p) => p.node == u64::from(DEFAULT_WEB_PORT),
        Clause::Health(p) => p.node == DEFAULT_HEALTH,
        Clause::Size(s) => *s == SizeClass::Small,
        Clause::LbEngine(e) => *e == LbEngine::Nginx,
        Clause::LbMethod(m) => *m == LbMethod::RoundRobin,
        Clause::DbEngine(e) => *e == DbEngine::Postgres,
        Clause::CacheEngine(e) => *e == CacheEngine::Redis,
        Clause::NosqlEngine(e) => *e == NosqlEngine::Dynamodb,
        Clause::QueueEngine(e) => *e == QueueEngine::Rabbitmq,
        Clause::Replicas(n) => n.node == 0,
        Clause::Storage(b) => gib_ceil(b.node) == DEFAULT_DB_STORAGE_GB,
        Clause::Memory(b) => mib_ceil(b.node) == DEFAULT_CACHE_MEMORY_MB,
        // A reference, a TTL, an eviction policy, paths, an image: the
        // component has none (or a generated one) without the clause.
        _ => false,
    }
}

/// What a setting is when no clause sets it, in words (docs/language.md,
/// "Defaults").
fn default_of(kind: crate::syntax::ast::Kind, key: &str) -> &'static str {
    use crate::syntax::ast::Kind;
    match (kind, key) {
        (_, "state") => "stateless",
        (_, "count" | "autoscale") => "a single instance",
        (_, "port") => "port 8080",
        (_, "health") => "`/health`",
        (_, "image") => "the default image",
        (_, "behind") => "no load balancer",
        (_, "sessions") => "no shared session store",
        (_, "size") => "`small`",
        (Kind::Lb, "engine") => "nginx",
        (Kind::Db, "engine") => "postgres",
        (Kind::Cache, "engine") => "redis",
        (Kind::Nosql, "engine") => "dynamodb",
        (Kind::Queue, "engine") => "rabbitmq",
        (_, "method") => "round-robin",
        (_, "sharded") => "a single, unsharded database",
        (_, "replicas") => "no replicas",
        (_, "storage") => "20 GB",
        (_, "ttl") => "no TTL",
        (_, "evict") => "no eviction policy",
        (_, "memory") => "256 MB",
        _ => "its default",
    }
}

/// A clause as written, its blanks collapsed.
fn clause_text(src: &str, c: &Spanned<Clause>) -> String {
    src.get(c.span.range())
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
