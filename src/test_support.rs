//! Helpers shared by the unit tests of several modules.

/// `len` pseudo-random bytes from a xorshift generator whose state is `seed`: deterministic
/// inputs for the differential tests, the same on every run.
pub(crate) fn xorshift_bytes(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 24) as u8
        })
        .collect()
}
