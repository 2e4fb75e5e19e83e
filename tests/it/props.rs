//! Property tests: no input makes the pipeline panic, every span points inside
//! the text, and formatting is stable on whatever parses.

use proptest::prelude::*;

const WORDS: &[&str] = &[
    "system",
    "region",
    "datacenters",
    "via",
    "geodns",
    "stage",
    "drop",
    "web",
    "lb",
    "db",
    "cache",
    "cdn",
    "nosql",
    "queue",
    "worker",
    "logs",
    "metrics",
    "stateless",
    "stateful",
    "autoscale",
    "at",
    "cpu",
    "behind",
    "port",
    "image",
    "health",
    "sessions",
    "in",
    "size",
    "small",
    "xlarge",
    "nginx",
    "haproxy",
    "round-robin",
    "least-conn",
    "ip-hash",
    "sticky",
    "postgres",
    "mysql",
    "colocated",
    "sharded",
    "by",
    "with",
    "replicas",
    "replica",
    "storage",
    "redis",
    "memcached",
    "ttl",
    "evict",
    "lru",
    "lfu",
    "none",
    "memory",
    "for",
    "versioned",
    "dynamodb",
    "mongodb",
    "rabbitmq",
    "sqs",
    "consumes",
    "x0",
    "x1",
    "x3",
    "x99999999999",
    "2..10",
    "5..2",
    "70%",
    "0%",
    "10m",
    "1d",
    "400d",
    "512mb",
    "2gb",
    "/static",
    "/a/../b",
    "\"img\"",
    "\"a\\\"b\"",
    "user_id",
    "jobs",
    "api",
    "us-east-1",
    "{",
    "}",
    ";",
    "\n",
    ",",
    "#c\n",
    "8080",
    "0",
    "é",
    "\0",
    "Web",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..40).prop_map(|w| w.join(" "))
}

fn check_invariants(text: &str) {
    let c = archc::compile("p.arch", text);
    for d in &c.diagnostics {
        let r = d.span.range();
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "span {r:?} outside {} bytes",
            text.len()
        );
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        assert!(archc::diag::lookup(d.code).is_some());
        for l in &d.labels {
            assert!(l.span.end as usize <= text.len());
        }
    }
    // Rendering never panics either.
    let file = archc::diag::SourceFile::new("p.arch", text);
    let mut sink = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    archc::diag::render_human(&mut sink, &file, &c.diagnostics);
    let _ = archc::diag::render_json(&file, &c.diagnostics);
    if !c
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.code < "E0100")
    {
        let once = archc::fmt::format(text, &c.ast);
        let c1 = archc::compile("p.arch", &once);
        assert!(
            !c1.diagnostics
                .iter()
                .any(|d| d.is_error() && d.code < "E0100"),
            "formatting made {text:?} into {once:?}, which does not parse"
        );
        assert_eq!(archc::fmt::format(&once, &c1.ast), once);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let (text, _) = archc::source::decode(bytes);
        check_invariants(&text);
    }

    #[test]
    fn keyword_soup_never_panics(text in soup()) {
        check_invariants(&text);
    }
}

/// Every bad statement is reported, each once. Speed is not asserted here (no
/// timed tests): pest used to locate each error by scanning the rest of the
/// file from its end, quadratic in the number of bad statements (80k bad lines
/// took 25 s); `scripts/hostile-inputs` bounds 200k bad lines in time and
/// `bench/run` reports the cost of 20k.
#[test]
fn thousands_of_bad_statements_are_all_reported() {
    for line in ["wbe x1\n", "web x1 @\n", "wbe x1;"] {
        let text = line.repeat(16_000);
        let count = archc::compile("bad.arch", &text).diagnostics.len();
        assert_eq!(count, 16_000, "{line:?}: one diagnostic per statement");
    }
}
