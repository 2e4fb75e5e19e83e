//! Cross-target parity: every target is rendered in memory, each target's
//! TEXT is read back by an extractor of its own (YAML for Compose and
//! Kubernetes, line patterns for nginx, HAProxy and Terraform), and each fact
//! found (instance counts, ports, health paths, replica counts, TTLs,
//! balancing method) is compared with what the model says. A disagreement is
//! an archc bug, reported as `E0401` at the design line of the component.

mod expected;
mod lbconf;
mod terraform;
mod yaml;

pub use expected::expected;

use crate::diag::Diagnostic;
use crate::emit::{self, OutFile, Target};
use crate::model::{Design, Model};

/// One fact about one component: `web web` / `instances` / `2`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fact {
    pub kind: &'static str,
    pub name: String,
    /// What is counted or named: `instances`, `port`, `method to web`.
    pub what: String,
    pub value: String,
    /// The generated file it was read from (empty for an expected fact).
    pub file: String,
}

impl Fact {
    pub fn new(
        kind: &'static str,
        name: &str,
        what: impl Into<String>,
        value: impl ToString,
    ) -> Fact {
        Fact {
            kind,
            name: name.to_string(),
            what: what.into(),
            value: value.to_string(),
            file: String::new(),
        }
    }

    fn key(&self) -> (&str, &str, &str) {
        (self.kind, &self.name, &self.what)
    }
}

/// A fact of one target that disagrees with the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub target: &'static str,
    pub expected: Fact,
    /// What the target says; `None` when it says nothing where it must.
    pub found: Option<Fact>,
}

impl Mismatch {
    pub fn message(&self) -> String {
        let e = &self.expected;
        let who = super::describe::label(e.kind, &e.name);
        match &self.found {
            Some(f) => format!(
                "generated outputs disagree: {}/{} gives `{who}` {} = {}, the design says {}",
                self.target, f.file, e.what, f.value, e.value
            ),
            None => format!(
                "generated outputs disagree: the {} output does not state `{who}` {} (the design says {})",
                self.target, e.what, e.value
            ),
        }
    }
}

/// Reads the facts a target's files state.
/// The model supplies only the names of the components to look for.
pub fn extract(target: Target, m: &Model, files: &[OutFile]) -> Vec<Fact> {
    match target {
        Target::Compose => yaml::compose(m, files),
        Target::K8s => yaml::k8s(m, files),
        Target::Nginx => lbconf::nginx_files(files),
        Target::Haproxy => lbconf::haproxy_files(files),
        Target::Terraform => terraform::extract(m, files),
    }
}

/// Compares what a target's files state with what the model says.
pub fn compare(target: Target, m: &Model, files: &[OutFile]) -> Vec<Mismatch> {
    let found = extract(target, m, files);
    let mut out = Vec::new();
    for (exp, required) in expected(target, m) {
        let same: Vec<&Fact> = found.iter().filter(|f| f.key() == exp.key()).collect();
        if same.is_empty() && required {
            out.push(Mismatch {
                target: target.name(),
                expected: exp.clone(),
                found: None,
            });
        }
        for f in same.into_iter().filter(|f| f.value != exp.value) {
            out.push(Mismatch {
                target: target.name(),
                expected: exp.clone(),
                found: Some(f.clone()),
            });
        }
    }
    out
}

/// Renders every target for one stage and compares each with the model.
pub fn check_model(m: &Model, opts: &emit::Options) -> Result<Vec<Mismatch>, emit::EmitError> {
    let mut out = Vec::new();
    for t in Target::ALL {
        let files = emit::emit(t, m, opts)?;
        out.extend(compare(t, m, &files));
    }
    Ok(out)
}

/// Parity over every stage of a design, as diagnostics at each component's
/// design line. A design with errors cannot be emitted: check it first.
/// With the user's templates (`opts.templates`), their YAML must also read
/// back (E0504), and a template that does not render is the `Err`.
pub fn check_design(
    design: &Design,
    opts: &emit::Options,
) -> Result<Vec<Diagnostic>, emit::EmitError> {
    let mut out = Vec::new();
    for m in &design.stages {
        let mismatches = match check_model(m, opts) {
            Ok(ms) => ms,
            Err(e) if e.template.is_some() => return Err(e),
            Err(e) => {
                let span = crate::span::Span::default();
                let mut d =
                    Diagnostic::new("E0401", span, format!("a target failed to render: {e}"));
                d.stages = vec![m.stage.clone()];
                out.push(d);
                continue;
            }
        };
        out.extend(diagnostics(m, &mismatches));
        if let Some(u) = &opts.templates {
            out.extend(unreadable_yaml(m, opts, &u.paths())?);
        }
    }
    Ok(crate::diag::sort_and_merge(out))
}

/// E0504 for each Compose or Kubernetes file of the stage that is not YAML,
/// which only a user's template can cause.
fn unreadable_yaml(
    m: &Model,
    opts: &emit::Options,
    overridden: &[&str],
) -> Result<Vec<Diagnostic>, emit::EmitError> {
    let mut out = Vec::new();
    for t in [Target::Compose, Target::K8s] {
        for f in emit::emit(t, m, opts)? {
            if !(f.path.ends_with(".yaml") || f.path.ends_with(".yml")) {
                continue;
            }
            if let Some(e) = yaml::parse_error(&f.contents) {
                let mut d = Diagnostic::new(
                    "E0504",
                    crate::span::Span::default(),
                    format!("{}/{} is not valid YAML: {e}", t.name(), f.path),
                )
                .primary("the stage whose output does not read back")
                .help(format!(
                    "the overridden templates render it: {}; `archc build` it and read the file at the line named",
                    overridden.join(", ")
                ));
                d.stages = vec![m.stage.clone()];
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// Mismatches of one stage as E0401 diagnostics, each at the design line of
/// the component it is about.
pub fn diagnostics(m: &Model, mismatches: &[Mismatch]) -> Vec<Diagnostic> {
    mismatches
        .iter()
        .map(|mm| {
            let span = m
                .components()
                .iter()
                .find(|c| c.kind == mm.expected.kind && c.name == mm.expected.name)
                .map(|c| c.origin.span)
                .unwrap_or_default();
            let mut d = Diagnostic::new("E0401", span, mm.message())
                .primary(format!("{} of this component", mm.expected.what))
                .help(
                    "this is a bug in archc, not in the design: please report it with this design",
                );
            d.stages = vec![m.stage.clone()];
            d
        })
        .collect()
}
