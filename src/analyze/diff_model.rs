//! Components added, removed and changed between two models, with the clauses
//! that changed (`scale: count 2 -> autoscale 2..10 at cpu 70%`).

use super::describe::{describe, Described};
use crate::model::Model;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub kind: &'static str,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

/// A component as it stands on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Whole {
    pub kind: &'static str,
    pub name: String,
    /// Its clauses, `field value`.
    pub clauses: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModelDiff {
    pub added: Vec<Whole>,
    pub removed: Vec<Whole>,
    pub changed: Vec<Changed>,
}

impl ModelDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    pub fn changed(&self, kind: &str, name: &str) -> Option<&Changed> {
        self.changed
            .iter()
            .find(|c| c.kind == kind && c.name == name)
    }

    pub fn field(&self, kind: &str, name: &str, field: &str) -> Option<&FieldChange> {
        self.changed(kind, name)
            .and_then(|c| c.fields.iter().find(|f| f.field == field))
    }
}

fn whole(d: &Described) -> Whole {
    Whole {
        kind: d.kind,
        name: d.name.clone(),
        clauses: d.fields.iter().map(|(f, v)| format!("{f} {v}")).collect(),
    }
}

/// Compares two stages component by component; a component is the same one on
/// both sides when its kind and name match.
pub fn diff(from: &Model, to: &Model) -> ModelDiff {
    let before = describe(from);
    let after = describe(to);
    let mut out = ModelDiff::default();
    for a in &after {
        match before.iter().find(|b| b.kind == a.kind && b.name == a.name) {
            None => out.added.push(whole(a)),
            Some(b) => {
                let fields: Vec<FieldChange> = a
                    .fields
                    .iter()
                    .filter_map(|(f, v)| {
                        let old = b.get(f).unwrap_or("none");
                        (old != v).then(|| FieldChange {
                            field: f,
                            from: old.to_string(),
                            to: v.clone(),
                        })
                    })
                    .collect();
                if !fields.is_empty() {
                    out.changed.push(Changed {
                        kind: a.kind,
                        name: a.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for b in &before {
        if !after.iter().any(|a| a.kind == b.kind && a.name == b.name) {
            out.removed.push(whole(b));
        }
    }
    out
}
