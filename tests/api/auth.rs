//! Sign-in, tokens (tampered, expired, foreign, `alg: none`), throttling, revocation, `/me`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn claims(sub: &str, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": "palermo", "aud": "palermo-api", "sub": sub, "iat": now, "exp": now + exp_offset, "role": "admin", "tv": 1})
}

fn sign(alg: Algorithm, secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

async fn admin_id(app: &TestApp) -> String {
    let me: Value = app
        .get("/api/v1/me", &app.admin_token)
        .await
        .json()
        .await
        .expect("me");
    me["id"].as_str().expect("id").to_string()
}

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", token).await.status().as_u16()
}

#[tokio::test]
async fn sign_in_returns_a_bearer_token_that_opens_me() {
    let app = spawn_app().await;
    let res = app.try_sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer", "{body}");
    assert_eq!(body["expires_in"], 3600, "{body}");
    let token = body["access_token"].as_str().expect("token");
    let me: Value = app.get("/api/v1/me", token).await.json().await.expect("me");
    assert_eq!(me["username"], ADMIN, "{me}");
    assert_eq!(me["role"], "admin", "{me}");
    assert!(
        me.get("password_hash").is_none() && !me.to_string().contains("argon2"),
        "secrets leak: {me}"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    let wrong = assert_problem(app.try_sign_in(ADMIN, "not the passphrase!").await, 401).await;
    let unknown = assert_problem(
        app.try_sign_in("nobody-here", "not the passphrase!").await,
        401,
    )
    .await;
    assert_eq!(
        wrong, unknown,
        "the answer must not reveal which usernames exist"
    );
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after_even_for_the_right_password() {
    let app = spawn_app().await;
    for i in 0..5 {
        let res = app.try_sign_in(ADMIN, "wrong passphrase guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app.try_sign_in(ADMIN, ADMIN_PASSWORD).await;
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(
        retry.is_some_and(|s| s > 0 && s <= 901),
        "Retry-After {retry:?}"
    );
    assert_problem(res, 429).await;
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_refused() {
    let app = spawn_app().await;
    let id = admin_id(&app).await;
    let good = sign(Algorithm::HS256, JWT_SECRET, &claims(&id, 600));
    assert_eq!(
        status_with(&app, &good).await,
        200,
        "a well-formed token for the admin must work"
    );

    let mut tampered = app.admin_token.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let expired = sign(Algorithm::HS256, JWT_SECRET, &claims(&id, -3600));
    let mut wrong_aud = claims(&id, 600);
    wrong_aud["aud"] = json!("another-api");
    let mut wrong_iss = claims(&id, 600);
    wrong_iss["iss"] = json!("someone-else");
    let mut no_exp = claims(&id, 600);
    no_exp.as_object_mut().expect("object").remove("exp");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&id, 600).to_string());
    let alg_none = format!("{header}.{payload}.");
    let cases = [
        ("tampered signature", tampered),
        ("expired", expired),
        (
            "wrong audience",
            sign(Algorithm::HS256, JWT_SECRET, &wrong_aud),
        ),
        (
            "wrong issuer",
            sign(Algorithm::HS256, JWT_SECRET, &wrong_iss),
        ),
        ("no exp", sign(Algorithm::HS256, JWT_SECRET, &no_exp)),
        (
            "other secret",
            sign(
                Algorithm::HS256,
                "another secret that is long enough!!",
                &claims(&id, 600),
            ),
        ),
        (
            "HS512 with the right secret",
            sign(Algorithm::HS512, JWT_SECRET, &claims(&id, 600)),
        ),
        ("alg none", alg_none),
        ("garbage", "not.a.jwt".to_string()),
    ];
    for (what, token) in cases {
        let res = app.get("/api/v1/me", &token).await;
        let www = res
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            www.starts_with("Bearer"),
            "{what}: WWW-Authenticate {www:?}"
        );
        assert_problem(res, 401).await;
    }
}

#[tokio::test]
async fn changing_the_password_revokes_old_tokens_and_returns_a_new_one() {
    let app = spawn_app().await;
    let token = app.reporter("ARG").await;
    let me: Value = app
        .get("/api/v1/me", &token)
        .await
        .json()
        .await
        .expect("me");
    assert_eq!(
        (me["role"].as_str(), me["member_state"].as_str()),
        (Some("reporter"), Some("ARG")),
        "{me}"
    );
    let username = me["username"].as_str().expect("username").to_string();

    let body = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let res = app
        .send_json(Method::PUT, "/api/v1/me/password", Some(&token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fresh: Value = res.json().await.expect("json");
    let fresh = fresh["access_token"].as_str().expect("new token");

    assert_eq!(
        status_with(&app, &token).await,
        401,
        "the old token must be revoked"
    );
    assert_eq!(
        status_with(&app, fresh).await,
        200,
        "the new token must work"
    );
    assert_eq!(
        app.try_sign_in(&username, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED,
        "old password"
    );
    app.sign_in(&username, "a brand new passphrase").await;
}

#[tokio::test]
async fn password_change_validates_both_fields() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let res = app
        .send_json(Method::PUT, "/api/v1/me/password", Some(&token), &json!({"current_password": "wrong guess here", "new_password": "a brand new passphrase"}))
        .await;
    assert_eq!(
        fields(&assert_problem(res, 422).await),
        vec!["/current_password"]
    );
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/me/password",
            Some(&token),
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(
        fields(&assert_problem(res, 422).await),
        vec!["/new_password"]
    );
    assert_eq!(
        status_with(&app, &token).await,
        200,
        "a refused change must not revoke tokens"
    );
}

#[tokio::test]
async fn deactivating_a_user_revokes_its_tokens_and_blocks_sign_in() {
    let app = spawn_app().await;
    let id = app.create_user("arg-system", "reporter", Some("ARG")).await;
    let token = app.sign_in("arg-system", PASSWORD).await;
    assert_eq!(status_with(&app, &token).await, 200);
    app.deactivate(&id).await;
    assert_eq!(
        status_with(&app, &token).await,
        401,
        "token of a deactivated user"
    );
    // Lists check the token's user in the same trip to the database as their query.
    for path in [
        "/api/v1/indicator-values?indicator=VICTIMS_DETECTED",
        "/api/v1/member-states",
        "/api/v1/national-authorities",
        "/api/v1/national-authorities.csv",
        "/api/v1/indicator-values?format=csv",
    ] {
        let res = app.get(path, &token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            !res.text().await.expect("body").contains("ARG"),
            "{path}: nothing is read for a refused token"
        );
    }
    assert_eq!(
        app.try_sign_in("arg-system", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bootstrap_admin_from_the_environment_can_sign_in_and_is_audited() {
    let app = spawn_app().await;
    let id = admin_id(&app).await;
    assert_eq!(
        app.audit_count("user", &id),
        1,
        "bootstrap creation must be audited"
    );
}
