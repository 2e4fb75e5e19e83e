//! `archc estimate FILE`: the users each stage carries, its bottleneck and
//! what the next stage does about it (docs/estimate.md).

use super::{FilePath, Ui, EXIT_OK};
use crate::estimate;

#[derive(Clone, Copy, Debug, Default, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A table a reader recomputes by hand.
    #[default]
    Human,
    /// `{"stages": [...]}`.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// The stage to estimate (default: the last).
    #[arg(long, conflicts_with = "all_stages")]
    stage: Option<String>,
    /// Estimate every stage.
    #[arg(long)]
    all_stages: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let loaded = match super::load_valid(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let design = &loaded.compiled.design;
    let stages = match super::select_stages(ui, design, a.stage.as_deref(), a.all_stages) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let names: Vec<&str> = stages.iter().map(|m| m.stage.as_str()).collect();
    let estimates = estimate::estimate_design(design, &names);
    match a.format {
        Format::Human => print!("{}", estimate::render_human(&estimates)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&estimate::to_json(&estimates))
                .expect("estimates serialise")
        ),
    }
    EXIT_OK
}
