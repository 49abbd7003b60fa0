//! Random values as Windows makes them, from the operating system's CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::Zeroizing;

use crate::crypto::Password;
use crate::error::{Error, Result};

/// Letters, digits, `*` and `_`: PassStub characters 1-2 and 7-14.
pub(crate) const STUB_ANY: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*_";
/// PassStub character 3.
pub(crate) const STUB_SYMBOL: &[u8] = b"!@#$&^*()-+=";
/// PassStub character 4.
pub(crate) const STUB_DIGIT: &[u8] = b"0123456789";
/// PassStub character 5.
pub(crate) const STUB_UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// PassStub character 6.
pub(crate) const STUB_LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
/// Characters of the passwords msra.exe makes up.
const PASSWORD_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The character class of each of the 14 PassStub positions.
pub(crate) const STUB_CLASSES: [&[u8]; 14] = [
    STUB_ANY,
    STUB_ANY,
    STUB_SYMBOL,
    STUB_DIGIT,
    STUB_UPPER,
    STUB_LOWER,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
    STUB_ANY,
];

/// Fill `buf` from the operating system's CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::Random(e.to_string()))
}

/// A uniformly random element of `alphabet` (rejection sampling, so no modulo bias).
fn pick(alphabet: &[u8]) -> Result<u8> {
    let n = alphabet.len();
    debug_assert!((1..=256).contains(&n));
    let limit = 256 - 256 % n;
    loop {
        let mut byte = [0u8; 1];
        random_bytes(&mut byte)?;
        let b = usize::from(byte[0]);
        if b < limit {
            return Ok(alphabet[b % n]);
        }
    }
}

/// A new PassStub with Windows' character classes.
pub fn pass_stub() -> Result<String> {
    STUB_CLASSES
        .iter()
        .map(|class| pick(class).map(char::from))
        .collect()
}

/// A new password as msra.exe makes them: 12 characters from A-Z and 0-9.
pub fn password() -> Result<Password> {
    let mut text = Zeroizing::new(String::with_capacity(12));
    for _ in 0..12 {
        text.push(char::from(pick(PASSWORD_CHARS)?));
    }
    Ok(Password::new(text.as_str()))
}

/// A new session ID: 48 random bytes in base64, the size Windows Vista and later use for the
/// Connection String 2 ID (and the RCTICKET RASessionID).
pub fn session_id() -> Result<String> {
    random_base64::<48>()
}

/// A new XP-style RASessionID: 32 random bytes in base64, as Windows XP writes in RCTICKET.
pub fn xp_session_id() -> Result<String> {
    random_base64::<32>()
}

fn random_base64<const N: usize>() -> Result<String> {
    let mut bytes = [0u8; N];
    random_bytes(&mut bytes)?;
    Ok(BASE64.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_windows_shapes() {
        for _ in 0..50 {
            let stub = pass_stub().unwrap();
            crate::pass_stub::check_shape(&stub).unwrap();
            let pw = password().unwrap();
            assert_eq!(pw.expose().len(), 12);
            assert!(pw.expose().bytes().all(|b| PASSWORD_CHARS.contains(&b)));
            assert_eq!(BASE64.decode(session_id().unwrap()).unwrap().len(), 48);
            assert_eq!(BASE64.decode(xp_session_id().unwrap()).unwrap().len(), 32);
        }
        assert_ne!(pass_stub().unwrap(), pass_stub().unwrap());
    }
}
