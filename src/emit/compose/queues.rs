//! Queues (RabbitMQ, redis lists, ElasticMQ for SQS) and the workers that
//! consume them.

use super::caches::redis_ping;
use super::env_example::secret_ref;
use super::passes::Builder;
use super::service::{cmd, labels, limits, literal, plural, Healthcheck, Service, BACKEND};
use crate::model::runtime::images;
use crate::model::{App, QueueEngine};

impl Builder<'_> {
    pub(super) fn queues(&mut self) {
        let m = self.m;
        for q in &m.queues {
            let mut s = Service {
                name: q.name.clone(),
                hostname: Some(q.name.clone()),
                restart: true,
                expose: vec![q.port.to_string()],
                labels: labels(&q.labels),
                networks: vec![BACKEND],
                ..Service::default()
            };
            match q.engine {
                QueueEngine::Rabbitmq => {
                    let var = q.password_env.clone().unwrap_or_default();
                    s.comments = vec![format!("Queue `{}` (RabbitMQ).", q.name)];
                    s.image = images::RABBITMQ.into();
                    s.environment
                        .insert("RABBITMQ_DEFAULT_USER".into(), "app".into());
                    s.environment
                        .insert("RABBITMQ_DEFAULT_PASS".into(), secret_ref(&var));
                    let vol = self.volume(&q.name);
                    s.volumes.push(format!("{vol}:/var/lib/rabbitmq"));
                    s.healthcheck = Some(Healthcheck::new(
                        cmd(&["rabbitmq-diagnostics", "-q", "ping"]),
                        "30s",
                    ));
                }
                QueueEngine::Redis => {
                    s.comments = vec![format!(
                        "Queue `{}` (redis lists): append-only file on, no eviction, so no job is lost.",
                        q.name
                    )];
                    s.image = images::REDIS.into();
                    s.command = [
                        "redis-server",
                        "--appendonly",
                        "yes",
                        "--maxmemory-policy",
                        "noeviction",
                    ]
                    .map(String::from)
                    .to_vec();
                    let vol = self.volume(&q.name);
                    s.volumes.push(format!("{vol}:/data"));
                    s.healthcheck = Some(redis_ping());
                }
                QueueEngine::Sqs => {
                    s.comments = vec![format!(
                        "Queue `{}`: SQS is a managed AWS service; ElasticMQ serves the SQS API locally, in memory (clients create the queue).",
                        q.name
                    )];
                    s.image = images::ELASTICMQ.into();
                }
            }
            self.service(s);
            self.data_services.push(q.name.clone());
        }
    }

    pub(super) fn workers(&mut self) {
        let m = self.m;
        for w in &m.workers {
            for (i, inst) in w.instances.iter().enumerate() {
                let mut comments = Vec::new();
                if i == 0 {
                    comments.push(format!(
                        "Worker `{}`: {} consuming queue `{}`.",
                        w.name,
                        plural(w.instances.len(), "instance"),
                        w.queue
                    ));
                }
                if i == 0 && w.placeholder {
                    comments.extend(super::web::placeholder_note(&format!(
                        "worker `{}`",
                        w.name
                    )));
                }
                let env = self.own_env(App::Worker(&w.name));
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: literal(&w.image),
                    script: w.placeholder_script().unwrap_or_default(),
                    hostname: Some(inst.clone()),
                    restart: true,
                    environment: env,
                    labels: labels(&w.labels),
                    app: true,
                    networks: vec![BACKEND],
                    limits: limits(&w.resources, w.resources.memory_mb),
                    ..Service::default()
                });
            }
        }
    }
}
