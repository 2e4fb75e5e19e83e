//! Data centers on Route 53 (edge.tf, and the provider aliases of
//! versions.tf). With `via geodns`: one geolocation record per continent,
//! pointing at the load balancer of the region that serves it, and a default
//! record. Without it: failover routing, every user to the primary data
//! center while it is healthy, to the secondary when it is not (Route 53
//! failover has exactly one of each; further data centers are standby).

use super::names::{aws_name, label};
use crate::emit::templates::tf_name;
use crate::model::Model;
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct DnsCtx {
    home: String,
    /// Extra regions needing a provider alias to look up their ALB.
    aliases: Vec<RegionCtx>,
    records: Vec<RecordCtx>,
    /// Geolocation records (`via geodns`); failover records otherwise.
    geodns: bool,
    notes: Vec<String>,
    /// The lb whose ALB each region's deployment creates; `None`: no records.
    lb: Option<String>,
}

#[derive(Serialize)]
struct RegionCtx {
    region: String,
    label: String,
}

#[derive(Serialize)]
struct RecordCtx {
    label: String,
    region: String,
    continent: Option<String>,
    /// `PRIMARY` or `SECONDARY` for failover routing.
    failover: Option<&'static str>,
    /// HCL expressions of the alias target.
    dns_name: String,
    zone_id: String,
}

/// The routing of a stage with data centers; `None` without.
pub(super) fn dns(m: &Model) -> Option<DnsCtx> {
    let dc = m.datacenters.as_ref()?;
    let lb = m.lbs.first();
    let mut dns = DnsCtx {
        home: m.region.clone(),
        aliases: Vec::new(),
        records: Vec::new(),
        geodns: dc.geodns,
        notes: Vec::new(),
        lb: lb.map(|l| aws_name(&m.system, &l.name, 32)),
    };
    if let Some(lb) = lb {
        let lb = label("lb", &lb.name);
        let primary = m.primary_datacenter();
        if dc.geodns {
            dns.route(&lb, &dc.regions, primary);
        } else {
            dns.failover(&lb, &dc.regions, primary);
        }
    }
    Some(dns)
}

impl DnsCtx {
    /// Without geo DNS: a PRIMARY record to the primary data center and a
    /// SECONDARY to the next one listed, which Route 53 answers with only
    /// when the primary's load balancer is unhealthy.
    fn failover(&mut self, lb: &str, regions: &[String], primary: &str) {
        let primary = primary.to_string();
        let mut others = regions.iter().filter(|r| **r != primary);
        let secondary = others.next().cloned();
        for r in others {
            self.notes.push(format!(
                "{r}: standby; Route 53 failover has one primary and one secondary record, so no user reaches it until the records change"
            ));
        }
        let roles = [(primary, "PRIMARY")]
            .into_iter()
            .chain(secondary.map(|s| (s, "SECONDARY")));
        for (region, role) in roles {
            let (dns_name, zone_id) = self.target(lb, &region);
            self.records.push(RecordCtx {
                label: role.to_ascii_lowercase(),
                region,
                continent: None,
                failover: Some(role),
                dns_name,
                zone_id,
            });
        }
    }

    /// A record per continent, to the first region listed on it, then the
    /// default record for users elsewhere: the home region if it is a data
    /// center, else the first one.
    fn route(&mut self, lb: &str, regions: &[String], primary: &str) {
        let mut seen: Vec<&str> = Vec::new();
        for region in regions {
            let cont = continent(region);
            match cont {
                Some(c) if seen.contains(&c) => {
                    self.notes.push(format!(
                        "{region}: continent {c} already routes to an earlier data center"
                    ));
                    continue;
                }
                Some(c) => seen.push(c),
                None => {
                    self.notes.push(format!(
                        "{region}: no continent known for this region; its users get the default record"
                    ));
                    continue;
                }
            }
            let (dns_name, zone_id) = self.target(lb, region);
            self.records.push(RecordCtx {
                label: tf_name(region),
                region: region.clone(),
                continent: cont.map(str::to_string),
                failover: None,
                dns_name,
                zone_id,
            });
        }
        let (dns_name, zone_id) = self.target(lb, primary);
        self.records.push(RecordCtx {
            label: "default".into(),
            region: primary.to_string(),
            continent: None,
            failover: None,
            dns_name,
            zone_id,
        });
    }

    /// The load balancer a record for `region` aliases: this deployment's
    /// own in the home region, else read from that region through a provider
    /// alias (added the first time the region is named).
    fn target(&mut self, lb: &str, region: &str) -> (String, String) {
        if region == self.home {
            return (
                format!("aws_lb.{lb}.dns_name"),
                format!("aws_lb.{lb}.zone_id"),
            );
        }
        let r = tf_name(region);
        if !self.aliases.iter().any(|a| a.region == region) {
            self.aliases.push(RegionCtx {
                region: region.to_string(),
                label: r.clone(),
            });
        }
        (
            format!("data.aws_lb.{r}[0].dns_name"),
            format!("data.aws_lb.{r}[0].zone_id"),
        )
    }
}

/// Route 53 continent code for an AWS region (`eu-west-1` -> `EU`); `None` when
/// the prefix is unknown (the default record still covers its users).
fn continent(region: &str) -> Option<&'static str> {
    if region.starts_with("ap-southeast-2") || region.starts_with("ap-southeast-4") {
        return Some("OC"); // Sydney, Melbourne
    }
    match region.split('-').next()? {
        "us" | "ca" | "mx" => Some("NA"),
        "sa" => Some("SA"),
        "eu" => Some("EU"),
        "ap" => Some("AS"),
        "me" | "il" => Some("ME"),
        "af" => Some("AF"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continents() {
        assert_eq!(continent("us-east-1"), Some("NA"));
        assert_eq!(continent("eu-west-1"), Some("EU"));
        assert_eq!(continent("ap-southeast-2"), Some("OC"));
        assert_eq!(continent("ap-northeast-1"), Some("AS"));
        assert_eq!(continent("xx-1"), None);
    }
}
