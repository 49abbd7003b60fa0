//! `create`, `decrypt`, `encrypt` and `passstub`: thin layers over the library.

use std::path::Path;

use chrono::{DateTime, Utc};
use rainv::NewInvitation;
use rainv::{Document, Invitation, Kh2, Layout, LhTicket, Limits, Listener, Password, Validity};

use crate::args::{
    CreateArgs, DecryptArgs, EncryptArgs, FormatArg, InvitationArgs, PassStubCommand,
    VistaFormatArg,
};
use rainv_gateway::{FindingCode, Policy, Severity};

use crate::io::{self, Failure, Outcome, display_path};

fn layout(format: FormatArg) -> Layout {
    match format {
        FormatArg::Vista => Layout::Windows10,
        FormatArg::Win7 => Layout::Windows7,
        FormatArg::Xp => Layout::Xp,
    }
}

fn vista_layout(format: VistaFormatArg) -> Layout {
    match format {
        VistaFormatArg::Vista => Layout::Windows10,
        VistaFormatArg::Win7 => Layout::Windows7,
    }
}

fn minutes(args: &InvitationArgs) -> Result<u64, Failure> {
    let minutes = match (&args.minutes, &args.expires) {
        (Some(m), _) => *m,
        (None, Some(e)) => io::parse_minutes(e)?,
        (None, None) => NewInvitation::DEFAULT_MINUTES,
    };
    if minutes == 0 {
        return Err(Failure::usage(
            format!(
                "{}: a validity of 0 minutes makes an invitation that has expired when it is made",
                if args.minutes.is_some() {
                    "--minutes 0"
                } else {
                    "--expires"
                }
            ),
            "give at least one minute (Windows 10 offers 6 hours)",
        ));
    }
    Ok(minutes)
}

/// Refuse a `--user` no Windows writes: empty, or with a character that could drive a
/// terminal, hide text, or that XML does not allow.
fn check_user(user: &str) -> Outcome {
    if user.trim().is_empty() {
        return Err(Failure::usage(
            "--user is empty",
            "give the novice's name, as the expert should see it",
        ));
    }
    let refused = |c: char| {
        rainv::display::is_dangerous_for_display(c)
            || c < ' '
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if let Some(c) = user.chars().find(|&c| refused(c)) {
        return Err(Failure::usage(
            format!(
                "--user {}: character U+{:04X} may not stand in a name (it can drive a terminal, hide text, or XML does not allow it)",
                rainv::display::escape_for_display(user),
                u32::from(c)
            ),
            "give the name without control or formatting characters",
        ));
    }
    Ok(())
}

/// Judge the invitation about to be written as `rainv check` would (default policy, with the
/// password, at `now`). What the check rejects for its form, text or addresses
/// is refused: rainv does not write what it would reject. What depends on the time (validity)
/// is a warning, so that a Windows file can be made again with its original time.
fn check_own_output(bytes: &[u8], password: Option<&Password>, now: DateTime<Utc>) -> Outcome {
    let mut policy = Policy::default();
    policy.password = password.cloned();
    let report = rainv_gateway::validate(bytes, &policy, now);
    for finding in &report.findings {
        let code = finding.code.as_str();
        let about_time = matches!(
            finding.code,
            FindingCode::Expired | FindingCode::NotYetValid | FindingCode::ValidityTooLong
        );
        match finding.severity {
            Severity::Error if !about_time => {
                let option = if code.starts_with("address.") {
                    "--address: "
                } else if finding.message.contains("USERNAME") {
                    "--user: "
                } else {
                    ""
                };
                return Err(Failure::usage(
                    format!("{option}{} [{code}]", finding.message),
                    "rainv does not write an invitation `rainv check` would reject; see docs/security.md for the rule",
                ));
            }
            // The day count of an expiry would change from day to day: said without it.
            Severity::Error | Severity::Warning if about_time => match finding.code {
                FindingCode::Expired => eprintln!(
                    "warning: by the system clock this invitation has already expired [{code}]"
                ),
                FindingCode::NotYetValid => eprintln!(
                    "warning: by the system clock this invitation is not valid yet [{code}]"
                ),
                _ => eprintln!("warning: {} [{code}]", finding.message),
            },
            _ => {}
        }
    }
    Ok(())
}

fn created(args: &InvitationArgs) -> Result<u64, Failure> {
    let now: DateTime<Utc> = io::parse_now(args.now.as_deref())?;
    u64::try_from(now.timestamp())
        .map_err(|_| Failure::usage("--now is before 1970", "DtStart counts seconds from 1970"))
}

/// Parse `HOST:PORT` or `[IPv6%zone]:PORT`.
fn listener(text: &str) -> Result<Listener, Failure> {
    let bad = |why: &str| {
        Failure::usage(
            format!(
                "--address {}: {why}",
                rainv::display::escape_for_display(text)
            ),
            "write HOST:PORT, or [IPv6]:PORT for IPv6 addresses",
        )
    };
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, port) = rest
            .split_once("]:")
            .ok_or_else(|| bad("no ]:PORT after the IPv6 address"))?;
        (host, port)
    } else {
        let (host, port) = text.rsplit_once(':').ok_or_else(|| bad("no :PORT"))?;
        if host.contains(':') {
            return Err(bad("IPv6 addresses need brackets"));
        }
        (host, port)
    };
    if host.is_empty()
        || host.chars().any(rainv::display::is_dangerous_for_display)
        || host.contains(char::is_whitespace)
    {
        return Err(bad("the host is empty or has spaces or control characters"));
    }
    // Digits only: `parse` would take a sign.
    let port = Some(port)
        .filter(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|p| *p != 0)
        .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?;
    rainv_gateway::destination(host).map_err(|why| bad(&why))?;
    Listener::new(host, port).map_err(|e| bad(&e.to_string()))
}

fn output_invitation(
    invitation: &Invitation,
    layout: Layout,
    password: Option<&Password>,
    args: &InvitationArgs,
) -> Outcome {
    let bytes = invitation
        .to_bytes(layout)
        .map_err(|e| Failure::from_error("the invitation", &e))?;
    // At the system clock, whatever --now says: an invitation made for another time gets a
    // warning that it is not valid now.
    check_own_output(&bytes, password, Utc::now())?;
    io::write_output(&args.output, &bytes, args.force)?;
    // Written to standard output, the file speaks for itself: nothing is added to the pipe's
    // neighbour on standard error.
    if !args.quiet && !io::is_stdio(&args.output) {
        let until = invitation.validity.valid_until().map_or_else(
            || "a date beyond the range of dates".to_string(),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        eprintln!(
            "created {}: for {}, valid until {until} ({} min){}",
            display_path(&args.output),
            rainv::display::escape_for_display(invitation.username()),
            invitation.validity.length_minutes,
            invitation
                .pass_stub()
                .map_or(String::new(), |stub| format!(", PassStub {stub}")),
        );
    }
    Ok(())
}

pub(crate) fn create(args: &CreateArgs) -> Outcome {
    io::check_output(&args.invitation.output, args.invitation.force)?;
    check_user(&args.invitation.user)?;
    let minutes = minutes(&args.invitation)?;
    let password_given = args.password.password_file.is_some()
        || args.password.password_env.is_some()
        || args.generate_password;
    if args.format == FormatArg::Xp && args.kh.is_none() {
        return Err(Failure::usage(
            "--format xp needs --kh: an XP invitation is its RCTICKET, which carries the key hash",
            "give --kh, the base64 SHA-1 of the novice's RDP server key (see rainv create --help)",
        ));
    }
    if args.format == FormatArg::Xp && password_given {
        return Err(Failure::usage(
            "XP invitations hold no encrypted ticket, so a password given here would not be used",
            "leave out the password options; check the expert's PASS value later with `rainv passstub verify`",
        ));
    }
    let listeners = args
        .addresses
        .iter()
        .map(|a| listener(a))
        .collect::<Result<Vec<_>, _>>()?;
    let kh2 = args
        .kh2
        .as_deref()
        .map(|k| {
            k.parse::<Kh2>().map_err(|e| {
                Failure::usage(format!("--kh2: {e}"), "write ALG:BASE64, e.g. sha256:...")
            })
        })
        .transpose()?;
    let mut spec = NewInvitation::new(
        args.invitation.user.clone(),
        listeners,
        created(&args.invitation)?,
    );
    spec.kh = args.kh.clone();
    spec.kh2 = kh2;
    spec.session_id = args.session_id.clone();
    spec.minutes = minutes;
    spec.low_speed = args.invitation.low_speed;
    spec.with_rc_ticket = !args.vista_only && args.kh.is_some();
    if args.kh.is_none() {
        eprintln!(
            "warning: no --kh given: the expert cannot authenticate the novice's computer{}",
            if args.vista_only || args.format == FormatArg::Xp {
                ""
            } else {
                ", and no RCTICKET is written for XP experts"
            }
        );
    }
    let (invitation, password) = if args.format == FormatArg::Xp {
        let invitation = spec
            .build_xp()
            .map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
        (invitation, None)
    } else {
        let password = if args.generate_password {
            let password =
                rainv::generate::password().map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
            eprintln!("password: {}", password.expose());
            password
        } else {
            io::new_password(&args.password)?
        };
        let invitation = spec
            .build(&password)
            .map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
        (invitation, Some(password))
    };
    output_invitation(
        &invitation,
        layout(args.format),
        password.as_ref(),
        &args.invitation,
    )
}

pub(crate) fn decrypt(args: &DecryptArgs) -> Outcome {
    io::stdin_once(&args.file, &args.password)?;
    io::check_output(&args.output, args.force)?;
    let limits = Limits::default();
    let bytes = io::read_input(&args.file, limits.max_input_bytes)?;
    let name = display_path(&args.file);
    if let Ok(Document::ConnectionString(_)) = rainv::read(&bytes, &limits) {
        return Err(Failure::invalid(
            format!("{name} is a bare Connection String 2: it is not encrypted"),
            "read it as it is, or wrap it in an invitation with `rainv encrypt`",
        ));
    }
    let invitation =
        Invitation::from_bytes_with(&bytes, &limits).map_err(|e| Failure::from_error(&name, &e))?;
    if invitation.lh_ticket.is_none() {
        return Err(Failure::invalid(
            format!(
                "{name} has no LHTICKET: it is an XP invitation and its RCTICKET is not encrypted"
            ),
            "use `rainv open` to read it",
        ));
    }
    let password = io::require_password(&args.password, false)?;
    let ticket = invitation
        .decrypt(&password)
        .map_err(|e| Failure::from_error(&name, &e))?
        .ok_or_else(|| Failure::invalid(format!("{name} has no LHTICKET"), "use `rainv open`"))?;
    io::write_output(&args.output, ticket.text().as_bytes(), args.force)
}

pub(crate) fn encrypt(args: &EncryptArgs) -> Outcome {
    io::stdin_once(&args.file, &args.password)?;
    io::check_output(&args.invitation.output, args.invitation.force)?;
    check_user(&args.invitation.user)?;
    let minutes = minutes(&args.invitation)?;
    let limits = Limits::default();
    let bytes = io::read_input(&args.file, limits.max_input_bytes)?;
    let name = display_path(&args.file);
    // Parse to refuse anything that is not a Connection String 2, but encrypt the text exactly
    // as given, so that Windows' own tickets encrypt back to Windows' bytes.
    let text = rainv::decode_document(&bytes)
        .map_err(|e| Failure::from_error(&name, &e))?
        .0;
    let connection =
        match rainv::read(&bytes, &limits).map_err(|e| Failure::from_error(&name, &e))? {
            Document::ConnectionString(cs) => cs,
            Document::Invitation(_) => {
                return Err(Failure::invalid(
                    format!("{name} is already an invitation, not a Connection String 2"),
                    "give the <E>...</E> ticket, e.g. from `rainv decrypt`",
                ));
            }
        };
    let rc_ticket = if args.with_rc_ticket {
        let mut spec = NewInvitation::new(
            "",
            connection.listeners().map(rainv::Listener::from).collect(),
            0,
        );
        spec.kh = connection.kh().map(str::to_string);
        Some(
            spec.rc_ticket(connection.id()).map_err(|e| {
                Failure::invalid(
                    format!("--with-rc-ticket: {e}"),
                    "leave out --with-rc-ticket, or give a ticket with a KH and an IPv4 or named listener",
                )
            })?,
        )
    } else {
        None
    };
    if connection.kh().is_none() {
        eprintln!(
            "warning: the ticket has no KH: the expert cannot authenticate the novice's computer"
        );
    }
    let password = io::new_password(&args.password)?;
    let validity = Validity::new(created(&args.invitation)?, minutes);
    let mut invitation = Invitation::new(args.invitation.user.clone(), validity);
    invitation.rc_ticket = rc_ticket;
    invitation.lh_ticket = Some(LhTicket::encrypt(&text, &password));
    let stub = rainv::generate::pass_stub().map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
    invitation.set_pass_stub(Some(&stub));
    invitation.low_speed = args.invitation.low_speed;
    output_invitation(
        &invitation,
        vista_layout(args.format),
        Some(&password),
        &args.invitation,
    )
}

fn print_line(text: &str) -> Outcome {
    io::write_output(Path::new("-"), format!("{text}\n").as_bytes(), false)
}

fn check_stub(stub: &str) {
    if let Err(e) = rainv::pass_stub::check_shape(stub) {
        eprintln!("warning: {e}");
    }
}

pub(crate) fn pass_stub(command: &PassStubCommand) -> Outcome {
    match command {
        PassStubCommand::Generate => {
            let stub = rainv::generate::pass_stub()
                .map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
            print_line(&stub)
        }
        PassStubCommand::Encrypt { stub, password } => {
            check_stub(stub);
            let password: Password = io::require_password(password, false)?;
            print_line(&rainv::pass_stub::encrypt(&password, stub))
        }
        PassStubCommand::Verify {
            stub,
            blob,
            password,
        } => {
            let password = io::require_password(password, false)?;
            match rainv::pass_stub::verify(&password, stub, blob) {
                Ok(true) => print_line("match"),
                Ok(false) => {
                    print_line("mismatch")?;
                    Err(Failure::Silent)
                }
                Err(_) => Err(Failure::usage(
                    "--blob is not hex",
                    "give the PASS value the expert sent: 64 hex digits for a 14-character PassStub",
                )),
            }
        }
        PassStubCommand::ExpertBlob {
            name,
            stub,
            password,
        } => {
            check_stub(stub);
            let password = io::require_password(password, false)?;
            let blob = rainv::blob::ExpertBlob::new(
                name.as_str(),
                rainv::pass_stub::encrypt(&password, stub),
            )
            .map_err(|e| Failure::usage(format!("--name: {e}"), e.hint()))?;
            print_line(&blob.to_string())
        }
    }
}
