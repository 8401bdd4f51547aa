//! Access logs written with a team's own `log_format`: any format built from the variables the
//! dashboard knows, in any order, written the way nginx writes it (its escapes included), reads
//! back field by field; and a file in such a format loads once its format is given.

mod common;
use common::nginx_escape;
use proptest::prelude::*;
use usage_core::formats::access_log::RequestLine;
use usage_core::formats::log_format::LogFormat;
use usage_core::load::{Load, LoadError, Mappings, load_in_memory};

/// Text a client can choose, quotes, backslashes, brackets and non-ASCII included.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,24}",
        "\\PC{1,12}",
        prop::collection::vec(
            prop::sample::select(vec!["a", " ", "\"", "\\", "[", "]", "é", "🚀", "\t", "$status", "%h"]),
            1..8
        )
        .prop_map(|parts| parts.concat()),
    ]
    .prop_filter("'-' means none", |t| t != "-")
}

/// One request, as the fields a format may write.
#[derive(Clone, Debug)]
struct Request {
    user: Option<String>,
    time: i64,
    method: &'static str,
    target: String,
    status: u16,
    bytes: u64,
    request_ms: u64,
    upstream_ms: Vec<u64>,
    agent: Option<String>,
    key: Option<String>,
}

/// How the format writes the time.
#[derive(Clone, Copy, Debug)]
enum Clock {
    Local,
    Iso,
    Msec,
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::option::of(hostile_text()),
        1_500_000_000i64..2_000_000_000,
        prop::sample::select(vec!["GET", "POST", "DELETE"]),
        hostile_text().prop_map(|p| format!("/{p}")),
        100u16..600,
        0u64..10_000_000,
        0u64..100_000,
        prop::collection::vec(0u64..5_000, 0..3),
        prop::option::of(hostile_text()),
        prop::option::of(hostile_text()),
    )
        .prop_map(
            |(user, time, method, target, status, bytes, request_ms, upstream_ms, agent, key)| Request {
                user,
                time,
                method,
                target,
                status,
                bytes,
                request_ms,
                upstream_ms,
                agent,
                key,
            },
        )
}

/// The variables a format may hold besides the time and the status, each with how a line writes it.
const OPTIONAL: [&str; 7] = [
    "$remote_user",
    "$request",
    "$body_bytes_sent",
    "$request_time",
    "$upstream_response_time",
    "$http_user_agent",
    "$http_x_api_key",
];

/// A format of the time, the status and `chosen` (indices into [`OPTIONAL`]) in that order:
/// text fields quoted, every field apart from the next by a space.
fn format_of(clock: Clock, chosen: &[usize]) -> Vec<&'static str> {
    let time = match clock {
        Clock::Local => "[$time_local]",
        Clock::Iso => "$time_iso8601",
        Clock::Msec => "$msec",
    };
    let mut vars = vec![time, "$status"];
    vars.extend(chosen.iter().map(|&i| match OPTIONAL[i] {
        "$remote_user" => "\"$remote_user\"",
        "$request" => "\"$request\"",
        "$http_user_agent" => "\"$http_user_agent\"",
        "$http_x_api_key" => "\"$http_x_api_key\"",
        other => other,
    }));
    vars
}

fn write_line(vars: &[&str], r: &Request) -> String {
    let text = |value: &Option<String>| value.as_deref().map_or("-".to_owned(), nginx_escape);
    vars.iter()
        .map(|var| match *var {
            "[$time_local]" => {
                let local = chrono::DateTime::from_timestamp(r.time, 0).expect("a time");
                format!("[{}]", local.format("%d/%b/%Y:%H:%M:%S +0000"))
            }
            "$time_iso8601" => {
                let local = chrono::DateTime::from_timestamp(r.time, 0).expect("a time");
                local.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
            }
            "$msec" => format!("{}.000", r.time),
            "$status" => r.status.to_string(),
            "\"$remote_user\"" => format!("\"{}\"", text(&r.user)),
            "\"$request\"" => format!("\"{} {} HTTP/1.1\"", r.method, nginx_escape(&r.target)),
            "$body_bytes_sent" => r.bytes.to_string(),
            "$request_time" => format!("{}.{:03}", r.request_ms / 1000, r.request_ms % 1000),
            "$upstream_response_time" if r.upstream_ms.is_empty() => "-".to_owned(),
            "$upstream_response_time" => r
                .upstream_ms
                .iter()
                .map(|ms| format!("{}.{:03}", ms / 1000, ms % 1000))
                .collect::<Vec<_>>()
                .join(", "),
            "\"$http_user_agent\"" => format!("\"{}\"", text(&r.agent)),
            "\"$http_x_api_key\"" => format!("\"{}\"", text(&r.key)),
            other => unreachable!("{other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    // Guards the format reader: a line written by nginx with any format of the known variables
    // reads back to exactly what was written, whatever a client put in the quoted fields.
    #[test]
    fn any_format_reads_back_field_by_field(
        clock in prop::sample::select(vec![Clock::Local, Clock::Iso, Clock::Msec]),
        chosen in prop::sample::subsequence((0..OPTIONAL.len()).collect::<Vec<_>>(), 0..=OPTIONAL.len()).prop_shuffle(),
        r in request(),
        as_directive in any::<bool>(),
    ) {
        let vars = format_of(clock, &chosen);
        let joined = vars.join(" ");
        let given = if as_directive {
            // nginx.conf's shape: the name, then the format in quoted pieces over lines.
            let (first, rest) = joined.split_at(joined.len() / 2);
            format!("log_format api '{first}'\n        '{rest}';")
        } else {
            joined.clone()
        };
        let format = LogFormat::parse(&given).map_err(|e| TestCaseError::fail(format!("{e}: {given}")))?;
        let line = write_line(&vars, &r);
        let read = format.read_line(line.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
        let has = |var: &str| chosen.iter().any(|&i| OPTIONAL[i] == var);
        prop_assert_eq!(read.line.timestamp, r.time, "{}", line);
        prop_assert_eq!(read.line.status, r.status);
        prop_assert_eq!(read.line.user.clone(), if has("$remote_user") { r.user.clone() } else { None });
        if has("$request") {
            prop_assert_eq!(
                read.line.request.clone(),
                RequestLine::Http { method: r.method.into(), target: r.target.clone(), protocol: Some("HTTP/1.1".into()) }
            );
        }
        prop_assert_eq!(read.line.bytes, has("$body_bytes_sent").then_some(r.bytes));
        prop_assert_eq!(read.line.latency_us, has("$request_time").then_some(r.request_ms * 1000));
        let upstream = (!r.upstream_ms.is_empty()).then(|| r.upstream_ms.iter().sum::<u64>() * 1000);
        prop_assert_eq!(read.line.upstream_us, if has("$upstream_response_time") { upstream } else { None });
        prop_assert_eq!(read.line.agent.clone(), if has("$http_user_agent") { r.agent.clone() } else { None });
        let key: Vec<(String, String)> = r.key.iter().filter(|_| has("$http_x_api_key")).map(|k| ("$http_x_api_key".to_owned(), k.clone())).collect();
        prop_assert_eq!(read.fields.clone(), key);
    }
}

const FORMAT: &str = r#"log_format api '$time_iso8601 $status "$request" $request_time "$http_x_api_key"';"#;

fn log() -> String {
    [
        "2026-11-20T10:00:00+00:00 200 \"GET /v1/users/1 HTTP/1.1\" 0.012 \"k1\"",
        "2026-11-20T10:00:01+00:00 500 \"GET /v1/users/2 HTTP/1.1\" 0.250 \"k2\"",
        "2026-11-20T10:00:02+00:00 200 \"POST /v1/orders HTTP/1.1\" 0.030 \"-\"",
    ]
    .map(|l| format!("{l}\n"))
    .concat()
}

// Guards the load: a log of no known format asks for its format (naming the file), and with the
// format given it reads every line, latencies included, and says the format was used.
#[test]
fn a_custom_log_loads_once_its_format_is_given() {
    let log = log();
    let asked = load_in_memory(&[("api.log", log.as_bytes())], Mappings::new(), 7).unwrap_err();
    assert!(
        matches!(&asked, LoadError::NeedsLogFormat { name, sample, mismatch: None } if name == "api.log" && sample.starts_with("2026-11-20T10:00:00")),
        "{asked:?}"
    );
    let json = load_in_memory(&[("x.json", br#"{"hello":"world"}"#)], Mappings::new(), 7).unwrap_err();
    assert!(
        matches!(json, LoadError::Read { .. }),
        "JSON is not asked for a log format: {json:?}"
    );
    // A format that does not fit says where it stops matching.
    let wrong = LogFormat::parse("$time_iso8601 [$status]").expect("a format");
    let one = || {
        vec![usage_core::load::FileInfo {
            name: "api.log".into(),
            size: log.len() as u64,
        }]
    };
    let mut load = Load::new(one(), Mappings::new())
        .expect("a load")
        .with_log_formats(vec![wrong]);
    let refused = load.begin(0, log.as_bytes()).unwrap_err();
    assert!(
        matches!(&refused, LoadError::NeedsLogFormat { mismatch: Some(m), .. } if m.contains("$time_iso8601, from column 1, is never followed by “ [”")),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("the log format given does not read its first line"),
        "{refused}"
    );
    let format = LogFormat::parse(FORMAT).expect("a format");
    let infos = vec![usage_core::load::FileInfo {
        name: "api.log".into(),
        size: log.len() as u64,
    }];
    let mut load = Load::new(infos, Mappings::new())
        .expect("a load")
        .with_log_formats(vec![format]);
    load.begin(0, log.as_bytes()).expect("read with the format");
    for piece in log.as_bytes().chunks(5) {
        load.feed(piece).expect("read");
    }
    load.end().expect("rows");
    let loaded = load.finish();
    assert_eq!(loaded.store.len(), 3);
    assert_eq!(loaded.log_formats_used, [FORMAT.to_owned()]);
    assert!(
        loaded.files[0]
            .report
            .notes
            .iter()
            .any(|n| n.contains("log format you gave"))
    );
    let mut latencies: Vec<u64> = loaded.store.records().filter_map(|r| r.latency_us).collect();
    latencies.sort_unstable();
    assert_eq!(latencies, [12_000, 30_000, 250_000]);
}

// Guards the common extended formats, recognised without asking: combined plus
// `$request_time $upstream_response_time`, or nginx's labelled `rt=… urt="…"`.
#[test]
fn common_extended_times_are_read_without_a_format() {
    let line = |tail: &str| {
        format!("203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl/8.5\" {tail}")
    };
    let times = |tail: &str| {
        let read = usage_core::formats::access_log::parse_line(line(tail).as_bytes()).expect("a line");
        (read.latency_us, read.upstream_us)
    };
    assert_eq!(times("0.012 0.004, 0.006"), (Some(12_000), Some(10_000)));
    assert_eq!(times("0.012 -"), (Some(12_000), None));
    assert_eq!(
        times("\"k-1\" 0.250"),
        (Some(250_000), None),
        "a quoted header is passed over"
    );
    assert_eq!(
        times("rt=0.100 uct=\"0.000\" uht=\"0.040\" urt=\"0.050\""),
        (Some(100_000), Some(50_000))
    );
    assert_eq!(times(""), (None, None));
    assert_eq!(times("8080"), (None, None), "a number that is not a time is not one");
}
