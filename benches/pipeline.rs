//! Criterion benchmarks per pipeline phase: parse, compile (parse + resolve +
//! check), and every emitter, on the journey example and on generated designs
//! (`bench/gen.py`'s shapes, built here so the bench needs no Python).

use archc::emit::{self, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

fn component(i: usize) -> String {
    let base = i - i % 8;
    match i % 8 {
        0 => format!("web w{i} stateless autoscale 2..6 at cpu 60% behind lb l{base} port 8080 health /health size medium sessions in cache c{}", base + 3),
        1 => format!("lb l{base} haproxy least-conn sticky"),
        2 => format!("db d{i} postgres sharded by user_id x2 with 1 replica storage 50gb"),
        3 => format!("cache c{i} redis x2 ttl 10m evict lru memory 1gb"),
        4 => format!("cdn n{i} for /s{i}, /i{i} ttl 1d versioned"),
        5 => format!("nosql n{i} mongodb x3"),
        6 => format!("queue q{i} sqs"),
        _ => format!("worker k{i} x2 consumes q{} image \"reg/worker:{i}\"", i - 1),
    }
}

/// A design of `n` components, every kind and clause, in one stage.
pub fn generated(n: usize) -> String {
    let mut s = String::from("system bench\n");
    for i in 0..n {
        s.push_str(&component(i));
        s.push('\n');
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

fn phases(c: &mut Criterion) {
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
}

criterion_group!(benches, phases);
criterion_main!(benches);
