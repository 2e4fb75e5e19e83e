//! Lowering pest's pairs for one statement to the syntax tree, with the checks
//! that need only the statement: a clause given twice, a count together with
//! `autoscale`, a CDN without paths, a name that looks like a misspelled
//! clause keyword. Numbers, names and paths are checked in `literals`.

use super::literals::{unescape, unprintable, PORT_HELP};
use super::{Driver, MAX_COUNT};
use crate::diag::{nearest, Diagnostic};
use crate::model::{
    CacheEngine, DbEngine, Evict, LbEngine, LbMethod, NosqlEngine, QueueEngine, SizeClass,
    StoreKind, WebState,
};
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::{Pair, Pairs};

impl Driver<'_> {
    /// One statement, whose span ends at its last word.
    pub(super) fn lower_statement(&mut self, pair: Pair<'_, Rule>) -> Statement {
        let span = self.span_trimmed(&pair);
        let rule = pair.as_rule();
        if rule == Rule::accept {
            return Statement {
                stmt: Stmt::Accept(self.accept(pair)),
                span,
                accepts: Vec::new(),
            };
        }
        if rule == Rule::traffic_stmt {
            return Statement {
                stmt: Stmt::Traffic(self.traffic(span, pair)),
                span,
                accepts: Vec::new(),
            };
        }
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
        Statement {
            stmt,
            span,
            accepts: Vec::new(),
        }
    }

    /// `accept CODE "REASON"`: the reason is what a reader of the design
    /// and of `archc check` needs, so it may not be blank (E0215). The code
    /// is checked when the accepts are applied (`check::accept`).
    pub(super) fn accept(&mut self, p: Pair<'_, Rule>) -> Accept {
        let span = self.span(&p);
        let mut it = p.into_inner().skip(1);
        let code = it.next().expect("accept has a code");
        let code = Spanned::new(code.as_str().to_string(), self.span(&code));
        let s = it.next().expect("accept has a reason");
        let reason_span = self.span(&s);
        let reason = unescape(s.into_inner().next().map_or("", |i| i.as_str()));
        if reason.trim().is_empty() {
            self.diags.push(
                Diagnostic::new("E0215", reason_span, "an accepted warning needs a reason")
                    .primary("no reason")
                    .help(format!(
                        "say why the design takes `{}` on purpose, e.g. `accept {} \"one server on purpose while we learn\"`",
                        code.node, code.node
                    )),
            );
        }
        Accept {
            code,
            reason: Spanned::new(reason, reason_span),
            span,
        }
    }

    /// `KIND [NAME] CLAUSE…`: the name, then the clauses in the order written,
    /// each key once (a second one is reported and left out).
    fn component(&mut self, rule: Rule, span: Span, mut inner: Pairs<'_, Rule>) -> Component {
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
                        let first = first.span;
                        self.clause_given_twice(kind.node, &clause, first, cspan);
                        continue;
                    }
                    clauses.push(Spanned::new(clause, cspan));
                }
            }
        }
        self.check_conflicts(&clauses);
        self.check_settings_once(&clauses);
        self.check_load_clauses(kind.node, &clauses);
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

    /// E0003: `clause` (at `now`) sets what the clause at `first` already set.
    fn clause_given_twice(&mut self, kind: Kind, clause: &Clause, first: Span, now: Span) {
        let (was, now_text) = (&self.src[first.range()], &self.src[now.range()]);
        let help = if matches!(
            clause,
            Clause::Env(_) | Clause::Secret(_) | Clause::Label(_)
        ) {
            format!(
                "write one `{}` clause that lists them all, separated by commas",
                clause.key()
            )
        } else if was == now_text {
            format!("remove one `{now_text}`")
        } else {
            format!("keep the one you mean: remove `{was}` or `{now_text}`")
        };
        self.diags.push(
            Diagnostic::new(
                "E0003",
                now,
                format!(
                    "{} is given twice in this `{}` statement (`{was}`, then `{now_text}`)",
                    clause.what(),
                    kind.keyword()
                ),
            )
            .primary("second time")
            .label(first, "first given here")
            .help(help),
        );
    }

    /// E0008: a fixed count and `autoscale` in one statement.
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

    /// W0308: a name a typo away from one of the kind's clause keywords
    /// (`web stateles`) is probably the keyword misspelled.
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

    /// One clause. A choice among keywords maps straight to its value
    /// (`keyword_clause`); a clause that holds a number, a name, a path or a
    /// string is checked as it is read.
    fn clause(&mut self, p: Pair<'_, Rule>) -> Clause {
        if let Some(c) = keyword_clause(&p) {
            return c;
        }
        let first_inner = || p.clone().into_inner();
        match p.as_rule() {
            Rule::count => Clause::Count(self.count(&p)),
            Rule::autoscale => self.autoscale(&p),
            Rule::behind => Clause::Behind(
                first_inner()
                    .nth(2)
                    .map(|n| self.name(n.into_inner().next().expect("behind_name wraps a name"))),
            ),
            Rule::port => self.port(&p),
            Rule::image => self.image(&p),
            Rule::health => {
                Clause::Health(self.path(first_inner().nth(1).expect("health has a path")))
            }
            Rule::sessions => self.sessions(&p),
            Rule::sharded => self.sharded(&p),
            Rule::replicas => Clause::Replicas(self.int(
                first_inner().nth(1).expect("replicas has a number"),
                MAX_COUNT,
                "a replica count",
            )),
            Rule::storage => {
                Clause::Storage(self.bytes(first_inner().nth(1).expect("storage has a size")))
            }
            Rule::ttl => {
                Clause::Ttl(self.seconds(first_inner().nth(1).expect("ttl has a duration")))
            }
            Rule::memory => {
                Clause::Memory(self.bytes(first_inner().nth(1).expect("memory has a size")))
            }
            Rule::cdn_paths => Clause::Paths(first_inner().skip(1).map(|q| self.path(q)).collect()),
            Rule::consumes => {
                Clause::Consumes(self.name(first_inner().nth(1).expect("consumes has a name")))
            }
            Rule::env => self.env_clause(&p),
            Rule::secret => self.secret_clause(&p),
            Rule::label => self.label_clause(&p),
            Rule::capacity => self.capacity(&p),
            Rule::hits => self.hits(&p),
            other => unreachable!("the grammar produced an unexpected clause {other:?}"),
        }
    }

    /// `autoscale MIN..MAX [at cpu N%]`.
    fn autoscale(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut it = p.clone().into_inner().skip(1);
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

    /// `port N`: 1 to 65535.
    fn port(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let port = self.int(
            p.clone().into_inner().nth(1).expect("port has a number"),
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

    /// `image "REF"`, which must not be empty.
    fn image(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let s = p.clone().into_inner().nth(1).expect("image has a string");
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
        if let Some(c) = text.chars().find(|&c| unprintable(c)) {
            // A raw ESC, NUL or line separator would reach the HCL, YAML and
            // shell of every target as it is.
            self.diags.push(
                Diagnostic::new(
                    "E0213",
                    span,
                    format!("the image holds a control character ({c:?})"),
                )
                .primary("not a printable character")
                .help("an image reference is printable: `registry.example.com/app:1.0`"),
            );
        }
        Clause::Image(Spanned::new(text, span))
    }

    /// `sessions in KIND [NAME]`.
    fn sessions(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let mut it = p.clone().into_inner().skip(2);
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

    /// `sharded by KEY xN`; the grammar lets the count out so that its
    /// absence gets a message of its own.
    fn sharded(&mut self, p: &Pair<'_, Rule>) -> Clause {
        let span_of_pair = self.span(p);
        let mut key = None;
        let mut count = None;
        for q in p.clone().into_inner() {
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
}

/// A clause that is a keyword or a choice among keywords (an engine, a
/// method, a size class, a flag): its value, with nothing to check. `None` for
/// every other clause.
fn keyword_clause(p: &Pair<'_, Rule>) -> Option<Clause> {
    let second = || {
        inner_rule(
            &p.clone()
                .into_inner()
                .nth(1)
                .expect("keyword and its value"),
        )
    };
    Some(match p.as_rule() {
        Rule::state => match inner_rule(p) {
            Rule::kw_stateful => Clause::State(WebState::Stateful),
            _ => Clause::State(WebState::Stateless),
        },
        Rule::size => Clause::Size(match second() {
            Rule::kw_medium => SizeClass::Medium,
            Rule::kw_large => SizeClass::Large,
            Rule::kw_xlarge => SizeClass::Xlarge,
            _ => SizeClass::Small,
        }),
        Rule::lb_engine => Clause::LbEngine(match inner_rule(p) {
            Rule::kw_haproxy => LbEngine::Haproxy,
            _ => LbEngine::Nginx,
        }),
        Rule::lb_method => Clause::LbMethod(match inner_rule(p) {
            Rule::kw_least_conn => LbMethod::LeastConn,
            Rule::kw_ip_hash => LbMethod::IpHash,
            _ => LbMethod::RoundRobin,
        }),
        Rule::sticky => Clause::Sticky,
        Rule::db_engine => Clause::DbEngine(match inner_rule(p) {
            Rule::kw_mysql => DbEngine::Mysql,
            _ => DbEngine::Postgres,
        }),
        Rule::colocated => Clause::Colocated,
        Rule::cache_engine => Clause::CacheEngine(match inner_rule(p) {
            Rule::kw_memcached => CacheEngine::Memcached,
            _ => CacheEngine::Redis,
        }),
        Rule::evict => Clause::Evict(match second() {
            Rule::kw_lfu => Evict::Lfu,
            Rule::kw_none => Evict::None,
            _ => Evict::Lru,
        }),
        Rule::versioned => Clause::Versioned,
        Rule::nosql_engine => Clause::NosqlEngine(match inner_rule(p) {
            Rule::kw_mongodb => NosqlEngine::Mongodb,
            _ => NosqlEngine::Dynamodb,
        }),
        Rule::queue_engine => Clause::QueueEngine(match inner_rule(p) {
            Rule::kw_redis => QueueEngine::Redis,
            Rule::kw_sqs => QueueEngine::Sqs,
            _ => QueueEngine::Rabbitmq,
        }),
        _ => return None,
    })
}

/// The rule of a pair's first child (for a choice, the keyword chosen), or
/// the pair's own rule when it has none.
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
        Rule::kw_traffic => Kind::Traffic,
        other => unreachable!("{other:?} is not a kind keyword"),
    }
}
