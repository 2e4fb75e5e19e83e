//! Resolving the references between a stage's components once all of them
//! are known: the load balancer each web tier is behind (creating the
//! implicit `lb`), the store each keeps its sessions in, the queue each
//! worker consumes. A reference to nothing is reported; one to a component a
//! stage dropped points at the `drop`.

use super::build::Builder;
use super::{named, Dropped};
use crate::diag::{nearest, Diagnostic};
use crate::model::defaults::*;
use crate::model::types::*;
use crate::span::Span;
use crate::syntax::ast::Kind;
use std::collections::{HashMap, HashSet};

impl Builder<'_> {
    /// Resolves references now that every component of the stage is known:
    /// creates the implicit `lb`, fills load balancer backends, session stores
    /// and sticky routing, and reports references to nothing.
    pub(super) fn link(&mut self) {
        let lb_index = self.resolve_behind();
        self.fill_backends(&lb_index);
        self.link_sessions();
        self.link_queues();
    }

    /// Checks every `behind lb NAME`: `behind lb` creates the default load
    /// balancer when none is declared; another missing name is reported.
    /// Returns the index of every load balancer by name.
    fn resolve_behind(&mut self) -> HashMap<String, usize> {
        let m = &mut self.model;
        // Name indexes: designs may have thousands of components, and every
        // reference is looked up once.
        let mut lb_index: HashMap<String, usize> = m
            .lbs
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i))
            .collect();
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
                    capacity: None,
                    labels: Vec::new(),
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
                let d = no_such_lb(lb, behind, &m.lbs, &w.name, self.dropped);
                self.diags.push(d);
            }
        }
        lb_index
    }

    /// Makes each web tier a backend of its load balancer (or of none when
    /// that was not found), decides sticky routing, and gives every CDN its
    /// origin: the first load balancer with backends, else the first one.
    fn fill_backends(&mut self, lb_index: &HashMap<String, usize>) {
        let m = &mut self.model;
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
    }

    /// Resolves `sessions in KIND [NAME]`: without a name, the only store of
    /// that kind, or the one named like the kind. A store not found is
    /// reported and the web tier keeps no sessions.
    fn link_sessions(&mut self) {
        let m = &mut self.model;
        let stores = Stores {
            names: [
                m.caches.iter().map(|c| c.name.as_str()).collect(),
                m.dbs.iter().map(|c| c.name.as_str()).collect(),
                m.nosqls.iter().map(|c| c.name.as_str()).collect(),
            ],
            caches: &m.caches,
            dbs: &m.dbs,
            nosqls: &m.nosqls,
        };
        let sets: [HashSet<&str>; 3] = [
            stores.names[0].iter().copied().collect(),
            stores.names[1].iter().copied().collect(),
            stores.names[2].iter().copied().collect(),
        ];
        for w in &mut m.webs {
            let Some(store) = &mut w.sessions else {
                continue;
            };
            let k = kind_slot(store.kind);
            let (names, set) = (&stores.names[k], &sets[k]);
            let kind_word = store_word(store.kind);
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
                    let d = no_such_store(store, span, &w.name, &stores, self.dropped);
                    self.diags.push(d);
                    w.sessions = None;
                }
            }
        }
    }

    /// Checks that every worker names a queue of the stage.
    fn link_queues(&mut self) {
        let m = &self.model;
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

/// E0104: web tier `web` is behind `lb`, which the stage does not have.
fn no_such_lb(lb: &str, behind: Span, lbs: &[Lb], web: &str, dropped: &Dropped) -> Diagnostic {
    let mut d = Diagnostic::new(
        "E0104",
        behind,
        format!("there is no load balancer named `{lb}`"),
    )
    .primary("referenced here");
    d = match nearest(lb, lbs.iter().map(|l| l.name.as_str())) {
        Some(n) => d.help(format!("did you mean `behind lb {n}`?")),
        None => d.help(match clause_example(lb) {
            Some(clause) => format!(
                "`{lb}` is read as the load balancer's name, since what follows is not a whole clause: declare `lb {lb}`, or, if you meant the clause, write it whole, e.g. `behind lb {clause}`"
            ),
            None => format!("declare it with `lb {lb}`, or write `behind lb` for the default one"),
        }),
    };
    let web = named("web", web);
    blame_drop(
        d,
        dropped.get(&(Kind::Lb, lb.to_string())),
        &format!("lb `{lb}`"),
        &format!("put `{web}` behind another load balancer (`behind lb` for the default one)"),
    )
}

/// The stores sessions can be kept in, by kind (cache, db, nosql).
struct Stores<'m> {
    names: [Vec<&'m str>; 3],
    caches: &'m [Cache],
    dbs: &'m [Db],
    nosqls: &'m [Nosql],
}

/// The place of a store kind in `Stores::names`.
fn kind_slot(kind: StoreKind) -> usize {
    match kind {
        StoreKind::Cache => 0,
        StoreKind::Db => 1,
        StoreKind::Nosql => 2,
    }
}

fn store_word(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::Cache => "cache",
        StoreKind::Db => "db",
        StoreKind::Nosql => "nosql",
    }
}

/// E0106: the session store of web tier `web` (at `span`) is ambiguous or
/// not in the stage. An ambiguous one lists the candidates; a missing one
/// points at the `drop` that removed it, if any.
fn no_such_store(
    store: &SessionStore,
    span: Span,
    web: &str,
    stores: &Stores,
    dropped: &Dropped,
) -> Diagnostic {
    let kind_word = store_word(store.kind);
    let names = &stores.names[kind_slot(store.kind)];
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
                None => match clause_example(&store.name) {
                    Some(clause) => format!(
                        "`{0}` is read as the {kind_word}'s name, since what follows is not a whole clause: declare `{kind_word} {0}`, or, if you meant the clause, write it whole, e.g. `sessions in {kind_word} {clause}`",
                        store.name
                    ),
                    None => format!("declare it with `{kind_word} {}`", store.name),
                },
            },
        )
    };
    let mut d = Diagnostic::new("E0106", span, message)
        .primary("referenced here")
        .help(help);
    if store.name.is_empty() && names.len() > 1 {
        // Every candidate is a line of its own.
        let spans: Vec<Span> = match store.kind {
            StoreKind::Cache => stores.caches.iter().map(|c| c.origin.span).collect(),
            StoreKind::Db => stores.dbs.iter().map(|c| c.origin.span).collect(),
            StoreKind::Nosql => stores.nosqls.iter().map(|c| c.origin.span).collect(),
        };
        for span in spans {
            d = d.label(span, format!("a {kind_word} of this stage"));
        }
        return d;
    }
    // The store it names, or for `sessions in cache` with no cache left, the
    // one a stage dropped.
    let kind = match store.kind {
        StoreKind::Cache => Kind::Cache,
        StoreKind::Db => Kind::Db,
        StoreKind::Nosql => Kind::Nosql,
    };
    let gone = if store.name.is_empty() {
        dropped
            .iter()
            .filter(|(k, _)| k.0 == kind)
            .min_by_key(|(k, _)| &k.1)
            .map(|(k, v)| (k.1.clone(), v))
    } else {
        dropped
            .get(&(kind, store.name.clone()))
            .map(|v| (store.name.clone(), v))
    };
    match gone {
        Some((name, v)) => blame_drop(
            d,
            Some(v),
            &format!("{kind_word} `{name}`"),
            &format!("keep the sessions of `{}` elsewhere", named("web", web)),
        ),
        None => d,
    }
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

fn example_store(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::Cache => "cache redis x2 ttl 30m evict lru",
        StoreKind::Db => "db postgres with 2 replicas",
        StoreKind::Nosql => "nosql dynamodb",
    }
}

/// A whole clause for a web clause word that needs a value, for the help of
/// a reference whose name is that word (`sessions in cache port`: a cache
/// named `port`, or the clause `port` missing its number?). A name is read as
/// the clause only when the whole clause follows (grammar: `store_name`).
fn clause_example(word: &str) -> Option<&'static str> {
    Some(match word {
        "port" => "port 8080",
        "image" => "image \"nginx:1.27\"",
        "health" => "health /health",
        "sessions" => "sessions in cache",
        "size" => "size medium",
        "autoscale" => "autoscale 2..10",
        "behind" => "behind lb",
        _ => return None,
    })
}
