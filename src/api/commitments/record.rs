//! How commitments go through the pipelines: validation, the natural key, the versioned record
//! and the list with its CSV cells.

use diesel::QueryResult;

use super::wire::{Commitment, CommitmentInput, CommitmentListParams, CommitmentPath};
use crate::api::http::csv;
use crate::api::http::extract::bounded;
use crate::api::http::list::ListParams;
use crate::api::http::write::{self, Versioned};
use crate::auth::Owner;
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::{contact, CommitmentStatus, MemberStateCode};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::commitment::{CommitmentRow, Filter, Key};
use crate::models::member_state::MemberStateRow;
use crate::models::work_plan::GuidelineRow;
use crate::timestamp::Timestamp;

/// Checks every field at once; returns the input with its texts normalised.
pub fn validate(input: &CommitmentInput) -> Result<CommitmentInput, ApiError> {
    let mut e = FieldErrors::default();
    let mut out = input.clone();
    let mut text = |field: &str, v: &Option<String>, max: usize| {
        e.check_opt(format!("/{field}"), v.as_deref(), |t| contact::text(t, max))
    };
    out.lead_institution = text("lead_institution", &input.lead_institution, 300);
    out.actions = text("actions", &input.actions, 5000);
    if let Some(d) = &input.target_date {
        if let Err(m) = contact::date(d) {
            e.add("/target_date", m);
        }
    }
    if input.evidence_urls.len() > 20 {
        e.add("/evidence_urls", "must have at most 20 links");
    }
    for (i, u) in input.evidence_urls.iter().enumerate() {
        if let Err(m) = contact::web_url(u) {
            e.add(format!("/evidence_urls/{i}"), m);
        } else if input.evidence_urls[..i].contains(u) {
            e.add(format!("/evidence_urls/{i}"), "is repeated");
        }
    }
    match (input.budget_allocated, &input.currency) {
        (Some(b), cur) => {
            if !b.is_finite() || !(0.0..=1e15).contains(&b) {
                e.add("/budget_allocated", "must be between 0 and 10^15");
            } else if ((b * 100.0).round() - b * 100.0).abs() > 1e-6 {
                e.add("/budget_allocated", "must have at most two decimals");
            }
            match cur {
                None => e.add("/currency", "is required with budget_allocated"),
                Some(c) => {
                    if let Err(m) = contact::currency(c) {
                        e.add("/currency", m);
                    }
                }
            }
        }
        (None, Some(_)) => e.add("/currency", "is only allowed with budget_allocated"),
        (None, None) => {}
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(e.error())
    }
}

/// `base` with the fields of `input` (a validated input).
pub fn with_input(base: &CommitmentRow, input: &CommitmentInput) -> CommitmentRow {
    CommitmentRow {
        status: input.status,
        lead_institution: input.lead_institution.clone(),
        actions: input.actions.clone(),
        target_date: input.target_date.clone(),
        evidence_urls: JsonText::new(input.evidence_urls.clone()),
        budget_allocated: input.budget_allocated,
        currency: input.currency.clone(),
        ..base.clone()
    }
}

/// A new commitment on `key` at version 1, created now, with `input`'s fields.
pub fn fresh((code, plan, number): &Key, input: &CommitmentInput) -> CommitmentRow {
    let now = Timestamp::now();
    let base = CommitmentRow {
        id: write::new_id(),
        member_state: code.clone(),
        work_plan: plan.clone(),
        guideline_number: *number,
        status: CommitmentStatus::NotStarted,
        lead_institution: None,
        actions: None,
        target_date: None,
        evidence_urls: JsonText::new(Vec::new()),
        budget_allocated: None,
        currency: None,
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    with_input(&base, input)
}

/// Parses the natural key from the path; 422 names the malformed part.
pub fn natural_key(path: CommitmentPath) -> ApiResult<Key> {
    let CommitmentPath {
        code,
        work_plan: plan,
        number,
    } = path;
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("code", m))?;
    if plan.is_empty()
        || plan.len() > 16
        || !plan
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::invalid(
            "work_plan",
            "must be a work-plan code such as WP2",
        ));
    }
    let n = number
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::invalid("number", "must be a positive guideline number"))?;
    Ok((code, plan, n))
}

/// The commitment on `key`, deleted or not; 404 unless the member state and the guideline exist.
pub fn find(conn: &mut AnyConnection, key: &Key) -> ApiResult<Option<CommitmentRow>> {
    let (code, plan, number) = key;
    if !MemberStateRow::exists(conn, code)? {
        return Err(ApiError::not_found(format!(
            "No member state with code {code}."
        )));
    }
    if GuidelineRow::find(conn, plan, *number)?.is_none() {
        return Err(ApiError::not_found(format!(
            "{plan} has no guideline {number}."
        )));
    }
    Ok(CommitmentRow::find(conn, code, plan, *number)?)
}

/// The 404 of a commitment that is not there (or deleted).
pub fn missing((code, plan, number): &Key) -> ApiError {
    ApiError::not_found(format!(
        "{code} has no commitment on {plan} guideline {number}."
    ))
}

/// The list's filter from its query parameters.
pub fn filter(q: CommitmentListParams, list: &ListParams) -> ApiResult<Filter> {
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    bounded("work_plan", q.work_plan.as_deref(), 16)?;
    bounded("section", q.section.as_deref(), 32)?;
    bounded("guideline", q.guideline.as_deref(), 24)?;
    if q.section.is_some() && q.work_plan.is_none() {
        return Err(ApiError::invalid(
            "section",
            "needs work_plan (section keys belong to a work plan)",
        ));
    }
    let mut work_plan = q.work_plan;
    let guideline = match q.guideline.as_deref() {
        None => None,
        Some(g) => {
            let (plan, number) = match g.split_once(':') {
                Some((p, n)) => (Some(p.to_string()), n),
                None => (None, g),
            };
            let n = number
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "guideline",
                        "must be a guideline number or WORKPLAN:NUMBER such as WP2:12",
                    )
                })?;
            if let Some(p) = plan {
                if work_plan.as_ref().is_some_and(|w| w != &p) {
                    return Err(ApiError::invalid(
                        "guideline",
                        "names another work plan than work_plan",
                    ));
                }
                work_plan = Some(p);
            }
            Some(n)
        }
    };
    Ok(Filter {
        member_state: q.member_state,
        work_plan,
        section: q.section,
        guideline,
        status: q.status,
        updated_since: list.since()?,
        include_deleted: list.include_deleted(),
    })
}

impl Versioned for CommitmentRow {
    const KIND: &'static str = "commitment";
    const NOUN: &'static str = "commitment";
    type View = Commitment;
    const TABLE: &'static str = "commitments";

    fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        CommitmentRow::live(conn, id)
    }
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        CommitmentRow::insert(self, conn)
    }
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        self.update(conn, expected_version)
    }
    crate::versioned_fields!(id);
    fn owner(&self) -> Owner<'_> {
        Owner::State(&self.member_state)
    }
    fn view(&self) -> Commitment {
        self.clone()
    }
    fn location(&self) -> String {
        format!(
            "/api/v1/member-states/{}/commitments/{}/{}",
            self.member_state, self.work_plan, self.guideline_number
        )
    }
}

crate::listing! {
    /// The commitment list, ordered by member state, work plan and guideline.
    Commitments: CommitmentRow => Self, "commitment", "commitments.csv", [
        "id", "member_state", "work_plan", "guideline", "status", "lead_institution", "actions",
        "target_date", "evidence_urls", "budget_allocated", "currency", "version", "created_at",
        "updated_at", "deleted_at",
    ];
    fetch(conn, f: Filter, after: Key, limit) => CommitmentRow::list(conn, f, after, limit);
    key(r) => (r.member_state.clone(), r.work_plan.clone(), r.guideline_number);
    cells(c) => vec![
        c.id.clone(),
        c.member_state.clone(),
        c.work_plan.clone(),
        c.guideline_number.to_string(),
        c.status.as_str().into(),
        csv::opt(&c.lead_institution),
        csv::opt(&c.actions),
        csv::opt(&c.target_date),
        csv::join(c.evidence_urls.get()),
        csv::opt(&c.budget_allocated),
        csv::opt(&c.currency),
        c.version.to_string(),
        c.created_at.to_db(),
        c.updated_at.to_db(),
        csv::opt(&c.deleted_at),
    ];
}
