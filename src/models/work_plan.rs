//! The `work_plans`, `work_plan_sections`, `guidelines` and `mandates` tables.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{guidelines, mandates, work_plan_sections, work_plans};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = work_plans, treat_none_as_null = true)]
pub struct WorkPlanRow {
    pub code: String,
    pub title: String,
    pub period_start: String,
    pub period_end: String,
    pub note: Option<String>,
    pub aims: JsonText<Vec<String>>,
    pub principles: JsonText<Vec<String>>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = work_plan_sections)]
pub struct SectionRow {
    pub work_plan: String,
    pub section_key: String,
    pub title: String,
    pub position: i32,
}

/// A guideline of a work plan.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = guidelines)]
#[schema(as = Guideline)]
pub struct GuidelineRow {
    #[schema(example = "WP2")]
    pub work_plan: String,
    #[schema(example = 45)]
    pub number: i32,
    #[schema(example = "protection")]
    pub section: String,
    pub text: String,
}

/// A mandate to the OAS General Secretariat.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = mandates)]
#[schema(as = Mandate)]
pub struct MandateRow {
    #[schema(example = "WP2")]
    pub work_plan: String,
    #[schema(example = 10)]
    pub number: i32,
    pub text: String,
}

crate::keyset_list!(WorkPlanRow, work_plans, code);

impl WorkPlanRow {
    crate::versioned_queries!(work_plans, code: &str);

    /// Inserts a plan with its sections, guidelines and mandates (call inside a transaction).
    pub fn insert_full(
        conn: &mut AnyConnection,
        plan: &WorkPlanRow,
        sections: &[SectionRow],
        guideline_rows: &[GuidelineRow],
        mandate_rows: &[MandateRow],
    ) -> QueryResult<()> {
        plan.insert(conn)?;
        sections.iter().try_for_each(|s| s.insert(conn))?;
        guideline_rows.iter().try_for_each(|g| g.insert(conn))?;
        mandate_rows.iter().try_for_each(|m| m.insert(conn))
    }
}

impl SectionRow {
    crate::insert_row!(work_plan_sections);

    pub fn for_plan(conn: &mut AnyConnection, plan: &str) -> QueryResult<Vec<Self>> {
        work_plan_sections::table
            .filter(work_plan_sections::work_plan.eq(plan.to_string()))
            .order(work_plan_sections::position)
            .select(Self::as_select())
            .load(conn)
    }
}

impl GuidelineRow {
    crate::insert_row!(guidelines);

    /// Guidelines of a plan ordered by number, optionally of one section, after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        plan: &str,
        section: Option<&str>,
        after: Option<i32>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = guidelines::table
            .filter(guidelines::work_plan.eq(plan.to_string()))
            .order(guidelines::number)
            .select(Self::as_select())
            .into_boxed();
        if let Some(section) = section {
            q = q.filter(guidelines::section.eq(section.to_string()));
        }
        if let Some(after) = after {
            q = q.filter(guidelines::number.gt(after));
        }
        q.limit(limit).load(conn)
    }

    crate::find_by_key!(guidelines, plan: &str, number: i32);
}

impl MandateRow {
    crate::insert_row!(mandates);

    pub fn list(
        conn: &mut AnyConnection,
        plan: &str,
        after: Option<i32>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = mandates::table
            .filter(mandates::work_plan.eq(plan.to_string()))
            .order(mandates::number)
            .select(Self::as_select())
            .into_boxed();
        if let Some(after) = after {
            q = q.filter(mandates::number.gt(after));
        }
        q.limit(limit).load(conn)
    }
}
