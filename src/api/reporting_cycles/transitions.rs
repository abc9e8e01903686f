//! The review workflow's endpoints: submit (the state's reporter or an admin), return, validate
//! and reopen (admins). The rules of which status follows which are in
//! [`crate::reporting::submissions::Transition`].

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::record::SubmissionRecord;
use super::wire::{ReturnBody, SubmissionPath, TransitionBody};
use crate::api::http::language;
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Admin, Owner, With, Writer};
use crate::db::pool::write_transaction;
use crate::domain::{contact, CycleStatus, SubmissionStatus};
use crate::error::{ApiError, ApiResult};
use crate::models::member_state::MemberStateRow;
use crate::models::reporting_cycle::SubmissionRow;
use crate::reporting::submissions::{submission_of, Submission, Transition};
use crate::reporting::{self};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// Takes transition `t` of `path`'s submission in one write transaction, audited under the
/// transition's name; answers the submission as it is after.
async fn transition(
    req: &HttpRequest,
    writer: &Writer,
    state: &AppState,
    path: SubmissionPath,
    body: TransitionBody,
    t: Transition,
) -> ApiResult<HttpResponse> {
    let (code, ms) = path.checked()?;
    writer.scope(Owner::State(&ms))?;
    let comment = match &body.comment {
        Some(c) => Some(contact::text(c, 5000).map_err(|m| ApiError::invalid("/comment", m))?),
        None => None,
    };
    if t == Transition::Return && comment.is_none() {
        return Err(ApiError::invalid(
            "/comment",
            "is required to return a submission",
        ));
    }
    let lang = language::negotiate(req);
    let writer = writer.clone();
    let item: Submission = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            // Writes to the state's data in flight commit first; later ones see the new status.
            reporting::locks::hold_for_transition(conn, &ms)?;
            let cycle = reporting::cycle(conn, &code)?;
            if !MemberStateRow::exists(conn, &ms)? {
                return Err(ApiError::not_found(format!(
                    "No member state with code {ms}."
                )));
            }
            if cycle.status == CycleStatus::Closed && !t.allowed_when_closed() {
                return Err(ApiError::conflict(format!(
                    "Reporting cycle {code} is closed."
                )));
            }
            let before = SubmissionRecord::find(conn, &format!("{code}/{ms}"))?;
            let to = t.apply(
                before
                    .as_ref()
                    .map_or(SubmissionStatus::Draft, |b| b.row.status),
            )?;
            if matches!(t, Transition::Submit | Transition::Validate) {
                crate::quality::validation::guard(conn, &cycle, &ms, t.name())?;
            }
            let after = SubmissionRecord::new(SubmissionRow {
                cycle: code.clone(),
                member_state: ms.clone(),
                status: to,
                comment: comment.clone(),
                version: before.as_ref().map_or(1, |b| b.version() + 1),
                updated_at: Timestamp::now(),
                updated_by: writer.caller().username.clone(),
            });
            let scope = writer.scope(after.owner())?;
            match &before {
                Some(b) if !after.store(conn, b.version())? => {
                    return Err(ApiError::precondition_failed(
                        "The submission changed concurrently; reload it and retry.",
                    ))
                }
                Some(_) => {}
                None => after.insert(conn)?,
            }
            write::audit(conn, &scope, t.name(), before.as_ref(), Some(&after))?;
            submission_of(conn, &cycle, &ms, lang)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(item))
}

macro_rules! transition_handler {
    ($name:ident, $grant:ty, $path:literal, $t:expr, $doc:literal, $example:expr) => {
        transition_handler!($name, $grant, $path, $t, $doc, $example, TransitionBody);
    };
    ($name:ident, $grant:ty, $path:literal, $t:expr, $doc:literal, $example:expr, $documented:ty) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "reporting-cycles",
            params(SubmissionPath),
            request_body(content = $documented, example = $example),
            responses(
                (status = 200, description = "The submission after the transition", body = Submission),
                (status = 409, response = crate::api::problems::Conflict),
            )
        )]
        #[post($path)]
        pub async fn $name(
            req: HttpRequest,
            state: web::Data<AppState>,
            path: web::Path<SubmissionPath>,
            body: With<$grant, TransitionBody>,
        ) -> ApiResult<HttpResponse> {
            let With(grant, body) = body;
            transition(&req, &grant, &state, path.into_inner(), body, $t).await
        }
    };
}

transition_handler!(
    submit_submission,
    Writer,
    "/{code}/submissions/{member_state}/submit",
    Transition::Submit,
    "Submit a state's report for review (that state's reporter, or admin): draft or returned -> submitted. \
     While submitted or validated, the state's values for the cycle's years and its commitments are locked for reporters.",
    json!({})
);
transition_handler!(
    return_submission,
    Admin,
    "/{code}/submissions/{member_state}/return",
    Transition::Return,
    "Return a submitted report to the state with a comment (admin): submitted -> returned.",
    json!({"comment": "Please add the 2020 disaggregation by sex."}),
    ReturnBody
);
transition_handler!(
    validate_submission,
    Admin,
    "/{code}/submissions/{member_state}/validate",
    Transition::Validate,
    "Validate a submitted report (admin): submitted -> validated.",
    json!({})
);
transition_handler!(
    reopen_submission,
    Admin,
    "/{code}/submissions/{member_state}/reopen",
    Transition::Reopen,
    "Reopen a report for changes (admin): submitted, returned or validated -> draft.",
    json!({"comment": "Reopened at the state's request."})
);
