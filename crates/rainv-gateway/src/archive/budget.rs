//! The bounds on one archive's inspection, enforced where decompressed bytes come out.
//!
//! Every byte an archive yields goes through a [`Counted`] reader, which charges it to the
//! [`Budget`] of the whole inspection (total bytes, the time limit) and to the archive's own
//! ratio of bytes out to bytes in. A reader that goes over a bound fails with an I/O error
//! whatever the format library makes of it, and the budget remembers which bound it was, so
//! the finding says so rather than calling the archive damaged.

use std::cell::Cell;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::ArchiveLimits;

/// Below this many bytes out of one archive, its compression ratio is not checked: small,
/// repetitive files compress far beyond any sensible ratio.
pub(super) const RATIO_FLOOR: u64 = 1024 * 1024;

/// Which bound an inspection went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Exceeded {
    TotalBytes,
    Ratio,
    Time,
}

pub(super) struct Budget {
    limits: ArchiveLimits,
    deadline: Instant,
    total: Cell<u64>,
    exceeded: Cell<Option<Exceeded>>,
}

impl Budget {
    pub(super) fn new(limits: &ArchiveLimits) -> Budget {
        Budget {
            limits: limits.clone(),
            deadline: Instant::now() + Duration::from_millis(limits.max_milliseconds),
            total: Cell::new(0),
            exceeded: Cell::new(None),
        }
    }

    pub(super) fn limits(&self) -> &ArchiveLimits {
        &self.limits
    }

    /// The bound gone over, if any: once one is, the inspection stops.
    pub(super) fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded.get()
    }

    /// Is the time up? Marks the budget exceeded when it is.
    pub(super) fn out_of_time(&self) -> bool {
        if self.exceeded.get().is_none() && Instant::now() > self.deadline {
            self.exceeded.set(Some(Exceeded::Time));
        }
        self.exceeded.get().is_some()
    }

    fn fail(&self, why: Exceeded) -> io::Error {
        if self.exceeded.get().is_none() {
            self.exceeded.set(Some(why));
        }
        io::Error::other("an archive bound was reached")
    }
}

/// What one archive has yielded, for its compression ratio.
pub(super) struct Level {
    packed: u64,
    unpacked: Cell<u64>,
}

impl Level {
    pub(super) fn new(packed_bytes: usize) -> Level {
        Level {
            packed: u64::try_from(packed_bytes).unwrap_or(u64::MAX),
            unpacked: Cell::new(0),
        }
    }
}

/// A reader of bytes coming out of an archive, charged to the budget and the archive's level.
pub(super) struct Counted<'b, R> {
    inner: R,
    budget: &'b Budget,
    level: &'b Level,
}

impl<'b, R: Read> Counted<'b, R> {
    pub(super) fn new(inner: R, budget: &'b Budget, level: &'b Level) -> Self {
        Counted {
            inner,
            budget,
            level,
        }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let budget = self.budget;
        if let Some(why) = budget.exceeded() {
            return Err(budget.fail(why));
        }
        if budget.out_of_time() {
            return Err(budget.fail(Exceeded::Time));
        }
        let n = self.inner.read(buf)?;
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        let total = budget.total.get().saturating_add(n64);
        budget.total.set(total);
        let unpacked = self.level.unpacked.get().saturating_add(n64);
        self.level.unpacked.set(unpacked);
        if total > budget.limits.max_total_bytes {
            return Err(budget.fail(Exceeded::TotalBytes));
        }
        if unpacked > RATIO_FLOOR && unpacked / self.level.packed.max(1) >= budget.limits.max_ratio
        {
            return Err(budget.fail(Exceeded::Ratio));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ArchiveLimits {
        ArchiveLimits::default()
    }

    #[test]
    fn total_bytes_are_counted_across_readers_and_stop_at_the_bound() {
        let mut limits = limits();
        limits.max_total_bytes = 1000;
        let budget = Budget::new(&limits);
        let level = Level::new(1000);
        let data = vec![0u8; 600];
        let mut sink = Vec::new();
        Counted::new(&data[..], &budget, &level)
            .read_to_end(&mut sink)
            .unwrap();
        assert_eq!(budget.exceeded(), None);
        let error = Counted::new(&data[..], &budget, &level).read_to_end(&mut sink);
        assert!(error.is_err());
        assert_eq!(budget.exceeded(), Some(Exceeded::TotalBytes));
        // Once over, every reader fails at once.
        assert!(
            Counted::new(&b"x"[..], &budget, &level)
                .read(&mut [0; 1])
                .is_err()
        );
    }

    #[test]
    fn the_ratio_is_checked_above_its_floor_only() {
        let mut limits = limits();
        limits.max_ratio = 10;
        let budget = Budget::new(&limits);
        let level = Level::new(1);
        let below = vec![0u8; RATIO_FLOOR as usize];
        let mut sink = Vec::new();
        Counted::new(&below[..], &budget, &level)
            .read_to_end(&mut sink)
            .unwrap();
        assert_eq!(budget.exceeded(), None);
        assert!(
            Counted::new(&b"x"[..], &budget, &level)
                .read(&mut [0; 1])
                .is_err()
        );
        assert_eq!(budget.exceeded(), Some(Exceeded::Ratio));

        let budget = Budget::new(&limits);
        let level = Level::new(RATIO_FLOOR as usize);
        let twice = vec![0u8; 2 * RATIO_FLOOR as usize];
        Counted::new(&twice[..], &budget, &level)
            .read_to_end(&mut sink)
            .unwrap();
        assert_eq!(budget.exceeded(), None, "a ratio of 2 is fine");
    }

    #[test]
    fn time_runs_out() {
        let mut limits = limits();
        limits.max_milliseconds = 0;
        let budget = Budget::new(&limits);
        std::thread::sleep(Duration::from_millis(2));
        assert!(budget.out_of_time());
        assert_eq!(budget.exceeded(), Some(Exceeded::Time));
        let level = Level::new(1);
        assert!(
            Counted::new(&b"x"[..], &budget, &level)
                .read(&mut [0; 1])
                .is_err()
        );
    }
}
