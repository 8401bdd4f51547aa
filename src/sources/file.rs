//! Usage export files the user opens: read in the browser, never uploaded.
//!
//! This drives a `usage_core::load::Load`, which decides everything (duplicates, encodings,
//! formats, column choices); this module only moves bytes. Files are read from disk in 8 MiB
//! slices (`Blob.slice().arrayBuffer()`), so a large file is never held whole in memory. The page
//! gets a turn after every slice, so it stays responsive, and progress and cancellation are
//! checked there.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::Uint8Array;
use usage_core::formats::tabular::ColumnMapping;
use usage_core::load::{ContentHash, FileInfo, HEAD_BYTES, Load, LoadError, Loaded, Mappings};
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

/// Why a load stopped before the core could say anything.
#[derive(Clone, Debug, PartialEq)]
pub enum OpenError {
    /// The core's verdict: unreadable, no rows, columns to confirm.
    Load(LoadError),
    /// The browser could not give the bytes, the user cancelled, or the files are too large.
    Browser(String),
}

impl From<LoadError> for OpenError {
    fn from(error: LoadError) -> OpenError {
        OpenError::Load(error)
    }
}

impl From<String> for OpenError {
    fn from(message: String) -> OpenError {
        OpenError::Browser(message)
    }
}

impl OpenError {
    pub fn message(&self) -> String {
        match self {
            OpenError::Load(error) => error.to_string(),
            OpenError::Browser(message) => message.clone(),
        }
    }
}

/// Reads `files` into one dataset (several files are merged: a month of daily logs is one dataset).
///
/// `on_progress` is called after every slice; setting `cancel` stops the load at the next slice.
/// `mappings` holds the column choices confirmed so far, by header set.
/// Besides the dataset, it gives the confirmed column choices that read rows: those are worth saving.
pub async fn load(
    files: Vec<web_sys::File>,
    on_progress: impl Fn(Progress),
    cancel: Rc<Cell<bool>>,
    mappings: Mappings,
) -> Result<(Dataset, Vec<(String, ColumnMapping)>), OpenError> {
    let total: f64 = files.iter().map(|f| f.size()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(OpenError::Browser(format!(
            "{} is too large: Callboard reads at most 1 GiB at once in the browser. Split the export or choose fewer files.",
            size_text(total)
        )));
    }
    let infos = files.iter().map(|f| FileInfo { name: f.name(), size: f.size() as u64 }).collect();
    let mut load = Load::new(infos, mappings)?;
    let check_cancel = || if cancel.get() { Err(OpenError::Browser("the load was cancelled".into())) } else { Ok(()) };

    // Files that may be the same file twice are hashed first, so a copy is never read into the store.
    let to_hash = load.to_hash();
    let mut done = 0.0;
    let hash_total: f64 = to_hash.iter().map(|&i| files[i].size()).sum();
    for &i in &to_hash {
        let (file, mut hash) = (&files[i], ContentHash::new());
        let mut offset = 0.0;
        while offset < file.size() {
            check_cancel()?;
            let end = (offset + SLICE).min(file.size());
            hash.update(&read_slice(file, offset, end).await?);
            offset = end;
            on_progress(Progress { file: format!("{} (checking for copies)", file.name()), done: done + offset, total: total + hash_total });
        }
        done += file.size();
        load.set_hash(i, hash.finish());
    }

    for (i, file) in files.iter().enumerate() {
        let size = file.size();
        if load.duplicate_of(i).is_some() {
            load.skip_duplicate(i);
            done += size;
            continue;
        }
        // The encoding and format come from the content, not the file name.
        load.begin(i, &read_slice(file, 0.0, size.min(HEAD_BYTES as f64)).await?)?;
        let mut offset = 0.0;
        while offset < size {
            check_cancel()?;
            let end = (offset + SLICE).min(size);
            load.feed(&read_slice(file, offset, end).await?)?;
            offset = end;
            on_progress(Progress { file: file.name(), done: done + offset, total: total + hash_total });
        }
        done += size;
        load.end()?;
    }
    let Loaded { store, files: read, duplicates, mappings_used } = load.finish();
    let files = read.into_iter().map(|f| LoadedFile { name: f.name, format: f.format.name(), report: f.report }).collect();
    let duplicates = duplicates.iter().map(|d| d.message()).collect();
    Ok((Dataset { store: Arc::new(store), source: DataSource::Files { files, duplicates } }, mappings_used))
}

/// Bytes `start..end` of `file`, read from disk.
async fn read_slice(file: &web_sys::File, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let name = file.name();
    let slice = file.slice_with_f64_and_f64(start, end).map_err(|_| format!("{name} could not be read"))?;
    let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|_| format!("{name} could not be read from disk"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// `181,810,677` bytes → `"173.4 MiB"`; `12` → `"12 bytes"`.
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    } else if bytes >= 1024.0 {
        format!("{:.0} KiB", (bytes / 1024.0).ceil())
    } else {
        format!("{bytes:.0} bytes")
    }
}
