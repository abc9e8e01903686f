//! `GET /metrics`: Prometheus text exposition.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_metrics);
}

/// Request counts and latency histograms by method, route and status (Prometheus text format 0.0.4).
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain; version=0.0.4", body = String,
        example = "palermo_http_requests_total{method=\"GET\",route=\"/api/v1/member-states\",status=\"200\"} 3\n"))
)]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
