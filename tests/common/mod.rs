//! What every end-to-end test needs: the release build in `dist/` served on 127.0.0.1 under a
//! sub-path with a strict Content-Security-Policy, chromedriver in its own process group, a
//! WebDriver session in headless Chromium at device-pixel ratio 2, and small waiting helpers.
//!
//! Each test file hands [`Session::start`] its own route handler, so the fake servers a test needs
//! (usage APIs, hostile servers) sit next to the test that uses them.
#![allow(dead_code)]

pub mod page;
// Each test file uses some of these.
#[allow(unused_imports)]
pub use page::{Page, Session};

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// The policy the README recommends; the app must run under it without violations.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// While set, the test server drops every connection: the network is gone.
pub static OFFLINE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Served under a sub-path to prove the build has no absolute asset URLs.
pub const SUB_PATH: &str = "/team/callboard/";

/// One HTTP request as the test server read it.
pub struct Request {
    pub method: String,
    /// The path under [`SUB_PATH`] (or the whole path, for a server without one).
    pub route: String,
    pub query: String,
    pub authorization: String,
    pub origin: String,
    pub body: Vec<u8>,
}

/// Answers a request the test plays itself; `false` lets the static files answer.
pub type Handler = fn(&Request, &mut TcpStream) -> bool;

/// Writes a whole answer: status line, `extra` headers (each ending in CRLF), and the body.
pub fn reply(stream: &mut TcpStream, status: &str, extra: &str, body: &[u8]) {
    let length = if extra.to_ascii_lowercase().contains("content-length") {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    let head =
        format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}{length}Connection: close\r\n\r\n");
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
}

/// Reads one request from `stream`; `None` when it is not HTTP.
fn read_request(stream: &TcpStream, prefix: &str) -> Option<(Request, String)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let (mut authorization, mut origin, mut length) = (String::new(), String::new(), 0usize);
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "authorization" => authorization = value.trim().to_owned(),
                "origin" => origin = value.trim().to_owned(),
                "content-length" => length = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        header.clear();
    }
    let mut body = vec![0; length.min(1 << 20)];
    std::io::Read::read_exact(&mut reader, &mut body).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let target = words.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let route = path.strip_prefix(prefix).unwrap_or(path).to_owned();
    Some((
        Request {
            method,
            route,
            query: query.to_owned(),
            authorization,
            origin,
            body,
        },
        path.to_owned(),
    ))
}

/// Serves `dir` under [`SUB_PATH`] on a free loopback port, one thread per connection; `handler`
/// answers what it recognises first. `connect_src` is added to the policy's `connect-src`.
pub fn serve(dir: PathBuf, handler: Handler, connect_src: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (dir, connect_src) = (dir.clone(), connect_src.clone());
            std::thread::spawn(move || respond(stream, &dir, handler, &connect_src));
        }
    });
    port
}

/// A bare server (no static files, no sub-path) on a free port, for a second origin.
pub fn serve_api(handler: Handler) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                if let Some((request, _)) = read_request(&stream, "/")
                    && !handler(&request, &mut stream)
                {
                    reply(&mut stream, "404 Not Found", "", b"{}");
                }
            });
        }
    });
    port
}

fn respond(mut stream: TcpStream, dir: &Path, handler: Handler, connect_src: &str) {
    if OFFLINE.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return;
    }
    let Some((request, path)) = read_request(&stream, SUB_PATH) else {
        return;
    };
    if path.starts_with(SUB_PATH) && handler(&request, &mut stream) {
        return;
    }
    let file = match path.strip_prefix(SUB_PATH) {
        Some("") => Some(dir.join("index.html")),
        Some(rest) if !rest.contains("..") => Some(dir.join(rest)),
        _ => None,
    };
    let (status, body, kind) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => {
            let kind = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("json" | "webmanifest") => "application/manifest+json",
                Some("png") => "image/png",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let csp = if connect_src.is_empty() {
        CSP.to_owned()
    } else {
        CSP.replace("connect-src 'self'", &format!("connect-src 'self' {connect_src}"))
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nContent-Security-Policy: {csp}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
}

/// chromedriver in its own process group, killed with everything it started when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        Driver::start_in_zone(None)
    }

    /// The same, with the browser in time zone `zone` (its `TZ`), when given.
    pub fn start_in_zone(zone: Option<&str>) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut command = Command::new(&binary);
        if let Some(zone) = zone {
            command.env("TZ", zone);
        }
        let child = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {binary}: {e}; scripts/test.sh installs chromium-driver"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start listening");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Kill the whole group so no Chromium is left behind, even when the test panics.
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.wait();
    }
}

pub async fn connect(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--hide-scrollbars", "--window-size=1360,1760",
                     // A high-DPI screen: the charts must be drawn at twice the CSS size.
                     "--force-device-scale-factor=2"]
        }),
    );
    // Keep the page's console, so a test can check what was logged.
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// ChromeDriver's log extension: the console messages since the last call.
#[derive(Debug)]
pub struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// A Chrome DevTools Protocol command through ChromeDriver (`goog/cdp/execute`).
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.0, "params": self.1 }).to_string()),
        )
    }
}

/// How many Web Workers the browser is running now (from the DevTools targets).
pub async fn workers(client: &Client) -> usize {
    let targets = client
        .issue_cmd(Cdp("Target.getTargets", json!({})))
        .await
        .expect("the DevTools targets");
    targets["targetInfos"]
        .as_array()
        .map_or(0, |all| all.iter().filter(|t| t["type"] == "worker").count())
}

pub async fn console_log(client: &Client) -> Vec<String> {
    let entries = client.issue_cmd(BrowserLog).await.expect("the browser log");
    entries
        .as_array()
        .expect("log entries")
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub async fn script(client: &Client, source: &str) -> serde_json::Value {
    client
        .execute(source, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{source}"))
}

/// Polls `check` until it holds, for at most 10 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Today's UTC date from the system clock.
pub fn today() -> chrono::NaiveDate {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    usage_core::range::date_of_day((seconds / 86_400) as i64)
}

/// One browser test at a time (a [`Session`] holds it): two would race for chromedriver ports
/// (a port found free can be taken by the other test's driver before ours binds it) and for the
/// 2 cores.
/// An async lock, held across the test's awaits; a test that panics simply lets it go.
pub static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Where test screenshots go (target/screenshots), created if missing.
pub fn screenshots() -> PathBuf {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    shots
}

/// Writes `contents` to target/<name> and gives its path, for the file input.
pub fn fixture(name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join(name);
    std::fs::write(&path, contents).expect("write a fixture");
    path
}
