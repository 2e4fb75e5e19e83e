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

/// The summary table of `analyze --all-stages` on each target: where each
/// stage raises availability, and where a target's deployment keeps it down.
#[test]
fn analyze_journey_summary_per_target() {
    let mut out = String::new();
    for target in ["terraform", "compose", "k8s"] {
        let o = run(&[
            "analyze",
            "examples/journey.arch",
            "--all-stages",
            "--target",
            target,
        ]);
        assert_eq!(o.status.code(), Some(0));
        let text = stdout(&o);
        let table: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("Summary"))
            .skip(2)
            .take_while(|l| !l.is_empty())
            .collect();
        out.push_str(&format!("--target {target}\n{}\n\n", table.join("\n")));
    }
    insta::assert_snapshot!("analyze__journey__summary_per_target", out);
}

fn analyze_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["analyze", "examples/journey.arch", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Each stage's site availability, by stage name.
fn sites(v: &serde_json::Value) -> Vec<(String, f64)> {
    v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["availability"]["site"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn analyze_json_factors_follow_the_assumptions_and_r_is_their_product() {
    let v = analyze_json(&["--stage", "balanced", "--availability", "99.9"]);
    let s = &v["stages"][0];
    let a = 0.999f64;
    let factors: Vec<f64> = s["availability"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["availability"].as_f64().unwrap())
        .collect();
    // data center x ALB x web(2) x db(no replicas), on terraform
    let want = [0.999, 0.9999, 1.0 - (1.0 - a) * (1.0 - a), a];
    assert_eq!(factors.len(), want.len(), "{factors:?}");
    for (got, want) in factors.iter().zip(want) {
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
    // An ALB runs across the region's zones: no single point on terraform.
    assert!(!spofs.iter().any(|(c, _)| *c == "lb"), "{spofs:?}");
    assert!(spofs.contains(&("db", "site-down")), "{spofs:?}");
    let compose = analyze_json(&["--stage", "balanced", "--target", "compose"]);
    let lb = compose["stages"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["component"] == "lb")
        .unwrap();
    assert_eq!(lb["single_point"], true, "compose's one nginx container");
    assert_eq!(lb["impact"], "site-down");
    assert!(
        !spofs.iter().any(|(c, _)| *c == "web"),
        "two web instances behind an lb are no SPOF: {spofs:?}"
    );
}

#[test]
fn journey_availability_rises_where_the_seed_says_it_does_and_ends_highest() {
    let v = analyze_json(&["--all-stages"]);
    let s = sites(&v);
    let at = |name: &str| s.iter().find(|(n, _)| n == name).unwrap().1;
    // A second web server behind a balancer, then read replicas.
    assert!(at("balanced") > at("split-db"), "{s:?}");
    assert!(at("replicated") > at("balanced"), "{s:?}");
    let last = s.last().unwrap().1;
    assert!(s.iter().all(|(_, x)| *x <= last), "{s:?}");
    // Two data centers, each holding the data, behind failover pairs.
    assert!(at("global") > at("stateless"), "{s:?}");
    // Sharding adds no copy a request needs: the last stage ties global.
    assert!(at("sharded") >= at("global"), "{s:?}");
    let global = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["stage"] == "global")
        .unwrap();
    assert_eq!(global["availability"]["data_in_every_datacenter"], true);
    let notes = global["availability"]["notes"].to_string();
    assert!(
        notes.contains("Every data center holds the data"),
        "{notes}"
    );
    assert!(notes.contains("docs/failover.md"), "{notes}");
}

/// Every stage's figure on compose and k8s, which run one site each: a
/// second data center raises nothing there, and the notes say why.
#[test]
fn one_site_targets_gain_nothing_from_a_second_data_center() {
    for target in ["compose", "k8s"] {
        let v = analyze_json(&["--all-stages", "--target", target]);
        let s = sites(&v);
        let at = |name: &str| s.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(at("global"), at("stateless"), "{target}: {s:?}");
        assert!(at("replicated") > at("balanced"), "{target}: {s:?}");
        let global = &v["stages"][6];
        assert_eq!(global["stage"], "global");
        let notes = global["availability"]["notes"].to_string();
        assert!(notes.contains("streaming replica"), "{notes}");
    }
}

/// The numbers after `= ` on the printed `R` line, their product, and the
/// printed result.
fn printed_product(line: &str) -> (f64, f64) {
    let (factors, result) = line
        .trim()
        .trim_start_matches("= ")
        .rsplit_once(" = ")
        .unwrap();
    let product = factors
        .split(" x ")
        .map(|n| n.parse::<f64>().unwrap())
        .product();
    (product, result.parse().unwrap())
}

#[test]
fn every_printed_figure_is_recomputed_from_its_printed_formula() {
    let o = run(&["analyze", "examples/journey.arch", "--all-stages"]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].trim_start().starts_with("R = ") && !lines[i].trim_start().starts_with("R1 = ")
        {
            i += 1;
            continue;
        }
        // `R = …` or `R1 = …` and `R2 = …`, each followed by its numbers.
        let mut rs = Vec::new();
        while lines[i].trim_start().starts_with('R') {
            let (product, r) = printed_product(lines[i + 1]);
            assert!(
                (product - r).abs() < 1e-9,
                "{} {product} != {r}",
                lines[i + 1]
            );
            rs.push(r);
            i += 2;
        }
        // `site = R = X` or `site = 1-(1-R1)x(1-R2) = 1-(1-N)x(1-N) = X`
        let site_line = lines[i].trim();
        let site: f64 = site_line.rsplit(" = ").next().unwrap().parse().unwrap();
        let recomputed = if site_line.starts_with("site = R = ") {
            rs[0]
        } else {
            assert!(
                site_line.starts_with("site = 1-(1-R1)x(1-R2) = "),
                "{site_line}"
            );
            1.0 - (1.0 - rs[0]) * (1.0 - rs[1])
        };
        assert!((site - recomputed).abs() < 1e-9, "{site_line}");
        // The percentage printed under it says the same number.
        let pct = format!("{:.6}%", site * 100.0);
        assert!(lines[i + 1].contains(&pct), "{} vs {pct}", lines[i + 1]);
        checked += 1;
    }
    assert_eq!(checked, 8, "one estimate per journey stage");
}

#[test]
fn assumptions_change_the_figure_and_an_unknown_key_is_refused_with_the_keys() {
    let base = sites(&analyze_json(&["--stage", "replicated"]))[0].1;
    let dc = sites(&analyze_json(&[
        "--stage",
        "replicated",
        "--assume",
        "datacenter=99.99",
    ]))[0]
        .1;
    assert!((dc / base - 0.9999 / 0.999).abs() < 1e-12, "{base} {dc}");
    let inst = sites(&analyze_json(&[
        "--stage",
        "replicated",
        "--assume",
        "instance=99",
    ]))[0]
        .1;
    assert!(inst < base);
    let o = run(&["analyze", "examples/journey.arch", "--assume", "server=99"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for k in ["instance", "managed-lb", "datacenter", "host"] {
        assert!(err.contains(k), "{err}");
    }
}

#[test]
fn compose_and_terraform_differ_where_their_deployments_do() {
    let tf = analyze_json(&["--stage", "balanced"]);
    let compose = analyze_json(&["--stage", "balanced", "--target", "compose"]);
    let formula = |v: &serde_json::Value, i: usize| {
        v["stages"][0]["availability"]["factors"][i]["formula"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The balancer: an ALB across zones against one container on the host.
    assert_eq!(formula(&tf, 1), "m");
    assert_eq!(formula(&compose, 1), "a");
    assert_eq!(formula(&compose, 0), "h");
    assert!(sites(&compose)[0].1 < sites(&tf)[0].1);
    assert_eq!(tf["target"], "terraform");
    assert_eq!(compose["target"], "compose");
}

#[test]
fn a_second_data_center_that_holds_everything_raises_availability() {
    // No data store: each region serves the whole site, behind failover records.
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.arch");
    std::fs::write(&one, "web x2 behind lb\n").unwrap();
    let two = dir.path().join("two.arch");
    std::fs::write(&two, "web x2 behind lb\ndatacenters us-east-1, eu-west-1\n").unwrap();
    let site = |p: &std::path::Path| {
        let o = run(&["analyze", p.to_str().unwrap(), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["stages"][0]["availability"]["site"].as_f64().unwrap()
    };
    let (r, both) = (site(&one), site(&two));
    assert!(
        (both - (1.0 - (1.0 - r) * (1.0 - r))).abs() < 1e-12,
        "{r} {both}"
    );
}

#[test]
fn a_single_cache_only_degrades_the_site() {
    let c = archc::compile(
        "t.arch",
        "web x2 behind lb\nlb nginx\ndb postgres with 1 replica\ncache redis x1 ttl 1m\n",
    );
    let f = archc::analyze::spof::failures(
        c.design.last(),
        archc::analyze::availability::Deploy::Terraform,
    );
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
        "region/hosts.tf",
        "min_size                  = 2",
        "min_size                  = 3",
    );
    assert_eq!(m, ["generated outputs disagree: terraform/region/hosts.tf gives `web` instances = 3, the design says 2"]);
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

/// `archc diff` and `archc analyze` give a stage the same availability, and
/// the diff names the single points of failure a second data center changes.
#[test]
fn diff_availability_agrees_with_analyze() {
    let o = run(&[
        "diff",
        "examples/journey.arch",
        "--from",
        "stateless",
        "--to",
        "global",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = sites(&analyze_json(&["--all-stages"]));
    let at = |name: &str| a.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(d["availability"]["from"].as_f64().unwrap(), at("stateless"));
    assert_eq!(d["availability"]["to"].as_f64().unwrap(), at("global"));
    let added = d["availability"]["added"].to_string();
    assert!(
        added.contains("data center us-east-1 (the primary data center, degraded)"),
        "{added}"
    );
    let removed = d["availability"]["removed"].to_string();
    assert!(
        removed.contains("data center us-east-1 (the whole data center, site down)"),
        "{removed}"
    );
}
