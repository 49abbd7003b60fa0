//! Opening each kind of archive and handing its entries, one at a time, to a visitor.
//!
//! Every entry is read through a [`Counted`] reader (streams are counted where they come out of
//! the decompressor, so that data a format skips over is counted too), and nothing here holds
//! more than one entry's worth of decompressed data.

use std::io::{self, Cursor, Read};

use super::budget::{Budget, Counted, Level};
use super::kind::{Kind, by_content, by_name};

/// Memory a decoder may take for its dictionary or window (7z, xz, zstd). Archives made with
/// the strongest settings of 7-Zip and xz use 64 MiB.
const DECODER_MEMORY: usize = 64 * 1024 * 1024;

/// Bytes of a 7z header allowed per entry the policy allows: the reader makes a record of
/// about a hundred bytes for each entry a header declares, before the entries can be counted.
const SEVEN_ZIP_HEADER_BYTES_PER_ENTRY: usize = 128;

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
    use sevenz_rust2::{Archive, ArchiveReader, Error, Password};

    let unreadable = |e: Error| {
        Problem::Unreadable(match e {
            Error::PasswordRequired | Error::MaybeBadPassword(_) => {
                "an encrypted 7z archive".to_string()
            }
            other => format!("not a readable 7z archive ({other})"),
        })
    };
    // First the header alone, under a bound that keeps the entries' records small; then the
    // reader, whose bound is for the decoders' dictionaries.
    let header_limit = budget
        .limits()
        .max_entries
        .saturating_mul(SEVEN_ZIP_HEADER_BYTES_PER_ENTRY)
        .max(64 * 1024);
    let password = Password::from("");
    let archive = match Archive::read_with_memory_limit(
        &mut Cursor::new(bytes),
        &password,
        header_limit / 1024,
    ) {
        Ok(archive) => archive,
        Err(Error::MaxMemLimited { .. }) => {
            return Err(Problem::TooManyEntries(budget.limits().max_entries + 1));
        }
        Err(e) => return Err(unreadable(e)),
    };
    admit(archive.files.len(), budget)?;
    drop(archive);
    let mut reader =
        ArchiveReader::new_with_memory_limit(Cursor::new(bytes), password, DECODER_MEMORY / 1024)
            .map_err(|e| match e {
            Error::MaxMemLimited { .. } => Problem::Unreadable(format!(
                "a 7z archive whose decoder would need more than {} MiB",
                DECODER_MEMORY / 1024 / 1024
            )),
            other => unreadable(other),
        })?;
    reader.set_thread_count(1);
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
    let named_tar = names.iter().any(|name| {
        let name = name.trim_end_matches(['.', ' ']).to_ascii_lowercase();
        [".tgz", ".tbz", ".tbz2", ".txz", ".tzst"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || name
                .rsplit_once('.')
                .is_some_and(|(stem, _)| by_name(stem) == Some(Kind::Tar))
    });
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
        Some((stem, ext)) if ext.eq_ignore_ascii_case("tgz") => format!("{stem}.tar"),
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => "(contents)".to_string(),
    }
}
