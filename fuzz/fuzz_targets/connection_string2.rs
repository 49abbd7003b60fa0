//! `ConnectionString2::parse` on arbitrary UTF-8. Whatever it accepts must format back (in
//! Windows' layout) to text that parses to the same value; formatting must be a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rainv::{ConnectionString2, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let Ok(cs) = ConnectionString2::parse(text, &limits) else {
        return;
    };
    assert!(cs.transports().next().is_some());
    assert!(cs.listeners().count() <= limits.max_listeners);
    assert!(cs.listeners().all(|l| l.port.is_some() || l.uri.is_some()));
    let formatted = cs.to_text();
    let again = ConnectionString2::parse(&formatted, &limits)
        .unwrap_or_else(|e| panic!("to_text output does not re-parse: {e}\n{:?}", &*formatted));
    assert_eq!(again, cs, "to_text changed the Connection String 2");
    assert_eq!(
        *again.to_text(),
        *formatted,
        "formatting is not a fixed point"
    );
});
