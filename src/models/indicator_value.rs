//! The `indicator_values` table: values reported by member states, one row per natural key
//! (indicator, member state, period, canonical disaggregation).

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::indicator_values as iv;
use crate::db::AnyConnection;
use crate::domain::ValueFlag;
use crate::timestamp::Timestamp;

/// A reported value.
// Stored and served as one row: the disaggregation and the value are kept as canonical text and
// written to JSON as the object and the value they stand for.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
// `treat_none_as_default_value = false`: `None` is bound as NULL rather than written as DEFAULT
// (these columns have no default), which lets SQLite take a batch as one multi-row INSERT instead
// of one INSERT per row, and PostgreSQL take it through COPY.
#[diesel(table_name = iv, treat_none_as_null = true, treat_none_as_default_value = false)]
#[schema(as = IndicatorValue, example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c", "member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019",
    "disaggregation": {"sex": "female", "age_group": "child"}, "value": 42, "flag": null, "comment": null,
    "source": "Ministerio Público Fiscal", "reported_by": "arg-system", "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z", "deleted_at": null
}))]
pub struct IndicatorValueRow {
    pub id: String,
    pub indicator: String,
    pub member_state: String,
    /// `2019`, `2019-Q1` or `2019-03`, per the indicator's periodicity.
    pub period: String,
    /// Dimension -> code; `{}` is the total.
    #[serde(serialize_with = "crate::domain::serialize_canonical")]
    #[schema(value_type = crate::openapi::types::Disaggregation)]
    pub disaggregation: String,
    /// Typed by the indicator (integer, number, boolean or string); `null` only when confidential.
    #[serde(serialize_with = "crate::db::text_enum::serialize_json_text")]
    #[schema(value_type = crate::openapi::types::DataValue)]
    pub value: Option<String>,
    pub flag: Option<ValueFlag>,
    pub comment: Option<String>,
    pub source: Option<String>,
    /// Username of who last wrote it.
    pub reported_by: String,
    pub version: i32,
    #[schema(value_type = Timestamp)]
    pub created_at: String,
    #[schema(value_type = Timestamp)]
    pub updated_at: String,
    /// Set on deleted values (tombstones, listed with `include_deleted=true`).
    #[schema(value_type = Option<Timestamp>)]
    pub deleted_at: Option<String>,
}

/// Keyset position and natural key: (indicator, member_state, period, disaggregation).
pub type Key = (String, String, String, String);

/// Filters of the value list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub indicator: Option<String>,
    pub member_states: Vec<String>,
    pub period_from: Option<String>,
    /// Inclusive; `2019` also includes `2019-Q4` and `2019-12`.
    pub period_to: Option<String>,
    /// `dimension=code` pairs the disaggregation must contain.
    pub dimensions: Vec<(String, String)>,
    pub flag: Option<ValueFlag>,
    pub updated_since: Option<String>,
    pub include_deleted: bool,
}

impl IndicatorValueRow {
    pub fn key(&self) -> Key {
        (
            self.indicator.clone(),
            self.member_state.clone(),
            self.period.clone(),
            self.disaggregation.clone(),
        )
    }

    crate::find_by_key!(iv, id: &str);

    /// Stored rows (deleted or not) of one indicator and state for the given periods.
    pub fn for_periods(
        conn: &mut AnyConnection,
        indicator: &str,
        member_state: &str,
        periods: &[String],
    ) -> QueryResult<Vec<Self>> {
        let mut out = Vec::new();
        // Bounded IN lists keep every statement well under both backends' parameter limits.
        for chunk in periods.chunks(500) {
            out.extend(
                iv::table
                    .filter(iv::indicator.eq(indicator.to_string()))
                    .filter(iv::member_state.eq(member_state.to_string()))
                    .filter(iv::period.eq_any(chunk.to_vec()))
                    .select(Self::as_select())
                    .load(conn)?,
            );
        }
        Ok(out)
    }

    /// Like [`Self::for_periods`], and on PostgreSQL each row is locked (`SELECT ... FOR UPDATE`)
    /// until the transaction ends and read as last committed, so racing batches apply their changes
    /// in turn. The locks are taken in byte order of (period, disaggregation), the order the chunks
    /// follow too: callers that go through (indicator, member state) in byte order lock every row
    /// in one global order and never deadlock. SQLite's write transactions are already serialized.
    pub fn lock_for_periods(
        conn: &mut AnyConnection,
        indicator: &str,
        member_state: &str,
        periods: &[String],
    ) -> QueryResult<Vec<Self>> {
        let mut sorted = periods.to_vec();
        sorted.sort();
        sorted.dedup();
        let AnyConnection::Postgresql(pg) = conn else {
            return Self::for_periods(conn, indicator, member_state, &sorted);
        };
        let mut out = Vec::new();
        for chunk in sorted.chunks(500) {
            out.extend(
                iv::table
                    .filter(iv::indicator.eq(indicator.to_string()))
                    .filter(iv::member_state.eq(member_state.to_string()))
                    .filter(iv::period.eq_any(chunk.to_vec()))
                    .order(diesel::dsl::sql::<diesel::sql_types::Text>(
                        r#"period COLLATE "C", disaggregation COLLATE "C""#,
                    ))
                    .select(Self::as_select())
                    .for_update()
                    .load(pg)?,
            );
        }
        Ok(out)
    }

    /// Inserts rows whose natural keys were not stored when read, in natural-key order; returns the
    /// ids of those another transaction created meanwhile (not inserted: the caller applies them as
    /// changes of the row now stored). PostgreSQL first tries one `COPY` (in a savepoint) and, only
    /// when a key was taken, inserts with `ON CONFLICT DO NOTHING`, which waits for the creator to
    /// commit. SQLite's serialized write transactions cannot meet a concurrent creator.
    pub fn insert_new(conn: &mut AnyConnection, rows: &[Self]) -> QueryResult<HashSet<String>> {
        use diesel::result::{DatabaseErrorKind, Error};
        if rows.is_empty() || matches!(conn, AnyConnection::Sqlite(_)) {
            return Self::insert_many(conn, rows).map(|()| HashSet::new());
        }
        match conn.transaction(|c| Self::insert_many(c, rows)) {
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            other => return other.map(|()| HashSet::new()),
        }
        let AnyConnection::Postgresql(pg) = conn else {
            return Err(Error::BrokenTransactionManager);
        };
        let mut taken: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
        // 14 bound parameters a row; PostgreSQL allows 65,535 a statement.
        for chunk in rows.chunks(4000) {
            let inserted: Vec<String> = diesel::insert_into(iv::table)
                .values(chunk)
                .on_conflict((
                    iv::indicator,
                    iv::member_state,
                    iv::period,
                    iv::disaggregation,
                ))
                .do_nothing()
                .returning(iv::id)
                .get_results(pg)?;
            for id in inserted {
                taken.remove(&id);
            }
        }
        Ok(taken)
    }

    /// Inserts many rows: one multi-row INSERT per chunk on SQLite, one `COPY ... FROM STDIN` on
    /// PostgreSQL. Both run in the caller's transaction; a duplicate key is a `UniqueViolation`.
    pub fn insert_many(conn: &mut AnyConnection, rows: &[Self]) -> QueryResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        match conn {
            AnyConnection::Sqlite(c) => {
                // 14 bound parameters a row; SQLite allows 32,766 a statement.
                for chunk in rows.chunks(2000) {
                    diesel::insert_into(iv::table).values(chunk).execute(c)?;
                }
            }
            AnyConnection::Postgresql(c) => {
                diesel::copy_from(iv::table)
                    .from_insertable(rows)
                    .execute(c)?;
            }
        }
        Ok(())
    }

    /// Writes `self` over the stored row with the same id.
    pub fn update(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::update(iv::table.filter(iv::id.eq(self.id.clone())))
            .set(self)
            .execute(conn)
            .map(|_| ())
    }

    crate::versioned_update!(fn store, iv, id);

    /// How many values match `f`.
    pub fn count(conn: &mut AnyConnection, f: &Filter) -> QueryResult<usize> {
        // Counted through the keyset list in pages, to reuse one filter definition.
        let mut n = 0;
        let mut after: Option<Key> = None;
        loop {
            let page = Self::list(conn, f, after.as_ref(), 5000)?;
            n += page.len();
            match page.last() {
                Some(last) if page.len() == 5000 => after = Some(last.key()),
                _ => return Ok(n),
            }
        }
    }

    /// Up to `limit` values matching `f`, in natural-key order, after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        f: &Filter,
        after: Option<&Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = iv::table
            .select(Self::as_select())
            .order((
                iv::indicator,
                iv::member_state,
                iv::period,
                iv::disaggregation,
            ))
            .into_boxed();
        if let Some(v) = &f.indicator {
            q = q.filter(iv::indicator.eq(v.clone()));
        }
        if !f.member_states.is_empty() {
            q = q.filter(iv::member_state.eq_any(f.member_states.clone()));
        }
        if let Some(v) = &f.period_from {
            q = q.filter(iv::period.ge(v.clone()));
        }
        if let Some(v) = &f.period_to {
            q = q.filter(iv::period.le(format!("{v}~")));
        }
        for (d, c) in &f.dimensions {
            // Canonical form: pairs separated by ';', so `;d=c;` is an exact match.
            q = q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("(';' || disaggregation || ';') LIKE ")
                    .bind::<diesel::sql_types::Text, _>(format!("%;{d}={c};%")),
            );
        }
        if let Some(v) = &f.flag {
            q = q.filter(iv::flag.eq(*v));
        }
        if let Some(v) = &f.updated_since {
            q = q.filter(iv::updated_at.ge(v.clone()));
        }
        if !f.include_deleted {
            q = q.filter(iv::deleted_at.is_null());
        }
        if let Some((i, m, p, d)) = after {
            q = q.filter(crate::after_key!(
                iv::indicator => i, iv::member_state => m, iv::period => p, iv::disaggregation => d
            ));
        }
        q.limit(limit).load(conn)
    }
}
