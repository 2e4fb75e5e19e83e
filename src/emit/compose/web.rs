//! Web tiers and the load balancers in front of them, whose configs the
//! balancer targets write and compose mounts.

use super::passes::Builder;
use super::project::Published;
use super::service::{
    cmd, labels, limits, literal, plural, Dependency, Healthcheck, Service, BACKEND, EDGE,
};
use crate::emit::balancer::{self, engine_name};
use crate::emit::{haproxy, nginx, Options, OutFile, Result};
use crate::model::{App, LbEngine, Model, Web};

/// The config of every load balancer, for the engine the design chose
/// (`nginx/<lb>.conf` or `haproxy/<lb>.cfg`): each balancer target's
/// `lb_config`, the same file it writes itself.
pub(super) fn balancer_configs(model: &Model, opts: &Options) -> Result<Vec<OutFile>> {
    let mut files = Vec::new();
    for lb in &model.lbs {
        let (path, contents) = match lb.engine {
            LbEngine::Nginx => (
                format!("nginx/{}.conf", lb.name),
                nginx::lb_config(model, lb, opts)?,
            ),
            LbEngine::Haproxy => (
                format!("haproxy/{}.cfg", lb.name),
                haproxy::lb_config(model, lb, opts)?,
            ),
        };
        files.push(OutFile::new(
            path,
            contents,
            &balancer::lb_origins(model, lb),
        ));
    }
    Ok(files)
}

/// Said above a web tier or worker that runs the runtime plan's placeholder:
/// what it is, and how to run the application instead.
pub(super) fn placeholder_note(what: &str) -> [String; 2] {
    [
        "No image in the design: a placeholder runs (busybox and the command below).".into(),
        format!("Run your application: `image \"registry/app:tag\"` on {what} in the design."),
    ]
}

const NGINX_IMAGE: &str = "nginx:1.27-alpine";
const HAPROXY_IMAGE: &str = "haproxy:3.0-alpine";

impl Builder<'_> {
    pub(super) fn lbs(&mut self) {
        let m = self.m;
        for lb in &m.lbs {
            let (image, mount) = match lb.engine {
                LbEngine::Nginx => (
                    NGINX_IMAGE,
                    format!("./nginx/{}.conf:/etc/nginx/nginx.conf:ro", lb.name),
                ),
                LbEngine::Haproxy => (
                    HAPROXY_IMAGE,
                    format!(
                        "./haproxy/{}.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro",
                        lb.name
                    ),
                ),
            };
            let host_port = self.host_port();
            self.p.published.push(Published {
                what: "load balancer",
                service: lb.name.clone(),
                host_port,
                health: m.lb_health_path(lb),
            });
            let backends: Vec<String> = m
                .webs
                .iter()
                .filter(|w| lb.backends.contains(&w.name))
                .flat_map(|w| w.instances.iter().cloned())
                .collect();
            let mut comments = vec![format!(
                "Load balancer `{}` ({}, {}): on the edge network, published on host port {host_port}.",
                lb.name,
                engine_name(lb.engine),
                method_word(lb.method)
            )];
            if host_port != 80 {
                comments.push("(Port 80 belongs to the first public service.)".into());
            }
            self.service(Service {
                name: lb.name.clone(),
                comments,
                image: image.into(),
                hostname: Some(lb.name.clone()),
                restart: true,
                ports: vec![format!("{host_port}:{}", lb.port)],
                labels: labels(&lb.labels),
                volumes: vec![mount],
                depends_on: backends
                    .into_iter()
                    .map(|s| Dependency {
                        service: s,
                        condition: "service_healthy",
                    })
                    .collect(),
                networks: vec![EDGE, BACKEND],
                ..Service::default()
            });
        }
    }

    pub(super) fn webs(&mut self) {
        let m = self.m;
        for w in &m.webs {
            for (i, inst) in w.instances.iter().enumerate() {
                let mut comments = if i == 0 { web_comments(w) } else { Vec::new() };
                let env = self.own_env(App::Web(&w.name));
                let (ports, networks) = if w.lb.is_none() {
                    let hp = self.host_port();
                    self.p.published.push(Published {
                        what: "web tier",
                        service: inst.clone(),
                        host_port: hp,
                        health: w.health.clone(),
                    });
                    comments.push(format!(
                        "On the edge network, published on host port {hp}{}.",
                        if hp == 80 {
                            ""
                        } else {
                            " (port 80 belongs to the first public service)"
                        }
                    ));
                    (vec![format!("{hp}:{}", w.port)], vec![EDGE, BACKEND])
                } else {
                    (Vec::new(), vec![BACKEND])
                };
                let url = format!("http://127.0.0.1:{}{}", w.port, w.health);
                if i == 0 && w.placeholder {
                    comments.extend(placeholder_note(&format!("web tier `{}`", w.name)));
                }
                self.service(Service {
                    name: inst.clone(),
                    comments,
                    image: literal(&w.image),
                    script: w.placeholder_script().unwrap_or_default(),
                    hostname: Some(inst.clone()),
                    restart: true,
                    ports,
                    expose: vec![w.port.to_string()],
                    environment: env,
                    labels: labels(&w.labels),
                    app: true,
                    healthcheck: Some(Healthcheck::new(
                        cmd(&["wget", "-q", "-O", "/dev/null", &url]),
                        "30s",
                    )),
                    networks,
                    limits: limits(&w.resources, w.resources.memory_mb),
                    ..Service::default()
                });
            }
        }
    }
}

/// The comment above a web tier's first instance: its shape, and what
/// compose cannot do of it.
fn web_comments(w: &Web) -> Vec<String> {
    let mut comments = vec![format!(
        "Web tier `{}`: {}, {}.",
        w.name,
        plural(w.instances.len(), "instance"),
        match &w.lb {
            Some(lb) => format!("behind load balancer `{lb}`"),
            None => "no load balancer, so it is public".into(),
        }
    )];
    if let Some(a) = &w.autoscale {
        comments.push(format!(
            "autoscale {}..{} at cpu {}%: compose cannot autoscale, so the {} minimum instances run.",
            a.min, a.max, a.cpu_percent, a.min
        ));
    }
    if w.sticky {
        comments.push(
            "Stateful and sticky: the load balancer sends a user back to the same instance.".into(),
        );
    }
    comments
}

fn method_word(m: crate::model::LbMethod) -> &'static str {
    match m {
        crate::model::LbMethod::RoundRobin => "round-robin",
        crate::model::LbMethod::LeastConn => "least-conn",
        crate::model::LbMethod::IpHash => "ip-hash",
    }
}
