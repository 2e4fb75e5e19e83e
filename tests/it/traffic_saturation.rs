//! Measured, not assumed (issue 15): the generated balancer in front of N stub
//! instances that each serve at most C requests per second, driven past
//! saturation, carries what `archc estimate` says the web tier carries
//! (N x C), within 20 %.
//!
//! The capacity is written in the design (`capacity C rps`), the stubs are
//! paced to it (`StubState::limit_rate`), and the figure compared with is read
//! from `archc estimate --format json`, not computed here: a change in how
//! estimate counts a tier fails this test.
//!
//! The load generator is bounded: a fixed number of clients, each sending its
//! next request when the last one is answered (a closed loop), so the offered
//! load is "as fast as the balancer answers" and the queue can never exceed
//! the number of clients. It offers more than the tier serves - each stub
//! reports that requests waited for their slot - so what is measured is the
//! tier's throughput at saturation, not the generator's.

use super::*;

/// What one stub instance serves per second. Low enough that the load
/// generator, the balancer and the stubs share two loaded cores without
/// becoming the limit themselves (a few hundred requests per second at most).
const CAPACITY_RPS: f64 = 40.0;

/// How long the throughput is counted, after a warm-up.
const WARM_UP: Duration = Duration::from_millis(700);
const WINDOW: Duration = Duration::from_secs(4);

/// The web tier's figure from `archc estimate FILE --format json`: the
/// requests per second the tier named `tier` carries in the last stage.
fn estimated_capacity(design: &std::path::Path, tier: &str) -> f64 {
    let out = crate::cli::archc()
        .arg("estimate")
        .arg(design)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "archc estimate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stage = v["stages"]
        .as_array()
        .and_then(|s| s.last())
        .expect("estimate gives stages");
    let tiers = stage["tiers"].as_array().expect("a stage has tiers");
    let web = tiers
        .iter()
        .find(|t| t["name"] == tier && t["kind"] == "web")
        .unwrap_or_else(|| panic!("no tier named {tier} in {tiers:?}"));
    web["capacity"]
        .as_f64()
        .unwrap_or_else(|| panic!("tier {tier} has no numeric capacity: {web}"))
}

/// Writes a design of `n` stateless instances of capacity `CAPACITY_RPS`
/// behind a round-robin balancer of kind `lb_kind` into the lab's folder.
fn design(n: usize, lb_kind: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("archc-saturation-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("saturation.arch");
    std::fs::write(
        &path,
        format!(
            "# {n} instance(s) of {CAPACITY_RPS} rps each behind {lb_kind}\n\
             system sat\n\n\
             web app stateless x{n} behind lb front capacity {CAPACITY_RPS} rps health /health\n\
             lb front {lb_kind} round-robin\n"
        ),
    )
    .unwrap();
    (dir, path)
}

/// Runs `clients` closed-loop clients against `addr` and returns the answered
/// (200) requests per second counted over `WINDOW`, after `WARM_UP`.
fn measure(addr: SocketAddr, clients: usize, dl: &Deadline) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let counting = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, counting) = (stop.clone(), counting.clone());
            let (answered, errors) = (answered.clone(), errors.clone());
            thread::spawn(move || {
                let mut i = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let r = get_with(addr, &format!("/load/{c}/{i}"), None, REQUEST_TIMEOUT);
                    // Count what completes inside the window only.
                    if counting.load(Ordering::SeqCst) {
                        match r {
                            Ok(r) if r.status == 200 => answered.fetch_add(1, Ordering::SeqCst),
                            _ => errors.fetch_add(1, Ordering::SeqCst),
                        };
                    }
                }
            })
        })
        .collect();
    thread::sleep(WARM_UP);
    counting.store(true, Ordering::SeqCst);
    let start = Instant::now();
    thread::sleep(WINDOW);
    counting.store(false, Ordering::SeqCst);
    let elapsed = start.elapsed();
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    dl.check("measuring throughput");
    let errors = errors.load(Ordering::SeqCst);
    let answered = answered.load(Ordering::SeqCst);
    assert!(
        errors * 20 <= answered.max(1),
        "{errors} failed requests beside {answered} answered: the balancer failed requests instead of queueing them"
    );
    answered as f64 / elapsed.as_secs_f64()
}

fn saturation_case(n: usize, lb_kind: &str) {
    let dl = Deadline::new(40);
    let (_keep, path) = design(n, lb_kind);
    let lab = Lab::at(path.to_str().unwrap());
    for s in &lab.stubs {
        s.state.limit_rate(CAPACITY_RPS);
    }
    let _p = match lb_kind {
        "nginx" => lab.start_nginx(&dl),
        _ => lab.start_haproxy(&dl),
    };
    let estimated = estimated_capacity(&path, &lab.model.webs[0].name);
    // Four clients per instance: each instance always has requests waiting.
    let measured = measure(lab.listen, 4 * n, &dl);
    for s in &lab.stubs {
        let waited = s.state.pace.lock().unwrap().as_ref().unwrap().longest_wait;
        assert!(
            waited >= Duration::from_millis(20),
            "{}: requests never queued (longest wait {waited:?}): the load did not saturate the tier",
            s.state.name
        );
    }
    let ratio = measured / estimated;
    println!(
        "{lb_kind}, {n} x {CAPACITY_RPS} rps: estimate {estimated:.1} rps, measured {measured:.1} rps ({:.0} %)",
        ratio * 100.0
    );
    assert!(
        (0.8..=1.2).contains(&ratio),
        "{lb_kind} in front of {n} instances of {CAPACITY_RPS} rps carried {measured:.1} rps; \
         archc estimate says {estimated:.1} rps (outside 20 %)"
    );
}

#[test]
fn nginx_one_instance_carries_the_estimated_web_tier() {
    saturation_case(1, "nginx");
}

#[test]
fn nginx_three_instances_carry_the_estimated_web_tier() {
    saturation_case(3, "nginx");
}

#[test]
fn haproxy_one_instance_carries_the_estimated_web_tier() {
    saturation_case(1, "haproxy");
}

#[test]
fn haproxy_three_instances_carry_the_estimated_web_tier() {
    saturation_case(3, "haproxy");
}
