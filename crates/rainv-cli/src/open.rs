//! `rainv open`: the summary a person reads, or one JSON object for a program.

use std::fmt::Write as _;

use chrono::{DateTime, Local, Utc};
use rainv::display::{describe_ago, describe_duration, escape_for_display as esc};
use rainv::{ConnectionString2, DecryptedTicket, Document, Password, Status};
use rainv_gateway::{Opened, Policy, ReadOutcome, ResultLine, Severity, Unopened};

use crate::args::OpenArgs;
use crate::check::read_policy_file;
use crate::io::{self, Failure, Outcome, display_path};

pub(crate) fn run(args: &OpenArgs) -> Outcome {
    for file in &args.files {
        io::stdin_once(file, &args.password)?;
    }
    if args.files.iter().filter(|f| io::is_stdio(f)).count() > 1 {
        return Err(Failure::usage(
            "'-' (standard input) is named more than once",
            "standard input can be read once",
        ));
    }
    let now = io::parse_now(args.now.as_deref())?;
    let policy = match &args.policy {
        Some(path) => read_policy_file(path)?,
        None => Policy::default(),
    };
    // Asked for once, when the first file with an encrypted ticket needs it.
    let mut password: Option<Option<Password>> = None;
    let mut worst = 0u8;
    for (index, file) in args.files.iter().enumerate() {
        if index > 0 && !args.json {
            println!();
        }
        if let Err(failure) = open_one(args, file, &policy, now, &mut password) {
            worst = worst.max(io::report(failure));
        }
    }
    match worst {
        0 => Ok(()),
        1 => Err(Failure::Silent),
        _ => Err(Failure::usage(
            "some files could not be opened",
            "see the errors above",
        )),
    }
}

/// Open one file: print its summary (or JSON line), then fail when its ticket did not decrypt.
fn open_one(
    args: &OpenArgs,
    file: &std::path::Path,
    policy: &Policy,
    now: DateTime<Utc>,
    password: &mut Option<Option<Password>>,
) -> Outcome {
    let name = display_path(file);
    // A program reading the JSON lines gets one for every file, with the verdict, even when
    // the file is not an invitation; the error goes to standard error too.
    let unopened = |unopened: Unopened| -> Failure {
        if args.json {
            let text = json_line(&unopened.line(&name));
            if let Err(failure) =
                io::write_output(std::path::Path::new("-"), text.as_bytes(), false)
            {
                return failure;
            }
        }
        match unopened.error {
            rainv::Error::TooLarge { limit, .. } => Failure::invalid(
                format!("{name}: input is larger than {limit} bytes, the limit for an invitation"),
                unopened.error.hint(),
            ),
            ref e => Failure::from_error(&name, e),
        }
    };
    let limit = policy.limits.max_input_bytes;
    let mut bytes = Vec::new();
    if let ReadOutcome::TooLarge { size } =
        io::read_path(file, limit, &mut bytes).map_err(|e| Failure::io("read", file, &e))?
    {
        return Err(unopened(Unopened::too_large(size, policy)));
    }
    let document = match rainv::read(&bytes, &policy.limits) {
        Ok(document) => document,
        Err(e) => return Err(unopened(Unopened::unreadable(&bytes, e, policy, now))),
    };
    let needs_password = matches!(&document, Document::Invitation(inv) if inv.lh_ticket.is_some())
        && !args.no_decrypt;
    if needs_password && password.is_none() {
        *password = Some(io::password(&args.password, false)?);
    }
    let given = if needs_password {
        password.as_ref().and_then(Option::as_ref)
    } else {
        None
    };
    let opened = Opened::judge(&bytes, document, policy, given, now);
    let colour = io::colour_enabled(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let out = if args.json {
        json_line(&opened.line(&name))
    } else {
        // The warnings are the gateway's findings that matter, so `open` and `check` never
        // disagree about a file.
        let warnings: Vec<&str> = opened
            .report
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(|f| f.message.as_str())
            .collect();
        summary(&Shown {
            name: &name,
            document: &opened.document,
            decrypted: opened.decrypted.as_ref(),
            now,
            warnings: &warnings,
            colour,
            no_decrypt: args.no_decrypt,
            verbose: args.verbose,
            decrypt_failed: opened.decrypt_error.is_some(),
        })
    };
    io::write_output(std::path::Path::new("-"), out.as_bytes(), false)?;
    match &opened.decrypt_error {
        // What is not encrypted was shown; the ticket was not.
        Some(e) => Err(Failure::from_error(&name, e)),
        None => Ok(()),
    }
}

fn json_line(line: &ResultLine<'_>) -> String {
    let mut text = serde_json::to_string(line).unwrap_or_default();
    text.push('\n');
    text
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

/// Everything `summary` shows about one file.
struct Shown<'a> {
    name: &'a str,
    document: &'a Document,
    decrypted: Option<&'a DecryptedTicket>,
    now: DateTime<Utc>,
    warnings: &'a [&'a str],
    colour: bool,
    no_decrypt: bool,
    verbose: bool,
    decrypt_failed: bool,
}

/// The ticket's details `--verbose` adds.
fn cs2_details(out: &mut String, cs: &ConnectionString2) {
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
        for (i, l) in t.listeners().enumerate() {
            let endpoint = match (l.uri, l.port) {
                (Some(uri), _) => format!("uri {}", esc(uri)),
                (None, Some(port)) => format!("port {port}"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "    {}. {} {endpoint}", i + 1, esc(l.address));
        }
    }
}

/// Why an address is unlikely to reach the novice from elsewhere, if it is.
fn unlikely(host: &str) -> Option<&'static str> {
    let bare = host.split('%').next().unwrap_or(host);
    let ip: std::net::IpAddr = bare.parse().ok()?;
    let link_local = match ip {
        std::net::IpAddr::V4(v4) => v4.is_link_local(),
        std::net::IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    if ip.is_loopback() {
        Some("loopback: the expert's own computer")
    } else if link_local {
        Some("link-local: reachable only on the novice's own network segment")
    } else if ip.is_unspecified() {
        Some("unspecified address")
    } else if ip.is_multicast() {
        Some("multicast address")
    } else if matches!(ip, std::net::IpAddr::V6(v6) if v6.segments()[..2] == [0x2001, 0]) {
        Some("Teredo tunnel: Windows' old IPv6 tunnel, now rarely reachable")
    } else {
        None
    }
}

/// Where an expert connects, in the order Windows tries: the LHTICKET's listeners (Vista and
/// later), then the RCTICKET's addresses (XP experts) not already listed.
fn connect_to(inv: Option<&rainv::Invitation>, cs: Option<&ConnectionString2>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    if let Some(cs) = cs {
        for l in cs.listeners() {
            let entry = match (l.uri, l.port) {
                (Some(uri), _) => esc(uri).into_owned(),
                (None, Some(port)) if l.address.contains(':') => {
                    format!("[{}]:{port}", esc(l.address))
                }
                (None, Some(port)) => format!("{}:{port}", esc(l.address)),
                (None, None) => esc(l.address).into_owned(),
            };
            let note = unlikely(l.address).map_or(String::new(), |why| format!("  ({why})"));
            let entry = format!("{entry}{note}");
            if !seen.contains(&entry) {
                seen.push(entry);
            }
        }
    }
    if let Some(rc) = inv.and_then(|inv| inv.rc_ticket.as_ref()) {
        for a in rc.addresses() {
            let note = unlikely(a.host).map_or(String::new(), |why| format!("  ({why})"));
            let entry = format!("{}{note}", esc(&a.to_string()));
            if !seen.contains(&entry) {
                seen.push(entry);
            }
        }
    }
    seen
}

/// The first line: who, and whether the invitation can be used now.
fn headline(inv: &rainv::Invitation, now: DateTime<Utc>, colour: bool) -> String {
    let now_seconds = i128::from(now.timestamp());
    let state = match inv.validity.status_at(now) {
        Status::Valid => {
            let until = inv.validity.valid_until().map_or_else(String::new, |d| {
                let local = d.with_timezone(&Local);
                let same_day = local.date_naive() == now.with_timezone(&Local).date_naive();
                if same_day {
                    format!(" (until {} local)", local.format("%H:%M"))
                } else {
                    format!(" (until {} local)", local.format("%Y-%m-%d %H:%M"))
                }
            });
            io::paint(
                colour,
                "1;32",
                &format!(
                    "VALID, {} left{until}",
                    describe_duration(inv.validity.end_seconds() - now_seconds)
                ),
            )
        }
        Status::Expired => io::paint(
            colour,
            "1;31",
            &format!(
                "EXPIRED {}",
                describe_ago(now_seconds - inv.validity.end_seconds())
            ),
        ),
        Status::NotYetValid => io::paint(
            colour,
            "1;33",
            &format!(
                "NOT VALID YET, starts in {}",
                describe_duration(inv.validity.start_seconds() - now_seconds)
            ),
        ),
    };
    format!("{} \u{2014} {state}", esc(inv.username()))
}

fn summary(shown: &Shown<'_>) -> String {
    let mut out = String::new();
    let cs = shown.decrypted.map(DecryptedTicket::connection);
    match shown.document {
        Document::ConnectionString(cs) => {
            let _ = writeln!(
                out,
                "bare Connection String 2 \u{2014} no user, no validity, not encrypted"
            );
            let _ = writeln!(out, "file:          {}", shown.name);
            let _ = writeln!(out, "connect to:");
            for (i, entry) in connect_to(None, Some(cs)).iter().enumerate() {
                let _ = writeln!(out, "  {}. {entry}", i + 1);
            }
            if shown.verbose {
                let _ = writeln!(out, "ticket:");
                cs2_details(&mut out, cs);
            }
        }
        Document::Invitation(inv) => {
            let _ = writeln!(out, "{}", headline(inv, shown.now, shown.colour));
            let _ = writeln!(out, "file:          {}", shown.name);
            let kind = match (inv.generation(), inv.rc_ticket.is_some()) {
                (rainv::Generation::Xp, _) => "Windows XP invitation (RCTICKET only)",
                (_, true) => "Vista-or-later invitation (LHTICKET, with RCTICKET for XP experts)",
                (_, false) => "Vista-or-later invitation (LHTICKET only)",
            };
            let _ = writeln!(out, "kind:          {kind}");
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
            let _ = writeln!(
                out,
                "valid until:   {} [{} min]",
                when(inv.validity.valid_until()),
                inv.validity.length_minutes
            );
            let _ = writeln!(
                out,
                "PassStub:      {}",
                inv.pass_stub().map_or("(none)".into(), esc)
            );
            if inv.low_speed {
                let _ = writeln!(out, "low speed:     yes (modem)");
            }
            let _ = writeln!(out, "connect to:");
            for (i, entry) in connect_to(Some(inv), cs).iter().enumerate() {
                let _ = writeln!(out, "  {}. {entry}", i + 1);
            }
            if let Some(lh) = &inv.lh_ticket
                && cs.is_none()
            {
                let why = if shown.decrypt_failed {
                    " (could not be decrypted with this password)".to_string()
                } else if shown.no_decrypt {
                    String::new()
                } else {
                    " (give --password-file to decrypt it)".to_string()
                };
                let _ = writeln!(
                    out,
                    "  LHTICKET's listeners: encrypted, {} bytes{why}",
                    lh.as_hex().len() / 2
                );
            }
            if shown.verbose {
                if let Some(rc) = &inv.rc_ticket {
                    let _ = writeln!(out, "RCTICKET:");
                    for (i, a) in rc.addresses().enumerate() {
                        let _ = writeln!(out, "    {}. {}", i + 1, esc(&a.to_string()));
                    }
                    let _ = writeln!(out, "  session ID:  {}", esc(rc.session_id()));
                    let _ = writeln!(out, "  KH:          {}", esc(rc.kh()));
                }
                if let Some(cs) = cs {
                    let _ = writeln!(out, "LHTICKET (decrypted):");
                    cs2_details(&mut out, cs);
                }
            }
        }
    }
    if !shown.warnings.is_empty() {
        let _ = writeln!(out, "{}", io::paint(shown.colour, "33", "warnings:"));
        for w in shown.warnings {
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
    fn long_ticket_attributes_are_shortened_to_48_characters() {
        for (length, shortened) in [(48, false), (49, true)] {
            let value = "é".repeat(length);
            let text = format!(
                "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\" ID=\"AAAA\" CE=\"{value}\"/>\
                 <C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"192.0.2.1\"/></T></C></E>"
            );
            let cs = ConnectionString2::parse(&text, &rainv::Limits::default()).unwrap();
            let mut out = String::new();
            cs2_details(&mut out, &cs);
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
