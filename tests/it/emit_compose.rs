//! Tests for the `compose` target.
