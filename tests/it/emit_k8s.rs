//! Tests for the `k8s` target.
