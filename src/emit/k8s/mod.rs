//! The `k8s` target: plain Kubernetes manifests (built-in kinds and stable
//! APIs only: `v1`, `apps/v1`, `autoscaling/v2`, `networking.k8s.io/v1`,
//! `policy/v1`, `rbac.authorization.k8s.io/v1`) plus a `kustomization.yaml`.
//!
//! One file per component, numbered so that `kubectl apply -f DIR` (which
//! applies in file-name order) creates the namespace first:
//!
//! | file | objects | built in |
//! |---|---|---|
//! | `00-namespace.yaml` | Namespace named after the system | `namespace.rs` |
//! | `01-network-policy.yaml` | default-deny for the data tier, one allow rule per data component | `network_policy.rs` |
//! | `02-app-env.yaml` | ConfigMap of the environment the application tiers share | `app_env.rs` |
//! | `10-db-<name>.yaml` | per shard: headless Service, StatefulSet (primary = pod `-0`), PDB | `databases.rs` (scripts: `replication.rs`) |
//! | `20-cache-<name>.yaml` | headless Service, StatefulSet, PDB | `caches.rs` |
//! | `30-nosql-<name>.yaml` | mongodb: ConfigMap of replica set scripts, headless Service, StatefulSet (one replica set), PDB; dynamodb: dynamodb-local Deployment + Service | `nosql.rs` (scripts: `replication.rs`) |
//! | `40-queue-<name>.yaml` | rabbitmq / redis: StatefulSet; sqs: elasticmq Deployment; + Service | `queues.rs` |
//! | `50-web-<name>.yaml` | Deployment, Service, HorizontalPodAutoscaler, PDB | `web_and_workers.rs` |
//! | `60-worker-<name>.yaml` | Deployment, PDB | `web_and_workers.rs` |
//! | `70-ingress-<lb>.yaml` | Ingress (ingress-nginx) | `ingress.rs` |
//! | `80-logs.yaml` | fluent-bit ConfigMap + DaemonSet | `logs.rs` |
//! | `90-metrics.yaml` | Prometheus: RBAC, ConfigMap, Deployment, Service | `metrics.rs` |
//! | `kustomization.yaml` | every file above, in order | `kustomization.rs` |
//! | `README.md` | how to run it: the Secrets to create, `kubectl apply -k` | `readme.rs` |
//!
//! Shared by all of them: `emitter.rs` (the `K8s` state, labels, Services,
//! PDBs, rendering a file), `objects.rs` (the template contexts: `Meta`,
//! `Workload`, `Pod`, `Container`, ...), `images.rs`, `engine.rs` (tera and
//! the `yaml` filter), `policy.rs` (the checkov checks a workload fails on
//! purpose, as suppression annotations with their reasons).
//!
//! Passwords are `secretKeyRef`s into one Secret (`<system>-secrets`) that the
//! user creates; a web tier's or worker's `secret`s are keys of its own Secret
//! (`<system>-<name>-secrets`), also created by the user; archc never writes
//! a Secret object. A component's `label`s go on its objects and pods, never
//! on a selector.
//!
//! Decisions live in these files; the templates under `templates/k8s/` only
//! lay out YAML. Names go through the `yaml` filter (plain scalar when safe,
//! quoted otherwise: a system called `on` or `no` must stay a string); user
//! strings (images) and every env value go through `json`.

mod app_env;
mod caches;
mod databases;
mod emitter;
mod images;
mod ingress;
mod kustomization;
mod logs;
mod metrics;
mod namespace;
mod network_policy;
mod nosql;
mod objects;
mod policy;
mod queues;
mod readme;
mod replication;
mod web_and_workers;

use super::templates::Engine;
use super::{Options, OutFile, Result, Target};
use crate::model::{Model, Origin, QueueEngine};
use emitter::{File, K8s};

/// Renders every `k8s` file for one stage and hands each to `sink` as soon as
/// it is rendered: a stage of thousands of components writes thousands of
/// files, and none has to wait in memory for the others.
pub fn emit_each(
    model: &Model,
    opts: &Options,
    sink: &mut dyn FnMut(OutFile) -> Result<()>,
) -> Result<()> {
    let k = K8s::new(model, Engine::of(Target::K8s, opts));
    // Each file with the components whose design lines it records in its
    // header; a component's own file names them directly (looking them up by
    // file name would scan every component for every file).
    let mut names: Vec<String> = Vec::new();
    let mut put = |f: File, origins: &[&Origin]| -> Result<()> {
        names.push(f.path.clone());
        sink(k.render_file(f, origins)?)
    };
    let shared = |f: File, put: &mut dyn FnMut(File, &[&Origin]) -> Result<()>| {
        let origins = shared_file_origins(model, &f.path);
        put(f, &origins)
    };
    shared(k.namespace_file()?, &mut put)?;
    if let Some(f) = k.network_policy_file()? {
        shared(f, &mut put)?;
    }
    if let Some(f) = k.app_env_file()? {
        shared(f, &mut put)?;
    }
    for db in &model.dbs {
        put(k.db_file(db)?, &[&db.origin])?;
    }
    for c in &model.caches {
        put(k.cache_file(c)?, &[&c.origin])?;
    }
    for n in &model.nosqls {
        put(k.nosql_file(n)?, &[&n.origin])?;
    }
    for q in &model.queues {
        put(k.queue_file(q)?, &[&q.origin])?;
    }
    for w in &model.webs {
        put(k.web_file(w)?, &[&w.origin])?;
    }
    // A worker and the queue it consumes.
    for w in &model.workers {
        let mut origins = vec![&w.origin];
        origins.extend(k.queues.get(w.queue.as_str()).map(|q| &q.origin));
        put(k.worker_file(w)?, &origins)?;
    }
    // A balancer and the web tiers behind it.
    let mut ingresses = Vec::new();
    for lb in &model.lbs {
        if let Some(f) = k.ingress_file(lb)? {
            ingresses.push(lb);
            let mut origins = vec![&lb.origin];
            origins.extend(
                lb.backends
                    .iter()
                    .filter_map(|b| k.webs.get(b.as_str()))
                    .map(|w| &w.origin),
            );
            put(f, &origins)?;
        }
    }
    if model.logs.is_some() {
        shared(k.logs_file()?, &mut put)?;
    }
    if model.metrics.is_some() {
        shared(k.metrics_file()?, &mut put)?;
    }

    sink(k.kustomization_file(&names)?)?;
    sink(k.readme_file(&ingresses)?)
}

/// The components a file shared by the stage is generated from (for the
/// second header line); `emit` names those of each component's own file.
fn shared_file_origins<'m>(m: &'m Model, path: &str) -> Vec<&'m Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    match path {
        // Secret keys and data centers.
        // Every component with a Secret key: passwords (databases, MongoDB,
        // RabbitMQ), and DynamoDB / SQS, whose emulators need SDK credentials.
        "00-namespace.yaml" => {
            o.extend(m.dbs.iter().map(|d| &d.origin));
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(
                m.queues
                    .iter()
                    .filter(|q| matches!(q.engine, QueueEngine::Rabbitmq | QueueEngine::Sqs))
                    .map(|q| &q.origin),
            );
            o.extend(m.datacenters.as_ref().map(|d| &d.origin));
            // The applications' own Secrets, for the design's `secret`s.
            let with_secrets = |s: &[crate::model::SecretName]| !s.is_empty();
            o.extend(
                m.webs
                    .iter()
                    .filter(|w| with_secrets(&w.secrets))
                    .map(|w| &w.origin),
            );
            o.extend(
                m.workers
                    .iter()
                    .filter(|w| with_secrets(&w.secrets))
                    .map(|w| &w.origin),
            );
        }
        // Who may talk to whom: every workload.
        "01-network-policy.yaml" => {
            o.extend(
                m.components()
                    .into_iter()
                    .filter(|c| !matches!(c.kind, "cdn" | "datacenters"))
                    .map(|c| c.origin),
            );
        }
        // Where every data component is.
        "02-app-env.yaml" => {
            o.extend(m.dbs.iter().map(|d| &d.origin));
            o.extend(m.caches.iter().map(|c| &c.origin));
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(m.queues.iter().map(|q| &q.origin));
        }
        "80-logs.yaml" => o.extend(m.logs.as_ref()),
        "90-metrics.yaml" => o.extend(m.metrics.as_ref()),
        _ => {}
    }
    o
}
