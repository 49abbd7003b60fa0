//! `rainv milter`: the options, and the settings they and the policy file give the milter
//! (the `rainv-milter` crate), read again on `SIGHUP`.

use std::fs;
use std::path::PathBuf;

use clap::Args;
use rainv::Password;
use rainv_gateway::Policy;
use rainv_milter::{Action, MilterConfig, MilterFile, OnError, Oversize, Settings};

use crate::args::PasswordArgs;
use crate::io::{self, Failure, Outcome, display_path};

#[derive(Debug, Clone, Args)]
pub(crate) struct MilterArgs {
    /// A policy file (TOML): the gateway's keys, and a [milter] table (docs/milter.md). Read
    /// again on SIGHUP. Options below override it.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Where to listen: inet:HOST:PORT or unix:PATH (default inet:127.0.0.1:8891).
    #[arg(long, value_name = "SOCKET", value_parser = listen_address)]
    pub listen: Option<String>,
    /// What to do with a message holding a rejected invitation.
    #[arg(long, value_name = "ACTION", value_parser = Action::NAMES.to_vec())]
    pub action: Option<String>,
    /// What to do when rainv fails on a message (an internal error, the time limit).
    #[arg(long, value_name = "ACTION", value_parser = OnError::NAMES.to_vec())]
    pub on_error: Option<String>,
    /// Largest message judged, in bytes (default 64 MiB); larger ones are not buffered.
    #[arg(long, value_name = "BYTES")]
    pub max_message_bytes: Option<usize>,
    /// What to do with a larger message.
    #[arg(long, value_name = "ACTION", value_parser = Oversize::NAMES.to_vec())]
    pub oversize: Option<String>,
    /// Most MTA connections served at once (default 64).
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Time allowed to judge one message, in seconds (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub message_timeout: Option<u64>,
    /// Password to decrypt LHTICKETs with, to check their listeners. Never prompted for.
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// `--listen` is checked as it is read, so that its error names the option.
fn listen_address(text: &str) -> Result<String, String> {
    text.parse::<rainv_milter::Listen>()?;
    Ok(text.to_string())
}

fn parse<T: std::str::FromStr<Err = String>>(value: &Option<String>) -> Option<T> {
    // clap has checked the value against the names already.
    value.as_deref().and_then(|text| text.parse().ok())
}

/// The settings from the policy file (when given), then the options.
fn load(args: &MilterArgs, password: Option<&Password>) -> Result<Settings, String> {
    let text = match &args.policy {
        Some(path) => fs::read_to_string(path)
            .map_err(|e| format!("reading policy {}: {e}", display_path(path)))?,
        None => String::new(),
    };
    let name = args
        .policy
        .as_deref()
        .map_or_else(|| "(defaults)".to_string(), display_path);
    let mut policy = Policy::from_toml(&text).map_err(|e| format!("policy {name}: {e}"))?;
    policy.password = password.cloned();
    let mut config = MilterConfig::default();
    MilterFile::from_policy_toml(&text)
        .and_then(|file| file.apply_to(&mut config))
        .map_err(|e| format!("policy {name}, [milter]: {e}"))?;
    let mut options = MilterFile::default();
    options.listen = args.listen.clone();
    options.action = parse(&args.action);
    options.on_error = parse(&args.on_error);
    options.max_message_bytes = args.max_message_bytes;
    options.oversize = parse(&args.oversize);
    options.max_connections = args.max_connections;
    options.message_timeout_seconds = args.message_timeout;
    options.apply_to(&mut config)?;
    Ok(Settings::new(policy, config))
}

pub(crate) fn run(args: &MilterArgs) -> Outcome {
    let args = args.clone();
    let password = if args.password.password_file.is_some() || args.password.password_env.is_some()
    {
        io::password(&args.password, false)?
    } else {
        None
    };
    // Mistakes in the policy or the options are usage errors before anything listens.
    load(&args, password.as_ref())
        .map_err(|e| Failure::usage(e, "see docs/milter.md for the [milter] keys and options"))?;
    rainv_milter::run(move || load(&args, password.as_ref()))
        .map_err(|e| Failure::usage(e, "see docs/milter.md"))
}
