//! What the core's integration tests share: the fixed "today", reading a file as the browser
//! does, the counts they compare, and writing a field as nginx logs it.

// Each test file uses some of these, never all.
#![allow(dead_code)]

use chrono::NaiveDate;
use usage_core::formats::{Format, ReadError, ReadReport, detect, read_in_chunks};
use usage_core::query::{DaySpan, Dimension, RecordFilter};
use usage_core::{StatusClass, UsageStore};

/// "Today" for the fixtures written by hand: their rows dated 2026-11-23 must not count.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date")
}

/// Detects the format from the first 64 KiB and reads the file in chunks of `chunk` bytes, as
/// the browser does (a small chunk puts every boundary inside some line).
pub fn read(bytes: &[u8], chunk: usize) -> Result<(Format, UsageStore, ReadReport), ReadError> {
    let format = detect(&bytes[..bytes.len().min(64 * 1024)])?;
    let (store, report) = read_in_chunks(format, bytes, chunk)?;
    Ok((format, store, report))
}

/// Per client name: (total, 2xx, 3xx, 4xx without 429, 429, 5xx, other) over `span`.
pub fn class_totals(store: &UsageStore, span: DaySpan) -> Vec<(String, [u64; 7])> {
    store
        .breakdown(span, Dimension::Client, &RecordFilter::all(), false)
        .rows
        .iter()
        .map(|u| {
            let c = |k| u.counts.get(k);
            let classes = [
                u.counts.total(),
                c(StatusClass::Success),
                c(StatusClass::Redirect),
                c(StatusClass::ClientError),
                c(StatusClass::RateLimited),
                c(StatusClass::ServerError),
                c(StatusClass::Other),
            ];
            (store.client_name(u.key).to_owned(), classes)
        })
        .collect()
}

/// Every request in the store, summed over all time.
pub fn total(store: &UsageStore) -> u64 {
    let all_time = DaySpan { start: 0, end: 50_000 };
    class_totals(store, all_time).iter().map(|(_, c)| c[0]).sum()
}

/// nginx's log escaping (ngx_http_log_escape): `"`, `\`, control bytes and every byte from 0x7f
/// up are written as `\xXX`; everything else as it is.
pub fn nginx_escape(text: &str) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) {
            out.push_str(&format!("\\x{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}
