//! Every error the server can produce is an RFC 9457 problem document: unknown routes, wrong
//! methods, malformed and mistyped bodies, oversized bodies, wrong media types, missing tokens,
//! bad paging parameters, and hostile input (SQL-ish strings, odd Unicode). Nothing panics.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// POST /api/v1/users as admin with a raw JSON body.
async fn post_user_raw(app: &TestApp, body: impl Into<reqwest::Body>) -> Response {
    app.request(Method::POST, "/api/v1/users", Some(&app.admin_token))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request")
}

async fn still_alive(app: &TestApp) {
    let res = app
        .request(Method::GET, "/health/live", None)
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "/health/live after the hostile requests"
    );
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/no-such-thing",
        "/nothing/here",
        "/api/v2/member-states",
        "/api/v1/member-states/ARG/nope/deeper",
    ] {
        let res = app.get(path, &app.admin_token).await;
        let problem = assert_problem(res, 404).await;
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "404 for {path} explains itself: {problem}"
        );
    }
    let res = app
        .request(Method::GET, "/api/v1/no-such-thing", None)
        .send()
        .await
        .expect("request");
    assert_problem(res, 404).await;
}

#[tokio::test]
async fn wrong_method_on_a_known_path_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let cases: [(Method, &str, &[&str], &[&str]); 4] = [
        (
            Method::DELETE,
            "/api/v1/member-states",
            &["GET"],
            &["DELETE"],
        ),
        (Method::POST, "/api/v1/me", &["GET"], &["POST"]),
        (
            Method::DELETE,
            "/api/v1/work-plans",
            &["GET", "POST"],
            &["DELETE"],
        ),
        (Method::PUT, "/api/v1/member-states/ARG", &["GET"], &["PUT"]),
    ];
    for (method, path, allowed, refused) in cases {
        let res = app
            .request(method.clone(), path, Some(&app.admin_token))
            .send()
            .await
            .expect("request");
        let allow = header(&res, "allow").unwrap_or_default();
        assert_problem(res, 405).await;
        let listed: Vec<&str> = allow.split(',').map(str::trim).collect();
        for m in allowed {
            assert!(
                listed.contains(m),
                "{method} {path}: Allow {allow:?} should list {m}"
            );
        }
        for m in refused {
            assert!(
                !listed.contains(m),
                "{method} {path}: Allow {allow:?} should not list {m}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let trailing = format!(
        r#"{{"username": "someone", "password": "{PASSWORD}", "role": "viewer"}} trailing"#
    );
    for body in [
        r#"{"username":"#,
        "{not json}",
        "",
        "[1, 2",
        trailing.as_str(),
    ] {
        let res = post_user_raw(&app, body.to_string()).await;
        let problem = assert_problem(res, 400).await;
        assert!(
            problem.get("errors").is_none() || problem["errors"].is_array(),
            "{body:?}: errors, when present, is a list: {problem}"
        );
    }
    let res = post_user_raw(&app, vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']).await;
    assert_problem(res, 400).await;
}

#[tokio::test]
async fn wrong_type_is_a_422_naming_the_json_pointer() {
    let app = spawn_app().await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": 5, "password": PASSWORD, "role": "viewer"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["/username".to_string()],
        "the mistyped field is named: {problem}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "each field error has a message: {problem}"
    );

    let res = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": "someone", "password": PASSWORD, "role": "emperor"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["/role".to_string()],
        "an unknown enum value is named: {problem}"
    );
}

#[tokio::test]
async fn unknown_field_is_a_422_naming_it() {
    let app = spawn_app().await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": "someone", "password": PASSWORD, "role": "viewer", "extra": true}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["/extra".to_string()],
        "the unknown field is named: {problem}"
    );
}

#[tokio::test]
async fn missing_field_is_a_422_naming_it() {
    let app = spawn_app().await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"password": PASSWORD, "role": "viewer"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["/username".to_string()],
        "the missing field is named: {problem}"
    );
}

#[tokio::test]
async fn body_over_256_kib_is_a_413_problem() {
    let app = spawn_app().await;
    let padding = "x".repeat(300 * 1024);
    let body = json!({"username": "someone", "password": padding, "role": "viewer"}).to_string();
    let res = post_user_raw(&app, body).await;
    assert_problem(res, 413).await;

    // Just under the limit is read and judged on its content (the password is too long, or fine).
    let padding = "x".repeat(200 * 1024);
    let body = json!({"username": "someone", "password": padding, "role": "viewer"}).to_string();
    let res = post_user_raw(&app, body).await;
    assert_ne!(
        res.status().as_u16(),
        413,
        "a 200 KiB body is under the limit"
    );
    still_alive(&app).await;
}

#[tokio::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let body = json!({"username": "someone", "password": PASSWORD, "role": "viewer"}).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut rb = app.request(Method::POST, "/api/v1/users", Some(&app.admin_token));
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        let res = rb.body(body.clone()).send().await.expect("request");
        let status = res.status();
        let problem = assert_problem(res, 415).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type {content_type:?}: {problem}"
        );
    }
    let res = app
        .request(Method::POST, "/api/v1/users", Some(&app.admin_token))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "application/json with a charset parameter is accepted"
    );
}

#[tokio::test]
async fn missing_or_garbage_bearer_token_is_a_401_with_www_authenticate() {
    let app = spawn_app().await;
    let cases: [(&str, Option<&str>); 6] = [
        ("no header", None),
        ("garbage token", Some("Bearer not-a-jwt")),
        ("empty bearer", Some("Bearer ")),
        ("basic scheme", Some("Basic YWRtaW46YWRtaW4=")),
        (
            "unsigned token",
            Some("Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0."),
        ),
        ("just a word", Some("garbage")),
    ];
    for (what, auth) in cases {
        let mut rb = app.request(Method::GET, "/api/v1/member-states", None);
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let res = rb.send().await.expect("request");
        let challenge = header(&res, "www-authenticate").unwrap_or_default();
        assert_problem(res, 401).await;
        assert!(
            challenge.starts_with("Bearer"),
            "{what}: WWW-Authenticate {challenge:?} should start with Bearer"
        );
    }
    let tampered = format!("{}x", app.admin_token);
    let res = app.get("/api/v1/me", &tampered).await;
    let challenge = header(&res, "www-authenticate").unwrap_or_default();
    assert_problem(res, 401).await;
    assert!(
        challenge.starts_with("Bearer"),
        "tampered token: WWW-Authenticate {challenge:?}"
    );
}

#[tokio::test]
async fn out_of_range_or_non_numeric_limit_is_a_422_naming_limit() {
    let app = spawn_app().await;
    for limit in ["1001", "0", "abc", "-1", "1.5", "99999999999999999999"] {
        for base in ["/api/v1/member-states", "/api/v1/work-plans/WP2/guidelines"] {
            let res = app
                .get(&format!("{base}?limit={limit}"), &app.admin_token)
                .await;
            let problem = assert_problem(res, 422).await;
            assert_eq!(
                fields(&problem),
                vec!["limit".to_string()],
                "{base}?limit={limit}: {problem}"
            );
        }
    }
    let res = app
        .get("/api/v1/member-states?limit=1000", &app.admin_token)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "limit=1000 is the maximum");
}

#[tokio::test]
async fn garbage_cursor_is_a_422_naming_cursor() {
    let app = spawn_app().await;
    for cursor in ["garbage", "%00%01", "eyJrIjoieCJ9", "!!!"] {
        let res = app
            .get(
                &format!("/api/v1/member-states?cursor={cursor}"),
                &app.admin_token,
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["cursor".to_string()],
            "cursor={cursor}: {problem}"
        );
    }
    // A genuine cursor of another list is refused too.
    let page: Value = app
        .get(
            "/api/v1/work-plans/WP2/guidelines?limit=1",
            &app.admin_token,
        )
        .await
        .json()
        .await
        .expect("json");
    let foreign = page["next_cursor"].as_str().expect("guidelines cursor");
    let res = app
        .get(
            &format!("/api/v1/member-states?cursor={foreign}"),
            &app.admin_token,
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["cursor".to_string()],
        "a guidelines cursor on member states: {problem}"
    );
}

#[tokio::test]
async fn sql_like_usernames_in_sign_in_are_refused_with_401_never_500() {
    let app = spawn_app().await;
    for username in [
        "' OR 1=1 --",
        "\"; DROP TABLE users; --",
        "admin' --",
        "admin\" OR \"1\"=\"1",
    ] {
        let res = app.try_sign_in(username, "' OR '1'='1").await;
        let challenge = header(&res, "www-authenticate").unwrap_or_default();
        assert_problem(res, 401).await;
        assert!(
            challenge.starts_with("Bearer"),
            "sign-in as {username:?}: WWW-Authenticate {challenge:?}"
        );
    }
    // The users table is still there and the admin still signs in.
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let res = app.get("/api/v1/users", &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK, "users still listed");
}

#[tokio::test]
async fn sql_like_path_parameters_are_4xx_never_500() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/member-states/%27%20OR%201%3D1",
        "/api/v1/member-states/%22%3B%20DROP%20TABLE%20users%3B%20--",
        "/api/v1/work-plans/%27%20OR%201%3D1",
        "/api/v1/work-plans/WP2%27%20OR%20%271%27%3D%271/guidelines",
        "/api/v1/work-plans/WP2/guidelines/1%20OR%201%3D1",
        "/api/v1/users/%27%20OR%201%3D1",
        "/api/v1/member-states/ARG%00",
    ] {
        let res = app.get(path, &app.admin_token).await;
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{path} answered {status}, expected a 4xx"
        );
        assert_problem(res, status).await;
    }
    let res = app
        .get("/api/v1/member-states?limit=1000", &app.admin_token)
        .await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        body["items"].as_array().map(Vec::len),
        Some(35),
        "member states untouched"
    );
    still_alive(&app).await;
}

#[tokio::test]
async fn odd_unicode_in_a_new_username_is_a_422_naming_username() {
    let app = spawn_app().await;
    for username in [
        "abc\u{202e}def",
        "ab\u{200d}cd",
        "user😀name",
        "nul\u{0}byte",
        "ｕｓｅｒ",
        "tab\tname",
        "\u{feff}admin",
    ] {
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/users",
                Some(&app.admin_token),
                &json!({"username": username, "password": PASSWORD, "role": "viewer"}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["/username".to_string()],
            "username {username:?}: {problem}"
        );
    }
    // A NUL written as a JSON escape, byte for byte.
    let res = post_user_raw(
        &app,
        format!(r#"{{"username": "nul\u0000x", "password": "{PASSWORD}", "role": "viewer"}}"#),
    )
    .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["/username".to_string()],
        "escaped NUL: {problem}"
    );
    let users: Value = app
        .get("/api/v1/users?limit=1000", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(1),
        "no odd user was created: {users}"
    );
    still_alive(&app).await;
}

#[tokio::test]
async fn problems_carry_no_internals_and_the_server_survives_a_barrage() {
    let app = spawn_app().await;
    let hostile: [(Method, &str, &str); 6] = [
        (Method::POST, "/api/v1/auth/token", "[]"),
        (Method::POST, "/api/v1/auth/token", "null"),
        (Method::POST, "/api/v1/auth/token", r#"{"username": {}}"#),
        (Method::POST, "/api/v1/work-plans", r#"{"code": []}"#),
        (Method::POST, "/api/v1/users", "123"),
        (
            Method::PATCH,
            "/api/v1/users/x",
            r#"{"role": null, "a": 1}"#,
        ),
    ];
    for (method, path, body) in hostile {
        let res = app
            .request(method.clone(), path, Some(&app.admin_token))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {body}: {status}"
        );
        let problem = assert_problem(res, status).await;
        let text = problem.to_string().to_lowercase();
        for leak in ["diesel", "sqlite", "postgres", "panicked", "src/"] {
            assert!(
                !text.contains(leak),
                "{method} {path}: problem mentions {leak}: {problem}"
            );
        }
    }
    still_alive(&app).await;
}
