//! A small, hardened XML reader for the two documents rainv handles.
//!
//! Invitations and Connection Strings 2 are tiny trees of elements with attributes and no text.
//! This module turns text into such a tree and refuses everything else: document type
//! declarations, entities beyond the five standard ones, processing instructions, CDATA, text
//! content, and anything past the [`Limits`]. It never fetches or opens anything.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::errors::Error as XmlError;
use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::error::{Error, Position, Result, quote_value};

/// Bounds on what a document may contain, so that hostile input costs bounded time and memory.
///
/// The defaults are generous for every invitation Windows has written (a Windows 10 file with a
/// certificate in its ticket is about 6 KB) and small enough for a mail gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes, checked before any parsing.
    pub max_input_bytes: usize,
    /// Largest LHTICKET ciphertext, in bytes (the hex text is twice as long).
    pub max_ticket_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most elements (and comments) in one document.
    pub max_elements: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
    /// Longest attribute value, in bytes after unescaping.
    pub max_attribute_bytes: usize,
    /// Most listeners in a Connection String 2, and most addresses in a Connection String 1.
    pub max_listeners: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 * 1024,
            max_ticket_bytes: 64 * 1024,
            max_depth: 8,
            max_elements: 256,
            max_attributes: 32,
            max_attribute_bytes: 160 * 1024,
            max_listeners: 64,
        }
    }
}

/// One element of a parsed document.
#[derive(Debug, Clone)]
pub(crate) struct Element<'a> {
    pub name: &'a str,
    pub attributes: Vec<(&'a str, Cow<'a, str>)>,
    pub children: Vec<Element<'a>>,
}

impl<'a> Element<'a> {
    /// The value of attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_ref())
    }
}

/// Parse `text` into its root element, enforcing `limits` and refusing every DTD feature.
pub(crate) fn parse<'a>(text: &'a str, limits: &Limits) -> Result<Element<'a>> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element<'a>> = Vec::new();
    let mut root: Option<Element<'a>> = None;
    let mut elements = 0usize;
    let mut first_event = true;

    loop {
        let start = offset(&reader);
        let event = reader
            .read_event()
            .map_err(|e| xml_error(text, offset_of_error(&reader), &e))?;
        let at = || Position::of_offset(text, start);
        let is_first = std::mem::replace(&mut first_event, false);
        match event {
            Event::Decl(_) if is_first => {}
            Event::Decl(_) => {
                return Err(malformed(text, start, "XML declaration not at the start"));
            }
            Event::DocType(_) => return Err(Error::Doctype(at())),
            Event::PI(_) => {
                return Err(malformed(
                    text,
                    start,
                    "processing instructions are not allowed",
                ));
            }
            Event::CData(_) => return Err(malformed(text, start, "CDATA is not allowed")),
            Event::Comment(_) => {
                elements += 1;
                check_count(elements, limits)?;
            }
            Event::Text(t) => {
                if !t.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                    return Err(malformed(text, start, "text content is not allowed here"));
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                return Err(if name.starts_with('#') || is_standard_entity(name) {
                    malformed(text, start, "text content is not allowed here")
                } else {
                    Error::Entity {
                        position: at(),
                        detail: format!("undeclared entity &{};", quote_value(name)),
                    }
                });
            }
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(malformed(text, start, "more than one root element"));
            }
            Event::Start(e) => {
                elements += 1;
                check_count(elements, limits)?;
                if stack.len() + 1 > limits.max_depth {
                    return Err(Error::Limit(format!(
                        "elements nested deeper than {} at {}",
                        limits.max_depth,
                        at()
                    )));
                }
                stack.push(element(text, start, &e, limits)?);
            }
            Event::Empty(e) => {
                elements += 1;
                check_count(elements, limits)?;
                if stack.len() + 1 > limits.max_depth {
                    return Err(Error::Limit(format!(
                        "elements nested deeper than {} at {}",
                        limits.max_depth,
                        at()
                    )));
                }
                let done = element(text, start, &e, limits)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let done = stack
                    .pop()
                    .ok_or_else(|| malformed(text, start, "closing tag without an opening tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(malformed(
                        text,
                        text.len(),
                        &format!("document ends before <{}> is closed", open.name),
                    ));
                }
                return root.ok_or_else(|| malformed(text, 0, "no root element"));
            }
        }
    }
}

fn offset(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn offset_of_error(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.error_position()).unwrap_or(usize::MAX)
}

fn check_count(elements: usize, limits: &Limits) -> Result<()> {
    if elements > limits.max_elements {
        return Err(Error::Limit(format!(
            "more than {} elements in one document",
            limits.max_elements
        )));
    }
    Ok(())
}

fn is_standard_entity(name: &str) -> bool {
    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
}

fn malformed(text: &str, offset: usize, detail: &str) -> Error {
    Error::Malformed {
        position: Position::of_offset(text, offset),
        detail: detail.to_string(),
    }
}

fn xml_error(text: &str, offset: usize, error: &XmlError) -> Error {
    let position = Position::of_offset(text, offset);
    match error {
        XmlError::Escape(e) => escape_error(position, e),
        other => Error::Malformed {
            position,
            detail: other.to_string(),
        },
    }
}

fn escape_error(position: Position, error: &EscapeError) -> Error {
    match error {
        EscapeError::UnrecognizedEntity(_, name) => Error::Entity {
            position,
            detail: format!("undeclared entity &{};", quote_value(name)),
        },
        other => Error::Entity {
            position,
            detail: other.to_string(),
        },
    }
}

fn element<'a>(
    text: &'a str,
    offset: usize,
    start: &BytesStart<'a>,
    limits: &Limits,
) -> Result<Element<'a>> {
    let position = || Position::of_offset(text, offset);
    // The event borrows from `text`, so the name and raw values can be re-borrowed from it.
    let name = as_input(text, start.name().into_inner())
        .ok_or_else(|| malformed(text, offset, "element name is not in the input"))?;
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| Error::Malformed {
            position: position(),
            detail: format!("in <{name}>: {e}"),
        })?;
        if attributes.len() >= limits.max_attributes {
            return Err(Error::Limit(format!(
                "more than {} attributes on <{name}> at {}",
                limits.max_attributes,
                position()
            )));
        }
        let key = as_input(text, attribute.key.into_inner())
            .ok_or_else(|| malformed(text, offset, "attribute name is not in the input"))?;
        if attribute.value.contains('<') {
            return Err(malformed(
                text,
                offset,
                &format!("'<' in the value of attribute {key}"),
            ));
        }
        let value = attribute
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(|e| match e {
                XmlError::Escape(e) => escape_error(position(), &e),
                other => Error::Malformed {
                    position: position(),
                    detail: other.to_string(),
                },
            })?;
        // XML 1.0 forbids the noncharacters U+FFFE and U+FFFF, as text or as references.
        if value.contains(['\u{FFFE}', '\u{FFFF}']) {
            return Err(Error::Entity {
                position: position(),
                detail: format!("attribute {key} holds U+FFFE or U+FFFF, which XML forbids"),
            });
        }
        if value.len() > limits.max_attribute_bytes {
            return Err(Error::Limit(format!(
                "attribute {key} at {} is {} bytes long, above the limit of {}",
                position(),
                value.len(),
                limits.max_attribute_bytes
            )));
        }
        let value = match value {
            Cow::Borrowed(v) => match as_input(text, v) {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(v.to_string()),
            },
            Cow::Owned(v) => Cow::Owned(v),
        };
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
    })
}

/// Re-borrow `part` from `text` with the input's lifetime, when it points into the input.
fn as_input<'a>(text: &'a str, part: &str) -> Option<&'a str> {
    let base = text.as_ptr() as usize;
    let start = (part.as_ptr() as usize).checked_sub(base)?;
    let end = start.checked_add(part.len())?;
    text.get(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Element<'_> {
        parse(text, &Limits::default()).unwrap()
    }

    #[test]
    fn reads_attributes_in_every_legal_spelling() {
        let e =
            parse_ok("<?xml version=\"1.0\"?>\n<a x='1'\n y = \"&amp;&#xA;&#65;\" z=\"a\nb\"/>");
        assert_eq!(e.name, "a");
        assert_eq!(e.attribute("x"), Some("1"));
        assert_eq!(e.attribute("y"), Some("&\nA"));
        // A literal line break in a value is normalised to a space, as XML requires.
        assert_eq!(e.attribute("z"), Some("a b"));
    }

    #[test]
    fn refuses_dtd_and_entities() {
        let l = Limits::default();
        let doctype = "<!DOCTYPE a [<!ENTITY x SYSTEM \"http://e/\">]><a/>";
        assert!(matches!(parse(doctype, &l), Err(Error::Doctype(_))));
        assert!(matches!(
            parse("<a b=\"&x;\"/>", &l),
            Err(Error::Entity { .. })
        ));
        assert!(matches!(parse("<a>&x;</a>", &l), Err(Error::Entity { .. })));
        assert!(parse("<a><?pi x?></a>", &l).is_err());
        assert!(parse("<a><![CDATA[x]]></a>", &l).is_err());
        assert!(parse("<a>text</a>", &l).is_err());
        assert!(parse("<a/><b/>", &l).is_err());
        assert!(parse("<a>", &l).is_err());
        assert!(parse("<a x=\"1\" x=\"2\"/>", &l).is_err());
        assert!(parse("<a x=\"<\"/>", &l).is_err());
    }

    #[test]
    fn enforces_limits() {
        let l = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(matches!(
            parse("<a><b><c/></b></a>", &l),
            Err(Error::Limit(_))
        ));
        let l = Limits {
            max_elements: 3,
            ..Limits::default()
        };
        assert!(matches!(
            parse("<a><b/><b/><b/></a>", &l),
            Err(Error::Limit(_))
        ));
        let l = Limits {
            max_attributes: 1,
            ..Limits::default()
        };
        assert!(matches!(
            parse("<a x=\"1\" y=\"2\"/>", &l),
            Err(Error::Limit(_))
        ));
    }
}
