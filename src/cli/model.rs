//! `archc model FILE`: the resolved model as JSON.

use super::{FilePath, Ui, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// The stage to print (default: the last).
    #[arg(long, conflicts_with = "all_stages")]
    stage: Option<String>,
    /// Print every stage.
    #[arg(long)]
    all_stages: bool,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let loaded = match super::load_valid(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let design = &loaded.compiled.design;
    let json = if a.all_stages {
        serde_json::to_string_pretty(design)
    } else {
        let m = match &a.stage {
            Some(s) => match super::find_stage(ui, design, s) {
                Ok(m) => m,
                Err(code) => return code,
            },
            None => design.last(),
        };
        serde_json::to_string_pretty(m)
    };
    println!("{}", json.expect("the model always serialises"));
    EXIT_OK
}
