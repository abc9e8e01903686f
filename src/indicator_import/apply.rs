//! Writing a validated batch: each row compared with what is stored, then created, updated, or
//! left unchanged when identical, with one audit event for the batch.
//!
//! Safe under concurrent batches on PostgreSQL (SQLite serializes write transactions):
//! 1. the stored rows are read without locks, only to tell the keys to create from the others;
//! 2. the new keys are inserted first, in natural-key order; a key another batch created meanwhile
//!    is not inserted (`ON CONFLICT DO NOTHING` waits for that batch to commit) but joins the rest;
//! 3. the rest are read again under their row locks (`SELECT ... FOR UPDATE`, one global order),
//!    so each change is compared with, and made on top of, the last committed version.
//!
//! Inserts wait only on other inserts (taken in one order), lock reads only on other lock holders
//! (taken in one order), and a batch takes no insert after its locks: no cycle, no deadlock.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{RowAction, ValidRow};
use crate::auth::Writer;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::models::audit_event::AuditEventRow;
use crate::models::indicator_value::IndicatorValueRow;
use crate::timestamp::Timestamp;

/// Counts of a batch: what writing its valid rows did (or would do, for a dry run).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Values turned into tombstones (rows with a delete action).
    pub deleted: usize,
}

/// A natural key as [`ValidRow::key`] gives it: member state, indicator, period, disaggregation.
type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

fn stored_key(r: &IndicatorValueRow) -> Key<'_> {
    (&r.member_state, &r.indicator, &r.period, &r.disaggregation)
}

/// Stored rows (deleted or not) that `rows` may name, read group by group in byte order of
/// (indicator, member state); locked until the transaction ends when `lock`.
fn load(
    conn: &mut AnyConnection,
    rows: &[&ValidRow],
    lock: bool,
) -> Result<Vec<IndicatorValueRow>, ApiError> {
    let mut groups: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((r.indicator.as_str(), r.member_state.as_str()))
            .or_default()
            .push(r.period.clone());
    }
    let mut out = Vec::new();
    for ((indicator, member_state), mut periods) in groups {
        periods.sort();
        periods.dedup();
        out.extend(if lock {
            IndicatorValueRow::lock_for_periods(conn, indicator, member_state, &periods)?
        } else {
            IndicatorValueRow::for_periods(conn, indicator, member_state, &periods)?
        });
    }
    Ok(out)
}

/// What writing `rows` over `stored` does.
#[derive(Default)]
struct Plan {
    counts: Counts,
    inserts: Vec<IndicatorValueRow>,
    updates: Vec<(IndicatorValueRow, IndicatorValueRow)>,
}

fn plan(rows: &[&ValidRow], stored: &[IndicatorValueRow], writer: &Writer, now: Timestamp) -> Plan {
    let stored: HashMap<Key, &IndicatorValueRow> =
        stored.iter().map(|r| (stored_key(r), r)).collect();
    let mut p = Plan::default();
    for r in rows {
        if r.action != RowAction::Upsert {
            plan_delete(&mut p, r, stored.get(&r.key()).copied(), writer, now);
            continue;
        }
        match stored.get(&r.key()) {
            Some(s) if same_content(s, r) => p.counts.unchanged += 1,
            Some(s) => {
                if s.deleted_at.is_some() {
                    p.counts.created += 1;
                } else {
                    p.counts.updated += 1;
                }
                let after = IndicatorValueRow {
                    value: r.value.clone(),
                    flag: r.flag,
                    comment: r.comment.clone(),
                    source: r.source.clone(),
                    reported_by: writer.caller().username.clone(),
                    version: s.version + 1,
                    updated_at: now,
                    deleted_at: None,
                    ..(*s).clone()
                };
                p.updates.push(((*s).clone(), after));
            }
            None => {
                p.counts.created += 1;
                p.inserts.push(new_row(r, writer, now));
            }
        }
    }
    p
}

/// A delete row over what is stored under its key: a stored value becomes a tombstone (its content
/// kept, as `DELETE` keeps it); a tombstone stays as it is; a key never stored gets a tombstone
/// with the row's content, or nothing when the row gave only the key.
fn plan_delete(
    p: &mut Plan,
    r: &ValidRow,
    stored: Option<&IndicatorValueRow>,
    writer: &Writer,
    now: Timestamp,
) {
    match stored {
        Some(s) if s.deleted_at.is_some() => p.counts.unchanged += 1,
        Some(s) => {
            p.counts.deleted += 1;
            let after = IndicatorValueRow {
                reported_by: writer.caller().username.clone(),
                version: s.version + 1,
                updated_at: now,
                deleted_at: Some(now),
                ..s.clone()
            };
            p.updates.push((s.clone(), after));
        }
        None if r.action == RowAction::DeleteKey => p.counts.unchanged += 1,
        None => {
            p.counts.deleted += 1;
            p.inserts.push(IndicatorValueRow {
                deleted_at: Some(now),
                ..new_row(r, writer, now)
            });
        }
    }
}

fn new_row(r: &ValidRow, writer: &Writer, now: Timestamp) -> IndicatorValueRow {
    IndicatorValueRow {
        id: uuid::Uuid::now_v7().to_string(),
        indicator: r.indicator.clone(),
        member_state: r.member_state.clone(),
        period: r.period.clone(),
        disaggregation: r.disaggregation.clone(),
        value: r.value.clone(),
        flag: r.flag,
        comment: r.comment.clone(),
        source: r.source.clone(),
        reported_by: writer.caller().username.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

fn same_content(stored: &IndicatorValueRow, row: &ValidRow) -> bool {
    stored.deleted_at.is_none()
        && stored.value == row.value
        && stored.flag == row.flag
        && stored.comment == row.comment
        && stored.source == row.source
}

fn snapshot(r: &IndicatorValueRow) -> Value {
    serde_json::json!({
        "id": r.id, "indicator": r.indicator, "member_state": r.member_state, "period": r.period,
        "disaggregation": r.disaggregation, "value": r.value, "flag": r.flag, "comment": r.comment,
        "source": r.source, "version": r.version, "deleted_at": r.deleted_at,
    })
}

/// Compares `rows` (validated, keys unique) with what is stored and, unless `dry_run`, writes the
/// difference and one audit event. Call inside a write transaction.
pub fn apply(
    conn: &mut AnyConnection,
    writer: &Writer,
    rows: &[ValidRow],
    dry_run: bool,
) -> Result<Counts, ApiError> {
    let now = Timestamp::now();
    let all: Vec<&ValidRow> = rows.iter().collect();
    let seen = load(conn, &all, false)?;
    let first = plan(&all, &seen, writer, now);
    if dry_run {
        return Ok(first.counts);
    }
    let mut new = first.inserts;
    new.sort_by(|a, b| stored_key(a).cmp(&stored_key(b)));
    let taken = IndicatorValueRow::insert_new(conn, &new)?;
    let (lost, mut created): (Vec<_>, Vec<_>) =
        new.into_iter().partition(|r| taken.contains(&r.id));
    let again: HashSet<Key> = seen.iter().chain(&lost).map(stored_key).collect();
    // Rows of keys not stored before were inserted above, but for deletions of keys never
    // stored, which do nothing; neither is looked at again.
    let (rest, new_keys): (Vec<&ValidRow>, Vec<&ValidRow>) =
        all.into_iter().partition(|r| again.contains(&r.key()));
    let vacuous = new_keys
        .iter()
        .filter(|r| r.action == RowAction::DeleteKey)
        .count();
    let locked = load(conn, &rest, true)?;
    let second = plan(&rest, &locked, writer, now);
    // Rows are never removed (deletion leaves a tombstone), so this stays empty.
    IndicatorValueRow::insert_many(conn, &second.inserts)?;
    // Keys inserted here are created values, or tombstones of delete rows.
    let tombstones = created.iter().filter(|r| r.deleted_at.is_some()).count();
    let counts = Counts {
        created: created.len() - tombstones + second.counts.created,
        deleted: tombstones + second.counts.deleted,
        unchanged: second.counts.unchanged + vacuous,
        ..second.counts
    };
    created.extend(second.inserts);
    let updates = second.updates;
    if !created.is_empty() || !updates.is_empty() {
        for (_, after) in &updates {
            after.update(conn)?;
        }
        let batch_id = uuid::Uuid::now_v7().to_string();
        let after = serde_json::json!({
            // A created value's first state is its row at version 1: the row itself while unchanged,
            // or the `before` of the update that changed it. Ids keep the event small.
            "created": created.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            "updated": updates.iter().map(|(b, a)| serde_json::json!({"before": snapshot(b), "after": snapshot(a)})).collect::<Vec<_>>(),
            "unchanged": counts.unchanged,
        });
        AuditEventRow::record(
            conn,
            writer.actor().at(now),
            "import",
            "indicator_value_batch",
            &batch_id,
            None::<&()>,
            Some(&after),
        )?;
    }
    Ok(counts)
}
