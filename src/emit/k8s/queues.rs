//! `40-queue-<name>.yaml`: how a queue is deployed. RabbitMQ and redis run
//! as StatefulSets on a volume; SQS is stood in for by ElasticMQ.

use super::emitter::{File, K8s, DEFAULT_VOLUME_GB};
use super::images;
use super::objects::*;
use crate::emit::Result;
use crate::model::{Queue, QueueEngine, SizeClass};

impl K8s<'_> {
    pub(super) fn queue_file(&self, q: &Queue) -> Result<File> {
        let name = &q.name;
        let small = SizeClass::Small.resources();
        let mut meta = self.meta(name, "queue");
        let (kind, port_name, container, claims) = match q.engine {
            QueueEngine::Rabbitmq => {
                meta.notes.push(
                    "A StatefulSet: RabbitMQ names its node after the host name, which must stay stable.".into(),
                );
                (
                    "StatefulSet",
                    "amqp",
                    Container {
                        name: "rabbitmq".into(),
                        image: images::RABBITMQ.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: vec![Port {
                            name: "amqp",
                            port: q.port,
                        }],
                        env: vec![
                            Env::value("RABBITMQ_DEFAULT_USER", "app"),
                            Env::secret(
                                "RABBITMQ_DEFAULT_PASS",
                                q.password_env.as_deref().unwrap_or_default(),
                            ),
                        ],
                        probes: vec![
                            Probe {
                                timeout: 10,
                                ..Probe::exec(
                                    vec!["rabbitmq-diagnostics".into(), "-q".into(), "ping".into()],
                                    10,
                                    30,
                                )
                            }
                            .ready(),
                            Probe::tcp("amqp", 60, 30).live(),
                        ],
                        cpu: small.cpu.clone(),
                        memory: mib(small.memory_mb),
                        mounts: vec![Mount {
                            name: "data",
                            path: "/var/lib/rabbitmq",
                            sub_path: Some("rabbitmq"),
                            read_only: false,
                        }],
                        env_from: Vec::new(),
                        restricted: false,
                    },
                    vec![Claim {
                        name: "data",
                        storage_gb: DEFAULT_VOLUME_GB,
                    }],
                )
            }
            QueueEngine::Redis => (
                "StatefulSet",
                "redis",
                Container {
                    name: "redis".into(),
                    image: images::REDIS.into(),
                    command: Vec::new(),
                    // A queue must survive a restart: append-only file on.
                    args: vec!["--appendonly".into(), "yes".into()],
                    ports: vec![Port {
                        name: "redis",
                        port: q.port,
                    }],
                    env: Vec::new(),
                    probes: vec![
                        Probe::exec(vec!["redis-cli".into(), "ping".into()], 5, 10).ready(),
                        Probe::tcp("redis", 15, 20).live(),
                    ],
                    cpu: small.cpu.clone(),
                    memory: mib(small.memory_mb),
                    mounts: vec![Mount {
                        name: "data",
                        path: "/data",
                        sub_path: Some("redis"),
                        read_only: false,
                    }],
                    env_from: Vec::new(),
                    restricted: false,
                },
                vec![Claim {
                    name: "data",
                    storage_gb: DEFAULT_VOLUME_GB,
                }],
            ),
            QueueEngine::Sqs => {
                meta.notes.push(
                    "SQS is an AWS service: in the cluster, ElasticMQ (SQS API, in memory) stands in for it.".into(),
                );
                (
                    "Deployment",
                    "sqs",
                    Container {
                        name: "elasticmq".into(),
                        image: images::ELASTICMQ.into(),
                        command: Vec::new(),
                        args: Vec::new(),
                        ports: vec![Port {
                            name: "sqs",
                            port: q.port,
                        }],
                        env: Vec::new(),
                        probes: vec![
                            Probe::tcp("sqs", 5, 10).ready(),
                            Probe::tcp("sqs", 15, 20).live(),
                        ],
                        cpu: small.cpu.clone(),
                        memory: mib(small.memory_mb),
                        mounts: Vec::new(),
                        env_from: Vec::new(),
                        restricted: false,
                    },
                    Vec::new(),
                )
            }
        };
        let mut docs = Vec::new();
        docs.push(if kind == "StatefulSet" {
            self.headless_service(
                name,
                "queue",
                Port {
                    name: port_name,
                    port: q.port,
                },
            )?
        } else {
            self.cluster_service(name, "queue", port_name, q.port)?
        });
        docs.push(self.doc(
            "workload",
            &Workload {
                kind,
                meta,
                replicas: Some(1),
                service_name: (kind == "StatefulSet").then(|| name.clone()),
                selector: selector(name),
                spread: false,
                pod: self.data_pod(name, "queue", container),
                claims,
            },
        )?);
        Ok(File {
            path: format!("40-queue-{name}.yaml"),
            intro: vec![format!(
                "Queue \"{name}\" ({}).",
                match q.engine {
                    QueueEngine::Rabbitmq => "rabbitmq",
                    QueueEngine::Redis => "redis",
                    QueueEngine::Sqs => "sqs",
                }
            )],
            docs,
        })
    }
}
