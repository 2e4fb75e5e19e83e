//! hosts.tf: the EC2 hosts of every web tier and worker: the AMI, the shared
//! IAM role, the environment every host's user data appends, then one launch
//! template and autoscaling group (or public instance) per host group,
//! appended one by one with its user data (see [`super::user_data`]).

use super::data::{mongos, remote_dbs};
use super::multi::{docdb_key, is_multi, rds_key};
use super::names::{aws_name, dashed, label, parameter_name, tags};
use super::network::app_sg;
use super::tidy::Tidy;
use super::user_data::{env_pairs, sidecars, user_data, Sidecar};
use super::{Result, TfFile};
use crate::emit::templates::{hcl_quote, tf_name, Engine};
use crate::model::{App, AppEnv, HostGroup, Model, NosqlEngine, Origin, SecretName, Web, Worker};
use serde::{Serialize, Serializer};
use tera::Context;

#[derive(Serialize)]
pub(super) struct HostsTf {
    /// Any EC2 host (AMI lookup, IAM role).
    hosts: bool,
    /// Some host group reads the design's `secret`s from SSM (the account id
    /// their parameters' ARNs need).
    parameters: bool,
    iam: IamCtx,
    /// `(variable, secret ARN expression, note)` of every database password the
    /// applications read, fetched by the shared `local.fetch_db_passwords`
    /// script in every host's user data.
    pub(super) db_passwords: Vec<(String, String, Option<String>)>,
    /// The region of the password secrets (HCL interpolation): with several
    /// data centers, the primary region's.
    secrets_region: &'static str,
    /// `(variable, value)` of the application environment every web tier and
    /// worker shares, written once as `local.app_env` that each host's user
    /// data appends: listed per host, every host would carry every address.
    pub(super) app_env: Vec<(String, String)>,
    /// Web tiers, then workers: one list, because tera clones a whole element
    /// on every lookup when a loop iterates a computed list such as
    /// `webs | concat(with=workers)`. The head reads their labels only (the
    /// IAM policy's log groups); each group is rendered after the head.
    #[serde(rename = "host_groups", serialize_with = "log_group_names")]
    groups: Vec<HostCtx>,
    #[serde(skip)]
    pub(super) logs: bool,
    /// Hosts also join the shared `app` security group the data tier admits.
    #[serde(skip)]
    app_sg: bool,
    #[serde(skip)]
    metrics: bool,
    /// What the single web host runs beside the application, for comments.
    #[serde(skip)]
    colocated: Vec<String>,
    /// The containers behind `colocated`, for the web host's user data.
    #[serde(skip)]
    pub(super) sidecars: Vec<Sidecar>,
    /// Each application's own variables, mapped when its group is reached.
    #[serde(skip)]
    pub(super) contract: AppEnv,
}

#[derive(Serialize, Default)]
struct IamCtx {
    /// The role and instance profile name, as HCL.
    name: String,
    logs: bool,
    /// HCL expressions of secret ARNs the hosts read (RDS-managed passwords).
    secrets: Vec<String>,
    /// HCL expressions of SQS queue ARNs.
    queues: Vec<String>,
    /// HCL expressions of DynamoDB table ARNs.
    tables: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct HostCtx {
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) label: String,
    pub(super) aws_name: String,
    /// Log group name below `/<system>/`.
    log_name: String,
    instance_type: String,
    root_gb: u32,
    port: Option<u16>,
    /// A web tier without a load balancer: one public instance with an Elastic IP.
    pub(super) public: bool,
    min: u32,
    max: u32,
    pub(super) autoscale_cpu: Option<u32>,
    /// Label of the target group, for tiers behind a load balancer.
    target_group: Option<String>,
    lb: Option<String>,
    health: String,
    /// The design's `label`s: tags of the launch template and its instances.
    tags: Vec<(String, String)>,
    /// SSM parameter names of the design's `secret`s, read at boot. A group
    /// with any has an IAM role of its own that may read exactly these.
    pub(super) parameters: Vec<(String, String)>,
    /// Its role's name when it has one of its own, as HCL.
    role_name: String,
    #[serde(skip)]
    pub(super) user_data: UserData,
}

/// What a host group's user data is rendered from. The script itself (and
/// the application's environment in it) is made only when hosts.tf reaches
/// the group and then dropped: a stage's scripts (13 MB at 10,000
/// components) are never in memory at once.
pub(super) struct UserData {
    pub(super) image: String,
    /// The runtime plan's placeholder script, when the design names no image.
    pub(super) placeholder: Option<Vec<String>>,
    /// (host port, container port) the container publishes.
    pub(super) ports: Option<(u16, u16)>,
    /// The single-server stage's colocated data services run beside it.
    pub(super) sidecars: bool,
}

impl HostCtx {
    /// The application the group runs, as the environment contract names it.
    pub(super) fn app(&self) -> App<'_> {
        if self.kind == "web" {
            App::Web(&self.name)
        } else {
            App::Worker(&self.name)
        }
    }
}

impl TfFile for HostsTf {
    fn build(m: &Model) -> Self {
        let hosts = has_hosts(m);
        let sidecars = sidecars(m);
        // Only the web host without a load balancer runs the colocated services.
        let hosted = m.webs.iter().any(|w| w.lb.is_none());
        let contract = m.app_env();
        let groups = host_groups(m);
        HostsTf {
            hosts,
            parameters: groups.iter().any(|g| !g.parameters.is_empty()),
            iam: iam(m),
            db_passwords: db_passwords(m),
            secrets_region: if is_multi(m) {
                "${var.primary_region}"
            } else {
                "${var.region}"
            },
            app_env: if hosts {
                env_pairs(m, contract.shared())
            } else {
                Vec::new()
            },
            groups,
            logs: m.logs.is_some(),
            app_sg: app_sg(m),
            metrics: m.metrics.is_some(),
            colocated: if hosted {
                sidecars.iter().map(|s| s.what.clone()).collect()
            } else {
                Vec::new()
            },
            sidecars,
            contract,
        }
    }

    /// Appends each web tier's and worker's resources, each rendered from
    /// its own small context: at 10,000 components the groups are 13 MB of
    /// text, and one context holding them all was converted whole into
    /// tera's values and rendered into one more buffer of the file's size.
    fn append(&self, m: &Model, tpl: Engine, out: &mut Tidy) -> Result<()> {
        if !self.hosts {
            return Ok(());
        }
        let mut c = Context::new();
        c.insert("app_sg", &self.app_sg);
        c.insert("app_policy", &self.iam.any());
        c.insert("colocated", &self.colocated);
        c.insert("metrics", &self.metrics);
        for h in &self.groups {
            c.insert("h", h);
            c.insert("user_data", &user_data(m, self, h, tpl)?);
            tpl.render_into("host-group.tf", &c, &mut *out)?;
        }
        Ok(())
    }
}

/// What a file's head reads of each host group (its log group's names):
/// all of every group, as tera's values, were megabytes of context.
pub(super) fn log_group_names<S: Serializer>(
    groups: &[HostCtx],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Names<'a> {
        label: &'a str,
        log_name: &'a str,
    }
    s.collect_seq(groups.iter().map(|h| Names {
        label: &h.label,
        log_name: &h.log_name,
    }))
}

/// Whether any EC2 host runs: a web tier or a worker.
pub(super) fn has_hosts(m: &Model) -> bool {
    !m.webs.is_empty() || !m.workers.is_empty()
}

/// Web tiers, then workers, without their scripts: what the model's AWS
/// plan deploys (`Model::aws_host_groups`), spelled for hosts.tf.
pub(super) fn host_groups(m: &Model) -> Vec<HostCtx> {
    let plan = m.aws_host_groups();
    let (web_plans, worker_plans) = plan.split_at(m.webs.len());
    let mut groups = Vec::with_capacity(plan.len());
    groups.extend(
        m.webs
            .iter()
            .zip(web_plans)
            .map(|(w, g)| web_group(m, w, g)),
    );
    groups.extend(
        m.workers
            .iter()
            .zip(worker_plans)
            .map(|(wk, g)| worker_group(m, wk, g)),
    );
    groups
}

/// A web tier: behind its load balancer (autoscaled or a fixed count in the
/// private subnets), or the single public host.
fn web_group(m: &Model, w: &Web, g: &HostGroup) -> HostCtx {
    let host_port = if g.public { 80 } else { w.port };
    HostCtx {
        kind: "web".into(),
        name: w.name.clone(),
        label: label("web", &w.name),
        aws_name: aws_name(&m.system, &dashed("web", &w.name), 128),
        log_name: dashed("web", &w.name),
        instance_type: g.instance_type.to_string(),
        root_gb: g.root_gb,
        port: Some(w.port),
        public: g.public,
        min: g.min,
        max: g.max,
        autoscale_cpu: g.autoscale_cpu,
        target_group: w.lb.as_ref().map(|_| label("web", &w.name)),
        lb: w.lb.clone(),
        health: w.health.clone(),
        tags: tags(&w.labels),
        parameters: parameters(&m.system, &w.name, &w.secrets),
        role_name: iam_name(m, &dashed("web", &w.name)),
        user_data: UserData {
            image: w.image.clone(),
            placeholder: w.placeholder_script(),
            ports: Some((host_port, w.port)),
            sidecars: g.sidecars,
        },
    }
}

/// A worker: a fixed count in the private subnets, no inbound traffic.
fn worker_group(m: &Model, wk: &Worker, g: &HostGroup) -> HostCtx {
    let sys = &m.system;
    HostCtx {
        kind: "worker".into(),
        name: wk.name.clone(),
        label: label("worker", &wk.name),
        aws_name: aws_name(sys, &dashed("worker", &wk.name), 128),
        log_name: dashed("worker", &wk.name),
        instance_type: g.instance_type.to_string(),
        root_gb: g.root_gb,
        port: None,
        public: false,
        min: g.min,
        max: g.max,
        autoscale_cpu: None,
        target_group: None,
        lb: None,
        health: String::new(),
        tags: tags(&wk.labels),
        parameters: parameters(sys, &wk.name, &wk.secrets),
        role_name: iam_name(m, &dashed("worker", &wk.name)),
        user_data: UserData {
            image: wk.image.clone(),
            placeholder: wk.placeholder_script(),
            ports: None,
            sidecars: false,
        },
    }
}

/// `(variable, SSM parameter name)` of each of an application's `secret`s.
pub(super) fn parameters(sys: &str, app: &str, secrets: &[SecretName]) -> Vec<(String, String)> {
    secrets
        .iter()
        .map(|s| (s.name.clone(), parameter_name(sys, app, &s.name)))
        .collect()
}

impl IamCtx {
    /// Whether the shared role has a policy (`aws_iam_role_policy.hosts`),
    /// which a group's own role gets too.
    fn any(&self) -> bool {
        self.logs || !self.secrets.is_empty() || !self.queues.is_empty() || !self.tables.is_empty()
    }
}

/// What the hosts' role may read: the passwords RDS and DocumentDB keep in
/// Secrets Manager, the SQS queues and the DynamoDB tables.
fn iam(m: &Model) -> IamCtx {
    let mut iam = IamCtx {
        name: iam_name(m, "hosts"),
        logs: m.logs.is_some(),
        ..Default::default()
    };
    for d in remote_dbs(m) {
        for s in &d.shards {
            iam.secrets.push(rds_secret(m, &s.primary));
        }
    }
    for n in &m.nosqls {
        let l = tf_name(&n.name);
        match n.engine {
            NosqlEngine::Dynamodb if is_multi(m) => {
                iam.tables.push(format!("local.tables.{l}.arn"));
            }
            NosqlEngine::Dynamodb => iam.tables.push(format!("aws_dynamodb_table.{l}.arn")),
            NosqlEngine::Mongodb => iam.secrets.push(docdb_secret(m, &n.name)),
        }
    }
    for q in &m.queues {
        iam.queues
            .push(format!("aws_sqs_queue.{}.arn", tf_name(&q.name)));
    }
    iam
}

/// What every application container is told: the password of each database,
/// fetched from the RDS-managed secret at boot (a colocated database's is
/// generated on the host instead, see [`Sidecar`]).
fn db_passwords(m: &Model) -> Vec<(String, String, Option<String>)> {
    let mut secrets: Vec<(String, String, Option<String>)> = Vec::new();
    // A sharded database: one secret a shard primary, each its own variable.
    for d in remote_dbs(m) {
        for shard in &d.shards {
            secrets.push((
                shard.password_env.clone(),
                format!("${{{}}}", rds_secret(m, &shard.primary)),
                None,
            ));
        }
    }
    for n in mongos(m) {
        if let Some(var) = &n.password_env {
            secrets.push((
                var.clone(),
                format!("${{{}}}", docdb_secret(m, &n.name)),
                Some(format!(
                    "document store {} is DocumentDB, whose password RDS manages the same way",
                    n.name
                )),
            ));
        }
    }
    secrets
}

/// The name of an IAM role or instance profile (IAM names are global), as
/// HCL: with several data centers each region's module suffixes its region.
fn iam_name(m: &Model, name: &str) -> String {
    if is_multi(m) {
        // The longest region name is 14 characters.
        format!("\"{}-${{var.region}}\"", aws_name(&m.system, name, 64 - 15))
    } else {
        hcl_quote(&aws_name(&m.system, name, 64))
    }
}

/// The password secret of an RDS shard primary, as HCL.
fn rds_secret(m: &Model, primary: &str) -> String {
    if is_multi(m) {
        format!("local.primaries.{}.secret_arn", rds_key(primary))
    } else {
        format!(
            "aws_db_instance.{}.master_user_secret[0].secret_arn",
            tf_name(primary)
        )
    }
}

/// The password secret of a DocumentDB cluster, as HCL.
fn docdb_secret(m: &Model, store: &str) -> String {
    if is_multi(m) {
        format!("local.primaries.{}.secret_arn", docdb_key(store))
    } else {
        format!(
            "aws_docdb_cluster.{}.master_user_secret[0].secret_arn",
            tf_name(store)
        )
    }
}

/// The origins of every web tier and worker.
pub(super) fn app_origins(m: &Model) -> impl Iterator<Item = &Origin> {
    m.webs
        .iter()
        .map(|w| &w.origin)
        .chain(m.workers.iter().map(|w| &w.origin))
}

/// Hosts, what their user data tells them, and what IAM lets them reach.
pub(super) fn origins(m: &Model) -> Vec<&Origin> {
    let mut o: Vec<&Origin> = Vec::new();
    o.extend(app_origins(m));
    o.extend(m.dbs.iter().map(|d| &d.origin));
    // Every data component: `local.app_env` gives the hosts its address.
    o.extend(m.caches.iter().map(|c| &c.origin));
    o.extend(m.nosqls.iter().map(|n| &n.origin));
    o.extend(m.queues.iter().map(|q| &q.origin));
    o.extend(m.logs.as_ref());
    o.extend(m.metrics.as_ref());
    o
}
