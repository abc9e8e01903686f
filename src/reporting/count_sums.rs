//! Hemisphere sums of the totals of count indicators, per indicator and year and per indicator
//! over every year added, with the states they hold (and, for the public view, how many totals
//! were left out).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use utoipa::ToSchema;

/// The hemisphere total of a count indicator over all the years of the cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleCountTotal {
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    /// Sum over the cycle's years and the states that reported a total.
    #[schema(example = 2468)]
    pub total: u64,
    /// How many states reported a total in at least one year of the cycle.
    #[schema(example = 14)]
    pub states: usize,
    /// The public view only: state totals (a state's total of a period) of validated
    /// submissions that are withheld, and so left out of `total`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub withheld: Option<usize>,
}

/// The hemisphere total of a count indicator in one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountTotal {
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    #[schema(example = 2019)]
    pub year: i32,
    /// Sum over the states that reported a total.
    #[schema(example = 1234)]
    pub total: u64,
    /// How many states reported a total.
    #[schema(example = 12)]
    pub states: usize,
    /// The public view only: withheld state totals left out of `total`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub withheld: Option<usize>,
}

/// One sum.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Sum {
    pub total: u64,
    /// The states whose totals it holds.
    pub states: BTreeSet<String>,
    /// Totals left out of it (withheld from the public).
    pub left_out: usize,
}

/// Sums per (indicator, year).
#[derive(Debug, Default)]
pub struct CountSums(BTreeMap<(String, i32), Sum>);

impl CountSums {
    fn entry(&mut self, indicator: &str, period: &str) -> &mut Sum {
        let year = period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        self.0.entry((indicator.to_string(), year)).or_default()
    }

    /// Adds a state's stored total (JSON text of a count) for a period.
    pub fn add(&mut self, indicator: &str, period: &str, state: &str, value: Option<&str>) {
        let e = self.entry(indicator, period);
        e.total += value.and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
        e.states.insert(state.to_string());
    }

    /// Counts a total that is left out.
    pub fn leave_out(&mut self, indicator: &str, period: &str) {
        self.entry(indicator, period).left_out += 1;
    }

    /// The sums per (indicator, year) and per indicator over all years; `withheld` says how many
    /// totals were left out of each when `public`.
    pub fn totals(self, public: bool) -> (Vec<CountTotal>, Vec<CycleCountTotal>) {
        let withheld = |s: &Sum| public.then_some(s.left_out);
        let mut whole: BTreeMap<String, Sum> = BTreeMap::new();
        for ((indicator, _), s) in &self.0 {
            let e = whole.entry(indicator.clone()).or_default();
            e.total += s.total;
            e.states.extend(s.states.iter().cloned());
            e.left_out += s.left_out;
        }
        let whole = whole
            .into_iter()
            .map(|(indicator, s)| CycleCountTotal {
                withheld: withheld(&s),
                indicator,
                total: s.total,
                states: s.states.len(),
            })
            .collect();
        let per_year = self
            .0
            .into_iter()
            .map(|((indicator, year), s)| CountTotal {
                withheld: withheld(&s),
                indicator,
                year,
                total: s.total,
                states: s.states.len(),
            })
            .collect();
        (per_year, whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_add_up_per_indicator_and_states_are_counted_once() {
        let mut sums = CountSums::default();
        sums.add("V", "2019", "ARG", Some("40"));
        sums.add("V", "2020-Q1", "ARG", Some("2"));
        sums.add("V", "2020-Q2", "ARG", Some("3"));
        sums.leave_out("V", "2020");
        let (per_year, whole) = sums.totals(true);
        assert_eq!(whole[0].total, 45);
        assert_eq!(whole[0].states, 1);
        assert_eq!(whole[0].withheld, Some(1));
        assert_eq!(per_year[1].year, 2020);
        assert_eq!(per_year[1].total, 5);
    }
}
