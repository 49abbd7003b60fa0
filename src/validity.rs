//! DtStart / DtLength: when an invitation may be used.

use chrono::{DateTime, Utc};

/// Where an instant falls relative to an invitation's validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Before DtStart.
    NotYetValid,
    /// From DtStart up to, not including, DtStart + DtLength minutes.
    Valid,
    /// At or after DtStart + DtLength minutes.
    Expired,
}

impl Status {
    /// The name used in JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            Status::NotYetValid => "not-yet-valid",
            Status::Valid => "valid",
            Status::Expired => "expired",
        }
    }
}

/// An invitation's validity window, exactly as the file gives it.
///
/// Values are kept as unsigned integers of any size a file may hold; arithmetic is done in
/// 128 bits, so no value overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Validity {
    /// DtStart: creation time, seconds since 1970-01-01 UTC.
    pub start: u64,
    /// DtLength: validity in minutes from DtStart.
    pub length_minutes: u64,
}

impl Validity {
    /// A window starting at `start` and lasting `length_minutes`.
    pub fn new(start: u64, length_minutes: u64) -> Validity {
        Validity {
            start,
            length_minutes,
        }
    }

    /// The first second of validity, in seconds since 1970 (as i128: never overflows).
    pub fn start_seconds(&self) -> i128 {
        i128::from(self.start)
    }

    /// The first second after validity, in seconds since 1970 (as i128: never overflows).
    pub fn end_seconds(&self) -> i128 {
        i128::from(self.start) + i128::from(self.length_minutes) * 60
    }

    /// DtStart as a date, if it is within the range dates can represent.
    pub fn valid_from(&self) -> Option<DateTime<Utc>> {
        to_date(self.start_seconds())
    }

    /// The expiry instant, if it is within the range dates can represent.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        to_date(self.end_seconds())
    }

    /// The status of the invitation at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        let now = i128::from(now.timestamp());
        if now < self.start_seconds() {
            Status::NotYetValid
        } else if now >= self.end_seconds() {
            Status::Expired
        } else {
            Status::Valid
        }
    }
}

fn to_date(seconds: i128) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, 0)
}

/// A length of time as people say it, to the unit that matters: `45 s`, `12 min`,
/// `5 h 59 min`, `3 days`, `20 years` (of 365 days). The sign is ignored.
pub fn describe_duration(seconds: i128) -> String {
    let s = seconds.unsigned_abs();
    let plural = |n: u128, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    const DAY: u128 = 86_400;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..DAY => match (s / 3600, s % 3600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        DAY..31_536_000 => plural(s / DAY, "day"),
        _ => plural(s / (365 * DAY), "year"),
    }
}

/// How long ago something happened `seconds` ago: `7 days ago`, or `just now` within a second.
pub fn describe_ago(seconds: i128) -> String {
    if seconds.unsigned_abs() < 1 {
        "just now".to_string()
    } else {
        format!("{} ago", describe_duration(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn durations_read_as_people_say_them() {
        let day = 86_400;
        for (seconds, text) in [
            (0, "0 s"),
            (59, "59 s"),
            (-59, "59 s"),
            (60, "1 min"),
            (3599, "59 min"),
            (3600, "1 h"),
            (3660, "1 h 1 min"),
            (day - 1, "23 h 59 min"),
            (day, "1 day"),
            (2 * day, "2 days"),
            (365 * day - 1, "364 days"),
            (365 * day, "1 year"),
            (20 * 365 * day + 5 * day, "20 years"),
            (i128::from(u64::MAX), "584942417355 years"),
        ] {
            assert_eq!(describe_duration(seconds), text, "{seconds}");
        }
        assert_eq!(describe_ago(0), "just now");
        assert_eq!(describe_ago(1), "1 s ago");
        assert_eq!(describe_ago(7 * day), "7 days ago");
    }

    #[test]
    fn boundaries() {
        let v = Validity::new(1000, 1);
        assert_eq!(v.status_at(at(999)), Status::NotYetValid);
        assert_eq!(v.status_at(at(1000)), Status::Valid);
        assert_eq!(v.status_at(at(1059)), Status::Valid);
        assert_eq!(v.status_at(at(1060)), Status::Expired);
    }

    #[test]
    fn dates_and_names() {
        let v = Validity::new(1_795_338_000, 360);
        assert_eq!(v.valid_from(), Some(at(1_795_338_000)));
        assert_eq!(v.valid_until(), Some(at(1_795_338_000 + 360 * 60)));
        assert_eq!(Validity::new(0, 0).valid_until(), Some(at(0)));
        let names = [
            (Status::NotYetValid, "not-yet-valid"),
            (Status::Valid, "valid"),
            (Status::Expired, "expired"),
        ];
        for (status, name) in names {
            assert_eq!(status.name(), name);
        }
    }

    #[test]
    fn absurd_values_do_not_overflow() {
        let v = Validity::new(u64::MAX, u64::MAX);
        assert_eq!(v.status_at(at(0)), Status::NotYetValid);
        assert_eq!(v.valid_from(), None);
        assert_eq!(v.valid_until(), None);
        let v = Validity::new(0, u64::MAX);
        assert_eq!(v.status_at(at(i64::from(i32::MAX))), Status::Valid);
    }
}
