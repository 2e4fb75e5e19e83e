//! Reading a design file: size limit, UTF-8, and the diagnostics for both.

use crate::diag::Diagnostic;
use crate::span::Span;

/// Larger files are refused before parsing: no design is this big, and spans
/// are 32-bit.
pub const MAX_SOURCE_BYTES: usize = 16 << 20;

/// Why a file could not be read as a design at all.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge(n) => write!(
                f,
                "the file is {n} bytes; archc reads designs of at most {} MiB",
                MAX_SOURCE_BYTES >> 20
            ),
        }
    }
}

/// Reads a design. Invalid UTF-8 is not an I/O error: it becomes text (with
/// replacement characters) and an E0007 diagnostic pointing at the first bad byte.
pub fn read(path: &std::path::Path) -> Result<(String, Option<Diagnostic>), ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > MAX_SOURCE_BYTES {
        let len = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(bytes.len() as u64);
        return Err(ReadError::TooLarge(len));
    }
    Ok(decode(bytes))
}

/// UTF-8 text, or lossy text with a diagnostic at the first invalid byte.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The replacement character is 3 bytes long in the lossy text.
            let d = Diagnostic::new(
                "E0007",
                Span::new(at, at + 3),
                "the file is not valid UTF-8",
            )
            .primary("first invalid byte")
            .help("save the file as UTF-8; design files are plain text");
            (text, Some(d))
        }
    }
}
