//! `GET /api/v1/indicator-values/outliers`: values far from the rest of their series (member
//! state, indicator, disaggregation) across periods. Registered before `/indicator-values`, whose
//! `/{id}` would take the path otherwise.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::QueryParams;
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::domain::MemberStateCode;
use crate::error::{ApiError, ApiResult};
use crate::quality::outliers::{scan, Algorithm, Outlier, OutlierParams};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_outliers);
}

/// Outliers of numeric indicators (count, number, percent) per series across its periods, by
/// `z_score`, `modified_z_score` (median and MAD; the default) or `min_max` (bounds from the
/// series' other values). Ordered by indicator, member state, disaggregation and period; the
/// whole result is one page (`next_cursor` is null). Series with fewer than 3 values are not scored.
#[utoipa::path(
    tag = "indicator-values",
    params(OutlierParams),
    responses(
        (status = 200, description = "The outliers", body = Page<Outlier>,
            example = json!({"items": [{"id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "member_state": "ARG", "indicator": "VICTIMS_DETECTED",
                "period": "2019", "disaggregation": {"sex": "female"}, "value": 480.0, "mean": 138.0, "std_dev": 114.0,
                "median": 100.0, "score": 189.9, "lower_bound": 94.0, "upper_bound": 106.0}], "next_cursor": null})),
    )
)]
#[get("")]
pub async fn list_outliers(
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<OutlierParams>,
) -> ApiResult<HttpResponse> {
    let q = query.0;
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    crate::api::http::extract::bounded("indicator", q.indicator.as_deref(), 64)?;
    let threshold = q.threshold.unwrap_or(3.0);
    if !(threshold > 0.0 && threshold <= 100.0) {
        return Err(ApiError::invalid(
            "threshold",
            "must be a number above 0 and at most 100",
        ));
    }
    let algorithm = q.algorithm.unwrap_or(Algorithm::ModifiedZScore);
    let items = run_db(&state.pool, move |conn| {
        scan(
            conn,
            q.indicator.as_deref(),
            q.member_state.as_deref(),
            algorithm,
            threshold,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
