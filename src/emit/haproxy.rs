//! The `haproxy` target.

use super::{Options, OutFile, Result};
use crate::model::{Lb, Model};

/// Renders every `haproxy` file for one stage: one config per load balancer.
pub fn emit(_model: &Model, _opts: &Options) -> Result<Vec<OutFile>> {
    Ok(Vec::new())
}

/// The complete haproxy configuration for one load balancer (also mounted by the
/// compose target when the design chose haproxy).
pub fn lb_config(_model: &Model, _lb: &Lb, _opts: &Options) -> Result<String> {
    Ok(String::new())
}
