//! Ticket decryption with attacker-chosen passwords and ciphertexts.
//!
//! Input: one byte `n`, then `n` bytes of password (UTF-8, lossily), then the rest. The rest is
//! used three ways: as raw ciphertext (made hex) for `LhTicket::decrypt_with_key`, as LHTICKET
//! hex for `LhTicket::from_hex` + `decrypt`, and as plaintext to encrypt and decrypt again (the
//! only way a fuzzer reaches the successful paths, since it cannot forge AES).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rainv::{ConnectionString2, Error, LhTicket, Limits, Password, TicketKey};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let (password, rest) = rest.split_at(n);
    let password = Password::new(String::from_utf8_lossy(password));
    let key = TicketKey::derive(&password);
    let limits = Limits::default();

    // 1. Raw ciphertext. Any text it yields must be exactly what encrypts to that ciphertext.
    let hex: String = rest.iter().map(|b| format!("{b:02X}")).collect();
    if let Ok(ticket) = LhTicket::from_hex(&hex, &limits) {
        if let Ok(decrypted) = ticket.decrypt_with_key(&key, &limits) {
            assert_eq!(
                LhTicket::encrypt_with_key(decrypted.text(), &key).ciphertext(),
                rest,
                "decrypted text does not encrypt back to its ciphertext"
            );
        }
    }

    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };

    // 2. LHTICKET hex: validation, then decryption. A successful decryption must parse.
    if let Ok(ticket) = LhTicket::from_hex(text, &limits) {
        assert_eq!(ticket.as_hex(), text);
        assert_eq!(ticket.ciphertext().len() * 2, text.len());
        check_decrypted(ticket.decrypt(&password), &limits);
        check_decrypted(ticket.decrypt_with_key(&key, &limits), &limits);
    }

    // 3. The rest as a plaintext: encrypting then decrypting gives it back exactly when it
    //    looks like XML (decryption refuses anything else as a wrong password).
    let ticket = LhTicket::encrypt_with_key(text, &key);
    let mut unlimited = limits;
    unlimited.max_ticket_bytes = usize::MAX;
    let reparsed =
        LhTicket::from_hex(ticket.as_hex(), &unlimited).expect("encrypt writes valid LHTICKET hex");
    assert_eq!(reparsed, ticket);
    let looks_like_xml = text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .starts_with('<');
    // Decryption refuses exactly what does not look like XML as a wrong password; the rest
    // reaches the ticket parser.
    match reparsed.decrypt_with_key(&key, &unlimited) {
        Ok(plain) => {
            assert!(looks_like_xml);
            assert_eq!(plain.text(), text);
        }
        Err(Error::WrongPassword) => assert!(!looks_like_xml, "encrypted XML does not decrypt"),
        Err(e) => assert!(looks_like_xml, "{e}"),
    }
    match (
        ticket.decrypt(&password),
        ConnectionString2::parse(text, &limits),
    ) {
        (Ok(decrypted), Ok(parsed)) => {
            assert_eq!(decrypted.text(), text);
            assert_eq!(decrypted.connection(), &parsed);
        }
        (Ok(_), Err(e)) => panic!("decrypt accepted a ticket that does not parse: {e}"),
        (Err(_), Ok(_)) => panic!("a valid Connection String 2 did not survive encryption"),
        (Err(_), Err(_)) => {}
    }
});

fn check_decrypted(result: rainv::Result<rainv::DecryptedTicket>, limits: &Limits) {
    if let Ok(ticket) = result {
        let again = ConnectionString2::parse(ticket.text(), limits)
            .expect("a decrypted ticket's text must parse");
        assert_eq!(&again, ticket.connection());
    }
}
