//! `README.md` (`README.md.tera`): the Secrets to create (those the
//! manifests read, as `00-namespace.yaml` prints them), `kubectl apply -k`,
//! and how to reach what the stage serves.

use super::emitter::K8s;
use super::namespace::SecretToCreate;
use crate::emit::readme::{placeholders, readme, Placeholder};
use crate::emit::{OutFile, Result};
use crate::model::{Lb, Origin};
use serde::Serialize;

#[derive(Serialize)]
struct K8sReadme<'a> {
    system: &'a str,
    stage: &'a str,
    namespace: &'a str,
    secrets: Vec<SecretToCreate>,
    /// The load balancers written as an Ingress.
    ingresses: Vec<&'a str>,
    /// Web tiers behind no load balancer: a Service to port-forward to.
    services: Vec<Forward<'a>>,
    /// Data centers: one cluster per region.
    regions: &'a [String],
    placeholders: Vec<Placeholder>,
}

#[derive(Serialize)]
struct Forward<'a> {
    service: &'a str,
    port: u16,
}

impl K8s<'_> {
    /// `ingresses`: the load balancers that got an Ingress file.
    pub(super) fn readme_file(&self, ingresses: &[&Lb]) -> Result<OutFile> {
        let m = self.m;
        let (placeholders, mut made_of) = placeholders(m);
        made_of.extend(super::shared_file_origins(m, "00-namespace.yaml"));
        made_of.extend(ingresses.iter().map(|l| &l.origin));
        let unbalanced = m.webs.iter().filter(|w| w.lb.is_none());
        made_of.extend(unbalanced.clone().map(|w| &w.origin));
        let made_of: Vec<&Origin> = made_of;
        let facts = K8sReadme {
            system: &m.system,
            stage: &m.stage,
            namespace: &self.ns,
            secrets: self.secrets_to_create(),
            ingresses: ingresses.iter().map(|l| l.name.as_str()).collect(),
            services: unbalanced
                .map(|w| Forward {
                    service: &w.name,
                    port: w.port,
                })
                .collect(),
            regions: m.datacenters.as_ref().map_or(&[], |d| d.regions.as_slice()),
            placeholders,
        };
        readme(m, self.tpl, &facts, &made_of)
    }
}
