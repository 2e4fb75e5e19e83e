//! The pest grammar (`grammar/arch.pest`) as Rust: the parser and its `Rule`
//! enum. A module of its own because two others need `Rule`: the driver
//! (`parse`) that runs the grammar, and `words`, which turns the rules pest
//! expected into a message. Both import it; neither imports the other's
//! internals, so the dependency runs one way: parse -> words -> grammar.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/arch.pest"]
pub struct ArchParser;
