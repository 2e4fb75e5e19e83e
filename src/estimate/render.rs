//! The estimate as a table a reader recomputes by hand, and as JSON.

use super::{defaults as d, Estimate, Load, Tier};
use std::fmt::Write as _;

/// A number for people: thousands separated, decimals only where they matter.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() >= 100.0 {
        let s = format!("{:.0}", v);
        let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn traffic_line(l: &Load) -> String {
    format!(
        "traffic {} users, {} requests per user, peak {}x, reads {}%, {}kb per response",
        num(l.users),
        l.requests_per_user,
        l.peak_factor,
        l.reads_percent,
        l.response_bytes / 1024.0
    )
}

/// Every stage's estimate, one block each.
pub fn render_human(estimates: &[Estimate], cost_defaults: &[String]) -> String {
    let mut out = String::new();
    for (i, e) in estimates.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        stage(&mut out, e);
    }
    if !cost_defaults.is_empty() {
        out.push_str("\ncost defaults (docs/cost.md):\n");
        for d in cost_defaults {
            let _ = writeln!(out, "  - {d}");
        }
    }
    out
}

fn stage(out: &mut String, e: &Estimate) {
    let _ = writeln!(out, "stage {}", e.name);
    match &e.load {
        Some(l) => load(out, l),
        None => {
            let _ = writeln!(
                out,
                "  no `traffic` statement: load is not estimated, capacities only"
            );
        }
    }
    out.push('\n');
    table(out, &e.tiers, e.load.is_some());
    out.push('\n');
    match (&e.users_supported, &e.bottleneck) {
        (Some(u), Some(b)) => {
            let t = e.tiers.iter().find(|t| &t.name == b);
            let kind = t
                .filter(|t| t.kind != t.name)
                .map_or(String::new(), |t| format!(" ({})", t.kind));
            let also = if e.also_saturating.is_empty() {
                String::new()
            } else {
                format!("; at the same load: {}", e.also_saturating.join(", "))
            };
            let _ = writeln!(
                out,
                "  carries {} daily users at peak; saturates first: {b}{kind}{also}",
                num(*u)
            );
            if let (Some(l), Some(t)) = (&e.load, t) {
                let verdict = if l.users > *u {
                    format!("OVER by {}", num(l.users - u))
                } else {
                    format!("{} to spare", num(u - l.users))
                };
                let _ = writeln!(
                    out,
                    "    {} users = capacity {} {} / {} {} per 1,000 users × 1,000; the stage has {} users: {verdict}",
                    num(*u),
                    num(t.capacity),
                    t.unit,
                    per_k(t.load_per_user),
                    t.unit,
                    num(l.users)
                );
            }
        }
        _ if e.load.is_some() => {
            let _ = writeln!(out, "  no tier receives load");
        }
        _ => {}
    }
    if let Some(n) = &e.next_step {
        let _ = writeln!(out, "  next: {n}");
    }
    if let Some(u) = &e.usage {
        let _ = writeln!(
            out,
            "  a month ({:.2} days): {} requests, {} GB out, {} queue messages",
            d::DAYS_PER_MONTH,
            num(u.requests_per_month),
            num(u.gb_out_per_month),
            num(u.queue_messages_per_month)
        );
    }
    if !e.defaults_used.is_empty() {
        let _ = writeln!(out, "  defaults used (docs/estimate.md):");
        for s in &e.defaults_used {
            let _ = writeln!(out, "    - {s}");
        }
    }
    cost(out, e);
}

/// The cost lines, each with its formula, and the total.
fn cost(out: &mut String, e: &Estimate) {
    let Some(total) = e.monthly_cost_usd else {
        if let Some(why) = &e.cost_not_priced {
            let _ = writeln!(out, "  monthly cost on AWS: not priced: {why}");
        }
        return;
    };
    let _ = writeln!(out, "  monthly cost on AWS (docs/cost.md):");
    let item_w = e
        .cost_lines
        .iter()
        .map(|l| l.item.chars().count())
        .max()
        .unwrap_or(0);
    for l in &e.cost_lines {
        let amount = l
            .monthly_usd
            .map_or("not estimated".to_string(), |v| format!("${v:.2}"));
        let pad = item_w - l.item.chars().count();
        let _ = writeln!(
            out,
            "    {}{}  {:>13}  {}",
            l.item,
            " ".repeat(pad),
            amount,
            l.formula
        );
    }
    let _ = writeln!(
        out,
        "    total{}  {:>13}  a month",
        " ".repeat(item_w.saturating_sub(5)),
        format!("${total:.2}")
    );
}

/// A load per daily user, shown per 1,000 users so that it has digits.
fn per_k(v: f64) -> String {
    format!("{:.4}", v * 1000.0)
}

fn load(out: &mut String, l: &Load) {
    let _ = writeln!(out, "  {}", traffic_line(l));
    let _ = writeln!(
        out,
        "  requests a day: {} users × {} = {}",
        num(l.users),
        l.requests_per_user,
        num(l.requests_per_day)
    );
    let _ = writeln!(
        out,
        "  average: {} / 86,400 s = {} rps; peak: × {} = {} rps ({} reads, {} writes)",
        num(l.requests_per_day),
        num(l.average_rps),
        l.peak_factor,
        num(l.peak_rps),
        num(l.peak_reads),
        num(l.peak_writes)
    );
    if l.cdn_percent > 0.0 {
        let _ = writeln!(
            out,
            "  CDN answers {}% of requests at the edge: {} rps reach the balancers",
            l.cdn_percent,
            num(l.peak_rps * (1.0 - l.cdn_percent / 100.0))
        );
    }
}

fn table(out: &mut String, tiers: &[Tier], with_load: bool) {
    let mut rows = vec![[
        "tier".to_string(),
        "kind".into(),
        "instances".into(),
        "per instance".into(),
        "capacity".into(),
        "peak load".into(),
        "use".into(),
        "users carried".into(),
    ]];
    for t in tiers {
        let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("-".to_string(), f);
        rows.push([
            t.name.clone(),
            t.kind.to_string(),
            t.instances.to_string(),
            format!("{} {}", num(t.per_instance), t.unit),
            format!("{} {}", num(t.capacity), t.unit),
            opt(t.peak_load, &|v| format!("{} {}", num(v), t.unit)),
            opt(t.utilisation, &|v| format!("{:.0}%", v * 100.0)),
            opt(t.users_supported, &num),
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c < 2 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if with_load {
        out.push_str("  load per 1,000 daily users at peak:\n");
        for t in tiers {
            let _ = writeln!(
                out,
                "    {}: {} = {} {}",
                t.name,
                t.formula,
                per_k(t.load_per_user),
                t.unit
            );
        }
    }
}

/// `{"stages": [...]}`, with the price table's named defaults.
pub fn to_json(estimates: &[Estimate], cost_defaults: &[String]) -> serde_json::Value {
    serde_json::json!({ "stages": estimates, "cost_defaults": cost_defaults })
}
