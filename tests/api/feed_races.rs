//! A follower of `/api/v1/changes` while writers commit concurrently sees every event exactly once,
//! in order. On PostgreSQL event ids came from the sequence at insert time and transactions
//! committed out of order, so a follower could read id 11 while id 10 was still in flight and move
//! its cursor past it for good; events now take their ids under the feed lock, in commit order.
//! Every page, the last included, carries the cursor to poll from.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const WRITES: usize = 30;
const MAX_POLLS: usize = 20_000;

/// One writer: `WRITES` requests in turn, each `(method, path, body)` from `step(i)`; returns the
/// statuses.
fn writer(
    app: &TestApp,
    address: &str,
    step: impl Fn(usize) -> (Method, String, Value) + Send + 'static,
) -> tokio::task::JoinHandle<Vec<u16>> {
    let (client, address, token) = (
        app.client.clone(),
        address.to_string(),
        app.admin_token.clone(),
    );
    tokio::spawn(async move {
        let mut statuses = Vec::new();
        for i in 0..WRITES {
            let (method, path, body) = step(i);
            let res = client
                .request(method, format!("{address}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("request");
            statuses.push(res.status().as_u16());
        }
        statuses
    })
}

/// One page of the feed after `after`: its sequences and its `next_cursor`.
async fn page(app: &TestApp, after: Option<&str>, limit: usize) -> (Vec<i64>, Option<String>) {
    let q = after.map(|c| format!("&after={c}")).unwrap_or_default();
    let res = app
        .get(
            &format!("/api/v1/changes?limit={limit}{q}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    let seqs = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["sequence"].as_i64().expect("sequence"))
        .collect();
    (seqs, body["next_cursor"].as_str().map(str::to_string))
}

async fn authority(app: &TestApp, state: &str) -> String {
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/national-authorities",
            Some(&app.admin_token),
            &json!({"member_state": state, "role": "focal_point", "institution": "Ministerio"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.expect("json");
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_follower_of_the_feed_sees_every_event_once_in_order_while_writers_commit() {
    let app = spawn_app().await;
    let authorities = [authority(&app, "ARG").await, authority(&app, "BRA").await];
    // Half the writers go to a second server on the same database, as to a second process.
    let servers = [app.address.clone(), app.twin()];
    let mut writers = Vec::new();
    for (w, state) in ["ARG", "BRA"].into_iter().enumerate() {
        writers.push(writer(&app, &servers[w], move |i| {
            let guideline = 1 + (i % 8);
            (
                Method::PUT,
                format!("/api/v1/member-states/{state}/commitments/WP2/{guideline}"),
                json!({"status": "in_progress", "actions": format!("writer {w}, step {i}")}),
            )
        }));
    }
    for (w, id) in authorities.iter().cloned().enumerate() {
        writers.push(writer(&app, &servers[1 - w], move |i| {
            (
                Method::PATCH,
                format!("/api/v1/national-authorities/{id}"),
                json!({"notes": format!("writer {w}, step {i}")}),
            )
        }));
    }

    // The follower: polls with its cursor until the writers are done and a poll after that
    // brings nothing new.
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut polls = 0;
    loop {
        polls += 1;
        assert!(polls < MAX_POLLS, "the follower keeps finding events");
        let writers_done = writers.iter().all(|w| w.is_finished());
        let (seqs, next) = page(&app, cursor.as_deref(), 7).await;
        let next = next.expect("every page, the last included, carries a cursor");
        let empty = seqs.is_empty();
        seen.extend(seqs);
        cursor = Some(next);
        if empty {
            if writers_done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let mut statuses = Vec::new();
    for w in writers {
        statuses.extend(w.await.expect("writer"));
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "every write applies: {statuses:?}"
    );

    // The full read, in pages.
    let mut full: Vec<i64> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (seqs, next) = page(&app, after.as_deref(), 1000).await;
        if seqs.is_empty() {
            break;
        }
        full.extend(seqs);
        after = next;
    }
    let missed: Vec<&i64> = full.iter().filter(|s| !seen.contains(s)).collect();
    assert!(missed.is_empty(), "the follower missed {missed:?}");
    assert_eq!(seen, full, "exactly the feed's events, in order, once each");
    let writes = 4 * WRITES + authorities.len();
    let audited = app.audit_count("national_authority", &authorities[0])
        + app.audit_count("national_authority", &authorities[1]);
    assert_eq!(audited, 2 + 2 * WRITES, "each PATCH is one event");
    assert!(
        full.len() >= writes,
        "{} events for {writes} writes",
        full.len()
    );

    // From the tail, the cursor resumes where it stopped: nothing again, then the next event.
    let tail = cursor.expect("cursor");
    let (seqs, again) = page(&app, Some(&tail), 7).await;
    assert!(seqs.is_empty(), "nothing new: {seqs:?}");
    assert_eq!(
        again.as_deref(),
        Some(tail.as_str()),
        "an empty page keeps the cursor"
    );
    authority(&app, "CHL").await;
    let (seqs, _) = page(&app, Some(&tail), 7).await;
    assert_eq!(seqs.len(), 1, "the one new event: {seqs:?}");
    assert!(seqs[0] > *full.last().expect("events"));
}
