//! What the generated files deploy across data centers, as the availability
//! estimate and the failure scenarios need it: whether every data center
//! holds the data ([`data_in_every_datacenter`]), and which data centers
//! Route 53 can send each group of users to ([`routes`]).
//!
//! Both describe the files as they are today; when the Terraform's region
//! layout changes, these two functions change with it, and the estimate and
//! the scenarios follow.

use crate::model::regions::continent;
use crate::model::Model;
use serde::Serialize;

/// Whether every data center holds the design's data, so that a user sent to
/// another data center finds theirs there.
///
/// Today: no, as soon as the stage has a database or a document store. Every
/// target deploys each data center as a whole copy of the stage: the
/// Terraform, applied once per region, creates that region's own primary
/// database (its replicas are in the same region) and its own DynamoDB table;
/// compose and Kubernetes are run once per data center alike. Nothing copies
/// data between regions. A stage without a data store has nothing to copy.
pub fn data_in_every_datacenter(m: &Model) -> bool {
    m.dbs.is_empty() && m.nosqls.is_empty()
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

/// The routes the Terraform's Route 53 records make (src/emit/terraform/dns.rs).
///
/// - `via geodns`: one geolocation record per continent, to the first data
///   center listed on it, and a default record to the primary. Records
///   evaluate the balancer's health, and when a continent's data center is
///   unhealthy Route 53 answers with the default record: users of another
///   continent fall back to the primary, but users of the primary's own
///   continent (and everyone else) have only the primary.
/// - Without: a PRIMARY and a SECONDARY failover record; every user goes to
///   the primary, to the secondary when it is unhealthy; further data
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
    if !dc.geodns {
        let secondary = dc.regions.iter().find(|r| **r != primary).cloned();
        return vec![Route {
            users: "all users".into(),
            datacenters: std::iter::once(primary).chain(secondary).collect(),
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
        let mut dcs = vec![region.clone()];
        if *region != primary {
            dcs.push(primary.clone());
        }
        out.push(Route {
            users: format!("users on continent {c}"),
            datacenters: dcs,
        });
    }
    out.push(Route {
        users: "other users (the default record)".into(),
        datacenters: vec![primary],
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
    fn geodns_gives_only_other_continents_a_second_data_center() {
        let m = last("web x2 behind lb\ndb postgres with 2 replicas\ndatacenters us-east-1, eu-west-1 via geodns\n");
        assert!(!data_in_every_datacenter(&m));
        let r = routes(&m);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].datacenters, ["us-east-1"]);
        assert_eq!(r[1].datacenters, ["eu-west-1", "us-east-1"]);
        assert_eq!(r[2].datacenters, ["us-east-1"]);
    }

    #[test]
    fn failover_records_name_the_primary_then_one_secondary() {
        let m = last("web x2 behind lb\ndatacenters eu-west-1, us-east-1, ap-northeast-1\n");
        assert!(
            data_in_every_datacenter(&m),
            "no data store: nothing to copy"
        );
        assert_eq!(routes(&m)[0].datacenters, ["us-east-1", "eu-west-1"]);
    }
}
