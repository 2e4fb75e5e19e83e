//! The cost lines of one stage: fixed lines from the model's AWS plan, usage
//! lines from [`Usage`], each with a formula a reader can recompute.

use super::{CostLine, PriceError, Prices, Usage};
use crate::model::{HostKind, Model};

/// Bytes CloudWatch ingests per request when the stage ships logs: one
/// access-log line (named default, docs/cost.md).
pub const LOG_BYTES_PER_REQUEST: f64 = 200.0;
/// Bytes of one queue message (named default): SQS bills each 64 KB chunk
/// as a request, so a small message is one request per call.
pub const QUEUE_MESSAGE_BYTES: f64 = 1024.0;
/// SQS calls per message: send, receive, delete.
pub const SQS_CALLS_PER_MESSAGE: f64 = 3.0;
/// An ALB's capacity unit: 25 new connections a second, or 1 GB processed
/// an hour (the larger dimension is billed). Assumed: one connection per
/// request, so an LCU-hour covers 90,000 requests.
pub const REQUESTS_PER_LCU_HOUR: f64 = 25.0 * 3600.0;
/// Bytes in a GB as AWS bills data (10^9).
pub const GB: f64 = 1e9;

pub(super) fn monthly_cost(
    m: &Model,
    prices: &Prices,
    usage: Option<&Usage>,
) -> Result<Vec<CostLine>, PriceError> {
    let regions = m.aws_regions();
    let shares = usage_shares(m, &regions);
    let mut lines = Vec::new();
    for (region, share) in regions.iter().zip(shares) {
        let mut s = Stage {
            m,
            prices,
            region,
            suffix: if m.datacenters.is_some() {
                format!(" ({region})")
            } else {
                String::new()
            },
            hours: prices.hours_per_month,
            primaries: regions.len() < 2 || *region == m.primary_datacenter(),
            usage: usage.map(|u| Usage {
                requests_per_month: u.requests_per_month * share,
                gb_out_per_month: u.gb_out_per_month * share,
                queue_messages_per_month: u.queue_messages_per_month * share,
            }),
            lines: Vec::new(),
        };
        s.hosts()?;
        super::data::rds(&mut s)?;
        super::data::elasticache(&mut s)?;
        super::data::nosql(&mut s)?;
        super::data::secrets(&mut s)?;
        super::edge::network(&mut s)?;
        super::edge::edge(&mut s)?;
        super::edge::operations(&mut s)?;
        super::edge::kms(&mut s)?;
        lines.append(&mut s.lines);
    }
    Ok(lines)
}

/// The share of the users each deployment region serves: all of them
/// without data centers; with geo DNS an even split (where the users are
/// is not part of the design); with failover routing, all to the primary.
fn usage_shares(m: &Model, regions: &[&str]) -> Vec<f64> {
    match &m.datacenters {
        Some(dc) if dc.geodns => vec![1.0 / regions.len() as f64; regions.len()],
        Some(_) => {
            let primary = m.primary_datacenter();
            regions
                .iter()
                .map(|r| if *r == primary { 1.0 } else { 0.0 })
                .collect()
        }
        None => vec![1.0],
    }
}

/// One region's deployment of the stage, collecting its lines.
pub(super) struct Stage<'a> {
    pub(super) m: &'a Model,
    prices: &'a Prices,
    pub(super) region: &'a str,
    /// ` (us-east-1)` with data centers, else empty.
    suffix: String,
    pub(super) hours: f64,
    /// The region holds the databases' primaries: the only one, or the
    /// primary of several data centers (the others hold read replicas).
    pub(super) primaries: bool,
    /// This region's share of the stage's usage.
    pub(super) usage: Option<Usage>,
    pub(super) lines: Vec<CostLine>,
}

/// What a line is, before it is priced.
pub(super) struct Item<'p> {
    pub(super) item: String,
    pub(super) resource: &'static str,
    /// Price key below the region (or below `global` when `global`).
    pub(super) key: &'p [&'p str],
    pub(super) global: bool,
    /// In words, for a missing price.
    pub(super) what: String,
}

impl Stage<'_> {
    pub(super) fn price(&self, it: &Item) -> Result<f64, PriceError> {
        let mut path = if it.global {
            vec!["global"]
        } else {
            vec!["regions", self.region]
        };
        path.extend_from_slice(it.key);
        let what = if it.global {
            it.what.clone()
        } else {
            format!("{} in {}", it.what, self.region)
        };
        self.prices.price(&path, &what)
    }

    /// A line whose quantity is known: `quantity` of `unit` at the price.
    pub(super) fn fixed(
        &mut self,
        it: Item,
        quantity: f64,
        unit: &str,
        formula: String,
    ) -> Result<(), PriceError> {
        let unit_price = self.price(&it)?;
        let monthly = cents(quantity * unit_price);
        self.push(it, quantity, unit, unit_price, formula, Some(monthly));
        Ok(())
    }

    /// `count` instances (nodes, balancers) running all month at an hourly
    /// price.
    pub(super) fn hourly(
        &mut self,
        it: Item,
        count: u32,
        kind: &str,
        unit: &str,
    ) -> Result<(), PriceError> {
        let price = self.price(&it)?;
        let formula = format!(
            "{count} x {kind} x {} h x {}/h",
            num(self.hours),
            money(price)
        );
        self.fixed(it, f64::from(count) * self.hours, unit, formula)
    }

    /// A usage-priced line: `quantity` (with its formula) when usage is
    /// given, else not estimated, saying what it would need.
    pub(super) fn usage_line(
        &mut self,
        it: Item,
        unit: &str,
        measured: Option<(f64, String)>,
        needs: &str,
    ) -> Result<(), PriceError> {
        let unit_price = self.price(&it)?;
        match measured {
            Some((quantity, formula)) => {
                let monthly = cents(quantity * unit_price);
                let shown = (quantity * 1000.0).round() / 1000.0;
                let formula = format!("{formula} = {} {unit} x {}", num(shown), money(unit_price));
                self.push(it, quantity, unit, unit_price, formula, Some(monthly));
            }
            None => {
                let formula = format!("not estimated: needs {needs}");
                self.push(it, 0.0, unit, unit_price, formula, None);
            }
        }
        Ok(())
    }

    fn push(
        &mut self,
        it: Item,
        quantity: f64,
        unit: &str,
        unit_price_usd: f64,
        formula: String,
        monthly_usd: Option<f64>,
    ) {
        self.lines.push(CostLine {
            item: format!("{}{}", it.item, self.suffix),
            resource: it.resource.to_string(),
            region: if it.global {
                "global".to_string()
            } else {
                self.region.to_string()
            },
            quantity,
            unit: unit.to_string(),
            unit_price_usd,
            formula,
            monthly_usd,
        });
    }

    /// EC2 instances (an autoscaling group's minimum), their root volumes.
    fn hosts(&mut self) -> Result<(), PriceError> {
        for g in self.m.aws_host_groups() {
            let kind = match g.kind {
                HostKind::Web => "web",
                HostKind::Worker => "worker",
            };
            let name = named(kind, g.name);
            let resource = if g.public {
                "aws_instance"
            } else {
                "aws_autoscaling_group"
            };
            let key = ["ec2", g.instance_type];
            let it = Item {
                item: format!("EC2 {name}"),
                resource,
                key: &key,
                global: false,
                what: format!("EC2 instance type {}", g.instance_type),
            };
            self.hourly(it, g.min, g.instance_type, "instance-hours")?;
            if g.autoscale_cpu.is_some() {
                if let Some(l) = self.lines.last_mut() {
                    l.formula
                        .push_str(&format!(" (autoscaling minimum; up to {})", g.max));
                }
            }
            let gp3 = ["ebs", "gp3_gb_month"];
            let it = Item {
                item: format!("EBS {name}"),
                resource: "aws_launch_template",
                key: &gp3,
                global: false,
                what: "EBS gp3 storage".into(),
            };
            let price = self.price(&it)?;
            let formula = format!("{} x {} GB x {}/GB-month", g.min, g.root_gb, money(price));
            self.fixed(it, f64::from(g.min * g.root_gb), "GB-month", formula)?;
        }
        Ok(())
    }
}

/// `web` for the tier named like its kind, else `worker thumbnails`.
pub(super) fn named(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}

/// `1 secret`, `3 secrets`, `2 addresses`.
pub(super) fn plural(n: u32, word: &str) -> String {
    match (n, word.ends_with('s')) {
        (1, _) => format!("1 {word}"),
        (_, true) => format!("{n} {word}es"),
        _ => format!("{n} {word}s"),
    }
}

/// Rounded to the cent, so that every figure printed adds up.
pub(super) fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A dollar amount as the price table holds it: `$0.0208`, `$0.5`.
pub(super) fn money(p: f64) -> String {
    format!("${}", num(p))
}

/// A number without needless digits, thousands grouped: `730`, `0.0208`,
/// `150,000,000`, `1,666.667` (at most three decimals beyond a price's).
pub(super) fn num(x: f64) -> String {
    let s = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let digits = int.trim_start_matches('-');
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 && digits.len() > 4 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if int.starts_with('-') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}
