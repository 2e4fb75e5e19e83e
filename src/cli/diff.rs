//! `archc diff`: what changes between two stages or two files.

use super::{Ui, EXIT_USAGE};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(ui: &Ui, _a: Args) -> u8 {
    let _ = ui;
    eprintln!("error: not implemented yet");
    EXIT_USAGE
}
