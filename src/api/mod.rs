//! HTTP handlers, one module per resource, each with its request/response types and `configure`.

pub mod auth;
pub mod changes;
pub mod commitments;
pub mod health;
pub mod http;
pub mod indicator_values;
pub mod indicators;
pub mod me;
pub mod member_states;
pub mod metrics;
pub mod national_authorities;
pub mod problems;
pub mod register;
pub mod reporting_cycles;
pub mod reports;
pub mod training_events;
pub mod users;
pub mod work_plans;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` route.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/auth").configure(auth::configure))
        .service(scope::scope("/me").configure(me::configure))
        .service(scope::scope("/users").configure(users::configure))
        .service(scope::scope("/member-states").configure(member_states::configure))
        .service(scope::scope("/work-plans").configure(work_plans::configure))
        .service(scope::scope("/national-authorities").configure(national_authorities::configure))
        .service(scope::scope("/commitments").configure(commitments::configure))
        .service(scope::scope("/register").configure(register::configure))
        .service(scope::scope("/dimensions").configure(indicators::configure_dimensions))
        .service(scope::scope("/indicators").configure(indicators::configure))
        .service(scope::scope("/indicator-values").configure(indicator_values::configure))
        .service(scope::scope("/reporting-cycles").configure(reporting_cycles::configure))
        .service(scope::scope("/reports").configure(reports::configure))
        .service(scope::scope("/changes").configure(changes::configure))
        .service(scope::scope("/training-events").configure(training_events::configure));
}

/// Registers the operational routes (health, metrics).
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/health").configure(health::configure))
        .configure(metrics::configure);
}

pub use http::precondition::etag;

/// The `If-Match` header, when sent.
pub fn if_match(req: &actix_web::HttpRequest) -> Result<Option<String>, crate::error::ApiError> {
    match req.headers().get(actix_web::http::header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_string()))
            .map_err(|_| crate::error::ApiError::invalid("If-Match", "is not valid text")),
    }
}

/// Checks `If-Match` against the current ETag: absent or `*` passes; a mismatch is 412.
pub fn check_if_match(if_match: Option<&str>, current: &str) -> Result<(), crate::error::ApiError> {
    let Some(value) = if_match else { return Ok(()) };
    if value.trim() == "*" || value.split(',').any(|t| t.trim() == current) {
        Ok(())
    } else {
        Err(crate::error::ApiError::precondition_failed(format!(
            "The resource has changed since you read it (current ETag {current}); reload it and retry."
        )))
    }
}

pub use http::list::updated_since;
