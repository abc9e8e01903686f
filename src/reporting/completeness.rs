//! How much of a cycle's indicator table a member state has filled.

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

/// An indicator and year without a total value.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingValue {
    #[schema(example = "SHELTERS")]
    pub indicator: String,
    #[schema(example = 2020)]
    pub year: i32,
}

/// How much of the cycle's indicator table a state has filled: catalog indicators x years with at
/// least a total value (no disaggregation).
#[derive(Debug, Serialize, ToSchema)]
pub struct Completeness {
    #[schema(example = 32)]
    pub expected: usize,
    #[schema(example = 20)]
    pub reported: usize,
    #[schema(example = 62.5)]
    pub percent: f64,
    /// What is missing, by indicator and year.
    pub missing: Vec<MissingValue>,
    /// Violations of validation rules and built-in checks (see `.../validation`).
    pub violations: crate::quality::validation::ViolationCounts,
}

/// Completeness of `indicators` x years `from..=to` given the (indicator, year) pairs reported.
pub fn completeness(
    indicators: &[String],
    from: i32,
    to: i32,
    reported: &HashSet<(String, i32)>,
) -> Completeness {
    let mut missing = Vec::new();
    for i in indicators {
        for y in from..=to {
            if !reported.contains(&(i.clone(), y)) {
                missing.push(MissingValue {
                    indicator: i.clone(),
                    year: y,
                });
            }
        }
    }
    let expected = indicators.len() * (to - from + 1).max(0) as usize;
    let n = expected - missing.len();
    let percent = if expected == 0 {
        0.0
    } else {
        ((n as f64 / expected as f64) * 1000.0).round() / 10.0
    };
    Completeness {
        expected,
        reported: n,
        percent,
        missing,
        violations: Default::default(),
    }
}
