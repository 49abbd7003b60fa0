//! A helpdesk tool on the library: create an invitation for a user, then open it as the expert
//! would (read it, decrypt its ticket with the password, list where to connect, check the
//! expert's PASS value), all in memory.
//!
//! ```text
//! cargo run --example helpdesk -- alice 192.0.2.10:3389 [invitation.msrcincident]
//! ```
//!
//! The password is made here, as Windows makes them, and printed once: give it to the expert by
//! another channel than the invitation.

use std::process::ExitCode;

use rainv::chrono::Utc;
use rainv::{Invitation, Layout, Listener, NewInvitation, Status, generate, pass_stub};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(user), Some(address)) = (args.next(), args.next()) else {
        return Err("usage: helpdesk USER HOST:PORT [OUTPUT]".into());
    };
    let output = args.next();
    let (host, port) = address.rsplit_once(':').ok_or("the address is HOST:PORT")?;
    let listener = Listener::new(host, port.parse()?)?;

    // Creating: what the novice's computer does when it asks for help.
    let now = u64::try_from(Utc::now().timestamp())?;
    let password = generate::password()?;
    let invitation = NewInvitation::new(user, vec![listener], now).build(&password)?;
    let bytes = invitation.to_bytes(Layout::Windows10)?;
    if let Some(path) = &output {
        std::fs::write(path, &bytes)?;
        println!("wrote {path} ({} bytes)", bytes.len());
    }
    println!(
        "password (tell the expert separately): {}",
        password.expose()
    );

    // Opening: what the expert's tool does with the file it received.
    let received = Invitation::from_bytes(&bytes)?;
    let status = received.validity.status_at(Utc::now());
    println!(
        "{} asks for help; {}",
        rainv::display::escape_for_display(received.username()),
        match status {
            Status::Valid => "the invitation is valid".to_string(),
            other => format!("the invitation is {}", other.name()),
        }
    );
    let ticket = received
        .decrypt(&password)?
        .ok_or("a Vista-or-later invitation has an LHTICKET")?;
    for listener in ticket.connection().listeners() {
        println!(
            "connect to {} port {:?}",
            rainv::display::escape_for_display(listener.address),
            listener.port
        );
    }
    // The expert proves it knows the password with the PASS value, which the novice checks.
    let stub = received.pass_stub().ok_or("no PassStub")?;
    let pass = pass_stub::encrypt(&password, stub);
    println!(
        "the expert's PASS value checks: {}",
        pass_stub::verify(&password, stub, &pass)?
    );
    Ok(())
}
