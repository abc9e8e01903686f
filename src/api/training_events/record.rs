//! How training events go through the pipelines: the host of a write, validation into a record,
//! the versioned record, and the list with its CSV cells.

use diesel::QueryResult;

use super::wire::{TrainingEvent, TrainingEventInput};
use crate::api::http::csv;
use crate::api::http::replace::{Replaceable, Tombstoned};
use crate::api::http::write::{self, Versioned};
use crate::auth::{Owner, Writer};
use crate::db::AnyConnection;
use crate::domain::{contact, Audience};
use crate::error::{ApiResult, FieldErrors};
use crate::models::training_event::{Filter, Key, TrainingEventRecord, TrainingEventRow};
use crate::models::work_plan::GuidelineRow;
use crate::timestamp::Timestamp;

/// Most guidelines an event (or a list filter) may name.
pub const MAX_GUIDELINES: usize = 50;

/// The host a write is for: `given` (`Some(None)`: regional, admin only) or, when absent, the
/// reporter's own state (an admin's: regional). Checked for scope, then for existence.
fn host(
    conn: &mut AnyConnection,
    writer: &Writer,
    given: Option<Option<&str>>,
) -> ApiResult<Option<String>> {
    match given {
        Some(None) => writer.scope(Owner::Secretariat).map(|_| None),
        None if writer.own_state().is_none() => writer.scope(Owner::Secretariat).map(|_| None),
        given => write::target_state(conn, writer, given.flatten(), "/member_state").map(Some),
    }
}

impl Replaceable for TrainingEventRecord {
    type Input = TrainingEventInput;
    /// The record `input` describes for `writer`: its host checked ([`host`]), then every field
    /// at once (guidelines against the catalog).
    fn build(
        conn: &mut AnyConnection,
        writer: &Writer,
        input: &TrainingEventInput,
        before: Option<&TrainingEventRecord>,
    ) -> ApiResult<TrainingEventRecord> {
        // An omitted host is the reporter's own on create, and stays as it is on a change.
        let given = match (&input.member_state, before) {
            (None, Some(b)) => Some(b.row.member_state.as_deref()),
            (given, _) => given.as_ref().map(|m| m.as_deref()),
        };
        let member_state = host(conn, writer, given)?;
        let mut errors = FieldErrors::default();
        let mut text = |field: &str, value: Option<&String>, max: usize| {
            errors.check_opt(format!("/{field}"), value, |v| contact::text(v, max))
        };
        let organizer = text("organizer", Some(&input.organizer), 300);
        let title = text("title", Some(&input.title), 300);
        let description = text("description", input.description.as_ref(), 5000);
        let city = text("city", input.city.as_ref(), 200);
        let partners = text("partners", input.partners.as_ref(), 1000);

        let start = errors.check("/start_date", contact::date(&input.start_date));
        let end = errors.check("/end_date", contact::date(&input.end_date));
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errors.add("/end_date", format!("must be on or after start_date ({s})"));
            }
        }

        let counts = [
            ("participants_total", input.participants_total),
            ("participants_women", input.participants_women),
            ("participants_men", input.participants_men),
        ];
        for (field, value) in counts {
            if value.is_some_and(|n| n < 0) {
                errors.add(format!("/{field}"), "must not be negative");
            }
        }
        let parts = i64::from(input.participants_women.unwrap_or(0))
            + i64::from(input.participants_men.unwrap_or(0));
        match input.participants_total {
            None if input.participants_women.is_some() || input.participants_men.is_some() => {
                errors.add(
                    "/participants_total",
                    "is required when participants_women or participants_men is given",
                );
            }
            Some(total) if total >= 0 && parts > i64::from(total) => {
                errors.add(
                    "/participants_total",
                    format!(
                        "must be at least participants_women + participants_men ({parts}): the parts never exceed the total"
                    ),
                );
            }
            _ => {}
        }

        let mut audiences: Vec<Audience> = Vec::new();
        for (i, a) in input.audiences.iter().enumerate() {
            if audiences.contains(a) {
                errors.add(format!("/audiences/{i}"), "is repeated");
            } else {
                audiences.push(*a);
            }
        }
        audiences.sort();

        let mut guidelines: Vec<(String, i32)> = Vec::new();
        if input.guidelines.len() > MAX_GUIDELINES {
            errors.add(
                "/guidelines",
                format!("must have at most {MAX_GUIDELINES} guidelines"),
            );
        } else {
            for (i, g) in input.guidelines.iter().enumerate() {
                let at = format!("/guidelines/{i}");
                if g.work_plan.is_empty() || g.work_plan.chars().count() > 16 {
                    errors.add(
                        format!("{at}/work_plan"),
                        "must be a work-plan code such as WP2",
                    );
                } else if g.number < 1 {
                    errors.add(format!("{at}/number"), "must be at least 1");
                } else if guidelines
                    .iter()
                    .any(|(p, n)| *p == g.work_plan && *n == g.number)
                {
                    errors.add(at, "is repeated");
                } else if GuidelineRow::find(conn, &g.work_plan, g.number)?.is_none() {
                    errors.add(
                        at,
                        format!(
                            "{} guideline {} does not exist (see GET /api/v1/work-plans/{}/guidelines)",
                            g.work_plan, g.number, g.work_plan
                        ),
                    );
                } else {
                    guidelines.push((g.work_plan.clone(), g.number));
                }
            }
        }
        guidelines.sort();

        errors.finish()?;
        let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Ok(TrainingEventRecord {
            row: TrainingEventRow {
                id: String::new(),
                member_state,
                organizer: organizer.unwrap_or_default(),
                title: title.unwrap_or_default(),
                description,
                start_date: iso(start),
                end_date: iso(end),
                city,
                modality: input.modality,
                participants_total: input.participants_total,
                participants_women: input.participants_women,
                participants_men: input.participants_men,
                partners,
                version: 1,
                created_at: Timestamp::now(),
                updated_at: Timestamp::now(),
                deleted_at: None,
            },
            audiences,
            guidelines,
        })
    }
}

impl Tombstoned for TrainingEventRecord {
    fn tombstone(&self) -> Self {
        let mut after = self.clone();
        after.row.deleted_at = Some(Timestamp::now());
        after
    }
}

impl Versioned for TrainingEventRecord {
    const KIND: &'static str = "training_event";
    const NOUN: &'static str = "training event";
    type View = TrainingEvent;
    const TABLE: &'static str = "training_events";

    fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        Ok(TrainingEventRecord::find(conn, id)?.filter(|r| r.row.deleted_at.is_none()))
    }
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        TrainingEventRecord::insert(self, conn)
    }
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        self.update(conn, expected_version)
    }
    crate::versioned_fields!(in row: id, tombstoned);
    fn owner(&self) -> Owner<'_> {
        match &self.row.member_state {
            Some(ms) => Owner::State(ms),
            None => Owner::Secretariat,
        }
    }
    fn view(&self) -> TrainingEvent {
        TrainingEvent::from(self)
    }
    fn location(&self) -> String {
        format!("/api/v1/training-events/{}", self.row.id)
    }
}

crate::listing! {
    /// The event list, ordered by start date, then id; in CSV, audiences as `police;judges`,
    /// guidelines as `WP2:12;WP2:45`.
    Events: TrainingEventRecord => TrainingEvent, "training_event", "training-events.csv", [
        "id", "member_state", "organizer", "title", "description", "start_date", "end_date", "city",
        "modality", "audiences", "guidelines", "participants_total", "participants_women",
        "participants_men", "partners", "version", "created_at", "updated_at", "deleted_at",
    ];
    fetch(conn, f: Filter, after: Key, limit) => TrainingEventRecord::list(conn, f, after, limit);
    key(r) => r.key();
    cells(row) => {
        let e = TrainingEvent::from(row);
        let audiences: Vec<String> = e.audiences.iter().map(|a| a.as_str().into()).collect();
        let guidelines: Vec<String> = e
            .guidelines
            .iter()
            .map(|g| format!("{}:{}", g.work_plan, g.number))
            .collect();
        vec![
            e.id,
            csv::opt(&e.member_state),
            e.organizer,
            e.title,
            csv::opt(&e.description),
            e.start_date,
            e.end_date,
            csv::opt(&e.city),
            e.modality.as_str().into(),
            csv::join(&audiences),
            csv::join(&guidelines),
            csv::opt(&e.participants_total),
            csv::opt(&e.participants_women),
            csv::opt(&e.participants_men),
            csv::opt(&e.partners),
            e.version.to_string(),
            e.created_at.to_db(),
            e.updated_at.to_db(),
            e.deleted_at.map(|t| t.to_db()).unwrap_or_default(),
        ]
    };
}
