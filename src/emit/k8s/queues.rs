//! `40-queue-<name>.yaml`: how a queue is deployed. RabbitMQ and redis run
//! as StatefulSets on a volume; SQS is stood in for by ElasticMQ.

use super::emitter::{File, K8s, DEFAULT_VOLUME_GB};
use super::images;
use super::objects::*;
use crate::emit::Result;
use crate::model::{Queue, QueueEngine, SizeClass};

/// What this target runs for a queue engine.
struct QueueServer {
    /// `StatefulSet` (a broker with a stable name or a volume) or
    /// `Deployment` (an in-memory emulator).
    kind: &'static str,
    port_name: &'static str,
    container: Container,
    claims: Vec<Claim>,
    /// Why the engine runs as it does, for the workload's comment.
    note: Option<&'static str>,
}

impl QueueServer {
    fn stateful(&self) -> bool {
        self.kind == "StatefulSet"
    }
}

fn queue_server(q: &Queue) -> QueueServer {
    match q.engine {
        QueueEngine::Rabbitmq => rabbitmq(q),
        QueueEngine::Redis => redis_queue(q),
        QueueEngine::Sqs => elasticmq(q),
    }
}

fn rabbitmq(q: &Queue) -> QueueServer {
    let small = SizeClass::Small.resources();
    QueueServer {
        kind: "StatefulSet",
        port_name: "amqp",
        container: Container {
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
            mounts: vec![data_mount("/var/lib/rabbitmq", "rabbitmq")],
            env_from: Vec::new(),
            caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
            read_only_root: false,
        },
        claims: data_claim(),
        note: Some(
            "A StatefulSet: RabbitMQ names its node after the host name, which must stay stable.",
        ),
    }
}

fn redis_queue(q: &Queue) -> QueueServer {
    let small = SizeClass::Small.resources();
    QueueServer {
        kind: "StatefulSet",
        port_name: "redis",
        container: Container {
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
            mounts: vec![data_mount("/data", "redis")],
            env_from: Vec::new(),
            caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
            read_only_root: false,
        },
        claims: data_claim(),
        note: None,
    }
}

fn elasticmq(q: &Queue) -> QueueServer {
    let small = SizeClass::Small.resources();
    QueueServer {
        kind: "Deployment",
        port_name: "sqs",
        container: Container {
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
            caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
            read_only_root: false,
        },
        claims: Vec::new(),
        note: Some(
            "SQS is an AWS service: in the cluster, ElasticMQ (SQS API, in memory) stands in for it.",
        ),
    }
}

/// A new volume holds lost+found: the server's data directory is a
/// subdirectory.
fn data_mount(path: &'static str, sub_path: &'static str) -> Mount {
    Mount {
        name: "data",
        path,
        sub_path: Some(sub_path),
        read_only: false,
    }
}

/// The design gives a queue no size: the default volume.
fn data_claim() -> Vec<Claim> {
    vec![Claim {
        name: "data",
        storage_gb: DEFAULT_VOLUME_GB,
    }]
}

impl K8s<'_> {
    pub(super) fn queue_file(&self, q: &Queue) -> Result<File> {
        let server = queue_server(q);
        let docs = vec![
            self.queue_service(q, &server)?,
            self.workload(self.queue_workload(q, server))?,
        ];
        Ok(File {
            path: format!("40-queue-{}.yaml", q.name),
            intro: vec![queue_intro(q)],
            docs,
        })
    }

    /// A StatefulSet's pods need the headless Service for their stable
    /// names; an emulator is reached through a plain one.
    fn queue_service(&self, q: &Queue, server: &QueueServer) -> Result<String> {
        if server.stateful() {
            self.headless_service(
                &q.name,
                "queue",
                Port {
                    name: server.port_name,
                    port: q.port,
                },
            )
        } else {
            self.cluster_service(&q.name, "queue", server.port_name, q.port)
        }
    }

    fn queue_workload(&self, q: &Queue, server: QueueServer) -> Workload {
        let name = &q.name;
        let mut meta = self.meta(name, "queue");
        meta.notes.extend(server.note.map(String::from));
        Workload {
            kind: server.kind,
            meta,
            replicas: Some(1),
            service_name: server.stateful().then(|| name.clone()),
            selector: selector(name),
            spread: false,
            pod: self.data_pod(name, "queue", server.container),
            claims: server.claims,
        }
    }
}

fn queue_intro(q: &Queue) -> String {
    format!(
        "Queue \"{}\" ({}).",
        q.name,
        match q.engine {
            QueueEngine::Rabbitmq => "rabbitmq",
            QueueEngine::Redis => "redis",
            QueueEngine::Sqs => "sqs",
        }
    )
}
