//! How subscriptions go through the pipelines: validation into a row, the versioned record
//! (Secretariat data: administrators only), its tombstone, and the list.

use super::wire::{Webhook, WebhookInput, WebhookListParams};
use crate::api::http::list::ListParams;
use crate::api::http::replace::{Replaceable, Tombstoned};
use crate::api::http::write::Versioned;
use crate::auth::{Owner, Writer};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::contact;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::webhook::{Filter, WebhookRow};
use crate::timestamp::Timestamp;
use crate::webhooks::address::Policy;
use crate::webhooks::signature;

/// The change-feed resource types a subscription may name.
pub const EVENT_TYPES: &[&str] = &[
    "national_authority",
    "commitment",
    "training_event",
    "indicator_value",
    "indicator_value_batch",
    "indicator",
    "work_plan",
    "reporting_cycle",
    "submission",
    "validation_rule",
    "user",
];
const MAX_EVENTS: usize = 20;

/// 422 naming `url` unless `policy` lets deliveries go there (as far as can be told before
/// resolving its host).
pub fn check_target(policy: Policy, url: &str) -> ApiResult<()> {
    policy
        .check_url(url)
        .map(drop)
        .map_err(|m| ApiError::invalid("/url", m))
}

impl Replaceable for WebhookRow {
    type Input = WebhookInput;

    /// The URL's form is checked here; whether its address is allowed, by the handler (the
    /// policy is the server's setting).
    fn build(
        conn: &mut AnyConnection,
        _writer: &Writer,
        input: &WebhookInput,
        before: Option<&Self>,
    ) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        if let Err(m) = (Policy {
            allow_private: true,
        })
        .check_url(&input.url)
        {
            errors.add("/url", m);
        }
        if input.events.len() > MAX_EVENTS {
            errors.add("/events", format!("must have at most {MAX_EVENTS} types"));
        }
        let mut events: Vec<String> = Vec::new();
        for (i, e) in input.events.iter().enumerate() {
            if !EVENT_TYPES.contains(&e.as_str()) {
                errors.add(
                    format!("/events/{i}"),
                    format!(
                        "is not a change-feed resource type (one of {})",
                        EVENT_TYPES.join(", ")
                    ),
                );
            } else if events.contains(e) {
                errors.add(format!("/events/{i}"), "is repeated");
            } else {
                events.push(e.clone());
            }
        }
        if let Some(secret) = &input.secret {
            if let Err(m) = signature::key_of(secret) {
                errors.add("/secret", m);
            }
        }
        let description = errors.check_opt("/description", input.description.as_deref(), |d| {
            contact::text(d, 500)
        });
        errors.finish()?;
        let secret = match (&input.secret, before) {
            (Some(s), _) => s.clone(),
            (None, Some(b)) => b.secret.clone(),
            (None, None) => signature::generate(),
        };
        Ok(WebhookRow {
            id: String::new(),
            url: input.url.clone(),
            events: JsonText::new(events),
            secret,
            active: input.active.unwrap_or(true),
            description,
            starts_after: match before {
                Some(b) => b.starts_after,
                None => WebhookRow::feed_end(conn)?,
            },
            version: 1,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
            deleted_at: None,
        })
    }
}

impl Tombstoned for WebhookRow {
    fn tombstone(&self) -> Self {
        let mut after = self.clone();
        after.active = false;
        after.deleted_at = Some(Timestamp::now());
        after
    }
}

impl Versioned for WebhookRow {
    const KIND: &'static str = "webhook";
    const NOUN: &'static str = "webhook";
    type View = Webhook;
    const TABLE: &'static str = "webhooks";

    crate::versioned_row!(id, tombstoned);
    fn owner(&self) -> Owner<'_> {
        Owner::Secretariat
    }
    fn view(&self) -> Webhook {
        self.clone()
    }
    fn location(&self) -> String {
        format!("/api/v1/webhooks/{}", self.id)
    }
}

/// The list filter of the query's parameters.
pub fn filter(q: WebhookListParams, list: &ListParams) -> ApiResult<Filter> {
    Ok(Filter {
        active: q.active,
        include_deleted: list.include_deleted(),
        updated_since: list.since()?,
    })
}

crate::listing! {
    /// The subscription list, in creation order.
    Subscriptions: WebhookRow => Self, "webhook", "webhooks.csv", [
        "id", "url", "events", "active", "description", "version", "created_at", "updated_at",
        "deleted_at",
    ];
    fetch(conn, f: Filter, after: String, limit) =>
        WebhookRow::list(conn, f, after.map(String::as_str), limit);
    key(r) => r.id.clone();
}
