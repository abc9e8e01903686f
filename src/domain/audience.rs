//! Who a training addresses: the sectors of the work plan, shared by training events and the
//! indicators' `sector` dimension.

crate::text_enum! {
    /// A professional group trained by an event (also the codes of the indicators' `sector` dimension).
    pub enum Audience {
        Police => "police",
        Prosecutors => "prosecutors",
        Judges => "judges",
        /// Migration and border officials.
        Migration => "migration",
        /// Consular staff.
        Consular => "consular",
        /// Labour inspectors.
        LaborInspection => "labor_inspection",
        SocialServices => "social_services",
        Health => "health",
        CivilSociety => "civil_society",
        PrivateSector => "private_sector",
        Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::Audience;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for &a in Audience::ALL {
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
