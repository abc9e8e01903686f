//! Liveness and readiness probes.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::run_db;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_health_live).service(get_health_ready);
}

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// Database backend in use (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sqlite")]
    pub database: Option<String>,
}

/// Liveness: the process is up and serving.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/live")]
pub async fn get_health_live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, response = crate::api::problems::Unavailable),
    )
)]
#[get("/ready")]
pub async fn get_health_ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let backend = run_db(&state.pool, |conn| {
        let applied = db::migrations::all_applied(conn).map_err(|e| {
            log::warn!("readiness: {e}");
            ApiError::unavailable("The database did not answer.")
        })?;
        if !applied {
            return Err(ApiError::unavailable("Database migrations are pending."));
        }
        Ok(match conn {
            db::AnyConnection::Sqlite(_) => "sqlite",
            db::AnyConnection::Postgresql(_) => "postgresql",
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: Some(backend.into()),
    }))
}
