//! How a load balancer spreads the design's traffic: the web tiers behind it,
//! which of them answers which path, the path on which the balancer itself
//! reports healthy, and the CDNs it is the origin of. Decided once here, so
//! every target that configures a balancer (nginx, haproxy) agrees.

use super::types::{Cdn, Lb, Model, Web};

impl Model {
    /// The web tiers behind a load balancer, in the order it lists them.
    pub fn lb_backends(&self, lb: &Lb) -> Vec<&Web> {
        lb.backends
            .iter()
            .filter_map(|b| self.webs.iter().find(|w| &w.name == b))
            .collect()
    }

    /// The CDNs whose origin `lb` is: only its configs cache their paths
    /// (one site, one origin; see `Cdn::origin_lb`).
    pub fn lb_cdns<'m>(&'m self, lb: &'m Lb) -> impl Iterator<Item = &'m Cdn> {
        self.cdns
            .iter()
            .filter(|c| c.origin_lb.as_deref() == Some(lb.name.as_str()))
    }

    /// The path on which the balancer itself reports healthy (without asking
    /// the web tier): `/healthz`, unless a tier behind it uses that as its own
    /// health path. Both balancer configs answer it; a container health check
    /// can use it.
    pub fn lb_health_path(&self, lb: &Lb) -> String {
        let taken: Vec<&str> = self
            .lb_backends(lb)
            .iter()
            .map(|w| w.health.as_str())
            .collect();
        [
            "/healthz".to_string(),
            "/lb-healthz".to_string(),
            format!("/{}-healthz", lb.name),
        ]
        .into_iter()
        .find(|p| !taken.contains(&p.as_str()))
        .unwrap_or_else(|| format!("/{}-lb-healthz", lb.name))
    }
}

/// Which web tier answers which path: the first tier behind the balancer gets
/// `/` (everything no other rule claims), each further tier `/<tier name>/`
/// (passed on unchanged, so the tier serves its pages under that prefix).
pub struct LbRoute<'m> {
    pub prefix: String,
    pub web: &'m Web,
}

impl<'m> LbRoute<'m> {
    /// The route of each tier behind a balancer (`Model::lb_backends`), in
    /// its order.
    pub fn all(tiers: &[&'m Web]) -> Vec<LbRoute<'m>> {
        tiers
            .iter()
            .enumerate()
            .map(|(i, w)| LbRoute {
                prefix: if i == 0 {
                    "/".to_string()
                } else {
                    format!("/{}/", w.name)
                },
                web: w,
            })
            .collect()
    }

    /// The route that answers `prefix` (a location, `/static/`): the longest
    /// one that covers it (the root route always does).
    pub fn covering<'a>(routes: &'a [LbRoute<'m>], prefix: &str) -> &'a LbRoute<'m> {
        routes
            .iter()
            .filter(|r| prefix.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
            .expect("the root route covers every path")
    }
}
