//! Benchmarks on realistic invitations: reading, decrypting, the PassStub blob, validation and
//! writing.
//!
//! Run with `cargo bench --bench rainv` (add `-- read/` etc. to filter). The files are the
//! Windows XP, 7 and 10 invitations of `../shared/interop` when that directory exists; on a
//! fresh clone without it (or with `RAINV_BENCH_GENERATED=1`), files of the same shapes and sizes
//! are generated here with the library, so the numbers compare: the Windows 10 one has KH, KH2,
//! a certificate attribute (CE, 992 characters of base64 with `&#xA;` every 64 characters, as in
//! the real file), four listeners and a 12-character password: a 6 KB file whose ticket is
//! 2.9 KB of UTF-16.
//!
//! The budgets (docs/performance.md): opening a Windows 10 file (read + decrypt + PassStub
//! blob) at most 5 µs, reading without decrypting at most 2 µs.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rainv::connection_string2::ExtraAttribute;
use rainv::validate::{Policy, validate};
use rainv::{
    ConnectionString1, ConnectionString2, Document, HashAlgorithm, Invitation, Kh2, Layout,
    LhTicket, Limits, Listener, Password, TicketKey, Transport, Validity, crypto, pass_stub, read,
};

/// One benchmark input: the file's bytes, its password, and how Windows lays it out.
struct Sample {
    name: &'static str,
    bytes: Vec<u8>,
    password: Password,
    layout: Layout,
    /// Where the bytes came from, printed once so a reader knows which numbers these are.
    origin: String,
}

fn shared_interop() -> Option<PathBuf> {
    if std::env::var_os("RAINV_BENCH_GENERATED").is_some() {
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/interop");
    dir.is_dir().then_some(dir)
}

/// A real Windows file from ../shared/interop, or `None` when there is no ../shared.
fn from_shared(name: &str) -> Option<(Vec<u8>, Password)> {
    let dir = shared_interop()?;
    let bytes = std::fs::read(dir.join(format!("{name}.msrcincident"))).ok()?;
    let password = std::fs::read_to_string(dir.join(format!("{name}.password"))).ok()?;
    Some((
        bytes,
        Password::new(password.trim_end_matches(['\r', '\n'])),
    ))
}

/// Deterministic filler bytes (xorshift), so generated files are the same on every run.
fn filler(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

fn b64(len: usize, seed: u64) -> String {
    BASE64.encode(filler(len, seed))
}

fn listener(address: &str, port: u16) -> Listener {
    Listener {
        address: address.into(),
        port: Some(port),
        uri: None,
    }
}

/// A Vista-or-later invitation around `connection`, as msra.exe writes it.
fn vista_invitation(
    connection: &ConnectionString2,
    rc_ticket: Option<ConnectionString1>,
    password: &Password,
    layout: Layout,
) -> Vec<u8> {
    let invitation = Invitation {
        username: "helpdesk".into(),
        rc_ticket,
        lh_ticket: Some(LhTicket::encrypt(&connection.to_text(), password)),
        rc_ticket_encrypted: true,
        validity: Validity::new(1_700_000_000, 360),
        pass_stub: Some("WB^6HsrIaFmEpi".into()),
        low_speed: false,
        unknown_attributes: Vec::new(),
    };
    invitation.to_bytes(layout).expect("a Vista invitation")
}

/// Windows 10 shape: KH, KH2, a CE certificate attribute (744 bytes: 992 characters of base64
/// broken every 64 characters, written as `&#xA;`), ID, and four listeners; 2.9 KB of ticket.
fn generated_windows10(password: &Password) -> Vec<u8> {
    let certificate = b64(744, 10)
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let connection = ConnectionString2 {
        kh: Some(b64(20, 11)),
        kh2: Some(Kh2 {
            algorithm: HashAlgorithm::Sha256,
            hash: b64(32, 12),
        }),
        id: b64(48, 13),
        extra: vec![ExtraAttribute {
            name: "CE".into(),
            value: certificate,
        }],
        transports: vec![Transport {
            id: 1,
            session_id: 0,
            listeners: vec![
                listener("fe80::b31a:3308:6b91:8831%3", 64730),
                listener("fe80::28e3:b9b:c19c:4d04%9", 64731),
                listener("2001:0:284a:364:28e3:b9b:c19c:4d04", 64732),
                listener("10.0.1.174", 64733),
            ],
        }],
    };
    vista_invitation(&connection, None, password, Layout::Windows10)
}

/// Windows 7 shape: KH and ID, four listeners, and an RCTICKET for XP experts.
fn generated_windows7(password: &Password) -> Vec<u8> {
    let kh = b64(20, 21);
    let id = b64(48, 22);
    let connection = ConnectionString2 {
        kh: Some(kh.clone()),
        kh2: None,
        id: id.clone(),
        extra: Vec::new(),
        transports: vec![Transport {
            id: 1,
            session_id: 0,
            listeners: vec![
                listener("fe80::1032:53d9:5a01:909b%3", 49228),
                listener("fe80::3d8f:9b2d:6b4e:6aa%6", 49229),
                listener("192.168.1.200", 49230),
                listener("169.254.6.170", 49231),
            ],
        }],
    };
    let rc = ConnectionString1::parse(
        &format!("65538,1,192.168.1.200:49230;169.254.6.170:49231,*,{id},*,*,{kh}"),
        64,
    )
    .expect("a valid RCTICKET");
    vista_invitation(&connection, Some(rc), password, Layout::Windows7)
}

fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let mut add = |name,
                   layout,
                   shared: Option<(Vec<u8>, Password)>,
                   fallback: &dyn Fn() -> (Vec<u8>, Password, String)| {
        let (bytes, password, origin) = match shared {
            Some((bytes, password)) => (bytes, password, format!("../shared/interop/{name}")),
            None => fallback(),
        };
        out.push(Sample {
            name,
            bytes,
            password,
            layout,
            origin,
        });
    };
    add("xp", Layout::Xp, from_shared("windows-xp"), &|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/ms-rai-sample-xp.msrcincident");
        let bytes = std::fs::read(&path).expect("testdata/ms-rai-sample-xp.msrcincident");
        (
            bytes,
            Password::new("Password1"),
            "testdata (MS-RAI sample)".into(),
        )
    });
    add("win7", Layout::Windows7, from_shared("windows7"), &|| {
        let password = Password::new("4X638PTVZTKZ");
        (generated_windows7(&password), password, "generated".into())
    });
    add(
        "win10",
        Layout::Windows10,
        from_shared("windows10"),
        &|| {
            let password = Password::new("4X638PTVZTKZ");
            (generated_windows10(&password), password, "generated".into())
        },
    );
    for s in &out {
        eprintln!("sample {}: {} bytes, {}", s.name, s.bytes.len(), s.origin);
    }
    out
}

fn invitation(sample: &Sample) -> Invitation {
    Invitation::from_bytes(&sample.bytes).expect("the sample reads")
}

/// A moment inside the invitation's validity window, so validation runs every check.
fn inside_validity(inv: &Invitation) -> DateTime<Utc> {
    inv.validity
        .valid_from()
        .map_or_else(Utc::now, |t| t + chrono::Duration::seconds(60))
}

fn bench_read(c: &mut Criterion, samples: &[Sample], bare: &[u8]) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("read");
    for s in samples {
        group.bench_function(s.name, |b| {
            b.iter(|| read(black_box(&s.bytes), &limits).unwrap())
        });
    }
    group.bench_function("bare-connection-string", |b| {
        b.iter(|| read(black_box(bare), &limits).unwrap())
    });
    group.bench_function("win10/Invitation::from_bytes", |b| {
        let s = &samples[2];
        b.iter(|| Invitation::from_bytes(black_box(&s.bytes)).unwrap())
    });
    group.finish();
}

fn bench_open(c: &mut Criterion, samples: &[Sample]) {
    // The whole of opening a file with a password: read, derive, decrypt, parse the ticket,
    // and compute the expert's PASS blob.
    let mut group = c.benchmark_group("open");
    for s in samples.iter().filter(|s| s.layout != Layout::Xp) {
        group.bench_function(s.name, |b| {
            b.iter(|| {
                let inv = Invitation::from_bytes(black_box(&s.bytes)).unwrap();
                let ticket = inv.decrypt(&s.password).unwrap().unwrap();
                let blob = crypto::pass_stub_blob(&s.password, inv.pass_stub.as_deref().unwrap());
                (ticket, blob)
            })
        });
    }
    group.finish();
}

fn bench_decrypt(c: &mut Criterion, samples: &[Sample]) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("decrypt");
    for s in samples.iter().filter(|s| s.layout != Layout::Xp) {
        let inv = invitation(s);
        let lh = inv.lh_ticket.clone().unwrap();
        let key = TicketKey::derive(&s.password);
        group.bench_function(format!("{}/password", s.name), |b| {
            b.iter(|| lh.decrypt(black_box(&s.password)).unwrap())
        });
        group.bench_function(format!("{}/key", s.name), |b| {
            b.iter(|| lh.decrypt_with_key(black_box(&key), &limits).unwrap())
        });
        group.bench_function(format!("{}/ciphertext", s.name), |b| {
            b.iter(|| black_box(&lh).ciphertext())
        });
        group.bench_function(format!("{}/aes-only", s.name), |b| {
            let ciphertext = lh.ciphertext();
            b.iter(|| crypto::decrypt_ticket(black_box(&key), &ciphertext).unwrap())
        });
    }
    group.finish();
}

fn bench_crypto(c: &mut Criterion, samples: &[Sample]) {
    let s = &samples[2];
    let stub = invitation(s).pass_stub.unwrap();
    let mut group = c.benchmark_group("crypto");
    group.bench_function("TicketKey::derive", |b| {
        b.iter(|| TicketKey::derive(black_box(&s.password)))
    });
    group.bench_function("pass_stub_blob", |b| {
        b.iter(|| crypto::pass_stub_blob(black_box(&s.password), &stub))
    });
    group.bench_function("pass_stub::encrypt", |b| {
        b.iter(|| pass_stub::encrypt(black_box(&s.password), &stub))
    });
    group.finish();
}

fn bench_validate(c: &mut Criterion, samples: &[Sample], bare: &[u8]) {
    let mut group = c.benchmark_group("validate");
    let default = Policy::default();
    for s in samples {
        let now = inside_validity(&invitation(s));
        group.bench_function(format!("{}/default", s.name), |b| {
            b.iter(|| validate(black_box(&s.bytes), &default, now))
        });
        if s.layout != Layout::Xp {
            let with_password = Policy {
                password: Some(s.password.clone()),
                ..Policy::default()
            };
            group.bench_function(format!("{}/password", s.name), |b| {
                b.iter(|| validate(black_box(&s.bytes), &with_password, now))
            });
        }
    }
    group.bench_function("bare-connection-string/default", |b| {
        b.iter(|| validate(black_box(bare), &default, Utc::now()))
    });
    group.finish();
}

fn bench_write(c: &mut Criterion, samples: &[Sample]) {
    let mut group = c.benchmark_group("write");
    for s in samples {
        let inv = invitation(s);
        group.bench_function(format!("{}/to_bytes", s.name), |b| {
            b.iter(|| black_box(&inv).to_bytes(s.layout).unwrap())
        });
        if let Some(ticket) = inv.decrypt(&s.password).unwrap() {
            let text = ticket.text().to_string();
            let key = TicketKey::derive(&s.password);
            group.bench_function(format!("{}/LhTicket::encrypt", s.name), |b| {
                b.iter(|| LhTicket::encrypt(black_box(&text), &s.password))
            });
            group.bench_function(format!("{}/LhTicket::encrypt_with_key", s.name), |b| {
                b.iter(|| LhTicket::encrypt_with_key(black_box(&text), &key))
            });
            group.bench_function(format!("{}/ConnectionString2::to_text", s.name), |b| {
                b.iter(|| black_box(ticket.connection()).to_text())
            });
        }
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let samples = samples();
    // A bare Connection String 2 (`<E>`) file: the Windows 7 ticket, decrypted.
    let win7 = invitation(&samples[1]);
    let bare = win7
        .decrypt(&samples[1].password)
        .unwrap()
        .unwrap()
        .text()
        .as_bytes()
        .to_vec();
    assert!(matches!(
        read(&bare, &Limits::default()),
        Ok(Document::ConnectionString(_))
    ));
    bench_read(c, &samples, &bare);
    bench_open(c, &samples);
    bench_decrypt(c, &samples);
    bench_crypto(c, &samples);
    bench_validate(c, &samples, &bare);
    bench_write(c, &samples);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! {
    name = rainv_benches;
    config = config();
    targets = benches
}
criterion_main!(rainv_benches);
