//! variables.tf: what may differ between applies of the same stage: the
//! region, the AMI, final snapshots, log retention, the domain.

use super::data::{mongos, remote_dbs, snapshots};
use super::hosts::{app_origins, has_hosts};
use super::TfFile;
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct VariablesTf {
    system: String,
    region: String,
    /// Any EC2 host: the `ami_id` variable.
    hosts: bool,
    /// RDS or DocumentDB instances: the `skip_final_snapshot` variable.
    snapshots: bool,
    logs: bool,
    /// Databases or load balancers: the `deletion_protection` variable.
    protect: bool,
    /// Data centers: the `domain` variable.
    dns: bool,
}

impl TfFile for VariablesTf {
    fn build(m: &Model) -> Self {
        VariablesTf {
            system: m.system.clone(),
            region: m.region.clone(),
            hosts: has_hosts(m),
            snapshots: snapshots(m),
            logs: m.logs.is_some(),
            protect: snapshots(m) || !m.lbs.is_empty(),
            dns: m.datacenters.is_some(),
        }
    }
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
