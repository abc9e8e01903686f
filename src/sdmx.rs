//! SDMX exchange of indicator values: the dataflow `OAS:DF_TIP(1.0)`, its SDMX-CSV 2.0 columns, and
//! the mapping between palermo's value flags and the SDMX observation and confidentiality status
//! codes. The CSV reading and writing is in [`csv`], a file's lines as import rows in [`lines`].

use crate::domain::ValueFlag;

pub mod csv;
pub mod lines;
pub mod structure;

/// The media type of SDMX-CSV 2.0 data, as served and as accepted by the batch import.
pub const MEDIA_TYPE: &str = "application/vnd.sdmx.data+csv; version=2.0.0";
/// The media type without its parameters.
pub const MEDIA_ESSENCE: &str = "application/vnd.sdmx.data+csv";
/// The `format` value that asks the value list for SDMX-CSV.
pub const FORMAT: &str = "sdmx-csv";
/// The agency that maintains the dataflow and its structures.
pub const AGENCY: &str = "OAS";
/// The dataflow's id and version.
pub const DATAFLOW: &str = "DF_TIP";
pub const VERSION: &str = "1.0";
/// The `STRUCTURE` cell of every line.
pub const STRUCTURE: &str = "dataflow";
/// The `STRUCTURE_ID` cell of every line.
pub const STRUCTURE_ID: &str = "OAS:DF_TIP(1.0)";
/// The code of a dimension a value is not broken down by.
pub const TOTAL: &str = "_T";

/// The columns of the export, in order: structure, action, dimensions, measure, attributes.
pub const COLUMNS: [&str; 16] = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "REF_AREA",
    "INDICATOR",
    "TIME_PERIOD",
    "SEX",
    "AGE_GROUP",
    "FORM_OF_EXPLOITATION",
    "CITIZENSHIP",
    "SECTOR",
    "OBS_VALUE",
    "OBS_STATUS",
    "CONF_STATUS",
    "COMMENT",
    "SOURCE",
];

/// palermo's breakdown dimensions with their SDMX column, in the export's order.
pub const DIMENSIONS: [(&str, &str); 5] = [
    ("sex", "SEX"),
    ("age_group", "AGE_GROUP"),
    ("form_of_exploitation", "FORM_OF_EXPLOITATION"),
    ("citizenship", "CITIZENSHIP"),
    ("sector", "SECTOR"),
];

/// `OBS_STATUS` codes (SDMX CL_OBS_STATUS) palermo uses: normal, provisional, estimated.
pub const OBS_STATUS: [(&str, &str); 3] = [
    ("A", "Normal value"),
    ("P", "Provisional value"),
    ("E", "Estimated value"),
];

/// `CONF_STATUS` codes (SDMX CL_CONF_STATUS) palermo uses: free, confidential, and small counts.
pub const CONF_STATUS: [(&str, &str); 3] = [
    ("F", "Free"),
    ("C", "Confidential statistical information"),
    ("A", "Primary confidentiality due to small counts"),
];

/// The `OBS_STATUS` and `CONF_STATUS` of a value's flag. palermo keeps one flag a value, so each
/// flag has one pair and each pair one flag: `provisional` is `P,F`, `estimated` `E,F`,
/// `confidential` `A,C` and `below_threshold` `A,A` (SDMX's "primary confidentiality due to small
/// counts"); no flag is `A,F`.
pub fn statuses(flag: Option<ValueFlag>) -> (&'static str, &'static str) {
    match flag {
        None => ("A", "F"),
        Some(ValueFlag::Provisional) => ("P", "F"),
        Some(ValueFlag::Estimated) => ("E", "F"),
        Some(ValueFlag::Confidential) => ("A", "C"),
        Some(ValueFlag::BelowThreshold) => ("A", "A"),
    }
}

/// The flag of an `OBS_STATUS` and a `CONF_STATUS` (an empty cell is `A` or `F`), or the column at
/// fault and why.
pub fn flag_of(
    obs_status: &str,
    conf_status: &str,
) -> Result<Option<ValueFlag>, (&'static str, String)> {
    let obs = if obs_status.is_empty() {
        "A"
    } else {
        obs_status
    };
    let conf = if conf_status.is_empty() {
        "F"
    } else {
        conf_status
    };
    let codes = |list: &[(&str, &str)]| {
        let codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
        codes.join(", ")
    };
    if !OBS_STATUS.iter().any(|(c, _)| *c == obs) {
        return Err((
            "OBS_STATUS",
            format!(
                "{obs:?} is not an observation status palermo keeps ({})",
                codes(&OBS_STATUS)
            ),
        ));
    }
    if !CONF_STATUS.iter().any(|(c, _)| *c == conf) {
        return Err((
            "CONF_STATUS",
            format!(
                "{conf:?} is not a confidentiality status palermo keeps ({})",
                codes(&CONF_STATUS)
            ),
        ));
    }
    match (obs, conf) {
        ("A", "F") => Ok(None),
        ("P", "F") => Ok(Some(ValueFlag::Provisional)),
        ("E", "F") => Ok(Some(ValueFlag::Estimated)),
        ("A", "C") => Ok(Some(ValueFlag::Confidential)),
        ("A", "A") => Ok(Some(ValueFlag::BelowThreshold)),
        _ => Err((
            "CONF_STATUS",
            format!(
                "a value has one flag: an observation status {obs} (provisional or estimated) \
                 cannot go with a confidentiality status {conf}"
            ),
        )),
    }
}

/// True when a media type (an `Accept` or `Content-Type` entry) is SDMX-CSV data. Any version
/// is taken as 2.0.0, the one palermo speaks.
pub fn is_media_type(entry: &str) -> bool {
    entry
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(MEDIA_ESSENCE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_maps_to_one_pair_and_back() {
        let flags = std::iter::once(None).chain(ValueFlag::ALL.iter().copied().map(Some));
        for flag in flags {
            let (obs, conf) = statuses(flag);
            assert_eq!(flag_of(obs, conf), Ok(flag), "{obs},{conf}");
        }
        assert_eq!(flag_of("", ""), Ok(None));
        assert_eq!(flag_of("", "C"), Ok(Some(ValueFlag::Confidential)));
        assert_eq!(flag_of("P", "C").map_err(|e| e.0), Err("CONF_STATUS"));
        assert_eq!(flag_of("N", "F").map_err(|e| e.0), Err("OBS_STATUS"));
        assert_eq!(flag_of("A", "D").map_err(|e| e.0), Err("CONF_STATUS"));
    }

    #[test]
    fn the_media_type_is_recognised_with_or_without_parameters() {
        assert!(is_media_type(MEDIA_TYPE));
        assert!(is_media_type(" application/vnd.sdmx.data+csv"));
        assert!(!is_media_type("text/csv"));
    }
}
