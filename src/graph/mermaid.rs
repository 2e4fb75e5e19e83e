//! Mermaid `flowchart TB` with a subgraph per group.

use super::ir::{Graph, Item, Kind, Style};
use std::fmt::Write;

/// Mermaid text inside `"…"`: entity codes for what would end or break it.
fn text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn node_label(title: &str, lines: &[String]) -> String {
    let mut parts = vec![format!("<b>{}</b>", text(title))];
    parts.extend(lines.iter().map(|l| text(l)));
    parts.join("<br/>")
}

fn item(g: &Graph, it: Item, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match it {
        Item::Node(n) => {
            let n = &g.nodes[n];
            let label = node_label(&n.title, &n.lines);
            let (open, close) = match n.kind {
                Kind::Users => ("([", "])"),
                Kind::Db | Kind::Replica | Kind::Nosql => ("[(", ")]"),
                Kind::Queue => ("[[", "]]"),
                Kind::Dns => ("{{", "}}"),
                _ => ("[", "]"),
            };
            let _ = writeln!(out, "{pad}{}{open}\"{label}\"{close}", n.id);
        }
        Item::Group(gi) => {
            let grp = &g.groups[gi];
            let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", grp.id, text(&grp.title));
            for &c in &grp.items {
                item(g, c, depth + 1, out);
            }
            let _ = writeln!(out, "{pad}end");
        }
    }
}

pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: \"{}\"\n---", text(&g.title));
    let _ = writeln!(out, "%% {}", g.subtitle.replace('\n', " "));
    if !g.figures.is_empty() {
        let _ = writeln!(out, "%% {}", g.figures);
    }
    out.push_str("flowchart TB\n");
    for &it in &g.root {
        item(g, it, 1, &mut out);
    }
    for e in &g.edges {
        let arrow = match e.style {
            Style::Solid => "-->",
            Style::Dashed => "-.->",
        };
        let (from, to) = (g.item_id(e.from), g.item_id(e.to));
        if e.label.is_empty() {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        } else {
            let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", text(&e.label));
        }
    }
    for (class, fill, stroke) in super::svg::PALETTE {
        let _ = writeln!(
            out,
            "  classDef {class} fill:{fill},stroke:{stroke},color:#1f2328"
        );
    }
    for n in &g.nodes {
        let _ = writeln!(out, "  class {} {}", n.id, super::svg::class_of(n.kind));
    }
    out
}
