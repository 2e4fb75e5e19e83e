//! archc: compiles `.arch` architecture designs into infrastructure.
//!
//! # Steps
//! 1. [`syntax`]: source text to a syntax tree whose nodes carry `Copy` spans
//!    (pest grammar in `grammar/arch.pest`; every bad statement is reported).
//! 2. [`model`]: the tree to one resolved [`model::Model`] per stage: stages
//!    applied in order, implicit components created, defaults filled, names
//!    resolved.
//! 3. [`check`]: rules over each model; errors stop the build, warnings explain
//!    scaling risks.
//! 4. [`emit`]: one emitter per target renders templates from the model.
//!
//! [`diag`] owns diagnostics and their rendering; [`cli`] is the command line.

pub mod analyze;
pub mod check;
pub mod cli;
pub mod cost;
pub mod diag;
pub mod emit;
pub mod estimate;
pub mod fmt;
pub mod graph;
pub mod keywords;
pub mod lsp;
pub mod model;
pub mod output;
pub mod provenance;
pub mod source;
pub mod span;
pub mod syntax;

use diag::Diagnostic;
use model::Design;

/// The result of parse, resolve and check over one source text.
pub struct Compiled {
    pub ast: syntax::ast::SourceFile,
    pub design: Design,
    /// Sorted by position; inherited duplicates merged.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, resolves and checks a design. `source_name` is the file name as the
/// user gave it: it names the default system and heads generated files.
pub fn compile(source_name: &str, text: &str) -> Compiled {
    let (ast, mut diagnostics) = syntax::parse(text);
    let (design, resolve_diags) = model::resolve(&ast, source_name, text);
    diagnostics.extend(resolve_diags);
    let staged = ast
        .items
        .iter()
        .any(|i| matches!(i, syntax::ast::Item::Stage(_)));
    diagnostics.extend(check::check_design(&design, staged));
    let diagnostics = check::accept::apply(&ast, diag::sort_and_merge(diagnostics));
    Compiled {
        ast,
        design,
        diagnostics,
    }
}
