//! Source text to syntax tree: the pest grammar in `grammar/arch.pest`, a driver
//! that recovers after each bad statement, and the tree with `Copy` spans.

pub mod ast;
mod parse;
mod words;

pub use parse::{parse, ArchParser, Rule, MAX_COUNT, MAX_NAME_LEN};
