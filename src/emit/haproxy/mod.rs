//! The `haproxy` target: one complete configuration (`<lb>.cfg`) per load
//! balancer in the stage, whichever engine the design chose, so a user can
//! compare or switch. Routing (which tier answers which path) and the
//! balancer's own health path come from the model (`model/balancing.rs`), the
//! header and the local addresses from `emit/balancer.rs`, as for `nginx`.

mod lb_cfg;

/// The config one load balancer runs with; compose mounts it when the design
/// chose haproxy.
pub use lb_cfg::lb_config;

use super::{Options, OutFile, Result, Target};
use crate::model::Model;

/// Renders every `haproxy` file for one stage: one config per load balancer,
/// and the README that says where they go.
pub fn emit(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    crate::emit::balancer::config_files(model, opts, Target::Haproxy, "cfg", lb_config)
}
