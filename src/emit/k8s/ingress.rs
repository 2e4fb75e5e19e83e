//! `70-ingress-<lb>.yaml`: a load balancer as an Ingress for ingress-nginx,
//! with its routing (sticky cookie, hashing) and the CDNs in front of it.

use super::emitter::{File, K8s};
use super::objects::*;
use crate::emit::Result;
use crate::model::{Cdn, Lb, LbMethod, Web};

/// Cookie ingress-nginx sets for sticky routing; the HAProxy target uses the
/// same name, so switching load balancers keeps clients' cookies meaningful.
const STICKY_COOKIE: &str = "SERVERID";

impl K8s<'_> {
    pub(super) fn ingress_file(&self, lb: &Lb) -> Result<Option<File>> {
        let backends: Vec<&Web> = lb
            .backends
            .iter()
            .filter_map(|b| self.webs.get(b.as_str()).copied())
            .collect();
        let Some(first) = backends.first() else {
            // Nothing behind it: an Ingress needs a backend.
            return Ok(None);
        };
        let mut docs = Vec::new();
        let (service, port) = if backends.len() == 1 {
            (first.name.clone(), first.port)
        } else {
            let svc = format!("{}-backends", lb.name);
            docs.push(self.backends_service(lb, &svc)?);
            (svc, lb.port)
        };
        let mut meta = self.meta(&lb.name, "lb");
        route(&mut meta, lb, backends.iter().any(|w| w.sticky));
        meta.notes.extend(self.stage_notes(lb));
        let tls_secret = format!("{}-tls", lb.name);
        meta.notes.extend(tls_notes(&self.ns, &tls_secret));
        docs.push(self.doc(
            "ingress",
            &Ingress {
                meta,
                service,
                port,
                tls_secret,
            },
        )?);
        Ok(Some(File {
            path: format!("70-ingress-{}.yaml", lb.name),
            intro: vec![format!(
                "Load balancer \"{}\": an Ingress for ingress-nginx (class nginx) in front of {}.",
                lb.name,
                lb.backends.join(", ")
            )],
            docs,
        }))
    }

    /// Several tiers behind one load balancer: one Service over all their
    /// pods (labelled archc.dev/lb), each on its own `http` port.
    fn backends_service(&self, lb: &Lb, svc: &str) -> Result<String> {
        let mut sel = Map::new();
        sel.insert("archc.dev/lb".into(), lb.name.clone());
        let mut meta = self.meta(svc, "lb");
        meta.notes.push(format!(
            "Every pod of {} behind \"{}\".",
            lb.backends.join(", "),
            lb.name
        ));
        self.doc(
            "service",
            &Service {
                meta,
                headless: false,
                publish_not_ready: false,
                selector: sel,
                ports: vec![Port {
                    name: "http",
                    port: lb.port,
                }],
            },
        )
    }

    /// What the Ingress's comment says about the rest of the stage: the
    /// other load balancers, and the CDNs in front of it or of another one.
    fn stage_notes(&self, lb: &Lb) -> Vec<String> {
        let mut notes = Vec::new();
        if self.m.lbs.len() > 1 {
            notes.push(format!(
                "This stage has {} load balancers: give each Ingress rule its own host so their / paths do not overlap.",
                self.m.lbs.len()
            ));
        }
        let first = self.cdn_origin();
        let origin = first == lb.name;
        if !origin && !self.m.cdns.is_empty() {
            notes.push(format!(
                "The CDNs of this stage use load balancer \"{first}\" as their origin (see its Ingress)."
            ));
        }
        for cdn in self.m.cdns.iter().filter(|_| origin) {
            notes.extend(cdn_notes(cdn));
        }
        notes
    }

    /// The CDNs sit in front of the first load balancer, their origin (as
    /// CloudFront's in the terraform target); the others point there.
    /// (The first one with an Ingress: one without web tiers has none.)
    fn cdn_origin(&self) -> &str {
        self.m
            .lbs
            .iter()
            .find(|l| {
                l.backends
                    .iter()
                    .any(|b| self.webs.contains_key(b.as_str()))
            })
            .map_or("", |l| l.name.as_str())
    }
}

/// How ingress-nginx spreads requests: a cookie pins each client to one pod
/// when a tier is stateful, else the design's method.
fn route(meta: &mut Meta, lb: &Lb, sticky: bool) {
    if sticky {
        meta.notes.push(
            "Stateful web tier: ingress-nginx pins each client to one pod with a cookie.".into(),
        );
        meta.annotations.insert(
            "nginx.ingress.kubernetes.io/affinity".into(),
            "cookie".into(),
        );
        meta.annotations.insert(
            "nginx.ingress.kubernetes.io/session-cookie-name".into(),
            STICKY_COOKIE.into(),
        );
        return;
    }
    match lb.method {
        LbMethod::RoundRobin => {}
        LbMethod::IpHash => {
            meta.annotations.insert(
                "nginx.ingress.kubernetes.io/upstream-hash-by".into(),
                "$binary_remote_addr".into(),
            );
        }
        LbMethod::LeastConn => {
            meta.notes.push(
                "least-conn: ingress-nginx has no least_conn; ewma also prefers the least busy pod."
                    .into(),
            );
            meta.annotations.insert(
                "nginx.ingress.kubernetes.io/load-balance".into(),
                "ewma".into(),
            );
        }
    }
}

fn cdn_notes(cdn: &Cdn) -> [String; 2] {
    let ttl = match cdn.ttl_seconds {
        Some(t) => format!("ttl {t} s"),
        None => "no ttl in the design: the CDN's default".into(),
    };
    [
        format!(
            "CDN \"{}\" serves {} ({ttl}{}) in front of this Ingress (terraform: CloudFront);",
            cdn.name,
            cdn.paths.join(", "),
            if cdn.versioned {
                ", query string in the cache key"
            } else {
                ""
            }
        ),
        "cache misses reach the same backends through the rule below.".into(),
    ]
}

/// HTTPS by default: the certificate is the user's (or cert-manager's), in
/// a Secret archc names but never writes (it holds a private key).
fn tls_notes(ns: &str, secret: &str) -> [String; 3] {
    [
        format!("HTTPS: put the site's certificate in the Secret {secret}: kubectl -n {ns} create secret tls {secret} --cert=CERT.pem --key=KEY.pem"),
        "(or let cert-manager issue it: annotate this Ingress with cert-manager.io/cluster-issuer). Until it exists,".into(),
        "ingress-nginx serves its self-signed default certificate; with tls it redirects HTTP to HTTPS.".into(),
    ]
}
