//! Helpers shared by the unit tests of several modules.

use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::{Just, any};
use proptest::sample::Index;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use crate::xml::Limits;

/// A seed that differs from run to run: the number in the environment variable `var` when it
/// is set (to rerun a failure), else one from the clock.
pub(crate) fn run_seed(var: &str) -> u64 {
    if let Some(value) = std::env::var_os(var) {
        let value = value.to_string_lossy();
        return value
            .parse()
            .unwrap_or_else(|_| panic!("{var}={value} is not a number"));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Mixed, so that runs a few nanoseconds apart get unrelated seeds.
    (nanos as u64 ^ (nanos >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

/// A xorshift generator of pseudo-random bytes for the differential tests, seeded per run
/// from `RAINV_TEST_SEED` or the clock. Its `Display` names the seed, for failure messages.
pub(crate) struct Xorshift {
    seed: u64,
    state: u64,
}

impl Xorshift {
    pub(crate) fn new() -> Xorshift {
        let seed = run_seed("RAINV_TEST_SEED");
        Xorshift {
            seed,
            // Xorshift stays at zero from zero.
            state: seed.max(1),
        }
    }

    /// `len` pseudo-random bytes.
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                (self.state >> 24) as u8
            })
            .collect()
    }

    /// Run `check`, adding the seed to the message of any assertion in it that fails.
    pub(crate) fn check<T>(&self, check: impl FnOnce() -> T) -> T {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(check))
            .unwrap_or_else(|panic| panic!("{self}: {}", panic_message(panic.as_ref())))
    }
}

impl std::fmt::Display for Xorshift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RAINV_TEST_SEED={} reruns this", self.seed)
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(a panic without a message)")
}

/// Check a property on `cases` values of `strategy` (`PROPTEST_CASES` overrides it) from a seed
/// that changes every run (`PROPTEST_RNG_SEED` fixes it). `test` asserts, and says whether the
/// value reached its comparison; at least `floor_percent` of the cases must. A failure names
/// the shrunk input and the seed.
///
/// The floor keeps generators honest: a property whose inputs stop reaching the comparison
/// passes without testing anything.
pub(crate) fn check_property<S: Strategy>(
    name: &str,
    cases: u32,
    floor_percent: u32,
    strategy: S,
    test: impl Fn(S::Value) -> bool,
) {
    let mut config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if let Some(value) = std::env::var_os("PROPTEST_CASES") {
        config.cases = value.to_string_lossy().parse().expect("PROPTEST_CASES");
    }
    let seed = match config.rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => run_seed("PROPTEST_RNG_SEED"),
    };
    config.rng_seed = RngSeed::Fixed(seed);
    let cases = config.cases;
    let reached = AtomicU32::new(0);
    let result = TestRunner::new(config).run(&strategy, |value| {
        if test(value) {
            reached.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{name}: {error}\n(PROPTEST_RNG_SEED={seed} reruns these cases)");
    }
    let reached = reached.into_inner();
    if std::env::var_os("RAINV_TEST_RATES").is_some() {
        eprintln!("{name}: {reached} of {cases} cases reached the comparison");
    }
    assert!(
        u64::from(reached) * 100 >= u64::from(floor_percent) * u64::from(cases),
        "{name}: only {reached} of {cases} cases reached the comparison, below the floor of \
         {floor_percent} % (PROPTEST_RNG_SEED={seed} reruns these cases)"
    );
}

/// A small edit of a generated document, for the differential tests: positions are
/// [`Index`]es, scaled to the text when applied (and moved back to a character boundary).
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// Insert a fragment.
    Insert(Index, &'static str),
    /// Remove one character.
    Remove(Index),
    /// Replace one character with the next byte value's (an ASCII letter becomes the next).
    Bump(Index),
    /// Cut the text short.
    Truncate(Index),
    /// Add a fragment at the end (where a uniform position rarely falls).
    Append(&'static str),
    /// Insert a fragment after one of the `>`s, between tags (where a uniform position rarely
    /// falls in a document of long values).
    InsertAfterTag(Index, &'static str),
}

/// Fragments that break or bend XML, for [`Edit::Insert`].
pub(crate) const FRAGMENTS: &[&str] = &[
    " ", "\t", "\n", "\r\n", "\"", "'", "<", ">", "/", "=", "&", "&amp;", "&#xA;", "&#0;", ";",
    "x", "G", "0", "9", "-", "\u{e9}", "\u{FFFE}", "\u{F000}", "<!--c-->", "<x/>", " k=\"v\"",
];

/// Fragments for [`Edit::InsertAfterTag`].
pub(crate) const TAG_FRAGMENTS: &[&str] =
    &["<x/>", "<x>", "</x>", "<!--c-->", "<?p?>", "x", " ", "\r\n"];

/// No edit at all for `unedited` in `unedited + 1` cases, else one or two edits.
pub(crate) fn edits(unedited: u32) -> impl Strategy<Value = Vec<Edit>> {
    let edit = proptest::prop_oneof![
        3 => (any::<Index>(), proptest::sample::select(FRAGMENTS))
            .prop_map(|(at, fragment)| Edit::Insert(at, fragment)),
        2 => any::<Index>().prop_map(Edit::Remove),
        2 => any::<Index>().prop_map(Edit::Bump),
        1 => any::<Index>().prop_map(Edit::Truncate),
        1 => proptest::sample::select(FRAGMENTS).prop_map(Edit::Append),
        3 => (any::<Index>(), proptest::sample::select(TAG_FRAGMENTS))
            .prop_map(|(at, fragment)| Edit::InsertAfterTag(at, fragment)),
    ];
    proptest::prop_oneof![
        unedited => Just(Vec::new()),
        1 => proptest::collection::vec(edit, 1..=2),
    ]
}

/// `text` with `edits` applied in turn.
pub(crate) fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    for edit in edits {
        let boundary = |at: &Index, len: usize| {
            let mut at = at.index(len + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match edit {
            Edit::Insert(at, fragment) => text.insert_str(boundary(at, text.len()), fragment),
            Edit::Remove(at) | Edit::Bump(at) if !text.is_empty() => {
                let at = boundary(at, text.len() - 1);
                let removed = text.remove(at);
                if matches!(edit, Edit::Bump(_)) {
                    let bumped = char::from_u32(u32::from(removed) + 1).unwrap_or('x');
                    text.insert(at, bumped);
                }
            }
            Edit::Truncate(at) => text.truncate(boundary(at, text.len())),
            Edit::Append(fragment) => text.push_str(fragment),
            Edit::InsertAfterTag(at, fragment) => {
                let tags: Vec<usize> = text.match_indices('>').map(|(at, _)| at + 1).collect();
                let at = if tags.is_empty() {
                    0
                } else {
                    tags[at.index(tags.len())]
                };
                text.insert_str(at, fragment);
            }
            _ => {}
        }
    }
    text
}

/// Limits: mostly the defaults, sometimes tight enough that a document meets them.
pub(crate) fn some_limits() -> impl Strategy<Value = Limits> {
    proptest::prop_oneof![
        7 => Just(Limits::default()),
        1 => (1..6usize, 1..12usize, 0..6usize, 0..24usize, 1..4usize).prop_map(
            |(max_depth, max_elements, max_attributes, max_attribute_bytes, max_listeners)| {
                Limits {
                    max_depth,
                    max_elements,
                    max_attributes,
                    max_attribute_bytes,
                    max_listeners,
                    ..Limits::default()
                }
            }
        ),
    ]
}
