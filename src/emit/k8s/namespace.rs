//! `00-namespace.yaml`: the Namespace, and the commands that create the
//! Secrets archc never writes (the README lists the same ones).

use super::emitter::{File, K8s};
use crate::emit::Result;
use serde::Serialize;

/// A Secret the user creates before applying the manifests.
#[derive(Serialize)]
pub(super) struct SecretToCreate {
    pub(super) name: String,
    /// The web tier or worker (`kind`, `name`) whose `secret`s it holds;
    /// `None`: the stage's passwords, which any random value will do.
    pub(super) app: Option<(&'static str, String)>,
    pub(super) keys: Vec<SecretKey>,
}

#[derive(Serialize)]
pub(super) struct SecretKey {
    pub(super) key: String,
    /// The shell word of its value: a random one for a password, the
    /// deploying environment's variable for an application's `secret`.
    pub(super) value: String,
}

impl K8s<'_> {
    /// Every Secret the manifests read, with the keys they read: the shared
    /// one of passwords, then each application's own.
    pub(super) fn secrets_to_create(&self) -> Vec<SecretToCreate> {
        let mut out = Vec::new();
        if !self.secret_keys.is_empty() {
            out.push(SecretToCreate {
                name: self.secret.clone(),
                app: None,
                keys: self
                    .secret_keys
                    .iter()
                    .map(|k| SecretKey {
                        key: k.clone(),
                        value: "\"$(openssl rand -hex 24)\"".into(),
                    })
                    .collect(),
            });
        }
        for (kind, name, secret, keys) in self.app_secrets() {
            out.push(SecretToCreate {
                name: secret,
                app: Some((kind, name.to_string())),
                keys: keys
                    .into_iter()
                    .map(|k| SecretKey {
                        key: k.to_string(),
                        value: format!("\"${k}\""),
                    })
                    .collect(),
            });
        }
        out
    }

    pub(super) fn namespace_file(&self) -> Result<File> {
        let mut intro = Vec::new();
        for s in self.secrets_to_create() {
            intro.push(match &s.app {
                None => format!(
                    "Passwords are read from the Secret \"{}\", which archc never writes. Create it after this file, before the others:",
                    s.name
                ),
                Some((kind, name)) => format!(
                    "The `secret` variables of {kind} \"{name}\" are keys of its own Secret \"{}\", which archc never writes either. Create it from the deploying environment:",
                    s.name
                ),
            });
            let mut cmd = format!(
                "  kubectl create secret generic {} --namespace {}",
                s.name, self.ns
            );
            for k in &s.keys {
                cmd.push_str(&format!(" \\\n#     --from-literal={}={}", k.key, k.value));
            }
            intro.push(cmd);
        }
        if let Some(dc) = &self.m.datacenters {
            intro.push(format!(
                "Data centers {}: apply these manifests to one cluster per data center{}.",
                dc.regions.join(", "),
                if dc.geodns {
                    "; geo DNS sends each user to the nearest one's ingress"
                } else {
                    ""
                }
            ));
        }
        let mut meta = self.meta(&self.ns, "namespace");
        meta.labels.shift_remove("app.kubernetes.io/component");
        Ok(File {
            path: "00-namespace.yaml".into(),
            intro,
            docs: vec![self.doc("namespace", &meta)?],
        })
    }
}
