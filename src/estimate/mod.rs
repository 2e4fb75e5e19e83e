//! `archc estimate`: how many users a stage carries, and which tier gives out
//! first. Reads the resolved model only (like a check or a target): the
//! stage's `traffic`, each component's `capacity` (or the default of
//! [`defaults`]) and its instance counts. docs/estimate.md gives every
//! formula; every figure here is one of them, so a reader can recompute it.
//!
//! The load model, per daily user, at peak:
//! - requests/s = requests per user × peak / 86,400, of which `reads%` read;
//! - with a CDN, [`defaults::CDN_STATIC_PERCENT`] of requests (reads) are
//!   answered at the edge and reach neither balancer nor web tier;
//! - the rest go through the balancers to the web tiers, split evenly
//!   between web tiers;
//! - reads go to the caches first (split evenly), which answer `hits%`; the
//!   misses and every write go to the data stores (databases and NoSQL
//!   stores, split evenly); a database's shard takes 1/N; in a shard, writes
//!   go to the primary only and reads spread over primary and replicas, so
//!   the primary is the instance that saturates;
//! - one write in ten ([`defaults::JOBS_PER_WRITE`]) enqueues a job when
//!   the stage has workers (split evenly between workers);
//! - with `datacenters … via geodns`, each data center runs the whole stage
//!   for an even share of the users.
//!
//! Every tier's load is linear in the user count, so the users a tier
//! carries are its capacity divided by its load per user.

pub mod defaults;
mod next;
mod render;
mod tiers;

pub use next::advice;
pub use render::{num, render_human, to_json};

use crate::model::Model;
use serde::Serialize;

/// The estimate of one stage.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub name: String,
    /// The load, when the stage has `traffic`.
    pub load: Option<Load>,
    pub tiers: Vec<Tier>,
    /// Daily users the stage carries at peak: the fewest of its tiers'.
    pub users_supported: Option<f64>,
    /// The tier that saturates first.
    pub bottleneck: Option<String>,
    /// Other tiers that saturate at the same load (within 1%).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_saturating: Vec<String>,
    /// What the next stage of the design does about the bottleneck, or what
    /// the seed would do next.
    pub next_step: Option<String>,
    /// Monthly usage figures for the cost model.
    pub usage: Option<Usage>,
    /// Every default the figures use, in words.
    pub defaults_used: Vec<String>,
    /// The monthly cost on AWS (`crate::cost`), when priced: the sum of the
    /// lines that have an amount.
    pub monthly_cost_usd: Option<f64>,
    /// The cost lines; usage-priced ones without `traffic` have no amount.
    pub cost_lines: Vec<crate::cost::CostLine>,
    /// Why the stage has no cost: archc's built-in price table lacks a price
    /// it needs (a region the language accepts but the table does not list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_not_priced: Option<String>,
}

/// The stage's traffic, as requests per second.
#[derive(Clone, Debug, Serialize)]
pub struct Load {
    pub users: f64,
    pub requests_per_user: f64,
    pub peak_factor: f64,
    pub reads_percent: f64,
    pub response_bytes: f64,
    /// users × requests per user.
    pub requests_per_day: f64,
    /// requests per day / 86,400.
    pub average_rps: f64,
    /// average × peak.
    pub peak_rps: f64,
    pub peak_reads: f64,
    pub peak_writes: f64,
    /// The share of requests a CDN answers (0 without one).
    pub cdn_percent: f64,
}

/// One tier: a group of instances that shares a load.
#[derive(Clone, Debug, Serialize)]
pub struct Tier {
    /// The component's name, or a shard's primary (`db-shard-1`).
    pub name: String,
    pub kind: &'static str,
    /// `rps`, `qps` or `jobs/s`.
    pub unit: &'static str,
    /// Instances that serve the load (with autoscale: the maximum).
    pub instances: u32,
    /// What one instance sustains.
    pub per_instance: f64,
    /// Where `per_instance` comes from: `capacity` or the default's words.
    pub capacity_source: String,
    /// The load at which the tier saturates, in its unit, at this stage's
    /// mix: instances × per instance (for a shard, the shard's load when its
    /// primary is full).
    pub capacity: f64,
    /// The tier's peak load per daily user: what the formula multiplies.
    pub load_per_user: f64,
    /// How the load is reached, in words a reader can recompute.
    pub formula: String,
    /// Peak load (with `traffic`).
    pub peak_load: Option<f64>,
    /// peak load / capacity.
    pub utilisation: Option<f64>,
    /// Daily users at which the tier saturates.
    pub users_supported: Option<f64>,
}

/// Monthly usage, in the cost module's terms (`cost::Usage`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Usage {
    pub requests_per_month: f64,
    pub gb_out_per_month: f64,
    pub queue_messages_per_month: f64,
}

/// The estimate of every stage of `stages`, each with the stage after it in
/// the design (for what the next stage does about the bottleneck).
pub fn estimate_design(design: &crate::model::Design, names: &[&str]) -> Vec<Estimate> {
    design
        .stages
        .iter()
        .enumerate()
        .filter(|(_, m)| names.contains(&m.stage.as_str()))
        .map(|(i, m)| estimate(m, design.stages.get(i + 1)))
        .collect()
}

/// The estimate of one stage; `next` is the stage after it, if any.
pub fn estimate(m: &Model, next: Option<&Model>) -> Estimate {
    let load = m.traffic.as_ref().map(|t| load_of(m, t));
    let mut defaults_used = Vec::new();
    if let Some(t) = &m.traffic {
        for d in &t.defaults {
            defaults_used.push(traffic_default(d));
        }
    }
    let mut tiers = tiers::tiers(m, load.as_ref(), &mut defaults_used);
    if let Some(l) = &load {
        for t in &mut tiers {
            let peak = t.load_per_user * l.users;
            t.peak_load = Some(peak);
            t.utilisation = Some(if t.capacity > 0.0 {
                peak / t.capacity
            } else {
                0.0
            });
            t.users_supported = (t.load_per_user > 0.0).then(|| t.capacity / t.load_per_user);
        }
    }
    let least = tiers
        .iter()
        .filter_map(|t| t.users_supported)
        .min_by(f64::total_cmp);
    // Tiers that saturate together: the one the next stage changes leads,
    // else the first in the order requests reach them.
    let tied: Vec<&Tier> = tiers
        .iter()
        .filter(|t| matches!((t.users_supported, least), (Some(u), Some(l)) if u <= l * 1.01))
        .collect();
    let limit = tied
        .iter()
        .find(|t| next.is_some_and(|n| next::changes(m, t, n)))
        .or(tied.first())
        .copied();
    let users_supported = least;
    let bottleneck = limit.map(|t| t.name.clone());
    let also_saturating = tied
        .iter()
        .filter(|t| Some(&t.name) != bottleneck.as_ref())
        .map(|t| t.name.clone())
        .collect();
    let next_step = limit.map(|t| next::advice(m, t, next));
    Estimate {
        name: m.stage.clone(),
        usage: load.as_ref().map(|l| usage(m, l)),
        load,
        tiers,
        users_supported,
        bottleneck,
        also_saturating,
        next_step,
        defaults_used,
        monthly_cost_usd: None,
        cost_lines: Vec::new(),
        cost_not_priced: None,
    }
}

impl From<Usage> for crate::cost::Usage {
    fn from(u: Usage) -> Self {
        crate::cost::Usage {
            requests_per_month: u.requests_per_month,
            gb_out_per_month: u.gb_out_per_month,
            queue_messages_per_month: u.queue_messages_per_month,
        }
    }
}

/// Prices the stage `m` of `e` with `prices`, from `e`'s usage (lines priced
/// by use stay without an amount when the stage has no `traffic`).
pub fn add_cost(
    e: &mut Estimate,
    m: &Model,
    prices: &crate::cost::Prices,
) -> Result<(), crate::cost::PriceError> {
    let usage = e.usage.map(crate::cost::Usage::from);
    let lines = crate::cost::monthly_cost(m, prices, usage.as_ref())?;
    e.monthly_cost_usd = Some(crate::cost::total_usd(&lines));
    e.cost_lines = lines;
    Ok(())
}

fn traffic_default(word: &str) -> String {
    use crate::model::*;
    match word {
        "requests" => format!("{DEFAULT_REQUESTS_PER_USER} requests per user (traffic default)"),
        "peak" => format!("peak {DEFAULT_PEAK}x (traffic default)"),
        "reads" => format!("reads {DEFAULT_READS_PERCENT}% (traffic default)"),
        _ => format!(
            "{}kb per response (traffic default)",
            DEFAULT_RESPONSE_BYTES / 1024.0
        ),
    }
}

fn load_of(m: &Model, t: &crate::model::Traffic) -> Load {
    let requests_per_day = t.users * t.requests_per_user;
    let average_rps = requests_per_day / defaults::SECONDS_PER_DAY;
    let peak_rps = average_rps * t.peak;
    let reads = t.reads_percent / 100.0;
    Load {
        users: t.users,
        requests_per_user: t.requests_per_user,
        peak_factor: t.peak,
        reads_percent: t.reads_percent,
        response_bytes: t.response_bytes,
        requests_per_day,
        average_rps,
        peak_rps,
        peak_reads: peak_rps * reads,
        peak_writes: peak_rps * (1.0 - reads),
        cdn_percent: cdn_percent(m, t.reads_percent),
    }
}

/// The share of requests a CDN answers: the documented static share, never
/// more than the reads.
pub(crate) fn cdn_percent(m: &Model, reads_percent: f64) -> f64 {
    if m.cdns.is_empty() {
        0.0
    } else {
        defaults::CDN_STATIC_PERCENT.min(reads_percent)
    }
}

/// Requests, data out and queue messages in AWS's 730-hour month.
fn usage(m: &Model, l: &Load) -> Usage {
    let requests_per_month = l.requests_per_day * defaults::DAYS_PER_MONTH;
    let writes_share = 1.0 - l.reads_percent / 100.0;
    Usage {
        requests_per_month,
        gb_out_per_month: requests_per_month * l.response_bytes / defaults::BYTES_PER_GB,
        queue_messages_per_month: if m.workers.is_empty() {
            0.0
        } else {
            requests_per_month * writes_share * defaults::JOBS_PER_WRITE
        },
    }
}
