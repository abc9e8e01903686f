//! Test harness: a real palermo server on a random port with its own fresh database (a temp
//! SQLite file, or a new PostgreSQL database when `PALERMO_TEST_DATABASE_URL` is set).

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::{Connection, RunQueryDsl};
use palermo::config::Settings;
use palermo::startup::Application;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "bootstrap admin passphrase";
pub const JWT_SECRET: &str = "test-secret-0123456789-0123456789-abcdef";
pub const PASSWORD: &str = "a long enough passphrase";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub admin_token: String,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    /// Drops a test's PostgreSQL database so repeated runs do not pile them up.
    fn drop(&mut self) {
        drop_test_database(&self.database_url);
    }
}

/// Drops the PostgreSQL database of a test's URL (from [`fresh_database_url`]); nothing on SQLite.
pub fn drop_test_database(database_url: &str) {
    let Some(base) = postgres_base_url() else {
        return;
    };
    let Some(name) = database_url
        .rsplit('/')
        .next()
        .map(|n| n.split('?').next().unwrap_or(n).to_string())
    else {
        return;
    };
    if !name.starts_with("palermo_test_") {
        return;
    }
    if let Ok(mut conn) = diesel::PgConnection::establish(&base) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

/// Which backend the suite runs on.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("PALERMO_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// A fresh, empty database URL for one test.
pub fn fresh_database_url(dir: &tempfile::TempDir) -> String {
    match postgres_base_url() {
        None => dir.path().join("palermo.db").to_string_lossy().into_owned(),
        Some(base) => {
            let name = format!(
                "palermo_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                uuid::Uuid::new_v4().simple()
            );
            let mut conn = diesel::PgConnection::establish(&base)
                .expect("PALERMO_TEST_DATABASE_URL must be reachable");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create test database");
            without_tls_unless_asked(&replace_database_name(&base, &name))
        }
    }
}

/// The test servers' URL without TLS unless the base URL names an `sslmode`. TLS to the
/// loopback database tests nothing of palermo, and libpq's OpenSSL is torn down by the test
/// process's exit handlers while pool threads of finished tests may still be connecting: the
/// binary then died of a segmentation fault after every test had passed.
fn without_tls_unless_asked(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn replace_database_name(url: &str, name: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((a, q)) => (a, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = before_query.find("://").map_or(0, |i| i + 3);
    match before_query[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &before_query[..scheme_end + slash]),
        None => format!("{before_query}/{name}{query}"),
    }
}

pub fn test_settings(database_url: &str) -> Settings {
    let mut s = Settings::for_database(database_url);
    s.admin_username = Some(ADMIN.into());
    s.admin_password = Some(ADMIN_PASSWORD.into());
    s.jwt_secret = Some(JWT_SECRET.into());
    s.db_pool_size = 4;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let _ = env_logger::builder().is_test(true).try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&dir);
    let mut settings = test_settings(&database_url);
    adjust(&mut settings);
    let app = Application::build(settings).expect("server builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut test = TestApp {
        address,
        client,
        database_url,
        admin_token: String::new(),
        _dir: dir,
    };
    test.admin_token = test.sign_in(ADMIN, ADMIN_PASSWORD).await;
    test
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A second palermo server on this app's database (as a second process behind a load
    /// balancer would be): same secret, so tokens work on both. Returns its base address.
    pub fn twin(&self) -> String {
        let twin = Application::build(test_settings(&self.database_url)).expect("twin builds");
        let address = format!("http://127.0.0.1:{}", twin.port());
        tokio::spawn(twin.run_until_stopped());
        address
    }

    /// A request, with a bearer token when given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let rb = self.client.request(method, self.url(path));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .expect("request")
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        self.request(method, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn try_sign_in(&self, username: &str, password: &str) -> Response {
        self.send_json(
            Method::POST,
            "/api/v1/auth/token",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let res = self.try_sign_in(username, password).await;
        assert_eq!(res.status(), StatusCode::OK, "sign-in of {username} failed");
        let body: Value = res.json().await.expect("token json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// Creates a user through the API as admin; returns its id.
    pub async fn create_user(
        &self,
        username: &str,
        role: &str,
        member_state: Option<&str>,
    ) -> String {
        let mut body = json!({"username": username, "password": PASSWORD, "role": role});
        if let Some(ms) = member_state {
            body["member_state"] = json!(ms);
        }
        let res = self
            .send_json(
                Method::POST,
                "/api/v1/users",
                Some(&self.admin_token),
                &body,
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "creating {username}");
        let v: Value = res.json().await.expect("user json");
        v["id"].as_str().expect("id").to_string()
    }

    /// A signed-in reporter bound to `state`.
    pub async fn reporter(&self, state: &str) -> String {
        let name = format!(
            "reporter-{}-{}",
            state.to_lowercase(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        self.create_user(&name, "reporter", Some(state)).await;
        self.sign_in(&name, PASSWORD).await
    }

    /// Deactivates a user as admin (which revokes its tokens).
    pub async fn deactivate(&self, user_id: &str) {
        let res = self
            .send_json(
                Method::PATCH,
                &format!("/api/v1/users/{user_id}"),
                Some(&self.admin_token),
                &json!({"active": false}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "deactivating {user_id}");
    }

    /// A signed-in viewer.
    pub async fn viewer(&self) -> String {
        let name = format!("viewer-{}", COUNTER.fetch_add(1, Ordering::SeqCst));
        self.create_user(&name, "viewer", None).await;
        self.sign_in(&name, PASSWORD).await
    }

    /// Up to 1,000 stored values matching a value-list query, read as the admin.
    pub async fn stored_values(&self, query: &str) -> Vec<Value> {
        let body: Value = self
            .get(
                &format!("/api/v1/indicator-values?limit=1000&{query}"),
                &self.admin_token,
            )
            .await
            .json()
            .await
            .expect("json");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// Number of audit events recorded for a resource, read straight from the database.
    pub fn audit_count(&self, resource_type: &str, resource_id: &str) -> usize {
        let url = palermo::db::DatabaseUrl::parse(&self.database_url).expect("url");
        let mut conn = url.connect().expect("connect");
        palermo::models::audit_event::AuditEventRow::for_resource(
            &mut conn,
            resource_type,
            resource_id,
            0,
            i64::MAX,
        )
        .expect("audit query")
        .len()
    }
}

/// Opens the reporting cycle 2019-2020 (work plan WP2) as admin.
pub async fn open_cycle(app: &TestApp) {
    let body = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"});
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/reporting-cycles",
            Some(&app.admin_token),
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "cycle 2019-2020 opened");
}

/// Asserts a problem+json response with `status`; returns its body.
pub async fn assert_problem(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "unexpected status; body: {body}");
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type {ct:?} for {body}"
    );
    assert_eq!(
        body["status"].as_u64(),
        Some(status as u64),
        "problem status in {body}"
    );
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "problem lacks {key}: {body}");
    }
    body
}

/// The `field`s of a validation problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
