//! The PassStub and the expert's encrypted PassStub (the PASS value).
//!
//! The novice writes a random 14-character PassStub into the invitation. An expert who knows
//! the password proves it by sending `PASS = hex(RC4(MD5(password), BSTR(PassStub)))`; the
//! novice computes the same value and compares.

use crate::crypto::{self, Password};
use crate::error::{Error, Result, quote_value};
use crate::generate::STUB_CLASSES;
use crate::text;

/// Check that a PassStub has the shape Windows gives it: 14 characters, each of its class.
pub fn check_shape(stub: &str) -> Result<()> {
    let count = stub.chars().count();
    if count != STUB_CLASSES.len() {
        return Err(Error::PassStub(format!(
            "\"{}\" has {count} characters, expected 14",
            quote_value(stub)
        )));
    }
    for (position, (c, class)) in stub.chars().zip(STUB_CLASSES).enumerate() {
        if !c.is_ascii() || !class.contains(&(c as u8)) {
            return Err(Error::PassStub(format!(
                "character {} of \"{}\" is not one Windows uses there",
                position + 1,
                quote_value(stub)
            )));
        }
    }
    Ok(())
}

/// The expert's PASS blob for this password and PassStub, as uppercase hex.
pub fn encrypt(password: &Password, stub: &str) -> String {
    crypto::with_pass_stub_blob(password, stub, text::encode_hex_upper)
}

/// Check an expert's PASS value (hex, either case) in constant time.
///
/// Malformed hex is an error; a well-formed value that does not match is `Ok(false)`.
pub fn verify(password: &Password, stub: &str, pass_hex: &str) -> Result<bool> {
    let pass_hex = pass_hex.trim().as_bytes();
    if !text::is_hex(pass_hex) || !pass_hex.len().is_multiple_of(2) {
        return Err(Error::Blob(format!(
            "PASS value \"{}\" is not hex (an even number of the digits 0-9 and A-F)",
            quote_value(&String::from_utf8_lossy(pass_hex))
        )));
    }
    let blob = text::decode_hex(pass_hex);
    Ok(crypto::verify_pass_stub_blob(password, stub, &blob))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        check_shape("RT=0PvIndan52*").unwrap();
        check_shape("WB^6HsrIaFmEpi").unwrap();
        // A test-vector stub that does not follow the classes: encryptable, but not Windows-made.
        assert!(check_shape("a&9Qz*_0Kd1mPq").is_err());
        assert!(check_shape("RT=0PvIndan52").is_err());
        assert!(check_shape("RTx0PvIndan52*").is_err());
        assert!(check_shape("RT=0pvIndan52*").is_err());
    }

    #[test]
    fn verify_accepts_either_case_and_refuses_bad_hex() {
        let pw = Password::new("Password1");
        let pass = "3c9cae0bce7ab15c8aac01d676045edf3ffaf092e2de368a2017e68a0ded7c90";
        assert!(verify(&pw, "RT=0PvIndan52*", pass).unwrap());
        assert!(!verify(&pw, "RT=0PvIndan52_", pass).unwrap());
        for bad in ["zz", "3c9", "3c 9c", "3c9cé"] {
            assert!(verify(&pw, "RT=0PvIndan52*", bad).is_err(), "{bad:?}");
        }
    }
}
