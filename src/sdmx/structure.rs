//! The SDMX-JSON 2.0 structure message of the dataflow `OAS:DF_TIP(1.0)`: the dataflow, its data
//! structure (dimensions, time dimension, measure, attributes), the concepts they take their
//! identity from, and the code lists, built from the member states, the indicator catalog and
//! the dimension catalog as stored.

use serde_json::{json, Value};

use super::{AGENCY, CONF_STATUS, DATAFLOW, DIMENSIONS, OBS_STATUS, TOTAL, VERSION};

/// The data structure definition's id.
const DSD: &str = "DSD_TIP";
/// The concept scheme's id.
const CONCEPTS: &str = "CS_TIP";

/// A member state as the structure lists it.
pub struct Area {
    pub code: String,
    pub names: [(&'static str, String); 4],
}

/// What the message is built from.
pub struct Sources {
    pub areas: Vec<Area>,
    /// Indicator code and name.
    pub indicators: Vec<(String, String)>,
    /// Dimension and its codes, in reporting order.
    pub code_lists: Vec<(String, Vec<String>)>,
    /// When the message is prepared (RFC 3339).
    pub prepared: String,
}

fn urn(class: &str, id: &str) -> String {
    let package = match class {
        "Codelist" => "codelist",
        "Concept" => "conceptscheme",
        _ => "datastructure",
    };
    match class {
        "Concept" => format!(
            "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={AGENCY}:{CONCEPTS}({VERSION}).{id}"
        ),
        _ => format!("urn:sdmx:org.sdmx.infomodel.{package}.{class}={AGENCY}:{id}({VERSION})"),
    }
}

fn codelist(id: &str, name: &str, codes: Vec<Value>) -> Value {
    json!({
        "id": id, "agencyID": AGENCY, "version": VERSION,
        "name": name, "names": {"en": name},
        "codes": codes,
    })
}

fn code(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "names": {"en": name}})
}

fn coded(id: &str, position: usize, list: &str) -> Value {
    json!({
        "id": id, "position": position, "conceptIdentity": urn("Concept", id),
        "localRepresentation": {"enumeration": urn("Codelist", list)},
    })
}

fn attribute(id: &str, representation: Value) -> Value {
    json!({
        "id": id, "usage": "optional", "attributeRelationship": {"observation": {}},
        "conceptIdentity": urn("Concept", id), "localRepresentation": representation,
    })
}

/// The message.
pub fn message(sources: Sources) -> Value {
    let Sources {
        areas,
        indicators,
        code_lists,
        prepared,
    } = sources;
    let mut codelists = vec![
        codelist(
            "CL_REF_AREA",
            "OAS member states (ISO 3166-1 alpha-3)",
            areas
                .iter()
                .map(|a| {
                    let names: serde_json::Map<String, Value> = (a.names.iter())
                        .map(|(lang, n)| (lang.to_string(), json!(n)))
                        .collect();
                    json!({"id": a.code, "name": a.names[0].1, "names": names})
                })
                .collect(),
        ),
        codelist(
            "CL_INDICATOR",
            "Indicators of the palermo catalog",
            indicators.iter().map(|(c, n)| code(c, n)).collect(),
        ),
    ];
    let mut dimensions = vec![
        coded("REF_AREA", 0, "CL_REF_AREA"),
        coded("INDICATOR", 1, "CL_INDICATOR"),
    ];
    let mut concepts = vec![
        ("REF_AREA", "Reference area (OAS member state)"),
        ("INDICATOR", "Indicator"),
        ("TIME_PERIOD", "Time period"),
    ]
    .into_iter()
    .map(|(id, name)| code(id, name))
    .collect::<Vec<_>>();
    for (dim, column) in DIMENSIONS {
        let list = format!("CL_{column}");
        let codes = code_lists
            .iter()
            .find(|(d, _)| d == dim)
            .map(|(_, c)| c.as_slice())
            .unwrap_or_default();
        let mut items: Vec<Value> = codes
            .iter()
            .map(|c| code(c, &c.replace('_', " ")))
            .collect();
        items.push(code(TOTAL, "Total (not broken down)"));
        codelists.push(codelist(&list, &dim.replace('_', " "), items));
        dimensions.push(coded(column, dimensions.len(), &list));
        concepts.push(code(column, &dim.replace('_', " ")));
    }
    let statuses = |list: &[(&str, &str)]| list.iter().map(|(c, n)| code(c, n)).collect();
    codelists.push(codelist(
        "CL_OBS_STATUS",
        "Observation status",
        statuses(&OBS_STATUS),
    ));
    codelists.push(codelist(
        "CL_CONF_STATUS",
        "Confidentiality status",
        statuses(&CONF_STATUS),
    ));
    for (id, name) in [
        ("OBS_VALUE", "Observation value"),
        ("OBS_STATUS", "Observation status"),
        ("CONF_STATUS", "Confidentiality status"),
        ("COMMENT", "Comment"),
        ("SOURCE", "Source"),
    ] {
        concepts.push(code(id, name));
    }
    let text = json!({"format": {"dataType": "String"}});
    let name = "Trafficking in persons indicators of the OAS Work Plan";
    json!({
        "meta": {
            "id": format!("{AGENCY}:{DATAFLOW}({VERSION})"),
            "test": false,
            "prepared": prepared,
            "contentLanguages": ["en", "es", "fr", "pt"],
            "sender": {"id": AGENCY, "name": "Organization of American States"},
        },
        "data": {
            "dataflows": [{
                "id": DATAFLOW, "agencyID": AGENCY, "version": VERSION,
                "name": name, "names": {"en": name},
                "structure": urn("DataStructure", DSD),
            }],
            "dataStructures": [{
                "id": DSD, "agencyID": AGENCY, "version": VERSION,
                "name": name, "names": {"en": name},
                "dataStructureComponents": {
                    "dimensionList": {
                        "id": "DimensionDescriptor",
                        "dimensions": dimensions,
                        "timeDimension": {
                            "id": "TIME_PERIOD",
                            "conceptIdentity": urn("Concept", "TIME_PERIOD"),
                            "localRepresentation": {"format": {"dataType": "ObservationalTimePeriod"}},
                        },
                    },
                    "measureList": {
                        "id": "MeasureDescriptor",
                        "measures": [{
                            "id": "OBS_VALUE", "usage": "optional",
                            "conceptIdentity": urn("Concept", "OBS_VALUE"),
                            "localRepresentation": text,
                        }],
                    },
                    "attributeList": {
                        "id": "AttributeDescriptor",
                        "attributes": [
                            attribute("OBS_STATUS", json!({"enumeration": urn("Codelist", "CL_OBS_STATUS")})),
                            attribute("CONF_STATUS", json!({"enumeration": urn("Codelist", "CL_CONF_STATUS")})),
                            attribute("COMMENT", text.clone()),
                            attribute("SOURCE", text.clone()),
                        ],
                    },
                },
            }],
            "conceptSchemes": [{
                "id": CONCEPTS, "agencyID": AGENCY, "version": VERSION,
                "name": "Concepts of the trafficking in persons indicators",
                "names": {"en": "Concepts of the trafficking in persons indicators"},
                "concepts": concepts,
            }],
            "codelists": codelists,
        },
    })
}
