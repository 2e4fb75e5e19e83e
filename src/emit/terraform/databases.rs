//! Databases on RDS (data.tf): one instance a shard primary, each read
//! replica an instance replicating from its primary. Their labels and
//! identifiers are also what the security groups, IAM, alarms and outputs
//! name.

use super::data::remote_dbs;
use super::multi::{is_multi, rds_key, PRIMARY_ONLY};
use super::names::{aws_name, label, tags};
use crate::emit::templates::tf_name;
use crate::model::runtime::RDS_MIN_STORAGE_GB;
use crate::model::{Db, Model};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct DbCtx {
    pub(super) name: String,
    engine: String,
    engine_version: String,
    port: u16,
    class: String,
    /// Whether the instance class has Performance Insights.
    performance_insights: bool,
    storage_gb: u32,
    /// Why `storage_gb` is more than the design wrote (W0310), if it is.
    storage_note: Option<String>,
    user: String,
    db_name: String,
    sg: String,
    sharded_by: Option<String>,
    shards: usize,
    pub(super) instances: Vec<DbInstanceCtx>,
    /// The design's `label`s, on every instance.
    tags: Vec<(String, String)>,
}

#[derive(Serialize)]
pub(super) struct DbInstanceCtx {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) identifier: String,
    /// Label of the primary for a replica.
    pub(super) source: Option<String>,
    source_name: String,
    /// HCL of the primary a replica replicates.
    source_expr: String,
    /// Several data centers: a replica is a cross-region one outside the
    /// primary region.
    cross_region: bool,
    /// `count` of a primary only the primary region holds (several data centers).
    count: Option<&'static str>,
    shard: u32,
    /// Index into the availability zones, to spread replicas.
    az: usize,
}

/// The RDS engine and major version of a database engine.
/// The name of the database created in every instance (and in a colocated
/// container): the runtime plan's, the same on every target.
pub(super) fn db_name() -> String {
    crate::model::runtime::DATABASE_NAME.to_string()
}

/// Every database RDS runs, in the design's order.
pub(super) fn dbs(m: &Model) -> Vec<DbCtx> {
    let multi = is_multi(m);
    remote_dbs(m).map(|d| db(&m.system, d, multi)).collect()
}

fn db(sys: &str, d: &Db, multi: bool) -> DbCtx {
    let plan = d.engine.runtime();
    let (engine, version) = (plan.engine, plan.managed_version);
    DbCtx {
        name: d.name.clone(),
        engine: engine.into(),
        engine_version: version.into(),
        port: d.port,
        class: d.resources.rds_class.clone(),
        performance_insights: performance_insights(engine, &d.resources.rds_class),
        storage_gb: d.rds_storage_gb(),
        storage_note: (d.storage_gb < RDS_MIN_STORAGE_GB).then(|| {
            format!(
                "the design asks for {} GB (`storage`); RDS allocates at least {RDS_MIN_STORAGE_GB} GB",
                d.storage_gb
            )
        }),
        user: d.user.clone(),
        db_name: db_name(),
        sg: label("db", &d.name),
        sharded_by: d.shard_key.clone(),
        shards: d.shards.len(),
        instances: instances(sys, d, multi),
        tags: tags(&d.labels),
    }
}

/// Whether RDS offers Performance Insights for the engine on the class: not
/// for MySQL and MariaDB on the micro and small burstable classes.
fn performance_insights(engine: &str, class: &str) -> bool {
    let small = [".t2.", ".t3.", ".t4g."].iter().any(|f| class.contains(f))
        && (class.ends_with(".micro") || class.ends_with(".small"));
    !(small && matches!(engine, "mysql" | "mariadb"))
}

/// Each shard's primary, then its read replicas. With several data centers
/// (`multi`) the primary is the primary region's only, and the replicas are
/// in every region: beside it in the primary region, of it in the others.
fn instances(sys: &str, d: &Db, multi: bool) -> Vec<DbInstanceCtx> {
    let mut instances = Vec::new();
    for s in &d.shards {
        let pl = tf_name(&s.primary);
        // Several data centers: by ARN in every region (the provider refuses
        // an identifier beside `db_subnet_group_name`, which a cross-region
        // replica needs); the primary region's own ARN there.
        let source_expr = if multi {
            format!("local.primaries.{}.arn", rds_key(&s.primary))
        } else {
            format!("aws_db_instance.{pl}.identifier")
        };
        instances.push(DbInstanceCtx {
            name: s.primary.clone(),
            label: pl.clone(),
            identifier: aws_name(sys, &s.primary, 63),
            source: None,
            source_name: String::new(),
            source_expr: String::new(),
            cross_region: false,
            count: multi.then_some(PRIMARY_ONLY),
            shard: s.index,
            az: 0,
        });
        for (i, r) in s.replicas.iter().enumerate() {
            instances.push(DbInstanceCtx {
                name: r.clone(),
                label: tf_name(r),
                identifier: aws_name(sys, r, 63),
                source: Some(pl.clone()),
                source_name: s.primary.clone(),
                source_expr: source_expr.clone(),
                cross_region: multi,
                count: None,
                shard: s.index,
                // The primary's zone is AWS's choice; spread replicas over both.
                az: (i + 1) % 2,
            });
        }
    }
    instances
}

#[cfg(test)]
mod tests {
    use super::performance_insights;

    #[test]
    fn performance_insights_is_off_only_where_rds_lacks_it() {
        assert!(performance_insights("postgres", "db.t3.small"));
        assert!(performance_insights("mysql", "db.t3.medium"));
        assert!(performance_insights("mysql", "db.m6i.large"));
        assert!(!performance_insights("mysql", "db.t3.small"));
        assert!(!performance_insights("mysql", "db.t4g.micro"));
    }
}
