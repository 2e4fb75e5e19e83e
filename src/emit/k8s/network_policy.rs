//! `01-network-policy.yaml`: the data tier denies every connection but from
//! the application tiers (and its own pods, for replication).

use super::emitter::{File, K8s, TIER_DATA, TIER_WEB, TIER_WORKER};
use super::objects::{Allow, Map, NetworkPolicy};
use crate::emit::Result;

/// A data-tier component as the network policies see it: (kind, name,
/// names of its workloads, ports, whether workers may connect).
type DataComponent = (&'static str, String, Vec<String>, Vec<u16>, bool);

impl K8s<'_> {
    /// Whether workers read some variable of a data component: then its
    /// network policy lets them in.
    fn workers_read(&self, kind: &str, name: &str) -> bool {
        self.worker_reads
            .contains(&(kind.to_string(), name.to_string()))
    }

    /// The data tier, one entry per component.
    fn data_components(&self) -> Vec<DataComponent> {
        let mut out = Vec::new();
        for db in &self.m.dbs {
            let pods = db.shards.iter().map(|s| s.primary.clone()).collect();
            out.push((
                "db",
                db.name.clone(),
                pods,
                vec![db.port],
                self.workers_read("db", &db.name),
            ));
        }
        for c in &self.m.caches {
            out.push((
                "cache",
                c.name.clone(),
                vec![c.name.clone()],
                vec![c.port],
                self.workers_read("cache", &c.name),
            ));
        }
        for n in &self.m.nosqls {
            out.push((
                "nosql",
                n.name.clone(),
                vec![n.name.clone()],
                vec![n.port],
                self.workers_read("nosql", &n.name),
            ));
        }
        for q in &self.m.queues {
            out.push((
                "queue",
                q.name.clone(),
                vec![q.name.clone()],
                vec![q.port],
                self.workers_read("queue", &q.name),
            ));
        }
        out
    }

    pub(super) fn network_policy_file(&self) -> Result<Option<File>> {
        let data = self.data_components();
        if data.is_empty() {
            return Ok(None);
        }
        // One policy per data component: megabytes at 10,000 components, so
        // the documents are appended to one text as they are rendered.
        let mut docs = String::new();
        let mut deny = self.meta("deny-data-ingress", "network-policy");
        deny.notes
            .push("The data tier accepts no connection unless a policy below allows it.".into());
        let mut sel = Map::new();
        sel.insert("archc.dev/tier".into(), TIER_DATA.into());
        docs.push_str(&self.doc(
            "network-policy",
            &NetworkPolicy {
                meta: deny,
                match_labels: sel,
                pods: Vec::new(),
                allow: None,
            },
        )?);
        for (kind, name, pods, ports, workers) in data {
            let mut meta = self.meta(&format!("allow-{kind}-{name}"), "network-policy");
            let mut tiers = vec![TIER_WEB];
            if workers {
                tiers.push(TIER_WORKER);
            }
            meta.notes.push(format!(
                "{kind} \"{name}\": reachable from the {} pods, and from its own pods (replication).",
                tiers.join(" and ")
            ));
            docs.push_str(&self.doc(
                "network-policy",
                &NetworkPolicy {
                    meta,
                    match_labels: Map::new(),
                    pods,
                    allow: Some(Allow { tiers, ports }),
                },
            )?);
        }
        Ok(Some(File {
            path: "01-network-policy.yaml".into(),
            intro: vec![
                "Only the application tiers (web and workers) may reach the data tier.".into(),
                "NetworkPolicies need a network plugin that enforces them (Calico, Cilium, ...)."
                    .into(),
            ],
            docs: vec![docs],
        }))
    }
}
