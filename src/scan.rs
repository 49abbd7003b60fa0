//! Byte searches in short texts, eight bytes at a time in a `u64` (SIMD within a register).
//!
//! Why: the values searched while reading are mostly a few to a few tens of bytes, where a
//! loop over bytes costs several instructions a byte and `memchr`'s dispatch and vector setup
//! cost more than the search. Each mask below says how exact it is: most flag exactly the bytes
//! they name (no false positives from carries); the cheaper class and stop masks are exact
//! only up to the first byte they are looking for (or the first byte from 0x80 on), which is
//! all that finding the first one needs.

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

/// [`word_at`] written another way, which compiles to fewer instructions in the RCTICKET's
/// address loop and to more in the XML scanner's loops: which to use is a matter of measuring.
#[inline(always)]
pub(crate) fn word_from(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*bytes.get(at..)?.first_chunk::<8>()?))
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

/// The high bit of the first byte of `word` that ends a plain double-quoted attribute value
/// (a C0 control, a byte from 0x80 on, `"`, `&` or `<`), and perhaps of bytes after it (by
/// a borrow), never of a byte before it: [`first`] of it is exact. Half the operations of
/// [`control_or_non_ascii`] and three [`equal`]s.
#[inline(always)]
pub(crate) fn first_value_stop(word: u64) -> u64 {
    // `"` (0x22) and `&` (0x26) differ in one bit, so one comparison finds both.
    let quote_or_ampersand = (word & splat(0xFB)) ^ splat(b'"');
    let less_than = word ^ splat(b'<');
    // Below 0x20, subtracting 0x20 wraps the byte round to 0xE0 or more.
    let control = word.wrapping_sub(splat(0x20));
    (control | word | first_zero_byte(quote_or_ampersand) | first_zero_byte(less_than)) & HIGH
}

/// The high bit of the first zero byte of `x` (and perhaps of bytes after it, by a borrow),
/// with bits other than the high ones left to the caller to mask.
#[inline(always)]
fn first_zero_byte(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x
}

/// The high bit of every byte of `word` that may be in a computer name or dotted IPv4 address
/// (ASCII letters and digits, `-`, `.`, `_`), exactly up to the first byte from 0x80 on, which
/// is not flagged; bytes after that one may be flagged wrongly. So the lowest byte not flagged
/// is the first one outside the class.
#[inline(always)]
pub(crate) fn host_bytes(word: u64) -> u64 {
    (ascii_within(word | splat(0x20), b'a', b'z')
        | ascii_within(word, b'0', b'9')
        | ascii_within(word, b'-', b'.')
        | ascii_within(word, b'_', b'_'))
        & !word
        & HIGH
}

/// The high bit of every byte of `word` that is an ASCII digit, exact in the same way as
/// [`host_bytes`].
#[inline(always)]
pub(crate) fn digits(word: u64) -> u64 {
    ascii_within(word, b'0', b'9') & !word & HIGH
}

/// The high bit of every byte of `word` from `low` to `high` (both ASCII), like [`within`] but
/// in three operations, for the class masks above: exact for bytes below 0x80, and a byte from
/// 0x80 on disturbs only the bytes after it (by a carry), never those before.
#[inline(always)]
fn ascii_within(word: u64, low: u8, high: u8) -> u64 {
    // A byte's high bit is set in the first sum when it is `low` or more, in the second when
    // it is above `high`, which implies the first: so the exclusive or is the range.
    word.wrapping_add(splat(0x80 - low)) ^ word.wrapping_add(splat(0x7F - high))
}

/// The number written in the first `digits` bytes of `word` (1 to 8, all ASCII digits).
#[inline(always)]
pub(crate) fn decimal(word: u64, digits: usize) -> u64 {
    // The digits moved to the top of the word, behind zeros that count as leading zeros, then
    // pairs, quadruples and the eight folded together by multiplication (first digit lowest,
    // as the bytes come).
    let word = word << (8 * (8 - digits));
    let pairs = (word & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul((10 << 8) + 1) >> 8;
    let fours = (pairs & 0x00FF_00FF_00FF_00FF).wrapping_mul((100 << 16) + 1) >> 16;
    (fours & 0x0000_FFFF_0000_FFFF).wrapping_mul((10000 << 32) + 1) >> 32
}

/// The index within its word of the first byte flagged in `mask`; 8 when none is.
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

    #[test]
    fn first_value_stop_finds_the_first_stop_whatever_follows() {
        let stops = |b: u8| !(0x20..0x80).contains(&b) || b"\"&<".contains(&b);
        let fill = [b'a', b'~', b' ', b'!', b'=', b'%', b'\'', b';', b'='];
        for at in 0..8 {
            for b in 0..=255u8 {
                for after in [
                    0u8, 0x1F, 0x20, 0x21, 0x22, 0x25, 0x26, 0x3C, 0x7F, 0x80, 0xFF,
                ] {
                    // Bytes that run on before it, `after` after it.
                    let mut bytes = [fill[at]; 8];
                    bytes[at + 1..].fill(after);
                    bytes[at] = b;
                    let expected = bytes.iter().position(|&x| stops(x)).unwrap_or(8);
                    let mask = first_value_stop(u64::from_le_bytes(bytes));
                    assert_eq!(first(mask), expected, "{bytes:02x?}");
                    assert_eq!(mask & !HIGH, 0);
                }
            }
        }
    }

    fn flagged(mask: u64) -> Vec<bool> {
        (0..8).map(|i| mask >> (8 * i + 7) & 1 == 1).collect()
    }

    /// A class mask (`host_bytes`, `digits`) against the bytes it should flag: exact
    /// for ASCII, and whatever the bytes, the first byte it leaves unflagged is the first
    /// outside the class.
    fn assert_first_unflagged_exact(mask: u64, bytes: &[u8; 8], expected: &[bool]) {
        if bytes.is_ascii() {
            assert_eq!(flagged(mask), expected, "{bytes:?}");
        }
        let unflagged = (!mask & HIGH != 0).then(|| first(!mask & HIGH));
        assert_eq!(unflagged, expected.iter().position(|&x| !x), "{bytes:?}");
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
                let expected: Vec<bool> = bytes
                    .iter()
                    .map(|&x| x.is_ascii_alphanumeric() || matches!(x, b'-' | b'.' | b'_'))
                    .collect();
                assert_first_unflagged_exact(host_bytes(word), &bytes, &expected);
                let expected: Vec<bool> = bytes.iter().map(u8::is_ascii_digit).collect();
                assert_first_unflagged_exact(digits(word), &bytes, &expected);
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
    fn first_is_eight_when_no_byte_is_flagged() {
        assert_eq!(first(0), 8);
        assert_eq!(first(HIGH), 0);
        assert_eq!(first(0x80 << 56), 7);
    }

    #[test]
    fn decimal_reads_the_digits_before_any_other_bytes() {
        for (text, digits, expected) in [
            (*b"3389;win", 4, 3389),
            (*b"65535,*,", 5, 65535),
            (*b"1:::::::", 1, 1),
            (*b"09\xff\xff\xff\xff\xff\xff", 2, 9),
            (*b"12345678", 8, 12_345_678),
            (*b"99999999", 8, 99_999_999),
            (*b"00000000", 8, 0),
            (*b"4294967\x00", 7, 4_294_967),
        ] {
            let word = u64::from_le_bytes(text);
            assert_eq!(decimal(word, digits), expected, "{text:?} {digits}");
        }
        for n in 1..=65535u64 {
            let text = format!("{n};*,*,*,*");
            let word = word_at(text.as_bytes(), 0).unwrap();
            let digits = text.find(';').unwrap();
            assert_eq!(decimal(word, digits), n);
        }
    }

    #[test]
    fn word_at_and_word_from_read_the_same_words() {
        let bytes: Vec<u8> = (1..=20).collect();
        for length in 0..=20 {
            for at in [0, 1, 5, 8, 12, 13, 19, 20, 21, usize::MAX - 3, usize::MAX] {
                let expected = bytes[..length]
                    .get(at..)
                    .filter(|rest| rest.len() >= 8)
                    .map(|rest| u64::from_le_bytes(rest[..8].try_into().unwrap()));
                assert_eq!(word_at(&bytes[..length], at), expected, "{length} {at}");
                assert_eq!(word_from(&bytes[..length], at), expected, "{length} {at}");
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
