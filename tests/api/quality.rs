//! Data quality: consistency warnings of the import, validation of a submission guarding submit
//! and validate, outliers, and lock problems that say what holds them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::validation_rules::{convicted_le_prosecuted, RULES};

const BATCH: &str = "/api/v1/indicator-values/batch";
const CYCLE: &str = "/api/v1/reporting-cycles/2019-2020";

fn val(indicator: &str, period: &str, disaggregation: Value, value: u64) -> Value {
    json!({"member_state": "ARG", "indicator": indicator, "period": period,
        "disaggregation": disaggregation, "value": value})
}

async fn import(app: &TestApp, token: &str, values: Vec<Value>) -> Value {
    let res = app
        .send_json(Method::POST, BATCH, Some(token), &json!({"values": values}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn parts_above_a_total_are_written_with_a_warning_and_consistent_parts_give_none() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let summary = import(
        &app,
        &arg,
        vec![
            val("PERSONS_CONVICTED", "2019", json!({"sex": "female"}), 8),
            val("PERSONS_CONVICTED", "2019", json!({}), 10),
            val("PERSONS_CONVICTED", "2019", json!({"sex": "male"}), 5),
        ],
    )
    .await;
    assert_eq!(summary["created"], 3, "{summary}");
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{summary}");
    assert_eq!(warnings[0]["index"], 1);
    assert_eq!(warnings[0]["code"], "disaggregation_exceeds_total");
    assert!(warnings[0]["message"].as_str().unwrap().contains("13"));

    // The stored state counts: a later batch with only the total fixes it.
    let summary = import(
        &app,
        &arg,
        vec![val("PERSONS_CONVICTED", "2019", json!({}), 13)],
    )
    .await;
    assert_eq!(summary["warnings"], json!([]), "{summary}");

    // Every code reported but not adding up.
    let all = ["female", "male", "other", "unknown"];
    let mut rows: Vec<Value> = all
        .iter()
        .map(|s| val("PERSONS_PROSECUTED", "2019", json!({"sex": s}), 2))
        .collect();
    rows.push(val("PERSONS_PROSECUTED", "2019", json!({}), 9));
    let summary = import(&app, &arg, rows).await;
    assert_eq!(
        summary["warnings"][0]["code"], "disaggregation_sum_mismatch",
        "{summary}"
    );
    assert_eq!(summary["warnings"][0]["index"], 4);

    let consistent: Vec<Value> = all
        .iter()
        .map(|s| val("VICTIMS_DETECTED", "2020", json!({"sex": s}), 1))
        .chain([
            val("VICTIMS_DETECTED", "2020", json!({}), 4),
            val(
                "VICTIMS_DETECTED",
                "2020",
                json!({"sex": "female", "age_group": "child"}),
                1,
            ),
        ])
        .collect();
    let summary = import(&app, &arg, consistent).await;
    assert_eq!(summary["warnings"], json!([]), "{summary}");
}

async fn act(app: &TestApp, token: &str, action: &str) -> reqwest::Response {
    app.send_json(
        Method::POST,
        &format!("{CYCLE}/submissions/ARG/{action}"),
        Some(token),
        &json!({"comment": "checked"}),
    )
    .await
}

#[tokio::test]
async fn a_blocking_rule_stops_submit_with_both_values_until_the_data_is_fixed() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    let res = app
        .send_json(
            Method::POST,
            RULES,
            Some(&app.admin_token),
            &convicted_le_prosecuted(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let arg = app.reporter("ARG").await;
    import(
        &app,
        &arg,
        vec![
            val("PERSONS_PROSECUTED", "2019", json!({}), 10),
            val("PERSONS_CONVICTED", "2019", json!({}), 12),
            val("PERSONS_PROSECUTED", "2020", json!({}), 10),
            val("PERSONS_CONVICTED", "2020", json!({}), 3),
            val("PERSONS_CONVICTED", "2020", json!({"sex": "female"}), 4),
        ],
    )
    .await;

    let report: Value = app
        .get(&format!("{CYCLE}/submissions/ARG/validation"), &arg)
        .await
        .json()
        .await
        .unwrap();
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 2, "{report}");
    assert_eq!(violations[0]["rule"], "CONVICTED_LE_PROSECUTED");
    assert_eq!(violations[0]["importance"], "blocking");
    assert_eq!(violations[0]["period"], "2019");
    assert_eq!(violations[0]["left_value"], 12.0);
    assert_eq!(violations[0]["right_value"], 10.0);
    assert_eq!(violations[1]["rule"], "disaggregation_exceeds_total");
    assert_eq!(violations[1]["importance"], "warning");

    let submission: Value = app
        .get(&format!("{CYCLE}/submissions/ARG"), &arg)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        submission["completeness"]["violations"],
        json!({"blocking": 1, "warning": 1})
    );

    let problem = assert_problem(act(&app, &arg, "submit").await, 409).await;
    assert_eq!(problem["type"], "urn:palermo:problem:validation-failed");
    assert_eq!(problem["violations"][0]["left_value"], 12.0);
    assert_eq!(problem["violations"][0]["right_value"], 10.0);
    let submission: Value = app
        .get(&format!("{CYCLE}/submissions/ARG"), &arg)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(submission["status"], "draft");

    // Fixing the data lets it through; warnings do not block.
    import(
        &app,
        &arg,
        vec![val("PERSONS_CONVICTED", "2019", json!({}), 9)],
    )
    .await;
    let res = act(&app, &arg, "submit").await;
    assert_eq!(res.status(), StatusCode::OK);
    let submission: Value = res.json().await.unwrap();
    assert_eq!(submission["status"], "submitted");
    assert_eq!(
        submission["completeness"]["violations"],
        json!({"blocking": 0, "warning": 1})
    );
    let res = act(&app, &app.admin_token, "validate").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_steady_series_with_one_spike_yields_exactly_that_spike() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let steady = [100, 102, 98, 101, 99, 100, 480, 103, 97, 100];
    let rows: Vec<Value> = steady
        .iter()
        .enumerate()
        .flat_map(|(i, v)| {
            let year = format!("{}", 2010 + i);
            [
                val("VICTIMS_DETECTED", &year, json!({"sex": "female"}), *v),
                // A second series of the same state and indicator, with no spike.
                val("VICTIMS_DETECTED", &year, json!({}), 300 + (i as u64 % 3)),
            ]
        })
        .collect();
    import(&app, &arg, rows).await;
    let res = app
        .get(
            "/api/v1/indicator-values/outliers?indicator=VICTIMS_DETECTED&member_state=ARG&algorithm=modified_z_score",
            &arg,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["period"], "2016");
    assert_eq!(items[0]["value"], 480.0);
    assert_eq!(items[0]["median"], 100.0);
    assert_eq!(items[0]["disaggregation"], json!({"sex": "female"}));
    assert!(items[0]["upper_bound"].as_f64().unwrap() < 480.0);
    let default: Value = app
        .get("/api/v1/indicator-values/outliers", &arg)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(default["items"], body["items"]);
    let res = app
        .get("/api/v1/indicator-values/outliers?threshold=0", &arg)
        .await;
    assert_problem(res, 422).await;
    let res = app
        .get("/api/v1/indicator-values/outliers?algorithm=iqr", &arg)
        .await;
    assert_problem(res, 422).await;
}

#[tokio::test]
async fn a_locked_write_names_the_cycle_the_status_and_the_release() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    let arg = app.reporter("ARG").await;
    import(&app, &arg, vec![val("SHELTERS", "2019", json!({}), 4)]).await;
    let list: Value = app
        .get("/api/v1/indicator-values?member_state=ARG", &arg)
        .await
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(act(&app, &arg, "submit").await.status(), StatusCode::OK);

    let delete = || async {
        app.request(
            Method::DELETE,
            &format!("/api/v1/indicator-values/{id}"),
            Some(&arg),
        )
        .send()
        .await
        .unwrap()
    };
    let problem = assert_problem(delete().await, 409).await;
    assert_eq!(problem["type"], "urn:palermo:problem:locked");
    assert_eq!(problem["cycle"], "2019-2020");
    assert_eq!(problem["submission_status"], "submitted");
    assert_eq!(problem["release"], "return");

    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/member-states/ARG/commitments/WP2/12",
            Some(&arg),
            &json!({"status": "in_progress"}),
        )
        .await;
    let problem = assert_problem(res, 409).await;
    assert_eq!(problem["type"], "urn:palermo:problem:locked");
    assert_eq!(problem["release"], "return");

    assert_eq!(
        act(&app, &app.admin_token, "validate").await.status(),
        StatusCode::OK
    );
    let problem = assert_problem(delete().await, 409).await;
    assert_eq!(problem["submission_status"], "validated");
    assert_eq!(problem["release"], "reopen");
    assert!(problem["detail"].as_str().unwrap().contains("/reopen"));
}
