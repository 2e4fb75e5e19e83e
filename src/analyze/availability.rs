//! An availability estimate a reader can check by hand, following what one
//! target deploys (docs/analysis.md).
//!
//! One data center's stack is a product of factors, each the probability that
//! one thing on the request path is up (the letters are the assumptions of
//! [`super::assume`]): the data center (`d`; on compose the host, `h`), each
//! load balancer with tiers behind it (an ALB or an Ingress, `m`; a container,
//! `a`), each web tier (`1-(1-a)^n`: up while any of its n instances is), and
//! each database (`1-(1-a)^c`: up while any of the c copies the data center
//! holds is; a sharded one counts the shard a request needs). That product is
//! `R`. With several data centers holding the data
//! ([`super::topology::data_in_every_datacenter`]), the primary region's is
//! `R1` (each database's primary and its replicas) and every other region's
//! `R2` (its cross-region read replicas), and a group of users that Route 53
//! can send to a failover pair ([`super::topology::routes`]) is up while either
//! is: `1-(1-R1)x(1-R2)`. Without the data everywhere, every user needs the
//! primary region, which holds it: the site is `R`. The site figure is the
//! least-served group's. Caches, CDNs, queues, workers, document stores,
//! logs and metrics are not factors: their failure degrades the site (see
//! [`super::spof`]) but does not stop a page from being served.

use super::assume::{letter, Assumptions, Used, DATACENTER, HOST, INSTANCE, MANAGED_LB, MULTI_AZ};
use super::describe::label;
use super::topology::{self, Route};
use crate::model::{Db, Model, NosqlEngine};
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
            Deploy::Terraform => &[INSTANCE, MANAGED_LB, DATACENTER, MULTI_AZ],
            Deploy::K8s => &[INSTANCE, MANAGED_LB, DATACENTER],
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
    /// `1-(1-R1)x(1-R2)`, `R`.
    pub formula: String,
    pub availability: f64,
}

/// Every data center but the primary, when each holds the data: the same
/// stack with each database's cross-region read replicas in place of its
/// primary and replicas.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OtherDatacenters {
    pub regions: Vec<String>,
    pub factors: Vec<Factor>,
    /// Their product, `R2`.
    pub availability: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub target: Deploy,
    pub assumptions: Vec<Used>,
    /// The primary (or only) data center's stack; its product is `R` (`R1`
    /// when [`Estimate::other_datacenters`] is there).
    pub factors: Vec<Factor>,
    pub one_datacenter: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_datacenters: Option<OtherDatacenters>,
    pub data_in_every_datacenter: bool,
    pub routes: Vec<RouteEstimate>,
    /// The least-served group's availability.
    pub site: f64,
    /// The arithmetic, symbols then numbers, as printed.
    pub arithmetic: Vec<String>,
    /// Writes need the primary region and each database's primary: the
    /// primary region's `R` with every database counted as its primary alone
    /// (until a replica is promoted).
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
    let (factors, writes_factors) = stack(m, target, asm, Site::Primary);
    let r: f64 = factors.iter().map(|f| f.availability).product();
    let writes_r: f64 = writes_factors.iter().product();
    let shared = topology::data_in_every_datacenter(m);
    let served_anywhere = topology::databases_in_every_datacenter(m);
    let primary = topology::primary(m);
    let others: Vec<String> = m
        .datacenters
        .iter()
        .flat_map(|d| d.regions.iter())
        .filter(|x| **x != primary)
        .cloned()
        .collect();
    let other_datacenters = (target == Deploy::Terraform && served_anywhere && !others.is_empty())
        .then(|| {
            let (factors, _) = stack(m, target, asm, Site::Other(&others));
            OtherDatacenters {
                availability: factors.iter().map(|f| f.availability).product(),
                regions: others,
                factors,
            }
        });
    let routes: Vec<RouteEstimate> = routes_of(m, target)
        .into_iter()
        .map(|route| route_estimate(route, &primary, r, other_datacenters.as_ref()))
        .collect();
    let least = routes
        .iter()
        .min_by(|x, y| x.availability.total_cmp(&y.availability))
        .expect("every stage has a route");
    let site = least.availability;
    let r2 = other_datacenters
        .as_ref()
        .map(|o| (o.factors.as_slice(), o.availability));
    let arithmetic = arithmetic(&factors, r, r2, least);
    let notes = notes(m, target, shared);
    Estimate {
        target,
        assumptions: used_assumptions(asm, target, &factors),
        factors,
        one_datacenter: r,
        other_datacenters,
        data_in_every_datacenter: shared,
        site,
        writes: writes_r,
        routes,
        arithmetic,
        notes,
        downtime_hours_per_year: (1.0 - site) * HOURS_PER_YEAR,
    }
}

/// The target's assumptions that some factor's formula uses (`z` only where
/// there is an RDS primary), in the target's order.
fn used_assumptions(asm: &Assumptions, target: Deploy, factors: &[Factor]) -> Vec<Used> {
    let uses = |letter: &str| {
        factors.iter().any(|f| {
            f.formula
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|token| token == letter)
        })
    };
    asm.used(target.keys())
        .into_iter()
        .filter(|u| uses(u.letter))
        .collect()
}

/// A group of users' figure: up while any data center of its pair is, each
/// at `R1` (the primary) or `R2`, when every data center holds the data;
/// else the primary region's `R`, which holds it.
fn route_estimate(
    route: Route,
    primary: &str,
    r: f64,
    other: Option<&OtherDatacenters>,
) -> RouteEstimate {
    let Some(other) = other else {
        return RouteEstimate {
            route,
            formula: "R".into(),
            availability: r,
        };
    };
    let is_primary = |dc: &String| dc == primary;
    let ones = route.datacenters.iter().filter(|d| is_primary(d)).count() as u32;
    let twos = route.datacenters.len() as u32 - ones;
    let down = (1.0 - r).powi(ones as i32) * (1.0 - other.availability).powi(twos as i32);
    RouteEstimate {
        formula: pair_formula("R1", ones, "R2", twos),
        availability: 1.0 - down,
        route,
    }
}

/// `1-(1-R1)x(1-R2)`, `R1`, `1-(1-R2)^2`: up while any of the data centers is.
fn pair_formula(x: &str, nx: u32, y: &str, ny: u32) -> String {
    let term = |s: &str, n: u32| match n {
        0 => None,
        1 => Some(format!("(1-{s})")),
        n => Some(format!("(1-{s})^{n}")),
    };
    let terms: Vec<String> = [term(x, nx), term(y, ny)].into_iter().flatten().collect();
    match (nx, ny) {
        (1, 0) => x.to_string(),
        (0, 1) => y.to_string(),
        _ => format!("1-{}", terms.join("x")),
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

/// Which data center a stack is: the primary (or only) one, or every other
/// one of a stage whose data is in each.
#[derive(Clone, Copy)]
enum Site<'a> {
    Primary,
    Other(&'a [String]),
}

/// One data center's factors, and the same for writes (each database's
/// primary alone).
fn stack(m: &Model, t: Deploy, asm: &Assumptions, site: Site) -> (Vec<Factor>, Vec<f64>) {
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
            deployed: match site {
                Site::Other(regions) => format!("AWS region {}", regions.join(" or ")),
                Site::Primary if several => {
                    format!("AWS region {} (the primary)", topology::primary(m))
                }
                Site::Primary => format!("AWS region {}", topology::primary(m)),
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
    // On terraform each RDS primary is Multi-AZ (a standby it fails over to).
    let multi_az = (t == Deploy::Terraform).then(|| (asm.get(MULTI_AZ), letter(MULTI_AZ)));
    for d in &m.dbs {
        let (f, w) = database(d, t, (a, ai), multi_az, site);
        out.push(f);
        writes.push(w);
    }
    (out, writes)
}

/// A database's factor, and its factor for writes (the primary alone). In
/// the primary data center the copies are the primary and its replicas; in
/// every other one, its cross-region read replicas.
fn database(
    d: &Db,
    t: Deploy,
    (a, ai): (f64, &str),
    multi_az: Option<(f64, &str)>,
    site: Site,
) -> (Factor, f64) {
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
    let plural = |n: u32, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let (formula, availability, each) = match site {
        Site::Other(_) => (
            redundant_formula(ai, d.replicas),
            redundant(a, d.replicas),
            format!(
                "{} of the primary",
                plural(d.replicas, "cross-region read replica")
            ),
        ),
        Site::Primary => {
            let replicas = plural(d.replicas, "replica");
            match multi_az {
                None if d.replicas == 0 => (ai.to_string(), a, "1 primary".to_string()),
                None => (
                    redundant_formula(ai, 1 + d.replicas),
                    redundant(a, 1 + d.replicas),
                    format!("1 primary + {replicas}"),
                ),
                Some((z, zi)) if d.replicas == 0 => {
                    (zi.to_string(), z, "1 Multi-AZ primary".to_string())
                }
                // Reads are served while the primary pair or any replica is up.
                Some((z, zi)) => {
                    let power = if d.replicas == 1 {
                        String::new()
                    } else {
                        format!("^{}", d.replicas)
                    };
                    (
                        format!("1-(1-{zi})x(1-{ai}){power}"),
                        1.0 - (1.0 - z) * (1.0 - a).powi(d.replicas as i32),
                        format!("1 Multi-AZ primary + {replicas}"),
                    )
                }
            }
        }
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
            formula,
            availability,
        },
        multi_az.map_or(a, |(z, _)| z),
    )
}

/// `R = d x m x …` and its numbers (`R1` and `R2` with other data centers
/// holding the data), then the site from the least-served group.
fn arithmetic(
    factors: &[Factor],
    r: f64,
    other: Option<(&[Factor], f64)>,
    least: &RouteEstimate,
) -> Vec<String> {
    let product = |name: &str, factors: &[Factor], value: f64| {
        let counted: Vec<&Factor> = factors.iter().filter(|f| f.availability < 1.0).collect();
        let symbols: Vec<String> = counted
            .iter()
            .map(|f| {
                if f.formula.contains('-') {
                    format!("({})", f.formula)
                } else {
                    f.formula.clone()
                }
            })
            .collect();
        let numbers: Vec<String> = counted.iter().map(|f| number(f.availability)).collect();
        let pad = " ".repeat(name.len());
        vec![
            format!("{name} = {}", symbols.join(" x ")),
            format!("{pad} = {} = {}", numbers.join(" x "), number(value)),
        ]
    };
    let Some((other, r2)) = other else {
        let mut lines = product("R", factors, r);
        lines.push(format!("site = R = {}", number(least.availability)));
        return lines;
    };
    let mut lines = product("R1", factors, r);
    lines.extend(product("R2", other, r2));
    let numbers = least
        .formula
        .replace("R1", &number(r))
        .replace("R2", &number(r2));
    lines.push(format!(
        "site = {} = {numbers} = {}",
        least.formula,
        number(least.availability)
    ));
    lines
}

/// What the figure leaves out and why, in the reader's words.
fn notes(m: &Model, t: Deploy, shared: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Some(dc) = m.datacenters.as_ref().filter(|d| d.regions.len() > 1) else {
        return out;
    };
    let list = dc.regions.join(", ");
    let primary = topology::primary(m);
    if t != Deploy::Terraform {
        out.push(format!(
            "Data centers {list}: {} files run one site and route no one between sites. A second site is a separate run that gets its data as a streaming replica of the primary's database, pointed at through P_HOST (docs/failover.md), which the files do not set up: a second data center does not raise this figure.",
            t.name()
        ));
        return out;
    }
    let dbs_only_here: Vec<String> = m
        .dbs
        .iter()
        .filter(|d| d.replicas == 0)
        .map(|d| label("db", &d.name))
        .collect();
    if dbs_only_here.is_empty() {
        out.push(format!(
            "Every data center holds the databases: {primary} each database's primary and its replicas, every other region cross-region read replicas of them. Route 53 evaluates each balancer's health, so each group of users is served while either data center of its pair is up: reads come from the local replicas; writes go to the primary in {primary} across the VPC peering, and while {primary} is down they wait for the failover procedure (promote a replica in a surviving region, docs/failover.md)."
        ));
    } else {
        out.push(format!(
            "Only {primary} holds the data of {}: the other data centers read and write it there across the VPC peering (W0307). Every user needs {primary}, so the site is its figure, R; with `with 1 replica` on each database every data center would hold the data, and users would be served while either data center of their pair is up.",
            dbs_only_here.join(", ")
        ));
    }
    if !shared && dbs_only_here.len() < uncopied(m).len() {
        out.push(format!(
            "The MongoDB document stores are in {primary} only (W0307): while it is down, what they store cannot be read or written elsewhere. A document store is not a factor (the pages are served), so this lowers no figure; `dynamodb` would be a global table, in every data center."
        ));
    }
    if m.lbs.is_empty() {
        out.push(
            "No balancer, so no DNS records: every user is sent to the primary data center.".into(),
        );
    } else if !dc.geodns && dc.regions.len() > 2 {
        out.push(format!(
            "Failover routing has one primary and one secondary record: {} standby that no user reaches, not counted.",
            dc.regions.len() - 2
        ));
    }
    out
}

/// The stores whose data is only in the primary region: databases without
/// replicas, MongoDB document stores (`db orders`, `nosql docs`).
pub fn uncopied(m: &Model) -> Vec<String> {
    m.dbs
        .iter()
        .filter(|d| d.replicas == 0)
        .map(|d| label("db", &d.name))
        .chain(
            m.nosqls
                .iter()
                .filter(|n| n.engine == NosqlEngine::Mongodb)
                .map(|n| label("nosql", &n.name)),
        )
        .collect()
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
        let (mlb, d, z) = (0.9999, 0.999, 0.9995);
        // Each shard: its Multi-AZ primary pair or either replica.
        let shard = 1.0 - 0.0005 * 0.005f64.powi(2);
        assert_eq!(e.factors.len(), 4);
        assert_eq!(e.factors[3].formula, "1-(1-z)x(1-a)^2");
        let want = d * mlb * (1.0 - 0.005f64.powi(2)) * shard;
        assert!((e.site - want).abs() < 1e-12, "{} {want}", e.site);
        assert!((e.writes - d * mlb * (1.0 - 0.005f64.powi(2)) * z).abs() < 1e-12);
        // Compose and k8s run the primary as one container or pod.
        let k = estimate(&m, Deploy::K8s, &asm);
        assert_eq!(k.factors[3].formula, "1-(1-a)^3");
        assert!(e.assumptions.iter().any(|u| u.key == "multi-az"));
        assert!(!k.assumptions.iter().any(|u| u.key == "multi-az"));
    }

    #[test]
    fn the_multi_az_assumption_is_listed_only_where_a_primary_uses_it() {
        let m = last(
            "web x2 behind lb
",
        );
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        let keys: Vec<_> = e.assumptions.iter().map(|u| u.key).collect();
        assert_eq!(keys, ["instance", "managed-lb", "datacenter"]);
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
    fn data_in_every_data_center_raises_the_figure_to_either_of_a_pair() {
        let m = last(
            "web x2 behind lb\ndb postgres with 2 replicas\ndatacenters us-east-1, eu-west-1 via geodns\n",
        );
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        assert!(e.data_in_every_datacenter);
        let other = e.other_datacenters.as_ref().expect("R2");
        assert_eq!(other.regions, ["eu-west-1"]);
        let db = other.factors.last().unwrap();
        assert_eq!(db.formula, "1-(1-a)^2", "eu-west-1 holds the 2 replicas");
        let want = 1.0 - (1.0 - e.one_datacenter) * (1.0 - other.availability);
        assert!((e.site - want).abs() < 1e-15);
        assert!(e.routes.iter().all(|r| r.formula == "1-(1-R1)x(1-R2)"));
        assert!(e.site > e.one_datacenter);
    }

    #[test]
    fn data_only_in_the_primary_region_leaves_the_site_at_its_figure() {
        let m = last("web x2 behind lb\ndb postgres\ndatacenters us-east-1, eu-west-1\n");
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        assert!(!e.data_in_every_datacenter);
        assert!(e.other_datacenters.is_none());
        assert_eq!(e.site, e.one_datacenter);
        assert!(
            e.notes[0].contains("Only us-east-1 holds the data of db"),
            "{:?}",
            e.notes
        );
        assert!(e.arithmetic.last().unwrap().starts_with("site = R = "));
    }

    #[test]
    fn compose_and_k8s_run_one_site_whatever_the_data_centers() {
        let m = last(
            "web x2 behind lb\ndb postgres with 2 replicas\ndatacenters us-east-1, eu-west-1\n",
        );
        for t in [Deploy::Compose, Deploy::K8s] {
            let e = estimate(&m, t, &Assumptions::default());
            assert_eq!(e.site, e.one_datacenter);
            assert!(e.notes[0].contains("streaming replica"), "{:?}", e.notes);
        }
    }

    #[test]
    fn a_document_store_in_the_primary_region_only_lowers_no_figure() {
        let m = last(
            "web x2 behind lb\ndb postgres with 1 replica\nnosql docs mongodb\ndatacenters us-east-1, eu-west-1\n",
        );
        let e = estimate(&m, Deploy::Terraform, &Assumptions::default());
        assert!(!e.data_in_every_datacenter);
        assert!(
            e.other_datacenters.is_some(),
            "the databases are everywhere"
        );
        assert!(e.site > e.one_datacenter);
        assert!(
            e.notes
                .iter()
                .any(|n| n.contains("MongoDB document stores")),
            "{:?}",
            e.notes
        );
    }
}
