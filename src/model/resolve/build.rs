//! Building one stage's model from its declarations: each component from its
//! clauses (the kinds in `front`, `data` and `jobs`), then the references
//! linked (`link`), then the password variables named.

use super::clauses::Clauses;
use super::{Ctx, Dropped, Resolver, State};
use crate::diag::Diagnostic;
use crate::model::types::*;
use crate::syntax::ast::{self, Kind};

/// A stage's model while it is built, with the diagnostics about it.
pub(super) struct Builder<'c> {
    pub(super) ctx: &'c Ctx<'c>,
    pub(super) model: Model,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) dropped: &'c Dropped,
}

impl Resolver {
    /// The model of `stage` (the `index`th), from the declarations it sees.
    /// Its diagnostics are tagged with the stage when the file has stages.
    pub(super) fn build(&mut self, ctx: &Ctx, state: &State, stage: &str, index: usize) -> Model {
        let mut b = Builder {
            ctx,
            model: Model {
                system: ctx.system.to_string(),
                region: ctx.region.to_string(),
                stage: stage.to_string(),
                stage_index: index,
                source_name: ctx.source_name.to_string(),
                datacenters: None,
                webs: Vec::new(),
                lbs: Vec::new(),
                dbs: Vec::new(),
                caches: Vec::new(),
                cdns: Vec::new(),
                nosqls: Vec::new(),
                queues: Vec::new(),
                workers: Vec::new(),
                logs: None,
                metrics: None,
                traffic: None,
            },
            diags: Vec::new(),
            dropped: &self.dropped,
        };
        for ((kind, name), decl) in state {
            let origin = Origin {
                span: decl.span,
                line: ctx.line(decl.span),
                stage: decl.stage.clone(),
                inherited: decl.stage.as_deref() != Some(stage) && ctx.staged,
                implicit: false,
            };
            if let Some((regions, geodns)) = decl.datacenters {
                b.model.datacenters = Some(Datacenters {
                    regions: regions.iter().map(|r| r.node.clone()).collect(),
                    geodns,
                    origin,
                });
                continue;
            }
            if let Some(t) = decl.traffic {
                b.model.traffic = Some(traffic(t, origin));
                continue;
            }
            let comp = decl
                .comp
                .expect("a component declaration has its statement");
            b.component(*kind, name, comp, origin);
        }
        b.link();
        crate::model::appenv::assign_password_envs(&mut b.model);
        let stage_tag = ctx.staged.then(|| stage.to_string());
        for mut d in b.diags {
            d.stages.extend(stage_tag.clone());
            self.diags.push(d);
        }
        b.model
    }
}

impl Builder<'_> {
    /// Adds one declared component to the model.
    fn component(&mut self, kind: Kind, name: &str, comp: &ast::Component, origin: Origin) {
        let cl = Clauses::of(comp);
        let name = name.to_string();
        match kind {
            Kind::Web => self.web(name, &cl, origin),
            Kind::Lb => self.lb(name, &cl, origin),
            Kind::Cdn => self.cdn(name, &cl, origin),
            Kind::Db => self.db(name, &cl, origin),
            Kind::Cache => self.cache(name, &cl, origin),
            Kind::Nosql => self.nosql(name, &cl, origin),
            Kind::Queue => self.queue(name, &cl, origin),
            Kind::Worker => self.worker(name, &cl, origin),
            Kind::Logs => self.model.logs = Some(origin),
            Kind::Metrics => self.model.metrics = Some(origin),
            Kind::Datacenters | Kind::Traffic => {
                unreachable!("datacenters and traffic are not component statements")
            }
        }
    }
}

/// The stage's load, each clause left out at its default (named in
/// `defaults`, for every output that uses it).
fn traffic(t: &ast::Traffic, origin: Origin) -> Traffic {
    use crate::model::defaults::*;
    let mut defaults = Vec::new();
    let mut pick = |v: &Option<crate::span::Spanned<f64>>, default: f64, word: &'static str| {
        // A number reported while parsing (NaN) counts as left out.
        v.as_ref()
            .map(|v| v.node)
            .filter(|v| v.is_finite())
            .unwrap_or_else(|| {
                defaults.push(word);
                default
            })
    };
    let users = pick(&t.users, 0.0, "users");
    let requests_per_user = pick(&t.requests_per_user, DEFAULT_REQUESTS_PER_USER, "requests");
    let peak = pick(&t.peak, DEFAULT_PEAK, "peak");
    let reads_percent = pick(&t.reads_percent, DEFAULT_READS_PERCENT, "reads");
    let response_bytes = pick(&t.response_bytes, DEFAULT_RESPONSE_BYTES, "response");
    defaults.retain(|d| *d != "users");
    Traffic {
        users,
        requests_per_user,
        peak,
        reads_percent,
        response_bytes,
        defaults,
        origin,
    }
}
