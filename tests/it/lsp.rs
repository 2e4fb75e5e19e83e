//! Tests: the language server (`archc lsp`, driven over stdio like an editor
//! does), the editor packages, and `archc watch`.

use crate::cli::archc;
use crate::common::repo;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long any single answer may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// A minimal LSP client over the real binary.
// ---------------------------------------------------------------------------

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Notifications read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one `Content-Length`-framed message.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = Some(v.parse::<usize>().expect("a numeric Content-Length"));
        }
    }
    let mut body = vec![0; len.expect("a Content-Length header")];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the body is JSON"))
}

impl Server {
    fn start() -> Server {
        let mut child = archc()
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Server {
            child,
            stdin,
            rx,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, v: Value) {
        let body = serde_json::to_string(&v).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(TIMEOUT)
            .expect("the server did not send anything in time")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result; fails on an error response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg.get("id") == Some(&json!(id)) {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
            self.pending.push_back(msg);
        }
    }

    /// The next notification with this method (earlier ones kept for later).
    fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|m| m["method"] == method) {
            return self.pending.remove(i).unwrap()["params"].clone();
        }
        loop {
            let msg = self.recv();
            if msg["method"] == method {
                return msg["params"].clone();
            }
            self.pending.push_back(msg);
        }
    }

    fn initialize(&mut self) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "arch", "version": 1, "text": text}}),
        );
        self.notification("textDocument/publishDiagnostics")
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
        self.notification("textDocument/publishDiagnostics")
    }

    fn at(&mut self, method: &str, uri: &str, pos: Value) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": pos}),
        )
    }

    /// `shutdown` then `exit`; the process must end by itself, successfully.
    fn shut_down(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "archc lsp exited with {status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "archc lsp did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The LSP position (UTF-16) of the `nth` occurrence of `needle`, plus `delta` bytes.
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {needle:?} #{nth}"))
        .0
        + delta;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character = text[line_start..at].encode_utf16().count();
    json!({"line": line, "character": character})
}

fn hover_text(v: &Value) -> String {
    v["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

const DESIGN: &str = r#"# Boutique café ☕ 😀: positions are UTF-16 units
system shop

stage one {
  web stateful x2 behind lb image "café/😀:1"
  lb nginx ip-hash
  db postgres
}
stage two {
  cache store redis ttl 10m evict lru  # é
  web stateless x3 behind lb sessions in cache store
  queue jobs
  worker x2 consumes jobs
}
stage three {
  drop worker
}
"#;

/// What `archc check --message-format json` says about `text`, as LSP would
/// put it: (code, message with help, start, end).
fn check_json(
    dir: &std::path::Path,
    name: &str,
    text: &str,
) -> Vec<(String, String, Value, Value)> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = archc()
        .args(["check", "--message-format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let utf16 = |byte: u64| {
        let at = byte as usize;
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        json!({"line": text[..line_start].matches('\n').count(),
               "character": text[line_start..at].encode_utf16().count()})
    };
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            let mut msg = d["message"].as_str().unwrap().to_string();
            if let Some(h) = d["help"].as_str() {
                msg = format!("{msg}\nhelp: {h}");
            }
            (
                d["code"].as_str().unwrap().to_string(),
                msg,
                utf16(d["span"]["start"].as_u64().unwrap()),
                utf16(d["span"]["end"].as_u64().unwrap()),
            )
        })
        .collect()
}

fn lsp_diags(params: &Value) -> Vec<(String, String, Value, Value)> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            // The stage list is appended after the help; check prints it apart.
            let msg = d["message"].as_str().unwrap();
            let msg = msg.split("\nin stage").next().unwrap().to_string();
            (
                d["code"].as_str().unwrap().to_string(),
                msg,
                d["range"]["start"].clone(),
                d["range"]["end"].clone(),
            )
        })
        .collect()
}

#[test]
fn lsp_session_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let uri = "file:///work/designs/shop.arch";
    let mut s = Server::start();
    let init = s.initialize();
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"], 1, "full sync");
    for cap in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} missing: {caps}");
    }

    // didOpen: the same diagnostics as `archc check`, positions in UTF-16.
    let published = s.open(uri, DESIGN);
    assert_eq!(published["uri"], uri);
    assert_eq!(published["version"], 1);
    let want = check_json(dir.path(), "shop.arch", DESIGN);
    assert!(!want.is_empty(), "the design has warnings to compare");
    assert_eq!(lsp_diags(&published), want);
    let first = &published["diagnostics"][0];
    assert_eq!(first["source"], "archc");
    assert!(first["severity"] == 1 || first["severity"] == 2);

    // didChange: a broken reference is reported at once, like `check` does.
    let broken = DESIGN.replace("consumes jobs", "consumes jobz");
    let published = s.change(uri, 2, &broken);
    assert_eq!(published["version"], 2);
    let got = lsp_diags(&published);
    assert_eq!(got, check_json(dir.path(), "shop.arch", &broken));
    let e0105 = got
        .iter()
        .find(|d| d.0 == "E0105")
        .expect("E0105 published");
    assert_eq!(e0105.2, pos(&broken, "consumes jobz", 0, 0));
    let raw = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E0105")
        .unwrap();
    assert_eq!(raw["severity"], 1, "an error");
    let published = s.change(uri, 3, DESIGN);
    assert!(lsp_diags(&published).iter().all(|d| d.0 != "E0105"));

    // Hover on a keyword after an emoji on the same line (UTF-16 columns).
    let h = s.at("textDocument/hover", uri, pos(DESIGN, "behind", 0, 2));
    let text = hover_text(&h);
    assert!(text.contains("**`behind`**"), "{text}");
    assert_eq!(h["range"]["start"], pos(DESIGN, "behind", 0, 0));
    assert_eq!(h["range"]["end"], pos(DESIGN, "behind", 0, 6));
    let text = hover_text(&s.at("textDocument/hover", uri, pos(DESIGN, "ip-hash", 0, 3)));
    assert!(
        text.contains("ip_hash") && text.contains("sticky"),
        "{text}"
    );
    // The same word means different things in different statements.
    let text = hover_text(&s.at("textDocument/hover", uri, pos(DESIGN, "redis", 0, 1)));
    assert!(text.contains("cache engine"), "{text}");

    // Hover on a component: its resolved settings in the stage under the
    // cursor, and which stage wrote it.
    let text = hover_text(&s.at("textDocument/hover", uri, pos(DESIGN, "store", 1, 1)));
    assert!(text.contains("**cache `store`** in stage `two`"), "{text}");
    assert!(text.contains("Written by this stage, line 10"), "{text}");
    assert!(text.contains("`ttl_seconds`: 600"), "{text}");
    assert!(text.contains("`evict`: `lru`"), "{text}");
    let text = hover_text(&s.at("textDocument/hover", uri, pos(DESIGN, "behind lb", 1, 7)));
    assert!(text.contains("**lb `lb`** in stage `two`"), "{text}");
    assert!(
        text.contains("Inherited: written by stage `one`, line 6"),
        "{text}"
    );
    assert!(text.contains("`method`: `ip-hash`"), "{text}");
    assert!(text.contains("`backends`: `web`"), "{text}");
    // Nothing in a comment.
    let h = s.at("textDocument/hover", uri, pos(DESIGN, "Boutique", 0, 1));
    assert!(h.is_null(), "{h}");

    // Completion: clause words of the kind at the cursor, names after references.
    let edited = DESIGN.replace(
        "  drop worker\n",
        "  drop worker\n  web x2 \n  worker w consumes \n  drop \n",
    );
    s.change(uri, 4, &edited);
    let got = labels(&s.at(
        "textDocument/completion",
        uri,
        pos(&edited, "web x2 ", 0, 7),
    ));
    for w in ["behind", "stateless", "autoscale", "sessions", "size"] {
        assert!(got.contains(&w.to_string()), "{w} missing from {got:?}");
    }
    assert!(!got.contains(&"nginx".to_string()), "{got:?}");
    let got = labels(&s.at(
        "textDocument/completion",
        uri,
        pos(&edited, "consumes \n", 0, 9),
    ));
    assert_eq!(got, ["jobs"]);
    let got = labels(&s.at(
        "textDocument/completion",
        uri,
        pos(&edited, "drop \n", 0, 5),
    ));
    assert!(
        got.contains(&"worker".to_string()) && got.contains(&"lb".to_string()),
        "{got:?}"
    );
    // At the start of a statement inside a stage: kinds and `drop`, not `system`.
    let got = labels(&s.at(
        "textDocument/completion",
        uri,
        pos(&edited, "  drop worker", 0, 2),
    ));
    assert!(
        got.contains(&"drop".to_string()) && got.contains(&"cache".to_string()),
        "{got:?}"
    );
    assert!(!got.contains(&"system".to_string()), "{got:?}");
    s.change(uri, 5, DESIGN);

    // Go to definition: a reference jumps to the declaration in effect there.
    let loc = s.at("textDocument/definition", uri, pos(DESIGN, "jobs", 1, 1));
    assert_eq!(loc["uri"], uri);
    assert_eq!(loc["range"]["start"], pos(DESIGN, "queue jobs", 0, 0));
    let loc = s.at(
        "textDocument/definition",
        uri,
        pos(DESIGN, "behind lb", 1, 7),
    );
    assert_eq!(loc["range"]["start"], pos(DESIGN, "lb nginx", 0, 0));
    let loc = s.at("textDocument/definition", uri, pos(DESIGN, "store", 1, 0));
    assert_eq!(loc["range"]["start"], pos(DESIGN, "cache store", 0, 0));
    let loc = s.at(
        "textDocument/definition",
        uri,
        pos(DESIGN, "drop worker", 0, 6),
    );
    assert_eq!(loc["range"]["start"], pos(DESIGN, "worker x2", 0, 0));
    let loc = s.at("textDocument/definition", uri, pos(DESIGN, "ip-hash", 0, 1));
    assert!(loc.is_null(), "a keyword has no definition: {loc}");

    // Document symbols: stages with their components as children.
    let syms = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop", "one", "two", "three"]);
    let two = &syms[2];
    assert_eq!(two["kind"], 3, "a namespace");
    let children: Vec<&str> = two["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["store", "web", "jobs", "worker"]);
    assert_eq!(two["selectionRange"]["start"], pos(DESIGN, "two", 0, 0));

    // Formatting: the whole document, as `archc fmt` writes it.
    let messy = "system   shop\nstage one {\nweb x2   behind lb  # é 😀\n     lb\n}\n";
    s.change(uri, 6, messy);
    let edits = s.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let path = dir.path().join("messy.arch");
    std::fs::write(&path, messy).unwrap();
    let fmt = archc()
        .args(["fmt", "--stdout"])
        .arg(&path)
        .output()
        .unwrap();
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], String::from_utf8(fmt.stdout).unwrap());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(edits[0]["range"]["end"], json!({"line": 5, "character": 0}));
    // Refused, with no edits, while there are syntax errors.
    s.change(uri, 7, "web x2 behnd lb\n   db\n");
    let edits = s.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));

    // An unknown request is an error, not a crash.
    s.send(json!({"jsonrpc": "2.0", "id": 999, "method": "textDocument/rename", "params": {}}));
    let answer = loop {
        let m = s.recv();
        if m["id"] == 999 {
            break m;
        }
    };
    assert_eq!(answer["error"]["code"], -32601);

    s.shut_down();
}

#[test]
fn lsp_closing_a_document_clears_its_diagnostics() {
    let uri = "file:///tmp/x.arch";
    let mut s = Server::start();
    s.initialize();
    let p = s.open(uri, "web x3\n");
    assert!(!p["diagnostics"].as_array().unwrap().is_empty());
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let p = s.notification("textDocument/publishDiagnostics");
    assert_eq!(p["diagnostics"], json!([]));
    // Requests on a closed document answer null.
    let h = s.at(
        "textDocument/hover",
        uri,
        json!({"line": 0, "character": 1}),
    );
    assert!(h.is_null());
    s.shut_down();
}

// ---------------------------------------------------------------------------
// The library API behind the server, for cases cheaper to state in-process.
// ---------------------------------------------------------------------------

fn doc(text: &str) -> archc::lsp::Document {
    archc::lsp::Document::new("file:///t/site.arch".parse().unwrap(), 1, text.into())
}

fn lsp_pos(v: Value) -> lsp_types::Position {
    serde_json::from_value(v).unwrap()
}

fn complete(text: &str, needle: &str, delta: usize) -> Vec<String> {
    let d = doc(text);
    d.completion(lsp_pos(pos(text, needle, 0, delta)))
        .into_iter()
        .map(|i| i.label)
        .collect()
}

#[test]
fn completion_follows_the_statement_being_typed() {
    let t = "lb front\ncache c1\ncache c2\nweb x2 behind lb \nweb sessions in cache \nweb size \ndb sharded \ncache evict \nweb autoscale 2..4 \n";
    // `behind lb` without a name created the implicit `lb` too.
    assert_eq!(complete(t, "behind lb \n", 10), ["front", "lb"]);
    assert_eq!(complete(t, "in cache \n", 9), ["c1", "c2"]);
    assert_eq!(
        complete(t, "size \n", 5),
        ["small", "medium", "large", "xlarge"]
    );
    assert_eq!(complete(t, "sharded \n", 8), ["by"]);
    assert_eq!(complete(t, "evict \n", 6), ["lru", "lfu", "none"]);
    let got = complete(t, "2..4 \n", 5);
    assert!(
        got.contains(&"at".to_string()) && got.contains(&"behind".to_string()),
        "{got:?}"
    );
    assert!(!got.contains(&"autoscale".to_string()), "{got:?}");
    // Engines after a kind.
    let got = complete("queue \n", "queue \n", 6);
    assert_eq!(got, ["rabbitmq", "redis", "sqs", "label"]);
    // Once one is written, no other (a second engine, method or state is
    // E0003); the other clauses still are.
    let got = complete("lb front nginx \n", "nginx \n", 6);
    assert!(!got.contains(&"haproxy".to_string()), "{got:?}");
    assert!(got.contains(&"least-conn".to_string()), "{got:?}");
    let got = complete("lb front haproxy least-conn \n", "conn \n", 5);
    assert_eq!(got, ["sticky", "label", "capacity"]);
    let got = complete("db main postgres x2 \n", "x2 \n", 3);
    assert!(!got.contains(&"mysql".to_string()), "{got:?}");
    assert!(got.contains(&"sharded".to_string()), "{got:?}");
    assert_eq!(complete("queue jobs sqs \n", "sqs \n", 4), ["label"]);
    let got = complete("web stateless \n", "stateless \n", 10);
    assert!(!got.contains(&"stateful".to_string()), "{got:?}");
    // Top level: `system` and `stage`, no `drop`.
    let got = complete("\n", "\n", 0);
    assert!(got.contains(&"stage".to_string()) && !got.contains(&"drop".to_string()));
    // The load part: `traffic` words, a capacity's unit for its kind.
    assert_eq!(complete("traffic 50k \n", "50k \n", 4), ["users"]);
    assert_eq!(
        complete("traffic 50k users, 30 \n", "30 \n", 3),
        ["requests"]
    );
    assert_eq!(
        complete("traffic 5k users, 30 requests \n", "requests \n", 9),
        ["per"]
    );
    assert_eq!(complete("traffic 5k users, 40kb \n", "40kb \n", 5), ["per"]);
    assert_eq!(
        complete("traffic 5k users, 40kb per \n", "per \n", 4),
        ["response"]
    );
    assert_eq!(
        complete("traffic 5k users, peak 2x, \n", ", \n", 2),
        ["reads"]
    );
    assert_eq!(
        complete("worker w consumes q capacity 5 \n", "5 \n", 2),
        ["jobs/s"]
    );
    assert_eq!(complete("db capacity 5 \n", "5 \n", 2), ["qps"]);
    // A partial word is replaced by the completion.
    let t = "web x2 beh";
    let d = doc(t);
    let items = d.completion(lsp_pos(pos(t, "beh", 0, 3)));
    let behind = items.iter().find(|i| i.label == "behind").unwrap();
    let Some(lsp_types::CompletionTextEdit::Edit(e)) = &behind.text_edit else {
        panic!("no edit")
    };
    assert_eq!(e.range.start, lsp_pos(pos(t, "beh", 0, 0)));
    assert_eq!(e.range.end, lsp_pos(pos(t, "beh", 0, 3)));
    // Nothing inside comments or strings.
    assert!(complete("web # beh", "beh", 3).is_empty());
    assert!(complete("web image \"a b", " b", 2).is_empty());
}

#[test]
fn hover_on_an_unnamed_component_shows_the_keyword_and_the_component() {
    let t = "web x3 behind lb\n";
    let d = doc(t);
    let h = d.hover(lsp_pos(pos(t, "web", 0, 1))).unwrap();
    let lsp_types::HoverContents::Markup(m) = h.contents else {
        panic!()
    };
    assert!(m.value.contains("**`web`** — component"), "{}", m.value);
    assert!(m.value.contains("**web `web`**"), "{}", m.value);
    assert!(
        m.value.contains("`instances`: `web-1`, `web-2`, `web-3`"),
        "{}",
        m.value
    );
    // The implicit load balancer says where it came from.
    let h = d.hover(lsp_pos(pos(t, "lb", 0, 1))).unwrap();
    let lsp_types::HoverContents::Markup(m) = h.contents else {
        panic!()
    };
    assert!(
        m.value
            .contains("Created with defaults by the reference on line 1"),
        "{}",
        m.value
    );
    // A reference to something that does not exist says so.
    let t = "queue jobs\nworker consumes nope\n";
    let d = doc(t);
    let h = d.hover(lsp_pos(pos(t, "nope", 0, 1))).unwrap();
    let lsp_types::HoverContents::Markup(m) = h.contents else {
        panic!()
    };
    assert!(
        m.value.contains("There is no queue named `nope`"),
        "{}",
        m.value
    );
    assert!(d.definition(lsp_pos(pos(t, "nope", 0, 1))).is_none());
}

fn hover_at(text: &str, needle: &str) -> String {
    let h = doc(text).hover(lsp_pos(pos(text, needle, 0, 1))).unwrap();
    let lsp_types::HoverContents::Markup(m) = h.contents else {
        panic!()
    };
    m.value
}

#[test]
fn archc_explain_prints_the_hover_text_of_a_keyword() {
    let explain = |w: &str| {
        let o = archc().args(["explain", w]).output().unwrap();
        (
            o.status.code(),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let t = "db sharded by user_id x4\nqueue jobs redis\n";
    // One entry: exactly the hover.
    let (code, out, _) = explain("sharded");
    assert_eq!(code, Some(0));
    assert_eq!(out.trim_end(), hover_at(t, "sharded"));
    // A word whose meaning depends on the statement: every meaning, the
    // queue engine's (the hover in `queue jobs redis`) among them.
    let (code, out, _) = explain("redis");
    assert_eq!(code, Some(0));
    let queue = hover_at(t, "redis");
    assert!(queue.contains("queue engine"), "{queue}");
    assert!(out.contains(&queue), "{out}");
    assert!(out.contains("cache engine"), "{out}");
    // Codes as before.
    let (code, out, _) = explain("E0003");
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("E0003 (error): clause given twice"),
        "{out}"
    );
    // A typo of a keyword or of a code: the nearest one.
    let (code, out, err) = explain("behnd");
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(err.contains("did you mean `behind`?"), "{err}");
    let (code, _, err) = explain("E0033");
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `E0003`?"), "{err}");
}

#[test]
fn drop_in_the_first_stage_goes_to_the_declaration_before_any_stage() {
    let t = "cache c1 ttl 1m evict lru\nweb\nstage a {\n  drop cache c1\n}\n";
    let d = doc(t);
    let loc = d.definition(lsp_pos(pos(t, "c1", 1, 1))).unwrap();
    assert_eq!(loc.range.start, lsp_pos(pos(t, "cache c1", 0, 0)));
}

#[test]
fn drop_completes_names_in_the_first_stage_from_the_declarations_before_it() {
    let t = "cache c1\ncache c2\nweb\nstage a {\n  drop cache \n}\nstage b {\n  cache c3\n  drop cache \n}\n";
    // The first stage has no stage before it: the top-level declarations.
    assert_eq!(complete(t, "drop cache \n}\nstage b", 11), ["c1", "c2"]);
    // A later stage: what the stage before it had, not its own `c3`.
    let d = doc(t);
    let later: Vec<String> = d
        .completion(lsp_pos(pos(t, "drop cache ", 1, 11)))
        .into_iter()
        .map(|i| i.label)
        .collect();
    assert_eq!(later, ["c1", "c2"]);
    let t = "cache c1\nstage a {\n  drop web \n}\n";
    assert!(complete(t, "drop web ", 9).is_empty());
}

// ---------------------------------------------------------------------------
// Editor packages.
// ---------------------------------------------------------------------------

fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

/// Every word the grammar's `kw_*` rules match.
fn grammar_keywords() -> Vec<String> {
    let pest = std::fs::read_to_string(repo().join("grammar/arch.pest")).unwrap();
    let mut out = Vec::new();
    for line in pest.lines().filter(|l| l.starts_with("kw_")) {
        out.extend(line.split('"').skip(1).step_by(2).map(str::to_string));
    }
    out
}

/// The fenced code blocks of a Markdown text.
fn code_blocks(md: &str) -> Vec<String> {
    md.split("```")
        .skip(1)
        .step_by(2)
        .map(|b| b.split_once('\n').map_or("", |(_, body)| body).to_string())
        .collect()
}

#[test]
fn readme_shows_the_neovim_and_helix_configuration_of_docs_editors() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let docs = std::fs::read_to_string(repo().join("docs/editors.md")).unwrap();
    let section = readme
        .split("\n## Editors\n")
        .nth(1)
        .expect("an Editors section");
    let section = section.split("\n## ").next().unwrap();
    let blocks = code_blocks(section);
    let shows = |what: &str| blocks.iter().any(|b| b.contains(what));
    assert!(shows("vim.lsp.config('archc'"), "no Neovim configuration");
    assert!(shows("[language-server.archc]"), "no Helix configuration");
    // The same text as the full setup guide, so the two do not drift apart.
    for b in &blocks {
        assert!(
            docs.contains(b.as_str()),
            "README block not in docs/editors.md:\n{b}"
        );
    }
}

#[test]
fn vscode_package_files_are_json_and_consistent() {
    let pkg = read_json("editors/vscode/package.json");
    let lang = &pkg["contributes"]["languages"][0];
    assert_eq!(lang["id"], "arch");
    assert_eq!(lang["extensions"], json!([".arch"]));
    let conf = lang["configuration"].as_str().unwrap();
    let grammar = &pkg["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], "arch");
    let tm_path = grammar["path"].as_str().unwrap();
    assert!(pkg["activationEvents"]
        .as_array()
        .unwrap()
        .contains(&json!("onLanguage:arch")));
    assert!(pkg["contributes"]["configuration"]["properties"]["archc.path"].is_object());
    assert!(pkg["dependencies"]["vscode-languageclient"].is_string());
    let main = pkg["main"].as_str().unwrap();
    assert!(repo().join("editors/vscode").join(main).is_file());

    let conf = read_json(&format!("editors/vscode/{}", conf.trim_start_matches("./")));
    assert_eq!(conf["comments"]["lineComment"], "#");
    assert_eq!(conf["brackets"], json!([["{", "}"]]));
    let tm = read_json(&format!(
        "editors/vscode/{}",
        tm_path.trim_start_matches("./")
    ));
    assert_eq!(tm["scopeName"], "source.arch");
}

#[test]
fn textmate_grammar_knows_every_keyword() {
    let tm = read_json("editors/vscode/syntaxes/arch.tmLanguage.json");
    // Every `match` in the grammar, compiled as the editor would: the words
    // must be matched by some rule, not merely mentioned.
    let mut patterns = Vec::new();
    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    if k == "match" {
                        out.push(v.as_str().unwrap().to_string());
                    } else {
                        collect(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    collect(&tm["repository"], &mut patterns);
    let words = grammar_keywords();
    assert!(words.len() > 60);
    // The keyword rules are `(?:a|b|…)` alternations between lookarounds:
    // each word must be one alternative of some rule.
    let alternatives: Vec<&str> = patterns
        .iter()
        .flat_map(|p| p.split("(?:").skip(1))
        .flat_map(|group| group.split(')').next().unwrap().split('|'))
        .collect();
    assert!(alternatives.contains(&"web") && !alternatives.contains(&"webx"));
    for w in words {
        let found = alternatives.contains(&w.as_str());
        assert!(
            found,
            "`{w}` (grammar/arch.pest) is missing from arch.tmLanguage.json"
        );
    }
}

// ---------------------------------------------------------------------------
// archc watch
// ---------------------------------------------------------------------------

/// A running `archc watch` whose stderr lines arrive on a channel.
struct Watch {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watch {
    fn start(dir: &std::path::Path, args: &[&str]) -> Watch {
        let mut child = archc()
            .current_dir(dir)
            .arg("watch")
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        for r in [Box::new(stderr) as Box<dyn Read + Send>, Box::new(stdout)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watch {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `what`; fails with everything seen so far.
    fn expect(&mut self, what: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {what:?} in time; output:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "archc watch exited; output:\n{}",
            self.seen.join("\n")
        );
    }
}

/// Waits until `path` holds text containing `what`.
fn wait_for_file(path: &std::path::Path, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(what)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never contained {what:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Replaces a file the way many editors save: write a temporary file, rename it over.
fn save_by_rename(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("arch.tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn watch_rebuilds_on_save_and_survives_errors_and_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("site.arch");
    std::fs::write(&design, "web x2 port 8081 behind lb\nlb\n").unwrap();
    let mut w = Watch::start(dir.path(), &["site.arch", "--target", "nginx", "-o", "gen"]);
    let conf = dir.path().join("gen/nginx/lb.conf");
    // The first build happens at once.
    let line = w.expect("written");
    assert!(line.contains(" ms"), "{line}");
    wait_for_file(&conf, ":8081");
    w.expect("watching");

    // A plain write.
    std::fs::write(&design, "web x2 port 8082 behind lb\nlb\n").unwrap();
    wait_for_file(&conf, ":8082");
    w.expect("written");

    // A broken design: a diagnostic, no exit, the old output kept.
    std::fs::write(&design, "web x2 port 8083 behnd lb\nlb\n").unwrap();
    w.expect("E0002");
    w.expect("not built");
    w.assert_alive();
    assert!(std::fs::read_to_string(&conf).unwrap().contains(":8082"));

    // Saved by renaming a temporary file over it.
    save_by_rename(&design, "web x2 port 8084 behind lb\nlb\n");
    wait_for_file(&conf, ":8084");
    w.expect("written");

    // A slow in-place save: truncated, written 200 ms later. The half-saved
    // (empty) file is not built, so the outputs never disappear.
    {
        let mut f = std::fs::File::create(&design).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(conf.is_file(), "outputs removed for a half-saved file");
        f.write_all(b"web x2 port 8086 behind lb\nlb\n").unwrap();
    }
    wait_for_file(&conf, ":8086");
    let line = w.expect("written");
    assert!(!line.contains("removed"), "{line}");

    // Deleted, then created again.
    std::fs::remove_file(&design).unwrap();
    w.expect("is gone");
    w.assert_alive();
    std::fs::write(&design, "web x3 port 8085 behind lb\nlb\n").unwrap();
    wait_for_file(&conf, ":8085");
    w.expect("written");

    // Other files in the directory do not trigger builds.
    std::thread::sleep(Duration::from_millis(300));
    while w.lines.try_recv().is_ok() {}
    std::fs::write(dir.path().join("other.arch"), "web\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    while let Ok(line) = w.lines.try_recv() {
        assert!(
            !line.contains("written"),
            "rebuilt for another file: {line}"
        );
    }
    w.assert_alive();
}

#[test]
fn watch_removes_a_targets_files_when_the_design_no_longer_produces_any() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("site.arch");
    std::fs::write(&design, "web x2 behind lb\nlb\n").unwrap();
    let mut w = Watch::start(dir.path(), &["site.arch", "--target", "nginx", "-o", "gen"]);
    let conf = dir.path().join("gen/nginx/lb.conf");
    w.expect("written");
    wait_for_file(&conf, "upstream");
    w.expect("watching");
    // No load balancer: the nginx target writes nothing at all now, and its
    // old config and README must still go (the watch owns what it was asked
    // to build).
    save_by_rename(&design, "web\n");
    let line = w.expect("removed");
    assert!(line.contains("2 removed"), "{line}");
    assert!(!conf.exists(), "stale nginx config kept");
    assert!(!dir.path().join("gen/nginx/README.md").exists());
    w.assert_alive();
}

#[test]
fn watch_takes_the_build_options() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/journey.arch"),
        dir.path().join("journey.arch"),
    )
    .unwrap();
    let mut w = Watch::start(
        dir.path(),
        &[
            "journey.arch",
            "--all-stages",
            "--target",
            "haproxy",
            "--target",
            "compose",
            "-o",
            "o",
        ],
    );
    w.expect("written");
    assert!(dir.path().join("o/balanced/haproxy/lb.cfg").is_file());
    assert!(dir.path().join("o/single/compose/compose.yaml").is_file());
    assert!(!dir.path().join("o/single/k8s").exists());
    drop(w);
    let mut w = Watch::start(
        dir.path(),
        &["journey.arch", "--stage", "cached", "-o", "one"],
    );
    w.expect("written");
    assert!(dir.path().join("one/k8s/kustomization.yaml").is_file());
    let cfg = std::fs::read_to_string(dir.path().join("one/nginx/lb.conf")).unwrap();
    assert!(
        cfg.contains("proxy_cache"),
        "the cached stage has a CDN cache"
    );
    drop(w);
    // A stage that does not exist is a usage error at start.
    let out = archc()
        .current_dir(dir.path())
        .args(["watch", "journey.arch", "--stage", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stage named `nope`"));
}

/// Saves `design` in place `n` times, `gap` apart, then returns every build
/// line (`… written, … unchanged …`) the watch printed for the burst.
fn save_burst(
    w: &mut Watch,
    design: &std::path::Path,
    text: &str,
    n: usize,
    gap: Duration,
) -> Vec<String> {
    // Whatever came before the burst is not counted.
    std::thread::sleep(Duration::from_millis(300));
    while w.lines.try_recv().is_ok() {}
    for i in 0..n {
        // open(O_TRUNC), write, close: for a moment the file is empty.
        let mut f = std::fs::File::create(design).unwrap();
        f.write_all(format!("{text}# save {i}\n").as_bytes())
            .unwrap();
        drop(f);
        std::thread::sleep(gap);
    }
    // The last save is built well within this; nothing after it.
    std::thread::sleep(Duration::from_millis(1500));
    let mut builds = Vec::new();
    while let Ok(line) = w.lines.try_recv() {
        w.seen.push(line.clone());
        if line.contains(" unchanged") || line.contains("is empty") {
            builds.push(line);
        }
    }
    builds
}

#[test]
fn watch_builds_a_burst_of_in_place_saves_once_and_never_from_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("journey.arch");
    let text = std::fs::read_to_string(repo().join("examples/journey.arch")).unwrap();
    std::fs::write(&design, &text).unwrap();
    let mut w = Watch::start(dir.path(), &["journey.arch", "-o", "gen"]);
    w.expect("written");
    w.expect("watching");
    for gap in [4, 8] {
        let builds = save_burst(&mut w, &design, &text, 8, Duration::from_millis(gap));
        assert!(
            !builds.is_empty(),
            "{gap} ms apart: no build; output:\n{}",
            w.seen.join("\n")
        );
        for b in &builds {
            // A build of the half-written (empty) file removes every output
            // and says so; the next one writes them all again.
            assert!(
                !b.contains("removed") && !b.contains("is empty"),
                "{gap} ms apart: {b}"
            );
        }
        // One build for the burst; one more when the machine is slow enough
        // to stretch a gap past the settle time.
        assert!(
            builds.len() <= 2,
            "{gap} ms apart: {} builds:\n{}",
            builds.len(),
            builds.join("\n")
        );
    }
    // Emptied by a complete save (a rename): not built either, and said.
    save_by_rename(&design, "");
    w.expect("is empty; not built");
    w.assert_alive();
    assert!(dir.path().join("gen/nginx/lb.conf").is_file());
    save_by_rename(&design, &text);
    let line = w.expect(" unchanged");
    assert!(!line.contains("removed"), "{line}");
}

// ---------------------------------------------------------------------------
// Examples and format-on-save.
// ---------------------------------------------------------------------------

/// Examples the formatter would change, left so on purpose: site.arch is the
/// design card's one-liner (`web …; db …; cdn …` on one line, the form the
/// language allows for a quick design), which `archc fmt` splits into one
/// statement per line.
const NOT_FMT_CLEAN: &[&str] = &["site.arch"];

#[test]
fn examples_are_unchanged_by_format_on_save() {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "arch"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let (known, clean): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|p| NOT_FMT_CLEAN.contains(&p.file_name().unwrap().to_str().unwrap()));
    let out = archc()
        .args(["fmt", "--check"])
        .args(&clean)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "not formatted:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The exceptions still are exceptions (remove them from the list when not).
    for p in known {
        let out = archc().args(["fmt", "--check"]).arg(&p).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{} is formatted now",
            p.display()
        );
    }
}

/// A design's template overrides (`templates/` beside it) are checked while
/// it is open: a template that does not parse gets E0502 on its own file,
/// cleared once it is fixed.
#[test]
fn template_problems_are_shown_on_the_template_and_cleared_when_fixed() {
    let tmp = crate::common::visible_tempdir();
    let dir = tmp.path().canonicalize().unwrap();
    let design = dir.join("site.arch");
    std::fs::write(&design, "web x2 behind lb\nlb nginx\n").unwrap();
    let tpl = dir.join("templates/k8s/pdb.yaml.tera");
    std::fs::create_dir_all(tpl.parent().unwrap()).unwrap();
    std::fs::write(&tpl, "---\n{% if %}\n").unwrap();
    let uri = format!("file://{}", design.display());
    let tpl_uri = format!("file://{}", tpl.display());
    let mut s = Server::start();
    s.initialize();
    let first = s.open(&uri, "web x2 behind lb\nlb nginx\n");
    assert_eq!(first["uri"], json!(uri));
    let t = s.notification("textDocument/publishDiagnostics");
    assert_eq!(t["uri"], json!(tpl_uri), "{t}");
    assert_eq!(t["diagnostics"][0]["code"], json!("E0502"), "{t}");
    assert_eq!(
        t["diagnostics"][0]["range"]["start"]["line"],
        json!(1),
        "{t}"
    );
    std::fs::write(&tpl, "---\n{% if true %}{% endif %}\n").unwrap();
    s.change(&uri, 2, "web x2 behind lb\nlb nginx\n");
    let t = s.notification("textDocument/publishDiagnostics");
    assert_eq!(t["uri"], json!(tpl_uri), "{t}");
    assert_eq!(t["diagnostics"], json!([]), "cleared: {t}");
    s.shut_down();
}

/// `watch` rebuilds when a template of the override folder is saved, and a
/// broken template is reported without losing the previous output.
#[test]
fn watch_rebuilds_when_an_override_template_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.arch"), "web x2 behind lb\nlb\n").unwrap();
    let tpl = dir.path().join("templates/nginx/lb.conf.tera");
    std::fs::create_dir_all(tpl.parent().unwrap()).unwrap();
    let builtin = include_str!("../../templates/nginx/lb.conf.tera");
    std::fs::write(&tpl, format!("{builtin}# first\n")).unwrap();
    let mut w = Watch::start(dir.path(), &["site.arch", "--target", "nginx", "-o", "gen"]);
    let conf = dir.path().join("gen/nginx/lb.conf");
    w.expect("written");
    wait_for_file(&conf, "# first");
    let line = w.expect("watching");
    assert!(line.contains("templates"), "{line}");
    std::fs::write(&tpl, format!("{builtin}# second\n")).unwrap();
    wait_for_file(&conf, "# second");
    w.expect("written");
    std::fs::write(&tpl, format!("{builtin}{{% if %}}\n")).unwrap();
    w.expect("E0502");
    w.assert_alive();
    assert!(std::fs::read_to_string(&conf).unwrap().contains("# second"));
}

#[test]
fn hover_on_traffic_shows_the_load_with_its_defaults_and_on_a_load_word_its_meaning() {
    let t = "traffic 50k users, peak 4x\nweb x2 behind lb capacity 300 rps\n";
    let d = doc(t);
    let text = |needle: &str| {
        let h = d.hover(lsp_pos(pos(t, needle, 0, 1))).unwrap();
        let lsp_types::HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        m.value
    };
    let h = text("traffic");
    assert!(h.contains("**`traffic`** — statement"), "{h}");
    assert!(h.contains("50000"), "the resolved users: {h}");
    assert!(h.contains("requests_per_user"), "the defaults filled: {h}");
    let h = text("peak");
    assert!(h.contains("busiest"), "{h}");
    let h = text("capacity");
    assert!(h.contains("What one instance sustains"), "{h}");
}
