//! `rainv check` and `rainv scan-mail`: the gateway verdict on files and mail.
//!
//! Files are judged in parallel by a fixed pool of workers fed through bounded channels, so
//! memory stays bounded by the largest file whatever the number of files, and results stream
//! out as they are ready.

use std::fs;
use std::io::{self as stdio, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use chrono::{DateTime, Utc};
use clap::Args;
use rainv::mail::{AttachmentReport, scan_message};
use rainv::text::escape_for_display as esc;
use rainv::validate::{
    Finding, Format, Policy, Report, Severity, Verdict, parse_networks, validate,
};
use serde_json::json;

use super::args::PasswordArgs;
use super::io::{self, Failure, Outcome, display_path};

/// Policy options shared by `check` and `scan-mail`; they override the policy file.
#[derive(Debug, Args)]
pub struct PolicyArgs {
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
    /// Worker threads (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files, directories (searched recursively for *.msrcincident, any case), or '-'.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct ScanMailArgs {
    /// Messages (.eml), mbox files or Maildir folders; directories are searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn build_policy(args: &PolicyArgs) -> Result<Policy, Failure> {
    let mut policy = match &args.policy {
        Some(path) => {
            let text = fs::read_to_string(path).map_err(|e| Failure::io("read", path, &e))?;
            Policy::from_toml(&text).map_err(|e| {
                Failure::usage(
                    format!("policy {}: {e}", display_path(path)),
                    "see docs/security.md for the keys",
                )
            })?
        }
        None => Policy::default(),
    };
    if let Some(size) = args.max_size {
        policy.limits.max_input_bytes = size;
    }
    if let Some(minutes) = args.max_validity_minutes {
        policy.max_validity_minutes = (minutes > 0).then_some(minutes);
    }
    if args.allow_expired {
        policy.allow_expired = true;
    }
    if let Some(skew) = args.clock_skew {
        policy.clock_skew_seconds = skew;
    }
    if let Some(formats) = &args.formats {
        policy.formats = formats
            .iter()
            .map(|f| match f.as_str() {
                "xp" => Ok(Format::Xp),
                "vista" => Ok(Format::Vista),
                "connection-string" => Ok(Format::ConnectionString),
                other => Err(Failure::usage(
                    format!("--formats: unknown format {}", esc(other)),
                    "use xp, vista and connection-string",
                )),
            })
            .collect::<Result<_, _>>()?;
    }
    if args.require_password {
        policy.require_password = true;
    }
    if !args.allow_networks.is_empty() {
        policy.allowed_networks = parse_networks(&args.allow_networks).map_err(|e| {
            Failure::usage(
                format!("--allow-network: {e}"),
                "write ranges like 10.0.0.0/8",
            )
        })?;
    }
    if !args.allow_hosts.is_empty() {
        policy.allowed_hosts.clone_from(&args.allow_hosts);
    }
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
        report: Report,
    },
    Unreadable {
        file: String,
        error: String,
    },
}

struct Totals {
    judged: usize,
    rejected: usize,
    unreadable: usize,
}

struct Printer {
    json: bool,
    colour: bool,
    progress: bool,
    totals: Totals,
    out: stdio::BufWriter<stdio::Stdout>,
}

impl Printer {
    fn new(json: bool) -> Printer {
        Printer {
            json,
            colour: io::colour_enabled(stdio::stdout().is_terminal()),
            progress: stdio::stderr().is_terminal(),
            totals: Totals {
                judged: 0,
                rejected: 0,
                unreadable: 0,
            },
            out: stdio::BufWriter::new(stdio::stdout()),
        }
    }

    fn print(&mut self, outcome: Outcome1) {
        let line = match outcome {
            Outcome1::Unreadable { file, error } => {
                self.totals.unreadable += 1;
                if self.json {
                    format!(
                        "{}\n",
                        json!({"file": file, "verdict": null, "error": error})
                    )
                } else {
                    format!(
                        "{file}: {} {error}\n",
                        io::paint(self.colour, "1;31", "error:")
                    )
                }
            }
            Outcome1::Judged {
                file,
                message_id,
                attachment,
                report,
            } => {
                self.totals.judged += 1;
                if report.verdict == Verdict::Reject {
                    self.totals.rejected += 1;
                }
                if self.json {
                    let mut value = json!({
                        "file": file,
                        "verdict": report.verdict,
                        "kind": report.kind,
                        "findings": report.findings,
                    });
                    if let Some(attachment) = attachment {
                        value["message_id"] = json!(message_id);
                        value["attachment"] = json!(attachment);
                    }
                    format!("{value}\n")
                } else {
                    self.human(&file, message_id.as_deref(), attachment.as_deref(), &report)
                }
            }
        };
        if self.progress {
            eprint!("\r\x1b[K");
        }
        let _ = self.out.write_all(line.as_bytes());
        if self.progress {
            let _ = self.out.flush();
            eprint!(
                "checked {} ({} rejected, {} unreadable)",
                self.totals.judged, self.totals.rejected, self.totals.unreadable
            );
        }
    }

    fn human(
        &self,
        file: &str,
        message_id: Option<&str>,
        attachment: Option<&str>,
        report: &Report,
    ) -> String {
        let verdict = match report.verdict {
            Verdict::Accept => io::paint(self.colour, "32", "accept"),
            Verdict::Reject => io::paint(self.colour, "1;31", "REJECT"),
        };
        let mut line = match attachment {
            Some(a) => format!(
                "{file}: message {} attachment {}: {verdict}\n",
                esc(message_id.unwrap_or("(no Message-ID)")),
                esc(a)
            ),
            None => format!("{file}: {verdict}\n"),
        };
        for Finding {
            code,
            severity,
            message,
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
                rainv::text::escape_controls(message)
            ));
        }
        line
    }

    fn finish(mut self) -> Outcome {
        if self.progress {
            eprintln!(
                "\r\x1b[K{} checked, {} rejected, {} unreadable",
                self.totals.judged, self.totals.rejected, self.totals.unreadable
            );
        }
        let _ = self.out.flush();
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

fn jobs(args: &PolicyArgs) -> usize {
    args.jobs
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, 64)
}

/// Walk `paths`, sending files whose name passes `wanted` (explicitly named files always pass).
fn walk(
    paths: &[PathBuf],
    wanted: fn(&Path) -> bool,
    send: &SyncSender<PathBuf>,
    errors: &SyncSender<Outcome1>,
) {
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(false)
                .sort_by_file_name()
            {
                match entry {
                    Ok(e) if e.file_type().is_file() && wanted(e.path()) => {
                        if send.send(e.into_path()).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let file = e.path().map_or_else(|| display_path(path), display_path);
                        let _ = errors.send(Outcome1::Unreadable {
                            file,
                            error: e.to_string(),
                        });
                    }
                }
            }
        } else if send.send(path.clone()).is_err() {
            return;
        }
    }
}

/// Run `work` on every path from the walker in `jobs` threads, printing results as they come.
fn run_pool(
    paths: Vec<PathBuf>,
    wanted: fn(&Path) -> bool,
    jobs: usize,
    json: bool,
    work: impl Fn(&Path, &mut Vec<u8>, &SyncSender<Outcome1>) + Send + Sync + 'static,
) -> Outcome {
    let (path_tx, path_rx) = sync_channel::<PathBuf>(jobs * 4);
    let (out_tx, out_rx) = sync_channel::<Outcome1>(jobs * 4);
    let path_rx = Arc::new(Mutex::new(path_rx));
    let work = Arc::new(work);
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let rx: Arc<Mutex<Receiver<PathBuf>>> = Arc::clone(&path_rx);
        let tx = out_tx.clone();
        let work = Arc::clone(&work);
        workers.push(thread::spawn(move || {
            // One buffer per worker, reused for every file: no per-file allocation churn.
            let mut buffer = Vec::with_capacity(64 * 1024);
            loop {
                let next = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => return,
                };
                let Ok(path) = next else { return };
                work(&path, &mut buffer, &tx);
            }
        }));
    }
    let walker_errors = out_tx.clone();
    drop(out_tx);
    let walker = thread::spawn(move || walk(&paths, wanted, &path_tx, &walker_errors));
    let mut printer = Printer::new(json);
    for outcome in out_rx {
        printer.print(outcome);
    }
    let _ = walker.join();
    for worker in workers {
        let _ = worker.join();
    }
    printer.finish()
}

/// Read at most `limit + 1` bytes of `path` into `buffer` ('-' is standard input).
fn read_into(path: &Path, limit: usize, buffer: &mut Vec<u8>) -> stdio::Result<u64> {
    buffer.clear();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    if path == Path::new("-") {
        stdio::stdin().lock().take(cap).read_to_end(buffer)?;
        return Ok(buffer.len() as u64);
    }
    let mut file = fs::File::open(path)?;
    let size = file.metadata()?.len();
    (&mut file).take(cap).read_to_end(buffer)?;
    Ok(size.max(buffer.len() as u64))
}

fn too_large(size: u64, limit: usize) -> Report {
    let error = rainv::Error::TooLarge {
        size: usize::try_from(size).unwrap_or(usize::MAX),
        limit,
    };
    Report {
        verdict: Verdict::Reject,
        kind: None,
        findings: vec![Finding {
            code: error.code(),
            severity: Severity::Error,
            message: error.to_string(),
        }],
    }
}

fn is_invitation_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(rainv::mail::has_invitation_name)
}

pub fn check(args: &CheckArgs) -> Outcome {
    let policy = Arc::new(build_policy(&args.policy)?);
    let now: DateTime<Utc> = io::parse_now(args.policy.now.as_deref())?;
    run_pool(
        args.paths.clone(),
        is_invitation_name,
        jobs(&args.policy),
        args.policy.json,
        move |path, buffer, tx| {
            let file = display_path(path);
            let limit = policy.limits.max_input_bytes;
            let outcome = match read_into(path, limit, buffer) {
                Err(e) => Outcome1::Unreadable {
                    file,
                    error: e.to_string(),
                },
                Ok(size) if size > limit as u64 => Outcome1::Judged {
                    file,
                    message_id: None,
                    attachment: None,
                    report: too_large(size, limit),
                },
                Ok(_) => Outcome1::Judged {
                    file,
                    message_id: None,
                    attachment: None,
                    report: validate(buffer, &policy, now),
                },
            };
            let _ = tx.send(outcome);
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

fn report_message(
    file: &str,
    raw: &[u8],
    policy: &Policy,
    now: DateTime<Utc>,
    tx: &SyncSender<Outcome1>,
) {
    match scan_message(raw, policy, now) {
        Ok(reports) => {
            for AttachmentReport {
                message_id,
                attachment,
                report,
            } in reports
            {
                let _ = tx.send(Outcome1::Judged {
                    file: file.to_string(),
                    message_id,
                    attachment: Some(attachment),
                    report,
                });
            }
        }
        Err(e) => {
            let _ = tx.send(Outcome1::Unreadable {
                file: file.to_string(),
                error: e.to_string(),
            });
        }
    }
}

pub fn scan_mail(args: &ScanMailArgs) -> Outcome {
    let policy = Arc::new(build_policy(&args.policy)?);
    let now: DateTime<Utc> = io::parse_now(args.policy.now.as_deref())?;
    run_pool(
        args.paths.clone(),
        is_mail_file,
        jobs(&args.policy),
        args.policy.json,
        move |path, buffer, tx| {
            let file = display_path(path);
            // An mbox starts with a "From " line; anything else is one message.
            let mut head = [0u8; 5];
            let is_mbox = path != Path::new("-")
                && fs::File::open(path)
                    .and_then(|mut f| f.read_exact(&mut head))
                    .is_ok()
                && &head == b"From ";
            if is_mbox {
                let reader = match fs::File::open(path) {
                    Ok(f) => BufReader::new(f),
                    Err(e) => {
                        let _ = tx.send(Outcome1::Unreadable {
                            file,
                            error: e.to_string(),
                        });
                        return;
                    }
                };
                for (index, message) in
                    mail_parser::mailbox::mbox::MessageIterator::new(reader).enumerate()
                {
                    let name = format!("{file} (message {})", index + 1);
                    match message {
                        Ok(m) if m.contents().len() > MAX_MESSAGE_BYTES => {
                            let _ = tx.send(Outcome1::Unreadable {
                                file: name,
                                error: "message larger than 64 MiB".into(),
                            });
                        }
                        Ok(m) => report_message(&name, m.contents(), &policy, now, tx),
                        Err(e) => {
                            let _ = tx.send(Outcome1::Unreadable {
                                file: name,
                                error: e.to_string(),
                            });
                            return;
                        }
                    }
                }
                return;
            }
            match read_into(path, MAX_MESSAGE_BYTES, buffer) {
                Err(e) => {
                    let _ = tx.send(Outcome1::Unreadable {
                        file,
                        error: e.to_string(),
                    });
                }
                Ok(size) if size > MAX_MESSAGE_BYTES as u64 => {
                    let _ = tx.send(Outcome1::Unreadable {
                        file,
                        error: "message larger than 64 MiB".into(),
                    });
                }
                Ok(_) => report_message(&file, buffer, &policy, now, tx),
            }
        },
    )
}
