//! The published register: all 35 states, point of contact first, JSON and CSV.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn the_register_lists_every_state_with_its_point_of_contact_first() {
    let app = spawn_app().await;
    for (role, institution) in [
        ("focal_point", "Alpha Focal"),
        ("national_point_of_contact", "Zeta Contact"),
        ("coordinating_body", "Beta Body"),
    ] {
        let body = json!({"member_state": "MEX", "role": role, "institution": institution});
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/national-authorities",
                Some(&app.admin_token),
                &body,
            )
            .await;
        assert_eq!(res.status().as_u16(), 201);
    }
    let viewer = app.viewer().await;
    let res = app
        .request(Method::GET, "/api/v1/register", Some(&viewer))
        .header("Accept-Language", "es")
        .send()
        .await
        .expect("req");
    assert_eq!(
        res.headers()
            .get("content-language")
            .and_then(|v| v.to_str().ok()),
        Some("es")
    );
    let reg: Value = res.json().await.expect("json");
    let items = reg["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        35,
        "every member state, also those with nothing registered"
    );
    assert_eq!(
        (
            reg["member_states"].as_u64(),
            reg["with_point_of_contact"].as_u64()
        ),
        (Some(35), Some(1))
    );
    let mex = items
        .iter()
        .find(|e| e["member_state"] == "MEX")
        .expect("MEX");
    assert_eq!(mex["name"], "México", "{mex}");
    assert_eq!(mex["point_of_contact"]["institution"], "Zeta Contact");
    let order: Vec<&str> = mex["authorities"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|a| a["institution"].as_str())
        .collect();
    assert_eq!(order, vec!["Zeta Contact", "Beta Body", "Alpha Focal"]);
    let arg = items
        .iter()
        .find(|e| e["member_state"] == "ARG")
        .expect("ARG");
    assert!(
        arg["point_of_contact"].is_null()
            && arg["authorities"].as_array().is_some_and(Vec::is_empty),
        "{arg}"
    );

    let csv = app
        .get("/api/v1/register?format=csv", &viewer)
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(
        csv.lines().count(),
        1 + 34 + 3,
        "header, one row per empty state, one per authority: {csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(",national_point_of_contact,Zeta Contact,,,,,,,,,,20")),
        "an authority's cells, empty ones included: {csv}"
    );
    let sdmx = app.get("/api/v1/register?format=sdmx-csv", &viewer).await;
    assert_eq!(sdmx.status(), 422, "SDMX-CSV is for indicator values only");
    let problem: Value = sdmx.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "format", "{problem}");
    let caribbean: Value = app
        .get("/api/v1/register?subregion=caribbean", &viewer)
        .await
        .json()
        .await
        .expect("json");
    assert!(caribbean["items"]
        .as_array()
        .is_some_and(|i| !i.is_empty() && i.iter().all(|e| e["subregion"] == "caribbean")));
}
