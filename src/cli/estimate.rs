//! `archc estimate FILE`: the users each stage carries, its bottleneck and
//! what the next stage does about it (docs/estimate.md).

use super::{FilePath, Ui, EXIT_FAILED, EXIT_OK};
use crate::analyze::report::Format;
use crate::estimate;

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
    /// A price table to use instead of the built-in one (docs/cost.md).
    #[arg(long)]
    prices: Option<FilePath>,
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
    let loaded_prices;
    let prices = match &a.prices {
        Some(p) => match crate::cost::load_prices(p) {
            Ok(p) => {
                loaded_prices = p;
                &loaded_prices
            }
            Err(e) => return price_error(&e),
        },
        None => crate::cost::builtin_prices(),
    };
    let names: Vec<&str> = stages.iter().map(|m| m.stage.as_str()).collect();
    let mut estimates = estimate::estimate_design(design, &names);
    for (e, m) in estimates.iter_mut().zip(&stages) {
        if let Err(err) = estimate::add_cost(e, m, prices) {
            // The user's own table must have what archc needs; the built-in
            // one may lack a region the language accepts: the load is still
            // estimated, and the stage says why it has no cost.
            if a.prices.is_some() {
                return price_error(&err);
            }
            e.cost_not_priced = Some(format!("{err}; pass --prices FILE with it"));
        }
    }
    let cost_defaults = crate::cost::named_defaults(prices);
    match a.format {
        Format::Human => print!("{}", estimate::render_human(&estimates, &cost_defaults)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&estimate::to_json(&estimates, &cost_defaults))
                .expect("estimates serialise")
        ),
    }
    EXIT_OK
}

/// A price table that does not load or lacks a price: its file and key,
/// exit 1 (the design is fine; the prices are not).
fn price_error(e: &crate::cost::PriceError) -> u8 {
    eprintln!("error: {e}");
    EXIT_FAILED
}
