//! `create`, `decrypt`, `encrypt` and `passstub`: thin layers over the library.

use std::path::Path;

use chrono::{DateTime, Utc};
use rainv::NewInvitation;
use rainv::{Document, Invitation, Kh2, Layout, LhTicket, Limits, Listener, Password, Validity};

use crate::args::{
    CreateArgs, DecryptArgs, EncryptArgs, FormatArg, InvitationArgs, PassStubCommand,
    VistaFormatArg,
};
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
    match (&args.minutes, &args.expires) {
        (Some(m), _) => Ok(*m),
        (None, Some(e)) => io::parse_minutes(e),
        (None, None) => Ok(NewInvitation::DEFAULT_MINUTES),
    }
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
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?;
    Listener::new(host, port).map_err(|e| bad(&e.to_string()))
}

fn output_invitation(invitation: &Invitation, layout: Layout, args: &InvitationArgs) -> Outcome {
    let bytes = invitation
        .to_bytes(layout)
        .map_err(|e| Failure::from_error("the invitation", &e))?;
    io::write_output(&args.output, &bytes, args.force)
}

pub(crate) fn create(args: &CreateArgs) -> Outcome {
    io::check_output(&args.invitation.output, args.invitation.force)?;
    let password_given = args.password.password_file.is_some()
        || args.password.password_env.is_some()
        || args.generate_password;
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
    spec.minutes = minutes(&args.invitation)?;
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
    let invitation = if args.format == FormatArg::Xp {
        spec.build_xp()
            .map_err(|e| Failure::usage(e.to_string(), e.hint()))?
    } else {
        let password = if args.generate_password {
            let password =
                rainv::generate::password().map_err(|e| Failure::usage(e.to_string(), e.hint()))?;
            eprintln!("password: {}", password.expose());
            password
        } else {
            io::new_password(&args.password)?
        };
        spec.build(&password)
            .map_err(|e| Failure::usage(e.to_string(), e.hint()))?
    };
    output_invitation(&invitation, layout(args.format), &args.invitation)
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
        let mut spec = NewInvitation::new("", connection.listeners().cloned().collect(), 0);
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
    let validity = Validity::new(created(&args.invitation)?, minutes(&args.invitation)?);
    let mut invitation = Invitation::new(args.invitation.user.clone(), validity);
    invitation.rc_ticket = rc_ticket;
    invitation.lh_ticket = Some(LhTicket::encrypt(&text, &password));
    invitation.pass_stub =
        Some(rainv::generate::pass_stub().map_err(|e| Failure::usage(e.to_string(), e.hint()))?);
    invitation.low_speed = args.invitation.low_speed;
    output_invitation(&invitation, vista_layout(args.format), &args.invitation)
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
