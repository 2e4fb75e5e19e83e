//! W0320: a stage whose `traffic` exceeds what its tiers carry at peak
//! (`crate::estimate`), on the `traffic` line, naming the tier that
//! saturates first and the fix; an autoscaling web tier whose maximum cannot
//! carry its peak, on its `autoscale`.

use crate::diag::Diagnostic;
use crate::estimate::{self, Tier};
use crate::model::Model;

pub fn check(m: &Model, next: Option<&Model>, out: &mut Vec<Diagnostic>) {
    let Some(traffic) = &m.traffic else {
        return;
    };
    let e = estimate::estimate(m, next);
    let over = |t: &&Tier| t.utilisation.is_some_and(|u| u > 1.0);
    let mut stage_limit: Option<&Tier> = None;
    for t in e.tiers.iter().filter(over) {
        let autoscaled = (t.kind == "web")
            .then(|| m.webs.iter().find(|w| w.name == t.name))
            .flatten()
            .filter(|w| w.autoscale.is_some());
        if let Some(w) = autoscaled {
            let span = w.spans.get("autoscale").copied().unwrap_or(w.origin.span);
            out.push(
                Diagnostic::new(
                    "W0320",
                    span,
                    format!(
                        "web `{}` at its autoscaling maximum carries {} of the {} users of `traffic` at peak",
                        w.name,
                        estimate::num(t.users_supported.unwrap_or(0.0)),
                        estimate::num(traffic.users)
                    ),
                )
                .primary(format!(
                    "{} × {} rps = {} rps; the peak needs {} rps",
                    t.instances,
                    estimate::num(t.per_instance),
                    estimate::num(t.capacity),
                    estimate::num(t.peak_load.unwrap_or(0.0))
                ))
                .label(traffic.origin.span, "the traffic it must carry")
                .help(format!(
                    "raise the maximum to at least {} instances, or give each more capacity (`size`, `capacity N rps`)",
                    needed(t)
                )),
            );
            continue;
        }
        if stage_limit.is_none_or(|s| t.users_supported < s.users_supported) {
            stage_limit = Some(t);
        }
    }
    let Some(t) = stage_limit else {
        return;
    };
    out.push(
        Diagnostic::new(
            "W0320",
            traffic.origin.span,
            format!(
                "stage `{}` carries {} daily users at peak, not the {} of its `traffic`: {} `{}` saturates first",
                m.stage,
                estimate::num(e.users_supported.unwrap_or(0.0)),
                estimate::num(traffic.users),
                t.kind,
                t.name
            ),
        )
        .primary(format!(
            "{} `{}` at {:.0}% of its capacity at peak",
            t.kind,
            t.name,
            t.utilisation.unwrap_or(0.0) * 100.0
        ))
        .help(format!(
            "{}; `archc estimate` shows every tier",
            estimate::advice(m, t, next)
        )),
    );
}

/// Instances the tier needs to carry its peak.
fn needed(t: &Tier) -> u64 {
    let peak = t.peak_load.unwrap_or(0.0);
    (peak / t.per_instance).ceil().max(1.0) as u64
}
