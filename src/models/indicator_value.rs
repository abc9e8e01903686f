//! The `indicator_values` table: values reported by member states, one row per natural key
//! (indicator, member state, period, canonical disaggregation).

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::connection::MultiBackend;
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
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted values (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

/// The condition of the partial index `indicator_values_simple`, as its migration writes it.
const SIMPLE: &str = "deleted_at IS NULL AND disaggregation NOT LIKE '%;%'";

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
    pub updated_since: Option<Timestamp>,
    pub include_deleted: bool,
    /// Only totals (no disaggregation).
    pub totals_only: bool,
    /// Only these indicators (with `indicator`, both apply).
    pub indicators: Vec<String>,
    /// Only totals, values broken down by one dimension, and these disaggregations (canonical).
    pub simple_or: Option<Vec<String>>,
    /// Only values of these (member state, first year, last year) windows; `Some(empty)`: none.
    pub windows: Option<Vec<(String, i32, i32)>>,
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

    /// How many values match `f`, counted by the database.
    pub fn count(conn: &mut AnyConnection, f: &Filter) -> QueryResult<usize> {
        let Some(f) = Self::narrowed(conn, f)? else {
            return Ok(0);
        };
        // Over periods alone, the count names every indicator and state, so it walks the
        // natural-key index once per pair over those periods instead of the whole table.
        use crate::db::schema::{indicators, member_states};
        let mut f = f.into_owned();
        if f.indicator.is_none() && f.indicators.is_empty() {
            f.indicators = indicators::table.select(indicators::code).load(conn)?;
        }
        if f.member_states.is_empty() {
            f.member_states = member_states::table
                .select(member_states::code)
                .load(conn)?;
        }
        let n: i64 = Self::matching(&f, conn.is_postgres())
            .count()
            .get_result(conn)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Up to `limit` values matching `f`, in natural-key order, after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        f: &Filter,
        after: Option<&Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        // Narrowed, a dimension filter walks the natural-key index over the indicators that can
        // match only, instead of through every value of the others.
        let Some(f) = Self::narrowed(conn, f)? else {
            return Ok(Vec::new());
        };
        let f = f.as_ref();
        let mut q = Self::matching(f, conn.is_postgres())
            .select(Self::as_select())
            .order((
                iv::indicator,
                iv::member_state,
                iv::period,
                iv::disaggregation,
            ));
        if let Some((i, m, p, d)) = after {
            // A row-value comparison: both backends serve it as a range of the natural-key
            // index, so a deep page costs what the first one does (the OR-expanded form is
            // scanned from the start of the index).
            use diesel::sql_types::Text;
            q = q.filter(iv::indicator.ge(i.clone())).filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "(indicator, member_state, period, disaggregation) > (",
                )
                .bind::<Text, _>(i.clone())
                .sql(", ")
                .bind::<Text, _>(m.clone())
                .sql(", ")
                .bind::<Text, _>(p.clone())
                .sql(", ")
                .bind::<Text, _>(d.clone())
                .sql(")"),
            );
        }
        q.limit(limit).load(conn)
    }

    /// `f` limited to the indicators that have every dimension it filters on (no other value can
    /// match), so the list walks the natural-key index over those indicators only; `None` when
    /// no indicator has them all.
    fn narrowed<'f>(
        conn: &mut AnyConnection,
        f: &'f Filter,
    ) -> QueryResult<Option<std::borrow::Cow<'f, Filter>>> {
        if f.dimensions.is_empty() {
            return Ok(Some(std::borrow::Cow::Borrowed(f)));
        }
        let mut indicators: Vec<String> = crate::models::indicator::IndicatorRow::all(conn)?
            .into_iter()
            .filter(|i| {
                f.dimensions
                    .iter()
                    .all(|(d, _)| i.dimensions.get().contains(d))
            })
            .map(|i| i.code)
            .collect();
        if !f.indicators.is_empty() {
            indicators.retain(|i| f.indicators.contains(i));
        }
        if indicators.is_empty() {
            return Ok(None);
        }
        Ok(Some(std::borrow::Cow::Owned(Filter {
            indicators,
            ..f.clone()
        })))
    }

    /// Values of a member state in a span of years, for any of `windows` (one OR of ranges of
    /// the natural-key index; no window matches nothing).
    fn in_windows(
        windows: &[(String, i32, i32)],
    ) -> Box<dyn BoxableExpression<iv::table, MultiBackend, SqlType = diesel::sql_types::Bool>>
    {
        let mut any: Box<
            dyn BoxableExpression<iv::table, MultiBackend, SqlType = diesel::sql_types::Bool>,
        > = Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"));
        for (ms, from, to) in windows {
            any = Box::new(
                any.or(iv::member_state
                    .eq(ms.clone())
                    .and(iv::period.ge(from.to_string()))
                    .and(iv::period.le(format!("{to}~")))),
            );
        }
        any
    }

    /// The values matching `f`, as a query to select from or count. A dimension filter is an
    /// equality on its generated column on PostgreSQL (whose statistics tell the planner how
    /// selective it is) and a match on the canonical text on SQLite, which has no such columns
    /// (see the migration `dimension_columns_unindexed`).
    fn matching(f: &Filter, postgres: bool) -> iv::BoxedQuery<'static, MultiBackend> {
        let mut q = iv::table.into_boxed();
        if let Some(v) = &f.indicator {
            q = q.filter(iv::indicator.eq(v.clone()));
        }
        // One code is an equality, not `IN (?)`: SQLite cannot keep a statement with an IN list
        // of binds prepared, so the common one-state page would be parsed and planned anew.
        match f.member_states.as_slice() {
            [] => {}
            [one] => q = q.filter(iv::member_state.eq(one.clone())),
            many => q = q.filter(iv::member_state.eq_any(many.to_vec())),
        }
        match f.indicators.as_slice() {
            [] => {}
            [one] => q = q.filter(iv::indicator.eq(one.clone())),
            many => q = q.filter(iv::indicator.eq_any(many.to_vec())),
        }
        if f.totals_only {
            q = q.filter(iv::disaggregation.eq(""));
        }
        if let Some(also) = &f.simple_or {
            // Canonical text with no ';' is the total or one dimension's part.
            q = q.filter(
                iv::disaggregation
                    .not_like("%;%")
                    .or(iv::disaggregation.eq_any(also.clone())),
            );
        }
        // Live totals and one dimension's parts alone are what the partial index
        // `indicator_values_simple` holds. A planner takes it only when the query states the
        // index's condition as written there (literally, not as bound parameters), so that
        // condition is added, implied by the filters above, for both backends to see.
        let simple_only = f.totals_only || f.simple_or.as_ref().is_some_and(Vec::is_empty);
        if simple_only && !f.include_deleted {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(SIMPLE));
        }
        if let Some(v) = &f.period_from {
            q = q.filter(iv::period.ge(v.clone()));
        }
        if let Some(v) = &f.period_to {
            q = q.filter(iv::period.le(format!("{v}~")));
        }
        for (d, c) in &f.dimensions {
            let c = c.clone();
            q = match d.as_str() {
                "sex" if postgres => q.filter(iv::dim_sex.eq(c)),
                "age_group" if postgres => q.filter(iv::dim_age_group.eq(c)),
                "form_of_exploitation" if postgres => q.filter(iv::dim_form_of_exploitation.eq(c)),
                "citizenship" if postgres => q.filter(iv::dim_citizenship.eq(c)),
                "sector" if postgres => q.filter(iv::dim_sector.eq(c)),
                // SQLite, or a dimension added later without its column: the canonical text,
                // `;d=c;`.
                _ => q.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "(';' || disaggregation || ';') LIKE ",
                    )
                    .bind::<diesel::sql_types::Text, _>(format!("%;{d}={c};%")),
                ),
            };
        }
        if let Some(v) = &f.flag {
            q = q.filter(iv::flag.eq(*v));
        }
        if let Some(windows) = &f.windows {
            q = q.filter(Self::in_windows(windows));
        }
        if let Some(v) = &f.updated_since {
            q = q.filter(iv::updated_at.ge(*v));
        }
        if !f.include_deleted {
            q = q.filter(iv::deleted_at.is_null());
        }
        q
    }
}
