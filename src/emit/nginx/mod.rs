//! The `nginx` target: one complete main configuration (`<lb>.conf`) per load
//! balancer in the stage, whichever engine the design chose, so a user can
//! compare or switch.
//!
//! What it shares with the `haproxy` target lives outside both: the routing
//! decisions (which tier answers which path, the balancer's own health path)
//! in the model (`model/balancing.rs`), the header and the local addresses
//! in `emit/balancer.rs`.

mod lb_conf;

/// Kept at their old path (`archc build --local-ports` checks its options
/// with them); they live with the other address handling in `emit/balancer.rs`.
pub use super::balancer::{local_address_problems, valid_host_port};
/// The config one load balancer runs with; compose mounts it when the design
/// chose nginx.
pub use lb_conf::lb_config;

use super::{Options, OutFile, Result, Target};
use crate::model::Model;

/// Renders every `nginx` file for one stage: one config per load balancer,
/// and the README that says where they go.
pub fn emit(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    crate::emit::balancer::config_files(model, opts, Target::Nginx, "conf", lb_config)
}
