//! The batch import after its rows are read and validated, whatever the body's format (JSON rows,
//! SDMX-CSV lines): repeated keys refused, locked periods refused, the rest compared with what is
//! stored and written in one transaction, and the summary (or the refused batch's 422).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::wire::{ImportParams, ImportRejected, ImportSummary, Mode};
use crate::auth::Writer;
use crate::db::pool::write_transaction;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::{
    self, Catalog, Checked, Counts, RowError, ValidRow, MAX_ERRORS_LISTED,
};

/// How a batch is applied: `mode`, and whether it is a dry run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub dry_run: bool,
    pub mode: Mode,
}

impl Options {
    pub fn of(params: &ImportParams) -> Self {
        Self {
            dry_run: params.dry_run.unwrap_or(false),
            mode: params.mode.unwrap_or(Mode::Atomic),
        }
    }
}

/// Locks, compares and (unless a dry run, or a refused atomic batch) writes the checked rows;
/// `rename` gives each error's field as the body named it.
pub fn import(
    conn: &mut AnyConnection,
    writer: &Writer,
    catalog: &Catalog,
    checked: Checked,
    options: Options,
    rename: fn(&str) -> String,
) -> ApiResult<ImportSummary> {
    let Options { dry_run, mode } = options;
    let Checked {
        received,
        valid,
        mut errors,
        mut rejected,
    } = checked;
    let valid = indicator_import::reject_repeated_keys(valid, &mut errors, &mut rejected);
    let (counts, locked, warnings) = write_transaction(conn, |conn| {
        // Rows of a locked (submitted or validated) state and year are rejected.
        let locks =
            crate::locks::ValueLocks::load(conn, valid.iter().map(|r| r.member_state.as_str()))?;
        let locked: Vec<RowError> = valid
            .iter()
            .filter_map(|r| {
                let cycle = locks.locking(&r.member_state, r.year())?;
                Some(RowError {
                    index: r.index,
                    field: "period".into(),
                    code: "locked".into(),
                    message: crate::locks::value_message(&r.member_state, r.year(), cycle),
                })
            })
            .collect();
        let refuse = mode == Mode::Atomic && (rejected > 0 || !locked.is_empty());
        let open: Vec<ValidRow>;
        let rows = if locked.is_empty() {
            &valid
        } else {
            open = valid
                .iter()
                .filter(|r| locks.locking(&r.member_state, r.year()).is_none())
                .cloned()
                .collect();
            &open
        };
        let counts = indicator_import::apply(conn, writer, rows, dry_run || refuse)?;
        let warnings = crate::quality::checks::after_import(conn, catalog, rows)?;
        Ok::<_, ApiError>((counts, locked, warnings))
    })?;
    if counts.created > 0 || counts.deleted > 0 {
        crate::db::statistics::refresh(conn)?;
    }
    rejected += locked.len();
    errors.extend(locked);
    errors.sort_by_key(|e| e.index);
    let errors_total = errors.len();
    errors.truncate(MAX_ERRORS_LISTED);
    for e in &mut errors {
        e.field = rename(&e.field);
    }
    let Counts {
        created,
        updated,
        unchanged,
        deleted,
    } = counts;
    let refuse = mode == Mode::Atomic && rejected > 0;
    Ok(ImportSummary {
        received,
        created,
        updated,
        unchanged,
        deleted,
        rejected,
        written: !dry_run && !refuse && (created + updated + deleted) > 0,
        dry_run,
        mode,
        errors,
        errors_total,
        warnings,
    })
}

/// The answer to an import: the summary, or a refused atomic batch's problem document.
pub fn answer(summary: ImportSummary) -> ApiResult<HttpResponse> {
    if summary.mode == Mode::Atomic && summary.rejected > 0 {
        let detail = format!(
            "{} of {} values {} invalid; nothing was written. Fix the rows listed in errors and send the batch again.",
            summary.rejected,
            summary.received,
            if summary.rejected == 1 { "is" } else { "are" }
        );
        let body = ImportRejected {
            problem_type: "urn:palermo:problem:import-rejected".into(),
            title: "Batch rejected".into(),
            status: 422,
            detail,
            summary,
        };
        let json = serde_json::to_vec(&body).map_err(ApiError::internal)?;
        return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type(crate::error::PROBLEM_JSON)
            .body(json));
    }
    Ok(HttpResponse::Ok().json(summary))
}
