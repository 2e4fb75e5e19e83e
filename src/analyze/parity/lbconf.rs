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

/// Facts of one nginx config.
pub fn nginx(path: &str, text: &str) -> Vec<Fact> {
    let Some(lb) = lb_name(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |kind, name: &str, what: String, value: String| {
        let mut f = Fact::new(kind, name, what, value);
        f.file = path.to_string();
        out.push(f);
    };
    // (tier, servers, ports, method directive)
    let mut upstream: Option<(String, u32, Vec<String>, Option<String>)> = None;
    let mut cdn: Option<String> = None;
    let mut location: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((tier, n, ports, method)) = &mut upstream {
            if line == "}" {
                let (method, pinned) = match method.as_deref() {
                    Some("ip_hash") => ("ip-hash", "yes"),
                    Some("least_conn") => ("least-conn", "no"),
                    Some(other) => (other, "?"),
                    None => ("round-robin", "no"),
                };
                let tier = tier.clone();
                push("web", &tier, "instances".into(), n.to_string());
                for p in std::mem::take(ports) {
                    push("web", &tier, "port".into(), p);
                }
                push("lb", &lb, format!("method to {tier}"), method.into());
                push("lb", &lb, format!("pinned to {tier}"), pinned.into());
                upstream = None;
            } else if let Some(rest) = line.strip_prefix("server ") {
                *n += 1;
                ports.push(port_of(rest.split_whitespace().next().unwrap_or_default()));
            } else if !line.starts_with('#') && !line.starts_with("keepalive") && !line.is_empty() {
                *method = Some(
                    line.trim_end_matches(';')
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("upstream ") {
            upstream = Some((
                rest.trim_end_matches('{').trim().to_string(),
                0,
                Vec::new(),
                None,
            ));
        } else if let Some(rest) = line.strip_prefix("listen ") {
            let port = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches(';');
            push("lb", &lb, "port".into(), port.into());
        } else if let Some(rest) = line.strip_prefix("# CDN `") {
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
                push(
                    "cdn",
                    &c.clone(),
                    format!("ttl on {p}"),
                    ttl.trim_end_matches('s').into(),
                );
            }
        }
    }
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
                let mut f = Fact::new(
                    "lb",
                    &lb,
                    "port",
                    port_of(rest.split_whitespace().next().unwrap_or_default()),
                );
                f.file = path.to_string();
                out.push(f);
            }
        } else if section.starts_with("backend ") {
            let Some(b) = backends.last_mut() else {
                continue;
            };
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
    }
    for Backend {
        tier,
        servers: n,
        ports,
        balance,
        cookie,
        health,
    } in backends
    {
        let mut push = |kind, name: &str, what: String, value: String| {
            let mut f = Fact::new(kind, name, what, value);
            f.file = path.to_string();
            out.push(f);
        };
        push("web", &tier, "instances".into(), n.to_string());
        for p in ports {
            push("web", &tier, "port".into(), p);
        }
        if let Some(h) = health {
            push("web", &tier, "health".into(), h);
        }
        let method = match balance.as_deref() {
            Some("roundrobin") | None => "round-robin".to_string(),
            Some("leastconn") => "least-conn".into(),
            Some("source") => "ip-hash".into(),
            Some(other) => other.to_string(),
        };
        let pinned = cookie || method == "ip-hash";
        push("lb", &lb, format!("method to {tier}"), method);
        push(
            "lb",
            &lb,
            format!("pinned to {tier}"),
            if pinned { "yes" } else { "no" }.into(),
        );
    }
    out
}
