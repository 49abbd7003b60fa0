//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Windows Remote Assistance invitations (.msrcincident): create, open, decrypt and encrypt them,
/// compute and verify PassStub proofs, and judge files and mail attachments for a gateway.
///
/// Exit codes: 0 success; 1 the file is invalid, refused, or the password is wrong;
/// 2 usage or I/O error. Passwords are never taken on the command line: use
/// --password-file, --password-env, or the prompt on a terminal.
#[derive(Debug, Parser)]
#[command(
    name = "rainv",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show what an invitation holds, decrypting its ticket when a password is available.
    ///
    /// Example: rainv open --password-file pw.txt invitation.msrcincident
    Open(OpenArgs),
    /// Create a new invitation.
    ///
    /// Example: rainv create --user alice --address 192.0.2.10:3389 --kh <B64> --password-file pw.txt -o alice.msrcincident
    Create(CreateArgs),
    /// Write the decrypted Connection String 2 of an invitation.
    ///
    /// Example: rainv decrypt invitation.msrcincident --password-file pw.txt -o ticket.xml
    Decrypt(DecryptArgs),
    /// Wrap a Connection String 2 into a password-protected Vista-or-later invitation.
    ///
    /// The ticket text is kept exactly as given, so a decrypted Windows ticket encrypts back to
    /// Windows' bytes.
    ///
    /// Example: rainv encrypt ticket.xml --user alice --password-file pw.txt -o alice.msrcincident
    Encrypt(EncryptArgs),
    /// The PassStub scheme: generate a PassStub, compute or verify the expert's PASS value.
    ///
    /// Example: rainv passstub verify --stub 'RT=0PvIndan52*' --blob 3C9C... --password-file pw.txt
    #[command(name = "passstub", subcommand)]
    PassStub(PassStubCommand),
    /// Judge invitation files against a gateway policy (files, directories or -).
    ///
    /// Example: rainv check --json /var/spool/attachments
    Check(crate::check::CheckArgs),
    /// Find invitations attached to e-mail (.eml, mbox, Maildir) and judge each.
    ///
    /// Example: rainv scan-mail --json ~/Maildir
    ScanMail(crate::check::ScanMailArgs),
    /// Run a milter (Postfix, Sendmail) that judges invitations in the mail flow.
    ///
    /// Example: rainv milter --policy /etc/rainv/policy.toml --listen inet:127.0.0.1:8891
    Milter(crate::milter::MilterArgs),
    /// Print a shell completion script.
    ///
    /// Example: rainv completions bash > /etc/bash_completion.d/rainv
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): rainv's, or one command's; or write them all to a folder.
    ///
    /// Example: rainv man --dir /usr/local/share/man/man1
    Man {
        /// The command whose page to print (default: rainv's own page).
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,
        /// Write rainv.1 and rainv-COMMAND.1 for every command into this folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Where a password comes from. With neither option, rainv prompts on a terminal.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct PasswordArgs {
    /// Read the password from the first line of this file ('-' for standard input).
    #[arg(long, value_name = "PATH", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    /// Invitation files, or '-' for standard input (once).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Do not decrypt the ticket (and do not prompt for a password).
    #[arg(long, conflicts_with_all = ["password_file", "password_env"])]
    pub no_decrypt: bool,
    /// Also show the session ID, the key hashes (KH, KH2), the ticket's ID and certificate,
    /// and each transport's listeners as written.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print one JSON object per file instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// The clock for the validity check: RFC 3339 or seconds since 1970.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Judge the invitation by this gateway policy (TOML; see docs/security.md) instead of the
    /// default one.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum FormatArg {
    /// Vista and later, as Windows 10 and 11 write it.
    Vista,
    /// Vista and later, as Windows 7 writes it.
    Win7,
    /// Windows XP: RCTICKET only, UTF-16LE.
    Xp,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum VistaFormatArg {
    /// As Windows 10 and 11 write it.
    Vista,
    /// As Windows 7 writes it.
    Win7,
}

/// Options shared by `create` and `encrypt`.
#[derive(Debug, Args)]
pub(crate) struct InvitationArgs {
    /// USERNAME: the person asking for help.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Validity in minutes (Windows' default: 360).
    #[arg(long, value_name = "N", conflicts_with = "expires")]
    pub minutes: Option<u64>,
    /// Validity as a duration: 90m, 6h, 2d.
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
    /// Mark the novice as on a slow (modem) link.
    #[arg(long)]
    pub low_speed: bool,
    /// The creation time (DtStart): RFC 3339 or seconds since 1970. Default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Output file, or '-' for standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print nothing on success (by default, what was made is summed up on standard error).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--kh`: base64 of a 20-byte SHA-1, checked as it is read so the error names the option.
fn kh_value(text: &str) -> Result<String, String> {
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(bytes) if bytes.len() == 20 => Ok(text.to_string()),
        Ok(bytes) => Err(format!(
            "not base64 of a 20-byte SHA-1: it decodes to {} bytes (a KH is 28 characters, \
             ending in =)",
            bytes.len()
        )),
        Err(_) => Err(
            "not base64 of a 20-byte SHA-1 (a KH is 28 characters of A-Z, a-z, 0-9, + and /, \
             ending in =)"
                .to_string(),
        ),
    }
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The layout to write.
    #[arg(long, value_enum, default_value = "vista")]
    pub format: FormatArg,
    /// A listener, in the order experts should try them: HOST:PORT, or [IPv6%zone]:PORT.
    #[arg(long = "address", value_name = "HOST:PORT", required = true)]
    pub addresses: Vec<String>,
    /// KH: base64 SHA-1 of the novice's RDP server public key blob.
    ///
    /// MS-RAI's KH lets the expert check that the computer it reaches is the novice's: it is
    /// the base64 SHA-1 hash of the public key blob of the novice's Remote Desktop server
    /// (28 characters, ending in `=`). It stays the same while that computer's RDP certificate
    /// does, so take it from an invitation the computer's own Remote Assistance made
    /// (`rainv open --verbose` shows it). Without it, experts cannot authenticate the computer
    /// and no RCTICKET (for XP experts) is written.
    #[arg(long, value_name = "B64", value_parser = kh_value)]
    pub kh: Option<String>,
    /// KH2: ALG:B64 with ALG sha256, sha384 or sha512.
    #[arg(long, value_name = "ALG:B64")]
    pub kh2: Option<String>,
    /// The session ID (base64). Default: 48 random bytes.
    #[arg(long, value_name = "B64")]
    pub session_id: Option<String>,
    /// Leave out the RCTICKET for XP experts ("Vista or later only").
    #[arg(long)]
    pub vista_only: bool,
    #[command(flatten)]
    pub invitation: InvitationArgs,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Make a Windows-style password (12 of A-Z0-9) and print it once to standard error.
    /// (XP invitations take no password here: the novice checks the expert's PASS value later
    /// with `rainv passstub verify`.)
    #[arg(long, conflicts_with_all = ["password_file", "password_env"])]
    pub generate_password: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DecryptArgs {
    /// The invitation file, or '-' for standard input.
    pub file: PathBuf,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Output file, or '-' (the default) for standard output.
    #[arg(short, long, value_name = "OUT", default_value = "-")]
    pub output: PathBuf,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EncryptArgs {
    /// The Connection String 2 (<E>...</E>), or '-' for standard input.
    pub file: PathBuf,
    /// The layout to write (an XP file cannot carry an LHTICKET).
    #[arg(long, value_enum, default_value = "vista")]
    pub format: VistaFormatArg,
    /// Also add an RCTICKET for XP experts, built from the ticket's IPv4 and computer-name
    /// listeners (the ticket needs a KH).
    #[arg(long)]
    pub with_rc_ticket: bool,
    #[command(flatten)]
    pub invitation: InvitationArgs,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PassStubCommand {
    /// Print a new random PassStub with Windows' character classes.
    Generate,
    /// Print the expert's PASS value (hex) for a PassStub and the password.
    Encrypt {
        /// The PassStub from the invitation.
        #[arg(long)]
        stub: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Check an expert's PASS value: exit 0 on match, 1 on mismatch.
    Verify {
        /// The PassStub from the invitation.
        #[arg(long)]
        stub: String,
        /// The PASS value (hex) the expert sent.
        #[arg(long, value_name = "HEX")]
        blob: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Print the expert blob: <n>;NAME=...<n>;PASS=...
    ExpertBlob {
        /// The expert's display name.
        #[arg(long)]
        name: String,
        /// The PassStub from the invitation.
        #[arg(long)]
        stub: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
}
