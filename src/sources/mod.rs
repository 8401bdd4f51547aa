//! Where usage data comes from. Each source yields a core `UsageStore`.

pub mod demo;
pub mod file;
pub mod rest;

use std::sync::Arc;

use usage_core::UsageStore;
use usage_core::formats::ReadReport;

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
    /// Export files the user opened, merged.
    Files(Vec<LoadedFile>),
    /// A live usage API or a static document at a URL; `fetched_at` is ISO 8601 UTC.
    Live { url: String, fetched_at: String },
}

/// One opened file and what reading it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    pub name: String,
    /// The format detected from the content.
    pub format: &'static str,
    pub report: ReadReport,
}
