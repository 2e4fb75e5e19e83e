//! Checks over the resolved model: one file per rule family. Errors stop the
//! build; warnings explain a scaling risk. Checks read the model only and never
//! render text.

pub mod accept;
mod expiry;
mod load;
mod names;
mod scale;
mod sessions;
mod settings;
mod spof;
mod targets;

use crate::diag::Diagnostic;
use crate::model::{Design, Model};

/// Every check on one stage.
pub fn check_stage(m: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    names::check(m, &mut out);
    scale::check(m, &mut out);
    sessions::check(m, &mut out);
    spof::check(m, &mut out);
    expiry::check(m, &mut out);
    settings::check(m, &mut out);
    targets::check(m, &mut out);
    out
}

/// Every check on every stage, each diagnostic tagged with its stage when the
/// design has stages (merging happens in `diag::sort_and_merge`).
pub fn check_design(design: &Design, staged: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, m) in design.stages.iter().enumerate() {
        let mut found = check_stage(m);
        load::check(m, design.stages.get(i + 1), &mut found);
        for mut d in found {
            if staged {
                d.stages.push(m.stage.clone());
            }
            out.push(d);
        }
    }
    out
}
