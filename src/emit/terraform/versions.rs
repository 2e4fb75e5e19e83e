//! versions.tf: the Terraform and AWS provider versions, the tags every
//! resource carries, and a provider alias per other data center region.

use super::dns::{dns, DnsCtx};
use super::TfFile;
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct VersionsTf {
    system: String,
    stage: String,
    region: String,
    /// A multi-region stage's module: the root configures the provider.
    module: bool,
    /// Read for its provider aliases.
    dns: Option<DnsCtx>,
}

impl TfFile for VersionsTf {
    fn build(m: &Model) -> Self {
        VersionsTf {
            system: m.system.clone(),
            stage: m.stage.clone(),
            region: m.region.clone(),
            module: super::multi::is_multi(m),
            dns: dns(m).filter(|_| !super::multi::is_multi(m)),
        }
    }
}

/// The DNS provider aliases of the data centers.
pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    m.datacenters.iter().map(|d| &d.origin).collect()
}
