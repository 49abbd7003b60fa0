//! Reference implementations of the format's ciphers, written by hand from the published
//! algorithms so that tests have an oracle that shares no code with rainv (rainv uses the
//! `aes`, `cbc`, `sha1`, `md-5` and `rc4` crates; nothing here does).
//!
//! Plain, slow and readable on purpose. Each primitive is checked against its standard's own
//! vectors in `tests/oracles.rs`:
//! - AES-128: FIPS-197 (sections 5.1-5.3: S-box from the field inverse and affine map, key
//!   expansion, Cipher and InvCipher).
//! - CBC mode: NIST SP 800-38A section 6.2; padding: PKCS#7 (RFC 5652 section 6.3).
//! - SHA-1: FIPS 180-4 sections 5.1.1, 6.1 (and RFC 3174).
//! - MD5: RFC 1321 section 3.
//! - RC4: the key-scheduling and output algorithms as RFC 6229 describes them.
//!
//! On top of them, the format as `../shared/FORMAT.md` describes it: the LHTICKET key
//! (`CryptDeriveKey` over SHA-1), LHTICKET encryption (AES-128-CBC, zero IV, PKCS#7, UTF-16LE)
//! and the expert's PASS blob (RC4 keyed by MD5, over the PassStub as a BSTR).

use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// AES-128 (FIPS-197)
// ---------------------------------------------------------------------------------------------

/// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2.1).
fn xtime(b: u8) -> u8 {
    (b << 1) ^ if b & 0x80 != 0 { 0x1b } else { 0 }
}

/// Multiplication in GF(2^8) (FIPS-197 4.2), by repeated xtime.
pub fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    product
}

/// The S-box and its inverse (FIPS-197 5.1.1): the multiplicative inverse in GF(2^8)
/// (0 maps to 0), then the affine transformation
/// b'_i = b_i ^ b_(i+4) ^ b_(i+5) ^ b_(i+6) ^ b_(i+7) ^ c_i with c = 0x63.
fn sboxes() -> &'static ([u8; 256], [u8; 256]) {
    static TABLES: OnceLock<([u8; 256], [u8; 256])> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut sbox = [0u8; 256];
        let mut inverse = [0u8; 256];
        for x in 0..=255u8 {
            let inv = if x == 0 {
                0
            } else {
                (1..=255u8).find(|&y| gf_mul(x, y) == 1).unwrap()
            };
            let s = inv
                ^ inv.rotate_left(1)
                ^ inv.rotate_left(2)
                ^ inv.rotate_left(3)
                ^ inv.rotate_left(4)
                ^ 0x63;
            sbox[usize::from(x)] = s;
            inverse[usize::from(s)] = x;
        }
        (sbox, inverse)
    })
}

/// The AES S-box value of one byte (FIPS-197 figure 7).
pub fn sub_byte(b: u8) -> u8 {
    sboxes().0[usize::from(b)]
}

fn inv_sub_byte(b: u8) -> u8 {
    sboxes().1[usize::from(b)]
}

/// AES-128 with an expanded key. The state is kept in input order: byte `r + 4c` is row r,
/// column c (FIPS-197 3.4).
pub struct Aes128 {
    /// Round keys 0 to 10, each the words w[4i..4i+4] as 16 bytes.
    round_keys: [[u8; 16]; 11],
}

impl Aes128 {
    /// KeyExpansion (FIPS-197 5.2) with Nk = 4, Nr = 10.
    pub fn new(key: &[u8; 16]) -> Aes128 {
        let mut w = [[0u8; 4]; 44];
        for (i, word) in w.iter_mut().take(4).enumerate() {
            word.copy_from_slice(&key[4 * i..4 * i + 4]);
        }
        let mut rcon = 1u8;
        for i in 4..44 {
            let mut temp = w[i - 1];
            if i % 4 == 0 {
                temp.rotate_left(1); // RotWord
                for b in &mut temp {
                    *b = sub_byte(*b); // SubWord
                }
                temp[0] ^= rcon; // Rcon[i/4] = (x^(i/4 - 1), 0, 0, 0)
                rcon = xtime(rcon);
            }
            for j in 0..4 {
                w[i][j] = w[i - 4][j] ^ temp[j];
            }
        }
        let mut round_keys = [[0u8; 16]; 11];
        for (round, round_key) in round_keys.iter_mut().enumerate() {
            for c in 0..4 {
                round_key[4 * c..4 * c + 4].copy_from_slice(&w[4 * round + c]);
            }
        }
        Aes128 { round_keys }
    }

    /// Round key `round` (0 to 10) as bytes.
    pub fn round_key(&self, round: usize) -> [u8; 16] {
        self.round_keys[round]
    }

    fn add_round_key(&self, state: &mut [u8; 16], round: usize) {
        for (s, k) in state.iter_mut().zip(self.round_keys[round]) {
            *s ^= k;
        }
    }

    /// Cipher (FIPS-197 5.1).
    pub fn encrypt_block(&self, block: &[u8; 16]) -> [u8; 16] {
        let mut state = *block;
        self.add_round_key(&mut state, 0);
        for round in 1..=10 {
            for b in &mut state {
                *b = sub_byte(*b);
            }
            state = shift_rows(&state);
            if round != 10 {
                state = mix_columns(&state);
            }
            self.add_round_key(&mut state, round);
        }
        state
    }

    /// InvCipher (FIPS-197 5.3).
    pub fn decrypt_block(&self, block: &[u8; 16]) -> [u8; 16] {
        let mut state = *block;
        self.add_round_key(&mut state, 10);
        for round in (0..10).rev() {
            state = inv_shift_rows(&state);
            for b in &mut state {
                *b = inv_sub_byte(*b);
            }
            self.add_round_key(&mut state, round);
            if round != 0 {
                state = inv_mix_columns(&state);
            }
        }
        state
    }
}

/// ShiftRows (FIPS-197 5.1.2): s'[r][c] = s[r][(c + r) mod 4].
fn shift_rows(state: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for r in 0..4 {
        for c in 0..4 {
            out[r + 4 * c] = state[r + 4 * ((c + r) % 4)];
        }
    }
    out
}

/// InvShiftRows (FIPS-197 5.3.1): s'[r][(c + r) mod 4] = s[r][c].
fn inv_shift_rows(state: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for r in 0..4 {
        for c in 0..4 {
            out[r + 4 * ((c + r) % 4)] = state[r + 4 * c];
        }
    }
    out
}

/// Multiply every column by a circulant matrix whose first row is `row`.
fn mix_with(state: &[u8; 16], row: [u8; 4]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for c in 0..4 {
        let column = &state[4 * c..4 * c + 4];
        for r in 0..4 {
            out[r + 4 * c] = (0..4).fold(0, |acc, k| acc ^ gf_mul(row[(k + 4 - r) % 4], column[k]));
        }
    }
    out
}

/// MixColumns (FIPS-197 5.1.3): rows {02 03 01 01}, rotated.
fn mix_columns(state: &[u8; 16]) -> [u8; 16] {
    mix_with(state, [0x02, 0x03, 0x01, 0x01])
}

/// InvMixColumns (FIPS-197 5.3.3): rows {0e 0b 0d 09}, rotated.
fn inv_mix_columns(state: &[u8; 16]) -> [u8; 16] {
    mix_with(state, [0x0e, 0x0b, 0x0d, 0x09])
}

/// One 16-byte block of a slice whose length is a multiple of 16.
fn block(bytes: &[u8]) -> [u8; 16] {
    bytes.try_into().expect("a whole 16-byte block")
}

/// ECB: each block on its own (SP 800-38A 6.1), for the standard's multi-block vectors.
pub fn aes128_ecb_encrypt(key: &[u8; 16], data: &[u8]) -> Vec<u8> {
    assert!(data.len().is_multiple_of(16), "whole blocks");
    let aes = Aes128::new(key);
    data.chunks(16)
        .flat_map(|b| aes.encrypt_block(&block(b)))
        .collect()
}

/// CBC encryption without padding (SP 800-38A 6.2): C_j = CIPH(P_j ^ C_(j-1)), C_0 = IV.
pub fn aes128_cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    assert!(data.len().is_multiple_of(16), "whole blocks");
    let aes = Aes128::new(key);
    let mut previous = *iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let mut input = block(chunk);
        for (x, p) in input.iter_mut().zip(previous) {
            *x ^= p;
        }
        previous = aes.encrypt_block(&input);
        out.extend_from_slice(&previous);
    }
    out
}

/// CBC decryption without padding (SP 800-38A 6.2): P_j = CIPH^-1(C_j) ^ C_(j-1).
pub fn aes128_cbc_decrypt(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    assert!(data.len().is_multiple_of(16), "whole blocks");
    let aes = Aes128::new(key);
    let mut previous = *iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let mut plain = aes.decrypt_block(&block(chunk));
        for (x, p) in plain.iter_mut().zip(previous) {
            *x ^= p;
        }
        out.extend_from_slice(&plain);
        previous = block(chunk);
    }
    out
}

/// PKCS#7 padding to 16 bytes: n = 16 - len mod 16 bytes (1 to 16), each of value n.
pub fn pkcs7_pad(data: &[u8]) -> Vec<u8> {
    let n = 16 - data.len() % 16;
    let mut out = data.to_vec();
    out.resize(data.len() + n, n as u8);
    out
}

/// Remove PKCS#7 padding, or `None` when it is not valid padding.
pub fn pkcs7_unpad(data: &[u8]) -> Option<&[u8]> {
    let n = usize::from(*data.last()?);
    if n == 0 || n > 16 || n > data.len() {
        return None;
    }
    let (text, padding) = data.split_at(data.len() - n);
    padding.iter().all(|&b| usize::from(b) == n).then_some(text)
}

// ---------------------------------------------------------------------------------------------
// SHA-1 (FIPS 180-4) and MD5 (RFC 1321)
// ---------------------------------------------------------------------------------------------

/// Append 0x80, zeros, and the 64-bit message length in bits, to a multiple of 64 bytes
/// (FIPS 180-4 5.1.1 with a big-endian length; RFC 1321 3.1-3.2 with a little-endian one).
fn md_pad(message: &[u8], big_endian_length: bool) -> Vec<u8> {
    let bits = (message.len() as u64).wrapping_mul(8);
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&if big_endian_length {
        bits.to_be_bytes()
    } else {
        bits.to_le_bytes()
    });
    padded
}

/// SHA-1 (FIPS 180-4 6.1.2).
pub fn sha1(message: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    for chunk in md_pad(message, true).chunks(64) {
        let mut w = [0u32; 80];
        for t in 0..16 {
            w[t] = u32::from_be_bytes(chunk[4 * t..4 * t + 4].try_into().unwrap());
        }
        for t in 16..80 {
            w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (t, &wt) in w.iter().enumerate() {
            let (f, k) = match t {
                0..=19 => ((b & c) ^ (!b & d), 0x5A827999), // Ch
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),         // Parity
                40..=59 => ((b & c) ^ (b & d) ^ (c & d), 0x8F1BBCDC), // Maj
                _ => (b ^ c ^ d, 0xCA62C1D6),               // Parity
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(wt);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (hi, x) in h.iter_mut().zip([a, b, c, d, e]) {
            *hi = hi.wrapping_add(x);
        }
    }
    let mut digest = [0u8; 20];
    for (out, word) in digest.chunks_mut(4).zip(h) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// MD5 (RFC 1321 3.3-3.5).
pub fn md5(message: &[u8]) -> [u8; 16] {
    // T[i] = floor(4294967296 * abs(sin(i))), i = 1..64, as RFC 1321 3.4 defines it.
    let t: Vec<u32> = (1..=64)
        .map(|i: i32| (f64::from(i).sin().abs() * 4294967296.0) as u32)
        .collect();
    // Per-step shift amounts, by round (RFC 1321 3.4).
    const SHIFTS: [[u32; 4]; 4] = [
        [7, 12, 17, 22],
        [5, 9, 14, 20],
        [4, 11, 16, 23],
        [6, 10, 15, 21],
    ];
    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for chunk in md_pad(message, false).chunks(64) {
        let x: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
            .collect();
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let round = i / 16;
            // F, G, H, I and the message word each round takes (RFC 1321 3.4).
            let (f, k) = match round {
                0 => ((b & c) | (!b & d), i),
                1 => ((b & d) | (c & !d), (1 + 5 * i) % 16),
                2 => (b ^ c ^ d, (5 + 3 * i) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            // a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s), then the registers rotate.
            let sum = a.wrapping_add(f).wrapping_add(x[k]).wrapping_add(t[i]);
            let new_b = b.wrapping_add(sum.rotate_left(SHIFTS[round][i % 4]));
            (a, b, c, d) = (d, new_b, b, c);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut digest = [0u8; 16];
    for (out, word) in digest.chunks_mut(4).zip(state) {
        out.copy_from_slice(&word.to_le_bytes());
    }
    digest
}

// ---------------------------------------------------------------------------------------------
// RC4
// ---------------------------------------------------------------------------------------------

/// `length` bytes of RC4 keystream for `key` (1 to 256 bytes): the key-scheduling algorithm,
/// then the pseudo-random generation algorithm.
pub fn rc4_keystream(key: &[u8], length: usize) -> Vec<u8> {
    assert!(
        (1..=256).contains(&key.len()),
        "RC4 keys are 1 to 256 bytes"
    );
    let mut s: Vec<u8> = (0..=255).collect();
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, usize::from(j));
    }
    let (mut i, mut j) = (0u8, 0u8);
    (0..length)
        .map(|_| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[usize::from(i)]);
            s.swap(usize::from(i), usize::from(j));
            s[usize::from(s[usize::from(i)].wrapping_add(s[usize::from(j)]))]
        })
        .collect()
}

/// RC4 encryption (and decryption): the data XORed with the keystream.
pub fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    data.iter()
        .zip(rc4_keystream(key, data.len()))
        .map(|(d, k)| d ^ k)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hex, UTF-16LE
// ---------------------------------------------------------------------------------------------

/// Uppercase hex, as Windows writes LHTICKET and PASS values.
pub fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    bytes
        .iter()
        .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// Hex (either case) to bytes, or `None`.
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text
        .chars()
        .map(|c| c.to_digit(16))
        .collect::<Option<_>>()?;
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    Some(digits.chunks(2).map(|p| (p[0] * 16 + p[1]) as u8).collect())
}

/// Text as UTF-16LE code units, no BOM, no terminator.
pub fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// UTF-16LE bytes to text, or `None` for an odd length or unpaired surrogates.
pub fn from_utf16le(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

// ---------------------------------------------------------------------------------------------
// The format (../shared/FORMAT.md)
// ---------------------------------------------------------------------------------------------

/// The LHTICKET key: `CryptDeriveKey(CALG_AES_128)` over h = SHA-1(UTF-16LE(password)):
/// the first 16 bytes of SHA-1(0x36 block ^ h) || SHA-1(0x5C block ^ h).
pub fn ticket_key(password: &str) -> [u8; 16] {
    let h = sha1(&utf16le(password));
    let mut b1 = [0x36u8; 64];
    let mut b2 = [0x5Cu8; 64];
    for (i, &x) in h.iter().enumerate() {
        b1[i] ^= x;
        b2[i] ^= x;
    }
    let mut derived = sha1(&b1).to_vec();
    derived.extend_from_slice(&sha1(&b2));
    derived[..16].try_into().unwrap()
}

/// LHTICKET ciphertext: AES-128-CBC, zero IV, PKCS#7, over UTF-16LE text.
pub fn encrypt_lhticket(password: &str, plaintext: &str) -> Vec<u8> {
    encrypt_lhticket_with_key(&ticket_key(password), plaintext)
}

/// [`encrypt_lhticket`] with a key already derived.
pub fn encrypt_lhticket_with_key(key: &[u8; 16], plaintext: &str) -> Vec<u8> {
    aes128_cbc_encrypt(key, &[0; 16], &pkcs7_pad(&utf16le(plaintext)))
}

/// Decrypt LHTICKET ciphertext: `None` when it is not whole blocks, the padding is wrong, or
/// the plaintext is not UTF-16LE. (Whether the text is XML is left to the caller.)
pub fn decrypt_lhticket(password: &str, ciphertext: &[u8]) -> Option<String> {
    decrypt_lhticket_with_key(&ticket_key(password), ciphertext)
}

/// [`decrypt_lhticket`] with a key already derived.
pub fn decrypt_lhticket_with_key(key: &[u8; 16], ciphertext: &[u8]) -> Option<String> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return None;
    }
    let padded = aes128_cbc_decrypt(key, &[0; 16], ciphertext);
    from_utf16le(pkcs7_unpad(&padded)?)
}

/// [`decrypt_lhticket`] on LHTICKET hex, as it stands in a file.
pub fn decrypt_lhticket_hex(password: &str, lhticket_hex: &str) -> Option<String> {
    decrypt_lhticket(password, &hex_decode(lhticket_hex)?)
}

/// The expert's PASS blob: RC4 keyed by MD5(UTF-16LE(password)), over
/// u32_le(byte length of UTF-16LE(PassStub)) || UTF-16LE(PassStub).
pub fn pass_stub_blob(password: &str, pass_stub: &str) -> Vec<u8> {
    let key = md5(&utf16le(password));
    let stub = utf16le(pass_stub);
    let mut data = (stub.len() as u32).to_le_bytes().to_vec();
    data.extend_from_slice(&stub);
    rc4(&key, &data)
}

/// The PASS value: the blob as uppercase hex.
pub fn pass_stub_hex(password: &str, pass_stub: &str) -> String {
    hex_upper(&pass_stub_blob(password, pass_stub))
}
