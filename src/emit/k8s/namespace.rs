//! `00-namespace.yaml`: the Namespace, and the command that creates the
//! Secret of passwords archc never writes.

use super::emitter::{File, K8s};
use crate::emit::Result;

impl K8s<'_> {
    pub(super) fn namespace_file(&self) -> Result<File> {
        let mut intro = Vec::new();
        let keys = &self.secret_keys;
        if !keys.is_empty() {
            intro.push(format!(
                "Passwords are read from the Secret \"{}\", which archc never writes. Create it after this file, before the others:",
                self.secret
            ));
            let mut cmd = format!(
                "  kubectl create secret generic {} --namespace {}",
                self.secret, self.ns
            );
            for k in keys {
                cmd.push_str(&format!(
                    " \\\n#     --from-literal={k}=\"$(openssl rand -hex 24)\""
                ));
            }
            intro.push(cmd);
        }
        for (kind, name, secret, keys) in self.app_secrets() {
            intro.push(format!(
                "The `secret` variables of {kind} \"{name}\" are keys of its own Secret \"{secret}\", which archc never writes either. Create it from the deploying environment:"
            ));
            let mut cmd = format!(
                "  kubectl create secret generic {secret} --namespace {}",
                self.ns
            );
            for k in keys {
                cmd.push_str(&format!(" \\\n#     --from-literal={k}=\"${k}\""));
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
