//! Callboard's browser app: glue between the pure `usage_core` and the page.
//!
//! Components call the core for every count, filter and sort; they only hold
//! user intent (the date range in the URL, the selection in localStorage).

pub mod app;
pub mod bench;
pub mod charts;
pub mod components;
pub mod ingest;
pub mod notices;
pub mod offline;
pub mod pages;
pub mod shell;
pub mod sources;
pub mod state;
pub mod storage;
