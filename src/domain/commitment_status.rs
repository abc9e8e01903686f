//! How far a member state has come on a guideline of a work plan.

crate::text_enum! {
    /// How far a member state has come on a guideline.
    pub enum CommitmentStatus {
        NotStarted => "not_started",
        Planned => "planned",
        InProgress => "in_progress",
        Implemented => "implemented",
        NotApplicable => "not_applicable",
    }
}
