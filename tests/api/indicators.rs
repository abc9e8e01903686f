//! Indicators: code lists and catalog from the starter extract, and the batch import of values
//! with its counts, modes, validation codes and scope; reads, CSV and tombstones.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const BATCH: &str = "/api/v1/indicator-values/batch";

fn v(state: &str, period: &str, sex: &str, age: &str, value: Value) -> Value {
    json!({"member_state": state, "indicator": "VICTIMS_DETECTED", "period": period,
           "disaggregation": {"sex": sex, "age_group": age}, "value": value})
}

/// A table of 4 sexes x 3 age groups for one state and year: 12 values.
fn table(state: &str, period: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for sex in ["female", "male", "other", "unknown"] {
        for age in ["child", "adult", "unknown"] {
            out.push(v(state, period, sex, age, json!(out.len() as u64 + 1)));
        }
    }
    out
}

async fn push(app: &TestApp, token: &str, query: &str, values: &[Value]) -> (u16, Value) {
    let res = app
        .send_json(
            Method::POST,
            &format!("{BATCH}{query}"),
            Some(token),
            &json!({"values": values}),
        )
        .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn counts(s: &Value) -> [u64; 5] {
    ["received", "created", "updated", "unchanged", "rejected"]
        .map(|k| s[k].as_u64().unwrap_or(u64::MAX))
}

async fn stored(app: &TestApp, query: &str) -> Vec<Value> {
    app.stored_values(query).await
}

#[tokio::test]
async fn code_lists_and_catalog_come_from_the_starter_extract() {
    let app = spawn_app().await;
    let fixture: Value =
        serde_json::from_str(include_str!("../fixtures/indicators-starter.json")).expect("fixture");
    let dims: Value = app
        .get("/api/v1/dimensions", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    for d in dims["items"].as_array().expect("items") {
        let code = d["code"].as_str().expect("code");
        assert_eq!(
            d["codes"], fixture["dimensions"][code],
            "code list of {code}"
        );
    }
    assert_eq!(
        dims["items"].as_array().map(Vec::len),
        fixture["dimensions"].as_object().map(|o| o.len())
    );
    let cat: Value = app
        .get("/api/v1/indicators?limit=100", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    let items = cat["items"].as_array().expect("items");
    assert_eq!(items.len(), 16);
    for f in fixture["indicators"].as_array().expect("indicators") {
        let got = items
            .iter()
            .find(|i| i["code"] == f["code"])
            .expect("indicator present");
        for key in [
            "name",
            "description",
            "value_type",
            "unit",
            "periodicity",
            "dimensions",
            "guidelines",
            "references",
        ] {
            assert_eq!(got[key], f[key], "{} {key}", f["code"]);
        }
    }
}

#[tokio::test]
async fn a_state_pushes_a_table_fixes_three_bad_rows_and_the_counts_add_up() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let mut rows = table("ARG", "2019");
    rows[2]["disaggregation"]["sex"] = json!("girl");
    rows[5]["value"] = json!(-3);
    rows[9]["period"] = json!("2019-Q1");
    let (status, s) = push(&app, &arg, "", &rows).await;
    assert_eq!(status, 422, "atomic batch with bad rows: {s}");
    assert_eq!(counts(&s), [12, 9, 0, 0, 3], "would-be counts add up: {s}");
    assert_eq!(s["written"], false);
    let errs: Vec<(u64, String, String)> = s["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap_or(99),
                e["field"].as_str().unwrap_or("").to_string(),
                e["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        vec![
            (2, "disaggregation/sex".into(), "unknown_code".into()),
            (5, "value".into(), "value_out_of_range".into()),
            (9, "period".into(), "invalid_period".into()),
        ]
    );
    assert!(stored(&app, "").await.is_empty(), "atomic: nothing written");

    let fixed = table("ARG", "2019");
    let (status, s) = push(&app, &arg, "", &fixed).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(counts(&s), [12, 12, 0, 0, 0]);
    assert_eq!(stored(&app, "").await.len(), 12);

    let mut again = fixed.clone();
    again[0]["value"] = json!(100);
    again[1]["flag"] = json!("provisional");
    let (_, s) = push(&app, &arg, "", &again).await;
    assert_eq!(
        counts(&s),
        [12, 0, 2, 10, 0],
        "two changed, ten unchanged: {s}"
    );
    let (_, s) = push(&app, &arg, "", &again).await;
    assert_eq!(
        counts(&s),
        [12, 0, 0, 12, 0],
        "a re-push changes nothing: {s}"
    );
    assert_eq!(s["written"], false);
}

#[tokio::test]
async fn the_same_breakdown_in_another_key_order_is_one_value() {
    let app = spawn_app().await;
    let a = json!({"member_state": "BRA", "indicator": "VICTIMS_DETECTED", "period": "2020", "disaggregation": {"sex": "female", "age_group": "child"}, "value": 7});
    let b = json!({"member_state": "BRA", "indicator": "VICTIMS_DETECTED", "period": "2020", "disaggregation": {"age_group": "child", "sex": "female"}, "value": 7});
    let (_, s) = push(&app, &app.admin_token, "", std::slice::from_ref(&a)).await;
    assert_eq!(counts(&s), [1, 1, 0, 0, 0]);
    let (_, s) = push(&app, &app.admin_token, "", std::slice::from_ref(&b)).await;
    assert_eq!(counts(&s), [1, 0, 0, 1, 0], "same natural key: {s}");
    let (status, s) = push(&app, &app.admin_token, "", &[a, b]).await;
    assert_eq!(status, 422);
    assert_eq!(s["errors"][0]["code"], "duplicate_key", "{s}");
    assert_eq!(
        s["errors"][0]["index"], 1,
        "the later row is the duplicate: {s}"
    );
    assert_eq!(stored(&app, "member_state=BRA").await.len(), 1);
}

#[tokio::test]
async fn partial_mode_writes_valid_rows_and_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let mut rows = table("CHL", "2018");
    rows[0]["indicator"] = json!("NOT_AN_INDICATOR");
    let (status, s) = push(&app, &app.admin_token, "?dry_run=true&mode=partial", &rows).await;
    assert_eq!((status, counts(&s)), (200, [12, 11, 0, 0, 1]), "{s}");
    assert!(
        stored(&app, "member_state=CHL").await.is_empty(),
        "dry run wrote nothing"
    );
    let (status, s) = push(&app, &app.admin_token, "?mode=partial", &rows).await;
    assert_eq!((status, counts(&s)), (200, [12, 11, 0, 0, 1]), "{s}");
    assert_eq!(s["errors"][0]["code"], "unknown_indicator");
    assert_eq!(stored(&app, "member_state=CHL").await.len(), 11);
}

#[tokio::test]
async fn values_are_checked_against_their_indicator() {
    let app = spawn_app().await;
    let base = |indicator: &str, value: Value| json!({"member_state": "PER", "indicator": indicator, "period": "2019", "value": value});
    let mut with_dim = base("VICTIMS_REPATRIATED", json!(1));
    with_dim["disaggregation"] = json!({"form_of_exploitation": "begging"});
    let mut extra = base("SHELTERS", json!(1));
    extra["colour"] = json!("blue");
    let cases = [
        (base("SHELTERS", json!(1.5)), "value", "invalid_value"),
        (base("SHELTERS", json!("3")), "value", "invalid_value"),
        (base("SHELTERS", Value::Null), "value", "value_required"),
        (
            base("BUDGET_ALLOCATED", json!("a lot")),
            "value",
            "invalid_value",
        ),
        (
            base("NATIONAL_ACTION_PLAN", json!("yes")),
            "value",
            "invalid_value",
        ),
        (
            with_dim,
            "disaggregation/form_of_exploitation",
            "unknown_dimension",
        ),
        (
            json!({"member_state": "XYZ", "indicator": "SHELTERS", "period": "2019", "value": 1}),
            "member_state",
            "unknown_member_state",
        ),
        (
            json!({"member_state": "PER", "indicator": "SHELTERS", "period": "1789", "value": 1}),
            "period",
            "invalid_period",
        ),
        (
            json!({"member_state": "PER", "indicator": "SHELTERS", "period": "2019", "value": 1, "flag": "guess"}),
            "flag",
            "invalid_flag",
        ),
        (extra, "colour", "unknown_field"),
        (json!("not an object"), "", "invalid_row"),
        (json!([1, {"value": 2}]), "", "invalid_row"),
        (Value::Null, "", "invalid_row"),
        (
            json!({"member_state": "PER", "indicator": "VICTIMS_DETECTED", "period": "2019", "value": 1, "disaggregation": "sex=female"}),
            "disaggregation",
            "invalid_row",
        ),
        (
            json!({"member_state": "PER", "indicator": "VICTIMS_DETECTED", "period": "2019", "value": 1, "disaggregation": {"sex": 1}}),
            "disaggregation/sex",
            "invalid_row",
        ),
        (
            json!({"member_state": "PER", "indicator": "SHELTERS", "period": 2019, "value": 1}),
            "period",
            "invalid_row",
        ),
        (
            json!({"member_state": "PER", "indicator": "SHELTERS", "period": "2019", "value": 1, "comment": ["a"]}),
            "comment",
            "invalid_text",
        ),
    ];
    for (row, field, code) in cases {
        let (status, s) = push(&app, &app.admin_token, "", std::slice::from_ref(&row)).await;
        assert_eq!(status, 422, "{row}: {s}");
        assert_eq!(
            (
                s["errors"][0]["field"].as_str(),
                s["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{row}: {s}"
        );
    }
    let confidential = json!({"member_state": "PER", "indicator": "SHELTERS", "period": "2019", "value": null, "flag": "confidential"});
    let small = json!({"member_state": "PER", "indicator": "HOTLINE_CONTACTS", "period": "2019", "value": 3, "flag": "below_threshold", "comment": "<5"});
    let (status, s) = push(&app, &app.admin_token, "", &[confidential, small]).await;
    assert_eq!((status, counts(&s)), (200, [2, 2, 0, 0, 0]), "{s}");
    let shelters = stored(&app, "indicator=SHELTERS").await;
    assert!(
        shelters[0]["value"].is_null() && shelters[0]["flag"] == "confidential",
        "{shelters:?}"
    );
    let too_many: Vec<Value> = (0..10_001)
        .map(|i| v("PER", "2019", "female", "child", json!(i)))
        .collect();
    let (status, s) = push(&app, &app.admin_token, "", &too_many).await;
    assert_eq!(status, 422, "{s}");
    assert_eq!(fields(&s), vec!["/values"]);
}

#[tokio::test]
async fn a_batch_with_another_states_row_is_refused_whole() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    let mut rows = table("ARG", "2019");
    rows.push(v("BRA", "2019", "female", "child", json!(1)));
    for (who, token, query) in [
        ("ARG reporter", &arg, ""),
        ("ARG reporter, partial", &arg, "?mode=partial"),
        ("viewer", &viewer, ""),
    ] {
        let (status, s) = push(&app, token, query, &rows).await;
        assert_eq!(status, 403, "{who}: {s}");
    }
    let (status, _) = push(&app, &viewer, "", &table("ARG", "2019")).await;
    assert_eq!(status, 403, "viewers never write");
    assert!(stored(&app, "").await.is_empty(), "nothing written");
    let mut own: Vec<Value> = table("ARG", "2019");
    for r in &mut own {
        r.as_object_mut().expect("object").remove("member_state");
    }
    let (status, s) = push(&app, &arg, "", &own).await;
    assert_eq!(
        (status, counts(&s)),
        (200, [12, 12, 0, 0, 0]),
        "a reporter may omit its own state: {s}"
    );
    assert_eq!(stored(&app, "member_state=ARG").await.len(), 12);
}

#[tokio::test]
async fn reads_filter_page_and_export_and_deletes_leave_tombstones() {
    let app = spawn_app().await;
    let mut rows = table("ARG", "2018");
    rows.extend(table("ARG", "2019"));
    rows.extend(table("BRA", "2019"));
    rows.extend(table("CAN", "2020"));
    let (_, s) = push(&app, &app.admin_token, "", &rows).await;
    assert_eq!(counts(&s)[1], 48);
    assert_eq!(
        stored(&app, "member_state=ARG&member_state=BRA")
            .await
            .len(),
        36
    );
    assert_eq!(
        stored(&app, "period_from=2019&period_to=2019").await.len(),
        24
    );
    assert_eq!(stored(&app, "sex=female").await.len(), 12);
    assert_eq!(
        stored(&app, "sex=female&age_group=child&member_state=CAN")
            .await
            .len(),
        1
    );
    assert_problem(
        app.get("/api/v1/indicator-values?sex=girl%27--", &app.admin_token)
            .await,
        422,
    )
    .await;
    assert_problem(
        app.get(
            "/api/v1/indicator-values?member_state=arg",
            &app.admin_token,
        )
        .await,
        422,
    )
    .await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let page: Value = app
            .get(
                &format!("/api/v1/indicator-values?limit=7{q}"),
                &app.admin_token,
            )
            .await
            .json()
            .await
            .expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_str().unwrap_or("").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (seen.len(), unique.len()),
        (48, 48),
        "pages cover every value exactly once"
    );

    let csv = app
        .get(
            "/api/v1/indicator-values?format=csv&member_state=CAN",
            &app.admin_token,
        )
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(csv.lines().count(), 13, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("VICTIMS_DETECTED,CAN,2020,")),
        "{csv}"
    );

    let one = &stored(&app, "member_state=BRA&sex=male&age_group=adult").await[0];
    let path = format!(
        "/api/v1/indicator-values/{}",
        one["id"].as_str().expect("id")
    );
    let arg = app.reporter("ARG").await;
    assert_problem(
        app.request(Method::DELETE, &path, Some(&arg))
            .send()
            .await
            .expect("req"),
        403,
    )
    .await;
    let res = app
        .request(Method::DELETE, &path, Some(&app.admin_token))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored(&app, "member_state=BRA").await.len(), 11);
    let tombs: Vec<Value> = stored(&app, "member_state=BRA&include_deleted=true")
        .await
        .into_iter()
        .filter(|v| v["deleted_at"].is_string())
        .collect();
    assert_eq!(tombs.len(), 1);
    let (_, s) = push(&app, &app.admin_token, "", &table("BRA", "2019")).await;
    assert_eq!(
        counts(&s),
        [12, 1, 0, 11, 0],
        "a deleted value sent again is created anew: {s}"
    );
}

#[tokio::test]
async fn every_batch_leaves_one_audit_event_with_each_changes_before_and_after() {
    let app = spawn_app().await;
    push(&app, &app.admin_token, "", &table("MEX", "2019")).await;
    let mut changed = table("MEX", "2019");
    changed[0]["value"] = json!(999);
    push(&app, &app.admin_token, "", &changed).await;
    push(&app, &app.admin_token, "", &changed).await;
    let url = palermo::db::DatabaseUrl::parse(&app.database_url).expect("url");
    let mut conn = url.connect().expect("connect");
    let events =
        palermo::models::audit_event::AuditEventRow::of_type(&mut conn, "indicator_value_batch")
            .expect("audit");
    assert_eq!(
        events.len(),
        2,
        "the unchanged re-push writes nothing, not even an audit event"
    );
    let second: Value =
        serde_json::from_str(events[1].after.as_ref().map_or("null", |a| a.get())).expect("json");
    let update = &second["updated"][0];
    assert_eq!(
        (
            update["before"]["value"].as_str(),
            update["after"]["value"].as_str()
        ),
        (Some("1"), Some("999")),
        "{second}"
    );
}

#[tokio::test]
async fn a_duplicate_key_in_a_bulk_insert_is_a_conflict_and_the_connection_stays_usable() {
    use actix_web::ResponseError;
    use palermo::models::indicator_value::{Filter, IndicatorValueRow};
    let app = spawn_app().await;
    let url = palermo::db::DatabaseUrl::parse(&app.database_url).expect("url");
    let mut conn = url.connect().expect("connect");
    let at = palermo::timestamp::Timestamp::parse("2026-11-22T00:00:00Z").expect("time");
    let row = |id: &str, sex: &str| IndicatorValueRow {
        id: id.into(),
        indicator: "VICTIMS_DETECTED".into(),
        member_state: "ARG".into(),
        period: "2019".into(),
        disaggregation: format!("sex={sex}"),
        value: Some("1".into()),
        flag: None,
        comment: None,
        source: None,
        reported_by: ADMIN.into(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    // Same natural key under another id: SQLite's multi-row INSERT and PostgreSQL's COPY both
    // reject it, and the handlers' error mapping makes it a 409, not a 500.
    let rows = [row("a", "female"), row("b", "male"), row("c", "female")];
    let err =
        palermo::db::pool::write_transaction::<_, palermo::error::ApiError, _>(&mut conn, |c| {
            IndicatorValueRow::insert_many(c, &rows)?;
            Ok(())
        })
        .expect_err("duplicate key");
    assert_eq!(err.status_code().as_u16(), 409, "{err:?}");
    // Rolled back whole, and the same connection takes the next batch, in one statement.
    let statements = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = statements.clone();
    diesel::Connection::set_instrumentation(
        &mut conn,
        move |e: diesel::connection::InstrumentationEvent<'_>| {
            if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = e {
                log.lock().unwrap().push(query.to_string());
            }
        },
    );
    palermo::db::pool::write_transaction::<_, palermo::error::ApiError, _>(&mut conn, |c| {
        IndicatorValueRow::insert_many(c, &rows[..2])?;
        Ok(())
    })
    .expect("insert after the failed one");
    let writes = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|q| q.starts_with("INSERT") || q.starts_with("COPY"))
        .count();
    assert_eq!(writes, 1, "{:?}", statements.lock().unwrap());
    let f = Filter {
        indicator: Some("VICTIMS_DETECTED".into()),
        ..Filter::default()
    };
    assert_eq!(IndicatorValueRow::count(&mut conn, &f).expect("count"), 2);
}
