//! Traffic tests: the generated nginx and haproxy configs, RUN on the real
//! binaries in front of stub web servers, all on loopback (docs/traffic.md).
//!
//! Each test builds a `tests/fixtures/ok/traffic-*.arch` design with
//! `archc build -t nginx -t haproxy --local-ports FILE.json`, which changes
//! nothing in the configs but the addresses: every web instance becomes a stub
//! server on its own free 127.0.0.1 port, the balancer listens on another. The
//! stubs answer with their instance name (`X-Instance`), serve the health path
//! and can be stopped, restarted, told to fail their health path while still
//! accepting connections, to answer 502, or to answer slowly.
//!
//! Every process is stopped by its pid when the test ends (also on failure:
//! `Proc` is a Drop guard); every socket has a timeout and every wait loop a
//! deadline.

use crate::common;
use archc::model::Model;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

const LOOPBACK: &str = "127.0.0.1";

/// The web tier's measured throughput against `archc estimate` (issue 15).
#[path = "traffic_saturation.rs"]
mod saturation;

// ---------------------------------------------------------------------------
// Time limits.
// ---------------------------------------------------------------------------

/// The longest a single request may take (connect, write, read each): a
/// balancer that hangs fails the request within this, never the default 8 s
/// the suite once had.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// An overall deadline for one test: every wait loop and every request checks
/// it, and no request outlives it (see `Deadline::timeout`).
#[derive(Clone, Copy)]
struct Deadline {
    end: Instant,
}

impl Deadline {
    fn new(secs: u64) -> Deadline {
        Deadline::within(Duration::from_secs(secs))
    }

    fn within(d: Duration) -> Deadline {
        Deadline {
            end: Instant::now() + d,
        }
    }

    /// Panics (failing the test) once the deadline has passed.
    fn check(&self, what: &str) {
        assert!(
            Instant::now() < self.end,
            "test deadline passed while {what}"
        );
    }

    /// The timeout for one request made now: `limit`, cut to what is left of
    /// the deadline (panics if nothing is left).
    fn timeout(&self, limit: Duration, what: &str) -> Duration {
        self.check(what);
        limit
            .min(self.end.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(1))
    }
}

/// Waits until `cond` holds, polling every 20 ms, for at most `limit`.
fn wait_for(what: &str, limit: Duration, dl: &Deadline, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    loop {
        if cond() {
            return;
        }
        dl.check(what);
        assert!(Instant::now() < end, "timed out after {limit:?} {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------
// A tiny HTTP/1.1 client over TcpStream (one request per connection).
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The stub instance that answered.
    fn instance(&self) -> String {
        self.header("X-Instance").unwrap_or("-").to_string()
    }
}

/// One GET within `REQUEST_TIMEOUT` and the test's deadline.
fn get(
    dl: &Deadline,
    addr: SocketAddr,
    target: &str,
    cookie: Option<&str>,
) -> Result<Resp, String> {
    let timeout = dl.timeout(REQUEST_TIMEOUT, &format!("requesting {target}"));
    get_with(addr, target, cookie, timeout)
}

fn get_with(
    addr: SocketAddr,
    target: &str,
    cookie: Option<&str>,
    timeout: Duration,
) -> Result<Resp, String> {
    let s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    exchange(s, target, cookie, timeout)
}

/// One GET from the loopback source address `src` (any of 127.0.0.0/8 works
/// on Linux without configuration): what ip-hash balancing sees as different
/// clients. std cannot bind before connecting, so the socket is made with
/// libc (already a dependency); the connect is bounded by SO_SNDTIMEO.
fn get_from(
    dl: &Deadline,
    src: std::net::Ipv4Addr,
    addr: SocketAddr,
    target: &str,
) -> Result<Resp, String> {
    use std::os::fd::FromRawFd;
    let timeout = dl.timeout(REQUEST_TIMEOUT, &format!("requesting {target} from {src}"));
    let SocketAddr::V4(dst) = addr else {
        panic!("IPv4 expected: {addr}")
    };
    let sin = |ip: std::net::Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor owned by `stream` from the
    // moment it exists (closed on every early return by its Drop).
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(format!("socket: {}", std::io::Error::last_os_error()));
        }
        let stream = TcpStream::from_raw_fd(fd);
        let tv = libc::timeval {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_SNDTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        );
        let local = sin(src, 0);
        if libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len) != 0 {
            return Err(format!("bind {src}: {}", std::io::Error::last_os_error()));
        }
        let remote = sin(*dst.ip(), dst.port());
        if libc::connect(fd, (&remote as *const libc::sockaddr_in).cast(), len) != 0 {
            return Err(format!(
                "connect from {src}: {}",
                std::io::Error::last_os_error()
            ));
        }
        exchange(stream, target, None, timeout)
    }
}

/// Sends one request on a connected stream and reads the whole response.
fn exchange(
    mut s: TcpStream,
    target: &str,
    cookie: Option<&str>,
    timeout: Duration,
) -> Result<Resp, String> {
    s.set_read_timeout(Some(timeout)).unwrap();
    s.set_write_timeout(Some(timeout)).unwrap();
    let mut req = format!("GET {target} HTTP/1.1\r\nHost: traffic.test\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Resp, String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("incomplete response: {text:?}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_string()
    };
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &str) -> Result<String, String> {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").ok_or("truncated chunked body")?;
        let n = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16)
            .map_err(|e| format!("bad chunk size {size:?}: {e}"))?;
        if n == 0 {
            return Ok(out);
        }
        let chunk = after.get(..n).ok_or("truncated chunk")?;
        out.push_str(chunk);
        rest = after[n..]
            .strip_prefix("\r\n")
            .ok_or("chunk without CRLF")?;
    }
}

/// A client that keeps the cookies it is given (name -> value); every request
/// is bounded by the test's deadline.
struct Jar {
    dl: Deadline,
    cookies: BTreeMap<String, String>,
}

impl Jar {
    fn new(dl: &Deadline) -> Jar {
        Jar {
            dl: *dl,
            cookies: BTreeMap::new(),
        }
    }

    fn get(&mut self, addr: SocketAddr, target: &str) -> Resp {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = get(
            &self.dl,
            addr,
            target,
            (!cookie.is_empty()).then_some(cookie.as_str()),
        )
        .unwrap_or_else(|e| panic!("GET {target}: {e}"));
        for c in r.all("Set-Cookie") {
            let pair = c.split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        r
    }
}

/// `n` sequential requests; panics on any failure or once the deadline has
/// passed; counts per instance.
fn spread(
    dl: &Deadline,
    addr: SocketAddr,
    n: usize,
    cookie: Option<&str>,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for i in 0..n {
        let r = get(dl, addr, &format!("/item/{i}"), cookie)
            .unwrap_or_else(|e| panic!("request {i} failed: {e}"));
        assert_eq!(r.status, 200, "request {i}: {r:?}");
        *out.entry(r.instance()).or_insert(0) += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Stub web servers.
// ---------------------------------------------------------------------------

struct StubState {
    name: String,
    health: String,
    /// Answer the health path with 503 (the port still accepts).
    fail_health: AtomicBool,
    /// Answer every other path with 502.
    fail_requests: AtomicBool,
    /// Delay before answering a non-health request.
    slow_ms: AtomicU64,
    /// Non-health requests answered, by request target (path and query).
    hits: Mutex<BTreeMap<String, usize>>,
    health_hits: AtomicUsize,
    sessions: AtomicUsize,
    /// Cookie headers seen on non-health requests.
    cookies_seen: Mutex<Vec<String>>,
    /// At most one non-health request per interval (a server with a capacity
    /// in requests per second); `None` answers at once.
    pace: Mutex<Option<Pace>>,
}

/// The pace of a stub with a capacity: each request is answered at its own
/// slot, `interval` after the one before, so however many arrive together the
/// stub serves at most 1/interval per second and the rest wait (as requests
/// queue on a saturated server).
struct Pace {
    interval: Duration,
    next: Instant,
    /// The longest a request waited for its slot: above zero only once more
    /// requests arrived than the capacity serves.
    longest_wait: Duration,
}

impl StubState {
    fn app_hits(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }

    fn hits_for_path(&self, path: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _)| t.split('?').next() == Some(path))
            .map(|(_, n)| n)
            .sum()
    }

    fn reset(&self) {
        self.hits.lock().unwrap().clear();
        self.cookies_seen.lock().unwrap().clear();
    }

    /// Serves at most `rps` non-health requests per second from now on.
    fn limit_rate(&self, rps: f64) {
        *self.pace.lock().unwrap() = Some(Pace {
            interval: Duration::from_secs_f64(1.0 / rps),
            next: Instant::now(),
            longest_wait: Duration::ZERO,
        });
    }

    /// Sleeps until this request's slot (see `Pace`).
    fn wait_for_slot(&self) {
        let slot = {
            let mut pace = self.pace.lock().unwrap();
            let Some(p) = pace.as_mut() else { return };
            let now = Instant::now();
            let slot = p.next.max(now);
            p.next = slot + p.interval;
            p.longest_wait = p.longest_wait.max(slot - now);
            slot
        };
        thread::sleep(slot.saturating_duration_since(Instant::now()));
    }
}

/// One web instance: a std TcpListener on a fixed loopback port with an
/// accept thread; `stop` closes the port (connections are refused), `start`
/// opens it again.
struct Stub {
    port: u16,
    state: Arc<StubState>,
    running: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Stub {
    fn new(name: &str, health: &str) -> Stub {
        let listener = bind_fresh_port();
        let port = listener.local_addr().unwrap().port();
        let mut s = Stub {
            port,
            state: Arc::new(StubState {
                name: name.to_string(),
                health: health.to_string(),
                fail_health: AtomicBool::new(false),
                fail_requests: AtomicBool::new(false),
                slow_ms: AtomicU64::new(0),
                hits: Mutex::new(BTreeMap::new()),
                health_hits: AtomicUsize::new(0),
                sessions: AtomicUsize::new(0),
                cookies_seen: Mutex::new(Vec::new()),
                pace: Mutex::new(None),
            }),
            running: Arc::new(AtomicBool::new(false)),
            accept: None,
        };
        s.serve(listener);
        s
    }

    fn addr(&self) -> String {
        format!("{LOOPBACK}:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        self.running.store(true, Ordering::SeqCst);
        let running = self.running.clone();
        let state = self.state.clone();
        self.accept = Some(thread::spawn(move || {
            for conn in listener.incoming() {
                let stopping = !running.load(Ordering::SeqCst);
                // Every accepted connection is answered, also the one that
                // arrives with the stop (or it would be a reset mid-request:
                // a 502 at the balancer that no retry policy covers, which is
                // not the refused connect a dead instance gives).
                if let Ok(c) = conn {
                    let state = state.clone();
                    thread::spawn(move || handle(c, &state));
                }
                if stopping {
                    // Answer what already completed its handshake too, then
                    // drop the listener: the port closes and new connections
                    // are refused.
                    listener.set_nonblocking(true).unwrap();
                    while let Ok((c, _)) = listener.accept() {
                        c.set_nonblocking(false).unwrap();
                        let state = state.clone();
                        thread::spawn(move || handle(c, &state));
                    }
                    break;
                }
            }
        }));
    }

    /// Closes the port: new connections are refused, as for a dead server.
    fn stop(&mut self) {
        if let Some(t) = self.accept.take() {
            self.running.store(false, Ordering::SeqCst);
            // Wake the accept loop so it sees the flag and drops the listener.
            let _ = TcpStream::connect_timeout(
                &format!("{LOOPBACK}:{}", self.port).parse().unwrap(),
                Duration::from_secs(1),
            );
            t.join().unwrap();
        }
    }

    /// Opens the same port again (std sets SO_REUSEADDR on listeners, so
    /// connections in TIME_WAIT do not block it). Should anything else hold
    /// the port meanwhile, retry for up to 3 s before failing: a refused
    /// connect while stopped is what the failover tests rely on, so the port
    /// really is released, not kept open.
    fn start(&mut self) {
        assert!(self.accept.is_none(), "stub already running");
        let end = Instant::now() + Duration::from_secs(3);
        let l = loop {
            match TcpListener::bind((LOOPBACK, self.port)) {
                Ok(l) => break l,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && Instant::now() < end => {
                    thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!(
                    "restarting stub {} on port {}: {e}",
                    self.state.name, self.port
                ),
            }
        };
        self.serve(l);
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop();
    }
}

fn handle(mut c: TcpStream, st: &StubState) {
    c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    c.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut chunk) {
            Ok(0) | Err(_) => return, // the wake-up connect, or a dead client
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_string();
    let path = target.split('?').next().unwrap_or("/");
    let mut extra = String::new();
    let (status, body) = if path == st.health {
        st.health_hits.fetch_add(1, Ordering::SeqCst);
        if st.fail_health.load(Ordering::SeqCst) {
            (503, "unhealthy".to_string())
        } else {
            (200, "ok".to_string())
        }
    } else {
        *st.hits.lock().unwrap().entry(target.clone()).or_insert(0) += 1;
        if let Some(cookie) = head
            .lines()
            .find_map(|l| l.strip_prefix("Cookie:").or(l.strip_prefix("cookie:")))
        {
            st.cookies_seen
                .lock()
                .unwrap()
                .push(cookie.trim().to_string());
        }
        st.wait_for_slot();
        let ms = st.slow_ms.load(Ordering::SeqCst);
        if ms > 0 {
            thread::sleep(Duration::from_millis(ms));
        }
        if path.ends_with("/login") {
            let n = st.sessions.fetch_add(1, Ordering::SeqCst);
            extra.push_str(&format!("Set-Cookie: sid={}-{n}; Path=/\r\n", st.name));
        }
        if st.fail_requests.load(Ordering::SeqCst) {
            (502, format!("{} fails", st.name))
        } else {
            (200, st.name.clone())
        }
    };
    let resp = format!(
        "HTTP/1.1 {status} X\r\nX-Instance: {}\r\nCache-Control: no-store\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        st.name,
        body.len()
    );
    let _ = c.write_all(resp.as_bytes());
    let _ = c.shutdown(Shutdown::Write);
}

// ---------------------------------------------------------------------------
// Balancer processes.
// ---------------------------------------------------------------------------

/// A running nginx or haproxy: stopped by its pid on drop (nginx: SIGTERM to
/// the master, which stops its workers; SIGKILL to master and workers if it
/// has not exited within 3 s).
struct Proc {
    child: Child,
    what: &'static str,
    stderr: PathBuf,
    /// nginx worker processes (balancing state is per worker).
    workers: Vec<u32>,
    /// Every child nginx started (workers, cache manager and loader), for
    /// the Drop guard.
    children: Vec<u32>,
}

impl Proc {
    fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited ({status}):\n{}", self.what, self.stderr_text());
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status();
        let end = Instant::now() + Duration::from_secs(3);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for w in &self.children {
            // Only a process that is still one of ours (pids can be reused).
            if cmdline(*w).starts_with("nginx: ") {
                let _ = Command::new("kill")
                    .args(["-KILL", &w.to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

/// The command line of a process, NULs as spaces ("" once it is gone).
fn cmdline(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).replace('\0', " ")
}

/// The worker processes of the nginx master `pid`, counted, not predicted:
/// `worker_processes auto` starts one per CPU as nginx counts them, which
/// need not be what `available_parallelism` says (it applies cgroup quotas
/// and affinity). A config with a cache also runs a cache manager and a
/// cache loader, which are no workers. Waits until every child has its own
/// title (a just-forked child still shows the master's) and the set has been
/// the same for 300 ms, for at most 5 s. Returns (workers, every child).
fn nginx_workers(pid: u32, dl: &Deadline) -> (Vec<u32>, Vec<u32>) {
    let mut last: Vec<(u32, String)> = Vec::new();
    let mut stable_since = Instant::now();
    let mut workers = Vec::new();
    wait_for(
        "nginx worker processes to settle",
        Duration::from_secs(5),
        dl,
        || {
            let mut now: Vec<(u32, String)> = children_of(pid)
                .into_iter()
                .map(|c| (c, cmdline(c)))
                .collect();
            now.sort();
            let titled = now
                .iter()
                .all(|(_, cmd)| cmd.starts_with("nginx: ") && !cmd.contains("master process"));
            if now != last || !titled {
                last = now;
                stable_since = Instant::now();
                return false;
            }
            workers = now
                .iter()
                .filter(|(_, cmd)| cmd.contains("worker process"))
                .map(|(c, _)| *c)
                .collect();
            !workers.is_empty() && stable_since.elapsed() >= Duration::from_millis(300)
        },
    );
    (workers, last.into_iter().map(|(c, _)| c).collect())
}

/// The child processes of `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid …; comm may hold spaces, so split after ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|s| s.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// A lab: one fixture built with local addresses, its stubs, one balancer.
// ---------------------------------------------------------------------------

struct Lab {
    dir: tempfile::TempDir,
    model: Model,
    stubs: Vec<Stub>,
    listen: SocketAddr,
    stats_port: u16,
}

/// The next port this test process hands out. Ports come from below the
/// kernel's ephemeral range, so no outgoing connection and no bind to port 0
/// (whose ports the kernel picks from that range) takes one while it is
/// released: between `free_port` and nginx binding it, or while a stub is
/// stopped. A counter keeps the tests of this process apart; its start,
/// derived from the pid, keeps parallel test processes (other worktrees) far
/// apart, and each port is checked free by binding it.
static NEXT_PORT: AtomicUsize = AtomicUsize::new(0);

fn port_range() -> (u16, u16) {
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    (10_000, low.max(12_000))
}

/// Binds the next port of this process's share of the range that is free.
fn bind_fresh_port() -> TcpListener {
    let (lo, hi) = port_range();
    let size = usize::from(hi - lo);
    let base = (std::process::id() as usize).wrapping_mul(7919);
    for _ in 0..1000 {
        let n = NEXT_PORT.fetch_add(1, Ordering::SeqCst);
        let port = lo + ((base + n) % size) as u16;
        if let Ok(l) = TcpListener::bind((LOOPBACK, port)) {
            return l;
        }
    }
    panic!("no free loopback port in {lo}..{hi} after 1000 tries");
}

/// A free loopback port (for nginx/haproxy to bind): bound, then released.
fn free_port() -> u16 {
    bind_fresh_port().local_addr().unwrap().port()
}

impl Lab {
    /// Compiles `tests/fixtures/ok/<fixture>.arch`, starts a stub per web
    /// instance of its (only) tier and builds the nginx and haproxy targets
    /// with `archc build --local-ports`.
    fn new(fixture: &str) -> Lab {
        Lab::at(&format!("tests/fixtures/ok/{fixture}.arch"))
    }

    /// The same for any design, by its path from the repository root (e.g.
    /// `examples/startup.arch`).
    fn at(design: &str) -> Lab {
        let fixture = design;
        let path = common::repo().join(design);
        let design = common::compile_file(&path);
        let model = design.last().clone();
        assert_eq!(model.lbs.len(), 1, "{fixture}: one load balancer expected");
        assert_eq!(model.webs.len(), 1, "{fixture}: one web tier expected");
        let web = &model.webs[0];
        let stubs: Vec<Stub> = web
            .instances
            .iter()
            .map(|i| Stub::new(i, &web.health))
            .collect();
        let listen: SocketAddr = format!("{LOOPBACK}:{}", free_port()).parse().unwrap();
        let stats_port = free_port();
        let dir = tempfile::Builder::new()
            .prefix("archc-traffic-")
            .tempdir()
            .unwrap();
        // nginx workers run as `nobody` when the master is root: they must
        // reach the cache and temp directories under the prefix.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let local = serde_json::json!({
            "upstream_addrs": web.instances.iter().zip(&stubs)
                .map(|(i, s)| (i.clone(), serde_json::Value::String(s.addr())))
                .collect::<serde_json::Map<_, _>>(),
            "lb_listen": { model.lbs[0].name.clone(): listen.to_string() },
            "haproxy_stats_port": stats_port,
        });
        let json = dir.path().join("local-ports.json");
        std::fs::write(&json, local.to_string()).unwrap();
        let out = crate::cli::archc()
            .arg("build")
            .arg(&path)
            .args(["-t", "nginx", "-t", "haproxy", "-o"])
            .arg(dir.path().join("out"))
            .arg("--local-ports")
            .arg(&json)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "archc build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Lab {
            dir,
            model,
            stubs,
            listen,
            stats_port,
        }
    }

    fn lb_name(&self) -> &str {
        &self.model.lbs[0].name
    }

    fn nginx_conf_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("out/nginx")
            .join(format!("{}.conf", self.lb_name()))
    }

    fn haproxy_cfg_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("out/haproxy")
            .join(format!("{}.cfg", self.lb_name()))
    }

    fn nginx_conf(&self) -> String {
        std::fs::read_to_string(self.nginx_conf_path()).unwrap()
    }

    fn haproxy_cfg(&self) -> String {
        std::fs::read_to_string(self.haproxy_cfg_path()).unwrap()
    }

    fn stub(&self, name: &str) -> &Stub {
        self.stubs.iter().find(|s| s.state.name == name).unwrap()
    }

    fn stub_mut(&mut self, name: &str) -> &mut Stub {
        self.stubs
            .iter_mut()
            .find(|s| s.state.name == name)
            .unwrap()
    }

    fn names(&self) -> Vec<String> {
        self.stubs.iter().map(|s| s.state.name.clone()).collect()
    }

    fn balancer_health(&self) -> String {
        // The first `location = …` (nginx) is the balancer's own health path,
        // as is haproxy's monitor-uri; both come from the same model decision.
        self.haproxy_cfg()
            .lines()
            .find_map(|l| l.trim().strip_prefix("monitor-uri "))
            .unwrap()
            .to_string()
    }

    /// `nginx -p PREFIX/ -c CONF -e stderr -g 'daemon off;'` with a private
    /// prefix per test (pid, temp and cache paths are relative to it).
    fn start_nginx(&self, dl: &Deadline) -> Proc {
        let nginx = common::need_tool("nginx");
        let prefix = self.dir.path().join("nginx-prefix");
        std::fs::create_dir_all(&prefix).unwrap();
        let conf = prefix.join("lb.conf");
        std::fs::copy(self.nginx_conf_path(), &conf).unwrap();
        let stdout = prefix.join("stdout.log");
        let stderr = prefix.join("stderr.log");
        let child = Command::new(nginx)
            .arg("-p")
            .arg(format!("{}/", prefix.display()))
            .arg("-c")
            .arg(&conf)
            .args(["-e", "stderr", "-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("cannot start nginx");
        let mut p = Proc {
            child,
            what: "nginx",
            stderr,
            workers: Vec::new(),
            children: Vec::new(),
        };
        self.wait_ready(&mut p, dl);
        (p.workers, p.children) = nginx_workers(p.child.id(), dl);
        assert!(!p.workers.is_empty(), "nginx runs no worker process");
        p
    }

    /// `haproxy -f CFG -db` (foreground), from the config's directory.
    fn start_haproxy(&self, dl: &Deadline) -> Proc {
        let haproxy = common::need_tool("haproxy");
        let cfg = self.haproxy_cfg_path();
        let stdout = self.dir.path().join("haproxy-stdout.log");
        let stderr = self.dir.path().join("haproxy-stderr.log");
        let child = Command::new(haproxy)
            .arg("-f")
            .arg(&cfg)
            .arg("-db")
            .current_dir(cfg.parent().unwrap())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("cannot start haproxy");
        let mut p = Proc {
            child,
            what: "haproxy",
            stderr,
            workers: Vec::new(),
            children: Vec::new(),
        };
        self.wait_ready(&mut p, dl);
        p
    }

    /// Waits until the balancer answers its own health path.
    fn wait_ready(&self, p: &mut Proc, dl: &Deadline) {
        let health = self.balancer_health();
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            p.assert_running();
            if let Ok(r) = get_with(self.listen, &health, None, Duration::from_secs(1)) {
                if r.status == 200 {
                    return;
                }
            }
            dl.check("waiting for the balancer");
            assert!(
                Instant::now() < end,
                "{} did not answer {health} within 5 s:\n{}",
                p.what,
                p.stderr_text()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// HAProxy's view of each server of the tier: svname -> status (UP,
    /// DOWN, "UP 1/3", …) from the statistics page (`/stats;csv`).
    fn haproxy_status(&self) -> BTreeMap<String, String> {
        let addr: SocketAddr = format!("{LOOPBACK}:{}", self.stats_port).parse().unwrap();
        let r = get_with(addr, "/stats;csv", None, Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("stats page: {e}"));
        let mut lines = r.body.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap()
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let (px, sv, st) = (col("pxname"), col("svname"), col("status"));
        let tier = &self.model.webs[0].name;
        lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f.len() > st && f[px] == tier && f[sv] != "BACKEND")
            .map(|f| (f[sv].to_string(), f[st].to_string()))
            .collect()
    }

    fn wait_haproxy_state(&self, server: &str, up: bool, limit: Duration, dl: &Deadline) {
        wait_for(
            &format!(
                "waiting for haproxy to see {server} {}",
                if up { "UP" } else { "DOWN" }
            ),
            limit,
            dl,
            || {
                let s = self.haproxy_status();
                let st = s.get(server).map(String::as_str).unwrap_or("");
                if up {
                    st == "UP"
                } else {
                    st == "DOWN"
                }
            },
        );
    }
}

// ---------------------------------------------------------------------------
// Reading the generated configs (the promises under test).
// ---------------------------------------------------------------------------

/// `10s` / `2s` / `500ms` / `1m`; a bare number is `bare_unit_ms` each.
fn duration(s: &str, bare_unit_ms: u64) -> Duration {
    let (num, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else {
        (s, bare_unit_ms)
    };
    Duration::from_millis(num.parse::<u64>().unwrap() * unit_ms)
}

/// nginx passive failure detection, from the first upstream `server` line:
/// (max_fails, fail_timeout).
fn nginx_fail_policy(conf: &str) -> (u32, Duration) {
    let line = conf
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("server ") && l.contains("max_fails="))
        .expect("an upstream server line with max_fails");
    let arg = |k: &str| {
        line.trim_end_matches(';')
            .split_whitespace()
            .find_map(|t| t.strip_prefix(k))
            .unwrap_or_else(|| panic!("{k} missing in {line:?}"))
            .to_string()
    };
    (
        arg("max_fails=").parse().unwrap(),
        duration(&arg("fail_timeout="), 1000),
    )
}

/// HAProxy active checks, from the first backend `server` line: (inter,
/// fall, rise).
fn haproxy_check_policy(cfg: &str) -> (Duration, u32, u32) {
    let line = cfg
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("server ") && l.contains(" inter "))
        .expect("a server line with inter");
    let toks: Vec<&str> = line.split_whitespace().collect();
    let after = |k: &str| {
        toks.iter()
            .position(|t| *t == k)
            .map(|i| toks[i + 1])
            .unwrap_or_else(|| panic!("{k} missing in {line:?}"))
    };
    (
        duration(after("inter"), 1),
        after("fall").parse().unwrap(),
        after("rise").parse().unwrap(),
    )
}

/// HAProxy's `retries N` (defaults section).
fn haproxy_retries(cfg: &str) -> u32 {
    cfg.lines()
        .find_map(|l| l.trim().strip_prefix("retries "))
        .expect("a retries line")
        .trim()
        .parse()
        .unwrap()
}

fn assert_even(counts: &BTreeMap<String, usize>, names: &[String], total: usize, tol: usize) {
    let per = total / names.len();
    for n in names {
        let c = counts.get(n).copied().unwrap_or(0);
        assert!(
            c.abs_diff(per) <= tol,
            "{n} answered {c} of {total}, expected {per}±{tol}: {counts:?}"
        );
    }
    assert_eq!(counts.values().sum::<usize>(), total, "{counts:?}");
}

// ---------------------------------------------------------------------------
// Background traffic for the failover tests.
// ---------------------------------------------------------------------------

struct Sample {
    start: Instant,
    took: Duration,
    result: Result<String, String>,
}

/// `clients` threads sending GET / back to back (10 ms apart) until dropped
/// or the test's deadline passes, each request within `timeout`.
struct Traffic {
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Traffic {
    fn start(dl: &Deadline, addr: SocketAddr, clients: usize, timeout: Duration) -> Traffic {
        let stop = Arc::new(AtomicBool::new(false));
        let samples = Arc::new(Mutex::new(Vec::new()));
        let dl = *dl;
        let threads = (0..clients)
            .map(|_| {
                let (stop, samples) = (stop.clone(), samples.clone());
                thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) && Instant::now() < dl.end {
                        let start = Instant::now();
                        let t = timeout.min(dl.end.saturating_duration_since(start));
                        let result = match get_with(addr, "/", None, t) {
                            Ok(r) if r.status == 200 => Ok(r.instance()),
                            Ok(r) => Err(format!("status {}: {}", r.status, r.body.trim())),
                            Err(e) => Err(e),
                        };
                        samples.lock().unwrap().push(Sample {
                            start,
                            took: start.elapsed(),
                            result,
                        });
                        thread::sleep(Duration::from_millis(10));
                    }
                })
            })
            .collect();
        Traffic {
            stop,
            samples,
            threads,
        }
    }

    fn finish(mut self) -> Vec<Sample> {
        self.stop_threads();
        std::mem::take(&mut *self.samples.lock().unwrap())
    }

    fn stop_threads(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        self.stop_threads();
    }
}

fn failures(samples: &[Sample]) -> Vec<String> {
    samples
        .iter()
        .filter_map(|s| s.result.as_ref().err().cloned())
        .collect()
}

// ---------------------------------------------------------------------------
// 1. Balancing.
// ---------------------------------------------------------------------------

/// nginx round-robin over 3 instances, 60 requests: each instance answers
/// 20 ± the number of worker processes. nginx keeps round-robin state per
/// worker (the generated upstream has no shared `zone`), so each worker is
/// exact and the sum is off by at most one per worker.
#[test]
fn nginx_round_robin_spreads_requests_evenly() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-round-robin");
    let nginx = lab.start_nginx(&dl);
    let names = lab.names();
    let total = names.len() * 20;
    let counts = spread(&dl, lab.listen, total, None);
    assert_even(&counts, &names, total, nginx.workers.len());
}

/// HAProxy roundrobin: one shared rotation, so each of 3 instances answers
/// exactly 20 ± 1 of 60 requests.
#[test]
fn haproxy_round_robin_spreads_requests_evenly() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-round-robin");
    let _hp = lab.start_haproxy(&dl);
    let names = lab.names();
    let total = names.len() * 20;
    let counts = spread(&dl, lab.listen, total, None);
    assert_even(&counts, &names, total, 1);
}

/// Least-conn: instance 1 holds every request for 1.5 s; 30 requests start
/// 15 ms apart. Least-conn sends a new request to an instance with fewer
/// active connections, so the busy instance gets at most one per balancer
/// process that counts connections (nginx: per worker; HAProxy: one count).
/// Round-robin, the control, gives it its third (10).
fn least_conn_case(design: &str, nginx: bool) -> (usize, usize) {
    let dl = Deadline::new(25);
    let lab = Lab::at(design);
    let p = if nginx {
        lab.start_nginx(&dl)
    } else {
        lab.start_haproxy(&dl)
    };
    let slow = lab.names()[0].clone();
    let hold = Duration::from_millis(1500);
    lab.stub(&slow)
        .state
        .slow_ms
        .store(hold.as_millis() as u64, Ordering::SeqCst);
    let addr = lab.listen;
    let handles: Vec<_> = (0..30)
        .map(|i| {
            thread::sleep(Duration::from_millis(15));
            // The hold we impose plus the usual bound, cut to the deadline.
            let t = dl.timeout(hold + REQUEST_TIMEOUT, "starting least-conn requests");
            thread::spawn(move || get_with(addr, &format!("/lc/{i}"), None, t))
        })
        .collect();
    for h in handles {
        let r = h.join().unwrap().expect("request failed");
        assert_eq!(r.status, 200, "{r:?}");
    }
    let busy = lab.stub(&slow).state.app_hits();
    let processes = if nginx { p.workers.len() } else { 1 };
    (busy, processes)
}

#[test]
fn nginx_least_conn_avoids_the_busy_instance() {
    let (busy, workers) = least_conn_case("tests/fixtures/ok/traffic-least-conn.arch", true);
    assert!(
        busy <= workers,
        "the busy instance got {busy} of 30 requests; least_conn allows 1 per worker ({workers})"
    );
    let (busy_rr, _) = least_conn_case("tests/fixtures/ok/traffic-round-robin.arch", true);
    assert!(
        busy_rr >= 8,
        "control: round-robin should give the busy instance ~10 of 30, got {busy_rr}"
    );
}

#[test]
fn haproxy_least_conn_avoids_the_busy_instance() {
    let (busy, _) = least_conn_case("tests/fixtures/ok/traffic-least-conn.arch", false);
    // Two requests may start while the first is still being connected.
    assert!(
        busy <= 2,
        "the busy instance got {busy} of 30 requests; leastconn should give it 1"
    );
    let (busy_rr, _) = least_conn_case("tests/fixtures/ok/traffic-round-robin.arch", false);
    assert!(
        busy_rr >= 8,
        "control: round-robin should give the busy instance ~10 of 30, got {busy_rr}"
    );
}

/// Client addresses for the ip-hash test: 127.0.N.1, one per /24, since
/// nginx's `ip_hash` keys on the first three octets of an IPv4 address (every
/// address of one /24 is one client to it).
fn ip_hash_clients(n: u8) -> Vec<std::net::Ipv4Addr> {
    (1..=n)
        .map(|i| std::net::Ipv4Addr::new(127, 0, i, 1))
        .collect()
}

/// The example `examples/startup.arch` (two web instances behind nginx
/// least-conn), as written: sequential requests (no instance busier than
/// another) are spread over both instances, 20 ± 1 each (nginx: ± workers),
/// and an instance held busy gets far fewer than round-robin's half (15 of
/// 30). With two instances the other one is often busy too when the machine
/// is loaded (its answers overlap the 15 ms spacing), and least-conn breaks
/// such ties round-robin, so the bound is a quarter (7), not the three-tier
/// fixture's one per process (measured: 1 alone, up to 4 in the full suite).
#[test]
fn startup_example_balances_over_every_instance() {
    const STARTUP: &str = "examples/startup.arch";
    let dl = Deadline::new(20);
    for nginx in [true, false] {
        let lab = Lab::at(STARTUP);
        assert_eq!(lab.names().len(), 2, "{STARTUP}: two web instances");
        let p = if nginx {
            lab.start_nginx(&dl)
        } else {
            lab.start_haproxy(&dl)
        };
        // HAProxy keeps one round-robin order, so a quiet machine sees 20/20;
        // on a loaded one (the whole suite, CI) it was once seen to send two
        // requests of 40 to the other instance (22/18), not reproduced alone
        // in 6 runs: one more either way still says "balanced over both".
        let tol = if nginx { p.workers.len() } else { 2 };
        let names = lab.names();
        let total = names.len() * 20;
        let counts = spread(&dl, lab.listen, total, None);
        assert_even(&counts, &names, total, tol);
    }
    for nginx in [true, false] {
        let (busy, _) = least_conn_case(STARTUP, nginx);
        assert!(
            busy <= 30 / 4,
            "{STARTUP}: the busy instance got {busy} of 30 requests; round-robin gives it 15, least-conn at most 7 here"
        );
    }
}

/// ip-hash: each client address sticks to one instance for all its 20
/// requests, and the clients together reach every instance, so the hash
/// really spreads clients rather than pinning everyone to one server. The
/// hash is deterministic (nginx: over the /24; HAProxy `balance source`: over
/// the whole address), so a fixed set of clients gives a fixed result:
/// 127.0.1.1 … 127.0.6.1 land two on each of the 3 instances on both
/// engines (measured on nginx 1.22.1 and HAProxy 2.6.12).
#[test]
fn ip_hash_sends_each_client_to_one_instance_and_clients_to_every_instance() {
    let dl = Deadline::new(20);
    for nginx in [true, false] {
        let engine = if nginx { "nginx" } else { "haproxy" };
        let lab = Lab::new("traffic-ip-hash");
        let _p = if nginx {
            lab.start_nginx(&dl)
        } else {
            lab.start_haproxy(&dl)
        };
        let mut homes: BTreeMap<String, Vec<std::net::Ipv4Addr>> = BTreeMap::new();
        for src in ip_hash_clients(6) {
            let mut seen = BTreeMap::new();
            for i in 0..20 {
                let r = get_from(&dl, src, lab.listen, &format!("/item/{i}"))
                    .unwrap_or_else(|e| panic!("{engine}: {src} request {i}: {e}"));
                assert_eq!(r.status, 200, "{engine}: {r:?}");
                *seen.entry(r.instance()).or_insert(0) += 1;
            }
            assert_eq!(
                seen.len(),
                1,
                "{engine}: client {src} reached several instances: {seen:?}"
            );
            homes
                .entry(seen.into_keys().next().unwrap())
                .or_default()
                .push(src);
        }
        let reached: Vec<&String> = homes.keys().collect();
        assert_eq!(
            reached,
            lab.names().iter().collect::<Vec<_>>(),
            "{engine}: the clients did not reach every instance: {homes:?}"
        );
        eprintln!("{engine} ip-hash homes: {homes:?}");
    }
}

// ---------------------------------------------------------------------------
// 2. Failover.
// ---------------------------------------------------------------------------

/// nginx, an instance dies mid-stream. Promise (config): a connection error
/// is retried on the next instance (`proxy_next_upstream error …`), and an
/// instance that fails `max_fails` times within `fail_timeout` is left out
/// for `fail_timeout`. Shown: no client request fails at all; each worker
/// disables the dead instance after exactly `max_fails` failed connects
/// (nginx's error log); once back, the instance gets no request before
/// `fail_timeout` has passed since it was disabled and gets requests within
/// `fail_timeout` + 2 s.
#[test]
fn nginx_failover_retries_then_rejoins_after_fail_timeout() {
    let dl = Deadline::new(30);
    let mut lab = Lab::new("traffic-round-robin");
    let (max_fails, fail_timeout) = nginx_fail_policy(&lab.nginx_conf());
    let nginx = lab.start_nginx(&dl);
    let workers = nginx.workers.len();
    let victim = lab.names()[1].clone();
    let victim_port = lab.stub(&victim).port;
    let traffic = Traffic::start(&dl, lab.listen, 4, REQUEST_TIMEOUT);
    thread::sleep(Duration::from_millis(500));

    lab.stub_mut(&victim).stop();
    let disabled = |p: &Proc| {
        p.stderr_text()
            .matches("upstream server temporarily disabled")
            .count()
    };
    let mut disable_times = Vec::new();
    wait_for(
        "every nginx worker to disable the dead instance",
        Duration::from_secs(5),
        &dl,
        || {
            let n = disabled(&nginx);
            while disable_times.len() < n {
                disable_times.push(Instant::now());
            }
            n >= workers
        },
    );
    lab.stub(&victim).state.reset();
    lab.stub_mut(&victim).start();
    let restarted = Instant::now();
    wait_for(
        "the restarted instance to get traffic again",
        fail_timeout + Duration::from_secs(4),
        &dl,
        || lab.stub(&victim).state.app_hits() > 0,
    );
    let rejoined = Instant::now();
    let samples = traffic.finish();

    let failed = failures(&samples);
    assert!(
        failed.is_empty(),
        "{} of {} client requests failed: {:?}",
        failed.len(),
        samples.len(),
        &failed[..failed.len().min(5)]
    );
    // Per worker: exactly max_fails refused connects to the victim, then the
    // disable warning. (Lines look like `… [error] PID#TID: *N connect()
    // failed (111: Connection refused) while connecting to upstream, …`.)
    let log = nginx.stderr_text();
    let mut per_worker: BTreeMap<String, (u32, bool)> = BTreeMap::new();
    for line in log.lines() {
        let Some(pid) = line
            .split_whitespace()
            .nth(3)
            .and_then(|t| t.split('#').next())
        else {
            continue;
        };
        let e = per_worker.entry(pid.to_string()).or_insert((0, false));
        if line.contains("connect() failed") && line.contains(&format!(":{victim_port}")) && !e.1 {
            e.0 += 1;
        }
        if line.contains("upstream server temporarily disabled") {
            e.1 = true;
        }
    }
    let disabled_by: Vec<_> = per_worker.iter().filter(|(_, v)| v.1).collect();
    assert_eq!(disabled_by.len(), workers, "{per_worker:?}\n{log}");
    for (pid, (fails, _)) in &disabled_by {
        assert_eq!(
            *fails, max_fails,
            "worker {pid} failed {fails} times before disabling, config says max_fails={max_fails}\n{log}"
        );
    }
    // Rejoin: not before fail_timeout (nginx counts whole seconds: 1 s
    // slack), and not much after.
    let first = disable_times[0];
    let last = *disable_times.last().unwrap();
    let slack = Duration::from_secs(1);
    assert!(
        rejoined + slack >= first + fail_timeout,
        "rejoined {:?} after being disabled, before fail_timeout {fail_timeout:?}",
        rejoined - first
    );
    assert!(
        rejoined <= last + fail_timeout + Duration::from_secs(2),
        "rejoined only {:?} after being disabled (fail_timeout {fail_timeout:?})",
        rejoined - last
    );
    eprintln!(
        "nginx failover: {} requests, 0 failed; {workers} workers each disabled after {max_fails} fails; back {:?} after restart, {:?} after disable",
        samples.len(),
        rejoined - restarted,
        rejoined - first
    );
}

/// HAProxy, an instance dies mid-stream. Promise (config): `check inter I
/// fall F rise R` marks a server down after F failed checks (detection
/// window: at most F×I) and up after R good ones (at most R×I); meanwhile
/// `retries` + `option redispatch` move a failed connection elsewhere.
/// Shown: HAProxy's stats page says DOWN within F×I (+0.5 s) of the kill;
/// no client request fails; every request sent after the window is fast
/// (never waits for a retry on the dead server); UP within R×I (+0.5 s) of
/// the restart, after which the instance answers again.
#[test]
fn haproxy_failover_detects_within_fall_x_inter_and_rejoins_after_rise_x_inter() {
    let dl = Deadline::new(30);
    let mut lab = Lab::new("traffic-round-robin");
    let (inter, fall, rise) = haproxy_check_policy(&lab.haproxy_cfg());
    let _hp = lab.start_haproxy(&dl);
    let victim = lab.names()[1].clone();
    lab.wait_haproxy_state(&victim, true, Duration::from_secs(5), &dl);
    // Before detection a request that meets the dead server waits HAProxy's
    // turn-around (1 s) before each retry: allow them all, plus a second.
    let retries = haproxy_retries(&lab.haproxy_cfg());
    let traffic = Traffic::start(
        &dl,
        lab.listen,
        3,
        Duration::from_secs(u64::from(retries) + 1),
    );
    thread::sleep(Duration::from_millis(500));

    // Generous: a loaded CI machine may deschedule the test for a while; the
    // loops used to wait 8 s to connect plus 8 s per read, well beyond it.
    let slack = Duration::from_secs(3);
    let window = inter * fall;
    lab.stub_mut(&victim).stop();
    let killed = Instant::now();
    lab.wait_haproxy_state(&victim, false, window + slack, &dl);
    let down = Instant::now();
    thread::sleep(Duration::from_millis(1500));
    lab.stub(&victim).state.reset();
    lab.stub_mut(&victim).start();
    let restarted = Instant::now();
    lab.wait_haproxy_state(&victim, true, inter * rise + slack, &dl);
    let up = Instant::now();
    wait_for(
        "the instance to answer again",
        Duration::from_secs(2),
        &dl,
        || lab.stub(&victim).state.app_hits() > 0,
    );
    let samples = traffic.finish();

    let failed = failures(&samples);
    assert!(
        failed.is_empty(),
        "{} of {} requests failed: {:?}",
        failed.len(),
        samples.len(),
        &failed[..failed.len().min(5)]
    );
    // The detection is the health checks': not before (fall-1)×inter either.
    assert!(
        down - killed + slack >= inter * (fall - 1),
        "DOWN after {:?}, sooner than (fall-1)×inter",
        down - killed
    );
    assert!(
        up - restarted + slack >= inter * (rise - 1),
        "UP after {:?}, sooner than (rise-1)×inter",
        up - restarted
    );
    let before = samples
        .iter()
        .filter(|s| s.start > killed && s.start < down)
        .map(|s| s.took)
        .max()
        .unwrap();
    let after: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.start > down && s.start < restarted)
        .collect();
    assert!(!after.is_empty());
    let slowest = after.iter().map(|s| s.took).max().unwrap();
    assert!(
        slowest < Duration::from_millis(500),
        "a request after the detection window still waited {slowest:?} (retrying the dead server?)"
    );
    assert!(
        after
            .iter()
            .all(|s| s.result.as_deref() != Ok(victim.as_str())),
        "the dead instance answered"
    );
    eprintln!(
        "haproxy failover: {} requests, 0 failed; DOWN {:?} after kill (window {window:?}; slowest request meanwhile {before:?}, after it {slowest:?}), UP {:?} after restart (rise×inter {:?})",
        samples.len(),
        down - killed,
        up - restarted,
        inter * rise
    );
}

// ---------------------------------------------------------------------------
// 3. Health checks.
// ---------------------------------------------------------------------------

/// HAProxy `option httpchk GET <health>`: an instance whose health path
/// answers 503 while its port still accepts connections is DOWN within
/// fall×inter and gets no request; when healthy again it is UP within
/// rise×inter and gets its share.
#[test]
fn haproxy_health_check_takes_out_an_instance_that_still_accepts_connections() {
    let dl = Deadline::new(30);
    let lab = Lab::new("traffic-round-robin");
    let (inter, fall, rise) = haproxy_check_policy(&lab.haproxy_cfg());
    let _hp = lab.start_haproxy(&dl);
    let sick = lab.names()[2].clone();
    lab.wait_haproxy_state(&sick, true, Duration::from_secs(5), &dl);
    let slack = Duration::from_millis(500);

    let st = &lab.stub(&sick).state;
    st.fail_health.store(true, Ordering::SeqCst);
    lab.wait_haproxy_state(&sick, false, inter * fall + slack, &dl);
    // Its port still accepts: a direct request is answered.
    let direct = get(
        &dl,
        format!("{LOOPBACK}:{}", lab.stub(&sick).port)
            .parse()
            .unwrap(),
        "/direct",
        None,
    )
    .unwrap();
    assert_eq!(direct.instance(), sick);
    st.reset();
    let checks_before = st.health_hits.load(Ordering::SeqCst);
    let counts = spread(&dl, lab.listen, 60, None);
    assert_eq!(
        st.app_hits(),
        0,
        "the unhealthy instance got requests: {counts:?}"
    );
    let rest: Vec<String> = lab.names().into_iter().filter(|n| *n != sick).collect();
    assert_even(&counts, &rest, 60, 1);

    st.fail_health.store(false, Ordering::SeqCst);
    lab.wait_haproxy_state(&sick, true, inter * rise + slack, &dl);
    assert!(
        st.health_hits.load(Ordering::SeqCst) > checks_before,
        "haproxy stopped checking the down instance"
    );
    let counts = spread(&dl, lab.listen, 60, None);
    assert_even(&counts, &lab.names(), 60, 1);
}

/// nginx open source has no active health checks: it never requests the
/// health path, so an instance whose health path fails but which answers
/// requests keeps its share. What it does do (passively): a 502 from an
/// instance is retried on another (`proxy_next_upstream … http_502`), so the
/// client never sees it, and counts as a failure (`max_fails`), so the
/// failing instance soon gets no more requests.
#[test]
fn nginx_retries_a_502_on_another_instance_and_cannot_see_health_paths() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-round-robin");
    let (max_fails, _) = nginx_fail_policy(&lab.nginx_conf());
    let nginx = lab.start_nginx(&dl);
    let names = lab.names();
    let (failing, sick) = (&names[0], &names[2]);
    lab.stub(failing)
        .state
        .fail_requests
        .store(true, Ordering::SeqCst);
    lab.stub(sick)
        .state
        .fail_health
        .store(true, Ordering::SeqCst);

    let counts = spread(&dl, lab.listen, 60, None);
    assert!(
        !counts.contains_key(failing),
        "a 502 reached the client: {counts:?}"
    );
    let tried = lab.stub(failing).state.app_hits();
    assert!(
        tried >= 1 && tried <= max_fails as usize * nginx.workers.len(),
        "the 502 instance was tried {tried} times; expected 1..=max_fails×workers ({max_fails}×{})",
        nginx.workers.len()
    );
    let sick_share = counts.get(sick.as_str()).copied().unwrap_or(0);
    assert!(
        sick_share >= 20,
        "the instance with a failing health path got {sick_share} of 60: {counts:?}"
    );
    assert_eq!(
        lab.stub(sick).state.health_hits.load(Ordering::SeqCst),
        0,
        "nginx requested a health path"
    );
}

// ---------------------------------------------------------------------------
// 4. Stickiness.
// ---------------------------------------------------------------------------

/// Stateful tier behind a sticky HAProxy: a new client is placed by
/// round-robin and gets `SERVERID=<instance>`; a client that keeps its
/// cookies stays on that instance for 50 requests. `indirect` keeps the
/// SERVERID cookie away from the web tier, which sees its own session cookie.
#[test]
fn haproxy_cookie_keeps_a_stateful_client_on_one_instance() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-sticky");
    let _hp = lab.start_haproxy(&dl);
    let mut seen = BTreeMap::new();
    for c in 0..3 {
        let mut jar = Jar::new(&dl);
        let first = jar.get(lab.listen, "/login");
        let home = first.instance();
        assert_eq!(jar.cookies.get("SERVERID"), Some(&home), "{first:?}");
        assert!(jar.cookies.contains_key("sid"), "{first:?}");
        for i in 0..50 {
            let r = jar.get(lab.listen, &format!("/cart/{i}"));
            assert_eq!(
                r.instance(),
                home,
                "client {c} request {i} left its instance"
            );
        }
        *seen.entry(home).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3, "new clients were not spread: {seen:?}");
    for s in &lab.stubs {
        for c in s.state.cookies_seen.lock().unwrap().iter() {
            assert!(c.contains("sid="), "{c}");
            assert!(!c.contains("SERVERID"), "the web tier saw {c}");
        }
    }
}

/// The same stateful design on nginx: open-source nginx has no cookie
/// stickiness, the config uses ip_hash, so one client address stays on one
/// instance whatever its cookies.
#[test]
fn nginx_ip_hash_keeps_a_stateful_client_on_one_instance() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-sticky");
    let _n = lab.start_nginx(&dl);
    let mut jar = Jar::new(&dl);
    let home = jar.get(lab.listen, "/login").instance();
    for i in 0..50 {
        assert_eq!(jar.get(lab.listen, &format!("/cart/{i}")).instance(), home);
    }
}

/// A stateless tier with sessions in a shared cache (the balancer says
/// sticky, but the tier needs no stickiness): a client that keeps its
/// session cookie is spread over every instance, and no SERVERID cookie is set.
#[test]
fn stateless_tier_with_sessions_in_cache_spreads_one_client() {
    let dl = Deadline::new(20);
    for nginx in [true, false] {
        let lab = Lab::new("traffic-sessions");
        let p = if nginx {
            lab.start_nginx(&dl)
        } else {
            lab.start_haproxy(&dl)
        };
        let tol = if nginx { p.workers.len() } else { 1 };
        let mut jar = Jar::new(&dl);
        jar.get(lab.listen, "/login");
        let mut counts = BTreeMap::new();
        for i in 0..60 {
            let r = jar.get(lab.listen, &format!("/cart/{i}"));
            *counts.entry(r.instance()).or_insert(0) += 1;
        }
        assert!(!jar.cookies.contains_key("SERVERID"), "{:?}", jar.cookies);
        assert!(jar.cookies.contains_key("sid"));
        assert_even(&counts, &lab.names(), 60, tol);
    }
}

// ---------------------------------------------------------------------------
// 5. CDN paths (nginx caches them; HAProxy routes them uncached).
// ---------------------------------------------------------------------------

#[test]
fn nginx_caches_cdn_paths_for_their_ttl_and_nothing_else() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-cdn");
    let _n = lab.start_nginx(&dl);
    let ttl = |name: &str| {
        lab.model
            .cdns
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .ttl_seconds
            .unwrap()
    };
    let (assets, bundles) = (ttl("assets"), ttl("bundles"));
    // The fixture's literal TTLs (10m, 1h), so a wrong unit conversion in the
    // model cannot hide behind a max-age that merely agrees with it.
    assert_eq!((assets, bundles), (600, 3600));
    let origin =
        |path: &str| -> usize { lab.stubs.iter().map(|s| s.state.hits_for_path(path)).sum() };
    let fetch = |target: &str| {
        let r = get(&dl, lab.listen, target, None).unwrap();
        assert_eq!(r.status, 200, "{target}: {r:?}");
        r
    };
    let cache_status = |r: &Resp| r.header("X-Cache-Status").unwrap_or("-").to_string();

    // /static (not versioned, ttl 10m).
    let r1 = fetch("/static/app.css");
    assert_eq!(cache_status(&r1), "MISS");
    assert_eq!(r1.header("Cache-Control"), Some("public, max-age=600"));
    let r2 = fetch("/static/app.css");
    assert_eq!(cache_status(&r2), "HIT", "{r2:?}");
    assert_eq!(r2.header("Cache-Control"), Some("public, max-age=600"));
    assert_eq!(r2.instance(), r1.instance());
    // Not versioned: the query string is ignored.
    let r3 = fetch("/static/app.css?v=2");
    assert_eq!(cache_status(&r3), "HIT", "{r3:?}");
    assert_eq!(origin("/static/app.css"), 1);
    // A cookie set by the web tier is never cached nor passed on.
    let l1 = fetch("/static/login");
    assert!(l1.header("Set-Cookie").is_none(), "{l1:?}");
    assert_eq!(cache_status(&fetch("/static/login")), "HIT");

    // /bundles (versioned, ttl 1h): ?v=… is part of the key.
    let b1 = fetch("/bundles/app.js?v=1");
    assert_eq!(cache_status(&b1), "MISS");
    assert_eq!(b1.header("Cache-Control"), Some("public, max-age=3600"));
    assert_eq!(cache_status(&fetch("/bundles/app.js?v=1")), "HIT");
    assert_eq!(cache_status(&fetch("/bundles/app.js?v=2")), "MISS");
    assert_eq!(cache_status(&fetch("/bundles/app.js?v=2")), "HIT");
    assert_eq!(origin("/bundles/app.js"), 2);

    // Outside every CDN path: never cached, the tier's own headers pass.
    for _ in 0..3 {
        let r = fetch("/page");
        assert!(r.header("X-Cache-Status").is_none(), "{r:?}");
        assert_eq!(r.header("Cache-Control"), Some("no-store"));
    }
    assert_eq!(origin("/page"), 3);
}

/// The cache lifetime, live: `/quick` (ttl 2s) is a HIT within its TTL, then
/// EXPIRED (or MISS, once nginx's cache manager has evicted the entry) with
/// the request reaching the web tier again, after which it is cached anew;
/// `/slow` (ttl 1m), filled just before, is still a HIT then. nginx
/// keeps expiry times in whole seconds, so the entry turns stale between
/// TTL − 1 s and TTL + 1 s after it was filled; the test polls every 100 ms
/// and asserts that window. A `proxy_cache_valid` that ignored the design's
/// TTL fails one of the two paths.
#[test]
fn nginx_cdn_entry_expires_after_its_ttl_and_is_fetched_again() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-cdn-expiry");
    let ttl = |name: &str| {
        let cdn = lab.model.cdns.iter().find(|c| c.name == name).unwrap();
        cdn.ttl_seconds.unwrap()
    };
    assert_eq!((ttl("quick"), ttl("slow")), (2, 60));
    let quick_ttl = Duration::from_secs(2);
    let _n = lab.start_nginx(&dl);
    let origin =
        |path: &str| -> usize { lab.stubs.iter().map(|s| s.state.hits_for_path(path)).sum() };
    let fetch = |target: &str| {
        let r = get(&dl, lab.listen, target, None).unwrap();
        assert_eq!(r.status, 200, "{target}: {r:?}");
        (r.header("X-Cache-Status").unwrap_or("-").to_string(), r)
    };

    // /slow first: were both cached for the same time, /slow (never the
    // younger entry) would be stale by the time /quick is.
    assert_eq!(fetch("/slow/a.css").0, "MISS");
    let (s, r) = fetch("/quick/a.css");
    let filled = Instant::now();
    assert_eq!(s, "MISS", "{r:?}");
    assert_eq!(r.header("Cache-Control"), Some("public, max-age=2"));
    assert_eq!(fetch("/quick/a.css").0, "HIT");
    assert_eq!(origin("/quick/a.css"), 1);

    // Poll until the quick entry is no longer a HIT.
    let stale = loop {
        let (s, r) = fetch("/quick/a.css");
        if s != "HIT" {
            break (s, r);
        }
        assert!(
            filled.elapsed() < quick_ttl + Duration::from_secs(2),
            "/quick still a HIT {:?} after it was filled (ttl {quick_ttl:?})",
            filled.elapsed()
        );
        thread::sleep(Duration::from_millis(100));
    };
    let age = filled.elapsed();
    assert!(
        age + Duration::from_secs(1) >= quick_ttl,
        "/quick went {} after only {age:?} (ttl {quick_ttl:?})",
        stale.0
    );
    assert!(
        stale.0 == "EXPIRED" || stale.0 == "MISS",
        "after its TTL /quick was {}: {:?}",
        stale.0,
        stale.1
    );
    assert_eq!(
        origin("/quick/a.css"),
        2,
        "the expired entry was not fetched from the web tier again"
    );
    assert_eq!(stale.1.header("Cache-Control"), Some("public, max-age=2"));
    // Cached anew, and the 1 m path filled before it is still served from cache.
    assert_eq!(fetch("/quick/a.css").0, "HIT");
    assert_eq!(origin("/quick/a.css"), 2);
    assert_eq!(fetch("/slow/a.css").0, "HIT", "the 1 m entry expired early");
    assert_eq!(origin("/slow/a.css"), 1);
    eprintln!(
        "nginx cdn: /quick (ttl 2s) went {} {age:?} after it was filled",
        stale.0
    );
}

/// HAProxy has no cache: the same CDN paths reach the web tier every time
/// (as its config says; the CDN in front caches them).
#[test]
fn haproxy_routes_cdn_paths_uncached() {
    let dl = Deadline::new(20);
    let lab = Lab::new("traffic-cdn");
    let _h = lab.start_haproxy(&dl);
    for _ in 0..3 {
        let r = get(&dl, lab.listen, "/static/app.css", None).unwrap();
        assert_eq!(r.status, 200);
        assert!(r.header("X-Cache-Status").is_none());
    }
    let n: usize = lab
        .stubs
        .iter()
        .map(|s| s.state.hits_for_path("/static/app.css"))
        .sum();
    assert_eq!(n, 3);
}

// ---------------------------------------------------------------------------
// The suite's own bounds.
// ---------------------------------------------------------------------------

/// A balancer that accepts connections and never answers (a listener nobody
/// accepts from: the kernel completes the handshake) fails a request within
/// `REQUEST_TIMEOUT`, or within the test's deadline when that is nearer, and
/// a request made after the deadline fails at once. The request loops
/// (`spread`, the cookie-keeping client) fail too, never hang; their times
/// get 1.5 s of slack because a failing loop panics, and printing a
/// panic's backtrace on a loaded machine takes that long.
#[test]
fn a_hung_balancer_fails_request_loops_within_the_deadline() {
    let hung = bind_fresh_port();
    let addr = hung.local_addr().unwrap();
    let slack = Duration::from_millis(500);
    for (deadline, expect) in [
        (Duration::from_millis(800), Duration::from_millis(800)),
        (Duration::from_secs(10), REQUEST_TIMEOUT),
    ] {
        let dl = Deadline::within(deadline);
        let start = Instant::now();
        let r = get(&dl, addr, "/one", None);
        let took = start.elapsed();
        assert!(r.is_err(), "a request to a hung balancer succeeded: {r:?}");
        assert!(
            took >= expect && took < expect + slack,
            "with a {deadline:?} deadline a request failed after {took:?}, expected {expect:?}"
        );

        let dl = Deadline::within(deadline);
        let start = Instant::now();
        let out = std::panic::catch_unwind(|| spread(&dl, addr, 5, None));
        assert!(out.is_err(), "spread over a hung balancer succeeded");
        let took = start.elapsed();
        assert!(took < expect + slack, "spread failed after {took:?}");

        let dl = Deadline::within(deadline);
        let start = Instant::now();
        let out = std::panic::catch_unwind(|| Jar::new(&dl).get(addr, "/login"));
        assert!(
            out.is_err(),
            "the cookie client got an answer from a hung balancer"
        );
        let took = start.elapsed();
        assert!(
            took < expect + slack,
            "the cookie client failed after {took:?}"
        );
    }
    // Past the deadline no request is even sent.
    let dl = Deadline::within(Duration::ZERO);
    let out = std::panic::catch_unwind(|| get(&dl, addr, "/late", None));
    assert!(out.is_err(), "a request was made after the deadline");
}

// ---------------------------------------------------------------------------
// The configs' comments state the values the tests above run.
// ---------------------------------------------------------------------------

/// The words of `line` after `prefix` up to `end`, when it has them.
fn between<'a>(line: &'a str, prefix: &str, end: &str) -> Option<&'a str> {
    let rest = &line[line.find(prefix)? + prefix.len()..];
    Some(&rest[..rest.find(end)?])
}

/// The comments that explain the failure policy ("fails 3 times within 10s",
/// "checked every 2s … down after 3 failed checks and back after 2 good
/// ones", "up to 3 retries", "at most 3 tries") state the values of the
/// directives they explain, in every nginx and haproxy config of every
/// example and fixture stage. Each comment is checked against the directive
/// lines that follow it (and every directive must follow such a comment).
#[test]
fn config_comments_state_the_directives_values() {
    use archc::emit::{self, Target};
    let mut checked = (0, 0);
    for path in common::buildable_designs() {
        let design = common::compile_file(&path);
        for m in &design.stages {
            let where_ = |f: &str| format!("{} stage {} {f}", path.display(), m.stage);
            for f in emit::emit(Target::Nginx, m, &emit::Options::default())
                .unwrap()
                .into_iter()
                .filter(|f| f.path.ends_with(".conf"))
            {
                let mut fails: Option<(String, String)> = None;
                let mut tries: Option<String> = None;
                let lines: Vec<&str> = f.contents.lines().map(str::trim).collect();
                for (i, l) in lines.iter().enumerate() {
                    if let Some(n) = between(l, "# ", " times within ") {
                        let t = between(l, " times within ", " is taken out").unwrap();
                        assert!(
                            l.ends_with(&format!("out of rotation for {t}.")),
                            "{}: {l}",
                            where_(&f.path)
                        );
                        fails = Some((n.to_string(), t.to_string()));
                    }
                    if let Some(n) = between(l, "at most ", " tries in all.") {
                        tries = Some(n.to_string());
                    }
                    // An upstream's `server HOST:PORT …;` (not `server {`).
                    if l.starts_with("server ") && l.ends_with(';') {
                        let (n, t) = fails.clone().unwrap_or_else(|| {
                            panic!("{}: `{l}` follows no failure comment", where_(&f.path))
                        });
                        assert!(
                            l.ends_with(&format!(" max_fails={n} fail_timeout={t};")),
                            "{}: the comment says {n} fails within {t}, the directive is `{l}` (line {})",
                            where_(&f.path),
                            i + 1
                        );
                        checked.0 += 1;
                    }
                    if let Some(v) = l.strip_prefix("proxy_next_upstream_tries ") {
                        assert_eq!(
                            Some(v.trim_end_matches(';')),
                            tries.as_deref(),
                            "{}: proxy_next_upstream_tries against its comment",
                            where_(&f.path)
                        );
                    }
                }
            }
            for f in emit::emit(Target::Haproxy, m, &emit::Options::default())
                .unwrap()
                .into_iter()
                .filter(|f| f.path.ends_with(".cfg"))
            {
                let mut check: Option<String> = None;
                let mut retries: Option<String> = None;
                let lines: Vec<&str> = f.contents.lines().map(str::trim).collect();
                for (i, l) in lines.iter().enumerate() {
                    if let Some(n) = between(l, "up to ", " retries.") {
                        retries = Some(n.to_string());
                    }
                    if let Some(v) = l.strip_prefix("retries ") {
                        assert_eq!(Some(v), retries.as_deref(), "{}", where_(&f.path));
                    }
                    if let Some(inter) = between(l, "checked every ", " on ") {
                        let next = lines[i + 1];
                        let fall = between(next, "down after ", " failed checks").unwrap();
                        let rise = between(next, "back after ", " good ones.").unwrap();
                        check = Some(format!("check inter {inter} fall {fall} rise {rise}"));
                    }
                    if l.starts_with("server ") {
                        let c = check.clone().unwrap_or_else(|| {
                            panic!("{}: `{l}` follows no check comment", where_(&f.path))
                        });
                        assert!(
                            l.contains(&format!(" {c}")),
                            "{}: the comment says `{c}`, the directive is `{l}` (line {})",
                            where_(&f.path),
                            i + 1
                        );
                        checked.1 += 1;
                    }
                }
            }
        }
    }
    assert!(
        checked.0 > 20 && checked.1 > 20,
        "too few server lines checked: {checked:?}"
    );
}

// ---------------------------------------------------------------------------
// The option itself.
// ---------------------------------------------------------------------------

/// `--local-ports` changes only addresses (and says so in a header line);
/// without it the output is the deployable one.
#[test]
fn local_ports_change_only_addresses() {
    let lab = Lab::new("traffic-sticky");
    let plain = common::visible_tempdir();
    let out = crate::cli::archc()
        .arg("build")
        .arg(common::repo().join("tests/fixtures/ok/traffic-sticky.arch"))
        .args(["-t", "nginx", "-t", "haproxy", "-o"])
        .arg(plain.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    for (rel, local) in [
        ("nginx/front.conf", lab.nginx_conf()),
        ("haproxy/front.cfg", lab.haproxy_cfg()),
    ] {
        let orig = std::fs::read_to_string(plain.path().join(rel)).unwrap();
        let (a, b): (Vec<&str>, Vec<&str>) = (orig.lines().collect(), local.lines().collect());
        let b: Vec<&str> = b
            .into_iter()
            .filter(|l| !l.contains("Local addresses from `archc build --local-ports`"))
            .collect();
        assert_eq!(a.len(), b.len(), "{rel}: line count differs");
        for (x, y) in a.iter().zip(&b) {
            if x == y {
                continue;
            }
            let addr_line = ["server ", "listen ", "bind ", "# http://127.0.0.1:"]
                .iter()
                .any(|k| x.trim_start().starts_with(k));
            assert!(addr_line, "{rel}: a non-address line changed:\n-{x}\n+{y}");
            for s in &lab.stubs {
                // Instance names stay (haproxy server name, cookie value).
                if x.contains(&format!("{}:8080", s.state.name)) {
                    assert!(y.contains(&s.addr()), "{rel}: {y}");
                }
            }
        }
    }
}

#[test]
fn local_ports_rejects_unknown_names_and_bad_addresses() {
    let dir = common::visible_tempdir();
    let json = dir.path().join("p.json");
    let fixture = common::repo().join("tests/fixtures/ok/traffic-sticky.arch");
    for (text, expect) in [
        (
            r#"{"upstream_addrs": {"app-9": "127.0.0.1:9"}}"#,
            "`app-9` is not one of app-1, app-2, app-3",
        ),
        (
            r#"{"upstream_addrs": {"app-1": "127.0.0.1:9; x"}}"#,
            "is not HOST:PORT",
        ),
        (
            r#"{"lb_listen": {"front": "127.0.0.1:70000"}}"#,
            "is not HOST:PORT",
        ),
        (r#"{"lb_listn": {}}"#, "unknown field `lb_listn`"),
    ] {
        std::fs::write(&json, text).unwrap();
        let out = crate::cli::archc()
            .arg("build")
            .arg(&fixture)
            .arg("-o")
            .arg(dir.path().join("out"))
            .arg("--local-ports")
            .arg(&json)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(expect), "{text}: {err}");
        assert!(
            !dir.path().join("out").exists(),
            "{text}: something was written"
        );
    }
}
