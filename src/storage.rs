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

/// Forgets the mapping remembered for a header set (it read no rows).
pub fn forget_mapping(header_key: &str) {
    let Some(storage) = local_storage() else { return };
    let mut all = load_mappings();
    if all.remove(header_key).is_some() {
        if let Ok(text) = serde_json::to_string(&all) {
            let _ = storage.set_item(MAPPINGS_KEY, &text);
        }
    }
}

/// Where API tokens are kept: sessionStorage only, so they are gone when the tab closes and
/// never land in localStorage, the URL or logs. Each token is kept under the origin it was
/// entered for and is only ever sent there: a link to another source never gets it.
const TOKENS_KEY: &str = "callboard.tokens.v2";
/// The single token of earlier versions, not tied to an origin: dropped on sight.
const LEGACY_TOKEN_KEY: &str = "callboard.token.v1";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn tokens(storage: &web_sys::Storage) -> HashMap<String, String> {
    storage.get_item(TOKENS_KEY).ok().flatten().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
}

/// The token entered for `origin` in this tab, if any.
pub fn load_token(origin: &str) -> Option<String> {
    let storage = session_storage()?;
    let _ = storage.remove_item(LEGACY_TOKEN_KEY);
    if origin.is_empty() {
        return None;
    }
    tokens(&storage).remove(origin).filter(|t| !t.is_empty())
}

/// Keeps (or, when empty, forgets) the token for `origin` in this tab.
pub fn save_token(origin: &str, token: &str) {
    let Some(storage) = session_storage() else { return };
    let mut all = tokens(&storage);
    if token.is_empty() || origin.is_empty() {
        all.remove(origin);
    } else {
        all.insert(origin.to_owned(), token.to_owned());
    }
    if let Ok(text) = serde_json::to_string(&all) {
        let _ = storage.set_item(TOKENS_KEY, &text);
    }
}
