//! Callboard's numbers core: every count the dashboard shows is computed here.
//!
//! The crate is pure Rust. It has no UI, browser, clock or storage dependency:
//! functions receive everything they need (the data, `today`, the sort order)
//! and return values or `Result`s, so all of it is tested natively.
//!
//! Data flows one way: records → [`StoreBuilder`] → [`UsageStore`] → queries
//! ([`UsageStore::breakdown`], [`UsageStore::series`], …) → the UI.
//!
//! The modules are layered, and a module uses only modules of its own layer or below; a leaf
//! uses only other leaves, and no modules use each other in a circle (tests/layers.rs reads this
//! table and checks it):
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | 0, leaves | `calendar`, `csv_cell`, `dimension`, `json`, `model`, `query_string`, `status`, `strings`, `template` | the vocabulary: days and buckets, dimensions and filters, records, status classes, interned text, URL templates, query strings |
//! | 1 | `format` | numbers, dates and times as text |
//! | 2 | `range`, `zone` | date ranges that end yesterday, and time zones |
//! | 3 | `store` | the columnar store: its builder, parts and counted latencies |
//! | 4 | `query`, `latency`, `metric`, `spikes`, `selection`, `table` | the queries: breakdowns, series, percentiles, spikes, the client selection, tables |
//! | 5 | `formats`, `load`, `demo`, `rest`, `clickhouse`, `live` | the inputs: file formats, the demo, live sources and what each can do |
//! | 6 | `view`, `widgets` | the link grammar, and what each view's widgets show |

pub mod calendar;
pub mod clickhouse;
pub mod csv_cell;
pub mod demo;
pub mod dimension;
pub mod format;
pub mod formats;
pub mod json;
pub mod latency;
pub mod live;
pub mod load;
pub mod metric;
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

pub use calendar::Granularity;
pub use dimension::{Dimension, Filter, StatusDetail};
pub use model::{BucketWidth, UsageRecord};
pub use query::{Breakdown, RecordFilter, Row as BreakdownRow, SortColumn, TimeSeries};
pub use range::{DateRange, Preset, RangeError};
pub use selection::{ClientSelection, SelectionNotice, StoredSelection};
pub use status::{StatusClass, StatusCounts};
pub use store::parts;
pub use store::{ClientId, ClientInfo, ClientRef, EndpointId, Row, StoreBuilder, UsageStore};
pub use strings::StringTable;
