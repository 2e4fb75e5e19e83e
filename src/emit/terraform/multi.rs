//! Several data centers (`datacenters A, B…`): one root configuration that a
//! user applies once. `terraform/` is the root (a provider per region, a
//! module per data center, the peering between their VPCs, the Route 53 zone
//! and CloudFront); `terraform/region/` is the regional stack, rendered from
//! the same templates as a one-region stage, whose `primary` variable says
//! whether it holds the primaries of the databases.
//!
//! The regional files ask this module how a one-region stage's reference to
//! a primary (an RDS shard primary, a DocumentDB cluster) reads in a module:
//! through `local.primaries` (region/primaries.tf), which is the module's own
//! primary in the primary region and the primary region's elsewhere.

use super::data::{mongos, remote_dbs};
use super::names::label;
use super::nosql::nosqls;
use super::TfFile;
use crate::emit::templates::tf_name;
use crate::model::{Model, Origin};
use serde::Serialize;

/// The data centers of a stage that has two or more: the regional stack
/// goes into a module; `None` keeps the one-folder layout.
pub(super) fn datacenters(m: &Model) -> Option<&[String]> {
    m.datacenters
        .as_ref()
        .map(|d| d.regions.as_slice())
        .filter(|r| r.len() >= 2)
}

/// Whether the regional files are rendered as the module of a multi-region root.
pub(super) fn is_multi(m: &Model) -> bool {
    datacenters(m).is_some()
}

/// The VPC CIDR of the `i`th data center: distinct, so that the VPCs can be peered.
pub(super) fn vpc_cidr(i: usize) -> String {
    format!("10.{i}.0.0/16")
}

/// The Terraform label (and provider alias) of a region: `eu_west_1`.
pub(super) fn region_label(region: &str) -> String {
    tf_name(region)
}

/// The key of an RDS shard primary in `local.primaries`.
pub(super) fn rds_key(instance: &str) -> String {
    format!("rds_{}", tf_name(instance))
}

/// The key of a DocumentDB cluster in `local.primaries`.
pub(super) fn docdb_key(store: &str) -> String {
    format!("docdb_{}", tf_name(store))
}

/// `count` of a resource only the primary region holds.
pub(super) const PRIMARY_ONLY: &str = "var.primary ? 1 : 0";

/// region/primaries.tf: `local.primaries`, and the key of the replicas'
/// region.
#[derive(Serialize)]
pub(super) struct PrimariesTf {
    primary: String,
    primaries: Vec<PrimaryCtx>,
    /// Some database has read replicas: the cross-region ones need the RDS
    /// key of their own region.
    kms: bool,
    /// DynamoDB global tables.
    tables: Vec<TableCtx>,
}

#[derive(Serialize)]
struct TableCtx {
    label: String,
    name: String,
}

#[derive(Serialize)]
struct PrimaryCtx {
    key: String,
    what: String,
    address: String,
    arn: String,
    secret_arn: String,
}

impl TfFile for PrimariesTf {
    fn build(m: &Model) -> Self {
        let mut primaries = Vec::new();
        let mut kms = false;
        let mut tables = Vec::new();
        if is_multi(m) {
            tables = nosqls(m)
                .into_iter()
                .filter(|n| n.dynamodb)
                .map(|n| TableCtx {
                    label: n.label,
                    name: n.aws_name,
                })
                .collect();
            for d in remote_dbs(m) {
                for s in &d.shards {
                    kms |= !s.replicas.is_empty();
                    let r = format!("aws_db_instance.{}[*]", tf_name(&s.primary));
                    primaries.push(PrimaryCtx {
                        key: rds_key(&s.primary),
                        what: format!("Database {}", s.primary),
                        address: format!("one({r}.address)"),
                        arn: format!("one({r}.arn)"),
                        secret_arn: format!("one({r}.master_user_secret[0].secret_arn)"),
                    });
                }
            }
            for n in mongos(m) {
                let r = format!("aws_docdb_cluster.{}[*]", tf_name(&n.name));
                primaries.push(PrimaryCtx {
                    key: docdb_key(&n.name),
                    what: format!("Document store {} (DocumentDB)", n.name),
                    address: format!("one({r}.endpoint)"),
                    arn: format!("one({r}.arn)"),
                    secret_arn: format!("one({r}.master_user_secret[0].secret_arn)"),
                });
            }
        }
        PrimariesTf {
            primary: m.primary_datacenter().to_string(),
            primaries,
            kms,
            tables,
        }
    }
}

/// The data components whose primaries the file names.
pub(super) fn primaries_origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = remote_dbs(m).map(|d| &d.origin).collect();
    o.extend(m.nosqls.iter().map(|n| &n.origin));
    o
}

/// Whether the module has primaries to share (`var.primaries`).
pub(super) fn has_primaries(m: &Model) -> bool {
    remote_dbs(m).next().is_some() || mongos(m).next().is_some()
}

/// The security groups of the primary region that admit the other data
/// centers' VPCs (through the peering): `(sg label, port, what)`.
pub(super) fn peered_data_sgs(m: &Model) -> Vec<(String, u16, String)> {
    let mut sgs: Vec<(String, u16, String)> = remote_dbs(m)
        .map(|d| (label("db", &d.name), d.port, format!("database {}", d.name)))
        .collect();
    sgs.extend(mongos(m).map(|n| {
        (
            label("nosql", &n.name),
            n.port,
            format!("document store {}", n.name),
        )
    }));
    sgs
}
