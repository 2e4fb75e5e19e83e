//! Single points of failure and unreplicated data: W0302, W0303, W0307.

use crate::diag::Diagnostic;
use crate::model::Model;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    for d in &m.dbs {
        if d.replicas == 0 {
            let what = if d.shard_count > 1 {
                format!(
                    "each of the {} shards of db `{}` is a single instance",
                    d.shard_count, d.name
                )
            } else {
                format!(
                    "db `{}` is a single instance: when it fails, the site fails",
                    d.name
                )
            };
            out.push(
                Diagnostic::new("W0302", d.origin.span, what)
                    .primary("no replicas")
                    .help("add read replicas, e.g. `with 2 replicas`: reads spread over them and one is promoted if the primary fails"),
            );
        }
    }
    for c in &m.caches {
        if c.count == 1 {
            out.push(
                Diagnostic::new("W0303", c.origin.span, format!("cache `{}` is a single instance: when it fails, every request falls on the database", c.name))
                    .primary("one instance")
                    .help("run several, e.g. `x2`"),
            );
        }
    }
    if let Some(dc) = &m.datacenters {
        if dc.regions.len() > 1 {
            for d in m.dbs.iter().filter(|d| d.replicas == 0) {
                out.push(
                    Diagnostic::new(
                        "W0307",
                        d.origin.span,
                        format!("db `{}` has no replicas: each of the {} data centers runs it as one instance", d.name, dc.regions.len()),
                    )
                    .primary("data not replicated")
                    .label(dc.origin.span, "users are routed to several data centers here")
                    .help("add replicas (`with 2 replicas`) so the database of each data center survives the loss of a server; replicas stay in their own data center: the data centers do not share data (each region's Terraform creates its own primary), so a user sent to another data center does not find their data there (`archc analyze` shows what that costs)"),
                );
            }
        }
    }
}
