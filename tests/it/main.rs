//! The one integration test binary: a module per area.

mod accept;
mod analysis;
mod app_env;
mod build;
mod cli;
mod common;
mod cost;
mod emit_compose;
mod emit_haproxy;
mod emit_k8s;
mod emit_nginx;
mod emit_terraform;
mod env_label;
mod estimate;
mod first_hour;
mod fixtures;
mod graph;
mod lsp;
mod placeholder;
mod props;
mod readme;
mod runtime;
mod templates;
mod traffic;
