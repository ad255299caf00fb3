//! The front doors over HTTP. `web` is the browser interface (HTML pages for people).
pub mod web;
