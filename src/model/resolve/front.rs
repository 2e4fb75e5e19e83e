//! The request path, read from its clauses: web tiers, load balancers and
//! CDNs. Which load balancer a web tier is behind, and a CDN's origin, are
//! names until `link` resolves them.

use super::build::Builder;
use super::clauses::{numbered, Clauses};
use crate::model::defaults::*;
use crate::model::types::*;
use crate::syntax::ast::Clause;

impl Builder<'_> {
    /// `web [NAME] …`: a fixed count or `autoscale` (which starts at its
    /// minimum), the state, `behind lb`, the session store, port, health path.
    pub(super) fn web(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let autoscale = match cl.get("autoscale") {
            Some(Clause::Autoscale { min, max, cpu }) => Some(Autoscale {
                min: min.node as u32,
                max: max.node as u32,
                cpu_percent: cpu
                    .as_ref()
                    .map_or(DEFAULT_CPU_TARGET, |c| c.node.min(u32::MAX as u64) as u32),
            }),
            _ => None,
        };
        let count = autoscale.as_ref().map_or_else(|| cl.count(1), |a| a.min);
        let state = match cl.get("state") {
            Some(Clause::State(s)) => *s,
            _ => WebState::Stateless,
        };
        let lb = match cl.get("behind") {
            Some(Clause::Behind(n)) => Some(
                n.as_ref()
                    .map_or_else(|| "lb".to_string(), |n| n.node.clone()),
            ),
            _ => None,
        };
        let sessions = match cl.get("sessions") {
            Some(Clause::Sessions { kind, name }) => Some(SessionStore {
                kind: *kind,
                name: name.as_ref().map(|n| n.node.clone()).unwrap_or_default(),
            }),
            _ => None,
        };
        let (image, placeholder) = cl.image();
        self.model.webs.push(Web {
            instances: numbered(&name, count),
            image,
            placeholder,
            name,
            state,
            count,
            autoscale,
            lb,
            port: match cl.get("port") {
                Some(Clause::Port(p)) => p.node as u16,
                _ => DEFAULT_WEB_PORT,
            },
            health: match cl.get("health") {
                Some(Clause::Health(p)) => p.node.clone(),
                _ => DEFAULT_HEALTH.to_string(),
            },
            sessions,
            sticky: false,
            resources: cl.size(),
            env: cl.env(),
            secrets: cl.secrets(),
            capacity: cl.capacity(),
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }

    /// `lb [NAME] …`: engine, method, `sticky`; its backends are the web
    /// tiers behind it, filled in by `link`.
    pub(super) fn lb(&mut self, name: String, cl: &Clauses, origin: Origin) {
        self.model.lbs.push(Lb {
            name,
            engine: match cl.get("engine") {
                Some(Clause::LbEngine(e)) => *e,
                _ => LbEngine::Nginx,
            },
            method: match cl.get("method") {
                Some(Clause::LbMethod(m)) => *m,
                _ => LbMethod::RoundRobin,
            },
            sticky: cl.has("sticky"),
            port: LB_PORT,
            backends: Vec::new(),
            capacity: cl.capacity(),
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }

    /// `cdn [NAME] for PATH… [ttl D] [versioned]`.
    pub(super) fn cdn(&mut self, name: String, cl: &Clauses, origin: Origin) {
        self.model.cdns.push(Cdn {
            name,
            paths: match cl.get("for") {
                Some(Clause::Paths(p)) => p.iter().map(|p| p.node.clone()).collect(),
                _ => Vec::new(),
            },
            ttl_seconds: match cl.get("ttl") {
                Some(Clause::Ttl(t)) => Some(t.node),
                _ => None,
            },
            versioned: cl.has("versioned"),
            origin_lb: None, // set by `link`, once every lb is known
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }
}
