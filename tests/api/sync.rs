//! Delta sync: every list answers `updated_since` with what changed since then, and accepts
//! `include_deleted`, so a dashboard can send the same parameters to every list.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const CYCLE: &str = "/api/v1/reporting-cycles/2019-2020";

/// Every list of the API, with a query separator ready for more parameters.
const LISTS: &[&str] = &[
    "/api/v1/users?",
    "/api/v1/member-states?",
    "/api/v1/work-plans?",
    "/api/v1/work-plans/WP2/guidelines?",
    "/api/v1/work-plans/WP2/mandates?",
    "/api/v1/dimensions?",
    "/api/v1/indicators?",
    "/api/v1/reporting-cycles?",
    "/api/v1/reporting-cycles/2019-2020/submissions?",
    "/api/v1/national-authorities?",
    "/api/v1/commitments?",
    "/api/v1/training-events?",
    "/api/v1/indicator-values?",
];

async fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let res = app.get(path, &app.admin_token).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has items: {body}"))
        .clone()
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let res = app
        .send_json(Method::POST, path, Some(&app.admin_token), &body)
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::CREATED, "{path}: {body}");
    body
}

/// A pause long enough for the next write to get a later timestamp than everything before.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

fn codes(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn open_cycle(app: &TestApp) {
    created(
        app,
        "/api/v1/reporting-cycles",
        json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"}),
    )
    .await;
}

#[tokio::test]
async fn every_list_accepts_the_sync_parameters_and_validates_them() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    for list in LISTS {
        let all = items(&app, list).await;
        let with_deleted = items(&app, &format!("{list}include_deleted=true&limit=1000")).await;
        assert!(
            with_deleted.len() >= all.len(),
            "{list}: include_deleted=true lists at least as much"
        );
        let since_long_ago =
            items(&app, &format!("{list}updated_since=2000-01-01T00:00:00Z")).await;
        assert_eq!(
            since_long_ago.len(),
            all.len(),
            "{list}: everything changed since 2000"
        );
        let future = items(&app, &format!("{list}updated_since=2999-01-01T00:00:00Z")).await;
        assert!(
            future.is_empty(),
            "{list}: nothing changed after 2999: {future:?}"
        );
        let res = app
            .get(&format!("{list}updated_since=yesterday"), &app.admin_token)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(fields(&problem), vec!["updated_since"], "{list}: {problem}");
    }
    // Reference data is there from the start, and says when it was last changed.
    let states = items(&app, "/api/v1/member-states?limit=1000").await;
    assert_eq!(states.len(), 35, "35 member states");
    assert!(
        states.iter().all(|s| s["updated_at"].is_string()),
        "{states:?}"
    );
    let dims = items(&app, "/api/v1/dimensions").await;
    assert!(!dims.is_empty() && dims.iter().all(|d| d["updated_at"].is_string()));
}

#[tokio::test]
async fn updated_since_returns_exactly_what_changed_after_the_instant() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    app.create_user("early-viewer", "viewer", None).await;
    let before_reference = items(&app, "/api/v1/member-states?limit=1000").await;
    tick().await;
    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tick().await;

    // Changes after the mark: one user, one cycle, one submission, one work plan.
    app.create_user("late-viewer", "viewer", None).await;
    created(
        &app,
        "/api/v1/reporting-cycles",
        json!({"code": "2021-2022", "work_plan": "WP2", "period_from": 2021, "period_to": 2022, "due_date": "2023-03-31"}),
    )
    .await;
    let arg = app.reporter("ARG").await;
    let res = app
        .send_json(
            Method::POST,
            &format!("{CYCLE}/submissions/ARG/submit"),
            Some(&arg),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "ARG submits");
    created(
        &app,
        "/api/v1/work-plans",
        json!({
            "code": "WP3", "title": "Third Work Plan", "period_start": "2021-01-01", "period_end": "2025-12-31",
            "aims": ["To promote interagency cooperation."], "principles": ["Respect for human dignity;"],
            "sections": [{"key": "general", "title": "General guidelines"}],
            "guidelines": [{"number": 1, "section": "general", "text": "Establish legislation."}],
            "mandates": [{"number": 1, "text": "Develop training materials."}]
        }),
    )
    .await;

    let since = |path: &str| format!("{path}?updated_since={mark}&limit=1000");
    let users = items(&app, &since("/api/v1/users")).await;
    let names = codes(&users, "username");
    assert!(names.contains(&"late-viewer".to_string()), "{names:?}");
    assert!(
        names.iter().all(|n| n != "early-viewer" && n != "admin"),
        "{names:?}"
    );
    assert_eq!(
        codes(
            &items(&app, &since("/api/v1/reporting-cycles")).await,
            "code"
        ),
        vec!["2021-2022"]
    );
    assert_eq!(
        codes(
            &items(&app, &since(&format!("{CYCLE}/submissions"))).await,
            "member_state"
        ),
        vec!["ARG"],
        "only the state that submitted"
    );
    assert_eq!(
        codes(&items(&app, &since("/api/v1/work-plans")).await, "code"),
        vec!["WP3"]
    );
    assert_eq!(
        items(&app, &since("/api/v1/work-plans/WP3/guidelines"))
            .await
            .len(),
        1
    );
    assert_eq!(
        items(&app, &since("/api/v1/work-plans/WP3/mandates"))
            .await
            .len(),
        1
    );
    assert!(items(&app, &since("/api/v1/work-plans/WP2/guidelines"))
        .await
        .is_empty());
    assert!(items(&app, &since("/api/v1/work-plans/WP2/mandates"))
        .await
        .is_empty());
    assert!(items(&app, &since("/api/v1/member-states"))
        .await
        .is_empty());
    assert!(items(&app, &since("/api/v1/dimensions")).await.is_empty());
    assert!(items(&app, &since("/api/v1/indicators")).await.is_empty());

    // An indicator changed after the mark is the only one listed.
    let res = app
        .get("/api/v1/indicators/VICTIMS_DETECTED", &app.admin_token)
        .await;
    let mut indicator: Value = res.json().await.expect("indicator json");
    indicator["description"] = json!("Victims detected, as reported by the national authorities.");
    let input: serde_json::Map<String, Value> = indicator
        .as_object()
        .expect("object")
        .iter()
        .filter(|(k, _)| {
            [
                "code",
                "name",
                "description",
                "value_type",
                "unit",
                "periodicity",
                "dimensions",
                "guidelines",
                "references",
            ]
            .contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/indicators/VICTIMS_DETECTED",
            Some(&app.admin_token),
            &Value::Object(input),
        )
        .await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(
        codes(&items(&app, &since("/api/v1/indicators")).await, "code"),
        vec!["VICTIMS_DETECTED"]
    );
    // Reference entries keep the time they were seeded at.
    let after_reference = items(&app, "/api/v1/member-states?limit=1000").await;
    assert_eq!(before_reference, after_reference, "member states unchanged");
}
