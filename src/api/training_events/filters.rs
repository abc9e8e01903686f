//! The list's filters, read from the query: the ordinary ones and the repeatable `audience` and
//! `guideline`.

use super::record::MAX_GUIDELINES;
use super::wire::TrainingEventListParams;
use crate::api::http::extract::bounded;
use crate::api::http::list::ListParams;
use crate::api::http::query::Repeated;
use crate::domain::{contact, Audience, MemberStateCode};
use crate::error::{ApiError, ApiResult};
use crate::models::training_event::Filter;

/// `WP2:45` into its plan and number.
fn guideline(raw: &str) -> ApiResult<(String, i32)> {
    let invalid = || ApiError::invalid("guideline", "must be WORK_PLAN:NUMBER such as WP2:45");
    let (plan, number) = raw.split_once(':').ok_or_else(invalid)?;
    let number: i32 = number.parse().map_err(|_| invalid())?;
    if plan.is_empty() || plan.chars().count() > 16 || number < 1 {
        return Err(invalid());
    }
    Ok((plan.to_string(), number))
}

fn date(name: &str, raw: Option<&str>) -> ApiResult<Option<String>> {
    raw.map(|d| {
        contact::date(d)
            .map(|d| d.to_string())
            .map_err(|m| ApiError::invalid(name, m))
    })
    .transpose()
}

/// The storage filter of a list request.
pub fn filter(
    q: TrainingEventListParams,
    repeated: &Repeated,
    list: &ListParams,
) -> ApiResult<Filter> {
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    bounded("q", q.q.as_deref(), 200)?;
    let from = date("from", q.from.as_deref())?;
    let to = date("to", q.to.as_deref())?;
    if let (Some(f), Some(t)) = (&from, &to) {
        if t < f {
            return Err(ApiError::invalid(
                "to",
                format!("must be on or after from ({f})"),
            ));
        }
    }
    let mut audiences: Vec<Audience> = Vec::new();
    for raw in repeated.values("audience") {
        let a = Audience::parse(&raw).ok_or_else(|| {
            let codes: Vec<&str> = Audience::ALL.iter().map(|a| a.as_str()).collect();
            ApiError::invalid("audience", format!("must be one of {}", codes.join(", ")))
        })?;
        if !audiences.contains(&a) {
            audiences.push(a);
        }
    }
    let raw_guidelines = repeated.values("guideline");
    if raw_guidelines.len() > MAX_GUIDELINES {
        return Err(ApiError::invalid(
            "guideline",
            format!("may be repeated at most {MAX_GUIDELINES} times"),
        ));
    }
    let guidelines = raw_guidelines
        .iter()
        .map(|g| guideline(g))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Filter {
        member_state: q.member_state,
        from,
        to,
        audiences,
        guidelines,
        modality: q.modality,
        q: q.q.filter(|t| !t.is_empty()),
        updated_since: list.since()?,
        include_deleted: list.include_deleted(),
    })
}
