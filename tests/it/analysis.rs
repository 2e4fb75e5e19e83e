//! Tests: analysis (`archc diff`, `archc analyze`, `archc check --parity`).

use crate::cli::archc;
use crate::common::{buildable_designs, compile_file, repo};
use archc::analyze::parity;
use archc::emit::{self, Options, Target};
use std::process::Output;

fn run(args: &[&str]) -> Output {
    archc().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn journey() -> archc::model::Design {
    compile_file(&repo().join("examples/journey.arch"))
}

// --- diff -----------------------------------------------------------------------

#[test]
fn diff_of_each_consecutive_journey_stage_reads_like_the_walkthrough() {
    let d = journey();
    for pair in d.stages.windows(2) {
        let (from, to) = (&pair[0].stage, &pair[1].stage);
        let o = run(&["diff", "examples/journey.arch", "--from", from, "--to", to]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        insta::assert_snapshot!(format!("diff__journey__{from}__{to}"), stdout(&o));
    }
}

#[test]
fn diff_names_the_changed_clauses_and_files_in_json() {
    let o = run(&[
        "diff",
        "examples/journey.arch",
        "--from",
        "cached",
        "--to",
        "stateless",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let web = v["components"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "web")
        .unwrap();
    let scale = web["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "scale")
        .unwrap();
    assert_eq!(scale["from"], "count 2");
    assert_eq!(scale["to"], "autoscale 2..10 at cpu 70%");
    let k8s = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "k8s")
        .unwrap();
    // The stage name in headers does not count: only the web tier changed.
    let changed: Vec<&str> = k8s["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"50-web-web.yaml"), "{changed:?}");
    assert!(!changed.contains(&"00-namespace.yaml"), "{changed:?}");
    let titles: Vec<&str> = v["migration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"goes stateless"), "{titles:?}");
}

#[test]
fn diff_of_two_files_with_unified_file_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.arch");
    let new = dir.path().join("new.arch");
    std::fs::write(&old, "web x2 behind lb\nlb nginx\ndb postgres\n").unwrap();
    std::fs::write(
        &new,
        "web x3 behind lb\nlb nginx\ndb postgres with 2 replicas\n",
    )
    .unwrap();
    let o = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--target",
        "nginx",
        "--files",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("scale count 2 -> count 3"), "{out}");
    assert!(out.contains("replicas 0 -> 2"), "{out}");
    assert!(
        out.contains("--- a/nginx/lb.conf\n+++ b/nginx/lb.conf\n@@"),
        "{out}"
    );
    assert!(out.contains("+        server web-3:8080"), "{out}");
    assert!(
        out.contains("Reads move to the replicas, writes stay on the primary"),
        "{out}"
    );
}

/// A blank line at the top moves every statement down one line: the
/// design-lines header of every generated file changes, the files do not.
#[test]
fn diff_ignores_the_design_lines_header_when_only_line_numbers_moved() {
    let text = std::fs::read_to_string(repo().join("examples/journey.arch")).unwrap();
    let old = archc::compile("journey.arch", &text);
    let new = archc::compile("journey.arch", &format!("\n{text}"));
    assert!(!old.has_errors() && !new.has_errors());
    for (a, b) in old.design.stages.iter().zip(&new.design.stages) {
        // The raw outputs do differ (so the comparison has something to ignore).
        let raw_a = emit::emit(Target::K8s, a, &Options::default()).unwrap();
        let raw_b = emit::emit(Target::K8s, b, &Options::default()).unwrap();
        assert_ne!(raw_a[0].contents, raw_b[0].contents, "{}", a.stage);
        let d = archc::analyze::diff_files::diff(a, b, &Target::ALL, false).unwrap();
        for t in d {
            assert!(t.is_empty(), "stage {}: {t:?}", a.stage);
        }
    }
    // A real change still shows, header and all.
    let changed = archc::compile(
        "journey.arch",
        &format!("\n{text}").replace("web x1", "web x2"),
    );
    let d = archc::analyze::diff_files::diff(
        &old.design.stages[0],
        &changed.design.stages[0],
        &[Target::Compose],
        false,
    )
    .unwrap();
    assert!(
        d[0].changed.iter().any(|c| c.path == "compose.yaml"),
        "{d:?}"
    );
}

#[test]
fn diff_of_the_first_stage_needs_from() {
    let o = run(&["diff", "examples/journey.arch", "--to", "single"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --from"));
}

// --- analyze --------------------------------------------------------------------

#[test]
fn analyze_all_stages_of_journey() {
    let o = run(&["analyze", "examples/journey.arch", "--all-stages"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!("analyze__journey__all_stages", stdout(&o));
}

#[test]
fn analyze_json_site_is_the_product_of_its_tiers_at_the_given_availability() {
    let o = run(&[
        "analyze",
        "examples/journey.arch",
        "--stage",
        "balanced",
        "--availability",
        "99.9",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["stages"][0];
    let a = 0.999f64;
    let tiers: Vec<f64> = s["availability"]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["availability"].as_f64().unwrap())
        .collect();
    // lb x web(2) x db(no replicas)
    let want = [a, 1.0 - (1.0 - a) * (1.0 - a), a];
    for (got, want) in tiers.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{got} != {want}");
    }
    let site = s["availability"]["site"].as_f64().unwrap();
    assert!((site - want.iter().product::<f64>()).abs() < 1e-12);
    let spofs: Vec<(&str, &str)> = s["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["single_point"] == true)
        .map(|f| {
            (
                f["component"].as_str().unwrap(),
                f["impact"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(spofs.contains(&("lb", "site-down")), "{spofs:?}");
    assert!(spofs.contains(&("db", "site-down")), "{spofs:?}");
    assert!(
        !spofs.iter().any(|(c, _)| *c == "web"),
        "two web instances behind an lb are no SPOF: {spofs:?}"
    );
}

#[test]
fn a_single_cache_only_degrades_the_site() {
    let c = archc::compile(
        "t.arch",
        "web x2 behind lb\nlb nginx\ndb postgres with 1 replica\ncache redis x1 ttl 1m\n",
    );
    let f = archc::analyze::spof::failures(c.design.last());
    let cache = f.iter().find(|f| f.component == "cache").unwrap();
    assert!(cache.single_point);
    assert_eq!(cache.impact, archc::analyze::spof::Impact::Degraded);
    assert!(cache.then.contains("falls on the database"));
}

#[test]
fn analyze_rejects_a_nonsense_availability() {
    let o = run(&["analyze", "examples/journey.arch", "--availability", "120"]);
    assert_eq!(o.status.code(), Some(2));
}

// --- parity ---------------------------------------------------------------------

#[test]
fn every_target_agrees_with_the_model_on_every_example_and_ok_fixture() {
    let mut compared = 0;
    for path in buildable_designs() {
        let design = compile_file(&path);
        for m in &design.stages {
            let mismatches = parity::check_model(m, &Default::default()).unwrap();
            assert!(
                mismatches.is_empty(),
                "{} stage {}:\n{}",
                path.display(),
                m.stage,
                mismatches
                    .iter()
                    .map(|x| x.message())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            for t in Target::ALL {
                compared += parity::expected(t, m).len();
            }
        }
    }
    // The check compares thousands of facts, not none.
    assert!(compared > 2000, "only {compared} facts compared");
}

#[test]
fn every_extractor_reads_the_facts_of_journey_sharded() {
    let d = journey();
    let m = d.stage("sharded").unwrap();
    let has = |t: Target, kind: &str, name: &str, what: &str, value: &str| {
        let files = emit::emit(t, m, &Options::default()).unwrap();
        let facts = parity::extract(t, m, &files);
        assert!(
            facts
                .iter()
                .any(|f| f.kind == kind && f.name == name && f.what == what && f.value == value),
            "{} states no {kind} {name} {what} = {value}: {facts:#?}",
            t.name()
        );
    };
    has(Target::Compose, "db", "db", "replicas of shard 4", "2");
    has(Target::Compose, "cache", "cache", "ttl", "600");
    has(Target::Compose, "lb", "lb", "method to web", "round-robin");
    has(Target::K8s, "web", "web", "max instances", "10");
    has(Target::K8s, "db", "db", "shards", "4");
    has(Target::Nginx, "cdn", "cdn", "ttl on /static", "86400");
    has(Target::Haproxy, "web", "web", "health", "/health");
    has(Target::Terraform, "web", "web", "instances", "2");
    has(Target::Terraform, "db", "db", "replicas of shard 1", "2");
    has(Target::Terraform, "cache", "cache", "ttl", "600");
    has(Target::Terraform, "lb", "lb", "pinned to web", "no");
}

/// Renders a target, applies `edit` to one file, and returns the mismatch messages.
fn altered(t: Target, stage: &str, file: &str, from: &str, to: &str) -> Vec<String> {
    let d = journey();
    let m = d.stage(stage).unwrap();
    let mut files = emit::emit(t, m, &Options::default()).unwrap();
    let f = files.iter_mut().find(|f| f.path == file).unwrap();
    assert!(f.contents.contains(from), "{file} has no `{from}`");
    f.contents = f.contents.replacen(from, to, 1);
    parity::compare(t, m, &files)
        .iter()
        .map(|x| x.message())
        .collect()
}

#[test]
fn the_comparer_reports_deliberately_altered_output() {
    let m = altered(
        Target::Haproxy,
        "sharded",
        "lb.cfg",
        "web-2:8080",
        "web-2:8081",
    );
    assert_eq!(m, ["generated outputs disagree: haproxy/lb.cfg gives `web` port = 8081, the design says 8080"]);
    let m = altered(
        Target::K8s,
        "replicated",
        "10-db-db.yaml",
        "replicas: 3",
        "replicas: 2",
    );
    assert_eq!(m, ["generated outputs disagree: k8s/10-db-db.yaml gives `db` replicas of shard 1 = 1, the design says 2"]);
    let m = altered(
        Target::Terraform,
        "sharded",
        "hosts.tf",
        "min_size                  = 2",
        "min_size                  = 3",
    );
    assert_eq!(m, ["generated outputs disagree: terraform/hosts.tf gives `web` instances = 3, the design says 2"]);
    let m = altered(
        Target::Nginx,
        "balanced",
        "lb.conf",
        "ip_hash;",
        "least_conn;",
    );
    assert!(
        m.iter()
            .any(|x| x.contains("`lb` pinned to web = no, the design says yes")),
        "{m:?}"
    );
    let m = altered(
        Target::Compose,
        "cached",
        "compose.yaml",
        "CACHE_TTL_SECONDS: \"600\"",
        "CACHE_TTL_SECONDS: \"60\"",
    );
    assert!(
        m.iter()
            .any(|x| x.contains("`cache` ttl = 60, the design says 600")),
        "{m:?}"
    );
    // A fact that vanished is reported too.
    let m = altered(
        Target::Haproxy,
        "sharded",
        "lb.cfg",
        "option httpchk GET /health",
        "",
    );
    assert!(
        m.iter().any(|x| x.contains("does not state `web` health")),
        "{m:?}"
    );
}

#[test]
fn check_parity_passes_on_journey_and_names_e0401_in_explain() {
    let o = run(&["check", "--parity", "examples/journey.arch"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["explain", "E0401"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("generated outputs disagree"));
}

#[test]
fn a_parity_mismatch_is_e0401_at_the_component_design_line() {
    let src = "lb haproxy\ndb postgres\nweb x2 behind lb\n";
    let c = archc::compile("t.arch", src);
    let m = c.design.last();
    let mut files = emit::emit(Target::Haproxy, m, &Options::default()).unwrap();
    files[0].contents = files[0].contents.replacen("web-2:8080", "web-2:9", 1);
    let d = parity::diagnostics(m, &parity::compare(Target::Haproxy, m, &files));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "E0401");
    assert!(d[0].is_error());
    let (s, e) = (d[0].span.start as usize, d[0].span.end as usize);
    assert_eq!(&src[s..e], "web x2 behind lb");
}
