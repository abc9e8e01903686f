//! Validation rules: admin-written, read by every role, parsed at save time (422 with the field
//! and position), versioned, audited and in the change feed.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

pub const RULES: &str = "/api/v1/validation-rules";

pub fn convicted_le_prosecuted() -> Value {
    json!({
        "code": "CONVICTED_LE_PROSECUTED", "name": "Convictions do not exceed prosecutions",
        "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to",
        "right": "#{PERSONS_PROSECUTED}", "importance": "blocking",
        "missing_value_strategy": "skip_if_any_value_missing"
    })
}

async fn create(app: &TestApp, body: &Value) -> reqwest::Response {
    app.send_json(Method::POST, RULES, Some(&app.admin_token), body)
        .await
}

#[tokio::test]
async fn rules_are_admin_written_read_by_all_and_canonical() {
    let app = spawn_app().await;
    let mut body = convicted_le_prosecuted();
    body["left"] = json!("#{ PERSONS_CONVICTED|sex=female , citizenship=foreign }*(2)");
    let res = create(&app, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let rule: Value = res.json().await.unwrap();
    assert_eq!(
        rule["left"],
        "#{PERSONS_CONVICTED|citizenship=foreign,sex=female} * 2"
    );
    assert_eq!(rule["version"], 1);
    assert_eq!(
        location,
        format!("{RULES}/{}", rule["id"].as_str().unwrap())
    );

    let viewer = app.viewer().await;
    let res = app.get(&location, &viewer).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = app.get(RULES, &viewer).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let reporter = app.reporter("ARG").await;
    let res = app
        .send_json(
            Method::POST,
            RULES,
            Some(&reporter),
            &convicted_le_prosecuted(),
        )
        .await;
    assert_problem(res, 403).await;

    // The same code twice is a conflict.
    assert_problem(create(&app, &body).await, 409).await;

    // Defaults.
    let res = create(
        &app,
        &json!({"code": "VICTIMS_PAIR", "name": "Assisted victims were detected",
            "left": "#{VICTIMS_ASSISTED}", "operator": "compulsory_pair", "right": "#{VICTIMS_DETECTED}"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["importance"], "warning");
    assert_eq!(v["missing_value_strategy"], "skip_if_all_values_missing");
}

#[tokio::test]
async fn a_malformed_rule_is_a_422_naming_the_field_and_position() {
    let app = spawn_app().await;
    let cases = [
        ("left", "#{PERSONS_CONVICTED} +", "at position 23"),
        ("right", "(#{PERSONS_PROSECUTED}", "at position 23"),
        (
            "left",
            "#{CONVICTIONS}",
            "at position 3: unknown indicator CONVICTIONS",
        ),
        (
            "right",
            "#{PERSONS_PROSECUTED|sex=girl}",
            "at position 26: girl is not a code",
        ),
        (
            "right",
            "#{PERSONS_PROSECUTED|age_group=child}",
            "at position 22",
        ),
        ("left", "#{NATIONAL_ACTION_PLAN}", "at position 3"),
    ];
    for (field, text, expected) in cases {
        let mut body = convicted_le_prosecuted();
        body[field] = json!(text);
        let problem = assert_problem(create(&app, &body).await, 422).await;
        assert_eq!(
            fields(&problem),
            vec![format!("/{field}")],
            "{text}: {problem}"
        );
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{text}: {message}");
    }
    let mut body = convicted_le_prosecuted();
    body["operator"] = json!("roughly");
    assert_problem(create(&app, &body).await, 422).await;
    let list: Value = app.get(RULES, &app.admin_token).await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn rules_are_versioned_audited_deleted_as_tombstones_and_in_the_feed() {
    let app = spawn_app().await;
    let res = create(&app, &convicted_le_prosecuted()).await;
    let rule: Value = res.json().await.unwrap();
    let id = rule["id"].as_str().unwrap().to_string();
    let url = format!("{RULES}/{id}");

    let mut body = convicted_le_prosecuted();
    body["importance"] = json!("warning");
    let res = app
        .send_json(Method::PUT, &url, Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["version"].as_i64(), v["importance"].as_str()),
        (Some(2), Some("warning"))
    );
    // A stale If-Match is refused.
    let res = app
        .request(Method::PUT, &url, Some(&app.admin_token))
        .header("If-Match", "\"validation_rule-x-1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(res, 412).await;
    let mut bad = body.clone();
    bad["right"] = json!("#{PERSONS_PROSECUTED} * ");
    let res = app
        .send_json(Method::PUT, &url, Some(&app.admin_token), &bad)
        .await;
    assert_problem(res, 422).await;

    let res = app
        .request(Method::DELETE, &url, Some(&app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&url, &app.admin_token).await, 404).await;
    let list: Value = app
        .get(&format!("{RULES}?include_deleted=true"), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"][0]["deleted_at"].is_string());
    // The code is free again.
    assert_eq!(
        create(&app, &convicted_le_prosecuted()).await.status(),
        StatusCode::CREATED
    );

    let history: Value = app
        .get(&format!("{url}/history"), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert_eq!(app.audit_count("validation_rule", &id), 3);

    let feed: Value = app
        .get("/api/v1/changes?limit=1000", &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let ours: Vec<&Value> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource_id"] == id.as_str())
        .collect();
    assert_eq!(ours.len(), 3);
    assert_eq!(ours[0]["resource_type"], "validation_rule");
    assert_eq!(ours[0]["resource_url"], url.as_str());
}
