//! The OWASP API Security Top 10 (2023), one module per category, so `cargo test owasp` lists
//! what is covered. Each test attacks the running server as a client would; the deeper cases live
//! in the resource modules and in `throttle`, `input`, `bodies`, `headers`, `batch_limits`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const AUTHORITIES: &str = "/api/v1/national-authorities";

async fn authority_of(app: &TestApp, state: &str) -> String {
    let res = app
        .send_json(
            Method::POST,
            AUTHORITIES,
            Some(&app.admin_token),
            &json!({"member_state": state, "role": "focal_point", "institution": "Ministerio"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// API1:2023 Broken Object Level Authorization.
mod api1_broken_object_level_authorization {
    use super::*;

    #[tokio::test]
    async fn a_reporter_cannot_touch_another_states_objects_by_id_or_key() {
        let app = spawn_app().await;
        let arg = app.reporter("ARG").await;
        let bra_entry = authority_of(&app, "BRA").await;
        let path = format!("{AUTHORITIES}/{bra_entry}");
        for (method, body) in [
            (Method::PATCH, json!({"institution": "taken over"})),
            (Method::DELETE, json!({})),
        ] {
            assert_problem(app.send_json(method, &path, Some(&arg), &body).await, 403).await;
        }
        let put = app
            .send_json(
                Method::PUT,
                "/api/v1/member-states/BRA/commitments/WP2/1",
                Some(&arg),
                &json!({"status": "planned"}),
            )
            .await;
        assert_problem(put, 403).await;
        let batch = app
            .send_json(Method::POST, "/api/v1/indicator-values/batch", Some(&arg),
                &json!({"values": [{"member_state": "BRA", "indicator": "VICTIMS_DETECTED", "period": "2019", "value": 1}]}))
            .await;
        assert_problem(batch, 403).await;
        let entry: Value = app.get(&path, &app.admin_token).await.json().await.unwrap();
        assert_eq!(entry["institution"], "Ministerio", "nothing changed");
        assert_eq!(entry["active"], true);
    }

    #[tokio::test]
    async fn a_reporter_cannot_move_its_object_to_another_state() {
        let app = spawn_app().await;
        let arg = app.reporter("ARG").await;
        let id = authority_of(&app, "ARG").await;
        let res = app
            .send_json(
                Method::PATCH,
                &format!("{AUTHORITIES}/{id}"),
                Some(&arg),
                &json!({"member_state": "BRA"}),
            )
            .await;
        assert!(res.status().is_client_error(), "{}", res.status());
        let entry: Value = app
            .get(&format!("{AUTHORITIES}/{id}"), &app.admin_token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(entry["member_state"], "ARG");
    }
}

/// API2:2023 Broken Authentication.
mod api2_broken_authentication {
    use super::*;

    #[tokio::test]
    async fn unsigned_or_foreign_tokens_are_refused() {
        let app = spawn_app().await;
        let b64 = |v: &Value| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let claims = json!({"sub": "x", "role": "admin", "exp": 4_000_000_000u64, "iss": "palermo", "aud": "palermo"});
        let none = format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&claims)
        );
        let (head, _) = app.admin_token.split_once('.').unwrap();
        let tampered = format!(
            "{head}.{}.{}",
            b64(&claims),
            app.admin_token.rsplit('.').next().unwrap()
        );
        for token in [none, tampered, "garbage".to_string()] {
            let res = app.get("/api/v1/me", &token).await;
            assert!(res.headers().contains_key("www-authenticate"));
            assert_problem(res, 401).await;
        }
    }

    #[tokio::test]
    async fn password_guessing_is_throttled_even_in_parallel() {
        let app = spawn_app().await;
        let app = &app;
        let statuses =
            futures_util::future::join_all((0..20).map(|i| async move {
                app.try_sign_in(ADMIN, &format!("guess {i}")).await.status()
            }))
            .await;
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        assert!(checked <= 5, "{statuses:?}");
        assert_problem(app.try_sign_in(ADMIN, ADMIN_PASSWORD).await, 429).await;
    }
}

/// API3:2023 Broken Object Property Level Authorization (mass assignment, excessive exposure).
mod api3_broken_object_property_level_authorization {
    use super::*;

    #[tokio::test]
    async fn server_owned_properties_cannot_be_assigned() {
        let app = spawn_app().await;
        for (field, value) in [
            ("version", json!(99)),
            ("id", json!("01a233b9-0000-7000-8000-000000000000")),
            ("created_at", json!("2000-01-01T00:00:00Z")),
            ("active", json!("yes")),
        ] {
            let mut body =
                json!({"member_state": "ARG", "role": "focal_point", "institution": "Ministerio"});
            body[field] = value;
            let res = app
                .send_json(Method::POST, AUTHORITIES, Some(&app.admin_token), &body)
                .await;
            let problem = assert_problem(res, 422).await;
            assert_eq!(fields(&problem), vec![format!("/{field}")], "{problem}");
        }
        let viewer = app.viewer().await;
        let me = app
            .send_json(
                Method::PATCH,
                "/api/v1/me",
                Some(&viewer),
                &json!({"role": "admin"}),
            )
            .await;
        assert!(me.status().is_client_error());
        let me: Value = app.get("/api/v1/me", &viewer).await.json().await.unwrap();
        assert_eq!(me["role"], "viewer");
    }

    #[tokio::test]
    async fn accounts_never_expose_password_material() {
        let app = spawn_app().await;
        app.create_user("exposed", "viewer", None).await;
        let text = app
            .get("/api/v1/users", &app.admin_token)
            .await
            .text()
            .await
            .unwrap();
        for secret in ["password", "argon2", "token_version"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

/// API4:2023 Unrestricted Resource Consumption.
mod api4_unrestricted_resource_consumption {
    use super::*;

    #[tokio::test]
    async fn pages_bodies_and_batches_are_bounded() {
        let app = spawn_app().await;
        let res = app
            .get("/api/v1/national-authorities?limit=1001", &app.admin_token)
            .await;
        assert_eq!(fields(&assert_problem(res, 422).await), vec!["limit"]);
        let big = json!({"username": "x".repeat(300 * 1024), "password": "p"});
        assert_problem(
            app.send_json(Method::POST, "/api/v1/auth/token", None, &big)
                .await,
            413,
        )
        .await;
        let values: Vec<Value> = (0..10_001).map(|_| json!({})).collect();
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/indicator-values/batch",
                Some(&app.admin_token),
                &json!({"values": values}),
            )
            .await;
        assert_eq!(fields(&assert_problem(res, 422).await), vec!["/values"]);
    }

    #[tokio::test]
    async fn repeated_filters_cannot_build_huge_queries() {
        let app = spawn_app().await;
        let many = vec!["sex=female"; 2000].join("&");
        let res = app
            .get(
                &format!("/api/v1/indicator-values?{many}"),
                &app.admin_token,
            )
            .await;
        assert_problem(res, 422).await;
        let states = vec!["member_state=ARG"; 2000].join("&");
        let res = app
            .get(
                &format!("/api/v1/indicator-values?{states}"),
                &app.admin_token,
            )
            .await;
        assert_problem(res, 422).await;
    }
}

/// API5:2023 Broken Function Level Authorization.
mod api5_broken_function_level_authorization {
    use super::*;

    #[tokio::test]
    async fn administrative_functions_refuse_reporters_and_viewers() {
        let app = spawn_app().await;
        let reporter = app.reporter("ARG").await;
        let viewer = app.viewer().await;
        let calls = [
            (
                Method::POST,
                "/api/v1/users",
                json!({"username": "evil", "password": PASSWORD, "role": "admin"}),
            ),
            (Method::GET, "/api/v1/users", json!(null)),
            (
                Method::POST,
                "/api/v1/reporting-cycles",
                json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"}),
            ),
            (
                Method::POST,
                "/api/v1/indicators",
                json!({"code": "X", "name": "x", "value_type": "count", "periodicity": "annual"}),
            ),
            (
                Method::POST,
                AUTHORITIES,
                json!({"member_state": "ARG", "role": "focal_point", "institution": "x"}),
            ),
        ];
        for (method, path, body) in calls {
            let writes_own_state = path == AUTHORITIES;
            for (who, token) in [("reporter", &reporter), ("viewer", &viewer)] {
                if writes_own_state && who == "reporter" {
                    continue;
                }
                let rb = app.request(method.clone(), path, Some(token));
                let rb = if body.is_null() { rb } else { rb.json(&body) };
                let res = rb.send().await.unwrap();
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} {method} {path}");
            }
        }
    }
}

/// API6:2023 Unrestricted Access to Sensitive Business Flows (sign-in, the flow worth automating).
mod api6_unrestricted_access_to_sensitive_business_flows {
    use super::*;

    #[tokio::test]
    async fn one_address_cannot_spray_passwords_over_many_accounts() {
        let app = spawn_app().await;
        for i in 0..20 {
            assert_problem(
                app.try_sign_in(&format!("account{i}"), "Summer2026!").await,
                401,
            )
            .await;
        }
        assert_problem(app.try_sign_in("account-next", "Summer2026!").await, 429).await;
    }
}

/// API7:2023 Server Side Request Forgery.
mod api7_server_side_request_forgery {
    use super::*;

    #[tokio::test]
    async fn stored_addresses_are_http_urls_and_never_fetched_by_the_api() {
        let app = spawn_app().await;
        for url in [
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_",
            "javascript:alert(1)",
        ] {
            let res = app
                .send_json(
                    Method::PUT,
                    "/api/v1/member-states/ARG/commitments/WP2/1",
                    Some(&app.admin_token),
                    &json!({"status": "planned", "evidence_urls": [url]}),
                )
                .await;
            assert_eq!(
                fields(&assert_problem(res, 422).await),
                vec!["/evidence_urls/0"],
                "{url}"
            );
        }
        // No operation takes an address for the server to call.
        let doc = serde_json::to_value(palermo::startup::openapi_document())
            .unwrap()
            .to_string();
        for name in [
            "\"callback\"",
            "\"callback_url\"",
            "\"redirect_uri\"",
            "\"fetch_url\"",
        ] {
            assert!(!doc.contains(name), "{name}");
        }
    }
}

/// API8:2023 Security Misconfiguration.
mod api8_security_misconfiguration {
    use super::*;

    #[tokio::test]
    async fn hardened_headers_no_cors_by_default_and_opaque_errors() {
        let app = spawn_app().await;
        let res = app
            .request(Method::GET, "/api/v1/member-states", Some(&app.admin_token))
            .header("Origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert!(!res.headers().contains_key("access-control-allow-origin"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let res = app
            .request(
                Method::from_bytes(b"TRACE").unwrap(),
                "/api/v1/member-states",
                None,
            )
            .send()
            .await
            .unwrap();
        assert_problem(res, 405).await;
        let res = app
            .get("/api/v1/users/'%20OR%201=1--", &app.admin_token)
            .await;
        let text = res.text().await.unwrap();
        for leak in ["diesel", "sqlite", "postgres", "SELECT", "panicked"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
}

/// API9:2023 Improper Inventory Management.
mod api9_improper_inventory_management {
    use super::*;

    #[tokio::test]
    async fn only_the_documented_version_and_routes_are_served() {
        let app = spawn_app().await;
        for path in [
            "/api/v2/member-states",
            "/api/v0/users",
            "/api/member-states",
            "/debug",
            "/admin",
            "/.env",
        ] {
            assert_problem(app.get(path, &app.admin_token).await, 404).await;
        }
        // The committed description is what the server serves.
        let served: Value = app
            .request(Method::GET, "/api-docs/openapi.json", None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let committed: Value =
            serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap())
                .unwrap();
        assert_eq!(served, committed);
    }
}

/// API10:2023 Unsafe Consumption of APIs (what member-state systems push is untrusted).
mod api10_unsafe_consumption_of_apis {
    use super::*;

    #[tokio::test]
    async fn pushed_rows_are_validated_one_by_one_and_stored_literally() {
        let app = spawn_app().await;
        let values = json!({"values": [
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "value": 1, "comment": "'); DROP TABLE indicator_values;--"},
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019-13", "value": 1},
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2020", "value": "1e999"},
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2021", "value": 1, "comment": "nul\u{0}"}
        ]});
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/indicator-values/batch?mode=partial",
                Some(&app.admin_token),
                &values,
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["/values/3/comment"],
            "a control character refuses the document"
        );
        let mut values = values;
        values["values"].as_array_mut().unwrap().pop();
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/indicator-values/batch?mode=partial",
                Some(&app.admin_token),
                &values,
            )
            .await;
        let summary: Value = res.json().await.unwrap();
        assert_eq!(summary["created"], 1, "{summary}");
        assert_eq!(summary["rejected"], 2, "{summary}");
        let list: Value = app
            .get(
                "/api/v1/indicator-values?member_state=ARG",
                &app.admin_token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["items"][0]["comment"],
            "'); DROP TABLE indicator_values;--"
        );
    }
}
