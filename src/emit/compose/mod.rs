//! The `compose` target: a Docker Compose (v2 spec) project for one stage.
//!
//! Files: `compose.yaml`, `.env.example` (every secret variable the project
//! reads, with a placeholder), and the config of every load balancer as the
//! design chose it (`nginx/<lb>.conf` or `haproxy/<lb>.cfg`, written by the
//! nginx / haproxy emitters and mounted read-only into the LB container).
//!
//! Decisions made here (the template only prints them):
//! - one service per instance: `web.instances`, `cache.instances`, every shard
//!   primary and replica, `worker.instances` (with `hostname` = service name, so
//!   the LB configs' upstream names resolve);
//! - two networks: `backend` (`internal: true`) that every service joins, and
//!   `edge` that only the load balancers (or a web tier without one) join and
//!   publish ports on;
//! - secrets are `${VAR:?…}` references, listed in `.env.example`.

use super::templates::{engine, render};
use super::{EmitError, Options, OutFile, Result};
use crate::model::{
    App, AppEnv, CacheEngine, Db, DbEngine, EnvVar, Evict, LbEngine, Meaning, Model, NosqlEngine,
    QueueEngine, Resources, APP_USER, EMULATOR_CREDENTIALS,
};
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Context, Tera};

static ENGINE: OnceLock<Tera> = OnceLock::new();

pub(super) fn tera() -> &'static Tera {
    ENGINE.get_or_init(|| {
        engine(&[
            (
                "compose.yaml",
                include_str!("../../../templates/compose/compose.yaml.tera"),
            ),
            (
                "env.example",
                include_str!("../../../templates/compose/env.example.tera"),
            ),
            (
                "compose-rest.yaml",
                include_str!("../../../templates/compose/compose-rest.yaml.tera"),
            ),
            (
                "service.yaml",
                include_str!("../../../templates/compose/service.yaml.tera"),
            ),
        ])
    })
}

const POSTGRES_IMAGE: &str = "postgres:16-alpine";
const MYSQL_IMAGE: &str = "mysql:8.4";
const REDIS_IMAGE: &str = "redis:7-alpine";
const MEMCACHED_IMAGE: &str = "memcached:1.6-alpine";
const MONGO_IMAGE: &str = "mongo:7";
const DYNAMODB_IMAGE: &str = "amazon/dynamodb-local:2.5.2";
const RABBITMQ_IMAGE: &str = "rabbitmq:3-management-alpine";
const ELASTICMQ_IMAGE: &str = "softwaremill/elasticmq-native:1.6.9";
const NGINX_IMAGE: &str = "nginx:1.27-alpine";
const HAPROXY_IMAGE: &str = "haproxy:3.0-alpine";
const FLUENT_BIT_IMAGE: &str = "fluent/fluent-bit:3.1";
const PROMETHEUS_IMAGE: &str = "prom/prometheus:v2.53.0";

/// The network every service joins; `internal: true`, so nothing on it alone
/// can reach or be reached from outside the host.
const BACKEND: &str = "backend";
/// The public network: only services that publish a port join it.
const EDGE: &str = "edge";
/// Service names of the central log collector and the metrics server.
const LOGS: &str = "logs";
const METRICS: &str = "metrics";
const FLUENT_FORWARD_PORT: u16 = 24224;
/// Placeholder written into `.env.example`: non-empty, so `${VAR:?…}` accepts it.
const PLACEHOLDER: &str = "change-me";

/// Renders every `compose` file for one stage.
///
/// The builder runs twice over the design. The first pass learns what the
/// file's head and each service's rendering need from all the services
/// (which have a healthcheck, whether any is an application, the shared
/// environment and dependencies) without keeping them; the second renders
/// each service into compose.yaml as soon as it is built. Holding every
/// service until the end cost more memory than the file itself (at 10,000
/// components, 30,000 services: ~35 MB of structs beside a 15 MB text).
pub fn emit(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    let (mut project, survey) = Project::build(model)?;
    let header = super::header_line(model);
    let context = |p: &Project| {
        let mut ctx = Context::new();
        ctx.insert("header", &header);
        ctx.insert("has_services", &!survey.healthy.is_empty());
        ctx.insert("p", p);
        ctx
    };
    let every: Vec<_> = model.components().into_iter().map(|c| c.origin).collect();
    // The head of compose.yaml, its services and the rest, appended to one
    // string: the services are most of a large project's file.
    let mut compose = super::with_design_lines(
        render(tera(), "compose.yaml", &context(&project))?,
        model,
        &every,
    );
    let shared = (
        !project.app_env.is_empty(),
        !project.app_depends_on.is_empty(),
    );
    // Only the head prints the shared environment and dependencies (MBs
    // at 10,000 components); the services only need to know they exist.
    project.app_env = IndexMap::new();
    project.app_depends_on = Vec::new();
    let ctx = context(&project);
    Project::render_services(model, shared, survey, &mut compose)?;
    compose.push_str(&render(tera(), "compose-rest.yaml", &ctx)?);
    let mut files = vec![
        OutFile {
            path: "compose.yaml".into(),
            contents: compose,
        },
        OutFile {
            path: ".env.example".into(),
            contents: super::with_design_lines(
                render(tera(), "env.example", &ctx)?,
                model,
                &secret_origins(model),
            ),
        },
    ];
    for lb in &model.lbs {
        let (path, contents) = match lb.engine {
            LbEngine::Nginx => (
                format!("nginx/{}.conf", lb.name),
                super::nginx::lb_config(model, lb, opts)?,
            ),
            LbEngine::Haproxy => (
                format!("haproxy/{}.cfg", lb.name),
                super::haproxy::lb_config(model, lb, opts)?,
            ),
        };
        files.push(OutFile { path, contents });
    }
    Ok(files)
}

/// The components `.env.example` asks secrets for: databases, password-protected
/// document stores and queues, and the AWS emulators' credentials.
fn secret_origins(m: &Model) -> Vec<&crate::model::Origin> {
    let apps = !m.webs.is_empty() || !m.workers.is_empty();
    let mut o: Vec<_> = m.dbs.iter().map(|d| &d.origin).collect();
    o.extend(
        m.nosqls
            .iter()
            .filter(|n| n.engine == NosqlEngine::Mongodb || apps)
            .map(|n| &n.origin),
    );
    o.extend(
        m.queues
            .iter()
            .filter(|q| q.engine == QueueEngine::Rabbitmq || (apps && q.engine == QueueEngine::Sqs))
            .map(|q| &q.origin),
    );
    o
}

/// Everything the template prints, in output order.
#[derive(Serialize, Default)]
struct Project {
    /// Compose project name: the system, the same in every stage, so moving to
    /// the next stage keeps the named volumes (the data).
    name: String,
    /// Comment lines at the top of `compose.yaml` (what compose cannot do).
    notes: Vec<String>,
    edge: bool,
    volumes: Vec<String>,
    configs: Vec<ConfigFile>,
    secrets: Vec<SecretVar>,
    /// The environment every application instance (web and worker) shares:
    /// written once as the `x-app-env` extension field, merged into each
    /// instance's own with `<<: *app-env`, so the file grows linearly.
    app_env: IndexMap<String, String>,
    /// The data services every application instance waits for, written once
    /// as `x-app-depends-on` and referenced with `*app-depends-on`.
    app_depends_on: Vec<Dependency>,
}

#[derive(Serialize, Default)]
struct Service {
    name: String,
    /// Comment lines printed above the service.
    comments: Vec<String>,
    image: String,
    hostname: Option<String>,
    /// Exec-form command.
    command: Vec<String>,
    /// A shell script run as `sh -c` (printed as a YAML block), one entry a line.
    script: Vec<String>,
    restart: bool,
    ports: Vec<String>,
    expose: Vec<String>,
    environment: IndexMap<String, String>,
    volumes: Vec<String>,
    configs: Vec<ConfigMount>,
    healthcheck: Option<Healthcheck>,
    depends_on: Vec<Dependency>,
    /// An application instance: its environment and dependencies also hold
    /// the project's `app_env` and `app_depends_on`.
    app: bool,
    networks: Vec<&'static str>,
    limits: Option<Limits>,
}

#[derive(Serialize)]
struct Healthcheck {
    test: Vec<String>,
    interval: &'static str,
    timeout: &'static str,
    retries: u32,
    start_period: &'static str,
}

#[derive(Serialize)]
struct Dependency {
    service: String,
    condition: &'static str,
}

#[derive(Serialize)]
struct Limits {
    cpus: String,
    memory: String,
}

#[derive(Serialize)]
struct ConfigMount {
    source: &'static str,
    target: String,
}

/// A top-level `configs:` entry with inline `content` (no extra file to ship).
#[derive(Serialize)]
struct ConfigFile {
    name: &'static str,
    comment: String,
    /// Lines of the file; `$` already written as `$$` for compose.
    lines: Vec<String>,
}

#[derive(Serialize)]
struct SecretVar {
    name: String,
    comment: String,
    placeholder: &'static str,
}

impl Healthcheck {
    fn new(test: Vec<String>, start_period: &'static str) -> Self {
        Healthcheck {
            test,
            interval: "10s",
            timeout: "5s",
            retries: 5,
            start_period,
        }
    }
}

fn cmd(parts: &[&str]) -> Vec<String> {
    std::iter::once("CMD")
        .chain(parts.iter().copied())
        .map(String::from)
        .collect()
}

fn limits(r: &Resources, memory_mb: u32) -> Option<Limits> {
    Some(Limits {
        cpus: r.cpus.clone(),
        memory: format!("{memory_mb}M"),
    })
}

/// `${VAR:?…}`: compose refuses to start when the variable is unset or empty.
/// The password variable of the shard whose primary is `primary`.
fn shard_password<'a>(db: &'a Db, primary: &str) -> &'a str {
    db.shards
        .iter()
        .find(|s| s.primary == primary)
        .map_or(db.password_env.as_str(), |s| s.password_env.as_str())
}

fn secret_ref(var: &str) -> String {
    format!("${{{var}:?set {var} in .env}}")
}

struct Builder<'m> {
    m: &'m Model,
    p: Project,
    /// Where each service goes once built.
    services: Services,
    /// The application environment contract of the stage.
    contract: AppEnv,
    /// Secret variables already listed, to list each once.
    secret_names: IndexSet<String>,
    /// Next host port for a second published service (the first gets 80).
    next_host_port: u16,
    config_names: IndexSet<&'static str>,
    /// Services the application instances wait for: (service, has healthcheck).
    data_services: Vec<String>,
}

/// What the first pass learns of the services.
#[derive(Default)]
struct Survey {
    /// Every service's name (two alike are an error), and whether it has a
    /// healthcheck: a dependency on one that has waits until it is healthy.
    healthy: HashMap<String, bool>,
    /// The first name given twice.
    twice: Option<String>,
    /// Whether any service is an application instance (web or worker).
    any_app: bool,
    /// Whether any service publishes a port on the edge network.
    edge: bool,
}

/// The second pass's output: each service rendered as it is built.
struct Rendering {
    survey: Survey,
    ctx: Context,
    /// compose.yaml so far.
    out: String,
    count: usize,
    /// The first render that failed; the pass goes on, the emitter reports it.
    error: Option<EmitError>,
}

enum Services {
    Survey(Survey),
    Render(Rendering),
}

impl Project {
    /// The first pass: the project without its services, and what the
    /// second pass needs to know of them.
    fn build(m: &Model) -> Result<(Project, Survey)> {
        let mut b = Builder::new(m, Services::Survey(Survey::default()));
        b.run();
        b.finish()
    }

    /// The second pass: appends the `services:` entries to `out`, each
    /// rendered from its own small context as soon as it is built.
    /// `shared`: whether the head defines the shared environment and the
    /// shared dependencies that application instances merge in.
    fn render_services(
        m: &Model,
        shared: (bool, bool),
        survey: Survey,
        out: &mut String,
    ) -> Result<()> {
        let mut ctx = Context::new();
        ctx.insert("app_env", &shared.0);
        ctx.insert("app_depends_on", &shared.1);
        let rendering = Rendering {
            survey,
            ctx,
            out: std::mem::take(out),
            count: 0,
            error: None,
        };
        let mut b = Builder::new(m, Services::Render(rendering));
        b.run();
        let Services::Render(r) = b.services else {
            unreachable!("the render pass renders");
        };
        *out = r.out;
        r.error.map_or(Ok(()), Err)
    }
}

impl<'m> Builder<'m> {
    fn new(m: &'m Model, services: Services) -> Self {
        Builder {
            m,
            p: Project {
                name: m.system.clone(),
                ..Project::default()
            },
            services,
            contract: m.app_env(),
            secret_names: IndexSet::new(),
            next_host_port: 80,
            config_names: IndexSet::new(),
            data_services: Vec::new(),
        }
    }

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
        self.observability();
    }

    /// Hands one built service to the pass: surveyed, or rendered.
    fn service(&mut self, mut s: Service) {
        match &mut self.services {
            Services::Survey(v) => {
                let seen = v.healthy.insert(s.name.clone(), s.healthcheck.is_some());
                if seen.is_some() && v.twice.is_none() {
                    v.twice = Some(s.name.clone());
                }
                v.any_app |= s.app;
                v.edge |= s.networks.contains(&EDGE);
            }
            Services::Render(r) => {
                for d in &mut s.depends_on {
                    d.condition = r.survey.condition(&d.service);
                }
                r.ctx.insert("first", &(r.count == 0));
                r.ctx.insert("s", &s);
                r.count += 1;
                match render(tera(), "service.yaml", &r.ctx) {
                    Ok(text) => r.out.push_str(text.strip_suffix('\n').unwrap_or(&text)),
                    Err(e) => {
                        r.error.get_or_insert(e);
                    }
                }
            }
        }
    }
}

impl Survey {
    fn condition(&self, service: &str) -> &'static str {
        if self.healthy.get(service) == Some(&true) {
            "service_healthy"
        } else {
            "service_started"
        }
    }
}

impl Builder<'_> {
    fn secret(&mut self, var: &str, comment: String) -> String {
        if self.secret_names.insert(var.to_string()) {
            self.p.secrets.push(SecretVar {
                name: var.to_string(),
                comment,
                placeholder: PLACEHOLDER,
            });
        }
        secret_ref(var)
    }

    fn host_port(&mut self) -> u16 {
        let p = self.next_host_port;
        self.next_host_port = if p == 80 { 8081 } else { p + 1 };
        p
    }

    fn config(&mut self, name: &'static str, comment: &str, text: &str) {
        if self.config_names.insert(name) {
            self.p.configs.push(ConfigFile {
                name,
                comment: comment.to_string(),
                lines: text.lines().map(compose_escape).collect(),
            });
        }
    }

    fn volume(&mut self, service: &str) -> String {
        let v = format!("{service}-data");
        self.p.volumes.push(v.clone());
        v
    }

    fn notes(&mut self) {
        let m = self.m;
        for cdn in &m.cdns {
            let ttl = cdn
                .ttl_seconds
                .map_or("no TTL in the design".to_string(), |t| format!("ttl {t}s"));
            // Only nginx caches: HAProxy's config serves the paths uncached.
            let engine = cdn
                .origin_lb
                .as_ref()
                .and_then(|name| m.lbs.iter().find(|l| &l.name == name))
                .map(|l| (l.name.as_str(), l.engine));
            let local = match engine {
                Some((lb, LbEngine::Nginx)) => {
                    format!("load balancer `{lb}` (nginx) caches these paths locally")
                }
                Some((lb, LbEngine::Haproxy)) => format!(
                    "load balancer `{lb}` (HAProxy, which has no response cache) serves these paths uncached"
                ),
                None => "no load balancer is its origin, so nothing caches these paths locally".into(),
            };
            self.p.notes.push(format!(
                "CDN `{}` ({}, {ttl}): a CDN is not a container; {local}.",
                cdn.name,
                cdn.paths.join(", ")
            ));
        }
        if let Some(dc) = &m.datacenters {
            self.p.notes.push(format!(
                "Data centers {}: compose runs one copy on one host; run this project once per data center{}.",
                dc.regions.join(", "),
                if dc.geodns {
                    " and route users with geo DNS"
                } else {
                    ""
                }
            ));
        }
        if m.lbs.is_empty() && m.webs.is_empty() {
            self.p
                .notes
                .push("No web tier and no load balancer: nothing is published on the host.".into());
        }
    }

    /// Environment shared by web and worker instances: the model's
    /// application environment contract (`Model::app_env`) with compose's
    /// addresses (service names), plus the compose-only extras: dummy AWS
    /// credentials for the local emulators and where the log collector is.
    fn app_env(&mut self) -> IndexMap<String, String> {
        let m = self.m;
        let mut env = IndexMap::new();
        let contract = std::mem::take(&mut self.contract);
        for v in contract.shared() {
            let value = match &v.meaning {
                Meaning::Primaries { instances }
                | Meaning::Replicas { instances, .. }
                | Meaning::Nodes { instances } => instances.join(","),
                Meaning::Password => {
                    let comment = self.secret_comment(v);
                    self.secret(&v.name, comment)
                }
                Meaning::ApiEndpoint => {
                    format!("http://{}:{}", v.component, self.port_of(v))
                }
                Meaning::QueueUrl => queue_url(m, &v.component),
                other => other.literal().unwrap_or_default(),
            };
            env.insert(v.name.clone(), value);
        }
        self.contract = contract;
        if m.needs_emulator_credentials() {
            self.aws_credentials(&mut env);
        }
        if m.logs.is_some() {
            env.insert("LOGS_HOST".into(), LOGS.into());
            env.insert("LOGS_PORT".into(), FLUENT_FORWARD_PORT.to_string());
        }
        env
    }

    /// The `.env.example` comment of a contract secret.
    fn secret_comment(&self, v: &EnvVar) -> String {
        let m = self.m;
        match v.kind {
            "db" => {
                let db = m.dbs.iter().find(|d| d.name == v.component);
                let user = db.map_or("app", |d| d.user.as_str());
                let shard = db
                    .filter(|d| d.is_sharded())
                    .and_then(|d| d.shards.iter().find(|s| s.password_env == v.name));
                let scope = match (shard, db) {
                    (Some(s), _) => format!(" (shard {}: its primary and replicas)", s.index),
                    (None, Some(d)) if d.instance_count() > 1 => {
                        " (every primary and replica)".to_string()
                    }
                    _ => String::new(),
                };
                format!(
                    "Password of user `{user}` on database `{}`{scope}.",
                    v.component
                )
            }
            "nosql" => format!(
                "Password of user `{APP_USER}` on MongoDB `{}`; also derives the replica set key.",
                v.component
            ),
            _ => format!(
                "Password of user `{APP_USER}` on RabbitMQ `{}`.",
                v.component
            ),
        }
    }

    /// The port of the document store or queue a contract variable describes.
    fn port_of(&self, v: &EnvVar) -> u16 {
        let m = self.m;
        match v.kind {
            "nosql" => m
                .nosqls
                .iter()
                .find(|n| n.name == v.component)
                .map(|n| n.port),
            _ => m
                .queues
                .iter()
                .find(|q| q.name == v.component)
                .map(|q| q.port),
        }
        .unwrap_or_default()
    }

    /// Local AWS emulators accept any credentials, but the SDKs insist on some.
    fn aws_credentials(&mut self, env: &mut IndexMap<String, String>) {
        let [id_var, key_var] = EMULATOR_CREDENTIALS;
        let id = self.secret(
            id_var,
            "AWS credentials for the SDKs; the local DynamoDB / SQS emulators accept any value."
                .into(),
        );
        env.insert(id_var.into(), id);
        let key = self.secret(key_var, format!("Secret of {id_var}."));
        env.insert(key_var.into(), key);
    }

    /// A web tier's or worker's own part of the contract.
    fn own_env(&self, app: App<'_>) -> IndexMap<String, String> {
        self.contract
            .own(app)
            .map(|v| (v.name.clone(), v.meaning.literal().unwrap_or_default()))
            .collect()
    }

    fn lbs(&mut self) {
        let m = self.m;
        for lb in &m.lbs {
            let (image, mount) = match lb.engine {
                LbEngine::Nginx => (
                    NGINX_IMAGE,
                    format!("./nginx/{}.conf:/etc/nginx/nginx.conf:ro", lb.name),
                ),
                LbEngine::Haproxy => (
                    HAPROXY_IMAGE,
                    format!(
                        "./haproxy/{}.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro",
                        lb.name
                    ),
                ),
            };
            let host_port = self.host_port();
            let backends: Vec<String> = m
                .webs
                .iter()
                .filter(|w| lb.backends.contains(&w.name))
                .flat_map(|w| w.instances.iter().cloned())
                .collect();
            let mut comments = vec![format!(
                "Load balancer `{}` ({}, {}): on the edge network, published on host port {host_port}.",
                lb.name,
                engine_word(lb.engine),
                method_word(lb.method)
            )];
            if host_port != 80 {
                comments.push("(Port 80 belongs to the first public service.)".into());
            }
            self.service(Service {
                name: lb.name.clone(),
                comments,
                image: image.into(),
                hostname: Some(lb.name.clone()),
                restart: true,
                ports: vec![format!("{host_port}:{}", lb.port)],
                volumes: vec![mount],
                depends_on: backends
                    .into_iter()
                    .map(|s| Dependency {
                        service: s,
                        condition: "service_healthy",
                    })
                    .collect(),
                networks: vec![EDGE, BACKEND],
                ..Service::default()
            });
        }
    }

    fn webs(&mut self) {
        let m = self.m;
        for w in &m.webs {
            for (i, inst) in w.instances.iter().enumerate() {
                let mut comments = Vec::new();
                if i == 0 {
                    comments.push(format!(
                        "Web tier `{}`: {}, {}.",
                        w.name,
                        plural(w.instances.len(), "instance"),
                        match &w.lb {
                            Some(lb) => format!("behind load balancer `{lb}`"),
                            None => "no load balancer, so it is public".into(),
                        }
                    ));
                    if let Some(a) = &w.autoscale {
                        comments.push(format!(
                            "autoscale {}..{} at cpu {}%: compose cannot autoscale, so the {} minimum instances run.",
                            a.min, a.max, a.cpu_percent, a.min
                        ));
                    }
                    if w.sticky {
                        comments.push(
                            "Stateful and sticky: the load balancer sends a user back to the same instance."
                                .into(),
                        );
                    }
                }
                let env = self.own_env(App::Web(&w.name));
                let (ports, networks) = if w.lb.is_none() {
                    let hp = self.host_port();
                    comments.push(format!(
                        "On the edge network, published on host port {hp}{}.",
                        if hp == 80 {
                            ""
                        } else {
                            " (port 80 belongs to the first public service)"
                        }
                    ));
                    (vec![format!("{hp}:{}", w.port)], vec![EDGE, BACKEND])
                } else {
                    (Vec::new(), vec![BACKEND])
                };
                let url = format!("http://127.0.0.1:{}{}", w.port, w.health);
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: literal(&w.image),
                    hostname: Some(inst.clone()),
                    restart: true,
                    ports,
                    expose: vec![w.port.to_string()],
                    environment: env,
                    app: true,
                    healthcheck: Some(Healthcheck::new(
                        cmd(&["wget", "-q", "-O", "/dev/null", &url]),
                        "30s",
                    )),
                    networks,
                    limits: limits(&w.resources, w.resources.memory_mb),
                    ..Service::default()
                });
            }
        }
    }

    fn dbs(&mut self) {
        let m = self.m;
        for db in &m.dbs {
            for shard in &db.shards {
                // MySQL server ids: unique within one shard's replication group.
                let mut server_id = 0u32;
                let mut comments = Vec::new();
                if shard.index == 1 {
                    comments.push(format!(
                        "Database `{}` ({}): {}; storage {} GB (compose volumes have no size limit).",
                        db.name,
                        match db.engine {
                            DbEngine::Postgres => "postgres",
                            DbEngine::Mysql => "mysql",
                        },
                        db_shape(db),
                        db.storage_gb
                    ));
                    if db.colocated {
                        comments.push(
                            "colocated: on a single host it shares the web server; in compose it is still its own container on the same host."
                                .into(),
                        );
                    }
                }
                server_id += 1;
                let primary = self.db_primary(db, &shard.primary, comments, server_id);
                self.service(primary);
                self.data_services.push(shard.primary.clone());
                for r in &shard.replicas {
                    server_id += 1;
                    let replica = self.db_replica(db, &shard.primary, r, server_id);
                    self.service(replica);
                }
            }
        }
    }

    fn db_primary(
        &mut self,
        db: &Db,
        name: &str,
        mut comments: Vec<String>,
        server_id: u32,
    ) -> Service {
        let secret = secret_ref(shard_password(db, name));
        let vol = self.volume(name);
        let has_replicas = db.replicas > 0;
        let mut s = Service {
            name: name.into(),
            hostname: Some(name.into()),
            restart: true,
            expose: vec![db.port.to_string()],
            networks: vec![BACKEND],
            limits: limits(&db.resources, db.resources.memory_mb),
            ..Service::default()
        };
        match db.engine {
            DbEngine::Postgres => {
                s.image = POSTGRES_IMAGE.into();
                s.environment
                    .insert("POSTGRES_USER".into(), db.user.clone());
                s.environment.insert("POSTGRES_DB".into(), db.user.clone());
                s.environment.insert("POSTGRES_PASSWORD".into(), secret);
                s.volumes.push(format!("{vol}:/var/lib/postgresql/data"));
                if has_replicas {
                    comments.push(format!(
                        "Primary: streams WAL to its replicas (wal_level=replica); `{}` may replicate.",
                        db.user
                    ));
                    s.command = [
                        "postgres",
                        "-c",
                        "wal_level=replica",
                        "-c",
                        "max_wal_senders=10",
                        "-c",
                        "hot_standby=on",
                    ]
                    .map(String::from)
                    .to_vec();
                    self.config(
                        "postgres-primary-init",
                        "Run once by the postgres image when a primary's data directory is created.",
                        POSTGRES_PRIMARY_INIT,
                    );
                    s.configs.push(ConfigMount {
                        source: "postgres-primary-init",
                        target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
                    });
                }
                s.healthcheck = Some(pg_isready(db));
            }
            DbEngine::Mysql => {
                s.image = MYSQL_IMAGE.into();
                // The root password is random (printed once in the log): the
                // application only ever uses `user`.
                s.environment
                    .insert("MYSQL_RANDOM_ROOT_PASSWORD".into(), "yes".into());
                s.environment
                    .insert("MYSQL_DATABASE".into(), db.user.clone());
                s.environment.insert("MYSQL_USER".into(), db.user.clone());
                s.environment.insert("MYSQL_PASSWORD".into(), secret);
                s.volumes.push(format!("{vol}:/var/lib/mysql"));
                if has_replicas {
                    comments.push(format!(
                        "Source: binary log with GTIDs; `{}` may replicate.",
                        db.user
                    ));
                    s.command = mysql_gtid_args(server_id);
                    self.config(
                        "mysql-primary-init",
                        "Run once by the mysql image when a source's data directory is created.",
                        MYSQL_PRIMARY_INIT,
                    );
                    s.configs.push(ConfigMount {
                        source: "mysql-primary-init",
                        target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
                    });
                }
                s.healthcheck = Some(mysql_ping());
            }
        }
        s.comments = comments;
        s
    }

    fn db_replica(&mut self, db: &Db, primary: &str, name: &str, server_id: u32) -> Service {
        let secret = secret_ref(shard_password(db, primary));
        let vol = self.volume(name);
        let mut s = Service {
            name: name.into(),
            hostname: Some(name.into()),
            restart: true,
            expose: vec![db.port.to_string()],
            networks: vec![BACKEND],
            limits: limits(&db.resources, db.resources.memory_mb),
            depends_on: vec![Dependency {
                service: primary.into(),
                condition: "service_healthy",
            }],
            ..Service::default()
        };
        match db.engine {
            DbEngine::Postgres => {
                s.comments = vec![format!(
                    "Read replica of `{primary}`: the first start clones it with pg_basebackup, then runs as a hot standby."
                )];
                s.image = POSTGRES_IMAGE.into();
                s.environment.insert("PGPASSWORD".into(), secret);
                s.volumes.push(format!("{vol}:/var/lib/postgresql/data"));
                s.script = postgres_replica_script(primary, db.port, &db.user);
                s.healthcheck = Some(pg_isready(db));
            }
            DbEngine::Mysql => {
                s.comments = vec![format!(
                    "Read replica of `{primary}` (GTID auto-positioning); user and data arrive by replication."
                )];
                s.image = MYSQL_IMAGE.into();
                s.environment
                    .insert("MYSQL_RANDOM_ROOT_PASSWORD".into(), "yes".into());
                s.environment.insert("SOURCE_HOST".into(), primary.into());
                s.environment
                    .insert("SOURCE_PORT".into(), db.port.to_string());
                s.environment.insert("SOURCE_USER".into(), db.user.clone());
                s.environment.insert("SOURCE_PASSWORD".into(), secret);
                s.volumes.push(format!("{vol}:/var/lib/mysql"));
                let mut args = mysql_gtid_args(server_id);
                args.push("--read-only=ON".into());
                s.command = args;
                self.config(
                    "mysql-replica-init",
                    "Run once by the mysql image when a replica's data directory is created.",
                    MYSQL_REPLICA_INIT,
                );
                s.configs.push(ConfigMount {
                    source: "mysql-replica-init",
                    target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
                });
                s.healthcheck = Some(mysql_ping());
            }
        }
        s
    }

    fn caches(&mut self) {
        let m = self.m;
        for c in &m.caches {
            for (i, inst) in c.instances.iter().enumerate() {
                let mut comments = Vec::new();
                if i == 0 {
                    comments.push(format!(
                        "Cache `{}`: {}, {} MB each{}.",
                        c.name,
                        plural(c.instances.len(), "instance"),
                        c.memory_mb,
                        c.ttl_seconds
                            .map_or("; no TTL in the design".to_string(), |t| format!(
                                "; clients set the {t}s TTL on every write"
                            ))
                    ));
                    if c.colocated {
                        comments.push(
                            "colocated: on a single host it shares the web server; in compose it is still its own container on the same host."
                                .into(),
                        );
                    }
                }
                let mem = c.memory_mb.to_string();
                let (image, command, health) = match c.engine {
                    CacheEngine::Redis => {
                        let policy = match c.evict {
                            Some(Evict::Lru) => "allkeys-lru",
                            Some(Evict::Lfu) => "allkeys-lfu",
                            Some(Evict::None) => "noeviction",
                            None => {
                                if i == 0 {
                                    comments.push(
                                        "No eviction policy in the design: redis's default, writes fail once memory is full."
                                            .into(),
                                    );
                                }
                                "noeviction"
                            }
                        };
                        (
                            REDIS_IMAGE,
                            vec![
                                "redis-server".to_string(),
                                "--maxmemory".into(),
                                format!("{mem}mb"),
                                "--maxmemory-policy".into(),
                                policy.into(),
                                "--save".into(),
                                String::new(),
                            ],
                            Healthcheck::new(cmd(&["redis-cli", "ping"]), "10s"),
                        )
                    }
                    CacheEngine::Memcached => {
                        let mut args = vec!["memcached".to_string(), "-m".into(), mem.clone()];
                        if c.evict == Some(Evict::None) {
                            // -M: return an error when full instead of evicting.
                            args.push("-M".into());
                        }
                        (
                            MEMCACHED_IMAGE,
                            args,
                            Healthcheck::new(
                                vec![
                                    "CMD-SHELL".into(),
                                    format!(
                                        "echo stats | nc -w 2 127.0.0.1 {} | grep -q uptime",
                                        c.port
                                    ),
                                ],
                                "10s",
                            ),
                        )
                    }
                };
                // The container needs room above the cache's own memory limit.
                let container_mb = c.resources.memory_mb.max(c.memory_mb + c.memory_mb / 4);
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: image.into(),
                    hostname: Some(inst.clone()),
                    command,
                    restart: true,
                    expose: vec![c.port.to_string()],
                    healthcheck: Some(health),
                    networks: vec![BACKEND],
                    limits: limits(&c.resources, container_mb),
                    ..Service::default()
                });
                self.data_services.push(inst.clone());
            }
        }
    }

    fn nosqls(&mut self) {
        let m = self.m;
        for n in &m.nosqls {
            match n.engine {
                NosqlEngine::Mongodb => {
                    let var = n.password_env.clone().unwrap_or_default();
                    let members: Vec<String> = n
                        .instances
                        .iter()
                        .enumerate()
                        .map(|(i, h)| format!("{{_id: {i}, host: '{h}:{}'}}", n.port))
                        .collect();
                    for (i, inst) in n.instances.iter().enumerate() {
                        let mut comments = Vec::new();
                        let mut env = IndexMap::new();
                        env.insert("MONGO_KEYFILE_SECRET".to_string(), secret_ref(&var));
                        let test = if i == 0 {
                            comments.push(format!(
                                "MongoDB `{}`: replica set `{}` of {}. The first member creates user `app` and its",
                                n.name,
                                n.name,
                                plural(n.instances.len(), "member"),
                            ));
                            comments.push(
                                "health check initiates the set once; the others start empty and receive everything by replication."
                                    .into(),
                            );
                            env.insert("MONGO_INITDB_ROOT_USERNAME".into(), "app".into());
                            env.insert("MONGO_INITDB_ROOT_PASSWORD".into(), secret_ref(&var));
                            format!(
                                "mongosh --quiet -u app -p \"$MONGO_INITDB_ROOT_PASSWORD\" --authenticationDatabase admin --eval \"try {{ rs.status().ok }} catch (e) {{ rs.initiate({{_id: '{}', members: [{}]}}).ok }}\" | grep -q 1",
                                n.name,
                                members.join(", ")
                            )
                        } else {
                            // `ping` needs no login, and these members have no user
                            // until the set has replicated it.
                            "mongosh --quiet --eval \"db.adminCommand('ping').ok\" | grep -q 1"
                                .into()
                        };
                        let vol = self.volume(inst);
                        self.service(Service {
                            name: inst.clone(),
                            comments,
                            image: MONGO_IMAGE.into(),
                            hostname: Some(inst.clone()),
                            script: mongo_script(&n.name, n.port),
                            restart: true,
                            expose: vec![n.port.to_string()],
                            environment: env,
                            volumes: vec![format!("{vol}:/data/db")],
                            healthcheck: Some(Healthcheck::new(
                                vec!["CMD-SHELL".into(), compose_escape(&test)],
                                "60s",
                            )),
                            networks: vec![BACKEND],
                            ..Service::default()
                        });
                        self.data_services.push(inst.clone());
                    }
                }
                NosqlEngine::Dynamodb => {
                    let mut comments = vec![format!(
                        "DynamoDB `{}`: a managed AWS service; locally one in-memory DynamoDB Local emulator stands in for it.",
                        n.name
                    )];
                    if n.count > 1 {
                        comments.push(format!(
                            "x{}: DynamoDB replicates internally, so the emulator runs once.",
                            n.count
                        ));
                    }
                    self.service(Service {
                        name: n.name.clone(),
                        comments,
                        image: DYNAMODB_IMAGE.into(),
                        hostname: Some(n.name.clone()),
                        command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-inMemory"]
                            .map(String::from)
                            .to_vec(),
                        restart: true,
                        expose: vec![n.port.to_string()],
                        networks: vec![BACKEND],
                        ..Service::default()
                    });
                    self.data_services.push(n.name.clone());
                }
            }
        }
    }

    fn queues(&mut self) {
        let m = self.m;
        for q in &m.queues {
            let mut s = Service {
                name: q.name.clone(),
                hostname: Some(q.name.clone()),
                restart: true,
                expose: vec![q.port.to_string()],
                networks: vec![BACKEND],
                ..Service::default()
            };
            match q.engine {
                QueueEngine::Rabbitmq => {
                    let var = q.password_env.clone().unwrap_or_default();
                    s.comments = vec![format!("Queue `{}` (RabbitMQ).", q.name)];
                    s.image = RABBITMQ_IMAGE.into();
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
                    s.image = REDIS_IMAGE.into();
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
                    s.healthcheck = Some(Healthcheck::new(cmd(&["redis-cli", "ping"]), "10s"));
                }
                QueueEngine::Sqs => {
                    s.comments = vec![format!(
                        "Queue `{}`: SQS is a managed AWS service; ElasticMQ serves the SQS API locally, in memory (clients create the queue).",
                        q.name
                    )];
                    s.image = ELASTICMQ_IMAGE.into();
                }
            }
            self.service(s);
            self.data_services.push(q.name.clone());
        }
    }

    fn workers(&mut self) {
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
                let env = self.own_env(App::Worker(&w.name));
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: literal(&w.image),
                    hostname: Some(inst.clone()),
                    restart: true,
                    environment: env,
                    app: true,
                    networks: vec![BACKEND],
                    limits: limits(&w.resources, w.resources.memory_mb),
                    ..Service::default()
                });
            }
        }
    }

    fn observability(&mut self) {
        let m = self.m;
        if m.logs.is_some() {
            let vol = self.volume(LOGS);
            self.config(
                "logs-config",
                "Fluent Bit: receives logs over the Fluentd forward protocol and keeps them in its volume.",
                FLUENT_BIT_CONFIG,
            );
            self.service(Service {
                name: LOGS.into(),
                comments: vec![
                    format!("Central logs: applications ship to {LOGS}:{FLUENT_FORWARD_PORT} (LOGS_HOST / LOGS_PORT);"),
                    "`docker compose logs` still shows every container's output.".into(),
                ],
                image: FLUENT_BIT_IMAGE.into(),
                hostname: Some(LOGS.into()),
                restart: true,
                expose: vec![FLUENT_FORWARD_PORT.to_string()],
                volumes: vec![format!("{vol}:/fluent-bit/log")],
                configs: vec![ConfigMount {
                    source: "logs-config",
                    target: "/fluent-bit/etc/fluent-bit.conf".into(),
                }],
                networks: vec![BACKEND],
                ..Service::default()
            });
        }
        if m.metrics.is_some() {
            let vol = self.volume(METRICS);
            let config = prometheus_config(m);
            self.p.configs.push(ConfigFile {
                name: "metrics-config",
                comment: "Prometheus: scrapes /metrics on every web instance.".into(),
                lines: config.lines().map(compose_escape).collect(),
            });
            self.service(Service {
                name: METRICS.into(),
                comments: vec![
                    "Metrics: Prometheus on the private network only; query it with".into(),
                    "`docker compose exec metrics wget -qO- 'http://127.0.0.1:9090/api/v1/query?query=up'`.".into(),
                ],
                image: PROMETHEUS_IMAGE.into(),
                hostname: Some(METRICS.into()),
                restart: true,
                expose: vec!["9090".into()],
                volumes: vec![format!("{vol}:/prometheus")],
                configs: vec![ConfigMount {
                    source: "metrics-config",
                    target: "/etc/prometheus/prometheus.yml".into(),
                }],
                healthcheck: Some(Healthcheck::new(
                    cmd(&["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"]),
                    "10s",
                )),
                networks: vec![BACKEND],
                ..Service::default()
            });
        }
    }

    /// Wires application instances to the data services and checks service
    /// names are unique: the end of the first pass.
    fn finish(mut self) -> Result<(Project, Survey)> {
        let Services::Survey(survey) = self.services else {
            unreachable!("finish ends the survey pass");
        };
        if let Some(name) = &survey.twice {
            return Err(EmitError(format!(
                "compose: two components would both run a container named `{name}`; rename one of them"
            )));
        }
        self.p.app_depends_on = std::mem::take(&mut self.data_services)
            .into_iter()
            .map(|d| Dependency {
                condition: survey.condition(&d),
                service: d,
            })
            .collect();
        if !survey.any_app {
            // Nothing reads them: no extension fields.
            self.p.app_env.clear();
            self.p.app_depends_on.clear();
        }
        self.p.edge = survey.edge;
        Ok((self.p, survey))
    }
}

/// "a primary with 2 replicas", "4 shards by user_id, each a primary with 2 replicas".
fn db_shape(db: &Db) -> String {
    let one = match db.replicas {
        0 => "a primary, no replicas".to_string(),
        n => format!("a primary with {}", plural(n as usize, "replica")),
    };
    if db.shard_count > 1 || db.shard_key.is_some() {
        format!(
            "{}{}, each {one}",
            plural(db.shard_count as usize, "shard"),
            db.shard_key
                .as_ref()
                .map_or(String::new(), |k| format!(" by {k}"))
        )
    } else {
        one
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Where a queue is, as the URL its engine's clients take (ElasticMQ serves
/// SQS queue URLs with the dummy account 000000000000).
pub(crate) fn queue_url(m: &Model, name: &str) -> String {
    match m.queues.iter().find(|q| q.name == name) {
        Some(q) => match q.engine {
            QueueEngine::Rabbitmq => format!("amqp://{}:{}", q.name, q.port),
            QueueEngine::Redis => format!("redis://{}:{}", q.name, q.port),
            QueueEngine::Sqs => format!("http://{0}:{1}/000000000000/{0}", q.name, q.port),
        },
        None => String::new(),
    }
}

fn engine_word(e: LbEngine) -> &'static str {
    match e {
        LbEngine::Nginx => "nginx",
        LbEngine::Haproxy => "haproxy",
    }
}

fn method_word(m: crate::model::LbMethod) -> &'static str {
    match m {
        crate::model::LbMethod::RoundRobin => "round-robin",
        crate::model::LbMethod::LeastConn => "least-conn",
        crate::model::LbMethod::IpHash => "ip-hash",
    }
}

/// Ready only once the real server listens on TCP (the image's first-start
/// initialisation server listens on the socket only).
fn pg_isready(db: &Db) -> Healthcheck {
    let port = db.port.to_string();
    Healthcheck::new(
        cmd(&[
            "pg_isready",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            &db.user,
            "-d",
            &db.user,
        ]),
        "60s",
    )
}

/// `mysqladmin ping` succeeds as soon as the server answers; over TCP, so not
/// during the image's first-start initialisation (networking off).
fn mysql_ping() -> Healthcheck {
    Healthcheck::new(
        cmd(&["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]),
        "60s",
    )
}

fn mysql_gtid_args(server_id: u32) -> Vec<String> {
    vec![
        format!("--server-id={server_id}"),
        "--gtid-mode=ON".into(),
        "--enforce-gtid-consistency=ON".into(),
        "--log-bin=mysql-bin".into(),
    ]
}

/// Clones the primary on the first start (`-R` writes `standby.signal` and the
/// connection to the primary), then hands over to the image's entrypoint,
/// which finds an existing data directory and starts a hot standby.
fn postgres_replica_script(primary: &str, port: u16, user: &str) -> Vec<String> {
    [
        "set -e".to_string(),
        "if [ ! -s \"$PGDATA/PG_VERSION\" ]; then".into(),
        format!(
            "  until pg_basebackup -h {primary} -p {port} -U {user} -D \"$PGDATA\" -R -X stream -c fast; do"
        ),
        format!("    echo \"waiting for {primary}\"; rm -rf \"$PGDATA\"/*; sleep 2"),
        "  done".into(),
        "fi".into(),
        "exec docker-entrypoint.sh postgres -c hot_standby=on".into(),
    ]
    .map(|l| compose_escape(&l))
    .to_vec()
}

/// Members of an authenticated replica set prove themselves to each other
/// with a key file; it is derived from the password so no second secret is
/// needed. The entrypoint creates the user on the first start.
fn mongo_script(set: &str, port: u16) -> Vec<String> {
    [
        "set -e".to_string(),
        "printf '%s' \"$MONGO_KEYFILE_SECRET\" | sha256sum | cut -d ' ' -f 1 > /data/keyfile"
            .into(),
        "chmod 400 /data/keyfile && chown mongodb:mongodb /data/keyfile".into(),
        format!(
            "exec docker-entrypoint.sh mongod --replSet {set} --port {port} --bind_ip_all --keyFile /data/keyfile"
        ),
    ]
    .map(|l| compose_escape(&l))
    .to_vec()
}

/// Compose interpolates `$` everywhere; a `$` meant for the container's shell
/// is written `$$`.
fn compose_escape(s: &str) -> String {
    s.replace('$', "$$")
}

const POSTGRES_PRIMARY_INIT: &str = r#"# Let replicas clone and stream from this primary (pg_basebackup, as the app user).
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
"#;

const MYSQL_PRIMARY_INIT: &str = r#"# Let the app user read the binary log (replicas connect as it).
docker_process_sql --database=mysql <<EOSQL
GRANT REPLICATION SLAVE ON *.* TO '$MYSQL_USER'@'%';
EOSQL
"#;

const MYSQL_REPLICA_INIT: &str = r#"# Replicate from SOURCE_HOST with GTID auto-positioning (the password must not contain ').
docker_process_sql <<EOSQL
CHANGE REPLICATION SOURCE TO SOURCE_HOST='$SOURCE_HOST', SOURCE_PORT=$SOURCE_PORT, SOURCE_USER='$SOURCE_USER', SOURCE_PASSWORD='$SOURCE_PASSWORD', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;
START REPLICA;
EOSQL
"#;

const FLUENT_BIT_CONFIG: &str = "[SERVICE]
    Flush     1
    Log_Level info

[INPUT]
    Name   forward
    Listen 0.0.0.0
    Port   24224

[OUTPUT]
    Name  file
    Match *
    Path  /fluent-bit/log
";

fn prometheus_config(m: &Model) -> String {
    let mut out = String::from("global:\n  scrape_interval: 15s\nscrape_configs:\n");
    out.push_str(
        "  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:9090']\n",
    );
    for w in &m.webs {
        out.push_str(&format!(
            "  - job_name: {}\n    metrics_path: /metrics\n    static_configs:\n      - targets: [{}]\n",
            w.name,
            w.instances
                .iter()
                .map(|i| format!("'{i}:{}'", w.port))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// A user's string as a literal Compose value: Compose interpolates `$`, so
/// `${X}` written in a design must reach the container as text, as `$${X}`.
fn literal(s: &str) -> String {
    s.replace('$', "$$")
}
