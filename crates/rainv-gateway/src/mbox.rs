//! The messages of an mbox, read with bounded memory: a message longer than the limit is
//! skipped (its length counted, its bytes dropped as they come) and reported as too large,
//! and no line, however long, is held whole.
//!
//! Why not mail-parser's mbox iterator: it reads each message whole before its size can be
//! checked, so one 1 GB message in an mbox costs 1 GB.

use std::io::{self, Read};

/// One message of an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MboxMessage {
    /// The message's bytes, without the `From ` line that starts it.
    Complete(Vec<u8>),
    /// A message longer than the limit: how long it was. Its bytes were not kept.
    TooLarge {
        /// Its length in bytes.
        size: u64,
    },
}

/// The messages of an mbox, each at most `limit` bytes in memory; see [`mbox_messages`].
#[derive(Debug)]
pub struct MboxMessages<R> {
    reader: R,
    limit: usize,
    /// Bytes read but not yet taken: `pending[consumed..]`.
    pending: Vec<u8>,
    /// What each `read` fills, before its bytes join `pending`.
    scratch: Vec<u8>,
    consumed: usize,
    /// Inside a line whose start was already taken (a long line is taken in pieces).
    mid_line: bool,
    eof: bool,
    /// The next message's `From ` line has been taken.
    started: bool,
    /// Taking the rest of a long `From ` line, which belongs to no message.
    in_separator: bool,
    /// A read failed: the error was given, and nothing more is.
    failed: bool,
}

/// How much is read at a time.
const CHUNK: usize = 65_536;

/// The messages of the mbox `reader` holds, in order. Lines starting with `From ` separate
/// messages; bytes before the first are a message of their own. Memory stays within about
/// `limit` plus 64 KiB, whatever the input.
pub fn mbox_messages<R: Read>(reader: R, limit: usize) -> MboxMessages<R> {
    MboxMessages {
        reader,
        limit,
        pending: Vec::with_capacity(CHUNK),
        scratch: vec![0; CHUNK],
        consumed: 0,
        mid_line: false,
        eof: false,
        started: false,
        in_separator: false,
        failed: false,
    }
}

impl<R: Read> MboxMessages<R> {
    /// Read more into `pending`, dropping what was taken; at the end of the input, note it.
    fn fill(&mut self) -> io::Result<()> {
        self.pending.drain(..self.consumed);
        self.consumed = 0;
        if self.eof {
            return Ok(());
        }
        let read = loop {
            match self.reader.read(&mut self.scratch) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        self.pending.extend_from_slice(&self.scratch[..read]);
        self.eof = read == 0;
        Ok(())
    }
}

impl<R: Read> Iterator for MboxMessages<R> {
    type Item = io::Result<MboxMessage>;

    fn next(&mut self) -> Option<io::Result<MboxMessage>> {
        if self.failed {
            return None;
        }
        let mut message = Vec::new();
        let mut size: u64 = 0;
        let mut any = false;
        loop {
            let rest = &self.pending[self.consumed..];
            let line_end = memchr::memchr(b'\n', rest).map(|at| at + 1);
            // A line starting `From ` (at a line start, and once its first five bytes are in)
            // separates messages.
            let at_line_start = !self.mid_line;
            let separator = at_line_start && rest.starts_with(b"From ");
            // Too few bytes yet to tell whether a separator starts here.
            let undecided = at_line_start && rest.len() < 5 && b"From ".starts_with(rest);
            let available = rest.len();
            if separator && (self.started || any) {
                // The next message begins: this one is done (its `From ` line is left).
                self.started = false;
                return Some(Ok(finish(message, size, self.limit)));
            }
            let take = match line_end {
                Some(end) => end,
                None if (undecided || available == 0) && !self.eof => match self.fill() {
                    Ok(()) => continue,
                    Err(e) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                },
                None if available == 0 => {
                    if any || self.started {
                        self.started = false;
                        return Some(Ok(finish(message, size, self.limit)));
                    }
                    return None;
                }
                None => available,
            };
            let piece = &self.pending[self.consumed..self.consumed + take];
            self.mid_line = piece.last() != Some(&b'\n');
            if separator || self.in_separator {
                // This message's own `From ` line: not part of it.
                self.started = true;
                self.in_separator = self.mid_line;
            } else {
                any = true;
                size += piece.len() as u64;
                if size <= self.limit as u64 {
                    message.extend_from_slice(piece);
                } else {
                    // Too large: what was kept is dropped, and nothing more is kept.
                    message = Vec::new();
                }
            }
            self.consumed += take;
        }
    }
}

fn finish(message: Vec<u8>, size: u64, limit: usize) -> MboxMessage {
    if size > limit as u64 {
        MboxMessage::TooLarge { size }
    } else {
        MboxMessage::Complete(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a call, to split lines and separators anywhere.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn split(data: &[u8], limit: usize, step: usize) -> Vec<MboxMessage> {
        mbox_messages(Trickle { data, step }, limit)
            .collect::<io::Result<Vec<_>>>()
            .unwrap()
    }

    fn complete(text: &str) -> MboxMessage {
        MboxMessage::Complete(text.as_bytes().to_vec())
    }

    #[test]
    fn splits_on_from_lines_wherever_the_reads_end() {
        let mbox = "From a@b Mon Jan 1 00:00:00 2024\nSubject: one\n\nbody\nFrom here is not a separator? it is.\nFrom c@d\r\nSubject: two\r\n\r\n>From quoted\r\nFrom_ not\r\n";
        for step in [1, 2, 3, 4, 5, 6, 7, 64, 100_000] {
            assert_eq!(
                split(mbox.as_bytes(), 1 << 20, step),
                [
                    complete("Subject: one\n\nbody\n"),
                    complete(""),
                    complete("Subject: two\r\n\r\n>From quoted\r\nFrom_ not\r\n"),
                ],
                "step {step}"
            );
        }
        // Bytes before the first separator are a message; no trailing newline is needed.
        assert_eq!(
            split(b"Subject: x\n\nA\nFrom y\nB", 100, 3),
            [complete("Subject: x\n\nA\n"), complete("B")]
        );
        assert_eq!(split(b"", 100, 1), []);
        assert_eq!(split(b"From x\n", 100, 1), [complete("")]);
        assert_eq!(split(b"Fro", 100, 1), [complete("Fro")]);
        assert_eq!(split(b"From", 100, 2), [complete("From")]);
    }

    #[test]
    fn messages_over_the_limit_are_counted_not_kept() {
        let long_line = "x".repeat(300_000);
        let mbox = format!("From a\n{long_line}\nFrom b\nsmall\nFrom c\n{long_line}");
        for step in [7, 4096, 1 << 20] {
            assert_eq!(
                split(mbox.as_bytes(), 1000, step),
                [
                    MboxMessage::TooLarge { size: 300_001 },
                    complete("small\n"),
                    MboxMessage::TooLarge { size: 300_000 },
                ],
                "step {step}"
            );
        }
        // Exactly at the limit is kept.
        assert_eq!(split(b"From a\n12345\n", 6, 2), [complete("12345\n")]);
        assert_eq!(
            split(b"From a\n123456\n", 6, 2),
            [MboxMessage::TooLarge { size: 7 }]
        );
        // A long `From ` line is no part of its message.
        let from = format!("From {}\nbody\n", "s".repeat(200_000));
        assert_eq!(split(from.as_bytes(), 10, 4096), [complete("body\n")]);
        // A `From ` inside a long line is not a separator.
        let inside = format!("From a\n{}From b\n", "y".repeat(100_000));
        assert_eq!(split(inside.as_bytes(), 10, 65_536).len(), 1);
    }

    #[test]
    fn interrupted_reads_are_retried_and_errors_end_the_messages() {
        /// Interrupted before every read, and failing after `fail_after` bytes.
        struct Flaky<'a> {
            data: &'a [u8],
            interrupt: bool,
            fail_after: usize,
        }
        impl Read for Flaky<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                self.interrupt = !self.interrupt;
                if self.interrupt {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                if self.fail_after == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                let n = out.len().min(self.data.len()).min(self.fail_after).min(3);
                out[..n].copy_from_slice(&self.data[..n]);
                self.data = &self.data[n..];
                self.fail_after -= n;
                Ok(n)
            }
        }
        let mbox = b"From a\none\nFrom b\ntwo\n";
        let read = |fail_after| -> Vec<Result<MboxMessage, String>> {
            mbox_messages(
                Flaky {
                    data: mbox,
                    interrupt: false,
                    fail_after,
                },
                100,
            )
            .map(|m| m.map_err(|e| e.to_string()))
            .collect()
        };
        assert_eq!(
            read(usize::MAX),
            [Ok(complete("one\n")), Ok(complete("two\n"))]
        );
        assert_eq!(
            read(18),
            [Ok(complete("one\n")), Err("disk on fire".to_string())]
        );
    }

    #[test]
    fn memory_stays_bounded_on_a_huge_message() {
        // 100 MB of one line, never held: the reader would fail the test by time or memory.
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = (out.len() as u64).min(self.0) as usize;
                out[..n].fill(b'z');
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let mut messages = mbox_messages(Endless(100_000_000), 1 << 20);
        assert_eq!(
            messages.next().unwrap().unwrap(),
            MboxMessage::TooLarge { size: 100_000_000 }
        );
        assert!(messages.next().is_none());
        assert!(messages.pending.capacity() <= 2 * CHUNK + 8);
    }
}
