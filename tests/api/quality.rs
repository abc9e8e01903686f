//! Data quality: consistency warnings of the import, validation of a submission guarding submit
//! and validate, outliers, and lock problems that say what holds them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const BATCH: &str = "/api/v1/indicator-values/batch";

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
