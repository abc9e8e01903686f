//! `/api/v1/webhooks`: subscriptions to the change feed (administrators only). Each event is
//! queued for every matching active subscription with its payload fixed, and POSTed signed per
//! Standard Webhooks by the worker (`crate::webhooks`); `deliveries` is the delivery log.

mod deliveries;
mod record;
mod wire;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::{check_target, Subscriptions, EVENT_TYPES};
pub use wire::{
    CreatedWebhook, Delivery, DeliveryListParams, DeliveryPath, DeliveryStatus, Webhook,
    WebhookInput, WebhookListParams, WebhookPatch,
};

use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::replace::{self, Replaceable};
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Admin, With};
use crate::db::pool::write_transaction;
use crate::error::{ApiError, ApiResult};
use crate::models::webhook::WebhookRow;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(replace_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_webhook_history)
        .configure(deliveries::configure);
}

crate::record_routes! {
    tag = "webhooks", record = WebhookRow, view = Webhook;
    /// List webhook subscriptions, in creation order. `Accept: text/csv` or `format=csv` streams them
    /// as CSV. Secrets are never listed.
    list list_webhooks("A page of subscriptions (JSON) or all of them (CSV)", Subscriptions,
        WebhookListParams, record::filter) by Admin;
    /// Get one webhook subscription (without its secret).
    get get_webhook("The subscription") by Admin;
    /// Delete a subscription: nothing more is queued or sent for it (a tombstone stays, with its
    /// delivery log). Honours `If-Match`.
    delete delete_webhook by Admin;
    /// Every version of a subscription, oldest first, with who changed it and when (never its
    /// secret).
    history list_webhook_history("The subscription's history",
        |conn, id| write::load::<WebhookRow>(conn, id).map(drop)) by Admin;
}

/// Subscribe a URL to the change feed. The answer carries the signing secret (given, or
/// generated when omitted) this once only: it is never shown again, so the request is not
/// replayed with `Idempotency-Key`. The subscription receives the events that happen after it
/// is created.
#[utoipa::path(tag = "webhooks",
    request_body(content = WebhookInput, example = json!({
        "url": "https://dashboard.example.org/hooks/palermo", "events": ["submission"],
        "description": "Dashboard of the Secretariat"})),
    responses((status = 201, description = "Created, with its secret", body = CreatedWebhook, headers(
        ("Location" = String, description = "URL of the new subscription"),
        ("ETag" = String, description = "Version")))))]
#[post("")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    body: With<Admin, WebhookInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    let policy = state.webhook_policy;
    let writer = (*admin).clone();
    let created: WebhookRow = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let row: WebhookRow = replace::build_new(conn, &writer, &input)?;
            check_target(policy, &row.url)?;
            let scope = writer.scope(row.owner())?;
            row.insert(conn).map_err(|e| row.write_error(e))?;
            write::audit(conn, &scope, "create", None, Some(&row))?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, created.location()))
        .insert_header((header::ETAG, write::etag_of(&created)))
        .json(CreatedWebhook {
            webhook: created.view(),
            secret: created.secret.clone(),
        }))
}

/// Replace a subscription's URL, event types, active flag and description. The secret stays
/// unless one is given. Honours `If-Match`; an identical PUT changes nothing.
#[utoipa::path(tag = "webhooks", params(IdPath, IfMatch), request_body(content = WebhookInput,
    example = json!({"url": "https://dashboard.example.org/hooks/palermo", "events": [], "active": true})),
    responses(
        (status = 200, description = "The subscription after the change", body = Webhook,
            headers(("ETag" = String, description = "New version"))),
        (status = 409, response = crate::api::problems::Conflict)))]
#[put("/{id}")]
pub async fn replace_webhook(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    body: With<Admin, WebhookInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    let id = path.into_inner().id;
    change(&state, &admin, id, precondition, move |_| Ok(input.clone())).await
}

/// Change some fields of a subscription (a JSON merge patch): `{"active": false}` pauses it,
/// `{"secret": "whsec_..."}` rotates its secret. Honours `If-Match`.
#[utoipa::path(tag = "webhooks", params(IdPath, IfMatch),
    request_body(content = WebhookPatch, example = json!({"active": false})),
    responses(
        (status = 200, description = "The subscription after the change", body = Webhook,
            headers(("ETag" = String, description = "New version"))),
        (status = 409, response = crate::api::problems::Conflict)))]
#[patch("/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    body: With<Admin, WebhookPatch>,
) -> ApiResult<HttpResponse> {
    let With(admin, patch) = body;
    let id = path.into_inner().id;
    change(&state, &admin, id, precondition, move |before| {
        patch.apply(&before.view())
    })
    .await
}

/// PUT and PATCH: subscription `id` rebuilt from the input `input` makes of it, its target
/// checked against the server's policy, through the versioned-write pipeline.
async fn change<F>(
    state: &AppState,
    admin: &Admin,
    id: String,
    precondition: IfMatch,
    input: F,
) -> ApiResult<HttpResponse>
where
    F: Fn(&WebhookRow) -> ApiResult<WebhookInput> + Send + 'static,
{
    let policy = state.webhook_policy;
    write::update(
        &state.pool,
        (**admin).clone(),
        id,
        precondition,
        "update",
        move |conn, scope, before: &WebhookRow| {
            let row = WebhookRow::build(conn, scope.writer(), &input(before)?, Some(before))?;
            check_target(policy, &row.url)?;
            Ok(row)
        },
    )
    .await
}
