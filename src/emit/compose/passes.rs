//! The builder and its two passes over the design (see
//! `project::compose_yaml`): the first surveys the services, the second
//! renders each one as soon as it is built.

use super::project::Project;
use super::service::{Dependency, Service, EDGE};
use crate::emit::templates::Engine;
use crate::emit::{EmitError, Result};
use crate::model::{AppEnv, Model};
use indexmap::IndexSet;
use std::collections::HashMap;
use tera::Context;

/// Builds compose.yaml's services, in `Builder::run`'s order, and the
/// project around them. Each family of services adds its steps to it from its
/// own file (`web`, `databases`, `caches`, …).
pub(super) struct Builder<'m> {
    pub(super) m: &'m Model,
    pub(super) p: Project,
    /// Where each service goes once built.
    pub(super) services: Services<'m>,
    /// The application environment contract of the stage.
    pub(super) contract: AppEnv,
    /// Secret variables already listed, to list each once.
    pub(super) secret_names: IndexSet<String>,
    /// Next host port for a second published service (the first gets 80).
    pub(super) next_host_port: u16,
    pub(super) config_names: IndexSet<&'static str>,
    /// Services the application instances wait for: (service, has healthcheck).
    pub(super) data_services: Vec<String>,
}

/// What the first pass learns of the services.
#[derive(Default)]
pub(super) struct Survey {
    /// Every service's name (two alike are an error), and whether it has a
    /// healthcheck: a dependency on one that has waits until it is healthy.
    pub(super) healthy: HashMap<String, bool>,
    /// The first name given twice.
    twice: Option<String>,
    /// Whether any service is an application instance (web or worker).
    any_app: bool,
    /// Whether any service publishes a port on the edge network.
    edge: bool,
}

/// The second pass's output: each service rendered as it is built.
pub(super) struct Rendering<'t> {
    tpl: Engine<'t>,
    survey: Survey,
    ctx: Context,
    /// compose.yaml so far.
    out: String,
    count: usize,
    /// The first render that failed; the pass goes on, the emitter reports it.
    error: Option<EmitError>,
}

pub(super) enum Services<'t> {
    Survey(Survey),
    Render(Rendering<'t>),
}

impl Project {
    /// The first pass: the project without its services, and what the
    /// second pass needs to know of them.
    pub(super) fn build(m: &Model) -> Result<(Project, Survey)> {
        let mut b = Builder::new(m, Services::Survey(Survey::default()));
        b.run();
        b.finish()
    }

    /// The second pass: appends the `services:` entries to `out`, each
    /// rendered from its own small context as soon as it is built.
    /// `shared`: whether the head defines the shared environment and the
    /// shared dependencies that application instances merge in.
    pub(super) fn render_services(
        m: &Model,
        tpl: Engine,
        shared: (bool, bool),
        survey: Survey,
        out: &mut String,
    ) -> Result<()> {
        let mut ctx = Context::new();
        ctx.insert("app_env", &shared.0);
        ctx.insert("app_depends_on", &shared.1);
        let rendering = Rendering {
            tpl,
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
    pub(super) fn new(m: &'m Model, services: Services<'m>) -> Self {
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

    /// Hands one built service to the pass: surveyed, or rendered.
    pub(super) fn service(&mut self, mut s: Service) {
        super::hardening::harden(&mut s);
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
                match r.tpl.render("service.yaml", &r.ctx) {
                    Ok(text) => r.out.push_str(text.strip_suffix('\n').unwrap_or(&text)),
                    Err(e) => {
                        r.error.get_or_insert(e);
                    }
                }
            }
        }
    }

    /// Wires application instances to the data services and checks service
    /// names are unique: the end of the first pass.
    pub(super) fn finish(mut self) -> Result<(Project, Survey)> {
        let Services::Survey(survey) = self.services else {
            unreachable!("finish ends the survey pass");
        };
        if let Some(name) = &survey.twice {
            return Err(EmitError::new(format!(
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

impl Survey {
    fn condition(&self, service: &str) -> &'static str {
        if self.healthy.get(service) == Some(&true) {
            "service_healthy"
        } else {
            "service_started"
        }
    }
}
