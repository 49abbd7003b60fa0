//! The invitation file: reading any generation Windows wrote, and writing them back.

use std::fmt::Write as _;

use compact_str::CompactString;
use zeroize::Zeroizing;

use crate::attribute::{self, Attribute};
use crate::connection_string1::ConnectionString1;
use crate::connection_string2::ConnectionString2;
use crate::crypto::{self, Password, TicketKey};
use crate::error::{Error, Result, quote_value};
use crate::text::{self, escape_attribute};
use crate::validity::Validity;
use crate::xml::{self, Attr, Limits, Reader, Token};

/// An encrypted LHTICKET, kept as the validated hex text from the file.
///
/// Decoding waits until decryption, so reading a file never pays for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LhTicket {
    hex: String,
}

impl LhTicket {
    /// Validate LHTICKET hex (either case): whole AES blocks, within `limits`.
    pub fn from_hex(hex: &str, limits: &Limits) -> Result<LhTicket> {
        Self::from_hex_checked(hex, limits, false)
    }

    /// [`LhTicket::from_hex`], told whether the XML reader has already found `hex` to be hex
    /// digits only.
    fn from_hex_checked(hex: &str, limits: &Limits, known_digits: bool) -> Result<LhTicket> {
        let bytes = hex.len() / 2;
        if bytes > limits.max_ticket_bytes {
            return Err(Error::Limit(format!(
                "LHTICKET holds {bytes} bytes, above the limit of {}",
                limits.max_ticket_bytes
            )));
        }
        if !known_digits
            && !text::is_hex(hex.as_bytes())
            && let Some(at) = hex.bytes().position(|b| !b.is_ascii_hexdigit())
        {
            return Err(Error::LhTicket(format!(
                "character {} is not a hex digit",
                at + 1
            )));
        }
        if hex.is_empty() || !hex.len().is_multiple_of(32) {
            return Err(Error::LhTicket(format!(
                "{} hex digits do not make whole 16-byte AES blocks",
                hex.len()
            )));
        }
        Ok(LhTicket {
            hex: hex.to_string(),
        })
    }

    /// Encrypt Connection String 2 text with a password, as Windows does.
    pub fn encrypt(connection_string: &str, password: &Password) -> LhTicket {
        Self::encrypt_with_key(connection_string, &TicketKey::derive(password))
    }

    /// Encrypt with an already derived key.
    pub fn encrypt_with_key(connection_string: &str, key: &TicketKey) -> LhTicket {
        LhTicket {
            hex: text::encode_hex_upper(&crypto::encrypt_ticket(key, connection_string)),
        }
    }

    /// The hex text.
    pub fn as_hex(&self) -> &str {
        &self.hex
    }

    /// The ciphertext bytes.
    pub fn ciphertext(&self) -> Vec<u8> {
        // from_hex and encrypt only ever store valid, even-length hex.
        text::decode_hex(self.hex.as_bytes())
    }

    /// Decrypt and parse with a password, under default limits.
    pub fn decrypt(&self, password: &Password) -> Result<DecryptedTicket> {
        self.decrypt_with_key(&TicketKey::derive(password), &Limits::default())
    }

    /// Decrypt and parse with a derived key, under `limits`.
    pub fn decrypt_with_key(&self, key: &TicketKey, limits: &Limits) -> Result<DecryptedTicket> {
        let mut text = crypto::decrypt_ticket_in_place(key, Zeroizing::new(self.ciphertext()))?;
        // Moved out of the Zeroizing (which then wipes an empty string): the parsed ticket
        // keeps it, and wipes it.
        let text = std::mem::take(&mut *text);
        let text_len = text.len();
        let connection = ConnectionString2::parse_decrypted(text, limits)?;
        Ok(DecryptedTicket {
            connection,
            text_len,
        })
    }
}

/// A decrypted LHTICKET: the exact text, and its parsed form. Wiped from memory when dropped.
#[derive(Debug, Clone)]
pub struct DecryptedTicket {
    /// Holds the text too, at the start of its string of values.
    connection: ConnectionString2,
    text_len: usize,
}

impl DecryptedTicket {
    /// The plaintext exactly as decrypted (Windows ends it with CRLF).
    pub fn text(&self) -> &str {
        self.connection.source_text(self.text_len)
    }

    /// The parsed Connection String 2.
    pub fn connection(&self) -> &ConnectionString2 {
        &self.connection
    }
}

/// Which generation an invitation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// Windows XP / Server 2003: RCTICKET only.
    Xp,
    /// Windows Vista and later: an encrypted LHTICKET, possibly with an RCTICKET.
    Vista,
}

/// A Remote Assistance invitation (`<UPLOADINFO>`).
///
/// Read with [`read`] or [`Invitation::from_bytes`], made with
/// [`NewInvitation`](crate::NewInvitation). Its fields may be edited; [`Invitation::to_bytes`]
/// then refuses what would not read back as it is.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invitation {
    /// USERNAME, read with [`Invitation::username`]. Held in place up to 24 bytes, as are
    /// the user names Windows writes: no allocation.
    username: CompactString,
    /// PassStub (14 characters when Windows writes one), read with [`Invitation::pass_stub`].
    pass_stub: Option<CompactString>,
    /// RCTICKET: Connection String 1, plain text.
    pub rc_ticket: Option<ConnectionString1>,
    /// LHTICKET: Connection String 2, encrypted.
    pub lh_ticket: Option<LhTicket>,
    /// RCTICKETENCRYPTED: the novice set a password.
    pub rc_ticket_encrypted: bool,
    /// DtStart and DtLength.
    pub validity: Validity,
    /// L: the novice is on a slow (modem) link.
    pub low_speed: bool,
    /// Attributes of `<UPLOADDATA>` beyond the known ones, in order.
    pub unknown_attributes: Vec<Attribute>,
    /// Attributes of `<UPLOADINFO>` beyond TYPE, in order (Windows writes none).
    pub upload_info_attributes: Vec<Attribute>,
}

/// How to lay out an invitation when writing it: byte for byte as a Windows version does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Windows XP: UTF-16LE with BOM, `encoding="Unicode"`, one attribute per CRLF line.
    Xp,
    /// Windows 7: 8-bit text, everything on one line.
    Windows7,
    /// Windows 10 and 11: as Windows 7, with a line break after the XML declaration.
    Windows10,
}

/// What a file turned out to hold.
#[derive(Debug, Clone)]
pub enum Document {
    /// An invitation (`<UPLOADINFO>`).
    Invitation(Invitation),
    /// A bare Connection String 2 (`<E>`), as Windows Desktop Sharing gives them.
    ConnectionString(ConnectionString2),
}

/// Read any `.msrcincident` content: an invitation of either generation, or a bare Connection
/// String 2. The encoding is sniffed, never taken from the declaration.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document> {
    read_as(bytes, limits, |root, reader| document(root, reader, limits))
}

/// The grammar of any document, given its root.
fn document(root: Root, reader: &mut Reader<'_, '_>, limits: &Limits) -> Result<Document> {
    match root {
        Root::Invitation => Invitation::read(reader, limits).map(Document::Invitation),
        Root::ConnectionString => {
            ConnectionString2::read(reader, limits).map(Document::ConnectionString)
        }
    }
}

/// What a document's root element says it is.
enum Root {
    /// `<UPLOADINFO>`.
    Invitation,
    /// `<E>`.
    ConnectionString,
}

/// Decode `bytes` and read the document with `grammar`, given its root: the steps every
/// reader shares. A caller that wants one kind of document reads it without wrapping it in a
/// [`Document`] (a move of a few hundred bytes).
fn read_as<T>(
    bytes: &[u8],
    limits: &Limits,
    grammar: impl FnOnce(Root, &mut Reader<'_, '_>) -> Result<T>,
) -> Result<T> {
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::TooLarge {
            size: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    let (text, encoding) = text::decode_document(bytes)?;
    read_tokens(Reader::decoded(&text, limits, encoding), grammar)
}

/// [`read_as`] from the tokens of `reader`.
fn read_tokens<T>(
    mut reader: Reader<'_, '_>,
    grammar: impl FnOnce(Root, &mut Reader<'_, '_>) -> Result<T>,
) -> Result<T> {
    let document = match reader.next()? {
        Token::Start(name) if xml::same_name(name, "UPLOADINFO") => {
            grammar(Root::Invitation, &mut reader)
        }
        Token::Start(name) if xml::same_name(name, "E") => {
            grammar(Root::ConnectionString, &mut reader)
        }
        Token::Start(other) => Err(Error::Structure(format!(
            "root element is <{}>, expected <UPLOADINFO> or <E>",
            quote_value(other)
        ))),
        Token::End(_) | Token::Eof => Err(Error::Structure("no root element".into())),
    };
    document.map_err(|e| reader.finish(e))
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("username", &self.username())
            .field("rc_ticket", &self.rc_ticket)
            .field("lh_ticket", &self.lh_ticket)
            .field("rc_ticket_encrypted", &self.rc_ticket_encrypted)
            .field("validity", &self.validity)
            .field("pass_stub", &self.pass_stub())
            .field("low_speed", &self.low_speed)
            .field("unknown_attributes", &self.unknown_attributes)
            .field("upload_info_attributes", &self.upload_info_attributes)
            .finish()
    }
}

impl Invitation {
    /// An invitation from `username` with no tickets yet, password-protected
    /// (RCTICKETENCRYPTED=1), with no PassStub. Set its tickets and PassStub before writing it.
    pub fn new(username: impl Into<String>, validity: Validity) -> Invitation {
        Invitation {
            username: CompactString::from(username.into()),
            pass_stub: None,
            rc_ticket: None,
            lh_ticket: None,
            rc_ticket_encrypted: true,
            validity,
            low_speed: false,
            unknown_attributes: Vec::new(),
            upload_info_attributes: Vec::new(),
        }
    }

    /// USERNAME: the novice.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// PassStub: 14 random characters for the expert's password proof.
    pub fn pass_stub(&self) -> Option<&str> {
        self.pass_stub.as_deref()
    }

    /// Set USERNAME.
    pub fn set_username(&mut self, username: &str) {
        self.username = CompactString::new(username);
    }

    /// Set or remove the PassStub.
    pub fn set_pass_stub(&mut self, pass_stub: Option<&str>) {
        self.pass_stub = pass_stub.map(CompactString::new);
    }

    /// Read an invitation file under default limits.
    ///
    /// ```
    /// let file = std::fs::read("testdata/ms-rai-sample-xp.msrcincident")?;
    /// let invitation = rainv::Invitation::from_bytes(&file)?;
    /// assert_eq!(invitation.username(), "jeff");
    /// assert_eq!(invitation.rc_ticket.unwrap().addresses().next().unwrap().port, 3389);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Invitation> {
        Self::from_bytes_with(bytes, &Limits::default())
    }

    /// Read an invitation file under `limits`.
    pub fn from_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Invitation> {
        read_as(bytes, limits, |root, reader| match root {
            Root::Invitation => Invitation::read(reader, limits),
            // Read as `read` reads it, so that a broken one gets the same error.
            Root::ConnectionString => ConnectionString2::read(reader, limits).and_then(|_| {
                Err(Error::Structure(
                    "this is a bare Connection String 2 (<E>), not an invitation; \
                     wrap it with `rainv encrypt`"
                        .into(),
                ))
            }),
        })
    }

    /// The grammar of an invitation, from just after `<UPLOADINFO>`'s start tag to the end
    /// of the document: `<UPLOADINFO TYPE="Escalated">` (the type may be left out) holds one
    /// empty `<UPLOADDATA>`, whose attributes are the invitation.
    fn read(reader: &mut Reader<'_, '_>, limits: &Limits) -> Result<Invitation> {
        if let Some(kind) = reader
            .attributes()
            .iter()
            .find(|a| xml::same_name(a.name, "TYPE"))
            && kind.value != "Escalated"
        {
            return Err(Error::Structure(format!(
                "<UPLOADINFO TYPE=\"{}\">: only TYPE=\"Escalated\" is defined",
                quote_value(&kind.value)
            )));
        }
        let upload_info_attributes = attribute::all_but(reader.attributes(), &["TYPE"]);
        match reader.next()? {
            Token::Start(name) if xml::same_name(name, "UPLOADDATA") => {}
            Token::Start(other) => {
                return Err(Error::Structure(format!(
                    "<UPLOADINFO> holds <{}>, expected <UPLOADDATA>",
                    quote_value(other)
                )));
            }
            Token::End(_) | Token::Eof => {
                return Err(Error::Structure("<UPLOADINFO> has no <UPLOADDATA>".into()));
            }
        }
        if !matches!(reader.next()?, Token::End(_)) {
            return Err(Error::Structure("<UPLOADDATA> must be empty".into()));
        }
        if !matches!(reader.next()?, Token::End(_)) {
            return Err(Error::Structure(
                "<UPLOADINFO> holds more than one element; expected one <UPLOADDATA>".into(),
            ));
        }
        if !matches!(reader.next()?, Token::Eof) {
            return Err(Error::Structure("content after </UPLOADINFO>".into()));
        }
        // End tags leave the reader's attributes alone: they are still <UPLOADDATA>'s.
        let mut invitation = Self::from_data(reader.attributes(), limits)?;
        invitation.upload_info_attributes = upload_info_attributes;
        Ok(invitation)
    }

    /// An invitation from `<UPLOADDATA>`'s attributes (which the XML reader has checked for
    /// duplicates).
    fn from_data(attributes: &[Attr<'_>], limits: &Limits) -> Result<Invitation> {
        let mut known: [Option<&str>; KNOWN_ATTRIBUTES.len()] = [None; KNOWN_ATTRIBUTES.len()];
        let mut lh_ticket_is_hex = false;
        let mut unknown_attributes = Vec::new();
        for attribute in attributes {
            match known_slot(attribute.name) {
                Some(slot) => {
                    known[slot] = Some(&attribute.value);
                    if slot == LHTICKET {
                        lh_ticket_is_hex = attribute.hex;
                    }
                }
                None => unknown_attributes.push(Attribute {
                    name: attribute.name.to_string(),
                    value: attribute.value.to_string(),
                }),
            }
        }
        let [
            username,
            lh_ticket,
            rc_ticket,
            rc_ticket_encrypted,
            start,
            length,
            pass_stub,
            low_speed,
        ] = known;
        fn required<'v>(value: Option<&'v str>, name: &'static str) -> Result<&'v str> {
            value.ok_or(Error::MissingAttribute {
                element: "UPLOADDATA",
                attribute: name,
            })
        }
        let rc_ticket = rc_ticket
            .map(|t| ConnectionString1::parse(t, limits.max_listeners))
            .transpose()?;
        let lh_ticket = lh_ticket
            .map(|t| LhTicket::from_hex_checked(t, limits, lh_ticket_is_hex))
            .transpose()?;
        if rc_ticket.is_none() && lh_ticket.is_none() {
            return Err(Error::Structure(
                "<UPLOADDATA> has neither RCTICKET nor LHTICKET: there is nothing to connect to"
                    .into(),
            ));
        }
        let username = required(username, "USERNAME")?;
        Ok(Invitation {
            username: CompactString::new(username),
            pass_stub: pass_stub.map(CompactString::new),
            rc_ticket,
            lh_ticket,
            rc_ticket_encrypted: flag(
                "RCTICKETENCRYPTED",
                required(rc_ticket_encrypted, "RCTICKETENCRYPTED")?,
            )?,
            validity: Validity::new(
                integer("DtStart", required(start, "DtStart")?)?,
                integer("DtLength", required(length, "DtLength")?)?,
            ),
            low_speed: low_speed
                .map(|v| flag("L", v))
                .transpose()?
                .unwrap_or(false),
            unknown_attributes,
            upload_info_attributes: Vec::new(),
        })
    }

    /// XP or Vista and later.
    pub fn generation(&self) -> Generation {
        if self.lh_ticket.is_some() {
            Generation::Vista
        } else {
            Generation::Xp
        }
    }

    /// Decrypt the LHTICKET, if there is one.
    ///
    /// ```
    /// let file = std::fs::read("testdata/example.msrcincident")?;
    /// let password = std::fs::read_to_string("testdata/example.password")?;
    /// let invitation = rainv::Invitation::from_bytes(&file)?;
    /// let ticket = invitation.decrypt(&rainv::Password::new(password.trim_end()))?.unwrap();
    /// for listener in ticket.connection().listeners() {
    ///     println!("{} port {:?}", listener.address, listener.port);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decrypt(&self, password: &Password) -> Result<Option<DecryptedTicket>> {
        self.lh_ticket
            .as_ref()
            .map(|t| t.decrypt(password))
            .transpose()
    }

    /// Write the invitation laid out as `layout` writes it.
    ///
    /// XP files cannot carry an LHTICKET and need an RCTICKET; Vista-style files need an LHTICKET.
    /// What is written reads back, under default [`Limits`], as this very invitation; anything
    /// else (an unknown attribute with a name XML does not allow, more attributes than the
    /// reader takes...) is an [`Error::Write`].
    pub fn to_bytes(&self, layout: Layout) -> Result<Vec<u8>> {
        let bytes = self.write(layout)?;
        // The reader's rules are the only ones: the writer holds itself to them by reading back.
        match Invitation::from_bytes(&bytes) {
            Ok(back) if back == *self => Ok(bytes),
            Ok(_) => Err(Error::Write(
                "it would not read back as written (a value the layout cannot carry)".into(),
            )),
            Err(e) => Err(Error::Write(format!("rainv would not read it back: {e}"))),
        }
    }

    fn write(&self, layout: Layout) -> Result<Vec<u8>> {
        let rc = self.rc_ticket.as_ref().map(ToString::to_string);
        let lh = self.lh_ticket.as_ref().map(LhTicket::as_hex);
        match layout {
            Layout::Xp if lh.is_some() => {
                return Err(Error::Write(
                    "an XP invitation cannot carry an LHTICKET; write a Vista layout".into(),
                ));
            }
            Layout::Xp if rc.is_none() => {
                return Err(Error::Write("an XP invitation needs an RCTICKET".into()));
            }
            Layout::Windows7 | Layout::Windows10 if lh.is_none() => {
                return Err(Error::Write(
                    "a Vista-style invitation needs an LHTICKET".into(),
                ));
            }
            _ => {}
        }
        let bit = |v: bool| Some(if v { "1" } else { "0" });
        let start = self.validity.start.to_string();
        let length = self.validity.length_minutes.to_string();
        let username = Some(self.username());
        let (rc, stub) = (rc.as_deref(), self.pass_stub());
        let encrypted = bit(self.rc_ticket_encrypted);
        let (start, length) = (Some(start.as_str()), Some(length.as_str()));
        // Each Windows version's attribute order; absent optional attributes are left out.
        let known: [(&str, Option<&str>); 8] = match layout {
            Layout::Xp => [
                ("USERNAME", username),
                ("RCTICKET", rc),
                ("RCTICKETENCRYPTED", encrypted),
                ("DtStart", start),
                ("DtLength", length),
                ("PassStub", stub),
                ("L", bit(self.low_speed)),
                ("LHTICKET", None),
            ],
            Layout::Windows7 | Layout::Windows10 => [
                ("USERNAME", username),
                ("LHTICKET", lh),
                ("RCTICKET", rc),
                ("PassStub", stub),
                ("RCTICKETENCRYPTED", encrypted),
                ("DtStart", start),
                ("DtLength", length),
                ("L", bit(self.low_speed)),
            ],
        };
        let attributes = known
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| (name, escape_attribute(v))))
            .chain(
                self.unknown_attributes
                    .iter()
                    .map(|a| (a.name.as_str(), escape_attribute(&a.value))),
            );
        // Up to `<UPLOADINFO TYPE="Escalated"`, from its `>` to `<UPLOADDATA`, between
        // `<UPLOADDATA`'s attributes, and the end.
        let (head, open_data, separator, tail) = match layout {
            Layout::Xp => (
                "<?xml version=\"1.0\" encoding=\"Unicode\" ?>\r\n<UPLOADINFO TYPE=\"Escalated\"",
                ">\r\n<UPLOADDATA",
                "\r\n",
                " />\r\n</UPLOADINFO>\r\n",
            ),
            Layout::Windows7 => (
                "<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"",
                "><UPLOADDATA",
                " ",
                "/></UPLOADINFO>",
            ),
            Layout::Windows10 => (
                "<?xml version=\"1.0\"?>\n<UPLOADINFO TYPE=\"Escalated\"",
                "><UPLOADDATA",
                " ",
                "/></UPLOADINFO>",
            ),
        };
        let mut out = String::with_capacity(512 + lh.map_or(0, str::len));
        out.push_str(head);
        for extra in &self.upload_info_attributes {
            let _ = write!(
                out,
                " {}=\"{}\"",
                extra.name,
                escape_attribute(&extra.value)
            );
        }
        out.push_str(open_data);
        for (name, value) in attributes {
            let _ = write!(out, "{separator}{name}=\"{value}\"");
        }
        out.push_str(tail);
        Ok(match layout {
            // XP writes UTF-16LE with a byte order mark.
            Layout::Xp => [&[0xFF, 0xFE][..], &text::utf16le_bytes(&out)].concat(),
            Layout::Windows7 | Layout::Windows10 => out.into_bytes(),
        })
    }
}

/// Where LHTICKET is in [`KNOWN_ATTRIBUTES`].
const LHTICKET: usize = 1;

/// `<UPLOADDATA>`'s attributes, in the order [`Invitation::from_data`] unpacks them.
const KNOWN_ATTRIBUTES: [&str; 8] = [
    "USERNAME",
    "LHTICKET",
    "RCTICKET",
    "RCTICKETENCRYPTED",
    "DtStart",
    "DtLength",
    "PassStub",
    "L",
];

/// Where `name` is in [`KNOWN_ATTRIBUTES`]: by its length and first byte, then one
/// comparison of known length (a word or two) rather than eight comparisons.
fn known_slot(name: &str) -> Option<usize> {
    let slot = match (name.len(), name.as_bytes().first()) {
        (8, Some(b'U')) => 0,
        (8, Some(b'L')) => 1,
        (8, Some(b'R')) => 2,
        (17, _) => 3,
        (7, _) => 4,
        (8, Some(b'D')) => 5,
        (8, Some(b'P')) => 6,
        (1, _) => 7,
        _ => return None,
    };
    let same = match slot {
        3 => name.as_bytes() == KNOWN_ATTRIBUTES[3].as_bytes(),
        4 => name.as_bytes() == KNOWN_ATTRIBUTES[4].as_bytes(),
        7 => name.as_bytes() == KNOWN_ATTRIBUTES[7].as_bytes(),
        _ => name.as_bytes().first_chunk::<8>() == KNOWN_ATTRIBUTES[slot].as_bytes().first_chunk(),
    };
    same.then_some(slot)
}

fn flag(name: &'static str, value: &str) -> Result<bool> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        other => Err(Error::InvalidAttribute {
            attribute: name,
            value: quote_value(other),
            reason: "expected 0 or 1".into(),
        }),
    }
}

fn integer(name: &'static str, value: &str) -> Result<u64> {
    // Nineteen digits cannot overflow a u64: those are checked and folded in one pass, and
    // everything else (errors, and twenty digits that may fit) takes the careful path.
    if (1..=19).contains(&value.len()) {
        let (number, digits) = value.bytes().fold((0u64, true), |(n, digits), b| {
            let digit = b.wrapping_sub(b'0');
            (
                n.wrapping_mul(10).wrapping_add(u64::from(digit)),
                digits & (digit < 10),
            )
        });
        if digits {
            return Ok(number);
        }
    }
    integer_carefully(name, value)
}

#[cold]
fn integer_carefully(name: &'static str, value: &str) -> Result<u64> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    // The digits' value (`None` past `u64::MAX`), without the standard library's parser.
    let number = value.bytes().try_fold(0u64, |n, b| {
        n.checked_mul(10)?
            .checked_add(u64::from(b.wrapping_sub(b'0')))
    });
    match number {
        Some(n) if digits => Ok(n),
        _ => Err(Error::InvalidAttribute {
            attribute: name,
            value: quote_value(value),
            reason: if digits {
                "the number is too large".into()
            } else {
                "expected a whole number of decimal digits".into()
            },
        }),
    }
}

/// Where an RCTICKET and a decrypted LHTICKET of the same invitation disagree.
///
/// Windows writes the same session ID and KH into both, and every RCTICKET address is one of
/// the LHTICKET's listeners. Anything else means the file was tampered with or assembled by
/// hand. Returns one sentence per disagreement; empty when they agree.
pub fn ticket_disagreements(rc: &ConnectionString1, lh: &ConnectionString2) -> Vec<String> {
    let mut differences = Vec::new();
    if rc.session_id() != lh.id() {
        differences
            .push("the session IDs differ (RCTICKET RASessionID vs LHTICKET ID)".to_string());
    }
    if lh.kh() != Some(rc.kh()) {
        differences.push(
            "the key hashes differ (RCTICKET protocolSpecificParms vs LHTICKET KH)".to_string(),
        );
    }
    for address in rc.addresses() {
        let listed = lh
            .listeners()
            .any(|l| l.address.eq_ignore_ascii_case(address.host) && l.port == Some(address.port));
        if !listed {
            differences.push(format!(
                "RCTICKET address {} is not among the LHTICKET listeners",
                quote_value(&address.to_string())
            ));
        }
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind of disagreement, alone; an address must match a listener's host (any case)
    /// and its port together.
    #[test]
    fn ticket_disagreements_names_each_difference() {
        let limits = Limits::default();
        let lh = ConnectionString2::parse(
            "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\">\
             <L P=\"3389\" N=\"192.0.2.1\"/><L P=\"3390\" N=\"host\"/></T></C></E>",
            &limits,
        )
        .unwrap();
        let rc = |addresses: &str, id: &str, kh: &str| {
            let text = format!("65538,1,{addresses},*,{id},*,*,{kh}");
            ConnectionString1::parse(&text, 64).unwrap()
        };
        let kh = "BNRjdu97DyczQSRuMRrDWoue+HA=";
        assert!(ticket_disagreements(&rc("192.0.2.1:3389;HOST:3390", "AAAA", kh), &lh).is_empty());
        let found = |rc: &ConnectionString1| ticket_disagreements(rc, &lh);
        assert_eq!(found(&rc("192.0.2.1:3389", "BBBB", kh)).len(), 1);
        assert!(found(&rc("192.0.2.1:3389", "BBBB", kh))[0].contains("session IDs"));
        assert!(
            found(&rc(
                "192.0.2.1:3389",
                "AAAA",
                "RcfwecK8dpcT1fjZ6iQ5M0+q7iU="
            ))[0]
                .contains("key hashes")
        );
        // The host of one listener with the port of the other is no listener.
        for address in ["192.0.2.1:3390", "host:3389", "192.0.2.2:3389"] {
            let differences = found(&rc(address, "AAAA", kh));
            assert_eq!(differences.len(), 1, "{address}");
            assert!(
                differences[0].contains("not among the LHTICKET listeners"),
                "{address}"
            );
        }
    }

    /// USERNAME and PassStub share one string: setting one keeps the other.
    #[test]
    fn username_and_pass_stub_are_set_apart() {
        let mut invitation = Invitation::new("alice", Validity::new(0, 60));
        assert_eq!(
            (invitation.username(), invitation.pass_stub()),
            ("alice", None)
        );
        invitation.set_pass_stub(Some("RT=0PvIndan52*"));
        invitation.set_username("bob & eve");
        assert_eq!(invitation.username(), "bob & eve");
        assert_eq!(invitation.pass_stub(), Some("RT=0PvIndan52*"));
        invitation.set_pass_stub(Some(""));
        assert_eq!(invitation.pass_stub(), Some(""));
        invitation.set_pass_stub(None);
        invitation.set_username("");
        assert_eq!((invitation.username(), invitation.pass_stub()), ("", None));
        let mut other = Invitation::new("", Validity::new(0, 60));
        assert_eq!(invitation, other);
        other.set_pass_stub(Some(""));
        assert_ne!(invitation, other);
    }

    #[test]
    fn debug_output_keeps_secrets_out() {
        let testdata = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/");
        let bytes = std::fs::read(format!("{testdata}example.msrcincident")).unwrap();
        let password = std::fs::read_to_string(format!("{testdata}example.password")).unwrap();
        let password = Password::new(password.trim_end());
        let invitation = Invitation::from_bytes(&bytes).unwrap();
        let ticket = invitation.decrypt(&password).unwrap().unwrap();
        let id = ticket.connection().id().to_string();
        let rc = invitation.rc_ticket.as_ref().unwrap();
        assert_eq!(rc.session_id(), id);
        for shown in [
            format!("{invitation:?}"),
            format!("{ticket:?}"),
            format!("{:?}", ticket.connection()),
            format!("{rc:?}"),
        ] {
            assert!(!shown.contains(&id), "{shown}");
            assert!(!shown.contains(password.expose()), "{shown}");
            assert!(!shown.contains("<E>"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
            // What is not secret is still shown.
            assert!(shown.contains("BNRjdu97DyczQSRuMRrDWoue+HA="), "{shown}");
        }
    }

    /// Both token sources give the grammar the same: the same invitation, or the same error.
    /// Returns whether the invitation was read.
    fn sources_agree(text: &str, limits: &Limits) -> bool {
        let grammar = |root, reader: &mut Reader<'_, '_>| document(root, reader, limits);
        let fast = read_tokens(Reader::new(text, limits), grammar);
        let quick = read_tokens(Reader::quick_only(text, limits), grammar);
        assert_eq!(format!("{fast:?}"), format!("{quick:?}"), "{text:?}");
        fast.is_ok()
    }

    /// Whether the Windows scanner reads all of `text`, never handing over to quick-xml.
    fn stays_with_the_windows_scanner(text: &str) -> bool {
        let limits = Limits::default();
        let mut reader = Reader::new(text, &limits);
        while let Ok(token) = reader.next() {
            if token == Token::Eof {
                break;
            }
        }
        reader.stayed_with_the_windows_scanner()
    }

    /// An invitation driven by `ops`: mostly Windows' layout with good attributes, and
    /// everything that can break or change it.
    fn invitation(ops: &[u8]) -> String {
        let lh = "0123456789ABCDEF".repeat(12);
        let attributes = [
            " USERNAME=\"helpdesk\"".to_string(),
            format!(" LHTICKET=\"{lh}\""),
            " RCTICKET=\"65538,1,10.0.0.1:3389;host:3389,*,K2Tq8wUm2NBNX9k6nPw6mT3JrQn2ueM0Z5SpK5jY9tU=,*,*,YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\"".into(),
            " PassStub=\"WB^6Hsr&amp;aFmEpi\"".into(),
            " RCTICKETENCRYPTED=\"1\"".into(),
            " DtStart=\"1700000000\"".into(),
            " DtLength=\"360\"".into(),
            " L=\"0\"".into(),
            // Unusual but valid, then broken.
            " X-Extra=\"a&#xA;b\"".into(),
            format!(" LHTICKET=\"{}\"", lh.to_lowercase()),
            format!(" LHTICKET=\"{lh}0\""),
            format!(" LHTICKET=\"{lh}&#x41;\""),
            format!(" LHTICKET=\"{}G{}\"", &lh[..70], &lh[71..]),
            " DtStart=\"x\"".into(),
            " USERNAME='helpdesk'".into(),
            " USERNAME=\"a<b\"".into(),
            " USERNAME=\"a\tb\"".into(),
            " 1X=\"1\"".into(),
            "  L=\"1\"".into(),
            " PassStub=\"\u{e9}\u{FFFE}\"".into(),
        ];
        let pick = |at: usize, n: usize| usize::from(ops.get(at).copied().unwrap_or(0)) % n;
        let mut text = String::from(
            [
                "<?xml version=\"1.0\"?>\n",
                "<?xml version=\"1.0\"?>",
                "<?xml version=\"1.0\"?>\r\n",
                "<?xml version='1.0'?>",
                "",
            ][pick(0, 5)],
        );
        text.push_str(
            [
                "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA",
                "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA",
                "<UPLOADINFO TYPE=\"Other\"><UPLOADDATA",
                "<UPLOADINFO><UPLOADDATA",
            ][pick(1, 4)],
        );
        for k in 0..pick(2, 12) {
            // Mostly the good eight, in order; sometimes anything.
            let index = if pick(3 + k, 6) == 0 {
                pick(20 + k, attributes.len())
            } else {
                k % 8
            };
            text.push_str(&attributes[index]);
        }
        text.push_str(
            [
                "/></UPLOADINFO>",
                "/></UPLOADINFO>\r\n",
                " /></UPLOADINFO>",
                "/>",
            ][pick(40, 4)],
        );
        text
    }

    #[test]
    fn unknown_upload_info_attributes_are_kept_and_written_back() {
        let file = std::fs::read("testdata/ms-rai-sample-xp.msrcincident").unwrap();
        let mut invitation = Invitation::from_bytes(&file).unwrap();
        assert!(invitation.upload_info_attributes.is_empty());
        invitation.upload_info_attributes = vec![
            Attribute::new("xmlns-ish", "x&y\u{9B}"),
            Attribute::new("Z", ""),
        ];
        let bytes = invitation.to_bytes(Layout::Xp).unwrap();
        assert_eq!(Invitation::from_bytes(&bytes).unwrap(), invitation);
        let text = "<UPLOADINFO TYPE=\"Escalated\" Q=\"1\"><UPLOADDATA USERNAME=\"u\" \
            RCTICKET=\"65538,1,h:1,*,AAAA,*,*,YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" \
            RCTICKETENCRYPTED=\"0\" DtStart=\"1\" DtLength=\"1\"/></UPLOADINFO>";
        let read = Invitation::from_bytes(text.as_bytes()).unwrap();
        assert_eq!(read.upload_info_attributes, [Attribute::new("Q", "1")]);
        // A second TYPE would not read back: refused.
        invitation.upload_info_attributes = vec![Attribute::new("TYPE", "Escalated")];
        assert!(matches!(
            invitation.to_bytes(Layout::Xp),
            Err(Error::Write(_))
        ));
    }

    #[test]
    fn lhticket_is_where_its_index_says() {
        assert_eq!(KNOWN_ATTRIBUTES[LHTICKET], "LHTICKET");
    }

    #[test]
    fn known_attributes_are_found_by_their_exact_names_only() {
        for (slot, name) in KNOWN_ATTRIBUTES.iter().enumerate() {
            assert_eq!(known_slot(name), Some(slot), "{name}");
            // The same length and first letter, another name.
            let mut near = name.to_string();
            near.push('X');
            assert_eq!(known_slot(&near), None, "{near}");
            let other = format!("{}x", &name[..name.len() - 1]);
            assert_eq!(known_slot(&other), None, "{other}");
            assert_eq!(
                known_slot(&name.to_lowercase()),
                None,
                "{name} in lower case"
            );
        }
        for name in [
            "",
            "U",
            "DtStartX",
            "RCTICKETENCRYPTEd",
            "Username",
            "PASSSTUB",
        ] {
            assert_eq!(known_slot(name), None, "{name}");
        }
    }

    #[test]
    fn both_sources_read_windows_files_and_generated_ones_alike() {
        let limits = Limits::default();
        let example = std::fs::read("testdata/example.msrcincident").unwrap();
        let (text, _) = text::decode_document(&example).unwrap();
        assert!(sources_agree(&text, &limits));
        assert!(stays_with_the_windows_scanner(&text));
        let mut rng = crate::test_support::Xorshift::new();
        let (mut taken, mut refused) = (0, 0);
        for _ in 0..5000 {
            let ops = rng.bytes(64);
            if rng.check(|| sources_agree(&invitation(&ops), &limits)) {
                taken += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            taken > 70 && refused > 500,
            "{taken} read, {refused} refused; {rng}"
        );
        let mut limited = Vec::new();
        for set in [
            |l: &mut Limits| l.max_attributes = 3,
            |l: &mut Limits| l.max_attribute_bytes = 100,
            |l: &mut Limits| l.max_elements = 1,
            |l: &mut Limits| l.max_depth = 1,
            // What the root's TYPE="Escalated" is held to.
            |l: &mut Limits| l.max_attributes = 0,
            |l: &mut Limits| l.max_attribute_bytes = 8,
        ] {
            let mut limits = Limits::default();
            set(&mut limits);
            limited.push(limits);
        }
        for limits in limited {
            assert!(!sources_agree(&text, &limits), "{limits:?}");
            assert!(matches!(read(&example, &limits), Err(Error::Limit(_))));
        }
    }

    /// Text for attribute values: what escaping and normalising must get right.
    fn value_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "0",
            " ",
            "\u{e9}",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "\n",
            "\r\n",
            "\t",
            "\u{4E2D}",
            "\u{1F600}",
            "&amp;",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..8)
            .prop_map(|pieces| pieces.concat())
    }

    /// An invitation Windows 7 and later could hold: an LHTICKET, perhaps an RCTICKET and the
    /// optional and unknown attributes.
    fn some_invitation() -> impl proptest::strategy::Strategy<Value = Invitation> {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD as BASE64;
        use proptest::prelude::*;
        let rc = (
            proptest::collection::vec(
                (
                    proptest::sample::select(&["10.0.0.1", "host", "MIKE_HOME", "a.b-c"][..]),
                    1..=65535u16,
                ),
                1..3,
            ),
            proptest::collection::vec(any::<u8>(), 1..40),
            any::<[u8; 20]>(),
        )
            .prop_map(|(addresses, session, kh)| {
                let addresses = addresses
                    .into_iter()
                    .map(|(host, port)| crate::connection_string1::Address::new(host, port))
                    .collect::<Result<Vec<_>>>()
                    .unwrap();
                ConnectionString1::new(addresses, BASE64.encode(session), BASE64.encode(kh))
                    .unwrap()
            });
        let lh = (1..5usize, any::<bool>()).prop_map(|(blocks, lower)| {
            let hex = "0123456789ABCDEF".repeat(2 * blocks);
            let hex = if lower { hex.to_lowercase() } else { hex };
            LhTicket::from_hex(&hex, &Limits::default()).unwrap()
        });
        let unknown = proptest::sample::subsequence(vec!["X-Extra", "Foo", "z.y", "Lang"], 0..=2)
            .prop_flat_map(|names| {
                names
                    .into_iter()
                    .map(|name| {
                        value_text().prop_map(move |value| Attribute {
                            name: name.to_string(),
                            value,
                        })
                    })
                    .collect::<Vec<_>>()
            });
        (
            (value_text(), lh, proptest::option::of(rc), any::<bool>()),
            (
                prop_oneof![0..2_000_000_000u64, any::<u64>()],
                0..100_000u64,
                proptest::option::of(value_text()),
                any::<bool>(),
                unknown,
            ),
        )
            .prop_map(
                |((username, lh, rc, encrypted), (start, length, stub, low_speed, unknown))| {
                    let mut invitation = Invitation::new(username, Validity::new(start, length));
                    invitation.rc_ticket = rc;
                    invitation.lh_ticket = Some(lh);
                    invitation.rc_ticket_encrypted = encrypted;
                    invitation.set_pass_stub(stub.as_deref());
                    invitation.low_speed = low_speed;
                    invitation.unknown_attributes = unknown;
                    invitation
                },
            )
    }

    #[test]
    fn the_root_element_says_which_grammar_reads_the_document() {
        let cs2 = "<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>";
        let limits = Limits::default();
        assert!(matches!(
            read(cs2.as_bytes(), &limits),
            Ok(Document::ConnectionString(_))
        ));
        let refused = |text: &str| read(text.as_bytes(), &limits).unwrap_err().to_string();
        let other = refused("<X ID=\"AAAA\"/>");
        assert!(
            other.contains("root element is <X>, expected <UPLOADINFO> or <E>"),
            "{other}"
        );
        let bare = Invitation::from_bytes(cs2.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(bare.contains("bare Connection String 2"), "{bare}");
    }

    #[test]
    fn integers_are_decimal_digits_that_fit_a_u64() {
        let cases = [
            "",
            "0",
            "7",
            "00",
            "180",
            "1314905741",
            "+1",
            "-1",
            "1a",
            " 1",
            "1 ",
            "\u{661}",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "0000000000000000000000001",
            "000000000000000000000000a",
            // The bytes on either side of the digits.
            "/",
            ":",
            "1:",
            "::",
        ];
        for value in cases {
            let expected = (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.parse::<u64>().ok())
                .flatten();
            assert_eq!(integer("DtStart", value).ok(), expected, "{value:?}");
        }
        let message = |value| integer("DtLength", value).unwrap_err().to_string();
        assert!(
            message("1x").contains("decimal digits"),
            "{}",
            message("1x")
        );
        assert!(message("99999999999999999999").contains("too large"));
    }

    #[test]
    fn both_sources_never_disagree() {
        // Invitations as rainv writes them in Windows 7's and 10's layouts (which the Windows
        // scanner reads to the end), some edited, some under tight limits.
        use crate::test_support::{apply_edits, check_property, edits, some_limits};
        use proptest::prelude::any;
        check_property(
            "invitation both_sources_never_disagree",
            256,
            55,
            (some_invitation(), any::<bool>(), edits(4), some_limits()),
            |(invitation, windows10, edits, limits)| {
                let layout = if windows10 {
                    Layout::Windows10
                } else {
                    Layout::Windows7
                };
                let text = String::from_utf8(invitation.to_bytes(layout).unwrap()).unwrap();
                let text = apply_edits(&text, &edits);
                let agreed = sources_agree(&text, &limits);
                if edits.is_empty() && limits == Limits::default() {
                    assert!(stays_with_the_windows_scanner(&text), "{text:?}");
                    assert_eq!(Invitation::from_bytes(text.as_bytes()), Ok(invitation));
                }
                agreed
            },
        );
    }
}
