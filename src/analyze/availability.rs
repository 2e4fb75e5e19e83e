//! An availability estimate a reader can check by hand: every instance is up
//! with probability `a`; a tier of `n` redundant instances is up unless all are
//! down, `1-(1-a)^n`; the site is up when every tier on the request path is.
//! Caches, CDNs, queues and workers are left out: their failure degrades the
//! site (see [`super::spof`]) but does not take it down.

use super::describe::label;
use crate::model::Model;
use serde::Serialize;

pub const DEFAULT_PER_INSTANCE: f64 = 0.995;
pub const HOURS_PER_YEAR: f64 = 24.0 * 365.0;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tier {
    pub tier: String,
    /// How many instances and how they stand in for each other.
    pub instances: String,
    /// The factor as a formula in `a`.
    pub formula: String,
    pub availability: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub per_instance: f64,
    pub tiers: Vec<Tier>,
    pub site: f64,
    pub downtime_hours_per_year: f64,
}

/// `1-(1-a)^n`, or `a` itself for one instance.
pub fn redundant(a: f64, n: u32) -> f64 {
    if n == 1 {
        a
    } else {
        1.0 - (1.0 - a).powi(n as i32)
    }
}

fn formula(n: u32) -> String {
    if n == 1 {
        "a".into()
    } else {
        format!("1-(1-a)^{n}")
    }
}

pub fn estimate(m: &Model, a: f64) -> Estimate {
    let mut tiers = Vec::new();
    for lb in m.lbs.iter().filter(|l| !l.backends.is_empty()) {
        tiers.push(Tier {
            tier: label("lb", &lb.name),
            instances: "1".into(),
            formula: formula(1),
            availability: a,
        });
    }
    for w in &m.webs {
        let instances = match &w.autoscale {
            Some(s) => format!("{} (autoscale minimum)", s.min),
            None => w.count.to_string(),
        };
        tiers.push(Tier {
            tier: label("web", &w.name),
            instances,
            formula: formula(w.count),
            availability: redundant(a, w.count),
        });
    }
    for d in &m.dbs {
        if d.colocated {
            tiers.push(Tier {
                tier: label("db", &d.name),
                instances: "on the web host".into(),
                formula: "1 (counted in web)".into(),
                availability: 1.0,
            });
            continue;
        }
        let n = 1 + d.replicas;
        let shard = redundant(a, n);
        let each = if d.replicas == 0 {
            "1 primary".to_string()
        } else {
            format!("1 primary + {} replicas", d.replicas)
        };
        let (instances, formula, availability) = if d.shard_count > 1 {
            (
                format!("{} shards x ({each})", d.shard_count),
                format!("({})^{}", formula(n), d.shard_count),
                shard.powi(d.shard_count as i32),
            )
        } else {
            (each, formula(n), shard)
        };
        tiers.push(Tier {
            tier: label("db", &d.name),
            instances,
            formula,
            availability,
        });
    }
    let site: f64 = tiers.iter().map(|t| t.availability).product();
    Estimate {
        per_instance: a,
        tiers,
        site,
        downtime_hours_per_year: (1.0 - site) * HOURS_PER_YEAR,
    }
}

/// A probability as a percentage with enough digits to tell nines apart.
pub fn percent(p: f64) -> String {
    format!("{:.6}%", p * 100.0)
}

/// The text printed under every table.
pub const FORMULA: &str = "\
a = availability of one instance; a tier of n redundant instances is down
only when all n are: 1-(1-a)^n (n = 1: a). The load balancer counts as one
instance. A database shard is up while any of its 1 + r instances is (a replica
is promoted); a sharded database needs every shard: (shard)^shards.
Site = product of the tiers on the request path (lb x web x db). Caches, CDNs,
queues, workers and data centers are not factors: see the failures above.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_follow_the_formula_and_the_site_is_their_product() {
        let a = 0.995;
        assert_eq!(redundant(a, 1), a);
        assert!((redundant(a, 2) - 0.999975).abs() < 1e-12);
        let m = crate::compile(
            "t.arch",
            "web x2 behind lb\nlb nginx\ndb postgres sharded by id x4 with 2 replicas\n",
        )
        .design;
        let e = estimate(m.last(), a);
        let shard = 1.0 - 0.005f64.powi(3);
        assert_eq!(e.tiers.len(), 3);
        assert_eq!(e.tiers[2].formula, "(1-(1-a)^3)^4");
        assert!((e.tiers[2].availability - shard.powi(4)).abs() < 1e-15);
        assert!((e.site - a * 0.999975 * shard.powi(4)).abs() < 1e-12);
        assert_eq!(percent(e.site), "99.497463%");
    }
}
