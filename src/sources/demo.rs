//! The embedded demo dataset, the default when no source is set.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{DataSource, Dataset};

/// Generates the demo dataset for `today` in the core.
pub fn load(today: NaiveDate) -> Result<Dataset, String> {
    let store = usage_core::demo::demo_store(today).map_err(|e| format!("the demo data could not be built: {e}"))?;
    Ok(Dataset { store: Arc::new(store), source: DataSource::Demo })
}
