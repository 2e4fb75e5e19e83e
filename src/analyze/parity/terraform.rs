//! Terraform output read back by line patterns. Every resource starts with
//! `resource "TYPE" "LABEL" {` and ends with `}` in column 0; its attributes
//! are `  key = value` two spaces in, nested blocks `  name {` … `  }`.

use super::Fact;
use crate::emit::OutFile;
use crate::model::Model;

struct Block<'t> {
    file: &'t str,
    ty: &'t str,
    label: &'t str,
    lines: Vec<&'t str>,
}

fn blocks<'t>(file: &'t str, text: &'t str) -> Vec<Block<'t>> {
    let mut out = Vec::new();
    let mut cur: Option<Block> = None;
    for line in text.lines() {
        if let Some(b) = &mut cur {
            if line == "}" {
                out.extend(cur.take());
            } else {
                b.lines.push(line);
            }
        } else if let Some(rest) = line.strip_prefix("resource \"") {
            let mut parts = rest.split('"');
            let ty = parts.next().unwrap_or_default();
            let label = parts.nth(1).unwrap_or_default();
            cur = Some(Block {
                file,
                ty,
                label,
                lines: Vec::new(),
            });
        }
    }
    out
}

/// `key = value` at the given indentation, quotes removed.
fn attr(lines: &[&str], indent: usize, key: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let rest = l.strip_prefix(&" ".repeat(indent))?;
        if rest.starts_with(' ') {
            return None;
        }
        let (k, v) = rest.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The lines of each nested block `name { … }` two spaces in.
fn nested<'a, 't>(lines: &'a [&'t str], name: &str) -> Vec<&'a [&'t str]> {
    let open = format!("  {name} {{");
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == open {
            let end = lines[i..]
                .iter()
                .position(|l| *l == "  }")
                .map(|p| i + p)
                .unwrap_or(lines.len());
            out.push(&lines[i + 1..end]);
            i = end;
        }
        i += 1;
    }
    out
}

/// The terraform label of a component, as the emitter names resources:
/// `web`, `web_api`, `worker_thumbnails`.
fn label(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind}_{}", tf(name))
    }
}

fn tf(name: &str) -> String {
    name.replace('-', "_")
}

fn fact(out: &mut Vec<Fact>, b: &Block, kind: &'static str, name: &str, what: &str, value: String) {
    let mut f = Fact::new(kind, name, what, value);
    f.file = b.file.to_string();
    out.push(f);
}

pub fn extract(m: &Model, files: &[OutFile]) -> Vec<Fact> {
    let mut out = Vec::new();
    let all: Vec<Block> = files
        .iter()
        .filter(|f| f.path.ends_with(".tf"))
        .flat_map(|f| blocks(&f.path, &f.contents))
        .collect();
    // The balancer whose target groups follow: the emitter writes each
    // `aws_lb` before the target groups of the tiers behind it.
    let mut lb_of_tg: Option<&str> = None;
    for b in &all {
        match b.ty {
            "aws_autoscaling_group" => scaling_group(m, b, &mut out),
            // One public host without a load balancer.
            "aws_instance" => {
                for w in m.webs.iter().filter(|w| label("web", &w.name) == b.label) {
                    let n = attr(&b.lines, 2, "count").unwrap_or_else(|| "1".into());
                    fact(&mut out, b, "web", &w.name, "instances", n);
                }
            }
            "aws_lb" => {
                lb_of_tg = m
                    .lbs
                    .iter()
                    .find(|l| label("lb", &l.name) == b.label)
                    .map(|l| l.name.as_str())
            }
            // The design's port is the HTTP listener's: `<lb>`, or `<lb>_http`
            // beside the HTTPS one (443) where the load balancer has a certificate.
            "aws_lb_listener" => {
                let https =
                    attr(&b.lines, 2, "protocol").is_some_and(|p| p.trim_matches('"') == "HTTPS");
                let http_label = b.label.strip_suffix("_http").unwrap_or(b.label);
                if let (false, Some(lb), Some(port)) = (
                    https,
                    m.lbs
                        .iter()
                        .find(|l| label("lb", &l.name) == b.label)
                        .or_else(|| m.lbs.iter().find(|l| label("lb", &l.name) == http_label)),
                    attr(&b.lines, 2, "port"),
                ) {
                    fact(&mut out, b, "lb", &lb.name, "port", port);
                }
            }
            "aws_lb_target_group" => target_group(m, b, lb_of_tg, &mut out),
            "aws_elasticache_replication_group" | "aws_elasticache_cluster" => {
                cache_nodes(m, b, &mut out)
            }
            "aws_cloudfront_distribution" => distribution(m, b, &mut out),
            _ => {}
        }
    }
    databases(m, &all, &mut out);
    cache_ttls(m, files, &mut out);
    out
}

/// An autoscaling group of a web tier (its range) or of a worker (its count).
fn scaling_group(m: &Model, b: &Block, out: &mut Vec<Fact>) {
    for w in m.webs.iter().filter(|w| label("web", &w.name) == b.label) {
        if let Some(v) = attr(&b.lines, 2, "min_size") {
            fact(out, b, "web", &w.name, "instances", v);
        }
        if let Some(v) = attr(&b.lines, 2, "max_size") {
            fact(out, b, "web", &w.name, "max instances", v);
        }
    }
    for w in m
        .workers
        .iter()
        .filter(|w| label("worker", &w.name) == b.label)
    {
        if let Some(v) = attr(&b.lines, 2, "min_size") {
            fact(out, b, "worker", &w.name, "instances", v);
        }
    }
}

/// A web tier's target group: its port and health path, and, under the
/// balancer `lb`, how the ALB spreads and pins its requests.
fn target_group(m: &Model, b: &Block, lb: Option<&str>, out: &mut Vec<Fact>) {
    let Some(w) = m.webs.iter().find(|w| label("web", &w.name) == b.label) else {
        return;
    };
    if let Some(v) = attr(&b.lines, 2, "port") {
        fact(out, b, "web", &w.name, "port", v);
    }
    for hc in nested(&b.lines, "health_check") {
        if let Some(v) = attr(hc, 4, "path") {
            fact(out, b, "web", &w.name, "health", v);
        }
    }
    let Some(lb) = lb else { return };
    if let Some(v) = attr(&b.lines, 2, "load_balancing_algorithm_type") {
        let method = match v.as_str() {
            "round_robin" => "round-robin".to_string(),
            "least_outstanding_requests" => "least-conn".into(),
            _ => v,
        };
        fact(out, b, "lb", lb, &format!("method to {}", w.name), method);
    }
    let pinned = nested(&b.lines, "stickiness")
        .iter()
        .any(|s| attr(s, 4, "enabled").as_deref() == Some("true"));
    fact(
        out,
        b,
        "lb",
        lb,
        &format!("pinned to {}", w.name),
        if pinned { "yes" } else { "no" }.into(),
    );
}

/// The node count of a cache: a Redis replication group counts clusters, a
/// Memcached cluster counts nodes.
fn cache_nodes(m: &Model, b: &Block, out: &mut Vec<Fact>) {
    let key = if b.ty == "aws_elasticache_cluster" {
        "num_cache_nodes"
    } else {
        "num_cache_clusters"
    };
    if let (Some(c), Some(v)) = (
        m.caches.iter().find(|c| tf(&c.name) == b.label),
        attr(&b.lines, 2, key),
    ) {
        fact(out, b, "cache", &c.name, "instances", v);
    }
}

/// A CloudFront distribution: the TTL of each path it caches.
fn distribution(m: &Model, b: &Block, out: &mut Vec<Fact>) {
    let Some(c) = m.cdns.iter().find(|c| tf(&c.name) == b.label) else {
        return;
    };
    for beh in nested(&b.lines, "ordered_cache_behavior") {
        if let (Some(p), Some(t)) = (attr(beh, 4, "path_pattern"), attr(beh, 4, "default_ttl")) {
            fact(
                out,
                b,
                "cdn",
                &c.name,
                &format!("ttl on {}", p.trim_end_matches("/*")),
                t,
            );
        }
    }
}

fn databases(m: &Model, all: &[Block], out: &mut Vec<Fact>) {
    let dbs: Vec<&Block> = all.iter().filter(|b| b.ty == "aws_db_instance").collect();
    for d in &m.dbs {
        let base = tf(&d.name);
        let primaries: Vec<&&Block> = dbs
            .iter()
            .filter(|b| attr(&b.lines, 2, "replicate_source_db").is_none())
            .filter(|b| {
                b.label == base
                    || b.label
                        .strip_prefix(&format!("{base}_shard_"))
                        .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()))
            })
            .collect();
        let Some(first) = primaries.first() else {
            continue;
        };
        let mut f = Fact::new("db", &d.name, "shards", primaries.len());
        f.file = first.file.to_string();
        out.push(f);
        for (i, p) in primaries.iter().enumerate() {
            let source = format!("aws_db_instance.{}.identifier", p.label);
            // Several data centers: the module's replicas name their primary
            // by its ARN in `local.primaries` (see emit::terraform::multi).
            let in_module = format!("local.primaries.rds_{}.arn", p.label);
            let n = dbs
                .iter()
                .filter(|b| {
                    attr(&b.lines, 2, "replicate_source_db")
                        .is_some_and(|s| s == source || s.contains(&in_module))
                })
                .count();
            let mut f = Fact::new("db", &d.name, format!("replicas of shard {}", i + 1), n);
            f.file = p.file.to_string();
            out.push(f);
        }
    }
}

/// `# Cache NAME: …` followed by `# TTL 10m (600 s): …`: ElastiCache has no
/// default expiry, so the TTL is stated where the cache is declared.
fn cache_ttls(m: &Model, files: &[OutFile], out: &mut Vec<Fact>) {
    for f in files.iter().filter(|f| f.path.ends_with(".tf")) {
        let mut cache: Option<&str> = None;
        for line in f.contents.lines() {
            if let Some(rest) = line.strip_prefix("# Cache ") {
                let name = rest.split(':').next().unwrap_or_default();
                cache = m
                    .caches
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| c.name.as_str());
            } else if let (Some(c), Some(rest)) = (cache, line.strip_prefix("# TTL ")) {
                let secs = rest
                    .split_once('(')
                    .and_then(|(_, r)| r.split_whitespace().next())
                    .unwrap_or_default();
                let mut fact = Fact::new("cache", c, "ttl", secs);
                fact.file = f.path.clone();
                out.push(fact);
            } else if !line.starts_with('#') {
                cache = None;
            }
        }
    }
}
