//! Byte offsets (archc's spans) to LSP positions and back.
//!
//! LSP positions are a line and a character offset counted in UTF-16 code
//! units (the protocol's default encoding, the one every client supports): `é`
//! is one unit, `😀` two, while both are several bytes in the source. Lines end
//! at `\n`; a `\r` before it belongs to the line, which is harmless since
//! nothing of a design ends in one.

use crate::span::{LineStarts, Span};
use lsp_types::{Position, Range};

/// Line starts of one text, to convert in both directions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: LineStarts,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex {
            line_starts: LineStarts::new(text),
            len: text.len(),
        }
    }

    /// The position of a byte offset; an offset past the end is the end, one
    /// inside a character is that character's start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_starts.line_of(offset);
        let start = self.line_starts.start(line).expect("line_of names a line");
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position. A line past the end is the end of the
    /// text; a character past the end of its line is the end of the line; a
    /// position between the two halves of a surrogate pair is the character's
    /// start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(start) = self.line_starts.start(pos.line as usize) else {
            return self.len;
        };
        let end = self
            .line_starts
            .start(pos.line as usize + 1)
            .map_or(self.len, |next| next - 1);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        end
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start as usize),
            self.position(text, span.end as usize),
        )
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn ascii_is_bytes() {
        let t = "web x3\ndb\n";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(t, 0), pos(0, 0));
        assert_eq!(ix.position(t, 4), pos(0, 4));
        assert_eq!(ix.position(t, 7), pos(1, 0));
        assert_eq!(ix.position(t, t.len()), pos(2, 0));
        assert_eq!(ix.offset(t, pos(1, 1)), 8);
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let t = "# café 😀 ok\nweb x3 # é\n";
        let ix = LineIndex::new(t);
        let ok = t.find("ok").unwrap();
        assert_eq!(ok, 13);
        // `# caf` 5 + `é` 1 + ` ` 1 + `😀` 2 + ` ` 1 = 10 units.
        assert_eq!(ix.position(t, ok), pos(0, 10));
        assert_eq!(ix.offset(t, pos(0, 10)), ok);
        let x3 = t.find("x3").unwrap();
        assert_eq!(ix.position(t, x3), pos(1, 4));
        assert_eq!(ix.offset(t, pos(1, 4)), x3);
        // Every character boundary round-trips.
        for (i, _) in t.char_indices() {
            assert_eq!(ix.offset(t, ix.position(t, i)), i, "offset {i}");
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let t = "a😀b\nxy";
        let ix = LineIndex::new(t);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(ix.offset(t, pos(0, 2)), 1);
        // Past the end of a line: the end of that line, before `\n`.
        assert_eq!(ix.offset(t, pos(0, 99)), 6);
        // Past the last line: the end of the text.
        assert_eq!(ix.offset(t, pos(7, 0)), t.len());
        // A byte offset inside the emoji: the emoji's start.
        assert_eq!(ix.position(t, 3), pos(0, 1));
        assert_eq!(ix.position(t, 99), pos(1, 2));
    }

    #[test]
    fn ranges_span_lines() {
        let t = "é\nweb\n";
        let ix = LineIndex::new(t);
        let r = ix.range(t, Span::new(3, 6));
        assert_eq!(r, Range::new(pos(1, 0), pos(1, 3)));
    }
}
