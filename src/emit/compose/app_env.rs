//! The environment every application instance (web and worker) shares, and
//! each one's own part of it.

use super::ops::{FLUENT_FORWARD_PORT, LOGS};
use super::passes::Builder;
use super::service::literal;
use crate::model::{App, Meaning, SecretName, EMULATOR_CREDENTIALS, LOG_SHIPPING};
use indexmap::IndexMap;

impl Builder<'_> {
    /// Environment shared by web and worker instances: the model's
    /// application environment contract (`Model::app_env`) with compose's
    /// addresses (service names), plus the compose-only extras: dummy AWS
    /// credentials for the local emulators and where the log collector is.
    pub(super) fn app_env(&mut self) -> IndexMap<String, String> {
        let m = self.m;
        let mut env = IndexMap::new();
        let contract = std::mem::take(&mut self.contract);
        for v in contract.shared() {
            let value = match &v.meaning {
                Meaning::Primaries { instances }
                | Meaning::Replicas { instances, .. }
                | Meaning::Nodes { instances } => instances.join(","),
                Meaning::Password => {
                    let comment = self.secret_comment(v);
                    self.secret(&v.name, comment)
                }
                // The local caches run plain, without TLS.
                Meaning::Tls => "false".into(),
                Meaning::ApiEndpoint => m.local_api_endpoint(v),
                Meaning::QueueUrl => m.local_queue_url(v),
                other => other.literal().unwrap_or_default(),
            };
            env.insert(v.name.clone(), value);
        }
        self.contract = contract;
        if m.needs_emulator_credentials() {
            self.aws_credentials(&mut env);
        }
        if m.logs.is_some() {
            let [host, port] = LOG_SHIPPING;
            env.insert(host.into(), LOGS.into());
            env.insert(port.into(), FLUENT_FORWARD_PORT.to_string());
        }
        env
    }

    /// Local AWS emulators accept any credentials, but the SDKs insist on some.
    fn aws_credentials(&mut self, env: &mut IndexMap<String, String>) {
        let [id_var, key_var] = EMULATOR_CREDENTIALS;
        let id = self.secret(
            id_var,
            "AWS credentials for the SDKs; the local DynamoDB / SQS emulators accept any value."
                .into(),
        );
        env.insert(id_var.into(), id);
        let key = self.secret(key_var, format!("Secret of {id_var}."));
        env.insert(key_var.into(), key);
    }

    /// A web tier's or worker's own part of the contract: archc's, then the
    /// design's `env` (as written: `$` reaches the container as `$`) and
    /// `secret` (from the deploying shell or `.env`, never a value here).
    pub(super) fn own_env(&mut self, app: App<'_>) -> IndexMap<String, String> {
        let contract = std::mem::take(&mut self.contract);
        let env = contract
            .own(app)
            .map(|v| {
                let value = match &v.meaning {
                    Meaning::Given { value } => literal(value),
                    Meaning::Secret => {
                        let comment = self.design_secret_comment(&v.name);
                        self.secret(&v.name, comment)
                    }
                    other => other.literal().unwrap_or_default(),
                };
                (v.name.clone(), value)
            })
            .collect();
        self.contract = contract;
        env
    }

    /// The `.env.example` comment of a `secret NAME` of the design: which
    /// applications read it.
    fn design_secret_comment(&self, name: &str) -> String {
        let m = self.m;
        let declares = |s: &[SecretName]| s.iter().any(|s| s.name == name);
        let readers: Vec<String> = m
            .webs
            .iter()
            .filter(|w| declares(&w.secrets))
            .map(|w| format!("web `{}`", w.name))
            .chain(
                m.workers
                    .iter()
                    .filter(|w| declares(&w.secrets))
                    .map(|w| format!("worker `{}`", w.name)),
            )
            .collect();
        format!(
            "`secret {name}` of {}: set it in the deploying shell's environment, or here.",
            readers.join(", ")
        )
    }
}
