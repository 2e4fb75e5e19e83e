//! What each target must state, read from the model, with the few places
//! where a target legitimately says it differently (each one documented in the
//! generated file itself).

use super::Fact;
use crate::emit::Target;
use crate::model::{CacheEngine, LbEngine, LbMethod, Model};

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

/// The facts `target` must state, each with whether its absence is a mismatch
/// (`false`: compare it when the target states it).
pub fn expected(target: Target, m: &Model) -> Vec<(Fact, bool)> {
    use Target::*;
    let mut out = Vec::new();
    let mut push = |f: Fact, required: bool| out.push((f, required));
    for w in &m.webs {
        let behind = w.lb.is_some();
        // Compose reads instances from its services; nginx/haproxy from the
        // server lines of the balancer the tier is behind.
        let lists_instances = match target {
            Compose | K8s | Terraform => true,
            Nginx | Haproxy => behind,
        };
        push(
            Fact::new("web", &w.name, "instances", w.count),
            lists_instances,
        );
        if let Some(a) = &w.autoscale {
            push(
                Fact::new("web", &w.name, "max instances", a.max),
                matches!(target, K8s | Terraform),
            );
        } else if target == Terraform {
            push(Fact::new("web", &w.name, "max instances", w.count), false);
        }
        let port_required = match target {
            Compose | K8s => true,
            Nginx | Haproxy | Terraform => behind,
        };
        push(Fact::new("web", &w.name, "port", w.port), port_required);
        // nginx (open source) has passive health checks only: no path.
        let health_required = match target {
            Compose | K8s => true,
            Haproxy | Terraform => behind,
            Nginx => false,
        };
        push(
            Fact::new("web", &w.name, "health", &w.health),
            health_required,
        );
    }
    for lb in &m.lbs {
        let engine_conf = match target {
            Nginx | Haproxy | Terraform => true,
            // Compose runs the design's engine with its own config file.
            Compose => true,
            K8s => false,
        };
        if !lb.backends.is_empty() || matches!(target, Nginx | Haproxy) {
            push(Fact::new("lb", &lb.name, "port", lb.port), engine_conf);
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
            push(
                Fact::new("lb", &lb.name, format!("pinned to {b}"), yes(pinned)),
                true,
            );
            // How requests spread, where the target can say it: nginx and
            // Kubernetes replace the method by their stickiness for a stateful
            // tier; an ALB cannot hash client addresses (a cookie pins instead).
            let states_method = match target {
                Terraform => lb.method != LbMethod::IpHash,
                Haproxy => true,
                Nginx => !w.sticky,
                K8s => !ingress_sticky,
                Compose => !w.sticky || lb.engine == LbEngine::Haproxy,
            };
            if states_method {
                push(
                    Fact::new(
                        "lb",
                        &lb.name,
                        format!("method to {b}"),
                        method_word(lb.method),
                    ),
                    true,
                );
            }
        }
    }
    for d in &m.dbs {
        let required = match target {
            Compose | K8s => true,
            Terraform => !d.colocated,
            Nginx | Haproxy => false,
        };
        push(Fact::new("db", &d.name, "shards", d.shard_count), required);
        for s in &d.shards {
            push(
                Fact::new(
                    "db",
                    &d.name,
                    format!("replicas of shard {}", s.index),
                    d.replicas,
                ),
                required,
            );
        }
    }
    let apps = !m.webs.is_empty() || !m.workers.is_empty();
    for c in &m.caches {
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
        push(Fact::new("cache", &c.name, "instances", count), required);
        if let Some(t) = c.ttl_seconds {
            let required = match target {
                Compose | K8s => apps,
                Terraform => !c.colocated,
                Nginx | Haproxy => false,
            };
            push(Fact::new("cache", &c.name, "ttl", t), required);
        }
    }
    for c in &m.cdns {
        if let Some(t) = c.ttl_seconds {
            for p in &c.paths {
                push(Fact::new("cdn", &c.name, format!("ttl on {p}"), t), false);
            }
        }
    }
    for w in &m.workers {
        let required = matches!(target, Compose | K8s | Terraform);
        push(Fact::new("worker", &w.name, "instances", w.count), required);
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
