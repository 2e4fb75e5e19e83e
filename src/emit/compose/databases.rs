//! Databases: every shard's primary and its read replicas (postgres, mysql).

use super::env_example::secret_ref;
use super::passes::Builder;
use super::service::{
    compose_escape, labels, limits, plural, ConfigMount, Dependency, Healthcheck, Service, BACKEND,
};
use crate::model::runtime::EnvValue;
use crate::model::{Db, DbEngine};

impl Builder<'_> {
    pub(super) fn dbs(&mut self) {
        let m = self.m;
        for db in &m.dbs {
            for shard in &db.shards {
                // MySQL server ids: unique within one shard's replication group.
                let mut server_id = 0u32;
                let mut comments = Vec::new();
                if shard.index == 1 {
                    comments.push(format!(
                        "Database `{}` ({}): {}; storage {} GB (compose volumes have no size limit).",
                        db.name,
                        match db.engine {
                            DbEngine::Postgres => "postgres",
                            DbEngine::Mysql => "mysql",
                        },
                        db_shape(db),
                        db.storage_gb
                    ));
                    if db.colocated {
                        comments.push(
                            "colocated: on a single host it shares the web server; in compose it is still its own container on the same host."
                                .into(),
                        );
                    }
                }
                server_id += 1;
                let primary = self.db_primary(db, &shard.primary, comments, server_id);
                self.service(primary);
                self.data_services.push(shard.primary.clone());
                for r in &shard.replicas {
                    server_id += 1;
                    let replica = self.db_replica(db, &shard.primary, r, server_id);
                    self.service(replica);
                }
            }
        }
    }

    /// A shard's primary (mysql: its source), which its replicas clone and
    /// follow when the design has any.
    fn db_primary(
        &mut self,
        db: &Db,
        name: &str,
        mut comments: Vec<String>,
        server_id: u32,
    ) -> Service {
        let secret = secret_ref(shard_password(db, name));
        let vol = self.volume(name);
        let mut s = db_service(db, name);
        match db.engine {
            DbEngine::Postgres => self.postgres_primary(db, &mut s, &mut comments, secret, &vol),
            DbEngine::Mysql => {
                self.mysql_primary(db, &mut s, &mut comments, secret, &vol, server_id)
            }
        }
        s.comments = comments;
        s
    }

    fn postgres_primary(
        &mut self,
        db: &Db,
        s: &mut Service,
        comments: &mut Vec<String>,
        secret: String,
        vol: &str,
    ) {
        server(db, s, vol);
        server_env(db, s, &secret);
        if db.replicas > 0 {
            comments.push(format!(
                "Primary: streams WAL to its replicas (wal_level=replica); `{}` may replicate.",
                db.user
            ));
            s.command = [
                "postgres",
                "-c",
                "wal_level=replica",
                "-c",
                "max_wal_senders=10",
                "-c",
                "hot_standby=on",
            ]
            .map(String::from)
            .to_vec();
            self.config(
                "postgres-primary-init",
                "Run once by the postgres image when a primary's data directory is created.",
                POSTGRES_PRIMARY_INIT,
            );
            s.configs.push(ConfigMount {
                source: "postgres-primary-init",
                target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
            });
        }
    }

    fn mysql_primary(
        &mut self,
        db: &Db,
        s: &mut Service,
        comments: &mut Vec<String>,
        secret: String,
        vol: &str,
        server_id: u32,
    ) {
        server(db, s, vol);
        // The root password is random (printed once in the log): the
        // application only ever uses `user`.
        server_env(db, s, &secret);
        if db.replicas > 0 {
            comments.push(format!(
                "Source: binary log with GTIDs; `{}` may replicate.",
                db.user
            ));
            s.command = mysql_gtid_args(server_id);
            self.config(
                "mysql-primary-init",
                "Run once by the mysql image when a source's data directory is created.",
                MYSQL_PRIMARY_INIT,
            );
            s.configs.push(ConfigMount {
                source: "mysql-primary-init",
                target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
            });
        }
    }

    /// A read replica of `primary`: cloned from it on the first start, then
    /// following it.
    fn db_replica(&mut self, db: &Db, primary: &str, name: &str, server_id: u32) -> Service {
        let secret = secret_ref(shard_password(db, primary));
        let vol = self.volume(name);
        let mut s = Service {
            depends_on: vec![Dependency {
                service: primary.into(),
                condition: "service_healthy",
            }],
            ..db_service(db, name)
        };
        match db.engine {
            DbEngine::Postgres => {
                s.comments = vec![format!(
                    "Read replica of `{primary}`: the first start clones it with pg_basebackup, then runs as a hot standby."
                )];
                server(db, &mut s, &vol);
                s.environment.insert("PGPASSWORD".into(), secret);
                s.script = postgres_replica_script(primary, db.port, &db.user);
            }
            DbEngine::Mysql => self.mysql_replica(db, &mut s, primary, secret, &vol, server_id),
        }
        s
    }

    fn mysql_replica(
        &mut self,
        db: &Db,
        s: &mut Service,
        primary: &str,
        secret: String,
        vol: &str,
        server_id: u32,
    ) {
        s.comments = vec![format!(
            "Read replica of `{primary}` (GTID auto-positioning); user and data arrive by replication."
        )];
        server(db, s, vol);
        s.environment
            .insert("MYSQL_RANDOM_ROOT_PASSWORD".into(), "yes".into());
        s.environment.insert("SOURCE_HOST".into(), primary.into());
        s.environment
            .insert("SOURCE_PORT".into(), db.port.to_string());
        s.environment.insert("SOURCE_USER".into(), db.user.clone());
        s.environment.insert("SOURCE_PASSWORD".into(), secret);
        let mut args = mysql_gtid_args(server_id);
        args.push("--read-only=ON".into());
        s.command = args;
        self.config(
            "mysql-replica-init",
            "Run once by the mysql image when a replica's data directory is created.",
            MYSQL_REPLICA_INIT,
        );
        s.configs.push(ConfigMount {
            source: "mysql-replica-init",
            target: "/docker-entrypoint-initdb.d/10-replication.sh".into(),
        });
    }
}

/// What every database server shares, primary or replica: its name, port,
/// private network and the design's resources.
fn db_service(db: &Db, name: &str) -> Service {
    Service {
        name: name.into(),
        hostname: Some(name.into()),
        restart: true,
        expose: vec![db.port.to_string()],
        labels: labels(&db.labels),
        networks: vec![BACKEND],
        limits: limits(&db.resources, db.resources.memory_mb),
        ..Service::default()
    }
}

/// The password variable of the shard whose primary is `primary`.
fn shard_password<'a>(db: &'a Db, primary: &str) -> &'a str {
    db.shards
        .iter()
        .find(|s| s.primary == primary)
        .map_or(db.password_env.as_str(), |s| s.password_env.as_str())
}

/// "a primary with 2 replicas", "4 shards by user_id, each a primary with 2 replicas".
fn db_shape(db: &Db) -> String {
    let one = match db.replicas {
        0 => "a primary, no replicas".to_string(),
        n => format!("a primary with {}", plural(n as usize, "replica")),
    };
    if db.shard_count > 1 || db.shard_key.is_some() {
        format!(
            "{}{}, each {one}",
            plural(db.shard_count as usize, "shard"),
            db.shard_key
                .as_ref()
                .map_or(String::new(), |k| format!(" by {k}"))
        )
    } else {
        one
    }
}

/// The image's first-start environment (user, database, password) from the
/// runtime plan, the password as the `.env` reference `secret`.
fn server_env(db: &Db, s: &mut Service, secret: &str) {
    for (name, value) in db.server_env() {
        let value = match value {
            EnvValue::Text(t) => t,
            EnvValue::Password => secret.to_string(),
        };
        s.environment.insert(name.into(), value);
    }
}

/// What every server of the database runs, primary or replica, from the
/// engine's runtime plan: its image, data volume and readiness check (over
/// TCP, so not during the image's first-start initialisation).
fn server(db: &Db, s: &mut Service, vol: &str) {
    let plan = db.engine.runtime();
    s.image = plan.image.into();
    s.volumes.push(format!("{vol}:{}", plan.data_dir));
    let test = std::iter::once("CMD".to_string()).chain(db.ready_command());
    s.healthcheck = Some(Healthcheck::new(test.collect(), "60s"));
}

fn mysql_gtid_args(server_id: u32) -> Vec<String> {
    vec![
        format!("--server-id={server_id}"),
        "--gtid-mode=ON".into(),
        "--enforce-gtid-consistency=ON".into(),
        "--log-bin=mysql-bin".into(),
    ]
}

/// Clones the primary on the first start (`-R` writes `standby.signal` and the
/// connection to the primary), then hands over to the image's entrypoint,
/// which finds an existing data directory and starts a hot standby.
fn postgres_replica_script(primary: &str, port: u16, user: &str) -> Vec<String> {
    [
        "set -e".to_string(),
        "if [ ! -s \"$PGDATA/PG_VERSION\" ]; then".into(),
        format!(
            "  until pg_basebackup -h {primary} -p {port} -U {user} -D \"$PGDATA\" -R -X stream -c fast; do"
        ),
        format!("    echo \"waiting for {primary}\"; rm -rf \"$PGDATA\"/*; sleep 2"),
        "  done".into(),
        "fi".into(),
        "exec docker-entrypoint.sh postgres -c hot_standby=on".into(),
    ]
    .map(|l| compose_escape(&l))
    .to_vec()
}

const POSTGRES_PRIMARY_INIT: &str = r#"# Let replicas clone and stream from this primary (pg_basebackup, as the app user).
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
"#;

const MYSQL_PRIMARY_INIT: &str = r#"# Let the app user read the binary log (replicas connect as it).
docker_process_sql --database=mysql <<EOSQL
GRANT REPLICATION SLAVE ON *.* TO '$MYSQL_USER'@'%';
EOSQL
"#;

const MYSQL_REPLICA_INIT: &str = r#"# Replicate from SOURCE_HOST with GTID auto-positioning (the password must not contain ').
docker_process_sql <<EOSQL
CHANGE REPLICATION SOURCE TO SOURCE_HOST='$SOURCE_HOST', SOURCE_PORT=$SOURCE_PORT, SOURCE_USER='$SOURCE_USER', SOURCE_PASSWORD='$SOURCE_PASSWORD', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;
START REPLICA;
EOSQL
"#;
