//! The `env`, `secret` and `label` clauses (docs/language.md, "Environment,
//! secrets and labels") on every target, read back from the generated files
//! of `tests/fixtures/ok/env-secret-label.arch`: values arrive as written,
//! secrets only as names, labels on the component's objects and never on a
//! selector; and each bad input gets its code on the exact word.

use crate::common::{compile_file, repo};
use archc::emit::{self, OutFile, Target};
use archc::model::{Design, Model};
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = "tests/fixtures/ok/env-secret-label.arch";

fn design() -> Design {
    compile_file(&repo().join(FIXTURE))
}

fn files(m: &Model, target: Target) -> Vec<OutFile> {
    emit::emit(target, m, &emit::Options::default()).unwrap()
}

fn file<'f>(files: &'f [OutFile], path: &str) -> &'f str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

fn yaml_docs(files: &[OutFile]) -> Vec<Value> {
    let mut docs = Vec::new();
    for f in files.iter().filter(|f| f.path.ends_with(".yaml")) {
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            let v = Value::deserialize(d).unwrap();
            if !v.is_null() {
                docs.push(v);
            }
        }
    }
    docs
}

fn k8s_object<'d>(docs: &'d [Value], kind: &str, name: &str) -> &'d Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn compose_services(m: &Model) -> (Value, String) {
    let f = files(m, Target::Compose);
    let doc = serde_yaml::from_str(file(&f, "compose.yaml")).unwrap();
    (doc, file(&f, ".env.example").to_string())
}

/// One resource block of a Terraform file, `resource "TYPE" "LABEL" {` to
/// its closing brace at the start of a line.
fn tf_block<'t>(text: &'t str, kind: &str, label: &str) -> &'t str {
    let head = format!("resource \"{kind}\" \"{label}\" {{");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("no {kind}.{label}"));
    let end = text[start..].find("\n}\n").unwrap() + start;
    &text[start..end]
}

/// What a shell makes of `word` (the user data's quoting), after Terraform
/// undid the heredoc's escapes.
fn shell_word(word: &str) -> String {
    let hcl = word.replace("$${", "${").replace("%%{", "%{");
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("printf %s {hcl}")])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn env_values_reach_every_target_as_written_after_archcs_own() {
    let d = design();
    let m = d.stage("grown").unwrap();
    let api = m.webs.iter().find(|w| w.name == "api").unwrap();
    let given: Vec<(&str, &str)> = api
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(given[1].0, "GREETING");
    assert!(given[1].1.contains("${HOME}") && given[1].1.contains('\''));

    // Compose: `$` is written `$$` (compose interpolates), after PORT.
    let (compose, _) = compose_services(m);
    let env = compose["services"]["api-1"]["environment"]
        .as_mapping()
        .unwrap();
    let keys: Vec<&str> = env.keys().filter_map(Value::as_str).collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert!(at("HEALTH_PATH") < at("LOG_LEVEL"), "{keys:?}");
    for (name, value) in &given {
        let got = env[*name].as_str().unwrap();
        assert_eq!(got, value.replace('$', "$$"), "compose {name}");
    }

    // Kubernetes: the container's `env`, `$` written `$$` (kubelet expands
    // `$(X)`), after archc's own.
    let docs = yaml_docs(&files(m, Target::K8s));
    let c = &k8s_object(&docs, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0];
    let env: Vec<&Value> = c["env"].as_sequence().unwrap().iter().collect();
    let names: Vec<&str> = env.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(&names[..2], ["PORT", "HEALTH_PATH"], "{names:?}");
    for (name, value) in &given {
        let e = env.iter().find(|e| e["name"] == *name).unwrap();
        assert_eq!(
            e["value"].as_str().unwrap(),
            value.replace('$', "$$"),
            "k8s {name}"
        );
    }

    // Terraform: a line of /etc/app.env, quoted for the shell and the heredoc.
    let tf = files(m, Target::Terraform);
    let hosts = file(&tf, "hosts.tf");
    let ud = tf_block(hosts, "aws_launch_template", "web_api");
    for (name, value) in &given {
        let line = ud
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("echo '{name}=")))
            .unwrap_or_else(|| panic!("no {name} in the user data"));
        let word = line
            .strip_prefix("echo ")
            .unwrap()
            .strip_suffix(" >> /etc/app.env")
            .unwrap();
        assert_eq!(shell_word(word), format!("{name}={value}"), "terraform");
    }
    let worker = tf_block(hosts, "aws_launch_template", "worker_mail");
    assert!(worker.contains("echo 'BATCH_SIZE=50' >> /etc/app.env"));
}

#[test]
fn secrets_are_names_on_every_target_and_each_host_reads_only_its_own() {
    let d = design();
    let m = d.stage("grown").unwrap();

    // Compose: a required reference to the deploying environment, listed in
    // .env.example with the placeholder every secret has there.
    let (compose, example) = compose_services(m);
    for (svc, names) in [
        ("api-2", &["STRIPE_KEY", "MAIL_TOKEN"][..]),
        ("mail-1", &["MAIL_TOKEN"]),
    ] {
        for n in names {
            assert_eq!(
                compose["services"][svc]["environment"][*n].as_str(),
                Some(format!("${{{n}:?set {n} in .env}}").as_str())
            );
        }
    }
    assert!(compose["services"]["mail-1"]["environment"]
        .get("STRIPE_KEY")
        .is_none());
    for n in ["STRIPE_KEY", "MAIL_TOKEN"] {
        assert_eq!(example.matches(&format!("\n{n}=change-me\n")).count(), 1);
    }
    assert!(example.contains("`secret MAIL_TOKEN` of web `api`, worker `mail`"));

    // Kubernetes: keys of each application's own Secret, never a value;
    // the namespace file says how to create it from the environment.
    let kf = files(m, Target::K8s);
    let docs = yaml_docs(&kf);
    for (app, secret, keys) in [
        (
            "api",
            "labelled-api-secrets",
            &["STRIPE_KEY", "MAIL_TOKEN"][..],
        ),
        ("mail", "labelled-mail-secrets", &["MAIL_TOKEN"]),
    ] {
        let c = &k8s_object(&docs, "Deployment", app)["spec"]["template"]["spec"]["containers"][0];
        for k in keys {
            let e = c["env"]
                .as_sequence()
                .unwrap()
                .iter()
                .find(|e| e["name"] == *k)
                .unwrap();
            assert!(e.get("value").is_none(), "{app} {k}: {e:?}");
            assert_eq!(e["valueFrom"]["secretKeyRef"]["name"], secret);
            assert_eq!(e["valueFrom"]["secretKeyRef"]["key"], *k);
        }
        let ns = file(&kf, "00-namespace.yaml");
        let cmd = ns
            .split(&format!("kubectl create secret generic {secret} "))
            .nth(1)
            .unwrap()
            .split("\n# The")
            .next()
            .unwrap();
        for k in keys {
            assert!(
                cmd.contains(&format!("--from-literal={k}=\"${k}\"")),
                "{cmd}"
            );
        }
    }
    assert!(!docs.iter().any(|d| d["kind"] == "Secret"));

    // Terraform: read from SSM at boot by a role that may read exactly the
    // group's own parameters; nothing else in the configuration.
    let tf = files(m, Target::Terraform);
    let hosts = file(&tf, "hosts.tf");
    for (label, app, keys) in [
        ("web_api", "api", &["STRIPE_KEY", "MAIL_TOKEN"][..]),
        ("worker_mail", "mail", &["MAIL_TOKEN"]),
    ] {
        let policy = tf_block(hosts, "aws_iam_role_policy", &format!("{label}_secrets"));
        let arns: Vec<&str> = policy
            .lines()
            .filter(|l| l.contains(":parameter/"))
            .collect();
        assert_eq!(arns.len(), keys.len(), "{policy}");
        let ud = tf_block(hosts, "aws_launch_template", label);
        assert!(ud.contains(&format!("aws_iam_instance_profile.{label}.arn")));
        for k in keys {
            let param = format!("/labelled/{app}/{k}");
            assert!(arns
                .iter()
                .any(|a| a.ends_with(&format!("parameter{param}\","))));
            assert!(
                ud.contains(&format!("--name {param} --with-decryption")),
                "{ud}"
            );
            assert!(ud.contains(&format!("echo \"{k}=$value\" >> /etc/app.env")));
        }
        // The role has what the shared one has, plus its parameters.
        let role = tf_block(hosts, "aws_iam_role_policy", &format!("{label}_app"));
        assert!(role.contains("policy = aws_iam_role_policy.hosts.policy"));
    }
    // Wherever a secret's name is given a value, the value is read from the
    // environment (`$NAME`, `${NAME…}`, `$value` fetched at boot).
    let cf = files(m, Target::Compose);
    for f in tf.iter().chain(&kf).chain(&cf) {
        for n in ["STRIPE_KEY", "MAIL_TOKEN"] {
            for (at, _) in f.contents.match_indices(&format!("{n}=")) {
                let rest = f.contents[at + n.len() + 1..].trim_start_matches('"');
                let ok = rest.starts_with('$')
                    || (f.path == ".env.example" && rest.starts_with("change-me\n"));
                assert!(ok, "{}: {}", f.path, &f.contents[at..at + 40]);
            }
        }
    }
}

#[test]
fn labels_reach_every_target_and_never_a_selector() {
    let d = design();
    let m = d.stage("grown").unwrap();
    let want = |labels: &[archc::model::Label]| -> BTreeMap<String, String> {
        labels
            .iter()
            .map(|l| (l.key.clone(), l.value.clone()))
            .collect()
    };
    let web = want(&m.webs[0].labels);
    assert_eq!(
        web.get("example.com/cost-center").map(String::as_str),
        Some("cc-42")
    );
    assert_eq!(web.get("release").map(String::as_str), Some(""));
    let has = |v: &Value, labels: &BTreeMap<String, String>, what: &str| {
        for (k, val) in labels {
            assert_eq!(v[k.as_str()].as_str(), Some(val.as_str()), "{what}: {k}");
        }
    };

    // Kubernetes: the workload, its pod template and its Service; the
    // selector is archc's one label.
    let docs = yaml_docs(&files(m, Target::K8s));
    let db = want(&m.dbs[0].labels);
    for (kind, name, labels) in [
        ("Deployment", "api", &web),
        ("Deployment", "mail", &want(&m.workers[0].labels)),
        ("StatefulSet", "db-shard-1", &db),
        ("StatefulSet", "db-shard-2", &db),
        ("StatefulSet", "cache", &want(&m.caches[0].labels)),
        ("StatefulSet", "docs", &db),
        ("Deployment", "jobs", &want(&m.queues[0].labels)),
    ] {
        let o = k8s_object(&docs, kind, name);
        has(&o["metadata"]["labels"], labels, name);
        has(&o["spec"]["template"]["metadata"]["labels"], labels, name);
        let sel = o["spec"]["selector"]["matchLabels"].as_mapping().unwrap();
        assert_eq!(sel.len(), 1, "{name}: {sel:?}");
    }
    let svc = k8s_object(&docs, "Service", "api");
    has(&svc["metadata"]["labels"], &web, "Service api");
    assert_eq!(svc["spec"]["selector"].as_mapping().unwrap().len(), 1);
    let ingress = docs.iter().find(|d| d["kind"] == "Ingress").unwrap();
    has(
        &ingress["metadata"]["labels"],
        &want(&m.lbs[0].labels),
        "Ingress",
    );
    let ns = k8s_object(&docs, "Namespace", "labelled");
    assert!(ns["metadata"]["labels"].get("team").is_none());

    // Compose: every service of the component, and no other.
    let (compose, _) = compose_services(m);
    for (svc, labels) in [
        ("api-1", &web),
        ("api-2", &web),
        ("db-shard-1", &db),
        ("db-shard-2-replica-1", &db),
        ("cache-2", &want(&m.caches[0].labels)),
        ("docs-3", &db),
        ("kv", &db),
        ("jobs", &want(&m.queues[0].labels)),
        ("mail-2", &want(&m.workers[0].labels)),
        ("lb", &want(&m.lbs[0].labels)),
    ] {
        has(&compose["services"][svc]["labels"], labels, svc);
    }
    assert!(compose["services"]["logs"].get("labels").is_none());

    // Terraform: the tags of the resources that run or store it.
    let tf = files(m, Target::Terraform);
    let tagged = |file_name: &str, kind: &str, label: &str, labels: &BTreeMap<String, String>| {
        let block = tf_block(file(&tf, file_name), kind, label);
        for (k, v) in labels {
            assert!(
                block.contains(&format!("\"{k}\" = \"{v}\"")),
                "{kind}.{label} lacks {k}:\n{block}"
            );
        }
    };
    tagged("hosts.tf", "aws_launch_template", "web_api", &web);
    tagged("data.tf", "aws_db_instance", "db_shard_2_replica_1", &db);
    tagged(
        "data.tf",
        "aws_elasticache_replication_group",
        "cache",
        &want(&m.caches[0].labels),
    );
    tagged("data.tf", "aws_dynamodb_table", "kv", &db);
    tagged("data.tf", "aws_docdb_cluster", "docs", &db);
    tagged(
        "queues.tf",
        "aws_sqs_queue",
        "jobs",
        &want(&m.queues[0].labels),
    );
    tagged("lb.tf", "aws_lb", "lb", &want(&m.lbs[0].labels));
    tagged(
        "edge.tf",
        "aws_cloudfront_distribution",
        "cdn",
        &want(&m.cdns[0].labels),
    );
    let instance = tf_block(file(&tf, "hosts.tf"), "aws_launch_template", "worker_mail");
    assert!(instance.contains("merge(local.tags, { Name = \"labelled-worker-mail\" }, {"));
}

/// The diagnostics of `text`: (code, the text of its primary span).
fn diags(text: &str) -> Vec<(String, String)> {
    archc::compile("t.arch", text)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.to_string(), text[d.span.range()].to_string()))
        .collect()
}

#[test]
fn each_bad_input_gets_its_code_on_the_exact_word() {
    let one = |text: &str| -> (String, String) {
        let d = diags(text);
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        d[0].clone()
    };
    let code = |c: &str, word: &str| (c.to_string(), word.to_string());
    assert_eq!(
        one("web env log-level=\"debug\""),
        code("E0209", "log-level")
    );
    assert_eq!(
        one("worker consumes q secret 1X\nqueue q"),
        code("E0209", "1X")
    );
    assert_eq!(
        one("web env DB_PASSWORD=\"x\""),
        code("E0210", "DB_PASSWORD")
    );
    assert_eq!(
        one("web env STRIPE=\"sk_live_abcdefghijklmnopqrstu\""),
        code("E0210", "\"sk_live_abcdefghijklmnopqrstu\"")
    );
    assert_eq!(one("web env A=\"a\tb\""), code("E0213", "\"a\tb\""));
    assert_eq!(one("web env A=1 secret A"), code("E0211", "A"));
    assert_eq!(one("db\nweb env DB_HOST=\"x\""), code("E0211", "DB_HOST"));
    assert_eq!(one("cache label stage=x"), code("E0211", "stage"));
    assert_eq!(
        one("queue label archc.dev/tier=x"),
        code("E0211", "archc.dev/tier")
    );
    assert_eq!(
        one("cdn for /a label team=\"a b\""),
        code("E0212", "\"a b\"")
    );
    assert_eq!(one("lb label aws:cost=x"), code("E0212", "aws:cost"));
    assert_eq!(one("nosql label -x=y"), code("E0212", "-x"));
    // Not secrets, not collisions: a data key, a publishable key, a worker's
    // PORT (only a web tier has one), an empty value, a prefixed key.
    assert!(diags("web env SHARD_KEY=\"user_id\", STRIPE_PUBLISHABLE_KEY=\"pk_x\", EMPTY=\"\" label example.com/team=a, r=\"\"").is_empty());
    assert!(diags("queue q\nworker consumes q env PORT=\"9000\"").is_empty());
    // `env` and friends belong to web and worker; a label to every component.
    assert_eq!(diags("db main env A=1"), [code("E0002", "env")]);
}

#[test]
fn fmt_writes_settings_without_spaces_around_equals_and_keeps_the_model() {
    let src = "web api  env A = \"x = y\" ,B=1 secret  S1 ,S2 label team = growth\n";
    let c = archc::compile("f.arch", src);
    assert!(!c.has_errors());
    let out = archc::fmt::format(src, &c.ast);
    assert_eq!(
        out,
        "web api env A=\"x = y\", B=1 secret S1, S2 label team=growth\n"
    );
    let again = archc::compile("f.arch", &out);
    let settings = |c: &archc::Compiled| {
        let w = &c.design.last().webs[0];
        let env: Vec<(String, String)> = w
            .env
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect();
        let secrets: Vec<String> = w.secrets.iter().map(|s| s.name.clone()).collect();
        let labels: Vec<(String, String)> = w
            .labels
            .iter()
            .map(|l| (l.key.clone(), l.value.clone()))
            .collect();
        (env, secrets, labels)
    };
    assert_eq!(settings(&c), settings(&again));
    assert_eq!(settings(&again).0[0].1, "x = y");
}

#[test]
fn the_language_server_completes_and_explains_the_new_clauses() {
    use lsp_types::{HoverContents, Position};
    let text = "queue q\nworker w consumes q \n";
    let d = archc::lsp::Document::new("file:///t/s.arch".parse().unwrap(), 1, text.into());
    let labels: Vec<String> = d
        .completion(Position::new(1, 20))
        .into_iter()
        .map(|i| i.label)
        .collect();
    for w in ["env", "secret", "label"] {
        assert!(labels.contains(&w.to_string()), "{labels:?}");
    }
    let text = "web api env A=1 secret S label t=v\n";
    let d = archc::lsp::Document::new("file:///t/s.arch".parse().unwrap(), 1, text.into());
    for (col, word) in [(9, "env"), (17, "secret"), (26, "label")] {
        let h = d.hover(Position::new(0, col)).unwrap();
        let HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        assert!(m.value.starts_with(&format!("**`{word}`**")), "{}", m.value);
    }
    // After `env` a name comes, not another clause.
    let d = archc::lsp::Document::new("file:///t/s.arch".parse().unwrap(), 1, "web env ".into());
    assert!(d.completion(Position::new(0, 8)).is_empty());
}

/// The contract's examples (LANGUAGE.md, "Small additions a user reaches
/// for"), as written, build on every target.
#[test]
fn the_contract_examples_build_as_written() {
    for line in [
        r#"web api x2 behind lb env LOG_LEVEL="info", REGION_HINT="eu"   # extra environment"#,
        "web api x2 behind lb secret STRIPE_KEY, MAIL_TOKEN           # names only: values come from the deploying environment",
        "worker mail consumes jobs label team=growth, tier=batch      # labels (k8s, compose) and tags (AWS)",
    ] {
        let text = format!("queue jobs\n{line}\n");
        let c = archc::compile("contract.arch", &text);
        assert!(!c.has_errors(), "{line}: {:?}", c.diagnostics);
        for target in Target::ALL {
            emit::emit(target, c.design.last(), &emit::Options::default()).unwrap();
        }
    }
}
