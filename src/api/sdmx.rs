//! `/api/v1/sdmx/structure`: the SDMX-JSON structure message describing the dataflow of the
//! SDMX-CSV exchange of indicator values (`GET /api/v1/indicator-values` as SDMX-CSV, and the
//! batch import of an SDMX-CSV body).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::run_db;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::models::indicator::{code_lists, IndicatorRow};
use crate::models::member_state::MemberStateRow;
use crate::sdmx::structure::{self, Area, Sources};
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_sdmx_structure);
}

/// An SDMX-JSON 2.0 structure message: `meta`, then `data` with the dataflow, its data structure,
/// concepts and code lists.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({
    "meta": {"id": "OAS:DF_TIP(1.0)", "test": false, "prepared": "2026-12-01T00:00:00.000000Z", "contentLanguages": ["en", "es", "fr", "pt"], "sender": {"id": "OAS", "name": "Organization of American States"}},
    "data": {
        "dataflows": [{"id": "DF_TIP", "agencyID": "OAS", "version": "1.0", "name": "Trafficking in persons indicators of the OAS Work Plan", "structure": "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=OAS:DSD_TIP(1.0)"}],
        "dataStructures": [{"id": "DSD_TIP", "agencyID": "OAS", "version": "1.0", "name": "Trafficking in persons indicators of the OAS Work Plan", "dataStructureComponents": {
            "dimensionList": {"id": "DimensionDescriptor", "dimensions": [{"id": "REF_AREA", "position": 0, "conceptIdentity": "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=OAS:CS_TIP(1.0).REF_AREA", "localRepresentation": {"enumeration": "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=OAS:CL_REF_AREA(1.0)"}}],
                "timeDimension": {"id": "TIME_PERIOD", "conceptIdentity": "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=OAS:CS_TIP(1.0).TIME_PERIOD", "localRepresentation": {"format": {"dataType": "ObservationalTimePeriod"}}}},
            "measureList": {"id": "MeasureDescriptor", "measures": [{"id": "OBS_VALUE", "usage": "optional", "conceptIdentity": "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=OAS:CS_TIP(1.0).OBS_VALUE", "localRepresentation": {"format": {"dataType": "String"}}}]},
            "attributeList": {"id": "AttributeDescriptor", "attributes": [{"id": "OBS_STATUS", "usage": "optional", "attributeRelationship": {"observation": {}}, "conceptIdentity": "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=OAS:CS_TIP(1.0).OBS_STATUS", "localRepresentation": {"enumeration": "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=OAS:CL_OBS_STATUS(1.0)"}}]}}}],
        "conceptSchemes": [{"id": "CS_TIP", "agencyID": "OAS", "version": "1.0", "name": "Concepts of the trafficking in persons indicators", "concepts": [{"id": "REF_AREA", "name": "Reference area (OAS member state)"}]}],
        "codelists": [{"id": "CL_SEX", "agencyID": "OAS", "version": "1.0", "name": "sex", "codes": [{"id": "female", "name": "female"}, {"id": "male", "name": "male"}, {"id": "_T", "name": "Total (not broken down)"}]}]
    }
}))]
pub struct StructureMessage {
    /// The message's id, when it was prepared, its languages and its sender.
    #[schema(value_type = Object)]
    meta: serde_json::Value,
    data: StructureData,
}

/// The artefacts of a structure message.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct StructureData {
    /// The dataflow `OAS:DF_TIP(1.0)`.
    #[schema(value_type = Vec<Object>)]
    dataflows: Vec<serde_json::Value>,
    /// Its data structure: dimensions (`REF_AREA`, `INDICATOR`, the breakdown dimensions), the
    /// time dimension `TIME_PERIOD`, the measure `OBS_VALUE` and the observation attributes.
    #[serde(rename = "dataStructures")]
    #[schema(value_type = Vec<Object>)]
    data_structures: Vec<serde_json::Value>,
    /// The concepts the components take their identity from.
    #[serde(rename = "conceptSchemes")]
    #[schema(value_type = Vec<Object>)]
    concept_schemes: Vec<serde_json::Value>,
    /// The code lists: member states, indicators, each dimension's codes with `_T`, and the
    /// observation and confidentiality statuses.
    #[schema(value_type = Vec<Object>)]
    codelists: Vec<serde_json::Value>,
}

/// Describe the SDMX-CSV dataflow of indicator values as an SDMX-JSON 2.0 structure message.
///
/// The dataflow `OAS:DF_TIP(1.0)` that `GET /api/v1/indicator-values` serves as SDMX-CSV 2.0 and
/// the batch import takes: its dimensions, attributes and measure, and its code lists as stored
/// (member states, the indicator catalog, the dimension catalog of `/api/v1/dimensions`, with
/// `_T` for a value not broken down by a dimension). Any role may read it, as it may read the
/// catalog.
#[utoipa::path(
    tag = "indicators",
    responses((status = 200, description = "The structure message", body = StructureMessage))
)]
#[get("/structure")]
pub async fn get_sdmx_structure(
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let sources = run_db(&state.pool, |conn| {
        let areas = MemberStateRow::list(conn, None, 1000)?
            .into_iter()
            .map(|s| Area {
                code: s.code,
                names: [
                    ("en", s.name_en),
                    ("es", s.name_es),
                    ("fr", s.name_fr),
                    ("pt", s.name_pt),
                ],
            })
            .collect();
        let indicators = IndicatorRow::all(conn)?
            .into_iter()
            .map(|i| (i.code, i.name))
            .collect();
        Ok::<_, ApiError>(Sources {
            areas,
            indicators,
            code_lists: code_lists(conn)?,
            prepared: serde_json::to_value(Timestamp::now())
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(structure::message(sources)))
}
