//! The milter protocol side: one [`RainvMilter`] per MTA connection gathers each message,
//! has it judged, and answers with the decision.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use miltr_common::actions::{Action as MilterAction, Continue, Replycode};
use miltr_common::commands::{Body, Header, Macro, Mail};
use miltr_common::modifications::ModificationResponse;
use miltr_common::modifications::headers::{AddHeader, ChangeHeader};
use miltr_common::modifications::quarantine::Quarantine;
use miltr_common::optneg::{Capability, OptNeg, Protocol};
use miltr_server::{Error, Milter};

use crate::config::Oversize;
use crate::decision::{Decision, Disposition, decide, failed};
use crate::server::{Settings, SharedSettings};
use crate::text::reply_text;

/// The header rainv adds, and removes from incoming mail so that no sender can forge it.
pub(crate) const VERDICT_HEADER: &str = "X-Rainv-Verdict";

pub(crate) struct RainvMilter {
    settings: SharedSettings,
    message: Message,
}

/// What is known of the message in progress.
#[derive(Default)]
struct Message {
    raw: Vec<u8>,
    /// The message went over the size limit: its bytes are no longer kept.
    oversize: bool,
    /// How many `X-Rainv-Verdict` headers it came with.
    forged: u32,
    queue_id: Option<String>,
    sender: Option<String>,
    bytes: usize,
}

impl RainvMilter {
    pub(crate) fn new(settings: SharedSettings) -> RainvMilter {
        RainvMilter {
            settings,
            message: Message::default(),
        }
    }

    fn settings(&self) -> Arc<Settings> {
        match self.settings.read() {
            Ok(settings) => Arc::clone(&settings),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Keep `bytes` of the message, unless that takes it over the limit: then drop what was
    /// kept, and say what to answer.
    fn keep(&mut self, parts: &[&[u8]]) -> MilterAction {
        let settings = self.settings();
        let config = &settings.config;
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.message.bytes = self.message.bytes.saturating_add(len);
        if self.message.bytes > config.max_message_bytes {
            if !self.message.oversize {
                self.message.oversize = true;
                self.message.raw = Vec::new();
                log_line(&self.message, "oversize", "-", 0, &[]);
            }
            let text = reply_text(&format!(
                "rainv: message larger than {} bytes, not inspected",
                config.max_message_bytes
            ));
            return match config.oversize {
                Oversize::Tempfail => Replycode::new([4, 5, 2], [4, 3, 4], &text).into(),
                Oversize::Reject => Replycode::new([5, 5, 2], [5, 3, 4], &text).into(),
            };
        }
        for part in parts {
            self.message.raw.extend_from_slice(part);
        }
        Continue.into()
    }
}

/// One log line per message, in `key=value` form (logfmt), which journald and log shippers
/// read as fields; values with spaces or quotes are quoted, control characters escaped.
fn log_line(message: &Message, verdict: &str, action: &str, millis: u128, attachments: &[String]) {
    let quote = |text: &str| {
        let escaped: String = text
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                c if c.is_control() || rainv::display::is_dangerous_for_display(c) => {
                    format!("\\u{{{:x}}}", u32::from(c)).chars().collect()
                }
                c => vec![c],
            })
            .collect();
        if escaped.is_empty() || escaped.contains([' ', '=', '"']) {
            format!("\"{escaped}\"")
        } else {
            escaped
        }
    };
    eprintln!(
        "rainv-milter: queue_id={} from={} size={} verdict={verdict} action={action} ms={millis} attachments={}",
        quote(message.queue_id.as_deref().unwrap_or("-")),
        quote(message.sender.as_deref().unwrap_or("-")),
        message.bytes,
        quote(&attachments.join(" | ")),
    );
}

#[async_trait]
impl Milter for RainvMilter {
    type Error = String;

    async fn option_negotiation(&mut self, theirs: OptNeg) -> Result<OptNeg, Error<Self::Error>> {
        let ours = OptNeg {
            capabilities: Capability::SMFIF_ADDHDRS
                | Capability::SMFIF_CHGHDRS
                | Capability::SMFIF_QUARANTINE,
            protocol: Protocol::NO_CONNECT
                | Protocol::NO_HELO
                | Protocol::NO_RECIPIENT
                | Protocol::NO_UNKNOWN
                | Protocol::NO_DATA,
            ..OptNeg::default()
        };
        ours.merge_compatible(&theirs)
            .map_err(|e| Error::from(miltr_common::ProtocolError::from(e)))
    }

    async fn macro_(&mut self, macros: Macro) -> Result<(), Self::Error> {
        for (name, value) in macros.macros() {
            if name == b"i" || name == b"{i}" {
                self.message.queue_id = Some(String::from_utf8_lossy(value).into_owned());
            }
        }
        Ok(())
    }

    async fn mail(&mut self, mail: Mail) -> Result<MilterAction, Self::Error> {
        let queue_id = self.message.queue_id.take();
        self.message = Message {
            sender: Some(mail.sender().into_owned()),
            queue_id,
            ..Message::default()
        };
        Ok(Continue.into())
    }

    async fn header(&mut self, header: Header) -> Result<MilterAction, Self::Error> {
        let name = header.name();
        if name.eq_ignore_ascii_case(VERDICT_HEADER) {
            self.message.forged += 1;
        }
        // Folded values come with bare LF line breaks; the message is rebuilt with CRLF.
        let value = header.value().replace("\r\n", "\n").replace('\n', "\r\n");
        Ok(self.keep(&[name.as_bytes(), b": ", value.as_bytes(), b"\r\n"]))
    }

    async fn end_of_header(&mut self) -> Result<MilterAction, Self::Error> {
        Ok(self.keep(&[b"\r\n"]))
    }

    async fn body(&mut self, body: Body) -> Result<MilterAction, Self::Error> {
        Ok(self.keep(&[body.as_bytes()]))
    }

    async fn end_of_body(&mut self) -> Result<ModificationResponse, Self::Error> {
        let settings = self.settings();
        let message = std::mem::take(&mut self.message);
        if message.oversize {
            // Answered already, when it went over the limit.
            return Ok(ModificationResponse::empty_continue());
        }
        let started = Instant::now();
        let config = settings.config.clone();
        let judged = {
            let settings = Arc::clone(&settings);
            let raw = message.raw;
            tokio::task::spawn_blocking(move || {
                rainv_gateway::scan_message(&raw, &settings.policy, chrono::Utc::now())
            })
        };
        let decision: Decision = match tokio::time::timeout(config.message_timeout, judged).await {
            Ok(Ok(scanned)) => decide(&scanned, config.action),
            Ok(Err(_)) => failed(config.on_error, "rainv failed on it"),
            Err(_) => failed(
                config.on_error,
                &format!("not judged within {} s", config.message_timeout.as_secs()),
            ),
        };
        let millis = started.elapsed().as_millis();
        let mut response = ModificationResponse::builder();
        // A verdict header the message came with is the sender's, not rainv's: removed, last
        // first, as each removal renumbers the ones after it.
        for index in (1..=message.forged).rev() {
            response.push(ChangeHeader::new(index, VERDICT_HEADER.as_bytes(), b""));
        }
        for value in &decision.headers {
            response.push(AddHeader::new(VERDICT_HEADER.as_bytes(), value.as_bytes()));
        }
        let (action, final_action): (&str, MilterAction) = match &decision.disposition {
            Disposition::Continue => ("deliver", Continue.into()),
            Disposition::Reject(text) => {
                ("reject", Replycode::new([5, 5, 0], [5, 7, 1], text).into())
            }
            Disposition::Tempfail(text) => (
                "tempfail",
                Replycode::new([4, 5, 1], [4, 7, 1], text).into(),
            ),
            Disposition::Quarantine(reason) => {
                response.push(Quarantine::new(reason.as_bytes()));
                ("quarantine", Continue.into())
            }
        };
        let logged = Message {
            bytes: message.bytes,
            queue_id: message.queue_id,
            sender: message.sender,
            ..Message::default()
        };
        log_line(
            &logged,
            decision.verdict,
            action,
            millis,
            &decision.attachments,
        );
        Ok(response.build(final_action))
    }

    async fn abort(&mut self) -> Result<(), Self::Error> {
        self.message = Message::default();
        Ok(())
    }
}
