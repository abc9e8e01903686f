//! An SDMX-CSV file as import rows: the header's columns (any order), then each data line checked
//! and validated as the JSON batch validates a row, one line at a time, so only the valid rows
//! are kept. `index` is the 0-based data line.

use std::collections::HashMap;

use serde_json::Value;

use super::csv::{separator, Records};
use super::{flag_of, DIMENSIONS, STRUCTURE, STRUCTURE_ID, TOTAL};
use crate::auth::{Owner, Writer};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::indicator_import::{
    validate, Catalog, Checked, RawDisaggregation, RawRow, RowAction, RowError, ValueType,
};

/// Columns a file must have.
const REQUIRED: [&str; 5] = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "REF_AREA",
    "INDICATOR",
    "TIME_PERIOD",
];

/// Unknown columns a 422 names at most.
const MAX_NAMED: usize = 20;

/// The `STRUCTURE_ID`s of the dataflow (SDMX 3 versions may carry a patch number).
const STRUCTURE_IDS: [&str; 2] = [STRUCTURE_ID, "OAS:DF_TIP(1.0.0)"];

/// Where each known column is in a line.
struct Header {
    width: usize,
    columns: HashMap<&'static str, usize>,
}

impl Header {
    fn read(fields: &[String]) -> ApiResult<Self> {
        let mut columns = HashMap::new();
        let mut problems = Vec::new();
        for (i, name) in fields.iter().enumerate() {
            // The first column may carry a sub-field term, `STRUCTURE[;]`.
            let bare = if i == 0 {
                name.split('[').next().unwrap_or(name)
            } else {
                name.as_str()
            };
            match super::COLUMNS.iter().find(|c| **c == bare) {
                Some(known) if columns.insert(*known, i).is_some() => problems.push(
                    FieldError::new(*known, "is a column the header names more than once"),
                ),
                Some(_) => {}
                // A hostile header is named in a bounded problem: the first columns, each cut short.
                None if problems.len() < MAX_NAMED => problems.push(FieldError::new(
                    name.chars().take(64).collect::<String>(),
                    format!(
                        "is not a column of {STRUCTURE_ID} (its columns: {})",
                        super::COLUMNS.join(", ")
                    ),
                )),
                None => {}
            }
        }
        for column in REQUIRED {
            if !columns.contains_key(column) {
                problems.push(FieldError::new(column, "is a required column"));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        Ok(Self {
            width: fields.len(),
            columns,
        })
    }

    /// The cell of `column` in `line` (empty when the file has no such column).
    fn cell<'l>(&self, line: &'l [String], column: &str) -> &'l str {
        self.columns
            .get(column)
            .and_then(|&i| line.get(i))
            .map_or("", String::as_str)
    }
}

/// The field of a validation error as the SDMX-CSV file names it: its column.
pub fn column_of(field: &str) -> String {
    let column = match field {
        "member_state" => "REF_AREA",
        "indicator" => "INDICATOR",
        "period" => "TIME_PERIOD",
        "value" => "OBS_VALUE",
        "flag" => "OBS_STATUS",
        "comment" => "COMMENT",
        "source" => "SOURCE",
        other => match other.strip_prefix("disaggregation/") {
            Some(dim) => return dim.to_ascii_uppercase(),
            None => other,
        },
    };
    column.to_string()
}

/// The member states by their M49 code, for `REF_AREA` given as M49.
pub type M49 = HashMap<String, String>;

/// Reads and validates every data line of `text`. A header that is not this dataflow's is one 422
/// naming each unknown or missing column; a line of another member state than a reporter's own
/// is a 403 for the whole file. Every other fault is a row error of its line.
pub fn check(text: &str, catalog: &Catalog, m49: &M49, writer: &Writer) -> ApiResult<Checked> {
    let first_line = text.lines().next().unwrap_or("");
    let sep = separator(first_line).map_err(|m| ApiError::invalid("STRUCTURE", m))?;
    let mut records = Records::new(text, sep);
    let header = match records.next() {
        Some(Ok(fields)) => Header::read(&fields)?,
        Some(Err(e)) => {
            return Err(ApiError::invalid(
                "STRUCTURE",
                format!("the header: {}", e.0),
            ))
        }
        None => {
            return Err(ApiError::invalid(
                "STRUCTURE",
                "the file is empty: a header row is required",
            ))
        }
    };
    let mut checked = Checked::default();
    for (index, record) in records.enumerate() {
        checked.received += 1;
        let result = match record {
            Ok(line) => row(index, &line, &header, catalog, m49, writer)?,
            Err(e) => Err(vec![RowError::new(index, "", "invalid_row", e.0)]),
        };
        match result {
            Ok(valid) => checked.valid.push(valid),
            Err(mut errors) => {
                checked.rejected += 1;
                checked.errors.append(&mut errors);
            }
        }
    }
    Ok(checked)
}

type Line = Result<crate::indicator_import::ValidRow, Vec<RowError>>;

/// One data line as a validated row, or its errors; `Err` of the outer result is a 403.
fn row(
    index: usize,
    line: &[String],
    header: &Header,
    catalog: &Catalog,
    m49: &M49,
    writer: &Writer,
) -> ApiResult<Line> {
    let mut errors = Vec::new();
    let mut err = |field: &str, code: &str, message: String| {
        errors.push(RowError::new(index, field, code, message));
    };
    if line.len() != header.width {
        err(
            "",
            "invalid_row",
            format!("has {} fields; the header has {}", line.len(), header.width),
        );
        return Ok(Err(errors));
    }
    let cell = |column: &str| header.cell(line, column);
    if cell("STRUCTURE") != STRUCTURE {
        err(
            "STRUCTURE",
            "unknown_structure",
            format!("must be {STRUCTURE}"),
        );
    }
    if !STRUCTURE_IDS.contains(&cell("STRUCTURE_ID")) {
        err(
            "STRUCTURE_ID",
            "unknown_structure",
            format!("must be {STRUCTURE_ID}"),
        );
    }
    let action = match cell("ACTION") {
        // Information and Append are read as Merge, which the guide assumes without the column.
        "" | "I" | "A" | "M" | "R" => RowAction::Upsert,
        "D" if cell("OBS_VALUE").is_empty() && cell("OBS_STATUS").is_empty() => {
            RowAction::DeleteKey
        }
        "D" => RowAction::Delete,
        other => {
            err(
                "ACTION",
                "invalid_action",
                format!("{other:?} is not an action (I, A, M or R upsert; D deletes)"),
            );
            RowAction::Upsert
        }
    };
    let ref_area = cell("REF_AREA");
    let member_state = if ref_area.is_empty() {
        err("REF_AREA", "invalid_row", "is required".into());
        None
    } else if ref_area.bytes().all(|b| b.is_ascii_digit()) {
        match m49.get(ref_area) {
            Some(code) => Some(code.clone()),
            None => {
                err(
                    "REF_AREA",
                    "unknown_member_state",
                    format!("{ref_area:?} is not the M49 code of an OAS member state"),
                );
                None
            }
        }
    } else {
        Some(ref_area.to_string())
    };
    // Scope first: a file touching another state's data is refused as a whole.
    if let (Some(ms), false) = (&member_state, writer.is_admin()) {
        writer.scope(Owner::State(ms))?;
    }
    let text = |column: &str| {
        let v = cell(column);
        (!v.is_empty()).then(|| Value::String(v.to_string()))
    };
    let indicator = cell("INDICATOR");
    let value_type = catalog.indicators.get(indicator).map(|s| s.value_type);
    let mut pairs = Vec::new();
    for (dim, column) in DIMENSIONS {
        let code = cell(column);
        if !code.is_empty() && code != TOTAL {
            pairs.push((dim.to_string(), Value::String(code.to_string())));
        }
    }
    let mut raw = RawRow {
        is_object: true,
        member_state: Some(member_state.map_or(Value::Null, Value::String)),
        indicator: text("INDICATOR"),
        period: text("TIME_PERIOD"),
        disaggregation: Some(RawDisaggregation::Pairs(pairs)),
        value: obs_value(cell("OBS_VALUE"), value_type),
        flag: None,
        comment: text("COMMENT"),
        source: text("SOURCE"),
        unknown: Vec::new(),
        unknown_total: 0,
    };
    if action == RowAction::DeleteKey {
        // Only the key counts: the value is not looked at (a confidential value may be null).
        raw.flag = Some(Value::String("confidential".into()));
        raw.comment = None;
        raw.source = None;
    } else {
        match flag_of(cell("OBS_STATUS"), cell("CONF_STATUS")) {
            Ok(flag) => raw.flag = flag.map(|f| Value::String(f.as_str().to_string())),
            Err((column, message)) => err(column, "invalid_flag", message),
        }
    }
    let own = writer.own_state();
    let validated = validate(index, &raw, catalog, own);
    Ok(match validated {
        Ok(mut valid) if errors.is_empty() => {
            valid.action = action;
            if action == RowAction::DeleteKey {
                valid.flag = None;
            }
            Ok(valid)
        }
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            Err(errors)
        }
    })
}

/// `OBS_VALUE` as the JSON value validation expects: text for a text indicator, a number or
/// boolean where the cell is one, else the text (which validation then refuses); empty is missing.
fn obs_value(cell: &str, value_type: Option<ValueType>) -> Option<Value> {
    if cell.is_empty() {
        return None;
    }
    if value_type != Some(ValueType::Text) && !cell.starts_with(char::is_whitespace) {
        if let Ok(v @ (Value::Number(_) | Value::Bool(_))) = serde_json::from_str::<Value>(cell) {
            return Some(v);
        }
    }
    Some(Value::String(cell.to_string()))
}
