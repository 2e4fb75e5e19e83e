//! Background work, read from its clauses: queues, and the workers that
//! consume them (the queue is a name until `link` checks it).

use super::build::Builder;
use super::clauses::{numbered, Clauses};
use crate::model::types::*;
use crate::syntax::ast::Clause;

impl Builder<'_> {
    /// `queue [NAME] [ENGINE]`.
    pub(super) fn queue(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let engine = match cl.get("engine") {
            Some(Clause::QueueEngine(e)) => *e,
            _ => QueueEngine::Rabbitmq,
        };
        self.model.queues.push(Queue {
            name,
            engine,
            port: match engine {
                QueueEngine::Rabbitmq => 5672,
                QueueEngine::Redis => 6379,
                QueueEngine::Sqs => 9324,
            },
            password_env: None,
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }

    /// `worker [NAME] consumes QUEUE …`: count, image, size.
    pub(super) fn worker(&mut self, name: String, cl: &Clauses, origin: Origin) {
        let count = cl.count(1);
        let queue = match cl.get("consumes") {
            Some(Clause::Consumes(q)) => q.node.clone(),
            _ => String::new(),
        };
        let (image, placeholder) = cl.image();
        self.model.workers.push(Worker {
            instances: numbered(&name, count),
            image,
            placeholder,
            name,
            count,
            queue,
            resources: cl.size(),
            env: cl.env(),
            secrets: cl.secrets(),
            capacity: cl.capacity(),
            labels: cl.labels(),
            origin,
            spans: cl.spans(),
        });
    }
}
