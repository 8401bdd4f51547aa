//! End to end: the browser reads a two-shard ClickHouse cluster through a path of the
//! site that forwards to it, picked in "Connect API…", and shows the same figures as the file
//! with the same records; the view's filters and dimension go to the cluster; a cross-origin
//! server the page may not read, and a server that stops, each get their message while the last
//! good data stays.
//!
//! `scripts/test.sh` starts the cluster and sets `CALLBOARD_CLICKHOUSE` (and
//! `CALLBOARD_CLICKHOUSE_REQUIRED`, so this cannot pass without one).
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Days;

mod common;
use common::{Session, eventually, reply, script, today};

/// While set, the forwarding path drops every connection: the server has stopped.
static STOPPED: AtomicBool = AtomicBool::new(false);
/// While set, the forwarding path holds latency queries for 4 s: a cluster slow to count them.
static SLOW_LATENCY: AtomicBool = AtomicBool::new(false);
/// Every query the forwarding path passed on, so the test can see what the cluster was asked.
static ASKED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The HTTP interface's answer to `sql`, POSTed with `query` as its URL parameters: the status
/// line and the body.
fn post(base: &str, query: &str, sql: &[u8], authorization: &str) -> (String, Vec<u8>) {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("{host}: {e}"));
    let login = if authorization.is_empty() {
        String::new()
    } else {
        format!("Authorization: {authorization}\r\n")
    };
    let head = format!(
        "POST /?{query} HTTP/1.0\r\nHost: {host}\r\n{login}Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        sql.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(sql))
        .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(answer.len());
    let status = String::from_utf8_lossy(&answer[..split])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    (status, answer.get(split + 4..).unwrap_or_default().to_vec())
}

fn run(base: &str, sql: &str) {
    let (status, body) = post(base, "", sql.as_bytes(), "");
    assert!(
        status.contains(" 200"),
        "{status}: {}\n{sql}",
        String::from_utf8_lossy(&body)
    );
}

/// `…/clickhouse/?…` on the test server: the request forwarded to the first server, as a
/// reverse proxy next to the app would (same origin, so no CORS preflight at all).
fn forward(request: &common::Request, stream: &mut TcpStream) -> bool {
    if request.route != "clickhouse" && request.route != "clickhouse/" {
        return false;
    }
    if STOPPED.load(Ordering::SeqCst) {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return true;
    }
    let Ok(base) = std::env::var("CALLBOARD_CLICKHOUSE") else {
        return false;
    };
    let sql = String::from_utf8_lossy(&request.body).into_owned();
    if SLOW_LATENCY.load(Ordering::SeqCst) && sql.contains("quantile") {
        std::thread::sleep(std::time::Duration::from_secs(4));
    }
    ASKED.lock().unwrap_or_else(|p| p.into_inner()).push(sql);
    let (status, body) = post(&base, &request.query, &request.body, &request.authorization);
    let status = status.split_once(' ').map_or("502 Bad Gateway", |(_, s)| s);
    reply(stream, status, "Content-Type: text/plain\r\n", &body);
    true
}

/// A server on another origin that never answers a preflight, as ClickHouse 18.16 does.
fn silent(request: &common::Request, _stream: &mut TcpStream) -> bool {
    if request.method == "OPTIONS" {
        std::thread::sleep(std::time::Duration::from_secs(40));
    }
    true
}

/// A request's latency in ms, from its time: hundreds of distinct values, with a fraction that
/// whole microseconds keep.
fn latency_ms(t: i64) -> f64 {
    (t % 997) as f64 + 0.25
}

/// 600 requests over the 3 days before yesterday: 6 clients (one named with a quote), 4 URL
/// templates, 5 statuses and 9 IPs, as Callboard CSV and as ClickHouse TSV.
fn records() -> Vec<(i64, String, String, &'static str, &'static str, u16, String)> {
    let first = today().checked_sub_days(Days::new(4)).expect("4 days ago");
    let start = first.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
    (0..600i64)
        .map(|i| {
            let client = i % 6;
            let name = if client == 5 {
                "O'Brien \"Ltd\"".to_owned()
            } else {
                format!("Client {client}")
            };
            let template = ["/v1/users/{id}", "/v1/orders", "/v1/search", "/health"][(i % 4) as usize];
            let method = if i % 4 == 1 { "POST" } else { "GET" };
            let status = [200, 200, 201, 404, 429, 503, 200][(i % 7) as usize];
            (
                start + (i * 431) % (3 * 86_400),
                format!("c{client}"),
                name,
                method,
                template,
                status,
                format!("198.51.100.{}", i % 9),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn clickhouse_source_matches_the_file() {
    let Ok(first) = std::env::var("CALLBOARD_CLICKHOUSE") else {
        assert!(
            std::env::var("CALLBOARD_CLICKHOUSE_REQUIRED").is_err(),
            "CALLBOARD_CLICKHOUSE is required but not set"
        );
        eprintln!("skipped: CALLBOARD_CLICKHOUSE is not set (scripts/test.sh starts a cluster and sets it)");
        return;
    };
    let second = std::env::var("CALLBOARD_CLICKHOUSE_SECOND").expect("the second shard's URL");
    let rows = records();
    // The same records as a file, and in the cluster: every other one on each shard, read
    // through a Distributed table.
    let mut csv = String::from("timestamp,client_id,client_name,method,template,status,ip,latency_ms\n");
    for (t, id, name, method, template, status, ip) in &rows {
        let time = chrono::DateTime::from_timestamp(*t, 0)
            .expect("a time")
            .format("%Y-%m-%dT%H:%M:%SZ");
        csv.push_str(&format!(
            "{time},{id},\"{}\",{method},{template},{status},{ip},{}\n",
            name.replace('"', "\"\""),
            latency_ms(*t)
        ));
    }
    let file = common::fixture("e2e-clickhouse.csv", csv);
    let columns = "timestamp DateTime, client_id String, client_name String, method String, template String, status UInt16, ip String, user String, module String, bytes UInt64, latency_ms Float64, requests UInt64";
    for shard in [&first, &second] {
        run(shard, "CREATE DATABASE IF NOT EXISTS callboard_e2e");
        run(shard, "DROP TABLE IF EXISTS callboard_e2e.usage_local");
        run(
            shard,
            &format!(
                "CREATE TABLE callboard_e2e.usage_local ({columns}) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, client_id, template)"
            ),
        );
    }
    run(&first, "DROP TABLE IF EXISTS callboard_e2e.usage");
    run(
        &first,
        "CREATE TABLE callboard_e2e.usage AS callboard_e2e.usage_local ENGINE = Distributed(callboard, callboard_e2e, usage_local)",
    );
    for (shard, half) in [(&first, 0), (&second, 1)] {
        let mut body = String::from("INSERT INTO callboard_e2e.usage_local FORMAT TabSeparated\n");
        for (t, id, name, method, template, status, ip) in rows.iter().skip(half).step_by(2) {
            let name = name.replace('\\', "\\\\").replace('\t', "\\t");
            body.push_str(&format!(
                "{t}\t{id}\t{name}\t{method}\t{template}\t{status}\t{ip}\t\t\t0\t{}\t1\n",
                latency_ms(*t)
            ));
        }
        run(shard, &body);
    }

    let silent_port = common::serve_api(silent);
    let silent_origin = format!("http://127.0.0.1:{silent_port}");
    let session = Session::start(forward, silent_origin.clone()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let (from, to) = (
        today().checked_sub_days(Days::new(4)).expect("from"),
        today().checked_sub_days(Days::new(1)).expect("to"),
    );
    session.step("the records as a file: the figures to match");
    page.goto(&format!("{base}?from={from}&to={to}")).await;
    page.kpi("total-requests").await;
    page.open_files(&[file.as_path()]).await;
    eventually("the file is shown", || async {
        page.text("kpi-total-requests").await == "600"
    })
    .await;
    let kpis = || page.kpis();
    let from_file = kpis().await;

    session.step("ClickHouse, chosen in \"Connect API…\", gives the file's figures");
    page.click("open-connect").await;
    page.choose("connect-kind", "clickhouse").await;
    page.fill("connect-url", &format!("{base}clickhouse")).await;
    page.fill("connect-database", "callboard_e2e").await;
    page.fill("connect-table", "usage").await;
    std::fs::write(
        common::screenshots().join("clickhouse-connect.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    page.click("connect-go").await;
    eventually("ClickHouse's figures", || async {
        page.text("live-banner").await.contains("ClickHouse") && !page.text("live-banner").await.contains("Connecting")
    })
    .await;
    eventually("the same KPIs as the file", || async { kpis().await == from_file }).await;
    assert!(
        page.text("live-caveat")
            .await
            .contains("Counted by ClickHouse from callboard_e2e.usage"),
        "{}",
        page.text("live-caveat").await
    );
    session.step("\"Connect API…\" opened again shows the source's parts, read from the link");
    page.click("open-connect").await;
    let expected = format!("clickhouse|{base}clickhouse|callboard_e2e|usage");
    eventually("the dialog shows the source's parts", || async {
        let mut parts = Vec::new();
        for id in ["connect-kind", "connect-url", "connect-database", "connect-table"] {
            parts.push(page.value(id).await);
        }
        parts.join("|") == expected
    })
    .await;
    page.button_in("connect-dialog", "Cancel").await;
    let search = script(client, "return location.search").await;
    assert!(
        search
            .as_str()
            .is_some_and(|s| s.contains("kind=clickhouse") && s.contains("source=")),
        "{search}"
    );
    assert!(
        !search.as_str().unwrap_or("").to_ascii_lowercase().contains("password"),
        "no credentials in the link"
    );

    session.step("a drill-down to the client with a quote in its name sends the filter to the cluster");
    let brien = rows.iter().filter(|r| r.1 == "c5").count();
    let href = page.drill_href("Brien").await.expect("a drill-down link to O'Brien");
    let origin = base.trim_end_matches(common::SUB_PATH);
    page.goto(&format!("{origin}{href}")).await;
    eventually("only O'Brien's requests", || async {
        page.text("kpi-total-requests").await == brien.to_string()
    })
    .await;
    // The last usage query forwarded: the DESCRIBEs and the latency queries go at the same time,
    // in no set order.
    let asked = |what: &str| {
        ASKED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .find(|sql| sql.starts_with("SELECT") && sql.contains(what))
            .cloned()
            .unwrap_or_default()
    };
    let last = || asked("sum(requests) AS requests");
    assert!(
        last().contains("(client_id = 'c5')"),
        "the filter went to the cluster: {}",
        last()
    );
    session.step("Explore by IP: one query per widget grouping, fetched once");
    let explore = format!(
        "{base}?from={from}&to={to}&view=explore&by=ip&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
    );
    page.goto(&explore).await;
    eventually("nine IPs", || async { page.row_keys("table-ip").await.len() == 9 }).await;
    // One query per widget grouping that no other holds: the clients (whose answer the KPI
    // tiles read too), the URL templates and the IPs, never all of them together.
    // What was asked since the drill-down's last query.
    let asked_since: Vec<String> = {
        let sqls = ASKED.lock().unwrap_or_else(|p| p.into_inner());
        let at = sqls
            .iter()
            .rposition(|sql| sql.contains("(client_id = 'c5')"))
            .map_or(0, |i| i + 1);
        sqls[at..].to_vec()
    };
    let usage: Vec<&String> = asked_since
        .iter()
        .filter(|sql| sql.contains("sum(requests) AS requests"))
        .collect();
    // Fetched once: one query per grouping, and one kill of earlier fetches.
    assert_eq!(usage.len(), 3, "{usage:#?}");
    assert_eq!(
        asked_since.iter().filter(|sql| sql.starts_with("KILL QUERY")).count(),
        1,
        "one fetch for one page: {asked_since:#?}"
    );
    // The IPs as the page lists them: the thousand with most requests over the view's own days
    // one by one (all nine here), the rest together.
    let groupings = [
        "GROUP BY b, client_id, status ORDER",
        "GROUP BY b, template, status ORDER",
        "GROUP BY b, status, listed, listed_ip ORDER",
    ];
    for grouped in groupings {
        assert!(
            usage.iter().any(|sql| sql.contains(grouped)),
            "a query {grouped}: {usage:#?}"
        );
    }
    assert!(
        usage.iter().all(|sql| groupings.iter().any(|g| sql.contains(g))),
        "no query groups what no widget shows: {usage:#?}"
    );
    assert!(
        usage.iter().all(|sql| !sql.contains("client_id = ")),
        "no filter left over from the drill-down"
    );
    let listed = "GROUP BY ip ORDER BY sum(requests) DESC, ip LIMIT 1000) AS listed, if(listed, ip, '') AS listed_ip";
    assert!(
        usage.iter().any(|sql| sql
            .contains("ip GLOBAL IN (SELECT ip FROM `callboard_e2e`.`usage` WHERE timestamp >= ")
            && sql.contains(listed)),
        "{listed} in {usage:#?}"
    );
    // Each fetch first cancels the page's superseded ones still running on the server.
    let kills = ASKED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|sql| sql.starts_with("KILL QUERY WHERE query_id LIKE 'callboard-") && sql.contains("[3]) < "))
        .count();
    assert!(
        kills >= 3,
        "{kills} kills: connecting, the drill-down and Explore each fetch"
    );
    std::fs::write(
        common::screenshots().join("clickhouse-explore.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    session.step("every dimension the table has is offered; modules, asked for, are all empty");
    for dimension in ["status", "module", "user"] {
        assert!(
            !page.group_is_unavailable(dimension).await,
            "{dimension} is offered from the table's columns"
        );
    }
    page.group_by("module").await;
    eventually("no modules in the records", || async {
        page.text_now("unavailable").await.is_some_and(|t| t.contains("module"))
    })
    .await;

    session.step("more IPs than a view lists: the busiest 1,000 one by one, the rest in one row");
    // 1,500 on one day (ten with 5 requests, the rest with 1), so the
    // 1,000 busiest are listed one by one and the other 500 requests counted together in a row
    // that links nowhere, below the listed ones; every total holds them.
    run(&first, "DROP TABLE IF EXISTS callboard_e2e.many");
    run(
        &first,
        &format!("CREATE TABLE callboard_e2e.many ({columns}) ENGINE = MergeTree ORDER BY timestamp"),
    );
    let noon = to.and_hms_opt(12, 0, 0).expect("noon").and_utc().timestamp();
    run(
        &first,
        &format!(
            "INSERT INTO callboard_e2e.many SELECT toDateTime({noon} + number), 'c1', 'One', 'GET', '/a', 200, concat('10.1.', toString(intDiv(number, 250)), '.', toString(number % 250)), '', '', 0, 1.0, if(number < 10, 5, 1) FROM numbers(1500)"
        ),
    );
    let many = format!(
        "{base}?from={to}&to={to}&tz=UTC&view=explore&by=ip&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=many"))
    );
    page.goto(&many).await;
    eventually("the rest's row", || async {
        page.rest_row()
            .await
            .is_some_and(|(_, requests, _, _)| requests == "500")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "1,540");
    assert_eq!(
        page.text("table-count").await,
        "1,000 IP addresses with most requests, the rest in one row"
    );
    let first_rows: Vec<(String, String)> = page
        .rows("table-ip", &["requests"])
        .await
        .into_iter()
        .take(2)
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        first_rows,
        [
            ("10.1.0.0".to_owned(), "5".to_owned()),
            ("10.1.0.1".to_owned(), "5".to_owned())
        ]
    );
    assert_eq!(
        page.rest_row().await,
        Some(("Other IP addresses".to_owned(), "500".to_owned(), 0, true)),
        "named, linking nowhere, above the total"
    );
    assert!(page.text("card-ip").await.contains("top 5 of the 1,000 busiest"));
    std::fs::write(
        common::screenshots().join("clickhouse-many-ips.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("latencies counted by the cluster: the counts first, then each IP's p50 and p95");
    // Explore by IP in UTC with the p95 chart. Each IP's p50
    // and p95, and its p95 per day, are the nearest ranks of its requests' latencies.
    let latencies = |ip: &str, day: Option<chrono::NaiveDate>| {
        let mut v: Vec<u64> = rows
            .iter()
            .filter(|r| {
                r.6 == ip
                    && day.is_none_or(|d| chrono::DateTime::from_timestamp(r.0, 0).is_some_and(|t| t.date_naive() == d))
            })
            .map(|r| (latency_ms(r.0) * 1000.0).round() as u64)
            .collect();
        v.sort_unstable();
        v
    };
    let rank = |v: &[u64], p: usize| {
        v.get((v.len() * p).div_ceil(100).saturating_sub(1))
            .map(|&us| usage_core::format::decimal(us as f64 / 1000.0, 1))
    };
    let p95_link = format!(
        "{base}?from={from}&to={to}&tz=UTC&view=explore&by=ip&metric=p95&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
    );
    // With the cluster slow to count latencies, the counts show first, the percentiles after.
    SLOW_LATENCY.store(true, Ordering::SeqCst);
    page.goto(&p95_link).await;
    let asked_at = std::time::Instant::now();
    // Each IP's requests and p95 cell (none until the table has latencies).
    eventually("the IPs' counts, before their percentiles", || async {
        let shown = page.rows("table-ip", &["requests", "p95"]).await;
        shown.len() == 9
            && shown
                .iter()
                .all(|r| r[2].parse::<u64>().is_ok_and(|n| n > 0) && (r[3].is_empty() || r[3] == "–"))
    })
    .await;
    assert!(
        asked_at.elapsed() < std::time::Duration::from_secs(4),
        "the counts did not wait for the latencies: {:?}",
        asked_at.elapsed()
    );
    SLOW_LATENCY.store(false, Ordering::SeqCst);
    let expected: Vec<(String, String, String)> = (0..9)
        .map(|i| {
            let ip = format!("198.51.100.{i}");
            let v = latencies(&ip, None);
            (ip, rank(&v, 50).unwrap_or_default(), rank(&v, 95).unwrap_or_default())
        })
        .collect();
    eventually("each IP's p50 and p95, counted by ClickHouse", || async {
        let mut shown: Vec<(String, String, String)> = page
            .rows("table-ip", &["p50", "p95"])
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[2].clone(), r[3].clone()))
            .collect();
        shown.sort();
        shown == expected
    })
    .await;
    assert!(
        asked("quantilesExact(").contains("GROUP BY k"),
        "the table's percentiles: {}",
        asked("quantilesExact(")
    );
    assert_eq!(page.value("metric").await, "p95", "p95 is offered and shown");
    session.step("the chart's p95 per UTC day, counted by the cluster");
    page.click("chart-explore-line-as-table").await;
    let charted = page.chart_table("chart-explore-line").await;
    let heads = charted.first().cloned().unwrap_or_default();
    assert_eq!(heads.len(), 6, "five IPs charted: {heads:?}");
    assert_eq!(charted.len(), 5, "four days: {charted:?}");
    for (k, row) in charted.iter().skip(1).enumerate() {
        let day = from.checked_add_days(Days::new(k as u64)).expect("a day");
        for (ip, cell) in heads.iter().zip(row).skip(1) {
            let want = rank(&latencies(ip, Some(day)), 95).map_or_else(|| "–".to_owned(), |ms| format!("{ms} ms"));
            assert_eq!(cell, &want, "{ip} on {day}");
        }
    }
    assert!(
        asked("quantileExact(").contains("toStartOfDay(timestamp, 'UTC')"),
        "the chart's p95 per UTC day: {}",
        asked("quantileExact(")
    );
    std::fs::write(
        common::screenshots().join("clickhouse-latency.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("a day in Kathmandu, compared with the day before, counted on Kathmandu's clock");
    // One day in Kathmandu (+05:45), compared with the day before: ClickHouse counts on that
    // clock, so each day holds exactly the requests of the local day, as the file would show.
    let day = today().checked_sub_days(Days::new(2)).expect("a day");
    let local_day = |d: chrono::NaiveDate| {
        let start = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp() - (5 * 3_600 + 45 * 60);
        rows.iter().filter(|r| r.0 >= start && r.0 < start + 86_400).count() as u64
    };
    let (shown, before) = (
        local_day(day),
        local_day(day.checked_sub_days(Days::new(1)).expect("the day before")),
    );
    let utc_day = rows
        .iter()
        .filter(|r| chrono::DateTime::from_timestamp(r.0, 0).is_some_and(|t| t.date_naive() == day))
        .count() as u64;
    assert_ne!(shown, utc_day, "the records tell Kathmandu's day from UTC's");
    let source = js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"));
    page.goto(&format!(
        "{base}?from={day}&to={day}&tz=Asia%2FKathmandu&compare=previous&source={source}&kind=clickhouse"
    ))
    .await;
    eventually("Kathmandu's day", || async {
        page.text("kpi-total-requests").await == shown.to_string()
    })
    .await;
    let change = usage_core::format::count_change(shown, before).text;
    eventually("the change against Kathmandu's day before", || async {
        page.text("kpi-total-requests-change").await.contains(&change)
    })
    .await;
    assert!(
        last().contains("toStartOfHour(timestamp, 'Asia/Kathmandu')"),
        "counted on Kathmandu's clock: {}",
        last()
    );
    assert!(
        page.text("live-caveat").await.contains("in Asia/Kathmandu hours"),
        "{}",
        page.text("live-caveat").await
    );
    std::fs::write(
        common::screenshots().join("clickhouse-kathmandu.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("the Today view counts the last hour's requests per 10 minutes");
    // 7 requests in the last hour, in ClickHouse alone (the range views never
    // include today), counted per 10 minutes by client and status only, as the view shows them.
    // They are today's in UTC even just after midnight, or the overview's yesterday would count
    // them too.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let since = (now - 1_200).max(now - now.rem_euclid(86_400));
    let mut body = String::from("INSERT INTO callboard_e2e.usage_local FORMAT TabSeparated\n");
    for (i, status) in [200, 200, 200, 200, 200, 503, 503].iter().enumerate() {
        body.push_str(&format!(
            "{}\tc1\tClient 1\tGET\t/v1/orders\t{status}\t198.51.100.1\t\t\t0\t12.5\t1\n",
            since + (now - since) * i as i64 / 7
        ));
    }
    run(&first, &body);
    page.goto(&format!("{base}?view=today&source={source}&kind=clickhouse"))
        .await;
    eventually("the last hour's 7 requests", || async {
        page.text("today-total").await == "7"
    })
    .await;
    assert_eq!(page.text("today-error-rate").await, "28.6%", "2 of 7 failed");
    // Clients by status per 10 minutes, which the KPI tiles read too.
    assert!(
        last().contains("intDiv(toMinute(timestamp, 'UTC'), 10) * 600 AS b"),
        "per 10 minutes: {}",
        last()
    );
    assert!(
        last().contains("GROUP BY b, client_id, status ORDER BY b"),
        "grouped by what the view shows: {}",
        last()
    );
    std::fs::write(
        common::screenshots().join("clickhouse-today.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("hours on request, then a stopped server: its message, and the last good data stays");
    page.goto(&format!(
        "{base}?from={from}&to={to}&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
    ))
    .await;
    eventually("ClickHouse's figures again", || async { kpis().await == from_file }).await;
    std::fs::write(
        common::screenshots().join("clickhouse-overview.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    // Four days come in days, but the Buckets choice offers hours (ClickHouse is asked again for
    // them), and a link's g=hour is counted in hours, with the same totals.
    eventually("hours offered", || async {
        page.options("granularity").await.iter().any(|o| o.0 == "hour")
    })
    .await;
    page.goto(&format!(
        "{base}?from={from}&to={to}&tz=UTC&g=hour&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
    ))
    .await;
    eventually("counted in hours", || async {
        page.text("live-caveat").await.contains("in UTC hours")
    })
    .await;
    eventually("the same KPIs in hours", || async { kpis().await == from_file }).await;
    assert!(
        last().contains("toUInt32(toStartOfHour(timestamp, 'UTC')) AS b"),
        "hours asked for: {}",
        last()
    );
    assert_eq!(page.value("granularity").await, "hour");
    STOPPED.store(true, Ordering::SeqCst);
    page.click("live-refresh").await;
    eventually("the stopped server's message", || async {
        page.text("live-failure").await.contains("Could not reach ClickHouse")
    })
    .await;
    assert_eq!(kpis().await, from_file, "the last good data stays");
    STOPPED.store(false, Ordering::SeqCst);

    session.step("a server on an origin the policy does not list: the message names the setting and connect-src");
    let direct = format!(
        "{base}?from={from}&to={to}&source={}&kind=clickhouse",
        js_encode(&format!("{first}/?database=callboard_e2e&table=usage"))
    );
    page.goto(&direct).await;
    eventually("the cross-origin message", || async {
        let said = page.body_text().await;
        said.contains("add_http_cors_header") && said.contains("connect-src")
    })
    .await;
    session.step("an exception from ClickHouse: a table that is not there");
    page.goto(&format!(
        "{base}?from={from}&to={to}&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=nope"))
    ))
    .await;
    eventually("the missing table's message", || async {
        let said = page.body_text().await;
        said.contains("doesn't exist") && said.contains("docs/clickhouse.md")
    })
    .await;
    session.step("a read-only user (its profile has readonly=1) gets the same figures, under the profile's limits");
    STOPPED.store(false, Ordering::SeqCst);
    page.goto(&format!("{base}?from={from}&to={to}")).await;
    page.kpi("total-requests").await;
    page.connect_clickhouse(
        &format!("{base}clickhouse"),
        "callboard_e2e",
        "usage",
        Some(("reader", "read-only-2")),
    )
    .await;
    eventually("the read-only user's figures", || async {
        page.text_now("live-caveat")
            .await
            .is_some_and(|c| c.contains("readonly=1"))
    })
    .await;
    eventually("the same KPIs as the file", || async { kpis().await == from_file }).await;
    std::fs::write(
        common::screenshots().join("clickhouse-readonly.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    assert!(
        !page.exists("live-failure").await,
        "{:?}",
        page.text_now("live-failure").await
    );

    session.step("a wrong password: refused with ClickHouse's message, kept in sessionStorage only");
    page.goto(&format!("{base}?from={from}&to={to}")).await;
    page.text("kpi-total-requests").await;
    page.connect_clickhouse(
        &format!("{base}clickhouse"),
        "callboard_e2e",
        "usage",
        Some(("default", "not-the-password")),
    )
    .await;
    eventually("the refused login's message", || async {
        page.body_text().await.contains("refused the user name or password")
    })
    .await;
    let kept = script(
        client,
        "return [JSON.stringify(sessionStorage), JSON.stringify(localStorage), location.href]",
    )
    .await;
    let kept: Vec<String> = serde_json::from_value(kept).expect("texts");
    assert!(
        kept[0].contains("default:not-the-password"),
        "the login is in sessionStorage"
    );
    assert!(
        !kept[1].contains("not-the-password") && !kept[2].contains("not-the-password"),
        "and nowhere else"
    );

    session.step("a login to a server that never answers the preflight: the deadline passes, and the message says why");
    page.connect_clickhouse(&silent_origin, "callboard_e2e", "usage", Some(("reader", "secret")))
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(18)).await;
    eventually("the unanswered preflight's message", || async {
        page.body_text().await.contains("never answers")
    })
    .await;
    session.end().await;
}

/// `text` percent-encoded for a query string value.
fn js_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
