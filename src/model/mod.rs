//! Syntax tree to resolved model: stages applied in order, implicit components
//! created, defaults filled, references resolved.

mod appenv;
mod aws;
mod balancing;
mod defaults;
mod resolve;
pub mod runtime;
mod types;

pub use appenv::*;
pub use aws::*;
pub use balancing::LbRoute;
pub use defaults::*;
pub use resolve::resolve;
pub use types::*;
