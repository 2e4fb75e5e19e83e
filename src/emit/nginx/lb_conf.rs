//! `<lb>.conf` (`lb.conf.tera`): the complete nginx configuration for one load
//! balancer: an upstream per web tier, a location per route, and a cache per
//! CDN whose origin the balancer is.

use crate::emit::balancer::{
    autoscale_note, header, lb_listen, upstream_addr, uses_local_addrs, LOCAL_NOTE,
};
use crate::emit::templates::Engine;
use crate::emit::{EmitError, Options, Result, Target};
use crate::model::{Cdn, Lb, LbMethod, LbRoute, Model, Web};
use serde::Serialize;

#[derive(Serialize)]
struct Ctx {
    header: Vec<String>,
    lb: String,
    /// `listen` argument: the design's port, or a local `HOST:PORT`.
    listen: String,
    health: String,
    zones: Vec<Zone>,
    upstreams: Vec<Upstream>,
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Zone {
    name: String,
    dir: String,
    inactive: u64,
    comments: Vec<String>,
}

#[derive(Serialize)]
struct Upstream {
    name: String,
    comments: Vec<String>,
    method: Option<&'static str>,
    instances: usize,
    port: u16,
    /// The tier's health path, which open-source nginx cannot poll (said in
    /// a comment, so a reader does not look for it in vain).
    health: String,
    /// `HOST:PORT` of each instance.
    servers: Vec<String>,
}

#[derive(Serialize)]
struct Location {
    prefix: String,
    comments: Vec<String>,
    /// `None`: no web tier behind the balancer, answer 503.
    upstream: Option<String>,
    cache: Option<CacheLoc>,
}

#[derive(Serialize)]
struct CacheLoc {
    zone: String,
    ttl: u64,
    key: &'static str,
}

/// The complete nginx configuration for one load balancer (also mounted by the
/// compose target when the design chose nginx).
pub fn lb_config(model: &Model, lb: &Lb, opts: &Options) -> Result<String> {
    let tiers = model.lb_backends(lb);
    let routes = LbRoute::all(&tiers);
    let upstreams = upstreams(lb, &tiers, opts)?;
    let mut locations = route_locations(lb, &routes);
    let zones = cdn_caches(model, lb, &routes, &mut locations);
    let mut header = header(model, lb, "nginx");
    if uses_local_addrs(model, lb, opts) {
        header.push(LOCAL_NOTE.into());
    }
    let ctx = Ctx {
        header,
        lb: lb.name.clone(),
        listen: lb_listen(opts, lb)?.unwrap_or_else(|| lb.port.to_string()),
        health: model.lb_health_path(lb),
        zones,
        upstreams,
        locations,
    };
    let ctx = tera::Context::from_serialize(&ctx)
        .map_err(|e| EmitError::new(format!("nginx context: {e}")))?;
    Engine::of(Target::Nginx, opts).render("lb.conf", &ctx)
}

/// One upstream per web tier, listing its instances.
fn upstreams(lb: &Lb, tiers: &[&Web], opts: &Options) -> Result<Vec<Upstream>> {
    tiers
        .iter()
        .map(|w| {
            let (method, mut comments) = upstream_method(lb, w);
            comments.extend(autoscale_note(w));
            Ok(Upstream {
                name: w.name.clone(),
                comments,
                method,
                instances: w.instances.len(),
                port: w.port,
                health: w.health.clone(),
                servers: w
                    .instances
                    .iter()
                    .map(|i| upstream_addr(opts, i, w.port))
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
}

/// The balancing directive of one upstream and why.
fn upstream_method(lb: &Lb, w: &Web) -> (Option<&'static str>, Vec<String>) {
    if w.sticky {
        let mut c = vec![
            format!(
                "`{}` is stateful: ip_hash keeps each client on one instance.",
                w.name
            ),
            "Open-source nginx has no cookie stickiness (the haproxy config uses a cookie)."
                .to_string(),
        ];
        if lb.method == LbMethod::LeastConn {
            c.push("The design's least-conn gives way to ip_hash for stickiness.".into());
        }
        return (Some("ip_hash"), c);
    }
    match lb.method {
        LbMethod::RoundRobin => (
            None,
            vec!["Round-robin: nginx's default method, no directive needed.".into()],
        ),
        LbMethod::LeastConn => (
            Some("least_conn"),
            vec![
                "Least-conn: each request goes to the instance with the fewest active connections."
                    .into(),
            ],
        ),
        LbMethod::IpHash => (
            Some("ip_hash"),
            vec!["Ip-hash: each client address always reaches the same instance.".into()],
        ),
    }
}

/// A location per route; with no web tier behind the balancer, one that
/// answers every request with 503.
fn route_locations(lb: &Lb, routes: &[LbRoute<'_>]) -> Vec<Location> {
    let mut locations: Vec<Location> = routes
        .iter()
        .map(|r| Location {
            prefix: r.prefix.clone(),
            comments: vec![describe(r)],
            upstream: Some(r.web.name.clone()),
            cache: None,
        })
        .collect();
    if routes.is_empty() {
        locations.push(Location {
            prefix: "/".into(),
            comments: vec![format!(
                "No web tier is behind `{}` in this stage: every request gets 503.",
                lb.name
            )],
            upstream: None,
            cache: None,
        });
    }
    locations
}

/// The comment on a route's location.
fn describe(r: &LbRoute<'_>) -> String {
    if r.prefix == "/" {
        format!(
            "Everything else goes to `{}`, the first web tier behind this balancer.",
            r.web.name
        )
    } else {
        format!(
            "Web tier `{}` serves {}: a further tier behind one balancer is routed by its name.",
            r.web.name, r.prefix
        )
    }
}

/// A cache zone per CDN whose origin the balancer is, and its paths cached
/// in `locations` (when a web tier is behind the balancer to fetch them
/// from). Only the CDN's origin balancer caches its paths: every other
/// balancer's config would otherwise list every CDN of the design (quadratic
/// output in a design with many balancers).
fn cdn_caches(
    model: &Model,
    lb: &Lb,
    routes: &[LbRoute<'_>],
    locations: &mut Vec<Location>,
) -> Vec<Zone> {
    let mut zones = Vec::new();
    for cdn in model.lb_cdns(lb) {
        zones.push(zone(cdn));
        if routes.is_empty() {
            continue;
        }
        for path in &cdn.paths {
            cache_path(cdn, path, routes, locations);
        }
    }
    zones
}

/// The cache zone of one CDN: entries live as long as its TTL.
fn zone(cdn: &Cdn) -> Zone {
    let ttl = cdn_ttl(cdn);
    let mut comments = vec![match cdn.ttl_seconds {
        Some(_) => format!(
            "CDN `{}`: paths cached for {}.",
            cdn.name,
            human_duration(ttl)
        ),
        None => format!(
            "CDN `{}` has no `ttl` in the design: archc caches for {} (its default).",
            cdn.name,
            human_duration(ttl)
        ),
    }];
    comments.push("Entries unused for that long are evicted.".into());
    Zone {
        name: cdn.name.clone(),
        dir: format!("cache_{}", cdn.name),
        inactive: ttl,
        comments,
    }
}

/// Caches one CDN path: in the route's location when the path is one, else
/// in a location of its own, fetched from the tier whose route covers it.
/// The first CDN to list a path sets its cache.
fn cache_path(cdn: &Cdn, path: &str, routes: &[LbRoute<'_>], locations: &mut Vec<Location>) {
    let ttl = cdn_ttl(cdn);
    let prefix = location_prefix(path);
    let (key, key_note) = if cdn.versioned {
        (
            "$scheme$proxy_host$uri$is_args$args",
            "Versioned: the query string (?v=2) is part of the cache key",
        )
    } else {
        (
            "$scheme$proxy_host$uri",
            "Not versioned: the query string is not part of the cache key",
        )
    };
    let cache = CacheLoc {
        zone: cdn.name.clone(),
        ttl,
        key,
    };
    let comment = [
        format!(
            "CDN `{}` serves {path}: cached for {} ({ttl}s).",
            cdn.name,
            human_duration(ttl)
        ),
        format!("{key_note}."),
    ];
    if let Some(l) = locations.iter_mut().find(|l| l.prefix == prefix) {
        if l.cache.is_none() {
            l.cache = Some(cache);
            l.comments.extend(comment);
        } else {
            l.comments.push(format!(
                "CDN `{}` also lists {path}; the first CDN's cache settings apply.",
                cdn.name
            ));
        }
        return;
    }
    let route = LbRoute::covering(routes, &prefix);
    locations.push(Location {
        prefix,
        comments: comment
            .into_iter()
            .chain([format!("Fetched from web tier `{}`.", route.web.name)])
            .collect(),
        upstream: Some(route.web.name.clone()),
        cache: Some(cache),
    });
}

/// `/static` -> `/static/`; `/` stays `/`.
fn location_prefix(path: &str) -> String {
    format!("{}/", path.trim_end_matches('/'))
}

/// Seconds as the language writes durations (`1d`, `10m`, `90s`).
fn human_duration(s: u64) -> String {
    for (unit, n) in [("d", 86400), ("h", 3600), ("m", 60)] {
        if s >= n && s.is_multiple_of(n) {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

fn cdn_ttl(cdn: &Cdn) -> u64 {
    cdn.ttl_seconds
        .unwrap_or(crate::model::runtime::DEFAULT_CDN_TTL_SECS)
}
