//! Template loading shared by every emitter: templates are embedded with
//! `include_str!` and parsed once per process, never per file.

use super::{EmitError, Result};
use std::collections::HashMap;
use tera::{Context, Tera, Value};

/// Builds a tera engine from `(name, text)` pairs, with archc's escaping filters.
/// Called once per target through a `OnceLock`.
pub fn engine(templates: &[(&str, &str)]) -> Tera {
    let mut tera = Tera::default();
    // Nothing archc writes is HTML: escaping is done by the filters below,
    // one per output syntax.
    tera.autoescape_on(vec![]);
    tera.add_raw_templates(templates.iter().copied())
        .unwrap_or_else(|e| panic!("embedded template does not parse: {e:?}"));
    tera.register_filter("hcl", hcl_filter);
    tera.register_filter("json", json_filter);
    tera.register_filter("tf_name", tf_name_filter);
    tera
}

/// Renders one template, mapping tera's error chain into an `EmitError`.
pub fn render(tera: &Tera, name: &str, ctx: &Context) -> Result<String> {
    tera.render(name, ctx).map_err(|e| render_error(name, e))
}

/// Renders one template straight into `out`, piece by piece, with no
/// buffer holding the whole text (a large Terraform file is megabytes).
pub fn render_into(tera: &Tera, name: &str, ctx: &Context, out: impl std::io::Write) -> Result<()> {
    tera.render_to(name, ctx, out)
        .map_err(|e| render_error(name, e))
}

fn render_error(name: &str, e: tera::Error) -> EmitError {
    let mut msg = format!("template {name}: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    EmitError(msg)
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
    fn json_quote_is_yaml_safe() {
        assert_eq!(json_quote("a: b\n#c"), r#""a: b\n#c""#);
    }
}
