//! `README.md` (`README.md.tera`): the variables to set (those variables.tf
//! declares), the SSM parameters the hosts read at boot, the outputs, and
//! how to call the folder as a module.

use super::hosts::parameters;
use super::outputs::OutputsTf;
use super::variables::{Variable, VariablesTf};
use super::TfFile;
use crate::emit::readme::{placeholders, readme, Placeholder};
use crate::emit::templates::Engine;
use crate::emit::{OutFile, Result};
use crate::model::{Model, Origin};
use serde::Serialize;

#[derive(Serialize)]
struct TerraformReadme<'a> {
    system: &'a str,
    stage: &'a str,
    /// Variables without a default: the user must set them.
    required: Vec<Variable>,
    /// Variables with one.
    optional: Vec<Variable>,
    /// SSM parameters of the design's `secret`s, which must exist before
    /// the hosts boot.
    parameters: Vec<Parameter>,
    /// Every region the configuration is applied in, the primary first
    /// (data centers); empty for one region.
    regions: &'a [String],
    outputs: Vec<Output>,
    placeholders: Vec<Placeholder>,
}

#[derive(Serialize)]
struct Parameter {
    /// The application's variable.
    variable: String,
    /// Its SSM parameter's name.
    name: String,
}

#[derive(Serialize)]
struct Output {
    name: String,
    description: String,
}

pub(super) fn readme_file(model: &Model, tpl: Engine) -> Result<OutFile> {
    let (required, optional) = VariablesTf::build(model)
        .variables
        .into_iter()
        .partition(|v| v.default.is_none());
    let apps = model
        .webs
        .iter()
        .map(|w| (&w.name, &w.secrets, &w.origin))
        .chain(
            model
                .workers
                .iter()
                .map(|w| (&w.name, &w.secrets, &w.origin)),
        );
    let mut with_secrets: Vec<&Origin> = Vec::new();
    let mut params = Vec::new();
    for (name, secrets, origin) in apps.filter(|(_, s, _)| !s.is_empty()) {
        with_secrets.push(origin);
        params.extend(
            parameters(&model.system, name, secrets)
                .into_iter()
                .map(|(variable, name)| Parameter { variable, name }),
        );
    }
    let (placeholders, mut made_of) = placeholders(model);
    made_of.extend(with_secrets);
    made_of.extend(super::variables::origins(model));
    made_of.extend(super::outputs::origins(model));
    let facts = TerraformReadme {
        system: &model.system,
        stage: &model.stage,
        required,
        optional,
        parameters: params,
        regions: model
            .datacenters
            .as_ref()
            .map_or(&[], |d| d.regions.as_slice()),
        outputs: OutputsTf::build(model)
            .outputs
            .into_iter()
            .map(|o| Output {
                name: o.name,
                description: o.description,
            })
            .collect(),
        placeholders,
    };
    readme(model, tpl, &facts, &made_of)
}
