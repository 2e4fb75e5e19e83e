//! queues.tf: every queue is an SQS queue with a dead-letter queue, whatever
//! engine the design names (RabbitMQ and Redis run only locally).

use super::names::{aws_name, tags};
use super::TfFile;
use crate::emit::templates::tf_name;
use crate::model::{Model, Origin, QueueEngine};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct QueuesTf {
    queues: Vec<QueueCtx>,
}

#[derive(Serialize)]
struct QueueCtx {
    name: String,
    label: String,
    aws_name: String,
    engine_note: Option<String>,
    tags: Vec<(String, String)>,
}

impl TfFile for QueuesTf {
    fn build(m: &Model) -> Self {
        let queues = m
            .queues
            .iter()
            .map(|q| QueueCtx {
                name: q.name.clone(),
                label: tf_name(&q.name),
                aws_name: aws_name(&m.system, &q.name, 70),
                engine_note: match q.engine {
                    QueueEngine::Sqs => None,
                    QueueEngine::Rabbitmq => Some("rabbitmq".into()),
                    QueueEngine::Redis => Some("redis".into()),
                },
                tags: tags(&q.labels),
            })
            .collect();
        QueuesTf { queues }
    }
}

pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    m.queues.iter().map(|q| &q.origin).collect()
}
