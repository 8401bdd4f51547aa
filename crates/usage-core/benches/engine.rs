//! Criterion benchmarks of the engine at 1M per-request records:
//! loading Callboard CSV, the overview's query set, and a re-filter to 7 days.
//!
//! `cargo bench -p usage-core` (figures in docs/benchmarks.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use usage_core::formats::callboard_csv;
use usage_core::query::{DaySpan, Granularity, Scope, total_of};
use usage_core::range::day_number;
use usage_core::{ClientSelection, StoreBuilder, UsageStore};

const ROWS: usize = 1_000_000;

/// A deterministic 1M-row Callboard CSV over 60 days, shaped like ../shared/bench's:
/// 50 clients and 53 endpoints with skewed popularity, rows not in time order.
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
    out.extend_from_slice(b"timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n");
    for _ in 0..ROWS {
        let r = next();
        // Squaring a uniform draw skews towards small indices, like a Zipf popularity.
        let skew = |n: u64, bits: u32| ((((r >> bits) & 0xFFFF) * ((r >> bits) & 0xFFFF)) >> 16) * n >> 16;
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
                "{date}T{:02}:{:02}:{:02}.{:03}Z,cl_{client:08x},\"Client {client}, Inc.\",{},/api/v2/r{endpoint}/{},/api/v2/r{endpoint}/{{id}},{status},192.0.2.{},user{}@example.com,m{},{},{}.{}\n",
                second / 3600, second / 60 % 60, second % 60, r % 1000,
                if endpoint % 3 == 0 { "POST" } else { "GET" }, r % 9973, r % 250, r % 400, endpoint % 7, r % 20_000, r % 900, r % 10
            )
            .as_bytes(),
        );
    }
    out
}

fn load(csv: &[u8]) -> UsageStore {
    let mut builder = StoreBuilder::new();
    callboard_csv::read(csv, &mut builder).expect("readable");
    builder.finish()
}

/// What the overview page computes for a range: table, KPIs, selection, charts.
fn overview(store: &UsageStore, span: DaySpan) -> u64 {
    let ranked = store.client_usage(span, &Scope::all());
    let totals = total_of(&ranked);
    let templates = store.template_usage(span);
    let resolved = ClientSelection::defaults().resolve(store, &ranked);
    let series = store.time_series(span, Granularity::Day, &Scope::all(), &resolved.clients);
    let per_day = store.total_over_time(span, Granularity::Day, &Scope::all());
    totals.total() + templates.len() as u64 + series.starts.len() as u64 + per_day.iter().sum::<u64>()
}

fn benches(c: &mut Criterion) {
    let csv = synthetic_csv();
    let store = load(&csv);
    let first = day_number(chrono::NaiveDate::from_ymd_opt(2026, 9, 24).expect("a date"));
    let all_days = DaySpan { start: first, end: first + 60 };
    let last_week = DaySpan { start: first + 53, end: first + 60 };
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
    group.bench_function("refilter_last_7_days", |b| b.iter(|| overview(black_box(&store), last_week)));
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
