//! Hostile input in every place a string can arrive: path, query, body, login name. It is a 422
//! naming the field on both backends, never a 500.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// Ids of one record of each kind, to fill path templates with.
pub struct Seeded {
    user: String,
    authority: String,
    event: String,
    rule: String,
    webhook: String,
}

/// One national authority, training event, commitment and reporting cycle of Argentina, a
/// validation rule and an (inactive) webhook subscription.
pub async fn seed(app: &TestApp) -> Seeded {
    let token = Some(app.admin_token.as_str());
    let created = |res: reqwest::Response| async move {
        assert!(res.status().is_success(), "seeding: {}", res.status());
        res.json::<Value>().await.expect("json")["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let authority = created(
        app.send_json(Method::POST, "/api/v1/national-authorities", token,
            &json!({"member_state": "ARG", "role": "focal_point", "institution": "Ministerio de Justicia"}))
            .await,
    )
    .await;
    let event = created(
        app.send_json(
            Method::POST,
            "/api/v1/training-events",
            token,
            &json!({
            "member_state": "ARG", "organizer": "Ministerio de Seguridad", "title": "Taller",
            "start_date": "2026-01-10", "end_date": "2026-01-20", "modality": "virtual",
            "audiences": ["police"], "participants_total": 4}),
        )
        .await,
    )
    .await;
    created(
        app.send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/1",
            token,
            &json!({"status": "planned"}),
        )
        .await,
    )
    .await;
    created(
        app.send_json(
            Method::POST,
            "/api/v1/reporting-cycles",
            token,
            &json!({"code": "2019-2020",
            "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"}),
        )
        .await,
    )
    .await;
    let rule = created(
        app.send_json(
            Method::POST,
            "/api/v1/validation-rules",
            token,
            &json!({"code": "CONVICTED_LE_PROSECUTED", "name": "Convictions do not exceed prosecutions",
            "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to",
            "right": "#{PERSONS_PROSECUTED}"}),
        )
        .await,
    )
    .await;
    let webhook = created(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            token,
            &json!({"url": "https://hooks.example.org/palermo", "active": false}),
        )
        .await,
    )
    .await;
    let me: Value = app
        .get("/api/v1/me", &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    Seeded {
        user: me["id"].as_str().unwrap().to_string(),
        authority,
        event,
        rule,
        webhook,
    }
}

/// `template` with each `{param}` replaced by an existing record's key.
pub fn fill(template: &str, ids: &Seeded) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in template.split('/') {
        let value = match segment {
            "{id}" => match previous {
                "users" => ids.user.clone(),
                "national-authorities" => ids.authority.clone(),
                "training-events" => ids.event.clone(),
                "validation-rules" => ids.rule.clone(),
                "webhooks" => ids.webhook.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            },
            "{code}" => match previous {
                "work-plans" => "WP2".into(),
                "reporting-cycles" => "2019-2020".into(),
                "indicators" => "VICTIMS_DETECTED".into(),
                _ => "ARG".into(),
            },
            "{work_plan}" => "WP2".into(),
            "{number}" => "1".into(),
            "{member_state}" => "ARG".into(),
            "{delivery_id}" => uuid::Uuid::new_v4().to_string(),
            other => other.to_string(),
        };
        previous = segment;
        out.push(value);
    }
    out.join("/")
}

/// Every documented GET path, and whether it is a list (takes `limit`).
pub fn get_paths() -> Vec<(String, bool)> {
    let doc = serde_json::to_value(palermo::startup::openapi_document()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| {
            let get = item.get("get")?;
            let list = get["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "limit"));
            Some((path.clone(), list))
        })
        .collect()
}

#[tokio::test]
async fn every_list_refuses_an_unknown_query_parameter() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let lists: Vec<String> = get_paths()
        .into_iter()
        .filter(|(_, l)| *l)
        .map(|(p, _)| p)
        .collect();
    assert!(lists.len() > 15, "{lists:?}");
    let mut lenient = Vec::new();
    for template in lists {
        let path = fill(&template, &ids);
        let ok = app.get(&path, &app.admin_token).await;
        assert_eq!(ok.status(), StatusCode::OK, "{path}");
        let res = app
            .get(
                &format!("{path}?limit=2&no_such_filter=1"),
                &app.admin_token,
            )
            .await;
        if res.status() != StatusCode::UNPROCESSABLE_ENTITY {
            lenient.push(format!("{path}: {}", res.status()));
            continue;
        }
        let body = assert_problem(res, 422).await;
        assert_eq!(fields(&body), vec!["no_such_filter"], "{path}: {body}");
    }
    assert!(
        lenient.is_empty(),
        "lists accepting an unknown parameter: {lenient:#?}"
    );
}

#[tokio::test]
async fn a_control_character_in_any_path_parameter_is_a_422_naming_it() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    for (template, _) in get_paths() {
        let params: Vec<&str> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for name in params {
            let path = fill(&template.replace(&format!("{{{name}}}"), "a%00b"), &ids);
            let body = assert_problem(app.get(&path, &app.admin_token).await, 422).await;
            assert_eq!(fields(&body), vec![name.to_string()], "{path}: {body}");
        }
    }
    // As in the probes that found the 500s.
    for (path, field) in [
        ("/api/v1/national-authorities/%00", "id"),
        ("/api/v1/users/a%00b", "id"),
    ] {
        let body = assert_problem(app.get(path, &app.admin_token).await, 422).await;
        assert_eq!(fields(&body), vec![field], "{path}");
    }
    let body = assert_problem(app.get("/api/v1/nowhere/%01", &app.admin_token).await, 422).await;
    assert_eq!(fields(&body), vec!["path"]);
}

#[tokio::test]
async fn a_control_character_in_a_query_parameter_is_a_422_naming_it() {
    let app = spawn_app().await;
    for (path, field) in [
        ("/api/v1/national-authorities?q=%00", "q"),
        ("/api/v1/training-events?q=x%1Fy", "q"),
        (
            "/api/v1/training-events?audience=police&audience=%00",
            "audience",
        ),
        ("/api/v1/indicator-values?member_state=%00", "member_state"),
        ("/api/v1/commitments?status=planned%7F", "status"),
        (
            "/api/v1/reports/implementation?work_plan=WP%002",
            "work_plan",
        ),
        ("/api/v1/changes?after=%00", "after"),
        ("/api/v1/users?cursor=%C2%85", "cursor"),
    ] {
        let body = assert_problem(app.get(path, &app.admin_token).await, 422).await;
        assert_eq!(fields(&body), vec![field], "{path}: {body}");
    }
    // Tabs and line breaks are text, not controls to refuse.
    let res = app
        .get("/api/v1/national-authorities?q=a%09b", &app.admin_token)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_control_character_in_a_body_is_a_422_naming_it_by_pointer() {
    let app = spawn_app().await;
    let token = Some(app.admin_token.as_str());
    let res = app
        .send_json(Method::POST, "/api/v1/national-authorities", token,
            &json!({"member_state": "ARG", "role": "focal_point", "institution": "Minis\u{0}terio"}))
        .await;
    assert_eq!(
        fields(&assert_problem(res, 422).await),
        vec!["/institution"]
    );
    let res = app
        .send_json(Method::POST, "/api/v1/indicator-values/batch", token,
            &json!({"values": [{"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019",
                "disaggregation": {"sex\u{0}": "female"}, "value": 1}]}))
        .await;
    assert_eq!(
        fields(&assert_problem(res, 422).await),
        vec!["/values/0/disaggregation/sex\u{0}"]
    );
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/3",
            token,
            &json!({"status": "planned", "actions": "line one\nline\ttwo"}),
        )
        .await;
    assert!(res.status().is_success(), "line breaks and tabs are text");
}

#[tokio::test]
async fn a_dimension_filter_is_given_once() {
    let app = spawn_app().await;
    let body = assert_problem(
        app.get(
            "/api/v1/indicator-values?sex=female&sex=male",
            &app.admin_token,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), vec!["sex"]);
    let many = vec!["sex=female"; 1000].join("&");
    let body = assert_problem(
        app.get(
            &format!("/api/v1/indicator-values?{many}"),
            &app.admin_token,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), vec!["sex"]);
    let ok = app
        .get(
            "/api/v1/indicator-values?sex=female&age_group=child",
            &app.admin_token,
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn csv_cells_with_either_separator_are_quoted_and_formulas_guarded() {
    let app = spawn_app().await;
    let token = Some(app.admin_token.as_str());
    for (institution, unit) in [("x;=2+5;y", "=2+5;y"), ("a,b", "plain")] {
        let res = app
            .send_json(Method::POST, "/api/v1/national-authorities", token, &json!({
                "member_state": "ARG", "role": "focal_point", "institution": institution, "unit": unit}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let csv = app
        .get("/api/v1/national-authorities?format=csv", &app.admin_token)
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains(r#","x;=2+5;y","'=2+5;y","#), "{csv}");
    assert!(csv.contains(r#","a,b",plain,"#), "{csv}");
    for line in csv.lines().skip(1) {
        let unquoted_semicolon = line
            .split('"')
            .enumerate()
            .any(|(i, part)| i % 2 == 0 && part.contains(';'));
        assert!(!unquoted_semicolon, "a ';' outside quotes: {line}");
    }
}
