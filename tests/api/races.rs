//! Writers racing on one record, with real concurrent clients spread over two palermo servers on
//! one database: unconditional changes all apply in turn (never a 412), of several writers
//! sending the same `If-Match` exactly one wins, and a deletion is applied and audited once. On
//! PostgreSQL the version-guarded write alone let racers fail; the pipeline now takes the
//! record's row lock first.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const WRITERS: usize = 12;

/// Sends `n` requests at once (`body(i)` for the i-th), each with the optional `If-Match`,
/// alternately to this app's server and to a twin on the same database; returns the statuses,
/// in sending order.
async fn burst(
    app: &TestApp,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    n: usize,
    body: impl Fn(usize) -> Option<Value>,
) -> Vec<u16> {
    let servers = [app.address.clone(), app.twin()];
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let url = format!("{}{path}", servers[i % 2]);
            let mut rb = app
                .client
                .request(method.clone(), url)
                .bearer_auth(&app.admin_token);
            if let Some(tag) = if_match {
                rb = rb.header("If-Match", tag);
            }
            if let Some(b) = body(i) {
                rb = rb.json(&b);
            }
            tokio::spawn(async move { rb.send().await.expect("request").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    statuses
}

async fn created(app: &TestApp, path: &str, body: Value) -> (String, String) {
    let res = app
        .send_json(Method::POST, path, Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "creating at {path}");
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    let v: Value = res.json().await.expect("json");
    (v["id"].as_str().expect("id").to_string(), etag)
}

async fn authority(app: &TestApp) -> (String, String) {
    created(
        app,
        "/api/v1/national-authorities",
        json!({"member_state": "ARG", "role": "focal_point", "institution": "Ministerio de Seguridad"}),
    )
    .await
}

async fn history_versions(app: &TestApp, path: &str) -> Vec<i64> {
    let body: Value = app
        .get(&format!("{path}/history?limit=1000"), &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["version"].as_i64())
        .collect()
}

#[tokio::test]
async fn unconditional_changes_of_one_entry_all_apply_in_turn() {
    let app = spawn_app().await;
    let (id, _) = authority(&app).await;
    let path = format!("/api/v1/national-authorities/{id}");
    let statuses = burst(&app, Method::PATCH, &path, None, WRITERS, |i| {
        Some(json!({"notes": format!("writer {i}")}))
    })
    .await;
    assert!(
        statuses.iter().all(|s| *s == 200),
        "no writer loses: {statuses:?}"
    );
    let entry: Value = app
        .get(&path, &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        entry["version"],
        json!(WRITERS + 1),
        "every change is a version: {entry}"
    );
    let versions = history_versions(&app, &path).await;
    assert_eq!(
        versions,
        (1..=(WRITERS as i64 + 1)).collect::<Vec<_>>(),
        "one audit event per version, none lost or doubled"
    );
}

#[tokio::test]
async fn of_racing_writers_with_the_same_if_match_exactly_one_wins() {
    let app = spawn_app().await;
    let (id, etag) = authority(&app).await;
    let path = format!("/api/v1/national-authorities/{id}");
    let statuses = burst(&app, Method::PATCH, &path, Some(&etag), WRITERS, |i| {
        Some(json!({"notes": format!("writer {i}")}))
    })
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 412),
        "the others are told the entry changed: {statuses:?}"
    );
    assert_eq!(history_versions(&app, &path).await, vec![1, 2]);
}

#[tokio::test]
async fn racing_deletes_of_one_event_delete_it_once() {
    let app = spawn_app().await;
    let event = json!({
        "member_state": "ARG", "organizer": "Ministerio de Seguridad", "title": "Taller",
        "start_date": "2026-01-10", "end_date": "2026-01-12", "modality": "virtual",
        "audiences": ["police"], "guidelines": []
    });
    let (id, etag) = created(&app, "/api/v1/training-events", event).await;
    let path = format!("/api/v1/training-events/{id}");
    for if_match in [Some(etag.as_str()), None] {
        let statuses = burst(&app, Method::DELETE, &path, if_match, WRITERS, |_| None).await;
        let deleted = statuses.iter().filter(|s| **s == 204).count();
        assert_eq!(
            deleted,
            usize::from(if_match.is_some()),
            "{if_match:?}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [204, 404].contains(s)),
            "after the deletion the event is gone: {statuses:?}"
        );
    }
    assert_eq!(
        app.audit_count("training_event", &id),
        2,
        "created once, deleted once"
    );
}

#[tokio::test]
async fn racing_first_puts_of_one_commitment_never_fail() {
    let app = spawn_app().await;
    let path = "/api/v1/member-states/ARG/commitments/WP2/12";
    let statuses = burst(&app, Method::PUT, path, None, WRITERS, |i| {
        Some(json!({"status": "in_progress", "actions": format!("step {i}")}))
    })
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 200),
        "the later first writes apply as changes: {statuses:?}"
    );
    let c: Value = app
        .get(path, &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(c["version"], json!(WRITERS), "each write is a version: {c}");
    assert_eq!(
        app.audit_count("commitment", c["id"].as_str().expect("id")),
        WRITERS
    );
}

/// One transaction of the deadlock test: locks `first`, tells the other it did and waits a
/// moment for the other to lock its own first row (only on its first run), then locks `second`.
fn crossing(
    database_url: String,
    first: &'static str,
    second: &'static str,
    ready: std::sync::mpsc::Sender<()>,
    other_ready: std::sync::mpsc::Receiver<()>,
) -> std::thread::JoinHandle<(Result<(), u16>, usize)> {
    std::thread::spawn(move || {
        use diesel::RunQueryDsl;
        let url = palermo::db::DatabaseUrl::parse(&database_url).expect("url");
        let mut conn = url.connect().expect("connect");
        let touch = |conn: &mut palermo::db::AnyConnection, code: &str| {
            diesel::sql_query(format!(
                "UPDATE member_states SET updated_at = updated_at WHERE code = '{code}'"
            ))
            .execute(conn)
        };
        let mut runs = 0;
        let result = palermo::db::pool::write_transaction(&mut conn, |conn| {
            runs += 1;
            touch(conn, first)?;
            if runs == 1 {
                let _ = ready.send(());
                let _ = other_ready.recv_timeout(std::time::Duration::from_millis(500));
            }
            touch(conn, second)?;
            Ok::<_, palermo::error::ApiError>(())
        });
        (result.map_err(|e| e.status().as_u16()), runs)
    })
}

#[tokio::test]
async fn a_transaction_chosen_as_deadlock_victim_is_run_again_and_both_commit() {
    let app = spawn_app().await;
    let (a_ready, a_signal) = std::sync::mpsc::channel();
    let (b_ready, b_signal) = std::sync::mpsc::channel();
    let a = crossing(app.database_url.clone(), "ARG", "BRA", a_ready, b_signal);
    let b = crossing(app.database_url.clone(), "BRA", "ARG", b_ready, a_signal);
    let (a, b) = (a.join().expect("a"), b.join().expect("b"));
    assert_eq!((a.0, b.0), (Ok(()), Ok(())), "both transactions commit");
    // PostgreSQL aborts one of the two crossing transactions (after `deadlock_timeout`), and it is
    // run again; SQLite's BEGIN IMMEDIATE makes the second wait for the first, so neither fails.
    let expected_runs = if postgres_base_url().is_some() { 3 } else { 2 };
    assert_eq!(
        a.1 + b.1,
        expected_runs,
        "runs of a: {}, of b: {}",
        a.1,
        b.1
    );
}
