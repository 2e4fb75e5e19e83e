//! The `terraform` target: one AWS deployment per stage.
//!
//! Rust decides everything (which resources exist, their names, counts, ports and
//! rules); the templates under `templates/terraform/` only lay the decisions out as
//! HCL. Files that would hold nothing for a stage are not written.
//!
//! Naming: Terraform labels are the component's name through `tf_name`; for
//! resource types several kinds share (security groups, launch templates, log
//! groups, alarms) the label is `<kind>_<name>`, or just the kind when the name is
//! the kind (`web`, `db`), which cannot collide. AWS names are `<system>-<name>`,
//! shortened deterministically to each service's limit (see [`names::aws_name`]).

mod names;
mod tidy;

use super::templates::{engine, render, render_into, tf_name};
use super::{Options, OutFile, Result};
use crate::model::{
    App, CacheEngine, DbEngine, EnvVar, Evict, LbMethod, Meaning, Model, NosqlEngine, Origin,
    QueueEngine,
};
use names::{aws_name, dashed, heredoc_escape, human_secs, label, sh_quote};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Context, Tera};
use tidy::{tidy, Tidy};

/// The files of the target, in the order they are written.
const FILES: &[(&str, &str)] = &[
    (
        "versions.tf",
        include_str!("../../../templates/terraform/versions.tf.tera"),
    ),
    (
        "variables.tf",
        include_str!("../../../templates/terraform/variables.tf.tera"),
    ),
    (
        "network.tf",
        include_str!("../../../templates/terraform/network.tf.tera"),
    ),
    (
        "hosts.tf",
        include_str!("../../../templates/terraform/hosts.tf.tera"),
    ),
    (
        "lb.tf",
        include_str!("../../../templates/terraform/lb.tf.tera"),
    ),
    (
        "data.tf",
        include_str!("../../../templates/terraform/data.tf.tera"),
    ),
    (
        "queues.tf",
        include_str!("../../../templates/terraform/queues.tf.tera"),
    ),
    (
        "edge.tf",
        include_str!("../../../templates/terraform/edge.tf.tera"),
    ),
    (
        "ops.tf",
        include_str!("../../../templates/terraform/ops.tf.tera"),
    ),
    (
        "outputs.tf",
        include_str!("../../../templates/terraform/outputs.tf.tera"),
    ),
];

const USER_DATA: &str = include_str!("../../../templates/terraform/user_data.sh.tera");
const HOST_GROUP: &str = include_str!("../../../templates/terraform/host-group.tf.tera");
const ALARM: &str = include_str!("../../../templates/terraform/alarm.tf.tera");
const SECURITY_GROUP: &str = include_str!("../../../templates/terraform/security-group.tf.tera");

static ENGINE: OnceLock<Tera> = OnceLock::new();

pub(super) fn tera() -> &'static Tera {
    ENGINE.get_or_init(|| {
        let mut all: Vec<(&str, &str)> = FILES.to_vec();
        all.push(("user_data.sh", USER_DATA));
        all.push(("host-group.tf", HOST_GROUP));
        all.push(("alarm.tf", ALARM));
        all.push(("security-group.tf", SECURITY_GROUP));
        engine(&all)
    })
}

/// Renders every `terraform` file for one stage, handing each to `sink` as
/// soon as it is ready (a large stage's files are megabytes each).
pub fn emit_each(
    model: &Model,
    _opts: &Options,
    sink: &mut dyn FnMut(OutFile) -> Result<()>,
) -> Result<()> {
    let ctx = build(model)?;
    for (name, _) in FILES {
        // One copy of the text at a time: the raw render goes once tidied.
        let mut text = Tidy::default();
        render_into(tera(), name, &file_context(&ctx, name), &mut text)?;
        match *name {
            "hosts.tf" => render_host_groups(&ctx, &mut text)?,
            "ops.tf" if ctx.metrics => render_each("alarm.tf", "a", &ctx.alarms, &mut text)?,
            "network.tf" if ctx.vpc => {
                render_each("security-group.tf", "sg", &ctx.security_groups, &mut text)?
            }
            _ => {}
        }
        let text = text.finish();
        // A file with nothing but its header comment is not worth writing.
        let body = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|l| !l.trim().is_empty());
        if body || *name == "versions.tf" {
            sink(OutFile {
                path: (*name).to_string(),
                contents: super::with_design_lines(text, model, &file_origins(model, name)),
            })?;
        }
    }
    Ok(())
}

/// Appends each web tier's and worker's resources to hosts.tf, each rendered
/// from its own small context: at 10,000 components the groups are 13 MB of
/// text, and one context holding them all was converted whole into tera's
/// values and rendered into one more buffer of the file's size.
fn render_host_groups(ctx: &Ctx, out: &mut Tidy) -> Result<()> {
    if !ctx.hosts {
        return Ok(());
    }
    let mut c = Context::new();
    c.insert("app_sg", &ctx.app_sg);
    c.insert("colocated", &ctx.colocated);
    c.insert("metrics", &ctx.metrics);
    for h in &ctx.host_groups {
        c.insert("h", h);
        c.insert("user_data", &user_data(ctx, h)?);
        render_into(tera(), "host-group.tf", &c, &mut *out)?;
    }
    Ok(())
}

/// Appends one piece per item to a file after its head, each rendered from
/// a context holding only that item as `key`: network.tf's security groups
/// and ops.tf's alarms, which as tera's values all at once were the largest
/// contexts of a big stage (the alarms of 10,000 components: 7 MB).
fn render_each<T: Serialize>(template: &str, key: &str, items: &[T], out: &mut Tidy) -> Result<()> {
    let mut c = Context::new();
    for item in items {
        c.insert(key, item);
        render_into(tera(), template, &c, &mut *out)?;
    }
    Ok(())
}

/// The user data script of one host group, indented for the launch
/// template's heredoc.
fn user_data(ctx: &Ctx, h: &HostCtx) -> Result<String> {
    #[derive(Serialize)]
    struct Ud<'a> {
        kind: &'a str,
        name: &'a str,
        image: String,
        publish: Option<String>,
        log_group: Option<String>,
        /// Runs the shared `local.fetch_db_passwords`.
        db_passwords: bool,
        /// Appends the shared `local.app_env`.
        app_env: bool,
        env: &'a [(String, String)],
        sidecars: &'a [Sidecar],
    }
    let u = &h.user_data;
    let v = Ud {
        kind: &h.kind,
        name: &h.name,
        image: heredoc_escape(&sh_quote(&u.image)),
        publish: u.ports.map(|(h, c)| format!("{h}:{c}")),
        log_group: ctx
            .logs
            .then(|| format!("${{aws_cloudwatch_log_group.{}.name}}", h.label)),
        db_passwords: !ctx.db_passwords.is_empty(),
        app_env: !ctx.app_env.is_empty(),
        env: &u.env,
        sidecars: if u.sidecars { &ctx.sidecars } else { &[] },
    };
    let c = Context::from_serialize(&v).map_err(|e| super::EmitError(e.to_string()))?;
    let text = tidy(&render(tera(), "user_data.sh", &c)?);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, l) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !l.is_empty() {
            out.push_str("    ");
            out.push_str(l);
        }
    }
    Ok(out)
}

/// The part of the context one file's template reads. Converting the whole
/// stage into tera's JSON values at once held every file's data at the same
/// time (most of the target's peak memory at 10,000 components); a name left
/// out here fails every build test with tera's "variable not found".
fn file_context(ctx: &Ctx, file: &str) -> Context {
    let mut c = Context::new();
    macro_rules! pick {
        ($($field:ident),*) => {{ $( c.insert(stringify!($field), &ctx.$field); )* }};
    }
    pick!(header);
    match file {
        "versions.tf" => pick!(dns, region, stage, system),
        "variables.tf" => pick!(dns, hosts, logs, region, snapshots, system),
        "network.tf" => {
            pick!(nat, system, vpc);
            c.insert("any_security_groups", &!ctx.security_groups.is_empty());
        }
        "hosts.tf" => {
            // The groups themselves are rendered one by one after the head.
            pick!(app_env, db_passwords, hosts, iam);
            c.insert("host_groups", &host_group_names(ctx));
        }
        "lb.tf" => pick!(lbs, stage),
        "data.tf" => pick!(
            cache_subnet_group,
            caches,
            db_subnet_group,
            dbs,
            nosqls,
            system
        ),
        "queues.tf" => pick!(queues),
        "edge.tf" => pick!(cdns, dns, region, stage),
        "ops.tf" => {
            pick!(hosts, logs, metrics, system);
            c.insert("log_groups", &host_group_names(ctx));
        }
        "outputs.tf" => pick!(outputs),
        other => unreachable!("no context for terraform file {other}"),
    }
    c
}

/// What a file's head reads of each host group (its log group's names):
/// all of every group, as tera's values, were megabytes of context.
#[derive(Serialize)]
struct HostGroupNames<'a> {
    label: &'a str,
    log_name: &'a str,
}

fn host_group_names(ctx: &Ctx) -> Vec<HostGroupNames<'_>> {
    ctx.host_groups
        .iter()
        .map(|h| HostGroupNames {
            label: &h.label,
            log_name: &h.log_name,
        })
        .collect()
}

/// The CloudFront path pattern for a CDN path: `/static` serves `/static/*`.
fn path_pattern(path: &str) -> String {
    let p = path.trim_end_matches('/');
    if p.is_empty() {
        "/*".to_string()
    } else {
        format!("{p}/*")
    }
}

/// Route 53 continent code for an AWS region (`eu-west-1` -> `EU`); `None` when
/// the prefix is unknown (the default record still covers its users).
fn continent(region: &str) -> Option<&'static str> {
    if region.starts_with("ap-southeast-2") || region.starts_with("ap-southeast-4") {
        return Some("OC"); // Sydney, Melbourne
    }
    match region.split('-').next()? {
        "us" | "ca" | "mx" => Some("NA"),
        "sa" => Some("SA"),
        "eu" => Some("EU"),
        "ap" => Some("AS"),
        "me" | "il" => Some("ME"),
        "af" => Some("AF"),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// context: every decision, ready to print
// ---------------------------------------------------------------------------

/// CloudFront's own default TTL when a CDN path has none (one day).
const CDN_DEFAULT_TTL: u64 = 86_400;
/// ElastiCache allows a primary and at most 5 replicas per replication group.
const REDIS_MAX_NODES: u32 = 6;
/// DocumentDB's smallest instance class.
const DOCDB_CLASS: &str = "db.t3.medium";
const ROOT_VOLUME_GB: u32 = 20;
/// Label of the security group every web tier and worker joins; not a kind,
/// so no component's label can be the same.
const APP_SG: &str = "app";

#[derive(Serialize)]
struct Ctx {
    header: String,
    system: String,
    stage: String,
    region: String,
    /// Anything lives in the VPC.
    vpc: bool,
    /// EC2 hosts in private subnets need a NAT gateway to pull images.
    nat: bool,
    /// Any EC2 host (AMI lookup, IAM role).
    hosts: bool,
    /// RDS or DocumentDB instances (final snapshot variable).
    snapshots: bool,
    logs: bool,
    metrics: bool,
    security_groups: Vec<SgCtx>,
    /// Hosts also join the shared `app` security group the data tier admits.
    app_sg: bool,
    /// `(variable, secret ARN expression, note)` of every database password the
    /// applications read, fetched by the shared `local.fetch_db_passwords`
    /// script in every host's user data.
    db_passwords: Vec<(String, String, Option<String>)>,
    /// `(variable, value)` of the application environment every web tier and
    /// worker shares, written once as `local.app_env` that each host's user
    /// data appends: listed per host, every host would carry every address.
    app_env: Vec<(String, String)>,
    iam: IamCtx,
    /// Web tiers, then workers: one list, because tera clones a whole element
    /// (user data included) on every lookup when a loop iterates a computed
    /// list such as `webs | concat(with=workers)`.
    host_groups: Vec<HostCtx>,
    lbs: Vec<LbCtx>,
    db_subnet_group: bool,
    dbs: Vec<DbCtx>,
    colocated: Vec<String>,
    /// The containers behind `colocated`, for the web host's user data.
    #[serde(skip)]
    sidecars: Vec<Sidecar>,
    cache_subnet_group: bool,
    caches: Vec<CacheCtx>,
    nosqls: Vec<NosqlCtx>,
    queues: Vec<QueueCtx>,
    cdns: Vec<CdnCtx>,
    dns: Option<DnsCtx>,
    alarms: Vec<AlarmCtx>,
    outputs: Vec<OutputCtx>,
}

#[derive(Serialize)]
struct SgCtx {
    label: String,
    name: String,
    description: String,
    ingress: Vec<RuleCtx>,
}

#[derive(Serialize)]
struct RuleCtx {
    label: String,
    description: String,
    port: u16,
    /// `0.0.0.0/0` for the public edge; otherwise `source` is set.
    cidr: Option<String>,
    /// Label of the security group allowed in.
    source: Option<String>,
}

#[derive(Serialize, Default)]
struct IamCtx {
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
struct HostCtx {
    kind: String,
    name: String,
    label: String,
    aws_name: String,
    /// Log group name below `/<system>/`.
    log_name: String,
    instance_type: String,
    root_gb: u32,
    port: Option<u16>,
    /// A web tier without a load balancer: one public instance with an Elastic IP.
    public: bool,
    min: u32,
    max: u32,
    autoscale_cpu: Option<u32>,
    /// Label of the target group, for tiers behind a load balancer.
    target_group: Option<String>,
    lb: Option<String>,
    health: String,
    #[serde(skip)]
    user_data: UserData,
}

/// What a host group's user data is rendered from. The script itself is
/// rendered only when hosts.tf reaches the group and then dropped: a stage's
/// scripts (13 MB at 10,000 components) are never in memory at once.
struct UserData {
    image: String,
    /// (host port, container port) the container publishes.
    ports: Option<(u16, u16)>,
    /// The application's own variables (the shared ones are `local.app_env`).
    env: Vec<(String, String)>,
    /// The single-server stage's colocated data services run beside it.
    sidecars: bool,
}

#[derive(Serialize)]
struct LbCtx {
    name: String,
    label: String,
    aws_name: String,
    method: String,
    port: u16,
    target_groups: Vec<TgCtx>,
    /// How the listener's default action forwards: one target group, or
    /// weighted over up to five.
    weighted: bool,
    /// Backends beyond the five a forward action can hold: host-header rules.
    rules: Vec<ListenerRuleCtx>,
    sticky_forward: bool,
}

#[derive(Serialize)]
struct TgCtx {
    web: String,
    label: String,
    aws_name: String,
    port: u16,
    health: String,
    algorithm: String,
    sticky: bool,
    sticky_note: Option<Vec<String>>,
    weight: u32,
}

#[derive(Serialize)]
struct ListenerRuleCtx {
    label: String,
    priority: u32,
    host: String,
    target_group: String,
}

#[derive(Serialize)]
struct DbCtx {
    name: String,
    engine: String,
    engine_version: String,
    port: u16,
    class: String,
    storage_gb: u32,
    user: String,
    db_name: String,
    sg: String,
    sharded_by: Option<String>,
    shards: usize,
    instances: Vec<DbInstanceCtx>,
}

#[derive(Serialize)]
struct DbInstanceCtx {
    name: String,
    label: String,
    identifier: String,
    /// Label of the primary for a replica.
    source: Option<String>,
    source_name: String,
    shard: u32,
    /// Index into the availability zones, to spread replicas.
    az: usize,
}

#[derive(Serialize)]
struct CacheCtx {
    name: String,
    label: String,
    id: String,
    redis: bool,
    node_type: String,
    nodes: u32,
    requested: u32,
    port: u16,
    sg: String,
    /// Custom parameter group: `(parameter, value)`.
    parameter: Option<(String, String)>,
    evict_note: String,
    ttl_note: String,
}

#[derive(Serialize)]
struct NosqlCtx {
    name: String,
    label: String,
    aws_name: String,
    dynamodb: bool,
    count: u32,
    port: u16,
    sg: String,
    class: String,
}

#[derive(Serialize)]
struct QueueCtx {
    name: String,
    label: String,
    aws_name: String,
    engine_note: Option<String>,
}

#[derive(Serialize)]
struct CdnCtx {
    name: String,
    label: String,
    aws_name: String,
    /// Label of the ALB origin; `None`: an S3 bucket.
    alb: Option<String>,
    alb_name: String,
    /// S3 `bucket_prefix` (at most 37 characters) when there is no ALB.
    bucket_prefix: String,
    behaviors: Vec<BehaviorCtx>,
}

#[derive(Serialize)]
struct BehaviorCtx {
    path: String,
    pattern: String,
    ttl: u64,
    ttl_note: String,
    query_string: bool,
}

#[derive(Serialize)]
struct DnsCtx {
    home: String,
    /// Extra regions needing a provider alias to look up their ALB.
    aliases: Vec<RegionCtx>,
    records: Vec<RecordCtx>,
    notes: Vec<String>,
    /// The lb whose ALB each region's deployment creates; `None`: no records.
    lb: Option<String>,
}

#[derive(Serialize, Clone)]
struct RegionCtx {
    region: String,
    label: String,
}

#[derive(Serialize, Clone)]
struct RecordCtx {
    label: String,
    region: String,
    continent: Option<String>,
    /// HCL expressions of the alias target.
    dns_name: String,
    zone_id: String,
}

#[derive(Serialize)]
struct AlarmCtx {
    label: String,
    name: String,
    description: String,
    namespace: String,
    dimension: String,
    value: String,
    threshold: u32,
}

#[derive(Serialize)]
struct OutputCtx {
    name: String,
    description: String,
    /// A single expression, or a map of `(padded quoted key, expression)`.
    value: Option<String>,
    map: Vec<(String, String)>,
}

fn engine_name(e: DbEngine) -> (&'static str, &'static str) {
    match e {
        DbEngine::Postgres => ("postgres", "16"),
        DbEngine::Mysql => ("mysql", "8.0"),
    }
}

fn build(m: &Model) -> Result<Ctx> {
    let sys = &m.system;
    let header = format!("# {}", super::header_line(m));

    let webs_by_name: HashMap<&str, &crate::model::Web> =
        m.webs.iter().map(|w| (w.name.as_str(), w)).collect();
    let remote_dbs: Vec<_> = m.dbs.iter().filter(|d| !d.colocated).collect();
    let remote_caches: Vec<_> = m.caches.iter().filter(|c| !c.colocated).collect();
    let colocated_dbs: Vec<_> = m.dbs.iter().filter(|d| d.colocated).collect();
    let colocated_caches: Vec<_> = m.caches.iter().filter(|c| c.colocated).collect();
    let mongos: Vec<_> = m
        .nosqls
        .iter()
        .filter(|n| n.engine == NosqlEngine::Mongodb)
        .collect();

    let hosts = !m.webs.is_empty() || !m.workers.is_empty();
    let private_hosts = m.webs.iter().any(|w| w.lb.is_some()) || !m.workers.is_empty();
    let vpc = hosts
        || !m.lbs.is_empty()
        || !remote_dbs.is_empty()
        || !remote_caches.is_empty()
        || !mongos.is_empty();
    let logs = m.logs.is_some();
    let metrics = m.metrics.is_some();

    // --- security groups: internet -> lb -> web -> data tier ----------------
    let mut sgs = Vec::new();
    for lb in &m.lbs {
        sgs.push(SgCtx {
            label: label("lb", &lb.name),
            name: aws_name(sys, &dashed("lb", &lb.name), 255),
            description: format!("Load balancer {}: HTTP from the internet", lb.name),
            ingress: vec![RuleCtx {
                label: format!("{}_http", label("lb", &lb.name)),
                description: "HTTP from anywhere".into(),
                port: lb.port,
                cidr: Some("0.0.0.0/0".into()),
                source: None,
            }],
        });
    }
    for w in &m.webs {
        let l = label("web", &w.name);
        let ingress = match &w.lb {
            Some(lb) => vec![RuleCtx {
                label: format!("{l}_from_{}", label("lb", lb)),
                description: format!("Port {} from load balancer {lb} only", w.port),
                port: w.port,
                cidr: None,
                source: Some(label("lb", lb)),
            }],
            // Without a load balancer the host is the edge: HTTP on 80, which
            // the host maps to the container's port.
            None => vec![RuleCtx {
                label: format!("{l}_http"),
                description: "HTTP from anywhere (single host, no load balancer)".into(),
                port: 80,
                cidr: Some("0.0.0.0/0".into()),
                source: None,
            }],
        };
        sgs.push(SgCtx {
            label: l,
            name: aws_name(sys, &dashed("web", &w.name), 255),
            description: match &w.lb {
                Some(lb) => format!(
                    "Web tier {}: reachable from load balancer {lb} only",
                    w.name
                ),
                None => format!("Web tier {}: single public host", w.name),
            },
            ingress,
        });
    }
    for wk in &m.workers {
        sgs.push(SgCtx {
            label: label("worker", &wk.name),
            name: aws_name(sys, &dashed("worker", &wk.name), 255),
            description: format!("Worker {}: no inbound traffic", wk.name),
            ingress: vec![],
        });
    }
    // Every web tier and worker also joins one shared group, and each data
    // component admits that group: one rule per data component instead of one
    // per (client, data component) pair.
    let app_sg =
        hosts && (!remote_dbs.is_empty() || !remote_caches.is_empty() || !mongos.is_empty());
    if app_sg {
        sgs.push(SgCtx {
            label: APP_SG.into(),
            name: aws_name(sys, APP_SG, 255),
            description: "Every web tier and worker: the clients the data tier admits".into(),
            ingress: vec![],
        });
    }
    let data_sg = |kind: &str, name: &str, port: u16, what: &str| -> SgCtx {
        let l = label(kind, name);
        SgCtx {
            // Without web tiers and workers nothing may connect.
            ingress: app_sg
                .then(|| RuleCtx {
                    label: format!("{l}_from_{APP_SG}"),
                    description: format!("Port {port} from the web tiers and workers"),
                    port,
                    cidr: None,
                    source: Some(APP_SG.into()),
                })
                .into_iter()
                .collect(),
            label: l,
            name: aws_name(sys, &dashed(kind, name), 255),
            description: format!("{what} {name}: reachable from web and workers only"),
        }
    };
    for d in &remote_dbs {
        sgs.push(data_sg("db", &d.name, d.port, "Database"));
    }
    for c in &remote_caches {
        sgs.push(data_sg("cache", &c.name, c.port, "Cache"));
    }
    for n in &mongos {
        sgs.push(data_sg("nosql", &n.name, n.port, "Document database"));
    }

    // --- databases -----------------------------------------------------------
    let mut dbs = Vec::new();
    for d in &remote_dbs {
        let (engine, version) = engine_name(d.engine);
        let mut instances = Vec::new();
        for s in &d.shards {
            let pl = tf_name(&s.primary);
            instances.push(DbInstanceCtx {
                name: s.primary.clone(),
                label: pl.clone(),
                identifier: aws_name(sys, &s.primary, 63),
                source: None,
                source_name: String::new(),
                shard: s.index,
                az: 0,
            });
            for (i, r) in s.replicas.iter().enumerate() {
                instances.push(DbInstanceCtx {
                    name: r.clone(),
                    label: tf_name(r),
                    identifier: aws_name(sys, r, 63),
                    source: Some(pl.clone()),
                    source_name: s.primary.clone(),
                    shard: s.index,
                    // The primary's zone is AWS's choice; spread replicas over both.
                    az: (i + 1) % 2,
                });
            }
        }
        dbs.push(DbCtx {
            name: d.name.clone(),
            engine: engine.into(),
            engine_version: version.into(),
            port: d.port,
            class: d.resources.rds_class.clone(),
            storage_gb: d.storage_gb.max(20),
            user: d.user.clone(),
            db_name: tf_name(sys),
            sg: label("db", &d.name),
            sharded_by: d.shard_key.clone(),
            shards: d.shards.len(),
            instances,
        });
    }

    // --- caches ----------------------------------------------------------------
    let mut caches = Vec::new();
    for c in &remote_caches {
        let redis = c.engine == CacheEngine::Redis;
        let (parameter, evict_note) = match (redis, c.evict) {
            (true, Some(Evict::Lru)) => (
                Some(("maxmemory-policy".into(), "allkeys-lru".into())),
                "evict lru: drop the least recently used key".to_string(),
            ),
            (true, Some(Evict::Lfu)) => (
                Some(("maxmemory-policy".into(), "allkeys-lfu".into())),
                "evict lfu: drop the least frequently used key".to_string(),
            ),
            (true, Some(Evict::None)) => (
                Some(("maxmemory-policy".into(), "noeviction".into())),
                "evict none: writes fail when memory is full".to_string(),
            ),
            (true, None) => (
                Some(("maxmemory-policy".into(), "volatile-lru".into())),
                "no evict clause: ElastiCache's default, volatile-lru".to_string(),
            ),
            (false, Some(Evict::None)) => (
                Some(("error_on_memory_exhausted".into(), "1".into())),
                "evict none: memcached returns an error instead of evicting".to_string(),
            ),
            (false, Some(Evict::Lfu)) => (
                None,
                "evict lfu: memcached only evicts least recently used items (LRU)".to_string(),
            ),
            (false, _) => (
                None,
                "memcached evicts least recently used items (LRU)".to_string(),
            ),
        };
        let ttl_note = match c.ttl_seconds {
            Some(t) => format!(
                "TTL {} ({t} s): applications set it on each key; the engine has no default expiry",
                human_secs(t)
            ),
            None => "no TTL in the design: keys never expire unless the application sets one"
                .to_string(),
        };
        caches.push(CacheCtx {
            name: c.name.clone(),
            label: tf_name(&c.name),
            id: aws_name(sys, &c.name, if redis { 40 } else { 50 }),
            redis,
            node_type: c.resources.cache_node.clone(),
            nodes: if redis {
                c.count.min(REDIS_MAX_NODES)
            } else {
                c.count
            },
            requested: c.count,
            port: c.port,
            sg: label("cache", &c.name),
            parameter,
            evict_note,
            ttl_note,
        });
    }

    let nosqls: Vec<NosqlCtx> = m
        .nosqls
        .iter()
        .map(|n| NosqlCtx {
            name: n.name.clone(),
            label: tf_name(&n.name),
            // DocumentDB instance identifiers append `-N` (at most 63 in all).
            aws_name: aws_name(sys, &n.name, 57),
            dynamodb: n.engine == NosqlEngine::Dynamodb,
            count: n.count,
            port: n.port,
            sg: label("nosql", &n.name),
            class: DOCDB_CLASS.into(),
        })
        .collect();

    let queues: Vec<QueueCtx> = m
        .queues
        .iter()
        .map(|q| QueueCtx {
            name: q.name.clone(),
            label: tf_name(&q.name),
            aws_name: aws_name(sys, &q.name, 70),
            engine_note: match q.engine {
                QueueEngine::Sqs => None,
                QueueEngine::Rabbitmq => Some("rabbitmq".into()),
                QueueEngine::Redis => Some("redis".into()),
            },
        })
        .collect();

    // --- IAM for the hosts ----------------------------------------------------
    let mut iam = IamCtx {
        name: aws_name(sys, "hosts", 64),
        logs,
        ..Default::default()
    };
    for d in &dbs {
        for i in d.instances.iter().filter(|i| i.source.is_none()) {
            iam.secrets.push(format!(
                "aws_db_instance.{}.master_user_secret[0].secret_arn",
                i.label
            ));
        }
    }
    for n in nosqls.iter() {
        if n.dynamodb {
            iam.tables
                .push(format!("aws_dynamodb_table.{}.arn", n.label));
        } else {
            iam.secrets.push(format!(
                "aws_docdb_cluster.{}.master_user_secret[0].secret_arn",
                n.label
            ));
        }
    }
    for q in &queues {
        iam.queues.push(format!("aws_sqs_queue.{}.arn", q.label));
    }

    // --- user data --------------------------------------------------------------
    // What every application container is told: the password of each database
    // (fetched from the RDS-managed secret at boot) or of the colocated one.
    let mut secrets: Vec<(String, String, Option<String>)> = Vec::new();
    // A sharded database: one secret a shard primary, each its own variable.
    for d in &remote_dbs {
        for shard in &d.shards {
            secrets.push((
                shard.password_env.clone(),
                format!(
                    "${{aws_db_instance.{}.master_user_secret[0].secret_arn}}",
                    tf_name(&shard.primary)
                ),
                None,
            ));
        }
    }
    for n in &mongos {
        if let Some(var) = &n.password_env {
            secrets.push((
                var.clone(),
                format!(
                    "${{aws_docdb_cluster.{}.master_user_secret[0].secret_arn}}",
                    tf_name(&n.name)
                ),
                Some(format!(
                    "document store {} is DocumentDB, whose password RDS manages the same way",
                    n.name
                )),
            ));
        }
    }
    let mut sidecars: Vec<Sidecar> = Vec::new();
    for d in &colocated_dbs {
        // Shards of a colocated database share one generated password.
        for (i, s) in d.shards.iter().enumerate() {
            sidecars.push(Sidecar::db(d, &s.primary, sys, i == 0));
        }
    }
    for c in &colocated_caches {
        sidecars.push(Sidecar::cache(c));
    }
    // What each application reads: the model's contract with the addresses
    // of the real resources (passwords are fetched or generated on the host).
    let contract = m.app_env();
    let mapped = |vars: &mut dyn Iterator<Item = &EnvVar>| -> Vec<(String, String)> {
        vars.filter_map(|v| Some((v.name.clone(), env_value(m, v)?)))
            .collect()
    };
    let shared_env = mapped(&mut contract.shared());
    let app_env = |app: App<'_>| mapped(&mut contract.own(app));

    // --- web tiers ----------------------------------------------------------------
    let mut webs = Vec::new();
    let mut hosted = false;
    for w in &m.webs {
        let public = w.lb.is_none();
        // Colocated components run on the one web host (the first tier without
        // a load balancer; the checks allow colocated only with one web host).
        let side = public && !hosted && !sidecars.is_empty();
        hosted |= public;
        let (min, max, cpu) = match (&w.autoscale, public) {
            (Some(a), false) => (a.min, a.max, Some(a.cpu_percent)),
            (_, true) => (1, 1, None),
            (None, false) => (w.count, w.count, None),
        };
        let extra_gb: u32 = if !side {
            0
        } else {
            colocated_dbs.iter().map(|d| d.storage_gb).sum()
        };
        let host_port = if public { 80 } else { w.port };
        webs.push(HostCtx {
            kind: "web".into(),
            name: w.name.clone(),
            label: label("web", &w.name),
            aws_name: aws_name(sys, &dashed("web", &w.name), 128),
            log_name: dashed("web", &w.name),
            instance_type: w.resources.ec2_type.clone(),
            root_gb: ROOT_VOLUME_GB + extra_gb,
            port: Some(w.port),
            public,
            min,
            max,
            autoscale_cpu: cpu,
            target_group: w.lb.as_ref().map(|_| label("web", &w.name)),
            lb: w.lb.clone(),
            health: w.health.clone(),
            user_data: UserData {
                image: w.image.clone(),
                ports: Some((host_port, w.port)),
                env: app_env(App::Web(&w.name)),
                sidecars: side,
            },
        });
    }
    let colocated: Vec<String> = if hosted {
        sidecars.iter().map(|s| s.what.clone()).collect()
    } else {
        Vec::new()
    };

    let mut workers = Vec::new();
    for wk in &m.workers {
        let env = app_env(App::Worker(&wk.name));
        workers.push(HostCtx {
            kind: "worker".into(),
            name: wk.name.clone(),
            label: label("worker", &wk.name),
            aws_name: aws_name(sys, &dashed("worker", &wk.name), 128),
            log_name: dashed("worker", &wk.name),
            instance_type: wk.resources.ec2_type.clone(),
            root_gb: ROOT_VOLUME_GB,
            port: None,
            public: false,
            min: wk.count,
            max: wk.count,
            autoscale_cpu: None,
            target_group: None,
            lb: None,
            health: String::new(),
            user_data: UserData {
                image: wk.image.clone(),
                ports: None,
                env,
                sidecars: false,
            },
        });
    }

    // --- load balancers -------------------------------------------------------------
    let mut lbs = Vec::new();
    for lb in &m.lbs {
        let (algorithm, note) = match lb.method {
            LbMethod::RoundRobin => ("round_robin", None),
            LbMethod::LeastConn => ("least_outstanding_requests", None),
            LbMethod::IpHash => (
                "round_robin",
                Some(vec![
                    "ip-hash: an ALB cannot hash client addresses; a load balancer".to_string(),
                    "cookie keeps each client on one instance instead.".to_string(),
                ]),
            ),
        };
        let tiers: Vec<_> = lb
            .backends
            .iter()
            .filter_map(|b| webs_by_name.get(b.as_str()).copied())
            .collect();
        let target_groups: Vec<TgCtx> = tiers
            .iter()
            .map(|w| {
                // The model decides who is pinned (`Web::sticky`: a stateful tier behind
                // a sticky or ip-hash lb); an ALB cannot hash client addresses, so an
                // ip-hash lb pins every tier with its cookie instead.
                let sticky = w.sticky || lb.method == LbMethod::IpHash;
                TgCtx {
                    web: w.name.clone(),
                    label: label("web", &w.name),
                    aws_name: aws_name(sys, &w.name, 32),
                    port: w.port,
                    health: w.health.clone(),
                    algorithm: algorithm.into(),
                    sticky,
                    sticky_note: if sticky {
                        note.clone().or_else(|| {
                            Some(vec![
                                format!(
                                    "Stateful web tier {}: a load balancer cookie keeps",
                                    w.name
                                ),
                                "each user on the instance that holds their session.".to_string(),
                            ])
                        })
                    } else {
                        None
                    },
                    // ALB weights go up to 999.
                    weight: w.count.clamp(1, 999),
                }
            })
            .collect();
        let forwarded = target_groups.len().min(5);
        let rules = target_groups
            .iter()
            .skip(5)
            .enumerate()
            .map(|(i, tg)| ListenerRuleCtx {
                label: format!("{}_{}", label("lb", &lb.name), tf_name(&tg.web)),
                priority: (i as u32 + 1) * 10,
                host: format!("{}.*", tg.web),
                target_group: tg.label.clone(),
            })
            .collect();
        let sticky_forward = forwarded > 1 && target_groups.iter().take(5).any(|t| t.sticky);
        let mut target_groups = target_groups;
        // The listener forwards to the first five; the rest stay listed for rules.
        for tg in target_groups.iter_mut().skip(5) {
            tg.weight = 0;
        }
        lbs.push(LbCtx {
            name: lb.name.clone(),
            label: label("lb", &lb.name),
            aws_name: aws_name(sys, &lb.name, 32),
            method: match lb.method {
                LbMethod::RoundRobin => "round-robin",
                LbMethod::LeastConn => "least-conn",
                LbMethod::IpHash => "ip-hash",
            }
            .into(),
            port: lb.port,
            weighted: forwarded > 1,
            target_groups,
            rules,
            sticky_forward,
        });
    }

    // --- CDN ------------------------------------------------------------------------
    let cdns: Vec<CdnCtx> = m
        .cdns
        .iter()
        .map(|c| CdnCtx {
            name: c.name.clone(),
            label: tf_name(&c.name),
            aws_name: aws_name(sys, &c.name, 64),
            alb: c.origin_lb.as_ref().map(|l| label("lb", l)),
            alb_name: c.origin_lb.clone().unwrap_or_default(),
            bucket_prefix: format!("{}-", aws_name(sys, &c.name, 36)),
            behaviors: c
                .paths
                .iter()
                .map(|p| {
                    let ttl = c.ttl_seconds.unwrap_or(CDN_DEFAULT_TTL);
                    BehaviorCtx {
                        path: p.clone(),
                        pattern: path_pattern(p),
                        ttl,
                        ttl_note: match c.ttl_seconds {
                            Some(t) => format!("ttl {}", human_secs(t)),
                            None => "no ttl in the design: CloudFront's default of 1d".into(),
                        },
                        query_string: c.versioned,
                    }
                })
                .collect(),
        })
        .collect();

    // --- data centers: Route 53 geolocation ---------------------------------------------
    let dns = m.datacenters.as_ref().map(|dc| {
        let home = m.region.clone();
        let lb = m.lbs.first();
        let mut aliases = Vec::new();
        let mut records = Vec::new();
        let mut notes = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut target = |region: &str| -> (String, String) {
            let l = lb.map(|l| label("lb", &l.name)).unwrap_or_default();
            if region == home {
                (format!("aws_lb.{l}.dns_name"), format!("aws_lb.{l}.zone_id"))
            } else {
                let r = tf_name(region);
                if !aliases.iter().any(|a: &RegionCtx| a.region == region) {
                    aliases.push(RegionCtx {
                        region: region.to_string(),
                        label: r.clone(),
                    });
                }
                (
                    format!("data.aws_lb.{r}[0].dns_name"),
                    format!("data.aws_lb.{r}[0].zone_id"),
                )
            }
        };
        if lb.is_some() {
            for region in &dc.regions {
                let cont = continent(region);
                match cont {
                    Some(c) if seen.contains(&c) => {
                        notes.push(format!(
                            "{region}: continent {c} already routes to an earlier data center"
                        ));
                        continue;
                    }
                    Some(c) => seen.push(c),
                    None => notes.push(format!(
                        "{region}: no continent known for this region; its users get the default record"
                    )),
                }
                if cont.is_none() {
                    continue;
                }
                let (dns_name, zone_id) = target(region);
                records.push(RecordCtx {
                    label: tf_name(region),
                    region: region.clone(),
                    continent: cont.map(str::to_string),
                    dns_name,
                    zone_id,
                });
            }
            let primary = if dc.regions.contains(&home) {
                home.clone()
            } else {
                dc.regions[0].clone()
            };
            let (dns_name, zone_id) = target(&primary);
            records.push(RecordCtx {
                label: "default".into(),
                region: primary,
                continent: None,
                dns_name,
                zone_id,
            });
        }
        DnsCtx {
            home,
            aliases,
            records,
            notes,
            lb: lb.map(|l| aws_name(sys, &l.name, 32)),
        }
    });

    // --- alarms ----------------------------------------------------------------------
    let mut alarms = Vec::new();
    if metrics {
        for h in webs.iter().chain(workers.iter()) {
            let (dimension, value) = if h.public {
                ("InstanceId", format!("aws_instance.{}.id", h.label))
            } else {
                (
                    "AutoScalingGroupName",
                    format!("aws_autoscaling_group.{}.name", h.label),
                )
            };
            alarms.push(AlarmCtx {
                label: format!("{}_cpu", h.label),
                name: format!("{}-cpu-high", h.aws_name),
                description: format!(
                    "{} {}: average CPU above {}% for 10 minutes",
                    if h.kind == "web" {
                        "Web tier"
                    } else {
                        "Worker"
                    },
                    h.name,
                    cpu_alarm(h.autoscale_cpu)
                ),
                namespace: "AWS/EC2".into(),
                dimension: dimension.into(),
                value,
                threshold: cpu_alarm(h.autoscale_cpu),
            });
        }
        for d in &dbs {
            for i in &d.instances {
                alarms.push(AlarmCtx {
                    label: format!("{}_rds_cpu", i.label),
                    name: format!("{}-cpu-high", i.identifier),
                    description: format!(
                        "Database instance {}: CPU above 80% for 10 minutes",
                        i.name
                    ),
                    namespace: "AWS/RDS".into(),
                    dimension: "DBInstanceIdentifier".into(),
                    value: format!("aws_db_instance.{}.identifier", i.label),
                    threshold: 80,
                });
            }
        }
        // DocumentDB publishes CPU per cluster too: one alarm over its instances.
        for n in nosqls.iter().filter(|n| !n.dynamodb) {
            alarms.push(AlarmCtx {
                label: format!("{}_docdb_cpu", n.label),
                name: format!("{}-cpu-high", n.aws_name),
                description: format!(
                    "NoSQL store {} (DocumentDB): average CPU above 80% for 10 minutes",
                    n.name
                ),
                namespace: "AWS/DocDB".into(),
                dimension: "DBClusterIdentifier".into(),
                value: format!("aws_docdb_cluster.{}.cluster_identifier", n.label),
                threshold: 80,
            });
        }
    }

    // --- outputs ---------------------------------------------------------------------
    let mut outputs = Vec::new();
    let mut out = |name: String, description: String, value: String| {
        outputs.push(OutputCtx {
            name,
            description,
            value: Some(value),
            map: vec![],
        })
    };
    for w in webs.iter().filter(|w| w.public) {
        out(
            format!("{}_public_ip", w.label),
            format!("Public address of web tier {}", w.name),
            format!("aws_eip.{}.public_ip", w.label),
        );
    }
    for lb in &lbs {
        out(
            format!("{}_dns_name", lb.label),
            format!("DNS name of load balancer {}", lb.name),
            format!("aws_lb.{}.dns_name", lb.label),
        );
    }
    for c in &cdns {
        out(
            format!("{}_domain_name", label("cdn", &c.name)),
            format!("CloudFront domain of CDN {}", c.name),
            format!("aws_cloudfront_distribution.{}.domain_name", c.label),
        );
    }
    for c in &caches {
        out(
            format!("{}_endpoint", label("cache", &c.name)),
            format!("Endpoint of cache {}", c.name),
            if c.redis {
                format!(
                    "aws_elasticache_replication_group.{}.primary_endpoint_address",
                    c.label
                )
            } else {
                format!("aws_elasticache_cluster.{}.configuration_endpoint", c.label)
            },
        );
    }
    for n in &nosqls {
        if n.dynamodb {
            out(
                format!("{}_table", label("nosql", &n.name)),
                format!("DynamoDB table of {}", n.name),
                format!("aws_dynamodb_table.{}.name", n.label),
            );
        } else {
            out(
                format!("{}_endpoint", label("nosql", &n.name)),
                format!("DocumentDB endpoint of {}", n.name),
                format!("aws_docdb_cluster.{}.endpoint", n.label),
            );
        }
    }
    for q in &queues {
        out(
            format!("{}_url", label("queue", &q.name)),
            format!("URL of queue {}", q.name),
            format!("aws_sqs_queue.{}.url", q.label),
        );
    }
    // Databases: one map per database, instance name -> value.
    for d in &dbs {
        let map = |f: &dyn Fn(&DbInstanceCtx) -> String, primaries: bool| {
            let rows: Vec<_> = d
                .instances
                .iter()
                .filter(|i| !primaries || i.source.is_none())
                .collect();
            let width = rows.iter().map(|i| i.name.len() + 2).max().unwrap_or(0);
            rows.iter()
                .map(|i| (format!("{:<width$}", format!("\"{}\"", i.name)), f(i)))
                .collect::<Vec<_>>()
        };
        outputs.push(OutputCtx {
            name: format!("{}_endpoints", label("db", &d.name)),
            description: format!(
                "Addresses of database {}'s instances (primaries and read replicas)",
                d.name
            ),
            value: None,
            map: map(&|i| format!("aws_db_instance.{}.address", i.label), false),
        });
        outputs.push(OutputCtx {
            name: format!("{}_password_secrets", label("db", &d.name)),
            description: format!(
                "Secrets Manager secrets holding the passwords of database {} (managed by RDS)",
                d.name
            ),
            value: None,
            map: map(
                &|i| {
                    format!(
                        "aws_db_instance.{}.master_user_secret[0].secret_arn",
                        i.label
                    )
                },
                true,
            ),
        });
    }
    if dns.is_some() {
        outputs.push(OutputCtx {
            name: "name_servers".into(),
            description:
                "Name servers to delegate the domain to (primary region's deployment only)".into(),
            value: Some("try(aws_route53_zone.main[0].name_servers, [])".into()),
            map: vec![],
        });
    }

    Ok(Ctx {
        header,
        system: sys.clone(),
        stage: m.stage.clone(),
        region: m.region.clone(),
        vpc,
        nat: private_hosts,
        hosts,
        snapshots: !dbs.is_empty() || nosqls.iter().any(|n| !n.dynamodb),
        logs,
        metrics,
        security_groups: sgs,
        app_sg,
        db_passwords: secrets,
        app_env: if hosts { shared_env } else { Vec::new() },
        iam,
        host_groups: webs.into_iter().chain(workers).collect(),
        lbs,
        db_subnet_group: !dbs.is_empty() || nosqls.iter().any(|n| !n.dynamodb),
        dbs,
        colocated,
        sidecars,
        cache_subnet_group: !caches.is_empty(),
        caches,
        nosqls,
        queues,
        cdns,
        dns,
        alarms,
        outputs,
    })
}

/// CPU alarm threshold: above the autoscaling target (scaling should have
/// caught it), else 80%.
fn cpu_alarm(target: Option<u32>) -> u32 {
    target.map_or(80, |t| (t + 15).min(95))
}

/// A colocated database or cache: a container next to the application on the
/// single web host.
/// A contract variable's value on AWS: an interpolation of the resource that
/// realises the component, or the colocated container's name on the web host.
/// `None`: not written into the environment file (a password, fetched or
/// generated on the host; the credentials of a queue AWS runs as SQS).
fn env_value(m: &Model, v: &EnvVar) -> Option<String> {
    let list = |items: Vec<String>| Some(items.join(","));
    let db = || m.dbs.iter().find(|d| d.name == v.component);
    let cache = || m.caches.iter().find(|c| c.name == v.component);
    let queue = || m.queues.iter().find(|q| q.name == v.component);
    let rds = |instance: &String| -> String {
        if db().is_some_and(|d| d.colocated) {
            // A colocated database's container, on the web host's network.
            instance.clone()
        } else {
            format!("${{aws_db_instance.{}.address}}", tf_name(instance))
        }
    };
    match &v.meaning {
        Meaning::Password => None,
        // Every queue is an SQS queue on AWS, whatever engine the design names.
        Meaning::Engine { .. } if v.kind == "queue" => Some("sqs".into()),
        Meaning::User { .. } if v.kind == "queue" => None,
        Meaning::Primaries { instances } | Meaning::Replicas { instances, .. } => {
            list(instances.iter().map(rds).collect())
        }
        Meaning::Nodes { .. } if v.kind == "cache" => {
            let c = cache()?;
            let label = tf_name(&c.name);
            Some(match (c.colocated, c.engine) {
                (true, _) => c.name.clone(),
                // A replication group: one primary endpoint takes every write.
                (false, CacheEngine::Redis) => format!(
                    "${{aws_elasticache_replication_group.{label}.primary_endpoint_address}}"
                ),
                (false, CacheEngine::Memcached) => format!(
                    "${{join(\",\", aws_elasticache_cluster.{label}.cache_nodes[*].address)}}"
                ),
            })
        }
        // A MongoDB store is a DocumentDB cluster: its cluster endpoint.
        Meaning::Nodes { .. } => Some(format!(
            "${{aws_docdb_cluster.{}.endpoint}}",
            tf_name(&v.component)
        )),
        // DocumentDB's replica set is always rs0.
        Meaning::ReplicaSet { .. } => Some("rs0".into()),
        Meaning::DatabaseName { .. } => {
            let d = db()?;
            Some(if d.colocated {
                tf_name(&m.system)
            } else {
                format!(
                    "${{aws_db_instance.{}.db_name}}",
                    tf_name(&d.shards[0].primary)
                )
            })
        }
        Meaning::Table { .. } => Some(format!(
            "${{aws_dynamodb_table.{}.name}}",
            tf_name(&v.component)
        )),
        Meaning::ApiEndpoint => Some(format!(
            "https://{}.${{var.region}}.amazonaws.com",
            if v.kind == "nosql" { "dynamodb" } else { "sqs" }
        )),
        Meaning::QueueUrl => Some(format!(
            "${{aws_sqs_queue.{}.url}}",
            tf_name(&queue()?.name)
        )),
        Meaning::QueueName { .. } => Some(format!(
            "${{aws_sqs_queue.{}.name}}",
            tf_name(&queue()?.name)
        )),
        Meaning::Region { .. } => Some("${var.region}".into()),
        other => other.literal(),
    }
}

#[derive(Serialize)]
struct Sidecar {
    /// For comments: `postgres database db`.
    what: String,
    container: String,
    image: String,
    volume: Option<String>,
    /// `KEY=value` lines of its env file; `@PASSWORD@` is the generated password.
    env: Vec<(String, String)>,
    /// The application's env var that receives the generated password.
    password_env: Option<String>,
    args: String,
}

impl Sidecar {
    fn db(d: &crate::model::Db, instance: &str, system: &str, first: bool) -> Sidecar {
        let db_name = tf_name(system);
        let (image, env, volume) = match d.engine {
            DbEngine::Postgres => (
                "postgres:16",
                vec![
                    ("POSTGRES_USER".to_string(), d.user.clone()),
                    ("POSTGRES_DB".to_string(), db_name),
                    ("POSTGRES_PASSWORD".to_string(), "@PASSWORD@".to_string()),
                ],
                "/var/lib/postgresql/data",
            ),
            DbEngine::Mysql => (
                "mysql:8.0",
                vec![
                    ("MYSQL_USER".to_string(), d.user.clone()),
                    ("MYSQL_DATABASE".to_string(), db_name),
                    ("MYSQL_PASSWORD".to_string(), "@PASSWORD@".to_string()),
                    ("MYSQL_RANDOM_ROOT_PASSWORD".to_string(), "yes".to_string()),
                ],
                "/var/lib/mysql",
            ),
        };
        Sidecar {
            what: format!("{} database {}", engine_name(d.engine).0, instance),
            container: instance.to_string(),
            image: image.into(),
            volume: Some(format!("{instance}-data:{volume}")),
            env,
            password_env: first.then(|| d.password_env.clone()),
            args: String::new(),
        }
    }

    fn cache(c: &crate::model::Cache) -> Sidecar {
        let (image, args) = match c.engine {
            CacheEngine::Redis => {
                let policy = match c.evict {
                    Some(Evict::Lru) => "allkeys-lru",
                    Some(Evict::Lfu) => "allkeys-lfu",
                    Some(Evict::None) => "noeviction",
                    None => "volatile-lru",
                };
                (
                    "redis:7",
                    format!(
                        "redis-server --maxmemory {}mb --maxmemory-policy {policy}",
                        c.memory_mb
                    ),
                )
            }
            CacheEngine::Memcached => (
                "memcached:1.6",
                format!(
                    "memcached -m {}{}",
                    c.memory_mb,
                    if c.evict == Some(Evict::None) {
                        " -M"
                    } else {
                        ""
                    }
                ),
            ),
        };
        Sidecar {
            what: format!(
                "{} cache {}",
                match c.engine {
                    CacheEngine::Redis => "redis",
                    CacheEngine::Memcached => "memcached",
                },
                c.name
            ),
            container: c.name.clone(),
            image: image.into(),
            volume: None,
            env: vec![],
            password_env: None,
            args,
        }
    }
}

/// The components a Terraform file is generated from (for its second header
/// line): those whose parts of the context its template reads.
fn file_origins<'m>(m: &'m Model, file: &str) -> Vec<&'m Origin> {
    let remote_dbs = m.dbs.iter().filter(|d| !d.colocated).map(|d| &d.origin);
    let remote_caches = m.caches.iter().filter(|c| !c.colocated).map(|c| &c.origin);
    let mongos = m
        .nosqls
        .iter()
        .filter(|n| n.engine == NosqlEngine::Mongodb)
        .map(|n| &n.origin);
    let apps = || {
        m.webs
            .iter()
            .map(|w| &w.origin)
            .chain(m.workers.iter().map(|w| &w.origin))
    };
    let dc = m.datacenters.as_ref().map(|d| &d.origin);
    let mut o: Vec<&Origin> = Vec::new();
    match file {
        // The DNS provider aliases of the data centers.
        "versions.tf" => o.extend(dc),
        "variables.tf" => {
            o.extend(apps());
            o.extend(remote_dbs);
            o.extend(mongos);
            o.extend(m.logs.as_ref());
            o.extend(dc);
        }
        // The VPC and one security group per networked component.
        "network.tf" => {
            o.extend(m.lbs.iter().map(|l| &l.origin));
            o.extend(apps());
            o.extend(remote_dbs);
            o.extend(remote_caches);
            o.extend(mongos);
        }
        // Hosts, what their user data tells them, and what IAM lets them reach.
        "hosts.tf" => {
            o.extend(apps());
            o.extend(m.dbs.iter().map(|d| &d.origin));
            // Every data component: `local.app_env` gives the hosts its address.
            o.extend(m.caches.iter().map(|c| &c.origin));
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(m.queues.iter().map(|q| &q.origin));
            o.extend(m.logs.as_ref());
            o.extend(m.metrics.as_ref());
        }
        "lb.tf" => {
            o.extend(m.lbs.iter().map(|l| &l.origin));
            o.extend(m.webs.iter().filter(|w| w.lb.is_some()).map(|w| &w.origin));
        }
        "data.tf" => {
            o.extend(remote_dbs);
            o.extend(remote_caches);
            o.extend(m.nosqls.iter().map(|n| &n.origin));
        }
        "queues.tf" => o.extend(m.queues.iter().map(|q| &q.origin)),
        // CloudFront (and the balancer it fetches from), Route 53.
        "edge.tf" => {
            for c in &m.cdns {
                o.push(&c.origin);
                o.extend(
                    m.lbs
                        .iter()
                        .filter(|l| c.origin_lb.as_ref() == Some(&l.name))
                        .map(|l| &l.origin),
                );
            }
            if let Some(d) = dc {
                o.push(d);
                o.extend(m.lbs.first().map(|l| &l.origin));
            }
        }
        // Log groups and alarms per host, database alarms.
        "ops.tf" => {
            if m.logs.is_some() || m.metrics.is_some() {
                o.extend(apps());
            }
            o.extend(m.logs.as_ref());
            if let Some(metrics) = &m.metrics {
                o.push(metrics);
                o.extend(remote_dbs);
            }
        }
        "outputs.tf" => {
            o.extend(m.webs.iter().filter(|w| w.lb.is_none()).map(|w| &w.origin));
            o.extend(m.lbs.iter().map(|l| &l.origin));
            o.extend(m.cdns.iter().map(|c| &c.origin));
            o.extend(remote_dbs);
            o.extend(remote_caches);
            o.extend(m.nosqls.iter().map(|n| &n.origin));
            o.extend(m.queues.iter().map(|q| &q.origin));
            o.extend(dc);
        }
        _ => {}
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continents() {
        assert_eq!(continent("us-east-1"), Some("NA"));
        assert_eq!(continent("eu-west-1"), Some("EU"));
        assert_eq!(continent("ap-southeast-2"), Some("OC"));
        assert_eq!(continent("ap-northeast-1"), Some("AS"));
        assert_eq!(continent("xx-1"), None);
    }
}
