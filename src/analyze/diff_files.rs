//! Generated files added, removed and changed between two stages, per target,
//! rendered in memory; optionally a unified diff of each changed file.

use crate::emit::{self, Options, OutFile, Target};
use crate::model::Model;
use crate::provenance::without_design_lines;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    /// Lines added and removed.
    pub added: usize,
    pub removed: usize,
    /// A unified diff (`--- a/… +++ b/…`), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unified: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetDiff {
    pub target: &'static str,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<FileChange>,
}

impl TargetDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// `from` rendered under `to`'s stage and file name, so that the stage named
/// in every generated header (and the k8s stage label) does not count as a
/// change: only what the design changed does. The second header line (the
/// design lines a file came from) is left out of the comparison in `compare`.
pub fn comparable(from: &Model, to: &Model) -> Model {
    let mut m = from.clone();
    m.stage = to.stage.clone();
    m.stage_index = to.stage_index;
    m.source_name = to.source_name.clone();
    m
}

/// Renders both models for each target and compares the files by path.
pub fn diff(
    from: &Model,
    to: &Model,
    targets: &[Target],
    unified: bool,
) -> emit::Result<Vec<TargetDiff>> {
    let from = comparable(from, to);
    let opts = Options::default();
    let mut out = Vec::new();
    for &t in targets {
        let a = emit::emit(t, &from, &opts)?;
        let b = emit::emit(t, to, &opts)?;
        out.push(compare(t, &a, &b, unified));
    }
    Ok(out)
}

fn compare(t: Target, a: &[OutFile], b: &[OutFile], unified: bool) -> TargetDiff {
    let mut d = TargetDiff {
        target: t.name(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for f in b {
        let Some(o) = a.iter().find(|o| o.path == f.path) else {
            d.added.push(f.path.clone());
            continue;
        };
        // The design-lines header line moves with the statements (a blank
        // line, a redeclaration in a later stage): not a change to the file.
        let (old, new) = (
            without_design_lines(&o.contents),
            without_design_lines(&f.contents),
        );
        if old != new {
            let header = format!("{}/{}", t.name(), f.path);
            let mut c = file_change(&header, &old, &new, unified);
            c.path = f.path.clone();
            d.changed.push(c)
        }
    }
    for o in a {
        if !b.iter().any(|f| f.path == o.path) {
            d.removed.push(o.path.clone());
        }
    }
    d
}

/// Counts changed lines and, if asked, renders a unified diff with 3 lines of
/// context. The line diff is `similar`'s Myers diff (already built for insta).
pub fn file_change(path: &str, old: &str, new: &str, unified: bool) -> FileChange {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    for c in diff.iter_all_changes() {
        match c.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let unified = unified.then(|| {
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string()
    });
    FileChange {
        path: path.to_string(),
        added,
        removed,
        unified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_counts_once_each_way_and_shows_in_the_hunk() {
        let c = file_change("x.conf", "a\nb\nc\n", "a\nB\nc\nd\n", true);
        assert_eq!((c.added, c.removed), (2, 1));
        let u = c.unified.unwrap();
        assert!(
            u.starts_with("--- a/x.conf\n+++ b/x.conf\n@@ -1,3 +1,4 @@\n"),
            "{u}"
        );
        assert!(u.contains("-b\n+B\n") && u.contains("+d\n"), "{u}");
    }
}
