//! What kind of value an indicator takes.

use serde_json::Value;

use crate::domain::contact;

crate::text_enum! {
    /// What kind of value an indicator takes.
    pub enum ValueType {
        /// Non-negative integer.
        Count => "count",
        Number => "number",
        /// 0 to 100.
        Percent => "percent",
        Boolean => "boolean",
        /// Up to 2000 characters.
        Text => "text",
    }
}

impl ValueType {
    /// The canonical JSON text of a valid value, or the error (code, message).
    pub fn canonical(self, v: &Value) -> Result<String, (&'static str, String)> {
        let wrong = |what: &str| ("invalid_value", format!("must be {what}"));
        match self {
            Self::Count => match v.as_u64() {
                Some(n) => Ok(n.to_string()),
                None if v.as_i64().is_some() => {
                    Err(("value_out_of_range", "a count cannot be negative".into()))
                }
                None => Err(wrong("a non-negative integer (count)")),
            },
            Self::Number | Self::Percent => {
                let x = v
                    .as_f64()
                    .filter(|_| v.is_number())
                    .ok_or_else(|| wrong("a number"))?;
                if self == Self::Percent && !(0.0..=100.0).contains(&x) {
                    return Err((
                        "value_out_of_range",
                        "a percent must be between 0 and 100".into(),
                    ));
                }
                if !x.is_finite() || x.abs() > 1e15 {
                    return Err((
                        "value_out_of_range",
                        "must be between -10^15 and 10^15".into(),
                    ));
                }
                Ok(match v.as_i64() {
                    Some(i) => i.to_string(),
                    None => serde_json::Number::from_f64(x)
                        .map_or_else(|| x.to_string(), |n| n.to_string()),
                })
            }
            Self::Boolean => v
                .as_bool()
                .map(|b| b.to_string())
                .ok_or_else(|| wrong("true or false")),
            Self::Text => {
                let s = v.as_str().ok_or_else(|| wrong("a string"))?;
                contact::text(s, 2000).map_err(|m| ("invalid_value", m))?;
                Ok(Value::String(s.to_string()).to_string())
            }
        }
    }
}
