//! Tests for the `compose` target.

use crate::common;
use archc::emit::{self, OutFile, Target};
use archc::model::{LbEngine, Model};
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

fn render(m: &Model) -> Vec<OutFile> {
    emit::emit(Target::Compose, m, &emit::Options::default()).unwrap()
}

fn file<'a>(files: &'a [OutFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} among {:?}", paths(files)))
        .contents
}

fn paths(files: &[OutFile]) -> Vec<&str> {
    files.iter().map(|f| f.path.as_str()).collect()
}

/// Every (label, model) of every buildable design.
fn all_models() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    for path in common::buildable_designs() {
        let design = common::compile_file(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for m in design.stages {
            out.push((format!("{stem}/{}", m.stage), m));
        }
    }
    out
}

/// `.env.example` as `NAME -> value`.
fn env_example(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("bad line {l:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Every `${NAME...}` reference in a text.
fn var_refs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'$' {
            i += 2; // an escaped `$`, for the container
            continue;
        }
        if b[i] == b'$' && b[i + 1] == b'{' {
            let name: String = text[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
        i += 1;
    }
    out
}

/// `compose.yaml` as Compose reads it: aliases resolved and `<<` merge keys
/// applied, so each service holds its whole environment.
fn parse(text: &str) -> Value {
    let mut doc: Value = serde_yaml::from_str(text).unwrap();
    doc.apply_merge().unwrap();
    doc
}

fn services(doc: &Value) -> &serde_yaml::Mapping {
    doc["services"].as_mapping().expect("services is a mapping")
}

fn names(map: &serde_yaml::Mapping) -> BTreeSet<String> {
    map.keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| s.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn lb_config_path(engine: LbEngine, name: &str) -> String {
    match engine {
        LbEngine::Nginx => format!("nginx/{name}.conf"),
        LbEngine::Haproxy => format!("haproxy/{name}.cfg"),
    }
}

/// The real `docker compose config` accepts every stage of every design,
/// with the placeholder values of `.env.example` and an empty environment.
#[test]
fn real_docker_compose_accepts_every_stage() {
    let bin = common::docker_compose_binary();
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    for (label, m) in all_models() {
        let dir = tmp.path().join(label.replace('/', "__")).join("compose");
        let files = common::write_stage(&m, Target::Compose, &dir);
        assert!(
            files.iter().any(|f| f.path == "compose.yaml"),
            "{label}: no compose.yaml"
        );
        dirs.push((label, dir));
    }
    let start = Instant::now();
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(dirs.iter());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some((label, dir)) = next.lock().unwrap().next() else {
                    break;
                };
                let out = Command::new(&bin)
                    .current_dir(dir)
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin")
                    .env("HOME", dir)
                    .args(["--env-file", ".env.example", "-f", "compose.yaml"])
                    .args(["config", "-q"])
                    .output()
                    .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
                let stderr = String::from_utf8_lossy(&out.stderr);
                if !out.status.success() || stderr.contains("level=warning") {
                    failures.lock().unwrap().push(format!(
                        "{label}: docker compose config exited {:?}\n{stderr}\n--- compose.yaml:\n{}",
                        out.status.code(),
                        std::fs::read_to_string(dir.join("compose.yaml")).unwrap()
                    ));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!(
        "docker compose config: {} directories valid in {:?}",
        dirs.len(),
        start.elapsed()
    );
}

#[test]
fn web_services_are_exactly_the_model_instances() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        let svcs = services(&doc);
        let want: BTreeSet<String> = m
            .webs
            .iter()
            .flat_map(|w| w.instances.iter().cloned())
            .collect();
        let images: BTreeSet<&str> = m.webs.iter().map(|w| w.image.as_str()).collect();
        let have: BTreeSet<String> = svcs
            .iter()
            .filter(|(_, s)| {
                s["image"]
                    .as_str()
                    // `$$` is Compose's escape for a literal `$` in a design's image.
                    .is_some_and(|i| {
                        images.contains(i.replace("$$", "$").as_str()) && s.get("expose").is_some()
                    })
            })
            .map(|(k, _)| k.as_str().unwrap().to_string())
            .collect();
        assert_eq!(have, want, "{label}: web services");
        for w in &m.webs {
            for inst in &w.instances {
                let s = &svcs[inst.as_str()];
                assert_eq!(s["hostname"].as_str(), Some(inst.as_str()), "{label}");
                assert_eq!(
                    s["image"].as_str(),
                    Some(w.image.replace('$', "$$").as_str()),
                    "{label}"
                );
                assert_eq!(str_list(&s["expose"]), vec![w.port.to_string()], "{label}");
                assert_eq!(s["restart"].as_str(), Some("unless-stopped"), "{label}");
                let test = str_list(&s["healthcheck"]["test"]);
                assert_eq!(test[0], "CMD", "{label}: exec-form health check");
                let url = format!("http://127.0.0.1:{}{}", w.port, w.health);
                assert!(test.contains(&url), "{label}: {inst} checks {test:?}");
                let limits = &s["deploy"]["resources"]["limits"];
                assert_eq!(limits["cpus"].as_str(), Some(w.resources.cpus.as_str()));
                assert_eq!(
                    limits["memory"].as_str(),
                    Some(format!("{}M", w.resources.memory_mb).as_str())
                );
            }
        }
    }
}

#[test]
fn only_public_services_leave_the_internal_network() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        assert_eq!(
            doc["networks"]["backend"]["internal"].as_bool(),
            Some(true),
            "{label}: backend must be internal"
        );
        let lbs: BTreeSet<&str> = m.lbs.iter().map(|l| l.name.as_str()).collect();
        let unbalanced: BTreeSet<&str> = m
            .webs
            .iter()
            .filter(|w| w.lb.is_none())
            .flat_map(|w| w.instances.iter().map(String::as_str))
            .collect();
        for (name, s) in services(&doc) {
            let name = name.as_str().unwrap();
            let nets = str_list(&s["networks"]);
            let public = lbs.contains(name) || unbalanced.contains(name);
            if public {
                assert_eq!(nets, ["edge", "backend"], "{label}: {name}");
                assert!(s.get("ports").is_some(), "{label}: {name} publishes");
            } else {
                assert_eq!(nets, ["backend"], "{label}: {name} must stay private");
                assert!(s.get("ports").is_none(), "{label}: {name} publishes a port");
            }
        }
        let has_edge = doc["networks"].get("edge").is_some();
        assert_eq!(
            has_edge,
            !lbs.is_empty() || !unbalanced.is_empty(),
            "{label}"
        );
    }
}

#[test]
fn load_balancers_mount_their_generated_config() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        let svcs = services(&doc);
        for (i, lb) in m.lbs.iter().enumerate() {
            let path = lb_config_path(lb.engine, &lb.name);
            assert!(
                paths(&files).contains(&path.as_str()),
                "{label}: {path} not written"
            );
            let s = &svcs[lb.name.as_str()];
            let (image, target) = match lb.engine {
                LbEngine::Nginx => ("nginx:1.27-alpine", "/etc/nginx/nginx.conf"),
                LbEngine::Haproxy => ("haproxy:3.0-alpine", "/usr/local/etc/haproxy/haproxy.cfg"),
            };
            assert_eq!(s["image"].as_str(), Some(image), "{label}");
            assert_eq!(
                str_list(&s["volumes"]),
                [format!("./{path}:{target}:ro")],
                "{label}"
            );
            if i == 0 {
                assert_eq!(str_list(&s["ports"]), ["80:80"], "{label}");
            }
            // A balancer with no web tier behind it waits for nothing.
            let deps: BTreeSet<String> =
                s["depends_on"].as_mapping().map(names).unwrap_or_default();
            let want: BTreeSet<String> = m
                .webs
                .iter()
                .filter(|w| w.lb.as_deref() == Some(lb.name.as_str()))
                .flat_map(|w| w.instances.iter().cloned())
                .collect();
            assert_eq!(deps, want, "{label}: {} waits for its backends", lb.name);
            for (_, d) in s["depends_on"].as_mapping().into_iter().flatten() {
                assert_eq!(d["condition"].as_str(), Some("service_healthy"));
            }
        }
        // Exactly the chosen engine's file per lb: nothing else besides compose.yaml.
        let mut want: BTreeSet<String> = m
            .lbs
            .iter()
            .map(|l| lb_config_path(l.engine, &l.name))
            .collect();
        want.insert("compose.yaml".into());
        want.insert(".env.example".into());
        want.insert("README.md".into());
        let have: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(have, want, "{label}: files");
    }
}

/// Keys that name a secret; `MYSQL_RANDOM_ROOT_PASSWORD` is the image's flag
/// ("yes") asking for a random root password, not a password.
fn is_secret_key(key: &str) -> bool {
    (key.ends_with("PASSWORD")
        || key.ends_with("_PASS")
        || key.ends_with("SECRET")
        || key.ends_with("SECRET_ACCESS_KEY")
        || key.ends_with("ACCESS_KEY_ID"))
        && key != "MYSQL_RANDOM_ROOT_PASSWORD"
}

fn is_required_ref(v: &str) -> bool {
    v.starts_with("${")
        && v.ends_with('}')
        && v[2..].contains(":?")
        && v[2..v.find(":?").unwrap()]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn secrets_are_required_references_listed_in_env_example() {
    for (label, m) in all_models() {
        let files = render(&m);
        let text = file(&files, "compose.yaml");
        let env = env_example(file(&files, ".env.example"));
        let doc = parse(text);
        for (name, s) in services(&doc) {
            let Some(environment) = s.get("environment").and_then(Value::as_mapping) else {
                continue;
            };
            for (k, v) in environment {
                let (k, v) = (k.as_str().unwrap(), v.as_str().unwrap());
                if is_secret_key(k) {
                    assert!(
                        is_required_ref(v),
                        "{label}: {name:?}.{k} = {v:?} must be ${{VAR:?message}}"
                    );
                }
                // `$$` is a literal `$` (the design's `env` values).
                if v.replace("$$", "").contains("${") {
                    assert!(is_required_ref(v), "{label}: {name:?}.{k} = {v:?}");
                }
            }
        }
        for var in var_refs(text) {
            let value = env
                .get(&var)
                .unwrap_or_else(|| panic!("{label}: ${{{var}}} is not in .env.example"));
            assert!(!value.is_empty(), "{label}: {var} has an empty placeholder");
        }
        for (var, value) in &env {
            assert!(
                var_refs(text).contains(var),
                "{label}: .env.example lists {var}, which compose.yaml never reads"
            );
            assert!(
                !text.contains(value.as_str()),
                "{label}: the placeholder of {var} appears literally in compose.yaml"
            );
        }
        for shard in m.dbs.iter().flat_map(|d| &d.shards) {
            assert!(
                env.contains_key(&shard.password_env),
                "{label}: {}",
                shard.password_env
            );
        }
    }
}

#[test]
fn every_dependency_exists_and_waits_for_health_only_when_there_is_a_check() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        let svcs = services(&doc);
        for (name, s) in svcs {
            let Some(deps) = s.get("depends_on").and_then(Value::as_mapping) else {
                continue;
            };
            for (dep, how) in deps {
                let dep = dep.as_str().unwrap();
                let target = svcs
                    .get(dep)
                    .unwrap_or_else(|| panic!("{label}: {name:?} depends on missing {dep}"));
                let cond = how["condition"].as_str().unwrap();
                let healthy = target.get("healthcheck").is_some();
                assert_eq!(
                    cond,
                    if healthy {
                        "service_healthy"
                    } else {
                        "service_started"
                    },
                    "{label}: {name:?} -> {dep}"
                );
            }
        }
    }
}

#[test]
fn every_shard_has_its_primary_and_replicas() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        let svcs = services(&doc);
        let volumes = names(doc["volumes"].as_mapping().unwrap_or(&Default::default()));
        for db in &m.dbs {
            assert_eq!(db.shards.len() as u32, db.shard_count, "{label}");
            for shard in &db.shards {
                let p = &svcs[shard.primary.as_str()];
                let image = p["image"].as_str().unwrap();
                assert!(
                    image == "postgres:16-alpine" || image == "mysql:8.4",
                    "{label}: {image}"
                );
                assert!(p.get("healthcheck").is_some(), "{label}: {}", shard.primary);
                assert!(
                    volumes.contains(&format!("{}-data", shard.primary)),
                    "{label}"
                );
                assert_eq!(shard.replicas.len() as u32, db.replicas, "{label}");
                for r in &shard.replicas {
                    let s = svcs
                        .get(r.as_str())
                        .unwrap_or_else(|| panic!("{label}: replica {r} missing"));
                    assert_eq!(s["image"].as_str(), Some(image), "{label}: {r}");
                    assert_eq!(
                        s["depends_on"][shard.primary.as_str()]["condition"].as_str(),
                        Some("service_healthy"),
                        "{label}: {r} waits for its primary"
                    );
                    assert!(volumes.contains(&format!("{r}-data")), "{label}: {r}");
                    let text = serde_yaml::to_string(s).unwrap();
                    assert!(
                        text.contains(&format!("-h {} ", shard.primary))
                            || text.contains(&format!("SOURCE_HOST: {}", shard.primary)),
                        "{label}: {r} replicates from {}",
                        shard.primary
                    );
                }
            }
        }
    }
}

#[test]
fn caches_queues_workers_and_observability_are_services() {
    for (label, m) in all_models() {
        let files = render(&m);
        let doc = parse(file(&files, "compose.yaml"));
        let svcs = services(&doc);
        for c in &m.caches {
            for inst in &c.instances {
                let s = &svcs[inst.as_str()];
                let cmd = str_list(&s["command"]).join(" ");
                match c.engine {
                    archc::model::CacheEngine::Redis => {
                        assert!(
                            cmd.contains(&format!("--maxmemory {}mb", c.memory_mb)),
                            "{label}: {cmd}"
                        );
                        let policy = match c.evict {
                            Some(archc::model::Evict::Lru) => "allkeys-lru",
                            Some(archc::model::Evict::Lfu) => "allkeys-lfu",
                            _ => "noeviction",
                        };
                        assert!(
                            cmd.contains(&format!("--maxmemory-policy {policy}")),
                            "{label}"
                        );
                    }
                    archc::model::CacheEngine::Memcached => {
                        assert!(
                            cmd.contains(&format!("-m {}", c.memory_mb)),
                            "{label}: {cmd}"
                        );
                    }
                }
                assert!(s.get("healthcheck").is_some(), "{label}: {inst}");
            }
        }
        for q in &m.queues {
            assert!(
                svcs.contains_key(q.name.as_str()),
                "{label}: queue {}",
                q.name
            );
        }
        for w in &m.workers {
            for inst in &w.instances {
                let s = &svcs[inst.as_str()];
                assert_eq!(
                    s["image"].as_str(),
                    Some(w.image.replace('$', "$$").as_str())
                );
                assert!(
                    s["depends_on"].get(w.queue.as_str()).is_some(),
                    "{label}: {inst} waits for queue {}",
                    w.queue
                );
            }
        }
        assert_eq!(svcs.contains_key("logs"), m.logs.is_some(), "{label}");
        assert_eq!(svcs.contains_key("metrics"), m.metrics.is_some(), "{label}");
        assert_eq!(doc["name"].as_str(), Some(m.system.as_str()));
        assert!(doc.get("version").is_none(), "{label}: obsolete `version`");
        let text = file(&files, "compose.yaml");
        assert!(
            text.starts_with(&format!(
                "# Generated by archc from {}, stage \"{}\". Do not edit.\n",
                m.source_name, m.stage
            )),
            "{label}: header"
        );
    }
}

#[test]
fn output_is_deterministic() {
    for (label, m) in all_models() {
        assert_eq!(render(&m), render(&m), "{label}");
    }
}

/// Snapshots of what compose itself renders (the LB configs are the nginx and
/// haproxy targets' output, snapshotted there).
#[test]
fn snapshots() {
    for design in ["journey", "site", "media", "startup"] {
        let path: PathBuf = common::repo()
            .join("examples")
            .join(format!("{design}.arch"));
        let d = common::compile_file(Path::new(&path));
        for m in &d.stages {
            let files = render(m);
            for name in ["compose.yaml", ".env.example", "README.md"] {
                insta::assert_snapshot!(
                    format!("compose__{design}__{}__{}", m.stage, name),
                    file(&files, name)
                );
            }
        }
    }
}

/// Every web and worker instance reads where every data service is (its
/// merged environment names every instance), its password references, and
/// waits for every data service; the shared part is written once.
#[test]
fn every_app_instance_gets_every_data_address_once_written() {
    for (label, m) in all_models() {
        let files = render(&m);
        let text = file(&files, "compose.yaml");
        let doc = parse(text);
        let svcs = services(&doc);
        let mut hosts: Vec<&str> = Vec::new();
        for db in &m.dbs {
            for s in &db.shards {
                hosts.push(&s.primary);
                hosts.extend(s.replicas.iter().map(String::as_str));
            }
        }
        for c in &m.caches {
            hosts.extend(c.instances.iter().map(String::as_str));
        }
        for n in &m.nosqls {
            match n.engine {
                archc::model::NosqlEngine::Mongodb => {
                    hosts.extend(n.instances.iter().map(String::as_str))
                }
                archc::model::NosqlEngine::Dynamodb => hosts.push(&n.name),
            }
        }
        hosts.extend(m.queues.iter().map(|q| q.name.as_str()));
        let apps: Vec<&String> = m
            .webs
            .iter()
            .flat_map(|w| &w.instances)
            .chain(m.workers.iter().flat_map(|w| &w.instances))
            .collect();
        for inst in &apps {
            let s = &svcs[inst.as_str()];
            let env = s["environment"].as_mapping().unwrap();
            let mut words: BTreeSet<&str> = BTreeSet::new();
            for v in env.values() {
                let v = v.as_str().unwrap();
                words.extend(v.split([',', '/', ':']));
            }
            for h in &hosts {
                assert!(words.contains(h), "{label}: {inst} is not told about {h}");
            }
            // One password a shard (the database's own when unsharded).
            for shard in m.dbs.iter().flat_map(|d| &d.shards) {
                let want = format!("${{{0}:?set {0} in .env}}", shard.password_env);
                assert!(
                    env.values().any(|v| v.as_str() == Some(want.as_str())),
                    "{label}: {inst} lacks {}",
                    shard.password_env
                );
            }
            let deps: BTreeSet<String> =
                s["depends_on"].as_mapping().map(names).unwrap_or_default();
            for db in &m.dbs {
                for sh in &db.shards {
                    assert!(
                        deps.contains(&sh.primary),
                        "{label}: {inst} waits for {}",
                        sh.primary
                    );
                }
            }
            for c in &m.caches {
                for i in &c.instances {
                    assert!(deps.contains(i), "{label}: {inst} waits for {i}");
                }
            }
        }
        if !apps.is_empty() && !hosts.is_empty() {
            assert_eq!(text.matches("x-app-env: &app-env").count(), 1, "{label}");
            assert_eq!(
                text.matches("\n      <<: *app-env\n").count(),
                apps.len(),
                "{label}: every instance merges the shared environment"
            );
        }
    }
}

/// compose.yaml and .env.example; the load balancer configs are the nginx and
/// haproxy targets' output.
#[test]
fn output_grows_linearly_with_the_design() {
    common::assert_output_grows_linearly(Target::Compose, &[]);
}
