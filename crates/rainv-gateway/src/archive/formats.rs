//! Opening each kind of archive and handing its entries, one at a time, to a visitor.
//!
//! Every entry is read through a [`Counted`] reader (streams are counted where they come out of
//! the decompressor, so that data a format skips over is counted too), and nothing here holds
//! more than one entry's worth of decompressed data.

use std::io::{self, Cursor, Read};

use super::budget::{Budget, Counted, Level};
use super::kind::{self, Kind, by_content};

/// Memory a decoder may take for its dictionary or window (7z, xz, zstd). Archives made with
/// the strongest settings of 7-Zip and xz use 64 MiB.
const DECODER_MEMORY: usize = 64 * 1024 * 1024;

/// Bytes of a 7z header allowed per entry the policy allows: the reader makes a record of
/// about a hundred bytes for each entry a header declares, before the entries can be counted.
const SEVEN_ZIP_HEADER_BYTES_PER_ENTRY: usize = 128;

/// The smallest bound on a 7z header's size, whatever the entry limit: room for the entries of
/// a few hundred files with long names.
const SEVEN_ZIP_HEADER_MIN: usize = 64 * 1024;

/// An entry, as the visitor gets it.
pub(super) enum Entry<'r> {
    /// Its content, to read.
    File(&'r mut dyn Read),
    /// It cannot be read, for this reason (encrypted, an unsupported method).
    NotReadable(String),
}

/// Why an archive was not read to its end.
#[derive(Debug)]
pub(super) enum Problem {
    /// The budget is exhausted (it knows which bound): the whole inspection stops.
    Bound,
    /// The archive has more entries than allowed (at least this many).
    TooManyEntries(usize),
    /// The archive could not be read, for this reason.
    Unreadable(String),
}

/// Receives each entry: its name inside the archive, and the entry.
pub(super) type Visit<'v> = dyn FnMut(&str, Entry<'_>) -> Result<(), Problem> + 'v;

/// Hand every file entry of the archive in `bytes` (of kind `kind`, named `names`) to `visit`.
pub(super) fn each_entry(
    kind: Kind,
    bytes: &[u8],
    names: &[&str],
    budget: &Budget,
    level: &Level,
    visit: &mut Visit<'_>,
) -> Result<(), Problem> {
    let result = match kind {
        Kind::Zip => zip(bytes, budget, level, visit),
        Kind::SevenZip => seven_zip(bytes, budget, level, visit),
        Kind::Tar => tar(Counted::new(bytes, budget, level), budget, visit),
        Kind::Gzip => {
            let decoder = flate2::read::MultiGzDecoder::new(bytes);
            // The name gzip stored, read from the header before the data.
            let stored = flate2::read::GzDecoder::new(bytes)
                .header()
                .and_then(|h| h.filename())
                .map(|n| String::from_utf8_lossy(n).into_owned());
            stream(decoder, stored, names, budget, level, visit)
        }
        Kind::Bzip2 => {
            let decoder = bzip2::read::MultiBzDecoder::new(bytes);
            stream(decoder, None, names, budget, level, visit)
        }
        Kind::Xz => {
            let limit_kb = u32::try_from(DECODER_MEMORY / 1024).unwrap_or(u32::MAX);
            let decoder = lzma_rust2::XzReader::new_mem_limit(bytes, true, limit_kb);
            stream(decoder, None, names, budget, level, visit)
        }
        Kind::Zstd => {
            let decoder = ruzstd::decoding::StreamingDecoder::new_with_max_window_size(
                bytes,
                DECODER_MEMORY as u64,
            )
            .map_err(|e| Problem::Unreadable(format!("not a readable zstd file ({e})")))?;
            stream(decoder, None, names, budget, level, visit)
        }
        Kind::Unopened(what) => Err(Problem::Unreadable(what.to_string())),
    };
    // Whatever a library made of a bound's error, the bound is the reason.
    match result {
        Err(Problem::Unreadable(_)) if budget.exceeded().is_some() => Err(Problem::Bound),
        other => other,
    }
}

fn admit(count: usize, budget: &Budget) -> Result<(), Problem> {
    if count > budget.limits().max_entries {
        Err(Problem::TooManyEntries(count))
    } else if budget.out_of_time() {
        Err(Problem::Bound)
    } else {
        Ok(())
    }
}

fn zip(bytes: &[u8], budget: &Budget, level: &Level, visit: &mut Visit<'_>) -> Result<(), Problem> {
    // The zip library keeps a record for each entry of the central directory before any can
    // be counted; each needs its signature, so counting signatures bounds them first.
    let signatures = memchr::memmem::find_iter(bytes, b"PK\x01\x02").count();
    admit(signatures, budget)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Problem::Unreadable(format!("not a readable zip archive ({e})")))?;
    admit(archive.len(), budget)?;
    for index in 0..archive.len() {
        admit(0, budget)?;
        let (name, encrypted, is_dir) = {
            let entry = archive
                .by_index_data(index)
                .map_err(|e| Problem::Unreadable(format!("not a readable zip archive ({e})")))?;
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
            };
            (name, entry.encrypted(), entry.is_dir())
        };
        if is_dir {
            continue;
        }
        if encrypted {
            visit(&name, Entry::NotReadable("an encrypted entry".into()))?;
            continue;
        }
        match archive.by_index(index) {
            Ok(file) => {
                let mut counted = Counted::new(file, budget, level);
                visit(&name, Entry::File(&mut counted))?;
            }
            Err(e) => visit(
                &name,
                Entry::NotReadable(format!("an entry rainv cannot read ({e})")),
            )?,
        }
    }
    Ok(())
}

fn seven_zip(
    bytes: &[u8],
    budget: &Budget,
    level: &Level,
    visit: &mut Visit<'_>,
) -> Result<(), Problem> {
    use sevenz_rust2::{ArchiveReader, Error, Password};

    let unreadable = |e: Error| {
        Problem::Unreadable(match e {
            Error::PasswordRequired | Error::MaybeBadPassword(_) => {
                "an encrypted 7z archive".to_string()
            }
            other => format!("not a readable 7z archive ({other})"),
        })
    };
    // The reader makes a record for every entry its header declares before the entries can be
    // counted, up to one per byte of the decoded header: the header's size is bounded first.
    let header_size = seven_zip_header_size(bytes)
        .ok_or_else(|| Problem::Unreadable("not a readable 7z archive (its header)".into()))?;
    let header_limit = budget
        .limits()
        .max_entries
        .saturating_mul(SEVEN_ZIP_HEADER_BYTES_PER_ENTRY)
        .max(SEVEN_ZIP_HEADER_MIN);
    if header_size > u64::try_from(header_limit).unwrap_or(u64::MAX) {
        return Err(Problem::TooManyEntries(budget.limits().max_entries + 1));
    }
    let mut reader = ArchiveReader::new_with_memory_limit(
        Cursor::new(bytes),
        Password::from(""),
        DECODER_MEMORY / 1024,
    )
    .map_err(|e| match e {
        Error::MaxMemLimited { .. } => Problem::Unreadable(format!(
            "a 7z archive whose decoder would need more than {} MiB",
            DECODER_MEMORY / 1024 / 1024
        )),
        other => unreadable(other),
    })?;
    reader.set_thread_count(1);
    admit(reader.archive().files.len(), budget)?;
    let mut stopped = None;
    let result = reader.for_each_entries(|entry, data| {
        if entry.is_directory() {
            return Ok(true);
        }
        let mut counted = Counted::new(data, budget, level);
        if let Err(problem) = visit(entry.name(), Entry::File(&mut counted)) {
            stopped = Some(problem);
            return Err(Error::Unsupported("stopped by the gateway".into()));
        }
        // What the visitor left unread is decoded through the budget, not behind its back.
        io::copy(&mut counted, &mut io::sink())?;
        Ok(true)
    });
    if let Some(problem) = stopped {
        return Err(problem);
    }
    result.map_err(unreadable)
}

fn tar(reader: impl Read, budget: &Budget, visit: &mut Visit<'_>) -> Result<(), Problem> {
    let unreadable =
        |e: io::Error| Problem::Unreadable(format!("not a readable tar archive ({e})"));
    let mut archive = tar::Archive::new(reader);
    let mut count = 0;
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        count += 1;
        admit(count, budget)?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        visit(&name, Entry::File(&mut entry))?;
    }
    Ok(())
}

/// A single compressed stream (gzip, bzip2, xz, zstd): a tar archive inside, or one file.
fn stream(
    decoder: impl Read,
    stored_name: Option<String>,
    names: &[&str],
    budget: &Budget,
    level: &Level,
    visit: &mut Visit<'_>,
) -> Result<(), Problem> {
    let mut decoded = Counted::new(decoder, budget, level);
    let mut head = Vec::with_capacity(512);
    (&mut decoded)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| Problem::Unreadable(format!("not a readable compressed file ({e})")))?;
    let named_tar = names.iter().any(|name| kind::names_compressed_tar(name));
    let content = Cursor::new(head).chain(decoded);
    if named_tar || by_content(content.get_ref().0.get_ref()) == Some(Kind::Tar) {
        return tar(content, budget, visit);
    }
    let mut content = content;
    let name = stored_name.unwrap_or_else(|| inner_name(names));
    visit(&name, Entry::File(&mut content))
}

/// What a compressed file holds is called as the file, without its extension.
fn inner_name(names: &[&str]) -> String {
    let Some(name) = names.first() else {
        return "(contents)".to_string();
    };
    let name = name.trim_end_matches(['.', ' ']);
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => "(contents)".to_string(),
    }
}

/// An upper bound on the size of a 7z archive's decoded header, from its start header and,
/// when the header is itself compressed, the sizes its streams info declares. `None` when the
/// bytes do not hold that much of a 7z archive.
fn seven_zip_header_size(bytes: &[u8]) -> Option<u64> {
    const ENCODED_HEADER: u8 = 0x17;
    const PACK_INFO: u8 = 0x06;
    const UNPACK_INFO: u8 = 0x07;
    const FOLDER: u8 = 0x0B;
    const CODERS_UNPACK_SIZE: u8 = 0x0C;
    const SIZE: u8 = 0x09;
    const CRC: u8 = 0x0A;
    const END: u8 = 0x00;

    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    let offset = usize::try_from(u64_at(12)?).ok()?;
    let size = u64_at(20)?;
    let start = 32usize.checked_add(offset)?;
    let header = bytes.get(start..start.checked_add(usize::try_from(size).ok()?)?)?;
    let mut input = SevenZipBytes(header);
    if input.byte()? != ENCODED_HEADER {
        // A plain header: its size is its size.
        return Some(size);
    }
    // Streams info: pack info, then the folders and the sizes they unpack to.
    if input.byte()? != PACK_INFO {
        return None;
    }
    input.number()?;
    let pack_streams = input.number()?;
    loop {
        match input.byte()? {
            END => break,
            SIZE => {
                for _ in 0..pack_streams {
                    input.number()?;
                }
            }
            CRC => {
                let all = input.byte()? != 0;
                let defined = if all {
                    pack_streams
                } else {
                    input.bits(pack_streams)?
                };
                input.skip(defined.checked_mul(4)?)?;
            }
            _ => return None,
        }
    }
    if input.byte()? != UNPACK_INFO || input.byte()? != FOLDER {
        return None;
    }
    let folders = input.number()?;
    if input.byte()? != 0 {
        return None;
    }
    let mut outputs = 0u64;
    for _ in 0..folders {
        let coders = input.number()?;
        let (mut folder_in, mut folder_out) = (0u64, 0u64);
        for _ in 0..coders {
            let flags = input.byte()?;
            input.skip(u64::from(flags & 0x0F))?;
            if flags & 0x10 != 0 {
                folder_in = folder_in.checked_add(input.number()?)?;
                folder_out = folder_out.checked_add(input.number()?)?;
            } else {
                folder_in += 1;
                folder_out += 1;
            }
            if flags & 0x20 != 0 {
                let length = input.number()?;
                input.skip(length)?;
            }
        }
        let bind_pairs = folder_out.checked_sub(1)?;
        for _ in 0..bind_pairs {
            input.number()?;
            input.number()?;
        }
        let packed = folder_in.checked_sub(bind_pairs)?;
        if packed > 1 {
            for _ in 0..packed {
                input.number()?;
            }
        }
        outputs = outputs.checked_add(folder_out)?;
    }
    if input.byte()? != CODERS_UNPACK_SIZE {
        return None;
    }
    let mut largest = 0;
    for _ in 0..outputs {
        largest = largest.max(input.number()?);
    }
    Some(largest)
}

/// Reading the numbers of a 7z header.
struct SevenZipBytes<'a>(&'a [u8]);

impl SevenZipBytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    fn skip(&mut self, count: u64) -> Option<()> {
        let count = usize::try_from(count).ok()?;
        self.0 = self.0.get(count..)?;
        Some(())
    }

    /// A number: the leading one bits of the first byte say how many bytes follow (little
    /// endian), and the first byte's remaining bits are the highest.
    fn number(&mut self) -> Option<u64> {
        let first = self.byte()?;
        let extra = first.leading_ones();
        let mut value = 0u64;
        for index in 0..extra.min(8) {
            value |= u64::from(self.byte()?) << (8 * index);
        }
        if extra < 8 {
            let high = u64::from(first) & ((1u64 << (7 - extra)) - 1);
            value |= high << (8 * extra);
        }
        Some(value)
    }

    /// A bit vector of `count` bits; the number of bits set.
    fn bits(&mut self, count: u64) -> Option<u64> {
        let bytes = count.div_ceil(8);
        let mut set = 0;
        for _ in 0..bytes {
            set += u64::from(self.byte()?.count_ones());
        }
        Some(set)
    }
}
