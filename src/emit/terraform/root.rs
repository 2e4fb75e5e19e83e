//! The root of a multi-region stage (see [`super::multi`]): versions.tf (a
//! provider per data center), variables.tf, main.tf (a module per data
//! center and the VPC peerings), edge.tf (CloudFront and the Route 53 zone
//! whose records fail over between the regions' load balancers), outputs.tf.

use super::lb::https_lb;
use super::multi::{datacenters, has_primaries, peered_data_sgs, region_label, vpc_cidr};
use super::network::has_vpc;
use super::outputs::OutputCtx;
use super::variables::{user_variables, Variable};
use super::TfFile;
use crate::model::regions::continent;
use crate::model::{Model, Origin};
use serde::Serialize;

/// A data center: its region and Terraform label (module name, provider alias).
#[derive(Serialize)]
pub(super) struct RegionCtx {
    region: String,
    label: String,
}

fn regions(m: &Model) -> Vec<RegionCtx> {
    datacenters(m)
        .unwrap_or_default()
        .iter()
        .map(|r| RegionCtx {
            region: r.clone(),
            label: region_label(r),
        })
        .collect()
}

#[derive(Serialize)]
pub(super) struct RootVersionsTf {
    system: String,
    stage: String,
    primary: String,
    regions: Vec<RegionCtx>,
}

impl TfFile for RootVersionsTf {
    fn build(m: &Model) -> Self {
        RootVersionsTf {
            system: m.system.clone(),
            stage: m.stage.clone(),
            primary: m.primary_datacenter().to_string(),
            regions: regions(m),
        }
    }
}

/// The root's variables: the user's, which main.tf passes to every module.
pub(super) fn root_variables(m: &Model) -> Vec<Variable> {
    user_variables(m)
}

#[derive(Serialize)]
pub(super) struct MainTf {
    system: String,
    primary: String,
    primary_label: String,
    primary_cidr: String,
    modules: Vec<ModuleCtx>,
    /// Variables every module gets from the root's own: (name padded to
    /// one column, name).
    pass: Vec<(String, &'static str)>,
    /// The load balancer's certificate is validated in the root's zone.
    zone: bool,
    /// The modules share their primaries (`var.primaries`).
    primaries: bool,
    /// The other data centers, each peered with the primary region.
    peers: Vec<PeerCtx>,
    data_sgs: Vec<SgCtx>,
}

#[derive(Serialize)]
struct ModuleCtx {
    label: String,
    region: String,
    primary: bool,
    cidr: String,
}

#[derive(Serialize)]
struct PeerCtx {
    label: String,
    region: String,
    cidr: String,
}

#[derive(Serialize)]
struct SgCtx {
    label: String,
    port: u16,
    what: String,
}

impl TfFile for MainTf {
    fn build(m: &Model) -> Self {
        let primary = m.primary_datacenter().to_string();
        let dcs = datacenters(m).unwrap_or_default();
        let modules: Vec<ModuleCtx> = dcs
            .iter()
            .enumerate()
            .map(|(i, r)| ModuleCtx {
                label: region_label(r),
                region: r.clone(),
                primary: *r == primary,
                cidr: vpc_cidr(i),
            })
            .collect();
        let primary_cidr = modules
            .iter()
            .find(|md| md.primary)
            .map(|md| md.cidr.clone())
            .unwrap_or_default();
        let peers = if has_vpc(m) {
            modules
                .iter()
                .filter(|md| !md.primary)
                .map(|md| PeerCtx {
                    label: md.label.clone(),
                    region: md.region.clone(),
                    cidr: md.cidr.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        MainTf {
            system: m.system.clone(),
            primary_label: region_label(&primary),
            primary,
            primary_cidr,
            modules,
            pass: padded(user_variables(m).into_iter().map(|v| v.name).collect()),
            zone: https_lb(m).is_some(),
            primaries: has_primaries(m),
            peers,
            data_sgs: peered_data_sgs(m)
                .into_iter()
                .map(|(label, port, what)| SgCtx { label, port, what })
                .collect(),
        }
    }
}

/// Names padded to one column, as `terraform fmt` aligns their `=`.
fn padded(names: Vec<&'static str>) -> Vec<(String, &'static str)> {
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    names
        .into_iter()
        .map(|n| (format!("{n:<width$}"), n))
        .collect()
}

/// Every data center's module; the data the peering opens to them.
pub(super) fn main_origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = m.datacenters.iter().map(|d| &d.origin).collect();
    o.extend(super::multi::primaries_origins(m));
    o
}

/// The Route 53 part of the root's edge.tf.
#[derive(Serialize)]
pub(super) struct RoutingCtx {
    geodns: bool,
    /// The stage has a load balancer for the records to alias.
    lb: bool,
    records: Vec<RecordCtx>,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct RecordCtx {
    label: String,
    /// HCL expression of the record's name.
    name: String,
    set_identifier: String,
    /// `PRIMARY` or `SECONDARY`; `None`: a geolocation record.
    failover: Option<&'static str>,
    note: String,
    continent: Option<String>,
    dns_name: String,
    zone_id: String,
    target_note: String,
}

/// The zone's records: a failover pair at the domain (no geo DNS), or a
/// geolocation record per continent, each aliasing a failover pair.
pub(super) fn routing(m: &Model) -> RoutingCtx {
    let dcs = datacenters(m).unwrap_or_default();
    let geodns = m.datacenters.as_ref().is_some_and(|d| d.geodns);
    let mut r = RoutingCtx {
        geodns,
        lb: !m.lbs.is_empty(),
        records: Vec::new(),
        notes: Vec::new(),
    };
    if m.lbs.is_empty() {
        return r;
    }
    let primary = m.primary_datacenter();
    if !geodns {
        r.pair(dcs, primary, None);
        for s in dcs.iter().filter(|d| *d != primary).skip(1) {
            r.notes.push(format!(
                "{s}: standby; Route 53 failover has one primary and one secondary record, so no user reaches it until the records change"
            ));
        }
        return r;
    }
    // The first data center listed on each continent serves it.
    let mut served: Vec<(&str, &str)> = Vec::new();
    for region in dcs {
        match continent(region) {
            Some(c) if served.iter().any(|(sc, _)| *sc == c) => r.notes.push(format!(
                "{region}: continent {c} already routes to an earlier data center; {region} is reached when that one's pair fails over to it only if it is its secondary"
            )),
            Some(c) => served.push((c, region)),
            // Not reached: the resolver refuses a region outside the table (E0214).
            None => r.notes.push(format!(
                "{region}: no continent known for this region; its users get the default record"
            )),
        }
    }
    let mut pairs: Vec<&str> = served.iter().map(|(_, reg)| *reg).collect();
    if !pairs.contains(&primary) {
        pairs.push(primary);
    }
    for p in &pairs {
        r.pair(dcs, primary, Some(p));
    }
    for (c, region) in &served {
        r.geo(Some(c), region);
    }
    r.geo(None, primary);
    r
}

impl RoutingCtx {
    /// A failover pair: `first` (the primary region without geo DNS) while
    /// its load balancer is healthy, else the primary region, or the next
    /// data center when `first` is the primary.
    fn pair(&mut self, dcs: &[String], primary: &str, first: Option<&str>) {
        let head = first.unwrap_or(primary);
        let second = if head == primary {
            dcs.iter().find(|d| *d != primary).map(String::as_str)
        } else {
            Some(primary)
        };
        let roles = [(head, "PRIMARY")]
            .into_iter()
            .chain(second.map(|s| (s, "SECONDARY")));
        for (region, role) in roles {
            let l = region_label(region);
            let role_l = role.to_ascii_lowercase();
            let (label, name, set_identifier) = match first {
                None => (role_l.clone(), "var.domain".to_string(), role_l.clone()),
                Some(_) => (
                    format!("{}_{role_l}", region_label(head)),
                    format!("\"{head}.failover.${{var.domain}}\""),
                    format!("{head}-{role_l}"),
                ),
            };
            self.records.push(RecordCtx {
                label,
                name,
                set_identifier,
                failover: Some(role),
                note: if role == "PRIMARY" {
                    format!("{region} while its load balancer is healthy")
                } else {
                    format!("{region} when {head}'s load balancer is not")
                },
                continent: None,
                dns_name: format!("module.{l}.balancer_dns_name"),
                zone_id: format!("module.{l}.balancer_zone_id"),
                target_note: format!("Data center {region}'s load balancer"),
            });
        }
    }

    /// A geolocation record (`None`: the default one) to `region`'s pair.
    fn geo(&mut self, cont: Option<&str>, region: &str) {
        let l = region_label(region);
        self.records.push(RecordCtx {
            label: cont.map_or("default".into(), |_| l.clone()),
            name: "var.domain".into(),
            set_identifier: cont.map_or("default".into(), |_| region.to_string()),
            failover: None,
            note: String::new(),
            continent: cont.map(str::to_string),
            dns_name: format!("aws_route53_record.{l}_primary.fqdn"),
            zone_id: "aws_route53_zone.main.zone_id".into(),
            target_note: format!("The failover pair led by {region}"),
        });
    }
}

/// The root's outputs: the name servers, each data center's module outputs.
pub(super) fn root_outputs(m: &Model) -> Vec<OutputCtx> {
    let mut outputs = Vec::new();
    for c in &super::cdn::cdns(m) {
        outputs.push(OutputCtx::value(
            format!("{}_domain_name", super::names::label("cdn", &c.name)),
            format!("CloudFront domain of CDN {}", c.name),
            format!("aws_cloudfront_distribution.{}.domain_name", c.label),
        ));
    }
    for r in regions(m) {
        outputs.push(OutputCtx::value(
            r.label.clone(),
            format!(
                "Data center {}: its load balancer, endpoints and network (region/outputs.tf)",
                r.region
            ),
            format!("module.{}", r.label),
        ));
    }
    outputs.push(OutputCtx::value(
        "name_servers".into(),
        "Name servers to delegate the domain to".into(),
        "aws_route53_zone.main.name_servers".into(),
    ));
    outputs
}

/// variables.tf of the root: [`root_variables`].
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct RootVariablesTf(super::variables::VariablesTf);

impl TfFile for RootVariablesTf {
    fn build(m: &Model) -> Self {
        RootVariablesTf(super::variables::VariablesTf {
            variables: root_variables(m),
        })
    }
}

/// outputs.tf of the root: [`root_outputs`].
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct RootOutputsTf(super::outputs::OutputsTf);

impl TfFile for RootOutputsTf {
    fn build(m: &Model) -> Self {
        RootOutputsTf(super::outputs::OutputsTf {
            outputs: root_outputs(m),
        })
    }
}
