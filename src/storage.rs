//! Saved preferences in localStorage (and tokens in sessionStorage), behind one typed,
//! versioned module.
//!
//! Nothing here can break the page: storage that is disabled, full or holds garbage gives the
//! defaults and a notice (see `usage_core::selection`). Values are read with the browser's own
//! `JSON.parse` and written as the core writes them, so no JSON library ships to the page.

use std::collections::HashMap;

use js_sys::{Array, Object, Reflect};
use usage_core::formats::tabular::{ColumnMapping, Field};
use usage_core::selection::{ListRead, STORAGE_KEY, StoredRead};
use usage_core::{ClientSelection, StoredSelection};
use wasm_bindgen::{JsCast, JsValue};

/// Confirmed generic-CSV column mappings, by header set:
/// `{"<header key>": {"columns": [["Time", 0], ["Status", 2], …]}}`.
const MAPPINGS_KEY: &str = "callboard.csv-mappings.v1";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_object(value: &JsValue) -> bool {
    value.is_object() && !Array::is_array(value)
}

fn list(value: JsValue) -> ListRead {
    if value.is_undefined() || value.is_null() {
        return ListRead::Default;
    }
    if !Array::is_array(&value) {
        return ListRead::Broken;
    }
    Array::from(&value)
        .iter()
        .map(|item| item.as_string())
        .collect::<Option<Vec<_>>>()
        .map_or(ListRead::Broken, ListRead::Strings)
}

/// Reads the saved client/URL selection.
pub fn load_selection() -> StoredSelection {
    let text = local_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let read = match text.as_deref().map(parse) {
        None => StoredRead::Absent,
        Some(None) => StoredRead::Unreadable,
        Some(Some(value)) if Array::is_array(&value) => StoredRead::List,
        Some(Some(value)) if is_object(&value) => {
            let version = field(&value, "version")
                .as_f64()
                .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < 9e15)
                .map(|v| v as u64);
            StoredRead::Object {
                version,
                clients: list(field(&value, "clients")),
                templates: list(field(&value, "templates")),
            }
        }
        Some(Some(_)) => StoredRead::Unreadable,
    };
    ClientSelection::from_read(read)
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
    let Some(all) = local_storage()
        .and_then(|s| s.get_item(MAPPINGS_KEY).ok().flatten())
        .and_then(|text| parse(&text))
        .filter(is_object)
    else {
        return HashMap::new();
    };
    let Ok(keys) = Reflect::own_keys(&all) else {
        return HashMap::new();
    };
    keys.iter()
        .filter_map(|key| {
            let key = key.as_string()?;
            let columns = Array::from(&field(&field(&all, &key), "columns"))
                .iter()
                .map(|pair| {
                    let pair = Array::from(&pair);
                    Some((
                        Field::from_key(&pair.get(0).as_string()?)?,
                        pair.get(1).as_f64().filter(|c| c.fract() == 0.0 && *c >= 0.0)? as usize,
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((key, ColumnMapping { columns }))
        })
        .collect()
}

fn store_mappings(all: &HashMap<String, ColumnMapping>) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser does not allow saving settings (localStorage is off)")?;
    let object = Object::new();
    for (key, mapping) in all {
        let columns: Array = mapping
            .columns
            .iter()
            .map(|&(f, c)| -> JsValue { Array::of2(&JsValue::from_str(f.key()), &(c as f64).into()).into() })
            .collect();
        let entry = Object::new();
        let _ = Reflect::set(&entry, &"columns".into(), &columns);
        let _ = Reflect::set(&object, &JsValue::from_str(key), &entry);
    }
    let text = js_sys::JSON::stringify(&object)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("the column choice could not be written")?;
    storage
        .set_item(MAPPINGS_KEY, &text)
        .map_err(|_| "the column choice could not be saved".to_owned())
}

/// Remembers the mapping confirmed for a header set.
pub fn save_mapping(header_key: &str, mapping: &ColumnMapping) -> Result<(), String> {
    let mut all = load_mappings();
    all.insert(header_key.to_owned(), mapping.clone());
    store_mappings(&all)
}

/// Forgets the mapping remembered for a header set (it read no rows).
pub fn forget_mapping(header_key: &str) {
    let mut all = load_mappings();
    if all.remove(header_key).is_some() {
        let _ = store_mappings(&all);
    }
}

/// Where API tokens are kept: sessionStorage only, so they are gone when the tab closes and
/// never land in localStorage, the URL or logs. Each token is kept under the origin it was
/// entered for (`{"https://api.example.com": "…"}`) and is only ever sent there: a link to another
/// source never gets it.
const LOG_FORMATS_KEY: &str = "callboard.log-formats.v1";

/// The log formats that read a file before, newest first (at most 10). A broken entry is
/// passed over.
pub fn load_log_formats() -> Vec<String> {
    let Some(text) = local_storage().and_then(|s| s.get_item(LOG_FORMATS_KEY).ok().flatten()) else {
        return Vec::new();
    };
    match parse(&text).map(list) {
        Some(ListRead::Strings(formats)) => formats,
        _ => Vec::new(),
    }
}

/// Remembers a log format that read rows, first in the list.
pub fn save_log_format(format: &str) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser does not allow saving settings (localStorage is off)")?;
    let mut all = load_log_formats();
    all.retain(|f| f != format);
    all.insert(0, format.to_owned());
    all.truncate(10);
    let array: Array = all.iter().map(|f| JsValue::from_str(f)).collect();
    let text = js_sys::JSON::stringify(&array)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("the log format could not be written")?;
    storage
        .set_item(LOG_FORMATS_KEY, &text)
        .map_err(|_| "the log format could not be saved".to_owned())
}

const TOKENS_KEY: &str = "callboard.tokens.v2";
/// The single token of earlier versions, not tied to an origin: dropped on sight.
const LEGACY_TOKEN_KEY: &str = "callboard.token.v1";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn tokens(storage: &web_sys::Storage) -> Object {
    storage
        .get_item(TOKENS_KEY)
        .ok()
        .flatten()
        .and_then(|text| parse(&text))
        .filter(is_object)
        .and_then(|value| value.dyn_into::<Object>().ok())
        .unwrap_or_default()
}

/// The token entered for `origin` in this tab, if any.
pub fn load_token(origin: &str) -> Option<String> {
    let storage = session_storage()?;
    let _ = storage.remove_item(LEGACY_TOKEN_KEY);
    if origin.is_empty() {
        return None;
    }
    field(&tokens(&storage), origin).as_string().filter(|t| !t.is_empty())
}

/// Keeps (or, when empty, forgets) the token for `origin` in this tab.
pub fn save_token(origin: &str, token: &str) {
    let Some(storage) = session_storage() else { return };
    let all = tokens(&storage);
    let key = JsValue::from_str(origin);
    if token.is_empty() || origin.is_empty() {
        let _ = Reflect::delete_property(&all, &key);
    } else {
        let _ = Reflect::set(&all, &key, &JsValue::from_str(token));
    }
    if let Some(text) = js_sys::JSON::stringify(&all).ok().and_then(|t| t.as_string()) {
        let _ = storage.set_item(TOKENS_KEY, &text);
    }
}

/// The theme switch's choice: `light`, `dark` or `system` (anything else is `system`).
const THEME_KEY: &str = "callboard.theme.v1";

pub fn load_theme() -> String {
    local_storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .unwrap_or_default()
}

/// Saves the theme; a browser that refuses keeps it for this page only.
pub fn save_theme(theme: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(THEME_KEY, theme);
    }
}

/// The Today view's daily threshold, in requests: a whole number above zero, or none.
const THRESHOLD_KEY: &str = "callboard.threshold.v1";

pub fn load_threshold() -> Option<u64> {
    local_storage()
        .and_then(|s| s.get_item(THRESHOLD_KEY).ok().flatten())
        .and_then(|t| t.trim().parse::<u64>().ok())
        .filter(|&n| n > 0)
}

/// Saves the threshold (`None` forgets it); `Err` when the browser refuses.
pub fn save_threshold(threshold: Option<u64>) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no local storage")?;
    let done = match threshold {
        Some(n) => storage.set_item(THRESHOLD_KEY, &n.to_string()),
        None => storage.remove_item(THRESHOLD_KEY),
    };
    done.map_err(|_| "the browser refused to save it (storage full or blocked)".to_owned())
}
