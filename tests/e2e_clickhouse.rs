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
use fantoccini::Locator;

mod common;
use common::{ONE_BROWSER, click, eventually, reply, script, start, text, today};

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
    client
        .goto(&format!("{base}?from={from}&to={to}"))
        .await
        .expect("open the dashboard");
    page.text("kpi-total-requests").await;
    common::page.open_files(&[file.as_path()]).await;
    eventually("the file is shown", || async {
        page.text("kpi-total-requests").await == "600"
    })
    .await;
    let kpis = || async {
        let mut figures = Vec::new();
        for id in ["kpi-total-requests", "kpi-clients", "kpi-error-rate", "kpi-429"] {
            figures.push(page.text(id).await);
        }
        figures
    };
    let from_file = kpis().await;

    // ClickHouse, chosen in "Connect API…", through the site's own path to it.
    page.click("open-connect").await;
    let set = |id: &'static str, value: String| {
        let client = client.clone();
        async move {
            let field = client
                .find(Locator::Css(&format!("[data-testid={id}]")))
                .await
                .expect("a field");
            field.clear().await.expect("clear");
            field.send_keys(&value).await.expect("type");
        }
    };
    script(&client, "const s = document.querySelector('[data-testid=connect-kind]'); s.value = 'clickhouse'; s.dispatchEvent(new Event('change', { bubbles: true })); return 0").await;
    set("connect-url", format!("{base}clickhouse")).await;
    set("connect-database", "callboard_e2e".to_owned()).await;
    set("connect-table", "usage".to_owned()).await;
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
    // "Connect API…" opened again shows the source's parts, read from the link as the worker reads them.
    page.click("open-connect").await;
    let expected = format!("clickhouse|{base}clickhouse|callboard_e2e|usage");
    let fields = "const v = id => document.querySelector(`[data-testid=${id}]`).value; return ['connect-kind', 'connect-url', 'connect-database', 'connect-table'].map(v).join('|')";
    eventually("the dialog shows the source's parts", || async {
        script(&client, fields).await.as_str() == Some(expected.as_str())
    })
    .await;
    script(&client, "[...document.querySelectorAll('[data-testid=connect-dialog] footer button')].find(b => b.textContent === 'Cancel').click(); return 0").await;
    let search = script(&client, "return location.search").await;
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

    // A drill-down to the client with a quote in its name: the filter goes to the cluster.
    let brien = rows.iter().filter(|r| r.1 == "c5").count();
    let link = script(&client, "const a = [...document.querySelectorAll('a.drill')].find(a => a.textContent.includes('Brien')); return a && a.getAttribute('href')").await;
    let href = link.as_str().expect("a drill-down link to O'Brien").to_owned();
    let origin = base.trim_end_matches(common::SUB_PATH);
    client.goto(&format!("{origin}{href}")).await.expect("drill down");
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
    // Explore by IP: the cluster groups by the view's own dimension.
    let explore = format!(
        "{base}?from={from}&to={to}&view=explore&by=ip&source={}&kind=clickhouse",
        js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
    );
    client.goto(&explore).await.expect("explore by IP");
    eventually("nine IPs", || async {
        script(
            &client,
            "return document.querySelectorAll('[data-testid=table-ip] tbody tr').length",
        )
        .await
        .as_u64()
            == Some(9)
    })
    .await;
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
    // Every dimension the table has is offered, though this view asked only for IPs: status
    // codes (exact in ClickHouse), modules and users. Modules, once asked for, are all empty here.
    let offered = "return ['status', 'module', 'user'].map(d => document.querySelector(`[data-testid=by-${d}]`).classList.contains('chip--unavailable'))";
    assert_eq!(
        script(&client, offered).await,
        serde_json::json!([false, false, false]),
        "offered from the table's columns"
    );
    client
        .find(Locator::Css("[data-testid=by-module]"))
        .await
        .expect("by module")
        .click()
        .await
        .expect("click");
    eventually("no modules in the records", || async {
        script(
            &client,
            "return document.querySelector('[data-testid=unavailable]')?.textContent ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|t| t.contains("module"))
    })
    .await;

    // More IPs than a view lists: 1,500 on one day (ten with 5 requests, the rest with 1), so the
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
    client.goto(&many).await.expect("many IPs");
    let rest = "return document.querySelector('[data-testid=table-rest] td[data-col=requests]')?.textContent ?? ''";
    eventually("the rest's row", || async {
        script(&client, rest).await == serde_json::json!("500")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "1,540");
    assert_eq!(
        page.text("table-count").await,
        "1,000 IP addresses with most requests, the rest in one row"
    );
    let first_rows = "return [...document.querySelectorAll('[data-testid=table-ip] tbody tr')].slice(0, 2).map(r => [r.dataset.key, r.querySelector('[data-col=requests]').textContent])";
    assert_eq!(
        script(&client, first_rows).await,
        serde_json::json!([["10.1.0.0", "5"], ["10.1.0.1", "5"]])
    );
    let rest_row = "const r = document.querySelector('[data-testid=table-rest]'); return [r.querySelector('th').textContent, r.querySelectorAll('a').length, r.nextElementSibling.classList.contains('table__total')]";
    assert_eq!(
        script(&client, rest_row).await,
        serde_json::json!(["Other IP addresses", 0, true]),
        "named, linking nowhere, above the total"
    );
    assert!(page.text("card-ip").await.contains("top 5 of the 1,000 busiest"));
    std::fs::write(
        common::screenshots().join("clickhouse-many-ips.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    // Latencies, counted by the cluster: Explore by IP in UTC with the p95 chart. Each IP's p50
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
    client.goto(&p95_link).await.expect("explore by IP, p95");
    let asked_at = std::time::Instant::now();
    // Each IP's requests and p95 cell (none until the table has latencies).
    let cells = "return [...document.querySelectorAll('[data-testid=table-ip] tbody tr')].map(r => [r.querySelector('[data-col=requests]')?.textContent ?? '', r.querySelector('[data-col=p95]')?.textContent ?? ''])";
    eventually("the IPs' counts, before their percentiles", || async {
        let shown: Vec<(String, String)> = serde_json::from_value(script(&client, cells).await).unwrap_or_default();
        shown.len() == 9
            && shown
                .iter()
                .all(|(requests, p95)| requests.parse::<u64>().is_ok_and(|n| n > 0) && (p95.is_empty() || p95 == "–"))
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
    let table = "return [...document.querySelectorAll('[data-testid=table-ip] tbody tr')].map(r => [r.dataset.key, r.querySelector('[data-col=p50]')?.textContent ?? '', r.querySelector('[data-col=p95]')?.textContent ?? '']).sort()";
    eventually("each IP's p50 and p95, counted by ClickHouse", || async {
        serde_json::from_value::<Vec<(String, String, String)>>(script(&client, table).await).ok()
            == Some(expected.clone())
    })
    .await;
    assert!(
        asked("quantilesExact(").contains("GROUP BY k"),
        "the table's percentiles: {}",
        asked("quantilesExact(")
    );
    assert_eq!(
        script(&client, "return document.querySelector('[data-testid=metric]').value")
            .await
            .as_str(),
        Some("p95"),
        "p95 is offered and shown"
    );
    page.click("chart-explore-line-as-table").await;
    let chart = "const t = document.querySelector('[data-testid=chart-explore-line-table]'); return t ? [[...t.querySelectorAll('thead th')].map(c => c.textContent), ...[...t.querySelectorAll('tbody tr')].map(r => [...r.children].map(c => c.textContent))] : []";
    let charted: Vec<Vec<String>> = serde_json::from_value(script(&client, chart).await).expect("the chart's table");
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
    client
        .goto(&format!(
            "{base}?from={day}&to={day}&tz=Asia%2FKathmandu&compare=previous&source={source}&kind=clickhouse"
        ))
        .await
        .expect("Kathmandu");
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

    // The Today view: 7 requests in the last hour, in ClickHouse alone (the range views never
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
    client
        .goto(&format!("{base}?view=today&source={source}&kind=clickhouse"))
        .await
        .expect("the Today view");
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

    // Back to the overview; then the server stops: its message, and the last good data stays.
    client
        .goto(&format!(
            "{base}?from={from}&to={to}&source={}&kind=clickhouse",
            js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
        ))
        .await
        .expect("overview");
    eventually("ClickHouse's figures again", || async { kpis().await == from_file }).await;
    std::fs::write(
        common::screenshots().join("clickhouse-overview.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    // Four days come in days, but the Buckets choice offers hours (ClickHouse is asked again for
    // them), and a link's g=hour is counted in hours, with the same totals.
    let options = "return [...document.querySelectorAll('[data-testid=granularity] option')].map(o => o.value)";
    eventually("hours offered", || async {
        script(&client, options)
            .await
            .as_array()
            .is_some_and(|o| o.iter().any(|v| v == "hour"))
    })
    .await;
    client
        .goto(&format!(
            "{base}?from={from}&to={to}&tz=UTC&g=hour&source={}&kind=clickhouse",
            js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=usage"))
        ))
        .await
        .expect("hours");
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
    assert_eq!(
        script(
            &client,
            "return document.querySelector('[data-testid=granularity]').value"
        )
        .await
        .as_str(),
        Some("hour")
    );
    STOPPED.store(true, Ordering::SeqCst);
    page.click("live-refresh").await;
    eventually("the stopped server's message", || async {
        page.text("live-failure").await.contains("Could not reach ClickHouse")
    })
    .await;
    assert_eq!(kpis().await, from_file, "the last good data stays");
    STOPPED.store(false, Ordering::SeqCst);

    // The server itself, on another origin this page's policy does not list: the message names
    // the setting and connect-src, at once rather than after a hang.
    let direct = format!(
        "{base}?from={from}&to={to}&source={}&kind=clickhouse",
        js_encode(&format!("{first}/?database=callboard_e2e&table=usage"))
    );
    client.goto(&direct).await.expect("cross-origin");
    eventually("the cross-origin message", || async {
        let said = script(&client, "return document.body.textContent").await;
        said.as_str()
            .is_some_and(|s| s.contains("add_http_cors_header") && s.contains("connect-src"))
    })
    .await;
    // A ClickHouse answer that is an exception: a table that is not there.
    client
        .goto(&format!(
            "{base}?from={from}&to={to}&source={}&kind=clickhouse",
            js_encode(&format!("{base}clickhouse/?database=callboard_e2e&table=nope"))
        ))
        .await
        .expect("no such table");
    eventually("the missing table's message", || async {
        let said = script(&client, "return document.body.textContent").await;
        said.as_str()
            .is_some_and(|s| s.contains("doesn't exist") && s.contains("docs/clickhouse.md"))
    })
    .await;
    // A wrong password, entered in the dialog: kept in sessionStorage for that origin only, sent
    // as HTTP Basic, refused by ClickHouse with its own message.
    client
        .goto(&format!("{base}?from={from}&to={to}"))
        .await
        .expect("the demo again");
    page.text("kpi-total-requests").await;
    page.click("open-connect").await;
    script(&client, "const s = document.querySelector('[data-testid=connect-kind]'); s.value = 'clickhouse'; s.dispatchEvent(new Event('change', { bubbles: true })); return 0").await;
    set("connect-url", format!("{base}clickhouse")).await;
    set("connect-database", "callboard_e2e".to_owned()).await;
    set("connect-table", "usage".to_owned()).await;
    set("connect-user", "default".to_owned()).await;
    set("connect-token", "not-the-password".to_owned()).await;
    page.click("connect-go").await;
    eventually("the refused login's message", || async {
        script(&client, "return document.body.textContent")
            .await
            .as_str()
            .is_some_and(|s| s.contains("refused the user name or password"))
    })
    .await;
    let kept = script(
        &client,
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

    // A login to a server on another origin that the policy allows but that never answers the
    // preflight the login's header needs: the deadline passes, and the message says why.
    page.click("open-connect").await;
    script(&client, "const s = document.querySelector('[data-testid=connect-kind]'); s.value = 'clickhouse'; s.dispatchEvent(new Event('change', { bubbles: true })); return 0").await;
    set("connect-url", silent_origin.clone()).await;
    set("connect-database", "callboard_e2e".to_owned()).await;
    set("connect-table", "usage".to_owned()).await;
    set("connect-user", "reader".to_owned()).await;
    set("connect-token", "secret".to_owned()).await;
    page.click("connect-go").await;
    tokio::time::sleep(std::time::Duration::from_secs(18)).await;
    eventually("the unanswered preflight's message", || async {
        script(&client, "return document.body.textContent")
            .await
            .as_str()
            .is_some_and(|s| s.contains("never answers"))
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
