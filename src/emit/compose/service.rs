//! One entry of compose.yaml's `services:` (`service.yaml.tera`): the
//! `Service` the template prints and its parts, and the small conversions
//! every kind of service uses.

use crate::model::{Label, Resources};
use indexmap::IndexMap;
use serde::Serialize;

/// The network every service joins; `internal: true`, so nothing on it alone
/// can reach or be reached from outside the host.
pub(super) const BACKEND: &str = "backend";
/// The public network: only services that publish a port join it.
pub(super) const EDGE: &str = "edge";

#[derive(Serialize, Default)]
pub(super) struct Service {
    pub(super) name: String,
    /// Comment lines printed above the service.
    pub(super) comments: Vec<String>,
    pub(super) image: String,
    pub(super) hostname: Option<String>,
    /// Exec-form command.
    pub(super) command: Vec<String>,
    /// A shell script run as `sh -c` (printed as a YAML block), one entry a line.
    pub(super) script: Vec<String>,
    pub(super) restart: bool,
    pub(super) ports: Vec<String>,
    pub(super) expose: Vec<String>,
    pub(super) environment: IndexMap<String, String>,
    /// The design's `label`s of the component the service belongs to.
    pub(super) labels: Vec<(String, String)>,
    pub(super) volumes: Vec<String>,
    pub(super) configs: Vec<ConfigMount>,
    pub(super) healthcheck: Option<Healthcheck>,
    pub(super) depends_on: Vec<Dependency>,
    /// An application instance: its environment and dependencies also hold
    /// the project's `app_env` and `app_depends_on`.
    pub(super) app: bool,
    pub(super) networks: Vec<&'static str>,
    pub(super) limits: Option<Limits>,
    /// Set by `hardening::harden` (every capability is dropped): the user
    /// the container runs as, the capabilities added back, a read-only root
    /// file system and the tmpfs mounts it then needs.
    pub(super) user: Option<String>,
    pub(super) cap_add: Vec<&'static str>,
    pub(super) read_only: bool,
    pub(super) tmpfs: Vec<&'static str>,
}

#[derive(Serialize)]
pub(super) struct Healthcheck {
    pub(super) test: Vec<String>,
    pub(super) interval: &'static str,
    pub(super) timeout: &'static str,
    pub(super) retries: u32,
    pub(super) start_period: &'static str,
}

#[derive(Serialize)]
pub(super) struct Dependency {
    pub(super) service: String,
    pub(super) condition: &'static str,
}

#[derive(Serialize)]
pub(super) struct Limits {
    pub(super) cpus: String,
    pub(super) memory: String,
}

#[derive(Serialize)]
pub(super) struct ConfigMount {
    pub(super) source: &'static str,
    pub(super) target: String,
}

impl Healthcheck {
    pub(super) fn new(test: Vec<String>, start_period: &'static str) -> Self {
        Healthcheck {
            test,
            interval: "10s",
            timeout: "5s",
            retries: 5,
            start_period,
        }
    }
}

pub(super) fn cmd(parts: &[&str]) -> Vec<String> {
    std::iter::once("CMD")
        .chain(parts.iter().copied())
        .map(String::from)
        .collect()
}

pub(super) fn limits(r: &Resources, memory_mb: u32) -> Option<Limits> {
    Some(Limits {
        cpus: r.cpus.clone(),
        memory: format!("{memory_mb}M"),
    })
}

/// Compose interpolates `$` everywhere; a `$` meant for the container's shell
/// is written `$$`.
pub(super) fn compose_escape(s: &str) -> String {
    s.replace('$', "$$")
}

/// A user's string as a literal Compose value: Compose interpolates `$`, so
/// `${X}` written in a design must reach the container as text, as `$${X}`.
pub(super) fn literal(s: &str) -> String {
    s.replace('$', "$$")
}

/// A component's `label`s as the service's `labels:` (keys and values are
/// Kubernetes label syntax: nothing Compose would interpolate).
pub(super) fn labels(l: &[Label]) -> Vec<(String, String)> {
    l.iter().map(|l| (l.key.clone(), l.value.clone())).collect()
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
