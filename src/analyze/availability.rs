//! An availability estimate a reader can check by hand, following what one
//! target deploys (docs/analysis.md).
//!
//! One data center's stack is a product of factors, each the probability that
//! one thing on the request path is up (the letters are the assumptions of
//! [`super::assume`]): the data center (`d`; on compose the host, `h`), each
//! load balancer with tiers behind it (an ALB or an Ingress, `m`; a container,
//! `a`), each web tier (`1-(1-a)^n`: up while any of its n instances is), and
//! each database (`1-(1-a)^(1+r)`: up while any of its primary and r replicas
//! is; a sharded one counts the shard a request needs). That product is `R`.
//! Users reach data centers through Route 53 ([`super::topology::routes`]):
//! a group of users that can be sent to k data centers holding their data is
//! up at `1-(1-R)^k`, and only data centers that hold the data count
//! ([`super::topology::data_in_every_datacenter`]). The site figure is the
//! least-served group's. Caches, CDNs, queues, workers, document stores,
//! logs and metrics are not factors: their failure degrades the site (see
//! [`super::spof`]) but does not stop a page from being served.

use super::assume::{letter, Assumptions, Used, DATACENTER, HOST, INSTANCE, MANAGED_LB};
use super::describe::label;
use super::topology::{self, Route};
use crate::model::{Db, Model};
use serde::Serialize;

pub const HOURS_PER_YEAR: f64 = 24.0 * 365.0;

/// The target whose deployment the estimate follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Deploy {
    /// AWS: an ALB per region, EC2 instances, RDS, Route 53 between regions.
    #[default]
    Terraform,
    /// One Docker host running every container.
    Compose,
    /// One cluster per data center, an Ingress in front.
    K8s,
}

impl Deploy {
    pub fn name(self) -> &'static str {
        match self {
            Deploy::Terraform => "terraform",
            Deploy::Compose => "compose",
            Deploy::K8s => "k8s",
        }
    }

    /// The assumptions this target's estimate reads.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Deploy::Terraform | Deploy::K8s => &[INSTANCE, MANAGED_LB, DATACENTER],
            Deploy::Compose => &[INSTANCE, HOST],
        }
    }

    /// How one instance is deployed: `EC2 instance`, `container`, `pod`.
    fn instance(self) -> &'static str {
        match self {
            Deploy::Terraform => "EC2 instance",
            Deploy::Compose => "container",
            Deploy::K8s => "pod",
        }
    }
}

/// One factor of a data center's stack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Factor {
    /// `data center`, `lb`, `web`, `db orders`.
    pub factor: String,
    /// What the target deploys for it.
    pub deployed: String,
    /// The factor in the assumptions' letters.
    pub formula: String,
    pub availability: f64,
}

/// A group of users and how available the site is for them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteEstimate {
    #[serde(flatten)]
    pub route: Route,
    /// How many of those data centers hold these users' data (the first
    /// always does: it is where they were served).
    pub with_their_data: usize,
    pub formula: String,
    pub availability: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub target: Deploy,
    pub assumptions: Vec<Used>,
    /// One data center's stack; its product is `R`.
    pub factors: Vec<Factor>,
    pub one_datacenter: f64,
    pub data_in_every_datacenter: bool,
    pub routes: Vec<RouteEstimate>,
    /// The least-served group's availability.
    pub site: f64,
    /// The arithmetic, symbols then numbers, as printed.
    pub arithmetic: Vec<String>,
    /// Writes need each database's primary: one data center's `R` with every
    /// database counted as its primary alone (until a replica is promoted),
    /// in the one data center that takes the writes.
    pub writes: f64,
    pub notes: Vec<String>,
    pub downtime_hours_per_year: f64,
}

/// `1-(1-p)^n`, or `p` itself for one.
pub fn redundant(p: f64, n: u32) -> f64 {
    if n == 1 {
        p
    } else {
        1.0 - (1.0 - p).powi(n as i32)
    }
}

/// The symbol of [`redundant`]: `a`, `1-(1-a)^3`.
fn redundant_formula(x: &str, n: u32) -> String {
    if n == 1 {
        x.to_string()
    } else {
        format!("1-(1-{x})^{n}")
    }
}

/// A factor's value as printed in the arithmetic: ten decimals, trailing
/// zeros dropped, so that multiplying the printed numbers gives the printed
/// result to the digits shown.
pub fn number(p: f64) -> String {
    let s = format!("{p:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

pub fn estimate(m: &Model, target: Deploy, asm: &Assumptions) -> Estimate {
    let (factors, writes_factors) = stack(m, target, asm);
    let r: f64 = factors.iter().map(|f| f.availability).product();
    let writes_r: f64 = writes_factors.iter().product();
    let shared = topology::data_in_every_datacenter(m);
    let routes: Vec<RouteEstimate> = routes_of(m, target)
        .into_iter()
        .map(|route| {
            let k = if shared { route.datacenters.len() } else { 1 };
            RouteEstimate {
                formula: redundant_formula("R", k as u32),
                availability: redundant(r, k as u32),
                with_their_data: k,
                route,
            }
        })
        .collect();
    let least = routes
        .iter()
        .min_by(|x, y| x.availability.total_cmp(&y.availability))
        .expect("every stage has a route");
    let site = least.availability;
    let arithmetic = arithmetic(&factors, r, least);
    let notes = notes(m, target, shared, r, &routes);
    Estimate {
        target,
        assumptions: asm.used(target.keys()),
        factors,
        one_datacenter: r,
        data_in_every_datacenter: shared,
        site,
        writes: writes_r,
        routes,
        arithmetic,
        notes,
        downtime_hours_per_year: (1.0 - site) * HOURS_PER_YEAR,
    }
}

/// The routes the target deploys: Route 53's on terraform; compose and
/// Kubernetes files route no one between sites, so each run serves its own
/// users alone.
fn routes_of(m: &Model, target: Deploy) -> Vec<Route> {
    match target {
        Deploy::Terraform => topology::routes(m),
        Deploy::Compose | Deploy::K8s => vec![Route {
            users: "all users of one site".into(),
            datacenters: vec![topology::primary(m)],
        }],
    }
}

/// One data center's factors, and the same for writes (each database's
/// primary alone).
fn stack(m: &Model, t: Deploy, asm: &Assumptions) -> (Vec<Factor>, Vec<f64>) {
    let a = asm.get(INSTANCE);
    let (ai, di, mi, hi) = (
        letter(INSTANCE),
        letter(DATACENTER),
        letter(MANAGED_LB),
        letter(HOST),
    );
    let mut out = Vec::new();
    let several = m.datacenters.as_ref().is_some_and(|d| d.regions.len() > 1);
    out.push(match t {
        Deploy::Terraform => Factor {
            factor: "data center".into(),
            deployed: if several {
                "one AWS region (each alike)".into()
            } else {
                format!("AWS region {}", topology::primary(m))
            },
            formula: di.into(),
            availability: asm.get(DATACENTER),
        },
        Deploy::K8s => Factor {
            factor: "data center".into(),
            deployed: "the cluster's data center".into(),
            formula: di.into(),
            availability: asm.get(DATACENTER),
        },
        Deploy::Compose => Factor {
            factor: "host".into(),
            deployed: "the one Docker host".into(),
            formula: hi.into(),
            availability: asm.get(HOST),
        },
    });
    for lb in m.lbs.iter().filter(|l| !l.backends.is_empty()) {
        let (deployed, formula, availability) = match t {
            Deploy::Terraform => (
                "an ALB across the region's zones".into(),
                mi,
                asm.get(MANAGED_LB),
            ),
            Deploy::K8s => (
                "an Ingress (the cluster's ingress-nginx)".into(),
                mi,
                asm.get(MANAGED_LB),
            ),
            Deploy::Compose => (
                format!("one {:?} container", lb.engine).to_lowercase(),
                ai,
                a,
            ),
        };
        out.push(Factor {
            factor: label("lb", &lb.name),
            deployed,
            formula: formula.into(),
            availability,
        });
    }
    for w in &m.webs {
        let n = w.count;
        let each = t.instance();
        let mut deployed = format!("{n} {each}{}", if n == 1 { "" } else { "s" });
        if w.autoscale.is_some() {
            deployed.push_str(" (autoscale minimum)");
        }
        out.push(Factor {
            factor: label("web", &w.name),
            deployed,
            formula: redundant_formula(ai, n),
            availability: redundant(a, n),
        });
    }
    let mut writes: Vec<f64> = out.iter().map(|f| f.availability).collect();
    for d in &m.dbs {
        let (f, w) = database(d, t, a, ai);
        out.push(f);
        writes.push(w);
    }
    (out, writes)
}

/// A database's factor, and its factor for writes (the primary alone).
fn database(d: &Db, t: Deploy, a: f64, ai: &str) -> (Factor, f64) {
    let factor = label("db", &d.name);
    if d.colocated {
        return match t {
            Deploy::Terraform => (
                Factor {
                    factor,
                    deployed: "on the web instance".into(),
                    formula: "1 (counted in web)".into(),
                    availability: 1.0,
                },
                1.0,
            ),
            Deploy::Compose | Deploy::K8s => (
                Factor {
                    factor,
                    deployed: format!("its own {} beside the web", t.instance()),
                    formula: ai.into(),
                    availability: a,
                },
                a,
            ),
        };
    }
    let n = 1 + d.replicas;
    let each = match d.replicas {
        0 => "1 primary".to_string(),
        1 => "1 primary + 1 replica".to_string(),
        r => format!("1 primary + {r} replicas"),
    };
    let on = match t {
        Deploy::Terraform => "RDS: ",
        Deploy::Compose => "containers: ",
        Deploy::K8s => "pods: ",
    };
    let deployed = if d.shard_count > 1 {
        format!(
            "{on}{} shards, each {each}; a request needs its user's shard",
            d.shard_count
        )
    } else {
        format!("{on}{each}")
    };
    (
        Factor {
            factor,
            deployed,
            formula: redundant_formula(ai, n),
            availability: redundant(a, n),
        },
        a,
    )
}

/// `R = d x m x …`, its numbers, and the site from the least-served group.
fn arithmetic(factors: &[Factor], r: f64, least: &RouteEstimate) -> Vec<String> {
    let symbols: Vec<String> = factors
        .iter()
        .filter(|f| f.availability < 1.0)
        .map(|f| {
            if f.formula.contains('-') {
                format!("({})", f.formula)
            } else {
                f.formula.clone()
            }
        })
        .collect();
    let numbers: Vec<String> = factors
        .iter()
        .filter(|f| f.availability < 1.0)
        .map(|f| number(f.availability))
        .collect();
    let mut lines = vec![
        format!("R = {}", symbols.join(" x ")),
        format!("  = {} = {}", numbers.join(" x "), number(r)),
    ];
    let k = least.with_their_data;
    lines.push(if k == 1 {
        format!("site = R = {}", number(least.availability))
    } else {
        format!(
            "site = 1-(1-R)^{k} = 1-(1-{})^{k} = {}",
            number(r),
            number(least.availability)
        )
    });
    lines
}

/// What the figure leaves out and why, in the reader's words.
fn notes(m: &Model, t: Deploy, shared: bool, r: f64, routes: &[RouteEstimate]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(dc) = m.datacenters.as_ref().filter(|d| d.regions.len() > 1) else {
        return out;
    };
    let list = dc.regions.join(", ");
    if t != Deploy::Terraform {
        out.push(format!(
            "Data centers {list}: {} files run one site and route no one between sites; each data center is a separate run with its own data, so a second one does not raise this figure.",
            t.name()
        ));
        return out;
    }
    if !shared {
        let best = routes
            .iter()
            .map(|x| x.route.datacenters.len())
            .max()
            .unwrap_or(1) as u32;
        let what_if = if best > 1 {
            format!(
                " If every data center held the data, users that can be sent to {best} data centers would be up at 1-(1-R)^{best} = {}.",
                percent(redundant(r, best))
            )
        } else {
            String::new()
        };
        out.push(format!(
            "Data centers {list} do not share data: the Terraform, applied once per region, creates each region's own primary database (its replicas stay in that region), so users sent to another data center do not find their data there. A second data center does not raise this figure.{what_if}"
        ));
    }
    let primary = topology::primary(m);
    let alone: Vec<&str> = routes
        .iter()
        .filter(|x| x.route.datacenters.len() == 1)
        .map(|x| x.route.users.as_str())
        .collect();
    if !alone.is_empty() && dc.geodns {
        out.push(format!(
            "{} have only {primary}: their continent's record and the default record both point at it, so when it fails Route 53 has nowhere else to send them, whether or not the data is shared. For them a second data center needs a record that fails over to another region.",
            capitalise(&alone.join(" and "))
        ));
    }
    if !dc.geodns && dc.regions.len() > 2 {
        out.push(format!(
            "Failover routing has one primary and one secondary record: {} standby that no user reaches, not counted.",
            dc.regions.len() - 2
        ));
    }
    out
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A probability as a percentage with enough digits to tell nines apart.
pub fn percent(p: f64) -> String {
    format!("{:.6}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(src: &str) -> Model {
        crate::compile("t.arch", src).design.last().clone()
    }

    #[test]
    fn one_data_center_is_the_product_of_its_factors() {
        let m = last("web x2 behind lb\nlb nginx\ndb postgres sharded by id x4 with 2 replicas\n");
        let asm = Assumptions::default();
        let e = estimate(&m, Deploy::Terraform, &asm);
        let (a, mlb, d) = (0.995, 0.9999, 0.999);
        let shard = 1.0 - 0.005f64.powi(3);
        assert_eq!(e.factors.len(), 4);
        assert_eq!(e.factors[3].formula, "1-(1-a)^3");
        let want = d * mlb * (1.0 - 0.005f64.powi(2)) * shard;
        assert!((e.site - want).abs() < 1e-12, "{} {want}", e.site);
        assert!((e.writes - d * mlb * (1.0 - 0.005f64.powi(2)) * a).abs() < 1e-12);
    }

    #[test]
    fn compose_puts_everything_on_one_host_and_counts_its_balancer_as_a_container() {
        let m = last("web x2 behind lb\nlb nginx\ndb postgres with 1 replica\n");
        let asm = Assumptions::default();
        let c = estimate(&m, Deploy::Compose, &asm);
        assert_eq!(c.factors[0].formula, "h");
        assert_eq!(c.factors[1].formula, "a");
        let t = estimate(&m, Deploy::Terraform, &asm);
        assert_eq!(t.factors[1].formula, "m");
        assert!(c.site < t.site);
    }

    #[test]
    fn a_data_center_with_the_data_raises_the_figure_for_the_users_it_backs() {
        let m = last(
            "web x2 behind lb\ncache redis x2 ttl 1m evict lru\ndatacenters us-east-1, eu-west-1\n",
        );
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        assert!(e.data_in_every_datacenter);
        assert!((e.site - redundant(e.one_datacenter, 2)).abs() < 1e-15);
        let m = last(
            "web x2 behind lb\ndb postgres with 2 replicas\ndatacenters us-east-1, eu-west-1\n",
        );
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        assert!(!e.data_in_every_datacenter);
        assert_eq!(e.site, e.one_datacenter);
        assert!(e.notes[0].contains("do not share data"), "{:?}", e.notes);
    }
}
