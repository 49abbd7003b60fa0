//! Files made by Windows XP, 7 and 10 (from ../shared/interop): read, decrypt, PassStub,
//! byte-exact re-encryption and byte-exact re-writing.

mod common;

use rainv::{Document, Generation, Invitation, Layout, LhTicket, Password, pass_stub};

struct Case {
    name: &'static str,
    layout: Layout,
    pass: &'static str,
}

const CASES: [Case; 3] = [
    Case {
        name: "windows-xp",
        layout: Layout::Xp,
        pass: "3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90",
    },
    Case {
        name: "windows7",
        layout: Layout::Windows7,
        pass: "777DFAAE9028124DD02EDE8014221B4AD1F4EC138539D733AC767895B2D857D9",
    },
    Case {
        name: "windows10",
        layout: Layout::Windows10,
        pass: "15200496AF33C6E01BBF4A15C9C1B871443F2E93A882352B24080655164E9D3B",
    },
];

fn load(name: &str) -> (Vec<u8>, Password) {
    let bytes = common::read_shared(&format!("interop/{name}.msrcincident"));
    (bytes, common::shared_password(name))
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn every_windows_file_opens_and_rewrites_byte_for_byte() {
    for case in CASES {
        let (bytes, password) = load(case.name);
        let invitation =
            Invitation::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let rewritten = invitation.to_bytes(case.layout).unwrap();
        assert!(
            rewritten == bytes,
            "{}: rewriting changed the bytes",
            case.name
        );
        // The expert's PASS value matches what Windows computed.
        let stub = invitation.pass_stub().unwrap();
        assert_eq!(
            pass_stub::encrypt(&password, stub),
            case.pass,
            "{}",
            case.name
        );
        assert!(invitation.rc_ticket_encrypted);
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows_xp_file() {
    let (bytes, _) = load("windows-xp");
    assert_eq!(&bytes[..2], &[0xFF, 0xFE], "XP files are UTF-16LE with BOM");
    let inv = Invitation::from_bytes(&bytes).unwrap();
    assert_eq!(inv.generation(), Generation::Xp);
    assert_eq!(inv.username(), "Administrator");
    let rc = inv.rc_ticket.as_ref().unwrap();
    let hosts: Vec<String> = rc.addresses().map(|a| a.to_string()).collect();
    assert_eq!(hosts, ["10.0.3.105:3389", "winxpsp3.contoso3.com:3389"]);
    assert_eq!(rc.kh(), "IuaRySSbPDNna4+2mKcsKxsbJFI=");
    assert_eq!(
        (inv.validity.start, inv.validity.length_minutes),
        (1314905741, 180)
    );
    assert_eq!(inv.pass_stub(), Some("RT=0PvIndan52*"));
    assert!(!inv.low_speed);
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows_xp_file_resaved_as_8_bit_still_reads() {
    let (bytes, _) = load("windows-xp");
    let text = String::from_utf16(
        &bytes[2..]
            .chunks(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(text.contains("encoding=\"Unicode\""));
    let original = Invitation::from_bytes(&bytes).unwrap();
    assert_eq!(Invitation::from_bytes(text.as_bytes()).unwrap(), original);
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows7_file_decrypts_to_its_published_plaintext() {
    let (bytes, password) = load("windows7");
    let expected = common::read_shared("interop/windows7.lhticket.txt");
    let inv = Invitation::from_bytes(&bytes).unwrap();
    assert_eq!(inv.generation(), Generation::Vista);
    let ticket = inv.decrypt(&password).unwrap().unwrap();
    let expected = String::from_utf8(expected).unwrap();
    assert_eq!(ticket.text().trim_end(), expected.trim_end());
    assert!(ticket.text().ends_with("\r\n"));
    let cs = ticket.connection();
    let listeners: Vec<(String, Option<u16>)> = cs
        .listeners()
        .map(|l| (l.address.to_string(), l.port))
        .collect();
    assert_eq!(
        listeners[0],
        ("fe80::1032:53d9:5a01:909b%3".to_string(), Some(49228))
    );
    assert_eq!(listeners.len(), 4);
    // RCTICKET and LHTICKET agree: same session, same key hash, IPv4 listeners.
    let rc = inv.rc_ticket.as_ref().unwrap();
    assert_eq!(rc.session_id(), cs.id());
    assert_eq!(Some(rc.kh()), cs.kh());
    assert_eq!(
        rc.addresses().next().unwrap().to_string(),
        "192.168.1.200:49230"
    );
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn borrowed_listeners_and_transports_equal_their_owned_copies() {
    for name in ["windows7", "windows10"] {
        let (bytes, password) = load(name);
        let inv = Invitation::from_bytes(&bytes).unwrap();
        let ticket = inv.decrypt(&password).unwrap().unwrap();
        let cs = ticket.connection();
        let owned: Vec<rainv::Transport> = cs.transports().map(rainv::Transport::from).collect();
        assert_eq!(cs.transports().len(), owned.len(), "{name}");
        for (view, transport) in cs.transports().zip(&owned) {
            assert_eq!(view, *transport, "{name}");
            assert_eq!(*transport, view, "{name}");
        }
        let listeners: Vec<rainv::Listener> = owned.into_iter().flat_map(|t| t.listeners).collect();
        assert_eq!(cs.listeners().len(), listeners.len(), "{name}");
        for (view, listener) in cs.listeners().zip(&listeners) {
            assert_eq!(view, *listener, "{name}");
            assert_eq!(*listener, view, "{name}");
            assert_eq!(rainv::Listener::from(view), *listener, "{name}");
        }
        let rebuilt = rainv::ConnectionString2::parse(&cs.to_text(), &rainv::Limits::default());
        assert_eq!(rebuilt.as_ref(), Ok(cs), "{name}");
        let debug = format!("{cs:?}");
        assert!(!debug.contains(cs.id()), "{name}: {debug}");
        assert!(debug.contains(listeners[0].address.as_str()), "{name}");
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn vista_tickets_reencrypt_to_windows_bytes() {
    for name in ["windows7", "windows10"] {
        let (bytes, password) = load(name);
        let inv = Invitation::from_bytes(&bytes).unwrap();
        let original = inv.lh_ticket.as_ref().unwrap();
        let ticket = original.decrypt(&password).unwrap();
        // From the exact decrypted text...
        assert_eq!(
            LhTicket::encrypt(ticket.text(), &password),
            *original,
            "{name}"
        );
        // ...and from the parsed model formatted back: rainv writes Windows' layout.
        let formatted = ticket.connection().to_text();
        assert_eq!(
            LhTicket::encrypt(&formatted, &password),
            *original,
            "{name} (model)"
        );
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows10_ticket_keeps_extra_attributes_and_ipv6_zones() {
    let (bytes, password) = load("windows10");
    let inv = Invitation::from_bytes(&bytes).unwrap();
    assert!(inv.rc_ticket.is_none());
    assert_eq!(inv.validity.length_minutes, 360);
    let ticket = inv.decrypt(&password).unwrap().unwrap();
    let cs = ticket.connection();
    assert!(cs.kh2().is_some());
    let ce = cs
        .extra()
        .iter()
        .find(|a| a.name == "CE")
        .expect("CE attribute kept");
    assert!(
        ce.value.contains('\n'),
        "&#xA; references decode to line breaks"
    );
    assert!(
        cs.listeners()
            .any(|l| l.address == "fe80::b31a:3308:6b91:8831%3")
    );
    assert_eq!(cs.listeners().next_back().unwrap().address, "10.0.1.174");
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn wrong_password_is_an_error() {
    for name in ["windows7", "windows10"] {
        let (bytes, _) = load(name);
        let inv = Invitation::from_bytes(&bytes).unwrap();
        let result = inv.decrypt(&Password::new("AAAAAAAAAAAA"));
        assert!(
            matches!(result, Err(rainv::Error::WrongPassword)),
            "{name}: {result:?}"
        );
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn read_reports_the_document_kind() {
    let (bytes, _) = load("windows10");
    assert!(matches!(
        rainv::read(&bytes, &rainv::Limits::default()),
        Ok(Document::Invitation(_))
    ));
}
