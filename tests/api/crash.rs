//! Crash safety of the batch import: the real binary, killed with SIGKILL while batches are in
//! flight, restarts with every acknowledged batch fully present and every other batch either
//! fully present or fully absent.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use palermo::db::DatabaseUrl;
use palermo::models::indicator_value::{Filter, IndicatorValueRow};
use serde_json::{json, Value};

use crate::helpers::*;

const PER_BATCH: usize = 1000;
const BATCHES: usize = 10;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database_url: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_palermo"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("PALERMO_BIND", format!("127.0.0.1:{port}"))
        .env("PALERMO_ADMIN_USERNAME", ADMIN)
        .env("PALERMO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PALERMO_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("palermo binary starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = client
            .get(format!("{}/health/ready", server.base))
            .send()
            .await
        {
            if res.status().is_success() {
                return server;
            }
        }
        assert!(Instant::now() < deadline, "server did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Batch `k`: PER_BATCH values in one year of its own, so it can be counted afterwards.
fn batch(k: usize) -> (String, Value) {
    let year = (1990 + k).to_string();
    let mut values = Vec::with_capacity(PER_BATCH);
    'outer: for state in ["ARG", "BRA", "CAN"] {
        for sex in ["female", "male", "other", "unknown"] {
            for age in ["child", "adult", "unknown"] {
                for form in [
                    "sexual_exploitation",
                    "forced_labour",
                    "domestic_servitude",
                    "forced_marriage",
                    "forced_criminality",
                    "begging",
                    "organ_removal",
                    "illegal_adoption",
                    "child_soldiers",
                    "mixed",
                    "other",
                    "unknown",
                ] {
                    for cit in ["national", "foreign", "unknown"] {
                        if values.len() == PER_BATCH {
                            break 'outer;
                        }
                        values.push(json!({"member_state": state, "indicator": "VICTIMS_DETECTED", "period": year,
                            "disaggregation": {"sex": sex, "age_group": age, "form_of_exploitation": form, "citizenship": cit},
                            "value": values.len()}));
                    }
                }
            }
        }
    }
    (year, json!({"values": values}))
}

fn stored_in(database_url: &str, year: &str) -> usize {
    let mut conn = DatabaseUrl::parse(database_url)
        .expect("url")
        .connect()
        .expect("connect");
    let f = Filter {
        period_from: Some(year.into()),
        period_to: Some(year.into()),
        ..Default::default()
    };
    IndicatorValueRow::list(&mut conn, &f, None, 10_000)
        .expect("list")
        .len()
}

#[tokio::test]
async fn batches_acknowledged_before_a_sigkill_are_whole_and_no_batch_is_half_written() {
    let dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database_url(&dir);
    let mut server = start(&database_url).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let token: Value = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&json!({"username": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("token");
    let token = token["access_token"].as_str().expect("token").to_string();

    let (ack_tx, mut ack_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut tasks = Vec::new();
    for k in 0..BATCHES {
        let ack_tx = ack_tx.clone();
        let (year, body) = batch(k);
        let (client, url, token) = (
            client.clone(),
            format!("{}/api/v1/indicator-values/batch", server.base),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Stagger the batches so the kill lands while some are committed and others in flight.
            tokio::time::sleep(Duration::from_millis(40 * k as u64)).await;
            let acked = match client.post(url).bearer_auth(token).json(&body).send().await {
                Ok(res) if res.status().is_success() => {
                    res.json::<Value>()
                        .await
                        .ok()
                        .and_then(|s| s["created"].as_u64())
                        == Some(PER_BATCH as u64)
                }
                _ => false,
            };
            if acked {
                let _ = ack_tx.send(());
            }
            (year, acked)
        }));
    }
    // Kill as soon as the first batch is acknowledged, while the others are in flight.
    let first = tokio::time::timeout(Duration::from_secs(120), ack_rx.recv()).await;
    assert!(
        matches!(first, Ok(Some(()))),
        "no batch was acknowledged before the kill"
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("task"));
    }
    drop(server);

    let restarted = start(&database_url).await;
    let mut acked_count = 0;
    for (year, acked) in &outcomes {
        let n = stored_in(&database_url, year);
        if *acked {
            acked_count += 1;
            assert_eq!(
                n, PER_BATCH,
                "acknowledged batch {year} must be fully present"
            );
        } else {
            assert!(
                n == 0 || n == PER_BATCH,
                "unacknowledged batch {year} is half written: {n} values"
            );
        }
    }
    eprintln!("crash test: {acked_count} of {BATCHES} batches acknowledged before the kill");
    assert!(
        acked_count >= 1,
        "the test must see at least one acknowledged batch"
    );
    drop(restarted);
    drop_test_database(&database_url);
}
