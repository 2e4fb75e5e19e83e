//! The picture as a graph, independent of the output format: nodes, nested
//! groups and edges, plus the row each top-level item belongs to (which only
//! the SVG layout reads; Mermaid and DOT lay out by themselves).

use crate::model::{
    CacheEngine, Db, DbEngine, Evict, LbEngine, LbMethod, Model, NosqlEngine, QueueEngine,
    StoreKind, WebState,
};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Users,
    Dns,
    Cdn,
    Lb,
    Web,
    Cache,
    Db,
    Replica,
    Nosql,
    Queue,
    Worker,
    Ops,
    Datacenter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// The primary data center: the stage's components.
    Datacenter,
    /// Several web tiers, drawn as one tier that talks to the data.
    WebTier,
    /// One server that runs the web tier and its colocated stores.
    Host,
    /// A database component (replicated or sharded).
    Db,
    /// One shard: its primary and its replicas.
    Shard,
    /// The read replicas of one shard.
    Replicas,
    /// Logs and metrics.
    Ops,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// Unique, `[a-z0-9_]+`, starts with a letter.
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub kind: GroupKind,
    pub title: String,
    pub items: Vec<Item>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Node(usize),
    Group(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A request.
    Solid,
    /// Replication and other background traffic.
    Dashed,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: Item,
    pub to: Item,
    pub label: String,
    pub style: Style,
}

/// Where the SVG layout puts the top-level items.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// Users, DNS, CDNs.
    pub top: Vec<Item>,
    /// The primary data center frame around the stack, when there are several.
    pub dc: Option<usize>,
    pub lbs: Vec<Item>,
    pub webs: Vec<Item>,
    /// Caches and NoSQL stores (the session stores among them).
    pub data: Vec<Item>,
    pub dbs: Vec<Item>,
    /// Each queue with the workers that consume it.
    pub side: Vec<(Item, Vec<Item>)>,
    /// Workers whose queue is not in the stage.
    pub orphans: Vec<Item>,
    /// The other data centers.
    pub other_dcs: Vec<Item>,
    pub ops: Option<Item>,
}

#[derive(Clone, Debug)]
pub struct Graph {
    /// `shop · stage balanced (3 of 8)`.
    pub title: String,
    /// `examples/journey.arch · region us-east-1`.
    pub subtitle: String,
    pub nodes: Vec<Node>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
    /// The group tree's top level, in drawing order.
    pub root: Vec<Item>,
    pub rows: Rows,
}

impl Graph {
    pub fn item_id(&self, i: Item) -> &str {
        match i {
            Item::Node(n) => &self.nodes[n].id,
            Item::Group(g) => &self.groups[g].id,
        }
    }

    /// Every node inside an item, depth first.
    pub fn nodes_in(&self, i: Item) -> Vec<usize> {
        match i {
            Item::Node(n) => vec![n],
            Item::Group(g) => self.groups[g]
                .items
                .iter()
                .flat_map(|&c| self.nodes_in(c))
                .collect(),
        }
    }
}

/// Seconds as the design writes them: `90s`, `10m`, `1h`, `7d`.
pub fn duration(s: u64) -> String {
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s >= n && s.is_multiple_of(n) {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

struct Builder {
    nodes: Vec<Node>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
    ids: BTreeSet<String>,
}

impl Builder {
    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while !self.ids.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }

    fn node(&mut self, kind: Kind, id: &str, title: impl Into<String>, lines: Vec<String>) -> Item {
        let id = self.unique(ident(id));
        self.nodes.push(Node {
            id,
            kind,
            title: title.into(),
            lines: lines.into_iter().filter(|l| !l.is_empty()).collect(),
        });
        Item::Node(self.nodes.len() - 1)
    }

    fn group(
        &mut self,
        kind: GroupKind,
        id: &str,
        title: impl Into<String>,
        items: Vec<Item>,
    ) -> Item {
        let id = self.unique(format!("cluster_{}", ident(id)));
        self.groups.push(Group {
            id,
            kind,
            title: title.into(),
            items,
        });
        Item::Group(self.groups.len() - 1)
    }

    fn edge(&mut self, from: Item, to: Item, label: impl Into<String>, style: Style) {
        self.edges.push(Edge {
            from,
            to,
            label: label.into(),
            style,
        });
    }
}

/// How a web tier reaches one database: where writes go and where reads go.
struct DbTargets {
    /// (primary, replicas group) per shard.
    shards: Vec<(Item, Option<Item>)>,
}

fn db_item(b: &mut Builder, db: &Db) -> (Item, DbTargets) {
    let engine = match db.engine {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    };
    let mut shards = Vec::new();
    let mut shard_items = Vec::new();
    for s in &db.shards {
        let primary = b.node(
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
                    b.node(
                        Kind::Replica,
                        &format!("db_{r}"),
                        r,
                        vec!["read replica".into()],
                    )
                })
                .collect();
            for &r in &rs {
                b.edge(primary, r, "replication", Style::Dashed);
            }
            let title = if rs.len() == 1 {
                "read replica".to_string()
            } else {
                format!("{} read replicas", rs.len())
            };
            Some(b.group(
                GroupKind::Replicas,
                &format!("{}_replicas", s.primary),
                title,
                rs,
            ))
        };
        shards.push((primary, replicas));
        let mut items = vec![primary];
        items.extend(replicas);
        shard_items.push(items);
    }
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
                b.group(
                    GroupKind::Shard,
                    &format!("{}_shard_{}", db.name, s.index),
                    format!("shard {} of {}", s.index, db.shard_count),
                    items,
                )
            })
            .collect();
        b.group(
            GroupKind::Db,
            &format!("db_{}", db.name),
            format!("{name} · {size} · sharded by {key}"),
            groups,
        )
    } else if db.replicas > 0 {
        let items = shard_items.pop().unwrap_or_default();
        b.group(
            GroupKind::Db,
            &format!("db_{}", db.name),
            format!("{name} · {size}"),
            items,
        )
    } else {
        // One instance, no frame: name the size on the node itself.
        let primary = shards[0].0;
        if let Item::Node(n) = primary {
            b.nodes[n].lines = vec![size];
        }
        primary
    };
    (item, DbTargets { shards })
}

pub fn build(m: &Model) -> Graph {
    let mut b = Builder {
        nodes: Vec::new(),
        groups: Vec::new(),
        edges: Vec::new(),
        ids: BTreeSet::new(),
    };
    let mut rows = Rows::default();
    let geodns = m.datacenters.as_ref().is_some_and(|d| d.geodns);

    // --- Clients, DNS, CDN.
    let dns = b.node(
        Kind::Dns,
        "dns",
        "DNS",
        vec![if geodns {
            "geo DNS".into()
        } else {
            String::new()
        }],
    );
    let users = b.node(
        Kind::Users,
        "users",
        "users",
        vec!["web browser · mobile app".into()],
    );
    rows.top = vec![dns, users];
    b.edge(
        users,
        dns,
        if geodns { "nearest DC" } else { "lookup" },
        Style::Solid,
    );
    for c in &m.cdns {
        let mut detail = Vec::new();
        if let Some(t) = c.ttl_seconds {
            detail.push(format!("ttl {}", duration(t)));
        }
        if c.versioned {
            detail.push("versioned".into());
        }
        let title = if c.name == "cdn" {
            "CDN".to_string()
        } else {
            format!("CDN {}", c.name)
        };
        let node = b.node(
            Kind::Cdn,
            &format!("cdn_{}", c.name),
            title,
            vec![detail.join(" · ")],
        );
        b.edge(users, node, c.paths.join(", "), Style::Solid);
        rows.top.push(node);
    }

    // --- Load balancers.
    let mut lb_items = Vec::new();
    for lb in &m.lbs {
        let engine = match lb.engine {
            LbEngine::Nginx => "nginx",
            LbEngine::Haproxy => "haproxy",
        };
        let method = match lb.method {
            LbMethod::RoundRobin => "round-robin",
            LbMethod::LeastConn => "least-conn",
            LbMethod::IpHash => "ip-hash",
        };
        let mut line = format!("load balancer · {engine} · {method}");
        if lb.sticky {
            line.push_str(" · sticky");
        }
        let item = b.node(Kind::Lb, &format!("lb_{}", lb.name), &lb.name, vec![line]);
        lb_items.push((lb.name.clone(), item));
        rows.lbs.push(item);
    }

    // --- Web tiers, with the colocated stores on the first one's host.
    let mut web_items = Vec::new();
    for w in &m.webs {
        let state = match w.state {
            WebState::Stateless => "stateless",
            WebState::Stateful => "stateful",
        };
        let count = match &w.autoscale {
            Some(a) => format!("autoscale {}..{} at cpu {}%", a.min, a.max, a.cpu_percent),
            None if w.count == 1 => "1 server".to_string(),
            None => format!("{} servers", w.count),
        };
        let item = b.node(
            Kind::Web,
            &format!("web_{}", w.name),
            &w.name,
            vec![format!("web · {state} · :{}", w.port), count],
        );
        web_items.push(item);
    }
    let mut colocated = Vec::new();
    for db in m.dbs.iter().filter(|d| d.colocated) {
        let engine = match db.engine {
            DbEngine::Postgres => "postgres",
            DbEngine::Mysql => "mysql",
        };
        colocated.push(b.node(
            Kind::Db,
            &format!("db_{}", db.name),
            &db.name,
            vec![format!("{engine} · {} GB", db.storage_gb)],
        ));
    }
    let cache_line = |engine: CacheEngine, ttl: Option<u64>, evict: Option<Evict>| {
        let mut parts = vec![match engine {
            CacheEngine::Redis => "redis".to_string(),
            CacheEngine::Memcached => "memcached".to_string(),
        }];
        if let Some(t) = ttl {
            parts.push(format!("ttl {}", duration(t)));
        }
        if let Some(e) = evict {
            parts.push(
                match e {
                    Evict::Lru => "lru",
                    Evict::Lfu => "lfu",
                    Evict::None => "no eviction",
                }
                .to_string(),
            );
        }
        parts.join(" · ")
    };
    let mut cache_items = Vec::new();
    for c in &m.caches {
        let mut lines = vec![cache_line(c.engine, c.ttl_seconds, c.evict)];
        if c.colocated {
            lines.push("on the web host".into());
        } else {
            lines.push(if c.count == 1 {
                "1 node".into()
            } else {
                format!("{} nodes", c.count)
            });
        }
        let item = b.node(Kind::Cache, &format!("cache_{}", c.name), &c.name, lines);
        cache_items.push((c.name.clone(), item));
        if c.colocated {
            colocated.push(item);
        }
    }
    let web_row: Vec<Item> = if !colocated.is_empty() && !web_items.is_empty() {
        // The colocated database left of the web server, caches to its right,
        // so that every edge inside the host is short and horizontal.
        let n_db = m.dbs.iter().filter(|d| d.colocated).count();
        let mut items = colocated[..n_db].to_vec();
        items.push(web_items[0]);
        items.extend(&colocated[n_db..]);
        let host = b.group(GroupKind::Host, "host", "one server", items);
        let mut row = vec![host];
        row.extend(&web_items[1..]);
        row
    } else {
        web_items.clone()
    };
    // Several tiers (or a tier with its host) talk to the data as one tier.
    // A host talks to what is not on it as a whole.
    let web_source = if web_row.len() > 1 {
        let g = b.group(GroupKind::WebTier, "web_tier", "web tier", web_row.clone());
        rows.webs = vec![g];
        Some(g)
    } else {
        rows.webs = web_row.clone();
        web_row.first().copied()
    };

    for (i, w) in m.webs.iter().enumerate() {
        if w.lb.is_none() {
            b.edge(users, web_items[i], "HTTP", Style::Solid);
        }
    }
    for &(_, lb) in &lb_items {
        b.edge(users, lb, "HTTP", Style::Solid);
    }
    for lb in &m.lbs {
        let from = lb_items.iter().find(|(n, _)| *n == lb.name).map(|x| x.1);
        for be in &lb.backends {
            if let (Some(from), Some(i)) = (from, m.webs.iter().position(|w| w.name == *be)) {
                b.edge(from, web_items[i], "", Style::Solid);
            }
        }
    }

    // --- Data row: caches (not colocated) and NoSQL stores.
    let mut nosql_items = Vec::new();
    for (c, (_, item)) in m.caches.iter().zip(&cache_items) {
        if !c.colocated {
            rows.data.push(*item);
        }
    }
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
        let item = b.node(
            Kind::Nosql,
            &format!("nosql_{}", n.name),
            &n.name,
            vec![format!("nosql · {engine}"), count],
        );
        nosql_items.push((n.name.clone(), item));
        rows.data.push(item);
    }

    // --- Databases.
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
        let (item, targets) = db_item(&mut b, db);
        rows.dbs.push(item);
        db_targets.push((db.name.clone(), targets));
    }

    // --- Data edges from the web tier. A store that keeps the sessions of
    // every tier gets one `sessions` edge; otherwise the tier's own edge.
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
    if let Some(src) = web_source {
        let all = m.webs.len();
        let data_edge = |b: &mut Builder, kind: StoreKind, name: &str, to: Item, label: &str| {
            let tiers = session_of(kind, name);
            // What runs on the web host is reached from the web server.
            let src = if colocated.contains(&to) {
                web_items[0]
            } else {
                src
            };
            if !tiers.is_empty() && tiers.len() == all {
                b.edge(src, to, format!("{label}, sessions"), Style::Solid);
                return;
            }
            b.edge(src, to, label, Style::Solid);
            for i in tiers {
                b.edge(web_items[i], to, "sessions", Style::Solid);
            }
        };
        for (name, item) in &cache_items {
            data_edge(&mut b, StoreKind::Cache, name, *item, "cache");
        }
        for (name, item) in &nosql_items {
            data_edge(&mut b, StoreKind::Nosql, name, *item, "documents");
        }
        for (name, t) in &db_targets {
            for &(primary, replicas) in &t.shards {
                let label = if replicas.is_some() {
                    "writes"
                } else {
                    "reads, writes"
                };
                data_edge(&mut b, StoreKind::Db, name, primary, label);
                if let Some(r) = replicas {
                    b.edge(src, r, "reads", Style::Solid);
                }
            }
        }
    }

    // --- Queues and workers.
    let mut queue_items = Vec::new();
    for q in &m.queues {
        let engine = match q.engine {
            QueueEngine::Rabbitmq => "rabbitmq",
            QueueEngine::Redis => "redis",
            QueueEngine::Sqs => "sqs",
        };
        let item = b.node(
            Kind::Queue,
            &format!("queue_{}", q.name),
            &q.name,
            vec![format!("queue · {engine}")],
        );
        if let Some(src) = web_source {
            b.edge(src, item, "jobs", Style::Solid);
        }
        queue_items.push((q.name.clone(), item, Vec::new()));
    }
    for w in &m.workers {
        let count = if w.count == 1 {
            "1 worker".to_string()
        } else {
            format!("{} workers", w.count)
        };
        let item = b.node(
            Kind::Worker,
            &format!("worker_{}", w.name),
            &w.name,
            vec![count],
        );
        match queue_items.iter_mut().find(|(n, _, _)| *n == w.queue) {
            Some((_, q, ws)) => {
                b.edges.push(Edge {
                    from: *q,
                    to: item,
                    label: "consume".into(),
                    style: Style::Solid,
                });
                ws.push(item);
            }
            None => rows.orphans.push(item),
        }
    }
    rows.side = queue_items.into_iter().map(|(_, q, ws)| (q, ws)).collect();

    // --- Data centers.
    let mut stack: Vec<Item> = Vec::new();
    stack.extend(&rows.lbs);
    stack.extend(&rows.webs);
    stack.extend(&rows.data);
    stack.extend(&rows.dbs);
    for (q, ws) in &rows.side {
        stack.push(*q);
        stack.extend(ws);
    }
    stack.extend(&rows.orphans);
    let mut root = rows.top.clone();
    match &m.datacenters {
        Some(dcs) if !dcs.regions.is_empty() => {
            let dc = b.group(
                GroupKind::Datacenter,
                &format!("dc_{}", dcs.regions[0]),
                format!("data center {} (primary)", dcs.regions[0]),
                stack,
            );
            rows.dc = match dc {
                Item::Group(g) => Some(g),
                Item::Node(_) => None,
            };
            root.push(dc);
            for r in &dcs.regions[1..] {
                let n = b.node(
                    Kind::Datacenter,
                    &format!("dc_{r}"),
                    format!("data center {r}"),
                    vec![format!("same stack as {}", dcs.regions[0])],
                );
                b.edge(users, n, "HTTP", Style::Solid);
                rows.other_dcs.push(n);
                root.push(n);
            }
        }
        _ => root.extend(stack),
    }

    // --- Ops.
    let mut ops = Vec::new();
    if m.logs.is_some() {
        ops.push(b.node(Kind::Ops, "logs", "logs", vec!["from every host".into()]));
    }
    if m.metrics.is_some() {
        ops.push(b.node(
            Kind::Ops,
            "metrics",
            "metrics",
            vec!["from every host".into()],
        ));
    }
    if !ops.is_empty() {
        let g = b.group(GroupKind::Ops, "ops", "ops", ops);
        rows.ops = Some(g);
        root.push(g);
    }

    let region = match &m.datacenters {
        Some(d) => format!("data centers {}", d.regions.join(", ")),
        None => format!("region {}", m.region),
    };
    Graph {
        title: format!("{} · stage {}", m.system, m.stage),
        subtitle: format!("{} · {region}", m.source_name),
        nodes: b.nodes,
        groups: b.groups,
        edges: b.edges,
        root,
        rows,
    }
}
