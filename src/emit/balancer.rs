//! What the two balancer targets (`nginx`, `haproxy`) write alike: the
//! comment lines their configs start with, the note on an autoscaled tier,
//! and the addresses, which `Options` (`archc build --local-ports`) may
//! replace with local ones. The routing decisions themselves (which tier
//! answers which path, the balancer's health path) belong to the model
//! (`model/balancing.rs`).

use super::templates::Engine;
use super::{EmitError, Options, OutFile, Result, Target};
use crate::model::{Lb, LbEngine, Model, Origin, Web};
use serde::Serialize;

/// The comment lines every balancer config starts with; `target` is the
/// engine the config is for, which need not be the one the design chose.
pub(super) fn header(model: &Model, lb: &Lb, target: &str) -> Vec<String> {
    let engine = engine_name(lb.engine);
    let mut lines = vec![
        super::header_line(model),
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

/// One `<lb>.<extension>` file per load balancer of the stage, rendered by
/// `config` (the nginx or HAProxy target's), made of the balancer and what
/// stands behind it; then the README that says where they go (none without
/// a balancer: there is nothing to run).
pub(super) fn config_files(
    model: &Model,
    opts: &Options,
    target: Target,
    extension: &str,
    config: fn(&Model, &Lb, &Options) -> Result<String>,
) -> Result<Vec<OutFile>> {
    let mut files = model
        .lbs
        .iter()
        .map(|lb| {
            Ok(OutFile::new(
                format!("{}.{extension}", lb.name),
                config(model, lb, opts)?,
                &lb_origins(model, lb),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    if !model.lbs.is_empty() {
        files.push(readme_file(model, opts, target, extension)?);
    }
    Ok(files)
}

/// What a balancer target's README says of each config.
#[derive(Serialize)]
struct ConfigFacts<'a> {
    file: String,
    lb: &'a str,
    /// Where it listens: `*:PORT`, or its local address.
    listen: String,
    /// That address as a client on the machine asks it.
    local: String,
    /// The engine the design runs it with (the file may be for the other).
    design_engine: &'static str,
    /// The instance names it sends to, which must resolve where it runs;
    /// empty when `--local-ports` gave addresses.
    servers: Vec<&'a str>,
    health: String,
}

#[derive(Serialize)]
struct BalancerReadme<'a> {
    system: &'a str,
    stage: &'a str,
    configs: Vec<ConfigFacts<'a>>,
    /// Whether some config names servers that must resolve.
    servers: bool,
}

fn readme_file(model: &Model, opts: &Options, target: Target, extension: &str) -> Result<OutFile> {
    let configs = model
        .lbs
        .iter()
        .map(|lb| {
            let listen = lb_listen(opts, lb)?.unwrap_or_else(|| format!("*:{}", lb.port));
            Ok(ConfigFacts {
                file: format!("{}.{extension}", lb.name),
                lb: &lb.name,
                local: match listen.strip_prefix("*:") {
                    Some(port) => format!("localhost:{port}"),
                    None => listen.clone(),
                },
                listen,
                design_engine: engine_name(lb.engine),
                servers: if uses_local_addrs(model, lb, opts) {
                    Vec::new()
                } else {
                    model
                        .lb_backends(lb)
                        .into_iter()
                        .flat_map(|w| w.instances.iter().map(String::as_str))
                        .collect()
                },
                health: model.lb_health_path(lb),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let configs: Vec<ConfigFacts> = configs;
    let facts = BalancerReadme {
        system: &model.system,
        stage: &model.stage,
        servers: configs.iter().any(|c| !c.servers.is_empty()),
        configs,
    };
    let made_of: Vec<&Origin> = model
        .lbs
        .iter()
        .flat_map(|lb| lb_origins(model, lb))
        .collect();
    super::readme::readme(model, Engine::of(target, opts), &facts, &made_of)
}

/// The engine's name as the generated files write it.
pub(super) fn engine_name(e: LbEngine) -> &'static str {
    match e {
        LbEngine::Nginx => "nginx",
        LbEngine::Haproxy => "haproxy",
    }
}

/// What a balancer config is generated from: the balancer, the web tiers
/// behind it, and the CDNs whose origin it is (their paths are cached here).
pub(super) fn lb_origins<'m>(model: &'m Model, lb: &'m Lb) -> Vec<&'m Origin> {
    let mut o = vec![&lb.origin];
    o.extend(model.lb_backends(lb).into_iter().map(|w| &w.origin));
    o.extend(model.lb_cdns(lb).map(|c| &c.origin));
    o
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

// ---------------------------------------------------------------------------
// Local addresses (`Options`, `archc build --local-ports`).
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
        Some(a) => Err(EmitError::new(format!(
            "Options.upstream_addrs[{instance}] = {a:?} is not HOST:PORT"
        ))),
    }
}

/// The local listen address of a load balancer, if the options give one.
pub(super) fn lb_listen(opts: &Options, lb: &Lb) -> Result<Option<String>> {
    match opts.lb_listen.get(&lb.name) {
        None => Ok(None),
        Some(a) if valid_host_port(a, true) => Ok(Some(a.clone())),
        Some(a) => Err(EmitError::new(format!(
            "Options.lb_listen[{}] = {a:?} is not HOST:PORT",
            lb.name
        ))),
    }
}

/// Whether the options change any address in this load balancer's configs;
/// such a config says so in its header.
pub(super) fn uses_local_addrs(model: &Model, lb: &Lb, opts: &Options) -> bool {
    opts.lb_listen.contains_key(&lb.name)
        || model
            .lb_backends(lb)
            .iter()
            .flat_map(|w| w.instances.iter())
            .any(|i| opts.upstream_addrs.contains_key(i))
}

/// The header line of a config whose addresses are local.
pub(super) const LOCAL_NOTE: &str =
    "Local addresses from `archc build --local-ports`: for running on one machine, not for deployment.";
