//! What every keyword of the language means and what it makes archc generate:
//! the text behind the language server's hover and keyword completions, and
//! what `archc explain WORD` prints.
//!
//! One entry per keyword (grammar/arch.pest `kw_*`, a test enforces it), plus
//! entries for words whose meaning depends on the statement they are in
//! (`redis` in a cache or a queue), keyed by that statement's kind.

/// One keyword, possibly in one kind of statement.
#[derive(Clone, Copy, Debug)]
pub struct Keyword {
    pub word: &'static str,
    /// The statement kind this entry is for (`cache`); `None`: anywhere.
    pub context: Option<&'static str>,
    /// Where it is written, e.g. `web clause` or `statement`.
    pub role: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// What archc generates for it.
    pub generates: &'static str,
}

const fn kw(
    word: &'static str,
    context: Option<&'static str>,
    role: &'static str,
    meaning: &'static str,
    generates: &'static str,
) -> Keyword {
    Keyword {
        word,
        context,
        role,
        meaning,
        generates,
    }
}

/// The registry. Context-specific entries come before the general one.
pub static KEYWORDS: &[Keyword] = &[
    // ---- statements ------------------------------------------------------
    kw("system", None, "statement `system NAME`",
        "Names the whole system (top level, once). Default: the file's stem.",
        "Prefixes resource names and tags on every target (Terraform `Name` tags, the Kubernetes namespace, the Compose project)."),
    kw("region", None, "statement `region NAME`",
        "The primary cloud region (top level, once). Default: `us-east-1`.",
        "The Terraform AWS provider region."),
    kw("datacenters", None, "statement `datacenters NAME, NAME… [via geodns]`",
        "Runs the system in several data centers (AWS regions); the primary is `region` when listed, else the first. One per stage.",
        "Terraform: one configuration with a module per region; the primary region holds each database's primary, every other region cross-region read replicas of it (DynamoDB: a global table), so every data center has the data; Route 53 records: with `via geodns` geolocation (each user to the nearest), without it failover (the primary, then the first other), each a failover pair on the balancers' health. W0307 warns when a database has no replicas (or a MongoDB store): then only the primary region holds it. Compose and Kubernetes run one site each (docs/failover.md)."),
    kw("via", None, "`datacenters … via geodns`",
        "How users reach the data centers.",
        "See `geodns`."),
    kw("geodns", None, "`datacenters … via geodns`",
        "Routes each user to the nearest data center by DNS.",
        "Terraform: a Route 53 hosted zone with a geolocation record per continent a data center is on, each a failover pair: that continent's data center, then another."),
    kw("stage", None, "block `stage NAME { … }`",
        "One scaling stage. Each stage starts from the one before (the first from the statements before any stage); a statement for the same kind and name replaces that component whole.",
        "One model per stage: `archc build --stage NAME` builds it, `--all-stages` builds OUT/<stage>/<target>/ for each."),
    kw("drop", None, "statement `drop KIND [NAME]`",
        "Inside a stage: removes a component the stage inherited (E0103 if there is none).",
        "Nothing for that component from this stage on."),
    kw("accept", None, "statement or clause `accept CODE \"REASON\"`",
        "Takes a warning on purpose, with the reason. At top level: everywhere in the file; as a statement in a stage: that stage only; after a component statement: the warnings pointing at that statement, in every stage that inherits it.",
        "Nothing in any target. `archc check` shows the warning as accepted with its reason and `--deny-warnings` does not count it; W0311/W0312 report an accept that cannot apply or accepts nothing."),
    // ---- kinds -----------------------------------------------------------
    kw("web", None, "component `web [NAME] …`",
        "A tier of application servers. Default name `web`; stateless, x1, port 8080, health `/health`, size small.",
        "Terraform: launch template and autoscaling group (or instances); Compose: one service per instance; Kubernetes: Deployment, Service, probes, PodDisruptionBudget, HorizontalPodAutoscaler with autoscale; nginx/HAProxy: an upstream/backend listing every instance."),
    kw("lb", Some("web"), "`behind lb [NAME]`",
        "The load balancer this web tier sits behind: `lb` names the kind; without a NAME it is the load balancer named `lb`, created with defaults when the stage does not declare it.",
        "See `behind`."),
    kw("lb", None, "component `lb [NAME] …`",
        "A load balancer in front of web tiers. Default: nginx, round-robin, listening on 80, not sticky.",
        "nginx and HAProxy configurations for every load balancer; Compose runs the chosen engine with its config mounted; Terraform an ALB with target group, listener and health check; Kubernetes an Ingress."),
    kw("db", Some("web"), "`sessions in db [NAME]`",
        "Keep sessions in a relational database of the stage.",
        "See `sessions`."),
    kw("db", None, "component `db [NAME] …`",
        "A relational database. Default: postgres, no replicas, not sharded, storage 20gb, size small, password from `<NAME>_PASSWORD`.",
        "Terraform: an RDS primary per shard with read replicas; Compose: services with volumes and health checks; Kubernetes: a StatefulSet and headless Service per shard; secrets from the environment, never literal."),
    kw("cache", Some("web"), "`sessions in cache [NAME]`",
        "Keep sessions in a cache of the stage.",
        "See `sessions`."),
    kw("cache", None, "component `cache [NAME] …`",
        "An in-memory cache. Default: redis, x1, memory 256mb; no TTL and no eviction policy (both warned).",
        "Terraform: ElastiCache; Compose: one service per instance with maxmemory settings; Kubernetes: a workload and Service."),
    kw("cdn", None, "component `cdn [NAME] for PATH… …`",
        "A content delivery network in front of the load balancer for the given paths (`for` is required).",
        "Terraform: CloudFront with a cache behaviour per path and its TTL; nginx: a proxy cache for those paths."),
    kw("nosql", Some("web"), "`sessions in nosql [NAME]`",
        "Keep sessions in a key-value / document store of the stage.",
        "See `sessions`."),
    kw("nosql", None, "component `nosql [NAME] …`",
        "A key-value or document store for data that needs no joins. Default: dynamodb, x1.",
        "Terraform: a DynamoDB table (or instances for mongodb); Compose and Kubernetes: one instance per count."),
    kw("queue", None, "component `queue [NAME] …`",
        "A message queue that workers consume. Default: rabbitmq.",
        "Terraform: SQS with a dead-letter queue; Compose and Kubernetes: the broker (rabbitmq, redis, or a local SQS)."),
    kw("worker", None, "component `worker [NAME] [xN] consumes QUEUE …`",
        "Background workers that consume a queue (`consumes` is required, E0107). Default: x1.",
        "Terraform: instances or an autoscaling group; Compose: a service per instance; Kubernetes: a Deployment."),
    kw("logs", None, "statement `logs`",
        "Central log collection. One per stage.",
        "Terraform: CloudWatch log groups; Compose and Kubernetes: a Fluent Bit collector that applications ship to."),
    kw("metrics", None, "statement `metrics`",
        "Metrics: host, aggregate and business. One per stage.",
        "Terraform: CloudWatch alarms; Compose and Kubernetes: Prometheus scraping /metrics on every web instance."),
    // ---- web -------------------------------------------------------------
    kw("stateless", None, "web clause",
        "The tier keeps no user state in memory, so any instance can serve any request (the default).",
        "Plain round-robin balancing; instances can be added and removed freely."),
    kw("stateful", None, "web clause",
        "The tier keeps sessions in its own memory: a user must come back to the same instance.",
        "Sticky routing when its load balancer is `ip-hash` or `sticky` (HAProxy cookie, nginx ip_hash); W0301 warns when there is neither stickiness nor `sessions in`."),
    kw("autoscale", None, "web clause `autoscale MIN..MAX [at cpu N%]`",
        "Scale out between MIN and MAX instances on CPU load (default target 70%). MIN is the instance count.",
        "Terraform: autoscaling group min/max with a target-tracking policy; Kubernetes: HorizontalPodAutoscaler; Compose and the LB configs: MIN instances."),
    kw("at", None, "`autoscale MIN..MAX at cpu N%`",
        "Introduces the CPU target of autoscaling.",
        "See `cpu`."),
    kw("cpu", None, "`autoscale MIN..MAX at cpu N%`",
        "Average CPU utilisation to keep (1–100%, default 70%).",
        "The target-tracking value (Terraform) and averageUtilization (Kubernetes HPA)."),
    kw("behind", None, "web clause `behind lb [NAME]`",
        "Puts the tier behind a load balancer. `behind lb` means the load balancer named `lb` (created with defaults if the stage has none); `behind lb NAME` must name a declared one (E0104).",
        "The load balancer's upstream/backend/target group lists every instance of this tier."),
    kw("port", None, "web clause `port N`",
        "The port the application listens on (default 8080).",
        "Container and target ports, upstream server addresses, security group rules."),
    kw("image", Some("worker"), "worker clause `image \"IMAGE\"`",
        "The worker's container image, e.g. `image \"registry/app:tag\"`. Without it a placeholder runs: busybox, idle (it takes nothing from the queue), so a fresh design starts.",
        "The image of the worker's containers and the image user data pulls on hosts."),
    kw("image", None, "clause `image \"IMAGE\"`",
        "The container image, e.g. `image \"registry/app:tag\"`. Without it a placeholder runs: busybox serving the health path (and `/`, the instance's name) on the tier's port, so a fresh design starts and passes its health checks.",
        "The image of the tier's containers (Compose, Kubernetes) and the image user data pulls on hosts (Terraform); for the placeholder, also its command."),
    kw("health", None, "web clause `health PATH`",
        "The health check path (default `/health`).",
        "ALB target group health check, HAProxy `option httpchk`, Kubernetes probes, Compose healthcheck."),
    kw("sessions", None, "web clause `sessions in cache|db|nosql [NAME]`",
        "Keeps user sessions in a shared store, so the tier can be stateless behind any balancing. Without NAME: the only component of that kind, or the one named after the kind (E0106 otherwise).",
        "The store's address in the tier's environment."),
    kw("in", None, "`sessions in cache|db|nosql`",
        "Introduces the kind of session store.",
        "See `sessions`."),
    // ---- shared ----------------------------------------------------------
    kw("size", None, "clause `size small|medium|large|xlarge`",
        "Vertical scaling: how big each instance is (default small).",
        "The EC2 instance type, RDS class, ElastiCache node type and container CPU and memory."),
    kw("small", None, "`size small`",
        "0.5 CPU, 512 MiB.", "t3.small hosts; 500m CPU / 512Mi containers."),
    kw("medium", None, "`size medium`",
        "1 CPU, 2 GiB.", "t3.medium hosts; 1 CPU / 2Gi containers."),
    kw("large", None, "`size large`",
        "2 CPU, 8 GiB.", "m6i.large hosts; 2 CPU / 8Gi containers."),
    kw("xlarge", None, "`size xlarge`",
        "4 CPU, 16 GiB.", "m6i.xlarge hosts; 4 CPU / 16Gi containers."),
    kw("colocated", Some("cache"), "cache clause",
        "Runs the cache on the web host (the single-server stage); valid only with one web instance and no load balancer.",
        "No separate cache host: Terraform installs it on the web host, Compose runs it beside the web service."),
    kw("colocated", None, "db clause",
        "Runs the database on the web host (the single-server stage); valid only with one web instance and no load balancer (E0202).",
        "No separate database host: Terraform installs it on the web host, Compose runs it beside the web service."),
    // ---- lb --------------------------------------------------------------
    kw("nginx", None, "lb engine",
        "Use nginx as the load balancer (the default).",
        "Compose runs nginx with the generated lb.conf; nginx and HAProxy configs are generated either way."),
    kw("haproxy", None, "lb engine",
        "Use HAProxy as the load balancer.",
        "Compose runs HAProxy with the generated lb.cfg; nginx and HAProxy configs are generated either way."),
    kw("round-robin", None, "lb method",
        "Send each request to the next server in turn (the default).",
        "nginx default upstream balancing; HAProxy `balance roundrobin`."),
    kw("least-conn", None, "lb method",
        "Send each request to the server with the fewest open connections.",
        "nginx `least_conn`; HAProxy `balance leastconn`; ALB least outstanding requests."),
    kw("ip-hash", None, "lb method",
        "Pick the server from the client's address: a client stays on one server (sticky by itself).",
        "nginx `ip_hash`; HAProxy `balance source`; ALB target-group stickiness."),
    kw("sticky", None, "lb clause",
        "Route each user back to the server that holds their session.",
        "HAProxy inserts a server cookie; open-source nginx uses `ip_hash`; AWS enables target-group stickiness."),
    // ---- db --------------------------------------------------------------
    kw("postgres", None, "db engine",
        "PostgreSQL (the default), port 5432.",
        "RDS postgres; postgres containers with streaming replicas."),
    kw("mysql", None, "db engine",
        "MySQL, port 3306.",
        "RDS mysql; mysql containers with replicas."),
    kw("sharded", None, "db clause `sharded by KEY xN`",
        "Splits the data into N shards by KEY; each shard is a primary with its replicas (E0205/E0206 when the key or count is missing).",
        "A primary per shard (`db-shard-1`, …) and its replicas on every target."),
    kw("by", None, "`sharded by KEY`",
        "Introduces the shard key.",
        "See `sharded`."),
    kw("with", None, "db clause `with N replicas`",
        "Introduces the number of read replicas per shard.",
        "See `replicas`."),
    kw("replicas", None, "`with N replicas`",
        "Read replicas per shard (`replica` is accepted too).",
        "RDS read replicas (`db-replica-1`, …); replica containers; Kubernetes StatefulSet replicas."),
    kw("replica", None, "`with 1 replica`",
        "Same as `replicas`.",
        "See `replicas`."),
    kw("storage", None, "db clause `storage SIZE`",
        "Disk per database instance (default 20gb).",
        "RDS allocated storage; Kubernetes volume claims."),
    // ---- cache -----------------------------------------------------------
    kw("redis", Some("queue"), "queue engine",
        "Use Redis as the message broker (port 6379).",
        "A Redis broker container; SQS on AWS."),
    kw("redis", None, "cache engine",
        "Redis (the default), port 6379.",
        "ElastiCache redis; redis containers with maxmemory settings."),
    kw("memcached", None, "cache engine",
        "Memcached, port 11211.",
        "ElastiCache memcached; memcached containers."),
    kw("ttl", Some("cdn"), "cdn clause `ttl DURATION`",
        "How long the CDN keeps a response (W0306 when missing).",
        "CloudFront default TTL per cache behaviour; nginx `proxy_cache_valid`."),
    kw("ttl", None, "clause `ttl DURATION`",
        "Default expiry of cached entries (W0304 when a cache has none).",
        "The cache's default expiry in its environment and configuration."),
    kw("evict", None, "cache clause `evict lru|lfu|none`",
        "What the cache drops when memory is full (W0305 when missing).",
        "Redis `maxmemory-policy`."),
    kw("lru", None, "`evict lru`", "Evict the least recently used keys.", "Redis `allkeys-lru`."),
    kw("lfu", None, "`evict lfu`", "Evict the least frequently used keys.", "Redis `allkeys-lfu`."),
    kw("none", None, "`evict none`",
        "Never evict: writes fail when memory is full.",
        "Redis `noeviction`."),
    kw("memory", None, "cache clause `memory SIZE`",
        "Memory per cache instance (default 256mb).",
        "Redis `maxmemory`; container memory limits."),
    // ---- cdn -------------------------------------------------------------
    kw("for", None, "cdn clause `for PATH, PATH…`",
        "The URL paths the CDN serves (required, E0011).",
        "A CloudFront cache behaviour and an nginx cached location per path."),
    kw("versioned", None, "cdn clause",
        "URLs carry a version (`?v=2`), so the query string is part of the cache key.",
        "CloudFront forwards and caches on the query string; nginx includes `$args` in the cache key."),
    // ---- nosql / queue / worker -----------------------------------------
    kw("dynamodb", None, "nosql engine", "DynamoDB (the default).",
        "A DynamoDB table on AWS; a local DynamoDB container in Compose."),
    kw("mongodb", None, "nosql engine", "MongoDB.", "MongoDB instances."),
    kw("rabbitmq", None, "queue engine", "RabbitMQ (the default), port 5672.",
        "A RabbitMQ container; SQS on AWS."),
    kw("sqs", None, "queue engine", "Amazon SQS.",
        "An SQS queue with a dead-letter queue; a local SQS-compatible container in Compose."),
    kw("consumes", None, "worker clause `consumes QUEUE`",
        "The queue the workers take jobs from; must name a queue of the stage (E0105).",
        "The queue's address in the workers' environment."),
    // ---- env, secret, label ----------------------------------------------
    kw("env", None, "web or worker clause `env NAME=\"value\", …`",
        "Extra environment variables for the tier, after archc's own (docs/app-env.md). Names are `[A-Z_][A-Z0-9_]*` (E0209) and none of archc's (E0211); a value is never a secret (E0210): use `secret`.",
        "Compose `environment`, the Kubernetes container's `env`, a line of the hosts' `/etc/app.env` (Terraform user data)."),
    kw("secret", None, "web or worker clause `secret NAME, …`",
        "Variables whose values come from the deploying environment: archc writes their names, never a value.",
        "Compose `${NAME:?…}` from the shell or `.env` (listed in `.env.example`); Kubernetes `secretKeyRef` into the Secret `<system>-<name>-secrets` you create; Terraform: SSM SecureString `/<system>/<name>/NAME`, read at boot by a host role that may read exactly those parameters."),
    kw("label", None, "clause `label KEY=VALUE, …` (every component)",
        "Labels and tags for the component's objects. Keys and values follow Kubernetes' label syntax and AWS's tag limits (E0212); archc's own keys are refused (E0211).",
        "Kubernetes `metadata.labels` of its objects and pod templates (never selectors), Compose `labels`, AWS `tags` of the resources that run or store it."),
    // ---- load (docs/estimate.md) ------------------------------------------
    kw("traffic", None, "statement `traffic N users[, N requests per user][, peak Nx][, reads N%][, SIZE per response]`",
        "The load the stage must carry: daily active users (`k`/`m` suffixes), and with their defaults 20 requests per user a day, peak 3x the day's average, reads 90%, 32kb per response. One per stage, inherited and replaced like `logs`; `drop traffic` removes it. E0220 without a user count.",
        "Nothing in any target. `archc estimate` computes each tier's peak load, utilisation and the users the stage carries; W0320 warns when the stage cannot carry it."),
    kw("users", None, "`traffic N users`",
        "Daily active users of the stage (`50k`, `2m`). Required.",
        "See `traffic`."),
    kw("user", None, "`N requests per user`",
        "Same as `users`; in `N requests per user`, one daily user.",
        "See `traffic`."),
    kw("requests", None, "traffic clause `N requests per user`",
        "Requests one daily user makes in a day (default 20).",
        "The day's requests: users × requests; average rps: that / 86400."),
    kw("request", None, "`1 request per user`",
        "Same as `requests`.",
        "See `requests`."),
    kw("per", None, "`N requests per user`, `SIZE per response`",
        "Introduces what a number is counted per.",
        "See `requests` and `response`."),
    kw("peak", None, "traffic clause `peak Nx`",
        "The busiest time's request rate over the day's average (default 3x).",
        "Peak rps = average rps × N: what every tier must carry."),
    kw("reads", None, "traffic clause `reads N%`",
        "Share of requests that only read (default 90%); the rest write. At most 100% (E0222).",
        "Reads go to caches, then replicas and primaries; writes to primaries only."),
    kw("response", None, "traffic clause `SIZE per response`",
        "Bytes sent back per request (default 32kb).",
        "Data out per month for `archc estimate`'s usage figures."),
    kw("capacity", Some("worker"), "worker clause `capacity N jobs/s`",
        "Jobs per second one worker finishes. Default: by size (docs/estimate.md).",
        "Nothing in any target; `archc estimate`'s worker tier."),
    kw("capacity", Some("db"), "db clause `capacity N qps`",
        "Queries per second one database instance answers (primary or replica). Default: by size and engine (docs/estimate.md).",
        "Nothing in any target; `archc estimate`'s database tiers."),
    kw("capacity", None, "clause `capacity N rps|qps|jobs/s` (web, lb, db, cache, nosql, worker)",
        "What one instance sustains: `rps` for web and lb, `qps` for db, cache and nosql, `jobs/s` for worker (E0224 for another unit). Without it the documented default for the size and engine applies (docs/estimate.md).",
        "Nothing in any target: `archc estimate` divides each tier's peak load by instances × capacity."),
    kw("hits", None, "cache clause `hits N%`",
        "Share of reads the cache answers (default 80% for a cache in front of a database); only on a cache (E0223).",
        "Nothing in any target: `archc estimate` sends the other reads to the database."),
    kw("rps", None, "`capacity N rps`", "Requests per second: web tiers and load balancers.", "See `capacity`."),
    kw("qps", None, "`capacity N qps`", "Queries per second: databases, caches, NoSQL stores.", "See `capacity`."),
    kw("jobs/s", None, "`capacity N jobs/s`", "Jobs per second: workers.", "See `capacity`."),
    // ---- forms -----------------------------------------------------------
    kw("xN", Some("db"), "shard count `sharded by KEY xN`",
        "The number of shards; each is a primary with its replicas.",
        "A primary per shard, `db-shard-1` … `db-shard-N`, each with its replicas."),
    kw("xN", None, "count `xN`",
        "How many instances (horizontal scaling, scale out); at least 1.",
        "That many instances, named `<name>-1` … `<name>-N`, each listed by the load balancer configs."),
];

/// The entry for `word` in a statement of kind `context` (its first word):
/// the context-specific entry if there is one, else the general one.
pub fn lookup(word: &str, context: Option<&str>) -> Option<&'static Keyword> {
    let word = if is_count(word) { "xN" } else { word };
    KEYWORDS
        .iter()
        .find(|k| k.word == word && k.context.is_some() && k.context == context)
        .or_else(|| {
            KEYWORDS
                .iter()
                .find(|k| k.word == word && k.context.is_none())
        })
}

/// Every entry for `word`: the general one first, then those for particular
/// statements. Empty when it is not a keyword.
pub fn entries(word: &str) -> Vec<&'static Keyword> {
    let word = if is_count(word) { "xN" } else { word };
    let mut out: Vec<_> = KEYWORDS.iter().filter(|k| k.word == word).collect();
    out.sort_by_key(|k| k.context.is_some());
    out
}

/// Every word with an entry, once.
pub fn words() -> impl Iterator<Item = &'static str> {
    KEYWORDS
        .iter()
        .enumerate()
        .filter(|(i, k)| !KEYWORDS[..*i].iter().any(|p| p.word == k.word))
        .map(|(_, k)| k.word)
}

/// `x3`.
pub fn is_count(word: &str) -> bool {
    word.len() > 1 && word.starts_with('x') && word[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Markdown for a hover.
pub fn markdown(k: &Keyword) -> String {
    format!(
        "**`{}`** — {}\n\n{}\n\n**Generates:** {}",
        k.word, k.role, k.meaning, k.generates
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword the grammar defines, from `kw_* = @{ "a" | "b" … }`.
    pub fn grammar_keywords() -> Vec<String> {
        let pest = include_str!("../grammar/arch.pest");
        let mut out = Vec::new();
        for line in pest.lines().filter(|l| l.starts_with("kw_")) {
            out.extend(line.split('"').skip(1).step_by(2).map(str::to_string));
        }
        out
    }

    #[test]
    fn every_grammar_keyword_has_an_entry() {
        let words = grammar_keywords();
        assert!(words.len() > 60, "{words:?}");
        for w in &words {
            assert!(
                KEYWORDS.iter().any(|k| k.word == w && k.context.is_none()),
                "keyword `{w}` has no general entry in src/keywords.rs"
            );
        }
    }

    #[test]
    fn context_picks_the_specific_entry() {
        assert_eq!(lookup("redis", Some("queue")).unwrap().role, "queue engine");
        assert_eq!(lookup("redis", Some("cache")).unwrap().role, "cache engine");
        assert_eq!(lookup("redis", None).unwrap().role, "cache engine");
        assert_eq!(lookup("x12", Some("web")).unwrap().word, "xN");
        assert!(lookup("shop", None).is_none());
        assert!(lookup("x", None).is_none());
    }

    #[test]
    fn codes_named_in_the_text_exist() {
        for k in KEYWORDS {
            let text = format!("{} {}", k.meaning, k.generates);
            for (i, _) in text.match_indices(['E', 'W']) {
                let code = text.get(i..i + 5).unwrap_or("");
                if code.len() == 5 && code[1..].bytes().all(|b| b.is_ascii_digit()) {
                    assert!(
                        crate::diag::lookup(code).is_some(),
                        "{code} in `{}`",
                        k.word
                    );
                }
            }
        }
    }

    #[test]
    fn no_entry_is_registered_twice() {
        for (i, a) in KEYWORDS.iter().enumerate() {
            for b in &KEYWORDS[i + 1..] {
                assert!(
                    !(a.word == b.word && a.context == b.context),
                    "{} twice",
                    a.word
                );
            }
        }
    }
}
