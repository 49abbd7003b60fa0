//! Independent oracles for rainv's ciphers.
//!
//! `common::reference` implements AES-128, CBC with PKCS#7, SHA-1, MD5 and RC4 by hand from the
//! published standards, and on them the format's key derivation, LHTICKET cipher and PASS blob.
//! Here each primitive is checked against its standard's own vectors; then rainv's public API
//! is checked against the reference on Microsoft's published PassStub example, the project's
//! own example file, the shared vectors and Windows-made files (from ../shared), and on many
//! generated inputs.
//!
//! Generated inputs come from a xorshift generator seeded from the clock, or from
//! `RAINV_TEST_SEED` to repeat a run; failures print the seed.

mod common;

use common::reference as r;
use rainv::NewInvitation;
use rainv::TicketKey;
use rainv::{Error, Invitation, Layout, LhTicket, Limits, Listener, Password, pass_stub};

/// Microsoft's published PassStub example (MS-RAI; also the Windows XP file in ../shared).
const MS_PASSWORD: &str = "Password1";
const MS_STUB: &str = "RT=0PvIndan52*";
const MS_PASS: &str = "3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90";

/// A 20-byte KH and a 48-byte session ID (base64), for generated Connection Strings 2.
const KH: &str = "BNRjdu97DyczQSRuMRrDWoue+HA=";
const SESSION_ID: &str = "FxlMhWiu+Pzok2qu+wI95uzvzg2mvEM/V9JCUA6/7YZpYB/UXjJ7+heF8UAnyYGY";

/// Hex of a test vector (spaces allowed) to bytes.
fn h(hex: &str) -> Vec<u8> {
    let digits: String = hex.split_whitespace().collect();
    r::hex_decode(&digits).unwrap_or_else(|| panic!("{hex:?} is hex"))
}

fn h16(hex: &str) -> [u8; 16] {
    h(hex).try_into().expect("16 bytes")
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

/// xorshift64, seeded from `RAINV_TEST_SEED` or the clock.
struct Rng {
    seed: u64,
    state: u64,
}

impl Rng {
    fn new() -> Rng {
        let seed = match std::env::var("RAINV_TEST_SEED") {
            Ok(text) => text.trim().parse().expect("RAINV_TEST_SEED is a u64"),
            Err(_) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                now.as_secs() ^ u64::from(now.subsec_nanos()).rotate_left(32)
            }
        };
        Rng {
            seed,
            state: seed.max(1),
        }
    }

    fn next(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A number in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One character: mostly ASCII, else line breaks, Latin-1, the rest of the BMP (a BOM
    /// now and then) or beyond it (a surrogate pair in UTF-16).
    fn char(&mut self) -> char {
        let (low, high) = match self.below(10) {
            0..=4 => (0x20, 0x7E),
            5 => return ['\r', '\n', '\t', '\u{FEFF}'][self.below(4)],
            6 => (0xA0, 0xFF),
            7 => (0x100, 0xD7FF),
            8 => (0xE000, 0xFFFD),
            _ => (0x1_0000, 0x10_FFFF),
        };
        char::from_u32(low + self.next() as u32 % (high - low + 1)).expect("outside surrogates")
    }

    fn text(&mut self, chars: usize) -> String {
        (0..chars).map(|_| self.char()).collect()
    }

    /// A password of 0 to 80 characters: sometimes Windows' 12 of A-Z 0-9, else anything.
    fn password(&mut self) -> String {
        if self.below(4) == 0 {
            const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            (0..12)
                .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
                .collect()
        } else {
            let length = self.below(81);
            self.text(length)
        }
    }
}

/// Plaintext whose encryption under a key tells whether it is the expected key.
const KEY_PROBE: &str = "<E>key probe</E>";

/// A Connection String 2 with generated values, in Windows' layout.
fn connection_string(rng: &mut Rng) -> String {
    let port = 1 + rng.below(65535);
    let address = format!(
        "{}.{}.{}.{}",
        rng.below(256),
        rng.below(256),
        rng.below(256),
        rng.below(256)
    );
    let sid = rng.next() as u32;
    format!(
        "<E><A KH=\"{KH}\" ID=\"{SESSION_ID}\"/><C><T ID=\"1\" SID=\"{sid}\">\
         <L P=\"{port}\" N=\"{address}\"/></T></C></E>\r\n"
    )
}

/// An attribute's value in invitation text (after a space or line break), with XML's five
/// entities undone.
fn attribute(text: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = text
        .match_indices(&needle)
        .find(|&(at, _)| text[..at].ends_with(char::is_whitespace))?
        .0
        + needle.len();
    let end = text[start..].find('"')? + start;
    Some(
        text[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

// ---------------------------------------------------------------------------------------------
// The reference against the published standards
// ---------------------------------------------------------------------------------------------

#[test]
fn reference_field_arithmetic_sbox_and_key_expansion_match_fips_197() {
    // FIPS-197 4.2 and 4.2.1: {57} x {83} = {c1}, {57} x {13} = {fe}.
    assert_eq!(r::gf_mul(0x57, 0x83), 0xc1);
    assert_eq!(r::gf_mul(0x57, 0x13), 0xfe);
    // 5.1.1 (S(53) = ED) and corners of figure 7.
    for (x, s) in [
        (0x00, 0x63),
        (0x01, 0x7c),
        (0x10, 0xca),
        (0x53, 0xed),
        (0xff, 0x16),
    ] {
        assert_eq!(r::sub_byte(x), s, "S({x:02x})");
    }
    // Appendix A.1: the expansion of 2b7e1516 28aed2a6 abf71588 09cf4f3c.
    let key = h16("2b7e151628aed2a6abf7158809cf4f3c");
    let aes = r::Aes128::new(&key);
    assert_eq!(aes.round_key(0), key);
    assert_eq!(aes.round_key(1), h16("a0fafe17 88542cb1 23a33939 2a6c7605"));
    assert_eq!(aes.round_key(2), h16("f2c295f2 7a96b943 5935807a 7359f67f"));
    assert_eq!(
        aes.round_key(10),
        h16("d014f9a8 c9ee2589 e13f0cc8 b6630ca6")
    );
}

#[test]
fn reference_aes_128_matches_fips_197_and_sp_800_38a() {
    // FIPS-197 appendix B and appendix C.1.
    for (key, plain, cipher) in [
        (
            "2b7e151628aed2a6abf7158809cf4f3c",
            "3243f6a8885a308d313198a2e0370734",
            "3925841d02dc09fbdc118597196a0b32",
        ),
        (
            "000102030405060708090a0b0c0d0e0f",
            "00112233445566778899aabbccddeeff",
            "69c4e0d86a7b0430d8cdb78070b4c55a",
        ),
    ] {
        let aes = r::Aes128::new(&h16(key));
        assert_eq!(aes.encrypt_block(&h16(plain)), h16(cipher), "{key}");
        assert_eq!(aes.decrypt_block(&h16(cipher)), h16(plain), "{key}");
    }
    // SP 800-38A F.1.1/F.1.2 (ECB-AES128) and F.2.1/F.2.2 (CBC-AES128): four blocks each.
    let key = h16("2b7e151628aed2a6abf7158809cf4f3c");
    let plain = h(
        "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 \
                   30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710",
    );
    let ecb = h(
        "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf \
                 43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4",
    );
    assert_eq!(r::aes128_ecb_encrypt(&key, &plain), ecb);
    let iv = h16("000102030405060708090a0b0c0d0e0f");
    let cbc = h(
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 \
                 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
    );
    assert_eq!(r::aes128_cbc_encrypt(&key, &iv, &plain), cbc);
    assert_eq!(r::aes128_cbc_decrypt(&key, &iv, &cbc), plain);
    // Every prefix of whole blocks, too: CBC chains block by block.
    for blocks in 1..4 {
        let n = 16 * blocks;
        assert_eq!(r::aes128_cbc_encrypt(&key, &iv, &plain[..n]), cbc[..n]);
        assert_eq!(r::aes128_cbc_decrypt(&key, &iv, &cbc[..n]), plain[..n]);
    }
}

#[test]
fn reference_pkcs7_pads_to_whole_blocks_and_refuses_bad_padding() {
    for length in 0..=48 {
        let data: Vec<u8> = (0..length).map(|i| i as u8).collect();
        let padded = r::pkcs7_pad(&data);
        let n = 16 - length % 16;
        assert_eq!(padded.len(), length + n, "{length}");
        assert!(padded[length..].iter().all(|&b| usize::from(b) == n));
        assert_eq!(r::pkcs7_unpad(&padded), Some(&data[..]), "{length}");
    }
    let mut block = [0x10u8; 16];
    assert_eq!(r::pkcs7_unpad(&block), Some(&[][..]));
    for last in [0x00, 0x11, 0xff] {
        block[15] = last;
        assert_eq!(r::pkcs7_unpad(&block), None, "{last:02x}");
    }
    let mut block = [0u8; 16];
    block[13..].copy_from_slice(&[2, 3, 3]);
    assert_eq!(r::pkcs7_unpad(&block), None, "one padding byte differs");
    assert_eq!(r::pkcs7_unpad(&[]), None);
}

#[test]
fn reference_sha1_matches_fips_180_and_rfc_3174() {
    let million_a = vec![b'a'; 1_000_000];
    let rfc3174_test4 =
        b"0123456701234567012345670123456701234567012345670123456701234567".repeat(10);
    let cases: [(&[u8], &str); 5] = [
        (b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        // 56 bytes: the length no longer fits in the first block.
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
        ),
        (&rfc3174_test4, "dea356a2cddd90c7a7ecedc5ebb563934f460452"),
        (&million_a, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
    ];
    for (message, digest) in cases {
        assert_eq!(
            r::sha1(message).to_vec(),
            h(digest),
            "{} bytes",
            message.len()
        );
    }
}

#[test]
fn reference_md5_matches_the_rfc_1321_test_suite() {
    let cases: [(&str, &str); 7] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for (message, digest) in cases {
        assert_eq!(
            r::md5(message.as_bytes()).to_vec(),
            h(digest),
            "{message:?}"
        );
    }
}

#[test]
fn reference_rc4_matches_rfc_6229() {
    // Section 2: keystream at the given offsets for the 40-, 128- and 256-bit keys 0x0102...
    let key40 = [1u8, 2, 3, 4, 5];
    let key128: Vec<u8> = (1..=16).collect();
    let key256: Vec<u8> = (1..=32).collect();
    let cases: [(&[u8], usize, &str); 14] = [
        (&key40, 0, "b2 39 63 05 f0 3d c0 27 cc c3 52 4a 0a 11 18 a8"),
        (
            &key40,
            16,
            "69 82 94 4f 18 fc 82 d5 89 c4 03 a4 7a 0d 09 19",
        ),
        (
            &key40,
            240,
            "28 cb 11 32 c9 6c e2 86 42 1d ca ad b8 b6 9e ae",
        ),
        (
            &key40,
            1008,
            "45 12 90 48 e6 a0 ed 0b 56 b4 90 33 8f 07 8d a5",
        ),
        (
            &key40,
            4096,
            "ff 25 b5 89 95 99 67 07 e5 1f bd f0 8b 34 d8 75",
        ),
        (
            &key128,
            0,
            "9a c7 cc 9a 60 9d 1e f7 b2 93 28 99 cd e4 1b 97",
        ),
        (
            &key128,
            16,
            "52 48 c4 95 90 14 12 6a 6e 8a 84 f1 1d 1a 9e 1c",
        ),
        (
            &key128,
            240,
            "06 59 02 e4 b6 20 f6 cc 36 c8 58 9f 66 43 2f 2b",
        ),
        (
            &key128,
            256,
            "d3 9d 56 6b c6 bc e3 01 07 68 15 15 49 f3 87 3f",
        ),
        (
            &key128,
            512,
            "c6 8c 1d 5c 55 9a 97 41 23 df 1d bc 52 a4 3b 89",
        ),
        (
            &key128,
            4080,
            "ff 38 26 5c 16 42 c1 ab e8 d3 c2 fe 5e 57 2b f8",
        ),
        (
            &key128,
            4096,
            "a3 6a 4c 30 1a e8 ac 13 61 0c cb c1 22 56 ca cc",
        ),
        (
            &key256,
            0,
            "ea a6 bd 25 88 0b f9 3d 3f 5d 1e 4c a2 61 1d 91",
        ),
        (
            &key256,
            4096,
            "f3 e4 c0 a2 e0 2d 1d 01 f7 f0 a7 46 18 af 2b 48",
        ),
    ];
    for (key, offset, expected) in cases {
        let stream = r::rc4_keystream(key, offset + 16);
        assert_eq!(
            stream[offset..],
            h(expected),
            "{}-bit key at {offset}",
            8 * key.len()
        );
    }
    // Encryption is XOR with the keystream, so applying it twice gives the data back.
    let data = b"Attack at dawn, across block and keystream boundaries.".repeat(7);
    assert_eq!(r::rc4(&key128, &r::rc4(&key128, &data)), data);
}

#[test]
fn reference_hex_and_utf16le() {
    assert_eq!(r::hex_upper(&[0x00, 0x9f, 0xa0, 0xff]), "009FA0FF");
    assert_eq!(
        r::hex_decode("009fA0Ff"),
        Some(vec![0x00, 0x9f, 0xa0, 0xff])
    );
    assert_eq!(r::hex_decode("0"), None);
    assert_eq!(r::hex_decode("0g"), None);
    assert_eq!(
        r::utf16le("A\u{e9}\u{1F511}"),
        [0x41, 0, 0xe9, 0, 0x3d, 0xd8, 0x11, 0xdd]
    );
    assert_eq!(
        r::from_utf16le(&[0x3d, 0xd8]),
        None,
        "an unpaired surrogate"
    );
    assert_eq!(r::from_utf16le(&[0x41]), None, "half a code unit");
}

// ---------------------------------------------------------------------------------------------
// Published examples and the project's example file (no ../shared needed)
// ---------------------------------------------------------------------------------------------

#[test]
fn microsofts_published_pass_example() {
    assert_eq!(r::pass_stub_hex(MS_PASSWORD, MS_STUB), MS_PASS);
    let password = Password::new(MS_PASSWORD);
    assert_eq!(pass_stub::encrypt(&password, MS_STUB), MS_PASS);
    assert_eq!(
        h(&pass_stub::encrypt(&password, MS_STUB)),
        r::pass_stub_blob(MS_PASSWORD, MS_STUB)
    );
    assert!(pass_stub::verify(&password, MS_STUB, MS_PASS).unwrap());
    assert!(pass_stub::verify(&password, MS_STUB, &MS_PASS.to_lowercase()).unwrap());
    // The reference key is MD5 of UTF-16LE "Password1"; its keystream decrypts the example.
    let blob = r::rc4(&r::md5(&r::utf16le(MS_PASSWORD)), &h(MS_PASS));
    assert_eq!(blob[..4], 28u32.to_le_bytes(), "a BSTR of 14 UTF-16 units");
    assert_eq!(r::from_utf16le(&blob[4..]).as_deref(), Some(MS_STUB));
}

#[test]
fn the_example_file_decrypts_and_reencrypts_as_the_reference_does() {
    let bytes = common::testdata("example.msrcincident");
    let password = String::from_utf8(common::testdata("example.password")).unwrap();
    let password = password.trim_end();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let lh = attribute(&text, "LHTICKET").unwrap();
    let plain = r::decrypt_lhticket_hex(password, &lh).expect("the reference decrypts it");
    assert!(
        plain.starts_with("<E>") && plain.ends_with("</E>\r\n"),
        "{plain:?}"
    );
    assert_eq!(r::hex_upper(&r::encrypt_lhticket(password, &plain)), lh);

    let invitation = Invitation::from_bytes(&bytes).unwrap();
    let rainv_password = Password::new(password);
    let ticket = invitation.decrypt(&rainv_password).unwrap().unwrap();
    assert_eq!(ticket.text(), plain);
    assert_eq!(LhTicket::encrypt(&plain, &rainv_password).as_hex(), lh);
    let stub = attribute(&text, "PassStub").unwrap();
    assert_eq!(invitation.pass_stub(), Some(stub.as_str()));
    assert_eq!(
        pass_stub::encrypt(&rainv_password, &stub),
        r::pass_stub_hex(password, &stub)
    );
}

// ---------------------------------------------------------------------------------------------
// rainv against the reference on generated inputs
// ---------------------------------------------------------------------------------------------

#[test]
fn pass_blobs_match_the_reference_for_generated_passwords_and_stubs() {
    let mut rng = Rng::new();
    let seed = rng.seed;
    for round in 0..300 {
        let password = rng.password();
        let stub_length = if round % 2 == 0 { 14 } else { rng.below(60) };
        let stub = rng.text(stub_length);
        let context = format!("RAINV_TEST_SEED={seed}: password {password:?}, stub {stub:?}");
        let expected = r::pass_stub_blob(&password, &stub);
        let rainv_password = Password::new(password.as_str());
        assert_eq!(
            h(&pass_stub::encrypt(&rainv_password, &stub)),
            expected,
            "{context}"
        );
        let pass = pass_stub::encrypt(&rainv_password, &stub);
        assert_eq!(pass, r::hex_upper(&expected), "{context}");
        assert!(
            pass_stub::verify(&rainv_password, &stub, &r::hex_upper(&expected)).unwrap(),
            "{context}"
        );
        assert!(pass_stub::verify(&rainv_password, &stub, &pass.to_lowercase()).unwrap());
        // Any changed byte is refused.
        let mut forged = expected.clone();
        let at = rng.below(forged.len());
        forged[at] ^= 1 << rng.below(8);
        assert!(
            !pass_stub::verify(&rainv_password, &stub, &r::hex_upper(&forged)).unwrap(),
            "{context}: byte {at} changed"
        );
        assert!(!pass_stub::verify(&rainv_password, &stub, &r::hex_upper(&forged)).unwrap());
    }
}

#[test]
fn ticket_encryption_matches_the_reference_for_generated_texts() {
    let mut rng = Rng::new();
    let seed = rng.seed;
    for round in 0..400 {
        let password = rng.password();
        // Every length up to 40 characters (80 bytes and more: five blocks and padding
        // blocks), then longer ones.
        let length = if round <= 40 { round } else { rng.below(300) };
        let plaintext = rng.text(length);
        let context = format!("RAINV_TEST_SEED={seed}: password {password:?}, text {plaintext:?}");
        let expected = r::encrypt_lhticket(&password, &plaintext);
        assert_eq!(expected.len(), (r::utf16le(&plaintext).len() / 16 + 1) * 16);
        let rainv_password = Password::new(password.as_str());
        let key = TicketKey::derive(&rainv_password);
        assert_eq!(
            LhTicket::encrypt_with_key(&plaintext, &key).ciphertext(),
            expected,
            "{context}"
        );
        let ticket = LhTicket::encrypt(&plaintext, &rainv_password);
        assert_eq!(ticket.as_hex(), r::hex_upper(&expected), "{context}");
        assert_eq!(ticket.ciphertext(), expected, "{context}");
        assert_eq!(
            LhTicket::encrypt_with_key(&plaintext, &key).as_hex(),
            ticket.as_hex(),
            "{context}"
        );
    }
}

#[test]
fn lhtickets_and_invitations_decrypt_as_the_reference_does() {
    let mut rng = Rng::new();
    let seed = rng.seed;
    let example = String::from_utf8(common::testdata("example.msrcincident")).unwrap();
    let example_lh = attribute(&example, "LHTICKET").unwrap();
    for _ in 0..100 {
        let password = rng.password();
        let text = connection_string(&mut rng);
        let context = format!("RAINV_TEST_SEED={seed}: password {password:?}, text {text:?}");
        let rainv_password = Password::new(password.as_str());
        let hex = r::hex_upper(&r::encrypt_lhticket(&password, &text));
        // As LHTICKET hex, in either case.
        for hex in [hex.clone(), hex.to_lowercase()] {
            let ticket = LhTicket::from_hex(&hex, &Limits::default()).unwrap();
            let decrypted = ticket.decrypt(&rainv_password).expect(&context);
            assert_eq!(decrypted.text(), text, "{context}");
            let key = TicketKey::derive(&rainv_password);
            let decrypted = ticket.decrypt_with_key(&key, &Limits::default()).unwrap();
            assert_eq!(decrypted.text(), text, "{context}");
        }
        // Inside an invitation file.
        let file = example.replace(&example_lh, &hex);
        let invitation = Invitation::from_bytes(file.as_bytes()).expect(&context);
        let decrypted = invitation.decrypt(&rainv_password).expect(&context);
        assert_eq!(decrypted.unwrap().text(), text, "{context}");
    }
}

#[test]
fn invitations_rainv_creates_decrypt_with_the_reference() {
    let mut rng = Rng::new();
    let seed = rng.seed;
    for _ in 0..40 {
        let password = rng.password();
        let context = format!("RAINV_TEST_SEED={seed}: password {password:?}");
        let rainv_password = Password::new(password.as_str());
        let listener = Listener::new(
            format!("10.0.{}.{}", rng.below(256), rng.below(256)),
            1 + rng.below(65535) as u16,
        )
        .unwrap();
        let mut new = NewInvitation::new("novice", vec![listener], 1_795_338_000);
        new.kh = Some(KH.into());
        new.terminal_session = rng.below(4) as u32;
        new.with_rc_ticket = rng.below(2) == 0;
        let invitation = new.build(&rainv_password).expect(&context);
        let layout = [Layout::Windows7, Layout::Windows10][rng.below(2)];
        let text = String::from_utf8(invitation.to_bytes(layout).unwrap()).unwrap();
        let lh = attribute(&text, "LHTICKET").expect("an LHTICKET");
        let plain = r::decrypt_lhticket_hex(&password, &lh).expect(&context);
        assert!(
            plain.starts_with("<E>") && plain.ends_with("</E>\r\n"),
            "{context}: {plain:?}"
        );
        let ticket = invitation.decrypt(&rainv_password).unwrap().unwrap();
        assert_eq!(ticket.text(), plain, "{context}");
        let stub = attribute(&text, "PassStub").expect("a PassStub");
        pass_stub::check_shape(&stub).expect(&context);
        assert!(
            pass_stub::verify(&rainv_password, &stub, &r::pass_stub_hex(&password, &stub)).unwrap(),
            "{context}: stub {stub:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The shared vectors and Windows-made files (../shared)
// ---------------------------------------------------------------------------------------------

fn vectors(name: &str) -> Vec<serde_json::Value> {
    let bytes = common::read_shared("vectors/crypto.json");
    let all: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let list = all[name]
        .as_array()
        .unwrap_or_else(|| panic!("{name}"))
        .clone();
    assert!(!list.is_empty(), "{name} has vectors");
    list
}

fn field<'a>(case: &'a serde_json::Value, name: &str) -> &'a str {
    case[name]
        .as_str()
        .unwrap_or_else(|| panic!("{case}: {name}"))
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn shared_vectors_match_the_reference_and_rainv() {
    for case in vectors("derive_aes_key") {
        let password = field(&case, "password");
        let expected = h(field(&case, "key_hex"));
        assert_eq!(r::ticket_key(password).to_vec(), expected, "{case}");
        let key = TicketKey::derive(&Password::new(password));
        assert_eq!(
            LhTicket::encrypt_with_key(KEY_PROBE, &key).ciphertext(),
            r::encrypt_lhticket_with_key(&expected.clone().try_into().unwrap(), KEY_PROBE),
            "{case}"
        );
    }
    for case in vectors("pass_stub_encrypt") {
        let (password, stub) = (field(&case, "password"), field(&case, "pass_stub"));
        let expected = field(&case, "encrypted_hex");
        assert_eq!(r::pass_stub_hex(password, stub), expected, "{case}");
        assert_eq!(
            pass_stub::encrypt(&Password::new(password), stub),
            expected,
            "{case}"
        );
    }
    for case in vectors("lhticket") {
        let (password, plaintext) = (field(&case, "password"), field(&case, "plaintext"));
        let expected = field(&case, "lhticket_hex");
        let ciphertext = h(expected);
        assert_eq!(
            r::hex_upper(&r::encrypt_lhticket(password, plaintext)),
            expected,
            "{case}"
        );
        assert_eq!(
            r::decrypt_lhticket(password, &ciphertext).as_deref(),
            Some(plaintext)
        );
        let rainv_password = Password::new(password);
        let key = TicketKey::derive(&rainv_password);
        assert_eq!(
            LhTicket::encrypt_with_key(plaintext, &key).ciphertext(),
            ciphertext,
            "{case}"
        );
        assert_eq!(
            LhTicket::encrypt(plaintext, &rainv_password).as_hex(),
            expected
        );
        let ticket = LhTicket::from_hex(expected, &Limits::default()).unwrap();
        assert_eq!(ticket.decrypt(&rainv_password).unwrap().text(), plaintext);
        assert_wrong_password_refused("WRONGPASSWRD", &ciphertext, &format!("{case}"));
    }
}

/// A wrong password gives the reference no text that could be a ticket, and rainv
/// [`Error::WrongPassword`].
fn assert_wrong_password_refused(password: &str, ciphertext: &[u8], context: &str) {
    if let Some(text) = r::decrypt_lhticket(password, ciphertext) {
        assert!(
            !text
                .trim_start_matches('\u{FEFF}')
                .trim_start()
                .starts_with('<'),
            "{context}: the reference decrypts {text:?}"
        );
    }
    let ticket = LhTicket::from_hex(&r::hex_upper(ciphertext), &Limits::default()).unwrap();
    let got = ticket.decrypt(&Password::new(password));
    assert!(
        matches!(got, Err(Error::WrongPassword)),
        "{context}: {got:?}"
    );
}

/// The Windows files, with the PASS values Windows computed (../shared/interop/README.md).
const WINDOWS_FILES: [(&str, &str); 3] = [
    (
        "windows-xp",
        "3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90",
    ),
    (
        "windows7",
        "777DFAAE9028124DD02EDE8014221B4AD1F4EC138539D733AC767895B2D857D9",
    ),
    (
        "windows10",
        "15200496AF33C6E01BBF4A15C9C1B871443F2E93A882352B24080655164E9D3B",
    ),
];

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows_files_match_the_reference_and_rainv() {
    for (name, windows_pass) in WINDOWS_FILES {
        let bytes = common::read_shared(&format!("interop/{name}.msrcincident"));
        let rainv_password = common::shared_password(name);
        let password = rainv_password.expose();
        // Read by hand: XP's file is UTF-16LE after a BOM, the later ones 8-bit.
        let text = match bytes.strip_prefix(&[0xFF, 0xFE]) {
            Some(utf16) => r::from_utf16le(utf16).unwrap(),
            None => String::from_utf8(bytes.clone()).unwrap(),
        };
        let invitation = Invitation::from_bytes(&bytes).unwrap();

        let stub = attribute(&text, "PassStub").unwrap();
        assert_eq!(r::pass_stub_hex(password, &stub), windows_pass, "{name}");
        let rainv_stub = invitation.pass_stub().unwrap();
        assert_eq!(rainv_stub, stub, "{name}");
        assert_eq!(
            pass_stub::encrypt(&rainv_password, rainv_stub),
            windows_pass,
            "{name}"
        );

        let Some(lh) = attribute(&text, "LHTICKET") else {
            assert_eq!(name, "windows-xp", "only XP has no LHTICKET");
            assert!(invitation.decrypt(&rainv_password).unwrap().is_none());
            continue;
        };
        let plain = r::decrypt_lhticket_hex(password, &lh).expect(name);
        assert!(plain.ends_with("</E>\r\n"), "{name}: {plain:?}");
        // Windows' ciphertext is the reference's, byte for byte.
        assert_eq!(
            r::hex_upper(&r::encrypt_lhticket(password, &plain)),
            lh,
            "{name}"
        );
        let ticket = invitation.decrypt(&rainv_password).unwrap().unwrap();
        assert_eq!(ticket.text(), plain, "{name}");
        assert_eq!(
            LhTicket::encrypt(&plain, &rainv_password).as_hex(),
            lh,
            "{name}"
        );
        assert_wrong_password_refused("AAAAAAAAAAAA", &h(&lh), name);
        if name == "windows7" {
            let published =
                String::from_utf8(common::read_shared("interop/windows7.lhticket.txt")).unwrap();
            assert_eq!(plain.trim_end(), published.trim_end());
        }
    }
}
