//! Dashboards that poll the value list: each JSON page carries an `ETag`, `If-None-Match` with it
//! is a 304 while nothing was written, and a page kept by one server is never served after a
//! write through another server on the same database, nor to a caller no longer allowed to read.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const PAGE: &str = "/api/v1/indicator-values?indicator=VICTIMS_DETECTED&member_state=ARG";

fn total(period: &str, value: u64) -> Value {
    json!({"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": period, "value": value})
}

async fn push_to(app: &TestApp, server: &str, values: Value) {
    let res = app
        .client
        .post(format!("{server}/api/v1/indicator-values/batch"))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "values": values }))
        .send()
        .await
        .expect("batch");
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
}

/// The page's status, `ETag` and (period, value) of its items.
async fn read(
    app: &TestApp,
    token: &str,
    held: Option<&str>,
) -> (StatusCode, String, Vec<(String, u64)>) {
    let mut rb = app.request(Method::GET, PAGE, Some(token));
    if let Some(tag) = held {
        rb = rb.header("If-None-Match", tag);
    }
    let res = rb.send().await.expect("page");
    let status = res.status();
    let tag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = res.text().await.expect("body");
    let items = match status {
        StatusCode::OK => serde_json::from_str::<Value>(&text).expect("json")["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|v| {
                (
                    v["period"].as_str().unwrap_or("").to_string(),
                    v["value"].as_u64().unwrap_or(0),
                )
            })
            .collect(),
        StatusCode::NOT_MODIFIED => {
            assert!(text.is_empty(), "a 304 has no body: {text}");
            Vec::new()
        }
        _ => Vec::new(),
    };
    (status, tag, items)
}

#[tokio::test]
async fn a_polled_page_is_304_until_a_write_through_any_server_and_then_shows_it() {
    for page_cache_mb in [32, 0] {
        let app = spawn_app_with(|s| s.page_cache_mb = page_cache_mb).await;
        let twin = app.twin();
        push_to(&app, &app.address, json!([total("2019", 10)])).await;

        let (status, tag, items) = read(&app, &app.admin_token, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(tag.starts_with('"') && tag.len() > 2, "a strong tag: {tag}");
        assert_eq!(items, [("2019".to_string(), 10)]);
        // Read again (served as kept), then revalidated: unchanged.
        assert_eq!(read(&app, &app.admin_token, None).await.2, items);
        let (status, again, _) = read(&app, &app.admin_token, Some(&tag)).await;
        assert_eq!(
            (status, again.as_str()),
            (StatusCode::NOT_MODIFIED, tag.as_str())
        );
        let weak = format!("\"other\", W/{tag}");
        assert_eq!(
            read(&app, &app.admin_token, Some(&weak)).await.0,
            StatusCode::NOT_MODIFIED
        );

        // A new value and a changed one, written through the other server.
        push_to(&app, &twin, json!([total("2019", 12), total("2020", 11)])).await;
        let (status, changed, items) = read(&app, &app.admin_token, Some(&tag)).await;
        assert_eq!(status, StatusCode::OK, "cache {page_cache_mb} MiB");
        assert_ne!(changed, tag);
        assert_eq!(
            items,
            [("2019".to_string(), 12), ("2020".to_string(), 11)],
            "cache {page_cache_mb} MiB"
        );
        assert_eq!(read(&app, &app.admin_token, None).await.2, items);

        // A deletion through the other server is a write too.
        let id = app
            .stored_values("indicator=VICTIMS_DETECTED&period_from=2020")
            .await[0]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let res = app
            .client
            .delete(format!("{twin}/api/v1/indicator-values/{id}"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("delete");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (status, _, items) = read(&app, &app.admin_token, Some(&changed)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(items, [("2019".to_string(), 12)]);
    }
}

#[tokio::test]
async fn a_kept_page_is_not_served_or_revalidated_for_a_revoked_caller() {
    let app = spawn_app().await;
    push_to(&app, &app.address, json!([total("2019", 10)])).await;
    let name = "polling-viewer";
    let id = app.create_user(name, "viewer", None).await;
    let viewer = app.sign_in(name, PASSWORD).await;
    let (status, tag, _) = read(&app, &viewer, None).await;
    assert_eq!(status, StatusCode::OK);

    app.deactivate(&id).await;
    // Deactivating the user was a write, but the admin's page at the new head is kept again
    // before the viewer asks: the viewer is refused by the check, not by a missed page.
    assert_eq!(read(&app, &app.admin_token, None).await.0, StatusCode::OK);
    assert_eq!(read(&app, &viewer, None).await.0, StatusCode::UNAUTHORIZED);
    let (_, current, _) = read(&app, &app.admin_token, None).await;
    assert_eq!(
        read(&app, &viewer, Some(&current)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_ne!(current, tag);
}
