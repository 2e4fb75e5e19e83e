//! Tests for the `terraform` target.
