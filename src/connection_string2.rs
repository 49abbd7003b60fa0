//! Connection String 2, the XML inside an LHTICKET (MS-RAI 2.2.2).
//!
//! ```text
//! <E><A KH="b64" [KH2="sha256:b64"] ID="b64"/><C><T ID="1" SID="0"><L P="port" N="host"/>...</T></C></E>
//! ```
//!
//! Parsed values are wiped from memory when dropped: a decrypted ticket is a secret.

use std::fmt::Write as _;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::attribute::{self, Attribute};
use crate::connection_string1::parse_port;
use crate::error::{Error, Result, quote_value};
use crate::text::escape_attribute;
use crate::xml::{self, Attr, Limits, Reader, Token};

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
///
/// Made by [`Kh2::new`] or parsing (`"sha256:…".parse()`), which check the hash's length.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Kh2 {
    /// Which hash.
    pub algorithm: HashAlgorithm,
    /// The hash, base64 as written.
    pub hash: String,
}

impl Kh2 {
    /// A KH2 of `algorithm` with `hash` (base64 of a hash of that algorithm's length).
    pub fn new(algorithm: HashAlgorithm, hash: impl Into<String>) -> Result<Kh2> {
        let hash = hash.into();
        check_base64(&hash, "KH2 hash", Some(algorithm.hash_len()))?;
        Ok(Kh2 { algorithm, hash })
    }
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
        Kh2::new(algorithm.parse()?, hash)
    }
}

impl std::fmt::Display for Kh2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hash)
    }
}

/// One listener, owned: what [`ConnectionString2::new`] is built from (through [`Transport`]).
/// A parsed ticket lends its listeners as [`ListenerRef`]s.
///
/// Made by [`Listener::new`] or [`Listener::websocket`], which check it as the reader does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listener {
    /// N: IPv6 (possibly with `%zone`), IPv4 or a host name.
    pub address: String,
    /// P: the TCP port.
    pub port: Option<u16>,
    /// U: the full URI of a websocket listener, given instead of P.
    pub uri: Option<String>,
    /// Attributes beyond P, U and N, in order, kept as read (Windows writes none).
    pub extra: Vec<Attribute>,
}

/// One transport (`<T>`) and its listeners, owned: what [`ConnectionString2::new`] is built
/// from. A parsed ticket lends its transports as [`TransportRef`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transport {
    /// ID: the transport identifier (Windows writes 1).
    pub id: u32,
    /// SID: the terminal services session identifier.
    pub session_id: u32,
    /// The listeners, in the order experts try them.
    pub listeners: Vec<Listener>,
    /// Attributes beyond ID and SID, in order, kept as read (Windows writes none).
    pub extra: Vec<Attribute>,
}

/// One listener of a [`ConnectionString2`], borrowed from it
/// ([`ConnectionString2::listeners`], [`TransportRef::listeners`]); [`Listener`] is the owned
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerRef<'a> {
    /// N: IPv6 (possibly with `%zone`), IPv4 or a host name.
    pub address: &'a str,
    /// P: the TCP port.
    pub port: Option<u16>,
    /// U: the full URI of a websocket listener, given instead of P.
    pub uri: Option<&'a str>,
    /// Attributes beyond P, U and N, in order, kept as read (Windows writes none).
    pub extra: &'a [Attribute],
}

impl From<ListenerRef<'_>> for Listener {
    fn from(listener: ListenerRef<'_>) -> Listener {
        Listener {
            address: listener.address.to_string(),
            port: listener.port,
            uri: listener.uri.map(str::to_string),
            extra: listener.extra.to_vec(),
        }
    }
}

impl PartialEq<Listener> for ListenerRef<'_> {
    fn eq(&self, other: &Listener) -> bool {
        self.address == other.address
            && self.port == other.port
            && self.uri == other.uri.as_deref()
            && self.extra == other.extra
    }
}

impl PartialEq<ListenerRef<'_>> for Listener {
    fn eq(&self, other: &ListenerRef<'_>) -> bool {
        other == self
    }
}

/// One transport (`<T>`) of a [`ConnectionString2`], borrowed from it
/// ([`ConnectionString2::transports`]); [`Transport`] is the owned one.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct TransportRef<'a> {
    /// ID: the transport identifier (Windows writes 1).
    pub id: u32,
    /// SID: the terminal services session identifier.
    pub session_id: u32,
    /// Attributes beyond ID and SID, in order, kept as read (Windows writes none).
    pub extra: &'a [Attribute],
    values: &'a str,
    listeners: &'a [HeldListener],
}

impl<'a> TransportRef<'a> {
    /// The listeners, in the order experts try them (at least one).
    pub fn listeners(&self) -> Listeners<'a> {
        Listeners {
            values: self.values,
            rest: self.listeners.iter(),
        }
    }
}

impl std::fmt::Debug for TransportRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportRef")
            .field("id", &self.id)
            .field("session_id", &self.session_id)
            .field("listeners", &self.listeners().collect::<Vec<_>>())
            .field("extra", &self.extra)
            .finish()
    }
}

impl PartialEq for TransportRef<'_> {
    fn eq(&self, other: &TransportRef<'_>) -> bool {
        self.id == other.id
            && self.session_id == other.session_id
            && self.extra == other.extra
            && self.listeners().eq(other.listeners())
    }
}

impl Eq for TransportRef<'_> {}

impl From<TransportRef<'_>> for Transport {
    fn from(transport: TransportRef<'_>) -> Transport {
        Transport {
            id: transport.id,
            session_id: transport.session_id,
            listeners: transport.listeners().map(Listener::from).collect(),
            extra: transport.extra.to_vec(),
        }
    }
}

impl PartialEq<Transport> for TransportRef<'_> {
    fn eq(&self, other: &Transport) -> bool {
        self.id == other.id
            && self.session_id == other.session_id
            && self.extra == other.extra
            && self.listeners().len() == other.listeners.len()
            && self.listeners().zip(&other.listeners).all(|(a, b)| a == *b)
    }
}

impl PartialEq<TransportRef<'_>> for Transport {
    fn eq(&self, other: &TransportRef<'_>) -> bool {
        other == self
    }
}

/// The iterator impls of a type that lends views (`$view`) of the held items its `rest` walks,
/// through its `view` method: the same for listeners and transports.
macro_rules! lending_iterator {
    ($name:ident, $view:ident) => {
        impl<'a> Iterator for $name<'a> {
            type Item = $view<'a>;

            fn next(&mut self) -> Option<$view<'a>> {
                let held = self.rest.next()?;
                Some(self.view(held))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.rest.size_hint()
            }
        }

        impl DoubleEndedIterator for $name<'_> {
            fn next_back(&mut self) -> Option<Self::Item> {
                let held = self.rest.next_back()?;
                Some(self.view(held))
            }
        }

        impl ExactSizeIterator for $name<'_> {}

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    };
}

/// Listeners of a [`ConnectionString2`], in order ([`ConnectionString2::listeners`],
/// [`TransportRef::listeners`]).
#[derive(Clone)]
pub struct Listeners<'a> {
    values: &'a str,
    rest: std::slice::Iter<'a, HeldListener>,
}

impl<'a> Listeners<'a> {
    fn view(&self, held: &'a HeldListener) -> ListenerRef<'a> {
        ListenerRef {
            address: held.address.of(self.values),
            port: u16::try_from(held.port).ok(),
            uri: held.uri.map(|uri| uri.of(self.values)),
            extra: &held.extra,
        }
    }
}

lending_iterator!(Listeners, ListenerRef);

/// Transports of a [`ConnectionString2`], in order ([`ConnectionString2::transports`]).
#[derive(Clone)]
pub struct Transports<'a> {
    ticket: &'a ConnectionString2,
    rest: std::slice::Iter<'a, HeldTransport>,
}

impl<'a> Transports<'a> {
    fn view(&self, held: &'a HeldTransport) -> TransportRef<'a> {
        TransportRef {
            id: held.id,
            session_id: held.session_id,
            extra: &held.extra,
            values: &self.ticket.values,
            listeners: &self.ticket.listeners[held.listeners_start..held.listeners_end],
        }
    }
}

lending_iterator!(Transports, TransportRef);

/// Where a value lies in a [`ConnectionString2`]'s string of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn of(self, values: &str) -> &str {
        &values[self.start..self.end]
    }
}

/// A listener as a [`ConnectionString2`] holds it: its text in the ticket's string of values.
#[derive(Clone)]
struct HeldListener {
    address: Span,
    /// The port, or [`NO_PORT`]. A whole word rather than an `Option<u16>`, whose two halves
    /// are stored apart and then read together when the listener is moved into its `Vec`,
    /// which the processor cannot forward from the stores (docs/performance.md).
    port: u64,
    uri: Option<Span>,
    extra: Vec<Attribute>,
}

/// [`HeldListener::port`] when there is none.
const NO_PORT: u64 = u64::MAX;

/// An optional port as a [`HeldListener`] holds it.
fn held_port(port: Option<u16>) -> u64 {
    port.map_or(NO_PORT, u64::from)
}

/// A transport as a [`ConnectionString2`] holds it: its listeners are
/// `listeners[listeners_start..listeners_end]` of the ticket.
#[derive(Clone)]
struct HeldTransport {
    id: u32,
    session_id: u32,
    listeners_start: usize,
    listeners_end: usize,
    extra: Vec<Attribute>,
}

/// A Connection String 2: the plaintext of an LHTICKET, or a bare `<E>` document.
///
/// Made by [`ConnectionString2::parse`] or [`ConnectionString2::new`]; either way it is one the
/// reader accepts, so [`ConnectionString2::to_text`] always reads back equal. Its text is
/// wiped from memory when dropped, and its `Debug` output leaves out the session ID.
#[derive(Clone)]
pub struct ConnectionString2 {
    /// KH, ID and every listener's address and URI, in one string: one allocation for all,
    /// wiped whole.
    values: String,
    kh: Option<Span>,
    id: Span,
    kh2: Option<Kh2>,
    extra: Vec<Attribute>,
    /// One transport in every ticket Windows writes: held in place, one allocation less.
    transports: HeldTransports,
    /// The listeners of all transports, in order: one allocation for all.
    listeners: Vec<HeldListener>,
}

type HeldTransports = smallvec::SmallVec<[HeldTransport; 1]>;

/// Room for the values of a ticket as Windows writes it (Windows 7's take 170 bytes), so that
/// reading one seldom grows the string.
const VALUES_CAPACITY: usize = 256;

/// Append `value` to `values`; where it now lies. A string that must grow is copied into a new
/// one and the old one wiped: a reallocation would leave the old bytes behind unwiped.
fn push_value(values: &mut String, value: &str) -> Span {
    if values.capacity() - values.len() < value.len() {
        let needed = values.len() + value.len();
        let mut grown = String::with_capacity(needed.max(2 * values.capacity()));
        grown.push_str(values);
        crate::crypto::wipe_string(&mut std::mem::replace(values, grown));
    }
    let start = values.len();
    values.push_str(value);
    Span {
        start,
        end: values.len(),
    }
}

/// Where `value` will lie in the string of values that starts with `source`: its range there
/// when `source` holds it (the reader lends unescaped values from the text), else a copy
/// appended to `values`, which will follow `source`.
fn place(values: &mut String, source: &str, value: &str) -> Span {
    let offset = (value.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
    if offset <= source.len() && value.len() <= source.len() - offset {
        return Span {
            start: offset,
            end: offset + value.len(),
        };
    }
    let copy = push_value(values, value);
    Span {
        start: source.len() + copy.start,
        end: source.len() + copy.end,
    }
}

impl PartialEq for ConnectionString2 {
    fn eq(&self, other: &ConnectionString2) -> bool {
        // By what the accessors give: the same values may lie in another order in `values`.
        self.kh() == other.kh()
            && self.id() == other.id()
            && self.kh2 == other.kh2
            && self.extra == other.extra
            && self.transports().eq(other.transports())
    }
}

impl Eq for ConnectionString2 {}

impl std::fmt::Debug for ConnectionString2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionString2")
            .field("kh", &self.kh())
            .field("kh2", &self.kh2)
            .field("id", &crate::crypto::Redacted)
            .field("extra", &self.extra)
            .field("transports", &self.transports())
            .finish()
    }
}

impl Drop for ConnectionString2 {
    fn drop(&mut self) {
        // `wipe_string` does what `zeroize` does, sixteen bytes at a time. Plain loops: a chain
        // of flattening iterators cost more than the wiping.
        fn wipe_attributes(attributes: &mut [Attribute]) {
            for a in attributes {
                crate::crypto::wipe_string(&mut a.name);
                crate::crypto::wipe_string(&mut a.value);
            }
        }
        crate::crypto::wipe_string(&mut self.values);
        if let Some(kh2) = &mut self.kh2 {
            crate::crypto::wipe_string(&mut kh2.hash);
        }
        wipe_attributes(&mut self.extra);
        for t in &mut self.transports {
            wipe_attributes(&mut t.extra);
        }
        for l in &mut self.listeners {
            wipe_attributes(&mut l.extra);
        }
    }
}

impl Listener {
    /// A TCP listener: an IPv6 address (possibly with `%zone`), an IPv4 address or a host
    /// name, and a port.
    pub fn new(address: impl Into<String>, port: u16) -> Result<Listener> {
        Listener {
            address: address.into(),
            port: Some(port),
            uri: None,
            extra: Vec::new(),
        }
        .checked()
    }

    /// A websocket listener: the address and the full URI Windows gives instead of a port.
    pub fn websocket(address: impl Into<String>, uri: impl Into<String>) -> Result<Listener> {
        Listener {
            address: address.into(),
            port: None,
            uri: Some(uri.into()),
            extra: Vec::new(),
        }
        .checked()
    }

    /// The listener, if a ticket holding it reads back with it unchanged.
    fn checked(self) -> Result<Listener> {
        let transport = Transport::new(0, 0, vec![self]);
        let ticket = ConnectionString2::new("AAAA", vec![transport])?;
        let mut listeners = ticket.listeners();
        listeners
            .next()
            .map(Listener::from)
            .ok_or_else(|| cs2("a listener did not read back".into()))
    }
}

impl Transport {
    /// A transport (`<T>`): its ID (Windows writes 1), the terminal services session and its
    /// listeners. [`ConnectionString2::new`] checks it.
    pub fn new(id: u32, session_id: u32, listeners: Vec<Listener>) -> Transport {
        Transport {
            id,
            session_id,
            listeners,
            extra: Vec::new(),
        }
    }
}

impl ConnectionString2 {
    /// A Connection String 2 with session `id` (base64) and `transports`, checked as the
    /// reader checks one under default [`Limits`].
    pub fn new(id: impl Into<String>, transports: Vec<Transport>) -> Result<ConnectionString2> {
        let mut id = id.into();
        let ticket = ConnectionString2::from_parts(None, None, &id, Vec::new(), transports);
        crate::crypto::wipe_string(&mut id);
        ticket.checked()
    }

    /// The same ticket with KH (base64 SHA-1 of the RDP server's public key blob).
    pub fn with_kh(mut self, kh: impl Into<String>) -> Result<ConnectionString2> {
        let mut kh = kh.into();
        self.kh = Some(push_value(&mut self.values, &kh));
        crate::crypto::wipe_string(&mut kh);
        self.checked()
    }

    /// The same ticket with KH2.
    pub fn with_kh2(mut self, kh2: Kh2) -> Result<ConnectionString2> {
        self.kh2 = Some(kh2);
        self.checked()
    }

    /// The same ticket with further attributes of `<A>`, written after KH2, before ID.
    pub fn with_extra(mut self, extra: Vec<Attribute>) -> Result<ConnectionString2> {
        self.extra = extra;
        self.checked()
    }

    /// The ticket, if its text reads back as this very ticket: the reader's rules are the only
    /// ones, and the writer keeps to them.
    fn checked(self) -> Result<ConnectionString2> {
        let back = ConnectionString2::parse(&self.to_text(), &Limits::default())?;
        if back != self {
            return Err(Error::Write(
                "this Connection String 2 would not read back as written".into(),
            ));
        }
        Ok(self)
    }

    /// KH: base64 SHA-1 of the novice's RDP server public key blob.
    pub fn kh(&self) -> Option<&str> {
        self.kh.map(|kh| kh.of(&self.values))
    }

    /// KH2: the same key hashed with SHA-2.
    pub fn kh2(&self) -> Option<&Kh2> {
        self.kh2.as_ref()
    }

    /// ID: the session / authorisation identifier (48 random bytes, base64, on Windows).
    /// Whoever holds it can connect: keep it out of logs.
    pub fn id(&self) -> &str {
        self.id.of(&self.values)
    }

    /// A ticket with no values yet, its string of values of `capacity`.
    fn empty(capacity: usize) -> ConnectionString2 {
        ConnectionString2 {
            values: String::with_capacity(capacity),
            kh: None,
            id: Span::default(),
            kh2: None,
            extra: Vec::new(),
            transports: HeldTransports::new(),
            listeners: Vec::new(),
        }
    }

    /// A ticket of these parts, unchecked.
    fn from_parts(
        kh: Option<&str>,
        kh2: Option<Kh2>,
        id: &str,
        extra: Vec<Attribute>,
        transports: Vec<Transport>,
    ) -> ConnectionString2 {
        let listeners = transports.iter().flat_map(|t| &t.listeners);
        let capacity = kh.map_or(0, str::len)
            + id.len()
            + listeners
                .clone()
                .map(|l| l.address.len() + l.uri.as_ref().map_or(0, String::len))
                .sum::<usize>();
        let mut ticket = ConnectionString2::empty(capacity);
        ticket.kh = kh.map(|kh| push_value(&mut ticket.values, kh));
        ticket.id = push_value(&mut ticket.values, id);
        ticket.kh2 = kh2;
        ticket.extra = extra;
        ticket.listeners = Vec::with_capacity(listeners.count());
        for mut t in transports {
            let listeners_start = ticket.listeners.len();
            for mut l in t.listeners {
                let held = HeldListener {
                    address: push_value(&mut ticket.values, &l.address),
                    port: held_port(l.port),
                    uri: l
                        .uri
                        .as_deref()
                        .map(|uri| push_value(&mut ticket.values, uri)),
                    extra: std::mem::take(&mut l.extra),
                };
                ticket.listeners.push(held);
            }
            ticket.transports.push(HeldTransport {
                id: t.id,
                session_id: t.session_id,
                listeners_start,
                listeners_end: ticket.listeners.len(),
                extra: std::mem::take(&mut t.extra),
            });
        }
        ticket
    }

    /// Further attributes of `<A>` (newer Windows adds a certificate, for example), in order.
    pub fn extra(&self) -> &[Attribute] {
        &self.extra
    }

    /// The transports, in order (at least one), each with its listeners.
    pub fn transports(&self) -> Transports<'_> {
        Transports {
            ticket: self,
            rest: self.transports.iter(),
        }
    }

    /// All listeners of all transports, in order.
    pub fn listeners(&self) -> Listeners<'_> {
        Listeners {
            values: &self.values,
            rest: self.listeners.iter(),
        }
    }

    /// Parse a Connection String 2 from its text, under `limits`.
    pub fn parse(text: &str, limits: &Limits) -> Result<ConnectionString2> {
        Self::parse_tokens(Reader::new(text, limits), limits)
    }

    /// Parse the text of a decrypted LHTICKET, which was UTF-16, keeping the text: it becomes
    /// the start of the ticket's string of values ([`ConnectionString2::source_text`]), and
    /// the values the reader lends from it are ranges of it, not copies. Wiped on an error.
    pub(crate) fn parse_decrypted(text: String, limits: &Limits) -> Result<ConnectionString2> {
        let text = crate::crypto::SecretText::new(text);
        let reader = Reader::decoded(text.as_str(), limits, crate::text::SourceEncoding::Utf16Le);
        let mut ticket = Self::parse_from(reader, limits, text.as_str(), 0)?;
        // The copies (values that needed unescaping) follow the text, where their spans say.
        let copies = std::mem::replace(&mut ticket.values, text.into_string());
        push_value(&mut ticket.values, &copies);
        crate::crypto::wipe_string(&mut { copies });
        Ok(ticket)
    }

    /// The first `len` bytes of the string of values: the text a ticket was read from, when
    /// [`ConnectionString2::parse_decrypted`] read it.
    pub(crate) fn source_text(&self, len: usize) -> &str {
        &self.values[..len]
    }

    /// [`ConnectionString2::parse`] from the tokens of `reader`.
    fn parse_tokens(reader: Reader<'_, '_>, limits: &Limits) -> Result<ConnectionString2> {
        Self::parse_from(reader, limits, "", VALUES_CAPACITY)
    }

    /// [`ConnectionString2::parse_tokens`], values lying in `source` held as ranges of it.
    fn parse_from(
        mut reader: Reader<'_, '_>,
        limits: &Limits,
        source: &str,
        capacity: usize,
    ) -> Result<ConnectionString2> {
        let parsed = match reader.next()? {
            Token::Start(name) if xml::same_name(name, "E") => {
                Self::read_from(&mut reader, limits, source, capacity)
            }
            Token::Start(other) => Err(cs2(format!(
                "root element is <{}>, expected <E>",
                quote_value(other)
            ))),
            Token::End(_) | Token::Eof => Err(cs2("no root element".into())),
        };
        parsed.map_err(|e| reader.finish(e))
    }

    /// The grammar of a Connection String 2, from just after `<E>`'s start tag to the end of
    /// the document: `<E>` holds one `<A>` (KH, KH2, ID and any further attributes; empty)
    /// and one `<C>`, which holds `<T ID SID>` transports of `<L>` listeners (empty).
    pub(crate) fn read(reader: &mut Reader<'_, '_>, limits: &Limits) -> Result<ConnectionString2> {
        Self::read_from(reader, limits, "", VALUES_CAPACITY)
    }

    /// [`ConnectionString2::read`]: values that lie in `source` are held as ranges of it
    /// (the caller puts `source` at the start of the string of values), others copied after
    /// it into a string of values of `capacity`.
    fn read_from(
        reader: &mut Reader<'_, '_>,
        limits: &Limits,
        source: &str,
        capacity: usize,
    ) -> Result<ConnectionString2> {
        no_attributes(reader, "E")?;
        // Filled in as read; dropped (and so wiped) on an error.
        let mut ticket = ConnectionString2::empty(capacity);
        let mut has_authentication = false;
        let mut has_connector = false;
        loop {
            match reader.next()? {
                Token::Start(name) if xml::same_name(name, "A") => {
                    if has_authentication {
                        return Err(cs2("<E> has more than one <A>".into()));
                    }
                    has_authentication = true;
                    ticket.authentication(reader.attributes(), source)?;
                    if !matches!(reader.next()?, Token::End(_)) {
                        return Err(cs2("<A> must be empty".into()));
                    }
                }
                Token::Start(name) if xml::same_name(name, "C") => {
                    if has_connector {
                        return Err(cs2("<E> has more than one <C>".into()));
                    }
                    has_connector = true;
                    no_attributes(reader, "C")?;
                    ticket.connector(reader, limits, source)?;
                }
                Token::Start(other) => {
                    return Err(cs2(format!(
                        "unexpected element <{}> in <E>",
                        quote_value(other)
                    )));
                }
                Token::End(_) | Token::Eof => break,
            }
        }
        if !matches!(reader.next()?, Token::Eof) {
            return Err(cs2("content after </E>".into()));
        }
        if !has_authentication {
            return Err(cs2("<E> has no <A>".into()));
        }
        if !has_connector {
            return Err(cs2("<E> has no <C>".into()));
        }
        Ok(ticket)
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
        if let Some(kh) = self.kh() {
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
        attribute(o, "ID", self.id());
        o.push_str("/><C>");
        for t in self.transports() {
            let _ = write!(o, "<T ID=\"{}\" SID=\"{}\"", t.id, t.session_id);
            for extra in t.extra {
                attribute(o, &extra.name, &extra.value);
            }
            o.push('>');
            for l in t.listeners() {
                o.push_str("<L");
                if let Some(port) = l.port {
                    let _ = write!(o, " P=\"{port}\"");
                }
                if let Some(uri) = l.uri {
                    attribute(o, "U", uri);
                }
                attribute(o, "N", l.address);
                for extra in l.extra {
                    attribute(o, &extra.name, &extra.value);
                }
                o.push_str("/>");
            }
            o.push_str("</T>");
        }
        o.push_str("</C></E>\r\n");
        out
    }

    /// Read `<A>`'s attributes: KH and ID into the string of values (owned values, those that
    /// needed unescaping, wiped after), KH2, and the other attributes, in order, moved.
    fn authentication(&mut self, attributes: &[Attr<'_>], source: &str) -> Result<()> {
        // Values that had to be unescaped stay in the reader, which wipes them.
        let mut has_id = false;
        for Attr { name, value, .. } in attributes {
            if xml::same_name(name, "KH") {
                check_base64(value, "KH", Some(20))?;
                self.kh = Some(place(&mut self.values, source, value));
            } else if xml::same_name(name, "KH2") {
                self.kh2 = Some(value.parse::<Kh2>()?);
            } else if xml::same_name(name, "ID") {
                check_base64(value, "ID", None)?;
                self.id = place(&mut self.values, source, value);
                has_id = true;
            } else {
                self.extra.push(Attribute {
                    name: name.to_string(),
                    value: value.to_string(),
                });
            }
        }
        if !has_id {
            return Err(cs2("<A> has no ID attribute".into()));
        }
        Ok(())
    }

    /// `<C>`'s transports, from just after its start tag to its end tag.
    fn connector(
        &mut self,
        reader: &mut Reader<'_, '_>,
        limits: &Limits,
        source: &str,
    ) -> Result<()> {
        loop {
            if !next_child(reader, "T", "C")? {
                break;
            }
            let attributes = reader.attributes();
            let id = number(attributes, "T", "ID")?;
            let session_id = number(attributes, "T", "SID")?;
            let extra = attribute::all_but(attributes, &["ID", "SID"]);
            let listeners_start = self.listeners.len();
            loop {
                if !next_child(reader, "L", "T")? {
                    break;
                }
                if self.listeners.len() >= limits.max_listeners {
                    return Err(Error::Limit(format!(
                        "more than {} listeners in the ticket",
                        limits.max_listeners
                    )));
                }
                let held = listener(&mut self.values, source, reader.attributes())?;
                self.listeners.push(held);
                if !matches!(reader.next()?, Token::End(_)) {
                    return Err(cs2("<L> must be empty".into()));
                }
            }
            if self.listeners.len() == listeners_start {
                return Err(cs2("a <T> has no <L> listener".into()));
            }
            self.transports.push(HeldTransport {
                id,
                session_id,
                listeners_start,
                listeners_end: self.listeners.len(),
                extra,
            });
        }
        if self.transports.is_empty() {
            return Err(cs2("<C> has no <T> transport".into()));
        }
        Ok(())
    }
}

fn attribute(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, " {name}=\"{}\"", escape_attribute(value));
}

fn cs2(detail: String) -> Error {
    Error::ConnectionString2(detail)
}

/// Whether the next token is a `<child>` start tag (`false`: the end of `<parent>`); any
/// other element in `<parent>` is refused.
fn next_child(reader: &mut Reader<'_, '_>, child: &str, parent: &str) -> Result<bool> {
    match reader.next()? {
        Token::Start(name) if xml::same_name(name, child) => Ok(true),
        Token::Start(other) => Err(cs2(format!(
            "unexpected element <{}> in <{parent}>",
            quote_value(other)
        ))),
        Token::End(_) | Token::Eof => Ok(false),
    }
}

fn no_attributes(reader: &mut Reader<'_, '_>, element: &str) -> Result<()> {
    match reader.attributes().first() {
        Some(attribute) => Err(cs2(format!(
            "unexpected attribute {} on <{element}>",
            quote_value(attribute.name)
        ))),
        None => Ok(()),
    }
}

fn value<'v>(attributes: &'v [Attr<'_>], name: &str) -> Option<&'v str> {
    attributes
        .iter()
        .find(|a| xml::same_name(a.name, name))
        .map(|a| a.value.as_ref())
}

fn number(attributes: &[Attr<'_>], element: &str, name: &str) -> Result<u32> {
    let value = value(attributes, name)
        .ok_or_else(|| cs2(format!("<{element}> has no {name} attribute")))?;
    if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(cs2(format!(
            "{name}=\"{}\" on <{element}> is not a number",
            quote_value(value)
        )));
    }
    // At most ten digits, so no overflow in 64 bits; no call to the standard library's parser.
    let number = value
        .bytes()
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    u32::try_from(number)
        .map_err(|_| cs2(format!("{name}=\"{value}\" on <{element}> is out of range")))
}

/// A listener `<L>` of these attributes, its address and URI placed as [`place`] does.
fn listener(values: &mut String, source: &str, attributes: &[Attr<'_>]) -> Result<HeldListener> {
    // One pass over the attributes (the reader has refused duplicate names), not one search
    // per name.
    let (mut address, mut port, mut uri, mut others) = (None, None, None, false);
    for a in attributes {
        match a.name {
            "N" => address = Some(a.value.as_ref()),
            "P" => port = Some(a.value.as_ref()),
            "U" => uri = Some(a.value.as_ref()),
            _ => others = true,
        }
    }
    let address = address
        .filter(|n| !n.is_empty())
        .ok_or_else(|| cs2("a listener <L> has no address (N)".into()))?;
    let port = match port {
        Some(p) => Some(
            parse_port(p).map_err(|e| cs2(format!("listener {}: {e}", quote_value(address))))?,
        ),
        None => None,
    };
    if uri == Some("") {
        return Err(cs2("a listener has an empty URI (U)".into()));
    }
    if port.is_none() && uri.is_none() {
        return Err(cs2(format!(
            "listener {} has neither a port (P) nor a URI (U)",
            quote_value(address)
        )));
    }
    Ok(HeldListener {
        address: place(values, source, address),
        port: held_port(port),
        uri: uri.map(|uri| place(values, source, uri)),
        extra: if others {
            attribute::all_but(attributes, &["P", "U", "N"])
        } else {
            Vec::new()
        },
    })
}

/// Check that `value` is non-empty base64 (of `length` bytes when given), reporting problems
/// with `error` (each ticket has its own error variant). Shared with Connection String 1.
pub(crate) fn check_base64_as(
    value: &str,
    what: &str,
    length: Option<usize>,
    error: fn(String) -> Error,
) -> Result<()> {
    let decoded = base64_decoded_length(value.as_bytes())
        .ok_or_else(|| error(format!("{what} \"{}\" is not base64", quote_value(value))))?;
    if decoded == 0 {
        return Err(error(format!("{what} is empty")));
    }
    match length {
        Some(expected) if decoded != expected => Err(error(format!(
            "{what} decodes to {decoded} bytes, expected {expected}"
        ))),
        _ => Ok(()),
    }
}

/// Each byte's value as a base64 symbol, or 0xFF.
const SYMBOLS: [u8; 256] = {
    let mut table = [0xFF; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Whether `text` is base64 of 20 bytes (a SHA-1 hash, as the KH is), that is whether
/// [`base64_decoded_length`] is 20: the same rules for the one length that can be, in
/// straight-line code (the general check's loop and padding cases cost more than the check
/// itself at this length).
#[inline]
pub(crate) fn is_base64_of_20(text: &[u8]) -> bool {
    let Ok(text) = <&[u8; 28]>::try_from(text) else {
        return false;
    };
    // 27 symbols and one `=`.
    all_base64_symbols(&text[..27])
        && text[27] == b'='
        && SYMBOLS[usize::from(text[26])] & 0b11 == 0
}

/// How many bytes `text` decodes to, if it is base64 as the `base64` crate's `STANDARD`
/// engine decodes it: the standard alphabet, padded to whole groups of four with `=`, and the
/// unused bits of the last symbol zero (canonical). `None` for anything else.
///
/// Why not decode with that engine: only the length is needed, and decoding (into a buffer to
/// wipe, since an ID is a secret) cost more than the rest of parsing `<A>`.
/// `checks_base64_as_the_base64_crate_decodes` holds the two together.
#[inline]
pub(crate) fn base64_decoded_length(text: &[u8]) -> Option<usize> {
    let symbol = |b: u8| Some(SYMBOLS[usize::from(b)]).filter(|&v| v != 0xFF);
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let padding = match text {
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    let symbols = &text[..text.len() - padding];
    if !all_base64_symbols(symbols) {
        return None;
    }
    // With padding, the last symbol carries 4 (two `=`) or 2 (one `=`) bits beyond the data.
    let unused_bits: u8 = match padding {
        2 => 0b1111,
        1 => 0b11,
        _ => 0,
    };
    if let Some(&last) = symbols.last()
        && symbol(last)? & unused_bits != 0
    {
        return None;
    }
    Some(text.len() / 4 * 3 - padding)
}

/// Whether every byte of `symbols` is in base64's standard alphabet (padding excluded).
///
/// Sixteen bytes at a time, each sixteen one vectorised fold, the last sixteen overlapping
/// those before them (checking a byte twice changes nothing): one fold over the whole value
/// leaves a remainder of up to fifteen bytes to a loop of a dozen instructions a byte, which
/// cost more than the rest for values of a few tens of bytes (IDs, KHs).
#[inline]
fn all_base64_symbols(symbols: &[u8]) -> bool {
    let is_symbol = |b: u8| {
        ((b | 0x20).wrapping_sub(b'a') < 26)
            | (b.wrapping_sub(b'0') < 10)
            | (b == b'+')
            | (b == b'/')
    };
    let all = |bytes: &[u8]| bytes.iter().fold(true, |all, &b| all & is_symbol(b));
    let Some(last) = symbols.last_chunk::<16>() else {
        return all(symbols);
    };
    let (chunks, _) = symbols.as_chunks::<16>();
    for chunk in chunks {
        if !all(chunk) {
            return false;
        }
    }
    all(last)
}

fn check_base64(value: &str, what: &str, length: Option<usize>) -> Result<()> {
    check_base64_as(value, what, length, Error::ConnectionString2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_ticket_wipes_its_values_and_reading_wipes_unescaped_copies() {
        use crate::crypto::tests::{take_wiped_lengths, wiped_whole};
        // KH written with a character reference, so reading it makes an owned copy.
        let text = "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue&#x2B;HA=\" ID=\"AAAA\"/>\
                    <C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"192.0.2.1\"/></T></C></E>";
        take_wiped_lengths();
        let cs = ConnectionString2::parse(text, &Limits::default()).unwrap();
        assert_eq!(cs.kh(), Some("BNRjdu97DyczQSRuMRrDWoue+HA="));
        assert!(
            take_wiped_lengths().iter().any(|&length| length >= 28),
            "the unescaped KH was not wiped"
        );
        let (address, capacity) = (cs.values.as_ptr() as usize, cs.values.capacity());
        drop(cs);
        assert!(wiped_whole(address, capacity));
    }
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;

    #[test]
    fn a_decrypted_ticket_keeps_its_text_and_lends_values_from_it_and_from_copies() {
        use crate::crypto::tests::{take_wiped_lengths, wiped_whole};
        // KH needs unescaping (a copy after the text); ID and the listeners lie in the text.
        let text = "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue&#x2B;HA=\" ID=\"AAAA\"/>\
                    <C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"192.0.2.1\"/>\
                    <L U=\"wss://h&amp;/\" N=\"h\"/></T></C></E>\r\n";
        take_wiped_lengths();
        let cs = ConnectionString2::parse_decrypted(text.to_string(), &Limits::default()).unwrap();
        assert_eq!(cs.source_text(text.len()), text);
        assert_eq!(cs.kh(), Some("BNRjdu97DyczQSRuMRrDWoue+HA="));
        assert_eq!(cs.id(), "AAAA");
        let listeners: Vec<_> = cs.listeners().map(|l| (l.address, l.port, l.uri)).collect();
        assert_eq!(
            listeners,
            [
                ("192.0.2.1", Some(3389), None),
                ("h", None, Some("wss://h&/"))
            ]
        );
        assert_eq!(
            cs,
            ConnectionString2::parse(text, &Limits::default()).unwrap()
        );
        views_equal_owned_copies(&cs);
        assert!(
            take_wiped_lengths().iter().any(|&length| length >= 28),
            "the unescaped KH was not wiped"
        );
        let (address, capacity) = (cs.values.as_ptr() as usize, cs.values.capacity());
        drop(cs);
        assert!(wiped_whole(address, capacity));
        // Refused: the text is wiped all the same.
        let bad = text.replace("ID=\"AAAA\"", "ID=\"!\"");
        let bad_copy = bad.clone();
        let (address, capacity) = (bad.as_ptr() as usize, bad.capacity());
        assert!(ConnectionString2::parse_decrypted(bad, &Limits::default()).is_err());
        assert!(wiped_whole(address, capacity), "{bad_copy}");
    }

    const SPEC_EXAMPLE: &str = "<E>\n<A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" \
        KH2=\"sha256:wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=\" \
        ID=\"8rYm30RBW8/4dAWoUsWbFCF5jno/7jr5tNpHQc2goLbw4uuBBJvLsU02YYLlBMg5\"/>\n<C>\n\
        <T ID=\"1\" SID=\"1440550163\">\n<L P=\"49749\" N=\"2001:4898:1a:5:79e2:3356:9b22:3470\"/>\n\
        <L P=\"49751\" N=\"172.31.250.64\"/>\n</T>\n</C>\n</E>";

    #[test]
    fn a_decrypted_ticket_may_declare_only_utf16() {
        let body = "<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>";
        let limits = Limits::default();
        for (label, accepted) in [
            ("UTF-16", true),
            ("Unicode", true),
            ("UTF-8", false),
            ("UTF-7", false),
        ] {
            let text = format!("<?xml version=\"1.0\" encoding=\"{label}\"?>{body}");
            let parsed = ConnectionString2::parse_decrypted(text.clone(), &limits);
            assert_eq!(parsed.is_ok(), accepted, "{label}: {parsed:?}");
            if !accepted {
                assert!(matches!(parsed, Err(Error::Encoding(_))), "{label}");
            }
        }
        assert!(ConnectionString2::parse_decrypted(body.into(), &limits).is_ok());
    }

    #[test]
    fn only_transports_stand_in_c_and_only_listeners_in_t() {
        let parse = |c: &str| {
            let text = format!("<E><A ID=\"AAAA\"/><C>{c}</C></E>");
            ConnectionString2::parse(&text, &Limits::default()).map(|_| ())
        };
        assert_eq!(
            parse("<T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T>"),
            Ok(())
        );
        for (c, message) in [
            (
                "<X ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></X>",
                "unexpected element <X> in <C>",
            ),
            (
                "<T ID=\"1\" SID=\"0\"><Y P=\"1\" N=\"h\"/></T>",
                "unexpected element <Y> in <T>",
            ),
        ] {
            let error = parse(c).unwrap_err().to_string();
            assert!(error.contains(message), "{c}: {error}");
        }
    }

    #[test]
    fn unknown_listener_and_transport_attributes_are_kept_and_written_back() {
        let text = "<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\" Z=\"z&#x9B;\"><L P=\"1\" N=\"h\" W=\"w\" V=\"&amp;\"/></T></C></E>\r\n";
        let cs = ConnectionString2::parse(text, &Limits::default()).unwrap();
        let t = cs.transports().next().unwrap();
        assert_eq!(t.extra, [Attribute::new("Z", "z\u{9B}")]);
        assert_eq!(
            t.listeners().next().unwrap().extra,
            [Attribute::new("W", "w"), Attribute::new("V", "&")]
        );
        assert_eq!(cs.to_text().as_str(), text.replace("&#x9B;", "\u{9B}"));
        assert_eq!(
            ConnectionString2::parse(&cs.to_text(), &Limits::default()).unwrap(),
            cs
        );
    }

    /// KH and ID share one string: in either order, written with character references or
    /// not, without KH, and after `with_kh`, each reads back as itself.
    #[test]
    fn kh_and_id_read_back_however_written() {
        let (kh, id) = ("YiKwWUY8Ioq5NB3wAQHSbs5kwrM=", "AAAA+/8=");
        let tail = "/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>";
        for (a, has_kh) in [
            (format!("<A KH=\"{kh}\" ID=\"{id}\""), true),
            (format!("<A ID=\"{id}\" KH=\"{kh}\""), true),
            (
                "<A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM&#61;\" ID=\"AAAA&#43;/8=\"".into(),
                true,
            ),
            (format!("<A ID=\"{id}\""), false),
        ] {
            let cs =
                ConnectionString2::parse(&format!("<E>{a}{tail}"), &Limits::default()).unwrap();
            assert_eq!(cs.kh(), has_kh.then_some(kh), "{a}");
            assert_eq!(cs.id(), id, "{a}");
            let cs = cs.with_kh("RcfwecK8dpcT1fjZ6iQ5M0+q7iU=").unwrap();
            assert_eq!(cs.kh(), Some("RcfwecK8dpcT1fjZ6iQ5M0+q7iU="));
            assert_eq!(cs.id(), id);
        }
        let listener = Listener::new("h", 1).unwrap();
        let new = ConnectionString2::new(id, vec![Transport::new(1, 0, vec![listener])]);
        assert_eq!(new.map(|cs| cs.id().to_string()).ok().as_deref(), Some(id));
    }

    /// Each borrowed transport and listener equals its owned copy (both ways), a ticket built
    /// from the owned copies equals the one read, and `Debug` shows listeners but not the ID.
    fn views_equal_owned_copies(cs: &ConnectionString2) {
        let owned: Vec<Transport> = cs.transports().map(Transport::from).collect();
        assert_eq!(cs.transports().len(), owned.len());
        for (view, transport) in cs.transports().zip(&owned) {
            assert_eq!(view, *transport);
            assert_eq!(*transport, view);
            assert_eq!(view.listeners().len(), transport.listeners.len());
            for (listener, copy) in view.listeners().zip(&transport.listeners) {
                assert_eq!(listener, *copy);
                assert_eq!(*copy, listener);
                assert_eq!(Listener::from(listener), *copy);
            }
        }
        assert!(
            cs.listeners()
                .eq(cs.transports().flat_map(|t| t.listeners()))
        );
        assert_eq!(cs.listeners().rev().count(), cs.listeners().len());
        let rebuilt = ConnectionString2::from_parts(
            cs.kh(),
            cs.kh2().cloned(),
            cs.id(),
            cs.extra().to_vec(),
            owned,
        );
        assert_eq!(rebuilt, *cs);
        assert_eq!(rebuilt.clone(), *cs);
        let debug = format!("{cs:?}");
        assert!(!debug.contains(cs.id()), "{debug}");
        assert!(
            cs.listeners()
                .all(|l| debug.contains(&format!("{:?}", l.address))),
            "{debug}"
        );
    }

    #[test]
    fn any_difference_makes_tickets_transports_and_listeners_unequal() {
        let listener = |address: &str, port, uri: Option<&str>, extra: &[(&str, &str)]| Listener {
            address: address.into(),
            port,
            uri: uri.map(str::to_string),
            extra: extra.iter().map(|&(n, v)| Attribute::new(n, v)).collect(),
        };
        let transport = |id, session_id, listeners, extra: &[(&str, &str)]| Transport {
            id,
            session_id,
            listeners,
            extra: extra.iter().map(|&(n, v)| Attribute::new(n, v)).collect(),
        };
        let base_listeners = || {
            vec![
                listener("10.0.0.1", Some(3389), None, &[("X", "1")]),
                listener("host", None, Some("wss://host/"), &[]),
            ]
        };
        let kh2 = |hash: &str| Kh2 {
            algorithm: HashAlgorithm::Sha256,
            hash: hash.into(),
        };
        type Parts = (
            Option<&'static str>,
            Option<Kh2>,
            &'static str,
            Vec<Attribute>,
            Vec<Transport>,
        );
        let base = || -> Parts {
            (
                Some("kh"),
                Some(kh2("h")),
                "id",
                vec![Attribute::new("E", "1")],
                vec![transport(1, 0, base_listeners(), &[("Y", "2")])],
            )
        };
        let make = |(kh, kh2, id, extra, transports): Parts| {
            ConnectionString2::from_parts(kh, kh2, id, extra, transports)
        };
        let mut variants: Vec<Parts> = Vec::new();
        let mut with = |change: &dyn Fn(&mut Parts)| {
            let mut parts = base();
            change(&mut parts);
            variants.push(parts);
        };
        with(&|p| p.0 = Some("other"));
        with(&|p| p.0 = None);
        with(&|p| p.1 = Some(kh2("other")));
        with(&|p| p.1 = None);
        with(&|p| p.2 = "other");
        with(&|p| p.3.clear());
        with(&|p| p.4[0].id = 2);
        with(&|p| p.4[0].session_id = 1);
        with(&|p| p.4[0].extra.clear());
        with(&|p| p.4[0].listeners.pop().map_or((), drop));
        with(&|p| p.4[0].listeners[0].address = "10.0.0.2".into());
        with(&|p| p.4[0].listeners[0].port = Some(3390));
        with(&|p| p.4[0].listeners[1].uri = Some("wss://other/".into()));
        with(&|p| p.4[0].listeners[0].extra.clear());
        with(&|p| p.4.push(transport(2, 0, base_listeners(), &[])));

        let original = make(base());
        assert_eq!(original, make(base()));
        for (i, parts) in variants.into_iter().enumerate() {
            let changed = make(parts);
            assert_ne!(original, changed, "variant {i}");
            let (Some(a), Some(b)) = (original.transports().next(), changed.transports().next())
            else {
                unreachable!("every variant has a transport");
            };
            let (owned_a, owned_b) = (Transport::from(a), Transport::from(b));
            if owned_a != owned_b {
                assert_ne!(a, b, "variant {i}");
                // Each direction is its own impl.
                assert_ne!(a, owned_b, "variant {i}");
                assert_ne!(owned_b, a, "variant {i}");
                assert_ne!(b, owned_a, "variant {i}");
                assert_ne!(owned_a, b, "variant {i}");
            }
            for (l, m) in a.listeners().zip(b.listeners()) {
                let (owned_l, owned_m) = (Listener::from(l), Listener::from(m));
                assert_eq!(l == m, owned_l == owned_m, "variant {i}");
                assert_eq!(l == owned_m, owned_l == owned_m, "variant {i}");
                assert_eq!(owned_m == l, owned_l == owned_m, "variant {i}");
            }
        }
    }

    #[test]
    fn borrowed_transports_and_listeners_equal_their_owned_copies() {
        views_equal_owned_copies(
            &ConnectionString2::parse(SPEC_EXAMPLE, &Limits::default()).unwrap(),
        );
        let mut rng = crate::test_support::Xorshift::new();
        let mut read = 0;
        for round in 0..2000 {
            let ops = rng.bytes(96);
            if let Ok(cs) =
                ConnectionString2::parse(&ticket(&ops, round % 2 == 0), &Limits::default())
            {
                views_equal_owned_copies(&cs);
                read += 1;
            }
        }
        assert!(read > 50, "{read}");
    }

    #[test]
    fn parses_the_spec_example() {
        let cs = ConnectionString2::parse(SPEC_EXAMPLE, &Limits::default()).unwrap();
        assert_eq!(cs.kh(), Some("YiKwWUY8Ioq5NB3wAQHSbs5kwrM="));
        let kh2 = cs.kh2.as_ref().unwrap();
        assert_eq!(kh2.algorithm, HashAlgorithm::Sha256);
        assert_eq!(kh2.hash, "wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=");
        assert_eq!(cs.transports().len(), 1);
        assert_eq!(cs.transports().next().unwrap().session_id, 1440550163);
        let ports: Vec<_> = cs.listeners().map(|l| l.port).collect();
        assert_eq!(ports, vec![Some(49749), Some(49751)]);
        // Formatting gives Windows' compact layout, which parses back to the same value
        // without leaving the Windows scanner (as the spaced-out example does not either).
        let again = ConnectionString2::parse(&cs.to_text(), &Limits::default()).unwrap();
        assert_eq!(again, cs);
        assert!(stays_with_the_windows_scanner(&cs.to_text()));
        assert!(stays_with_the_windows_scanner(SPEC_EXAMPLE));
        assert!(!stays_with_the_windows_scanner(&format!(
            "<!--x-->{SPEC_EXAMPLE}"
        )));
    }

    /// Both token sources give the grammar the same: the same ticket, or the same error.
    /// Returns whether the ticket was read.
    fn sources_agree(text: &str, limits: &Limits) -> bool {
        let fast = ConnectionString2::parse(text, limits);
        let quick = ConnectionString2::parse_tokens(Reader::quick_only(text, limits), limits);
        assert_eq!(fast, quick, "{text:?}");
        fast.is_ok()
    }

    /// Whether the Windows scanner reads all of `text`, never handing over to quick-xml.
    fn stays_with_the_windows_scanner(text: &str) -> bool {
        let limits = Limits::default();
        let mut reader = Reader::new(text, &limits);
        while let Ok(token) = reader.next() {
            if token == crate::xml::Token::Eof {
                break;
            }
        }
        reader.stayed_with_the_windows_scanner()
    }

    /// A ticket driven by `ops`: good and bad attributes, transports and listeners, spacing
    /// (none when `compact`, as Windows writes them).
    fn ticket(ops: &[u8], compact: bool) -> String {
        // Valid choices come first and most often; the rest break something.
        const A: [&str; 8] = [
            " KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\"",
            " KH2=\"sha256:wKSAkAV3sBfa9WpuRFJcP9q1twJc6wOBuoJ9tsyXwpk=\"",
            " CE=\"MIIC&#xA;4jCC&#xA;\"",
            " X='1'",
            " KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\"",
            " CE=\"MIIC&#xA;4jCC&#xA;\"",
            " KH=\"Yi\"",
            " KH2=\"md5:AAAA\"",
        ];
        const ID: [&str; 4] = [
            " ID=\"AAAA\"",
            "\n ID=\"8rYm30RBW8/4dAWoUsWbFCF5jno/7jr5tNpHQc2goLbw4uuBBJvLsU02YYLlBMg5\"",
            " ID=\"AAAA\"",
            " ID=\"!\"",
        ];
        const L: [&str; 10] = [
            "<L P=\"49749\" N=\"2001:4898:1a:5:79e2:3356:9b22:3470\"/>",
            "<L P=\"1\" N=\"h\"/>",
            "<L U=\"wss://x/\" N=\"h\"/>",
            "<L P=\"1\" N=\"h\"/>",
            "<L P=\"2\" U=\"u\" N=\"h\" W=\"w\" />",
            "<L P=\"0\" N=\"h\"/>",
            "<L N=\"h\"/>",
            "<L P=\"2\" N=\"\"/>",
            "<L P=\"3\" N=\"h\"></L>",
            "<X/>",
        ];
        const T: [&str; 6] = [
            "<T ID=\"1\" SID=\"0\">",
            "<T ID=\"1\" SID=\"1440550163\" Z=\"z\">",
            "<T SID=\"7\" ID=\"4294967295\">",
            "<T ID=\"1\">",
            "<T ID=\"-1\" SID=\"0\">",
            "<T SID=\"99999999999\" ID=\"2\">",
        ];
        let pick = |at: usize, n: usize| usize::from(ops.get(at).copied().unwrap_or(0)) % n;
        let space = |at: usize| {
            if compact {
                ""
            } else {
                ["", "", "\n", "\r\n "][pick(at, 4)]
            }
        };
        // Mostly valid: a choice among the first `good` entries unless `ops` says otherwise.
        let choose = |at: usize, good: usize, all: usize| {
            if pick(at, 8) == 0 {
                pick(at + 40, all)
            } else {
                pick(at + 40, good)
            }
        };
        let mut auth = String::from("<A");
        for k in 0..pick(0, 5) {
            auth.push_str(A[choose(1 + k, 6, A.len())]);
        }
        if pick(6, 8) > 0 {
            auth.push_str(ID[choose(7, 3, ID.len())]);
        }
        auth.push_str(if pick(8, 12) == 0 { "></A>" } else { "/>" });
        let mut connector = String::from("<C>");
        let mut at = 9;
        for _ in 0..1 + pick(at, 3) - usize::from(pick(at + 20, 12) == 0) {
            at += 1;
            connector.push_str(space(at));
            connector.push_str(T[choose(at, 3, T.len())]);
            at += 1;
            for _ in 0..1 + pick(at, 3) - usize::from(pick(at + 20, 12) == 0) {
                at += 1;
                connector.push_str(L[choose(at, 5, L.len())]);
                connector.push_str(space(at + 1));
            }
            connector.push_str("</T>");
            at += 2;
        }
        connector.push_str("</C>");
        let (first, second) = if pick(30, 6) == 0 {
            (&connector, &auth)
        } else {
            (&auth, &connector)
        };
        format!(
            "{}<E>{}{first}{}{second}{}</E>{}",
            ["", "<?xml version=\"1.0\"?>"][pick(31, 2) * usize::from(!compact)],
            space(32),
            space(33),
            space(34),
            ["\r\n", "", "\r\n", "<!--x-->"][pick(35, 4)]
        )
    }

    #[test]
    fn both_sources_read_and_refuse_alike() {
        let limits = Limits::default();
        assert!(sources_agree(SPEC_EXAMPLE, &limits));
        let ok = "<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" CE=\"a&#xA;b\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/><L U=\"u\" N=\"g\"/></T></C></E>\r\n";
        assert!(sources_agree(ok, &limits));
        assert!(stays_with_the_windows_scanner(ok));
        // Comments may stand before and after the root (quick-xml reads them).
        let commented = format!("<!--a-->{}<!--b-->", ok.replacen("</E>", "</E><!--x-->", 1));
        assert!(sources_agree(&commented, &limits));
        assert!(!stays_with_the_windows_scanner(&commented));
        for (from, to) in [
            ("<C>", "<C x=\"1\">"),
            ("<E>", "<E x=\"1\">"),
            ("P=\"1\"", "P=\"0\""),
            ("ID=\"AAAA\"", ""),
            ("</C>", "</C><C/>"),
            ("<L U", "<L X=\"1\"/><L U"),
            ("N=\"h\"", "N=\"h\" N=\"i\""),
            ("N=\"h\"", "N=\"<\""),
            ("</E>\r\n", "</E>x"),
            ("<L P=\"1\" N=\"h\"/>", "<L P=\"1\" N=\"h\"><X/></L>"),
        ] {
            assert!(!sources_agree(&ok.replacen(from, to, 1), &limits), "{to}");
        }
        let listeners = Limits {
            max_listeners: 1,
            ..Limits::default()
        };
        let elements = Limits {
            max_elements: 5,
            ..Limits::default()
        };
        let depth = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let attributes = Limits {
            max_attributes: 2,
            ..Limits::default()
        };
        let bytes = Limits {
            max_attribute_bytes: 3,
            ..Limits::default()
        };
        for (name, limited) in [
            ("listeners", listeners),
            ("elements", elements),
            ("depth", depth),
            ("attributes", attributes),
            ("bytes", bytes),
        ] {
            assert!(
                matches!(ConnectionString2::parse(ok, &limited), Err(Error::Limit(_))),
                "{name}"
            );
            assert!(!sources_agree(ok, &limited), "{name}");
        }
    }

    /// A valid Connection String 2: KH, KH2, extra attributes, one to three transports of one
    /// to three listeners.
    fn some_ticket() -> impl proptest::strategy::Strategy<Value = ConnectionString2> {
        use proptest::prelude::*;
        let text = proptest::collection::vec(
            proptest::sample::select(
                &[
                    "a",
                    "Z",
                    " ",
                    "\u{e9}",
                    "&",
                    "<",
                    ">",
                    "\"",
                    "'",
                    "\n",
                    "\r\n",
                    "\u{1F600}",
                ][..],
            ),
            1..6,
        )
        .prop_map(|pieces| pieces.concat());
        // An attribute Windows does not write, or none.
        let unknown = |name: &'static str| {
            proptest::option::of(text.clone()).prop_map(move |value| {
                value
                    .map(|value| Attribute {
                        name: name.to_string(),
                        value,
                    })
                    .into_iter()
                    .collect::<Vec<_>>()
            })
        };
        let listener = (
            proptest::sample::select(&["h", "10.0.0.1", "fe80::1%3", "MIKE_HOME"][..]),
            proptest::option::of(1..=65535u16),
            proptest::option::of(text.clone()),
            unknown("Q"),
        )
            .prop_map(|(address, port, uri, extra)| Listener {
                address: address.to_string(),
                // A listener needs a port or a URI.
                port: if uri.is_none() {
                    port.or(Some(1))
                } else {
                    port
                },
                uri,
                extra,
            });
        let transport = (
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec(listener, 1..=3),
            unknown("x-y"),
        )
            .prop_map(|(id, session_id, listeners, extra)| Transport {
                id,
                session_id,
                listeners,
                extra,
            });
        let extra = proptest::sample::subsequence(vec!["CE", "X1", "z.y-w_v"], 0..=2)
            .prop_flat_map(move |names| {
                names
                    .into_iter()
                    .map(|name| {
                        text.clone().prop_map(move |value| Attribute {
                            name: name.to_string(),
                            value,
                        })
                    })
                    .collect::<Vec<_>>()
            });
        (
            proptest::option::of(any::<[u8; 20]>()),
            proptest::option::of(any::<[u8; 32]>()),
            proptest::collection::vec(any::<u8>(), 1..48),
            extra,
            proptest::collection::vec(transport, 1..=3),
        )
            .prop_map(|(kh, kh2, id, extra, transports)| {
                ConnectionString2::from_parts(
                    kh.map(|kh| BASE64.encode(kh)).as_deref(),
                    kh2.map(|hash| Kh2 {
                        algorithm: HashAlgorithm::Sha256,
                        hash: BASE64.encode(hash),
                    }),
                    &BASE64.encode(id),
                    extra,
                    transports,
                )
            })
    }

    /// `text` with whitespace between some tags and perhaps an XML declaration: still what the
    /// plain path reads, no longer what the Windows path reads.
    fn spaced(text: &str, spaces: &[u8]) -> String {
        let mut out = String::new();
        if spaces.first().is_some_and(|s| s % 3 == 0) {
            out.push_str("<?xml version=\"1.0\"?>\r\n");
        }
        for (at, piece) in text.split_inclusive('>').enumerate() {
            out.push_str(piece);
            out.push_str(
                ["", "", "\n", "\r\n ", "\t"]
                    [usize::from(spaces.get(at).copied().unwrap_or(0) % 5)],
            );
        }
        out
    }

    #[test]
    fn both_sources_never_disagree() {
        // Tickets as rainv writes them, spaced out, some edited or under tight limits: the
        // unedited ones read back, without leaving the Windows scanner.
        use crate::test_support::{apply_edits, check_property, edits, some_limits};
        check_property(
            "cs2 both_sources_never_disagree",
            256,
            55,
            (
                some_ticket(),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 40),
                edits(4),
                some_limits(),
            ),
            |(cs, spaces, edits, limits)| {
                let text = apply_edits(&spaced(&cs.to_text(), &spaces), &edits);
                let read = sources_agree(&text, &limits);
                if edits.is_empty() && limits == Limits::default() {
                    assert_eq!(ConnectionString2::parse(&text, &limits), Ok(cs));
                    assert!(stays_with_the_windows_scanner(&text), "{text:?}");
                }
                read
            },
        );
        // Templates good and bad, compact as Windows writes them and spaced out.
        let mut rng = crate::test_support::Xorshift::new();
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..3000 {
            let ops = rng.bytes(96);
            if rng.check(|| sources_agree(&ticket(&ops, round % 2 == 0), &Limits::default())) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // (Most generated tickets break something, so most are refused.)
        assert!(
            accepted > 100 && refused > 300,
            "{accepted} accepted, {refused} refused; {rng}"
        );
    }

    #[test]
    fn checks_base64_as_the_base64_crate_decodes() {
        // Every string of up to six symbols from an alphabet with canonical and non-canonical
        // last symbols, padding, and a byte outside the alphabet.
        let alphabet = b"ABQgw/+=9!";
        let mut texts = vec![Vec::new()];
        for length in 1..=6 {
            let mut indices = vec![0usize; length];
            loop {
                texts.push(indices.iter().map(|&i| alphabet[i]).collect::<Vec<u8>>());
                let Some(at) = indices.iter().rposition(|&i| i + 1 < alphabet.len()) else {
                    break;
                };
                indices[at] += 1;
                indices[at + 1..].fill(0);
            }
        }
        for text in &texts {
            assert_eq!(
                base64_decoded_length(text),
                BASE64.decode(text).ok().map(|bytes| bytes.len()),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// Texts long enough for the sixteen-at-a-time check, whole chunks and not: any byte
    /// value at any place (the overlapping last chunk included) is judged as the base64 crate
    /// does.
    #[test]
    fn long_base64_agrees_with_the_base64_crate_whatever_byte_is_changed() {
        for len in 4..=40 {
            let valid = BASE64.encode((0..len).map(|i| (i * 37) as u8).collect::<Vec<u8>>());
            for at in 0..valid.len() {
                for b in 0..=255u8 {
                    let mut text = valid.clone().into_bytes();
                    text[at] = b;
                    assert_eq!(
                        base64_decoded_length(&text),
                        BASE64.decode(&text).ok().map(|bytes| bytes.len()),
                        "{len} {at} {b}"
                    );
                }
            }
        }
    }

    /// The KH check is the general one held to 20 bytes: on 20-byte values (with last symbols
    /// of every kind), with any byte changed to any value, and on other lengths.
    #[test]
    fn the_kh_check_is_the_general_check_held_to_20_bytes() {
        let mut texts = Vec::new();
        for last in 0..=255u8 {
            let kh: Vec<u8> = (0..20u8).map(|i| i.wrapping_mul(41) ^ last).collect();
            texts.push(BASE64.encode(kh).into_bytes());
        }
        for at in 0..28 {
            for b in 0..=255u8 {
                let mut text = texts[7].clone();
                text[at] = b;
                texts.push(text);
            }
        }
        for len in 0..=40 {
            texts.push(BASE64.encode(vec![9u8; len]).into_bytes());
            texts.push(vec![b'A'; len]);
        }
        texts.push(b"AAAAAAAAAAAAAAAAAAAAAAAAAA==".to_vec());
        for text in &texts {
            assert_eq!(
                is_base64_of_20(text),
                base64_decoded_length(text) == Some(20),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn base64_checks_judge_values_of_any_length() {
        for len in [0usize, 1, 20, 48, 95, 96, 97, 200] {
            let text = BASE64.encode(vec![7u8; len]);
            let expected = if len == 0 { Err(()) } else { Ok(()) };
            assert_eq!(
                check_base64(&text, "X", None).map_err(|_| ()),
                expected,
                "{len}"
            );
            assert_eq!(check_base64(&text, "X", Some(len)).is_ok(), len > 0);
            assert!(check_base64(&text, "X", Some(len + 1)).is_err());
            let broken = format!("{text}!");
            assert!(check_base64(&broken, "X", None).is_err());
        }
        assert!(check_base64("AAA", "X", None).is_err());
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
