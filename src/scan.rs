//! Byte searches in short texts, eight bytes at a time in a `u64` (SIMD within a register).
//!
//! Why: the values searched while reading are mostly a few to a few tens of bytes, where a
//! loop over bytes costs several instructions a byte and `memchr`'s dispatch and vector setup
//! cost more than the search. Each mask below is exact (no false positives from carries), so
//! the lowest flagged byte is the first match.

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
/// The high bit of every byte: the bits the masks below set.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte of a word.
#[inline(always)]
pub(crate) const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The eight bytes of `bytes` from `at` as a little-endian word (the first byte lowest), if
/// there are eight.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let eight: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(eight))
}

/// The high bit of every byte of `word` equal to `b`.
#[inline(always)]
pub(crate) fn equal(word: u64, b: u8) -> u64 {
    let x = word ^ (ONES * u64::from(b));
    // A byte's high bit ends up set when any of its bits is: its low seven by the addition
    // (which cannot carry out of the byte), the eighth by the `|`.
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The high bit of every byte of `word` below 0x20 (the C0 controls) or from 0x80 on.
#[inline(always)]
pub(crate) fn control_or_non_ascii(word: u64) -> u64 {
    // Adding 0x60 to the low seven bits sets the high bit exactly when they are 0x20 or more.
    (word | !((word & LOW7) + ONES * 0x60)) & HIGH
}

/// The high bit of every byte of `word` from `low` to `high` (both ASCII, `low` above 0).
#[inline(always)]
pub(crate) fn within(word: u64, low: u8, high: u8) -> u64 {
    let seven = word & LOW7;
    let at_least_low = seven + ONES * u64::from(0x80 - low);
    let above_high = seven + ONES * u64::from(0x7F - high);
    at_least_low & !above_high & !word & HIGH
}

/// The index within its word of the first byte flagged in `mask` (not 0).
#[inline(always)]
pub(crate) fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Where the first `needle` at or after `from` is.
#[inline]
pub(crate) fn find(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    let mut at = from;
    while let Some(word) = word_at(bytes, at) {
        let found = equal(word, needle);
        if found != 0 {
            return Some(at + first(found));
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    tail.iter().position(|&b| b == needle).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(mask: u64) -> Vec<bool> {
        (0..8).map(|i| mask >> (8 * i + 7) & 1 == 1).collect()
    }

    #[test]
    fn masks_flag_exactly_the_bytes_they_name_in_any_neighbourhood() {
        // Each byte value beside each other byte value, on either side: the masks must not
        // be fooled by borrows or carries from a neighbour.
        for b in 0..=255u8 {
            for neighbour in 0..=255u8 {
                let bytes = [neighbour, b, neighbour, b, b, neighbour, neighbour, b];
                let word = u64::from_le_bytes(bytes);
                for needle in [0u8, b'"', b'\'', b'&', b'<', b',', 0x7F, 0x80, 0xFF] {
                    let expected: Vec<bool> = bytes.iter().map(|&x| x == needle).collect();
                    assert_eq!(flagged(equal(word, needle)), expected, "{bytes:?} {needle}");
                }
                let expected: Vec<bool> =
                    bytes.iter().map(|&x| !(0x20..0x80).contains(&x)).collect();
                assert_eq!(flagged(control_or_non_ascii(word)), expected, "{bytes:?}");
                for (low, high) in [
                    (b'0', b'9'),
                    (b'a', b'z'),
                    (b'A', b'Z'),
                    (1, 0x7F),
                    (b'x', b'x'),
                ] {
                    let expected: Vec<bool> =
                        bytes.iter().map(|&x| (low..=high).contains(&x)).collect();
                    assert_eq!(
                        flagged(within(word, low, high)),
                        expected,
                        "{bytes:?} {low}..={high}"
                    );
                }
            }
        }
    }

    #[test]
    fn find_agrees_with_position_at_every_length_and_start() {
        for length in 0..40 {
            for at in 0..=length + 1 {
                let mut bytes = vec![b'a'; length];
                if at < length {
                    bytes[at] = b',';
                }
                for from in 0..=length + 2 {
                    let expected = bytes
                        .get(from..)
                        .and_then(|rest| rest.iter().position(|&b| b == b','))
                        .map(|i| from + i);
                    assert_eq!(find(&bytes, from, b','), expected, "{length} {at} {from}");
                }
            }
        }
    }
}
