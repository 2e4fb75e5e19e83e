//! CDNs on CloudFront (edge.tf): in front of a load balancer, or serving a
//! private S3 bucket when the stage has none; each cached path is an ordered
//! cache behavior.

use super::lb::lb_host;
use super::names::{aws_name, human_secs, label, tags};
use crate::emit::templates::tf_name;
use crate::model::{Cdn, Model};
use serde::Serialize;

/// CloudFront's own default TTL when a CDN path has none (one day).

#[derive(Serialize)]
pub(super) struct CdnCtx {
    pub(super) name: String,
    pub(super) label: String,
    aws_name: String,
    /// Label of the ALB origin; `None`: an S3 bucket.
    alb: Option<String>,
    alb_name: String,
    /// The ALB's host name (HCL) when it serves HTTPS (see `lb_host`):
    /// CloudFront reaches it by that name, over HTTPS (its HTTP listener
    /// redirects).
    origin_host: Option<String>,
    /// S3 `bucket_prefix` (at most 37 characters) when there is no ALB.
    bucket_prefix: String,
    behaviors: Vec<BehaviorCtx>,
    tags: Vec<(String, String)>,
}

#[derive(Serialize)]
struct BehaviorCtx {
    path: String,
    pattern: String,
    ttl: u64,
    ttl_note: String,
    query_string: bool,
}

/// Every CDN, in the design's order.
pub(super) fn cdns(m: &Model) -> Vec<CdnCtx> {
    m.cdns
        .iter()
        .map(|c| CdnCtx {
            name: c.name.clone(),
            label: tf_name(&c.name),
            aws_name: aws_name(&m.system, &c.name, 64),
            alb: c.origin_lb.as_ref().map(|l| label("lb", l)),
            alb_name: c.origin_lb.clone().unwrap_or_default(),
            origin_host: c.origin_lb.as_ref().and_then(|l| lb_host(m, l)),
            bucket_prefix: format!("{}-", aws_name(&m.system, &c.name, 36)),
            behaviors: c.paths.iter().map(|p| behavior(c, p)).collect(),
            tags: tags(&c.labels),
        })
        .collect()
}

/// How CloudFront caches one of the CDN's paths.
fn behavior(c: &Cdn, path: &str) -> BehaviorCtx {
    BehaviorCtx {
        path: path.to_string(),
        pattern: path_pattern(path),
        ttl: c
            .ttl_seconds
            .unwrap_or(crate::model::runtime::DEFAULT_CDN_TTL_SECS),
        ttl_note: match c.ttl_seconds {
            Some(t) => format!("ttl {}", human_secs(t)),
            None => "no ttl in the design: archc's default of 1h, as on every target".into(),
        },
        query_string: c.versioned,
    }
}

/// The CloudFront path pattern for a CDN path: `/static` serves `/static/*`.
fn path_pattern(path: &str) -> String {
    let p = path.trim_end_matches('/');
    if p.is_empty() {
        "/*".to_string()
    } else {
        format!("{p}/*")
    }
}
