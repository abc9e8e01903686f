//! Request extractors that name the offending field: JSON bodies and query strings are decoded
//! with `serde_path_to_error`, so a wrong type three levels deep is reported at its JSON pointer.

use std::future::Future;
use std::pin::Pin;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, FieldError};

/// Default largest accepted JSON body, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// Largest body any route accepts (the batch import alone).
pub const MAX_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A JSON request body decoded into `T`, at most `LIMIT` bytes.
#[derive(Debug)]
pub struct JsonBody<T, const LIMIT: usize = DEFAULT_BODY_LIMIT>(pub T);

impl<T: DeserializeOwned + 'static, const LIMIT: usize> FromRequest for JsonBody<T, LIMIT> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json_content_type(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::unsupported_media_type(
                    "The request body must be JSON: send `Content-Type: application/json`.",
                ));
            }
            let bytes = read_body(payload, declared, LIMIT).await?;
            decode_json(&bytes.bytes).map(JsonBody)
        })
    }
}

/// Longest pause between two pieces of a body before the request is answered 408.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time to read a body of the default limit; a larger limit gets proportionally more
/// (the batch endpoint's 16 MiB: 10 minutes, at least 28 KB/s).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A body read whole, with the permit it was read under when it was a large one.
pub struct ReadBody {
    pub bytes: BytesMut,
    _permit: Option<OwnedSemaphorePermit>,
}

/// Bodies larger than the default limit read at once, process-wide (each may hold 16 MiB).
fn large_bodies() -> Arc<Semaphore> {
    static LARGE: OnceLock<Arc<Semaphore>> = OnceLock::new();
    LARGE
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Arc::new(Semaphore::new(cores.max(2)))
        })
        .clone()
}

/// Reads a body, chunked or not, refusing it (413) as soon as it passes `limit` and answering
/// 408 when the client stalls. A body allowed past the default limit first takes one of a few
/// process-wide permits (503 with `Retry-After` while they are all taken).
pub async fn read_body(
    mut payload: Payload,
    declared: Option<usize>,
    limit: usize,
) -> Result<ReadBody, ApiError> {
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let permit = if limit > DEFAULT_BODY_LIMIT && declared.is_none_or(|n| n > DEFAULT_BODY_LIMIT) {
        let wait = actix_web::rt::time::timeout(BODY_IDLE_TIMEOUT, large_bodies().acquire_owned());
        match wait.await {
            Ok(Ok(permit)) => Some(permit),
            _ => {
                return Err(ApiError::unavailable(
                    "Too many large request bodies are being received; retry shortly.",
                ))
            }
        }
    } else {
        None
    };
    let scale = u32::try_from(limit.div_ceil(DEFAULT_BODY_LIMIT)).unwrap_or(u32::MAX);
    let deadline =
        actix_web::rt::time::Instant::now() + BODY_READ_TIMEOUT.saturating_mul(scale.min(60));
    let mut bytes = BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    loop {
        let left = deadline.saturating_duration_since(actix_web::rt::time::Instant::now());
        let next = actix_web::rt::time::timeout(left.min(BODY_IDLE_TIMEOUT), payload.next());
        match next.await {
            Err(_) => return Err(ApiError::request_timeout()),
            Ok(None) => break,
            Ok(Some(Err(PayloadError::Overflow))) => return Err(too_large(limit)),
            Ok(Some(Err(e))) => {
                return Err(ApiError::bad_request(format!(
                    "The request body could not be read: {e}"
                )))
            }
            Ok(Some(Ok(chunk))) => {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
        }
    }
    Ok(ReadBody {
        bytes,
        _permit: permit,
    })
}

fn too_large(limit: usize) -> ApiError {
    ApiError::payload_too_large(format!(
        "The request body exceeds the limit of {limit} bytes."
    ))
}

fn is_json_content_type(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `bytes` decoded with every number that is a whole float (`10.0`) read as an integer; `None`
/// when it has none or still does not decode.
fn decode_with_whole_numbers<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    fn whole(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    *v = serde_json::Value::from(f as i64);
                    true
                }
                _ => false,
            },
            serde_json::Value::Array(a) => a.iter_mut().fold(false, |acc, v| whole(v) | acc),
            serde_json::Value::Object(m) => m.values_mut().fold(false, |acc, v| whole(v) | acc),
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if !whole(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Decodes a JSON document, mapping syntax errors to 400 and shape errors to 422 with a pointer.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::malformed_body(
            "The request body is not valid UTF-8.",
        ));
    }
    // Control characters arrive escaped (`\u0000`); only a document that may hold one is walked.
    if crate::api::http::text::json_may_hold_control(bytes) {
        if let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(pointer) = crate::api::http::text::control_in_json(&document) {
                return Err(crate::api::http::text::refusal(&pointer));
            }
        }
    }
    // The common case pays no path tracking; a failure is decoded again to name where it failed.
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        return Ok(value);
    }
    // JSON does not tell `10` from `10.0`: a whole number written with a fraction is read as an
    // integer where the field is one.
    if let Some(value) = decode_with_whole_numbers(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = json_pointer(e.path());
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::malformed_body(format!("The request body is not valid JSON: {inner}."))
            }
            // A shape error seen before a later syntax error: the document is still malformed.
            Category::Data => match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Err(syntax) => ApiError::malformed_body(format!(
                    "The request body is not valid JSON: {syntax}."
                )),
                Ok(_) => field_error(&pointer, &strip_position(&inner.to_string()), '/'),
            },
        }
    })?;
    de.end().map_err(|e| {
        ApiError::malformed_body(format!("The request body is not valid JSON: {e}."))
    })?;
    Ok(value)
}

/// Query parameters decoded into `T`; an invalid parameter is a 422 naming it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(decode_query(req.query_string()).map(QueryParams))
    }
}

pub fn decode_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let name = e.path().to_string();
        let name = if name == "." { String::new() } else { name };
        field_error(&name, &e.into_inner().to_string(), '.')
    })
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// Turns a serde "data" error into a field-level 422. Missing and unknown fields are reported
/// at the field itself rather than at its parent object.
fn field_error(prefix: &str, message: &str, sep: char) -> ApiError {
    let join = |name: &str| {
        if sep == '/' {
            format!("{prefix}/{}", pointer_token(name))
        } else if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let quoted = |m: &str, lead: &str| {
        m.strip_prefix(lead)
            .and_then(|rest| rest.strip_prefix('`'))
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(name) = quoted(message, "missing field ") {
        return ApiError::validation(vec![FieldError::new(join(&name), "is required")]);
    }
    if let Some(name) = quoted(message, "unknown field ") {
        // serde_path_to_error sometimes already points at the unknown field itself.
        let already = if sep == '/' {
            prefix.rsplit('/').next() == Some(pointer_token(&name).as_str())
        } else {
            prefix.rsplit('.').next() == Some(name.as_str())
        };
        let field = if already {
            prefix.to_string()
        } else {
            join(&name)
        };
        return ApiError::validation(vec![FieldError::new(field, "is not a known field")]);
    }
    let field = if prefix.is_empty() {
        if sep == '/' {
            "/".to_string()
        } else {
            "query".to_string()
        }
    } else {
        prefix.to_string()
    };
    ApiError::validation(vec![FieldError::new(field, message.to_string())])
}

/// A key as one JSON Pointer reference token (RFC 6901: `~` is `~0`, `/` is `~1`).
fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}

/// 422 naming `name` when a query parameter is longer than `max` characters.
pub fn bounded(name: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            name,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// For PATCH bodies: distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::api::http::extract::nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn fields(e: ApiError) -> (u16, Vec<String>) {
        let p = e.problem();
        (
            p.status,
            p.errors
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.field)
                .collect(),
        )
    }

    #[test]
    fn wrong_type_deep_in_the_body_is_named_by_pointer() {
        let e = decode_json::<Outer>(br#"{"name":"x","items":[{"n":1},{"n":"two"}]}"#).unwrap_err();
        assert_eq!(fields(e), (422, vec!["/items/1/n".to_string()]));
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let e = decode_json::<Outer>(br#"{"items":[]}"#).unwrap_err();
        assert_eq!(fields(e), (422, vec!["/name".to_string()]));
        let e = decode_json::<Outer>(br#"{"name":"x","items":[],"extra":1}"#).unwrap_err();
        assert_eq!(fields(e), (422, vec!["/extra".to_string()]));
    }

    #[test]
    fn an_unknown_key_with_a_slash_or_tilde_is_one_escaped_pointer() {
        let e = decode_json::<Outer>(br#"{"name":"x","items":[],"/name":1}"#).unwrap_err();
        assert_eq!(fields(e), (422, vec!["/~1name".to_string()]));
        let e = decode_json::<Outer>(br#"{"name":"x","items":[{"n":1,"a~b":2}]}"#).unwrap_err();
        assert_eq!(fields(e), (422, vec!["/items/0/a~0b".to_string()]));
    }

    #[test]
    fn syntax_errors_are_400() {
        assert_eq!(
            fields(decode_json::<Outer>(b"{\"name\":").unwrap_err()).0,
            400
        );
        assert_eq!(
            fields(decode_json::<Outer>(b"{} trailing").unwrap_err()).0,
            400
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<u32>,
    }

    #[test]
    fn bad_query_parameter_is_named() {
        let e = decode_query::<Q>("limit=abc").unwrap_err();
        assert_eq!(fields(e), (422, vec!["limit".to_string()]));
    }
}
