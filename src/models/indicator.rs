//! The `indicators`, `dimensions` and `dimension_codes` tables: the indicator catalog.

use diesel::prelude::*;

use crate::db::schema::{dimension_codes, dimensions, indicators};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::{GuidelineRef, Periodicity, ValueType};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub description: String,
    pub value_type: ValueType,
    pub unit: Option<String>,
    pub periodicity: Periodicity,
    /// Dimension codes.
    pub dimensions: JsonText<Vec<String>>,
    /// The guidelines measured, as `{work_plan, number}`.
    pub guidelines: JsonText<Vec<GuidelineRef>>,
    pub reference_list: JsonText<Vec<String>>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

crate::keyset_list!(IndicatorRow, indicators, code);

impl IndicatorRow {
    pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Self>> {
        indicators::table
            .order(indicators::code)
            .select(Self::as_select())
            .load(conn)
    }

    crate::find_by_key!(indicators, code: &str);

    crate::insert_row!(indicators);

    crate::versioned_update!(indicators, code);

    pub fn dimension_list(&self) -> Vec<String> {
        self.dimensions.get().clone()
    }
}

/// Every dimension as (code, position, updated_at), in list order.
pub fn dimension_rows(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i32, String)>> {
    dimensions::table
        .order(dimensions::position)
        .select((
            dimensions::code,
            dimensions::position,
            dimensions::updated_at,
        ))
        .load(conn)
}

pub fn code_lists(conn: &mut AnyConnection) -> QueryResult<Vec<(String, Vec<String>)>> {
    let dims: Vec<String> = dimensions::table
        .order(dimensions::position)
        .select(dimensions::code)
        .load(conn)?;
    let codes: Vec<(String, String)> = dimension_codes::table
        .order((dimension_codes::dimension, dimension_codes::position))
        .select((dimension_codes::dimension, dimension_codes::code))
        .load(conn)?;
    Ok(dims
        .into_iter()
        .map(|d| {
            let list = codes
                .iter()
                .filter(|(dim, _)| dim == &d)
                .map(|(_, c)| c.clone())
                .collect();
            (d, list)
        })
        .collect())
}
