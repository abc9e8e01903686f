//! The `commitments` table: a member state's undertaking on one guideline of a work plan.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{commitments as c, guidelines};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::CommitmentStatus;
use crate::timestamp::Timestamp;

/// A member state's commitment on a guideline.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = c, treat_none_as_null = true)]
#[schema(as = Commitment, example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6b", "member_state": "ARG", "work_plan": "WP2", "guideline": 12,
    "status": "in_progress", "lead_institution": "Ministerio de Seguridad",
    "actions": "Training module for federal police academies.", "target_date": "2026-12-31",
    "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000.0, "currency": "ARS",
    "version": 3, "created_at": "2026-01-10T12:00:00.000000Z", "updated_at": "2026-06-01T09:30:00.000000Z", "deleted_at": null
}))]
pub struct CommitmentRow {
    pub id: String,
    pub member_state: String,
    pub work_plan: String,
    /// Guideline number within the work plan.
    #[serde(rename = "guideline")]
    pub guideline_number: i32,
    pub status: CommitmentStatus,
    pub lead_institution: Option<String>,
    pub actions: Option<String>,
    #[schema(format = Date)]
    pub target_date: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub evidence_urls: JsonText<Vec<String>>,
    pub budget_allocated: Option<f64>,
    /// ISO 4217 code of `budget_allocated`.
    pub currency: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted commitments (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

/// Filters of the commitment list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub member_state: Option<String>,
    pub work_plan: Option<String>,
    /// Section key; needs `work_plan`.
    pub section: Option<String>,
    pub guideline: Option<i32>,
    pub status: Option<CommitmentStatus>,
    pub updated_since: Option<Timestamp>,
    pub include_deleted: bool,
}

/// Keyset position: (member_state, work_plan, guideline_number).
pub type Key = (String, String, i32);

impl CommitmentRow {
    /// The live (not deleted) commitment with this id.
    pub fn live(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        c::table
            .find(id)
            .filter(c::deleted_at.is_null())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The commitment of a state on a guideline, deleted or not.
    pub fn find(
        conn: &mut AnyConnection,
        member_state: &str,
        work_plan: &str,
        number: i32,
    ) -> QueryResult<Option<Self>> {
        c::table
            .filter(c::member_state.eq(member_state.to_string()))
            .filter(c::work_plan.eq(work_plan.to_string()))
            .filter(c::guideline_number.eq(number))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` commitments ordered by member state, work plan and guideline, after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        f: &Filter,
        after: Option<&Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = c::table
            .select(Self::as_select())
            .order((c::member_state, c::work_plan, c::guideline_number))
            .into_boxed();
        if let Some(v) = &f.member_state {
            q = q.filter(c::member_state.eq(v.clone()));
        }
        if let Some(v) = &f.work_plan {
            q = q.filter(c::work_plan.eq(v.clone()));
            if let Some(section) = &f.section {
                let numbers = guidelines::table
                    .filter(guidelines::work_plan.eq(v.clone()))
                    .filter(guidelines::section.eq(section.clone()))
                    .select(guidelines::number);
                q = q.filter(c::guideline_number.eq_any(numbers));
            }
        }
        if let Some(v) = f.guideline {
            q = q.filter(c::guideline_number.eq(v));
        }
        if let Some(v) = &f.status {
            q = q.filter(c::status.eq(*v));
        }
        if let Some(v) = &f.updated_since {
            q = q.filter(c::updated_at.ge(*v));
        }
        if !f.include_deleted {
            q = q.filter(c::deleted_at.is_null());
        }
        if let Some((ms, wp, n)) = after {
            q = q.filter(crate::after_key!(
                c::member_state => ms, c::work_plan => wp, c::guideline_number => n
            ));
        }
        q.limit(limit).load(conn)
    }

    crate::insert_row!(c);
    crate::versioned_update!(c, id);
}
