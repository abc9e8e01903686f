//! Work plans: WP2 exactly as the reference fixture (aims, principles, sections, the 60
//! guidelines, the 13 mandates), paging and filtering of guidelines, and admin-only creation of
//! plans to come with validation, conflicts and audit.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const BASE: &str = "/api/v1/work-plans";

fn fixture() -> Value {
    serde_json::from_str(include_str!("../fixtures/work-plan-2.json")).expect("fixture is JSON")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list in {v}"))
}

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn json_ok(res: Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{what}: {body}");
    body
}

/// A valid new plan, for the POST tests.
fn wp3() -> Value {
    json!({
        "code": "WP3",
        "title": "Third Work Plan against Trafficking in Persons in the Western Hemisphere",
        "period_start": "2021-01-01",
        "period_end": "2025-12-31",
        "note": "Adopted for 2021-2025.",
        "aims": ["To promote interagency cooperation.", "To strengthen victim assistance."],
        "principles": ["Respect for human dignity;"],
        "sections": [
            {"key": "general", "title": "General guidelines"},
            {"key": "prevention", "title": "Guidelines on prevention"}
        ],
        "guidelines": [
            {"number": 1, "section": "general", "text": "Establish and strengthen legislation."},
            {"number": 2, "section": "prevention", "text": "Run awareness campaigns."},
            {"number": 3, "section": "prevention", "text": "Train labour inspectors."}
        ],
        "mandates": [{"number": 1, "text": "Develop training materials."}]
    })
}

#[tokio::test]
async fn the_list_of_work_plans_includes_wp2() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    let page = json_ok(app.get(BASE, &token).await, "work plans").await;
    let plans = list(&page, "items");
    let wp2 = plans
        .iter()
        .find(|p| p["code"] == "WP2")
        .unwrap_or_else(|| panic!("WP2 is listed: {page}"));
    assert_eq!(wp2["title"], want["title"], "WP2 title");
    assert_eq!(wp2["period_start"], want["period_start"], "WP2 start");
    assert_eq!(wp2["period_end"], want["period_end"], "WP2 end");
    assert!(page["next_cursor"].is_null(), "one page: {page}");
}

#[tokio::test]
async fn wp2_has_the_fixtures_aims_principles_and_sections_and_an_etag() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    let res = app.get(&format!("{BASE}/WP2"), &token).await;
    let etag = header(&res, "etag").expect("ETag header on a single work plan");
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong ETag, got {etag:?}"
    );
    let plan = json_ok(res, "WP2").await;
    for key in [
        "code",
        "title",
        "period_start",
        "period_end",
        "note",
        "aims",
        "principles",
        "sections",
    ] {
        assert_eq!(plan[key], want[key], "WP2 {key}");
    }
    assert_eq!(list(&plan, "sections").len(), 4, "four sections");
    assert_eq!(list(&plan, "aims").len(), 6, "six aims");
    assert_eq!(list(&plan, "principles").len(), 7, "seven principles");

    let again = app.get(&format!("{BASE}/WP2"), &token).await;
    assert_eq!(
        header(&again, "etag").as_deref(),
        Some(etag.as_str()),
        "the ETag is stable while the plan does not change"
    );
}

#[tokio::test]
async fn the_60_guidelines_of_wp2_are_the_fixtures_word_for_word() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    let page = json_ok(
        app.get(&format!("{BASE}/WP2/guidelines?limit=100"), &token)
            .await,
        "all guidelines",
    )
    .await;
    let got = list(&page, "items");
    let expected = list(&want, "guidelines");
    assert_eq!(got.len(), 60, "60 guidelines");
    assert_eq!(expected.len(), 60, "the fixture has 60 guidelines");
    for (g, w) in got.iter().zip(expected) {
        let n = &w["number"];
        assert_eq!(g["number"], *n, "guidelines in number order");
        assert_eq!(g["work_plan"], "WP2", "guideline {n} belongs to WP2");
        assert_eq!(g["section"], w["section"], "section of guideline {n}");
        assert_eq!(g["text"], w["text"], "text of guideline {n}");
    }
    assert!(page["next_cursor"].is_null(), "no next page after all 60");
}

#[tokio::test]
async fn guidelines_page_by_50_by_default() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let res = app.get(&format!("{BASE}/WP2/guidelines"), &token).await;
    let link = header(&res, "link");
    let first = json_ok(res, "first page").await;
    assert_eq!(list(&first, "items").len(), 50, "default page size is 50");
    let cursor = first["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("next_cursor after 50 of 60: {}", first["next_cursor"]));
    assert!(
        link.as_deref().is_some_and(|l| l.contains("rel=\"next\"")),
        "Link rel=next on the first page: {link:?}"
    );
    let second = json_ok(
        app.get(&format!("{BASE}/WP2/guidelines?cursor={cursor}"), &token)
            .await,
        "second page",
    )
    .await;
    let items = list(&second, "items");
    assert_eq!(items.len(), 10, "the second page has the last 10");
    let numbers: Vec<i64> = items.iter().filter_map(|g| g["number"].as_i64()).collect();
    assert_eq!(numbers, (51..=60).collect::<Vec<i64>>(), "guidelines 51-60");
    assert!(
        second["next_cursor"].is_null(),
        "nothing after the second page"
    );
}

#[tokio::test]
async fn the_section_filter_returns_exactly_that_sections_guidelines() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    for section in list(&want, "sections") {
        let key = section["key"].as_str().expect("section key");
        let expected: Vec<&Value> = list(&want, "guidelines")
            .iter()
            .filter(|g| g["section"] == key)
            .collect();
        let page = json_ok(
            app.get(
                &format!("{BASE}/WP2/guidelines?limit=100&section={key}"),
                &token,
            )
            .await,
            key,
        )
        .await;
        let got = list(&page, "items");
        assert_eq!(got.len(), expected.len(), "{key}: count");
        for (g, w) in got.iter().zip(&expected) {
            assert_eq!(
                (&g["number"], &g["section"], &g["text"]),
                (&w["number"], &w["section"], &w["text"]),
                "{key}: guideline"
            );
        }
    }
    let prevention = list(&want, "guidelines")
        .iter()
        .filter(|g| g["section"] == "prevention")
        .count();
    assert_eq!(prevention, 12, "the fixture has 12 prevention guidelines");

    let res = app
        .get(&format!("{BASE}/WP2/guidelines?section=astrology"), &token)
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["section".to_string()],
        "unknown section: {problem}"
    );
}

#[tokio::test]
async fn one_guideline_by_number() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    let expected = list(&want, "guidelines")
        .iter()
        .find(|g| g["number"] == 45)
        .expect("guideline 45 in the fixture");
    let got = json_ok(
        app.get(&format!("{BASE}/WP2/guidelines/45"), &token).await,
        "guideline 45",
    )
    .await;
    assert_eq!(got["text"], expected["text"], "text of guideline 45");
    assert_eq!(got["section"], expected["section"], "section of 45");
    assert_eq!(got["number"], 45, "number of 45");

    let res = app.get(&format!("{BASE}/WP2/guidelines/61"), &token).await;
    assert_problem(res, 404).await;

    for bad in ["abc", "0", "-1", "4.5"] {
        let res = app
            .get(&format!("{BASE}/WP2/guidelines/{bad}"), &token)
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["number".to_string()],
            "guideline {bad}: {problem}"
        );
    }
}

#[tokio::test]
async fn the_13_mandates_are_the_fixtures() {
    let app = spawn_app().await;
    let want = fixture();
    let token = app.viewer().await;
    let page = json_ok(
        app.get(&format!("{BASE}/WP2/mandates"), &token).await,
        "mandates",
    )
    .await;
    let got = list(&page, "items");
    let expected = list(&want, "mandates_to_general_secretariat");
    assert_eq!(got.len(), 13, "13 mandates");
    assert_eq!(expected.len(), 13, "the fixture has 13 mandates");
    for (g, w) in got.iter().zip(expected) {
        assert_eq!(g["number"], w["number"], "mandates in number order");
        assert_eq!(g["text"], w["text"], "text of mandate {}", w["number"]);
        assert_eq!(g["work_plan"], "WP2", "mandate {} of WP2", w["number"]);
    }
    assert!(page["next_cursor"].is_null(), "one page of mandates");
}

#[tokio::test]
async fn an_unknown_work_plan_is_404_everywhere() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    for path in [
        format!("{BASE}/WP9"),
        format!("{BASE}/WP9/guidelines"),
        format!("{BASE}/WP9/guidelines/1"),
        format!("{BASE}/WP9/mandates"),
    ] {
        let res = app.get(&path, &token).await;
        assert_problem(res, 404).await;
    }
}

#[tokio::test]
async fn work_plans_require_a_token() {
    let app = spawn_app().await;
    for path in [BASE.to_string(), format!("{BASE}/WP2/guidelines")] {
        let res = app
            .request(Method::GET, &path, None)
            .send()
            .await
            .expect("request");
        assert_problem(res, 401).await;
    }
}

#[tokio::test]
async fn an_admin_adds_a_work_plan_once_with_one_audit_event() {
    let app = spawn_app().await;
    let body = wp3();
    let res = app
        .send_json(Method::POST, BASE, Some(&app.admin_token), &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "admin creates WP3");
    assert_eq!(
        header(&res, "location").as_deref(),
        Some("/api/v1/work-plans/WP3"),
        "Location of the new plan"
    );
    let created: Value = res.json().await.expect("json");
    assert_eq!(created["code"], "WP3", "created body: {created}");
    assert_eq!(created["version"], 1, "first version: {created}");

    let token = app.viewer().await;
    let res = app.get("/api/v1/work-plans/WP3", &token).await;
    assert!(header(&res, "etag").is_some(), "WP3 has an ETag");
    let plan = json_ok(res, "WP3").await;
    for key in [
        "code",
        "title",
        "period_start",
        "period_end",
        "note",
        "aims",
        "principles",
        "sections",
    ] {
        assert_eq!(plan[key], body[key], "WP3 {key}");
    }

    let page = json_ok(
        app.get("/api/v1/work-plans/WP3/guidelines", &token).await,
        "WP3 guidelines",
    )
    .await;
    let got = list(&page, "items");
    assert_eq!(got.len(), 3, "three guidelines: {page}");
    for (g, w) in got.iter().zip(list(&body, "guidelines")) {
        assert_eq!(
            (&g["number"], &g["section"], &g["text"], &g["work_plan"]),
            (&w["number"], &w["section"], &w["text"], &json!("WP3")),
            "WP3 guideline"
        );
    }
    let page = json_ok(
        app.get(
            "/api/v1/work-plans/WP3/guidelines?section=prevention",
            &token,
        )
        .await,
        "WP3 prevention",
    )
    .await;
    assert_eq!(list(&page, "items").len(), 2, "WP3 prevention guidelines");
    let page = json_ok(
        app.get("/api/v1/work-plans/WP3/mandates", &token).await,
        "WP3 mandates",
    )
    .await;
    assert_eq!(list(&page, "items").len(), 1, "WP3 mandates");

    let page = json_ok(app.get(BASE, &token).await, "plans").await;
    let plan_codes: Vec<&str> = list(&page, "items")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(plan_codes, vec!["WP2", "WP3"], "both plans, by code");

    assert_eq!(
        app.audit_count("work_plan", "WP3"),
        1,
        "one audit event for the creation"
    );

    let res = app
        .send_json(Method::POST, BASE, Some(&app.admin_token), &body)
        .await;
    assert_problem(res, 409).await;
    assert_eq!(
        app.audit_count("work_plan", "WP3"),
        1,
        "the refused duplicate records nothing"
    );
}

#[tokio::test]
async fn reporters_and_viewers_may_not_add_work_plans() {
    let app = spawn_app().await;
    let reporter = app.reporter("ARG").await;
    let viewer = app.viewer().await;
    for (who, token) in [("reporter", &reporter), ("viewer", &viewer)] {
        let res = app.send_json(Method::POST, BASE, Some(token), &wp3()).await;
        let problem = assert_problem(res, 403).await;
        assert_eq!(problem["status"], 403, "{who}: {problem}");
    }
    let res = app.get("/api/v1/work-plans/WP3", &viewer).await;
    assert_problem(res, 404).await;
    assert_eq!(
        app.audit_count("work_plan", "WP3"),
        0,
        "nothing was audited"
    );
}

#[tokio::test]
async fn invalid_new_work_plans_are_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();

    let mut undeclared = wp3();
    undeclared["guidelines"][0]["section"] = json!("protection");
    let mut reversed = wp3();
    reversed["period_start"] = json!("2025-01-01");
    reversed["period_end"] = json!("2021-12-31");
    let mut impossible = wp3();
    impossible["period_start"] = json!("2021-02-30");
    let mut lower = wp3();
    lower["code"] = json!("wp3");
    let mut no_guidelines = wp3();
    no_guidelines["guidelines"] = json!([]);
    let mut unknown = wp3();
    unknown["guidelines"][1]["colour"] = json!("red");

    let mut sloppy = Vec::new();
    for date in [
        "2021-1-1",
        " 2021-01-01",
        "+2021-01-01",
        "2021-01-01T00:00:00Z",
        "01/02/2021",
    ] {
        let mut body = wp3();
        body["period_start"] = json!(date);
        sloppy.push(body);
    }
    let mut cases = vec![
        ("undeclared section", undeclared, "/guidelines/0/section"),
        ("period_end before period_start", reversed, "/period_end"),
        ("impossible date", impossible, "/period_start"),
        ("lower-case code", lower, "/code"),
        ("no guidelines", no_guidelines, "/guidelines"),
        ("unknown guideline field", unknown, "/guidelines/1/colour"),
    ];
    for body in sloppy {
        cases.push(("date not written YYYY-MM-DD", body, "/period_start"));
    }
    for (what, body, field) in cases {
        let res = app.send_json(Method::POST, BASE, Some(&token), &body).await;
        let problem = assert_problem(res, 422).await;
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{what}: expected {field} in {problem}"
        );
    }

    let mut duplicate = wp3();
    duplicate["guidelines"][2]["number"] = json!(2);
    let res = app
        .send_json(Method::POST, BASE, Some(&token), &duplicate)
        .await;
    let problem = assert_problem(res, 422).await;
    assert!(
        fields(&problem)
            .iter()
            .any(|f| f.starts_with("/guidelines/") && f.ends_with("/number")),
        "duplicate guideline numbers: {problem}"
    );

    let res = app.get("/api/v1/work-plans/WP3", &token).await;
    assert_problem(res, 404).await;
    assert_eq!(
        app.audit_count("work_plan", "WP3"),
        0,
        "no invalid plan was recorded"
    );
}

#[tokio::test]
async fn concurrent_creations_of_one_plan_make_exactly_one() {
    let app = spawn_app().await;
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let request = app
                .request(Method::POST, BASE, Some(&app.admin_token))
                .json(&wp3());
            tokio::spawn(async move { request.send().await.expect("request") })
        })
        .collect();
    let mut created = 0;
    for handle in handles {
        let res = handle.await.expect("request task");
        match res.status().as_u16() {
            201 => created += 1,
            409 => {
                assert_problem(res, 409).await;
            }
            other => panic!("a racing creation answered {other}"),
        }
    }
    assert_eq!(created, 1, "exactly one racing creation wins");
    assert_eq!(
        app.audit_count("work_plan", "WP3"),
        1,
        "one audit event for the one creation"
    );
    let page: Value = app
        .get("/api/v1/work-plans/WP3/guidelines", &app.admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list(&page, "items").len(),
        3,
        "the winner's guidelines, once: {page}"
    );
}
