//! Tests for the `haproxy` target.
