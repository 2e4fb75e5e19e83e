//! data.tf: the data tier AWS runs as managed services: RDS databases
//! ([`super::databases`]), ElastiCache caches ([`super::caches`]), DynamoDB
//! tables and DocumentDB clusters ([`super::nosql`]), and the private subnet
//! groups they live in. Colocated databases and caches run on the web host
//! instead (see [`super::user_data`]).

use super::caches::{caches, CacheCtx};
use super::databases::{dbs, DbCtx};
use super::nosql::{nosqls, NosqlCtx};
use super::TfFile;
use crate::model::{Cache, Db, Model, Nosql, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct DataTf {
    system: String,
    /// The primary region, for comments (several data centers).
    primary: String,
    db_subnet_group: bool,
    dbs: Vec<DbCtx>,
    cache_subnet_group: bool,
    caches: Vec<CacheCtx>,
    nosqls: Vec<NosqlCtx>,
}

impl TfFile for DataTf {
    fn build(m: &Model) -> Self {
        DataTf {
            system: m.system.clone(),
            primary: m.primary_datacenter().to_string(),
            db_subnet_group: snapshots(m),
            dbs: dbs(m),
            cache_subnet_group: remote_caches(m).next().is_some(),
            caches: caches(m),
            nosqls: nosqls(m),
        }
    }
}

/// The databases RDS runs: every one not colocated on the web host.
pub(super) fn remote_dbs(m: &Model) -> impl Iterator<Item = &Db> {
    m.rds_dbs()
}

/// The caches ElastiCache runs: every one not colocated on the web host.
pub(super) fn remote_caches(m: &Model) -> impl Iterator<Item = &Cache> {
    m.elasticache_caches()
}

/// The document stores DocumentDB runs (a DynamoDB table has no instances,
/// security group or password).
pub(super) fn mongos(m: &Model) -> impl Iterator<Item = &Nosql> {
    m.docdb_stores()
}

/// Whether any RDS or DocumentDB instance exists: they live in the DB subnet
/// group and take a final snapshot (the `skip_final_snapshot` variable).
pub(super) fn snapshots(m: &Model) -> bool {
    remote_dbs(m).next().is_some() || mongos(m).next().is_some()
}

pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(remote_dbs(m).map(|d| &d.origin));
    o.extend(remote_caches(m).map(|c| &c.origin));
    o.extend(m.nosqls.iter().map(|n| &n.origin));
    o
}
