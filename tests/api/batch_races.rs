//! Batches racing on the same natural keys, with real concurrent clients: every change applies in
//! turn as a new version with its own audit entry whose `before` is the version it replaced, and
//! batches creating the same new keys all succeed, one creating each key and the others updating
//! it. On PostgreSQL the import read the stored rows without locks (lost updates, repeated
//! `before`s) and bulk-inserted keys another batch had just created (409 for the whole batch).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::helpers::*;

const BATCH: &str = "/api/v1/indicator-values/batch";
const BATCHES: usize = 4;

/// 12 years x 4 sexes x 3 age groups of ARG: 144 keys, each valued `base + its position`.
fn table(years: std::ops::Range<i32>, base: u64) -> Vec<Value> {
    let mut out = Vec::new();
    for year in years {
        for sex in ["female", "male", "other", "unknown"] {
            for age in ["child", "adult", "unknown"] {
                out.push(
                    json!({"member_state": "ARG", "indicator": "VICTIMS_DETECTED",
                    "period": year.to_string(), "disaggregation": {"sex": sex, "age_group": age},
                    "value": base + out.len() as u64}),
                );
            }
        }
    }
    out
}

/// Sends the batches at once; returns each one's status and summary, in sending order.
/// Sends the batches at once, alternately to this app's server and to a twin server on the same
/// database (as two palermo processes behind a load balancer).
async fn race(app: &TestApp, batches: Vec<Vec<Value>>) -> Vec<(u16, Value)> {
    let servers = [app.address.clone(), app.twin()];
    let tasks: Vec<_> = batches
        .into_iter()
        .enumerate()
        .map(|(i, values)| {
            let rb = app
                .client
                .post(format!("{}{BATCH}", servers[i % 2]))
                .bearer_auth(&app.admin_token)
                .json(&json!({ "values": values }));
            tokio::spawn(async move {
                let res = rb.send().await.expect("request");
                let status = res.status().as_u16();
                (status, res.json().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

fn total(summaries: &[(u16, Value)], key: &str) -> u64 {
    summaries
        .iter()
        .map(|(_, s)| s[key].as_u64().unwrap_or(0))
        .sum()
}

/// Stored version of each value, by id.
async fn versions(app: &TestApp) -> BTreeMap<String, i64> {
    let body: Value = app
        .get(
            "/api/v1/indicator-values?limit=1000&indicator=VICTIMS_DETECTED",
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| {
            (
                v["id"].as_str().expect("id").to_string(),
                v["version"].as_i64().expect("version"),
            )
        })
        .collect()
}

/// Per value id, from the batches' audit events: how often it was created, and the `before`
/// version of each of its updates.
fn audited(app: &TestApp) -> BTreeMap<String, (usize, Vec<i64>)> {
    let url = palermo::db::DatabaseUrl::parse(&app.database_url).expect("url");
    let mut conn = url.connect().expect("connect");
    let events =
        palermo::models::audit_event::AuditEventRow::of_type(&mut conn, "indicator_value_batch")
            .expect("audit");
    let mut out: BTreeMap<String, (usize, Vec<i64>)> = BTreeMap::new();
    for e in events {
        let after: Value =
            serde_json::from_str(e.after.as_ref().map_or("null", |a| a.get())).expect("json");
        for id in after["created"].as_array().expect("created") {
            out.entry(id.as_str().expect("id").to_string())
                .or_default()
                .0 += 1;
        }
        for u in after["updated"].as_array().expect("updated") {
            let (before, after) = (&u["before"], &u["after"]);
            assert_eq!(before["id"], after["id"], "{u}");
            assert_eq!(
                before["version"].as_i64().map(|v| v + 1),
                after["version"].as_i64(),
                "{u}"
            );
            let entry = out
                .entry(before["id"].as_str().expect("id").to_string())
                .or_default();
            entry.1.push(before["version"].as_i64().expect("version"));
        }
    }
    out
}

/// Every stored value has one audit entry per version: created once, then updated from each of
/// its earlier versions exactly once.
fn assert_every_version_audited_once(stored: &BTreeMap<String, i64>, app: &TestApp) {
    let audit = audited(app);
    assert_eq!(
        audit.keys().collect::<Vec<_>>(),
        stored.keys().collect::<Vec<_>>(),
        "audited values are the stored ones"
    );
    for (id, version) in stored {
        let (created, befores) = &audit[id];
        assert_eq!(*created, 1, "{id} created once");
        let befores: BTreeSet<i64> = befores.iter().copied().collect();
        assert_eq!(
            befores,
            (1..*version).collect::<BTreeSet<_>>(),
            "{id} at version {version}: each update replaced a distinct earlier version"
        );
    }
}

#[tokio::test]
async fn racing_batches_over_the_same_stored_keys_each_apply_every_change() {
    let app = spawn_app().await;
    let (status, _) = race(&app, vec![table(2010..2022, 1)]).await[0].clone();
    assert_eq!(status, 200);
    let batches = (0..BATCHES)
        .map(|b| table(2010..2022, 1000 * (b as u64 + 1)))
        .collect();
    let summaries = race(&app, batches).await;
    for (status, s) in &summaries {
        assert_eq!((*status, s["updated"].as_u64()), (200, Some(144)), "{s}");
    }
    let stored = versions(&app).await;
    assert_eq!(stored.len(), 144);
    assert!(
        stored.values().all(|v| *v == 1 + BATCHES as i64),
        "every batch made a version of every key: {stored:?}"
    );
    assert_every_version_audited_once(&stored, &app);
}

#[tokio::test]
async fn racing_batches_creating_the_same_new_keys_all_succeed() {
    let app = spawn_app().await;
    let batches = (0..BATCHES)
        .map(|b| table(2010..2022, 1000 * (b as u64 + 1)))
        .collect();
    let summaries = race(&app, batches).await;
    assert!(
        summaries.iter().all(|(status, _)| *status == 200),
        "no batch fails: {summaries:?}"
    );
    assert_eq!(total(&summaries, "created"), 144, "each key created once");
    assert_eq!(total(&summaries, "updated"), 144 * (BATCHES as u64 - 1));
    let stored = versions(&app).await;
    assert_eq!(stored.len(), 144, "each key stored once");
    assert!(stored.values().all(|v| *v == BATCHES as i64), "{stored:?}");
    assert_every_version_audited_once(&stored, &app);
}

#[tokio::test]
async fn racing_batches_over_overlapping_stored_and_new_keys_all_apply() {
    let app = spawn_app().await;
    // 2010-2015 stored; batch b covers 2010+2b .. 2022+2b: stored keys, and new keys the others
    // create too, in an order that differs from batch to batch.
    let (status, _) = race(&app, vec![table(2010..2016, 1)]).await[0].clone();
    assert_eq!(status, 200);
    let span = |b: usize| (2010 + 2 * b as i32)..(2022 + 2 * b as i32);
    let mut batches: Vec<Vec<Value>> = (0..BATCHES)
        .map(|b| table(span(b), 1000 * (b as u64 + 1)))
        .collect();
    batches[1].reverse();
    let summaries = race(&app, batches).await;
    assert!(
        summaries.iter().all(|(status, _)| *status == 200),
        "no batch fails: {summaries:?}"
    );
    let years: BTreeSet<i32> = (0..BATCHES).flat_map(span).collect();
    let created_here = 12 * years.iter().filter(|y| **y >= 2016).count() as u64;
    assert_eq!(total(&summaries, "created"), created_here);
    let stored = versions(&app).await;
    assert_eq!(stored.len(), 12 * years.len());
    // A year's keys: version 1 if stored before, plus one per batch covering it.
    let body: Value = app
        .get(
            "/api/v1/indicator-values?limit=1000&indicator=VICTIMS_DETECTED",
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    for v in body["items"].as_array().expect("items") {
        let year: i32 = v["period"].as_str().expect("period").parse().expect("year");
        let covering = (0..BATCHES).filter(|b| span(*b).contains(&year)).count() as i64;
        let expected = covering + i64::from(year < 2016);
        assert_eq!(v["version"].as_i64(), Some(expected), "{v}");
    }
    assert_eq!(
        total(&summaries, "created") + total(&summaries, "updated"),
        stored.values().map(|v| *v as u64).sum::<u64>() - 72,
        "every change counted once"
    );
    assert_every_version_audited_once(&stored, &app);
}
