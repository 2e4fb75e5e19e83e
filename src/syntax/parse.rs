//! The parser driver: walks stage blocks itself and hands each statement to the
//! pest grammar, so that one mistake costs one statement and every mistake in a
//! file is reported. Statement-local rules (numbers in range, clauses given once,
//! valid paths and names) are checked while lowering pest's pairs to the tree.

use super::ast::*;
use super::grammar::{ArchParser, Rule};
use super::words;
use crate::diag::{nearest, Diagnostic};
use crate::model::{
    CacheEngine, DbEngine, Evict, LbEngine, LbMethod, NosqlEngine, QueueEngine, SizeClass,
    StoreKind, WebState,
};
use crate::span::{Span, Spanned};
use pest::iterators::Pair;
use pest::Parser as _;

/// Longest name archc accepts; generated names add suffixes such as
/// `-shard-12-replica-3` and must stay within provider limits (RDS: 63).
pub const MAX_NAME_LEN: usize = 40;
/// Largest count, replica or shard number: far beyond any real design, small
/// enough that instance lists stay in memory.
pub const MAX_COUNT: u64 = 100_000;
const MAX_SECONDS: u64 = 365 * 86_400;
const MAX_BYTES: u64 = 64 << 40;
const PORT_HELP: &str = "a port is a number from 1 to 65535, e.g. `port 8080`";

/// Parses a whole design. Always returns a tree (possibly missing the statements
/// that failed) and every diagnostic found.
pub fn parse(src: &str) -> (SourceFile, Vec<Diagnostic>) {
    let mut d = Driver {
        src,
        pos: 0,
        file: SourceFile::default(),
        diags: Vec::new(),
        open: None,
    };
    d.run();
    (d.file, d.diags)
}

struct OpenStage {
    stage: Stage,
    /// The header did not parse: statements inside are checked, then discarded.
    broken: bool,
}

struct Driver<'s> {
    src: &'s str,
    pos: usize,
    file: SourceFile,
    diags: Vec<Diagnostic>,
    open: Option<OpenStage>,
}

impl<'s> Driver<'s> {
    fn run(&mut self) {
        loop {
            self.skip_trivia();
            if self.pos >= self.src.len() {
                break;
            }
            let rest = &self.src[self.pos..];
            if rest.starts_with('}') {
                self.close_stage();
            } else if starts_with_word(rest, "stage") {
                self.open_stage();
            } else {
                self.statement();
            }
        }
        if let Some(open) = self.open.take() {
            let mut stage = open.stage;
            let end = self.src.len();
            self.diags.push(
                Diagnostic::new(
                    "E0006",
                    stage.open,
                    format!("stage `{}` is never closed", stage.name.node),
                )
                .primary("this block has no closing `}`")
                .help("add `}` after the stage's last statement"),
            );
            stage.close = Span::new(end, end);
            if !open.broken {
                self.file.items.push(Item::Stage(stage));
            }
        }
    }

    /// Skips blanks, newlines, `;` and comments, remembering each comment.
    fn skip_trivia(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b' ' | b'\t' | b'\r' | b'\n' | b';' => self.pos += 1,
                b'#' => {
                    let end = self.src[self.pos..]
                        .find('\n')
                        .map_or(self.src.len(), |i| self.pos + i);
                    self.file.comments.push(Span::new(self.pos, end));
                    self.pos = end;
                }
                _ => break,
            }
        }
    }

    /// Skips to the end of a statement that did not parse: the next newline or
    /// `;`, or just before a `}`.
    fn skip_statement(&mut self) {
        let rest = &self.src[self.pos..];
        let end = rest.find(['\n', ';', '}', '#']).unwrap_or(rest.len());
        self.pos += end.max(1).min(rest.len());
        // Never split a UTF-8 character.
        while !self.src.is_char_boundary(self.pos) {
            self.pos += 1;
        }
    }

    fn close_stage(&mut self) {
        let span = Span::new(self.pos, self.pos + 1);
        self.pos += 1;
        match self.open.take() {
            Some(mut open) => {
                open.stage.close = span;
                if !open.broken {
                    self.file.items.push(Item::Stage(open.stage));
                }
            }
            None => self.diags.push(
                Diagnostic::new("E0006", span, "`}` without a matching `stage NAME {`")
                    .primary("nothing to close here")
                    .help("remove it, or open a stage before it with `stage NAME {`"),
            ),
        }
    }

    fn open_stage(&mut self) {
        let rest = &self.src[self.pos..];
        match ArchParser::parse(Rule::stage_open, statement_text(rest)) {
            Ok(mut pairs) => {
                let pair = pairs.next().expect("stage_open yields one pair");
                let span = self.span(&pair);
                let name_pair = pair.into_inner().nth(1).expect("stage_open has a name");
                let name = self.name(name_pair);
                self.pos += span.end as usize - self.pos;
                if let Some(outer) = &self.open {
                    self.diags.push(
                        Diagnostic::new("E0009", span, "a stage cannot contain another stage")
                            .primary("this stage starts inside another")
                            .label(outer.stage.open, "the stage that is still open")
                            .help("close the outer stage with `}` before starting the next"),
                    );
                    let outer = self.open.take().expect("checked above");
                    if !outer.broken {
                        let mut stage = outer.stage;
                        stage.close = Span::new(span.start as usize, span.start as usize);
                        self.file.items.push(Item::Stage(stage));
                    }
                }
                self.open = Some(OpenStage {
                    stage: Stage {
                        name,
                        open: span,
                        close: span,
                        body: Vec::new(),
                    },
                    broken: false,
                });
            }
            Err(e) => {
                self.diags.push(self.syntax_error(e));
                // Keep the block structure when the line opens one, so that its
                // statements are still checked and its `}` is not reported.
                let line_end = rest.find('\n').unwrap_or(rest.len());
                let opens = rest[..line_end].find('{');
                match opens {
                    Some(brace) if self.open.is_none() => {
                        let span = Span::new(self.pos, self.pos + brace + 1);
                        self.pos += brace + 1;
                        self.open = Some(OpenStage {
                            stage: Stage {
                                name: Spanned::new(String::new(), span),
                                open: span,
                                close: span,
                                body: Vec::new(),
                            },
                            broken: true,
                        });
                    }
                    _ => self.skip_statement(),
                }
            }
        }
    }

    fn statement(&mut self) {
        let rest = &self.src[self.pos..];
        match ArchParser::parse(Rule::statement_eol, statement_text(rest)) {
            Ok(mut pairs) => {
                let eol = pairs.next().expect("statement_eol yields one pair");
                let stmt_pair = eol
                    .into_inner()
                    .next()
                    .expect("statement_eol wraps a statement");
                let end = self.pos + words_end(&stmt_pair);
                let stmt = self.lower_statement(stmt_pair);
                self.pos = end;
                match &mut self.open {
                    Some(open) => open.stage.body.push(stmt),
                    None => self.file.items.push(Item::Statement(stmt)),
                }
            }
            Err(e) => {
                self.diags.push(self.syntax_error(e));
                self.skip_statement();
            }
        }
    }

    /// The absolute span of a pair parsed from `self.src[self.pos..]`.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.pos + s.start(), self.pos + s.end())
    }

    /// The span of a statement or clause without trailing blanks and comment:
    /// pest skips them before trying an optional part that then does not
    /// match (`drop cache  # gone`), and counts them in the rule's span.
    fn span_trimmed(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::new(
            self.pos + pair.as_span().start(),
            self.pos + words_end(pair),
        )
    }

    fn syntax_error(&self, err: pest::error::Error<Rule>) -> Diagnostic {
        let at = self.pos
            + match err.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
        let expected: Vec<Rule> = match &err.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
        };
        words::syntax_error(self.src, at, &expected)
    }

    // ---- lowering ------------------------------------------------------

    fn lower_statement(&mut self, pair: Pair<'_, Rule>) -> Statement {
        let span = self.span_trimmed(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let stmt = match rule {
            Rule::system_stmt => Stmt::System(self.name(inner.nth(1).expect("system has a name"))),
            Rule::region_stmt => Stmt::Region(self.name(inner.nth(1).expect("region has a name"))),
            Rule::datacenters_stmt => {
                let mut regions = Vec::new();
                let mut geodns = false;
                for p in inner.skip(1) {
                    match p.as_rule() {
                        Rule::name => regions.push(self.name(p)),
                        Rule::via_geodns => geodns = true,
                        _ => {}
                    }
                }
                Stmt::Datacenters { regions, geodns }
            }
            Rule::drop_stmt => {
                let _kw = inner.next();
                let kind_pair = inner.next().expect("drop has a kind");
                let kind = Spanned::new(kind_of(&kind_pair), self.span(&kind_pair));
                let name = inner.next().map(|p| self.name(p));
                Stmt::Drop { kind, name }
            }
            _ => Stmt::Component(self.component(rule, span, inner)),
        };
        Statement { stmt, span }
    }

    fn component(
        &mut self,
        rule: Rule,
        span: Span,
        mut inner: pest::iterators::Pairs<'_, Rule>,
    ) -> Component {
        let kw = inner
            .next()
            .expect("a component statement starts with its kind");
        let kind = Spanned::new(kind_of_keyword(kw.as_rule()), self.span(&kw));
        debug_assert!(matches!(
            rule,
            Rule::web_stmt
                | Rule::lb_stmt
                | Rule::db_stmt
                | Rule::cache_stmt
                | Rule::cdn_stmt
                | Rule::nosql_stmt
                | Rule::queue_stmt
                | Rule::worker_stmt
                | Rule::logs_stmt
                | Rule::metrics_stmt
        ));
        let mut name = None;
        let mut clauses: Vec<Spanned<Clause>> = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::web_name
                | Rule::lb_name
                | Rule::db_name
                | Rule::cache_name
                | Rule::cdn_name
                | Rule::nosql_name
                | Rule::queue_name
                | Rule::worker_name => {
                    let n = self.name(p.into_inner().next().expect("a name rule wraps a name"));
                    self.lint_name_like_keyword(kind.node, &n);
                    name = Some(n);
                }
                _ => {
                    let cspan = self.span_trimmed(&p);
                    let clause = self.clause(p);
                    if let Some(first) = clauses.iter().find(|c| c.node.key() == clause.key()) {
                        let (was, now) = (&self.src[first.span.range()], &self.src[cspan.range()]);
                        let help = if was == now {
                            format!("remove one `{now}`")
                        } else {
                            format!("keep the one you mean: remove `{was}` or `{now}`")
                        };
                        self.diags.push(
                            Diagnostic::new(
                                "E0003",
                                cspan,
                                format!(
                                    "{} is given twice in this `{}` statement (`{was}`, then `{now}`)",
                                    clause.what(),
                                    kind.node.keyword()
                                ),
                            )
                            .primary("second time")
                            .label(first.span, "first given here")
                            .help(help),
                        );
                        continue;
                    }
                    clauses.push(Spanned::new(clause, cspan));
                }
            }
        }
        self.check_conflicts(&clauses);
        if kind.node == Kind::Cdn && !clauses.iter().any(|c| matches!(c.node, Clause::Paths(_))) {
            self.diags.push(
                Diagnostic::new("E0011", span, "a CDN needs the paths it serves")
                    .primary("no `for PATH`")
                    .help("add them, e.g. `cdn for /static, /img ttl 1d`"),
            );
        }
        Component {
            kind,
            name,
            clauses,
        }
    }

    fn check_conflicts(&mut self, clauses: &[Spanned<Clause>]) {
        let count = clauses.iter().find(|c| matches!(c.node, Clause::Count(_)));
        let auto = clauses
            .iter()
            .find(|c| matches!(c.node, Clause::Autoscale { .. }));
        if let (Some(c), Some(a)) = (count, auto) {
            let (first, second) = if c.span < a.span { (c, a) } else { (a, c) };
            self.diags.push(
                Diagnostic::new(
                    "E0008",
                    second.span,
                    "a fixed count and `autoscale` both set how many instances run",
                )
                .primary("conflicts with the other")
                .label(first.span, "also sets the instance count")
                .help("keep `xN` for a fixed count, or `autoscale MIN..MAX` to scale with load"),
            );
        }
    }

    fn lint_name_like_keyword(&mut self, kind: Kind, name: &Spanned<String>) {
        let len = name.node.len();
        if len < 5 || name.node.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        let Some(word) = nearest(&name.node, kind.clause_words().iter().copied()) else {
            return;
        };
        let limit = if len <= 6 { 1 } else { 2 };
        if crate::diag::edit_distance(&name.node, word) > limit {
            return;
        }
        self.diags.push(
            Diagnostic::new(
                "W0308",
                name.span,
                format!("`{}` is read as the name of this {}; did you mean the keyword `{word}`?", name.node, kind.keyword()),
            )
            .primary(format!("looks like `{word}`"))
            .help(format!("write `{word}` if you meant the clause; if the name is intended, choose one that is not this close to a keyword")),
        );
    }

    fn clause(&mut self, p: Pair<'_, Rule>) -> Clause {
        let rule = p.as_rule();
        let first_inner = || p.clone().into_inner();
        match rule {
            Rule::state => match inner_rule(&p) {
                Rule::kw_stateful => Clause::State(WebState::Stateful),
                _ => Clause::State(WebState::Stateless),
            },
            Rule::count => Clause::Count(self.count(&p)),
            Rule::autoscale => {
                let mut it = first_inner().skip(1);
                let range = it.next().expect("autoscale has a range");
                let mut ends = range.into_inner();
                let min = self.int(
                    ends.next().expect("range has a start"),
                    MAX_COUNT,
                    "an instance count",
                );
                let max = self.int(
                    ends.next().expect("range has an end"),
                    MAX_COUNT,
                    "an instance count",
                );
                let cpu = it.next().map(|t| {
                    let pct = t.into_inner().nth(2).expect("cpu target has a percentage");
                    let digits = pct.into_inner().next().expect("percent has digits");
                    self.int(digits, 100_000, "a percentage")
                });
                Clause::Autoscale { min, max, cpu }
            }
            Rule::behind => Clause::Behind(
                first_inner()
                    .nth(2)
                    .map(|n| self.name(n.into_inner().next().expect("behind_name wraps a name"))),
            ),
            Rule::port => {
                let port = self.int(
                    first_inner().nth(1).expect("port has a number"),
                    65_535,
                    "a port",
                );
                if port.node == 0 {
                    self.diags.push(
                        Diagnostic::new(
                            "E0004",
                            port.span,
                            "port 0 is not a port a server can listen on",
                        )
                        .primary("between 1 and 65535")
                        .help(PORT_HELP),
                    );
                }
                Clause::Port(port)
            }
            Rule::image => {
                let s = first_inner().nth(1).expect("image has a string");
                let span = self.span(&s);
                let text = unescape(s.into_inner().next().map_or("", |i| i.as_str()));
                // Compose rejects the service ("neither an image nor a build
                // context"). Other odd references (quotes, `#`) are the
                // registry's to judge, and the emitters quote them safely.
                if text.trim().is_empty() {
                    self.diags.push(
                        Diagnostic::new("E0012", span, "the image is empty")
                            .primary("not an image reference")
                            .help("write the image to run, e.g. `image \"nginx:1.27\"`, or remove the clause for archc's default image"),
                    );
                }
                Clause::Image(Spanned::new(text, span))
            }
            Rule::health => {
                Clause::Health(self.path(first_inner().nth(1).expect("health has a path")))
            }
            Rule::sessions => {
                let mut it = first_inner().skip(2);
                let kind = match inner_rule(&it.next().expect("sessions has a kind")) {
                    Rule::kw_db => StoreKind::Db,
                    Rule::kw_nosql => StoreKind::Nosql,
                    _ => StoreKind::Cache,
                };
                let name = it
                    .next()
                    .map(|n| self.name(n.into_inner().next().expect("store_name wraps a name")));
                Clause::Sessions { kind, name }
            }
            Rule::size => {
                let class = first_inner().nth(1).expect("size has a class");
                Clause::Size(match inner_rule(&class) {
                    Rule::kw_medium => SizeClass::Medium,
                    Rule::kw_large => SizeClass::Large,
                    Rule::kw_xlarge => SizeClass::Xlarge,
                    _ => SizeClass::Small,
                })
            }
            Rule::lb_engine => Clause::LbEngine(match inner_rule(&p) {
                Rule::kw_haproxy => LbEngine::Haproxy,
                _ => LbEngine::Nginx,
            }),
            Rule::lb_method => Clause::LbMethod(match inner_rule(&p) {
                Rule::kw_least_conn => LbMethod::LeastConn,
                Rule::kw_ip_hash => LbMethod::IpHash,
                _ => LbMethod::RoundRobin,
            }),
            Rule::sticky => Clause::Sticky,
            Rule::db_engine => Clause::DbEngine(match inner_rule(&p) {
                Rule::kw_mysql => DbEngine::Mysql,
                _ => DbEngine::Postgres,
            }),
            Rule::colocated => Clause::Colocated,
            Rule::sharded => {
                let span_of_pair = self.span(&p);
                let mut key = None;
                let mut count = None;
                for q in first_inner() {
                    match q.as_rule() {
                        Rule::shard_key => {
                            let k = q.into_inner().next().expect("shard_key wraps a key");
                            key = Some(Spanned::new(k.as_str().to_string(), self.span(&k)));
                        }
                        Rule::count => count = Some(self.count(&q)),
                        _ => {}
                    }
                }
                if count.is_none() {
                    self.diags.push(
                        Diagnostic::new(
                            "E0206",
                            span_of_pair,
                            "a sharded database needs the number of shards",
                        )
                        .primary("no `xN` after the key")
                        .help("add the number of shards, e.g. `sharded by user_id x4`"),
                    );
                }
                Clause::Sharded { key, count }
            }
            Rule::replicas => Clause::Replicas(self.int(
                first_inner().nth(1).expect("replicas has a number"),
                MAX_COUNT,
                "a replica count",
            )),
            Rule::storage => {
                Clause::Storage(self.bytes(first_inner().nth(1).expect("storage has a size")))
            }
            Rule::cache_engine => Clause::CacheEngine(match inner_rule(&p) {
                Rule::kw_memcached => CacheEngine::Memcached,
                _ => CacheEngine::Redis,
            }),
            Rule::ttl => {
                Clause::Ttl(self.seconds(first_inner().nth(1).expect("ttl has a duration")))
            }
            Rule::evict => {
                let policy = first_inner().nth(1).expect("evict has a policy");
                Clause::Evict(match inner_rule(&policy) {
                    Rule::kw_lfu => Evict::Lfu,
                    Rule::kw_none => Evict::None,
                    _ => Evict::Lru,
                })
            }
            Rule::memory => {
                Clause::Memory(self.bytes(first_inner().nth(1).expect("memory has a size")))
            }
            Rule::cdn_paths => Clause::Paths(first_inner().skip(1).map(|q| self.path(q)).collect()),
            Rule::versioned => Clause::Versioned,
            Rule::nosql_engine => Clause::NosqlEngine(match inner_rule(&p) {
                Rule::kw_mongodb => NosqlEngine::Mongodb,
                _ => NosqlEngine::Dynamodb,
            }),
            Rule::queue_engine => Clause::QueueEngine(match inner_rule(&p) {
                Rule::kw_redis => QueueEngine::Redis,
                Rule::kw_sqs => QueueEngine::Sqs,
                _ => QueueEngine::Rabbitmq,
            }),
            Rule::consumes => {
                Clause::Consumes(self.name(first_inner().nth(1).expect("consumes has a name")))
            }
            other => unreachable!("the grammar produced an unexpected clause {other:?}"),
        }
    }

    fn name(&mut self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        if text.ends_with('-') {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("the name `{text}` ends with `-`"))
                    .primary("not a valid DNS label")
                    .help(format!("use `{}`", text.trim_end_matches('-'))),
            );
        } else if text.contains("--") {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("the name `{text}` contains `--`"))
                    .primary("two dashes in a row")
                    .help("Kubernetes and some AWS names reject consecutive dashes; use one"),
            );
        } else if text.len() > MAX_NAME_LEN {
            self.diags.push(
                Diagnostic::new("E0010", span, format!("this name is {} characters long", text.len()))
                    .primary(format!("at most {MAX_NAME_LEN} characters"))
                    .help("choose a shorter name; generated names add suffixes such as `-shard-1-replica-2`"),
            );
        }
        Spanned::new(text, span)
    }

    fn count(&mut self, p: &Pair<'_, Rule>) -> Num {
        let span = self.span(p);
        let digits = &p.as_str()[1..];
        let value = self.parse_u64(digits, span, MAX_COUNT, "a count");
        Spanned::new(value, span)
    }

    fn int(&mut self, p: Pair<'_, Rule>, max: u64, what: &str) -> Num {
        let span = self.span(&p);
        Spanned::new(self.parse_u64(p.as_str(), span, max, what), span)
    }

    fn parse_u64(&mut self, digits: &str, span: Span, max: u64, what: &str) -> u64 {
        match digits.parse::<u64>() {
            Ok(v) if v <= max => v,
            _ => {
                self.diags.push(
                    Diagnostic::new("E0004", span, format!("`{digits}` is too large for {what}"))
                        .primary(format!("at most {max}"))
                        .help(match what {
                            "a port" => PORT_HELP.to_string(),
                            "a percentage" => {
                                "a CPU target is a percentage from 1 to 100, e.g. `at cpu 70%`"
                                    .to_string()
                            }
                            _ => format!(
                                "write {what} of at most {max}; archc stops there, far beyond any real design"
                            ),
                        }),
                );
                max
            }
        }
    }

    fn seconds(&mut self, p: Pair<'_, Rule>) -> Num {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let digits = it.next().expect("duration has digits").as_str();
        let unit = match it.next().map(|u| u.as_str()) {
            Some("m") => 60,
            Some("h") => 3_600,
            Some("d") => 86_400,
            _ => 1,
        };
        let v = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|&s| s <= MAX_SECONDS);
        let v = v.unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::new(
                    "E0004",
                    span,
                    format!("the duration `{}` is too long", &self.src[span.range()]),
                )
                .primary("at most 365d")
                .help("write a duration of at most `365d`, e.g. `ttl 30d`"),
            );
            MAX_SECONDS
        });
        Spanned::new(v, span)
    }

    fn bytes(&mut self, p: Pair<'_, Rule>) -> Num {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let digits = it.next().expect("size has digits").as_str();
        let unit: u64 = match it.next().map(|u| u.as_str()) {
            Some("kb") => 1 << 10,
            Some("mb") => 1 << 20,
            Some("gb") => 1 << 30,
            _ => 1 << 40,
        };
        let v = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|&b| b <= MAX_BYTES);
        let v = v.unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::new(
                    "E0004",
                    span,
                    format!("the size `{}` is too large", &self.src[span.range()]),
                )
                .primary("at most 64tb")
                .help("write a size of at most `64tb`, e.g. `storage 500gb`"),
            );
            MAX_BYTES
        });
        Spanned::new(v, span)
    }

    fn path(&mut self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let bad = text
            .split('/')
            .skip(1)
            .enumerate()
            .find_map(|(i, seg)| match seg {
                ".." | "." => Some(format!("a `{seg}` segment")),
                "" if i > 0 && text.len() > 1 => {
                    Some("an empty segment (`//` or a trailing `/`)".to_string())
                }
                _ => None,
            });
        if let Some(what) = bad {
            self.diags.push(
                Diagnostic::new("E0005", span, format!("the path `{text}` has {what}"))
                    .primary("not a plain absolute path")
                    .help("write the path without `.`, `..` or empty segments, e.g. `/static`"),
            );
        }
        Spanned::new(text, span)
    }
}

/// The text pest is given for one statement (or stage header): `rest` up to
/// the first line break, or `;` or `}` outside a string or comment. No rule
/// consumes those, and at the cut pest sees the end of input where it would
/// have seen the separator, which the grammar treats alike, so parses and
/// errors are the same as against all of `rest`. The cut keeps a file of many
/// bad statements linear: pest locates an error's line by scanning back from
/// the end of its input, which for `rest` was the rest of the file.
fn statement_text(rest: &str) -> &str {
    let bytes = rest.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match (in_string, bytes[i]) {
            (_, b'\n' | b'\r') => break,
            (true, b'\\') if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => i += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b';' | b'}') => break,
            (false, b'#') => {
                i += rest[i..].find(['\n', '\r']).unwrap_or(rest.len() - i);
                break;
            }
            _ => {}
        }
        i += 1;
    }
    &rest[..i]
}

/// Where the last word of a pair ends: the end of its last token, found by
/// descending into the last child of every rule that is not itself a token.
fn words_end(pair: &Pair<'_, Rule>) -> usize {
    let token = matches!(
        pair.as_rule(),
        Rule::string | Rule::range | Rule::percent | Rule::duration | Rule::size_lit
    );
    match pair.clone().into_inner().last() {
        Some(last) if !token => words_end(&last),
        _ => pair.as_span().end(),
    }
}

fn starts_with_word(s: &str, word: &str) -> bool {
    s.starts_with(word)
        && !s[word.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn inner_rule(p: &Pair<'_, Rule>) -> Rule {
    p.clone()
        .into_inner()
        .next()
        .map_or(p.as_rule(), |i| i.as_rule())
}

fn kind_of(p: &Pair<'_, Rule>) -> Kind {
    kind_of_keyword(inner_rule(p))
}

fn kind_of_keyword(rule: Rule) -> Kind {
    match rule {
        Rule::kw_web => Kind::Web,
        Rule::kw_lb => Kind::Lb,
        Rule::kw_db => Kind::Db,
        Rule::kw_cache => Kind::Cache,
        Rule::kw_cdn => Kind::Cdn,
        Rule::kw_nosql => Kind::Nosql,
        Rule::kw_queue => Kind::Queue,
        Rule::kw_worker => Kind::Worker,
        Rule::kw_logs => Kind::Logs,
        Rule::kw_metrics => Kind::Metrics,
        Rule::kw_datacenters => Kind::Datacenters,
        other => unreachable!("{other:?} is not a kind keyword"),
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What pest says about `text`, in a form that can be compared: the
    /// pairs with their spans, or the error's place and expected rules.
    fn outcome(rule: Rule, text: &str) -> String {
        match ArchParser::parse(rule, text) {
            Ok(pairs) => format!("{pairs:?}"),
            Err(e) => match e.variant {
                pest::error::ErrorVariant::ParsingError {
                    positives,
                    negatives,
                } => format!("{:?} {positives:?} {negatives:?}", e.location),
                other => format!("{:?} {other:?}", e.location),
            },
        }
    }

    const PIECES: &[&str] = &[
        "web",
        "x2",
        "behind",
        "lb",
        "image",
        "\"a;b}\"",
        "\"open",
        "\"es\\\"c;\"",
        "\\",
        ";",
        "}",
        "\n",
        "\r",
        "\r\n",
        "#c;}",
        "stage",
        "s",
        "{",
        "@",
        "drop",
        "cache",
        "ttl",
        "10m",
        " ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Cutting the input at the statement's end changes nothing pest
        /// reports, success or error.
        #[test]
        fn statement_text_parses_like_the_rest_of_the_file(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..16)
        ) {
            let rest = pieces.join(" ");
            let cut = statement_text(&rest);
            prop_assert!(rest.starts_with(cut));
            for rule in [Rule::statement_eol, Rule::stage_open] {
                prop_assert_eq!(outcome(rule, &rest), outcome(rule, cut), "{:?} cut to {:?}", rest, cut);
            }
        }
    }

    #[test]
    fn statement_text_stops_at_the_statement_end() {
        assert_eq!(statement_text("web x1\nweb x2"), "web x1");
        assert_eq!(statement_text("web x1; web x2"), "web x1");
        assert_eq!(statement_text("web x1 }"), "web x1 ");
        assert_eq!(
            statement_text("web image \"a;}\" x2; db"),
            "web image \"a;}\" x2"
        );
        assert_eq!(
            statement_text("web image \"a\\\";\" x2; db"),
            "web image \"a\\\";\" x2"
        );
        assert_eq!(statement_text("web image \"open\ndb"), "web image \"open");
        assert_eq!(statement_text("web x1 # c; }\ndb"), "web x1 # c; }");
        assert_eq!(statement_text("web x1\r\ndb"), "web x1");
    }
}
