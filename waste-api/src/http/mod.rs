//! The front doors. `api` is the JSON API; each registers its routes through its own `configure`.

pub mod api;
