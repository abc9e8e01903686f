//! Wire types of training events: the event as read, as written (POST and PUT) and as patched,
//! and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::http::replace::MergePatch;
use crate::domain::{Audience, Modality};
use crate::models::training_event::TrainingEventRecord;
use crate::timestamp::Timestamp;

/// A guideline of a work plan, by plan code and number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelineRef {
    /// Work-plan code.
    #[schema(example = "WP2", min_length = 1, max_length = 16)]
    pub work_plan: String,
    /// Guideline number within the plan.
    #[schema(example = 45, minimum = 1)]
    pub number: i32,
}

/// A training event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "member_state": "ARG",
    "organizer": "Ministerio de Seguridad", "title": "Identificación de víctimas de trata en pasos fronterizos",
    "description": "Taller para fuerzas federales y personal de migraciones.", "start_date": "2026-03-10",
    "end_date": "2026-03-12", "city": "Posadas", "modality": "in_person",
    "audiences": ["police", "migration"], "guidelines": [{"work_plan": "WP2", "number": 45}],
    "participants_total": 40, "participants_women": 22, "participants_men": 18, "partners": "OIM; UNODC",
    "version": 1, "created_at": "2026-03-13T14:02:11.482113Z", "updated_at": "2026-03-13T14:02:11.482113Z",
    "deleted_at": null
}))]
pub struct TrainingEvent {
    pub id: String,
    /// Host member state (ISO 3166-1 alpha-3); `null` for a regional event of the General Secretariat.
    pub member_state: Option<String>,
    /// Institution that organised the event.
    pub organizer: String,
    pub title: String,
    pub description: Option<String>,
    /// First day.
    #[schema(format = Date)]
    pub start_date: String,
    /// Last day (on or after `start_date`; equal for a one-day event).
    #[schema(format = Date)]
    pub end_date: String,
    pub city: Option<String>,
    pub modality: Modality,
    /// Who was trained, in code-list order.
    pub audiences: Vec<Audience>,
    /// Guidelines the event addressed, ordered by work plan and number.
    pub guidelines: Vec<GuidelineRef>,
    /// Number of participants, when known.
    pub participants_total: Option<i32>,
    /// Of whom women, when known.
    pub participants_women: Option<i32>,
    /// Of whom men, when known.
    pub participants_men: Option<i32>,
    /// Partner organisations, free text.
    pub partners: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted events (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&TrainingEventRecord> for TrainingEvent {
    fn from(rec: &TrainingEventRecord) -> Self {
        let r = &rec.row;
        TrainingEvent {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            organizer: r.organizer.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            start_date: r.start_date.clone(),
            end_date: r.end_date.clone(),
            city: r.city.clone(),
            modality: r.modality,
            audiences: rec.audiences.clone(),
            guidelines: rec
                .guidelines
                .iter()
                .map(|(plan, number)| GuidelineRef {
                    work_plan: plan.clone(),
                    number: *number,
                })
                .collect(),
            participants_total: r.participants_total,
            participants_women: r.participants_women,
            participants_men: r.participants_men,
            partners: r.partners.clone(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
        }
    }
}

/// A training event as written by POST and PUT (PUT replaces every field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingEventInput {
    /// Host member state (ISO alpha-3), or `null` for a regional event (admin only). When omitted:
    /// a reporter's own state; for an admin, a regional event on POST and the current host on PUT.
    #[serde(
        default,
        deserialize_with = "crate::api::http::extract::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<Option<String>>,
    #[schema(example = "Ministerio de Seguridad", min_length = 1, max_length = 300)]
    pub organizer: String,
    #[schema(
        example = "Identificación de víctimas de trata en pasos fronterizos",
        min_length = 1,
        max_length = 300
    )]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(example = "2026-03-10", format = Date)]
    pub start_date: String,
    /// On or after `start_date`.
    #[schema(example = "2026-03-12", format = Date)]
    pub end_date: String,
    #[schema(example = "Posadas", max_length = 200)]
    pub city: Option<String>,
    pub modality: Modality,
    /// Who was trained; each code at most once.
    #[serde(default)]
    #[schema(example = json!(["police", "migration"]), max_items = 11)]
    pub audiences: Vec<Audience>,
    /// Guidelines the event addressed; each must exist and appear at most once.
    #[serde(default)]
    #[schema(example = json!([{"work_plan": "WP2", "number": 45}]), max_items = 50)]
    pub guidelines: Vec<GuidelineRef>,
    /// Number of participants; required when women or men are given.
    #[schema(example = 40, minimum = 0)]
    pub participants_total: Option<i32>,
    /// Women among the participants; women + men never exceed the total.
    #[schema(example = 22, minimum = 0)]
    pub participants_women: Option<i32>,
    /// Men among the participants.
    #[schema(example = 18, minimum = 0)]
    pub participants_men: Option<i32>,
    /// Partner organisations, free text.
    #[schema(example = "OIM; UNODC", max_length = 1000)]
    pub partners: Option<String>,
}

/// Changes to an event: a JSON merge patch of its input (`member_state: null` makes it regional,
/// admin only).
pub type TrainingEventPatch = MergePatch<TrainingEventInput>;

/// Filters of the training-event list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingEventListParams {
    /// Only events hosted by this member state.
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    /// Only events that end on or after this date (with `to`: events overlapping the range).
    #[param(example = "2026-01-01", format = Date)]
    pub from: Option<String>,
    /// Only events that start on or before this date.
    #[param(example = "2026-12-31", format = Date)]
    pub to: Option<String>,
    // `audience` and `guideline` are here for the spec: `filters::filter` reads them from the raw
    // query string, because serde_urlencoded cannot decode a repeated key.
    /// Only events that trained any of these audiences; repeat the parameter for several
    /// (`audience=police&audience=judges`: events with police, judges or both).
    #[param(style = Form, explode, inline)]
    pub audience: Option<Vec<Audience>>,
    /// Only events that addressed any of these guidelines, as `WORK_PLAN:NUMBER`; repeatable
    /// like `audience`.
    #[param(style = Form, explode, max_items = 50, example = json!(["WP2:45"]))]
    pub guideline: Option<Vec<String>>,
    #[param(inline)]
    pub modality: Option<Modality>,
    /// Case-insensitive text in the title, organizer or city.
    #[param(max_length = 200)]
    pub q: Option<String>,
}
