//! `archc analyze FILE`: failure analysis per stage.

use super::{FilePath, Ui, EXIT_OK};
use crate::analyze::availability::DEFAULT_PER_INSTANCE;

const AFTER: &str = "\
Examples:
  archc analyze site.arch                         the last stage
  archc analyze journey.arch --stage balanced
  archc analyze journey.arch --all-stages         every stage and what each removed
  archc analyze journey.arch --availability 99.9 --format json

The design is judged as drawn: one `lb` is one balancer, even where a target
runs it redundantly (a Terraform ALB spans availability zones).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER)]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// The stage to analyze (default: the last).
    #[arg(long, conflicts_with = "all_stages")]
    stage: Option<String>,
    /// Analyze every stage, with a summary of the single points of failure
    /// each stage removed.
    #[arg(long)]
    all_stages: bool,
    /// Availability of one instance, in percent (default 99.5).
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    availability: Option<f64>,
    /// `human` text or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    format: crate::analyze::report::Format,
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.0 && v < 100.0 {
        Ok(v / 100.0)
    } else {
        Err("give a percentage between 0 and 100, e.g. 99.5".into())
    }
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
    let report =
        crate::analyze::report::analyze(&stages, a.availability.unwrap_or(DEFAULT_PER_INSTANCE));
    match a.format {
        crate::analyze::report::Format::Human => print!("{}", report.human()),
        crate::analyze::report::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report always serialises")
        ),
    }
    EXIT_OK
}
