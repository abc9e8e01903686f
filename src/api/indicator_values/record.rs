//! How indicator values go through the pipelines: the versioned record (its delete), the list's
//! filter from the query and its CSV cells.

use diesel::QueryResult;
use serde_json::Value;

use super::wire::{IndicatorValue, ValueListParams};
use crate::api::http::csv;
use crate::api::http::extract::bounded;
use crate::api::http::list::ListParams;
use crate::api::http::query::Repeated;
use crate::api::http::write::Versioned;
use crate::auth::Owner;
use crate::db::AnyConnection;
use crate::domain::{Disaggregation, MemberStateCode, ValueFlag};
use crate::error::{ApiError, ApiResult};
use crate::models::indicator_value::{Filter, IndicatorValueRow, Key};

/// The dimensions that may filter the list (`?sex=female`).
pub const DIMENSIONS: [&str; 5] = [
    "sex",
    "age_group",
    "form_of_exploitation",
    "citizenship",
    "sector",
];

/// The parameters of the list that may be repeated: `member_state` and the dimensions.
pub fn repeatable() -> Vec<&'static str> {
    std::iter::once("member_state").chain(DIMENSIONS).collect()
}

/// The list's filter from its query parameters.
pub fn filter(q: ValueListParams, repeated: &Repeated, list: &ListParams) -> ApiResult<Filter> {
    let member_states = repeated.values("member_state");
    for ms in &member_states {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    if member_states.len() > 35 {
        return Err(ApiError::invalid(
            "member_state",
            "at most 35 member states",
        ));
    }
    let mut dimensions = Vec::new();
    for dim in DIMENSIONS {
        let codes = repeated.values(dim);
        if codes.len() > 1 {
            return Err(ApiError::invalid(
                dim,
                "may be given once (a value has one code per dimension)",
            ));
        }
        for code in codes {
            if code.is_empty()
                || code.len() > 64
                || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                return Err(ApiError::invalid(
                    dim,
                    "must be a code of the dimension's code list",
                ));
            }
            dimensions.push((dim.to_string(), code));
        }
    }
    for (name, v, max) in [
        ("indicator", &q.indicator, 64),
        ("period_from", &q.period_from, 7),
        ("period_to", &q.period_to, 7),
    ] {
        bounded(name, v.as_deref(), max)?;
    }
    let flag = q
        .flag
        .map(|f| {
            ValueFlag::parse(&f).ok_or_else(|| {
                ApiError::invalid("flag", format!("must be one of {}", ValueFlag::codes()))
            })
        })
        .transpose()?;
    Ok(Filter {
        indicator: q.indicator,
        member_states,
        period_from: q.period_from,
        period_to: q.period_to,
        dimensions,
        flag,
        updated_since: list.since()?,
        include_deleted: list.include_deleted(),
        ..Default::default()
    })
}

impl Versioned for IndicatorValueRow {
    const KIND: &'static str = "indicator_value";
    const NOUN: &'static str = "value";
    type View = IndicatorValue;
    const TABLE: &'static str = "indicator_values";

    /// The state's submission lock before the row's, in the order every writer of the state's
    /// values takes them (a value's state never changes).
    fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
        if let Some(stored) = IndicatorValueRow::find(conn, id)? {
            crate::locks::hold_states(conn, [stored.member_state.as_str()])?;
        }
        crate::db::locks::row(conn, Self::TABLE, Self::KEY_COLUMN, id)
    }

    fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        Ok(IndicatorValueRow::find(conn, id)?.filter(|r| r.deleted_at.is_none()))
    }
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        IndicatorValueRow::insert_many(conn, std::slice::from_ref(self))
    }
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        IndicatorValueRow::store(self, conn, expected_version)
    }
    crate::versioned_fields!(id);
    fn owner(&self) -> Owner<'_> {
        Owner::State(&self.member_state)
    }
    fn view(&self) -> IndicatorValue {
        self.clone()
    }
    fn location(&self) -> String {
        format!("/api/v1/indicator-values/{}", self.id)
    }
}

/// A stored value (canonical JSON) as a CSV cell shows it: text without its quotes.
pub fn shown_value(stored: Option<&str>) -> Option<String> {
    stored.map(|v| match serde_json::from_str::<Value>(v) {
        Ok(Value::String(s)) => s,
        _ => v.to_string(),
    })
}

crate::listing! {
    /// The value list, in natural-key order.
    Values: IndicatorValueRow => Self, "indicator_value", "indicator-values.csv", [
        "indicator", "member_state", "period", "sex", "age_group", "form_of_exploitation",
        "citizenship", "sector", "value", "flag", "comment", "source", "reported_by", "version",
        "updated_at", "deleted_at", "id",
    ];
    fetch(conn, f: Filter, after: Key, limit) => IndicatorValueRow::list(conn, f, after, limit);
    key(r) => r.key();
    cells(r) => {
        let d = Disaggregation::from_canonical(&r.disaggregation);
        let value = shown_value(r.value.as_deref());
        let mut cells = vec![
            r.indicator.clone(),
            r.member_state.clone(),
            r.period.clone(),
        ];
        cells.extend(
            DIMENSIONS
                .iter()
                .map(|dim| d.get(dim).unwrap_or("").to_string()),
        );
        cells.extend([
            value.unwrap_or_default(),
            csv::opt(&r.flag),
            csv::opt(&r.comment),
            csv::opt(&r.source),
            r.reported_by.clone(),
            r.version.to_string(),
            r.updated_at.to_db(),
            csv::opt(&r.deleted_at),
            r.id.clone(),
        ]);
        cells
    };
}
