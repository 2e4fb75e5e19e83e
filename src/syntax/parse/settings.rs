//! The `env`, `secret` and `label` clauses, read and checked as they are read.
//! The grammar takes names, keys and values leniently so that a wrong one is
//! told what is wrong with it: a name no target can carry (E0209), a literal
//! that looks like a secret (E0210), a name or key given twice or taken by
//! archc (E0211, see also `check::settings` for archc's variables), a label
//! no target accepts (E0212), a value with a control character (E0213).
//! docs/language.md ("Environment, secrets and labels") gives the rules.

use super::literals::{unescape, unprintable};
use super::Driver;
use crate::diag::Diagnostic;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Clause, Setting};
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Driver<'_> {
    /// `env NAME=VALUE, …`.
    pub(super) fn env_clause(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut out = Vec::new();
        for pair in p.clone().into_inner().skip(1) {
            let s = self.setting(pair);
            self.check_var_name(&s.name, "env");
            self.check_env_value(&s);
            out.push(s);
        }
        Clause::Env(out)
    }

    /// `secret NAME, …`.
    pub(super) fn secret_clause(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut out = Vec::new();
        for q in p.clone().into_inner().skip(1) {
            let name = Spanned::new(q.as_str().to_string(), self.span(&q));
            self.check_var_name(&name, "secret");
            out.push(name);
        }
        Clause::Secret(out)
    }

    /// `label KEY=VALUE, …`.
    pub(super) fn label_clause(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut out = Vec::new();
        for pair in p.clone().into_inner().skip(1) {
            let s = self.setting(pair);
            self.check_label(&s);
            out.push(s);
        }
        Clause::Label(out)
    }

    /// `NAME=VALUE`: the value unquoted when it is a string.
    fn setting(&mut self, pair: Pair<'_, Rule>) -> Setting {
        let mut it = pair.into_inner();
        let n = it.next().expect("a setting has a name");
        let v = it.next().expect("a setting has a value");
        let value_span = self.span(&v);
        let inner = v
            .into_inner()
            .next()
            .expect("a value is a string or a word");
        let value = match inner.as_rule() {
            Rule::string => unescape(inner.into_inner().next().map_or("", |i| i.as_str())),
            _ => inner.as_str().to_string(),
        };
        Setting {
            name: Spanned::new(n.as_str().to_string(), self.span(&n)),
            value: Spanned::new(value, value_span),
        }
    }

    /// E0209: `name` (of an `env` or `secret`) is not `[A-Z_][A-Z0-9_]*`.
    fn check_var_name(&mut self, name: &Spanned<String>, clause: &str) {
        if is_var_name(&name.node) {
            return;
        }
        let fixed: String = name
            .node
            .chars()
            .map(|c| match c {
                'a'..='z' => c.to_ascii_uppercase(),
                'A'..='Z' | '0'..='9' | '_' => c,
                _ => '_',
            })
            .collect();
        let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{fixed}")
        } else {
            fixed
        };
        self.diags.push(
            Diagnostic::new(
                "E0209",
                name.span,
                format!("`{}` is not a name `{clause}` accepts", name.node),
            )
            .primary("capital letters, digits and `_`, not starting with a digit")
            .help(format!(
                "write `{fixed}`: every shell, Docker env file, Compose file and Kubernetes pod reads such a name alike, and archc's own variables are written so too"
            )),
        );
    }

    /// E0213 for a control character, E0210 for a value (or a name) that
    /// looks like a secret.
    fn check_env_value(&mut self, s: &Setting) {
        if let Some(c) = s.value.node.chars().find(|&c| unprintable(c)) {
            self.diags.push(
                Diagnostic::new(
                    "E0213",
                    s.value.span,
                    format!("the value of `{}` holds a control character ({c:?})", s.name.node),
                )
                .primary("not a printable character")
                .help("write the value on one line without tabs or other control characters; an env file, a Compose file and user data scripts carry one line a variable"),
            );
            return;
        }
        let (span, why) = if let Some(word) = secret_word(&s.name.node) {
            (
                s.name.span,
                format!("its name says `{word}`, so its value would be a secret"),
            )
        } else if let Some(what) = credential_like(&s.value.node) {
            (s.value.span, format!("its value looks like {what}"))
        } else {
            return;
        };
        self.diags.push(
            Diagnostic::new(
                "E0210",
                span,
                format!("`{}` looks like a secret written as a literal: {why}", s.name.node),
            )
            .primary("would be written into every generated file")
            .help(format!(
                "declare it with `secret {}` and give the value to each target's secret store (docs/language.md); if it is not a secret, rename the variable",
                s.name.node
            )),
        );
    }

    /// E0212 for a key or value no target accepts, E0211 for a key archc sets.
    fn check_label(&mut self, s: &Setting) {
        let key = &s.name;
        if let Some(own) = archc_label(&key.node) {
            self.diags.push(
                Diagnostic::new(
                    "E0211",
                    key.span,
                    format!("the label `{}` is archc's own", key.node),
                )
                .primary(format!("archc sets it: {own}"))
                .help("choose another key; archc's labels and tags are what its selectors, policies and listings rely on"),
            );
            return;
        }
        if let Some(why) = label_key_problem(&key.node) {
            self.bad_label(key.span, format!("the label key `{}` {why}", key.node));
        } else if let Some(why) = label_value_problem(&s.value.node) {
            self.bad_label(
                s.value.span,
                format!("the value of label `{}` {why}", key.node),
            );
        }
    }

    fn bad_label(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::new("E0212", span, message)
                .primary("not a label every target accepts")
                .help("a key is a name of up to 63 letters, digits, `-`, `_` and `.` (starting and ending with a letter or digit), with an optional `example.com/` prefix, 128 characters in all; a value is empty or a name of up to 63 such characters, e.g. `label team=growth, tier=batch`"),
        );
    }

    /// E0211: a variable given twice in one statement (in `env`, in `secret`,
    /// or in both), a label key given twice.
    pub(super) fn check_settings_once(&mut self, clauses: &[Spanned<Clause>]) {
        let mut vars: Vec<&Spanned<String>> = Vec::new();
        let mut keys: Vec<&Spanned<String>> = Vec::new();
        for c in clauses {
            match &c.node {
                Clause::Env(l) => vars.extend(l.iter().map(|s| &s.name)),
                Clause::Secret(l) => vars.extend(l.iter()),
                Clause::Label(l) => keys.extend(l.iter().map(|s| &s.name)),
                _ => {}
            }
        }
        for (what, list) in [("variable", vars), ("label", keys)] {
            for (i, n) in list.iter().enumerate() {
                let Some(first) = list[..i].iter().find(|f| f.node == n.node) else {
                    continue;
                };
                self.diags.push(
                    Diagnostic::new(
                        "E0211",
                        n.span,
                        format!("the {what} `{}` is given twice in this statement", n.node),
                    )
                    .primary("second time")
                    .label(first.span, "first given here")
                    .help(format!(
                        "keep one `{}`: a {what} has one value on every target",
                        n.node
                    )),
                );
            }
        }
    }
}

/// `[A-Z_][A-Z0-9_]*`.
pub fn is_var_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Words of a variable name (split at `_`) that say its value is a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Words before a final `KEY` that name a key of data, not a credential
/// (`SHARD_KEY`, `CACHE_KEY`).
const DATA_KEY_WORDS: &[&str] = &[
    "SHARD",
    "SORT",
    "PARTITION",
    "PRIMARY",
    "ROUTING",
    "CACHE",
    "HASH",
    "LOOKUP",
    "FOREIGN",
    "IDEMPOTENCY",
];

/// The word of `name` that makes it look like a secret: one of
/// [`SECRET_WORDS`], or a final `KEY` not after a data word. A name with a
/// `PUBLIC` or `PUBLISHABLE` word is meant to be seen (a publishable key).
pub fn secret_word(name: &str) -> Option<&'static str> {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    if words.iter().any(|w| matches!(*w, "PUBLIC" | "PUBLISHABLE")) {
        return None;
    }
    if let Some(w) = SECRET_WORDS.iter().find(|s| words.contains(s)) {
        return Some(w);
    }
    match words.as_slice() {
        [.., before, "KEY" | "KEYS"] if DATA_KEY_WORDS.contains(before) => None,
        [.., "KEY" | "KEYS"] => Some("KEY"),
        _ => None,
    }
}

/// What a value looks like when it looks like a credential: a well-known
/// key format, credentials in a URL, a private key, or a long random token.
pub fn credential_like(value: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("sk_live_", "a Stripe secret key"),
        ("sk_test_", "a Stripe secret key"),
        ("rk_live_", "a Stripe restricted key"),
        ("AKIA", "an AWS access key"),
        ("ASIA", "an AWS access key"),
        ("ghp_", "a GitHub token"),
        ("gho_", "a GitHub token"),
        ("ghs_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("AIza", "a Google API key"),
    ];
    let v = value.trim();
    if v.contains("-----BEGIN") {
        return Some("a private key");
    }
    for (prefix, what) in PREFIXES {
        if v.starts_with(prefix) && v.len() >= prefix.len() + 16 {
            return Some(what);
        }
    }
    if let Some((scheme, rest)) = v.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let userinfo = authority.rsplit_once('@').map(|(u, _)| u);
        if !scheme.is_empty() && userinfo.is_some_and(|u| u.contains(':')) {
            return Some("a URL with a password in it");
        }
    }
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() == 3 && parts[0].starts_with("eyJ") && parts[1].starts_with("eyJ") {
        return Some("a signed token (JWT)");
    }
    let tokenish = |c: char| c.is_ascii_alphanumeric() || "_-+/=".contains(c);
    let upper = v.chars().any(|c| c.is_ascii_uppercase());
    let lower = v.chars().any(|c| c.is_ascii_lowercase());
    let digit = v.chars().any(|c| c.is_ascii_digit());
    if v.len() >= 32 && v.chars().all(tokenish) && upper && lower && digit {
        return Some("a random token (long, mixed case and digits)");
    }
    None
}

/// What archc sets under `key`, when it does: Kubernetes labels on every
/// object (and `archc.dev/*`), the tags on every AWS resource.
pub fn archc_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "app.kubernetes.io/name"
        | "app.kubernetes.io/component"
        | "app.kubernetes.io/part-of"
        | "app.kubernetes.io/managed-by" => "a Kubernetes label of every object",
        "system" | "stage" | "managed-by" => "an AWS tag of every resource",
        "Name" => "the AWS name tag of hosts",
        k if k.starts_with("archc.dev/") => "a Kubernetes label of its objects",
        _ => return None,
    })
}

/// Why `key` is no label key on some target: Kubernetes' syntax (an
/// optional DNS-subdomain prefix and `/`, a name of at most 63 characters),
/// AWS's 128 characters and its reserved `aws:`, the prefixes Kubernetes and
/// Docker keep for themselves.
pub fn label_key_problem(key: &str) -> Option<String> {
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some("starts with `aws:`, which AWS keeps for its own tags".into());
    }
    if key.len() > 128 {
        return Some(format!(
            "is {} characters long; AWS tags take 128",
            key.len()
        ));
    }
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns_subdomain(p) {
            return Some(format!(
                "has the prefix `{p}`, which is not a lowercase DNS name like `example.com`"
            ));
        }
        let reserved = |d: &str| p == d || p.ends_with(&format!(".{d}"));
        if (reserved("kubernetes.io") || reserved("k8s.io")) && p != "app.kubernetes.io" {
            return Some(format!(
                "uses the prefix `{p}/`, which Kubernetes keeps for itself"
            ));
        }
    }
    if let Some(why) = label_name_problem(name) {
        return Some(why);
    }
    let lower = name.to_ascii_lowercase();
    if prefix.is_none()
        && ["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|d| lower.starts_with(d))
    {
        return Some("starts with a namespace Docker keeps for itself".into());
    }
    None
}

/// Why `value` is no label value: empty, or a label name.
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        None
    } else {
        label_name_problem(value)
    }
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn label_name_problem(s: &str) -> Option<String> {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if s.is_empty() {
        return Some("has no name after its prefix".into());
    }
    if s.len() > 63 {
        return Some(format!(
            "is {} characters long; Kubernetes takes 63",
            s.len()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|&c| !(alnum(c) || matches!(c, '-' | '_' | '.')))
    {
        return Some(match c {
            ' ' => "holds a space".to_string(),
            _ => format!("holds `{c}`"),
        });
    }
    if !s.starts_with(alnum) || !s.ends_with(alnum) {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// A lowercase DNS subdomain of at most 253 characters.
fn is_dns_subdomain(s: &str) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !s.is_empty() && s.len() <= 253 && s.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names() {
        for ok in ["LOG_LEVEL", "_X", "A1"] {
            assert!(is_var_name(ok), "{ok}");
        }
        for bad in ["log_level", "1A", "A-B", "A.B", ""] {
            assert!(!is_var_name(bad), "{bad}");
        }
    }

    #[test]
    fn names_that_say_secret() {
        for (name, word) in [
            ("STRIPE_KEY", "KEY"),
            ("API_KEY", "KEY"),
            ("DB_PASSWORD", "PASSWORD"),
            ("MAIL_TOKEN", "TOKEN"),
            ("CLIENT_SECRET", "SECRET"),
            ("SMTP_PASS", "PASS"),
        ] {
            assert_eq!(secret_word(name), Some(word), "{name}");
        }
        for name in [
            "LOG_LEVEL",
            "SHARD_KEY",
            "CACHE_KEY",
            "KEY_PREFIX",
            "STRIPE_PUBLISHABLE_KEY",
            "BYPASS_CACHE",
            "SSL_PASSTHROUGH",
            "MONKEY",
            "TOKENIZER_MODEL",
        ] {
            assert_eq!(secret_word(name), None, "{name}");
        }
    }

    #[test]
    fn values_that_look_like_credentials() {
        for v in [
            "sk_live_51HxAbCdEfGhIjKlMnOp",
            "AKIAIOSFODNN7EXAMPLE1",
            "postgres://app:hunter2@db:5432/app",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
            "9fQ2xLk7Tz1Rb8Wm4Vn6Yp3Hc5Jd0Ge2Aa",
            "-----BEGIN PRIVATE KEY-----",
        ] {
            assert!(credential_like(v).is_some(), "{v}");
        }
        for v in [
            "info",
            "eu",
            "https://api.example.com/v1",
            "postgres://db:5432/app",
            "https://user@example.com",
            "0123456789abcdef0123456789abcdef01234567",
            "550e8400-e29b-41d4-a716-446655440000",
            "",
        ] {
            assert!(credential_like(v).is_none(), "{v}");
        }
    }

    #[test]
    fn label_keys_and_values() {
        for ok in [
            "team",
            "tier",
            "example.com/team",
            "app.kubernetes.io/version",
            "Cost_Center",
        ] {
            assert_eq!(label_key_problem(ok), None, "{ok}");
        }
        for bad in [
            "aws:cost",
            "-team",
            "team-",
            "Example.com/team",
            "example.com/",
            "kubernetes.io/arch",
            "node.k8s.io/x",
            "com.docker.compose.project",
            &"a".repeat(64),
            &format!("{}/team", "a".repeat(130)),
        ] {
            assert!(label_key_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(label_value_problem(""), None);
        assert_eq!(label_value_problem("batch.v1"), None);
        assert!(label_value_problem("growth team").is_some());
        assert!(label_value_problem("a/b").is_some());
        assert!(archc_label("app.kubernetes.io/name").is_some());
        assert!(archc_label("archc.dev/tier").is_some());
        assert!(archc_label("Name").is_some());
        assert!(archc_label("app").is_none());
    }
}
