//! Tests: analysis.
