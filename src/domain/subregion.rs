//! The UN M49 subregion of a member state.

crate::text_enum! {
    /// UN M49 subregion.
    pub enum Subregion {
        NorthAmerica => "north_america",
        CentralAmerica => "central_america",
        Caribbean => "caribbean",
        SouthAmerica => "south_america",
    }
}
