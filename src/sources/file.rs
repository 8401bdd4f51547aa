//! Usage export files the user opens: read in the browser, never uploaded.
//!
//! The files go to the ingest worker (`crate::ingest`), which reads them from disk in slices and
//! runs the core's load (duplicates, encodings, formats, column choices, the size estimate); the
//! page only follows the progress and takes the finished store. A failed or cancelled load leaves
//! the data on screen as it was.

use std::sync::Arc;

use js_sys::Array;
use usage_core::format::decimal;
use usage_core::formats::Format;
use usage_core::formats::tabular::ColumnMapping;
use usage_core::load::Mappings;
use wasm_bindgen::JsValue;

use super::{DataSource, Dataset, LoadedFile};
use crate::ingest::page::{self, Cancel, Progress};
use crate::ingest::protocol::{Failure, mappings_to_js, message};

/// Reads `files` into one dataset (several files are merged: a month of daily logs is one dataset).
///
/// `on_progress` is called as the worker reads; `cancel` stops the load at once. `mappings` holds
/// the column choices confirmed so far, by header set, and `log_formats` the access-log formats
/// given so far. Besides the dataset, it gives the column choices and log formats that read rows:
/// those are worth saving.
pub async fn load(
    files: Vec<web_sys::File>,
    on_progress: impl Fn(Progress),
    cancel: &Cancel,
    mappings: Mappings,
    log_formats: &[String],
) -> Result<(Dataset, Used), Failure> {
    if files.is_empty() {
        return Err(Failure::Other("no file was chosen".into()));
    }
    let list = Array::new();
    let sizes = Array::new();
    for file in &files {
        list.push(file);
        // The size the page sees is the one the estimate uses.
        sizes.push(&JsValue::from_f64(file.size()));
    }
    let job = message(
        "files",
        &[
            ("files", list.into()),
            ("sizes", sizes.into()),
            ("mappings", mappings_to_js(&mappings)),
            (
                "log_formats",
                log_formats
                    .iter()
                    .map(|f| JsValue::from_str(f))
                    .collect::<Array>()
                    .into(),
            ),
        ],
    );
    let (store, outcome) = page::run(job, Array::new(), on_progress, cancel).await?;
    let files = outcome
        .files
        .into_iter()
        .map(|f| {
            // A format the page does not know by name (a newer worker) is taken as exact.
            let status_detail = Format::named(&f.format).map(Format::status_detail).unwrap_or_default();
            LoadedFile {
                name: f.name,
                format: f.format,
                report: f.report,
                status_detail,
            }
        })
        .collect();
    Ok((
        Dataset {
            store: Arc::new(store),
            source: DataSource::Files {
                files,
                duplicates: outcome.duplicates,
            },
        },
        Used {
            mappings: outcome.mappings_used,
            log_formats: outcome.log_formats_used,
        },
    ))
}

/// What a load used that read rows: worth saving for the next file of the same shape.
pub struct Used {
    pub mappings: Vec<(String, ColumnMapping)>,
    pub log_formats: Vec<String>,
}

/// `181,810,677` bytes → `"173.4 MiB"`; `12` → `"12 bytes"`.
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{} GiB", decimal(bytes / (1024.0 * 1024.0 * 1024.0), 2))
    } else if bytes >= 1024.0 * 1024.0 {
        format!("{} MiB", decimal(bytes / (1024.0 * 1024.0), 1))
    } else if bytes >= 1024.0 {
        format!("{} KiB", decimal((bytes / 1024.0).ceil(), 0))
    } else {
        format!("{} bytes", decimal(bytes, 0))
    }
}
