//! A disaggregation: which dimension codes a value is broken down by, in canonical form
//! (dimensions sorted, `dimension=code` pairs joined by `;`, the total is the empty string), so
//! the same breakdown in any key order is one natural key.

use std::collections::BTreeMap;

/// A canonical disaggregation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Disaggregation(BTreeMap<String, String>);

impl Disaggregation {
    pub fn new(pairs: BTreeMap<String, String>) -> Self {
        Self(pairs)
    }

    /// The stored form: `age_group=child;sex=female` (`""` for the total).
    pub fn canonical(&self) -> String {
        self.0
            .iter()
            .map(|(d, c)| format!("{d}={c}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Reads the stored form.
    pub fn from_canonical(text: &str) -> Self {
        Self(
            text.split(';')
                .filter(|p| !p.is_empty())
                .filter_map(|p| {
                    p.split_once('=')
                        .map(|(d, c)| (d.to_string(), c.to_string()))
                })
                .collect(),
        )
    }

    pub fn pairs(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    pub fn get(&self, dimension: &str) -> Option<&str> {
        self.0.get(dimension).map(String::as_str)
    }
}

/// Writes canonical text (`age_group=child;sex=female`) as the JSON object it stands for.
pub fn serialize_canonical<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(None)?;
    // By byte positions: this runs for every value of every page, and `split(';')` with
    // `split_once('=')` spent more in searching than in writing (both are ASCII, so every
    // position found is a character boundary).
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b';')
            .map_or(bytes.len(), |n| start + n);
        if let Some(eq) = bytes[start..end].iter().position(|&b| b == b'=') {
            if let (Some(dimension), Some(code)) =
                (text.get(start..start + eq), text.get(start + eq + 1..end))
            {
                map.serialize_entry(dimension, code)?;
            }
        }
        start = end + 1;
    }
    map.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_is_served_as_the_object_it_stands_for() {
        #[derive(serde::Serialize)]
        struct Row<'a>(#[serde(serialize_with = "serialize_canonical")] &'a str);
        for (text, json) in [
            ("", "{}"),
            ("sex=female", r#"{"sex":"female"}"#),
            (
                "age_group=child;citizenship=foreign;sex=female",
                r#"{"age_group":"child","citizenship":"foreign","sex":"female"}"#,
            ),
        ] {
            assert_eq!(
                serde_json::to_string(&Row(text)).ok().as_deref(),
                Some(json)
            );
        }
    }

    #[test]
    fn key_order_does_not_matter() {
        let a: BTreeMap<_, _> = [
            ("sex".to_string(), "female".to_string()),
            ("age_group".into(), "child".into()),
        ]
        .into();
        let b: BTreeMap<_, _> = [
            ("age_group".to_string(), "child".to_string()),
            ("sex".into(), "female".into()),
        ]
        .into();
        assert_eq!(
            Disaggregation::new(a.clone()).canonical(),
            "age_group=child;sex=female"
        );
        assert_eq!(
            Disaggregation::new(a).canonical(),
            Disaggregation::new(b).canonical()
        );
        assert_eq!(Disaggregation::default().canonical(), "");
        let round = Disaggregation::from_canonical("age_group=child;sex=female");
        assert_eq!(round.get("sex"), Some("female"));
        assert_eq!(
            Disaggregation::from_canonical(""),
            Disaggregation::default()
        );
    }
}
