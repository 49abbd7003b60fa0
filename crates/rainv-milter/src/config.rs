//! What the milter does and within which bounds: the `[milter]` table of the policy file, with
//! command-line options over it.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

/// Where the milter listens, as Postfix writes it: `inet:HOST:PORT` or `unix:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Listen {
    /// A TCP address: `inet:127.0.0.1:8891`, `inet:[::1]:8891`.
    Inet(SocketAddr),
    /// A Unix-domain socket: `unix:/run/rainv/milter.sock`.
    Unix(PathBuf),
}

impl FromStr for Listen {
    type Err = String;

    fn from_str(text: &str) -> Result<Listen, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("unix: needs a path, as in unix:/run/rainv/milter.sock".into());
            }
            return Ok(Listen::Unix(PathBuf::from(path)));
        }
        let Some(address) = text
            .strip_prefix("inet:")
            .or_else(|| text.strip_prefix("inet6:"))
        else {
            return Err(format!(
                "{text:?} is not inet:HOST:PORT or unix:PATH (as in inet:127.0.0.1:8891)"
            ));
        };
        address.parse::<SocketAddr>().map(Listen::Inet).map_err(|_| {
            format!(
                "{address:?} is not an IP address and port (as in 127.0.0.1:8891 or [::1]:8891); \
                 host names are not resolved"
            )
        })
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listen::Inet(address) => write!(f, "inet:{address}"),
            Listen::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// What is done with a message the gateway rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// Refuse it at the end of `DATA` with `550 5.7.1` and the reason.
    Reject,
    /// Take it, hold it in Postfix's hold queue (`QUARANTINE`), and tag it.
    Quarantine,
    /// Deliver it with an `X-Rainv-Verdict` header saying why it would be rejected.
    Tag,
    /// Deliver it as it is; only the log says what was found.
    Accept,
}

/// The names of each setting's values, as the policy file and the command line write them.
macro_rules! named {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            /// Every value's name.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
        }
        impl FromStr for $type {
            type Err = String;
            fn from_str(text: &str) -> Result<$type, String> {
                match text {
                    $($name => Ok($type::$variant),)+
                    _ => Err(format!("{text:?} is not one of {}", $type::NAMES.join(", "))),
                }
            }
        }
    };
}

named!(Action { Reject => "reject", Quarantine => "quarantine", Tag => "tag", Accept => "accept" });

/// What is done with a message when rainv itself fails on it (a panic, the time limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OnError {
    /// Ask the sender to try again later (`451 4.7.1`).
    Tempfail,
    /// Deliver it, tagged `error`.
    Accept,
}

named!(OnError { Tempfail => "tempfail", Accept => "accept" });

/// What is done with a message larger than [`MilterConfig::max_message_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Oversize {
    /// `452 4.3.4`: the sender may try again (for a site that raises the limit).
    Tempfail,
    /// `552 5.3.4`: refused for good.
    Reject,
}

named!(Oversize { Tempfail => "tempfail", Reject => "reject" });

/// The milter's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MilterConfig {
    /// Where to listen.
    pub listen: Listen,
    /// What to do with a rejected message.
    pub action: Action,
    /// What to do when rainv fails on a message.
    pub on_error: OnError,
    /// Largest message (headers and body) buffered and judged.
    pub max_message_bytes: usize,
    /// What to do with a larger one.
    pub oversize: Oversize,
    /// Most connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Time allowed to judge one message.
    pub message_timeout: Duration,
}

impl Default for MilterConfig {
    fn default() -> Self {
        MilterConfig {
            listen: Listen::Inet(SocketAddr::from(([127, 0, 0, 1], 8891))),
            action: Action::Reject,
            on_error: OnError::Tempfail,
            max_message_bytes: 64 * 1024 * 1024,
            oversize: Oversize::Tempfail,
            max_connections: 64,
            message_timeout: Duration::from_secs(30),
        }
    }
}

/// The `[milter]` table of a policy file. Every key is optional.
///
/// ```toml
/// [milter]
/// listen = "inet:127.0.0.1:8891"
/// action = "reject"          # reject, quarantine, tag, accept
/// on_error = "tempfail"      # tempfail, accept
/// max_message_bytes = 67108864
/// oversize = "tempfail"      # tempfail, reject
/// max_connections = 64
/// message_timeout_seconds = 30
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MilterFile {
    /// Where to listen.
    pub listen: Option<String>,
    /// What to do with a rejected message.
    pub action: Option<Action>,
    /// What to do when rainv fails on a message.
    pub on_error: Option<OnError>,
    /// Largest message judged.
    pub max_message_bytes: Option<usize>,
    /// What to do with a larger one.
    pub oversize: Option<Oversize>,
    /// Most connections served at once.
    pub max_connections: Option<usize>,
    /// Time allowed to judge one message, in seconds.
    pub message_timeout_seconds: Option<u64>,
}

impl MilterFile {
    /// The `[milter]` table of a policy file's text (absent: every key absent).
    pub fn from_policy_toml(text: &str) -> Result<MilterFile, String> {
        #[derive(Deserialize)]
        struct Whole {
            milter: Option<MilterFile>,
        }
        let whole: Whole = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(whole.milter.unwrap_or_default())
    }

    /// Set every value this table (or the command line, built the same way) gives.
    pub fn apply_to(self, config: &mut MilterConfig) -> Result<(), String> {
        if let Some(listen) = self.listen {
            config.listen = listen.parse()?;
        }
        if let Some(action) = self.action {
            config.action = action;
        }
        if let Some(on_error) = self.on_error {
            config.on_error = on_error;
        }
        if let Some(bytes) = self.max_message_bytes {
            config.max_message_bytes = bytes;
        }
        if let Some(oversize) = self.oversize {
            config.oversize = oversize;
        }
        if let Some(connections) = self.max_connections {
            if connections == 0 {
                return Err("max_connections must be at least 1".into());
            }
            config.max_connections = connections;
        }
        if let Some(seconds) = self.message_timeout_seconds {
            if seconds == 0 {
                return Err("message_timeout_seconds must be at least 1".into());
            }
            config.message_timeout = Duration::from_secs(seconds);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_as_postfix_writes_them() {
        assert_eq!(
            "inet:127.0.0.1:8891".parse::<Listen>(),
            Ok(Listen::Inet("127.0.0.1:8891".parse().unwrap()))
        );
        assert_eq!(
            "inet:[::1]:8891".parse::<Listen>(),
            Ok(Listen::Inet("[::1]:8891".parse().unwrap()))
        );
        assert_eq!(
            "unix:/run/rainv/milter.sock".parse::<Listen>(),
            Ok(Listen::Unix("/run/rainv/milter.sock".into()))
        );
        for bad in [
            "127.0.0.1:8891",
            "inet:localhost:8891",
            "inet:127.0.0.1",
            "unix:",
            "",
        ] {
            assert!(bad.parse::<Listen>().is_err(), "{bad}");
        }
        let listen: Listen = "inet:[::1]:25".parse().unwrap();
        assert_eq!(listen.to_string(), "inet:[::1]:25");
    }

    #[test]
    fn the_milter_table_of_a_policy_file() {
        let text = "max_size_bytes = 1000\n[milter]\naction = \"tag\"\nlisten = \"unix:/tmp/s\"\n\
                    message_timeout_seconds = 5\n";
        let mut config = MilterConfig::default();
        MilterFile::from_policy_toml(text)
            .unwrap()
            .apply_to(&mut config)
            .unwrap();
        assert_eq!(config.action, Action::Tag);
        assert_eq!(config.listen, Listen::Unix("/tmp/s".into()));
        assert_eq!(config.message_timeout, Duration::from_secs(5));
        assert_eq!(config.on_error, OnError::Tempfail);
        let unknown = MilterFile::from_policy_toml("[milter]\nactoin = \"tag\"\n").unwrap_err();
        assert!(unknown.contains("actoin"), "{unknown}");
        let bad = MilterFile::from_policy_toml("[milter]\naction = \"drop\"\n").unwrap_err();
        assert!(bad.contains("drop"), "{bad}");
        assert!(MilterFile::from_policy_toml("").unwrap().action.is_none());
        let zero = MilterFile {
            max_connections: Some(0),
            ..MilterFile::default()
        };
        assert!(zero.apply_to(&mut MilterConfig::default()).is_err());
    }
}
