//! The scanner for text as Windows writes it: an XML declaration at the very start, tags, and
//! whitespace between them. It gives exactly the lexemes quick-xml's source gives for such
//! text, through the same lexers, and stops (handing over to quick-xml at the same offset) at
//! anything else: comments, processing instructions, DTDs, CDATA, text, and any tag a lexer
//! finds fault with, so that every error is reported the one way.
//!
//! Why: quick-xml scans each tag twice, a byte at a time, and an LHTICKET tag is 6 KB; this
//! reads it once, with the lexers' vectorised value scans.

use super::{Attributes, Lexeme, Limits, declaration, end_tag, is_space, skip_space, start_tag};
use crate::scan;

/// The lexeme at `*at` and its offset, moving `*at` past it; `None` to hand over at `*at`.
#[inline(always)]
pub(super) fn next<'a>(
    text: &'a str,
    at: &mut usize,
    limits: &Limits,
    attributes: &mut Attributes<'a>,
) -> Option<(Lexeme<'a>, usize)> {
    let bytes = text.as_bytes();
    // Whitespace before a tag or the end is nothing to the reader: skipped here rather than
    // given as a lexeme of its own. Text, and whitespace before it, which quick-xml reads as
    // one text, are left to quick-xml.
    let start = skip_space(bytes, *at);
    if !matches!(bytes.get(start), None | Some(b'<')) {
        return None;
    }
    *at = start;
    let (lexeme, end) = match bytes.get(start) {
        None => return Some((Lexeme::Eof, start)),
        Some(b'<') => match bytes.get(start + 1) {
            Some(b'/') => {
                let (name, end) = end_tag(text, start).ok()?;
                (Lexeme::End(name), end)
            }
            // quick-xml takes `<?xml` and whitespace for a declaration, to the first `?>`.
            Some(b'?')
                if start == 0
                    && bytes.starts_with(b"<?xml")
                    && bytes.get(5).copied().is_some_and(is_space) =>
            {
                // The first `?>` after `<?` (a declaration is short: a word at a time).
                let mut question = 1;
                let end = loop {
                    question = scan::find(bytes, question + 1, b'?')?;
                    if bytes.get(question + 1) == Some(&b'>') {
                        break question + 2;
                    }
                };
                let encoding = declaration(text, 0, end).ok()?;
                (Lexeme::Declaration { encoding }, end)
            }
            Some(b'?' | b'!') | None => return None,
            Some(_) => {
                let (name, end, empty) = start_tag(text, start, limits, attributes).ok()?;
                (Lexeme::Start { name, empty }, end)
            }
        },
        Some(_) => return None,
    };
    *at = end;
    Some((lexeme, start))
}
