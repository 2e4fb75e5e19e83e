//! The README.md of every target's folder: it names exactly what the other
//! files of the folder need (the Secrets the manifests read, the variables
//! without a default, the `.env` secrets, the balancer configs), carries the
//! provenance header as an HTML comment, passes `build --check`, and a
//! user's `README.md.tera` replaces it.

use crate::cli::archc;
use crate::common::{buildable_designs, compile_file, visible_tempdir};
use archc::emit::{emit, Options, OutFile, Target};
use archc::model::Model;
use std::collections::{BTreeMap, BTreeSet};

fn every_model() -> Vec<Model> {
    buildable_designs()
        .iter()
        .flat_map(|p| compile_file(p).stages)
        .collect()
}

fn file<'a>(files: &'a [OutFile], path: &str) -> Option<&'a str> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
}

fn readme(files: &[OutFile]) -> &str {
    file(files, "README.md").expect("a README.md")
}

fn at(m: &Model) -> String {
    format!("{}/{}", m.source_name, m.stage)
}

/// Secret name -> the keys the README's `kubectl create secret` commands give it.
fn secrets_created(readme: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in readme.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("kubectl create secret generic ") {
            let name = rest.split_whitespace().next().unwrap().to_string();
            out.entry(name.clone()).or_default();
            current = Some(name);
        } else if let Some(rest) = line.strip_prefix("--from-literal=") {
            let key = rest.split('=').next().unwrap().to_string();
            out.get_mut(current.as_ref().expect("a key after a command"))
                .unwrap()
                .insert(key);
        } else {
            current = None;
        }
    }
    out
}

/// Secret name -> the keys the manifests read by name (`secretKeyRef`);
/// a Secret read whole (`envFrom` `secretRef`) is listed with no keys.
fn secrets_read(files: &[OutFile]) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(v: &serde_yaml::Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    let name = v.get("name").and_then(|n| n.as_str());
                    match (k.as_str(), name) {
                        (Some("secretKeyRef"), Some(name)) => {
                            let key = v["key"].as_str().unwrap().to_string();
                            out.entry(name.into()).or_default().insert(key);
                        }
                        (Some("secretRef"), Some(name)) => {
                            out.entry(name.into()).or_default();
                        }
                        _ => walk(v, out),
                    }
                }
            }
            serde_yaml::Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for f in files.iter().filter(|f| f.path.ends_with(".yaml")) {
        for doc in serde_yaml::Deserializer::from_str(&f.contents) {
            let v = serde::Deserialize::deserialize(doc).unwrap();
            walk(&v, &mut out);
        }
    }
    out
}

#[test]
fn the_k8s_readme_creates_exactly_the_secrets_the_manifests_read() {
    let mut with_app_secret = false;
    for m in every_model() {
        let files = emit(Target::K8s, &m, &Options::default()).unwrap();
        let created = secrets_created(readme(&files));
        let read = secrets_read(&files);
        assert_eq!(
            created.keys().collect::<Vec<_>>(),
            read.keys().collect::<Vec<_>>(),
            "{}",
            at(&m)
        );
        for (name, keys) in &read {
            assert!(keys.is_subset(&created[name]), "{}: {name}", at(&m));
        }
        // The shared Secret holds exactly the namespace file's keys too.
        let ns = file(&files, "00-namespace.yaml").unwrap();
        for (name, keys) in &created {
            for k in keys {
                assert!(ns.contains(&format!("--from-literal={k}=")), "{name}: {k}");
            }
        }
        with_app_secret |= created.len() > 1;
    }
    assert!(with_app_secret, "some design has an application's `secret`");
}

/// (name, has a default) of every `variable` block of variables.tf.
fn declared_variables(tf: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for line in tf.lines() {
        if let Some(rest) = line.strip_prefix("variable \"") {
            out.push((rest.split('"').next().unwrap().to_string(), false));
        } else if line.trim_start().starts_with("default ") {
            out.last_mut().unwrap().1 = true;
        }
    }
    out
}

#[test]
fn the_terraform_readme_names_every_variable_and_asks_for_those_without_a_default() {
    let mut required_seen = false;
    for m in every_model() {
        let files = emit(Target::Terraform, &m, &Options::default()).unwrap();
        let text = readme(&files);
        let declared = declared_variables(file(&files, "variables.tf").unwrap());
        assert!(!declared.is_empty(), "{}", at(&m));
        for (name, has_default) in &declared {
            if *has_default {
                assert!(text.contains(&format!("`{name}` = ")), "{}: {name}", at(&m));
            } else {
                required_seen = true;
                // Listed to set, and set in the module block.
                assert!(
                    text.contains(&format!("- `{name}` (")),
                    "{}: {name}",
                    at(&m)
                );
                assert!(
                    text.contains(&format!("\n  {name} = \"...\"\n")),
                    "{}: {name}",
                    at(&m)
                );
            }
        }
        let required = declared.iter().filter(|v| !v.1).count();
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("- `") && l.contains("` ("))
                .count(),
            required,
            "{}: no other variable is asked for",
            at(&m)
        );
        assert!(text.contains("terraform init\n"), "{}", at(&m));
        if let Some(outputs) = file(&files, "outputs.tf") {
            for name in outputs.lines().filter_map(|l| l.strip_prefix("output \"")) {
                let name = name.split('"').next().unwrap();
                assert!(
                    text.contains(&format!("- `{name}`: ")),
                    "{}: {name}",
                    at(&m)
                );
            }
        }
    }
    assert!(
        required_seen,
        "some design has a variable without a default"
    );
}

#[test]
fn the_compose_readme_asks_for_dot_env_exactly_when_env_example_lists_secrets() {
    let (mut with, mut without) = (false, false);
    for m in every_model() {
        let files = emit(Target::Compose, &m, &Options::default()).unwrap();
        let text = readme(&files);
        let secrets: Vec<&str> = file(&files, ".env.example")
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
            .map(|l| l.split('=').next().unwrap())
            .collect();
        assert_eq!(
            text.contains("cp .env.example .env"),
            !secrets.is_empty(),
            "{}",
            at(&m)
        );
        for s in &secrets {
            assert!(text.contains(&format!("`{s}`")), "{}: {s}", at(&m));
        }
        assert!(text.contains("docker compose up -d"), "{}", at(&m));
        // Every published service is checked on its host port.
        let compose = file(&files, "compose.yaml").unwrap();
        for port in compose
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- \""))
            .filter_map(|p| p.split_once(':').map(|(host, _)| host))
            .filter(|host| host.bytes().all(|b| b.is_ascii_digit()))
        {
            assert!(
                text.contains(&format!("http://localhost:{port}/")),
                "{}: host port {port}",
                at(&m)
            );
        }
        with |= !secrets.is_empty();
        without |= secrets.is_empty();
    }
    assert!(with && without, "designs with and without secrets");
}

#[test]
fn the_balancer_readmes_name_every_config_and_exist_only_with_one() {
    for m in every_model() {
        for (target, ext, test) in [
            (Target::Nginx, "conf", "nginx -t "),
            (Target::Haproxy, "cfg", "haproxy -c -f "),
        ] {
            let files = emit(target, &m, &Options::default()).unwrap();
            if m.lbs.is_empty() {
                assert!(files.is_empty(), "{}: {:?}", at(&m), target);
                continue;
            }
            let text = readme(&files);
            assert!(text.contains(test), "{}", at(&m));
            for f in files.iter().filter(|f| f.path != "README.md") {
                assert!(f.path.ends_with(ext));
                assert!(text.contains(&format!("| `{}` |", f.path)), "{}", at(&m));
            }
        }
    }
}

#[test]
fn the_readme_header_is_the_usual_one_as_an_html_comment() {
    let m = &compile_file(&crate::common::repo().join("examples/journey.arch")).stages[0];
    for t in Target::ALL {
        let files = emit(t, m, &Options::default()).unwrap();
        let Some(text) = file(&files, "README.md") else {
            continue;
        };
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!(
                "<!-- Generated by archc from {}, stage \"{}\". Do not edit. -->",
                m.source_name, m.stage
            )
        );
        let second = lines.next().unwrap();
        assert!(
            second.starts_with("<!-- From design line") && second.ends_with("). -->"),
            "{second}"
        );
        let h = archc::provenance::header(text).unwrap();
        assert_eq!(
            (h.source.as_str(), h.stage.as_str()),
            ("examples/journey.arch", m.stage.as_str())
        );
        let lines = archc::provenance::design_lines(text).unwrap();
        assert!(!lines.is_empty(), "{}", t.name());
        assert!(lines
            .iter()
            .all(|n| m.components().iter().any(|c| c.origin.line == *n)));
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{}",
            t.name()
        );
    }
}

#[test]
fn build_check_passes_with_readmes_and_a_users_readme_template_is_used() {
    let t = visible_tempdir();
    let d = t.path();
    std::fs::copy(
        crate::common::repo().join("examples/site.arch"),
        d.join("site.arch"),
    )
    .unwrap();
    let run = |args: &[&str]| archc().current_dir(d).args(args).output().unwrap();
    let o = run(&["build", "site.arch", "-t", "all", "-o", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(d.join("out/.archc-manifest")).unwrap();
    for target in ["terraform", "compose", "nginx", "haproxy", "k8s"] {
        assert!(
            manifest.contains(&format!("{target}\t{target}/README.md\n")),
            "{manifest}"
        );
    }
    let o = run(&["build", "site.arch", "-t", "all", "-o", "out", "--check"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A README edited by hand is a difference like any other file's.
    let k8s_readme = d.join("out/k8s/README.md");
    let mut text = std::fs::read_to_string(&k8s_readme).unwrap();
    text.push_str("edited\n");
    std::fs::write(&k8s_readme, text).unwrap();
    let o = run(&["build", "site.arch", "-t", "all", "-o", "out", "--check"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("k8s/README.md")
            || String::from_utf8_lossy(&o.stderr).contains("k8s/README.md")
    );

    // The user's template, listed and exported like any other.
    let o = run(&["templates", "list"]);
    let list = String::from_utf8_lossy(&o.stdout);
    for target in ["terraform", "compose", "nginx", "haproxy", "k8s"] {
        assert!(list.contains(&format!("{target}/README.md.tera")), "{list}");
    }
    std::fs::create_dir_all(d.join("tpl/k8s")).unwrap();
    std::fs::write(
        d.join("tpl/k8s/README.md.tera"),
        "{{ header }}\nOurs: namespace {{ namespace }}, {{ secrets | length }} Secret(s).\n",
    )
    .unwrap();
    let o = run(&[
        "build",
        "site.arch",
        "-t",
        "k8s",
        "-o",
        "custom",
        "--templates",
        "tpl",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(d.join("custom/k8s/README.md")).unwrap();
    let body: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(body, ["Ours: namespace site, 1 Secret(s)."], "{text}");
    assert!(text.starts_with("<!-- Generated by archc from site.arch"));
    let o = run(&[
        "build",
        "site.arch",
        "-t",
        "k8s",
        "-o",
        "custom",
        "--templates",
        "tpl",
        "--check",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
