//! Validated values: once constructed, always valid ("parse, don't validate").

mod audience;
pub mod contact;
mod member_state_code;
mod password;
mod role;
mod username;

pub use audience::Audience;
pub use member_state_code::MemberStateCode;
pub use password::Password;
pub use role::Role;
pub use username::Username;
