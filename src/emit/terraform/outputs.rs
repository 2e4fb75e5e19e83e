//! outputs.tf: what an operator needs after an apply: the public addresses,
//! load balancer and CDN names, data service endpoints, queue URLs, the
//! database password secrets and the name servers to delegate to.

use super::caches::caches;
use super::cdn::cdns;
use super::data::{remote_caches, remote_dbs};
use super::databases::{dbs, DbCtx, DbInstanceCtx};
use super::multi::{docdb_key, has_primaries, is_multi, peered_data_sgs, rds_key};
use super::names::label;
use super::network::has_vpc;
use super::nosql::nosqls;
use super::TfFile;
use crate::emit::templates::tf_name;
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct OutputsTf {
    pub(super) outputs: Vec<OutputCtx>,
}

#[derive(Serialize)]
pub(super) struct OutputCtx {
    pub(super) name: String,
    pub(super) description: String,
    /// A single expression, or a map of `(padded quoted key, expression)`.
    value: Option<String>,
    map: Vec<(String, String)>,
}

impl OutputCtx {
    pub(super) fn value(name: String, description: String, value: String) -> OutputCtx {
        OutputCtx {
            name,
            description,
            value: Some(value),
            map: vec![],
        }
    }
}

impl TfFile for OutputsTf {
    fn build(m: &Model) -> Self {
        let multi = is_multi(m);
        let mut outputs = addresses(m);
        outputs.extend(data_endpoints(m));
        for d in &dbs(m) {
            outputs.extend(db_maps(d, multi));
        }
        if multi {
            outputs.extend(module_outputs(m));
        } else if m.datacenters.is_some() {
            outputs.push(OutputCtx::value(
                "name_servers".into(),
                "Name servers to delegate the domain to (primary region's deployment only)".into(),
                "try(aws_route53_zone.main[0].name_servers, [])".into(),
            ));
        }
        OutputsTf { outputs }
    }
}

/// Where users reach the stage: the public web hosts, the load balancers,
/// the CDNs.
fn addresses(m: &Model) -> Vec<OutputCtx> {
    let mut outputs = Vec::new();
    for w in m.webs.iter().filter(|w| w.lb.is_none()) {
        let l = label("web", &w.name);
        outputs.push(OutputCtx::value(
            format!("{l}_public_ip"),
            format!("Public address of web tier {}", w.name),
            format!("aws_eip.{l}.public_ip"),
        ));
    }
    for lb in &m.lbs {
        let l = label("lb", &lb.name);
        outputs.push(OutputCtx::value(
            format!("{l}_dns_name"),
            format!("DNS name of load balancer {}", lb.name),
            format!("aws_lb.{l}.dns_name"),
        ));
    }
    // Several data centers: the CDNs are the root's.
    for c in cdns(m).iter().filter(|_| !is_multi(m)) {
        outputs.push(OutputCtx::value(
            format!("{}_domain_name", label("cdn", &c.name)),
            format!("CloudFront domain of CDN {}", c.name),
            format!("aws_cloudfront_distribution.{}.domain_name", c.label),
        ));
    }
    outputs
}

/// Where the applications reach the caches, NoSQL stores and queues.
fn data_endpoints(m: &Model) -> Vec<OutputCtx> {
    let mut outputs = Vec::new();
    for c in &caches(m) {
        outputs.push(OutputCtx::value(
            format!("{}_endpoint", label("cache", &c.name)),
            format!("Endpoint of cache {}", c.name),
            if c.redis {
                format!(
                    "aws_elasticache_replication_group.{}.primary_endpoint_address",
                    c.label
                )
            } else {
                format!("aws_elasticache_cluster.{}.configuration_endpoint", c.label)
            },
        ));
    }
    let multi = is_multi(m);
    for n in &nosqls(m) {
        outputs.push(if n.dynamodb && multi {
            OutputCtx::value(
                format!("{}_table", label("nosql", &n.name)),
                format!("DynamoDB table of {} (a global table's replica)", n.name),
                format!("local.tables.{}.name", n.label),
            )
        } else if multi {
            OutputCtx::value(
                format!("{}_endpoint", label("nosql", &n.name)),
                format!("DocumentDB endpoint of {} (the primary region's)", n.name),
                format!("local.primaries.{}.address", docdb_key(&n.name)),
            )
        } else if n.dynamodb {
            OutputCtx::value(
                format!("{}_table", label("nosql", &n.name)),
                format!("DynamoDB table of {}", n.name),
                format!("aws_dynamodb_table.{}.name", n.label),
            )
        } else {
            OutputCtx::value(
                format!("{}_endpoint", label("nosql", &n.name)),
                format!("DocumentDB endpoint of {}", n.name),
                format!("aws_docdb_cluster.{}.endpoint", n.label),
            )
        });
    }
    for q in &m.queues {
        outputs.push(OutputCtx::value(
            format!("{}_url", label("queue", &q.name)),
            format!("URL of queue {}", q.name),
            format!("aws_sqs_queue.{}.url", tf_name(&q.name)),
        ));
    }
    outputs
}

/// A database's two maps, instance name -> value: every instance's address,
/// and each primary's password secret.
fn db_maps(d: &DbCtx, multi: bool) -> [OutputCtx; 2] {
    // Several data centers: a primary is the primary region's.
    let address = |i: &DbInstanceCtx| match (multi, &i.source) {
        (true, None) => format!("local.primaries.{}.address", rds_key(&i.name)),
        _ => format!("aws_db_instance.{}.address", i.label),
    };
    let secret = |i: &DbInstanceCtx| {
        if multi {
            format!("local.primaries.{}.secret_arn", rds_key(&i.name))
        } else {
            format!(
                "aws_db_instance.{}.master_user_secret[0].secret_arn",
                i.label
            )
        }
    };
    let map = |f: &dyn Fn(&DbInstanceCtx) -> String, primaries: bool| {
        let rows: Vec<_> = d
            .instances
            .iter()
            .filter(|i| !primaries || i.source.is_none())
            .collect();
        // Keys padded to one column, as `terraform fmt` aligns them.
        let width = rows.iter().map(|i| i.name.len() + 2).max().unwrap_or(0);
        rows.iter()
            .map(|i| (format!("{:<width$}", format!("\"{}\"", i.name)), f(i)))
            .collect::<Vec<_>>()
    };
    [
        OutputCtx {
            name: format!("{}_endpoints", label("db", &d.name)),
            description: format!(
                "Addresses of database {}'s instances (primaries and read replicas)",
                d.name
            ),
            value: None,
            map: map(&address, false),
        },
        OutputCtx {
            name: format!("{}_password_secrets", label("db", &d.name)),
            description: format!(
                "Secrets Manager secrets holding the passwords of database {} (managed by RDS)",
                d.name
            ),
            value: None,
            map: map(&secret, true),
        },
    ]
}

/// What the root reads from a data center's module: its network (the
/// peering), its load balancer (the Route 53 records) and its primaries
/// (the other regions' modules).
fn module_outputs(m: &Model) -> Vec<OutputCtx> {
    let v = |name: &str, description: &str, value: String| {
        OutputCtx::value(name.into(), description.into(), value)
    };
    let mut outputs = Vec::new();
    if has_vpc(m) {
        outputs.push(v(
            "vpc_id",
            "This data center's VPC",
            "aws_vpc.main.id".into(),
        ));
        outputs.push(v(
            "route_table_ids",
            "Its public and private route tables (routes to the peered VPCs)",
            "[aws_route_table.public.id, aws_route_table.private.id]".into(),
        ));
        let sgs = peered_data_sgs(m);
        if !sgs.is_empty() {
            let width = sgs.iter().map(|s| s.0.len()).max().unwrap_or(0);
            outputs.push(OutputCtx {
                name: "security_group_ids".into(),
                description: "The security groups of its databases (the peered VPCs' rules)".into(),
                value: None,
                map: sgs
                    .iter()
                    .map(|(l, _, _)| (format!("{l:<width$}"), format!("aws_security_group.{l}.id")))
                    .collect(),
            });
        }
    }
    if let Some(lb) = m.lbs.first() {
        let l = label("lb", &lb.name);
        outputs.push(v(
            "balancer_dns_name",
            "Its load balancer's DNS name (the Route 53 records' alias target)",
            format!("aws_lb.{l}.dns_name"),
        ));
        outputs.push(v(
            "balancer_zone_id",
            "Its load balancer's hosted zone",
            format!("aws_lb.{l}.zone_id"),
        ));
    }
    if has_primaries(m) {
        outputs.push(v(
            "primaries",
            "The primaries every data center writes to (the other regions' var.primaries)",
            "local.primaries".into(),
        ));
    }
    outputs
}

pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(m.webs.iter().filter(|w| w.lb.is_none()).map(|w| &w.origin));
    o.extend(m.lbs.iter().map(|l| &l.origin));
    o.extend(m.cdns.iter().map(|c| &c.origin));
    o.extend(remote_dbs(m).map(|d| &d.origin));
    o.extend(remote_caches(m).map(|c| &c.origin));
    o.extend(m.nosqls.iter().map(|n| &n.origin));
    o.extend(m.queues.iter().map(|q| &q.origin));
    o.extend(m.datacenters.as_ref().map(|d| &d.origin));
    o
}
