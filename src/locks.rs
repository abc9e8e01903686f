//! Moved to [`crate::reporting::locks`]; kept so that older paths still resolve.

pub use crate::reporting::locks::*;
