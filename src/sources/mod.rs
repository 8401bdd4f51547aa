//! Where usage data comes from. Each source yields a core `UsageStore`.

pub mod demo;

use std::sync::Arc;

use usage_core::UsageStore;

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
}
