//! Criterion benchmarks per pipeline phase: parse, compile (parse + resolve +
//! check), and every emitter, on the journey example and on generated designs
//! (`bench/gen.py`'s shapes, built here so the bench needs no Python).

use archc::emit::{self, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

const BLOCK: usize = 64;
const SIZES: [&str; 4] = ["small", "medium", "large", "xlarge"];
const METHODS: [&str; 3] = ["round-robin", "least-conn", "ip-hash"];

/// The 64 statements of block `b`: a load balancer fronting 12 web tiers, a
/// CDN, and the data tier and workers they use; every reference points back.
/// A copy of `block` in bench/gen.py: change both together.
fn block(b: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(BLOCK);
    for j in 0..10usize {
        let engine = if j.is_multiple_of(2) {
            "postgres"
        } else {
            "mysql"
        };
        let shape = if j % 3 == 0 {
            "sharded by user_id x2 with 1 replica"
        } else {
            ["with 1 replica", "with 2 replicas"][j % 2]
        };
        out.push(format!(
            "db d{b}-{j} {engine} {shape} storage {}gb size {}",
            20 + 10 * j,
            SIZES[j % 4]
        ));
    }
    for j in 0..10usize {
        let engine = if j % 3 == 2 { "memcached" } else { "redis" };
        let evict = ["lru", "lfu", "none"][j % 3];
        let ttl = if j.is_multiple_of(2) { "10m" } else { "1h" };
        out.push(format!(
            "cache c{b}-{j} {engine} x{} ttl {ttl} evict {evict} memory {}mb size {}",
            2 + j % 2,
            512 * (1 + j % 2),
            SIZES[j % 4]
        ));
    }
    for j in 0..6usize {
        out.push(if j.is_multiple_of(2) {
            format!("nosql m{b}-{j} mongodb x3")
        } else {
            format!("nosql m{b}-{j} dynamodb x2")
        });
    }
    for j in 0..12usize {
        out.push(format!(
            "queue q{b}-{j} {}",
            ["sqs", "rabbitmq", "redis"][j % 3]
        ));
    }
    for j in 0..12usize {
        out.push(format!(
            "worker k{b}-{j} x{} consumes q{b}-{j} image \"reg/worker-{j}:{b}\" size {}",
            1 + j % 3,
            SIZES[j % 4]
        ));
    }
    let method = METHODS[b % 3];
    let sticky = b % 3 == 1;
    out.push(format!(
        "lb l{b} {} {method}{}",
        if b.is_multiple_of(2) {
            "nginx"
        } else {
            "haproxy"
        },
        if sticky { " sticky" } else { "" }
    ));
    out.push(format!(
        "cdn f{b} for /s{b}, /img{b} ttl {}{}",
        if b.is_multiple_of(2) { "1d" } else { "1h" },
        if b.is_multiple_of(2) {
            " versioned"
        } else {
            ""
        }
    ));
    for j in 0..12usize {
        let routed = method == "ip-hash" || sticky;
        let stateful = routed && j % 4 == 3;
        let mut words = vec![
            format!("web w{b}-{j}"),
            (if stateful { "stateful" } else { "stateless" }).to_string(),
        ];
        words.push(match j % 3 {
            0 => format!("autoscale 2..{} at cpu {}%", 4 + j, 50 + j),
            1 => "x2".to_string(),
            _ => "autoscale 2..8".to_string(),
        });
        words.push(format!("behind lb l{b}"));
        if j.is_multiple_of(2) {
            words.push(format!("port {}", 8000 + j));
        }
        if j % 3 == 1 {
            words.push(format!("image \"reg/web-{j}:{b}\""));
        }
        if j % 5 == 4 {
            words.push("health /up".to_string());
        }
        if !stateful {
            let sessions = match j % 4 {
                0 => format!("sessions in cache c{b}-{}", j % 10),
                1 => format!("sessions in db d{b}-{}", j % 10),
                2 => format!("sessions in nosql m{b}-{}", j % 6),
                _ => String::new(),
            };
            words.push(sessions);
        }
        words.push(format!("size {}", SIZES[j % 4]));
        words.retain(|w| !w.is_empty());
        out.push(words.join(" "));
    }
    out
}

/// A design of about `n` components in blocks of 64, every kind and clause,
/// in one stage: the output of `bench/gen.py n`.
pub fn generated(n: usize) -> String {
    let mut s = String::from(
        "system bench\nregion eu-west-1\ndatacenters eu-west-1, us-east-1 via geodns\nlogs\nmetrics\n",
    );
    let mut left = n;
    let mut b = 0;
    while left > 0 {
        for c in block(b).into_iter().take(left) {
            s.push_str(&c);
            s.push('\n');
            left -= 1;
        }
        b += 1;
    }
    s
}

fn journey() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/journey.arch"
    ))
    .unwrap()
}

/// The two copies of the generator agree (skipped when python3 is missing).
fn same_as_gen_py() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/gen.py");
    for n in [1, 64, 100, 1_000] {
        let Ok(out) = std::process::Command::new("python3")
            .args([script, &n.to_string()])
            .output()
        else {
            return;
        };
        assert!(out.status.success(), "bench/gen.py {n} failed");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            generated(n),
            "bench/gen.py {n} and generated({n}) differ: change both generators together"
        );
    }
}

fn phases(c: &mut Criterion) {
    same_as_gen_py();
    let journey = journey();
    c.bench_function("parse/journey", |b| {
        b.iter(|| archc::syntax::parse(black_box(&journey)))
    });
    c.bench_function("compile/journey", |b| {
        b.iter(|| archc::compile("journey.arch", black_box(&journey)))
    });
    let mut g = c.benchmark_group("compile/generated");
    g.sample_size(20);
    for n in [1_000, 10_000] {
        let text = generated(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
            b.iter(|| archc::compile("gen.arch", black_box(t)))
        });
    }
    g.finish();

    let design = archc::compile("journey.arch", &journey).design;
    let opts = emit::Options::default();
    for t in Target::ALL {
        c.bench_function(&format!("emit/{}/journey-all-stages", t.name()), |b| {
            b.iter(|| {
                for m in &design.stages {
                    black_box(emit::emit(t, m, &opts).unwrap());
                }
            })
        });
    }

    let mut g = c.benchmark_group("emit/generated-1000");
    g.sample_size(20);
    let design = archc::compile("gen.arch", &generated(1_000)).design;
    for t in Target::ALL {
        g.bench_function(t.name(), |b| {
            b.iter(|| black_box(emit::emit(t, design.last(), &opts).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
