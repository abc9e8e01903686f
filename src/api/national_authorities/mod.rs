//! `/api/v1/national-authorities`: the register of national authorities (mandates 8 and 9).

mod record;
mod wire;

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::Register;
pub use wire::{
    NationalAuthority, NationalAuthorityInput, NationalAuthorityListParams, NationalAuthorityPatch,
};

use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::replace;
use crate::api::http::write;
use crate::auth::Writer;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_national_authorities)
        .service(create_national_authority)
        .service(get_national_authority)
        .service(replace_national_authority)
        .service(update_national_authority)
        .service(delete_national_authority)
        .service(list_national_authority_history);
}

/// Deactivate an entry: it leaves the published register, keeps its history, and can be
/// reactivated with PATCH `{"active": true}`. Honours `If-Match`.
#[utoipa::path(
    tag = "national-authorities",
    params(IdPath, IfMatch),
    responses(
        (status = 200, description = "The deactivated entry", body = NationalAuthority),
    )
)]
#[delete("/{id}")]
pub async fn delete_national_authority(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    writer: Writer,
) -> ApiResult<HttpResponse> {
    let deactivate = NationalAuthorityPatch::of(serde_json::json!({"active": false}));
    replace::patch::<NationalAuthority>(
        &state.pool,
        writer,
        path.into_inner().id,
        precondition,
        "deactivate",
        deactivate,
    )
    .await
}

crate::record_routes! {
    tag = "national-authorities", record = NationalAuthority, view = NationalAuthority,
    input = NationalAuthorityInput,
    patch = NationalAuthorityPatch;
    /// List register entries, ordered by creation. `Accept: text/csv` or `format=csv` streams every
    /// matching entry as CSV. Entries are never deleted (DELETE deactivates them), so
    /// `include_deleted` changes nothing here.
    list list_national_authorities("A page of entries (JSON) or all of them (CSV)", Register,
        NationalAuthorityListParams, record::filter);
    /// Add an entry to the register. Reporters add entries of their own state only. Safe to retry
    /// with `Idempotency-Key`. A second active national point of contact for a state is a 409.
    create create_national_authority("Created", {
        "member_state": "ARG", "role": "national_point_of_contact", "institution": "Ministerio de Justicia y Derechos Humanos",
        "contact_name": "María Pérez", "email": "rescate@jus.gob.ar", "phone": "+54 11 5300 4000",
        "website": "https://www.argentina.gob.ar/justicia", "languages": ["es", "en"], "designated_on": "2024-03-01"
    }, 409 = Conflict);
    /// Get one register entry.
    get get_national_authority("The entry");
    /// Replace every field of an entry (omitted optional fields become null). Honours `If-Match`;
    /// an identical PUT changes nothing.
    put replace_national_authority("The entry after the change");
    /// Change some fields of an entry. Honours `If-Match`.
    patch update_national_authority("The entry after the change",
        {"email": "trata@jus.gob.ar", "phone": null});
    /// Every version of an entry, oldest first, with who changed it and when.
    history list_national_authority_history("The entry's history",
        |conn, id| write::load::<NationalAuthority>(conn, id).map(drop));
}
