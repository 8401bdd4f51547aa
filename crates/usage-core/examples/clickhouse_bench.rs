//! Issue 13's benchmark: `rows` generated inside ClickHouse (`INSERT … SELECT … FROM numbers`),
//! with the hourly and 10-minute rollups fed by their materialized views, then each view's
//! queries as the dashboard sends them (`DESCRIBE TABLE` of the table and of its rollups at once,
//! then a usage query per widget grouping and the latency queries, all at once), timed over
//! `runs` runs on the raw table and on the rollups the dashboard picks: p50 and p95, after one
//! untimed run; and the time to read the last answers natively.
//!
//!     bash scripts/clickhouse.sh start
//!     cargo run --release -p usage-core --example clickhouse_bench -- http://127.0.0.1:18123 100000000 20 5
//!
//! (100M rows, 20 runs a view on the rollup, 5 on the raw table.)
//!     bash scripts/clickhouse.sh stop
//!
//! The traffic is shaped as an API's is: 100 client applications, a few of which make most calls
//! (drawn as the cube of a uniform number), each calling 4 of 60 URL templates, whose method and
//! module follow from the template; most answers are 200; IPs and users are spread wide.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use usage_core::clickhouse::{Name, Table, query_url, rollup_sql};
use usage_core::query::{Dimension, Filter, Granularity};
use usage_core::zone::Window;

/// The answer to `sql` POSTed to `url` (a full query URL, or the server's base): status and body.
fn post(url: &str, sql: &str) -> Result<Vec<u8>, String> {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).map_err(|e| format!("{host}: {e}"))?;
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        sql.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(sql.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP head")?;
    let ok = answer.starts_with(b"HTTP/1.0 200") || answer.starts_with(b"HTTP/1.1 200");
    let body = answer[split + 4..].to_vec();
    if ok {
        Ok(body)
    } else {
        Err(String::from_utf8_lossy(&body).into_owned())
    }
}

fn run(base: &str, sql: &str) {
    if let Err(e) = post(base, sql) {
        panic!("{e}\n{sql}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:18123".to_owned());
    let rows: u64 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(100_000_000);
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let raw_runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(runs);
    // Only the views whose label contains this, if given ("explore by IP").
    let only = args.get(5).cloned().unwrap_or_default();
    let database = Name::parse("callboard_bench").unwrap();
    // 60 days ending 2026-11-29 00:00 UTC.
    let end: i64 = 1_795_910_400;
    let start = end - 60 * 86_400;
    let count = |table: &str| {
        post(
            &base,
            &format!("SELECT count() FROM callboard_bench.{table} FORMAT TSV"),
        )
        .map(|b| String::from_utf8_lossy(&b).trim().parse::<u64>().unwrap_or(0))
        .unwrap_or(0)
    };
    if count("usage") != rows {
        run(&base, "CREATE DATABASE IF NOT EXISTS callboard_bench");
        for table in ["usage_1h_mv", "usage_1h", "usage_10m_mv", "usage_10m", "usage"] {
            run(&base, &format!("DROP TABLE IF EXISTS callboard_bench.{table}"));
        }
        run(
            &base,
            "CREATE TABLE callboard_bench.usage (timestamp DateTime, client_id String, client_name String, method String, template String, status UInt16, ip String, user String, module String, bytes UInt64, latency_ms Float64, requests UInt64) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, client_id, template)",
        );
        for (rollup, width) in [("usage_10m", 600), ("usage_1h", 3_600)] {
            for ddl in rollup_sql(
                &database,
                &Name::parse("usage").unwrap(),
                &Name::parse(rollup).unwrap(),
                width,
            ) {
                run(&base, &ddl);
            }
        }
        let started = Instant::now();
        // In parts of 10M, so no one insert holds the server's memory for long.
        let part = 10_000_000u64;
        let mut from = 0;
        while from < rows {
            let n = part.min(rows - from);
            let sql = format!(
                "INSERT INTO callboard_bench.usage SELECT timestamp, client_id, client_name, method, template, status, ip, user, module, bytes, latency_ms, requests FROM (\
                 SELECT toDateTime({start} + intDiv((number + {from}) * {span}, {rows})) AS timestamp, \
                 toUInt32(pow(rand(1) / 4294967296, 3) * 100) AS c, (c * 7 + rand(3) % 4) % 60 AS t, \
                 concat('client-', toString(c)) AS client_id, concat('Client ', toString(c)) AS client_name, \
                 arrayElement(['GET', 'GET', 'POST', 'PUT', 'DELETE'], t % 5 + 1) AS method, concat('/api/v1/r', toString(t), '/{{id}}') AS template, \
                 arrayElement([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 404, 429, 500], (rand(4) % 14) + 1) AS status, \
                 concat('10.', toString(rand(5) % 256), '.', toString(rand(6) % 256), '.', toString(rand(7) % 256)) AS ip, \
                 concat('user', toString(rand(8) % 5000)) AS user, arrayElement(['users', 'orders', 'search', 'billing'], t % 4 + 1) AS module, \
                 rand(10) % 20000 AS bytes, (rand(11) % 500000) / 1000 AS latency_ms, 1 AS requests FROM numbers({n}))",
                span = end - start
            );
            run(&base, &sql);
            from += n;
            eprintln!(
                "inserted {from} of {rows} rows ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
        run(&base, "OPTIMIZE TABLE callboard_bench.usage_10m FINAL");
        run(&base, "OPTIMIZE TABLE callboard_bench.usage_1h FINAL");
        eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
    }
    // A table generated before the hourly rollup existed gets it from the 10-minute one.
    if count("usage_1h") == 0 {
        run(&base, "DROP TABLE IF EXISTS callboard_bench.usage_1h_mv");
        run(&base, "DROP TABLE IF EXISTS callboard_bench.usage_1h");
        for ddl in rollup_sql(
            &database,
            &Name::parse("usage").unwrap(),
            &Name::parse("usage_1h").unwrap(),
            3_600,
        ) {
            run(&base, &ddl);
        }
        run(
            &base,
            "INSERT INTO callboard_bench.usage_1h SELECT toDateTime(intDiv(toUInt32(bucket), 3600) * 3600) AS b, client_id, client_name, method, template, status, module, sum(requests), sum(bytes) \
             FROM callboard_bench.usage_10m GROUP BY b, client_id, client_name, method, template, status, module",
        );
        run(&base, "OPTIMIZE TABLE callboard_bench.usage_1h FINAL");
    }
    println!(
        "{} rows in usage, {} in usage_10m, {} in usage_1h",
        count("usage"),
        count("usage_10m"),
        count("usage_1h")
    );

    let url = query_url(&base, &database, 60, 10_000_000, None, false);
    let describe = |name: &str| {
        post(
            &url,
            &format!("DESCRIBE TABLE callboard_bench.{name} FORMAT JSONCompact"),
        )
        .expect("describe")
    };
    let raw = Table::from_describe(database.clone(), Name::parse("usage").unwrap(), &describe("usage")).expect("raw");
    let rollups = ["usage_1h", "usage_10m"].map(|name| {
        Table::from_describe(database.clone(), Name::parse(name).unwrap(), &describe(name)).expect("rollup")
    });
    let days = |n: i64| Window {
        start: end - n * 86_400,
        end,
    };
    let client = vec![Filter {
        dimension: Dimension::Client,
        key: "client-3".into(),
    }];
    // Each view as the dashboard asks for it (`src/state/live.rs`): the UTC days its own
    // days touch, in buckets of its range's natural granularity (hours up to 2 days, else days)
    // on its zone's clock, its dimensions, its filters. A comparison with the period just before
    // touches the range, so it is one query over both.
    let new_york = Window {
        start: end - 8 * 86_400,
        end: end + 86_400,
    };
    use usage_core::view::View;
    // (label, the UTC days asked for, buckets, zone, filters, the view and its `by`, whether
    // the chart shows p95)
    type Case<'a> = (
        &'a str,
        Window,
        Granularity,
        &'a str,
        Vec<Filter>,
        View,
        Dimension,
        bool,
    );
    let views: Vec<Case> = vec![
        (
            "Today view: the last 24 hours, 10-minute buckets",
            days(1),
            Granularity::TenMinutes,
            "UTC",
            vec![],
            View::Today,
            Dimension::Client,
            false,
        ),
        (
            "overview, yesterday, hours",
            days(1),
            Granularity::Hour,
            "UTC",
            vec![],
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "overview, last 7 days, days",
            days(7),
            Granularity::Day,
            "UTC",
            vec![],
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "overview, last 7 days in New York, New York's days",
            new_york,
            Granularity::Day,
            "America/New_York",
            vec![],
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "overview, last 30 days, days",
            days(30),
            Granularity::Day,
            "UTC",
            vec![],
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "overview, last 30 days compared with the 30 before",
            days(60),
            Granularity::Day,
            "UTC",
            vec![],
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "one client, last 30 days, days",
            days(30),
            Granularity::Day,
            "UTC",
            client,
            View::Overview,
            Dimension::Client,
            false,
        ),
        (
            "overview, last 7 days, p95 chart by client",
            days(7),
            Granularity::Day,
            "UTC",
            vec![],
            View::Overview,
            Dimension::Client,
            true,
        ),
        (
            "URLs, yesterday, hours, p50/p95/p99 by URL",
            days(1),
            Granularity::Hour,
            "UTC",
            vec![],
            View::Urls,
            Dimension::Client,
            false,
        ),
        (
            "URLs, last 7 days, p50/p95/p99 by URL and the p95 chart",
            days(7),
            Granularity::Day,
            "UTC",
            vec![],
            View::Urls,
            Dimension::Client,
            true,
        ),
        (
            "URLs, last 30 days, p50/p95/p99 by URL",
            days(30),
            Granularity::Day,
            "UTC",
            vec![],
            View::Urls,
            Dimension::Client,
            false,
        ),
        (
            "explore by module, last 7 days, days",
            days(7),
            Granularity::Day,
            "UTC",
            vec![],
            View::Explore,
            Dimension::Module,
            false,
        ),
        (
            "explore by IP, yesterday, hours",
            days(1),
            Granularity::Hour,
            "UTC",
            vec![],
            View::Explore,
            Dimension::Ip,
            false,
        ),
        (
            "explore by IP, last 7 days, days",
            days(7),
            Granularity::Day,
            "UTC",
            vec![],
            View::Explore,
            Dimension::Ip,
            false,
        ),
        (
            "explore by IP, last 30 days, days",
            days(30),
            Granularity::Day,
            "UTC",
            vec![],
            View::Explore,
            Dimension::Ip,
            false,
        ),
        (
            "explore by user, yesterday, hours",
            days(1),
            Granularity::Hour,
            "UTC",
            vec![],
            View::Explore,
            Dimension::User,
            false,
        ),
    ];
    let views: Vec<Case> = views.into_iter().filter(|v| v.0.contains(only.as_str())).collect();
    println!(
        "| view | table | runs | answer rows | p50 | p95 | counts shown, p50 / p95 | of which latency queries, p50 | reading the answer |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, window, granularity, zone, filters, view, by, p95_chart) in &views {
        // The latencies the view shows, from the raw table, as the latencies' worker asks for
        // them at the same time as the usage query: the table's percentiles, and the chart's p95
        // when it shows it.
        let (table, charted) = usage_core::widgets::latency_widgets(*view, *by);
        let ask = usage_core::clickhouse::LatencyAsk {
            window: *window,
            before: None,
            table,
            chart: p95_chart.then_some((charted, *granularity)),
        };
        let latency_sql: Vec<String> = ask
            .parts(&raw)
            .iter()
            .map(|part| part.sql(&raw, zone, filters, ask.listing()))
            .collect();
        let after_counts = ask.after_counts(filters);
        // One usage query per widget grouping, on the raw table, and on the tables the
        // dashboard picks when any is a rollup.
        let groupings = usage_core::widgets::view_groupings(*view, *by);
        let offsets = match *zone {
            "America/New_York" => {
                usage_core::zone::Offsets::from_changes(vec![(0, -4 * 3_600), (1_793_512_800, -5 * 3_600)])
            }
            _ => usage_core::zone::Offsets::utc(),
        };
        // IPs and users as the dashboard lists them: the thousand with most requests, one by one.
        let listing = ask.listing();
        let picked = usage_core::clickhouse::usage_queries(
            &raw,
            &rollups,
            &groupings,
            &[*window],
            *granularity,
            zone,
            filters,
            &offsets,
            listing,
        );
        let on_raw = usage_core::clickhouse::usage_queries(
            &raw,
            &[],
            &groupings,
            &[*window],
            *granularity,
            zone,
            filters,
            &offsets,
            listing,
        );
        let sets = if picked.iter().any(|q| q.table.is_rollup()) {
            vec![on_raw, picked]
        } else {
            vec![on_raw]
        };
        for queries in sets {
            let names = usage_core::clickhouse::answered_by(&queries);
            let on_rollup = queries.iter().any(|q| q.table.is_rollup());
            // The raw table takes seconds a query at 100M rows: fewer runs there.
            let runs = if on_rollup { runs } else { runs.min(raw_runs) };
            let mut times = Vec::with_capacity(runs);
            let mut latency_times = Vec::with_capacity(runs);
            let mut count_times = Vec::with_capacity(runs);
            let (mut answer_rows, mut reading) = (0, 0.0);
            // One run first, not timed: the first reads of a table fill ClickHouse's caches.
            for run in 0..=runs {
                let t = Instant::now();
                // What the worker sends for a view: the three DESCRIBEs at once, then the queries.
                std::thread::scope(|threads| {
                    threads.spawn(|| describe("usage"));
                    threads.spawn(|| describe("usage_1h"));
                    describe("usage_10m");
                });
                // Then every widget's usage query and the latency queries, at once; the set
                // takes as long as the slowest.
                let (bodies, latency, counted) = std::thread::scope(|threads| {
                    let timed = |q: &str| {
                        let t = Instant::now();
                        post(&url, q).unwrap_or_else(|e| panic!("{e}\n{q}"));
                        t.elapsed().as_secs_f64() * 1_000.0
                    };
                    // As the page does: the latencies beside the counts, or once they are in
                    // where both rank a dimension's every value (`LatencyAsk::after_counts`).
                    let send_latency = || {
                        latency_sql
                            .iter()
                            .map(|q| threads.spawn(move || timed(q)))
                            .collect::<Vec<_>>()
                    };
                    let beside = if after_counts { Vec::new() } else { send_latency() };
                    let usage: Vec<_> = queries
                        .iter()
                        .map(|q| threads.spawn(|| post(&url, &q.sql).unwrap_or_else(|e| panic!("{e}\n{}", q.sql))))
                        .collect();
                    let bodies: Vec<Vec<u8>> = usage.into_iter().map(|h| h.join().unwrap_or_default()).collect();
                    // The view shows its counts now: the latencies fill in when they land.
                    let counted = t.elapsed().as_secs_f64() * 1_000.0;
                    let latency = if after_counts { send_latency() } else { beside };
                    (
                        bodies,
                        latency
                            .into_iter()
                            .map(|h| h.join().unwrap_or(f64::NAN))
                            .fold(0.0, f64::max),
                        counted,
                    )
                });
                if run > 0 {
                    times.push(t.elapsed().as_secs_f64() * 1_000.0);
                    latency_times.push(latency);
                    count_times.push(counted);
                }
                let t = Instant::now();
                let store = usage_core::clickhouse::read_parts(
                    &queries,
                    bodies.iter().map(Vec::as_slice),
                    usage_core::model::BucketWidth::Day,
                )
                .expect("the answers");
                answer_rows = store.len();
                reading = t.elapsed().as_secs_f64() * 1_000.0;
            }
            times.sort_by(f64::total_cmp);
            latency_times.sort_by(f64::total_cmp);
            count_times.sort_by(f64::total_cmp);
            let at = |times: &[f64], p: usize| {
                times[((times.len() * p).div_ceil(100)).saturating_sub(1).min(times.len() - 1)]
            };
            let latency = if latency_sql.is_empty() {
                "–".to_owned()
            } else {
                format!("{:.0} ms", at(&latency_times, 50))
            };
            let counts = format!("{:.0} / {:.0} ms", at(&count_times, 50), at(&count_times, 95));
            println!(
                "| {label} | {} ({} queries) | {runs} | {answer_rows} | {:.0} ms | {:.0} ms | {counts} | {latency} | {reading:.0} ms |",
                names.join(" + "),
                queries.len(),
                at(&times, 50),
                at(&times, 95)
            );
        }
    }
}
