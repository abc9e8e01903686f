//! Validated values: once constructed, always valid ("parse, don't validate").

mod audience;
mod authority_role;
mod commitment_status;
pub mod contact;
mod delivery_status;
mod disaggregation;
mod guideline_ref;
mod member_state_code;
mod modality;
mod password;
mod period;
mod role;
mod submission_status;
mod subregion;
mod username;
mod value_flag;
mod value_type;

pub use audience::Audience;
pub use authority_role::AuthorityRole;
pub use commitment_status::CommitmentStatus;
pub use delivery_status::DeliveryStatus;
pub use disaggregation::{serialize_canonical, Disaggregation};
pub use guideline_ref::GuidelineRef;
pub use member_state_code::MemberStateCode;
pub use modality::Modality;
pub use password::Password;
pub use period::{Period, Periodicity};
pub use role::Role;
pub use submission_status::{CycleStatus, SubmissionStatus};
pub use subregion::Subregion;
pub use username::Username;
pub use value_flag::ValueFlag;
pub use value_type::ValueType;
