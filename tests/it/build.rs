//! `archc build` on disk: idempotent, drift detection, atomic failure,
//! stale-file removal and determinism across directories and environments.

use crate::cli::archc;
use crate::common::repo;
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn build(args: &[&str]) -> std::process::Output {
    archc().arg("build").args(args).output().unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn second_build_changes_nothing_and_check_catches_a_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let first = build(&["examples/journey.arch", "--all-stages", "-o", o]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("[8/8] sharded"),
        "progress per stage: {}",
        stderr(&first)
    );
    let before = tree(&out);
    assert!(
        before.len() > 80,
        "journey builds every target for 8 stages: {} files",
        before.len()
    );
    for t in ["terraform", "compose", "nginx", "haproxy", "k8s"] {
        assert!(
            before
                .keys()
                .any(|k| k.starts_with(&format!("sharded/{t}/"))),
            "no {t} output"
        );
    }
    let second = build(&["examples/journey.arch", "--all-stages", "-o", o]);
    assert!(
        stderr(&second).contains(" 0 written,"),
        "{}",
        stderr(&second)
    );
    assert_eq!(before, tree(&out), "a second build is byte-identical");

    let clean = build(&["examples/journey.arch", "--all-stages", "-o", o, "--check"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));

    let edited = out.join("balanced/nginx/lb.conf");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("# hand edit\n");
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(out.join("sharded/k8s/kustomization.yaml")).unwrap();
    let drift = build(&["examples/journey.arch", "--all-stages", "-o", o, "--check"]);
    assert_eq!(drift.status.code(), Some(1));
    let report = String::from_utf8(drift.stdout).unwrap();
    assert!(
        report.contains("would change: ") && report.contains("balanced/nginx/lb.conf"),
        "{report}"
    );
    assert!(
        report.contains("would create: ") && report.contains("sharded/k8s/kustomization.yaml"),
        "{report}"
    );
}

#[test]
fn a_design_error_writes_nothing_and_keeps_the_previous_tree() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.arch");
    let out = dir.path().join("out");
    std::fs::write(&design, "web x2 behind lb\ndb with 1 replica\n").unwrap();
    let (d, o) = (design.to_str().unwrap(), out.to_str().unwrap());
    assert!(build(&[d, "-o", o]).status.success());
    let before = tree(&out);
    std::fs::write(&design, "web x2 behind lb front\ndb with 1 replica\n").unwrap();
    let failed = build(&[d, "-o", o]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("nothing was written"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(before, tree(&out));
}

#[test]
fn a_write_that_fails_half_way_leaves_the_previous_tree_intact() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.arch");
    let out = dir.path().join("out");
    std::fs::write(&design, "web x2 behind lb\ndb with 1 replica\n").unwrap();
    let (d, o) = (design.to_str().unwrap(), out.to_str().unwrap());
    assert!(build(&[d, "-o", o]).status.success());
    // The next build changes every target, but k8s/ cannot be written: a file
    // stands where its directory must go.
    std::fs::write(&design, "web x3 behind lb\ndb with 2 replicas\n").unwrap();
    std::fs::rename(out.join("k8s"), dir.path().join("k8s-moved")).unwrap();
    std::fs::write(out.join("k8s"), "in the way").unwrap();
    let before = tree(&out);
    let failed = build(&[d, "-o", o]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert_eq!(
        before,
        tree(&out),
        "no file changed, and no temporary file was left"
    );
}

#[test]
fn files_a_stage_no_longer_produces_are_removed_but_user_files_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.arch");
    let out = dir.path().join("out");
    std::fs::write(
        &design,
        "web x2 behind lb\ndb with 1 replica\nqueue jobs\nworker consumes jobs\n",
    )
    .unwrap();
    let (d, o) = (design.to_str().unwrap(), out.to_str().unwrap());
    assert!(build(&[d, "-o", o, "-t", "k8s"]).status.success());
    assert!(out.join("k8s/60-worker-worker.yaml").exists());
    std::fs::write(out.join("k8s/NOTES.md"), "mine").unwrap();
    std::fs::write(&design, "web x2 behind lb\ndb with 1 replica\n").unwrap();
    let second = build(&[d, "-o", o, "-t", "k8s"]);
    assert!(stderr(&second).contains("removed"), "{}", stderr(&second));
    assert!(!out.join("k8s/60-worker-worker.yaml").exists());
    assert!(!out.join("k8s/40-queue-jobs.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("k8s/NOTES.md")).unwrap(),
        "mine"
    );
}

#[test]
fn builds_are_identical_across_directories_and_environments() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let journey = repo().join("examples/journey.arch");
    // The same relative file name from two working directories.
    std::fs::copy(&journey, a.path().join("journey.arch")).unwrap();
    std::fs::copy(&journey, b.path().join("journey.arch")).unwrap();
    let run = |cwd: &Path, lang: &str, tz: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
            .current_dir(cwd)
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .env("TZ", tz)
            .args(["build", "journey.arch", "--all-stages", "-o", "out"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run(a.path(), "C", "UTC");
    run(b.path(), "de_DE.UTF-8", "Asia/Tokyo");
    let (ta, tb) = (tree(&a.path().join("out")), tree(&b.path().join("out")));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between the two builds");
    }
}

/// Every target starts every file with the same two header lines, read back
/// by `explain-output`; a line break in the design's file name must not end the
/// comment (compose once wrote it raw, terraform replaced only `\n`).
#[test]
fn every_file_starts_with_one_header_line_even_for_odd_file_names() {
    let text = std::fs::read_to_string(repo().join("examples/journey.arch")).unwrap();
    let c = archc::compile("odd\nname\r.arch", &text);
    assert!(!c.has_errors());
    for m in &c.design.stages {
        for t in archc::emit::Target::ALL {
            for f in archc::emit::emit(t, m, &archc::emit::Options::default()).unwrap() {
                let first = f.contents.lines().next().unwrap_or("");
                // A README's comment is Markdown's: `<!-- … -->`.
                let (open, close) = if f.path.ends_with(".md") {
                    ("<!-- ", " -->")
                } else {
                    ("# ", "")
                };
                assert_eq!(
                    first,
                    format!(
                        "{open}Generated by archc from odd name .arch, stage \"{}\". Do not edit.{close}",
                        m.stage
                    ),
                    "{} {}",
                    t.name(),
                    f.path
                );
                let h = archc::provenance::header(&f.contents).unwrap();
                assert_eq!(h.stage, m.stage);
                // The second line names design lines of this stage's
                // components (or says none wrote the file), in order.
                let second = f.contents.lines().nth(1).unwrap_or("");
                assert!(
                    second.ends_with(&format!(
                        " of odd name .arch (archc explain-output FILE:LINE traces one line).{close}"
                    )) || second
                        == format!(
                            "{open}From no single design line: stage-wide scaffolding of stage \"{}\".{close}",
                            m.stage
                        ),
                    "{} {}: {second}",
                    t.name(),
                    f.path
                );
                let lines = archc::provenance::design_lines(&f.contents).unwrap();
                assert!(lines.windows(2).all(|w| w[0] < w[1]), "{second}");
                for n in lines {
                    assert!(
                        m.components().iter().any(|c| c.origin.line == n),
                        "{} {}: line {n} holds no component of stage {}",
                        t.name(),
                        f.path,
                        m.stage
                    );
                }
            }
        }
    }
}

#[test]
fn generated_files_get_ordinary_permissions_and_fmt_keeps_the_sources() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let src = repo().join("examples/site.arch");
    let o = build(&[src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // What any tool creating a file here gets: 0666 less this process's umask
    // (the test and archc share it). tempfile alone would give 0600, and an
    // nginx worker or a CI user other than the builder could not read it.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
    assert_ne!(
        expected, 0o600,
        "this test needs a umask that allows group or other reading"
    );
    for (rel, _) in tree(&out) {
        let mode = std::fs::metadata(out.join(&rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, expected, "{rel} has mode {mode:o}");
    }

    let design = dir.path().join("s.arch");
    std::fs::write(&design, "web  x2\n").unwrap();
    std::fs::set_permissions(&design, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = archc().arg("fmt").arg(&design).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&design).unwrap(), "web x2\n");
    let mode = std::fs::metadata(&design).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "fmt changed the design's mode to {mode:o}");
}

/// The generated files of `tree(out)` under `prefix` (the manifest left out).
fn under(out: &Path, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    tree(out)
        .into_iter()
        .filter(|(k, _)| k.starts_with(prefix) && k != ".archc-manifest")
        .collect()
}

#[test]
fn building_some_targets_or_the_other_layout_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let j = "examples/journey.arch";
    let full = build(&[j, "-o", o]);
    assert!(full.status.success(), "{}", stderr(&full));
    let before = under(&out, "");
    let targets = ["terraform", "compose", "nginx", "haproxy", "k8s"];
    for t in targets {
        assert!(before.keys().any(|k| k.starts_with(&format!("{t}/"))));
    }
    // The issue's own example: one target into a full build's directory.
    for t in targets {
        let one = build(&[j, "-t", t, "-o", o]);
        assert!(
            stderr(&one).contains(" 0 removed"),
            "-t {t}: {}",
            stderr(&one)
        );
        assert!(before == under(&out, ""), "-t {t} changed the tree");
    }
    // Every stage, two targets: out/<stage>/<target>/ beside out/<target>/.
    let all = build(&[j, "--all-stages", "-t", "k8s", "-t", "nginx", "-o", o]);
    assert!(stderr(&all).contains(" 0 removed"), "{}", stderr(&all));
    assert!(out.join("sharded/k8s/kustomization.yaml").exists());
    assert!(!out.join("sharded/terraform").exists());
    for (k, v) in &before {
        assert_eq!(under(&out, "").get(k), Some(v), "{k} changed or went away");
    }
    // ...and back: the one-stage build keeps the per-stage tree.
    let with_stages = under(&out, "");
    let again = build(&[j, "-o", o]);
    assert!(stderr(&again).contains(" 0 removed"), "{}", stderr(&again));
    assert!(with_stages == under(&out, ""));
    // A target left out of the selection stays, and --check of the smaller
    // selection does not call it stale.
    let k8s_only = build(&[j, "--all-stages", "-t", "k8s", "-o", o]);
    assert!(stderr(&k8s_only).contains(" 0 removed"));
    assert!(out.join("sharded/nginx/lb.conf").exists());
    for sel in [&["-t", "k8s"][..], &[], &["--all-stages", "-t", "nginx"]] {
        let check = build(&[&[j, "-o", o, "--check"][..], sel].concat());
        assert_eq!(check.status.code(), Some(0), "{sel:?}: {}", stderr(&check));
    }
}

#[test]
fn a_build_removes_what_it_owns_and_no_longer_produces_even_after_a_subset_build() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.arch");
    let out = dir.path().join("out");
    let (d, o) = (design.to_str().unwrap(), out.to_str().unwrap());
    let with_worker = "stage one {\n  web x2 behind lb\n  db with 1 replica\n}\n\
                       stage two {\n  queue jobs\n  worker consumes jobs\n}\n";
    std::fs::write(&design, with_worker).unwrap();
    assert!(build(&[d, "-o", o]).status.success());
    assert!(build(&[d, "--all-stages", "-o", o]).status.success());
    let worker = out.join("k8s/60-worker-worker.yaml");
    assert!(worker.exists() && out.join("two/k8s/60-worker-worker.yaml").exists());

    // Stage two goes. A terraform-only build leaves k8s/ alone, stale or not...
    std::fs::write(&design, "web x2 behind lb\ndb with 1 replica\n").unwrap();
    let tf = build(&[d, "-t", "terraform", "-o", o]);
    assert!(tf.status.success(), "{}", stderr(&tf));
    assert!(worker.exists(), "k8s is not this build's to clean");
    // ...but --check of every target sees it, and the full build removes it:
    // the subset build kept k8s's manifest entries.
    let check = build(&[d, "-o", o, "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let report = String::from_utf8(check.stdout).unwrap();
    assert!(
        report.contains("would remove: ") && report.contains("k8s/60-worker-worker.yaml"),
        "{report}"
    );
    let full = build(&[d, "-o", o]);
    assert!(full.status.success(), "{}", stderr(&full));
    assert!(!worker.exists(), "{}", stderr(&full));
    assert!(!out.join("k8s/40-queue-jobs.yaml").exists());

    // The design has no stages now: the all-stages build covers every stage,
    // so the dropped stages' directories go, the one-stage layout stays.
    let one_stage = under(&out, "k8s/");
    assert!(out.join("two").exists());
    let all = build(&[d, "--all-stages", "-o", o]);
    assert!(all.status.success(), "{}", stderr(&all));
    assert!(!out.join("two").exists(), "{}", stderr(&all));
    assert!(!out.join("one").exists(), "{}", stderr(&all));
    assert_eq!(one_stage, under(&out, "k8s/"));
    assert!(under(&out, "")
        .keys()
        .any(|k| !k.starts_with("k8s/") && k.contains("/k8s/")));
    let check = build(&[d, "--all-stages", "-o", o, "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// A child process killed, and reaped, when the test ends, also on failure.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Names of archc's temporary files anywhere under `out`.
fn temporaries(out: &Path) -> Vec<String> {
    tree(out)
        .into_keys()
        .filter(|k| {
            let name = k.rsplit('/').next().unwrap();
            name.starts_with(".archc-") && name != ".archc-manifest"
        })
        .collect()
}

/// A design of about 3,000 files: long enough to stage that a signal sent at
/// the first temporary file lands while files are still being staged.
fn many_workers(replicas: u32) -> String {
    let mut d = String::from("web x2 behind lb\ndb with 1 replica\n");
    for i in 0..1500 {
        d.push_str(&format!(
            "queue q{i}\nworker w{i} x{replicas} consumes q{i}\n"
        ));
    }
    d
}

#[test]
fn an_interrupted_build_removes_its_temporary_files_and_changes_nothing() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.arch");
    let out = dir.path().join("out");
    let (d, o) = (design.to_str().unwrap(), out.to_str().unwrap());
    std::fs::write(&design, many_workers(1)).unwrap();
    assert!(build(&[d, "-o", o]).status.success());
    let before = tree(&out);
    // Every k8s and compose file changes, so the next build stages thousands.
    std::fs::write(&design, many_workers(2)).unwrap();
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let mut child = Reaped(
            archc()
                .args(["build", d, "-o", o])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let staging = format!(".archc-{}-", child.0.id());
        while !["k8s", "compose"].iter().any(|t| {
            std::fs::read_dir(out.join(t)).is_ok_and(|mut d| {
                d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with(&staging)))
            })
        }) {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            assert!(child.0.try_wait().unwrap().is_none(), "finished first");
            std::thread::sleep(Duration::from_millis(2));
        }
        // SAFETY: kill(2) on the child's own pid, still unreaped.
        assert_eq!(
            unsafe { libc::kill(child.0.id() as libc::pid_t, signal) },
            0
        );
        while child.0.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the build did not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
        let status = child.0.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.0.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(code), "signal {signal}: {err}");
        assert!(err.contains("interrupted; nothing was changed"), "{err}");
        assert_eq!(temporaries(&out), Vec::<String>::new());
        assert!(before == tree(&out), "signal {signal} changed the tree");
    }
}

#[test]
fn leftovers_of_a_killed_build_are_drift_and_the_next_build_removes_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let site = "examples/site.arch";
    assert!(build(&[site, "-o", o]).status.success());
    // What SIGKILL leaves: archc 0.1's names and names of a process now gone.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let planted = [
        "k8s/.archc-a1B2c3".to_string(),
        format!("compose/nginx/.archc-{dead}-Zz9Yy8"),
        format!(".archc-{dead}-Qq1Ww2"),
    ];
    for p in &planted {
        std::fs::write(out.join(p), "half a file").unwrap();
    }
    // Not archc's temporary names: a user's file and the manifest's kin.
    std::fs::write(out.join("k8s/.archc-notes"), "mine").unwrap();
    let check = build(&[site, "-o", o, "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let report = String::from_utf8(check.stdout).unwrap();
    for p in &planted {
        assert!(
            report.contains(&format!("would remove: {o}/{p}")),
            "{report}"
        );
    }
    assert!(!report.contains(".archc-notes"), "{report}");
    let clean = build(&[site, "-o", o]);
    assert!(
        stderr(&clean).contains(" 3 temporary files of an interrupted build removed"),
        "{}",
        stderr(&clean)
    );
    assert_eq!(temporaries(&out), vec!["k8s/.archc-notes".to_string()]);
    let check = build(&[site, "-o", o, "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// The CI drift check on every committed example: a fresh build of every stage
/// is up to date, and a hand edit of one file per target is caught, naming
/// exactly the edited files.
#[test]
fn check_passes_on_every_fresh_example_and_names_each_hand_edit() {
    let mut examples: Vec<_> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "arch"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 4, "{examples:?}");
    for example in &examples {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let (e, o) = (example.to_str().unwrap(), out.to_str().unwrap());
        let built = build(&[e, "--all-stages", "-o", o]);
        assert!(built.status.success(), "{e}: {}", stderr(&built));
        let check = build(&[e, "--all-stages", "-o", o, "--check"]);
        assert_eq!(check.status.code(), Some(0), "{e}: {}", stderr(&check));
        assert!(check.stdout.is_empty(), "{e}");

        // One file of each target, from a different stage where there are several.
        let files: Vec<String> = under(&out, "").into_keys().collect();
        let mut edited = Vec::new();
        for (i, t) in ["terraform", "compose", "nginx", "haproxy", "k8s"]
            .iter()
            .enumerate()
        {
            let of_target: Vec<&String> = files
                .iter()
                .filter(|f| f.split('/').nth(1) == Some(t))
                .collect();
            assert!(!of_target.is_empty(), "{e}: no {t} file");
            let f = of_target[(i * 7) % of_target.len()];
            let mut text = std::fs::read_to_string(out.join(f)).unwrap();
            text.push_str("# hand edit\n");
            std::fs::write(out.join(f), text).unwrap();
            edited.push(format!("would change: {o}/{f}"));
        }
        let drift = build(&[e, "--all-stages", "-o", o, "--check"]);
        assert_eq!(drift.status.code(), Some(1), "{e}: {}", stderr(&drift));
        let mut report: Vec<String> = String::from_utf8_lossy(&drift.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        report.sort();
        edited.sort();
        assert_eq!(report, edited, "{e}");
        assert!(
            stderr(&drift).contains("out of date (5 changed, 0 missing, 0 stale)"),
            "{e}: {}",
            stderr(&drift)
        );
    }
}
