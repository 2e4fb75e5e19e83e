//! `README.md` (`README.md.tera`): the secrets `.env` must set, the
//! addresses published on the host, and the placeholders to replace.

use super::project::{Project, Published};
use crate::emit::readme::{placeholders, readme, Placeholder};
use crate::emit::templates::Engine;
use crate::emit::{OutFile, Result};
use crate::model::Model;
use serde::Serialize;

#[derive(Serialize)]
struct ComposeReadme<'a> {
    project: &'a str,
    stage: &'a str,
    /// The variables `.env.example` lists, which `.env` must set.
    secrets: Vec<&'a str>,
    published: &'a [Published],
    placeholders: Vec<Placeholder>,
}

pub(super) fn readme_file(model: &Model, project: &Project, tpl: Engine) -> Result<OutFile> {
    let (placeholders, mut made_of) = placeholders(model);
    made_of.extend(super::env_example::secret_origins(model));
    made_of.extend(model.lbs.iter().map(|l| &l.origin));
    made_of.extend(
        model
            .webs
            .iter()
            .filter(|w| w.lb.is_none())
            .map(|w| &w.origin),
    );
    let facts = ComposeReadme {
        project: &project.name,
        stage: &model.stage,
        secrets: project.secrets.iter().map(|s| s.name.as_str()).collect(),
        published: &project.published,
        placeholders,
    };
    readme(model, tpl, &facts, &made_of)
}
