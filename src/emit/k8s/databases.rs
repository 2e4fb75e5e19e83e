//! `10-db-<name>.yaml`: how a database is deployed. Each shard is one
//! StatefulSet (pod -0 the primary, the others its read replicas) with its
//! headless Service and PodDisruptionBudget; one ConfigMap holds the
//! replication scripts of every shard (see `replication.rs`).

use super::emitter::{plural, File, K8s, TIER_DATA};
use super::objects::*;
use super::replication::*;
use crate::emit::Result;
use crate::model::runtime::EnvValue;
use crate::model::{Db, DbEngine, Shard};

/// What this target runs for a database engine (the model does not say).
struct DbServer {
    image: &'static str,
    /// The container's and its port's name, and the data volume's
    /// subdirectory.
    name: &'static str,
    data_path: &'static str,
    /// The readiness probe's command: the engine's own client.
    ready: Vec<String>,
}

fn db_server(db: &Db) -> DbServer {
    let plan = db.engine.runtime();
    DbServer {
        image: plan.image,
        name: plan.engine,
        data_path: plan.data_dir,
        ready: db.ready_command(),
    }
}

/// The engine-specific part of a shard's pod: how its server starts and
/// replicates.
struct ShardStart {
    env: Vec<Env>,
    /// Replaces the image's entrypoint (empty: keep it).
    command: Vec<String>,
    mounts: Vec<Mount>,
    init_containers: Vec<Container>,
}

impl K8s<'_> {
    pub(super) fn db_file(&self, db: &Db) -> Result<File> {
        let server = db_server(db);
        let scripts = replication_config_name(&db.name);
        // One ConfigMap of replication scripts for every shard.
        let mut docs = vec![self.replication_config_map(db, &scripts)?];
        for shard in &db.shards {
            self.shard_docs(db, shard, &server, &scripts, &mut docs)?;
        }
        Ok(File {
            path: format!("10-db-{}.yaml", db.name),
            intro: vec![db_intro(db)],
            docs,
        })
    }

    fn replication_config_map(&self, db: &Db, scripts: &str) -> Result<String> {
        let meta = Meta {
            notes: vec![format!(
                "Replication scripts of every pod of database \"{}\" (the StatefulSets below mount them).",
                db.name
            )],
            ..self.meta(scripts, "db")
        };
        self.files_config_map(meta, replication_scripts(db))
    }

    /// A shard's headless Service, StatefulSet and, with replicas, its PDB.
    fn shard_docs(
        &self,
        db: &Db,
        shard: &Shard,
        server: &DbServer,
        scripts: &str,
        docs: &mut Vec<String>,
    ) -> Result<()> {
        let name = &shard.primary;
        docs.push(self.headless_service(
            name,
            "db",
            Port {
                name: server.name,
                port: db.port,
            },
        )?);
        let workload = self.shard_statefulset(db, shard, server, scripts);
        docs.push(self.workload(workload)?);
        // With one pod, a PDB (maxUnavailable 1) would protect nothing.
        if db.replicas > 0 {
            docs.push(self.pdb(name, "db")?);
        }
        Ok(())
    }

    fn shard_statefulset(
        &self,
        db: &Db,
        shard: &Shard,
        server: &DbServer,
        scripts: &str,
    ) -> Workload {
        let name = &shard.primary;
        let start = shard_start(db, shard, server);
        Workload {
            kind: "StatefulSet",
            meta: Meta {
                notes: shard_notes(db, shard, scripts),
                ..self.meta(name, "db")
            },
            replicas: Some(1 + db.replicas),
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
                run_as_group: None,
                fs_group: None,
                init_containers: start.init_containers,
                containers: vec![db_container(
                    db,
                    server,
                    start.env,
                    start.command,
                    start.mounts,
                )],
                volumes: vec![Volume::config_map("replication", scripts)],
            },
            claims: vec![Claim {
                name: "data",
                storage_gb: db.storage_gb,
            }],
        }
    }
}

/// Each shard's pods read that shard's password; the primary's address
/// tells the replicas whom to follow.
fn shard_start(db: &Db, shard: &Shard, server: &DbServer) -> ShardStart {
    let name = &shard.primary;
    let primary_host = format!("{name}-0.{name}");
    match db.engine {
        DbEngine::Postgres => ShardStart {
            env: server_env(db, shard),
            command: Vec::new(),
            mounts: vec![data_mount(server), initdb_mount()],
            init_containers: vec![postgres_clone_container(db, shard, server, &primary_host)],
        },
        DbEngine::Mysql => ShardStart {
            env: {
                let mut env = server_env(db, shard);
                env.push(Env::value("PRIMARY_HOST", &primary_host));
                env
            },
            // The server's options depend on the pod's ordinal.
            command: vec!["sh".into(), format!("{REPLICATION_DIR}/{START_KEY}")],
            mounts: vec![data_mount(server), initdb_mount(), scripts_mount()],
            init_containers: Vec::new(),
        },
    }
}

/// The image's first-start environment (user, database, password) from the
/// runtime plan; the password is the shard's key of the Secret.
fn server_env(db: &Db, shard: &Shard) -> Vec<Env> {
    db.server_env()
        .into_iter()
        .map(|(name, value)| match value {
            EnvValue::Text(t) => Env::value(name, &t),
            EnvValue::Password => Env::secret(name, &shard.password_env),
        })
        .collect()
}

/// postgres: the init container that clones the primary into a replica's
/// empty data directory (see `postgres_clone_script`).
fn postgres_clone_container(
    db: &Db,
    shard: &Shard,
    server: &DbServer,
    primary_host: &str,
) -> Container {
    Container {
        name: "clone".into(),
        image: server.image.into(),
        command: vec!["sh".into(), format!("{REPLICATION_DIR}/{CLONE_KEY}")],
        args: Vec::new(),
        ports: Vec::new(),
        env_from: Vec::new(),
        env: vec![
            Env::value("PRIMARY_HOST", primary_host),
            Env::secret("PGPASSWORD", &shard.password_env),
        ],
        probes: Vec::new(),
        cpu: db.resources.cpu.clone(),
        memory: mib(db.resources.memory_mb),
        mounts: vec![data_mount(server), scripts_mount()],
        caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
        read_only_root: false,
    }
}

fn db_container(
    db: &Db,
    server: &DbServer,
    env: Vec<Env>,
    command: Vec<String>,
    mounts: Vec<Mount>,
) -> Container {
    let res = &db.resources;
    Container {
        name: server.name.into(),
        image: server.image.into(),
        command,
        args: Vec::new(),
        ports: vec![Port {
            name: server.name,
            port: db.port,
        }],
        env,
        probes: vec![
            Probe::exec(server.ready.clone(), 5, 10).ready(),
            // First start initialises the data directory: give it time.
            Probe {
                failure: 6,
                ..Probe::tcp(server.name, 30, 20)
            }
            .live(),
        ],
        cpu: res.cpu.clone(),
        memory: mib(res.memory_mb),
        mounts,
        env_from: Vec::new(),
        caps_add: IMAGE_ENTRYPOINT_CAPS.to_vec(),
        read_only_root: false,
    }
}

/// A new volume holds lost+found: the server's data directory must be a
/// subdirectory.
fn data_mount(server: &DbServer) -> Mount {
    Mount {
        name: "data",
        path: server.data_path,
        sub_path: Some(server.name),
        read_only: false,
    }
}

/// The script the image runs once, when it creates the data directory.
fn initdb_mount() -> Mount {
    Mount {
        name: "replication",
        path: INITDB_SCRIPT,
        sub_path: Some(INITDB_KEY),
        read_only: true,
    }
}

/// Every replication script, for the commands that run them by path.
fn scripts_mount() -> Mount {
    Mount {
        name: "replication",
        path: REPLICATION_DIR,
        sub_path: None,
        read_only: true,
    }
}

/// The StatefulSet's comment: which pod is the primary, which the replicas,
/// and how they replicate.
fn shard_notes(db: &Db, shard: &Shard, scripts: &str) -> Vec<String> {
    let name = &shard.primary;
    let primary_host = format!("{name}-0.{name}");
    let mut notes = Vec::new();
    if db.shard_key.is_some() {
        notes.push(format!(
            "Shard {} of {} (sharded by {}).",
            shard.index,
            db.shard_count,
            db.shard_key.as_deref().unwrap_or_default()
        ));
    }
    notes.push(format!(
        "Pod {name}-0 ({primary_host}) is the primary \"{name}\": the application writes to that"
    ));
    notes.push(format!(
        "address only (the bare Service name {name} resolves to every pod)."
    ));
    for (i, r) in shard.replicas.iter().enumerate() {
        notes.push(format!(
            "Pod {name}-{} ({name}-{}.{name}) is the read replica \"{r}\".",
            i + 1,
            i + 1
        ));
    }
    notes.extend(replication_notes(db, scripts));
    if db.colocated {
        notes.push(
            "\"colocated\" places the database on the web host; Kubernetes schedules it as its own pod.".into(),
        );
    }
    notes
}

/// The file's header: engine, shards, replicas and storage.
fn db_intro(db: &Db) -> String {
    format!(
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
    )
}

fn engine_name_db(e: DbEngine) -> &'static str {
    match e {
        DbEngine::Postgres => "postgres",
        DbEngine::Mysql => "mysql",
    }
}
