//! Tests for the `terraform` target: the real `terraform validate` on every design
//! and stage, golden files for the examples, and behaviour read back from the HCL.

use crate::common;
use archc::emit::{self, OutFile, Target};
use archc::model::{CacheEngine, LbMethod, Model};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

fn render(m: &Model) -> Vec<OutFile> {
    emit::emit(Target::Terraform, m, &emit::Options::default()).unwrap()
}

/// Every stage of every buildable design: (design stem, model).
fn all_models() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    for path in common::buildable_designs() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for m in common::compile_file(&path).stages {
            out.push((stem.clone(), m));
        }
    }
    out
}

/// All generated files of a stage joined, for whole-configuration searches.
fn joined(files: &[OutFile]) -> String {
    files
        .iter()
        .map(|f| f.contents.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level blocks `resource|data "TYPE" "LABEL" { … }` of a configuration:
/// (label, body). Generated files close top-level blocks with `}` in column 0.
fn blocks(text: &str, kind: &str, ty: &str) -> Vec<(String, String)> {
    common::tf_blocks(text, kind)
        .into_iter()
        .filter(|(t, _, _)| t == ty)
        .map(|(_, label, body)| (label, body))
        .collect()
}

fn resources(text: &str, ty: &str) -> Vec<(String, String)> {
    blocks(text, "resource", ty)
}

fn resource(text: &str, ty: &str, label: &str) -> String {
    resources(text, ty)
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no resource {ty}.{label} in:\n{text}"))
        .1
}

/// The value of `key = value` in a block body (first match, any depth).
fn attr<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    body.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The emitter's label rule: the kind alone when the name is the kind.
fn label(kind: &str, name: &str) -> String {
    if name == kind {
        kind.to_string()
    } else {
        format!("{kind}_{}", name.replace('-', "_"))
    }
}

// ---------------------------------------------------------------------------
// the real tool
// ---------------------------------------------------------------------------

fn plugin_dir() -> PathBuf {
    std::env::var_os("ARCHC_TF_PLUGIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"))
}

fn terraform(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run terraform ({e}): the terraform tests need the terraform CLI and the \
                 offline AWS provider in {}; run scripts/install-tools",
                plugin_dir().display()
            )
        })
}

/// `terraform init` once, offline, in `dir` (an empty configuration that needs
/// the AWS provider); every directory validated afterwards reuses its
/// `.terraform` (a symlink) and lock file instead of running init again.
fn init_shared(dir: &Path) {
    assert!(
        plugin_dir().is_dir(),
        "the offline AWS provider is missing from {}: run scripts/install-tools",
        plugin_dir().display()
    );
    std::fs::write(
        dir.join("versions.tf"),
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}\n",
    )
    .unwrap();
    if let Err(e) = init_offline(dir) {
        panic!("{e} (run scripts/install-tools)");
    }
}

/// `terraform init` in `dir` from the offline provider directory; `Err`
/// with terraform's output when it fails.
fn init_offline(dir: &Path) -> Result<(), String> {
    let plugins = format!("-plugin-dir={}", plugin_dir().display());
    let out = terraform(
        dir,
        &[
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
            &plugins,
        ],
    );
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "terraform init failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// `terraform validate -json` in `dir`; `Err` with every diagnostic when the
/// configuration is invalid or has warnings.
fn validate(dir: &Path, shared: &Path) -> Result<(), String> {
    if dir.join("region").is_dir() {
        // A multi-region root: init records its module (region/), which a
        // shared .terraform does not know.
        init_offline(dir)?;
    } else {
        std::os::unix::fs::symlink(shared.join(".terraform"), dir.join(".terraform")).unwrap();
        std::fs::copy(
            shared.join(".terraform.lock.hcl"),
            dir.join(".terraform.lock.hcl"),
        )
        .unwrap();
    }
    let out = terraform(dir, &["validate", "-json", "-no-color"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "terraform validate printed no JSON ({e}):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let valid = doc["valid"] == serde_json::Value::Bool(true);
    let warnings = doc["warning_count"].as_u64().unwrap_or(0);
    if valid && warnings == 0 && out.status.success() {
        return Ok(());
    }
    let mut msg = String::new();
    for d in doc["diagnostics"].as_array().into_iter().flatten() {
        let r = &d["range"];
        msg.push_str(&format!(
            "{}: {}:{}: {}\n    {}\n",
            d["severity"].as_str().unwrap_or("?"),
            r["filename"].as_str().unwrap_or("?"),
            r["start"]["line"],
            d["summary"].as_str().unwrap_or(""),
            d["detail"].as_str().unwrap_or("").replace('\n', "\n    "),
        ));
    }
    Err(msg)
}

#[test]
fn terraform_validate_accepts_every_design_and_stage() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    init_shared(&shared);

    let mut dirs = Vec::new();
    for (design, m) in all_models() {
        let files = render(&m);
        assert!(!files.is_empty(), "{design}/{}: no files", m.stage);
        let dir = tmp.path().join(&design).join(&m.stage).join("terraform");
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            // A multi-region stage's module is in region/.
            let path = dir.join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, f.contents).unwrap();
        }
        dirs.push((format!("{design}/{}", m.stage), dir));
    }

    // Two at a time: validate loads the 700 MB provider schema, CPU-bound.
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((name, dir)) = dirs.get(i) else {
                    break;
                };
                if let Err(e) = validate(dir, &shared) {
                    failures.lock().unwrap().push(format!("{name}:\n{e}"));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "terraform validate rejected {} of {} directories:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
    eprintln!(
        "terraform validate: {} directories valid in {:.1} s",
        dirs.len(),
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// golden files
// ---------------------------------------------------------------------------

#[test]
fn snapshots_of_the_examples() {
    for design in ["journey", "site", "media", "startup"] {
        let path = common::repo()
            .join("examples")
            .join(format!("{design}.arch"));
        for m in common::compile_file(&path).stages {
            for f in render(&m) {
                // `region/data.tf` (a multi-region module) as `region__data.tf`.
                insta::assert_snapshot!(
                    format!(
                        "terraform__{design}__{}__{}",
                        m.stage,
                        f.path.replace('/', "__")
                    ),
                    f.contents
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// behaviour
// ---------------------------------------------------------------------------

#[test]
fn every_file_names_its_source_and_stage_and_output_is_deterministic() {
    for (design, m) in all_models() {
        let a = render(&m);
        assert_eq!(
            a,
            render(&m),
            "{design}/{}: output differs between runs",
            m.stage
        );
        let header = format!(
            "# Generated by archc from {}, stage \"{}\". Do not edit.\n",
            m.source_name, m.stage
        );
        // Every file is HCL but the README (tests/it/readme.rs), written last.
        let (readme, tf) = a.split_last().unwrap();
        assert_eq!(readme.path, "README.md");
        for f in tf {
            assert!(
                f.contents.starts_with(&header),
                "{design}/{}/{}",
                m.stage,
                f.path
            );
            assert!(f.path.ends_with(".tf"), "{}", f.path);
        }
        let names: Vec<_> = a.iter().map(|f| f.path.as_str()).collect();
        assert!(names.contains(&"versions.tf"), "{names:?}");
    }
}

#[test]
fn provider_is_pinned_and_tags_every_resource() {
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        assert!(text.contains("source  = \"hashicorp/aws\""), "{design}");
        assert!(text.contains("version = \"~> 5.0\""), "{design}");
        assert!(text.contains("required_version = \">= 1.5\""), "{design}");
        assert!(text.contains("managed-by = \"archc\""), "{design}");
        assert!(
            text.contains(&format!("system     = \"{}\"", m.system)),
            "{design}"
        );
        assert!(
            text.contains(&format!("stage      = \"{}\"", m.stage)),
            "{design}"
        );
        match m.datacenters.as_ref().filter(|d| d.regions.len() > 1) {
            // Several data centers: a provider per region, a module each.
            Some(dc) => {
                for r in &dc.regions {
                    let l = r.replace('-', "_");
                    assert!(
                        text.contains(&format!("alias  = \"{l}\"\n  region = \"{r}\"")),
                        "{design}: provider {r}"
                    );
                    assert!(
                        text.contains(&format!("module \"{l}\" {{")),
                        "{design}: module {r}"
                    );
                }
                assert!(!text.contains("default     = \""), "{design}");
            }
            None => {
                let region = format!("default     = \"{}\"", m.region);
                assert!(text.contains(&region), "{design}: region default");
            }
        }
    }
}

#[test]
fn autoscaling_groups_match_the_model() {
    let mut checked = 0;
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        for w in &m.webs {
            let l = label("web", &w.name);
            let lt = resource(&text, "aws_launch_template", &l);
            assert_eq!(
                attr(&lt, "instance_type"),
                Some(format!("\"{}\"", w.resources.ec2_type).as_str()),
                "{ctx}"
            );
            if w.lb.is_none() {
                // One public host, no autoscaling group.
                resource(&text, "aws_instance", &l);
                assert!(resources(&text, "aws_autoscaling_group")
                    .iter()
                    .all(|(x, _)| x != &l));
                continue;
            }
            let asg = resource(&text, "aws_autoscaling_group", &l);
            let (min, max) = w
                .autoscale
                .as_ref()
                .map_or((w.count, w.count), |a| (a.min, a.max));
            assert_eq!(
                attr(&asg, "min_size"),
                Some(min.to_string().as_str()),
                "{ctx}"
            );
            assert_eq!(
                attr(&asg, "max_size"),
                Some(max.to_string().as_str()),
                "{ctx}"
            );
            assert_eq!(
                attr(&asg, "desired_capacity"),
                Some(min.to_string().as_str()),
                "{ctx}"
            );
            assert!(
                asg.contains(&format!("aws_lb_target_group.{l}.arn")),
                "{ctx}"
            );
            let policy = resources(&text, "aws_autoscaling_policy")
                .into_iter()
                .find(|(x, _)| x == &format!("{l}_cpu"));
            match &w.autoscale {
                Some(a) => {
                    let (_, p) = policy.unwrap_or_else(|| panic!("{ctx}: no scaling policy"));
                    assert!(p.contains("ASGAverageCPUUtilization"), "{ctx}");
                    assert_eq!(
                        attr(&p, "target_value"),
                        Some(a.cpu_percent.to_string().as_str()),
                        "{ctx}"
                    );
                }
                None => assert!(policy.is_none(), "{ctx}: fixed count needs no policy"),
            }
            checked += 1;
        }
        for wk in &m.workers {
            let asg = resource(&text, "aws_autoscaling_group", &label("worker", &wk.name));
            for k in ["min_size", "max_size", "desired_capacity"] {
                assert_eq!(attr(&asg, k), Some(wk.count.to_string().as_str()), "{ctx}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} groups checked");
}

#[test]
fn target_groups_check_health_and_route_as_the_lb_says() {
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        assert_eq!(resources(&text, "aws_lb").len(), m.lbs.len(), "{ctx}");
        for lb in &m.lbs {
            // With a domain every load balancer forwards on HTTPS (443) and
            // only redirects on its HTTP port: the first at the domain, the
            // others at <name>.<domain>; without one they forward on HTTP.
            let lb_label = label("lb", &lb.name);
            let listener = resource(&text, "aws_lb_listener", &lb_label);
            let https = m.datacenters.is_some();
            if https {
                let cert = resource(&text, "aws_acm_certificate", &lb_label);
                let want = if m.lbs[0].name == lb.name {
                    "var.domain".to_string()
                } else {
                    format!("\"{}.${{var.domain}}\"", lb.name)
                };
                assert_eq!(attr(&cert, "domain_name"), Some(want.as_str()), "{ctx}");
            }
            let http_port = lb.port.to_string();
            if https {
                assert_eq!(attr(&listener, "port"), Some("443"), "{ctx}");
                let http = resource(&text, "aws_lb_listener", &format!("{lb_label}_http"));
                assert_eq!(attr(&http, "port"), Some(http_port.as_str()), "{ctx}");
                assert_eq!(attr(&http, "protocol"), Some("\"HTTP\""), "{ctx}");
                assert!(http.contains("type = \"redirect\""), "{ctx}");
            } else {
                assert_eq!(attr(&listener, "port"), Some(http_port.as_str()), "{ctx}");
            }
            for b in &lb.backends {
                let w = m.webs.iter().find(|w| &w.name == b).unwrap();
                let l = label("web", &w.name);
                let tg = resource(&text, "aws_lb_target_group", &l);
                assert_eq!(
                    attr(&tg, "port"),
                    Some(w.port.to_string().as_str()),
                    "{ctx}"
                );
                assert_eq!(
                    attr(&tg, "path"),
                    Some(format!("\"{}\"", w.health).as_str()),
                    "{ctx}"
                );
                let algorithm = match lb.method {
                    LbMethod::LeastConn => "\"least_outstanding_requests\"",
                    _ => "\"round_robin\"",
                };
                assert_eq!(attr(&tg, "load_balancing_algorithm_type"), Some(algorithm));
                let sticky = w.sticky || lb.method == LbMethod::IpHash;
                assert_eq!(
                    tg.contains("type            = \"lb_cookie\""),
                    sticky,
                    "{ctx}: {tg}"
                );
                let name = attr(&tg, "name").unwrap().trim_matches('"');
                assert!(name.len() <= 32, "{ctx}: target group name {name}");
                // The listener (or a rule) forwards to it.
                assert!(
                    text.contains(&format!("aws_lb_target_group.{l}.arn")),
                    "{ctx}"
                );
            }
            let alb = resource(&text, "aws_lb", &label("lb", &lb.name));
            let name = attr(&alb, "name").unwrap().trim_matches('"');
            assert!(name.len() <= 32, "{ctx}: ALB name {name}");
        }
    }
}

#[test]
fn one_db_instance_per_primary_and_replica() {
    let mut replicas = 0;
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        let all = resources(&text, "aws_db_instance");
        let expected: u32 = m
            .dbs
            .iter()
            .filter(|d| !d.colocated)
            .map(|d| d.instance_count())
            .sum();
        assert_eq!(all.len() as u32, expected, "{ctx}");
        for d in m.dbs.iter().filter(|d| !d.colocated) {
            for s in &d.shards {
                let p = resource(&text, "aws_db_instance", &s.primary.replace('-', "_"));
                assert_eq!(
                    attr(&p, "instance_class"),
                    Some(format!("\"{}\"", d.resources.rds_class).as_str())
                );
                // Below the RDS minimum, a comment says why the value is larger.
                let storage = attr(&p, "allocated_storage").unwrap_or_default();
                let (value, note) = storage.split_once(" # ").unwrap_or((storage, ""));
                assert_eq!(value, d.storage_gb.max(20).to_string(), "{ctx}");
                assert_eq!(
                    note.contains("RDS allocates at least 20 GB"),
                    d.storage_gb < 20,
                    "{ctx}: {storage}"
                );
                assert_eq!(attr(&p, "storage_encrypted"), Some("true"), "{ctx}");
                assert_eq!(
                    attr(&p, "manage_master_user_password"),
                    Some("true"),
                    "{ctx}"
                );
                assert_eq!(
                    attr(&p, "skip_final_snapshot"),
                    Some("var.skip_final_snapshot")
                );
                let backups: u32 = attr(&p, "backup_retention_period")
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(backups > 0, "{ctx}: replicas need backups on the primary");
                let id = attr(&p, "identifier").unwrap().trim_matches('"');
                assert!(id.len() <= 63 && id.starts_with(&m.system), "{ctx}: {id}");
                let pl = s.primary.replace('-', "_");
                // Several data centers: the primary is the primary region's
                // only; each replica is beside it there and, elsewhere, a
                // cross-region replica of it (by ARN, with its region's key).
                let multi = m.datacenters.as_ref().is_some_and(|d| d.regions.len() > 1);
                assert_eq!(
                    attr(&p, "count"),
                    multi.then_some("var.primary ? 1 : 0"),
                    "{ctx}"
                );
                let source = if multi {
                    format!("local.primaries.rds_{pl}.arn")
                } else {
                    format!("aws_db_instance.{pl}.identifier")
                };
                for r in &s.replicas {
                    let rb = resource(&text, "aws_db_instance", &r.replace('-', "_"));
                    assert_eq!(
                        attr(&rb, "replicate_source_db"),
                        Some(source.as_str()),
                        "{ctx}"
                    );
                    assert_eq!(attr(&rb, "kms_key_id").is_some(), multi, "{ctx}");
                    for own in ["username", "db_name", "manage_master_user_password"] {
                        assert!(attr(&rb, own).is_none(), "{ctx}: a replica's {own}");
                    }
                    replicas += 1;
                }
            }
        }
        // A colocated database runs on the web host, never on RDS.
        for d in m.dbs.iter().filter(|d| d.colocated) {
            // The same image as compose and k8s: the runtime plan's.
            let image = d.engine.runtime().image;
            assert!(
                text.contains(&format!("--name {} ", d.shards[0].primary)),
                "{ctx}"
            );
            assert!(text.contains(image), "{ctx}");
            assert_eq!(
                resources(&text, "aws_instance").len(),
                1,
                "{ctx}: one server"
            );
        }
    }
    assert!(replicas >= 8, "only {replicas} replicas checked");
}

#[test]
fn no_password_is_ever_written() {
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        for line in text.lines() {
            // A secret may only come from elsewhere: a shell expansion on the
            // host (`password=$(...)`) or a variable, never a literal.
            if let Some((k, v)) = line.split_once('=') {
                let k = k.trim();
                let v = v.trim();
                assert!(
                    !["password", "master_password", "auth_token", "password_wo"].contains(&k)
                        || v.starts_with('$')
                        || v.starts_with("var."),
                    "{design}/{}: literal secret: {line}",
                    m.stage
                );
            }
            // Passwords in user data come from Secrets Manager or /dev/urandom on
            // the host, never from the configuration.
            if line.contains("MYSQL_RANDOM_ROOT_PASSWORD=yes") {
                continue;
            }
            if let Some(i) = line.find("PASSWORD=") {
                let value = &line[i + "PASSWORD=".len()..];
                assert!(value.starts_with('$'), "{design}/{}: {line}", m.stage);
            }
        }
    }
}

#[test]
fn cloudfront_has_a_cache_behaviour_per_path_with_its_ttl() {
    let mut checked = 0;
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        assert_eq!(
            resources(&text, "aws_cloudfront_distribution").len(),
            m.cdns.len()
        );
        for c in &m.cdns {
            let dist = resource(
                &text,
                "aws_cloudfront_distribution",
                &c.name.replace('-', "_"),
            );
            let behaviours: Vec<&str> = dist.split("ordered_cache_behavior {").skip(1).collect();
            assert_eq!(behaviours.len(), c.paths.len(), "{ctx}");
            // Without a ttl: one hour, as nginx caches it too.
            let ttl = c.ttl_seconds.unwrap_or(3600).to_string();
            for (p, b) in c.paths.iter().zip(&behaviours) {
                assert_eq!(
                    attr(b, "path_pattern"),
                    Some(format!("\"{p}/*\"").as_str()),
                    "{ctx}"
                );
                assert_eq!(attr(b, "default_ttl"), Some(ttl.as_str()), "{ctx}");
                assert_eq!(attr(b, "max_ttl"), Some(ttl.as_str()), "{ctx}");
                assert_eq!(
                    attr(b, "query_string"),
                    Some(c.versioned.to_string().as_str()),
                    "{ctx}"
                );
                checked += 1;
            }
            match m.lbs.first() {
                // By the domain over HTTPS where the ALB has its certificate.
                Some(_) if m.datacenters.is_some() => assert!(
                    dist.contains("domain_name = var.domain")
                        && dist.contains("origin_protocol_policy = \"https-only\""),
                    "{ctx}: origin is the ALB by the domain"
                ),
                Some(lb) => assert!(
                    dist.contains(&format!("aws_lb.{}.dns_name", label("lb", &lb.name))),
                    "{ctx}: origin is the ALB"
                ),
                None => assert!(
                    dist.contains("origin_access_control_id"),
                    "{ctx}: S3 origin"
                ),
            }
        }
    }
    assert!(checked >= 5, "only {checked} behaviours checked");
}

#[test]
fn only_the_edge_is_open_to_the_internet() {
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        assert!(
            !text.contains("ingress {"),
            "{ctx}: inline rules mixed with rule resources"
        );
        // Public edges: the load balancers, and a web host that has none.
        let mut edge: Vec<String> = m.lbs.iter().map(|l| label("lb", &l.name)).collect();
        edge.extend(
            m.webs
                .iter()
                .filter(|w| w.lb.is_none())
                .map(|w| label("web", &w.name)),
        );
        for (rule, body) in resources(&text, "aws_vpc_security_group_ingress_rule") {
            let sg = attr(&body, "security_group_id").unwrap();
            let sg = sg
                .trim_start_matches("aws_security_group.")
                .trim_end_matches(".id");
            // Only IPv4 edges are opened; no rule may name an IPv6 range or
            // a prefix list (either would open more than the design says).
            for other in ["cidr_ipv6", "prefix_list_id"] {
                assert!(attr(&body, other).is_none(), "{ctx}: {rule} sets {other}");
            }
            match attr(&body, "cidr_ipv4") {
                // Several data centers: the primary region's data tier
                // admits the other data centers' private VPC ranges (peered).
                Some(cidr) if sg.starts_with("module.") => {
                    assert!(
                        cidr.starts_with("\"10.") && cidr.ends_with(".0.0/16\""),
                        "{ctx}: {rule}"
                    );
                    assert_ne!(cidr, "\"10.0.0.0/16\"", "{ctx}: {rule}");
                    assert!(
                        body.contains("Port ") && body.contains("from data center"),
                        "{ctx}: {rule}"
                    );
                }
                Some(cidr) => {
                    assert_eq!(cidr, "\"0.0.0.0/0\"", "{ctx}: {rule}");
                    assert!(edge.contains(&sg.to_string()), "{ctx}: {rule} opens {sg}");
                    let port = attr(&body, "from_port").unwrap();
                    assert!(port == "80" || port == "443", "{ctx}: {rule} port {port}");
                    assert_eq!(attr(&body, "to_port"), Some(port), "{ctx}");
                }
                None => {
                    let src = attr(&body, "referenced_security_group_id").unwrap();
                    let src = src
                        .trim_start_matches("aws_security_group.")
                        .trim_end_matches(".id");
                    // lb -> web, web/worker -> data tier; nothing else.
                    let web = m.webs.iter().find(|w| label("web", &w.name) == sg);
                    match web {
                        Some(w) => assert_eq!(
                            Some(src.to_string()),
                            w.lb.as_ref().map(|l| label("lb", l)),
                            "{ctx}: {rule}"
                        ),
                        // The data tier admits the group every web tier and
                        // worker joins, and nothing else.
                        None => {
                            assert_eq!(src, "app", "{ctx}: {rule}: data tier reached from {src}")
                        }
                    }
                }
            }
        }
        // Exactly the web tiers and workers are in the `app` group.
        let data_tier = m.dbs.iter().any(|d| !d.colocated)
            || m.caches.iter().any(|c| !c.colocated)
            || m.nosqls
                .iter()
                .any(|n| n.engine == archc::model::NosqlEngine::Mongodb);
        let hosts: Vec<String> = m
            .webs
            .iter()
            .map(|w| label("web", &w.name))
            .chain(m.workers.iter().map(|w| label("worker", &w.name)))
            .collect();
        for (lt, body) in resources(&text, "aws_launch_template") {
            let sgs = attr(&body, "vpc_security_group_ids").unwrap();
            assert!(hosts.contains(&lt), "{ctx}: launch template {lt}");
            assert_eq!(
                sgs.contains("aws_security_group.app.id"),
                data_tier,
                "{ctx}: {lt} joins the app group exactly when there is a data tier: {sgs}"
            );
        }
        // Every web tier behind a load balancer is reachable from it only.
        for w in m.webs.iter().filter(|w| w.lb.is_some()) {
            let l = label("web", &w.name);
            let rule = resource(
                &text,
                "aws_vpc_security_group_ingress_rule",
                &format!("{l}_from_{}", label("lb", w.lb.as_ref().unwrap())),
            );
            assert_eq!(
                attr(&rule, "from_port"),
                Some(w.port.to_string().as_str()),
                "{ctx}"
            );
        }
    }
}

#[test]
fn caches_queues_and_data_centers_follow_the_model() {
    let mut geo = 0;
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        for c in m.caches.iter().filter(|c| !c.colocated) {
            let l = c.name.replace('-', "_");
            match c.engine {
                CacheEngine::Redis => {
                    let rg = resource(&text, "aws_elasticache_replication_group", &l);
                    let n = c.count.min(6);
                    assert_eq!(
                        attr(&rg, "num_cache_clusters"),
                        Some(n.to_string().as_str()),
                        "{ctx}"
                    );
                    assert_eq!(
                        attr(&rg, "automatic_failover_enabled"),
                        Some(if n >= 2 { "true" } else { "false" }),
                        "{ctx}"
                    );
                    let id = attr(&rg, "replication_group_id").unwrap().trim_matches('"');
                    assert!(id.len() <= 40, "{ctx}: {id}");
                    let policy = match c.evict {
                        Some(archc::model::Evict::Lru) => "allkeys-lru",
                        Some(archc::model::Evict::Lfu) => "allkeys-lfu",
                        Some(archc::model::Evict::None) => "noeviction",
                        // Refuses writes, as redis itself and every target
                        // do (not ElastiCache's default volatile-lru).
                        None => "noeviction",
                    };
                    let pg = resource(&text, "aws_elasticache_parameter_group", &l);
                    assert_eq!(
                        attr(&pg, "value"),
                        Some(format!("\"{policy}\"").as_str()),
                        "{ctx}"
                    );
                }
                CacheEngine::Memcached => {
                    let cl = resource(&text, "aws_elasticache_cluster", &l);
                    assert_eq!(
                        attr(&cl, "num_cache_nodes"),
                        Some(c.count.to_string().as_str())
                    );
                }
            }
        }
        for q in &m.queues {
            let l = q.name.replace('-', "_");
            let main = resource(&text, "aws_sqs_queue", &l);
            resource(&text, "aws_sqs_queue", &format!("{l}_dlq"));
            assert!(
                main.contains(&format!("deadLetterTargetArn = aws_sqs_queue.{l}_dlq.arn")),
                "{ctx}"
            );
        }
        // The routing records; `<lb>_cert` validates each load balancer's
        // HTTPS certificate, `<lb>_host` names every one but the first.
        let (cert, records): (Vec<_>, Vec<_>) = resources(&text, "aws_route53_record")
            .into_iter()
            .filter(|(l, _)| !l.ends_with("_host"))
            .partition(|(l, _)| l.ends_with("_cert"));
        let https = m.datacenters.is_some() && !m.lbs.is_empty();
        let hosts = resources(&text, "aws_route53_record")
            .into_iter()
            .filter(|(l, _)| l.ends_with("_host"))
            .count();
        assert_eq!(cert.len(), if https { m.lbs.len() } else { 0 }, "{ctx}");
        assert_eq!(hosts, if https { m.lbs.len() - 1 } else { 0 }, "{ctx}");
        assert_eq!(
            text.contains("protocol          = \"HTTPS\""),
            https,
            "{ctx}"
        );
        match (&m.datacenters, m.lbs.is_empty()) {
            (Some(dc), false) if !dc.geodns => {
                // Failover: the primary, and a secondary when there are two or more.
                assert!(!text.contains("geolocation_routing_policy"), "{ctx}");
                let types: Vec<&str> = records
                    .iter()
                    .flat_map(|(_, b)| b.lines().map(str::trim))
                    .filter_map(|l| l.strip_prefix("type = "))
                    .filter(|t| *t != "\"A\"")
                    .collect();
                let want: &[&str] = if dc.regions.len() > 1 {
                    &["\"PRIMARY\"", "\"SECONDARY\""]
                } else {
                    &["\"PRIMARY\""]
                };
                assert_eq!(types, want, "{ctx}");
            }
            (Some(dc), false) => {
                // One geolocation record per continent (the first region on
                // it wins) plus the default, each aliasing a failover pair:
                // that region while its load balancer is healthy, another
                // data center's when it is not.
                let (records, pairs): (Vec<_>, Vec<_>) = records
                    .into_iter()
                    .partition(|(_, b)| b.contains("geolocation_routing_policy"));
                for (_, b) in &records {
                    // The alias block's `name` (the record's own is less indented).
                    let target = b
                        .lines()
                        .find_map(|l| l.strip_prefix("    name                   = "))
                        .unwrap_or_else(|| panic!("{ctx}: no alias in {b}"));
                    let pair = target
                        .strip_prefix("aws_route53_record.")
                        .and_then(|t| t.strip_suffix("_primary.fqdn"))
                        .unwrap_or_else(|| panic!("{ctx}: {target} is not a failover pair"));
                    let lb_of = |role: &str| {
                        let (_, r) = pairs
                            .iter()
                            .find(|(l, _)| *l == format!("{pair}_{role}"))
                            .unwrap_or_else(|| panic!("{ctx}: no {pair}_{role}"));
                        assert!(r.contains("failover_routing_policy"), "{ctx}");
                        assert!(r.contains("evaluate_target_health = true"), "{ctx}");
                        r.lines()
                            .find(|l| l.contains(".balancer_dns_name"))
                            .unwrap()
                            .to_string()
                    };
                    assert_ne!(lb_of("primary"), lb_of("secondary"), "{ctx}: {pair}");
                }
                let mut continents: Vec<String> = records
                    .iter()
                    .filter_map(|(_, b)| attr(b, "continent").map(str::to_string))
                    .collect();
                for c in &continents {
                    // Route 53's codes only (no `ME`: the Middle East is `AS`).
                    assert!(
                        ["\"AF\"", "\"AN\"", "\"AS\"", "\"EU\"", "\"NA\"", "\"OC\"", "\"SA\""]
                            .contains(&c.as_str()),
                        "{ctx}: continent {c}"
                    );
                }
                let n = continents.len();
                continents.sort();
                continents.dedup();
                assert_eq!(continents.len(), n, "{ctx}: duplicate continent");
                assert!(
                    records
                        .iter()
                        .any(|(_, b)| attr(b, "country") == Some("\"*\"")),
                    "{ctx}"
                );
                assert!(records.len() <= dc.regions.len() + 1, "{ctx}");
                for (_, b) in &records {
                    assert!(attr(b, "set_identifier").is_some(), "{ctx}");
                    assert!(b.contains("alias {"), "{ctx}");
                }
                geo += records.len();
            }
            (Some(_), true) => {
                assert!(records.is_empty(), "{ctx}");
                resource(&text, "aws_route53_zone", "main");
            }
            (None, _) => assert!(
                records.is_empty() && !text.contains("aws_route53_zone"),
                "{ctx}"
            ),
        }
        // Central logs and metrics only when the design asks for them.
        let hosts = m.webs.len() + m.workers.len();
        // (Besides the VPC's flow logs, wherever there is a VPC.)
        // (And each load balancer's WAF log group.)
        let (flow, logs): (Vec<_>, Vec<_>) = resources(&text, "aws_cloudwatch_log_group")
            .into_iter()
            .filter(|(l, _)| !l.ends_with("_waf"))
            .partition(|(l, _)| l == "flow");
        assert_eq!(
            flow.len(),
            usize::from(text.contains("resource \"aws_vpc\" \"main\"")),
            "{ctx}"
        );
        assert_eq!(
            logs.len(),
            if m.logs.is_some() { hosts } else { 0 },
            "{ctx}"
        );
        let alarms = resources(&text, "aws_cloudwatch_metric_alarm").len();
        if m.metrics.is_some() {
            let dbs: u32 = m
                .dbs
                .iter()
                .filter(|d| !d.colocated)
                .map(|d| d.instance_count())
                .sum();
            // One per DocumentDB cluster (MongoDB stores; DynamoDB has no CPU).
            let docdb = m
                .nosqls
                .iter()
                .filter(|n| n.engine == archc::model::NosqlEngine::Mongodb)
                .count();
            assert_eq!(alarms, hosts + dbs as usize + docdb, "{ctx}");
        } else {
            assert_eq!(alarms, 0, "{ctx}");
        }
    }
    assert!(geo >= 3, "only {geo} geolocation records checked");
}

#[test]
fn user_strings_are_escaped() {
    let path = common::repo().join("tests/fixtures/ok/terraform-everything.arch");
    let m = common::compile_file(&path).stages.pop().unwrap();
    let text = joined(&render(&m));
    // The image keeps every character, single-quoted for the shell and with
    // HCL template sequences doubled so Terraform prints them literally.
    assert!(
        text.contains(
            r#"'acme/api:1.2 "quoted" $${not_hcl} %%{nor_this} $(not_shell) '\''single'\'''"#
        ),
        "{text}"
    );
}

/// Every host's user data fetches every database password: the shared
/// `local.fetch_db_passwords` reads each database's secret, and each launch
/// template runs it; the fetch is written once.
#[test]
fn every_host_fetches_every_database_password_once_written() {
    for (design, m) in all_models() {
        let text = joined(&render(&m));
        let ctx = format!("{design}/{}", m.stage);
        let remote: Vec<_> = m.dbs.iter().filter(|d| !d.colocated).collect();
        let templates = resources(&text, "aws_launch_template");
        // DocumentDB passwords are fetched the same way.
        let docdbs = m.nosqls.iter().filter(|n| n.password_env.is_some()).count();
        if (remote.is_empty() && docdbs == 0) || templates.is_empty() {
            assert!(!text.contains("fetch_db_passwords"), "{ctx}");
            continue;
        }
        let local = text
            .split("fetch_db_passwords = <<-EOT")
            .nth(1)
            .and_then(|t| t.split("\n  EOT").next())
            .unwrap_or_else(|| panic!("{ctx}: no local.fetch_db_passwords"));
        // Every shard primary's own secret, into that shard's variable.
        // Several data centers: every region reads the primary region's
        // secrets, in that region.
        let multi = m.datacenters.as_ref().is_some_and(|d| d.regions.len() > 1);
        for shard in remote.iter().flat_map(|d| &d.shards) {
            let primary = shard.primary.replace('-', "_");
            let secret = if multi {
                format!("--region ${{var.primary_region}} --secret-id ${{local.primaries.rds_{primary}.secret_arn}}")
            } else {
                format!(
                    "--secret-id ${{aws_db_instance.{primary}.master_user_secret[0].secret_arn}}"
                )
            };
            assert!(
                local.contains(&secret),
                "{ctx}: {} not fetched",
                shard.password_env
            );
            assert!(
                local.contains(&format!("echo \"{}=$(", shard.password_env)),
                "{ctx}"
            );
        }
        for (lt, body) in &templates {
            assert!(
                body.contains("${chomp(local.fetch_db_passwords)}"),
                "{ctx}: {lt} does not fetch the passwords"
            );
        }
        // One per remote database shard and per DocumentDB cluster.
        let shards: usize = remote.iter().map(|d| d.shards.len()).sum();
        assert_eq!(
            text.matches("get-secret-value").count(),
            shards + docdbs,
            "{ctx}"
        );
    }
}

#[test]
fn output_grows_linearly_with_the_design() {
    common::assert_output_grows_linearly(Target::Terraform, &[]);
}

/// The region of a Route 53 failover record: the data center whose module's
/// load balancer it aliases (`module.eu_west_1.balancer_dns_name`).
fn record_region(body: &str) -> String {
    let module = body
        .split("module.")
        .nth(1)
        .and_then(|t| t.split('.').next())
        .unwrap_or_else(|| panic!("no module's balancer in {body}"));
    module.replace('_', "-")
}

/// The data centers a geolocation record's failover pair sends users to:
/// its PRIMARY's region, then its SECONDARY's.
fn pair_regions(records: &[(String, String)], geo: &str) -> Vec<String> {
    let pair = geo
        .split("aws_route53_record.")
        .nth(1)
        .and_then(|t| t.split("_primary.fqdn").next())
        .unwrap_or_else(|| panic!("no failover pair in {geo}"));
    ["primary", "secondary"]
        .iter()
        .filter_map(|role| {
            records
                .iter()
                .find(|(l, _)| *l == format!("{pair}_{role}"))
                .map(|(_, b)| record_region(b))
        })
        .collect()
}

/// `archc analyze` counts the data centers each group of users can reach
/// from `analyze::topology::routes`; those must be the ones the records send
/// them to, on every stage with several data centers.
#[test]
fn the_routes_analyze_counts_are_the_records_route53_gets() {
    let mut checked = 0;
    for (stem, m) in all_models() {
        let Some(dc) = m.datacenters.as_ref().filter(|d| d.regions.len() > 1) else {
            continue;
        };
        if m.lbs.is_empty() {
            continue;
        }
        let ctx = format!("{stem}@{}", m.stage);
        let text = joined(&render(&m));
        let records = resources(&text, "aws_route53_record");
        let routes = archc::analyze::topology::routes(&m);
        let got: Vec<(String, Vec<String>)> = routes
            .iter()
            .map(|r| (r.users.clone(), r.datacenters.clone()))
            .collect();
        let mut want = Vec::new();
        if dc.geodns {
            for (_, b) in &records {
                if let Some(c) = attr(b, "continent") {
                    want.push((
                        format!("users on continent {}", c.trim_matches('"')),
                        pair_regions(&records, b),
                    ));
                }
            }
            let default = records
                .iter()
                .find(|(_, b)| attr(b, "country") == Some("\"*\""))
                .unwrap();
            want.push((
                "other users (the default record)".to_string(),
                pair_regions(&records, &default.1),
            ));
        } else {
            // The PRIMARY record's region, then the SECONDARY's.
            let dcs: Vec<String> = records.iter().map(|(_, b)| record_region(b)).collect();
            want.push(("all users".to_string(), dcs));
        }
        assert_eq!(got, want, "{ctx}");
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} stages with several data centers"
    );
}

/// A stage with several data centers is one root applied once: a module per
/// data center, exactly one of them the primary; a database with replicas
/// has them in every data center (beside the primary in the primary region,
/// cross-region replicas of it by ARN elsewhere), a database without has its
/// primary in the primary region only; no region reads another's resources
/// by name (`data "aws_lb"` needed a separate apply first).
#[test]
fn several_data_centers_are_one_root_with_a_module_per_region() {
    let text = "system shop\nweb x2 behind lb\nlb\ndb orders postgres with 1 replica\n\
                db audit mysql\nnosql carts dynamodb\n\
                datacenters us-east-1, eu-west-1, ap-northeast-1\n";
    let c = archc::compile("multi.arch", text);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let files = render(&c.design.stages[0]);
    let file = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .contents
            .clone()
    };
    let main = file("main.tf");
    let mut primaries = Vec::new();
    for r in ["us-east-1", "eu-west-1", "ap-northeast-1"] {
        let l = r.replace('-', "_");
        let body = main
            .split(&format!("module \"{l}\" {{"))
            .nth(1)
            .unwrap_or_else(|| panic!("no module for {r}"));
        let body = body.split("\n}\n").next().unwrap();
        assert!(body.contains("source = \"./region\""), "{body}");
        assert!(body.contains(&format!("aws = aws.{l}")), "{body}");
        assert!(body.contains(&format!("region   = \"{r}\"")), "{body}");
        if body.contains("primary  = true") {
            primaries.push(r);
            assert!(body.contains("primaries      = {}"), "{body}");
        } else {
            assert!(
                body.contains("primaries      = module.us_east_1.primaries"),
                "{body}"
            );
        }
    }
    assert_eq!(primaries, ["us-east-1"], "one primary region");
    assert_eq!(main.matches("module \"").count(), 3);
    // Two peerings, each accepted in the primary region.
    assert_eq!(resources(&main, "aws_vpc_peering_connection").len(), 2);
    assert_eq!(
        resources(&main, "aws_vpc_peering_connection_accepter").len(),
        2
    );

    let data = file("region/data.tf");
    for primary in ["orders", "audit"] {
        let p = resource(&data, "aws_db_instance", primary);
        assert_eq!(attr(&p, "count"), Some("var.primary ? 1 : 0"), "{primary}");
    }
    let replica = resource(&data, "aws_db_instance", "orders_replica_1");
    assert_eq!(
        attr(&replica, "replicate_source_db"),
        Some("local.primaries.rds_orders.arn")
    );
    assert!(
        attr(&replica, "count").is_none(),
        "a replica in every region"
    );
    assert_eq!(
        attr(&replica, "kms_key_id"),
        Some("var.primary ? null : aws_kms_key.main.arn")
    );
    for own in ["username", "db_name", "manage_master_user_password"] {
        assert!(attr(&replica, own).is_none(), "a replica's {own}");
    }
    // Nothing replicates audit, which has no replicas.
    assert!(!data.contains("local.primaries.rds_audit.arn"), "{data}");
    // The DynamoDB table is global: a replica in each other region.
    let table = resource(&data, "aws_dynamodb_table", "carts");
    assert_eq!(attr(&table, "stream_enabled"), Some("true"));
    let replicas: Vec<&str> = table
        .lines()
        .filter_map(|l| l.trim().strip_prefix("region_name            = "))
        .collect();
    assert_eq!(replicas, ["\"eu-west-1\"", "\"ap-northeast-1\""]);
    // The applications write to the primary region's primary, read locally.
    let hosts = file("region/hosts.tf");
    assert!(
        hosts.contains("ORDERS_HOST=${local.primaries.rds_orders.address}"),
        "{hosts}"
    );
    assert!(
        hosts.contains("ORDERS_READ_HOSTS=${aws_db_instance.orders_replica_1.address}"),
        "{hosts}"
    );
    for f in &files {
        assert!(!f.contents.contains("data \"aws_lb\""), "{}", f.path);
        assert!(!f.contents.contains("dns_owner"), "{}", f.path);
    }
}
