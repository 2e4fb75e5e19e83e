//! `archc estimate` and the load model (docs/estimate.md): behaviour that a
//! change of the model must keep, each asserted from the figures themselves.

use crate::cli::archc;
use archc::estimate::{self, Estimate, Tier};

fn stage(src: &str) -> Estimate {
    let c = archc::compile("t.arch", src);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    estimate::estimate(c.design.last(), None)
}

fn tier<'e>(e: &'e Estimate, name: &str) -> &'e Tier {
    e.tiers
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tier {name} in {:?}", e.tiers))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn doubling_web_instances_doubles_what_the_web_bottleneck_carries() {
    let one = stage("traffic 100k users\nweb x2 behind lb\ndb with 2 replicas\n");
    let two = stage("traffic 100k users\nweb x4 behind lb\ndb with 2 replicas\n");
    assert_eq!(one.bottleneck.as_deref(), Some("web"));
    let (a, b) = (
        tier(&one, "web").users_supported.unwrap(),
        tier(&two, "web").users_supported.unwrap(),
    );
    assert!(close(b, 2.0 * a), "{a} then {b}");
    assert!(close(one.users_supported.unwrap(), a));
}

#[test]
fn the_peak_is_users_times_requests_times_peak_over_a_day() {
    let e =
        stage("traffic 864k users, 10 requests per user, peak 2x, reads 75%\nweb x2 behind lb\n");
    let l = e.load.clone().unwrap();
    assert!(close(l.average_rps, 100.0));
    assert!(close(l.peak_rps, 200.0));
    assert!(close(l.peak_reads, 150.0));
    assert!(close(l.peak_writes, 50.0));
    assert!(close(tier(&e, "web").peak_load.unwrap(), 200.0));
}

#[test]
fn cache_hits_take_exactly_their_share_of_reads_off_the_database() {
    let base =
        "traffic 864k users, 10 requests per user, peak 1x, reads 80%\nweb x2 behind lb\ndb\n";
    let without = stage(base);
    let with = stage(&format!("{base}cache x2 ttl 1m evict lru hits 75%\n"));
    // 100 rps: 80 reads, 20 writes, each making QUERIES_PER_REQUEST
    // queries; the cache answers 75% of the reads.
    let q = estimate::defaults::QUERIES_PER_REQUEST;
    assert!(close(tier(&without, "db").peak_load.unwrap(), 100.0 * q));
    let db = tier(&with, "db").peak_load.unwrap();
    assert!(close(db, (80.0 * 0.25 + 20.0) * q), "{db}");
    assert!(close(tier(&with, "cache").peak_load.unwrap(), 80.0 * q));
}

#[test]
fn a_shard_gets_one_nth_and_writes_go_to_its_primary_only() {
    let src = |shards: u32| {
        format!("traffic 864k users, 10 requests per user, peak 1x, reads 80%\nweb x2 behind lb\ndb sharded by user_id x{shards} with 1 replica capacity 1000 qps\n")
    };
    let one = stage(&src(1));
    let four = stage(&src(4));
    let whole = tier(&one, "db").peak_load.unwrap();
    for i in 1..=4 {
        let s = tier(&four, &format!("db-shard-{i}"));
        assert!(close(s.peak_load.unwrap(), whole / 4.0));
    }
    // Per shard 20 read and 5 write requests a second, q queries each: the
    // primary takes 20q/2 + 5q = 15q qps of 1000, so the shard is full at
    // 25q × 1000 / 15q.
    let q = estimate::defaults::QUERIES_PER_REQUEST;
    let s = tier(&four, "db-shard-1");
    assert!(close(s.utilisation.unwrap(), 15.0 * q / 1000.0), "{s:?}");
    assert!(close(s.capacity, 25.0 * 1000.0 / 15.0));
}

#[test]
fn cdn_paths_leave_the_web_tier_and_autoscale_counts_its_maximum() {
    let base = "traffic 864k users, 10 requests per user, peak 1x\nweb autoscale 2..6 behind lb capacity 100 rps\n";
    let e = stage(&format!("{base}cdn for /static ttl 1d\n"));
    let share = 1.0 - estimate::defaults::CDN_STATIC_PERCENT / 100.0;
    let web = tier(&e, "web");
    assert!(close(web.peak_load.unwrap(), 100.0 * share));
    assert_eq!(web.instances, 6);
    assert!(close(web.capacity, 600.0));
}

#[test]
fn capacity_replaces_the_size_default_and_defaults_are_named() {
    let d = stage("traffic 10k users\nweb x2 behind lb size medium\n");
    assert!(close(
        tier(&d, "web").per_instance,
        estimate::defaults::web_rps(archc::model::SizeClass::Medium)
    ));
    assert!(
        d.defaults_used
            .iter()
            .any(|s| s.contains("web size medium")),
        "{:?}",
        d.defaults_used
    );
    assert!(d.defaults_used.iter().any(|s| s.contains("peak")));
    let c = stage("traffic 10k users, peak 2x\nweb x2 behind lb capacity 77 rps\n");
    assert!(close(tier(&c, "web").per_instance, 77.0));
    assert!(!c.defaults_used.iter().any(|s| s.contains("web size")));
    assert!(!c.defaults_used.iter().any(|s| s.contains("peak")));
}

#[test]
fn usage_counts_a_month_of_requests_bytes_and_jobs() {
    let e = stage("traffic 1000 users, 10 requests per user, reads 90%, 1mb per response\nweb\nqueue jobs\nworker consumes jobs\n");
    let u = e.usage.unwrap();
    let month = 730.0 / 24.0;
    assert!(close(u.requests_per_month, 10_000.0 * month));
    assert!(close(
        u.gb_out_per_month,
        10_000.0 * month * 1024.0 * 1024.0 / 1e9
    ));
    assert!(close(
        u.queue_messages_per_month,
        1_000.0 * month * estimate::defaults::JOBS_PER_WRITE
    ));
}

#[test]
fn traffic_is_inherited_and_replaced_like_logs() {
    let c = archc::compile(
        "t.arch",
        "stage a {\n  traffic 10k users\n  web\n}\nstage b {\n  web x2 behind lb\n}\nstage c {\n  traffic 1m users\n}\nstage d {\n  drop traffic\n}\n",
    );
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let users: Vec<Option<f64>> = c
        .design
        .stages
        .iter()
        .map(|m| m.traffic.as_ref().map(|t| t.users))
        .collect();
    assert_eq!(
        users,
        [Some(10_000.0), Some(10_000.0), Some(1_000_000.0), None]
    );
}

#[test]
fn numbers_never_change_what_a_target_deploys() {
    let plain = archc::compile(
        "t.arch",
        "web x3 behind lb\ndb with 1 replica\ncache x2 ttl 1m evict lru\n",
    );
    // `traffic` last, so that every statement keeps its line (the headers quote it).
    let loaded = archc::compile(
        "t.arch",
        "web x3 behind lb capacity 300 rps\ndb with 1 replica capacity 900 qps\ncache x2 ttl 1m evict lru hits 90%\ntraffic 2m users, peak 4x\n",
    );
    for target in archc::emit::Target::ALL {
        let a = archc::emit::emit(target, plain.design.last(), &Default::default()).unwrap();
        let b = archc::emit::emit(target, loaded.design.last(), &Default::default()).unwrap();
        let strip = |files: &[archc::emit::OutFile]| -> Vec<(String, String)> {
            files
                .iter()
                .map(|f| {
                    (
                        f.path.clone(),
                        f.contents
                            .lines()
                            .filter(|l| !l.contains("From design lines"))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    )
                })
                .collect()
        };
        assert_eq!(strip(&a), strip(&b), "{target:?}");
    }
}

#[test]
fn without_traffic_capacities_are_printed_and_load_is_not_estimated() {
    let dir = crate::common::visible_tempdir();
    let p = dir.path().join("s.arch");
    std::fs::write(&p, "web x2 behind lb\ndb\n").unwrap();
    let out = archc().args(["estimate"]).arg(&p).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("load is not estimated"), "{text}");
    assert!(text.contains("100 rps"), "two small web instances: {text}");
}

/// `archc estimate --all-stages --format json` of tests/fixtures/ok/load.arch,
/// which must succeed.
fn load_fixture_estimate_json() -> serde_json::Value {
    let p = crate::common::repo().join("tests/fixtures/ok/load.arch");
    let out = archc()
        .args(["estimate", "--all-stages", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_keys_the_issue_names() {
    let v = load_fixture_estimate_json();
    let stages = v["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2);
    for s in stages {
        for k in [
            "name",
            "users_supported",
            "bottleneck",
            "tiers",
            "monthly_cost_usd",
            "cost_lines",
        ] {
            assert!(s.get(k).is_some(), "no {k} in {s}");
        }
        for t in s["tiers"].as_array().unwrap() {
            for k in [
                "name",
                "peak_load",
                "capacity",
                "utilisation",
                "users_supported",
            ] {
                assert!(t.get(k).is_some(), "no {k} in {t}");
            }
        }
        let bottleneck = s["bottleneck"].as_str().unwrap();
        assert!(s["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == bottleneck));
    }
}

/// The journey, stage by stage: what each carries, what gives out first and
/// what the next stage does (the README's tour quotes it).
#[test]
fn journey_estimate_of_every_stage() {
    let out = archc()
        .args(["estimate", "examples/journey.arch", "--all-stages"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("estimate__journey", text);
}

#[test]
fn cost_is_priced_from_the_estimates_usage_and_totals_its_lines() {
    let v = load_fixture_estimate_json();
    for s in v["stages"].as_array().unwrap() {
        let lines = s["cost_lines"].as_array().unwrap();
        assert!(!lines.is_empty());
        let sum: f64 = lines.iter().filter_map(|l| l["monthly_usd"].as_f64()).sum();
        let total = s["monthly_cost_usd"].as_f64().unwrap();
        assert!(close(sum, total), "{sum} vs {total}");
        // With traffic, the requests of the month reach the usage lines.
        let requests = s["usage"]["requests_per_month"].as_f64().unwrap();
        assert!(requests > 0.0);
    }
    // The same through the library: cost's Usage is the estimate's.
    let c = archc::compile("t.arch", "traffic 10k users\nweb x2 behind lb\n");
    let m = c.design.last();
    let mut e = estimate::estimate(m, None);
    estimate::add_cost(&mut e, m, archc::cost::builtin_prices()).unwrap();
    let direct = archc::cost::monthly_cost(
        m,
        archc::cost::builtin_prices(),
        Some(&e.usage.unwrap().into()),
    )
    .unwrap();
    assert_eq!(e.cost_lines, direct);
}

#[test]
fn a_price_file_that_does_not_load_is_named_with_its_key_and_exits_1() {
    let dir = crate::common::visible_tempdir();
    let prices = dir.path().join("prices.json");
    std::fs::write(&prices, "{}").unwrap();
    let out = archc()
        .args(["estimate", "examples/journey.arch", "--prices"])
        .arg(&prices)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("prices.json") && err.contains("as_of"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

/// A region the language accepts but the built-in table does not price still
/// gets its load estimated (exit 0); the stage says why it has no cost. With
/// the user's own table, a missing region stays an error (exit 1).
#[test]
fn a_region_the_builtin_prices_lack_is_estimated_without_a_cost() {
    let dir = crate::common::visible_tempdir();
    let design = dir.path().join("cape.arch");
    std::fs::write(
        &design,
        "system cape\nregion af-south-1\ntraffic 10k users\nweb x2 behind lb\n",
    )
    .unwrap();
    let out = archc()
        .args(["estimate", "--format", "json"])
        .arg(&design)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["stages"][0];
    assert!(s["users_supported"].as_f64().unwrap() > 0.0);
    assert!(s["monthly_cost_usd"].is_null());
    assert!(s["cost_not_priced"]
        .as_str()
        .unwrap()
        .contains("af-south-1"));
    // The user's own table (here the built-in one, written out) must have it.
    let prices = dir.path().join("prices.json");
    std::fs::write(&prices, include_str!("../../src/cost/prices.json")).unwrap();
    let out = archc()
        .args(["estimate", "--prices"])
        .arg(&prices)
        .arg(&design)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("regions.af-south-1"));
}
