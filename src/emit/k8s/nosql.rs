//! `30-nosql-<name>.yaml`: how a NoSQL store is deployed. MongoDB: one
//! StatefulSet that is one replica set (scripts in `replication.rs`);
//! DynamoDB: dynamodb-local standing in for the AWS service.

use super::emitter::{plural, File, K8s, DEFAULT_VOLUME_GB};
use super::images;
use super::objects::*;
use super::replication::*;
use crate::emit::Result;
use crate::model::{Nosql, NosqlEngine, SizeClass};

impl K8s<'_> {
    pub(super) fn nosql_file(&self, n: &Nosql) -> Result<File> {
        let name = &n.name;
        let small = SizeClass::Small.resources();
        let mut docs = Vec::new();
        let mut meta = self.meta(name, "nosql");
        let workload = match n.engine {
            NosqlEngine::Mongodb => {
                let scripts = replication_config_name(&n.name);
                docs.push(self.doc(
                    "config-map",
                    &ConfigMap {
                        meta: Meta {
                            notes: vec![format!(
                                "Replica set scripts of every pod of MongoDB \"{name}\" (the StatefulSet below mounts them)."
                            )],
                            ..self.meta(&scripts, "nosql")
                        },
                        data: mongo_scripts(n),
                        env: false,
                    },
                )?);
                let mut svc = self.meta(name, "nosql");
                svc.notes.push(
                    "publishNotReadyAddresses: a pod is ready once it is a member of the replica set, and it"
                        .into(),
                );
                svc.notes.push(
                    "becomes one by its DNS name: the members must resolve each other before that."
                        .into(),
                );
                docs.push(self.doc(
                    "service",
                    &Service {
                        meta: svc,
                        headless: true,
                        publish_not_ready: true,
                        selector: selector(name),
                        ports: vec![Port {
                            name: "mongodb",
                            port: n.port,
                        }],
                    },
                )?);
                meta.notes.push(format!(
                    "Instances {} are the pods {name}-0..{name}-{}, members of replica set \"{name}\"",
                    n.instances.join(", "),
                    n.count - 1
                ));
                meta.notes.extend(mongo_notes(n, &scripts));
                let password = n.password_env.as_deref().unwrap_or_default();
                Workload {
                    kind: "StatefulSet",
                    meta,
                    replicas: Some(n.count),
                    service_name: Some(name.clone()),
                    selector: selector(name),
                    // Also with one pod: the template must not depend on the
                    // number of instances (see mongo_notes).
                    spread: true,
                    pod: Pod {
                        volumes: vec![Volume {
                            name: "replication",
                            empty_dir: false,
                            config_map: Some(scripts.clone()),
                            host_path: None,
                        }],
                        ..self.data_pod(
                            name,
                            "nosql",
                            Container {
                                name: "mongodb".into(),
                                image: images::MONGODB.into(),
                                command: vec![
                                    "sh".into(),
                                    format!("{REPLICATION_DIR}/{START_KEY}"),
                                ],
                                args: Vec::new(),
                                ports: vec![Port {
                                    name: "mongodb",
                                    port: n.port,
                                }],
                                env: vec![
                                    Env::value("MONGO_INITDB_ROOT_USERNAME", MONGO_USER),
                                    Env::secret("MONGO_INITDB_ROOT_PASSWORD", password),
                                ],
                                probes: vec![
                                    // Joining the set takes a few mongosh runs.
                                    Probe {
                                        timeout: 20,
                                        ..Probe::exec(
                                            vec![
                                                "sh".into(),
                                                format!("{REPLICATION_DIR}/{READY_KEY}"),
                                            ],
                                            10,
                                            10,
                                        )
                                    }
                                    .ready(),
                                    Probe::tcp("mongodb", 30, 20).live(),
                                ],
                                cpu: small.cpu.clone(),
                                memory: mib(small.memory_mb),
                                mounts: vec![
                                    Mount {
                                        name: "data",
                                        path: "/data/db",
                                        sub_path: Some("mongodb"),
                                        read_only: false,
                                    },
                                    Mount {
                                        name: "replication",
                                        path: REPLICATION_DIR,
                                        sub_path: None,
                                        read_only: true,
                                    },
                                ],
                                env_from: Vec::new(),
                                restricted: false,
                            },
                        )
                    },
                    claims: vec![Claim {
                        name: "data",
                        storage_gb: DEFAULT_VOLUME_GB,
                    }],
                }
            }
            NosqlEngine::Dynamodb => {
                docs.push(self.cluster_service(name, "nosql", "dynamodb", n.port)?);
                meta.notes.push(
                    "DynamoDB is an AWS service: in the cluster, dynamodb-local (in memory) stands in for it.".into(),
                );
                Workload {
                    kind: "Deployment",
                    meta,
                    replicas: Some(n.count),
                    service_name: None,
                    selector: selector(name),
                    spread: n.count > 1,
                    pod: self.data_pod(
                        name,
                        "nosql",
                        Container {
                            name: "dynamodb".into(),
                            image: images::DYNAMODB_LOCAL.into(),
                            command: Vec::new(),
                            args: Vec::new(),
                            ports: vec![Port {
                                name: "dynamodb",
                                port: n.port,
                            }],
                            env: Vec::new(),
                            probes: vec![
                                Probe::tcp("dynamodb", 5, 10).ready(),
                                Probe::tcp("dynamodb", 15, 20).live(),
                            ],
                            cpu: small.cpu.clone(),
                            memory: mib(small.memory_mb),
                            mounts: Vec::new(),
                            env_from: Vec::new(),
                            restricted: false,
                        },
                    ),
                    claims: Vec::new(),
                }
            }
        };
        docs.push(self.doc("workload", &workload)?);
        if n.count > 1 {
            docs.push(self.pdb(name, "nosql")?);
        }
        Ok(File {
            path: format!("30-nosql-{name}.yaml"),
            intro: vec![format!(
                "NoSQL store \"{name}\" ({}): {}.",
                match n.engine {
                    NosqlEngine::Mongodb => "mongodb",
                    NosqlEngine::Dynamodb => "dynamodb",
                },
                plural(n.count, "instance")
            )],
            docs,
        })
    }
}
