//! Tests: lsp.
