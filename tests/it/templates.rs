//! Template overrides: `archc templates list|export`, `--templates DIR`, the
//! default `templates/` folder beside a design, and the coded diagnostics of
//! a user's template that does not load or render.

use crate::cli::archc;
use crate::common::{repo, validate_out, visible_tempdir};
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    archc().current_dir(dir).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A project folder holding the journey design.
fn project() -> tempfile::TempDir {
    let t = visible_tempdir();
    std::fs::copy(
        repo().join("examples/journey.arch"),
        t.path().join("journey.arch"),
    )
    .unwrap();
    t
}

const ANNOTATION: &str = "    team.example/owner: \"shop\"";

#[test]
fn an_exported_template_edited_changes_exactly_its_files_and_the_tools_accept_them() {
    let t = project();
    let d = t.path();
    let o = run(d, &["build", "journey.arch", "-o", "before"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        d,
        &[
            "templates",
            "export",
            "tpl",
            "--template",
            "k8s/workload.yaml.tera",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = std::fs::read_to_string(d.join("tpl/k8s/workload.yaml.tera")).unwrap();
    assert_eq!(
        exported,
        include_str!("../../templates/k8s/workload.yaml.tera"),
        "export writes the built-in text"
    );
    // The user's change: an annotation on every workload's metadata (which
    // always has annotations: the checkov suppressions).
    let edited = exported.replacen(
        "\n  annotations:\n{%- for k, v in o.meta.annotations %}",
        &format!("\n  annotations:\n{ANNOTATION}\n{{%- for k, v in o.meta.annotations %}}"),
        1,
    );
    assert_ne!(edited, exported);
    std::fs::write(d.join("tpl/k8s/workload.yaml.tera"), edited).unwrap();
    let o = run(
        d,
        &["build", "journey.arch", "-o", "after", "--templates", "tpl"],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let (before, after) = (tree(&d.join("before")), tree(&d.join("after")));
    assert_eq!(
        before.iter().map(|f| &f.0).collect::<Vec<_>>(),
        after.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "the same files"
    );
    let mut changed = Vec::new();
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        if a == b {
            continue;
        }
        changed.push(path.clone());
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        if path.ends_with(".archc-manifest") {
            assert!(
                b.contains("# templates overridden from tpl: k8s/workload.yaml.tera"),
                "{b}"
            );
            continue;
        }
        // Only the annotation lines were added; nothing else moved.
        let added: Vec<&str> = b.lines().filter(|l| !a.lines().any(|x| x == *l)).collect();
        assert!(
            added
                .iter()
                .all(|l| *l == "  annotations:" || *l == ANNOTATION),
            "{path}: {added:?}"
        );
        let removed = a.lines().count() + added.len() - b.lines().count();
        assert_eq!(removed, 0, "{path}: lines removed");
    }
    assert!(
        changed.iter().any(|p| p.contains("k8s/50-web-web.yaml")),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .all(|p| p.starts_with("k8s/") || p == ".archc-manifest"),
        "{changed:?}"
    );

    // Golden outputs stay enforceable: --check agrees with the override.
    let o = run(
        d,
        &[
            "build",
            "journey.arch",
            "-o",
            "after",
            "--templates",
            "tpl",
            "--check",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // And the real tools accept the overridden output.
    let (ok, log) = validate_out(&d.join("after"));
    assert!(ok, "{log}");
}

#[test]
fn a_templates_folder_beside_the_design_is_used_unless_builtin_templates_is_asked() {
    let t = project();
    let d = t.path();
    let o = run(
        d,
        &["templates", "export", "--template", "nginx/lb.conf.tera"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let p = d.join("templates/nginx/lb.conf.tera");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}# reviewed by the platform team\n")).unwrap();
    let o = run(d, &["build", "journey.arch", "-t", "nginx", "-o", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let conf = std::fs::read_to_string(d.join("out/nginx/lb.conf")).unwrap();
    assert!(
        conf.ends_with("# reviewed by the platform team\n"),
        "{conf}"
    );
    let o = run(
        d,
        &[
            "build",
            "journey.arch",
            "-t",
            "nginx",
            "-o",
            "plain",
            "--builtin-templates",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let plain = std::fs::read_to_string(d.join("plain/nginx/lb.conf")).unwrap();
    assert!(!plain.contains("platform team"));
    let o = run(
        d,
        &[
            "templates",
            "list",
            "--templates",
            "templates",
            "-t",
            "nginx",
        ],
    );
    let listing = String::from_utf8_lossy(&o.stdout);
    assert!(
        listing.contains("nginx/lb.conf.tera") && listing.contains("(overridden)"),
        "{listing}"
    );
}

#[test]
fn export_refuses_to_overwrite_and_names_an_unknown_template() {
    let t = project();
    let d = t.path();
    assert!(run(d, &["templates", "export", "x", "-t", "haproxy"])
        .status
        .success());
    std::fs::write(d.join("x/haproxy/lb.cfg.tera"), "mine").unwrap();
    let o = run(d, &["templates", "export", "x", "-t", "haproxy"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exist"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("x/haproxy/lb.cfg.tera")).unwrap(),
        "mine"
    );
    let o = run(
        d,
        &[
            "templates",
            "export",
            "y",
            "--template",
            "k8s/workload.yml.tera",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `k8s/workload.yaml.tera`"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("y").exists());
}

/// Builds once into `out`, then with the broken override: exit 1, the code
/// and the place in the template on stderr, `out` untouched.
fn broken(rel: &str, text: &str) -> (String, i32) {
    let t = project();
    let d = t.path();
    assert!(run(d, &["build", "journey.arch", "-o", "out"])
        .status
        .success());
    let before = tree(&d.join("out"));
    let p = d.join("tpl").join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    let o = run(
        d,
        &["build", "journey.arch", "-o", "out", "--templates", "tpl"],
    );
    assert_eq!(tree(&d.join("out")), before, "nothing on disk changed");
    (stderr(&o), o.status.code().unwrap())
}

#[test]
fn an_unknown_template_path_is_e0501_with_did_you_mean() {
    let (err, code) = broken("k8s/workload.yml.tera", "x");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E0501]"), "{err}");
    assert!(
        err.contains("did you mean `k8s/workload.yaml.tera`"),
        "{err}"
    );
}

#[test]
fn a_template_that_does_not_parse_is_e0502_at_its_line() {
    let (err, code) = broken("k8s/pdb.yaml.tera", "---\nkind: x\n{% if %}\n");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E0502]"), "{err}");
    assert!(err.contains("tpl/k8s/pdb.yaml.tera:3:"), "{err}");
}

#[test]
fn a_template_naming_a_missing_variable_is_e0503_pointing_at_it() {
    let text =
        include_str!("../../templates/k8s/pdb.yaml.tera").replacen("o.meta.name", "o.meta.nam", 1);
    let (err, code) = broken("k8s/pdb.yaml.tera", &text);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E0503]"), "{err}");
    assert!(err.contains("`o.meta.nam` fails here"), "{err}");
    assert!(err.contains("this template receives: "), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn check_parity_reads_an_overridden_templates_output_back() {
    let t = project();
    let d = t.path();
    let p = d.join("tpl/k8s/pdb.yaml.tera");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    // A value with `: ` left unquoted: not YAML.
    let text = include_str!("../../templates/k8s/pdb.yaml.tera").replacen(
        "kind: PodDisruptionBudget",
        "kind: PodDisruptionBudget\nnote: a: b",
        1,
    );
    std::fs::write(&p, text).unwrap();
    let o = run(
        d,
        &["check", "journey.arch", "--parity", "--templates", "tpl"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E0504]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not valid YAML"), "{}", stderr(&o));
    let o = run(
        d,
        &["check", "journey.arch", "--parity", "--builtin-templates"],
    );
    assert!(!stderr(&o).contains("E0504"), "{}", stderr(&o));
}

/// docs/templates.md is what the code generates: every template's variables,
/// recorded while rendering every example and ok fixture.
/// `UPDATE_DOCS=1 cargo test --test it templates_reference` rewrites it.
#[test]
fn templates_reference_is_generated_from_the_code() {
    let page = archc::emit::templates::reference::generate(|| {
        for path in crate::common::buildable_designs() {
            let design = crate::common::compile_file(&path);
            for m in &design.stages {
                for t in archc::emit::Target::ALL {
                    archc::emit::emit(t, m, &Default::default()).unwrap();
                }
            }
        }
    });
    let doc = repo().join("docs/templates.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&doc, &page).unwrap();
    }
    let on_disk = std::fs::read_to_string(&doc).unwrap_or_default();
    assert!(
        on_disk == page,
        "docs/templates.md is out of date: run UPDATE_DOCS=1 cargo test --test it templates_reference"
    );
    for b in archc::emit::templates::builtin::BUILTIN {
        assert!(page.contains(&format!("### `{}`", b.path)));
    }
}

/// The walk-through, as a new user does it: `archc init shop`, build,
/// export the Deployment template and annotate it, label a component in the
/// design, rebuild: exactly those changes reach the files, `build --check`
/// passes, and the real tools accept the result.
#[test]
fn init_export_annotate_label_rebuild_changes_exactly_that() {
    let t = visible_tempdir();
    let d = t.path();
    assert!(run(d, &["init", "shop"]).status.success());
    let d = &d.join("shop");
    assert!(run(d, &["build", "shop.arch"]).status.success());
    let before = tree(&d.join("out"));
    let o = run(
        d,
        &[
            "templates",
            "export",
            "--template",
            "k8s/workload.yaml.tera",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let p = d.join("templates/k8s/workload.yaml.tera");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen(
            "\nmetadata:\n",
            &format!("\nmetadata:\n  annotations:\n{ANNOTATION}\n"),
            1,
        ),
    )
    .unwrap();
    let design = std::fs::read_to_string(d.join("shop.arch")).unwrap();
    assert!(design.contains("  web x2 behind lb\n"), "{design}");
    std::fs::write(
        d.join("shop.arch"),
        design.replace(
            "  web x2 behind lb\n",
            "  web x2 behind lb label team=shop\n",
        ),
    )
    .unwrap();
    let o = run(d, &["build", "shop.arch"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = tree(&d.join("out"));
    assert_eq!(before.len(), after.len(), "no file added or removed");
    let mut touched = Vec::new();
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        if a == b || path.ends_with(".archc-manifest") {
            continue;
        }
        touched.push(path.clone());
        for l in b.lines().filter(|l| !a.lines().any(|x| x == *l)) {
            let t = l.trim();
            assert!(
                l.contains("team")
                    || ["annotations:", "labels:", "}", "})", "", "tags = {"].contains(&t)
                    || t.starts_with("tags "),
                "{path}: unexpected added line {l:?}"
            );
        }
        for l in a.lines().filter(|l| !b.lines().any(|x| x == *l)) {
            assert!(l.trim().starts_with("tags "), "{path}: line changed: {l:?}");
        }
    }
    for want in [
        "compose/compose.yaml",
        "k8s/50-web-web.yaml",
        "terraform/hosts.tf",
    ] {
        assert!(
            touched.iter().any(|p| p == want),
            "{want} carries the label: {touched:?}"
        );
    }
    let o = run(d, &["build", "shop.arch", "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (ok, log) = validate_out(&d.join("out"));
    assert!(ok, "{log}");
}
