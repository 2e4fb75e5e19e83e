//! `90-metrics.yaml`: the metrics collector, Prometheus with the RBAC it
//! needs to discover the pods.

use super::emitter::{File, K8s, TIER_OPS};
use super::images;
use super::objects::*;
use crate::emit::Result;

/// The RBAC objects, ConfigMap, Deployment and Service: all one name.
const NAME: &str = "prometheus";
/// Prometheus's own HTTP port (UI, API, its probes).
const PORT: u16 = 9090;

impl K8s<'_> {
    pub(super) fn metrics_file(&self) -> Result<File> {
        let docs = vec![
            self.doc(
                "rbac",
                &Rbac {
                    meta: self.meta(NAME, "metrics"),
                },
            )?,
            self.prometheus_config_map()?,
            self.workload(self.prometheus_deployment())?,
            self.cluster_service(NAME, "metrics", "http", PORT)?,
        ];
        let mut intro = vec![format!(
            "Metrics: Prometheus scrapes every pod in namespace {} annotated prometheus.io/scrape.",
            self.ns
        )];
        if !self.m.webs.is_empty() {
            intro.push(
                "The web tiers are annotated: they serve metrics on their own port at /metrics."
                    .into(),
            );
        }
        Ok(File {
            path: "90-metrics.yaml".into(),
            intro,
            docs,
        })
    }

    /// `prometheus.yml`, from its template.
    fn prometheus_config_map(&self) -> Result<String> {
        let conf = self.tpl.render("prometheus.yml", &self.base_ctx())?;
        self.one_file_config_map(self.meta(NAME, "metrics"), "prometheus.yml", conf)
    }

    fn prometheus_deployment(&self) -> Workload {
        let mut meta = self.meta(NAME, "metrics");
        meta.notes.push(
            "Metrics are kept 15 days on an emptyDir: they start over when the pod moves.".into(),
        );
        Workload {
            kind: "Deployment",
            meta,
            replicas: Some(1),
            service_name: None,
            selector: selector(NAME),
            spread: false,
            pod: Pod {
                labels: self.pod_labels(NAME, "metrics", TIER_OPS),
                annotations: Map::new(),
                service_account: Some(NAME.into()),
                non_root: true,
                // The image's USER is `nobody` by name; runAsNonRoot needs a number.
                run_as_user: Some(65534),
                run_as_group: None,
                fs_group: Some(65534),
                init_containers: Vec::new(),
                containers: vec![prometheus_container()],
                volumes: vec![
                    Volume::config_map("config", NAME),
                    Volume {
                        name: "data",
                        empty_dir: true,
                        config_map: None,
                        host_path: None,
                    },
                ],
            },
            claims: Vec::new(),
        }
    }
}

fn prometheus_container() -> Container {
    Container {
        name: NAME.into(),
        image: images::PROMETHEUS.into(),
        command: Vec::new(),
        args: vec![
            "--config.file=/etc/prometheus/prometheus.yml".into(),
            "--storage.tsdb.path=/prometheus".into(),
            "--storage.tsdb.retention.time=15d".into(),
        ],
        ports: vec![Port {
            name: "http",
            port: PORT,
        }],
        env: Vec::new(),
        probes: vec![
            Probe::http("/-/ready", 5, 10).ready(),
            Probe::http("/-/healthy", 15, 20).live(),
        ],
        cpu: "500m".into(),
        memory: mib(1024),
        mounts: vec![
            Mount {
                name: "config",
                path: "/etc/prometheus",
                sub_path: None,
                read_only: true,
            },
            Mount {
                name: "data",
                path: "/prometheus",
                sub_path: None,
                read_only: false,
            },
        ],
        env_from: Vec::new(),
        caps_add: Vec::new(),
        read_only_root: true,
    }
}
