//! Guideline commitments: idempotent PUT on the natural key, scope per role, history, tombstones.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn path(state: &str, n: i32) -> String {
    format!("/api/v1/member-states/{state}/commitments/WP2/{n}")
}

fn body(status: &str) -> Value {
    json!({"status": status, "lead_institution": "Ministerio de Seguridad", "target_date": "2026-12-31",
           "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000.5, "currency": "ARS"})
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let v: Value = app
        .get(
            &format!("/api/v1/commitments?limit=1000&{query}"),
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_identical_put_changes_nothing_and_a_new_status_makes_a_new_version() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let res = app
        .send_json(Method::PUT, &path("ARG", 12), Some(&arg), &body("planned"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(path("ARG", 12).as_str())
    );
    let res = app
        .send_json(Method::PUT, &path("ARG", 12), Some(&arg), &body("planned"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let same: Value = res.json().await.expect("json");
    assert_eq!(
        same["version"], 1,
        "identical PUT keeps the version: {same}"
    );
    let res = app
        .send_json(
            Method::PUT,
            &path("ARG", 12),
            Some(&arg),
            &body("in_progress"),
        )
        .await;
    let next: Value = res.json().await.expect("json");
    assert_eq!(
        (next["version"].as_i64(), next["status"].as_str()),
        (Some(2), Some("in_progress"))
    );
    let hist: Value = app
        .get(&format!("{}/history", path("ARG", 12)), &arg)
        .await
        .json()
        .await
        .expect("json");
    let items = hist["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        2,
        "create + one update, the identical PUT left no trace: {hist}"
    );
    assert_eq!(
        (
            items[1]["before"]["status"].as_str(),
            items[1]["after"]["status"].as_str()
        ),
        (Some("planned"), Some("in_progress"))
    );
    assert!(items[1]["changed_by"]
        .as_str()
        .is_some_and(|u| u.starts_with("reporter-arg")));
}

#[tokio::test]
async fn every_write_is_refused_across_states_and_for_viewers_with_nothing_changed() {
    let app = spawn_app().await;
    app.send_json(
        Method::PUT,
        &path("BRA", 5),
        Some(&app.admin_token),
        &body("planned"),
    )
    .await;
    let arg = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    for (who, token) in [("ARG reporter", &arg), ("viewer", &viewer)] {
        for (i, res) in [
            app.send_json(
                Method::PUT,
                &path("BRA", 5),
                Some(token),
                &body("implemented"),
            )
            .await,
            app.send_json(
                Method::PUT,
                &path("BRA", 6),
                Some(token),
                &body("implemented"),
            )
            .await,
            app.request(Method::DELETE, &path("BRA", 5), Some(token))
                .send()
                .await
                .expect("req"),
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(res.status().as_u16(), 403, "{who}, call {i}");
        }
    }
    let bra = list(&app, "member_state=BRA").await;
    assert_eq!(bra.len(), 1, "no BRA commitment added");
    assert_eq!(
        (bra[0]["status"].as_str(), bra[0]["version"].as_i64()),
        (Some("planned"), Some(1))
    );
    let res = app
        .send_json(
            Method::PUT,
            &path("ARG", 5),
            Some(&viewer),
            &body("planned"),
        )
        .await;
    assert_problem(res, 403).await;
    let res = app
        .send_json(Method::PUT, &path("ARG", 5), Some(&arg), &body("planned"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "its own state is fine");
}

#[tokio::test]
async fn commitments_are_validated_and_unknown_targets_are_404() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"status": "planned", "budget_allocated": 10}),
            "/currency",
        ),
        (
            json!({"status": "planned", "budget_allocated": 10, "currency": "XYZ"}),
            "/currency",
        ),
        (json!({"status": "planned", "currency": "USD"}), "/currency"),
        (
            json!({"status": "planned", "budget_allocated": -1, "currency": "USD"}),
            "/budget_allocated",
        ),
        (
            json!({"status": "planned", "budget_allocated": 1.234, "currency": "USD"}),
            "/budget_allocated",
        ),
        (
            json!({"status": "planned", "evidence_urls": ["https://ok.example.org", "file:///etc/passwd"]}),
            "/evidence_urls/1",
        ),
        (
            json!({"status": "planned", "target_date": "2026-13-01"}),
            "/target_date",
        ),
        (json!({"status": "done"}), "/status"),
        (json!({"status": "planned", "extra": 1}), "/extra"),
    ];
    for (b, field) in cases {
        let problem = assert_problem(
            app.send_json(Method::PUT, &path("ARG", 1), Some(&app.admin_token), &b)
                .await,
            422,
        )
        .await;
        assert_eq!(fields(&problem), vec![field.to_string()], "{b}");
    }
    assert_problem(
        app.send_json(
            Method::PUT,
            &path("ARG", 61),
            Some(&app.admin_token),
            &body("planned"),
        )
        .await,
        404,
    )
    .await;
    assert_problem(
        app.send_json(
            Method::PUT,
            "/api/v1/member-states/XYZ/commitments/WP2/1",
            Some(&app.admin_token),
            &body("planned"),
        )
        .await,
        404,
    )
    .await;
    assert_problem(
        app.send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP9/1",
            Some(&app.admin_token),
            &body("planned"),
        )
        .await,
        404,
    )
    .await;
    let p = assert_problem(
        app.send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/x",
            Some(&app.admin_token),
            &body("planned"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["number"]);
    assert!(list(&app, "").await.is_empty(), "nothing was written");
}

#[tokio::test]
async fn delete_leaves_a_tombstone_and_a_later_put_records_it_again() {
    let app = spawn_app().await;
    app.send_json(
        Method::PUT,
        &path("CAN", 3),
        Some(&app.admin_token),
        &body("implemented"),
    )
    .await;
    let res = app.get(&path("CAN", 3), &app.admin_token).await;
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let res = app
        .request(Method::DELETE, &path("CAN", 3), Some(&app.admin_token))
        .header("If-Match", "\"stale\"")
        .send()
        .await
        .expect("req");
    assert_problem(res, 412).await;
    let res = app
        .request(Method::DELETE, &path("CAN", 3), Some(&app.admin_token))
        .header("If-Match", &etag)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&path("CAN", 3), &app.admin_token).await, 404).await;
    assert!(list(&app, "member_state=CAN").await.is_empty());
    let tomb = list(&app, "member_state=CAN&include_deleted=true").await;
    assert_eq!(tomb.len(), 1);
    assert!(tomb[0]["deleted_at"].is_string(), "tombstone: {}", tomb[0]);
    let res = app
        .send_json(
            Method::PUT,
            &path("CAN", 3),
            Some(&app.admin_token),
            &body("implemented"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let back: Value = res.json().await.expect("json");
    assert!(
        back["deleted_at"].is_null() && back["version"].as_i64() == Some(3),
        "{back}"
    );
}

#[tokio::test]
async fn the_list_filters_by_section_guideline_and_status_and_exports_csv() {
    let app = spawn_app().await;
    // Guideline 1 is "general"; 20 is "prevention" in WP2.
    app.send_json(
        Method::PUT,
        &path("ARG", 1),
        Some(&app.admin_token),
        &body("planned"),
    )
    .await;
    app.send_json(
        Method::PUT,
        &path("ARG", 20),
        Some(&app.admin_token),
        &body("implemented"),
    )
    .await;
    app.send_json(
        Method::PUT,
        &path("BRA", 20),
        Some(&app.admin_token),
        &body("planned"),
    )
    .await;
    let keys = |items: Vec<Value>| {
        items
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c["member_state"].as_str().unwrap_or(""),
                    c["guideline"]
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(list(&app, "").await),
        vec!["ARG:1", "ARG:20", "BRA:20"],
        "ordered by state, plan, guideline"
    );
    assert_eq!(
        keys(list(&app, "work_plan=WP2&section=prevention").await),
        vec!["ARG:20", "BRA:20"]
    );
    assert_eq!(
        keys(list(&app, "guideline=WP2:20&status=planned").await),
        vec!["BRA:20"]
    );
    assert_eq!(keys(list(&app, "guideline=1").await), vec!["ARG:1"]);
    assert_problem(
        app.get("/api/v1/commitments?section=prevention", &app.admin_token)
            .await,
        422,
    )
    .await;
    let page: Value = app
        .get("/api/v1/commitments?limit=2", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    let cursor = page["next_cursor"].as_str().expect("more");
    let rest: Value = app
        .get(
            &format!("/api/v1/commitments?limit=2&cursor={cursor}"),
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        keys(rest["items"].as_array().cloned().unwrap_or_default()),
        vec!["BRA:20"]
    );
    let csv = app
        .get("/api/v1/commitments?format=csv", &app.admin_token)
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.starts_with("id,member_state,work_plan,guideline,status"),
        "{csv}"
    );
}
