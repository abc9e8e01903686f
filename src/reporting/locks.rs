//! Locks of mandate 10: while a member state's submission for a reporting cycle is `submitted` or
//! `validated`, nobody (administrators included) can change that state's indicator values for the
//! cycle's years or its commitments on the cycle's work plan (409): the submission must be
//! returned or reopened first, so validated data stay frozen.
//!
//! A lock is a promise even to writes that started before it: every write to a state's lockable
//! data and every transition of that state's submissions first take the state's submission lock
//! ([`hold_states`], [`hold_for_transition`]), so a transition waits for the writes in flight to
//! commit and a later write checks the locks only after the transition committed.

use std::collections::{BTreeSet, HashMap};

use diesel::QueryResult;

use crate::db::locks::{self, Mode};
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::SubmissionRow;

/// Namespace of the submission locks among PostgreSQL advisory locks ("PALM").
const SUBMISSION_LOCKS: i64 = 0x5041_4c4d;

/// The stable advisory-lock key of a member state: FNV-1a of its code (a collision only makes two
/// states queue on each other).
fn state_key(member_state: &str) -> u32 {
    member_state.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Takes `member_state`'s submission lock until the transaction ends: shared by writers of its
/// data, exclusive for a transition. On SQLite a no-op: `BEGIN IMMEDIATE` already serializes writers.
fn hold(conn: &mut AnyConnection, member_state: &str, mode: Mode) -> QueryResult<()> {
    let key = (SUBMISSION_LOCKS << 32) | i64::from(state_key(member_state));
    locks::advisory(conn, key, mode)
}

/// Before a write to the states' values or commitments (and before checking their locks): waits
/// for a transition of their submissions in flight, and keeps any from starting until the write
/// commits. Writers do not wait for each other. States are taken in code order, so writers of
/// several states never deadlock.
pub fn hold_states<'a>(
    conn: &mut AnyConnection,
    states: impl IntoIterator<Item = &'a str>,
) -> QueryResult<()> {
    let states: BTreeSet<&str> = states.into_iter().collect();
    for s in states {
        hold(conn, s, Mode::Shared)?;
    }
    Ok(())
}

/// Before a transition of `member_state`'s submission reads its status: waits for the writes to
/// the state's data in flight to commit, and keeps new ones waiting until the transition commits.
pub fn hold_for_transition(conn: &mut AnyConnection, member_state: &str) -> QueryResult<()> {
    hold(conn, member_state, Mode::Exclusive)
}

/// Locked years per member state, with the cycle that locks them.
#[derive(Debug, Default)]
pub struct ValueLocks {
    by_state: HashMap<String, Vec<(String, i32, i32)>>,
}

impl ValueLocks {
    /// Takes the states' submission locks ([`hold_states`]), then loads their locks: what it
    /// finds stays true until the caller's transaction ends.
    pub fn load<'a>(
        conn: &mut AnyConnection,
        states: impl IntoIterator<Item = &'a str>,
    ) -> ApiResult<Self> {
        let states: BTreeSet<&str> = states.into_iter().collect();
        hold_states(conn, states.iter().copied())?;
        let mut by_state = HashMap::new();
        for s in states {
            let cycles = SubmissionRow::locking_cycles(conn, s)?
                .into_iter()
                .map(|(c, from, to, _)| (c, from, to))
                .collect();
            by_state.insert(s.to_string(), cycles);
        }
        Ok(Self { by_state })
    }

    /// The cycle locking `member_state`'s values of `year`, if any.
    pub fn locking(&self, member_state: &str, year: i32) -> Option<&str> {
        self.by_state
            .get(member_state)?
            .iter()
            .find(|(_, from, to)| (*from..=*to).contains(&year))
            .map(|(c, _, _)| c.as_str())
    }
}

/// Why a value is locked, for problem details and row errors.
pub fn value_message(member_state: &str, year: i32, cycle: &str) -> String {
    format!(
        "{member_state}'s submission for reporting cycle {cycle} is submitted or validated: its {year} values are locked until the \
         General Secretariat returns or reopens it"
    )
}

/// 409 when `member_state`'s values of `year` are locked (after taking the state's submission
/// lock, [`hold_states`]).
pub fn check_value(conn: &mut AnyConnection, member_state: &str, year: i32) -> ApiResult<()> {
    let locks = ValueLocks::load(conn, [member_state])?;
    match locks.locking(member_state, year) {
        Some(cycle) => Err(locked(
            conn,
            member_state,
            cycle,
            value_message(member_state, year, cycle),
        )?),
        None => Ok(()),
    }
}

/// 409 when `member_state`'s commitments on `work_plan` are locked (after taking the state's
/// submission lock, [`hold_states`]).
pub fn check_commitments(
    conn: &mut AnyConnection,
    member_state: &str,
    work_plan: &str,
) -> ApiResult<()> {
    hold_states(conn, [member_state])?;
    for (cycle, _, _, plan) in SubmissionRow::locking_cycles(conn, member_state)? {
        if plan == work_plan {
            let detail = format!(
                "{member_state}'s submission for reporting cycle {cycle} is submitted or validated: its {plan} commitments are \
                 locked until the General Secretariat returns or reopens it."
            );
            return Err(locked(conn, member_state, &cycle, detail)?);
        }
    }
    Ok(())
}

/// The 409 `urn:palermo:problem:locked` of a write refused by `cycle`'s lock on `member_state`'s
/// data: it names the cycle, the submission's status and the transition that releases it
/// (`return` a submitted report, `reopen` a validated one).
pub fn locked(
    conn: &mut AnyConnection,
    member_state: &str,
    cycle: &str,
    detail: String,
) -> ApiResult<ApiError> {
    use crate::domain::SubmissionStatus;
    let status = SubmissionRow::find(conn, cycle, member_state)?
        .map_or(SubmissionStatus::Submitted, |s| s.status);
    let release = match status {
        SubmissionStatus::Validated => "reopen",
        _ => "return",
    };
    Ok(ApiError::new(
        actix_web::http::StatusCode::CONFLICT,
        "locked",
        "Locked",
        format!("{detail} Release: POST /api/v1/reporting-cycles/{cycle}/submissions/{member_state}/{release}."),
    )
    .with_extension("cycle", serde_json::json!(cycle))
    .with_extension("submission_status", serde_json::json!(status))
    .with_extension("release", serde_json::json!(release)))
}
