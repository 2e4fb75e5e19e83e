//! Every template archc renders, in one table: the name an emitter renders it
//! by, its path under `templates/` (also the path a user's override has under
//! `--templates DIR`), its text embedded in the binary, and what it renders.
//! `archc templates list` and `export` read this table, and so does the
//! engine of each target.

use crate::emit::Target;

pub struct Builtin {
    pub target: Target,
    /// The name the emitter renders it by (tera's template name).
    pub name: &'static str,
    /// Path under `templates/`, `/`-separated: `k8s/workload.yaml.tera`.
    pub path: &'static str,
    pub text: &'static str,
    /// The generated files it writes or the part of them it renders.
    pub renders: &'static str,
}

/// One row: the path is given once and the text embedded from it.
macro_rules! t {
    ($target:ident, $name:literal, $path:literal, $renders:literal) => {
        Builtin {
            target: Target::$target,
            name: $name,
            path: $path,
            text: include_str!(concat!("../../../templates/", $path)),
            renders: $renders,
        }
    };
}

/// In `Target::ALL` order, then as each emitter uses them.
pub static BUILTIN: &[Builtin] = &[
    t!(
        Terraform,
        "versions.tf",
        "terraform/versions.tf.tera",
        "versions.tf: provider versions and settings"
    ),
    t!(
        Terraform,
        "variables.tf",
        "terraform/variables.tf.tera",
        "variables.tf: the inputs a user sets"
    ),
    t!(
        Terraform,
        "network.tf",
        "terraform/network.tf.tera",
        "network.tf: VPC, subnets, routes (its head)"
    ),
    t!(
        Terraform,
        "security-group.tf",
        "terraform/security-group.tf.tera",
        "network.tf: one security group each"
    ),
    t!(
        Terraform,
        "hosts.tf",
        "terraform/hosts.tf.tera",
        "hosts.tf: AMI, instance role (its head)"
    ),
    t!(
        Terraform,
        "host-group.tf",
        "terraform/host-group.tf.tera",
        "hosts.tf: one web tier's or worker's hosts each"
    ),
    t!(
        Terraform,
        "user_data.sh",
        "terraform/user_data.sh.tera",
        "hosts.tf: the boot script of a host group"
    ),
    t!(
        Terraform,
        "lb.tf",
        "terraform/lb.tf.tera",
        "lb.tf: load balancers, listeners, target groups"
    ),
    t!(
        Terraform,
        "data.tf",
        "terraform/data.tf.tera",
        "data.tf: databases, caches, NoSQL tables"
    ),
    t!(
        Terraform,
        "queues.tf",
        "terraform/queues.tf.tera",
        "queues.tf: message queues"
    ),
    t!(
        Terraform,
        "edge.tf",
        "terraform/edge.tf.tera",
        "edge.tf: CDN distributions and DNS"
    ),
    t!(
        Terraform,
        "ops.tf",
        "terraform/ops.tf.tera",
        "ops.tf: the stage's KMS key, logs, metrics, alarm topic (its head)"
    ),
    t!(
        Terraform,
        "alarm.tf",
        "terraform/alarm.tf.tera",
        "ops.tf: one CPU alarm each"
    ),
    t!(
        Terraform,
        "outputs.tf",
        "terraform/outputs.tf.tera",
        "outputs.tf: addresses a user reads after apply"
    ),
    t!(
        Terraform,
        "primaries.tf",
        "terraform/primaries.tf.tera",
        "region/primaries.tf (several data centers): the primaries every region writes to"
    ),
    t!(
        Terraform,
        "root-versions.tf",
        "terraform/root-versions.tf.tera",
        "versions.tf of a multi-region root: a provider per data center"
    ),
    t!(
        Terraform,
        "main.tf",
        "terraform/main.tf.tera",
        "main.tf (several data centers): a module per data center, VPC peering"
    ),
    t!(
        Terraform,
        "routing.tf",
        "terraform/routing.tf.tera",
        "edge.tf of a multi-region root: the Route 53 zone and failover records"
    ),
    t!(
        Terraform,
        "README.md",
        "terraform/README.md.tera",
        "README.md: the variables to set, init / plan / apply, use as a module"
    ),
    t!(
        Compose,
        "compose.yaml",
        "compose/compose.yaml.tera",
        "compose.yaml: header and notes"
    ),
    t!(
        Compose,
        "service.yaml",
        "compose/service.yaml.tera",
        "compose.yaml: one service each"
    ),
    t!(
        Compose,
        "compose-rest.yaml",
        "compose/compose-rest.yaml.tera",
        "compose.yaml: networks, volumes, configs"
    ),
    t!(
        Compose,
        "env.example",
        "compose/env.example.tera",
        ".env.example: every variable compose.yaml reads"
    ),
    t!(
        Compose,
        "README.md",
        "compose/README.md.tera",
        "README.md: .env, docker compose up, health, the placeholder image"
    ),
    t!(
        Nginx,
        "lb.conf",
        "nginx/lb.conf.tera",
        "<lb>.conf: one per load balancer (also mounted by compose)"
    ),
    t!(
        Nginx,
        "README.md",
        "nginx/README.md.tera",
        "README.md: where each config goes, nginx -t, reload"
    ),
    t!(
        Haproxy,
        "lb.cfg",
        "haproxy/lb.cfg.tera",
        "<lb>.cfg: one per load balancer (also mounted by compose)"
    ),
    t!(
        Haproxy,
        "README.md",
        "haproxy/README.md.tera",
        "README.md: where each config goes, haproxy -c, reload"
    ),
    t!(
        K8s,
        "file",
        "k8s/file.yaml.tera",
        "every .yaml file: its header comment"
    ),
    t!(
        K8s,
        "namespace",
        "k8s/namespace.yaml.tera",
        "namespace.yaml: the Namespace"
    ),
    t!(
        K8s,
        "workload",
        "k8s/workload.yaml.tera",
        "Deployments and StatefulSets, with their containers"
    ),
    t!(K8s, "service", "k8s/service.yaml.tera", "Services"),
    t!(
        K8s,
        "hpa",
        "k8s/hpa.yaml.tera",
        "HorizontalPodAutoscalers of autoscaled web tiers"
    ),
    t!(K8s, "pdb", "k8s/pdb.yaml.tera", "PodDisruptionBudgets"),
    t!(
        K8s,
        "ingress",
        "k8s/ingress.yaml.tera",
        "the Ingress of each load balancer"
    ),
    t!(
        K8s,
        "config-map",
        "k8s/config-map.yaml.tera",
        "ConfigMaps (replication scripts, collector configs)"
    ),
    t!(
        K8s,
        "network-policy",
        "k8s/network-policy.yaml.tera",
        "network-policy.yaml: NetworkPolicies"
    ),
    t!(
        K8s,
        "rbac",
        "k8s/rbac.yaml.tera",
        "metrics.yaml: Prometheus' ServiceAccount and Role"
    ),
    t!(
        K8s,
        "kustomization",
        "k8s/kustomization.yaml.tera",
        "kustomization.yaml: every file, for kubectl apply -k"
    ),
    t!(
        K8s,
        "fluent-bit.conf",
        "k8s/fluent-bit.conf.tera",
        "logs.yaml: the log collector's configuration"
    ),
    t!(
        K8s,
        "prometheus.yml",
        "k8s/prometheus.yml.tera",
        "metrics.yaml: Prometheus' scrape configuration"
    ),
    t!(
        K8s,
        "README.md",
        "k8s/README.md.tera",
        "README.md: the Secrets to create, kubectl apply -k, the Ingress"
    ),
];

/// The templates of one target.
pub fn of(target: Target) -> impl Iterator<Item = &'static Builtin> {
    BUILTIN.iter().filter(move |b| b.target == target)
}

/// The template at `path` (`k8s/workload.yaml.tera`).
pub fn at(path: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_templates_is_in_the_table_once() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut on_disk = Vec::new();
        for target in std::fs::read_dir(root).unwrap() {
            let target = target.unwrap();
            for f in std::fs::read_dir(target.path()).unwrap() {
                let f = f.unwrap();
                on_disk.push(format!(
                    "{}/{}",
                    target.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ));
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = BUILTIN.iter().map(|b| b.path.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
        for b in BUILTIN {
            assert!(
                b.path.starts_with(&format!("{}/", b.target.name())),
                "{}",
                b.path
            );
        }
    }
}
