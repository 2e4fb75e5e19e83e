//! The checkov checks a workload keeps failing on purpose, as suppressions
//! in the object itself (`checkov.io/skipN: CKV_K8S_N=reason` annotations),
//! so a scan of archc's output is clean and every exception says why.
//! docs/security.md lists them with how a user flips each one.
//!
//! Each is derived from the workload's own settings, so a suppression is
//! written exactly where the setting it excuses is.

use super::objects::{Map, Workload};

/// Images are pinned by version tag everywhere.
const DIGEST: (&str, &str) = (
    "CKV_K8S_43",
    "images are pinned by version tag; archc writes files offline and cannot resolve digests (pin them with a kustomize images: override)",
);
const SECRET_ENV: (&str, &str) = (
    "CKV_K8S_35",
    "the images read their passwords from environment variables (POSTGRES_PASSWORD, the app's shared environment), from the Secret by reference",
);
const ROOT_ENTRYPOINT: [(&str, &str); 4] = [
    (
        "CKV_K8S_23",
        "the official image's entrypoint starts as root to chown its data volume, then runs the server as the image's own user",
    ),
    (
        "CKV_K8S_25",
        "added back only what the image's entrypoint needs to chown its volume and switch user: CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID",
    ),
    (
        "CKV_K8S_37",
        "added back only what the image's entrypoint needs to chown its volume and switch user: CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID",
    ),
    (
        "CKV_K8S_40",
        "the server runs as the image's own user (uid below 10000), which owns its data directory",
    ),
];
const WRITABLE_ROOT: (&str, &str) = (
    "CKV_K8S_22",
    "the official image writes outside its data volume at start (run directory, generated configuration)",
);
const NO_PROBES: [(&str, &str); 2] = [
    (
        "CKV_K8S_8",
        "a worker serves no port; its liveness is its progress on the queue, which Kubernetes cannot probe",
    ),
    (
        "CKV_K8S_9",
        "a worker serves no port and receives no traffic, so there is nothing to be ready for",
    ),
];
const ROOT_READER: [(&str, &str); 2] = [
    (
        "CKV_K8S_23",
        "reads the node's container logs under /var/log, readable by root only (every capability dropped, read-only root file system)",
    ),
    (
        "CKV_K8S_40",
        "reads the node's container logs under /var/log, readable by root only (every capability dropped, read-only root file system)",
    ),
];
const IMAGE_USER: (&str, &str) = (
    "CKV_K8S_40",
    "the design's image runs as its own non-root user (runAsNonRoot is enforced); its uid is the image's to choose",
);
const IMAGE_UID: (&str, &str) = (
    "CKV_K8S_40",
    "runs as the official image's own non-root user (uid below 10000), which its files and entrypoint expect",
);
const API_TOKEN: (&str, &str) = (
    "CKV_K8S_38",
    "Prometheus discovers the pods to scrape through the Kubernetes API, with a read-only Role of this namespace",
);

/// The `checkov.io/skipN` annotations of `w`, numbered from 1.
pub(super) fn checkov_skips(w: &Workload) -> Map {
    let pod = &w.pod;
    let containers = || pod.init_containers.iter().chain(&pod.containers);
    let mut skips = vec![DIGEST];
    let secret_env = containers().any(|c| {
        c.env.iter().any(|e| e.secret_key.is_some())
            || c.env_from.iter().any(|f| f.secret.is_some())
    });
    if secret_env {
        skips.push(SECRET_ENV);
    }
    if containers().any(|c| !c.caps_add.is_empty()) {
        skips.extend(ROOT_ENTRYPOINT);
    } else if !pod.non_root {
        skips.extend(ROOT_READER);
    } else if pod.run_as_user.is_none() {
        skips.push(IMAGE_USER);
    } else if pod.run_as_user.is_some_and(|u| u < 10000) {
        skips.push(IMAGE_UID);
    }
    if containers().any(|c| !c.read_only_root) {
        skips.push(WRITABLE_ROOT);
    }
    if pod.containers.iter().any(|c| c.probes.is_empty()) {
        skips.extend(NO_PROBES);
    }
    if pod.service_account.is_some() {
        skips.push(API_TOKEN);
    }
    skips
        .into_iter()
        .enumerate()
        .map(|(i, (id, reason))| {
            (
                format!("checkov.io/skip{}", i + 1),
                format!("{id}={reason}"),
            )
        })
        .collect()
}
