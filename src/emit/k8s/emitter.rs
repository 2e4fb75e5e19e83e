//! The state every family of documents shares (`K8s`: the model, the
//! namespace, the Secret, the application environment) and the documents
//! they all build alike: labels, Services, PodDisruptionBudgets, the pods of
//! the data tier; and how a file's documents become one output file.

use super::objects::*;
use crate::emit::templates::Engine;
use crate::emit::{OutFile, Result};
use crate::model::{AppEnv, Label, Model, Origin, Queue, Web, EMULATOR_CREDENTIALS};
use serde::Serialize;
use std::collections::HashMap;
use tera::Context;

const MANAGED_BY: &str = "archc";
/// Storage for components whose size the language does not give (mongodb,
/// persistent queues).
pub(super) const DEFAULT_VOLUME_GB: u32 = 10;

/// One output file before rendering: its intro comment and its documents.
pub(super) struct File {
    pub(super) path: String,
    pub(super) intro: Vec<String>,
    pub(super) docs: Vec<String>,
}

pub(super) struct K8s<'m> {
    pub(super) m: &'m Model,
    pub(super) ns: String,
    pub(super) secret: String,
    /// The model's application environment contract.
    pub(super) contract: AppEnv,
    /// (kind, name) of every data component workers read a variable of.
    pub(super) worker_reads: std::collections::HashSet<(String, String)>,
    /// Its shared, non-secret part with this target's addresses: the
    /// ConfigMap `<system>-app-env` that web tiers and workers read whole
    /// (`envFrom`).
    pub(super) app_env: Map,
    /// Keys of the `<system>-secrets` Secret, which web tiers and workers read
    /// whole (`envFrom`): each key is the variable's name.
    pub(super) secret_keys: Vec<String>,
    /// `env_hash` of what web tiers and workers read, computed once.
    pub(super) env_hash: String,
    /// `base_ctx()`, built once: every document's context starts from it.
    base: Context,
    /// The engine its templates render with (the user's overrides, if any).
    pub(super) tpl: Engine<'m>,
    pub(super) webs: HashMap<&'m str, &'m Web>,
    pub(super) queues: HashMap<&'m str, &'m Queue>,
    /// The design's `label`s by (component kind, object name): added to the
    /// labels of that component's objects and pods, never to a selector.
    user_labels: HashMap<&'m str, Vec<(&'static str, &'m [Label])>>,
}

/// Every object name a component's labels go on, with the kind its objects
/// are labelled with: a database's by each shard (a StatefulSet each).
fn user_labels(m: &Model) -> HashMap<&str, Vec<(&'static str, &[Label])>> {
    type Out<'m> = HashMap<&'m str, Vec<(&'static str, &'m [Label])>>;
    let mut out: Out = HashMap::new();
    fn add<'m>(out: &mut Out<'m>, kind: &'static str, name: &'m str, labels: &'m [Label]) {
        if !labels.is_empty() {
            out.entry(name).or_default().push((kind, labels));
        }
    }
    for w in &m.webs {
        add(&mut out, "web", &w.name, &w.labels);
    }
    for w in &m.workers {
        add(&mut out, "worker", &w.name, &w.labels);
    }
    for l in &m.lbs {
        add(&mut out, "lb", &l.name, &l.labels);
    }
    for d in &m.dbs {
        add(&mut out, "db", &d.name, &d.labels);
        for s in d.shards.iter().filter(|s| s.primary != d.name) {
            add(&mut out, "db", &s.primary, &d.labels);
        }
    }
    for c in &m.caches {
        add(&mut out, "cache", &c.name, &c.labels);
    }
    for n in &m.nosqls {
        add(&mut out, "nosql", &n.name, &n.labels);
    }
    for q in &m.queues {
        add(&mut out, "queue", &q.name, &q.labels);
    }
    out
}

/// Tier label values (`archc.dev/tier`): the network policies select by them.
pub(super) const TIER_WEB: &str = "web";
pub(super) const TIER_DATA: &str = "data";
pub(super) const TIER_WORKER: &str = "worker";
pub(super) const TIER_OPS: &str = "ops";
/// Pod annotation: hash of the shared environment (ConfigMaps and Secret
/// keys) the pod reads, so a change to it rolls the pods.
pub(super) const ENV_HASH: &str = "archc.dev/env-hash";

impl<'m> K8s<'m> {
    pub(super) fn new(m: &'m Model, tpl: Engine<'m>) -> Self {
        let mut k = K8s {
            m,
            ns: m.system.clone(),
            secret: format!("{}-secrets", m.system),
            contract: m.app_env(),
            worker_reads: Default::default(),
            app_env: Map::new(),
            secret_keys: Vec::new(),
            env_hash: String::new(),
            base: Context::new(),
            tpl,
            webs: m.webs.iter().map(|w| (w.name.as_str(), w)).collect(),
            queues: m.queues.iter().map(|q| (q.name.as_str(), q)).collect(),
            user_labels: user_labels(m),
        };
        k.app_env = k.shared_env();
        k.secret_keys = k.contract.secrets().map(|v| v.name.clone()).collect();
        // The local DynamoDB / SQS emulators' credentials, as Secret keys.
        if m.needs_emulator_credentials() {
            k.secret_keys.extend(EMULATOR_CREDENTIALS.map(String::from));
        }
        k.worker_reads = k
            .contract
            .vars
            .iter()
            .filter(|v| !matches!(v.reader, crate::model::Reader::Web(_)))
            .map(|v| (v.kind.to_string(), v.component.clone()))
            .collect();
        k.env_hash = k.compute_env_hash();
        k.base = k.base_ctx();
        k
    }

    pub(super) fn base_ctx(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert("ns", &self.ns);
        ctx.insert("secret", &self.secret);
        ctx.insert("header", &crate::emit::header_line(self.m));
        ctx
    }

    /// A ConfigMap of files that pods mount (scripts, a collector's config).
    pub(super) fn files_config_map(&self, meta: Meta, data: Map) -> Result<String> {
        self.doc(
            "config-map",
            &ConfigMap {
                meta,
                data,
                env: false,
            },
        )
    }

    /// A ConfigMap holding one file, `key`, for a collector to mount.
    pub(super) fn one_file_config_map(
        &self,
        meta: Meta,
        key: &str,
        text: String,
    ) -> Result<String> {
        self.files_config_map(meta, Map::from([(key.to_string(), text)]))
    }

    pub(super) fn doc(&self, template: &str, o: &impl Serialize) -> Result<String> {
        // A clone of three short strings, not three serialisations a document.
        let mut ctx = self.base.clone();
        ctx.insert("o", o);
        // Each document ends with exactly one newline, so the file does too.
        Ok(one_newline(self.tpl.render(template, &ctx)?))
    }

    /// A Deployment, StatefulSet or DaemonSet, annotated with the checkov
    /// checks it fails on purpose and why (see `policy`).
    pub(super) fn workload(&self, mut w: Workload) -> Result<String> {
        let skips = super::policy::checkov_skips(&w);
        w.meta.annotations.extend(skips);
        self.doc("workload", &w)
    }

    /// The file's header comment from its template, then its documents,
    /// already rendered, appended as they are (not copied through a context).
    pub(super) fn render_file(&self, f: File, origins: &[&Origin]) -> Result<OutFile> {
        let mut ctx = self.base.clone();
        ctx.insert("intro", &f.intro);
        let head = self.tpl.render("file", &ctx)?;
        // The head goes in front of the first document, in its buffer: a
        // file of megabytes (the network policies) is not copied whole.
        let mut docs = f.docs.into_iter();
        let mut contents = match docs.next() {
            Some(mut first) => {
                first.insert_str(0, &head);
                first
            }
            None => head,
        };
        for d in docs {
            contents.push_str(&d);
        }
        Ok(OutFile::new(f.path, contents, origins))
    }

    // --- labels -------------------------------------------------------------

    /// Labels on an object's own metadata.
    pub(super) fn labels(&self, name: &str, component: &str) -> Map {
        let mut l = Map::new();
        l.insert("app.kubernetes.io/name".into(), name.into());
        l.insert("app.kubernetes.io/component".into(), component.into());
        l.insert("app.kubernetes.io/part-of".into(), self.m.system.clone());
        l.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
        l.insert("archc.dev/stage".into(), self.m.stage.clone());
        self.add_user_labels(&mut l, name, component);
        l
    }

    /// The design's `label`s of the component whose object `name` is.
    fn add_user_labels(&self, l: &mut Map, name: &str, component: &str) {
        let Some(of_name) = self.user_labels.get(name) else {
            return;
        };
        for (_, labels) in of_name.iter().filter(|(kind, _)| *kind == component) {
            l.extend(labels.iter().map(|u| (u.key.clone(), u.value.clone())));
        }
    }

    pub(super) fn meta(&self, name: &str, component: &str) -> Meta {
        Meta {
            name: name.into(),
            labels: self.labels(name, component),
            ..Meta::default()
        }
    }

    /// Labels on pods. No stage label: moving to the next stage must not
    /// restart pods whose spec did not change.
    pub(super) fn pod_labels(&self, name: &str, component: &str, tier: &str) -> Map {
        let mut l = Map::new();
        l.insert("app.kubernetes.io/name".into(), name.into());
        l.insert("app.kubernetes.io/component".into(), component.into());
        l.insert("app.kubernetes.io/part-of".into(), self.m.system.clone());
        l.insert("archc.dev/tier".into(), tier.into());
        self.add_user_labels(&mut l, name, component);
        l
    }

    pub(super) fn pdb(&self, name: &str, component: &str) -> Result<String> {
        self.doc(
            "pdb",
            &Pdb {
                meta: self.meta(name, component),
                selector: selector(name),
            },
        )
    }

    pub(super) fn headless_service(
        &self,
        name: &str,
        component: &str,
        port: Port,
    ) -> Result<String> {
        self.doc(
            "service",
            &Service {
                meta: self.meta(name, component),
                headless: true,
                publish_not_ready: false,
                selector: selector(name),
                ports: vec![port],
            },
        )
    }

    pub(super) fn data_pod(&self, name: &str, component: &str, c: Container) -> Pod {
        Pod {
            labels: self.pod_labels(name, component, TIER_DATA),
            annotations: Map::new(),
            service_account: None,
            non_root: false,
            run_as_user: None,
            run_as_group: None,
            fs_group: None,
            init_containers: Vec::new(),
            containers: vec![c],
            volumes: Vec::new(),
        }
    }

    pub(super) fn cluster_service(
        &self,
        name: &str,
        component: &str,
        port_name: &'static str,
        port: u16,
    ) -> Result<String> {
        self.doc(
            "service",
            &Service {
                meta: self.meta(name, component),
                headless: false,
                publish_not_ready: false,
                selector: selector(name),
                ports: vec![Port {
                    name: port_name,
                    port,
                }],
            },
        )
    }
}

/// `1 shard`, `4 shards`.
pub(super) fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Text ending with exactly one newline.
pub(super) fn one_newline(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}
