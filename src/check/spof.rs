//! Single points of failure and unreplicated data: W0302, W0303, W0307.

use crate::diag::Diagnostic;
use crate::model::{Model, NosqlEngine};

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
    unreplicated_across_datacenters(m, out);
}

/// W0307: a stage with several data centers whose data is not copied to
/// every one (src/analyze/topology.rs, `data_in_every_datacenter`): a db
/// without replicas, or a MongoDB document store, lives in the primary
/// region only.
fn unreplicated_across_datacenters(m: &Model, out: &mut Vec<Diagnostic>) {
    let Some(dc) = m.datacenters.as_ref().filter(|d| d.regions.len() > 1) else {
        return;
    };
    let primary = crate::analyze::topology::primary(m);
    let others: Vec<&str> = dc
        .regions
        .iter()
        .filter(|r| **r != primary)
        .map(String::as_str)
        .collect();
    let reach = format!(
        "today {} {} it in {primary} across the VPC peering",
        others.join(" and "),
        if others.len() == 1 {
            "reads and writes"
        } else {
            "read and write"
        }
    );
    for d in m.dbs.iter().filter(|d| d.replicas == 0) {
        let fix = if d.colocated {
            format!(
                "give db `{}` its own server (drop `colocated`) with `with 1 replica`",
                d.name
            )
        } else {
            format!("add `with 1 replica` to db `{}`", d.name)
        };
        out.push(
            Diagnostic::new(
                "W0307",
                d.origin.span,
                format!(
                    "db `{}` is not copied to every data center: without replicas, the files put it in {primary} only",
                    d.name
                ),
            )
            .primary("no replicas: not copied to the other data centers")
            .label(dc.origin.span, "users are routed to several data centers here")
            .help(format!(
                "{fix} ({}): every other data center then holds a cross-region read replica of it, serves reads from it, and keeps the data when {primary} is lost (promote the replica: docs/failover.md); {reach}",
                where_written(&d.origin)
            )),
        );
    }
    for n in m.nosqls.iter().filter(|n| n.engine == NosqlEngine::Mongodb) {
        out.push(
            Diagnostic::new(
                "W0307",
                n.origin.span,
                format!(
                    "nosql `{}` is not copied to every data center: the files put its DocumentDB cluster in {primary} only",
                    n.name
                ),
            )
            .primary("mongodb: one cluster, not copied to the other data centers")
            .label(dc.origin.span, "users are routed to several data centers here")
            .help(format!(
                "write `dynamodb` instead of `mongodb` on nosql `{}` ({}): a DynamoDB global table holds a replica in every data center; {reach}",
                n.name,
                where_written(&n.origin)
            )),
        );
    }
}

/// `line 4`, or for a statement an earlier stage wrote, `line 4, in stage
/// split-db; or redeclare it with the clause in this stage`.
fn where_written(o: &crate::model::Origin) -> String {
    if !o.inherited {
        return format!("line {}", o.line);
    }
    let from = match &o.stage {
        Some(from) => format!("in stage {from}"),
        None => "before the stages".into(),
    };
    format!(
        "line {}, {from}; or redeclare it with the clause in the stage with the data centers, to change that stage only",
        o.line
    )
}

#[cfg(test)]
mod tests {
    fn w0307(src: &str) -> Vec<crate::diag::Diagnostic> {
        crate::compile("t.arch", src)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "W0307")
            .collect()
    }

    #[test]
    fn fires_only_where_data_is_not_copied_to_every_data_center() {
        let dcs = "web x2 behind lb\ndatacenters us-east-1, eu-west-1\n";
        assert!(w0307(&format!(
            "{dcs}db postgres with 1 replica\nnosql dynamodb\n"
        ))
        .is_empty());
        assert!(
            w0307("web x2 behind lb\ndb postgres\n").is_empty(),
            "one data center"
        );
        let d = w0307(&format!("{dcs}db orders postgres\n"));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("us-east-1 only"), "{}", d[0].message);
        let help = d[0].help.as_deref().unwrap();
        assert!(
            help.contains("add `with 1 replica` to db `orders` (line 3)"),
            "{help}"
        );
        assert!(
            help.contains("eu-west-1 reads and writes it in us-east-1"),
            "{help}"
        );
        let d = w0307(&format!(
            "{dcs}db postgres with 1 replica\nnosql docs mongodb\n"
        ));
        assert_eq!(d.len(), 1);
        assert!(d[0].help.as_deref().unwrap().contains("dynamodb"));
    }

    #[test]
    fn an_inherited_statement_is_named_with_its_stage() {
        let d = w0307("db postgres\nweb x2 behind lb\nstage a {\n}\nstage b {\n  datacenters us-east-1, eu-west-1\n}\n");
        let help = d[0].help.as_deref().unwrap();
        assert!(
            help.contains("(line 1, before the stages; or redeclare it"),
            "{help}"
        );
    }
}
