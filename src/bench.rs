//! The browser benchmark contract of `../shared/bench` (`window.__bench`,
//! `__benchRefilter`, `__benchReady`, `__benchInfo`, `__benchPhases`), enabled
//! by `?bench` in the URL.
//!
//! It runs the very path a file opened in the dashboard takes: the `ArrayBuffer` is transferred to
//! the ingest worker, which recognises the format and reads it into a store off the page's
//! thread; the page puts the store together column by column and runs its own queries.

use std::cell::RefCell;

use js_sys::{Array, Promise, Reflect};
use serde_json::{Map, Value, json};
use usage_core::query::{DaySpan, Granularity, Scope};
use usage_core::range::day_number;
use usage_core::{StatusClass, UsageStore};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::ingest::page::{self, Cancel};
use crate::ingest::protocol::message;

thread_local! {
    /// The data `__bench` loaded, for `__benchRefilter`.
    static LOADED: RefCell<Option<UsageStore>> = const { RefCell::new(None) };
}

/// Installs the contract on `window` when the page URL has `?bench`.
pub fn install_if_requested() {
    let Some(window) = web_sys::window() else { return };
    let search = window.location().search().unwrap_or_default();
    if !search.trim_start_matches('?').split('&').any(|p| p == "bench" || p.starts_with("bench=")) {
        return;
    }
    let bench = Closure::<dyn Fn(JsValue, JsValue) -> Promise>::new(|buffer, options| future_to_promise(bench(buffer, options)));
    let refilter = Closure::<dyn Fn(JsValue) -> Promise>::new(|options| future_to_promise(async move { refilter(options) }));
    let info = json!({
        "name": "Callboard",
        "version": env!("CARGO_PKG_VERSION"),
        "notes": "Rust/WASM: the file is read in a Web Worker (its own wasm module) into a columnar store sorted by time, handed back as transferred typed arrays; queries on the page"
    });
    let set = |name: &str, value: &JsValue| {
        let _ = Reflect::set(&window, &JsValue::from_str(name), value);
    };
    set("__benchInfo", &to_js(&info));
    set("__bench", bench.as_ref());
    set("__benchRefilter", refilter.as_ref());
    set("__benchReady", &Promise::resolve(&JsValue::TRUE));
    // The functions live as long as the page.
    bench.forget();
    refilter.forget();
}

async fn bench(buffer: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let span = span_of(&options)?;
    let performance = web_sys::window().and_then(|w| w.performance()).ok_or("no performance clock")?;
    let start = performance.now();
    // The same path as opening a file in the UI: the buffer moves (not copied) to the ingest
    // worker, which recognises the format and reads it; the page puts the store together.
    let transfer = Array::of1(&buffer);
    let job = message("buffer", &[("name", JsValue::from_str("bench.csv")), ("buffer", buffer)]);
    let (store, outcome) = page::run(job, transfer, |_| {}, &Cancel::default()).await.map_err(|failure| format!("{failure:?}"))?;
    let ingested = performance.now();
    let result = aggregates(&store, span);
    let done = performance.now();
    let report = outcome.files.first().map(|f| f.report.clone()).unwrap_or_default();
    if let Some(window) = web_sys::window() {
        let phases = json!({
            "ingest_ms": ingested - start,
            "aggregate_ms": done - ingested,
            "rows": report.rows,
            "skipped": report.skipped,
            "bytes_per_record": store.bytes_per_record(),
        });
        let _ = Reflect::set(&window, &JsValue::from_str("__benchPhases"), &to_js(&phases));
    }
    LOADED.with(|loaded| *loaded.borrow_mut() = Some(store));
    Ok(to_js(&result))
}

fn refilter(options: JsValue) -> Result<JsValue, JsValue> {
    let span = span_of(&options)?;
    LOADED.with(|loaded| match loaded.borrow().as_ref() {
        Some(store) => Ok(to_js(&aggregates(store, span))),
        None => Err(JsValue::from_str("__benchRefilter called before __bench")),
    })
}

/// The aggregates of the contract, all from the dashboard's own queries.
fn aggregates(store: &UsageStore, span: DaySpan) -> Value {
    let clients = store.client_usage(span, &Scope::all());
    let id = |client: u32| store.client_id(client).to_owned();
    // The contract breaks ties by client id; the dashboard ranks ties by display name.
    let mut by_id: Vec<(String, u64)> = clients.iter().map(|u| (id(u.client), u.counts.total())).collect();
    by_id.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut status_by_client = Map::new();
    for usage in &clients {
        let classes: Map<String, Value> = StatusClass::NAMED.iter().map(|&c| (c.as_str().to_owned(), json!(usage.counts.get(c)))).collect();
        status_by_client.insert(id(usage.client), Value::Object(classes));
    }
    let days = Granularity::Day.buckets(span);
    let per_day: Vec<Value> = days
        .iter()
        .zip(store.total_over_time(span, Granularity::Day, &Scope::all()))
        .filter(|&(_, n)| n > 0)
        .map(|(&start, n)| json!([usage_core::range::date_of_day(start.div_euclid(86_400)).to_string(), n]))
        .collect();
    let top_templates: Vec<Value> = store
        .template_usage(span)
        .into_iter()
        .take(5)
        .map(|(t, n)| json!([store.templates().get(t), n]))
        .collect();
    json!({
        "total": clients.iter().map(|u| u.counts.total()).sum::<u64>(),
        "per_day": per_day,
        "top_clients": by_id.into_iter().take(5).map(|(c, n)| json!([c, n])).collect::<Vec<_>>(),
        "status_by_client": status_by_client,
        "top_templates": top_templates,
    })
}

/// Reads `{from, to}` (half-open `YYYY-MM-DD` UTC days).
fn span_of(options: &JsValue) -> Result<DaySpan, JsValue> {
    let day = |key: &str| -> Result<i64, JsValue> {
        let text = Reflect::get(options, &JsValue::from_str(key))?.as_string().ok_or_else(|| format!("{key} is missing"))?;
        let date = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| format!("{key} is not YYYY-MM-DD: {text}"))?;
        Ok(day_number(date))
    };
    Ok(DaySpan { start: day("from")?, end: day("to")? })
}

/// A JSON value as a JS object (through `JSON.parse`, which a strict CSP allows).
fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}
