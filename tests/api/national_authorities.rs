//! The register of national authorities: scope per role, validation, one active point of contact
//! per state (raced for real), versions, history, CSV.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const BASE: &str = "/api/v1/national-authorities";

fn entry(state: &str, role: &str) -> Value {
    json!({
        "member_state": state, "role": role, "institution": "Ministerio de Justicia",
        "contact_name": "María Pérez", "email": "trata@jus.gob.ar", "phone": "+54 11 5300 4000",
        "website": "https://www.argentina.gob.ar/justicia", "languages": ["es", "en"], "designated_on": "2024-03-01"
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let res = app.send_json(Method::POST, BASE, Some(token), body).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp, query: &str) -> usize {
    let body: Value = app
        .get(&format!("{BASE}?limit=1000&{query}"), &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_reporter_manages_its_own_states_entries_through_their_whole_life() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let mut body = entry("ARG", "national_point_of_contact");
    body.as_object_mut().expect("object").remove("member_state");
    let res = app.send_json(Method::POST, BASE, Some(&arg), &body).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "reporter creates without naming its state"
    );
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let created: Value = res.json().await.expect("json");
    assert_eq!(
        (
            created["member_state"].as_str(),
            created["version"].as_i64()
        ),
        (Some("ARG"), Some(1)),
        "{created}"
    );

    let res = app.get(&location, &arg).await;
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let res = app
        .request(Method::PATCH, &location, Some(&arg))
        .header("If-Match", &etag)
        .json(&json!({"phone": null, "unit": "Programa Nacional de Rescate"}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    let patched: Value = res.json().await.expect("json");
    assert_eq!(
        (
            patched["phone"].as_str(),
            patched["unit"].as_str(),
            patched["version"].as_i64()
        ),
        (None, Some("Programa Nacional de Rescate"), Some(2))
    );

    let res = app
        .request(Method::PUT, &location, Some(&arg))
        .header("If-Match", &etag)
        .json(&entry("ARG", "national_point_of_contact"))
        .send()
        .await
        .expect("req");
    assert_problem(res, 412).await;

    let mut full = entry("ARG", "national_point_of_contact");
    full["unit"] = json!("Programa Nacional de Rescate");
    full["phone"] = Value::Null;
    let res = app
        .send_json(Method::PUT, &location, Some(&arg), &full)
        .await;
    let same: Value = res.json().await.expect("json");
    assert_eq!(
        same["version"].as_i64(),
        Some(2),
        "an identical PUT changes nothing: {same}"
    );

    let res = app
        .request(Method::DELETE, &location, Some(&arg))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    let gone: Value = app.get(&location, &arg).await.json().await.expect("json");
    assert_eq!(gone["active"], false, "delete deactivates: {gone}");

    let history: Value = app
        .get(&format!("{location}/history"), &arg)
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["create", "update", "deactivate"], "{history}");
    let versions: Vec<i64> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["version"].as_i64())
        .collect();
    assert_eq!(versions, vec![1, 2, 3]);
    assert!(
        history["items"][0]["changed_by"]
            .as_str()
            .is_some_and(|u| u.starts_with("reporter-arg")),
        "{history}"
    );
}

#[tokio::test]
async fn cross_state_and_read_only_writes_are_refused_with_nothing_changed() {
    let app = spawn_app().await;
    let (status, bra_entry) = create(&app, &app.admin_token, &entry("BRA", "focal_point")).await;
    assert_eq!(status, 201);
    let bra_path = format!("{BASE}/{}", bra_entry["id"].as_str().expect("id"));
    let arg = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    for (who, token) in [("ARG reporter", &arg), ("viewer", &viewer)] {
        let calls = [
            app.send_json(
                Method::POST,
                BASE,
                Some(token),
                &entry("BRA", "focal_point"),
            )
            .await,
            app.send_json(
                Method::PUT,
                &bra_path,
                Some(token),
                &entry("BRA", "coordinating_body"),
            )
            .await,
            app.send_json(
                Method::PATCH,
                &bra_path,
                Some(token),
                &json!({"institution": "Hijacked"}),
            )
            .await,
            app.request(Method::DELETE, &bra_path, Some(token))
                .send()
                .await
                .expect("req"),
        ];
        for (i, res) in calls.into_iter().enumerate() {
            assert_eq!(res.status().as_u16(), 403, "{who}, call {i}");
            assert_problem(res, 403).await;
        }
    }
    let viewer_post = app
        .send_json(
            Method::POST,
            BASE,
            Some(&viewer),
            &entry("ARG", "focal_point"),
        )
        .await;
    assert_problem(viewer_post, 403).await;
    assert_eq!(
        count(&app, "member_state=BRA").await,
        1,
        "no BRA entry was added"
    );
    assert_eq!(
        count(&app, "member_state=ARG").await,
        0,
        "no ARG entry was added by the viewer"
    );
    let after: Value = app
        .get(&bra_path, &viewer)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            after["institution"].as_str(),
            after["version"].as_i64(),
            after["active"].as_bool()
        ),
        (Some("Ministerio de Justicia"), Some(1), Some(true))
    );
    assert_eq!(
        app.audit_count("national_authority", bra_entry["id"].as_str().expect("id")),
        1
    );
}

#[tokio::test]
async fn a_second_active_point_of_contact_is_a_409_until_the_first_is_deactivated() {
    let app = spawn_app().await;
    let (s1, first) = create(
        &app,
        &app.admin_token,
        &entry("CHL", "national_point_of_contact"),
    )
    .await;
    assert_eq!(s1, 201);
    let (s2, problem) = create(
        &app,
        &app.admin_token,
        &entry("CHL", "national_point_of_contact"),
    )
    .await;
    assert_eq!(s2, 409, "{problem}");
    let (s3, focal) = create(&app, &app.admin_token, &entry("CHL", "focal_point")).await;
    assert_eq!(s3, 201, "other roles are not limited");
    let focal_path = format!("{BASE}/{}", focal["id"].as_str().expect("id"));
    let res = app
        .send_json(
            Method::PATCH,
            &focal_path,
            Some(&app.admin_token),
            &json!({"role": "national_point_of_contact"}),
        )
        .await;
    assert_problem(res, 409).await;
    let first_path = format!("{BASE}/{}", first["id"].as_str().expect("id"));
    app.request(Method::DELETE, &first_path, Some(&app.admin_token))
        .send()
        .await
        .expect("req");
    let res = app
        .send_json(
            Method::PATCH,
            &focal_path,
            Some(&app.admin_token),
            &json!({"role": "national_point_of_contact"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "after deactivation the role is free"
    );
    let res = app
        .send_json(
            Method::PATCH,
            &first_path,
            Some(&app.admin_token),
            &json!({"active": true}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn two_concurrent_creates_of_a_point_of_contact_give_exactly_one_201_and_one_409() {
    let app = spawn_app().await;
    let per = app.reporter("PER").await;
    for round in 0..3 {
        let state = ["PER", "ECU", "URY"][round];
        let token = if state == "PER" {
            per.clone()
        } else {
            app.admin_token.clone()
        };
        let body = entry(state, "national_point_of_contact");
        let (a, b) = tokio::join!(
            app.request(Method::POST, BASE, Some(&token))
                .json(&body)
                .send(),
            app.request(Method::POST, BASE, Some(&app.admin_token))
                .json(&body)
                .send()
        );
        let mut statuses = vec![
            a.expect("a").status().as_u16(),
            b.expect("b").status().as_u16(),
        ];
        statuses.sort();
        assert_eq!(statuses, vec![201, 409], "round {round} ({state})");
        assert_eq!(
            count(
                &app,
                &format!("member_state={state}&role=national_point_of_contact&active=true")
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn entries_are_validated_field_by_field() {
    let app = spawn_app().await;
    let cases = [
        ("email", json!("not-an-email"), "/email"),
        ("phone", json!("011 4819 7000"), "/phone"),
        ("website", json!("ftp://files.example.org"), "/website"),
        ("website", json!("javascript:alert(1)"), "/website"),
        ("languages", json!(["es", "xx"]), "/languages/1"),
        ("designated_on", json!("2023-02-29"), "/designated_on"),
        ("institution", json!(""), "/institution"),
        ("institution", json!("x".repeat(301)), "/institution"),
        ("notes", json!("bidi \u{202E} override"), "/notes"),
        ("member_state", json!("XYZ"), "/member_state"),
        ("member_state", json!("arg"), "/member_state"),
        ("role", json!("ambassador"), "/role"),
    ];
    for (field, value, pointer) in cases {
        let mut body = entry("ARG", "focal_point");
        body[field] = value.clone();
        let res = app
            .send_json(Method::POST, BASE, Some(&app.admin_token), &body)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec![pointer.to_string()],
            "{field} = {value}"
        );
    }
    let mut body = entry("ARG", "focal_point");
    body["email"] = json!("bad");
    body["phone"] = json!("bad");
    let problem = assert_problem(
        app.send_json(Method::POST, BASE, Some(&app.admin_token), &body)
            .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&problem),
        vec!["/email", "/phone"],
        "every invalid field is reported"
    );
    assert_eq!(count(&app, "").await, 0, "nothing was written");
}

#[tokio::test]
async fn a_post_retried_with_the_same_idempotency_key_creates_once() {
    let app = spawn_app().await;
    let body = entry("COL", "focal_point");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let res = app
            .request(Method::POST, BASE, Some(&app.admin_token))
            .header("Idempotency-Key", "col-2026-001")
            .json(&body)
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), StatusCode::CREATED);
        let v: Value = res.json().await.expect("json");
        ids.push(v["id"].as_str().expect("id").to_string());
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "same id every time: {ids:?}"
    );
    assert_eq!(count(&app, "member_state=COL").await, 1);
    let res = app
        .request(Method::POST, BASE, Some(&app.admin_token))
        .header("Idempotency-Key", "col-2026-001")
        .json(&entry("COL", "coordinating_body"))
        .send()
        .await
        .expect("req");
    assert_eq!(
        fields(&assert_problem(res, 422).await),
        vec!["Idempotency-Key"]
    );
}

#[tokio::test]
async fn the_list_filters_and_exports_csv() {
    let app = spawn_app().await;
    create(
        &app,
        &app.admin_token,
        &entry("ARG", "national_point_of_contact"),
    )
    .await;
    let mut b = entry("BRA", "focal_point");
    b["institution"] = json!("Polícia Federal, \"Divisão\" =1+1");
    b["unit"] = json!("ÓRGÃO CENTRAL DE ENFRENTAMENTO");
    create(&app, &app.admin_token, &b).await;
    assert_eq!(count(&app, "member_state=ARG").await, 1);
    assert_eq!(count(&app, "role=focal_point").await, 1);
    assert_eq!(count(&app, "q=POLÍCIA").await, 1, "q is case-insensitive");
    assert_eq!(
        count(&app, "q=%C3%B3rg%C3%A3o%20central").await,
        1,
        "q folds accented capitals too (órgão central)"
    );
    assert_eq!(count(&app, "q=%25").await, 0, "% is literal in q");
    assert_eq!(count(&app, "updated_since=2100-01-01T00:00:00Z").await, 0);
    assert_eq!(
        count(&app, "updated_since=2000-01-01T00:00:00%2B01:00").await,
        2
    );
    let res = app
        .get(&format!("{BASE}?format=csv"), &app.admin_token)
        .await;
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/csv")));
    let text = res.text().await.expect("csv");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("id,member_state,role,institution"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 3, "header + 2 rows: {text}");
    assert!(
        text.contains("\"Polícia Federal, \"\"Divisão\"\" =1+1\""),
        "quoted cell: {text}"
    );
    assert!(text.contains("es;en"), "languages joined: {text}");
    let res = app
        .request(Method::GET, BASE, Some(&app.admin_token))
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("req");
    assert_eq!(
        res.text().await.expect("csv").lines().count(),
        3,
        "Accept: text/csv works too"
    );
}

#[tokio::test]
async fn a_key_used_before_the_user_moved_state_is_not_replayed_for_the_new_state() {
    let app = spawn_app().await;
    let id = app.create_user("mover", "reporter", Some("ARG")).await;
    let body = json!({"role": "focal_point", "institution": "Ministerio de Seguridad"});
    let post = |token: String| {
        app.request(Method::POST, "/api/v1/national-authorities", Some(&token))
            .header("Idempotency-Key", "entry-1")
            .json(&body)
            .send()
    };
    let first = post(app.sign_in("mover", PASSWORD).await)
        .await
        .expect("post");
    assert_eq!(first.status(), StatusCode::CREATED);
    let moved = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&app.admin_token),
            &json!({"member_state": "BRA"}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let again = post(app.sign_in("mover", PASSWORD).await)
        .await
        .expect("post");
    let problem = assert_problem(again, 422).await;
    assert_eq!(fields(&problem), ["Idempotency-Key"], "{problem}");
    let entries: Value = app
        .get("/api/v1/national-authorities", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        entries["items"].as_array().map(Vec::len),
        Some(1),
        "{entries}"
    );
}

/// Sets one text column of the rows of `table` whose `key` is `id`, straight in the database.
fn corrupt(app: &TestApp, table: &str, key: &str, id: &str, column: &str, value: &str) {
    use diesel::prelude::*;
    let mut conn = palermo::db::DatabaseUrl::parse(&app.database_url)
        .expect("url")
        .connect()
        .expect("connect");
    diesel::sql_query(format!(
        "UPDATE {table} SET {column} = '{value}' WHERE {key} = '{id}'"
    ))
    .execute(&mut conn)
    .expect("update");
}

/// A stored value palermo never wrote (a time that is not one, JSON that does not decode, in the
/// entry or in its audit trail) fails the read with a 500 problem; it is never served as some
/// default. (Stored codes such as the role are also guarded by CHECK constraints.)
#[tokio::test]
async fn a_stored_value_that_does_not_parse_fails_the_read_instead_of_reading_as_a_default() {
    let app = spawn_app().await;
    let (status, created) = create(&app, &app.admin_token, &entry("ARG", "focal_point")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let one = format!("{BASE}/{id}");
    let stamp = created["updated_at"]
        .as_str()
        .expect("updated_at")
        .to_string();

    for (column, bad, good, served) in [
        ("updated_at", "last tuesday", stamp.as_str(), json!(stamp)),
        ("languages", "es, en", r#"["es","en"]"#, json!(["es", "en"])),
    ] {
        corrupt(&app, "national_authorities", "id", &id, column, bad);
        assert_problem(app.get(&one, &app.admin_token).await, 500).await;
        assert_problem(app.get(BASE, &app.admin_token).await, 500).await;
        corrupt(&app, "national_authorities", "id", &id, column, good);
        let res = app.get(&one, &app.admin_token).await;
        assert_eq!(res.status(), StatusCode::OK, "restored {column}");
        let back: Value = res.json().await.expect("json");
        assert_eq!(back[column], served, "{back}");
    }

    let history = format!("{one}/history");
    let res = app.get(&history, &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK, "history");
    let page: Value = res.json().await.expect("json");
    assert_eq!(page["items"][0]["after"]["id"], json!(id), "{page}");
    corrupt(
        &app,
        "audit_events",
        "resource_id",
        &id,
        "after",
        "{\"id\": ",
    );
    assert_problem(app.get(&history, &app.admin_token).await, 500).await;
}
