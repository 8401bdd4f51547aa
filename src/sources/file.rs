//! Usage export files the user opens: read in the browser, never uploaded.
//!
//! Files are read from disk in 8 MiB slices (`Blob.slice().arrayBuffer()`), so
//! a large file is never held whole in memory, and each slice goes through the
//! core's streaming reader. The page gets a turn after every slice, so it stays
//! responsive, and progress and cancellation are checked there.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::Uint8Array;
use usage_core::StoreBuilder;
use std::collections::HashMap;

use usage_core::formats::tabular::{ColumnMapping, MappingProposal, header_of, propose};
use usage_core::formats::{FileReader, Format, ReadReport, RowProblem, detect};
use wasm_bindgen_futures::JsFuture;

use super::{DataSource, Dataset, LoadedFile};

/// Bytes read and parsed per step.
const SLICE: f64 = 8.0 * 1024.0 * 1024.0;
/// The most a load may read in all, so that the tab does not run out of memory.
pub const MAX_TOTAL_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// How far a load has got.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub file: String,
    pub done: f64,
    pub total: f64,
}

/// Why a load stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// It failed; the message says why.
    Failed(String),
    /// A CSV's columns could be read more than one way: the user should confirm them.
    NeedsMapping { file: String, proposal: MappingProposal },
}

impl From<String> for LoadError {
    fn from(message: String) -> LoadError {
        LoadError::Failed(message)
    }
}

/// Reads `files` into one dataset (several files are merged: a month of daily logs is one dataset).
///
/// `on_progress` is called after every slice; setting `cancel` stops the load at the next slice.
/// `mappings` holds the column choices the user confirmed, by header set.
pub async fn load(
    files: Vec<web_sys::File>,
    on_progress: impl Fn(Progress),
    cancel: Rc<Cell<bool>>,
    mappings: &HashMap<String, ColumnMapping>,
) -> Result<Dataset, LoadError> {
    if files.is_empty() {
        return Err(LoadError::Failed("no file was chosen".into()));
    }
    let total: f64 = files.iter().map(|f| f.size()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(LoadError::Failed(format!(
            "{} is too large: Callboard reads at most 1 GiB at once in the browser. Split the export or choose fewer files.",
            size_text(total)
        )));
    }
    let mut builder = StoreBuilder::new();
    let mut loaded = Vec::with_capacity(files.len());
    let mut done = 0.0;
    for file in files {
        let name = file.name();
        let size = file.size();
        if size == 0.0 {
            return Err(LoadError::Failed(format!("{name} is empty")));
        }
        // The format comes from the content, not the file name.
        let head = read_slice(&file, 0.0, size.min(64.0 * 1024.0)).await?;
        let format = detect(&head).map_err(|e| format!("{name}: {e}"))?;
        let mut reader = match format {
            Format::GenericCsv => {
                let proposal = propose(&header_of(&head).unwrap_or_default());
                match mappings.get(&proposal.header_key()) {
                    Some(mapping) => FileReader::with_mapping(mapping.clone()),
                    None if proposal.ambiguous.is_empty() => FileReader::new(format),
                    None => return Err(LoadError::NeedsMapping { file: name, proposal }),
                }
            }
            _ => FileReader::new(format),
        };
        let mut offset = 0.0;
        while offset < size {
            if cancel.get() {
                return Err(LoadError::Failed("the load was cancelled".into()));
            }
            let end = (offset + SLICE).min(size);
            let bytes = read_slice(&file, offset, end).await?;
            reader.feed(&bytes, &mut builder).map_err(|e| format!("{name}: {e}"))?;
            offset = end;
            on_progress(Progress { file: name.clone(), done: done + offset, total });
        }
        done += size;
        let report = reader.finish(&mut builder).map_err(|e| format!("{name}: {e}"))?;
        if report.rows == 0 {
            return Err(LoadError::Failed(format!("{name} has no usable rows{}", first_problem(&report))));
        }
        loaded.push(LoadedFile { name, format: format.name(), report });
    }
    let store = builder.finish();
    Ok(Dataset { store: Arc::new(store), source: DataSource::Files(loaded) })
}

/// Bytes `start..end` of `file`, read from disk.
async fn read_slice(file: &web_sys::File, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let name = file.name();
    let slice = file.slice_with_f64_and_f64(start, end).map_err(|_| format!("{name} could not be read"))?;
    let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|_| format!("{name} could not be read from disk"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn first_problem(report: &ReadReport) -> String {
    match report.problems.first() {
        Some(RowProblem { line, reason }) => format!(" (line {line}: {reason})"),
        None => String::new(),
    }
}

/// `181,810,677` bytes → `"173.4 MiB"`.
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KiB", (bytes / 1024.0).ceil())
    }
}
