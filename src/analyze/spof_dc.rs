//! A whole data center failing, as the target deploys data centers
//! ([`super::topology`]): on terraform, Route 53 sends a failed data center's
//! users to the other data center of their failover pair, which serves them
//! when it holds the data; losing the primary region stops writes until the
//! failover procedure (docs/failover.md). Compose and Kubernetes run one site
//! each and route no one between sites.

use super::availability::{capitalise, uncopied, Deploy};
use super::spof::{f, Failure, Impact};
use super::topology::{self, Route};
use crate::model::{Model, StoreKind};

pub fn datacenter(m: &Model, target: Deploy, out: &mut Vec<Failure>) {
    let several = m.datacenters.as_ref().filter(|d| d.regions.len() > 1);
    let Some(dc) = several else {
        out.push(one_site(
            &topology::primary(m),
            "Everything runs in this one data center: an outage there takes the site down.",
        ));
        return;
    };
    let primary = topology::primary(m);
    if target != Deploy::Terraform {
        out.push(one_site(&primary, &format!(
            "The {} files run one site: an outage of its data center takes that site down. A second site ({}) is a separate run that no file routes users to, and gets its data only as a streaming replica of the primary's database set up by hand (docs/failover.md).",
            target.name(),
            dc.regions.iter().filter(|r| **r != primary).cloned().collect::<Vec<_>>().join(", ")
        )));
        return;
    }
    let routes = topology::routes(m);
    out.push(primary_region(m, &primary, &routes));
    let others: Vec<&String> = dc.regions.iter().filter(|r| **r != primary).collect();
    let served: Vec<String> = others
        .iter()
        .map(|r| {
            let users = first_choice(&routes, r);
            if users.is_empty() {
                format!("no record sends anyone to {r} first (standby)")
            } else {
                format!("{} are sent to {r} first", users.join(" and "))
            }
        })
        .collect();
    let names: Vec<&str> = others.iter().map(|r| r.as_str()).collect();
    out.push(f(
        "datacenter:other".into(),
        format!("data center {}", names.join(", ")),
        if others.len() == 1 { "another data center" } else { "one of the other data centers" },
        Impact::Survives,
        false,
        format!(
            "{}. Route 53 sees its balancer fail its health check and sends those users to {primary}, which holds the data: slower for far-away users, but served.{} Nothing is lost{}.",
            capitalise(&served.join("; ")),
            sessions_lost(m),
            if topology::data_in_every_datacenter(m) && !m.dbs.is_empty() {
                "; its replicas catch up from the primary when it is back"
            } else {
                ""
            }
        ),
    ));
}

/// The one data center a site runs in.
fn one_site(region: &str, then: &str) -> Failure {
    f(
        "datacenter".into(),
        format!("data center {region}"),
        "the whole data center",
        Impact::SiteDown,
        true,
        then.into(),
    )
}

/// The users whose records send them to `region` first.
fn first_choice(routes: &[Route], region: &str) -> Vec<String> {
    routes
        .iter()
        .filter(|r| r.datacenters.first().map(String::as_str) == Some(region))
        .map(|r| r.users.clone())
        .collect()
}

/// The primary region failing: it holds every database's primary, and with
/// no copy elsewhere, the only copy.
fn primary_region(m: &Model, primary: &str, routes: &[Route]) -> Failure {
    let fallback = routes
        .iter()
        .find(|r| r.datacenters.first().map(String::as_str) == Some(primary))
        .and_then(|r| r.datacenters.get(1).cloned());
    let component = format!("data center {primary}");
    let what = "the primary data center";
    let Some(fallback) = fallback else {
        return f("datacenter:primary".into(), component, what, Impact::SiteDown, true, format!(
            "No balancer, so no DNS records: every user is sent to {primary}, and nothing sends them elsewhere while it is down."
        ));
    };
    let dbs_only_here: Vec<String> = uncopied(m)
        .into_iter()
        .filter(|x| x.starts_with("db"))
        .collect();
    if !dbs_only_here.is_empty() {
        return f("datacenter:primary".into(), component, what, Impact::SiteDown, true, format!(
            "Route 53 sees its balancer fail its health check and sends its users to {fallback}, but only {primary} holds the data of {} (no replicas: W0307): {fallback} reads and writes it there across the VPC peering, so every request that needs it fails until {primary} is back.",
            dbs_only_here.join(", ")
        ));
    }
    let documents: Vec<String> = uncopied(m)
        .into_iter()
        .filter(|x| x.starts_with("nosql"))
        .collect();
    let documents = if documents.is_empty() {
        String::new()
    } else {
        format!(
            " The MongoDB {} {} in {primary} only (W0307): what {} cannot be read or written until {primary} is back.",
            documents.join(", "),
            if documents.len() == 1 { "is" } else { "are" },
            if documents.len() == 1 { "it stores" } else { "they store" }
        )
    };
    let writes = if m.dbs.is_empty() {
        String::new()
    } else {
        format!(
            " Writes fail until an operator promotes the cross-region replica in {fallback} and points writes at it (docs/failover.md); writes {primary} had not yet replicated (asynchronous: usually under a second behind) are lost."
        )
    };
    let degraded = !m.dbs.is_empty() || !documents.is_empty();
    let impact = if degraded {
        Impact::Degraded
    } else {
        Impact::Survives
    };
    f(
        "datacenter:primary".into(),
        component,
        what,
        impact,
        degraded,
        format!(
            "Route 53 sees its balancer fail its health check and sends its users to {fallback}, which holds the databases: reads are served there from its local replicas.{}{writes}{documents}",
            sessions_lost(m)
        ),
    )
}

/// Caches are per region: sessions kept in one are not in the data center
/// users fail over to.
fn sessions_lost(m: &Model) -> &'static str {
    let in_cache = m.webs.iter().any(|w| {
        w.sessions
            .as_ref()
            .is_some_and(|s| s.kind == StoreKind::Cache)
    });
    if in_cache {
        " Sessions are kept in each region's own cache: those users must log in again."
    } else {
        ""
    }
}
