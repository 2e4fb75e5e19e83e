//! The data tier's lines: RDS instances and storage, ElastiCache nodes,
//! DocumentDB instances, DynamoDB tables, and Secrets Manager, where RDS
//! and DocumentDB keep their passwords (data.tf).

use super::lines::{money, plural, Item, Stage};
use super::PriceError;
use crate::model::{CacheEngine, NosqlEngine, DOCDB_CLASS};

/// Each database RDS runs: its shard primaries, their replicas (same
/// class), and the storage every instance is allocated (a replica gets its
/// primary's).
pub(super) fn rds(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    for d in m.rds_dbs() {
        let name = &d.name;
        let engine = d.engine.runtime().engine;
        let class = d.resources.rds_class.as_str();
        let key = ["rds", engine, class];
        // Several data centers: the primaries are the primary region's only.
        let primaries = if s.primaries {
            d.shards.len() as u32
        } else {
            0
        };
        let replicas = d
            .shards
            .iter()
            .map(|sh| sh.replicas.len() as u32)
            .sum::<u32>();
        let what = format!("aws_db_instance {class} ({engine})");
        let it = |item: String| Item {
            item,
            resource: "aws_db_instance",
            key: &key,
            global: false,
            what: what.clone(),
        };
        // Each primary is Multi-AZ (data.tf's var.rds_multi_az): a standby
        // instance in another zone, billed like the primary.
        let primary_item = if primaries > 1 {
            format!("RDS {name} shard primaries (Multi-AZ)")
        } else {
            format!("RDS {name} (Multi-AZ)")
        };
        if primaries > 0 {
            s.hourly(it(primary_item), 2 * primaries, class, "instance-hours")?;
        }
        if replicas > 0 {
            s.hourly(
                it(format!("RDS {name} replicas")),
                replicas,
                class,
                "instance-hours",
            )?;
        }
        let gp3 = ["rds_storage", "gp3_gb_month"];
        let it = Item {
            item: format!("RDS storage {name}"),
            resource: "aws_db_instance",
            key: &gp3,
            global: false,
            what: "RDS gp3 storage".into(),
        };
        let price = s.price(&it)?;
        let instances = 2 * primaries + replicas;
        if instances == 0 {
            continue;
        }
        let gb = d.rds_storage_gb();
        let formula = format!("{instances} x {gb} GB x {}/GB-month", money(price));
        s.fixed(it, f64::from(instances * gb), "GB-month", formula)?;
    }
    Ok(())
}

/// Each cache ElastiCache runs: its nodes (a Redis group holds at most six).
pub(super) fn elasticache(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    for c in m.elasticache_caches() {
        let node = c.resources.cache_node.as_str();
        let key = ["elasticache", node];
        let it = Item {
            item: format!("ElastiCache {}", c.name),
            resource: match c.engine {
                CacheEngine::Redis => "aws_elasticache_replication_group",
                CacheEngine::Memcached => "aws_elasticache_cluster",
            },
            key: &key,
            global: false,
            what: format!("ElastiCache node type {node}"),
        };
        s.hourly(it, c.elasticache_nodes(), node, "node-hours")?;
    }
    Ok(())
}

/// DocumentDB instances (their storage and I/O are usage), DynamoDB tables
/// (on demand: requests and storage are usage). Neither usage follows from
/// the stage's traffic, so both are not estimated.
pub(super) fn nosql(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    for n in &m.nosqls {
        let name = &n.name;
        match n.engine {
            // Several data centers: only the primary region runs DocumentDB.
            NosqlEngine::Mongodb if !s.primaries => {}
            NosqlEngine::Mongodb => {
                let key = ["docdb", "instances", DOCDB_CLASS];
                let it = Item {
                    item: format!("DocumentDB {name}"),
                    resource: "aws_docdb_cluster_instance",
                    key: &key,
                    global: false,
                    what: format!("DocumentDB instance class {DOCDB_CLASS}"),
                };
                s.hourly(it, n.count, DOCDB_CLASS, "instance-hours")?;
                let key = ["docdb", "storage_gb_month"];
                let it = Item {
                    item: format!("DocumentDB storage and I/O {name}"),
                    resource: "aws_docdb_cluster",
                    key: &key,
                    global: false,
                    what: "DocumentDB storage".into(),
                };
                s.usage_line(
                    it,
                    "GB-month",
                    None,
                    "the documents' size and I/O, which traffic does not give",
                )?;
            }
            NosqlEngine::Dynamodb => {
                let key = ["dynamodb", "million_writes"];
                let it = Item {
                    item: format!("DynamoDB {name}"),
                    resource: "aws_dynamodb_table",
                    key: &key,
                    global: false,
                    what: "DynamoDB on-demand writes".into(),
                };
                s.usage_line(
                    it,
                    "million writes",
                    None,
                    "the table's reads, writes and size, which traffic does not give",
                )?;
            }
        }
    }
    Ok(())
}

/// One secret per RDS primary and per DocumentDB cluster
/// (`manage_master_user_password`).
pub(super) fn secrets(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    if !s.primaries {
        // The passwords live beside the primaries, in the primary region.
        return Ok(());
    }
    let rds: u32 = m.rds_dbs().map(|d| d.shards.len() as u32).sum();
    let docdb = m.docdb_stores().count() as u32;
    let count = rds + docdb;
    if count == 0 {
        return Ok(());
    }
    let key = ["secrets_manager", "secret_month"];
    let it = Item {
        item: "Secrets Manager passwords".into(),
        // RDS creates them (manage_master_user_password); DocumentDB alike.
        resource: if rds > 0 {
            "aws_db_instance"
        } else {
            "aws_docdb_cluster"
        },
        key: &key,
        global: false,
        what: "a Secrets Manager secret".into(),
    };
    let price = s.price(&it)?;
    let formula = format!("{} x {}/month", plural(count, "secret"), money(price));
    s.fixed(it, f64::from(count), "secret-months", formula)
}
