//! Property tests through the public API: whatever rainv writes, it reads back unchanged.
//!
//! * invitations in every layout: `Invitation::from_bytes(&inv.to_bytes(layout)?) == inv`;
//! * Connection Strings 2: `ConnectionString2::parse(&cs.to_text(), ..) == cs`;
//! * Connection Strings 1: `ConnectionString1::parse(&cs.to_string(), 64) == cs`;
//! * blobs: `ExpertBlob::parse(&blob.to_string()) == blob`, and `blob::parse` of
//!   `blob::format`.
//!
//! Values are made with the checking constructors, which must take every valid value; and
//! from anything at all (names XML does not allow, too many attributes, control characters),
//! where whatever a constructor or writer accepts must still read back equal.

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
    (prop_oneof![ipv4(), computer_name()], port())
        .prop_map(|(host, port)| Address::new(host, port).expect("a valid address"))
}

fn connection_string1() -> impl Strategy<Value = ConnectionString1> {
    (
        prop::collection::vec(cs1_address(), 1..=5),
        base64_of(1..=64),
        base64_of(20),
    )
        .prop_map(|(addresses, session_id, kh)| {
            ConnectionString1::new(addresses, session_id, kh).expect("a valid RCTICKET")
        })
}

fn kh2() -> impl Strategy<Value = Kh2> {
    prop::sample::select(vec![
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ])
    .prop_flat_map(|algorithm| {
        base64_of(algorithm.hash_len())
            .prop_map(move |hash| Kh2::new(algorithm, hash).expect("a valid KH2"))
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
    (address, endpoint).prop_map(|(address, (port, uri))| {
        let listener = match (port, uri) {
            (Some(port), None) => Listener::new(address, port),
            (None, Some(uri)) => Listener::websocket(address, uri),
            (Some(port), Some(uri)) => Listener::new(address, port).map(|mut l| {
                // Windows gives a port or a URI; the reader keeps both when a file has both.
                l.uri = Some(uri);
                l
            }),
            (None, None) => unreachable!(),
        };
        listener.expect("a valid listener")
    })
}

fn transport() -> impl Strategy<Value = Transport> {
    (
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(listener(), 1..=5),
    )
        .prop_map(|(id, session_id, listeners)| Transport::new(id, session_id, listeners))
}

/// Attributes of `<A>` beyond KH, KH2 and ID, as newer Windows adds (CE holds a certificate).
fn extra_attributes() -> impl Strategy<Value = Vec<Attribute>> {
    let names = vec!["CE", "X1", "X2", "Cert", "RC", "z.y-w_v"];
    let count = names.len();
    prop::sample::subsequence(names, 0..=count).prop_flat_map(|names| {
        names
            .into_iter()
            .map(|name| text().prop_map(move |value| Attribute::new(name, value)))
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
        .prop_map(|(kh, kh2, id, extra, transports)| {
            let mut cs = ConnectionString2::new(id, transports).expect("a valid ticket");
            if let Some(kh) = kh {
                cs = cs.with_kh(kh).expect("a valid KH");
            }
            if let Some(kh2) = kh2 {
                cs = cs.with_kh2(kh2).expect("a valid KH2");
            }
            cs.with_extra(extra).expect("valid further attributes")
        })
}

/// Attributes of `<UPLOADDATA>` rainv does not know, kept and written back.
fn unknown_attributes() -> impl Strategy<Value = Vec<Attribute>> {
    let names = vec!["X1", "Foo", "Extra-2", "z.y"];
    let count = names.len();
    prop::sample::subsequence(names, 0..=count).prop_flat_map(|names| {
        names
            .into_iter()
            .map(|name| text().prop_map(move |value| Attribute::new(name, value)))
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
        let mut invitation = Invitation::new(self.username, self.validity);
        invitation.rc_ticket = rc_ticket;
        invitation.lh_ticket = lh_ticket;
        invitation.rc_ticket_encrypted = self.rc_ticket_encrypted;
        invitation.set_pass_stub(self.pass_stub.as_deref());
        invitation.low_speed = self.low_speed;
        invitation.unknown_attributes = self.unknown_attributes;
        invitation
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

// ---------------------------------------------------------------------------------------------
// Anything at all: what a constructor or writer accepts reads back equal
// ---------------------------------------------------------------------------------------------

/// Names of every kind: valid XML names, the known attributes' names, names XML refuses.
fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => "[A-Za-z_][A-Za-z0-9_.-]{0,8}",
        1 => prop::sample::select(vec![
            "USERNAME", "LHTICKET", "RCTICKET", "PassStub", "L", "DtStart", "KH", "ID", "xmlns",
            "x:y", "NAME", "PASS",
        ])
        .prop_map(str::to_string),
        1 => text(),
        1 => ".{0,6}",
    ]
}

/// Text with control characters, NULs and lone line breaks too.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![12 => text(), 1 => ".{0,12}", 1 => "[\\x00-\\x1F]{0,4}"]
}

/// Run `property` on `cases` values; it says whether the writer accepted the value. Both
/// outcomes must be common, or the generator tests nothing.
fn accepted_and_refused<S: Strategy>(strategy: S, property: impl Fn(S::Value) -> bool) {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(CASES));
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..2 * CASES {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        if property(value) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted >= CASES / 8 && refused >= CASES / 8,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn edited_invitations_are_written_only_when_they_read_back() {
    let strategy = (
        fields(),
        any_text(),
        prop_oneof![
            6 => prop::collection::vec((any_name(), any_text()), 0..3),
            1 => prop::collection::vec((any_name(), any_text()), 20..40),
        ],
        connection_string2(),
        any::<[bool; 2]>(),
    );
    accepted_and_refused(strategy, |(fields, username, unknown, cs, [xp, win10])| {
        let lh = LhTicket::encrypt(&cs.to_text(), &Password::new("pw"));
        let mut invitation = if xp {
            fields.invitation(Some(sample_rc()), None)
        } else {
            fields.invitation(None, Some(lh))
        };
        invitation.set_username(&username);
        invitation.unknown_attributes = unknown
            .into_iter()
            .map(|(name, value)| Attribute::new(name, value))
            .collect();
        let layout = match (xp, win10) {
            (true, _) => Layout::Xp,
            (false, true) => Layout::Windows10,
            (false, false) => Layout::Windows7,
        };
        match invitation.to_bytes(layout) {
            Ok(bytes) => {
                assert_eq!(Invitation::from_bytes(&bytes), Ok(invitation));
                true
            }
            Err(e) => {
                assert!(matches!(e, rainv::Error::Write(_)), "{e}");
                false
            }
        }
    });
}

#[test]
fn connection_strings_2_are_made_only_when_they_read_back() {
    let strategy = (
        any_text(),
        prop::collection::vec((any_name(), any_text()), 0..4),
        prop::collection::vec((any_text(), port()), 1..4),
        prop::option::of(any_text()),
    );
    accepted_and_refused(strategy, |(id, extra, listeners, kh)| {
        let made = listeners
            .into_iter()
            .map(|(address, port)| Listener::new(address, port))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|listeners| {
                let id = if id.len() % 2 == 0 {
                    BASE64.encode(&id)
                } else {
                    id
                };
                ConnectionString2::new(id, vec![Transport::new(1, 0, listeners)])
            })
            .and_then(|cs| match kh {
                Some(kh) => cs.with_kh(kh),
                None => Ok(cs),
            })
            .and_then(|cs| {
                cs.with_extra(
                    extra
                        .into_iter()
                        .map(|(n, v)| Attribute::new(n, v))
                        .collect(),
                )
            });
        match made {
            Ok(cs) => {
                let back = ConnectionString2::parse(&cs.to_text(), &Limits::default());
                assert_eq!(back, Ok(cs));
                true
            }
            Err(_) => false,
        }
    });
}

#[test]
fn connection_strings_1_are_made_only_when_they_read_back() {
    let strategy = (
        prop::collection::vec(
            (
                prop_oneof![4 => computer_name(), 4 => ipv4(), 1 => any_text()],
                port(),
            ),
            1..3,
        ),
        prop_oneof![4 => base64_of(1..40), 1 => any_text()],
        prop_oneof![4 => base64_of(20), 1 => any_text()],
    );
    accepted_and_refused(strategy, |(addresses, session_id, kh)| {
        let made = addresses
            .into_iter()
            .map(|(host, port)| Address::new(host, port))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|addresses| ConnectionString1::new(addresses, session_id, kh));
        match made {
            Ok(cs) => {
                assert_eq!(ConnectionString1::parse(&cs.to_string(), 64), Ok(cs));
                true
            }
            Err(_) => false,
        }
    });
}

#[test]
fn blobs_are_made_only_when_they_read_back() {
    use rainv::blob::{self, ExpertBlob, UserHelpBlob};
    // A name with '=' in it cannot be written: it would end the name early.
    let name = prop_oneof![3 => any_name(), 1 => "[A-Z]{0,3}=[a-z=]{0,3}"];
    let strategy = (
        prop::collection::vec((name, any_text()), 0..4),
        any_text(),
        any_text(),
    );
    accepted_and_refused(strategy, |(pairs, a, b)| {
        let expert = ExpertBlob::new(a.as_str(), b.as_str()).unwrap();
        assert_eq!(ExpertBlob::parse(&expert.to_string()), Ok(expert));
        let help = UserHelpBlob::new(a.as_str(), b.as_str()).unwrap();
        assert_eq!(UserHelpBlob::parse(&help.to_string()), Ok(help));
        match blob::format(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))) {
            Ok(text) => {
                let back = blob::parse(&text).unwrap();
                let names: Vec<_> = back
                    .iter()
                    .map(|p| (p.name.clone(), p.value.clone()))
                    .collect();
                assert_eq!(names, pairs);
                true
            }
            Err(_) => false,
        }
    });
}
