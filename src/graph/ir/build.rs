//! Drawing a stage's components into a [`Graph`], a step per part of the
//! picture from top to bottom; the data stores' steps are in `data`.

use super::*;
use crate::model::{
    Cache, CacheEngine, DbEngine, Evict, LbEngine, LbMethod, Model, QueueEngine, Web, WebState,
};
use std::collections::BTreeSet;

/// `s` as an id: `[a-z0-9_]`, which Mermaid and DOT take unquoted.
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

/// The graph so far. Every id it hands out is unique: a clash (two names
/// that differ only in characters an id cannot hold) gets a `_2` suffix.
pub(super) struct Builder {
    pub(super) nodes: Vec<Node>,
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

    pub(super) fn node(
        &mut self,
        kind: Kind,
        id: &str,
        title: impl Into<String>,
        lines: Vec<String>,
    ) -> Item {
        let id = self.unique(ident(id));
        self.nodes.push(Node {
            id,
            kind,
            title: title.into(),
            lines: lines.into_iter().filter(|l| !l.is_empty()).collect(),
        });
        Item::Node(self.nodes.len() - 1)
    }

    pub(super) fn group(
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

    pub(super) fn edge(&mut self, from: Item, to: Item, label: impl Into<String>, style: Style) {
        self.edges.push(Edge {
            from,
            to,
            label: label.into(),
            style,
        });
    }
}

/// The web tier as drawn, for the steps after it.
pub(super) struct WebTier {
    /// Each web tier's node, in model order.
    pub(super) items: Vec<Item>,
    /// What runs on the first web tier's host: the colocated databases, then
    /// the colocated caches.
    pub(super) colocated: Vec<Item>,
    /// Every cache's node, by name, in model order.
    pub(super) caches: Vec<(String, Item)>,
    /// What edges to the data leave from: the frame around several tiers (or
    /// a tier and its host), else the one tier.
    source: Option<Item>,
}

/// The graph of one stage. The steps run in drawing order, which is also the
/// order of the nodes, groups and edges (and so of ids made unique by a
/// suffix); they must not be reordered.
pub fn build(m: &Model) -> Graph {
    let mut b = Builder {
        nodes: Vec::new(),
        groups: Vec::new(),
        edges: Vec::new(),
        ids: BTreeSet::new(),
    };
    let mut rows = Rows::default();
    let users = b.clients(m, &mut rows);
    let lbs = b.load_balancers(m, &mut rows);
    let web = b.web_tier(m, &mut rows);
    b.request_edges(m, users, &lbs, &web.items);
    let nosqls = b.data_row(m, &web.caches, &mut rows);
    let dbs = b.databases(m, &web.colocated, &mut rows);
    if let Some(src) = web.source {
        b.data_edges(m, src, &web, &nosqls, &dbs);
    }
    b.queues_and_workers(m, web.source, &mut rows);
    let mut root = b.datacenters(m, users, &mut rows);
    b.ops(m, &mut rows, &mut root);
    let region = match &m.datacenters {
        Some(d) => format!("data centers {}", d.regions.join(", ")),
        None => format!("region {}", m.region),
    };
    Graph {
        title: format!("{} · stage {}", m.system, m.stage),
        subtitle: format!("{} · {region}", m.source_name),
        figures: figures(m),
        nodes: b.nodes,
        groups: b.groups,
        edges: b.edges,
        root,
        rows,
    }
}

/// The legend's figures: what `archc analyze` and `archc estimate` say of
/// the stage with their defaults (terraform's deployment, built-in prices).
fn figures(m: &Model) -> String {
    use crate::analyze::{assume::Assumptions, availability};
    let a = availability::estimate(m, availability::Deploy::Terraform, &Assumptions::default());
    let mut parts = vec![format!(
        "availability {} on AWS",
        availability::percent(a.site)
    )];
    let mut e = crate::estimate::estimate(m, None);
    if let (Some(users), Some(tier)) = (e.users_supported, &e.bottleneck) {
        // Tiers that saturate at the same load are all named.
        let mut first = vec![tier.as_str()];
        first.extend(e.also_saturating.iter().map(String::as_str));
        parts.push(format!(
            "carries {} users ({} first)",
            crate::estimate::num(users),
            first.join(" and ")
        ));
    }
    if crate::estimate::add_cost(&mut e, m, crate::cost::builtin_prices()).is_ok() {
        if let Some(usd) = e.monthly_cost_usd {
            parts.push(format!("${usd:.2} a month"));
        }
    }
    parts.join(" · ")
}

impl Builder {
    /// Clients, DNS and the CDNs (the top row). Returns the users' node.
    fn clients(&mut self, m: &Model, rows: &mut Rows) -> Item {
        let geodns = m.datacenters.as_ref().is_some_and(|d| d.geodns);
        let dns = self.node(
            Kind::Dns,
            "dns",
            "DNS",
            vec![if geodns {
                "geo DNS".into()
            } else {
                String::new()
            }],
        );
        let users = self.node(
            Kind::Users,
            "users",
            "users",
            vec!["web browser · mobile app".into()],
        );
        rows.top = vec![dns, users];
        self.edge(
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
            let node = self.node(
                Kind::Cdn,
                &format!("cdn_{}", c.name),
                title,
                vec![detail.join(" · ")],
            );
            self.edge(users, node, c.paths.join(", "), Style::Solid);
            rows.top.push(node);
        }
        users
    }

    /// The load balancers' row. Returns each one's node by name.
    fn load_balancers(&mut self, m: &Model, rows: &mut Rows) -> Vec<(String, Item)> {
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
            let item = self.node(Kind::Lb, &format!("lb_{}", lb.name), &lb.name, vec![line]);
            lb_items.push((lb.name.clone(), item));
            rows.lbs.push(item);
        }
        lb_items
    }

    /// The web tiers' row, with the colocated stores on the first one's host.
    /// Every cache's node is made here, colocated or not, so that the
    /// colocated ones can go on the host.
    fn web_tier(&mut self, m: &Model, rows: &mut Rows) -> WebTier {
        let items: Vec<Item> = m.webs.iter().map(|w| self.web_node(w)).collect();
        let mut colocated = Vec::new();
        for db in m.dbs.iter().filter(|d| d.colocated) {
            let engine = db_engine(db.engine);
            colocated.push(self.node(
                Kind::Db,
                &format!("db_{}", db.name),
                &db.name,
                vec![format!("{engine} · {} GB", db.storage_gb)],
            ));
        }
        let mut caches = Vec::new();
        for c in &m.caches {
            let item = self.cache_node(c);
            caches.push((c.name.clone(), item));
            if c.colocated {
                colocated.push(item);
            }
        }
        let web_row: Vec<Item> = if !colocated.is_empty() && !items.is_empty() {
            // The colocated database left of the web server, caches to its right,
            // so that every edge inside the host is short and horizontal.
            let n_db = m.dbs.iter().filter(|d| d.colocated).count();
            let mut on_host = colocated[..n_db].to_vec();
            on_host.push(items[0]);
            on_host.extend(&colocated[n_db..]);
            let host = self.group(GroupKind::Host, "host", "one server", on_host);
            let mut row = vec![host];
            row.extend(&items[1..]);
            row
        } else {
            items.clone()
        };
        // Several tiers (or a tier with its host) talk to the data as one tier.
        // A host talks to what is not on it as a whole.
        let source = if web_row.len() > 1 {
            let g = self.group(GroupKind::WebTier, "web_tier", "web tier", web_row.clone());
            rows.webs = vec![g];
            Some(g)
        } else {
            rows.webs = web_row.clone();
            web_row.first().copied()
        };
        WebTier {
            items,
            colocated,
            caches,
            source,
        }
    }

    fn web_node(&mut self, w: &Web) -> Item {
        let state = match w.state {
            WebState::Stateless => "stateless",
            WebState::Stateful => "stateful",
        };
        let count = match &w.autoscale {
            Some(a) => format!("autoscale {}..{} at cpu {}%", a.min, a.max, a.cpu_percent),
            None if w.count == 1 => "1 server".to_string(),
            None => format!("{} servers", w.count),
        };
        self.node(
            Kind::Web,
            &format!("web_{}", w.name),
            &w.name,
            vec![format!("web · {state} · :{}", w.port), count],
        )
    }

    fn cache_node(&mut self, c: &Cache) -> Item {
        let mut parts = vec![match c.engine {
            CacheEngine::Redis => "redis".to_string(),
            CacheEngine::Memcached => "memcached".to_string(),
        }];
        if let Some(t) = c.ttl_seconds {
            parts.push(format!("ttl {}", duration(t)));
        }
        if let Some(e) = c.evict {
            parts.push(
                match e {
                    Evict::Lru => "lru",
                    Evict::Lfu => "lfu",
                    Evict::None => "no eviction",
                }
                .to_string(),
            );
        }
        let mut lines = vec![parts.join(" · ")];
        if c.colocated {
            lines.push("on the web host".into());
        } else {
            lines.push(if c.count == 1 {
                "1 node".into()
            } else {
                format!("{} nodes", c.count)
            });
        }
        self.node(Kind::Cache, &format!("cache_{}", c.name), &c.name, lines)
    }

    /// Requests: users to each web tier not behind a load balancer and to
    /// every load balancer, each load balancer to its backends.
    fn request_edges(&mut self, m: &Model, users: Item, lbs: &[(String, Item)], webs: &[Item]) {
        for (i, w) in m.webs.iter().enumerate() {
            if w.lb.is_none() {
                self.edge(users, webs[i], "HTTP", Style::Solid);
            }
        }
        for &(_, lb) in lbs {
            self.edge(users, lb, "HTTP", Style::Solid);
        }
        for lb in &m.lbs {
            let from = lbs.iter().find(|(n, _)| *n == lb.name).map(|x| x.1);
            for be in &lb.backends {
                if let (Some(from), Some(i)) = (from, m.webs.iter().position(|w| w.name == *be)) {
                    self.edge(from, webs[i], "", Style::Solid);
                }
            }
        }
    }

    /// Each queue (fed jobs by the web tier) with the workers that consume
    /// it; workers whose queue is not in the stage stand apart.
    fn queues_and_workers(&mut self, m: &Model, web_source: Option<Item>, rows: &mut Rows) {
        let mut queue_items = Vec::new();
        for q in &m.queues {
            let engine = match q.engine {
                QueueEngine::Rabbitmq => "rabbitmq",
                QueueEngine::Redis => "redis",
                QueueEngine::Sqs => "sqs",
            };
            let item = self.node(
                Kind::Queue,
                &format!("queue_{}", q.name),
                &q.name,
                vec![format!("queue · {engine}")],
            );
            if let Some(src) = web_source {
                self.edge(src, item, "jobs", Style::Solid);
            }
            queue_items.push((q.name.clone(), item, Vec::new()));
        }
        for w in &m.workers {
            let count = if w.count == 1 {
                "1 worker".to_string()
            } else {
                format!("{} workers", w.count)
            };
            let item = self.node(
                Kind::Worker,
                &format!("worker_{}", w.name),
                &w.name,
                vec![count],
            );
            match queue_items.iter_mut().find(|(n, _, _)| *n == w.queue) {
                Some((_, q, ws)) => {
                    self.edge(*q, item, "consume", Style::Solid);
                    ws.push(item);
                }
                None => rows.orphans.push(item),
            }
        }
        rows.side = queue_items.into_iter().map(|(_, q, ws)| (q, ws)).collect();
    }

    /// The top level of the picture: the top row, then the stack, framed as
    /// the primary data center when the stage has several, with a box for
    /// each of the others.
    fn datacenters(&mut self, m: &Model, users: Item, rows: &mut Rows) -> Vec<Item> {
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
                let dc = self.group(
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
                    let n = self.node(
                        Kind::Datacenter,
                        &format!("dc_{r}"),
                        format!("data center {r}"),
                        vec![format!("same stack as {}", dcs.regions[0])],
                    );
                    self.edge(users, n, "HTTP", Style::Solid);
                    rows.other_dcs.push(n);
                    root.push(n);
                }
            }
            _ => root.extend(stack),
        }
        root
    }

    /// Logs and metrics, framed together at the bottom.
    fn ops(&mut self, m: &Model, rows: &mut Rows, root: &mut Vec<Item>) {
        let mut ops = Vec::new();
        if m.logs.is_some() {
            ops.push(self.node(Kind::Ops, "logs", "logs", vec!["from every host".into()]));
        }
        if m.metrics.is_some() {
            ops.push(self.node(
                Kind::Ops,
                "metrics",
                "metrics",
                vec!["from every host".into()],
            ));
        }
        if !ops.is_empty() {
            let g = self.group(GroupKind::Ops, "ops", "ops", ops);
            rows.ops = Some(g);
            root.push(g);
        }
    }
}

pub(super) fn db_engine(e: DbEngine) -> &'static str {
    match e {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    }
}
