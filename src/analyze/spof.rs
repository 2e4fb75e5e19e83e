//! What happens when each component fails, and which failures are single
//! points of failure: one thing whose loss takes the site down, or degrades it,
//! because nothing stands in for it. Judged on what one target deploys, as
//! the availability estimate is: one `lb` is an ALB across availability zones
//! on terraform and an Ingress on k8s, neither a single instance, but one
//! nginx or HAProxy container on compose; several data centers fail over to
//! each other only through the Terraform's Route 53 records.

use super::availability::Deploy;
use super::describe::label;
use crate::model::{Cache, Cdn, Lb, Model, Nosql, Queue, QueueEngine, StoreKind, WebState, Worker};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Users cannot use the site (or the part of it the component serves).
    SiteDown,
    /// The site works, slower or without some function.
    Degraded,
    /// Another instance takes over; users notice little or nothing.
    Survives,
}

impl Impact {
    pub fn word(self) -> &'static str {
        match self {
            Impact::SiteDown => "site down",
            Impact::Degraded => "degraded",
            Impact::Survives => "survives",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Stable identity for comparing stages: `web:web`, `db:db:primary`.
    pub key: String,
    /// The component, `web`, `cache sessions`.
    pub component: String,
    /// What fails: `one instance`, `the primary`, `a read replica`.
    pub what: String,
    pub impact: Impact,
    /// Nothing stands in for it.
    pub single_point: bool,
    /// What happens, as the classic walkthrough tells it.
    pub then: String,
}

pub(super) fn f(
    key: String,
    component: String,
    what: &str,
    impact: Impact,
    single: bool,
    then: String,
) -> Failure {
    Failure {
        key,
        component,
        what: what.into(),
        impact,
        single_point: single,
        then,
    }
}

/// Every failure scenario of a stage on `target`, in component order.
pub fn failures(m: &Model, target: Deploy) -> Vec<Failure> {
    let mut out = Vec::new();
    super::spof_dc::datacenter(m, target, &mut out);
    for lb in &m.lbs {
        out.push(balancer(lb, target));
    }
    for w in &m.webs {
        web(m, w, &mut out);
    }
    for db in &m.dbs {
        database(db, target, &mut out);
    }
    for c in &m.caches {
        out.push(cache(m, c));
    }
    for c in &m.cdns {
        out.push(cdn(c));
    }
    for n in &m.nosqls {
        out.push(nosql(m, n));
    }
    for q in &m.queues {
        out.push(queue(q));
    }
    for w in &m.workers {
        out.push(worker(w));
    }
    collectors(m, &mut out);
    out
}

/// A balancer with tiers behind it is the one way in: a single point of
/// failure where it is one instance (compose's container); terraform's ALB
/// and k8s's Ingress run across zones or nodes.
fn balancer(lb: &Lb, target: Deploy) -> Failure {
    let c = label("lb", &lb.name);
    let key = format!("lb:{}", lb.name);
    if lb.backends.is_empty() {
        return f(
            key,
            c,
            "the balancer",
            Impact::Survives,
            false,
            "Nothing is behind it, so nothing is lost.".into(),
        );
    }
    let backends = lb.backends.join(", ");
    match target {
        Deploy::Terraform => f(key, c, "one zone of the ALB", Impact::Survives, false, format!(
            "The ALB runs in each of the region's availability zones: AWS stops sending requests to the failed zone's nodes and the others carry the traffic to {backends}. The whole ALB failing is rare (the estimate's managed-lb assumption, m)."
        )),
        Deploy::K8s => f(key, c, "one ingress controller pod", Impact::Survives, false, format!(
            "The Ingress is served by the cluster's ingress controller (ingress-nginx), which the cluster runs (these files do not deploy it), usually as several pods behind the cluster's own load balancer: the others carry the traffic to {backends}. The whole controller failing is rare (the estimate's managed-lb assumption, m)."
        )),
        Deploy::Compose => f(key, c, "the balancer", Impact::SiteDown, true, format!(
            "Every request to {backends} enters through its one container: they all fail until Docker restarts it or the host is back."
        )),
    }
}

/// A cache only speeds reads up, so losing it degrades the site; one node is
/// a single point, several lose only their share of the keys.
fn cache(m: &Model, c: &Cache) -> Failure {
    let sessions = holds_sessions(m, StoreKind::Cache, &c.name);
    let lost = if sessions {
        " Sessions kept in it are lost: their users must log in again."
    } else {
        ""
    };
    let (what, single, then) = if c.count == 1 {
        ("its one instance", true, format!("Every read falls on the database: the site is slower, and the database may overload under the full read load.{lost}"))
    } else {
        ("one instance", false, format!("Keys on that node miss and are read from the database until the node is back and refilled; the rest is served by {}.{lost}", others(c.count - 1, "node")))
    };
    f(
        format!("cache:{}", c.name),
        label("cache", &c.name),
        what,
        Impact::Degraded,
        single,
        then,
    )
}

/// The origin still serves what the CDN did: degraded, never a single point.
fn cdn(c: &Cdn) -> Failure {
    f(format!("cdn:{}", c.name), label("cdn", &c.name), "the CDN", Impact::Degraded, false, format!(
        "Clients fetch {} from the origin through the load balancer: slower for far-away users, and more load on the web tier.",
        c.paths.join(", ")
    ))
}

/// One document store instance holds data nothing else has; a replica set
/// elects another primary.
fn nosql(m: &Model, n: &Nosql) -> Failure {
    let sessions = holds_sessions(m, StoreKind::Nosql, &n.name);
    let lost = if sessions {
        " Sessions kept in it are lost."
    } else {
        ""
    };
    let (what, impact, single, then) = if n.count == 1 {
        (
            "its one instance",
            Impact::Degraded,
            true,
            format!("What it stores cannot be read or written until it is back.{lost}"),
        )
    } else {
        (
            "one instance",
            Impact::Survives,
            false,
            "The other members keep serving; one of them takes over as primary.".into(),
        )
    };
    f(
        format!("nosql:{}", n.name),
        label("nosql", &n.name),
        what,
        impact,
        single,
        then,
    )
}

/// A queue is one as drawn; only the asynchronous work stops with it.
fn queue(q: &Queue) -> Failure {
    let managed = if q.engine == QueueEngine::Sqs {
        " (SQS itself is managed and redundant across zones.)"
    } else {
        ""
    };
    f(format!("queue:{}", q.name), label("queue", &q.name), "the queue", Impact::Degraded, true, format!(
        "Producers cannot enqueue: they buffer jobs or fail those requests; workers sit idle. Jobs already queued wait, if it is durable.{managed}"
    ))
}

/// Jobs wait in the queue, so a worker failing only delays them.
fn worker(w: &Worker) -> Failure {
    let (what, single, impact, then) = if w.count == 1 {
        (
            "its one instance",
            true,
            Impact::Degraded,
            format!(
                "Jobs wait in queue {} until it is back: nothing is lost, only late.",
                w.queue
            ),
        )
    } else {
        ("one instance", false, Impact::Survives, "The other workers keep consuming; the job it was running goes back to the queue and runs again.".into())
    };
    f(
        format!("worker:{}", w.name),
        label("worker", &w.name),
        what,
        impact,
        single,
        then,
    )
}

/// Logs and metrics: the site survives, only the view into it is lost.
fn collectors(m: &Model, out: &mut Vec<Failure>) {
    for (kind, present, then) in [
        ("logs", m.logs.is_some(), "The site keeps running, but logs from that time are lost: you cannot see into it."),
        ("metrics", m.metrics.is_some(), "The site keeps running, but no metrics are collected and no alert fires: you are flying blind."),
    ] {
        if present {
            out.push(f(kind.into(), kind.into(), "the collector", Impact::Survives, false, then.into()));
        }
    }
}

/// `the other instance`, `the other 3 instances`.
fn others(n: u32, what: &str) -> String {
    if n == 1 {
        format!("the other {what}")
    } else {
        format!("the other {n} {what}s")
    }
}

fn holds_sessions(m: &Model, kind: StoreKind, name: &str) -> bool {
    m.webs.iter().any(|w| {
        w.sessions
            .as_ref()
            .is_some_and(|s| s.kind == kind && s.name == name)
    })
}

fn web(m: &Model, w: &crate::model::Web, out: &mut Vec<Failure>) {
    let c = label("web", &w.name);
    let colocated: Vec<String> = m
        .dbs
        .iter()
        .filter(|d| d.colocated)
        .map(|d| label("db", &d.name))
        .chain(
            m.caches
                .iter()
                .filter(|c| c.colocated)
                .map(|c| label("cache", &c.name)),
        )
        .collect();
    let with = if colocated.is_empty() {
        String::new()
    } else {
        format!(", and {} running on the same host", colocated.join(" and "))
    };
    if w.count == 1 {
        out.push(f(format!("web:{}", w.name), c, "its one instance", Impact::SiteDown, true, format!(
            "Nothing else serves its requests{with}: the site is down until the instance is replaced."
        )));
        return;
    }
    let via = w.lb.as_deref().unwrap_or("the balancer");
    let sessions = match (w.state, &w.sessions) {
        (WebState::Stateful, _) => {
            " Sessions kept on it are lost: its users must log in again.".to_string()
        }
        (WebState::Stateless, Some(s)) => format!(" No session is lost: they are in {}.", s.name),
        (WebState::Stateless, None) => " It keeps no session, so nothing is lost.".to_string(),
    };
    let replace = if w.autoscale.is_some() {
        " Autoscaling starts a replacement."
    } else {
        ""
    };
    out.push(f(
        format!("web:{}", w.name),
        c,
        "one instance",
        Impact::Survives,
        false,
        format!(
            "{via} sees its health check ({}) fail and routes around it to {}.{sessions}{replace}",
            w.health,
            others(w.count - 1, "instance")
        ),
    ));
}

/// A database's primary and replicas. On terraform a primary that is not
/// colocated is RDS Multi-AZ (var.rds_multi_az, on by default): a
/// synchronous standby in another zone takes over by itself.
fn database(db: &crate::model::Db, target: Deploy, out: &mut Vec<Failure>) {
    let c = label("db", &db.name);
    let whose = if db.shard_count > 1 {
        format!(" for the users on that shard (1 of {})", db.shard_count)
    } else {
        String::new()
    };
    let primary = if db.shard_count > 1 {
        "a shard's primary"
    } else {
        "the primary"
    };
    if db.colocated {
        out.push(f(format!("db:{}:primary", db.name), c, "the database", Impact::SiteDown, true,
            "It runs on the web host: if it (or the host) fails, every request that needs data fails.".into()));
        return;
    }
    let reads = if db.replicas == 0 {
        ""
    } else {
        " Reads continue on the replicas."
    };
    if target == Deploy::Terraform {
        out.push(f(format!("db:{}:primary", db.name), c.clone(), primary, Impact::Degraded, false, format!(
            "RDS fails over to its Multi-AZ standby in another zone by itself{whose}, in a minute or two: writes in flight fail and are retried, none committed is lost (the standby is synchronous).{reads}"
        )));
    } else if db.replicas == 0 {
        out.push(f(format!("db:{}:primary", db.name), c.clone(), primary, Impact::SiteDown, true, format!(
            "Reads and writes fail{whose} until it is restored; writes since the last backup are lost."
        )));
    } else {
        out.push(f(format!("db:{}:primary", db.name), c.clone(), primary, Impact::Degraded, false, format!(
            "A replica is promoted to primary{whose}; writes fail until it is, and writes not yet replicated may be lost.{reads}"
        )));
    }
    if db.replicas > 0 {
        let others = if db.replicas > 1 {
            "the other replicas or the primary"
        } else {
            "the primary"
        };
        out.push(f(
            format!("db:{}:replica", db.name),
            c,
            "a read replica",
            Impact::Survives,
            false,
            format!("Its reads go to {others}; a new replica is seeded from a snapshot."),
        ));
    }
}
