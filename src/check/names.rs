//! Generated names that would collide: E0108. Every target turns components
//! into host names, Compose services and Kubernetes objects in one namespace, so
//! `web store` and `cache store x2` (both `store-1`) cannot coexist.

use crate::diag::Diagnostic;
use crate::model::{Model, Origin};
use indexmap::IndexMap;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let generated = m.generated_names();
    // A CDN makes no host of its own: its name is only an identifier.
    let names: Vec<(&String, &str, &str, &Origin)> = generated
        .iter()
        .filter(|(_, c)| c.kind != "cdn")
        .map(|(n, c)| (n, c.kind, c.name, c.origin))
        .collect();
    // generated name -> the first component that made it
    let mut seen: IndexMap<&str, (&str, &str, &Origin)> = IndexMap::new();
    let mut reported: Vec<(&str, &str, &str, &str)> = Vec::new();
    for (generated, kind, name, origin) in &names {
        let Some(&(k0, n0, o0)) = seen.get(generated.as_str()) else {
            seen.insert(generated.as_str(), (kind, name, origin));
            continue;
        };
        if (k0, n0) == (*kind, *name) || reported.contains(&(k0, n0, *kind, *name)) {
            continue;
        }
        reported.push((k0, n0, kind, name));
        // Point at whichever was written later; the earlier one is the label.
        let ((kind, name, origin), (k0, n0, o0)) = if origin.span.start >= o0.span.start {
            ((*kind, *name, *origin), (k0, n0, o0))
        } else {
            ((k0, n0, o0), (*kind, *name, *origin))
        };
        out.push(
            Diagnostic::new(
                "E0108",
                origin.span,
                format!("{kind} `{name}` and {k0} `{n0}` both generate the name `{generated}`"),
            )
            .primary(format!("makes `{generated}`"))
            .label(o0.span, format!("also makes `{generated}`"))
            .help("rename one of them: host names, Compose services and Kubernetes objects share one namespace"),
        );
    }
}
