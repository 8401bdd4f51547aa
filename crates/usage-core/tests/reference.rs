//! Property tests: every store query against a naive reference on random data.
//!
//! The reference works on plain `UsageRecord`s with strings and chrono dates,
//! sharing no code with the store's columnar, binary-searched, bucket-walking
//! fast path except the status classification itself.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use usage_core::model::{BucketWidth, UsageRecord};
use usage_core::query::{DaySpan, Dimension, Granularity, Scope, top_n};
use usage_core::range::day_number;
use usage_core::{StatusCounts, UsageStore};

/// Days the generator centres on: a leap day, a year end and an ordinary month end.
const ANCHORS: [(i32, u32, u32); 3] = [(2024, 2, 29), (2025, 12, 31), (2026, 4, 30)];

fn date_of(ts: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(ts, 0).expect("test timestamps are in range").date_naive()
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
        Granularity::TenMinutes => midnight(time.date_naive()) + i64::from(time.format("%H").to_string().parse::<u32>().unwrap()) * 3600 + i64::from(time.format("%M").to_string().parse::<u32>().unwrap() / 10 * 600),
        Granularity::Hour => midnight(time.date_naive()) + i64::from(time.format("%H").to_string().parse::<u32>().unwrap()) * 3600,
        _ => midnight(naive_bucket(ts, g)),
    }
}

fn record_strategy() -> impl Strategy<Value = UsageRecord> {
    (
        0..ANCHORS.len(),
        -3 * 86_400i64..3 * 86_400,
        0..5usize,
        0..4usize,
        prop::sample::select(vec![100u16, 200, 201, 204, 301, 304, 400, 404, 428, 429, 430, 500, 503, 599, 600, 0]),
        prop_oneof![3 => Just(1u64), 1 => 1u64..5_000],
        prop::sample::select(vec![BucketWidth::Request, BucketWidth::TenMinutes, BucketWidth::Hour, BucketWidth::Day]),
        (0..3usize, 0..4usize, 0..3usize),
    )
        .prop_map(|(anchor, offset, client, template, status, requests, bucket, (user, ip, module))| {
            let (y, m, d) = ANCHORS[anchor];
            let midnight = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
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
        })
}

/// The text of a record in `dimension`, as the store labels it.
fn naive_label(r: &UsageRecord, dimension: Dimension) -> String {
    match dimension {
        Dimension::Client => r.client_id.clone(),
        Dimension::Template => r.template.clone(),
        Dimension::Method => r.method.clone(),
        Dimension::Endpoint => format!("{} {}", r.method, r.template),
        Dimension::Status => r.status.to_string(),
        Dimension::Module => r.module.clone(),
        Dimension::User => r.user.clone(),
        Dimension::Ip => r.ip.clone(),
    }
}

fn span_strategy() -> impl Strategy<Value = DaySpan> {
    (0..ANCHORS.len(), -6i64..6, 0i64..8).prop_map(|(anchor, start, len)| {
        let (y, m, d) = ANCHORS[anchor];
        let centre = day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        DaySpan { start: centre + start, end: centre + start + len }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    // Guards client_usage: per-client class counts, ranking and ties, for any span and template scope,
    // including empty data, single records, spans outside the data and weighted rows.
    #[test]
    fn client_usage_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..120),
        span in span_strategy(),
        scoped in prop::option::of(prop::collection::btree_set(0..4usize, 0..4)),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let scope = match &scoped {
            None => Scope::all(),
            Some(set) => {
                let ids: Vec<u32> = set.iter().filter_map(|t| store.template_by_name(&format!("/t/{t}"))).collect();
                Scope::templates(&store, &ids)
            }
        };
        let mut expected: BTreeMap<String, StatusCounts> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span)) {
            let t: usize = r.template[3..].parse().unwrap();
            if scoped.as_ref().is_some_and(|set| !set.contains(&t)) { continue; }
            expected.entry(r.client_id.clone()).or_default().add_code(r.status, r.requests);
        }
        let mut expected: Vec<(String, StatusCounts)> = expected.into_iter().filter(|(_, c)| c.total() > 0).collect();
        let name = |id: &str| records.iter().find(|r| r.client_id == id).map(|r| r.client_name.clone()).unwrap();
        expected.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| (name(&a.0), &a.0).cmp(&(name(&b.0), &b.0))));

        let got: Vec<(String, StatusCounts)> = store
            .client_usage(span, &scope)
            .into_iter()
            .map(|u| (store.client_id(u.client).to_owned(), u.counts))
            .collect();
        prop_assert_eq!(&got, &expected);

        // top 5 + Other covers everything exactly once.
        let ranked = store.client_usage(span, &scope);
        let top = top_n(&ranked, 5);
        let sum: u64 = top.top.iter().map(|u| u.counts.total()).sum::<u64>() + top.other.total();
        prop_assert_eq!(sum, expected.iter().map(|(_, c)| c.total()).sum::<u64>());
    }

    // Guards template_usage totals and order for any span.
    #[test]
    fn template_usage_matches_reference(records in prop::collection::vec(record_strategy(), 0..120), span in span_strategy()) {
        let store = UsageStore::from_records(&records).unwrap();
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span)) {
            *expected.entry(r.template.clone()).or_default() += r.requests;
        }
        let mut expected: Vec<(String, u64)> = expected.into_iter().collect();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let got: Vec<(String, u64)> = store.template_usage(span).into_iter().map(|(t, n)| (store.templates().get(t).to_owned(), n)).collect();
        prop_assert_eq!(got, expected);
    }

    // Guards time_series at every granularity: bucket starts (ISO weeks, months across
    // leap days and year ends) and per-client sums, for records walked in time order.
    #[test]
    fn time_series_matches_reference(
        records in prop::collection::vec(record_strategy(), 0..120),
        span in span_strategy(),
        granularity in prop::sample::select(vec![Granularity::TenMinutes, Granularity::Hour, Granularity::Day, Granularity::Week, Granularity::Month]),
        chosen in prop::collection::btree_set(0..5usize, 0..5),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let clients: Vec<u32> = chosen.iter().filter_map(|c| store.client_by_id(&format!("client-{c}"))).collect();
        let series = store.time_series(span, granularity, &Scope::all(), &clients);

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

        // The total over time is the per-bucket sum of every record in the span.
        let total = store.total_over_time(span, granularity, &Scope::all());
        let mut expected_total = vec![0u64; series.starts.len()];
        for r in records.iter().filter(|r| in_span(r, span)) {
            let start = naive_bucket_ts(r.timestamp, granularity);
            expected_total[series.starts.iter().position(|&s| s == start).expect("bucket exists")] += r.requests;
        }
        prop_assert_eq!(total, expected_total);

        for (client, values) in &series.series {
            let id = store.client_id(*client);
            let mut expected = vec![0u64; series.starts.len()];
            for r in records.iter().filter(|r| &r.client_id == id && in_span(r, span)) {
                let start = naive_bucket_ts(r.timestamp, granularity);
                let index = series.starts.iter().position(|&s| s == start).expect("bucket exists");
                expected[index] += r.requests;
            }
            prop_assert_eq!(values, &expected);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    // Guards group_by on every dimension (per-class counts for each value) and distinct counts,
    // where the unknown user, IP or module is not a value of its own.
    #[test]
    fn group_by_and_distinct_match_reference(
        records in prop::collection::vec(record_strategy(), 0..100),
        span in span_strategy(),
        dimension in prop::sample::select(Dimension::ALL.to_vec()),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let mut expected: BTreeMap<String, StatusCounts> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span)) {
            expected.entry(naive_label(r, dimension)).or_default().add_code(r.status, r.requests);
        }
        let label = |key: u32| match dimension {
            // Clients are keyed by id in the reference, labelled by display name in the store.
            Dimension::Client => store.client_id(key).to_owned(),
            _ => store.label(dimension, key),
        };
        let got: BTreeMap<String, StatusCounts> = store.group_by(span, dimension, &Scope::all()).into_iter().map(|g| (label(g.key), g.counts)).collect();
        prop_assert_eq!(&got, &expected);

        let groups = store.group_by(span, dimension, &Scope::all());
        prop_assert!(groups.windows(2).all(|w| w[0].counts.total() >= w[1].counts.total()), "ranked by requests");

        let unknown_excluded = matches!(dimension, Dimension::User | Dimension::Ip | Dimension::Module);
        let distinct = expected.keys().filter(|k| !(unknown_excluded && k.is_empty())).count();
        prop_assert_eq!(store.distinct(span, dimension, &Scope::all()), distinct);
    }

    // Guards the pair breakdowns the UI needs (client × template, template × status, client × module…).
    #[test]
    fn pairs_match_reference(
        records in prop::collection::vec(record_strategy(), 0..100),
        span in span_strategy(),
        first in prop::sample::select(Dimension::ALL.to_vec()),
        second in prop::sample::select(Dimension::ALL.to_vec()),
    ) {
        let store = UsageStore::from_records(&records).unwrap();
        let mut expected: BTreeMap<(String, String), StatusCounts> = BTreeMap::new();
        for r in records.iter().filter(|r| in_span(r, span)) {
            expected.entry((naive_label(r, first), naive_label(r, second))).or_default().add_code(r.status, r.requests);
        }
        let label = |dimension: Dimension, key: u32| match dimension {
            Dimension::Client => store.client_id(key).to_owned(),
            _ => store.label(dimension, key),
        };
        let got: BTreeMap<(String, String), StatusCounts> = store
            .group_by_pair(span, first, second, &Scope::all())
            .into_iter()
            .map(|p| ((label(first, p.first), label(second, p.second)), p.counts))
            .collect();
        prop_assert_eq!(got, expected);
    }
}

// Guards the edge the property test cannot reach by chance: an empty store answers every query with nothing.
#[test]
fn empty_store_answers_with_nothing() {
    let store = UsageStore::from_records(&[]).unwrap();
    let span = DaySpan { start: 0, end: 3 };
    assert!(store.client_usage(span, &Scope::all()).is_empty());
    assert!(store.template_usage(span).is_empty());
    let series = store.time_series(span, Granularity::Day, &Scope::all(), &[]);
    assert_eq!(series.starts.len(), 3);
    assert!(series.series.is_empty());
    assert_eq!(store.day_span(), None);
}
