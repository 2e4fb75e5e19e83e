//! Applies stages in order and turns each stage's statements into a `Model`.
//!
//! Each stage starts from the one before it (the first from the statements before
//! any stage). A statement for the same kind and name replaces that component
//! whole; `drop` removes one. References (`behind lb`, `consumes`, `sessions in`)
//! are resolved per stage, after the stage's statements are applied.

use super::defaults::*;
use super::types::*;
use crate::diag::{nearest, Diagnostic};
use crate::span::{LineStarts, Span, Spanned};
use crate::syntax::ast::{self, Clause, Item, Kind, Stmt};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// A component as declared, with the stage that wrote it.
#[derive(Clone)]
struct Decl<'a> {
    comp: Option<&'a ast::Component>,
    datacenters: Option<(&'a [Spanned<String>], bool)>,
    span: Span,
    stage: Option<String>,
}

type State<'a> = IndexMap<(Kind, String), Decl<'a>>;

/// Resolves a parsed file into one model per stage. `text` is the source the
/// file was parsed from: origins record the line of their statement.
pub fn resolve(file: &ast::SourceFile, source_name: &str, text: &str) -> (Design, Vec<Diagnostic>) {
    let mut r = Resolver {
        diags: Vec::new(),
        system: None,
        region: None,
        dropped: HashMap::new(),
    };
    let mut base: State = IndexMap::new();
    let mut base_seen: IndexMap<(Kind, String), Span> = IndexMap::new();
    let mut stages: Vec<&ast::Stage> = Vec::new();
    for item in &file.items {
        match item {
            Item::Statement(s) => {
                if let Some(first) = stages.first() {
                    if !matches!(s.stmt, Stmt::System(_) | Stmt::Region(_)) {
                        r.diags.push(
                            Diagnostic::new(
                                "E0009",
                                s.span,
                                "statements outside a stage go before the first stage",
                            )
                            .primary("after the stages")
                            .label(first.open, "the first stage starts here")
                            .help(
                                "move it before the first stage, or into the stage it belongs to",
                            ),
                        );
                        continue;
                    }
                }
                r.apply(&mut base, &mut base_seen, s, None);
            }
            Item::Stage(st) => stages.push(st),
        }
    }

    let system = r
        .system
        .clone()
        .unwrap_or_else(|| system_from_file(source_name));
    let region = r
        .region
        .clone()
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let ctx = Ctx {
        system: &system,
        region: &region,
        source_name,
        staged: !stages.is_empty(),
        line_starts: LineStarts::new(text),
    };

    let mut models = Vec::new();
    if stages.is_empty() {
        models.push(r.build(&ctx, &base, SINGLE_STAGE, 0));
    } else {
        let mut seen_stages: IndexMap<&str, Span> = IndexMap::new();
        let mut state = base;
        for (i, st) in stages.iter().enumerate() {
            if let Some(first) = seen_stages.get(st.name.node.as_str()) {
                r.diags.push(
                    Diagnostic::new(
                        "E0102",
                        st.name.span,
                        format!("stage `{}` is declared twice", st.name.node),
                    )
                    .primary("second declaration")
                    .label(*first, "first declared here")
                    .help("give each stage its own name"),
                );
                continue;
            }
            seen_stages.insert(&st.name.node, st.name.span);
            let mut seen = IndexMap::new();
            for s in &st.body {
                r.apply(&mut state, &mut seen, s, Some(&st.name.node));
            }
            models.push(r.build(&ctx, &state, &st.name.node, i));
        }
    }
    let design = Design {
        source_name: source_name.to_string(),
        stages: models,
    };
    (design, r.diags)
}

/// The default system name: the file's stem, made into a valid name.
fn system_from_file(source_name: &str) -> String {
    let stem = std::path::Path::new(source_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("system");
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_string();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "sys-");
    }
    name.truncate(MAX_SYSTEM_LEN);
    name.trim_end_matches('-').to_string()
}

const MAX_SYSTEM_LEN: usize = 24;

struct Ctx<'c> {
    system: &'c str,
    region: &'c str,
    source_name: &'c str,
    staged: bool,
    line_starts: LineStarts,
}

impl Ctx<'_> {
    /// The 1-based line on which `span` starts.
    fn line(&self, span: Span) -> u32 {
        self.line_starts.line_of(span.start as usize) as u32 + 1
    }
}

struct Resolver {
    diags: Vec<Diagnostic>,
    system: Option<String>,
    region: Option<String>,
    /// Components a stage dropped and no later statement declared again: a
    /// reference to one of them points at the `drop` that removed it.
    dropped: Dropped,
}

/// The `drop` statement that removed a component, and its stage.
type Dropped = HashMap<(Kind, String), (Span, String)>;

/// How a statement for this component starts: `web`, or `web api`.
fn named(kind: &str, name: &str) -> String {
    if kind == name {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    }
}

fn decl_name(kind: Kind, name: Option<&Spanned<String>>) -> String {
    name.map_or_else(|| kind.keyword().to_string(), |n| n.node.clone())
}

impl Resolver {
    fn apply<'a>(
        &mut self,
        state: &mut State<'a>,
        seen: &mut IndexMap<(Kind, String), Span>,
        s: &'a ast::Statement,
        stage: Option<&str>,
    ) {
        let (key, decl) = match &s.stmt {
            Stmt::System(n) | Stmt::Region(n) => {
                let is_system = matches!(s.stmt, Stmt::System(_));
                let word = if is_system { "system" } else { "region" };
                if stage.is_some() {
                    self.diags.push(
                        Diagnostic::new(
                            "E0009",
                            s.span,
                            format!("`{word}` describes the whole file, not one stage"),
                        )
                        .primary("inside a stage")
                        .help(format!("move `{word}` before the first stage")),
                    );
                    return;
                }
                let slot = if is_system {
                    &mut self.system
                } else {
                    &mut self.region
                };
                if slot.is_some() {
                    self.diags.push(
                        Diagnostic::new("E0101", s.span, format!("`{word}` is declared twice"))
                            .primary("second declaration")
                            .help("keep one"),
                    );
                    return;
                }
                *slot = Some(n.node.clone());
                return;
            }
            Stmt::Drop { kind, name } => {
                let key = (kind.node, decl_name(kind.node, name.as_ref()));
                if stage.is_none() {
                    self.diags.push(
                        Diagnostic::new("E0009", s.span, "`drop` only works inside a stage")
                            .primary("outside any stage")
                            .help("outside stages there is nothing inherited to drop: delete the declaration instead"),
                    );
                    return;
                }
                if state.shift_remove(&key).is_some() {
                    let stage = stage.expect("checked above").to_string();
                    self.dropped.insert(key.clone(), (s.span, stage));
                } else {
                    let mut d = Diagnostic::new(
                        "E0103",
                        s.span,
                        format!(
                            "there is no {} named `{}` to drop",
                            kind.node.keyword(),
                            key.1
                        ),
                    )
                    .primary("nothing to drop");
                    let same_kind = state
                        .keys()
                        .filter(|k| k.0 == kind.node)
                        .map(|k| k.1.as_str());
                    let same_kind: Vec<&str> = same_kind.collect();
                    d = d.help(if let Some(n) = nearest(&key.1, same_kind.iter().copied()) {
                        format!("did you mean `drop {} {n}`?", kind.node.keyword())
                    } else if same_kind.is_empty() {
                        format!(
                            "this stage has no {} to drop (none was declared before it, or it was dropped already): remove this line",
                            kind.node.keyword()
                        )
                    } else {
                        format!(
                            "this stage has {}; drop one of those, or remove this line",
                            same_kind
                                .iter()
                                .map(|n| format!("`{} {n}`", kind.node.keyword()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                    self.diags.push(d);
                }
                seen.insert(key, s.span);
                return;
            }
            Stmt::Datacenters { regions, geodns } => (
                (Kind::Datacenters, Kind::Datacenters.keyword().to_string()),
                Decl {
                    comp: None,
                    datacenters: Some((regions.as_slice(), *geodns)),
                    span: s.span,
                    stage: stage.map(str::to_string),
                },
            ),
            Stmt::Component(c) => (
                (c.kind.node, decl_name(c.kind.node, c.name.as_ref())),
                Decl {
                    comp: Some(c),
                    datacenters: None,
                    span: s.span,
                    stage: stage.map(str::to_string),
                },
            ),
        };
        if let Some(first) = seen.get(&key) {
            let what = match key.0 {
                Kind::Logs | Kind::Metrics | Kind::Datacenters => format!("`{}`", key.0.keyword()),
                k => format!("{} `{}`", k.keyword(), key.1),
            };
            let scope = stage.map_or("in this file".to_string(), |st| format!("in stage `{st}`"));
            self.diags.push(
                Diagnostic::new("E0101", s.span, format!("{what} is declared twice {scope}"))
                    .primary("second declaration")
                    .label(*first, "first declared here")
                    .help("merge the two into one statement; to change it later, redeclare it in a later stage"),
            );
            return;
        }
        seen.insert(key.clone(), s.span);
        self.dropped.remove(&key);
        state.insert(key, decl);
    }

    fn build(&mut self, ctx: &Ctx, state: &State, stage: &str, index: usize) -> Model {
        let mut b = Builder {
            ctx,
            model: Model {
                system: ctx.system.to_string(),
                region: ctx.region.to_string(),
                stage: stage.to_string(),
                stage_index: index,
                source_name: ctx.source_name.to_string(),
                datacenters: None,
                webs: Vec::new(),
                lbs: Vec::new(),
                dbs: Vec::new(),
                caches: Vec::new(),
                cdns: Vec::new(),
                nosqls: Vec::new(),
                queues: Vec::new(),
                workers: Vec::new(),
                logs: None,
                metrics: None,
            },
            diags: Vec::new(),
            dropped: &self.dropped,
        };
        for ((kind, name), decl) in state {
            let origin = Origin {
                span: decl.span,
                line: ctx.line(decl.span),
                stage: decl.stage.clone(),
                inherited: decl.stage.as_deref() != Some(stage) && ctx.staged,
                implicit: false,
            };
            if let Some((regions, geodns)) = decl.datacenters {
                b.model.datacenters = Some(Datacenters {
                    regions: regions.iter().map(|r| r.node.clone()).collect(),
                    geodns,
                    origin,
                });
                continue;
            }
            let comp = decl
                .comp
                .expect("a component declaration has its statement");
            b.component(*kind, name, comp, origin);
        }
        b.link();
        super::appenv::assign_password_envs(&mut b.model);
        let stage_tag = ctx.staged.then(|| stage.to_string());
        for mut d in b.diags {
            d.stages.extend(stage_tag.clone());
            self.diags.push(d);
        }
        b.model
    }
}

struct Builder<'c> {
    ctx: &'c Ctx<'c>,
    model: Model,
    diags: Vec<Diagnostic>,
    dropped: &'c Dropped,
}

/// Points a reference to a dropped component at the `drop` that removed it,
/// and says how to mend it: keep the component, or `fix` the reference.
fn blame_drop(
    d: Diagnostic,
    dropped: Option<&(Span, String)>,
    target: &str,
    fix: &str,
) -> Diagnostic {
    match dropped {
        Some((span, stage)) => d
            .label(*span, format!("stage `{stage}` drops it here"))
            .help(format!("stage `{stage}` drops {target}; keep it, or {fix}")),
        None => d,
    }
}

/// The clauses of one statement, by key.
struct Clauses<'a>(IndexMap<&'static str, &'a Spanned<Clause>>);

impl<'a> Clauses<'a> {
    fn of(c: &'a ast::Component) -> Self {
        Clauses(c.clauses.iter().map(|cl| (cl.node.key(), cl)).collect())
    }
    fn get(&self, key: &str) -> Option<&'a Clause> {
        self.0.get(key).map(|c| &c.node)
    }
    fn spans(&self) -> ClauseSpans {
        self.0.iter().map(|(k, c)| (*k, c.span)).collect()
    }
    fn count(&self, default: u32) -> u32 {
        match self.get("count") {
            Some(Clause::Count(n)) => n.node as u32,
            _ => default,
        }
    }
    fn size(&self) -> Resources {
        match self.get("size") {
            Some(Clause::Size(s)) => s.resources(),
            _ => SizeClass::Small.resources(),
        }
    }
    fn image(&self, system: &str, name: &str) -> String {
        match self.get("image") {
            Some(Clause::Image(s)) => s.node.clone(),
            _ => format!("{system}/{name}:latest"),
        }
    }
    fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

fn numbered(name: &str, count: u32) -> Vec<String> {
    (1..=count).map(|i| format!("{name}-{i}")).collect()
}

fn mib_ceil(bytes: u64) -> u32 {
    bytes.div_ceil(1 << 20).min(u32::MAX as u64) as u32
}

fn gib_ceil(bytes: u64) -> u32 {
    bytes.div_ceil(1 << 30).min(u32::MAX as u64) as u32
}

impl Builder<'_> {
    fn component(&mut self, kind: Kind, name: &str, comp: &ast::Component, origin: Origin) {
        let cl = Clauses::of(comp);
        let spans = cl.spans();
        let name = name.to_string();
        let system = self.ctx.system;
        match kind {
            Kind::Web => {
                let autoscale = match cl.get("autoscale") {
                    Some(Clause::Autoscale { min, max, cpu }) => Some(Autoscale {
                        min: min.node as u32,
                        max: max.node as u32,
                        cpu_percent: cpu
                            .as_ref()
                            .map_or(DEFAULT_CPU_TARGET, |c| c.node.min(u32::MAX as u64) as u32),
                    }),
                    _ => None,
                };
                let count = autoscale.as_ref().map_or_else(|| cl.count(1), |a| a.min);
                let state = match cl.get("state") {
                    Some(Clause::State(s)) => *s,
                    _ => WebState::Stateless,
                };
                let lb = match cl.get("behind") {
                    Some(Clause::Behind(n)) => Some(
                        n.as_ref()
                            .map_or_else(|| "lb".to_string(), |n| n.node.clone()),
                    ),
                    _ => None,
                };
                let sessions = match cl.get("sessions") {
                    Some(Clause::Sessions { kind, name }) => Some(SessionStore {
                        kind: *kind,
                        name: name.as_ref().map(|n| n.node.clone()).unwrap_or_default(),
                    }),
                    _ => None,
                };
                self.model.webs.push(Web {
                    instances: numbered(&name, count),
                    image: cl.image(system, &name),
                    name,
                    state,
                    count,
                    autoscale,
                    lb,
                    port: match cl.get("port") {
                        Some(Clause::Port(p)) => p.node as u16,
                        _ => DEFAULT_WEB_PORT,
                    },
                    health: match cl.get("health") {
                        Some(Clause::Health(p)) => p.node.clone(),
                        _ => DEFAULT_HEALTH.to_string(),
                    },
                    sessions,
                    sticky: false,
                    resources: cl.size(),
                    origin,
                    spans,
                });
            }
            Kind::Lb => self.model.lbs.push(Lb {
                name,
                engine: match cl.get("engine") {
                    Some(Clause::LbEngine(e)) => *e,
                    _ => LbEngine::Nginx,
                },
                method: match cl.get("method") {
                    Some(Clause::LbMethod(m)) => *m,
                    _ => LbMethod::RoundRobin,
                },
                sticky: cl.has("sticky"),
                port: LB_PORT,
                backends: Vec::new(),
                origin,
                spans,
            }),
            Kind::Db => {
                let (shard_key, shard_count) = match cl.get("sharded") {
                    Some(Clause::Sharded { key, count }) => (
                        key.as_ref().map(|k| k.node.clone()),
                        count.as_ref().map_or(1, |c| c.node as u32),
                    ),
                    _ => (None, 1),
                };
                let replicas = match cl.get("replicas") {
                    Some(Clause::Replicas(n)) => n.node as u32,
                    _ => 0,
                };
                let sharded = cl.has("sharded");
                let shards = (1..=shard_count)
                    .map(|i| {
                        let primary = if sharded {
                            format!("{name}-shard-{i}")
                        } else {
                            name.clone()
                        };
                        Shard {
                            index: i,
                            replicas: (1..=replicas)
                                .map(|r| format!("{primary}-replica-{r}"))
                                .collect(),
                            primary,
                            // Named once the stage is whole (`assign_password_envs`).
                            password_env: String::new(),
                        }
                    })
                    .collect();
                let engine = match cl.get("engine") {
                    Some(Clause::DbEngine(e)) => *e,
                    _ => DbEngine::Postgres,
                };
                self.model.dbs.push(Db {
                    // Named once the stage is whole (`assign_password_envs`).
                    password_env: String::new(),
                    engine,
                    colocated: cl.has("colocated"),
                    shard_key,
                    shard_count,
                    replicas,
                    shards,
                    storage_gb: match cl.get("storage") {
                        Some(Clause::Storage(b)) => gib_ceil(b.node),
                        _ => DEFAULT_DB_STORAGE_GB,
                    },
                    port: match engine {
                        DbEngine::Postgres => 5432,
                        DbEngine::Mysql => 3306,
                    },
                    user: "app".to_string(),
                    resources: cl.size(),
                    name,
                    origin,
                    spans,
                });
            }
            Kind::Cache => {
                let engine = match cl.get("engine") {
                    Some(Clause::CacheEngine(e)) => *e,
                    _ => CacheEngine::Redis,
                };
                let count = cl.count(1);
                self.model.caches.push(Cache {
                    instances: numbered(&name, count),
                    name,
                    engine,
                    count,
                    ttl_seconds: match cl.get("ttl") {
                        Some(Clause::Ttl(t)) => Some(t.node),
                        _ => None,
                    },
                    evict: match cl.get("evict") {
                        Some(Clause::Evict(e)) => Some(*e),
                        _ => None,
                    },
                    memory_mb: match cl.get("memory") {
                        Some(Clause::Memory(b)) => mib_ceil(b.node),
                        _ => DEFAULT_CACHE_MEMORY_MB,
                    },
                    colocated: cl.has("colocated"),
                    port: match engine {
                        CacheEngine::Redis => 6379,
                        CacheEngine::Memcached => 11211,
                    },
                    resources: cl.size(),
                    origin,
                    spans,
                });
            }
            Kind::Cdn => self.model.cdns.push(Cdn {
                name,
                paths: match cl.get("for") {
                    Some(Clause::Paths(p)) => p.iter().map(|p| p.node.clone()).collect(),
                    _ => Vec::new(),
                },
                ttl_seconds: match cl.get("ttl") {
                    Some(Clause::Ttl(t)) => Some(t.node),
                    _ => None,
                },
                versioned: cl.has("versioned"),
                origin_lb: None, // set by `link`, once every lb is known
                origin,
                spans,
            }),
            Kind::Nosql => {
                let engine = match cl.get("engine") {
                    Some(Clause::NosqlEngine(e)) => *e,
                    _ => NosqlEngine::Dynamodb,
                };
                let count = cl.count(1);
                self.model.nosqls.push(Nosql {
                    instances: numbered(&name, count),
                    name,
                    engine,
                    count,
                    port: match engine {
                        NosqlEngine::Dynamodb => 8000,
                        NosqlEngine::Mongodb => 27017,
                    },
                    password_env: None,
                    origin,
                    spans,
                });
            }
            Kind::Queue => {
                let engine = match cl.get("engine") {
                    Some(Clause::QueueEngine(e)) => *e,
                    _ => QueueEngine::Rabbitmq,
                };
                self.model.queues.push(Queue {
                    name,
                    engine,
                    port: match engine {
                        QueueEngine::Rabbitmq => 5672,
                        QueueEngine::Redis => 6379,
                        QueueEngine::Sqs => 9324,
                    },
                    password_env: None,
                    origin,
                    spans,
                });
            }
            Kind::Worker => {
                let count = cl.count(1);
                let queue = match cl.get("consumes") {
                    Some(Clause::Consumes(q)) => q.node.clone(),
                    _ => String::new(),
                };
                self.model.workers.push(Worker {
                    instances: numbered(&name, count),
                    image: cl.image(system, &name),
                    name,
                    count,
                    queue,
                    resources: cl.size(),
                    origin,
                    spans,
                });
            }
            Kind::Logs => self.model.logs = Some(origin),
            Kind::Metrics => self.model.metrics = Some(origin),
            Kind::Datacenters => unreachable!("datacenters are not a component statement"),
        }
    }

    /// Resolves references now that every component of the stage is known:
    /// creates the implicit `lb`, fills load balancer backends, session stores
    /// and sticky routing, and reports references to nothing.
    fn link(&mut self) {
        let m = &mut self.model;
        // Name indexes: designs may have thousands of components, and every
        // reference is looked up once.
        let mut lb_index: HashMap<String, usize> = m
            .lbs
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i))
            .collect();
        // `behind lb` creates the default load balancer when none is declared.
        for w in &m.webs {
            let Some(lb) = &w.lb else { continue };
            let behind = w.spans.get("behind").copied().unwrap_or(w.origin.span);
            if lb_index.contains_key(lb) {
                continue;
            }
            if lb == "lb" {
                lb_index.insert(lb.clone(), m.lbs.len());
                m.lbs.push(Lb {
                    name: lb.clone(),
                    engine: LbEngine::Nginx,
                    method: LbMethod::RoundRobin,
                    sticky: false,
                    port: LB_PORT,
                    backends: Vec::new(),
                    origin: Origin {
                        span: behind,
                        line: self.ctx.line(behind),
                        stage: w.origin.stage.clone(),
                        inherited: w.origin.inherited,
                        implicit: true,
                    },
                    spans: ClauseSpans::new(),
                });
            } else {
                let mut d = Diagnostic::new(
                    "E0104",
                    behind,
                    format!("there is no load balancer named `{lb}`"),
                )
                .primary("referenced here");
                d = match nearest(lb, m.lbs.iter().map(|l| l.name.as_str())) {
                    Some(n) => d.help(format!("did you mean `behind lb {n}`?")),
                    None => d.help(format!(
                        "declare it with `lb {lb}`, or write `behind lb` for the default one"
                    )),
                };
                let web = named("web", &w.name);
                self.diags.push(blame_drop(
                    d,
                    self.dropped.get(&(Kind::Lb, lb.clone())),
                    &format!("lb `{lb}`"),
                    &format!("put `{web}` behind another load balancer (`behind lb` for the default one)"),
                ));
            }
        }
        for w in &mut m.webs {
            let Some(i) = w.lb.as_ref().and_then(|l| lb_index.get(l).copied()) else {
                w.lb = None;
                continue;
            };
            let lb = &mut m.lbs[i];
            lb.backends.push(w.name.clone());
            w.sticky =
                w.state == WebState::Stateful && (lb.sticky || lb.method == LbMethod::IpHash);
        }
        let origin_lb = m
            .lbs
            .iter()
            .find(|l| !l.backends.is_empty())
            .or(m.lbs.first())
            .map(|l| l.name.clone());
        for c in &mut m.cdns {
            c.origin_lb.clone_from(&origin_lb);
        }
        // Session stores.
        let caches: Vec<&str> = m.caches.iter().map(|c| c.name.as_str()).collect();
        let dbs: Vec<&str> = m.dbs.iter().map(|c| c.name.as_str()).collect();
        let nosqls: Vec<&str> = m.nosqls.iter().map(|c| c.name.as_str()).collect();
        let sets: [HashSet<&str>; 3] = [
            caches.iter().copied().collect(),
            dbs.iter().copied().collect(),
            nosqls.iter().copied().collect(),
        ];
        for w in &mut m.webs {
            let Some(store) = &mut w.sessions else {
                continue;
            };
            let (names, set) = match store.kind {
                StoreKind::Cache => (&caches, &sets[0]),
                StoreKind::Db => (&dbs, &sets[1]),
                StoreKind::Nosql => (&nosqls, &sets[2]),
            };
            let kind_word = match store.kind {
                StoreKind::Cache => "cache",
                StoreKind::Db => "db",
                StoreKind::Nosql => "nosql",
            };
            let found = if store.name.is_empty() {
                if names.len() == 1 {
                    Some(names[0].to_string())
                } else {
                    set.contains(kind_word).then(|| kind_word.to_string())
                }
            } else {
                set.contains(store.name.as_str())
                    .then(|| store.name.clone())
            };
            match found {
                Some(n) => store.name = n,
                None => {
                    let span = w.spans.get("sessions").copied().unwrap_or(w.origin.span);
                    let (message, help) = if store.name.is_empty() && names.len() > 1 {
                        (
                            format!("`sessions in {kind_word}` is ambiguous: the stage has several of them"),
                            format!("name one: `sessions in {kind_word} {}`", names[0]),
                        )
                    } else if store.name.is_empty() {
                        (
                            format!("sessions are kept in a {kind_word}, but the stage has none"),
                            format!("declare one, e.g. `{}`", example_store(store.kind)),
                        )
                    } else {
                        (
                            format!(
                                "there is no {kind_word} named `{}` to keep sessions in",
                                store.name
                            ),
                            match nearest(&store.name, names.iter().copied()) {
                                Some(n) => format!("did you mean `sessions in {kind_word} {n}`?"),
                                None => format!("declare it with `{kind_word} {}`", store.name),
                            },
                        )
                    };
                    let mut d = Diagnostic::new("E0106", span, message)
                        .primary("referenced here")
                        .help(help);
                    let kind = match store.kind {
                        StoreKind::Cache => Kind::Cache,
                        StoreKind::Db => Kind::Db,
                        StoreKind::Nosql => Kind::Nosql,
                    };
                    if store.name.is_empty() && names.len() > 1 {
                        // Every candidate is a line of its own.
                        let spans = match store.kind {
                            StoreKind::Cache => m.caches.iter().map(|c| c.origin.span).collect(),
                            StoreKind::Db => m.dbs.iter().map(|c| c.origin.span).collect(),
                            StoreKind::Nosql => {
                                m.nosqls.iter().map(|c| c.origin.span).collect::<Vec<_>>()
                            }
                        };
                        for span in spans {
                            d = d.label(span, format!("a {kind_word} of this stage"));
                        }
                    } else {
                        // The store it names, or for `sessions in cache` with
                        // no cache left, the one a stage dropped.
                        let gone = if store.name.is_empty() {
                            self.dropped
                                .iter()
                                .filter(|(k, _)| k.0 == kind)
                                .min_by_key(|(k, _)| &k.1)
                                .map(|(k, v)| (k.1.clone(), v))
                        } else {
                            self.dropped
                                .get(&(kind, store.name.clone()))
                                .map(|v| (store.name.clone(), v))
                        };
                        if let Some((name, v)) = gone {
                            d = blame_drop(
                                d,
                                Some(v),
                                &format!("{kind_word} `{name}`"),
                                &format!(
                                    "keep the sessions of `{}` elsewhere",
                                    named("web", &w.name)
                                ),
                            );
                        }
                    }
                    self.diags.push(d);
                    w.sessions = None;
                }
            }
        }
        // Queues consumed by workers.
        let queues: HashSet<&str> = m.queues.iter().map(|q| q.name.as_str()).collect();
        for wk in &m.workers {
            if wk.queue.is_empty() {
                self.diags.push(
                    Diagnostic::new(
                        "E0107",
                        wk.origin.span,
                        format!("worker `{}` does not say which queue it consumes", wk.name),
                    )
                    .primary("no `consumes` clause")
                    .help("add `consumes QUEUE`, naming a declared queue"),
                );
            } else if !queues.contains(wk.queue.as_str()) {
                let span = wk.spans.get("consumes").copied().unwrap_or(wk.origin.span);
                let help = match nearest(&wk.queue, m.queues.iter().map(|q| q.name.as_str())) {
                    Some(n) => format!("did you mean `consumes {n}`?"),
                    None => format!("declare it with `queue {}`", wk.queue),
                };
                let d = Diagnostic::new(
                    "E0105",
                    span,
                    format!("there is no queue named `{}`", wk.queue),
                )
                .primary("referenced here")
                .help(help);
                self.diags.push(blame_drop(
                    d,
                    self.dropped.get(&(Kind::Queue, wk.queue.clone())),
                    &format!("queue `{}`", wk.queue),
                    &format!("drop `{}` too", named("worker", &wk.name)),
                ));
            }
        }
    }
}

fn example_store(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::Cache => "cache redis x2 ttl 30m evict lru",
        StoreKind::Db => "db postgres with 2 replicas",
        StoreKind::Nosql => "nosql dynamodb",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_carry_the_line_of_their_statement_or_reference() {
        let text = "# a design\nsystem s\n\nstage one {\n  db postgres\n  web x2 behind lb\n}\nstage two {\n\n  cache redis\n}\n";
        let c = crate::compile("s.arch", text);
        assert!(!c.has_errors());
        let two = c.design.stage("two").unwrap();
        let line = |kind: &str| {
            two.components()
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.origin.line)
        };
        // Inherited components keep their line; the implicit lb is on its reference's.
        assert_eq!(line("db"), Some(5));
        assert_eq!(line("web"), Some(6));
        assert_eq!(line("lb"), Some(6));
        assert_eq!(line("cache"), Some(10));
    }
}
