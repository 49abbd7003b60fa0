//! Where an address in a ticket sends the expert, read as Windows would read it: the one place
//! that decides whether a listener's `N`, its `U`, or an RCTICKET host is an IP address (and
//! which), a host name, or something no Windows writes.
//!
//! Strict on purpose. An address the allowlist is to judge must mean one thing: a zone only on
//! an IPv6 address, host names of letters, digits, `-` and `_` in labels of at most 63, and a
//! name whose last label is a number must be a dotted-quad IPv4 address written the usual way,
//! because Windows' resolver reads `2130706433`, `0x7f.1`, `127.1` and `0177.0.0.1` as
//! 127.0.0.1. Everything else is refused, with the reason.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rainv::display::quote_value;

/// What an address points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Destination {
    /// An IP address. An IPv6 address's zone (which names an interface, not a place) is left
    /// out, and an IPv4-mapped IPv6 address is the IPv4 address it maps.
    Ip(IpAddr),
    /// A host name, in lowercase, without a final dot.
    Name(String),
}

/// The longest host name (RFC 1035), without its final dot.
const MAX_NAME: usize = 253;
/// The longest label of a host name (RFC 1035).
const MAX_LABEL: usize = 63;
/// The longest zone (an interface index or name) after `%`.
const MAX_ZONE: usize = 64;

/// Read an address as a listener's `N` or an RCTICKET's `host` gives it. `Err` says why it is
/// not one Windows would write.
pub fn destination(text: &str) -> Result<Destination, String> {
    let quoted = || quote_value(text);
    if text.is_empty() {
        return Err("an empty address".into());
    }
    if let Some((address, zone)) = text.split_once('%') {
        let Ok(ip) = address.parse::<Ipv6Addr>() else {
            return Err(format!(
                "\"{}\" has a zone (%...), which belongs only on an IPv6 address",
                quoted()
            ));
        };
        let zone_ok = !zone.is_empty()
            && zone.len() <= MAX_ZONE
            && zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !zone_ok {
            return Err(format!(
                "\"{}\": the zone after % must be an interface index or name",
                quoted()
            ));
        }
        return Ok(Destination::Ip(unmapped(ip)));
    }
    if let Ok(ip) = text.parse::<Ipv6Addr>() {
        return Ok(Destination::Ip(unmapped(ip)));
    }
    if let Ok(ip) = text.parse::<Ipv4Addr>() {
        return Ok(Destination::Ip(IpAddr::V4(ip)));
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "\"{}\" is neither an IP address nor a host name: {} cannot stand in one",
            quoted(),
            describe(bad)
        ));
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.last().is_some_and(|last| is_number(last)) {
        return Err(match ipv4_as_windows_reads_it(&labels) {
            Some(ip) => format!(
                "\"{}\" is {ip} written in a form Windows reads as that address but never writes",
                quoted()
            ),
            None => format!(
                "\"{}\" ends in a number but is not an IPv4 address",
                quoted()
            ),
        });
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "\"{}\" is longer than the {MAX_NAME} characters of a host name",
            quoted()
        ));
    }
    for label in &labels {
        if label.is_empty() || label.len() > MAX_LABEL {
            return Err(format!(
                "\"{}\" has a label that is empty or longer than {MAX_LABEL} characters",
                quoted()
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "\"{}\" has a label that starts or ends with '-'",
                quoted()
            ));
        }
    }
    Ok(Destination::Name(name.to_ascii_lowercase()))
}

/// Read a websocket listener's `U`: `ws://` or `wss://`, a host as [`destination`] reads it
/// (an IPv6 address in brackets, without a zone), perhaps a port, perhaps a path. No user
/// information, backslashes, spaces or controls.
pub fn uri_destination(uri: &str) -> Result<Destination, String> {
    let quoted = || quote_value(uri);
    if let Some(bad) = uri.chars().find(|&c| !c.is_ascii_graphic() || c == '\\') {
        return Err(format!(
            "URI \"{}\" holds {}, which no Windows listener URI does",
            quoted(),
            describe(bad)
        ));
    }
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err(format!("URI \"{}\" is not a ws:// or wss:// URI", quoted()));
    };
    if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
        return Err(format!(
            "URI \"{}\" has the scheme {}; a listener URI is ws:// or wss://",
            quoted(),
            quote_value(scheme)
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!(
            "URI \"{}\" carries user information (@), which hides where it points",
            quoted()
        ));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (inside, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("URI \"{}\" has an unclosed '['", quoted()))?;
            let ip = inside.parse::<Ipv6Addr>().map_err(|_| {
                format!(
                    "URI \"{}\": {} in brackets is not an IPv6 address",
                    quoted(),
                    quote_value(inside)
                )
            })?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(|| {
                    format!("URI \"{}\": expected ':' and a port after ']'", quoted())
                })?),
            };
            (Destination::Ip(unmapped(ip)), port)
        }
        None => {
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let destination =
                destination(host).map_err(|why| format!("URI \"{}\": {why}", quoted()))?;
            (destination, port)
        }
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err(format!(
                "URI \"{}\": the port {} is not a number from 1 to 65535",
                quoted(),
                quote_value(port)
            ));
        }
    }
    Ok(host)
}

/// The IPv4 address an IPv4-mapped IPv6 address stands for; other addresses as they are.
fn unmapped(ip: Ipv6Addr) -> IpAddr {
    match ip.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(ip),
    }
}

/// A label that is a number as an IPv4 part: decimal digits, or `0x` and hex digits.
fn is_number(label: &str) -> bool {
    let hex = label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The IPv4 address that one to four numeric parts (decimal, `0x` hex, or octal with a
/// leading 0; the last part filling the bytes left) stand for, as `inet_aton` and Windows'
/// resolver read them. `None` if they stand for none.
fn ipv4_as_windows_reads_it(labels: &[&str]) -> Option<Ipv4Addr> {
    if labels.is_empty() || labels.len() > 4 {
        return None;
    }
    let mut parts = Vec::with_capacity(labels.len());
    for label in labels {
        let (digits, radix) = match label
            .strip_prefix("0x")
            .or_else(|| label.strip_prefix("0X"))
        {
            Some(hex) => (hex, 16),
            // A lone "0" is the octal number with no digits after its 0: zero, as in decimal.
            None if label.starts_with('0') => (&label[1..], 8),
            None => (*label, 10),
        };
        let value = if digits.is_empty() {
            0
        } else {
            u64::from_str_radix(digits, radix).ok()?
        };
        parts.push(value);
    }
    let (last, leading) = parts.split_last()?;
    if leading.iter().any(|&part| part > 255) {
        return None;
    }
    let last_bits = 8 * (4 - leading.len() as u32);
    if *last >= 1u64 << last_bits {
        return None;
    }
    let mut value = 0u64;
    for &part in leading {
        value = (value << 8) + part;
    }
    value = (value << last_bits) + last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// A character for a message: printable ones quoted, others by code point.
fn describe(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("'{c}'")
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Destination {
        Destination::Ip(text.parse().unwrap())
    }

    #[test]
    fn addresses_windows_writes() {
        for (text, expected) in [
            ("10.0.1.174", ip("10.0.1.174")),
            (
                "fe80::b31a:3308:6b91:8831%3",
                ip("fe80::b31a:3308:6b91:8831"),
            ),
            ("fe80::1%eth0", ip("fe80::1")),
            (
                "2001:0:284a:364:28e3:b9b:c19c:4d04",
                ip("2001:0:284a:364:28e3:b9b:c19c:4d04"),
            ),
            ("::ffff:10.1.2.3", ip("10.1.2.3")),
            ("MIKE_HOME", Destination::Name("mike_home".into())),
            (
                "winxpsp3.contoso3.com",
                Destination::Name("winxpsp3.contoso3.com".into()),
            ),
            (
                "Host-1.Example.",
                Destination::Name("host-1.example".into()),
            ),
            ("4u.example", Destination::Name("4u.example".into())),
            ("0xg.example", Destination::Name("0xg.example".into())),
            ("1.example.0xg", Destination::Name("1.example.0xg".into())),
            (&"a".repeat(63), Destination::Name("a".repeat(63))),
        ] {
            assert_eq!(destination(text), Ok(expected), "{text}");
        }
        let long = format!(
            "{}.{}.{}.{}",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(61)
        );
        assert_eq!(long.len(), 253);
        assert!(destination(&long).is_ok());
        assert!(destination(&format!("{long}x")).is_err());
    }

    #[test]
    fn refuses_what_would_hide_where_it_points() {
        for text in [
            "",
            "192.0.2.10%169.254.169.254",
            "10.0.0.1%3",
            "host%3",
            "fe80::1%",
            "fe80::1%a/b",
            "fe80::1%3%4",
            "a/b",
            "a#b",
            "a?b",
            "a\\b",
            "a@b",
            "a b",
            "a:b",
            "[::1]",
            "caf\u{e9}.example",
            "a..b",
            ".a",
            "-a.example",
            "a-.example",
            &"a".repeat(64),
        ] {
            assert!(destination(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn numeric_spellings_are_refused_and_named() {
        for (text, denoted) in [
            ("2130706433", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"),
            ("127.0.0.1.", "127.0.0.1"),
            ("0x7F000001", "127.0.0.1"),
            ("127.0.1", "127.0.0.1"),
            ("010.0.0.1", "8.0.0.1"),
            ("169.254.169.254.", "169.254.169.254"),
            ("0x", "0.0.0.0"),
        ] {
            let why = destination(text).unwrap_err();
            assert!(
                why.contains(&format!("is {denoted} written")),
                "{text}: {why}"
            );
        }
        for text in [
            "256.0.0.1",
            "1.2.3.4.5",
            "1.2.3.4.0",
            "4294967296",
            "08.1.1.1",
            "1.0x100.1",
            "a.1",
        ] {
            let why = destination(text).unwrap_err();
            assert!(
                why.contains("not an IPv4 address") || why.contains("cannot stand"),
                "{text}: {why}"
            );
        }
        assert_eq!(
            ipv4_as_windows_reads_it(&["1", "65535"]),
            Some("1.0.255.255".parse().unwrap())
        );
        assert_eq!(ipv4_as_windows_reads_it(&["1", "16777216"]), None);
        assert_eq!(ipv4_as_windows_reads_it(&["1", "2", "65536"]), None);
        assert_eq!(
            ipv4_as_windows_reads_it(&["1", "2", "65535"]),
            Some("1.2.255.255".parse().unwrap())
        );
        assert_eq!(
            ipv4_as_windows_reads_it(&["4294967295"]),
            Some(Ipv4Addr::BROADCAST)
        );
        assert_eq!(ipv4_as_windows_reads_it(&[]), None);
        assert_eq!(
            ipv4_as_windows_reads_it(&["255", "0377", "0xff", "0"]),
            Some("255.255.255.0".parse().unwrap())
        );
        assert_eq!(
            ipv4_as_windows_reads_it(&["0", "1"]),
            Some("0.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn refusals_name_the_character() {
        assert!(destination("a/b").unwrap_err().contains("'/' cannot stand"));
        assert!(
            destination("caf\u{e9}")
                .unwrap_err()
                .contains("U+00E9 cannot stand")
        );
        assert!(
            uri_destination("wss://a b/")
                .unwrap_err()
                .contains("holds U+0020")
        );
    }

    #[test]
    fn listener_uris() {
        for (uri, expected) in [
            (
                "wss://relay.example:443/ra",
                Destination::Name("relay.example".into()),
            ),
            ("WS://10.0.0.5/", ip("10.0.0.5")),
            ("wss://[2001:db8::1]:8443/x?y#z", ip("2001:db8::1")),
            ("wss://[2001:db8::1]", ip("2001:db8::1")),
            ("wss://host", Destination::Name("host".into())),
        ] {
            assert_eq!(uri_destination(uri), Ok(expected), "{uri}");
        }
        for uri in [
            "wss://169.254.169.254.:443/",
            "wss://2130706433/",
            "file:///etc/passwd",
            "\\\\server\\share",
            "http://relay.example/",
            "wss://user@relay.example/",
            "wss://relay.example@169.254.169.254/",
            "wss:\\\\relay.example\\",
            "wss://relay.example:0/",
            "wss://relay.example:65536/",
            "wss://relay.example:/",
            "wss://relay.example:44a/",
            "wss://[fe80::1%253]/",
            "wss://[::1/",
            "wss://[::1]x/",
            "wss://[nothex]/",
            "wss://relay example/",
            "wss://relay.example/\u{7}",
            "wss:///path",
            "relay.example",
        ] {
            assert!(uri_destination(uri).is_err(), "{uri:?}");
        }
    }
}
