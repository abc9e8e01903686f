//! `/api/v1/webhooks`: subscriptions (admin only, secret shown once), signed deliveries of the
//! change feed with the resource as it was at the event, retries with the same `webhook-id`,
//! the delivery log and redelivery, SSRF refusal, and each event delivered once by two
//! instances on one database.

use std::collections::HashSet;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use palermo::config::Settings;
use palermo::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::*;
use crate::webhook_receiver::{Received, Receiver};

const HOOKS: &str = "/api/v1/webhooks";
const EVENTS: &str = "/api/v1/training-events";

/// Fast worker settings, private targets allowed (the receiver is on loopback).
fn fast(s: &mut Settings) {
    s.webhooks.allow_private = true;
    s.webhooks.retry_base_ms = 100;
    s.webhooks.poll_ms = 20;
}

async fn spawn_fast() -> TestApp {
    spawn_app_with(fast).await
}

/// A regional training event titled `title` (Secretariat data, so the admin writes it).
fn event(title: &str) -> Value {
    json!({
        "organizer": "Secretaría General de la OEA",
        "title": title,
        "start_date": "2026-01-10",
        "end_date": "2026-01-12",
        "modality": "virtual",
        "audiences": ["police"],
        "guidelines": []
    })
}

/// Subscribes `url` to training events; returns the create's answer.
async fn subscribe(app: &TestApp, url: &str) -> Value {
    let res = app
        .send_json(
            Method::POST,
            HOOKS,
            Some(&app.admin_token),
            &json!({"url": url, "events": ["training_event"], "description": "test receiver"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.expect("json")
}

async fn create_event(app: &TestApp, base: &str, title: &str) -> Value {
    let res = app
        .client
        .post(format!("{base}{EVENTS}"))
        .bearer_auth(&app.admin_token)
        .json(&event(title))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.expect("json")
}

/// Verifies a request's Standard Webhooks signature with `secret`, independently of palermo.
fn assert_signed(r: &Received, secret: &str) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("prefix"))
        .expect("base64 secret");
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("key");
    mac.update(
        format!(
            "{}.{}.",
            r.header("webhook-id"),
            r.header("webhook-timestamp")
        )
        .as_bytes(),
    );
    mac.update(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(r.header("webhook-signature"), expected, "signature");
    assert!(r.header("webhook-timestamp").parse::<i64>().is_ok());
    assert_eq!(r.header("content-type"), "application/json");
}

/// The delivery log of a subscription (`query` appended).
async fn deliveries(app: &TestApp, hook: &str, query: &str) -> Vec<Value> {
    let res = app
        .get(
            &format!("{HOOKS}/{hook}/deliveries{query}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

/// Asks for a delivery to be sent again.
async fn redeliver(app: &TestApp, hook: &str, delivery: &str) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("{HOOKS}/{hook}/deliveries/{delivery}/redeliver"),
        Some(&app.admin_token),
    )
    .send()
    .await
    .unwrap()
}

/// Waits until the log has `n` deliveries matching `done` (bounded, so a broken worker fails).
async fn wait_log(
    app: &TestApp,
    hook: &str,
    n: usize,
    done: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    for _ in 0..1200 {
        let items = deliveries(app, hook, "?limit=1000").await;
        if items.iter().filter(|d| done(d)).count() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery log never had {n} matching deliveries");
}

#[tokio::test]
async fn a_subscriber_that_fails_first_gets_the_event_again_with_the_same_id_and_signature() {
    let app = spawn_fast().await;
    let receiver = Receiver::start(|n| if n == 0 { 500 } else { 204 }).await;
    let hook = subscribe(&app, &receiver.url).await;
    let (hook_id, secret) = (
        hook["id"].as_str().unwrap(),
        hook["secret"].as_str().unwrap(),
    );
    let created = create_event(&app, &app.address, "Identificación de víctimas").await;

    let got = receiver.wait_for(2).await;
    let (first, second) = (&got[0], &got[1]);
    assert_eq!(first.header("webhook-id"), second.header("webhook-id"));
    assert!(!first.header("webhook-id").is_empty());
    assert_signed(first, secret);
    assert_signed(second, secret);
    assert_eq!(first.body, second.body, "the same payload on retry");
    let body = second.json();
    assert_eq!(body["type"], "training_event.create");
    assert_eq!(body["data"]["resource_type"], "training_event");
    assert_eq!(body["data"]["action"], "create");
    assert_eq!(body["data"]["resource_id"], created["id"]);
    assert_eq!(
        body["data"]["resource"]["title"],
        "Identificación de víctimas"
    );
    assert_eq!(
        body["data"]["resource_url"],
        format!(
            "/api/v1/training-events/{}",
            created["id"].as_str().unwrap()
        )
    );
    assert!(body["data"]["sequence"].as_i64().unwrap() > 0);
    assert!(body["timestamp"].is_string() && body["data"]["changed_at"].is_string());

    // The log shows the success after two attempts; the status filter selects it.
    let log = wait_log(&app, hook_id, 1, |d| d["status"] == "succeeded").await;
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!(d["id"], first.header("webhook-id"));
    assert_eq!(d["attempts"], 2);
    assert_eq!(d["last_status_code"], 204);
    assert_eq!(d["type"], "training_event.create");
    assert_eq!(d["payload"], body);
    assert_eq!(
        deliveries(&app, hook_id, "?status=succeeded").await.len(),
        1
    );
    assert!(deliveries(&app, hook_id, "?status=failed").await.is_empty());
    assert!(deliveries(&app, hook_id, "?status=pending")
        .await
        .is_empty());
    let res = app
        .get(
            &format!("{HOOKS}/{hook_id}/deliveries?status=lost"),
            &app.admin_token,
        )
        .await;
    assert!(fields(&assert_problem(res, 422).await).contains(&"status".to_string()));
    // updated_since: deliveries created or attempted since then; a malformed one is a 422.
    let created_at = d["created_at"].as_str().expect("created_at").to_string();
    let since = |t: &str| format!("?updated_since={}", t.replace('+', "%2B"));
    assert_eq!(
        deliveries(&app, hook_id, &since(&created_at)).await.len(),
        1
    );
    assert!(deliveries(&app, hook_id, &since("2999-01-01T00:00:00Z"))
        .await
        .is_empty());
    let res = app
        .get(
            &format!("{HOOKS}/{hook_id}/deliveries?updated_since="),
            &app.admin_token,
        )
        .await;
    assert!(fields(&assert_problem(res, 422).await).contains(&"updated_since".to_string()));

    // Redelivery sends the same payload with the same webhook-id again.
    let res = redeliver(&app, hook_id, d["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let again = receiver.wait_for(3).await;
    assert_eq!(again[2].header("webhook-id"), first.header("webhook-id"));
    assert_eq!(again[2].body, first.body);
    assert_signed(&again[2], secret);
    let res = app
        .request(
            Method::POST,
            &format!("{HOOKS}/{hook_id}/deliveries/0193a0b5-0000-7000-8000-000000000000/redeliver"),
            Some(&app.admin_token),
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
}

#[tokio::test]
async fn the_payload_is_the_resource_as_it_was_at_the_event() {
    let app = spawn_fast().await;
    // The create's first attempt fails, so its retry is sent after the update below.
    let receiver = Receiver::start(|n| if n == 0 { 500 } else { 204 }).await;
    subscribe(&app, &receiver.url).await;
    let created = create_event(&app, &app.address, "Primera versión").await;
    let first = receiver.wait_for(1).await.remove(0);
    let location = format!("{EVENTS}/{}", created["id"].as_str().unwrap());
    let res = app
        .send_json(
            Method::PATCH,
            &location,
            Some(&app.admin_token),
            &json!({"title": "Segunda versión"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let got = receiver.wait_for(3).await;
    let create_id = first.header("webhook-id");
    let retried: Vec<&Received> = got
        .iter()
        .filter(|r| r.header("webhook-id") == create_id)
        .collect();
    assert!(retried.len() >= 2, "the create was retried");
    for r in retried {
        assert_eq!(r.json()["data"]["resource"]["title"], "Primera versión");
    }
    let update = got
        .iter()
        .find(|r| r.json()["type"] == "training_event.update")
        .expect("the update was delivered");
    assert_eq!(
        update.json()["data"]["resource"]["title"],
        "Segunda versión"
    );

    // A deletion carries the resource as it was before it.
    let res = app
        .request(Method::DELETE, &location, Some(&app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let got = receiver.wait_for(4).await;
    let deleted = got
        .iter()
        .find(|r| r.json()["type"] == "training_event.delete")
        .expect("the deletion was delivered");
    assert_eq!(
        deleted.json()["data"]["resource"]["title"],
        "Segunda versión"
    );
    assert!(deleted.json()["data"]["resource"]["deleted_at"].is_null());
}

#[tokio::test]
async fn the_secret_is_shown_once_and_never_again() {
    let app = spawn_fast().await;
    let created = subscribe(&app, "https://hooks.example.org/palermo").await;
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let key = STANDARD.decode(&secret["whsec_".len()..]).unwrap();
    assert!(key.len() >= 24);
    let id = created["id"].as_str().unwrap();
    let path = format!("{HOOKS}/{id}");

    let res = app.get(&path, &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let shown = res.text().await.unwrap();
    assert!(
        !shown.contains(&secret) && !shown.contains("\"secret\""),
        "{shown}"
    );
    let res = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", &etag)
        .json(&json!({"description": "renamed", "events": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["description"], "renamed");
    assert_eq!(patched["events"], json!([]));
    assert!(patched.get("secret").is_none());
    for read in [
        HOOKS.to_string(),
        format!("{HOOKS}?format=csv"),
        format!("{path}/history"),
        "/api/v1/changes?limit=1000".to_string(),
    ] {
        let text = app.get(&read, &app.admin_token).await.text().await.unwrap();
        assert!(!text.contains(&secret), "{read} shows the secret");
    }

    // A given secret is used as given; a malformed one is refused, naming it.
    let mine = format!("whsec_{}", STANDARD.encode([7u8; 32]));
    let res = app
        .send_json(
            Method::POST,
            HOOKS,
            Some(&app.admin_token),
            &json!({"url": "https://hooks.example.org/b", "secret": mine}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["secret"], mine);
    for (body, field) in [
        (
            json!({"url": "https://hooks.example.org/c", "secret": "whsec_c2hvcnQ="}),
            "/secret",
        ),
        (
            json!({"url": "https://hooks.example.org/c", "events": ["bogus"]}),
            "/events/0",
        ),
        (json!({"url": "ftp://hooks.example.org/c"}), "/url"),
        (json!({"url": "not a url"}), "/url"),
    ] {
        let res = app
            .send_json(Method::POST, HOOKS, Some(&app.admin_token), &body)
            .await;
        let problem = assert_problem(res, 422).await;
        assert!(fields(&problem).contains(&field.to_string()), "{problem}");
    }

    // Deleted: gone from reads, kept as a tombstone.
    let res = app
        .request(Method::DELETE, &path, Some(&app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&path, &app.admin_token).await, 404).await;
    let log = format!("{path}/deliveries");
    assert_problem(app.get(&log, &app.admin_token).await, 404).await;
}

#[tokio::test]
async fn only_administrators_manage_webhooks() {
    let app = spawn_fast().await;
    let hook = subscribe(&app, "https://hooks.example.org/palermo").await;
    let id = hook["id"].as_str().unwrap();
    let reporter = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    let body = json!({"url": "https://hooks.example.org/x"});
    let calls = [
        (Method::GET, HOOKS.to_string()),
        (Method::POST, HOOKS.to_string()),
        (Method::GET, format!("{HOOKS}/{id}")),
        (Method::PUT, format!("{HOOKS}/{id}")),
        (Method::PATCH, format!("{HOOKS}/{id}")),
        (Method::DELETE, format!("{HOOKS}/{id}")),
        (Method::GET, format!("{HOOKS}/{id}/history")),
        (Method::GET, format!("{HOOKS}/{id}/deliveries")),
        (
            Method::POST,
            format!("{HOOKS}/{id}/deliveries/0193a0b5-0000-7000-8000-000000000000/redeliver"),
        ),
    ];
    for (method, path) in &calls {
        for token in [&reporter, &viewer] {
            let res = app
                .send_json(method.clone(), path, Some(token), &body)
                .await;
            assert_problem(res, 403).await;
        }
        let res = app.send_json(method.clone(), path, None, &body).await;
        assert_problem(res, 401).await;
    }
    // Webhook changes stay out of the feed non-administrators read.
    let feed: Value = app
        .get("/api/v1/changes?limit=1000", &viewer)
        .await
        .json()
        .await
        .unwrap();
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["resource_type"] != "webhook"));
}

#[tokio::test]
async fn loopback_targets_are_refused_unless_private_targets_are_allowed() {
    let app = spawn_app_with(|s| {
        s.webhooks.retry_base_ms = 100;
        s.webhooks.poll_ms = 20;
    })
    .await;
    let receiver = Receiver::start(|_| 204).await;
    for url in [
        receiver.url.clone(),
        format!("http://localhost:{}/hooks", receiver.port),
        "http://[::1]/hooks".to_string(),
        "http://169.254.169.254/latest/meta-data".to_string(),
        "http://10.0.0.8/hooks".to_string(),
    ] {
        let res = app
            .send_json(
                Method::POST,
                HOOKS,
                Some(&app.admin_token),
                &json!({"url": url}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["/url".to_string()],
            "{url}: {problem}"
        );
    }

    // A name is checked again after resolution at delivery time: a subscription whose host
    // resolves to loopback (stored behind the API's back, as DNS rebinding would make it)
    // gets nothing delivered.
    let hook = subscribe(&app, "https://hooks.example.org/palermo").await;
    let hook_id = hook["id"].as_str().unwrap();
    set_url(
        &app,
        hook_id,
        &format!("http://localhost:{}/hooks", receiver.port),
    );
    create_event(&app, &app.address, "Nunca entregado").await;
    let log = wait_log(&app, hook_id, 1, |d| d["attempts"].as_i64() >= Some(1)).await;
    let error = log[0]["last_error"].as_str().unwrap_or("");
    assert!(
        error.contains("refused") || error.contains("no address"),
        "{error}"
    );
    assert!(log[0]["last_status_code"].is_null());
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

/// Changes a subscription's URL straight in the database.
fn set_url(app: &TestApp, id: &str, url: &str) {
    use diesel::prelude::*;
    use palermo::db::schema::webhooks;
    let mut conn = palermo::db::DatabaseUrl::parse(&app.database_url)
        .unwrap()
        .connect()
        .unwrap();
    diesel::update(webhooks::table.filter(webhooks::id.eq(id)))
        .set(webhooks::url.eq(url))
        .execute(&mut conn)
        .unwrap();
}

/// Two servers on one database (on SQLite, one file; on PostgreSQL, one database), both running
/// the worker: every event reaches a subscriber that answers 204 exactly once.
#[tokio::test]
async fn two_instances_deliver_each_event_exactly_once() {
    const N: usize = 24;
    let app = spawn_fast().await;
    let mut settings = test_settings(&app.database_url);
    fast(&mut settings);
    let twin = Application::build(settings).expect("twin builds");
    let twin_address = format!("http://127.0.0.1:{}", twin.port());
    tokio::spawn(twin.run_until_stopped());

    let receiver = Receiver::start(|_| 204).await;
    let hook = subscribe(&app, &receiver.url).await;
    let hook_id = hook["id"].as_str().unwrap();
    let mut writers = Vec::new();
    for base in [app.address.clone(), twin_address.clone()] {
        let (client, token) = (app.client.clone(), app.admin_token.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..N / 2 {
                let res = client
                    .post(format!("{base}{EVENTS}"))
                    .bearer_auth(&token)
                    .json(&event(&format!("Evento {i} de {base}")))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status(), StatusCode::CREATED);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    wait_log(&app, hook_id, N, |d| d["status"] == "succeeded").await;
    // Every delivery is recorded as succeeded, so none can be claimed again; give an attempt
    // that might have raced a moment to arrive before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = receiver.received();
    let ids: HashSet<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    let sequences: HashSet<i64> = got
        .iter()
        .map(|r| r.json()["data"]["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), N, "one delivery per event");
    assert_eq!(sequences.len(), N, "every event delivered");
    assert_eq!(got.len(), N, "each delivered once");
    let log = deliveries(&app, hook_id, "?limit=1000").await;
    assert!(
        log.iter().all(|d| d["attempts"] == 1),
        "no delivery was attempted twice"
    );
}

/// A refused connection is retried on the backoff schedule (here with a 1 ms base), then the
/// delivery is `failed`; a redelivery puts it back in the queue with a fresh schedule.
#[tokio::test]
async fn a_refused_connection_is_retried_until_the_schedule_is_spent_then_failed() {
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.retry_base_ms = 1;
    })
    .await;
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hook = subscribe(&app, &format!("http://127.0.0.1:{port}/hooks")).await;
    let hook_id = hook["id"].as_str().unwrap();
    create_event(&app, &app.address, "Sin receptor").await;

    let log = wait_log(&app, hook_id, 1, |d| d["status"] == "failed").await;
    let d = &log[0];
    assert_eq!(d["attempts"], 8, "the first attempt and 7 retries: {d}");
    assert!(d["last_status_code"].is_null());
    assert!(d["next_attempt_at"].is_null());
    let error = d["last_error"].as_str().unwrap().to_lowercase();
    assert!(error.contains("refused"), "{error}");
    assert_eq!(deliveries(&app, hook_id, "?status=failed").await.len(), 1);

    let res = redeliver(&app, hook_id, d["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let requeued: Value = res.json().await.unwrap();
    assert_eq!(requeued["status"], "pending");
    assert_eq!(requeued["attempts"], 0);
    assert_eq!(requeued["id"], d["id"]);
    assert_eq!(requeued["payload"], d["payload"]);
}
