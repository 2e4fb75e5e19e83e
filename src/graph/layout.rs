//! A deterministic layered layout for the SVG picture.
//!
//! Rows from top to bottom: clients, DNS and CDNs; load balancers; the web
//! tier; caches and NoSQL stores; databases (a frame per shard, side by side).
//! Queues with their workers stand to the right of the stack, level with the
//! web tier; other data centers to the right of the primary one; logs and
//! metrics at the bottom. Boxes are sized to their text by a fixed
//! per-character width estimate; nothing is measured, so the output is a
//! function of the graph alone.
//!
//! The result is a [`Scene`]: every box, text, edge path and label as
//! rectangles in integer pixels, which the SVG writer draws and the tests
//! check for overlaps.

use super::ir::{Graph, GroupKind, Item, Kind, Style};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }
    pub fn cx(&self) -> i32 {
        self.x + self.w / 2
    }
    pub fn cy(&self) -> i32 {
        self.y + self.h / 2
    }
    /// True when the interiors intersect (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
    pub fn inflate(&self, d: i32) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            w: self.w + 2 * d,
            h: self.h + 2 * d,
        }
    }
    fn translate(&mut self, dx: i32, dy: i32) {
        self.x += dx;
        self.y += dy;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxKind {
    Node(Kind),
    Frame(GroupKind),
}

#[derive(Clone, Debug)]
pub struct SBox {
    pub rect: Rect,
    pub kind: BoxKind,
    /// The node or group id, for `id=` in the SVG.
    pub id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextRole {
    Title,
    Subtitle,
    NodeTitle,
    NodeLine,
    FrameTitle,
    EdgeLabel,
    Legend,
}

#[derive(Clone, Debug)]
pub struct SText {
    pub text: String,
    pub role: TextRole,
    /// The estimated extent of the text; `x` is its left edge.
    pub rect: Rect,
    /// Baseline.
    pub baseline: i32,
    /// The box the text belongs to (a node's or a frame's own text).
    pub owner: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct SPath {
    pub points: Vec<(i32, i32)>,
    pub style: Style,
}

#[derive(Clone, Debug)]
pub struct Scene {
    pub width: i32,
    pub height: i32,
    pub boxes: Vec<SBox>,
    pub texts: Vec<SText>,
    pub paths: Vec<SPath>,
    /// How many times a path crosses a box it could not route around.
    pub crossings: usize,
}

// --- Metrics ---------------------------------------------------------------

pub const FONT_TITLE: i32 = 16;
pub const FONT_SUBTITLE: i32 = 11;
pub const FONT_NODE_TITLE: i32 = 12;
pub const FONT_NODE_LINE: i32 = 11;
pub const FONT_FRAME: i32 = 11;
pub const FONT_LABEL: i32 = 10;

/// Estimated advance of one character: 0.62 em regular, 0.70 em bold
/// (DejaVu Sans / Verdana proportions, the widest of the fonts named).
pub fn text_width(s: &str, size: i32, bold: bool) -> i32 {
    let em = if bold { 0.70 } else { 0.62 };
    (s.chars().count() as f64 * size as f64 * em).ceil() as i32
}

/// Font size and weight of each role.
pub fn font(role: TextRole) -> (i32, bool) {
    match role {
        TextRole::Title => (FONT_TITLE, true),
        TextRole::Subtitle => (FONT_SUBTITLE, false),
        TextRole::NodeTitle => (FONT_NODE_TITLE, true),
        TextRole::NodeLine => (FONT_NODE_LINE, false),
        TextRole::FrameTitle => (FONT_FRAME, true),
        TextRole::EdgeLabel => (FONT_LABEL, false),
        TextRole::Legend => (FONT_LABEL, false),
    }
}

const NODE_PAD_X: i32 = 12;
const NODE_PAD_Y: i32 = 7;
const NODE_MIN_W: i32 = 96;
const TITLE_LINE: i32 = 16;
const DETAIL_LINE: i32 = 14;
const FRAME_PAD: i32 = 14;
const FRAME_TITLE_H: i32 = 22;
const ROW_GAP: i32 = 64;
const COL_GAP: i32 = 28;
const SIDE_GAP: i32 = 96;
const MARGIN: i32 = 20;
/// Height of a label's rectangle (its text plus a little air).
const LABEL_H: i32 = 14;

// --- Blocks ----------------------------------------------------------------

enum Block {
    Leaf(usize),
    Frame(usize, Box<Block>),
    /// Items left to right with the gap after each but the last.
    Row(Vec<Block>, Vec<i32>),
    Col(Vec<Block>, i32),
    /// Children at fixed offsets from the block's top left.
    Abs(Vec<(i32, i32, Block)>),
}

struct Ctx<'g> {
    g: &'g Graph,
    boxes: Vec<SBox>,
    texts: Vec<SText>,
    /// Rectangle of every placed item.
    rects: BTreeMap<Item, Rect>,
    /// Index into `boxes` of every placed item.
    box_of: BTreeMap<Item, usize>,
}

fn node_size(g: &Graph, n: usize) -> (i32, i32) {
    let node = &g.nodes[n];
    let mut w = text_width(&node.title, FONT_NODE_TITLE, true);
    for l in &node.lines {
        w = w.max(text_width(l, FONT_NODE_LINE, false));
    }
    (
        (w + 2 * NODE_PAD_X).max(NODE_MIN_W),
        2 * NODE_PAD_Y + TITLE_LINE + DETAIL_LINE * node.lines.len() as i32,
    )
}

fn size(g: &Graph, b: &Block) -> (i32, i32) {
    match b {
        Block::Leaf(n) => node_size(g, *n),
        Block::Frame(gi, inner) => {
            let (w, h) = size(g, inner);
            let tw = text_width(&g.groups[*gi].title, FONT_FRAME, true) + 2 * FRAME_PAD;
            ((w + 2 * FRAME_PAD).max(tw), h + FRAME_TITLE_H + FRAME_PAD)
        }
        Block::Row(items, gaps) => {
            let sizes: Vec<_> = items.iter().map(|i| size(g, i)).collect();
            let w = sizes.iter().map(|s| s.0).sum::<i32>() + gaps.iter().sum::<i32>();
            (w, sizes.iter().map(|s| s.1).max().unwrap_or(0))
        }
        Block::Col(items, gap) => {
            let sizes: Vec<_> = items.iter().map(|i| size(g, i)).collect();
            let h = sizes.iter().map(|s| s.1).sum::<i32>() + gap * (sizes.len() as i32 - 1).max(0);
            (sizes.iter().map(|s| s.0).max().unwrap_or(0), h)
        }
        Block::Abs(items) => {
            let mut w = 0;
            let mut h = 0;
            for (dx, dy, b) in items {
                let (bw, bh) = size(g, b);
                w = w.max(dx + bw);
                h = h.max(dy + bh);
            }
            (w, h)
        }
    }
}

impl Ctx<'_> {
    fn text(&mut self, s: &str, role: TextRole, x: i32, top: i32, owner: Option<usize>) {
        let (size, bold) = font(role);
        self.texts.push(SText {
            text: s.to_string(),
            role,
            rect: Rect {
                x,
                y: top,
                w: text_width(s, size, bold),
                h: line_height(size),
            },
            baseline: top + size,
            owner,
        });
    }

    /// Places a block with its top left at (x, y) in a slot `w` wide (the
    /// block is centred in it).
    fn place(&mut self, b: &Block, x: i32, y: i32, w: i32) {
        let (bw, bh) = size(self.g, b);
        let x = x + (w - bw) / 2;
        match b {
            Block::Leaf(n) => {
                let rect = Rect { x, y, w: bw, h: bh };
                let node = &self.g.nodes[*n];
                self.boxes.push(SBox {
                    rect,
                    kind: BoxKind::Node(node.kind),
                    id: node.id.clone(),
                });
                let owner = self.boxes.len() - 1;
                self.rects.insert(Item::Node(*n), rect);
                self.box_of.insert(Item::Node(*n), owner);
                let cx = rect.cx();
                let mut top = y + NODE_PAD_Y;
                let tw = text_width(&node.title, FONT_NODE_TITLE, true);
                self.text(
                    &node.title,
                    TextRole::NodeTitle,
                    cx - tw / 2,
                    top,
                    Some(owner),
                );
                top += TITLE_LINE;
                for l in &node.lines {
                    let lw = text_width(l, FONT_NODE_LINE, false);
                    self.text(l, TextRole::NodeLine, cx - lw / 2, top, Some(owner));
                    top += DETAIL_LINE;
                }
            }
            Block::Frame(gi, inner) => {
                let rect = Rect { x, y, w: bw, h: bh };
                let grp = &self.g.groups[*gi];
                self.boxes.push(SBox {
                    rect,
                    kind: BoxKind::Frame(grp.kind),
                    id: grp.id.clone(),
                });
                let owner = self.boxes.len() - 1;
                self.rects.insert(Item::Group(*gi), rect);
                self.box_of.insert(Item::Group(*gi), owner);
                if caption_below(grp.kind) {
                    let ih = bh - FRAME_TITLE_H - FRAME_PAD;
                    self.place(inner, x + FRAME_PAD, y + FRAME_PAD, bw - 2 * FRAME_PAD);
                    self.text(
                        &grp.title,
                        TextRole::FrameTitle,
                        x + 10,
                        y + FRAME_PAD + ih + 4,
                        Some(owner),
                    );
                } else {
                    self.text(&grp.title, TextRole::FrameTitle, x + 10, y + 4, Some(owner));
                    self.place(inner, x + FRAME_PAD, y + FRAME_TITLE_H, bw - 2 * FRAME_PAD);
                }
            }
            Block::Row(items, gaps) => {
                let mut cx = x;
                for (k, i) in items.iter().enumerate() {
                    let (iw, _) = size(self.g, i);
                    self.place(i, cx, y, iw);
                    cx += iw + gaps.get(k).copied().unwrap_or(0);
                }
            }
            Block::Col(items, gap) => {
                let mut cy = y;
                for i in items {
                    let (_, ih) = size(self.g, i);
                    self.place(i, x, cy, bw);
                    cy += ih + gap;
                }
            }
            Block::Abs(items) => {
                for (dx, dy, i) in items {
                    let (iw, _) = size(self.g, i);
                    self.place(i, x + dx, y + dy, iw);
                }
            }
        }
    }
}

/// Frames name themselves underneath, so that the edges coming down into
/// them cross no text.
fn caption_below(k: GroupKind) -> bool {
    // Every frame: edges come into frames from above (users into the data
    // center, the balancer into the web tier, the web tier into databases).
    let _ = k;
    true
}

/// Room between two neighbours in a row: enough for the label of an edge
/// that runs between them.
fn gap_between(g: &Graph, a: &[usize], b: &[usize], min: i32) -> i32 {
    let mut gap = min;
    for e in &g.edges {
        let (f, t) = (g.nodes_in(e.from), g.nodes_in(e.to));
        let between = |x: &[usize], y: &[usize]| {
            f.iter().all(|n| x.contains(n)) && t.iter().all(|n| y.contains(n))
        };
        if !e.label.is_empty() && (between(a, b) || between(b, a)) {
            gap = gap.max(text_width(&e.label, FONT_LABEL, false) + 30);
        }
    }
    gap
}

fn row_of(g: &Graph, items: &[Item], min: i32) -> Block {
    let gaps = items
        .windows(2)
        .map(|w| gap_between(g, &g.nodes_in(w[0]), &g.nodes_in(w[1]), min))
        .collect();
    Block::Row(items.iter().map(|&i| block(g, i)).collect(), gaps)
}

/// The block of an item: a node, or a group's frame around its items laid
/// out the way its kind is drawn.
fn block(g: &Graph, it: Item) -> Block {
    match it {
        Item::Node(n) => Block::Leaf(n),
        Item::Group(gi) => {
            let grp = &g.groups[gi];
            let inner = match grp.kind {
                GroupKind::Replicas => {
                    Block::Col(grp.items.iter().map(|&i| block(g, i)).collect(), 10)
                }
                // Shards side by side; in a shard the primary, then its
                // replicas to the right.
                _ => row_of(g, &grp.items, COL_GAP),
            };
            Block::Frame(gi, Box::new(inner))
        }
    }
}

fn row(g: &Graph, items: &[Item]) -> Block {
    row_of(g, items, COL_GAP)
}

pub fn layout(g: &Graph) -> Scene {
    let mut cx = Ctx {
        g,
        boxes: Vec::new(),
        texts: Vec::new(),
        rects: BTreeMap::new(),
        box_of: BTreeMap::new(),
    };
    let r = &g.rows;

    // The stack: lb, web, data and db rows.
    let mut stack_rows: Vec<Block> = Vec::new();
    let mut web_offset = 0;
    // (top, width, height) of each row inside the stack.
    let mut row_boxes: Vec<(i32, i32, i32)> = Vec::new();
    for (items, is_web) in [
        (&r.lbs, false),
        (&r.webs, true),
        (&r.data, false),
        (&r.dbs, false),
    ] {
        if items.is_empty() {
            continue;
        }
        if is_web {
            web_offset = stack_rows.iter().map(|b| size(g, b).1 + ROW_GAP).sum();
        }
        let b = row(g, items);
        let (w, h) = size(g, &b);
        let top = row_boxes.last().map_or(0, |r| r.0 + r.2 + ROW_GAP);
        row_boxes.push((top, w, h));
        stack_rows.push(b);
    }
    let stack = Block::Col(stack_rows, ROW_GAP);
    let (stack_w, _) = size(g, &stack);

    // Each queue with its workers to its right, then workers without a queue.
    let mut side_items: Vec<Block> = r
        .side
        .iter()
        .map(|(q, ws)| {
            if ws.is_empty() {
                return block(g, *q);
            }
            let gap = gap_between(
                g,
                &g.nodes_in(*q),
                &ws.iter().flat_map(|&w| g.nodes_in(w)).collect::<Vec<_>>(),
                COL_GAP,
            );
            let workers = Block::Col(ws.iter().map(|&w| block(g, w)).collect(), 12);
            Block::Row(vec![block(g, *q), workers], vec![gap])
        })
        .collect();
    if !r.orphans.is_empty() {
        side_items.push(row(g, &r.orphans));
    }
    let mut middle: Vec<(i32, i32, Block)> = vec![(0, 0, stack)];
    if !side_items.is_empty() {
        // Right of the rows it stands level with, not of the whole stack.
        let side = Block::Col(side_items, ROW_GAP);
        let (_, side_h) = size(g, &side);
        let (lo, hi) = (web_offset - ROW_GAP / 2, web_offset + side_h + ROW_GAP / 2);
        let x = row_boxes
            .iter()
            .filter(|(top, _, h)| *top < hi && top + h > lo)
            .map(|(_, w, _)| (stack_w + w) / 2 + SIDE_GAP)
            .max()
            .unwrap_or(0);
        middle.push((x, web_offset, side));
    }
    let middle = Block::Abs(middle);
    let middle = match r.dc {
        Some(dc) => Block::Frame(dc, Box::new(middle)),
        None => middle,
    };
    let (middle_w, middle_h) = size(g, &middle);
    // The x of the stack's centre inside the middle block.
    let stack_cx = if r.dc.is_some() { FRAME_PAD } else { 0 } + stack_w / 2;

    // Top row: DNS, users, then the CDNs in a column; users centred over
    // the stack.
    let (head, cdns) = r.top.split_at(r.top.len().min(2));
    let head_gaps: Vec<i32> = head
        .windows(2)
        .map(|w| gap_between(g, &g.nodes_in(w[0]), &g.nodes_in(w[1]), COL_GAP))
        .collect();
    let mut top_items: Vec<Block> = head.iter().map(|&i| block(g, i)).collect();
    let mut top_gaps = head_gaps.clone();
    if !cdns.is_empty() {
        let users: Vec<usize> = head.iter().flat_map(|&i| g.nodes_in(i)).collect();
        let all: Vec<usize> = cdns.iter().flat_map(|&i| g.nodes_in(i)).collect();
        top_gaps.push(gap_between(g, &users, &all, COL_GAP));
        top_items.push(Block::Col(cdns.iter().map(|&i| block(g, i)).collect(), 12));
    }
    let users_cx = match head.last() {
        Some(&u) => {
            let before: i32 = head[..head.len() - 1]
                .iter()
                .map(|&i| size(g, &block(g, i)).0)
                .sum::<i32>()
                + head_gaps.iter().sum::<i32>();
            before + size(g, &block(g, u)).0 / 2
        }
        None => 0,
    };
    let top = Block::Row(top_items, top_gaps);
    let (top_w, top_h) = size(g, &top);
    let mut y = 0;
    cx.place(&top, stack_cx - users_cx, y, top_w);
    y += top_h + ROW_GAP;
    // The other data centers in a row under the users, right of the way
    // down to the primary one.
    if !r.other_dcs.is_empty() {
        let dcs = row(g, &r.other_dcs);
        let (w, h) = size(g, &dcs);
        cx.place(&dcs, stack_cx + 60, y, w);
        y += h + ROW_GAP;
    }
    cx.place(&middle, 0, y, middle_w);
    y += middle_h + ROW_GAP / 2;
    if let Some(ops) = r.ops {
        let b = block(g, ops);
        let (w, _) = size(g, &b);
        cx.place(&b, stack_cx - w / 2, y, w);
    }

    let (paths, labels, crossings) = route_all(&cx);
    let mut scene = Scene {
        width: 0,
        height: 0,
        boxes: cx.boxes,
        texts: cx.texts,
        paths,
        crossings,
    };
    scene.texts.extend(labels);

    // The title on top, the legend at the bottom, then everything moves to
    // the margin.
    let bbox = bounds(&scene);
    let title_top = bbox.y - 56;
    let mut add = |s: &str, role, x, top| {
        let (size, bold) = font(role);
        scene.texts.push(SText {
            text: s.to_string(),
            role,
            rect: Rect {
                x,
                y: top,
                w: text_width(s, size, bold),
                h: line_height(size),
            },
            baseline: top + size,
            owner: None,
        });
    };
    add(&g.title, TextRole::Title, bbox.x, title_top);
    add(&g.subtitle, TextRole::Subtitle, bbox.x, title_top + 24);
    let ly = bbox.bottom() + 28;
    add("request", TextRole::Legend, bbox.x + 44, ly);
    let lx = bbox.x + 44 + text_width("request", FONT_LABEL, false) + 24;
    add("replication", TextRole::Legend, lx + 44, ly);
    scene.paths.push(SPath {
        points: vec![(bbox.x, ly + 7), (bbox.x + 36, ly + 7)],
        style: Style::Solid,
    });
    scene.paths.push(SPath {
        points: vec![(lx, ly + 7), (lx + 36, ly + 7)],
        style: Style::Dashed,
    });

    let bbox = bounds(&scene);
    let (dx, dy) = (MARGIN - bbox.x, MARGIN - bbox.y);
    for b in &mut scene.boxes {
        b.rect.translate(dx, dy);
    }
    for t in &mut scene.texts {
        t.rect.translate(dx, dy);
        t.baseline += dy;
    }
    for p in &mut scene.paths {
        for pt in &mut p.points {
            pt.0 += dx;
            pt.1 += dy;
        }
    }
    scene.width = bbox.w + 2 * MARGIN;
    scene.height = bbox.h + 2 * MARGIN;
    scene
}

fn bounds(s: &Scene) -> Rect {
    let mut rects: Vec<Rect> = s.boxes.iter().map(|b| b.rect).collect();
    rects.extend(s.texts.iter().map(|t| t.rect));
    for p in &s.paths {
        for &(x, y) in &p.points {
            rects.push(Rect {
                x: x - 6,
                y: y - 6,
                w: 12,
                h: 12,
            });
        }
    }
    let x0 = rects.iter().map(|r| r.x).min().unwrap_or(0);
    let y0 = rects.iter().map(|r| r.y).min().unwrap_or(0);
    let x1 = rects.iter().map(|r| r.right()).max().unwrap_or(0);
    let y1 = rects.iter().map(|r| r.bottom()).max().unwrap_or(0);
    Rect {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    }
}

// --- Edge routing ------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

fn port(r: &Rect, side: Side, frac: (i32, i32)) -> (i32, i32) {
    let (i, n) = frac;
    match side {
        Side::Top => (r.x + r.w * i / n, r.y),
        Side::Bottom => (r.x + r.w * i / n, r.bottom()),
        Side::Left => (r.x, r.y + r.h * i / n),
        Side::Right => (r.right(), r.y + r.h * i / n),
    }
}

/// Does the segment a-b pass through the rectangle's interior?
fn seg_hits(a: (i32, i32), b: (i32, i32), r: &Rect) -> bool {
    // Liang-Barsky clipping.
    let (x0, y0) = (a.0 as f64, a.1 as f64);
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let checks = [
        (-dx, x0 - r.x as f64),
        (dx, r.right() as f64 - x0),
        (-dy, y0 - r.y as f64),
        (dy, r.bottom() as f64 - y0),
    ];
    for (p, q) in checks {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t1 - t0 > 1e-9
}

fn path_hits(pts: &[(i32, i32)], obstacles: &[Rect]) -> usize {
    pts.windows(2)
        .map(|w| obstacles.iter().filter(|r| seg_hits(w[0], w[1], r)).count())
        .sum()
}

/// The sides an edge leaves and enters by: vertical when the target is
/// above or below, sideways when it is beside.
fn natural_sides(s: &Rect, t: &Rect) -> (Side, Side) {
    let gap = |a0: i32, a1: i32, b0: i32, b1: i32| {
        if b0 >= a1 {
            b0 - a1
        } else if a0 >= b1 {
            a0 - b1
        } else {
            -1
        }
    };
    let dy = gap(s.y, s.bottom(), t.y, t.bottom());
    let dx = gap(s.x, s.right(), t.x, t.right());
    if dy >= 0 && (dx < 0 || dy * 3 >= dx) {
        if t.y >= s.bottom() {
            (Side::Bottom, Side::Top)
        } else {
            (Side::Top, Side::Bottom)
        }
    } else if t.x >= s.right() {
        (Side::Right, Side::Left)
    } else {
        (Side::Left, Side::Right)
    }
}

fn other_sides(s: &Rect, t: &Rect, nat: (Side, Side)) -> (Side, Side) {
    match nat.0 {
        Side::Top | Side::Bottom => {
            if t.cx() >= s.cx() {
                (Side::Right, Side::Left)
            } else {
                (Side::Left, Side::Right)
            }
        }
        Side::Left | Side::Right => {
            if t.cy() >= s.cy() {
                (Side::Bottom, Side::Top)
            } else {
                (Side::Top, Side::Bottom)
            }
        }
    }
}

fn step(p: (i32, i32), side: Side, d: i32) -> (i32, i32) {
    match side {
        Side::Top => (p.0, p.1 - d),
        Side::Bottom => (p.0, p.1 + d),
        Side::Left => (p.0 - d, p.1),
        Side::Right => (p.0 + d, p.1),
    }
}

/// Candidate routes from a (leaving by side `sa`) to b (entering by `sb`),
/// best first: straight, one elbow, then around obstacles through a channel.
fn candidates(
    a: (i32, i32),
    sa: Side,
    b: (i32, i32),
    sb: Side,
    channels: &[i32],
) -> Vec<Vec<(i32, i32)>> {
    let mut out = vec![vec![a, b]];
    let out_a = step(a, sa, 16);
    let in_b = step(b, sb, 16);
    let vertical = |s: Side| matches!(s, Side::Top | Side::Bottom);
    match (vertical(sa), vertical(sb)) {
        (true, true) => {
            for my in [in_b.1, out_a.1, (a.1 + b.1) / 2] {
                out.push(vec![a, (a.0, my), (b.0, my), b]);
            }
            let mut ch = channels.to_vec();
            ch.sort_by_key(|&x| ((x - a.0).abs() + (x - b.0).abs(), x));
            for x in ch {
                out.push(vec![a, out_a, (x, out_a.1), (x, in_b.1), in_b, b]);
            }
        }
        (false, false) => {
            for mx in [(a.0 + b.0) / 2, in_b.0, out_a.0] {
                out.push(vec![a, (mx, a.1), (mx, b.1), b]);
            }
        }
        (true, false) => out.push(vec![a, (a.0, b.1), b]),
        (false, true) => out.push(vec![a, (b.0, a.1), b]),
    }
    for p in &mut out {
        p.dedup();
    }
    out
}

type Routed = (Vec<SPath>, Vec<SText>, usize);

fn route_all(cx: &Ctx) -> Routed {
    let g = cx.g;
    let node_rects: Vec<(usize, Rect)> = cx
        .box_of
        .iter()
        .filter_map(|(it, &bi)| match it {
            Item::Node(n) => Some((*n, cx.boxes[bi].rect)),
            Item::Group(_) => None,
        })
        .collect();
    let frames: Vec<Rect> = cx
        .boxes
        .iter()
        .filter(|b| matches!(b.kind, BoxKind::Frame(_)))
        .map(|b| b.rect)
        .collect();
    let frame_titles: Vec<Rect> = cx
        .texts
        .iter()
        .filter(|t| t.role == TextRole::FrameTitle)
        .map(|t| t.rect.inflate(2))
        .collect();
    let mut channels: Vec<i32> = Vec::new();
    for b in &cx.boxes {
        channels.push(b.rect.x - 8);
        channels.push(b.rect.right() + 8);
    }
    channels.sort_unstable();
    channels.dedup();

    let obstacles_for = |from: Item, to: Item| -> Vec<Rect> {
        let mut skip = g.nodes_in(from);
        skip.extend(g.nodes_in(to));
        let mut obs: Vec<Rect> = node_rects
            .iter()
            .filter(|(n, _)| !skip.contains(n))
            .map(|(_, r)| r.inflate(4))
            .collect();
        obs.extend(&frame_titles);
        obs
    };

    // 1. Sides: the natural ones unless only the others give a clear route.
    let mut sides = Vec::new();
    for e in &g.edges {
        let (s, t) = (cx.rects[&e.from], cx.rects[&e.to]);
        let obs = obstacles_for(e.from, e.to);
        let nat = natural_sides(&s, &t);
        let alt = other_sides(&s, &t, nat);
        let clear = |sd: (Side, Side)| {
            let (a, b) = (port(&s, sd.0, (1, 2)), port(&t, sd.1, (1, 2)));
            candidates(a, sd.0, b, sd.1, &channels)
                .iter()
                .any(|c| path_hits(c, &obs) == 0)
        };
        sides.push(if !clear(nat) && clear(alt) { alt } else { nat });
    }

    // 2. Spread the ports along each side of each box, ordered by where the
    // other end lies, so that lines do not cross next to the box.
    let mut slots: BTreeMap<(Item, Side), Vec<(i32, usize)>> = BTreeMap::new();
    for (i, e) in g.edges.iter().enumerate() {
        let (s, t) = (cx.rects[&e.from], cx.rects[&e.to]);
        let (sa, sb) = sides[i];
        let key = |r: &Rect, side: Side| match side {
            Side::Top | Side::Bottom => r.cx(),
            Side::Left | Side::Right => r.cy(),
        };
        slots
            .entry((e.from, sa))
            .or_default()
            .push((key(&t, sa), i));
        slots.entry((e.to, sb)).or_default().push((key(&s, sb), i));
    }
    let mut frac: BTreeMap<(Item, Side, usize), (i32, i32)> = BTreeMap::new();
    for ((item, side), mut list) in slots {
        list.sort();
        let n = list.len() as i32;
        for (k, (_, ei)) in list.into_iter().enumerate() {
            frac.insert((item, side, ei), (k as i32 + 1, n + 1));
        }
    }

    // 3. Routes: the first candidate that crosses no box, else the one that
    // crosses fewest.
    let mut paths = Vec::new();
    let mut crossings = 0;
    for (i, e) in g.edges.iter().enumerate() {
        let (s, t) = (cx.rects[&e.from], cx.rects[&e.to]);
        let (sa, sb) = sides[i];
        let (fa, fb) = (frac[&(e.from, sa, i)], frac[&(e.to, sb, i)]);
        let mut a = port(&s, sa, fa);
        let mut b = port(&t, sb, fb);
        // A lone sideways edge between boxes level with each other runs
        // straight across.
        if matches!(sa, Side::Left | Side::Right) && fa.1 == 2 && fb.1 == 2 {
            let lo = s.y.max(t.y);
            let hi = s.bottom().min(t.bottom());
            if hi - lo > 8 {
                a.1 = (lo + hi) / 2;
                b.1 = a.1;
            }
        }
        let obs = obstacles_for(e.from, e.to);
        let mut best: Option<(usize, Vec<(i32, i32)>)> = None;
        for c in candidates(a, sa, b, sb, &channels) {
            let hits = path_hits(&c, &obs);
            if best.as_ref().is_none_or(|b| hits < b.0) {
                best = Some((hits, c));
            }
            if hits == 0 {
                break;
            }
        }
        let (hits, pts) = best.expect("the straight candidate is always there");
        crossings += hits;
        paths.push(SPath {
            points: pts,
            style: e.style,
        });
    }

    // 4. Labels: the first free spot along the path, starting at the target.
    let mut taken: Vec<Rect> = node_rects.iter().map(|(_, r)| r.inflate(2)).collect();
    taken.extend(cx.texts.iter().map(|t| t.rect.inflate(2)));
    let mut labels = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        if e.label.is_empty() {
            continue;
        }
        // One `replication` label per primary says it.
        if e.style == Style::Dashed
            && g.edges[..i]
                .iter()
                .any(|p| p.from == e.from && p.label == e.label)
        {
            continue;
        }
        let w = text_width(&e.label, FONT_LABEL, false) + 6;
        let pts = &paths[i].points;
        let mut spot = None;
        'search: for seg in (0..pts.len() - 1).rev() {
            let (p, q) = (pts[seg], pts[seg + 1]);
            let horizontal = p.1 == q.1;
            for f in [50, 35, 65, 20, 80] {
                let x = p.0 + (q.0 - p.0) * f / 100;
                let y = p.1 + (q.1 - p.1) * f / 100;
                let offs = if horizontal {
                    [(0, 0), (0, -LABEL_H / 2 - 2), (0, LABEL_H / 2 + 2)]
                } else {
                    [(0, 0), (w / 2 + 3, 0), (-w / 2 - 3, 0)]
                };
                for (ox, oy) in offs {
                    let r = Rect {
                        x: x + ox - w / 2,
                        y: y + oy - LABEL_H / 2,
                        w,
                        h: LABEL_H,
                    };
                    let free = !taken.iter().any(|t| t.overlaps(&r))
                        && frames.iter().all(|f| f.contains(&r) || !f.overlaps(&r));
                    if free {
                        spot = Some(r);
                        break 'search;
                    }
                }
            }
        }
        let r = spot.unwrap_or_else(|| {
            let (p, q) = (pts[0], pts[pts.len() - 1]);
            Rect {
                x: (p.0 + q.0) / 2 - w / 2,
                y: (p.1 + q.1) / 2 - LABEL_H / 2,
                w,
                h: LABEL_H,
            }
        });
        taken.push(r.inflate(1));
        labels.push(SText {
            text: e.label.clone(),
            role: TextRole::EdgeLabel,
            rect: r,
            baseline: r.y + LABEL_H - 4,
            owner: None,
        });
    }
    (paths, labels, crossings)
}

/// The height a line of text covers: ascent and descent of the font.
fn line_height(size: i32) -> i32 {
    (size * 6 + 4) / 5
}
