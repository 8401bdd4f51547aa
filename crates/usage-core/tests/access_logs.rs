//! Access logs as nginx and Apache write them: every field a client controls comes
//! back exactly, and every line the server answered counts.

mod common;
use common::nginx_escape;
use proptest::prelude::*;
use usage_core::formats::access_log::{AccessLine, RequestLine, parse_line};
use usage_core::formats::{Format, read_file};
use usage_core::query::{DaySpan, Dimension, RecordFilter};
use usage_core::{StatusClass, UsageStore};

/// Apache's (ap_escape_logitem): `\"` and `\\`, named escapes for \b \n \r \t \v, `\xhh` for
/// other bytes that are not printable ASCII.
fn apache_escape(text: &str) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\x{b:02x}")),
            b => out.push(b as char),
        }
    }
    out
}

/// One request as a server saw it, to be written and read back.
#[derive(Clone, Debug)]
struct Request {
    user: Option<String>,
    method: &'static str,
    target: String,
    status: u16,
    bytes: Option<u64>,
    referer: Option<String>,
    agent: Option<String>,
    /// Seconds since 1970 and the line's UTC offset in minutes.
    time: i64,
    offset: i32,
}

/// `22/Nov/2026:10:00:00 +0100` for `time` shown at `offset` minutes east of UTC.
fn clf_time(time: i64, offset: i32) -> String {
    let local = chrono::DateTime::from_timestamp(time + i64::from(offset) * 60, 0)
        .expect("in range")
        .naive_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{} {sign}{:02}{:02}",
        local.format("%d/%b/%Y:%H:%M:%S"),
        offset.abs() / 60,
        offset.abs() % 60
    )
}

fn write_line(request: &Request, escape: fn(&str) -> String) -> String {
    let field = |value: &Option<String>| value.as_deref().map_or("-".to_owned(), escape);
    format!(
        "203.0.113.7 - {} [{}] \"{} {} HTTP/1.1\" {} {} \"{}\" \"{}\"",
        field(&request.user),
        clf_time(request.time, request.offset),
        request.method,
        escape(&request.target),
        request.status,
        request.bytes.map_or("-".to_owned(), |b| b.to_string()),
        field(&request.referer),
        field(&request.agent),
    )
}

/// Text a client can choose: spaces, quotes, brackets, backslashes, escapes written literally,
/// control characters, non-ASCII letters and emoji, and a time in brackets.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,24}",
        "\\PC{1,16}",
        prop::collection::vec(
            prop::sample::select(vec![
                "a",
                " ",
                "\"",
                "\\",
                "[",
                "]",
                " - ",
                "\\x41",
                "é",
                "Zürich",
                "🚀",
                "\t",
                "\n",
                "\u{202E}",
                "[22/Nov/2026:10:00:00 +0000]",
                "<img src=x>"
            ]),
            1..8
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn request_strategy() -> impl Strategy<Value = Request> {
    (
        prop::option::of(hostile_text().prop_filter("'-' means no user", |u| u != "-")),
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        hostile_text().prop_map(|path| format!("/{path}")),
        100u16..600,
        prop::option::of(0u64..10_000_000),
        prop::option::of(hostile_text().prop_filter("'-' means none", |r| r != "-")),
        prop::option::of(hostile_text().prop_filter("'-' means none", |a| a != "-")),
        1_500_000_000i64..2_000_000_000,
        -12 * 60..14 * 60i32,
    )
        .prop_map(
            |(user, method, target, status, bytes, referer, agent, time, offset)| Request {
                user,
                method,
                target,
                status,
                bytes,
                referer,
                agent,
                time,
                offset,
            },
        )
}

fn expected(request: &Request) -> AccessLine {
    AccessLine {
        remote: "203.0.113.7".into(),
        user: request.user.clone(),
        timestamp: request.time,
        request: RequestLine::Http {
            method: request.method.into(),
            target: request.target.clone(),
            protocol: Some("HTTP/1.1".into()),
        },
        status: request.status,
        bytes: request.bytes,
        referer: request.referer.clone(),
        agent: request.agent.clone(),
        latency_us: None,
        upstream_us: None,
        lossy: false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    // Guards reading by structure, not by spaces: a line written the way nginx writes it reads back
    // to exactly the fields it was written from, whatever the user, path, referrer and agent hold.
    #[test]
    fn nginx_lines_read_back_exactly(request in request_strategy()) {
        let line = write_line(&request, nginx_escape);
        prop_assert_eq!(parse_line(line.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?, expected(&request), "{}", line);
    }

    // Guards the same for Apache's escaping (\" and \\ instead of \x22 and \x5C).
    #[test]
    fn apache_lines_read_back_exactly(request in request_strategy()) {
        let line = write_line(&request, apache_escape);
        prop_assert_eq!(parse_line(line.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?, expected(&request), "{}", line);
    }
}

/// Requests per user name (the client of an access log), over all time.
fn per_user(store: &UsageStore) -> Vec<(String, u64, u64)> {
    let mut rows: Vec<(String, u64, u64)> = store
        .breakdown(
            DaySpan { start: 0, end: 50_000 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        )
        .rows
        .iter()
        .map(|g| {
            (
                store.label(Dimension::Client, g.key),
                g.counts.total(),
                g.counts.get(StatusClass::ClientError),
            )
        })
        .collect();
    rows.sort();
    rows
}

// Guards a log counted by hand: escaped non-ASCII users, users with spaces and HTML, a TLS
// handshake answered with 400, "-" users, and offsets on both sides of a DST change
// (Europe/Berlin, 29 March 2026: 01:59:59 +0100 and 03:00:00 +0200 are one second apart).
#[test]
fn a_log_counted_by_hand() {
    let log = concat!(
        "198.51.100.1 - Z\\xC3\\xBCrich-wallboard [29/Mar/2026:01:59:59 +0100] \"GET /api/users/1 HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n",
        "198.51.100.1 - Z\\xC3\\xBCrich-wallboard [29/Mar/2026:03:00:00 +0200] \"GET /api/users/2 HTTP/1.1\" 404 10 \"-\" \"Mozilla/5.0\"\n",
        "198.51.100.2 - <img src=x onerror=alert(1)> [29/Mar/2026:03:10:00 +0200] \"POST /api/orders HTTP/1.1\" 201 5 \"-\" \"curl/8.5\"\n",
        "198.51.100.3 - ann of ops [29/Mar/2026:12:00:00 +0200] \"GET /api/users/3 HTTP/1.1\" 200 7 \"https://x.example/a b\" \"curl/8.5\"\n",
        "198.51.100.4 - - [29/Mar/2026:12:00:01 +0200] \"\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03\" 400 157 \"-\" \"-\"\n",
        "198.51.100.5 - - [29/Mar/2026:12:00:02 +0200] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe\"\n",
        "this line has no time or status\n",
        "198.51.100.6 - caf\\xE9 [29/Mar/2026:12:00:03 +0200] \"GET /api/users/4 HTTP/1.1\" 200 1 \"-\" \"-\"\n",
    );
    let (sniffed, store, report) = read_file(log.as_bytes(), 11).expect("readable");
    assert_eq!(sniffed.format, Format::AccessLog);
    // 8 lines; 7 carry a time and a status, and each is a request the server answered.
    assert_eq!((report.rows, report.skipped, store.total_requests()), (7, 1, 7));
    assert_eq!(report.problems[0].line, 7);
    assert_eq!(
        (report.warned, report.warnings[0].line),
        (1, 8),
        "the byte that is not UTF-8 is said, for its line"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("1 line had no HTTP request line")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        per_user(&store),
        [
            ("<img src=x onerror=alert(1)>".to_owned(), 1, 0),
            ("Unknown client".to_owned(), 2, 1),
            ("Zürich-wallboard".to_owned(), 2, 1),
            ("ann of ops".to_owned(), 1, 0),
            ("caf\u{FFFD}".to_owned(), 1, 0),
        ]
    );
    // The DST pair: one second apart in UTC, whatever the wall clock said.
    let times: Vec<i64> = store.records().map(|r| r.timestamp).collect();
    assert_eq!(times[1] - times[0], 1);
    assert_eq!(
        times[0],
        usage_core::formats::time::parse_iso8601(b"2026-03-29T00:59:59Z").expect("a time")
    );
    let malformed = store
        .records()
        .find(|r| r.template == "(malformed request line)")
        .expect("the TLS line");
    assert_eq!(
        (
            malformed.method.as_str(),
            malformed.status,
            malformed.bytes,
            malformed.ip.as_str()
        ),
        ("(none)", 400, Some(157), "198.51.100.4")
    );
}
