//! Tests: traffic.
