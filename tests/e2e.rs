//! End to end: the release build in `dist/`, served on 127.0.0.1 under a
//! sub-path with a strict Content-Security-Policy, driven in headless
//! Chromium through chromedriver (WebDriver, via fantoccini).
//!
//! Run `trunk build --release` first; `scripts/test.sh` does.
#![cfg(not(target_arch = "wasm32"))]

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use chrono::Days;
use fantoccini::key::Key;
use serde_json::json;

mod common;

use common::{Request, SUB_PATH, Session, console_log, eventually, reply, script, today};

/// The usage API the server plays (docs/api.md): the document `api/usage` serves, and the last query asked for.
static API_USAGE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
static API_LAST_QUERY: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
/// Requests to the routes that fail first: for counting retries.
static API_ATTEMPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const API_TOKEN: &str = "secret-token-7f3a";

/// The APIs the server plays, by route under [`SUB_PATH`]: Callboard's contract with every
/// failure the client must explain, and the 3scale and Genesys adapters' endpoints.
/// Returns the status line, extra headers and body, or `None` for a static file.
fn api(route: &str, query: &str, authorization: &str, body: &[u8]) -> Option<(&'static str, String, String)> {
    let bearer = authorization == format!("Bearer {API_TOKEN}");
    let ok = |body: String| Some(("200 OK", String::new(), body));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or("")
            .to_owned()
    };
    if let Some(base) = route.strip_suffix("/meta") {
        return match base {
            "api" => ok(r#"{"clients":[],"metrics":["requests"],"timezone":"Europe/Madrid","retention_days":20,"quota":{"limit":1000000,"window":"month","used":412345}}"#.to_owned()),
            // Offers IPs and users (not modules), and applies filters itself.
            "api-dims" => ok(r#"{"timezone":"UTC","dimensions":["client","template","method","status","ip","user"],"filters":true}"#.to_owned()),
            _ => None,
        };
    }
    if route == "3scale/stats/applications/7/usage_response_code.json" {
        // 3scale reads the access token from HTTP Basic credentials (the user name).
        if authorization
            != format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{API_TOKEN}:"))
            )
        {
            return Some((
                "403 Forbidden",
                String::new(),
                r#"{"error":"Access denied"}"#.to_owned(),
            ));
        }
        *API_LAST_QUERY.lock().unwrap_or_else(|e| e.into_inner()) = query.to_owned();
        let day = |t: &str| chrono::NaiveDate::parse_from_str(t.get(..10).unwrap_or(""), "%Y-%m-%d").ok();
        let (Some(since), Some(until)) = (day(&param("since")), day(&param("until"))) else {
            return Some((
                "400 Bad Request",
                String::new(),
                r#"{"error":"since and until"}"#.to_owned(),
            ));
        };
        let code = param("response_code");
        let last = match code.as_str() {
            "2XX" => 30,
            "4XX" => 5,
            "5XX" => 2,
            _ => 0,
        };
        // Everything on the last day asked for: yesterday, when the range ends there.
        let mut values = vec![0; (until - since).num_days() as usize + 1];
        if let Some(v) = values.last_mut() {
            *v = last;
        }
        return ok(format!(
            r#"{{"response_code":{{"code":"{code}"}},"period":{{"name":null,"since":"{since}T00:00:00Z","until":"{until}T23:59:59Z","timezone":"Etc/UTC","granularity":"{}"}},"total":{last},"values":{values:?},"application":{{"id":7,"name":"Partner Portal","state":"live"}}}}"#,
            param("granularity")
        ));
    }
    // Genesys: `genesys/…` completes on the second poll; `genesys-failed/…` reports the query failed.
    let genesys = route
        .strip_prefix("genesys/api/v2/usage/query")
        .map(|rest| (rest, "genesys"));
    if let Some((results, prefix)) = genesys.or_else(|| {
        route
            .strip_prefix("genesys-failed/api/v2/usage/query")
            .map(|rest| (rest, "genesys-failed"))
    }) {
        if !bearer {
            return Some(("401 Unauthorized", String::new(), "{}".to_owned()));
        }
        if results.is_empty() {
            *API_LAST_QUERY.lock().unwrap_or_else(|e| e.into_inner()) = String::from_utf8_lossy(body).into_owned();
            API_ATTEMPTS.store(0, std::sync::atomic::Ordering::SeqCst);
            return ok(format!(
                r#"{{"executionId":"e-1","resultsUri":"{SUB_PATH}{prefix}/api/v2/usage/query/e-1/results"}}"#
            ));
        }
        if prefix == "genesys-failed" {
            return ok(r#"{"results":[],"queryStatus":"Failed"}"#.to_owned());
        }
        // Running on the first poll, complete on the second.
        if API_ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return ok(r#"{"results":[],"queryStatus":"Running"}"#.to_owned());
        }
        let yesterday = today().checked_sub_days(Days::new(1)).unwrap_or_default();
        return ok(format!(
            r#"{{"results":[{{"clientId":"c-1","clientName":"Genesys Client A","organizationId":"","userId":"","templateUri":"api/v2/users/{{userId}}","httpMethod":"GET","status200":20,"status300":0,"status400":4,"status500":0,"status429":1,"requests":24,"date":"{yesterday}T00:00:00Z"}}],"queryStatus":"Complete"}}"#
        ));
    }
    let api = route.strip_suffix("/usage")?;
    let usage = API_USAGE.lock().map(|u| u.clone()).unwrap_or_default();
    *API_LAST_QUERY.lock().unwrap_or_else(|e| e.into_inner()) = query.to_owned();
    let attempt = API_ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let fail = |status: &'static str| Some((status, String::new(), "{}".to_owned()));
    match api {
        // Slow enough that "refreshing…" shows while it loads.
        "api" => {
            std::thread::sleep(Duration::from_millis(400));
            ok(usage)
        }
        // Two callers by IP and user; the one filter it is asked for in the test, applied here.
        "api-dims" => {
            let yesterday = today().checked_sub_days(Days::new(1)).unwrap_or_default();
            let bucket = |ip: &str, user: &str, client: &str, status: &str| {
                format!(
                    r#"{{"start":"{yesterday}T00:00:00Z","client_id":"{client}","template":"/v2/users/{{id}}","method":"GET","ip":"{ip}","user":"{user}","status":{status}}}"#
                )
            };
            let mut buckets = vec![bucket("198.51.100.7", "ann", "app-1", r#"{"2xx":10,"5xx":2}"#)];
            if !query.contains("f=ip:198.51.100.7") {
                buckets.push(bucket("198.51.100.8", "bob", "app-2", r#"{"2xx":5}"#));
            }
            ok(format!(r#"{{"granularity":"day","buckets":[{}]}}"#, buckets.join(",")))
        }
        "api-429" => Some((
            "429 Too Many Requests",
            "Retry-After: 1\r\n".to_owned(),
            "{}".to_owned(),
        )),
        // Fails once, then works: a retry must get through.
        "api-flaky" if attempt.is_multiple_of(2) => fail("503 Service Unavailable"),
        "api-flaky" => ok(usage),
        "api-401" if bearer => ok(usage),
        "api-401" => fail("401 Unauthorized"),
        "api-403" => fail("403 Forbidden"),
        "api-broken" => ok(
            r#"{"granularity":"day","buckets":[{"start":"2026-11-20T00:00:00Z","status":{"2xx":"many"}}]}"#.to_owned(),
        ),
        "api-html" => ok("<!doctype html><title>Sign in</title>".to_owned()),
        // Says it is 300 MiB: the client must refuse it without reading it.
        "api-huge" => Some(("200 OK", format!("Content-Length: {}\r\n", 300u64 << 20), String::new())),
        // Never answers within the client's 20 s.
        "api-slow" => {
            std::thread::sleep(Duration::from_secs(25));
            ok(usage)
        }
        _ => fail("404 Not Found"),
    }
}

/// Plays [`api`] for the live tests.
fn api_handler(request: &Request, stream: &mut std::net::TcpStream) -> bool {
    match api(&request.route, &request.query, &request.authorization, &request.body) {
        Some((status, extra, answer)) => {
            reply(stream, status, &extra, answer.as_bytes());
            true
        }
        None => false,
    }
}
#[tokio::test(flavor = "multi_thread")]
async fn dashboard_end_to_end() {
    let session = Session::start(api_handler, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let today = today();
    let yesterday = today.checked_sub_days(Days::new(1)).expect("a yesterday");

    session.step("the demo opens with a large, separated total");
    page.goto(&base).await;
    let first_total = page.kpi("total-requests").await;
    assert!(first_total.contains(','), "a large, separated number: {first_total}");

    session.step("a range preset changes the KPIs, and the link holds the range, ending yesterday");
    page.button("Last 7 days").await;
    eventually("the KPIs follow the new range", || async {
        page.text("kpi-total-requests").await != first_total
    })
    .await;
    let week_total = page.text("kpi-total-requests").await;
    let url = client.current_url().await.expect("url").to_string();
    let week_start = today.checked_sub_days(Days::new(7)).expect("a week ago");
    assert!(
        url.contains(&format!("from={week_start}")) && url.contains(&format!("to={yesterday}")),
        "{url}"
    );

    session.step("a link that asks for today is clamped to yesterday, with a notice");
    page.goto(&format!("{base}?from={week_start}&to={today}")).await;
    assert!(page.text("range-notice").await.contains("ends yesterday"));
    assert_eq!(page.text("kpi-total-requests").await, week_total);

    session.step("Enter on a focused header sorts the table, and aria-sort says so");
    page.sort_by("5xx", true).await;
    eventually("Enter sorts by 5xx", || async {
        page.sort_state("5xx").await.as_deref() == Some("descending")
    })
    .await;

    session.step("the selection dialog: two clients chosen and applied show in the charts");
    page.choose_clients(&["e61f2b7c-zapier", "0b9e7d6c-salesforce-sync"])
        .await;
    eventually("the charts show the two chosen clients", || async {
        page.chosen_clients().await == ["Zapier Connector", "Salesforce Sync"]
    })
    .await;

    session.step("Escape closes the selection dialog, and the focus returns to its button");
    page.click("open-selection").await;
    eventually("the dialog reopens", || page.dialog_is_open("selection-dialog")).await;
    page.press_on_focused(&Key::Escape.to_string()).await;
    eventually("Escape closes the dialog and focus returns", || async {
        !page.dialog_is_open("selection-dialog").await && page.focused().await == "open-selection"
    })
    .await;

    session.step("a reload keeps both the range (the link) and the selection (localStorage)");
    client.refresh().await.expect("reload");
    assert_eq!(page.text("kpi-total-requests").await, week_total);
    eventually("the selection survives the reload", || async {
        page.chosen_clients().await == ["Zapier Connector", "Salesforce Sync"]
    })
    .await;

    session.step("every canvas is drawn at device pixels, none blank");
    let canvases = page.canvas_ink().await;
    assert_eq!(canvases.len(), 5, "line, bars, share, status codes, top URLs");
    for canvas in &canvases {
        assert!(canvas.1, "not at device pixels: {canvas:?}");
        assert!(canvas.2 > 0.02, "blank chart: {canvas:?}");
    }
    session.step("a narrower window redraws the charts at the new size");
    let (wide, _) = page.canvas_width("chart-line").await;
    client.set_window_size(900, 1760).await.expect("resize");
    eventually("the line chart is redrawn at the new width", || async {
        let (now, expected) = page.canvas_width("chart-line").await;
        now != wide && now == expected
    })
    .await;
    client.set_window_size(1360, 1760).await.expect("resize back");

    session.step("the strict CSP saw no violations");
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");

    session.step("screenshots for people to look at");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    page.goto(&base).await;
    script(client, "localStorage.clear()").await;
    client.refresh().await.expect("reload with defaults");
    page.text("kpi-total-requests").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(
        shots.join("overview.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save overview.png");
    page.click("open-selection").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(
        shots.join("selection-dialog.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save dialog png");

    session.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_an_export_file() {
    let session = Session::start(api_handler, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let today = today();
    let day = |ago: u64| today.checked_sub_days(Days::new(ago)).expect("a past day");
    let evil = "<img src=x onerror=alert(1)>";
    // 6 good rows in the last 3 days, 1 row today (left out), 1 malformed row on line 5.
    let csv = format!(
        "timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n\
         {d3}T10:00:00Z,cl_a,Acme Billing,GET,/api/users/1,/api/users/{{id}},200,192.0.2.1,ann,users,100,12.5\n\
         {d3}T11:00:00Z,cl_a,Acme Billing,GET,/api/users/2,/api/users/{{id}},500,192.0.2.1,ann,users,100,12.5\n\
         {d2}T09:30:00+02:00,cl_x,\"{evil}\",POST,/api/orders,/api/orders,201,192.0.2.9,,orders,10,3\n\
         this line is broken\n\
         {d2}T12:00:00Z,cl_x,\"{evil}\",POST,/api/orders,/api/orders,429,192.0.2.9,,orders,10,3\n\
         {d1}T23:59:59Z,cl_a,Acme Billing,GET,/api/users/3,/api/users/{{id}},404,192.0.2.1,ann,users,100,12.5\n\
         {d1}T00:00:00Z,cl_b,\"Beta, Inc.\",GET,/api/ping,/api/ping,200,,,,,\n\
         {d0}T01:00:00Z,cl_b,\"Beta, Inc.\",GET,/api/ping,/api/ping,200,,,,,\n",
        d3 = day(3),
        d2 = day(2),
        d1 = day(1),
        d0 = today,
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-usage-export.csv");
    std::fs::write(&path, csv).expect("write the export");
    // A second file in another format, opened together with the first: one dataset.
    let clf_day = day(1).format("%d/%b/%Y");
    let log = format!(
        "203.0.113.9 - ann [{clf_day}:10:00:00 +0000] \"GET /api/users/5 HTTP/1.1\" 200 10 \"-\" \"curl\"\n\
         203.0.113.7 - - [{clf_day}:10:00:01 +0000] \"GET /api/users/6 HTTP/1.1\" 503 10 \"-\" \"curl\"\n"
    );
    let log_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-access.log");
    std::fs::write(&log_path, log).expect("write the log");

    session.step("two files in two formats open as one dataset; the malformed row is skipped with its line");
    page.goto(&base).await;
    page.kpi("total-requests").await;
    page.open_files(&[&path, &log_path]).await;

    let banner = page.text("file-banner").await;
    assert!(
        banner.contains("e2e-usage-export.csv (Callboard CSV)")
            && banner.contains("e2e-access.log (nginx/Apache access log)"),
        "{banner}"
    );
    assert!(
        banner.contains("9 rows read") && banner.contains("1 skipped"),
        "{banner}"
    );
    assert_eq!(
        page.text("skipped-row").await,
        "Skipped e2e-usage-export.csv line 5: expected 12 fields, found 1"
    );
    session.step("the range moves to the files' days (ending yesterday): 6 + 2 requests, today's row left out");
    eventually("the KPIs show both files", || async {
        page.text("kpi-total-requests").await == "8"
    })
    .await;
    // Four clients identify themselves; the access log's "-" user is unidentified traffic, not a fifth.
    assert_eq!(page.text("kpi-clients").await, "4");
    assert_eq!(page.kpi_note("clients").await, "+ unidentified traffic");
    assert_eq!(page.text("kpi-429").await, "1");
    assert_eq!(page.text("kpi-error-rate").await, "50.0%");
    let rows: Vec<(String, String)> = page
        .rows("table-clients", &["requests"])
        .await
        .into_iter()
        .map(|r| (r[1].clone(), r[2].clone()))
        .collect();
    let expected = [
        ("Acme Billing", "3"),
        (evil, "2"),
        ("Beta, Inc.", "1"),
        ("Unknown client", "1"),
        ("ann", "1"),
    ]
    .map(|(name, n)| (name.to_owned(), n.to_owned()));
    assert_eq!(rows, expected);
    session.step("the name with HTML in it is text: no element was made from it");
    assert_eq!(page.images_in_names().await, 0);

    session.step("the CSV export holds exactly what the screen counts: read back, it gives the same KPIs");
    script(client, "window.__exports = []; const original = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__exports.push(blob); return original.call(URL, blob); }").await;
    page.click("export-csv").await;
    let exported = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__exports[0].text().then(done)",
            vec![],
        )
        .await
        .expect("the exported text");
    let exported = exported.as_str().expect("text").to_owned();
    let mut builder = usage_core::StoreBuilder::new();
    usage_core::formats::callboard_csv::read(exported.as_bytes(), &mut builder)
        .expect("Callboard reads its own export");
    let store = builder.finish();
    let span = usage_core::query::DaySpan {
        start: i64::MIN / 86_400 + 1,
        end: i64::MAX / 86_400 - 1,
    };
    let clients = store.breakdown(
        span,
        usage_core::Dimension::Client,
        &usage_core::RecordFilter::all(),
        false,
    );
    assert_eq!(clients.total.total(), 8, "{exported}");
    assert_eq!(clients.rows.len(), 5);

    session.step("a file dropped on the page opens, with a visible drop target while dragging");
    page.click("back-to-demo").await;
    page.text("demo-banner").await;
    let log_text = std::fs::read_to_string(&log_path).expect("the log");
    assert!(
        page.drag_file("dropped.log", &log_text).await,
        "a drop target shows while dragging"
    );
    page.drop_file().await;
    let banner = page.text("file-banner").await;
    assert!(
        banner.contains("dropped.log (nginx/Apache access log)") && banner.contains("2 rows read"),
        "{banner}"
    );

    session.step("a CSV whose columns can be read two ways asks which, and remembers the answer");
    let generic = format!(
        "Day,Time,App,Consumer,Code\n{d1},{d2}T10:00:00Z,web,ann,200\n{d1},{d2}T11:00:00Z,web,bob,500\n",
        d1 = day(1),
        d2 = day(2)
    );
    let generic_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-generic.csv");
    std::fs::write(&generic_path, generic).expect("write the CSV");
    page.open_files(&[&generic_path]).await;
    eventually("the mapping dialog opens", || page.dialog_is_open("mapping-dialog")).await;
    page.map_column("Time or date", "0").await;
    page.map_column("Client (id or key)", "3").await;
    page.click("mapping-confirm").await;
    eventually("the CSV is read with the chosen columns", || async {
        page.text("file-banner")
            .await
            .contains("e2e-generic.csv (CSV (columns matched by name))")
    })
    .await;
    assert_eq!(
        page.text("kpi-clients").await,
        "2",
        "ann and bob, from the Consumer column"
    );
    assert!(
        page.text("period")
            .await
            .contains(&usage_core::format::long_date(day(1))),
        "dated by the Day column"
    );
    page.click("back-to-demo").await;
    page.open_files(&[&generic_path]).await;
    eventually("the remembered columns are used without asking", || async {
        page.text("file-banner").await.contains("e2e-generic.csv")
    })
    .await;
    assert_eq!(page.text("kpi-clients").await, "2");
    session.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn live_usage_api() {
    let today = today();
    let yesterday = today.checked_sub_days(Days::new(1)).expect("a day");
    *API_USAGE.lock().expect("fixture") = format!(
        r#"{{"granularity":"day","timezone":"UTC","buckets":[
            {{"start":"{yesterday}T00:00:00Z","client_id":"app-1","client_name":"Billing","template":"/v2/users/{{id}}","method":"GET","status":{{"2xx":40,"429":2,"5xx":3}}}},
            {{"start":"{yesterday}T00:00:00Z","client_id":"app-2","client_name":"Mobile","status":{{"2xx":5}}}}]}}"#
    );
    let session = Session::start(api_handler, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    let api = format!("{base}api");

    session.step("?source= opens the dashboard on the live source, with its quota, retention and zone");
    page.goto(&format!("{base}?source={api}")).await;
    assert!(
        page.text("live-banner")
            .await
            .contains(&format!("Live (Callboard usage API): {api}"))
    );
    eventually("the served numbers show", || async {
        page.text("kpi-total-requests").await == "50"
    })
    .await;
    // /meta's quota, formatted by the core.
    assert_eq!(
        page.text("quota").await,
        "Quota: 412,345 of 1,000,000 requests this month (41.2% used)"
    );
    // Its retention (20 days, shorter than the 30 on screen) and time zone are said.
    let kept = today.checked_sub_days(Days::new(20)).expect("a day");
    assert!(
        page.text("retention")
            .await
            .contains(&usage_core::format::long_date(kept))
    );
    assert!(
        page.text("live-banner")
            .await
            .contains("cuts its days in Europe/Madrid")
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    std::fs::write(
        shots.join("live-quota.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save live-quota.png");

    session.step("Refresh shows that it is busy without moving anything on the page");
    script(client, "window.__shift = 0; new PerformanceObserver(l => l.getEntries().forEach(e => window.__shift += e.value)).observe({type: 'layout-shift'}); return 0").await;
    page.click("live-refresh").await;
    let busy = || async { page.attribute("live-banner", "aria-busy").await.unwrap_or_default() };
    eventually("the refresh is under way", || async { busy().await == "true" }).await;
    eventually("the refresh is done", || async { busy().await == "false" }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        script(client, "return window.__shift").await,
        json!(0),
        "a refresh must not shift the layout"
    );
    assert_eq!(
        (page.text("kpi-clients").await, page.text("kpi-429").await),
        ("2".to_owned(), "2".to_owned())
    );
    let asked = API_LAST_QUERY.lock().map(|q| q.clone()).unwrap_or_default();
    assert!(
        asked.contains(&format!("to={today}")) && asked.contains("granularity=day"),
        "the range on screen, half-open: {asked}"
    );

    session.step("a server that needs a token: the failure says so and the last good data stays");
    let connect = |url: String, token: &'static str| async move {
        page.connect(&url, Some(token).filter(|t| !t.is_empty())).await
    };
    connect(format!("{base}api-401"), "").await;
    eventually("the 401 is explained", || async {
        page.text("live-failure").await.contains("needs a token (401)")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "50", "the last good data stays");

    session.step("the token is accepted, and lives in sessionStorage only");
    connect(format!("{base}api-401"), API_TOKEN).await;
    eventually("the token is accepted", || async { !page.exists("live-failure").await }).await;
    assert_eq!(page.text("kpi-total-requests").await, "50");
    // The token lives in sessionStorage only: not in the URL, localStorage or the page.
    let places = script(client, "return [location.href, JSON.stringify(localStorage), document.body.innerText, JSON.parse(sessionStorage.getItem('callboard.tokens.v2'))[location.origin]]").await;
    for place in places.as_array().expect("places").iter().take(3) {
        assert!(
            !place.as_str().unwrap_or("").contains(API_TOKEN),
            "the token leaked: {place}"
        );
    }
    assert_eq!(places[3], json!(API_TOKEN));

    session.step("failures are explained and the data stays: a broken field, 429s, a flaky 503, 404, no server, 403");
    connect(format!("{base}api-broken"), "").await;
    eventually("the broken field is named", || async {
        page.text("live-failure")
            .await
            .contains("status.2xx is not a whole number")
    })
    .await;
    assert_eq!(page.text("kpi-total-requests").await, "50");
    // 429 with Retry-After: honoured (1 s each), 4 tries, then said.
    API_ATTEMPTS.store(0, std::sync::atomic::Ordering::SeqCst);
    connect(format!("{base}api-429"), "").await;
    eventually("the rate limit is explained", || async {
        page.text("live-failure").await.contains("gave up after 4 tries")
    })
    .await;
    assert_eq!(API_ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst), 4);
    // A 503 that passes: retried after 1 s, and the data is fresh again.
    API_ATTEMPTS.store(0, std::sync::atomic::Ordering::SeqCst);
    connect(format!("{base}api-flaky"), "").await;
    eventually("the retry gets through", || async {
        !page.exists("live-failure").await && page.text("live-banner").await.contains("api-flaky")
    })
    .await;
    assert_eq!(API_ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst), 2);
    // 404 and an unreachable server.
    connect(format!("{base}no-such-api"), "").await;
    eventually("the 404 is explained", || async {
        page.text("live-failure").await.contains("(404)")
    })
    .await;
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    connect(format!("http://127.0.0.1:{closed}/api"), "").await;
    eventually("the unreachable server is explained", || async {
        page.text("live-failure").await.contains("Access-Control-Allow-Origin")
    })
    .await;
    // 403, an HTML page instead of JSON, an answer over 256 MiB, and a server that never answers.
    connect(format!("{base}api-403"), "").await;
    eventually("the 403 is explained", || async {
        page.text("live-failure").await.contains("refused the token (403)")
    })
    .await;
    session.step("a wider range that cannot be fetched: the banner says which days the figures cover");
    assert!(!page.exists("other-range").await);
    page.button("Last 60 days").await;
    eventually("the figures' own range is named", || async {
        page.text("other-range")
            .await
            .contains(&usage_core::format::long_date(yesterday))
    })
    .await;
    session.step("an HTML page, an answer over 256 MiB and a server that never answers: explained, the data stays");
    connect(format!("{base}api-html"), "").await;
    eventually("the HTML answer is explained", || async {
        page.text("live-failure").await.contains("breaks the usage contract")
    })
    .await;
    connect(format!("{base}api-huge"), "").await;
    eventually("the oversize answer is refused", || async {
        page.text("live-failure").await.contains("larger than 256 MiB")
    })
    .await;
    connect(format!("{base}api-slow"), "").await;
    tokio::time::sleep(Duration::from_secs(19)).await;
    eventually("the request times out", || async {
        page.text("live-failure")
            .await
            .contains("did not answer within 20 seconds")
    })
    .await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        "50",
        "the last good data stays through every failure"
    );

    let stale = client.screenshot().await.expect("screenshot");

    session.step("the 3scale adapter: one series per status class, the token as HTTP Basic credentials");
    connect(
        format!("{base}3scale/stats/applications/7/usage_response_code.json"),
        API_TOKEN,
    )
    .await;
    eventually("3scale's usage shows", || async {
        page.text("kpi-total-requests").await == "37"
    })
    .await;
    std::fs::write(
        shots.join("live-3scale.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save live-3scale.png");
    assert!(page.text("live-banner").await.contains("Live (3scale Analytics API)"));
    assert_eq!(
        (page.text("kpi-clients").await, page.text("kpi-error-rate").await),
        ("1".to_owned(), "18.9%".to_owned())
    );
    let asked = API_LAST_QUERY.lock().map(|q| q.clone()).unwrap_or_default();
    assert!(
        asked.contains(&format!("until={yesterday}%2023:59:59"))
            && asked.contains("timezone=UTC")
            && !asked.contains(API_TOKEN),
        "{asked}"
    );

    session.step("the Genesys adapter: the query is POSTed, polled while running, and read when complete");
    connect(format!("{base}genesys/api/v2/usage/query"), API_TOKEN).await;
    eventually("Genesys's usage shows", || async {
        page.text("kpi-total-requests").await == "24"
    })
    .await;
    assert_eq!(page.text("kpi-429").await, "1", "status429 is part of status400");
    assert!(
        API_ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "the results were polled until complete"
    );
    let asked = API_LAST_QUERY.lock().map(|q| q.clone()).unwrap_or_default();
    assert!(
        asked.contains(&format!("T00:00:00.000Z/{today}T00:00:00.000Z")) && asked.contains("\"Status429\""),
        "{asked}"
    );

    connect(format!("{base}genesys-failed/api/v2/usage/query"), API_TOKEN).await;
    eventually("the failed query is explained", || async {
        page.text("live-failure").await.contains("usage query failed")
    })
    .await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        "24",
        "Genesys's data stays, marked stale"
    );

    session.step("a server whose /meta offers IPs and users and applies filters: a drill-down is asked of it");
    // Callboard asks for them, offers them in Explore (and says why not modules).
    connect(format!("{base}api-dims"), "").await;
    eventually("the server's dimensions show", || async {
        page.text("kpi-total-requests").await == "17"
    })
    .await;
    let asked = API_LAST_QUERY.lock().map(|q| q.clone()).unwrap_or_default();
    assert!(
        asked.contains("group_by=client,template,method,status,ip,user") && !asked.contains("f="),
        "{asked}"
    );
    page.tab("explore").await;
    page.group_by("module").await;
    assert!(
        page.text("unavailable")
            .await
            .contains("does not offer a breakdown by module")
    );
    page.group_by("ip").await;
    page.drill("table-ip", "198.51.100.7", false).await;
    eventually("the filter is asked of the server", || async {
        API_LAST_QUERY
            .lock()
            .map(|q| q.contains("f=ip:198.51.100.7"))
            .unwrap_or(false)
            && page.text("kpi-total-requests").await == "12"
    })
    .await;
    assert_eq!(page.text("kpi-error-rate").await, "16.7%");
    client.back().await.expect("back");
    eventually("Back removes the filter and asks again", || async {
        page.text("kpi-total-requests").await == "17"
    })
    .await;
    session.step("a source that changes on Back reconnects: another source, then Back, then Forward");
    connect(api.clone(), "").await;
    eventually("the other source", || async {
        page.text("kpi-total-requests").await == "50"
    })
    .await;
    client.back().await.expect("back");
    eventually("Back reconnects to the source in the link", || async {
        page.text("kpi-total-requests").await == "17" && page.text("live-banner").await.contains("api-dims")
    })
    .await;
    client.forward().await.expect("forward");
    eventually("Forward reconnects again", || async {
        page.text("kpi-total-requests").await == "50"
    })
    .await;

    session.step("opening a file disconnects the live source, and a late refresh does not replace the file");
    connect(api.clone(), "").await;
    eventually("connected again", || async {
        page.text("kpi-total-requests").await == "50"
    })
    .await;
    assert!(client.current_url().await.expect("url").as_str().contains("source="));
    // A refresh still under way when a file is opened must not replace the file when it lands.
    page.click("live-refresh").await;
    let log = format!(
        "203.0.113.9 - - [{}:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"curl\"\n",
        yesterday.format("%d/%b/%Y")
    );
    let log_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-live-then-file.log");
    std::fs::write(&log_path, log).expect("write the log");
    page.open_files(&[&log_path]).await;
    eventually("the file replaces the live data", || async {
        page.text("kpi-total-requests").await == "1"
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        page.text("kpi-total-requests").await,
        "1",
        "the late refresh was dropped"
    );
    assert!(
        !client.current_url().await.expect("url").as_str().contains("source="),
        "the live source is disconnected"
    );
    page.button("Last 60 days").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        page.text("file-banner").await.contains("e2e-live-then-file.log"),
        "no live refetch replaced the file"
    );
    assert_eq!(page.text("kpi-total-requests").await, "1");
    std::fs::write(shots.join("live-stale.png"), stale).expect("save live-stale.png");
    session.step("nothing the page logged carries the token, as typed or as HTTP Basic credentials");
    // (The
    // requests run in the ingest worker, whose network errors do not reach the page's log; the
    // page's own requests do, which shows the log was read.)
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{API_TOKEN}:"));
    script(client, "fetch('no-such-file-for-the-log').catch(() => {}); return 0").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = console_log(client).await;
    assert!(
        log.iter().any(|m| m.contains("no-such-file-for-the-log")),
        "the console log was read: {log:?}"
    );
    assert!(
        log.iter().all(|m| !m.contains(API_TOKEN) && !m.contains(&basic)),
        "the token was logged: {log:?}"
    );
    // Connecting to a 404 and to everything else above freed no callback that could still be called.
    assert!(
        log.iter()
            .all(|m| !m.contains("closure invoked recursively or after being dropped")),
        "{log:?}"
    );
    session.end().await;
}

/// Answers the page's file whose name ends in `suffix` with a 404, as a host that lost it would.
fn lost(request: &Request, stream: &mut std::net::TcpStream, suffix: &str) -> bool {
    let gone = request.route.starts_with("callboard-") && request.route.ends_with(suffix);
    if gone {
        reply(stream, "404 Not Found", "", b"not here");
    }
    gone
}

/// Loses the page's WebAssembly.
fn no_wasm(request: &Request, stream: &mut std::net::TcpStream) -> bool {
    lost(request, stream, "_bg.wasm")
}

// Guards a page that cannot start (its WebAssembly does not load, or the browser cannot compile
// it: the build uses SIMD): a sentence saying so, as text, under the strict CSP, not a blank page.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_cannot_start_says_so() {
    let session = Session::start(no_wasm, String::new()).await;
    let (page, base) = (&*session, session.base.clone());
    page.goto(&base).await;
    let said = page.text("startup-failure").await;
    assert!(
        said.starts_with("Callboard could not start (")
            && said.contains("WebAssembly with SIMD: Chrome or Edge 91, Firefox 89, Safari 16.4 or later."),
        "{said}"
    );
    assert_eq!(page.startup_failure_parts().await.1, 0, "text, not HTML");
    session.end().await;
}

/// Every request the test server was asked for by [`logged`], with its arrival (ms since 1970).
static ARRIVALS: std::sync::Mutex<Vec<(String, f64)>> = std::sync::Mutex::new(Vec::new());

fn logged(request: &Request, _: &mut std::net::TcpStream) -> bool {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1_000.0);
    ARRIVALS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push((request.route.clone(), at));
    false
}

// Guards the first download on a slow connection: the page asks for nothing but its own files
// until the first figures have painted. The file reader (the ingest worker) and the offline copy
// (the service worker, which caches every file) come after, so they never share the connection
// with the page's first paint. The page notes the frame that painted the KPI, as ms since 1970
// (the server's clock, on the same machine).
#[tokio::test(flavor = "multi_thread")]
async fn the_worker_and_the_offline_copy_wait_for_the_first_figures() {
    let session = Session::start(logged, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    page.note_first_kpi_frame().await;
    ARRIVALS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    page.goto(&base).await;
    page.text("kpi-total-requests").await;
    eventually("the worker's files are fetched once the page is idle", || async {
        ARRIVALS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .any(|(route, _)| route.starts_with("ingest-") && route.ends_with("_bg.wasm"))
    })
    .await;
    eventually("the service worker has cached the build", || async {
        script(client, "return !!navigator.serviceWorker.controller").await == json!(true)
    })
    .await;
    let painted = script(client, "return window.__kpiFrame")
        .await
        .as_f64()
        .expect("the KPI's frame was seen");
    let arrivals = ARRIVALS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    let first: Vec<&str> = arrivals
        .iter()
        .filter(|(_, at)| *at <= painted)
        .map(|(route, _)| route.as_str())
        .collect();
    assert!(
        first
            .iter()
            .any(|route| route.starts_with("callboard-") && route.ends_with("_bg.wasm")),
        "the page's own wasm came first: {arrivals:?}"
    );
    assert!(
        first
            .iter()
            .all(|route| !route.starts_with("ingest-") && *route != "sw.js"),
        "asked for before the KPI painted: {first:?}"
    );
    let later: Vec<&str> = arrivals
        .iter()
        .filter(|(_, at)| *at > painted)
        .map(|(route, _)| route.as_str())
        .collect();
    assert!(
        later.contains(&"sw.js") && later.iter().any(|route| route.starts_with("ingest-")),
        "{later:?}"
    );
    session.end().await;
}
