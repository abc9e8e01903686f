//! `/api/v1/users`: admin only, validated, versioned, audited.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

async fn user_list(app: &TestApp) -> Vec<String> {
    let body: Value = app
        .get("/api/v1/users?limit=1000", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn admin_creates_reads_lists_and_updates_users() {
    let app = spawn_app().await;
    let body = json!({"username": "bra-system", "password": PASSWORD, "role": "reporter", "member_state": "BRA"});
    let res = app
        .send_json(Method::POST, "/api/v1/users", Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let user: Value = res.json().await.expect("json");
    let id = user["id"].as_str().expect("id");
    assert_eq!(location, format!("/api/v1/users/{id}"));
    assert_eq!(
        (
            user["role"].as_str(),
            user["member_state"].as_str(),
            user["version"].as_i64()
        ),
        (Some("reporter"), Some("BRA"), Some(1))
    );
    assert!(
        !user.to_string().contains("password"),
        "no password in {user}"
    );
    let created_at = user["created_at"].as_str().expect("created_at");
    assert!(
        created_at.ends_with('Z') && created_at.len() == 27,
        "RFC 3339 micros Z: {created_at}"
    );

    let res = app.get(&location, &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("etag").is_some(), "ETag on GET");
    assert!(user_list(&app).await.contains(&"bra-system".to_string()));

    let res = app
        .send_json(
            Method::PATCH,
            &location,
            Some(&app.admin_token),
            &json!({"role": "viewer", "member_state": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(
        (
            updated["role"].as_str(),
            updated["member_state"].as_str(),
            updated["version"].as_i64()
        ),
        (Some("viewer"), None, Some(2))
    );
    assert_eq!(
        app.audit_count("user", id),
        2,
        "create and update are audited"
    );
}

#[tokio::test]
async fn reporters_viewers_and_anonymous_callers_cannot_touch_users() {
    let app = spawn_app().await;
    let target = app.create_user("col-system", "reporter", Some("COL")).await;
    let reporter = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    let new_user = json!({"username": "intruder", "password": PASSWORD, "role": "admin"});
    for (who, token) in [
        ("reporter", Some(reporter.as_str())),
        ("viewer", Some(viewer.as_str())),
        ("anonymous", None),
    ] {
        let expected = if token.is_some() { 403 } else { 401 };
        let calls = [
            app.request(Method::GET, "/api/v1/users", token)
                .send()
                .await,
            app.request(Method::POST, "/api/v1/users", token)
                .json(&new_user)
                .send()
                .await,
            app.request(Method::GET, &format!("/api/v1/users/{target}"), token)
                .send()
                .await,
            app.request(Method::PATCH, &format!("/api/v1/users/{target}"), token)
                .json(&json!({"active": false}))
                .send()
                .await,
        ];
        for (i, res) in calls.into_iter().enumerate() {
            let res = res.expect("request");
            assert_eq!(res.status().as_u16(), expected, "{who}, call {i}");
            assert_problem(res, expected).await;
        }
    }
    assert!(
        !user_list(&app).await.contains(&"intruder".to_string()),
        "no user was created"
    );
    let col: Value = app
        .get(&format!("/api/v1/users/{target}"), &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (col["active"].as_bool(), col["version"].as_i64()),
        (Some(true), Some(1)),
        "target unchanged: {col}"
    );
    assert_eq!(
        app.audit_count("user", &target),
        1,
        "only the creation is audited"
    );
}

#[tokio::test]
async fn user_creation_validates_role_scope_and_password() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"username": "r1-user", "password": PASSWORD, "role": "reporter"}),
            "/member_state",
        ),
        (
            json!({"username": "r2-user", "password": PASSWORD, "role": "reporter", "member_state": "XYZ"}),
            "/member_state",
        ),
        (
            json!({"username": "r3-user", "password": PASSWORD, "role": "reporter", "member_state": "arg"}),
            "/member_state",
        ),
        (
            json!({"username": "v1-user", "password": PASSWORD, "role": "viewer", "member_state": "ARG"}),
            "/member_state",
        ),
        (
            json!({"username": "v2-user", "password": "too short", "role": "viewer"}),
            "/password",
        ),
        (
            json!({"username": "v3-user", "password": PASSWORD, "role": "superuser"}),
            "/role",
        ),
        (
            json!({"username": "a b", "password": PASSWORD, "role": "viewer"}),
            "/username",
        ),
    ];
    for (body, field) in cases {
        let res = app
            .send_json(Method::POST, "/api/v1/users", Some(&app.admin_token), &body)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(fields(&problem), vec![field.to_string()], "for {body}");
    }
    assert_eq!(
        user_list(&app).await,
        vec![ADMIN.to_string()],
        "nothing was created"
    );
}

#[tokio::test]
async fn a_taken_username_is_a_409() {
    let app = spawn_app().await;
    app.create_user("per-system", "reporter", Some("PER")).await;
    let body = json!({"username": "per-system", "password": PASSWORD, "role": "viewer"});
    assert_problem(
        app.send_json(Method::POST, "/api/v1/users", Some(&app.admin_token), &body)
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_user("mex-system", "reporter", Some("MEX")).await;
    let path = format!("/api/v1/users/{id}");
    let etag = app
        .get(&path, &app.admin_token)
        .await
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let res = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", &etag)
        .json(&json!({"member_state": "CHL"}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    let new_etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    assert_ne!(etag, new_etag, "the ETag changes with the version");
    let res = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", &etag)
        .json(&json!({"active": false}))
        .send()
        .await
        .expect("req");
    assert_problem(res, 412).await;
    let user: Value = app
        .get(&path, &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (user["active"].as_bool(), user["member_state"].as_str()),
        (Some(true), Some("CHL")),
        "{user}"
    );
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = spawn_app().await;
    let me: Value = app
        .get("/api/v1/me", &app.admin_token)
        .await
        .json()
        .await
        .expect("me");
    let path = format!("/api/v1/users/{}", me["id"].as_str().expect("id"));
    assert_problem(
        app.send_json(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            &json!({"active": false}),
        )
        .await,
        409,
    )
    .await;
    assert_problem(
        app.send_json(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            &json!({"role": "viewer"}),
        )
        .await,
        409,
    )
    .await;
    app.create_user("second-admin", "admin", None).await;
    let res = app
        .send_json(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            &json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "with another admin, demotion is allowed"
    );
}

#[tokio::test]
async fn the_user_list_pages_with_a_cursor_and_a_link_header() {
    let app = spawn_app().await;
    for name in ["u-alpha", "u-bravo", "u-charlie"] {
        app.create_user(name, "viewer", None).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_string();
    loop {
        let res = app.get(&path, &app.admin_token).await;
        let link = res
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let page: Value = res.json().await.expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|u| u["username"].as_str().unwrap_or("").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("Link header when there is more");
                assert!(
                    link.contains("rel=\"next\"") && link.contains(cursor),
                    "{link}"
                );
                path = format!("/api/v1/users?limit=2&cursor={cursor}");
            }
            None => {
                assert!(link.is_none(), "no Link on the last page");
                break;
            }
        }
    }
    assert_eq!(seen, vec!["admin", "u-alpha", "u-bravo", "u-charlie"]);
}

#[tokio::test]
async fn an_admin_password_reset_revokes_tokens_and_is_named_in_the_change_feed() {
    let app = spawn_app().await;
    let id = app.create_user("chl-system", "reporter", Some("CHL")).await;
    let old_token = app.sign_in("chl-system", PASSWORD).await;
    let res = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&app.admin_token),
            &json!({"password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "reset answers the user");
    let user: Value = res.json().await.expect("json");
    assert_eq!(user["version"], 2, "a reset is a new version: {user}");
    assert!(!user.to_string().contains("passphrase"), "{user}");
    assert_eq!(
        app.get("/api/v1/me", &old_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old token dies with the reset"
    );
    app.sign_in("chl-system", "a brand new passphrase").await;
    let feed: Value = app
        .get("/api/v1/changes?limit=1000", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["resource_id"] == id.as_str())
        .filter_map(|c| c["action"].as_str())
        .collect();
    assert_eq!(actions, ["create", "reset_password"], "{feed}");
}
