//! `rainv check` and `rainv scan-mail`: the gateway verdict on files and mail.
//!
//! Files are judged in parallel by a fixed pool of workers fed through bounded channels, so
//! memory stays bounded by the largest file whatever the number of files, and results stream
//! out as they are ready.

use std::fs;
use std::io::{self as stdio, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use chrono::{DateTime, Utc};
use clap::Args;
use rainv::display::escape_for_display as esc;
use rainv_gateway::{AttachmentReport, MboxMessage, mbox_messages, read_bounded, scan_message};
use rainv_gateway::{EntryReport, ResultLine, file_read_limit, inspect_file, oversized_file};
use rainv_gateway::{Finding, Format, Policy, PolicyFile, ReadOutcome, Report, Severity, Verdict};
use serde::Serialize;

use crate::args::PasswordArgs;
use crate::io::{self, Failure, Outcome, display_path};

/// Policy options shared by `check` and `scan-mail`; they override the policy file.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// A policy file (TOML); see docs/security.md. Options below override it.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<usize>,
    /// Longest validity accepted, in minutes (0: no limit).
    #[arg(long, value_name = "N")]
    pub max_validity_minutes: Option<u64>,
    /// Accept expired invitations.
    #[arg(long)]
    pub allow_expired: bool,
    /// Clock skew allowed for a DtStart in the future, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub clock_skew: Option<u64>,
    /// Formats accepted (comma-separated): xp, vista, connection-string.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub formats: Option<Vec<String>>,
    /// Reject invitations without password protection.
    #[arg(long)]
    pub require_password: bool,
    /// Allowed listener range (CIDR); repeat for more. Listeners outside every range are rejected.
    #[arg(long = "allow-network", value_name = "CIDR")]
    pub allow_networks: Vec<String>,
    /// Allowed listener host name pattern (`*` wildcard); repeat for more.
    #[arg(long = "allow-host", value_name = "PATTERN")]
    pub allow_hosts: Vec<String>,
    /// With an allowlist, accept (with a warning) invitations whose LHTICKET cannot be
    /// decrypted to check its listeners, instead of rejecting them.
    #[arg(long)]
    pub allow_unchecked_listeners: bool,
    /// Password to decrypt LHTICKETs with, to check their listeners and compare them with the
    /// RCTICKET. Never prompted for.
    #[command(flatten)]
    pub password: PasswordArgs,
    /// The clock for validity checks: RFC 3339 or seconds since 1970.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print one JSON object per result (JSON lines).
    #[arg(long)]
    pub json: bool,
    /// Worker threads, 1 to 256 (default: the number of CPUs, at most 64).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
    pub jobs: Option<u16>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Files, directories (searched recursively for *.msrcincident and archives, any case), or '-'.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ScanMailArgs {
    /// Messages (.eml), mbox files or Maildir folders; directories are searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// The policy a policy file (TOML) gives, over the defaults.
pub(crate) fn read_policy_file(path: &Path) -> Result<Policy, Failure> {
    let text = fs::read_to_string(path).map_err(|e| Failure::io("read", path, &e))?;
    Policy::from_toml(&text).map_err(|e| {
        Failure::usage(
            format!("policy {}: {e}", display_path(path)),
            "see docs/security.md for the keys",
        )
    })
}

fn build_policy(args: &PolicyArgs) -> Result<Policy, Failure> {
    let mut policy = match &args.policy {
        Some(path) => read_policy_file(path)?,
        None => Policy::default(),
    };
    let formats = args
        .formats
        .as_ref()
        .map(|names| {
            names
                .iter()
                .map(|name| {
                    Format::from_name(name).ok_or_else(|| {
                        Failure::usage(
                            format!("--formats: unknown format {}", esc(name)),
                            "use xp, vista and connection-string",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let present = |list: &Vec<String>| (!list.is_empty()).then(|| list.clone());
    let mut options = PolicyFile::default();
    options.max_size_bytes = args.max_size;
    options.max_validity_minutes = args.max_validity_minutes;
    options.allow_expired = args.allow_expired.then_some(true);
    options.clock_skew_seconds = args.clock_skew;
    options.formats = formats;
    options.require_password = args.require_password.then_some(true);
    options.allowed_networks = present(&args.allow_networks);
    options.allowed_hosts = present(&args.allow_hosts);
    options.allow_unchecked_listeners = args.allow_unchecked_listeners.then_some(true);
    options.apply_to(&mut policy).map_err(|e| {
        Failure::usage(
            format!("--allow-network: {e}"),
            "write ranges like 10.0.0.0/8",
        )
    })?;
    if args.password.password_file.is_some() || args.password.password_env.is_some() {
        policy.password = io::password(&args.password, false)?;
    }
    Ok(policy)
}

/// One line of output: a file's (or an attachment's) verdict, or an I/O failure.
enum Outcome1 {
    Judged {
        file: String,
        message_id: Option<String>,
        attachment: Option<String>,
        /// Where the judged file is inside the file or attachment (archive entries).
        inside: Vec<String>,
        report: Report,
    },
    Unreadable {
        file: String,
        error: String,
    },
}

struct Totals {
    inputs: usize,
    judged: usize,
    rejected: usize,
    unreadable: usize,
}

/// How results are written: made by the workers, so formatting runs in parallel.
#[derive(Clone, Copy)]
struct Style {
    json: bool,
    colour: bool,
}

/// A formatted line (or lines, for a file's findings) and what it counts as.
struct Line {
    text: String,
    judged: bool,
    rejected: bool,
    /// Not a result but a count: one more file (`check`) or message (`scan-mail`) read.
    input: bool,
}

/// Results travel to the printer in batches of this many lines, and paths to the workers in
/// batches of `PATH_BATCH`: one channel operation (and thread wake-up) per batch instead of
/// per file was most of `check`'s speed-up. Memory stays bounded: a few batches per worker.
const LINE_BATCH: usize = 64;
/// The running count on a terminal is redrawn at most this often (ten times a second).
const REDRAW: std::time::Duration = std::time::Duration::from_millis(100);
const PATH_BATCH: usize = 32;

impl Style {
    fn new(json: bool) -> Style {
        Style {
            json,
            colour: io::colour_enabled(stdio::stdout().is_terminal()),
        }
    }

    fn line(self, outcome: Outcome1) -> Line {
        match outcome {
            Outcome1::Unreadable { file, error } => Line {
                text: if self.json {
                    json_line(&ResultLine::unreadable(&file, &error))
                } else {
                    format!(
                        "{file}: {} {error}\n",
                        io::paint(self.colour, "1;31", "error:")
                    )
                },
                judged: false,
                rejected: false,
                input: false,
            },
            Outcome1::Judged {
                file,
                message_id,
                attachment,
                inside,
                report,
            } => Line {
                rejected: report.verdict == Verdict::Reject,
                judged: true,
                input: false,
                text: if self.json {
                    let line = ResultLine::judged(&file, &report).inside(&inside);
                    json_line(&match attachment.as_deref() {
                        Some(a) => line.in_message(message_id.as_deref(), a),
                        None => line,
                    })
                } else {
                    self.human(
                        &file,
                        message_id.as_deref(),
                        attachment.as_deref(),
                        &inside,
                        &report,
                    )
                },
            },
        }
    }

    fn human(
        self,
        file: &str,
        message_id: Option<&str>,
        attachment: Option<&str>,
        inside: &[String],
        report: &Report,
    ) -> String {
        let verdict = match report.verdict {
            Verdict::Accept => io::paint(self.colour, "32", "accept"),
            Verdict::Reject => io::paint(self.colour, "1;31", "REJECT"),
        };
        // Entry names are the archive's, any characters: escaped, each after a `»`.
        let path: String = inside
            .iter()
            .map(|name| format!(" \u{bb} {}", esc(name)))
            .collect();
        let mut line = match attachment {
            Some(a) => format!(
                "{file}: message {} attachment {}{path}: {verdict}\n",
                esc(message_id.unwrap_or("(no Message-ID)")),
                esc(a)
            ),
            None => format!("{file}{path}: {verdict}\n"),
        };
        for Finding {
            code,
            severity,
            message,
            ..
        } in &report.findings
        {
            let severity = match severity {
                Severity::Error => io::paint(self.colour, "31", "error"),
                Severity::Warning => io::paint(self.colour, "33", "warning"),
                Severity::Info => "info".to_string(),
            };
            // Messages quote file content already escaped; escape only what is still raw.
            line.push_str(&format!(
                "  {severity} [{code}] {}\n",
                rainv::display::escape_controls(message)
            ));
        }
        line
    }
}

fn json_line(value: &impl Serialize) -> String {
    let mut line = serde_json::to_string(value).unwrap_or_default();
    line.push('\n');
    line
}

/// Where a worker puts its outcomes: formatted at once, sent to the printer by the batch.
struct Sink {
    style: Style,
    lines: Vec<Line>,
    tx: SyncSender<Vec<Line>>,
}

impl Sink {
    fn push(&mut self, outcome: Outcome1) {
        self.lines.push(self.style.line(outcome));
        if self.lines.len() >= LINE_BATCH {
            self.flush();
        }
    }

    /// Count one more input read (a file, or a message), whatever came of it.
    fn count_input(&mut self) {
        self.lines.push(Line {
            text: String::new(),
            judged: false,
            rejected: false,
            input: true,
        });
    }

    fn flush(&mut self) {
        if !self.lines.is_empty() {
            let _ = self.tx.send(std::mem::take(&mut self.lines));
        }
    }
}

struct Printer {
    progress: bool,
    /// Whether the running count is on the terminal now, and when it was last drawn.
    count_shown: bool,
    drawn: Option<std::time::Instant>,
    /// What an input is: "file" or "message".
    noun: &'static str,
    totals: Totals,
    out: stdio::BufWriter<stdio::Stdout>,
}

impl Printer {
    fn new(noun: &'static str) -> Printer {
        Printer {
            progress: stdio::stderr().is_terminal(),
            count_shown: false,
            drawn: None,
            noun,
            totals: Totals {
                inputs: 0,
                judged: 0,
                rejected: 0,
                unreadable: 0,
            },
            out: stdio::BufWriter::new(stdio::stdout()),
        }
    }

    fn print(&mut self, line: &Line) {
        if line.input {
            self.totals.inputs += 1;
            return;
        }
        if line.judged {
            self.totals.judged += 1;
            if line.rejected {
                self.totals.rejected += 1;
            }
        } else {
            self.totals.unreadable += 1;
        }
        if self.count_shown {
            eprint!("\r\x1b[K");
            self.count_shown = false;
        }
        let _ = self.out.write_all(line.text.as_bytes());
        // The count is redrawn at most every REDRAW: more often flickers and costs the
        // terminal more than the judging.
        if self.progress && self.drawn.is_none_or(|at| at.elapsed() >= REDRAW) {
            let _ = self.out.flush();
            eprint!(
                "checked {} ({} rejected, {} unreadable)",
                self.totals.judged, self.totals.rejected, self.totals.unreadable
            );
            self.count_shown = true;
            self.drawn = Some(std::time::Instant::now());
        }
    }

    fn finish(mut self, skipped: &Skipped) -> Outcome {
        let _ = self.out.flush();
        if self.count_shown {
            eprint!("\r\x1b[K");
        }
        // One line a log or a person can take in at a glance, whatever the verdicts.
        let Totals {
            inputs,
            judged,
            rejected,
            unreadable,
        } = self.totals;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut notes = Vec::new();
        if inputs == 0 && unreadable == 0 {
            notes.push(format!("no {}s found to judge", self.noun));
        }
        if skipped.links > 0 {
            notes.push(format!(
                "{} skipped (not followed)",
                plural(skipped.links, "symbolic link")
            ));
        }
        if skipped.special > 0 {
            notes.push(format!(
                "{} skipped (FIFOs, sockets, devices)",
                plural(skipped.special, "special file")
            ));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        };
        eprintln!(
            "{}: {} judged, {rejected} rejected, {unreadable} not inspected{notes}",
            plural(inputs, self.noun),
            plural(judged, "invitation"),
        );
        if self.totals.unreadable > 0 {
            Err(Failure::usage(
                format!("{} input(s) could not be read", self.totals.unreadable),
                "see the errors above",
            ))
        } else if self.totals.rejected > 0 {
            Err(Failure::Silent)
        } else {
            Ok(())
        }
    }
}

/// The largest `--jobs` accepted: more threads than this only cost memory.
const MAX_JOBS: i64 = 256;
/// The most workers started without `--jobs`, however many CPUs there are.
const DEFAULT_MAX_JOBS: usize = 64;

/// `--jobs` as given (clap keeps it within 1..=MAX_JOBS), or the number of CPUs.
fn jobs(args: &PolicyArgs) -> usize {
    match args.jobs {
        Some(n) => usize::from(n),
        None => thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, DEFAULT_MAX_JOBS),
    }
}

/// Walk `paths`, sending files whose name passes `wanted` (explicitly named files always pass)
/// in batches.
fn walk(
    paths: &[PathBuf],
    wanted: fn(&Path) -> bool,
    send: &SyncSender<Vec<PathBuf>>,
    errors: &mut Sink,
) -> Skipped {
    let mut skipped = Skipped::default();
    let mut batch = Vec::with_capacity(PATH_BATCH);
    let add = |path: PathBuf, batch: &mut Vec<PathBuf>| {
        batch.push(path);
        batch.len() < PATH_BATCH
            || send
                .send(std::mem::replace(batch, Vec::with_capacity(PATH_BATCH)))
                .is_ok()
    };
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(false)
                .sort_by_file_name()
            {
                match entry {
                    Ok(e) if e.file_type().is_file() && wanted(e.path()) => {
                        if !add(e.into_path(), &mut batch) {
                            return skipped;
                        }
                    }
                    Ok(e) if e.file_type().is_symlink() => skipped.links += 1,
                    Ok(e) if !e.file_type().is_file() && !e.file_type().is_dir() => {
                        skipped.special += 1;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let file = e.path().map_or_else(|| display_path(path), display_path);
                        errors.push(Outcome1::Unreadable {
                            file,
                            error: e.to_string(),
                        });
                        errors.flush();
                    }
                }
            }
        } else if !add(path.clone(), &mut batch) {
            return skipped;
        }
    }
    if !batch.is_empty() {
        let _ = send.send(batch);
    }
    skipped
}

/// What a directory walk passed over, for the summary line: symbolic links (never followed)
/// and special files (FIFOs, sockets, devices).
#[derive(Default)]
struct Skipped {
    links: usize,
    special: usize,
}

/// Run `work` on every path from the walker in `jobs` threads, printing results as they come.
fn run_pool(
    noun: &'static str,
    paths: Vec<PathBuf>,
    wanted: fn(&Path) -> bool,
    jobs: usize,
    json: bool,
    work: impl Fn(&Path, &mut Vec<u8>, &mut Sink) + Send + Sync + 'static,
) -> Outcome {
    let style = Style::new(json);
    let (path_tx, path_rx) = sync_channel::<Vec<PathBuf>>(jobs * 2);
    let (out_tx, out_rx) = sync_channel::<Vec<Line>>(jobs * 2);
    let path_rx = Arc::new(Mutex::new(path_rx));
    let work = Arc::new(work);
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let rx: Arc<Mutex<Receiver<Vec<PathBuf>>>> = Arc::clone(&path_rx);
        let mut sink = Sink {
            style,
            lines: Vec::with_capacity(LINE_BATCH),
            tx: out_tx.clone(),
        };
        let work = Arc::clone(&work);
        workers.push(thread::spawn(move || {
            // One buffer per worker, reused for every file: no per-file allocation churn.
            let mut buffer = Vec::with_capacity(64 * 1024);
            loop {
                let next = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => break,
                };
                let Ok(batch) = next else { break };
                for path in batch {
                    work(&path, &mut buffer, &mut sink);
                }
                // Results of a batch go out before waiting for the next one.
                sink.flush();
            }
            sink.flush();
        }));
    }
    let mut walker_errors = Sink {
        style,
        lines: Vec::new(),
        tx: out_tx.clone(),
    };
    drop(out_tx);
    let walker = thread::spawn(move || walk(&paths, wanted, &path_tx, &mut walker_errors));
    let mut printer = Printer::new(noun);
    for batch in out_rx {
        for line in &batch {
            printer.print(line);
        }
    }
    let skipped = walker.join().unwrap_or_default();
    for worker in workers {
        let _ = worker.join();
    }
    printer.finish(&skipped)
}

/// Files a directory walk takes: invitations and archives, by name.
fn is_invitation_or_archive_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| {
            rainv_gateway::has_invitation_name(name) || rainv_gateway::has_archive_name(name)
        })
}

/// A worker's buffer is shrunk back to this after holding a larger file (an archive), so that
/// workers do not each keep the largest file they met.
const KEPT_BUFFER_BYTES: usize = 1024 * 1024;

pub(crate) fn check(args: &CheckArgs) -> Outcome {
    let policy = Arc::new(build_policy(&args.policy)?);
    let now: DateTime<Utc> = io::parse_now(args.policy.now.as_deref())?;
    run_pool(
        "file",
        args.paths.clone(),
        is_invitation_or_archive_name,
        jobs(&args.policy),
        args.policy.json,
        move |path, buffer, tx| {
            tx.count_input();
            let file = display_path(path);
            let name = path.file_name().and_then(|n| n.to_str());
            let judged = |inside: Vec<String>, report: Report| Outcome1::Judged {
                file: file.clone(),
                message_id: None,
                attachment: None,
                inside,
                report,
            };
            match io::read_path(path, file_read_limit(&policy), buffer) {
                Err(e) => tx.push(Outcome1::Unreadable {
                    file: file.clone(),
                    error: e.to_string(),
                }),
                Ok(ReadOutcome::TooLarge { size }) => {
                    tx.push(judged(Vec::new(), oversized_file(name, size, &policy)));
                }
                Ok(ReadOutcome::Complete) => {
                    for EntryReport { inside, report, .. } in
                        inspect_file(name, buffer, &policy, now)
                    {
                        tx.push(judged(inside, report));
                    }
                }
            }
            if buffer.capacity() > KEPT_BUFFER_BYTES {
                *buffer = Vec::with_capacity(KEPT_BUFFER_BYTES);
            }
        },
    )
}

/// Largest single message read (an mbox holds many); larger ones are reported unreadable.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

fn is_mail_file(path: &Path) -> bool {
    // Maildir messages have no extension; .eml and mbox files are also taken. Skip Maildir's
    // bookkeeping files and dotfiles.
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // Maildir's tmp/ holds messages still being delivered: they are judged once in new/.
    let in_maildir_tmp = path.parent().is_some_and(|dir| {
        dir.file_name().is_some_and(|n| n == "tmp")
            && dir
                .parent()
                .is_some_and(|m| m.join("cur").is_dir() && m.join("new").is_dir())
    });
    !in_maildir_tmp
        && !name.starts_with('.')
        && !name.starts_with("dovecot")
        && name != "maildirfolder"
}

fn report_message(file: &str, raw: &[u8], policy: &Policy, now: DateTime<Utc>, tx: &mut Sink) {
    tx.count_input();
    match scan_message(raw, policy, now) {
        Ok(reports) => {
            for AttachmentReport {
                message_id,
                attachment,
                inside,
                report,
                ..
            } in reports
            {
                tx.push(Outcome1::Judged {
                    file: file.to_string(),
                    message_id,
                    attachment: Some(attachment),
                    inside,
                    report,
                });
            }
        }
        Err(e) => {
            tx.push(Outcome1::Unreadable {
                file: file.to_string(),
                error: e.to_string(),
            });
        }
    }
}

pub(crate) fn scan_mail(args: &ScanMailArgs) -> Outcome {
    let policy = Arc::new(build_policy(&args.policy)?);
    let now: DateTime<Utc> = io::parse_now(args.policy.now.as_deref())?;
    run_pool(
        "message",
        args.paths.clone(),
        is_mail_file,
        jobs(&args.policy),
        args.policy.json,
        move |path, buffer, tx| {
            let file = display_path(path);
            let unreadable = |tx: &mut Sink, error: String| {
                tx.push(Outcome1::Unreadable {
                    file: file.clone(),
                    error,
                })
            };
            let (mut reader, size_hint) = match io::open_input(path) {
                Ok(opened) => opened,
                Err(e) => return unreadable(tx, e.to_string()),
            };
            // An mbox starts with a "From " line; anything else is one message. The input is
            // opened once and read once: pipes and FIFOs cannot be read again.
            let mut head = Vec::with_capacity(5);
            if let Err(e) = (&mut reader).take(5).read_to_end(&mut head) {
                return unreadable(tx, e.to_string());
            }
            let reader = stdio::Cursor::new(head.clone()).chain(reader);
            if head == b"From " {
                report_mbox(&file, reader, &policy, now, tx);
                return;
            }
            match read_bounded(reader, MAX_MESSAGE_BYTES, size_hint, buffer) {
                Err(e) => unreadable(tx, e.to_string()),
                Ok(ReadOutcome::TooLarge { .. }) => {
                    unreadable(tx, "message larger than 64 MiB".into())
                }
                Ok(ReadOutcome::Complete) => report_message(&file, buffer, &policy, now, tx),
            }
        },
    )
}

/// Judge every message of the mbox `reader` holds, each named after its place in `file`,
/// holding one message at a time.
fn report_mbox(file: &str, reader: impl Read, policy: &Policy, now: DateTime<Utc>, tx: &mut Sink) {
    for (index, message) in mbox_messages(reader, MAX_MESSAGE_BYTES).enumerate() {
        let name = format!("{file} (message {})", index + 1);
        match message {
            Ok(MboxMessage::Complete(bytes)) => report_message(&name, &bytes, policy, now, tx),
            // What is not a readable message is never passed over in silence.
            Ok(_) => {
                tx.push(Outcome1::Unreadable {
                    file: name,
                    error: "message larger than 64 MiB".into(),
                });
            }
            Err(e) => {
                tx.push(Outcome1::Unreadable {
                    file: name,
                    error: e.to_string(),
                });
                return;
            }
        }
    }
}
