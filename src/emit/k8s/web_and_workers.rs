//! `50-web-<name>.yaml` and `60-worker-<name>.yaml`: the application tiers,
//! Deployments of the design's images reading the shared environment.

use super::emitter::{plural, File, K8s, ENV_HASH, TIER_WEB, TIER_WORKER};
use super::objects::*;
use crate::emit::Result;
use crate::model::runtime::{one_line, placeholder};
use crate::model::{App, Resources, Web, WebState, Worker};

impl K8s<'_> {
    fn app_container(
        &self,
        name: &str,
        image: &str,
        res: &Resources,
        env: Vec<Env>,
        web: Option<&Web>,
        placeholder_script: Option<Vec<String>>,
    ) -> Container {
        let (ports, probes) = match web {
            Some(w) => (
                vec![Port {
                    name: "http",
                    port: w.port,
                }],
                vec![
                    Probe::http(&w.health, 5, 10).ready(),
                    Probe::http(&w.health, 15, 20).live(),
                ],
            ),
            None => (Vec::new(), Vec::new()),
        };
        Container {
            name: name.into(),
            image: image.into(),
            // The placeholder's script; an image of the design runs its own.
            command: placeholder_script
                .map_or_else(Vec::new, |s| vec!["sh".into(), "-c".into(), one_line(&s)]),
            args: Vec::new(),
            ports,
            env,
            probes,
            cpu: res.cpu.clone(),
            memory: mib(res.memory_mb),
            mounts: vec![Mount {
                name: TMP,
                path: "/tmp",
                sub_path: None,
                read_only: false,
            }],
            env_from: self.env_from(),
            caps_add: Vec::new(),
            read_only_root: true,
        }
    }

    pub(super) fn web_file(&self, w: &Web) -> Result<File> {
        let name = &w.name;
        let mut docs = vec![
            self.workload(self.web_deployment(w))?,
            self.cluster_service(name, "web", "http", w.port)?,
        ];
        if let Some(a) = &w.autoscale {
            docs.push(self.doc(
                "hpa",
                &Hpa {
                    meta: self.meta(name, "web"),
                    target: name.clone(),
                    min: a.min,
                    max: a.max,
                    cpu_percent: a.cpu_percent,
                },
            )?);
        }
        if several_pods(w) {
            docs.push(self.pdb(name, "web")?);
        }
        Ok(File {
            path: format!("50-web-{name}.yaml"),
            intro: vec![web_intro(w)],
            docs,
        })
    }

    fn web_deployment(&self, w: &Web) -> Workload {
        let name = &w.name;
        let mut meta = self.meta(name, "web");
        meta.notes.push(format!(
            "Instances {} are the pods of this Deployment.",
            w.instances.join(", ")
        ));
        meta.notes
            .extend(image_notes(w.placeholder, &format!("web tier \"{name}\"")));
        if w.autoscale.is_some() {
            meta.notes
                .push("No replicas: the HorizontalPodAutoscaler below owns the count.".into());
        }
        meta.notes.extend(self.app_secret_note(name, &w.secrets));
        Workload {
            kind: "Deployment",
            meta,
            replicas: if w.autoscale.is_some() {
                None
            } else {
                Some(w.count)
            },
            service_name: None,
            selector: selector(name),
            spread: several_pods(w),
            pod: self.web_pod(w),
            claims: Vec::new(),
        }
    }

    /// Labelled with its load balancer (which may route to several tiers
    /// through one Service), annotated for Prometheus when the stage
    /// collects metrics.
    fn web_pod(&self, w: &Web) -> Pod {
        let name = &w.name;
        let mut labels = self.pod_labels(name, "web", TIER_WEB);
        if let Some(lb) = &w.lb {
            labels.insert("archc.dev/lb".into(), lb.clone());
        }
        let mut annotations = Map::new();
        if self.m.metrics.is_some() {
            annotations.insert("prometheus.io/scrape".into(), "true".into());
            annotations.insert("prometheus.io/port".into(), w.port.to_string());
            annotations.insert("prometheus.io/path".into(), "/metrics".into());
        }
        annotations.insert(ENV_HASH.into(), self.env_hash.clone());
        Pod {
            labels,
            annotations,
            service_account: None,
            non_root: true,
            run_as_user: w.placeholder.then_some(placeholder::UID),
            run_as_group: None,
            fs_group: None,
            init_containers: Vec::new(),
            containers: vec![self.app_container(
                "web",
                &w.image,
                &w.resources,
                self.own_env(App::Web(name)),
                Some(w),
                w.placeholder_script(),
            )],
            volumes: vec![tmp_volume()],
        }
    }

    pub(super) fn worker_file(&self, w: &Worker) -> Result<File> {
        let name = &w.name;
        let env = self.own_env(App::Worker(name));
        let mut meta = self.meta(name, "worker");
        meta.notes.push(format!(
            "Instances {} are the pods of this Deployment; they consume the queue \"{}\".",
            w.instances.join(", "),
            w.queue
        ));
        meta.notes.extend(self.app_secret_note(name, &w.secrets));
        meta.notes
            .extend(image_notes(w.placeholder, &format!("worker \"{name}\"")));
        let mut docs = vec![self.workload(Workload {
            kind: "Deployment",
            meta,
            replicas: Some(w.count),
            service_name: None,
            selector: selector(name),
            spread: w.count > 1,
            pod: Pod {
                labels: self.pod_labels(name, "worker", TIER_WORKER),
                annotations: [(ENV_HASH.to_string(), self.env_hash.clone())]
                    .into_iter()
                    .collect(),
                service_account: None,
                non_root: true,
                run_as_user: w.placeholder.then_some(placeholder::UID),
                run_as_group: None,
                fs_group: None,
                init_containers: Vec::new(),
                containers: vec![self.app_container(
                    "worker",
                    &w.image,
                    &w.resources,
                    env,
                    None,
                    w.placeholder_script(),
                )],
                volumes: vec![tmp_volume()],
            },
            claims: Vec::new(),
        })?];
        if w.count > 1 {
            docs.push(self.pdb(name, "worker")?);
        }
        Ok(File {
            path: format!("60-worker-{name}.yaml"),
            intro: vec![format!(
                "Worker \"{name}\": {} consuming \"{}\".",
                plural(w.count, "instance"),
                w.queue
            )],
            docs,
        })
    }
}

/// What the workload's comment says about its image: what the application's
/// image must do, and whether a placeholder runs until the design names it.
fn image_notes(placeholder: bool, what: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if placeholder {
        notes.push(format!(
            "No image in the design: a placeholder runs (busybox and the command below, as user {}).",
            placeholder::UID
        ));
        notes.push(format!(
            "Run your application: `image \"registry/app:tag\"` on {what} in the design."
        ));
    }
    notes.push(format!(
        "{} must run as a non-root user given by number (USER 1000 in its Dockerfile).",
        if placeholder {
            "Your image"
        } else {
            "The image"
        }
    ));
    notes
}

/// Several pods now or later (autoscaled): spread them over nodes, and keep
/// one serving while another is evicted.
fn several_pods(w: &Web) -> bool {
    w.count > 1 || w.autoscale.is_some()
}

fn web_intro(w: &Web) -> String {
    let count = match &w.autoscale {
        Some(a) => format!("autoscaled {}..{} at {}% CPU", a.min, a.max, a.cpu_percent),
        None => plural(w.count, "instance"),
    };
    format!(
        "Web tier \"{}\" ({}): {count}, port {}, health {}.",
        w.name,
        match w.state {
            WebState::Stateless => "stateless",
            WebState::Stateful => "stateful",
        },
        w.port,
        w.health
    )
}

/// The one writable path of an application container, whose root file
/// system is read-only: `/tmp`, an emptyDir (the placeholder serves its
/// page from there; an application keeps its scratch files there).
const TMP: &str = "tmp";

fn tmp_volume() -> Volume {
    Volume {
        name: TMP,
        empty_dir: true,
        config_map: None,
        host_path: None,
    }
}
