//! Images for the components archc runs itself (the web and worker images
//! come from the design). Should be shared with the compose target.

pub(super) const POSTGRES: &str = "postgres:16";
pub(super) const MYSQL: &str = "mysql:8.4";
pub(super) const REDIS: &str = "redis:7.4";
pub(super) const MEMCACHED: &str = "memcached:1.6";
pub(super) const MONGODB: &str = "mongo:7.0";
pub(super) const DYNAMODB_LOCAL: &str = "amazon/dynamodb-local:2.5.2";
pub(super) const RABBITMQ: &str = "rabbitmq:3.13";
pub(super) const ELASTICMQ: &str = "softwaremill/elasticmq-native:1.6.9";
pub(super) const FLUENT_BIT: &str = "fluent/fluent-bit:3.1";
pub(super) const PROMETHEUS: &str = "prom/prometheus:v2.55.1";
