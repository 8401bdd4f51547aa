//! Saved preferences in localStorage, behind one typed, versioned module.
//!
//! Nothing here can break the page: storage that is disabled, full or holds
//! garbage gives the defaults and a notice (see `usage_core::selection`).

use usage_core::selection::STORAGE_KEY;
use usage_core::{ClientSelection, StoredSelection};

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
