//! `mail::scan_message` on arbitrary bytes, as a mail gateway meets them, under a lenient and a
//! strict policy. A gateway also gets bare files, so the same bytes go through
//! `validate::validate` too. Every report must be consistent: a verdict of reject exactly when
//! a finding is an error, and serialisable to JSON.
#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rainv::Password;
use rainv_gateway::{self as validate, Policy, Report, Severity, Verdict, scan_message};

static POLICIES: LazyLock<[Policy; 2]> = LazyLock::new(|| {
    let mut strict = Policy::default();
    strict.require_password = true;
    strict.allow_expired = true;
    strict.allowed_networks = validate::parse_networks(&["10.0.0.0/8".into(), "fe80::/10".into()])
        .expect("valid networks");
    strict.allowed_hosts = vec!["*.corp.example".into(), "pc-*".into()];
    // The password of every LHTICKET in testdata/hostile (see its README).
    strict.password = Some(Password::new("HOSTILE12345"));
    [Policy::default(), strict]
});

fuzz_target!(|data: &[u8]| {
    // Fixed instants, so that runs are reproducible: inside the validity of the XP sample in
    // testdata/ (lenient policy), and the clock testdata/hostile is judged at (strict policy).
    let nows = [1_160_080_100, 1_704_294_000]
        .map(|t| DateTime::<Utc>::from_timestamp(t, 0).expect("in range"));
    for (policy, now) in POLICIES.iter().zip(nows) {
        if let Ok(reports) = scan_message(data, policy, now) {
            for found in &reports {
                check(&found.report);
                assert!(!found.attachment.is_empty());
            }
            serde_json::to_string(&reports).expect("reports serialise");
        }

        let report = validate::validate(data, policy, now);
        check(&report);
        // A file is classified exactly when the reader accepts it.
        assert_eq!(
            report.kind.is_some(),
            rainv::read(data, &policy.limits).is_ok(),
            "{report:?}"
        );
    }
});

fn check(report: &Report) {
    let rejected = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    assert_eq!(report.verdict == Verdict::Reject, rejected, "{report:?}");
    assert!(report.findings.iter().all(|f| !f.code.as_str().is_empty()));
    if report.kind.is_none() {
        assert_eq!(
            report.verdict,
            Verdict::Reject,
            "an unreadable file is accepted"
        );
    }
}
