//! Defaults the language promises, decided in one place.

use super::types::{Resources, SizeClass};

pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_WEB_PORT: u16 = 8080;
pub const DEFAULT_HEALTH: &str = "/health";
pub const DEFAULT_CPU_TARGET: u32 = 70;
pub const DEFAULT_DB_STORAGE_GB: u32 = 20;
pub const DEFAULT_CACHE_MEMORY_MB: u32 = 256;
pub const LB_PORT: u16 = 80;

// `traffic` clauses left out (docs/estimate.md gives the reasoning).
/// Requests one daily user makes: a couple of visits of a few pages, each
/// page with its API calls.
pub const DEFAULT_REQUESTS_PER_USER: f64 = 20.0;
/// The busiest hour's rate over the day's average: a day's traffic is not
/// flat, most sites see 2-4x at their peak hour.
pub const DEFAULT_PEAK: f64 = 3.0;
/// Share of requests that only read: most web traffic is read-heavy (9:1).
pub const DEFAULT_READS_PERCENT: f64 = 90.0;
/// Bytes per response: an HTML page or a JSON response, compressed.
pub const DEFAULT_RESPONSE_BYTES: f64 = 32.0 * 1024.0;
/// The stage name of a file that declares no stages.
pub const SINGLE_STAGE: &str = "main";

impl SizeClass {
    /// What each size means on every target. Small fits a free-tier-like host;
    /// each step up roughly doubles CPU and memory.
    pub fn resources(self) -> Resources {
        let (cpu, cpus, memory_mb, ec2, rds, cache) = match self {
            SizeClass::Small => (
                "500m",
                "0.5",
                512,
                "t3.small",
                "db.t3.small",
                "cache.t3.small",
            ),
            SizeClass::Medium => (
                "1",
                "1.0",
                2048,
                "t3.medium",
                "db.t3.medium",
                "cache.t3.medium",
            ),
            SizeClass::Large => (
                "2",
                "2.0",
                8192,
                "m6i.large",
                "db.m6i.large",
                "cache.m6g.large",
            ),
            SizeClass::Xlarge => (
                "4",
                "4.0",
                16384,
                "m6i.xlarge",
                "db.m6i.xlarge",
                "cache.m6g.xlarge",
            ),
        };
        Resources {
            size: self,
            cpu: cpu.into(),
            cpus: cpus.into(),
            memory_mb,
            ec2_type: ec2.into(),
            rds_class: rds.into(),
            cache_node: cache.into(),
        }
    }
}
