//! `/api/v1/training-events`: scoped writes, validation, safe retries, filters, CSV, tombstones.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const EVENTS: &str = "/api/v1/training-events";

/// A valid event of Argentina, 10 to 20 January 2026.
fn event() -> Value {
    json!({
        "member_state": "ARG",
        "organizer": "Ministerio de Seguridad",
        "title": "Identificación de víctimas en pasos fronterizos",
        "description": "Taller para fuerzas federales.",
        "start_date": "2026-01-10",
        "end_date": "2026-01-20",
        "city": "Posadas",
        "modality": "in_person",
        "audiences": ["migration", "police"],
        "guidelines": [{"work_plan": "WP2", "number": 45}],
        "participants_total": 40,
        "participants_women": 22,
        "participants_men": 18,
        "partners": "OIM; UNODC"
    })
}

/// `event()` with some fields replaced (a `null` replacement sets the field to null).
fn event_with(changes: Value) -> Value {
    let mut body = event();
    if let (Some(b), Some(c)) = (body.as_object_mut(), changes.as_object()) {
        for (k, v) in c {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

async fn post(app: &TestApp, token: &str, body: &Value) -> Response {
    app.send_json(Method::POST, EVENTS, Some(token), body).await
}

/// Creates an event and returns it; fails the test unless it is a 201.
async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = post(app, token, body).await;
    let status = res.status();
    let created: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "creating {body}: {created}");
    created
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn path_of(v: &Value) -> String {
    format!("{EVENTS}/{}", id_of(v))
}

/// The ids listed for `query`, in list order (every page).
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let res = app
        .get(&format!("{EVENTS}?limit=1000&{query}"), &app.admin_token)
        .await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "list ?{query}: {body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

async fn read(app: &TestApp, path: &str) -> Value {
    let res = app.get(path, &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_reporter_creates_reads_updates_and_deletes_its_own_states_event() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let mut body = event();
    body.as_object_mut().map(|b| b.remove("member_state"));
    let res = post(&app, &arg, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "reporter creates");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    assert!(res.headers().get("etag").is_some(), "ETag on create");
    let created: Value = res.json().await.expect("json");
    assert_eq!(location, path_of(&created), "Location names the event");
    assert_eq!(
        created["member_state"], "ARG",
        "member_state filled from the reporter's scope: {created}"
    );
    assert_eq!(
        created["audiences"],
        json!(["police", "migration"]),
        "audiences in code-list order"
    );
    assert_eq!(
        (
            created["guidelines"].clone(),
            created["version"].clone(),
            created["deleted_at"].clone()
        ),
        (
            json!([{"work_plan": "WP2", "number": 45}]),
            json!(1),
            Value::Null
        ),
        "stored as sent: {created}"
    );

    let res = app.get(&location, &arg).await;
    assert_eq!(res.status(), StatusCode::OK, "reporter reads its event");
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag on GET")
        .to_string();

    let res = app
        .request(Method::PATCH, &location, Some(&arg))
        .header("If-Match", &etag)
        .json(&json!({"participants_total": 45, "city": null, "audiences": ["judges"]}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "reporter patches its event");
    let patched: Value = res.json().await.expect("json");
    assert_eq!(
        (
            patched["participants_total"].clone(),
            patched["city"].clone(),
            patched["audiences"].clone(),
            patched["title"].clone(),
            patched["version"].clone()
        ),
        (
            json!(45),
            Value::Null,
            json!(["judges"]),
            event()["title"].clone(),
            json!(2)
        ),
        "PATCH changes only what it names: {patched}"
    );

    let replacement = event_with(json!({"title": "Trata laboral", "guidelines": []}));
    let res = app
        .send_json(Method::PUT, &location, Some(&arg), &replacement)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "reporter replaces its event");
    let replaced: Value = res.json().await.expect("json");
    assert_eq!(
        (
            replaced["title"].clone(),
            replaced["guidelines"].clone(),
            replaced["version"].clone()
        ),
        (json!("Trata laboral"), json!([]), json!(3)),
        "PUT replaces: {replaced}"
    );

    let res = app
        .request(Method::DELETE, &location, Some(&arg))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "reporter deletes");
    assert_problem(app.get(&location, &arg).await, 404).await;

    let id = id_of(&created);
    assert_eq!(
        app.audit_count("training_event", &id),
        4,
        "create, two updates and the deletion are audited"
    );
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
    assert_eq!(
        actions,
        vec!["create", "update", "update", "delete"],
        "history, oldest first: {history}"
    );
}

#[tokio::test]
async fn a_reporter_of_another_state_gets_403_on_every_write_and_nothing_changes() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let bra = app.reporter("BRA").await;
    let created = create(&app, &arg, &event()).await;
    let path = path_of(&created);

    let res = post(&app, &bra, &event()).await;
    assert_problem(res, 403).await;
    let calls = [
        (
            "PUT",
            app.send_json(Method::PUT, &path, Some(&bra), &event())
                .await,
        ),
        (
            "PUT moving it to BRA",
            app.send_json(
                Method::PUT,
                &path,
                Some(&bra),
                &event_with(json!({"member_state": "BRA"})),
            )
            .await,
        ),
        (
            "PATCH",
            app.send_json(Method::PATCH, &path, Some(&bra), &json!({"title": "x"}))
                .await,
        ),
        (
            "DELETE",
            app.request(Method::DELETE, &path, Some(&bra))
                .send()
                .await
                .expect("request"),
        ),
    ];
    for (what, res) in calls {
        assert_eq!(res.status().as_u16(), 403, "BRA reporter: {what}");
        assert_problem(res, 403).await;
    }
    let res = app
        .send_json(
            Method::PATCH,
            &path,
            Some(&arg),
            &json!({"member_state": "BRA"}),
        )
        .await;
    assert_problem(res, 403).await;

    let after = read(&app, &path).await;
    assert_eq!(after, created, "the event is unchanged");
    assert_eq!(
        listed(&app, "").await,
        vec![id_of(&created)],
        "no event was created"
    );
    assert_eq!(
        app.audit_count("training_event", &id_of(&created)),
        1,
        "only the creation is audited"
    );
}

#[tokio::test]
async fn viewers_get_403_on_every_write() {
    let app = spawn_app().await;
    let viewer = app.viewer().await;
    let created = create(&app, &app.admin_token, &event()).await;
    let path = path_of(&created);
    let calls = [
        ("POST", post(&app, &viewer, &event()).await),
        (
            "POST regional",
            post(&app, &viewer, &event_with(json!({"member_state": null}))).await,
        ),
        (
            "PUT",
            app.send_json(Method::PUT, &path, Some(&viewer), &event())
                .await,
        ),
        (
            "PATCH",
            app.send_json(Method::PATCH, &path, Some(&viewer), &json!({"title": "x"}))
                .await,
        ),
        (
            "DELETE",
            app.request(Method::DELETE, &path, Some(&viewer))
                .send()
                .await
                .expect("request"),
        ),
    ];
    for (what, res) in calls {
        assert_eq!(res.status().as_u16(), 403, "viewer: {what}");
        assert_problem(res, 403).await;
    }
    assert_eq!(read(&app, &path).await, created, "the event is unchanged");
    assert_eq!(listed(&app, "").await.len(), 1, "no event was created");
    let res = app.get(&path, &viewer).await;
    assert_eq!(res.status(), StatusCode::OK, "viewers read");
}

#[tokio::test]
async fn regional_events_are_written_by_admins_only() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let mut no_state = event();
    no_state.as_object_mut().map(|b| b.remove("member_state"));
    let regional = create(&app, &app.admin_token, &no_state).await;
    assert_eq!(
        regional["member_state"],
        Value::Null,
        "an admin's event without member_state is regional: {regional}"
    );
    let explicit = create(
        &app,
        &app.admin_token,
        &event_with(json!({"member_state": null})),
    )
    .await;
    assert_eq!(explicit["member_state"], Value::Null, "explicit null");

    let res = post(&app, &arg, &event_with(json!({"member_state": null}))).await;
    assert_problem(res, 403).await;
    let path = path_of(&regional);
    let res = app
        .send_json(Method::PATCH, &path, Some(&arg), &json!({"title": "x"}))
        .await;
    assert_problem(res, 403).await;
    let res = app
        .request(Method::DELETE, &path, Some(&arg))
        .send()
        .await
        .expect("request");
    assert_problem(res, 403).await;
    let own = create(&app, &arg, &event()).await;
    let res = app
        .send_json(
            Method::PATCH,
            &path_of(&own),
            Some(&arg),
            &json!({"member_state": null}),
        )
        .await;
    assert_problem(res, 403).await;
    assert_eq!(
        read(&app, &path_of(&own)).await["member_state"],
        "ARG",
        "the reporter's event stays national"
    );
    assert_eq!(listed(&app, "").await.len(), 3, "only three events exist");

    let res = app
        .send_json(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            &json!({"member_state": "CHL"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "an admin may set the host");
    let moved: Value = res.json().await.expect("json");
    assert_eq!(
        (moved["member_state"].clone(), moved["version"].clone()),
        (json!("CHL"), json!(2)),
        "{moved}"
    );
}

#[tokio::test]
async fn invalid_events_are_refused_with_422_naming_each_field() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let long = "x".repeat(301);
    let cases = [
        (
            json!({"end_date": "2026-01-09"}),
            "/end_date",
            "ends before it starts",
        ),
        (
            json!({"start_date": "2026-02-30"}),
            "/start_date",
            "not a real date",
        ),
        (
            json!({"end_date": "20-01-2026"}),
            "/end_date",
            "not YYYY-MM-DD",
        ),
        (
            json!({"participants_total": -1, "participants_women": null, "participants_men": null}),
            "/participants_total",
            "negative total",
        ),
        (
            json!({"participants_women": -2}),
            "/participants_women",
            "negative women",
        ),
        (
            json!({"participants_men": 30}),
            "/participants_total",
            "women + men exceed the total",
        ),
        (
            json!({"participants_total": null}),
            "/participants_total",
            "parts without a total",
        ),
        (
            json!({"audiences": ["police", "astronauts"]}),
            "/audiences/1",
            "unknown audience",
        ),
        (
            json!({"audiences": ["police", "police"]}),
            "/audiences/1",
            "repeated audience",
        ),
        (
            json!({"guidelines": [{"work_plan": "WP2", "number": 45}, {"work_plan": "WP2", "number": 999}]}),
            "/guidelines/1",
            "no such guideline",
        ),
        (
            json!({"guidelines": [{"work_plan": "WP9", "number": 1}]}),
            "/guidelines/0",
            "no such work plan",
        ),
        (
            json!({"guidelines": [{"work_plan": "WP2", "number": 45}, {"work_plan": "WP2", "number": 45}]}),
            "/guidelines/1",
            "repeated guideline",
        ),
        (
            json!({"guidelines": [{"work_plan": "WP2", "number": 0}]}),
            "/guidelines/0/number",
            "guideline number 0",
        ),
        (json!({"title": "   "}), "/title", "blank title"),
        (
            json!({"organizer": long}),
            "/organizer",
            "organizer too long",
        ),
        (json!({"city": "a\u{0}b"}), "/city", "control character"),
        (
            json!({"modality": "telepathic"}),
            "/modality",
            "unknown modality",
        ),
        (
            json!({"member_state": "arg"}),
            "/member_state",
            "lower-case code",
        ),
        (json!({"title": null}), "/title", "title null"),
    ];
    for (changes, field, why) in cases {
        let body = event_with(changes.clone());
        let problem = assert_problem(post(&app, &arg, &body).await, 422).await;
        assert!(
            fields(&problem).contains(&field.to_string()),
            "{why}: expected {field} in {problem}"
        );
    }
    let problem = assert_problem(
        post(
            &app,
            &app.admin_token,
            &event_with(json!({"member_state": "ESP"})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&problem),
        vec!["/member_state"],
        "not an OAS member state: {problem}"
    );
    let problem = assert_problem(
        post(
            &app,
            &arg,
            &event_with(json!({"end_date": "2026-01-01", "title": "", "participants_men": 99})),
        )
        .await,
        422,
    )
    .await;
    let mut got = fields(&problem);
    got.sort();
    assert_eq!(
        got,
        vec!["/end_date", "/participants_total", "/title"],
        "every invalid field at once: {problem}"
    );
    assert!(listed(&app, "").await.is_empty(), "nothing was created");

    let created = create(&app, &arg, &event()).await;
    let problem = assert_problem(
        app.send_json(
            Method::PATCH,
            &path_of(&created),
            Some(&arg),
            &json!({"start_date": "2026-01-21"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&problem),
        vec!["/end_date"],
        "a PATCH is validated against the stored fields: {problem}"
    );
}

#[tokio::test]
async fn the_same_post_sent_20_times_with_one_idempotency_key_creates_exactly_one_event() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let key = "arg-event-2026-01-10-posadas";
    let send = |client: reqwest::Client, url: String, token: String| async move {
        let res = client
            .post(url)
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&event())
            .send()
            .await
            .expect("request");
        let status = res.status();
        let replayed = res.headers().get("idempotent-replayed").is_some();
        let body: Value = res.json().await.expect("json");
        (status, replayed, body)
    };
    let burst = |n: usize| {
        (0..n)
            .map(|_| tokio::spawn(send(app.client.clone(), app.url(EVENTS), arg.clone())))
            .collect::<Vec<_>>()
    };
    // 10 at once while nothing exists yet (they race to create), 5 one after the other, 5 at once.
    let mut answers = Vec::new();
    for task in burst(10) {
        answers.push(task.await.expect("task"));
    }
    for _ in 0..5 {
        answers.push(send(app.client.clone(), app.url(EVENTS), arg.clone()).await);
    }
    for task in burst(5) {
        answers.push(task.await.expect("task"));
    }
    assert_eq!(answers.len(), 20);
    let first_id = id_of(&answers[0].2);
    for (i, (status, _, body)) in answers.iter().enumerate() {
        assert_eq!(*status, StatusCode::CREATED, "attempt {i}: {body}");
        assert_eq!(id_of(body), first_id, "attempt {i} names the same event");
    }
    assert_eq!(
        answers.iter().filter(|(_, replayed, _)| !replayed).count(),
        1,
        "one answer created the event, the 19 others are marked Idempotent-Replayed"
    );
    assert_eq!(
        listed(&app, "").await,
        vec![first_id.clone()],
        "exactly one event exists"
    );
    assert_eq!(
        app.audit_count("training_event", &first_id),
        1,
        "created once"
    );
}

#[tokio::test]
async fn an_idempotency_key_reused_with_another_body_is_a_422_and_keys_are_per_user() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let other_arg = app.reporter("ARG").await;
    let with_key = |token: &str, body: &Value| {
        app.request(Method::POST, EVENTS, Some(token))
            .header("Idempotency-Key", "k-1")
            .json(body)
            .send()
    };
    let res = with_key(&arg, &event()).await.expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "first use of the key");
    let res = with_key(&arg, &event_with(json!({"title": "Otro taller"})))
        .await
        .expect("request");
    let problem = assert_problem(res, 422).await;
    assert_eq!(fields(&problem), vec!["Idempotency-Key"], "{problem}");
    let res = with_key(&other_arg, &event()).await.expect("request");
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "another user's key is its own"
    );
    assert_eq!(
        listed(&app, "").await.len(),
        2,
        "one event per user, none for the refused body"
    );
}

#[tokio::test]
async fn the_date_range_filter_includes_events_touching_either_edge() {
    let app = spawn_app().await;
    let id = id_of(&create(&app, &app.admin_token, &event()).await);
    let one_day = id_of(
        &create(
            &app,
            &app.admin_token,
            &event_with(json!({"start_date": "2026-02-01", "end_date": "2026-02-01"})),
        )
        .await,
    );
    let cases = [
        ("from=2026-01-20", true, "from on the last day"),
        ("from=2026-01-21", false, "from after the last day"),
        ("to=2026-01-10", true, "to on the first day"),
        ("to=2026-01-09", false, "to before the first day"),
        (
            "from=2026-01-12&to=2026-01-15",
            true,
            "range inside the event",
        ),
        (
            "from=2026-01-01&to=2026-01-31",
            true,
            "range around the event",
        ),
        (
            "from=2026-01-01&to=2026-01-09",
            false,
            "range before the event",
        ),
        (
            "from=2026-01-21&to=2026-01-31",
            false,
            "range after the event",
        ),
        (
            "from=2026-01-15&to=2026-01-15",
            true,
            "one day inside the event",
        ),
    ];
    for (query, included, why) in cases {
        assert_eq!(
            listed(&app, query).await.contains(&id),
            included,
            "{why} (?{query})"
        );
    }
    assert_eq!(
        listed(&app, "from=2026-02-01&to=2026-02-01").await,
        vec![one_day],
        "a one-day event matches its own day, alone"
    );
    for (query, name) in [
        ("from=2026-01-31&to=2026-01-01", "to"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
    ] {
        let res = app
            .get(&format!("{EVENTS}?{query}"), &app.admin_token)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(fields(&problem), vec![name], "?{query}: {problem}");
    }
}

#[tokio::test]
async fn audience_guideline_and_other_filters_match_exactly() {
    let app = spawn_app().await;
    let g = |n: i32| json!({"work_plan": "WP2", "number": n});
    let a = id_of(
        &create(
            &app,
            &app.admin_token,
            &event_with(json!({"audiences": ["police", "judges"], "guidelines": [g(45)], "start_date": "2026-01-01", "end_date": "2026-01-01"})),
        )
        .await,
    );
    let b = id_of(
        &create(
            &app,
            &app.admin_token,
            &event_with(json!({"audiences": ["judges"], "guidelines": [g(12), g(45)], "start_date": "2026-01-02", "end_date": "2026-01-02", "modality": "virtual", "city": null})),
        )
        .await,
    );
    let c = id_of(
        &create(
            &app,
            &app.admin_token,
            &event_with(json!({"member_state": "BRA", "audiences": ["prosecutors"], "guidelines": [g(4)], "start_date": "2026-01-03", "end_date": "2026-01-03", "title": "Curso para promotores", "organizer": "Ministério Público", "city": "Brasília"})),
        )
        .await,
    );
    let cases: Vec<(&str, Vec<&String>)> = vec![
        ("audience=police", vec![&a]),
        ("audience=judges", vec![&a, &b]),
        ("audience=police&audience=prosecutors", vec![&a, &c]),
        ("audience=health", vec![]),
        ("guideline=WP2:45", vec![&a, &b]),
        ("guideline=WP2:4", vec![&c]),
        ("guideline=WP2:12&guideline=WP2:4", vec![&b, &c]),
        (
            "guideline=WP2:45&guideline=WP2:4&member_state=BRA",
            vec![&c],
        ),
        ("guideline=WP2:45&audience=police", vec![&a]),
        ("audience=judges&guideline=WP2:12", vec![&b]),
        ("member_state=ARG", vec![&a, &b]),
        ("modality=virtual", vec![&b]),
        ("q=POSADAS", vec![&a]),
        ("q=ministério", vec![&c]),
        ("q=100%25", vec![]),
    ];
    for (query, expected) in cases {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(listed(&app, query).await, expected, "?{query}");
    }
    for (query, name) in [
        ("audience=astronauts", "audience"),
        ("guideline=WP2-45", "guideline"),
        ("guideline=WP2:x", "guideline"),
        ("modality=telepathic", "modality"),
        ("member_state=argentina", "member_state"),
        ("colour=red", "colour"),
    ] {
        let res = app
            .get(&format!("{EVENTS}?{query}"), &app.admin_token)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(fields(&problem), vec![name], "?{query}: {problem}");
    }
}

#[tokio::test]
async fn the_list_pages_in_start_date_order_with_a_cursor() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for day in ["2026-03-01", "2026-01-01", "2026-02-01"] {
        let body = event_with(json!({"start_date": day, "end_date": day}));
        ids.push(id_of(&create(&app, &app.admin_token, &body).await));
    }
    let expected = vec![ids[1].clone(), ids[2].clone(), ids[0].clone()];
    assert_eq!(listed(&app, "").await, expected, "ordered by start date");

    let res = app
        .get(&format!("{EVENTS}?limit=2"), &app.admin_token)
        .await;
    let link = res
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let page: Value = res.json().await.expect("json");
    let first: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(first, expected[..2].to_vec(), "first page");
    assert!(
        link.is_some_and(|l| l.contains("rel=\"next\"")),
        "Link header"
    );
    let cursor = page["next_cursor"].as_str().expect("next_cursor");
    let page: Value = app
        .get(
            &format!("{EVENTS}?limit=2&cursor={cursor}"),
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (page["items"][0]["id"].as_str(), page["next_cursor"].clone()),
        (Some(expected[2].as_str()), Value::Null),
        "last page: {page}"
    );
    let res = app
        .get(&format!("{EVENTS}?cursor=not-a-cursor"), &app.admin_token)
        .await;
    assert_eq!(fields(&assert_problem(res, 422).await), vec!["cursor"]);
}

#[tokio::test]
async fn the_csv_export_has_a_header_row_and_joins_audiences_and_guidelines_with_semicolons() {
    let app = spawn_app().await;
    let body = event_with(json!({
        "audiences": ["judges", "police"],
        "guidelines": [{"work_plan": "WP2", "number": 45}, {"work_plan": "WP2", "number": 12}],
        "partners": "OIM, UNODC"
    }));
    let created = create(&app, &app.admin_token, &body).await;
    create(
        &app,
        &app.admin_token,
        &event_with(json!({"member_state": "BRA"})),
    )
    .await;
    for how in ["accept", "format"] {
        let rb = match how {
            "accept" => app
                .request(
                    Method::GET,
                    &format!("{EVENTS}?member_state=ARG"),
                    Some(&app.admin_token),
                )
                .header("Accept", "text/csv"),
            _ => app.request(
                Method::GET,
                &format!("{EVENTS}?member_state=ARG&format=csv"),
                Some(&app.admin_token),
            ),
        };
        let res = rb.send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK, "{how}");
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(ct.starts_with("text/csv"), "{how}: content-type {ct}");
        let text = res.text().await.expect("text");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{how}: header and one ARG event: {text}");
        assert!(
            lines[0].starts_with("id,member_state,organizer,title,")
                && lines[0].contains(",audiences,guidelines,"),
            "{how}: header row {}",
            lines[0]
        );
        assert!(
            lines[1].starts_with(&format!("{},ARG,", id_of(&created))),
            "{how}: row {}",
            lines[1]
        );
        assert!(
            lines[1].contains(",\"police;judges\",\"WP2:12;WP2:45\","),
            "{how}: ;-joined cells in {}",
            lines[1]
        );
        assert!(
            lines[1].contains(",\"OIM, UNODC\","),
            "{how}: quoted cell in {}",
            lines[1]
        );
    }
}

#[tokio::test]
async fn a_stale_if_match_is_a_412_and_an_identical_put_changes_nothing() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let created = create(&app, &arg, &event()).await;
    let path = path_of(&created);
    let etag = app
        .get(&path, &arg)
        .await
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string();

    let res = app
        .send_json(Method::PUT, &path, Some(&arg), &event())
        .await;
    assert_eq!(res.status(), StatusCode::OK, "identical PUT");
    assert_eq!(
        res.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str()),
        "same ETag after an identical PUT"
    );
    let same: Value = res.json().await.expect("json");
    assert_eq!(same, created, "an identical PUT changes nothing");
    assert_eq!(app.audit_count("training_event", &id_of(&created)), 1);

    let res = app
        .request(Method::PATCH, &path, Some(&arg))
        .header("If-Match", &etag)
        .json(&json!({"title": "Nuevo título"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "PATCH with the current ETag");
    let stale_calls = [
        (
            "PATCH",
            app.request(Method::PATCH, &path, Some(&arg))
                .header("If-Match", &etag)
                .json(&json!({"title": "Otro"})),
        ),
        (
            "PUT",
            app.request(Method::PUT, &path, Some(&arg))
                .header("If-Match", &etag)
                .json(&event()),
        ),
        (
            "DELETE",
            app.request(Method::DELETE, &path, Some(&arg))
                .header("If-Match", &etag),
        ),
    ];
    for (what, rb) in stale_calls {
        let res = rb.send().await.expect("request");
        assert_eq!(res.status().as_u16(), 412, "stale {what}");
        assert_problem(res, 412).await;
    }
    let now = read(&app, &path).await;
    assert_eq!(
        (now["title"].as_str(), now["version"].as_i64()),
        (Some("Nuevo título"), Some(2)),
        "only the first PATCH applied: {now}"
    );
}

#[tokio::test]
async fn deleted_events_are_tombstones_listed_only_with_include_deleted() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    let kept = create(&app, &arg, &event()).await;
    let gone = create(&app, &arg, &event_with(json!({"title": "Cancelado"}))).await;
    let path = path_of(&gone);
    let res = app
        .request(Method::DELETE, &path, Some(&arg))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "delete");

    assert_problem(app.get(&path, &arg).await, 404).await;
    let res = app
        .request(Method::DELETE, &path, Some(&arg))
        .send()
        .await
        .expect("request");
    assert_problem(res, 404).await;
    let res = app
        .send_json(Method::PATCH, &path, Some(&arg), &json!({"title": "x"}))
        .await;
    assert_problem(res, 404).await;
    assert_eq!(
        listed(&app, "").await,
        vec![id_of(&kept)],
        "deleted events leave the list"
    );

    let res = app
        .get(
            &format!("{EVENTS}?include_deleted=true&limit=1000"),
            &app.admin_token,
        )
        .await;
    let body: Value = res.json().await.expect("json");
    let items = body["items"].as_array().expect("items");
    let tombstone = items
        .iter()
        .find(|e| e["id"] == gone["id"])
        .expect("the deleted event is listed with include_deleted=true");
    assert!(
        tombstone["deleted_at"].is_string(),
        "tombstone has deleted_at: {tombstone}"
    );
    assert_eq!(tombstone["version"], 2, "deletion bumps the version");
    assert!(
        items
            .iter()
            .any(|e| e["id"] == kept["id"] && e["deleted_at"].is_null()),
        "live events too, without deleted_at"
    );
    let since = tombstone["updated_at"].as_str().expect("updated_at");
    let synced = listed(
        &app,
        &format!(
            "include_deleted=true&updated_since={}",
            since.replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(
        synced,
        vec![id_of(&gone)],
        "updated_since finds the deletion"
    );
    let history: Value = app
        .get(&format!("{path}/history"), &arg)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "the history of a deleted event remains: {history}"
    );
}
