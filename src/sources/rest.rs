//! A live usage API, as the page sees it: the ingest worker fetches and reads it
//! (`crate::ingest::live`), and this hands it the source, the range and the one token entered for
//! the source's origin (sessionStorage lives on the page), then takes the finished store.

use std::sync::Arc;

use chrono::NaiveDate;
use js_sys::Array;
use usage_core::DateRange;
use usage_core::format::iso_date;
use usage_core::rest::origin_of;
use usage_core::zone::Offsets;
use wasm_bindgen::JsValue;

use super::{DataSource, Dataset, Live};
use crate::ingest::page::{self, Cancel};
use crate::ingest::protocol::message;
use crate::storage;

/// What a live source is asked for: UTC days up to the day before `today`, at `granularity`
/// (the range's own when `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    pub range: DateRange,
    pub today: NaiveDate,
    pub granularity: Option<usage_core::Granularity>,
    /// What the view's widgets show: ClickHouse answers each grouping that no other holds in a
    /// query of its own.
    pub groupings: Vec<usage_core::query::Grouping>,
    /// The link's zone (an IANA name) and its offsets over the range, for a source that counts
    /// buckets on its clock (ClickHouse); `None` for UTC.
    pub zone: Option<(String, Offsets)>,
    /// The UTC days of the period the view compares with (ClickHouse: asked for as well).
    pub before: Option<DateRange>,
    /// The latencies the view's widgets show (ClickHouse counts them).
    pub latency: Option<usage_core::clickhouse::LatencyAsk>,
    /// The view's own window, for a source that lists the callers with most requests in it one by
    /// one and counts the rest together (`usage_core::clickhouse::Listing`); `None` for the others,
    /// so a moved window asks them nothing new.
    pub window: Option<usage_core::zone::Window>,
}

thread_local! {
    /// This page's id, random, in base 36: its ClickHouse queries are named by it, so that a
    /// newer fetch cancels this page's superseded ones and no other page's.
    static SESSION: String = {
        let mut n = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let mut id = String::new();
        while n > 0 {
            id.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
            n /= 36;
        }
        id
    };
}

/// The worker's job for `ask`: its usage, or with `latency_only` only the latencies it asks for.
/// `number` is the page's fetch it is part of (both jobs of one fetch share it): its ClickHouse
/// queries carry it, and cancel those of the page's fetches before it.
fn live_job(
    source: &str,
    kind: usage_core::rest::SourceKind,
    ask: &Ask,
    filters: &[usage_core::Filter],
    latency_only: bool,
    number: u32,
) -> js_sys::Object {
    let (from, to) = ask.range.to_query();
    let token = storage::load_token(&origin_of(source)).map_or(JsValue::NULL, |t| JsValue::from_str(&t));
    let text = |t: Option<String>| t.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t));
    let (zone, offsets) = match &ask.zone {
        Some((name, offsets)) => (
            JsValue::from_str(name),
            offsets
                .changes()
                .iter()
                .flat_map(|&(at, offset)| [at as f64, f64::from(offset)])
                .map(JsValue::from)
                .collect::<Array>()
                .into(),
        ),
        None => (JsValue::UNDEFINED, JsValue::UNDEFINED),
    };
    message(
        "live",
        &[
            ("source", JsValue::from_str(source)),
            ("source_kind", JsValue::from_str(kind.as_str())),
            (
                "groupings",
                ask.groupings
                    .iter()
                    .map(|g| JsValue::from_f64(f64::from(g.bits())))
                    .collect::<Array>()
                    .into(),
            ),
            ("from", JsValue::from_str(&from)),
            ("to", JsValue::from_str(&to)),
            ("today", JsValue::from_str(&iso_date(ask.today))),
            (
                "granularity",
                ask.granularity
                    .map_or(JsValue::UNDEFINED, |g| JsValue::from_str(g.as_str())),
            ),
            ("token", token),
            (
                "filters",
                filters
                    .iter()
                    .map(|f| JsValue::from_str(&format!("{}:{}", f.dimension.as_str(), f.key)))
                    .collect::<Array>()
                    .into(),
            ),
            ("zone", zone),
            ("offsets", offsets),
            ("before_from", text(ask.before.map(|b| b.to_query().0))),
            ("before_to", text(ask.before.map(|b| b.to_query().1))),
            ("latency", text(ask.latency.as_ref().map(|l| l.to_text()))),
            ("window", text(ask.window.map(|w| format!("{} {}", w.start, w.end)))),
            ("latency_only", JsValue::from_bool(latency_only)),
            ("session", JsValue::from_str(&SESSION.with(String::clone))),
            ("fetch", JsValue::from(number)),
        ],
    )
}

/// Fetches what `ask` says from `source` in a worker, but for its latencies (see
/// [`fetch_latency`]), as the page's fetch `number`. `on_progress` gets the bytes received;
/// `cancel` drops the fetch at once (a newer one started, or the source changed).
pub async fn fetch(
    source: &str,
    kind: usage_core::rest::SourceKind,
    ask: &Ask,
    filters: &[usage_core::Filter],
    number: u32,
    on_progress: impl Fn(u64),
    cancel: &Cancel,
) -> Result<Dataset, String> {
    let today = ask.today;
    let job = live_job(
        source,
        kind,
        &Ask {
            latency: None,
            ..ask.clone()
        },
        filters,
        false,
        number,
    );
    let (store, outcome) = page::run(job, Array::new(), |p| on_progress(p.done as u64), cancel)
        .await
        .map_err(|failure| failure.message())?;
    let info = outcome
        .live
        .ok_or("the live source's answer came back without its details")?;
    // Whether the server counts latencies for this data (the percentiles come from
    // `fetch_latency`); the worker wrote it, so numbers out of shape are its fault, and the
    // counts stand without them.
    let store = store.with_counted_latency(
        usage_core::latency::CountedLatency::from_numbers(&info.latency, filters.to_vec()).unwrap_or_default(),
    );
    let live = Live::from_answer(info, kind.capabilities(), today);
    Ok(Dataset {
        store: Arc::new(store),
        source: DataSource::Live(Box::new(live)),
    })
}

/// The latencies `ask` asks for, counted by the server (ClickHouse) in a worker of their own while
/// [`fetch`] fetches the counts: keyed by the texts returned (to be matched to the store's ids
/// with `CountedLatency::resolve`), and a note for the banner (where they were counted, or why
/// some were not).
pub async fn fetch_latency(
    source: &str,
    kind: usage_core::rest::SourceKind,
    ask: &Ask,
    filters: &[usage_core::Filter],
    number: u32,
    cancel: &Cancel,
) -> Result<(usage_core::latency::CountedLatency, Vec<String>, Option<String>), String> {
    let job = live_job(source, kind, ask, filters, true, number);
    let (_, outcome) = page::run(job, Array::new(), |_| {}, cancel)
        .await
        .map_err(|failure| failure.message())?;
    let info = outcome
        .live
        .ok_or("the live source's answer came back without its details")?;
    let counted = usage_core::latency::CountedLatency::from_numbers(&info.latency, filters.to_vec())
        .map_err(|e| e.to_string())?;
    Ok((counted, info.latency_keys, info.caveat))
}
