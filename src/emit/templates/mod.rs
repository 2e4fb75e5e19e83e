//! The template engines shared by every emitter. The built-in templates
//! (`builtin::BUILTIN`) are embedded in the binary and parsed once per
//! process, never per file; a user's overrides (`user::UserTemplates`,
//! `--templates DIR`) get engines of their own, built when they are loaded.

pub mod builtin;
pub mod reference;
pub mod user;

use super::{EmitError, Options, Result, Target};
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Context, Tera, Value};
pub use user::{TemplateFault, UserTemplates};

/// An engine with archc's filters and no templates yet.
fn empty_engine() -> Tera {
    let mut tera = Tera::default();
    // Nothing archc writes is HTML: escaping is done by the filters below,
    // one per output syntax.
    tera.autoescape_on(vec![]);
    tera.register_filter("hcl", hcl_filter);
    tera.register_filter("json", json_filter);
    tera.register_filter("tf_name", tf_name_filter);
    tera.register_filter("yaml", yaml_filter);
    tera
}

/// The built-in engine of `target`, parsed on first use.
pub fn builtin_engine(target: Target) -> &'static Tera {
    static ENGINES: [OnceLock<Tera>; Target::ALL.len()] =
        [const { OnceLock::new() }; Target::ALL.len()];
    ENGINES[target.index()].get_or_init(|| {
        let mut tera = empty_engine();
        tera.add_raw_templates(builtin::of(target).map(|b| (b.name, b.text)))
            .unwrap_or_else(|e| panic!("embedded template does not parse: {e:?}"));
        tera
    })
}

/// The engine a target renders with under `opts`: the user's, when they
/// override one of its templates, the built-in one otherwise.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    tera: &'a Tera,
    target: Target,
    user: Option<&'a UserTemplates>,
}

impl<'a> Engine<'a> {
    pub fn of(target: Target, opts: &'a Options) -> Engine<'a> {
        let user = opts.templates.as_deref();
        let tera = user
            .and_then(|u| u.engine(target))
            .unwrap_or_else(|| builtin_engine(target));
        Engine { tera, target, user }
    }

    /// Renders one template.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String> {
        reference::record(self.target, name, ctx);
        self.tera
            .render(name, ctx)
            .map_err(|e| self.render_error(name, ctx, e))
    }

    /// Renders one template straight into `out`, piece by piece, with no
    /// buffer holding the whole text (a large Terraform file is megabytes).
    pub fn render_into(&self, name: &str, ctx: &Context, out: impl std::io::Write) -> Result<()> {
        reference::record(self.target, name, ctx);
        self.tera
            .render_to(name, ctx, out)
            .map_err(|e| self.render_error(name, ctx, e))
    }

    /// tera's error chain as one message; when the template is the user's, a
    /// fault that names their file (a user's template is their mistake, not
    /// archc's).
    fn render_error(&self, name: &str, ctx: &Context, e: tera::Error) -> EmitError {
        if let Some(fault) = self
            .user
            .and_then(|u| u.render_fault(self.target, name, ctx, &innermost(&e)))
        {
            return EmitError::template(fault);
        }
        EmitError::new(format!("template {name}: {}", error_chain(&e)))
    }
}

/// The deepest of tera's error sources: what went wrong, without the
/// "Failed to render" wrappers.
fn innermost(e: &tera::Error) -> String {
    let mut last: &dyn std::error::Error = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

/// tera's error and its sources, joined.
fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    msg
}

/// A double-quoted HCL string: escapes quotes, backslashes, newlines and the
/// `${` / `%{` template sequences so no value can inject HCL.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON string literal, which is also a valid double-quoted YAML scalar.
pub fn json_quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// A Terraform identifier: names are `[a-z][a-z0-9-]*`, `-` becomes `_`.
pub fn tf_name(s: &str) -> String {
    s.replace('-', "_")
}

fn as_str<'a>(v: &'a Value, filter: &str) -> tera::Result<&'a str> {
    v.as_str()
        .ok_or_else(|| tera::Error::msg(format!("filter {filter} expects a string, got {v}")))
}

fn hcl_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(hcl_quote(as_str(v, "hcl")?)))
}

fn json_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(
        serde_json::to_string(v).map_err(|e| tera::Error::msg(e.to_string()))?,
    ))
}

/// YAML scalar for names, label values and paths: plain when it cannot be
/// read as anything but a string, JSON-quoted otherwise (`on`, `no`, `null`,
/// `true` are names in the language but booleans/null in YAML 1.1).
fn yaml_scalar(s: &str) -> String {
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '/');
    let rest_ok = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-./_".contains(c));
    if first_ok && rest_ok && !SPECIAL.contains(&s) {
        s.to_string()
    } else {
        json_quote(s)
    }
}

fn yaml_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    match v {
        Value::String(s) => Ok(Value::String(yaml_scalar(s))),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        _ => Err(tera::Error::msg(format!(
            "filter yaml expects a string, got {v}"
        ))),
    }
}

fn tf_name_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(tf_name(as_str(v, "tf_name")?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_quote_escapes_interpolation_and_quotes() {
        assert_eq!(hcl_quote(r#"a"b${x}%{y}\"#), r#""a\"b$${x}%%{y}\\""#);
        assert_eq!(hcl_quote("$5 and %d"), r#""$5 and %d""#);
    }

    #[test]
    fn yaml_scalar_quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("web"), "web");
        assert_eq!(yaml_scalar("db-shard-1"), "db-shard-1");
        assert_eq!(yaml_scalar("/health"), "/health");
        assert_eq!(yaml_scalar("on"), "\"on\"");
        assert_eq!(yaml_scalar("no"), "\"no\"");
        assert_eq!(yaml_scalar("8080"), "\"8080\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }

    #[test]
    fn json_quote_is_yaml_safe() {
        assert_eq!(json_quote("a: b\n#c"), r#""a: b\n#c""#);
    }
}
