//! Attacker-supplied text (attachment names, entry names) made safe for a mail header and an
//! SMTP reply: no CR, LF or other controls, a bounded length, RFC 2047 encoding where the text
//! is not plain ASCII.

use base64::Engine;

/// Longest attachment name (in characters) put in a header or a reply; longer ones are cut.
const MAX_NAME_CHARS: usize = 64;
/// Longest SMTP reply text; RFC 5321 allows 512 bytes a line, code included.
const MAX_REPLY_BYTES: usize = 400;

/// A name cut to [`MAX_NAME_CHARS`], its control and format characters (which could end a
/// header line, or hide or reorder text) replaced by `?`.
fn clean(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_control() || rainv::display::is_dangerous_for_display(c) {
                '?'
            } else {
                c
            }
        })
        .take(MAX_NAME_CHARS)
        .collect();
    if name.chars().count() > MAX_NAME_CHARS {
        out.push_str("...");
    }
    out
}

/// The value of one `X-Rainv-Verdict` header: `VERDICT; NAME; CODES`. The name is
/// RFC 2047-encoded (UTF-8, base64) when it is not printable ASCII or holds a `;`, `"` or
/// `=?` that would change how the value reads.
pub fn header_value(verdict: &str, name: &str, codes: &[&str]) -> String {
    let name = clean(name);
    let plain = name
        .bytes()
        .all(|b| (0x20..0x7F).contains(&b) && b != b';' && b != b'"')
        && !name.contains("=?");
    let name = if plain { name } else { encoded_words(&name) };
    let codes = if codes.is_empty() {
        "-".to_string()
    } else {
        codes.join(", ")
    };
    format!("{verdict}; {name}; {codes}")
}

/// `text` as RFC 2047 encoded words, each at most 75 characters, whole characters in each.
fn encoded_words(text: &str) -> String {
    // 75 - len("=?UTF-8?B?") - len("?=") = 63 characters of base64: 45 bytes of text.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| {
            format!(
                "=?UTF-8?B?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// SMTP reply text: printable ASCII only (anything else, and `%`, which some MTAs read as a
/// format directive, becomes `?`), at most 400 bytes.
pub fn reply_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if (' '..='~').contains(&c) && c != '%' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if out.len() > MAX_REPLY_BYTES {
        out.truncate(MAX_REPLY_BYTES - 3);
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(
            header_value("reject", "invite.msrcincident", &["xml.doctype"]),
            "reject; invite.msrcincident; xml.doctype"
        );
        assert_eq!(
            header_value("accept", "a.msrcincident", &[]),
            "accept; a.msrcincident; -"
        );
    }

    #[test]
    fn no_attacker_text_breaks_the_header() {
        for name in [
            "evil\r\nX-Rainv-Verdict: accept",
            "a\nb",
            "a\u{202E}fdp.exe",
            "x; accept",
            "quote\"d",
            "=?UTF-8?B?Zm9v?=",
            "Einladung-\u{fc}.msrcincident",
        ] {
            let value = header_value("reject", name, &["xml.doctype"]);
            assert!(!value.contains(['\r', '\n']), "{value:?}");
            assert!(value.is_ascii(), "{value:?}");
            assert_eq!(value.matches("; ").count(), 2, "{value:?}");
            assert!(!value.contains("\u{202E}"));
        }
        let encoded = header_value("reject", "Einladung-\u{fc}.msrcincident", &[]);
        assert_eq!(
            encoded,
            "reject; =?UTF-8?B?RWlubGFkdW5nLcO8Lm1zcmNpbmNpZGVudA==?=; -"
        );
        let long = header_value("reject", &"\u{fc}".repeat(500), &[]);
        assert!(long.len() < 300, "{}", long.len());
        for word in long.split(' ') {
            assert!(word.len() <= 75 + 1, "{word}");
        }
    }

    #[test]
    fn replies_are_printable_ascii_and_bounded() {
        assert_eq!(
            reply_text("rainv: a.zip: xml.doctype"),
            "rainv: a.zip: xml.doctype"
        );
        assert_eq!(reply_text("a\r\nb\u{fc}%s"), "a??b??s");
        let long = reply_text(&"x".repeat(1000));
        assert_eq!(long.len(), MAX_REPLY_BYTES);
        assert!(long.ends_with("..."));
    }
}
