//! `archc graph`: the architecture of a stage as a picture, the way the classic
//! "from one server to millions of users" diagrams draw it. Clients, DNS and
//! the CDN on top; then the load balancers, the web tier, caches and NoSQL
//! stores, the databases (a frame per shard: primary, replication, read
//! replicas); queues and workers at the side; logs and metrics at the bottom.
//!
//! Several data centers: the stage's components are drawn once, inside the
//! primary data center; every other data center is one box ("same stack")
//! that geo DNS routes users to.
//!
//! [`ir`] turns a model into a format-independent graph; [`mermaid`] and
//! [`dot`] print it for tools that lay out by themselves; [`layout`] places it
//! (a deterministic layered layout) and [`svg`] draws the result.

pub mod dot;
pub mod ir;
pub mod layout;
pub mod mermaid;
pub mod svg;

use crate::model::Model;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Mermaid,
    Dot,
}

impl Format {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Mermaid => "mmd",
            Format::Dot => "dot",
        }
    }
}

/// Renders one stage. The output is a function of the model only.
pub fn render(m: &Model, format: Format) -> String {
    let g = ir::build(m);
    match format {
        Format::Svg => svg::render(&layout::layout(&g)),
        Format::Mermaid => mermaid::render(&g),
        Format::Dot => dot::render(&g),
    }
}

/// `01-single.svg`: the file name of stage `index` (0-based) among `count`,
/// numbered so that a directory listing sorts in stage order.
pub fn file_name(stage: &str, index: usize, count: usize, format: Format) -> String {
    let width = count.to_string().len().max(2);
    format!("{:0width$}-{stage}.{}", index + 1, format.ext())
}
