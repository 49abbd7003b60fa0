//! `ConnectionString1::parse` on arbitrary UTF-8. Whatever it accepts must format back to text
//! that parses to the same value, and formatting must be a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rainv::ConnectionString1;

const MAX_ADDRESSES: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cs) = ConnectionString1::parse(text, MAX_ADDRESSES) else {
        return;
    };
    assert!((1..=MAX_ADDRESSES).contains(&cs.addresses().len()));
    assert!(cs.addresses().all(|a| a.port != 0));
    let formatted = cs.to_string();
    let again = ConnectionString1::parse(&formatted, MAX_ADDRESSES)
        .unwrap_or_else(|e| panic!("to_string output does not re-parse: {e}\n{formatted:?}"));
    assert_eq!(again, cs, "to_string changed the Connection String 1");
    assert_eq!(
        again.to_string(),
        formatted,
        "formatting is not a fixed point"
    );
});
