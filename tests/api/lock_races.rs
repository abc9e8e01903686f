//! A lock is a promise even to writes that started before it: a reporter's large batch in a
//! cycle's years races its own submit, sent after several small delays. Whatever the interleaving,
//! once submit has answered the state's data for the cycle's years stay as submit saw them: either
//! the batch was refused for locked rows and wrote nothing, or it committed entirely before the
//! submission was taken. On PostgreSQL the lock check alone let submit answer while the batch was
//! still writing; writers and transitions now queue on the state's submission lock.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const CYCLES: &str = "/api/v1/reporting-cycles";
/// How long after the batch the submit is sent, one cycle each.
const DELAYS_MS: [u64; 5] = [0, 20, 50, 100, 200];

/// Every disaggregation of `dims` (each dimension absent or one of its codes), the total included.
fn combinations(dims: &[(&str, &[&str])]) -> Vec<Value> {
    let mut all = vec![serde_json::Map::new()];
    for (dim, codes) in dims {
        let mut next = Vec::new();
        for d in &all {
            next.push(d.clone());
            for code in *codes {
                let mut with = d.clone();
                with.insert((*dim).into(), json!(code));
                next.push(with);
            }
        }
        all = next;
    }
    all.into_iter().map(Value::Object).collect()
}

/// A few thousand of ARG's values in `years`: every breakdown of two indicators.
fn large_batch(years: [i32; 2]) -> Vec<Value> {
    let sex: &[&str] = &["female", "male", "other", "unknown"];
    let age: &[&str] = &["child", "adult", "unknown"];
    let citizenship: &[&str] = &["national", "foreign", "unknown"];
    let forms: &[&str] = &[
        "sexual_exploitation",
        "forced_labour",
        "domestic_servitude",
        "forced_marriage",
        "forced_criminality",
        "begging",
        "organ_removal",
        "illegal_adoption",
        "child_soldiers",
        "mixed",
        "other",
        "unknown",
    ];
    let indicators = [
        (
            "VICTIMS_DETECTED",
            combinations(&[
                ("sex", sex),
                ("age_group", age),
                ("form_of_exploitation", forms),
                ("citizenship", citizenship),
            ]),
        ),
        (
            "PERSONS_PROSECUTED",
            combinations(&[
                ("sex", sex),
                ("citizenship", citizenship),
                ("form_of_exploitation", forms),
            ]),
        ),
    ];
    let mut values = Vec::new();
    for year in years {
        for (indicator, breakdowns) in &indicators {
            for d in breakdowns {
                values.push(json!({"indicator": indicator, "period": year.to_string(),
                    "disaggregation": d, "value": 1}));
            }
        }
    }
    values
}

/// ARG's stored values in `years` (following the cursor, bounded).
async fn stored(app: &TestApp, years: [i32; 2]) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let mut path = format!(
            "/api/v1/indicator-values?member_state=ARG&period_from={}&period_to={}&limit=1000",
            years[0], years[1]
        );
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page: Value = app
            .get(&path, &app.admin_token)
            .await
            .json()
            .await
            .expect("json");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
    panic!("more pages than values sent");
}

#[tokio::test]
async fn once_submit_has_answered_no_earlier_batch_commits_in_the_locked_years() {
    let app = spawn_app().await;
    let arg = app.reporter("ARG").await;
    // The batch goes to a second server on the same database, the submit to the first: the lock
    // must hold across processes, not only inside one.
    let twin = app.twin();
    for (i, delay) in DELAYS_MS.into_iter().enumerate() {
        let from = 2001 + 2 * i as i32;
        let years = [from, from + 1];
        let code = format!("{from}-{}", from + 1);
        let cycle = json!({"code": code, "work_plan": "WP2", "period_from": from,
            "period_to": from + 1, "due_date": "2030-03-31"});
        let res = app
            .send_json(Method::POST, CYCLES, Some(&app.admin_token), &cycle)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "cycle {code}");

        let values = large_batch(years);
        let sent = values.len();
        let batch = app
            .client
            .post(format!("{twin}/api/v1/indicator-values/batch"))
            .bearer_auth(&arg)
            .json(&json!({"values": values}));
        let batch = tokio::spawn(async move {
            let res = batch.send().await.expect("batch");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("json"))
        });
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let res = app
            .send_json(
                Method::POST,
                &format!("{CYCLES}/{code}/submissions/ARG/submit"),
                Some(&arg),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{delay} ms: submit");
        let submitted: Value = res.json().await.expect("json");
        let (batch_status, summary) = batch.await.expect("batch task");

        let after = stored(&app, years).await;
        let now: Value = app
            .get(
                &format!("{CYCLES}/{code}/submissions/ARG"),
                &app.admin_token,
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(
            submitted["completeness"], now["completeness"],
            "{delay} ms (batch {batch_status}): the data submit answered on are the data that stayed"
        );
        match batch_status {
            200 => {
                assert_eq!(after.len(), sent, "{delay} ms: the whole batch is stored");
                let taken = submitted["updated_at"].as_str().expect("updated_at");
                assert!(
                    after
                        .iter()
                        .all(|v| v["updated_at"].as_str().is_some_and(|t| t < taken)),
                    "{delay} ms: every value was written before the submission was taken at {taken}"
                );
            }
            422 => {
                let errors = summary["errors"].as_array().expect("errors");
                assert!(
                    !errors.is_empty() && errors.iter().all(|e| e["code"] == "locked"),
                    "{delay} ms: refused for locked rows only: {summary}"
                );
                assert!(
                    after.is_empty(),
                    "{delay} ms: a refused batch writes nothing"
                );
            }
            other => panic!("{delay} ms: batch answered {other}: {summary}"),
        }
    }
}
