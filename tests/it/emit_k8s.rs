//! Tests for the `k8s` target.
//!
//! - every design and stage passes `kubernetes-validate --strict` (offline
//!   schemas) for the Kubernetes versions validate-out uses;
//! - golden files for every stage of each example (`examples/*.arch`);
//! - behaviour: the parsed manifests agree with the model (replicas, HPA,
//!   probes, shards, PDBs, network policies, secrets, kustomization).

use crate::common;
use archc::emit::{self, OutFile, Target};
use archc::model::{Design, Model};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

fn emit_k8s(m: &Model) -> Vec<OutFile> {
    emit::emit(Target::K8s, m, &emit::Options::default()).expect("k8s emit")
}

/// Every design that must build, compiled.
fn designs() -> Vec<(String, Design)> {
    common::buildable_designs()
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, common::compile_file(&p))
        })
        .collect()
}

/// The YAML documents of one file (comments-only documents skipped); none
/// for the README.
fn docs(f: &OutFile) -> Vec<Value> {
    if !f.path.ends_with(".yaml") {
        return Vec::new();
    }
    serde_yaml::Deserializer::from_str(&f.contents)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("{} is not YAML: {e}", f.path)))
        .filter(|v| !v.is_null())
        .collect()
}

/// Every manifest document of one stage (kustomization.yaml excluded).
fn objects(files: &[OutFile]) -> Vec<Value> {
    files
        .iter()
        .filter(|f| f.path != "kustomization.yaml")
        .flat_map(docs)
        .collect()
}

/// `v` at a dotted path (`spec.ports.0.port`); label keys contain dots, so
/// index those with `[...]` instead.
fn s<'v>(v: &'v Value, path: &str) -> &'v Value {
    let mut cur = v;
    for key in path.split('.') {
        cur = match key.parse::<usize>() {
            Ok(i) => &cur[i],
            Err(_) => &cur[key],
        };
    }
    cur
}

fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or("")
}

fn name(v: &Value) -> &str {
    s(v, "metadata.name").as_str().unwrap_or("")
}

fn find<'v>(objs: &'v [Value], k: &str, n: &str) -> Option<&'v Value> {
    objs.iter().find(|o| kind(o) == k && name(o) == n)
}

fn get<'v>(objs: &'v [Value], k: &str, n: &str, ctx: &str) -> &'v Value {
    find(objs, k, n).unwrap_or_else(|| panic!("{ctx}: no {k} {n}"))
}

/// Runs `f` for every design and stage with its emitted files and parsed objects.
fn each_stage(mut f: impl FnMut(&str, &Model, &[OutFile], &[Value])) {
    for (stem, design) in designs() {
        for m in &design.stages {
            let files = emit_k8s(m);
            let objs = objects(&files);
            f(&format!("{stem}/{}", m.stage), m, &files, &objs);
        }
    }
}

// ---------------------------------------------------------------------------
// The real tool
// ---------------------------------------------------------------------------

fn kubernetes_validate() -> PathBuf {
    let venv = std::env::var_os("ARCHC_TOOLS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/tools-venv"));
    let venv = if venv.is_absolute() {
        venv
    } else {
        common::repo().join(venv)
    };
    let bin = venv.join("bin/kubernetes-validate");
    assert!(
        bin.is_file(),
        "missing tool: kubernetes-validate (expected at {}): run scripts/install-tools \
         (or set ARCHC_TOOLS_VENV to the venv that has it)",
        bin.display()
    );
    bin
}

/// Versions to validate against: the same as scripts/validate-out. The
/// package ships their schemas, so this runs offline.
fn k8s_versions() -> Vec<String> {
    std::env::var("ARCHC_K8S_VERSIONS")
        .unwrap_or_else(|_| "1.33.0 1.37.0".into())
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn every_design_and_stage_passes_kubernetes_validate_strict() {
    let tool = kubernetes_validate();
    let tmp = tempfile::tempdir().unwrap();
    let mut manifests: Vec<PathBuf> = Vec::new();
    let mut doc_count = 0;
    let mut dirs = 0;
    for (stem, design) in designs() {
        common::write_all_stages(&design, Target::K8s, &tmp.path().join(&stem));
        for m in &design.stages {
            let dir = tmp.path().join(&stem).join(&m.stage).join("k8s");
            dirs += 1;
            for f in emit_k8s(m) {
                // The manifests: what `kubectl apply -k` reads.
                if f.path.ends_with(".yaml") && f.path != "kustomization.yaml" {
                    doc_count += docs(&f).len();
                    manifests.push(dir.join(&f.path));
                }
            }
        }
    }
    assert!(dirs > 0 && !manifests.is_empty());
    // One process per Kubernetes version, in parallel; each checks every file.
    let results: Vec<(String, std::process::Output)> = std::thread::scope(|sc| {
        let handles: Vec<_> = k8s_versions()
            .into_iter()
            .map(|v| {
                let (tool, manifests) = (&tool, &manifests);
                sc.spawn(move || {
                    let out = Command::new(tool)
                        .args(["--strict", "-k", &v])
                        .args(manifests)
                        .output()
                        .expect("run kubernetes-validate");
                    (v, out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (v, out) in results {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let bad: Vec<&str> = text.lines().filter(|l| !l.starts_with("INFO")).collect();
        assert!(
            out.status.success() && bad.is_empty(),
            "kubernetes-validate --strict -k {v} rejected the k8s output ({}):\n{}",
            out.status,
            bad.join("\n")
        );
        // It really checked every document against a schema (a kind without
        // one would be a WARN, caught above).
        let passed = text
            .lines()
            .filter(|l| l.contains(" passed for resource "))
            .count();
        assert_eq!(
            passed, doc_count,
            "kubernetes-validate -k {v}: {passed} resources passed, {doc_count} documents written:\n{text}"
        );
    }
    eprintln!(
        "kubernetes-validate: {dirs} directories, {} files, {doc_count} objects, versions {:?}",
        manifests.len(),
        k8s_versions()
    );
}

// ---------------------------------------------------------------------------
// Golden files
// ---------------------------------------------------------------------------

fn snapshot_design(file: &str, stem: &str) {
    let design = common::compile_file(&common::repo().join(file));
    for m in &design.stages {
        for f in emit_k8s(m) {
            let name = format!("k8s__{stem}__{}__{}", m.stage, f.path);
            insta::assert_snapshot!(name, f.contents);
        }
    }
}

#[test]
fn golden_journey() {
    snapshot_design("examples/journey.arch", "journey");
}

#[test]
fn golden_site() {
    snapshot_design("examples/site.arch", "site");
}

#[test]
fn golden_media() {
    snapshot_design("examples/media.arch", "media");
}

#[test]
fn golden_startup() {
    snapshot_design("examples/startup.arch", "startup");
}

// ---------------------------------------------------------------------------
// Behaviour
// ---------------------------------------------------------------------------

#[test]
fn every_file_starts_with_the_header_and_output_is_deterministic() {
    for (_, design) in designs() {
        for m in &design.stages {
            let files = emit_k8s(m);
            let header = format!(
                "# Generated by archc from {}, stage \"{}\". Do not edit.\n",
                m.source_name, m.stage
            );
            // The README's header is Markdown's (tests/it/readme.rs).
            for f in files.iter().filter(|f| f.path != "README.md") {
                assert!(
                    f.contents.starts_with(&header),
                    "{}: {} does not start with the header",
                    m.stage,
                    f.path
                );
                assert!(f.contents.ends_with('\n') && !f.contents.ends_with("\n\n"));
            }
            assert_eq!(
                files,
                emit_k8s(m),
                "{}: output differs between runs",
                m.stage
            );
        }
    }
}

#[test]
fn kustomization_lists_exactly_the_files_in_the_dir() {
    each_stage(|ctx, _, files, _| {
        let k = files
            .iter()
            .find(|f| f.path == "kustomization.yaml")
            .unwrap_or_else(|| panic!("{ctx}: no kustomization.yaml"));
        let k = &docs(k)[0];
        assert_eq!(k["apiVersion"], "kustomize.config.k8s.io/v1beta1");
        assert_eq!(k["kind"], "Kustomization");
        let listed: Vec<&str> = k["resources"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let on_disk: Vec<&str> = files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.ends_with(".yaml") && *p != "kustomization.yaml")
            .collect();
        assert_eq!(listed, on_disk, "{ctx}: kustomization resources");
        // Besides them, only the README, which kubectl does not read.
        assert_eq!(files.len(), listed.len() + 2, "{ctx}");
        assert_eq!(listed.first(), Some(&"00-namespace.yaml"), "{ctx}");
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "{ctx}: duplicate resources");
    });
}

#[test]
fn everything_lives_in_the_system_namespace() {
    each_stage(|ctx, m, _, objs| {
        let ns = get(objs, "Namespace", &m.system, ctx);
        let labels = s(ns, "metadata.labels");
        assert_eq!(
            labels["app.kubernetes.io/part-of"].as_str(),
            Some(m.system.as_str())
        );
        assert_eq!(labels["app.kubernetes.io/managed-by"], "archc");
        assert_eq!(
            labels["archc.dev/stage"].as_str(),
            Some(m.stage.as_str()),
            "{ctx}"
        );
        for o in objs.iter().filter(|o| kind(o) != "Namespace") {
            assert_eq!(
                s(o, "metadata.namespace").as_str(),
                Some(m.system.as_str()),
                "{ctx}: {} {} outside the namespace",
                kind(o),
                name(o)
            );
        }
    });
}

#[test]
fn web_deployments_and_hpas_match_the_model() {
    each_stage(|ctx, m, _, objs| {
        for w in &m.webs {
            let d = get(objs, "Deployment", &w.name, ctx);
            let hpa = find(objs, "HorizontalPodAutoscaler", &w.name);
            match &w.autoscale {
                Some(a) => {
                    assert!(s(d, "spec.replicas").is_null(), "{ctx}: HPA owns replicas");
                    let hpa = hpa.unwrap_or_else(|| panic!("{ctx}: no HPA for {}", w.name));
                    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
                    assert_eq!(s(hpa, "spec.minReplicas").as_u64(), Some(a.min as u64));
                    assert_eq!(s(hpa, "spec.maxReplicas").as_u64(), Some(a.max as u64));
                    assert_eq!(s(hpa, "spec.scaleTargetRef.kind"), "Deployment");
                    assert_eq!(
                        s(hpa, "spec.scaleTargetRef.name").as_str(),
                        Some(w.name.as_str())
                    );
                    let metric = s(hpa, "spec.metrics.0.resource");
                    assert_eq!(metric["name"], "cpu");
                    assert_eq!(
                        s(metric, "target.averageUtilization").as_u64(),
                        Some(a.cpu_percent as u64),
                        "{ctx}"
                    );
                }
                None => {
                    assert_eq!(
                        s(d, "spec.replicas").as_u64(),
                        Some(w.count as u64),
                        "{ctx}"
                    );
                    assert!(hpa.is_none(), "{ctx}: HPA without autoscale");
                }
            }
            let c = s(d, "spec.template.spec.containers.0");
            assert_eq!(c["image"].as_str(), Some(w.image.as_str()), "{ctx}: image");
            assert_eq!(s(c, "ports.0.containerPort").as_u64(), Some(w.port as u64));
            let port_name = s(c, "ports.0.name").clone();
            for probe in ["readinessProbe", "livenessProbe"] {
                let http = s(&c[probe], "httpGet");
                assert_eq!(
                    http["path"].as_str(),
                    Some(w.health.as_str()),
                    "{ctx}: {probe}"
                );
                // A named port: it must be the container port above.
                assert_eq!(http["port"], port_name, "{ctx}: {probe} port");
            }
            assert_eq!(
                s(c, "resources.requests.cpu").as_str(),
                Some(w.resources.cpu.as_str())
            );
            let mem = format!("{}Mi", w.resources.memory_mb);
            assert_eq!(s(c, "resources.limits.memory").as_str(), Some(mem.as_str()));
            let svc = get(objs, "Service", &w.name, ctx);
            assert_eq!(s(svc, "spec.ports.0.port").as_u64(), Some(w.port as u64));
            assert_eq!(s(svc, "spec.ports.0.targetPort"), &port_name);
        }
    });
}

#[test]
fn one_statefulset_per_db_shard_with_its_replicas() {
    each_stage(|ctx, m, _, objs| {
        let mut shard_sets = 0;
        for db in &m.dbs {
            for shard in &db.shards {
                let st = get(objs, "StatefulSet", &shard.primary, ctx);
                shard_sets += 1;
                assert_eq!(
                    s(st, "spec.replicas").as_u64(),
                    Some(1 + db.replicas as u64),
                    "{ctx}: {}",
                    shard.primary
                );
                assert_eq!(
                    s(st, "spec.serviceName").as_str(),
                    Some(shard.primary.as_str())
                );
                let svc = get(objs, "Service", &shard.primary, ctx);
                assert_eq!(s(svc, "spec.clusterIP"), "None", "{ctx}: headless");
                assert_eq!(s(svc, "spec.ports.0.port").as_u64(), Some(db.port as u64));
                let storage = format!("{}Gi", db.storage_gb);
                assert_eq!(
                    s(
                        st,
                        "spec.volumeClaimTemplates.0.spec.resources.requests.storage"
                    )
                    .as_str(),
                    Some(storage.as_str())
                );
                let c = s(st, "spec.template.spec.containers.0");
                let probe = s(c, "readinessProbe.exec.command.0").as_str().unwrap();
                assert!(
                    ["pg_isready", "mysqladmin"].contains(&probe),
                    "{ctx}: {probe}"
                );
                let pw = c["env"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|e| {
                        e["name"].as_str().unwrap().ends_with("PASSWORD")
                            && e.get("valueFrom").is_some()
                    })
                    .unwrap_or_else(|| panic!("{ctx}: no password env"));
                // Each shard's pods read that shard's own password.
                assert_eq!(
                    s(pw, "valueFrom.secretKeyRef.key").as_str(),
                    Some(shard.password_env.as_str())
                );
            }
        }
        let db_pods = objs
            .iter()
            .filter(|o| kind(o) == "StatefulSet")
            .filter(|o| {
                s(o, "spec.template.metadata.labels")["app.kubernetes.io/component"] == "db"
            })
            .count();
        assert_eq!(
            db_pods, shard_sets,
            "{ctx}: one StatefulSet per shard, no more"
        );
    });
}

#[test]
fn no_secret_values_anywhere() {
    each_stage(|ctx, m, files, objs| {
        for o in objs {
            assert_ne!(
                kind(o),
                "Secret",
                "{ctx}: archc must not write Secret objects"
            );
        }
        // Every password-like env var is a reference into the user's Secret.
        let secret = format!("{}-secrets", m.system);
        for o in objs {
            let containers = s(o, "spec.template.spec.containers");
            for c in containers.as_sequence().into_iter().flatten() {
                for e in c["env"].as_sequence().into_iter().flatten() {
                    let n = e["name"].as_str().unwrap();
                    // MYSQL_RANDOM_ROOT_PASSWORD=yes is a switch, not a password.
                    let switch = n == "MYSQL_RANDOM_ROOT_PASSWORD" && e["value"] == "yes";
                    if (n.contains("PASSWORD") || n.ends_with("_PASS")) && !switch {
                        assert!(e["value"].is_null(), "{ctx}: {n} has a literal value");
                        assert_eq!(
                            s(e, "valueFrom.secretKeyRef.name").as_str(),
                            Some(secret.as_str()),
                            "{ctx}: {n}"
                        );
                    }
                }
            }
        }
        for f in files {
            assert!(!f.contents.contains("stringData"), "{ctx}: {}", f.path);
        }
        // Whole sources read as variables: the Secret only by reference, and
        // no ConfigMap holds a password.
        for o in objs {
            let containers = s(o, "spec.template.spec.containers");
            for c in containers.as_sequence().into_iter().flatten() {
                for e in c["envFrom"].as_sequence().into_iter().flatten() {
                    if let Some(n) = s(e, "secretRef.name").as_str() {
                        assert_eq!(n, secret, "{ctx}");
                    } else {
                        assert!(s(e, "configMapRef.name").is_string(), "{ctx}: {e:?}");
                    }
                }
            }
            if kind(o) == "ConfigMap" {
                for k in o["data"].as_mapping().unwrap().keys() {
                    let k = k.as_str().unwrap();
                    assert!(
                        !k.contains("PASSWORD"),
                        "{ctx}: ConfigMap {} holds {k}",
                        name(o)
                    );
                }
            }
        }
    });
}

/// Every variable a container reads: its own `env` (values, and Secret keys
/// as `secret:KEY`) and every key of the ConfigMaps and Secret it reads whole.
fn container_env(objs: &[Value], c: &Value, m: &Model, ctx: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in c["envFrom"].as_sequence().into_iter().flatten() {
        if s(e, "secretRef.name").is_string() {
            // What the user's Secret holds: the keys the namespace file asks for.
            for k in secret_keys(m) {
                out.insert(k.clone(), format!("secret:{k}"));
            }
        } else {
            let cm = get(
                objs,
                "ConfigMap",
                s(e, "configMapRef.name").as_str().unwrap(),
                ctx,
            );
            for (k, v) in cm["data"].as_mapping().unwrap() {
                out.insert(k.as_str().unwrap().into(), v.as_str().unwrap().into());
            }
        }
    }
    for e in c["env"].as_sequence().into_iter().flatten() {
        let v = match e["value"].as_str() {
            Some(v) => v.to_string(),
            None => format!(
                "secret:{}",
                s(e, "valueFrom.secretKeyRef.key").as_str().unwrap()
            ),
        };
        out.insert(e["name"].as_str().unwrap().into(), v);
    }
    out
}

/// The keys the user's Secret must hold, as the model names them.
fn secret_keys(m: &Model) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = m
        .dbs
        .iter()
        .flat_map(|d| &d.shards)
        .map(|s| s.password_env.clone())
        .collect();
    keys.extend(m.nosqls.iter().filter_map(|n| n.password_env.clone()));
    keys.extend(m.queues.iter().filter_map(|q| q.password_env.clone()));
    keys
}

/// Web and worker pods learn where every database, cache, document store and
/// queue is and read every password; a worker also which queue it consumes.
/// The shared part is written once, in a ConfigMap.
#[test]
fn app_pods_get_every_address_and_password_they_need_written_once() {
    each_stage(|ctx, m, files, objs| {
        // The namespace file tells the user to create exactly these keys.
        let ns_file = &files
            .iter()
            .find(|f| f.path == "00-namespace.yaml")
            .unwrap()
            .contents;
        for k in secret_keys(m) {
            assert!(
                ns_file.contains(&format!("--from-literal={k}=")),
                "{ctx}: {k}"
            );
        }
        let words = |env: &BTreeMap<String, String>| -> BTreeSet<String> {
            env.values()
                .flat_map(|v| {
                    v.split([',', ':', '/'])
                        .map(|w| w.split('.').next().unwrap().to_string())
                })
                .collect()
        };
        let db_hosts: Vec<String> = m
            .dbs
            .iter()
            .flat_map(|d| d.shards.iter().map(|s| format!("{}-0", s.primary)))
            .collect();
        for w in &m.webs {
            let d = get(objs, "Deployment", &w.name, ctx);
            let c = s(d, "spec.template.spec.containers.0");
            let env = container_env(objs, c, m, ctx);
            let have = words(&env);
            for h in &db_hosts {
                assert!(
                    have.contains(h),
                    "{ctx}: web {} is not told about {h}",
                    w.name
                );
            }
            for name in m
                .caches
                .iter()
                .map(|c| &c.name)
                .chain(m.nosqls.iter().map(|n| &n.name))
                .chain(m.queues.iter().map(|q| &q.name))
            {
                // A Service name, or pod 0 of a StatefulSet's pod DNS names.
                assert!(
                    have.contains(name) || have.contains(&format!("{name}-0")),
                    "{ctx}: web {} is not told about {name}",
                    w.name
                );
            }
            for k in secret_keys(m) {
                assert_eq!(
                    env.get(&k),
                    Some(&format!("secret:{k}")),
                    "{ctx}: web {}",
                    w.name
                );
            }
        }
        for wk in &m.workers {
            let d = get(objs, "Deployment", &wk.name, ctx);
            let c = s(d, "spec.template.spec.containers.0");
            let env = container_env(objs, c, m, ctx);
            let have = words(&env);
            for h in &db_hosts {
                assert!(
                    have.contains(h),
                    "{ctx}: worker {} is not told about {h}",
                    wk.name
                );
            }
            for shard in m.dbs.iter().flat_map(|d| &d.shards) {
                let k = &shard.password_env;
                assert_eq!(
                    env.get(k),
                    Some(&format!("secret:{k}")),
                    "{ctx}: worker {}",
                    wk.name
                );
            }
            assert_eq!(
                env.get("WORKER_QUEUE").map(String::as_str),
                Some(
                    m.app_env()
                        .prefix("queue", &wk.queue)
                        .expect("the queue's prefix")
                ),
                "{ctx}"
            );
        }
        // Written once: no container lists a variable of the shared
        // ConfigMaps itself (but its own PORT and QUEUE_*).
        for o in objs.iter().filter(|o| kind(o) == "ConfigMap") {
            for k in o["data"].as_mapping().unwrap().keys() {
                let k = k.as_str().unwrap();
                if k == "PORT" || k == "WORKER_QUEUE" || k.contains('.') {
                    continue;
                }
                for f in files {
                    assert!(
                        !f.contents.contains(&format!("- name: {k}\n")),
                        "{ctx}: {} repeats {k}",
                        f.path
                    );
                }
            }
        }
    });
}

#[test]
fn output_grows_linearly_with_the_design() {
    common::assert_output_grows_linearly(Target::K8s, &[]);
}

/// Pods a workload runs at most: replicas, or the HPA's maximum.
fn max_replicas(objs: &[Value], w: &Value) -> u64 {
    if let Some(h) = objs.iter().find(|h| {
        kind(h) == "HorizontalPodAutoscaler"
            && s(h, "spec.scaleTargetRef.name") == &w["metadata"]["name"]
    }) {
        return s(h, "spec.maxReplicas").as_u64().unwrap();
    }
    s(w, "spec.replicas").as_u64().unwrap_or(1)
}

fn selects(selector: &Value, labels: &Value) -> bool {
    let ml = selector["matchLabels"].as_mapping();
    ml.is_some_and(|ml| !ml.is_empty() && ml.iter().all(|(k, v)| &labels[k.as_str().unwrap()] == v))
}

#[test]
fn every_workload_with_several_replicas_has_a_pdb() {
    each_stage(|ctx, m, _, objs| {
        let mut multi = 0;
        for w in objs
            .iter()
            .filter(|o| ["Deployment", "StatefulSet"].contains(&kind(o)))
        {
            if max_replicas(objs, w) <= 1 {
                continue;
            }
            multi += 1;
            let labels = s(w, "spec.template.metadata.labels");
            let pdb = objs
                .iter()
                .filter(|p| kind(p) == "PodDisruptionBudget")
                .find(|p| selects(s(p, "spec.selector"), labels));
            let pdb = pdb.unwrap_or_else(|| panic!("{ctx}: no PDB for {} {}", kind(w), name(w)));
            assert_eq!(pdb["apiVersion"], "policy/v1");
            assert!(
                !s(pdb, "spec.maxUnavailable").is_null() || !s(pdb, "spec.minAvailable").is_null()
            );
        }
        // The model's own view: every multi-instance component is counted.
        let expected = m
            .webs
            .iter()
            .filter(|w| w.count > 1 || w.autoscale.is_some())
            .count()
            + m.dbs
                .iter()
                .filter(|d| d.replicas > 0)
                .map(|d| d.shards.len())
                .sum::<usize>()
            + m.caches.iter().filter(|c| c.count > 1).count()
            + m.nosqls.iter().filter(|n| n.count > 1).count()
            + m.workers.iter().filter(|w| w.count > 1).count();
        assert_eq!(multi, expected, "{ctx}: multi-replica workloads");
    });
}

#[test]
fn network_policy_guards_the_data_tier() {
    each_stage(|ctx, m, _, objs| {
        let has_data = !m.dbs.is_empty()
            || !m.caches.is_empty()
            || !m.nosqls.is_empty()
            || !m.queues.is_empty();
        let policies: Vec<&Value> = objs.iter().filter(|o| kind(o) == "NetworkPolicy").collect();
        if !has_data {
            assert!(policies.is_empty(), "{ctx}: policies without a data tier");
            return;
        }
        let deny = policies
            .iter()
            .find(|p| {
                s(p, "spec.ingress")
                    .as_sequence()
                    .is_some_and(|i| i.is_empty())
                    && s(p, "spec.policyTypes.0") == "Ingress"
            })
            .unwrap_or_else(|| panic!("{ctx}: no default-deny policy"));
        // Every data pod is under the default deny; no web or worker pod is.
        for w in objs
            .iter()
            .filter(|o| ["Deployment", "StatefulSet"].contains(&kind(o)))
        {
            let labels = s(w, "spec.template.metadata.labels");
            let tier = labels["archc.dev/tier"].as_str().unwrap_or("");
            let comp = labels["app.kubernetes.io/component"].as_str().unwrap_or("");
            let data = ["db", "cache", "nosql", "queue"].contains(&comp);
            assert_eq!(data, tier == "data", "{ctx}: {} tier label", name(w));
            assert_eq!(
                selects(s(deny, "spec.podSelector"), labels),
                data,
                "{ctx}: default deny and {}",
                name(w)
            );
            if comp == "web" {
                assert_eq!(tier, "web");
            }
            if comp == "worker" {
                assert_eq!(tier, "worker");
            }
        }
        // Each data component has an allow rule from the web tier.
        let allowed_tiers = |pod: &str| -> Vec<String> {
            policies
                .iter()
                .filter(|p| {
                    s(p, "spec.podSelector.matchExpressions.0.values")
                        .as_sequence()
                        .is_some_and(|v| v.iter().any(|x| x == pod))
                })
                .flat_map(|p| {
                    s(
                        p,
                        "spec.ingress.0.from.0.podSelector.matchExpressions.0.values",
                    )
                    .as_sequence()
                    .cloned()
                    .unwrap_or_default()
                })
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        for db in &m.dbs {
            for shard in &db.shards {
                let t = allowed_tiers(&shard.primary);
                assert!(
                    t.contains(&"web".into()) && t.contains(&"worker".into()),
                    "{ctx}: {t:?}"
                );
            }
        }
        for c in &m.caches {
            assert_eq!(
                allowed_tiers(&c.name),
                vec!["web", "worker"],
                "{ctx}: cache {}",
                c.name
            );
        }
        for q in &m.queues {
            let t = allowed_tiers(&q.name);
            assert!(
                t.contains(&"web".into()) && t.contains(&"worker".into()),
                "{ctx}: {t:?}"
            );
        }
    });
}

#[test]
fn caches_queues_nosql_and_workers_match_the_model() {
    each_stage(|ctx, m, _, objs| {
        for c in &m.caches {
            let st = get(objs, "StatefulSet", &c.name, ctx);
            assert_eq!(
                s(st, "spec.replicas").as_u64(),
                Some(c.count as u64),
                "{ctx}"
            );
            let svc = get(objs, "Service", &c.name, ctx);
            assert_eq!(s(svc, "spec.ports.0.port").as_u64(), Some(c.port as u64));
            // A redis cache starts from a script that requires its password
            // (`sh -c SCRIPT`): its arguments are the script's words.
            let container = s(st, "spec.template.spec.containers.0");
            let script = s(container, "command.2").as_str().unwrap_or_default();
            let args: Vec<&str> = if c.password_env.is_some() {
                assert!(script.contains("--requirepass \"$REDISCLI_AUTH\""), "{ctx}");
                let env = s(container, "env.0.valueFrom.secretKeyRef.key");
                assert_eq!(env.as_str(), c.password_env.as_deref(), "{ctx}");
                script.split(' ').collect()
            } else {
                s(container, "args")
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .collect()
            };
            let mem = c.memory_mb.to_string();
            match c.engine {
                archc::model::CacheEngine::Redis => {
                    let i = args.iter().position(|a| *a == "--maxmemory").unwrap();
                    assert_eq!(args[i + 1], format!("{mem}mb"), "{ctx}");
                    if let Some(e) = c.evict {
                        let want = match e {
                            archc::model::Evict::Lru => "allkeys-lru",
                            archc::model::Evict::Lfu => "allkeys-lfu",
                            archc::model::Evict::None => "noeviction",
                        };
                        assert!(args.contains(&want), "{ctx}: {args:?}");
                    }
                }
                archc::model::CacheEngine::Memcached => {
                    assert_eq!(&args[..2], &["-m", mem.as_str()], "{ctx}");
                }
            }
        }
        for n in &m.nosqls {
            let k = match n.engine {
                archc::model::NosqlEngine::Mongodb => "StatefulSet",
                archc::model::NosqlEngine::Dynamodb => "Deployment",
            };
            let w = get(objs, k, &n.name, ctx);
            assert_eq!(
                s(w, "spec.replicas").as_u64(),
                Some(n.count as u64),
                "{ctx}"
            );
            get(objs, "Service", &n.name, ctx);
        }
        for q in &m.queues {
            let svc = get(objs, "Service", &q.name, ctx);
            assert_eq!(
                s(svc, "spec.ports.0.port").as_u64(),
                Some(q.port as u64),
                "{ctx}"
            );
        }
        for w in &m.workers {
            let d = get(objs, "Deployment", &w.name, ctx);
            assert_eq!(
                s(d, "spec.replicas").as_u64(),
                Some(w.count as u64),
                "{ctx}"
            );
            let env = s(d, "spec.template.spec.containers.0.env")
                .as_sequence()
                .unwrap();
            let queue = env.iter().find(|e| e["name"] == "WORKER_QUEUE").unwrap();
            assert_eq!(
                queue["value"].as_str(),
                Some(
                    m.app_env()
                        .prefix("queue", &w.queue)
                        .expect("the queue's prefix")
                ),
                "{ctx}"
            );
        }
    });
}

#[test]
fn ingress_per_load_balancer_reaches_its_backends() {
    each_stage(|ctx, m, _, objs| {
        for lb in &m.lbs {
            let backends: Vec<_> = m
                .webs
                .iter()
                .filter(|w| lb.backends.contains(&w.name))
                .collect();
            let Some(first) = backends.first() else {
                assert!(find(objs, "Ingress", &lb.name).is_none());
                continue;
            };
            let ing = get(objs, "Ingress", &lb.name, ctx);
            assert_eq!(s(ing, "spec.ingressClassName"), "nginx");
            let backend = s(ing, "spec.rules.0.http.paths.0.backend.service");
            let svc_name = backend["name"].as_str().unwrap();
            let svc = get(objs, "Service", svc_name, ctx);
            assert_eq!(
                s(svc, "spec.ports.0.port"),
                s(backend, "port.number"),
                "{ctx}"
            );
            if backends.len() == 1 {
                assert_eq!(svc_name, first.name, "{ctx}");
            }
            // The Service selects the pods of every backend tier.
            for w in &backends {
                let d = get(objs, "Deployment", &w.name, ctx);
                let mut sel = Value::Mapping(Default::default());
                sel["matchLabels"] = s(svc, "spec.selector").clone();
                assert!(
                    selects(&sel, s(d, "spec.template.metadata.labels")),
                    "{ctx}: {}",
                    w.name
                );
            }
            let affinity = &s(ing, "metadata.annotations")["nginx.ingress.kubernetes.io/affinity"];
            let sticky = backends.iter().any(|w| w.sticky);
            assert_eq!(!affinity.is_null(), sticky, "{ctx}: sticky {}", lb.name);
            if sticky {
                assert_eq!(affinity, "cookie");
            }
        }
    });
}

// ---------------------------------------------------------------------------
// Database replication
// ---------------------------------------------------------------------------

/// The value of env `var` of a container (`None`: not set, or from a Secret).
fn env_value<'v>(c: &'v Value, var: &str) -> Option<&'v str> {
    c["env"]
        .as_sequence()?
        .iter()
        .find(|e| e["name"] == var)
        .and_then(|e| e["value"].as_str())
}

/// The application's database addresses name each shard's pod -0 as the
/// write host and its pods -1.. as read replicas; every pod of the shard
/// knows pod -0 as its source (`PRIMARY_HOST`) and mounts the database's
/// replication scripts.
#[test]
fn db_replicas_clone_pod_0_which_alone_takes_writes() {
    let mut replicated = 0;
    each_stage(|ctx, m, _, objs| {
        // Without an application tier there is no one to tell.
        let apps = !(m.webs.is_empty() && m.workers.is_empty());
        for v in m.app_env().shared().filter(|v| apps && v.kind == "db") {
            let env = get(objs, "ConfigMap", &format!("{}-app-env", m.system), ctx);
            let db = m.dbs.iter().find(|d| d.name == v.component).unwrap();
            let value = s(env, "data")[v.name.as_str()].as_str().unwrap_or("");
            let hosts: Vec<&str> = value.split(',').collect();
            match &v.meaning {
                archc::model::Meaning::Primaries { .. } => {
                    let want: Vec<String> = db
                        .shards
                        .iter()
                        .map(|s| format!("{0}-0.{0}", s.primary))
                        .collect();
                    assert_eq!(hosts, want, "{ctx}: {} is every shard's pod -0", v.name);
                }
                archc::model::Meaning::Replicas { shard, .. } => {
                    let p = &db.shards[*shard as usize - 1].primary;
                    let want: Vec<String> =
                        (1..=db.replicas).map(|i| format!("{p}-{i}.{p}")).collect();
                    assert_eq!(hosts, want, "{ctx}: {} are pods 1..", v.name);
                }
                _ => {}
            }
        }
        for db in &m.dbs {
            let scripts = format!("{}-replication", db.name);
            let cm = get(objs, "ConfigMap", &scripts, ctx);
            for shard in &db.shards {
                let st = get(objs, "StatefulSet", &shard.primary, ctx);
                let pod = s(st, "spec.template.spec");
                assert_eq!(
                    s(pod, "volumes.0.configMap.name").as_str(),
                    Some(scripts.as_str()),
                    "{ctx}"
                );
                let primary = format!("{0}-0.{0}", shard.primary);
                let c = match db.engine {
                    archc::model::DbEngine::Postgres => {
                        let init = s(pod, "initContainers.0");
                        assert_eq!(init["name"], "clone", "{ctx}");
                        assert!(cm["data"]["clone.sh"]
                            .as_str()
                            .unwrap()
                            .contains("pg_basebackup"));
                        init
                    }
                    archc::model::DbEngine::Mysql => s(pod, "containers.0"),
                };
                assert_eq!(
                    env_value(c, "PRIMARY_HOST"),
                    Some(primary.as_str()),
                    "{ctx}"
                );
                if db.replicas > 0 {
                    replicated += 1;
                }
            }
        }
    });
    assert!(
        replicated >= 6,
        "postgres and mysql shards with replicas: {replicated}"
    );
}

/// Adding replicas in a later stage must only scale the StatefulSet: a new
/// pod template would restart the primary, and a rollout waits for the new
/// replicas, which wait for a primary that allows replication.
#[test]
fn db_pod_template_does_not_depend_on_replicas() {
    for (stem, design) in designs() {
        for m in design.stages.iter().filter(|m| !m.dbs.is_empty()) {
            let mut single = m.clone();
            for db in &mut single.dbs {
                db.replicas = 0;
                for s in &mut db.shards {
                    s.replicas.clear();
                }
            }
            let (a, b) = (objects(&emit_k8s(m)), objects(&emit_k8s(&single)));
            for db in &m.dbs {
                for shard in &db.shards {
                    let ctx = format!("{stem}/{}: {}", m.stage, shard.primary);
                    assert_eq!(
                        s(
                            get(&a, "StatefulSet", &shard.primary, &ctx),
                            "spec.template"
                        ),
                        s(
                            get(&b, "StatefulSet", &shard.primary, &ctx),
                            "spec.template"
                        ),
                        "{ctx}"
                    );
                }
            }
        }
    }
}

/// A scratch directory with stand-ins for the programs a script calls: each
/// appends its name and arguments to `calls`.
struct Fakes {
    dir: tempfile::TempDir,
}

impl Fakes {
    fn new(programs: &[(&str, &str)]) -> Fakes {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        for (name, body) in programs {
            let p = dir.path().join("bin").join(name);
            let calls = dir.path().join("calls");
            std::fs::write(
                &p,
                format!(
                    "#!/bin/bash\necho \"{name} $*\" >> {}\n{body}\n",
                    calls.display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Fakes { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `sh script` with `env`, the fakes first on PATH; returns stdout.
    fn run(&self, shell: &str, script: &str, env: &[(&str, &str)]) -> String {
        let (ok, text) = self.run_status(shell, script, env);
        assert!(ok, "{script}\nfailed: {text}");
        text
    }

    /// Like `run`, for a script whose exit status is the answer: whether it
    /// succeeded, and its stdout (and stderr, when it failed).
    fn run_status(&self, shell: &str, script: &str, env: &[(&str, &str)]) -> (bool, String) {
        let file = self.path("script.sh");
        std::fs::write(&file, script).unwrap();
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new(shell)
            .arg(&file)
            .env("PATH", path)
            .envs(env.iter().copied())
            .output()
            .expect("run the script");
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            text.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        (out.status.success(), text)
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }
}

/// The journey's replicated stage, parsed; and one of its ConfigMaps' files.
fn script(file: &str, stage: &str, config_map: &str, key: &str) -> String {
    let design = common::compile_file(&common::repo().join(file));
    let m = design.stages.iter().find(|m| m.stage == stage).unwrap();
    let objs = objects(&emit_k8s(m));
    s(get(&objs, "ConfigMap", config_map, key), "data")[key]
        .as_str()
        .unwrap()
        .to_string()
}

/// The `clone` init container's script, run with a fake pg_basebackup that
/// fails once (leaving a partial copy) and then succeeds.
#[test]
fn postgres_clone_runs_only_on_an_empty_replica_and_retries_from_scratch() {
    let clone = script(
        "examples/journey.arch",
        "replicated",
        "db-replication",
        "clone.sh",
    );
    let basebackup = r#"
        for a; do [ "$prev" = -D ] && dir="$a"; prev="$a"; done
        echo "files before: $(ls -A "$dir" | wc -l)" >> "$(dirname "$0")/../calls"
        if [ ! -e "$(dirname "$0")/../failed-once" ]; then
          touch "$(dirname "$0")/../failed-once" "$dir/partial"; exit 1
        fi
        echo 16 > "$dir/PG_VERSION""#;
    let f = Fakes::new(&[
        ("pg_basebackup", basebackup),
        ("chown", ""),
        ("chmod", ""),
        ("sleep", ""),
    ]);
    let data = f.path("data");
    std::fs::create_dir(&data).unwrap();
    let data_s = data.to_str().unwrap();
    let run = |host: &str| {
        f.run(
            "sh",
            &clone,
            &[
                ("HOSTNAME", host),
                ("PGDATA", data_s),
                ("PRIMARY_HOST", "db-0.db"),
            ],
        )
    };
    // Pod 0 is the primary: its own entrypoint creates the database.
    run("db-0");
    assert_eq!(f.calls(), Vec::<String>::new());
    // A replica with an empty directory clones; a failed attempt is wiped.
    let out = run("db-2");
    assert!(out.contains("waiting for db-0.db"), "{out}");
    let want_clone =
        format!("pg_basebackup -h db-0.db -p 5432 -U app -D {data_s} -R -X stream -c fast");
    assert_eq!(
        f.calls(),
        vec![
            want_clone.clone(),
            "files before: 0".into(),
            "sleep 2".into(),
            want_clone,
            "files before: 0".into(),
            format!("chown -R postgres:postgres {data_s}"),
            format!("chmod 700 {data_s}"),
        ]
    );
    // Restarted with its data: nothing to do.
    std::fs::remove_file(f.path("calls")).unwrap();
    run("db-2");
    assert_eq!(f.calls(), Vec::<String>::new());
}

/// mysql: `start.sh` picks the server options by ordinal and hands over to
/// the entrypoint, which runs `10-replication.sh` (here: a fake entrypoint
/// that sources it with a fake docker_process_sql, as the image does).
#[test]
fn mysql_start_makes_pod_0_the_source_and_the_others_read_only_replicas() {
    let file = "tests/fixtures/ok/compose-mysql-haproxy.arch";
    let start = script(file, "main", "orders-replication", "start.sh");
    let init = script(file, "main", "orders-replication", "10-replication.sh");
    let f = Fakes::new(&[(
        "docker-entrypoint.sh",
        r#"echo "user=${MYSQL_USER-unset} db=${MYSQL_DATABASE-unset} source_user=${SOURCE_USER-unset}"
docker_process_sql() { echo "sql $* $(cat)"; }
. "$(dirname "$0")/../init.sh""#,
    )]);
    std::fs::write(f.path("init.sh"), init).unwrap();
    let run = |host: &str| {
        f.run(
            "bash",
            &start,
            &[
                ("HOSTNAME", host),
                ("MYSQL_USER", "app"),
                ("MYSQL_PASSWORD", "pw"),
                ("MYSQL_DATABASE", "app"),
                ("PRIMARY_HOST", "orders-shard-1-0.orders-shard-1"),
            ],
        )
    };
    let source = run("orders-shard-1-0");
    assert_eq!(
        f.calls(),
        vec!["docker-entrypoint.sh mysqld --server-id=1 --gtid-mode=ON --enforce-gtid-consistency=ON --log-bin=mysql-bin"]
    );
    assert!(
        source.contains("user=app db=app source_user=unset"),
        "{source}"
    );
    assert!(
        source.contains("sql --database=mysql GRANT REPLICATION SLAVE ON *.* TO 'app'@'%';"),
        "{source}"
    );
    std::fs::remove_file(f.path("calls")).unwrap();
    let replica = run("orders-shard-1-1");
    assert_eq!(
        f.calls(),
        vec!["docker-entrypoint.sh mysqld --server-id=2 --gtid-mode=ON --enforce-gtid-consistency=ON --log-bin=mysql-bin --read-only=ON"]
    );
    // The user and database arrive by replication, not from the entrypoint.
    assert!(
        replica.contains("user=unset db=unset source_user=app"),
        "{replica}"
    );
    assert!(
        replica.contains(
            "sql  CHANGE REPLICATION SOURCE TO SOURCE_HOST='orders-shard-1-0.orders-shard-1', SOURCE_PORT=3306, SOURCE_USER='app', SOURCE_PASSWORD='pw', SOURCE_AUTO_POSITION=1"
        ),
        "{replica}"
    );
    assert!(replica.contains("START REPLICA;"), "{replica}");
}

/// MongoDB: the pods are the members of the replica set the application is
/// told about (`P_REPLICA_SET`, `P_HOSTS` = `<name>-N.<name>`), run from the
/// store's ConfigMap of scripts, with the password from the Secret.
#[test]
fn mongodb_pods_are_the_replica_set_the_apps_are_told() {
    let mut checked = 0;
    each_stage(|ctx, m, _, objs| {
        let apps = !(m.webs.is_empty() && m.workers.is_empty());
        for n in m
            .nosqls
            .iter()
            .filter(|n| n.engine == archc::model::NosqlEngine::Mongodb)
        {
            let name = &n.name;
            let scripts = format!("{name}-replication");
            let cm = get(objs, "ConfigMap", &scripts, ctx);
            let start = cm["data"]["start.sh"].as_str().unwrap();
            let ready = cm["data"]["ready.sh"].as_str().unwrap();
            assert!(
                start.contains(&format!(
                    "mongod --replSet {name} --port {} --bind_ip_all --keyFile /data/keyfile",
                    n.port
                )),
                "{ctx}: {start}"
            );
            // The member address each pod gives itself.
            assert!(
                ready.contains(&format!("me=\"$HOSTNAME.{name}:{}\"", n.port)),
                "{ctx}: {ready}"
            );
            let svc = get(objs, "Service", name, ctx);
            assert_eq!(
                s(svc, "spec.publishNotReadyAddresses").as_bool(),
                Some(true),
                "{ctx}: members resolve each other before they are ready"
            );
            let st = get(objs, "StatefulSet", name, ctx);
            let pod = s(st, "spec.template.spec");
            assert_eq!(
                s(pod, "volumes.0.configMap.name").as_str(),
                Some(scripts.as_str()),
                "{ctx}"
            );
            let c = s(pod, "containers.0");
            let strs = |v: &Value| -> Vec<String> {
                v.as_sequence()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect()
            };
            assert_eq!(
                strs(&c["command"]),
                ["sh", "/replication/start.sh"],
                "{ctx}"
            );
            assert_eq!(
                strs(&c["readinessProbe"]["exec"]["command"]),
                ["sh", "/replication/ready.sh"],
                "{ctx}"
            );
            let password = c["env"]
                .as_sequence()
                .unwrap()
                .iter()
                .find(|e| e["name"] == "MONGO_INITDB_ROOT_PASSWORD")
                .expect("the password");
            assert_eq!(
                password["valueFrom"]["secretKeyRef"]["key"].as_str(),
                n.password_env.as_deref(),
                "{ctx}: a reference to the Secret, never a value"
            );
            if !apps {
                continue;
            }
            let env = get(objs, "ConfigMap", &format!("{}-app-env", m.system), ctx);
            for v in m
                .app_env()
                .shared()
                .filter(|v| v.kind == "nosql" && v.component == *name)
            {
                let value = s(env, "data")[v.name.as_str()].as_str().unwrap_or("");
                match &v.meaning {
                    archc::model::Meaning::Nodes { .. } => {
                        let want: Vec<String> =
                            (0..n.count).map(|i| format!("{name}-{i}.{name}")).collect();
                        assert_eq!(value, want.join(","), "{ctx}: {}", v.name);
                    }
                    archc::model::Meaning::ReplicaSet { .. } => {
                        assert_eq!(value, name.as_str(), "{ctx}: {}", v.name);
                    }
                    _ => {}
                }
            }
            checked += 1;
        }
    });
    assert!(checked >= 2, "mongodb stores checked: {checked}");
}

/// Like a database's, a MongoDB store that gains instances in a later stage
/// only scales up: the pods already running keep their template.
#[test]
fn mongodb_pod_template_does_not_depend_on_instances() {
    let mut compared = 0;
    for (stem, design) in designs() {
        for m in &design.stages {
            let mut single = m.clone();
            for n in &mut single.nosqls {
                n.count = 1;
                n.instances.truncate(1);
            }
            let (a, b) = (objects(&emit_k8s(m)), objects(&emit_k8s(&single)));
            for n in m
                .nosqls
                .iter()
                .filter(|n| n.engine == archc::model::NosqlEngine::Mongodb && n.count > 1)
            {
                let ctx = format!("{stem}/{}: {}", m.stage, n.name);
                assert_eq!(
                    s(get(&a, "StatefulSet", &n.name, &ctx), "spec.template"),
                    s(get(&b, "StatefulSet", &n.name, &ctx), "spec.template"),
                    "{ctx}"
                );
                let cm = format!("{}-replication", n.name);
                assert_eq!(
                    get(&a, "ConfigMap", &cm, &ctx)["data"],
                    get(&b, "ConfigMap", &cm, &ctx)["data"],
                    "{ctx}"
                );
                compared += 1;
            }
        }
    }
    assert!(
        compared >= 1,
        "mongodb stores with several instances: {compared}"
    );
}

/// `start.sh` writes the key file from the password and starts the member
/// through the image's entrypoint; only pod -0 keeps the variables that make
/// the entrypoint create the user.
#[test]
fn mongodb_start_derives_the_key_file_and_only_pod_0_creates_the_user() {
    let f = Fakes::new(&[
        (
            "docker-entrypoint.sh",
            r#"echo "user=${MONGO_INITDB_ROOT_USERNAME-unset} password=${MONGO_INITDB_ROOT_PASSWORD-unset}""#,
        ),
        ("chown", ""),
    ]);
    let keyfile = f.path("keyfile");
    let key_s = keyfile.to_str().unwrap();
    // The container's file system is not the test's: the key file moves.
    let start = script(
        "examples/media.arch",
        "stateless",
        "profiles-replication",
        "start.sh",
    )
    .replace("/data/keyfile", key_s);
    let run = |host: &str| {
        let out = f.run(
            "sh",
            &start,
            &[
                ("HOSTNAME", host),
                ("MONGO_INITDB_ROOT_USERNAME", "app"),
                ("MONGO_INITDB_ROOT_PASSWORD", "pw"),
            ],
        );
        let key = std::fs::read_to_string(&keyfile).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keyfile).unwrap().permissions().mode() & 0o777;
        std::fs::remove_file(&keyfile).unwrap();
        (out, key, mode)
    };
    let mongod = format!(
        "docker-entrypoint.sh mongod --replSet profiles --port 27017 --bind_ip_all --keyFile {key_s}"
    );
    // sha256 of "pw": the same key on every pod, from the one Secret key.
    let want_key = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\n";
    let (out, key, mode) = run("profiles-0");
    assert_eq!(out, "user=app password=pw\n");
    assert_eq!((key.as_str(), mode), (want_key, 0o400));
    assert_eq!(
        f.calls(),
        vec![format!("chown mongodb:mongodb {key_s}"), mongod.clone()]
    );
    std::fs::remove_file(f.path("calls")).unwrap();
    let (out, key, mode) = run("profiles-10");
    assert_eq!(out, "user=unset password=unset\n");
    assert_eq!((key.as_str(), mode), (want_key, 0o400));
    assert_eq!(
        f.calls(),
        vec![format!("chown mongodb:mongodb {key_s}"), mongod]
    );
}

/// `ready.sh`, the readiness probe, run against a fake mongosh: ready only
/// as a member; a pod in no set joins it once (pod -0 initiates it with
/// itself, unless pod -1 already belongs to it; another pod adds itself
/// through the primary) under the address the application is told.
#[test]
fn mongodb_ready_joins_the_replica_set_once() {
    let design = common::compile_file(&common::repo().join("examples/media.arch"));
    let m = design
        .stages
        .iter()
        .find(|m| m.stage == "stateless")
        .unwrap();
    let objs = objects(&emit_k8s(m));
    let env = get(&objs, "ConfigMap", "media-app-env", "media");
    let hosts: Vec<&str> = s(env, "data.PROFILES_HOSTS")
        .as_str()
        .unwrap()
        .split(',')
        .collect();
    let ready = s(
        get(&objs, "ConfigMap", "profiles-replication", "media"),
        "data",
    )["ready.sh"]
        .as_str()
        .unwrap()
        .to_string();
    // Answers from files: `state` (this pod's), `pod-1` (pod -1's set name;
    // absent: unreachable); any other command succeeds. Each call's
    // arguments, one a line, go to `args`.
    let f = Fakes::new(&[(
        "mongosh",
        r#"d="$(dirname "$0")/.."
printf '%s\n' "$@" > "$d/args"
case "$*" in
  *"const h = db.hello()"*) cat "$d/state" ;;
  *directConnection*) [ -e "$d/pod-1" ] || exit 1; cat "$d/pod-1" ;;
  *) echo 1 ;;
esac"#,
    )]);
    let password = "p w'\"$x";
    let run = |host: &str, state: &str, pod1: Option<&str>| {
        std::fs::write(f.path("state"), format!("{state}\n")).unwrap();
        match pod1 {
            Some(set) => std::fs::write(f.path("pod-1"), format!("{set}\n")).unwrap(),
            None => {
                let _ = std::fs::remove_file(f.path("pod-1"));
            }
        }
        let _ = std::fs::remove_file(f.path("calls"));
        let (ok, out) = f.run_status(
            "sh",
            &ready,
            &[("HOSTNAME", host), ("MONGO_INITDB_ROOT_PASSWORD", password)],
        );
        let args = std::fs::read_to_string(f.path("args")).unwrap_or_default();
        (ok, out, f.calls(), args)
    };
    let local = "mongosh --quiet --port 27017 --eval const h = db.hello(); h.isWritablePrimary || h.secondary ? 'member' : h.setName ? 'joining' : 'none'";
    let login = format!("-u\napp\n-p\n{password}\n--authenticationDatabase\nadmin\n");

    // A member (primary or secondary) is ready, whichever pod it is.
    for host in ["profiles-0", "profiles-2"] {
        let (ok, _, calls, _) = run(host, "member", None);
        assert!(ok, "{host}");
        assert_eq!(calls, vec![local], "{host}");
    }
    // Joined, still syncing: not ready, nothing to do.
    let (ok, out, calls, _) = run("profiles-2", "joining", None);
    assert!(!ok);
    assert_eq!(out, "profiles-2.profiles:27017: joining\n");
    assert_eq!(calls, vec![local]);

    // Pod -0 in no set, pod -1 unreachable (a new store): initiates the set
    // with itself alone; ready once it is the primary, at a later probe.
    let me0 = format!("{}:27017", hosts[0]);
    let (ok, _, calls, args) = run("profiles-0", "none", None);
    assert!(!ok);
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls[1].contains("mongodb://profiles-1.profiles:27017/?directConnection=true"));
    assert_eq!(
        args,
        format!("--quiet\n--port\n27017\n{login}--eval\nrs.initiate({{_id: 'profiles', members: [{{_id: 0, host: '{me0}'}}]}}).ok\n")
    );
    // Pod -1 answers but belongs to no set yet: the same.
    let (_, _, calls, _) = run("profiles-0", "none", Some(""));
    assert_eq!(calls.len(), 3, "{calls:?}");
    // Pod -1 is in the set: pod -0 lost its volume and must not start a
    // second set of the same name.
    let (ok, out, calls, _) = run("profiles-0", "none", Some("profiles"));
    assert!(!ok);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(out.contains("waiting for the set"), "{out}");

    // Another pod in no set adds itself, through the primary found from pod -0.
    let me2 = format!("{}:27017", hosts[2]);
    let (ok, _, calls, args) = run("profiles-2", "none", None);
    assert!(!ok);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        args,
        format!("--quiet\nmongodb://profiles-0.profiles:27017/?replicaSet=profiles&serverSelectionTimeoutMS=5000\n{login}--eval\nrs.conf().members.some(m => m.host === '{me2}') || rs.add('{me2}').ok\n")
    );
}
