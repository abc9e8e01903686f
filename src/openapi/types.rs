//! Schemas of wire shapes that have no Rust type of their own (a batch row is read field by field,
//! a disaggregation is stored as canonical JSON text, a history entry holds any record), so that
//! generated clients get real types instead of an empty object.

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Implements `ToSchema` for a documentation type from a JSON schema.
macro_rules! json_schema {
    ($(#[doc = $doc:literal])* $name:ident => $schema:expr $(, uses $($dep:ty),+)?;) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                from_json($schema)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            #[allow(unused_variables)]
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                $($(
                    schemas.push((<$dep as ToSchema>::name().into_owned(), <$dep as PartialSchema>::schema()));
                    <$dep as ToSchema>::schemas(schemas);
                )+)?
            }
        }
    };
}

fn from_json(schema: serde_json::Value) -> RefOr<Schema> {
    serde_json::from_value(schema).unwrap_or_else(|e| {
        log::error!("invalid built-in schema: {e}");
        RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::Object).build(),
        ))
    })
}

json_schema! {
    /// A disaggregation: dimension -> code; `{}` is the total.
    Disaggregation => json!({
        "type": "object",
        "description": "Dimension -> code (see `GET /api/v1/dimensions`); `{}` is the total.",
        "additionalProperties": {"type": "string", "minLength": 1},
        "example": {"sex": "female", "age_group": "child"},
    });
}

json_schema! {
    /// A value as reported: typed by its indicator.
    DataValue => json!({
        "type": ["number", "boolean", "string", "null"],
        "description": "Typed by the indicator's `value_type`: a number for `count` (a whole number), `number` and `percent`, a boolean for `boolean`, a string for `text`; `null` only when the flag is `confidential`.",
        "example": 42,
    });
}

json_schema! {
    /// A value of the public view: typed by its indicator, `null` when withheld.
    PublicDataValue => json!({
        "type": ["number", "boolean", "string", "null"],
        "description": "Typed by the indicator's `value_type` (a whole number for `count`); `null` when withheld (`flag: suppressed`).",
        "example": 42,
    });
}

json_schema! {
    /// A record as it was before or after a change: the resource's own JSON.
    Record => json!({
        "type": "object",
        "description": "The resource as it was (its own JSON representation).",
        "additionalProperties": true,
    });
}

json_schema! {
    /// One row of an indicator-value batch.
    BatchRow => json!({
        "type": "object",
        "description": "One indicator value to upsert by its natural key (member state, indicator, period, disaggregation).",
        "required": ["indicator", "period"],
        "properties": {
            "member_state": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$", "description": "ISO 3166-1 alpha-3 code; a reporter may omit it (its own state).", "example": "ARG"},
            "indicator": {"type": "string", "minLength": 1, "description": "Code of an indicator of the catalog.", "example": "VICTIMS_DETECTED"},
            "period": {"type": "string", "minLength": 1, "description": "`2019`, `2019-Q1` or `2019-03`, per the indicator's periodicity.", "example": "2019"},
            // Written out rather than referring to Disaggregation and DataValue: schemathesis
            // 4.32.5's coverage phase mixes up those shared references with IndicatorValue's
            // (it reports `{"values": []}` as missing IndicatorValue's required member_state).
            "disaggregation": {
                "type": ["object", "null"],
                "description": "Dimension -> code (see `GET /api/v1/dimensions`); absent, `null` or `{}` for the total.",
                "additionalProperties": {"type": "string", "minLength": 1},
                "example": {"sex": "female", "age_group": "child"},
            },
            "value": {
                "type": ["number", "boolean", "string", "null"],
                "description": "Typed by the indicator's `value_type`: a number for `count` (a whole number), `number` and `percent`, a boolean for `boolean`, a string for `text`; `null` only when the flag is `confidential`.",
                "example": 42,
            },
            "flag": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ValueFlag"}]},
            "comment": {"type": ["string", "null"]},
            "source": {"type": ["string", "null"]},
        },
        "additionalProperties": false,
        "example": {"indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {"sex": "female"}, "value": 42},
    }), uses crate::domain::ValueFlag;
}
