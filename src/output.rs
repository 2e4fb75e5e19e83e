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
pub fn write_tree(root: &Path, files: &[Planned]) -> std::io::Result<Summary> {
    let mut tree = TreeWriter::new(root);
    for f in files {
        tree.add(&f.path, f.contents.as_bytes())?;
    }
    tree.finish()
}

/// A tree being written, one file at a time, so a large build never holds all
/// of its output in memory.
///
/// Two phases, so a failure leaves the previous tree as it was: `add` writes
/// each changed file to a temporary file beside its target (an error, or
/// dropping the writer, removes them all), then `finish` renames each into
/// place, writes the manifest and removes the files no longer produced.
pub struct TreeWriter {
    root: PathBuf,
    old: BTreeSet<String>,
    new: BTreeSet<String>,
    staged: Vec<(tempfile::TempPath, PathBuf, String)>,
    unchanged: Vec<String>,
    /// Directories known to exist: one `create_dir_all` each, not one a file.
    dirs: std::collections::HashSet<PathBuf>,
}

impl TreeWriter {
    pub fn new(root: &Path) -> TreeWriter {
        TreeWriter {
            root: root.to_path_buf(),
            old: previous_manifest(root),
            new: BTreeSet::new(),
            staged: Vec::new(),
            unchanged: Vec::new(),
            dirs: std::collections::HashSet::new(),
        }
    }

    /// Stages one file; `rel` is relative to the root, `/`-separated.
    pub fn add(&mut self, rel: &str, contents: &[u8]) -> std::io::Result<()> {
        let path = checked(&self.root, rel)?;
        if !self.new.insert(rel.to_string()) {
            return Err(std::io::Error::other(format!(
                "two generated files have the same path: {rel}"
            )));
        }
        if same_contents(&path, contents) {
            self.unchanged.push(rel.to_string());
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            if !self.dirs.contains(dir) {
                std::fs::create_dir_all(dir)?;
                self.dirs.insert(dir.to_path_buf());
            }
        }
        self.staged
            .push((stage_file(&path, contents)?, path, rel.to_string()));
        Ok(())
    }

    /// Moves every staged file into place. The summary lists paths sorted,
    /// whatever order they were added in.
    pub fn finish(self) -> std::io::Result<Summary> {
        let TreeWriter {
            root,
            old,
            new,
            mut staged,
            mut unchanged,
            dirs: _,
        } = self;
        let manifest: String = new.iter().map(|p| format!("{p}\n")).collect();
        let manifest_path = root.join(MANIFEST);
        std::fs::create_dir_all(&root)?;
        let manifest_tmp = stage_file(&manifest_path, manifest.as_bytes())?;
        staged.sort_by(|a, b| a.2.cmp(&b.2));
        unchanged.sort();
        let mut summary = Summary {
            unchanged,
            ..Summary::default()
        };
        for (tmp, path, rel) in staged {
            tmp.persist(&path).map_err(|e| e.error)?;
            summary.written.push(rel);
        }
        manifest_tmp.persist(&manifest_path).map_err(|e| e.error)?;
        for stale in old.difference(&new) {
            let path = checked(&root, stale)?;
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    summary.removed.push(stale.clone());
                    remove_empty_parents(&root, &path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(summary)
    }
}

/// Whether `path` already holds exactly `contents` (compared without reading
/// a file whose size differs).
fn same_contents(path: &Path, contents: &[u8]) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == contents.len() as u64 => {
            std::fs::read(path).is_ok_and(|b| b == contents)
        }
        _ => false,
    }
}

/// Writes `contents` to a temporary file in the directory of `path`.
/// The file is closed (only its path is kept, and removed on drop), so a build
/// of thousands of files does not run out of file descriptors.
/// The directory must exist.
fn stage_file(path: &Path, contents: &[u8]) -> std::io::Result<tempfile::TempPath> {
    let dir = path.parent().unwrap_or(Path::new("."));
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
