//! What the public view may show of indicator values: values of validated submissions only
//! (a member state's values whose year falls in a cycle its submission is validated for), totals
//! and one-dimension breakdowns only, each group (indicator, member state, period) protected as a
//! whole by [`suppression`](super::suppression).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use diesel::QueryResult;

use super::count_sums::{CountSums, CountTotal, CycleCountTotal};
use super::suppression::{self, Cell, Place};
use crate::db::AnyConnection;
use crate::domain::{ValueFlag, ValueType};
use crate::models::indicator::IndicatorRow;
use crate::models::indicator_value::{Filter, IndicatorValueRow};
use crate::models::reporting_cycle::{ReportingCycleRow, SubmissionRow};
use crate::quality::checks::{checked, number};

/// (indicator, member state, period).
type GroupKey = (String, String, String);

/// A value as the public may see it: the stored row, and whether it is withheld.
#[derive(Debug, Clone)]
pub struct Published {
    pub row: IndicatorValueRow,
    pub withheld: bool,
}

/// `f` limited to what may be public: live totals and one-dimension values of validated
/// submissions (of `cycle`, or of every cycle).
pub fn public_filter(
    conn: &mut AnyConnection,
    f: Filter,
    cycle: Option<&str>,
) -> QueryResult<Filter> {
    Ok(Filter {
        windows: Some(SubmissionRow::validated_years(conn, cycle)?),
        simple_or: Some(Vec::new()),
        include_deleted: false,
        ..f
    })
}

/// The public form of `rows` (already limited by [`public_filter`]): each row's whole group is
/// read (its total and one-dimension values, one query per indicator and state of the rows) and
/// protected, so a row is withheld exactly when it is in any page or filter that shows it.
pub fn publish(
    conn: &mut AnyConnection,
    rows: Vec<IndicatorValueRow>,
    min_cell: i64,
) -> QueryResult<Vec<Published>> {
    let mut wanted: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        wanted
            .entry((r.indicator.clone(), r.member_state.clone()))
            .or_default()
            .insert(r.period.clone());
    }
    let mut groups: BTreeMap<GroupKey, Vec<IndicatorValueRow>> = BTreeMap::new();
    for ((indicator, member_state), periods) in wanted {
        let f = Filter {
            indicator: Some(indicator),
            member_states: vec![member_state],
            period_from: periods.first().cloned(),
            period_to: periods.last().cloned(),
            simple_or: Some(Vec::new()),
            ..Default::default()
        };
        for r in IndicatorValueRow::list(conn, &f, None, i64::MAX)? {
            if periods.contains(&r.period) {
                groups.entry(group_key(&r)).or_default().push(r);
            }
        }
    }
    let types = value_types(conn)?;
    let mut withheld: HashSet<(GroupKey, String)> = HashSet::new();
    for (key, members) in &groups {
        let shown = protect(members, types.get(&key.0).copied(), min_cell);
        for (r, s) in members.iter().zip(shown) {
            if !s {
                withheld.insert((key.clone(), r.disaggregation.clone()));
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let hidden = withheld.contains(&(group_key(&row), row.disaggregation.clone()));
            Published {
                row,
                withheld: hidden,
            }
        })
        .collect())
}

fn group_key(r: &IndicatorValueRow) -> GroupKey {
    (
        r.indicator.clone(),
        r.member_state.clone(),
        r.period.clone(),
    )
}

fn value_types(conn: &mut AnyConnection) -> QueryResult<HashMap<String, ValueType>> {
    Ok(IndicatorRow::all(conn)?
        .into_iter()
        .map(|i| (i.code, i.value_type))
        .collect())
}

/// Whether each of a group's values may be shown. Counts and numbers are protected as a group
/// (small counts, then secondary suppression); values of other types only lose confidential ones.
fn protect(
    members: &[IndicatorValueRow],
    value_type: Option<ValueType>,
    min_cell: i64,
) -> Vec<bool> {
    let confidential = |r: &IndicatorValueRow| r.flag == Some(ValueFlag::Confidential);
    if !value_type.is_some_and(checked) {
        return members
            .iter()
            .map(|r| !confidential(r) && r.value.is_some())
            .collect();
    }
    let count = value_type == Some(ValueType::Count);
    let cells: Vec<Cell> = members
        .iter()
        .map(|r| {
            let value = number(r.value.as_deref());
            let place = match r.disaggregation.split_once('=') {
                None => Place::Total,
                Some((dimension, _)) => Place::Part(dimension.to_string()),
            };
            Cell {
                place,
                value,
                withheld: suppression::primary(value, confidential(r), count, min_cell),
            }
        })
        .collect();
    suppression::protect(&cells)
        .into_iter()
        .map(|v| v.is_some())
        .collect()
}

/// The sums of shown totals of count indicators of `cycle`'s validated submissions, per
/// indicator and year and per indicator over the cycle. A withheld total is left out, never
/// added: a sum holding it would give it away (the sum minus the shown totals).
pub fn count_totals(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    min_cell: i64,
) -> QueryResult<(Vec<CountTotal>, Vec<CycleCountTotal>)> {
    let indicators: Vec<String> = IndicatorRow::all(conn)?
        .into_iter()
        .filter(|i| i.value_type == ValueType::Count)
        .map(|i| i.code)
        .collect();
    if indicators.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let f = Filter {
        indicators,
        period_from: Some(cycle.period_from.to_string()),
        period_to: Some(cycle.period_to.to_string()),
        ..Default::default()
    };
    let f = public_filter(conn, f, Some(&cycle.code))?;
    let mut groups: BTreeMap<GroupKey, Vec<IndicatorValueRow>> = BTreeMap::new();
    for r in IndicatorValueRow::list(conn, &f, None, i64::MAX)? {
        groups.entry(group_key(&r)).or_default().push(r);
    }
    let mut sums = CountSums::default();
    for ((indicator, state, period), members) in &groups {
        let shown = protect(members, Some(ValueType::Count), min_cell);
        for (r, s) in members.iter().zip(shown) {
            if !r.disaggregation.is_empty() {
                continue;
            }
            if s {
                sums.add(indicator, period, state, r.value.as_deref());
            } else {
                sums.leave_out(indicator, period);
            }
        }
    }
    Ok(sums.totals(true))
}
