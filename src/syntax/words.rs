//! Turning pest's "expected one of these rules" into words a user understands,
//! with the nearest keyword for a misspelled one.

use super::ast::{KIND_WORDS, STATEMENT_WORDS};
use super::parse::Rule;
use crate::diag::{nearest, Diagnostic};
use crate::span::Span;

/// How an expected rule reads in a message: a keyword, or a description of a
/// literal form. `None` for rules that would only add noise.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::name
        | Rule::web_name
        | Rule::lb_name
        | Rule::db_name
        | Rule::cache_name
        | Rule::cdn_name
        | Rule::nosql_name
        | Rule::queue_name
        | Rule::worker_name
        | Rule::behind_name
        | Rule::store_name => "a name",
        Rule::key | Rule::shard_key => "a key like `user_id`",
        Rule::int => "a number",
        Rule::count => "a count like `x3`",
        Rule::range => "a range like `2..10`",
        Rule::percent => "a percentage like `70%`",
        Rule::duration => "a duration like `10m` or `1d`",
        Rule::size_lit => "a size like `512mb` or `2gb`",
        Rule::path => "a path like `/static`",
        Rule::string => "a quoted string",
        Rule::EOI => "the end of the statement",
        _ => return keyword(rule),
    })
}

/// The text of a keyword rule.
pub fn keyword(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::kw_system => "system",
        Rule::kw_region => "region",
        Rule::kw_datacenters => "datacenters",
        Rule::kw_via => "via",
        Rule::kw_geodns => "geodns",
        Rule::kw_stage => "stage",
        Rule::kw_drop => "drop",
        Rule::kw_web => "web",
        Rule::kw_lb => "lb",
        Rule::kw_db => "db",
        Rule::kw_cache => "cache",
        Rule::kw_cdn => "cdn",
        Rule::kw_nosql => "nosql",
        Rule::kw_queue => "queue",
        Rule::kw_worker => "worker",
        Rule::kw_logs => "logs",
        Rule::kw_metrics => "metrics",
        Rule::kw_stateless => "stateless",
        Rule::kw_stateful => "stateful",
        Rule::kw_autoscale => "autoscale",
        Rule::kw_at => "at",
        Rule::kw_cpu => "cpu",
        Rule::kw_behind => "behind",
        Rule::kw_port => "port",
        Rule::kw_image => "image",
        Rule::kw_health => "health",
        Rule::kw_sessions => "sessions",
        Rule::kw_in => "in",
        Rule::kw_size => "size",
        Rule::kw_small => "small",
        Rule::kw_medium => "medium",
        Rule::kw_large => "large",
        Rule::kw_xlarge => "xlarge",
        Rule::kw_nginx => "nginx",
        Rule::kw_haproxy => "haproxy",
        Rule::kw_round_robin => "round-robin",
        Rule::kw_least_conn => "least-conn",
        Rule::kw_ip_hash => "ip-hash",
        Rule::kw_sticky => "sticky",
        Rule::kw_postgres => "postgres",
        Rule::kw_mysql => "mysql",
        Rule::kw_colocated => "colocated",
        Rule::kw_sharded => "sharded",
        Rule::kw_by => "by",
        Rule::kw_with => "with",
        Rule::kw_replicas => "replicas",
        Rule::kw_storage => "storage",
        Rule::kw_redis => "redis",
        Rule::kw_memcached => "memcached",
        Rule::kw_ttl => "ttl",
        Rule::kw_evict => "evict",
        Rule::kw_lru => "lru",
        Rule::kw_lfu => "lfu",
        Rule::kw_none => "none",
        Rule::kw_memory => "memory",
        Rule::kw_for => "for",
        Rule::kw_versioned => "versioned",
        Rule::kw_dynamodb => "dynamodb",
        Rule::kw_mongodb => "mongodb",
        Rule::kw_rabbitmq => "rabbitmq",
        Rule::kw_sqs => "sqs",
        Rule::kw_consumes => "consumes",
        _ => return None,
    })
}

/// The word-like token at `at`: letters, digits, `-`, `_`, `.` and `%`.
fn token_at(src: &str, at: usize) -> &str {
    let rest = src.get(at..).unwrap_or("");
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '%')))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// A diagnostic for input the grammar does not accept at byte `at`.
/// Keywords of a rule that stands for a choice of keywords: pest reports the
/// choice (`state`) rather than its alternatives when all fail at one place.
fn choice(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::state => &["stateless", "stateful"],
        Rule::lb_engine => &["nginx", "haproxy"],
        Rule::lb_method => &["round-robin", "least-conn", "ip-hash"],
        Rule::db_engine => &["postgres", "mysql"],
        Rule::cache_engine => &["redis", "memcached"],
        Rule::evict_policy => &["lru", "lfu", "none"],
        Rule::size_class => &["small", "medium", "large", "xlarge"],
        Rule::store_kind => &["cache", "db", "nosql"],
        Rule::nosql_engine => &["dynamodb", "mongodb"],
        Rule::queue_engine => &["rabbitmq", "redis", "sqs"],
        Rule::colocated => &["colocated"],
        Rule::sticky => &["sticky"],
        Rule::versioned => &["versioned"],
        Rule::kind => KIND_WORDS,
        Rule::size => &["size"],
        Rule::ttl => &["ttl"],
        Rule::image => &["image"],
        Rule::autoscale => &["autoscale"],
        Rule::behind => &["behind"],
        Rule::port => &["port"],
        Rule::health => &["health"],
        Rule::sessions => &["sessions"],
        Rule::sharded => &["sharded"],
        Rule::replicas => &["with"],
        Rule::storage => &["storage"],
        Rule::evict => &["evict"],
        Rule::memory => &["memory"],
        Rule::cdn_paths => &["for"],
        Rule::consumes => &["consumes"],
        Rule::via_geodns => &["via"],
        Rule::cpu_target => &["at"],
        Rule::system_stmt => &["system"],
        Rule::region_stmt => &["region"],
        Rule::datacenters_stmt => &["datacenters"],
        Rule::web_stmt => &["web"],
        Rule::lb_stmt => &["lb"],
        Rule::db_stmt => &["db"],
        Rule::cache_stmt => &["cache"],
        Rule::cdn_stmt => &["cdn"],
        Rule::nosql_stmt => &["nosql"],
        Rule::queue_stmt => &["queue"],
        Rule::worker_stmt => &["worker"],
        Rule::logs_stmt => &["logs"],
        Rule::metrics_stmt => &["metrics"],
        Rule::drop_stmt => &["drop"],
        Rule::stage_open => &["stage"],
        // pest names the whole rule when the very first word fails.
        Rule::statement_eol => STATEMENT_WORDS,
        _ => &[],
    }
}

pub fn syntax_error(src: &str, at: usize, expected: &[Rule]) -> Diagnostic {
    let mut keywords: Vec<&str> = expected
        .iter()
        .filter_map(|r| keyword(*r))
        .chain(expected.iter().flat_map(|r| choice(*r).iter().copied()))
        .collect();
    keywords.sort_unstable();
    keywords.dedup();
    let mut forms: Vec<&str> = expected
        .iter()
        .filter(|r| keyword(**r).is_none() && choice(**r).is_empty())
        .filter_map(|r| describe(*r))
        .collect();
    forms.sort_unstable();
    forms.dedup();
    let mut all: Vec<String> = keywords.iter().map(|k| format!("`{k}`")).collect();
    all.extend(forms.iter().map(|f| f.to_string()));
    let expected_text = match all.len() {
        0 => String::new(),
        1 => all[0].clone(),
        n => format!("{} or {}", all[..n - 1].join(", "), all[n - 1]),
    };

    let token = token_at(src, at);
    let at_end = at >= src.len() || src[at..].starts_with(['\n', '\r', ';', '}', '#']);
    if token.chars().next().is_some_and(|c| c.is_alphabetic()) {
        let span = Span::new(at, at + token.len());
        let lower = token.to_lowercase();
        let suggestion = if keywords.contains(&lower.as_str()) && lower != token {
            Some(lower.as_str())
        } else {
            nearest(&lower, keywords.iter().copied())
        };
        let mut d = Diagnostic::new("E0002", span, format!("unknown word `{token}`")).primary(
            if suggestion.is_some() {
                "not a keyword here"
            } else {
                "not expected here"
            },
        );
        d = match suggestion {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if !expected_text.is_empty() => d.help(format!("expected {expected_text}")),
            None => d,
        };
        return d;
    }
    let (span, found) = if at_end {
        (Span::new(at, at), "the end of the statement".to_string())
    } else {
        let len = if token.is_empty() {
            src[at..].chars().next().map_or(0, char::len_utf8)
        } else {
            token.len()
        };
        (
            Span::new(at, at + len),
            format!("`{}`", src[at..at + len].escape_debug()),
        )
    };
    let message = if expected_text.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {expected_text}, found {found}")
    };
    Diagnostic::new("E0001", span, message).primary("unexpected here")
}
