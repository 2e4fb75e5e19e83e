//! Warnings a design takes on purpose (`accept CODE "REASON"`, issue 16
//! part 7): what each place covers, what is reported about the accepts
//! themselves, and how `check`, the language server and `fmt` show them.

use crate::cli::archc;
use archc::diag::Diagnostic;
use archc::emit::{self, Target};

fn compile(text: &str) -> archc::Compiled {
    archc::compile("accept.arch", text)
}

/// (code, stages, accepted reason) of every diagnostic.
fn seen(c: &archc::Compiled) -> Vec<(&str, Vec<&str>, Option<&str>)> {
    c.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.stages.iter().map(String::as_str).collect(),
                d.accepted.as_deref(),
            )
        })
        .collect()
}

/// A single database inherited by two stages, then replaced in a third:
/// W0302 in `one`, `two` and `three`.
const STAGED: &str = "web x1\nstage one {\n  db postgres\n}\nstage two {\n  cache x2 ttl 1m evict lru\n}\nstage three {\n  db mysql\n}\n";

#[test]
fn a_stage_accept_holds_for_that_stage_only() {
    let text = STAGED.replace(
        "stage two {\n",
        "stage two {\n  accept W0302 \"one db while we measure\"\n",
    );
    let c = compile(&text);
    assert_eq!(
        seen(&c),
        [
            ("W0302", vec!["one"], None),
            ("W0302", vec!["two"], Some("one db while we measure")),
            ("W0302", vec!["three"], None),
        ]
    );
}

#[test]
fn a_component_accept_travels_with_the_component_until_it_is_replaced() {
    let text = STAGED.replace(
        "  db postgres\n",
        "  db postgres accept W0302 \"replicas come later\"\n",
    );
    let c = compile(&text);
    assert_eq!(
        seen(&c),
        [
            ("W0302", vec!["one", "two"], Some("replicas come later")),
            ("W0302", vec!["three"], None),
        ]
    );
}

#[test]
fn a_top_level_accept_holds_everywhere_even_after_the_stages() {
    let c = compile(&format!("{STAGED}accept W0302 \"a demo\"\n"));
    assert_eq!(
        seen(&c),
        [
            ("W0302", vec!["one", "two"], Some("a demo")),
            ("W0302", vec!["three"], Some("a demo")),
        ]
    );
}

#[test]
fn a_warning_found_while_parsing_is_accepted_by_its_statement_or_stage() {
    let c = compile("stage a {\n  web stateles x1 accept W0308 \"our name\"\n}\n");
    assert_eq!(seen(&c), [("W0308", vec![], Some("our name"))]);
    let c = compile("stage a {\n  accept W0308 \"our name\"\n  web stateles x1\n}\n");
    assert_eq!(seen(&c), [("W0308", vec![], Some("our name"))]);
}

#[test]
fn an_accept_needs_a_reason() {
    let c = compile("web x1\ndb accept W0302 \"  \"\n");
    assert!(
        c.diagnostics.iter().any(|d| d.code == "E0215"),
        "{:?}",
        seen(&c)
    );
    let c = compile("web x1\ndb accept W0302\n");
    let d = &c.diagnostics[0];
    assert_eq!(d.code, "E0001");
    assert!(
        d.help.as_deref().unwrap().contains("needs its reason"),
        "{d:?}"
    );
}

fn only<'c>(c: &'c archc::Compiled, code: &str) -> Vec<&'c Diagnostic> {
    c.diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn unknown_codes_errors_and_stale_accepts_are_reported() {
    let text = concat!(
        "accept W0399 \"typo\"\naccept E0201 \"no\"\naccept W0312 \"no\"\n",
        "accept W0306 \"no cdn at all\"\n",
        "web x1\ndb with 1 replica accept W0302 \"has one\"\n",
        "stage a {\n  accept W0304 \"no cache here\"\n}\n",
    );
    let c = compile(text);
    let cannot = only(&c, "W0311");
    let named: Vec<&str> = cannot.iter().map(|d| &text[d.span.range()]).collect();
    assert_eq!(named, ["W0399", "E0201", "W0312"]);
    assert!(cannot[0]
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `W0309`?"));
    let stale = only(&c, "W0312");
    let where_: Vec<&str> = stale.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(stale.len(), 3, "{where_:?}");
    assert!(
        where_[0].contains("no W0306 is found in this file"),
        "{where_:?}"
    );
    assert!(
        where_[1].contains("no W0302 is found at this statement"),
        "{where_:?}"
    );
    assert!(
        where_[2].contains("no W0304 is found in stage `a`"),
        "{where_:?}"
    );
    assert_eq!(stale[2].stages, ["a"]);
    // The accepts' own warnings cannot be accepted away.
    assert!(c.diagnostics.iter().all(|d| d.accepted.is_none()));
}

#[test]
fn check_shows_accepted_warnings_on_one_line_and_deny_warnings_ignores_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.arch");
    std::fs::write(
        &path,
        "web x1\ndb postgres colocated accept W0302 \"one server on purpose\"\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let o = archc()
        .args(["check", "--deny-warnings", path])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let line = format!(
        "accepted W0302 {path}:2:1: db `db` is a single instance: when it fails, the site fails (one server on purpose)\n"
    );
    assert!(err.starts_with(&line), "{err}");
    assert!(
        err.ends_with("1 stage, 0 errors, 0 warnings, 1 accepted\n"),
        "{err}"
    );
    let o = archc()
        .args(["check", "--message-format", "json", path])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["code"], "W0302");
    assert_eq!(json["severity"], "warning");
    assert_eq!(json["accepted"], "one server on purpose");
}

#[test]
fn the_journey_passes_check_with_denied_warnings() {
    let o = archc()
        .args(["check", "--deny-warnings", "examples/journey.arch"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("0 warnings, 2 accepted"), "{err}");
}

/// Every target of every stage, as (path, contents).
fn outputs(c: &archc::Compiled) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in &c.design.stages {
        for t in &Target::ALL {
            for f in emit::emit(*t, m, &emit::Options::default()).unwrap() {
                out.push((format!("{}/{}", m.stage, f.path), f.contents));
            }
        }
    }
    out
}

#[test]
fn accepts_change_no_target_output() {
    let text =
        std::fs::read_to_string(crate::common::repo().join("examples/journey.arch")).unwrap();
    assert!(text.contains(" accept W0302 \""));
    // The same design without its accepts, each line kept where it was.
    let without: String = text
        .lines()
        .map(|l| match (l.find(" accept "), l.find("  #")) {
            (Some(a), Some(c)) => format!("{}{}\n", &l[..a], &l[c..]),
            (Some(a), None) => format!("{}\n", &l[..a]),
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(!without.contains("accept"));
    let (with, without) = (compile(&text), compile(&without));
    assert!(!with.has_errors() && !without.has_errors());
    assert_eq!(outputs(&with), outputs(&without));
}

#[test]
fn the_language_server_shows_accepted_warnings_as_hints() {
    let doc = archc::lsp::Document::new(
        "file:///t/a.arch".parse().unwrap(),
        1,
        "web x1\ndb postgres colocated accept W0302 \"one server\"\ncache\n".into(),
    );
    let by_code = |code: &str| {
        doc.diagnostics()
            .into_iter()
            .find(|d| d.code == Some(lsp_types::NumberOrString::String(code.into())))
            .unwrap()
    };
    let accepted = by_code("W0302");
    assert_eq!(accepted.severity, Some(lsp_types::DiagnosticSeverity::HINT));
    assert!(
        accepted.message.contains("accepted: one server"),
        "{}",
        accepted.message
    );
    assert_eq!(
        by_code("W0303").severity,
        Some(lsp_types::DiagnosticSeverity::WARNING)
    );
}

#[test]
fn hover_on_an_accepted_code_explains_it() {
    let text = "web x1\ndb postgres colocated accept W0302 \"one server\"\n";
    let doc = archc::lsp::Document::new("file:///t/a.arch".parse().unwrap(), 1, text.into());
    let at = text.find("W0302").unwrap() + 2;
    let position = lsp_types::Position::new(1, (at - text.find('\n').unwrap() - 1) as u32);
    let hover = doc.hover(position).unwrap();
    let lsp_types::HoverContents::Markup(m) = hover.contents else {
        panic!("markdown hover")
    };
    assert!(
        m.value
            .starts_with("**W0302**: database is a single point of failure"),
        "{}",
        m.value
    );
}

#[test]
fn fmt_keeps_accepts() {
    let src = "accept   W0302  \"a  b\"\nweb x1   accept W0303 \"c\"  accept W0304 \"d\"  # why\nstage s {\naccept W0301 \"e\"\n}\n";
    let c = compile(src);
    assert_eq!(
        archc::fmt::format(src, &c.ast),
        "accept W0302 \"a  b\"\nweb x1 accept W0303 \"c\" accept W0304 \"d\"  # why\nstage s {\n  accept W0301 \"e\"\n}\n"
    );
}
