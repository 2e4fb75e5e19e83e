//! Draws a laid-out [`Scene`] as a standalone SVG document.

use super::ir::{GroupKind, Kind, Style};
use super::layout::{font, BoxKind, Scene, TextRole};
use std::fmt::Write;

/// Class name, fill and stroke of each kind of node (shared with Mermaid).
pub const PALETTE: [(&str, &str, &str); 10] = [
    ("client", "#f6f8fa", "#57606a"),
    ("dns", "#fbefff", "#8250df"),
    ("cdn", "#fff1e5", "#bc4c00"),
    ("lb", "#fff8c5", "#9a6700"),
    ("web", "#ddf4ff", "#0969da"),
    ("cache", "#ffebe9", "#cf222e"),
    ("db", "#dafbe1", "#1a7f37"),
    ("nosql", "#d8f3f0", "#0a7b72"),
    ("async", "#eee8ff", "#6639ba"),
    ("ops", "#eaeef2", "#57606a"),
];

pub fn class_of(k: Kind) -> &'static str {
    match k {
        Kind::Users | Kind::Datacenter => "client",
        Kind::Dns => "dns",
        Kind::Cdn => "cdn",
        Kind::Lb => "lb",
        Kind::Web => "web",
        Kind::Cache => "cache",
        Kind::Db | Kind::Replica => "db",
        Kind::Nosql => "nosql",
        Kind::Queue | Kind::Worker => "async",
        Kind::Ops => "ops",
    }
}

/// Fill and stroke of a node kind.
pub fn colours(k: Kind) -> (&'static str, &'static str) {
    let c = class_of(k);
    let (_, fill, stroke) = PALETTE
        .iter()
        .find(|p| p.0 == c)
        .expect("every class has colours");
    (fill, stroke)
}

/// Text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const FONT_FAMILY: &str = "Verdana, 'DejaVu Sans', sans-serif";

/// The SVG document of a scene, drawn bottom up: the frames (outermost
/// first), the edges, the nodes over them, then every text.
pub fn render(s: &Scene) -> String {
    let mut o = String::new();
    header(&mut o, s);
    frames(&mut o, s);
    edges(&mut o, s);
    nodes(&mut o, s);
    texts(&mut o, s);
    o.push_str("</svg>\n");
    o
}

/// The `<svg>` element, the title, the arrow marker and a white background.
fn header(o: &mut String, s: &Scene) {
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\">",
        w = s.width,
        h = s.height
    );
    if let Some(t) = s.texts.iter().find(|t| t.role == TextRole::Title) {
        let _ = writeln!(o, "<title>{}</title>", escape(&t.text));
    }
    o.push_str(
        "<defs>\n<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker>\n</defs>\n",
    );
    let _ = writeln!(
        o,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        s.width, s.height
    );
}

/// Frames, outermost first (the order of the scene's boxes).
fn frames(o: &mut String, s: &Scene) {
    for b in &s.boxes {
        if let BoxKind::Frame(k) = b.kind {
            let (fill, stroke, dash) = match k {
                GroupKind::Datacenter => ("#fcfcfd", "#8c959f", " stroke-dasharray=\"8 4\""),
                GroupKind::WebTier | GroupKind::Host => ("#f3f9ff", "#54aeff", ""),
                GroupKind::Db => ("#f2fcf4", "#4ac26b", ""),
                GroupKind::Shard => ("#ffffff", "#4ac26b", ""),
                GroupKind::Replicas => ("#f2fcf4", "#4ac26b", " stroke-dasharray=\"4 3\""),
                GroupKind::Ops => ("#f6f8fa", "#8c959f", ""),
            };
            let r = b.rect;
            let _ = writeln!(
                o,
                "<rect id=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>",
                escape(&b.id), r.x, r.y, r.w, r.h
            );
        }
    }
}

/// Edges, under the nodes so that an arrow ends at a box's border.
fn edges(o: &mut String, s: &Scene) {
    for p in &s.paths {
        let d: Vec<String> = p
            .points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{x},{y}", if i == 0 { "M" } else { "L" }))
            .collect();
        let dash = match p.style {
            Style::Solid => "",
            Style::Dashed => " stroke-dasharray=\"5 4\"",
        };
        let _ = writeln!(
            o,
            "<path d=\"{}\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.4\"{dash} marker-end=\"url(#arrow)\"/>",
            d.join(" ")
        );
    }
}

fn nodes(o: &mut String, s: &Scene) {
    for b in &s.boxes {
        if let BoxKind::Node(k) = b.kind {
            let (fill, stroke) = colours(k);
            let r = b.rect;
            let rx = if matches!(k, Kind::Users) { 18 } else { 6 };
            let _ = writeln!(
                o,
                "<rect id=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>",
                escape(&b.id), r.x, r.y, r.w, r.h
            );
        }
    }
}

/// Every text, an edge label on a white patch so that it reads over lines.
fn texts(o: &mut String, s: &Scene) {
    for t in &s.texts {
        let (size, bold) = font(t.role);
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let r = t.rect;
        let (x, anchor) = match t.role {
            TextRole::NodeTitle | TextRole::NodeLine | TextRole::EdgeLabel => {
                (r.cx(), " text-anchor=\"middle\"")
            }
            _ => (r.x, ""),
        };
        let fill = match t.role {
            TextRole::Subtitle | TextRole::NodeLine | TextRole::Legend => "#424a53",
            TextRole::FrameTitle | TextRole::EdgeLabel => "#57606a",
            _ => "#1f2328",
        };
        if t.role == TextRole::EdgeLabel {
            let _ = writeln!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>",
                r.x, r.y, r.w, r.h
            );
        }
        let _ = writeln!(
            o,
            "<text x=\"{x}\" y=\"{}\" font-size=\"{size}\"{weight}{anchor} fill=\"{fill}\">{}</text>",
            t.baseline,
            escape(&t.text)
        );
    }
}
