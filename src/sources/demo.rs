//! The embedded demo dataset, the default when no source is set.

use std::sync::Arc;

use super::{DataSource, Dataset};

/// Generates the demo dataset as it stands at `now` (Unix seconds) in the core.
pub fn load(now: i64) -> Result<Dataset, String> {
    let store = usage_core::demo::demo_store_at(now).map_err(|e| format!("the demo data could not be built: {e}"))?;
    Ok(Dataset {
        store: Arc::new(store),
        source: DataSource::Demo,
    })
}
