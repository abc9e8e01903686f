//! How a training event was delivered.

crate::text_enum! {
    /// How the training was delivered.
    pub enum Modality {
        InPerson => "in_person",
        Virtual => "virtual",
        /// Some participants in the room, some online.
        Hybrid => "hybrid",
    }
}
