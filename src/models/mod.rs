//! Database rows, insert/update forms, and queries as associated functions, one module per table.

pub mod audit_event;
pub mod idempotency_key;
pub mod member_state;
pub mod national_authority;
pub mod training_event;
pub mod user;
pub mod work_plan;
