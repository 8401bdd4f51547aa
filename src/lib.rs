//! Callboard's browser app: glue between the pure `usage_core` and the page.
//!
//! Components call the core for every count, filter and sort; they only hold
//! user intent (the date range in the URL, the selection in localStorage).
//!
//! The app's layers: a module uses only modules of a lower layer (`tests/layers.rs` checks it).
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 0 | `charts`, `ingest`, `storage`, `notices`, `offline` | drawing, the worker, localStorage, what is said |
//! | 1 | `sources` | the demo, files and live APIs, each yielding a dataset |
//! | 2 | `state` | the dashboard: the link, the clock, the zone, the data, the live controller |
//! | 3 | `components` | cards, tables, dialogs |
//! | 4 | `pages` | the views, each a composition of components |
//! | 5 | `shell`, `bench` | the frame around the pages; the bench contract |
//! | 6 | `app` | the root |

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
