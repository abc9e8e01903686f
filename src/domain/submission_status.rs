//! Where a reporting cycle and a member state's submission in it stand (mandate 10).

crate::text_enum! {
    /// Whether a cycle accepts submissions.
    pub enum CycleStatus {
        Open => "open",
        Closed => "closed",
    }
}

crate::text_enum! {
    /// Where a member state's submission stands.
    pub enum SubmissionStatus {
        Draft => "draft",
        Submitted => "submitted",
        Returned => "returned",
        Validated => "validated",
    }
}

impl SubmissionStatus {
    /// Statuses that lock a state's data.
    pub const LOCKING: [SubmissionStatus; 2] = [Self::Submitted, Self::Validated];
}
