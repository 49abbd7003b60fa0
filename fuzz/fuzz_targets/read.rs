//! `rainv::read` on arbitrary bytes. Whatever it accepts, written in any layout the writer
//! takes, reads back as the same invitation; what the writer refuses is an `Error::Write`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rainv::display::escape_for_display;
use rainv::{ConnectionString2, Document, Error, Invitation, Layout, Limits, Password};

const LAYOUTS: [Layout; 3] = [Layout::Xp, Layout::Windows7, Layout::Windows10];

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(document) = rainv::read(data, &limits) else {
        return;
    };
    match document {
        Document::Invitation(invitation) => check_invitation(&invitation, &limits),
        Document::ConnectionString(cs) => {
            let text = cs.to_text();
            let again = ConnectionString2::parse(&text, &limits)
                .unwrap_or_else(|e| panic!("to_text output does not re-parse: {e}\n{text:?}"));
            assert_eq!(again, cs, "to_text changed the Connection String 2");
        }
    }
});

fn check_invitation(invitation: &Invitation, limits: &Limits) {
    // What the CLI does with a file it opened: dates, status, display, a decryption attempt.
    let validity = invitation.validity;
    let _ = (validity.valid_from(), validity.valid_until());
    let _ = validity.status_at(fixed_now());
    let _ = escape_for_display(invitation.username());
    let _ = invitation.generation();
    // The password of every LHTICKET in testdata/hostile, so that seeds reach the success path.
    if let Ok(Some(ticket)) = invitation.decrypt(&Password::new("HOSTILE12345")) {
        let again = ConnectionString2::parse(ticket.text(), limits)
            .expect("a decrypted ticket's text parses");
        assert_eq!(&again, ticket.connection());
        if let Some(rc) = &invitation.rc_ticket {
            let _ = rainv::ticket_disagreements(rc, ticket.connection());
        }
    }

    for layout in LAYOUTS {
        let bytes = match invitation.to_bytes(layout) {
            Ok(bytes) => bytes,
            // A layout that cannot hold the tickets, or a rewrite the reader would refuse (the
            // writer adds attributes a file may leave out, so 32 read can be 33 written).
            Err(Error::Write(_)) => continue,
            Err(e) => panic!("writing as {layout:?} failed with a reading error: {e}"),
        };
        let again = reread(&bytes, layout);
        assert_eq!(
            &again, invitation,
            "writing as {layout:?} and reading back changed the invitation"
        );
        // Writing is a fixed point: the re-read invitation writes the same bytes.
        assert_eq!(again.to_bytes(layout).as_deref().ok(), Some(&bytes[..]));
    }
}

/// Read back a file rainv wrote: the writer promises it reads back under default limits.
fn reread(bytes: &[u8], layout: Layout) -> Invitation {
    Invitation::from_bytes(bytes).unwrap_or_else(|e| {
        let text = rainv::decode_document(bytes).map(|(text, _)| text.into_owned());
        panic!("a file written as {layout:?} does not read back: {e}\n{text:?}")
    })
}

/// A fixed instant, so that runs are reproducible.
fn fixed_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("in range")
}
