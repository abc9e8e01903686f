//! Data quality: the expression language of validation rules, the built-in consistency checks of
//! disaggregated values, the evaluation of a submission and outlier detection.

pub mod checks;
pub mod expr;
pub mod outliers;
pub mod rule;
pub mod validation;
