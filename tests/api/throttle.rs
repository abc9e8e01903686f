//! Sign-in throttling under attack: concurrent sprays, restarts, several instances, proxies.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// Resident memory of this test process (the servers run in it), in MiB.
pub fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

async fn sign_in_from(app: &TestApp, user: &str, password: &str, forwarded: &str) -> StatusCode {
    app.request(Method::POST, "/api/v1/auth/token", None)
        .header("x-forwarded-for", forwarded)
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .expect("request")
        .status()
}

#[tokio::test]
async fn sixty_concurrent_wrong_passwords_check_at_most_five_and_memory_stays_small() {
    let app = spawn_app().await;
    app.create_user("sprayed", "viewer", None).await;
    let before = rss_mib();
    let app = &app;
    let statuses = join_all((0..60).map(|i| async move {
        app.try_sign_in("sprayed", &format!("guess number {i}"))
            .await
            .status()
    }))
    .await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| matches!(s.as_u16(), 429 | 503))
        .count();
    let growth = rss_mib().saturating_sub(before);
    eprintln!("spray: {checked} of 60 checked, {refused} refused, RSS +{growth} MiB");
    assert!(
        checked <= 5,
        "{checked} passwords were checked: {statuses:?}"
    );
    assert_eq!(checked + refused, 60, "{statuses:?}");
    assert!(growth < 200, "RSS grew by {growth} MiB");
    // The right password is refused too while the window lasts.
    assert_problem(app.try_sign_in("sprayed", PASSWORD).await, 429).await;
}

#[tokio::test]
async fn the_throttle_holds_across_a_restart_and_a_second_instance() {
    let app = spawn_app().await;
    app.create_user("restarted", "viewer", None).await;
    for _ in 0..5 {
        assert_problem(app.try_sign_in("restarted", "wrong passphrase").await, 401).await;
    }
    // A new server on the same database: what a restart or a second replica sees.
    let twin = app.twin();
    let res = app
        .client
        .post(format!("{twin}/api/v1/auth/token"))
        .json(&json!({"username": "restarted", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429).await;
    // Other users are not affected, and their success leaves the address budget as it was.
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn an_address_spraying_usernames_is_throttled_whatever_it_forwards_unless_proxied() {
    let app = spawn_app().await;
    for i in 0..20 {
        let status = sign_in_from(
            &app,
            &format!("user{i}"),
            "wrong passphrase",
            &format!("198.51.100.{i}"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // X-Forwarded-For from an untrusted peer is ignored: the socket's address is spent.
    let status = sign_in_from(&app, "fresh-name", "wrong passphrase", "192.0.2.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = spawn_app_with(|s| s.trusted_proxies = Some("127.0.0.0/8, ::1".into())).await;
    for i in 0..20 {
        let status =
            sign_in_from(&app, &format!("user{i}"), "wrong passphrase", "203.0.113.7").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let spent = sign_in_from(&app, "another", "wrong passphrase", "203.0.113.7").await;
    assert_eq!(spent, StatusCode::TOO_MANY_REQUESTS);
    // A spoofed left-most hop does not help: the proxy appended the real client on the right.
    let spoofed = sign_in_from(&app, "another", "wrong passphrase", "10.9.9.9, 203.0.113.7").await;
    assert_eq!(spoofed, StatusCode::TOO_MANY_REQUESTS);
    let other = sign_in_from(&app, "another", "wrong passphrase", "203.0.113.8").await;
    assert_eq!(other, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_control_character_in_the_username_is_a_422_naming_it() {
    let app = spawn_app().await;
    let body = assert_problem(app.try_sign_in("a\u{0}b", "whatever passphrase").await, 422).await;
    assert_eq!(fields(&body), vec!["/username"]);
}

#[tokio::test]
async fn a_spray_split_over_two_instances_checks_at_most_five() {
    let app = spawn_app().await;
    app.create_user("split", "viewer", None).await;
    let twin = app.twin();
    let bases = [app.address.clone(), twin];
    let client = &app.client;
    let statuses = join_all((0..60).map(|i| {
        let url = format!("{}/api/v1/auth/token", bases[i % 2]);
        async move {
            client
                .post(url)
                .json(&json!({"username": "split", "password": format!("guess {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }
    }))
    .await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(checked <= 5, "{checked} checked: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| matches!(s.as_u16(), 401 | 429 | 503)),
        "{statuses:?}"
    );
}
