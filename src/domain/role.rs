//! The three roles of palermo.

crate::text_enum! {
    /// What a user may do: `admin` (OAS General Secretariat: everything), `reporter` (one member
    /// state's national authority or system: read all, write its own state's data), `viewer` (read all).
    pub enum Role {
        Admin => "admin",
        Reporter => "reporter",
        Viewer => "viewer",
    }
}
