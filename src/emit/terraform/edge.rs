//! edge.tf: what stands in front of the stage's load balancers: CloudFront
//! distributions ([`super::cdn`]) and the Route 53 zone that routes users to
//! the nearest data center ([`super::dns`]).

use super::cdn::{cdns, CdnCtx};
use super::dns::{dns, DnsCtx};
use super::TfFile;
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct EdgeTf {
    cdns: Vec<CdnCtx>,
    dns: Option<DnsCtx>,
}

impl TfFile for EdgeTf {
    fn build(m: &Model) -> Self {
        EdgeTf {
            cdns: cdns(m),
            dns: dns(m),
        }
    }
}

/// CloudFront (and the balancer it fetches from), Route 53 (and the load
/// balancer its records alias).
pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    for c in &m.cdns {
        o.push(&c.origin);
        o.extend(
            m.lbs
                .iter()
                .filter(|l| c.origin_lb.as_ref() == Some(&l.name))
                .map(|l| &l.origin),
        );
    }
    if let Some(d) = &m.datacenters {
        o.push(&d.origin);
        o.extend(m.lbs.first().map(|l| &l.origin));
    }
    o
}
