//! Where usage data comes from. Each source yields a core `UsageStore`.

pub mod demo;
pub mod file;
pub mod rest;

use std::sync::Arc;

use chrono::NaiveDate;
use usage_core::StatusDetail;
use usage_core::format::parse_iso_date;
use usage_core::formats::ReadReport;
use usage_core::rest::ApiMeta;
use usage_core::{DateRange, UsageStore};

use crate::ingest::protocol::LiveInfo;

/// What the dashboard is showing and where it came from.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub store: Arc<UsageStore>,
    pub source: DataSource,
}

/// The origin of the loaded data, for the banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSource {
    /// The embedded, generated demo dataset.
    Demo,
    /// Export files the user opened, merged, and what was said about copies left out.
    Files {
        files: Vec<LoadedFile>,
        duplicates: Vec<String>,
    },
    /// A live usage API or a static document at a URL.
    Live(Box<Live>),
}

/// What a live source answered, besides the usage: the worker's [`LiveInfo`] as the page keeps it
/// (made by [`Live::from_answer`], the one place one becomes the other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    pub url: String,
    /// The kind of endpoint as the banner names it (`usage_core::rest::Endpoint::kind`).
    pub kind: String,
    /// What the source can do (its kind's, as the link chose it): every branch on the page that
    /// depends on the source reads these, never its name.
    pub can: usage_core::live::Capabilities,
    /// When the data was fetched, ISO 8601 UTC.
    pub fetched_at: String,
    /// The range it was fetched for: complete for that range only.
    pub range: DateRange,
    /// What the answer covers when the endpoint could not give exactly the range asked for.
    pub caveat: Option<String>,
    /// `/meta` (the contract): what it said, or why it could not be read; for ClickHouse, what
    /// its table's columns let it break down by.
    pub meta: Option<Result<ApiMeta, String>>,
    /// Where the answer really came from, when a redirect took the request to another origin.
    pub served_from: Option<String>,
    /// The zone whose clock the source counted its buckets on (an IANA name), when it was asked
    /// to (ClickHouse); `None` for UTC.
    pub zone: Option<String>,
}

impl Live {
    /// The page's copy of what the worker said, for a source of a kind that can do `can`, with
    /// `today` standing in for a date the worker wrote out of shape. The latencies are not kept
    /// here: they go into the store.
    pub fn from_answer(info: LiveInfo, can: usage_core::live::Capabilities, today: NaiveDate) -> Live {
        let day = |text: &str| parse_iso_date(text).unwrap_or(today);
        Live {
            range: DateRange::new(day(&info.from), day(&info.to), today),
            url: info.url,
            kind: info.kind,
            can,
            fetched_at: info.fetched_at,
            caveat: info.caveat,
            meta: info.meta,
            served_from: info.served_from,
            zone: info.zone,
        }
    }
}

/// One opened file and what reading it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    pub name: String,
    /// The name of the format detected from the content.
    pub format: String,
    pub report: ReadReport,
    /// How exact its status codes are.
    pub status_detail: StatusDetail,
}
