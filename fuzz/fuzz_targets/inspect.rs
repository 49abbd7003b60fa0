//! `inspect`, the gateway's entry point for a file or an attachment, on arbitrary bytes: as a
//! file given by name (judged whatever it holds) and as an attachment (judged by name or
//! content), under the default policy and one with small archive bounds. The first byte picks
//! the name, so that archives are also met by their names alone. Every report must be
//! consistent, and bounded: never more reports than entries could have made.
#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rainv_gateway::{Candidate, Policy, Severity, Verdict, inspect};

static POLICIES: LazyLock<[Policy; 2]> = LazyLock::new(|| {
    let mut small = Policy::default();
    small.archives.max_entries = 20;
    small.archives.max_depth = 2;
    small.archives.max_total_bytes = 4 * 1024 * 1024;
    small.archives.max_archive_bytes = 1024 * 1024;
    small.archives.allow_not_inspected = true;
    [Policy::default(), small]
});

const NAMES: [&str; 12] = [
    "attachment.bin",
    "invite.zip",
    "invite.7z",
    "invite.tar",
    "invite.tar.gz",
    "RA.msrcincident.gz",
    "invite.tar.bz2",
    "invite.txz",
    "invite.tar.zst",
    "RAInvitation.msrcincident",
    "invite.rar",
    "disk.iso",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let now = DateTime::<Utc>::from_timestamp(1_704_294_000, 0).expect("in range");
    for policy in POLICIES.iter() {
        for candidate in [Candidate::Always, Candidate::NameOrContent] {
            let reports = inspect(&[name], bytes, candidate, policy, now);
            if candidate == Candidate::Always {
                assert!(!reports.is_empty(), "a file given by name is always answered");
            }
            for found in &reports {
                let report = &found.report;
                let rejected = report
                    .findings
                    .iter()
                    .any(|f| f.severity == Severity::Error);
                assert_eq!(report.verdict == Verdict::Reject, rejected, "{report:?}");
                assert!(found.inside.len() <= policy.archives.max_depth);
            }
        }
    }
});
