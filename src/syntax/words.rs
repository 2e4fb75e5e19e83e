//! Turning pest's "expected one of these rules" into words a user understands,
//! with the nearest keyword for a misspelled one.

use super::ast::{KIND_WORDS, STATEMENT_WORDS};
use super::grammar::Rule;
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
        Rule::var_name => "a variable name like `LOG_LEVEL`",
        Rule::env_pair => "a variable like `LOG_LEVEL=\"info\"`",
        Rule::label_key | Rule::label_pair => "a label like `team=growth`",
        Rule::setting_value | Rule::bare_value => "a value",
        Rule::int => "a number",
        Rule::count => "a count like `x3`",
        Rule::range => "a range like `2..10`",
        Rule::percent => "a percentage like `70%`",
        Rule::duration => "a duration like `10m` or `1d`",
        Rule::size_lit => "a size like `512mb` or `2gb`",
        Rule::path => "a path like `/static`",
        Rule::string => "a quoted string",
        Rule::code => "a diagnostic code like `W0304`",
        Rule::duration_unit => "a unit (`s`, `m`, `h` or `d`)",
        Rule::size_unit => "a unit (`kb`, `mb`, `gb` or `tb`)",
        Rule::EOI => "the end of the statement",
        Rule::load_num => "a number",
        Rule::user_count => "a user count like `50k`",
        Rule::load_percent => "a percentage like `90%`",
        Rule::peak_factor => "a factor like `4x`",
        Rule::load_size => "a size like `40kb`",
        Rule::capacity_unit => "a unit (`rps`, `qps` or `jobs/s`)",
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
        Rule::kw_env => "env",
        Rule::kw_secret => "secret",
        Rule::kw_label => "label",
        Rule::kw_accept => "accept",
        Rule::kw_traffic => "traffic",
        Rule::kw_users => "users",
        Rule::kw_requests => "requests",
        Rule::kw_per => "per",
        Rule::kw_peak => "peak",
        Rule::kw_reads => "reads",
        Rule::kw_response => "response",
        Rule::kw_capacity => "capacity",
        Rule::kw_hits => "hits",
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
        Rule::env => &["env"],
        Rule::secret => &["secret"],
        Rule::label => &["label"],
        Rule::accept => &["accept"],
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
        Rule::traffic_stmt => &["traffic"],
        Rule::capacity => &["capacity"],
        Rule::hits => &["hits"],
        Rule::traffic_peak => &["peak"],
        Rule::traffic_reads => &["reads"],
        Rule::capacity_unit => &["rps", "qps", "jobs/s"],
        Rule::drop_stmt => &["drop"],
        Rule::stage_open => &["stage"],
        // pest names the whole rule when the very first word fails.
        Rule::statement_eol => STATEMENT_WORDS,
        _ => &[],
    }
}

/// What pest expected at the error, in the forms a message needs.
struct Expected<'r> {
    rules: &'r [Rule],
    /// The keywords among the expected rules, sorted, each once.
    keywords: Vec<&'static str>,
    /// Keywords in backquotes, then descriptions of forms, joined with
    /// commas and a final "or"; empty when nothing worth naming was expected.
    text: String,
    /// When a number's unit is expected: what takes the unit, the units, an
    /// example.
    unit: Option<(&'static str, &'static str, &'static str)>,
}

impl<'r> Expected<'r> {
    fn new(rules: &'r [Rule]) -> Self {
        let mut keywords: Vec<&str> = rules
            .iter()
            .filter_map(|r| keyword(*r))
            .chain(rules.iter().flat_map(|r| choice(*r).iter().copied()))
            .collect();
        keywords.sort_unstable();
        keywords.dedup();
        let mut forms: Vec<&str> = rules
            .iter()
            .filter(|r| keyword(**r).is_none() && choice(**r).is_empty())
            .filter_map(|r| describe(*r))
            .collect();
        forms.sort_unstable();
        forms.dedup();
        // `accept` fits after every component statement and at the start of
        // every statement; listing it there would drown the words that
        // describe the design (it still is a did-you-mean candidate).
        let mut all: Vec<String> = keywords
            .iter()
            .filter(|k| **k != "accept" || keywords.len() == 1)
            .map(|k| format!("`{k}`"))
            .collect();
        all.extend(forms.iter().map(|f| f.to_string()));
        let text = match all.len() {
            0 => String::new(),
            1 => all[0].clone(),
            n => format!("{} or {}", all[..n - 1].join(", "), all[n - 1]),
        };
        let unit = if rules.contains(&Rule::duration_unit) {
            Some(("a duration", DURATION_UNITS, "10m"))
        } else if rules.contains(&Rule::size_unit) {
            Some(("a size", SIZE_UNITS, "512mb"))
        } else {
            None
        };
        Expected {
            rules,
            keywords,
            text,
            unit,
        }
    }

    fn has(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }
}

/// A diagnostic for input the grammar does not accept at byte `at`, given the
/// rules pest expected there.
pub fn syntax_error(src: &str, at: usize, expected: &[Rule]) -> Diagnostic {
    let expected = Expected::new(expected);
    let token = token_at(src, at);
    // A word gets E0002 (a misspelled keyword, a unit); anything else E0001.
    if token.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return unknown_word(src, at, token, &expected);
    }
    let at_end = at >= src.len() || src[at..].starts_with(['\n', '\r', ';', '}', '#']);
    let (span, found, help) = if at_end {
        let help = missing_help(src, at, &expected);
        (
            Span::new(at, at),
            "the end of the statement".to_string(),
            help,
        )
    } else {
        let len = if token.is_empty() {
            src[at..].chars().next().map_or(0, char::len_utf8)
        } else {
            token.len()
        };
        let text = &src[at..at + len];
        let help = unexpected_help(&src[at..], text, &expected);
        (Span::new(at, at + len), format!("`{}`", shown(text)), help)
    };
    let message = if expected.text.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", expected.text)
    };
    Diagnostic::new("E0001", span, message)
        .primary("unexpected here")
        .help(help)
}

/// E0002 for a word the grammar does not take here: a unit that is not one,
/// or a word that may be a misspelled keyword.
fn unknown_word(src: &str, at: usize, token: &str, expected: &Expected) -> Diagnostic {
    let span = Span::new(at, at + token.len());
    if let Some((what, units, example)) = expected.unit {
        return Diagnostic::new("E0002", span, format!("unknown unit `{token}`"))
            .primary("not a unit")
            .help(format!("{what} takes a unit: {units}, e.g. `{example}`"));
    }
    let keywords = &expected.keywords;
    let lower = token.to_lowercase();
    let suggestion = if keywords.contains(&lower.as_str()) && lower != token {
        Some(lower.as_str())
    } else {
        nearest(&lower, keywords.iter().copied())
    };
    if suggestion.is_none() && keywords.contains(&"db") {
        if let Some((word, kind)) = kind_by_long_name(&lower) {
            return Diagnostic::new("E0002", span, format!("unknown word `{token}`"))
                .primary("not a keyword here")
                .help(format!(
                    "did you mean `{kind}`? (`{word}` is written `{kind}`)"
                ));
        }
    }
    let d = Diagnostic::new("E0002", span, format!("unknown word `{token}`")).primary(
        if suggestion.is_some() {
            "not a keyword here"
        } else {
            "not expected here"
        },
    );
    match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None if expected.has(Rule::string) => {
            let word = src[at..]
                .split(|c: char| c.is_whitespace() || c == ';')
                .next()
                .unwrap_or(token);
            d.help(format!("put it in quotes: `\"{}\"`", shown(word)))
        }
        None if !expected.text.is_empty() => d.help(format!("expected {}", expected.text)),
        None => d.help(format!("remove `{token}`")),
    }
}

/// What people call each kind of component in full, for the kind they meant
/// when they write the long name or a misspelling of it (`databse`). The
/// kind keywords themselves are short (`db`, `lb`), too far from the long
/// names for the nearest-keyword suggestion to find.
const KIND_LONG_NAMES: &[(&str, &str)] = &[
    ("database", "db"),
    ("databases", "db"),
    ("load-balancer", "lb"),
    ("loadbalancer", "lb"),
    ("balancer", "lb"),
    ("webserver", "web"),
    ("server", "web"),
    ("caches", "cache"),
    ("queues", "queue"),
    ("workers", "worker"),
];

/// The long name nearest `word` and the kind keyword it stands for.
fn kind_by_long_name(word: &str) -> Option<(&'static str, &'static str)> {
    let long = nearest(word, KIND_LONG_NAMES.iter().map(|(l, _)| *l))?;
    KIND_LONG_NAMES.iter().copied().find(|(l, _)| *l == long)
}

/// The help when the statement ends where more was expected: what to add.
fn missing_help(src: &str, at: usize, expected: &Expected) -> String {
    if let Some((_, units, example)) = expected.unit {
        format!("add a unit right after the number: {units}, e.g. `{example}`")
    } else if expected.has(Rule::string) && previous_word(src, at).is_some_and(is_code) {
        let code = previous_word(src, at).unwrap_or_default();
        format!("an accepted warning needs its reason: add it in quotes, e.g. `accept {code} \"one server on purpose while we learn\"`")
    } else if expected.has(Rule::kind) {
        "say what to drop after `drop`: its kind, and its name if it has one, e.g. `drop cache` or `drop web api`".to_string()
    } else {
        match previous_word(src, at) {
            Some(prev) => format!("add {} after `{prev}`", expected.text),
            None => format!("add {}", expected.text),
        }
    }
}

/// The help for an unexpected `text` (not a word) at the start of `rest`:
/// mend a string, write a count right, or replace or remove it.
fn unexpected_help(rest: &str, text: &str, expected: &Expected) -> String {
    if text == "\"" && expected.has(Rule::string) {
        if unclosed_string(rest) {
            "close the string with `\"` before the end of the line, e.g. `image \"nginx:1.27\"`"
                .to_string()
        } else {
            "inside a string, only `\\\"` (a quote) and `\\\\` (a backslash) may follow `\\`"
                .to_string()
        }
    } else if expected.has(Rule::count) && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("a count is written with an `x`: `x{text}`")
    } else if expected.has(Rule::EOI) || expected.text.is_empty() {
        format!("remove `{}`", shown(text))
    } else {
        format!("write {} in place of `{}`", expected.text, shown(text))
    }
}

const DURATION_UNITS: &str = "`s` (seconds), `m` (minutes), `h` (hours) or `d` (days)";
const SIZE_UNITS: &str = "`kb`, `mb`, `gb` or `tb`";

/// Source text as a message shows it: printable characters as they are,
/// control characters (a NUL byte, a tab) escaped so that they can be seen.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The word just before `at` on the same line, if any.
fn previous_word(src: &str, at: usize) -> Option<&str> {
    let before = src[..at.min(src.len())].trim_end_matches([' ', '\t']);
    let start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, ';' | '{' | '}'))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    (!word.is_empty()).then_some(word)
}

/// Whether a word is written like a diagnostic code (`W0304`).
fn is_code(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| matches!(c, 'W' | 'E' | 'w' | 'e'))
        && word.len() == 5
        && chars.all(|c| c.is_ascii_digit())
}

/// Whether the string opening at the start of `rest` has no closing quote on
/// its line.
fn unclosed_string(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    while let Some(c) = chars.next() {
        match c {
            '"' => return false,
            '\\' => {
                chars.next();
            }
            '\n' | '\r' => return true,
            _ => {}
        }
    }
    true
}
