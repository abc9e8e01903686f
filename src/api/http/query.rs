//! Repeatable query parameters (`?audience=police&audience=judges`), which serde_urlencoded
//! cannot decode into a struct: they are taken out of the query string before the rest is decoded.

use serde::de::DeserializeOwned;

use crate::api::http::extract::decode_query;
use crate::error::ApiError;

/// The values of the repeatable parameters, in the order they were sent.
#[derive(Debug, Clone, Default)]
pub struct Repeated(Vec<(String, String)>);

impl Repeated {
    /// Every value sent for `name` (empty when none was).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Decodes `query` into `T` (an invalid parameter is a 422 naming it), except the parameters in
/// `repeatable`, which may occur any number of times and are returned separately.
pub fn decode<T: DeserializeOwned>(
    query: &str,
    repeatable: &[&str],
) -> Result<(T, Repeated), ApiError> {
    let mut rest = form_urlencoded::Serializer::new(String::new());
    let mut repeated = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if repeatable.contains(&k.as_ref()) {
            repeated.push((k.into_owned(), v.into_owned()));
        } else {
            rest.append_pair(&k, &v);
        }
    }
    let params = decode_query(&rest.finish())?;
    Ok((params, Repeated(repeated)))
}

#[cfg(test)]
mod tests {
    use super::decode;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Q {
        limit: Option<u32>,
        tag: Option<Vec<String>>,
    }

    #[test]
    fn repeated_keys_are_collected_and_the_rest_decoded() {
        let (q, rep) = decode::<Q>("tag=a&limit=5&tag=b%20c", &["tag"]).expect("decodes");
        assert_eq!(q.limit, Some(5));
        assert!(q.tag.is_none(), "left for the caller to fill");
        assert_eq!(rep.values("tag"), vec!["a".to_string(), "b c".to_string()]);
        assert!(rep.values("other").is_empty());
    }

    #[test]
    fn other_parameters_are_still_checked() {
        assert!(decode::<Q>("limit=x&tag=a", &["tag"]).is_err());
        assert!(decode::<Q>("unknown=1", &["tag"]).is_err());
    }
}
