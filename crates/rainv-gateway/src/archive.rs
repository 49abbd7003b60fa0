//! Invitations inside archives: every file the gateway judges (a file given to it, an e-mail
//! attachment, an entry of an archive) goes through [`inspect`], which judges it as an
//! invitation when it is one, and opens it when it is an archive, to judge what is inside the
//! same way.
//!
//! Opening an archive is bounded by the policy's [`ArchiveLimits`]. What goes over a bound is
//! an `archive.limit` error; what rainv cannot open (an encrypted or damaged archive, a kind it
//! does not read) is `archive.not-inspected`, an error unless the policy lowers it to a warning.

mod budget;
mod formats;
mod kind;

use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::code::FindingCode;
use crate::validate::{Finding, Policy, Report, Severity, Verdict, validate};
use budget::{Budget, Exceeded, Level};
use formats::{Entry, Problem};
use kind::Kind;

pub use kind::{has_archive_name, has_invitation_name, looks_like_invitation};

/// Bounds on opening archives, part of a [`Policy`]: every archive is opened within them, or
/// reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveLimits {
    /// Largest archive opened, in bytes: a file, an attachment, or an archive inside another
    /// (which is held in memory to be opened).
    pub max_archive_bytes: usize,
    /// Most bytes decompressed for one file or attachment, over every archive inside it.
    pub max_total_bytes: u64,
    /// Most entries in one archive.
    pub max_entries: usize,
    /// How many archives deep entries are opened: 1 opens an archive but no archive inside it.
    pub max_depth: usize,
    /// Highest ratio of bytes out to bytes in, for one archive, checked once it has given
    /// 1 MiB.
    pub max_ratio: u64,
    /// Time allowed for one file or attachment, in milliseconds.
    pub max_milliseconds: u64,
    /// Report what could not be inspected (an encrypted, damaged or unsupported archive) as a
    /// warning instead of an error.
    pub allow_not_inspected: bool,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_archive_bytes: 32 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
            max_entries: 10_000,
            max_depth: 4,
            max_ratio: 100,
            max_milliseconds: 10_000,
            allow_not_inspected: false,
        }
    }
}

/// The verdict on one file found in an input: an invitation, or an archive (or part of one)
/// that could not be fully inspected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EntryReport {
    /// Where it is inside the input: the name of each entry on the way, outermost archive
    /// first. Empty for the input itself.
    pub inside: Vec<String>,
    /// The verdict.
    #[serde(flatten)]
    pub report: Report,
}

/// Which inputs are judged as invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Candidate {
    /// Whatever it holds, unless it is an archive: a file given to the gateway by name.
    Always,
    /// When its name or its content says so: an attachment offered as a file, an archive's
    /// entry.
    NameOrContent,
    /// Only when its name says so: a text a mail client shows rather than saves.
    NameOnly,
}

/// How many bytes of a file given by name are read to judge it: as many as an archive may be,
/// since what the file is shows only in its content.
pub fn file_read_limit(policy: &Policy) -> usize {
    policy
        .limits
        .max_input_bytes
        .max(policy.archives.max_archive_bytes)
}

/// The verdict on a file given by name (`name`, its last component) that is `size` bytes,
/// more than [`file_read_limit`]: too large for an archive when named like one, else too large
/// for an invitation.
pub fn oversized_file(name: Option<&str>, size: u64, policy: &Policy) -> Report {
    let archive_limit = policy.archives.max_archive_bytes;
    if name.is_some_and(has_archive_name) {
        Report::rejected(
            FindingCode::ArchiveLimit,
            format!(
                "an archive of {size} bytes, larger than the {archive_limit} bytes an archive \
                 may be; not inspected"
            ),
        )
    } else {
        Report::too_large(size, policy.limits.max_input_bytes)
    }
}

/// Judge a file given by name, whole in `bytes` (at most [`file_read_limit`] of them; more
/// gives [`oversized_file`]'s report), as `rainv check` does: `name` is its last component, by
/// which archives and invitations are also recognised.
pub fn inspect_file(
    name: Option<&str>,
    bytes: &[u8],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<EntryReport> {
    if bytes.len() > file_read_limit(policy) {
        return vec![EntryReport {
            inside: Vec::new(),
            report: oversized_file(name, bytes.len() as u64, policy),
        }];
    }
    let names: Vec<&str> = name.into_iter().collect();
    inspect(&names, bytes, Candidate::Always, policy, now)
}

/// Judge one input with these names (a mail attachment may have several; none is fine): as
/// an invitation when `candidate` says it is one, and, when it is an archive, every
/// invitation inside it. Archives are recognised by content, then by name.
///
/// Gives nothing for an input that is neither an invitation nor an archive; for an archive,
/// a report for each invitation found and each part that could not be inspected. With
/// [`Candidate::Always`], an archive with nothing to report gives one accepting report of
/// kind `"archive"`, so that a file given by name is always answered.
pub fn inspect(
    names: &[&str],
    bytes: &[u8],
    candidate: Candidate,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<EntryReport> {
    let budget = Budget::new(&policy.archives);
    let mut walk = Walk {
        policy,
        now,
        budget: &budget,
        out: Vec::new(),
        entries: 0,
    };
    let opened = walk.file(names, bytes, candidate, &mut Vec::new(), 0);
    let mut out = walk.out;
    if let Some(why) = budget.exceeded() {
        out.push(EntryReport {
            inside: Vec::new(),
            report: limit(match why {
                Exceeded::TotalBytes => format!(
                    "more than {} bytes decompressed: not inspected further",
                    policy.archives.max_total_bytes
                ),
                Exceeded::Ratio => format!(
                    "an archive decompresses to more than {} times its size (a compression \
                     bomb): not inspected further",
                    policy.archives.max_ratio
                ),
                Exceeded::Time => format!(
                    "inspecting took longer than {} ms: not inspected further",
                    policy.archives.max_milliseconds
                ),
            }),
        });
    }
    if out.is_empty() && opened && candidate == Candidate::Always {
        out.push(EntryReport {
            inside: Vec::new(),
            report: Report {
                verdict: Verdict::Accept,
                kind: Some("archive"),
                findings: vec![Finding {
                    code: FindingCode::ArchiveNoInvitation,
                    severity: Severity::Info,
                    message: format!(
                        "an archive with no invitation inside ({} entries read)",
                        walk.entries
                    ),
                }],
            },
        });
    }
    out
}

/// `archive.limit`: always an error.
fn limit(message: String) -> Report {
    Report::rejected(FindingCode::ArchiveLimit, message)
}

struct Walk<'a> {
    policy: &'a Policy,
    now: DateTime<Utc>,
    budget: &'a Budget,
    out: Vec<EntryReport>,
    /// Entries read, over every archive.
    entries: usize,
}

impl Walk<'_> {
    fn push(&mut self, path: &[String], report: Report) {
        self.out.push(EntryReport {
            inside: path.to_vec(),
            report,
        });
    }

    fn not_inspected(&mut self, path: &[String], why: &str) {
        let message = format!("{why}: not inspected");
        let report = if self.policy.archives.allow_not_inspected {
            Report {
                verdict: Verdict::Accept,
                kind: None,
                findings: vec![Finding {
                    code: FindingCode::ArchiveNotInspected,
                    severity: Severity::Warning,
                    message,
                }],
            }
        } else {
            Report::rejected(FindingCode::ArchiveNotInspected, message)
        };
        self.push(path, report);
    }

    /// Judge one file at `path`; says whether it was an archive.
    fn file(
        &mut self,
        names: &[&str],
        bytes: &[u8],
        candidate: Candidate,
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let sniff = candidate != Candidate::NameOnly;
        let archive = kind::recognise(names, bytes, sniff);
        let invitation = names.iter().any(|n| has_invitation_name(n))
            || (sniff && looks_like_invitation(bytes))
            || (candidate == Candidate::Always && archive.is_none());
        if invitation {
            self.push(path, validate(bytes, self.policy, self.now));
        }
        match archive {
            Some(kind) => {
                self.archive(kind, bytes, names, path, depth);
                true
            }
            None => false,
        }
    }

    fn archive(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        names: &[&str],
        path: &mut Vec<String>,
        depth: usize,
    ) {
        let limits = &self.policy.archives;
        if let Kind::Unopened(what) = kind {
            return self.not_inspected(path, what);
        }
        if depth >= limits.max_depth {
            let message = format!(
                "{} inside {} archives: archives are opened {} deep at most; not inspected",
                kind.describe(),
                depth,
                limits.max_depth
            );
            return self.push(path, limit(message));
        }
        if bytes.len() > limits.max_archive_bytes {
            let message = format!(
                "{} of at least {} bytes, larger than the {} bytes an archive may be; not \
                 inspected",
                kind.describe(),
                bytes.len(),
                limits.max_archive_bytes
            );
            return self.push(path, limit(message));
        }
        let level = Level::new(bytes.len());
        let budget = self.budget;
        let result = formats::each_entry(kind, bytes, names, budget, &level, &mut |name, entry| {
            self.entry(name, entry, path, depth + 1)
        });
        match result {
            Ok(()) | Err(Problem::Bound) => {}
            Err(Problem::TooManyEntries(count)) => {
                let message = format!(
                    "{} with more than {} entries ({count} or more); not inspected further",
                    kind.describe(),
                    self.policy.archives.max_entries
                );
                self.push(path, limit(message));
            }
            Err(Problem::Unreadable(why)) => self.not_inspected(path, &why),
        }
    }

    /// Judge one entry of an archive `depth` archives deep.
    fn entry(
        &mut self,
        name: &str,
        entry: Entry<'_>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Problem> {
        self.entries += 1;
        path.push(name.to_string());
        let result = self.read_entry(name, entry, path, depth);
        path.pop();
        result
    }

    fn read_entry(
        &mut self,
        name: &str,
        entry: Entry<'_>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Problem> {
        let reader = match entry {
            Entry::File(reader) => reader,
            Entry::NotReadable(why) => {
                self.not_inspected(path, &why);
                return Ok(());
            }
        };
        // A name is cut at a NUL too, where a program in C stops reading it.
        let cut = name.split_once('\0').map(|(head, _)| head);
        let names: Vec<&str> = std::iter::once(name).chain(cut).collect();
        // Enough to judge an invitation (and to see it is too large), then, for an archive,
        // the rest, up to what an archive may be.
        let invitation_limit = self.policy.limits.max_input_bytes;
        let mut bytes = Vec::new();
        let read = |reader: &mut dyn Read, bytes: &mut Vec<u8>, limit: usize| {
            let room = u64::try_from(limit.saturating_add(1).saturating_sub(bytes.len()))
                .unwrap_or(u64::MAX);
            reader.take(room).read_to_end(bytes)
        };
        let failed = |walk: &mut Self, path: &[String], e: std::io::Error| {
            if walk.budget.exceeded().is_some() {
                return Err(Problem::Bound);
            }
            walk.not_inspected(path, &format!("an entry that could not be read ({e})"));
            Ok(())
        };
        if let Err(e) = read(reader, &mut bytes, invitation_limit) {
            return failed(self, path, e);
        }
        let archive = kind::recognise(&names, &bytes, true);
        let max_archive = self.policy.archives.max_archive_bytes;
        let openable = archive.is_some_and(|k| !matches!(k, Kind::Unopened(_)));
        if openable
            && bytes.len() > invitation_limit
            && let Err(e) = read(reader, &mut bytes, max_archive)
        {
            return failed(self, path, e);
        }
        self.file(&names, &bytes, Candidate::NameOrContent, path, depth);
        if self.budget.exceeded().is_some() {
            return Err(Problem::Bound);
        }
        Ok(())
    }
}
