//! Expiry and eviction policies: W0304, W0305, W0306.

use crate::diag::Diagnostic;
use crate::model::Model;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    for c in &m.caches {
        if c.ttl_seconds.is_none() {
            out.push(
                Diagnostic::new(
                    "W0304",
                    c.origin.span,
                    format!(
                        "cache `{}` has no TTL, so cached data never expires and goes stale",
                        c.name
                    ),
                )
                .primary("no `ttl`")
                .help("add an expiry, e.g. `ttl 10m`"),
            );
        }
        if c.evict.is_none() {
            out.push(
                Diagnostic::new(
                    "W0305",
                    c.origin.span,
                    format!(
                        "cache `{}` has no eviction policy, so writes fail once it is full",
                        c.name
                    ),
                )
                .primary("no `evict`")
                .help("add `evict lru` (or `evict lfu`; `evict none` to fail writes on purpose)"),
            );
        }
    }
    for c in &m.cdns {
        if c.ttl_seconds.is_none() {
            let span = c.spans.get("for").copied().unwrap_or(c.origin.span);
            out.push(
                Diagnostic::new(
                    "W0306",
                    span,
                    format!(
                        "CDN `{}` serves {} without a TTL",
                        c.name,
                        c.paths.join(", ")
                    ),
                )
                .primary("no `ttl`")
                .help("add how long the CDN may cache them, e.g. `ttl 1d`"),
            );
        }
    }
}
