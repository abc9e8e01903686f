//! Validated values: once constructed, always valid ("parse, don't validate").

mod audience;
mod authority_role;
pub mod contact;
mod disaggregation;
mod guideline_ref;
mod member_state_code;
mod password;
mod period;
mod role;
mod subregion;
mod username;
mod value_type;

pub use audience::Audience;
pub use authority_role::AuthorityRole;
pub use disaggregation::Disaggregation;
pub use guideline_ref::GuidelineRef;
pub use member_state_code::MemberStateCode;
pub use password::Password;
pub use period::{Period, Periodicity};
pub use role::Role;
pub use subregion::Subregion;
pub use username::Username;
pub use value_type::ValueType;
