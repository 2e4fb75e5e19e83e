//! The `compose` target: a Docker Compose (v2 spec) project for one stage.
//!
//! Files: `compose.yaml`, `.env.example` (every secret variable the project
//! reads, with a placeholder), `README.md` (how to run it), and the config of
//! every load balancer as the design chose it (`nginx/<lb>.conf` or
//! `haproxy/<lb>.cfg`, written by the nginx / haproxy emitters and mounted
//! read-only into the LB container).
//!
//! Decisions made here (the template only prints them):
//! - one service per instance: `web.instances`, `cache.instances`, every shard
//!   primary and replica, `worker.instances` (with `hostname` = service name, so
//!   the LB configs' upstream names resolve);
//! - two networks: `backend` (`internal: true`) that every service joins, and
//!   `edge` that only the load balancers (or a web tier without one) join and
//!   publish ports on;
//! - secrets are `${VAR:?…}` references, listed in `.env.example`.
//!
//! This module says what compose emits and in what order; the files beside
//! it build the parts: `project` (compose.yaml's head and rest), `passes`
//! (the builder's two passes), `service` (one `services:` entry), `app_env`
//! (the shared application environment), `env_example`, and one file per
//! family of services: `web` (web tiers and load balancers), `databases`,
//! `caches`, `nosql`, `queues` (and workers), `ops` (logs and metrics).

mod app_env;
mod caches;
mod databases;
mod env_example;
mod hardening;
mod nosql;
mod ops;
mod passes;
mod project;
mod queues;
mod readme;
mod service;
mod web;

/// k8s points its applications at queues the same way.
use super::templates::Engine;
use super::{Options, OutFile, Result, Target};
use crate::model::Model;
use passes::{Builder, Services};

/// Renders every `compose` file for one stage: compose.yaml (see
/// `project::compose_yaml` for how its services are built and rendered),
/// `.env.example`, `README.md`, then the config of each load balancer,
/// mounted into its container.
pub fn emit(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    let tpl = Engine::of(Target::Compose, opts);
    let (compose, project) = project::compose_yaml(model, tpl)?;
    // compose.yaml runs every component of the stage.
    let every: Vec<_> = model.components().into_iter().map(|c| c.origin).collect();
    let mut files = vec![
        OutFile::new("compose.yaml", compose, &every),
        OutFile::new(
            ".env.example",
            env_example::env_example(model, &project, tpl)?,
            &env_example::secret_origins(model),
        ),
    ];
    files.push(readme::readme_file(model, &project, tpl)?);
    files.extend(web::balancer_configs(model, opts)?);
    Ok(files)
}

impl Builder<'_> {
    /// Builds every service, in the order compose.yaml lists them.
    fn run(&mut self) {
        self.notes();
        // The shared environment is printed once, in the head, from the
        // first pass; the second only renders services.
        if let Services::Survey(_) = self.services {
            self.p.app_env = self.app_env();
        }
        self.lbs();
        self.webs();
        self.dbs();
        self.caches();
        self.nosqls();
        self.queues();
        self.workers();
        self.logs();
        self.metrics();
    }
}
