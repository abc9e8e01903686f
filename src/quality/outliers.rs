//! Outlier detection over each series (member state, indicator, disaggregation) across its
//! periods, in one pass over the values in natural-key order: only one (indicator, member state)
//! block of values is held at a time, so memory is bounded by the longest block and time is
//! linear in the values read (plus a sort of each series for its median).
//!
//! - `z_score`: |x - mean| / std_dev (population), bounds mean ± threshold · std_dev;
//! - `modified_z_score`: 0.6745 · |x - median| / MAD (Iglewicz and Hoaglin), bounds
//!   median ± threshold · MAD / 0.6745; when the MAD is 0 (more than half the series equal) the
//!   mean absolute deviation around the median stands in (scaled by 1.2533), so a steady series
//!   with one spike still scores it;
//! - `min_max`: each value against bounds generated from the *other* values of its series,
//!   their mean ± threshold · their std_dev, so a spike cannot widen its own bounds.
//!
//! Series with fewer than 3 values are not scored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::domain::{Disaggregation, ValueType};
use crate::error::ApiResult;
use crate::models::indicator::IndicatorRow;
use crate::models::indicator_value::Filter;
use crate::quality::checks;

crate::text_enum! {
    /// How a value is scored against its series.
    pub enum Algorithm {
        ZScore => "z_score",
        ModifiedZScore => "modified_z_score",
        MinMax => "min_max",
    }
}

/// A value out of its series' bounds.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Outlier {
    pub id: String,
    #[schema(example = "ARG")]
    pub member_state: String,
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    #[schema(example = "2019")]
    pub period: String,
    #[schema(value_type = crate::openapi::types::Disaggregation, example = json!({"sex": "female"}))]
    pub disaggregation: BTreeMap<String, String>,
    #[schema(example = 480.0)]
    pub value: f64,
    /// Mean and population standard deviation of the series (for `min_max`: of the other values).
    #[schema(example = 145.7)]
    pub mean: f64,
    #[schema(example = 126.4)]
    pub std_dev: f64,
    #[schema(example = 101.0)]
    pub median: f64,
    /// The value's score under the algorithm (signed: negative below the centre).
    #[schema(example = 9.3)]
    pub score: f64,
    #[schema(example = 70.2)]
    pub lower_bound: f64,
    #[schema(example = 131.8)]
    pub upper_bound: f64,
}

/// One value of a series.
struct Point {
    id: String,
    period: String,
    value: f64,
}

fn median_of(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The numbers of one scored value.
struct Score {
    mean: f64,
    std_dev: f64,
    median: f64,
    score: f64,
    lower_bound: f64,
    upper_bound: f64,
}

/// Calls `emit` with each outlier of one series.
fn score_series(
    points: &[Point],
    algorithm: Algorithm,
    threshold: f64,
    mut emit: impl FnMut(&Point, Score),
) {
    let n = points.len();
    if n < 3 {
        return;
    }
    let nf = n as f64;
    let sum: f64 = points.iter().map(|p| p.value).sum();
    let mean = sum / nf;
    let var = points.iter().map(|p| (p.value - mean).powi(2)).sum::<f64>() / nf;
    let sd = var.sqrt();
    let median = median_of(&sorted(points.iter().map(|p| p.value).collect()));
    match algorithm {
        // Both z-scores measure the distance from a centre in units of a spread.
        Algorithm::ZScore | Algorithm::ModifiedZScore => {
            let (center, scale) = if algorithm == Algorithm::ZScore {
                (mean, sd)
            } else {
                let deviations: Vec<f64> =
                    points.iter().map(|p| (p.value - median).abs()).collect();
                let mad = median_of(&sorted(deviations.clone()));
                let scale = if mad > 0.0 {
                    mad / 0.6745
                } else {
                    1.253_314 * deviations.iter().sum::<f64>() / nf
                };
                (median, scale)
            };
            if scale == 0.0 {
                return;
            }
            for p in points {
                let score = (p.value - center) / scale;
                if score.abs() > threshold {
                    emit(
                        p,
                        Score {
                            mean,
                            std_dev: sd,
                            median,
                            score,
                            lower_bound: center - threshold * scale,
                            upper_bound: center + threshold * scale,
                        },
                    );
                }
            }
        }
        Algorithm::MinMax => {
            let sum_sq: f64 = points.iter().map(|p| p.value * p.value).sum();
            let others = nf - 1.0;
            for p in points {
                let m = (sum - p.value) / others;
                let v = ((sum_sq - p.value * p.value) / others - m * m).max(0.0);
                let s = v.sqrt();
                let (lower, upper) = (m - threshold * s, m + threshold * s);
                if p.value < lower || p.value > upper {
                    let score = if s > 0.0 {
                        (p.value - m) / s
                    } else {
                        f64::INFINITY.copysign(p.value - m)
                    };
                    emit(
                        p,
                        Score {
                            mean: m,
                            std_dev: s,
                            median,
                            score,
                            lower_bound: lower,
                            upper_bound: upper,
                        },
                    );
                }
            }
        }
    }
}

/// The outliers of the values matching `indicator` and `member_state` (numeric indicators only),
/// ordered by indicator, member state, disaggregation and period.
pub fn scan(
    conn: &mut AnyConnection,
    indicator: Option<&str>,
    member_state: Option<&str>,
    algorithm: Algorithm,
    threshold: f64,
) -> ApiResult<Vec<Outlier>> {
    let numeric: std::collections::HashSet<String> = IndicatorRow::all(conn)?
        .into_iter()
        .filter(|i| {
            matches!(
                i.value_type,
                ValueType::Count | ValueType::Number | ValueType::Percent
            )
        })
        .map(|i| i.code)
        .collect();
    let filter = Filter {
        indicator: indicator.map(str::to_string),
        indicators: numeric.iter().cloned().collect(),
        member_states: member_state.map(str::to_string).into_iter().collect(),
        ..Default::default()
    };
    let mut out = Vec::new();
    // The (indicator, member state) block being read: disaggregation -> its points by period.
    let mut block: Option<(String, String)> = None;
    let mut series: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut flush = |block: &(String, String), series: &mut BTreeMap<String, Vec<Point>>| {
        for (disaggregation, points) in std::mem::take(series) {
            let pairs = Disaggregation::from_canonical(&disaggregation)
                .pairs()
                .clone();
            score_series(&points, algorithm, threshold, |p, sc| {
                out.push(Outlier {
                    id: p.id.clone(),
                    member_state: block.1.clone(),
                    indicator: block.0.clone(),
                    period: p.period.clone(),
                    disaggregation: pairs.clone(),
                    value: p.value,
                    mean: sc.mean,
                    std_dev: sc.std_dev,
                    median: sc.median,
                    score: sc.score,
                    lower_bound: sc.lower_bound,
                    upper_bound: sc.upper_bound,
                });
            });
        }
    };
    checks::each_value(conn, &filter, |r| {
        if !numeric.contains(&r.indicator) {
            return;
        }
        let Some(value) = checks::number(r.value.as_deref()) else {
            return;
        };
        let key = (r.indicator, r.member_state);
        if block.as_ref() != Some(&key) {
            if let Some(b) = &block {
                flush(b, &mut series);
            }
            block = Some(key);
        }
        series.entry(r.disaggregation).or_default().push(Point {
            id: r.id,
            period: r.period,
            value,
        });
    })?;
    if let Some(b) = &block {
        flush(b, &mut series);
    }
    Ok(out)
}

/// The query of the outlier scan.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutlierParams {
    /// Only this indicator's series.
    #[param(example = "VICTIMS_DETECTED", max_length = 64)]
    pub indicator: Option<String>,
    /// Only this member state's series.
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    /// Default `modified_z_score`.
    #[param(inline)]
    pub algorithm: Option<Algorithm>,
    /// Scores above it (in absolute value) are outliers; default 3.0, more than 0 and at most 100.
    #[param(example = 3.0, minimum = 0, maximum = 100)]
    pub threshold: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[f64]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                id: i.to_string(),
                period: format!("{}", 2010 + i),
                value: *v,
            })
            .collect()
    }

    fn found(values: &[f64], a: Algorithm) -> Vec<String> {
        let mut ids = Vec::new();
        score_series(&points(values), a, 3.0, |p, _| ids.push(p.id.clone()));
        ids
    }

    #[test]
    fn one_spike_in_a_steady_series() {
        let steady = [
            100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 480.0, 103.0, 97.0, 100.0,
        ];
        assert_eq!(found(&steady, Algorithm::ModifiedZScore), ["6"]);
        assert_eq!(found(&steady, Algorithm::MinMax), ["6"]);
        // The spike lifts the std dev it is measured by: in 10 values no z-score can pass
        // (n - 1) / sqrt(n) = 2.85, so z-score at 3 masks it; the modified z-score does not.
        assert!(found(&steady, Algorithm::ZScore).is_empty());
        // MAD of 0: the mean absolute deviation stands in.
        assert_eq!(
            found(&[5.0, 5.0, 5.0, 5.0, 40.0], Algorithm::ModifiedZScore),
            ["4"]
        );
        assert!(found(&[5.0, 5.0, 5.0], Algorithm::ModifiedZScore).is_empty());
        assert!(found(&[1.0, 1000.0], Algorithm::ZScore).is_empty());
    }
}
