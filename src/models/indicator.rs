//! The `indicators`, `dimensions` and `dimension_codes` tables: the indicator catalog.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{dimension_codes, dimensions, indicators};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::{GuidelineRef, Periodicity, ValueType};
use crate::timestamp::Timestamp;

/// An indicator of the catalog.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
#[schema(as = Indicator)]
pub struct IndicatorRow {
    #[schema(example = "VICTIMS_DETECTED")]
    pub code: String,
    #[schema(example = "Victims of trafficking in persons detected")]
    pub name: String,
    pub description: String,
    pub value_type: ValueType,
    #[schema(example = "persons")]
    pub unit: Option<String>,
    pub periodicity: Periodicity,
    /// Dimensions values may be broken down by.
    #[schema(value_type = Vec<String>, example = json!(["sex", "age_group"]))]
    pub dimensions: JsonText<Vec<String>>,
    /// Guidelines the indicator measures.
    #[schema(value_type = Vec<GuidelineRef>)]
    pub guidelines: JsonText<Vec<GuidelineRef>>,
    /// Where the definition comes from.
    #[serde(rename = "references")]
    #[schema(value_type = Vec<String>, example = json!(["SDG 16.2.2 (series VC_HTF_DETV)"]))]
    pub reference_list: JsonText<Vec<String>>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

crate::keyset_list!(IndicatorRow, indicators, code);

impl IndicatorRow {
    pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Self>> {
        indicators::table
            .order(indicators::code)
            .select(Self::as_select())
            .load(conn)
    }

    crate::versioned_queries!(indicators, code: &str);
}

/// Every dimension as (code, position, updated_at), in list order.
pub fn dimension_rows(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i32, Timestamp)>> {
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
