//! The application environment contract (docs/app-env.md): every web tier
//! and worker gets the same variable names from compose, k8s and terraform,
//! and they are the model's contract for that application.
//!
//! Names are read back from the generated files as a deployed app would see
//! them: compose's `x-app-env` plus the service's `environment`; k8s's
//! ConfigMaps read via `envFrom`, the Secret's keys and the container's `env`;
//! terraform's `echo 'NAME=…' >> /etc/app.env` lines of the host's user data,
//! plus the passwords its scripts append.

use crate::common::{buildable_designs, compile_file};
use archc::emit::{self, Target};
use archc::model::{App, Model};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};

type Names = BTreeSet<String>;

/// Documented extras of the local targets (compose and k8s): dummy AWS
/// credentials for the local DynamoDB / SQS emulators.
const LOCAL_EXTRAS: &[&str] = &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/// Documented compose-only extras: the local log collector.
const COMPOSE_EXTRAS: &[&str] = &["LOGS_HOST", "LOGS_PORT"];

/// `names` without the documented extras of `target`.
fn without_extras(names: &Names, target: &str) -> Names {
    names
        .iter()
        .filter(|n| {
            let local = LOCAL_EXTRAS.contains(&n.as_str());
            let compose = COMPOSE_EXTRAS.contains(&n.as_str());
            match target {
                "compose" => !local && !compose,
                "k8s" => !local,
                _ => true,
            }
        })
        .cloned()
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AppKey {
    Web(String),
    Worker(String),
}

/// Every application of a stage: its key here, its name in the model's
/// contract, and its instances.
fn apps(m: &Model) -> Vec<(AppKey, App<'_>, &[String])> {
    let webs = m.webs.iter().map(|w| {
        (
            AppKey::Web(w.name.clone()),
            App::Web(&w.name),
            w.instances.as_slice(),
        )
    });
    let workers = m.workers.iter().map(|w| {
        (
            AppKey::Worker(w.name.clone()),
            App::Worker(&w.name),
            w.instances.as_slice(),
        )
    });
    webs.chain(workers).collect()
}

fn file(files: &[emit::OutFile], path: &str) -> Option<String> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.clone())
}

fn keys(v: Option<&Value>) -> Names {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(Value::as_str)
                .filter(|k| *k != "<<")
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Compose: per application, the names in its first instance's environment
/// (with `x-app-env` when merged); also the value of every `*_ENGINE`.
fn compose_names(m: &Model) -> (BTreeMap<AppKey, Names>, BTreeMap<String, String>) {
    let files = emit::emit(Target::Compose, m, &emit::Options::default()).unwrap();
    let text = file(&files, "compose.yaml").unwrap();
    let doc: Value = serde_yaml::from_str(&text).unwrap();
    let shared = keys(doc.get("x-app-env"));
    let engines = doc
        .get("x-app-env")
        .and_then(Value::as_mapping)
        .map(|mp| {
            mp.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .filter(|(k, _)| k.ends_with("_ENGINE"))
                .collect()
        })
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for (key, _, instances) in apps(m) {
        for inst in instances {
            let env = doc["services"][inst.as_str()].get("environment");
            let merged = env
                .and_then(Value::as_mapping)
                .is_some_and(|mp| mp.contains_key(Value::from("<<")));
            let mut names = keys(env);
            if merged {
                names.extend(shared.iter().cloned());
            }
            let prev = out.insert(key.clone(), names.clone());
            if let Some(p) = prev {
                assert_eq!(p, names, "{key:?}: instances of one tier differ");
            }
        }
    }
    (out, engines)
}

/// K8s: the Deployment's container env, the ConfigMaps it reads whole and
/// the Secret keys (listed in the namespace file's `kubectl create secret`).
fn k8s_names(m: &Model) -> BTreeMap<AppKey, Names> {
    let files = emit::emit(Target::K8s, m, &emit::Options::default()).unwrap();
    let mut docs = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.path.ends_with(".yaml") && f.path != "kustomization.yaml")
    {
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            let v = Value::deserialize(d).unwrap();
            if !v.is_null() {
                docs.push(v);
            }
        }
    }
    let config_maps: BTreeMap<String, Names> = docs
        .iter()
        .filter(|d| d["kind"] == "ConfigMap")
        .map(|d| {
            (
                d["metadata"]["name"].as_str().unwrap().to_string(),
                keys(d.get("data")),
            )
        })
        .collect();
    // Each Secret's keys, from the `kubectl create secret generic NAME`
    // commands of the namespace file (the system's, and an application's
    // own for the design's `secret`s).
    let ns = file(&files, "00-namespace.yaml").unwrap_or_default();
    let secret_keys: BTreeMap<String, Names> = ns
        .split("kubectl create secret generic ")
        .skip(1)
        .map(|cmd| {
            let name = cmd.split_whitespace().next().unwrap().to_string();
            let keys = cmd
                .split("--from-literal=")
                .skip(1)
                .map(|s| s.split('=').next().unwrap().to_string())
                .collect();
            (name, keys)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (key, app, _) in apps(m) {
        let (App::Web(name) | App::Worker(name)) = app;
        let dep = docs
            .iter()
            .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == *name)
            .unwrap_or_else(|| panic!("no Deployment {name}"));
        let c = &dep["spec"]["template"]["spec"]["containers"][0];
        let mut names = Names::new();
        for e in c["env"].as_sequence().into_iter().flatten() {
            names.insert(e["name"].as_str().unwrap().to_string());
            // A key of a Secret the user creates: the command says how.
            if let Some(r) = e["valueFrom"].get("secretKeyRef") {
                let (secret, key) = (r["name"].as_str().unwrap(), r["key"].as_str().unwrap());
                assert!(
                    secret_keys.get(secret).is_some_and(|k| k.contains(key)),
                    "{name}: {secret}/{key} is not created by 00-namespace.yaml"
                );
            }
        }
        for f in c["envFrom"].as_sequence().into_iter().flatten() {
            if let Some(cm) = f["configMapRef"]["name"].as_str() {
                names.extend(config_maps[cm].iter().cloned());
            }
            if let Some(secret) = f["secretRef"]["name"].as_str() {
                names.extend(secret_keys[secret].iter().cloned());
            }
        }
        out.insert(key, names);
    }
    out
}

/// `NAME` of every `echo 'NAME=…' >> /etc/app.env` / `echo "NAME=…" >> …` line.
fn app_env_echoes(text: &str) -> Names {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("echo ") && l.ends_with(">> /etc/app.env"))
        .filter_map(|l| {
            let rest = l["echo ".len()..].trim_start_matches(['\'', '"']);
            rest.split_once('=').map(|(n, _)| n.to_string())
        })
        .collect()
}

/// Terraform: each launch template's / instance's user data, by the
/// application its first comment names, with the shared `local.app_env` and
/// `local.fetch_db_passwords` when it appends them.
fn terraform_names(m: &Model) -> BTreeMap<AppKey, Names> {
    let files = emit::emit(Target::Terraform, m, &emit::Options::default()).unwrap();
    // A multi-region stage's hosts are its region module's.
    let Some(hosts) = file(&files, "hosts.tf").or_else(|| file(&files, "region/hosts.tf")) else {
        return BTreeMap::new();
    };
    let fetch = hosts
        .split_once("fetch_db_passwords = <<-EOT")
        .map(|(_, rest)| app_env_echoes(rest.split("  EOT").next().unwrap()))
        .unwrap_or_default();
    let shared = hosts
        .split_once("  app_env = <<-EOT")
        .map(|(_, rest)| app_env_echoes(rest.split("  EOT").next().unwrap()))
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for part in hosts.split("user_data = base64encode(<<-EOT").skip(1) {
        let ud = part.split("\n  EOT").next().unwrap();
        let title = ud
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("# ") && l.contains(": runs the application"))
            .unwrap();
        let key = if let Some(r) = title.strip_prefix("# Web tier ") {
            AppKey::Web(r.split(':').next().unwrap().to_string())
        } else {
            let r = title.strip_prefix("# Worker ").unwrap();
            AppKey::Worker(r.split(':').next().unwrap().to_string())
        };
        let mut names = app_env_echoes(ud);
        if ud.contains("${chomp(local.app_env)}") {
            names.extend(shared.iter().cloned());
        }
        if ud.contains("local.fetch_db_passwords") {
            names.extend(fetch.iter().cloned());
        }
        out.insert(key, names);
    }
    out
}

fn stages() -> Vec<(String, Model)> {
    buildable_designs()
        .iter()
        .flat_map(|p| {
            let d = compile_file(p);
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            d.stages
                .into_iter()
                .map(move |m| (format!("{name}:{}", m.stage), m))
        })
        .collect()
}

/// Terraform runs every queue as SQS: a RabbitMQ queue's user and password
/// (prefix known from compose's `<P>_ENGINE=rabbitmq`) do not exist there.
///
/// A colocated database runs on the one web host, which generates its password
/// at first boot: a worker on its own host cannot have it (docs/app-env.md).
///
/// A redis cache's password is the local targets' only: ElastiCache runs
/// without AUTH, inside the security groups, over TLS.
fn on_aws(m: &Model, key: &AppKey, names: &Names, engines: &BTreeMap<String, String>) -> Names {
    let colocated = m
        .dbs
        .iter()
        .filter(|d| d.colocated && matches!(key, AppKey::Worker(_)))
        .map(|d| d.password_env.clone());
    let cache_passwords = m.caches.iter().filter_map(|c| c.password_env.clone());
    let gone: Names = engines
        .iter()
        .filter(|(_, v)| *v == "rabbitmq")
        .flat_map(|(k, _)| {
            let p = k.trim_end_matches("_ENGINE");
            [format!("{p}_USER"), format!("{p}_PASSWORD")]
        })
        .chain(colocated)
        .chain(cache_passwords)
        .collect();
    names.difference(&gone).cloned().collect()
}

#[test]
fn every_target_gives_each_app_the_same_variable_names() {
    let mut failures = Vec::new();
    let mut apps = 0;
    for (label, m) in stages() {
        let (compose, engines) = compose_names(&m);
        let k8s = k8s_names(&m);
        let tf = terraform_names(&m);
        for (key, c_all) in &compose {
            apps += 1;
            let k_all = k8s.get(key).cloned().unwrap_or_default();
            // The local targets agree on their extras too.
            let local = |n: &Names| -> Names {
                n.iter()
                    .filter(|n| LOCAL_EXTRAS.contains(&n.as_str()))
                    .cloned()
                    .collect()
            };
            if local(c_all) != local(&k_all) {
                failures.push(format!(
                    "{label} {key:?}: compose gives {:?}, k8s {:?}",
                    local(c_all),
                    local(&k_all)
                ));
            }
            let c = without_extras(c_all, "compose");
            let k = without_extras(&k_all, "k8s");
            let t = tf.get(key).cloned().unwrap_or_default();
            if c != k {
                failures.push(format!(
                    "{label} {key:?}: compose and k8s differ\n  compose only: {:?}\n  k8s only: {:?}",
                    c.difference(&k).collect::<Vec<_>>(),
                    k.difference(&c).collect::<Vec<_>>()
                ));
            }
            let c_aws = on_aws(&m, key, &c, &engines);
            if c_aws != t {
                failures.push(format!(
                    "{label} {key:?}: compose and terraform differ\n  compose only: {:?}\n  terraform only: {:?}",
                    c_aws.difference(&t).collect::<Vec<_>>(),
                    t.difference(&c_aws).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(apps > 20, "only {apps} applications checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn each_app_reads_exactly_the_model_contract() {
    use archc::model::Meaning;
    let mut failures = Vec::new();
    for (label, m) in stages() {
        let contract = m.app_env();
        let (compose, _) = compose_names(&m);
        let k8s = k8s_names(&m);
        let tf = terraform_names(&m);
        for (key, app, _) in apps(&m) {
            let expected: Names = contract.for_app(app).map(|v| v.name.clone()).collect();
            let colocated = |db: &str| m.dbs.iter().any(|d| d.name == db && d.colocated);
            let on_aws: Names = contract
                .for_app(app)
                .filter(|v| {
                    let queue_credential = v.kind == "queue"
                        && matches!(v.meaning, Meaning::User { .. } | Meaning::Password);
                    let cache_password = v.kind == "cache" && v.meaning == Meaning::Password;
                    let remote_password = matches!(app, App::Worker(_))
                        && v.kind == "db"
                        && v.meaning == Meaning::Password
                        && colocated(&v.component);
                    !(queue_credential || remote_password || cache_password)
                })
                .map(|v| v.name.clone())
                .collect();
            let c = without_extras(&compose[&key], "compose");
            let k = without_extras(&k8s[&key], "k8s");
            for (target, got, want) in [
                ("compose", &c, &expected),
                ("k8s", &k, &expected),
                ("terraform", &tf[&key], &on_aws),
            ] {
                if got != want {
                    failures.push(format!(
                        "{label} {key:?} {target}: missing {:?}, extra {:?}",
                        want.difference(got).collect::<Vec<_>>(),
                        got.difference(want).collect::<Vec<_>>()
                    ));
                }
            }
        }
        // Names are unique within what one application reads.
        for v in &contract.vars {
            let same = contract
                .vars
                .iter()
                .filter(|o| {
                    o.name == v.name
                        && (o.reader == v.reader
                            || o.reader == archc::model::Reader::Apps
                            || v.reader == archc::model::Reader::Apps)
                })
                .count();
            assert_eq!(same, 1, "{label}: {} is defined twice", v.name);
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn journey_last_stage_contract_names() {
    let d = compile_file(&crate::common::repo().join("examples/journey.arch"));
    let m = d.last();
    let names: Vec<String> = m
        .app_env()
        .for_app(App::Web("web"))
        .map(|v| v.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "DB_ENGINE",
            "DB_SHARD_KEY",
            "DB_SHARD_HOSTS",
            "DB_SHARD_1_READ_HOSTS",
            "DB_SHARD_2_READ_HOSTS",
            "DB_SHARD_3_READ_HOSTS",
            "DB_SHARD_4_READ_HOSTS",
            "DB_PORT",
            "DB_NAME",
            "DB_USER",
            "DB_SHARD_1_PASSWORD",
            "DB_SHARD_2_PASSWORD",
            "DB_SHARD_3_PASSWORD",
            "DB_SHARD_4_PASSWORD",
            "CACHE_ENGINE",
            "CACHE_HOSTS",
            "CACHE_PORT",
            "CACHE_TLS",
            "CACHE_TTL_SECONDS",
            "CACHE_PASSWORD",
            "JOBS_ENGINE",
            "JOBS_URL",
            "JOBS_NAME",
            "JOBS_USER",
            "JOBS_PASSWORD",
            "AWS_REGION",
            "PORT",
            "HEALTH_PATH",
            "SESSION_STORE",
        ]
    );
}

/// Each variable reaches the component it describes by position
/// (`EnvVar::at`), and that component is the one it names.
#[test]
fn every_variable_reaches_the_component_it_names() {
    let mut reached = 0;
    for path in buildable_designs() {
        for m in compile_file(&path).stages {
            for v in &m.app_env().vars {
                let name = match v.kind {
                    "db" => m.db_of(v).map(|d| &d.name),
                    "cache" => m.cache_of(v).map(|c| &c.name),
                    "nosql" => m.nosql_of(v).map(|n| &n.name),
                    "queue" => m.queue_of(v).map(|q| &q.name),
                    "web" => Some(&m.webs[v.at].name),
                    "worker" => Some(&m.workers[v.at].name),
                    _ => continue,
                };
                assert_eq!(name, Some(&v.component), "{}: {}", path.display(), v.name);
                assert!(m.db_of(v).is_none() || v.kind == "db", "{}", v.name);
                reached += 1;
            }
        }
    }
    assert!(reached > 500, "only {reached} variables");
}

/// `P_TLS` says what each target runs: ElastiCache Redis encrypted in
/// transit on AWS (`true`), a colocated container or memcached plain
/// (`false`), and plain redis locally; a redis cache's password is in the
/// local environment by reference only, never a value.
#[test]
fn cache_tls_and_password_follow_each_target() {
    use archc::model::CacheEngine;
    let mut checked = 0;
    for (label, m) in stages() {
        for c in &m.caches {
            let p = c
                .password_env
                .as_deref()
                .map(|pw| pw.trim_end_matches("_PASSWORD"));
            let Some(tls_var) = m
                .app_env()
                .vars
                .iter()
                .find(|v| v.component == c.name && v.kind == "cache" && v.name.ends_with("_TLS"))
                .map(|v| v.name.clone())
            else {
                panic!("{label}: cache {} has no _TLS variable", c.name);
            };
            if m.webs.is_empty() && m.workers.is_empty() {
                continue;
            }
            let text = |t: Target| -> String {
                emit::emit(t, &m, &emit::Options::default())
                    .unwrap()
                    .iter()
                    .map(|f| f.contents.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let tf = text(Target::Terraform);
            let aws_tls = !c.colocated && c.engine == CacheEngine::Redis;
            assert!(
                tf.contains(&format!("echo '{tls_var}={aws_tls}' >> /etc/app.env")),
                "{label}: terraform {tls_var}"
            );
            let compose = text(Target::Compose);
            assert!(
                compose.contains(&format!("{tls_var}: \"false\"")),
                "{label}: compose {tls_var}"
            );
            if let (Some(pw), Some(_)) = (&c.password_env, p) {
                assert!(
                    compose.contains(&format!("{pw}: \"${{{pw}:?set {pw} in .env}}\"")),
                    "{label}: compose {pw} by reference"
                );
                assert!(!tf.contains(pw.as_str()), "{label}: {pw} on terraform");
            }
            checked += 1;
        }
    }
    assert!(checked > 5, "only {checked} caches checked");
}
