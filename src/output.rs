//! Writing generated trees safely: every file goes to a temporary file in its
//! own directory and is renamed into place, so a reader never sees half a file
//! and a failed build leaves the previous outputs intact. Files a previous build
//! wrote and this one no longer produces are removed only after every new file
//! is in place; archc remembers what it wrote in a manifest, so it never removes
//! a file it did not write.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of files archc wrote last time, relative to the output directory.
pub const MANIFEST: &str = ".archc-manifest";

#[derive(Debug, Default)]
pub struct Summary {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

/// A file to produce: path relative to the output directory, `/`-separated.
pub struct Planned {
    pub path: String,
    pub contents: String,
}

fn previous_manifest(root: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(root.join(MANIFEST))
        .map(|s| {
            s.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Rejects paths that would leave the output directory.
fn checked(root: &Path, rel: &str) -> std::io::Result<PathBuf> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(std::io::Error::other(format!(
            "refusing to write outside the output directory: {rel}"
        )));
    }
    Ok(root.join(p))
}

/// Replaces `path` with `contents` atomically. An existing file keeps its
/// permissions (`fmt` rewrites the user's own source file).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mode = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => new_file_mode(),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".archc-")
        .permissions(mode.clone())
        .tempfile_in(dir)?;
    // The umask applies at creation; an existing file's mode is restored as is.
    tmp.as_file().set_permissions(mode)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_data()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes every planned file under `root`, skipping those already identical.
///
/// Two phases, so a failure leaves the previous tree as it was: first every
/// changed file is written to a temporary file beside its target (an error
/// here drops them all), then each is renamed into place.
pub fn write_tree(root: &Path, files: &[Planned]) -> std::io::Result<Summary> {
    let old = previous_manifest(root);
    let mut summary = Summary::default();
    let mut new = BTreeSet::new();
    let mut staged = Vec::new();
    for f in files {
        let path = checked(root, &f.path)?;
        new.insert(f.path.clone());
        if std::fs::read(&path).is_ok_and(|b| b == f.contents.as_bytes()) {
            summary.unchanged.push(f.path.clone());
            continue;
        }
        staged.push((stage_file(&path, f.contents.as_bytes())?, path, &f.path));
    }
    let manifest: String = new.iter().map(|p| format!("{p}\n")).collect();
    let manifest_path = root.join(MANIFEST);
    let manifest_tmp = stage_file(&manifest_path, manifest.as_bytes())?;
    for (tmp, path, rel) in staged {
        tmp.persist(&path).map_err(|e| e.error)?;
        summary.written.push(rel.clone());
    }
    manifest_tmp.persist(&manifest_path).map_err(|e| e.error)?;
    for stale in old.difference(&new) {
        let path = checked(root, stale)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {
                summary.removed.push(stale.clone());
                remove_empty_parents(root, &path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(summary)
}

/// Writes `contents` to a temporary file in the directory of `path`.
/// The file is closed (only its path is kept, and removed on drop), so a build
/// of thousands of files does not run out of file descriptors.
fn stage_file(path: &Path, contents: &[u8]) -> std::io::Result<tempfile::TempPath> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".archc-")
        .permissions(new_file_mode())
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    // No fsync: the rename protects readers and interrupted builds, which is
    // what a build tool answers for; syncing every file would cost more than
    // the whole build (generated files can always be generated again).
    Ok(tmp.into_temp_path())
}

/// The mode of a file any tool creates: 0666 less the umask (tempfile's own
/// default, 0600, would hide generated configs from the nginx or CI user).
fn new_file_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// What `build --check` reports: files that differ, are missing, or would be removed.
#[derive(Debug, Default)]
pub struct Drift {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub stale: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.stale.is_empty()
    }
}

pub fn compare_tree(root: &Path, files: &[Planned]) -> std::io::Result<Drift> {
    let old = previous_manifest(root);
    let mut drift = Drift::default();
    let mut new = BTreeSet::new();
    for f in files {
        let path = checked(root, &f.path)?;
        new.insert(f.path.clone());
        match std::fs::read(&path) {
            Ok(b) if b == f.contents.as_bytes() => {}
            Ok(_) => drift.changed.push(f.path.clone()),
            Err(_) => drift.missing.push(f.path.clone()),
        }
    }
    drift.stale = old
        .difference(&new)
        .filter(|p| root.join(p).exists())
        .cloned()
        .collect();
    Ok(drift)
}
