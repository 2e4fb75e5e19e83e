//! The runtime plan (`src/model/runtime.rs`) is what every target runs: the
//! data services and collectors run the same images on compose and
//! Kubernetes, and the plan's images are the ones in the files.

use super::common;
use archc::emit::{self, Options, Target};
use archc::model::Model;
use std::collections::BTreeSet;

/// Every `image:` value of a target's files, without quotes.
fn images(m: &Model, target: Target) -> BTreeSet<String> {
    emit::emit(target, m, &Options::default())
        .unwrap()
        .iter()
        .flat_map(|f| f.contents.lines().map(str::to_string).collect::<Vec<_>>())
        .filter_map(|l| {
            let v = l.trim().strip_prefix("image:")?;
            Some(v.trim().trim_matches('"').to_string())
        })
        .collect()
}

#[test]
fn compose_and_k8s_run_the_same_images_for_the_same_components() {
    let mut checked = 0;
    for path in common::buildable_designs() {
        for m in common::compile_file(&path).stages {
            let apps: BTreeSet<String> = m
                .webs
                .iter()
                .map(|w| w.image.clone())
                .chain(m.workers.iter().map(|w| w.image.clone()))
                .collect();
            // Compose runs the balancers itself; Kubernetes routes through
            // its Ingress controller instead.
            // (compose escapes `$` in an image name as `$$`)
            let compose: BTreeSet<String> = images(&m, Target::Compose)
                .into_iter()
                .map(|i| i.replace("$$", "$"))
                .filter(|i| {
                    !apps.contains(i) && !i.starts_with("nginx:") && !i.starts_with("haproxy:")
                })
                .collect();
            let k8s: BTreeSet<String> = images(&m, Target::K8s)
                .into_iter()
                .filter(|i| !apps.contains(i))
                .collect();
            assert_eq!(compose, k8s, "{}/{}", path.display(), m.stage);
            checked += compose.len();
        }
    }
    assert!(checked > 50, "only {checked} images compared");
}

#[test]
fn the_plans_images_are_the_ones_in_the_files() {
    let path = common::repo().join("tests/fixtures/ok/terraform-everything.arch");
    let m = common::compile_file(&path).stages.pop().unwrap();
    let k8s = images(&m, Target::K8s);
    for db in &m.dbs {
        assert!(k8s.contains(db.engine.runtime().image), "{k8s:?}");
    }
    for c in &m.caches {
        assert!(k8s.contains(c.engine.runtime().image), "{k8s:?}");
    }
    for q in &m.queues {
        assert!(k8s.contains(q.engine.image()), "{k8s:?}");
    }
}
