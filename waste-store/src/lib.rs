//! The store: the schema, the connections (SQLite or PostgreSQL, the single writer), the migrations and every
//! query. It depends on the rules (`waste-core`) and on nothing above it: the use cases call it, it never names
//! them (issue 30: the layers are crates, so an arrow back up does not compile).

mod conn;
pub mod db;
mod error;
pub mod ids;
mod prepared;
pub mod schema;
pub mod storage;
pub mod store;
mod tx;
pub mod writer;

pub use error::StoreError;
