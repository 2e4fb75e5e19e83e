//! `README.md` (`README.md.tera`): the variables to set (those variables.tf
//! declares), the SSM parameters the hosts read at boot, the outputs, and
//! how to call the folder as a module.

use super::data::{mongos, remote_dbs};
use super::hosts::parameters;
use super::multi::datacenters;
use super::outputs::OutputsTf;
use super::variables::{Variable, VariablesTf};
use super::TfFile;
use crate::emit::readme::{placeholders, readme, Placeholder};
use crate::emit::templates::Engine;
use crate::emit::{OutFile, Result};
use crate::model::{Model, NosqlEngine, Origin};
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
    /// The data centers of a multi-region root (see `super::multi`); empty
    /// for one region.
    regions: &'a [String],
    /// The primary region (several data centers).
    primary: &'a str,
    /// Some database or table is copied to every data center.
    replicated: bool,
    /// DynamoDB global tables.
    tables: bool,
    /// What is not copied: databases without replicas, DocumentDB stores.
    unreplicated: Vec<String>,
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
    // A multi-region root's own variables and outputs, not its module's.
    let multi = datacenters(model).is_some();
    let variables = if multi {
        super::root::root_variables(model)
    } else {
        VariablesTf::build(model).variables
    };
    let (required, optional) = variables.into_iter().partition(|v| v.default.is_none());
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
        regions: datacenters(model).unwrap_or_default(),
        primary: model.primary_datacenter(),
        replicated: remote_dbs(model).any(|d| d.shards.iter().any(|s| !s.replicas.is_empty()))
            || model
                .nosqls
                .iter()
                .any(|n| n.engine == NosqlEngine::Dynamodb),
        tables: model
            .nosqls
            .iter()
            .any(|n| n.engine == NosqlEngine::Dynamodb),
        unreplicated: remote_dbs(model)
            .filter(|d| d.shards.iter().all(|s| s.replicas.is_empty()))
            .map(|d| format!("database `{}`", d.name))
            .chain(mongos(model).map(|n| format!("document store `{}`", n.name)))
            .collect(),
        outputs: if multi {
            super::root::root_outputs(model)
        } else {
            OutputsTf::build(model).outputs
        }
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
