//! The cost estimate agrees with what is deployed (issue 15, item 4): for
//! every example stage, the Terraform `archc build` writes is read back, the
//! instance-priced lines are recomputed from its resources (types, counts,
//! volume sizes) with the price table, and they must equal `monthly_cost`'s.

use crate::common;
use archc::cost::{builtin_prices, monthly_cost, CostLine, Prices};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One top-level block of a .tf file: `resource "TYPE" "LABEL" { … }`.
struct Block {
    kind: String,
    label: String,
    body: String,
}

/// The `resource` blocks of a file (each closes with `}` at column 0).
fn resources(text: &str) -> Vec<Block> {
    common::tf_blocks(text, "resource")
        .into_iter()
        .map(|(kind, label, body)| Block { kind, label, body })
        .collect()
}

/// The value of `key = value` in a block's body (first occurrence, any
/// depth), without quotes.
fn attr<'b>(b: &'b Block, key: &str) -> Option<&'b str> {
    b.body.lines().find_map(|l| {
        let (k, v) = l.trim().split_once(" = ")?;
        (k.trim() == key).then(|| v.trim().trim_matches('"'))
    })
}

/// A number attribute; a trailing `# comment` is not part of it.
fn num(b: &Block, key: &str) -> u32 {
    let v = attr(b, key).unwrap_or_else(|| panic!("{} {} has no {key}", b.kind, b.label));
    let v = v.split('#').next().unwrap().trim();
    v.parse()
        .unwrap_or_else(|_| panic!("{} {}: {key} = {v} is not a number", b.kind, b.label))
}

/// The label a reference names: `aws_launch_template.web.id` -> `web`; in a
/// multi-region module, `local.primaries.rds_db.arn` -> `db`.
fn referenced(b: &Block, key: &str) -> String {
    let v = attr(b, key).unwrap();
    if let Some(rest) = v.strip_prefix("local.primaries.rds_") {
        return rest.trim_end_matches(".arn").to_string();
    }
    v.split('.').nth(1).unwrap().to_string()
}

/// A `count` in a multi-region module: `var.primary ? N : 0` in the
/// primary region (`primary`) or elsewhere; a plain number; 1 without.
fn count(b: &Block, primary: bool) -> u32 {
    match attr(b, "count") {
        None => 1,
        Some(v) => match v.strip_prefix("var.primary ? ") {
            Some(rest) => {
                let (yes, no) = rest.split_once(" : ").unwrap();
                (if primary { yes } else { no }).trim().parse().unwrap()
            }
            None => num(b, "count"),
        },
    }
}

/// What one deployment of a stage runs, read from its .tf files:
/// (category, type) -> instances, and the EBS / RDS storage in GB.
#[derive(Default, Debug, PartialEq)]
struct Deployed {
    instances: BTreeMap<(String, String), u32>,
    ebs_gb: u32,
    rds_gb: u32,
}

/// The engine of each RDS instance class deployed, for its price.
type Engines = BTreeMap<String, String>;

fn read_deployed(dir: &Path, primary: bool) -> (Deployed, Engines) {
    let mut blocks = Vec::new();
    // A multi-region root's resources are its module's (region/).
    let dirs = [dir.to_path_buf(), dir.join("region")];
    for d in dirs.iter().filter(|d| d.is_dir()) {
        for f in std::fs::read_dir(d).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "tf") {
                blocks.extend(resources(&std::fs::read_to_string(p).unwrap()));
            }
        }
    }
    let by = |kind: &str, label: &str| {
        blocks
            .iter()
            .find(|b| b.kind == kind && b.label == label)
            .unwrap_or_else(|| panic!("no {kind}.{label}"))
    };
    let mut d = Deployed::default();
    let mut engines = Engines::new();
    let add = |d: &mut Deployed, cat: &str, ty: &str, n: u32| {
        *d.instances.entry((cat.into(), ty.into())).or_default() += n;
    };
    for b in &blocks {
        let host = |n: u32, d: &mut Deployed| {
            let lt = by("aws_launch_template", &referenced(b, "id"));
            add(d, "ec2", attr(lt, "instance_type").unwrap(), n);
            d.ebs_gb += n * num(lt, "volume_size");
        };
        match b.kind.as_str() {
            "aws_instance" => host(1, &mut d),
            "aws_autoscaling_group" => host(num(b, "min_size"), &mut d),
            "aws_db_instance" if count(b, primary) == 0 => {}
            "aws_db_instance" => {
                let primary = match attr(b, "replicate_source_db") {
                    Some(_) => by("aws_db_instance", &referenced(b, "replicate_source_db")),
                    None => b,
                };
                let engine = attr(primary, "engine").unwrap();
                let class = attr(b, "instance_class").unwrap();
                // A Multi-AZ instance runs a standby of the same class and
                // storage (var.rds_multi_az, on by default).
                let n = match attr(b, "multi_az") {
                    Some("var.rds_multi_az") => 2,
                    _ => 1,
                };
                add(&mut d, "rds", class, n);
                engines.insert(class.to_string(), engine.to_string());
                d.rds_gb += n * num(primary, "allocated_storage");
            }
            "aws_elasticache_replication_group" => {
                let n = num(b, "num_cache_clusters");
                add(&mut d, "elasticache", attr(b, "node_type").unwrap(), n);
            }
            "aws_elasticache_cluster" => {
                let n = num(b, "num_cache_nodes");
                add(&mut d, "elasticache", attr(b, "node_type").unwrap(), n);
            }
            "aws_docdb_cluster_instance" => {
                let n = count(b, primary);
                if n > 0 {
                    add(&mut d, "docdb", attr(b, "instance_class").unwrap(), n);
                }
            }
            "aws_lb" => add(&mut d, "alb", "ALB", 1),
            "aws_nat_gateway" => add(&mut d, "nat", "NAT gateway", 1),
            _ => {}
        }
    }
    (d, engines)
}

/// The same, from the instance-priced cost lines of one region: the type
/// and count are the formula's first two terms (`3 x t3.small x 730 h …`).
fn priced(lines: &[CostLine], region: &str) -> (Deployed, f64) {
    let mut d = Deployed::default();
    let mut dollars = 0.0;
    for l in lines.iter().filter(|l| l.region == region) {
        let terms: Vec<&str> = l.formula.split(" x ").collect();
        match l.unit.as_str() {
            "instance-hours" | "node-hours" | "hours" => {
                let cat = match l.resource.as_str() {
                    "aws_instance" | "aws_autoscaling_group" => "ec2".to_string(),
                    "aws_db_instance" => "rds".into(),
                    r if r.starts_with("aws_elasticache") => "elasticache".into(),
                    "aws_docdb_cluster_instance" => "docdb".into(),
                    "aws_lb" => "alb".into(),
                    "aws_nat_gateway" => "nat".into(),
                    r => panic!("unexpected instance-priced resource {r}"),
                };
                let n: u32 = terms[0].parse().unwrap();
                *d.instances.entry((cat, terms[1].into())).or_default() += n;
                dollars += l.monthly_usd.unwrap();
            }
            "GB-month" if l.item.starts_with("EBS") => {
                d.ebs_gb += l.quantity as u32;
                dollars += l.monthly_usd.unwrap();
            }
            "GB-month" if l.item.starts_with("RDS storage") => {
                d.rds_gb += l.quantity as u32;
                dollars += l.monthly_usd.unwrap();
            }
            _ => {}
        }
    }
    (d, dollars)
}

/// The monthly dollars of a deployment, recomputed from the files.
fn dollars(d: &Deployed, engines: &Engines, p: &Prices, region: &str) -> f64 {
    let mut total = 0.0;
    for ((cat, ty), n) in &d.instances {
        let key: Vec<&str> = match cat.as_str() {
            "ec2" => vec!["ec2", ty],
            "elasticache" => vec!["elasticache", ty],
            "docdb" => vec!["docdb", "instances", ty],
            "alb" => vec!["alb", "hour"],
            "nat" => vec!["nat", "hour"],
            _ => vec!["rds", &engines[ty], ty],
        };
        let mut path = vec!["regions", region];
        path.extend(key);
        total += f64::from(*n) * p.hours_per_month * p.price(&path, ty).unwrap();
    }
    let gp3 = p
        .price(&["regions", region, "ebs", "gp3_gb_month"], "ebs")
        .unwrap();
    let rds = p
        .price(&["regions", region, "rds_storage", "gp3_gb_month"], "rds")
        .unwrap();
    total + f64::from(d.ebs_gb) * gp3 + f64::from(d.rds_gb) * rds
}

/// The regions a stage's Terraform deploys, each with whether it holds the
/// databases' primaries: `var.region`'s default, then each data center a
/// provider alias names; in a multi-region root, each provider alias's
/// region, the default provider's (the first) being the primary.
fn regions(dir: &Path) -> Vec<(String, bool)> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    if dir.join("region").is_dir() {
        let all: Vec<String> = read("versions.tf")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("region = \""))
            .map(|r| r.trim_end_matches('"').to_string())
            .collect();
        let primary = all[0].clone();
        return all[1..]
            .iter()
            .map(|r| (r.clone(), *r == primary))
            .collect();
    }
    let variables = read("variables.tf");
    let home = variables
        .split("variable \"region\"")
        .nth(1)
        .and_then(|v| v.lines().find(|l| l.trim().starts_with("default")))
        .map(|l| l.split('"').nth(1).unwrap().to_string())
        .expect("variables.tf gives the region a default");
    let mut out = vec![home];
    for l in read("versions.tf").lines() {
        if let Some(r) = l.trim().strip_prefix("region = \"") {
            out.push(r.trim_end_matches('"').to_string());
        }
    }
    out.into_iter().map(|r| (r, true)).collect()
}

/// Builds `file`'s Terraform for every stage and checks each deployment;
/// returns how many (stage, region) deployments were checked.
fn check_against_terraform(file: &Path, out: &Path) -> usize {
    let prices = builtin_prices();
    let dir = out.join(file.file_stem().unwrap());
    let status = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["build", "--all-stages", "-t", "terraform", "-o"])
        .arg(&dir)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let design = common::compile_file(file);
    let mut checked = 0;
    for m in &design.stages {
        let tf = dir.join(&m.stage).join("terraform");
        let tf = if tf.exists() {
            tf
        } else {
            dir.join("terraform")
        };
        let lines = monthly_cost(m, prices, None).unwrap();
        for (region, primary) in regions(&tf) {
            let (deployed, engines) = read_deployed(&tf, primary);
            let (from_lines, line_dollars) = priced(&lines, &region);
            let what = format!("{} stage {} in {region}", file.display(), m.stage);
            assert_eq!(from_lines, deployed, "{what}: cost lines vs terraform");
            let expected = dollars(&deployed, &engines, prices, &region);
            assert!(
                (line_dollars - expected).abs() < 0.05,
                "{what}: lines say ${line_dollars:.2}, terraform recomputes ${expected:.2}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn instance_priced_lines_match_the_generated_terraform() {
    let out = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for example in ["journey", "media", "site", "startup"] {
        let file = common::repo().join(format!("examples/{example}.arch"));
        checked += check_against_terraform(&file, out.path());
    }
    // journey: 6 stages in one region, 2 in two; media: 2; site, startup: 1.
    assert_eq!(checked, 14, "deployments checked");
}

/// The same over every design that must build (the `ok` fixtures hold
/// MySQL, Memcached, DocumentDB, DynamoDB, colocated caches, many tiers).
#[test]
fn every_buildable_design_is_priced_as_deployed() {
    let out = tempfile::tempdir().unwrap();
    for file in common::buildable_designs() {
        check_against_terraform(&file, out.path());
    }
}

/// Every journey stage's lines and total, as a reader would check them by
/// hand: without usage (usage-priced lines not estimated), then the last
/// stage with a month of traffic.
#[test]
fn journey_cost_lines() {
    let design = common::compile_file(&common::repo().join("examples/journey.arch"));
    let prices = builtin_prices();
    let mut out = format!("prices: {} ({})\n", prices.as_of, prices.file);
    let table = |out: &mut String, lines: &[CostLine]| {
        for l in lines {
            let amount = match l.monthly_usd {
                Some(usd) => format!("{usd:>9.2}"),
                None => format!("{:>9}", "-"),
            };
            out.push_str(&format!("  {amount}  {:<38} {}\n", l.item, l.formula));
        }
        out.push_str(&format!(
            "  {:>9.2}  total\n",
            archc::cost::total_usd(lines)
        ));
    };
    for m in &design.stages {
        out.push_str(&format!("\nstage {}\n", m.stage));
        table(&mut out, &monthly_cost(m, prices, None).unwrap());
    }
    let usage = archc::cost::Usage {
        requests_per_month: 300_000_000.0,
        gb_out_per_month: 3_000.0,
        queue_messages_per_month: 10_000_000.0,
    };
    out.push_str("\nstage sharded, 300M requests, 3000 GB out, 10M messages a month\n");
    table(
        &mut out,
        &monthly_cost(design.last(), prices, Some(&usage)).unwrap(),
    );
    insta::assert_snapshot!(out);
}
