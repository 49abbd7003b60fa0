//! Every vector in ../shared/vectors/crypto.json, checked against files Windows made.

mod common;

use common::reference;
use rainv::{ConnectionString2, LhTicket, Limits, Password, TicketKey, pass_stub};
use serde_json::Value;

fn vectors() -> Value {
    let bytes = common::read_shared("vectors/crypto.json");
    serde_json::from_slice(&bytes).expect("crypto.json is JSON")
}

fn list<'a>(v: &'a Value, name: &str) -> &'a Vec<Value> {
    let list = v[name]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is a list"));
    assert!(!list.is_empty(), "{name} has vectors");
    list
}

fn s<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is a string"))
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn derive_aes_key() {
    let v = vectors();
    for case in list(&v, "derive_aes_key") {
        // The key shows in what it encrypts: the same text under the vector's key.
        let key = TicketKey::derive(&Password::new(s(case, "password")));
        let expected: [u8; 16] = hex::decode(s(case, "key_hex")).unwrap().try_into().unwrap();
        assert_eq!(
            expected,
            reference::ticket_key(s(case, "password")),
            "{case}"
        );
        for probe in ["<E/>", "a longer text, of more than one AES block"] {
            assert_eq!(
                LhTicket::encrypt_with_key(probe, &key).ciphertext(),
                reference::encrypt_lhticket_with_key(&expected, probe),
                "{case}"
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn pass_stub_encrypt() {
    let v = vectors();
    for case in list(&v, "pass_stub_encrypt") {
        let password = Password::new(s(case, "password"));
        let stub = s(case, "pass_stub");
        let expected = s(case, "encrypted_hex");
        assert_eq!(pass_stub::encrypt(&password, stub), expected, "{case}");
        assert!(pass_stub::verify(&password, stub, expected).unwrap());
        // The wrong password's blob is the reference's, and it is refused.
        let wrong = reference::pass_stub_hex("wrong", stub);
        assert_eq!(pass_stub::encrypt(&Password::new("wrong"), stub), wrong);
        assert!(!pass_stub::verify(&Password::new("wrong"), stub, expected).unwrap());
        assert!(!pass_stub::verify(&password, stub, &wrong).unwrap());
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn lhticket_encrypt_and_decrypt() {
    let v = vectors();
    for case in list(&v, "lhticket") {
        let password = Password::new(s(case, "password"));
        let plaintext = s(case, "plaintext");
        let expected = s(case, "lhticket_hex");
        let key = TicketKey::derive(&password);
        // Encryption reproduces the vector byte for byte (the IV is fixed).
        assert_eq!(
            LhTicket::encrypt_with_key(plaintext, &key).as_hex(),
            expected
        );
        assert_eq!(LhTicket::encrypt(plaintext, &password).as_hex(), expected);
        // Decryption gives the plaintext back, and it parses and formats back unchanged.
        let ticket = LhTicket::from_hex(expected, &Limits::default()).unwrap();
        let decrypted = ticket.decrypt(&password).unwrap();
        assert_eq!(decrypted.text(), plaintext);
        assert_eq!(decrypted.connection().to_text().as_str(), plaintext);
        // A wrong password is an error, never a success; the reference does not get the
        // plaintext back with it either.
        assert_ne!(
            reference::decrypt_lhticket_hex("WRONGPASSWRD", expected).as_deref(),
            Some(plaintext)
        );
        let wrong = ticket.decrypt(&Password::new("WRONGPASSWRD"));
        assert!(
            matches!(wrong, Err(rainv::Error::WrongPassword)),
            "{wrong:?}"
        );
        let raw = decrypted.text();
        ConnectionString2::parse(raw, &Limits::default()).unwrap();
        // rainv's ciphertext and plaintext are the hand-written reference's too.
        assert_eq!(
            reference::decrypt_lhticket_hex(s(case, "password"), expected).as_deref(),
            Some(raw)
        );
        assert_eq!(
            reference::hex_upper(&reference::encrypt_lhticket(s(case, "password"), plaintext)),
            expected
        );
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn websocket_listener_vector_parses_uri() {
    let v = vectors();
    let case = list(&v, "lhticket")
        .iter()
        .find(|c| s(c, "plaintext").contains(" U="))
        .expect("a websocket vector");
    let cs = ConnectionString2::parse(s(case, "plaintext"), &Limits::default()).unwrap();
    let first = cs.listeners().next().unwrap();
    assert_eq!(first.uri, Some("wss://novice.example.org:443/ra"));
    assert_eq!(first.port, None);
    assert_eq!(cs.transports().next().unwrap().session_id, 1440550163);
}
