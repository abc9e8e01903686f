//! `/api/v1/validation-rules`: the data-quality rules the General Secretariat defines (admin
//! writes, every role reads). Each rule is parsed at save time; a bad expression is a 422 naming
//! the field and the position.

mod record;
mod wire;

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::Rules;
pub use wire::{ValidationRule, ValidationRuleInput, ValidationRuleListParams};

use crate::api::http::idempotency::IdempotencyKey;
use crate::api::http::list::ListParams;
use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::write;
use crate::auth::{Admin, With};
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::Catalog;
use crate::models::validation_rule::{Filter, ValidationRuleRow};
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_validation_rules)
        .service(create_validation_rule)
        .service(get_validation_rule)
        .service(replace_validation_rule)
        .service(delete_validation_rule)
        .service(list_validation_rule_history);
}

crate::record_routes! {
    tag = "validation-rules", record = ValidationRuleRow, view = ValidationRule;
    /// List validation rules, ordered by creation. `Accept: text/csv` or `format=csv` streams them
    /// all; `include_deleted=true` adds deleted rules as tombstones.
    list list_validation_rules("A page of rules (JSON) or all of them (CSV)", Rules,
        ValidationRuleListParams, |q: ValidationRuleListParams, list: &ListParams| {
            Ok::<_, ApiError>(Filter {
                importance: q.importance,
                updated_since: list.since()?,
                include_deleted: list.include_deleted(),
            })
        });
    /// Get one validation rule.
    get get_validation_rule("The rule");
    /// Every version of a rule, oldest first, with who changed it and when (deleted rules too).
    history list_validation_rule_history("The rule's history", |conn, id| {
        ValidationRuleRow::find(conn, id)?
            .map(drop)
            .ok_or_else(|| ApiError::not_found("No such validation rule."))
    });
}

/// Define a validation rule (admin). Both expressions are parsed and checked against the
/// indicator catalog; a syntax error, an unknown indicator, dimension or code is a 422 naming
/// the field (`/left`, `/right`) and the 1-based position. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "validation-rules",
    params(IdempotencyKey),
    request_body(content = ValidationRuleInput, example = json!({
        "code": "CONVICTED_LE_PROSECUTED", "name": "Convictions do not exceed prosecutions",
        "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to", "right": "#{PERSONS_PROSECUTED}",
        "importance": "blocking", "missing_value_strategy": "skip_if_any_value_missing"
    })),
    responses(
        (status = 201, description = "Created", body = ValidationRule, headers(("Location" = String, description = "URL of the rule"), ("ETag" = String, description = "Version"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_validation_rule(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Admin, ValidationRuleInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    write::create(
        &req,
        &state.pool,
        (*admin).clone(),
        input,
        |conn, _, input| record::validate(input, &Catalog::load(conn)?),
    )
    .await
}

/// Replace every field of a rule (admin; omitted optional fields take their defaults). Honours
/// `If-Match`; an identical PUT changes nothing.
#[utoipa::path(
    tag = "validation-rules",
    params(IdPath, IfMatch),
    request_body(content = ValidationRuleInput, example = json!({
        "code": "CONVICTED_LE_PROSECUTED", "name": "Convictions do not exceed prosecutions",
        "left": "#{PERSONS_CONVICTED|sex=female}", "operator": "less_than_or_equal_to", "right": "#{PERSONS_PROSECUTED|sex=female}",
        "importance": "warning"
    })),
    responses(
        (status = 200, description = "The rule after the change", body = ValidationRule, headers(("ETag" = String, description = "New version"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[put("/{id}")]
pub async fn replace_validation_rule(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    body: With<Admin, ValidationRuleInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    write::update(
        &state.pool,
        (*admin).clone(),
        path.into_inner().id,
        precondition,
        "update",
        move |conn, _, _: &ValidationRuleRow| record::validate(&input, &Catalog::load(conn)?),
    )
    .await
}

/// Delete a rule (admin): it stops being evaluated, stays in its history and as a tombstone
/// (`include_deleted=true`); GET answers 404 from then on. Honours `If-Match`.
#[utoipa::path(
    tag = "validation-rules",
    params(IdPath, IfMatch),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/{id}")]
pub async fn delete_validation_rule(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    admin: Admin,
) -> ApiResult<HttpResponse> {
    write::change(
        &state.pool,
        (*admin).clone(),
        path.into_inner().id,
        precondition,
        "delete",
        |_, _, before: &ValidationRuleRow| {
            Ok(ValidationRuleRow {
                deleted_at: Some(Timestamp::now()),
                ..before.clone()
            })
        },
    )
    .await
    .map(write::no_content)
}
