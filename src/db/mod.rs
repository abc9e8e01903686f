//! Storage: one connection type for SQLite and PostgreSQL, the pool, and embedded migrations.

pub mod connection;
pub mod locks;
pub mod migrations;
pub mod pool;
pub mod rows;
pub mod schema;
pub mod statistics;
pub mod text_enum;
pub mod text_search;

pub use connection::{AnyConnection, DatabaseUrl};
pub use pool::{run, Pool};
