//! Authentication and authorization: password hashing, tokens, the caller extractor, throttling
//! of failed logins, and the bootstrap admin.

pub mod bootstrap;
mod caller;
pub mod grant;
pub mod password;
pub mod throttle;
pub mod token;

pub use caller::{Bearer, Caller};
pub use grant::{Admin, Owner, Scope, With, Writer};
pub use throttle::LoginThrottle;
pub use token::TokenService;
