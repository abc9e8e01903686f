//! palermo: REST/JSON system of record for the OAS Work Plan against Trafficking in Persons in
//! the Western Hemisphere.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod indicator_import;
pub mod locks;
pub mod metrics;
pub mod models;
pub mod openapi;
pub mod quality;
pub mod reporting;
pub mod sdmx;
pub mod startup;
pub mod state;
pub mod timestamp;
pub mod webhooks;
