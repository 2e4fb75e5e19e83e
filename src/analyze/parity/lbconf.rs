//! nginx and HAProxy configs read back by line patterns: the balancer's name
//! from the header, its listen port, and per upstream / backend (one per web
//! tier) the servers, their port, the health check and the balancing method.

use super::Fact;
use crate::emit::OutFile;

/// The `NAME` in the header line ``# Load balancer `NAME` of system …``.
fn lb_name(text: &str) -> Option<String> {
    let rest = text
        .lines()
        .find_map(|l| l.strip_prefix("# Load balancer `"))?;
    Some(rest.split('`').next()?.to_string())
}

fn port_of(server_addr: &str) -> String {
    server_addr
        .trim_end_matches(';')
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub fn nginx_files(files: &[OutFile]) -> Vec<Fact> {
    files
        .iter()
        .filter(|f| f.path.ends_with(".conf"))
        .flat_map(|f| nginx(&f.path, &f.contents))
        .collect()
}

pub fn haproxy_files(files: &[OutFile]) -> Vec<Fact> {
    files
        .iter()
        .filter(|f| f.path.ends_with(".cfg"))
        .flat_map(|f| haproxy(&f.path, &f.contents))
        .collect()
}

fn fact(path: &str, kind: &'static str, name: &str, what: String, value: String) -> Fact {
    let mut f = Fact::new(kind, name, what, value);
    f.file = path.to_string();
    f
}

/// One nginx `upstream` block: a web tier.
struct Upstream {
    tier: String,
    servers: u32,
    ports: Vec<String>,
    /// The balancing directive (`least_conn`, `ip_hash`); none is round robin.
    method: Option<String>,
}

/// Facts of one nginx config.
pub fn nginx(path: &str, text: &str) -> Vec<Fact> {
    let Some(lb) = lb_name(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut upstream: Option<Upstream> = None;
    let mut cdn: Option<String> = None;
    let mut location: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(u) = &mut upstream {
            if line == "}" {
                out.extend(upstream_facts(path, &lb, u));
                upstream = None;
            } else {
                upstream_line(u, line);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("upstream ") {
            upstream = Some(Upstream {
                tier: rest.trim_end_matches('{').trim().to_string(),
                servers: 0,
                ports: Vec::new(),
                method: None,
            });
        } else if let Some(rest) = line.strip_prefix("listen ") {
            let port = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches(';');
            out.push(fact(path, "lb", &lb, "port".into(), port.into()));
        } else if let Some(rest) = line.strip_prefix("# CDN `") {
            // The CDN stands in for the caching locations that follow.
            if rest.contains("` serves ") {
                cdn = rest.split('`').next().map(String::from);
            }
        } else if let Some(rest) = line.strip_prefix("location ") {
            location = rest
                .split_whitespace()
                .next()
                .map(|p| p.trim_end_matches('/').to_string());
        } else if let Some(rest) = line.strip_prefix("proxy_cache_valid ") {
            if let (Some(c), Some(p)) = (&cdn, &location) {
                let ttl = rest
                    .trim_end_matches(';')
                    .split_whitespace()
                    .last()
                    .unwrap_or_default();
                out.push(fact(
                    path,
                    "cdn",
                    c,
                    format!("ttl on {p}"),
                    ttl.trim_end_matches('s').into(),
                ));
            }
        }
    }
    out
}

/// A line inside an `upstream` block: a server, or the balancing directive
/// (anything but a comment or `keepalive`).
fn upstream_line(u: &mut Upstream, line: &str) {
    if let Some(rest) = line.strip_prefix("server ") {
        u.servers += 1;
        u.ports
            .push(port_of(rest.split_whitespace().next().unwrap_or_default()));
    } else if !line.starts_with('#') && !line.starts_with("keepalive") && !line.is_empty() {
        u.method = Some(
            line.trim_end_matches(';')
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
        );
    }
}

/// What a closed `upstream` block says of its tier and of the balancer: only
/// `ip_hash` pins a client to one server.
fn upstream_facts(path: &str, lb: &str, u: &mut Upstream) -> Vec<Fact> {
    let (method, pinned) = match u.method.as_deref() {
        Some("ip_hash") => ("ip-hash", "yes"),
        Some("least_conn") => ("least-conn", "no"),
        Some(other) => (other, "?"),
        None => ("round-robin", "no"),
    };
    let tier = &u.tier;
    let mut out = vec![fact(
        path,
        "web",
        tier,
        "instances".into(),
        u.servers.to_string(),
    )];
    for p in std::mem::take(&mut u.ports) {
        out.push(fact(path, "web", tier, "port".into(), p));
    }
    out.push(fact(
        path,
        "lb",
        lb,
        format!("method to {tier}"),
        method.into(),
    ));
    out.push(fact(
        path,
        "lb",
        lb,
        format!("pinned to {tier}"),
        pinned.into(),
    ));
    out
}

/// One `backend` section: a web tier.
#[derive(Default)]
struct Backend {
    tier: String,
    servers: u32,
    ports: Vec<String>,
    balance: Option<String>,
    cookie: bool,
    health: Option<String>,
}

/// Facts of one HAProxy config.
pub fn haproxy(path: &str, text: &str) -> Vec<Fact> {
    let Some(lb) = lb_name(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut section = String::new();
    let mut backends: Vec<Backend> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        // A section header starts in column 0; its settings are indented.
        if !raw.starts_with(' ') {
            section = line.to_string();
            if let Some(name) = line.strip_prefix("backend ") {
                backends.push(Backend {
                    tier: name.trim().to_string(),
                    ..Backend::default()
                });
            }
            continue;
        }
        if section.starts_with("frontend ") {
            if let Some(rest) = line.strip_prefix("bind ") {
                let port = port_of(rest.split_whitespace().next().unwrap_or_default());
                out.push(fact(path, "lb", &lb, "port".into(), port));
            }
        } else if section.starts_with("backend ") {
            if let Some(b) = backends.last_mut() {
                backend_line(b, line);
            }
        }
    }
    for b in backends {
        backend_facts(path, &lb, b, &mut out);
    }
    out
}

/// A setting of a `backend` section that says something about its tier.
fn backend_line(b: &mut Backend, line: &str) {
    if let Some(rest) = line.strip_prefix("server ") {
        b.servers += 1;
        b.ports
            .push(port_of(rest.split_whitespace().nth(1).unwrap_or_default()));
    } else if let Some(rest) = line.strip_prefix("balance ") {
        b.balance = Some(rest.trim().to_string());
    } else if line.starts_with("cookie ") && line.contains(" insert") {
        b.cookie = true;
    } else if let Some(rest) = line.strip_prefix("option httpchk ") {
        b.health = rest.split_whitespace().last().map(String::from);
    }
}

/// What a backend says of its tier and of the balancer: an inserted cookie
/// or `balance source` pins a client to one server.
fn backend_facts(path: &str, lb: &str, b: Backend, out: &mut Vec<Fact>) {
    let Backend {
        tier,
        servers: n,
        ports,
        balance,
        cookie,
        health,
    } = b;
    out.push(fact(path, "web", &tier, "instances".into(), n.to_string()));
    for p in ports {
        out.push(fact(path, "web", &tier, "port".into(), p));
    }
    if let Some(h) = health {
        out.push(fact(path, "web", &tier, "health".into(), h));
    }
    let method = match balance.as_deref() {
        Some("roundrobin") | None => "round-robin".to_string(),
        Some("leastconn") => "least-conn".into(),
        Some("source") => "ip-hash".into(),
        Some(other) => other.to_string(),
    };
    let pinned = cookie || method == "ip-hash";
    out.push(fact(path, "lb", lb, format!("method to {tier}"), method));
    out.push(fact(
        path,
        "lb",
        lb,
        format!("pinned to {tier}"),
        if pinned { "yes" } else { "no" }.into(),
    ));
}
