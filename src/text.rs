//! Text: finding the real encoding of a file, XML attribute escaping, and safe display.
//!
//! Windows has written invitations as UTF-16LE with a BOM (XP) and as 8-bit text (Vista and
//! later), and copies of XP files re-saved as 8-bit keep their `encoding="Unicode"` declaration.
//! So the declaration is never trusted: the bytes are sniffed.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// The encoding a document was found to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8 with a byte order mark.
    Utf8Bom,
    /// UTF-8 (or plain ASCII) without a byte order mark.
    Utf8,
    /// UTF-16 little-endian with a byte order mark (how Windows XP saves invitations).
    Utf16LeBom,
    /// UTF-16 little-endian without a byte order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte order mark.
    Utf16BeBom,
    /// UTF-16 big-endian without a byte order mark.
    Utf16Be,
    /// 8-bit text that is not UTF-8, read as Windows-1252.
    Windows1252,
}

impl SourceEncoding {
    /// A short name for display and JSON.
    pub fn name(self) -> &'static str {
        match self {
            SourceEncoding::Utf8Bom => "utf-8-bom",
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf16LeBom => "utf-16le-bom",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16BeBom => "utf-16be-bom",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// Decode a whole document to text, sniffing BOM, then UTF-16 NUL patterns, then 8-bit.
///
/// UTF-8 input is borrowed, not copied. NUL characters are refused: XML forbids them, and a
/// NUL in 8-bit text means the sniffing went wrong or the file is not text.
pub fn decode_document(bytes: &[u8]) -> Result<(Cow<'_, str>, SourceEncoding)> {
    let (text, encoding) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (utf8(rest)?, SourceEncoding::Utf8Bom),
        [0xFF, 0xFE, rest @ ..] => (Cow::Owned(utf16(rest, false)?), SourceEncoding::Utf16LeBom),
        [0xFE, 0xFF, rest @ ..] => (Cow::Owned(utf16(rest, true)?), SourceEncoding::Utf16BeBom),
        [a, 0, ..] if *a != 0 => (Cow::Owned(utf16(bytes, false)?), SourceEncoding::Utf16Le),
        [0, b, ..] if *b != 0 => (Cow::Owned(utf16(bytes, true)?), SourceEncoding::Utf16Be),
        _ => match std::str::from_utf8(bytes) {
            Ok(s) => (Cow::Borrowed(s), SourceEncoding::Utf8),
            Err(_) => (Cow::Owned(windows_1252(bytes)), SourceEncoding::Windows1252),
        },
    };
    if let Some(at) = text.find('\0') {
        return Err(Error::Encoding(format!(
            "NUL character at character {} of the decoded text",
            text[..at].chars().count() + 1
        )));
    }
    Ok((text, encoding))
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| Error::Encoding(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 3)))
}

/// Decode UTF-16 (strict: unpaired surrogates are an error).
pub(crate) fn utf16(bytes: &[u8], big_endian: bool) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::Encoding(format!(
            "UTF-16 text has an odd number of bytes ({})",
            bytes.len()
        )));
    }
    let units = bytes.chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    // Fast path: most invitations are ASCII, which needs no surrogate handling.
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut units = units.peekable();
    while let Some(&u) = units.peek() {
        if u >= 0x80 {
            break;
        }
        out.push(u as u8 as char);
        units.next();
    }
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(e) => {
                return Err(Error::Encoding(format!(
                    "unpaired UTF-16 surrogate 0x{:04X}",
                    e.unpaired_surrogate()
                )));
            }
        }
    }
    Ok(out)
}

/// Encode text as UTF-16LE bytes.
pub(crate) fn utf16le_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Windows-1252 to Unicode, as the WHATWG Encoding Standard maps it.
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// Escape text for a double-quoted XML attribute value, the way Windows does
/// (line breaks as `&#xA;` character references, so they survive attribute normalisation).
pub fn escape_attribute(value: &str) -> Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\n' | '\r' | '\t');
    if !value.contains(needs) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            '\t' => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Is this a character a crafted file could use to drive a terminal or reorder displayed text?
pub fn is_dangerous_for_display(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}'            // LRM, RLM
            | '\u{202A}'..='\u{202E}'          // LRE, RLE, PDF, LRO, RLO
            | '\u{2066}'..='\u{2069}'          // LRI, RLI, FSI, PDI
            | '\u{061C}'                       // Arabic letter mark
            | '\u{FEFF}'                       // zero-width no-break space / BOM
        )
}

/// Escape only control characters and bidi overrides, leaving backslashes alone: for text that
/// may already have been escaped with [`escape_for_display`] (such as error messages, which
/// quote input escaped) but must still be made safe.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous_for_display) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_dangerous_for_display(c) {
            out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escape control characters and bidi overrides as `\u{XX}` (and `\n`, `\t`, `\r`) so that
/// text taken from a file can be printed safely. Plain text is returned borrowed.
pub fn escape_for_display(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_dangerous_for_display(c) || c == '\\')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_dangerous_for_display(c) => {
                out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_every_encoding() {
        let ascii = "<a/>";
        let le: Vec<u8> = ascii.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = ascii.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let cases: Vec<(Vec<u8>, SourceEncoding)> = vec![
            (ascii.as_bytes().to_vec(), SourceEncoding::Utf8),
            (
                [&[0xEF, 0xBB, 0xBF][..], ascii.as_bytes()].concat(),
                SourceEncoding::Utf8Bom,
            ),
            (
                [&[0xFF, 0xFE][..], &le].concat(),
                SourceEncoding::Utf16LeBom,
            ),
            (
                [&[0xFE, 0xFF][..], &be].concat(),
                SourceEncoding::Utf16BeBom,
            ),
            (le.clone(), SourceEncoding::Utf16Le),
            (be.clone(), SourceEncoding::Utf16Be),
        ];
        for (bytes, expected) in cases {
            let (text, enc) = decode_document(&bytes).unwrap();
            assert_eq!(text, ascii);
            assert_eq!(enc, expected);
        }
        let (text, enc) = decode_document(b"caf\xE9 \x80").unwrap();
        assert_eq!(text, "café €");
        assert_eq!(enc, SourceEncoding::Windows1252);
    }

    #[test]
    fn refuses_bad_utf16_and_nul() {
        assert!(decode_document(&[0xFF, 0xFE, 0x41]).is_err());
        assert!(decode_document(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00]).is_err());
        assert!(decode_document(b"ab\0c").is_err());
        assert!(decode_document(&[0xEF, 0xBB, 0xBF, 0xFF]).is_err());
    }

    #[test]
    fn escapes_for_display() {
        assert_eq!(escape_for_display("jeff"), "jeff");
        assert_eq!(escape_for_display("a\u{1b}[31mb"), "a\\u{1B}[31mb");
        assert_eq!(escape_for_display("x\u{202E}y\n"), "x\\u{202E}y\\n");
        // Escaping what is already escaped changes nothing; raw controls are still caught.
        let once = escape_for_display("a\u{1b}b");
        assert_eq!(escape_controls(&once), once);
        assert_eq!(escape_controls("\\u{1B} \u{1b}"), "\\u{1B} \\u{1B}");
    }

    #[test]
    fn escapes_attributes_like_windows() {
        assert_eq!(
            escape_attribute("a&b\"<>\nz"),
            "a&amp;b&quot;&lt;&gt;&#xA;z"
        );
    }
}
