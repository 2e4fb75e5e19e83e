//! A user's template overrides: every file under `--templates DIR` (or the
//! `templates/` folder beside the design) replaces the built-in template of
//! the same path; the rest stay built in. Loaded once per command, before
//! anything renders, so a template that does not parse is reported with its
//! place and nothing is written.

use super::builtin::{self, Builtin};
use super::empty_engine;
use crate::diag::{self, Diagnostic, SourceFile};
use crate::emit::Target;
use crate::span::Span;
use std::path::{Path, PathBuf};
use tera::{Context, Tera};

/// The overrides of one folder, with an engine for each target they touch.
pub struct UserTemplates {
    pub dir: PathBuf,
    /// Sorted by path.
    pub files: Vec<UserFile>,
    engines: [Option<Tera>; Target::ALL.len()],
}

pub struct UserFile {
    /// The built-in template it replaces.
    pub builtin: &'static Builtin,
    /// Where it was read from.
    pub disk: PathBuf,
    pub text: String,
}

/// A mistake in a user's template: a diagnostic whose span is in `file`
/// (the template, or for an unknown path, the path itself).
pub struct TemplateFault {
    pub file: SourceFile,
    pub diagnostic: Diagnostic,
}

impl std::fmt::Debug for TemplateFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.file.name, self.diagnostic)
    }
}

impl std::fmt::Debug for UserTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: Vec<&str> = self.files.iter().map(|u| u.builtin.path).collect();
        write!(f, "UserTemplates({}: {paths:?})", self.dir.display())
    }
}

/// Two loads are the same when they read the same texts from the same folder.
impl PartialEq for UserTemplates {
    fn eq(&self, other: &Self) -> bool {
        self.dir == other.dir
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| a.builtin.path == b.builtin.path && a.text == b.text)
    }
}

impl Eq for UserTemplates {}

impl UserTemplates {
    /// Reads every file under `dir` (hidden files and folders, such as an
    /// editor's `.swp`, are skipped) and parses each target's templates with
    /// the user's in place. All the faults, not just the first.
    pub fn load(dir: &Path) -> Result<UserTemplates, Vec<TemplateFault>> {
        let mut paths = Vec::new();
        let mut faults = Vec::new();
        walk(dir, dir, &mut paths).map_err(|e| vec![unreadable(dir, &e)])?;
        paths.sort();
        let mut files = Vec::new();
        for rel in paths {
            let disk = dir.join(&rel);
            let Some(b) = builtin::at(&rel) else {
                faults.push(unknown_path(dir, &rel));
                continue;
            };
            match std::fs::read(&disk).map(String::from_utf8) {
                Ok(Ok(text)) => files.push(UserFile {
                    builtin: b,
                    disk,
                    text,
                }),
                Ok(Err(_)) => faults.push(not_utf8(&disk)),
                Err(e) => faults.push(unreadable(&disk, &e)),
            }
        }
        let mut engines: [Option<Tera>; Target::ALL.len()] = Default::default();
        for target in Target::ALL {
            let mine: Vec<&UserFile> = files
                .iter()
                .filter(|f| f.builtin.target == target)
                .collect();
            if mine.is_empty() {
                continue;
            }
            match engine_with(target, &mine) {
                Ok(t) => engines[target.index()] = Some(t),
                Err(mut f) => faults.append(&mut f),
            }
        }
        if faults.is_empty() {
            Ok(UserTemplates {
                dir: dir.to_path_buf(),
                files,
                engines,
            })
        } else {
            Err(faults)
        }
    }

    /// The engine of `target` when the user overrides one of its templates.
    pub fn engine(&self, target: Target) -> Option<&Tera> {
        self.engines[target.index()].as_ref()
    }

    /// The override of template `name` of `target`, if the user has one.
    pub fn file(&self, target: Target, name: &str) -> Option<&UserFile> {
        self.files
            .iter()
            .find(|f| f.builtin.target == target && f.builtin.name == name)
    }

    /// The paths overridden, as `templates list` names them.
    pub fn paths(&self) -> Vec<&'static str> {
        self.files.iter().map(|f| f.builtin.path).collect()
    }

    /// A fault for a render of the user's template `name` that failed with
    /// `message`, pointing at the variable or filter tera names; `None` when
    /// the template is built in (then the failure is archc's bug).
    pub(super) fn render_fault(
        &self,
        target: Target,
        name: &str,
        ctx: &Context,
        message: &str,
    ) -> Option<TemplateFault> {
        let f = self.file(target, name)?;
        let culprit = backticked(message);
        let span = culprit
            .and_then(|c| find_in_tags(&f.text, c))
            .or_else(|| f.text.find("{{").map(|at| Span::new(at, at + 2)))
            .unwrap_or(Span::new(0, 0));
        let mut keys: Vec<String> = match ctx.clone().into_json() {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        keys.sort();
        let d = Diagnostic::new(
            "E0503",
            span,
            format!(
                "template {} does not render: {}",
                f.builtin.path,
                first_line(message)
            ),
        )
        .primary(match culprit {
            Some(c) => format!("`{c}` fails here"),
            None => "rendering fails here".to_string(),
        })
        .help(format!(
            "this template receives: {}; docs/templates.md describes each (`archc templates list` names every template)",
            keys.join(", ")
        ));
        Some(TemplateFault {
            file: SourceFile::new(f.disk.display().to_string(), f.text.clone()),
            diagnostic: d,
        })
    }
}

/// `target`'s engine: its built-in templates with `mine` in place of theirs.
/// Parsed once; only when that fails is each of the user's templates parsed
/// on its own, so the error names the file it is in.
fn engine_with(target: Target, mine: &[&UserFile]) -> Result<Tera, Vec<TemplateFault>> {
    let mut tera = empty_engine();
    let texts = builtin::of(target).map(|b| {
        let text = mine
            .iter()
            .find(|f| f.builtin.path == b.path)
            .map_or(b.text, |f| f.text.as_str());
        (b.name, text)
    });
    let Err(all) = tera.add_raw_templates(texts) else {
        return Ok(tera);
    };
    let faults: Vec<TemplateFault> = mine
        .iter()
        .filter_map(|f| {
            let mut alone = empty_engine();
            alone
                .add_raw_template(f.builtin.name, &f.text)
                .err()
                .map(|e| parse_fault(f, &e))
        })
        .collect();
    if faults.is_empty() {
        // Each parses alone: what fails is how they refer to one another (a
        // macro import, `extends`); the first of the user's is named.
        Err(vec![parse_fault(mine[0], &all)])
    } else {
        Err(faults)
    }
}

/// Relative `/`-separated paths of the files under `dir`, hidden ones skipped.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// A fault about a whole file, drawn as its path.
fn about_path(shown_in: &Path, rel: &str, d: impl FnOnce(Span) -> Diagnostic) -> TemplateFault {
    TemplateFault {
        file: SourceFile::new(shown_in.display().to_string(), format!("{rel}\n")),
        diagnostic: d(Span::new(0, rel.len())),
    }
}

fn unknown_path(dir: &Path, rel: &str) -> TemplateFault {
    let nearest = diag::nearest(rel, builtin::BUILTIN.iter().map(|b| b.path));
    about_path(&dir.join(rel), rel, |span| {
        Diagnostic::new(
            "E0501",
            span,
            format!("`{rel}` is not the path of a built-in template"),
        )
        .primary("no template has this path")
        .help(match nearest {
            Some(n) => format!("did you mean `{n}`? `archc templates list` shows every path"),
            None => "`archc templates list` shows every path; `archc templates export DIR` writes them all".to_string(),
        })
    })
}

fn not_utf8(disk: &Path) -> TemplateFault {
    let name = disk.display().to_string();
    about_path(disk, &name, |span| {
        Diagnostic::new("E0502", span, format!("template {name} is not UTF-8 text"))
            .primary("not UTF-8")
    })
}

fn unreadable(path: &Path, e: &std::io::Error) -> TemplateFault {
    let name = path.display().to_string();
    about_path(path, &name, |span| {
        Diagnostic::new("E0502", span, format!("cannot read template {name}: {e}"))
            .primary("unreadable")
    })
}

/// tera's parse error (`--> LINE:COL` and an `= expected …` line) as a
/// diagnostic at that place.
fn parse_fault(f: &UserFile, e: &tera::Error) -> TemplateFault {
    let text = super::error_chain(e);
    let at = text.find("--> ").and_then(|i| {
        let rest = &text[i + 4..];
        let end = rest.find(|c: char| !c.is_ascii_digit() && c != ':')?;
        let (line, col) = rest[..end].split_once(':')?;
        Some((line.parse::<usize>().ok()?, col.parse::<usize>().ok()?))
    });
    let offset = at.map_or(0, |(line, col)| offset_of(&f.text, line, col));
    let end = (offset + 1).min(f.text.len());
    let expected = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or_else(|| first_line(&text));
    TemplateFault {
        file: SourceFile::new(f.disk.display().to_string(), f.text.clone()),
        diagnostic: Diagnostic::new(
            "E0502",
            Span::new(offset, end),
            format!("template {} does not parse: {expected}", f.builtin.path),
        )
        .primary("here")
        .help(format!(
            "the built-in text is `archc templates export DIR --target {}`; tera's syntax: https://keats.github.io/tera/docs/",
            f.builtin.target.name()
        )),
    }
}

/// Byte offset of 1-based `line` and `col` (in characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// The first `` `word` `` of a tera message: the variable or filter it is about.
fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len]).filter(|s| !s.is_empty())
}

/// The first place `word` stands inside a `{{ }}` or `{% %}` tag.
fn find_in_tags(text: &str, word: &str) -> Option<Span> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let after = text[at + word.len()..].chars().next();
        if after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            from = at + word.len();
            continue;
        }
        let before = &text[..at];
        let open = before.rfind("{{").max(before.rfind("{%"));
        let close = before.rfind("}}").max(before.rfind("%}"));
        if open.is_some() && open > close {
            return Some(Span::new(at, at + word.len()));
        }
        from = at + word.len();
    }
    None
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_characters() {
        let t = "ab\ncé{{ x\n";
        assert_eq!(offset_of(t, 1, 1), 0);
        assert_eq!(offset_of(t, 2, 3), 6);
        assert_eq!(&t[offset_of(t, 2, 3)..offset_of(t, 2, 3) + 2], "{{");
    }

    #[test]
    fn the_culprit_is_found_inside_a_tag_not_in_plain_text() {
        let t = "name: foo\n{{ o.food }}{{ o.foo }}\n";
        let s = find_in_tags(t, "foo").unwrap();
        assert_eq!(&t[s.start as usize..s.end as usize], "foo");
        assert!(s.start > 20, "not inside `o.food`: {s:?}");
        assert_eq!(
            backticked("Variable `o.foo` not found in context while rendering 'x'"),
            Some("o.foo")
        );
    }
}
