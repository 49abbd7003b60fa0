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
pub(crate) fn parse_port(text: &str) -> std::result::Result<u16, String> {
    let valid = !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit());
    if valid {
        // At most five digits: no overflow, and no call to the standard library's parser.
        let port = text.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        if let Ok(port @ 1..=65535) = u16::try_from(port) {
            return Ok(port);
        }
    }
    Err(format!(
        "port \"{}\" is not a number from 1 to 65535",
        quote_value(text)
    ))
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
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionString1 {
    /// Where the expert connects, in the order to try.
    pub addresses: Vec<Address>,
    /// RASessionID, base64 (32 bytes on XP; the Connection String 2 ID on Vista and later).
    pub session_id: String,
    /// protocolSpecificParms: base64 SHA-1 of the novice's RDP public key blob (the KH).
    pub kh: String,
}

impl std::fmt::Debug for ConnectionString1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionString1")
            .field("addresses", &self.addresses)
            .field("session_id", &crate::crypto::Redacted)
            .field("kh", &self.kh)
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
        let ticket = ConnectionString1 {
            addresses,
            session_id: session_id.into(),
            kh: kh.into(),
        };
        let back = ConnectionString1::parse(&ticket.to_string(), usize::MAX)?;
        if back != ticket {
            return Err(Error::Write(
                "this RCTICKET would not read back as written".into(),
            ));
        }
        Ok(ticket)
    }

    /// Parse and validate an RCTICKET, allowing at most `max_addresses` addresses.
    pub fn parse(text: &str, max_addresses: usize) -> Result<ConnectionString1> {
        // The eight fields, found in one pass; a ninth comma means too many.
        let mut fields = [""; 8];
        let mut count = 0;
        let mut start = 0;
        while let Some(comma) = scan::find(text.as_bytes(), start, b',') {
            if count == 7 {
                count = 9;
                break;
            }
            fields[count] = &text[start..comma];
            count += 1;
            start = comma + 1;
        }
        if count < 8 {
            fields[count] = &text[start..];
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
        let entries = list.bytes().filter(|&b| b == b';').count() + 1;
        let mut addresses = Vec::with_capacity(entries.min(max_addresses));
        let mut start = 0;
        loop {
            if addresses.len() >= max_addresses {
                return Err(Error::Limit(format!(
                    "more than {max_addresses} addresses in RCTICKET"
                )));
            }
            let end = scan::find(list.as_bytes(), start, b';');
            addresses.push(Address::parse(&list[start..end.unwrap_or(list.len())])?);
            match end {
                Some(semicolon) => start = semicolon + 1,
                None => break,
            }
        }
        let session_id = fields[4];
        check_base64(session_id, "RASessionID", None)?;
        let kh = fields[7];
        check_base64(kh, "protocolSpecificParms (KH)", Some(20))?;
        Ok(ConnectionString1 {
            addresses,
            session_id: session_id.to_string(),
            kh: kh.to_string(),
        })
    }
}

fn check_base64(value: &str, what: &str, length: Option<usize>) -> Result<()> {
    crate::connection_string2::check_base64_as(value, what, length, Error::RcTicket)
}

impl fmt::Display for ConnectionString1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROTOCOL_VERSION},{PROTOCOL_TYPE},")?;
        for (i, address) in self.addresses.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{address}")?;
        }
        write!(f, ",*,{},*,*,{}", self.session_id, self.kh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = "65538,1,172.31.243.138:3389;MIKE_HOME:3389,*,\
        Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,RcfwecK8dpcT1fjZ6iQ5M0+q7iU=";

    #[test]
    fn parses_the_spec_example_and_formats_it_back() {
        let cs = ConnectionString1::parse(SPEC_EXAMPLE, 64).unwrap();
        assert_eq!(
            cs.addresses,
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
            cs.session_id,
            "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc="
        );
        assert_eq!(cs.kh, "RcfwecK8dpcT1fjZ6iQ5M0+q7iU=");
        assert_eq!(cs.to_string(), SPEC_EXAMPLE);
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
