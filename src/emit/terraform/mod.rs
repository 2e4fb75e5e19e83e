//! The `terraform` target: one AWS deployment per stage.
//!
//! Rust decides everything (which resources exist, their names, counts, ports and
//! rules); the templates under `templates/terraform/` only lay the decisions out as
//! HCL. Files that would hold nothing for a stage are not written.
//!
//! Layout: [`FILES`] below says what the target writes and in what order; each
//! file's context is built by the module named after its template (`lb.rs` for
//! `lb.tf`), from the model, only when the file is reached. The data tier's and
//! the edge's services have a module each (`databases`, `caches`, `nosql`,
//! `cdn`, `dns`), since several files (security groups, IAM, alarms, outputs)
//! name them.
//!
//! Naming: Terraform labels are the component's name through `tf_name`; for
//! resource types several kinds share (security groups, launch templates, log
//! groups, alarms) the label is `<kind>_<name>`, or just the kind when the name is
//! the kind (`web`, `db`), which cannot collide. AWS names are `<system>-<name>`,
//! shortened deterministically to each service's limit (see [`names::aws_name`]).

mod caches;
mod cdn;
mod data;
mod databases;
mod dns;
mod edge;
mod hosts;
mod lb;
mod multi;
mod names;
mod network;
mod nosql;
mod ops;
mod outputs;
mod queues;
mod readme;
mod root;
mod tidy;
mod user_data;
mod variables;
mod versions;

use super::templates::Engine;
use super::{EmitError, Options, OutFile, Result, Target};
use crate::model::{Model, Origin};
use serde::Serialize;
use tera::Context;
use tidy::Tidy;

/// One file of the target.
struct File {
    /// The file written (below `terraform/`, or `terraform/region/` in a
    /// multi-region stage's module).
    name: &'static str,
    /// The name of its template.
    template: &'static str,
    /// Builds the file's context from the model and renders it: always
    /// [`render_file`] of the context type, named here so the table says
    /// which module builds each file.
    render: fn(&'static str, &Model, &str, Engine<'_>, &mut Tidy) -> Result<()>,
    /// The components whose design lines its second header line lists.
    origins: for<'m> fn(&'m Model) -> Vec<&'m Origin>,
    written: Written,
}

/// When a file is written.
#[derive(PartialEq)]
enum Written {
    /// Even with nothing but its header comment: the provider settings every
    /// deployment needs.
    Always,
    /// Only when it declares something: a file with nothing but its header
    /// comment is not worth writing.
    UnlessEmpty,
}

/// The files of the target, in the order they are written.
const FILES: &[File] = &[
    File {
        name: "versions.tf",
        template: "versions.tf",
        render: render_file::<versions::VersionsTf>,
        origins: versions::origins,
        written: Written::Always,
    },
    File {
        name: "variables.tf",
        template: "variables.tf",
        render: render_file::<variables::VariablesTf>,
        origins: variables::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "network.tf",
        template: "network.tf",
        render: render_file::<network::NetworkTf>,
        origins: network::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "hosts.tf",
        template: "hosts.tf",
        render: render_file::<hosts::HostsTf>,
        origins: hosts::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "lb.tf",
        template: "lb.tf",
        render: render_file::<lb::LbTf>,
        origins: lb::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "data.tf",
        template: "data.tf",
        render: render_file::<data::DataTf>,
        origins: data::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "queues.tf",
        template: "queues.tf",
        render: render_file::<queues::QueuesTf>,
        origins: queues::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "edge.tf",
        template: "edge.tf",
        render: render_file::<edge::EdgeTf>,
        origins: edge::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "ops.tf",
        template: "ops.tf",
        render: render_file::<ops::OpsTf>,
        origins: ops::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "outputs.tf",
        template: "outputs.tf",
        render: render_file::<outputs::OutputsTf>,
        origins: outputs::origins,
        written: Written::UnlessEmpty,
    },
    // Only in a multi-region stage's module (empty otherwise).
    File {
        name: "primaries.tf",
        template: "primaries.tf",
        render: render_file::<multi::PrimariesTf>,
        origins: multi::primaries_origins,
        written: Written::UnlessEmpty,
    },
];

/// The root of a multi-region stage, in the order written (its module's
/// files, [`FILES`], go below `region/`).
const ROOT_FILES: &[File] = &[
    File {
        name: "versions.tf",
        template: "root-versions.tf",
        render: render_file::<root::RootVersionsTf>,
        origins: versions::origins,
        written: Written::Always,
    },
    File {
        name: "variables.tf",
        template: "variables.tf",
        render: render_file::<root::RootVariablesTf>,
        origins: variables::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "main.tf",
        template: "main.tf",
        render: render_file::<root::MainTf>,
        origins: root::main_origins,
        written: Written::Always,
    },
    File {
        name: "edge.tf",
        template: "edge.tf",
        render: render_file::<edge::RootEdgeTf>,
        origins: edge::origins,
        written: Written::UnlessEmpty,
    },
    File {
        name: "outputs.tf",
        template: "outputs.tf",
        render: render_file::<root::RootOutputsTf>,
        origins: outputs::origins,
        written: Written::UnlessEmpty,
    },
];

/// The context of one file: what its template reads, built from the model
/// when the file is reached, so no two files' contexts are alive at once.
trait TfFile: Serialize {
    fn build(m: &Model) -> Self;

    /// Appends what the file renders one piece at a time after its head
    /// (host groups, security groups, alarms).
    fn append(&self, _m: &Model, _tpl: Engine, _out: &mut Tidy) -> Result<()> {
        Ok(())
    }
}

/// Renders every `terraform` file for one stage, handing each to `sink` as
/// soon as it is ready (a large stage's files are megabytes each).
pub fn emit_each(
    model: &Model,
    opts: &Options,
    sink: &mut dyn FnMut(OutFile) -> Result<()>,
) -> Result<()> {
    let tpl = Engine::of(Target::Terraform, opts);
    let header = format!("# {}", crate::emit::header_line(model));
    let multi = multi::is_multi(model);
    if multi {
        emit_files(ROOT_FILES, "", model, &header, tpl, sink)?;
    }
    let dir = if multi { "region/" } else { "" };
    emit_files(FILES, dir, model, &header, tpl, sink)?;
    sink(readme::readme_file(model, tpl)?)
}

/// Renders `files` into `dir` (`""` or `region/`).
fn emit_files(
    files: &[File],
    dir: &str,
    model: &Model,
    header: &str,
    tpl: Engine,
    sink: &mut dyn FnMut(OutFile) -> Result<()>,
) -> Result<()> {
    for file in files {
        // One copy of the text at a time: the raw render goes once tidied.
        let mut text = Tidy::default();
        (file.render)(file.template, model, header, tpl, &mut text)?;
        let text = text.finish();
        if file.written == Written::Always || declares_anything(&text) {
            let path = format!("{dir}{}", file.name);
            sink(OutFile::new(path, text, &(file.origins)(model)))?;
        }
    }
    Ok(())
}

/// Whether a rendered file holds more than comments.
fn declares_anything(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| !l.trim().is_empty())
}

/// Builds file `name`'s context and renders the file into `out`: its
/// template, then the pieces it appends. Each file's context is converted
/// into tera's values on its own: the whole stage at once held every file's
/// data at the same time (most of the target's peak memory at 10,000
/// components); a field missing from a context fails every build test with
/// tera's "variable not found".
fn render_file<T: TfFile>(
    name: &'static str,
    m: &Model,
    header: &str,
    tpl: Engine,
    out: &mut Tidy,
) -> Result<()> {
    let file = T::build(m);
    let mut head = Context::from_serialize(&file).map_err(|e| EmitError::new(e.to_string()))?;
    head.insert("header", header);
    tpl.render_into(name, &head, &mut *out)?;
    // The head's values go before the pieces are rendered.
    drop(head);
    file.append(m, tpl, out)
}

/// Appends one piece per item to a file after its head, each rendered from
/// a context holding only that item as `key`: network.tf's security groups
/// and ops.tf's alarms, which as tera's values all at once were the largest
/// contexts of a big stage (the alarms of 10,000 components: 7 MB).
fn render_each<T: Serialize>(
    tpl: Engine,
    template: &str,
    key: &str,
    items: &[T],
    out: &mut Tidy,
) -> Result<()> {
    let mut c = Context::new();
    for item in items {
        c.insert(key, item);
        tpl.render_into(template, &c, &mut *out)?;
    }
    Ok(())
}
