//! Callboard's numbers core: every count the dashboard shows is computed here.
//!
//! The crate is pure Rust. It has no UI, browser, clock or storage dependency:
//! functions receive everything they need (the data, `today`, the sort order)
//! and return values or `Result`s, so all of it is tested natively.
//!
//! Data flows one way: records → [`StoreBuilder`] → [`UsageStore`] → queries
//! ([`UsageStore::breakdown`], [`UsageStore::series`], …) → the UI.

pub mod calendar;
pub mod clickhouse;
pub mod csv_cell;
pub mod demo;
pub mod dimension;
pub mod format;
pub mod load;
pub mod metric;
pub mod formats;
pub mod json;
pub mod latency;
pub mod model;
pub mod query;
pub mod query_string;
pub mod range;
pub mod rest;
pub mod selection;
pub mod spikes;
pub mod status;
pub mod store;
pub mod strings;
pub mod table;
pub mod template;
pub mod view;
pub mod widgets;
pub mod zone;

pub use model::{BucketWidth, UsageRecord};
pub use store::parts;
pub use query::{Breakdown, Dimension, Filter, Granularity, RecordFilter, Row as BreakdownRow, SortColumn, StatusDetail, TimeSeries};
pub use range::{DateRange, Preset, RangeError};
pub use selection::{ClientSelection, SelectionNotice, StoredSelection};
pub use status::{StatusClass, StatusCounts};
pub use store::{ClientId, ClientInfo, ClientRef, EndpointId, Row, StoreBuilder, UsageStore};
pub use strings::StringTable;
