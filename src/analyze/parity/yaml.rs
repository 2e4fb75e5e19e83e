//! Compose and Kubernetes output read back as YAML. The model supplies only
//! the component names to look for; every number and path comes from the text.

use super::{lbconf, Fact};
use crate::emit::OutFile;
use crate::model::Model;
use serde_yaml::Value;

fn docs(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    // Up to the first document that does not read: serde_yaml's stream
    // yields that error again and again, so skipping it never ends.
    serde_yaml::Deserializer::from_str(text)
        .map_while(|d| Value::deserialize(d).ok())
        .filter(|v| !v.is_null())
        .map(|mut v| {
            // Compose shares the app environment through `<<: *app-env`:
            // read it as Compose does, with the merge keys applied.
            let _ = v.apply_merge();
            v
        })
        .collect()
}

/// The first error in reading `text` as a stream of YAML documents.
pub(super) fn parse_error(text: &str) -> Option<String> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .find_map(|d| Value::deserialize(d).err())
        .map(|e| e.to_string())
}

fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn fact(
    out: &mut Vec<Fact>,
    file: &str,
    kind: &'static str,
    name: &str,
    what: impl Into<String>,
    value: impl ToString,
) {
    let mut f = Fact::new(kind, name, what, value);
    f.file = file.to_string();
    out.push(f);
}

/// `name-<digits>`: an instance of tier `name`.
fn instance_of(service: &str, tier: &str) -> bool {
    service
        .strip_prefix(tier)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A primary of db `tier`: `db` or `db-shard-<k>`.
fn primary_of(service: &str, tier: &str) -> bool {
    service == tier
        || service
            .strip_prefix(tier)
            .and_then(|r| r.strip_prefix("-shard-"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The environment variable that carries a cache's TTL: `SESSIONS_STORE_TTL_SECONDS`.
fn ttl_var(cache: &str) -> String {
    format!(
        "{}_TTL_SECONDS",
        cache.to_ascii_uppercase().replace('-', "_")
    )
}

pub fn compose(m: &Model, files: &[OutFile]) -> Vec<Fact> {
    let mut out = Vec::new();
    // The balancer configs Compose mounts are read as the standalone ones.
    for f in files {
        if f.path.starts_with("nginx/") {
            out.extend(lbconf::nginx(&f.path, &f.contents));
        } else if f.path.starts_with("haproxy/") {
            out.extend(lbconf::haproxy(&f.path, &f.contents));
        }
    }
    let Some(file) = files.iter().find(|f| f.path == "compose.yaml") else {
        return out;
    };
    let p = file.path.as_str();
    let Some(doc) = docs(&file.contents).into_iter().next() else {
        return out;
    };
    let Some(Value::Mapping(services)) = doc.get("services") else {
        return out;
    };
    let services: Vec<(String, &Value)> = services
        .iter()
        .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v)))
        .collect();
    let count = |tier: &str| {
        services
            .iter()
            .filter(|(n, _)| instance_of(n, tier))
            .count()
    };
    for w in &m.webs {
        compose_web(&mut out, p, &w.name, &services);
    }
    for w in &m.workers {
        fact(&mut out, p, "worker", &w.name, "instances", count(&w.name));
    }
    for c in &m.caches {
        fact(&mut out, p, "cache", &c.name, "instances", count(&c.name));
        let var = ttl_var(&c.name);
        for (_, s) in &services {
            if let Some(t) = scalar(at(s, &["environment", var.as_str()])) {
                fact(&mut out, p, "cache", &c.name, "ttl", t);
            }
        }
    }
    for d in &m.dbs {
        compose_db(&mut out, p, &d.name, &services);
    }
    out
}

/// A web tier's services (one per instance), each with its port and the path
/// its healthcheck asks for.
fn compose_web(out: &mut Vec<Fact>, p: &str, tier: &str, services: &[(String, &Value)]) {
    let mine: Vec<_> = services
        .iter()
        .filter(|(n, _)| instance_of(n, tier))
        .collect();
    fact(out, p, "web", tier, "instances", mine.len());
    for (_, s) in mine {
        if let Some(port) = at(s, &["expose"]).and_then(|e| scalar(e.get(0))) {
            fact(out, p, "web", tier, "port", port);
        }
        let url = at(s, &["healthcheck", "test"])
            .and_then(|t| t.as_sequence())
            .and_then(|t| scalar(t.last()));
        if let Some(path) = url.as_deref().and_then(url_path) {
            fact(out, p, "web", tier, "health", path);
        }
    }
}

/// A database's primaries (one per shard) and the replica services of each.
fn compose_db(out: &mut Vec<Fact>, p: &str, db: &str, services: &[(String, &Value)]) {
    let primaries: Vec<&String> = services
        .iter()
        .map(|(n, _)| n)
        .filter(|n| primary_of(n, db))
        .collect();
    fact(out, p, "db", db, "shards", primaries.len());
    for (i, pr) in primaries.iter().enumerate() {
        let replica_tier = format!("{pr}-replica");
        let replicas = services
            .iter()
            .filter(|(n, _)| instance_of(n, &replica_tier))
            .count();
        fact(
            out,
            p,
            "db",
            db,
            format!("replicas of shard {}", i + 1),
            replicas,
        );
    }
}

/// `http://127.0.0.1:8080/health` -> `/health`.
fn url_path(url: &str) -> Option<String> {
    let rest = url.split("://").nth(1)?;
    rest.find('/').map(|i| rest[i..].to_string())
}

fn kind_of(v: &Value) -> (&str, &str, &str) {
    let s = |p: &[&str]| at(v, p).and_then(|x| x.as_str()).unwrap_or("");
    (
        s(&["kind"]),
        s(&["metadata", "name"]),
        s(&["metadata", "labels", "app.kubernetes.io/component"]),
    )
}

fn replicas(v: &Value) -> Option<String> {
    scalar(at(v, &["spec", "replicas"]))
}

pub fn k8s(m: &Model, files: &[OutFile]) -> Vec<Fact> {
    let mut out = Vec::new();
    let all: Vec<(&str, Value)> = files
        .iter()
        .filter(|f| f.path.ends_with(".yaml"))
        .flat_map(|f| {
            docs(&f.contents)
                .into_iter()
                .map(move |d| (f.path.as_str(), d))
        })
        .collect();
    for (p, v) in &all {
        let (kind, name, component) = kind_of(v);
        match (kind, component) {
            ("Deployment", "web") => web_deployment(&mut out, p, name, v),
            ("HorizontalPodAutoscaler", "web") => {
                let target = scalar(at(v, &["spec", "scaleTargetRef", "name"])).unwrap_or_default();
                if let Some(n) = scalar(at(v, &["spec", "minReplicas"])) {
                    fact(&mut out, p, "web", &target, "instances", n);
                }
                if let Some(n) = scalar(at(v, &["spec", "maxReplicas"])) {
                    fact(&mut out, p, "web", &target, "max instances", n);
                }
            }
            ("Deployment", "worker") => {
                if let Some(r) = replicas(v) {
                    fact(&mut out, p, "worker", name, "instances", r);
                }
            }
            ("StatefulSet", "cache") | ("Deployment", "cache") => {
                if let Some(r) = replicas(v) {
                    fact(&mut out, p, "cache", name, "instances", r);
                }
            }
            ("Ingress", "lb") => ingress(&mut out, p, name, v, &all),
            _ => {}
        }
    }
    for d in &m.dbs {
        k8s_shards(&mut out, &d.name, &all);
    }
    for c in &m.caches {
        k8s_cache_ttl(&mut out, &c.name, &all);
    }
    out
}

/// A web tier's Deployment: its replicas, and the port and readiness path of
/// its (first) container.
fn web_deployment(out: &mut Vec<Fact>, p: &str, name: &str, v: &Value) {
    if let Some(r) = replicas(v) {
        fact(out, p, "web", name, "instances", r);
    }
    let Some(c) = at(v, &["spec", "template", "spec", "containers"]).and_then(|c| c.get(0)) else {
        return;
    };
    if let Some(port) = c
        .get("ports")
        .and_then(|ps| scalar(ps.get(0).and_then(|x| x.get("containerPort"))))
    {
        fact(out, p, "web", name, "port", port);
    }
    if let Some(h) = scalar(at(c, &["readinessProbe", "httpGet", "path"])) {
        fact(out, p, "web", name, "health", h);
    }
}

/// A database's StatefulSets, one per shard: each runs its primary and its
/// replicas as pods, so the replicas are the pods but one.
fn k8s_shards(out: &mut Vec<Fact>, db: &str, all: &[(&str, Value)]) {
    let shards: Vec<(&str, &Value)> = all
        .iter()
        .filter(|(_, v)| {
            let (k, n, c) = kind_of(v);
            k == "StatefulSet" && c == "db" && primary_of(n, db)
        })
        .map(|(p, v)| (*p, v))
        .collect();
    if let Some((p, _)) = shards.first() {
        fact(out, p, "db", db, "shards", shards.len());
    }
    for (i, (p, v)) in shards.iter().enumerate() {
        if let Some(r) = replicas(v).and_then(|r| r.parse::<u32>().ok()) {
            fact(
                out,
                p,
                "db",
                db,
                format!("replicas of shard {}", i + 1),
                r.saturating_sub(1),
            );
        }
    }
}

/// A cache's TTL wherever an app reads it: the shared app environment lives
/// in ConfigMaps (`envFrom`), a container may also set it in its own `env`.
fn k8s_cache_ttl(out: &mut Vec<Fact>, cache: &str, all: &[(&str, Value)]) {
    let var = ttl_var(cache);
    for (p, v) in all {
        if v.get("kind").and_then(|k| k.as_str()) == Some("ConfigMap") {
            if let Some(t) = scalar(at(v, &["data", var.as_str()])) {
                fact(out, p, "cache", cache, "ttl", t);
            }
        }
        let Some(containers) =
            at(v, &["spec", "template", "spec", "containers"]).and_then(|c| c.as_sequence())
        else {
            continue;
        };
        for env in containers
            .iter()
            .filter_map(|c| c.get("env")?.as_sequence())
        {
            for e in env {
                if e.get("name").and_then(|n| n.as_str()) == Some(var.as_str()) {
                    if let Some(t) = scalar(e.get("value")) {
                        fact(out, p, "cache", cache, "ttl", t);
                    }
                }
            }
        }
    }
}

/// An Ingress: the tiers it routes to, how it spreads and pins requests.
fn ingress(out: &mut Vec<Fact>, p: &str, lb: &str, v: &Value, all: &[(&str, Value)]) {
    let ann = |k: &str| scalar(at(v, &["metadata", "annotations", k]));
    let cookie = ann("nginx.ingress.kubernetes.io/affinity").as_deref() == Some("cookie");
    let hash = ann("nginx.ingress.kubernetes.io/upstream-hash-by").is_some();
    let balance = ann("nginx.ingress.kubernetes.io/load-balance");
    let method = if hash {
        "ip-hash".to_string()
    } else {
        match balance.as_deref() {
            // ingress-nginx has no least_conn: ewma also prefers the least busy pod.
            Some("ewma") => "least-conn".to_string(),
            Some(other) => other.to_string(),
            None => "round-robin".to_string(),
        }
    };
    let mut tiers: Vec<String> = Vec::new();
    for rule in at(v, &["spec", "rules"])
        .and_then(|r| r.as_sequence())
        .into_iter()
        .flatten()
    {
        for path in at(rule, &["http", "paths"])
            .and_then(|r| r.as_sequence())
            .into_iter()
            .flatten()
        {
            if let Some(s) = scalar(at(path, &["backend", "service", "name"])) {
                for t in service_tiers(&s, all) {
                    if !tiers.contains(&t) {
                        tiers.push(t);
                    }
                }
            }
        }
    }
    for t in tiers {
        if !cookie {
            fact(out, p, "lb", lb, format!("method to {t}"), &method);
        }
        fact(
            out,
            p,
            "lb",
            lb,
            format!("pinned to {t}"),
            if cookie || hash { "yes" } else { "no" },
        );
    }
}

/// The web tiers a Service sends to: the web Deployments whose pod labels
/// carry every label of the Service's selector.
fn service_tiers(service: &str, all: &[(&str, Value)]) -> Vec<String> {
    let Some(selector) = all
        .iter()
        .find(|(_, v)| kind_of(v).0 == "Service" && kind_of(v).1 == service)
        .and_then(|(_, v)| at(v, &["spec", "selector"]))
        .and_then(|s| s.as_mapping())
    else {
        return Vec::new();
    };
    all.iter()
        .filter(|(_, v)| kind_of(v).0 == "Deployment" && kind_of(v).2 == "web")
        .filter(|(_, v)| {
            let labels = at(v, &["spec", "template", "metadata", "labels"]);
            selector
                .iter()
                .all(|(k, want)| labels.and_then(|l| l.get(k)) == Some(want))
        })
        .map(|(_, v)| kind_of(v).1.to_string())
        .collect()
}
