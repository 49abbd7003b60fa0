//! The gateway opening archives: every format it reads, around genuine and hostile
//! invitations, nested, encrypted, damaged, oddly named and bombed, judged through `inspect`
//! (as `rainv check` judges a file) and `scan_message`, with the path to each invitation named.
//!
//! The archives are built here with writers the gateway does not use for reading (the
//! corpus in testdata/hostile has more, made by Python's standard library).

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::fs;
use std::io::{Cursor, Write};

use chrono::{DateTime, Utc};
use rainv::Password;
use rainv_gateway::{
    Candidate, EntryReport, FindingCode, Policy, Severity, Verdict, inspect, scan_message, validate,
};

/// 2024-01-03T15:00:00Z, inside the corpus files' validity.
const NOW: i64 = 1_704_294_000;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW, 0).unwrap()
}

fn policy() -> Policy {
    let mut policy = Policy::default();
    policy.password = Some(Password::new("HOSTILE12345"));
    policy
}

fn hostile(name: &str) -> Vec<u8> {
    fs::read(common::root().join("testdata/hostile").join(name)).unwrap()
}

/// A genuine invitation, accepted at [`NOW`].
fn good() -> Vec<u8> {
    hostile("baseline/vista.valid")
}

/// CVE-2018-0878: rejected with `xml.doctype`.
fn xxe() -> Vec<u8> {
    hostile("xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident")
}

// --- Writers ------------------------------------------------------------------------------------

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

fn seven_zip_with(entries: &[(&str, &[u8])], encrypt: Option<bool>) -> Vec<u8> {
    use sevenz_rust2::encoder_options::AesEncoderOptions;
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter, EncoderMethod, Password};
    let mut writer = ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    if let Some(header_too) = encrypt {
        writer.set_content_methods(vec![
            AesEncoderOptions::new(Password::from("secret")).into(),
            EncoderMethod::LZMA2.into(),
        ]);
        writer.set_encrypt_header(header_too);
    }
    for (name, data) in entries {
        writer
            .push_archive_entry(ArchiveEntry::new_file(name), Some(*data))
            .unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn seven_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    seven_zip_with(entries, None)
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(NOW as u64);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut writer =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).unwrap();
    writer.write_all(data).unwrap();
    writer.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// Every way the gateway reads an archive.
#[derive(Debug, Clone, Copy)]
enum Wrap {
    Zip,
    ZipStored,
    ZipBzip2,
    ZipXz,
    SevenZip,
    Tar,
    TarGz,
    TarBz2,
    TarXz,
    TarZst,
    Gz,
    Bz2,
    Xz,
    Zst,
}

const ALL: [Wrap; 14] = [
    Wrap::Zip,
    Wrap::ZipStored,
    Wrap::ZipBzip2,
    Wrap::ZipXz,
    Wrap::SevenZip,
    Wrap::Tar,
    Wrap::TarGz,
    Wrap::TarBz2,
    Wrap::TarXz,
    Wrap::TarZst,
    Wrap::Gz,
    Wrap::Bz2,
    Wrap::Xz,
    Wrap::Zst,
];

/// `content` (a file called `name`) wrapped: the archive's file name, its bytes, and the path
/// to `content` inside it.
fn wrap(how: Wrap, name: &str, content: &[u8]) -> (String, Vec<u8>, Vec<String>) {
    let in_folder = format!("docs/{name}");
    let one = [(in_folder.as_str(), content)];
    let (file, bytes, inside) = match how {
        Wrap::Zip => ("a.zip", zip(&one), &in_folder),
        Wrap::ZipStored => (
            "a.zip",
            zip_with(&one, zip::CompressionMethod::Stored),
            &in_folder,
        ),
        Wrap::ZipBzip2 => (
            "a.zip",
            zip_with(&one, zip::CompressionMethod::Bzip2),
            &in_folder,
        ),
        Wrap::ZipXz => (
            "a.zip",
            zip_with(&one, zip::CompressionMethod::Xz),
            &in_folder,
        ),
        Wrap::SevenZip => ("a.7z", seven_zip(&one), &in_folder),
        Wrap::Tar => ("a.tar", tar(&one), &in_folder),
        Wrap::TarGz => ("a.tar.gz", gz(&tar(&one)), &in_folder),
        Wrap::TarBz2 => ("a.tar.bz2", bz2(&tar(&one)), &in_folder),
        Wrap::TarXz => ("a.txz", xz(&tar(&one)), &in_folder),
        Wrap::TarZst => ("a.tar.zst", zst(&tar(&one)), &in_folder),
        Wrap::Gz => return (format!("{name}.gz"), gz(content), vec![name.to_string()]),
        Wrap::Bz2 => return (format!("{name}.bz2"), bz2(content), vec![name.to_string()]),
        Wrap::Xz => return (format!("{name}.xz"), xz(content), vec![name.to_string()]),
        Wrap::Zst => return (format!("{name}.zst"), zst(content), vec![name.to_string()]),
    };
    (file.to_string(), bytes, vec![inside.clone()])
}

fn judge(name: &str, bytes: &[u8], policy: &Policy) -> Vec<EntryReport> {
    inspect(&[name], bytes, Candidate::Always, policy, now())
}

fn codes(report: &EntryReport) -> Vec<(FindingCode, Severity)> {
    report
        .report
        .findings
        .iter()
        .map(|f| (f.code, f.severity))
        .collect()
}

/// The one report, which must be a rejection for `code` alone.
fn rejected_for(reports: &[EntryReport], code: FindingCode, what: &str) -> EntryReport {
    assert_eq!(reports.len(), 1, "{what}: {reports:#?}");
    let report = reports[0].clone();
    assert_eq!(
        report.report.verdict,
        Verdict::Reject,
        "{what}: {report:#?}"
    );
    assert_eq!(
        codes(&report),
        [(code, Severity::Error)],
        "{what}: {report:#?}"
    );
    report
}

// --- Every format ---------------------------------------------------------------------------

#[test]
fn every_format_around_a_genuine_invitation_is_accepted_and_says_where_it_was() {
    let expected = validate(&good(), &policy(), now());
    assert_eq!(expected.verdict, Verdict::Accept);
    for how in ALL {
        let (file, bytes, inside) = wrap(how, "RAInvitation.msrcincident", &good());
        let reports = judge(&file, &bytes, &policy());
        assert_eq!(reports.len(), 1, "{how:?}: {reports:#?}");
        assert_eq!(reports[0].inside, inside, "{how:?}");
        assert_eq!(
            reports[0].report, expected,
            "{how:?}: judged as the file itself is"
        );
    }
}

#[test]
fn every_format_around_a_hostile_invitation_is_rejected_and_says_where_it_was() {
    for how in ALL {
        let (file, bytes, inside) = wrap(how, "RAInvitation.msrcincident", &xxe());
        let report = rejected_for(
            &judge(&file, &bytes, &policy()),
            FindingCode::Library(rainv::ErrorCode::Doctype),
            &format!("{how:?}"),
        );
        assert_eq!(report.inside, inside, "{how:?}");
        // Renamed to anything, it is still found: by the archive's content, then the entry's.
        let reports = judge("attachment.bin", &bytes, &policy());
        assert_eq!(reports.len(), 1, "{how:?} renamed: {reports:#?}");
        assert_eq!(
            reports[0].report.verdict,
            Verdict::Reject,
            "{how:?} renamed"
        );
        let (_, bytes, _) = wrap(how, "notes", &xxe());
        let reports = judge(&file, &bytes, &policy());
        assert_eq!(
            reports.len(),
            1,
            "{how:?}, entry found by content: {reports:#?}"
        );
        assert_eq!(reports[0].report.verdict, Verdict::Reject);
    }
}

#[test]
fn archives_inside_archives_are_opened_with_the_whole_path_named() {
    for outer in [Wrap::Zip, Wrap::SevenZip, Wrap::TarGz, Wrap::Xz] {
        for inner in ALL {
            let (inner_file, inner_bytes, inner_path) =
                wrap(inner, "RAInvitation.msrcincident", &xxe());
            let (file, bytes, outer_path) = wrap(outer, &inner_file, &inner_bytes);
            let report = rejected_for(
                &judge(&file, &bytes, &policy()),
                FindingCode::Library(rainv::ErrorCode::Doctype),
                &format!("{inner:?} in {outer:?}"),
            );
            // A tar compressed as a stream is a .tar.xz: one archive, not a tar inside one.
            let outer_path = match (outer, inner) {
                (Wrap::Xz, Wrap::Tar) => vec![],
                _ => outer_path,
            };
            let expected: Vec<String> = outer_path.into_iter().chain(inner_path).collect();
            assert_eq!(report.inside, expected, "{inner:?} in {outer:?}");
        }
    }
}

#[test]
fn every_invitation_in_an_archive_is_judged() {
    let bytes = zip(&[
        ("a/first.msrcincident", &good()),
        ("readme.txt", b"Open the invitations."),
        ("b/second.msrcincident", &xxe()),
        ("c/third.MSRCINCIDENT", &good()),
    ]);
    let reports = judge("three.zip", &bytes, &policy());
    let seen: Vec<(Vec<String>, Verdict)> = reports
        .iter()
        .map(|r| (r.inside.clone(), r.report.verdict))
        .collect();
    assert_eq!(
        seen,
        [
            (vec!["a/first.msrcincident".to_string()], Verdict::Accept),
            (vec!["b/second.msrcincident".to_string()], Verdict::Reject),
            (vec!["c/third.MSRCINCIDENT".to_string()], Verdict::Accept),
        ]
    );
}

#[test]
fn names_a_windows_user_sees_as_invitations_are_judged_whatever_the_content() {
    for name in [
        "RAInvitation.msrcincident",
        "RAINVITATION.MSRCINCIDENT",
        "x.MsRcIncident",
        "x.msrcincident.",
        "x.msrcincident . ",
        "folder\\sub\\x.msrcincident",
        "folder/x.msrcincident",
        "x.msrcincident\0.txt",
    ] {
        // Not an invitation by content: judged because of the name, and rejected.
        let bytes = zip(&[(name, b"MZ this is no invitation")]);
        let reports = judge("a.zip", &bytes, &policy());
        assert_eq!(reports.len(), 1, "{name:?}: {reports:#?}");
        assert_eq!(reports[0].inside, [name], "{name:?}");
        assert_eq!(reports[0].report.verdict, Verdict::Reject, "{name:?}");
    }
    for name in ["x.msrcincident.txt", "msrcincident", "x.msrcincident_"] {
        let bytes = zip(&[(name, b"MZ this is no invitation")]);
        let reports = judge("a.zip", &bytes, &policy());
        assert_eq!(
            codes(&reports[0]),
            [(FindingCode::ArchiveNoInvitation, Severity::Info)]
        );
    }
}

#[test]
fn an_archive_with_no_invitation_is_answered_when_given_by_name_and_silent_otherwise() {
    let bytes = zip(&[("readme.txt", b"hello"), ("photo.jpg", b"\xFF\xD8\xFF")]);
    let reports = judge("photos.zip", &bytes, &policy());
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report.verdict, Verdict::Accept);
    assert_eq!(reports[0].report.kind, Some("archive"));
    assert!(reports[0].inside.is_empty());
    assert_eq!(
        codes(&reports[0]),
        [(FindingCode::ArchiveNoInvitation, Severity::Info)]
    );
    let attachment = inspect(
        &["photos.zip"],
        &bytes,
        Candidate::NameOrContent,
        &policy(),
        now(),
    );
    assert!(attachment.is_empty(), "{attachment:#?}");
}

#[test]
fn files_that_are_not_archives_are_judged_as_before() {
    for (name, bytes) in [
        ("RAInvitation.msrcincident", good()),
        ("RAInvitation.msrcincident", xxe()),
        ("anything.txt", good()),
        ("not-an-invitation.txt", b"hello".to_vec()),
    ] {
        let reports = judge(name, &bytes, &policy());
        assert_eq!(reports.len(), 1, "{name}");
        assert!(reports[0].inside.is_empty());
        assert_eq!(
            reports[0].report,
            validate(&bytes, &policy(), now()),
            "{name}"
        );
    }
    // As attachments, only what is an invitation by name or content is judged.
    let by_content = inspect(
        &["a.txt"],
        &good(),
        Candidate::NameOrContent,
        &policy(),
        now(),
    );
    assert_eq!(by_content.len(), 1);
    let shown = inspect(&["a.txt"], &good(), Candidate::NameOnly, &policy(), now());
    assert!(shown.is_empty());
    let text = inspect(
        &["a.txt"],
        b"hello",
        Candidate::NameOrContent,
        &policy(),
        now(),
    );
    assert!(text.is_empty());
}

// --- What cannot be inspected ---------------------------------------------------------------

/// A zip whose entries all have the "encrypted" flag set (their data is not really encrypted:
/// the flag is what a reader goes by).
fn zip_marked_encrypted(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut bytes = zip_with(entries, zip::CompressionMethod::Stored);
    for (signature, flag_at) in [(b"PK\x03\x04", 6), (b"PK\x01\x02", 8)] {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&bytes[from..], signature) {
            bytes[from + at + flag_at] |= 1;
            from += at + 4;
        }
    }
    bytes
}

#[test]
fn encrypted_archives_and_entries_are_not_inspected_and_fail_unless_allowed() {
    let cases = [
        (
            "zip entry",
            "a.zip",
            zip_marked_encrypted(&[("RAInvitation.msrcincident", &good())]),
            vec!["RAInvitation.msrcincident".to_string()],
        ),
        (
            "7z, data encrypted",
            "a.7z",
            seven_zip_with(&[("RAInvitation.msrcincident", &good())], Some(false)),
            vec![],
        ),
        (
            "7z, names encrypted too",
            "a.7z",
            seven_zip_with(&[("RAInvitation.msrcincident", &good())], Some(true)),
            vec![],
        ),
    ];
    for (what, file, bytes, inside) in cases {
        let report = rejected_for(
            &judge(file, &bytes, &policy()),
            FindingCode::ArchiveNotInspected,
            what,
        );
        assert_eq!(report.inside, inside, "{what}");
        let message = &report.report.findings[0].message;
        assert!(message.contains("encrypted"), "{what}: {message}");

        let mut lenient = policy();
        lenient.archives.allow_not_inspected = true;
        let reports = judge(file, &bytes, &lenient);
        assert_eq!(reports.len(), 1, "{what}");
        assert_eq!(reports[0].report.verdict, Verdict::Accept, "{what}");
        assert_eq!(
            codes(&reports[0]),
            [(FindingCode::ArchiveNotInspected, Severity::Warning)],
            "{what}"
        );
    }
}

#[test]
fn damaged_and_unopened_containers_are_not_inspected() {
    let zip_bytes = zip(&[("RAInvitation.msrcincident", &good())]);
    let seven = seven_zip(&[("RAInvitation.msrcincident", &good())]);
    let mut bad_crc = gz(&good());
    let at = bad_crc.len() - 8;
    bad_crc[at] ^= 0xFF;
    let mut zstd_method = zip_with(
        &[("RAInvitation.msrcincident", &good())],
        zip::CompressionMethod::Stored,
    );
    for (signature, method_at) in [(b"PK\x03\x04", 8), (b"PK\x01\x02", 10)] {
        let at = memchr::memmem::find(&zstd_method, signature).unwrap() + method_at;
        zstd_method[at] = 93; // Zstandard, which rainv's zip reader does not decode
    }
    let mut iso = vec![0u8; 0x8806];
    iso[0x8001..0x8006].copy_from_slice(b"CD001");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut.zip", zip_bytes[..zip_bytes.len() / 2].to_vec()),
        ("cut.7z", seven[..seven.len() - 20].to_vec()),
        ("bad-crc.msrcincident.gz", bad_crc),
        ("not-really.zip", b"just text".to_vec()),
        ("not-really.7z", b"just text".to_vec()),
        ("not-really.tar.gz", b"just text".to_vec()),
        ("zstd-method.zip", zstd_method),
        ("a.rar", b"Rar!\x1a\x07\x01\x00rest".to_vec()),
        ("renamed-rar.bin", b"Rar!\x1a\x07\x00rest".to_vec()),
        ("a.cab", b"MSCF\0\0\0\0rest".to_vec()),
        ("renamed-image.bin", iso),
        ("a.iso", b"anything".to_vec()),
        ("a.img", b"anything".to_vec()),
        ("a.vhd", b"anything".to_vec()),
        ("a.vhdx", b"vhdxfile".to_vec()),
        ("a.msg", b"anything".to_vec()),
    ];
    for (name, bytes) in cases {
        let reports = judge(name, &bytes, &policy());
        assert!(
            reports
                .iter()
                .any(|r| codes(r).contains(&(FindingCode::ArchiveNotInspected, Severity::Error))),
            "{name}: {reports:#?}"
        );
        assert!(
            reports.iter().all(|r| r.report.verdict == Verdict::Reject),
            "{name}"
        );
    }
}

// --- Bounds ---------------------------------------------------------------------------------

fn limit_message(reports: &[EntryReport], what: &str) -> String {
    let report = reports
        .iter()
        .find(|r| codes(r).contains(&(FindingCode::ArchiveLimit, Severity::Error)))
        .unwrap_or_else(|| panic!("{what}: no archive.limit in {reports:#?}"));
    assert_eq!(report.report.verdict, Verdict::Reject);
    report.report.findings[0].message.clone()
}

#[test]
fn too_many_entries_is_a_finding_in_every_format() {
    let mut strict = policy();
    strict.archives.max_entries = 50;
    let names: Vec<String> = (0..51).map(|i| format!("file{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    for (file, bytes) in [
        ("a.zip", zip(&entries)),
        ("a.7z", seven_zip(&entries)),
        ("a.tar", tar(&entries)),
        ("a.tar.gz", gz(&tar(&entries))),
    ] {
        let message = limit_message(&judge(file, &bytes, &strict), file);
        assert!(
            message.contains("more than 50 entries"),
            "{file}: {message}"
        );
        // One fewer is fine.
        let fewer = &entries[..50];
        let bytes = match file {
            "a.zip" => zip(fewer),
            "a.7z" => seven_zip(fewer),
            "a.tar" => tar(fewer),
            _ => gz(&tar(fewer)),
        };
        let reports = judge(file, &bytes, &strict);
        assert_eq!(
            codes(&reports[0]),
            [(FindingCode::ArchiveNoInvitation, Severity::Info)],
            "{file}: {reports:#?}"
        );
    }
    // The default: ten thousand entries.
    let names: Vec<String> = (0..10_001).map(|i| format!("{i}")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let message = limit_message(&judge("a.zip", &zip(&entries), &policy()), "10,001");
    assert!(message.contains("more than 10000 entries"), "{message}");
}

#[test]
fn a_million_entries_are_refused_before_they_are_listed() {
    // A zip whose directory claims a million entries (a short central directory repeated):
    // refused from the count of its directory records, before the zip library lists them.
    let one = zip(&[("x", b"")]);
    let directory = memchr::memmem::find(&one, b"PK\x01\x02").unwrap();
    let end = memchr::memmem::find(&one, b"PK\x05\x06").unwrap();
    let record = &one[directory..end];
    let mut bytes = one[..directory].to_vec();
    for _ in 0..1_000_000 {
        bytes.extend_from_slice(record);
    }
    bytes.extend_from_slice(&one[end..]);
    let mut tiny = policy();
    tiny.archives.max_archive_bytes = 128 * 1024 * 1024;
    let message = limit_message(&judge("a.zip", &bytes, &tiny), "a million");
    assert!(message.contains("entries"), "{message}");
}

/// `content` as a zstd frame of raw blocks: cheap to nest thousands of times.
fn zstd_raw(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x28, 0xB5, 0x2F, 0xFD, 0xA0];
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    let blocks: Vec<&[u8]> = if content.is_empty() {
        vec![&[][..]]
    } else {
        content.chunks(65536).collect()
    };
    for (index, block) in blocks.iter().enumerate() {
        let last = u32::from(index == blocks.len() - 1);
        out.extend_from_slice(&((block.len() as u32) << 3 | last).to_le_bytes()[..3]);
        out.extend_from_slice(block);
    }
    out
}

#[test]
fn ten_thousand_nested_levels_stop_at_the_depth_bound() {
    let mut bytes = xxe();
    for _ in 0..10_000 {
        bytes = zstd_raw(&bytes);
    }
    let reports = judge("deep.zst", &bytes, &policy());
    let message = limit_message(&reports, "10,000 levels");
    assert!(message.contains("4 deep"), "{message}");
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(reports[0].inside.len(), 4, "{:?}", reports[0].inside);

    // Exactly at the bound, the invitation is reached.
    let mut four = xxe();
    for _ in 0..4 {
        four = zstd_raw(&four);
    }
    let reports = judge("four.zst", &four, &policy());
    assert_eq!(
        codes(&reports[0]),
        [(
            FindingCode::Library(rainv::ErrorCode::Doctype),
            Severity::Error
        )]
    );
}

#[test]
fn compression_bombs_stop_at_the_ratio_bound() {
    let zeros = vec![0u8; 64 * 1024 * 1024];
    for (file, bytes) in [
        (
            "bomb.tar.gz",
            gz(&tar(&[("zeros.bin", &zeros), ("RA.msrcincident", &xxe())])),
        ),
        ("bomb.zip", zip(&[("inner.zip", &zeros)])),
        (
            "bomb.7z",
            seven_zip(&[("zeros.bin", &zeros), ("RA.msrcincident", &xxe())]),
        ),
        ("bomb.tar.zst", zst(&tar(&[("zeros.bin", &zeros)]))),
    ] {
        let message = limit_message(&judge(file, &bytes, &policy()), file);
        assert!(message.contains("compression bomb"), "{file}: {message}");
    }
    // An entry that need not be read whole (not an archive, not an invitation) is read no
    // further than an invitation may be, so a bomb there costs nothing and stops nothing.
    let bytes = zip(&[("zeros.bin", &zeros), ("RA.msrcincident", &good())]);
    let reports = judge("a.zip", &bytes, &policy());
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report.verdict, Verdict::Accept);
    let reports = judge("zeros.bin.gz", &gz(&zeros), &policy());
    assert_eq!(
        codes(&reports[0]),
        [(FindingCode::ArchiveNoInvitation, Severity::Info)]
    );
}

/// Bytes that do not compress (an xorshift generator).
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn the_total_size_and_time_bounds_and_the_archive_size_bound_hold() {
    let noisy = noise(3 * 1024 * 1024);
    let bytes = gz(&tar(&[("noise.bin", &noisy), ("RA.msrcincident", &xxe())]));
    let mut small = policy();
    small.archives.max_total_bytes = 2 * 1024 * 1024;
    let message = limit_message(&judge("a.tar.gz", &bytes, &small), "total");
    assert!(
        message.contains("more than 2097152 bytes decompressed"),
        "{message}"
    );

    let mut hurried = policy();
    hurried.archives.max_milliseconds = 0;
    let message = limit_message(&judge("a.tar.gz", &bytes, &hurried), "time");
    assert!(message.contains("longer than 0 ms"), "{message}");

    let mut tight = policy();
    tight.archives.max_archive_bytes = 1024;
    let message = limit_message(&judge("a.tar.gz", &bytes, &tight), "size");
    assert!(message.contains("larger than the 1024 bytes"), "{message}");
    // The same bound for an archive inside one.
    let inner = zip_with(
        &[("RA.msrcincident", &[b' '; 10_000])],
        zip::CompressionMethod::Stored,
    );
    let outer = gz(&tar(&[("inner.zip", &inner)]));
    tight.archives.max_archive_bytes = 8192;
    let reports = judge("a.tar.gz", &outer, &tight);
    let message = limit_message(&reports, "nested size");
    assert_eq!(reports[0].inside, ["inner.zip"]);
    assert!(message.contains("zip archive"), "{message}");
}

#[test]
fn depth_one_opens_the_archive_but_not_the_archives_inside() {
    let inner = zip(&[("RA.msrcincident", &xxe())]);
    let outer = zip(&[("inner.zip", &inner), ("top.msrcincident", &good())]);
    let mut shallow = policy();
    shallow.archives.max_depth = 1;
    let reports = judge("a.zip", &outer, &shallow);
    assert_eq!(reports.len(), 2, "{reports:#?}");
    assert_eq!(reports[0].inside, ["inner.zip"]);
    assert_eq!(
        codes(&reports[0]),
        [(FindingCode::ArchiveLimit, Severity::Error)]
    );
    assert_eq!(reports[1].inside, ["top.msrcincident"]);
    assert_eq!(reports[1].report.verdict, Verdict::Accept);
    shallow.archives.max_depth = 0;
    let reports = judge("a.zip", &outer, &shallow);
    assert_eq!(reports.len(), 1);
    assert!(reports[0].inside.is_empty());
}

// --- Mail -----------------------------------------------------------------------------------

fn message_with(name: &str, bytes: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "From: a@example.net\r\nTo: b@example.com\r\nSubject: help\r\nMessage-ID: <m@x>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

#[test]
fn mail_attachments_are_opened_and_the_path_named() {
    for how in ALL {
        let (file, bytes, inside) = wrap(how, "RAInvitation.msrcincident", &xxe());
        let reports = scan_message(&message_with(&file, &bytes), &policy(), now()).unwrap();
        assert_eq!(reports.len(), 1, "{how:?}: {reports:#?}");
        assert_eq!(reports[0].attachment, file, "{how:?}");
        assert_eq!(reports[0].inside, inside, "{how:?}");
        assert_eq!(reports[0].report.verdict, Verdict::Reject, "{how:?}");
        // Renamed, found by content.
        let reports = scan_message(&message_with("scan.pdf", &bytes), &policy(), now()).unwrap();
        assert_eq!(reports.len(), 1, "{how:?} renamed");
        assert_eq!(
            reports[0].report.verdict,
            Verdict::Reject,
            "{how:?} renamed"
        );
    }
    // An archive attachment with no invitation: nothing to report, as for any attachment.
    let photos = zip(&[("photo.jpg", b"\xFF\xD8\xFF")]);
    let reports = scan_message(&message_with("photos.zip", &photos), &policy(), now()).unwrap();
    assert!(reports.is_empty(), "{reports:#?}");
    // An encrypted one: not inspected, so the message fails.
    let locked = zip_marked_encrypted(&[("RAInvitation.msrcincident", &good())]);
    let reports = scan_message(&message_with("locked.zip", &locked), &policy(), now()).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report.verdict, Verdict::Reject);
    assert_eq!(reports[0].inside, ["RAInvitation.msrcincident"]);
}

#[test]
fn a_file_given_by_name_is_read_up_to_the_larger_limit_and_judged_by_its_name_when_larger() {
    let mut policy = policy();
    policy.limits.max_input_bytes = 1000;
    policy.archives.max_archive_bytes = 5000;
    assert_eq!(rainv_gateway::file_read_limit(&policy), 5000);
    policy.limits.max_input_bytes = 9000;
    assert_eq!(rainv_gateway::file_read_limit(&policy), 9000);
    policy.limits.max_input_bytes = 1000;

    // Too large for either: named like an archive, an archive's limit; otherwise an
    // invitation's.
    let code = |name, size| rainv_gateway::oversized_file(name, size, &policy).findings[0].code;
    assert_eq!(code(Some("mail.zip"), 6000), FindingCode::ArchiveLimit);
    assert_eq!(
        code(Some("invite.msrcincident"), 6000),
        FindingCode::Library(rainv::ErrorCode::TooLarge)
    );
    assert_eq!(
        code(None, 6000),
        FindingCode::Library(rainv::ErrorCode::TooLarge)
    );

    // inspect_file: an archive within the archive limit is opened, the same bytes one byte
    // over it are not; an invitation is judged as `inspect` judges it.
    let archive = zip(&[("RAInvitation.msrcincident", &xxe())]);
    policy.archives.max_archive_bytes = archive.len();
    let inside = rainv_gateway::inspect_file(Some("a.zip"), &archive, &policy, now());
    assert_eq!(inside.len(), 1);
    assert_eq!(inside[0].inside, ["RAInvitation.msrcincident"]);
    policy.archives.max_archive_bytes = archive.len() - 1;
    let over = rainv_gateway::inspect_file(Some("a.zip"), &archive, &policy, now());
    assert_eq!(over.len(), 1);
    assert!(over[0].inside.is_empty());
    assert_eq!(over[0].report.findings[0].code, FindingCode::ArchiveLimit);
    let default = self::policy();
    assert_eq!(
        rainv_gateway::inspect_file(Some("x.msrcincident"), &good(), &default, now()),
        inspect(
            &["x.msrcincident"],
            &good(),
            Candidate::Always,
            &default,
            now()
        )
    );
}
