//! HTTP integration tests: one binary, one module per resource, every test against a real server.
// Test code may panic on what it did not expect: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod batch_limits;
mod batch_races;
mod bodies;
mod commitments;
mod crash;
mod cycle_story;
mod errors;
mod feed_races;
mod headers;
mod helpers;
mod indicators;
mod input;
mod lock_races;
mod member_states;
mod national_authorities;
mod openapi;
mod operations;
mod owasp;
mod polling;
mod public;
mod quality;
mod races;
mod register;
mod reporting;
mod sdmx;
mod sync;
mod throttle;
mod training_events;
mod users;
mod validation_rules;
mod webhook_receiver;
mod webhooks;
mod work_plans;
