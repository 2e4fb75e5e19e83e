//! The tera engine of the `k8s` target: its templates (`templates/k8s/`)
//! and the `yaml` filter they quote names with.

use crate::emit::templates::{engine, json_quote};
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Tera, Value};

static ENGINE: OnceLock<Tera> = OnceLock::new();

pub(in crate::emit) fn tera() -> &'static Tera {
    ENGINE.get_or_init(|| {
        let mut t = engine(&[
            (
                "file",
                include_str!("../../../templates/k8s/file.yaml.tera"),
            ),
            (
                "namespace",
                include_str!("../../../templates/k8s/namespace.yaml.tera"),
            ),
            (
                "network-policy",
                include_str!("../../../templates/k8s/network-policy.yaml.tera"),
            ),
            (
                "service",
                include_str!("../../../templates/k8s/service.yaml.tera"),
            ),
            (
                "workload",
                include_str!("../../../templates/k8s/workload.yaml.tera"),
            ),
            ("hpa", include_str!("../../../templates/k8s/hpa.yaml.tera")),
            ("pdb", include_str!("../../../templates/k8s/pdb.yaml.tera")),
            (
                "ingress",
                include_str!("../../../templates/k8s/ingress.yaml.tera"),
            ),
            (
                "config-map",
                include_str!("../../../templates/k8s/config-map.yaml.tera"),
            ),
            (
                "rbac",
                include_str!("../../../templates/k8s/rbac.yaml.tera"),
            ),
            (
                "kustomization",
                include_str!("../../../templates/k8s/kustomization.yaml.tera"),
            ),
            (
                "fluent-bit.conf",
                include_str!("../../../templates/k8s/fluent-bit.conf.tera"),
            ),
            (
                "prometheus.yml",
                include_str!("../../../templates/k8s/prometheus.yml.tera"),
            ),
        ]);
        t.register_filter("yaml", yaml_filter);
        t
    })
}

/// Text ending with exactly one newline.
pub(super) fn one_newline(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// YAML scalar for names, label values and paths: plain when it cannot be
/// read as anything but a string, JSON-quoted otherwise (`on`, `no`, `null`,
/// `true` are names in the language but booleans/null in YAML 1.1).
fn yaml_scalar(s: &str) -> String {
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '/');
    let rest_ok = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-./_".contains(c));
    if first_ok && rest_ok && !SPECIAL.contains(&s) {
        s.to_string()
    } else {
        json_quote(s)
    }
}

fn yaml_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    match v {
        Value::String(s) => Ok(Value::String(yaml_scalar(s))),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        _ => Err(tera::Error::msg(format!(
            "filter yaml expects a string, got {v}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_scalar_quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("web"), "web");
        assert_eq!(yaml_scalar("db-shard-1"), "db-shard-1");
        assert_eq!(yaml_scalar("/health"), "/health");
        assert_eq!(yaml_scalar("on"), "\"on\"");
        assert_eq!(yaml_scalar("no"), "\"no\"");
        assert_eq!(yaml_scalar("8080"), "\"8080\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}
