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
pub mod outliers;
pub mod problems;
pub mod public;
pub mod register;
pub mod reporting_cycles;
pub mod reports;
pub mod sdmx;
pub mod submission_validation;
pub mod training_events;
pub mod users;
pub mod validation_rules;
pub mod webhooks;
pub mod work_plans;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` route.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    let resources = [
        ("/auth", auth::configure as fn(&mut ServiceConfig)),
        ("/me", me::configure),
        ("/users", users::configure),
        ("/member-states", member_states::configure),
        ("/work-plans", work_plans::configure),
        ("/national-authorities", national_authorities::configure),
        ("/commitments", commitments::configure),
        ("/register", register::configure),
        ("/dimensions", indicators::configure_dimensions),
        ("/indicators", indicators::configure),
        ("/indicator-values/outliers", outliers::configure),
        ("/indicator-values", indicator_values::configure),
        ("/reporting-cycles", reporting_cycles::configure),
        ("/reports", reports::configure),
        ("/changes", changes::configure),
        ("/training-events", training_events::configure),
        ("/validation-rules", validation_rules::configure),
        ("/public", public::configure),
        ("/webhooks", webhooks::configure),
        ("/sdmx", sdmx::configure),
    ];
    for (path, configure) in resources {
        cfg.service(scope::scope(path).configure(configure));
    }
}

/// Registers the operational routes (health, metrics).
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/health").configure(health::configure))
        .configure(metrics::configure);
}
