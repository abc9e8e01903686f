//! Validation rules as the evaluator sees them: the operator, importance and missing-value
//! strategy, the checks of an expression against the catalog at save time, and the verdict of a
//! rule on one member state and period.

use crate::domain::ValueType;
use crate::error::FieldError;
use crate::indicator_import::Catalog;
use crate::quality::expr::{self, Evaluation, Expr};

crate::text_enum! {
    /// How the two sides of a rule are compared.
    pub enum Operator {
        EqualTo => "equal_to",
        NotEqualTo => "not_equal_to",
        LessThan => "less_than",
        LessThanOrEqualTo => "less_than_or_equal_to",
        GreaterThan => "greater_than",
        GreaterThanOrEqualTo => "greater_than_or_equal_to",
        /// Both sides have data, or neither has.
        CompulsoryPair => "compulsory_pair",
        /// At most one side has data.
        ExclusivePair => "exclusive_pair",
    }
}

crate::text_enum! {
    /// What a violation does: `blocking` stops submit and validate (409), `warning` is reported.
    pub enum Importance {
        Warning => "warning",
        Blocking => "blocking",
    }
}

crate::text_enum! {
    /// When a rule is not evaluated for lack of data (comparison operators only; the pair
    /// operators are about missing data and always evaluate). A missing value counts as 0 when
    /// the rule is evaluated.
    pub enum MissingValueStrategy {
        /// Skip when any reference of either side has no value.
        SkipIfAnyValueMissing => "skip_if_any_value_missing",
        /// Skip when no reference of either side has a value.
        SkipIfAllValuesMissing => "skip_if_all_values_missing",
        NeverSkip => "never_skip",
    }
}

/// Two values are equal when they differ by less than this (relative to their size).
const EPSILON: f64 = 1e-9;

fn equal(a: f64, b: f64) -> bool {
    (a - b).abs() <= EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// The outcome of a rule on one member state and period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Not evaluated (missing data per the strategy, or a side is not a number).
    Skipped,
    Holds,
    Violated,
}

impl Operator {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::EqualTo => "==",
            Self::NotEqualTo => "!=",
            Self::LessThan => "<",
            Self::LessThanOrEqualTo => "<=",
            Self::GreaterThan => ">",
            Self::GreaterThanOrEqualTo => ">=",
            Self::CompulsoryPair => "compulsory pair",
            Self::ExclusivePair => "exclusive pair",
        }
    }

    /// The verdict on sides evaluated as `left` and `right` under `strategy`.
    pub fn judge(
        self,
        strategy: MissingValueStrategy,
        left: Evaluation,
        right: Evaluation,
    ) -> Verdict {
        // A side "has data" when it names no reference, or at least one of them has a value.
        let has = |e: &Evaluation| e.refs == 0 || e.missing < e.refs;
        let verdict = |ok: bool| {
            if ok {
                Verdict::Holds
            } else {
                Verdict::Violated
            }
        };
        match self {
            Self::CompulsoryPair => return verdict(has(&left) == has(&right)),
            Self::ExclusivePair => return verdict(!(has(&left) && has(&right))),
            _ => {}
        }
        let (refs, missing) = (left.refs + right.refs, left.missing + right.missing);
        let skip = match strategy {
            MissingValueStrategy::SkipIfAnyValueMissing => missing > 0,
            MissingValueStrategy::SkipIfAllValuesMissing => refs > 0 && missing == refs,
            MissingValueStrategy::NeverSkip => false,
        };
        let (Some(l), Some(r), false) = (left.value, right.value, skip) else {
            return Verdict::Skipped;
        };
        verdict(match self {
            Self::EqualTo => equal(l, r),
            Self::NotEqualTo => !equal(l, r),
            Self::LessThan => l < r && !equal(l, r),
            Self::LessThanOrEqualTo => l <= r || equal(l, r),
            Self::GreaterThan => l > r && !equal(l, r),
            Self::GreaterThanOrEqualTo => l >= r || equal(l, r),
            Self::CompulsoryPair | Self::ExclusivePair => true,
        })
    }
}

/// Parses the expression in `field` (`/left`, `/right`) and checks every reference against the
/// catalog: a numeric indicator (count, number or percent), dimensions it is broken down by, codes
/// of their lists. Errors name the field and the 1-based position.
pub fn check_expression(
    field: &str,
    text: &str,
    catalog: &Catalog,
) -> Result<Expr, Vec<FieldError>> {
    let (expr, sites) =
        expr::parse(text).map_err(|e| vec![FieldError::new(field, e.to_string())])?;
    let mut errors = Vec::new();
    let mut err = |at: usize, message: String| {
        errors.push(FieldError::new(
            field,
            format!("at position {at}: {message}"),
        ));
    };
    for site in &sites {
        let Some(spec) = catalog.indicators.get(&site.indicator) else {
            err(
                site.indicator_at,
                format!("unknown indicator {} (not in the catalog)", site.indicator),
            );
            continue;
        };
        if !matches!(
            spec.value_type,
            ValueType::Count | ValueType::Number | ValueType::Percent
        ) {
            err(
                site.indicator_at,
                format!(
                    "{} takes {} values; rules compare count, number and percent indicators",
                    site.indicator, spec.value_type
                ),
            );
        }
        for (dim, dim_at, code, code_at) in &site.pairs {
            if !spec.dimensions.contains(dim) {
                err(
                    *dim_at,
                    format!("{} is not broken down by {dim}", site.indicator),
                );
            } else if !catalog.codes.get(dim).is_some_and(|c| c.contains(code)) {
                err(*code_at, format!("{code} is not a code of dimension {dim}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(expr)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(value: f64, refs: usize, missing: usize) -> Evaluation {
        Evaluation {
            value: Some(value),
            refs,
            missing,
        }
    }

    #[test]
    fn comparisons_and_strategies() {
        use MissingValueStrategy::*;
        use Operator::*;
        assert_eq!(
            LessThanOrEqualTo.judge(NeverSkip, side(3.0, 1, 0), side(3.0, 1, 0)),
            Verdict::Holds
        );
        assert_eq!(
            LessThanOrEqualTo.judge(NeverSkip, side(4.0, 1, 0), side(3.0, 1, 0)),
            Verdict::Violated
        );
        assert_eq!(
            GreaterThan.judge(SkipIfAnyValueMissing, side(0.0, 1, 1), side(3.0, 1, 0)),
            Verdict::Skipped
        );
        assert_eq!(
            GreaterThan.judge(SkipIfAllValuesMissing, side(0.0, 1, 1), side(3.0, 1, 0)),
            Verdict::Violated
        );
        assert_eq!(
            EqualTo.judge(SkipIfAllValuesMissing, side(0.0, 1, 1), side(0.0, 1, 1)),
            Verdict::Skipped
        );
        assert_eq!(
            EqualTo.judge(NeverSkip, side(0.1 + 0.2, 0, 0), side(0.3, 0, 0)),
            Verdict::Holds
        );
        let none = Evaluation {
            value: None,
            refs: 1,
            missing: 0,
        };
        assert_eq!(
            EqualTo.judge(NeverSkip, none, side(0.0, 0, 0)),
            Verdict::Skipped
        );
    }

    #[test]
    fn pairs_look_at_presence_only() {
        use MissingValueStrategy::*;
        use Operator::*;
        let present = side(5.0, 1, 0);
        let absent = side(0.0, 1, 1);
        assert_eq!(
            CompulsoryPair.judge(SkipIfAnyValueMissing, present, absent),
            Verdict::Violated
        );
        assert_eq!(
            CompulsoryPair.judge(NeverSkip, absent, absent),
            Verdict::Holds
        );
        assert_eq!(
            ExclusivePair.judge(NeverSkip, present, present),
            Verdict::Violated
        );
        assert_eq!(
            ExclusivePair.judge(NeverSkip, present, absent),
            Verdict::Holds
        );
    }
}
