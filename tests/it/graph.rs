//! Tests: `archc graph` (SVG drawn by archc, Mermaid and DOT text).

use crate::cli::archc;
use crate::common;
use archc::graph::layout::{self, BoxKind, Rect, Scene, TextRole};
use archc::graph::{self, ir, Format};
use archc::model::Model;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

/// Every (label, model) of every example and `ok` fixture.
fn all_models() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    for path in common::buildable_designs() {
        let design = common::compile_file(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for m in design.stages {
            out.push((format!("{stem}/{}", m.stage), m));
        }
    }
    assert!(out.len() >= 20, "designs missing: {}", out.len());
    out
}

fn journey() -> Vec<Model> {
    common::compile_file(&common::repo().join("examples/journey.arch")).stages
}

/// A stage whose names need escaping in every format.
fn hostile() -> Model {
    let mut m = journey().pop().unwrap();
    m.system = "a<b>&\"c\" 'd' #e |f| `g`".into();
    m.source_name = "dir/x & y <z>.arch".into();
    m.webs[0].name = "w<e>b&\"q\"\\".into();
    m.cdns[0].paths = vec!["/st|at\"ic".into(), "/a<b>".into()];
    m
}

// --- Mermaid ------------------------------------------------------------------

/// Checks Mermaid flowchart structure: header, balanced subgraphs, node
/// declarations with quoted labels free of raw quotes, edges between
/// declared ids. Returns (node ids, subgraph ids, edges).
fn check_mermaid(text: &str) -> (BTreeSet<String>, BTreeSet<String>, Vec<(String, String)>) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("---"));
    assert!(lines.next().unwrap().starts_with("title: \""));
    assert_eq!(lines.next(), Some("---"));
    let mut nodes = BTreeSet::new();
    let mut groups = BTreeSet::new();
    let mut edges = Vec::new();
    let mut depth = 0;
    let mut header = false;
    let is_id = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && ![
                "end",
                "graph",
                "subgraph",
                "flowchart",
                "style",
                "class",
                "classdef",
                "click",
            ]
            .contains(&s)
    };
    // A label between quotes: no raw quote inside.
    let quoted = |s: &str| -> bool {
        s.len() >= 2 && s.starts_with('"') && s.ends_with('"') && !s[1..s.len() - 1].contains('"')
    };
    for l in lines {
        let t = l.trim();
        if t.starts_with("%%") || t.is_empty() {
            continue;
        }
        if t == "flowchart TB" {
            assert!(!header, "two headers");
            header = true;
            continue;
        }
        assert!(header, "content before `flowchart TB`: {t}");
        if let Some(rest) = t.strip_prefix("subgraph ") {
            let (id, label) = rest.split_once('[').expect("subgraph id[\"label\"]");
            assert!(is_id(id), "bad subgraph id {id:?}");
            assert!(
                label.ends_with(']') && quoted(&label[..label.len() - 1]),
                "{t}"
            );
            assert!(groups.insert(id.to_string()), "subgraph {id} twice");
            depth += 1;
            continue;
        }
        if t == "end" {
            depth -= 1;
            assert!(depth >= 0, "unbalanced end");
            continue;
        }
        if t.starts_with("classDef ") || t.starts_with("class ") {
            continue;
        }
        if let Some((from, rest)) = t.split_once(' ') {
            if let Some(arrow_rest) = rest
                .strip_prefix("-->")
                .or_else(|| rest.strip_prefix("-.->"))
            {
                let (label, to) = match arrow_rest.strip_prefix('|') {
                    Some(r) => {
                        let (label, to) = r.split_once("| ").expect("closing | of a label");
                        assert!(quoted(label), "{t}");
                        (Some(label), to)
                    }
                    None => (None, arrow_rest.trim_start()),
                };
                let _ = label;
                assert!(is_id(from) && is_id(to), "bad edge {t}");
                edges.push((from.to_string(), to.to_string()));
                continue;
            }
        }
        // A node: id, opening bracket, quoted label, closing bracket.
        let id: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(is_id(&id), "bad node line {t}");
        let shape = &t[id.len()..];
        let pairs = [
            ("([", "])"),
            ("[(", ")]"),
            ("[[", "]]"),
            ("{{", "}}"),
            ("[", "]"),
        ];
        let (o, c) = pairs
            .iter()
            .find(|(o, c)| shape.starts_with(o) && shape.ends_with(c))
            .unwrap_or_else(|| panic!("bad node shape {t}"));
        assert!(quoted(&shape[o.len()..shape.len() - c.len()]), "{t}");
        assert!(nodes.insert(id.clone()), "node {id} declared twice");
    }
    assert!(header, "no flowchart header");
    assert_eq!(depth, 0, "unbalanced subgraphs");
    for (f, t) in &edges {
        for id in [f, t] {
            assert!(
                nodes.contains(id) || groups.contains(id),
                "edge end {id} is not declared"
            );
        }
    }
    (nodes, groups, edges)
}

#[test]
fn mermaid_snapshots_of_the_journey() {
    for m in journey() {
        let text = graph::render(&m, Format::Mermaid);
        check_mermaid(&text);
        insta::assert_snapshot!(format!("journey__{}.mmd", m.stage), text);
    }
}

#[test]
fn mermaid_is_well_formed_for_every_stage_and_hostile_names() {
    let mut models = all_models();
    models.push(("hostile".into(), hostile()));
    for (label, m) in models {
        let text = graph::render(&m, Format::Mermaid);
        let (nodes, _, edges) = check_mermaid(&text);
        let g = ir::build(&m);
        assert_eq!(nodes.len(), g.nodes.len(), "{label}");
        assert_eq!(edges.len(), g.edges.len(), "{label}");
    }
}

#[test]
fn mermaid_draws_the_sharded_stage_as_the_classic_picture() {
    let m = journey().pop().unwrap();
    assert_eq!(m.stage, "sharded");
    let (nodes, groups, edges) = check_mermaid(&graph::render(&m, Format::Mermaid));
    for n in [
        "users",
        "dns",
        "cdn_cdn",
        "lb_lb",
        "web_web",
        "cache_cache",
        "queue_jobs",
    ] {
        assert!(nodes.contains(n), "{n} missing from {nodes:?}");
    }
    // A frame per shard, each with its replicas.
    for i in 1..=4 {
        assert!(
            groups.contains(&format!("cluster_db_shard_{i}")),
            "{groups:?}"
        );
        assert!(groups.contains(&format!("cluster_db_shard_{i}_replicas")));
        let primary = format!("db_db_shard_{i}");
        let replication = edges
            .iter()
            .filter(|(f, t)| *f == primary && t.starts_with(&format!("db_db_shard_{i}_replica")))
            .count();
        assert_eq!(replication, 2, "shard {i}");
        assert!(edges.contains(&("web_web".into(), primary.clone())));
    }
    let has = |f: &str, t: &str| edges.contains(&(f.to_string(), t.to_string()));
    assert!(has("users", "dns") && has("users", "cdn_cdn") && has("users", "lb_lb"));
    assert!(has("lb_lb", "web_web") && has("web_web", "cache_cache"));
    assert!(has("web_web", "queue_jobs") && has("queue_jobs", "worker_thumbnails"));
    assert!(
        has("users", "dc_eu_west_1"),
        "geo DNS sends users to every DC"
    );
}

// --- DOT ----------------------------------------------------------------------

#[test]
fn dot_snapshots_of_the_journey() {
    for m in journey() {
        insta::assert_snapshot!(
            format!("journey__{}.dot", m.stage),
            graph::render(&m, Format::Dot)
        );
    }
}

/// Runs `dot -Tsvg` on the text; Graphviz warnings count as failures.
fn run_dot(dot: &std::path::Path, text: &str) -> Result<String, String> {
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start dot");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() || !err.trim().is_empty() {
        return Err(err);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn graphviz_accepts_the_dot_of_every_stage_without_warnings() {
    let dot = common::need_tool("dot");
    let mut models = all_models();
    models.push(("hostile".into(), hostile()));
    for (label, m) in models {
        let text = graph::render(&m, Format::Dot);
        let svg = run_dot(&dot, &text)
            .unwrap_or_else(|e| panic!("{label}: dot rejected the output:\n{e}\n{text}"));
        // Every node made it into the drawing, as a node of Graphviz's SVG.
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&svg, opts).unwrap();
        let drawn = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("node"))
            .count();
        assert_eq!(drawn, ir::build(&m).nodes.len(), "{label}");
    }
    // The real tool does reject what is broken, so the check above can fail.
    assert!(run_dot(&dot, "digraph { a -> }").is_err());
}

// --- SVG ----------------------------------------------------------------------

/// Parses the SVG as XML and returns its texts in document order.
fn svg_texts(label: &str, svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{label}: the SVG is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let (w, h) = (
        root.attribute("width").unwrap(),
        root.attribute("height").unwrap(),
    );
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {w} {h}").as_str())
    );
    // Every marker reference points at a defined marker.
    let ids: BTreeSet<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    for n in doc.descendants() {
        if let Some(m) = n.attribute("marker-end") {
            let id = m.trim_start_matches("url(#").trim_end_matches(')');
            assert!(ids.contains(id), "{label}: marker {m} undefined");
        }
    }
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn svg_is_xml_and_carries_every_text_unchanged() {
    let mut models = all_models();
    models.push(("hostile".into(), hostile()));
    for (label, m) in &models {
        let svg = graph::render(m, Format::Svg);
        let texts = svg_texts(label, &svg);
        let scene = layout::layout(&ir::build(m));
        let want: Vec<&str> = scene.texts.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, want, "{label}");
    }
    let h = hostile();
    let texts = svg_texts("hostile", &graph::render(&h, Format::Svg));
    assert!(
        texts.iter().any(|t| t.contains("a<b>&\"c\" 'd'")),
        "{texts:?}"
    );
    assert!(texts.contains(&"w<e>b&\"q\"\\".to_string()));
}

/// Everything drawn, checked as rectangles: boxes never overlap except by
/// nesting, texts never overlap, a node's or frame's text stays inside it and
/// out of every other box, edge labels cross no frame border, and all of it
/// lies inside the view box.
fn check_geometry(label: &str, s: &Scene) {
    let view = Rect {
        x: 0,
        y: 0,
        w: s.width,
        h: s.height,
    };
    let name = |i: usize| &s.boxes[i].id;
    for (i, a) in s.boxes.iter().enumerate() {
        assert!(
            view.contains(&a.rect),
            "{label}: {} outside the view box",
            a.id
        );
        for (j, b) in s.boxes.iter().enumerate().skip(i + 1) {
            let (fa, fb) = (
                matches!(a.kind, BoxKind::Frame(_)),
                matches!(b.kind, BoxKind::Frame(_)),
            );
            let nested = (fa && a.rect.contains(&b.rect)) || (fb && b.rect.contains(&a.rect));
            assert!(
                nested || !a.rect.overlaps(&b.rect),
                "{label}: boxes {} and {} overlap",
                name(i),
                name(j)
            );
        }
    }
    for (i, t) in s.texts.iter().enumerate() {
        assert!(
            view.contains(&t.rect),
            "{label}: text {:?} outside the view box",
            t.text
        );
        for u in &s.texts[i + 1..] {
            assert!(
                !t.rect.overlaps(&u.rect),
                "{label}: texts {:?} and {:?} overlap",
                t.text,
                u.text
            );
        }
        for (bi, b) in s.boxes.iter().enumerate() {
            let own = t.owner == Some(bi);
            match b.kind {
                BoxKind::Node(_) if own => assert!(
                    b.rect.contains(&t.rect),
                    "{label}: {:?} sticks out of {}",
                    t.text,
                    b.id
                ),
                BoxKind::Node(_) => assert!(
                    !b.rect.overlaps(&t.rect),
                    "{label}: {:?} overlaps box {}",
                    t.text,
                    b.id
                ),
                BoxKind::Frame(_) => assert!(
                    b.rect.contains(&t.rect) || !b.rect.overlaps(&t.rect),
                    "{label}: {:?} crosses the border of {}",
                    t.text,
                    b.id
                ),
            }
        }
    }
}

#[test]
fn svg_layout_has_no_overlaps_for_every_stage_of_every_design() {
    let mut checked = 0;
    let mut models = all_models();
    models.push(("hostile".into(), hostile()));
    for (label, m) in &models {
        let g = ir::build(m);
        let s = layout::layout(&g);
        check_geometry(label, &s);
        // Every node and every edge is drawn, every label placed.
        let nodes = s
            .boxes
            .iter()
            .filter(|b| matches!(b.kind, BoxKind::Node(_)));
        assert_eq!(nodes.count(), g.nodes.len(), "{label}");
        assert_eq!(
            s.paths.len(),
            g.edges.len() + 2,
            "{label}: edges and legend"
        );
        assert_eq!(s.crossings, 0, "{label}: an edge runs through a box");
        let labels = s
            .texts
            .iter()
            .filter(|t| t.role == TextRole::EdgeLabel)
            .count();
        assert!(
            labels > 0 || g.edges.iter().all(|e| e.label.is_empty()),
            "{label}"
        );
        checked += 1;
    }
    assert!(checked >= 20);
}

#[test]
fn the_geometry_check_catches_an_overlap() {
    let m = journey().pop().unwrap();
    let mut s = layout::layout(&ir::build(&m));
    let node = s
        .boxes
        .iter()
        .position(|b| matches!(b.kind, BoxKind::Node(_)))
        .unwrap();
    let other = s
        .boxes
        .iter()
        .rposition(|b| matches!(b.kind, BoxKind::Node(_)))
        .unwrap();
    s.boxes[other].rect = s.boxes[node].rect;
    let r = std::panic::catch_unwind(|| check_geometry("moved", &s));
    assert!(r.is_err(), "two boxes on top of each other went unnoticed");
}

#[test]
fn the_picture_follows_the_growth_of_the_journey() {
    let stages = journey();
    let svg: BTreeMap<&str, String> = stages
        .iter()
        .map(|m| (m.stage.as_str(), graph::render(m, Format::Svg)))
        .collect();
    // The single server: web and db in one frame, no load balancer.
    assert!(svg["single"].contains("one server"));
    assert!(!svg["single"].contains("load balancer"));
    assert!(svg["balanced"].contains("nginx · ip-hash"));
    assert!(svg["replicated"].contains("db-replica-2"));
    assert!(svg["cached"].contains("redis · ttl 10m · lru"));
    assert!(svg["stateless"].contains("autoscale 2..10 at cpu 70%"));
    assert!(svg["stateless"].contains(">cache, sessions<"));
    assert!(svg["global"].contains("data center eu-west-1"));
    assert!(svg["sharded"].contains("shard 4 of 4"));
    assert!(svg["sharded"].contains("sharded by user_id"));
    // The title names system and stage.
    assert!(svg["sharded"].contains("<title>shop · stage sharded</title>"));
}

// --- The command line -----------------------------------------------------------

#[test]
fn cli_all_stages_writes_one_numbered_file_per_stage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pics");
    for (format, ext) in [("svg", "svg"), ("mermaid", "mmd"), ("dot", "dot")] {
        let o = archc()
            .args([
                "graph",
                "examples/journey.arch",
                "--all-stages",
                "--format",
                format,
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty());
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(ext))
            .collect();
        names.sort();
        let want: Vec<String> = journey()
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{:02}-{}.{ext}", i + 1, m.stage))
            .collect();
        assert_eq!(names, want);
        for (n, m) in names.iter().zip(journey()) {
            let f = match format {
                "svg" => Format::Svg,
                "mermaid" => Format::Mermaid,
                _ => Format::Dot,
            };
            let text = std::fs::read_to_string(out.join(n)).unwrap();
            assert_eq!(text, graph::render(&m, f), "{n}");
        }
    }
}

#[test]
fn cli_prints_one_stage_to_stdout_the_same_every_run() {
    let run = || {
        archc()
            .args(["graph", "examples/media.arch", "--stage", "sticky"])
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "byte-identical run to run");
    let text = String::from_utf8(a.stdout).unwrap();
    assert!(text.starts_with("<svg "), "{text}");
    assert!(text.contains("media · stage sticky"));
    // The default stage is the last; -o writes the file instead.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.dot");
    let o = archc()
        .args(["graph", "examples/media.arch", "--format", "dot", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success() && o.stdout.is_empty());
    let dot = std::fs::read_to_string(&path).unwrap();
    assert!(dot.contains("media · stage stateless"), "{dot}");
}

#[test]
fn cli_graph_errors_follow_the_exit_code_contract() {
    let code = |args: &[&str]| archc().args(args).output().unwrap().status.code();
    // --all-stages needs a directory.
    assert_eq!(
        code(&["graph", "examples/journey.arch", "--all-stages"]),
        Some(2)
    );
    assert_eq!(
        code(&["graph", "examples/journey.arch", "--stage", "nope"]),
        Some(2)
    );
    assert_eq!(
        code(&["graph", "examples/journey.arch", "--format", "png"]),
        Some(2)
    );
    assert_eq!(code(&["graph", "no/such.arch"]), Some(2));
    let o = archc()
        .args(["graph", "tests/fixtures/err/unknown-references.arch"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "no picture of a design with errors");
}

#[test]
fn the_pictures_in_docs_are_up_to_date() {
    let stages = journey();
    for s in ["single", "cached", "global"] {
        let m = stages.iter().find(|m| m.stage == s).unwrap();
        let path = common::repo().join(format!("docs/img/journey-{s}.svg"));
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(
            on_disk == graph::render(m, Format::Svg),
            "{} is out of date: archc graph examples/journey.arch --stage {s} -o docs/img/journey-{s}.svg",
            path.display()
        );
    }
}
