//! Document stores: a MongoDB replica set, or the DynamoDB Local emulator.

use super::env_example::secret_ref;
use super::passes::Builder;
use super::service::{compose_escape, labels, plural, Healthcheck, Service, BACKEND};
use crate::model::{Nosql, NosqlEngine};
use indexmap::IndexMap;

impl Builder<'_> {
    pub(super) fn nosqls(&mut self) {
        let m = self.m;
        for n in &m.nosqls {
            match n.engine {
                NosqlEngine::Mongodb => self.mongodb(n),
                NosqlEngine::Dynamodb => self.dynamodb(n),
            }
        }
    }

    /// A replica set, one service a member. The first member creates the
    /// user and its health check initiates the set.
    fn mongodb(&mut self, n: &Nosql) {
        let var = n.password_env.clone().unwrap_or_default();
        for (i, inst) in n.instances.iter().enumerate() {
            let mut env = IndexMap::new();
            env.insert("MONGO_KEYFILE_SECRET".to_string(), secret_ref(&var));
            let (comments, test) = if i == 0 {
                env.insert("MONGO_INITDB_ROOT_USERNAME".into(), "app".into());
                env.insert("MONGO_INITDB_ROOT_PASSWORD".into(), secret_ref(&var));
                (mongo_comments(n), mongo_initiate(n))
            } else {
                // `ping` needs no login, and these members have no user
                // until the set has replicated it.
                (
                    Vec::new(),
                    "mongosh --quiet --eval \"db.adminCommand('ping').ok\" | grep -q 1".into(),
                )
            };
            let vol = self.volume(inst);
            self.service(Service {
                name: inst.clone(),
                comments,
                image: NosqlEngine::Mongodb.image().into(),
                hostname: Some(inst.clone()),
                script: mongo_script(&n.name, n.port),
                restart: true,
                expose: vec![n.port.to_string()],
                environment: env,
                labels: labels(&n.labels),
                volumes: vec![format!("{vol}:/data/db")],
                healthcheck: Some(Healthcheck::new(
                    vec!["CMD-SHELL".into(), compose_escape(&test)],
                    "60s",
                )),
                networks: vec![BACKEND],
                ..Service::default()
            });
            self.data_services.push(inst.clone());
        }
    }

    /// A managed AWS service: one in-memory emulator, whatever the count.
    fn dynamodb(&mut self, n: &Nosql) {
        let mut comments = vec![format!(
            "DynamoDB `{}`: a managed AWS service; locally one in-memory DynamoDB Local emulator stands in for it.",
            n.name
        )];
        if n.count > 1 {
            comments.push(format!(
                "x{}: DynamoDB replicates internally, so the emulator runs once.",
                n.count
            ));
        }
        self.service(Service {
            name: n.name.clone(),
            comments,
            image: NosqlEngine::Dynamodb.image().into(),
            hostname: Some(n.name.clone()),
            command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-inMemory"]
                .map(String::from)
                .to_vec(),
            restart: true,
            expose: vec![n.port.to_string()],
            labels: labels(&n.labels),
            networks: vec![BACKEND],
            ..Service::default()
        });
        self.data_services.push(n.name.clone());
    }
}

/// The comment above a replica set's first member.
fn mongo_comments(n: &Nosql) -> Vec<String> {
    vec![
        format!(
            "MongoDB `{}`: replica set `{}` of {}. The first member creates user `app` and its",
            n.name,
            n.name,
            plural(n.instances.len(), "member"),
        ),
        "health check initiates the set once; the others start empty and receive everything by replication."
            .into(),
    ]
}

/// The first member's health check: healthy once the set is up, which it
/// initiates (with every member) the first time.
fn mongo_initiate(n: &Nosql) -> String {
    let members: Vec<String> = n
        .instances
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{{_id: {i}, host: '{h}:{}'}}", n.port))
        .collect();
    format!(
        "mongosh --quiet -u app -p \"$MONGO_INITDB_ROOT_PASSWORD\" --authenticationDatabase admin --eval \"try {{ rs.status().ok }} catch (e) {{ rs.initiate({{_id: '{}', members: [{}]}}).ok }}\" | grep -q 1",
        n.name,
        members.join(", ")
    )
}

/// Members of an authenticated replica set prove themselves to each other
/// with a key file; it is derived from the password so no second secret is
/// needed. The entrypoint creates the user on the first start.
fn mongo_script(set: &str, port: u16) -> Vec<String> {
    [
        "set -e".to_string(),
        "printf '%s' \"$MONGO_KEYFILE_SECRET\" | sha256sum | cut -d ' ' -f 1 > /data/keyfile"
            .into(),
        "chmod 400 /data/keyfile && chown mongodb:mongodb /data/keyfile".into(),
        format!(
            "exec docker-entrypoint.sh mongod --replSet {set} --port {port} --bind_ip_all --keyFile /data/keyfile"
        ),
    ]
    .map(|l| compose_escape(&l))
    .to_vec()
}
