//! The built-in consistency checks of count and number indicators, on one group (member state,
//! indicator, period): `disaggregation_exceeds_total` (the values broken down by exactly one
//! dimension sum above the total) and `disaggregation_sum_mismatch` (every code of that dimension
//! is reported and they do not sum to the total). Run after each import on the groups it touched,
//! as warnings that never reject a row, and in the validation of a submission.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::domain::ValueType;
use crate::error::ApiResult;
use crate::indicator_import::{Catalog, ValidRow};
use crate::models::indicator_value::{Filter, IndicatorValueRow};

pub const EXCEEDS_TOTAL: &str = "disaggregation_exceeds_total";
pub const SUM_MISMATCH: &str = "disaggregation_sum_mismatch";

/// Whether the built-in checks apply to values of this type.
pub fn checked(value_type: ValueType) -> bool {
    matches!(value_type, ValueType::Count | ValueType::Number)
}

/// A stored value as a number (`None`: confidential, or not numeric).
pub fn number(stored: Option<&str>) -> Option<f64> {
    stored.and_then(|v| v.parse::<f64>().ok())
}

/// Every value matching `filter`, in list order, read 10,000 at a time (the scans read whole
/// series without holding every value at once) and given to `each`.
pub fn each_value(
    conn: &mut AnyConnection,
    filter: &Filter,
    mut each: impl FnMut(IndicatorValueRow),
) -> ApiResult<()> {
    const PAGE: i64 = 10_000;
    let mut after = None;
    loop {
        let page = IndicatorValueRow::list(conn, filter, after.as_ref(), PAGE)?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map(IndicatorValueRow::key);
        page.into_iter().for_each(&mut each);
        if !full {
            return Ok(());
        }
    }
}

/// One failed check of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: &'static str,
    pub dimension: String,
    /// The sum of the parts and the total.
    pub parts: f64,
    pub total: f64,
}

impl Finding {
    pub fn message(&self, member_state: &str, indicator: &str, period: &str) -> String {
        let what = if self.check == EXCEEDS_TOTAL {
            "sum above"
        } else {
            "are all reported and do not sum to"
        };
        format!(
            "{member_state} {indicator} {period}: the values by {} ({}) {what} the total ({})",
            self.dimension, self.parts, self.total
        )
    }
}

/// The checks of one group, given its live values as (canonical disaggregation, value) and the
/// code lists. A group without a total, and parts without a value, are not checked.
pub fn check_group<'a>(
    values: impl IntoIterator<Item = (&'a str, Option<f64>)>,
    codes: &HashMap<String, HashSet<String>>,
) -> Vec<Finding> {
    let mut total = None;
    // dimension -> (sum, codes with a value)
    let mut parts: BTreeMap<&str, (f64, HashSet<&str>)> = BTreeMap::new();
    for (disaggregation, value) in values {
        let Some(value) = value else { continue };
        if disaggregation.is_empty() {
            total = Some(value);
        } else if let Some((dim, code)) = disaggregation
            .split_once('=')
            .filter(|_| !disaggregation.contains(';'))
        {
            let entry = parts.entry(dim).or_default();
            entry.0 += value;
            entry.1.insert(code);
        }
    }
    let Some(total) = total else {
        return Vec::new();
    };
    let tolerance = 1e-9 * total.abs().max(1.0);
    let mut out = Vec::new();
    for (dim, (sum, seen)) in parts {
        let check = if sum > total + tolerance {
            EXCEEDS_TOTAL
        } else if (sum - total).abs() > tolerance
            && codes
                .get(dim)
                .is_some_and(|all| !all.is_empty() && all.iter().all(|c| seen.contains(c.as_str())))
        {
            SUM_MISMATCH
        } else {
            continue;
        };
        out.push(Finding {
            check,
            dimension: dim.to_string(),
            parts: sum,
            total,
        });
    }
    out
}

/// A consistency warning of an import: it never rejects a row.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ImportWarning {
    /// The batch row of the group it concerns: the total when the batch sent it, otherwise the
    /// first row of the batch in that group and dimension.
    #[schema(example = 0)]
    pub index: usize,
    /// The check or rule that failed.
    #[schema(example = "disaggregation_exceeds_total")]
    pub rule: String,
    /// Stable machine-readable code: `disaggregation_exceeds_total` or `disaggregation_sum_mismatch`.
    #[schema(example = "disaggregation_exceeds_total")]
    pub code: String,
    #[schema(
        example = "ARG PERSONS_CONVICTED 2019: the values by sex (12) sum above the total (10)"
    )]
    pub message: String,
}

/// The checks of every (member state, indicator, period) group that `rows` touch, on the stored
/// state with `rows` laid over it (so a dry run sees what the batch would make). Call inside the
/// import's transaction, after the rows are written.
pub fn after_import(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rows: &[ValidRow],
) -> ApiResult<Vec<ImportWarning>> {
    // (indicator, state) -> period -> disaggregation -> (value, batch index)
    type Groups<'a> = BTreeMap<
        (&'a str, &'a str),
        BTreeMap<String, BTreeMap<String, (Option<f64>, Option<usize>)>>,
    >;
    let mut groups: Groups = BTreeMap::new();
    for r in rows {
        if !catalog
            .indicators
            .get(&r.indicator)
            .is_some_and(|s| checked(s.value_type))
        {
            continue;
        }
        groups
            .entry((r.indicator.as_str(), r.member_state.as_str()))
            .or_default()
            .entry(r.period.clone())
            .or_default();
    }
    for ((indicator, state), periods) in groups.iter_mut() {
        // The checks compare totals with one-dimension parts: only those are read back, over
        // the touched periods' span (periods in between are skipped below).
        let f = Filter {
            indicator: Some(indicator.to_string()),
            member_states: vec![state.to_string()],
            period_from: periods.keys().next().cloned(),
            period_to: periods.keys().next_back().cloned(),
            simple_or: Some(Vec::new()),
            ..Default::default()
        };
        for s in IndicatorValueRow::list(conn, &f, None, i64::MAX)? {
            if let Some(group) = periods.get_mut(&s.period) {
                group.insert(s.disaggregation, (number(s.value.as_deref()), None));
            }
        }
    }
    for r in rows {
        if let Some(group) = groups
            .get_mut(&(r.indicator.as_str(), r.member_state.as_str()))
            .and_then(|p| p.get_mut(&r.period))
        {
            group.insert(
                r.disaggregation.clone(),
                (number(r.value.as_deref()), Some(r.index)),
            );
        }
    }
    let mut warnings = Vec::new();
    for ((indicator, state), periods) in &groups {
        for (period, group) in periods {
            let findings = check_group(
                group.iter().map(|(d, (v, _))| (d.as_str(), *v)),
                &catalog.codes,
            );
            for f in findings {
                let prefix = format!("{}=", f.dimension);
                let index = group
                    .get("")
                    .and_then(|(_, i)| *i)
                    .or_else(|| {
                        group
                            .iter()
                            .filter(|(d, _)| d.starts_with(&prefix))
                            .filter_map(|(_, (_, i))| *i)
                            .min()
                    })
                    .or_else(|| group.values().filter_map(|(_, i)| *i).min())
                    .unwrap_or(0);
                warnings.push(ImportWarning {
                    index,
                    rule: f.check.to_string(),
                    code: f.check.to_string(),
                    message: f.message(state, indicator, period),
                });
            }
        }
    }
    warnings.sort_by_key(|w| w.index);
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> HashMap<String, HashSet<String>> {
        [(
            "sex".to_string(),
            ["female", "male", "other", "unknown"]
                .into_iter()
                .map(String::from)
                .collect(),
        )]
        .into()
    }

    #[test]
    fn parts_above_the_total_and_complete_parts_that_do_not_add_up() {
        let above = check_group(
            [
                ("", Some(10.0)),
                ("sex=female", Some(8.0)),
                ("sex=male", Some(5.0)),
            ],
            &codes(),
        );
        assert_eq!(above.len(), 1);
        assert_eq!(above[0].check, EXCEEDS_TOTAL);
        assert_eq!(above[0].parts, 13.0);
        let partial = check_group([("", Some(10.0)), ("sex=female", Some(8.0))], &codes());
        assert!(partial.is_empty());
        let complete = [
            ("", Some(10.0)),
            ("sex=female", Some(4.0)),
            ("sex=male", Some(4.0)),
            ("sex=other", Some(0.0)),
            ("sex=unknown", Some(1.0)),
        ];
        assert_eq!(check_group(complete, &codes())[0].check, SUM_MISMATCH);
        let exact = [
            ("", Some(10.0)),
            ("sex=female", Some(5.0)),
            ("sex=male", Some(4.0)),
            ("sex=other", Some(0.0)),
            ("sex=unknown", Some(1.0)),
            ("age_group=child;sex=female", Some(50.0)),
        ];
        assert!(check_group(exact, &codes()).is_empty());
        assert!(check_group([("sex=female", Some(8.0))], &codes()).is_empty());
    }
}
