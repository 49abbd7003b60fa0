//! Length-prefixed property blobs on arbitrary UTF-8: the generic parser and both typed blobs
//! must round-trip through their formatters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rainv::blob::{self, ExpertBlob, UserHelpBlob};
use rainv::{Password, pass_stub};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(properties) = blob::parse(text) {
        assert!(properties.iter().all(|p| !p.name.contains('=')));
        let formatted = blob::format(
            properties
                .iter()
                .map(|p| (p.name.as_str(), p.value.as_str())),
        )
        .expect("what a blob parses into formats");
        let again = blob::parse(&formatted)
            .unwrap_or_else(|e| panic!("format output does not re-parse: {e}\n{formatted:?}"));
        assert_eq!(again, properties, "format changed the properties");
    }

    if let Ok(expert) = ExpertBlob::parse(text) {
        let formatted = expert.to_string();
        let again = ExpertBlob::parse(&formatted)
            .unwrap_or_else(|e| panic!("expert blob does not re-parse: {e}\n{formatted:?}"));
        assert_eq!(again, expert);
        // What a novice does with a received expert blob: check its PASS against a PassStub.
        let _ = pass_stub::verify(&Password::new("fuzz"), "RT=0PvIndan52*", expert.pass());
        let _ = pass_stub::check_shape(expert.name());
    }

    if let Ok(help) = UserHelpBlob::parse(text) {
        let formatted = help.to_string();
        let again = UserHelpBlob::parse(&formatted)
            .unwrap_or_else(|e| panic!("user help blob does not re-parse: {e}\n{formatted:?}"));
        assert_eq!(again, help);
        let _ = help.domain_and_user();
    }
});
