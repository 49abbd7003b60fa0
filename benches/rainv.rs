//! Benchmarks on realistic invitations: reading, decrypting, the PassStub blob, validation and
//! writing.
//!
//! Run with `cargo bench --bench rainv` (add `-- read/` etc. to filter). The inputs
//! (`common/mod.rs`) are the Windows XP, 7 and 10 invitations of `../shared/interop` when that
//! directory exists; on a fresh clone without it (or with `RAINV_BENCH_GENERATED=1`), files of
//! the same shapes and sizes are generated with the library, so the numbers compare: the
//! Windows 10 one has KH, KH2, a certificate attribute (CE, 992 characters of base64 with
//! `&#xA;` every 64 characters, as in the real file), four listeners and a 12-character
//! password: a 6 KB file whose ticket is 2.9 KB of UTF-16.
//!
//! The budgets (docs/performance.md) have their own harness: `cargo bench --bench budgets`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Sample, invitation, samples};
use criterion::{Criterion, criterion_group, criterion_main};
use rainv::{Document, Invitation, Layout, LhTicket, Limits, TicketKey, pass_stub, read};
use rainv_gateway::{Policy, validate};

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
                let blob = pass_stub::encrypt(&s.password, inv.pass_stub().unwrap());
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
    }
    group.finish();
}

fn bench_crypto(c: &mut Criterion, samples: &[Sample]) {
    let s = &samples[2];
    let stub = invitation(s).pass_stub().unwrap().to_string();
    let mut group = c.benchmark_group("crypto");
    group.bench_function("TicketKey::derive", |b| {
        b.iter(|| TicketKey::derive(black_box(&s.password)))
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
            let mut with_password = Policy::default();
            with_password.password = Some(s.password.clone());
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
