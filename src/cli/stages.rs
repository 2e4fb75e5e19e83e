//! `archc stages FILE`: each stage and what it adds, replaces and drops.

use super::{FilePath, Ui, EXIT_OK};
use crate::model::Model;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
}

/// What one stage changed, relative to the one before.
pub struct StageChanges {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub dropped: Vec<String>,
}

pub fn changes(prev: Option<&Model>, m: &Model) -> StageChanges {
    let label = |kind: &str, name: &str| {
        if kind == name {
            kind.to_string()
        } else {
            format!("{kind} {name}")
        }
    };
    let before: Vec<(&str, &str)> = prev
        .map(|p| p.components().iter().map(|c| (c.kind, c.name)).collect())
        .unwrap_or_default();
    let now = m.components();
    let mut out = StageChanges {
        added: Vec::new(),
        replaced: Vec::new(),
        dropped: Vec::new(),
    };
    for c in &now {
        if c.origin.inherited {
            continue;
        }
        if before.contains(&(c.kind, c.name)) {
            out.replaced.push(label(c.kind, c.name));
        } else {
            out.added.push(label(c.kind, c.name));
        }
    }
    for (kind, name) in before {
        if !now.iter().any(|c| c.kind == kind && c.name == name) {
            out.dropped.push(label(kind, name));
        }
    }
    out
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let loaded = match super::load_valid(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let stages = &loaded.compiled.design.stages;
    for (i, m) in stages.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &stages[p]);
        let ch = changes(prev, m);
        println!("{}. {}", i + 1, m.stage);
        for (what, list) in [
            ("adds", &ch.added),
            ("replaces", &ch.replaced),
            ("drops", &ch.dropped),
        ] {
            if !list.is_empty() {
                println!("   {what:<9}{}", list.join(", "));
            }
        }
        if ch.added.is_empty() && ch.replaced.is_empty() && ch.dropped.is_empty() {
            println!("   (no changes)");
        }
    }
    EXIT_OK
}
