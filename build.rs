//! Names the build for `archc --version`: the package version, and when built
//! from a git checkout of archc the commit (short hash, `-dirty` when tracked
//! files differ from it) and the build date. A build from a crates.io package
//! names the commit it was published from (`.cargo_vcs_info.json`); without
//! either, the version alone. Only `--version` reads it: generated files
//! never carry the build, so every build of the same version writes the same
//! bytes.

use std::path::Path;
use std::process::Command;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&dir);
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let build = match from_git(dir) {
        Some(commit) => format!("{version} ({commit}, built {})", build_date()),
        None => match from_package(dir) {
            Some(commit) => format!("{version} ({commit})"),
            None => version,
        },
    };
    println!("cargo:rustc-env=ARCHC_BUILD={build}");
}

/// `git` in `dir`, its output trimmed; `None` when git is missing or fails.
/// `--no-optional-locks`: `git status` must not rewrite the index, whose
/// change would run this script again on the next build.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("--no-optional-locks")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `abc1234` or `abc1234-dirty`, when `dir` is the top of a git checkout
/// (not a folder inside some other repository, such as a home directory
/// kept in git with cargo's registry in it). Asks cargo to run this script
/// again when the commit or any tracked file changes.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])?;
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let mut watched = vec![
        "HEAD".to_string(),
        "index".to_string(),
        "packed-refs".into(),
    ];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        // A path that does not exist would make cargo run this every time.
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    for file in git(dir, &["ls-files"]).unwrap_or_default().lines() {
        if dir.join(file).exists() {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    Some(if dirty { format!("{hash}-dirty") } else { hash })
}

/// The commit a crates.io package was published from, from the
/// `.cargo_vcs_info.json` that `cargo package` writes.
fn from_package(dir: &Path) -> Option<String> {
    let info = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let start = info.find("\"sha1\"")?;
    let hash: String = info[start + 6..]
        .chars()
        .skip_while(|c| !c.is_ascii_hexdigit())
        .take_while(char::is_ascii_hexdigit)
        .take(7)
        .collect();
    (hash.len() == 7).then_some(hash)
}

/// `YYYY-MM-DD` (UTC) of `SOURCE_DATE_EPOCH` when set (reproducible builds),
/// else of now.
fn build_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a
/// day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
