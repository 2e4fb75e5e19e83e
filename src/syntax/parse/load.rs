//! The load part of the language, read and checked as it is read: the
//! `traffic` statement and the `capacity` and `hits` clauses
//! (docs/language.md, "Load"). The grammar takes their numbers with a sign
//! and a decimal point so that a wrong one is told what is wrong with it:
//! traffic without a user count (E0220), a number that is zero or negative
//! (E0221), a share over 100% (E0222), `hits` on a component that is not a
//! cache (E0223), a capacity unit that does not fit the component (E0224).

use super::Driver;
use crate::diag::Diagnostic;
use crate::model::CapacityUnit;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Clause, Kind, Traffic};
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

/// The unit a `capacity` clause takes on each kind of component; `None`:
/// the kind has no capacity of its own in the estimate.
pub fn capacity_unit_of(kind: Kind) -> Option<CapacityUnit> {
    match kind {
        Kind::Web | Kind::Lb => Some(CapacityUnit::Rps),
        Kind::Db | Kind::Cache | Kind::Nosql => Some(CapacityUnit::Qps),
        Kind::Worker => Some(CapacityUnit::JobsPerSecond),
        _ => None,
    }
}

impl Driver<'_> {
    /// `traffic [N users] [, CLAUSE]…`: each clause once (E0003), the user
    /// count required (E0220).
    pub(super) fn traffic(&mut self, span: Span, pair: Pair<'_, Rule>) -> Traffic {
        let mut t = Traffic::default();
        for p in pair.into_inner().skip(1) {
            let cspan = self.span(&p);
            let rule = p.as_rule();
            let mut it = p.into_inner();
            let (slot, value, what) = match rule {
                Rule::traffic_users => {
                    let count = it.next().expect("users has a count");
                    let mut parts = count.into_inner();
                    let num = parts.next().expect("a count has digits");
                    let factor = match parts.next().map(|s| s.as_str()) {
                        Some("k") => 1e3,
                        Some("m") => 1e6,
                        _ => 1.0,
                    };
                    let v = self.load_num(&num, false, "a user count");
                    (&mut t.users, Spanned::new(v.node * factor, v.span), "users")
                }
                Rule::traffic_requests => {
                    let num = it.next().expect("requests has a number");
                    let v = self.load_num(&num, false, "a request count");
                    (&mut t.requests_per_user, v, "requests per user")
                }
                Rule::traffic_peak => {
                    let factor = it.nth(1).expect("peak has a factor");
                    let num = factor.into_inner().next().expect("a factor has digits");
                    let v = self.load_num(&num, false, "a peak factor");
                    (&mut t.peak, v, "peak")
                }
                Rule::traffic_reads => {
                    let pct = it.nth(1).expect("reads has a percentage");
                    let v = self.percent(pct, "reads");
                    (&mut t.reads_percent, v, "reads")
                }
                Rule::traffic_response => {
                    let size = it.next().expect("response has a size");
                    let v = self.load_size(size);
                    (&mut t.response_bytes, v, "per response")
                }
                _ => continue,
            };
            if let Some(first) = slot {
                let first = first.span;
                self.diags.push(
                    Diagnostic::new(
                        "E0003",
                        cspan,
                        format!("`{what}` is given twice in this `traffic` statement"),
                    )
                    .primary("second time")
                    .label(first, "first given here")
                    .help("keep the one you mean"),
                );
                continue;
            }
            *slot = Some(value);
        }
        if t.users.is_none() {
            self.diags.push(
                Diagnostic::new("E0220", span, "`traffic` needs the number of daily users")
                    .primary("no `N users`")
                    .help("start with the daily active users, e.g. `traffic 50k users, peak 3x`"),
            );
        }
        t
    }

    /// `capacity N rps|qps|jobs/s`.
    pub(super) fn capacity(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut it = p.clone().into_inner().skip(1);
        let num = it.next().expect("capacity has a number");
        let value = self.load_num(&num, false, "a capacity");
        let unit_pair = it.next().expect("capacity has a unit");
        let unit = match unit_pair.as_str() {
            "rps" => CapacityUnit::Rps,
            "qps" => CapacityUnit::Qps,
            _ => CapacityUnit::JobsPerSecond,
        };
        Clause::Capacity {
            value,
            unit: Spanned::new(unit, self.span(&unit_pair)),
        }
    }

    /// `hits N%`.
    pub(super) fn hits(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let pct = p
            .clone()
            .into_inner()
            .nth(1)
            .expect("hits has a percentage");
        Clause::Hits(self.percent(pct, "hits"))
    }

    /// E0223 and E0224: `hits` only on a cache, `capacity` in the unit of
    /// the component's work.
    pub(super) fn check_load_clauses(&mut self, kind: Kind, clauses: &[Spanned<Clause>]) {
        for c in clauses {
            match &c.node {
                Clause::Hits(_) if kind != Kind::Cache => self.diags.push(
                    Diagnostic::new(
                        "E0223",
                        c.span,
                        format!("`hits` is the share of reads a cache answers; this is a {}", noun(kind)),
                    )
                    .primary("not a cache")
                    .help("move `hits N%` to the `cache` statement, or remove it"),
                ),
                Clause::Capacity { unit, .. } => match capacity_unit_of(kind) {
                    Some(want) if want == unit.node => {}
                    Some(want) => self.diags.push(
                        Diagnostic::new(
                            "E0224",
                            unit.span,
                            format!(
                                "a {}'s capacity is counted in {}, not {}",
                                noun(kind),
                                want.as_str(),
                                unit.node.as_str()
                            ),
                        )
                        .primary(format!("write `{}`", want.as_str()))
                        .help(unit_help(kind, want)),
                    ),
                    None => self.diags.push(
                        Diagnostic::new(
                            "E0224",
                            c.span,
                            format!("a {} has no capacity of its own in the estimate", noun(kind)),
                        )
                        .primary("no capacity here")
                        .help(match kind {
                            Kind::Queue => "give the capacity of the workers that consume it: `worker … capacity 20 jobs/s`",
                            _ => "remove it: a CDN's edge is not a tier of the design's own",
                        }),
                    ),
                },
                _ => {}
            }
        }
    }

    /// A load number: positive (E0221), or at least zero when `zero_ok`.
    fn load_num(&mut self, p: &Pair<'_, Rule>, zero_ok: bool, what: &str) -> Spanned<f64> {
        let span = self.span(p);
        let v: f64 = p.as_str().parse().unwrap_or(f64::MAX);
        let v = if v.is_finite() { v } else { f64::MAX };
        if v < 0.0 || (v == 0.0 && !zero_ok) {
            let bound = if zero_ok {
                "zero or more"
            } else {
                "more than zero"
            };
            self.diags.push(
                Diagnostic::new(
                    "E0221",
                    span,
                    format!("{what} must be {bound}, not `{}`", p.as_str()),
                )
                .primary(bound)
                .help(format!(
                    "write {what} {bound}; to say a stage has no load, remove the clause"
                )),
            );
            // Not a number any estimate uses: the model falls back to the
            // default, so that one mistake is reported once.
            return Spanned::new(f64::NAN, span);
        }
        Spanned::new(v, span)
    }

    /// `N%`, from 0 to 100 (E0221 below, E0222 above).
    fn percent(&mut self, p: Pair<'_, Rule>, clause: &str) -> Spanned<f64> {
        let span = self.span(&p);
        let num = p.into_inner().next().expect("a percentage has digits");
        let v = self.load_num(&num, true, "a share");
        if v.node > 100.0 {
            let example = if clause == "hits" {
                "hits 85%"
            } else {
                "reads 90%"
            };
            self.diags.push(
                Diagnostic::new(
                    "E0222",
                    span,
                    format!(
                        "`{clause}` is a share of {}: at most 100%",
                        if clause == "hits" {
                            "reads"
                        } else {
                            "requests"
                        }
                    ),
                )
                .primary("more than all of them")
                .help(format!(
                    "write a percentage from 0 to 100, e.g. `{example}`"
                )),
            );
            return Spanned::new(100.0, v.span);
        }
        v
    }

    /// `Nkb`, `Nmb`…: bytes.
    fn load_size(&mut self, p: Pair<'_, Rule>) -> Spanned<f64> {
        let mut it = p.into_inner();
        let num = it.next().expect("a size has digits");
        let v = self.load_num(&num, false, "a response size");
        let unit = match it.next().map(|u| u.as_str()) {
            Some("kb") => 1024.0,
            Some("mb") => 1024.0 * 1024.0,
            Some("gb") => 1024.0 * 1024.0 * 1024.0,
            _ => 1024.0_f64.powi(4),
        };
        Spanned::new(v.node * unit, v.span)
    }
}

fn unit_help(kind: Kind, want: CapacityUnit) -> String {
    let what = match want {
        CapacityUnit::Rps => "requests per second one instance serves",
        CapacityUnit::Qps => "queries per second one instance answers",
        CapacityUnit::JobsPerSecond => "jobs per second one worker finishes",
    };
    format!(
        "a {}'s capacity is the {what}, e.g. `capacity {} {}`",
        noun(kind),
        match want {
            CapacityUnit::JobsPerSecond => 20,
            CapacityUnit::Qps => 2000,
            CapacityUnit::Rps => 300,
        },
        want.as_str()
    )
}

/// What a kind is called in a sentence.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Web => "web tier",
        Kind::Lb => "load balancer",
        Kind::Db => "database",
        Kind::Nosql => "NoSQL store",
        Kind::Cdn => "CDN",
        k => k.keyword(),
    }
}
