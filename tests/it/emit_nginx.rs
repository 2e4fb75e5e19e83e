//! Tests for the `nginx` target.

use crate::common::{self, nginx_block, nginx_headers};
use archc::emit::{self, nginx, Options, Target};
use archc::model::{LbMethod, Model};

/// The configs, without the README (tests/it/readme.rs).
fn render(m: &Model) -> Vec<emit::OutFile> {
    let mut files = emit::emit(Target::Nginx, m, &Options::default()).unwrap();
    files.retain(|f| f.path.ends_with(".conf"));
    files
}

/// Every design and stage: `nginx -t` accepts every generated config, with
/// the upstream host names mapped to 127.0.0.1 in a private mount namespace.
#[test]
fn nginx_accepts_every_config() {
    common::need_tool("nginx");
    common::need_tool("unshare");
    let tmp = common::visible_tempdir();
    let mut files = 0;
    for path in common::buildable_designs() {
        let design = common::compile_file(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let dir = tmp.path().join(&stem);
        common::write_all_stages(&design, Target::Nginx, &dir);
        files += design.stages.iter().map(|m| m.lbs.len()).sum::<usize>();
    }
    assert!(files > 0, "no design has a load balancer");
    let (ok, out) = common::validate_out(tmp.path());
    assert!(ok, "nginx rejected generated configs:\n{out}");
    let passed = out.lines().filter(|l| l.starts_with("ok   nginx")).count();
    assert_eq!(passed, files, "not every config was checked:\n{out}");
    eprintln!("nginx -t accepted {passed} configs");
}

/// The form a user runs: `nginx -t -p DIR/ -c DIR/<lb>.conf` with the config's
/// own directory as prefix (pid, temp and cache paths are relative to it), as
/// root, with the instance names taken from the model (not from the file)
/// mapped to 127.0.0.1 in a private mount namespace.
#[test]
fn nginx_accepts_its_own_directory_as_prefix() {
    let nginx = common::need_tool("nginx");
    let unshare = common::need_tool("unshare");
    let tmp = common::visible_tempdir();
    let mut checked = 0;
    for (at, m) in all_models() {
        let names: Vec<&str> = m
            .webs
            .iter()
            .flat_map(|w| w.instances.iter().map(String::as_str))
            .collect();
        for f in render(&m) {
            let dir = tmp.path().join(format!("{checked}"));
            std::fs::create_dir_all(&dir).unwrap();
            let hosts = dir.join("hosts");
            let mut h = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
            h.push_str(&format!("\n127.0.0.1 {}\n", names.join(" ")));
            std::fs::write(&hosts, h).unwrap();
            std::fs::write(dir.join(&f.path), &f.contents).unwrap();
            let out = std::process::Command::new(&unshare)
                .args(["-m", "sh", "-c"])
                .arg(r#"mount --make-rprivate / && mount --bind "$1" /etc/hosts && exec "$2" -t -p "$3/" -c "$3/$4""#)
                .args(["sh", hosts.to_str().unwrap(), nginx.to_str().unwrap(), dir.to_str().unwrap(), &f.path])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{at}: nginx -t {}:\n{text}", f.path);
            assert!(
                !text.contains("[warn]"),
                "{at}: nginx -t {} warns:\n{text}",
                f.path
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
    eprintln!("nginx -t -p DIR accepted {checked} configs");
}

#[test]
fn snapshots() {
    for (design, stem) in [
        ("examples/journey.arch", "journey"),
        ("examples/site.arch", "site"),
        ("examples/media.arch", "media"),
        ("examples/startup.arch", "startup"),
    ] {
        let d = common::compile_file(&common::repo().join(design));
        for m in &d.stages {
            // The configs and the README.
            let files = emit::emit(Target::Nginx, m, &Options::default()).unwrap();
            if m.lbs.is_empty() {
                assert!(files.is_empty(), "{stem}/{}: no lb, yet files", m.stage);
            }
            for f in files {
                insta::assert_snapshot!(
                    format!("nginx__{stem}__{}__{}", m.stage, f.path),
                    f.contents
                );
            }
        }
    }
}

/// Every model of every buildable design, with its design's name.
fn all_models() -> Vec<(String, Model)> {
    common::buildable_designs()
        .iter()
        .flat_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            common::compile_file(p)
                .stages
                .into_iter()
                .map(move |m| (format!("{name}/{}", m.stage), m))
        })
        .collect()
}

#[test]
fn one_file_per_load_balancer_and_lb_config_is_the_file() {
    for (at, m) in all_models() {
        let files = render(&m);
        let names: Vec<_> = files.iter().map(|f| f.path.clone()).collect();
        let want: Vec<_> = m.lbs.iter().map(|l| format!("{}.conf", l.name)).collect();
        assert_eq!(names, want, "{at}");
        assert_eq!(files, render(&m), "{at}: not deterministic");
        for (f, lb) in files.iter().zip(&m.lbs) {
            // The file is the config plus the design-lines header line
            // that every file gets on its way out of the emitter.
            assert_eq!(
                archc::provenance::without_design_lines(&f.contents),
                nginx::lb_config(&m, lb, &Options::default()).unwrap(),
                "{at}"
            );
            assert!(
                archc::provenance::design_lines(&f.contents).is_some_and(|l| !l.is_empty()),
                "{at}: no design lines"
            );
            let first = f.contents.lines().next().unwrap();
            assert_eq!(
                first,
                format!(
                    "# Generated by archc from {}, stage \"{}\". Do not edit.",
                    m.source_name, m.stage
                ),
                "{at}"
            );
        }
    }
}

#[test]
fn upstreams_list_every_instance_once_with_the_method() {
    let mut checked = 0;
    for (at, m) in all_models() {
        for (f, lb) in render(&m).iter().zip(&m.lbs) {
            let c = &f.contents;
            assert!(
                nginx_block(c, "server {")
                    .unwrap()
                    .contains(&format!("listen {} default_server;", lb.port)),
                "{at}: listen port"
            );
            let upstreams = nginx_headers(c, "upstream ");
            assert_eq!(upstreams.len(), lb.backends.len(), "{at}: {upstreams:?}");
            for b in &lb.backends {
                let w = m.webs.iter().find(|w| &w.name == b).unwrap();
                let body = nginx_block(c, &format!("upstream {b} {{"))
                    .unwrap_or_else(|| panic!("{at}: no upstream {b}"));
                let servers: Vec<&String> =
                    body.iter().filter(|l| l.starts_with("server ")).collect();
                assert_eq!(servers.len(), w.instances.len(), "{at}: {b}: {body:?}");
                for i in &w.instances {
                    let line = format!("server {i}:{} max_fails=3 fail_timeout=10s;", w.port);
                    assert_eq!(
                        servers.iter().filter(|s| **s == &line).count(),
                        1,
                        "{at}: {line} in {body:?}"
                    );
                }
                let methods: Vec<&String> = body
                    .iter()
                    .filter(|l| {
                        ["least_conn;", "ip_hash;", "random;"].contains(&l.as_str())
                            || l.starts_with("hash ")
                    })
                    .collect();
                let want: Vec<&str> = if w.sticky {
                    vec!["ip_hash;"]
                } else {
                    match lb.method {
                        LbMethod::RoundRobin => vec![],
                        LbMethod::LeastConn => vec!["least_conn;"],
                        LbMethod::IpHash => vec!["ip_hash;"],
                    }
                };
                assert_eq!(methods, want, "{at}: {b}");
                assert!(body.contains(&"keepalive 16;".to_string()), "{at}");
                checked += 1;
            }
            // The first tier answers `/`, with failover and the request id.
            let server = nginx_block(c, "server {").unwrap();
            for d in [
                "proxy_next_upstream error timeout http_502 http_503 http_504;",
                "proxy_set_header X-Request-Id $request_id;",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            ] {
                assert_eq!(
                    server.contains(&d.to_string()),
                    !lb.backends.is_empty(),
                    "{at}: {d}"
                );
            }
            let root = nginx_block(c, "location / {").unwrap();
            match lb.backends.first() {
                Some(first) => assert!(
                    root.contains(&format!("proxy_pass http://{first};")),
                    "{at}"
                ),
                None => assert!(root.iter().any(|l| l.starts_with("return 503")), "{at}"),
            }
            assert!(
                nginx_block(c, "location = /healthz {").is_some()
                    || nginx_block(c, "location = /lb-healthz {").is_some(),
                "{at}: balancer health"
            );
        }
    }
    assert!(checked >= 5, "only {checked} upstreams checked");
}

#[test]
fn sticky_tiers_use_ip_hash_even_with_least_conn() {
    let d = common::compile_file(&common::repo().join("tests/fixtures/ok/lb-haproxy-sticky.arch"));
    let m = d.last();
    assert!(m.webs[0].sticky && m.lbs[0].method == LbMethod::LeastConn);
    let c = &render(m)[0].contents;
    let body = nginx_block(c, "upstream app {").unwrap();
    assert!(
        body.contains(&"ip_hash;".to_string()) && !body.contains(&"least_conn;".to_string()),
        "{body:?}"
    );
    assert!(
        c.contains("no cookie stickiness"),
        "the comment explains ip_hash"
    );
    // `/healthz` is the tier's own health path: the balancer's moves aside.
    assert!(nginx_block(c, "location = /lb-healthz {").is_some());
    assert!(nginx_block(c, "location = /healthz {").is_none());
}

#[test]
fn every_cdn_path_has_a_cache_location_with_its_ttl() {
    let mut checked = 0;
    for (at, m) in all_models() {
        for (f, lb) in render(&m).iter().zip(&m.lbs) {
            let c = &f.contents;
            for cdn in &m.cdns {
                // One origin per CDN: the other balancers do not cache its paths.
                if cdn.origin_lb.as_deref() != Some(lb.name.as_str()) {
                    assert!(
                        !c.contains(&format!("keys_zone={}:10m", cdn.name)),
                        "{at}: lb {} is not the origin of CDN {} but caches it",
                        lb.name,
                        cdn.name
                    );
                    continue;
                }
                let ttl = cdn.ttl_seconds.unwrap_or(3600);
                let zone = nginx_headers(c, "proxy_cache_path ");
                let zone_line = c
                    .lines()
                    .find(|l| l.contains(&format!("keys_zone={}:10m", cdn.name)))
                    .unwrap_or_else(|| panic!("{at}: no zone for {} in {zone:?}", cdn.name));
                assert!(
                    zone_line
                        .trim()
                        .starts_with(&format!("proxy_cache_path cache_{} ", cdn.name)),
                    "{at}: relative cache dir: {zone_line}"
                );
                assert!(
                    zone_line.contains(&format!("inactive={ttl}s")),
                    "{at}: {zone_line}"
                );
                if cdn.ttl_seconds.is_none() {
                    assert!(
                        c.contains(&format!("CDN `{}` has no `ttl`", cdn.name)),
                        "{at}: default TTL explained"
                    );
                }
                if lb.backends.is_empty() {
                    continue;
                }
                for p in &cdn.paths {
                    let loc = format!("location {}/ {{", p.trim_end_matches('/'));
                    let body = nginx_block(c, &loc).unwrap_or_else(|| panic!("{at}: no {loc}"));
                    // A path listed by two CDNs is cached by the first.
                    let owner = m.cdns.iter().find(|o| o.paths.contains(p)).unwrap();
                    if owner.name != cdn.name {
                        continue;
                    }
                    let has = |d: String| {
                        assert!(body.contains(&d), "{at}: {loc} lacks `{d}`: {body:#?}")
                    };
                    has(format!("proxy_cache {};", cdn.name));
                    has(format!("proxy_cache_valid 200 301 302 {ttl}s;"));
                    has(format!(
                        "add_header Cache-Control \"public, max-age={ttl}\";"
                    ));
                    has("proxy_ignore_headers Cache-Control Expires Set-Cookie;".into());
                    has("proxy_hide_header Set-Cookie;".into());
                    has("add_header X-Cache-Status $upstream_cache_status always;".into());
                    has("add_header X-Request-Id $request_id always;".into());
                    has(if cdn.versioned {
                        "proxy_cache_key $scheme$proxy_host$uri$is_args$args;".into()
                    } else {
                        "proxy_cache_key $scheme$proxy_host$uri;".into()
                    });
                    assert!(
                        body.iter().any(|l| l.starts_with("proxy_pass http://")),
                        "{at}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 4, "only {checked} cache locations checked");
}

#[test]
fn further_tiers_are_routed_by_name() {
    let d = common::compile_file(&common::repo().join("tests/fixtures/ok/lb-tiers.arch"));
    let m = d.stage("two").unwrap();
    let files = render(m);
    let public = &files
        .iter()
        .find(|f| f.path == "public.conf")
        .unwrap()
        .contents;
    assert!(nginx_block(public, "location / {")
        .unwrap()
        .contains(&"proxy_pass http://site;".to_string()));
    // `/api` is both the api tier's route and a CDN path: one location does both.
    let api = nginx_block(public, "location /api/ {").unwrap();
    assert!(
        api.contains(&"proxy_pass http://api;".to_string())
            && api.contains(&"proxy_cache apicache;".to_string()),
        "{api:?}"
    );
    assert_eq!(nginx_headers(public, "location /api/").len(), 1);
    // A CDN path outside any tier route is fetched from the first tier.
    assert!(nginx_block(public, "location /media/ {")
        .unwrap()
        .contains(&"proxy_pass http://site;".to_string()));
    assert!(public.contains(
        "# Load balancer `public` of system `tiers`; the design runs it with nginx.\n\n#"
    ));
    let internal = &files
        .iter()
        .find(|f| f.path == "internal.conf")
        .unwrap()
        .contents;
    assert!(internal.contains(
        "the design runs it with haproxy.\n# This nginx configuration is for comparing or switching engines."
    ));
}

#[test]
fn no_load_balancer_no_files() {
    let d = common::compile_file(&common::repo().join("examples/journey.arch"));
    let m = d.stage("single").unwrap();
    assert!(m.lbs.is_empty());
    assert!(render(m).is_empty());
}

#[test]
fn nginx_output_grows_linearly_with_balancers_and_cdns() {
    // Each block of the design has its own balancer and CDN: when every
    // balancer cached every CDN's paths, doubling the design quadrupled this.
    common::assert_output_grows_linearly(Target::Nginx, &[]);
}

#[test]
fn a_cdn_is_cached_by_its_origin_balancer_only() {
    let c = archc::compile(
        "cdn.arch",
        "lb spare\nweb site x2 behind lb front\nlb front haproxy\ncdn media for /media ttl 2h\n",
    );
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    let m = c.design.stages.last().unwrap();
    // `spare` comes first but fronts no web tier: the site's origin is `front`.
    assert_eq!(m.cdns[0].origin_lb.as_deref(), Some("front"));
    let files = render(m);
    let conf = |name: &str| &files.iter().find(|f| f.path == name).unwrap().contents;
    assert!(conf("front.conf").contains("location /media/ {"));
    assert!(conf("front.conf").contains("keys_zone=media:10m"));
    assert!(
        !conf("spare.conf").contains("media"),
        "{}",
        conf("spare.conf")
    );
    let tf = emit::emit(Target::Terraform, m, &Options::default()).unwrap();
    let edge = &tf.iter().find(|f| f.path == "edge.tf").unwrap().contents;
    assert!(
        edge.contains("domain_name = aws_lb.lb_front.dns_name"),
        "{edge}"
    );
}
