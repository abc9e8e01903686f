//! `GET /api/v1/changes`: the ordered feed of every change (from the audit trail), for clients
//! that keep a copy in sync.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::QueryParams;
use crate::api::http::pagination::{encode, Page, PageParams};
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::AuditEventRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "changes";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"sequence": 42, "resource_type": "commitment", "resource_id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6b",
    "action": "update", "changed_at": "2026-11-22T20:43:03.123456Z"}))]
pub struct Change {
    /// Increasing position in the feed.
    pub sequence: i64,
    /// `national_authority`, `commitment`, `training_event`, `indicator_value`,
    /// `indicator_value_batch`, `indicator`, `work_plan`, `reporting_cycle`, `submission`
    /// (and `user` and `webhook`, for administrators).
    pub resource_type: String,
    pub resource_id: String,
    /// `create`, `update`, `delete`, `deactivate`, `import`, `submit`, ...
    pub action: String,
    pub changed_at: Timestamp,
    /// Where to read the resource now (a 404 there means it was deleted). For an import batch,
    /// the list of the values it wrote.
    #[schema(example = "/api/v1/member-states/ARG/commitments/WP2/12")]
    pub resource_url: Option<String>,
}

/// Where the resource of an audit event can be read.
pub fn resource_url(r: &AuditEventRow) -> Option<String> {
    let id = &r.resource_id;
    Some(match r.resource_type.as_str() {
        "national_authority" => format!("/api/v1/national-authorities/{id}"),
        "training_event" => format!("/api/v1/training-events/{id}"),
        "indicator_value" => format!("/api/v1/indicator-values/{id}"),
        "indicator" => format!("/api/v1/indicators/{id}"),
        "work_plan" => format!("/api/v1/work-plans/{id}"),
        "reporting_cycle" => format!("/api/v1/reporting-cycles/{id}"),
        "user" => format!("/api/v1/users/{id}"),
        "validation_rule" => format!("/api/v1/validation-rules/{id}"),
        "webhook" => format!("/api/v1/webhooks/{id}"),
        "submission" => {
            let (cycle, ms) = id.split_once('/')?;
            format!("/api/v1/reporting-cycles/{cycle}/submissions/{ms}")
        }
        "commitment" => {
            let snap: serde_json::Value =
                serde_json::from_str(r.after.as_ref().or(r.before.as_ref())?.get()).ok()?;
            format!(
                "/api/v1/member-states/{}/commitments/{}/{}",
                snap.get("member_state")?.as_str()?,
                snap.get("work_plan")?.as_str()?,
                snap.get("guideline")?.as_i64()?
            )
        }
        "indicator_value_batch" => {
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.append_pair("updated_since", &r.occurred_at.to_db())
                .append_pair("include_deleted", "true")
                .append_pair("limit", "1000");
            format!("/api/v1/indicator-values?{}", q.finish())
        }
        _ => return None,
    })
}

/// Position in the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// Cursor: `next_cursor` of the previous page, the last one included (absent: from the
    /// beginning).
    #[param(max_length = 512)]
    pub after: Option<String>,
    /// Items per page, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Every change in order, oldest first.
///
/// Gapless: a client that follows the cursor while others write sees every change exactly once,
/// in order. Every page, the last included, has a `next_cursor` (on an empty page, the `after`
/// given): keep it and pass it as `after` to get only what changed since, then read the changed
/// resources; an empty page means nothing is new yet. The `Link` header is sent only when more
/// changes are already there. Account and webhook changes are shown to administrators only.
#[utoipa::path(tag = "changes", params(ChangesParams), responses((status = 200, description = "A page of changes", body = Page<Change>)))]
#[get("")]
pub async fn list_changes(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ChangesParams>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.0.limit,
        cursor: query.0.after,
    };
    let limit = page.limit()?;
    let after: i64 = page
        .after(KIND)
        .map_err(|_| ApiError::invalid("after", "is not a cursor of this feed"))?
        .unwrap_or(0);
    let hidden: &'static [&'static str] = if caller.is_admin() {
        &[]
    } else {
        &["user", "webhook"]
    };
    let rows = run_db(&state.pool, move |conn| {
        Ok(AuditEventRow::feed(conn, after, hidden, limit + 1)?)
    })
    .await?;
    let mut res = Page::from_rows(
        rows,
        limit,
        KIND,
        |r| r.id,
        |r| Change {
            resource_url: resource_url(&r),
            sequence: r.id,
            changed_at: r.occurred_at,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            action: r.action,
        },
    );
    // The feed's cursor parameter is `after`, so the Link header must use it too; it is sent only
    // when there is more, so a client that follows it stops at the tail.
    let mut http = HttpResponse::Ok();
    if let Some(c) = &res.next_cursor {
        http.insert_header((
            actix_web::http::header::LINK,
            format!("<{}?after={c}&limit={limit}>; rel=\"next\"", req.path()),
        ));
    }
    // Every page, the last included, says where to resume: after its last event, or where it
    // started when it is empty.
    let last = res.items.last().map_or(after, |c| c.sequence);
    res.next_cursor.get_or_insert_with(|| encode(KIND, &last));
    Ok(http.json(res))
}
