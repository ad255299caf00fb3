//! The front doors. `api` is the JSON API; `web` is the browser interface (HTML pages for people). Each registers
//! its routes through its own `configure`.

pub mod api;
pub mod web;
