//! The `k8s` target.

use super::{Options, OutFile, Result};
use crate::model::Model;

/// Renders every `k8s` file for one stage.
pub fn emit(_model: &Model, _opts: &Options) -> Result<Vec<OutFile>> {
    Ok(Vec::new())
}
