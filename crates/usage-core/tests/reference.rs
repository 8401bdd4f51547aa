//! Property tests: every store query against a naive reference on random data.
//!
//! The reference works on plain `UsageRecord`s with strings and chrono dates,
//! sharing no code with the store's columnar, binary-searched, bucket-walking
//! fast path except the status classification itself.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use usage_core::metric::Metric;
use usage_core::model::{BucketWidth, UsageRecord};
use usage_core::query::{DaySpan, Dimension, Filter, Granularity, Grouping, RecordFilter, SortColumn, picked, top_n};
use usage_core::range::day_number;
use usage_core::zone::Offsets;
use usage_core::{StatusClass, StatusCounts, UsageStore};

/// Days the generator centres on: a leap day, a year end and an ordinary month end.
const ANCHORS: [(i32, u32, u32); 3] = [(2024, 2, 29), (2025, 12, 31), (2026, 4, 30)];

fn date_of(ts: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .expect("test timestamps are in range")
        .date_naive()
}

fn span_dates(span: DaySpan) -> (NaiveDate, NaiveDate) {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    (epoch + Duration::days(span.start), epoch + Duration::days(span.end))
}

fn in_span(r: &UsageRecord, span: DaySpan) -> bool {
    let (from, until) = span_dates(span);
    let day = date_of(r.timestamp);
    from <= day && day < until
}

/// Reference bucket start, by calendar arithmetic rather than the store's modular maths.
fn naive_bucket(ts: i64, g: Granularity) -> NaiveDate {
    let day = date_of(ts);
    match g {
        Granularity::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Granularity::Month => NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap(),
        _ => day,
    }
}

fn naive_bucket_ts(ts: i64, g: Granularity) -> i64 {
    let time = DateTime::<Utc>::from_timestamp(ts, 0).unwrap();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    match g {
        Granularity::TenMinutes => {
            midnight(time.date_naive())
                + i64::from(time.format("%H").to_string().parse::<u32>().unwrap()) * 3600
                + i64::from(time.format("%M").to_string().parse::<u32>().unwrap() / 10 * 600)
        }
        Granularity::Hour => {
            midnight(time.date_naive()) + i64::from(time.format("%H").to_string().parse::<u32>().unwrap()) * 3600
        }
        _ => midnight(naive_bucket(ts, g)),
    }
}

fn record_strategy() -> impl Strategy<Value = UsageRecord> {
    (
        0..ANCHORS.len(),
        -3 * 86_400i64..3 * 86_400,
        0..5usize,
        0..4usize,
        prop::sample::select(vec![
            100u16, 200, 201, 204, 301, 304, 400, 404, 428, 429, 430, 500, 503, 599, 600, 0,
        ]),
        prop_oneof![3 => Just(1u64), 1 => 1u64..5_000],
        prop::sample::select(vec![
            BucketWidth::Request,
            BucketWidth::TenMinutes,
            BucketWidth::Hour,
            BucketWidth::Day,
        ]),
        (0..3usize, 0..4usize, 0..3usize),
    )
        .prop_map(
            |(anchor, offset, client, template, status, requests, bucket, (user, ip, module))| {
                let (y, m, d) = ANCHORS[anchor];
                let midnight = NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp();
                let mut timestamp = midnight + offset;
                // Pre-aggregated rows start on their bucket boundary, as real reports do.
                timestamp -= timestamp.rem_euclid(bucket.seconds().max(1));
                UsageRecord {
                    timestamp,
                    bucket,
                    client_id: format!("client-{client}"),
                    // Names that sort differently from ids, with a tie between two clients.
                    client_name: ["Zed", "Alpha", "Mid", "Alpha", "Beta"][client].to_string(),
                    method: if template % 2 == 0 { "GET".into() } else { "POST".into() },
                    template: format!("/t/{template}"),
                    status,
                    requests,
                    // Index 0 is "unknown" (empty), which distinct counts leave out.
                    user: ["", "ann", "bob"][user].into(),
                    ip: ["", "192.0.2.1", "2001:db8::1", "198.51.100.7"][ip].into(),
                    module: ["", "users", "fees"][module].into(),
                    bytes: None,
                    latency_us: None,
                }
            },
        )
}

/// The text of a record in `dimension`: what a link's filter and a row's `data-key` say.
fn naive_key(r: &UsageRecord, dimension: Dimension) -> String {
    match dimension {
        Dimension::Client => r.client_id.clone(),
        Dimension::Template => r.template.clone(),
        Dimension::Method => r.method.clone(),
        Dimension::Status => r.status.to_string(),
        Dimension::Class => StatusClass::of(r.status).as_str().to_owned(),
        Dimension::Module => r.module.clone(),
        Dimension::User => r.user.clone(),
        Dimension::Ip => r.ip.clone(),
    }
}

/// The reference filter: filters on one dimension are alternatives, different dimensions all apply.
fn naive_passes(r: &UsageRecord, filters: &[Filter]) -> bool {
    Dimension::ALL.iter().all(|&d| {
        let wanted: Vec<&Filter> = filters.iter().filter(|f| f.dimension == d).collect();
        wanted.is_empty() || wanted.iter().any(|f| f.key == naive_key(r, d))
    })
}

fn span_strategy() -> impl Strategy<Value = DaySpan> {
    (0..ANCHORS.len(), -6i64..6, 0i64..8).prop_map(|(anchor, start, len)| {
        let (y, m, d) = ANCHORS[anchor];
        let centre = day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        DaySpan {
            start: centre + start,
            end: centre + start + len,
        }
    })
}

/// Up to three filters, with keys the generator uses (and one no record has).
fn filters_strategy() -> impl Strategy<Value = Vec<Filter>> {
    let keys = |d: Dimension| -> Vec<&'static str> {
        match d {
            Dimension::Client => vec!["client-0", "client-1", "client-3", "nobody"],
            Dimension::Template => vec!["/t/0", "/t/1", "/t/3"],
            Dimension::Method => vec!["GET", "POST"],
            Dimension::Status => vec!["200", "404", "429", "503", "600"],
            Dimension::Class => vec!["2xx", "4xx", "429", "5xx", "other"],
            Dimension::Module => vec!["", "users", "fees"],
            Dimension::User => vec!["", "ann", "bob"],
            Dimension::Ip => vec!["", "192.0.2.1", "2001:db8::1"],
        }
    };
    prop::collection::vec((prop::sample::select(Dimension::ALL.to_vec()), 0..5usize), 0..4).prop_map(move |picks| {
        picks
            .into_iter()
            .map(|(dimension, k)| Filter {
                dimension,
                key: keys(dimension)[k % keys(dimension).len()].to_owned(),
            })
            .collect()
    })
}

/// How the reference orders two values with equal requests: status codes and classes by number
/// (classes in 2xx, 3xx, 4xx, 429, 5xx, other order), clients by name then id, the rest by text.
fn naive_tie(records: &[UsageRecord], dimension: Dimension, key: &str) -> (u32, String, String) {
    match dimension {
        Dimension::Status => (key.parse().unwrap(), String::new(), String::new()),
        Dimension::Class => (
            ["2xx", "3xx", "4xx", "429", "5xx", "other"]
                .iter()
                .position(|c| *c == key)
                .unwrap() as u32,
            String::new(),
            String::new(),
        ),
        Dimension::Client => {
            let name = records
                .iter()
                .find(|r| r.client_id == key)
                .map(|r| r.client_name.clone())
                .unwrap();
            (0, name, key.to_owned())
        }
        _ => (0, key.to_owned(), String::new()),
    }
}

/// Breakdown rows as (key text, counts), in the store's order.
fn rows_by_key(
    store: &UsageStore,
    dimension: Dimension,
    rows: &[usage_core::BreakdownRow],
) -> Vec<(String, StatusCounts)> {
    rows.iter()
        .map(|r| (store.key_text(dimension, r.key), r.counts))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    // Guards the breakdown on every dimension through any combination of filters: per-class counts
    // for each value, the total, and the ranking (most requests first, ties by label), including
    // empty data, spans outside the data, weighted and pre-aggregated rows, and unknown keys.
    #[test]
    fn breakdown_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..120),
        span in span_strategy(),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
        filters in filters_strategy(),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let mut expected: BTreeMap<String, StatusCounts> = BTreeMap::new();
        let mut total = StatusCounts::default();
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters)) {
            expected.entry(naive_key(r, dimension)).or_default().add_code(r.status, r.requests);
            total.add_code(r.status, r.requests);
        }
        let filter = RecordFilter::new(&store, &filters);
        let breakdown = store.breakdown(span, dimension, &filter, false);
        let got: BTreeMap<String, StatusCounts> = rows_by_key(&store, dimension, &breakdown.rows).into_iter().collect();
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(breakdown.total, total);
        prop_assert_eq!(store.totals(span, &filter), total);
        for w in breakdown.rows.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let (ka, kb) = (store.key_text(dimension, a.key), store.key_text(dimension, b.key));
            prop_assert!(a.counts.total() > b.counts.total() || (a.counts.total() == b.counts.total() && naive_tie(&records, dimension, &ka) <= naive_tie(&records, dimension, &kb)), "ranked");
        }
        // top 5 + Other covers everything exactly once: Other is the rows after the top 5.
        let (top, other) = top_n(&breakdown, 5);
        let mut rest = StatusCounts::default();
        breakdown.rows.iter().skip(5).for_each(|r| rest.merge(&r.counts));
        prop_assert_eq!(other, rest);
        prop_assert_eq!(top.iter().map(|r| r.counts.total()).sum::<u64>() + other.total(), total.total());
    }

    // Guards sorting by any column in either direction: a real order, ties by label.
    #[test]
    fn sorting_is_a_total_order(
        records in prop::collection::vec(record_strategy(), 0..80),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
        column in prop::sample::select(SortColumn::ALL.to_vec()),
        descending in any::<bool>(),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let breakdown = store.breakdown(DaySpan { start: 0, end: 30_000 }, dimension, &RecordFilter::all(), false);
        let mut rows = breakdown.rows.to_vec();
        store.sort_rows(&mut rows, dimension, column, descending);
        // The table's path, which shares the breakdown's rows when they are already in order.
        let shared = store.rows_sorted(&breakdown, column, descending);
        prop_assert_eq!(shared.as_slice(), rows.as_slice());
        let value = |r: &usage_core::BreakdownRow| -> (u128, u128) {
            match column {
                SortColumn::Requests | SortColumn::Share => (u128::from(r.counts.total()), 1),
                SortColumn::Class(c) => (u128::from(r.counts.get(c)), 1),
                SortColumn::ErrorRate => (u128::from(r.counts.errors()), u128::from(r.counts.total())),
                SortColumn::Bytes => (r.bytes, 1),
                SortColumn::Name | SortColumn::P50 | SortColumn::P95 => (0, 1),
            }
        };
        for w in rows.windows(2) {
            let ((an, ad), (bn, bd)) = (value(&w[0]), value(&w[1]));
            let primary = (an * bd).cmp(&(bn * ad));
            let primary = if descending { primary.reverse() } else { primary };
            prop_assert!(primary != std::cmp::Ordering::Greater, "{column:?} descending {descending}");
        }
    }

    // Guards time series at every granularity through any filters: bucket starts (ISO weeks,
    // months across leap days and year ends), the total per bucket, and one series per key of any
    // dimension, for records walked in time order.
    #[test]
    fn series_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..120),
        span in span_strategy(),
        granularity in prop::sample::select(vec![Granularity::TenMinutes, Granularity::Hour, Granularity::Day, Granularity::Week, Granularity::Month]),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
        filters in filters_strategy(),
        split_count in 0..4usize,
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let filter = RecordFilter::new(&store, &filters);
        let keys: Vec<u32> = store.breakdown(DaySpan { start: 0, end: 30_000 }, dimension, &RecordFilter::all(), false).rows.iter().take(split_count).map(|r| r.key).collect();
        let series = store.series(span, granularity, &filter, Some((dimension, &keys)));

        // Buckets: consecutive, covering the span, each the reference start of its own first second.
        let (from, until) = span_dates(span);
        let span_start = from.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        let span_end = until.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        if span.end > span.start {
            prop_assert_eq!(series.starts.first().copied(), Some(naive_bucket_ts(span_start, granularity)));
            prop_assert!(series.starts.last().is_some_and(|&s| s < span_end));
        } else {
            prop_assert!(series.starts.is_empty());
        }
        for &s in &series.starts {
            prop_assert_eq!(naive_bucket_ts(s, granularity), s);
        }
        let bucket_of = |ts: i64| series.starts.iter().position(|&s| s == naive_bucket_ts(ts, granularity)).expect("bucket exists");
        let mut expected_total = vec![0u64; series.starts.len()];
        let mut expected: Vec<Vec<u64>> = vec![vec![0u64; series.starts.len()]; keys.len()];
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters)) {
            expected_total[bucket_of(r.timestamp)] += r.requests;
            if let Some(k) = keys.iter().position(|&key| store.key_text(dimension, key) == naive_key(r, dimension)) {
                expected[k][bucket_of(r.timestamp)] += r.requests;
            }
        }
        prop_assert_eq!(&series.total, &expected_total);
        for (k, (key, values)) in series.series.iter().enumerate() {
            prop_assert_eq!(*key, keys[k]);
            prop_assert_eq!(values, &expected[k]);
        }
    }

    // Guards the charts' narrowing on top of the link's filters: chosen clients and chosen URL
    // templates AND the filters, and "chosen plus Other" covers every request exactly once.
    #[test]
    fn narrowing_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..100),
        span in span_strategy(),
        filters in filters_strategy(),
        clients in prop::collection::vec(0..5usize, 0..4),
        templates in prop::collection::vec(0..4usize, 0..3),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let client_ids: Vec<String> = clients.iter().map(|c| format!("client-{c}")).collect();
        let template_names: Vec<String> = templates.iter().map(|t| format!("/t/{t}")).collect();
        let client_keys: Vec<u32> = client_ids.iter().filter_map(|id| store.find_key(Dimension::Client, id)).collect();
        let template_keys: Vec<u32> = template_names.iter().filter_map(|t| store.find_key(Dimension::Template, t)).collect();
        let mut filter = RecordFilter::new(&store, &filters).and_clients(&store, &client_keys);
        if !templates.is_empty() {
            filter = filter.and_templates(&store, &template_keys);
        }
        let mut expected = StatusCounts::default();
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters) && client_ids.contains(&r.client_id) && (templates.is_empty() || template_names.contains(&r.template))) {
            expected.add_code(r.status, r.requests);
        }
        prop_assert_eq!(store.totals(span, &filter), expected);

        let breakdown = store.breakdown(span, Dimension::Client, &RecordFilter::new(&store, &filters), false);
        let (chosen, other) = picked(&breakdown, &client_keys);
        // Naively: the rows of the keys in the keys' order, once each; every other row summed.
        let mut want: Vec<u32> = Vec::new();
        for &k in &client_keys {
            if !want.contains(&k) && breakdown.rows.iter().any(|r| r.key == k) {
                want.push(k);
            }
        }
        prop_assert_eq!(chosen.iter().map(|r| r.key).collect::<Vec<_>>(), want);
        let mut expected_other = StatusCounts::default();
        for row in breakdown.rows.iter().filter(|r| !client_keys.contains(&r.key)) {
            expected_other.merge(&row.counts);
        }
        prop_assert_eq!(other, expected_other);
    }

    // Guards latency percentiles (three linear selections) against sorting and taking the
    // nearest rank, with duplicates and every length from 1.
    #[test]
    fn percentiles_match_sorting(values in prop::collection::vec(prop_oneof![0u64..5, 0u64..1_000_000], 1..300)) {
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let rank = |p: usize| sorted[(sorted.len() * p).div_ceil(100) - 1];
        let mut scratch = values.clone();
        let got = usage_core::query::Percentiles::of(&mut scratch).expect("some values");
        prop_assert_eq!((got.p50_us, got.p95_us, got.p99_us), (rank(50), rank(95), rank(99)));
    }

    // Guards the time chart's other metrics through any filters, for everything and per key:
    // the error rate in basis points (rounded half up), the exact p95 of per-request latencies
    // only (pre-aggregated rows carry none), bytes summed, and no value where there is nothing
    // to measure.
    #[test]
    fn metric_series_matches_reference(
        records in prop::collection::vec((record_strategy(), 0u64..50_000, 1u64..3_000_000), 0..120),
        span in span_strategy(),
        granularity in prop::sample::select(vec![Granularity::TenMinutes, Granularity::Hour, Granularity::Day, Granularity::Week]),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
        filters in filters_strategy(),
        split_count in 0..4usize,
        metric in prop::sample::select(Metric::ALL.to_vec()),
    ) {
        let records: Vec<UsageRecord> = records.into_iter().map(|(r, bytes, latency)| UsageRecord { bytes: Some(bytes), latency_us: Some(latency), ..r }).collect();
        let store = UsageStore::from_records(&records).unwrap();
        let filter = RecordFilter::new(&store, &filters);
        let keys: Vec<u32> = store.breakdown(DaySpan { start: 0, end: 30_000 }, dimension, &RecordFilter::all(), false).rows.iter().take(split_count).map(|r| r.key).collect();
        let got = store.metric_series(span.into(), granularity, &Offsets::utc(), &filter, Some((dimension, &keys)), &metric);
        prop_assert_eq!(&got.starts, &store.series(span, granularity, &filter, None).starts);

        // Per series (0 = everything, k + 1 = keys[k]) and bucket: requests, errors, bytes, latencies.
        let buckets = got.starts.len();
        let mut gathered = vec![vec![(0u64, 0u64, 0u64, Vec::<u64>::new()); buckets]; keys.len() + 1];
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters)) {
            let b = got.starts.iter().position(|&s| s == naive_bucket_ts(r.timestamp, granularity)).expect("bucket exists");
            let own = keys.iter().position(|&key| store.key_text(dimension, key) == naive_key(r, dimension)).map(|k| k + 1);
            for row in std::iter::once(0).chain(own) {
                let cell = &mut gathered[row][b];
                cell.0 += r.requests;
                if matches!(StatusClass::of(r.status), StatusClass::ClientError | StatusClass::RateLimited | StatusClass::ServerError) {
                    cell.1 += r.requests;
                }
                cell.2 += r.bytes.unwrap_or(0);
                if r.bucket == BucketWidth::Request {
                    cell.3.push(r.latency_us.unwrap_or(0));
                }
            }
        }
        let expected: Vec<Vec<Option<u64>>> = gathered
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(requests, errors, bytes, mut latencies)| match metric {
                        Metric::Requests => Some(requests),
                        Metric::ErrorRate => (requests > 0).then(|| (errors as f64 * 10_000.0 / requests as f64).round() as u64),
                        Metric::P95 => {
                            latencies.sort_unstable();
                            (!latencies.is_empty()).then(|| latencies[(latencies.len() * 95).div_ceil(100) - 1])
                        }
                        Metric::Bytes => Some(bytes),
                        Metric::Measure(_) => unreachable!("not generated here"),
                    })
                    .collect()
            })
            .collect();
        prop_assert_eq!(&got.total, &expected[0]);
        for (k, (key, values)) in got.series.iter().enumerate() {
            prop_assert_eq!(*key, keys[k]);
            prop_assert_eq!(values, &expected[k + 1], "series {}", k);
        }
    }

    // Guards a measure of the data (a 3scale metric) charted like requests: summed per bucket
    // and per client key, never mixed with requests or with another measure, and no value at all
    // through a filter or split on anything but clients (a measure is counted per client only).
    #[test]
    fn measure_series_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..40),
        points in prop::collection::vec((record_strategy(), 0u64..1_000_000, any::<bool>()), 0..80),
        span in span_strategy(),
        granularity in prop::sample::select(vec![Granularity::TenMinutes, Granularity::Hour, Granularity::Day, Granularity::Week]),
        dimension in prop::sample::select(vec![Dimension::Client, Dimension::Client, Dimension::Template]),
        filters in filters_strategy(),
        split_count in 0..4usize,
    ) {
        let mut builder = usage_core::StoreBuilder::new();
        for r in &records {
            builder.push_record(r).unwrap();
        }
        // Each point is an amount of one of two measures, by a client the records may not have.
        for (r, amount, second) in &points {
            let client = builder.client(&r.client_id, &r.client_name);
            let (system_name, unit) = if *second { ("cpu_hours", "hours") } else { ("data_transfer", "MB") };
            builder.push_measure(system_name, "", unit, &[usage_core::store::MeasurePoint { timestamp: r.timestamp, bucket: r.bucket, client, amount: *amount }]).unwrap();
        }
        let store = builder.finish();
        let filter = RecordFilter::new(&store, &filters);
        let keys: Vec<u32> = (0..store.client_count() as u32).take(split_count).collect();
        let keys = if dimension == Dimension::Client { keys } else { vec![0; split_count.min(store.templates().len())] };
        let got = store.metric_series(span.into(), granularity, &Offsets::utc(), &filter, Some((dimension, &keys)), &Metric::Measure("data_transfer".into()));
        prop_assert_eq!(&got.starts, &store.series(span, granularity, &filter, None).starts);
        // A measure the data does not have has no values either.
        let measured = points.iter().any(|(_, _, second)| !second);
        let per_client = measured && filters.iter().all(|f| f.dimension == Dimension::Client) && (keys.is_empty() || dimension == Dimension::Client);
        let mut expected = vec![vec![0u64; got.starts.len()]; keys.len() + 1];
        for (r, amount, _) in points.iter().filter(|(r, _, second)| !second && in_span(r, span)) {
            if !filters.iter().filter(|f| f.dimension == Dimension::Client).all(|_| filters.iter().any(|f| f.dimension == Dimension::Client && f.key == r.client_id)) {
                continue;
            }
            let b = got.starts.iter().position(|&s| s == naive_bucket_ts(r.timestamp, granularity)).expect("bucket exists");
            expected[0][b] += amount;
            if let Some(k) = keys.iter().position(|&key| store.client_id(key) == r.client_id) {
                expected[k + 1][b] += amount;
            }
        }
        let expected: Vec<Vec<Option<u64>>> = expected.into_iter().map(|row| row.into_iter().map(|v| per_client.then_some(v)).collect()).collect();
        prop_assert_eq!(&got.total, &expected[0]);
        for (k, (_, values)) in got.series.iter().enumerate() {
            prop_assert_eq!(values, &expected[k + 1], "series {}", k);
        }
    }

    // Guards the pair breakdowns the views need (client × template, …) through any filters.
    #[test]
    fn pairs_match_reference(
        records in prop::collection::vec(record_strategy(), 0..100),
        span in span_strategy(),
        first in prop::sample::select(Dimension::ALL.to_vec()),
        second in prop::sample::select(Dimension::ALL.to_vec()),
        filters in filters_strategy(),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let mut expected: BTreeMap<(String, String), StatusCounts> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters)) {
            expected.entry((naive_key(r, first), naive_key(r, second))).or_default().add_code(r.status, r.requests);
        }
        let got: BTreeMap<(String, String), StatusCounts> = store
            .pairs(span, first, second, &RecordFilter::new(&store, &filters))
            .into_iter()
            .map(|p| ((store.key_text(first, p.first), store.key_text(second, p.second)), p.counts))
            .collect();
        prop_assert_eq!(&got, &expected);

        // The methods of each URL template, as the URLs table lists them.
        let mut methods: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span) && naive_passes(r, &filters)) {
            methods.entry(r.template.clone()).or_default().insert(r.method.clone());
        }
        let listed = store.template_methods(span, &RecordFilter::new(&store, &filters));
        for (id, text) in listed.iter().enumerate() {
            let template = store.key_text(Dimension::Template, id as u32);
            let want = methods.get(&template).map(|m| m.iter().cloned().collect::<Vec<_>>().join(", ")).unwrap_or_default();
            prop_assert_eq!(text, &want, "{}", template);
        }
    }
}

/// `records` as a server that counted them answers one grouping: per bucket start and width,
/// and per value of the grouping's dimensions only (the rest left empty), requests summed.
fn naive_grouped(records: &[UsageRecord], grouping: Grouping) -> Vec<UsageRecord> {
    let mut sums: BTreeMap<(i64, u8, [String; 6], u16), u64> = BTreeMap::new();
    for r in records {
        let keep = |d: Dimension, value: &str| {
            if grouping.has(d) {
                value.to_owned()
            } else {
                String::new()
            }
        };
        let values = [
            keep(Dimension::Client, &r.client_id),
            keep(Dimension::Template, &r.template),
            keep(Dimension::Method, &r.method),
            keep(Dimension::Module, &r.module),
            keep(Dimension::User, &r.user),
            keep(Dimension::Ip, &r.ip),
        ];
        let status = if grouping.has(Dimension::Status) { r.status } else { 0 };
        let width = BucketWidth::ALL.iter().position(|&w| w == r.bucket).unwrap() as u8;
        *sums.entry((r.timestamp, width, values, status)).or_default() += r.requests;
    }
    // Newest first: the store puts each part in time order itself.
    sums.into_iter()
        .rev()
        .map(
            |((timestamp, width, [client_id, template, method, module, user, ip], status), requests)| {
                // A client's name goes with its id, as `any(client_name)` gives it.
                let client_name = records
                    .iter()
                    .find(|r| r.client_id == client_id)
                    .map_or_else(String::new, |r| r.client_name.clone());
                UsageRecord {
                    timestamp,
                    bucket: BucketWidth::ALL[width as usize],
                    client_id,
                    client_name,
                    method,
                    template,
                    status,
                    requests,
                    module,
                    user,
                    ip,
                    bytes: None,
                    latency_us: None,
                }
            },
        )
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    // Guards data fetched in parts (ClickHouse's, one query per widget): a store of the same
    // requests grouped several ways answers each query from a part that keeps apart what the
    // query reads, and so counts exactly what the store of the records themselves counts, for
    // every breakdown, chart line, pair and list of methods any part can answer, through any
    // filters; and it survives the worker's hand-over.
    #[test]
    fn parts_answer_as_the_records_do(
        records in prop::collection::vec(record_strategy(), 0..120),
        masks in prop::collection::vec(0u8..=255, 1..4),
        span in span_strategy(),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
        second in prop::sample::select(Dimension::ALL.to_vec()),
        filters in filters_strategy(),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let groupings: Vec<Grouping> = masks.iter().map(|&m| Grouping::from_bits(m & Grouping::ALL.bits()).unwrap().with(Dimension::Status)).collect();
        let mut builder = usage_core::StoreBuilder::new();
        for &grouping in &groupings {
            builder.begin_part(grouping);
            for r in naive_grouped(&records, grouping) {
                builder.push_record(&r).unwrap();
            }
        }
        let parted = builder.finish();
        prop_assert_eq!(parted.parts().len(), groupings.len());
        let (header, columns) = parted.clone().into_parts();
        let mut assembler = usage_core::parts::Assembler::new(header).unwrap();
        for column in columns {
            assembler.add(column).unwrap();
        }
        let handed = assembler.finish().unwrap();
        let filtered: Grouping = filters.iter().map(|f| f.dimension).collect();
        let answers = |needs: Grouping| groupings.iter().any(|g| g.covers(needs.and(filtered).with(Dimension::Status)));
        for s in [&parted, &handed] {
            let (mine, theirs) = (RecordFilter::new(&store, &filters), RecordFilter::new(s, &filters));
            if answers(Grouping::NONE) {
                prop_assert_eq!(s.totals(span, &theirs), store.totals(span, &mine));
                let series = |s: &UsageStore, f: &RecordFilter| s.series(span, Granularity::Hour, f, None).total;
                prop_assert_eq!(series(s, &theirs), series(&store, &mine));
            }
            if answers(Grouping::of(&[dimension])) {
                let rows = |s: &UsageStore, f: &RecordFilter| -> BTreeMap<String, StatusCounts> { rows_by_key(s, dimension, &s.breakdown(span, dimension, f, false).rows).into_iter().collect() };
                prop_assert_eq!(rows(s, &theirs), rows(&store, &mine), "{:?}", dimension);
                // The top 3 values' lines, each found by its text.
                let top: Vec<String> = store.breakdown(span, dimension, &mine, false).rows.iter().take(3).map(|r| store.key_text(dimension, r.key)).collect();
                let lines = |s: &UsageStore, f: &RecordFilter| {
                    let keys: Vec<u32> = top.iter().map(|t| s.find_key(dimension, t).unwrap()).collect();
                    s.series(span, Granularity::Day, f, Some((dimension, &keys))).series.into_iter().map(|(_, v)| v).collect::<Vec<_>>()
                };
                prop_assert_eq!(lines(s, &theirs), lines(&store, &mine));
            }
            if answers(Grouping::of(&[dimension, second])) {
                let pairs = |s: &UsageStore, f: &RecordFilter| -> BTreeMap<(String, String), StatusCounts> {
                    s.pairs(span, dimension, second, f).into_iter().map(|p| ((s.key_text(dimension, p.first), s.key_text(second, p.second)), p.counts)).collect()
                };
                prop_assert_eq!(pairs(s, &theirs), pairs(&store, &mine));
            }
            if answers(Grouping::of(&[Dimension::Template, Dimension::Method])) {
                let methods = |s: &UsageStore, f: &RecordFilter| -> BTreeMap<String, String> {
                    s.template_methods(span, f).into_iter().enumerate().filter(|(_, m)| !m.is_empty()).map(|(t, m)| (s.key_text(Dimension::Template, t as u32), m)).collect()
                };
                prop_assert_eq!(methods(s, &theirs), methods(&store, &mine));
            }
        }
    }
}

// Guards the edge the property tests cannot reach by chance: an empty store answers every query with nothing.
#[test]
fn empty_store_answers_with_nothing() {
    let store = UsageStore::from_records(&[]).unwrap();
    let span = DaySpan { start: 0, end: 3 };
    for dimension in Dimension::ALL {
        assert!(
            store
                .breakdown(span, dimension, &RecordFilter::all(), true)
                .rows
                .is_empty()
        );
    }
    let series = store.series(span, Granularity::Day, &RecordFilter::all(), None);
    assert_eq!(series.starts.len(), 3);
    assert_eq!(series.total, [0, 0, 0]);
    assert_eq!(store.day_span(), None);
}
