//! `README.md`: how to run a target's folder, one per target. Each target
//! builds a small context of exactly the facts its README needs (the
//! secrets to create, the variables to set, the addresses to open); the
//! wording is its `README.md.tera` template, which a user may override like
//! any other.
//!
//! Its header is the one every generated file starts with, as an HTML
//! comment (`<!-- … -->`), which Markdown shows to no one and
//! `provenance::header` reads back like `# …`.

use super::templates::Engine;
use super::{header_line, EmitError, OutFile, Result};
use crate::model::{Model, Origin};
use serde::Serialize;
use tera::Context;

/// The file's name in every target's folder, and its template's name.
pub const README: &str = "README.md";

/// The first header line in Markdown: an HTML comment.
pub fn markdown_header(model: &Model) -> String {
    format!("<!-- {} -->", header_line(model))
}

/// Renders `README.md` from `facts` (its fields are the template's
/// variables, beside `header`), made of the components `made_of`.
pub(super) fn readme(
    model: &Model,
    tpl: Engine,
    facts: &impl Serialize,
    made_of: &[&Origin],
) -> Result<OutFile> {
    let mut ctx = Context::from_serialize(facts).map_err(|e| EmitError::new(e.to_string()))?;
    ctx.insert("header", &markdown_header(model));
    Ok(OutFile::new(README, tpl.render(README, &ctx)?, made_of))
}

/// A web tier or worker that runs the placeholder application until the
/// design names its image (docs/language.md).
#[derive(Serialize)]
pub(super) struct Placeholder {
    /// `web tier` or `worker`.
    what: &'static str,
    name: String,
}

/// The placeholders of the stage, with the components they are.
pub(super) fn placeholders(m: &Model) -> (Vec<Placeholder>, Vec<&Origin>) {
    let webs = m.webs.iter().filter(|w| w.placeholder);
    let workers = m.workers.iter().filter(|w| w.placeholder);
    let mut out: Vec<_> = webs
        .clone()
        .map(|w| Placeholder {
            what: "web tier",
            name: w.name.clone(),
        })
        .collect();
    out.extend(workers.clone().map(|w| Placeholder {
        what: "worker",
        name: w.name.clone(),
    }));
    let origins = webs
        .map(|w| &w.origin)
        .chain(workers.map(|w| &w.origin))
        .collect();
    (out, origins)
}
