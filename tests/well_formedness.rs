//! rainv's XML reading against a conforming XML parser, roxmltree, as the oracle of
//! well-formedness (a test-only dependency):
//!
//! * every document roxmltree refuses, rainv refuses as text that is not XML (an `xml.*` or
//!   `text.*` error), never with the error of a later stage, which would mean its XML layer took
//!   what XML does not allow;
//! * every document rainv reads, roxmltree reads too, to the same element names and attribute
//!   values.
//!
//! rainv refuses more than roxmltree does (document type declarations, processing
//! instructions, CDATA, text, namespaces, its limits): that direction is not compared.
//!
//! The documents are Windows' files and tickets, and the specification's, edited at random
//! with the fragments XML is most particular about. Each run uses a new seed
//! (`RAINV_TEST_SEED=N` repeats one), printed on failure.

mod common;

use rainv::{Document, Limits};

/// Fragments that make or break well-formedness.
const FRAGMENTS: &[&str] = &[
    " ",
    "\t",
    "\r\n",
    "\n",
    "<",
    ">",
    "/>",
    "</",
    "\"",
    "'",
    "=",
    "&",
    ";",
    "&amp;",
    "&lt;",
    "&#xA;",
    "&#27;",
    "&#x9B;",
    "&#65;",
    "&#xD800;",
    "&#0;",
    "&x;",
    "<!--c-->",
    "<!-- - -->",
    "--",
    "<?pi x?>",
    "<?xml version=\"1.0\"?>",
    "<![CDATA[x]]>",
    "<!DOCTYPE a>",
    "x:y",
    "xmlns",
    " xmlns=\"u\"",
    " a=\"1\"",
    " a='1'",
    "a=\"1\"",
    " b=1",
    "<x/>",
    "</x>",
    "\u{1b}",
    "\u{0}",
    "\u{9b}",
    "\u{202e}",
    "\u{e9}",
    "\u{fffe}",
    "\u{feff}",
    "1",
    "-",
    ".",
    "text",
];

struct Rng(u64, u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("RAINV_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64);
                nanos.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
            });
        Rng(seed, seed)
    }

    fn below(&mut self, n: usize) -> usize {
        self.1 ^= self.1 << 13;
        self.1 ^= self.1 >> 7;
        self.1 ^= self.1 << 17;
        (self.1 % n as u64) as usize
    }
}

/// `text` with `edits` fragments inserted, bytes deleted or replaced, at character boundaries.
fn edit(text: &str, rng: &mut Rng, edits: usize) -> String {
    let mut out = text.to_string();
    for _ in 0..edits {
        let mut at = rng.below(out.len() + 1);
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
        match rng.below(3) {
            0 => out.insert_str(at, fragment),
            1 => {
                let mut end = (at + 1 + rng.below(4)).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(at..end, "");
            }
            _ => {
                let mut end = (at + 1).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(at..end, fragment);
            }
        }
    }
    out
}

/// The documents the edits start from: decoded to text, as rainv decodes files.
fn originals() -> Vec<String> {
    let mut files: Vec<Vec<u8>> = ["example.msrcincident", "ms-rai-sample-xp.msrcincident"]
        .iter()
        .map(|name| common::testdata(name))
        .collect();
    for name in ["vista.valid", "xp.valid", "connection-string.valid"] {
        files.push(common::testdata(&format!("hostile/baseline/{name}")));
    }
    // The files Windows made, where ../shared is (CI has it).
    #[cfg(rainv_shared)]
    {
        for name in ["windows-xp", "windows7", "windows10"] {
            files.push(common::read_shared(&format!("interop/{name}.msrcincident")));
        }
        files.push(common::read_shared("interop/windows7.lhticket.txt"));
    }
    files
        .iter()
        .map(|bytes| rainv::decode_document(bytes).unwrap().0.into_owned())
        .collect()
}

/// Elements as read: names and attributes (name, value), in document order.
type Elements = Vec<(String, Vec<(String, String)>)>;

/// The elements of `text` as roxmltree reads them.
fn oracle(text: &str) -> Result<Elements, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)?;
    Ok(document
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| {
            let attributes = n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect();
            (n.tag_name().name().to_string(), attributes)
        })
        .collect())
}

/// The attribute `name` of the element `element` in roxmltree's reading.
fn attribute<'a>(elements: &'a Elements, element: &str, name: &str) -> Option<&'a str> {
    elements
        .iter()
        .filter(|(e, _)| e == element)
        .flat_map(|(_, attributes)| attributes)
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Refused as text that is not XML: its characters (`text.*`, such as a NUL) or its XML
/// (`xml.*`).
fn is_refused_as_xml(error: &rainv::Error) -> bool {
    let code = error.code().as_str();
    code.starts_with("xml.") || code.starts_with("text.")
}

/// One document, both ways round. Returns whether rainv read it.
fn compare(text: &str, seed: u64) -> bool {
    let limits = Limits::default();
    let rainv = rainv::read(text.as_bytes(), &limits);
    match (&rainv, oracle(text)) {
        (Err(e), Err(why)) => {
            assert!(
                is_refused_as_xml(e),
                "RAINV_TEST_SEED={seed}: roxmltree refuses {text:?} ({why}) but rainv gets as far \
                 as {e}"
            );
            false
        }
        (Err(_), Ok(_)) => false,
        (Ok(_), Err(why)) => {
            panic!("RAINV_TEST_SEED={seed}: rainv reads {text:?}, which roxmltree refuses: {why}")
        }
        (Ok(Document::Invitation(invitation)), Ok(elements)) => {
            let names: Vec<&str> = elements.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                names,
                ["UPLOADINFO", "UPLOADDATA"],
                "RAINV_TEST_SEED={seed}: {text:?}"
            );
            assert_eq!(
                attribute(&elements, "UPLOADDATA", "USERNAME"),
                Some(invitation.username()),
                "RAINV_TEST_SEED={seed}: {text:?}"
            );
            assert_eq!(
                attribute(&elements, "UPLOADDATA", "PassStub"),
                invitation.pass_stub(),
                "RAINV_TEST_SEED={seed}: {text:?}"
            );
            for unknown in &invitation.unknown_attributes {
                assert_eq!(
                    attribute(&elements, "UPLOADDATA", &unknown.name),
                    Some(unknown.value.as_str()),
                    "RAINV_TEST_SEED={seed}: {text:?}"
                );
            }
            true
        }
        (Ok(Document::ConnectionString(ticket)), Ok(elements)) => {
            assert_eq!(elements[0].0, "E", "RAINV_TEST_SEED={seed}: {text:?}");
            assert_eq!(attribute(&elements, "A", "ID"), Some(ticket.id()));
            assert_eq!(attribute(&elements, "A", "KH"), ticket.kh());
            for extra in ticket.extra() {
                assert_eq!(
                    attribute(&elements, "A", &extra.name),
                    Some(extra.value.as_str()),
                    "RAINV_TEST_SEED={seed}: {text:?}"
                );
            }
            let addresses: Vec<&str> = elements
                .iter()
                .filter(|(e, _)| e == "L")
                .filter_map(|(_, a)| a.iter().find(|(n, _)| n == "N").map(|(_, v)| v.as_str()))
                .collect();
            let read: Vec<&str> = ticket.listeners().map(|l| l.address).collect();
            assert_eq!(addresses, read, "RAINV_TEST_SEED={seed}: {text:?}");
            true
        }
    }
}

#[test]
fn rainv_refuses_what_a_conforming_parser_refuses_and_reads_alike() {
    let originals = originals();
    let mut rng = Rng::new();
    let seed = rng.0;
    for original in &originals {
        assert!(
            compare(original, seed),
            "an original is refused: {original:?}"
        );
    }
    let (mut read, mut refused_by_both) = (0, 0);
    for round in 0..6000 {
        let original = &originals[round % originals.len()];
        let edits = 1 + rng.below(3);
        let text = edit(original, &mut rng, edits);
        if compare(&text, seed) {
            read += 1;
        } else if oracle(&text).is_err() {
            refused_by_both += 1;
        }
    }
    // Both directions must be exercised: edits that keep documents readable, and edits that
    // break them.
    assert!(
        read > 150 && refused_by_both > 1500,
        "RAINV_TEST_SEED={seed}: {read} read, {refused_by_both} refused by both"
    );
}

#[test]
fn the_strict_cases_quick_xml_would_let_through_are_refused_by_both() {
    for text in [
        "<E><A ID=\"AAAA\"x=\"1\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
        "<?xml version=\"1.0\"encoding=\"UTF-8\"?><E/>",
        "<?xml encoding=\"UTF-8\" version=\"1.0\"?><E/>",
        "<E><A ID=\"&#27;\"/></E>",
        "<E><A ID=\"\u{1b}\"/></E>",
        "<!-- a -- b --><E/>",
        "<E/>x",
        "<x:E xmlns:x=\"u\"/>",
    ] {
        assert!(oracle(text).is_err() || text.contains("xmlns"), "{text:?}");
        let error = rainv::read(text.as_bytes(), &Limits::default()).unwrap_err();
        assert!(is_refused_as_xml(&error), "{text:?}: {error}");
    }
}
