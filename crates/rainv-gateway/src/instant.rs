//! [`parse_instant`]: the time a check is made at, as every front end takes it (`--now`, the
//! bindings' `now`).

use chrono::{DateTime, Utc};

/// Why a text is not an instant; its `Display` is the message, [`hint`](Self::hint) what to
/// write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstantError {
    /// Seconds since 1970 beyond the dates chrono can hold.
    OutOfRange,
    /// Neither seconds since 1970 nor RFC 3339 (the parser's message).
    Malformed(String),
}

impl InstantError {
    /// What to give instead.
    pub fn hint(&self) -> &'static str {
        match self {
            InstantError::OutOfRange => "give a date between years 1 and 262143",
            InstantError::Malformed(_) => {
                "give RFC 3339 (2024-01-03T13:27:04Z) or seconds since 1970"
            }
        }
    }
}

impl std::fmt::Display for InstantError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstantError::OutOfRange => f.write_str("out of range"),
            InstantError::Malformed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for InstantError {}

/// An instant given as RFC 3339 (`2024-01-03T13:27:04Z`, any offset) or as whole seconds
/// since 1970 (negative before).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, InstantError> {
    if let Ok(seconds) = text.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0).ok_or(InstantError::OutOfRange);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| InstantError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_rfc3339_give_the_same_instant() {
        let from_seconds = parse_instant("1764496800").unwrap();
        let from_text = parse_instant("2025-11-30T11:00:00+01:00").unwrap();
        assert_eq!(from_seconds, from_text);
        assert_eq!(parse_instant("-1").unwrap().timestamp(), -1);
    }

    #[test]
    fn what_is_not_an_instant_says_why() {
        assert_eq!(
            parse_instant("9223372036854775807"),
            Err(InstantError::OutOfRange)
        );
        assert_eq!(InstantError::OutOfRange.to_string(), "out of range");
        let error = parse_instant("yesterday").unwrap_err();
        assert!(matches!(error, InstantError::Malformed(_)));
        assert_eq!(error.to_string(), "premature end of input");
        assert!(error.hint().contains("RFC 3339"));
    }
}
