//! The central log collector and the metrics server.

use super::passes::Builder;
use super::project::ConfigFile;
use super::service::{cmd, compose_escape, ConfigMount, Healthcheck, Service, BACKEND};
use crate::model::Model;

use crate::model::runtime::images;

/// Service names of the central log collector and the metrics server.
pub(super) const LOGS: &str = "logs";
const METRICS: &str = "metrics";
pub(super) const FLUENT_FORWARD_PORT: u16 = 24224;

impl Builder<'_> {
    /// The central log collector, when the design has `logs`.
    pub(super) fn logs(&mut self) {
        if self.m.logs.is_none() {
            return;
        }
        let vol = self.volume(LOGS);
        self.config(
            "logs-config",
            "Fluent Bit: receives logs over the Fluentd forward protocol and keeps them in its volume.",
            FLUENT_BIT_CONFIG,
        );
        self.service(Service {
            name: LOGS.into(),
            comments: vec![
                format!("Central logs: applications ship to {LOGS}:{FLUENT_FORWARD_PORT} (LOGS_HOST / LOGS_PORT);"),
                "`docker compose logs` still shows every container's output.".into(),
            ],
            image: images::FLUENT_BIT.into(),
            hostname: Some(LOGS.into()),
            restart: true,
            expose: vec![FLUENT_FORWARD_PORT.to_string()],
            volumes: vec![format!("{vol}:/fluent-bit/log")],
            configs: vec![ConfigMount {
                source: "logs-config",
                target: "/fluent-bit/etc/fluent-bit.conf".into(),
            }],
            networks: vec![BACKEND],
            ..Service::default()
        });
    }

    /// The metrics server, when the design has `metrics`.
    pub(super) fn metrics(&mut self) {
        let m = self.m;
        if m.metrics.is_none() {
            return;
        }
        let vol = self.volume(METRICS);
        let config = prometheus_config(m);
        self.p.configs.push(ConfigFile {
            name: "metrics-config",
            comment: "Prometheus: scrapes /metrics on every web instance.".into(),
            lines: config.lines().map(compose_escape).collect(),
        });
        self.service(Service {
            name: METRICS.into(),
            comments: vec![
                "Metrics: Prometheus on the private network only; query it with".into(),
                "`docker compose exec metrics wget -qO- 'http://127.0.0.1:9090/api/v1/query?query=up'`.".into(),
            ],
            image: images::PROMETHEUS.into(),
            hostname: Some(METRICS.into()),
            restart: true,
            expose: vec!["9090".into()],
            volumes: vec![format!("{vol}:/prometheus")],
            configs: vec![ConfigMount {
                source: "metrics-config",
                target: "/etc/prometheus/prometheus.yml".into(),
            }],
            healthcheck: Some(Healthcheck::new(
                cmd(&["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"]),
                "10s",
            )),
            networks: vec![BACKEND],
            ..Service::default()
        });
    }
}

const FLUENT_BIT_CONFIG: &str = "[SERVICE]
    Flush     1
    Log_Level info

[INPUT]
    Name   forward
    Listen 0.0.0.0
    Port   24224

[OUTPUT]
    Name  file
    Match *
    Path  /fluent-bit/log
";

fn prometheus_config(m: &Model) -> String {
    let mut out = String::from("global:\n  scrape_interval: 15s\nscrape_configs:\n");
    out.push_str(
        "  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:9090']\n",
    );
    for w in &m.webs {
        out.push_str(&format!(
            "  - job_name: {}\n    metrics_path: /metrics\n    static_configs:\n      - targets: [{}]\n",
            w.name,
            w.instances
                .iter()
                .map(|i| format!("'{i}:{}'", w.port))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}
