//! The messages between the page and the ingest worker, and how a store's parts travel as
//! typed arrays.
//!
//! Page → worker: `{kind: "files", files, sizes, mappings}`, `{kind: "live", source, from, to, today,
//! token}` (fetch a live API) or `{kind: "buffer", name, buffer}` (the benchmark's in-memory file).
//! Worker → page: `{kind: "ready"}` once it listens, `{kind: "progress", file, done, total}`,
//! then `{kind: "done", header, columns, outcome}` with every column's buffer transferred (not
//! copied), or `{kind: "failed", error}`.

use js_sys::{Array, BigUint64Array, Object, Reflect, Uint16Array, Uint32Array, Uint8Array};
use serde::{Deserialize, Serialize};
use usage_core::formats::tabular::{ColumnMapping, MappingProposal};
use usage_core::load::{Duplicate, LoadError, LoadedFile};
use usage_core::parts::{Column, PartsError, StoreHeader, table};
use usage_core::store::NumberColumn;
use wasm_bindgen::{JsCast, JsValue};

/// What a finished job says besides its store.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub files: Vec<LoadedFile>,
    pub duplicates: Vec<Duplicate>,
    pub mappings_used: Vec<(String, ColumnMapping)>,
    /// For a live source: what it answered besides its usage.
    pub live: Option<LiveInfo>,
}

/// What a live source answered besides its usage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveInfo {
    pub url: String,
    /// The kind of endpoint, from `usage_core::rest::Endpoint::kind`.
    pub kind: String,
    /// When the data was fetched, ISO 8601 UTC.
    pub fetched_at: String,
    /// The range it was fetched for (`YYYY-MM-DD`, inclusive): complete for that range only.
    pub from: String,
    pub to: String,
    /// What the answer covers when the endpoint could not give exactly the range asked for.
    pub caveat: Option<String>,
    /// `/meta` (the contract only): what it said, or why it could not be read.
    pub meta: Option<Result<usage_core::rest::ApiMeta, String>>,
    /// Where the answer really came from, when a redirect took the request to another origin.
    pub served_from: Option<String>,
}

/// Why the worker could not make a store, as the page needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Failure {
    /// A CSV's columns must be confirmed first.
    NeedsMapping { name: String, proposal: MappingProposal },
    /// No usable rows; for a CSV read by column names, the columns that were used.
    NoRows { message: String, name: String, proposal: Option<MappingProposal> },
    /// Anything else, in words.
    Other(String),
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        match error {
            LoadError::NeedsMapping { name, proposal } => Failure::NeedsMapping { name, proposal },
            LoadError::NoRows { ref name, ref proposal, .. } => Failure::NoRows { message: error.to_string(), name: name.clone(), proposal: proposal.clone() },
            other => Failure::Other(other.to_string()),
        }
    }
}

/// Sets `key` on a JS object.
pub fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// Reads `key` of a JS value (undefined when absent).
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A message `{kind, …fields}`.
pub fn message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    set(&object, "kind", &JsValue::from_str(kind));
    for (key, value) in fields {
        set(&object, key, value);
    }
    object
}

/// A message's kind.
pub fn kind_of(data: &JsValue) -> String {
    get(data, "kind").as_string().unwrap_or_default()
}

/// The header as a JS object; the buffers of its arrays are added to `transfer`.
pub fn header_to_js(header: StoreHeader, transfer: &Array) -> Object {
    let object = Object::new();
    set(&object, "len", &JsValue::from_f64(header.len as f64));
    // Times lie in 0..=u32::MAX, which an f64 holds exactly; the total may not, so it is text.
    set(&object, "base", &JsValue::from_f64(header.base as f64));
    set(&object, "max_status", &JsValue::from_f64(f64::from(header.max_status)));
    set(&object, "total_requests", &JsValue::from_str(&header.total_requests.to_string()));
    set(&object, "unknown_client", &header.unknown_client.map_or(JsValue::NULL, |c| JsValue::from_f64(f64::from(c))));
    set(&object, "endpoint_methods", &u32_array(&header.endpoint_methods, transfer));
    set(&object, "endpoint_templates", &u32_array(&header.endpoint_templates, transfer));
    let strings = Object::new();
    for (name, table) in [
        ("client_ids", header.client_ids),
        ("client_names", header.client_names),
        ("templates", header.templates),
        ("methods", header.methods),
        ("modules", header.modules),
        ("users", header.users),
        ("ips", header.ips),
    ] {
        let (text, ends) = table.into_parts();
        let pair = Object::new();
        let text_array = Uint8Array::from(text.as_slice());
        transfer.push(&text_array.buffer());
        set(&pair, "text", &text_array);
        set(&pair, "ends", &u32_array(&ends, transfer));
        set(&strings, name, &pair);
    }
    set(&object, "strings", &strings);
    object
}

/// The header back from a JS object, every table checked.
pub fn header_from_js(value: &JsValue) -> Result<StoreHeader, PartsError> {
    let number = |key: &str| get(value, key).as_f64().unwrap_or(0.0);
    let strings = get(value, "strings");
    let table_of = |name: &'static str| {
        let pair = get(&strings, name);
        let text = get(&pair, "text").dyn_into::<Uint8Array>().map(|a| a.to_vec()).unwrap_or_default();
        let ends = get(&pair, "ends").dyn_into::<Uint32Array>().map(|a| a.to_vec()).unwrap_or_default();
        table(name, text, ends)
    };
    let u32s = |key: &str| get(value, key).dyn_into::<Uint32Array>().map(|a| a.to_vec()).unwrap_or_default();
    Ok(StoreHeader {
        len: number("len") as usize,
        base: number("base") as i64,
        max_status: number("max_status") as u16,
        total_requests: get(value, "total_requests").as_string().and_then(|t| t.parse().ok()).unwrap_or(0),
        unknown_client: get(value, "unknown_client").as_f64().map(|c| c as u32),
        client_ids: table_of("client_ids")?,
        client_names: table_of("client_names")?,
        templates: table_of("templates")?,
        methods: table_of("methods")?,
        modules: table_of("modules")?,
        users: table_of("users")?,
        ips: table_of("ips")?,
        endpoint_methods: u32s("endpoint_methods"),
        endpoint_templates: u32s("endpoint_templates"),
    })
}

fn u32_array(values: &[u32], transfer: &Array) -> JsValue {
    let array = Uint32Array::from(values);
    transfer.push(&array.buffer());
    array.into()
}

fn number_column_to_js(column: &NumberColumn, transfer: &Array) -> JsValue {
    match column {
        NumberColumn::Constant(value) => {
            let object = Object::new();
            set(&object, "constant", &JsValue::from_str(&value.to_string()));
            object.into()
        }
        NumberColumn::U32(values) => u32_array(values, transfer),
        NumberColumn::U64(values) => {
            let array = BigUint64Array::from(values.as_slice());
            transfer.push(&array.buffer());
            array.into()
        }
    }
}

fn number_column_from_js(value: &JsValue) -> Option<NumberColumn> {
    if let Some(array) = value.dyn_ref::<Uint32Array>() {
        return Some(NumberColumn::U32(array.to_vec()));
    }
    if let Some(array) = value.dyn_ref::<BigUint64Array>() {
        return Some(NumberColumn::U64(array.to_vec()));
    }
    get(value, "constant").as_string().and_then(|c| c.parse().ok()).map(NumberColumn::Constant)
}

/// A column as a JS value (its buffer added to `transfer`).
pub fn column_to_js(column: &Column, transfer: &Array) -> JsValue {
    let u16_array = |values: &[u16]| {
        let array = Uint16Array::from(values);
        transfer.push(&array.buffer());
        JsValue::from(array)
    };
    match column {
        Column::Offsets(v) | Column::Client(v) | Column::Endpoint(v) | Column::User(v) | Column::Ip(v) => u32_array(v, transfer),
        Column::Status(v) | Column::Module(v) => u16_array(v),
        Column::Requests(c) | Column::Bucket(c) => number_column_to_js(c, transfer),
        Column::Bytes(c) | Column::Latency(c) => c.as_ref().map_or(JsValue::NULL, |c| number_column_to_js(c, transfer)),
    }
}

/// A column back from the JS value sent under `name` (copied into wasm memory here).
pub fn column_from_js(name: &str, value: &JsValue) -> Option<Column> {
    let u32s = || value.dyn_ref::<Uint32Array>().map(Uint32Array::to_vec);
    let u16s = || value.dyn_ref::<Uint16Array>().map(Uint16Array::to_vec);
    let optional = || if value.is_null() || value.is_undefined() { Some(None) } else { number_column_from_js(value).map(Some) };
    Some(match name {
        "offsets" => Column::Offsets(u32s()?),
        "client" => Column::Client(u32s()?),
        "endpoint" => Column::Endpoint(u32s()?),
        "user" => Column::User(u32s()?),
        "ip" => Column::Ip(u32s()?),
        "status" => Column::Status(u16s()?),
        "module" => Column::Module(u16s()?),
        "requests" => Column::Requests(number_column_from_js(value)?),
        "bucket" => Column::Bucket(number_column_from_js(value)?),
        "bytes" => Column::Bytes(optional()?),
        "latency" => Column::Latency(optional()?),
        _ => return None,
    })
}

