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
