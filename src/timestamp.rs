//! Timestamps: UTC, stored and served as RFC 3339 with microseconds and `Z` on both backends.
//! Rows hold a [`Timestamp`]: a stored text that is not one fails the read (logged), it is never
//! read as some other time.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::db::connection::MultiBackend;

/// A UTC instant, serialized as RFC 3339 with microsecond precision (`2026-11-22T20:43:03.123456Z`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
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

    /// Parses a client-supplied RFC 3339 timestamp (any offset) into UTC.
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }
}

/// The stored and served form.
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_db())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

crate::text_sql!(from Timestamp, |text: String| {
    Timestamp::parse(&text).ok_or_else(|| format!("malformed timestamp {text:?} in the database"))
});

impl ToSql<Text, Sqlite> for Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> diesel::serialize::Result {
        out.set_value(self.to_db());
        Ok(IsNull::No)
    }
}

impl ToSql<Text, Pg> for Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        out.write_all(self.to_db().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl ToSql<Text, MultiBackend> for Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> diesel::serialize::Result {
        out.set_value((Text, self));
        Ok(IsNull::No)
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
        assert_eq!(Timestamp::parse(&text), Some(t));
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t = Timestamp::parse("2026-01-01T01:00:00+01:00").expect("valid");
        assert_eq!(t.to_db(), "2026-01-01T00:00:00.000000Z");
    }
}
