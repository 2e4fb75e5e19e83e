//! The placeholder a web tier or worker runs until the design names its
//! image (`src/model/runtime.rs`, `placeholder`), RUN: the command Compose
//! writes, under the Debian busybox (the same applets as the image's),
//! answers the health path on the tier's port, passes the health check
//! Compose writes and the path the Kubernetes probes and the ALB ask, and
//! stops at once on SIGTERM. Every process runs in its own process group,
//! killed by id when the test ends.

use super::common;
use archc::emit::{self, Options, Target};
use archc::model::runtime::placeholder;
use archc::model::Model;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process group started for the test, killed when dropped.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pgid = self.0.id() as i32;
        // SAFETY: kill(2) on our own process group; no memory is involved.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `dir/bin` with the applets the placeholder calls, as the busybox image
/// has them on its PATH.
fn applets(dir: &Path) -> std::path::PathBuf {
    let busybox = common::need_tool("busybox");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for a in ["sh", "httpd", "hostname", "mkdir", "echo", "sleep", "wget"] {
        std::os::unix::fs::symlink(&busybox, bin.join(a)).unwrap();
    }
    bin
}

/// Runs `argv` (an exec-form command of a generated file) with the applets
/// first on PATH and the placeholder's root moved into `dir`.
fn start(argv: &[String], dir: &Path, bin: &Path) -> Group {
    let root = dir.join("www");
    let args: Vec<String> = argv
        .iter()
        .map(|a| a.replace(placeholder::ROOT, root.to_str().unwrap()))
        .collect();
    let child = Command::new(bin.join(&args[0]))
        .args(&args[1..])
        .env("PATH", bin)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    Group(child)
}

/// `GET path` on 127.0.0.1:port: (status, body), or `None` when nothing
/// answers yet.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_string()))
}

/// The compose service `name` of the stage's compose.yaml.
fn compose_service(m: &Model, name: &str) -> serde_yaml::Value {
    let files = emit::emit(Target::Compose, m, &Options::default()).unwrap();
    let compose = files.iter().find(|f| f.path == "compose.yaml").unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&compose.contents).unwrap();
    yaml["services"][name].clone()
}

fn strings(v: &serde_yaml::Value) -> Vec<String> {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Waits for `child` to exit within `limit`; its status, or `None`.
fn exited(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn the_web_placeholder_serves_its_health_path_and_passes_every_check() {
    let port = free_port();
    let source = format!(
        "web x2 behind lb port {port} health /status/ready\nqueue jobs\nworker consumes jobs\n"
    );
    let c = archc::compile("t.arch", &source);
    assert!(!c.has_errors());
    let m = &c.design.stages[0];
    assert!(m.webs[0].placeholder && m.webs[0].image == placeholder::IMAGE);
    let dir = tempfile::tempdir().unwrap();
    let bin = applets(dir.path());
    let service = compose_service(m, "web-1");
    let mut web = start(&strings(&service["command"]), dir.path(), &bin);
    let deadline = Instant::now() + Duration::from_secs(10);
    let health = loop {
        if let Some(answer) = get(port, "/status/ready") {
            break answer;
        }
        assert!(Instant::now() < deadline, "the placeholder never listened");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(health.0, 200, "{health:?}");
    // The Kubernetes probes and the ALB ask the design's health path.
    let k8s = emit::emit(Target::K8s, m, &Options::default()).unwrap();
    let deployment = k8s.iter().find(|f| f.path == "50-web-web.yaml").unwrap();
    assert!(deployment.contents.contains("path: /status/ready"));
    // `/` names the instance, so a balancer's turns can be seen.
    let (status, body) = get(port, "/").unwrap();
    assert_eq!(status, 200);
    assert!(!body.trim().is_empty(), "the host name");
    // Compose's own health check, run as Docker runs it (CMD form).
    let test = strings(&service["healthcheck"]["test"]);
    assert_eq!(test[0], "CMD");
    let check = Command::new(bin.join(&test[1]))
        .args(&test[2..])
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert!(check.status.success(), "{test:?}: {check:?}");
    // A stop is quick and clean.
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(web.0.id() as i32, libc::SIGTERM) };
    let status = exited(&mut web.0, Duration::from_secs(3)).expect("stops on SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn the_worker_placeholder_idles_until_stopped() {
    let c = archc::compile("t.arch", "queue jobs\nworker x2 consumes jobs\n");
    let m = &c.design.stages[0];
    let dir = tempfile::tempdir().unwrap();
    let bin = applets(dir.path());
    let service = compose_service(m, "worker-1");
    let mut worker = start(&strings(&service["command"]), dir.path(), &bin);
    assert!(
        exited(&mut worker.0, Duration::from_millis(500)).is_none(),
        "it stays up"
    );
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(worker.0.id() as i32, libc::SIGTERM) };
    let status = exited(&mut worker.0, Duration::from_secs(3)).expect("stops on SIGTERM");
    assert!(status.success(), "{status:?}");
    // Its `sleep` outlives the shell here (in a container it ends with it)
    // and holds the output open: end the group before reading.
    // SAFETY: kill(2) on the process group we started.
    unsafe { libc::kill(-(worker.0.id() as i32), libc::SIGKILL) };
    let mut out = String::new();
    worker
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(out.contains("worker worker runs a placeholder"), "{out}");
}

#[test]
fn a_design_image_runs_as_written_with_no_placeholder_command() {
    let c = archc::compile("t.arch", "web image \"me/app:1\"\n");
    let m = &c.design.stages[0];
    let service = compose_service(m, "web-1");
    assert_eq!(service["image"].as_str(), Some("me/app:1"));
    assert!(service["command"].is_null(), "{service:?}");
    let k8s = emit::emit(Target::K8s, m, &Options::default()).unwrap();
    let deployment = k8s.iter().find(|f| f.path == "50-web-web.yaml").unwrap();
    assert!(!deployment.contents.contains("busybox"));
    assert!(!deployment.contents.contains("runAsUser"));
}
