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
///
/// Start from the defaults and change what you need:
/// `let mut limits = Limits::default(); limits.max_depth = 4;`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    /// Bit `i` set: the reader found attribute `i`'s value to be hex digits only (one or
    /// more), so an LHTICKET need not be checked again. A note the fast reader leaves while
    /// it scans (the general one leaves none), not part of the element's value.
    pub hex_values: u32,
}

impl PartialEq for Element<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.attributes == other.attributes
            && self.children == other.children
    }
}

impl<'a> Element<'a> {
    /// An element without attributes or children.
    pub(crate) fn new(name: &'a str) -> Element<'a> {
        Element {
            name,
            attributes: Vec::new(),
            children: Vec::new(),
            hex_values: 0,
        }
    }

    /// The value of attribute `name`, if present.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| same_name(key, name))
            .map(|(_, value)| value.as_ref())
    }
}

/// Whether bit `index` of `hex_values` (see [`Element::hex_values`]) is set.
pub(crate) fn is_noted(hex_values: u32, index: usize) -> bool {
    u32::try_from(index)
        .ok()
        .and_then(|index| hex_values.checked_shr(index))
        .is_some_and(|bits| bits & 1 == 1)
}

/// Name equality inline: names are a few bytes, and `==` on them calls `memcmp`.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Parse `text` into its root element, enforcing `limits` and refusing every DTD feature.
pub(crate) fn parse<'a>(text: &'a str, limits: &Limits) -> Result<Element<'a>> {
    match parse_plain(text, limits) {
        Some(root) => Ok(root),
        None => parse_general(text, limits),
    }
}

/// Whitespace as XML (and quick-xml) knows it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// The bytes [`parse_plain`] accepts in element and attribute names.
pub(crate) fn is_plain_name_byte(b: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
            b += 1;
        }
        table
    };
    TABLE[usize::from(b)]
}

/// The fast reader: one pass over documents made only of an optional XML declaration at the
/// very start, elements with plain names and attributes, and whitespace between them (every
/// file and ticket Windows writes). It gives exactly the tree [`parse_general`] gives, and
/// `None` for anything else, which [`parse_general`] then reads or refuses with its precise
/// error: comments, processing instructions, DTDs, CDATA, text, names with other characters,
/// end tags with spaces, anything past the limits, and whatever [`plain_attributes`] leaves.
///
/// Why: quick-xml validates UTF-8 again event by event and scans each tag twice, and the
/// LHTICKET tag is 6 KB; this reads it once, with memchr for the long attribute values.
fn parse_plain<'a>(text: &'a str, limits: &Limits) -> Option<Element<'a>> {
    let mut reader = PlainReader::new(text, limits)?;
    let mut stack: Vec<Element<'a>> = Vec::with_capacity(limits.max_depth.min(8));
    let mut root: Option<Element<'a>> = None;
    // Attributes are read into one scratch list and copied out at their exact number: one
    // allocation per element instead of one per doubling.
    let mut scratch = Vec::with_capacity(16);
    loop {
        let tag = reader.next(&mut scratch)?;
        let mut attributes = Vec::with_capacity(scratch.len());
        attributes.append(&mut scratch);
        let hex_values = reader.hex_values;
        let done = match tag {
            PlainTag::Start(name) => {
                stack.push(Element {
                    name,
                    attributes,
                    children: Vec::new(),
                    hex_values,
                });
                continue;
            }
            PlainTag::Empty(name) => Element {
                name,
                attributes,
                children: Vec::new(),
                hex_values,
            },
            PlainTag::End(name) => stack.pop().filter(|open| open.name == name)?,
            PlainTag::Eof => return root,
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => root = Some(done),
        }
    }
}

/// A tag [`PlainReader`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlainTag<'a> {
    /// `<name ...>`.
    Start(&'a str),
    /// `<name .../>`.
    Empty(&'a str),
    /// `</name>`; the reader does not check that the name is the open element's.
    End(&'a str),
    /// The end of a document whose root element is closed.
    Eof,
}

/// The tokenizer under [`parse_plain`], also used directly where building the tree would be
/// waste (the Connection String 2 fast path). `None` from it means "not a plain document":
/// give it to the general reader. It enforces the depth and element-count limits, a single
/// root, and what may stand between tags; its user checks that end tags match.
pub(crate) struct PlainReader<'a, 'l> {
    /// For the last start tag: which attribute values are hex digits only (see
    /// [`Element::hex_values`]).
    pub(crate) hex_values: u32,
    text: &'a str,
    at: usize,
    limits: &'l Limits,
    depth: usize,
    elements: usize,
    root_closed: bool,
}

impl<'a, 'l> PlainReader<'a, 'l> {
    /// A reader positioned after the XML declaration, if there is one.
    pub(crate) fn new(text: &'a str, limits: &'l Limits) -> Option<PlainReader<'a, 'l>> {
        let bytes = text.as_bytes();
        let mut at = 0;
        // quick-xml makes `<?xml` followed by whitespace a declaration, ending at the first
        // `>` that follows a `?` (byte 5 is the whitespace, so the search starts after it).
        if bytes.starts_with(b"<?xml") && bytes.get(5).copied().is_some_and(is_space) {
            let tail = bytes.get(6..)?;
            let end = memchr::memchr_iter(b'>', tail)
                .map(|at| at + 6)
                .find(|&at| bytes[at - 1] == b'?')?;
            at = end + 1;
        }
        Some(PlainReader {
            hex_values: 0,
            text,
            at,
            limits,
            depth: 0,
            elements: 0,
            root_closed: false,
        })
    }

    /// The next tag; a start tag's attributes are appended to `attributes`.
    pub(crate) fn next(
        &mut self,
        attributes: &mut Vec<(&'a str, Cow<'a, str>)>,
    ) -> Option<PlainTag<'a>> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = self.at;
        while bytes.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        if i == bytes.len() {
            return (self.root_closed && self.depth == 0).then_some(PlainTag::Eof);
        }
        if bytes[i] != b'<' {
            return None;
        }
        i += 1;
        let tag = if bytes.get(i) == Some(&b'/') {
            // An end tag, exactly `</name>`.
            let name_start = i + 1;
            i = name_start;
            while bytes.get(i).copied().is_some_and(is_plain_name_byte) {
                i += 1;
            }
            let name = plain_name(text, name_start, i)?;
            if bytes.get(i) != Some(&b'>') || self.depth == 0 {
                return None;
            }
            i += 1;
            self.depth -= 1;
            self.root_closed = self.depth == 0;
            PlainTag::End(name)
        } else {
            if self.root_closed {
                return None;
            }
            let name_start = i;
            while bytes.get(i).copied().is_some_and(is_plain_name_byte) {
                i += 1;
            }
            let name = plain_name(text, name_start, i)?;
            self.elements += 1;
            if self.elements > self.limits.max_elements || self.depth + 1 > self.limits.max_depth {
                return None;
            }
            (i, self.hex_values) = tag_attributes(text, i, self.limits, attributes)?;
            match bytes.get(i..i + 2)? {
                [b'/', b'>'] => {
                    i += 2;
                    self.root_closed = self.depth == 0;
                    PlainTag::Empty(name)
                }
                [b'>', _] => {
                    i += 1;
                    self.depth += 1;
                    PlainTag::Start(name)
                }
                _ => return None,
            }
        };
        self.at = i;
        Some(tag)
    }
}

/// The attributes of a start tag from just after its name, as [`plain_attributes`] reads
/// them, up to the `/` or `>` that ends the tag (returned as an index, with the
/// [`Element::hex_values`] bits). Names must be plain (which keeps quick-xml's quote-aware
/// search for the tag's end in step with this reading).
fn tag_attributes<'a>(
    text: &'a str,
    mut i: usize,
    limits: &Limits,
    attributes: &mut Vec<(&'a str, Cow<'a, str>)>,
) -> Option<(usize, u32)> {
    let bytes = text.as_bytes();
    let skip_space = |mut i: usize| {
        while bytes.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        i
    };
    let mut hex_values = 0u32;
    loop {
        let after_space = skip_space(i);
        match bytes.get(after_space)? {
            b'/' | b'>' => return Some((after_space, hex_values)),
            // quick-xml ends the element name at whitespace; a value may end right before the
            // next name.
            _ if after_space == i && attributes.is_empty() => return None,
            _ => {}
        }
        i = after_space;
        let name_start = i;
        while bytes.get(i).copied().is_some_and(is_plain_name_byte) {
            i += 1;
        }
        let name = plain_name(text, name_start, i)?;
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_space(i + 1);
        let quote = *bytes.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
        let (value_end, value, is_hex) = quoted_value(text, i + 1, quote)?;
        push_attribute(attributes, &mut hex_values, (name, value, is_hex), limits)?;
        i = value_end + 1;
    }
}

/// Attributes as Windows writes them, from `at` (moved past them): ` NAME="VALUE"` for each,
/// read as the XML reader reads them, into `attributes` (cleared first). Returns the
/// [`Element::hex_values`] bits; `None` for duplicates, bad names, anything past `limits` or
/// needing the general reader, for the other paths to judge.
///
/// The fast paths for text exactly as Windows writes it (invitations and tickets) use this.
pub(crate) fn compact_attributes<'a>(
    text: &'a str,
    at: &mut usize,
    limits: &Limits,
    attributes: &mut Vec<(&'a str, Cow<'a, str>)>,
) -> Option<u32> {
    let bytes = text.as_bytes();
    attributes.clear();
    let mut hex_values = 0u32;
    while bytes.get(*at) == Some(&b' ') {
        let name_start = *at + 1;
        let mut i = name_start;
        while bytes.get(i).copied().is_some_and(is_plain_name_byte) {
            i += 1;
        }
        let name = plain_name(text, name_start, i)?;
        if bytes.get(i..i + 2)? != b"=\"" {
            return None;
        }
        let (end, value, is_hex) = quoted_value(text, i + 2, b'"')?;
        push_attribute(attributes, &mut hex_values, (name, value, is_hex), limits)?;
        *at = end + 1;
    }
    Some(hex_values)
}

/// The value of an attribute from `start`, just after its opening `quote`: the index of the
/// closing quote, the value normalised as quick-xml does ([`normalize_plain`]), and whether it
/// is a run of hex digits worth noting in [`Element::hex_values`]. `None` when the value
/// needs the general reader. Inlined, as is [`push_attribute`]: as calls they cost the
/// Windows-layout readers a tenth of their instructions.
#[inline(always)]
fn quoted_value(text: &str, start: usize, quote: u8) -> Option<(usize, Cow<'_, str>, bool)> {
    let rest = text.as_bytes().get(start..)?;
    // Hex digits need no normalising: an LHTICKET (6 KB) is read in one pass that also spares
    // `LhTicket::from_hex` checking it again. Other values need one pass to the quote, unless
    // something needs normalising first (controls, line breaks, references, non-ASCII) or is
    // refused (`<`).
    let hex_digits = hex_run(rest);
    let plain = if hex_digits > 0 {
        hex_digits
    } else {
        plain_value_bytes(rest, quote)
    };
    if rest.get(plain) == Some(&quote) {
        let end = start + plain;
        return Some((end, Cow::Borrowed(text.get(start..end)?), hex_digits > 0));
    }
    let end = start + memchr::memchr(quote, rest)?;
    Some((end, normalize_plain(text.get(start..end)?)?, false))
}

/// At most this many attributes on the fast paths: past that, their linear duplicate check
/// would be slow.
const MAX_LINEAR_ATTRIBUTES: usize = 32;

/// Add an attribute read by a fast path, noting a hex value in `hex_values`; `None` for a
/// duplicate or an attribute past the limits, which the general reader then judges.
#[inline(always)]
fn push_attribute<'a>(
    attributes: &mut Vec<(&'a str, Cow<'a, str>)>,
    hex_values: &mut u32,
    (name, value, is_hex): (&'a str, Cow<'a, str>, bool),
    limits: &Limits,
) -> Option<()> {
    if is_hex {
        *hex_values |= 1u32.checked_shl(u32::try_from(attributes.len()).ok()?)?;
    }
    if attributes.len() >= limits.max_attributes.min(MAX_LINEAR_ATTRIBUTES)
        || attributes.iter().any(|(seen, _)| same_name(seen, name))
        || value.len() > limits.max_attribute_bytes
    {
        return None;
    }
    attributes.push((name, value));
    Some(())
}

/// The number of hex digits `bytes` starts with when there are at least
/// [`HEX_WORTH_NOTING`] of them, else 0.
fn hex_run(bytes: &[u8]) -> usize {
    match bytes.get(..HEX_WORTH_NOTING) {
        // Most values fail on their first bytes: look at those before a whole block.
        Some(start)
            if start[..8].iter().all(u8::is_ascii_hexdigit) && crate::text::is_hex(start) =>
        {
            crate::text::hex_digits_at_start(bytes)
        }
        _ => 0,
    }
}

/// How many bytes at the start of `bytes` can stand in an attribute value quoted with `quote`
/// as they are: printable ASCII but `quote`, `&` and `<`. The byte after them is the closing
/// quote when the value needs no normalising.
///
/// Sixteen bytes at a time in a loop the compiler vectorises (most values are tens of bytes),
/// then one at a time in the sixteen where the run ends. Inlined: a call, and a quote not
/// known at compile time, cost the Windows-layout readers 5 % of their instructions.
#[inline(always)]
fn plain_value_bytes(bytes: &[u8], quote: u8) -> usize {
    #[inline(always)]
    fn stops(b: u8, quote: u8) -> bool {
        // Below 0x20 as a signed byte: the controls, and every non-ASCII byte.
        (b == quote) | (b == b'&') | (b == b'<') | ((b as i8) < 0x20)
    }
    let mut at = 0;
    for chunk in bytes.chunks_exact(16) {
        let chunk: &[u8; 16] = chunk.try_into().unwrap_or(&[0; 16]);
        if chunk
            .iter()
            .fold(0u8, |any, &b| any | u8::from(stops(b, quote)))
            != 0
        {
            break;
        }
        at += 16;
    }
    at + bytes[at..]
        .iter()
        .take_while(|&&b| !stops(b, quote))
        .count()
}

/// The shortest run of hex digits [`tag_attributes`] looks for the end of (and notes).
const HEX_WORTH_NOTING: usize = 64;

/// The general reader, on quick-xml: every document, and every error with its position.
pub(crate) fn parse_general<'a>(text: &'a str, limits: &Limits) -> Result<Element<'a>> {
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
    // The event borrows from `text`, so the name and raw values can be re-borrowed from it.
    let name = as_input(text, start.name().into_inner())
        .ok_or_else(|| malformed(text, offset, "element name is not in the input"))?;
    let attributes = match as_input(text, start.attributes_raw())
        .and_then(|raw| plain_attributes(raw, limits))
    {
        Some(attributes) => attributes,
        None => general_attributes(text, offset, start, name, limits)?,
    };
    // quick-xml takes any run of bytes up to `=` as an attribute name; XML does not, and a
    // name like `"` would be copied out by our writers into a file nobody can read.
    for key in std::iter::once(name).chain(attributes.iter().map(|(key, _)| *key)) {
        if !is_xml_name(key) {
            return Err(malformed(
                text,
                offset,
                &format!("\"{}\" is not a valid XML name", quote_value(key)),
            ));
        }
    }
    Ok(Element {
        attributes,
        ..Element::new(name)
    })
}

/// The name in `text[start..end]`, whose bytes [`is_plain_name_byte`] accepted, if it is an
/// XML name: it is, unless it is empty or starts with a digit, `-` or `.` (what
/// [`is_xml_name`] says of such names, without decoding characters).
pub(crate) fn plain_name(text: &str, start: usize, end: usize) -> Option<&str> {
    let name = text.get(start..end)?;
    let first = *name.as_bytes().first()?;
    (first.is_ascii_alphabetic() || first == b'_' || first == b':').then_some(name)
}

/// Is `name` an XML 1.0 Name? (Letters, digits and `_ - . :`, not starting with a digit, `-`
/// or `.`; non-ASCII letters and digits are allowed as XML allows most of them.)
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    let start_ok = |c: char| c.is_alphabetic() || c == '_' || c == ':';
    chars.next().is_some_and(start_ok)
        && chars.all(|c| start_ok(c) || c.is_alphanumeric() || matches!(c, '-' | '.' | '\u{B7}'))
}

/// The attributes of a start tag through quick-xml: slower than [`plain_attributes`], and the
/// path that reports every error.
fn general_attributes<'a>(
    text: &'a str,
    offset: usize,
    start: &BytesStart<'a>,
    name: &str,
    limits: &Limits,
) -> Result<Vec<(&'a str, Cow<'a, str>)>> {
    let position = || Position::of_offset(text, offset);
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
    Ok(attributes)
}

/// The fast path for attributes: what quick-xml's attribute iterator and
/// `normalized_value(XmlVersion::Explicit1_0)` give, followed by the checks of [`element`], for
/// start tags without surprises. `None` hands the tag to the general path in [`element`], which
/// gives the same result or the error: on any syntax error, a duplicate, more attributes than
/// the limit (or than 32, past which a linear duplicate check would be slow), `<` or a
/// possible U+FFFE/U+FFFF in a value, an entity other than the five standard ones or a plain
/// character reference, or a value above the length limit.
///
/// Why: quick-xml looks for the closing quote and for characters to normalise one byte at a
/// time, and an LHTICKET is 6 KB; this uses memchr, which does it many bytes at a time.
fn plain_attributes<'a>(raw: &'a str, limits: &Limits) -> Option<Vec<(&'a str, Cow<'a, str>)>> {
    let is_space = |b: u8| matches!(b, b' ' | b'\r' | b'\n' | b'\t');
    let bytes = raw.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut attributes: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
    let mut i = skip_space(0);
    while i < bytes.len() {
        // The name: its first byte is taken whatever it is, as quick-xml does, then everything
        // up to `=` or a space.
        let name_start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'=' && !is_space(bytes[i]) {
            i += 1;
        }
        let name = raw.get(name_start..i).filter(|n| is_xml_name(n))?;
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_space(i + 1);
        let quote = *bytes.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
        let value_start = i + 1;
        let value_end = value_start + memchr::memchr(quote, bytes.get(value_start..)?)?;
        let value = raw.get(value_start..value_end)?;
        i = skip_space(value_end + 1);
        let value = normalize_plain(value)?;
        // The general reader notes no hex values.
        push_attribute(&mut attributes, &mut 0, (name, value, false), limits)?;
    }
    Some(attributes)
}

/// XML 1.0 attribute-value normalisation as quick-xml does it (line breaks and tabs become
/// spaces, CRLF one space; the five standard entities and character references are replaced),
/// for values that hold no `<`, no possible U+FFFE/U+FFFF and no other entity; `None` for
/// those. Plain values (an LHTICKET) are returned borrowed after two vectorised scans.
pub(crate) fn normalize_plain(value: &str) -> Option<Cow<'_, str>> {
    let bytes = value.as_bytes();
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8. A tab is legal but rare; leave
    // it, with the others, to the general path. (memchr beats a plain loop even on the
    // few bytes of most values.)
    let first = if bytes.len() < 16 {
        // Tiny values (ports, numbers): a plain loop costs less than memchr's setup.
        let mut first = None;
        for (at, &b) in bytes.iter().enumerate().rev() {
            match b {
                b'<' | 0xEF | b'\t' => return None,
                b'&' | b'\r' | b'\n' => first = Some(at),
                _ => {}
            }
        }
        first
    } else {
        if memchr::memchr3(b'<', 0xEF, b'\t', bytes).is_some() {
            return None;
        }
        memchr::memchr3(b'&', b'\r', b'\n', bytes)
    };
    let Some(first) = first else {
        return Some(Cow::Borrowed(value));
    };
    let mut out = String::with_capacity(value.len());
    let mut done = 0;
    let mut next = Some(first);
    while let Some(at) = next {
        let line = value.get(done..at)?;
        out.push_str(line);
        match bytes[at] {
            b'&' => {
                let rest = bytes.get(at + 1..)?;
                // The line break Windows writes every 64 characters of a certificate.
                if rest.starts_with(b"#xA;") {
                    out.push('\n');
                    done = at + 5;
                    // Lines are all as long (but the last): try where the next break would
                    // be before searching for it, which for 64 bytes cost more than this.
                    let guess = done + line.len();
                    let plain = |text: &[u8]| {
                        let mut special = 0u8;
                        for &b in text {
                            special |=
                                u8::from(b == b'&') | u8::from(b == b'\r') | u8::from(b == b'\n');
                        }
                        special == 0
                    };
                    next = match bytes.get(done..guess) {
                        Some(text) if bytes[guess..].starts_with(b"&#xA;") && plain(text) => {
                            Some(guess)
                        }
                        _ => memchr::memchr3(b'&', b'\r', b'\n', bytes.get(done..)?)
                            .map(|found| done + found),
                    };
                    continue;
                }
                // References are short: look for their `;` a few bytes ahead before memchr.
                let length = match rest.iter().take(12).position(|&b| b == b';') {
                    Some(length) => length,
                    None => memchr::memchr(b';', rest)?,
                };
                let end = at + 1 + length;
                let c = match value.get(at + 1..end)? {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "apos" => '\'',
                    "quot" => '"',
                    reference => character_reference(reference)?,
                };
                out.push(c);
                done = end + 1;
            }
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                out.push(' ');
                done = at + 2;
            }
            _ => {
                out.push(' ');
                done = at + 1;
            }
        }
        next = memchr::memchr3(b'&', b'\r', b'\n', bytes.get(done..)?).map(|at| done + at);
    }
    out.push_str(value.get(done..)?);
    Some(Cow::Owned(out))
}

/// `#x` hex digits or `#` decimal digits naming a character XML allows in a value (not NUL,
/// U+FFFE or U+FFFF); `None` for anything else, which the general path judges.
fn character_reference(reference: &str) -> Option<char> {
    let number = reference.strip_prefix('#')?;
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| char::from(b).is_digit(radix)) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(code).filter(|c| !matches!(c, '\0' | '\u{FFFE}' | '\u{FFFF}'))
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

    /// The fast attribute path gives what the general path gives, or leaves the tag to it.
    fn fast_and_general_agree(raw: &str, limits: &Limits) -> bool {
        let text = format!("<a{raw}/>");
        let mut reader = Reader::from_str(&text);
        let Ok(Event::Empty(start)) = reader.read_event() else {
            return false;
        };
        let fast =
            as_input(&text, start.attributes_raw()).and_then(|r| plain_attributes(r, limits));
        let general = general_attributes(&text, 0, &start, "a", limits);
        if let Some(fast) = &fast {
            assert_eq!(Ok(fast), general.as_ref(), "{raw:?}");
        }
        fast.is_some()
    }

    #[test]
    fn fast_attribute_path_matches_quick_xml() {
        let l = Limits::default();
        for raw in [
            "",
            " ",
            " x=\"1\"",
            " x='1' y = \"2\"\tz\r\n=\n'3' ",
            " x=\"1\"y=\"2\"",
            " x=\"a&#xA;b&#xD;&#x9;c&#65;&#x10FFFF;\"",
            " x=\"&amp;&lt;&gt;&quot;&apos;\" y='\"' z=\"'\"",
            " x=\"a\r\nb\rc\nd\"",
            " x.y:z-_=\"1\"",
            " k=\"caf\u{e9} \u{1F600}\"",
        ] {
            assert!(fast_and_general_agree(raw, &l), "fast path refused {raw:?}");
        }
        // What the general path must judge: errors, and the rare legal cases left to it.
        for raw in [
            " x",
            " =\"1\"",
            " x=",
            " x=1",
            " x=\"1",
            " x =y",
            " x=\"1\" x=\"2\"",
            " x=\"<\"",
            " x=\"&x;\"",
            " x=\"&#0;\"",
            " x=\"&#xFFFE;\"",
            " x=\"&#X41;\"",
            " x=\"&#+65;\"",
            " x=\"&#x110000;\"",
            " x=\"&amp\"",
            " x=\"\u{FFFF}\"",
            " x=\"\u{F000}\"",
            " x=\"a\tb\"",
        ] {
            assert!(!fast_and_general_agree(raw, &l), "fast path took {raw:?}");
        }
        let few = Limits {
            max_attributes: 1,
            max_attribute_bytes: 3,
            ..Limits::default()
        };
        assert!(fast_and_general_agree(" x=\"123\"", &few));
        assert!(!fast_and_general_agree(" x=\"1\" y=\"2\"", &few));
        assert!(!fast_and_general_agree(" x=\"1234\"", &few));
        assert!(!fast_and_general_agree(" x=\"&amp;&amp;&amp;&amp;\"", &few));
    }

    /// A mostly well-formed document driven by `ops`: elements opened, closed and left empty,
    /// attributes, whitespace, and now and then a fragment that breaks something.
    fn document(ops: &[u8]) -> String {
        const NAMES: [&str; 4] = ["a", "B", "x:y", "E"];
        const ATTRIBUTES: [&str; 10] = [
            " k=\"v\"",
            " K='&#xA;&amp;'",
            "\n\tn = \"1\r\n2\"",
            " k=\"dup\"",
            " e=\"\"",
            " q='\"'",
            " z=\"&#65;&lt;\"",
            "u=\"tight\"",
            " w=\"\u{e9}\"",
            " h=\"0A1b\"",
        ];
        const JUNK: [&str; 12] = [
            "<!--c-->",
            "t",
            "&amp;",
            "<?p?>",
            "</a >",
            "<",
            ">",
            "\"",
            "/",
            "\u{FEFF}",
            "=",
            "<!DOCTYPE a>",
        ];
        let mut out = String::new();
        let mut open: Vec<&str> = Vec::new();
        let mut in_tag = false;
        if ops.first().is_some_and(|op| op % 3 == 0) {
            out.push_str("<?xml version=\"1.0\"?>\r\n");
        }
        for &op in ops {
            let pick = usize::from(op >> 3);
            match op % 8 {
                0 | 1 if !in_tag => {
                    let name = NAMES[pick % NAMES.len()];
                    out.push('<');
                    out.push_str(name);
                    open.push(name);
                    in_tag = true;
                }
                2 | 3 if in_tag => out.push_str(ATTRIBUTES[pick % ATTRIBUTES.len()]),
                4 if in_tag => {
                    out.push_str(if pick % 2 == 0 { "/>" } else { " />" });
                    open.pop();
                    in_tag = false;
                }
                4 | 5 if in_tag => {
                    out.push('>');
                    in_tag = false;
                }
                5 if !in_tag => {
                    if let Some(name) = open.pop() {
                        out.push_str("</");
                        out.push_str(name);
                        out.push('>');
                    }
                }
                6 => out.push_str([" ", "\n", "\r\n", "\t"][pick % 4]),
                7 if pick % 4 == 0 => out.push_str(JUNK[pick / 4 % JUNK.len()]),
                _ => {}
            }
        }
        if in_tag {
            out.push('>');
        }
        while let Some(name) = open.pop() {
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        out
    }

    /// The fast reader gives what the general reader gives, or leaves the document to it.
    fn readers_agree(text: &str, limits: &Limits) -> bool {
        let fast = parse_plain(text, limits);
        if let Some(fast) = &fast {
            assert_eq!(Ok(fast), parse_general(text, limits).as_ref(), "{text:?}");
            hex_notes_are_right(fast, text);
        }
        fast.is_some()
    }

    /// Every attribute the fast reader notes as hex is one or more hex digits (a missed note
    /// only costs time; a wrong one would let bad hex past `LhTicket`).
    fn hex_notes_are_right(element: &Element<'_>, text: &str) {
        for (index, (name, value)) in element.attributes.iter().enumerate() {
            if is_noted(element.hex_values, index) {
                assert!(
                    !value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{name}={value:?} noted as hex in {text:?}"
                );
            }
        }
        for child in &element.children {
            hex_notes_are_right(child, text);
        }
    }

    #[test]
    fn plain_value_bytes_stop_where_a_value_needs_work() {
        for length in 0..70 {
            for stop in [b'"', b'&', b'<', b'\t', b'\n', 0, 0x7F - 0x60, 0x80, 0xEF] {
                let mut bytes = vec![b'x'; length];
                bytes.push(stop);
                bytes.extend_from_slice(b"abc\"");
                assert_eq!(
                    plain_value_bytes(&bytes, b'"'),
                    length,
                    "{length} {stop:#04x}"
                );
            }
            assert_eq!(plain_value_bytes(&vec![b'~'; length], b'"'), length);
        }
        // Every byte: printable ASCII but the three stops runs on.
        for b in 0..=255u8 {
            let runs = (0x20..0x80).contains(&b) && !b"\"&<".contains(&b);
            assert_eq!(plain_value_bytes(&[b], b'"'), usize::from(runs), "{b:#04x}");
        }
        // The other quote stops a single-quoted value and runs on in a double-quoted one.
        assert_eq!(plain_value_bytes(b"a'b\"c", b'\''), 1);
        assert_eq!(plain_value_bytes(b"a'b\"c", b'"'), 3);
    }

    #[test]
    fn notes_plain_hex_values() {
        let (long, longer) = ("0123abcDEF".repeat(7), "f".repeat(300));
        let (short, spaced) = ("9".repeat(63), format!("{long} 1"));
        let text = format!(
            "<U><D A=\"{long}\" B='{longer}' C=\"{short}\" D=\"{spaced}\" E=\"\" \
             F=\"&#x41;{long}\" G=\"{long}&#xA;\"/></U>"
        );
        let text = text.as_str();
        let root = parse_plain(text, &Limits::default()).unwrap();
        let data = &root.children[0];
        let noted: Vec<bool> = (0..7).map(|i| is_noted(data.hex_values, i)).collect();
        assert_eq!(noted, [true, true, false, false, false, false, false]);
        assert!(!is_noted(data.hex_values, 7) && !is_noted(data.hex_values, 1000));
        // The general reader notes nothing.
        assert_eq!(
            parse_general(text, &Limits::default()).unwrap().children[0].hex_values,
            0
        );
    }

    #[test]
    fn long_hex_values_read_as_the_general_reader_reads_them() {
        let l = Limits::default();
        for length in [63, 64, 65, 127, 128, 129, 700] {
            let hex = "0123456789abcdefABCDEF".repeat(40)[..length].to_string();
            for tail in [
                "", "<", "&amp;", "&#xA;", "\t", "\r\n", "\n", "'", "\u{e9}", "\u{FFFE}", " ", "g",
            ] {
                for (open, close) in [("\"", "\""), ("'", "'")] {
                    let text = format!("<U><D A={open}{hex}{tail}{close} B=\"1\"/></U>");
                    readers_agree(&text, &l);
                    let unterminated = format!("<U><D A={open}{hex}{tail}");
                    assert!(parse_plain(&unterminated, &l).is_none(), "{unterminated:?}");
                }
            }
        }
    }

    #[test]
    fn fast_reader_matches_the_general_one() {
        let l = Limits::default();
        for text in [
            "<E/>",
            "<?xml ?><E/>",
            "<?xml >?><E/>",
            "<?xml\t?>\n<E/>",
            "<?xml version=\"1.0\"?>\n<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"a\" \
             L=\"0\"/></UPLOADINFO>",
            "<?xml version=\"1.0\" encoding=\"Unicode\" ?>\r\n<U>\r\n<D\r\nA=\"1\"\r\nB=\"2\" />\r\n</U>\r\n",
            "<E><A KH=\"k\" CE=\"x&#xA;y\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>\r\n",
            " \n<a x='1'y=\"2\"></a> ",
            "<a><b/><b></b></a>",
        ] {
            assert!(readers_agree(text, &l), "fast reader refused {text:?}");
        }
        for text in [
            "",
            " ",
            "<?xml version=\"1.0\"?>",
            " <?xml version=\"1.0\"?><a/>",
            "<?xml-stylesheet x?><a/>",
            "<?xml?><a/>",
            "<?xml >",
            "<?xml a='>'?>",
            "<a/><b/>",
            "<a></b>",
            "<a></a >",
            "<a>",
            "</a>",
            "<a>x</a>",
            "<a>&amp;</a>",
            "<!--c--><a/>",
            "<!DOCTYPE a><a/>",
            "<a><![CDATA[x]]></a>",
            "<a><?pi?></a>",
            "<a b>c=\"1\"/>",
            "<a/ >",
            "<a x=\"1\"/ y=\"2\">",
            "<\u{e9}/>",
            "\u{FEFF}<a/>",
            "<a x=\"1\" x=\"2\"/>",
        ] {
            assert!(!readers_agree(text, &l), "fast reader took {text:?}");
        }
        let tight = Limits {
            max_depth: 2,
            max_elements: 3,
            ..Limits::default()
        };
        assert!(readers_agree("<a><b/><b/></a>", &tight));
        assert!(!readers_agree("<a><b><c/></b></a>", &tight));
        assert!(!readers_agree("<a><b/><b/><b/></a>", &tight));
    }

    /// Attribute values the fast readers take: plain text, the five entities, character
    /// references, line breaks, non-ASCII, the other quote (`Q`); or a long run of hex digits,
    /// which they note.
    fn plain_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const PIECES: &[&str] = &[
            "v",
            "tight",
            "0A1b",
            "&amp;",
            "&lt;",
            "&gt;",
            "&quot;",
            "&apos;",
            "&#xA;",
            "&#65;",
            "&#x1F600;",
            "\r\n",
            "\n",
            "\r",
            " ",
            "\u{e9}",
            "\u{4E2D}",
            "\u{1F600}",
            "Q",
        ];
        prop_oneof![
            4 => proptest::collection::vec(proptest::sample::select(PIECES), 0..5)
                .prop_map(|pieces| pieces.concat()),
            1 => "[0-9a-fA-F]{64,90}",
        ]
    }

    /// A start tag's attributes as a fast reader takes them: distinct plain names, any
    /// spacing XML allows, either quote.
    fn plain_attributes_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const SPACES: &[&str] = &[" ", " ", "  ", "\n", "\t", "\r\n "];
        const NAMES: &[&str] = &["k", "K", "n", "x:y", "_u", "a.b-1", "USERNAME", "L"];
        let attribute = (
            proptest::sample::select(SPACES),
            any::<bool>(),
            proptest::sample::select(NAMES),
            proptest::sample::select(&["=", "=", " = ", "\n=\t"][..]),
            any::<bool>(),
            plain_value(),
        );
        proptest::collection::vec(attribute, 0..5).prop_map(|attributes| {
            let mut out = String::new();
            let mut seen = Vec::new();
            for (space, tight, name, equals, double, value) in attributes {
                if seen.contains(&name) {
                    continue;
                }
                // After a value the next name may follow without a space.
                if seen.is_empty() || !tight {
                    out.push_str(space);
                }
                seen.push(name);
                let (quote, other) = if double { ('"', "'") } else { ('\'', "\"") };
                let value = value.replace('Q', other);
                out.push_str(&format!("{name}{equals}{quote}{value}{quote}"));
            }
            out
        })
    }

    /// A document the fast reader takes: an optional declaration, then elements with plain
    /// names and attributes, empty, self-closed or with children, whitespace between them.
    fn plain_document() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const NAMES: &[&str] = &["a", "B", "x:y", "E", "_u", "n.m-1"];
        const SPACES: &[&str] = &["", "", " ", "\n", "\r\n\t"];
        let leaf = (
            proptest::sample::select(NAMES),
            plain_attributes_text(),
            0..3u8,
        )
            .prop_map(|(name, attributes, form)| match form {
                0 => format!("<{name}{attributes}/>"),
                1 => format!("<{name}{attributes} />"),
                _ => format!("<{name}{attributes}></{name}>"),
            });
        let tree = leaf.prop_recursive(3, 12, 4, |inner| {
            (
                proptest::sample::select(NAMES),
                plain_attributes_text(),
                proptest::collection::vec((proptest::sample::select(SPACES), inner), 0..4),
                proptest::sample::select(SPACES),
            )
                .prop_map(|(name, attributes, children, space)| {
                    let mut out = format!("<{name}{attributes}>");
                    for (space, child) in children {
                        out.push_str(space);
                        out.push_str(&child);
                    }
                    out.push_str(space);
                    out.push_str(&format!("</{name}>"));
                    out
                })
        });
        (
            proptest::sample::select(
                &[
                    "",
                    "<?xml version=\"1.0\"?>",
                    "<?xml version=\"1.0\"?>\r\n",
                    "<?xml version='1.0' encoding=\"UTF-8\"?>\n",
                ][..],
            ),
            tree,
            proptest::sample::select(&["", "\r\n", " \n"][..]),
        )
            .prop_map(|(declaration, tree, end)| format!("{declaration}{tree}{end}"))
    }

    #[test]
    fn fast_reader_never_disagrees() {
        // Plain documents, most as generated (which the fast reader must take), some edited
        // (which it mostly leaves to the general reader), some under tight limits.
        use crate::test_support::{apply_edits, check_property, edits, some_limits};
        check_property(
            "fast_reader_never_disagrees",
            256,
            60,
            (plain_document(), edits(3), some_limits()),
            |(document, edits, limits)| readers_agree(&apply_edits(&document, &edits), &limits),
        );
        // The old generator, with its junk fragments.
        check_property(
            "fast_reader_never_disagrees on junk",
            128,
            5,
            proptest::collection::vec(0u8..=255, 0..40),
            |ops| readers_agree(&document(&ops), &Limits::default()),
        );
    }

    #[test]
    fn fast_attribute_path_never_disagrees() {
        use crate::test_support::{apply_edits, check_property, edits, some_limits};
        check_property(
            "fast_attribute_path_never_disagrees",
            256,
            60,
            (plain_attributes_text(), edits(3), some_limits()),
            |(raw, edits, limits)| fast_and_general_agree(&apply_edits(&raw, &edits), &limits),
        );
    }

    #[test]
    fn refuses_invalid_names() {
        let l = Limits::default();
        assert!(parse("<a \"=\"x\"/>", &l).is_err());
        assert!(parse("<a 1x=\"x\"/>", &l).is_err());
        assert!(parse("<a x\u{202E}=\"x\"/>", &l).is_err());
        assert!(parse("<a ns:x-y.z=\"x\" _é=\"y\"/>", &l).is_ok());
    }

    #[test]
    fn plain_names_are_judged_as_xml_names_are() {
        // Every name of up to three bytes from the plain-name alphabet.
        let alphabet: Vec<u8> = (0..=255u8).filter(|&b| is_plain_name_byte(b)).collect();
        let mut names = vec![String::new()];
        for length in 1..=3 {
            let mut indices = vec![0usize; length];
            loop {
                names.push(indices.iter().map(|&i| char::from(alphabet[i])).collect());
                let Some(at) = indices.iter().rposition(|&i| i + 1 < alphabet.len()) else {
                    break;
                };
                indices[at] += 1;
                indices[at + 1..].fill(0);
            }
        }
        for name in &names {
            assert_eq!(
                plain_name(name, 0, name.len()).is_some(),
                is_xml_name(name),
                "{name:?}"
            );
        }
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
