//! Response headers and methods: `nosniff` everywhere, `no-store` on authenticated responses,
//! Swagger UI's CSP and frame protection, HEAD on every GET route, 405 with `Allow` on every
//! documented path.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::*;
use crate::input::{fill, seed};

/// Every documented path with its methods, in the spec's spelling.
fn documented() -> Vec<(String, Vec<String>)> {
    let doc = serde_json::to_value(palermo::startup::openapi_document()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(str::to_uppercase)
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[tokio::test]
async fn every_documented_path_answers_a_wrong_method_with_405_and_allow() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    for (template, methods) in documented() {
        let path = fill(&template, &ids);
        let mut allow: Vec<String> = methods.clone();
        if allow.iter().any(|m| m == "GET") {
            allow.insert(1, "HEAD".into());
        }
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if methods.iter().any(|m| m == method) {
                continue;
            }
            let res = app
                .request(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    &path,
                    Some(&app.admin_token),
                )
                .send()
                .await
                .unwrap();
            let got = header(&res, "allow").unwrap_or_default();
            let body = assert_problem(res, 405).await;
            assert_eq!(got, allow.join(", "), "{method} {path}: {body}");
        }
    }
    // The probe that found a 404 here: "batch" is not a value id.
    let res = app
        .get("/api/v1/indicator-values/batch", &app.admin_token)
        .await;
    assert_eq!(header(&res, "allow").as_deref(), Some("POST"));
    assert_problem(res, 405).await;
}

#[tokio::test]
async fn head_is_served_for_every_get_route_without_a_body() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    for (template, methods) in documented() {
        if !methods.iter().any(|m| m == "GET") {
            continue;
        }
        let path = fill(&template, &ids);
        let get = app.get(&path, &app.admin_token).await;
        let head = app
            .request(Method::HEAD, &path, Some(&app.admin_token))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            header(&head, "content-type"),
            header(&get, "content-type"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} sent a body"
        );
    }
}

#[tokio::test]
async fn nosniff_everywhere_and_no_store_on_authenticated_responses() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let anonymous = |path: &str| app.request(Method::GET, path, None).send();
    for res in [
        app.get("/api/v1/national-authorities", &token).await,
        app.get("/api/v1/national-authorities?format=csv", &token)
            .await,
        app.get("/api/v1/me", &token).await,
        app.get("/api/v1/no-such-thing", &token).await,
        app.request(Method::DELETE, "/api/v1/member-states", Some(&token))
            .send()
            .await
            .unwrap(),
        app.try_sign_in(ADMIN, ADMIN_PASSWORD).await,
        app.try_sign_in(ADMIN, "a wrong passphrase").await,
    ] {
        let url = res.url().to_string();
        assert_eq!(
            header(&res, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{url}"
        );
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("no-store"),
            "{url}"
        );
    }
    for path in [
        "/health/live",
        "/metrics",
        "/api-docs/openapi.json",
        "/api/v1/member-states",
    ] {
        let res = anonymous(path).await.unwrap();
        assert_eq!(
            header(&res, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert!(header(&res, "content-security-policy").is_none(), "{path}");
    }
}

#[tokio::test]
async fn swagger_ui_has_a_restrictive_csp_and_no_framing_and_loads_only_its_own_assets() {
    let app = spawn_app().await;
    let res = app
        .request(Method::GET, "/swagger-ui/", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = header(&res, "content-security-policy").unwrap_or_default();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    assert_eq!(header(&res, "x-frame-options").as_deref(), Some("DENY"));
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "offline: {html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-initializer.js",
        "swagger-ui.css",
    ] {
        let res = app
            .request(Method::GET, &format!("/swagger-ui/{asset}"), None)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{asset}");
        assert_eq!(
            header(&res, "x-frame-options").as_deref(),
            Some("DENY"),
            "{asset}"
        );
    }
    // The initializer fetches the document from this origin.
    let js = app
        .request(Method::GET, "/swagger-ui/swagger-initializer.js", None)
        .send()
        .await
        .unwrap();
    let js = js.text().await.unwrap();
    assert!(js.contains("\"/api-docs/openapi.json\""), "{js}");
    let spec: Value = app
        .request(Method::GET, "/api-docs/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["paths"].is_object());
}
