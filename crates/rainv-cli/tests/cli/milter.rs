//! `rainv milter` inside a real Postfix: a private instance (its own configuration, queue and
//! data directories under a temporary folder, listening on 127.0.0.1 at a free port) hands
//! every message to the milter and delivers what it accepts to a folder these tests read.
//! Mail goes in over SMTP. The machine's own Postfix configuration is never read or touched.
//!
//! These need Postfix's programs and root (`.ci/run` installs Postfix, without configuring or
//! starting the system's own); elsewhere they are reported as ignored, with the reason.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::common;

const POSTFIX: &str = "/usr/sbin/postfix";
/// The corpus password: the milter decrypts tickets with it, and the genuine invitations
/// made here use it.
const PASSWORD: &str = "HOSTILE12345";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn hostile(name: &str) -> Vec<u8> {
    fs::read(common::root().join("testdata/hostile").join(name)).unwrap()
}

/// A private Postfix instance. Stopped when dropped.
struct Postfix {
    dir: TempDir,
    smtp_port: u16,
}

impl Postfix {
    fn config(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn maillog(&self) -> String {
        fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }

    fn start(milter_port: u16) -> Postfix {
        let dir = tempfile::Builder::new()
            .prefix("rainv-postfix-")
            .tempdir()
            .unwrap();
        let base = dir.path();
        // Postfix's daemons (user postfix) and the delivery agent (user nobody) must reach
        // the folders below.
        set_mode(base, 0o755);
        for sub in ["etc", "spool", "data", "out"] {
            fs::create_dir(base.join(sub)).unwrap();
            set_mode(&base.join(sub), 0o755);
        }
        set_mode(&base.join("out"), 0o777);
        let chown = Command::new("chown")
            .arg("postfix")
            .arg(base.join("data"))
            .status()
            .unwrap();
        assert!(chown.success());
        let deliver = base.join("deliver.sh");
        fs::write(
            &deliver,
            "#!/bin/sh\n# Deliver the message on standard input to the folder $1 as $2.eml.\n\
             cat > \"$1/.$2.tmp\" && mv \"$1/.$2.tmp\" \"$1/$2.eml\"\n",
        )
        .unwrap();
        set_mode(&deliver, 0o755);
        let smtp_port = free_port();
        let b = base.display();
        fs::write(
            base.join("etc/main.cf"),
            format!(
                "compatibility_level = 3.6\n\
                 queue_directory = {b}/spool\n\
                 data_directory = {b}/data\n\
                 meta_directory = {b}/etc\n\
                 command_directory = /usr/sbin\n\
                 daemon_directory = /usr/lib/postfix/sbin\n\
                 shlib_directory = /usr/lib/postfix\n\
                 mail_owner = postfix\n\
                 setgid_group = postdrop\n\
                 myhostname = rainv-test.localdomain\n\
                 mydestination =\n\
                 inet_interfaces = loopback-only\n\
                 inet_protocols = ipv4\n\
                 mynetworks = 127.0.0.0/8\n\
                 smtpd_recipient_restrictions = permit_mynetworks, reject\n\
                 default_transport = rainvdeliver\n\
                 local_transport = rainvdeliver\n\
                 relay_transport = rainvdeliver\n\
                 rainvdeliver_destination_recipient_limit = 1\n\
                 smtpd_milters = inet:127.0.0.1:{milter_port}\n\
                 non_smtpd_milters = inet:127.0.0.1:{milter_port}\n\
                 milter_protocol = 6\n\
                 milter_default_action = tempfail\n\
                 maillog_file = {b}/maillog\n\
                 maillog_file_prefixes = {b}\n\
                 alias_maps =\n\
                 alias_database =\n\
                 biff = no\n\
                 smtputf8_enable = no\n\
                 smtpd_client_connection_count_limit = 0\n\
                 smtpd_client_connection_rate_limit = 0\n\
                 default_process_limit = 50\n"
            ),
        )
        .unwrap();
        fs::write(
            base.join("etc/master.cf"),
            format!(
                "127.0.0.1:{smtp_port} inet n - n - - smtpd\n\
                 pickup unix n - n 60 1 pickup\n\
                 cleanup unix n - n - 0 cleanup\n\
                 qmgr unix n - n 300 1 qmgr\n\
                 rewrite unix - - n - - trivial-rewrite\n\
                 bounce unix - - n - 0 bounce\n\
                 defer unix - - n - 0 bounce\n\
                 trace unix - - n - 0 bounce\n\
                 verify unix - - n - 1 verify\n\
                 flush unix n - n 1000? 0 flush\n\
                 proxymap unix - - n - - proxymap\n\
                 showq unix n - n - - showq\n\
                 error unix - - n - - error\n\
                 retry unix - - n - - error\n\
                 discard unix - - n - - discard\n\
                 anvil unix - - n - 1 anvil\n\
                 scache unix - - n - 1 scache\n\
                 postlog unix-dgram n - n - 1 postlogd\n\
                 rainvdeliver unix - n n - - pipe flags=q user=nobody \
                 argv={deliver} {b}/out ${{queue_id}}\n",
                deliver = deliver.display()
            ),
        )
        .unwrap();
        for file in ["dynamicmaps.cf", "postfix-files"] {
            let _ = fs::copy(
                Path::new("/etc/postfix").join(file),
                base.join("etc").join(file),
            );
        }
        let postfix = Postfix { dir, smtp_port };
        let started = Command::new(POSTFIX)
            .arg("-c")
            .arg(postfix.config())
            .arg("start")
            .output()
            .unwrap();
        assert!(
            started.status.success(),
            "postfix start failed: {started:?}\n{}",
            postfix.maillog()
        );
        wait_for(Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", postfix.smtp_port)).ok()
        })
        .unwrap_or_else(|| panic!("Postfix did not listen:\n{}", postfix.maillog()));
        postfix
    }

    /// The messages delivered so far, by queue ID.
    fn delivered(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = fs::read_dir(self.out())
            .unwrap()
            .filter_map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name()?.to_str()?.to_string();
                let id = name.strip_suffix(".eml")?.to_string();
                Some((id, fs::read_to_string(&path).ok()?))
            })
            .collect();
        out.sort();
        out
    }

    /// Wait until `count` messages are delivered, and return them.
    fn wait_delivered(&self, count: usize) -> Vec<(String, String)> {
        wait_for(Duration::from_secs(120), || {
            let delivered = self.delivered();
            (delivered.len() >= count).then_some(delivered)
        })
        .unwrap_or_else(|| {
            panic!(
                "{} of {count} messages delivered:\n{}",
                self.delivered().len(),
                self.maillog()
            )
        })
    }

    /// The messages in Postfix's hold queue.
    fn held(&self) -> usize {
        walk_count(&self.dir.path().join("spool/hold"))
    }
}

fn walk_count(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                if e.path().is_dir() {
                    walk_count(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.config())
            .arg("stop")
            .output();
        // The master may take a moment to go; the folder must outlive it.
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn wait_for<T>(limit: Duration, mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + limit;
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `rainv milter`, running. Stopped (SIGTERM) when dropped.
struct Milter {
    child: Child,
    log: PathBuf,
    policy: PathBuf,
    _dir: TempDir,
}

impl Milter {
    fn start(port: u16, extra: &[&str]) -> Milter {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw.txt");
        fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
        let policy = dir.path().join("policy.toml");
        fs::write(
            &policy,
            "allowed_networks = [\"192.0.2.0/24\"]\nallowed_hosts = [\"DEMO-PC\"]\n\
             [milter]\nmessage_timeout_seconds = 20\n",
        )
        .unwrap();
        let log = dir.path().join("milter.log");
        let child = Command::new(assert_cmd::cargo::cargo_bin("rainv"))
            .args(["milter", "--listen", &format!("inet:127.0.0.1:{port}")])
            .arg("--policy")
            .arg(&policy)
            .arg("--password-file")
            .arg(&pw)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let milter = Milter {
            child,
            log,
            policy,
            _dir: dir,
        };
        wait_for(Duration::from_secs(20), || {
            milter.log().contains("listening on").then_some(())
        })
        .unwrap_or_else(|| panic!("the milter did not start:\n{}", milter.log()));
        milter
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The milter's peak resident memory (VmHWM), in KiB.
    fn peak_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap()
    }

    /// Send `SIGHUP`, and wait for the milter to say it read its policy again.
    fn reload(&self) {
        let before = self.log().matches("policy reloaded").count();
        let _ = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status();
        wait_for(Duration::from_secs(20), || {
            (self.log().matches("policy reloaded").count() > before).then_some(())
        })
        .unwrap_or_else(|| panic!("no reload:\n{}", self.log()));
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "the milter exited with {status}:\n{}",
            self.log()
        );
        self.log()
    }
}

impl Drop for Milter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SMTP session.
struct Smtp {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Smtp {
    fn connect(port: u16) -> Smtp {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut smtp = Smtp {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        let banner = smtp.reply();
        assert!(banner.starts_with("220"), "{banner}");
        let ehlo = smtp.command("EHLO client.example");
        assert!(ehlo.starts_with("250"), "{ehlo}");
        smtp
    }

    /// One reply, all its lines.
    fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    fn command(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }

    /// Send one message; the reply to its data (or the first refusal before it).
    fn send(&mut self, message: &[u8]) -> String {
        for line in [
            "RSET",
            "MAIL FROM:<sender@example.net>",
            "RCPT TO:<helpdesk@example.com>",
        ] {
            let reply = self.command(line);
            if !reply.starts_with("250") {
                return reply;
            }
        }
        let reply = self.command("DATA");
        if !reply.starts_with("354") {
            return reply;
        }
        let mut data = Vec::with_capacity(message.len() + 8);
        for line in message.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b".") {
                data.push(b'.');
            }
            data.extend_from_slice(line);
        }
        if !data.ends_with(b"\r\n") {
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b".\r\n");
        self.writer.write_all(&data).unwrap();
        self.reply()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.writer.write_all(b"QUIT\r\n");
        let mut rest = String::new();
        let _ = self.reader.read_to_string(&mut rest);
    }
}

/// A message with a text part and, when given, one attachment.
fn message(id: &str, attachment: Option<(&str, &[u8])>, extra_headers: &str) -> Vec<u8> {
    let mut text = format!(
        "From: sender@example.net\r\nTo: helpdesk@example.com\r\nSubject: help {id}\r\n\
         Date: Mon, 30 Nov 2026 12:00:00 +0000\r\n\
         Message-ID: <{id}@test.example>\r\n{extra_headers}MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nPlease help me.\r\n"
    );
    if let Some((name, bytes)) = attachment {
        text.push_str(&format!(
            "--b\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            super::gateway::b64(bytes)
        ));
    }
    text.push_str("--b--\r\n");
    text.into_bytes()
}

/// A fresh invitation, valid now, for the address given, with the corpus password.
fn invitation(address: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw.txt");
    fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let out = dir.path().join("RAInvitation.msrcincident");
    let created = Command::new(assert_cmd::cargo::cargo_bin("rainv"))
        .args(["create", "--user", "alice", "--address", address])
        .args(["--kh", "fmr5mnrUhbpLOZYnpjxHqiXUSqA="])
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    fs::read(&out).unwrap()
}

fn header_values(delivered: &str, name: &str) -> Vec<String> {
    let head = delivered.split("\n\n").next().unwrap();
    head.lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
        .collect()
}

fn find<'a>(delivered: &'a [(String, String)], id: &str) -> &'a str {
    delivered
        .iter()
        .map(|(_, m)| m.as_str())
        .find(|m| m.contains(&format!("<{id}@test.example>")))
        .unwrap_or_else(|| {
            let subjects: Vec<Vec<String>> = delivered
                .iter()
                .map(|(_, m)| header_values(m, "Subject"))
                .collect();
            panic!("{id} was not delivered; delivered: {subjects:?}")
        })
}

#[test]
#[cfg_attr(
    not(rainv_postfix),
    ignore = "needs Postfix (/usr/sbin/postfix) and root: .ci/run installs Postfix"
)]
fn milter_in_a_real_postfix_acts_on_every_verdict() {
    let milter_port = free_port();
    let postfix = Postfix::start(milter_port);
    let genuine = invitation("192.0.2.10:3389");
    let elsewhere = invitation("203.0.113.66:3389");
    let xxe = hostile("xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident");
    let expired = hostile("validity.expired--expires-exactly-now.msrcincident");

    // -- The default action: reject --
    let milter = Milter::start(milter_port, &[]);
    let mut smtp = Smtp::connect(postfix.smtp_port);
    let clean = message("clean", None, "");
    assert!(smtp.send(&clean).starts_with("250"));
    let forged = message(
        "forged",
        None,
        "X-Rainv-Verdict: accept; forged.msrcincident; -\r\n",
    );
    assert!(smtp.send(&forged).starts_with("250"));
    let good = message("good", Some(("RAInvitation.msrcincident", &genuine)), "");
    let reply = smtp.send(&good);
    assert!(reply.starts_with("250"), "{reply}\n{}", milter.log());
    let forged_good = message(
        "forged-good",
        Some(("RAInvitation.msrcincident", &genuine)),
        "X-Rainv-Verdict: accept; other.msrcincident; -\r\nx-rainv-verdict: accept\r\n",
    );
    assert!(smtp.send(&forged_good).starts_with("250"));
    for (id, name, bytes, code) in [
        ("xxe", "invite.msrcincident", &xxe, "xml.doctype"),
        ("expired", "old.msrcincident", &expired, "validity.expired"),
        (
            "elsewhere",
            "help.msrcincident",
            &elsewhere,
            "address.not-allowed",
        ),
    ] {
        let reply = smtp.send(&message(id, Some((name, bytes)), ""));
        assert!(reply.starts_with("550 5.7.1"), "{id}: {reply}");
        assert!(
            reply.contains(name) && reply.contains(code),
            "{id}: {reply}"
        );
    }
    // Zipped, and forwarded as a message/rfc822 part.
    let zipped = hostile("xml.doctype--mail-zip-attachment.eml");
    let reply = smtp.send(&zipped);
    assert!(reply.starts_with("550 5.7.1"), "{reply}");
    assert!(
        reply.contains("invite.zip > docs/RAInvitation.msrcincident: xml.doctype"),
        "{reply}"
    );
    let inner = message("inner", Some(("invite.msrcincident", &xxe)), "");
    let mut outer = b"From: relay@example.net\r\nTo: helpdesk@example.com\r\nSubject: Fwd\r\n\
                      Message-ID: <fwd@test.example>\r\nMIME-Version: 1.0\r\n\
                      Content-Type: multipart/mixed; boundary=\"f\"\r\n\r\n--f\r\n\
                      Content-Type: message/rfc822\r\n\r\n"
        .to_vec();
    outer.extend_from_slice(&inner);
    outer.extend_from_slice(b"\r\n--f--\r\n");
    let reply = smtp.send(&outer);
    assert!(reply.starts_with("550 5.7.1"), "{reply}");
    assert!(reply.contains("xml.doctype"), "{reply}");
    drop(smtp);

    // SIGHUP reads the policy again: a policy with a mistake is refused and the old one kept,
    // then one that only tags hostile mail takes over.
    let policy = fs::read_to_string(&milter.policy).unwrap();
    fs::write(&milter.policy, format!("{policy}\nno_such_key = 1\n")).unwrap();
    let _ = Command::new("kill")
        .args(["-HUP", &milter.child.id().to_string()])
        .status();
    wait_for(Duration::from_secs(20), || {
        milter.log().contains("policy not reloaded").then_some(())
    })
    .unwrap_or_else(|| panic!("{}", milter.log()));
    let mut smtp = Smtp::connect(postfix.smtp_port);
    let reply = smtp.send(&message(
        "still-refused",
        Some(("invite.msrcincident", &xxe)),
        "",
    ));
    assert!(
        reply.starts_with("550 5.7.1"),
        "the old policy stays: {reply}"
    );
    fs::write(
        &milter.policy,
        policy.replace("[milter]\n", "[milter]\naction = \"tag\"\n"),
    )
    .unwrap();
    milter.reload();
    let reply = smtp.send(&message(
        "reloaded",
        Some(("invite.msrcincident", &xxe)),
        "",
    ));
    assert!(reply.starts_with("250"), "{reply}\n{}", milter.log());
    drop(smtp);

    let delivered = postfix.wait_delivered(4);
    assert_eq!(
        delivered.len(),
        4,
        "only the clean and genuine mail arrives"
    );
    let arrived = find(&delivered, "clean");
    assert!(header_values(arrived, "X-Rainv-Verdict").is_empty());
    // Unchanged: every header and the body as sent, after Postfix's own Received line.
    let sent = String::from_utf8(clean).unwrap().replace("\r\n", "\n");
    assert!(arrived.ends_with(&sent), "{arrived}");
    assert!(header_values(find(&delivered, "forged"), "X-Rainv-Verdict").is_empty());
    assert_eq!(
        header_values(find(&delivered, "good"), "X-Rainv-Verdict"),
        ["accept; RAInvitation.msrcincident; -"]
    );
    assert_eq!(
        header_values(find(&delivered, "forged-good"), "X-Rainv-Verdict"),
        ["accept; RAInvitation.msrcincident; -"],
        "a forged verdict does not survive"
    );
    let log = milter.stop();
    assert_eq!(log.matches("rainv-milter: queue_id=").count(), 11, "{log}");
    assert!(log.contains("verdict=reject action=reject"), "{log}");
    assert!(log.contains("from=<sender@example.net>"), "{log}");

    // -- quarantine, tag, accept --
    for (action, id) in [
        ("quarantine", "quarantined"),
        ("tag", "tagged"),
        ("accept", "let-through"),
    ] {
        let milter = Milter::start(milter_port, &["--action", action]);
        let mut smtp = Smtp::connect(postfix.smtp_port);
        let reply = smtp.send(&message(id, Some(("invite.msrcincident", &xxe)), ""));
        assert!(
            reply.starts_with("250"),
            "{action}: {reply}\n{}",
            milter.log()
        );
        drop(smtp);
        let log = milter.stop();
        assert!(
            log.contains(&format!(
                "verdict=reject action={}",
                match action {
                    "quarantine" => "quarantine",
                    _ => "deliver",
                }
            )),
            "{log}"
        );
    }
    let held = wait_for(Duration::from_secs(20), || {
        (postfix.held() == 1).then_some(())
    });
    assert!(held.is_some(), "one message held:\n{}", postfix.maillog());
    let delivered = postfix.wait_delivered(7);
    assert_eq!(
        delivered.len(),
        7,
        "the tagged and the accepted one arrive, not the held one"
    );
    assert_eq!(
        header_values(find(&delivered, "tagged"), "X-Rainv-Verdict"),
        ["reject; invite.msrcincident; xml.doctype"]
    );
    assert!(header_values(find(&delivered, "let-through"), "X-Rainv-Verdict").is_empty());
    assert!(
        postfix.maillog().contains("milter triggers HOLD action"),
        "{}",
        postfix.maillog()
    );

    // -- With the milter stopped, Postfix does what milter_default_action says: tempfail --
    let mut smtp = Smtp::connect(postfix.smtp_port);
    let reply = smtp.send(&message("no-milter", None, ""));
    assert!(reply.starts_with('4'), "{reply}");
}

#[test]
#[cfg_attr(
    not(rainv_postfix),
    ignore = "needs Postfix (/usr/sbin/postfix) and root: .ci/run installs Postfix"
)]
fn milter_under_load_accounts_for_every_message() {
    const SESSIONS: usize = 20;
    const PER_SESSION: usize = 50;
    let milter_port = free_port();
    let postfix = Postfix::start(milter_port);
    let milter = Milter::start(milter_port, &[]);
    let genuine = invitation("192.0.2.10:3389");
    let xxe = hostile("xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident");
    let zipped = hostile("xml.doctype--zip-xxe-in-a-folder.zip");
    let started = Instant::now();
    let results: Vec<(String, bool, String)> = std::thread::scope(|scope| {
        let sessions: Vec<_> = (0..SESSIONS)
            .map(|session| {
                let (genuine, xxe, zipped) = (&genuine, &xxe, &zipped);
                scope.spawn(move || {
                    let mut smtp = Smtp::connect(postfix.smtp_port);
                    (0..PER_SESSION)
                        .map(|n| {
                            let id = format!("load-{session}-{n}");
                            let (attachment, hostile): (Option<(&str, &[u8])>, bool) = match n % 4 {
                                0 => (None, false),
                                1 => (Some(("RAInvitation.msrcincident", genuine)), false),
                                2 => (Some(("invite.msrcincident", xxe)), true),
                                _ => (Some(("invite.zip", zipped)), true),
                            };
                            let reply = smtp.send(&message(&id, attachment, ""));
                            (id, hostile, reply)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        sessions
            .into_iter()
            .flat_map(|s| s.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    assert_eq!(results.len(), SESSIONS * PER_SESSION);
    let mut accepted = BTreeSet::new();
    for (id, hostile, reply) in &results {
        if *hostile {
            assert!(reply.starts_with("550 5.7.1"), "{id}: {reply}");
        } else {
            assert!(reply.starts_with("250"), "{id}: {reply}");
            accepted.insert(format!("<{id}@test.example>"));
        }
    }
    let delivered = postfix.wait_delivered(accepted.len());
    let ids: Vec<String> = delivered
        .iter()
        .flat_map(|(_, m)| header_values(m, "Message-ID"))
        .collect();
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), unique.len(), "a message was delivered twice");
    assert_eq!(
        unique, accepted,
        "every accepted message, and only those, delivered"
    );
    let peak = milter.peak_kib();
    let log = milter.stop();
    let mut millis: Vec<u64> = log
        .lines()
        .filter_map(|l| l.split(" ms=").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(
        millis.len(),
        SESSIONS * PER_SESSION,
        "one log line per message"
    );
    millis.sort_unstable();
    let median = millis[millis.len() / 2];
    let p99 = millis[millis.len() * 99 / 100];
    eprintln!(
        "milter load: {} messages over {SESSIONS} SMTP sessions in {:.1} s ({} refused); \
         milter time per message: median {median} ms, p99 {p99} ms; milter peak memory {} MB",
        results.len(),
        elapsed.as_secs_f64(),
        results.len() - accepted.len(),
        peak / 1000
    );
}

#[test]
#[cfg_attr(
    not(rainv_postfix),
    ignore = "needs Postfix (/usr/sbin/postfix) and root: .ci/run installs Postfix"
)]
fn hostile_mail_neither_crashes_nor_stalls_the_milter() {
    let milter_port = free_port();
    let postfix = Postfix::start(milter_port);
    let milter = Milter::start(milter_port, &["--max-message-bytes", "2000000"]);
    let mut smtp = Smtp::connect(postfix.smtp_port);
    // Every message of the hostile corpus is refused.
    let mut sent = 0;
    for (name, _) in common::hostile_corpus() {
        if !name.ends_with(".eml") {
            continue;
        }
        let reply = smtp.send(&hostile(&name));
        assert!(
            reply.starts_with("550 5.7.1"),
            "{name}: {reply}\n{}",
            milter.log()
        );
        sent += 1;
    }
    // A message of nothing but MIME part boundaries, past what the mail parser is given.
    let mut parts = b"From: a@example.net\r\nTo: b@example.com\r\nSubject: parts\r\n\
                      Date: Mon, 30 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n\
                      Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        .to_vec();
    for _ in 0..120_000 {
        parts.extend_from_slice(b"--b\r\n\r\n");
    }
    parts.extend_from_slice(b"--b--\r\n");
    let reply = smtp.send(&parts);
    assert!(reply.starts_with("550 5.7.1"), "{reply}");
    // Messages forwarded inside one another thousands of levels deep.
    let mut deep = message("deepest", None, "");
    for level in 0..2000 {
        let mut outer = format!(
            "From: r{level}@example.net\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n\
             Content-Type: message/rfc822\r\n\r\n"
        )
        .into_bytes();
        outer.extend_from_slice(&deep);
        deep = outer;
    }
    let reply = smtp.send(&deep);
    assert!(reply.starts_with("550 5.7.1"), "{reply}");
    assert!(reply.contains("mail.too-deep"), "{reply}");
    // Larger than the milter buffers: not inspected, the sender asked to try later.
    let mut big = message("big", None, "");
    big.extend(
        std::iter::repeat_n(b'x', 76)
            .chain(*b"\r\n")
            .cycle()
            .take(2_500_000),
    );
    let reply = smtp.send(&big);
    assert!(reply.starts_with("452 4.3.4"), "{reply}");
    // And the milter still judges mail.
    let reply = smtp.send(&message("after", None, ""));
    assert!(reply.starts_with("250"), "{reply}");
    drop(smtp);
    postfix.wait_delivered(1);
    let log = milter.stop();
    assert_eq!(
        log.matches("rainv-milter: queue_id=").count(),
        sent + 4,
        "one line per message:\n{log}"
    );
}
