//! End to end: what a hostile or unlucky user does, in the release build under the
//! strict Content-Security-Policy. Files given twice, UTF-16 and mislabelled columns, names that
//! reorder their own text, crafted links, and servers that trickle, lie about their size, send
//! gzip bombs or redirect a token elsewhere. Every case keeps the data on screen and says why.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Days;
use serde_json::json;

mod common;

use common::{Request, Session, eventually, fixture, reply, screenshots, script, serve_api, today};

const TOKEN: &str = "hostile-token-51c2";

/// The second origin's port: a server the token must never reach.
static OTHER_PORT: AtomicU16 = AtomicU16::new(0);
/// Every Authorization header the second origin received, and how many requests it answered.
static OTHER_AUTHORIZATIONS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static OTHER_REQUESTS: AtomicUsize = AtomicUsize::new(0);

/// A day of usage in Callboard's contract, dated yesterday: 7 requests from one client.
fn usage_document() -> String {
    let yesterday = today().checked_sub_days(Days::new(1)).expect("a day");
    format!(
        r#"{{"granularity":"day","buckets":[{{"start":"{yesterday}T00:00:00Z","client_id":"far","client_name":"Far Away","status":{{"2xx":6,"5xx":1}}}}]}}"#
    )
}

/// The second origin: it answers usage with CORS headers and notes any Authorization it gets.
fn other_origin(request: &Request, stream: &mut TcpStream) -> bool {
    OTHER_REQUESTS.fetch_add(1, Ordering::SeqCst);
    if !request.authorization.is_empty() {
        OTHER_AUTHORIZATIONS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.authorization.clone());
    }
    let cors = "Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: Authorization, Content-Type\r\n";
    if request.method == "OPTIONS" {
        reply(stream, "204 No Content", cors, b"");
    } else if request.route.ends_with("/usage") {
        reply(stream, "200 OK", cors, usage_document().as_bytes());
    } else {
        reply(stream, "404 Not Found", cors, b"{}");
    }
    true
}

/// The hostile servers on the page's own origin, by route.
fn hostile(request: &Request, stream: &mut TcpStream) -> bool {
    match request.route.as_str() {
        "good/usage" => reply(stream, "200 OK", "", usage_document().as_bytes()),
        // A redirect of a request that carries the token to another origin.
        "redirect/usage" => {
            let to = format!(
                "Location: http://127.0.0.1:{}/elsewhere/usage?{}\r\n",
                OTHER_PORT.load(Ordering::SeqCst),
                request.query
            );
            reply(stream, "302 Found", &to, b"");
        }
        // Headers at once, then one byte a second: only a deadline on the whole body ends it.
        "trickle/usage" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{\"granularity\":\"day\",\"buckets\":[";
            let _ = stream.write_all(head.as_bytes());
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(40)
                && stream.write_all(b" ").and_then(|_| stream.flush()).is_ok()
            {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        // Lengths that do not fit 32 bits: 5 GB and 2^32 + 1. The body never comes.
        "five-gb/usage" => reply(stream, "200 OK", "Content-Length: 5000000000\r\n", b"{"),
        "two-to-the-32/usage" => reply(stream, "200 OK", "Content-Length: 4294967297\r\n", b"{"),
        // 300 MiB of zeros, gzip-compressed to a few hundred KiB: the decoded bytes must be counted.
        "bomb/usage" => reply(stream, "200 OK", "Content-Encoding: gzip\r\n", &gzip_bomb()),
        _ => return false,
    }
    true
}

fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..300 {
        encoder.write_all(&zeros).expect("compress");
    }
    encoder.finish().expect("a gzip stream")
}

// Guards hostile files in the browser: a file given twice is counted once;
// UTF-16 opens; a column choice that reads nothing is not saved and can be changed; a name with a
// direction override is isolated and shown with the override visible; a crafted range is shortened.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_files_and_links() {
    let session = Session::start(hostile, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let day = |ago: u64| today().checked_sub_days(Days::new(ago)).expect("a past day");
    page.goto(&base).await;
    page.kpi("total-requests").await;

    session.step("the same file twice, and a copy under another name: read once, and said");
    let csv = format!(
        "timestamp,client_id,client_name,template,status\n{d}T10:00:00Z,a,Alpha,/x,200\n{d}T11:00:00Z,b,Invoice\u{202E}fdp.exe,/x,500\n",
        d = day(2)
    );
    let first = fixture("e2e-dup.csv", &csv);
    let copy = fixture("e2e-dup-copy.csv", &csv);
    page.open_files(&[&first, &first, &copy]).await;
    eventually("the file is counted once", || async {
        page.text("kpi-total-requests").await == "2"
    })
    .await;
    assert_eq!(
        page.texts("duplicate-file").await,
        ([
            "e2e-dup.csv was chosen twice; it was read once.",
            "e2e-dup-copy.csv has the same size and content as e2e-dup.csv; it was read once, so nothing is counted twice."
        ])
    );

    session.step("a direction override in a name is shown as a visible mark, isolated");
    let names = page.row_names("table-clients").await;
    assert_eq!(
        names.iter().find(|n| n.contains("Invoice")).map(String::as_str),
        Some("Invoice⟨U+202E⟩fdp.exe")
    );

    session.step("UTF-16 with a byte-order mark opens, and the banner says it was converted");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in format!(
        "timestamp,client_id,client_name,template,status\r\n{}T09:00:00Z,z,Zürich Wallboard,/z,200\r\n",
        day(3)
    )
    .encode_utf16()
    {
        utf16.extend(unit.to_le_bytes());
    }
    page.open_files(&[&fixture("e2e-utf16.csv", utf16)]).await;
    eventually("the UTF-16 file is read", || async {
        page.text("kpi-total-requests").await == "1"
    })
    .await;
    assert!(
        page.text("read-note").await.contains("UTF-16"),
        "the banner names the encoding"
    );
    assert!(
        page.text_now("table-clients")
            .await
            .is_some_and(|t| t.contains("Zürich Wallboard")),
        "the name is read intact"
    );

    session.step("a column choice that reads nothing is not saved and can be changed; the right one is remembered");
    let ambiguous = fixture(
        "e2e-date-time.csv",
        format!(
            "date,time,status,client\n{d},10:00,200,ann\n{d},11:00,500,bob\n",
            d = day(1)
        ),
    );
    script(client, "localStorage.removeItem('callboard.csv-mappings.v1')").await;
    page.open_files(&[&ambiguous]).await;
    eventually("the mapping dialog opens", || page.dialog_is_open("mapping-dialog")).await;
    page.map_column("Time or date", "1").await;
    page.click("mapping-confirm").await;
    eventually("the failure says why", || async {
        page.text("load-error")
            .await
            .contains("e2e-date-time.csv has no usable rows")
    })
    .await;
    assert_eq!(
        script(client, "return localStorage.getItem('callboard.csv-mappings.v1')").await,
        json!(null),
        "a choice that read nothing is not saved"
    );
    assert_eq!(page.text("kpi-total-requests").await, "1", "the data on screen stays");
    page.click("change-columns").await;
    eventually("the dialog opens again", || page.dialog_is_open("mapping-dialog")).await;
    page.map_column("Time or date", "0").await;
    page.click("mapping-confirm").await;
    eventually("the rows are read with the date column", || async {
        page.text("kpi-total-requests").await == "2"
    })
    .await;
    client.refresh().await.expect("reload");
    page.text("kpi-total-requests").await;
    page.open_files(&[&ambiguous]).await;
    eventually("the saved choice is used without asking", || async {
        page.text("file-banner").await.contains("e2e-date-time.csv")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "2");

    session.step("an access log's escaped and spaced user names come out exactly, as text");
    // The TLS handshake the server answered counts; the total is the number of lines with a time
    // and a status.
    let clf = |ago: u64, time: &str| format!("{}:{time} +0000", day(ago).format("%d/%b/%Y"));
    let log = format!(
        "198.51.100.1 - Z\\xC3\\xBCrich-wallboard [{}] \"GET /api/users/1 HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n\
         198.51.100.2 - <img src=x onerror=alert(1)> [{}] \"GET /api/users/2 HTTP/1.1\" 404 10 \"-\" \"curl\"\n\
         198.51.100.3 - 東京 ops 🚀 [{}] \"GET /api/users/3 HTTP/1.1\" 200 10 \"-\" \"curl\"\n\
         198.51.100.4 - - [{}] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 157 \"-\" \"-\"\n",
        clf(1, "10:00:00"),
        clf(1, "10:00:01"),
        clf(1, "10:00:02"),
        clf(1, "10:00:03"),
    );
    page.open_files(&[&fixture("e2e-escaped.log", log)]).await;
    eventually("the log is read", || async {
        page.text("file-banner").await.contains("e2e-escaped.log")
    })
    .await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        "4",
        "every line with a time and a status"
    );
    assert_eq!(page.text("kpi-clients").await, "3");
    let mut names = page.client_names().await;
    names.sort();
    assert_eq!(
        names,
        [
            "<img src=x onerror=alert(1)>",
            "Unknown client",
            "Zürich-wallboard",
            "東京 ops 🚀"
        ]
    );
    assert_eq!(page.images_in_names().await, 0, "no element was made from a name");
    assert!(page.text("read-note").await.contains("1 line had no HTTP request line"));
    std::fs::write(
        screenshots().join("access-log-names.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save access-log-names.png");

    session.step(
        "20,000 clients: the closed dialog builds no list; open, it lists the top 200, and search finds the others",
    );
    let many: String = std::iter::once("timestamp,client_id,client_name,template,status\n".to_owned())
        .chain((0..20_000).map(|i| {
            format!(
                "{}T10:00:00Z,k{i:05},Kilo {i:05},/k,{}\n",
                day(1),
                if i % 4 == 0 { 500 } else { 200 }
            )
        }))
        .collect();
    page.open_files(&[&fixture("e2e-many-clients.csv", many)]).await;
    eventually("20,000 clients are read", || async {
        page.text("kpi-clients").await == "20,000"
    })
    .await;
    let listed = || async { page.selection_choices().await.len() };
    assert_eq!(listed().await, 0, "the closed dialog builds no list");
    assert_eq!(page.row_keys("table-clients").await.len(), 100, "one page of the table");
    page.click("open-selection").await;
    eventually("the dialog lists the top 200", || async { listed().await == 200 }).await;
    assert_eq!(
        page.text("selection-clients-more").await,
        "The top 200 of 20,000 are listed: search to find the others."
    );
    page.type_into("selection-search", "kilo 1999").await;
    eventually("search reaches past the top 200", || async {
        page.selection_choices().await.join(",")
            == "k19990,k19991,k19992,k19993,k19994,k19995,k19996,k19997,k19998,k19999"
    })
    .await;
    session.step("Clear and Select all act on every match, not only the 200 listed");
    // A client chosen by search (far below the top 200) is cleared with an empty search.
    page.selection_toggle("k19999").await;
    page.type_into(
        "selection-search",
        &fantoccini::key::Key::Backspace.to_string().repeat("kilo 1999".len()),
    )
    .await;
    let count_is = |said: &'static str| async move { page.selection_count().await == said };
    eventually("the top 5 and k19999 are chosen", || count_is("6 of at most 10 chosen")).await;
    page.button_in("selection-clients", "Clear").await;
    eventually("Clear unchecks the unlisted k19999 too", || {
        count_is("0 of at most 10 chosen")
    })
    .await;
    page.button_in("selection-clients", "Select all").await;
    eventually("Select all fills the 10 places", || count_is("10 of at most 10 chosen")).await;
    page.button_in("selection-dialog", "Cancel").await;
    eventually("the dialog closes and drops its list", || async { listed().await == 0 }).await;

    session.step("a crafted range from the year -262143 is shortened with a notice, and the dashboard draws");
    page.goto(&format!("{base}?from=-262143-01-01&to={}", today())).await;
    assert!(page.text("range-notice").await.contains("at most 3,660 days"));
    assert!(!page.text("kpi-total-requests").await.is_empty());
    let canvases = page.canvases().await;
    assert!(!canvases.is_empty() && canvases.iter().all(|c| c.0 > 0), "{canvases:?}");
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");
    session.end().await;
}

// Guards tokens and hostile servers: a token goes only to the origin it was entered for, also
// across a redirect, which the banner names; a body that trickles is cut at the 20 s deadline with
// the bytes received shown; declared lengths over 32 bits and a gzip bomb are refused as too large.
// The data on screen stays through every failure.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_servers() {
    let other = serve_api(other_origin);
    OTHER_PORT.store(other, Ordering::SeqCst);
    let other_origin = format!("http://127.0.0.1:{other}");
    let session = Session::start(hostile, other_origin.clone()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    page.goto(&base).await;
    page.kpi("total-requests").await;

    session.step("a token entered for the page's origin fetches its data");
    let connect = |url: String, token: Option<&'static str>| async move { page.connect(&url, token).await };
    connect(format!("{base}good"), Some(TOKEN)).await;
    eventually("the live data shows", || async {
        page.text("kpi-total-requests").await == "7"
    })
    .await;

    session.step("a link to another origin in the same tab is read without the token");
    page.goto(&format!("{base}?source={other_origin}/elsewhere")).await;
    eventually("the other origin answers", || async {
        OTHER_REQUESTS.load(Ordering::SeqCst) > 0
    })
    .await;
    eventually("its data shows", || async {
        page.text("live-banner").await.contains(&other_origin)
    })
    .await;
    // The dialog shows no token for the other origin either.
    page.click("open-connect").await;
    assert_eq!(page.value("connect-token").await, "");
    page.button_in("connect-dialog", "Cancel").await;

    session.step("a redirect to another origin drops the token, and the banner names the other server");
    connect(format!("{base}redirect"), Some(TOKEN)).await;
    eventually("the banner names where the data came from", || async {
        page.text("served-from").await.contains(&other_origin)
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "7");
    assert!(
        OTHER_AUTHORIZATIONS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty(),
        "the token reached another origin"
    );

    session.step("lengths that do not fit in 32 bits, and a gzip bomb: refused as too large, the data stays");
    for route in ["five-gb", "two-to-the-32", "bomb"] {
        connect(format!("{base}{route}"), None).await;
        eventually(&format!("{route} is refused as too large"), || async {
            page.text("live-failure").await.contains("larger than 256 MiB")
        })
        .await;
        assert_eq!(
            page.text("kpi-total-requests").await,
            "7",
            "{route}: the last good data stays"
        );
    }
    let memory = script(
        client,
        "return performance.memory ? performance.memory.usedJSHeapSize : 0",
    )
    .await;
    assert!(
        memory.as_f64().unwrap_or(0.0) < 300e6,
        "the bomb was not kept: {memory}"
    );

    session.step("a body that trickles one byte a second: the bytes received show, and at 20 s it ends");
    connect(format!("{base}trickle"), None).await;
    eventually("the bytes received show", || async {
        page.text("live-received").await.contains("bytes received")
    })
    .await;
    let started = Instant::now();
    eventually_within(Duration::from_secs(30), || async {
        page.text_now("live-failure")
            .await
            .is_some_and(|f| f.contains("did not answer within 20 seconds"))
    })
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "the deadline covers the body: {:?}",
        started.elapsed()
    );
    assert_eq!(page.text("kpi-total-requests").await, "7");
    std::fs::write(
        screenshots().join("hostile-server.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save hostile-server.png");
    session.end().await;
}

/// Polls `check` until it holds, for at most `limit`.
async fn eventually_within<F, Fut>(limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out after {limit:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
