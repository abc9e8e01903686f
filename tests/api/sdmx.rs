//! SDMX-CSV 2.0 exchange: the value list exported as SDMX-CSV reads back into an empty instance
//! and exports identically (tombstones included); bad lines all reported by index; `;`
//! separators; scope; dry runs; M49 reference areas; the structure message from the database.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const BATCH: &str = "/api/v1/indicator-values/batch";
const SDMX: &str = "application/vnd.sdmx.data+csv; version=2.0.0";
const HEADER: &str = "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,SEX,AGE_GROUP,FORM_OF_EXPLOITATION,CITIZENSHIP,SECTOR,OBS_VALUE,OBS_STATUS,CONF_STATUS,COMMENT,SOURCE";

/// A text indicator, quarterly, so values with separators, quotes and line breaks travel too.
async fn add_text_indicator(app: &TestApp) {
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicators",
            Some(&app.admin_token),
            &json!({"code": "LEGAL_BASIS", "name": "Legal basis", "description": "The law in force.",
                    "value_type": "text", "periodicity": "quarterly", "dimensions": [],
                    "guidelines": [], "references": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn push_json(app: &TestApp, values: Value) {
    let res = app
        .send_json(
            Method::POST,
            BATCH,
            Some(&app.admin_token),
            &json!({ "values": values }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn import(app: &TestApp, token: &str, query: &str, body: &str) -> (u16, Value) {
    let res = app
        .request(Method::POST, &format!("{BATCH}{query}"), Some(token))
        .header("content-type", SDMX)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn export(app: &TestApp, query: &str) -> String {
    let res = app
        .request(
            Method::GET,
            &format!("/api/v1/indicator-values?{query}"),
            Some(&app.admin_token),
        )
        .header("accept", SDMX)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/vnd.sdmx.data+csv"), "{ct}");
    res.text().await.unwrap()
}

async fn values(app: &TestApp, query: &str) -> Vec<Value> {
    app.stored_values(query).await
}

fn counts(s: &Value) -> [u64; 6] {
    [
        "received",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "rejected",
    ]
    .map(|k| s[k].as_u64().unwrap_or(u64::MAX))
}

fn file(lines: &[&str]) -> String {
    let mut out = format!("{HEADER}\r\n");
    for l in lines {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out
}

/// Values of every kind: breakdowns, each flag, a confidential null, booleans, numbers, text
/// with separators, quotes and a line break, and one deleted value.
async fn seed(app: &TestApp) {
    add_text_indicator(app).await;
    push_json(app, json!([
        {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {"sex": "female", "age_group": "child"}, "value": 42, "source": "Ministerio Público Fiscal", "flag": "provisional"},
        {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {}, "value": 310, "comment": "total, all \"forms\"\nsecond line"},
        {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2020", "disaggregation": {"form_of_exploitation": "forced_labour"}, "value": 3, "flag": "below_threshold"},
        {"member_state": "BRA", "indicator": "VICTIMS_DETECTED", "period": "2019", "value": null, "flag": "confidential"},
        {"member_state": "BRA", "indicator": "BUDGET_ALLOCATED", "period": "2019", "value": 1250000.5, "flag": "estimated"},
        {"member_state": "CAN", "indicator": "NATIONAL_ACTION_PLAN", "period": "2019", "value": true},
        {"member_state": "CAN", "indicator": "OFFICIALS_TRAINED", "period": "2021", "disaggregation": {"sector": "police", "sex": "male"}, "value": 12},
        {"member_state": "CAN", "indicator": "LEGAL_BASIS", "period": "2021-Q3", "value": "Criminal Code, s. 279.01; \"Bill C-49\"", "comment": "=not a formula"},
        {"member_state": "MEX", "indicator": "SHELTERS", "period": "2019", "value": 9},
    ]))
    .await;
    let gone = values(app, "member_state=MEX").await;
    let res = app
        .request(
            Method::DELETE,
            &format!(
                "/api/v1/indicator-values/{}",
                gone[0]["id"].as_str().unwrap()
            ),
            Some(&app.admin_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_export_imported_into_an_empty_instance_exports_identically_and_again_is_unchanged() {
    let source = spawn_app().await;
    seed(&source).await;
    let all = export(&source, "include_deleted=true").await;
    let live = export(&source, "").await;
    assert!(all.starts_with(&format!("{HEADER}\r\n")), "{all}");
    assert_eq!(
        all.lines().count(),
        11,
        "header, 8 values, a tombstone (a comment line break): {all}"
    );
    assert!(
        all.contains("\r\ndataflow,OAS:DF_TIP(1.0),D,MEX,SHELTERS,2019,_T,_T,_T,_T,_T,9,A,F,,\r\n"),
        "{all}"
    );
    assert!(all.contains("dataflow,OAS:DF_TIP(1.0),I,ARG,VICTIMS_DETECTED,2019,female,child,_T,_T,_T,42,P,F,,Ministerio Público Fiscal\r\n"), "{all}");
    assert!(
        all.contains(",BRA,VICTIMS_DETECTED,2019,_T,_T,_T,_T,_T,,A,C,,\r\n"),
        "{all}"
    );
    assert!(
        all.contains(",3,A,A,,\r\n"),
        "below_threshold is CONF_STATUS A: {all}"
    );
    assert!(
        all.contains(",\"Criminal Code, s. 279.01; \"\"Bill C-49\"\"\",A,F,=not a formula,\r\n"),
        "{all}"
    );
    assert!(
        !live.contains(",D,"),
        "no tombstone without include_deleted: {live}"
    );

    let target = spawn_app().await;
    add_text_indicator(&target).await;
    let (status, s) = import(&target, &target.admin_token, "", &all).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(counts(&s), [9, 8, 0, 0, 1, 0], "{s}");
    assert_eq!(export(&target, "include_deleted=true").await, all);
    assert_eq!(export(&target, "").await, live);
    assert_eq!(
        export(&target, "format=sdmx-csv&member_state=ARG").await,
        export(&source, "format=sdmx-csv&member_state=ARG").await
    );

    let (status, again) = import(&target, &target.admin_token, "", &all).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(counts(&again), [9, 0, 0, 9, 0, 0], "idempotent: {again}");
    assert_eq!(again["written"], false);
}

#[tokio::test]
async fn a_d_line_deletes_a_stored_value_and_every_upsert_action_is_an_upsert() {
    let app = spawn_app().await;
    let body = file(&[
        "dataflow,OAS:DF_TIP(1.0),I,PER,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),A,PER,SHELTERS,2020,,,,,,2,,,,",
        "dataflow,OAS:DF_TIP(1.0),M,PER,SHELTERS,2021,_T,_T,_T,_T,_T,3,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),R,PER,SHELTERS,2022,_T,_T,_T,_T,_T,4,E,F,,",
    ]);
    let (status, s) = import(&app, &app.admin_token, "", &body).await;
    assert_eq!((status, counts(&s)), (200, [4, 4, 0, 0, 0, 0]), "{s}");
    let delete = file(&[
        "dataflow,OAS:DF_TIP(1.0),D,PER,SHELTERS,2019,_T,_T,_T,_T,_T,,,,,",
        "dataflow,OAS:DF_TIP(1.0),D,PER,SHELTERS,2018,_T,_T,_T,_T,_T,,,,,",
    ]);
    let (status, s) = import(&app, &app.admin_token, "", &delete).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        counts(&s),
        [2, 0, 0, 1, 1, 0],
        "a key never stored: nothing to delete: {s}"
    );
    let periods: Vec<Value> = values(&app, "member_state=PER")
        .await
        .iter()
        .map(|v| v["period"].clone())
        .collect();
    assert_eq!(periods, [json!("2020"), json!("2021"), json!("2022")]);
    let tomb = values(&app, "member_state=PER&include_deleted=true&period_to=2019").await;
    assert!(
        tomb[0]["deleted_at"].is_string() && tomb[0]["value"] == json!(1),
        "{tomb:?}"
    );
    let (_, s) = import(&app, &app.admin_token, "", &delete).await;
    assert_eq!(
        counts(&s),
        [2, 0, 0, 2, 0, 0],
        "deleting again changes nothing: {s}"
    );
}

#[tokio::test]
async fn every_bad_line_is_reported_with_its_index_and_nothing_is_written() {
    let app = spawn_app().await;
    let body = file(&[
        "dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,ARG,NOT_AN_INDICATOR,2019,_T,_T,_T,_T,_T,1,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2020,_T,_T,_T,_T,_T,2,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,ARG,VICTIMS_DETECTED,2019,girl,_T,_T,_T,_T,1,X,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2021",
        "dataflow,OAS:DF_TIP(2.0),Z,XYZ,SHELTERS,2019,_T,_T,_T,_T,_T,-1,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2022,_T,_T,_T,_T,_T,1,A,F,\"bad\"quote,",
    ]);
    let (status, s) = import(&app, &app.admin_token, "", &body).await;
    assert_eq!(status, 422, "{s}");
    assert_eq!(s["type"], "urn:palermo:problem:import-rejected");
    assert_eq!(counts(&s), [7, 2, 0, 0, 0, 5], "{s}");
    let errors: Vec<(u64, String)> = s["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |i: u64| -> Vec<&str> {
        errors
            .iter()
            .filter(|e| e.0 == i)
            .map(|e| e.1.as_str())
            .collect()
    };
    assert_eq!(at(1), ["INDICATOR"], "{s}");
    assert_eq!(at(3), ["OBS_STATUS", "SEX"], "{s}");
    assert_eq!(at(4), [""], "{s}");
    assert_eq!(
        at(5),
        ["STRUCTURE_ID", "ACTION", "REF_AREA", "OBS_VALUE"],
        "{s}"
    );
    assert_eq!(at(6), [""], "{s}");
    assert!(at(0).is_empty() && at(2).is_empty(), "{s}");
    assert!(values(&app, "").await.is_empty(), "nothing written");

    // partial: the two good lines are written.
    let (status, s) = import(&app, &app.admin_token, "?mode=partial", &body).await;
    assert_eq!((status, s["created"].clone()), (200, json!(2)), "{s}");
}

#[tokio::test]
async fn a_header_that_is_not_the_dataflows_is_one_422_naming_each_column() {
    let app = spawn_app().await;
    let body = "STRUCTURE,STRUCTURE_ID,REF_AREA,INDICATOR,OBS_VALUE,UNIT_MULT\r\ndataflow,OAS:DF_TIP(1.0),ARG,SHELTERS,1,0\r\n";
    let (status, s) = import(&app, &app.admin_token, "", body).await;
    assert_eq!(status, 422, "{s}");
    assert_eq!(fields(&s), ["UNIT_MULT", "TIME_PERIOD"], "{s}");
    let (status, s) = import(&app, &app.admin_token, "", "REF_AREA,STRUCTURE\r\n").await;
    assert_eq!(
        (status, fields(&s)),
        (422, vec!["STRUCTURE".to_string()]),
        "{s}"
    );
    let (status, s) = import(&app, &app.admin_token, "", "").await;
    assert_eq!(status, 422, "{s}");
}

#[tokio::test]
async fn a_semicolon_separated_file_with_quoted_fields_imports() {
    let app = spawn_app().await;
    let body = "STRUCTURE[|];STRUCTURE_ID;REF_AREA;INDICATOR;TIME_PERIOD;SEX;OBS_VALUE;COMMENT\n\
                dataflow;OAS:DF_TIP(1.0);ARG;VICTIMS_DETECTED;2019;female;5;\"one; two, \"\"three\"\"\nfour\"\n\
                dataflow;OAS:DF_TIP(1.0);ARG;VICTIMS_DETECTED;2019;_T;9;\n";
    let (status, s) = import(&app, &app.admin_token, "", body).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(counts(&s), [2, 2, 0, 0, 0, 0], "{s}");
    let stored = values(&app, "member_state=ARG&sex=female").await;
    assert_eq!(stored[0]["comment"], "one; two, \"three\"\nfour");
    assert_eq!(stored[0]["value"], 5);
}

#[tokio::test]
async fn a_reporter_may_import_only_its_own_states_lines() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let body = file(&[
        "dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,",
        "dataflow,OAS:DF_TIP(1.0),I,076,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,",
    ]);
    let (status, s) = import(&app, &arg, "", &body).await;
    assert_eq!(status, 403, "BRA given by its M49 code: {s}");
    assert!(values(&app, "").await.is_empty(), "nothing written");
    let delete = file(&["dataflow,OAS:DF_TIP(1.0),D,BRA,SHELTERS,2019,_T,_T,_T,_T,_T,,,,,"]);
    assert_eq!(import(&app, &arg, "", &delete).await.0, 403);
    let own = file(&["dataflow,OAS:DF_TIP(1.0),I,032,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,"]);
    let (status, s) = import(&app, &arg, "", &own).await;
    assert_eq!((status, s["created"].clone()), (200, json!(1)), "{s}");
    let viewer = app.viewer().await;
    assert_eq!(import(&app, &viewer, "", &own).await.0, 403);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let body = file(&["dataflow,OAS:DF_TIP(1.0),I,ARG,SHELTERS,2019,_T,_T,_T,_T,_T,1,A,F,,"]);
    let (status, s) = import(&app, &app.admin_token, "?dry_run=true", &body).await;
    assert_eq!((status, counts(&s)), (200, [1, 1, 0, 0, 0, 0]), "{s}");
    assert_eq!(
        (s["dry_run"].clone(), s["written"].clone()),
        (json!(true), json!(false))
    );
    assert!(values(&app, "include_deleted=true").await.is_empty());
}

#[tokio::test]
async fn ref_area_m49_exports_m49_codes_that_import_back() {
    let source = spawn_app().await;
    seed(&source).await;
    let m49 = export(&source, "ref_area=m49&include_deleted=true").await;
    assert!(m49.contains(",I,032,VICTIMS_DETECTED,2019,"), "{m49}");
    assert!(!m49.contains(",ARG,"), "{m49}");
    let target = spawn_app().await;
    add_text_indicator(&target).await;
    let (status, s) = import(&target, &target.admin_token, "", &m49).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        export(&target, "include_deleted=true").await,
        export(&source, "include_deleted=true").await
    );
    let res = source
        .get(
            "/api/v1/indicator-values?format=sdmx-csv&ref_area=iso",
            &source.admin_token,
        )
        .await;
    assert_problem(res, 422).await;
}

#[tokio::test]
async fn filters_apply_and_sdmx_csv_is_offered_by_the_value_list_only() {
    let app = spawn_app().await;
    seed(&app).await;
    let only = export(
        &app,
        "format=sdmx-csv&indicator=SHELTERS&include_deleted=true",
    )
    .await;
    assert_eq!(only.lines().count(), 2, "{only}");
    let flagged = export(&app, "flag=provisional").await;
    assert_eq!(flagged.lines().count(), 2, "{flagged}");
    let res = app
        .get("/api/v1/commitments?format=sdmx-csv", &app.admin_token)
        .await;
    let p = assert_problem(res, 422).await;
    assert_eq!(fields(&p), ["format"]);
}

#[tokio::test]
async fn the_structure_message_lists_the_dimensions_and_code_lists_from_the_database() {
    let app = spawn_app().await;
    let viewer = app.viewer().await;
    let res = app.get("/api/v1/sdmx/structure", &viewer).await;
    assert_eq!(res.status(), StatusCode::OK);
    let m: Value = res.json().await.unwrap();
    assert_eq!(m["data"]["dataflows"][0]["id"], "DF_TIP");
    assert_eq!(m["data"]["dataflows"][0]["agencyID"], "OAS");
    let dsd = &m["data"]["dataStructures"][0]["dataStructureComponents"];
    let dims: Vec<&str> = dsd["dimensionList"]["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        dims,
        [
            "REF_AREA",
            "INDICATOR",
            "SEX",
            "AGE_GROUP",
            "FORM_OF_EXPLOITATION",
            "CITIZENSHIP",
            "SECTOR"
        ]
    );
    assert_eq!(dsd["dimensionList"]["timeDimension"]["id"], "TIME_PERIOD");
    assert_eq!(dsd["measureList"]["measures"][0]["id"], "OBS_VALUE");
    let attrs: Vec<&str> = dsd["attributeList"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(attrs, ["OBS_STATUS", "CONF_STATUS", "COMMENT", "SOURCE"]);
    let lists = m["data"]["codelists"].as_array().unwrap();
    let codes = |id: &str| -> Vec<String> {
        let list = lists
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        list["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let dimensions: Value = app
        .get("/api/v1/dimensions?limit=100", &viewer)
        .await
        .json()
        .await
        .unwrap();
    for d in dimensions["items"].as_array().unwrap() {
        let mut want: Vec<String> = serde_json::from_value(d["codes"].clone()).unwrap();
        want.push("_T".into());
        let column = d["code"].as_str().unwrap().to_uppercase();
        assert_eq!(codes(&format!("CL_{column}")), want, "{column}");
    }
    let areas = codes("CL_REF_AREA");
    assert_eq!(areas.len(), 35);
    assert!(areas.contains(&"ARG".to_string()));
    add_text_indicator(&app).await;
    let m: Value = app
        .get("/api/v1/sdmx/structure", &viewer)
        .await
        .json()
        .await
        .unwrap();
    let indicators: Vec<&Value> = m["data"]["codelists"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["id"] == "CL_INDICATOR")
        .collect();
    assert!(
        indicators[0]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "LEGAL_BASIS"),
        "the catalog as stored"
    );
    let res = app
        .request(Method::GET, "/api/v1/sdmx/structure", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
