//! Source text to syntax tree: the pest grammar in `grammar/arch.pest`, a driver
//! that recovers after each bad statement, and the tree with `Copy` spans.

pub mod ast;
mod grammar;
mod parse;
mod words;

pub use grammar::{ArchParser, Rule};
pub use parse::{capacity_unit_of, parse, MAX_COUNT, MAX_NAME_LEN};
