//! Template overrides in the editor: while a design is open, the override
//! folder it builds with (`archc lsp --templates DIR`, or `templates/` beside
//! the design) is loaded as `archc build` would, and each template that does
//! not load (E0501, E0502) gets its diagnostics published on the template's
//! own file, cleared once it is fixed. Reloaded only when a file of the
//! folder changed (names, sizes, times), not on every keystroke's work.

use super::position::LineIndex;
use crate::emit::templates::{TemplateFault, UserTemplates};
use lsp_types::{DiagnosticSeverity, NumberOrString, PublishDiagnosticsParams, Uri};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a folder held when last loaded: each file's path, size and time.
type Signature = Vec<(PathBuf, u64, Option<SystemTime>)>;

#[derive(Default)]
pub struct TemplateWatch {
    dir: Option<PathBuf>,
    last: Option<(PathBuf, Signature)>,
    /// Template files whose diagnostics are on screen.
    shown: Vec<String>,
}

impl TemplateWatch {
    /// `dir`: `--templates DIR`; `None`: `templates/` beside each design.
    pub fn new(dir: Option<PathBuf>) -> TemplateWatch {
        TemplateWatch {
            dir,
            ..Default::default()
        }
    }

    /// The diagnostics to publish for the override folder of the design at
    /// `design` (a `file:` URI): the faults of each template file, and an
    /// empty list for each file whose faults are gone. Nothing when the
    /// folder did not change since the last call.
    pub fn check(&mut self, design: &Uri) -> Vec<PublishDiagnosticsParams> {
        let dir = match (&self.dir, path_of(design)) {
            (Some(d), _) => d.clone(),
            (None, Some(p)) => p.parent().unwrap_or(Path::new(".")).join("templates"),
            (None, None) => return Vec::new(),
        };
        let sig = signature(&dir);
        if self.last.as_ref() == Some(&(dir.clone(), sig.clone())) {
            return Vec::new();
        }
        self.last = Some((dir.clone(), sig));
        let faults = if dir.is_dir() {
            UserTemplates::load(&dir).err().unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut by_file: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for f in &faults {
            by_file
                .entry(uri_of(&f.file.name))
                .or_default()
                .push(convert(f));
        }
        let mut out = Vec::new();
        for old in std::mem::take(&mut self.shown) {
            if !by_file.contains_key(&old) {
                if let Ok(uri) = old.parse::<Uri>() {
                    out.push(PublishDiagnosticsParams::new(uri, Vec::new(), None));
                }
            }
        }
        for (file, diags) in by_file {
            if let Ok(uri) = file.parse::<Uri>() {
                out.push(PublishDiagnosticsParams::new(uri, diags, None));
                self.shown.push(file);
            }
        }
        out
    }
}

fn convert(f: &TemplateFault) -> lsp_types::Diagnostic {
    let d = &f.diagnostic;
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let text = &f.file.text;
    lsp_types::Diagnostic {
        range: LineIndex::new(text).range(text, d.span),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("archc".into()),
        message,
        ..Default::default()
    }
}

/// Every file under `dir`, with its size and time, sorted.
fn signature(dir: &Path) -> Signature {
    fn walk(d: &Path, out: &mut Signature) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => walk(&p, out),
                Ok(m) => out.push((p, m.len(), m.modified().ok())),
                Err(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// The local path of a `file:` URI, percent-decoded.
fn path_of(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// A `file:` URI for a path (made absolute), percent-encoded.
fn uri_of(path: &str) -> String {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_uris_round_trip_with_odd_characters() {
        let uri = uri_of("/tmp/my shop/templates/k8s/x.tera");
        assert_eq!(uri, "file:///tmp/my%20shop/templates/k8s/x.tera");
        let parsed: Uri = uri.parse().unwrap();
        assert_eq!(
            path_of(&parsed).unwrap(),
            PathBuf::from("/tmp/my shop/templates/k8s/x.tera")
        );
    }
}
