//! The 35 OAS member states: exactly the reference fixture, in code order, paginated, filtered by
//! subregion, named in the language negotiated by `Accept-Language`.

use std::collections::HashSet;

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::*;

const BASE: &str = "/api/v1/member-states";

/// The fixture's member states, sorted by code (the list's documented order).
fn fixture() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("../fixtures/member-states.json"))
        .expect("fixture is JSON");
    let mut states = doc["member_states"]
        .as_array()
        .expect("fixture has member_states")
        .clone();
    states.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    assert_eq!(states.len(), 35, "the fixture lists the 35 member states");
    states
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

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("page has items")
}

fn codes(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|s| s["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Checks one member state of the API against its fixture entry.
fn assert_matches_fixture(got: &Value, want: &Value) {
    let code = want["code"].as_str().unwrap_or("?");
    assert_eq!(got["code"], want["code"], "code of {code}");
    assert_eq!(got["alpha2"], want["alpha2"], "alpha2 of {code}");
    assert_eq!(got["m49"], want["m49"], "m49 of {code}");
    for lang in ["en", "es", "fr", "pt"] {
        assert_eq!(
            got["names"][lang], want["name"][lang],
            "{lang} name of {code}"
        );
    }
    assert_eq!(got["subregion"], want["subregion"], "subregion of {code}");
    assert_eq!(
        got["membership"]["status"], want["membership"]["status"],
        "membership status of {code}"
    );
    assert_eq!(
        got["membership"]["since"], want["membership"]["since"],
        "membership since of {code}"
    );
    assert_eq!(
        got["name"], want["name"]["en"],
        "name of {code} defaults to English"
    );
}

#[tokio::test]
async fn viewers_and_reporters_see_exactly_the_35_states_of_the_fixture_in_code_order() {
    let app = spawn_app().await;
    let want = fixture();
    for (who, token) in [
        ("viewer", app.viewer().await),
        ("reporter", app.reporter("ARG").await),
    ] {
        let page = json_ok(
            app.get(&format!("{BASE}?limit=1000"), &token).await,
            &format!("list as {who}"),
        )
        .await;
        let got = items(&page);
        assert_eq!(
            codes(got),
            codes(&want),
            "{who} sees every state, in code order"
        );
        for (g, w) in got.iter().zip(&want) {
            assert_matches_fixture(g, w);
        }
        assert!(
            page["next_cursor"].is_null(),
            "{who}: one page holds all 35: {}",
            page["next_cursor"]
        );
    }
}

#[tokio::test]
async fn default_page_holds_all_35_with_no_next_cursor_and_no_link() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let res = app.get(BASE, &token).await;
    assert_eq!(
        header(&res, "link"),
        None,
        "no Link header when there is no next page"
    );
    let page = json_ok(res, "default page").await;
    assert_eq!(items(&page).len(), 35, "default limit 50 covers all states");
    assert!(
        page.get("next_cursor").is_some_and(Value::is_null),
        "next_cursor is present and null: {page}"
    );
}

#[tokio::test]
async fn limit_10_pages_through_all_35_exactly_once_by_cursor_and_by_link() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let want = codes(&fixture());

    // By next_cursor.
    let mut seen: Vec<String> = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            None => format!("{BASE}?limit=10"),
            Some(c) => format!("{BASE}?limit=10&cursor={c}"),
        };
        let res = app.get(&path, &token).await;
        let link = header(&res, "link");
        let page = json_ok(res, &path).await;
        sizes.push(items(&page).len());
        seen.extend(codes(items(&page)));
        cursor = page["next_cursor"].as_str().map(str::to_string);
        match &cursor {
            Some(c) => {
                let link = link.expect("Link header while there are more pages");
                assert!(
                    link.contains("rel=\"next\""),
                    "Link {link:?} has rel=\"next\""
                );
                assert!(
                    link.contains(&format!("cursor={c}")),
                    "Link {link:?} carries next_cursor {c}"
                );
                assert!(link.contains("limit=10"), "Link {link:?} keeps the limit");
            }
            None => {
                assert_eq!(link, None, "no Link header on the last page");
                break;
            }
        }
    }
    assert_eq!(sizes, vec![10, 10, 10, 5], "page sizes");
    assert_eq!(seen, want, "every state once, in order");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 35, "no state twice");

    // By following the Link header itself.
    let mut seen = Vec::new();
    let mut next = Some(format!("{BASE}?limit=10"));
    let mut pages = 0;
    while let Some(path) = next.take() {
        pages += 1;
        assert!(pages <= 10, "Link pagination terminates");
        let res = app.get(&path, &token).await;
        next = header(&res, "link").map(|l| {
            let target = l
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(t, _)| t.to_string())
                .expect("Link has <target>");
            target
                .strip_prefix(&app.address)
                .map_or(target.clone(), str::to_string)
        });
        let page = json_ok(res, &path).await;
        seen.extend(codes(items(&page)));
    }
    assert_eq!(
        seen, want,
        "Link pagination sees every state once, in order"
    );
}

#[tokio::test]
async fn accept_language_selects_the_name_and_content_language_says_which() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let want = fixture();
    for (asked, used) in [
        ("es", "es"),
        ("fr", "fr"),
        ("pt", "pt"),
        ("en", "en"),
        ("de", "en"),
        ("pt-BR,pt;q=0.9", "pt"),
        ("de-DE, fr;q=0.5", "fr"),
    ] {
        let res = app
            .request(Method::GET, &format!("{BASE}?limit=1000"), Some(&token))
            .header("accept-language", asked)
            .send()
            .await
            .expect("request");
        assert_eq!(
            header(&res, "content-language").as_deref(),
            Some(used),
            "Accept-Language {asked:?}"
        );
        let page = json_ok(res, asked).await;
        for (g, w) in items(&page).iter().zip(&want) {
            assert_eq!(
                g["name"], w["name"][used],
                "Accept-Language {asked:?}: name of {}",
                w["code"]
            );
            assert_eq!(
                g["names"]["en"], w["name"]["en"],
                "names stay complete whatever the language"
            );
        }
    }
    let res = app.get(BASE, &token).await;
    assert_eq!(
        header(&res, "content-language").as_deref(),
        Some("en"),
        "no Accept-Language means English"
    );

    let res = app
        .request(Method::GET, &format!("{BASE}/ARG"), Some(&token))
        .header("accept-language", "fr")
        .send()
        .await
        .expect("request");
    assert_eq!(
        header(&res, "content-language").as_deref(),
        Some("fr"),
        "single state: Content-Language"
    );
    let arg = json_ok(res, "ARG in French").await;
    assert_eq!(arg["name"], "Argentine", "ARG in French: {arg}");
}

#[tokio::test]
async fn subregion_filter_returns_only_that_subregion() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let want = fixture();
    for subregion in [
        "caribbean",
        "south_america",
        "central_america",
        "north_america",
    ] {
        let expected: Vec<Value> = want
            .iter()
            .filter(|s| s["subregion"] == subregion)
            .cloned()
            .collect();
        let page = json_ok(
            app.get(&format!("{BASE}?subregion={subregion}"), &token)
                .await,
            subregion,
        )
        .await;
        let got = items(&page);
        assert!(
            got.iter().all(|s| s["subregion"] == subregion),
            "{subregion}: only that subregion: {:?}",
            codes(got)
        );
        assert_eq!(
            codes(got),
            codes(&expected),
            "{subregion}: the fixture's states"
        );
    }
    let caribbean = want
        .iter()
        .filter(|s| s["subregion"] == "caribbean")
        .count();
    assert_eq!(caribbean, 13, "the fixture has 13 Caribbean states");

    // Filter and pagination together.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            None => format!("{BASE}?subregion=caribbean&limit=5"),
            Some(c) => format!("{BASE}?subregion=caribbean&limit=5&cursor={c}"),
        };
        let page = json_ok(app.get(&path, &token).await, &path).await;
        seen.extend(codes(items(&page)));
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), caribbean, "paged Caribbean states: {seen:?}");

    let res = app.get(&format!("{BASE}?subregion=atlantis"), &token).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        fields(&problem),
        vec!["subregion".to_string()],
        "unknown subregion: {problem}"
    );
}

#[tokio::test]
async fn one_state_by_code_404_when_unknown_and_422_when_malformed() {
    let app = spawn_app().await;
    let token = app.viewer().await;
    let want = fixture();
    let arg_fixture = want
        .iter()
        .find(|s| s["code"] == "ARG")
        .expect("ARG in fixture");
    let arg = json_ok(app.get(&format!("{BASE}/ARG"), &token).await, "ARG").await;
    assert_matches_fixture(&arg, arg_fixture);

    for state in &want {
        let code = state["code"].as_str().expect("code");
        let got = json_ok(app.get(&format!("{BASE}/{code}"), &token).await, code).await;
        assert_matches_fixture(&got, state);
    }

    let res = app.get(&format!("{BASE}/XYZ"), &token).await;
    assert_problem(res, 404).await;

    for bad in ["arg", "AR", "ARGE", "A1G"] {
        let res = app.get(&format!("{BASE}/{bad}"), &token).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(
            fields(&problem),
            vec!["code".to_string()],
            "{bad}: {problem}"
        );
    }
}

#[tokio::test]
async fn member_states_require_a_token() {
    let app = spawn_app().await;
    for path in [BASE.to_string(), format!("{BASE}/ARG")] {
        let res = app
            .request(Method::GET, &path, None)
            .send()
            .await
            .expect("request");
        let challenge = header(&res, "www-authenticate").unwrap_or_default();
        assert_problem(res, 401).await;
        assert!(
            challenge.starts_with("Bearer"),
            "{path}: WWW-Authenticate {challenge:?}"
        );
    }
}
