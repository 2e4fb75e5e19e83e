//! network.tf: the VPC, its subnets and NAT gateway, then one security group
//! per networked component, chained internet -> load balancer -> web tier ->
//! data tier. The groups are appended one by one after the file's head.

use super::data::{mongos, remote_caches, remote_dbs};
use super::hosts::{app_origins, has_hosts};
use super::lb::serves_https;
use super::names::{aws_name, dashed, label};
use super::tidy::Tidy;
use super::{render_each, Result, TfFile};
use crate::emit::templates::Engine;
use crate::model::{Model, Origin};
use serde::Serialize;

/// Label of the security group every web tier and worker joins; not a kind,
/// so no component's label can be the same.
pub(super) const APP_SG: &str = "app";

#[derive(Serialize)]
pub(super) struct NetworkTf {
    system: String,
    /// Anything lives in the VPC.
    vpc: bool,
    /// HCL of the VPC's range: each data center's module gets its own.
    vpc_cidr: &'static str,
    /// EC2 hosts in private subnets need a NAT gateway to pull images.
    nat: bool,
    any_security_groups: bool,
    /// Rendered one by one after the head.
    #[serde(skip)]
    security_groups: Vec<SgCtx>,
}

#[derive(Serialize)]
struct SgCtx {
    label: String,
    name: String,
    description: String,
    ingress: Vec<RuleCtx>,
}

#[derive(Serialize)]
struct RuleCtx {
    label: String,
    description: String,
    port: u16,
    /// `0.0.0.0/0` for the public edge; otherwise `source` is set.
    cidr: Option<String>,
    /// Label of the security group allowed in.
    source: Option<String>,
}

impl TfFile for NetworkTf {
    fn build(m: &Model) -> Self {
        let mut sgs = lb_sgs(m);
        sgs.extend(host_sgs(m));
        sgs.extend(data_sgs(m));
        NetworkTf {
            system: m.system.clone(),
            vpc: has_vpc(m),
            vpc_cidr: if super::multi::is_multi(m) {
                "var.vpc_cidr"
            } else {
                "\"10.0.0.0/16\""
            },
            nat: m.aws_nat_gateway(),
            any_security_groups: !sgs.is_empty(),
            security_groups: sgs,
        }
    }

    fn append(&self, _m: &Model, tpl: Engine, out: &mut Tidy) -> Result<()> {
        if self.vpc {
            render_each(tpl, "security-group.tf", "sg", &self.security_groups, out)?;
        }
        Ok(())
    }
}

/// Whether anything lives in the VPC.
pub(super) fn has_vpc(m: &Model) -> bool {
    has_hosts(m) || !m.lbs.is_empty() || has_data_sgs(m)
}

/// Whether any data component has a security group of its own.
fn has_data_sgs(m: &Model) -> bool {
    remote_dbs(m).next().is_some()
        || remote_caches(m).next().is_some()
        || mongos(m).next().is_some()
}

/// Every web tier and worker also joins one shared group, and each data
/// component admits that group: one rule per data component instead of one
/// per (client, data component) pair.
pub(super) fn app_sg(m: &Model) -> bool {
    has_hosts(m) && has_data_sgs(m)
}

/// Each load balancer admits HTTP from the internet, and HTTPS when it
/// serves it (see `serves_https`).
fn lb_sgs(m: &Model) -> Vec<SgCtx> {
    let sys = &m.system;
    m.lbs
        .iter()
        .map(|lb| {
            let mut ingress = vec![RuleCtx {
                label: format!("{}_http", label("lb", &lb.name)),
                description: "HTTP from anywhere".into(),
                port: lb.port,
                cidr: Some("0.0.0.0/0".into()),
                source: None,
            }];
            if serves_https(m) {
                ingress.push(RuleCtx {
                    label: format!("{}_https", label("lb", &lb.name)),
                    description: "HTTPS from anywhere".into(),
                    port: 443,
                    cidr: Some("0.0.0.0/0".into()),
                    source: None,
                });
            }
            SgCtx {
                label: label("lb", &lb.name),
                name: aws_name(sys, &dashed("lb", &lb.name), 255),
                description: format!("Load balancer {}: HTTP from the internet", lb.name),
                ingress,
            }
        })
        .collect()
}

/// A web tier admits its load balancer (or HTTP from anywhere when it is
/// the single public host); a worker admits nothing. Then the shared group.
fn host_sgs(m: &Model) -> Vec<SgCtx> {
    let sys = &m.system;
    let mut sgs = Vec::new();
    for w in &m.webs {
        let l = label("web", &w.name);
        let (rule, description) = match &w.lb {
            Some(lb) => (
                RuleCtx {
                    label: format!("{l}_from_{}", label("lb", lb)),
                    description: format!("Port {} from load balancer {lb} only", w.port),
                    port: w.port,
                    cidr: None,
                    source: Some(label("lb", lb)),
                },
                format!(
                    "Web tier {}: reachable from load balancer {lb} only",
                    w.name
                ),
            ),
            // Without a load balancer the host is the edge: HTTP on 80, which
            // the host maps to the container's port.
            None => (
                RuleCtx {
                    label: format!("{l}_http"),
                    description: "HTTP from anywhere (single host, no load balancer)".into(),
                    port: 80,
                    cidr: Some("0.0.0.0/0".into()),
                    source: None,
                },
                format!("Web tier {}: single public host", w.name),
            ),
        };
        sgs.push(SgCtx {
            label: l,
            name: aws_name(sys, &dashed("web", &w.name), 255),
            description,
            ingress: vec![rule],
        });
    }
    for wk in &m.workers {
        sgs.push(SgCtx {
            label: label("worker", &wk.name),
            name: aws_name(sys, &dashed("worker", &wk.name), 255),
            description: format!("Worker {}: no inbound traffic", wk.name),
            ingress: vec![],
        });
    }
    if app_sg(m) {
        sgs.push(SgCtx {
            label: APP_SG.into(),
            name: aws_name(sys, APP_SG, 255),
            description: "Every web tier and worker: the clients the data tier admits".into(),
            ingress: vec![],
        });
    }
    sgs
}

/// Each database, cache and document store admits the shared group of the
/// web tiers and workers on its port.
fn data_sgs(m: &Model) -> Vec<SgCtx> {
    let app_sg = app_sg(m);
    let data_sg = |kind: &str, name: &str, port: u16, what: &str| -> SgCtx {
        let l = label(kind, name);
        SgCtx {
            // Without web tiers and workers nothing may connect.
            ingress: app_sg
                .then(|| RuleCtx {
                    label: format!("{l}_from_{APP_SG}"),
                    description: format!("Port {port} from the web tiers and workers"),
                    port,
                    cidr: None,
                    source: Some(APP_SG.into()),
                })
                .into_iter()
                .collect(),
            label: l,
            name: aws_name(&m.system, &dashed(kind, name), 255),
            description: format!("{what} {name}: reachable from web and workers only"),
        }
    };
    let mut sgs: Vec<SgCtx> = Vec::new();
    sgs.extend(remote_dbs(m).map(|d| data_sg("db", &d.name, d.port, "Database")));
    sgs.extend(remote_caches(m).map(|c| data_sg("cache", &c.name, c.port, "Cache")));
    sgs.extend(mongos(m).map(|n| data_sg("nosql", &n.name, n.port, "Document database")));
    sgs
}

/// The VPC and one security group per networked component.
pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(m.lbs.iter().map(|l| &l.origin));
    o.extend(app_origins(m));
    o.extend(remote_dbs(m).map(|d| &d.origin));
    o.extend(remote_caches(m).map(|c| &c.origin));
    o.extend(mongos(m).map(|n| &n.origin));
    o
}
