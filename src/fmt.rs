//! `archc fmt`: the canonical layout of a design. One statement per line, two
//! spaces of indentation inside stages, single spaces between words, `, `
//! between list items, `NAME=VALUE` without spaces (`env`, `label`), comments
//! kept where they were, at most one blank line in a row. Formatting formatted
//! text changes nothing.

use crate::span::Span;
use crate::syntax::ast::{Item, SourceFile};

enum Event {
    Statement(Span, usize),
    Open(Span),
    Close(Span),
    Comment(Span, usize),
}

impl Event {
    fn span(&self) -> Span {
        match self {
            Event::Statement(s, _) | Event::Open(s) | Event::Close(s) | Event::Comment(s, _) => *s,
        }
    }
}

/// Formats a design that parsed without errors.
pub fn format(src: &str, file: &SourceFile) -> String {
    let mut events = Vec::new();
    let mut blocks: Vec<(Span, Span)> = Vec::new();
    for item in &file.items {
        match item {
            Item::Statement(s) => events.push(Event::Statement(s.full_span(), 0)),
            Item::Stage(st) => {
                events.push(Event::Open(st.open));
                events.extend(st.body.iter().map(|s| Event::Statement(s.full_span(), 1)));
                if st.close.end > st.close.start {
                    events.push(Event::Close(st.close));
                }
                blocks.push((st.open, st.close));
            }
        }
    }
    for c in &file.comments {
        let inside = blocks
            .iter()
            .any(|(o, cl)| c.start >= o.end && c.start < cl.start);
        events.push(Event::Comment(*c, usize::from(inside)));
    }
    events.sort_by_key(|e| e.span().start);

    let mut out = String::with_capacity(src.len());
    let mut prev: Option<&Event> = None;
    for e in &events {
        let span = e.span();
        let gap = prev.map_or("", |p| &src[p.span().end as usize..span.start as usize]);
        let same_line = prev.is_some() && !gap.contains('\n');
        if let (Event::Comment(..), true) = (e, same_line) {
            out.push_str("  ");
            out.push_str(src[span.range()].trim_end());
            prev = Some(e);
            continue;
        }
        if prev.is_some() {
            out.push('\n');
            let after_open = matches!(prev, Some(Event::Open(_)));
            if gap.matches('\n').count() >= 2 && !after_open && !matches!(e, Event::Close(_)) {
                out.push('\n');
            }
        }
        match e {
            Event::Statement(s, depth) => {
                indent(&mut out, *depth);
                out.push_str(&normalize(&src[s.range()]));
            }
            Event::Comment(s, depth) => {
                indent(&mut out, *depth);
                out.push_str(src[s.range()].trim_end());
            }
            Event::Open(s) => {
                let text = src[s.range()].trim_end_matches('{');
                out.push_str(&normalize(text));
                out.push_str(" {");
            }
            Event::Close(_) => out.push('}'),
        }
        prev = Some(e);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Single spaces between words, `, ` after commas, no space around `=`,
/// strings untouched.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut pending_space = false;
    // Just after `=`: the value follows without a space.
    let mut glued = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            ' ' | '\t' => pending_space = true,
            ',' => {
                out.push(',');
                pending_space = true;
            }
            '=' => {
                out.push('=');
                pending_space = false;
                glued = true;
            }
            _ => {
                if pending_space && !out.is_empty() && !glued {
                    out.push(' ');
                }
                pending_space = false;
                glued = false;
                if c == '"' {
                    in_string = true;
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_spaces_and_commas() {
        assert_eq!(
            normalize("cdn  for /a ,/b\tttl 1d"),
            "cdn for /a, /b ttl 1d"
        );
        assert_eq!(normalize(r#"web image "a  , b""#), r#"web image "a  , b""#);
        assert_eq!(
            normalize(r#"web env A = "x = y" ,B= 1 label  team =growth"#),
            r#"web env A="x = y", B=1 label team=growth"#
        );
    }
}
