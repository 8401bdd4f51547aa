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
use fantoccini::Locator;
use serde_json::json;

mod common;

use common::{
    ONE_BROWSER, Request, click, eventually, fixture, open_files, reply, screenshots, script, serve_api, start, text,
    today,
};

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
    client.goto(&base).await.expect("open the dashboard");
    page.text("kpi-total-requests").await;

    // The same file twice, and a copy under another name: read once, and said.
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
    let duplicates = script(
        &client,
        "return [...document.querySelectorAll('[data-testid=duplicate-file]')].map(d => d.textContent)",
    )
    .await;
    assert_eq!(
        duplicates,
        json!([
            "e2e-dup.csv was chosen twice; it was read once.",
            "e2e-dup-copy.csv has the same size and content as e2e-dup.csv; it was read once, so nothing is counted twice."
        ])
    );

    // A direction override in a name cannot reorder its own text: it is shown as a visible mark, isolated.
    let cell = script(&client, "const b = [...document.querySelectorAll('[data-testid=table-clients] tbody th bdi')].find(b => b.textContent.includes('Invoice')); return b ? b.textContent : null").await;
    assert_eq!(cell, json!("Invoice⟨U+202E⟩fdp.exe"));

    // UTF-16 with a byte-order mark (Excel's "Unicode text") opens, and the banner says it was converted.
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
        script(
            &client,
            "return document.querySelector('[data-testid=table-clients]').textContent.includes('Zürich Wallboard')"
        )
        .await
            == json!(true)
    );

    // Columns that can be read two ways: the guess ("Time") reads nothing, so nothing is saved
    // and the failure offers "Change columns…"; the right choice reads the rows and is remembered.
    let ambiguous = fixture(
        "e2e-date-time.csv",
        format!(
            "date,time,status,client\n{d},10:00,200,ann\n{d},11:00,500,bob\n",
            d = day(1)
        ),
    );
    script(&client, "localStorage.removeItem('callboard.csv-mappings.v1')").await;
    page.open_files(&[&ambiguous]).await;
    eventually("the mapping dialog opens", || async {
        script(
            &client,
            "return document.querySelector('[data-testid=mapping-dialog]').open",
        )
        .await
            == json!(true)
    })
    .await;
    client
        .find(Locator::Css("select[data-field='Time or date']"))
        .await
        .expect("time")
        .select_by_value("1")
        .await
        .expect("the time column");
    page.click("mapping-confirm").await;
    eventually("the failure says why", || async {
        page.text("load-error")
            .await
            .contains("e2e-date-time.csv has no usable rows")
    })
    .await;
    assert_eq!(
        script(&client, "return localStorage.getItem('callboard.csv-mappings.v1')").await,
        json!(null),
        "a choice that read nothing is not saved"
    );
    assert_eq!(page.text("kpi-total-requests").await, "1", "the data on screen stays");
    page.click("change-columns").await;
    eventually("the dialog opens again", || async {
        script(
            &client,
            "return document.querySelector('[data-testid=mapping-dialog]').open",
        )
        .await
            == json!(true)
    })
    .await;
    client
        .find(Locator::Css("select[data-field='Time or date']"))
        .await
        .expect("time")
        .select_by_value("0")
        .await
        .expect("the date column");
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

    // An access log: escaped and spaced user names come out exactly, as text; the TLS
    // handshake the server answered counts; the total is the number of lines with a time and a status.
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
    let names = script(&client, "return [...document.querySelectorAll('[data-testid=table-clients] tbody th')].map(th => th.textContent).sort()").await;
    assert_eq!(
        names,
        json!([
            "<img src=x onerror=alert(1)>",
            "Unknown client",
            "Zürich-wallboard",
            "東京 ops 🚀"
        ])
    );
    assert_eq!(script(&client, "return document.querySelectorAll('main img, .table img, .legend img, [data-testid=table-clients] img').length").await, json!(0), "no element was made from a name");
    assert!(page.text("read-note").await.contains("1 line had no HTTP request line"));
    std::fs::write(
        screenshots().join("access-log-names.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save access-log-names.png");

    // Many clients (case 7): nothing per client is built while the selection dialog is closed;
    // open, it lists the top 200 and says how many more there are, search finds the others, and
    // the clients table shows a page. Before, every client became a checkbox at load.
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
    let checkboxes = "return document.querySelectorAll('[data-testid=selection-clients] input[type=checkbox]').length";
    assert_eq!(
        script(&client, checkboxes).await,
        json!(0),
        "the closed dialog builds no list"
    );
    assert_eq!(
        script(
            &client,
            "return document.querySelectorAll('[data-testid=table-clients] tbody tr').length"
        )
        .await,
        json!(100),
        "one page of the table"
    );
    page.click("open-selection").await;
    eventually("the dialog lists the top 200", || async {
        script(&client, checkboxes).await == json!(200)
    })
    .await;
    assert_eq!(
        page.text("selection-clients-more").await,
        "The top 200 of 20,000 are listed: search to find the others."
    );
    let search = client
        .find(Locator::Css("[data-testid=selection-search]"))
        .await
        .expect("search");
    search.send_keys("kilo 1999").await.expect("type a search");
    eventually("search reaches past the top 200", || async {
        script(&client, "return [...document.querySelectorAll('[data-testid=selection-clients] input')].map(i => i.dataset.key).join(',')").await
            == json!("k19990,k19991,k19992,k19993,k19994,k19995,k19996,k19997,k19998,k19999")
    })
    .await;
    // "Clear" and "Select all" act on every match, not only the 200 listed: a client chosen by
    // search (far below the top 200) is cleared with an empty search.
    client
        .find(Locator::Css("[data-testid=selection-clients] input[data-key='k19999']"))
        .await
        .expect("k19999")
        .click()
        .await
        .expect("check k19999");
    search
        .send_keys(&fantoccini::key::Key::Backspace.to_string().repeat("kilo 1999".len()))
        .await
        .expect("empty the search");
    let count = "return document.querySelector('[data-testid=selection-clients] .choices__count').textContent";
    eventually("the top 5 and k19999 are chosen", || async {
        script(&client, count).await == json!("6 of at most 10 chosen")
    })
    .await;
    client
        .find(Locator::XPath(
            "//fieldset[@data-testid='selection-clients']//button[.='Clear']",
        ))
        .await
        .expect("Clear")
        .click()
        .await
        .expect("clear");
    eventually("Clear unchecks the unlisted k19999 too", || async {
        script(&client, count).await == json!("0 of at most 10 chosen")
    })
    .await;
    client
        .find(Locator::XPath(
            "//fieldset[@data-testid='selection-clients']//button[.='Select all']",
        ))
        .await
        .expect("Select all")
        .click()
        .await
        .expect("select all");
    eventually("Select all fills the 10 places", || async {
        script(&client, count).await == json!("10 of at most 10 chosen")
    })
    .await;
    client
        .find(Locator::XPath(
            "//dialog[@data-testid='selection-dialog']//button[.='Cancel']",
        ))
        .await
        .expect("Cancel")
        .click()
        .await
        .expect("cancel");
    eventually("the dialog closes and drops its list", || async {
        script(&client, checkboxes).await == json!(0)
    })
    .await;

    // A crafted range from the year -262143: shortened with a notice, and the dashboard draws.
    client
        .goto(&format!("{base}?from=-262143-01-01&to={}", today()))
        .await
        .expect("a crafted link");
    assert!(page.text("range-notice").await.contains("at most 3,660 days"));
    assert!(!page.text("kpi-total-requests").await.is_empty());
    let drawn = script(
        &client,
        "return [...document.querySelectorAll('canvas')].every(c => c.width > 0)",
    )
    .await;
    assert_eq!(drawn, json!(true));
    let csp = script(&client, "return document.body.dataset.cspViolations || '0'").await;
    assert_eq!(csp, json!("0"));
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
    client.goto(&base).await.expect("open the dashboard");
    page.text("kpi-total-requests").await;

    let connect = |url: String, token: &'static str| {
        let client = client.clone();
        async move {
            page.click("open-connect").await;
            eventually("the connect dialog opens", || async {
                script(
                    &client,
                    "return document.querySelector('[data-testid=connect-dialog]').open",
                )
                .await
                    == json!(true)
            })
            .await;
            let field = client
                .find(Locator::Css("[data-testid=connect-url]"))
                .await
                .expect("url");
            field.clear().await.expect("clear");
            field.send_keys(&url).await.expect("type url");
            let secret = client
                .find(Locator::Css("[data-testid=connect-token]"))
                .await
                .expect("token");
            secret.clear().await.expect("clear");
            if !token.is_empty() {
                secret.send_keys(token).await.expect("type token");
            }
            page.click("connect-go").await;
        }
    };
    connect(format!("{base}good"), TOKEN).await;
    eventually("the live data shows", || async {
        page.text("kpi-total-requests").await == "7"
    })
    .await;

    // A link to another origin in the same tab: it is read, but without the token.
    client
        .goto(&format!("{base}?source={other_origin}/elsewhere"))
        .await
        .expect("a link to another source");
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
    assert_eq!(
        script(
            &client,
            "return document.querySelector('[data-testid=connect-token]').value"
        )
        .await,
        json!("")
    );
    client
        .find(Locator::XPath(
            "//dialog[@data-testid='connect-dialog']//button[.='Cancel']",
        ))
        .await
        .expect("cancel")
        .click()
        .await
        .expect("click");

    // A redirect from the token's origin to another: the browser drops the token, and the banner names the other server.
    connect(format!("{base}redirect"), TOKEN).await;
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

    // Lengths that do not fit in 32 bits, and a gzip bomb: refused as too large, the data stays.
    for route in ["five-gb", "two-to-the-32", "bomb"] {
        connect(format!("{base}{route}"), "").await;
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
        &client,
        "return performance.memory ? performance.memory.usedJSHeapSize : 0",
    )
    .await;
    assert!(
        memory.as_f64().unwrap_or(0.0) < 300e6,
        "the bomb was not kept: {memory}"
    );

    // A body that trickles one byte a second: the progress shows what arrived, and at 20 s it ends.
    connect(format!("{base}trickle"), "").await;
    eventually("the bytes received show", || async {
        page.text("live-received").await.contains("bytes received")
    })
    .await;
    let started = Instant::now();
    eventually_within(Duration::from_secs(30), || async {
        let failure = script(
            &client,
            "const f = document.querySelector('[data-testid=live-failure]'); return f ? f.textContent : ''",
        )
        .await;
        failure
            .as_str()
            .unwrap_or("")
            .contains("did not answer within 20 seconds")
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
