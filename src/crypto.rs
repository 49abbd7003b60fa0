//! The two ciphers of the format, as Windows implements them.
//!
//! * LHTICKET: AES-128-CBC with a zero IV and PKCS#7 padding over the UTF-16LE Connection
//!   String 2, keyed by Windows' `CryptDeriveKey` over SHA-1 of the UTF-16LE password.
//! * The expert's PASS blob: RC4 keyed by MD5 of the UTF-16LE password, over the PassStub as a
//!   length-prefixed UTF-16LE string (a BSTR).
//!
//! Passwords, keys and plaintexts are held in zeroizing types and wiped when dropped.

use std::fmt;

use aes::Aes128;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use md5::{Digest, Md5};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::text;

/// A password: the novice's invitation password, which the expert must also know.
///
/// Wiped from memory when dropped; its `Debug` output never shows it.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wrap a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(Zeroizing::new(password.into()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A hash of the password as Windows hashes it: UTF-16LE, no terminator.
    ///
    /// Encoded a block at a time on the stack (and wiped), not into a heap copy of the
    /// password: both ticket keys and PASS blobs start here.
    fn utf16le_digest<D: Digest>(&self) -> md5::digest::Output<D> {
        let mut hasher = D::new();
        let mut block = WipedBytes([0u8; 64]);
        let mut filled = 0;
        for unit in self.0.encode_utf16() {
            if filled == block.0.len() {
                hasher.update(&block.0[..]);
                filled = 0;
            }
            block.0[filled..filled + 2].copy_from_slice(&unit.to_le_bytes());
            filled += 2;
        }
        hasher.update(&block.0[..filled]);
        hasher.finalize()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Password").field(&Redacted).finish()
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Password {
        Password::new(password)
    }
}

impl From<String> for Password {
    fn from(password: String) -> Password {
        Password::new(password)
    }
}

/// The AES-128 key that protects an LHTICKET, derived from a password.
#[derive(Clone)]
pub struct TicketKey(WipedBytes<16>);

impl TicketKey {
    /// Derive the key as Windows' `CryptDeriveKey(CALG_AES_128, SHA-1 hash)` does.
    ///
    /// The SHA-1 of the UTF-16LE password is XORed into a 64-byte block of 0x36 and hashed
    /// again; AES-128 takes the first 16 bytes of that. (Windows concatenates a second hash over
    /// a 0x5C block after it, which a 16-byte key never reaches.)
    pub fn derive(password: &Password) -> TicketKey {
        let hash = WipedBytes::<20>(password.utf16le_digest::<Sha1>().into());
        let mut block = WipedBytes([0x36u8; 64]);
        for (b, h) in block.0.iter_mut().zip(hash.0.iter()) {
            *b ^= h;
        }
        let derived = WipedBytes::<20>(Sha1::digest(block.0).into());
        let mut key = WipedBytes([0u8; 16]);
        key.0.copy_from_slice(&derived.0[..16]);
        TicketKey(key)
    }

    /// The raw key bytes.
    pub(crate) fn as_bytes(&self) -> &[u8; 16] {
        &self.0.0
    }
}

impl fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TicketKey").field(&Redacted).finish()
    }
}

/// Wipe bytes as `zeroize` does (volatile writes the compiler may not remove), but a whole
/// SSE register (sixteen bytes; eight off x86-64) at a time where they are aligned: `zeroize`
/// writes `[u8]` a byte at a time, which for a decrypted Windows 10 ticket cost more than
/// decrypting it.
pub(crate) fn wipe(bytes: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    type Word = std::arch::x86_64::__m128i;
    #[cfg(not(target_arch = "x86_64"))]
    type Word = u64;
    let (head, words, tail) = bytemuck::pod_align_to_mut::<u8, Word>(bytes);
    head.zeroize();
    for word in words {
        word.zeroize();
    }
    tail.zeroize();
    #[cfg(test)]
    tests::record_wipe(bytes);
}

/// Secret bytes on the stack (a key, a hash, a block of the password), wiped with [`wipe`] when
/// dropped: `Zeroizing` wipes a byte array a byte at a time. Aligned so that `wipe` takes it
/// sixteen bytes at a time from the first.
#[derive(Clone)]
#[repr(align(16))]
pub(crate) struct WipedBytes<const N: usize>(pub(crate) [u8; N]);

impl<const N: usize> Drop for WipedBytes<N> {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Wipe a string's whole allocation (its spare capacity too, as `zeroize` does) and empty it.
pub(crate) fn wipe_string(text: &mut String) {
    let mut bytes = std::mem::take(text).into_bytes();
    // Growing to the capacity never reallocates; it makes the spare bytes part of the slice.
    bytes.resize(bytes.capacity(), 0);
    wipe(&mut bytes);
}

/// Text that is wiped (with [`wipe_string`]) when dropped: a decrypted ticket.
#[derive(Clone)]
pub(crate) struct SecretText(String);

impl SecretText {
    pub(crate) fn new(text: String) -> SecretText {
        SecretText(text)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, for a new owner that wipes it (this one is left empty).
    pub(crate) fn into_string(mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        wipe_string(&mut self.0);
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretText").field(&Redacted).finish()
    }
}

/// Stands in for a secret field in `Debug` output: says it is there, never what it is.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

const ZERO_IV: [u8; 16] = [0; 16];

/// Encrypt a Connection String 2 into LHTICKET ciphertext (not yet hex).
///
/// Deterministic, because Windows uses a zero IV: the same text and password always give the
/// same bytes, which is what lets rainv reproduce Windows' tickets exactly.
pub(crate) fn encrypt_ticket(key: &TicketKey, plaintext: &str) -> Vec<u8> {
    let message = SecretBytes(text::utf16le_bytes(plaintext));
    cbc::Encryptor::<Aes128>::new(key.as_bytes().into(), &ZERO_IV.into())
        .encrypt_padded_vec::<Pkcs7>(&message.0)
}

/// Bytes wiped (with [`wipe`], eight at a time) when dropped.
struct SecretBytes(Vec<u8>);

impl Drop for SecretBytes {
    fn drop(&mut self) {
        let bytes = &mut self.0;
        bytes.resize(bytes.capacity(), 0);
        wipe(bytes);
    }
}

/// Decrypt LHTICKET ciphertext into the Connection String 2 text.
///
/// A wrong password shows as bad padding or as text that is not UTF-16 XML; both give
/// [`Error::WrongPassword`], never a success.
#[cfg(test)]
pub(crate) fn decrypt_ticket(key: &TicketKey, ciphertext: &[u8]) -> Result<Zeroizing<String>> {
    check_ciphertext_length(ciphertext.len())?;
    decrypt_ticket_in_place(key, Zeroizing::new(ciphertext.to_vec()))
}

fn check_ciphertext_length(length: usize) -> Result<()> {
    if length == 0 || !length.is_multiple_of(16) {
        return Err(Error::LhTicket(format!(
            "ciphertext is {length} bytes, not a positive multiple of the 16-byte AES block"
        )));
    }
    Ok(())
}

/// [`decrypt_ticket`] on a buffer the caller gives up, decrypted where it is (no copy).
pub(crate) fn decrypt_ticket_in_place(
    key: &TicketKey,
    mut buffer: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<String>> {
    check_ciphertext_length(buffer.len())?;
    let plain = cbc::Decryptor::<Aes128>::new(key.as_bytes().into(), &ZERO_IV.into())
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .map_err(|_| Error::WrongPassword)?
        .len();
    buffer.truncate(plain);
    let text = text::utf16le_into_string(buffer).map_err(|_| Error::WrongPassword)?;
    if !text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .starts_with('<')
    {
        return Err(Error::WrongPassword);
    }
    Ok(text)
}

/// The expert's encrypted PassStub (the PASS value): RC4 under MD5 of the password, over the
/// PassStub as a BSTR (`u32_le` byte length, then UTF-16LE).
#[cfg(test)]
pub(crate) fn pass_stub_blob(password: &Password, pass_stub: &str) -> Vec<u8> {
    with_pass_stub_blob(password, pass_stub, <[u8]>::to_vec)
}

/// Bytes of the PASS blob built on the stack: a 14-character PassStub takes 32.
const STACK_BLOB: usize = 64;

/// [`pass_stub_blob`], given to `use_blob` rather than returned: on the stack when the PassStub
/// is short, as they all are (every caller only encodes or compares it, and a heap copy cost
/// an allocation per PASS value).
pub(crate) fn with_pass_stub_blob<R>(
    password: &Password,
    pass_stub: &str,
    use_blob: impl FnOnce(&[u8]) -> R,
) -> R {
    let key = WipedBytes::<16>(password.utf16le_digest::<Md5>().into());
    // Windows' PassStubs are ASCII: one UTF-16 unit a byte, without decoding characters.
    let ascii = pass_stub.is_ascii();
    let units = if ascii {
        pass_stub.len()
    } else {
        pass_stub.encode_utf16().count()
    };
    let length = u32::try_from(2 * units).unwrap_or(u32::MAX);
    let fill = |data: &mut [u8]| {
        data[..4].copy_from_slice(&length.to_le_bytes());
        let pairs = data[4..].chunks_exact_mut(2);
        if ascii {
            for (pair, &byte) in pairs.zip(pass_stub.as_bytes()) {
                pair.copy_from_slice(&[byte, 0]);
            }
        } else {
            for (pair, unit) in pairs.zip(pass_stub.encode_utf16()) {
                pair.copy_from_slice(&unit.to_le_bytes());
            }
        }
        rc4(&key.0, data);
    };
    let size = 4 + 2 * units;
    if size <= STACK_BLOB {
        let mut stack = [0u8; STACK_BLOB];
        fill(&mut stack[..size]);
        use_blob(&stack[..size])
    } else {
        let mut heap = vec![0u8; size];
        fill(&mut heap);
        use_blob(&heap)
    }
}

/// How many steps ahead [`rc4`]'s key schedule reads its state.
const RC4_EARLY: usize = 3;
/// [`rc4`]'s state: 256 entries, and room for the reads ahead past the end of the key
/// schedule, whose values go unused (a literal, as a larger state would change nothing).
const RC4_STATE: usize = 259;
const _: () = assert!(RC4_STATE == 256 + RC4_EARLY);

/// The state RC4 starts from, `S[i] = i`: copied rather than built entry by entry.
const RC4_IDENTITY: [u32; RC4_STATE] = {
    let mut s = [0u32; RC4_STATE];
    let mut i = 0;
    // The padding past 256 is never used: filled the same way, so that the loop runs to the end.
    while i < RC4_STATE {
        s[i] = i as u32 & 0xFF;
        i += 1;
    }
    s
};

/// The key schedule's reads ahead and the swaps that may have made them stale.
struct Rc4Schedule {
    /// `S[i]` for the next EARLY steps, read EARLY steps before it is used; slot `i % EARLY`.
    early: [u32; RC4_EARLY],
    /// (where `S[j] = S[i]` stored, masked; the value) of the last EARLY steps; slot `i % EARLY`.
    recent: [(usize, u32); RC4_EARLY],
    /// `j`, not reduced mod 256 (only its low byte is ever used).
    j: usize,
    /// The `S[i]` of the previous step.
    last: u32,
}

impl Rc4Schedule {
    /// Step `i` of the key schedule, with `slot == i % EARLY` passed as a constant (the caller
    /// unrolls) so that it costs no division.
    ///
    /// `S[i]` was read EARLY steps ago; the two older of the swaps since then are applied to it
    /// first. The newest (the previous step's) is on the critical path from one `j` to the
    /// next, so both candidates for the new `j` are computed and one chosen by the byte compare
    /// alone, rather than correcting `S[i]` and only then adding it.
    #[inline(always)]
    fn step(&mut self, s: &mut [u32; RC4_STATE], key: &[u8; 16], i: usize, slot: usize) {
        let mut si = self.early[slot];
        self.early[slot] = s[i + RC4_EARLY];
        for older in [slot, (slot + 1) % RC4_EARLY] {
            let (at, value) = self.recent[older];
            if at == i {
                si = value;
            }
        }
        let k = usize::from(key[i % 16]);
        let (si, j) = if self.j as u8 == i as u8 {
            (self.last, i + self.last as usize + k)
        } else {
            (si, self.j + si as usize + k)
        };
        let at = j % 256;
        s[i] = s[at];
        s[at] = si;
        self.j = j;
        self.last = si;
        self.recent[slot] = (at, si);
    }
}

/// RC4 with a 16-byte key over `data`, in place.
///
/// Written here rather than taken from the `rc4` crate for one reason, its key schedule (most
/// of the cost of a PASS value): the textbook loop reads `S[i]` just after the previous step
/// stored into `S` at an index known only then, so each step waits on the last. This loop reads
/// each `S[i]` three steps early and takes the value from any of the three swaps since that
/// stored into `i` (see [`Rc4Schedule::step`]): the same permutation, without the wait.
/// `rc4_matches_the_rc4_crate` holds the two together; docs/performance.md has the
/// measurements.
fn rc4(key: &[u8; 16], data: &mut [u8]) {
    // 32-bit entries: byte-wide ones were slower in the key schedule.
    let mut s = RC4_IDENTITY;
    let mut schedule = Rc4Schedule {
        early: [0, 1, 2],
        recent: [(usize::MAX, 0); RC4_EARLY],
        // Step 0 has no previous step: a low byte of 0 takes `last` (0, as `S[0]` is) for it.
        j: 0,
        last: 0,
    };
    for i in (0..255).step_by(RC4_EARLY) {
        schedule.step(&mut s, key, i, 0);
        schedule.step(&mut s, key, i + 1, 1);
        schedule.step(&mut s, key, i + 2, 2);
    }
    schedule.step(&mut s, key, 255, 0);
    let (mut i, mut j) = (0usize, 0usize);
    for byte in data {
        i = (i + 1) % 256;
        let si = s[i];
        j = (j + si as usize) % 256;
        let sj = s[j];
        s[i] = sj;
        s[j] = si;
        *byte ^= s[(si + sj) as usize % 256] as u8;
    }
    wipe(bytemuck::cast_slice_mut(&mut s[..]));
}

/// Check an expert's PASS blob against the password and PassStub, in constant time.
pub(crate) fn verify_pass_stub_blob(password: &Password, pass_stub: &str, blob: &[u8]) -> bool {
    with_pass_stub_blob(password, pass_stub, |expected| {
        expected.len() == blob.len() && bool::from(expected.ct_eq(blob))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn password_digests_hash_the_whole_utf16le_password() {
        for length in 0..100 {
            // ASCII, then a character outside the BMP (a surrogate pair) at every position.
            let ascii: String = (0..length)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let mut with_pair = ascii.clone();
            with_pair.insert(length / 2, '\u{1F600}');
            for password in [ascii, with_pair] {
                let bytes = text::utf16le_bytes(&password);
                let password = Password::new(password);
                assert_eq!(password.utf16le_digest::<Sha1>(), Sha1::digest(&bytes));
                assert_eq!(password.utf16le_digest::<Md5>(), Md5::digest(&bytes));
            }
        }
    }

    #[test]
    fn wipe_zeroes_exactly_the_slice_at_any_alignment() {
        for start in 0..17 {
            for length in 0..70 {
                let mut buffer = [0xAAu8; 100];
                wipe(&mut buffer[start..start + length]);
                for (at, &b) in buffer.iter().enumerate() {
                    let inside = (start..start + length).contains(&at);
                    assert_eq!(b, if inside { 0 } else { 0xAA }, "{start} {length} {at}");
                }
            }
        }
    }

    #[test]
    fn key_derivation_matches_windows() {
        // From ../shared/vectors/crypto.json (the full set is in tests/vectors.rs).
        let key = TicketKey::derive(&Password::new("Password1"));
        assert_eq!(
            hex::encode(key.as_bytes()),
            "472b14c830bccddc2b57c2f91682e0b3"
        );
    }

    #[test]
    fn pass_stub_blob_matches_microsofts_example() {
        let blob = pass_stub_blob(&Password::new("Password1"), "RT=0PvIndan52*");
        assert_eq!(
            hex::encode_upper(&blob),
            "3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90"
        );
        assert!(verify_pass_stub_blob(
            &Password::new("Password1"),
            "RT=0PvIndan52*",
            &blob
        ));
        assert!(!verify_pass_stub_blob(
            &Password::new("Password2"),
            "RT=0PvIndan52*",
            &blob
        ));
        assert!(!verify_pass_stub_blob(
            &Password::new("Password1"),
            "RT=0PvIndan52*",
            &blob[1..]
        ));
    }

    #[test]
    fn ticket_round_trip_and_wrong_password() {
        let key = TicketKey::derive(&Password::new("ABC"));
        let ct = encrypt_ticket(&key, "<E/>\r\n");
        assert_eq!(ct.len() % 16, 0);
        assert_eq!(decrypt_ticket(&key, &ct).unwrap().as_str(), "<E/>\r\n");
        let other = TicketKey::derive(&Password::new("ABD"));
        assert_eq!(decrypt_ticket(&other, &ct), Err(Error::WrongPassword));
        assert!(matches!(
            decrypt_ticket(&key, &ct[1..]),
            Err(Error::LhTicket(_))
        ));
    }

    #[test]
    fn pass_stub_blobs_on_the_stack_and_the_heap_agree_with_the_rc4_crate() {
        use rc4::{KeyInit, Rc4, StreamCipher};
        let password = Password::new("Pässword1");
        let key: [u8; 16] = password.utf16le_digest::<Md5>().into();
        // Both sides of STACK_BLOB, and a character outside the BMP (two units).
        for length in 0..40 {
            for c in ['x', '\u{e9}', '\u{1F600}', 'm'] {
                let mut stub: String = std::iter::repeat_n(c, length).collect();
                if c == 'm' {
                    // Mostly ASCII, but not all: the UTF-16 path, not the ASCII one.
                    stub.push('\u{e9}');
                }
                let units: Vec<u16> = stub.encode_utf16().collect();
                let mut expected = ((2 * units.len()) as u32).to_le_bytes().to_vec();
                expected.extend(units.iter().flat_map(|u| u.to_le_bytes()));
                let mut cipher = Rc4::new_from_slice(&key).expect("a 16-byte key is valid");
                cipher.apply_keystream(&mut expected);
                assert_eq!(pass_stub_blob(&password, &stub), expected, "{stub}");
                assert!(verify_pass_stub_blob(&password, &stub, &expected));
            }
        }
    }

    #[test]
    fn rc4_matches_the_rc4_crate() {
        use rc4::{KeyInit, Rc4, StreamCipher};
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut keys: Vec<[u8; 16]> = (0..2000)
            .map(|_| std::array::from_fn(|_| next() as u8))
            .collect();
        // Keys whose schedule swaps into the entries read early at every distance.
        keys.extend((0..=255u8).map(|b| [b; 16]));
        keys.push(std::array::from_fn(|i| i as u8));
        for (n, key) in keys.iter().enumerate() {
            let mut ours = vec![0u8; n % 300];
            rc4(key, &mut ours);
            let mut theirs = vec![0u8; n % 300];
            let mut cipher = Rc4::new_from_slice(key).expect("a 16-byte key is valid for RC4");
            cipher.apply_keystream(&mut theirs);
            assert_eq!(ours, theirs, "key {key:02x?}");
        }
    }

    #[test]
    fn rc4_matches_rfc_6229() {
        // 128-bit key 0x0102...10, keystream at offset 0.
        let key: [u8; 16] = std::array::from_fn(|i| i as u8 + 1);
        let mut stream = [0u8; 16];
        rc4(&key, &mut stream);
        assert_eq!(hex::encode(stream), "9ac7cc9a609d1ef7b2932899cde41b97");
    }

    thread_local! {
        /// (address, length) of every slice [`wipe`] left all zero, on this test's thread.
        static WIPED: std::cell::RefCell<Vec<(usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    pub(super) fn record_wipe(bytes: &[u8]) {
        if bytes.iter().all(|&b| b == 0) {
            WIPED.with(|w| w.borrow_mut().push((bytes.as_ptr() as usize, bytes.len())));
        }
    }

    /// The lengths of the slices wiped since the last call, forgetting them.
    pub(crate) fn take_wiped_lengths() -> Vec<usize> {
        WIPED
            .with(|w| std::mem::take(&mut *w.borrow_mut()))
            .into_iter()
            .map(|(_, length)| length)
            .collect()
    }

    /// Was the allocation at `address` wiped whole (`capacity` bytes) since the last call?
    pub(crate) fn wiped_whole(address: usize, capacity: usize) -> bool {
        WIPED
            .with(|w| std::mem::take(&mut *w.borrow_mut()))
            .contains(&(address, capacity))
    }

    #[test]
    fn a_ticket_key_and_what_it_was_derived_through_are_wiped() {
        take_wiped_lengths();
        let key = TicketKey::derive(&Password::new("a password"));
        // The password's UTF-16LE block, its SHA-1, the 0x36 block and its SHA-1.
        let mut during = take_wiped_lengths();
        during.sort_unstable();
        assert_eq!(during, [20, 20, 64, 64]);
        drop(key);
        assert_eq!(take_wiped_lengths(), [16]);
    }

    #[test]
    fn wiping_clears_every_byte_of_the_allocation() {
        for len in [0, 1, 7, 8, 9, 31, 100] {
            let mut bytes: Vec<u8> = (1..=len).map(|i| i as u8).collect();
            wipe(&mut bytes);
            assert!(bytes.iter().all(|&b| b == 0), "{len}");
            let mut text = String::with_capacity(len + 5);
            text.push_str(&"x".repeat(len));
            let (address, capacity) = (text.as_ptr() as usize, text.capacity());
            wipe_string(&mut text);
            assert!(text.is_empty());
            assert!(wiped_whole(address, capacity), "{len}");
        }
    }

    #[test]
    fn the_utf16_copy_of_a_ticket_being_encrypted_is_wiped_whole() {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(b"<\0E\0/\0>\0");
        let (address, capacity) = (bytes.as_ptr() as usize, bytes.capacity());
        drop(SecretBytes(bytes));
        assert!(wiped_whole(address, capacity));
    }

    #[test]
    fn a_decrypted_ticket_is_wiped_whole_when_dropped() {
        let mut text = String::with_capacity(100);
        text.push_str("<E><A KH=\"x\" ID=\"secret\"/></E>");
        let (address, capacity) = (text.as_ptr() as usize, text.capacity());
        let secret = SecretText::new(text);
        assert_eq!(secret.as_str(), "<E><A KH=\"x\" ID=\"secret\"/></E>");
        assert!(!wiped_whole(address, capacity));
        drop(secret);
        assert!(wiped_whole(address, capacity));
        let clone = SecretText::new("<E/>".into()).clone();
        assert_eq!(clone.as_str(), "<E/>");
        assert_eq!(format!("{clone:?}"), "SecretText(<redacted>)");
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        // Said to be there, but not shown.
        assert_eq!(
            format!("{:?}", Password::new("hunter2")),
            "Password(<redacted>)"
        );
        assert_eq!(
            format!("{:?}", TicketKey::derive(&Password::new("hunter2"))),
            "TicketKey(<redacted>)"
        );
    }

    /// Against the hand-written reference (tests/common/reference.rs): the raw decryption
    /// under the public `LhTicket` API, on any ciphertext, and the key derivation.
    mod oracle {
        use super::*;
        use crate::reference as r;
        use crate::test_support::Xorshift;

        fn below(rng: &mut Xorshift, n: usize) -> usize {
            let b = rng.bytes(8);
            (u64::from_le_bytes(b.try_into().unwrap()) % n as u64) as usize
        }

        /// Mostly ASCII, with line breaks, Latin-1, the BMP and beyond it (surrogate pairs).
        fn text(rng: &mut Xorshift, chars: usize) -> String {
            (0..chars)
                .map(|_| {
                    let (low, high) = match below(rng, 10) {
                        0..=4 => (0x20, 0x7E),
                        5 => return ['\r', '\n', '\t', '\u{FEFF}'][below(rng, 4)],
                        6 => (0xA0, 0xFF),
                        7 => (0x100, 0xD7FF),
                        8 => (0xE000, 0xFFFD),
                        _ => (0x1_0000, 0x10_FFFF),
                    };
                    let offset = below(rng, (high - low + 1) as usize) as u32;
                    char::from_u32(low + offset).unwrap()
                })
                .collect()
        }

        fn password(rng: &mut Xorshift) -> String {
            let length = below(rng, 81);
            text(rng, length)
        }

        fn looks_like_xml(text: &str) -> bool {
            text.trim_start_matches('\u{FEFF}')
                .trim_start()
                .starts_with('<')
        }

        /// rainv gives the reference's text when both accept the ciphertext, and an error
        /// exactly when the reference refuses it or it is not XML.
        fn assert_agrees(password: &str, ciphertext: &[u8], context: &dyn std::fmt::Display) {
            let expected = r::decrypt_lhticket(password, ciphertext);
            let key = TicketKey::derive(&Password::new(password));
            let got = decrypt_ticket(&key, ciphertext);
            match (&got, &expected) {
                (Ok(text), Some(reference)) => {
                    assert_eq!(text.as_str(), reference, "{context}");
                    assert!(looks_like_xml(text), "{context}: accepted {text:?}");
                }
                (Err(Error::WrongPassword), None) => {}
                (Err(Error::WrongPassword), Some(reference)) => {
                    assert!(
                        !looks_like_xml(reference),
                        "{context}: refused {reference:?}"
                    );
                }
                (Err(Error::LhTicket(_)), None)
                    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) => {}
                _ => panic!("{context}: rainv gave {got:?}, the reference {expected:?}"),
            }
        }

        #[test]
        fn keys_are_the_references_for_every_length_and_generated_passwords() {
            let mut rng = Xorshift::new();
            let mut passwords: Vec<String> = (0..=70).map(|n| "k".repeat(n)).collect();
            passwords.extend((0..200).map(|_| password(&mut rng)));
            for password in passwords {
                let key = TicketKey::derive(&Password::new(password.as_str()));
                assert_eq!(
                    *key.as_bytes(),
                    r::ticket_key(&password),
                    "{rng}: {password:?}"
                );
            }
        }

        #[test]
        fn decryption_agrees_on_texts_damage_and_wrong_passwords() {
            let mut rng = Xorshift::new();
            for round in 0..300 {
                let password = password(&mut rng);
                let length = if round <= 40 {
                    round
                } else {
                    below(&mut rng, 300)
                };
                let plaintext = format!("<{}", text(&mut rng, length));
                let ciphertext = r::encrypt_lhticket(&password, &plaintext);
                let key = TicketKey::derive(&Password::new(password.as_str()));
                assert_eq!(encrypt_ticket(&key, &plaintext), ciphertext, "{rng}");
                assert_eq!(
                    decrypt_ticket(&key, &ciphertext).unwrap().as_str(),
                    plaintext,
                    "{rng}"
                );
                let other = self::password(&mut rng);
                if other != password {
                    assert_agrees(&other, &ciphertext, &rng);
                }
                // A flip in the last two blocks changes the padding.
                let mut flipped = ciphertext.clone();
                let from = flipped.len().saturating_sub(32);
                let at = from + below(&mut rng, flipped.len() - from);
                flipped[at] ^= 1 << below(&mut rng, 8);
                assert_agrees(&password, &flipped, &rng);
                assert_agrees(&password, &ciphertext[16..], &rng);
                let cut = below(&mut rng, ciphertext.len());
                assert_agrees(&password, &ciphertext[..cut], &rng);
            }
        }

        #[test]
        fn decryption_agrees_on_every_kind_of_padding() {
            let mut rng = Xorshift::new();
            let password = password(&mut rng);
            let key = r::ticket_key(&password);
            for round in 0..600 {
                // UTF-16LE text, then a last block ending in `pad` bytes of value `value`:
                // valid padding when they agree (and the text stays whole code units).
                let length = below(&mut rng, 40);
                let xml = if round % 3 == 0 { "" } else { "<" };
                let mut plain = r::utf16le(&format!("{xml}{}", text(&mut rng, length)));
                let pad = 1 + below(&mut rng, 16);
                let value = match round % 4 {
                    0 | 1 => pad as u8,
                    2 => [0, 17, 0xff, pad as u8 ^ 1][below(&mut rng, 4)],
                    _ => rng.bytes(1)[0],
                };
                let fill = (16 - (plain.len() + pad) % 16) % 16;
                plain.extend(rng.bytes(fill));
                plain.extend(std::iter::repeat_n(value, pad));
                if round % 8 == 1 && pad > 1 {
                    let at = plain.len() - 1 - below(&mut rng, pad - 1) - 1;
                    plain[at] ^= 0x40;
                }
                let ciphertext = r::aes128_cbc_encrypt(&key, &[0; 16], &plain);
                assert_agrees(&password, &ciphertext, &rng);
            }
            for _ in 0..300 {
                let blocks = 1 + below(&mut rng, 6);
                let ciphertext = rng.bytes(16 * blocks);
                assert_agrees(&password, &ciphertext, &rng);
            }
        }
    }
}
