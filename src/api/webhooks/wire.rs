//! Wire types of webhook subscriptions and their deliveries.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::http::replace::MergePatch;
use crate::db::text_enum::RawJson;
pub use crate::domain::DeliveryStatus;
use crate::models::webhook::WebhookRow;
use crate::models::webhook_delivery::DeliveryRow;
use crate::timestamp::Timestamp;

/// A subscription as written by POST and PUT (PUT replaces every field but the secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// The http(s) URL each event is POSTed to. Loopback, private, link-local and other
    /// non-global addresses are refused (unless the server allows private targets), here and
    /// again after DNS resolution at each delivery.
    #[schema(
        example = "https://dashboard.example.org/hooks/palermo",
        max_length = 2048
    )]
    pub url: String,
    /// Change-feed resource types to deliver (`submission`, `indicator_value`, ...); empty or
    /// omitted: all of them.
    #[serde(default)]
    #[schema(example = json!(["submission", "indicator_value_batch"]), max_items = 20)]
    pub events: Vec<String>,
    /// The signing secret, `whsec_` and the base64 of 24 to 64 random bytes. Omitted: one is
    /// generated on create, and the current one stays on PUT and PATCH. It is shown only in the
    /// answer to the create, never again.
    #[schema(
        example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        max_length = 100,
        write_only
    )]
    pub secret: Option<String>,
    /// Deliveries are made only while active (defaults to true); events of an inactive period
    /// are not queued for it.
    pub active: Option<bool>,
    #[schema(example = "Dashboard of the Secretariat", max_length = 500)]
    pub description: Option<String>,
}

/// Changes to a subscription: a JSON merge patch of its input (`secret` rotates it).
pub type WebhookPatch = MergePatch<WebhookInput>;

/// A webhook subscription as served: the stored row, whose secret is never serialized.
pub type Webhook = WebhookRow;

/// The answer to a create: the subscription and, this once, its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c", "url": "https://dashboard.example.org/hooks/palermo",
    "events": ["submission"], "active": true, "description": "Dashboard of the Secretariat", "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z", "deleted_at": null,
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
}))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret: keep it now, it is never shown again (rotate it with PATCH).
    pub secret: String,
}

/// Filters of the subscription list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookListParams {
    /// Only active (true) or inactive (false) subscriptions.
    pub active: Option<bool>,
}

/// Filters of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListParams {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// The path of one delivery.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// Id of the subscription.
    #[param(max_length = 64, example = "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c")]
    pub id: String,
    /// Id of the delivery (its `webhook-id` header).
    #[param(max_length = 64, example = "0193a0b5-0a1b-7c2d-8e3f-4a5b6c7d8e9f")]
    pub delivery_id: String,
}

/// One event's delivery to a subscription, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b5-0a1b-7c2d-8e3f-4a5b6c7d8e9f", "webhook_id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c",
    "sequence": 42, "type": "submission.submit", "status": "pending", "attempts": 1,
    "last_status_code": 500, "last_error": "the receiver answered HTTP 500",
    "last_attempt_at": "2026-11-22T20:43:04.000000Z", "next_attempt_at": "2026-11-22T20:43:19.000000Z",
    "created_at": "2026-11-22T20:43:03.500000Z",
    "payload": {"type": "submission.submit", "timestamp": "2026-11-22T20:43:03.123456Z", "data": {
        "sequence": 42, "resource_type": "submission", "resource_id": "2026/ARG", "action": "submit",
        "changed_at": "2026-11-22T20:43:03.123456Z", "resource_url": "/api/v1/reporting-cycles/2026/submissions/ARG",
        "resource": {"cycle": "2026", "member_state": "ARG", "status": "submitted"}}}
}))]
pub struct Delivery {
    /// Also the `webhook-id` header of every attempt.
    pub id: String,
    pub webhook_id: String,
    /// Position of the event in the change feed.
    pub sequence: i64,
    /// `<resource_type>.<action>`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// HTTP status of the last attempt (none when it got no answer).
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    /// When a pending delivery is (next) attempted.
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The body every attempt sends, fixed when the event happened.
    #[schema(value_type = Object)]
    pub payload: RawJson,
}

impl From<&DeliveryRow> for Delivery {
    fn from(r: &DeliveryRow) -> Self {
        Delivery {
            payload: r.payload.clone(),
            id: r.id.clone(),
            webhook_id: r.webhook_id.clone(),
            sequence: r.sequence,
            event_type: r.event_type.clone(),
            status: r.status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            last_error: r.last_error.clone(),
            last_attempt_at: r.last_attempt_at,
            next_attempt_at: match r.status {
                DeliveryStatus::Pending => r.next_attempt_at,
                _ => None,
            },
            created_at: r.created_at,
        }
    }
}
