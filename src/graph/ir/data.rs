//! The data stores in the picture: the row of caches and NoSQL stores, the
//! databases (a frame per shard: primary, replication, read replicas), and
//! the edges from the web tier to each, labelled with what they carry.

use super::build::{db_engine, Builder, WebTier};
use super::*;
use crate::model::{Db, Model, NosqlEngine, StoreKind};

/// How a web tier reaches one database: where writes go and where reads go.
pub(super) struct DbTargets {
    /// (primary, replicas group) per shard.
    shards: Vec<(Item, Option<Item>)>,
}

impl Builder {
    /// The data row: the caches not on the web host, then the NoSQL stores.
    /// Returns each NoSQL store's node by name.
    pub(super) fn data_row(
        &mut self,
        m: &Model,
        caches: &[(String, Item)],
        rows: &mut Rows,
    ) -> Vec<(String, Item)> {
        for (c, (_, item)) in m.caches.iter().zip(caches) {
            if !c.colocated {
                rows.data.push(*item);
            }
        }
        let mut nosql_items = Vec::new();
        for n in &m.nosqls {
            let engine = match n.engine {
                NosqlEngine::Dynamodb => "dynamodb",
                NosqlEngine::Mongodb => "mongodb",
            };
            let count = if n.count == 1 {
                "1 node".to_string()
            } else {
                format!("{} nodes", n.count)
            };
            let item = self.node(
                Kind::Nosql,
                &format!("nosql_{}", n.name),
                &n.name,
                vec![format!("nosql · {engine}"), count],
            );
            nosql_items.push((n.name.clone(), item));
            rows.data.push(item);
        }
        nosql_items
    }

    /// The databases' row (the colocated ones are on the web host already).
    /// Returns where each database's writes and reads go, by name.
    pub(super) fn databases(
        &mut self,
        m: &Model,
        colocated: &[Item],
        rows: &mut Rows,
    ) -> Vec<(String, DbTargets)> {
        let mut db_targets = Vec::new();
        let mut co = colocated.iter();
        for db in &m.dbs {
            if db.colocated {
                let item = *co.next().expect("one node per colocated db");
                db_targets.push((
                    db.name.clone(),
                    DbTargets {
                        shards: vec![(item, None)],
                    },
                ));
                continue;
            }
            let (item, targets) = self.db_item(db);
            rows.dbs.push(item);
            db_targets.push((db.name.clone(), targets));
        }
        db_targets
    }

    /// Edges from the web tier (`src`) to the data. A store that keeps the
    /// sessions of every tier gets one `sessions` edge; otherwise the tier's
    /// own edge.
    pub(super) fn data_edges(
        &mut self,
        m: &Model,
        src: Item,
        web: &WebTier,
        nosqls: &[(String, Item)],
        dbs: &[(String, DbTargets)],
    ) {
        let session_of = |kind: StoreKind, name: &str| -> Vec<usize> {
            m.webs
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    w.sessions
                        .as_ref()
                        .is_some_and(|s| s.kind == kind && s.name == name)
                })
                .map(|(i, _)| i)
                .collect()
        };
        let all = m.webs.len();
        let data_edge = |b: &mut Builder, kind: StoreKind, name: &str, to: Item, label: &str| {
            let tiers = session_of(kind, name);
            // What runs on the web host is reached from the web server.
            let src = if web.colocated.contains(&to) {
                web.items[0]
            } else {
                src
            };
            if !tiers.is_empty() && tiers.len() == all {
                b.edge(src, to, format!("{label}, sessions"), Style::Solid);
                return;
            }
            b.edge(src, to, label, Style::Solid);
            for i in tiers {
                b.edge(web.items[i], to, "sessions", Style::Solid);
            }
        };
        for (name, item) in &web.caches {
            data_edge(self, StoreKind::Cache, name, *item, "cache");
        }
        for (name, item) in nosqls {
            data_edge(self, StoreKind::Nosql, name, *item, "documents");
        }
        for (name, t) in dbs {
            for &(primary, replicas) in &t.shards {
                let label = if replicas.is_some() {
                    "writes"
                } else {
                    "reads, writes"
                };
                data_edge(self, StoreKind::Db, name, primary, label);
                if let Some(r) = replicas {
                    self.edge(src, r, "reads", Style::Solid);
                }
            }
        }
    }

    /// A database outside the web host: a node for each primary and replica,
    /// in a frame per shard and one around the whole when it is sharded or
    /// replicated; a lone instance is a plain node.
    fn db_item(&mut self, db: &Db) -> (Item, DbTargets) {
        let engine = db_engine(db.engine);
        let shards = self.shards(db, engine);
        // What each shard's frame holds: its primary, then its replicas.
        let mut shard_items: Vec<Vec<Item>> = shards
            .iter()
            .map(|&(primary, replicas)| {
                let mut items = vec![primary];
                items.extend(replicas);
                items
            })
            .collect();
        let size = format!("{engine} · {} GB", db.storage_gb);
        let name = if db.name == "db" {
            "db".to_string()
        } else {
            format!("db {}", db.name)
        };
        let item = if db.shard_count > 1 {
            let key = db.shard_key.as_deref().unwrap_or("?");
            let groups: Vec<Item> = shard_items
                .into_iter()
                .zip(&db.shards)
                .map(|(items, s)| {
                    self.group(
                        GroupKind::Shard,
                        &format!("{}_shard_{}", db.name, s.index),
                        format!("shard {} of {}", s.index, db.shard_count),
                        items,
                    )
                })
                .collect();
            self.group(
                GroupKind::Db,
                &format!("db_{}", db.name),
                format!("{name} · {size} · sharded by {key}"),
                groups,
            )
        } else if db.replicas > 0 {
            let items = shard_items.pop().unwrap_or_default();
            self.group(
                GroupKind::Db,
                &format!("db_{}", db.name),
                format!("{name} · {size}"),
                items,
            )
        } else {
            // One instance, no frame: name the size on the node itself.
            let primary = shards[0].0;
            if let Item::Node(n) = primary {
                self.nodes[n].lines = vec![size];
            }
            primary
        };
        (item, DbTargets { shards })
    }

    /// Each shard's primary and its read replicas (in a frame of their own,
    /// with a replication edge from the primary to each): the (primary,
    /// replicas frame) of each shard.
    fn shards(&mut self, db: &Db, engine: &str) -> Vec<(Item, Option<Item>)> {
        let mut shards = Vec::new();
        for s in &db.shards {
            let primary = self.node(
                Kind::Db,
                &format!("db_{}", s.primary),
                &s.primary,
                vec![format!("primary · {engine}")],
            );
            let replicas = if s.replicas.is_empty() {
                None
            } else {
                let rs: Vec<Item> = s
                    .replicas
                    .iter()
                    .map(|r| {
                        self.node(
                            Kind::Replica,
                            &format!("db_{r}"),
                            r,
                            vec!["read replica".into()],
                        )
                    })
                    .collect();
                for &r in &rs {
                    self.edge(primary, r, "replication", Style::Dashed);
                }
                let title = if rs.len() == 1 {
                    "read replica".to_string()
                } else {
                    format!("{} read replicas", rs.len())
                };
                Some(self.group(
                    GroupKind::Replicas,
                    &format!("{}_replicas", s.primary),
                    title,
                    rs,
                ))
            };
            shards.push((primary, replicas));
        }
        shards
    }
}
