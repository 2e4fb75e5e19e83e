//! ops.tf: the stage's KMS key, a CloudWatch log group per web tier and
//! worker, the SNS topic of the alarms, then one CPU alarm per host group, database instance and
//! DocumentDB cluster, appended one by one after the file's head.

use super::data::remote_dbs;
use super::databases::dbs;
use super::hosts::{app_origins, host_groups, log_group_names, HostCtx};
use super::multi::{is_multi, PRIMARY_ONLY};
use super::nosql::nosqls;
use super::tidy::Tidy;
use super::{render_each, Result, TfFile};
use crate::emit::templates::Engine;
use crate::model::{Model, Origin};
use serde::Serialize;

/// The CPU threshold of data services and of hosts without autoscaling.
const CPU_ALARM: u32 = 80;

#[derive(Serialize)]
pub(super) struct OpsTf {
    system: String,
    /// The stage's customer managed KMS key, which encrypts its log groups,
    /// alarm topic and data services: whenever anything lives in the VPC.
    key: bool,
    /// Whether load balancers have WAF log groups the key encrypts.
    waf: bool,
    logs: bool,
    metrics: bool,
    #[serde(serialize_with = "log_group_names")]
    log_groups: Vec<HostCtx>,
    /// Rendered one by one after the head.
    #[serde(skip)]
    alarms: Vec<AlarmCtx>,
}

#[derive(Serialize)]
struct AlarmCtx {
    label: String,
    name: String,
    description: String,
    namespace: String,
    dimension: String,
    value: String,
    threshold: u32,
    /// `count` of an alarm on a primary only the primary region holds.
    count: Option<&'static str>,
}

impl TfFile for OpsTf {
    fn build(m: &Model) -> Self {
        let groups = host_groups(m);
        let metrics = m.metrics.is_some();
        OpsTf {
            system: m.system.clone(),
            key: m.has_stage_key(),
            waf: !m.lbs.is_empty(),
            logs: m.logs.is_some(),
            metrics,
            alarms: if metrics {
                alarms(m, &groups)
            } else {
                Vec::new()
            },
            log_groups: groups,
        }
    }

    fn append(&self, _m: &Model, tpl: Engine, out: &mut Tidy) -> Result<()> {
        if self.metrics {
            render_each(tpl, "alarm.tf", "a", &self.alarms, out)?;
        }
        Ok(())
    }
}

/// Host groups first, then database instances, then DocumentDB clusters.
fn alarms(m: &Model, groups: &[HostCtx]) -> Vec<AlarmCtx> {
    // Several data centers: the primaries' alarms are the primary region's.
    let multi = is_multi(m);
    let mut alarms: Vec<AlarmCtx> = groups.iter().map(host_alarm).collect();
    for d in &dbs(m) {
        for i in &d.instances {
            alarms.push(AlarmCtx {
                label: format!("{}_rds_cpu", i.label),
                name: format!("{}-cpu-high", i.identifier),
                description: format!(
                    "Database instance {}: CPU above {CPU_ALARM}% for 10 minutes",
                    i.name
                ),
                namespace: "AWS/RDS".into(),
                dimension: "DBInstanceIdentifier".into(),
                value: if multi && i.source.is_none() {
                    format!("aws_db_instance.{}[0].identifier", i.label)
                } else {
                    format!("aws_db_instance.{}.identifier", i.label)
                },
                threshold: CPU_ALARM,
                count: (multi && i.source.is_none()).then_some(PRIMARY_ONLY),
            });
        }
    }
    // DocumentDB publishes CPU per cluster too: one alarm over its instances.
    for n in nosqls(m).iter().filter(|n| !n.dynamodb) {
        alarms.push(AlarmCtx {
            label: format!("{}_docdb_cpu", n.label),
            name: format!("{}-cpu-high", n.aws_name),
            description: format!(
                "NoSQL store {} (DocumentDB): average CPU above {CPU_ALARM}% for 10 minutes",
                n.name
            ),
            namespace: "AWS/DocDB".into(),
            dimension: "DBClusterIdentifier".into(),
            value: if multi {
                format!("aws_docdb_cluster.{}[0].cluster_identifier", n.label)
            } else {
                format!("aws_docdb_cluster.{}.cluster_identifier", n.label)
            },
            threshold: CPU_ALARM,
            count: multi.then_some(PRIMARY_ONLY),
        });
    }
    alarms
}

/// A host group's CPU alarm: on its instance (the single public host) or
/// its autoscaling group's average.
fn host_alarm(h: &HostCtx) -> AlarmCtx {
    let (dimension, value) = if h.public {
        ("InstanceId", format!("aws_instance.{}.id", h.label))
    } else {
        (
            "AutoScalingGroupName",
            format!("aws_autoscaling_group.{}.name", h.label),
        )
    };
    let threshold = cpu_alarm(h.autoscale_cpu);
    AlarmCtx {
        label: format!("{}_cpu", h.label),
        name: format!("{}-cpu-high", h.aws_name),
        description: format!(
            "{} {}: average CPU above {threshold}% for 10 minutes",
            if h.kind == "web" {
                "Web tier"
            } else {
                "Worker"
            },
            h.name,
        ),
        namespace: "AWS/EC2".into(),
        dimension: dimension.into(),
        value,
        threshold,
        count: None,
    }
}

/// CPU alarm threshold: above the autoscaling target (scaling should have
/// caught it), else 80%.
fn cpu_alarm(target: Option<u32>) -> u32 {
    target.map_or(CPU_ALARM, |t| (t + 15).min(95))
}

/// Log groups and alarms per host, database alarms.
pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    if m.logs.is_some() || m.metrics.is_some() || m.has_stage_key() {
        o.extend(app_origins(m));
    }
    o.extend(m.logs.as_ref());
    if let Some(metrics) = &m.metrics {
        o.push(metrics);
        o.extend(remote_dbs(m).map(|d| &d.origin));
    }
    o
}
