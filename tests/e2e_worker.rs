//! End to end: the ingest worker, offline use and updates, in the release build under
//! the strict Content-Security-Policy.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use chrono::Days;
use fantoccini::Client;
use serde_json::json;
use usage_core::load::{Mappings, load_in_memory};

mod common;

use common::{Cdp, OFFLINE, Request, Session, console_log, eventually, fixture, screenshots, script, today, workers};

fn no_routes(_: &Request, _: &mut TcpStream) -> bool {
    false
}

fn day(ago: u64) -> chrono::NaiveDate {
    today().checked_sub_days(Days::new(ago)).expect("a past day")
}

/// A deterministic mix of clients, templates, statuses, users, IPs and measures over the last 30 days.
fn varied_csv(rows: usize) -> String {
    let mut out =
        String::from("timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for _ in 0..rows {
        let (ago, second) = (1 + next(30), next(86_400));
        let client = next(40);
        let status = [200, 200, 200, 201, 304, 404, 429, 500, 503][next(9) as usize];
        out.push_str(&format!(
            "{}T{:02}:{:02}:{:02}Z,c{client},\"Client, {client} Ü\",GET,/api/v2/items/{},/api/v2/items/{{id}},{status},192.0.2.{},u{},m{},{},{}.{}\n",
            day(ago),
            second / 3600,
            second / 60 % 60,
            second % 60,
            next(1000),
            next(250),
            next(12),
            next(5),
            next(100_000),
            next(900),
            next(10)
        ));
    }
    out
}

/// An nginx log with escaped users and TLS handshakes, `lines` long.
fn access_log(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            let when = format!("{}:{:02}:{:02}:{:02} +0100", day(2 + (i % 5) as u64).format("%d/%b/%Y"), i % 24, i % 60, i % 60);
            if i % 97 == 0 {
                format!("198.51.100.{} - - [{when}] \"\\x16\\x03\\x01\\x00\\xA5\" 400 157 \"-\" \"-\"\n", i % 200)
            } else {
                format!("198.51.100.{} - Z\\xC3\\xBCrich {} [{when}] \"GET /api/users/{i} HTTP/1.1\" {} {} \"-\" \"curl\"\n", i % 200, i % 7, [200, 404, 503][i % 3], i)
            }
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("gzip")
}

async fn fingerprint(client: &Client) -> String {
    script(client, "return window.__callboardFingerprint()")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

// Guards the worker path: files read in the ingest worker (a CSV, a gzip-compressed access
// log through the browser's DecompressionStream, NDJSON with a broken line) give exactly the store the
// in-thread reader gives for the same bytes; a load cancelled midway leaves the data on screen and no
// worker running; a file too large for the tab is refused from its size and first rows.
#[tokio::test(flavor = "multi_thread")]
async fn the_worker_reads_exactly_what_the_core_reads() {
    OFFLINE.store(false, Ordering::SeqCst);
    let session = Session::start(no_routes, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    session.step("three files through the worker: a CSV, a gzipped access log, NDJSON with a broken line");
    page.goto(&format!("{base}?bench")).await;
    page.kpi("total-requests").await;

    let csv = varied_csv(20_000);
    let log = access_log(5_000);
    let ndjson = format!(
        "{}\n{{\"timestamp\":\"{}T1\n{}\n",
        (0..500)
            .map(|i| format!(
                r#"{{"timestamp":"{}T10:00:{:02}Z","client":"app-{}","status":{},"path":"/x/{i}"}}"#,
                day(3),
                i % 60,
                i % 9,
                [200, 500][i % 2]
            ))
            .collect::<Vec<_>>()
            .join("\n"),
        day(3),
        (0..200)
            .map(|i| format!(
                r#"{{"timestamp":"{}T11:00:{:02}Z","client":"app-x","status":204}}"#,
                day(4),
                i % 60
            ))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let gzipped = gzip(log.as_bytes());
    let paths: Vec<PathBuf> = vec![
        fixture("e2e-worker.csv", &csv),
        fixture("e2e-worker.log.gz", &gzipped),
        fixture("e2e-worker.ndjson", &ndjson),
    ];
    page.open_files(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>())
        .await;
    eventually("the three files are read", || async {
        page.text("file-banner").await.contains("e2e-worker.ndjson")
    })
    .await;
    let banner = page.text("file-banner").await;
    assert!(
        banner.contains("e2e-worker.log.gz (nginx/Apache access log)"),
        "the gzip file is read as what it holds: {banner}"
    );

    session.step("the worker's store is the in-thread reader's for the same bytes");
    let in_thread = load_in_memory(
        &[
            ("e2e-worker.csv", csv.as_bytes()),
            ("e2e-worker.log.gz", log.as_bytes()),
            ("e2e-worker.ndjson", ndjson.as_bytes()),
        ],
        Mappings::new(),
        1 << 20,
    )
    .expect("readable");
    assert_eq!(in_thread.store.len(), 20_000 + 5_000 + 700);
    assert_eq!(
        fingerprint(client).await,
        in_thread.store.fingerprint(),
        "the worker's store is the in-thread reader's"
    );

    session.step("Cancel midway through a large file: the data on screen stays, and the worker is gone");
    let before = page.text("kpi-total-requests").await;
    let big = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-big.csv");
    {
        let block = varied_csv(20_000);
        let rows = block.split_once('\n').map(|(_, rows)| rows).unwrap_or_default();
        let mut file = std::io::BufWriter::new(std::fs::File::create(&big).expect("create the big file"));
        file.write_all(block.as_bytes()).expect("write");
        for _ in 0..120 {
            file.write_all(rows.as_bytes()).expect("write");
        }
    }
    page.open_files(&[&big]).await;
    eventually("the big file is being read", || async {
        page.load_progress().await.is_some_and(|done| done > 0.05)
    })
    .await;
    assert_eq!(workers(client).await, 1, "the load runs in a worker");
    page.click("load-cancel").await;
    eventually("the cancel is said", || async {
        page.text("load-error").await.contains("cancelled")
    })
    .await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        before,
        "the data on screen stays"
    );
    eventually("no worker is left running", || async { workers(client).await == 0 }).await;

    session.step("a 5 TB file is refused from its size and first rows, before the tab runs out of memory");
    let huge = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-huge.csv");
    {
        let mut file = std::fs::File::create(&huge).expect("create");
        // Enough text that the first 64 KiB, which say what the file is, are all text.
        file.write_all(varied_csv(2_000).as_bytes()).expect("write");
        file.set_len(5_000_000_000_000).expect("a sparse 5 TB file");
    }
    page.open_files(&[&huge]).await;
    eventually("the huge file is refused", || async {
        page.text("load-error")
            .await
            .contains("more than the 25,000,000 Callboard can hold")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, before);
    eventually("no worker is left running", || async { workers(client).await == 0 }).await;
    let _ = std::fs::remove_file(&huge);
    let _ = std::fs::remove_file(&big);
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");
    session.end().await;
}

/// Takes the browser offline (or back online) as a laptop losing its network does: Chromium's
/// network emulation for the page, and the test server dropping every connection besides.
async fn offline(client: &fantoccini::Client, offline: bool) {
    client
        .issue_cmd(Cdp("Network.enable", json!({})))
        .await
        .expect("the DevTools network domain");
    let conditions = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
    client
        .issue_cmd(Cdp("Network.emulateNetworkConditions", conditions))
        .await
        .expect("network emulation");
    OFFLINE.store(offline, Ordering::SeqCst);
}

// Guards offline use and updates: after one visit, offline as a laptop in a train is (the
// browser's own network emulation, with the server gone too), the reload shows the dashboard and
// a file opens (the worker comes from the cache too). Nothing is used before going offline but
// the first view. A new deploy under the same path waits; the page says "A new version is
// available", and Reload moves it to the new version, whose cache replaces the old one.
#[tokio::test(flavor = "multi_thread")]
async fn offline_after_one_visit_and_the_new_version_prompt() {
    OFFLINE.store(false, Ordering::SeqCst);
    // A deploy of its own, which the test changes later.
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-deploy");
    let _ = std::fs::remove_dir_all(&deploy);
    std::fs::create_dir_all(&deploy).expect("deploy folder");
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("dist"))
        .expect("dist")
        .flatten()
    {
        std::fs::copy(entry.path(), deploy.join(entry.file_name())).expect("copy the build");
    }
    let session = Session::start_in(deploy.clone(), no_routes, String::new(), None).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    session.step("one visit: the service worker controls the page, with one cache");
    page.goto(&base).await;
    let demo_total = page.kpi("total-requests").await;
    eventually("the service worker controls the page", || async {
        script(client, "return !!navigator.serviceWorker.controller").await == json!(true)
    })
    .await;
    let caches = script(client, "return caches.keys()").await;
    assert_eq!(caches.as_array().map(Vec::len), Some(1), "{caches}");

    session.step("offline, the dashboard reloads");
    offline(client, true).await;
    client.refresh().await.expect("reload offline");
    assert_eq!(
        page.text("kpi-total-requests").await,
        demo_total,
        "the dashboard opens offline"
    );
    session.step("offline, a link to Explore opens as its first page (code the overview never ran)");
    // A split page once fetched that part synchronously here, which no service worker sees.
    page.goto(&format!("{base}?view=explore&by=ip")).await;
    page.text("chart-explore-line").await;
    assert_eq!(
        page.startup_failure_parts().await.0,
        0,
        "{:?}",
        page.text_now("startup-failure").await
    );
    session.step("offline, a file opens (the worker comes from the cache too)");
    page.goto(&base).await;
    assert_eq!(page.text("kpi-total-requests").await, demo_total);
    let csv = fixture(
        "e2e-offline.csv",
        format!(
            "timestamp,client_id,template,status\n{d}T10:00:00Z,a,/x,200\n{d}T11:00:00Z,b,/x,500\n{d}T12:00:00Z,b,/x,200\n",
            d = day(2)
        ),
    );
    page.open_files(&[&csv]).await;
    eventually("a file opens offline", || async {
        page.text("kpi-total-requests").await == "3"
    })
    .await;
    std::fs::write(
        screenshots().join("offline.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save offline.png");
    assert!(
        console_log(client).await.iter().all(|m| !m.contains("XMLHttpRequest")),
        "no part of the app is loaded synchronously"
    );
    offline(client, false).await;

    session.step("a new deploy under the same path waits, and the page says so");
    let sw = deploy.join("sw.js");
    let changed =
        std::fs::read_to_string(&sw)
            .expect("sw.js")
            .replacen("const VERSION = \"", "const VERSION = \"next-", 1);
    std::fs::write(&sw, changed).expect("deploy a new version");
    client.refresh().await.expect("reload after the deploy");
    let shown = page.text("kpi-total-requests").await;
    eventually("the new version is announced", || async {
        page.text("update-prompt")
            .await
            .contains("A new version of Callboard is available")
    })
    .await;
    std::fs::write(
        screenshots().join("update-prompt.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save update-prompt.png");
    session.step("Reload moves to the new version, whose cache replaces the old one");
    page.click("update-reload").await;
    eventually("the page runs the new version", || async {
        script(
            client,
            "return caches.keys().then(k => k.length === 1 && k[0].startsWith('callboard-next-'))",
        )
        .await
            == json!(true)
            && !page.exists("update-prompt").await
    })
    .await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        shown,
        "the same view, now from the new version"
    );
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");
    session.end().await;
}
