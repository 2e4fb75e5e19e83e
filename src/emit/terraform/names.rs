//! How the target names things: Terraform labels, AWS resource names within
//! each service's length limit, and the quoting of text placed in shell
//! scripts and heredocs.

use crate::emit::templates::tf_name;

/// The Terraform label of a component in a resource type several kinds share:
/// the kind alone when the component is named after it, else `<kind>_<name>`.
pub(super) fn label(kind: &str, name: &str) -> String {
    if name == kind {
        kind.to_string()
    } else {
        format!("{kind}_{}", tf_name(name))
    }
}

/// The AWS-name form of [`label`]: `web`, `worker-thumbnails`.
pub(super) fn dashed(kind: &str, name: &str) -> String {
    if name == kind {
        kind.to_string()
    } else {
        format!("{kind}-{name}")
    }
}

/// An AWS resource name `<system>-<name>` within `max` characters. Names longer
/// than the limit keep a readable prefix and end in 8 hex digits of a hash of the
/// full name, so shortening is deterministic and two long names stay distinct.
/// Consecutive hyphens (rejected by RDS and ElastiCache) are collapsed.
pub(super) fn aws_name(system: &str, name: &str, max: usize) -> String {
    let mut full = format!("{system}-{name}");
    while full.contains("--") {
        full = full.replace("--", "-");
    }
    if full.len() <= max {
        return full;
    }
    let hash = fnv1a(&full);
    let keep = max - 9;
    let prefix = full[..keep].trim_end_matches('-');
    format!("{prefix}-{hash:08x}")
}

/// 32-bit FNV-1a: a hash that is the same on every platform and release, so
/// a shortened name never changes between builds.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A component's `label`s as the `tags` of its resources (merged with the
/// provider's `default_tags`, whose keys the language keeps them off).
pub(super) fn tags(labels: &[crate::model::Label]) -> Vec<(String, String)> {
    labels
        .iter()
        .map(|l| (l.key.clone(), l.value.clone()))
        .collect()
}

/// The SSM Parameter Store name of an application's `secret NAME`:
/// `/<system>/<app>/<NAME>`, one path an application so that its role may
/// read its own and nothing else (docs/language.md).
pub(super) fn parameter_name(system: &str, app: &str, var: &str) -> String {
    format!("/{system}/{app}/{var}")
}

/// A POSIX shell single-quoted word.
pub(super) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Text placed verbatim in an HCL heredoc: only template sequences need escaping
/// (heredocs do not interpret backslashes, and model strings hold no newline).
pub(super) fn heredoc_escape(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// Human duration for comments: `86400` -> `1d`.
pub(super) fn human_secs(s: u64) -> String {
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s >= n && s.is_multiple_of(n) {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_names_fit_and_stay_distinct() {
        assert_eq!(aws_name("shop", "web", 32), "shop-web");
        let a = aws_name("a-very-long-system-name", "a-very-long-web-tier-name-1", 32);
        let b = aws_name("a-very-long-system-name", "a-very-long-web-tier-name-2", 32);
        assert!(a.len() <= 32 && b.len() <= 32, "{a} {b}");
        assert_ne!(a, b);
        assert!(!a.contains("--") && !a.ends_with('-'));
    }

    #[test]
    fn user_strings_cannot_break_out_of_the_heredoc() {
        assert_eq!(
            heredoc_escape(&sh_quote("a'b${x}%{y}")),
            r"'a'\''b$${x}%%{y}'"
        );
    }
}
