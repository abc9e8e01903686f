//! Who a training addresses: the sectors of the work plan, shared by training events and the
//! indicators' `sector` dimension.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A professional group trained by an event (also the codes of the indicators' `sector` dimension).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Police,
    Prosecutors,
    Judges,
    /// Migration and border officials.
    Migration,
    /// Consular staff.
    Consular,
    /// Labour inspectors.
    LaborInspection,
    SocialServices,
    Health,
    CivilSociety,
    PrivateSector,
    Other,
}

impl Audience {
    /// Every code, in the order of the code list.
    pub const ALL: [Audience; 11] = [
        Self::Police,
        Self::Prosecutors,
        Self::Judges,
        Self::Migration,
        Self::Consular,
        Self::LaborInspection,
        Self::SocialServices,
        Self::Health,
        Self::CivilSociety,
        Self::PrivateSector,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Police => "police",
            Self::Prosecutors => "prosecutors",
            Self::Judges => "judges",
            Self::Migration => "migration",
            Self::Consular => "consular",
            Self::LaborInspection => "labor_inspection",
            Self::SocialServices => "social_services",
            Self::Health => "health",
            Self::CivilSociety => "civil_society",
            Self::PrivateSector => "private_sector",
            Self::Other => "other",
        }
    }

    /// The audience with code `code`, if it is one.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == code)
    }
}

crate::text_sql!([] Audience, |a: &Audience| a.as_str(), |text: String| {
    Audience::parse(&text).ok_or_else(|| format!("unknown Audience {text:?} in the database"))
});

#[cfg(test)]
mod tests {
    use super::Audience;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_value(a).ok(),
                Some(serde_json::Value::from(a.as_str()))
            );
        }
        assert_eq!(Audience::parse("Police"), None);
        assert!(
            Audience::ALL.windows(2).all(|w| w[0] < w[1]),
            "ALL is in code-list order"
        );
    }
}
