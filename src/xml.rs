//! The XML under every document rainv reads: a stream of [`Token`]s, checked in this one
//! place for well-formedness (XML 1.0, strictly) and for the [`Limits`].
//!
//! Invitations and Connection Strings 2 are tiny trees of elements with attributes and no
//! text. [`Reader`] gives their tags as tokens, and each document's grammar (in
//! `invitation.rs` and `connection_string2.rs`) reads them once. Everything else is refused:
//! document type declarations, entities beyond the five standard ones, processing
//! instructions, CDATA, text content, namespaces, characters XML does not allow, and anything
//! past the limits. Nothing is ever fetched or opened.
//!
//! The tokens come from one of two sources that give the same tokens: quick-xml
//! (`xml/quick.rs`) reads any text, and a scanner for text as Windows writes it
//! (`xml/windows.rs`) reads that faster and hands over to quick-xml at the offset where the
//! text stops being like it. What a tag, a declaration or a comment may hold is decided by the
//! lexers in this file, which both sources call; the nesting, the single root and the limits
//! by [`Reader`].

mod quick;
mod windows;

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::error::{Error, Position, Result, quote_value};
use crate::scan;
use crate::text::SourceEncoding;

/// What the lexers return: their errors boxed, which keeps the values they return small.
type LexResult<T> = std::result::Result<T, Box<Error>>;

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

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    pub(crate) name: &'a str,
    /// The value, normalised and unescaped as XML defines it.
    pub(crate) value: Cow<'a, str>,
    /// The value is a run of [`HEX_WORTH_NOTING`] or more hex digits and nothing else, so an
    /// LHTICKET need not be checked again.
    pub(crate) hex: bool,
}

/// A start tag's attributes, in one buffer the reader reuses for every tag. A `Vec` rather
/// than a `SmallVec`: its push is inlined, so each attribute is written where it goes instead
/// of being copied in a call (see docs/performance.md).
pub(crate) type Attributes<'a> = Vec<Attr<'a>>;

/// What a document is made of, as its grammar sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A start tag (`<name ...>`, or `<name .../>`, which is followed by its [`Token::End`]);
    /// its attributes are [`Reader::attributes`] until the next token.
    Start(&'a str),
    /// The end of the element named.
    End(&'a str),
    /// The end of the document, after its root element.
    Eof,
}

/// What a source finds in the text, before [`Reader`] checks how it fits together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme<'a> {
    /// `<?xml ...?>`, of the form XML allows, with the encoding it names.
    Declaration { encoding: Option<&'a str> },
    /// A start tag, its attributes read into the reader's list.
    Start { name: &'a str, empty: bool },
    /// An end tag.
    End(&'a str),
    /// Whitespace between tags.
    Space,
    /// A comment.
    Comment,
    /// The end of the text.
    Eof,
}

/// Where the next lexeme comes from.
enum Source<'a> {
    /// The scanner for text as Windows writes it, at its offset.
    Windows(usize),
    /// quick-xml, for any text.
    Quick(quick::QuickSource<'a>),
}

/// The tokens of one document: the one place that checks nesting, the single root, what
/// stands between tags, and every limit but those a grammar counts itself (listeners,
/// addresses, ticket size).
pub(crate) struct Reader<'a, 'l> {
    text: &'a str,
    limits: &'l Limits,
    /// How the text was decoded from bytes, which an encoding declaration must agree with.
    encoding: SourceEncoding,
    source: Source<'a>,
    attributes: Attributes<'a>,
    open: SmallVec<[&'a str; 8]>,
    elements: usize,
    root_seen: bool,
    pending_end: Option<&'a str>,
    failed: bool,
}

impl<'a, 'l> Reader<'a, 'l> {
    /// The tokens of `text`, read as fast as its bytes allow.
    pub(crate) fn new(text: &'a str, limits: &'l Limits) -> Reader<'a, 'l> {
        Self::with_source(text, limits, Source::Windows(0))
    }

    /// The tokens of `text`, decoded from bytes in `encoding`: an encoding declaration that
    /// would read those bytes otherwise is refused.
    pub(crate) fn decoded(
        text: &'a str,
        limits: &'l Limits,
        encoding: SourceEncoding,
    ) -> Reader<'a, 'l> {
        let mut reader = Self::new(text, limits);
        reader.encoding = encoding;
        reader
    }

    /// The tokens of `text`, from quick-xml alone (to compare the sources).
    #[cfg(any(test, fuzzing))]
    pub(crate) fn quick_only(text: &'a str, limits: &'l Limits) -> Reader<'a, 'l> {
        Self::with_source(
            text,
            limits,
            Source::Quick(quick::QuickSource::new(text, 0)),
        )
    }

    fn with_source(text: &'a str, limits: &'l Limits, source: Source<'a>) -> Reader<'a, 'l> {
        Reader {
            text,
            limits,
            encoding: SourceEncoding::Utf8,
            source,
            // Elements Windows writes have at most eight.
            attributes: Attributes::with_capacity(8),
            open: SmallVec::new(),
            elements: 0,
            root_seen: false,
            pending_end: None,
            failed: false,
        }
    }

    /// The attributes of the last [`Token::Start`], in document order. The grammar may take
    /// them (`std::mem::take`) to keep their values without copying.
    pub(crate) fn attributes(&mut self) -> &mut Attributes<'a> {
        &mut self.attributes
    }

    /// Whether the Windows scanner has given every token so far.
    #[cfg(test)]
    pub(crate) fn stayed_with_the_windows_scanner(&self) -> bool {
        matches!(self.source, Source::Windows(_))
    }

    /// The next token. After an error, there are no more.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Token<'a>> {
        // The error is boxed until here: the token that is returned almost always is small.
        let token = self.next_token();
        self.failed |= token.is_err();
        token.map_err(|e| *e)
    }

    #[inline]
    fn next_token(&mut self) -> LexResult<Token<'a>> {
        if self.failed {
            return Err(Box::new(Error::Structure(
                "the document was already refused".into(),
            )));
        }
        if let Some(name) = self.pending_end.take() {
            return Ok(Token::End(name));
        }
        loop {
            let (lexeme, offset) = self.lexeme()?;
            match lexeme {
                Lexeme::Declaration { .. } if offset != 0 => {
                    return Err(Box::new(malformed(
                        self.text,
                        offset,
                        "XML declaration not at the start",
                    )));
                }
                Lexeme::Declaration { encoding } => {
                    crate::text::check_declared_encoding(encoding, self.encoding, self.text)
                        .map_err(Box::new)?;
                }
                Lexeme::Space => {}
                Lexeme::Comment => self.count(offset)?,
                Lexeme::Start { name, empty } => {
                    if self.root_seen && self.open.is_empty() {
                        return Err(Box::new(malformed(
                            self.text,
                            offset,
                            "more than one root element",
                        )));
                    }
                    self.count(offset)?;
                    if self.open.len() + 1 > self.limits.max_depth {
                        return Err(Box::new(Error::Limit(format!(
                            "elements nested deeper than {} at {}",
                            self.limits.max_depth,
                            Position::of_offset(self.text, offset)
                        ))));
                    }
                    self.root_seen = true;
                    if empty {
                        self.pending_end = Some(name);
                    } else {
                        self.open.push(name);
                    }
                    return Ok(Token::Start(name));
                }
                Lexeme::End(name) => {
                    return match self.open.pop() {
                        Some(open) if same_name(open, name) => Ok(Token::End(name)),
                        Some(open) => Err(Box::new(malformed(
                            self.text,
                            offset,
                            &format!("</{name}> closes <{open}>"),
                        ))),
                        None => Err(Box::new(malformed(
                            self.text,
                            offset,
                            "closing tag without an opening tag",
                        ))),
                    };
                }
                Lexeme::Eof => {
                    if let Some(open) = self.open.last() {
                        return Err(Box::new(malformed(
                            self.text,
                            self.text.len(),
                            &format!("document ends before <{open}> is closed"),
                        )));
                    }
                    if !self.root_seen {
                        return Err(Box::new(malformed(self.text, 0, "no root element")));
                    }
                    return Ok(Token::Eof);
                }
            }
        }
    }

    /// The error to report when the grammar refused the document: the first error of the
    /// XML after it, if any (a document that is not well-formed XML is reported as such,
    /// wherever the problem is), else the grammar's.
    pub(crate) fn finish(mut self, grammar: Error) -> Error {
        if self.failed {
            // The grammar stopped at the XML's error, and returns it.
            return grammar;
        }
        loop {
            match self.next() {
                Ok(Token::Eof) => return grammar,
                Ok(_) => {}
                Err(xml) => return xml,
            }
        }
    }

    fn count(&mut self, offset: usize) -> LexResult<()> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(Box::new(Error::Limit(format!(
                "more than {} elements in one document (at {})",
                self.limits.max_elements,
                Position::of_offset(self.text, offset)
            ))));
        }
        Ok(())
    }

    #[inline]
    fn lexeme(&mut self) -> LexResult<(Lexeme<'a>, usize)> {
        if let Source::Windows(at) = &mut self.source {
            match windows::next(self.text, at, self.limits, &mut self.attributes) {
                Some(found) => return Ok(found),
                None => self.source = Source::Quick(quick::QuickSource::new(self.text, *at)),
            }
        }
        match &mut self.source {
            Source::Quick(quick) => quick.next(self.text, self.limits, &mut self.attributes),
            Source::Windows(_) => unreachable!("handed over above"),
        }
    }
}

impl Drop for Reader<'_, '_> {
    fn drop(&mut self) {
        discard(&mut self.attributes);
    }
}

/// Name equality inline: names are a few bytes, and `==` on them calls `memcmp`.
#[inline(always)]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Whitespace as XML knows it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

#[inline(always)]
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    at
}

/// Is `c` allowed to start an XML name (XML 1.0 fifth edition, production 4)?
fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Is `c` allowed in an XML name after its first character (production 4a)?
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// The ASCII bytes XML allows in names.
const ASCII_NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
        b += 1;
    }
    table
};

/// The bytes of the plain ASCII names Windows writes: XML name bytes but `:`.
const PLAIN_NAME_BYTES: [bool; 256] = {
    let mut table = ASCII_NAME_BYTES;
    table[b':' as usize] = false;
    table
};

/// `&text[start..end]`, for a value between its quotes: written with `split_at`, whose checks
/// are inlined, where indexing called a function for them (indexing is cheaper for names as it
/// is, measured).
#[inline(always)]
fn value_between_quotes(text: &str, start: usize, end: usize) -> &str {
    text.split_at(start).1.split_at(end - start).0
}

/// Where the plain ASCII name at `at` ends, when it is the whole name and a name XML allows
/// without namespaces: `None` sends the caller to [`name_at`] and [`check_no_namespace`].
#[inline(always)]
fn plain_name_at(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = at;
    // Letters eight at a time (most of every name Windows writes), then a byte at a time.
    while let Some(word) = scan::word_at(bytes, end) {
        let letters = scan::within(word | scan::splat(0x20), b'a', b'z');
        if letters != scan::HIGH {
            end += scan::first(!letters & scan::HIGH);
            break;
        }
        end += 8;
    }
    while end < bytes.len() && PLAIN_NAME_BYTES[usize::from(bytes[end])] {
        end += 1;
    }
    let first = *bytes.get(at)?;
    let whole = bytes.get(end).is_none_or(|&b| b < 0x80 && b != b':');
    (end > at
        && (first.is_ascii_alphabetic() || first == b'_')
        && whole
        && !(end - at == 5 && &bytes[at..end] == b"xmlns"))
        .then_some(end)
}

/// The XML name at `at`, and where it ends; `None` if no name starts there.
fn name_at(text: &str, at: usize) -> Option<(&str, usize)> {
    let rest = text.get(at..)?;
    let bytes = rest.as_bytes();
    // ASCII names (all of Windows') without decoding characters.
    let mut ascii = 0;
    while ascii < bytes.len() && ASCII_NAME_BYTES[usize::from(bytes[ascii])] {
        ascii += 1;
    }
    let end = if bytes.get(ascii).is_some_and(|&b| b >= 0x80) {
        rest.char_indices()
            .find(|&(i, c)| i >= ascii && !is_name_char(c))
            .map_or(rest.len(), |(i, _)| i)
    } else {
        ascii
    };
    let name = &rest[..end];
    name.chars()
        .next()
        .is_some_and(is_name_start)
        .then_some((name, at + end))
}

/// Refuse namespace prefixes and declarations, which no genuine invitation carries.
#[inline(always)]
fn check_no_namespace(text: &str, tag: usize, name: &str, what: &str) -> LexResult<()> {
    if name.bytes().any(|b| b == b':') {
        return Err(Box::new(malformed(
            text,
            tag,
            &format!(
                "{what} {} has a namespace prefix; invitations use no namespaces",
                quote_value(name)
            ),
        )));
    }
    if same_name(name, "xmlns") {
        return Err(Box::new(malformed(
            text,
            tag,
            "a namespace declaration (xmlns); invitations use no namespaces",
        )));
    }
    Ok(())
}

/// The start tag whose `<` is at `lt`: its name, the offset just past its `>`, and whether it
/// is empty (`/>`). Its attributes are read into `attributes` (cleared first), checked
/// against the limits. Production 40 of XML 1.0, with namespaces refused.
fn start_tag<'a>(
    text: &'a str,
    lt: usize,
    limits: &Limits,
    attributes: &mut Attributes<'a>,
) -> LexResult<(&'a str, usize, bool)> {
    discard(attributes);
    let bytes = text.as_bytes();
    let (name, mut at) = match plain_name_at(bytes, lt + 1) {
        Some(end) => (&text[lt + 1..end], end),
        None => {
            let (name, at) = name_at(text, lt + 1).ok_or_else(|| {
                tag_error(text, lt, format_args!("expected an element name after '<'"))
            })?;
            check_no_namespace(text, lt, name, "element")?;
            (name, at)
        }
    };
    // Which (length, first byte) classes of attribute names the tag has so far, as bits.
    let mut seen = 0u64;
    loop {
        // The form Windows writes, whitespace then `NAME="VALUE"` with a plain ASCII name,
        // read without the general steps below (which read it the same way).
        let spaced = skip_space(bytes, at);
        if spaced > at
            && let Some(end) = plain_name_at(bytes, spaced)
            && bytes.get(end) == Some(&b'=')
            && bytes.get(end + 1) == Some(&b'"')
        {
            let key = &text[spaced..end];
            let (close, value, hex) = attribute_value(text, end + 2, b'"', lt, key)?;
            add_attribute(
                text, lt, name, attributes, &mut seen, key, value, hex, limits,
            )?;
            at = close + 1;
            continue;
        }
        match bytes.get(spaced) {
            Some(b'>') => return Ok((name, spaced + 1, false)),
            Some(b'/') if bytes.get(spaced + 1) == Some(&b'>') => {
                return Ok((name, spaced + 2, true));
            }
            None => {
                return Err(tag_error(
                    text,
                    lt,
                    format_args!("the document ends inside <{name}>"),
                ));
            }
            Some(_) if spaced == at => {
                let after = if attributes.is_empty() {
                    "the element name"
                } else {
                    "an attribute"
                };
                return Err(tag_error(
                    text,
                    lt,
                    format_args!("in <{name}>: expected whitespace, '>' or '/>' after {after}"),
                ));
            }
            Some(_) => {}
        }
        let (key, after) = name_at(text, spaced).ok_or_else(|| {
            tag_error(
                text,
                lt,
                format_args!("in <{name}>: expected an attribute name"),
            )
        })?;
        check_no_namespace(text, lt, key, "attribute")?;
        at = skip_space(bytes, after);
        if bytes.get(at) != Some(&b'=') {
            return Err(tag_error(
                text,
                lt,
                format_args!("in <{name}>: attribute {key} has no '='"),
            ));
        }
        at = skip_space(bytes, at + 1);
        let quote = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => quote,
            _ => {
                return Err(tag_error(
                    text,
                    lt,
                    format_args!("in <{name}>: the value of attribute {key} is not in quotes"),
                ));
            }
        };
        let (close, value, hex) = attribute_value(text, at + 1, quote, lt, key)?;
        add_attribute(
            text, lt, name, attributes, &mut seen, key, value, hex, limits,
        )?;
        at = close + 1;
    }
}

/// The error for a tag whose `<` is at `lt`: out of line, so that the lexers' loops stay small.
#[cold]
#[inline(never)]
fn tag_error(text: &str, lt: usize, detail: std::fmt::Arguments<'_>) -> Box<Error> {
    Box::new(malformed(text, lt, &detail.to_string()))
}

/// Empty `attributes`, wiping every value that was unescaped into a string of its own: in a
/// decrypted ticket, values are secret (the others are the document's text, which its owner
/// wipes).
#[inline(always)]
fn discard(attributes: &mut Attributes<'_>) {
    for attribute in attributes.drain(..) {
        if let Cow::Owned(mut value) = attribute.value {
            crate::crypto::wipe_string(&mut value);
        }
    }
}

/// Past this many attributes, duplicates are looked for with a set instead of a scan.
const LINEAR_DUPLICATE_CHECK: usize = 32;

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn add_attribute<'a>(
    text: &str,
    lt: usize,
    element: &str,
    attributes: &mut Attributes<'a>,
    seen: &mut u64,
    key: &'a str,
    value: Cow<'a, str>,
    hex: bool,
    limits: &Limits,
) -> LexResult<()> {
    // A duplicate has the same length and first byte as the name it repeats: only when an
    // earlier name shares both (never, among the names Windows writes) are the names compared.
    let class = key
        .len()
        .wrapping_mul(7)
        .wrapping_add(usize::from(key.as_bytes().first().copied().unwrap_or(0)))
        % 64;
    let possible = *seen & (1 << class) != 0;
    *seen |= 1 << class;
    if possible && is_duplicate(attributes, key) {
        return Err(tag_error(
            text,
            lt,
            format_args!("attribute {key} appears twice in <{element}>"),
        ));
    }
    let too_many = attributes.len() >= limits.max_attributes;
    if too_many || value.len() > limits.max_attribute_bytes {
        return Err(attribute_limit(
            text,
            lt,
            element,
            key,
            value.len(),
            too_many,
            limits,
        ));
    }
    attributes.push(Attr {
        name: key,
        value,
        hex,
    });
    Ok(())
}

/// Whether an attribute named `key` is among `attributes` already.
#[inline(never)]
fn is_duplicate(attributes: &[Attr<'_>], key: &str) -> bool {
    if attributes.len() < LINEAR_DUPLICATE_CHECK {
        attributes.iter().any(|a| same_name(a.name, key))
    } else {
        let names: std::collections::HashSet<&str> = attributes.iter().map(|a| a.name).collect();
        names.contains(key)
    }
}

/// The limit an attribute `key` of `length` bytes on `element` went past: the number of
/// attributes if `too_many`, else its length.
#[cold]
#[inline(never)]
fn attribute_limit(
    text: &str,
    lt: usize,
    element: &str,
    key: &str,
    length: usize,
    too_many: bool,
    limits: &Limits,
) -> Box<Error> {
    let at = Position::of_offset(text, lt);
    Box::new(Error::Limit(if too_many {
        format!(
            "more than {} attributes on <{element}> at {at}",
            limits.max_attributes
        )
    } else {
        format!(
            "attribute {key} at {at} is {length} bytes long, above the limit of {}",
            limits.max_attribute_bytes
        )
    }))
}

/// The end tag whose `<` is at `lt` (`</name>`, whitespace allowed before `>`): its name and
/// the offset just past it.
fn end_tag(text: &str, lt: usize) -> LexResult<(&str, usize)> {
    let bytes = text.as_bytes();
    let error = |detail: &str| malformed(text, lt, detail);
    let (name, after) = match plain_name_at(bytes, lt + 2) {
        Some(end) => (&text[lt + 2..end], end),
        None => {
            name_at(text, lt + 2).ok_or_else(|| error("expected an element name after '</'"))?
        }
    };
    let at = skip_space(bytes, after);
    if bytes.get(at) != Some(&b'>') {
        return Err(Box::new(error(&format!("expected '>' to end </{name}"))));
    }
    Ok((name, at + 1))
}

/// Check the XML declaration `text[start..end]` (production 23): `<?xml`, a version `1.x`, then
/// perhaps an encoding name and `standalone`, each after whitespace, quoted either way, in
/// that order, then `?>`. The encoding named is not used: the bytes are sniffed.
fn declaration(text: &str, start: usize, end: usize) -> LexResult<Option<&str>> {
    // The two declarations Windows writes, without reading them piece by piece.
    match text.get(start..end) {
        Some("<?xml version=\"1.0\"?>") => return Ok(None),
        Some("<?xml version=\"1.0\" encoding=\"Unicode\" ?>") => return Ok(Some("Unicode")),
        _ => {}
    }
    let error = |detail: &str| malformed(text, start, &format!("XML declaration: {detail}"));
    let inner = text
        .get(start..end)
        .and_then(|d| d.strip_prefix("<?xml"))
        .and_then(|d| d.strip_suffix("?>"))
        .ok_or_else(|| error("expected <?xml ... ?>"))?;
    let bytes = inner.as_bytes();
    let mut at = 0;
    let mut encoding = None;
    let mut expected = ["version", "encoding", "standalone"].as_slice();
    loop {
        let spaced = skip_space(bytes, at);
        if spaced == bytes.len() {
            break;
        }
        if spaced == at {
            return Err(Box::new(error(
                "expected whitespace before each pseudo-attribute",
            )));
        }
        let name_end = spaced
            + bytes[spaced..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase())
                .count();
        let name = &inner[spaced..name_end];
        let Some(position) = expected.iter().position(|&e| e == name) else {
            return Err(Box::new(error(&format!(
                "unexpected {}; expected version, then encoding and standalone",
                quote_value(name)
            ))));
        };
        if name != "version" && expected[0] == "version" {
            return Err(Box::new(error("version must come first")));
        }
        expected = &expected[position + 1..];
        let mut i = skip_space(bytes, name_end);
        if bytes.get(i) != Some(&b'=') {
            return Err(Box::new(error(&format!("{name} has no '='"))));
        }
        i = skip_space(bytes, i + 1);
        let quote = *bytes
            .get(i)
            .filter(|&&q| q == b'"' || q == b'\'')
            .ok_or_else(|| error(&format!("the value of {name} is not in quotes")))?;
        let close = i
            + 1
            + memchr::memchr(quote, &bytes[i + 1..])
                .ok_or_else(|| error(&format!("the value of {name} has no closing quote")))?;
        let value = &inner[i + 1..close];
        let valid = match name {
            "version" => value.strip_prefix("1.").is_some_and(|minor| {
                !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())
            }),
            "encoding" => {
                value
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic())
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
            _ => matches!(value, "yes" | "no"),
        };
        if !valid {
            return Err(Box::new(error(&format!(
                "{name}=\"{}\" is not valid",
                quote_value(value)
            ))));
        }
        if name == "encoding" {
            encoding = Some(value);
        }
        at = close + 1;
    }
    if expected.first() == Some(&"version") {
        return Err(Box::new(error("it has no version")));
    }
    Ok(encoding)
}

/// Check a comment's text (between `<!--` and `-->`): no `--` in it, no `-` at its end, and
/// only characters XML allows (production 15).
fn check_comment(text: &str, lt: usize, body: &str) -> LexResult<()> {
    if body.contains("--") || body.ends_with('-') {
        return Err(Box::new(malformed(text, lt, "'--' inside a comment")));
    }
    if let Some(c) = body.chars().find(|&c| !is_xml_char(c)) {
        return Err(Box::new(malformed(
            text,
            lt,
            &format!(
                "character U+{:04X} in a comment, which XML does not allow",
                u32::from(c)
            ),
        )));
    }
    Ok(())
}

/// Is `c` a character XML 1.0 allows in a document (production 2)?
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The value of an attribute from `start`, just after its opening `quote`: the offset of the
/// closing quote, the value normalised and unescaped, and whether it is a long run of hex
/// digits. `lt` (the tag's `<`) places errors.
#[inline(always)]
fn attribute_value<'a>(
    text: &'a str,
    start: usize,
    quote: u8,
    lt: usize,
    key: &str,
) -> LexResult<(usize, Cow<'a, str>, bool)> {
    let rest = text.as_bytes().get(start..).unwrap_or_default();
    // Most values end in their first sixteen bytes. Longer ones may be hex digits, which need
    // nothing done: an LHTICKET (6 KB) is read in one pass that also spares
    // `LhTicket::from_hex` checking it again. Other values need one pass to the quote, unless
    // something needs work first (controls, line breaks, references, non-ASCII, `<`).
    let (plain, hex) = match plain_value_head(rest, quote) {
        Some(plain) => (plain, false),
        None => match hex_run(rest, quote) {
            0 => (plain_value_tail(rest, quote), false),
            hex_digits => (hex_digits, true),
        },
    };
    if rest.get(plain) == Some(&quote) {
        let end = start + plain;
        return Ok((
            end,
            Cow::Borrowed(value_between_quotes(text, start, end)),
            hex,
        ));
    }
    let close = start
        + memchr::memchr(quote, rest).ok_or_else(|| {
            malformed(
                text,
                lt,
                &format!("the value of attribute {key} has no closing quote"),
            )
        })?;
    let value = normalize(text, start, close, lt, key)?;
    Ok((close, value, false))
}

/// The value `text[start..end]` as XML defines it (section 3.3.3): references replaced, and
/// each tab, line break or CRLF a space. Refused: `<`, characters XML does not allow, and
/// references to anything but the five standard entities and allowed characters.
fn normalize<'a>(
    text: &'a str,
    start: usize,
    end: usize,
    lt: usize,
    key: &str,
) -> LexResult<Cow<'a, str>> {
    let value = &text[start..end];
    let bytes = value.as_bytes();
    if let Some(lines) = base64_lines(bytes) {
        return Ok(Cow::Owned(lines));
    }
    check_value_bytes(text, bytes, lt, key)?;
    // Tabs are legal but rare: they take the general loop below.
    let Some(first) = memchr::memchr3(b'&', b'\r', b'\n', bytes) else {
        if memchr::memchr(b'\t', bytes).is_none() {
            return Ok(Cow::Borrowed(value));
        }
        return normalize_slowly(text, value, lt, key).map(Cow::Owned);
    };
    if memchr::memchr(b'\t', bytes).is_some() {
        return normalize_slowly(text, value, lt, key).map(Cow::Owned);
    }
    let mut out = String::with_capacity(value.len());
    let mut done = 0;
    let mut next = Some(first);
    while let Some(at) = next {
        let line = &value[done..at];
        out.push_str(line);
        match bytes[at] {
            b'&' => {
                if bytes[at + 1..].starts_with(b"#xA;") {
                    out.push('\n');
                    done = at + 5;
                } else {
                    let (c, length) = reference(text, &value[at..], lt, key)?;
                    out.push(c);
                    done = at + length;
                }
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
        next = memchr::memchr3(b'&', b'\r', b'\n', &bytes[done..]).map(|found| done + found);
    }
    out.push_str(&value[done..]);
    Ok(Cow::Owned(out))
}

/// A certificate as Windows writes it, base64 in lines joined by `&#xA;`, normalised: the
/// lines joined by line feeds. `None` for any other value. One pass that both checks and
/// copies, as every byte of such a value is one XML allows and keeps as it is.
fn base64_lines(bytes: &[u8]) -> Option<String> {
    const BREAK: &[u8] = b"&#xA;";
    #[inline(always)]
    fn is_base64_symbol(b: u8) -> bool {
        // One signed comparison per range after shifting its start to -128, as `is_hex_digit`.
        let digit = b.wrapping_add(0x80 - b'0') as i8;
        let letter = (b | 0x20).wrapping_add(0x80 - b'a') as i8;
        (digit < i8::MIN + 10) | (letter < i8::MIN + 26) | (b == b'+') | (b == b'/') | (b == b'=')
    }
    #[inline(always)]
    fn all_base64(line: &[u8]) -> bool {
        line.iter().fold(true, |all, &b| all & is_base64_symbol(b))
    }
    let line = memchr::memchr(b'&', bytes)?;
    if line == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match rest.get(line..line + BREAK.len()) {
            Some(BREAK) if all_base64(&rest[..line]) => {
                out.extend_from_slice(&rest[..line]);
                out.push(b'\n');
                rest = &rest[line + BREAK.len()..];
            }
            // The last line, which may be shorter.
            _ if rest.len() <= line && all_base64(rest) => {
                out.extend_from_slice(rest);
                break;
            }
            _ => return None,
        }
    }
    // Base64 symbols and line feeds are ASCII.
    String::from_utf8(out).ok()
}

/// [`normalize`] a character at a time, for values with tabs.
fn normalize_slowly(text: &str, value: &str, lt: usize, key: &str) -> LexResult<String> {
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    while let Some(c) = value[at..].chars().next() {
        match c {
            '&' => {
                let (c, length) = reference(text, &value[at..], lt, key)?;
                out.push(c);
                at += length;
                continue;
            }
            '\r' if value[at + 1..].starts_with('\n') => {
                out.push(' ');
                at += 1;
            }
            '\t' | '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
        at += c.len_utf8();
    }
    Ok(out)
}

/// Refuse what may not stand in a value as it is: `<`, C0 controls other than tab and line
/// breaks, U+FFFE and U+FFFF. Sixteen bytes at a time; the characters are looked at only in
/// a block with a suspect byte.
fn check_value_bytes(text: &str, bytes: &[u8], lt: usize, key: &str) -> LexResult<()> {
    #[inline(always)]
    fn suspect(b: u8) -> u8 {
        u8::from(b < 0x20) | u8::from(b == b'<') | u8::from(b == 0xEF)
    }
    let mut blocks = bytes.chunks_exact(16);
    let mut at = 0;
    for block in &mut blocks {
        let block: &[u8; 16] = block.try_into().unwrap_or(&[0; 16]);
        if block.iter().fold(0u8, |any, &b| any | suspect(b)) != 0 {
            check_value_block(text, bytes, at, 16, lt, key)?;
        }
        at += 16;
    }
    check_value_block(text, bytes, at, blocks.remainder().len(), lt, key)
}

/// [`check_value_bytes`] on the `length` bytes from `at`, a byte at a time.
#[cold]
fn check_value_block(
    text: &str,
    bytes: &[u8],
    at: usize,
    length: usize,
    lt: usize,
    key: &str,
) -> LexResult<()> {
    for here in at..at + length {
        match bytes[here] {
            b'<' => {
                return Err(Box::new(malformed(
                    text,
                    lt,
                    &format!("'<' in the value of attribute {key}"),
                )));
            }
            b'\t' | b'\n' | b'\r' => {}
            0xEF if matches!(bytes.get(here + 1..here + 3), Some([0xBF, 0xBE | 0xBF])) => {
                return Err(Box::new(Error::Entity {
                    position: Position::of_offset(text, lt),
                    detail: format!("attribute {key} holds U+FFFE or U+FFFF, which XML forbids"),
                }));
            }
            control if control < 0x20 => {
                return Err(Box::new(malformed(
                    text,
                    lt,
                    &format!(
                        "character U+{control:04X} in the value of attribute {key}, \
                         which XML does not allow"
                    ),
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The reference at the start of `rest` (`&...;`): the character it stands for and its
/// length. The five standard entities and character references to characters XML allows.
fn reference(text: &str, rest: &str, lt: usize, key: &str) -> LexResult<(char, usize)> {
    let error = |detail: String| Error::Entity {
        position: Position::of_offset(text, lt),
        detail: format!("in attribute {key}: {detail}"),
    };
    // References are short: look a few bytes ahead before searching further.
    let semicolon = match rest.as_bytes().iter().take(12).position(|&b| b == b';') {
        Some(at) => Some(at),
        None => memchr::memchr(b';', rest.as_bytes()),
    }
    .ok_or_else(|| error("'&' without a ';' ending the reference".into()))?;
    let name = &rest[1..semicolon];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "quot" => '"',
        _ => match name.strip_prefix('#') {
            Some(number) => character_reference(number).ok_or_else(|| {
                error(format!(
                    "&{}; is not a reference to a character XML allows",
                    quote_value(name)
                ))
            })?,
            None => {
                return Err(Box::new(error(format!(
                    "undeclared entity &{};",
                    quote_value(name)
                ))));
            }
        },
    };
    Ok((c, semicolon + 1))
}

/// `x` and hex digits, or decimal digits, naming a character XML allows (production 66).
fn character_reference(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| char::from(b).is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
        .filter(|&c| is_xml_char(c))
}

/// The shortest run of hex digits worth noting (an LHTICKET is thousands).
const HEX_WORTH_NOTING: usize = 64;

/// The number of hex digits `bytes` starts with when there are at least
/// [`HEX_WORTH_NOTING`] of them, else 0. A value of hex digits alone, up to the `quote`, is
/// checked whole (vectorised).
#[inline(always)]
fn hex_run(bytes: &[u8], quote: u8) -> usize {
    match bytes.get(..HEX_WORTH_NOTING) {
        // Most values fail on their first bytes: look at those before a whole block.
        Some(start)
            if start[..8].iter().all(u8::is_ascii_hexdigit) && crate::text::is_hex(start) =>
        {
            match memchr::memchr(quote, bytes) {
                Some(end) if crate::text::is_hex(&bytes[..end]) => end,
                _ => crate::text::hex_digits_at_start(bytes),
            }
        }
        _ => 0,
    }
}

/// How many bytes at the start of `bytes` can stand in an attribute value quoted with `quote`
/// as they are: printable ASCII but `quote`, `&` and `<`. The byte after them is the closing
/// quote when the value needs no normalising.
///
/// Most values are a few to a few tens of bytes: the first sixteen are looked at eight at a
/// time in a word ([`plain_value_head`]), then sixteen at a time in a loop the compiler
/// vectorises, then eight at a time again to find where in those sixteen the run ends
/// ([`plain_value_tail`]); a byte at a time cost more than the rest of reading them. The two
/// parts are inlined, so that the quote is known at compile time and no call is made (see
/// docs/performance.md). [`attribute_value`] calls them apart, with the hex run between them;
/// this is their composition, for the tests.
#[cfg(test)]
fn plain_value_bytes(bytes: &[u8], quote: u8) -> usize {
    plain_value_head(bytes, quote).unwrap_or_else(|| plain_value_tail(bytes, quote))
}

/// Whether `b` ends a plain value quoted with `quote`.
#[inline(always)]
fn stops_value(b: u8, quote: u8) -> bool {
    // Below 0x20 as a signed byte: the controls, and every non-ASCII byte.
    (b == quote) | (b == b'&') | (b == b'<') | ((b as i8) < 0x20)
}

/// The high bit of each byte of `word` that ends a plain value quoted with `quote` (for
/// `"`, perhaps of bytes after the first too: [`scan::first`] of it is exact).
#[inline(always)]
fn value_stops_in(word: u64, quote: u8) -> u64 {
    if quote == b'"' {
        scan::first_value_stop(word)
    } else {
        scan::control_or_non_ascii(word)
            | scan::equal(word, quote)
            | scan::equal(word, b'&')
            | scan::equal(word, b'<')
    }
}

/// [`plain_value_bytes`] when the run ends within the first sixteen bytes (or the bytes do);
/// `None` when those sixteen can all stand in the value.
#[inline(always)]
fn plain_value_head(bytes: &[u8], quote: u8) -> Option<usize> {
    for at in [0, 8] {
        let Some(word) = scan::word_at(bytes, at) else {
            let run = bytes.get(at..).unwrap_or_default();
            return Some(at + run.iter().take_while(|&&b| !stops_value(b, quote)).count());
        };
        let stop = value_stops_in(word, quote);
        if stop != 0 {
            return Some(at + scan::first(stop));
        }
    }
    None
}

/// [`plain_value_bytes`] for bytes whose first sixteen can all stand in the value.
#[inline(always)]
fn plain_value_tail(bytes: &[u8], quote: u8) -> usize {
    let mut at = 16;
    for chunk in bytes.get(16..).unwrap_or_default().chunks_exact(16) {
        let chunk: &[u8; 16] = chunk.try_into().unwrap_or(&[0; 16]);
        if chunk
            .iter()
            .fold(0u8, |any, &b| any | u8::from(stops_value(b, quote)))
            != 0
        {
            break;
        }
        at += 16;
    }
    while let Some(word) = scan::word_at(bytes, at) {
        let stop = value_stops_in(word, quote);
        if stop != 0 {
            return at + scan::first(stop);
        }
        at += 8;
    }
    while at < bytes.len() && !stops_value(bytes[at], quote) {
        at += 1;
    }
    at
}

fn malformed(text: &str, offset: usize, detail: &str) -> Error {
    Error::Malformed {
        position: Position::of_offset(text, offset),
        detail: detail.to_string(),
    }
}

/// Comparing the two sources: what the unit tests and the `token_sources` fuzz target check.
#[cfg(any(test, fuzzing))]
pub(crate) mod differential {
    use super::{Attr, HEX_WORTH_NOTING, Limits, Reader, Token};
    use crate::error::Error;

    /// Every token of a document and the attributes of each start tag, then the error that
    /// ended it, if any.
    pub(crate) type Tokens<'a> = (Vec<(Token<'a>, Vec<Attr<'a>>)>, Option<Error>);

    pub(crate) fn tokens<'a>(mut reader: Reader<'a, '_>) -> Tokens<'a> {
        let mut tokens = Vec::new();
        loop {
            match reader.next() {
                Ok(Token::Eof) => return (tokens, None),
                Ok(token) => {
                    let attributes = match token {
                        Token::Start(_) => reader.attributes().to_vec(),
                        _ => Vec::new(),
                    };
                    tokens.push((token, attributes));
                }
                Err(e) => return (tokens, Some(e)),
            }
        }
    }

    /// Both sources give the same tokens and the same error, and every value noted as hex
    /// is; panics if not. Returns whether the document was read to its end.
    pub(crate) fn sources_agree(text: &str, limits: &Limits) -> bool {
        let fast = tokens(Reader::new(text, limits));
        let quick = tokens(Reader::quick_only(text, limits));
        assert_eq!(fast, quick, "{text:?}");
        for (_, attributes) in &fast.0 {
            for attribute in attributes {
                if attribute.hex {
                    assert!(
                        attribute.value.len() >= HEX_WORTH_NOTING
                            && attribute.value.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{attribute:?} noted as hex in {text:?}"
                    );
                }
            }
        }
        fast.1.is_none()
    }

    /// [`sources_agree`] on `data` decoded as rainv decodes files, under the default limits
    /// and under tight ones the first byte picks.
    pub(crate) fn sources_agree_on(data: &[u8]) {
        let Ok((text, _)) = crate::text::decode_document(data) else {
            return;
        };
        sources_agree(&text, &Limits::default());
        let pick = data.first().copied().unwrap_or(0);
        let tight = Limits {
            max_depth: 1 + usize::from(pick % 4),
            max_elements: 1 + usize::from(pick / 4 % 8),
            max_attributes: usize::from(pick / 32 % 4),
            max_attribute_bytes: 64 * usize::from(pick % 3),
            ..Limits::default()
        };
        sources_agree(&text, &tight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::differential::{sources_agree, tokens};

    fn read_ok(text: &str) -> Vec<(Token<'_>, Vec<Attr<'_>>)> {
        assert!(sources_agree(text, &Limits::default()), "{text:?}");
        tokens(Reader::new(text, &Limits::default())).0
    }

    fn refused(text: &str) -> Error {
        assert!(!sources_agree(text, &Limits::default()), "{text:?}");
        tokens(Reader::new(text, &Limits::default())).1.unwrap()
    }

    fn value<'t>(tokens: &'t [(Token<'_>, Vec<Attr<'_>>)], name: &str) -> &'t str {
        tokens
            .iter()
            .flat_map(|(_, attributes)| attributes)
            .find(|a| a.name == name)
            .map(|a| a.value.as_ref())
            .unwrap()
    }

    #[test]
    fn reads_attributes_in_every_legal_spelling() {
        let t = read_ok(
            "<?xml version=\"1.0\"?>\n<a x='1'\n y = \"&amp;&#xA;&#65;&#x10FFFF;\" z=\"a\nb\r\nc\rd\te\"/>",
        );
        assert_eq!(t[0].0, Token::Start("a"));
        assert_eq!(t[1].0, Token::End("a"));
        assert_eq!(value(&t, "x"), "1");
        assert_eq!(value(&t, "y"), "&\nA\u{10FFFF}");
        // Literal line breaks and tabs are normalised to spaces, as XML requires.
        assert_eq!(value(&t, "z"), "a b c d e");
        let t =
            read_ok("<a q='\"' r=\"'\" s=\"&lt;&gt;&quot;&apos;\" k=\"caf\u{e9} \u{1F600}\"></a >");
        assert_eq!(value(&t, "q"), "\"");
        assert_eq!(value(&t, "r"), "'");
        assert_eq!(value(&t, "s"), "<>\"'");
        assert_eq!(value(&t, "k"), "caf\u{e9} \u{1F600}");
        // Comments and whitespace may stand around the root; declarations of every legal form.
        for text in [
            "<!--c--> <a/> <!-- d -->\r\n",
            "<?xml version='1.0' encoding='UTF-8' standalone='no' ?><a/>",
            "<?xml version=\"1.1\"\tencoding=\"Unicode\"?><a/>",
            "<?xml version = \"1.0\" standalone = \"yes\"?><a/>",
        ] {
            read_ok(text);
        }
    }

    #[test]
    fn certificates_in_base64_lines_read_as_every_other_value() {
        let line = "MIIC4jCCAcqgAwIBAgIQV4C9WhK7GZ9I9f7v7U9leDANBgkqhkiG9w0BAQsFADAa";
        let symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let certificate =
            format!("{line}&#xA;{line}&#xA;{symbols}&#xA;qy3P4cr4SlLUm7GGiWGiKSvAOusRCA==");
        let lines = |value: &str| base64_lines(value.as_bytes());
        assert_eq!(
            lines(&certificate).as_deref(),
            Some(format!("{line}\n{line}\n{symbols}\nqy3P4cr4SlLUm7GGiWGiKSvAOusRCA==").as_str())
        );
        // Every value the fast path takes, it reads as the general path does; the rest it leaves.
        let mut values = vec![
            certificate.clone(),
            format!("{line}&#xA;"),
            format!("{line}&#xA;{line}"),
            format!("{line}&#xA;{line}{line}"),
            format!("{line}&#xA;{line}x&#xA;"),
            format!("&#xA;{line}"),
            format!("{line}&#xA;&#xA;"),
            format!("{line}&amp;{line}"),
            format!("{line}&#xA;{line}&#xD;"),
            format!("{line}&#xA"),
            "no break".into(),
        ];
        for at in 0..certificate.len() {
            for replacement in [
                "-", "_", "\t", "\n", "&", "<", "\u{e9}", "@", "[", "`", "{", ":",
            ] {
                let mut changed = certificate.clone();
                if changed.is_char_boundary(at) && changed.is_char_boundary(at + 1) {
                    changed.replace_range(at..at + 1, replacement);
                    values.push(changed);
                }
            }
        }
        let mut taken = 0;
        for value in &values {
            let text = format!("<a v=\"{value}\"/>");
            let general = (|| {
                check_value_bytes(&text, value.as_bytes(), 0, "v")?;
                normalize_slowly(&text, value, 0, "v")
            })();
            if let Some(fast) = lines(value) {
                taken += 1;
                assert_eq!(Some(fast), general.ok(), "{value:?}");
            }
        }
        assert!(
            taken > 4 && taken < values.len() / 2,
            "{taken} of {}",
            values.len()
        );
        // The symbols at each end of the ranges, and the bytes just outside them.
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"+/=".contains(&b);
            let value = [b; 3];
            let mut with_break = value.to_vec();
            with_break.extend_from_slice(b"&#xA;");
            with_break.extend_from_slice(&value);
            assert_eq!(base64_lines(&with_break).is_some(), expected, "{b:#x}");
        }
    }

    #[test]
    fn refuses_dtd_entities_and_all_but_elements() {
        assert!(matches!(
            refused("<!DOCTYPE a [<!ENTITY x SYSTEM \"http://e/\">]><a/>"),
            Error::Doctype(_)
        ));
        for text in [
            "<a b=\"&x;\"/>",
            "<a>&x;</a>",
            "<a b=\"&#0;\"/>",
            "<a b=\"&#x1B;\"/>",
            "<a b=\"&#xFFFE;\"/>",
            "<a b=\"&#X41;\"/>",
            "<a b=\"&#x110000;\"/>",
            "<a b=\"&amp\"/>",
            "<a b=\"&#99999999999;\"/>",
            "<a b=\"\u{FFFF}\"/>",
        ] {
            assert!(matches!(refused(text), Error::Entity { .. }), "{text}");
        }
        for text in [
            "<a><?pi x?></a>",
            "<a><![CDATA[x]]></a>",
            "<a>text</a>",
            "<a>&amp;</a>",
            "<a/><b/>",
            "<a/>x",
            "<a>",
            "</a>",
            "<a></b>",
            "",
            " ",
            "<!--c-->",
            "<a x=\"1\" x=\"2\"/>",
            "<a x=\"<\"/>",
            "\u{FEFF}<a/>",
        ] {
            assert!(matches!(refused(text), Error::Malformed { .. }), "{text:?}");
        }
    }

    #[test]
    fn refuses_what_xml_does_not_allow_where_quick_xml_is_lenient() {
        for text in [
            // Attributes must be separated by whitespace, and quoted.
            "<a x=\"1\"y=\"2\"/>",
            "<a x='1'y='2'></a>",
            "<a x=1/>",
            "<a x/>",
            "<a =\"1\"/>",
            "<a x=\"1\"/ >",
            // The declaration's form: version first, then encoding, then standalone.
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
            "<?xml encoding=\"UTF-8\" version=\"1.0\"?><a/>",
            "<?xml encoding=\"UTF-8\"?><a/>",
            "<?xml version=\"2.0\"?><a/>",
            "<?xml version=\"1.\"?><a/>",
            "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
            "<?xml version=\"1.0\" encoding=\"\"?><a/>",
            "<?xml version=\"1.0\" other=\"x\"?><a/>",
            "<?xml version=\"1.0\" version=\"1.0\"?><a/>",
            "<?xml version=1.0?><a/>",
            " <?xml version=\"1.0\"?><a/>",
            "<a/><?xml version=\"1.0\"?>",
            // Namespaces, which no invitation has.
            "<x:a/>",
            "<a x:y=\"1\"/>",
            "<a xmlns=\"urn:x\"/>",
            "<a xmlns:x=\"urn:x\"/>",
            // Characters XML does not allow.
            "<a x=\"\u{1B}[31m\"/>",
            "<a x=\"\u{0}\"/>",
            "<!--\u{1}--><a/>",
            // Comments.
            "<!-- a -- b --><a/>",
            "<!-- a ---><a/>",
            // Names.
            "<1a/>",
            "<a 1x=\"x\"/>",
            "<a x\u{202E}=\"x\"/>",
            "<\u{e9}\u{2}/>",
        ] {
            assert!(
                matches!(refused(text), Error::Malformed { .. }),
                "{text:?}: {:?}",
                refused(text)
            );
        }
        // Names beyond ASCII are XML names.
        read_ok("<\u{e9}l\u{e8}ve _\u{4E2D}=\"x\" a-b.c\u{B7}=\"y\"/>");
    }

    #[test]
    fn windows_files_stay_with_the_windows_scanner() {
        for text in [
            "<?xml version=\"1.0\"?>\n<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"a\" L=\"0\"/></UPLOADINFO>",
            "<?xml version=\"1.0\" encoding=\"Unicode\" ?>\r\n<UPLOADINFO TYPE=\"Escalated\">\r\n<UPLOADDATA\r\nUSERNAME=\"a\"\r\nL=\"0\" />\r\n</UPLOADINFO>\r\n",
            "<E><A KH=\"k\" CE=\"x&#xA;y\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>\r\n",
        ] {
            let limits = Limits::default();
            let mut reader = Reader::new(text, &limits);
            while reader.next().unwrap() != Token::Eof {}
            assert!(reader.stayed_with_the_windows_scanner(), "{text:?}");
            assert!(sources_agree(text, &limits));
        }
    }

    #[test]
    fn declarations_end_at_the_first_question_mark_and_angle_bracket() {
        // A `?` not followed by `>`, at every distance from the start (the Windows scanner
        // searches a word at a time), and `?>` where quick-xml ends a declaration even inside
        // a quoted value.
        for pad in 0..20 {
            let spaces = " ".repeat(pad);
            for text in [
                format!("<?xml version=\"1.0\"{spaces} encoding=\"a?b\"?><E/>"),
                format!("<?xml version=\"1.0\"{spaces}??><E/>"),
                format!("<?xml version=\"1.0\"{spaces} encoding=\"a?>\"?><E/>"),
                format!("<?xml version=\"1.0\"{spaces}?"),
                format!("<?xml{spaces} ?><E/>"),
            ] {
                sources_agree(&text, &Limits::default());
            }
        }
        let limits = Limits::default();
        let text = "<?xml version=\"1.0\" ?><E/>";
        let mut reader = Reader::new(text, &limits);
        while reader.next().unwrap() != Token::Eof {}
        assert!(reader.stayed_with_the_windows_scanner());
    }

    #[test]
    fn values_unescaped_into_strings_of_their_own_are_wiped_when_discarded() {
        use crate::crypto::tests::take_wiped_lengths;
        // Each unescaped value is a string as long as its text: 40 and 41 bytes here, lengths
        // nothing else in a read wipes. Discarded by the next tag, by the end, or at an error.
        let first = format!("{}&amp;", "k".repeat(35));
        let second = format!("&#x41;{}", "s".repeat(35));
        for (text, expected) in [
            (
                format!("<E a=\"{first}\"><T b=\"{second}\"/></E>"),
                vec![40, 41],
            ),
            (format!("<E a=\"{first}\" b=\"{second}\"/>"), vec![40, 41]),
            (
                format!("<E a=\"{first}\"><T b=\"{second}\"/></F>"),
                vec![40, 41],
            ),
        ] {
            take_wiped_lengths();
            let limits = Limits::default();
            let mut reader = Reader::new(&text, &limits);
            while let Ok(token) = reader.next() {
                if token == Token::Eof {
                    break;
                }
            }
            drop(reader);
            let mut wiped = take_wiped_lengths();
            wiped.sort_unstable();
            assert_eq!(wiped, expected, "{text}");
        }
    }

    #[test]
    fn enforces_limits() {
        // The limit's message, which must say which limit.
        let limit = |set: fn(&mut Limits), text: &str| {
            let mut limits = Limits::default();
            set(&mut limits);
            assert!(!sources_agree(text, &limits), "{text}");
            match tokens(Reader::new(text, &limits)).1 {
                Some(Error::Limit(message)) => message,
                other => panic!("{text}: {other:?}"),
            }
        };
        assert!(limit(|l| l.max_depth = 2, "<a><b><c/></b></a>").contains("nested deeper"));
        assert!(
            limit(|l| l.max_elements = 3, "<a><b/><b/><b/></a>").contains("more than 3 elements")
        );
        assert!(
            limit(|l| l.max_elements = 3, "<!--1--><!--2--><a/><!--3-->")
                .contains("more than 3 elements")
        );
        let attributes = "more than 1 attributes on <a>";
        assert!(limit(|l| l.max_attributes = 1, "<a x=\"1\" y=\"2\"/>").contains(attributes));
        let bytes = "attribute x at line 1, column 1 is 4 bytes long, above the limit of 3";
        assert!(limit(|l| l.max_attribute_bytes = 3, "<a x=\"1234\"/>").contains(bytes));
        assert!(
            limit(
                |l| l.max_attribute_bytes = 3,
                "<a x=\"&amp;&amp;&amp;&amp;\"/>"
            )
            .contains("is 4 bytes long")
        );
        // Both at once: the number of attributes is reported.
        let both = |l: &mut Limits| {
            l.max_attributes = 1;
            l.max_attribute_bytes = 3;
        };
        assert!(limit(both, "<a x=\"1\" y=\"2345\"/>").contains(attributes));
        assert!(limit(both, "<a x=\"1234\"/>").contains("is 4 bytes long"));
        let few = Limits {
            max_attributes: 1,
            max_attribute_bytes: 3,
            ..Limits::default()
        };
        assert!(sources_agree("<a x=\"123\"/>", &few));
        // Many attributes are checked for duplicates with a set.
        let many: String = (0..100).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let wide = Limits {
            max_attributes: 1000,
            ..Limits::default()
        };
        assert!(sources_agree(&format!("<e{many}/>"), &wide));
        assert!(!sources_agree(&format!("<e{many} a7=\"x\"/>"), &wide));
    }

    #[test]
    fn notes_long_hex_values() {
        let (long, longer) = ("0123abcDEF".repeat(7), "f".repeat(300));
        let (short, spaced) = ("9".repeat(63), format!("{long} 1"));
        let text = format!(
            "<U><D A=\"{long}\" B='{longer}' C=\"{short}\" D=\"{spaced}\" E=\"\" \
             F=\"&#x41;{long}\" G=\"{long}&#xA;\"/></U>"
        );
        let t = read_ok(&text);
        let noted: Vec<bool> = t[1].1.iter().map(|a| a.hex).collect();
        assert_eq!(noted, [true, true, false, false, false, false, false]);
        for length in [63, 64, 65, 127, 128, 129, 700] {
            let hex = "0123456789abcdefABCDEF".repeat(40)[..length].to_string();
            for tail in [
                "", "<", "&amp;", "&#xA;", "\t", "\r\n", "\n", "'", "\u{e9}", "\u{FFFE}", " ", "g",
            ] {
                for quote in ["\"", "'"] {
                    sources_agree(
                        &format!("<U><D A={quote}{hex}{tail}{quote} B=\"1\"/></U>"),
                        &Limits::default(),
                    );
                    sources_agree(&format!("<U><D A={quote}{hex}{tail}"), &Limits::default());
                }
            }
        }
    }

    #[test]
    fn duplicate_attributes_are_found_whatever_names_stand_between() {
        // Names of one length and first byte (compared), of other lengths and first bytes
        // (not compared), and a repeat at every distance.
        let names: Vec<String> = (0..40)
            .map(|i| format!("{}{}", ['a', 'b', 'Q'][i % 3], "x".repeat(i % 7)))
            .collect();
        for count in 1..names.len() {
            let mut distinct: Vec<&str> = Vec::new();
            for name in &names[..count] {
                if !distinct.contains(&name.as_str()) {
                    distinct.push(name);
                }
            }
            let tag = |names: &[&str]| {
                let attributes: String = names.iter().map(|n| format!(" {n}=\"1\"")).collect();
                format!("<e{attributes}/>")
            };
            read_ok(&tag(&distinct));
            for repeat in 0..distinct.len() {
                let mut twice = distinct.clone();
                twice.push(distinct[repeat]);
                let error = refused(&tag(&twice)).to_string();
                assert!(error.contains("appears twice"), "{error}");
            }
        }
    }

    #[test]
    fn plain_names_end_where_the_table_says() {
        for length in 0..20 {
            for b in 0..=255u8 {
                for tail in [&b""[..], b"=\"x\"", b"abcdefghij>"] {
                    let mut bytes = b"<".to_vec();
                    bytes.extend(std::iter::repeat_n(b'a', length));
                    bytes.push(b);
                    bytes.extend_from_slice(tail);
                    let mut end = 1;
                    while end < bytes.len() && PLAIN_NAME_BYTES[usize::from(bytes[end])] {
                        end += 1;
                    }
                    let whole = bytes.get(end).is_none_or(|&b| b < 0x80 && b != b':');
                    let first = bytes[1];
                    let starts = first.is_ascii_alphabetic() || first == b'_';
                    let expected =
                        (end > 1 && starts && whole && &bytes[1..end] != b"xmlns").then_some(end);
                    assert_eq!(plain_name_at(&bytes, 1), expected, "{bytes:?}");
                }
            }
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
        // Every byte at every place of the first forty, with anything after it.
        for quote in [b'"', b'\''] {
            let stops = |b: u8| !(0x20..0x80).contains(&b) || [quote, b'&', b'<'].contains(&b);
            for at in 0..40 {
                for b in 0..=255u8 {
                    for after in [0u8, b'"', b'\'', b'&', b'<', 0x80, b'a'] {
                        let mut bytes = vec![b'a'; at];
                        bytes.push(b);
                        bytes.extend_from_slice(&[after; 20]);
                        let expected = bytes.iter().position(|&x| stops(x)).unwrap_or(bytes.len());
                        assert_eq!(plain_value_bytes(&bytes, quote), expected, "{bytes:02x?}");
                    }
                }
            }
        }
        // The other quote stops a single-quoted value and runs on in a double-quoted one.
        assert_eq!(plain_value_bytes(b"a'b\"c", b'\''), 1);
        assert_eq!(plain_value_bytes(b"a'b\"c", b'"'), 3);
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

    /// Attribute values Windows could write: plain text, the five entities, character
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

    /// A start tag's attributes: distinct names, any
    /// spacing XML allows, either quote.
    fn plain_attributes_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const SPACES: &[&str] = &[" ", " ", "  ", "\n", "\t", "\r\n "];
        const NAMES: &[&str] = &["k", "K", "n", "x-y", "_u", "a.b-1", "USERNAME", "L"];
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
                // XML needs whitespace before each attribute; `tight` doubles it.
                out.push_str(space);
                if tight {
                    out.push(' ');
                }
                seen.push(name);
                let (quote, other) = if double { ('"', "'") } else { ('\'', "\"") };
                let value = value.replace('Q', other);
                out.push_str(&format!("{name}{equals}{quote}{value}{quote}"));
            }
            out
        })
    }

    /// A document the Windows scanner reads: an optional declaration, then elements with plain
    /// names and attributes, empty, self-closed or with children, whitespace between them.
    fn plain_document() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const NAMES: &[&str] = &["a", "B", "x.y", "E", "_u", "n.m-1"];
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
    fn sources_never_disagree() {
        // Documents of the kind Windows writes, most as generated (which the Windows scanner
        // reads to the end), some edited (which it mostly hands over), some under tight limits.
        use crate::test_support::{apply_edits, check_property, edits, some_limits};
        check_property(
            "xml sources_never_disagree",
            256,
            55,
            (plain_document(), edits(3), some_limits()),
            |(document, edits, limits)| sources_agree(&apply_edits(&document, &edits), &limits),
        );
        // Documents with junk fragments of every kind.
        let mut rng = crate::test_support::Xorshift::new();
        for _ in 0..3000 {
            let ops = rng.bytes(40);
            rng.check(|| sources_agree(&document(&ops), &Limits::default()));
        }
    }

    /// What the `token_sources` fuzz target found, replayed.
    #[test]
    fn token_sources_regressions_agree() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");
        let mut replayed = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("token_sources-") {
                super::differential::sources_agree_on(&std::fs::read(&path).unwrap());
                replayed += 1;
            }
        }
        assert!(replayed > 0, "no token_sources regressions in {dir}");
    }
}
