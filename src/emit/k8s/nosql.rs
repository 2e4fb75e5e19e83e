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
        let mut docs = Vec::new();
        let workload = match n.engine {
            NosqlEngine::Mongodb => self.mongodb_replica_set(n, &mut docs)?,
            NosqlEngine::Dynamodb => {
                docs.push(self.cluster_service(name, "nosql", "dynamodb", n.port)?);
                self.dynamodb_deployment(n)
            }
        };
        docs.push(self.workload(workload)?);
        if n.count > 1 {
            docs.push(self.pdb(name, "nosql")?);
        }
        Ok(File {
            path: format!("30-nosql-{name}.yaml"),
            intro: vec![nosql_intro(n)],
            docs,
        })
    }

    /// Adds the ConfigMap of replica set scripts and the headless Service to
    /// `docs`; returns the StatefulSet, which the caller adds after them.
    fn mongodb_replica_set(&self, n: &Nosql, docs: &mut Vec<String>) -> Result<Workload> {
        let scripts = replication_config_name(&n.name);
        docs.push(self.mongodb_config_map(n, &scripts)?);
        docs.push(self.mongodb_service(n)?);
        Ok(self.mongodb_statefulset(n, &scripts))
    }

    fn mongodb_config_map(&self, n: &Nosql, scripts: &str) -> Result<String> {
        let meta = Meta {
            notes: vec![format!(
                "Replica set scripts of every pod of MongoDB \"{}\" (the StatefulSet below mounts them).",
                n.name
            )],
            ..self.meta(scripts, "nosql")
        };
        self.files_config_map(meta, mongo_scripts(n))
    }

    fn mongodb_service(&self, n: &Nosql) -> Result<String> {
        let name = &n.name;
        let mut svc = self.meta(name, "nosql");
        svc.notes.push(
            "publishNotReadyAddresses: a pod is ready once it is a member of the replica set, and it"
                .into(),
        );
        svc.notes.push(
            "becomes one by its DNS name: the members must resolve each other before that.".into(),
        );
        self.doc(
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
        )
    }

    fn mongodb_statefulset(&self, n: &Nosql, scripts: &str) -> Workload {
        let name = &n.name;
        let mut meta = self.meta(name, "nosql");
        meta.notes.push(format!(
            "Instances {} are the pods {name}-0..{name}-{}, members of replica set \"{name}\"",
            n.instances.join(", "),
            n.count - 1
        ));
        meta.notes.extend(mongo_notes(n, scripts));
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
                volumes: vec![Volume::config_map("replication", scripts)],
                ..self.data_pod(name, "nosql", mongodb_container(n))
            },
            claims: vec![Claim {
                name: "data",
                storage_gb: DEFAULT_VOLUME_GB,
            }],
        }
    }

    fn dynamodb_deployment(&self, n: &Nosql) -> Workload {
        let name = &n.name;
        let mut meta = self.meta(name, "nosql");
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
            pod: self.data_pod(name, "nosql", dynamodb_container(n)),
            claims: Vec::new(),
        }
    }
}

/// mongod started by `start.sh`, ready once `ready.sh` finds it a member of
/// the set (see `replication.rs`).
fn mongodb_container(n: &Nosql) -> Container {
    let small = SizeClass::Small.resources();
    let password = n.password_env.as_deref().unwrap_or_default();
    Container {
        name: "mongodb".into(),
        image: images::MONGODB.into(),
        command: vec!["sh".into(), format!("{REPLICATION_DIR}/{START_KEY}")],
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
                    vec!["sh".into(), format!("{REPLICATION_DIR}/{READY_KEY}")],
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
        caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
        read_only_root: false,
    }
}

fn dynamodb_container(n: &Nosql) -> Container {
    let small = SizeClass::Small.resources();
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
        caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
        read_only_root: false,
    }
}

fn nosql_intro(n: &Nosql) -> String {
    format!(
        "NoSQL store \"{}\" ({}): {}.",
        n.name,
        match n.engine {
            NosqlEngine::Mongodb => "mongodb",
            NosqlEngine::Dynamodb => "dynamodb",
        },
        plural(n.count, "instance")
    )
}
