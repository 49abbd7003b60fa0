//! Connection String 1, the plain-text RCTICKET (MS-RAI 2.2.1).
//!
//! `65538,1,<host:port;...>,*,<RASessionID>,*,*,<KH>`: eight comma-separated fields. XP files
//! carry only this; Windows 7 adds it beside the LHTICKET for XP experts.

use std::fmt;

use crate::error::{Error, Result, quote_value};
use crate::scan;

/// The only protocol version MS-RAI defines.
pub(crate) const PROTOCOL_VERSION: &str = "65538";
/// The only protocol type MS-RAI defines.
pub(crate) const PROTOCOL_TYPE: &str = "1";

/// One `host:port` entry of the machine address list. Made by [`Address::new`] or
/// [`Address::parse`], which hold it to MS-RAI's rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Address {
    /// An IPv4 address or a computer name.
    pub host: String,
    /// The TCP port, never 0.
    pub port: u16,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl Address {
    /// An IPv4 address or computer name and a port from 1 to 65535.
    pub fn new(host: impl Into<String>, port: u16) -> Result<Address> {
        let host = host.into();
        validate_host(&host)?;
        let port = parse_port(&port.to_string()).map_err(Error::RcTicket)?;
        Ok(Address { host, port })
    }

    /// Parse `host:port`, with the rules of MS-RAI: an IPv4 address or computer name, and a
    /// port from 1 to 65535.
    pub fn parse(text: &str) -> Result<Address> {
        // The last colon, as `rsplit_once` finds it, without its call to `memrchr` (an
        // address is a few tens of bytes).
        let colon = text.bytes().rposition(|b| b == b':').ok_or_else(|| {
            Error::RcTicket(format!("address \"{}\" has no :port", quote_value(text)))
        })?;
        let (host, port) = (&text[..colon], &text[colon + 1..]);
        validate_host(host)?;
        Ok(Address {
            host: host.to_string(),
            port: parse_port(port).map_err(Error::RcTicket)?,
        })
    }
}

/// Parse a decimal TCP port from 1 to 65535.
#[inline]
pub(crate) fn parse_port(text: &str) -> std::result::Result<u16, String> {
    if (1..=5).contains(&text.len()) {
        // Digits checked and folded in one pass, without the standard library's parser; the
        // error is built only out of line. Five bytes of up to 255 each cannot overflow a u32.
        let (port, digits) = text.bytes().fold((0u32, true), |(n, digits), b| {
            let digit = b.wrapping_sub(b'0');
            (n * 10 + u32::from(digit), digits & (digit < 10))
        });
        if digits && (1..=65535).contains(&port) {
            return Ok(port as u16);
        }
    }
    Err(port_error(text))
}

#[cold]
fn port_error(text: &str) -> String {
    format!(
        "port \"{}\" is not a number from 1 to 65535",
        quote_value(text)
    )
}

fn validate_host(host: &str) -> Result<()> {
    // Computer names (NetBIOS or DNS) and dotted IPv4 addresses: letters, digits, '-', '_', '.'.
    const HOST_BYTES: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
            b += 1;
        }
        table
    };
    let valid = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .fold(true, |all, b| all & HOST_BYTES[usize::from(b)]);
    if valid {
        Ok(())
    } else {
        Err(Error::RcTicket(format!(
            "host \"{}\" is neither an IPv4 address nor a computer name",
            quote_value(host)
        )))
    }
}

/// A Connection String 1 (RCTICKET). Made by [`ConnectionString1::new`] or
/// [`ConnectionString1::parse`]. Its `Debug` output leaves out the session ID.
///
/// It keeps its text as written (`65538,1,<addresses>,*,<RASessionID>,*,*,<KH>`) in one
/// string, and its accessors borrow from it: reading an RCTICKET makes one allocation,
/// whatever the number of addresses.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString1 {
    /// The text in the form `Display` writes (ports without leading zeros), so that equal
    /// texts are equal tickets.
    text: String,
    /// Where the address list ends (it starts after `65538,1,`).
    list_end: usize,
    /// Where the session ID ends (it starts after the list's `,*,`; the KH after `,*,*,`).
    session_id_end: usize,
    /// The number of addresses, at least one.
    count: usize,
}

/// Where the address list starts: after `65538,1,`.
const LIST_START: usize = PROTOCOL_VERSION.len() + PROTOCOL_TYPE.len() + 2;

/// One address of a [`ConnectionString1`], borrowed from it; `Address::from` makes an owned
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AddressRef<'a> {
    /// An IPv4 address or a computer name.
    pub host: &'a str,
    /// The TCP port, never 0.
    pub port: u16,
}

impl From<AddressRef<'_>> for Address {
    fn from(address: AddressRef<'_>) -> Address {
        Address {
            host: address.host.to_string(),
            port: address.port,
        }
    }
}

impl fmt::Display for AddressRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl PartialEq<Address> for AddressRef<'_> {
    fn eq(&self, other: &Address) -> bool {
        self.host == other.host && self.port == other.port
    }
}

impl PartialEq<AddressRef<'_>> for Address {
    fn eq(&self, other: &AddressRef<'_>) -> bool {
        other == self
    }
}

/// The addresses of a [`ConnectionString1`], in the order to try
/// ([`ConnectionString1::addresses`]).
#[derive(Debug, Clone)]
pub struct Addresses<'a> {
    /// The rest of the list, its entries already checked.
    rest: &'a str,
    left: usize,
}

impl<'a> Iterator for Addresses<'a> {
    type Item = AddressRef<'a>;

    fn next(&mut self) -> Option<AddressRef<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let end = scan::find(self.rest.as_bytes(), 0, b';').unwrap_or(self.rest.len());
        let entry = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or("");
        let colon = entry.bytes().rposition(|b| b == b':').unwrap_or(0);
        // Checked when the ticket was made: digits, 1 to 65535, no leading zero.
        let port = entry.as_bytes()[colon + 1..].iter().fold(0u16, |n, b| {
            n.wrapping_mul(10).wrapping_add(u16::from(b - b'0'))
        });
        Some(AddressRef {
            host: &entry[..colon],
            port,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Addresses<'_> {}

impl std::fmt::Debug for ConnectionString1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionString1")
            .field("addresses", &self.addresses().collect::<Vec<_>>())
            .field("session_id", &crate::crypto::Redacted)
            .field("kh", &self.kh())
            .finish()
    }
}

impl ConnectionString1 {
    /// An RCTICKET for `addresses` (at least one), with the session ID and KH (base64 of 20
    /// bytes), checked as the reader checks one.
    pub fn new(
        addresses: Vec<Address>,
        session_id: impl Into<String>,
        kh: impl Into<String>,
    ) -> Result<ConnectionString1> {
        let (session_id, kh) = (session_id.into(), kh.into());
        let mut text = format!("{PROTOCOL_VERSION},{PROTOCOL_TYPE},");
        for (i, address) in addresses.iter().enumerate() {
            if i > 0 {
                text.push(';');
            }
            text.push_str(&address.to_string());
        }
        text.push_str(&format!(",*,{session_id},*,*,{kh}"));
        let ticket = ConnectionString1::parse(&text, usize::MAX)?;
        let same = ticket.addresses().eq(addresses.iter().map(|a| AddressRef {
            host: &a.host,
            port: a.port,
        })) && ticket.session_id() == session_id
            && ticket.kh() == kh;
        if !same {
            return Err(Error::Write(
                "this RCTICKET would not read back as written".into(),
            ));
        }
        Ok(ticket)
    }

    /// Where the expert connects, in the order to try (at least one).
    pub fn addresses(&self) -> Addresses<'_> {
        Addresses {
            rest: &self.text[LIST_START..self.list_end],
            left: self.count,
        }
    }

    /// RASessionID, base64 (32 bytes on XP; the Connection String 2 ID on Vista and later).
    pub fn session_id(&self) -> &str {
        &self.text[self.list_end + 3..self.session_id_end]
    }

    /// protocolSpecificParms: base64 SHA-1 of the novice's RDP public key blob (the KH).
    pub fn kh(&self) -> &str {
        &self.text[self.session_id_end + 5..]
    }

    /// The ticket's text, as `Display` writes it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parse and validate an RCTICKET, allowing at most `max_addresses` addresses.
    pub fn parse(text: &str, max_addresses: usize) -> Result<ConnectionString1> {
        // The commas, found in one pass a word at a time (every flagged byte is one); a ninth
        // field means too many.
        let bytes = text.as_bytes();
        let mut commas = [0usize; 8];
        let mut found = 0;
        let mut at = 0;
        while let Some(word) = scan::word_at(bytes, at) {
            let mut mask = scan::equal(word, b',');
            while mask != 0 && found < 8 {
                commas[found] = at + scan::first(mask);
                found += 1;
                mask &= mask - 1;
            }
            at += 8;
        }
        for (i, &b) in bytes[at.min(bytes.len())..].iter().enumerate() {
            if b == b',' && found < 8 {
                commas[found] = at + i;
                found += 1;
            }
        }
        // Fields: one more than the commas, "more" past eight.
        let count = if found == 8 { 9 } else { found + 1 };
        let mut fields = [""; 8];
        if count == 8 {
            let mut start = 0;
            for (field, &comma) in fields.iter_mut().zip(&commas[..7]) {
                *field = &text[start..comma];
                start = comma + 1;
            }
            fields[7] = &text[start..];
        }
        if count != 8 {
            return Err(Error::RcTicket(format!(
                "expected 8 comma-separated fields, found {}",
                if count > 8 {
                    "more".to_string()
                } else {
                    count.to_string()
                }
            )));
        }
        if fields[0] != PROTOCOL_VERSION {
            return Err(Error::RcTicket(format!(
                "protocol version is \"{}\", expected 65538",
                quote_value(fields[0])
            )));
        }
        if fields[1] != PROTOCOL_TYPE {
            return Err(Error::RcTicket(format!(
                "protocol type is \"{}\", expected 1",
                quote_value(fields[1])
            )));
        }
        for (index, name) in [
            (3, "assistantAccountPwd"),
            (5, "RASessionName"),
            (6, "RASessionPwd"),
        ] {
            if fields[index] != "*" {
                return Err(Error::RcTicket(format!(
                    "field {} ({name}) must be \"*\"",
                    index + 1
                )));
            }
        }
        let list = fields[2];
        let mut count = 0;
        // Whether every port is written as `Display` writes it (no leading zero).
        let mut canonical = true;
        let mut start = 0;
        loop {
            if count >= max_addresses {
                return Err(Error::Limit(format!(
                    "more than {max_addresses} addresses in RCTICKET"
                )));
            }
            let end = scan::find(list.as_bytes(), start, b';');
            let port = check_address(&list[start..end.unwrap_or(list.len())])?;
            canonical &= !port.starts_with('0');
            count += 1;
            match end {
                Some(semicolon) => start = semicolon + 1,
                None => break,
            }
        }
        let session_id = fields[4];
        check_base64(session_id, "RASessionID", None)?;
        let kh = fields[7];
        check_base64(kh, "protocolSpecificParms (KH)", Some(20))?;
        let (text, list_end) = if canonical {
            // The fixed fields were checked to be as `Display` writes them.
            (text.to_string(), LIST_START + list.len())
        } else {
            let mut canonical = String::with_capacity(text.len());
            canonical.push_str(&text[..LIST_START]);
            for (i, entry) in list.split(';').enumerate() {
                if i > 0 {
                    canonical.push(';');
                }
                let colon = entry.bytes().rposition(|b| b == b':').unwrap_or(0);
                let port = parse_port(&entry[colon + 1..]).map_err(Error::RcTicket)?;
                canonical.push_str(&entry[..=colon]);
                canonical.push_str(&port.to_string());
            }
            let list_end = canonical.len();
            canonical.push_str(&text[LIST_START + list.len()..]);
            (canonical, list_end)
        };
        Ok(ConnectionString1 {
            text,
            list_end,
            session_id_end: list_end + 3 + session_id.len(),
            count,
        })
    }
}

/// Check one `host:port` entry as [`Address::parse`] does, without making the address;
/// returns the port's text.
fn check_address(text: &str) -> Result<&str> {
    let colon = text.bytes().rposition(|b| b == b':').ok_or_else(|| {
        Error::RcTicket(format!("address \"{}\" has no :port", quote_value(text)))
    })?;
    let (host, port) = (&text[..colon], &text[colon + 1..]);
    validate_host(host)?;
    parse_port(port).map_err(Error::RcTicket)?;
    Ok(port)
}

fn check_base64(value: &str, what: &str, length: Option<usize>) -> Result<()> {
    crate::connection_string2::check_base64_as(value, what, length, Error::RcTicket)
}

impl fmt::Display for ConnectionString1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = "65538,1,172.31.243.138:3389;MIKE_HOME:3389,*,\
        Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,RcfwecK8dpcT1fjZ6iQ5M0+q7iU=";

    #[test]
    fn a_bad_port_says_which_and_what_a_port_is() {
        for text in ["0", "65536", "33a9", "", "123456"] {
            assert_eq!(
                parse_port(text),
                Err(format!("port \"{text}\" is not a number from 1 to 65535")),
                "{text}"
            );
        }
        let error = ConnectionString1::parse("65538,1,jeff_xp:0,*,AAAA,*,*,AAAA", 64).unwrap_err();
        assert!(
            error.to_string().contains("port \"0\" is not a number"),
            "{error}"
        );
    }

    #[test]
    fn a_borrowed_address_equals_the_owned_one_with_its_host_and_port() {
        let owned = |host: &str, port| Address {
            host: host.into(),
            port,
        };
        let borrowed = AddressRef {
            host: "jeff_xp",
            port: 3389,
        };
        assert!(borrowed == owned("jeff_xp", 3389));
        assert!(owned("jeff_xp", 3389) == borrowed);
        for other in [
            owned("jeff_xp", 3390),
            owned("jeff_XP", 3389),
            owned("x", 1),
        ] {
            assert!(borrowed != other, "{other}");
            assert!(other != borrowed, "{other}");
        }
        assert_eq!(Address::from(borrowed), owned("jeff_xp", 3389));
    }

    #[test]
    fn parses_the_spec_example_and_formats_it_back() {
        let cs = ConnectionString1::parse(SPEC_EXAMPLE, 64).unwrap();
        assert_eq!(
            cs.addresses().map(Address::from).collect::<Vec<_>>(),
            vec![
                Address {
                    host: "172.31.243.138".into(),
                    port: 3389
                },
                Address {
                    host: "MIKE_HOME".into(),
                    port: 3389
                },
            ]
        );
        assert_eq!(
            cs.session_id(),
            "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc="
        );
        assert_eq!(cs.kh(), "RcfwecK8dpcT1fjZ6iQ5M0+q7iU=");
        assert_eq!(cs.addresses().len(), 2);
        assert_eq!(cs.as_str(), SPEC_EXAMPLE);
        assert_eq!(cs.to_string(), SPEC_EXAMPLE);
    }

    proptest::proptest! {
        /// The addresses kept in the ticket's one string are those `Address::parse` makes of
        /// each entry, ports written with leading zeros included, and the text is `Display`'s.
        #[test]
        fn addresses_are_those_of_each_entry(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(&["10.0.0.1", "host", "MIKE_HOME", "a.b-c"][..]),
                    1..=65535u16,
                    0..3usize,
                ),
                1..5,
            ),
        ) {
            let list: Vec<String> = entries
                .iter()
                .map(|(host, port, zeros)| format!("{host}:{}{port}", "0".repeat(*zeros)))
                .filter(|entry| entry.len() - entry.rfind(':').unwrap() <= 6)
                .collect();
            proptest::prop_assume!(!list.is_empty());
            let text = format!(
                "65538,1,{},*,Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,\
                 RcfwecK8dpcT1fjZ6iQ5M0+q7iU=",
                list.join(";")
            );
            let cs = ConnectionString1::parse(&text, 64).unwrap();
            let expected: Vec<Address> =
                list.iter().map(|entry| Address::parse(entry).unwrap()).collect();
            proptest::prop_assert_eq!(cs.addresses().map(Address::from).collect::<Vec<_>>(), expected.clone());
            proptest::prop_assert_eq!(cs.addresses().len(), expected.len());
            let formatted = expected.iter().map(ToString::to_string).collect::<Vec<_>>().join(";");
            proptest::prop_assert_eq!(cs.to_string(), text.replace(&list.join(";"), &formatted));
            proptest::prop_assert_eq!(cs.session_id(), "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=");
            proptest::prop_assert_eq!(cs.kh(), "RcfwecK8dpcT1fjZ6iQ5M0+q7iU=");
            let again = ConnectionString1::new(expected, cs.session_id(), cs.kh()).unwrap();
            proptest::prop_assert_eq!(again, cs);
        }
    }

    proptest::proptest! {
        /// The fields are those `split(',')` gives: a text of eight is read field by field
        /// (and the spec example's fields put back read back), any other count is refused as
        /// such, whatever the commas' places within the words the scan reads.
        #[test]
        fn fields_are_those_split_gives(pieces in proptest::collection::vec("[,*1a]{0,9}", 1..12)) {
            let text = pieces.concat();
            let fields: Vec<&str> = text.split(',').collect();
            let refused_for_count = match ConnectionString1::parse(&text, 64) {
                Err(Error::RcTicket(message)) => message.starts_with("expected 8 comma-separated"),
                _ => false,
            };
            proptest::prop_assert_eq!(refused_for_count, fields.len() != 8, "{}", text);
            if fields.len() == 8 {
                let spec: Vec<&str> = SPEC_EXAMPLE.split(',').collect();
                let mut mixed = spec.clone();
                mixed[3] = fields[3];
                let mixed = mixed.join(",");
                let parsed = ConnectionString1::parse(&mixed, 64);
                proptest::prop_assert_eq!(parsed.is_ok(), fields[3] == "*", "{}", mixed);
            }
        }
    }

    /// `parse_port` agrees with the standard library's parser held to 1 to 65535 and at most
    /// five ASCII digits, on every string of up to five characters from an alphabet with its
    /// edge cases.
    #[test]
    fn ports_agree_with_the_standard_parser() {
        let alphabet = [
            '0', '1', '5', '6', '9', ':', '/', '+', '-', ' ', 'a', '\u{660}',
        ];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().unwrap().chars().count())
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for extra in [
            "65535",
            "65536",
            "99999",
            "00001",
            "0",
            "00000",
            "100000",
            "4294967297",
        ] {
            texts.push(extra.to_string());
        }
        for text in &texts {
            let expected = (text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u16>().ok())
                .flatten()
                .filter(|&p| p != 0);
            assert_eq!(parse_port(text).ok(), expected, "{text:?}");
        }
    }

    #[test]
    fn enforces_the_spec_rules() {
        let bad = [
            SPEC_EXAMPLE.replace("65538,", "65537,"),
            SPEC_EXAMPLE.replace("65538,1,", "65538,2,"),
            SPEC_EXAMPLE.replace(",*,Uj7", ",x,Uj7"),
            SPEC_EXAMPLE.replace(":3389;", ":0;"),
            SPEC_EXAMPLE.replace(":3389;", ":70000;"),
            SPEC_EXAMPLE.replace(":3389;", ";"),
            SPEC_EXAMPLE.replace("MIKE_HOME", "bad host"),
            SPEC_EXAMPLE.replace("RcfwecK8", "!!!"),
            SPEC_EXAMPLE.replace("RcfwecK8dpcT1fjZ6iQ5M0+q7iU=", "AAAA"),
            format!("{SPEC_EXAMPLE},extra"),
            "65538,1".to_string(),
        ];
        for text in bad {
            assert!(ConnectionString1::parse(&text, 64).is_err(), "{text}");
        }
        assert!(matches!(
            ConnectionString1::parse(SPEC_EXAMPLE, 1),
            Err(Error::Limit(_))
        ));
    }
}
