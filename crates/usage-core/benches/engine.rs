//! Criterion benchmarks of the engine at 1M per-request records:
//! loading Callboard CSV, the overview's query set, a re-filter to 7 days, and the
//! breakdowns of issue 9: every IP (100k distinct), one client's IPs after a drill-down, and
//! re-sorting the 100k-row IP table (two sorts per iteration); and issue 12's zoned hourly series
//! and the spike rule over the top 50 clients.
//!
//! `cargo bench -p usage-core` (figures in docs/benchmarks.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use usage_core::formats::callboard_csv;
use usage_core::query::{DaySpan, Dimension, Filter, Granularity, RecordFilter};
use usage_core::range::day_number;
use usage_core::{ClientSelection, StoreBuilder, UsageStore};

const ROWS: usize = 1_000_000;

/// A deterministic 1M-row Callboard CSV over 60 days, shaped like ../shared/bench's:
/// 50 clients and 53 endpoints with skewed popularity, 100,000 distinct IPs, rows not in time order.
fn synthetic_csv() -> Vec<u8> {
    let mut state = 0x2026_1122u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let first_day = day_number(chrono::NaiveDate::from_ymd_opt(2026, 9, 24).expect("a date"));
    let mut out = Vec::with_capacity(ROWS * 180);
    out.extend_from_slice(
        b"timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n",
    );
    for _ in 0..ROWS {
        let r = next();
        // Squaring a uniform draw skews towards small indices, like a Zipf popularity.
        let skew = |n: u64, bits: u32| (((((r >> bits) & 0xFFFF) * ((r >> bits) & 0xFFFF)) >> 16) * n) >> 16;
        let client = skew(50, 0);
        let endpoint = skew(53, 16);
        let day = first_day + (r >> 32) as i64 % 60;
        let second = (r >> 40) % 86_400;
        let status = match (r >> 20) % 1000 {
            0..=899 => 200,
            900..=929 => 304,
            930..=974 => 404,
            975..=989 => 429,
            _ => 503,
        };
        let date = usage_core::range::date_of_day(day);
        out.extend_from_slice(
            format!(
                "{date}T{:02}:{:02}:{:02}.{:03}Z,cl_{client:08x},\"Client {client}, Inc.\",{},/api/v2/r{endpoint}/{},/api/v2/r{endpoint}/{{id}},{status},10.{}.{}.{},user{}@example.com,m{},{},{}.{}\n",
                second / 3600, second / 60 % 60, second % 60, r % 1000,
                if endpoint % 3 == 0 { "POST" } else { "GET" }, r % 9973, (r >> 8) % 100_000 / 65_536, (r >> 8) % 100_000 / 256 % 256, (r >> 8) % 256, r % 400, endpoint % 7, r % 20_000, r % 900, r % 10
            )
            .as_bytes(),
        );
    }
    out
}

/// 1M rows, each from a client of its own (issue 14's "a million clients"), over 30 days.
fn million_clients_csv() -> Vec<u8> {
    let first_day = day_number(chrono::NaiveDate::from_ymd_opt(2026, 10, 24).expect("a date"));
    let mut out = Vec::with_capacity(ROWS * 80);
    out.extend_from_slice(b"timestamp,client_id,client_name,method,url,template,status\n");
    for i in 0..ROWS as i64 {
        let date = usage_core::range::date_of_day(first_day + i % 30);
        let status = if i % 10 == 0 { 503 } else { 200 };
        out.extend_from_slice(
            format!("{date}T00:00:00Z,c{i:07},Client {i},GET,/api/a/{i},/api/a/{{id}},{status}\n").as_bytes(),
        );
    }
    out
}

fn load(csv: &[u8]) -> UsageStore {
    let mut builder = StoreBuilder::new();
    callboard_csv::read(csv, &mut builder).expect("readable");
    builder.finish()
}

/// What the overview page computes for a range: KPIs, the clients table, selection, charts.
fn overview(store: &UsageStore, span: DaySpan) -> u64 {
    let all = RecordFilter::all();
    let clients = store.breakdown(span, Dimension::Client, &all, false);
    let templates = store.breakdown(span, Dimension::Template, &all, false);
    let resolved = ClientSelection::defaults().resolve(store, &clients.rows);
    let series = store.series(
        span,
        Granularity::Day,
        &all,
        Some((Dimension::Client, &resolved.clients)),
    );
    clients.total.total() + templates.rows.len() as u64 + series.starts.len() as u64 + series.total.iter().sum::<u64>()
}

/// A drill-down: filter to one client, then every IP it called from, ranked.
fn client_ips(store: &UsageStore, span: DaySpan, client: &str) -> usize {
    let filter = RecordFilter::new(
        store,
        &[Filter {
            dimension: Dimension::Client,
            key: client.to_owned(),
        }],
    );
    store.breakdown(span, Dimension::Ip, &filter, false).rows.len()
}

fn benches(c: &mut Criterion) {
    let csv = synthetic_csv();
    let store = load(&csv);
    let first = day_number(chrono::NaiveDate::from_ymd_opt(2026, 9, 24).expect("a date"));
    let all_days = DaySpan {
        start: first,
        end: first + 60,
    };
    let last_week = DaySpan {
        start: first + 53,
        end: first + 60,
    };
    eprintln!(
        "{} rows, {:.1} MiB of CSV, {} records stored, {:.1} bytes per record",
        ROWS,
        csv.len() as f64 / (1 << 20) as f64,
        store.len(),
        store.bytes_per_record()
    );

    let mut group = c.benchmark_group("engine_1m");
    group.sample_size(10);
    group.bench_function("load_csv", |b| b.iter(|| load(black_box(&csv))));
    group.bench_function("overview_60_days", |b| b.iter(|| overview(black_box(&store), all_days)));
    group.bench_function("refilter_last_7_days", |b| {
        b.iter(|| overview(black_box(&store), last_week))
    });
    let ips = store
        .breakdown(all_days, Dimension::Ip, &RecordFilter::all(), false)
        .rows
        .len();
    eprintln!(
        "{ips} distinct IPs; client cl_00000003 called from {}",
        client_ips(&store, all_days, "cl_00000003")
    );
    group.bench_function("breakdown_by_ip_100k", |b| {
        b.iter(|| store.breakdown(black_box(all_days), Dimension::Ip, &RecordFilter::all(), false))
    });
    group.bench_function("filter_client_then_ips", |b| {
        b.iter(|| client_ips(black_box(&store), all_days, "cl_00000003"))
    });
    // Re-sorting the 100k-row IP table by another column (its header clicked), and back.
    let mut rows = store
        .breakdown(all_days, Dimension::Ip, &RecordFilter::all(), false)
        .rows
        .to_vec();
    group.bench_function("resort_100k_ips", |b| {
        b.iter(|| {
            store.sort_rows(black_box(&mut rows), Dimension::Ip, usage_core::SortColumn::Bytes, true);
            store.sort_rows(black_box(&mut rows), Dimension::Ip, usage_core::SortColumn::Name, false);
        })
    });
    // Issue 12: the time chart of the top 5 clients in a zone with a DST change (days of 23 and
    // 25 hours make it binary-search its buckets), by hour over the last week; and the spike
    // rule over the top 50 clients by day (three series each, reaching a week back).
    let top: Vec<u32> = store
        .breakdown(all_days, Dimension::Client, &RecordFilter::all(), false)
        .rows
        .iter()
        .take(50)
        .map(|r| r.key)
        .collect();
    let dst = first * 86_400 + 40 * 86_400 + 7_200;
    let zone = usage_core::zone::Offsets::from_changes(vec![(0, -4 * 3_600), (dst, -5 * 3_600)]);
    let week = usage_core::zone::Window {
        start: (first + 53) * 86_400 + 4 * 3_600,
        end: (first + 60) * 86_400 + 5 * 3_600,
    };
    group.bench_function("series_top5_hourly_zoned", |b| {
        b.iter(|| {
            store.series_in(
                black_box(week),
                Granularity::Hour,
                &zone,
                &RecordFilter::all(),
                Some((Dimension::Client, &top[..5])),
            )
        })
    });
    let all = usage_core::zone::Window::from(all_days);
    group.bench_function("spikes_top50_daily", |b| {
        b.iter(|| {
            store.spikes(
                black_box(all),
                Granularity::Day,
                &usage_core::zone::Offsets::utc(),
                &RecordFilter::all(),
                Dimension::Client,
                &top,
            )
        })
    });
    // The time chart's other metrics over all 60 days by day, top 5 clients: the exact p95 keeps
    // every latency of its bucket (all 1M rows here), the error rate only counts.
    for metric in [usage_core::metric::Metric::ErrorRate, usage_core::metric::Metric::P95] {
        group.bench_function(format!("metric_{}_top5_daily", metric.as_str()), |b| {
            b.iter(|| {
                store.metric_series(
                    black_box(all),
                    Granularity::Day,
                    &usage_core::zone::Offsets::utc(),
                    &RecordFilter::all(),
                    Some((Dimension::Client, &top[..5])),
                    &metric,
                )
            })
        });
    }
    group.finish();

    // A million clients: the clients breakdown is the one per-client step the page takes.
    let store = load(&million_clients_csv());
    let first = day_number(chrono::NaiveDate::from_ymd_opt(2026, 10, 24).expect("a date"));
    let month = DaySpan {
        start: first,
        end: first + 30,
    };
    let mut group = c.benchmark_group("million_clients");
    group.sample_size(10);
    group.bench_function("breakdown_by_client", |b| {
        b.iter(|| store.breakdown(black_box(month), Dimension::Client, &RecordFilter::all(), false))
    });
    group.bench_function("overview", |b| b.iter(|| overview(black_box(&store), month)));
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
