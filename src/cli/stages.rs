//! `archc stages FILE`: each stage and what it adds, replaces and drops.

use super::{FilePath, Ui, EXIT_OK};
use crate::model::Model;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  archc stages shop.arch                     each stage and what it adds, replaces and drops
  archc stages shop.arch --names | tail -n 1 the last stage's name (for scripts and CI)")]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// Print only the stages' names, one a line, in order: what shell
    /// completion offers after `--stage`, and what scripts read. A design
    /// with errors still lists the stages it has (its diagnostics are not
    /// printed; `archc check` shows them).
    #[arg(long)]
    names: bool,
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

/// Every stage's name, one a line.
pub fn names(design: &crate::model::Design) -> String {
    design
        .stages
        .iter()
        .map(|m| format!("{}\n", m.stage))
        .collect()
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    if a.names {
        return match super::load(ui, &a.file) {
            Ok(l) => {
                print!("{}", names(&l.compiled.design));
                EXIT_OK
            }
            Err(code) => code,
        };
    }
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
