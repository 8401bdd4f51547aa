//! End to end: an access log written by a real nginx with a custom `log_format` (the time first,
//! the request and upstream times, an API key header), opened through "Log format…".
//!
//! `scripts/test.sh` starts the nginx (`scripts/nginx.sh`) and sets `CALLBOARD_NGINX`; without
//! it the test says so and passes, unless `CALLBOARD_NGINX_REQUIRED` is set.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Days;

mod common;
use common::{Session, eventually, screenshots, script};

/// The requests the test sends: (path, API key, user agent). nginx answers /v1/… through its
/// upstream (200, or 503 for /v1/fail and 429 for /v1/limited), /v1/slow/<n> through the slow
/// upstream this test plays (after n × 40 ms), and anything else with a 404.
const REQUESTS: [(&str, Option<&str>, &str); 15] = [
    ("/v1/slow/1", Some("sk_live_bbbb2222"), "python-requests/2.32"),
    ("/v1/slow/4", Some("sk_live_bbbb2222"), "python-requests/2.32"),
    ("/v1/slow/2", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/slow/5", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/slow/3", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/users/1", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/users/2", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/users/3", Some("sk_live_bbbb2222"), "python-requests/2.32"),
    (
        "/v1/users/4?expand=fees",
        Some("sk_live_bbbb2222"),
        "python-requests/2.32",
    ),
    ("/v1/orders", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/orders", None, "Mozilla/5.0 (X11; Linux x86_64)"),
    ("/v1/fail", Some("sk_live_bbbb2222"), "python-requests/2.32"),
    ("/v1/limited", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/v1/limited", Some("sk_live_aaaa1111"), "billing-sync/2.3"),
    ("/nope", None, "curl/8.5"),
];

/// Plays the slow upstream on 127.0.0.1:18182: `/v1/slow/<n>` is answered after n × 40 ms.
fn slow_upstream() {
    let listener = std::net::TcpListener::bind("127.0.0.1:18182").expect("the slow upstream's port");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut head = [0u8; 2048];
                let read = stream.read(&mut head).unwrap_or(0);
                let text = String::from_utf8_lossy(&head[..read]);
                let n: u64 = text
                    .split(' ')
                    .nth(1)
                    .and_then(|path| path.rsplit('/').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                std::thread::sleep(Duration::from_millis(n * 40));
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nslow\n");
            });
        }
    });
}

/// Sends one request to nginx and reads the whole answer.
fn send(base: &str, path: &str, key: Option<&str>, agent: &str) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("nginx answers");
    let key = key.map(|k| format!("X-Api-Key: {k}\r\n")).unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{key}User-Agent: {agent}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
}

/// One logged line, read naively (the format puts every field with spaces last, in quotes):
/// (status, request time in µs, path).
fn naive(line: &str) -> (u16, u64, String) {
    let fields: Vec<&str> = line.splitn(7, ' ').collect();
    let status = fields[2].parse().expect("a status");
    let seconds: f64 = fields[4].parse().expect("a request time");
    let request = fields[6].split('"').nth(1).expect("a quoted request");
    let path = request.split(' ').nth(1).expect("a path").to_owned();
    (status, (seconds * 1e6).round() as u64, path)
}

/// The nearest-rank percentile `p` of `values`, in ms with one decimal, as the tables show it.
fn rank(values: &mut [u64], p: usize) -> String {
    values.sort_unstable();
    let at = (values.len() * p).div_ceil(100).saturating_sub(1);
    usage_core::format::decimal(values[at] as f64 / 1000.0, 1)
}

// Guards custom log formats end to end: a log a real nginx wrote with its own log_format is not
// taken for another format; "Log format…" takes the directive as nginx.conf has it, and the file
// then reads whole, with every request's time: the KPIs and each URL template's requests, p50 and
// p95 equal a count made here from the log's text. The format is remembered: the same file opens
// without asking again.
#[tokio::test(flavor = "multi_thread")]
async fn a_real_nginx_log_in_its_own_format() {
    let Ok(nginx) = std::env::var("CALLBOARD_NGINX") else {
        assert!(
            std::env::var("CALLBOARD_NGINX_REQUIRED").is_err(),
            "CALLBOARD_NGINX must be set: scripts/test.sh starts nginx and sets it"
        );
        eprintln!("skipped: CALLBOARD_NGINX is not set (scripts/test.sh starts nginx and sets it)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log_path = root.join("target/nginx/access.log");
    let format = std::process::Command::new("bash")
        .arg(root.join("scripts/nginx.sh"))
        .arg("format")
        .output()
        .expect("the log format");
    let format = String::from_utf8(format.stdout).expect("text");

    // The requests, logged by nginx.
    slow_upstream();
    let before = std::fs::read_to_string(&log_path).unwrap_or_default().lines().count();
    for (path, key, agent) in REQUESTS {
        send(&nginx, path, key, agent);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let written = loop {
        let text = std::fs::read_to_string(&log_path).expect("nginx's log");
        let lines: Vec<String> = text.lines().skip(before).map(str::to_owned).collect();
        if lines.len() >= REQUESTS.len() {
            break lines;
        }
        assert!(
            Instant::now() < deadline,
            "nginx logged {} of {} requests",
            lines.len(),
            REQUESTS.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // The dashboard's ranges end yesterday, and nginx wrote today: each line's date moves back a
    // day, and nothing else in it changes.
    let moved: Vec<String> = written
        .iter()
        .map(|line| {
            let (date, rest) = line.split_at(10);
            let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("an ISO date first");
            format!("{}{rest}", day.checked_sub_days(Days::new(1)).expect("a day before"))
        })
        .collect();
    let file = common::fixture("e2e-nginx-api.log", moved.join("\n") + "\n");

    // The count made here.
    let read: Vec<(u16, u64, String)> = moved.iter().map(|l| naive(l)).collect();
    let total = read.len();
    let errors = read.iter().filter(|r| r.0 >= 400).count();
    let limited = read.iter().filter(|r| r.0 == 429).count();
    let template = |path: &str| {
        let path = path.split('?').next().unwrap_or_default();
        match path.rsplit_once('/') {
            Some((parent, id)) if id.parse::<u64>().is_ok() => format!("{parent}/{{id}}"),
            _ => path.to_owned(),
        }
    };
    let mut expected: Vec<(String, String, String, String)> = [
        "/v1/slow/{id}",
        "/v1/users/{id}",
        "/v1/orders",
        "/v1/limited",
        "/v1/fail",
        "/nope",
    ]
    .iter()
    .map(|t| {
        let mut times: Vec<u64> = read.iter().filter(|r| template(&r.2) == *t).map(|r| r.1).collect();
        let n = times.len().to_string();
        ((*t).to_owned(), n, rank(&mut times, 50), rank(&mut times, 95))
    })
    .collect();
    expected.sort();

    let session = Session::start(|_, _| false, String::new()).await;
    let (page, client, base) = (&*session, &session.client, session.base.clone());
    page.goto(&base).await;
    let demo_total = page.kpi("total-requests").await;
    script(client, "localStorage.removeItem('callboard.log-formats.v1'); return 0").await;

    session.step("a log in its own format is not taken for another: the load asks for its format");
    page.open_files(&[&file]).await;
    eventually("the log format dialog opens", || {
        page.dialog_is_open("log-format-dialog")
    })
    .await;
    assert!(
        page.text("load-error").await.contains("e2e-nginx-api.log"),
        "the notice names the file"
    );
    let sample = page.text_now("log-format-sample").await.unwrap_or_default();
    assert!(
        sample.ends_with(&format!("{}\"", REQUESTS[0].2)),
        "its first line, as text: {sample}"
    );
    assert!(page.is_disabled("log-format-apply").await, "nothing to apply yet");
    for key in ["sk_live_aaaa1111", "sk_live_bbbb2222"] {
        assert!(!page.body_text().await.contains(key), "the key {key} is shown whole");
    }
    assert!(
        sample.contains("\"sk_l…2222\""),
        "the key in the first line is masked: {sample}"
    );

    session.step("a format without a status is refused, with the reason");
    page.fill("log-format-input", "$time_iso8601 $remote_addr").await;
    eventually("the reason shows", || async {
        page.text_now("log-format-problem")
            .await
            .is_some_and(|p| p.contains("no status"))
    })
    .await;
    assert!(page.is_disabled("log-format-apply").await);

    session.step("a format that does not fit the lines: the dialog comes back and says where it stops matching");
    page.fill("log-format-input", "$time_iso8601 [$status]").await;
    eventually("the format is taken", || async {
        !page.is_disabled("log-format-apply").await
    })
    .await;
    page.click("log-format-apply").await;
    eventually("asked again, with the reason", || async {
        page.dialog_is_open("log-format-dialog").await
            && page
                .text_now("log-format-mismatch")
                .await
                .is_some_and(|m| m.contains("$time_iso8601, from column 1, is never followed by “ [”"))
    })
    .await;
    assert_eq!(page.kpi("total-requests").await, demo_total, "the data on screen stays");

    session.step("the directive as nginx.conf has it reads the whole file");
    page.fill("log-format-input", format.trim()).await;
    eventually("the format is taken", || async {
        !page.is_disabled("log-format-apply").await
    })
    .await;
    std::fs::write(
        screenshots().join("log-format-dialog.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");
    page.click("log-format-apply").await;
    eventually("the log's KPIs", || async {
        page.kpi("total-requests").await == total.to_string()
    })
    .await;
    let rate = usage_core::format::decimal(100.0 * errors as f64 / total as f64, 1);
    assert_eq!(page.kpi("error-rate").await, format!("{rate}%"));
    assert_eq!(page.kpi("429").await, limited.to_string());
    let banner = page.text("file-banner").await;
    assert!(
        banner.contains("e2e-nginx-api.log (nginx/Apache access log)"),
        "{banner}"
    );
    assert!(
        page.text("read-note")
            .await
            .contains("read with the log format you gave")
    );

    session.step("each URL template's requests, p50 and p95 equal the count made from the log's text");
    page.tab("urls").await;
    eventually("six templates", || async {
        page.rows("table-template", &[]).await.len() == 6
    })
    .await;
    let mut shown: Vec<(String, String, String, String)> = page
        .rows("table-template", &["requests", "p50", "p95"])
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[3].clone(), r[4].clone()))
        .collect();
    shown.sort();
    assert_eq!(shown, expected);
    let slow = expected
        .iter()
        .find(|e| e.0 == "/v1/slow/{id}")
        .map(|e| e.3.clone())
        .unwrap_or_default();
    assert!(
        slow.parse::<f64>().is_ok_and(|ms| ms >= 200.0),
        "the slow upstream's p95 is its slowest answer: {slow}"
    );
    std::fs::write(
        screenshots().join("log-format-urls.png"),
        client.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    session.step("the format is remembered: the same log opens again without asking");
    let saved = script(client, "return localStorage.getItem('callboard.log-formats.v1')").await;
    assert!(
        saved.as_str().is_some_and(|s| s.contains("$upstream_response_time")),
        "{saved}"
    );
    page.goto(&base).await;
    page.kpi("total-requests").await;
    page.open_files(&[&file]).await;
    eventually("read with the saved format", || async {
        page.kpi("total-requests").await == total.to_string()
    })
    .await;
    assert!(!page.dialog_is_open("log-format-dialog").await, "not asked again");
    let storage = script(client, "return JSON.stringify(localStorage) + location.href").await;
    for key in ["sk_live_aaaa1111", "sk_live_bbbb2222"] {
        assert!(!page.body_text().await.contains(key), "the key {key} is shown whole");
        assert!(
            !storage.to_string().contains(key),
            "the key {key} is in the link or storage"
        );
    }
    let (violations, last) = page.csp_violations().await;
    assert_eq!(violations, "0", "CSP violations, the last: {last}");
    session.end().await;
}
