//! The document-wide rules of the contract, applied to the generated document as JSON so that
//! every operation, those `record_routes!` generates included, follows them without repeating
//! them per handler:
//!
//! - `summary` is the first sentence of the handler's doc comment, `description` the whole of it;
//! - header parameters are plain strings (absent, never `null`);
//! - path codes carry the pattern the server checks;
//! - declared response headers: `Link` on pages, `ETag` on versioned records, `Idempotent-Replayed`
//!   where an `Idempotency-Key` is taken, `WWW-Authenticate` on 401, `Retry-After` on 429/503;
//! - `links` from each creating operation to the operations on what it created;
//! - list items and other shared schemas by `$ref`, not inlined; components nothing uses are
//!   dropped.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// ISO 3166-1 alpha-3, as `MemberStateCode::parse` checks it.
const MEMBER_STATE_CODE: &str = "^[A-Z]{3}$";
/// `YYYY-YYYY`, as a reporting cycle's code is checked.
const CYCLE_CODE: &str = "^[0-9]{4}-[0-9]{4}$";

/// Applies every rule to `doc`.
pub fn apply(doc: &mut Value) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    split_summary(op);
                    constrain_parameters(path, op);
                }
            }
        }
    }
    split_csv(doc);
    constrain_inputs(doc);
    inline_refs(doc);
    declare_headers(doc);
    add_links(doc);
    drop_unused_components(doc);
}

/// `summary`: the doc comment's first sentence on one line, without its full stop;
/// `description`: the whole doc comment, paragraphs kept, lines joined.
fn split_summary(op: &mut Map<String, Value>) {
    let mut text = String::new();
    for key in ["summary", "description"] {
        if let Some(part) = op.get(key).and_then(Value::as_str) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(part);
        }
    }
    if text.is_empty() {
        return;
    }
    let description = text
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n");
    let summary = first_sentence(&description);
    op.insert("summary".into(), Value::String(summary));
    op.insert("description".into(), Value::String(description));
}

/// Up to the first full stop followed by a space (outside backquotes), without it.
fn first_sentence(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    let mut in_code = false;
    let bytes = first.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'.' if !in_code && (i + 1 == bytes.len() || bytes[i + 1] == b' ') => {
                return first[..i].to_string();
            }
            _ => {}
        }
    }
    first.trim_end_matches('.').to_string()
}

/// The suffix of a list's CSV representation: `GET /api/v1/commitments.csv`.
pub const CSV_SUFFIX: &str = ".csv";

/// Each list that also answers CSV (it takes the shared `format` parameter) gets its CSV as an
/// operation of its own on `PATH.csv` (`<operationId>_csv`, `text/csv` only, no `limit`,
/// `cursor` or `format`), so a generated client has one method per representation; the list
/// itself documents JSON only (it still honours `format=csv` and `Accept: text/csv`).
fn split_csv(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut out = Map::new();
    for (path, mut item) in std::mem::take(paths) {
        let csv = item
            .get_mut("get")
            .and_then(|op| csv_operation(path.as_str(), op));
        out.insert(path.clone(), item);
        if let Some(op) = csv {
            out.insert(format!("{path}{CSV_SUFFIX}"), json!({ "get": op }));
        }
    }
    *paths = out;
}

/// The CSV twin of list operation `op` (which loses its CSV), if it has one.
fn csv_operation(path: &str, op: &mut Value) -> Option<Value> {
    let params = op.get_mut("parameters")?.as_array_mut()?;
    let takes_format = params
        .iter()
        .any(|p| p["name"] == "format" && p["in"] == "query");
    if !takes_format {
        return None;
    }
    params.retain(|p| p["name"] != "format");
    let csv_params: Vec<Value> = params
        .iter()
        .filter(|p| p["name"] != "limit" && p["name"] != "cursor")
        .cloned()
        .collect();
    if let Some(content) = op
        .pointer_mut("/responses/200/content")
        .and_then(Value::as_object_mut)
    {
        content.remove("text/csv");
    }
    let mut csv = op.clone();
    let original = op["description"].as_str().unwrap_or_default().to_string();
    let id = op["operationId"].as_str().unwrap_or_default().to_string();
    let summary = op["summary"].as_str().unwrap_or_default().to_string();
    let csv_path = format!("{path}{CSV_SUFFIX}");
    if let Some(d) = op.get_mut("description") {
        *d = json!(format!(
            "{}\n\nThe same selection as CSV: `GET {csv_path}`.",
            d.as_str().unwrap_or_default()
        ));
    }
    csv["operationId"] = json!(format!("{id}_csv"));
    csv["summary"] = json!(format!("{summary} (CSV)"));
    csv["description"] = json!(format!(
        "The CSV representation of `GET {path}` (`{id}`): a header row, then every matching \
         item (RFC 4180, UTF-8), streamed in one response, so there is no `limit` or `cursor`. \
         Same filters and order as the JSON list; the same as that list with `Accept: text/csv` \
         or `format=csv`.\n\n{original}"
    ));
    csv["parameters"] = Value::Array(csv_params);
    if let Some(ok) = csv.pointer_mut("/responses/200") {
        *ok = json!({
            "description": "Every matching item, one CSV row each, after a header row",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        });
    }
    Some(csv)
}

/// Header parameters are plain strings; path codes get the pattern the server checks.
fn constrain_parameters(path: &str, op: &mut Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in params {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let place = p["in"].as_str().unwrap_or_default().to_string();
        let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
            continue;
        };
        if place == "header" && schema.get("type") == Some(&json!(["string", "null"])) {
            schema.insert("type".into(), json!("string"));
        }
        if place == "path" {
            let pattern = match name.as_str() {
                "member_state" => Some(MEMBER_STATE_CODE),
                "code" if path.starts_with("/api/v1/member-states/") => Some(MEMBER_STATE_CODE),
                "code" if path.starts_with("/api/v1/reports/member-states/") => {
                    Some(MEMBER_STATE_CODE)
                }
                "code" if path.starts_with("/api/v1/reporting-cycles/") => Some(CYCLE_CODE),
                _ => None,
            };
            if let Some(pattern) = pattern {
                schema.insert("pattern".into(), json!(pattern));
            }
        }
    }
}

/// Free text as `domain::contact::text` accepts it: not blank, no control character but tab and
/// line breaks.
const FREE_TEXT: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// `domain::contact::phone`: `+`, then 7 to 15 digits, spaces between them.
const PHONE: &str = "^\\+[0-9](?: *[0-9]){6,14}$";
/// `domain::contact::web_url`: an http(s) URL without spaces.
const WEB_URL: &str = "^https?://[^\\s/?#]+[^\\s]*$";

/// The component schemas that request bodies use, directly or through their properties.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for method in METHODS {
                if let Some(body) = item.pointer(&format!("/{method}/requestBody")) {
                    collect_refs(body, &mut refs);
                }
            }
        }
    }
    let mut names = BTreeSet::new();
    let mut todo: Vec<String> = refs.into_iter().collect();
    while let Some(r) = todo.pop() {
        let Some(name) = r.strip_prefix("#/components/schemas/") else {
            continue;
        };
        if !names.insert(name.to_string()) {
            continue;
        }
        let mut more = BTreeSet::new();
        if let Some(schema) = doc.pointer(&format!("/components/schemas/{}", escape(name))) {
            collect_refs(schema, &mut more);
        }
        todo.extend(more);
    }
    names
}

/// Publishes what the server checks of request fields: free text is not blank (28 optional
/// strings refuse `""`), phone numbers, web addresses, language and currency codes.
fn constrain_inputs(doc: &mut Value) {
    let inputs = request_schemas(doc);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in inputs {
        let Some(props) = schemas
            .get_mut(&name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, prop) in props.iter_mut() {
            let Some(p) = prop.as_object_mut() else {
                continue;
            };
            let is_string = p.get("type") == Some(&json!("string"))
                || p.get("type") == Some(&json!(["string", "null"]));
            match field.as_str() {
                "phone" if is_string => {
                    p.insert("pattern".into(), json!(PHONE));
                }
                "website" if is_string => {
                    p.insert("format".into(), json!("uri"));
                    p.insert("pattern".into(), json!(WEB_URL));
                }
                "languages" => {
                    if let Some(items) = p.get_mut("items").and_then(Value::as_object_mut) {
                        items.insert("enum".into(), json!(crate::domain::contact::ISO_639_1));
                    }
                }
                "currency" if is_string => {
                    let description = p.get("description").cloned();
                    let codes = json!({"type": "string", "enum": crate::domain::contact::ISO_4217});
                    p.clear();
                    p.insert("oneOf".into(), json!([{"type": "null"}, codes]));
                    if let Some(d) = description {
                        p.insert("description".into(), d);
                    }
                }
                _ if is_string
                    && p.contains_key("maxLength")
                    && !["format", "pattern", "enum"]
                        .iter()
                        .any(|k| p.contains_key(*k)) =>
                {
                    p.insert("minLength".into(), json!(1));
                    p.insert("pattern".into(), json!(FREE_TEXT));
                }
                _ => {}
            }
        }
    }
}

/// Replaces an inline copy of a component schema by a `$ref` to it (utoipa inlines the type
/// argument of a generic such as `Page<T>`), so generators build one model per schema.
fn inline_refs(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let Some(target) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in target.iter_mut() {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        let Some(own) = schemas.get(item) else {
            continue;
        };
        if let Some(items) = schema.pointer_mut("/properties/items/items") {
            if items == own {
                *items = json!({"$ref": format!("#/components/schemas/{item}")});
            }
        }
    }
}

fn header(description: &str, schema: Value) -> Value {
    json!({"description": description, "schema": schema})
}

/// Adds `name` to `response`'s headers unless it is declared already.
fn add_header(response: &mut Value, name: &str, value: Value) {
    if let Some(obj) = response.as_object_mut() {
        let headers = obj.entry("headers").or_insert_with(|| json!({}));
        if let Some(h) = headers.as_object_mut() {
            h.entry(name.to_string()).or_insert(value);
        }
    }
}

/// The component schema a response's JSON body refers to.
fn body_schema_name(response: &Value) -> Option<String> {
    response
        .pointer("/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string)
}

fn declare_headers(doc: &mut Value) {
    let versioned: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| {
            s.iter()
                .filter(|(_, v)| v.pointer("/properties/version").is_some())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let retry_after = header(
        "Seconds to wait before retrying.",
        json!({"type": "integer", "minimum": 0}),
    );
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        if let Some(r) = responses.get_mut("Unauthorized") {
            add_header(
                r,
                "WWW-Authenticate",
                header(
                    "`Bearer`, with `error=\"invalid_token\"` when a token was sent but refused.",
                    json!({"type": "string"}),
                ),
            );
        }
        for name in ["TooManyRequests", "Unavailable"] {
            if let Some(r) = responses.get_mut(name) {
                add_header(r, "Retry-After", retry_after.clone());
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            let idempotent = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                if !status.starts_with('2') {
                    continue;
                }
                let body = body_schema_name(response);
                if body.as_deref().is_some_and(|b| b.starts_with("Page_")) {
                    add_header(
                        response,
                        "Link",
                        header(
                            "`<URL>; rel=\"next\"` while there are more pages.",
                            json!({"type": "string"}),
                        ),
                    );
                }
                if body.is_some_and(|b| versioned.contains(&b)) {
                    add_header(
                        response,
                        "ETag",
                        header(
                            "Strong entity tag of this version, for `If-Match`.",
                            json!({"type": "string"}),
                        ),
                    );
                }
                if idempotent {
                    add_header(
                        response,
                        "Idempotent-Replayed",
                        header(
                            "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`.",
                            json!({"type": "string", "enum": ["true"]}),
                        ),
                    );
                }
            }
        }
    }
}

/// The path parameters of a path template, in order.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// OpenAPI `links` from every 201 to the operations on the resource it created: a POST on
/// `P` links to the operations on `P/{key}` (and below it, with no further parameter), the key
/// taken from the response body; a PUT that creates links to the operations on its own path,
/// with its own path parameters.
fn add_links(doc: &mut Value) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object).cloned() else {
        return;
    };
    let mut found: Vec<(String, String, Map<String, Value>)> = Vec::new();
    for (path, item) in &paths {
        for method in ["post", "put"] {
            let Some(op) = item.get(method) else { continue };
            let Some(created) = op.pointer("/responses/201") else {
                continue;
            };
            let body = body_schema_name(created);
            let properties = body
                .as_ref()
                .and_then(|b| doc.pointer(&format!("/components/schemas/{b}/properties")))
                .and_then(Value::as_object);
            let own = path_params(path);
            let mut links = Map::new();
            for (target, target_item) in &paths {
                let extra: Vec<&str> = path_params(target)
                    .into_iter()
                    .filter(|p| !own.contains(p))
                    .collect();
                let (related, key) = match method {
                    "put" => (
                        target == path || target.starts_with(&format!("{path}/")),
                        None,
                    ),
                    _ => match extra.as_slice() {
                        [key] => {
                            let prefix = format!("{path}/{{{key}}}");
                            (
                                target == &prefix || target.starts_with(&format!("{prefix}/")),
                                Some(*key),
                            )
                        }
                        _ => (false, None),
                    },
                };
                if !related || (method == "put" && !extra.is_empty()) {
                    continue;
                }
                if let Some(key) = key {
                    if !properties.is_some_and(|p| p.contains_key(key)) {
                        continue;
                    }
                }
                for target_method in METHODS {
                    let Some(target_op) = target_item.get(target_method) else {
                        continue;
                    };
                    let Some(id) = target_op["operationId"].as_str() else {
                        continue;
                    };
                    if target == path && target_method == method {
                        continue;
                    }
                    let mut parameters = Map::new();
                    for p in path_params(target) {
                        let from = if Some(p) == key {
                            format!("$response.body#/{p}")
                        } else {
                            format!("$request.path.{p}")
                        };
                        parameters.insert(p.to_string(), Value::String(from));
                    }
                    links.insert(
                        id.to_string(),
                        json!({
                            // utoipa's `Link` reads and writes `operation_id`; `fix_links`
                            // renames it after the round trip.
                            "operation_id": id,
                            "parameters": parameters,
                            "description": format!("`{}` on the record just created.", id),
                        }),
                    );
                }
            }
            if !links.is_empty() {
                found.push((path.clone(), method.to_string(), links));
            }
        }
    }
    for (path, method, links) in found {
        let pointer = format!("/paths/{}/{method}/responses/201", escape(&path));
        if let Some(response) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            response.insert("links".into(), Value::Object(links));
        }
    }
}

/// utoipa 5 serialises `Link::operation_id` as `operation_id`, not `operationId`: moves it to
/// the spelling OpenAPI defines (through the link's extensions, written as they are).
pub fn fix_links(api: &mut utoipa::openapi::OpenApi) {
    for item in api.paths.paths.values_mut() {
        for op in super::operations(item).into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                let utoipa::openapi::RefOr::T(response) = response else {
                    continue;
                };
                for link in response.links.values_mut() {
                    let utoipa::openapi::RefOr::T(link) = link else {
                        continue;
                    };
                    if link.operation_id.is_empty() {
                        continue;
                    }
                    let id = std::mem::take(&mut link.operation_id);
                    link.extensions
                        .get_or_insert_with(Default::default)
                        .insert("operationId".into(), Value::String(id));
                }
            }
        }
    }
}

/// A JSON pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn collect_refs(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    if let Some(r) = v.as_str() {
                        into.insert(r.to_string());
                    }
                } else {
                    collect_refs(v, into);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

/// Drops the component schemas and responses that nothing reachable from the paths refers to.
fn drop_unused_components(doc: &mut Value) {
    let mut used = BTreeSet::new();
    if let Some(paths) = doc.get("paths") {
        collect_refs(paths, &mut used);
    }
    // Follow references through the components until nothing new is found.
    loop {
        let mut more = used.clone();
        for r in &used {
            if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                collect_refs(target, &mut more);
            }
        }
        if more.len() == used.len() {
            break;
        }
        used = more;
    }
    for kind in ["schemas", "responses"] {
        if let Some(map) = doc
            .pointer_mut(&format!("/components/{kind}"))
            .and_then(Value::as_object_mut)
        {
            map.retain(|name, _| used.contains(&format!("#/components/{kind}/{}", escape(name))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_is_the_summary() {
        assert_eq!(first_sentence("Get one. More here."), "Get one");
        assert_eq!(first_sentence("Use `a. b` here. Then"), "Use `a. b` here");
        assert_eq!(first_sentence("Only one."), "Only one");
    }
}
