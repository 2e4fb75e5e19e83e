//! Blocks: the picture as nested rows, columns and frames of nodes, sized
//! from their text, then placed. A block's size is a function of its
//! contents; placing one centres it in the slot it is given and records every
//! box and text in the scene being built.

use super::*;

pub(super) enum Block {
    Leaf(usize),
    Frame(usize, Box<Block>),
    /// Items left to right with the gap after each but the last.
    Row(Vec<Block>, Vec<i32>),
    Col(Vec<Block>, i32),
    /// Children at fixed offsets from the block's top left.
    Abs(Vec<(i32, i32, Block)>),
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

pub(super) fn size(g: &Graph, b: &Block) -> (i32, i32) {
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
    pub(super) fn text(&mut self, s: &str, role: TextRole, x: i32, top: i32, owner: Option<usize>) {
        self.texts.push(text_at(s, role, x, top, owner));
    }

    /// Places a block with its top left at (x, y) in a slot `w` wide (the
    /// block is centred in it).
    pub(super) fn place(&mut self, b: &Block, x: i32, y: i32, w: i32) {
        let (bw, bh) = size(self.g, b);
        let x = x + (w - bw) / 2;
        match b {
            Block::Leaf(n) => self.place_node(*n, Rect { x, y, w: bw, h: bh }),
            Block::Frame(gi, inner) => self.place_frame(*gi, inner, Rect { x, y, w: bw, h: bh }),
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

    /// A node's box at `rect`, its title and lines centred in it.
    fn place_node(&mut self, n: usize, rect: Rect) {
        let node = &self.g.nodes[n];
        self.boxes.push(SBox {
            rect,
            kind: BoxKind::Node(node.kind),
            id: node.id.clone(),
        });
        let owner = self.boxes.len() - 1;
        self.rects.insert(Item::Node(n), rect);
        self.box_of.insert(Item::Node(n), owner);
        let cx = rect.cx();
        let mut top = rect.y + NODE_PAD_Y;
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

    /// A group's frame at `rect` around its `inner` block, with its title.
    fn place_frame(&mut self, gi: usize, inner: &Block, rect: Rect) {
        let Rect { x, y, w: bw, h: bh } = rect;
        let grp = &self.g.groups[gi];
        self.boxes.push(SBox {
            rect,
            kind: BoxKind::Frame(grp.kind),
            id: grp.id.clone(),
        });
        let owner = self.boxes.len() - 1;
        self.rects.insert(Item::Group(gi), rect);
        self.box_of.insert(Item::Group(gi), owner);
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
pub(super) fn gap_between(g: &Graph, a: &[usize], b: &[usize], min: i32) -> i32 {
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
pub(super) fn block(g: &Graph, it: Item) -> Block {
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

pub(super) fn row(g: &Graph, items: &[Item]) -> Block {
    row_of(g, items, COL_GAP)
}
