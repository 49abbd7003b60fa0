//! What each C function does, in safe Rust over Rust values: the `extern "C"` layer in
//! `lib.rs` only turns C arguments into these and the results back.

use std::borrow::Cow;

use rainv::Password;

use crate::{RAINV_ERROR as ERROR, RAINV_OK as OK, RAINV_REJECTED as REJECTED};
use rainv_gateway::chrono::{DateTime, Utc};
use rainv_gateway::{
    EntryReport, Opened, Policy, ResultLine, Verdict, inspect_file, parse_instant, scan_message,
};

/// A call's result: its status and, for most calls, text (JSON lines or a PASS value).
pub(crate) struct Answer {
    pub(crate) status: i32,
    pub(crate) text: String,
}

/// A call that judges input: `open`, `check` or `scan_mail`, given the data, the file's name,
/// the password, the policy and the time.
pub(crate) type Judging = fn(&[u8], &str, Option<&str>, &Policy, DateTime<Utc>) -> Answer;

/// Why a call could not be made; the message names the argument.
pub(crate) struct Usage(pub(crate) String);

/// The time checks are made at: `now` as `--now` takes it, or the system clock.
pub(crate) fn instant(now: Option<&str>) -> Result<DateTime<Utc>, Usage> {
    match now {
        None => Ok(Utc::now()),
        Some(text) => {
            parse_instant(text).map_err(|e| Usage(format!("now \"{text}\": {e}; {}", e.hint())))
        }
    }
}

/// The policy given as TOML, over the defaults.
pub(crate) fn policy_from_toml(toml: &str) -> Result<Policy, Usage> {
    Policy::from_toml(toml).map_err(|e| Usage(format!("policy: {e}")))
}

/// The policy a call uses: `policy`, or a copy with the password when one is given, to
/// decrypt the LHTICKET so its listeners are checked (the command line's `--password-file`).
fn with_password<'a>(policy: &'a Policy, password: Option<&str>) -> Cow<'a, Policy> {
    match password {
        None => Cow::Borrowed(policy),
        Some(password) => {
            let mut policy = policy.clone();
            policy.password = Some(Password::new(password));
            Cow::Owned(policy)
        }
    }
}

fn json_line(line: &ResultLine<'_>, out: &mut String) {
    // Serialising plain data to a String cannot fail; an empty line would show if it did.
    if let Ok(text) = serde_json::to_string(line) {
        out.push_str(&text);
    }
    out.push('\n');
}

/// The last component of a path, by which archives and invitations are recognised.
fn last_component(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// `rainv open --json`: the line, `OK` when it read (and its ticket decrypted, when a password
/// was given), else `REJECTED`.
pub(crate) fn open(
    data: &[u8],
    file: &str,
    password: Option<&str>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Answer {
    let password = password.map(Password::new);
    let mut text = String::new();
    let status = match Opened::open(data, policy, password.as_ref(), now) {
        Ok(opened) => {
            json_line(&opened.line(file), &mut text);
            if opened.decrypt_error.is_some() {
                REJECTED
            } else {
                OK
            }
        }
        Err(unopened) => {
            json_line(&unopened.line(file), &mut text);
            REJECTED
        }
    };
    Answer { status, text }
}

/// `rainv check --json` on one file: a line for the file, or for each invitation and each
/// part not inspected inside it; `OK` when every one is accepted.
pub(crate) fn check(
    data: &[u8],
    file: &str,
    password: Option<&str>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Answer {
    let policy = with_password(policy, password);
    let name = (!file.is_empty()).then(|| last_component(file));
    let mut text = String::new();
    let mut status = OK;
    for EntryReport { inside, report, .. } in inspect_file(name, data, &policy, now) {
        if report.verdict == Verdict::Reject {
            status = REJECTED;
        }
        json_line(
            &ResultLine::judged(file, &report).inside(&inside),
            &mut text,
        );
    }
    Answer { status, text }
}

/// `rainv scan-mail --json` on one message: a line for each invitation attached (none for a
/// message without), `OK` when every one is accepted; bytes that are not a message give a
/// line with the error and `ERROR`, as the command line reports them not inspected.
pub(crate) fn scan_mail(
    data: &[u8],
    file: &str,
    password: Option<&str>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Answer {
    let policy = with_password(policy, password);
    let mut text = String::new();
    match scan_message(data, &policy, now) {
        Ok(reports) => {
            let mut status = OK;
            for attachment in &reports {
                if attachment.report.verdict == Verdict::Reject {
                    status = REJECTED;
                }
                let line = ResultLine::judged(file, &attachment.report)
                    .inside(&attachment.inside)
                    .in_message(attachment.message_id.as_deref(), &attachment.attachment);
                json_line(&line, &mut text);
            }
            Answer { status, text }
        }
        Err(e) => {
            let error = e.to_string();
            json_line(&ResultLine::unreadable(file, &error), &mut text);
            Answer {
                status: ERROR,
                text,
            }
        }
    }
}

/// The PASS value an expert who knows `password` sends for `pass_stub` (64 hex digits for a
/// 14-character PassStub). A PassStub of an unusual shape is encrypted all the same, as the
/// command line does (it warns).
pub(crate) fn pass_stub_encrypt(password: &str, pass_stub: &str) -> String {
    rainv::pass_stub::encrypt(&Password::new(password), pass_stub)
}

/// Whether `pass` is the PASS value for `pass_stub` and `password`: `OK` or `REJECTED`.
pub(crate) fn pass_stub_verify(password: &str, pass_stub: &str, pass: &str) -> Result<i32, Usage> {
    match rainv::pass_stub::verify(&Password::new(password), pass_stub, pass) {
        Ok(true) => Ok(OK),
        Ok(false) => Ok(REJECTED),
        Err(_) => Err(Usage(
            "pass is not hex: give the PASS value the expert sent, 64 hex digits for a \
             14-character PassStub"
                .into(),
        )),
    }
}
