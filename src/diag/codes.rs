//! The registry of diagnostic codes: one entry per distinct mistake, each with the
//! paragraph `archc explain CODE` prints. Bands: E00xx syntax, E01xx names and
//! references, E02xx invalid designs, W03xx scaling risks, E04xx
//! generated outputs that disagree with the model (an archc bug, never the design's),
//! E05xx a user's template overrides (`--templates DIR`).

use super::Severity;

pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub explanation: &'static str,
}

const fn e(code: &'static str, title: &'static str, explanation: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Error,
        title,
        explanation,
    }
}

const fn w(code: &'static str, title: &'static str, explanation: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Warning,
        title,
        explanation,
    }
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim().to_ascii_uppercase();
    CODES.iter().find(|c| c.code == code)
}

pub static CODES: &[CodeInfo] = &[
    e("E0001", "syntax error",
      "The parser expected something else at this place: the message lists what fits. A statement \
       starts with a kind (`web`, `lb`, `db`, `cache`, `cdn`, `nosql`, `queue`, `worker`, `logs`, \
       `metrics`) or with `system`, `region`, `datacenters`, `stage` or `drop`, and ends at a newline \
       or `;`. Clauses follow the kind and its optional name, in any order."),
    e("E0002", "unknown word",
      "A word that is not a keyword stands where only keywords fit, for example a misspelled clause \
       (`web x3 stateles`). Keywords are lowercase. The diagnostic names the nearest keyword when one \
       is close; `archc explain` on any other code lists what each clause means."),
    e("E0003", "clause given twice",
      "Each clause may appear at most once in a statement: `web x2 x3` or `cache ttl 1m ttl 5m` leave \
       archc guessing which one you meant. Keep one."),
    e("E0004", "number out of range",
      "A number is larger than archc can represent for that clause: counts, replicas and shards must \
       fit in 32 bits and be at most 100000, ports must be between 1 and 65535, durations at most 365 \
       days, sizes at most 64 TB."),
    e("E0005", "invalid path",
      "CDN and health paths are absolute URL paths such as `/static` or `/img/thumbs`. A `..` segment \
       or an empty segment (`//`) would let a path escape its prefix in the generated nginx and \
       CloudFront rules, so archc rejects it."),
    e("E0006", "unbalanced braces",
      "A `stage NAME {` block must be closed by `}`, and a `}` must close a block. The diagnostic \
       points at the block that was never closed, or at the stray `}`."),
    e("E0007", "file is not valid UTF-8",
      "Design files are UTF-8 text. The diagnostic points at the first byte that is not; the file may \
       be binary or saved in another encoding."),
    e("E0008", "conflicting clauses",
      "Two clauses of one statement contradict each other: a fixed count `xN` and `autoscale MIN..MAX` \
       both set how many instances run; `stateless` and `stateful` both say where sessions live. Keep \
       the one you mean."),
    e("E0009", "statement not allowed here",
      "`drop` only makes sense inside a stage, where there is something inherited to remove. `system` \
       and `region` describe the whole file and go before the first stage. A stage cannot contain \
       another stage."),
    e("E0010", "invalid name",
      "Names become DNS labels, Kubernetes object names and Terraform identifiers once `-` becomes `_`. \
       They start with a lowercase letter, contain lowercase letters, digits and `-`, do not end with \
       `-`, and are at most 40 characters so that generated names (`db-shard-12-replica-3`) stay \
       within every provider's limits."),
    e("E0011", "CDN without paths",
      "A CDN serves some URL paths from edge caches: `cdn for /static, /img ttl 1d`. Without `for \
       PATH` archc cannot tell which requests go to it."),
    e("E0012", "invalid image",
      "`image \"REFERENCE\"` names the container image a web tier or worker runs, as Docker and \
       Kubernetes write it: `nginx:1.27`, `ghcr.io/acme/shop:2.3`. An empty (or blank) string is \
       no image: Docker Compose rejects the service (\"neither an image nor a build context\") and \
       Kubernetes the pod. Write the reference, or remove the \
       clause to run archc's default image for the component."),
    e("E0101", "declared twice",
      "Within one stage (or a file without stages) a kind and name may be declared once. To change a \
       component in a later stage, declare it again inside that stage: the new statement replaces the \
       inherited one whole. The diagnostic points at both declarations."),
    e("E0102", "stage declared twice",
      "Stage names identify what `archc build --stage` builds and what `archc diff` compares, so each \
       must be unique in a file."),
    e("E0103", "nothing to drop",
      "`drop KIND [NAME]` removes a component the stage inherited from the stage before. Nothing of \
       that kind and name exists at that point: check the name, or whether an earlier stage already \
       dropped it."),
    e("E0104", "unknown load balancer",
      "`behind lb NAME` names a load balancer that the stage does not declare. Plain `behind lb` \
       refers to the load balancer named `lb` and creates it with defaults (nginx, round-robin) when \
       the file does not declare it; a named one must be declared with `lb NAME`."),
    e("E0105", "unknown queue",
      "`worker … consumes QUEUE` names a queue that the stage does not declare. Declare it with \
       `queue NAME` in this stage or an earlier one."),
    e("E0106", "unknown session store",
      "`sessions in cache|db|nosql [NAME]` names the shared store where a stateless web tier keeps \
       its sessions, and that component does not exist in the stage. Declare it (for example `cache \
       redis x2 ttl 30m evict lru`), or name the one you have."),
    e("E0107", "worker without a queue",
      "A worker exists to consume a queue: `worker thumbnails x2 consumes jobs`. Say which queue it \
       reads with `consumes QUEUE`."),
    e("E0108", "generated names collide",
      "Every target turns components into names in one namespace: host names on the private \
       network, Compose services, Kubernetes objects. `web store` and `cache store x2` both make \
       `store-1`; `web db` and a database `db` both make `db`. Rename one of the two components."),
    e("E0201", "several web instances without a load balancer",
      "Users reach a web tier through one address. With more than one instance (`xN` or `autoscale`) \
       something must spread requests over them: add `behind lb` to the web tier. A load balancer also \
       takes a failed instance out of rotation, which is the point of having several."),
    e("E0202", "colocated needs a single web host",
      "`colocated` runs a database or cache on the web host itself: the single-server stage. It is \
       only valid while the design has exactly one web instance and no load balancer; once web scales \
       out, there is no single host to share. Move the component to its own servers by dropping \
       `colocated`."),
    e("E0203", "empty range",
      "In `autoscale MIN..MAX` the minimum must be at least 1 and not larger than the maximum; \
       `autoscale 5..2` or `0..0` leaves no valid instance count."),
    e("E0204", "zero count",
      "A count of zero (`web x0`, `cache x0`, `sharded by user_id x0`) declares a component with \
       nothing running. `with 0 replicas` is allowed and means no replicas. To remove a component \
       in a stage, use `drop KIND NAME`."),
    e("E0205", "sharded database without a key",
      "`sharded by KEY xN` splits rows across shards by the value of KEY (for example `user_id`). \
       Without a key there is no rule for which shard holds a row, and queries cannot be routed."),
    e("E0206", "sharded database without a shard count",
      "`sharded by KEY xN` needs the number of shards, `xN`, with N at least 2. Choose it from the data \
       size and write rate you expect; resharding later is costly."),
    e("E0207", "percentage out of range",
      "`autoscale MIN..MAX at cpu N%` scales out when average CPU passes N percent; N must be between \
       1 and 100."),
    e("E0208", "colocated without a web host",
      "`colocated` puts a component on the web host, but the stage has no web tier to host it. Declare \
       `web x1`, or remove `colocated`."),
    e("E0209", "invalid variable name",
      "`env NAME=\"value\"` and `secret NAME` name environment variables of a web tier or worker. \
       A name is capital letters, digits and `_`, not starting with a digit (`LOG_LEVEL`, \
       `STRIPE_KEY`): every shell, Docker env file, Compose file and Kubernetes pod reads such a \
       name alike, a Kubernetes Secret key and an SSM parameter name can hold it, and archc's own \
       variables (docs/app-env.md) are written so too. The diagnostic suggests the name in that \
       form."),
    e("E0210", "secret written as a literal",
      "An `env` value is written into every generated file: compose.yaml, the Kubernetes \
       manifests, the Terraform user data (and so the Terraform state). A secret does not belong \
       there. archc treats a variable as a secret when a word of its name says so (`PASSWORD`, \
       `PASS`, `SECRET`, `TOKEN`, `CREDENTIALS`, `APIKEY`, or a final `KEY` that is not a data key \
       such as `SHARD_KEY`; a name with `PUBLIC` or `PUBLISHABLE` is meant to be seen), or when \
       its value looks like a credential (a known key format, a URL with a password, a private \
       key, a long random token). Declare it with `secret NAME` instead: Compose reads it from the \
       deploying shell or `.env`, Kubernetes from a Secret you create, AWS from an SSM \
       SecureString parameter the hosts read at boot. If the value is not secret, rename the \
       variable."),
    e("E0211", "variable or label given twice or taken by archc",
      "A web tier's or worker's variables are archc's own (docs/app-env.md: the addresses of the \
       data services, `PORT`, `WORKER_QUEUE`, the passwords archc manages, and `LOGS_HOST`, \
       `LOGS_PORT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` on the targets that set them), \
       then the design's `env` and `secret` ones. A name may be given once: twice in one \
       statement, in both `env` and `secret`, or equal to one of archc's would leave a target \
       picking one. Labels alike: a key once per statement, and none of archc's own \
       (`app.kubernetes.io/name`, `component`, `part-of`, `managed-by`, `archc.dev/*`, and the \
       AWS tags `system`, `stage`, `managed-by`, `Name`), which its selectors, policies and \
       listings rely on."),
    e("E0212", "invalid label",
      "A `label KEY=VALUE` becomes a Kubernetes label, a Compose label and an AWS tag, so it must \
       be valid on all three. The key is a name of up to 63 letters, digits, `-`, `_` and `.`, \
       starting and ending with a letter or digit, with an optional prefix that is a lowercase DNS \
       name and `/` (`example.com/team`), at most 128 characters in all (AWS). The value is empty \
       or such a name. Prefixes the platforms keep for themselves are refused: `aws:` (AWS), \
       `kubernetes.io/` and `k8s.io/` (Kubernetes; `app.kubernetes.io/` keys other than archc's \
       own are fine), `com.docker.`, `io.docker.`, `org.dockerproject.` (Docker)."),
    e("E0213", "control character in a value",
      "An `env` value is written into an env file, a Compose file, Kubernetes manifests and a \
       shell script, each of which carries one line a variable. A tab or another control \
       character would be read differently by each, so archc refuses it. Write the value on one \
       line of printable characters; a value that needs more (a certificate, a key) is a secret: \
       use `secret NAME`. An `image` reference is refused for the same reason: a NUL, an \
       escape or a Unicode line separator (U+2028) would reach the Terraform, YAML and shell of \
       every target as it is."),
    e("E0214", "not an AWS region",
      "`region NAME` and every region of `datacenters A, B …` become AWS regions in the generated \
       Terraform (the provider's region, the Route 53 geolocation record of each data center), so \
       each must be one: a name AWS does not know would pass every check and fail only at \
       `terraform apply`. The diagnostic names the nearest region when one is close. The \
       commercial regions are af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, \
       ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1 to ap-southeast-7, ca-central-1, \
       ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, \
       eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, mx-central-1, sa-east-1, \
       us-east-1, us-east-2, us-west-1 and us-west-2. GovCloud (`us-gov-*`) and China (`cn-*`) \
       are other AWS partitions, with other ARNs than the generated files write, so archc does \
       not accept them."),
    e("E0215", "accepted warning without a reason",
      "`accept CODE \"REASON\"` takes a warning on purpose, and the reason is the point: it is \
       what a reader of the design, and of `archc check` (which shows every accepted warning with \
       its reason), learns about why the risk is taken. An empty or blank string is no reason. \
       Write one, e.g. `accept W0302 \"one server on purpose while we learn\"`."),
    e("E0216", "data center listed twice",
      "`datacenters A, B …` lists the AWS regions the system runs in, one data center each. A \
       region listed twice would be deployed twice into the same place, with the same resource \
       names, and counted twice by the routing. The diagnostic points at the repeat and at the \
       first listing: remove the repeat, or name the other region you meant."),
    e("E0220", "traffic without a user count",
      "`traffic` describes the load a stage must carry, and everything in it is counted from the \
       daily active users: `traffic 50k users` (with `k` and `m` suffixes). The other clauses \
       (`N requests per user`, `peak Nx`, `reads N%`, `SIZE per response`) have documented \
       defaults; the user count has none. Start the statement with it, e.g. \
       `traffic 50k users, peak 3x`."),
    e("E0221", "load number zero or negative",
      "A number of the load part of a design (`traffic`, `capacity`, `hits`) is zero or negative. \
       Users, requests per user, the peak factor, the response size and a capacity must be more \
       than zero: a tier that sustains `capacity 0 rps` carries nobody, and `peak 0x` would be no \
       traffic at all. Shares (`reads N%`, `hits N%`) may be 0% but not negative. To say a stage \
       has no load, leave the clause (or the `traffic` statement) out."),
    e("E0222", "share over 100%",
      "`reads N%` is the share of requests that only read and `hits N%` the share of reads a cache \
       answers: each is a part of a whole, from 0% to 100%. `reads 140%` would make more reads \
       than requests. Write a percentage of at most 100, e.g. `reads 90%` or `hits 85%`."),
    e("E0223", "`hits` on a component that is not a cache",
      "`hits N%` is the share of reads a cache answers without asking the database behind it, so \
       it is a clause of `cache` only. On a web tier, a database or any other component it means \
       nothing to the estimate. Move it to the `cache` statement (`cache redis x2 ttl 10m hits \
       85%`), or remove it."),
    e("E0224", "capacity in a unit that does not fit the component",
      "`capacity N UNIT` says what one instance of a component sustains, in the unit of its work: \
       requests per second (`rps`) for `web` and `lb`, queries per second (`qps`) for `db`, \
       `cache` and `nosql`, jobs per second (`jobs/s`) for `worker`. `capacity 20 jobs/s` on a \
       web tier mixes them up. A `queue` or a `cdn` has no capacity of its own in the estimate: \
       give the workers' capacity instead (docs/estimate.md)."),
    w("W0301", "stateful web tier behind a load balancer without sticky routing",
      "A stateful web tier keeps each user's session in the memory of one server. Behind a load \
       balancer that spreads requests, the next request lands on another server and the user seems \
       logged out. Either route each user to the same server (`lb … ip-hash`, or `lb … sticky`), or \
       better, make the tier stateless and keep sessions in a shared store: `web stateless … sessions \
       in cache`."),
    w("W0302", "database is a single point of failure",
      "A database with one instance goes down with its server, and the site with it. Add read \
       replicas (`with 2 replicas`): reads spread over them, and a replica is promoted when the \
       primary fails."),
    w("W0303", "cache is a single point of failure",
      "A cache with one instance loses everything it holds when that server fails, and every request \
       falls on the database at once. Run several (`x2`) so the cache survives one loss."),
    w("W0304", "cache without a TTL",
      "Without an expiry policy, cached data is never refreshed from the database and users see stale \
       data. Give the cache a TTL (`ttl 10m`) that fits how stale the data may be."),
    w("W0305", "cache without an eviction policy",
      "When a full cache has no eviction policy, writes fail instead of making room. Choose `evict lru` \
       (drop the least recently used key) or `evict lfu` (least frequently used); `evict none` says on \
       purpose that writes should fail."),
    w("W0306", "CDN path without a TTL",
      "A CDN path without a TTL leaves expiry to the origin's headers, or to archc's default (an hour, \
       on nginx and CloudFront alike), which may not fit how often the files change. Set `ttl 1d`, \
       and `versioned` if the URLs carry a version."),
    w("W0307", "data not copied to every data center",
      "With several data centers, the primary region holds each database's primary and its \
       replicas, and every other region holds as many cross-region read replicas of it: each \
       data center then has the data, serves reads from it, and keeps it when the primary region \
       is lost (an operator promotes the replica there: docs/failover.md). A database without \
       replicas has only its primary, in the primary region, and a MongoDB `nosql` (DocumentDB) \
       is one cluster there: the other regions read and write them across the VPC peering, and \
       while the primary region is down no data center has them. Add `with 1 replica` to the \
       database's statement (the warning names its line; for a statement an earlier stage wrote, \
       redeclare it in the stage with the data centers to change that stage only), or use \
       `dynamodb`, a global table with a replica in every region. `archc analyze` shows what \
       this costs in availability."),
    w("W0308", "name looks like a misspelled keyword",
      "The word after a component's kind is its name unless it is one of that kind's clause words. \
       `web stateles x3` declares a web tier named `stateles`, which is probably a typo for \
       `stateless`. If the name is intended, ignore this warning or choose another name."),
    w("W0309", "a replacement loses a setting written earlier",
      "A component statement in a later stage replaces the inherited one whole: clauses it does \
       not repeat are not carried over, they go back to their defaults. `db postgres storage \
       100gb`, then `db postgres with 2 replicas` in a later stage, gives a database of 20 GB. The \
       warning names each setting the replacement loses and points at where it was written; repeat \
       the clause to keep it (`db postgres with 2 replicas storage 100gb`). A setting whose earlier \
       value was the default anyway is not reported, nor are `colocated`, `sticky` and `versioned`, \
       which a later stage turns off by leaving them out."),
    w("W0310", "storage below the AWS minimum",
      "RDS allocates at least 20 GB of gp3 storage, so `storage 10gb` gets 20 GB on AWS (the \
       Terraform file says so next to `allocated_storage`), while Compose and Kubernetes volumes \
       keep the size written. Write `storage 20gb` or more so every target agrees, or accept the \
       difference (`accept W0310 \"…\"`) when the small size is meant for local runs only. A \
       colocated database runs on the web host and is not affected."),
    w("W0311", "accept names no warning",
      "`accept CODE \"REASON\"` takes a warning on purpose, so CODE must be a warning's code \
       (`W0304`, as `archc check` prints it in brackets). An unknown code accepts nothing and an \
       error cannot be accepted: an error means the design cannot be built as written, so fix it \
       instead. W0311 and W0312, which are about accepts, cannot be accepted either."),
    w("W0312", "accept that accepts nothing",
      "An `accept CODE \"REASON\"` whose warning is not found where the accept applies: in the \
       file (at top level), in its stage (inside a stage block), or pointing into its statement \
       (after a component statement). Usually the risk it explained is gone, because the design \
       changed; sometimes the warning moved to another statement or stage. Remove the accept, or \
       move it where the warning is now: a stale accept tells the next reader about a risk that \
       is not there."),
    w("W0320", "stage cannot carry its traffic at peak",
      "`archc estimate` spreads the stage's `traffic` over its tiers (the cache answers its share \
       of reads, writes go to database primaries, reads spread over replicas, a shard takes its \
       share) and compares each tier's peak load with its capacity (`capacity`, or the documented \
       default for its size and engine, docs/estimate.md). The warning points at the `traffic` \
       line and names the first tier that saturates and what the seed does next (more web \
       servers, replicas, a cache, shards). On an autoscaling web tier whose maximum cannot carry \
       the peak it points at `autoscale`. Add capacity, or lower the traffic the stage promises; \
       if the figures are wrong for your application, say what one instance takes with \
       `capacity N UNIT`."),
    e("E0401", "generated outputs disagree",
      "`archc check --parity` renders every target for every stage, reads each generated file back \
       (the Compose and Kubernetes YAML, the nginx, HAProxy and Terraform text) and compares what it \
       states (instance counts, ports, health paths, replica counts, TTLs, balancing method) with \
       the model. This error means one target says something else than the design: a bug in archc, \
       not in your design. The message names the target, the file and both values; please report \
       it with the design. Known, documented target limits (an ElastiCache group holds at most 6 \
       nodes; an ALB cannot hash client addresses and pins with a cookie instead) are not reported. \
       With template overrides (`--templates DIR`), a disagreement may be your template's: the \
       message names the file; compare it with `archc templates export`."),
    e("E0501", "unknown template path",
      "Every file in a template override folder (`--templates DIR`, or the `templates/` folder beside \
       the design) replaces the built-in template of the same path, such as `k8s/workload.yaml.tera`. \
       A file whose path is no built-in template's would be silently ignored, so archc stops instead. \
       `archc templates list` shows every path; `archc templates export DIR --target T` writes the \
       built-in ones to start from. Hidden files (`.name`) are skipped."),
    e("E0502", "template does not parse",
      "A template in the override folder is not valid tera syntax (or cannot be read as UTF-8 text). \
       The diagnostic points at the place tera stopped and says what it expected. Nothing was \
       written. Tera's syntax is Jinja2's: `{{ value | filter }}`, `{% for x in list %}…{% endfor %}`, \
       `{% if %}…{% endif %}`; archc adds the filters `hcl`, `json`, `yaml` and `tf_name`, which \
       quote a value for the target's syntax."),
    e("E0503", "template does not render",
      "A template in the override folder parsed but failed while rendering, most often because it \
       names a variable its context does not have (a typo, or a variable of another template) or \
       passes a value to a filter that cannot take it. The diagnostic points at the variable and \
       lists what the template receives; docs/templates.md describes every template's variables. \
       Nothing was written."),
    e("E0504", "overridden template renders unreadable output",
      "`archc check --parity` with template overrides reads every generated Compose and Kubernetes \
       file back as YAML. This one is not YAML, so the tools would reject it: one of your templates \
       renders a broken line (an unquoted value with `: `, a wrong indentation). The message names \
       the file and the line and column of the error in it. Values should go through the `yaml` or `json` \
       filter, which quote what YAML would misread."),
];
