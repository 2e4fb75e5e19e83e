//! Emitters: one module per target, each `emit(&Model, &Options) -> Result<Vec<OutFile>>`.
//!
//! Emitters read only the resolved model; the text lives in tera templates under
//! `templates/<target>/`, embedded in the binary so archc works from any directory.

pub mod templates;

pub mod compose;
pub mod haproxy;
pub mod k8s;
pub mod nginx;
pub mod terraform;

use crate::model::Model;
use serde::Serialize;

/// A generated file, its path relative to the target's output directory
/// (`/`-separated), and its full contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutFile {
    pub path: String,
    pub contents: String,
}

/// Settings that are not part of the design.
///
/// The address fields let the balancer configs (`nginx`, `haproxy`) run on one
/// machine against local servers: `archc build --local-ports FILE.json`, whose
/// JSON object has these field names (docs/traffic.md). They change nothing
/// but the addresses; the default (all empty) is the deployable output.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Web instance name (`web-1`) -> `HOST:PORT` that the balancer configs
    /// send its traffic to, instead of `<instance>:<tier port>`.
    pub upstream_addrs: indexmap::IndexMap<String, String>,
    /// Load balancer name -> `HOST:PORT` its configs listen on, instead of
    /// every address on the design's port.
    pub lb_listen: indexmap::IndexMap<String, String>,
    /// Port of HAProxy's statistics page on 127.0.0.1, instead of 8404.
    pub haproxy_stats_port: Option<u16>,
}

/// Every target archc knows, in the order `--target all` builds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Target {
    Terraform,
    Compose,
    Nginx,
    Haproxy,
    K8s,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Terraform,
        Target::Compose,
        Target::Nginx,
        Target::Haproxy,
        Target::K8s,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Terraform => "terraform",
            Target::Compose => "compose",
            Target::Nginx => "nginx",
            Target::Haproxy => "haproxy",
            Target::K8s => "k8s",
        }
    }
}

/// A failure inside an emitter: a bug in archc (a template that does not render),
/// never a problem with the design, which checks have already rejected.
#[derive(Debug)]
pub struct EmitError(pub String);

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EmitError {}

pub type Result<T> = std::result::Result<T, EmitError>;

/// Runs one target's emitter.
pub fn emit(target: Target, model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    match target {
        Target::Terraform => terraform::emit(model, opts),
        Target::Compose => compose::emit(model, opts),
        Target::Nginx => nginx::emit(model, opts),
        Target::Haproxy => haproxy::emit(model, opts),
        Target::K8s => k8s::emit(model, opts),
    }
}
