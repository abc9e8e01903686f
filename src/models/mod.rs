//! Database rows, insert/update forms, and queries as associated functions, one module per table.

pub mod audit_event;
pub mod commitment;
pub mod idempotency_key;
pub mod indicator;
pub mod indicator_value;
pub mod login_attempt;
pub mod member_state;
pub mod national_authority;
pub mod reporting_cycle;
pub mod training_event;
pub mod user;
pub mod validation_rule;
pub mod webhook;
pub mod webhook_delivery;
pub mod work_plan;
