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
            let public_view = path.starts_with("/api/v1/public/");
            let protected =
                path.starts_with("/api/v1/") && path != "/api/v1/auth/token" && !public_view;
            if public_view {
                assert_eq!(op["security"], serde_json::json!([]), "{at}: no token");
                assert!(!responses.contains_key("401"), "{at}: no 401");
                assert!(responses.contains_key("429"), "{at}: throttled");
            }
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

/// Each list's CSV is an operation of its own on `PATH.csv`, and the server answers it.
#[tokio::test]
async fn csv_has_its_own_operation_and_path() {
    let spec: Value = serde_json::from_str(&generated()).expect("json");
    let csv = &spec["paths"]["/api/v1/commitments.csv"]["get"];
    assert_eq!(csv["operationId"], "list_commitments_csv");
    let content = csv["responses"]["200"]["content"]
        .as_object()
        .expect("content");
    assert_eq!(content.keys().collect::<Vec<_>>(), vec!["text/csv"]);
    let params: Vec<&str> = (csv["parameters"].as_array().expect("params").iter())
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        params.contains(&"status") && !params.contains(&"limit") && !params.contains(&"format")
    );
    let json = &spec["paths"]["/api/v1/commitments"]["get"];
    assert!(json["responses"]["200"]["content"]["text/csv"].is_null());

    let app = crate::helpers::spawn_app().await;
    let res = app
        .get(
            "/api/v1/member-states.csv?limit=2&format=json",
            &app.admin_token,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let body = res.text().await.expect("body");
    assert_eq!(
        body.lines().count(),
        36,
        "a header row and all 35 states: {body}"
    );
    let res = app
        .get("/api/v1/work-plans/WP2/guidelines.csv", &app.admin_token)
        .await;
    assert_eq!(res.status(), 200);
    let res = app.get("/api/v1/me.csv", &app.admin_token).await;
    assert_eq!(res.status(), 404);
}
