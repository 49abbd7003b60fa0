//! Connection String 2, the XML inside an LHTICKET (MS-RAI 2.2.2).
//!
//! ```text
//! <E><A KH="b64" [KH2="sha256:b64"] ID="b64"/><C><T ID="1" SID="0"><L P="port" N="host"/>...</T></C></E>
//! ```
//!
//! Parsed values are wiped from memory when dropped: a decrypted ticket is a secret.

use std::fmt::Write as _;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::{Zeroize, Zeroizing};

use crate::connection_string1::parse_port;
use crate::error::{Error, Result, quote_value};
use crate::text::escape_attribute;
use crate::xml::{self, Element, Limits};

/// Hash algorithms KH2 may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256 (32-byte hash).
    Sha256,
    /// SHA-384 (48-byte hash).
    Sha384,
    /// SHA-512 (64-byte hash).
    Sha512,
}

impl HashAlgorithm {
    /// The name as written in KH2.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Length of the hash in bytes.
    pub fn hash_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
}

impl FromStr for HashAlgorithm {
    type Err = Error;
    fn from_str(name: &str) -> Result<HashAlgorithm> {
        match name {
            "sha256" => Ok(HashAlgorithm::Sha256),
            "sha384" => Ok(HashAlgorithm::Sha384),
            "sha512" => Ok(HashAlgorithm::Sha512),
            other => Err(Error::ConnectionString2(format!(
                "KH2 names hash algorithm \"{}\"; expected sha256, sha384 or sha512",
                quote_value(other)
            ))),
        }
    }
}

/// KH2: a stronger hash of the novice's RDP public key, `algorithm:base64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kh2 {
    /// Which hash.
    pub algorithm: HashAlgorithm,
    /// The hash, base64 as written.
    pub hash: String,
}

impl FromStr for Kh2 {
    type Err = Error;
    fn from_str(text: &str) -> Result<Kh2> {
        let (algorithm, hash) = text.split_once(':').ok_or_else(|| {
            Error::ConnectionString2(format!(
                "KH2 \"{}\" is not of the form algorithm:base64",
                quote_value(text)
            ))
        })?;
        let algorithm: HashAlgorithm = algorithm.parse()?;
        check_base64(hash, "KH2 hash", Some(algorithm.hash_len()))?;
        Ok(Kh2 {
            algorithm,
            hash: hash.to_string(),
        })
    }
}

impl std::fmt::Display for Kh2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hash)
    }
}

/// One listener: where the expert may connect, tried in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// N: IPv6 (possibly with `%zone`), IPv4 or a host name.
    pub address: String,
    /// P: the TCP port.
    pub port: Option<u16>,
    /// U: the full URI of a websocket listener, given instead of P.
    pub uri: Option<String>,
}

/// One transport (`<T>`) and its listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    /// ID: the transport identifier (Windows writes 1).
    pub id: u32,
    /// SID: the terminal services session identifier.
    pub session_id: u32,
    /// The listeners, in the order experts try them.
    pub listeners: Vec<Listener>,
}

/// An attribute of `<A>` that the specification does not name; kept so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraAttribute {
    /// Attribute name.
    pub name: String,
    /// Attribute value, unescaped.
    pub value: String,
}

/// A parsed Connection String 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionString2 {
    /// KH: base64 SHA-1 of the novice's RDP server public key blob.
    pub kh: Option<String>,
    /// KH2: the same key hashed with SHA-2.
    pub kh2: Option<Kh2>,
    /// ID: the session / authorisation identifier (48 random bytes, base64, on Windows).
    pub id: String,
    /// Further attributes of `<A>` (newer Windows adds a certificate, for example), in order.
    pub extra: Vec<ExtraAttribute>,
    /// The transports and their listeners.
    pub transports: Vec<Transport>,
}

impl Drop for ConnectionString2 {
    fn drop(&mut self) {
        self.kh.zeroize();
        if let Some(kh2) = &mut self.kh2 {
            kh2.hash.zeroize();
        }
        self.id.zeroize();
        for attribute in &mut self.extra {
            attribute.name.zeroize();
            attribute.value.zeroize();
        }
        for transport in &mut self.transports {
            for listener in &mut transport.listeners {
                listener.address.zeroize();
                listener.uri.zeroize();
            }
        }
    }
}

impl ConnectionString2 {
    /// Parse a Connection String 2 from its text, under `limits`.
    pub fn parse(text: &str, limits: &Limits) -> Result<ConnectionString2> {
        let root = xml::parse(text, limits)?;
        Self::from_element(&root, limits)
    }

    pub(crate) fn from_element(root: &Element<'_>, limits: &Limits) -> Result<ConnectionString2> {
        if root.name != "E" {
            return Err(cs2(format!(
                "root element is <{}>, expected <E>",
                quote_value(root.name)
            )));
        }
        no_attributes(root)?;
        let auth = only_child(root, "A")?;
        let connector = only_child(root, "C")?;
        if let Some(other) = root
            .children
            .iter()
            .find(|c| c.name != "A" && c.name != "C")
        {
            return Err(cs2(format!(
                "unexpected element <{}> in <E>",
                quote_value(other.name)
            )));
        }
        if !auth.children.is_empty() {
            return Err(cs2("<A> must be empty".into()));
        }
        let mut kh = None;
        let mut kh2 = None;
        let mut id = None;
        let mut extra = Vec::new();
        for (name, value) in &auth.attributes {
            match *name {
                "KH" => {
                    check_base64(value, "KH", Some(20))?;
                    kh = Some(value.to_string());
                }
                "KH2" => kh2 = Some(value.parse::<Kh2>()?),
                "ID" => {
                    check_base64(value, "ID", None)?;
                    id = Some(value.to_string());
                }
                other => extra.push(ExtraAttribute {
                    name: other.to_string(),
                    value: value.to_string(),
                }),
            }
        }
        let id = id.ok_or_else(|| cs2("<A> has no ID attribute".into()))?;

        no_attributes(connector)?;
        let mut transports = Vec::new();
        let mut listener_count = 0usize;
        for t in &connector.children {
            if t.name != "T" {
                return Err(cs2(format!(
                    "unexpected element <{}> in <C>",
                    quote_value(t.name)
                )));
            }
            let mut listeners = Vec::new();
            for l in &t.children {
                if l.name != "L" {
                    return Err(cs2(format!(
                        "unexpected element <{}> in <T>",
                        quote_value(l.name)
                    )));
                }
                listener_count += 1;
                if listener_count > limits.max_listeners {
                    return Err(Error::Limit(format!(
                        "more than {} listeners in the ticket",
                        limits.max_listeners
                    )));
                }
                listeners.push(listener(l)?);
            }
            if listeners.is_empty() {
                return Err(cs2("a <T> has no <L> listener".into()));
            }
            transports.push(Transport {
                id: number(t, "ID")?,
                session_id: number(t, "SID")?,
                listeners,
            });
        }
        if transports.is_empty() {
            return Err(cs2("<C> has no <T> transport".into()));
        }
        Ok(ConnectionString2 {
            kh,
            kh2,
            id,
            extra,
            transports,
        })
    }

    /// Format as Windows does: no whitespace between elements, attributes in Windows' order
    /// (KH, KH2, further attributes, ID), line breaks as `&#xA;`, and a final CRLF.
    ///
    /// A ticket that Windows wrote and rainv parsed formats back to the same text, so it
    /// encrypts back to the same LHTICKET.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(256));
        let o = &mut *out;
        o.push_str("<E><A");
        if let Some(kh) = &self.kh {
            attribute(o, "KH", kh);
        }
        if let Some(kh2) = &self.kh2 {
            let _ = write!(
                o,
                " KH2=\"{}:{}\"",
                kh2.algorithm.name(),
                escape_attribute(&kh2.hash)
            );
        }
        for extra in &self.extra {
            attribute(o, &extra.name, &extra.value);
        }
        attribute(o, "ID", &self.id);
        o.push_str("/><C>");
        for t in &self.transports {
            let _ = write!(o, "<T ID=\"{}\" SID=\"{}\">", t.id, t.session_id);
            for l in &t.listeners {
                o.push_str("<L");
                if let Some(port) = l.port {
                    let _ = write!(o, " P=\"{port}\"");
                }
                if let Some(uri) = &l.uri {
                    attribute(o, "U", uri);
                }
                attribute(o, "N", &l.address);
                o.push_str("/>");
            }
            o.push_str("</T>");
        }
        o.push_str("</C></E>\r\n");
        out
    }

    /// All listeners of all transports, in order.
    pub fn listeners(&self) -> impl Iterator<Item = &Listener> {
        self.transports.iter().flat_map(|t| t.listeners.iter())
    }
}

fn attribute(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, " {name}=\"{}\"", escape_attribute(value));
}

fn cs2(detail: String) -> Error {
    Error::ConnectionString2(detail)
}

fn no_attributes(element: &Element<'_>) -> Result<()> {
    match element.attributes.first() {
        Some((name, _)) => Err(cs2(format!(
            "unexpected attribute {} on <{}>",
            quote_value(name),
            element.name
        ))),
        None => Ok(()),
    }
}

fn only_child<'e, 'a>(parent: &'e Element<'a>, name: &str) -> Result<&'e Element<'a>> {
    let mut found = parent.children.iter().filter(|c| c.name == name);
    match (found.next(), found.next()) {
        (Some(child), None) => Ok(child),
        (None, _) => Err(cs2(format!("<{}> has no <{name}>", parent.name))),
        (Some(_), Some(_)) => Err(cs2(format!("<{}> has more than one <{name}>", parent.name))),
    }
}

fn number(element: &Element<'_>, name: &str) -> Result<u32> {
    let value = element
        .attribute(name)
        .ok_or_else(|| cs2(format!("<{}> has no {name} attribute", element.name)))?;
    if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(cs2(format!(
            "{name}=\"{}\" on <{}> is not a number",
            quote_value(value),
            element.name
        )));
    }
    value.parse().map_err(|_| {
        cs2(format!(
            "{name}=\"{}\" on <{}> is out of range",
            value, element.name
        ))
    })
}

fn listener(l: &Element<'_>) -> Result<Listener> {
    let address = l
        .attribute("N")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| cs2("a listener <L> has no address (N)".into()))?;
    let port = match l.attribute("P") {
        Some(p) => Some(
            parse_port(p).map_err(|e| cs2(format!("listener {}: {e}", quote_value(address))))?,
        ),
        None => None,
    };
    let uri = match l.attribute("U") {
        Some("") => return Err(cs2("a listener has an empty URI (U)".into())),
        Some(u) => Some(u.to_string()),
        None => None,
    };
    if port.is_none() && uri.is_none() {
        return Err(cs2(format!(
            "listener {} has neither a port (P) nor a URI (U)",
            quote_value(address)
        )));
    }
    Ok(Listener {
        address: address.to_string(),
        port,
        uri,
    })
}

fn check_base64(value: &str, what: &str, length: Option<usize>) -> Result<()> {
    let bytes = Zeroizing::new(
        BASE64
            .decode(value)
            .map_err(|_| cs2(format!("{what} \"{}\" is not base64", quote_value(value))))?,
    );
    if bytes.is_empty() {
        return Err(cs2(format!("{what} is empty")));
    }
    match length {
        Some(expected) if bytes.len() != expected => Err(cs2(format!(
            "{what} decodes to {} bytes, expected {expected}",
            bytes.len()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = "<E>\n<A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" \
        KH2=\"sha256:wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=\" \
        ID=\"8rYm30RBW8/4dAWoUsWbFCF5jno/7jr5tNpHQc2goLbw4uuBBJvLsU02YYLlBMg5\"/>\n<C>\n\
        <T ID=\"1\" SID=\"1440550163\">\n<L P=\"49749\" N=\"2001:4898:1a:5:79e2:3356:9b22:3470\"/>\n\
        <L P=\"49751\" N=\"172.31.250.64\"/>\n</T>\n</C>\n</E>";

    #[test]
    fn parses_the_spec_example() {
        let cs = ConnectionString2::parse(SPEC_EXAMPLE, &Limits::default()).unwrap();
        assert_eq!(cs.kh.as_deref(), Some("YiKwWUY8Ioq5NB3wAQHSbs5kwrM="));
        let kh2 = cs.kh2.as_ref().unwrap();
        assert_eq!(kh2.algorithm, HashAlgorithm::Sha256);
        assert_eq!(kh2.hash, "wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=");
        assert_eq!(cs.transports.len(), 1);
        assert_eq!(cs.transports[0].session_id, 1440550163);
        let ports: Vec<_> = cs.listeners().map(|l| l.port).collect();
        assert_eq!(ports, vec![Some(49749), Some(49751)]);
        // Formatting gives Windows' compact layout, which parses back to the same value.
        let again = ConnectionString2::parse(&cs.to_text(), &Limits::default()).unwrap();
        assert_eq!(again, cs);
    }

    #[test]
    fn refuses_broken_tickets() {
        let ok = "<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>";
        assert!(ConnectionString2::parse(ok, &Limits::default()).is_ok());
        for (from, to) in [
            ("P=\"1\"", "P=\"0\""),
            ("P=\"1\"", "P=\"70000\""),
            ("P=\"1\"", ""),
            ("N=\"h\"", ""),
            ("ID=\"AAAA\"", ""),
            ("ID=\"AAAA\"", "ID=\"!\""),
            ("KH=\"YiKw", "KH=\"Yi"),
            ("SID=\"0\"", "SID=\"-1\""),
            ("SID=\"0\"", "SID=\"99999999999\""),
            ("<C>", "<C><X/>"),
            ("</C>", "</C><C/>"),
            ("<E>", "<!DOCTYPE E><E>"),
            ("ID=\"AAAA\"", "ID=\"AAAA\" KH2=\"md5:AAAA\""),
        ] {
            let bad = ok.replacen(from, to, 1);
            assert!(
                ConnectionString2::parse(&bad, &Limits::default()).is_err(),
                "{bad}"
            );
        }
    }
}
