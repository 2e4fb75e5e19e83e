//! What one instance sustains when the design gives no `capacity`, and the
//! other assumptions of the load model, in one place. docs/estimate.md
//! prints this table with its reasoning; change both together.
//!
//! These are deliberately round, conservative rules of thumb for a typical
//! web application, not benchmarks of archc's placeholder: the point of the
//! estimate is which tier gives out first and roughly when. A design that
//! knows its numbers says `capacity N UNIT`.

use crate::model::{CacheEngine, DbEngine, NosqlEngine, SizeClass};

/// vCPUs behind each size class (`model::defaults`: t3.small has 2 burstable
/// vCPUs at a 20% baseline, the container gets 0.5 CPU): the factor every
/// CPU-bound default scales with.
fn cpus(size: SizeClass) -> f64 {
    match size {
        SizeClass::Small => 0.5,
        SizeClass::Medium => 1.0,
        SizeClass::Large => 2.0,
        SizeClass::Xlarge => 4.0,
    }
}

/// A dynamic web request costs about 10 ms of CPU (a framework, a template or
/// JSON, a query or two): 100 requests/s per CPU.
pub const WEB_RPS_PER_CPU: f64 = 100.0;

/// Requests per second one web instance of `size` serves.
pub fn web_rps(size: SizeClass) -> f64 {
    WEB_RPS_PER_CPU * cpus(size)
}

/// A load balancer only forwards: nginx and HAProxy proxy well over 10,000
/// small requests/s on one core; an ALB scales by itself.
pub const LB_RPS: f64 = 10_000.0;

/// An indexed query of a relational database costs about 1-2 ms of a CPU and
/// its I/O: 1,000 queries/s per CPU, the same for postgres and mysql.
pub const DB_QPS_PER_CPU: f64 = 1_000.0;

/// Queries per second one database instance (a primary or a replica) answers.
pub fn db_qps(size: SizeClass, _engine: DbEngine) -> f64 {
    DB_QPS_PER_CPU * cpus(size)
}

/// An in-memory get or set is microseconds: Redis and Memcached answer about
/// 20,000 simple commands/s per CPU with network round trips.
pub const CACHE_QPS_PER_CPU: f64 = 20_000.0;

pub fn cache_qps(size: SizeClass, _engine: CacheEngine) -> f64 {
    CACHE_QPS_PER_CPU * cpus(size)
}

/// DynamoDB: AWS's default per-table limit of 40,000 read request units per
/// second (on-demand); MongoDB: a small instance, like a relational one of
/// one CPU, about 2,000 simple document reads/s.
pub fn nosql_qps(engine: NosqlEngine) -> f64 {
    match engine {
        NosqlEngine::Dynamodb => 40_000.0,
        NosqlEngine::Mongodb => 2_000.0,
    }
}

/// A background job (a thumbnail, an email) costs about 100 ms of CPU:
/// 10 jobs/s per CPU.
pub const WORKER_JOBS_PER_CPU: f64 = 10.0;

pub fn worker_jobs(size: SizeClass) -> f64 {
    WORKER_JOBS_PER_CPU * cpus(size)
}

/// Queries a dynamic request makes to the cache and the data stores: a page
/// or an API call reads or writes a handful of rows (a user, a list, its
/// items, a count). A read request makes reads, a write request writes.
pub const QUERIES_PER_REQUEST: f64 = 5.0;

/// Share of reads a cache answers when the design gives no `hits`: a cache
/// with a TTL of minutes in front of a read-heavy site.
pub const DEFAULT_HITS_PERCENT: f64 = 80.0;

/// Share of requests that ask for a CDN's paths (images, scripts, styles)
/// when the stage has a CDN: they are answered at the edge and never reach
/// the balancer or the web tier. Counted among the reads.
pub const CDN_STATIC_PERCENT: f64 = 30.0;

/// Background jobs per write when the stage has workers: one write in ten
/// starts work that can wait (an email, a thumbnail, a search index update).
pub const JOBS_PER_WRITE: f64 = 0.1;

/// Seconds in a day: average requests/s = requests a day / 86,400.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// AWS's pricing month, 730 hours: 30.4167 days.
pub const DAYS_PER_MONTH: f64 = 730.0 / 24.0;

/// `GB` in usage figures: 10^9 bytes, as AWS bills data out (`cost::GB`).
pub const BYTES_PER_GB: f64 = crate::cost::GB;
