//! The picture as a graph, independent of the output format: nodes, nested
//! groups and edges, plus the row each top-level item belongs to (which only
//! the SVG layout reads; Mermaid and DOT lay out by themselves).
//!
//! Here the graph's types; [`build`] draws a stage's components into one, and
//! `data` the part about the data stores (its row, the databases' frames and
//! the edges the web tier sends to them).

mod build;
mod data;

pub use build::build;

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
    /// The stage's figures for the legend: availability on AWS (`archc
    /// analyze`), the users it carries with the tier that saturates first and
    /// the monthly AWS cost (`archc estimate`); the ones that apply, `·`-joined.
    pub figures: String,
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
