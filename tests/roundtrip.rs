//! Property tests through the public API: whatever rainv writes, it reads back unchanged.
//!
//! * invitations in every layout: `Invitation::from_bytes(&inv.to_bytes(layout)?) == inv`;
//! * Connection Strings 2: `ConnectionString2::parse(&cs.to_text(), ..) == cs`;
//! * Connection Strings 1: `ConnectionString1::parse(&cs.to_string(), 64) == cs`.

use std::net::{Ipv4Addr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use proptest::prelude::*;
use rainv::{
    Address, Attribute, ConnectionString1, ConnectionString2, HashAlgorithm, Invitation, Kh2,
    Layout, LhTicket, Limits, Listener, Password, Transport, Validity,
};

const CASES: u32 = 256;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Base64 of `len` random bytes.
fn base64_of(len: impl Into<prop::collection::SizeRange>) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), len).prop_map(|bytes| BASE64.encode(bytes))
}

/// One printable character: letters, digits, symbols and spaces from many scripts and planes
/// (every range here is assigned, with no control or format characters).
fn printable_char() -> impl Strategy<Value = char> {
    const RANGES: &[std::ops::RangeInclusive<char>] = &[
        ' '..='~',
        '\u{A0}'..='\u{17F}', // Latin-1 supplement, Latin Extended-A (incl. NBSP)
        '\u{391}'..='\u{3A1}', // Greek
        '\u{410}'..='\u{44F}', // Cyrillic
        '\u{5D0}'..='\u{5EA}', // Hebrew (right to left)
        '\u{627}'..='\u{64A}', // Arabic (right to left)
        '\u{2010}'..='\u{2027}', // punctuation: dashes, quotes, bullets
        '\u{20A0}'..='\u{20C0}', // currency
        '\u{3041}'..='\u{3096}', // Hiragana
        '\u{4E00}'..='\u{9FFF}', // CJK
        '\u{AC00}'..='\u{D7A3}', // Hangul
        '\u{E000}'..='\u{E0FF}', // private use
        '\u{FF01}'..='\u{FF5E}', // full-width forms
        '\u{1D400}'..='\u{1D454}', // mathematical letters (beyond the BMP)
        '\u{1F600}'..='\u{1F64F}', // emoji (beyond the BMP)
        '\u{20000}'..='\u{2A6DF}', // CJK Extension B (beyond the BMP)
    ];
    prop::char::ranges(RANGES.into())
}

/// Printable Unicode (no control or format characters), mixed with what XML must escape and
/// with line breaks of every kind.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => printable_char().prop_map(String::from),
        1 => "\\PC",
        2 => prop::char::range(' ', '~').prop_map(String::from),
        2 => prop::sample::select(vec![
            "&", "<", ">", "\"", "'", "\n", "\r\n", "\r", "\t", " ", "  ", "&amp;", "&#xA;",
            "]]>", "=\"", "<E/>", "é", "€", "𝄞", "中文",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string())
}

fn ipv6_with_zone() -> impl Strategy<Value = String> {
    (
        any::<[u16; 8]>(),
        prop::option::of(prop_oneof!["[1-9][0-9]{0,2}", "[a-z]{2,5}[0-9]{1,2}"]),
    )
        .prop_map(|(segments, zone)| {
            let address = Ipv6Addr::from(segments).to_string();
            match zone {
                Some(zone) => format!("{address}%{zone}"),
                None => address,
            }
        })
}

/// Computer names, NetBIOS or DNS: letters, digits, '-', '_', '.'.
fn computer_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-][A-Za-z0-9_.-]{0,30}"
}

fn port() -> impl Strategy<Value = u16> {
    1..=65535u16
}

fn cs1_address() -> impl Strategy<Value = Address> {
    (prop_oneof![ipv4(), computer_name()], port()).prop_map(|(host, port)| Address { host, port })
}

fn connection_string1() -> impl Strategy<Value = ConnectionString1> {
    (
        prop::collection::vec(cs1_address(), 1..=5),
        base64_of(1..=64),
        base64_of(20),
    )
        .prop_map(|(addresses, session_id, kh)| ConnectionString1 {
            addresses,
            session_id,
            kh,
        })
}

fn kh2() -> impl Strategy<Value = Kh2> {
    prop::sample::select(vec![
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ])
    .prop_flat_map(|algorithm| {
        base64_of(algorithm.hash_len()).prop_map(move |hash| Kh2 { algorithm, hash })
    })
}

fn uri() -> impl Strategy<Value = String> {
    prop_oneof![
        "(wss|https|tcp)://[a-z0-9.-]{1,20}(:[0-9]{1,5})?/[A-Za-z0-9/_.?=&%~-]{0,24}",
        text().prop_filter("a URI is not empty", |t| !t.is_empty()),
    ]
}

fn listener() -> impl Strategy<Value = Listener> {
    let address = prop_oneof![ipv4(), ipv6_with_zone(), computer_name()];
    let endpoint = prop_oneof![
        port().prop_map(|p| (Some(p), None)),
        uri().prop_map(|u| (None, Some(u))),
        (port(), uri()).prop_map(|(p, u)| (Some(p), Some(u))),
    ];
    (address, endpoint).prop_map(|(address, (port, uri))| Listener { address, port, uri })
}

fn transport() -> impl Strategy<Value = Transport> {
    (
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(listener(), 1..=5),
    )
        .prop_map(|(id, session_id, listeners)| Transport {
            id,
            session_id,
            listeners,
        })
}

/// Attributes of `<A>` beyond KH, KH2 and ID, as newer Windows adds (CE holds a certificate).
fn extra_attributes() -> impl Strategy<Value = Vec<Attribute>> {
    let names = vec!["CE", "X1", "X2", "Cert", "RC", "z.y-w_v"];
    let count = names.len();
    prop::sample::subsequence(names, 0..=count).prop_flat_map(|names| {
        names
            .into_iter()
            .map(|name| {
                text().prop_map(move |value| Attribute {
                    name: name.to_string(),
                    value,
                })
            })
            .collect::<Vec<_>>()
    })
}

fn connection_string2() -> impl Strategy<Value = ConnectionString2> {
    (
        prop::option::of(base64_of(20)),
        prop::option::of(kh2()),
        base64_of(1..=64),
        extra_attributes(),
        prop::collection::vec(transport(), 1..=3),
    )
        .prop_map(|(kh, kh2, id, extra, transports)| ConnectionString2 {
            kh,
            kh2,
            id,
            extra,
            transports,
        })
}

/// Attributes of `<UPLOADDATA>` rainv does not know, kept and written back.
fn unknown_attributes() -> impl Strategy<Value = Vec<Attribute>> {
    let names = vec!["X1", "Foo", "Extra-2", "z.y"];
    let count = names.len();
    prop::sample::subsequence(names, 0..=count).prop_flat_map(|names| {
        names
            .into_iter()
            .map(|name| {
                text().prop_map(move |value| Attribute {
                    name: name.to_string(),
                    value,
                })
            })
            .collect::<Vec<_>>()
    })
}

/// Everything an invitation holds apart from its tickets.
#[derive(Debug, Clone)]
struct Fields {
    username: String,
    rc_ticket_encrypted: bool,
    validity: Validity,
    pass_stub: Option<String>,
    low_speed: bool,
    unknown_attributes: Vec<Attribute>,
}

impl Fields {
    fn invitation(
        self,
        rc_ticket: Option<ConnectionString1>,
        lh_ticket: Option<LhTicket>,
    ) -> Invitation {
        Invitation {
            username: self.username,
            rc_ticket,
            lh_ticket,
            rc_ticket_encrypted: self.rc_ticket_encrypted,
            validity: self.validity,
            pass_stub: self.pass_stub,
            low_speed: self.low_speed,
            unknown_attributes: self.unknown_attributes,
        }
    }
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        text(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        prop::option::of(prop_oneof![
            "[A-Za-z0-9*_]{2}[!@#$&^*()+=-][0-9][A-Z][a-z][A-Za-z0-9*_]{8}",
            text(),
        ]),
        any::<bool>(),
        unknown_attributes(),
    )
        .prop_map(
            |(username, rc_ticket_encrypted, start, length, pass_stub, low_speed, unknown)| {
                Fields {
                    username,
                    rc_ticket_encrypted,
                    validity: Validity::new(start, length),
                    pass_stub,
                    low_speed,
                    unknown_attributes: unknown,
                }
            },
        )
}

fn password() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z0-9]{12}",
        prop::collection::vec(printable_char(), 0..16).prop_map(String::from_iter),
    ]
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn xp_invitations_round_trip(fields in fields(), rc in connection_string1()) {
        let invitation = fields.invitation(Some(rc), None);
        let bytes = invitation.to_bytes(Layout::Xp).unwrap();
        prop_assert_eq!(&bytes[..2], &[0xFF, 0xFE][..]);
        let back = Invitation::from_bytes(&bytes);
        prop_assert_eq!(back, Ok(invitation));
    }

    #[test]
    fn vista_invitations_round_trip(
        fields in fields(),
        rc in prop::option::of(connection_string1()),
        cs in connection_string2(),
        password in password(),
        windows10 in any::<bool>(),
    ) {
        let password = Password::new(password);
        let text = cs.to_text();
        let invitation = fields.invitation(rc, Some(LhTicket::encrypt(&text, &password)));
        let layout = if windows10 { Layout::Windows10 } else { Layout::Windows7 };
        let bytes = invitation.to_bytes(layout).unwrap();
        let back = Invitation::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&back, &invitation);
        // The ticket inside decrypts to the same Connection String 2.
        let ticket = back.decrypt(&password).unwrap().unwrap();
        prop_assert_eq!(ticket.text(), text.as_str());
        prop_assert_eq!(ticket.connection(), &cs);
    }

    #[test]
    fn connection_strings_2_round_trip(cs in connection_string2()) {
        let text = cs.to_text();
        let back = ConnectionString2::parse(&text, &Limits::default());
        prop_assert_eq!(back, Ok(cs));
    }

    #[test]
    fn connection_strings_1_round_trip(cs in connection_string1()) {
        let text = cs.to_string();
        prop_assert_eq!(ConnectionString1::parse(&text, 64), Ok(cs));
    }
}

// ---------------------------------------------------------------------------------------------
// The layouts' requirements
// ---------------------------------------------------------------------------------------------

fn sample_rc() -> ConnectionString1 {
    ConnectionString1::parse(
        "65538,1,172.31.243.138:3389;MIKE_HOME:3389,*,\
         Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,RcfwecK8dpcT1fjZ6iQ5M0+q7iU=",
        64,
    )
    .unwrap()
}

fn sample_fields() -> Fields {
    Fields {
        username: "jeff".into(),
        rc_ticket_encrypted: true,
        validity: Validity::new(1_160_080_069, 60),
        pass_stub: Some("o2*5GdBARK_JBB".into()),
        low_speed: false,
        unknown_attributes: Vec::new(),
    }
}

#[test]
fn xp_needs_an_rcticket_and_no_lhticket() {
    let lh = LhTicket::encrypt("<E/>\r\n", &Password::new("x"));
    let with_lh = sample_fields().invitation(Some(sample_rc()), Some(lh));
    assert!(matches!(
        with_lh.to_bytes(Layout::Xp),
        Err(rainv::Error::Write(_))
    ));
    let without_rc = sample_fields().invitation(None, None);
    assert!(matches!(
        without_rc.to_bytes(Layout::Xp),
        Err(rainv::Error::Write(_))
    ));
}

#[test]
fn vista_layouts_need_an_lhticket() {
    let xp = sample_fields().invitation(Some(sample_rc()), None);
    for layout in [Layout::Windows7, Layout::Windows10] {
        assert!(matches!(xp.to_bytes(layout), Err(rainv::Error::Write(_))));
    }
}
