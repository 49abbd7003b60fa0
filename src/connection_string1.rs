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
        match usual_layout(text.as_bytes(), max_addresses) {
            Some(layout) => Ok(ConnectionString1 {
                text: text.to_string(),
                list_end: layout.list_end,
                session_id_end: layout.session_id_end,
                count: layout.count,
            }),
            None => ConnectionString1::parse_any(text, max_addresses),
        }
    }

    /// [`ConnectionString1::parse`] field by field: the way for every text [`usual_layout`]
    /// does not take, that is for the errors (the first rule broken is the one reported) and
    /// for valid tickets written unusually (ports with leading zeros, say).
    #[cold]
    #[inline(never)]
    fn parse_any(text: &str, max_addresses: usize) -> Result<ConnectionString1> {
        let mut fields = [""; 8];
        let mut count = 0;
        // A ninth piece holds the rest of the text: there are more fields than eight.
        for field in text.splitn(9, ',') {
            if let Some(slot) = fields.get_mut(count) {
                *slot = field;
            }
            count += 1;
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

/// Where a [`ConnectionString1`]'s parts end, as [`usual_layout`] finds them.
struct Layout {
    list_end: usize,
    session_id_end: usize,
    count: usize,
}

/// The first eight bytes of every RCTICKET as one word: [`PROTOCOL_VERSION`] and
/// [`PROTOCOL_TYPE`], each followed by a comma (`the_prefix_is_the_protocol_version_and_type`
/// holds the two spellings together).
const PREFIX: u64 = u64::from_le_bytes(*b"65538,1,");

/// The KH's length: the base64 of a SHA-1 hash (20 bytes).
const KH_TEXT_LEN: usize = 28;

/// The layout of `bytes` if it is a valid RCTICKET written as Windows writes them (ports
/// without leading zeros), found in one pass over the text, eight bytes at a time where it
/// counts; `None` for anything else.
///
/// Why: this is the reading path's cost, and reading field by field (splitting at commas,
/// then at semicolons, then at colons) passes over each byte several times. Every `None`
/// goes to [`ConnectionString1::parse_any`], which reads the text again and reports the
/// error; so this may leave valid texts to it, but must take no invalid one, and must find
/// the same fields as it does.
#[inline]
fn usual_layout(bytes: &[u8], max_addresses: usize) -> Option<Layout> {
    use crate::connection_string2::{base64_decoded_length, is_base64_of_20};
    if scan::word_at(bytes, 0)? != PREFIX {
        return None;
    }
    // The KH has a fixed length, so the last commas are at fixed places from the end: the
    // session ID ends before `,*,*,<KH>`.
    let kh_start = bytes.len().checked_sub(KH_TEXT_LEN)?;
    let session_id_end = kh_start.checked_sub(5)?;
    if &bytes[session_id_end..kh_start] != b",*,*," {
        return None;
    }
    let (list_end, count) = address_list(bytes, max_addresses)?;
    let session_id_start = list_end + 3;
    if session_id_start >= session_id_end || &bytes[list_end..session_id_start] != b",*," {
        return None;
    }
    // Neither holds a comma, so the commas are those found above: eight fields. (A session
    // ID that is base64 and not empty decodes to a byte at least.)
    base64_decoded_length(&bytes[session_id_start..session_id_end])?;
    if !is_base64_of_20(&bytes[kh_start..]) {
        return None;
    }
    Some(Layout {
        list_end,
        session_id_end,
        count,
    })
}

/// Where the address list of `bytes` ends, and its number of addresses, for
/// [`usual_layout`]: `None` as it says.
///
/// A function apart so that its loops have the registers to themselves: inlined, the
/// compiler spills and reloads in them.
#[inline(never)]
fn address_list(bytes: &[u8], max_addresses: usize) -> Option<(usize, usize)> {
    let mut at = LIST_START;
    let mut count = 0;
    let list_end = loop {
        if count == max_addresses {
            return None;
        }
        // The host is what comes before the first byte that cannot be in a host name, which
        // must be the colon. No word to read near the end of the text: the text is too short
        // to hold the fields after the list anyway, or `parse_any` says what else is wrong.
        let host_start = at;
        let colon = loop {
            let others = !scan::host_bytes(scan::word_from(bytes, at)?) & scan::HIGH;
            if others != 0 {
                break at + scan::first(others);
            }
            at += 8;
        };
        if bytes[colon] != b':' || !(1..=255).contains(&(colon - host_start)) {
            return None;
        }
        let port_start = colon + 1;
        let word = scan::word_from(bytes, port_start)?;
        // Eight when all eight bytes are digits: too many.
        let digits = scan::first(!scan::digits(word) & scan::HIGH);
        // A leading zero is valid, but the text then is not as `Display` writes it.
        if !(1..=5).contains(&digits) || word as u8 == b'0' || scan::decimal(word, digits) > 65535 {
            return None;
        }
        let port_end = port_start + digits;
        count += 1;
        at = port_end;
        match bytes[at] {
            b';' => at += 1,
            b',' => break at,
            _ => return None,
        }
    };
    Some((list_end, count))
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

    /// What a ticket reads as: its text, addresses, session ID and KH.
    type Read = (String, Vec<(String, u16)>, String, String);

    fn read(ticket: ConnectionString1) -> Read {
        (
            ticket.as_str().to_string(),
            ticket
                .addresses()
                .map(|a| (a.host.to_string(), a.port))
                .collect(),
            ticket.session_id().to_string(),
            ticket.kh().to_string(),
        )
    }

    /// What `parse` must make of `text`, read the plain way: `split` at commas and semicolons,
    /// the last colon, the standard library's parser for ports and the base64 crate for the IDs.
    fn reference(text: &str, max_addresses: usize) -> Result<Read> {
        use base64::Engine as _;
        let rc = Error::RcTicket;
        let fields: Vec<&str> = text.split(',').collect();
        if fields.len() != 8 {
            let found = if fields.len() > 8 {
                "more".to_string()
            } else {
                fields.len().to_string()
            };
            return Err(rc(format!(
                "expected 8 comma-separated fields, found {found}"
            )));
        }
        if fields[0] != "65538" {
            let shown = quote_value(fields[0]);
            return Err(rc(format!(
                "protocol version is \"{shown}\", expected 65538"
            )));
        }
        if fields[1] != "1" {
            let shown = quote_value(fields[1]);
            return Err(rc(format!("protocol type is \"{shown}\", expected 1")));
        }
        for (i, name) in [
            (3, "assistantAccountPwd"),
            (5, "RASessionName"),
            (6, "RASessionPwd"),
        ] {
            if fields[i] != "*" {
                return Err(rc(format!("field {} ({name}) must be \"*\"", i + 1)));
            }
        }
        let mut addresses = Vec::new();
        for entry in fields[2].split(';') {
            if addresses.len() >= max_addresses {
                return Err(Error::Limit(format!(
                    "more than {max_addresses} addresses in RCTICKET"
                )));
            }
            let Some((host, port)) = entry.rsplit_once(':') else {
                let shown = quote_value(entry);
                return Err(rc(format!("address \"{shown}\" has no :port")));
            };
            let host_ok = (1..=255).contains(&host.len())
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !host_ok {
                let shown = quote_value(host);
                return Err(rc(format!(
                    "host \"{shown}\" is neither an IPv4 address nor a computer name"
                )));
            }
            let digits = port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
            let Some(number) = digits
                .then(|| port.parse::<u16>().ok())
                .flatten()
                .filter(|&p| p != 0)
            else {
                let shown = quote_value(port);
                return Err(rc(format!(
                    "port \"{shown}\" is not a number from 1 to 65535"
                )));
            };
            addresses.push((host.to_string(), number));
        }
        for (what, value, length) in [
            ("RASessionID", fields[4], None),
            ("protocolSpecificParms (KH)", fields[7], Some(20)),
        ] {
            let shown = quote_value(value);
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value)
                .map_err(|_| rc(format!("{what} \"{shown}\" is not base64")))?;
            if decoded.is_empty() {
                return Err(rc(format!("{what} is empty")));
            }
            if let Some(expected) = length
                && decoded.len() != expected
            {
                let found = decoded.len();
                return Err(rc(format!(
                    "{what} decodes to {found} bytes, expected {expected}"
                )));
            }
        }
        let list: Vec<String> = addresses.iter().map(|(h, p)| format!("{h}:{p}")).collect();
        let written = format!(
            "65538,1,{},*,{},*,*,{}",
            list.join(";"),
            fields[4],
            fields[7]
        );
        Ok((
            written,
            addresses,
            fields[4].to_string(),
            fields[7].to_string(),
        ))
    }

    /// `parse` against the reference, and its two ways against each other: the same value or
    /// the same error; and the one-pass way takes exactly the valid texts written as `Display`
    /// writes them (within the limit), leaving no common ticket to the slow way.
    fn check_against_reference(text: &str, max_addresses: usize) {
        let expected = reference(text, max_addresses);
        let parsed = ConnectionString1::parse(text, max_addresses).map(read);
        assert_eq!(parsed, expected, "{text:?} {max_addresses}");
        let slow = ConnectionString1::parse_any(text, max_addresses).map(read);
        assert_eq!(slow, expected, "{text:?} {max_addresses}");
        let usual = usual_layout(text.as_bytes(), max_addresses).is_some();
        let canonical = expected.as_ref().is_ok_and(|read| read.0 == text);
        assert_eq!(usual, canonical, "{text:?} {max_addresses}");
    }

    /// A valid ticket's text: its addresses (host, port, leading zeros), session ID and KH
    /// bytes.
    fn ticket_text(addresses: &[(String, u16, usize)], session_id: &[u8], kh: &[u8]) -> String {
        use base64::Engine as _;
        let base64 = base64::engine::general_purpose::STANDARD;
        let list: Vec<String> = addresses
            .iter()
            .map(|(host, port, zeros)| format!("{host}:{}{port}", "0".repeat(*zeros)))
            .collect();
        format!(
            "65538,1,{},*,{},*,*,{}",
            list.join(";"),
            base64.encode(session_id),
            base64.encode(kh)
        )
    }

    fn address_strategy() -> impl proptest::strategy::Strategy<Value = (String, u16, usize)> {
        use proptest::prelude::*;
        (
            prop_oneof![
                "[A-Za-z0-9._-]{1,24}",
                "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                "[a-z]{250,260}",
            ],
            prop_oneof![1..=65535u16, Just(65535u16), 1..=9u16],
            prop_oneof![8 => Just(0usize), 1 => 1..3usize],
        )
    }

    #[test]
    fn the_prefix_is_the_protocol_version_and_type() {
        let prefix = format!("{PROTOCOL_VERSION},{PROTOCOL_TYPE},");
        assert_eq!(PREFIX.to_le_bytes(), prefix.as_bytes());
        assert_eq!(prefix.len(), LIST_START);
    }

    #[test]
    fn the_examples_and_their_errors_agree_with_the_reference() {
        let xp = "65538,1,10.0.3.105:3389;winxpsp3.contoso3.com:3389,*,\
            rb+v0oPmEISmi8N2zK/vuhgul/ABqlDt6wW0VxMyxK8=,*,*,IuaRySSbPDNna4+2mKcsKxsbJFI=";
        assert!(usual_layout(xp.as_bytes(), 64).is_some());
        for text in [SPEC_EXAMPLE, xp] {
            for max in [0, 1, 2, 3, 64] {
                check_against_reference(text, max);
            }
            for at in 0..text.len() {
                for with in [
                    "", ",", ";", ":", "*", "=", "0", "9", "a", "/", "+", "-", "_", ".", "é", "\0",
                    " ", ":1", ";a:1", "0", "A",
                ] {
                    let mut changed = text.to_string();
                    changed.replace_range(at..at + 1, with);
                    check_against_reference(&changed, 64);
                    let mut inserted = text.to_string();
                    inserted.insert_str(at, with);
                    check_against_reference(&inserted, 64);
                }
            }
        }
        for port in [
            "65535", "65536", "99999", "100000", "0", "00", "01", "1", "6553",
        ] {
            check_against_reference(&SPEC_EXAMPLE.replace(":3389;", &format!(":{port};")), 64);
            check_against_reference(&SPEC_EXAMPLE.replace(":3389,", &format!(":{port},")), 64);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Valid tickets, some with ports written with leading zeros, session IDs of any
        /// length and KHs of other lengths, read as the reference reads them; and then with
        /// bytes changed, put in or taken out, at random places.
        #[test]
        fn parse_agrees_with_the_reference(
            addresses in proptest::collection::vec(address_strategy(), 1..4),
            session_id in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            kh in prop_oneof_kh(),
            max_addresses in proptest::prop_oneof![0..4usize, proptest::strategy::Just(64)],
            edits in proptest::collection::vec(
                (
                    proptest::num::usize::ANY,
                    0..3u8,
                    proptest::sample::select(
                        &[",", ";", ":", "*", "=", "0", "5", "z", "Z", "/", "+", "-", "_",
                          ".", "é", "\u{0}", " ", "\u{7f}", "~", "@", "[", "`", "{"][..],
                    ),
                ),
                0..3,
            ),
        ) {
            let mut text = ticket_text(&addresses, &session_id, &kh);
            check_against_reference(&text, max_addresses);
            for (at, kind, with) in edits {
                let places: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                let at = places[at % places.len()];
                let next = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                match kind {
                    0 => text.replace_range(at..next, with),
                    1 => text.insert_str(at, with),
                    _ => text.replace_range(at..next, ""),
                }
                check_against_reference(&text, max_addresses);
            }
        }

        /// Texts made of the bytes that matter, in any order.
        #[test]
        fn any_text_agrees_with_the_reference(text in "[,;:*=0-9a-cA-C+/.é]{0,80}") {
            check_against_reference(&text, 64);
            let prefixed = format!("65538,1,{text}");
            check_against_reference(&prefixed, 64);
        }
    }

    /// KHs of 20 bytes mostly, other lengths now and then.
    fn prop_oneof_kh() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        prop_oneof![
            8 => proptest::collection::vec(any::<u8>(), 20),
            1 => proptest::collection::vec(any::<u8>(), 0..24),
        ]
    }
}
