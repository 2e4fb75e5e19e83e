//! Edge routing: every edge of the graph as a path of straight segments
//! between the placed boxes, and its label at a free spot along it.
//!
//! Four steps, each over all the edges: choose the sides an edge leaves and
//! enters by; spread the ports along each side; pick the first candidate
//! route that crosses no box (or the one that crosses fewest); place the
//! labels. Everything is integer arithmetic on the placed rectangles, so the
//! routes are a function of the layout alone.

use super::*;

/// The paths, the labels, and how many times a path crosses a box.
pub(super) type Routed = (Vec<SPath>, Vec<SText>, usize);

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

/// Where each edge's ports are along their sides: (k, n) puts the port at
/// k/n of the side.
type Ports = BTreeMap<(Item, Side, usize), (i32, i32)>;

pub(super) fn route_all(cx: &Ctx) -> Routed {
    let r = Router::new(cx);
    let sides = r.sides();
    let ports = r.ports(&sides);
    let (paths, crossings) = r.routes(&sides, &ports);
    let labels = r.labels(&paths);
    (paths, labels, crossings)
}

/// What routing needs of the placed scene, gathered once.
struct Router<'c, 'g> {
    cx: &'c Ctx<'g>,
    g: &'g Graph,
    /// Every node's rectangle.
    node_rects: Vec<(usize, Rect)>,
    frames: Vec<Rect>,
    frame_titles: Vec<Rect>,
    /// The x of the free lanes beside every box, for routes around them.
    channels: Vec<i32>,
}

impl<'c, 'g> Router<'c, 'g> {
    fn new(cx: &'c Ctx<'g>) -> Self {
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
        Router {
            cx,
            g: cx.g,
            node_rects,
            frames,
            frame_titles,
            channels,
        }
    }

    /// What an edge from `from` to `to` must go around: every other node, and
    /// the frames' titles.
    fn obstacles_for(&self, from: Item, to: Item) -> Vec<Rect> {
        let mut skip = self.g.nodes_in(from);
        skip.extend(self.g.nodes_in(to));
        let mut obs: Vec<Rect> = self
            .node_rects
            .iter()
            .filter(|(n, _)| !skip.contains(n))
            .map(|(_, r)| r.inflate(4))
            .collect();
        obs.extend(&self.frame_titles);
        obs
    }

    /// Step 1, sides: the natural ones unless only the others give a clear route.
    fn sides(&self) -> Vec<(Side, Side)> {
        let mut sides = Vec::new();
        for e in &self.g.edges {
            let (s, t) = (self.cx.rects[&e.from], self.cx.rects[&e.to]);
            let obs = self.obstacles_for(e.from, e.to);
            let nat = natural_sides(&s, &t);
            let alt = other_sides(&s, &t, nat);
            let clear = |sd: (Side, Side)| {
                let (a, b) = (port(&s, sd.0, (1, 2)), port(&t, sd.1, (1, 2)));
                candidates(a, sd.0, b, sd.1, &self.channels)
                    .iter()
                    .any(|c| path_hits(c, &obs) == 0)
            };
            sides.push(if !clear(nat) && clear(alt) { alt } else { nat });
        }
        sides
    }

    /// Step 2: spread the ports along each side of each box, ordered by where the
    /// other end lies, so that lines do not cross next to the box.
    fn ports(&self, sides: &[(Side, Side)]) -> Ports {
        let mut slots: BTreeMap<(Item, Side), Vec<(i32, usize)>> = BTreeMap::new();
        for (i, e) in self.g.edges.iter().enumerate() {
            let (s, t) = (self.cx.rects[&e.from], self.cx.rects[&e.to]);
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
        let mut frac: Ports = BTreeMap::new();
        for ((item, side), mut list) in slots {
            list.sort();
            let n = list.len() as i32;
            for (k, (_, ei)) in list.into_iter().enumerate() {
                frac.insert((item, side, ei), (k as i32 + 1, n + 1));
            }
        }
        frac
    }

    /// Step 3, routes: the first candidate that crosses no box, else the one that
    /// crosses fewest. Returns the paths and the crossings left.
    fn routes(&self, sides: &[(Side, Side)], frac: &Ports) -> (Vec<SPath>, usize) {
        let mut paths = Vec::new();
        let mut crossings = 0;
        for (i, e) in self.g.edges.iter().enumerate() {
            let (s, t) = (self.cx.rects[&e.from], self.cx.rects[&e.to]);
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
            let obs = self.obstacles_for(e.from, e.to);
            let mut best: Option<(usize, Vec<(i32, i32)>)> = None;
            for c in candidates(a, sa, b, sb, &self.channels) {
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
        (paths, crossings)
    }

    /// Step 4, labels: the first free spot along the path, starting at the target.
    fn labels(&self, paths: &[SPath]) -> Vec<SText> {
        let g = self.g;
        let mut taken: Vec<Rect> = self.node_rects.iter().map(|(_, r)| r.inflate(2)).collect();
        taken.extend(self.cx.texts.iter().map(|t| t.rect.inflate(2)));
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
            let r = self.free_spot(pts, w, &taken).unwrap_or_else(|| {
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
        labels
    }

    /// The first place along the path, from its last segment back, where a
    /// label `w` wide overlaps nothing `taken` and straddles no frame's edge.
    fn free_spot(&self, pts: &[(i32, i32)], w: i32, taken: &[Rect]) -> Option<Rect> {
        for seg in (0..pts.len() - 1).rev() {
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
                        && self
                            .frames
                            .iter()
                            .all(|f| f.contains(&r) || !f.overlaps(&r));
                    if free {
                        return Some(r);
                    }
                }
            }
        }
        None
    }
}
