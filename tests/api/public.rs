//! The public view: validated data only, confidential values never, small counts withheld with
//! enough other cells that none can be recomputed; cacheable, throttled, no token.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const VALUES: &str = "/api/v1/public/indicator-values";

async fn transition(app: &TestApp, state: &str, action: &str) {
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/reporting-cycles/2019-2020/submissions/{state}/{action}"),
            Some(&app.admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{action} {state}");
}

async fn validate(app: &TestApp, state: &str) {
    transition(app, state, "submit").await;
    transition(app, state, "validate").await;
}

fn v(state: &str, disaggregation: Value, value: Value) -> Value {
    json!({"member_state": state, "indicator": "VICTIMS_DETECTED", "period": "2019",
        "disaggregation": disaggregation, "value": value})
}

/// ARG's 2019 victims: a total of 40 broken down by sex (female 3, a small count), by age group,
/// by citizenship and by form of exploitation (one of them confidential), and one cross-tab.
fn argentina() -> Vec<Value> {
    let mut confidential = v(
        "ARG",
        json!({"form_of_exploitation": "sexual_exploitation"}),
        json!(null),
    );
    confidential["flag"] = json!("confidential");
    vec![
        v("ARG", json!({}), json!(40)),
        v("ARG", json!({"sex": "female"}), json!(3)),
        v("ARG", json!({"sex": "male"}), json!(20)),
        v("ARG", json!({"sex": "unknown"}), json!(17)),
        v("ARG", json!({"age_group": "child"}), json!(15)),
        v("ARG", json!({"age_group": "adult"}), json!(25)),
        v("ARG", json!({"citizenship": "national"}), json!(30)),
        v("ARG", json!({"citizenship": "foreign"}), json!(10)),
        confidential,
        v(
            "ARG",
            json!({"form_of_exploitation": "forced_labour"}),
            json!(28),
        ),
        v("ARG", json!({"form_of_exploitation": "other"}), json!(12)),
        v(
            "ARG",
            json!({"sex": "female", "age_group": "child"}),
            json!(2),
        ),
    ]
}

async fn import(app: &TestApp, values: Vec<Value>) {
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/indicator-values/batch",
            Some(&app.admin_token),
            &json!({ "values": values }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "batch imported");
}

async fn public_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.request(Method::GET, path, None)
        .send()
        .await
        .expect("request")
}

/// A conditional read of the value list.
async fn revalidate(app: &TestApp, etag: &str) -> reqwest::Response {
    app.request(Method::GET, VALUES, None)
        .header("If-None-Match", etag)
        .send()
        .await
        .expect("request")
}

async fn items(app: &TestApp, query: &str) -> Vec<Value> {
    let res = public_get(app, &format!("{VALUES}?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "public list of {query}");
    let body: Value = res.json().await.expect("json");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// The disaggregation of an item as `dimension=code` (`""` for the total).
fn cell(item: &Value) -> String {
    item["disaggregation"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(d, c)| format!("{d}={}", c.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default()
}

/// Asserts that no equation "total = sum by one dimension" of the items holds exactly one
/// withheld cell: none can then be recomputed from the shown total and its shown siblings.
fn assert_nothing_recomputable(items: &[Value]) {
    let total_withheld = items
        .iter()
        .find(|i| cell(i).is_empty())
        .is_none_or(|t| t["value"].is_null());
    let mut withheld: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        let c = cell(i);
        if let Some((dim, _)) = c.split_once('=') {
            *withheld.entry(dim.to_string()).or_default() += usize::from(i["value"].is_null());
        }
    }
    for (dim, n) in withheld {
        let held = n + usize::from(total_withheld);
        assert_ne!(
            held, 1,
            "one withheld cell by {dim} can be recomputed: {items:?}"
        );
    }
}

fn by_cell(items: &[Value]) -> BTreeMap<String, Value> {
    items.iter().map(|i| (cell(i), i.clone())).collect()
}

#[tokio::test]
async fn a_public_read_shows_nothing_before_validation_and_then_withholds_a_small_count_with_enough_others(
) {
    let app = spawn_app().await;
    open_cycle(&app).await;
    import(&app, argentina()).await;
    import(&app, vec![v("BRA", json!({}), json!(500))]).await;
    assert!(
        items(&app, "").await.is_empty(),
        "nothing before submission"
    );
    transition(&app, "ARG", "submit").await;
    assert!(
        items(&app, "").await.is_empty(),
        "nothing while only submitted"
    );
    transition(&app, "ARG", "validate").await;

    let all = items(&app, "indicator=VICTIMS_DETECTED").await;
    assert!(
        all.iter().all(|i| i["member_state"] == "ARG"),
        "BRA's submission is not validated: {all:?}"
    );
    let cells = by_cell(&all);
    assert!(
        !cells.contains_key("age_group=child;sex=female"),
        "cross-tabulations are never public"
    );
    assert_eq!(cells.len(), 11, "the total and every one-dimension cell");
    assert_eq!(cells[""]["value"], 40, "the total is shown");
    let female = &cells["sex=female"];
    assert!(female["value"].is_null(), "a count of 3 is withheld");
    assert_eq!(female["flag"], "suppressed");
    assert!(
        cells["sex=unknown"]["value"].is_null(),
        "its smallest sibling (17) is withheld with it, so 40 - 20 does not give 3"
    );
    assert_eq!(cells["sex=male"]["value"], 20);
    for shown in ["age_group=child", "age_group=adult", "citizenship=national"] {
        assert!(cells[shown]["value"].is_number(), "{shown} is shown");
    }
    let confidential = &cells["form_of_exploitation=sexual_exploitation"];
    assert!(confidential["value"].is_null());
    assert_eq!(confidential["flag"], "suppressed");
    assert!(
        cells["form_of_exploitation=other"]["value"].is_null(),
        "the confidential cell's smallest sibling goes too"
    );
    assert!(
        all.iter().all(|i| i["flag"] != "confidential"),
        "no flag says confidential"
    );
    assert!(
        all.iter()
            .all(|i| i.get("reported_by").is_none() && i.get("comment").is_none()),
        "nothing about who reported"
    );
    assert_nothing_recomputable(&all);

    // A filter or a page shows a cell as the whole group has it.
    let female = items(&app, "indicator=VICTIMS_DETECTED&sex=female").await;
    assert_eq!(female.len(), 1);
    assert!(female[0]["value"].is_null(), "withheld under a filter too");
    let mut cursor: Option<String> = None;
    let mut paged = Vec::new();
    loop {
        let path = match &cursor {
            None => format!("{VALUES}?limit=2"),
            Some(c) => format!("{VALUES}?limit=2&cursor={c}"),
        };
        let body: Value = public_get(&app, &path).await.json().await.expect("json");
        paged.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all, "pages of two show what one page shows");

    assert_problem(
        public_get(&app, &format!("{VALUES}?flag=confidential")).await,
        422,
    )
    .await;
    assert_problem(
        public_get(&app, &format!("{VALUES}?include_deleted=true")).await,
        422,
    )
    .await;
}

#[tokio::test]
async fn the_public_view_needs_no_token_ignores_one_and_is_cacheable() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    import(&app, argentina()).await;
    validate(&app, "ARG").await;

    let res = public_get(&app, VALUES).await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(cache.starts_with("public, max-age="), "cacheable: {cache}");
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let plain: Value = res.json().await.unwrap();

    // A token, even a bad one, changes nothing: the answer is everyone's.
    let res = app
        .request(Method::GET, VALUES, Some("not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a bad token is not looked at");
    assert_ne!(
        res.headers()["cache-control"].to_str().unwrap(),
        "no-store",
        "no no-store on public answers"
    );
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(res.json::<Value>().await.unwrap(), plain);

    let res = revalidate(&app, &etag).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(res.bytes().await.unwrap().is_empty(), "304 has no body");

    // New public data: a new tag, so the old one no longer matches.
    transition(&app, "ARG", "reopen").await;
    import(&app, vec![v("ARG", json!({}), json!(41))]).await;
    validate(&app, "ARG").await;
    let res = revalidate(&app, &etag).await;
    assert_eq!(res.status(), StatusCode::OK, "changed data is sent again");
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn an_address_past_its_budget_is_answered_429_with_retry_after() {
    let app = spawn_app_with(|s| s.public_rate_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(public_get(&app, VALUES).await.status(), StatusCode::OK);
    }
    let res = public_get(&app, "/api/v1/public/reports/biennial?cycle=2019-2020").await;
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry.is_some_and(|s| s >= 1), "Retry-After in seconds");
    assert_problem(res, 429).await;
    let viewer = app.viewer().await;
    assert_eq!(
        app.get("/api/v1/indicator-values", &viewer).await.status(),
        StatusCode::OK,
        "the authenticated API is not throttled by it"
    );
}

#[tokio::test]
async fn the_public_biennial_report_sums_only_shown_totals() {
    let app = spawn_app().await;
    open_cycle(&app).await;
    import(&app, argentina()).await;
    import(
        &app,
        vec![
            v("BRA", json!({}), json!(3)),
            v("CHL", json!({}), json!(100)),
        ],
    )
    .await;
    validate(&app, "ARG").await;
    validate(&app, "BRA").await;

    let res = public_get(&app, "/api/v1/public/reports/biennial?cycle=2019-2020").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("etag"));
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["hemisphere"]["validated"], 2);
    let states = report["member_states"].as_array().unwrap();
    assert_eq!(states.len(), 35);
    let year = report["hemisphere"]["count_totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == "VICTIMS_DETECTED" && t["year"] == 2019)
        .cloned()
        .expect("a 2019 total");
    // BRA's 3 is withheld in the list: the sum holds only ARG's shown 40 (CHL is not validated),
    // so the sum minus the shown totals gives nothing away.
    let bra = items(&app, "member_state=BRA").await;
    assert!(bra[0]["value"].is_null(), "BRA's 3 is withheld");
    let shown: u64 = items(&app, "indicator=VICTIMS_DETECTED")
        .await
        .iter()
        .filter(|i| cell(i).is_empty())
        .filter_map(|i| i["value"].as_u64())
        .sum();
    assert_eq!(year["total"], 40);
    assert_eq!(
        year["total"].as_u64(),
        Some(shown),
        "the sum of the shown totals"
    );
    assert_eq!(year["states"], 1);
    assert_eq!(year["withheld"], 1);
    let whole = &report["hemisphere"]["cycle_count_totals"][0];
    assert_eq!(whole["total"], 40);

    assert_problem(
        public_get(&app, "/api/v1/public/reports/biennial?cycle=1999-2000").await,
        404,
    )
    .await;
}
