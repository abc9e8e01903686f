//! Mandate 10 end to end: a scripted reporting cycle whose biennial report is checked against
//! figures computed here from the raw data pushed, and a dashboard that mirrors everything through
//! `/changes` and ends identical to a full read.

use std::collections::{BTreeMap, HashMap};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const CYCLE: &str = "/api/v1/reporting-cycles/2019-2020";

struct Pushed {
    totals: BTreeMap<(String, i32), u64>,
    reported: HashMap<String, usize>,
    statuses: BTreeMap<String, u64>,
    events: usize,
    participants: i64,
    women: i64,
    police_participants: i64,
}

async fn report(app: &TestApp, token: &str, state: &str, seed: u64, pushed: &mut Pushed) {
    let mut values = Vec::new();
    for (year, n) in [(2019, seed), (2020, seed + 5)] {
        values
            .push(json!({"indicator": "VICTIMS_DETECTED", "period": year.to_string(), "value": n}));
        values.push(json!({"indicator": "VICTIMS_DETECTED", "period": year.to_string(), "disaggregation": {"sex": "female"}, "value": n / 2}));
        *pushed
            .totals
            .entry(("VICTIMS_DETECTED".into(), year))
            .or_default() += n;
        *pushed.reported.entry(state.into()).or_default() += 1;
    }
    values.push(json!({"indicator": "SHELTERS", "period": "2019", "value": seed % 7}));
    *pushed.totals.entry(("SHELTERS".into(), 2019)).or_default() += seed % 7;
    *pushed.reported.entry(state.into()).or_default() += 1;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(token),
            &json!({"values": values}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{state} pushes its table");
    for (n, status) in [
        (1, "implemented"),
        (2, "in_progress"),
        (
            20,
            if seed % 2 == 0 {
                "planned"
            } else {
                "implemented"
            },
        ),
    ] {
        let res = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/member-states/{state}/commitments/WP2/{n}"),
                Some(token),
                &json!({"status": status}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        *pushed.statuses.entry(status.into()).or_default() += 1;
    }
    let total = 20 + seed as i64;
    let event = json!({"organizer": "Ministerio", "title": "Curso", "start_date": "2020-03-02", "end_date": "2020-03-04",
        "modality": "virtual", "audiences": ["police", "judges"], "participants_total": total, "participants_women": total / 2});
    let res = app
        .send_json(Method::POST, "/api/v1/training-events", Some(token), &event)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{state} reports its training"
    );
    pushed.events += 1;
    pushed.participants += total;
    pushed.women += total / 2;
    pushed.police_participants += total;
}

async fn transition(app: &TestApp, token: &str, state: &str, action: &str, body: Value) -> u16 {
    app.send_json(
        Method::POST,
        &format!("{CYCLE}/submissions/{state}/{action}"),
        Some(token),
        &body,
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn a_scripted_cycle_ends_in_a_biennial_report_that_matches_the_raw_data() {
    let app = spawn_app().await;
    let body = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"});
    assert_eq!(
        app.send_json(
            Method::POST,
            "/api/v1/reporting-cycles",
            Some(&app.admin_token),
            &body
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let mut pushed = Pushed {
        totals: BTreeMap::new(),
        reported: HashMap::new(),
        statuses: BTreeMap::new(),
        events: 0,
        participants: 0,
        women: 0,
        police_participants: 0,
    };
    let mut signed = Vec::new();
    for (state, seed) in [("ARG", 40u64), ("BRA", 61), ("CHL", 12)] {
        let token = app.reporter(state).await;
        report(&app, &token, state, seed, &mut pushed).await;
        signed.push((state, token));
    }
    let (arg, bra) = (&signed[0].1, &signed[1].1);

    assert_eq!(transition(&app, arg, "ARG", "submit", json!({})).await, 200);
    assert_eq!(
        transition(&app, &app.admin_token, "ARG", "validate", json!({})).await,
        200
    );
    assert_eq!(transition(&app, bra, "BRA", "submit", json!({})).await, 200);
    assert_eq!(
        transition(
            &app,
            &app.admin_token,
            "BRA",
            "return",
            json!({"comment": "Add shelters for 2020"})
        )
        .await,
        200
    );
    let fix = json!({"values": [{"indicator": "SHELTERS", "period": "2020", "value": 3}]});
    assert_eq!(
        app.send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(bra),
            &fix
        )
        .await
        .status(),
        StatusCode::OK
    );
    *pushed.totals.entry(("SHELTERS".into(), 2020)).or_default() += 3;
    *pushed.reported.entry("BRA".into()).or_default() += 1;
    assert_eq!(transition(&app, bra, "BRA", "submit", json!({})).await, 200);
    assert_eq!(
        transition(&app, bra, "BRA", "validate", json!({})).await,
        403,
        "only the secretariat validates"
    );
    assert_eq!(
        transition(&app, &app.admin_token, "CHL", "validate", json!({})).await,
        409,
        "a draft cannot be validated"
    );

    let locked = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(arg),
            &json!({"values": [{"indicator": "SHELTERS", "period": "2019", "value": 99}]}),
        )
        .await;
    assert_eq!(
        locked.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validated values are frozen"
    );
    let locked = app
        .send_json(
            Method::PUT,
            "/api/v1/member-states/BRA/commitments/WP2/1",
            Some(bra),
            &json!({"status": "planned"}),
        )
        .await;
    assert_eq!(
        locked.status(),
        StatusCode::CONFLICT,
        "submitted commitments are frozen"
    );

    let bi: Value = app
        .get("/api/v1/reports/biennial?cycle=2019-2020", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    let h = &bi["hemisphere"];
    assert_eq!(
        (h["validated"].as_u64(), h["submitted"].as_u64()),
        (Some(1), Some(1)),
        "{h}"
    );
    for (status, n) in &pushed.statuses {
        assert_eq!(
            h["commitments"][status].as_u64(),
            Some(*n),
            "commitments {status}: {h}"
        );
    }
    assert_eq!(
        h["commitments"]["no_commitment"].as_u64(),
        Some(35 * 60 - 9)
    );
    assert_eq!(h["training"]["events"].as_u64(), Some(pushed.events as u64));
    assert_eq!(
        h["training"]["participants_total"].as_i64(),
        Some(pushed.participants)
    );
    assert_eq!(
        h["training"]["participants_women"].as_i64(),
        Some(pushed.women)
    );
    assert_eq!(
        h["training"]["by_audience"]["police"]["participants"].as_i64(),
        Some(pushed.police_participants)
    );
    let totals: BTreeMap<(String, i32), u64> = h["count_totals"]
        .as_array()
        .expect("count_totals")
        .iter()
        .map(|t| {
            (
                (
                    t["indicator"].as_str().unwrap_or("").to_string(),
                    t["year"].as_i64().unwrap_or(0) as i32,
                ),
                t["total"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        totals, pushed.totals,
        "hemisphere totals of the count indicators"
    );
    let mut whole: BTreeMap<String, u64> = BTreeMap::new();
    for ((indicator, _), total) in &pushed.totals {
        *whole.entry(indicator.clone()).or_default() += total;
    }
    let cycle_totals: BTreeMap<String, u64> = h["cycle_count_totals"]
        .as_array()
        .expect("cycle_count_totals")
        .iter()
        .map(|t| {
            (
                t["indicator"].as_str().unwrap_or("").to_string(),
                t["total"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(cycle_totals, whole, "totals over the whole cycle");
    for st in bi["member_states"].as_array().expect("states") {
        let code = st["member_state"].as_str().unwrap_or("");
        let expected = pushed.reported.get(code).copied().unwrap_or(0) as u64;
        assert_eq!(
            st["completeness"]["reported"].as_u64(),
            Some(expected),
            "{code} completeness: {st}"
        );
        let status = match code {
            "ARG" => "validated",
            "BRA" => "submitted",
            _ => "draft",
        };
        assert_eq!(st["submission"], status, "{code}");
    }
    let csv = app
        .get(
            "/api/v1/reports/biennial?cycle=2019-2020&format=csv",
            &app.admin_token,
        )
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(csv.lines().count(), 36, "header and 35 states");
}

#[tokio::test]
async fn a_dashboard_mirroring_the_changes_feed_ends_identical_to_a_full_read() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    // A varied history: creates, updates, deactivation, deletes, an import and a value deletion.
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/national-authorities",
            Some(&arg),
            &json!({"role": "focal_point", "institution": "Fiscalía"}),
        )
        .await;
    let na: Value = res.json().await.expect("json");
    let na_url = format!(
        "/api/v1/national-authorities/{}",
        na["id"].as_str().expect("id")
    );
    app.send_json(
        Method::PATCH,
        &na_url,
        Some(&arg),
        &json!({"email": "trata@mpf.gob.ar"}),
    )
    .await;
    app.send_json(
        Method::POST,
        "/api/v1/national-authorities",
        Some(&arg),
        &json!({"role": "coordinating_body", "institution": "Comité"}),
    )
    .await;
    app.request(Method::DELETE, &na_url, Some(&arg))
        .send()
        .await
        .expect("req");
    for n in [1, 2, 3] {
        app.send_json(
            Method::PUT,
            &format!("/api/v1/member-states/ARG/commitments/WP2/{n}"),
            Some(&arg),
            &json!({"status": "planned"}),
        )
        .await;
    }
    app.request(
        Method::DELETE,
        "/api/v1/member-states/ARG/commitments/WP2/2",
        Some(&arg),
    )
    .send()
    .await
    .expect("req");
    let event = json!({"organizer": "OEA", "title": "Taller", "start_date": "2024-05-01", "end_date": "2024-05-01", "modality": "in_person"});
    let res = app
        .send_json(Method::POST, "/api/v1/training-events", Some(&arg), &event)
        .await;
    let ev: Value = res.json().await.expect("json");
    app.send_json(
        Method::PATCH,
        &format!("/api/v1/training-events/{}", ev["id"].as_str().expect("id")),
        Some(&arg),
        &json!({"title": "Taller regional"}),
    )
    .await;
    let values: Vec<Value> = ["female", "male", "unknown"]
        .iter()
        .map(|s| json!({"indicator": "VICTIMS_DETECTED", "period": "2023", "disaggregation": {"sex": s}, "value": 4}))
        .collect();
    app.send_json(
        Method::POST,
        "/api/v1/indicator-values/batch",
        Some(&arg),
        &json!({"values": values}),
    )
    .await;
    let listed: Value = app
        .get("/api/v1/indicator-values?sex=male", &arg)
        .await
        .json()
        .await
        .expect("json");
    let male = format!(
        "/api/v1/indicator-values/{}",
        listed["items"][0]["id"].as_str().expect("id")
    );
    app.request(Method::DELETE, &male, Some(&arg))
        .send()
        .await
        .expect("req");

    // The dashboard: one pass over the feed, reading each changed resource where it now lives.
    let viewer = app.viewer().await;
    let mut mirror: BTreeMap<String, Value> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let q = after
            .as_ref()
            .map(|c| format!("&after={c}"))
            .unwrap_or_default();
        let page: Value = app
            .get(&format!("/api/v1/changes?limit=5{q}"), &viewer)
            .await
            .json()
            .await
            .expect("json");
        for change in page["items"].as_array().expect("items") {
            let Some(url) = change["resource_url"].as_str() else {
                continue;
            };
            let res = app.get(url, &viewer).await;
            if res.status() == StatusCode::NOT_FOUND {
                mirror.retain(|_, v| v["__url"] != url);
                continue;
            }
            let body: Value = res.json().await.expect("json");
            let items = match body.get("items") {
                Some(items) => items.as_array().cloned().unwrap_or_default(),
                None => vec![body],
            };
            for mut item in items {
                let id = item["id"]
                    .as_str()
                    .or(item["code"].as_str())
                    .or(item["member_state"].as_str())
                    .unwrap_or("")
                    .to_string();
                let kind = change["resource_type"]
                    .as_str()
                    .unwrap_or("")
                    .replace("_batch", "");
                item["__url"] = json!(url);
                mirror.insert(format!("{kind}:{id}"), item);
            }
        }
        // Every page carries a cursor; an empty page is the tail.
        if page["items"].as_array().is_none_or(Vec::is_empty) {
            break;
        }
        after = page["next_cursor"].as_str().map(str::to_string);
    }

    // The full read, as a fresh dashboard would do it.
    let mut full: BTreeMap<String, Value> = BTreeMap::new();
    for (kind, url) in [
        (
            "national_authority",
            "/api/v1/national-authorities?limit=1000",
        ),
        ("commitment", "/api/v1/commitments?limit=1000"),
        ("training_event", "/api/v1/training-events?limit=1000"),
        (
            "indicator_value",
            "/api/v1/indicator-values?limit=1000&include_deleted=true",
        ),
    ] {
        let page: Value = app.get(url, &viewer).await.json().await.expect("json");
        for item in page["items"].as_array().expect("items") {
            full.insert(
                format!("{kind}:{}", item["id"].as_str().unwrap_or("")),
                item.clone(),
            );
        }
    }
    let mirrored: BTreeMap<String, Value> = mirror
        .into_iter()
        .filter(|(k, _)| {
            [
                "national_authority:",
                "commitment:",
                "training_event:",
                "indicator_value:",
            ]
            .iter()
            .any(|p| k.starts_with(p))
        })
        .map(|(k, mut v)| {
            v.as_object_mut().map(|o| o.remove("__url"));
            (k, v)
        })
        .collect();
    assert_eq!(
        mirrored.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "same resources"
    );
    assert_eq!(mirrored, full, "same content");
}
