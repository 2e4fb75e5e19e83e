//! `archc analyze FILE`: failure analysis per stage.

use super::{FilePath, Ui, EXIT_OK};
use crate::analyze::assume::{self, Assumptions};
use crate::analyze::availability::Deploy;

const AFTER: &str = "\
Examples:
  archc analyze site.arch                         the last stage
  archc analyze journey.arch --stage balanced
  archc analyze journey.arch --all-stages         every stage and what each removed
  archc analyze journey.arch --target compose     availability of the compose files
  archc analyze journey.arch --assume instance=99.9 --assume datacenter=99.95 --format json

Single points of failure and availability follow what --target deploys
(default terraform: an ALB across zones, EC2 instances, Multi-AZ RDS primaries
and their replicas, Route 53 failover between regions), from the assumptions
--assume sets (keys: instance, managed-lb, datacenter, multi-az, host); the formula is
printed with its numbers. docs/analysis.md explains the model.";

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
    /// The target whose deployment the availability estimate follows.
    #[arg(long, value_enum, default_value_t)]
    target: Deploy,
    /// An assumption of the estimate, in percent: instance (99.5),
    /// managed-lb (99.99), datacenter (99.9), multi-az (99.95), host (99.5).
    /// Repeatable.
    #[arg(long, value_name = "KEY=PERCENT", value_parser = assume::parse)]
    assume: Vec<(String, f64)>,
    /// Availability of one instance, in percent: the same as
    /// `--assume instance=PERCENT`.
    #[arg(long, value_name = "PERCENT", value_parser = assume::parse_percent)]
    availability: Option<f64>,
    /// `human` text or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    format: crate::analyze::report::Format,
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
    let mut overrides: Vec<(String, f64)> = a
        .availability
        .map(|p| (assume::INSTANCE.to_string(), p))
        .into_iter()
        .collect();
    overrides.extend(a.assume.iter().cloned());
    let report = crate::analyze::report::analyze(&stages, a.target, &Assumptions::with(&overrides));
    match a.format {
        crate::analyze::report::Format::Human => print!("{}", report.human()),
        crate::analyze::report::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report always serialises")
        ),
    }
    EXIT_OK
}
