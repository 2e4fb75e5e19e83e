//! Defaults the language promises, decided in one place.

use super::types::{Resources, SizeClass};

pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_WEB_PORT: u16 = 8080;
pub const DEFAULT_HEALTH: &str = "/health";
pub const DEFAULT_CPU_TARGET: u32 = 70;
pub const DEFAULT_DB_STORAGE_GB: u32 = 20;
pub const DEFAULT_CACHE_MEMORY_MB: u32 = 256;
pub const LB_PORT: u16 = 80;
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
