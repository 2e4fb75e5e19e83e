//! The monthly cost on AWS of what the terraform target deploys for a stage,
//! line by line, from a price table (docs/cost.md).
//!
//! What is priced is read from the model's AWS plan (`src/model/aws.rs`),
//! the same decisions the terraform emitter spells as HCL: instance types,
//! counts (an autoscaling group's minimum), volumes, RDS storage, ElastiCache
//! nodes, the NAT gateway. Lines priced by the hour or the month always have
//! an amount; lines priced by use (data out, requests, messages, logs) have
//! one only when a [`Usage`] is given, else `monthly_usd` is `None`: shown
//! as not estimated rather than guessed.

mod data;
mod edge;
mod lines;
mod prices;

pub use lines::{
    GB, LOG_BYTES_PER_REQUEST, QUEUE_MESSAGE_BYTES, REQUESTS_PER_LCU_HOUR, SQS_CALLS_PER_MESSAGE,
};
pub use prices::{builtin_prices, load_prices, parse_prices, PriceError, Prices, BUILTIN_NAME};

use crate::model::Model;
use serde::Serialize;

/// What a stage serves in a month, from its `traffic` statement: the input
/// of every usage-priced line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Usage {
    pub requests_per_month: f64,
    /// Response bytes sent to users, in GB (10^9 bytes).
    pub gb_out_per_month: f64,
    /// Messages put on the stage's queues.
    pub queue_messages_per_month: f64,
}

/// One priced item: what it is, how much of it, at what price, and the
/// formula a reader can recompute by hand.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostLine {
    /// What is paid for, e.g. `EC2 web`; with data centers, the region
    /// follows in parentheses.
    pub item: String,
    /// The Terraform resource type that deploys it, e.g. `aws_instance`.
    pub resource: String,
    /// The region whose prices apply (`global` for CloudFront and Route 53
    /// prices, which do not depend on the region).
    pub region: String,
    /// How much of `unit` a month holds (0 when usage-priced and not
    /// estimated).
    pub quantity: f64,
    /// `instance-hours`, `GB-month`, `GB`, …
    pub unit: String,
    pub unit_price_usd: f64,
    /// `3 x t3.small x 730 h x $0.0208/h`; for a line not estimated, what
    /// it would need.
    pub formula: String,
    /// `None`: usage-priced and no usage given (or not derivable from it):
    /// not estimated.
    pub monthly_usd: Option<f64>,
}

/// The stage's monthly cost on AWS, line by line, in deployment order: per
/// region the stage is applied in (each data center runs the whole stage),
/// hosts, data tier, network and edge, operations.
pub fn monthly_cost(
    m: &Model,
    prices: &Prices,
    usage: Option<&Usage>,
) -> Result<Vec<CostLine>, PriceError> {
    lines::monthly_cost(m, prices, usage)
}

/// Every default the lines use that the design does not say, in words, for
/// a reader who recomputes them (docs/cost.md, "Named defaults").
pub fn named_defaults(prices: &Prices) -> Vec<String> {
    vec![
        format!(
            "prices: {} ({}), as of {}",
            prices.file, prices.source, prices.as_of
        ),
        format!("{} hours a month", prices.hours_per_month),
        "instances that always run: an autoscaling tier's minimum".to_string(),
        format!("{LOG_BYTES_PER_REQUEST} bytes of log per request (with `logs`)"),
        format!("{QUEUE_MESSAGE_BYTES} bytes per queue message; {SQS_CALLS_PER_MESSAGE} SQS calls each (send, receive, delete)"),
        format!("one ALB connection per request: an LCU-hour covers {REQUESTS_PER_LCU_HOUR} requests or 1 GB"),
        "with data centers and geo DNS, usage split evenly over the regions".to_string(),
        "with a CDN, every response leaves through CloudFront".to_string(),
    ]
}

/// The sum of the lines that have an amount.
pub fn total_usd(lines: &[CostLine]) -> f64 {
    lines.iter().filter_map(|l| l.monthly_usd).sum()
}

#[cfg(test)]
mod tests;
