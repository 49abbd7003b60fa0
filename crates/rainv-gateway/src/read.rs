//! [`read_bounded`]: reading untrusted input, but never more of it than a limit allows.

use std::io::{self, Read};

/// What [`read_bounded`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The whole input is in the buffer.
    Complete,
    /// The input is larger than the limit, and was not read whole: the buffer holds some of it,
    /// or nothing.
    TooLarge {
        /// The input's size as far as it is known: the size hint when that was above the
        /// limit, else the bytes read (the limit plus one). The input is at least this large.
        size: u64,
    },
}

/// Largest first read sized by the size hint; larger inputs are read as they come.
const FIRST_READ_MAX: usize = 1_048_576;

/// Read all of `reader` into `buffer` (replacing what it held) if it is at most `limit` bytes;
/// otherwise stop one byte past the limit, which shows it is too large without reading the rest.
///
/// `size_hint` is the input's exact size when known beforehand: a regular file's length (never
/// a size that is only an estimate). With it, an input above the limit is reported without
/// reading anything, and a small input is read with a single `read` call: one byte more than
/// its size is asked for, and a read that stops at that size is taken as the end, as it is for
/// a regular file. An input that turns out longer (a first read of more than its size) or
/// shorter is read on as if there were no hint. The buffer's capacity is kept, so a caller
/// reading many inputs can reuse one buffer.
///
/// ```
/// use rainv_gateway::{ReadOutcome, read_bounded};
///
/// let mut buffer = Vec::new();
/// let outcome = read_bounded(&b"<E>...</E>"[..], 16, None, &mut buffer)?;
/// assert_eq!(outcome, ReadOutcome::Complete);
/// assert_eq!(buffer, b"<E>...</E>");
/// let outcome = read_bounded(&[b' '; 100][..], 16, None, &mut buffer)?;
/// assert_eq!(outcome, ReadOutcome::TooLarge { size: 17 });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_bounded(
    mut reader: impl Read,
    limit: usize,
    size_hint: Option<u64>,
    buffer: &mut Vec<u8>,
) -> io::Result<ReadOutcome> {
    buffer.clear();
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if let Some(size) = size_hint {
        if size > limit_u64 {
            return Ok(ReadOutcome::TooLarge { size });
        }
        // At most `limit`, so it fits a usize.
        let want = usize::try_from(size).unwrap_or(limit).saturating_add(1);
        if want <= FIRST_READ_MAX {
            buffer.resize(want, 0);
            let got = read_once(&mut reader, buffer)?;
            buffer.truncate(got);
            if u64::try_from(got).is_ok_and(|got| got == size) {
                return Ok(ReadOutcome::Complete);
            }
        }
    }
    let room = limit_u64.saturating_add(1) - u64::try_from(buffer.len()).unwrap_or(u64::MAX);
    reader.take(room).read_to_end(buffer)?;
    if buffer.len() > limit {
        Ok(ReadOutcome::TooLarge {
            size: u64::try_from(buffer.len()).unwrap_or(u64::MAX),
        })
    } else {
        Ok(ReadOutcome::Complete)
    }
}

/// One `read`, retried when a signal interrupts it.
fn read_once(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data` in pieces of at most `piece` bytes, after an interruption, and counts the
    /// calls to `read`.
    struct Pieces<'a> {
        data: &'a [u8],
        piece: usize,
        interrupt: bool,
        reads: usize,
    }

    impl<'a> Pieces<'a> {
        fn new(data: &'a [u8], piece: usize) -> Pieces<'a> {
            Pieces {
                data,
                piece,
                interrupt: true,
                reads: 0,
            }
        }
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if std::mem::take(&mut self.interrupt) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.piece).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn read(data: &[u8], limit: usize, hint: Option<u64>, piece: usize) -> (ReadOutcome, Vec<u8>) {
        let mut buffer = b"left over".to_vec();
        let outcome = read_bounded(Pieces::new(data, piece), limit, hint, &mut buffer).unwrap();
        (outcome, buffer)
    }

    #[test]
    fn reads_up_to_the_limit_and_one_byte_past_it() {
        let data: Vec<u8> = (0..=255).collect();
        for hint in [None, Some(256)] {
            for piece in [1, 7, 1000] {
                let what = format!("hint {hint:?}, pieces of {piece}");
                assert_eq!(
                    read(&data, 256, hint, piece),
                    (ReadOutcome::Complete, data.clone()),
                    "{what}"
                );
                assert_eq!(
                    read(&data, 1000, hint, piece),
                    (ReadOutcome::Complete, data.clone()),
                    "{what}"
                );
                assert_eq!(
                    read(&data, 0, None, piece).0,
                    ReadOutcome::TooLarge { size: 1 }
                );
                let (outcome, buffer) = read(&data, 255, None, piece);
                assert_eq!(outcome, ReadOutcome::TooLarge { size: 256 }, "{what}");
                assert_eq!(buffer, data, "{what}");
                let (outcome, buffer) = read(&data, 100, None, piece);
                assert_eq!(outcome, ReadOutcome::TooLarge { size: 101 }, "{what}");
                assert_eq!(buffer, &data[..101], "{what}");
            }
        }
        assert_eq!(read(b"", 0, None, 1), (ReadOutcome::Complete, Vec::new()));
        assert_eq!(
            read(b"", 0, Some(0), 1),
            (ReadOutcome::Complete, Vec::new())
        );
    }

    #[test]
    fn a_size_hint_above_the_limit_reads_nothing() {
        let mut reader = Pieces::new(b"short", 100);
        let mut buffer = Vec::new();
        let outcome = read_bounded(&mut reader, 4, Some(1 << 40), &mut buffer).unwrap();
        assert_eq!(outcome, ReadOutcome::TooLarge { size: 1 << 40 });
        assert_eq!(reader.reads, 0);
        assert!(buffer.is_empty());
    }

    #[test]
    fn a_size_hint_saves_the_read_that_finds_the_end() {
        let data = vec![b'x'; 5000];
        let mut reader = Pieces::new(&data, usize::MAX);
        reader.interrupt = false;
        let mut buffer = Vec::new();
        let outcome = read_bounded(&mut reader, 1 << 20, Some(5000), &mut buffer).unwrap();
        assert_eq!((outcome, reader.reads), (ReadOutcome::Complete, 1));
        assert_eq!(buffer, data);
        // Without the hint, a last read finds the end.
        let mut reader = Pieces::new(&data, usize::MAX);
        reader.interrupt = false;
        read_bounded(&mut reader, 1 << 20, None, &mut buffer).unwrap();
        assert!(reader.reads > 1);
        assert_eq!(buffer, data);
    }

    #[test]
    fn an_input_unlike_its_size_hint_is_still_read_whole_or_refused() {
        let data: Vec<u8> = (0..200).collect();
        // Longer than the hint (a file that grew, or one whose size is not its length, as in
        // /proc): the first read fills all it was asked for, so more may follow.
        for hint in [0, 1, 100, 199] {
            assert_eq!(
                read(&data, 1000, Some(hint), 1000),
                (ReadOutcome::Complete, data.clone()),
                "hint {hint}"
            );
            if hint <= 150 {
                let (outcome, buffer) = read(&data, 150, Some(hint), 1000);
                assert_eq!(outcome, ReadOutcome::TooLarge { size: 151 }, "hint {hint}");
                assert_eq!(buffer, &data[..151], "hint {hint}");
            }
        }
        // Shorter than the hint, or given in short reads.
        for piece in [1, 64, 1000] {
            for hint in [200, 300] {
                assert_eq!(
                    read(&data, 1000, Some(hint), piece),
                    (ReadOutcome::Complete, data.clone()),
                    "hint {hint}, pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn inputs_above_the_first_read_are_read_as_they_come() {
        let data = vec![b'y'; FIRST_READ_MAX + 10];
        let size = Some(data.len() as u64);
        for limit in [data.len(), data.len() + 1] {
            assert_eq!(
                read(&data, limit, size, 4096),
                (ReadOutcome::Complete, data.clone())
            );
        }
        let limit = FIRST_READ_MAX - 1;
        assert_eq!(
            read(&data, limit, None, 4096).0,
            ReadOutcome::TooLarge {
                size: FIRST_READ_MAX as u64
            }
        );
    }

    #[test]
    fn errors_other_than_interruptions_are_returned() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::ErrorKind::PermissionDenied.into())
            }
        }
        for hint in [None, Some(10)] {
            let error = read_bounded(Broken, 100, hint, &mut Vec::new()).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
        }
    }
}
