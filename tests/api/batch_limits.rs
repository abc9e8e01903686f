//! The batch endpoint against hostile batches: viewers, rows with countless unknown fields,
//! tables of errors.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::bodies::{send_chunks, start_chunked, status_of};
use crate::helpers::*;

const BATCH: &str = "/api/v1/indicator-values/batch";

#[tokio::test]
async fn a_viewer_is_refused_403_before_its_body_is_read() {
    let app = spawn_app().await;
    let viewer = app.viewer().await;
    let res = app
        .send_json(Method::POST, BATCH, Some(&viewer), &json!({"values": []}))
        .await;
    assert_problem(res, 403).await;
    // A stalled upload is answered at once, not when the body would have timed out.
    let address = app.address.clone();
    let (status, took) = tokio::task::spawn_blocking(move || {
        let mut stream = start_chunked(&address, BATCH, Some(&viewer));
        send_chunks(&mut stream, b"{\"values\": [");
        let started = Instant::now();
        (status_of(&mut stream), started.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(status, 403);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_row_with_countless_unknown_fields_gets_one_error() {
    let app = spawn_app().await;
    let mut row = serde_json::Map::new();
    for key in ["member_state", "indicator", "period", "value"] {
        row.insert(
            key.into(),
            json!(match key {
                "member_state" => json!("ARG"),
                "indicator" => json!("VICTIMS_DETECTED"),
                "period" => json!("2019"),
                _ => json!(1),
            }),
        );
    }
    for i in 0..200_000 {
        row.insert(format!("f{i}"), json!(i));
    }
    let body = json!({"values": [row, {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2020", "value": 1, "x": 1, "y": 2}]});
    let started = Instant::now();
    let res = app
        .request(
            Method::POST,
            &format!("{BATCH}?dry_run=true"),
            Some(&app.admin_token),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let took = started.elapsed();
    assert!(text.len() < 4096, "{} bytes", text.len());
    let summary: Value = serde_json::from_str(&text).unwrap();
    let errors = summary["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{summary}");
    assert_eq!(errors[0]["field"], "f0");
    assert_eq!(errors[0]["code"], "unknown_field");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("200000 unknown fields"),
        "{summary}"
    );
    assert_eq!(errors[1]["field"], "x");
    assert_eq!(summary["errors_total"], 2);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn an_error_list_is_capped_at_1000_and_the_total_counted() {
    let app = spawn_app().await;
    let values: Vec<Value> = (0..1500)
        .map(|i| json!({"member_state": "ARG", "indicator": "NO_SUCH_INDICATOR", "period": format!("{}", 1900 + i % 100), "value": i}))
        .collect();
    for mode in ["atomic", "partial"] {
        let res = app
            .send_json(
                Method::POST,
                &format!("{BATCH}?mode={mode}"),
                Some(&app.admin_token),
                &json!({"values": values}),
            )
            .await;
        let summary: Value = res.json().await.unwrap();
        assert_eq!(summary["rejected"], 1500, "{mode}");
        assert_eq!(summary["errors"].as_array().unwrap().len(), 1000, "{mode}");
        assert_eq!(summary["errors_total"], 1500, "{mode}");
        assert_eq!(
            summary["errors"][999]["index"], 999,
            "{mode}: the first rows' errors"
        );
    }
}
