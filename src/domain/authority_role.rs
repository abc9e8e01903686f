//! What an authority is in the register of national authorities.

crate::text_enum! {
    /// What an authority is in the register.
    pub enum AuthorityRole {
        /// The national point of contact (at most one active per member state).
        NationalPointOfContact => "national_point_of_contact",
        CoordinatingBody => "coordinating_body",
        FocalPoint => "focal_point",
    }
}

impl AuthorityRole {
    /// Order in the published register: the point of contact first.
    pub fn rank(self) -> u8 {
        self as u8
    }
}
