//! Reporting cycles, the submission workflow with its locks, and the reports of mandate 10.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const CYCLES: &str = "/api/v1/reporting-cycles";

async fn open_cycle(app: &TestApp) {
    let body = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"});
    let res = app
        .send_json(Method::POST, CYCLES, Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn act(
    app: &TestApp,
    token: &str,
    state: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.send_json(
        Method::POST,
        &format!("{CYCLES}/2019-2020/submissions/{state}/{action}"),
        Some(token),
        &body,
    )
    .await
}

fn value(state: &str, year: &str, n: u64) -> Value {
    json!({"member_state": state, "indicator": "SHELTERS", "period": year, "value": n})
}

#[tokio::test]
async fn cycles_are_admin_written_and_validated() {
    let app = spawn_app().await;
    let viewer = app.viewer().await;
    let body = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"});
    assert_problem(
        app.send_json(Method::POST, CYCLES, Some(&viewer), &body)
            .await,
        403,
    )
    .await;
    let mut bad = body.clone();
    bad["code"] = json!("2019-2021");
    assert_eq!(
        fields(
            &assert_problem(
                app.send_json(Method::POST, CYCLES, Some(&app.admin_token), &bad)
                    .await,
                422
            )
            .await
        ),
        vec!["/code"]
    );
    open_cycle(&app).await;
    assert_problem(
        app.send_json(Method::POST, CYCLES, Some(&app.admin_token), &body)
            .await,
        409,
    )
    .await;
    let list: Value = app.get(CYCLES, &viewer).await.json().await.expect("json");
    assert_eq!(list["items"][0]["code"], "2019-2020");
}

#[tokio::test]
async fn a_cycle_may_be_created_closed_as_the_contract_documents() {
    let app = spawn_app().await;
    let body = json!({"code": "2021-2022", "work_plan": "WP2", "period_from": 2021, "period_to": 2022, "due_date": "2023-03-31", "status": "closed"});
    let res = app
        .send_json(Method::POST, CYCLES, Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cycle: Value = res.json().await.expect("json");
    assert_eq!(cycle["status"], "closed");
}

#[tokio::test]
async fn every_state_has_a_submission_and_the_workflow_refuses_illegal_transitions() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    let arg = app.reporter("ARG").await;
    let bra = app.reporter("BRA").await;
    let subs: Value = app
        .get(&format!("{CYCLES}/2019-2020/submissions"), &arg)
        .await
        .json()
        .await
        .expect("json");
    let items = subs["items"].as_array().expect("items");
    assert_eq!(items.len(), 35, "all 35 states");
    assert!(
        items.iter().all(|s| s["status"] == "draft"),
        "untouched states are drafts"
    );

    assert_problem(act(&app, &bra, "ARG", "submit", json!({})).await, 403).await;
    assert_problem(act(&app, &arg, "ARG", "validate", json!({})).await, 403).await;
    assert_problem(
        act(&app, &app.admin_token, "ARG", "validate", json!({})).await,
        409,
    )
    .await;
    let res = act(&app, &arg, "ARG", "submit", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let s: Value = res.json().await.expect("json");
    assert_eq!(s["status"], "submitted");
    assert_problem(act(&app, &arg, "ARG", "submit", json!({})).await, 409).await;
    let p = assert_problem(
        act(&app, &app.admin_token, "ARG", "return", json!({})).await,
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["/comment"], "returning needs a comment");
    let res = act(
        &app,
        &app.admin_token,
        "ARG",
        "return",
        json!({"comment": "Add 2020 by sex."}),
    )
    .await;
    let s: Value = res.json().await.expect("json");
    assert_eq!(
        (s["status"].as_str(), s["comment"].as_str()),
        (Some("returned"), Some("Add 2020 by sex."))
    );
    act(&app, &arg, "ARG", "submit", json!({})).await;
    let res = act(&app, &app.admin_token, "ARG", "validate", json!({})).await;
    assert_eq!(
        res.json::<Value>().await.expect("json")["status"],
        "validated"
    );
    let res = act(&app, &app.admin_token, "ARG", "reopen", json!({})).await;
    assert_eq!(res.json::<Value>().await.expect("json")["status"], "draft");
    let hist: Value = app
        .get(&format!("{CYCLES}/2019-2020/submissions/ARG/history"), &arg)
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = hist["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec!["submit", "return", "submit", "validate", "reopen"]
    );
}

#[tokio::test]
async fn a_submitted_report_locks_the_states_data_until_returned_or_reopened() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    let arg = app.reporter("ARG").await;
    let batch = |values: Vec<Value>| json!({"values": values});
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(&arg),
            &batch(vec![value("ARG", "2019", 2)]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.send_json(
        Method::PUT,
        "/api/v1/member-states/ARG/commitments/WP2/1",
        Some(&arg),
        &json!({"status": "planned"}),
    )
    .await;
    act(&app, &arg, "ARG", "submit", json!({})).await;

    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(&arg),
            &batch(vec![value("ARG", "2019", 3)]),
        )
        .await;
    let locked = assert_problem(res, 422).await;
    assert_eq!(
        (
            locked["errors"][0]["code"].as_str(),
            locked["written"].as_bool()
        ),
        (Some("locked"), Some(false)),
        "{locked}"
    );
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(&arg),
            &batch(vec![value("ARG", "2021", 3)]),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "years outside the cycle stay open"
    );
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/1",
            Some(&arg),
            &json!({"status": "implemented"}),
        )
        .await;
    assert_problem(res, 409).await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(&app.admin_token),
            &batch(vec![value("ARG", "2019", 4)]),
        )
        .await;
    let rejected = assert_problem(res, 422).await;
    assert_eq!(
        rejected["errors"][0]["code"], "locked",
        "admins too must reopen first: {rejected}"
    );
    let mixed = batch(vec![value("ARG", "2019", 5), value("ARG", "2022", 5)]);
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch?mode=partial",
            Some(&arg),
            &mixed,
        )
        .await;
    let s: Value = res.json().await.expect("json");
    assert_eq!(
        (s["created"].as_u64(), s["rejected"].as_u64()),
        (Some(1), Some(1)),
        "only the locked row is rejected: {s}"
    );
    let subs: Value = app
        .get(&format!("{CYCLES}/2019-2020/submissions"), &arg)
        .await
        .json()
        .await
        .expect("json");
    let arg_sub = subs["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["member_state"] == "ARG")
        .cloned()
        .expect("ARG");
    assert_eq!(arg_sub["completeness"]["reported"], 1, "{arg_sub}");
    assert_eq!(
        arg_sub["completeness"]["expected"], 32,
        "16 indicators x 2 years: {arg_sub}"
    );

    act(
        &app,
        &app.admin_token,
        "ARG",
        "return",
        json!({"comment": "Fix it"}),
    )
    .await;
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/1",
            Some(&arg),
            &json!({"status": "implemented"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "returned reports unlock");
}

#[tokio::test]
async fn reports_count_commitments_training_and_submissions() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    let put = |state: &str, n: i32, status: &str| {
        let path = format!("/api/v1/member-states/{state}/commitments/WP2/{n}");
        let body = json!({"status": status});
        (path, body)
    };
    for (state, n, status) in [
        ("ARG", 1, "implemented"),
        ("BRA", 1, "planned"),
        ("ARG", 2, "in_progress"),
    ] {
        let (path, body) = put(state, n, status);
        assert_eq!(
            app.send_json(Method::PUT, &path, Some(&app.admin_token), &body)
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let event = json!({"member_state": "ARG", "organizer": "Ministerio de Seguridad", "title": "Curso de identificación de víctimas",
        "start_date": "2019-05-06", "end_date": "2019-05-08", "modality": "in_person", "audiences": ["police", "prosecutors"],
        "guidelines": [{"work_plan": "WP2", "number": 12}], "participants_total": 40, "participants_women": 22, "participants_men": 18});
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/training-events",
            Some(&app.admin_token),
            &event,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    act(&app, &app.admin_token, "ARG", "submit", json!({})).await;
    let viewer = app.viewer().await;

    let imp: Value = app
        .get("/api/v1/reports/implementation?work_plan=WP2", &viewer)
        .await
        .json()
        .await
        .expect("json");
    let g1 = imp["by_guideline"]
        .as_array()
        .expect("g")
        .iter()
        .find(|g| g["number"] == 1)
        .cloned()
        .expect("g1");
    assert_eq!(
        (
            g1["states"]["implemented"].as_u64(),
            g1["states"]["planned"].as_u64(),
            g1["states"]["no_commitment"].as_u64()
        ),
        (Some(1), Some(1), Some(33))
    );
    let arg = imp["by_member_state"]
        .as_array()
        .expect("s")
        .iter()
        .find(|s| s["member_state"] == "ARG")
        .cloned()
        .expect("ARG");
    assert_eq!(
        (
            arg["guidelines"]["implemented"].as_u64(),
            arg["guidelines"]["in_progress"].as_u64(),
            arg["guidelines"]["no_commitment"].as_u64()
        ),
        (Some(1), Some(1), Some(58))
    );

    let profile: Value = app
        .get(
            "/api/v1/reports/member-states/ARG?from=2019&to=2020",
            &viewer,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(profile["training"]["events"], 1, "{profile}");
    assert_eq!(
        (
            profile["training"]["participants_women"].as_i64(),
            profile["training"]["by_audience"]["police"]["participants"].as_i64()
        ),
        (Some(22), Some(40))
    );
    assert_eq!(profile["commitments"]["implemented"], 1);
    assert_problem(
        app.get(
            "/api/v1/reports/member-states/ARG?from=2020&to=2019",
            &viewer,
        )
        .await,
        422,
    )
    .await;
    assert_problem(
        app.get("/api/v1/reports/member-states/XYZ", &viewer).await,
        404,
    )
    .await;

    let bi: Value = app
        .get("/api/v1/reports/biennial?cycle=2019-2020", &viewer)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(bi["member_states"].as_array().map(Vec::len), Some(35));
    assert_eq!(
        (
            bi["hemisphere"]["submitted"].as_u64(),
            bi["hemisphere"]["training"]["events"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(bi["hemisphere"]["commitments"]["implemented"], 1);
    assert_problem(
        app.get("/api/v1/reports/biennial?cycle=1999-2000", &viewer)
            .await,
        404,
    )
    .await;
}
