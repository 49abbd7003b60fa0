//! Everything the CLI does with the outside world: files, standard streams, the terminal,
//! passwords and the clock. The library does none of this.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rainv::Password;
use rainv_gateway::{ReadOutcome, read_bounded};
use zeroize::Zeroizing;

use crate::args::PasswordArgs;

/// Why a command failed, and so which exit code it ends with.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Exit 1: the input is invalid or refused, or the password is wrong.
    Invalid { message: String, hint: String },
    /// Exit 2: usage or I/O error.
    Usage { message: String, hint: String },
    /// Exit 1 with nothing more to print (the command already reported).
    Silent,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::Invalid {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn io(what: &str, path: &Path, error: &io::Error) -> Failure {
        Failure::usage(
            format!("cannot {what} {}: {error}", display_path(path)),
            "check the path and its permissions",
        )
    }

    /// A library error about input `name`.
    pub(crate) fn from_error(name: &str, error: &rainv::Error) -> Failure {
        Failure::invalid(format!("{name}: {error}"), error.hint())
    }
}

pub(crate) type Outcome = Result<(), Failure>;

pub(crate) fn display_path(path: &Path) -> String {
    if is_stdio(path) {
        "standard input".to_string()
    } else {
        rainv::display::escape_for_display(&path.to_string_lossy()).into_owned()
    }
}

/// `-` stands for standard input (or output, where a command writes).
pub(crate) fn is_stdio(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes() == b"-"
}

/// Read `path` ('-' is standard input) into `buffer` with [`read_bounded`]: at most
/// `limit + 1` bytes. A regular file's length is the size hint, so a small file takes one `read`
/// and a file known to be too large none.
pub(crate) fn read_path(
    path: &Path,
    limit: usize,
    buffer: &mut Vec<u8>,
) -> io::Result<ReadOutcome> {
    let (reader, size_hint) = open_input(path)?;
    read_bounded(reader, limit, size_hint, buffer)
}

/// How long opening a FIFO waits for a program to open it for writing.
pub(crate) const FIFO_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Open an input ('-' is standard input) for reading, with its length when it is a regular
/// file. Opening a FIFO blocks until a program opens it for writing: that is waited for at most
/// [`FIFO_WAIT`], then the FIFO is reported unreadable instead of hanging. Pipes made by the
/// shell (`<(...)`, `/dev/stdin`) already have their writer and open at once.
pub(crate) fn open_input(path: &Path) -> io::Result<(Box<dyn io::Read + Send>, Option<u64>)> {
    if is_stdio(path) {
        return Ok((Box::new(io::stdin()), None));
    }
    let metadata = fs::metadata(path)?;
    if metadata.is_file() {
        return Ok((Box::new(fs::File::open(path)?), Some(metadata.len())));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if metadata.file_type().is_fifo() {
            let (sender, receiver) = std::sync::mpsc::channel();
            let owned = path.to_path_buf();
            // A thread that never gets a writer stays blocked until the process ends.
            std::thread::spawn(move || {
                let _ = sender.send(fs::File::open(owned));
            });
            return match receiver.recv_timeout(FIFO_WAIT) {
                Ok(opened) => Ok((Box::new(opened?), None)),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "a FIFO that no program opened for writing within {} s",
                        FIFO_WAIT.as_secs()
                    ),
                )),
            };
        }
    }
    Ok((Box::new(fs::File::open(path)?), None))
}

/// Read a whole input ('-' is standard input), refusing more than `limit` bytes without
/// reading further.
pub(crate) fn read_input(path: &Path, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    match read_path(path, limit, &mut bytes).map_err(|e| Failure::io("read", path, &e))? {
        ReadOutcome::Complete => Ok(bytes),
        ReadOutcome::TooLarge { size } => {
            let e = rainv::Error::TooLarge {
                size: usize::try_from(size).unwrap_or(usize::MAX),
                limit,
            };
            Err(Failure::invalid(
                format!(
                    "{}: input is larger than {limit} bytes, the limit for an invitation",
                    display_path(path)
                ),
                e.hint(),
            ))
        }
    }
}

/// Read a password file, refusing anything longer than a password could be.
fn read_password_file(path: &Path) -> Result<Vec<u8>, Failure> {
    const LIMIT: usize = 4096;
    let mut bytes = Vec::new();
    let outcome = read_path(path, LIMIT, &mut bytes)
        .map_err(|e| Failure::io("read the password file", path, &e))?;
    if outcome != ReadOutcome::Complete {
        return Err(Failure::usage(
            format!(
                "password file {} is longer than {LIMIT} bytes",
                display_path(path)
            ),
            "the file should hold just the password on its first line",
        ));
    }
    Ok(bytes)
}

/// Standard input can serve only one purpose: refuse reading both the input and the password
/// from it.
pub(crate) fn stdin_once(input: &Path, password: &PasswordArgs) -> Outcome {
    if is_stdio(input) && password.password_file.as_deref().is_some_and(is_stdio) {
        return Err(Failure::usage(
            "both the input and the password would come from standard input",
            "put the password in a file (--password-file PATH) or a variable (--password-env VAR)",
        ));
    }
    Ok(())
}

/// The shortest password Windows' Remote Assistance dialog accepts.
const MIN_PASSWORD_CHARS: usize = 6;

/// A password for protecting a new invitation: Windows requires one, so an empty one is
/// refused, and a short one warned about.
pub(crate) fn new_password(args: &PasswordArgs) -> Result<Password, Failure> {
    let password = require_password(args, true)?;
    let length = password.expose().chars().count();
    if length == 0 {
        return Err(Failure::usage(
            "the password is empty",
            "Windows requires a password; use --generate-password for a Windows-style one",
        ));
    }
    if length < MIN_PASSWORD_CHARS {
        eprintln!(
            "warning: the password has {length} character{}; Windows' Remote Assistance asks \
             for at least {MIN_PASSWORD_CHARS}",
            if length == 1 { "" } else { "s" }
        );
    }
    Ok(password)
}

/// Refuse early when `path` exists and may not be replaced, before asking for anything.
pub(crate) fn check_output(path: &Path, force: bool) -> Outcome {
    if is_stdio(path) {
        return Ok(());
    }
    let metadata = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Failure::io("look at", path, &e)),
        Ok(metadata) => metadata,
    };
    // --force replaces a regular file, never what a name may stand for besides: a device
    // (`-o /dev/null` as root), a FIFO, a directory, or a link to any of them.
    if !metadata.file_type().is_file() {
        return Err(Failure::usage(
            format!(
                "{} is {}, not a regular file",
                display_path(path),
                describe_file_type(&metadata.file_type())
            ),
            "rainv writes only new files and regular ones (with --force): choose another name",
        ));
    }
    if !force {
        return Err(Failure::usage(
            format!("{} already exists", display_path(path)),
            "pass --force to overwrite it, or choose another name",
        ));
    }
    Ok(())
}

/// "a directory", "a symbolic link", "a FIFO"...: what a path that is not a regular file is.
fn describe_file_type(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Get a password from a file, an environment variable, or a prompt on the terminal.
/// Returns `None` when none was given and no terminal can be asked.
pub(crate) fn password(args: &PasswordArgs, confirm: bool) -> Result<Option<Password>, Failure> {
    if let Some(path) = &args.password_file {
        let raw = Zeroizing::new(read_password_file(path)?);
        let text = std::str::from_utf8(&raw).map_err(|_| {
            Failure::usage(
                format!("password file {} is not UTF-8 text", display_path(path)),
                "save the password as plain UTF-8 text",
            )
        })?;
        // Notepad may save a byte order mark; it is not part of the password.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let first_line = text.split(['\r', '\n']).next().unwrap_or("");
        if first_line.is_empty() {
            return Err(Failure::usage(
                format!(
                    "--password-file {}: the file is empty (its first line is the password)",
                    display_path(path)
                ),
                "write the password on the file's first line",
            ));
        }
        return Ok(Some(Password::new(first_line)));
    }
    if let Some(var) = &args.password_env {
        let value = Zeroizing::new(std::env::var(var).map_err(|_| {
            Failure::usage(
                format!("environment variable {var} is not set (or not UTF-8)"),
                "export the password in that variable, or use --password-file",
            )
        })?);
        return Ok(Some(Password::new(value.as_str())));
    }
    if !io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = Zeroizing::new(rpassword::prompt_password("Password: ").map_err(|e| {
        Failure::usage(
            format!("cannot read the password: {e}"),
            "use --password-file",
        )
    })?);
    if confirm {
        let second =
            Zeroizing::new(rpassword::prompt_password("Password again: ").map_err(|e| {
                Failure::usage(
                    format!("cannot read the password: {e}"),
                    "use --password-file",
                )
            })?);
        if *first != *second {
            return Err(Failure::usage(
                "the two passwords differ",
                "type the same password twice",
            ));
        }
    }
    Ok(Some(Password::new(first.as_str())))
}

/// A password that must be there.
pub(crate) fn require_password(args: &PasswordArgs, confirm: bool) -> Result<Password, Failure> {
    password(args, confirm)?.ok_or_else(|| {
        Failure::usage(
            "a password is needed and standard input is not a terminal to ask on",
            "give --password-file PATH or --password-env VAR",
        )
    })
}

/// Write `bytes` to `path` ('-' is standard output). Files are written atomically: to a
/// temporary file beside the target, then moved into place. Without `force` an existing file
/// is never replaced, not even by a race.
pub(crate) fn write_output(path: &Path, bytes: &[u8], force: bool) -> Outcome {
    if is_stdio(path) {
        let mut out = io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| Failure::io("write", Path::new("standard output"), &e));
    }
    check_output(path, force)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| Failure::io("create a file in", &dir, &e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Failure::io("write", temp.path(), &e))?;
    if force {
        temp.persist(path)
            .map_err(|e| Failure::io("write", path, &e.error))?;
    } else {
        temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                Failure::usage(
                    format!("{} already exists", display_path(path)),
                    "pass --force to overwrite it, or choose another name",
                )
            } else {
                Failure::io("write", path, &e.error)
            }
        })?;
    }
    Ok(())
}

/// Parse `--now`: RFC 3339 or seconds since 1970; the system clock when absent.
pub(crate) fn parse_now(text: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    let Some(text) = text else {
        return Ok(Utc::now());
    };
    rainv_gateway::parse_instant(text)
        .map_err(|e| Failure::usage(format!("--now {text}: {e}"), e.hint()))
}

/// Parse a duration like `90m`, `6h`, `2d` or a bare number of minutes, into minutes.
pub(crate) fn parse_minutes(text: &str) -> Result<u64, Failure> {
    let bad = || {
        Failure::usage(
            format!("--expires {text}: not a duration"),
            "write a number with m (minutes), h (hours) or d (days): 90m, 6h, 2d",
        )
    };
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor = match unit {
        "" | "m" | "min" => 1,
        "h" => 60,
        "d" => 24 * 60,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

/// Colour only on a terminal, and never with NO_COLOR set.
pub(crate) fn colour_enabled(stream_is_terminal: bool) -> bool {
    stream_is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// Print a failure as `error:` and `hint:` lines on standard error; its exit code.
pub(crate) fn report(failure: Failure) -> u8 {
    let colour = colour_enabled(io::stderr().is_terminal());
    let (code, message, hint) = match failure {
        Failure::Silent => return 1,
        Failure::Invalid { message, hint } => (1, message, hint),
        Failure::Usage { message, hint } => (2, message, hint),
    };
    eprintln!("{} {message}", paint(colour, "1;31", "error:"));
    if !hint.is_empty() {
        eprintln!("  {} {hint}", paint(colour, "1;36", "hint:"));
    }
    code
}

/// Wrap `text` in an ANSI colour when `enabled`.
pub(crate) fn paint(enabled: bool, code: &str, text: &str) -> String {
    if enabled {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
