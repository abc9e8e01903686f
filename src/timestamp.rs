//! Timestamps: UTC, stored and served as RFC 3339 with microseconds and `Z` on both backends.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// A UTC instant, serialized as RFC 3339 with microsecond precision (`2026-11-22T20:43:03.123456Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-22T20:43:03.123456Z")]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        // Truncate to microseconds so what is stored equals what is served.
        let now = Utc::now();
        let micros = now.timestamp_micros();
        Self(DateTime::from_timestamp_micros(micros).unwrap_or(now))
    }

    /// The stored form.
    pub fn to_db(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// Reads the stored form; a malformed value (never written by palermo) falls back to the epoch.
    pub fn from_db(text: &str) -> Self {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Self(t.with_timezone(&Utc)),
            Err(_) => {
                log::error!("malformed timestamp in database: {text:?}");
                Self(DateTime::<Utc>::UNIX_EPOCH)
            }
        }
    }

    /// Parses a client-supplied RFC 3339 timestamp (any offset) into UTC.
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_stored_form_with_microseconds_and_z() {
        let t = Timestamp::now();
        let text = t.to_db();
        assert!(text.ends_with('Z') && text.len() == 27, "{text}");
        assert_eq!(Timestamp::from_db(&text), t);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t = Timestamp::parse("2026-01-01T01:00:00+01:00").expect("valid");
        assert_eq!(t.to_db(), "2026-01-01T00:00:00.000000Z");
    }
}
