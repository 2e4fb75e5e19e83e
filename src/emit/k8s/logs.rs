//! `80-logs.yaml`: the logs collector, fluent-bit on every node.

use super::emitter::{File, K8s, TIER_OPS};
use super::engine::tera;
use super::images;
use super::objects::*;
use crate::emit::templates::render;
use crate::emit::Result;

impl K8s<'_> {
    pub(super) fn logs_file(&self) -> Result<File> {
        let name = "fluent-bit";
        let mut ctx = self.base_ctx();
        ctx.insert("ns", &self.ns);
        let conf = render(tera(), "fluent-bit.conf", &ctx)?;
        let mut data = Map::new();
        data.insert("fluent-bit.conf".into(), conf);
        let mut docs = vec![self.doc(
            "config-map",
            &ConfigMap {
                meta: self.meta(name, "logs"),
                data,
                env: false,
            },
        )?];
        let mut meta = self.meta(name, "logs");
        meta.notes.push(
            "Runs as root: container logs under /var/log on the node are readable by root only."
                .into(),
        );
        docs.push(self.doc(
            "workload",
            &Workload {
                kind: "DaemonSet",
                meta,
                replicas: None,
                service_name: None,
                selector: selector(name),
                spread: false,
                pod: Pod {
                    labels: self.pod_labels(name, "logs", TIER_OPS),
                    annotations: Map::new(),
                    service_account: None,
                    non_root: false,
                    run_as_user: None,
                    fs_group: None,
                    init_containers: Vec::new(),
                    containers: vec![Container {
                        name: name.into(),
                        image: images::FLUENT_BIT.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: Vec::new(),
                        env: Vec::new(),
                        probes: Vec::new(),
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
                        restricted: true,
                    }],
                    volumes: vec![
                        Volume {
                            name: "config",
                            empty_dir: false,
                            config_map: Some(name.into()),
                            host_path: None,
                        },
                        Volume {
                            name: "varlog",
                            empty_dir: false,
                            config_map: None,
                            host_path: Some("/var/log"),
                        },
                    ],
                },
                claims: Vec::new(),
            },
        )?);
        Ok(File {
            path: "80-logs.yaml".into(),
            intro: vec![
                format!("Central logs: fluent-bit on every node collects the logs of the pods in namespace {}.", self.ns),
                "Point the [OUTPUT] section at your log store (Elasticsearch, Loki, CloudWatch, ...).".into(),
            ],
            docs,
        })
    }
}
