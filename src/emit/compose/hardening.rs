//! The container hardening every Compose service gets: every capability
//! dropped (`cap_drop: [ALL]`) and no privilege gain (`no-new-privileges`),
//! then, per image, only what that image is known to need to start: the
//! capabilities added back, a read-only root file system with tmpfs for the
//! paths it writes, the user it runs as, and resource limits for the
//! services the design gives no size.
//!
//! Set only where the image's behaviour is known (its Dockerfile and
//! entrypoint); an image not listed here (the design's own application
//! images) gets the common part and a read-only root with a tmpfs `/tmp`,
//! as its Kubernetes pods do.

use super::service::{Limits, Service};
use crate::model::runtime::{images, placeholder};

/// The official data images (postgres, mysql, redis, rabbitmq, mongo,
/// elasticmq, dynamodb-local): their entrypoints run as root, chown the data
/// volume to the image's own user (CHOWN; DAC_OVERRIDE and FOWNER for files
/// another user owns) and switch to it with gosu/su-exec (SETUID, SETGID;
/// plain syscalls, which no-new-privileges allows). A subset of Docker's
/// default capabilities, so they start as they do by default. They also
/// write outside their volume at start (run directories, generated
/// configuration): their root file system stays writable.
const DATA_CAPS: &[&str] = &["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"];

/// nginx (the load balancer): the master binds port 80 and chowns its cache
/// directories, then runs its workers as user nginx. Its root file system
/// stays writable: the configuration archc writes (shared with the native
/// traffic tests) keeps its pid file and temporary files under the prefix
/// /etc/nginx, beside the mounted nginx.conf.
const NGINX_CAPS: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "NET_BIND_SERVICE",
    "SETGID",
    "SETUID",
];

/// Limits of the services the design gives no size (load balancer, logs,
/// metrics, a queue without one): what each needs at this scale.
fn default_limits(image: &str) -> Limits {
    let (cpus, memory) = match image {
        images::PROMETHEUS | images::RABBITMQ => ("1", "1024M"),
        images::FLUENT_BIT => ("0.25", "256M"),
        _ => ("0.5", "512M"),
    };
    Limits {
        cpus: cpus.into(),
        memory: memory.into(),
    }
}

pub(super) fn harden(s: &mut Service) {
    if s.limits.is_none() {
        s.limits = Some(default_limits(&s.image));
    }
    let image = s.image.as_str();
    let data = [
        images::MONGODB,
        images::DYNAMODB_LOCAL,
        images::RABBITMQ,
        images::REDIS,
        images::ELASTICMQ,
    ]
    .contains(&image)
        || ["postgres:", "mysql:", "redis:"]
            .iter()
            .any(|p| image.starts_with(p));
    if data && s.user.is_some() {
        // Started as the image's own user (a redis cache): its entrypoint
        // has nothing to chown or switch, so no capability comes back.
    } else if data {
        s.cap_add = DATA_CAPS.to_vec();
    } else if image.starts_with("nginx:") {
        s.cap_add = NGINX_CAPS.to_vec();
    } else if image.starts_with("haproxy:") || image.starts_with("memcached:") {
        // Both run as their image's own user and write nothing (Docker lets
        // an unprivileged process bind port 80 in a container).
        s.read_only = true;
    } else if image == images::FLUENT_BIT || image == images::PROMETHEUS {
        // They write only to their volume.
        s.read_only = true;
    } else {
        // The design's application image, or the placeholder (busybox runs
        // as root by default: it runs as nobody, as in Kubernetes).
        if image == placeholder::IMAGE {
            s.user = Some(format!("{0}:{0}", placeholder::UID));
        }
        s.read_only = true;
        s.tmpfs = vec!["/tmp"];
    }
}
