//! One row of an indicator-value batch as sent, read without building a JSON map per row.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// The fields a row may carry.
pub const FIELDS: [&str; 8] = [
    "member_state",
    "indicator",
    "period",
    "disaggregation",
    "value",
    "flag",
    "comment",
    "source",
];

/// One row of a batch as sent, before validation. Any JSON value deserializes into it: a row that
/// is not an object, a field of the wrong type or an unknown field is reported by validation, row by
/// row, rather than failing the whole batch. Known fields are kept as JSON values (the
/// disaggregation as its pairs, in the order sent), so no map is built per row.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RawRow {
    /// False when the row was not a JSON object (its content is then dropped).
    pub is_object: bool,
    pub member_state: Option<Value>,
    pub indicator: Option<Value>,
    pub period: Option<Value>,
    pub disaggregation: Option<RawDisaggregation>,
    pub value: Option<Value>,
    pub flag: Option<Value>,
    pub comment: Option<Value>,
    pub source: Option<Value>,
    /// Names of the first [`UNKNOWN_NAMED`] fields that are not in [`FIELDS`], in the order sent.
    pub unknown: Vec<String>,
    /// How many keys of the row are not in [`FIELDS`] (repeats included).
    pub unknown_total: usize,
}

/// Unknown field names kept per row; past them, unknown fields are only counted (a hostile row
/// with a million of them costs no memory and gets one error).
pub const UNKNOWN_NAMED: usize = 10;

/// The `disaggregation` of a row as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum RawDisaggregation {
    Null,
    /// An object: its (dimension, code) pairs in the order sent.
    Pairs(Vec<(String, Value)>),
    /// Anything else (a string, a number, an array...).
    NotObject,
}

/// A field name of a row; any other name is kept for the `unknown_field` error.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    MemberState,
    Indicator,
    Period,
    Disaggregation,
    Value,
    Flag,
    Comment,
    Source,
    Unknown(String),
}

/// Below this many keys a repeated key is found by scanning (every real row has a handful); past
/// it, by an index, so a hostile object with a million keys still takes linear time.
const SCAN_LIMIT: usize = 16;

/// `(key, value)` pairs with unique keys, as a JSON object reads: a repeated key keeps its first
/// position and takes the last value.
struct UniqueKeys<V> {
    pairs: Vec<(String, V)>,
    index: HashMap<String, usize>,
}

impl<V> UniqueKeys<V> {
    fn new() -> Self {
        Self {
            pairs: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn insert(&mut self, key: String, value: V) {
        if self.pairs.len() == SCAN_LIMIT && self.index.is_empty() {
            self.index = (self.pairs.iter().enumerate())
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
        let found = if self.index.is_empty() {
            self.pairs.iter().position(|(k, _)| *k == key)
        } else {
            self.index.get(&key).copied()
        };
        match found {
            Some(i) => self.pairs[i].1 = value,
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.clone(), self.pairs.len());
                }
                self.pairs.push((key, value));
            }
        }
    }
}

/// The visitor methods of every JSON value that is not an object or null: each gives `$other`
/// (an array's elements are read and dropped).
macro_rules! any_value_visitor {
    ($out:ty, $other:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$out, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$out, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$out, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$out, E> {
            Ok($other)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$out, E> {
            Ok($other)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$out, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

impl<'de> Deserialize<'de> for RawRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
            type Value = RawRow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an indicator value")
            }
            any_value_visitor!(RawRow, RawRow::default());
            fn visit_unit<E: de::Error>(self) -> Result<RawRow, E> {
                Ok(RawRow::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRow, A::Error> {
                let mut row = RawRow {
                    is_object: true,
                    ..RawRow::default()
                };
                let mut unknown = UniqueKeys::new();
                // A repeated field: the last one counts, as in any JSON object.
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::MemberState => row.member_state = Some(map.next_value()?),
                        Field::Indicator => row.indicator = Some(map.next_value()?),
                        Field::Period => row.period = Some(map.next_value()?),
                        Field::Disaggregation => row.disaggregation = Some(map.next_value()?),
                        Field::Value => row.value = Some(map.next_value()?),
                        Field::Flag => row.flag = Some(map.next_value()?),
                        Field::Comment => row.comment = Some(map.next_value()?),
                        Field::Source => row.source = Some(map.next_value()?),
                        Field::Unknown(name) => {
                            map.next_value::<IgnoredAny>()?;
                            row.unknown_total += 1;
                            if unknown.pairs.len() < UNKNOWN_NAMED {
                                unknown.insert(name, ());
                            }
                        }
                    }
                }
                row.unknown = unknown.pairs.into_iter().map(|(name, ())| name).collect();
                Ok(row)
            }
        }
        d.deserialize_any(RowVisitor)
    }
}

impl<'de> Deserialize<'de> for RawDisaggregation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DisaggregationVisitor;
        impl<'de> Visitor<'de> for DisaggregationVisitor {
            type Value = RawDisaggregation;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of dimension: code")
            }
            any_value_visitor!(RawDisaggregation, RawDisaggregation::NotObject);
            fn visit_unit<E: de::Error>(self) -> Result<RawDisaggregation, E> {
                Ok(RawDisaggregation::Null)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawDisaggregation, A::Error> {
                let mut pairs = UniqueKeys::new();
                while let Some((dim, code)) = map.next_entry::<String, Value>()? {
                    pairs.insert(dim, code);
                }
                Ok(RawDisaggregation::Pairs(pairs.pairs))
            }
        }
        d.deserialize_any(DisaggregationVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(body: &str) -> Vec<RawRow> {
        serde_json::from_str(body).expect("any JSON array of values is accepted")
    }

    #[test]
    fn anything_that_is_not_an_object_is_a_row_that_says_so() {
        let got = rows(r#"[1, -2, 2.5, true, "x", null, [1, {"a": [2]}], {}]"#);
        let objects: Vec<bool> = got.iter().map(|r| r.is_object).collect();
        assert_eq!(
            objects,
            [false, false, false, false, false, false, false, true]
        );
        assert_eq!(got[6], RawRow::default());
    }

    #[test]
    fn known_fields_are_kept_and_unknown_ones_named_once_in_order() {
        let got = rows(
            r#"[{"zeta": 1, "member_state": "ARG", "value": 1, "value": 2, "alpha": {}, "zeta": 3,
                 "disaggregation": {"sex": "female", "age_group": 7, "sex": "male"}, "flag": null}]"#,
        );
        let r = &got[0];
        assert!(r.is_object);
        assert_eq!(r.member_state, Some(json!("ARG")));
        assert_eq!(
            r.value,
            Some(json!(2)),
            "the last of a repeated field counts"
        );
        assert_eq!(r.flag, Some(Value::Null));
        assert_eq!(r.comment, None);
        assert_eq!(r.unknown, ["zeta", "alpha"]);
        assert_eq!(
            r.disaggregation,
            Some(RawDisaggregation::Pairs(vec![
                ("sex".into(), json!("male")),
                ("age_group".into(), json!(7)),
            ]))
        );
    }

    #[test]
    fn repeated_keys_past_the_scan_limit_keep_their_place_and_the_last_value() {
        let mut keys = UniqueKeys::new();
        for round in 0..3 {
            for k in 0..40 {
                keys.insert(format!("k{k}"), round * 100 + k);
            }
        }
        let want: Vec<(String, i32)> = (0..40).map(|k| (format!("k{k}"), 200 + k)).collect();
        assert_eq!(keys.pairs, want);
        let names: Vec<String> = (0..40).map(|k| format!("\"u{k}\": {k}")).collect();
        let body = format!("[{{{0}, {0}}}]", names.join(", "));
        let unknown: Vec<String> = (0..UNKNOWN_NAMED).map(|k| format!("u{k}")).collect();
        assert_eq!(rows(&body)[0].unknown, unknown);
        assert_eq!(rows(&body)[0].unknown_total, 80);
    }

    #[test]
    fn a_disaggregation_is_pairs_null_or_not_an_object() {
        let got = rows(
            r#"[{"disaggregation": null}, {"disaggregation": "sex=female"}, {"disaggregation": ["sex"]},
                {"disaggregation": {}}]"#,
        );
        let kinds: Vec<_> = got.into_iter().map(|r| r.disaggregation).collect();
        assert_eq!(
            kinds,
            [
                Some(RawDisaggregation::Null),
                Some(RawDisaggregation::NotObject),
                Some(RawDisaggregation::NotObject),
                Some(RawDisaggregation::Pairs(vec![])),
            ]
        );
    }

    #[test]
    fn escaped_field_names_are_recognised_and_syntax_errors_still_fail() {
        let got = rows(r#"[{"memb\u0065r_state": "ARG", "\u00e9": 1}]"#);
        assert_eq!(got[0].member_state, Some(json!("ARG")));
        assert_eq!(got[0].unknown, ["é"]);
        assert!(serde_json::from_str::<Vec<RawRow>>(r#"[{"value": 1,}]"#).is_err());
        assert!(serde_json::from_str::<Vec<RawRow>>(r#"[{"value": [1}]"#).is_err());
    }
}
