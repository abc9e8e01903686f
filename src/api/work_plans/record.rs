//! How work plans go through the pipelines: validation, the versioned record (a plan is written
//! once, with its sections, guidelines and mandates), and the lists of plans, guidelines and
//! mandates with their CSV cells.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::QueryResult;

use super::wire::{NewWorkPlan, Section, WorkPlan, WorkPlanSummary};
use crate::api::http::rows::conflict_as;
use crate::api::http::write::Versioned;
use crate::auth::Owner;
use crate::db::rows::Keyset;
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::work_plan::{GuidelineRow, MandateRow, SectionRow, WorkPlanRow};
use crate::timestamp::Timestamp;

fn text_ok(errors: &mut FieldErrors, field: String, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.add(field, "must not be empty");
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        errors.add(field, "must not contain control characters");
    }
}

/// A guideline or mandate number: 1 to 10000, not repeated.
fn number_ok(errors: &mut FieldErrors, seen: &mut HashSet<i32>, field: String, n: i32) {
    if !(1..=10000).contains(&n) {
        errors.add(field, "must be between 1 and 10000");
    } else if !seen.insert(n) {
        errors.add(field, "is repeated");
    }
}

/// A date written exactly `YYYY-MM-DD` (chrono alone also takes `2021-1-1`, ` 2021-01-01`, `+2021-01-01`).
fn strict_date(raw: &str) -> Result<NaiveDate, ()> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == raw)
        .ok_or(())
}

impl NewWorkPlan {
    /// Checks every field at once.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut e = FieldErrors::default();
        if !(2..=16).contains(&self.code.len())
            || !self
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            e.add(
                "/code",
                "must be 2 to 16 upper-case letters, digits, '-' or '_'",
            );
        }
        text_ok(&mut e, "/title".into(), &self.title, 500);
        let start = strict_date(&self.period_start);
        let end = strict_date(&self.period_end);
        if start.is_err() {
            e.add("/period_start", "must be a date YYYY-MM-DD");
        }
        if end.is_err() {
            e.add("/period_end", "must be a date YYYY-MM-DD");
        }
        if let (Ok(s), Ok(t)) = (start, end) {
            if t < s {
                e.add("/period_end", "must not be before period_start");
            }
        }
        if let Some(note) = &self.note {
            text_ok(&mut e, "/note".into(), note, 5000);
        }
        for (name, list) in [("aims", &self.aims), ("principles", &self.principles)] {
            if list.len() > 100 {
                e.add(format!("/{name}"), "must have at most 100 items");
            }
            for (i, t) in list.iter().enumerate() {
                text_ok(&mut e, format!("/{name}/{i}"), t, 5000);
            }
        }
        if self.sections.is_empty() {
            e.add("/sections", "must have at least one section");
        }
        let mut keys = HashSet::new();
        for (i, s) in self.sections.iter().enumerate() {
            let valid = !s.key.is_empty()
                && s.key.len() <= 32
                && s.key.starts_with(|c: char| c.is_ascii_lowercase())
                && s.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                e.add(
                    format!("/sections/{i}/key"),
                    "must be snake_case, up to 32 characters",
                );
            } else if !keys.insert(s.key.as_str()) {
                e.add(format!("/sections/{i}/key"), "is repeated");
            }
            text_ok(&mut e, format!("/sections/{i}/title"), &s.title, 500);
        }
        if self.guidelines.is_empty() {
            e.add("/guidelines", "must have at least one guideline");
        }
        if self.guidelines.len() > 1000 || self.mandates.len() > 1000 {
            e.add(
                "/guidelines",
                "a plan has at most 1000 guidelines and 1000 mandates",
            );
        }
        let mut numbers = HashSet::new();
        for (i, g) in self.guidelines.iter().enumerate() {
            number_ok(
                &mut e,
                &mut numbers,
                format!("/guidelines/{i}/number"),
                g.number,
            );
            if !keys.contains(g.section.as_str()) {
                e.add(
                    format!("/guidelines/{i}/section"),
                    "is not one of the plan's sections",
                );
            }
            text_ok(&mut e, format!("/guidelines/{i}/text"), &g.text, 10000);
        }
        let mut numbers = HashSet::new();
        for (i, m) in self.mandates.iter().enumerate() {
            number_ok(
                &mut e,
                &mut numbers,
                format!("/mandates/{i}/number"),
                m.number,
            );
            text_ok(&mut e, format!("/mandates/{i}/text"), &m.text, 10000);
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e.error())
        }
    }
}

impl NewWorkPlan {
    /// The record to insert, stamped now.
    pub fn record(&self) -> WorkPlanRecord {
        let now = Timestamp::now();
        let code = &self.code;
        WorkPlanRecord {
            plan: WorkPlanRow {
                code: code.clone(),
                title: self.title.clone(),
                period_start: self.period_start.clone(),
                period_end: self.period_end.clone(),
                note: self.note.clone(),
                aims: JsonText::new(self.aims.clone()),
                principles: JsonText::new(self.principles.clone()),
                version: 1,
                created_at: now,
                updated_at: now,
            },
            sections: (1..)
                .zip(&self.sections)
                .map(|(position, s)| SectionRow {
                    work_plan: code.clone(),
                    section_key: s.key.clone(),
                    title: s.title.clone(),
                    position,
                })
                .collect(),
            guidelines: self
                .guidelines
                .iter()
                .map(|g| GuidelineRow {
                    work_plan: code.clone(),
                    number: g.number,
                    section: g.section.clone(),
                    text: g.text.clone(),
                })
                .collect(),
            mandates: self
                .mandates
                .iter()
                .map(|m| MandateRow {
                    work_plan: code.clone(),
                    number: m.number,
                    text: m.text.clone(),
                })
                .collect(),
        }
    }
}

/// A work plan with its sections; its guidelines and mandates are written with it (and loaded
/// only by their lists).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkPlanRecord {
    pub plan: WorkPlanRow,
    pub sections: Vec<SectionRow>,
    pub guidelines: Vec<GuidelineRow>,
    pub mandates: Vec<MandateRow>,
}

/// The plan `code`, or 404.
pub fn load(conn: &mut AnyConnection, code: &str) -> ApiResult<WorkPlanRecord> {
    <WorkPlanRecord as Versioned>::find(conn, code)?
        .ok_or_else(|| ApiError::not_found(format!("No work plan with code {code}.")))
}

impl Versioned for WorkPlanRecord {
    const KIND: &'static str = "work_plan";
    const NOUN: &'static str = "work plan";
    type View = WorkPlan;
    const TABLE: &'static str = "work_plans";
    const KEY_COLUMN: &'static str = "code";

    fn find(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<Self>> {
        let Some(plan) = WorkPlanRow::find(conn, code)? else {
            return Ok(None);
        };
        Ok(Some(WorkPlanRecord {
            plan,
            sections: SectionRow::for_plan(conn, code)?,
            guidelines: Vec::new(),
            mandates: Vec::new(),
        }))
    }
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        WorkPlanRow::insert_full(
            conn,
            &self.plan,
            &self.sections,
            &self.guidelines,
            &self.mandates,
        )
    }
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        self.plan.update(conn, expected_version)
    }
    crate::versioned_fields!(in plan: code);
    fn owner(&self) -> Owner<'_> {
        Owner::Secretariat
    }
    fn view(&self) -> WorkPlan {
        let p = &self.plan;
        WorkPlan {
            code: p.code.clone(),
            title: p.title.clone(),
            period_start: p.period_start.clone(),
            period_end: p.period_end.clone(),
            note: p.note.clone(),
            aims: p.aims.get().clone(),
            principles: p.principles.get().clone(),
            sections: self
                .sections
                .iter()
                .map(|s| Section {
                    key: s.section_key.clone(),
                    title: s.title.clone(),
                })
                .collect(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
    fn location(&self) -> String {
        format!("/api/v1/work-plans/{}", self.plan.code)
    }
    fn write_error(&self, e: diesel::result::Error) -> ApiError {
        conflict_as(e, || exists(&self.plan.code))
    }
}

/// The 409 of a second plan with the same code.
pub fn exists(code: &str) -> ApiError {
    ApiError::conflict(format!("A work plan with code {code} exists."))
}

crate::listing! {
    /// The plans, ordered by code; the filter is `updated_since`.
    Plans: WorkPlanRow => WorkPlanSummary, "work_plans", "work-plans.csv", [
        "code", "title", "period_start", "period_end", "version", "updated_at",
    ];
    fetch(conn, since: Option<Timestamp>, after: String, limit) =>
        WorkPlanRow::list(conn, after.map(String::as_str), *since, limit);
    key(r) => r.code.clone();
}

/// Which of a plan's guidelines or mandates a list shows. They are written with their plan:
/// when it did not change since `updated_since`, none of them did (`changed` is false).
pub struct PlanPart {
    pub plan: String,
    pub section: Option<String>,
    pub changed: bool,
}

crate::listing! {
    /// A plan's guidelines, ordered by number.
    Guidelines: GuidelineRow => Self, "guidelines", "guidelines.csv",
        ["work_plan", "number", "section", "text"];
    fetch(conn, part: PlanPart, after: i32, limit) => match part.changed {
        true => GuidelineRow::list(conn, &part.plan, part.section.as_deref(), after.copied(), limit),
        false => Ok(Vec::new()),
    };
    key(r) => r.number;
}

crate::listing! {
    /// A plan's mandates, ordered by number.
    Mandates: MandateRow => Self, "mandates", "mandates.csv", ["work_plan", "number", "text"];
    fetch(conn, part: PlanPart, after: i32, limit) => match part.changed {
        true => MandateRow::list(conn, &part.plan, after.copied(), limit),
        false => Ok(Vec::new()),
    };
    key(r) => r.number;
}
