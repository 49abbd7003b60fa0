//! The two XML token sources on arbitrary bytes: quick-xml alone, and the scanner for text as
//! Windows writes it (handing over to quick-xml). They must give the same tokens, the same
//! attributes and the same error, under default and tight limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rainv::fuzzing::token_sources_agree(data);
});
