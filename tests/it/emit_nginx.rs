//! Tests for the `nginx` target.
