//! Reading a design the way an architect reads it: what changes between two
//! stages ([`diff_model`], [`diff_files`], [`migration`]), what fails and how
//! badly ([`spof`], [`availability`]), and whether the generated targets agree
//! with the model and with each other ([`parity`]).
//!
//! Everything here reads the resolved [`Model`](crate::model::Model) (and, for
//! file diffs and parity, the text the emitters render from it); nothing here
//! changes a model or writes a file.

pub mod assume;
pub mod availability;
pub mod describe;
pub mod diff_files;
pub mod diff_model;
pub mod migration;
pub mod parity;
pub mod report;
pub mod spof;
mod spof_dc;
pub mod topology;
