//! lb.tf: each load balancer as an Application Load Balancer, one target
//! group per web tier behind it, and its listener (forwarding to one tier,
//! weighted over up to five, host-name rules for the rest).

use super::names::{aws_name, label, tags};
use super::TfFile;
use crate::emit::templates::tf_name;
use crate::model::{Lb, LbMethod, Model, Origin, Web};
use serde::Serialize;
use std::collections::HashMap;

/// The target groups one forward action can hold.
const MAX_FORWARD: usize = 5;
/// ALB target group weights go up to 999.
const MAX_WEIGHT: u32 = 999;

#[derive(Serialize)]
pub(super) struct LbTf {
    lbs: Vec<LbCtx>,
    /// A multi-region stage's module: the zone is the root's (`var.zone_id`).
    module: bool,
}

#[derive(Serialize)]
struct LbCtx {
    name: String,
    label: String,
    aws_name: String,
    method: String,
    port: u16,
    target_groups: Vec<TgCtx>,
    /// How the listener's default action forwards: one target group, or
    /// weighted over up to five.
    weighted: bool,
    /// Backends beyond the five a forward action can hold: host-header rules.
    rules: Vec<ListenerRuleCtx>,
    sticky_forward: bool,
    tags: Vec<(String, String)>,
    /// Whether it serves HTTPS with an ACM certificate for its host name,
    /// and redirects HTTP to it: every load balancer of a design with a
    /// domain (data centers).
    https: bool,
    /// Its host name, as HCL: the domain itself for the load balancer the
    /// domain points at (see `https_lb`), `<name>.<domain>` for the others.
    host: String,
    /// Whether this file writes the host name's alias record (every load
    /// balancer but the domain's, whose records are the DNS routing's).
    host_record: bool,
}

#[derive(Serialize)]
struct TgCtx {
    web: String,
    label: String,
    aws_name: String,
    port: u16,
    health: String,
    algorithm: String,
    sticky: bool,
    sticky_note: Option<Vec<String>>,
    weight: u32,
}

#[derive(Serialize)]
struct ListenerRuleCtx {
    label: String,
    priority: u32,
    host: String,
    target_group: String,
}

impl TfFile for LbTf {
    fn build(m: &Model) -> Self {
        let webs: HashMap<&str, &Web> = m.webs.iter().map(|w| (w.name.as_str(), w)).collect();
        LbTf {
            lbs: m
                .lbs
                .iter()
                .map(|lb| LbCtx {
                    https: serves_https(m),
                    host: lb_host(m, &lb.name).unwrap_or_default(),
                    host_record: serves_https(m) && https_lb(m).is_none_or(|h| h.name != lb.name),
                    ..lb_ctx(&m.system, lb, &webs)
                })
                .collect(),
            module: super::multi::is_multi(m),
        }
    }
}

/// The load balancer that serves HTTPS: the one the domain's Route 53
/// records point at (see `dns`). A certificate needs a domain, which only a
/// design with data centers has.
pub(super) fn https_lb(m: &Model) -> Option<&Lb> {
    m.datacenters.as_ref().and(m.lbs.first())
}

/// Whether the load balancers serve HTTPS: all of them when the design has
/// a domain to name them under, the first at the domain itself, each other
/// at `<name>.<domain>`.
pub(super) fn serves_https(m: &Model) -> bool {
    m.datacenters.is_some()
}

/// Load balancer `name`'s host name as HCL when it serves HTTPS: the
/// domain for the first, `<name>.<domain>` for the others.
pub(super) fn lb_host(m: &Model, name: &str) -> Option<String> {
    if !serves_https(m) {
        return None;
    }
    Some(if https_lb(m).is_some_and(|h| h.name == name) {
        "var.domain".into()
    } else {
        format!("\"{}.${{var.domain}}\"", host_label(name))
    })
}

/// A load balancer's name as the first label of its host name: the
/// language's names are already lowercase letters, digits and hyphens.
fn host_label(name: &str) -> String {
    let mut l: String = name.chars().take(63).collect();
    while l.ends_with('-') {
        l.pop();
    }
    l
}

fn lb_ctx(sys: &str, lb: &Lb, webs: &HashMap<&str, &Web>) -> LbCtx {
    let mut target_groups: Vec<TgCtx> = lb
        .backends
        .iter()
        .filter_map(|b| webs.get(b.as_str()).copied())
        .map(|w| target_group(sys, lb, w))
        .collect();
    let forwarded = target_groups.len().min(MAX_FORWARD);
    let rules = target_groups
        .iter()
        .skip(MAX_FORWARD)
        .enumerate()
        .map(|(i, tg)| ListenerRuleCtx {
            label: format!("{}_{}", label("lb", &lb.name), tf_name(&tg.web)),
            priority: (i as u32 + 1) * 10,
            host: format!("{}.*", tg.web),
            target_group: tg.label.clone(),
        })
        .collect();
    let sticky_forward = forwarded > 1 && target_groups.iter().take(MAX_FORWARD).any(|t| t.sticky);
    // The listener forwards to the first five; the rest stay listed for rules.
    for tg in target_groups.iter_mut().skip(MAX_FORWARD) {
        tg.weight = 0;
    }
    LbCtx {
        name: lb.name.clone(),
        label: label("lb", &lb.name),
        aws_name: aws_name(sys, &lb.name, 32),
        method: match lb.method {
            LbMethod::RoundRobin => "round-robin",
            LbMethod::LeastConn => "least-conn",
            LbMethod::IpHash => "ip-hash",
        }
        .into(),
        port: lb.port,
        weighted: forwarded > 1,
        target_groups,
        rules,
        sticky_forward,
        tags: tags(&lb.labels),
        https: false,
        host: String::new(),
        host_record: false,
    }
}

/// Web tier `w`'s target group behind `lb`.
fn target_group(sys: &str, lb: &Lb, w: &Web) -> TgCtx {
    let (algorithm, note) = match lb.method {
        LbMethod::RoundRobin => ("round_robin", None),
        LbMethod::LeastConn => ("least_outstanding_requests", None),
        LbMethod::IpHash => (
            "round_robin",
            Some(vec![
                "ip-hash: an ALB cannot hash client addresses; a load balancer".to_string(),
                "cookie keeps each client on one instance instead.".to_string(),
            ]),
        ),
    };
    // The model decides who is pinned (`Web::sticky`: a stateful tier behind
    // a sticky or ip-hash lb); an ALB cannot hash client addresses, so an
    // ip-hash lb pins every tier with its cookie instead.
    let sticky = w.sticky || lb.method == LbMethod::IpHash;
    TgCtx {
        web: w.name.clone(),
        label: label("web", &w.name),
        aws_name: aws_name(sys, &w.name, 32),
        port: w.port,
        health: w.health.clone(),
        algorithm: algorithm.into(),
        sticky,
        sticky_note: if sticky {
            note.or_else(|| {
                Some(vec![
                    format!("Stateful web tier {}: a load balancer cookie keeps", w.name),
                    "each user on the instance that holds their session.".to_string(),
                ])
            })
        } else {
            None
        },
        weight: w.count.clamp(1, MAX_WEIGHT),
    }
}

pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(m.lbs.iter().map(|l| &l.origin));
    o.extend(m.webs.iter().filter(|w| w.lb.is_some()).map(|w| &w.origin));
    o
}
