//! `rainv open`: the summary a person reads, or one JSON object for a program.

use std::fmt::Write as _;

use chrono::{DateTime, Local, Utc};
use rainv::{
    Attribute, ConnectionString1, ConnectionString2, DecryptedTicket, Document, Status, TicketKey,
    display::escape_for_display as esc,
};
use rainv_gateway::{Policy, Severity, validate};
use serde_json::{Value, json};

use crate::args::OpenArgs;
use crate::check::read_policy_file;
use crate::io::{self, Failure, Outcome, display_path};

pub(crate) fn run(args: &OpenArgs) -> Outcome {
    io::stdin_once(&args.file, &args.password)?;
    let now = io::parse_now(args.now.as_deref())?;
    let mut policy = match &args.policy {
        Some(path) => read_policy_file(path)?,
        None => Policy::default(),
    };
    let bytes = io::read_input(&args.file, policy.limits.max_input_bytes)?;
    let name = display_path(&args.file);
    let document =
        rainv::read(&bytes, &policy.limits).map_err(|e| Failure::from_error(&name, &e))?;

    let mut decrypted = None;
    if let Document::Invitation(inv) = &document
        && let Some(lh) = &inv.lh_ticket
        && !args.no_decrypt
        && let Some(password) = io::password(&args.password, false)?
    {
        let ticket = lh
            .decrypt_with_key(&TicketKey::derive(&password), &policy.limits)
            .map_err(|e| Failure::from_error(&name, &e))?;
        decrypted = Some(ticket);
        // The gateway's check then decrypts too: it compares the tickets and checks the
        // listeners.
        policy.password = Some(password);
    }
    // The warnings are the gateway's findings that matter, so `open` and `check` never
    // disagree about a file.
    let report = validate(&bytes, &policy, now);
    let warnings: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| f.message.as_str())
        .collect();
    let colour = io::colour_enabled(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let out = if args.json {
        let mut value = to_json(&document, decrypted.as_ref(), now);
        value["warnings"] = json!(warnings);
        value["findings"] = json!(report.findings);
        format!("{value}\n")
    } else {
        summary(
            &name,
            &document,
            decrypted.as_ref(),
            now,
            &warnings,
            colour,
            args.no_decrypt,
        )
    };
    io::write_output(std::path::Path::new("-"), out.as_bytes(), false)
}

fn rfc3339(date: Option<DateTime<Utc>>) -> Value {
    date.map_or(Value::Null, |d| {
        Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    })
}

fn rc_json(rc: &ConnectionString1) -> Value {
    json!({
        "addresses": rc.addresses.iter().map(|a| json!({"host": a.host, "port": a.port})).collect::<Vec<_>>(),
        "session_id": rc.session_id,
        "kh": rc.kh,
    })
}

/// Attributes kept as read: `[{"name": ..., "value": ...}, ...]`.
fn attributes_json(attributes: &[Attribute]) -> Value {
    attributes
        .iter()
        .map(|a| json!({"name": a.name, "value": a.value}))
        .collect()
}

fn cs2_json(cs: &ConnectionString2) -> Value {
    json!({
        "decrypted": true,
        "kh": cs.kh(),
        "kh2": cs.kh2().map(|k| json!({"algorithm": k.algorithm.name(), "hash": k.hash})),
        "id": cs.id(),
        "attributes": attributes_json(cs.extra()),
        "transports": cs.transports().iter().map(|t| json!({
            "id": t.id,
            "sid": t.session_id,
            "attributes": attributes_json(&t.extra),
            "listeners": t.listeners.iter().map(|l| json!({
                "address": l.address, "port": l.port, "uri": l.uri,
                "attributes": attributes_json(&l.extra),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn to_json(
    document: &Document,
    decrypted: Option<&DecryptedTicket>,
    now: DateTime<Utc>,
) -> Value {
    match document {
        Document::ConnectionString(cs) => json!({
            "kind": "connection-string",
            "username": null, "rc_ticket_encrypted": null, "dt_start": null,
            "dt_length_minutes": null, "valid_from": null, "valid_until": null, "status": null,
            "pass_stub": null, "low_speed": null, "rc_ticket": null,
            "lh_ticket": cs2_json(cs),
            "uploadinfo_attributes": [], "uploaddata_attributes": [],
        }),
        Document::Invitation(inv) => {
            let lh = match (&inv.lh_ticket, decrypted) {
                (None, _) => Value::Null,
                (Some(_), Some(ticket)) => cs2_json(ticket.connection()),
                (Some(t), None) => {
                    json!({"decrypted": false, "ciphertext_bytes": t.as_hex().len() / 2})
                }
            };
            json!({
                "kind": match inv.generation() { rainv::Generation::Xp => "xp", rainv::Generation::Vista => "vista" },
                "username": inv.username,
                "rc_ticket_encrypted": inv.rc_ticket_encrypted,
                "dt_start": inv.validity.start,
                "dt_length_minutes": inv.validity.length_minutes,
                "valid_from": rfc3339(inv.validity.valid_from()),
                "valid_until": rfc3339(inv.validity.valid_until()),
                "status": inv.validity.status_at(now).name(),
                "pass_stub": inv.pass_stub,
                "low_speed": inv.low_speed,
                "rc_ticket": inv.rc_ticket.as_ref().map_or(Value::Null, rc_json),
                "lh_ticket": lh,
                "uploadinfo_attributes": attributes_json(&inv.upload_info_attributes),
                "uploaddata_attributes": attributes_json(&inv.unknown_attributes),
            })
        }
    }
}

/// "in 3 h 12 min", "2 days ago".
pub(crate) fn relative(seconds: i128) -> String {
    let s = seconds.unsigned_abs();

    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else if s < 365 * 86_400 {
        let days = s / 86_400;
        format!("{days} day{}", if days == 1 { "" } else { "s" })
    } else {
        let years = s / (365 * 86_400);
        format!("{years} year{}", if years == 1 { "" } else { "s" })
    }
}

fn when(date: Option<DateTime<Utc>>) -> String {
    match date {
        Some(d) => format!(
            "{} ({} local)",
            d.format("%Y-%m-%d %H:%M:%S UTC"),
            d.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S %:z")
        ),
        None => "beyond the range of dates".to_string(),
    }
}

fn cs2_summary(out: &mut String, cs: &ConnectionString2) {
    let _ = writeln!(
        out,
        "  KH:          {}",
        cs.kh().map_or("(none)".into(), esc)
    );
    if let Some(kh2) = &cs.kh2() {
        let _ = writeln!(out, "  KH2:         {}", esc(&kh2.to_string()));
    }
    let _ = writeln!(out, "  ID:          {}", esc(cs.id()));
    for extra in cs.extra() {
        let shown: String = extra.value.chars().take(48).collect();
        let more = if extra.value.chars().count() > 48 {
            "…"
        } else {
            ""
        };
        let _ = writeln!(out, "  {}: {}{more}", esc(&extra.name), esc(&shown));
    }
    for t in cs.transports() {
        let _ = writeln!(
            out,
            "  transport {} (terminal session {}), listeners in order:",
            t.id, t.session_id
        );
        for (i, l) in t.listeners.iter().enumerate() {
            let endpoint = match (&l.uri, l.port) {
                (Some(uri), _) => format!("uri {}", esc(uri)),
                (None, Some(port)) => format!("port {port}"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "    {}. {} {endpoint}", i + 1, esc(&l.address));
        }
    }
}

fn summary(
    name: &str,
    document: &Document,
    decrypted: Option<&DecryptedTicket>,
    now: DateTime<Utc>,
    warnings: &[&str],
    colour: bool,
    no_decrypt: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "file:          {name}");
    match document {
        Document::ConnectionString(cs) => {
            let _ = writeln!(
                out,
                "kind:          bare Connection String 2 (not encrypted)"
            );
            cs2_summary(&mut out, cs);
        }
        Document::Invitation(inv) => {
            let kind = match (inv.generation(), inv.rc_ticket.is_some()) {
                (rainv::Generation::Xp, _) => "Windows XP invitation (RCTICKET only)",
                (_, true) => "Vista-or-later invitation (LHTICKET, with RCTICKET for XP experts)",
                (_, false) => "Vista-or-later invitation (LHTICKET only)",
            };
            let _ = writeln!(out, "kind:          {kind}");
            let _ = writeln!(out, "user:          {}", esc(&inv.username));
            let _ = writeln!(
                out,
                "password:      {}",
                if inv.rc_ticket_encrypted {
                    "required"
                } else {
                    "none (RCTICKETENCRYPTED=0)"
                }
            );
            let _ = writeln!(out, "created:       {}", when(inv.validity.valid_from()));
            let until = inv.validity.end_seconds() - i128::from(now.timestamp());
            let state = match inv.validity.status_at(now) {
                Status::Valid => io::paint(
                    colour,
                    "32",
                    &format!("valid, expires in {}", relative(until)),
                ),
                Status::Expired => {
                    io::paint(colour, "31", &format!("expired {} ago", relative(until)))
                }
                Status::NotYetValid => io::paint(
                    colour,
                    "33",
                    &format!(
                        "not valid yet, starts in {}",
                        relative(inv.validity.start_seconds() - i128::from(now.timestamp()))
                    ),
                ),
            };
            let _ = writeln!(
                out,
                "valid until:   {} [{} min]: {state}",
                when(inv.validity.valid_until()),
                inv.validity.length_minutes
            );
            let _ = writeln!(
                out,
                "PassStub:      {}",
                inv.pass_stub.as_deref().map_or("(none)".into(), esc)
            );
            let _ = writeln!(
                out,
                "low speed:     {}",
                if inv.low_speed { "yes (modem)" } else { "no" }
            );
            if let Some(rc) = &inv.rc_ticket {
                let _ = writeln!(out, "RCTICKET:");
                for (i, a) in rc.addresses.iter().enumerate() {
                    let _ = writeln!(out, "    {}. {}", i + 1, esc(&a.to_string()));
                }
                let _ = writeln!(out, "  session ID:  {}", esc(&rc.session_id));
                let _ = writeln!(out, "  KH:          {}", esc(&rc.kh));
            }
            if let Some(lh) = &inv.lh_ticket {
                match decrypted {
                    Some(ticket) => {
                        let _ = writeln!(out, "LHTICKET (decrypted):");
                        cs2_summary(&mut out, ticket.connection());
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "LHTICKET:      encrypted, {} bytes{}",
                            lh.as_hex().len() / 2,
                            if no_decrypt {
                                ""
                            } else {
                                " (give --password-file to decrypt)"
                            }
                        );
                    }
                }
            }
        }
    }
    if !warnings.is_empty() {
        let _ = writeln!(out, "{}", io::paint(colour, "33", "warnings:"));
        for w in warnings {
            // Messages quote file content already escaped; escape only what is still raw.
            let _ = writeln!(out, "  - {}", rainv::display::escape_controls(w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_at_each_unit_boundary() {
        let day = 86_400;
        for (seconds, text) in [
            (0, "0 s"),
            (59, "59 s"),
            (-59, "59 s"),
            (60, "1 min"),
            (3599, "59 min"),
            (3600, "1 h 0 min"),
            (3660, "1 h 1 min"),
            (day - 1, "23 h 59 min"),
            (day, "1 day"),
            (2 * day, "2 days"),
            (365 * day - 1, "364 days"),
            (365 * day, "1 year"),
            (-2 * 365 * day, "2 years"),
        ] {
            assert_eq!(relative(seconds), text, "{seconds}");
        }
    }

    #[test]
    fn long_ticket_attributes_are_shortened_to_48_characters() {
        for (length, shortened) in [(48, false), (49, true)] {
            let value = "é".repeat(length);
            let text = format!(
                "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\" ID=\"AAAA\" CE=\"{value}\"/>\
                 <C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"192.0.2.1\"/></T></C></E>"
            );
            let cs = ConnectionString2::parse(&text, &rainv::Limits::default()).unwrap();
            let mut out = String::new();
            cs2_summary(&mut out, &cs);
            let line = out.lines().find(|l| l.contains("CE:")).unwrap();
            let expected = format!(
                "  CE: {}{}",
                "é".repeat(48),
                if shortened { "…" } else { "" }
            );
            assert_eq!(line, expected, "{length}");
        }
    }
}
