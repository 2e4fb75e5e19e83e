//! `80-logs.yaml`: the logs collector, fluent-bit on every node.

use super::emitter::{File, K8s, TIER_OPS};
use super::images;
use super::objects::*;
use crate::emit::Result;

/// The ConfigMap, the DaemonSet and their pods' name.
const NAME: &str = "fluent-bit";
/// fluent-bit's built-in HTTP server, for its health endpoint.
const HEALTH_PORT: u16 = 2020;

impl K8s<'_> {
    pub(super) fn logs_file(&self) -> Result<File> {
        let docs = vec![
            self.fluent_bit_config_map()?,
            self.workload(self.fluent_bit_daemonset())?,
        ];
        Ok(File {
            path: "80-logs.yaml".into(),
            intro: vec![
                format!("Central logs: fluent-bit on every node collects the logs of the pods in namespace {}.", self.ns),
                "Point the [OUTPUT] section at your log store (Elasticsearch, Loki, CloudWatch, ...).".into(),
            ],
            docs,
        })
    }

    /// `fluent-bit.conf`, from its template.
    fn fluent_bit_config_map(&self) -> Result<String> {
        let mut ctx = self.base_ctx();
        ctx.insert("ns", &self.ns);
        ctx.insert("health_port", &HEALTH_PORT);
        let conf = self.tpl.render("fluent-bit.conf", &ctx)?;
        self.one_file_config_map(self.meta(NAME, "logs"), "fluent-bit.conf", conf)
    }

    fn fluent_bit_daemonset(&self) -> Workload {
        let mut meta = self.meta(NAME, "logs");
        meta.notes.push(
            "Runs as root: container logs under /var/log on the node are readable by root only."
                .into(),
        );
        Workload {
            kind: "DaemonSet",
            meta,
            replicas: None,
            service_name: None,
            selector: selector(NAME),
            spread: false,
            pod: Pod {
                labels: self.pod_labels(NAME, "logs", TIER_OPS),
                annotations: Map::new(),
                service_account: None,
                non_root: false,
                run_as_user: None,
                run_as_group: None,
                fs_group: None,
                init_containers: Vec::new(),
                containers: vec![fluent_bit_container()],
                volumes: vec![
                    Volume::config_map("config", NAME),
                    Volume {
                        name: "varlog",
                        empty_dir: false,
                        config_map: None,
                        host_path: Some("/var/log"),
                    },
                ],
            },
            claims: Vec::new(),
        }
    }
}

fn fluent_bit_container() -> Container {
    Container {
        name: NAME.into(),
        image: images::FLUENT_BIT.into(),
        command: Vec::new(),
        args: Vec::new(),
        ports: vec![Port {
            name: "http",
            port: HEALTH_PORT,
        }],
        env: Vec::new(),
        probes: vec![
            Probe::http("/api/v1/health", 5, 10).ready(),
            Probe::http("/api/v1/health", 15, 20).live(),
        ],
        cpu: "100m".into(),
        memory: mib(128),
        mounts: vec![
            Mount {
                name: "config",
                path: "/fluent-bit/etc/",
                sub_path: None,
                read_only: true,
            },
            Mount {
                name: "varlog",
                path: "/var/log",
                sub_path: None,
                read_only: true,
            },
        ],
        env_from: Vec::new(),
        caps_add: Vec::new(),
        read_only_root: true,
    }
}
