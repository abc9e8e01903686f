//! The validation of submissions: every live validation rule and the built-in consistency checks,
//! evaluated per member state and period over the cycle's years, in one read of the values.
//! A violated blocking rule stops `submit` and `validate` (409 `validation-failed`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::Catalog;
use crate::models::indicator_value::Filter;
use crate::models::reporting_cycle::ReportingCycleRow;
use crate::models::validation_rule::ValidationRuleRow;
use crate::quality::checks::{self, check_group};
use crate::quality::expr::{self, Expr, Ref};
use crate::quality::rule::{Importance, Verdict};

/// A rule or built-in check that fails for one period.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Violation {
    /// The rule's code, or the built-in check's name (`disaggregation_exceeds_total`,
    /// `disaggregation_sum_mismatch`).
    #[schema(example = "CONVICTED_LE_PROSECUTED")]
    pub rule: String,
    /// Built-in checks are `warning`.
    pub importance: Importance,
    #[schema(example = "2019")]
    pub period: String,
    /// The left side's value (the sum of the parts, for a built-in check); `null` when not a
    /// number.
    #[schema(example = 12.0)]
    pub left_value: Option<f64>,
    /// The right side's value (the total, for a built-in check).
    #[schema(example = 10.0)]
    pub right_value: Option<f64>,
    #[schema(
        example = "Convictions do not exceed prosecutions: #{PERSONS_CONVICTED} (12) <= #{PERSONS_PROSECUTED} (10) fails"
    )]
    pub message: String,
}

/// The answer of the validation endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationReport {
    /// By period, blocking first within a period.
    pub violations: Vec<Violation>,
}

/// Live values of one member state: (period, indicator) -> disaggregation -> value (`None`:
/// confidential).
type StateValues = BTreeMap<(String, String), BTreeMap<String, Option<f64>>>;

/// A live rule with its parsed sides.
struct Compiled {
    row: ValidationRuleRow,
    left: Expr,
    right: Expr,
    indicators: BTreeSet<String>,
}

fn compile(rows: Vec<ValidationRuleRow>) -> Vec<Compiled> {
    rows.into_iter()
        .filter_map(|row| {
            let parsed = expr::parse(&row.left_expr)
                .and_then(|(l, _)| expr::parse(&row.right_expr).map(|(r, _)| (l, r)));
            match parsed {
                Ok((left, right)) => {
                    let indicators = left
                        .refs()
                        .into_iter()
                        .chain(right.refs())
                        .map(|r| r.indicator.clone())
                        .collect();
                    Some(Compiled {
                        row,
                        left,
                        right,
                        indicators,
                    })
                }
                Err(e) => {
                    log::error!("stored validation rule {} does not parse: {e}", row.code);
                    None
                }
            }
        })
        .collect()
}

/// Reads the live values of the cycle's years (of `only`, or of every state) page by page: the
/// totals and one-dimension parts the built-in checks compare, and the disaggregations the rules
/// name, so the cost follows states x indicators x periods, not every full breakdown.
fn load_values(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    only: Option<&str>,
    rules: &[Compiled],
) -> ApiResult<BTreeMap<String, StateValues>> {
    let named: BTreeSet<String> = rules
        .iter()
        .flat_map(|r| r.left.refs().into_iter().chain(r.right.refs()))
        .map(|r| r.canonical_disaggregation())
        .collect();
    let filter = Filter {
        simple_or: Some(named.into_iter().collect()),
        member_states: only.map(str::to_string).into_iter().collect(),
        period_from: Some(cycle.period_from.to_string()),
        period_to: Some(cycle.period_to.to_string()),
        ..Default::default()
    };
    let mut out: BTreeMap<String, StateValues> = BTreeMap::new();
    checks::each_value(conn, &filter, |r| {
        out.entry(r.member_state)
            .or_default()
            .entry((r.period, r.indicator))
            .or_default()
            .insert(r.disaggregation, checks::number(r.value.as_deref()));
    })?;
    Ok(out)
}

fn rule_violations(
    rule: &Compiled,
    values: &StateValues,
    years: &[String],
    out: &mut Vec<Violation>,
) {
    let mut periods: BTreeSet<&str> = years.iter().map(String::as_str).collect();
    for (period, indicator) in values.keys() {
        if rule.indicators.contains(indicator) {
            periods.insert(period);
        }
    }
    let canonical: HashMap<&Ref, String> = rule
        .left
        .refs()
        .into_iter()
        .chain(rule.right.refs())
        .map(|r| (r, r.canonical_disaggregation()))
        .collect();
    for period in periods {
        let lookup = |r: &Ref| -> Option<f64> {
            let d = canonical.get(r)?;
            values
                .get(&(period.to_string(), r.indicator.clone()))?
                .get(d)
                .copied()
                .flatten()
        };
        let (l, r) = (rule.left.eval(&lookup), rule.right.eval(&lookup));
        if rule
            .row
            .operator
            .judge(rule.row.missing_value_strategy, l, r)
            != Verdict::Violated
        {
            continue;
        }
        let show = |v: Option<f64>| v.map_or("not a number".to_string(), |v| v.to_string());
        out.push(Violation {
            rule: rule.row.code.clone(),
            importance: rule.row.importance,
            period: period.to_string(),
            left_value: l.value,
            right_value: r.value,
            message: format!(
                "{}: {} ({}) {} {} ({}) fails",
                rule.row.name,
                rule.left,
                show(l.value),
                rule.row.operator.symbol(),
                rule.right,
                show(r.value)
            ),
        });
    }
}

fn check_violations(
    member_state: &str,
    values: &StateValues,
    catalog: &Catalog,
    out: &mut Vec<Violation>,
) {
    for ((period, indicator), group) in values {
        if !catalog
            .indicators
            .get(indicator)
            .is_some_and(|s| checks::checked(s.value_type))
        {
            continue;
        }
        for f in check_group(group.iter().map(|(d, v)| (d.as_str(), *v)), &catalog.codes) {
            out.push(Violation {
                rule: f.check.to_string(),
                importance: Importance::Warning,
                period: period.clone(),
                left_value: Some(f.parts),
                right_value: Some(f.total),
                message: f.message(member_state, indicator, period),
            });
        }
    }
}

/// The violations of each member state (of `only`, or of all 35) for the cycle's years.
pub fn violations_by_state(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    states: &[String],
) -> ApiResult<HashMap<String, Vec<Violation>>> {
    let only = match states {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let rules = compile(ValidationRuleRow::live(conn)?);
    let catalog = Catalog::load(conn)?;
    let values = load_values(conn, cycle, only, &rules)?;
    let years: Vec<String> = (cycle.period_from..=cycle.period_to)
        .map(|y| y.to_string())
        .collect();
    let empty = StateValues::new();
    let mut out = HashMap::new();
    for state in states {
        let v = values.get(state).unwrap_or(&empty);
        let mut found = Vec::new();
        for rule in &rules {
            rule_violations(rule, v, &years, &mut found);
        }
        check_violations(state, v, &catalog, &mut found);
        found.sort_by(|a, b| {
            (&a.period, std::cmp::Reverse(a.importance), &a.rule).cmp(&(
                &b.period,
                std::cmp::Reverse(b.importance),
                &b.rule,
            ))
        });
        out.insert(state.clone(), found);
    }
    Ok(out)
}

/// The violations of one member state for the cycle's years.
pub fn violations(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    member_state: &str,
) -> ApiResult<Vec<Violation>> {
    let states = [member_state.to_string()];
    Ok(violations_by_state(conn, cycle, &states)?
        .remove(member_state)
        .unwrap_or_default())
}

/// 409 `validation-failed` listing every violation while a blocking rule is violated.
pub fn guard(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    member_state: &str,
    transition: &str,
) -> ApiResult<()> {
    let found = violations(conn, cycle, member_state)?;
    let blocking = found
        .iter()
        .filter(|v| v.importance == Importance::Blocking)
        .count();
    if blocking == 0 {
        return Ok(());
    }
    let list = serde_json::to_value(&found).map_err(ApiError::internal)?;
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "validation-failed",
        "Validation failed",
        format!(
            "Cannot {transition} {member_state}'s submission for {}: {blocking} blocking validation rule violation{}. \
             Fix the data listed in violations and try again.",
            cycle.code,
            if blocking == 1 { "" } else { "s" }
        ),
    )
    .with_extension("violations", list))
}

/// Violations by importance, for a submission's completeness.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ViolationCounts {
    #[schema(example = 1)]
    pub blocking: usize,
    #[schema(example = 3)]
    pub warning: usize,
}

impl ViolationCounts {
    pub fn of(found: &[Violation]) -> Self {
        let blocking = found
            .iter()
            .filter(|v| v.importance == Importance::Blocking)
            .count();
        Self {
            blocking,
            warning: found.len() - blocking,
        }
    }
}
