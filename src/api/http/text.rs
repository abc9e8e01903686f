//! Control characters in string input. NUL and the other C0/C1 controls (tab, line feed and
//! carriage return aside) have no place in any field palermo stores or searches, and PostgreSQL
//! refuses NUL in text outright: they are a 422 naming the field, wherever they come from.

use crate::api::http::fallback::RouteTable;
use crate::error::ApiError;

/// True for a character no string input may hold.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// 422 naming `field` when `value` holds a control character.
pub fn refuse_control(field: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(is_forbidden) {
        return Err(refusal(field));
    }
    Ok(())
}

pub fn refusal(field: &str) -> ApiError {
    ApiError::invalid(field, "must not contain control characters (such as NUL)")
}

/// 422 when a path segment or a query parameter holds a control character once decoded, naming
/// the path parameter (from the route table) or the query parameter.
pub fn check_target(path: &str, query: &str, routes: &RouteTable) -> Result<(), ApiError> {
    for (index, segment) in path.split('/').filter(|s| !s.is_empty()).enumerate() {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if decoded.chars().any(is_forbidden) {
            let name = routes
                .parameter_at(path, index)
                .unwrap_or_else(|| "path".to_string());
            return Err(refusal(&name));
        }
    }
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name.chars().any(is_forbidden) {
            return Err(refusal("query"));
        }
        refuse_control(&name, &value)?;
    }
    Ok(())
}

/// True when a JSON document may hold an escaped control character (`\u0000`..`\u001f` but
/// `\t \n \r`, `\u007f`..`\u009f`): a cheap scan, so that only such documents are walked.
pub fn json_may_hold_control(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 5 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes[i + 1] != b'u' {
            // An escape of one character (`\\`, `\"`, `\n`...): skip both.
            i += 2;
            continue;
        }
        let code = std::str::from_utf8(&bytes[i + 2..i + 6])
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        if code.and_then(char::from_u32).is_some_and(is_forbidden) {
            return true;
        }
        i += 6;
    }
    false
}

/// The JSON pointer of the first string (or object key) of `value` that holds a control
/// character.
pub fn control_in_json(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.chars().any(is_forbidden).then(String::new),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_in_json(v).map(|rest| format!("/{i}{rest}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key = k.replace('~', "~0").replace('/', "~1");
            if k.chars().any(is_forbidden) {
                return Some(format!("/{key}"));
            }
            control_in_json(v).map(|rest| format!("/{key}{rest}"))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_controls_but_not_escaped_backslashes() {
        assert!(json_may_hold_control(br#"{"a":"x\u0000"}"#));
        assert!(json_may_hold_control(br#"{"a":"\u001F"}"#));
        assert!(!json_may_hold_control(br#"{"a":"\\u0000"}"#));
        assert!(!json_may_hold_control(br#"{"a":"tab\t\u0009 \u00e9"}"#));
    }

    #[test]
    fn names_the_field_by_pointer() {
        let v = serde_json::json!({"values": [{"a": "ok"}, {"b": ["x", "y\u{0}"]}]});
        assert_eq!(control_in_json(&v).as_deref(), Some("/values/1/b/1"));
        let v = serde_json::json!({"k\u{7}": 1});
        assert_eq!(control_in_json(&v).as_deref(), Some("/k\u{7}"));
        assert!(refuse_control("q", "plain\ttext").is_ok());
        assert!(refuse_control("q", "a\u{0}b").is_err());
    }
}
