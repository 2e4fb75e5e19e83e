//! What the generated files deploy across data centers, as the availability
//! estimate and the failure scenarios need it: whether every data center
//! holds the design's data ([`data_in_every_datacenter`]), and which data
//! centers Route 53 can send each group of users to ([`routes`]).
//!
//! Both follow the multi-region Terraform (one root configuration, a module
//! per region; src/emit/terraform/dns.rs writes the records): when its
//! region layout changes, these two functions change with it, and the
//! estimate, the failure scenarios and W0307 follow.

use crate::model::regions::continent;
use crate::model::{Model, NosqlEngine};
use serde::Serialize;

/// Whether every data center holds the design's data, so that a user sent to
/// another data center finds theirs there.
///
/// The primary region holds each database's (or shard's) primary and its
/// read replicas; every other region holds as many cross-region read
/// replicas of it (RDS `replicate_source_db`). A database without replicas
/// has only its primary, in the primary region: the other regions read and
/// write it across the VPC peering, so a user sent there while the primary
/// region is down finds no data (W0307). A DynamoDB store is a global table
/// (a replica in every region); a MongoDB store (DocumentDB) is one cluster
/// in the primary region, not copied. Caches and queues are one per region,
/// not copied: a cache is refilled from the database, and queued jobs wait in
/// their region's queue until it is back. A stage without a data store has
/// nothing to copy. W0307 (src/check/spof.rs) warns about each store this
/// finds in the primary region only.
pub fn data_in_every_datacenter(m: &Model) -> bool {
    databases_in_every_datacenter(m) && m.nosqls.iter().all(|n| n.engine == NosqlEngine::Dynamodb)
}

/// Whether every data center holds every database (each has replicas): what
/// the availability estimate needs, since databases are on the request path
/// and document stores are not (a MongoDB store only in the primary region
/// loses its function with it, the pages are still served).
pub fn databases_in_every_datacenter(m: &Model) -> bool {
    m.dbs.iter().all(|d| d.replicas >= 1)
}

/// The data centers users can reach: each group of users with the data
/// centers Route 53 answers for them, in order (the first while it is
/// healthy, the next when it is not).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    /// `users on continent EU`, `all users`.
    pub users: String,
    pub datacenters: Vec<String>,
}

/// The primary data center: the `region` when it is listed, else the first
/// (as src/emit/terraform/dns.rs decides).
pub fn primary(m: &Model) -> String {
    match &m.datacenters {
        Some(dc) if dc.regions.contains(&m.region) => m.region.clone(),
        Some(dc) => dc.regions[0].clone(),
        None => m.region.clone(),
    }
}

/// The data center a failover pair falls back to from `region`: the
/// primary, or, from the primary itself, the first other data center listed
/// (the SECONDARY of failover routing without geo DNS too).
pub fn fallback(regions: &[String], primary: &str, region: &str) -> Option<String> {
    if region != primary {
        return Some(primary.to_string());
    }
    regions.iter().find(|r| *r != primary).cloned()
}

/// The routes the Terraform's Route 53 records make (src/emit/terraform/dns.rs).
/// Every record is an alias that evaluates the target balancer's health.
///
/// - `via geodns`: one geolocation record per continent a data center is on
///   (the first data center listed on it serves it), and a default record for
///   every other user, each aliasing a failover pair: PRIMARY that
///   continent's data center (the default: the primary region), SECONDARY
///   [`fallback`]. Every group of users has two data centers.
/// - Without: a PRIMARY and a SECONDARY failover record: every user goes to
///   the primary, to the next data center when it is unhealthy; further data
///   centers are standby that no record names.
/// - No load balancer: no records, every user on the primary.
pub fn routes(m: &Model) -> Vec<Route> {
    let primary = primary(m);
    let Some(dc) = m.datacenters.as_ref().filter(|d| d.regions.len() > 1) else {
        return vec![Route {
            users: "all users".into(),
            datacenters: vec![primary],
        }];
    };
    if m.lbs.is_empty() {
        return vec![Route {
            users: "all users (no balancer, so no DNS records)".into(),
            datacenters: vec![primary],
        }];
    }
    let pair = |region: &String| -> Vec<String> {
        std::iter::once(region.clone())
            .chain(fallback(&dc.regions, &primary, region))
            .collect()
    };
    if !dc.geodns {
        return vec![Route {
            users: "all users".into(),
            datacenters: pair(&primary),
        }];
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for region in &dc.regions {
        let Some(c) = continent(region) else { continue };
        if seen.contains(&c) {
            continue;
        }
        seen.push(c);
        out.push(Route {
            users: format!("users on continent {c}"),
            datacenters: pair(region),
        });
    }
    out.push(Route {
        users: "other users (the default record)".into(),
        datacenters: pair(&primary),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(src: &str) -> Model {
        crate::compile("t.arch", src).design.last().clone()
    }

    #[test]
    fn geodns_gives_every_continent_a_failover_pair() {
        let m = last("web x2 behind lb\ndb postgres with 2 replicas\ndatacenters us-east-1, eu-west-1 via geodns\n");
        assert!(data_in_every_datacenter(&m));
        let r = routes(&m);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].users, "users on continent NA");
        assert_eq!(r[0].datacenters, ["us-east-1", "eu-west-1"]);
        assert_eq!(r[1].users, "users on continent EU");
        assert_eq!(r[1].datacenters, ["eu-west-1", "us-east-1"]);
        assert_eq!(r[2].datacenters, ["us-east-1", "eu-west-1"]);
    }

    #[test]
    fn the_primarys_fallback_is_the_first_other_data_center_listed() {
        let m = last("region eu-west-1\nweb x2 behind lb\ndatacenters us-east-1, eu-west-1, ap-northeast-1 via geodns\n");
        let r = routes(&m);
        assert_eq!(r[0].datacenters, ["us-east-1", "eu-west-1"]);
        assert_eq!(r[1].datacenters, ["eu-west-1", "us-east-1"]);
        assert_eq!(r[2].datacenters, ["ap-northeast-1", "eu-west-1"]);
        assert_eq!(r[3].datacenters, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn failover_records_name_the_primary_then_the_first_other() {
        let m = last("web x2 behind lb\ndatacenters eu-west-1, us-east-1, ap-northeast-1\n");
        assert!(
            data_in_every_datacenter(&m),
            "no data store: nothing to copy"
        );
        assert_eq!(routes(&m)[0].datacenters, ["us-east-1", "eu-west-1"]);
    }

    #[test]
    fn data_is_everywhere_only_when_every_store_is_copied() {
        let dcs = "web x2 behind lb\ndatacenters us-east-1, eu-west-1\n";
        assert!(!data_in_every_datacenter(&last(&format!(
            "{dcs}db postgres\n"
        ))));
        assert!(data_in_every_datacenter(&last(&format!(
            "{dcs}db postgres with 1 replica\nnosql dynamodb\n"
        ))));
        assert!(!data_in_every_datacenter(&last(&format!(
            "{dcs}db postgres with 1 replica\nnosql mongodb\n"
        ))));
    }
}
