//! The two reports, `diff` and `analyze`, as data (serialised for
//! `--format json`) and as aligned text for people.

use super::assume::{self, Assumptions};
use super::availability::{self, Deploy, Estimate};
use super::diff_files::{self, TargetDiff};
use super::diff_model::{self, ModelDiff};
use super::migration::{self, Note};
use super::spof::{self, Failure, Impact};
use crate::emit::{EmitError, Target};
use crate::model::Model;
use serde::Serialize;
use std::fmt::Write;

/// How `diff`, `analyze` and `estimate` print their report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people, on stdout.
    #[default]
    Human,
    /// One pretty-printed JSON document, on stdout.
    Json,
}

#[derive(Debug, Serialize)]
pub struct DiffReport {
    /// `journey.arch@cached`.
    pub from: String,
    pub to: String,
    pub components: ModelDiff,
    pub files: Vec<TargetDiff>,
    pub migration: Vec<Note>,
    /// The users each stage carries and what it costs a month
    /// (`archc estimate`).
    pub load: LoadChange,
    /// Each stage's site availability on terraform with the default
    /// assumptions (`archc analyze`).
    pub availability: AvailabilityChange,
}

/// The availability `archc analyze` gives each side, and the single points
/// of failure the change removes and adds.
#[derive(Debug, Serialize)]
pub struct AvailabilityChange {
    pub target: Deploy,
    pub from: f64,
    pub to: f64,
    pub removed: Vec<String>,
    pub added: Vec<String>,
}

fn availability_change(from: &Model, to: &Model) -> AvailabilityChange {
    let target = Deploy::Terraform;
    let asm = Assumptions::default();
    let spofs = |m: &Model| -> Vec<String> {
        spof::failures(m, target)
            .into_iter()
            .filter(|f| f.single_point)
            .map(|f| format!("{} ({}, {})", f.component, f.what, f.impact.word()))
            .collect()
    };
    let (a, b) = (spofs(from), spofs(to));
    AvailabilityChange {
        target,
        from: availability::estimate(from, target, &asm).site,
        to: availability::estimate(to, target, &asm).site,
        removed: a.iter().filter(|x| !b.contains(x)).cloned().collect(),
        added: b.iter().filter(|x| !a.contains(x)).cloned().collect(),
    }
}

impl AvailabilityChange {
    fn human(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "\nAvailability on {} (archc analyze: the formula, the failure scenarios)",
            self.target.name()
        );
        let _ = writeln!(
            o,
            "  site           {} -> {}",
            availability::percent(self.from),
            availability::percent(self.to)
        );
        for r in &self.removed {
            let _ = writeln!(o, "  removes        {r}");
        }
        for a in &self.added {
            let _ = writeln!(o, "  adds           {a}");
        }
    }
}

/// The change of users carried and of monthly cost between the two stages.
#[derive(Debug, Serialize)]
pub struct LoadChange {
    /// Daily users of each stage's `traffic` (`None`: no traffic).
    pub users_from: Option<f64>,
    pub users_to: Option<f64>,
    pub carried_from: Option<f64>,
    pub carried_to: Option<f64>,
    pub bottleneck_from: Option<String>,
    pub bottleneck_to: Option<String>,
    /// Monthly AWS cost of what the terraform target deploys (archc's
    /// built-in prices); usage-priced lines count only with `traffic`.
    /// `None` when the built-in prices lack the stage's region.
    pub monthly_cost_from: Option<f64>,
    pub monthly_cost_to: Option<f64>,
}

fn load_change(from: &Model, to: &Model) -> LoadChange {
    let priced = |m: &Model| {
        let mut e = crate::estimate::estimate(m, None);
        let cost = crate::estimate::add_cost(&mut e, m, crate::cost::builtin_prices())
            .ok()
            .and(e.monthly_cost_usd);
        (e, cost)
    };
    let ((a, cost_a), (b, cost_b)) = (priced(from), priced(to));
    LoadChange {
        users_from: from.traffic.as_ref().map(|t| t.users),
        users_to: to.traffic.as_ref().map(|t| t.users),
        carried_from: a.users_supported,
        carried_to: b.users_supported,
        bottleneck_from: a.bottleneck,
        bottleneck_to: b.bottleneck,
        monthly_cost_from: cost_a,
        monthly_cost_to: cost_b,
    }
}

impl LoadChange {
    fn human(&self, o: &mut String) {
        use crate::estimate::num;
        let users = |v: Option<f64>| v.map_or("no traffic".to_string(), num);
        let carried = |v: Option<f64>, b: &Option<String>| match (v, b) {
            (Some(v), Some(b)) => format!("{} (saturates first: {b})", num(v)),
            _ => "not estimated".to_string(),
        };
        let _ = writeln!(o, "\nLoad and cost (archc estimate)");
        if self.users_from.is_some() || self.users_to.is_some() {
            let _ = writeln!(
                o,
                "  traffic        {} -> {}",
                users(self.users_from),
                users(self.users_to)
            );
            let _ = writeln!(
                o,
                "  users carried  {} -> {}",
                carried(self.carried_from, &self.bottleneck_from),
                carried(self.carried_to, &self.bottleneck_to)
            );
            if let (Some(a), Some(b)) = (self.carried_from, self.carried_to) {
                if a > 0.0 {
                    let _ = writeln!(o, "  change         x{:.2}", b / a);
                }
            }
        }
        let dollars = |v: Option<f64>| v.map_or("not priced".to_string(), |v| format!("${v:.2}"));
        let change = match (self.monthly_cost_from, self.monthly_cost_to) {
            (Some(a), Some(b)) => {
                format!(" ({}${:.2})", if b >= a { "+" } else { "-" }, (b - a).abs())
            }
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "  monthly cost   {} -> {}{change} on AWS, archc's built-in prices{}",
            dollars(self.monthly_cost_from),
            dollars(self.monthly_cost_to),
            if self.users_from.is_none() && self.users_to.is_none() {
                "; usage-priced lines need traffic"
            } else {
                ""
            }
        );
    }
}

pub fn diff(
    from: (&str, &Model),
    to: (&str, &Model),
    targets: &[Target],
    unified: bool,
) -> Result<DiffReport, EmitError> {
    let components = diff_model::diff(from.1, to.1);
    Ok(DiffReport {
        from: format!("{}@{}", from.0, from.1.stage),
        to: format!("{}@{}", to.0, to.1.stage),
        files: diff_files::diff(from.1, to.1, targets, unified)?,
        migration: migration::notes(from.1, to.1, &components),
        load: load_change(from.1, to.1),
        availability: availability_change(from.1, to.1),
        components,
    })
}

/// Wraps `text` at 88 columns; lines after the first are indented under
/// the first word after a leading `- `.
fn wrap(out: &mut String, indent: &str, text: &str) {
    let width = 88usize.saturating_sub(indent.len());
    let mut line = String::new();
    let hang = if text.starts_with("- ") { "  " } else { "" };
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
            line.push_str(hang);
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

impl DiffReport {
    pub fn human(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{} -> {}\n", self.from, self.to);
        let _ = writeln!(o, "Components");
        let c = &self.components;
        if c.is_empty() {
            let _ = writeln!(o, "  (no change)");
        }
        for w in &c.added {
            let label = super::describe::label(w.kind, &w.name);
            if w.clauses.is_empty() {
                let _ = writeln!(o, "  + {label}");
            } else {
                let _ = writeln!(o, "  + {label}: {}", w.clauses.join(", "));
            }
        }
        for w in &c.removed {
            let _ = writeln!(o, "  - {}", super::describe::label(w.kind, &w.name));
        }
        for ch in &c.changed {
            let _ = writeln!(o, "  ~ {}:", super::describe::label(ch.kind, &ch.name));
            for f in &ch.fields {
                let _ = writeln!(o, "      {} {} -> {}", f.field, f.from, f.to);
            }
        }
        let _ = writeln!(o, "\nGenerated files");
        for t in &self.files {
            if t.is_empty() {
                let _ = writeln!(o, "  {:<10} (no change)", t.target);
                continue;
            }
            let _ = writeln!(o, "  {}", t.target);
            for p in &t.added {
                let _ = writeln!(o, "    + {p}");
            }
            for p in &t.removed {
                let _ = writeln!(o, "    - {p}");
            }
            for f in &t.changed {
                let _ = writeln!(o, "    ~ {} (+{} -{})", f.path, f.added, f.removed);
            }
        }
        for t in &self.files {
            for f in t.changed.iter().filter_map(|f| f.unified.as_ref()) {
                let _ = writeln!(o);
                o.push_str(f);
            }
        }
        let _ = writeln!(o, "\nMigration notes");
        if self.migration.is_empty() {
            let _ = writeln!(o, "  (nothing to migrate)");
        }
        for n in &self.migration {
            let _ = writeln!(o, "  {}: {}", n.component, n.title);
            for t in &n.text {
                wrap(&mut o, "    ", &format!("- {t}"));
            }
        }
        self.load.human(&mut o);
        self.availability.human(&mut o);
        o
    }
}

#[derive(Debug, Serialize)]
pub struct StageAnalysis {
    pub stage: String,
    pub failures: Vec<Failure>,
    pub availability: Estimate,
}

impl StageAnalysis {
    pub fn single_points(&self) -> impl Iterator<Item = &Failure> {
        self.failures.iter().filter(|f| f.single_point)
    }
}

#[derive(Debug, Serialize)]
pub struct StageSummary {
    pub stage: String,
    pub site_down: usize,
    pub degraded: usize,
    pub availability: f64,
    pub downtime_hours_per_year: f64,
    /// Single points of failure the previous stage had and this one does not.
    pub removed: Vec<String>,
    /// Single points of failure this stage brings.
    pub added: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AnalyzeReport {
    /// The target whose deployment the availability follows.
    pub target: Deploy,
    pub stages: Vec<StageAnalysis>,
    /// With more than one stage: what each stage removed and added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<StageSummary>,
}

pub fn analyze(stages: &[&Model], target: Deploy, asm: &Assumptions) -> AnalyzeReport {
    let stages: Vec<StageAnalysis> = stages
        .iter()
        .map(|m| StageAnalysis {
            stage: m.stage.clone(),
            failures: spof::failures(m, target),
            availability: availability::estimate(m, target, asm),
        })
        .collect();
    let mut summary = Vec::new();
    if stages.len() > 1 {
        for (i, s) in stages.iter().enumerate() {
            let now: Vec<&Failure> = s.single_points().collect();
            let before: Vec<&Failure> = i
                .checked_sub(1)
                .map(|p| stages[p].single_points().collect())
                .unwrap_or_default();
            let name = |f: &Failure| format!("{} ({})", f.component, f.what);
            summary.push(StageSummary {
                stage: s.stage.clone(),
                site_down: now.iter().filter(|f| f.impact == Impact::SiteDown).count(),
                degraded: now.iter().filter(|f| f.impact == Impact::Degraded).count(),
                availability: s.availability.site,
                downtime_hours_per_year: s.availability.downtime_hours_per_year,
                removed: before
                    .iter()
                    .filter(|b| !now.iter().any(|n| n.key == b.key && n.impact == b.impact))
                    .map(|f| name(f))
                    .collect(),
                added: if i == 0 {
                    Vec::new()
                } else {
                    now.iter()
                        .filter(|n| {
                            !before
                                .iter()
                                .any(|b| b.key == n.key && b.impact == n.impact)
                        })
                        .map(|f| name(f))
                        .collect()
                },
            });
        }
    }
    AnalyzeReport {
        target,
        stages,
        summary,
    }
}

fn table(o: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
}

fn hours(h: f64) -> String {
    if h >= 1.0 {
        format!("{h:.1} h")
    } else {
        format!("{:.1} min", h * 60.0)
    }
}

impl AnalyzeReport {
    pub fn human(&self) -> String {
        let mut o = String::new();
        for s in &self.stages {
            let _ = writeln!(o, "Stage {}\n", s.stage);
            single_points_section(&mut o, s);
            failures_section(&mut o, s);
            availability_section(&mut o, &s.availability);
            let _ = writeln!(o);
        }
        // One stage has nothing to compare with: no summary.
        if !self.summary.is_empty() {
            summary_section(&mut o, &self.summary);
        }
        o
    }
}

/// The stage's single points of failure, one row each: impact, then what fails.
fn single_points_section(o: &mut String, s: &StageAnalysis) {
    let _ = writeln!(o, "Single points of failure");
    let spofs: Vec<&Failure> = s.single_points().collect();
    if spofs.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    let rows: Vec<Vec<String>> = spofs
        .iter()
        .map(|f| {
            vec![
                f.impact.word().into(),
                format!("{}: {}", f.component, f.what),
            ]
        })
        .collect();
    table(o, &rows);
}

/// Every failure scenario, single point or not, with what happens then.
fn failures_section(o: &mut String, s: &StageAnalysis) {
    let _ = writeln!(o, "\nWhen each component fails");
    for f in &s.failures {
        let _ = writeln!(o, "  {} ({}): {}", f.component, f.what, f.impact.word());
        wrap(o, "      ", &f.then);
    }
}

/// The factors of one data center, the groups of users and the data
/// centers that can serve them, the arithmetic with its numbers, and the
/// assumptions, so a reader can redo every step.
fn availability_section(o: &mut String, e: &Estimate) {
    let _ = writeln!(
        o,
        "\nAvailability on {} (what its files deploy; --target terraform|compose|k8s)",
        e.target.name()
    );
    factors_table(o, e);
    let several = e.routes.len() > 1 || e.routes.iter().any(|r| r.route.datacenters.len() > 1);
    if several {
        routes_table(o, e);
    }
    let _ = writeln!(o);
    for l in &e.arithmetic {
        let _ = writeln!(o, "  {l}");
    }
    let who = if several {
        " for the least-served users"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "  site{who}: {}, downtime about {} a year",
        availability::percent(e.site),
        hours(e.downtime_hours_per_year)
    );
    if e.writes < e.one_datacenter {
        wrap(
            o,
            "  ",
            &format!(
                "Writes need each database's primary{}, until a replica is promoted (by an operator or your automation: the figure above does not count that time): {}.",
                if e.other_datacenters.is_some() {
                    ", in the primary data center"
                } else {
                    ""
                },
                availability::percent(e.writes)
            ),
        );
    }
    let _ = writeln!(o, "  Assumptions (--assume KEY=PERCENT):");
    for u in &e.assumptions {
        wrap(
            o,
            "    ",
            &format!(
                "- {} = {} {}: {}",
                u.letter,
                u.key,
                assume::percent_text(u.value),
                u.why
            ),
        );
    }
    for n in &e.notes {
        wrap(o, "  ", &format!("- {n}"));
    }
    wrap(o, "  ", NOT_FACTORS);
}

/// The factors of the primary (or only) data center and their product `R`
/// (`R1`), then every other data center's and `R2` when each holds the data.
fn factors_table(o: &mut String, e: &Estimate) {
    let mut rows = vec![vec![
        "factor".to_string(),
        "deployed as".into(),
        "formula".into(),
        "availability".into(),
    ]];
    let row = |f: &availability::Factor| {
        vec![
            f.factor.clone(),
            f.deployed.clone(),
            f.formula.clone(),
            availability::percent(f.availability),
        ]
    };
    rows.extend(e.factors.iter().map(row));
    let (r, what) = match (&e.other_datacenters, e.target) {
        (Some(_), _) => ("R1", "the primary data center: the product"),
        (None, Deploy::Compose) => ("R", "the host's site: the product"),
        (None, _) => ("R", "one data center: the product"),
    };
    rows.push(vec![
        r.into(),
        what.into(),
        String::new(),
        availability::percent(e.one_datacenter),
    ]);
    if let Some(other) = &e.other_datacenters {
        rows.extend(other.factors.iter().map(row));
        rows.push(vec![
            "R2".into(),
            format!(
                "{}: the product",
                if other.regions.len() == 1 {
                    "the other data center"
                } else {
                    "each other data center"
                }
            ),
            String::new(),
            availability::percent(other.availability),
        ]);
    }
    table(o, &rows);
}

/// Each group of users, the data centers Route 53 sends them to (marking
/// those that do not hold their data), and their figure.
fn routes_table(o: &mut String, e: &Estimate) {
    let _ = writeln!(o);
    let mut rows = vec![vec![
        "users".to_string(),
        "sent to".into(),
        "formula".into(),
        "availability".into(),
    ]];
    for r in &e.routes {
        rows.push(vec![
            r.route.users.clone(),
            r.route.datacenters.join(", then "),
            r.formula.clone(),
            availability::percent(r.availability),
        ]);
    }
    table(o, &rows);
}

/// Printed under every estimate: what the factors leave out.
const NOT_FACTORS: &str = "Not factors: caches, CDNs, document stores, queues, workers, logs and metrics. When one fails the site is slower or loses a function (see the failures above), but pages are still served.";

/// One row per stage, then what each stage after the first removed and added.
fn summary_section(o: &mut String, summary: &[StageSummary]) {
    let _ = writeln!(o, "Summary (single points of failure per stage)\n");
    let mut rows = vec![vec![
        "stage".to_string(),
        "site down".into(),
        "degraded".into(),
        "availability".into(),
        "downtime/year".into(),
    ]];
    for s in summary {
        rows.push(vec![
            s.stage.clone(),
            s.site_down.to_string(),
            s.degraded.to_string(),
            availability::percent(s.availability),
            hours(s.downtime_hours_per_year),
        ]);
    }
    table(o, &rows);
    let _ = writeln!(o);
    for s in summary.iter().skip(1) {
        let _ = writeln!(o, "  {}", s.stage);
        if s.removed.is_empty() && s.added.is_empty() {
            let _ = writeln!(o, "    (no single point of failure removed or added)");
        }
        for r in &s.removed {
            let _ = writeln!(o, "    removes {r}");
        }
        for a in &s.added {
            let _ = writeln!(o, "    adds    {a}");
        }
    }
}
