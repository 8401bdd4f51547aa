//! The messages between the page and the ingest worker, and how a store's parts travel as
//! typed arrays.
//!
//! Page → worker: `{kind: "files", files, sizes, mappings}`, `{kind: "live", source, from, to, today,
//! token}` (fetch a live API) or `{kind: "buffer", name, buffer}` (the benchmark's in-memory file).
//! Worker → page: `{kind: "ready"}` once it listens, `{kind: "progress", file, done, total}`,
//! then `{kind: "done", header, columns, outcome}` with every column's buffer transferred (not
//! copied), or `{kind: "failed", error}`.

use js_sys::{Array, BigUint64Array, Object, Reflect, Uint8Array, Uint16Array, Uint32Array};
use usage_core::formats::tabular::{ColumnMapping, Field, MappingProposal};
use usage_core::formats::{ReadReport, RowProblem};
use usage_core::load::LoadError;
use usage_core::model::BucketWidth;
use usage_core::parts::{Column, PartsError, StoreHeader, table};
use usage_core::rest::{ApiMeta, MetaClient, Quota};
use usage_core::store::{Measure, MeasurePoint, NumberColumn};
use wasm_bindgen::{JsCast, JsValue};

/// A file the worker read, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadFile {
    pub name: String,
    /// The format's name (`Format::name`).
    pub format: String,
    pub report: ReadReport,
}

/// What a finished job says besides its store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub files: Vec<ReadFile>,
    /// What was said about files left out as copies of others.
    pub duplicates: Vec<String>,
    pub mappings_used: Vec<(String, ColumnMapping)>,
    /// The log formats (as the user gave them) that read rows.
    pub log_formats_used: Vec<String>,
    /// For a live source: what it answered besides its usage.
    pub live: Option<LiveInfo>,
}

/// What a live source answered besides its usage, as the worker sends it (dates as text, the
/// server's latencies as numbers); the page keeps it as `sources::Live` (`Live::from_answer`).
#[derive(Clone, Debug, PartialEq)]
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
    /// `/meta` (the contract): what it said, or why it could not be read; for ClickHouse, what
    /// its table's columns let it break down by.
    pub meta: Option<Result<ApiMeta, String>>,
    /// Where the answer really came from, when a redirect took the request to another origin.
    pub served_from: Option<String>,
    /// The zone the buckets were counted in (ClickHouse, asked for one); `None` for UTC.
    pub zone: Option<String>,
    /// Latency percentiles the server counted (ClickHouse), as
    /// `usage_core::latency::CountedLatency::to_numbers` writes them; empty for none.
    pub latency: Vec<f64>,
    /// The texts of the values those percentiles are keyed by, when they came without a store
    /// (their keys are positions here); empty when keyed by the store's ids.
    pub latency_keys: Vec<String>,
}

/// Why the worker could not make a store, as the page needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A file of text lines in no known format: its log format must be given first.
    NeedsLogFormat {
        message: String,
        name: String,
        sample: String,
        /// Why the newest format given does not read the first line, when one was.
        mismatch: Option<String>,
    },
    /// A CSV's columns must be confirmed first.
    NeedsMapping {
        name: String,
        proposal: Box<MappingProposal>,
    },
    /// No usable rows; for a CSV read by column names, the columns that were used.
    NoRows {
        message: String,
        name: String,
        proposal: Option<Box<MappingProposal>>,
    },
    /// Anything else, in words.
    Other(String),
}

impl Failure {
    /// What the page says.
    pub fn message(&self) -> String {
        match self {
            Failure::NeedsMapping { name, .. } => format!("{name}: which columns are which must be confirmed first"),
            Failure::NoRows { message, .. } | Failure::NeedsLogFormat { message, .. } | Failure::Other(message) => {
                message.clone()
            }
        }
    }
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        match error {
            LoadError::NeedsMapping { name, proposal } => Failure::NeedsMapping { name, proposal },
            LoadError::NeedsLogFormat {
                ref name,
                ref sample,
                ref mismatch,
            } => Failure::NeedsLogFormat {
                message: error.to_string(),
                name: name.clone(),
                sample: sample.clone(),
                mismatch: mismatch.clone(),
            },
            LoadError::NoRows {
                ref name, ref proposal, ..
            } => Failure::NoRows {
                message: error.to_string(),
                name: name.clone(),
                proposal: proposal.clone(),
            },
            other => Failure::Other(other.to_string()),
        }
    }
}

// The wire: plain JS objects, read and written field by field. No serde on the page: its JSON
// machinery would cost the first download more than these few lines do.

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

fn optional_text(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap_or(0.0)
}

fn optional(text: &Option<String>) -> JsValue {
    text.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

fn strings_to_js<'a>(values: impl IntoIterator<Item = &'a String>) -> JsValue {
    values
        .into_iter()
        .map(|v| JsValue::from_str(v))
        .collect::<Array>()
        .into()
}

pub fn strings_from_js(value: &JsValue) -> Vec<String> {
    Array::from(value).iter().filter_map(|v| v.as_string()).collect()
}

fn field_index(field: Field) -> f64 {
    Field::ALL.iter().position(|&f| f == field).unwrap_or(0) as f64
}

fn field_at(index: f64) -> Option<Field> {
    Field::ALL.get(index as usize).copied()
}

fn mapping_to_js(mapping: &ColumnMapping) -> JsValue {
    mapping
        .columns
        .iter()
        .map(|&(field, column)| -> JsValue { Array::of2(&field_index(field).into(), &(column as f64).into()).into() })
        .collect::<Array>()
        .into()
}

fn mapping_from_js(value: &JsValue) -> ColumnMapping {
    let columns = Array::from(value)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((field_at(pair.get(0).as_f64()?)?, pair.get(1).as_f64()? as usize))
        })
        .collect();
    ColumnMapping { columns }
}

fn proposal_to_js(proposal: &MappingProposal) -> JsValue {
    let object = Object::new();
    set(&object, "header", &strings_to_js(&proposal.header));
    set(&object, "mapping", &mapping_to_js(&proposal.mapping));
    set(
        &object,
        "ambiguous",
        &proposal
            .ambiguous
            .iter()
            .map(|&f| JsValue::from_f64(field_index(f)))
            .collect::<Array>(),
    );
    set(&object, "key", &JsValue::from_str(&proposal.key));
    object.into()
}

fn proposal_from_js(value: &JsValue) -> Option<MappingProposal> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    Some(MappingProposal {
        header: strings_from_js(&get(value, "header")),
        mapping: mapping_from_js(&get(value, "mapping")),
        ambiguous: Array::from(&get(value, "ambiguous"))
            .iter()
            .filter_map(|f| field_at(f.as_f64()?))
            .collect(),
        key: get(value, "key").as_string().unwrap_or_default(),
    })
}

fn problems_to_js(problems: &[RowProblem]) -> JsValue {
    problems
        .iter()
        .map(|p| -> JsValue { Array::of2(&(p.line as f64).into(), &JsValue::from_str(&p.reason)).into() })
        .collect::<Array>()
        .into()
}

fn problems_from_js(value: &JsValue) -> Vec<RowProblem> {
    Array::from(value)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some(RowProblem {
                line: pair.get(0).as_f64()? as usize,
                reason: pair.get(1).as_string()?,
            })
        })
        .collect()
}

fn report_to_js(report: &ReadReport) -> JsValue {
    let object = Object::new();
    set(&object, "rows", &(report.rows as f64).into());
    set(&object, "skipped", &(report.skipped as f64).into());
    set(&object, "problems", &problems_to_js(&report.problems));
    set(&object, "notes", &strings_to_js(&report.notes));
    set(&object, "warned", &(report.warned as f64).into());
    set(&object, "warnings", &problems_to_js(&report.warnings));
    object.into()
}

fn report_from_js(value: &JsValue) -> ReadReport {
    ReadReport {
        rows: number(value, "rows") as usize,
        skipped: number(value, "skipped") as usize,
        problems: problems_from_js(&get(value, "problems")),
        notes: strings_from_js(&get(value, "notes")),
        warned: number(value, "warned") as usize,
        warnings: problems_from_js(&get(value, "warnings")),
    }
}

fn meta_to_js(meta: &ApiMeta) -> JsValue {
    let object = Object::new();
    let clients: Array = meta
        .clients
        .iter()
        .map(|c| -> JsValue { Array::of2(&JsValue::from_str(&c.id), &optional(&c.name)).into() })
        .collect();
    set(&object, "clients", &clients);
    set(&object, "metrics", &strings_to_js(&meta.metrics));
    set(&object, "timezone", &JsValue::from_str(&meta.timezone));
    // Counts as text: a u64 may not fit an f64 exactly.
    set(
        &object,
        "retention_days",
        &meta
            .retention_days
            .map_or(JsValue::NULL, |d| JsValue::from_str(&d.to_string())),
    );
    set(
        &object,
        "dimensions",
        &strings_to_js(
            &meta
                .dimensions
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect::<Vec<_>>(),
        ),
    );
    set(&object, "filters", &JsValue::from_bool(meta.filters));
    if let Some(quota) = &meta.quota {
        let q = Object::new();
        set(&q, "limit", &JsValue::from_str(&quota.limit.to_string()));
        set(&q, "used", &JsValue::from_str(&quota.used.to_string()));
        set(&q, "window", &JsValue::from_str(&quota.window));
        set(&object, "quota", &q);
    }
    object.into()
}

fn meta_from_js(value: &JsValue) -> ApiMeta {
    let count = |v: &JsValue, key: &str| get(v, key).as_string().and_then(|t| t.parse::<u64>().ok());
    let quota = get(value, "quota");
    ApiMeta {
        clients: Array::from(&get(value, "clients"))
            .iter()
            .filter_map(|pair| {
                let pair = Array::from(&pair);
                Some(MetaClient {
                    id: pair.get(0).as_string()?,
                    name: pair.get(1).as_string(),
                })
            })
            .collect(),
        metrics: strings_from_js(&get(value, "metrics")),
        timezone: text(value, "timezone"),
        retention_days: count(value, "retention_days"),
        dimensions: strings_from_js(&get(value, "dimensions"))
            .iter()
            .filter_map(|d| usage_core::Dimension::parse(d))
            .collect(),
        filters: get(value, "filters").as_bool().unwrap_or(false),
        quota: (!quota.is_undefined()).then(|| Quota {
            limit: count(&quota, "limit").unwrap_or(0),
            used: count(&quota, "used").unwrap_or(0),
            window: text(&quota, "window"),
        }),
    }
}

fn live_to_js(live: &LiveInfo) -> JsValue {
    let object = Object::new();
    for (key, value) in [
        ("url", &live.url),
        ("kind", &live.kind),
        ("fetched_at", &live.fetched_at),
        ("from", &live.from),
        ("to", &live.to),
    ] {
        set(&object, key, &JsValue::from_str(value));
    }
    set(&object, "caveat", &optional(&live.caveat));
    set(&object, "served_from", &optional(&live.served_from));
    set(&object, "zone", &optional(&live.zone));
    if !live.latency.is_empty() {
        set(
            &object,
            "latency",
            &js_sys::Float64Array::from(live.latency.as_slice()).into(),
        );
    }
    set(&object, "latency_keys", &strings_to_js(&live.latency_keys));
    match &live.meta {
        None => {}
        Some(Ok(meta)) => set(&object, "meta", &meta_to_js(meta)),
        Some(Err(problem)) => set(&object, "meta_problem", &JsValue::from_str(problem)),
    }
    object.into()
}

fn live_from_js(value: &JsValue) -> LiveInfo {
    let meta = get(value, "meta");
    let meta = match optional_text(value, "meta_problem") {
        Some(problem) => Some(Err(problem)),
        None if meta.is_undefined() => None,
        None => Some(Ok(meta_from_js(&meta))),
    };
    LiveInfo {
        url: text(value, "url"),
        kind: text(value, "kind"),
        fetched_at: text(value, "fetched_at"),
        from: text(value, "from"),
        to: text(value, "to"),
        caveat: optional_text(value, "caveat"),
        meta,
        served_from: optional_text(value, "served_from"),
        zone: optional_text(value, "zone"),
        latency: get(value, "latency")
            .dyn_into::<js_sys::Float64Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default(),
        latency_keys: strings_from_js(&get(value, "latency_keys")),
    }
}

/// Confirmed column choices, by header key, as a JS array of `[key, mapping]` (page side).
pub fn mappings_to_js(mappings: &usage_core::load::Mappings) -> JsValue {
    mappings
        .iter()
        .map(|(key, mapping)| -> JsValue { Array::of2(&JsValue::from_str(key), &mapping_to_js(mapping)).into() })
        .collect::<Array>()
        .into()
}

/// The same back (worker side).
pub fn mappings_from_js(value: &JsValue) -> usage_core::load::Mappings {
    Array::from(value)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, mapping_from_js(&pair.get(1))))
        })
        .collect()
}

/// An outcome as a JS object (worker side).
pub fn outcome_to_js(outcome: &Outcome) -> JsValue {
    let object = Object::new();
    let files: Array = outcome
        .files
        .iter()
        .map(|f| {
            let file = Object::new();
            set(&file, "name", &JsValue::from_str(&f.name));
            set(&file, "format", &JsValue::from_str(&f.format));
            set(&file, "report", &report_to_js(&f.report));
            JsValue::from(file)
        })
        .collect();
    set(&object, "files", &files);
    set(&object, "duplicates", &strings_to_js(&outcome.duplicates));
    let mappings: Array = outcome
        .mappings_used
        .iter()
        .map(|(key, mapping)| -> JsValue { Array::of2(&JsValue::from_str(key), &mapping_to_js(mapping)).into() })
        .collect();
    set(&object, "mappings_used", &mappings);
    set(&object, "log_formats_used", &strings_to_js(&outcome.log_formats_used));
    if let Some(live) = &outcome.live {
        set(&object, "live", &live_to_js(live));
    }
    object.into()
}

/// An outcome back from its JS object (page side).
pub fn outcome_from_js(value: &JsValue) -> Outcome {
    let live = get(value, "live");
    Outcome {
        files: Array::from(&get(value, "files"))
            .iter()
            .map(|f| ReadFile {
                name: text(&f, "name"),
                format: text(&f, "format"),
                report: report_from_js(&get(&f, "report")),
            })
            .collect(),
        duplicates: strings_from_js(&get(value, "duplicates")),
        mappings_used: Array::from(&get(value, "mappings_used"))
            .iter()
            .filter_map(|pair| {
                let pair = Array::from(&pair);
                Some((pair.get(0).as_string()?, mapping_from_js(&pair.get(1))))
            })
            .collect(),
        log_formats_used: strings_from_js(&get(value, "log_formats_used")),
        live: (!live.is_undefined()).then(|| live_from_js(&live)),
    }
}

/// A failure as a JS object (worker side).
pub fn failure_to_js(failure: &Failure) -> JsValue {
    let object = Object::new();
    match failure {
        Failure::NeedsMapping { name, proposal } => {
            set(&object, "kind", &"needs-mapping".into());
            set(&object, "name", &JsValue::from_str(name));
            set(&object, "proposal", &proposal_to_js(proposal));
        }
        Failure::NoRows {
            message,
            name,
            proposal,
        } => {
            set(&object, "kind", &"no-rows".into());
            set(&object, "message", &JsValue::from_str(message));
            set(&object, "name", &JsValue::from_str(name));
            set(
                &object,
                "proposal",
                &proposal.as_deref().map_or(JsValue::NULL, proposal_to_js),
            );
        }
        Failure::NeedsLogFormat {
            message,
            name,
            sample,
            mismatch,
        } => {
            set(&object, "kind", &"needs-log-format".into());
            set(&object, "message", &JsValue::from_str(message));
            set(&object, "name", &JsValue::from_str(name));
            set(&object, "sample", &JsValue::from_str(sample));
            set(&object, "mismatch", &optional(mismatch));
        }
        Failure::Other(message) => {
            set(&object, "kind", &"other".into());
            set(&object, "message", &JsValue::from_str(message));
        }
    }
    object.into()
}

/// A failure back from its JS object (page side).
pub fn failure_from_js(value: &JsValue) -> Failure {
    let proposal = proposal_from_js(&get(value, "proposal")).map(Box::new);
    match (text(value, "kind").as_str(), proposal) {
        ("needs-mapping", Some(proposal)) => Failure::NeedsMapping {
            name: text(value, "name"),
            proposal,
        },
        ("no-rows", proposal) => Failure::NoRows {
            message: text(value, "message"),
            name: text(value, "name"),
            proposal,
        },
        ("needs-log-format", _) => Failure::NeedsLogFormat {
            message: text(value, "message"),
            name: text(value, "name"),
            sample: text(value, "sample"),
            mismatch: optional_text(value, "mismatch"),
        },
        _ => Failure::Other(text(value, "message")),
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
    set(
        &object,
        "total_requests",
        &JsValue::from_str(&header.total_requests.to_string()),
    );
    set(
        &object,
        "unknown_client",
        &header
            .unknown_client
            .map_or(JsValue::NULL, |c| JsValue::from_f64(f64::from(c))),
    );
    set(
        &object,
        "endpoint_methods",
        &u32_array(&header.endpoint_methods, transfer),
    );
    set(
        &object,
        "endpoint_templates",
        &u32_array(&header.endpoint_templates, transfer),
    );
    let ranks = Array::new();
    for r in &header.label_ranks {
        ranks.push(&u32_array(r, transfer));
    }
    set(&object, "label_ranks", &ranks);
    // The parts of grouped data: each one's grouping and end, in turn.
    let parts: Vec<u32> = header
        .parts
        .iter()
        .flat_map(|p| [u32::from(p.grouping.bits()), p.end])
        .collect();
    set(&object, "parts", &u32_array(&parts, transfer));
    // The rests of dimensions a server listed in part: each one's dimension and value, in turn.
    let rests: Vec<u32> = header.rests.iter().flat_map(|&(d, key)| [d as u32, key]).collect();
    set(&object, "rests", &u32_array(&rests, transfer));
    // Measures (3scale's other metrics): their names, and their points as typed arrays.
    let measures = Array::new();
    for m in &header.measures {
        let measure = Object::new();
        for (key, text) in [("system_name", &m.system_name), ("name", &m.name), ("unit", &m.unit)] {
            set(&measure, key, &JsValue::from_str(text));
        }
        let times: Vec<f64> = m.points.iter().map(|p| p.timestamp as f64).collect();
        let buckets: Vec<u8> = m
            .points
            .iter()
            .map(|p| BucketWidth::ALL.iter().position(|&w| w == p.bucket).unwrap_or(0) as u8)
            .collect();
        let clients: Vec<u32> = m.points.iter().map(|p| p.client).collect();
        let amounts: Vec<u64> = m.points.iter().map(|p| p.amount).collect();
        set(&measure, "timestamps", &js_sys::Float64Array::from(times.as_slice()));
        set(&measure, "buckets", &Uint8Array::from(buckets.as_slice()));
        set(&measure, "clients", &Uint32Array::from(clients.as_slice()));
        set(&measure, "amounts", &BigUint64Array::from(amounts.as_slice()));
        measures.push(&measure);
    }
    set(&object, "measures", &measures);
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
        let text = get(&pair, "text")
            .dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default();
        let ends = get(&pair, "ends")
            .dyn_into::<Uint32Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default();
        table(name, text, ends)
    };
    let u32s = |key: &str| {
        get(value, key)
            .dyn_into::<Uint32Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default()
    };
    let measures = Array::from(&get(value, "measures"))
        .iter()
        .map(|m| measure_from_js(&m))
        .collect::<Result<Vec<_>, _>>()?;
    let parts = u32s("parts")
        .chunks(2)
        .map(|pair| match *pair {
            [bits, end] => u8::try_from(bits)
                .ok()
                .and_then(usage_core::query::Grouping::from_bits)
                .map(|grouping| usage_core::store::Part { grouping, end }),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(PartsError::OutOfRange("parts"))?;
    let rests = u32s("rests")
        .chunks(2)
        .map(|pair| match *pair {
            [d, key] => usage_core::Dimension::ALL.get(d as usize).map(|&d| (d, key)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(PartsError::OutOfRange("rest"))?;
    Ok(StoreHeader {
        parts,
        rests,
        measures,
        len: number("len") as usize,
        base: number("base") as i64,
        max_status: number("max_status") as u16,
        total_requests: get(value, "total_requests")
            .as_string()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
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
        label_ranks: Array::from(&get(value, "label_ranks"))
            .iter()
            .map(|r| r.dyn_into::<Uint32Array>().map(|a| a.to_vec()).unwrap_or_default())
            .collect(),
    })
}

/// A measure as [`header_to_js`] sends it; its clients and total are checked by the assembler.
fn measure_from_js(value: &JsValue) -> Result<Measure, PartsError> {
    let text = |key: &str| get(value, key).as_string().unwrap_or_default();
    let times = get(value, "timestamps")
        .dyn_into::<js_sys::Float64Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    let buckets = get(value, "buckets")
        .dyn_into::<Uint8Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    let clients = get(value, "clients")
        .dyn_into::<Uint32Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    let amounts = get(value, "amounts")
        .dyn_into::<BigUint64Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    if [buckets.len(), clients.len(), amounts.len()]
        .iter()
        .any(|&n| n != times.len())
    {
        return Err(PartsError::Disagrees("measures"));
    }
    let points = (0..times.len())
        .map(|i| {
            let bucket = *BucketWidth::ALL
                .get(usize::from(buckets[i]))
                .ok_or(PartsError::OutOfRange("measure"))?;
            Ok(MeasurePoint {
                timestamp: times[i] as i64,
                bucket,
                client: clients[i],
                amount: amounts[i],
            })
        })
        .collect::<Result<Vec<_>, PartsError>>()?;
    Ok(Measure {
        system_name: text("system_name"),
        name: text("name"),
        unit: text("unit"),
        points,
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
    get(value, "constant")
        .as_string()
        .and_then(|c| c.parse().ok())
        .map(NumberColumn::Constant)
}

/// A column as a JS value (its buffer added to `transfer`).
pub fn column_to_js(column: &Column, transfer: &Array) -> JsValue {
    let u16_array = |values: &[u16]| {
        let array = Uint16Array::from(values);
        transfer.push(&array.buffer());
        JsValue::from(array)
    };
    match column {
        Column::Offsets(v) | Column::Client(v) | Column::Endpoint(v) | Column::User(v) | Column::Ip(v) => {
            u32_array(v, transfer)
        }
        Column::Status(v) | Column::Module(v) => u16_array(v),
        Column::Requests(c) | Column::Bucket(c) => number_column_to_js(c, transfer),
        Column::Bytes(c) | Column::Latency(c) => c.as_ref().map_or(JsValue::NULL, |c| number_column_to_js(c, transfer)),
    }
}

/// A column back from the JS value sent under `name` (copied into wasm memory here).
pub fn column_from_js(name: &str, value: &JsValue) -> Option<Column> {
    let u32s = || value.dyn_ref::<Uint32Array>().map(Uint32Array::to_vec);
    let u16s = || value.dyn_ref::<Uint16Array>().map(Uint16Array::to_vec);
    let optional = || {
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            number_column_from_js(value).map(Some)
        }
    };
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
