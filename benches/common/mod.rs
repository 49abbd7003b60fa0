//! The benchmark inputs shared by `benches/rainv.rs` (criterion) and `benches/budgets.rs`.
//!
//! The files are the Windows XP, 7 and 10 invitations of `../shared/interop` when that
//! directory exists; on a fresh clone without it (or with `RAINV_BENCH_GENERATED=1`), files of
//! the same shapes and sizes are generated here with the library, so the numbers compare.

// Each benchmark uses part of this.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rainv::{
    Attribute, ConnectionString1, ConnectionString2, HashAlgorithm, Invitation, Kh2, Layout,
    LhTicket, Listener, Password, Transport, Validity,
};

/// One benchmark input: the file's bytes, its password, and how Windows lays it out.
pub struct Sample {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub password: Password,
    pub layout: Layout,
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
    Listener::new(address, port).expect("a valid listener")
}

/// A Vista-or-later invitation around `connection`, as msra.exe writes it.
fn vista_invitation(
    connection: &ConnectionString2,
    rc_ticket: Option<ConnectionString1>,
    password: &Password,
    layout: Layout,
) -> Vec<u8> {
    let mut invitation = Invitation::new("helpdesk", Validity::new(1_700_000_000, 360));
    invitation.rc_ticket = rc_ticket;
    invitation.lh_ticket = Some(LhTicket::encrypt(&connection.to_text(), password));
    invitation.set_pass_stub(Some("WB^6HsrIaFmEpi"));
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
    let transport = Transport::new(
        1,
        0,
        vec![
            listener("fe80::b31a:3308:6b91:8831%3", 64730),
            listener("fe80::28e3:b9b:c19c:4d04%9", 64731),
            listener("2001:0:284a:364:28e3:b9b:c19c:4d04", 64732),
            listener("10.0.1.174", 64733),
        ],
    );
    let connection = ConnectionString2::new(b64(48, 13), vec![transport])
        .and_then(|c| c.with_kh(b64(20, 11)))
        .and_then(|c| c.with_kh2(Kh2::new(HashAlgorithm::Sha256, b64(32, 12))?))
        .and_then(|c| c.with_extra(vec![Attribute::new("CE", certificate)]))
        .expect("a valid ticket");
    vista_invitation(&connection, None, password, Layout::Windows10)
}

/// Windows 7 shape: KH and ID, four listeners, and an RCTICKET for XP experts.
fn generated_windows7(password: &Password) -> Vec<u8> {
    let kh = b64(20, 21);
    let id = b64(48, 22);
    let transport = Transport::new(
        1,
        0,
        vec![
            listener("fe80::1032:53d9:5a01:909b%3", 49228),
            listener("fe80::3d8f:9b2d:6b4e:6aa%6", 49229),
            listener("192.168.1.200", 49230),
            listener("169.254.6.170", 49231),
        ],
    );
    let connection = ConnectionString2::new(id.as_str(), vec![transport])
        .and_then(|c| c.with_kh(kh.as_str()))
        .expect("a valid ticket");
    let rc = ConnectionString1::parse(
        &format!("65538,1,192.168.1.200:49230;169.254.6.170:49231,*,{id},*,*,{kh}"),
        64,
    )
    .expect("a valid RCTICKET");
    vista_invitation(&connection, Some(rc), password, Layout::Windows7)
}

/// The XP, Windows 7 and Windows 10 samples, in that order.
pub fn samples() -> Vec<Sample> {
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

pub fn invitation(sample: &Sample) -> Invitation {
    Invitation::from_bytes(&sample.bytes).expect("the sample reads")
}
