//! Finding invitations in e-mail: the attachments of an RFC 5322 message (and of messages
//! forwarded inside it), each judged with [`validate`].
//!
//! Reading mailboxes (mbox files, Maildir folders) is I/O and left to the caller; this module
//! works on the bytes of one message.

use chrono::{DateTime, Utc};
use mail_parser::{HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use serde::Serialize;

use crate::archive::{Candidate, EntryReport, has_invitation_name, inspect, looks_like_invitation};
use crate::code::FindingCode;
use crate::validate::{Policy, Report};
use rainv::Error;

/// How deep forwarded messages are followed.
pub const MAX_NESTING: usize = 8;

/// Most lines a message may have that can start a header field or a MIME part. The mail
/// parser keeps a structure of a hundred bytes or more for each field and part, so a message
/// of nothing but them (60 MB of empty parts) would cost gigabytes; this keeps that to tens of
/// megabytes, far above what real mail has.
pub const MAX_STRUCTURE_LINES: usize = 100_000;

/// The verdict on one invitation found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AttachmentReport {
    /// Message-ID of the message holding the attachment (the innermost, for forwarded mail).
    pub message_id: Option<String>,
    /// The attachment's file name, or a description of the part when it has none.
    pub attachment: String,
    /// Where the judged file is inside the attachment (an archive's entries, a uuencoded
    /// file's name), outermost first; empty when it is the attachment itself.
    pub inside: Vec<String>,
    /// The verdict.
    #[serde(flatten)]
    pub report: Report,
}

/// Find every invitation attached to the message in `raw` (by name or by content, following
/// forwarded messages) and judge each against `policy`.
///
/// A message with no invitation gives an empty list. Bytes that are not a message at all give
/// an error.
pub fn scan_message(
    raw: &[u8],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Vec<AttachmentReport>, Error> {
    let structure = structure_lines(raw);
    if structure > MAX_STRUCTURE_LINES {
        return Err(Error::Limit(format!(
            "the e-mail message has more than {MAX_STRUCTURE_LINES} lines that may start a header \
             field or a MIME part ({structure}): not inspected"
        )));
    }
    // mail-parser 0.11 has debug assertions that hostile MIME structures can trip (found by
    // fuzzing; upstream issue stalwartlabs/mail-parser#120). A message that makes the parser
    // fail is refused like any other unreadable message, never a crash of the gateway.
    let parsed = std::panic::catch_unwind(|| parse(raw))
        .map_err(|_| Error::Structure("the e-mail message is malformed beyond parsing".into()))?;
    let message =
        parsed.ok_or_else(|| Error::Structure("not an RFC 5322 e-mail message".into()))?;
    // A message has header fields of e-mail (From, Date, Content-Type...). Bytes with none
    // (an invitation file itself, text, random bytes, whose lines the parser takes for fields
    // of names no field has) hold no attachments to judge, and an empty list of reports would
    // read as "clean".
    if !message
        .headers()
        .iter()
        .any(|h| !matches!(h.name, HeaderName::Other(_)))
    {
        drop_flat(message);
        return Err(Error::Structure(if looks_like_invitation(raw) {
            "not an RFC 5322 e-mail message (it has no e-mail header fields); an invitation \
             file is judged with `rainv check`"
                .into()
        } else {
            "not an RFC 5322 e-mail message (it has no e-mail header fields)".into()
        }));
    }
    let mut reports = Vec::new();
    scan(&message, policy, now, 0, &mut reports);
    drop_flat(message);
    Ok(reports)
}

/// How many lines of `raw` could start a header field (a name and `:`) or a MIME part (`--`):
/// at least as many as the parser makes structures for.
fn structure_lines(raw: &[u8]) -> usize {
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', raw).map(|at| at + 1));
    starts
        .filter(|&start| {
            let line = &raw[start.min(raw.len())..];
            if line.starts_with(b"--") {
                return true;
            }
            let name = line
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                .count();
            name > 0 && line.get(name) == Some(&b':')
        })
        .count()
}

/// Drop a parsed message one forwarded message at a time. Dropped as it is, a message nested
/// tens of thousands of levels deep (a megabyte of `message/rfc822` headers) would be dropped
/// recursively, one stack frame a level, and overflow the stack.
fn drop_flat(message: Message<'_>) {
    let mut pending = vec![message];
    while let Some(mut message) = pending.pop() {
        for part in &mut message.parts {
            if let PartType::Message(inner) = &mut part.body {
                pending.push(std::mem::take(inner));
            }
        }
    }
}

/// `mail.too-deep`: a forwarded message beyond [`MAX_NESTING`] levels, which is not searched.
fn too_deep() -> Report {
    Report::rejected(
        FindingCode::MailTooDeep,
        format!(
            "a message forwarded more than {MAX_NESTING} levels deep was not searched for invitations"
        ),
    )
}

fn not_inspected(why: &str) -> Report {
    Report::rejected(
        FindingCode::MailNotInspected,
        format!("{why}: not inspected"),
    )
}

/// Every name a mail client may give the part: each `filename` (RFC 2231 `filename*` too, as
/// the parser decodes it) of Content-Disposition and each `name` of Content-Type, and each of
/// them cut at a NUL, where a program in C would stop reading it.
fn names<'a>(part: &'a MessagePart<'_>) -> Vec<&'a str> {
    let attributes = |header: Option<&'a mail_parser::ContentType<'_>>, key: &'static str| {
        header
            .and_then(|h| h.attributes())
            .unwrap_or_default()
            .iter()
            // `filename`, and any RFC 2231 form the parser leaves as it is (`filename*0*`).
            .filter(move |a| {
                a.name
                    .get(..key.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(key))
            })
            .map(|a| a.value.as_ref())
    };
    let mut names: Vec<&str> = attributes(part.content_disposition(), "filename")
        .chain(attributes(part.content_type(), "name"))
        .collect();
    let cut: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split_once('\0').map(|(head, _)| head))
        .collect();
    names.extend(cut);
    names
}

/// A TNEF part (Outlook's winmail.dat), which may hold attachments rainv cannot reach.
fn is_tnef(part: &MessagePart<'_>, names: &[&str]) -> bool {
    let typed = part.content_type().is_some_and(|t| {
        t.c_subtype.as_deref().is_some_and(|sub| {
            sub.eq_ignore_ascii_case("ms-tnef") || sub.eq_ignore_ascii_case("vnd.ms-tnef")
        })
    });
    typed
        || names.iter().any(|n| n.eq_ignore_ascii_case("winmail.dat"))
        || part.contents().starts_with(&[0x78, 0x9F, 0x3E, 0x22])
}

/// Bytes that start as an e-mail message does, with a header field (`Name:`) on the first
/// line: mail clients open such a file (`.eml`) as a message whatever its fields are.
fn looks_like_message(bytes: &[u8]) -> bool {
    let name = bytes
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-')
        .count();
    name > 0 && bytes.get(name) == Some(&b':')
}

/// The files uuencoded in `text` (`begin MODE NAME` ... `end`): each name and its bytes. A
/// block that does not decode ends at the first bad line, with what it had.
fn uuencoded(text: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut lines = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(b"begin ") else {
            continue;
        };
        let mode_length = rest
            .iter()
            .take_while(|b| (b'0'..=b'7').contains(b))
            .count();
        if !(3..=4).contains(&mode_length) || rest.get(mode_length) != Some(&b' ') {
            continue;
        }
        let name = String::from_utf8_lossy(&rest[mode_length + 1..]).into_owned();
        let mut bytes = Vec::new();
        for line in lines.by_ref() {
            if line == b"end" {
                break;
            }
            let Some((&count, data)) = line.split_first() else {
                break;
            };
            let count = usize::from(count.wrapping_sub(b' ') & 0x3F);
            if count == 0 {
                continue;
            }
            let values: Vec<u8> = data.iter().map(|&c| c.wrapping_sub(b' ') & 0x3F).collect();
            let mut decoded = Vec::with_capacity(count + 2);
            for group in values.chunks(4) {
                let g = |i: usize| u32::from(group.get(i).copied().unwrap_or(0));
                let word = (g(0) << 18) + (g(1) << 12) + (g(2) << 6) + g(3);
                decoded.extend_from_slice(&word.to_be_bytes()[1..]);
            }
            decoded.truncate(count);
            bytes.extend_from_slice(&decoded);
        }
        files.push((name, bytes));
    }
    files
}

fn parse(raw: &[u8]) -> Option<Message<'_>> {
    // The parser's known panics are debug assertions, compiled out of test builds; this marker
    // lets the unit tests make it fail so that the guard above is tested.
    #[cfg(test)]
    if raw.starts_with(tests::PARSER_PANIC) {
        panic!("the mail parser failed (test)");
    }
    MessageParser::default().parse(raw)
}

fn scan(
    message: &Message<'_>,
    policy: &Policy,
    now: DateTime<Utc>,
    depth: usize,
    out: &mut Vec<AttachmentReport>,
) {
    let message_id = message.message_id().map(str::to_string);
    let report = |out: &mut Vec<AttachmentReport>, name: String, report: Report| {
        out.push(AttachmentReport {
            message_id: message_id.clone(),
            attachment: name,
            inside: Vec::new(),
            report,
        })
    };
    let found = |out: &mut Vec<AttachmentReport>,
                 name: &str,
                 prefix: &[String],
                 found: Vec<EntryReport>| {
        for EntryReport { inside, report } in found {
            out.push(AttachmentReport {
                message_id: message_id.clone(),
                attachment: name.to_string(),
                inside: prefix.iter().cloned().chain(inside).collect(),
                report,
            });
        }
    };
    let mut nested = Vec::new();
    // Every leaf part, the body too: an invitation may come as an inline part or as the
    // message's only body, not only as what the parser calls an attachment.
    for (index, part) in message.parts.iter().enumerate() {
        let shown = || {
            part.attachment_name().map_or_else(
                || format!("(unnamed attachment {})", index + 1),
                str::to_string,
            )
        };
        let contents: &[u8] = match &part.body {
            PartType::Multipart(_) => continue,
            PartType::Message(inner) => {
                let name = part.attachment_name().map_or_else(
                    || format!("(forwarded message {})", nested.len() + 1),
                    str::to_string,
                );
                nested.push((inner, name));
                continue;
            }
            PartType::Text(text) | PartType::Html(text) => text.as_bytes(),
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes,
        };
        let names = names(part);
        // Content is sniffed in what a client offers to save or open as a file; a body it
        // shows (text, HTML) is judged only when named like an invitation or an archive, so
        // that mail that mentions UPLOADINFO is not taken for one.
        let offered_as_file = matches!(part.body, PartType::Binary(_) | PartType::InlineBinary(_))
            || u32::try_from(index).is_ok_and(|id| message.attachments.contains(&id));
        let candidate = if offered_as_file {
            Candidate::NameOrContent
        } else {
            Candidate::NameOnly
        };
        let judged = inspect(&names, contents, candidate, policy, now);
        if !judged.is_empty() {
            let name = names
                .iter()
                .find(|n| has_invitation_name(n))
                .map_or_else(shown, |n| (*n).to_string());
            found(out, &name, &[], judged);
            continue;
        }
        if is_tnef(part, &names) {
            report(
                out,
                shown(),
                not_inspected(
                    "a TNEF (winmail.dat) part, which rainv cannot open, may carry an invitation",
                ),
            );
            continue;
        }
        let text = matches!(part.body, PartType::Text(_));
        for (uu_name, bytes) in uuencoded(if text { contents } else { &[] }) {
            let judged = inspect(&[&uu_name], &bytes, Candidate::NameOrContent, policy, now);
            found(out, &shown(), std::slice::from_ref(&uu_name), judged);
        }
        // A forwarded message sent as plain bytes (application/octet-stream, .eml) is searched
        // as a message/rfc822 part is.
        if matches!(part.body, PartType::Binary(_) | PartType::InlineBinary(_))
            && looks_like_message(contents)
        {
            if depth < MAX_NESTING {
                match std::panic::catch_unwind(|| parse(contents)) {
                    Ok(Some(inner)) => {
                        scan(&inner, policy, now, depth + 1, out);
                        drop_flat(inner);
                    }
                    _ => report(
                        out,
                        shown(),
                        not_inspected(
                            "a part that looks like a forwarded message could not be read as one",
                        ),
                    ),
                }
            } else {
                report(out, shown(), too_deep());
            }
        }
    }
    for (inner, name) in nested {
        if depth < MAX_NESTING {
            scan(inner, policy, now, depth + 1, out);
        } else {
            // Not searched, so never reported as clean: the message is rejected.
            report(out, name, too_deep());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Verdict;

    pub(super) const PARSER_PANIC: &[u8] = b"X-Rainv-Test: make the mail parser panic\r\n";

    #[test]
    fn a_parser_panic_is_an_unreadable_message() {
        let raw = [PARSER_PANIC, b"Subject: x\r\n\r\nbody\r\n"].concat();
        let result = scan_message(&raw, &Policy::default(), DateTime::UNIX_EPOCH);
        assert_eq!(
            result,
            Err(Error::Structure(
                "the e-mail message is malformed beyond parsing".into()
            ))
        );
    }

    /// A part is judged when any name a mail client may use is an invitation's, whatever the
    /// content looks like (here, nothing a sniffer would take for an invitation).
    #[test]
    fn every_name_of_a_part_counts() {
        let now = DateTime::UNIX_EPOCH;
        for disposition in [
            "attachment; filename=\"notes.txt\"; filename*=UTF-8''RA.msrcincident",
            "attachment; filename*0=\"RA.msrc\"; filename*1=\"incident\"; filename=\"a.txt\"",
            "attachment; filename=\"=?UTF-8?Q?RA.msrcincident=00.txt?=\"",
            "attachment; filename=\"notes.txt\"; filename=\"RA.msrcincident\"",
            "inline",
        ] {
            let content_type = if disposition == "inline" {
                "text/plain; name=\"RA.MSRCINCIDENT\""
            } else {
                "application/octet-stream; name=\"notes.txt\""
            };
            let raw = format!(
                "From: a@b\r\nMessage-ID: <m@x>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                 --b\r\nContent-Type: {content_type}\r\nContent-Disposition: {disposition}\r\n\r\n\
                 not an invitation\r\n--b--\r\n"
            );
            let reports = scan_message(raw.as_bytes(), &Policy::default(), now).unwrap();
            assert_eq!(reports.len(), 1, "{disposition}");
            assert!(
                reports[0]
                    .attachment
                    .to_ascii_lowercase()
                    .contains(".msrcincident"),
                "{disposition}: {}",
                reports[0].attachment
            );
            assert_eq!(reports[0].report.verdict, Verdict::Reject);
        }
        // A part none of whose names is an invitation's, with other content, is not judged.
        let raw = "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                   --b\r\nContent-Type: application/octet-stream; name=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n";
        assert_eq!(
            scan_message(raw.as_bytes(), &Policy::default(), now).unwrap(),
            []
        );
    }

    /// A body the client shows (text, HTML) is not taken for an invitation because it talks
    /// about one; named like one, or attached, it is judged.
    #[test]
    fn bodies_that_mention_invitations_are_not_judged() {
        let now = DateTime::UNIX_EPOCH;
        let html = "From: a@b\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
                    --b\r\nContent-Type: text/plain\r\n\r\n<E><A ID=\"x\"/></E> is a ticket\r\n\
                    --b\r\nContent-Type: text/html\r\n\r\n<p>Open the UPLOADINFO file</p>\r\n--b--\r\n";
        assert_eq!(
            scan_message(html.as_bytes(), &Policy::default(), now).unwrap(),
            []
        );
        let attached = html.replace(
            "Content-Type: text/html\r\n",
            "Content-Type: application/xml\r\n",
        );
        assert_eq!(
            scan_message(attached.as_bytes(), &Policy::default(), now)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn tnef_is_known_by_its_type_its_name_or_its_signature() {
        let now = DateTime::UNIX_EPOCH;
        let tnef = |headers: &str, body: &str| {
            let raw = format!(
                "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                 --b\r\n{headers}\r\n{body}\r\n--b--\r\n"
            );
            let reports = scan_message(raw.as_bytes(), &Policy::default(), now).unwrap();
            reports.len() == 1
                && reports[0].report.findings[0].code == FindingCode::MailNotInspected
        };
        assert!(tnef("Content-Type: application/ms-tnef\r\n", "x"));
        assert!(tnef("Content-Type: application/vnd.ms-tnef\r\n", "x"));
        assert!(tnef(
            "Content-Type: application/octet-stream; name=\"WINMAIL.DAT\"\r\n",
            "x"
        ));
        assert!(tnef(
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n",
            "eJ8+IgAAAAA="
        ));
        assert!(!tnef("Content-Type: application/octet-stream\r\n", "x"));
    }

    #[test]
    fn forwarded_messages_in_plain_bytes_are_searched() {
        let now = DateTime::UNIX_EPOCH;
        for first_line in ["From: x@y", "X-Anything: z", "Received: by relay"] {
            let inner = format!(
                "{first_line}\r\nContent-Type: application/octet-stream; name=\"a.msrcincident\"\r\n\r\nnot XML\r\n"
            );
            let raw = format!(
                "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                 --b\r\nContent-Type: application/octet-stream; name=\"fwd.eml\"\r\n\r\n{inner}--b--\r\n"
            );
            let reports = scan_message(raw.as_bytes(), &Policy::default(), now).unwrap();
            assert_eq!(reports.len(), 1, "{first_line}");
            assert_eq!(reports[0].attachment, "a.msrcincident");
        }
        assert!(!looks_like_message(b"PK\x03\x04 zip"));
        assert!(!looks_like_message(b": x"));
        assert!(!looks_like_message(b"From x"));
        assert!(looks_like_message(b"Subject:"));
    }

    #[test]
    fn forwarded_bytes_are_followed_to_the_limit_and_rejected_beyond() {
        let now = DateTime::UNIX_EPOCH;
        let nested = |levels: usize| {
            let mut message = "From: x@y\r\nContent-Type: application/octet-stream; name=\"a.msrcincident\"\r\n\r\nnot XML\r\n".to_string();
            for level in 0..levels {
                message = format!(
                    "From: l{level}@y\r\nContent-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n\
                     --b{level}\r\nContent-Type: application/octet-stream; name=\"f.eml\"\r\n\
                     Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b{level}--\r\n",
                    base64_lines(message.as_bytes())
                );
            }
            scan_message(message.as_bytes(), &Policy::default(), now).unwrap()
        };
        let within = nested(MAX_NESTING);
        assert_eq!(within.len(), 1);
        assert_eq!(within[0].attachment, "a.msrcincident");
        let beyond = nested(MAX_NESTING + 1);
        assert_eq!(beyond.len(), 1);
        assert_eq!(beyond[0].attachment, "f.eml");
        assert_eq!(beyond[0].report, too_deep());
    }

    fn base64_lines(bytes: &[u8]) -> String {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        text.as_bytes()
            .chunks(76)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    #[test]
    fn uuencoded_files_are_judged_by_name_or_content() {
        let now = DateTime::UNIX_EPOCH;
        let body = |name: &str, content: &[u8]| {
            let mut encoded = format!("begin 644 {name}\r\n");
            for chunk in content.chunks(45) {
                encoded.push(char::from(32 + chunk.len() as u8));
                for group in chunk.chunks(3) {
                    let mut three = [0u8; 3];
                    three[..group.len()].copy_from_slice(group);
                    let n = u32::from_be_bytes([0, three[0], three[1], three[2]]);
                    for shift in [18, 12, 6, 0] {
                        let v = ((n >> shift) & 0x3F) as u8;
                        encoded.push(char::from(if v == 0 { b'`' } else { 32 + v }));
                    }
                }
                encoded.push_str("\r\n");
            }
            encoded.push_str("`\r\nend\r\n");
            let raw =
                format!("From: a@b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n{encoded}");
            scan_message(raw.as_bytes(), &Policy::default(), now).unwrap()
        };
        assert_eq!(body("RA.msrcincident", b"not XML").len(), 1);
        let by_content = body("notes.txt", b"<UPLOADINFO/>");
        assert_eq!(by_content.len(), 1);
        assert_eq!(by_content[0].attachment, "(unnamed attachment 1)");
        assert_eq!(by_content[0].inside, ["notes.txt"]);
        assert_eq!(body("notes.txt", b"hello").len(), 0);
    }

    #[test]
    fn the_structure_limit_is_exact() {
        let head = "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
        let with = |lines: usize| format!("{head}{}--b--\r\n", "--b\r\n\r\n".repeat(lines - 3));
        assert_eq!(
            structure_lines(with(MAX_STRUCTURE_LINES).as_bytes()),
            MAX_STRUCTURE_LINES
        );
        let now = DateTime::UNIX_EPOCH;
        assert!(
            scan_message(
                with(MAX_STRUCTURE_LINES).as_bytes(),
                &Policy::default(),
                now
            )
            .is_ok()
        );
        assert!(
            scan_message(
                with(MAX_STRUCTURE_LINES + 1).as_bytes(),
                &Policy::default(),
                now
            )
            .is_err()
        );
    }

    #[test]
    fn uudecodes_as_uuencode_encodes() {
        // "Cat" and a longer line, as `uuencode` writes them (with ` for zero).
        let text =
            b"x\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\nbegin 600 b\r\n%:&5L;&\\`\r\nend\r\n";
        assert_eq!(
            uuencoded(text),
            [
                ("cat.txt".to_string(), b"Cat".to_vec()),
                ("b".to_string(), b"hello".to_vec())
            ]
        );
        assert_eq!(uuencoded(b"begin 64 x\nbegin 64444 y\nbegin 644y\n"), []);
    }

    /// `levels` forwarded messages, one inside the other, the innermost carrying `attachment`.
    fn forwarded(levels: usize, attachment: &str) -> String {
        let mut message = format!(
            "Message-ID: <level{levels}@example>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b{levels}\"\r\n\r\n--b{levels}\r\n\
             Content-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"RA.msrcincident\"\r\n\r\n\
             {attachment}\r\n--b{levels}--\r\n"
        );
        for level in (0..levels).rev() {
            message = format!(
                "Message-ID: <level{level}@example>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n\
                 Content-Type: message/rfc822\r\n\r\n{message}\r\n--b{level}--\r\n"
            );
        }
        message
    }

    #[test]
    fn forwarded_messages_are_followed_to_the_limit_and_rejected_beyond() {
        let bad = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><UPLOADINFO/>";
        let policy = Policy::default();
        let now = DateTime::UNIX_EPOCH;
        let reports = scan_message(forwarded(MAX_NESTING, bad).as_bytes(), &policy, now).unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].attachment, "RA.msrcincident");
        assert_eq!(reports[0].message_id.as_deref(), Some("level8@example"));
        assert_eq!(
            reports[0].report.findings[0].code,
            FindingCode::Library(rainv::ErrorCode::Doctype)
        );
        let beyond =
            scan_message(forwarded(MAX_NESTING + 1, bad).as_bytes(), &policy, now).unwrap();
        assert_eq!(beyond.len(), 1);
        assert_eq!(beyond[0].attachment, "(forwarded message 1)");
        assert_eq!(beyond[0].message_id.as_deref(), Some("level8@example"));
        assert_eq!(beyond[0].report, too_deep());
        assert_eq!(beyond[0].report.verdict, Verdict::Reject);
    }

    /// Bytes with no header fields are not a message, and never an empty (clean) list.
    #[test]
    fn messages_of_nothing_but_structure_are_refused_before_parsing() {
        let head = "From: a@b\r\nMessage-ID: <m@x>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
        let now = Utc::now();
        let parts = |n: usize| format!("{head}{}--b--\r\n", "--b\r\n\r\n\r\n".repeat(n));
        assert!(
            scan_message(
                parts(MAX_STRUCTURE_LINES - 10).as_bytes(),
                &Policy::default(),
                now
            )
            .is_ok()
        );
        let refused = scan_message(
            parts(MAX_STRUCTURE_LINES).as_bytes(),
            &Policy::default(),
            now,
        );
        assert!(
            matches!(refused, Err(Error::Limit(ref m)) if m.contains("not inspected")),
            "{refused:?}"
        );
        let fields = format!("{}{head}body\r\n", "X-A: y\r\n".repeat(MAX_STRUCTURE_LINES));
        assert!(matches!(
            scan_message(fields.as_bytes(), &Policy::default(), now),
            Err(Error::Limit(_))
        ));
        // A large attachment is lines of base64: none of them count.
        let body = "QUJD".repeat(19) + "\r\n";
        let big = format!(
            "{head}--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--b--\r\n",
            body.repeat(300_000)
        );
        assert_eq!(structure_lines(big.as_bytes()), 7);
        assert!(scan_message(big.as_bytes(), &Policy::default(), now).is_ok());
        assert_eq!(structure_lines(b"a:b\n--\nc: d\n-x\n:e\nf\n"), 3);
    }

    #[test]
    fn input_that_is_not_mail_is_an_error() {
        let file = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/ms-rai-sample-xp.msrcincident"
        ))
        .unwrap();
        let now = DateTime::UNIX_EPOCH;
        let example = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/example.msrcincident"
        ))
        .unwrap();
        for invitation in [file, example] {
            let error = scan_message(&invitation, &Policy::default(), now).unwrap_err();
            assert!(error.to_string().contains("rainv check"), "{error}");
        }
        for text in [
            &b"just some text\r\n"[..],
            b"\xff\xfe<\x00a\x00/\x00>\x00",
            b"x",
        ] {
            let result = scan_message(text, &Policy::default(), now);
            assert!(result.is_err(), "{text:?}: {result:?}");
        }
        // A message with a header and no attachment is a message: an empty list.
        let reports = scan_message(b"Subject: hi\r\n\r\nbody\r\n", &Policy::default(), now);
        assert_eq!(reports, Ok(Vec::new()));
    }

    /// Tens of thousands of `message/rfc822` levels (1.6 MB): rejected as too deep, not a
    /// stack overflow when the parsed message is dropped (on a test thread's 2 MiB stack).
    #[test]
    fn a_message_nested_fifty_thousand_levels_deep_is_rejected_without_overflow() {
        let mut raw = b"Content-Type: message/rfc822\r\n\r\n".repeat(50_000);
        raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\nhello\r\n");
        let reports = scan_message(&raw, &Policy::default(), DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].report, too_deep());
    }

    #[test]
    fn finds_base64_attachment_and_forwarded_one() {
        use base64::Engine;
        let file = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/ms-rai-sample-xp.msrcincident"
        ))
        .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&file);
        let inner = format!(
            "Message-ID: <inner@example>\r\nSubject: help\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
             --in\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"RA.msrcincident\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--in--\r\n"
        );
        let outer = format!(
            "Message-ID: <outer@example>\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nsee below\r\n\
             --out\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--out--\r\n"
        );
        let now = DateTime::from_timestamp(1_160_080_100, 0).unwrap();
        for raw in [&inner, &outer] {
            let reports = scan_message(raw.as_bytes(), &Policy::default(), now).unwrap();
            assert_eq!(reports.len(), 1, "{raw}");
            assert_eq!(reports[0].attachment, "RA.msrcincident");
            assert_eq!(reports[0].message_id.as_deref(), Some("inner@example"));
            assert_eq!(
                reports[0].report.verdict,
                Verdict::Accept,
                "{:?}",
                reports[0].report
            );
        }
    }
}
