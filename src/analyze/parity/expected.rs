//! What each target must state, read from the model, with the few places
//! where a target legitimately says it differently (each one documented in the
//! generated file itself).

use super::Fact;
use crate::emit::Target::{self, *};
use crate::model::{Cache, CacheEngine, Db, Lb, LbEngine, LbMethod, Model, Web};

/// An ElastiCache replication group holds a primary and at most 5 replicas;
/// the terraform target says so in a comment and runs 6.
const ELASTICACHE_MAX_NODES: u32 = 6;

/// `web` / `lb` balancing words as the model writes them.
pub fn method_word(m: LbMethod) -> &'static str {
    match m {
        LbMethod::RoundRobin => "round-robin",
        LbMethod::LeastConn => "least-conn",
        LbMethod::IpHash => "ip-hash",
    }
}

/// A fact with whether its absence is a mismatch.
type Expected = Vec<(Fact, bool)>;

/// The facts `target` must state, each with whether its absence is a mismatch
/// (`false`: compare it when the target states it).
pub fn expected(target: Target, m: &Model) -> Vec<(Fact, bool)> {
    let mut out = Vec::new();
    for w in &m.webs {
        web_facts(target, w, &mut out);
    }
    for lb in &m.lbs {
        lb_facts(target, m, lb, &mut out);
    }
    for d in &m.dbs {
        db_facts(target, d, &mut out);
    }
    for c in &m.caches {
        cache_facts(target, m, c, &mut out);
    }
    for c in &m.cdns {
        if let Some(t) = c.ttl_seconds {
            for p in &c.paths {
                out.push((Fact::new("cdn", &c.name, format!("ttl on {p}"), t), false));
            }
        }
    }
    for w in &m.workers {
        let required = matches!(target, Compose | K8s | Terraform);
        out.push((Fact::new("worker", &w.name, "instances", w.count), required));
    }
    out
}

/// A web tier's instances, port and health path, where the target states them.
fn web_facts(target: Target, w: &Web, out: &mut Expected) {
    let behind = w.lb.is_some();
    // Compose reads instances from its services; nginx/haproxy from the
    // server lines of the balancer the tier is behind.
    let lists_instances = match target {
        Compose | K8s | Terraform => true,
        Nginx | Haproxy => behind,
    };
    out.push((
        Fact::new("web", &w.name, "instances", w.count),
        lists_instances,
    ));
    if let Some(a) = &w.autoscale {
        out.push((
            Fact::new("web", &w.name, "max instances", a.max),
            matches!(target, K8s | Terraform),
        ));
    } else if target == Terraform {
        out.push((Fact::new("web", &w.name, "max instances", w.count), false));
    }
    let port_required = match target {
        Compose | K8s => true,
        Nginx | Haproxy | Terraform => behind,
    };
    out.push((Fact::new("web", &w.name, "port", w.port), port_required));
    // nginx (open source) has passive health checks only: no path.
    let health_required = match target {
        Compose | K8s => true,
        Haproxy | Terraform => behind,
        Nginx => false,
    };
    out.push((
        Fact::new("web", &w.name, "health", &w.health),
        health_required,
    ));
}

/// A balancer's port, and per tier behind it whether clients are pinned and
/// how requests spread.
fn lb_facts(target: Target, m: &Model, lb: &Lb, out: &mut Expected) {
    let engine_conf = match target {
        Nginx | Haproxy | Terraform => true,
        // Compose runs the design's engine with its own config file.
        Compose => true,
        K8s => false,
    };
    if !lb.backends.is_empty() || matches!(target, Nginx | Haproxy) {
        out.push((Fact::new("lb", &lb.name, "port", lb.port), engine_conf));
    }
    for b in &lb.backends {
        let Some(w) = m.webs.iter().find(|w| &w.name == b) else {
            continue;
        };
        // One Ingress carries one set of annotations: when any tier behind
        // it is sticky, ingress-nginx pins every tier behind it.
        let ingress_sticky = target == K8s
            && lb
                .backends
                .iter()
                .any(|b| m.webs.iter().any(|w| &w.name == b && w.sticky));
        let pinned = w.sticky || lb.method == LbMethod::IpHash || ingress_sticky;
        out.push((
            Fact::new("lb", &lb.name, format!("pinned to {b}"), yes(pinned)),
            true,
        ));
        if states_method(target, lb, w, ingress_sticky) {
            out.push((
                Fact::new(
                    "lb",
                    &lb.name,
                    format!("method to {b}"),
                    method_word(lb.method),
                ),
                true,
            ));
        }
    }
}

/// How requests spread, where the target can say it: nginx and Kubernetes
/// replace the method by their stickiness for a stateful tier; an ALB cannot
/// hash client addresses (a cookie pins instead).
fn states_method(target: Target, lb: &Lb, w: &Web, ingress_sticky: bool) -> bool {
    match target {
        Terraform => lb.method != LbMethod::IpHash,
        Haproxy => true,
        Nginx => !w.sticky,
        K8s => !ingress_sticky,
        Compose => !w.sticky || lb.engine == LbEngine::Haproxy,
    }
}

/// A database's shard count and the replicas of each shard. A colocated
/// database is part of the web host on terraform: no resource of its own.
fn db_facts(target: Target, d: &Db, out: &mut Expected) {
    let required = match target {
        Compose | K8s => true,
        Terraform => !d.colocated,
        Nginx | Haproxy => false,
    };
    out.push((Fact::new("db", &d.name, "shards", d.shard_count), required));
    for s in &d.shards {
        out.push((
            Fact::new(
                "db",
                &d.name,
                format!("replicas of shard {}", s.index),
                d.replicas,
            ),
            required,
        ));
    }
}

/// A cache's node count and TTL. The TTL travels in the app environment, so
/// Compose and Kubernetes state it only when some app runs.
fn cache_facts(target: Target, m: &Model, c: &Cache, out: &mut Expected) {
    let apps = !m.webs.is_empty() || !m.workers.is_empty();
    let count = if target == Terraform && c.engine == CacheEngine::Redis {
        c.count.min(ELASTICACHE_MAX_NODES)
    } else {
        c.count
    };
    let required = match target {
        Compose | K8s => true,
        Terraform => !c.colocated,
        Nginx | Haproxy => false,
    };
    out.push((Fact::new("cache", &c.name, "instances", count), required));
    if let Some(t) = c.ttl_seconds {
        let required = match target {
            Compose | K8s => apps,
            Terraform => !c.colocated,
            Nginx | Haproxy => false,
        };
        out.push((Fact::new("cache", &c.name, "ttl", t), required));
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
