//! NoSQL stores (data.tf): a DynamoDB table, or for MongoDB a DocumentDB
//! cluster (MongoDB-compatible) with its instances.

use super::multi::{datacenters, is_multi, PRIMARY_ONLY};
use super::names::{aws_name, label, tags};
use crate::emit::templates::tf_name;
use crate::model::{Model, NosqlEngine, DOCDB_CLASS};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct NosqlCtx {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) aws_name: String,
    pub(super) dynamodb: bool,
    count: u32,
    port: u16,
    sg: String,
    class: String,
    tags: Vec<(String, String)>,
    /// `count` of a table or cluster only the primary region creates
    /// (several data centers).
    primary_only: Option<&'static str>,
    /// A DynamoDB table's replicas: the other data centers' regions.
    replicas: Vec<String>,
}

/// Every NoSQL store, in the design's order.
pub(super) fn nosqls(m: &Model) -> Vec<NosqlCtx> {
    let multi = is_multi(m);
    let primary = m.primary_datacenter();
    let others: Vec<String> = datacenters(m)
        .unwrap_or_default()
        .iter()
        .filter(|r| *r != primary)
        .cloned()
        .collect();
    m.nosqls
        .iter()
        .map(|n| NosqlCtx {
            name: n.name.clone(),
            label: tf_name(&n.name),
            // DocumentDB instance identifiers append `-N` (at most 63 in all).
            aws_name: aws_name(&m.system, &n.name, 57),
            dynamodb: n.engine == NosqlEngine::Dynamodb,
            count: n.count,
            port: n.port,
            sg: label("nosql", &n.name),
            class: DOCDB_CLASS.into(),
            tags: tags(&n.labels),
            primary_only: multi.then_some(PRIMARY_ONLY),
            replicas: if n.engine == NosqlEngine::Dynamodb {
                others.clone()
            } else {
                Vec::new()
            },
        })
        .collect()
}
