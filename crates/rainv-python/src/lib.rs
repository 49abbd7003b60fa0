//! # `rainv._rainv`: the extension module of the Python package
//!
//! Python objects over the `rainv` and `rainv-gateway` crates; `python/rainv/__init__.py`
//! re-exports them as `rainv`, and `python/rainv/_rainv.pyi` gives their types. Judging
//! releases the GIL, so threads judge in parallel. Passwords come in as `str` and go straight
//! into `rainv::Password`, which wipes its copy; the binding keeps none.
//!
//! PyO3's macros expand to `unsafe` code, so this crate cannot forbid it; it writes none.
#![deny(unsafe_code)]

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use rainv::chrono::{DateTime, FixedOffset, Utc};
use rainv::{Document, ErrorCode, Password};
use rainv_gateway::{Opened, Verdict, inspect_file, parse_instant, scan_message, validate};

create_exception!(
    rainv,
    Error,
    PyException,
    "Anything rainv refuses; `code` is the stable code, `hint` what to do."
);
create_exception!(
    rainv,
    FormatError,
    Error,
    "The bytes are not an invitation rainv can read (malformed, not one, or damaged)."
);
create_exception!(
    rainv,
    LimitError,
    FormatError,
    "The input goes over a limit (size, depth, count) rainv reads within."
);
create_exception!(
    rainv,
    WrongPasswordError,
    Error,
    "The LHTICKET does not decrypt with this password."
);
create_exception!(
    rainv,
    PolicyError,
    Error,
    "A policy (TOML) rainv cannot use; the message names the line."
);
create_exception!(
    rainv,
    MailError,
    Error,
    "The bytes are not an e-mail message rainv can read."
);

/// A Python exception of the class that mirrors `error`'s kind, with `code` and `hint`.
fn error_to_py(py: Python<'_>, error: &rainv::Error) -> PyErr {
    let code = error.code();
    let message = error.to_string();
    let err = match code {
        ErrorCode::WrongPassword => WrongPasswordError::new_err(message),
        ErrorCode::TooLarge | ErrorCode::Limit => LimitError::new_err(message),
        ErrorCode::Write | ErrorCode::Random => Error::new_err(message),
        _ => FormatError::new_err(message),
    };
    with_attributes(py, err, code.as_str(), error.hint())
}

fn with_attributes(py: Python<'_>, err: PyErr, code: &str, hint: &str) -> PyErr {
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail; if it did, the exception
    // still says what is wrong.
    let _ = value.setattr("code", code);
    let _ = value.setattr("hint", hint);
    err
}

/// The instant checks are made at: `None` (now), an aware `datetime`, seconds since 1970
/// (`int`), or RFC 3339 text, as the command line's `--now` takes it.
fn instant(now: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    let Some(now) = now else {
        return Ok(Utc::now());
    };
    if now.is_none() {
        return Ok(Utc::now());
    }
    if now.is_instance_of::<PyString>() {
        let text: String = now.extract()?;
        return parse_instant(&text).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("now \"{text}\": {e}; {}", e.hint()))
        });
    }
    if let Ok(seconds) = now.extract::<i64>() {
        return DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("now {seconds}: out of range"))
        });
    }
    match now.extract::<DateTime<FixedOffset>>() {
        Ok(time) => Ok(time.with_timezone(&Utc)),
        Err(_) => Err(PyTypeError::new_err(
            "now: give an aware datetime, seconds since 1970, or RFC 3339 text \
             (a naive datetime has no time zone)",
        )),
    }
}

/// A gateway policy: what `check`, `validate` and `scan_mail` accept (docs/security.md has the
/// keys). `Policy()` is the defaults; `Policy(toml_text)` reads a policy file's text.
#[pyclass(module = "rainv", frozen)]
struct Policy {
    policy: rainv_gateway::Policy,
}

#[pymethods]
impl Policy {
    #[new]
    #[pyo3(signature = (toml=None))]
    fn new(py: Python<'_>, toml: Option<&str>) -> PyResult<Policy> {
        let policy = match toml {
            None => rainv_gateway::Policy::default(),
            Some(text) => rainv_gateway::Policy::from_toml(text).map_err(|e| {
                with_attributes(
                    py,
                    PolicyError::new_err(format!("policy: {e}")),
                    "policy.invalid",
                    "see docs/security.md for the keys",
                )
            })?,
        };
        Ok(Policy { policy })
    }

    fn __repr__(&self) -> String {
        "rainv.Policy(...)".to_string()
    }
}

/// The policy a call uses: the one given (borrowed), or the defaults; a copy with the
/// password when one is given, so the LHTICKET's listeners are checked.
// Short-lived, on the stack of one call: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum ChosenPolicy<'py> {
    Given(Bound<'py, Policy>),
    Made(rainv_gateway::Policy),
}

impl ChosenPolicy<'_> {
    fn get(&self) -> &rainv_gateway::Policy {
        match self {
            ChosenPolicy::Given(policy) => &policy.get().policy,
            ChosenPolicy::Made(policy) => policy,
        }
    }
}

fn policy_of<'py>(
    policy: Option<&Bound<'py, PyAny>>,
    password: Option<&str>,
) -> PyResult<ChosenPolicy<'py>> {
    let chosen = match policy {
        None => ChosenPolicy::Made(rainv_gateway::Policy::default()),
        Some(p) if p.is_none() => ChosenPolicy::Made(rainv_gateway::Policy::default()),
        Some(p) => {
            if let Ok(policy) = p.cast::<Policy>() {
                ChosenPolicy::Given(policy.clone())
            } else if p.is_instance_of::<PyString>() {
                let text: String = p.extract()?;
                ChosenPolicy::Made(Policy::new(p.py(), Some(&text))?.policy)
            } else {
                return Err(PyTypeError::new_err(
                    "policy: give a rainv.Policy, the TOML text of one, or None",
                ));
            }
        }
    };
    Ok(match password {
        None => chosen,
        Some(password) => {
            let mut policy = chosen.get().clone();
            policy.password = Some(Password::new(password));
            ChosenPolicy::Made(policy)
        }
    })
}

/// One address of the RCTICKET (Connection String 1).
#[pyclass(module = "rainv", frozen, get_all)]
#[derive(Clone)]
struct Address {
    /// An IPv4 address or a computer name.
    host: String,
    /// The TCP port.
    port: u16,
}

#[pymethods]
impl Address {
    fn __repr__(&self) -> String {
        format!("rainv.Address({:?}, {})", self.host, self.port)
    }
}

/// The RCTICKET (Connection String 1): where an XP-era expert connects.
#[pyclass(module = "rainv", frozen, get_all)]
struct RcTicket {
    /// Where the expert connects, in the order to try.
    addresses: Vec<Address>,
    /// RASessionID (base64).
    session_id: String,
    /// The novice's RDP key hash (base64 SHA-1).
    kh: String,
}

/// One listener of a Connection String 2: an address and a port, or a websocket URI.
#[pyclass(module = "rainv", frozen, get_all)]
#[derive(Clone)]
struct Listener {
    /// IPv6 (possibly with a `%zone`), IPv4 or a host name.
    address: String,
    /// The TCP port (`None` for a websocket listener).
    port: Option<u16>,
    /// The websocket URI, given instead of the port.
    uri: Option<String>,
}

#[pymethods]
impl Listener {
    fn __repr__(&self) -> String {
        match (&self.uri, self.port) {
            (Some(uri), _) => format!("rainv.Listener({uri:?})"),
            (None, Some(port)) => format!("rainv.Listener({:?}, {port})", self.address),
            (None, None) => format!("rainv.Listener({:?})", self.address),
        }
    }
}

fn listeners(connection: &rainv::ConnectionString2) -> Vec<Listener> {
    connection
        .listeners()
        .map(|l| Listener {
            address: l.address.to_string(),
            port: l.port,
            uri: l.uri.map(str::to_string),
        })
        .collect()
}

/// A Connection String 2: the decrypted LHTICKET, or a bare ticket file. The decrypted text is
/// wiped when the object goes.
#[pyclass(module = "rainv", frozen)]
struct Ticket {
    ticket: TicketSource,
}

enum TicketSource {
    Decrypted(rainv::DecryptedTicket),
    Bare(rainv::ConnectionString2),
}

impl Ticket {
    fn connection(&self) -> &rainv::ConnectionString2 {
        match &self.ticket {
            TicketSource::Decrypted(t) => t.connection(),
            TicketSource::Bare(c) => c,
        }
    }
}

#[pymethods]
impl Ticket {
    /// The novice's RDP key hash (KH, base64 SHA-1), when given.
    #[getter]
    fn kh(&self) -> Option<String> {
        self.connection().kh().map(str::to_string)
    }

    /// The session ID (ID).
    #[getter]
    fn id(&self) -> String {
        self.connection().id().to_string()
    }

    /// Every listener, in the order Windows tries them.
    #[getter]
    fn listeners(&self) -> Vec<Listener> {
        listeners(self.connection())
    }

    fn __repr__(&self) -> String {
        format!(
            "rainv.Ticket(listeners={})",
            self.connection().listeners().count()
        )
    }
}

/// An invitation file (or a bare Connection String 2), as `rainv.read` gives it.
#[pyclass(module = "rainv", frozen)]
struct Invitation {
    document: Document,
}

impl Invitation {
    fn invitation(&self) -> Option<&rainv::Invitation> {
        match &self.document {
            Document::Invitation(inv) => Some(inv),
            Document::ConnectionString(_) => None,
        }
    }
}

#[pymethods]
impl Invitation {
    /// `"xp"` (RCTICKET only), `"vista"` (an LHTICKET) or `"connection-string"` (a bare one).
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.document {
            Document::ConnectionString(_) => "connection-string",
            Document::Invitation(inv) => match inv.generation() {
                rainv::Generation::Xp => "xp",
                _ => "vista",
            },
        }
    }

    /// USERNAME: the novice (`None` for a bare ticket).
    #[getter]
    fn username(&self) -> Option<String> {
        self.invitation().map(|inv| inv.username().to_string())
    }

    /// RCTICKETENCRYPTED: whether the novice set a password (`None` for a bare ticket).
    #[getter]
    fn password_protected(&self) -> Option<bool> {
        self.invitation().map(|inv| inv.rc_ticket_encrypted)
    }

    /// The PassStub, for the expert's password proof (`rainv.pass_stub.encrypt`).
    #[getter]
    fn pass_stub(&self) -> Option<String> {
        self.invitation()
            .and_then(|inv| inv.pass_stub().map(str::to_string))
    }

    /// When the invitation was made (DtStart), in UTC; `None` beyond the dates Python holds.
    #[getter]
    fn valid_from(&self) -> Option<DateTime<Utc>> {
        self.invitation().and_then(|inv| inv.validity.valid_from())
    }

    /// When it expires (DtStart + DtLength), in UTC.
    #[getter]
    fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.invitation().and_then(|inv| inv.validity.valid_until())
    }

    /// DtLength: how long it is valid, in minutes.
    #[getter]
    fn length_minutes(&self) -> Option<u64> {
        self.invitation().map(|inv| inv.validity.length_minutes)
    }

    /// `"valid"`, `"expired"` or `"not-yet-valid"` at `now` (default: the system clock);
    /// `None` for a bare ticket, which has no validity.
    #[pyo3(signature = (now=None))]
    fn status(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<Option<&'static str>> {
        let now = instant(now)?;
        Ok(self
            .invitation()
            .map(|inv| inv.validity.status_at(now).name()))
    }

    /// The RCTICKET, when there is one.
    #[getter]
    fn rc_ticket(&self) -> Option<RcTicket> {
        let rc = self.invitation()?.rc_ticket.as_ref()?;
        Some(RcTicket {
            addresses: rc
                .addresses()
                .map(|a| Address {
                    host: a.host.to_string(),
                    port: a.port,
                })
                .collect(),
            session_id: rc.session_id().to_string(),
            kh: rc.kh().to_string(),
        })
    }

    /// Whether there is an encrypted LHTICKET (`decrypt` opens it).
    #[getter]
    fn has_lh_ticket(&self) -> bool {
        self.invitation().is_some_and(|inv| inv.lh_ticket.is_some())
    }

    /// The ticket of a bare Connection String 2 file (not encrypted); `None` for invitations.
    #[getter]
    fn ticket(&self) -> Option<Ticket> {
        match &self.document {
            Document::ConnectionString(c) => Some(Ticket {
                ticket: TicketSource::Bare(c.clone()),
            }),
            Document::Invitation(_) => None,
        }
    }

    /// Where an expert connects without decrypting: the RCTICKET's addresses, or a bare
    /// ticket's listeners. The LHTICKET's listeners are `decrypt(password).listeners`.
    #[getter]
    fn listeners(&self) -> Vec<Listener> {
        match &self.document {
            Document::ConnectionString(c) => listeners(c),
            Document::Invitation(inv) => inv
                .rc_ticket
                .iter()
                .flat_map(|rc| rc.addresses())
                .map(|a| Listener {
                    address: a.host.to_string(),
                    port: Some(a.port),
                    uri: None,
                })
                .collect(),
        }
    }

    /// Decrypt the LHTICKET with `password`. Raises `WrongPasswordError` for a wrong password,
    /// `FormatError` when the ticket inside is malformed, `ValueError` when there is no
    /// LHTICKET.
    fn decrypt(&self, py: Python<'_>, password: &str) -> PyResult<Ticket> {
        let Some(inv) = self.invitation() else {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "a bare Connection String 2 is not encrypted: see .ticket",
            ));
        };
        let password = Password::new(password);
        match inv.decrypt(&password) {
            Ok(Some(ticket)) => Ok(Ticket {
                ticket: TicketSource::Decrypted(ticket),
            }),
            Ok(None) => Err(pyo3::exceptions::PyValueError::new_err(
                "this invitation has no LHTICKET (an XP invitation): see .rc_ticket",
            )),
            Err(e) => Err(error_to_py(py, &e)),
        }
    }

    fn __repr__(&self) -> String {
        match self.invitation() {
            Some(inv) => format!(
                "rainv.Invitation(kind={:?}, username={:?})",
                self.kind(),
                inv.username()
            ),
            None => "rainv.Invitation(kind=\"connection-string\")".to_string(),
        }
    }
}

/// Read an invitation (any generation, or a bare Connection String 2) from its bytes. Raises
/// `FormatError` (or `LimitError`) when they are not one.
#[pyfunction]
#[pyo3(signature = (data, policy=None))]
fn read(py: Python<'_>, data: &[u8], policy: Option<&Bound<'_, PyAny>>) -> PyResult<Invitation> {
    let chosen = policy_of(policy, None)?;
    let policy = chosen.get();
    let document = py
        .detach(|| rainv::read(data, &policy.limits))
        .map_err(|e| error_to_py(py, &e))?;
    Ok(Invitation { document })
}

/// One finding of a report.
#[pyclass(module = "rainv", frozen, get_all)]
struct Finding {
    /// The stable code, e.g. `"validity.expired"`.
    code: String,
    /// `"info"`, `"warning"` or `"error"`.
    severity: String,
    /// What was found.
    message: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        format!("rainv.Finding({:?}, {:?})", self.code, self.severity)
    }
}

/// The verdict on one input: a file, an archive's entry, or an attachment of a message.
#[pyclass(module = "rainv", frozen)]
struct Report {
    report: rainv_gateway::Report,
    inside: Vec<String>,
    message_id: Option<Option<String>>,
    attachment: Option<String>,
}

#[pymethods]
impl Report {
    /// `"accept"` or `"reject"`.
    #[getter]
    fn verdict(&self) -> String {
        self.report.verdict.to_string()
    }

    /// Whether the verdict is `"accept"`.
    #[getter]
    fn accepted(&self) -> bool {
        self.report.verdict == Verdict::Accept
    }

    /// What the input is: `"xp"`, `"vista"`, `"connection-string"`, `"archive"`, or `None`.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.report.kind
    }

    /// Every finding, in the order checked.
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        self.report
            .findings
            .iter()
            .map(|f| Finding {
                code: f.code.to_string(),
                severity: f.severity.to_string(),
                message: f.message.clone(),
            })
            .collect()
    }

    /// Where the judged file is inside the input (archive entries, outermost first).
    #[getter]
    fn inside(&self) -> Vec<String> {
        self.inside.clone()
    }

    /// The Message-ID of the message holding the attachment (`scan_mail`).
    #[getter]
    fn message_id(&self) -> Option<String> {
        self.message_id.clone().flatten()
    }

    /// The attachment's name (`scan_mail`).
    #[getter]
    fn attachment(&self) -> Option<String> {
        self.attachment.clone()
    }

    /// The report as one JSON line (no newline), in the shape of `rainv check --json` and
    /// `scan-mail --json` (docs/rainv.schema.json), for the input named `file`.
    #[pyo3(signature = (file=""))]
    fn to_json(&self, file: &str) -> String {
        let mut line = rainv_gateway::ResultLine::judged(file, &self.report).inside(&self.inside);
        if let Some(attachment) = &self.attachment {
            line = line.in_message(
                self.message_id.as_ref().and_then(|m| m.as_deref()),
                attachment,
            );
        }
        serde_json::to_string(&line).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!(
            "rainv.Report(verdict={:?}, findings={})",
            self.report.verdict.to_string(),
            self.report.findings.len()
        )
    }
}

impl Report {
    fn of(report: rainv_gateway::Report) -> Report {
        Report {
            report,
            inside: Vec::new(),
            message_id: None,
            attachment: None,
        }
    }
}

/// The gateway's verdict on the bytes of one invitation (as `rainv check` gives for a file
/// that is not an archive). `password` decrypts the LHTICKET so its listeners are checked.
#[pyfunction]
#[pyo3(name = "validate", signature = (data, policy=None, now=None, password=None))]
fn validate_bytes(
    py: Python<'_>,
    data: &[u8],
    policy: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    password: Option<&str>,
) -> PyResult<Report> {
    let chosen = policy_of(policy, password)?;
    let policy = chosen.get();
    let now = instant(now)?;
    Ok(Report::of(py.detach(|| validate(data, policy, now))))
}

/// What `rainv check` gives for a file: its report, or when it is an archive, one for each
/// invitation inside and each part that could not be inspected. `name` (the file's name)
/// tells archives and invitations apart as the command line's file names do.
#[pyfunction]
#[pyo3(signature = (data, name=None, policy=None, now=None, password=None))]
fn check(
    py: Python<'_>,
    data: &[u8],
    name: Option<&str>,
    policy: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    password: Option<&str>,
) -> PyResult<Vec<Report>> {
    let chosen = policy_of(policy, password)?;
    let policy = chosen.get();
    let now = instant(now)?;
    let name = name.map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n));
    let entries = py.detach(|| inspect_file(name, data, policy, now));
    Ok(entries
        .into_iter()
        .map(|entry| Report {
            inside: entry.inside,
            ..Report::of(entry.report)
        })
        .collect())
}

/// Every invitation attached to one e-mail message (RFC 5322 bytes), judged: one report per
/// invitation found, with `message_id` and `attachment`; none for a message without. Raises
/// `MailError` when the bytes are not a message rainv can read.
#[pyfunction]
#[pyo3(signature = (data, policy=None, now=None, password=None))]
fn scan_mail(
    py: Python<'_>,
    data: &[u8],
    policy: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    password: Option<&str>,
) -> PyResult<Vec<Report>> {
    let chosen = policy_of(policy, password)?;
    let policy = chosen.get();
    let now = instant(now)?;
    let reports = py.detach(|| scan_message(data, policy, now)).map_err(|e| {
        with_attributes(
            py,
            MailError::new_err(e.to_string()),
            e.code().as_str(),
            e.hint(),
        )
    })?;
    Ok(reports
        .into_iter()
        .map(|a| Report {
            report: a.report,
            inside: a.inside,
            message_id: Some(a.message_id),
            attachment: Some(a.attachment),
        })
        .collect())
}

/// `rainv open --json`'s line for the invitation in `data`, named `file`: the verdict, the
/// findings and what it holds (the decrypted ticket when `password` decrypts it). Raises
/// `FormatError` when the bytes are not an invitation, `WrongPasswordError` when the password
/// is wrong.
#[pyfunction]
#[pyo3(signature = (data, password=None, policy=None, now=None, file=""))]
fn open_json(
    py: Python<'_>,
    data: &[u8],
    password: Option<&str>,
    policy: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    file: &str,
) -> PyResult<String> {
    let chosen = policy_of(policy, None)?;
    let policy = chosen.get();
    let now = instant(now)?;
    let password = password.map(Password::new);
    let opened = py
        .detach(|| Opened::open(data, policy, password.as_ref(), now))
        .map_err(|unopened| error_to_py(py, &unopened.error))?;
    if let Some(e) = &opened.decrypt_error {
        return Err(error_to_py(py, e));
    }
    Ok(serde_json::to_string(&opened.line(file)).unwrap_or_default())
}

/// The PASS value an expert who knows `password` sends for `pass_stub` (hex).
#[pyfunction]
fn pass_stub_encrypt(password: &str, pass_stub: &str) -> String {
    rainv::pass_stub::encrypt(&Password::new(password), pass_stub)
}

/// Whether `pass_hex` is the PASS value for `pass_stub` and `password`. Raises `FormatError`
/// when it is not hex.
#[pyfunction]
fn pass_stub_verify(
    py: Python<'_>,
    password: &str,
    pass_stub: &str,
    pass_hex: &str,
) -> PyResult<bool> {
    rainv::pass_stub::verify(&Password::new(password), pass_stub, pass_hex)
        .map_err(|e| error_to_py(py, &e))
}

#[pymodule]
fn _rainv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("JSON_VERSION", rainv_gateway::JSON_VERSION)?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("LimitError", py.get_type::<LimitError>())?;
    m.add("WrongPasswordError", py.get_type::<WrongPasswordError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("MailError", py.get_type::<MailError>())?;
    m.add_class::<Policy>()?;
    m.add_class::<Invitation>()?;
    m.add_class::<RcTicket>()?;
    m.add_class::<Address>()?;
    m.add_class::<Ticket>()?;
    m.add_class::<Listener>()?;
    m.add_class::<Report>()?;
    m.add_class::<Finding>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(validate_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(scan_mail, m)?)?;
    m.add_function(wrap_pyfunction!(open_json, m)?)?;
    m.add_function(wrap_pyfunction!(pass_stub_encrypt, m)?)?;
    m.add_function(wrap_pyfunction!(pass_stub_verify, m)?)?;
    Ok(())
}
