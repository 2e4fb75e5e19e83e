//! Fixture-driven tests of the language core: `ok/` designs snapshot their
//! model, `err/` designs declare the codes they must produce in a first line
//! `# expect: CODE…` and snapshot the rendered diagnostics.

use crate::common::repo;
use archc::diag::{self, SourceFile, CODES};
use codespan_reporting::term::termcolor::NoColor;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn arch_files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "arch"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_string()
}

fn rel(p: &Path) -> String {
    p.strip_prefix(repo()).unwrap().display().to_string()
}

/// Compiles a file the way the CLI does, invalid UTF-8 included.
fn compile(p: &Path) -> (SourceFile, archc::Compiled) {
    let (text, utf8) = archc::source::decode(std::fs::read(p).unwrap());
    let mut c = archc::compile(&rel(p), &text);
    if let Some(d) = utf8 {
        c.diagnostics.insert(0, d);
    }
    (SourceFile::new(rel(p), text), c)
}

fn render(file: &SourceFile, diags: &[archc::diag::Diagnostic]) -> String {
    let mut out = NoColor::new(Vec::new());
    diag::render_human(&mut out, file, diags);
    String::from_utf8(out.into_inner()).unwrap()
}

fn expected_codes(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("an err fixture starts with `# expect: CODE…`, found {first:?}"));
    let mut v: Vec<String> = list.split_whitespace().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn ok_fixtures_and_examples_have_no_errors_and_snapshot_their_model() {
    let mut files = arch_files("tests/fixtures/ok");
    files.extend(arch_files("examples"));
    assert!(files.len() >= 5, "fixtures missing: {files:?}");
    for p in files {
        let (file, c) = compile(&p);
        let errors: Vec<_> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            rel(&p),
            render(&file, &errors)
        );
        let json = serde_json::to_string_pretty(&c.design).unwrap();
        insta::assert_snapshot!(format!("model__{}", stem(&p)), json);
    }
}

#[test]
fn err_fixtures_produce_exactly_their_expected_codes() {
    let files = arch_files("tests/fixtures/err");
    assert!(files.len() >= 20);
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let expected = expected_codes(&String::from_utf8_lossy(&bytes));
        let (file, c) = compile(&p);
        let mut got: Vec<String> = c.diagnostics.iter().map(|d| d.code.to_string()).collect();
        got.sort();
        assert_eq!(
            got,
            expected,
            "{}:\n{}",
            rel(&p),
            render(&file, &c.diagnostics)
        );
        for d in &c.diagnostics {
            assert!(!d.message.is_empty());
            assert!(
                d.help.as_deref().is_some_and(|h| !h.is_empty()),
                "{}: {} `{}` says what is wrong but not how to fix it (no help)",
                rel(&p),
                d.code,
                d.message
            );
            assert!(
                d.span.end as usize <= file.text.len(),
                "span past the end in {}",
                rel(&p)
            );
        }
        insta::assert_snapshot!(
            format!("diagnostics__{}", stem(&p)),
            render(&file, &c.diagnostics)
        );
    }
}

/// Codes no design can produce on purpose: they report archc disagreeing with
/// itself (E0401: a generated target states something else than the model),
/// so an err fixture would be a fixture of a bug. tests/it/analysis.rs feeds
/// the parity check altered output instead.
const INTERNAL_CONSISTENCY_CODES: &[&str] = &["E0401"];

/// Codes about a user's template overrides, not the design: no design file
/// produces them; tests/it/templates.rs has a test for each.
const TEMPLATE_CODES: &[&str] = &["E0501", "E0502", "E0503", "E0504"];

#[test]
fn every_registered_code_is_explained_and_produced_by_a_fixture() {
    let mut produced = BTreeSet::new();
    for p in arch_files("tests/fixtures/err") {
        produced.extend(expected_codes(&String::from_utf8_lossy(
            &std::fs::read(&p).unwrap(),
        )));
    }
    let mut seen = BTreeSet::new();
    for c in CODES {
        assert!(seen.insert(c.code), "{} registered twice", c.code);
        assert!(
            c.explanation.len() > 80,
            "{} needs a real explanation",
            c.code
        );
        assert!(!c.title.is_empty());
        assert!(
            produced.contains(c.code)
                || INTERNAL_CONSISTENCY_CODES.contains(&c.code)
                || TEMPLATE_CODES.contains(&c.code),
            "no err fixture produces {}",
            c.code
        );
        let band_ok = match c.severity {
            diag::Severity::Error => c.code.starts_with('E'),
            diag::Severity::Warning => c.code.starts_with('W'),
        };
        assert!(band_ok, "{} is in the wrong band", c.code);
    }
    for code in &produced {
        assert!(
            diag::lookup(code).is_some(),
            "fixtures expect unregistered {code}"
        );
    }
}

/// The model without spans (and the lines they start on), for comparing
/// designs that differ only in layout.
fn model_without_spans(c: &archc::Compiled) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                if m.remove("span").is_some() {
                    m.remove("line");
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&c.design).unwrap();
    strip(&mut v);
    v
}

#[test]
fn formatting_is_idempotent_and_keeps_the_model() {
    let mut files = arch_files("tests/fixtures/ok");
    files.extend(arch_files("examples"));
    files.extend(arch_files("tests/fixtures/err"));
    for p in files {
        let (file, c) = compile(&p);
        if c.diagnostics
            .iter()
            .any(|d| d.is_error() && d.code < "E0100")
        {
            continue; // the formatter refuses files with syntax errors
        }
        let once = archc::fmt::format(&file.text, &c.ast);
        let c1 = archc::compile(&rel(&p), &once);
        let twice = archc::fmt::format(&once, &c1.ast);
        assert_eq!(once, twice, "formatting {} twice changed it", rel(&p));
        assert_eq!(
            model_without_spans(&c),
            model_without_spans(&c1),
            "formatting {} changed the model",
            rel(&p)
        );
        let comments = |s: &str| s.matches('#').count();
        assert_eq!(
            comments(&file.text),
            comments(&once),
            "formatting {} lost a comment",
            rel(&p)
        );
    }
}

/// Formatting moves statements to other lines (found by the `fmt` fuzzer:
/// a leading blank line dropped); the model is the same but for positions.
#[test]
fn formatting_that_moves_lines_keeps_the_model() {
    for text in [
        "\nweb statele",
        "web x2 behind lb; db with 2 replicas\n\n\ncache\n",
    ] {
        let c = archc::compile("moved.arch", text);
        let once = archc::fmt::format(text, &c.ast);
        assert_ne!(once, text, "the case must move something");
        let c1 = archc::compile("moved.arch", &once);
        assert_eq!(
            model_without_spans(&c),
            model_without_spans(&c1),
            "formatting {text:?} changed the model"
        );
    }
}

#[test]
fn formatter_layout_is_canonical() {
    let src = "system s  # name\nweb x2 behind lb ;  db with 2 replicas\n\n\n\nstage a { cache x2 ttl 1m evict lru }\n";
    let c = archc::compile("s.arch", src);
    assert_eq!(
        archc::fmt::format(src, &c.ast),
        "system s  # name\nweb x2 behind lb\ndb with 2 replicas\n\nstage a {\n  cache x2 ttl 1m evict lru\n}\n"
    );
}

/// Found by the `fmt` fuzz target: pest counted the blanks and comment after a
/// statement that ends in an optional word (`drop cache`, `behind lb`) as part
/// of the statement, so the first format folded the comment into it.
#[test]
fn trailing_comment_after_an_optional_word_stays_a_comment() {
    let src = "stage z {\n  cache x2 ttl 1m evict lru\n}\nstage a {\n  drop cache    # gone\n  web x3 behind lb # c\n}\n";
    let c = archc::compile("f.arch", src);
    let once = archc::fmt::format(src, &c.ast);
    assert_eq!(
        once,
        "stage z {\n  cache x2 ttl 1m evict lru\n}\nstage a {\n  drop cache  # gone\n  web x3 behind lb  # c\n}\n"
    );
    let c1 = archc::compile("f.arch", &once);
    assert_eq!(archc::fmt::format(&once, &c1.ast), once);
}
