//! The flag a reported indicator value may carry.

crate::text_enum! {
    /// A qualification of a reported value.
    pub enum ValueFlag {
        Provisional => "provisional",
        Estimated => "estimated",
        BelowThreshold => "below_threshold",
        /// The value is withheld (`null`).
        Confidential => "confidential",
    }
}

impl ValueFlag {
    /// The codes, for messages: `provisional, estimated, ...`.
    pub fn codes() -> String {
        let codes: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
        codes.join(", ")
    }
}
