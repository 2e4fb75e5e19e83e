//! edge.tf: what stands in front of the stage's load balancers: CloudFront
//! distributions ([`super::cdn`]) and the Route 53 zone that routes users to
//! the nearest data center ([`super::dns`]).

use super::cdn::{cdns, CdnCtx};
use super::dns::{dns, DnsCtx};
use super::multi::is_multi;
use super::root::{routing, RoutingCtx};
use super::tidy::Tidy;
use super::{Result, TfFile};
use crate::emit::templates::Engine;
use crate::model::{Model, Origin};
use serde::Serialize;
use tera::Context;

#[derive(Serialize)]
pub(super) struct EdgeTf {
    cdns: Vec<CdnCtx>,
    dns: Option<DnsCtx>,
}

impl TfFile for EdgeTf {
    fn build(m: &Model) -> Self {
        // A multi-region stage's edge is its root's (`RootEdgeTf`), not each
        // region module's.
        if is_multi(m) {
            return EdgeTf {
                cdns: Vec::new(),
                dns: None,
            };
        }
        EdgeTf {
            cdns: cdns(m),
            dns: dns(m),
        }
    }
}

/// edge.tf of a multi-region root: the CloudFront distributions, then the
/// Route 53 zone and its records (routing.tf.tera), which alias the load
/// balancers of the regions' modules.
#[derive(Serialize)]
pub(super) struct RootEdgeTf {
    cdns: Vec<CdnCtx>,
    dns: Option<DnsCtx>,
    #[serde(skip)]
    routing: RoutingCtx,
}

impl TfFile for RootEdgeTf {
    fn build(m: &Model) -> Self {
        RootEdgeTf {
            cdns: cdns(m),
            dns: None,
            routing: routing(m),
        }
    }

    fn append(&self, _m: &Model, tpl: Engine, out: &mut Tidy) -> Result<()> {
        let mut c = Context::new();
        c.insert("dns", &self.routing);
        tpl.render_into("routing.tf", &c, &mut *out)
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
