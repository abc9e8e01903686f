//! The committed OpenAPI document equals the one generated from the handlers, and it is complete.

use serde_json::Value;

const COMMITTED: &str = "openapi/openapi.json";

fn generated() -> String {
    palermo::startup::openapi_document()
        .to_pretty_json()
        .expect("spec serialises")
        + "\n"
}

#[test]
fn committed_openapi_document_matches_the_handlers() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let fresh = generated();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{COMMITTED} is out of date with the handlers.\nReview the change, then regenerate it with:\n\n    UPDATE_OPENAPI=1 cargo test --test api openapi\n"
    );
}

#[test]
fn every_operation_is_documented_with_id_tag_errors_and_security() {
    let spec: Value = serde_json::from_str(&generated()).expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(
        paths.len() >= 15,
        "expected every route, got {}",
        paths.len()
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let at = format!("{method} {path}");
            assert!(op["operationId"].is_string(), "{at}: operationId");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: tags"
            );
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{at}: description"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500"), "{at}: 500");
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{at}: a success response"
            );
            let protected = path.starts_with("/api/v1/") && path != "/api/v1/auth/token";
            if protected {
                assert!(responses.contains_key("401"), "{at}: 401");
                assert!(
                    op["security"].as_array().is_some_and(|s| !s.is_empty()),
                    "{at}: security"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{at}: {status}");
                }
            }
        }
    }
    for name in ["Unauthorized", "ValidationFailed", "NotFound"] {
        let r = &spec["components"]["responses"][name];
        assert!(
            r["content"]["application/problem+json"].is_object(),
            "{name} is problem+json: {r}"
        );
    }
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
