//! What a file is: an invitation (by its name or its content), an archive or another container
//! (by its content first, then by its name).

use memchr::memmem;

/// Is this file name an invitation's (`.msrcincident`, any letter case)?
///
/// Trailing dots and spaces are ignored, as Windows drops them when it saves the file.
pub fn has_invitation_name(name: &str) -> bool {
    let name = name.trim_end_matches(['.', ' ']);
    let ext = ".msrcincident";
    name.len() >= ext.len()
        && name
            .get(name.len() - ext.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(ext))
}

/// How much of an attachment is sniffed: as much as an invitation may be.
const SNIFF_BYTES: usize = 256 * 1024;

/// Does this content look like an invitation or a Connection String 2, whatever its name?
///
/// The content, with NUL bytes dropped (so UTF-16 reads like ASCII) and leading byte order
/// marks and white space skipped, must start with `<` and hold `UPLOADINFO` or an `<E>`
/// element followed by an `<A` element.
pub fn looks_like_invitation(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let text: Vec<u8> = head.iter().copied().filter(|&b| b != 0).collect();
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace() && ![0xEF, 0xBB, 0xBF, 0xFE, 0xFF].contains(b))
        .unwrap_or(text.len());
    let text = &text[start..];
    text.first() == Some(&b'<') && (find(text, b"UPLOADINFO").is_some() || has_e_then_a(text))
}

/// `<E` + optional space + `>`, then optional space and `<A` + space or `/`.
fn has_e_then_a(text: &[u8]) -> bool {
    let skip_space = |t: &[u8]| {
        let n = t.iter().take_while(|b| b.is_ascii_whitespace()).count();
        t.len() - n
    };
    let mut rest = text;
    while let Some(at) = find(rest, b"<E") {
        let after = &rest[at + 2..];
        let after = &after[after.len() - skip_space(after)..];
        if let Some(after) = after.strip_prefix(b">") {
            let after = &after[after.len() - skip_space(after)..];
            if let Some(tail) = after.strip_prefix(b"<A")
                && tail
                    .first()
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                return true;
            }
        }
        rest = &rest[at + 2..];
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A container the gateway recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Zip,
    SevenZip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    /// One that Windows opens on a double-click but rainv does not: reported as not inspected.
    /// The text says what it is.
    Unopened(&'static str),
}

impl Kind {
    /// What the kind is called in findings.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Zip => "a zip archive",
            Kind::SevenZip => "a 7z archive",
            Kind::Tar => "a tar archive",
            Kind::Gzip => "a gzip file",
            Kind::Bzip2 => "a bzip2 file",
            Kind::Xz => "an xz file",
            Kind::Zstd => "a zstd file",
            Kind::Unopened(what) => what,
        }
    }
}

const RAR: &str = "a RAR archive, which rainv does not open";
const CAB: &str = "a cabinet (.cab) file, which rainv does not open";
const ISO: &str = "a disc image (.iso), which rainv does not open";
const IMG: &str = "a disk image (.img), which rainv does not open";
const VHD: &str = "a virtual disk (.vhd), which rainv does not open";
const VHDX: &str = "a virtual disk (.vhdx), which rainv does not open";
const MSG: &str = "an Outlook message (.msg), which rainv does not open";

/// The kind `bytes` hold, judged by their content alone.
pub(crate) fn by_content(bytes: &[u8]) -> Option<Kind> {
    let at = |offset: usize, magic: &[u8]| {
        bytes
            .get(offset..)
            .is_some_and(|rest| rest.starts_with(magic))
    };
    let kind = if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") || at(0, b"PK\x07\x08") {
        Kind::Zip
    } else if at(0, b"7z\xBC\xAF\x27\x1C") {
        Kind::SevenZip
    } else if at(0, b"\x1F\x8B") {
        Kind::Gzip
    } else if at(0, b"BZh") && bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        Kind::Bzip2
    } else if at(0, b"\xFD7zXZ\x00") {
        Kind::Xz
    } else if at(0, b"\x28\xB5\x2F\xFD") {
        Kind::Zstd
    } else if at(257, b"ustar") {
        Kind::Tar
    } else if at(0, b"Rar!\x1A\x07") {
        Kind::Unopened(RAR)
    } else if at(0, b"MSCF\0\0\0\0") {
        Kind::Unopened(CAB)
    } else if at(0, b"vhdxfile") {
        Kind::Unopened(VHDX)
    } else if at(0, b"conectix")
        || bytes.len() >= 512 && at(bytes.len() - 512, b"conectix")
        || bytes.len() >= 511 && at(bytes.len() - 511, b"conectix")
    {
        Kind::Unopened(VHD)
    } else if [0x8001, 0x8801, 0x9001]
        .iter()
        .any(|&offset| at(offset, b"CD001") || at(offset, b"BEA01"))
    {
        Kind::Unopened(ISO)
    } else if at(0, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") && has_outlook_streams(bytes) {
        Kind::Unopened(MSG)
    } else {
        return None;
    };
    Some(kind)
}

/// An OLE compound file holding the streams Outlook stores a message in (`__substg1.0_...`,
/// named in UTF-16).
fn has_outlook_streams(bytes: &[u8]) -> bool {
    let utf16: Vec<u8> = "__substg1.0_".bytes().flat_map(|b| [b, 0]).collect();
    memmem::find(bytes, &utf16).is_some()
}

/// The one-word extensions of a compressed tar archive (`a.tgz` is `a.tar.gz`), and the
/// compression of each.
const COMPRESSED_TAR: [(&str, Kind); 5] = [
    ("tgz", Kind::Gzip),
    ("tbz", Kind::Bzip2),
    ("tbz2", Kind::Bzip2),
    ("txz", Kind::Xz),
    ("tzst", Kind::Zstd),
];

/// What comes before a name's extension, and the extension, lower-cased, as Windows sees it
/// (trailing dots and spaces dropped).
fn split_extension(name: &str) -> Option<(String, String)> {
    let name = name.trim_end_matches(['.', ' ']);
    let (stem, extension) = name.rsplit_once('.')?;
    Some((stem.to_string(), extension.to_ascii_lowercase()))
}

/// Whether a name is that of a compressed tar archive: `a.tar.gz` (any compression), or one
/// word as `a.tgz`; any case.
pub(crate) fn names_compressed_tar(name: &str) -> bool {
    split_extension(name).is_some_and(|(stem, extension)| {
        COMPRESSED_TAR.iter().any(|(short, _)| *short == extension)
            || by_name(&stem) == Some(Kind::Tar)
    })
}

/// The kind a file of this name is, as Windows would open it.
pub(crate) fn by_name(name: &str) -> Option<Kind> {
    let extension = split_extension(name).map_or(String::new(), |(_, ext)| ext);
    if let Some((_, kind)) = COMPRESSED_TAR.iter().find(|(short, _)| *short == extension) {
        return Some(*kind);
    }
    Some(match extension.as_str() {
        "zip" => Kind::Zip,
        "7z" => Kind::SevenZip,
        "tar" => Kind::Tar,
        "gz" => Kind::Gzip,
        "bz2" => Kind::Bzip2,
        "xz" => Kind::Xz,
        "zst" => Kind::Zstd,
        "rar" => Kind::Unopened(RAR),
        "cab" => Kind::Unopened(CAB),
        "iso" => Kind::Unopened(ISO),
        "img" => Kind::Unopened(IMG),
        "vhd" => Kind::Unopened(VHD),
        "vhdx" => Kind::Unopened(VHDX),
        "msg" => Kind::Unopened(MSG),
        _ => return None,
    })
}

/// Is a file of this name one the gateway opens or reports as an archive?
pub fn has_archive_name(name: &str) -> bool {
    by_name(name).is_some()
}

/// The kind of a file with these names (a mail attachment may have several) and content:
/// content first, as a renamed archive is still an archive to the program that opens it, then
/// the names, so that what claims to be an archive and cannot be opened is never passed over.
pub(crate) fn recognise(names: &[&str], bytes: &[u8], sniff: bool) -> Option<Kind> {
    sniff
        .then(|| by_content(bytes))
        .flatten()
        .or_else(|| names.iter().find_map(|name| by_name(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(has_invitation_name("Invitation.MSRCIncident"));
        assert!(has_invitation_name("a.msrcincident"));
        assert!(!has_invitation_name("a.msrcincident.exe"));
        assert!(!has_invitation_name("ü"));
        assert!(has_invitation_name("RA.msrcincident. . "));
    }

    #[test]
    fn sniffs_content() {
        assert!(looks_like_invitation(
            b"  <?xml version=\"1.0\"?><UPLOADINFO>"
        ));
        let utf16: Vec<u8> = "\u{FEFF}\r\n<UPLOADINFO"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(looks_like_invitation(&utf16));
        assert!(looks_like_invitation(b"<E>\r\n  <A KH=\"x\"/>"));
        assert!(looks_like_invitation(b"<E><A/></E>"));
        assert!(looks_like_invitation(b"<E ><A\tID=\"x\"/></E>"));
        assert!(!looks_like_invitation(b"<E><Ab/></E>"));
        assert!(!looks_like_invitation(b"<E><B/><A/></E>"));
        let padded = [vec![b' '; 5000], b"<E><A ID=\"x\"/></E>".to_vec()].concat();
        assert!(looks_like_invitation(&padded));
        assert!(!looks_like_invitation(b"<Envelope><Address/></Envelope>"));
        assert!(!looks_like_invitation(b"Dear UPLOADINFO team"));
    }

    #[test]
    fn names_in_any_case_with_trailing_dots_and_spaces() {
        for name in ["a.zip", "A.ZIP", "a.Zip. .", "dir\\a.zip", "x/y.tar.gz"] {
            assert!(has_archive_name(name), "{name}");
        }
        assert_eq!(by_name("a.tar.gz"), Some(Kind::Gzip));
        assert_eq!(by_name("a.tgz"), Some(Kind::Gzip));
        assert_eq!(by_name("a.tar.zst"), Some(Kind::Zstd));
        assert_eq!(by_name("a.txz"), Some(Kind::Xz));
        assert_eq!(by_name("a.tbz2"), Some(Kind::Bzip2));
        assert_eq!(by_name("a.7z"), Some(Kind::SevenZip));
        assert_eq!(by_name("a.RAR"), Some(Kind::Unopened(RAR)));
        assert_eq!(by_name("a.TBZ"), Some(Kind::Bzip2));
        assert_eq!(by_name("a.tzst. "), Some(Kind::Zstd));
        for name in [
            "a.tar.gz", "a.TAR.xz", "a.tgz", "a.tbz", "a.tbz2", "a.TXZ", "a.tzst. ",
        ] {
            assert!(names_compressed_tar(name), "{name}");
        }
        for name in ["a.gz", "tar.gz", "a.tar", "a.zip", "tgz", "a.gz.tar"] {
            assert!(!names_compressed_tar(name), "{name}");
        }
        for name in ["zip", "a.zipx", "a.msrcincident", "a", ".zip.txt", "a.gzip"] {
            assert!(!has_archive_name(name), "{name}");
        }
    }

    #[test]
    fn content_before_names() {
        let zip = b"PK\x03\x04rest";
        assert_eq!(recognise(&["a.txt"], zip, true), Some(Kind::Zip));
        assert_eq!(recognise(&["a.7z"], zip, true), Some(Kind::Zip));
        assert_eq!(recognise(&["a.txt"], zip, false), None);
        assert_eq!(recognise(&["a.7z"], zip, false), Some(Kind::SevenZip));
        assert_eq!(
            recognise(&["a.txt", "b.gz"], b"plain", true),
            Some(Kind::Gzip)
        );
        assert_eq!(recognise(&[], b"plain", true), None);
    }

    #[test]
    fn magic_numbers() {
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(by_content(&tar), Some(Kind::Tar));
        assert_eq!(by_content(&tar[..261]), None);
        assert_eq!(by_content(b"BZh9rest"), Some(Kind::Bzip2));
        assert_eq!(by_content(b"BZhx"), None);
        assert_eq!(by_content(b"\x1F\x8B\x08"), Some(Kind::Gzip));
        assert_eq!(by_content(b"\xFD7zXZ\x00"), Some(Kind::Xz));
        assert_eq!(by_content(b"\x28\xB5\x2F\xFD"), Some(Kind::Zstd));
        assert_eq!(
            by_content(b"7z\xBC\xAF\x27\x1C\x00\x04"),
            Some(Kind::SevenZip)
        );
        assert_eq!(by_content(b"PK\x05\x06"), Some(Kind::Zip));
        assert_eq!(
            by_content(b"Rar!\x1A\x07\x01\x00"),
            Some(Kind::Unopened(RAR))
        );
        assert_eq!(by_content(b"MSCF\0\0\0\0"), Some(Kind::Unopened(CAB)));
        let mut iso = vec![0u8; 0x8806];
        iso[0x8801..0x8806].copy_from_slice(b"CD001");
        assert_eq!(by_content(&iso), Some(Kind::Unopened(ISO)));
        let mut vhd = vec![0u8; 2048];
        vhd[2048 - 512..2048 - 504].copy_from_slice(b"conectix");
        assert_eq!(by_content(&vhd), Some(Kind::Unopened(VHD)));
        let mut msg = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        assert_eq!(by_content(&msg), None, "an OLE file that is not a message");
        msg.extend("__substg1.0_0037001F".bytes().flat_map(|b| [b, 0]));
        assert_eq!(by_content(&msg), Some(Kind::Unopened(MSG)));
        assert_eq!(by_content(b"<UPLOADINFO"), None);
        assert_eq!(by_content(b""), None);
    }
}
