//! Every reader against the real files in ../shared/samples (see its PROVENANCE.md),
//! and against the expected output shipped with them where there is some.

mod common;

use std::path::PathBuf;

use serde_json::Value;
use usage_core::formats::{Format, ReadReport};
use usage_core::query::{DaySpan, Dimension, RecordFilter};
use usage_core::{StatusClass, UsageRecord, UsageStore};

fn sample(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/samples")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("the sample {} must be there ({e})", full.display()))
}

/// Detects the format and reads the file in small chunks, as the browser does.
fn read(bytes: &[u8]) -> (Format, UsageStore, ReadReport) {
    common::read(bytes, 97).expect("a recognised, readable format")
}

fn ts(text: &str) -> i64 {
    usage_core::formats::time::parse_iso8601(text.as_bytes()).expect("an ISO time")
}

/// (time, method, template, status, ip, bytes) of each record, sorted. A store with a bytes column
/// holds 0 where a line wrote `-`, so an absent byte count compares as 0.
fn summary(records: impl Iterator<Item = UsageRecord>) -> Vec<(i64, String, String, u16, String, Option<u64>)> {
    let mut rows: Vec<_> = records
        .map(|r| (r.timestamp, r.method, r.template, r.status, r.ip, r.bytes.or(Some(0))))
        .collect();
    rows.sort();
    rows
}

/// The same from Elastic's expected ECS documents: every line with a response, those without an
/// HTTP request line (no method in Elastic's parse) under Callboard's malformed template.
fn expected_from_ecs(path: &str) -> Vec<(i64, String, String, u16, String, Option<u64>)> {
    let documents: Vec<Value> = serde_json::from_slice(&sample(path)).expect("expected JSON");
    let mut rows: Vec<_> = documents
        .iter()
        .map(|d| {
            let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let http = d.get("http.request.method").is_some();
            (
                ts(&s("@timestamp")),
                if http {
                    s("http.request.method")
                } else {
                    "(none)".to_owned()
                },
                if http {
                    usage_core::template::fold(&s("url.original"))
                } else {
                    "(malformed request line)".to_owned()
                },
                d.get("http.response.status_code").and_then(Value::as_u64).unwrap_or(0) as u16,
                s("source.address"),
                d.get("http.response.body.bytes").and_then(Value::as_u64).or(Some(0)),
            )
        })
        .collect();
    rows.sort();
    rows
}

// Guards the nginx reader against Elastic's parse of the same log, field by field: times in UTC
// from each line's offset, forwarded-for lists, IPv6, and the two lines with garbage request lines
// (an empty one and "hello"), which the server answered with 400 and so count.
#[test]
fn nginx_sample_matches_elastics_parse() {
    let bytes = sample("nginx/test.log");
    let (format, store, report) = read(&bytes);
    assert_eq!(format, Format::AccessLog);
    assert_eq!(
        summary(store.records()),
        expected_from_ecs("nginx/test.log-expected.json")
    );
    assert_eq!((report.rows, report.skipped), (10, 0));
    assert_eq!(
        store.total_requests(),
        bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64,
        "one request per line, as wc -l counts"
    );
    assert!(
        report.notes[0].starts_with("2 lines had no HTTP request line"),
        "{:?}",
        report.notes
    );
    assert!(
        store.records().all(|r| r.client_name == "Unknown client"),
        "access logs name no client"
    );
}

// Guards the Apache reader: common and combined lines, `-` bytes, host names, and the two "-"
// requests answered with 408, counted like Elastic keeps them.
#[test]
fn apache_sample_matches_elastics_parse() {
    let (_, store, report) = read(&sample("apache/test.log"));
    assert_eq!(
        summary(store.records()),
        expected_from_ecs("apache/test.log-expected.json")
    );
    assert_eq!((report.rows, report.skipped), (6, 0));
}

// Guards lnav's "bad" log: its second line lacks the ident and user fields but has a time and a
// status, so the server answered it and it counts (only lines without either are skipped).
#[test]
fn lnav_good_and_bad_logs() {
    let (_, good, good_report) = read(&sample("lnav/logfile_access_log.0"));
    assert_eq!((good_report.rows, good_report.skipped, good.len()), (3, 0, 3));
    let (_, bad, bad_report) = read(&sample("lnav/logfile_bad_access_log.0"));
    assert_eq!((bad_report.rows, bad_report.skipped, bad.len()), (3, 0, 3));
    let statuses: Vec<u16> = bad.records().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 404, 200]);
    assert!(bad.records().all(|r| r.ip == "192.168.202.254"));
}

// Guards the Genesys reader on the blueprint's result rows: per-class counts, the daily bucket,
// and rows without a template shown as "(all URLs)".
#[test]
fn genesys_sample() {
    let (format, store, report) = read(&sample("genesys/query-result.json"));
    assert_eq!(format, Format::Genesys);
    assert_eq!((report.rows, report.skipped), (2, 0));
    let span = DaySpan {
        start: ts("2021-01-01T00:00:00Z") / 86_400,
        end: ts("2021-02-01T00:00:00Z") / 86_400,
    };
    let usage = store
        .breakdown(span, Dimension::Client, &RecordFilter::all(), false)
        .rows;
    let by_name: Vec<(String, u64, u64, u64)> = usage
        .iter()
        .map(|u| {
            (
                store.client_name(u.key).to_owned(),
                u.counts.total(),
                u.counts.get(StatusClass::Success),
                u.counts.get(StatusClass::ServerError),
            )
        })
        .collect();
    assert_eq!(
        by_name,
        [
            ("Another OAUth Client".to_owned(), 16, 16, 0),
            ("Sample Client Credentials".to_owned(), 4, 3, 1)
        ]
    );
    assert_eq!(store.templates(), ["(all URLs)"]);
}

// Guards the Kong reader on both documented log entries: consumer as client, anonymous as
// "Unknown client", epoch-millisecond start, latency and size.
#[test]
fn kong_samples() {
    let (format, store, report) = read(&sample("kong/log-format-gte-3.4.json"));
    assert_eq!((format, report.rows, report.skipped), (Format::Kong, 1, 0));
    let record = store.records().next().expect("one record");
    assert_eq!(
        (
            record.client_name.as_str(),
            record.method.as_str(),
            record.template.as_str(),
            record.status
        ),
        ("foo", "GET", "/log", 200)
    );
    assert_eq!(
        (record.timestamp, record.ip.as_str(), record.bytes, record.latency_us),
        (1_614_232_668, "192.168.144.1", Some(827), Some(515_000))
    );

    let (_, store, report) = read(&sample("kong/log-format-3.8.json"));
    assert_eq!(report.rows, 1);
    let record = store.records().next().expect("one record");
    assert_eq!(
        (record.client_name.as_str(), record.template.as_str()),
        ("Unknown client", "/example-route")
    );
}

// Guards the Moesif reader: company as client, user kept, the item id folded out of the URL.
#[test]
fn moesif_samples() {
    let (format, store, report) = read(&sample("moesif/event.json"));
    assert_eq!((format, report.rows), (Format::Moesif, 1));
    let record = store.records().next().expect("one record");
    assert_eq!(
        (
            record.client_id.as_str(),
            record.user.as_str(),
            record.template.as_str()
        ),
        ("67890", "12345", "/items/{id}/reviews/")
    );
    assert_eq!(
        (record.method.as_str(), record.status, record.timestamp),
        ("POST", 500, ts("2024-10-30T04:45:42Z"))
    );

    let (_, store, report) = read(&sample("moesif/events-batch.json"));
    assert_eq!((report.rows, report.skipped), (1, 0));
    assert_eq!(store.templates(), ["/items/{id}/reviews/"]);
}
