//! Text: finding the real encoding of a file, XML attribute escaping, and safe display.
//!
//! Windows has written invitations as UTF-16LE with a BOM (XP) and as 8-bit text (Vista and
//! later), and copies of XP files re-saved as 8-bit keep their `encoding="Unicode"` declaration.
//! So the declaration is never trusted: the bytes are sniffed.

use std::borrow::Cow;

use crate::error::{Error, Result, quote_value};

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
        _ => match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => (Cow::Borrowed(s), SourceEncoding::Utf8),
            Err(_) => (Cow::Owned(windows_1252(bytes)), SourceEncoding::Windows1252),
        },
    };
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        return Err(Error::Encoding(format!(
            "NUL character at character {} of the decoded text",
            text[..at].chars().count() + 1
        )));
    }
    Ok((text, encoding))
}

/// Refuse an encoding declaration that would decode the bytes differently from the way rainv
/// decoded them (`source`, sniffed, never taken from the declaration), so that every reader
/// reads one document. Harmless: no declaration; the encoding rainv used; an ASCII-compatible
/// encoding over ASCII-only text (and ISO-8859-1 over 8-bit text without the bytes where it
/// differs from Windows-1252); and a UTF-16 label over 8-bit text, which is how Windows XP
/// invitations re-saved as 8-bit text look. Refused: everything else, such as UTF-7, EBCDIC,
/// UTF-32 or ISO-2022 anywhere, and UTF-8 or Latin-1 over UTF-16.
pub(crate) fn check_declared_encoding(
    label: Option<&str>,
    source: SourceEncoding,
    text: &str,
) -> Result<()> {
    let Some(label) = label else {
        return Ok(());
    };
    // A UTF-16 label agrees with every source (below); Windows XP writes this one.
    if label == "Unicode" {
        return Ok(());
    }
    // The label in lower case with `_` as `-`, on the stack: labels are short, and a longer
    // one is no encoding this knows.
    let mut buffer = [0u8; 32];
    let Some(lowered) = buffer.get_mut(..label.len()) else {
        return Err(declared_otherwise(label, source));
    };
    for (to, from) in lowered.iter_mut().zip(label.bytes()) {
        *to = if from == b'_' {
            b'-'
        } else {
            from.to_ascii_lowercase()
        };
    }
    // The label was checked by the XML lexer to be ASCII letters, digits, `.`, `_` and `-`.
    let name = std::str::from_utf8(lowered).unwrap_or_default();
    let utf16 = matches!(
        name,
        "utf-16" | "utf-16le" | "utf-16be" | "unicode" | "ucs-2" | "iso-10646-ucs-2"
    );
    let utf8 = matches!(name, "utf-8" | "utf8");
    let latin1 = matches!(name, "iso-8859-1" | "latin1" | "l1" | "iso-latin-1");
    let windows_1252 = matches!(name, "windows-1252" | "cp1252" | "x-cp1252");
    let ascii_compatible = utf8
        || latin1
        || windows_1252
        || name.starts_with("iso-8859-")
        || name.starts_with("windows-125")
        || name.starts_with("cp125")
        || matches!(
            name,
            "us-ascii"
                | "ascii"
                | "iso646-us"
                | "shift-jis"
                | "sjis"
                | "euc-jp"
                | "euc-kr"
                | "gb2312"
                | "gbk"
                | "gb18030"
                | "big5"
                | "koi8-r"
                | "koi8-u"
                | "macintosh"
                | "tis-620"
        );
    let agrees = match source {
        SourceEncoding::Utf16LeBom
        | SourceEncoding::Utf16Le
        | SourceEncoding::Utf16BeBom
        | SourceEncoding::Utf16Be => utf16,
        SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => {
            utf8 || utf16 || (ascii_compatible && text.is_ascii())
        }
        // Windows-1252 and ISO-8859-1 differ only in 0x80-0x9F, which Windows-1252 maps to
        // characters beyond U+00FF (or, for five unassigned bytes, to U+0080-U+009F).
        SourceEncoding::Windows1252 => {
            windows_1252
                || utf16
                || (latin1
                    && !text
                        .chars()
                        .any(|c| ('\u{80}'..='\u{9F}').contains(&c) || c > '\u{FF}'))
        }
    };
    if agrees {
        return Ok(());
    }
    Err(declared_otherwise(label, source))
}

fn declared_otherwise(label: &str, source: SourceEncoding) -> Error {
    Error::Encoding(format!(
        "the XML declaration names encoding \"{}\", but these bytes are {}: a reader that \
         believes the declaration reads another document",
        quote_value(label),
        source.name()
    ))
}

/// UTF-8 checked with `simdutf8` (several times faster than the standard library on the 6 KB of
/// a Windows 10 file); the standard library's check only runs to say where an error is.
fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>> {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
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
    // Fast path: invitations and tickets are ASCII, which needs no surrogate handling.
    if let Some(ascii) = ascii_from_utf16(bytes, big_endian) {
        return Ok(ascii);
    }
    // Three bytes of UTF-8 per unit at most (a surrogate pair's four bytes come from two), so
    // `out` never reallocates: a decrypted ticket would leave its copies unwiped in the freed
    // buffers.
    let mut out = String::with_capacity(bytes.len() / 2 * 3);
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
                // What was decoded may be part of a decrypted ticket.
                zeroize::Zeroize::zeroize(&mut out);
                return Err(Error::Encoding(format!(
                    "unpaired UTF-16 surrogate 0x{:04X}",
                    e.unpaired_surrogate()
                )));
            }
        }
    }
    Ok(out)
}

/// Decode UTF-16LE (strict, as [`utf16`]) that the caller gives up, reusing its buffer for the
/// text when it is all ASCII, as decrypted tickets are: no second copy of the secret to make
/// and wipe. The buffer is wiped when dropped, whatever happens.
pub(crate) fn utf16le_into_string(
    mut buffer: zeroize::Zeroizing<Vec<u8>>,
) -> Result<zeroize::Zeroizing<String>> {
    if !buffer.len().is_multiple_of(2) || !is_ascii_utf16le(&buffer) {
        return utf16(&buffer, false).map(zeroize::Zeroizing::new);
    }
    // Move each unit's low byte down to its index: block k reads bytes [64k, 64k + 64) into a
    // local array before writing [32k, 32k + 32), so nothing is overwritten before it is read.
    const UNITS: usize = 32;
    let units = buffer.len() / 2;
    // Within a 64-bit word, four units' low bytes are gathered with shifts and masks.
    let blocks = units / UNITS;
    for block in 0..blocks {
        let mut wide = [0u8; 2 * UNITS];
        wide.copy_from_slice(&buffer[2 * UNITS * block..2 * UNITS * (block + 1)]);
        let mut narrow = [0u8; UNITS];
        for (four, eight) in narrow.chunks_exact_mut(4).zip(wide.chunks_exact(8)) {
            let word = u64::from_le_bytes(eight.try_into().unwrap_or_default());
            let word = word & 0x00FF_00FF_00FF_00FF;
            let word = (word | (word >> 8)) & 0x0000_FFFF_0000_FFFF;
            four.copy_from_slice(&((word | (word >> 16)) as u32).to_le_bytes());
        }
        buffer[UNITS * block..UNITS * (block + 1)].copy_from_slice(&narrow);
    }
    for unit in blocks * UNITS..units {
        buffer[unit] = buffer[2 * unit];
    }
    // The tail keeps old bytes until the String is wiped: truncating keeps the capacity.
    buffer.truncate(units);
    // All ASCII, so valid UTF-8: this cannot fail; if it did, the bytes would be wiped.
    String::from_utf8(std::mem::take(&mut *buffer))
        .map(zeroize::Zeroizing::new)
        .map_err(|e| {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            Error::Encoding("UTF-16 text is not ASCII after all".into())
        })
}

/// Whether UTF-16LE bytes (of even length) are all ASCII units; vectorised blocks.
fn is_ascii_utf16le(bytes: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        let mut not_ascii = 0u64;
        for four in block.chunks_exact(8) {
            not_ascii |=
                u64::from_le_bytes(four.try_into().unwrap_or([0xFF; 8])) & 0xFF80_FF80_FF80_FF80;
        }
        if not_ascii != 0 {
            return false;
        }
    }
    blocks
        .remainder()
        .chunks_exact(2)
        .all(|unit| unit[0] < 0x80 && unit[1] == 0)
}

/// UTF-16 that is all ASCII, as text; `None` when any unit is not ASCII.
///
/// For documents saved as UTF-16 (Windows XP's): blocks of 32 units, checked without a branch
/// per unit. The buffer is wiped if it is given up, since [`utf16`] also decodes tickets that
/// [`utf16le_into_string`] found not to be ASCII.
fn ascii_from_utf16(bytes: &[u8], big_endian: bool) -> Option<String> {
    const UNITS: usize = 32;
    let (low, high) = if big_endian { (1, 0) } else { (0, 1) };
    let mut out = zeroize::Zeroizing::new(vec![0u8; bytes.len() / 2]);
    let mut not_ascii = 0u8;
    let mut source = bytes.chunks_exact(2 * UNITS);
    let mut target = out.chunks_exact_mut(UNITS);
    for (units, block) in (&mut source).zip(&mut target) {
        let mut block_not_ascii = 0u8;
        for (unit, byte) in units.chunks_exact(2).zip(block.iter_mut()) {
            *byte = unit[low];
            block_not_ascii |= unit[high] | (unit[low] & 0x80);
        }
        not_ascii |= block_not_ascii;
        if not_ascii != 0 {
            return None;
        }
    }
    let rest = target.into_remainder();
    for (unit, byte) in source.remainder().chunks_exact(2).zip(rest.iter_mut()) {
        *byte = unit[low];
        not_ascii |= unit[high] | (unit[low] & 0x80);
    }
    if not_ascii != 0 {
        return None;
    }
    // All ASCII, so valid UTF-8: this cannot fail, and a failure would only take the slow path.
    String::from_utf8(std::mem::take(&mut *out))
        .map_err(|e| zeroize::Zeroize::zeroize(&mut e.into_bytes()))
        .ok()
}

/// Whether every byte is an ASCII hex digit (either case), as [`u8::is_ascii_hexdigit`].
///
/// Through const-hex, which uses the widest vector instructions the CPU has (an LHTICKET is
/// about 6 KB of hex).
pub(crate) fn is_hex(text: &[u8]) -> bool {
    const_hex::check_raw(text)
}

/// How many hex digits (either case) `text` starts with.
pub(crate) fn hex_digits_at_start(text: &[u8]) -> usize {
    text.iter()
        .position(|b| !b.is_ascii_hexdigit())
        .unwrap_or(text.len())
}

/// Decode hex that [`is_hex`] accepted (a trailing odd digit is ignored). Other input gives
/// zeros, never a panic.
pub(crate) fn decode_hex(hex: &[u8]) -> Vec<u8> {
    let digits = &hex[..hex.len() / 2 * 2];
    // `decode` fills a buffer it has not zeroed first (a `vec![0; n]` decoded into is written
    // twice); it would also skip a `0x`, which is not hex here.
    if !digits
        .get(..2)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"0x"))
        && let Ok(bytes) = const_hex::decode(digits)
    {
        return bytes;
    }
    vec![0u8; hex.len() / 2]
}

/// Encode bytes as uppercase hex, as Windows writes LHTICKETs.
pub(crate) fn encode_hex_upper(bytes: &[u8]) -> String {
    const_hex::encode_upper(bytes)
}

/// Encode text as UTF-16LE bytes.
pub(crate) fn utf16le_bytes(text: &str) -> Vec<u8> {
    if text.is_ascii() {
        // Each byte, then a zero: in blocks the compiler vectorises (tickets are ASCII).
        const BLOCK: usize = 32;
        let mut out = vec![0u8; text.len() * 2];
        let bytes = text.as_bytes();
        let mut source = bytes.chunks_exact(BLOCK);
        let mut target = out.chunks_exact_mut(2 * BLOCK);
        for (ascii, wide) in (&mut source).zip(&mut target) {
            let mut words = [0u16; BLOCK];
            for (word, &byte) in words.iter_mut().zip(ascii) {
                *word = u16::from(byte);
            }
            for (pair, word) in wide.chunks_exact_mut(2).zip(words) {
                pair.copy_from_slice(&word.to_le_bytes());
            }
        }
        for (pair, &byte) in target
            .into_remainder()
            .chunks_exact_mut(2)
            .zip(source.remainder())
        {
            pair[0] = byte;
        }
        return out;
    }
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
pub(crate) fn escape_attribute(value: &str) -> Cow<'_, str> {
    // The characters to escape are ASCII, so whole runs between them are copied as they are
    // (an LHTICKET is 6 KB with none, a certificate a line break every 64 characters). Three
    // searches cover the seven characters; each is repeated only once passed.
    let bytes = value.as_bytes();
    let search = |which: usize, from: usize| -> Option<usize> {
        let rest = bytes.get(from..)?;
        let found = match which {
            0 => memchr::memchr3(b'&', b'<', b'>', rest),
            1 => memchr::memchr3(b'"', b'\n', b'\r', rest),
            _ => memchr::memchr(b'\t', rest),
        };
        found.map(|at| from + at)
    };
    let mut found = [search(0, 0), search(1, 0), search(2, 0)];
    let Some(mut at) = found.into_iter().flatten().min() else {
        return Cow::Borrowed(value);
    };
    let mut out = String::with_capacity(value.len() + 16);
    let mut done = 0;
    loop {
        out.push_str(&value[done..at]);
        out.push_str(match value.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\n' => "&#xA;",
            b'\r' => "&#xD;",
            _ => "&#x9;",
        });
        done = at + 1;
        for (which, position) in found.iter_mut().enumerate() {
            if position.is_some_and(|p| p < done) {
                *position = search(which, done);
            }
        }
        match found.into_iter().flatten().min() {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(&value[done..]);
    Cow::Owned(out)
}

/// Is this a character a crafted file could use to drive a terminal, reorder displayed text,
/// break a line where none is seen, or hide text?
pub fn is_dangerous_for_display(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}'            // LRM, RLM
            | '\u{202A}'..='\u{202E}'          // LRE, RLE, PDF, LRO, RLO
            | '\u{2066}'..='\u{2069}'          // LRI, RLI, FSI, PDI
            | '\u{061C}'                       // Arabic letter mark
            | '\u{FEFF}'                       // zero-width no-break space / BOM
            | '\u{2028}' | '\u{2029}'          // line and paragraph separators
            | '\u{FFF9}'..='\u{FFFB}'          // interlinear annotation
            | '\u{E0000}'..='\u{E007F}'        // tag characters (hidden text)
        )
}

/// Is this a character that shows as nothing, or as blank, though it is there: joiners and
/// zero-width spaces, fillers, invisible operators? Some (the zero-width joiner and non-joiner)
/// are needed to write names in Persian or Indic scripts, so these are worth a word, not a
/// refusal.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                              // soft hyphen
        | '\u{034F}'                           // combining grapheme joiner
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'              // Khmer inherent vowels
        | '\u{180E}'                           // Mongolian vowel separator
        | '\u{200B}'..='\u{200D}'              // zero-width space, non-joiner, joiner
        | '\u{2060}'..='\u{2064}'              // word joiner, invisible operators
        | '\u{2800}'                           // braille blank
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
    fn declared_encodings_must_read_the_bytes_as_rainv_does() {
        use SourceEncoding::*;
        let ok = |label: Option<&str>, source, text: &str| {
            check_declared_encoding(label, source, text).is_ok()
        };
        // No label, or the encoding rainv used.
        for source in [
            Utf8,
            Utf8Bom,
            Utf16Le,
            Utf16LeBom,
            Utf16Be,
            Utf16BeBom,
            Windows1252,
        ] {
            assert!(ok(None, source, "caf\u{e9}"));
        }
        for label in ["UTF-8", "utf8", "Utf_8"] {
            assert!(ok(Some(label), Utf8, "caf\u{e9}"));
            assert!(ok(Some(label), Utf8Bom, "caf\u{e9}"));
            assert!(!ok(Some(label), Utf16LeBom, "cafe"));
            assert!(!ok(Some(label), Windows1252, "caf\u{e9}"));
        }
        for label in ["Unicode", "UTF-16", "utf-16le", "UTF-16BE", "UCS-2"] {
            for source in [Utf16Le, Utf16LeBom, Utf16Be, Utf16BeBom] {
                assert!(ok(Some(label), source, "caf\u{e9}"));
            }
            // XP files re-saved as 8-bit text keep their declaration.
            assert!(ok(Some(label), Utf8, "caf\u{e9}"));
            assert!(ok(Some(label), Windows1252, "caf\u{e9}"));
        }
        // ASCII-compatible labels over ASCII text are harmless; over other text they are not.
        for label in [
            "us-ascii",
            "ISO-8859-1",
            "windows-1252",
            "ISO-8859-15",
            "Shift_JIS",
            "koi8-r",
        ] {
            assert!(ok(Some(label), Utf8, "cafe"), "{label}");
            assert!(!ok(Some(label), Utf8, "caf\u{e9}"), "{label}");
            assert!(!ok(Some(label), Utf16LeBom, "cafe"), "{label}");
        }
        assert!(ok(Some("windows-1252"), Windows1252, "caf\u{e9} \u{20AC}"));
        assert!(ok(Some("ISO-8859-1"), Windows1252, "caf\u{e9} \u{FF}"));
        assert!(!ok(Some("ISO-8859-1"), Windows1252, "\u{20AC}"));
        assert!(!ok(Some("ISO-8859-1"), Windows1252, "\u{81}"));
        assert!(!ok(Some("us-ascii"), Windows1252, "caf\u{e9}"));
        // Encodings that read even ASCII bytes otherwise, and unknown ones.
        for label in [
            "UTF-7",
            "IBM037",
            "ebcdic-cp-us",
            "UTF-32",
            "ISO-2022-JP",
            "x-unknown",
        ] {
            for source in [Utf8, Utf16LeBom, Windows1252] {
                assert!(!ok(Some(label), source, "cafe"), "{label}");
            }
        }
        // Longer than any encoding's name.
        assert!(ok(Some("ISO-8859-1"), Utf8, "cafe"));
        assert!(!ok(
            Some(&format!("ISO-8859-1{}", "-x".repeat(12))),
            Utf8,
            "cafe"
        ));
        let error = check_declared_encoding(Some("UTF-7"), Utf8, "x").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("\"UTF-7\", but these bytes are utf-8"),
            "{error}"
        );
    }

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
    fn hex_matches_the_standard_library_for_every_byte() {
        // At each place in a vector block and in the scalar tail.
        for b in 0..=255u8 {
            for at in [0, 1, 31, 63, 64, 100] {
                let mut text = vec![b'7'; 101];
                text[at] = b;
                assert_eq!(is_hex(&text), b.is_ascii_hexdigit(), "{b:#04x} at {at}");
                let run = if b.is_ascii_hexdigit() {
                    text.len()
                } else {
                    at
                };
                assert_eq!(hex_digits_at_start(&text), run, "{b:#04x} at {at}");
            }
        }
        // No "0x" prefix, odd lengths counted as they are.
        assert!(!is_hex(b"0x1234"));
        assert!(is_hex(b"123"));
        assert!(is_hex(b""));
    }

    #[test]
    fn hex_round_trips_at_every_length_and_refuses_any_bad_byte() {
        let bytes: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        for len in 0..bytes.len() {
            let upper = encode_hex_upper(&bytes[..len]);
            assert_eq!(upper, hex::encode_upper(&bytes[..len]));
            for text in [upper.clone(), upper.to_ascii_lowercase()] {
                assert!(is_hex(text.as_bytes()));
                assert_eq!(decode_hex(text.as_bytes()), &bytes[..len]);
            }
        }
        let good = encode_hex_upper(&bytes);
        for at in [0, 63, 64, 200, good.len() - 1] {
            for bad in [b'G', b'g', b'/', b':', b'@', b'`', 0, 0x80, 0xC6, b' '] {
                let mut text = good.clone().into_bytes();
                text[at] = bad;
                assert!(!is_hex(&text), "{bad:#04x} at {at}");
            }
        }
        // Garbage decodes to zeros, without panicking; a trailing odd digit is left out.
        assert_eq!(decode_hex(b"\xFF\xFFzz!"), [0, 0]);
        assert_eq!(decode_hex(b"0x12"), [0, 0]);
        assert_eq!(decode_hex(b"A1f"), [0xA1]);
    }

    #[test]
    fn utf16_fast_and_slow_paths_agree() {
        for text in [
            "",
            "<E/>\r\n",
            &"<A KH=\"x\"/>".repeat(40),
            "caf\u{e9}",
            &format!("{}\u{1F600}", "a".repeat(70)),
        ] {
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            assert_eq!(utf16(&le, false).unwrap(), text);
            assert_eq!(utf16(&be, true).unwrap(), text);
        }
        // A non-ASCII unit late in a long text takes the slow path, which still decodes it.
        let mut units: Vec<u16> = "a".repeat(100).encode_utf16().collect();
        units[90] = 0x00E9;
        let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(utf16(&le, false).unwrap().chars().nth(90), Some('\u{e9}'));
        units[90] = 0xD800;
        let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        assert!(utf16(&le, false).is_err());
    }

    #[test]
    fn utf16_decodes_without_reallocating() {
        // A reallocation would free a copy of a decrypted ticket without wiping it (found in
        // review with a ticket of Chinese host names), so the first buffer must be the last.
        let chinese = format!("<L N=\"{}\"/>", "\u{4E2D}".repeat(100));
        let emoji = "\u{1F600}".repeat(50);
        let mixed = format!("{}\u{e9}\u{4E2D}\u{1F600}", "a".repeat(70));
        for text in [chinese.as_str(), emoji.as_str(), mixed.as_str(), "\u{FFFD}"] {
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let decoded = utf16(&le, false).unwrap();
            assert_eq!(decoded, text);
            assert_eq!(decoded.capacity(), le.len() / 2 * 3, "{text:?}");
        }
    }

    #[test]
    fn utf16le_in_place_agrees_with_utf16() {
        let long = "<A KH=\"x\"/>".repeat(40);
        let late = format!("{}\u{e9}", "a".repeat(100));
        for text in [
            "",
            "<",
            "<E/>\r\n",
            long.as_str(),
            "caf\u{e9}",
            late.as_str(),
            "\u{1F600}",
        ] {
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert_eq!(utf16le_into_string(le.into()).unwrap().as_str(), text);
        }
        assert!(utf16le_into_string(vec![b'a'].into()).is_err());
        assert!(utf16le_into_string(vec![0x00, 0xD8, b'a', 0].into()).is_err());
    }

    #[test]
    fn utf16le_encoding_agrees_with_the_standard_library() {
        let long = "<E><A KH=\"x\"/>\r\n".repeat(9);
        for text in ["", "a", long.as_str(), "caf\u{e9}", "\u{1F600}x"] {
            let expected: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert_eq!(utf16le_bytes(text), expected, "{text:?}");
        }
    }

    #[test]
    fn escaping_agrees_with_a_character_by_character_escape() {
        let slow = |value: &str| -> String {
            value
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\n' => "&#xA;".to_string(),
                    '\r' => "&#xD;".to_string(),
                    '\t' => "&#x9;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let long = format!("{}\n{}", "A".repeat(64), "b\u{e9}".repeat(40));
        for value in [
            "",
            "plain",
            "&<>\"\n\r\t'",
            "x&",
            "&x",
            long.as_str(),
            "\u{e9}&\u{1F600}\t",
        ] {
            assert_eq!(escape_attribute(value), slow(value), "{value:?}");
        }
        assert!(matches!(escape_attribute("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_attributes_like_windows() {
        assert_eq!(
            escape_attribute("a&b\"<>\nz"),
            "a&amp;b&quot;&lt;&gt;&#xA;z"
        );
    }
}
