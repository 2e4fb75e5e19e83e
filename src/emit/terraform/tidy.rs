//! The text tidier every Terraform file and user data script goes through:
//! template conditionals leave blank lines behind, and tidying them while the
//! text arrives keeps a file of megabytes from existing twice (raw and tidy).

/// Collapses the blank lines template conditionals leave behind: at most one blank
/// line in a row, none before a closing brace, exactly one newline at the end.
pub(super) fn tidy(text: &str) -> String {
    let mut t = Tidy::default();
    t.push(text);
    t.finish()
}

/// [`tidy`] over text that arrives in pieces (hosts.tf: its head, then one
/// piece a host group), as if the pieces were one text: a line split between
/// two pieces is tidied once whole.
#[derive(Default)]
pub(super) struct Tidy {
    out: String,
    /// Where the last written line starts; every written line ends in '\n'.
    last: Option<usize>,
    /// The end of the last piece after its last line break.
    partial: String,
}

impl Tidy {
    pub(super) fn push(&mut self, text: &str) {
        let mut rest = text;
        if !self.partial.is_empty() {
            let Some(end) = rest.find('\n') else {
                self.partial.push_str(rest);
                return;
            };
            let mut line = std::mem::take(&mut self.partial);
            line.push_str(&rest[..end]);
            self.line(&line);
            rest = &rest[end + 1..];
        }
        // Whole lines straight from the piece; the end waits for the next.
        let whole = rest.rfind('\n').map_or(0, |i| i + 1);
        for line in rest[..whole].lines() {
            self.line(line);
        }
        self.partial.push_str(&rest[whole..]);
    }

    fn line(&mut self, line: &str) {
        let line = line.trim_end();
        let out = &mut self.out;
        let prev = self.last.map(|at| &out[at..out.len() - 1]);
        if line.is_empty() && prev.is_none_or(|l| l.is_empty() || l.ends_with('{')) {
            return;
        }
        if line.trim_start().starts_with('}') && prev.is_some_and(str::is_empty) {
            // Drop the blank line before a closing brace (the '}' line
            // pushed next becomes the last line).
            out.truncate(self.last.expect("a blank line follows another line"));
        }
        self.last = Some(out.len());
        out.push_str(line);
        out.push('\n');
    }

    pub(super) fn finish(mut self) -> String {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
        let mut out = self.out;
        if self.last.is_some_and(|at| at == out.len() - 1) {
            out.pop();
        }
        if out.is_empty() {
            out.push('\n');
        }
        out
    }
}

/// Tera writes what it renders as whole `str` pieces, so a piece never ends
/// inside a character; one that did would fail the render, not the text.
impl std::io::Write for Tidy {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = std::str::from_utf8(buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        self.push(text);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_collapses_blank_lines_and_pieces_tidy_as_one_text() {
        let text = "\n\nresource \"a\" \"b\" {\n\n  x = 1   \n\n\n}\n\n\n# c\r\n\n";
        assert_eq!(tidy(text), "resource \"a\" \"b\" {\n  x = 1\n}\n\n# c\n");
        assert_eq!(tidy(""), "\n");
        // Cut anywhere, twice: the same result as the whole text.
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut t = Tidy::default();
                t.push(&text[..i]);
                t.push(&text[i..j]);
                t.push(&text[j..]);
                assert_eq!(t.finish(), tidy(text), "cut at {i} and {j}");
            }
        }
    }
}
