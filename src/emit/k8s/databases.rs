//! `10-db-<name>.yaml`: how a database is deployed. Each shard is one
//! StatefulSet (pod -0 the primary, the others its read replicas) with its
//! headless Service and PodDisruptionBudget; one ConfigMap holds the
//! replication scripts of every shard (see `replication.rs`).

use super::emitter::{plural, File, K8s, TIER_DATA};
use super::images;
use super::objects::*;
use super::replication::*;
use crate::emit::Result;
use crate::model::{Db, DbEngine};

impl K8s<'_> {
    pub(super) fn db_file(&self, db: &Db) -> Result<File> {
        let (img, port_name, data_path) = match db.engine {
            DbEngine::Postgres => (images::POSTGRES, "postgres", "/var/lib/postgresql/data"),
            DbEngine::Mysql => (images::MYSQL, "mysql", "/var/lib/mysql"),
        };
        let ready = match db.engine {
            DbEngine::Postgres => vec![
                "pg_isready".to_string(),
                "-U".into(),
                db.user.clone(),
                "-h".into(),
                "127.0.0.1".into(),
                "-p".into(),
                db.port.to_string(),
            ],
            DbEngine::Mysql => vec![
                "mysqladmin".to_string(),
                "ping".into(),
                "-h".into(),
                "127.0.0.1".into(),
            ],
        };
        let scripts = replication_config_name(&db.name);
        // One ConfigMap of replication scripts for every shard.
        let mut docs = vec![self.doc(
            "config-map",
            &ConfigMap {
                meta: Meta {
                    notes: vec![format!(
                        "Replication scripts of every pod of database \"{}\" (the StatefulSets below mount them).",
                        db.name
                    )],
                    ..self.meta(&scripts, "db")
                },
                data: replication_scripts(db),
                env: false,
            },
        )?];
        // A new volume holds lost+found: the server's data directory must be
        // a subdirectory.
        let data_mount = || Mount {
            name: "data",
            path: data_path,
            sub_path: Some(port_name),
            read_only: false,
        };
        let initdb_mount = Mount {
            name: "replication",
            path: INITDB_SCRIPT,
            sub_path: Some(INITDB_KEY),
            read_only: true,
        };
        let scripts_mount = || Mount {
            name: "replication",
            path: REPLICATION_DIR,
            sub_path: None,
            read_only: true,
        };
        for shard in &db.shards {
            let name = &shard.primary;
            let replicas = 1 + db.replicas;
            let primary_host = format!("{name}-0.{name}");
            // Each shard's pods read that shard's password.
            let mut env = Vec::new();
            let mut command = Vec::new();
            let mut mounts = vec![data_mount(), initdb_mount.clone()];
            let mut init_containers = Vec::new();
            match db.engine {
                DbEngine::Postgres => {
                    env.push(Env::value("POSTGRES_USER", &db.user));
                    env.push(Env::secret("POSTGRES_PASSWORD", &shard.password_env));
                    env.push(Env::value("POSTGRES_DB", &db.user));
                    init_containers.push(Container {
                        name: "clone".into(),
                        image: img.into(),
                        command: vec!["sh".into(), format!("{REPLICATION_DIR}/{CLONE_KEY}")],
                        args: Vec::new(),
                        ports: Vec::new(),
                        env_from: Vec::new(),
                        env: vec![
                            Env::value("PRIMARY_HOST", &primary_host),
                            Env::secret("PGPASSWORD", &shard.password_env),
                        ],
                        probes: Vec::new(),
                        cpu: db.resources.cpu.clone(),
                        memory: mib(db.resources.memory_mb),
                        mounts: vec![data_mount(), scripts_mount()],
                        restricted: false,
                    });
                }
                DbEngine::Mysql => {
                    env.push(Env::value("MYSQL_USER", &db.user));
                    env.push(Env::secret("MYSQL_PASSWORD", &shard.password_env));
                    env.push(Env::value("MYSQL_DATABASE", &db.user));
                    // The root account is not used by the application; a random
                    // password (printed once in the log) avoids a second secret.
                    env.push(Env::value("MYSQL_RANDOM_ROOT_PASSWORD", "yes"));
                    env.push(Env::value("PRIMARY_HOST", &primary_host));
                    // The server's options depend on the pod's ordinal.
                    command = vec!["sh".into(), format!("{REPLICATION_DIR}/{START_KEY}")];
                    mounts.push(scripts_mount());
                }
            }

            docs.push(self.headless_service(
                name,
                "db",
                Port {
                    name: port_name,
                    port: db.port,
                },
            )?);
            let mut meta = self.meta(name, "db");
            if db.shard_key.is_some() {
                meta.notes.push(format!(
                    "Shard {} of {} (sharded by {}).",
                    shard.index,
                    db.shard_count,
                    db.shard_key.as_deref().unwrap_or_default()
                ));
            }
            meta.notes.push(format!(
                "Pod {name}-0 ({primary_host}) is the primary \"{name}\": the application writes to that"
            ));
            meta.notes.push(format!(
                "address only (the bare Service name {name} resolves to every pod)."
            ));
            for (i, r) in shard.replicas.iter().enumerate() {
                meta.notes.push(format!(
                    "Pod {name}-{} ({name}-{}.{name}) is the read replica \"{r}\".",
                    i + 1,
                    i + 1
                ));
            }
            meta.notes.extend(replication_notes(db, &scripts));
            if db.colocated {
                meta.notes.push(
                    "\"colocated\" places the database on the web host; Kubernetes schedules it as its own pod.".into(),
                );
            }
            let res = &db.resources;
            docs.push(self.doc(
                "workload",
                &Workload {
                    kind: "StatefulSet",
                    meta,
                    replicas: Some(replicas),
                    service_name: Some(name.clone()),
                    selector: selector(name),
                    // Also with one pod: the template must not depend on the
                    // number of replicas (see replication_notes).
                    spread: true,
                    pod: Pod {
                        labels: self.pod_labels(name, "db", TIER_DATA),
                        annotations: Map::new(),
                        service_account: None,
                        non_root: false,
                        run_as_user: None,
                        fs_group: None,
                        init_containers,
                        containers: vec![Container {
                            name: port_name.into(),
                            image: img.into(),
                            command,
                            args: Vec::new(),
                            ports: vec![Port {
                                name: port_name,
                                port: db.port,
                            }],
                            env,
                            probes: vec![
                                Probe::exec(ready.clone(), 5, 10).ready(),
                                // First start initialises the data directory: give it time.
                                Probe {
                                    failure: 6,
                                    ..Probe::tcp(port_name, 30, 20)
                                }
                                .live(),
                            ],
                            cpu: res.cpu.clone(),
                            memory: mib(res.memory_mb),
                            mounts,
                            env_from: Vec::new(),
                            restricted: false,
                        }],
                        volumes: vec![Volume {
                            name: "replication",
                            empty_dir: false,
                            config_map: Some(scripts.clone()),
                            host_path: None,
                        }],
                    },
                    claims: vec![Claim {
                        name: "data",
                        storage_gb: db.storage_gb,
                    }],
                },
            )?);
            if replicas > 1 {
                docs.push(self.pdb(name, "db")?);
            }
        }
        Ok(File {
            path: format!("10-db-{}.yaml", db.name),
            intro: vec![format!(
                "Database \"{}\" ({}): {}{}, {} GiB {}.",
                db.name,
                engine_name_db(db.engine),
                match &db.shard_key {
                    Some(k) => format!("{} by {k}, each ", plural(db.shard_count, "shard")),
                    None => String::new(),
                },
                if db.replicas == 0 {
                    "a single server".to_string()
                } else {
                    format!("a primary and {}", plural(db.replicas, "read replica"))
                },
                db.storage_gb,
                if db.instance_count() == 1 {
                    "of storage"
                } else {
                    "each"
                }
            )],
            docs,
        })
    }
}

fn engine_name_db(e: DbEngine) -> &'static str {
    match e {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    }
}
