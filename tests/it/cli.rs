//! The real binary, driven as a user and an editor drive it.

use crate::common::repo;
use std::process::{Command, Output};

pub fn archc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archc"));
    c.current_dir(repo()).env_remove("NO_COLOR");
    c
}

fn run(args: &[&str]) -> Output {
    archc().args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status
        .code()
        .expect("archc exits normally, never by a signal")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_exit_codes_follow_the_documented_contract() {
    assert_eq!(code(&run(&["check", "examples/site.arch"])), 0);
    // Warnings only: success, unless warnings are denied.
    let warn = "tests/fixtures/err/single-points-of-failure.arch";
    assert_eq!(code(&run(&["check", warn])), 0);
    assert_eq!(code(&run(&["check", "--deny-warnings", warn])), 1);
    let o = run(&["check", "tests/fixtures/err/unknown-words.arch"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0002]"), "{}", stderr(&o));
    let o = run(&["check", "does/not/exist.arch"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot read does/not/exist.arch"),
        "{}",
        stderr(&o)
    );
    let o = run(&["check", "examples/journey.arch", "--stage", "balance"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `balanced`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(code(&run(&["check", "--no-such-flag"])), 2);
}

#[test]
fn check_stage_filter_keeps_only_that_stages_diagnostics() {
    let o = run(&[
        "check",
        "examples/journey.arch",
        "--stage",
        "sharded",
        "--message-format",
        "json",
    ]);
    assert_eq!(code(&o), 0);
    assert!(
        o.stdout.is_empty(),
        "the last stage has no warnings: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = run(&[
        "check",
        "examples/journey.arch",
        "--stage",
        "single",
        "--message-format",
        "json",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("\"W0302\""), "{text}");
}

#[test]
fn json_diagnostics_are_one_object_per_line_with_positions() {
    let o = run(&[
        "check",
        "--message-format",
        "json",
        "tests/fixtures/err/unknown-references.arch",
    ]);
    assert_eq!(code(&o), 1);
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let first = &lines[0];
    assert_eq!(first["code"], "E0104");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "tests/fixtures/err/unknown-references.arch");
    assert_eq!(first["span"]["start_pos"]["line"], 2);
    assert_eq!(first["span"]["start_pos"]["column"], 18);
    assert!(first["help"].as_str().unwrap().contains("lb front"));
    assert!(
        o.stderr.is_empty(),
        "json mode keeps stderr clean: {}",
        stderr(&o)
    );
}

#[test]
fn colour_follows_flag_and_no_color() {
    let f = "tests/fixtures/err/unknown-words.arch";
    let always = run(&["--color", "always", "check", f]);
    assert!(
        stderr(&always).contains("\u{1b}["),
        "--color always colours"
    );
    let no_color = archc()
        .args(["--color", "auto", "check", f])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        !stderr(&no_color).contains("\u{1b}["),
        "NO_COLOR turns colour off"
    );
    let never = run(&["--color", "never", "check", f]);
    assert!(!stderr(&never).contains("\u{1b}["));
}

#[test]
fn explain_prints_the_registry_paragraph() {
    let o = run(&["explain", "w0302"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("W0302 (warning): database is a single point of failure"),
        "{text}"
    );
    assert!(text.contains("with 2 replicas"));
    assert_eq!(code(&run(&["explain", "E9999"])), 2);
    let codes = String::from_utf8(run(&["explain", "--codes"]).stdout).unwrap();
    assert_eq!(codes.lines().count(), archc::diag::CODES.len());
    assert!(codes.starts_with("E0001  "), "{codes}");
}

#[test]
fn explain_without_a_word_lists_every_code_then_every_keyword() {
    let stdout = |args: &[&str]| {
        let o = run(args);
        assert_eq!(code(&o), 0, "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    let keywords = stdout(&["explain", "--keywords"]);
    assert_eq!(keywords.lines().count(), archc::keywords::KEYWORDS.len());
    // Every word of the language, each with its one-line meaning.
    for w in archc::keywords::words() {
        let line = keywords
            .lines()
            .find(|l| l.split_whitespace().next() == Some(w))
            .unwrap_or_else(|| panic!("`{w}` missing from:\n{keywords}"));
        assert!(line.len() > w.len() + 10, "{line}");
    }
    assert!(keywords.contains("\nbehind "), "{keywords}");
    let all = stdout(&["explain"]);
    let codes = stdout(&["explain", "--codes"]);
    assert_eq!(
        all,
        format!("Diagnostic codes (archc explain CODE):\n{codes}\nKeywords (archc explain WORD):\n{keywords}")
    );
    // A word and a list do not mix.
    assert_eq!(code(&run(&["explain", "sharded", "--keywords"])), 2);
}

#[test]
fn graph_all_stages_refuses_a_file_name_for_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("x.svg");
    let o = archc()
        .args(["graph", "examples/journey.arch", "--all-stages", "-o"])
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("looks like a file name"), "{err}");
    assert!(
        err.contains("x/01-single.svg"),
        "the hint names the files: {err}"
    );
    assert!(!svg.exists(), "no directory named x.svg");
    // An existing file is refused too, and left alone.
    let file = dir.path().join("pictures");
    std::fs::write(&file, "mine").unwrap();
    let o = archc()
        .args(["graph", "examples/journey.arch", "--all-stages", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is an existing file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    // A directory name works, and gets one numbered file per stage.
    let out = dir.path().join("pics");
    let o = archc()
        .args(["graph", "examples/journey.arch", "--all-stages", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("01-single.svg").is_file() && out.join("08-sharded.svg").is_file());
}

#[test]
fn fmt_check_and_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.arch");
    std::fs::write(&f, "web   x2 behind lb;db with 2 replicas\n").unwrap();
    let fs = f.to_str().unwrap();
    let o = run(&["fmt", "--check", fs]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("d.arch"));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "web   x2 behind lb;db with 2 replicas\n",
        "--check writes nothing"
    );
    assert_eq!(code(&run(&["fmt", fs])), 0);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "web x2 behind lb\ndb with 2 replicas\n"
    );
    assert_eq!(code(&run(&["fmt", "--check", fs])), 0);
    // Syntax errors: refuse, keep the file.
    std::fs::write(&f, "web x2 behnd lb\n").unwrap();
    assert_eq!(code(&run(&["fmt", fs])), 1);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "web x2 behnd lb\n");
}

#[test]
fn model_prints_the_requested_stage_as_json() {
    let o = run(&["model", "examples/journey.arch", "--stage", "balanced"]);
    assert_eq!(code(&o), 0);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(m["stage"], "balanced");
    assert_eq!(m["webs"][0]["state"], "stateful");
    assert_eq!(m["webs"][0]["sticky"], true);
    assert_eq!(m["lbs"][0]["method"], "ip-hash");
    assert_eq!(m["dbs"][0]["colocated"], false);
    assert_eq!(m["dbs"][0]["origin"]["stage"], "split-db");
    assert_eq!(m["dbs"][0]["origin"]["inherited"], true);
}

#[test]
fn stages_lists_what_each_stage_changes() {
    let o = run(&["stages", "examples/journey.arch"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("1. single\n   adds     web, db\n"), "{text}");
    assert!(
        text.contains("3. balanced\n   adds     lb\n   replaces web\n"),
        "{text}"
    );
    assert!(text.contains("8. sharded\n   replaces db\n"), "{text}");
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    let text = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert!(text.contains("Examples:"));
    assert!(text.contains("Exit status"));
    assert!(text.contains("NO_COLOR"));
}

#[test]
fn hostile_files_get_a_clean_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("nul.arch", b"web x1\0\nweb\0".to_vec()),
        ("latin1.arch", b"web caf\xe9 x1\n".to_vec()),
        ("unclosed.arch", b"stage a {\n stage b {\n web x1".to_vec()),
        (
            "huge-count.arch",
            format!("web x{} behind lb\n", "9".repeat(5000)).into_bytes(),
        ),
        (
            "long-line.arch",
            format!("web {}\n", "a".repeat(2_000_000)).into_bytes(),
        ),
        (
            "inject.arch",
            b"web x1 image \"a\\\"b\n${x}\"\ncdn for /a;}{ ttl 1d\n".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = run(&["check", p.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("error["), "{name}: {}", stderr(&o));
    }
    // Larger than the limit: refused before parsing.
    let p = dir.path().join("big.arch");
    std::fs::write(&p, vec![b'#'; archc::source::MAX_SOURCE_BYTES + 1]).unwrap();
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("at most 16 MiB"), "{}", stderr(&o));
}

/// Line number (1-based) of the first line of `path` containing `needle`.
fn line_of(path: &std::path::Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {path:?}"))
        + 1
}

#[test]
fn explain_output_traces_generated_lines_to_design_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert!(
        run(&["build", "examples/journey.arch", "--all-stages", "-o", o])
            .status
            .success()
    );
    let explain = |file: &str, needle: &str| {
        let p = out.join(file);
        let target = format!("{}:{}", p.display(), line_of(&p, needle));
        let r = run(&["explain-output", &target]);
        assert_eq!(code(&r), 0, "{}", stderr(&r));
        String::from_utf8(r.stdout).unwrap()
    };
    // journey.arch line 15 is `web stateful x2 behind lb`, line 42 the sharded db.
    let t = explain("balanced/haproxy/lb.cfg", "server web-2");
    assert!(
        t.contains("web `web`, examples/journey.arch:15:3: web stateful x2 behind lb"),
        "{t}"
    );
    let t = explain(
        "sharded/terraform/region/data.tf",
        "replicate_source_db    = local.primaries.rds_db_shard_3.arn",
    );
    assert!(
        t.contains("examples/journey.arch:42:3: db postgres sharded by user_id x4"),
        "{t}"
    );
    assert!(t.contains("written in stage sharded"), "{t}");
    // Inherited: in the last stage the cache was written by stage `cached`.
    let t = explain("sharded/compose/compose.yaml", "cache-2:");
    assert!(
        t.contains("cache `cache`") && t.contains("written in stage cached"),
        "{t}"
    );
    // A multi-region stage's module, a folder below terraform/.
    let t = explain(
        "sharded/terraform/region/network.tf",
        "aws_availability_zones",
    );
    assert!(t.contains("stage-wide scaffolding"), "{t}");
    // A whole file: every component it renders.
    let r = run(&[
        "explain-output",
        out.join("sharded/k8s/50-web-web.yaml").to_str().unwrap(),
    ]);
    let t = String::from_utf8(r.stdout).unwrap();
    assert!(t.contains("web `web`"), "{t}");
    // A whole file lists the design lines of its header, each with its
    // statement and stage: the sharded nginx config comes from the cdn
    // (line 20, stage cached), the web tier (23) and the lb (24).
    let p = out.join("sharded/nginx/lb.conf");
    let header = std::fs::read_to_string(&p).unwrap();
    assert!(
        header
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("# From design lines 25, 29-30 of examples/journey.arch"),
        "{header}"
    );
    let r = run(&["explain-output", p.to_str().unwrap()]);
    assert_eq!(code(&r), 0, "{}", stderr(&r));
    let t = String::from_utf8(r.stdout).unwrap();
    let listed: Vec<&str> = t
        .lines()
        .filter(|l| l.contains("examples/journey.arch:"))
        .collect();
    assert_eq!(listed.len(), 3, "{t}");
    assert!(
        listed[0].contains("cdn `cdn`, examples/journey.arch:25:3: cdn for /static ttl 1d"),
        "{t}"
    );
    assert!(
        listed[1].contains("journey.arch:29:3: web stateless autoscale"),
        "{t}"
    );
    assert!(
        listed[2].contains("lb `lb`, examples/journey.arch:30:3: lb nginx round-robin"),
        "{t}"
    );
    assert!(
        t.contains("    written in stage cached") && t.contains("    written in stage stateless"),
        "{t}"
    );
    // A file no component wrote says so.
    let r = run(&[
        "explain-output",
        out.join("sharded/k8s/kustomization.yaml").to_str().unwrap(),
    ]);
    let t = String::from_utf8(r.stdout).unwrap();
    assert!(
        t.contains("is stage-wide scaffolding of stage sharded"),
        "{t}"
    );
    // Not an archc file.
    assert_eq!(code(&run(&["explain-output", "Cargo.toml:3"])), 2);
}

/// The files `archc init` writes under its folder, for a design named `name`.
fn init_files(name: &str) -> [String; 3] {
    [
        format!("{name}.arch"),
        "out/.gitignore".into(),
        ".github/workflows/archc.yml".into(),
    ]
}

fn snapshot(dir: &std::path::Path, files: &[String]) -> Vec<Vec<u8>> {
    files
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect()
}

#[test]
fn init_starts_a_project_that_checks_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("My Shop");
    let o = archc().arg("init").arg(&dir).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = String::from_utf8(o.stdout).unwrap();
    for f in init_files("my-shop") {
        assert!(dir.join(&f).is_file(), "{f} written");
        assert!(said.contains(&f), "names {f}: {said}");
    }
    assert!(said.contains("cd '"), "the next commands, quoted: {said}");
    assert!(
        said.contains("archc build my-shop.arch --all-stages"),
        "{said}"
    );
    let design = std::fs::read_to_string(dir.join("my-shop.arch")).unwrap();
    assert!(design.contains("\nsystem my-shop\n"), "{design}");
    // Run as CI runs it, from the folder.
    let here = |args: &[&str]| {
        let o = archc().current_dir(&dir).args(args).output().unwrap();
        (
            code(&o),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr(&o),
        )
    };
    let (c, _, err) = here(&["check", "my-shop.arch"]);
    assert_eq!(c, 0, "{err}");
    let (c, names, _) = here(&["stages", "my-shop.arch", "--names"]);
    assert_eq!(
        (c, names.as_str()),
        (0, "single\nsplit-db\nbalanced\nreplicated\n")
    );
    let (c, _, err) = here(&["check", "my-shop.arch", "--deny-warnings"]);
    assert_eq!(
        c, 0,
        "every warning is fixed or accepted with a reason: {err}"
    );
    assert!(
        err.contains("accepted W0302"),
        "the accepts are shown: {err}"
    );
    assert_eq!(
        here(&["fmt", "--check", "my-shop.arch"]).0,
        0,
        "canonical layout"
    );
    let (c, _, err) = here(&["build", "my-shop.arch", "--all-stages"]);
    assert_eq!(c, 0, "{err}");
    let (c, _, err) = here(&["build", "my-shop.arch", "--all-stages", "--check"]);
    assert_eq!(c, 0, "the .gitignore init put in out/ is no drift: {err}");
    // The workflow runs exactly those commands.
    let wf = std::fs::read_to_string(dir.join(".github/workflows/archc.yml")).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&wf).unwrap();
    let runs: Vec<&str> = yaml["jobs"]["archc"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        runs.contains(&"archc check my-shop.arch --deny-warnings"),
        "{runs:?}"
    );
    assert!(
        runs.contains(&"archc build my-shop.arch --all-stages --check"),
        "{runs:?}"
    );
    assert!(
        wf.contains("EDIT ME"),
        "the install source is marked for editing"
    );
}

#[test]
fn init_never_overwrites_and_refuses_a_folder_with_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    assert_eq!(code(&archc().arg("init").arg(&dir).output().unwrap()), 0);
    let files = init_files("shop");
    let before = snapshot(&dir, &files);
    // Twice: the folder now has files.
    let o = archc().arg("init").arg(&dir).output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--allow-non-empty"),
        "says how: {}",
        stderr(&o)
    );
    // Even when allowed: every file it would write exists, so none is written.
    std::fs::write(dir.join("shop.arch"), "web x1\n").unwrap();
    let o = archc()
        .arg("init")
        .arg(&dir)
        .arg("--allow-non-empty")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    for f in &files {
        assert!(err.contains(f.as_str()), "names {f}: {err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read(dir.join("shop.arch")).unwrap(), b"web x1\n");
    assert_eq!(snapshot(&dir, &files[1..]), before[1..].to_vec());
    // One file in the way: an error naming it, and the other two not written.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("out")).unwrap();
    std::fs::write(other.join("out/.gitignore"), "mine\n").unwrap();
    std::fs::write(other.join("notes.txt"), "mine\n").unwrap();
    let o = archc().arg("init").arg(&other).output().unwrap();
    assert_eq!(code(&o), 2, "not empty");
    assert!(stderr(&o).contains("`notes.txt`"), "{}", stderr(&o));
    let o = archc()
        .arg("init")
        .arg(&other)
        .arg("--allow-non-empty")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("out/.gitignore already exists"),
        "{}",
        stderr(&o)
    );
    assert!(!other.join("other.arch").exists() && !other.join(".github").exists());
    assert_eq!(
        std::fs::read(other.join("out/.gitignore")).unwrap(),
        b"mine\n"
    );
    // Allowed and nothing in the way: written beside the user's files.
    std::fs::remove_file(other.join("out/.gitignore")).unwrap();
    let o = archc()
        .arg("init")
        .arg(&other)
        .arg("--allow-non-empty")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(other.join("other.arch").is_file());
    assert_eq!(std::fs::read(other.join("notes.txt")).unwrap(), b"mine\n");
    // A write that fails halfway (`.github` is a file here) takes back the
    // files written before it.
    let half = tmp.path().join("half");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join(".github"), "mine\n").unwrap();
    let o = archc()
        .arg("init")
        .arg(&half)
        .arg("--allow-non-empty")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nothing was written"), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(&half)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        [".github"],
        "the design and out/.gitignore were removed"
    );
    // A fresh repository counts as empty; a file is not a folder.
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    assert_eq!(code(&archc().arg("init").arg(&repo).output().unwrap()), 0);
    let o = archc()
        .arg("init")
        .arg(other.join("notes.txt"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is a file"), "{}", stderr(&o));
}

#[test]
fn init_names_the_design_after_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site_v2");
    std::fs::create_dir(&dir).unwrap();
    let o = archc().current_dir(&dir).arg("init").output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.join("site-v2.arch").is_file());
    let said = String::from_utf8(o.stdout).unwrap();
    assert!(!said.contains("cd "), "already there: {said}");
}

#[test]
fn stages_names_lists_one_name_a_line() {
    let o = run(&["stages", "examples/journey.arch", "--names"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "single\nsplit-db\nbalanced\nreplicated\ncached\nstateless\nglobal\nsharded\n"
    );
    // A design with errors still lists its stages (completion runs mid-edit).
    let o = run(&[
        "stages",
        "tests/fixtures/err/unknown-references.arch",
        "--names",
    ]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(code(&run(&["stages", "no/such.arch", "--names"])), 2);
}

/// Runs `shell -c script` with the debug archc first on PATH (the shells
/// come from scripts/install-tools).
fn in_shell(shell: &str, script: &str) -> String {
    let shell = crate::common::need_tool(shell);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_archc"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let o = Command::new(&shell)
        .args(["-c", script])
        .current_dir(repo())
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}: {}", shell.display(), stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn bash_completion_offers_the_designs_stage_names() {
    let script = r#"
source <(archc completions bash)
t() {
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _archc_with_stages archc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"
}
t archc build examples/journey.arch --stage ""
t archc check examples/journey.arch --stage s
t archc diff examples/site.arch examples/journey.arch --to b
t archc diff examples/journey.arch --from re
t archc bui
t archc check --deny
complete -p archc
"#;
    let out = in_shell("bash", script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "single split-db balanced replicated cached stateless global sharded",
            "single split-db stateless sharded",
            "balanced",
            "replicated",
            "build",
            "--deny-warnings",
        ],
        "{out}"
    );
    assert!(lines[6].contains("-F _archc_with_stages"), "{out}");
}

#[test]
fn zsh_and_fish_completion_offers_the_designs_stage_names() {
    let zsh = String::from_utf8(run(&["completions", "zsh"]).stdout).unwrap();
    assert!(zsh.starts_with("#compdef archc"), "{zsh}");
    // It loads, and its stage completer (which the argument specs of
    // --stage, --from and --to name) offers the stages.
    let script = r#"autoload -U compinit; compinit -u -D
source <(archc completions zsh)
compadd() { print -l -- ${(P)2} }
words=(archc build examples/journey.arch --stage ""); CURRENT=5; _archc_stage_names
words=(archc diff examples/site.arch examples/journey.arch --to b); CURRENT=6; _archc_stage_names"#;
    let journey = "single split-db balanced replicated cached stateless global sharded";
    let out = in_shell("zsh", script);
    let words: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(words.join(" "), format!("{journey} {journey}"));
    let fish = "archc completions fish | source
complete -C 'archc build examples/journey.arch --stage '
complete -C 'archc diff examples/journey.arch --from re'";
    // fish sorts the candidates.
    let out = in_shell("fish", fish);
    let mut sorted: Vec<&str> = journey.split(' ').collect();
    sorted.sort();
    sorted.push("replicated");
    assert_eq!(out.lines().collect::<Vec<_>>(), sorted, "{out}");
}

#[test]
fn version_names_the_build() {
    let o = run(&["--version"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8(o.stdout).unwrap();
    let version = format!("archc {}", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&version), "{text}");
    // Built from this git checkout: the commit and the date follow.
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(repo())
        .output();
    if let Some(h) = head.ok().filter(|h| h.status.success()) {
        let hash = String::from_utf8(h.stdout).unwrap();
        assert!(text.contains(&format!("({}", hash.trim())), "{text}");
        assert!(text.contains(", built 20"), "{text}");
    }
}
