//! Reading a component's clauses: each by its key, with the language's
//! default when it is absent, and the unit conversions the model uses.

use crate::model::types::*;
use crate::span::Spanned;
use crate::syntax::ast::{self, Clause};
use indexmap::IndexMap;

/// The clauses of one statement, by key.
pub(super) struct Clauses<'a>(IndexMap<&'static str, &'a Spanned<Clause>>);

impl<'a> Clauses<'a> {
    pub(super) fn of(c: &'a ast::Component) -> Self {
        Clauses(c.clauses.iter().map(|cl| (cl.node.key(), cl)).collect())
    }
    pub(super) fn get(&self, key: &str) -> Option<&'a Clause> {
        self.0.get(key).map(|c| &c.node)
    }
    pub(super) fn spans(&self) -> ClauseSpans {
        self.0.iter().map(|(k, c)| (*k, c.span)).collect()
    }
    pub(super) fn count(&self, default: u32) -> u32 {
        match self.get("count") {
            Some(Clause::Count(n)) => n.node as u32,
            _ => default,
        }
    }
    pub(super) fn size(&self) -> Resources {
        match self.get("size") {
            Some(Clause::Size(s)) => s.resources(),
            _ => SizeClass::Small.resources(),
        }
    }
    /// The design's image, or the runtime plan's placeholder (`true`).
    pub(super) fn image(&self) -> (String, bool) {
        match self.get("image") {
            Some(Clause::Image(s)) => (s.node.clone(), false),
            _ => (crate::model::runtime::placeholder::IMAGE.to_string(), true),
        }
    }
    /// `capacity N UNIT`: per instance, the unit checked while parsing.
    pub(super) fn capacity(&self) -> Option<f64> {
        match self.get("capacity") {
            Some(Clause::Capacity { value, .. }) if value.node.is_finite() => Some(value.node),
            _ => None,
        }
    }
    /// `hits N%`.
    pub(super) fn hits(&self) -> Option<f64> {
        match self.get("hits") {
            Some(Clause::Hits(v)) if v.node.is_finite() => Some(v.node),
            _ => None,
        }
    }
    pub(super) fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    /// `label KEY=VALUE, …`, in the order written.
    pub(super) fn labels(&self) -> Vec<Label> {
        match self.get("label") {
            Some(Clause::Label(l)) => l
                .iter()
                .map(|s| Label {
                    key: s.name.node.clone(),
                    value: s.value.node.clone(),
                    span: s.name.span,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
    /// `env NAME="value", …`, in the order written.
    pub(super) fn env(&self) -> Vec<EnvSetting> {
        match self.get("env") {
            Some(Clause::Env(l)) => l
                .iter()
                .map(|s| EnvSetting {
                    name: s.name.node.clone(),
                    value: s.value.node.clone(),
                    span: s.name.span,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
    /// `secret NAME, …`, in the order written.
    pub(super) fn secrets(&self) -> Vec<SecretName> {
        match self.get("secret") {
            Some(Clause::Secret(l)) => l
                .iter()
                .map(|n| SecretName {
                    name: n.node.clone(),
                    span: n.span,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The instance names of a component that runs `count` of them: `web-1`, ….
pub(super) fn numbered(name: &str, count: u32) -> Vec<String> {
    (1..=count).map(|i| format!("{name}-{i}")).collect()
}

pub(super) fn mib_ceil(bytes: u64) -> u32 {
    bytes.div_ceil(1 << 20).min(u32::MAX as u64) as u32
}

pub(super) fn gib_ceil(bytes: u64) -> u32 {
    bytes.div_ceil(1 << 30).min(u32::MAX as u64) as u32
}
