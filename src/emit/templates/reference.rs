//! The reference of what every template receives (docs/templates.md),
//! generated from the code: while recording, each render adds the shape of
//! its context (variable names, their types, nested fields) to the
//! template's entry. Built over the examples and fixtures, so the page lists
//! every variable a design can give a template; a test keeps the page equal
//! to what this module generates, so it cannot drift.

use super::builtin::BUILTIN;
use crate::emit::Target;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

// Per thread: `generate` renders on its own thread, and other renders of the
// process (tests run in parallel) must not add to its page.
thread_local! {
    static RECORDING: Cell<bool> = const { Cell::new(false) };
    static SHAPES: RefCell<BTreeMap<(usize, String), Shape>> = const { RefCell::new(BTreeMap::new()) };
}

/// The types a variable took over every render, its fields (objects) and
/// its items (lists).
#[derive(Default)]
struct Shape {
    types: BTreeSet<&'static str>,
    fields: BTreeMap<String, Shape>,
    items: Option<Box<Shape>>,
    /// An object keyed by data (variable names, label keys) rather than by
    /// field names: its values, merged.
    values: Option<Box<Shape>>,
}

/// Whether an object's key is data: a field name is `lower_snake`; a
/// variable (`LOG_LEVEL`) or label key (`app.kubernetes.io/name`) is not.
fn is_data_key(k: &str) -> bool {
    !k.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Shape {
    fn add(&mut self, v: &Value) {
        self.types.insert(match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "list",
            Value::Object(_) => "object",
        });
        match v {
            Value::Array(items) => {
                let shape = self.items.get_or_insert_with(Default::default);
                items.iter().for_each(|i| shape.add(i));
            }
            Value::Object(m) if self.values.is_some() || m.keys().any(|k| is_data_key(k)) => {
                // Once a map, always: fields seen before move into its values.
                let values = self.values.get_or_insert_with(Default::default);
                for (_, f) in std::mem::take(&mut self.fields) {
                    values.types.extend(f.types);
                }
                m.values().for_each(|v| values.add(v));
            }
            Value::Object(m) => {
                for (k, v) in m {
                    self.fields.entry(k.clone()).or_default().add(v);
                }
            }
            _ => {}
        }
    }

    /// `- `name` (type)` lines, nested by indentation.
    fn write(&self, name: &str, depth: usize, out: &mut String) {
        let mut types: Vec<&str> = self.types.iter().copied().collect();
        let optional_map = self.values.is_some() && types.contains(&"null");
        // `null` beside another type means "may be absent".
        let optional = types.len() > 1 && types.contains(&"null");
        types.retain(|t| !optional || *t != "null");
        let of = |inner: &Option<Box<Shape>>| match inner {
            Some(i) if !i.types.is_empty() => {
                let t: Vec<&str> = i.types.iter().copied().collect();
                format!(" of {}", t.join(" or "))
            }
            _ => String::new(),
        };
        let item = of(&self.items);
        if self.values.is_some() {
            types = vec!["map"];
        }
        let item = item + &of(&self.values);
        out.push_str(&format!(
            "{}- `{name}`: {}{item}{}\n",
            "  ".repeat(depth),
            types.join(" or "),
            if optional || optional_map {
                ", or null"
            } else {
                ""
            }
        ));
        for (k, f) in &self.fields {
            f.write(k, depth + 1, out);
        }
        if let Some(i) = &self.items {
            for (k, f) in &i.fields {
                f.write(&format!("[].{k}"), depth + 1, out);
            }
        }
    }
}

/// Called by every render: adds the context's shape while recording.
pub(super) fn record(target: Target, name: &str, ctx: &tera::Context) {
    if !RECORDING.get() {
        return;
    }
    let json = ctx.clone().into_json();
    SHAPES.with_borrow_mut(|shapes| {
        shapes
            .entry((target.index(), name.to_string()))
            .or_default()
            .add(&json)
    });
}

/// Runs `render_all` (which renders designs on this thread, with
/// `emit::emit`) while recording, and returns the reference page: one
/// section per template, in `BUILTIN` order.
pub fn generate(render_all: impl FnOnce()) -> String {
    SHAPES.with_borrow_mut(BTreeMap::clear);
    RECORDING.set(true);
    render_all();
    RECORDING.set(false);
    let shapes = SHAPES.take();
    let mut out = String::from(
        "# What every template receives\n\n\
         <!-- Generated by `UPDATE_DOCS=1 cargo test --test it templates_reference`\n\
         from the contexts archc's emitters give each template while building every example\n\
         and ok fixture; a test fails when this page and the code disagree. Do not edit. -->\n\n\
         Each template renders from a context: the variables below, with the types they take.\n\
         `A or null` means the value may be absent; `[].name` is a field of each item of a list;\n\
         a `map` is keyed by data (variable names, label keys).\n\
         Override a template by copying it (`archc templates export DIR`) and editing the copy;\n\
         `archc build --templates DIR` (or a `templates/` folder beside the design) uses it.\n\
         Filters every template may use: `hcl` (a quoted HCL string), `json` (JSON, also valid\n\
         YAML), `yaml` (a YAML scalar, quoted only when needed), `tf_name` (a Terraform identifier).\n\
         docs/customizing.md walks through overriding a template.\n",
    );
    let mut target = None;
    for b in BUILTIN {
        if target != Some(b.target) {
            target = Some(b.target);
            out.push_str(&format!("\n## {}\n", b.target.name()));
        }
        out.push_str(&format!("\n### `{}`\n\nRenders {}.\n\n", b.path, b.renders));
        match shapes.get(&(b.target.index(), b.name.to_string())) {
            Some(shape) => {
                for (k, f) in &shape.fields {
                    f.write(k, 0, &mut out);
                }
            }
            None => out.push_str("Not rendered by any example or fixture.\n"),
        }
    }
    out
}
