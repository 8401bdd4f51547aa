//! Saved preferences in localStorage, behind one typed, versioned module.
//!
//! Nothing here can break the page: storage that is disabled, full or holds
//! garbage gives the defaults and a notice (see `usage_core::selection`).

use std::collections::HashMap;

use usage_core::formats::tabular::ColumnMapping;
use usage_core::selection::STORAGE_KEY;
use usage_core::{ClientSelection, StoredSelection};

/// Confirmed generic-CSV column mappings, by header set.
const MAPPINGS_KEY: &str = "callboard.csv-mappings.v1";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads the saved client/URL selection.
pub fn load_selection() -> StoredSelection {
    let text = local_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    ClientSelection::from_stored(text.as_deref())
}

/// Saves the selection; the defaults are saved by removing the key.
pub fn save_selection(selection: &ClientSelection) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser does not allow saving settings (localStorage is off)")?;
    let result = if selection.is_default() {
        storage.remove_item(STORAGE_KEY)
    } else {
        storage.set_item(STORAGE_KEY, &selection.to_stored())
    };
    result.map_err(|_| "the selection could not be saved (storage full or blocked)".to_owned())
}

/// The column mappings the user confirmed, by header set; unreadable storage gives none.
pub fn load_mappings() -> HashMap<String, ColumnMapping> {
    local_storage()
        .and_then(|s| s.get_item(MAPPINGS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Remembers the mapping confirmed for a header set.
pub fn save_mapping(header_key: &str, mapping: &ColumnMapping) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser does not allow saving settings (localStorage is off)")?;
    let mut all = load_mappings();
    all.insert(header_key.to_owned(), mapping.clone());
    let text = serde_json::to_string(&all).map_err(|e| e.to_string())?;
    storage.set_item(MAPPINGS_KEY, &text).map_err(|_| "the column choice could not be saved".to_owned())
}

/// Where the API token is kept: sessionStorage only, so it is gone when the tab closes and
/// never lands in localStorage, the URL or logs.
const TOKEN_KEY: &str = "callboard.token.v1";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The API token for this tab, if one was entered.
pub fn load_token() -> Option<String> {
    session_storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten()).filter(|t| !t.is_empty())
}

/// Keeps (or, when empty, forgets) the API token for this tab.
pub fn save_token(token: &str) {
    if let Some(storage) = session_storage() {
        let _ = if token.is_empty() { storage.remove_item(TOKEN_KEY) } else { storage.set_item(TOKEN_KEY, token) };
    }
}
