//! The browser benchmark contract of `../shared/bench` (`window.__bench`,
//! `__benchRefilter`, `__benchReady`, `__benchInfo`, `__benchPhases`), enabled
//! by `?bench` in the URL.
//!
//! It runs the very path a file opened in the dashboard takes: the `ArrayBuffer` is transferred to
//! the ingest worker, which recognises the format and reads it into a store off the page's
//! thread; the page puts the store together column by column and runs its own queries.

use std::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect};
use usage_core::query::{DaySpan, Dimension, Granularity, RecordFilter};
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

/// Installs the contract on `window` when the page URL has `?bench`, and a fingerprint of the
/// store on screen (`dataset`) for tests.
pub fn install_if_requested(dataset: leptos::prelude::RwSignal<crate::sources::Dataset>) {
    let Some(window) = web_sys::window() else { return };
    let search = window.location().search().unwrap_or_default();
    if !search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "bench" || p.starts_with("bench="))
    {
        return;
    }
    let bench = Closure::<dyn Fn(JsValue, JsValue) -> Promise>::new(|buffer, options| {
        future_to_promise(bench(buffer, options))
    });
    let refilter =
        Closure::<dyn Fn(JsValue) -> Promise>::new(|options| future_to_promise(async move { refilter(options) }));
    let info = object(&[
        ("name", "Callboard".into()),
        ("version", env!("CARGO_PKG_VERSION").into()),
        ("notes", "Rust/WASM: the file is read in a Web Worker (its own wasm module) into a columnar store sorted by time, handed back as transferred typed arrays; queries on the page".into()),
    ]);
    let set = |name: &str, value: &JsValue| {
        let _ = Reflect::set(&window, &JsValue::from_str(name), value);
    };
    set("__benchInfo", &info);
    set("__bench", bench.as_ref());
    set("__benchRefilter", refilter.as_ref());
    set("__benchReady", &Promise::resolve(&JsValue::TRUE));
    // For tests: the fingerprint of the store on screen (see UsageStore::fingerprint).
    let fingerprint = Closure::<dyn Fn() -> JsValue>::new(move || {
        JsValue::from_str(&leptos::prelude::WithUntracked::with_untracked(
            &dataset,
            |d: &crate::sources::Dataset| d.store.fingerprint(),
        ))
    });
    set("__callboardFingerprint", fingerprint.as_ref());
    fingerprint.forget();
    // The functions live as long as the page.
    bench.forget();
    refilter.forget();
}

async fn bench(buffer: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let span = span_of(&options)?;
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no performance clock")?;
    let start = performance.now();
    // The same path as opening a file in the UI: the buffer moves (not copied) to the ingest
    // worker, which recognises the format and reads it; the page puts the store together.
    let transfer = Array::of1(&buffer);
    let job = message(
        "buffer",
        &[("name", JsValue::from_str("bench.csv")), ("buffer", buffer)],
    );
    let (store, outcome) = page::run(job, transfer, |_| {}, &Cancel::default())
        .await
        .map_err(|failure| failure.message())?;
    let ingested = performance.now();
    let result = aggregates(&store, span);
    let done = performance.now();
    let report = outcome.files.first().map(|f| f.report.clone()).unwrap_or_default();
    if let Some(window) = web_sys::window() {
        let phases = object(&[
            ("ingest_ms", (ingested - start).into()),
            ("aggregate_ms", (done - ingested).into()),
            ("rows", (report.rows as f64).into()),
            ("skipped", (report.skipped as f64).into()),
            ("bytes_per_record", store.bytes_per_record().into()),
        ]);
        let _ = Reflect::set(&window, &JsValue::from_str("__benchPhases"), &phases);
    }
    LOADED.with(|loaded| *loaded.borrow_mut() = Some(store));
    Ok(result)
}

fn refilter(options: JsValue) -> Result<JsValue, JsValue> {
    let span = span_of(&options)?;
    LOADED.with(|loaded| match loaded.borrow().as_ref() {
        Some(store) => Ok(aggregates(store, span)),
        None => Err(JsValue::from_str("__benchRefilter called before __bench")),
    })
}

/// A JS object of `fields`.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// `[name, count]`.
fn pair(name: &str, count: u64) -> JsValue {
    Array::of2(&JsValue::from_str(name), &(count as f64).into()).into()
}

/// The aggregates of the contract, all from the dashboard's own queries.
fn aggregates(store: &UsageStore, span: DaySpan) -> JsValue {
    let all = RecordFilter::all();
    let clients = store.breakdown(span, Dimension::Client, &all, false).rows;
    // The contract breaks ties by client id; the dashboard ranks ties by display name.
    let mut by_id: Vec<(&str, u64)> = clients
        .iter()
        .map(|u| (store.client_id(u.key), u.counts.total()))
        .collect();
    by_id.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let status_by_client = Object::new();
    for usage in clients.iter() {
        let classes: Vec<(&str, JsValue)> = StatusClass::NAMED
            .iter()
            .map(|&c| (c.as_str(), (usage.counts.get(c) as f64).into()))
            .collect();
        let _ = Reflect::set(
            &status_by_client,
            &JsValue::from_str(store.client_id(usage.key)),
            &object(&classes),
        );
    }
    let days = Granularity::Day.buckets(span);
    let per_day: Array = days
        .iter()
        .zip(store.series(span, Granularity::Day, &all, None).total)
        .filter(|&(_, n)| n > 0)
        .map(|(&start, n)| {
            pair(
                &usage_core::format::iso_date(usage_core::range::date_of_day(start.div_euclid(86_400))),
                n,
            )
        })
        .collect();
    let templates = store.breakdown(span, Dimension::Template, &all, false).rows;
    let top_templates: Array = templates
        .iter()
        .take(5)
        .map(|r| pair(store.templates().get(r.key), r.counts.total()))
        .collect();
    object(&[
        (
            "total",
            (clients.iter().map(|u| u.counts.total()).sum::<u64>() as f64).into(),
        ),
        ("per_day", per_day.into()),
        (
            "top_clients",
            by_id
                .into_iter()
                .take(5)
                .map(|(c, n)| pair(c, n))
                .collect::<Array>()
                .into(),
        ),
        ("status_by_client", status_by_client.into()),
        ("top_templates", top_templates.into()),
    ])
}

/// Reads `{from, to}` (half-open `YYYY-MM-DD` UTC days).
fn span_of(options: &JsValue) -> Result<DaySpan, JsValue> {
    let day = |key: &str| -> Result<i64, JsValue> {
        let text = Reflect::get(options, &JsValue::from_str(key))?
            .as_string()
            .ok_or_else(|| format!("{key} is missing"))?;
        let date =
            usage_core::format::parse_iso_date(&text).ok_or_else(|| format!("{key} is not YYYY-MM-DD: {text}"))?;
        Ok(day_number(date))
    };
    Ok(DaySpan {
        start: day("from")?,
        end: day("to")?,
    })
}
