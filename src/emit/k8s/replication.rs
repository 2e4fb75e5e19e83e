//! The replication scripts and the notes that explain them: postgres and
//! mysql shards (primary and read replicas in one StatefulSet) and MongoDB
//! replica sets. The pods mount them from a ConfigMap.

use super::objects::Map;
use crate::model::{Db, DbEngine, Nosql};

// ---------------------------------------------------------------------------
// Database replication
// ---------------------------------------------------------------------------
//
// A shard is one StatefulSet: pod -0 is the primary, pods -1.. its read
// replicas. Every pod runs the same template (a StatefulSet has only one),
// so the scripts decide by the pod's ordinal, the end of its host name.

/// Where the pods mount the ConfigMap of scripts.
pub(super) const REPLICATION_DIR: &str = "/replication";
/// The images run the scripts of this directory once, when they create the
/// data directory: on the primary only (replicas are cloned, or get
/// everything by replication).
pub(super) const INITDB_SCRIPT: &str = "/docker-entrypoint-initdb.d/10-replication.sh";
pub(super) const INITDB_KEY: &str = "10-replication.sh";
/// postgres: the init container's script.
pub(super) const CLONE_KEY: &str = "clone.sh";
/// mysql: the server container's command.
pub(super) const START_KEY: &str = "start.sh";

/// The ConfigMap of one component's replication scripts: a database's
/// (shared by its shards) or a MongoDB store's.
pub(super) fn replication_config_name(component: &str) -> String {
    format!("{component}-replication")
}

/// The scripts, by ConfigMap key. The shard-specific values come from the
/// pod's environment: `PRIMARY_HOST` (`<shard>-0.<shard>`) and the password.
pub(super) fn replication_scripts(db: &Db) -> Map {
    let mut m = Map::new();
    match db.engine {
        DbEngine::Postgres => {
            m.insert(CLONE_KEY.into(), postgres_clone_script(db.port, &db.user));
            m.insert(INITDB_KEY.into(), POSTGRES_PRIMARY_INIT.into());
        }
        DbEngine::Mysql => {
            m.insert(START_KEY.into(), MYSQL_START.into());
            m.insert(INITDB_KEY.into(), mysql_init_script(db.port));
        }
    }
    m
}

/// What the StatefulSet comment says about replication.
pub(super) fn replication_notes(db: &Db, scripts: &str) -> Vec<String> {
    let mut notes = match db.engine {
        DbEngine::Postgres => vec![
            format!("Replication (ConfigMap {scripts}): on its first start, every pod but -0 clones pod -0"),
            "(init container \"clone\", pg_basebackup -R), then runs as a hot standby streaming from it.".into(),
        ],
        DbEngine::Mysql => vec![
            format!("Replication (ConfigMap {scripts}): every pod writes a binary log with GTIDs (server-id: ordinal + 1);"),
            "on its first start, every pod but -0 replicates pod -0 from the start of its binary log, read-only.".into(),
            "A replica added after pod -0 purged old logs (binlog_expire_logs_seconds, 30 days) cannot".into(),
            "catch up: seed it from a backup of pod -0.".into(),
        ],
    };
    notes.push(
        "The pod template does not depend on the number of replicas: adding some later only scales"
            .into(),
    );
    notes.push("this StatefulSet up, and pod -0 keeps running.".into());
    notes
}

/// The `clone` init container: a pod other than -0 whose data directory is
/// empty clones the primary. `-R` writes `standby.signal` and the connection
/// to the primary, so the image's entrypoint, finding a data directory,
/// starts a hot standby. Runs as root: the files are then given to postgres.
pub(super) fn postgres_clone_script(port: u16, user: &str) -> String {
    format!(
        r#"# Pod -0 is the primary; another pod clones it once, while its data directory is empty.
set -e
if [ "${{HOSTNAME##*-}}" = 0 ] || [ -s "$PGDATA/PG_VERSION" ]; then exit 0; fi
until pg_basebackup -h "$PRIMARY_HOST" -p {port} -U {user} -D "$PGDATA" -R -X stream -c fast; do
  echo "waiting for $PRIMARY_HOST"; rm -rf "$PGDATA"/*; sleep 2
done
chown -R postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
"#
    )
}

pub(super) const POSTGRES_PRIMARY_INIT: &str = r#"# Let the other pods clone and stream from this primary (pg_basebackup, as the app user).
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
"#;

/// The mysql container's command: server options by ordinal, then the
/// image's entrypoint. A replica creates no user or database of its own:
/// both arrive by replication (creating them twice would stop it).
pub(super) const MYSQL_START: &str = r#"# Pod -0 is the source; the other pods are read-only replicas of it.
ordinal="${HOSTNAME##*-}"
set -- mysqld --server-id=$((ordinal + 1)) --gtid-mode=ON --enforce-gtid-consistency=ON --log-bin=mysql-bin
if [ "$ordinal" != 0 ]; then
  export SOURCE_USER="$MYSQL_USER" SOURCE_PASSWORD="$MYSQL_PASSWORD"
  unset MYSQL_USER MYSQL_PASSWORD MYSQL_DATABASE
  set -- "$@" --read-only=ON
fi
exec docker-entrypoint.sh "$@"
"#;

/// Run once by the mysql image (sourced, in bash) when it creates a pod's
/// data directory.
pub(super) fn mysql_init_script(port: u16) -> String {
    format!(
        r#"if [ "${{HOSTNAME##*-}}" = 0 ]; then
  # The source: the app user may read the binary log (replicas connect as it).
  docker_process_sql --database=mysql <<<"GRANT REPLICATION SLAVE ON *.* TO '$MYSQL_USER'@'%';"
else
  # A replica: GTID auto-positioning from pod -0 (the password must not contain ').
  docker_process_sql <<<"CHANGE REPLICATION SOURCE TO SOURCE_HOST='$PRIMARY_HOST', SOURCE_PORT={port}, SOURCE_USER='$SOURCE_USER', SOURCE_PASSWORD='$SOURCE_PASSWORD', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1; START REPLICA;"
fi
"#
    )
}

// ---------------------------------------------------------------------------
// MongoDB replica set
// ---------------------------------------------------------------------------
//
// A MongoDB store is one StatefulSet whose pods are the members of one
// replica set named after the store (what the application is told:
// `P_REPLICA_SET`, `P_HOSTS` = `<name>-N.<name>`). Pod -0 starts the set
// with itself; every other pod adds itself. So each pod waits only for the
// pods before it (the StatefulSet's OrderedReady start) and the template
// names no member count.

/// The user the image creates on pod -0 (the others receive it by replication).
pub(super) const MONGO_USER: &str = "app";
/// The readiness probe's script, which also joins the pod to the set.
pub(super) const READY_KEY: &str = "ready.sh";

/// The scripts, by ConfigMap key: `start.sh`, the container's command, and
/// `ready.sh`, its readiness probe.
pub(super) fn mongo_scripts(n: &Nosql) -> Map {
    let mut m = Map::new();
    m.insert(START_KEY.into(), mongo_start_script(&n.name, n.port));
    m.insert(READY_KEY.into(), mongo_ready_script(&n.name, n.port));
    m
}

/// What the StatefulSet comment says about the replica set.
pub(super) fn mongo_notes(n: &Nosql, scripts: &str) -> Vec<String> {
    let name = &n.name;
    vec![
        format!("(ConfigMap {scripts}): every pod runs mongod --replSet {name}, the members authenticating"),
        "each other with a key file derived from the password. Pod -0 creates user app and initiates".into(),
        "the set with itself; every other pod adds itself through the primary and receives everything".into(),
        "by initial sync (ready.sh, the readiness probe, does both once). A pod is ready as the primary".into(),
        "or a secondary. The pod template does not depend on the number of instances: adding some later".into(),
        "only scales this StatefulSet up, and pod -0 keeps running. Scaling down removes no member, and".into(),
        format!("members keep their votes: first rs.remove(\"{name}-N.{name}:{}\") each pod that goes.", n.port),
    ]
}

/// The mongodb container's command. The key file is derived from the
/// password so that no second secret is needed; only pod -0 creates the
/// user (the others receive it by replication: the image strips
/// `--replSet` and `--keyFile` while it creates one, so a pod with a user
/// of its own would start as a separate server first).
pub(super) fn mongo_start_script(set: &str, port: u16) -> String {
    format!(
        r#"# Every pod is a member of replica set {set}; members authenticate each other with the key file.
set -e
printf '%s' "$MONGO_INITDB_ROOT_PASSWORD" | sha256sum | cut -d ' ' -f 1 > /data/keyfile
chmod 400 /data/keyfile
chown mongodb:mongodb /data/keyfile
if [ "${{HOSTNAME##*-}}" != 0 ]; then
  # Pod -0 creates user {MONGO_USER}; the others receive it by replication.
  unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD
fi
exec docker-entrypoint.sh mongod --replSet {set} --port {port} --bind_ip_all --keyFile /data/keyfile
"#
    )
}

/// The readiness probe: ready as the primary or a secondary. A pod that is
/// in no set yet joins it (the probe repeats until it has): pod -0
/// initiates the set with itself alone, unless pod -1 is in it already
/// (pod -0 lost its volume: the set's heartbeats then give it the
/// configuration back), and any other pod adds itself through the primary,
/// found from pod -0. `hello` needs no login, which a new pod could not do:
/// it has no user before its initial sync.
pub(super) fn mongo_ready_script(set: &str, port: u16) -> String {
    let svc = set;
    let login = format!(
        "-u {MONGO_USER} -p \"$MONGO_INITDB_ROOT_PASSWORD\" --authenticationDatabase admin"
    );
    format!(
        r#"# Ready as the primary or a secondary of replica set {set}; a pod in no set yet joins it.
me="$HOSTNAME.{svc}:{port}"
state=$(mongosh --quiet --port {port} --eval "const h = db.hello(); h.isWritablePrimary || h.secondary ? 'member' : h.setName ? 'joining' : 'none'") || exit 1
if [ "$state" = member ]; then exit 0; fi
if [ "$state" != none ]; then echo "$me: $state"; exit 1; fi
if [ "${{HOSTNAME##*-}}" = 0 ]; then
  set1=$(mongosh --quiet "mongodb://{svc}-1.{svc}:{port}/?directConnection=true&serverSelectionTimeoutMS=2000" --eval "db.hello().setName" 2>/dev/null)
  if [ "$set1" = {set} ]; then echo "$me: waiting for the set to take pod -0 back"; exit 1; fi
  mongosh --quiet --port {port} {login} --eval "rs.initiate({{_id: '{set}', members: [{{_id: 0, host: '$me'}}]}}).ok"
else
  mongosh --quiet "mongodb://{svc}-0.{svc}:{port}/?replicaSet={set}&serverSelectionTimeoutMS=5000" {login} --eval "rs.conf().members.some(m => m.host === '$me') || rs.add('$me').ok"
fi
# Ready at a later probe: as the primary, or as a secondary after the initial sync.
exit 1
"#
    )
}
