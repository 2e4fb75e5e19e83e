//! `<lb>.cfg` (`lb.cfg.tera`): the complete HAProxy configuration for one load
//! balancer: a frontend that routes each path to a backend, one backend per
//! web tier.

use crate::emit::balancer::{
    autoscale_note, header, lb_listen, upstream_addr, uses_local_addrs, LOCAL_NOTE,
};
use crate::emit::templates::Engine;
use crate::emit::{EmitError, Options, Result, Target};
use crate::model::{Lb, LbMethod, LbRoute, Model, Web};
use serde::Serialize;

#[derive(Serialize)]
struct Ctx {
    header: Vec<String>,
    lb: String,
    /// `bind` argument: `*:<design port>`, or a local `HOST:PORT`.
    bind: String,
    stats_port: u16,
    health: String,
    cdn_paths: Vec<String>,
    routes: Vec<RouteCtx>,
    default_backend: Option<String>,
    backends: Vec<Backend>,
}

#[derive(Serialize)]
struct RouteCtx {
    prefix: String,
    backend: String,
}

#[derive(Serialize)]
struct Backend {
    name: String,
    comments: Vec<String>,
    balance: &'static str,
    health: String,
    /// Name of the server cookie when the tier is sticky.
    cookie: Option<String>,
    /// (instance name, `HOST:PORT`) of each server.
    servers: Vec<(String, String)>,
    port: u16,
}

/// The complete haproxy configuration for one load balancer (also mounted by the
/// compose target when the design chose haproxy).
pub fn lb_config(model: &Model, lb: &Lb, opts: &Options) -> Result<String> {
    let tiers = model.lb_backends(lb);
    let routes = LbRoute::all(&tiers);
    let backends = tiers
        .iter()
        .enumerate()
        .map(|(i, w)| backend(lb, w, i, opts))
        .collect::<Result<_>>()?;
    let mut header = header(model, lb, "haproxy");
    if uses_local_addrs(model, lb, opts) || opts.haproxy_stats_port.is_some() {
        header.push(LOCAL_NOTE.into());
    }
    let ctx = Ctx {
        header,
        lb: lb.name.clone(),
        bind: lb_listen(opts, lb)?.unwrap_or_else(|| format!("*:{}", lb.port)),
        stats_port: opts.haproxy_stats_port.unwrap_or(8404),
        health: model.lb_health_path(lb),
        cdn_paths: model
            .cdns
            .iter()
            .flat_map(|c| c.paths.iter().cloned())
            .collect(),
        routes: routes
            .iter()
            .map(|r| RouteCtx {
                prefix: r.prefix.clone(),
                backend: r.web.name.clone(),
            })
            .collect(),
        default_backend: tiers.first().map(|w| w.name.clone()),
        backends,
    };
    let ctx = tera::Context::from_serialize(&ctx)
        .map_err(|e| EmitError::new(format!("haproxy context: {e}")))?;
    Engine::of(Target::Haproxy, opts).render("lb.cfg", &ctx)
}

fn backend(lb: &Lb, w: &Web, index: usize, opts: &Options) -> Result<Backend> {
    let (balance, mut comments) = match lb.method {
        LbMethod::RoundRobin => (
            "roundrobin",
            vec!["Round-robin: requests take turns across the instances.".to_string()],
        ),
        LbMethod::LeastConn => (
            "leastconn",
            vec![
                "Least-conn: each request goes to the instance with the fewest connections.".into(),
            ],
        ),
        LbMethod::IpHash => (
            "source",
            vec!["Ip-hash: a hash of the client address picks the instance.".into()],
        ),
    };
    let cookie = w.sticky.then(|| {
        // One cookie per tier, so two sticky tiers behind one balancer do not
        // overwrite each other's choice.
        if index == 0 {
            "SERVERID".to_string()
        } else {
            format!("SERVERID-{}", w.name)
        }
    });
    comments.extend(autoscale_note(w));
    if let Some(c) = &cookie {
        comments.push(format!(
            "`{}` is stateful: the {c} cookie sends each client back to its instance;",
            w.name
        ));
        comments.push(format!(
            "{balance} only places new clients and those whose instance is down."
        ));
    }
    Ok(Backend {
        name: w.name.clone(),
        comments,
        balance,
        health: w.health.clone(),
        cookie,
        servers: w
            .instances
            .iter()
            .map(|i| Ok((i.clone(), upstream_addr(opts, i, w.port)?)))
            .collect::<Result<_>>()?,
        port: w.port,
    })
}
