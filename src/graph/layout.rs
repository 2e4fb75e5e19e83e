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
//!
//! Here the scene's types and the order of the rows; [`blocks`] sizes and
//! places nested rows and frames of nodes, [`route`] draws the edges
//! between the placed boxes.

mod blocks;
mod route;

use super::ir::{Graph, GroupKind, Item, Kind, Style};
use blocks::{block, gap_between, row, size, Block};
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

/// The scene while it is placed.
struct Ctx<'g> {
    g: &'g Graph,
    boxes: Vec<SBox>,
    texts: Vec<SText>,
    /// Rectangle of every placed item.
    rects: BTreeMap<Item, Rect>,
    /// Index into `boxes` of every placed item.
    box_of: BTreeMap<Item, usize>,
}

pub fn layout(g: &Graph) -> Scene {
    let mut cx = Ctx {
        g,
        boxes: Vec::new(),
        texts: Vec::new(),
        rects: BTreeMap::new(),
        box_of: BTreeMap::new(),
    };
    let (middle, stack_cx) = middle(g, Stack::of(g));
    place_rows(&mut cx, middle, stack_cx);
    let (paths, labels, crossings) = route::route_all(&cx);
    let mut scene = Scene {
        width: 0,
        height: 0,
        boxes: cx.boxes,
        texts: cx.texts,
        paths,
        crossings,
    };
    scene.texts.extend(labels);
    title_and_legend(&mut scene, g);
    move_to_margin(&mut scene);
    scene
}

/// The stack: the lb, web, data and db rows, one under the other.
struct Stack {
    block: Block,
    width: i32,
    /// Where the web row starts, from the top of the stack.
    web_offset: i32,
    /// (top, width, height) of each row inside the stack.
    rows: Vec<(i32, i32, i32)>,
}

impl Stack {
    fn of(g: &Graph) -> Stack {
        let r = &g.rows;
        let mut stack_rows: Vec<Block> = Vec::new();
        let mut web_offset = 0;
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
        let block = Block::Col(stack_rows, ROW_GAP);
        let (width, _) = size(g, &block);
        Stack {
            block,
            width,
            web_offset,
            rows: row_boxes,
        }
    }
}

/// The column at the side of the stack: each queue with its workers to its
/// right, then the workers without a queue. `None` when there are none.
fn side_column(g: &Graph) -> Option<Block> {
    let r = &g.rows;
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
    if side_items.is_empty() {
        None
    } else {
        Some(Block::Col(side_items, ROW_GAP))
    }
}

/// The middle of the picture: the stack with the side column, framed as the
/// primary data center when there is one. Returns it with the x of the
/// stack's centre inside it.
fn middle(g: &Graph, stack: Stack) -> (Block, i32) {
    let r = &g.rows;
    let stack_w = stack.width;
    let mut middle: Vec<(i32, i32, Block)> = vec![(0, 0, stack.block)];
    if let Some(side) = side_column(g) {
        // Right of the rows it stands level with, not of the whole stack.
        let (_, side_h) = size(g, &side);
        let web_offset = stack.web_offset;
        let (lo, hi) = (web_offset - ROW_GAP / 2, web_offset + side_h + ROW_GAP / 2);
        let x = stack
            .rows
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
    let stack_cx = if r.dc.is_some() { FRAME_PAD } else { 0 } + stack_w / 2;
    (middle, stack_cx)
}

/// The top row: DNS, users, then the CDNs in a column. Returns it with the x
/// of the users' centre inside it.
fn top_row(g: &Graph) -> (Block, i32) {
    let r = &g.rows;
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
    (Block::Row(top_items, top_gaps), users_cx)
}

/// Places the rows from the top: the top row with the users centred over the
/// stack, the other data centers, the middle, then ops under the stack.
fn place_rows(cx: &mut Ctx, middle: Block, stack_cx: i32) {
    let g = cx.g;
    let r = &g.rows;
    let (top, users_cx) = top_row(g);
    let (top_w, top_h) = size(g, &top);
    let (middle_w, middle_h) = size(g, &middle);
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
}

/// The title on top and the legend at the bottom of what is drawn.
fn title_and_legend(scene: &mut Scene, g: &Graph) {
    let bbox = bounds(scene);
    let title_top = bbox.y - 56;
    let mut add = |s: &str, role, x, top| scene.texts.push(text_at(s, role, x, top, None));
    add(&g.title, TextRole::Title, bbox.x, title_top);
    add(&g.subtitle, TextRole::Subtitle, bbox.x, title_top + 24);
    let ly = bbox.bottom() + 28;
    add("request", TextRole::Legend, bbox.x + 44, ly);
    let lx = bbox.x + 44 + text_width("request", FONT_LABEL, false) + 24;
    add("replication", TextRole::Legend, lx + 44, ly);
    if !g.figures.is_empty() {
        add(&g.figures, TextRole::Legend, bbox.x, ly + 24);
    }
    scene.paths.push(SPath {
        points: vec![(bbox.x, ly + 7), (bbox.x + 36, ly + 7)],
        style: Style::Solid,
    });
    scene.paths.push(SPath {
        points: vec![(lx, ly + 7), (lx + 36, ly + 7)],
        style: Style::Dashed,
    });
}

/// Moves everything so that the picture starts at the margin, and sizes the
/// scene to it.
fn move_to_margin(scene: &mut Scene) {
    let bbox = bounds(scene);
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

/// A line of text in `role`'s font with its box's top left at (x, top).
fn text_at(s: &str, role: TextRole, x: i32, top: i32, owner: Option<usize>) -> SText {
    let (size, bold) = font(role);
    SText {
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
    }
}

/// The height a line of text covers: ascent and descent of the font.
fn line_height(size: i32) -> i32 {
    (size * 6 + 4) / 5
}
