//! The `nginx` target: one complete main configuration (`<lb>.conf`) per load
//! balancer in the stage, whichever engine the design chose, so a user can
//! compare or switch.
//!
//! The routing decisions both balancer targets share (which tier answers which
//! path, the balancer's own health path, the header comment) live here too and
//! are used by the `haproxy` module.

use super::{Options, OutFile, Result};
use crate::model::{Cdn, Lb, LbMethod, Model, Web};
use serde::Serialize;
use std::sync::OnceLock;

/// TTL a CDN path gets when the design gives none (W0306 warns about it).
pub(super) const DEFAULT_CDN_TTL_SECONDS: u64 = 3600;

static ENGINE: OnceLock<tera::Tera> = OnceLock::new();

pub(super) fn engine() -> &'static tera::Tera {
    ENGINE.get_or_init(|| {
        super::templates::engine(&[(
            "lb.conf",
            include_str!("../../../templates/nginx/lb.conf.tera"),
        )])
    })
}

/// Renders every `nginx` file for one stage: one config per load balancer.
pub fn emit(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    model
        .lbs
        .iter()
        .map(|lb| {
            Ok(OutFile {
                path: format!("{}.conf", lb.name),
                contents: lb_config(model, lb, opts)?,
            })
        })
        .collect()
}

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
    let tiers = backends(model, lb);
    let routes = routes(&tiers);

    let upstreams = tiers
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
        .collect::<Result<_>>()?;

    let mut locations: Vec<Location> = routes
        .iter()
        .map(|r| Location {
            prefix: r.prefix.clone(),
            comments: vec![r.describe()],
            upstream: Some(r.web.name.clone()),
            cache: None,
        })
        .collect();
    if tiers.is_empty() {
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

    let mut zones = Vec::new();
    // Only the CDN's origin balancer caches its paths: every other balancer's
    // config would otherwise list every CDN of the design (quadratic output in
    // a design with many balancers).
    let served = model
        .cdns
        .iter()
        .filter(|c| c.origin_lb.as_deref() == Some(lb.name.as_str()));
    for cdn in served {
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
        zones.push(Zone {
            name: cdn.name.clone(),
            dir: format!("cache_{}", cdn.name),
            inactive: ttl,
            comments,
        });
        if tiers.is_empty() {
            continue;
        }
        for path in &cdn.paths {
            let prefix = location_prefix(path);
            let key = if cdn.versioned {
                "$scheme$proxy_host$uri$is_args$args"
            } else {
                "$scheme$proxy_host$uri"
            };
            let key_note = if cdn.versioned {
                "Versioned: the query string (?v=2) is part of the cache key"
            } else {
                "Not versioned: the query string is not part of the cache key"
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
                continue;
            }
            let route = route_for(&routes, &prefix);
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
    }

    let mut header = header(model, lb, "nginx");
    if uses_local_addrs(model, lb, opts) {
        header.push(LOCAL_NOTE.into());
    }
    let ctx = Ctx {
        header,
        lb: lb.name.clone(),
        listen: lb_listen(opts, lb)?.unwrap_or_else(|| lb.port.to_string()),
        health: balancer_health_path(model, lb),
        zones,
        upstreams,
        locations,
    };
    let ctx = tera::Context::from_serialize(&ctx)
        .map_err(|e| super::EmitError(format!("nginx context: {e}")))?;
    super::templates::render(engine(), "lb.conf", &ctx)
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

/// For an autoscaled tier: the balancer lists its minimum, the fixed
/// instances every target agrees on.
pub(super) fn autoscale_note(w: &Web) -> Option<String> {
    w.autoscale.as_ref().map(|a| {
        format!(
            "`{}` autoscales {}..{} where the platform can; the {} instances below are its minimum.",
            w.name,
            a.min,
            a.max,
            w.instances.len()
        )
    })
}

/// `/static` -> `/static/`; `/` stays `/`.
fn location_prefix(path: &str) -> String {
    format!("{}/", path.trim_end_matches('/'))
}

/// The longest tier route that covers `prefix` (the root route always does).
fn route_for<'a, 'm>(routes: &'a [Route<'m>], prefix: &str) -> &'a Route<'m> {
    routes
        .iter()
        .filter(|r| prefix.starts_with(&r.prefix))
        .max_by_key(|r| r.prefix.len())
        .expect("the root route covers every path")
}

/// Seconds as the language writes durations (`1d`, `10m`, `90s`).
pub(super) fn human_duration(s: u64) -> String {
    for (unit, n) in [("d", 86400), ("h", 3600), ("m", 60)] {
        if s >= n && s.is_multiple_of(n) {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

pub(super) fn cdn_ttl(cdn: &Cdn) -> u64 {
    cdn.ttl_seconds.unwrap_or(DEFAULT_CDN_TTL_SECONDS)
}

// ---------------------------------------------------------------------------
// Decisions shared with the haproxy target.
// ---------------------------------------------------------------------------

/// The web tiers behind a load balancer, in the order it lists them.
pub(super) fn backends<'m>(model: &'m Model, lb: &Lb) -> Vec<&'m Web> {
    lb.backends
        .iter()
        .filter_map(|b| model.webs.iter().find(|w| &w.name == b))
        .collect()
}

/// Which web tier answers which path: the first tier behind the balancer gets
/// `/` (everything no other rule claims), each further tier `/<tier name>/`
/// (passed on unchanged, so the tier serves its pages under that prefix).
pub(super) struct Route<'m> {
    pub prefix: String,
    pub web: &'m Web,
}

impl Route<'_> {
    pub fn describe(&self) -> String {
        if self.prefix == "/" {
            format!(
                "Everything else goes to `{}`, the first web tier behind this balancer.",
                self.web.name
            )
        } else {
            format!(
                "Web tier `{}` serves {}: a further tier behind one balancer is routed by its name.",
                self.web.name, self.prefix
            )
        }
    }
}

pub(super) fn routes<'m>(tiers: &[&'m Web]) -> Vec<Route<'m>> {
    tiers
        .iter()
        .enumerate()
        .map(|(i, w)| Route {
            prefix: if i == 0 {
                "/".to_string()
            } else {
                format!("/{}/", w.name)
            },
            web: w,
        })
        .collect()
}

/// The path on which the balancer itself reports healthy (without asking the
/// web tier): `/healthz`, unless a tier behind it uses that as its own health
/// path. Both balancer configs answer it; a container health check can use it.
pub(super) fn balancer_health_path(model: &Model, lb: &Lb) -> String {
    let taken: Vec<&str> = backends(model, lb)
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

/// What a balancer config is generated from: the balancer, the web tiers
/// behind it, and the CDNs whose origin it is (their paths are cached here).
pub(super) fn lb_origins<'m>(model: &'m Model, lb: &'m Lb) -> Vec<&'m crate::model::Origin> {
    let mut o = vec![&lb.origin];
    o.extend(backends(model, lb).into_iter().map(|w| &w.origin));
    o.extend(
        model
            .cdns
            .iter()
            .filter(|c| c.origin_lb.as_deref() == Some(lb.name.as_str()))
            .map(|c| &c.origin),
    );
    o
}

/// The comment lines every balancer config starts with.
pub(super) fn header(model: &Model, lb: &Lb, target: &str) -> Vec<String> {
    let engine = match lb.engine {
        crate::model::LbEngine::Nginx => "nginx",
        crate::model::LbEngine::Haproxy => "haproxy",
    };
    let mut lines = vec![
        super::header_line(model),
        super::design_lines_line(model, &lb_origins(model, lb)),
        format!(
            "Load balancer `{}` of system `{}`; the design runs it with {engine}.",
            lb.name, model.system
        ),
    ];
    if engine != target {
        lines.push(format!(
            "This {target} configuration is for comparing or switching engines."
        ));
    }
    lines
}

// ---------------------------------------------------------------------------
// Local addresses (`Options`, `archc build --local-ports`), shared with the
// haproxy target.
// ---------------------------------------------------------------------------

/// Whether `s` is a `HOST:PORT` a balancer config can take: a host name or
/// IPv4 address (or `*` where `wildcard`), or a bracketed IPv6 address, then
/// a port 1..=65535. Nothing else reaches a config, so no value can inject a
/// directive.
pub fn valid_host_port(s: &str, wildcard: bool) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let port_ok = (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        None => {
            (wildcard && host == "*")
                || (!host.is_empty()
                    && !host.starts_with(['-', '.'])
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'))
        }
    };
    port_ok && host_ok
}

/// Every problem with the local addresses in `opts` for a build of `models`:
/// a malformed address, or a name that is no web instance (resp. load
/// balancer) in any of them, which would silently change nothing.
pub fn local_address_problems(opts: &Options, models: &[&Model]) -> Vec<String> {
    let instances: Vec<&str> = models
        .iter()
        .flat_map(|m| m.webs.iter())
        .flat_map(|w| w.instances.iter().map(String::as_str))
        .collect();
    let lbs: Vec<&str> = models
        .iter()
        .flat_map(|m| m.lbs.iter().map(|l| l.name.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut check = |field: &str, name: &str, addr: &str, known: &[&str], wildcard: bool| {
        if !known.contains(&name) {
            let mut k = known.to_vec();
            k.sort();
            k.dedup();
            out.push(format!(
                "{field}: `{name}` is not one of {}",
                if k.is_empty() {
                    "them (the build has none)".to_string()
                } else {
                    k.join(", ")
                }
            ));
        }
        if !valid_host_port(addr, wildcard) {
            out.push(format!(
                "{field}: `{name}` = {addr:?} is not HOST:PORT (a host name, IPv4 or [IPv6] address, port 1-65535)"
            ));
        }
    };
    for (name, addr) in &opts.upstream_addrs {
        check("upstream_addrs", name, addr, &instances, false);
    }
    for (name, addr) in &opts.lb_listen {
        check("lb_listen", name, addr, &lbs, true);
    }
    if opts.haproxy_stats_port == Some(0) {
        out.push("haproxy_stats_port: 0 is not a port".into());
    }
    out
}

/// Where the balancer sends an instance's traffic: `<instance>:<port>`, or
/// its local address.
pub(super) fn upstream_addr(opts: &Options, instance: &str, port: u16) -> Result<String> {
    match opts.upstream_addrs.get(instance) {
        None => Ok(format!("{instance}:{port}")),
        Some(a) if valid_host_port(a, false) => Ok(a.clone()),
        Some(a) => Err(super::EmitError(format!(
            "Options.upstream_addrs[{instance}] = {a:?} is not HOST:PORT"
        ))),
    }
}

/// The local listen address of a load balancer, if the options give one.
pub(super) fn lb_listen(opts: &Options, lb: &Lb) -> Result<Option<String>> {
    match opts.lb_listen.get(&lb.name) {
        None => Ok(None),
        Some(a) if valid_host_port(a, true) => Ok(Some(a.clone())),
        Some(a) => Err(super::EmitError(format!(
            "Options.lb_listen[{}] = {a:?} is not HOST:PORT",
            lb.name
        ))),
    }
}

/// Whether the options change any address in this load balancer's configs;
/// such a config says so in its header.
pub(super) fn uses_local_addrs(model: &Model, lb: &Lb, opts: &Options) -> bool {
    opts.lb_listen.contains_key(&lb.name)
        || backends(model, lb)
            .iter()
            .flat_map(|w| w.instances.iter())
            .any(|i| opts.upstream_addrs.contains_key(i))
}

pub(super) const LOCAL_NOTE: &str =
    "Local addresses from `archc build --local-ports`: for running on one machine, not for deployment.";
