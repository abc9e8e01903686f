//! The OpenAPI document: the base (info, tags, shared components) plus a completion pass that
//! adds the responses every operation shares, so no handler can forget them.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{Modify, OpenApi};

pub mod contract;
pub mod types;

use crate::api::problems;
use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "palermo",
        // The contract's version (openapi/released/, CHANGELOG.md), not the crate's.
        version = "1.0.0",
        description = "System of record for the OAS Work Plan against Trafficking in Persons in the Western \
Hemisphere: member states, the work plan's guidelines and mandates, national authorities, commitments, \
training events and indicators.\n\nSign in with `POST /api/v1/auth/token`, then press **Authorize** and paste \
the `access_token`. Roles: `admin` (OAS General Secretariat), `reporter` (one member state), `viewer` (read only).\n\n\
Every error is an RFC 9457 `application/problem+json` document; validation problems list each invalid field \
in `errors`. Lists are paginated with `limit` and an opaque `cursor`, and send a `Link: <...>; rel=\"next\"` \
header while there is more.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "palermo maintainers"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "auth", description = "Sign-in and the caller's own account."),
        (name = "users", description = "User accounts (admin only). Service accounts of member-state systems are ordinary users."),
        (name = "member-states", description = "The 35 OAS member states (reference data, seeded)."),
        (name = "work-plans", description = "Work plans with their aims, principles, sections, guidelines and mandates (WP2 seeded)."),
        (name = "national-authorities", description = "The register of national authorities (mandates 8 and 9): points of contact, coordinating bodies and focal points of each member state."),
        (name = "commitments", description = "Guideline commitments: what each member state undertakes on each guideline of a work plan, and how far it has come."),
        (name = "indicators", description = "Dimensions, code lists and the indicator catalog. The catalog starts with a starter set: the OAS Table of Indicators (CSH/GT/RTP-3/14 add. 1) named by mandate 10 is not available, so the starter indicators follow SDG indicator 16.2.2, the UNODC Global Report on Trafficking in Persons data and the work plan's guidelines."),
        (name = "indicator-values", description = "Indicator values reported by member states (mandate 10): batch import, filtered reads, CSV."),
        (name = "reporting-cycles", description = "Reporting cycles of mandate 10 and each member state's submission: submit, return, validate, reopen. A submitted or validated report locks the state's data for its reporters."),
        (name = "training-events", description = "Training events (guidelines 12, 32 and 45; mandates 1 to 5): who was trained, when, where and on which guidelines, by member states and, for regional events, by the General Secretariat."),
        (name = "reports", description = "Reports of mandate 10 (any role): implementation by guideline and state, country profiles, the biennial report with hemisphere totals."),
        (name = "validation-rules", description = "Data quality: validation rules the General Secretariat defines over indicator values (left side, operator, right side, importance, missing-value strategy), evaluated per member state and period; blocking rules guard submission."),
        (name = "public", description = "The public view, without a token: validated submissions only, confidential values never, small counts withheld with the cells that would let anyone recompute them (`flag: suppressed`). Cacheable (`ETag`, `Cache-Control: public`) and throttled per client address."),
        (name = "changes", description = "The ordered feed of every change, for clients that keep a synchronised copy."),
        (name = "webhooks", description = "Webhook subscriptions (admin only): every change-feed event POSTed to a URL as it happens, with the resource as it was then, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">` keyed by the secret's base64-decoded bytes after `whsec_`). Delivered at least once: a non-2xx answer, a timeout or a refused connection is retried with exponential backoff and jitter (first retry within 30 s, then growing, for about a day), with the same `webhook-id`; receivers should deduplicate on it. Redirects are not followed (a 3xx is a failure), every request has connect and total timeouts, and deliveries run concurrently, so they may arrive out of order: `data.sequence` orders them. Loopback, private and other non-global targets are refused, also after DNS resolution. The delivery log shows every attempt's outcome."),
        (name = "operations", description = "Health, metrics and the API description; no authentication."),
    ),
    components(
        schemas(Problem, FieldError),
        responses(
            problems::BadRequest,
            problems::Unauthorized,
            problems::Forbidden,
            problems::NotFound,
            problems::Conflict,
            problems::PreconditionFailed,
            problems::PayloadTooLarge,
            problems::UnsupportedMediaType,
            problems::ValidationFailed,
            problems::TooManyRequests,
            problems::InternalError,
            problems::Unavailable,
            crate::api::public::Throttled,
            crate::api::http::precondition::NotModified,
        )
    ),
    modifiers(&BearerScheme)
)]
pub struct BaseDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token."))
                    .build(),
            ),
        );
        let _ = Http::new(HttpAuthScheme::Bearer);
    }
}

/// The operations of a path item that palermo uses, GET first.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> [&mut Option<utoipa::openapi::path::Operation>; 5] {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
}

/// Paths that need no token.
fn is_public(path: &str) -> bool {
    !path.starts_with("/api/v1/")
        || path == "/api/v1/auth/token"
        || path.starts_with(crate::api::public::PREFIX)
}

fn response_ref(name: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

/// Adds the shared responses and security requirements to every operation: 401 to every\n/// secured one, 403 to every secured write, 404 where the path names a resource, 412 where an\n/// `If-Match` is accepted, the body errors where a body is read, 500 and 503 everywhere. Handlers\n/// declare only what is their own (success, 409, a 403 of a read).
pub fn complete(mut api: OpenApiDoc) -> OpenApiDoc {
    for (path, item) in api.paths.paths.iter_mut() {
        let public = is_public(path);
        for (i, op) in operations(item).into_iter().enumerate() {
            let Some(op) = op else { continue };
            let read_only = i == 0;
            let has_if_match = op
                .parameters
                .as_ref()
                .is_some_and(|ps| ps.iter().any(|p| p.name == "If-Match"));
            let responses = &mut op.responses.responses;
            let mut add = |status: &str, name: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| response_ref(name));
            };
            if !public {
                add("401", "Unauthorized");
            }
            // A caller may always change its own account.
            let own_account = path == "/api/v1/me" || path.starts_with("/api/v1/me/");
            if !public && !read_only && !own_account {
                add("403", "Forbidden");
            }
            if path.contains('{') {
                add("404", "NotFound");
            }
            if has_if_match {
                add("412", "PreconditionFailed");
            }
            if op.request_body.is_some() {
                add("400", "BadRequest");
                add("413", "PayloadTooLarge");
                add("415", "UnsupportedMediaType");
                add("422", "ValidationFailed");
            }
            if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                add("422", "ValidationFailed");
            }
            add("500", "InternalError");
            if !public || path.starts_with("/api/v1/") {
                add("503", "Unavailable");
            }
            op.security = Some(if public {
                // Stated, not left out: no token is needed here.
                Vec::new()
            } else {
                vec![SecurityRequirement::new("bearer", Vec::<String>::new())]
            });
            if op.operation_id.is_none() {
                log::warn!("operation without id at {path}");
            }
        }
    }
    apply_contract(api)
}

/// The document-wide rules of [`contract`], applied to the document as JSON.
fn apply_contract(api: OpenApiDoc) -> OpenApiDoc {
    let mut doc = match serde_json::to_value(&api) {
        Ok(doc) => doc,
        Err(e) => {
            log::error!("OpenAPI document does not serialise: {e}");
            return api;
        }
    };
    contract::apply(&mut doc);
    match serde_path_to_error::deserialize(doc) {
        Ok(mut done) => {
            contract::fix_links(&mut done);
            done
        }
        Err(e) => {
            log::error!("OpenAPI document after the contract rules does not read back: {e}");
            api
        }
    }
}
