//! The quick-xml source: any text, and every error with its position.
//!
//! quick-xml finds where each construct starts and ends; what a tag, a declaration or a
//! comment holds is read by the lexers of `xml.rs`, as the Windows scanner reads it. quick-xml
//! is lenient where XML is not, so where it and a lexer disagree on where a tag ends, the tag
//! is refused.

use quick_xml::errors::{Error as XmlError, IllFormedError};
use quick_xml::escape::EscapeError;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::{
    Attributes, Lexeme, Limits, check_comment, declaration, end_tag, is_space, malformed, start_tag,
};
use crate::error::{Error, Position, quote_value};

/// quick-xml, giving the lexemes from an offset of the text on (where the Windows scanner
/// handed over). It reads the text before that offset again, without giving it, so that its
/// state (the elements it saw opened) is what it would be had it read from the start.
pub(super) struct QuickSource<'a> {
    reader: Reader<&'a [u8]>,
    from: usize,
}

impl<'a> QuickSource<'a> {
    pub(super) fn new(text: &'a str, from: usize) -> QuickSource<'a> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        // Nesting and end-tag names are the `Reader`'s to check, for both sources.
        config.check_end_names = false;
        config.check_comments = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
        QuickSource { reader, from }
    }

    /// The next lexeme and its offset.
    pub(super) fn next(
        &mut self,
        text: &'a str,
        limits: &Limits,
        attributes: &mut Attributes<'a>,
    ) -> super::LexResult<(Lexeme<'a>, usize)> {
        // quick-xml skips a byte order mark at the start; in decoded text it is a character,
        // and no character may stand before the root but whitespace.
        if text.starts_with('\u{FEFF}') {
            return Err(Box::new(malformed(
                text,
                0,
                "text content is not allowed here",
            )));
        }
        let (start, event, end) = loop {
            let start = position(self.reader.buffer_position());
            let event = self
                .reader
                .read_event()
                .map_err(|e| xml_error(text, position(self.reader.error_position()), &e))?;
            let end = position(self.reader.buffer_position());
            if end > self.from || matches!(event, Event::Eof) {
                break (start, event, end);
            }
        };
        let lexeme = match event {
            Event::Decl(_) => Lexeme::Declaration {
                encoding: declaration(text, start, end)?,
            },
            Event::DocType(_) => {
                return Err(Box::new(Error::Doctype(Position::of_offset(text, start))));
            }
            Event::PI(_) => {
                return Err(Box::new(malformed(
                    text,
                    start,
                    "processing instructions are not allowed",
                )));
            }
            Event::CData(_) => {
                return Err(Box::new(malformed(text, start, "CDATA is not allowed")));
            }
            Event::Comment(_) => {
                let body = text
                    .get(start + 4..end.saturating_sub(3))
                    .ok_or_else(|| malformed(text, start, "malformed comment"))?;
                check_comment(text, start, body)?;
                Lexeme::Comment
            }
            Event::Text(_) => {
                if !text[start..end].bytes().all(is_space) {
                    return Err(Box::new(malformed(
                        text,
                        start,
                        "text content is not allowed here",
                    )));
                }
                Lexeme::Space
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                return Err(if name.starts_with('#') || is_standard_entity(name) {
                    Box::new(malformed(text, start, "text content is not allowed here"))
                } else {
                    Box::new(Error::Entity {
                        position: Position::of_offset(text, start),
                        detail: format!("undeclared entity &{};", quote_value(name)),
                    })
                });
            }
            Event::Start(_) | Event::Empty(_) => {
                let (name, tag_end, empty) = start_tag(text, start, limits, attributes)?;
                if tag_end != end || empty != matches!(event, Event::Empty(_)) {
                    return Err(Box::new(malformed(
                        text,
                        start,
                        &format!("malformed tag <{name}>"),
                    )));
                }
                Lexeme::Start { name, empty }
            }
            Event::End(_) => {
                let (name, tag_end) = end_tag(text, start)?;
                if tag_end != end {
                    return Err(Box::new(malformed(
                        text,
                        start,
                        &format!("malformed tag </{name}>"),
                    )));
                }
                Lexeme::End(name)
            }
            Event::Eof => Lexeme::Eof,
        };
        Ok((lexeme, start))
    }
}

fn position(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

fn is_standard_entity(name: &str) -> bool {
    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
}

fn xml_error(text: &str, offset: usize, error: &XmlError) -> Error {
    let position = Position::of_offset(text, offset);
    match error {
        XmlError::Escape(EscapeError::UnrecognizedEntity(_, name)) => Error::Entity {
            position,
            detail: format!("undeclared entity &{};", quote_value(name)),
        },
        // What `Reader` says when it sees it first.
        XmlError::IllFormed(IllFormedError::UnmatchedEndTag(_)) => Error::Malformed {
            position,
            detail: "closing tag without an opening tag".into(),
        },
        XmlError::Escape(other) => Error::Entity {
            position,
            detail: other.to_string(),
        },
        other => Error::Malformed {
            position,
            detail: other.to_string(),
        },
    }
}
