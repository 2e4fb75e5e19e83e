//! Graphviz DOT: a `digraph` with a cluster per group. Edges to or from a
//! group attach to its first node and clip at the cluster (`compound=true`).

use super::ir::{Graph, Item, Kind, Style};
use std::fmt::Write;

/// A DOT string inside `"…"`; `\n` is a line break in a label.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn label(title: &str, lines: &[String]) -> String {
    let mut parts: Vec<String> = vec![quote(title)];
    parts.extend(lines.iter().map(|l| quote(l)));
    // Join the quoted pieces' insides with `\n`.
    let inner: Vec<&str> = parts.iter().map(|p| &p[1..p.len() - 1]).collect();
    format!("\"{}\"", inner.join("\\n"))
}

fn item(g: &Graph, it: Item, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match it {
        Item::Node(n) => {
            let n = &g.nodes[n];
            let shape = match n.kind {
                Kind::Db | Kind::Replica | Kind::Nosql => "cylinder",
                Kind::Users => "oval",
                Kind::Dns => "hexagon",
                Kind::Queue => "cds",
                _ => "box",
            };
            let (fill, stroke) = super::svg::colours(n.kind);
            let _ = writeln!(
                out,
                "{pad}{} [label={}, shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];",
                n.id,
                label(&n.title, &n.lines)
            );
        }
        Item::Group(gi) => {
            let grp = &g.groups[gi];
            let _ = writeln!(out, "{pad}subgraph {} {{", grp.id);
            let _ = writeln!(out, "{pad}  label={};", quote(&grp.title));
            for &c in &grp.items {
                item(g, c, depth + 1, out);
            }
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {}", g.subtitle.replace('\n', " "));
    if !g.figures.is_empty() {
        let _ = writeln!(out, "// {}", g.figures);
    }
    out.push_str("digraph architecture {\n");
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=16, rankdir=TB, compound=true, newrank=true, style=\"rounded\", color=\"#8c959f\"];",
        quote(&g.title)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=\"filled\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#57606a\"];\n");
    for &it in &g.root {
        item(g, it, 1, &mut out);
    }
    for e in &g.edges {
        let end = |i: Item| -> (&str, Option<&str>) {
            match i {
                Item::Node(n) => (&g.nodes[n].id, None),
                Item::Group(gi) => {
                    let first = g.nodes_in(i)[0];
                    (&g.nodes[first].id, Some(&g.groups[gi].id))
                }
            }
        };
        let (from, ltail) = end(e.from);
        let (to, lhead) = end(e.to);
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label={}", quote(&e.label)));
        }
        if e.style == Style::Dashed {
            attrs.push("style=dashed".to_string());
        }
        if let Some(t) = ltail {
            attrs.push(format!("ltail={t}"));
        }
        if let Some(h) = lhead {
            attrs.push(format!("lhead={h}"));
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "  {from} -> {to};");
        } else {
            let _ = writeln!(out, "  {from} -> {to} [{}];", attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}
