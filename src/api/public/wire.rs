//! Wire types of the public view: a value as the public sees it, its flag, the public biennial
//! report and the parameters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::ValueFlag;
use crate::reporting::count_sums::{CountTotal, CycleCountTotal};
use crate::reporting::publication::Published;

/// The flag of a public value: `provisional`, `estimated` and `below_threshold` as the reporting
/// state set them; `suppressed` when the public view withholds the value (`value` is `null`):
/// confidential, a count from 1 to `PALERMO_PUBLIC_MIN_CELL - 1`, or a cell withheld so that no
/// such value can be recomputed from its group's total and the other cells of its breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicFlag {
    /// Reported as provisional.
    Provisional,
    /// Reported as an estimate.
    Estimated,
    /// Reported as below the reporting state's own threshold.
    BelowThreshold,
    /// Withheld by the public view (`value` is `null`): confidential, a count from 1 to
    /// `PALERMO_PUBLIC_MIN_CELL - 1`, or a cell withheld so that no such value can be
    /// recomputed from the total and the other cells of its breakdown.
    Suppressed,
}

/// A value as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"indicator": "VICTIMS_DETECTED", "member_state": "ARG", "period": "2019",
    "disaggregation": {"sex": "female"}, "value": null, "flag": "suppressed", "source": null}))]
pub struct PublicValue {
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    #[schema(example = "ARG")]
    pub member_state: String,
    /// `2019`, `2019-Q1` or `2019-03`, per the indicator's periodicity.
    #[schema(example = "2019")]
    pub period: String,
    /// Dimension -> code; `{}` is the total. Only totals and values broken down by one
    /// dimension are public.
    #[serde(serialize_with = "crate::domain::serialize_canonical")]
    #[schema(value_type = crate::openapi::types::Disaggregation)]
    pub disaggregation: String,
    #[serde(serialize_with = "crate::db::text_enum::serialize_json_text")]
    #[schema(value_type = crate::openapi::types::PublicDataValue)]
    pub value: Option<String>,
    /// `null` when the state set no flag and the value is shown.
    pub flag: Option<PublicFlag>,
    /// Where the reporting state took the value from (`null` when withheld).
    pub source: Option<String>,
}

impl From<Published> for PublicValue {
    fn from(p: Published) -> Self {
        let r = p.row;
        let (value, flag, source) = if p.withheld {
            (None, Some(PublicFlag::Suppressed), None)
        } else {
            let flag = r.flag.map(|f| match f {
                ValueFlag::Provisional => PublicFlag::Provisional,
                ValueFlag::Estimated => PublicFlag::Estimated,
                ValueFlag::BelowThreshold => PublicFlag::BelowThreshold,
                ValueFlag::Confidential => PublicFlag::Suppressed,
            });
            (r.value, flag, r.source)
        };
        Self {
            indicator: r.indicator,
            member_state: r.member_state,
            period: r.period,
            disaggregation: r.disaggregation,
            value,
            flag,
            source,
        }
    }
}

/// The cycle of the public biennial report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicCycleParams {
    #[param(example = "2019-2020", max_length = 9)]
    pub cycle: String,
}

/// A member state in the public biennial report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicBiennialState {
    #[schema(example = "ARG")]
    pub member_state: String,
    #[schema(example = "Argentina")]
    pub name: String,
    /// Whether its submission for the cycle is validated (only then are its values public).
    pub validated: bool,
}

/// Hemisphere figures of the public biennial report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicHemisphere {
    #[schema(example = 35)]
    pub member_states: usize,
    /// States whose submission for the cycle is validated.
    #[schema(example = 12)]
    pub validated: usize,
    /// Per count indicator and year: the sum of the validated states' shown totals.
    pub count_totals: Vec<CountTotal>,
    /// The same over all the cycle's years.
    pub cycle_count_totals: Vec<CycleCountTotal>,
}

/// The public biennial report of a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicBiennialReport {
    #[schema(example = "2019-2020")]
    pub cycle: String,
    #[schema(example = "WP2")]
    pub work_plan: String,
    #[schema(example = 2019)]
    pub period_from: i32,
    #[schema(example = 2020)]
    pub period_to: i32,
    pub member_states: Vec<PublicBiennialState>,
    pub hemisphere: PublicHemisphere,
}
