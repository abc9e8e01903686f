//! HTTP integration tests: one binary, one module per resource, every test against a real server.

mod auth;
mod errors;
mod helpers;
mod member_states;
mod openapi;
mod operations;
mod training_events;
mod users;
mod work_plans;
