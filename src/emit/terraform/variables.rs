//! variables.tf: what may differ between applies of the same stage: the
//! region, the AMI, final snapshots, log retention, the domain. The list is
//! decided here, so the README names exactly the variables the file declares.

use super::data::{mongos, remote_dbs, snapshots};
use super::hosts::{app_origins, has_hosts};
use super::lb::https_lb;
use super::multi::{has_primaries, is_multi};
use super::TfFile;
use crate::emit::templates::hcl_quote;
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct VariablesTf {
    pub(super) variables: Vec<Variable>,
}

/// One `variable` block.
#[derive(Serialize)]
pub(super) struct Variable {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    #[serde(rename = "type")]
    pub(super) ty: &'static str,
    /// Its default, as HCL; `None`: the user must set it.
    pub(super) default: Option<String>,
}

impl TfFile for VariablesTf {
    fn build(m: &Model) -> Self {
        let multi = is_multi(m);
        let mut variables = vec![if multi {
            var(
                "region",
                "AWS region of this data center (the root passes its provider).",
                "string",
                None,
            )
        } else {
            var(
                "region",
                "AWS region to deploy to.",
                "string",
                Some(&hcl_quote(&m.region)),
            )
        }];
        variables.extend(user_variables(m));
        if multi {
            variables.extend(module_variables(m));
        }
        VariablesTf { variables }
    }
}

fn var(
    name: &'static str,
    description: &'static str,
    ty: &'static str,
    default: Option<&str>,
) -> Variable {
    Variable {
        name,
        description,
        ty,
        default: default.map(String::from),
    }
}

/// The variables a user may set (all but the region), in the order
/// variables.tf declares them; a multi-region root declares these and
/// passes them to every data center's module.
pub(super) fn user_variables(m: &Model) -> Vec<Variable> {
    let mut variables = Vec::new();
    // Any EC2 host.
    if has_hosts(m) {
        variables.push(var(
            "ami_id",
            "AMI for every host; null picks the latest Amazon Linux 2023.",
            "string",
            Some("null"),
        ));
    }
    // RDS or DocumentDB instances.
    if snapshots(m) {
        variables.push(var(
            "skip_final_snapshot",
            "Delete databases without a final snapshot (only for throw-away environments).",
            "bool",
            Some("false"),
        ));
    }
    // Databases or load balancers.
    if snapshots(m) || !m.lbs.is_empty() {
        variables.push(var(
            "deletion_protection",
            "Refuse to delete databases and load balancers (set false to tear a stage down).",
            "bool",
            Some("true"),
        ));
        variables.push(var(
            "performance_insights",
            "RDS Performance Insights where the instance class has it (7 days of history is free).",
            "bool",
            Some("true"),
        ));
    }
    // RDS instances: their enhanced monitoring (data.tf).
    if remote_dbs(m).next().is_some() {
        variables.push(var(
            "rds_multi_az",
            "A standby in another zone for every RDS primary, failed over to automatically (doubles the primary's instance and storage cost).",
            "bool",
            Some("true"),
        ));
        variables.push(var(
            "rds_monitoring_interval",
            "Seconds between RDS enhanced monitoring samples (1, 5, 10, 15, 30 or 60; 0 turns it off). CloudWatch Logs charges for what it writes: cents a month an instance at 60.",
            "number",
            Some("60"),
        ));
    }
    if !m.lbs.is_empty() {
        variables.push(var(
            "waf",
            "AWS WAF with AWS managed rules in front of every load balancer ($5 a month per load balancer, $1 per rule group (3), $0.60 per million requests).",
            "bool",
            Some("true"),
        ));
    }
    if m.logs.is_some() {
        variables.push(var(
            "log_retention_days",
            "How long CloudWatch keeps application logs.",
            "number",
            Some("30"),
        ));
    }
    // Data centers: a Route 53 zone.
    if m.datacenters.is_some() {
        variables.push(var(
            "domain",
            "Domain name users reach the system at; its Route 53 zone is created here.",
            "string",
            None,
        ));
    }
    variables
}

/// What the root tells each data center's module beside the user's variables.
fn module_variables(m: &Model) -> Vec<Variable> {
    let mut variables = vec![
        var(
            "primary",
            "Whether this is the primary region, which holds the primary of every database.",
            "bool",
            None,
        ),
        var(
            "vpc_cidr",
            "This data center's VPC range, distinct from the others' so that the VPCs can be peered.",
            "string",
            None,
        ),
    ];
    if has_primaries(m) {
        variables.push(var(
            "primary_region",
            "The primary region, where the databases' password secrets live.",
            "string",
            None,
        ));
        variables.push(var(
            "primaries",
            "The primary region's databases (its module's `primaries` output); empty in the primary region itself.",
            "map(object({ address = string, arn = string, secret_arn = string }))",
            None,
        ));
    }
    if https_lb(m).is_some() {
        variables.push(var(
            "zone_id",
            "The root's Route 53 zone, where the load balancer's certificate is validated.",
            "string",
            None,
        ));
    }
    variables
}

pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(app_origins(m));
    o.extend(remote_dbs(m).map(|d| &d.origin));
    o.extend(mongos(m).map(|n| &n.origin));
    o.extend(m.logs.as_ref());
    o.extend(m.datacenters.as_ref().map(|d| &d.origin));
    o
}
