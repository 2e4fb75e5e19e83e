//! `archc init [DIR]`: a starter design named after the folder, a
//! `.gitignore` for the output folder and a CI workflow that keeps the
//! committed outputs in step with the design. It never overwrites a file:
//! every path is checked before the first is written, and each is created
//! atomically, only where nothing is.

use super::{FilePath, Ui, EXIT_OK};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  archc init shop                     shop/shop.arch, shop/out/.gitignore, shop/.github/workflows/archc.yml
  archc init                          the same in the current folder, named after it
  archc init . --allow-non-empty      add archc to an existing project

The design is named after the folder (`My Shop` gives my-shop.arch and
`system my-shop`; a folder name with no letter to start a name gives
site.arch). The folder must be empty (a `.git` alone is fine) unless
--allow-non-empty is given; even then, a file init would write that already
exists is an error and nothing is written (exit 2).")]
pub struct Args {
    /// The folder to start in, created if missing (default: the current one).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: FilePath,
    /// Also start in a folder that already has files (init still never
    /// overwrites one).
    #[arg(long)]
    allow_non_empty: bool,
}

/// The name a design gets when the folder's name gives none.
const FALLBACK_NAME: &str = "site";
/// Names are at most this long (docs/language.md, lexical forms).
const MAX_NAME: usize = 40;

const DESIGN: &str = include_str!("init/design.arch");
const GITIGNORE: &str = include_str!("init/gitignore");
const WORKFLOW: &str = include_str!("init/workflow.yml");

/// One file init writes: its path under DIR and its text.
struct Starter {
    path: String,
    text: String,
}

/// The files, in the order they are written and listed.
fn starter_files(name: &str) -> Vec<Starter> {
    let fill = |t: &str| {
        t.replace("@NAME@", name)
            .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
    };
    vec![
        Starter {
            path: format!("{name}.arch"),
            text: fill(DESIGN),
        },
        Starter {
            path: "out/.gitignore".into(),
            text: fill(GITIGNORE),
        },
        Starter {
            path: ".github/workflows/archc.yml".into(),
            text: fill(WORKFLOW),
        },
    ]
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let dir = &a.dir;
    if dir.exists() && !dir.is_dir() {
        return ui.fail(format_args!(
            "{} is a file, not a folder; give a folder to start in",
            dir.display()
        ));
    }
    if !a.allow_non_empty {
        match non_empty(dir) {
            Ok(None) => {}
            Ok(Some(entry)) => {
                return ui.fail(format_args!(
                "{} is not empty (it has {entry}); init starts a new project in an empty folder \
so that nothing of yours is mixed in or lost. Start in a new folder (`archc init NAME`), \
or add archc to this one with `--allow-non-empty` (existing files are never overwritten)",
                shown(dir)
            ))
            }
            Err(e) => return ui.fail(format_args!("cannot read {}: {e}", dir.display())),
        }
    }
    let name = design_name(dir);
    let files = starter_files(&name);
    let taken: Vec<PathBuf> = files
        .iter()
        .map(|f| dir.join(&f.path))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !taken.is_empty() {
        let list: Vec<String> = taken.iter().map(|p| p.display().to_string()).collect();
        return ui.fail(format_args!(
            "{} already exist{}; init never overwrites a file, so nothing was written. \
Move {} aside, or start in another folder",
            list.join(", "),
            if taken.len() == 1 { "s" } else { "" },
            if taken.len() == 1 { "it" } else { "them" },
        ));
    }
    if let Err((path, e)) = write_all(dir, &files) {
        // The file system said no (a file that appeared meanwhile included).
        return ui.fail(format_args!(
            "cannot create {}: {e}; nothing was written",
            path.display()
        ));
    }
    for f in &files {
        println!("wrote {}", dir.join(&f.path).display());
    }
    println!("{}", next_steps(dir, &name));
    EXIT_OK
}

/// Creates every file, or none: a file that cannot be created (one that
/// appeared since the check included) removes the files and folders this
/// call created.
fn write_all(dir: &Path, files: &[Starter]) -> Result<(), (PathBuf, std::io::Error)> {
    let mut files_made: Vec<PathBuf> = Vec::new();
    let mut dirs_made: Vec<PathBuf> = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        let result = make_parents(&path, &mut dirs_made)
            .and_then(|()| crate::output::create_new(&path, f.text.as_bytes()));
        if let Err(e) = result {
            for p in files_made.iter().rev() {
                let _ = std::fs::remove_file(p);
            }
            // Deepest first; a folder something else wrote into stays.
            for d in dirs_made.iter().rev() {
                let _ = std::fs::remove_dir(d);
            }
            return Err((path, e));
        }
        files_made.push(path);
    }
    Ok(())
}

/// Creates the missing folders above `path`, outermost first, recording each.
fn make_parents(path: &Path, made: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let missing: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .take_while(|d| !d.as_os_str().is_empty() && d.symlink_metadata().is_err())
        .collect();
    for d in missing.into_iter().rev() {
        std::fs::create_dir(d)?;
        made.push(d.to_path_buf());
    }
    Ok(())
}

/// The first entry that makes `dir` count as non-empty, if any: everything
/// but a `.git` (a repository made a moment ago is a fine place to start).
/// A folder that does not exist yet is empty.
fn non_empty(dir: &Path) -> std::io::Result<Option<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        let name = e?.file_name().to_string_lossy().into_owned();
        if name != ".git" {
            names.push(name);
        }
    }
    names.sort();
    Ok(names.first().map(|n| format!("`{n}`")))
}

/// `.` is shown as "the current folder".
fn shown(dir: &Path) -> String {
    if dir == Path::new(".") {
        "the current folder".into()
    } else {
        dir.display().to_string()
    }
}

/// The design's name, from the folder's own name (the current folder's when
/// DIR is `.`): lowercase, every run of other characters one `-`, trimmed
/// to a valid name; `site` when nothing valid remains.
fn design_name(dir: &Path) -> String {
    // The real folder when it exists (`.`, `..` and links resolved), else
    // the path as written, made absolute.
    let folder = dir
        .canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    name_from(&folder)
}

/// A valid name (`[a-z][a-z0-9-]*`, no `--`, not ending in `-`, at most
/// 40 characters) made of `folder`, or `site`.
fn name_from(folder: &str) -> String {
    let mut name = String::new();
    for c in folder.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || (c.is_ascii_digit() && !name.is_empty()) {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(MAX_NAME);
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        FALLBACK_NAME.into()
    } else {
        name.into()
    }
}

/// What to run next, from where the user is.
fn next_steps(dir: &Path, name: &str) -> String {
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("  cd {}\n", sh_word(&dir.display().to_string()))
    };
    format!(
        "\nNext:\n{cd}  archc check {name}.arch                  every problem, with a hint\n  \
archc stages {name}.arch                 what each stage adds\n  \
archc build {name}.arch --all-stages     out/<stage>/<target>/; commit out/ (CI checks it)\n  \
Edit ARCHC_GIT in .github/workflows/archc.yml: where CI installs archc from."
    )
}

/// `s` as one shell word: as is when it is plain, else single-quoted.
fn sh_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.into()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_name_becomes_a_valid_name() {
        assert_eq!(name_from("shop"), "shop");
        assert_eq!(name_from("My Shop"), "my-shop");
        assert_eq!(name_from("my_shop--2"), "my-shop-2");
        assert_eq!(name_from("2024-site"), "site");
        assert_eq!(name_from("-x-"), "x");
        assert_eq!(name_from("Café"), "caf");
        assert_eq!(name_from("..."), "site");
        assert_eq!(name_from(""), "site");
        let long = name_from(&"ab-".repeat(30));
        assert!(long.len() <= MAX_NAME && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn the_cd_line_quotes_a_folder_the_shell_would_split() {
        assert_eq!(sh_word("shop/v2"), "shop/v2");
        assert_eq!(sh_word("My Shop"), "'My Shop'");
        assert_eq!(sh_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn the_starter_files_name_the_design_everywhere() {
        for f in starter_files("shop") {
            assert!(
                !f.text.contains("@NAME@") && !f.text.contains("@VERSION@"),
                "{} keeps a placeholder",
                f.path
            );
        }
        let files = starter_files("shop");
        assert!(files[0].text.contains("\nsystem shop\n"));
        assert!(files[2]
            .text
            .contains("archc build shop.arch --all-stages --check"));
    }
}
