//! What a stage runs on AWS, decided once: the terraform target spells it
//! as HCL and the cost estimate (`src/cost`) prices it, so the two cannot
//! disagree about how many instances of which type a stage deploys.
//!
//! Only counts, types and sizes live here; names, rules and everything
//! else the files say stay in `src/emit/terraform`.

use super::types::{Cache, CacheEngine, Db, Model, Nosql, NosqlEngine, Web, Worker};

/// Every EC2 host's root volume (gp3), plus the data of colocated databases.
pub const EC2_ROOT_VOLUME_GB: u32 = 20;
/// ElastiCache holds a primary and at most 5 replicas per replication group.
pub const REDIS_MAX_NODES: u32 = 6;
/// DocumentDB's smallest instance class, which every document store gets.
pub const DOCDB_CLASS: &str = "db.t3.medium";
/// Availability zones the VPC spans (`local.azs`): an ALB has a node, and a
/// public address, in each.
pub const AWS_AZS: u32 = 2;

/// Which kind of application a host group runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    Web,
    Worker,
}

/// One launch template and its instances: a web tier or a worker.
#[derive(Clone, Debug)]
pub struct HostGroup<'m> {
    pub kind: HostKind,
    pub name: &'m str,
    pub instance_type: &'m str,
    /// A web tier without a load balancer: one public instance with an
    /// Elastic IP, not an autoscaling group.
    pub public: bool,
    /// Instances that run at all times: the autoscaling group's minimum
    /// (and desired capacity), or its fixed size.
    pub min: u32,
    pub max: u32,
    /// Target CPU of the scaling policy, when the tier autoscales.
    pub autoscale_cpu: Option<u32>,
    /// Root volume of each instance, in GB.
    pub root_gb: u32,
    /// The single-server stage's colocated databases and caches run on it.
    pub sidecars: bool,
}

impl Model {
    /// Web tiers, then workers, as hosts.tf deploys them.
    pub fn aws_host_groups(&self) -> Vec<HostGroup<'_>> {
        let any_sidecar = self.any_colocated();
        let mut hosted = false;
        let mut groups = Vec::with_capacity(self.webs.len() + self.workers.len());
        for w in &self.webs {
            let public = w.lb.is_none();
            // Colocated components run on the one web host (the first tier
            // without a load balancer; the checks allow colocated only with
            // one web host).
            let sidecars = public && !hosted && any_sidecar;
            hosted |= public;
            groups.push(self.web_group(w, sidecars));
        }
        groups.extend(self.workers.iter().map(worker_group));
        groups
    }

    fn web_group<'m>(&'m self, w: &'m Web, sidecars: bool) -> HostGroup<'m> {
        let public = w.lb.is_none();
        let (min, max, autoscale_cpu) = match (&w.autoscale, public) {
            (Some(a), false) => (a.min, a.max, Some(a.cpu_percent)),
            (_, true) => (1, 1, None),
            (None, false) => (w.count, w.count, None),
        };
        let colocated_gb: u32 = if sidecars {
            self.dbs
                .iter()
                .filter(|d| d.colocated)
                .map(|d| d.storage_gb)
                .sum()
        } else {
            0
        };
        HostGroup {
            kind: HostKind::Web,
            name: &w.name,
            instance_type: &w.resources.ec2_type,
            public,
            min,
            max,
            autoscale_cpu,
            root_gb: EC2_ROOT_VOLUME_GB + colocated_gb,
            sidecars,
        }
    }

    /// Whether any database or cache runs on the web host (a colocated
    /// database without shards runs nothing).
    pub fn any_colocated(&self) -> bool {
        self.dbs.iter().any(|d| d.colocated && !d.shards.is_empty())
            || self.caches.iter().any(|c| c.colocated)
    }

    /// The databases RDS runs: every one not colocated on the web host.
    pub fn rds_dbs(&self) -> impl Iterator<Item = &Db> {
        self.dbs.iter().filter(|d| !d.colocated)
    }

    /// The caches ElastiCache runs: every one not colocated on the web host.
    pub fn elasticache_caches(&self) -> impl Iterator<Item = &Cache> {
        self.caches.iter().filter(|c| !c.colocated)
    }

    /// The document stores DocumentDB runs (a DynamoDB table has no
    /// instances).
    pub fn docdb_stores(&self) -> impl Iterator<Item = &Nosql> {
        self.nosqls
            .iter()
            .filter(|n| n.engine == NosqlEngine::Mongodb)
    }

    /// Whether the private subnets get a NAT gateway (one, in the first
    /// public subnet): hosts there pull images and reach AWS APIs through it.
    pub fn aws_nat_gateway(&self) -> bool {
        self.webs.iter().any(|w| w.lb.is_some()) || !self.workers.is_empty()
    }

    /// The regions the stage is applied in: once per data center
    /// (`-var region=…`), else once in the stage's region.
    pub fn aws_regions(&self) -> Vec<&str> {
        match &self.datacenters {
            Some(dc) => dc.regions.iter().map(String::as_str).collect(),
            None => vec![self.region.as_str()],
        }
    }

    /// Whether the stage's customer managed KMS key exists (ops.tf): it
    /// encrypts the log groups and data at rest of anything in the VPC
    /// (hosts, balancers, RDS, ElastiCache, DocumentDB) and of DynamoDB
    /// tables. The emitter and the cost model both read this.
    pub fn has_stage_key(&self) -> bool {
        !self.webs.is_empty()
            || !self.workers.is_empty()
            || !self.lbs.is_empty()
            || self.rds_dbs().next().is_some()
            || self.elasticache_caches().next().is_some()
            || !self.nosqls.is_empty()
    }

    /// The data center users reach when nothing else decides (the failover
    /// record's primary, geo DNS's default): the stage's region if it is a
    /// data center, else the first one listed.
    pub fn primary_datacenter(&self) -> &str {
        match &self.datacenters {
            Some(dc) if !dc.regions.contains(&self.region) => &dc.regions[0],
            _ => &self.region,
        }
    }
}

fn worker_group(wk: &Worker) -> HostGroup<'_> {
    HostGroup {
        kind: HostKind::Worker,
        name: &wk.name,
        instance_type: &wk.resources.ec2_type,
        public: false,
        min: wk.count,
        max: wk.count,
        autoscale_cpu: None,
        root_gb: EC2_ROOT_VOLUME_GB,
        sidecars: false,
    }
}

impl Db {
    /// Storage RDS allocates to each instance (a replica gets its
    /// primary's): the design's, at least RDS's minimum.
    pub fn rds_storage_gb(&self) -> u32 {
        self.storage_gb.max(super::runtime::RDS_MIN_STORAGE_GB)
    }
}

impl Cache {
    /// The nodes ElastiCache runs: a Redis replication group holds at most
    /// [`REDIS_MAX_NODES`]; a Memcached cluster as many as asked.
    pub fn elasticache_nodes(&self) -> u32 {
        match self.engine {
            CacheEngine::Redis => self.count.min(REDIS_MAX_NODES),
            CacheEngine::Memcached => self.count,
        }
    }
}
