//! The SQL of `usage_core::clickhouse` run on a real two-shard ClickHouse cluster, against the
//! in-browser engine on the same records: every total, breakdown and series must be equal.
//!
//! `bash scripts/clickhouse.sh start` starts the cluster (Debian's ClickHouse 18.16, two servers
//! and a `remote_servers` entry) and `scripts/test.sh` runs this with `CALLBOARD_CLICKHOUSE` set
//! to the first server and `CALLBOARD_CLICKHOUSE_REQUIRED=1`, so it cannot pass without one.
//! The records are split between the shards' local tables and read through a `Distributed`
//! table, so every aggregate is merged across shards.

use std::io::{Read, Write};
use std::net::TcpStream;

use chrono::NaiveDate;
use usage_core::clickhouse::{Name, Table, parse_breakdown, parse_series, parse_totals, quote, rollup_sql, settings};
use usage_core::query::{Dimension, Filter, Granularity, RecordFilter};
use usage_core::range::day_number;
use usage_core::zone::{Offsets, Window};
use usage_core::{StatusCounts, UsageStore};

/// The HTTP interface's answer to `sql` (POSTed, so `readonly` may be set), with `params`.
fn post(base: &str, sql: &str, params: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut stream = TcpStream::connect(host).map_err(|e| format!("{host}: {e}"))?;
    let head = format!(
        "POST /?{} HTTP/1.0\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        query.join("&"),
        sql.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(sql.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP head")?;
    let (head, body) = (
        String::from_utf8_lossy(&answer[..split]).into_owned(),
        answer[split + 4..].to_vec(),
    );
    if head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200") {
        Ok(body)
    } else {
        Err(format!(
            "{}: {}",
            head.lines().next().unwrap_or(""),
            String::from_utf8_lossy(&body)
        ))
    }
}

fn run(base: &str, sql: &str) {
    post(base, sql, &[]).unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

/// A TSV field, escaped as ClickHouse's TabSeparated format reads it.
fn tsv(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n")
}

/// The cluster's two servers (`CALLBOARD_CLICKHOUSE`, `CALLBOARD_CLICKHOUSE_SECOND`); `None`, and
/// the test skips, when they are not set, unless `CALLBOARD_CLICKHOUSE_REQUIRED` is.
fn cluster() -> Option<(String, String)> {
    let Ok(first) = std::env::var("CALLBOARD_CLICKHOUSE") else {
        assert!(
            std::env::var("CALLBOARD_CLICKHOUSE_REQUIRED").is_err(),
            "CALLBOARD_CLICKHOUSE is required but not set"
        );
        eprintln!("skipped: CALLBOARD_CLICKHOUSE is not set (scripts/test.sh starts a cluster and sets it)");
        return None;
    };
    Some((
        first,
        std::env::var("CALLBOARD_CLICKHOUSE_SECOND").expect("the second shard's URL"),
    ))
}

/// A record as a TabSeparated row of the usage table's columns.
fn tsv_row(r: &usage_core::model::UsageRecord) -> String {
    let [id, name, method, template, ip, user, module] = [
        r.client_id.as_str(),
        &r.client_name,
        &r.method,
        &r.template,
        &r.ip,
        &r.user,
        &r.module,
    ]
    .map(tsv);
    let (bytes, latency_ms) = (r.bytes.unwrap_or(0), r.latency_us.unwrap_or(0) as f64 / 1000.0);
    format!(
        "{}\t{id}\t{name}\t{method}\t{template}\t{}\t{ip}\t{user}\t{module}\t{bytes}\t{latency_ms}\t{}\n",
        r.timestamp, r.status, r.requests
    )
}

#[test]
fn sql_matches_the_in_browser_engine_on_a_two_shard_cluster() {
    let Some((first, second)) = cluster() else { return };
    // The demo's last 7 days before 2026-11-05: New York's clocks went back on 1 November.
    let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
    let demo = usage_core::demo::demo_store(today).unwrap();
    let (start, end) = ((day_number(today) - 7) * 86_400, day_number(today) * 86_400);
    let records: Vec<_> = demo.records_between(start, end).collect();
    let store = UsageStore::from_records(&records).unwrap();

    let columns = "timestamp DateTime, client_id String, client_name String, method String, template String, status UInt16, ip String, user String, module String, bytes UInt64, latency_ms Float64, requests UInt64";
    for shard in [&first, &second] {
        run(shard, "CREATE DATABASE IF NOT EXISTS callboard_test");
        run(shard, "DROP TABLE IF EXISTS callboard_test.usage_local");
        run(
            shard,
            &format!(
                "CREATE TABLE callboard_test.usage_local ({columns}) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, client_id, template)"
            ),
        );
        // The 10-minute rollup, filled by a materialized view from every insert below.
        run(shard, "DROP TABLE IF EXISTS callboard_test.usage_10m_local_mv");
        run(shard, "DROP TABLE IF EXISTS callboard_test.usage_10m_local");
        for ddl in rollup_sql(
            &Name::parse("callboard_test").unwrap(),
            &Name::parse("usage_local").unwrap(),
            &Name::parse("usage_10m_local").unwrap(),
            600,
        ) {
            run(shard, &ddl);
        }
    }
    run(&first, "DROP TABLE IF EXISTS callboard_test.usage_10m");
    run(
        &first,
        "CREATE TABLE callboard_test.usage_10m AS callboard_test.usage_10m_local ENGINE = Distributed(callboard, callboard_test, usage_10m_local)",
    );
    run(&first, "DROP TABLE IF EXISTS callboard_test.usage");
    run(
        &first,
        "CREATE TABLE callboard_test.usage AS callboard_test.usage_local ENGINE = Distributed(callboard, callboard_test, usage_local)",
    );
    // Every other record to each shard.
    for (shard, half) in [(&first, 0), (&second, 1)] {
        let mut body = String::from("INSERT INTO callboard_test.usage_local FORMAT TabSeparated\n");
        body.extend(records.iter().skip(half).step_by(2).map(tsv_row));
        run(shard, &body);
    }

    let describe = post(&first, "DESCRIBE TABLE callboard_test.usage FORMAT JSONCompact", &[]).expect("describe");
    let table = Table::from_describe(
        Name::parse("callboard_test").unwrap(),
        Name::parse("usage").unwrap(),
        &describe,
    )
    .expect("a usage table");
    assert!(Dimension::ALL.iter().all(|&d| table.offers(d)));
    let limits = settings(10, 100_000);
    let ask = |sql: String| post(&first, &sql, &limits).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let window = Window { start, end };
    let f = |d: Dimension, k: &str| Filter {
        dimension: d,
        key: k.to_owned(),
    };
    let filter_sets = [
        vec![],
        vec![
            f(Dimension::Client, "7f3a9c21-billing-sync"),
            f(Dimension::Client, "e61f2b7c-zapier"),
        ],
        vec![f(Dimension::Class, "5xx")],
        vec![f(Dimension::Class, "4xx"), f(Dimension::Method, "GET")],
        vec![f(Dimension::Status, "429")],
        vec![f(Dimension::Client, "o'brien\\ \0")],
    ];
    for filters in &filter_sets {
        let filter = RecordFilter::new(&store, filters);
        let totals = parse_totals(&ask(table.totals_sql(window, filters))).expect("totals");
        assert_eq!(totals, store.totals(window, &filter), "totals through {filters:?}");
        for dimension in Dimension::ALL {
            let got =
                parse_breakdown(&ask(table.breakdown_sql(window, dimension, filters, 100_000))).expect("a breakdown");
            let expected: Vec<(String, StatusCounts)> = store
                .breakdown(window, dimension, &filter, false)
                .rows
                .iter()
                .map(|r| (store.key_text(dimension, r.key), r.counts))
                .collect();
            let sorted = |mut v: Vec<(String, StatusCounts)>| {
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            };
            assert_eq!(
                sorted(got.clone()),
                sorted(expected),
                "{dimension:?} through {filters:?}"
            );
            assert!(got.windows(2).all(|w| w[0].1.total() >= w[1].1.total()), "most first");
        }
    }
    // The dashboard's own query: aggregates per UTC bucket and per value of the dimensions a
    // view needs, read as a live answer. The store they make shows the same figures as the
    // in-browser engine's for every dimension it was grouped by, through every filter pushed down.
    for granularity in [Granularity::TenMinutes, Granularity::Hour, Granularity::Day] {
        let width = match granularity {
            Granularity::TenMinutes => usage_core::model::BucketWidth::TenMinutes,
            Granularity::Hour => usage_core::model::BucketWidth::Hour,
            _ => usage_core::model::BucketWidth::Day,
        };
        for filters in &filter_sets {
            let dimensions = table.usage_dimensions(&[
                Dimension::Client,
                Dimension::Template,
                Dimension::Method,
                Dimension::Status,
                Dimension::Ip,
                Dimension::User,
                Dimension::Module,
            ]);
            let mut builder = usage_core::StoreBuilder::new();
            let listing = usage_core::clickhouse::Listing {
                over: window,
                most: usage_core::clickhouse::LISTED,
            };
            let rows = usage_core::clickhouse::read_usage(
                &ask(table.usage_sql(window, granularity, "UTC", filters, &dimensions, listing)),
                width,
                &mut builder,
            )
            .expect("a usage answer");
            let answered = builder.finish();
            assert!(rows <= records.len(), "aggregates, never more rows than records");
            // The filters were applied by the cluster; the dashboard applies them again, as it
            // does to a live answer, and finds the same.
            let (mine, theirs) = (
                RecordFilter::new(&store, filters),
                RecordFilter::new(&answered, filters),
            );
            assert_eq!(
                answered.totals(window, &theirs),
                store.totals(window, &mine),
                "{granularity:?} totals through {filters:?}"
            );
            assert_eq!(
                answered.totals(window, &RecordFilter::all()),
                store.totals(window, &mine),
                "only what the filters let through came back"
            );
            for dimension in Dimension::ALL {
                let of = |s: &UsageStore, f: &RecordFilter| {
                    let mut rows: Vec<(String, StatusCounts)> = s
                        .breakdown(window, dimension, f, false)
                        .rows
                        .iter()
                        .map(|r| (s.key_text(dimension, r.key), r.counts))
                        .collect();
                    rows.sort_by(|a, b| a.0.cmp(&b.0));
                    rows
                };
                assert_eq!(
                    of(&answered, &theirs),
                    of(&store, &mine),
                    "{granularity:?} {dimension:?} through {filters:?}"
                );
            }
            let series =
                |s: &UsageStore, f: &RecordFilter| s.series_in(window, granularity, &Offsets::utc(), f, None).total;
            assert_eq!(
                series(&answered, &theirs),
                series(&store, &mine),
                "{granularity:?} series through {filters:?}"
            );
        }
    }
    // Explore by IP in parts, one per widget grouping (clients, which the KPIs read too; URL
    // templates; IPs): each part counts every request, and each figure comes from a part that
    // keeps it apart. The IPs are listed in part: the two with most requests one by one, the
    // rest together, as the engine ranks and counts them.
    let groupings = usage_core::widgets::view_groupings(usage_core::view::View::Explore, Dimension::Ip);
    let listing = usage_core::clickhouse::Listing { over: window, most: 2 };
    let queries = usage_core::clickhouse::usage_queries(
        &table,
        &[],
        &groupings,
        &[window],
        Granularity::Day,
        "UTC",
        &[],
        &Offsets::utc(),
        listing,
    );
    assert_eq!(queries.len(), 3, "one query per widget grouping");
    assert!(
        queries.iter().all(|q| !q.sql.contains("method")),
        "no widget of Explore by IP shows methods: {queries:?}"
    );
    let answers: Vec<Vec<u8>> = queries.iter().map(|q| ask(q.sql.clone())).collect();
    let parted = usage_core::clickhouse::read_parts(
        &queries,
        answers.iter().map(Vec::as_slice),
        usage_core::model::BucketWidth::Day,
    )
    .expect("the answers");
    assert_eq!(parted.parts().len(), 3);
    for dimension in [
        Dimension::Client,
        Dimension::Template,
        Dimension::Status,
        Dimension::Class,
    ] {
        let of = |s: &UsageStore| {
            let mut rows: Vec<(String, StatusCounts)> = s
                .breakdown(window, dimension, &RecordFilter::all(), false)
                .rows
                .iter()
                .map(|r| (s.key_text(dimension, r.key), r.counts))
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows
        };
        assert_eq!(of(&parted), of(&store), "{dimension:?} from its part");
    }
    let ips = parted.breakdown(window, Dimension::Ip, &RecordFilter::all(), false);
    assert!(
        store
            .breakdown(window, Dimension::Ip, &RecordFilter::all(), false)
            .rows
            .len()
            > 2,
        "more IPs than listed"
    );
    assert_eq!(
        listed(&ips, &parted),
        listed_by_engine(&store, window, Dimension::Ip, &RecordFilter::all(), 2),
        "the two IPs with most requests, and the rest"
    );
    assert_eq!(
        parted.find_key(Dimension::Ip, "Other IP addresses"),
        None,
        "no filter names the rest"
    );
    assert_eq!(
        parted.totals(window, &RecordFilter::all()),
        store.totals(window, &RecordFilter::all())
    );

    // Buckets on three zones' clocks: UTC, +05:45 all year, and New York across its change.
    let new_york = Offsets::from_changes(vec![(0, -4 * 3_600), (1_793_512_800, -5 * 3_600)]);
    for (zone, offsets) in [
        ("UTC", Offsets::utc()),
        ("Asia/Kathmandu", Offsets::fixed(5 * 3_600 + 45 * 60)),
        ("America/New_York", new_york),
    ] {
        let days = Window {
            start: offsets.day_start(usage_core::range::date_of_day(day_number(today) - 6)),
            end: offsets.day_start(today),
        };
        for granularity in [
            Granularity::TenMinutes,
            Granularity::Hour,
            Granularity::Day,
            Granularity::Week,
            Granularity::Month,
        ] {
            for filters in &filter_sets[..3] {
                let got = parse_series(&ask(table.series_sql(days, granularity, zone, filters))).expect("a series");
                let series = store.series_in(days, granularity, &offsets, &RecordFilter::new(&store, filters), None);
                // Weeks and months start before the window: the core's first bucket starts with it.
                let expected: Vec<(i64, u64)> = series
                    .starts
                    .iter()
                    .zip(&series.total)
                    .filter(|(_, n)| **n > 0)
                    .map(|(&s, &n)| (s.max(days.start), n))
                    .collect();
                let got: Vec<(i64, u64)> = got.into_iter().map(|(s, n)| (s.max(days.start), n)).collect();
                assert_eq!(got, expected, "{zone} {granularity:?} through {filters:?}");
            }
        }
    }
    // The rollup answers whatever needs nothing it lacks, with the same figures as the raw table
    // (and the in-browser engine): not +05:45's buckets, not IPs or users, not a window that
    // starts inside a 10-minute bucket.
    let describe = post(
        &first,
        "DESCRIBE TABLE callboard_test.usage_10m FORMAT JSONCompact",
        &[],
    )
    .expect("describe the rollup");
    let rollup = Table::from_describe(
        Name::parse("callboard_test").unwrap(),
        Name::parse("usage_10m").unwrap(),
        &describe,
    )
    .expect("a rollup table");
    assert!(rollup.is_rollup() && !table.is_rollup());
    assert!(
        usage_core::clickhouse::answering(
            &table,
            std::slice::from_ref(&rollup),
            window,
            Granularity::Day,
            &[Dimension::Client],
            &[],
            &Offsets::utc()
        )
        .is_rollup()
    );
    let utc = Offsets::utc();
    assert!(
        !rollup.can_answer(window, Granularity::Day, &[Dimension::Ip], &[], &utc),
        "no IPs in the rollup"
    );
    assert!(
        !rollup.can_answer(
            window,
            Granularity::Day,
            &[],
            &[f(Dimension::User, "ana.partner")],
            &utc
        ),
        "no users in the rollup"
    );
    assert!(
        !rollup.can_answer(window, Granularity::Day, &[], &[], &Offsets::fixed(5 * 3_600 + 45 * 60)),
        "+05:45 cuts 10-minute buckets"
    );
    assert!(
        !rollup.can_answer(Window { start: start + 60, end }, Granularity::Day, &[], &[], &utc),
        "a window inside a bucket"
    );
    assert!(
        table.can_answer(
            window,
            Granularity::TenMinutes,
            &[Dimension::Ip],
            &[],
            &Offsets::fixed(5 * 3_600 + 45 * 60)
        ),
        "the raw table answers anything"
    );
    let new_york = Offsets::from_changes(vec![(0, -4 * 3_600), (1_793_512_800, -5 * 3_600)]);
    for filters in &filter_sets {
        for dimension in [
            Dimension::Client,
            Dimension::Template,
            Dimension::Method,
            Dimension::Status,
            Dimension::Class,
            Dimension::Module,
        ] {
            assert!(rollup.can_answer(window, Granularity::TenMinutes, &[dimension], filters, &utc));
            let from_rollup =
                parse_breakdown(&ask(rollup.breakdown_sql(window, dimension, filters, 100_000))).expect("a breakdown");
            let from_raw =
                parse_breakdown(&ask(table.breakdown_sql(window, dimension, filters, 100_000))).expect("a breakdown");
            assert_eq!(from_rollup, from_raw, "rollup {dimension:?} through {filters:?}");
        }
        assert_eq!(
            parse_totals(&ask(rollup.totals_sql(window, filters))).unwrap(),
            parse_totals(&ask(table.totals_sql(window, filters))).unwrap()
        );
        for (zone, offsets) in [("UTC", &utc), ("America/New_York", &new_york)] {
            let days = Window {
                start: offsets.day_start(usage_core::range::date_of_day(day_number(today) - 6)),
                end: offsets.day_start(today),
            };
            for granularity in [Granularity::TenMinutes, Granularity::Hour, Granularity::Day] {
                assert!(rollup.can_answer(days, Granularity::TenMinutes, &[], filters, offsets));
                let got = parse_series(&ask(rollup.series_sql(days, granularity, zone, filters))).expect("a series");
                assert_eq!(
                    got,
                    parse_series(&ask(table.series_sql(days, granularity, zone, filters))).unwrap(),
                    "rollup {zone} {granularity:?} through {filters:?}"
                );
            }
        }
    }
    let rows = |name: &str| {
        post(
            &first,
            &format!("SELECT count() FROM callboard_test.{name} FORMAT TSV"),
            &[],
        )
        .map(|b| String::from_utf8_lossy(&b).trim().parse::<u64>().unwrap_or(0))
        .unwrap_or(0)
    };
    // The demo is already in buckets of its own, so the rollup has as many rows here, never more.
    assert!(
        rows("usage_10m") > 0 && rows("usage_10m") <= rows("usage"),
        "{} against {}",
        rows("usage_10m"),
        rows("usage")
    );

    // An answer over the row limit fails with ClickHouse's message, never cut short.
    let refused = post(
        &first,
        &table.breakdown_sql(window, Dimension::Ip, &[], 100_000),
        &settings(10, 3),
    )
    .expect_err("more than 3 rows");
    assert!(
        refused.contains("Limit for result") || refused.contains("rows"),
        "{refused}"
    );
    // Read-only: a write through the same settings is refused.
    assert!(post(&first, "DROP TABLE callboard_test.usage", &limits).is_err());
    assert_eq!(quote("x"), "'x'");
}

/// A seeded generator (SplitMix64), so the matrix's records are the same on every run.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `count` per-request records over the 14 days before `now`, shaped as an API's traffic: 40
/// clients, a few making most calls, each calling 5 of 30 URL templates; every status class,
/// 429 and a code under 200 among them; 200 IPs and 20 users; a client name with a quote.
/// A breakdown of a dimension listed in part, as text: its rows by name, and the rest's counts.
fn listed(breakdown: &usage_core::Breakdown, store: &UsageStore) -> (Vec<(String, StatusCounts)>, StatusCounts) {
    let mut rows: Vec<(String, StatusCounts)> = breakdown
        .rows
        .iter()
        .map(|r| (store.key_text(breakdown.dimension, r.key), r.counts))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    (rows, breakdown.rest.map(|r| r.counts).unwrap_or_default())
}

/// What the engine, from every request, says a server listing `dimension` in part should give:
/// its `most` values with most requests (ties by text) one by one, and the rest's counts.
fn listed_by_engine(
    store: &UsageStore,
    window: Window,
    dimension: Dimension,
    filter: &RecordFilter,
    most: usize,
) -> (Vec<(String, StatusCounts)>, StatusCounts) {
    let all = store.breakdown(window, dimension, filter, false);
    let mut rest = all.total;
    for row in all.rows.iter().take(most) {
        rest.subtract(&row.counts);
    }
    let mut rows: Vec<(String, StatusCounts)> = all
        .rows
        .iter()
        .take(most)
        .map(|r| (store.key_text(dimension, r.key), r.counts))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    (rows, rest)
}

fn generated(count: usize, now: i64) -> Vec<usage_core::model::UsageRecord> {
    let mut rng = Seeded(13);
    let statuses = [
        200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 429, 500, 503, 102,
    ];
    let modules = ["billing", "users", "orders", "search", "admin", "files"];
    (0..count)
        .map(|_| {
            let u = rng.below(1_000);
            let client = u * u * 40 / 1_000_000;
            let template = (client * 7 + rng.below(5)) % 30;
            usage_core::model::UsageRecord {
                timestamp: now - 14 * 86_400 + rng.below(14 * 86_400) as i64,
                bucket: usage_core::model::BucketWidth::Request,
                client_id: format!("client-{client:02}"),
                client_name: if client == 3 {
                    "O'Brien \\ tools".to_owned()
                } else {
                    format!("App {client}")
                },
                method: ["GET", "POST", "PUT", "DELETE"][template as usize % 4].to_owned(),
                template: format!("/v1/area{}/{{id}}/items{template}", template % 6),
                status: statuses[rng.below(statuses.len() as u64) as usize],
                requests: 1,
                module: modules[template as usize % 6].to_owned(),
                user: if rng.below(3) == 0 {
                    String::new()
                } else {
                    format!("user{}", rng.below(20))
                },
                ip: format!("203.0.113.{}", rng.below(200)),
                bytes: Some(rng.below(5_000)),
                latency_us: Some(1_000 + rng.below(400_000)),
            }
        })
        .collect()
}

// Guards the promise that ClickHouse and the in-browser engine show the same numbers: a
// million generated requests, loaded into the two-shard cluster and into the engine, and for
// every view (yesterday, 7 days, 14 days, the Today view's last 24 hours) × zone (UTC, +05:45
// and New York across its change of clocks) × filters × the dimension a view is split by, the
// dashboard's own query (`usage_sql`, through the rollup whenever it can answer) read as a live
// answer gives exactly the totals, every breakdown and every chart granularity that the engine
// gives from the requests themselves.
#[test]
fn a_million_requests_count_the_same_in_every_view_zone_and_filter() {
    const MOST: u64 = 50;
    let Some((first, second)) = cluster() else { return };
    // 2026-11-05 13:37 UTC: New York's clocks went back on 1 November, inside the 14 days.
    let now = day_number(NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()) * 86_400 + 13 * 3_600 + 37 * 60;
    let records = generated(1_000_000, now);
    let store = UsageStore::from_records(&records).unwrap();

    let database = Name::parse("callboard_matrix").unwrap();
    let columns = "timestamp DateTime, client_id String, client_name String, method String, template String, status UInt16, ip String, user String, module String, bytes UInt64, latency_ms Float64, requests UInt64";
    for shard in [&first, &second] {
        run(shard, "DROP DATABASE IF EXISTS callboard_matrix");
        run(shard, "CREATE DATABASE callboard_matrix");
        run(
            shard,
            &format!(
                "CREATE TABLE callboard_matrix.usage_local ({columns}) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, client_id, template)"
            ),
        );
        for (rollup, width) in [("usage_10m_local", 600), ("usage_1h_local", 3_600)] {
            for ddl in rollup_sql(
                &database,
                &Name::parse("usage_local").unwrap(),
                &Name::parse(rollup).unwrap(),
                width,
            ) {
                run(shard, &ddl);
            }
        }
    }
    for name in ["usage", "usage_10m", "usage_1h"] {
        run(
            &first,
            &format!(
                "CREATE TABLE callboard_matrix.{name} AS callboard_matrix.{name}_local ENGINE = Distributed(callboard, callboard_matrix, {name}_local)"
            ),
        );
    }
    for (shard, half) in [(&first, 0), (&second, 1)] {
        for chunk in records.iter().skip(half).step_by(2).collect::<Vec<_>>().chunks(250_000) {
            let mut body = String::from("INSERT INTO callboard_matrix.usage_local FORMAT TabSeparated\n");
            body.extend(chunk.iter().map(|r| tsv_row(r)));
            run(shard, &body);
        }
    }
    let describe = |name: &str| {
        post(
            &first,
            &format!("DESCRIBE TABLE callboard_matrix.{name} FORMAT JSONCompact"),
            &[],
        )
        .expect("describe")
    };
    let raw = Table::from_describe(database.clone(), Name::parse("usage").unwrap(), &describe("usage"))
        .expect("a usage table");
    let rollups = ["usage_10m", "usage_1h"].map(|name| {
        Table::from_describe(database.clone(), Name::parse(name).unwrap(), &describe(name)).expect("a rollup")
    });
    let limits = settings(20, 1_000_000);
    let waited = std::cell::Cell::new(std::time::Duration::ZERO);
    let ask = |sql: &str| {
        let t = std::time::Instant::now();
        let answer = post(&first, sql, &limits).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        waited.set(waited.get() + t.elapsed());
        answer
    };
    let started = std::time::Instant::now();
    let reading = std::cell::Cell::new(std::time::Duration::ZERO);
    let latency_time = std::cell::Cell::new(std::time::Duration::ZERO);

    let f = |d: Dimension, k: &str| Filter {
        dimension: d,
        key: k.to_owned(),
    };
    let filter_sets = [
        vec![],
        vec![f(Dimension::Client, "client-00"), f(Dimension::Client, "client-03")],
        vec![f(Dimension::Class, "5xx")],
        vec![f(Dimension::Class, "4xx"), f(Dimension::Method, "GET")],
        vec![f(Dimension::Status, "429")],
        vec![f(Dimension::Module, "billing"), f(Dimension::Class, "other")],
        vec![f(Dimension::Ip, "203.0.113.7")],
        vec![f(Dimension::User, "user5"), f(Dimension::Client, "client-01")],
    ];
    let new_york = Offsets::from_changes(vec![(0, -4 * 3_600), (1_793_512_800, -5 * 3_600)]);
    let zones = [
        ("UTC", Offsets::utc()),
        ("Asia/Kathmandu", Offsets::fixed(5 * 3_600 + 45 * 60)),
        ("America/New_York", new_york),
    ];
    let (mut checked, mut latency_checked, mut listed_checked) = (0, 0, 0);
    let mut answered_by = std::collections::BTreeMap::<String, usize>::new();
    for (zone, offsets) in &zones {
        let today = offsets.local_date(now);
        let days = |n: i64| {
            offsets.window(&usage_core::DateRange::new(
                usage_core::range::date_of_day(day_number(today) - n),
                usage_core::range::date_of_day(day_number(today) - 1),
                today,
            ))
        };
        // (view, its window, the granularity it is fetched at, the granularities it charts)
        let views = [
            (
                "yesterday",
                days(1),
                Granularity::TenMinutes,
                vec![Granularity::TenMinutes, Granularity::Hour],
            ),
            (
                "7 days",
                days(7),
                Granularity::Hour,
                vec![Granularity::Hour, Granularity::Day],
            ),
            (
                "14 days",
                days(14),
                Granularity::Day,
                vec![Granularity::Day, Granularity::Week, Granularity::Month],
            ),
            (
                "today",
                offsets.last_day(now),
                Granularity::TenMinutes,
                vec![Granularity::TenMinutes, Granularity::Hour],
            ),
        ];
        for (view, window, fetched, charted) in &views {
            // As the dashboard asks: the UTC days the zone's window touches.
            let asked = Window {
                start: window.start.div_euclid(86_400) * 86_400,
                end: (window.end + 86_399).div_euclid(86_400) * 86_400,
            };
            for (set, filters) in filter_sets.iter().enumerate() {
                // The view itself, and with no filter Explore by a dimension of its own (on a date
                // range) or the Today view by URL templates.
                use usage_core::view::View;
                let own = if *view == "today" {
                    [(View::Today, Dimension::Client), (View::Today, Dimension::Template)].as_slice()
                } else {
                    &[
                        (View::Overview, Dimension::Client),
                        (View::Urls, Dimension::Client),
                        (View::Clients, Dimension::Client),
                        (View::Explore, Dimension::Module),
                        (View::Explore, Dimension::Ip),
                    ]
                };
                for (i, &(kind, by)) in own.iter().enumerate() {
                    if i > 0 && !filters.is_empty() {
                        continue;
                    }
                    // As the worker asks: a query per widget grouping (with the filters'
                    // dimensions), each on the coarsest table that can answer it, in one store.
                    let groupings = usage_core::widgets::view_groupings(kind, by);
                    // IPs listed in part, as the dashboard lists them by the thousand: 50 of the 200.
                    let listing = usage_core::clickhouse::Listing {
                        over: *window,
                        most: MOST,
                    };
                    let queries = usage_core::clickhouse::usage_queries(
                        &raw,
                        &rollups,
                        &groupings,
                        &[asked],
                        *fetched,
                        zone,
                        filters,
                        offsets,
                        listing,
                    );
                    for query in &queries {
                        *answered_by.entry(query.table.table.as_str().to_owned()).or_default() += 1;
                    }
                    let width = match fetched {
                        Granularity::TenMinutes => usage_core::model::BucketWidth::TenMinutes,
                        Granularity::Hour => usage_core::model::BucketWidth::Hour,
                        _ => usage_core::model::BucketWidth::Day,
                    };
                    let answers: Vec<Vec<u8>> = queries.iter().map(|q| ask(&q.sql)).collect();
                    let t = std::time::Instant::now();
                    let answered =
                        usage_core::clickhouse::read_parts(&queries, answers.iter().map(Vec::as_slice), width)
                            .expect("the usage answers");
                    reading.set(reading.get() + t.elapsed());
                    let (mine, theirs) = (
                        RecordFilter::new(&store, filters),
                        RecordFilter::new(&answered, filters),
                    );
                    let tables: Vec<&str> = queries.iter().map(|q| q.table.table.as_str()).collect();
                    let case = format!("{zone}, {view}, {kind:?} by {by:?}, through {filters:?}, from {tables:?}");
                    assert_eq!(
                        answered.totals(*window, &theirs),
                        store.totals(*window, &mine),
                        "totals: {case}"
                    );
                    // The records export (the part that keeps the most apart) holds every request.
                    let exported: u64 = answered.records_through(*window, &theirs).map(|r| r.requests).sum();
                    assert_eq!(exported, store.totals(*window, &mine).total(), "the export: {case}");
                    // Every dimension a widget shows, each from its own part.
                    let mut dimensions: Vec<Dimension> = groupings
                        .iter()
                        .flat_map(|g| g.dimensions())
                        .filter(|&d| raw.offers(d))
                        .collect();
                    dimensions.sort_by_key(|&d| d as u8);
                    dimensions.dedup();
                    let in_part = usage_core::clickhouse::listed_in_part(&dimensions, filters);
                    if let Some(dimension) = in_part {
                        let ranked = listed_by_engine(&store, *window, dimension, &mine, MOST as usize);
                        assert_eq!(
                            listed(&answered.breakdown(*window, dimension, &theirs, false), &answered),
                            ranked,
                            "{dimension:?} listed in part: {case}"
                        );
                        assert!(ranked.1.total() > 0, "some left out: {case}");
                        listed_checked += 1;
                    }
                    for dimension in dimensions
                        .iter()
                        .copied()
                        .chain([Dimension::Class])
                        .filter(|&d| Some(d) != in_part)
                    {
                        let of = |s: &UsageStore, f: &RecordFilter| {
                            let mut rows: Vec<(String, StatusCounts)> = s
                                .breakdown(*window, dimension, f, false)
                                .rows
                                .iter()
                                .map(|r| (s.key_text(dimension, r.key), r.counts))
                                .collect();
                            rows.sort_by(|a, b| a.0.cmp(&b.0));
                            rows
                        };
                        assert_eq!(of(&answered, &theirs), of(&store, &mine), "{dimension:?}: {case}");
                    }
                    // The chart's total, and its lines: the top 5 of the view's chart dimension;
                    // the overview's and the Clients view's also through two chosen URL templates.
                    let (_, chart_dimension) = usage_core::widgets::latency_widgets(kind, by);
                    let top: Vec<String> = store
                        .breakdown(*window, chart_dimension, &mine, false)
                        .rows
                        .iter()
                        .take(5)
                        .map(|r| store.key_text(chart_dimension, r.key))
                        .collect();
                    let chosen: Vec<String> = store
                        .breakdown(*window, Dimension::Template, &mine, false)
                        .rows
                        .iter()
                        .take(2)
                        .map(|r| store.key_text(Dimension::Template, r.key))
                        .collect();
                    let narrowed = matches!(kind, View::Overview | View::Clients);
                    for &granularity in charted {
                        let series = |s: &UsageStore, f: &RecordFilter| {
                            let keys: Vec<u32> = top
                                .iter()
                                .map(|t| s.find_key(chart_dimension, t).expect("a charted value"))
                                .collect();
                            let lines = |f: &RecordFilter| {
                                let series =
                                    s.series_in(*window, granularity, offsets, f, Some((chart_dimension, &keys)));
                                (
                                    series.starts,
                                    series.total,
                                    series.series.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
                                )
                            };
                            let templates = || {
                                chosen
                                    .iter()
                                    .map(|t| s.find_key(Dimension::Template, t).expect("a chosen template"))
                                    .collect::<Vec<u32>>()
                            };
                            (
                                lines(f),
                                narrowed.then(|| lines(&f.clone().and_templates(s, &templates()))),
                            )
                        };
                        assert_eq!(
                            series(&answered, &theirs),
                            series(&store, &mine),
                            "{granularity:?} chart: {case}"
                        );
                    }
                    if narrowed {
                        let pairs = |s: &UsageStore, f: &RecordFilter| {
                            let mut rows: Vec<(String, String, StatusCounts)> = s
                                .pairs(*window, Dimension::Client, Dimension::Template, f)
                                .iter()
                                .map(|p| {
                                    (
                                        s.key_text(Dimension::Client, p.first),
                                        s.key_text(Dimension::Template, p.second),
                                        p.counts,
                                    )
                                })
                                .collect();
                            rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
                            rows
                        };
                        assert_eq!(
                            pairs(&answered, &theirs),
                            pairs(&store, &mine),
                            "URLs per client: {case}"
                        );
                    }
                    // The latencies the view shows (and the URLs view's, where it has URLs), counted by
                    // the raw table, equal the engine's from the requests: the tables' p50, p95
                    // and p99 per value, and the chart's p95 per bucket and value. Through every
                    // other filter set, which halves the time they take.
                    checked += 1;
                    if set % 2 == 1 {
                        continue;
                    }
                    latency_checked += 1;
                    let t = std::time::Instant::now();
                    let (table_dimension, chart_dimension) = usage_core::widgets::latency_widgets(kind, by);
                    let mut tables: Vec<Dimension> = dimensions
                        .iter()
                        .copied()
                        .filter(|&d| d == Dimension::Template)
                        .collect();
                    tables.extend(table_dimension.filter(|&d| d != Dimension::Template));
                    let mut counted = usage_core::latency::CountedLatency {
                        countable: raw.has_latency(),
                        filters: filters.clone(),
                        ..Default::default()
                    };
                    for &dimension in &tables {
                        let answer = ask(&raw.latency_sql(*window, dimension, filters, listing));
                        counted.tables.push(
                            usage_core::clickhouse::read_latency(
                                &answer,
                                &mut |d, t| answered.find_key(d, t),
                                dimension,
                                *window,
                            )
                            .expect("a latency answer"),
                        );
                    }
                    for &granularity in charted {
                        let answer =
                            ask(&raw.latency_series_sql(*window, granularity, zone, chart_dimension, filters, listing));
                        counted.series.push(
                            usage_core::clickhouse::read_latency_series(
                                &answer,
                                &mut |d, t| answered.find_key(d, t),
                                chart_dimension,
                                granularity,
                                *window,
                            )
                            .expect("a p95 answer"),
                        );
                    }
                    let answered = answered.with_counted_latency(counted);
                    for &dimension in &tables {
                        let of = |s: &UsageStore, f: &RecordFilter| {
                            // Only the values listed one by one have their own (the engine's first `MOST`).
                            let most = if in_part == Some(dimension) {
                                MOST as usize
                            } else {
                                usize::MAX
                            };
                            let mut rows: Vec<_> = s
                                .breakdown(*window, dimension, f, true)
                                .rows
                                .iter()
                                .take(most)
                                .map(|r| (s.key_text(dimension, r.key), r.latency))
                                .collect();
                            rows.sort_by(|a, b| a.0.cmp(&b.0));
                            rows
                        };
                        let engine = of(&store, &mine);
                        assert!(
                            engine.iter().all(|(_, l)| l.is_some()),
                            "every value has latencies: {case}"
                        );
                        assert_eq!(of(&answered, &theirs), engine, "{dimension:?} latency: {case}");
                    }
                    // Every value the engine charts, by its text in each store.
                    let most = if in_part == Some(chart_dimension) {
                        MOST as usize
                    } else {
                        usize::MAX
                    };
                    let values: Vec<String> = store
                        .breakdown(*window, chart_dimension, &mine, false)
                        .rows
                        .iter()
                        .take(most)
                        .map(|r| store.key_text(chart_dimension, r.key))
                        .collect();
                    let ids = |s: &UsageStore| {
                        values
                            .iter()
                            .map(|v| s.find_key(chart_dimension, v).expect("a charted value"))
                            .collect::<Vec<u32>>()
                    };
                    for &granularity in charted {
                        let p95 = |s: &UsageStore, f: &RecordFilter| {
                            let keys = ids(s);
                            let series = s.metric_series(
                                *window,
                                granularity,
                                offsets,
                                f,
                                Some((chart_dimension, &keys)),
                                &usage_core::metric::Metric::P95,
                            );
                            (
                                series.starts,
                                series.series.into_iter().map(|(_, values)| values).collect::<Vec<_>>(),
                            )
                        };
                        let engine = p95(&store, &mine);
                        assert!(
                            engine.1.iter().flatten().any(Option::is_some) || values.is_empty(),
                            "the engine charts p95: {case}"
                        );
                        assert_eq!(p95(&answered, &theirs), engine, "{granularity:?} p95 chart: {case}");
                    }
                    latency_time.set(latency_time.get() + t.elapsed());
                }
            }
        }
    }
    // Each table answered some cases: the hourly rollup hours and days in UTC and New York, the
    // 10-minute one 10-minute buckets there, the raw table +05:45, IPs and users.
    assert!(
        answered_by.len() == 3 && answered_by.values().all(|&n| n > 0),
        "{answered_by:?}"
    );
    assert_eq!(
        listed_checked, 9,
        "Explore by IP, listed in part, on three views in three zones"
    );
    eprintln!(
        "{checked} views checked ({latency_checked} with latencies), answered by {answered_by:?}; {:?} in all, {:?} waiting for ClickHouse, {:?} reading, {:?} on latencies",
        started.elapsed(),
        waited.get(),
        reading.get(),
        latency_time.get()
    );
    for shard in [&first, &second] {
        run(shard, "DROP DATABASE IF EXISTS callboard_matrix");
    }
}

// Guards cancelling on the server: the page's earlier fetches' queries still running are killed
// by a newer fetch, as a read-only user (18.16 lets one kill its own queries); the newer fetch's
// own are not, nor by an earlier fetch's kill that arrives late (12 against 1: numbers, not text).
/// The parameters of a query URL that the core writes (`database=…&max_execution_time=…`).
fn params_of(url: &str) -> Vec<(&str, String)> {
    url.split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
}

// Guards read-only users as admins make them (a profile with readonly=1, the cluster's `reader`):
// the dashboard's usual URL is refused with code 164, which the core tells from every other
// error, and the same query at the address without settings is answered, with the same rows.
#[test]
fn a_read_only_user_is_answered_without_settings() {
    let Some((first, _)) = cluster() else { return };
    run(&first, "CREATE DATABASE IF NOT EXISTS callboard_ro");
    run(&first, "DROP TABLE IF EXISTS callboard_ro.usage");
    run(
        &first,
        "CREATE TABLE callboard_ro.usage (timestamp DateTime, client_id String, status UInt16) ENGINE = MergeTree ORDER BY timestamp",
    );
    run(
        &first,
        "INSERT INTO callboard_ro.usage VALUES (1700000000, 'a', 200), (1700000001, 'b', 500)",
    );
    let database = usage_core::clickhouse::Name::parse("callboard_ro").expect("a name");
    let sql = "SELECT count() AS n, countIf(status >= 500) AS failed FROM usage FORMAT JSONCompact";
    let login = [("user", "reader".to_owned()), ("password", "read-only-2".to_owned())];
    let with = |url: String| {
        let mut params = params_of(&url);
        params.extend(login.clone());
        post(&first, sql, &params)
    };
    let usual = usage_core::clickhouse::query_url(&first, &database, 15, 1_000_000, None, false);
    let refused = with(usual).expect_err("a read-only user may not set max_execution_time");
    let said = refused.split_once(": ").map_or(refused.as_str(), |(_, body)| body);
    assert!(usage_core::clickhouse::is_readonly_refusal(said), "{refused}");
    let plain = usage_core::clickhouse::plain_query_url(&first, &database, Some("callboard-ro1-1-usage-0"));
    let answer = with(plain).expect("the same query without settings");
    let value: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
    assert_eq!(value["data"], serde_json::json!([["2", "1"]]), "{value}");
    // The default user is not refused: the usual address still works for it.
    post(
        &first,
        sql,
        &params_of(&usage_core::clickhouse::query_url(
            &first, &database, 15, 1_000_000, None, false,
        )),
    )
    .expect("the default user sets its own limits");
}

#[test]
fn a_newer_fetch_cancels_the_superseded_ones_queries() {
    let Some((first, _)) = cluster() else { return };
    fn params_of(url: &str) -> Vec<(String, String)> {
        url.split_once('?')
            .map_or("", |(_, q)| q)
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
    fn borrowed(params: &[(String, String)]) -> Vec<(&str, String)> {
        params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()
    }
    let system = Name::parse("system").unwrap();
    // Longer than max_execution_time unless cancelled (system.numbers: table functions are
    // refused in read-only mode).
    let slow = |id: &'static str| {
        let (first, params) = (
            first.clone(),
            params_of(&usage_core::clickhouse::query_url("", &system, 20, 10, Some(id), false)),
        );
        std::thread::spawn(move || {
            post(
                &first,
                "SELECT count() FROM system.numbers WHERE number < 50000000000 AND NOT ignore(sleepEachRow(0))",
                &borrowed(&params),
            )
        })
    };
    let (old, current) = (slow("callboard-page1-1-usage-0"), slow("callboard-page1-12-usage-0"));
    let running = |id: &str| {
        post(
            &first,
            &format!("SELECT count() FROM system.processes WHERE query_id = '{id}'"),
            &[],
        )
        .is_ok_and(|a| a == b"1\n")
    };
    let waited = std::time::Instant::now();
    while !running("callboard-page1-1-usage-0") || !running("callboard-page1-12-usage-0") {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(10),
            "the slow queries never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let killed = std::time::Instant::now();
    let read_only = params_of(&usage_core::clickhouse::query_url("", &system, 20, 10, None, false));
    // Stopping a query when the tab closes is a setting of newer releases only: asked for as the
    // worker asks (read-only), and found exactly where the server has it, so 18.16 never gets it.
    let has = post(
        &first,
        &usage_core::clickhouse::has_setting_sql(),
        &borrowed(&read_only),
    )
    .expect("system.settings answers a read-only user");
    let version = post(&first, "SELECT version()", &[]).expect("a version");
    assert_eq!(
        usage_core::clickhouse::has_setting(&has),
        !version.starts_with(b"18."),
        "{}",
        String::from_utf8_lossy(&version)
    );
    // Fetch 12's kill; then a late kill of fetch 1, superseded, which must not touch fetch 12.
    let late = usage_core::clickhouse::kill_sql("page1", 1).expect("a kill");
    post(&first, &late, &borrowed(&read_only)).unwrap_or_else(|e| panic!("{e}\n{late}"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        running("callboard-page1-1-usage-0") && running("callboard-page1-12-usage-0"),
        "a superseded fetch's kill cancels no later fetch"
    );
    let kill = usage_core::clickhouse::kill_sql("page1", 12).expect("a kill");
    post(&first, &kill, &borrowed(&read_only)).unwrap_or_else(|e| panic!("{e}\n{kill}"));
    let old = old.join().expect("the superseded query's thread");
    assert!(
        old.as_ref().is_err_and(|e| e.contains("Code: 394")),
        "cancelled, not timed out: {old:?}"
    );
    assert!(
        killed.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        killed.elapsed()
    );
    assert!(
        running("callboard-page1-12-usage-0"),
        "the current fetch's query runs on"
    );
    post(
        &first,
        "KILL QUERY WHERE query_id = 'callboard-page1-12-usage-0' SYNC",
        &[],
    )
    .expect("stopped");
    assert!(current.join().expect("the current query's thread").is_err());
}

/// Names a hostile or unlucky export may hold: quotes, backslashes, NUL, line breaks, tabs,
/// Unicode, and SQL that would end the literal if anything concatenated it.
fn hostile_name() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pieces = prop::sample::select(vec![
        "'",
        "\\",
        "\0",
        "\n",
        "\t",
        "\"",
        "`",
        "Zoë",
        "🙂",
        "'); DROP TABLE names; --",
        "\\'",
        "%",
        "_",
        " ",
        "a",
        "B",
    ]);
    prop::collection::vec(pieces, 1..6).prop_map(|parts| parts.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, failure_persistence: None, ..Default::default() })]

    // Guards the one escaping function on the real server (the injection test): records
    // whose client names and URL templates hold anything at all are filtered by those same
    // names, and the server returns exactly the requests of that name, and the names back as
    // they were written.
    #[test]
    fn hostile_names_filter_exactly_on_the_server(names in proptest::collection::vec(hostile_name(), 1..5), counts in proptest::collection::vec(1u64..50, 5)) {
        let Ok(server) = std::env::var("CALLBOARD_CLICKHOUSE") else {
            assert!(std::env::var("CALLBOARD_CLICKHOUSE_REQUIRED").is_err(), "CALLBOARD_CLICKHOUSE is required but not set");
            return Ok(());
        };
        run(&server, "CREATE DATABASE IF NOT EXISTS callboard_test");
        run(&server, "DROP TABLE IF EXISTS callboard_test.names");
        run(&server, "CREATE TABLE callboard_test.names (timestamp DateTime, client_id String, template String, status UInt16, requests UInt64) ENGINE = MergeTree ORDER BY timestamp");
        let mut body = String::from("INSERT INTO callboard_test.names FORMAT TabSeparated\n");
        let tsv_nul = |text: &str| tsv(text).replace('\0', "\\0");
        for (i, name) in names.iter().enumerate() {
            body.push_str(&format!("{}\t{}\t{}\t200\t{}\n", 1_795_000_000 + i as i64, tsv_nul(name), tsv_nul(&format!("/{name}")), counts[i]));
        }
        run(&server, &body);
        let describe = post(&server, "DESCRIBE TABLE callboard_test.names FORMAT JSONCompact", &[]).expect("describe");
        let table = Table::from_describe(Name::parse("callboard_test").unwrap(), Name::parse("names").unwrap(), &describe).expect("a table");
        let window = Window { start: 1_794_000_000, end: 1_796_000_000 };
        let limits = settings(10, 1_000);
        for name in &names {
            let expected: u64 = names.iter().zip(&counts).filter(|(n, _)| *n == name).map(|(_, c)| c).sum();
            for (dimension, key) in [(Dimension::Client, name.clone()), (Dimension::Template, format!("/{name}"))] {
                let sql = table.totals_sql(window, &[Filter { dimension, key }]);
                let answer = post(&server, &sql, &limits).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}\n{sql}")))?;
                proptest::prop_assert_eq!(parse_totals(&answer).unwrap().total(), expected, "{:?} {:?}", dimension, name);
            }
        }
        // The names come back exactly as they went in.
        let answer = post(&server, &table.breakdown_sql(window, Dimension::Client, &[], 1_000), &limits).expect("a breakdown");
        let mut got: Vec<String> = parse_breakdown(&answer).unwrap().into_iter().map(|(k, _)| k).collect();
        let mut sent = names.clone();
        got.sort();
        sent.sort();
        sent.dedup();
        proptest::prop_assert_eq!(got, sent);
        // Nothing was dropped.
        proptest::prop_assert!(post(&server, "EXISTS TABLE callboard_test.names FORMAT TSV", &[]).map(|b| b.starts_with(b"1")).unwrap_or(false));
    }
}
