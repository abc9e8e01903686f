//! Operations: health probes, Prometheus metrics, the OpenAPI document and Swagger UI (served
//! offline), refusal of bad `DATABASE_URL`s at start, and the bootstrap of the first admin.

use palermo::auth::bootstrap::{ensure_admin, Outcome};
use palermo::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{self, *};

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn anonymous_get(app: &TestApp, path: &str) -> Response {
    app.request(Method::GET, path, None)
        .send()
        .await
        .expect("request")
}

/// A fresh database outside `spawn_app`, dropped at the end when it is a PostgreSQL one.
struct FreshDatabase {
    url: String,
    _dir: tempfile::TempDir,
}

impl FreshDatabase {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database_url(&dir);
        Self { url, _dir: dir }
    }

    fn connect_migrated(&self) -> palermo::db::AnyConnection {
        let url = palermo::db::DatabaseUrl::parse(&self.url).expect("valid url");
        let mut conn = url.connect().expect("connect to the fresh database");
        palermo::db::migrations::run_pending(&mut conn).expect("migrations");
        conn
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        drop_test_database(&self.url);
    }
}

/// Names in the current directory that a URL mistaken for a SQLite path would create.
fn stray_entries() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(".")
        .expect("read current dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("postgres") || n.contains("nothing"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn liveness_answers_ok() {
    let app = spawn_app().await;
    let res = anonymous_get(&app, "/health/live").await;
    assert_eq!(res.status(), StatusCode::OK, "live");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body, json!({"status": "ok"}), "liveness body");
}

#[tokio::test]
async fn readiness_names_the_database_backend_in_use() {
    let app = spawn_app().await;
    let res = anonymous_get(&app, "/health/ready").await;
    assert_eq!(res.status(), StatusCode::OK, "ready");
    let body: Value = res.json().await.expect("json");
    let expected = if postgres_base_url().is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["status"], "ok", "ready status: {body}");
    assert_eq!(body["database"], expected, "backend in use: {body}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let res = app.get("/api/v1/member-states", &token).await;
    assert_eq!(res.status(), StatusCode::OK, "member states");
    let res = app.get("/api/v1/member-states/ARG", &token).await;
    assert_eq!(res.status(), StatusCode::OK, "ARG");
    let res = app.get("/api/v1/member-states/XYZ", &token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "XYZ");
    let res = app.get("/api/v1/no/such/route-7f3a", &token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "unknown route");

    let res = anonymous_get(&app, "/metrics").await;
    assert_eq!(res.status(), StatusCode::OK, "metrics");
    let ct = header(&res, "content-type").unwrap_or_default();
    assert!(ct.starts_with("text/plain"), "metrics content type {ct:?}");
    let text = res.text().await.expect("text");
    for line in [
        r#"palermo_http_requests_total{method="GET",route="/api/v1/member-states",status="200"} 1"#,
        r#"palermo_http_requests_total{method="GET",route="/api/v1/member-states/{code}",status="200"} 1"#,
        r#"palermo_http_requests_total{method="GET",route="/api/v1/member-states/{code}",status="404"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "metrics lack {line}:\n{text}"
        );
    }
    assert!(
        text.contains("# TYPE palermo_http_requests_total counter"),
        "counter TYPE line:\n{text}"
    );
    assert!(
        text.contains("palermo_http_request_duration_seconds_bucket"),
        "latency histogram:\n{text}"
    );
    assert!(
        !text.contains("ARG\"") && !text.contains("route-7f3a"),
        "raw paths never become labels:\n{text}"
    );
}

#[tokio::test]
async fn the_openapi_document_is_served_as_openapi_3_1() {
    let app = spawn_app().await;
    let res = anonymous_get(&app, "/api-docs/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK, "openapi.json");
    let ct = header(&res, "content-type").unwrap_or_default();
    assert!(ct.starts_with("application/json"), "content type {ct:?}");
    let spec: Value = res.json().await.expect("the document is JSON");
    assert_eq!(spec["openapi"], "3.1.0", "OpenAPI version");
    let paths = spec["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/users/{id}",
        "/api/v1/member-states",
        "/api/v1/member-states/{code}",
        "/api/v1/work-plans/{code}/guidelines/{number}",
        "/api/v1/auth/token",
        "/health/ready",
    ] {
        assert!(paths.contains_key(path), "the spec documents {path}");
    }
}

#[tokio::test]
async fn swagger_ui_is_served_offline() {
    let app = spawn_app().await;
    let mut path = "/swagger-ui/".to_string();
    let mut res = anonymous_get(&app, &path).await;
    for _ in 0..5 {
        if !res.status().is_redirection() {
            break;
        }
        let location = header(&res, "location").expect("redirect has a Location");
        path = if location.starts_with('/') {
            location
        } else if let Some(rest) = location.strip_prefix(&app.address) {
            rest.to_string()
        } else {
            format!("/swagger-ui/{location}")
        };
        res = anonymous_get(&app, &path).await;
    }
    assert_eq!(res.status(), StatusCode::OK, "Swagger UI at {path}");
    let ct = header(&res, "content-type").unwrap_or_default();
    assert!(
        ct.starts_with("text/html"),
        "Swagger UI content type {ct:?}"
    );
    let html = res.text().await.expect("html");
    assert!(
        html.to_lowercase().contains("swagger"),
        "the page is Swagger UI"
    );

    let res = anonymous_get(&app, "/swagger-ui/swagger-ui.css").await;
    assert_eq!(res.status(), StatusCode::OK, "vendored stylesheet");
    let ct = header(&res, "content-type").unwrap_or_default();
    assert!(ct.starts_with("text/css"), "stylesheet content type {ct:?}");
    let css = res.bytes().await.expect("css");
    assert!(css.len() > 1000, "the stylesheet has content");
}

#[tokio::test]
async fn startup_refuses_a_malformed_database_url() {
    let before = stray_entries();
    for url in [
        "postgress://u:p@localhost/db",
        "postgres:/localhost/db",
        "mysql://u:p@localhost/db",
    ] {
        let err = Application::build(helpers::test_settings(url))
            .err()
            .unwrap_or_else(|| panic!("{url} should be refused"));
        assert!(
            err.contains("DATABASE_URL"),
            "{url}: the message names DATABASE_URL: {err}"
        );
    }
    assert_eq!(
        stray_entries(),
        before,
        "no file was created for a malformed URL"
    );
}

#[tokio::test]
async fn startup_fails_on_an_unreachable_postgres_without_creating_a_file() {
    let before = stray_entries();
    let err = Application::build(helpers::test_settings(
        "postgres://palermo:sekrit-pw@127.0.0.1:1/nothing",
    ))
    .err()
    .expect("an unreachable PostgreSQL is an error");
    assert!(
        err.contains("postgres"),
        "the message says which database failed: {err}"
    );
    assert!(
        !err.contains("sekrit-pw"),
        "the message hides the password: {err}"
    );
    let err = Application::build(helpers::test_settings(
        "postgres://palermo:x@127.0.0.1:1/nothing",
    ))
    .err()
    .expect("an unreachable PostgreSQL is an error");
    assert!(!err.is_empty(), "a reason is given");
    assert_eq!(
        stray_entries(),
        before,
        "no SQLite file named like the URL was created"
    );
}

#[tokio::test]
async fn bootstrap_generates_an_admin_whose_password_signs_in() {
    let db = FreshDatabase::new();
    let mut conn = db.connect_migrated();

    // Only one of the two variables is an operator error, and creates nothing.
    let err = ensure_admin(&mut conn, Some("chief"), None)
        .expect_err("username without password is refused");
    assert!(
        err.contains("PALERMO_ADMIN_USERNAME") && err.contains("PALERMO_ADMIN_PASSWORD"),
        "the message names both variables: {err}"
    );
    ensure_admin(&mut conn, None, Some("a long enough passphrase"))
        .expect_err("password without username is refused");

    let (username, password) = match ensure_admin(&mut conn, None, None) {
        Ok(Outcome::Generated { username, password }) => (username, password),
        other => panic!("expected a generated admin, got {other:?}"),
    };
    assert_eq!(username, "admin", "the generated admin is called admin");
    assert!(
        password.chars().count() >= 12,
        "the generated password is long: {password:?}"
    );
    assert_eq!(
        ensure_admin(&mut conn, None, None),
        Ok(Outcome::AdminExists),
        "a second bootstrap finds the admin"
    );
    assert_eq!(
        ensure_admin(&mut conn, Some("other"), None),
        Ok(Outcome::AdminExists),
        "with an admin present, the variables are not consulted"
    );
    drop(conn);

    let mut settings = helpers::test_settings(&db.url);
    settings.admin_username = None;
    settings.admin_password = None;
    let server = Application::build(settings).expect("server builds on the bootstrapped database");
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let client = reqwest::Client::new();

    let res = client
        .post(format!("{address}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign-in request");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the generated password signs in"
    );
    let body: Value = res.json().await.expect("json");
    let token = body["access_token"].as_str().expect("access_token");
    let me: Value = client
        .get(format!("{address}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("admin"), Some("admin")),
        "signed in as the generated admin: {me}"
    );

    let res = client
        .post(format!("{address}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sign-in request");
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "only the generated password works"
    );
}

#[tokio::test]
async fn startup_with_only_one_admin_variable_on_an_empty_database_is_refused() {
    let db = FreshDatabase::new();
    let mut settings = helpers::test_settings(&db.url);
    settings.admin_password = None;
    let err = Application::build(settings.clone())
        .err()
        .expect("username without password is refused at start");
    assert!(
        err.contains("PALERMO_ADMIN_PASSWORD"),
        "the message names the missing variable: {err}"
    );
    settings.admin_username = None;
    settings.admin_password = Some(ADMIN_PASSWORD.into());
    assert!(
        Application::build(settings).is_err(),
        "password without username is refused at start"
    );
}

#[tokio::test]
async fn the_changes_feed_lists_every_write_in_order_and_resumes_after_a_cursor() {
    let app = crate::helpers::spawn_app().await;
    let viewer = app.viewer().await;
    let put = |n: i32| format!("/api/v1/member-states/ARG/commitments/WP2/{n}");
    for n in [1, 2] {
        let res = app
            .send_json(
                reqwest::Method::PUT,
                &put(n),
                Some(&app.admin_token),
                &serde_json::json!({"status": "planned"}),
            )
            .await;
        assert_eq!(res.status().as_u16(), 201);
    }
    let feed: serde_json::Value = app
        .get("/api/v1/changes?limit=1000", &viewer)
        .await
        .json()
        .await
        .expect("json");
    let items = feed["items"].as_array().expect("items");
    assert!(
        items.iter().all(|c| c["resource_type"] != "user"),
        "viewers do not see account changes: {feed}"
    );
    let commitments: Vec<&serde_json::Value> = items
        .iter()
        .filter(|c| c["resource_type"] == "commitment")
        .collect();
    assert_eq!(commitments.len(), 2, "{feed}");
    let admin_feed: serde_json::Value = app
        .get("/api/v1/changes?limit=1000", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        admin_feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["resource_type"] == "user"),
        "admins see them"
    );

    let first: serde_json::Value = app
        .get("/api/v1/changes?limit=1", &viewer)
        .await
        .json()
        .await
        .expect("json");
    let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &put(3),
            Some(&app.admin_token),
            &serde_json::json!({"status": "implemented"}),
        )
        .await;
    assert_eq!(res.status().as_u16(), 201);
    let rest: serde_json::Value = app
        .get(
            &format!("/api/v1/changes?limit=1000&after={cursor}"),
            &viewer,
        )
        .await
        .json()
        .await
        .expect("json");
    let seqs: Vec<i64> = rest["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["sequence"].as_i64())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "ordered: {seqs:?}");
    assert_eq!(
        rest["items"].as_array().map(Vec::len),
        Some(2),
        "after the first commitment: the second and the new one: {rest}"
    );
    crate::helpers::assert_problem(app.get("/api/v1/changes?after=garbage", &viewer).await, 422)
        .await;
}

#[tokio::test]
async fn invented_methods_and_paths_add_no_metric_series() {
    let app = spawn_app().await;
    let series = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("palermo_http_requests_total{"))
            .count()
    };
    let before = anonymous_get(&app, "/metrics").await.text().await.unwrap();
    for i in 0..200 {
        let method = reqwest::Method::from_bytes(format!("X{i}METHOD").as_bytes()).unwrap();
        let path = if i % 2 == 0 {
            format!("/api/v1/random-{i}")
        } else {
            "/api/v1/member-states".into()
        };
        let res = app.request(method, &path, None).send().await.unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let text = anonymous_get(&app, "/metrics").await.text().await.unwrap();
    assert!(
        !text.contains("METHOD") && !text.contains("random-"),
        "{text}"
    );
    assert!(
        series(&text) <= series(&before) + 4,
        "{} series before, {} after:\n{text}",
        series(&before),
        series(&text)
    );
    assert!(text.contains(r#"method="OTHER""#), "{text}");
}
