//! compose.yaml around its services: the head (`compose.yaml.tera`: the
//! project name, notes, the shared application environment and dependencies)
//! and the rest (`compose-rest.yaml.tera`: networks, volumes, configs), and
//! the `Builder` steps that fill them.

use super::env_example::SecretVar;
use super::passes::{Builder, Survey};
use super::service::{compose_escape, Dependency};
use crate::emit::templates::Engine;
use crate::emit::Result;
use crate::model::{LbEngine, Model};
use indexmap::IndexMap;
use serde::Serialize;
use tera::Context;

/// compose.yaml, and the project it prints without its services (whose
/// secrets `.env.example` lists).
///
/// The builder runs twice over the design. The first pass learns what the
/// file's head and each service's rendering need from all the services
/// (which have a healthcheck, whether any is an application, the shared
/// environment and dependencies) without keeping them; the second renders
/// each service into compose.yaml as soon as it is built. Holding every
/// service until the end cost more memory than the file itself (at 10,000
/// components, 30,000 services: ~35 MB of structs beside a 15 MB text).
pub(super) fn compose_yaml(model: &Model, tpl: Engine) -> Result<(String, Project)> {
    let (mut project, survey) = Project::build(model)?;
    let header = crate::emit::header_line(model);
    let context = |p: &Project, survey: &Survey| {
        let mut ctx = Context::new();
        ctx.insert("header", &header);
        ctx.insert("has_services", &!survey.healthy.is_empty());
        ctx.insert("p", p);
        ctx
    };
    // The head of compose.yaml, its services and the rest, appended to one
    // string: the services are most of a large project's file.
    let mut compose = tpl.render("compose.yaml", &context(&project, &survey))?;
    let shared = (
        !project.app_env.is_empty(),
        !project.app_depends_on.is_empty(),
    );
    // Only the head prints the shared environment and dependencies (MBs
    // at 10,000 components); the services only need to know they exist.
    project.app_env = IndexMap::new();
    project.app_depends_on = Vec::new();
    let ctx = context(&project, &survey);
    Project::render_services(model, tpl, shared, survey, &mut compose)?;
    compose.push_str(&tpl.render("compose-rest.yaml", &ctx)?);
    Ok((compose, project))
}

/// Everything the template prints, in output order.
#[derive(Serialize, Default)]
pub(super) struct Project {
    /// Compose project name: the system, the same in every stage, so moving to
    /// the next stage keeps the named volumes (the data).
    pub(super) name: String,
    /// Comment lines at the top of `compose.yaml` (what compose cannot do).
    pub(super) notes: Vec<String>,
    pub(super) edge: bool,
    pub(super) volumes: Vec<String>,
    pub(super) configs: Vec<ConfigFile>,
    pub(super) secrets: Vec<SecretVar>,
    /// The environment every application instance (web and worker) shares:
    /// written once as the `x-app-env` extension field, merged into each
    /// instance's own with `<<: *app-env`, so the file grows linearly.
    pub(super) app_env: IndexMap<String, String>,
    /// The data services every application instance waits for, written once
    /// as `x-app-depends-on` and referenced with `*app-depends-on`.
    pub(super) app_depends_on: Vec<Dependency>,
    /// The services published on the host, for the README (compose.yaml
    /// prints each with its service).
    #[serde(skip)]
    pub(super) published: Vec<Published>,
}

/// A service a user reaches from the host: a load balancer, or a web tier
/// without one.
#[derive(Serialize)]
pub(super) struct Published {
    /// `load balancer` or `web tier`.
    pub(super) what: &'static str,
    pub(super) service: String,
    pub(super) host_port: u16,
    /// The path that answers when it is up.
    pub(super) health: String,
}

/// A top-level `configs:` entry with inline `content` (no extra file to ship).
#[derive(Serialize)]
pub(super) struct ConfigFile {
    pub(super) name: &'static str,
    pub(super) comment: String,
    /// Lines of the file; `$` already written as `$$` for compose.
    pub(super) lines: Vec<String>,
}

impl Builder<'_> {
    pub(super) fn host_port(&mut self) -> u16 {
        let p = self.next_host_port;
        self.next_host_port = if p == 80 { 8081 } else { p + 1 };
        p
    }

    pub(super) fn config(&mut self, name: &'static str, comment: &str, text: &str) {
        if self.config_names.insert(name) {
            self.p.configs.push(ConfigFile {
                name,
                comment: comment.to_string(),
                lines: text.lines().map(compose_escape).collect(),
            });
        }
    }

    pub(super) fn volume(&mut self, service: &str) -> String {
        let v = format!("{service}-data");
        self.p.volumes.push(v.clone());
        v
    }

    pub(super) fn notes(&mut self) {
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
                "Data centers {}: compose runs one site on one host; run this project once per data center{}. Each run has its own databases: a second site gets the data by running its database as a streaming replica of the primary site's and pointing P_HOST (its writes) at the primary's, set up by hand; archc's docs/failover.md has the procedure, and how to promote that replica when the primary site is lost.",
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
}
