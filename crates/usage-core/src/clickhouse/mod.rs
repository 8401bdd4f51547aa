//! SQL for a ClickHouse table of usage records: every figure is an
//! aggregate the cluster computes, built from the same typed view and filter state that drives
//! the in-browser engine, so both show the same numbers.
//!
//! Every value goes through [`quote`], and every name through [`Name`]; nothing else puts text
//! into SQL. The SQL keeps to functions that ClickHouse 18.16 (Debian's package) and current
//! releases both have: `sum`, `sumIf`, `quantilesExact`, `quantileExact`, `round`, `multiIf`, `intDiv`, `toUInt32`, `toUInt64`, `toDateTime`, `toMinute`, `toStartOfHour`, `toStartOfDay`, `toMonday` and `toStartOfMonth`
//! (the last five with a zone argument). It has no `toStartOfInterval`, no `toStartOfTenMinutes`
//! and no query parameters, so a 10-minute bucket is the hour's start plus whole 10 minutes.
//!
//! The table holds Callboard's record columns (`timestamp`, `client_id`, `client_name`, `method`,
//! `template`, `status`, `ip`, `user`, `module`, `bytes`, `latency_ms`, `requests`); a column it
//! lacks (found with `DESCRIBE TABLE`) makes its dimension unavailable rather than an error.

use serde_json::Value;

use crate::query::{Dimension, Filter, Granularity, Grouping};
use crate::status::{StatusClass, StatusCounts};
use crate::zone::{Offsets, Window};

mod answers;
mod http;
mod rollups;
mod sql;

pub use answers::*;
pub use http::*;
pub use rollups::*;
pub use sql::*;

/// `text` as a ClickHouse string literal: in single quotes, with the backslash, the quote and
/// the NUL byte escaped. The one way a value enters SQL.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Why a table name or an answer of ClickHouse could not be read: said to the user after
/// "ClickHouse".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("“{0}” is not a database or table name (letters, digits and _)")]
    BadName(String),
    #[error("{what} did not answer JSON: {reason}")]
    NotJson { what: &'static str, reason: String },
    #[error("{what}'s answer has no data")]
    NoData { what: &'static str },
    #[error("the table has neither a “timestamp” nor a “bucket” column")]
    NoTime,
    #[error("the table has no “{0}” column")]
    NoColumn(&'static str),
    #[error("“{0}” is not a whole number")]
    NotWhole(String),
    /// A row not of the shape its query asks for: the message names the shape.
    #[error("{0}")]
    Row(&'static str),
    #[error("the answer has no {0}")]
    NoAnswerColumn(&'static str),
    #[error("row {0} is short")]
    ShortRow(usize),
    #[error("row {0}: the status is not a code")]
    NotACode(usize),
    #[error("row {row}: {error}")]
    Store { row: usize, error: crate::store::RowError },
}

/// A database or table name: letters, digits and underscores, not starting with a digit. Names
/// are checked, never escaped, and written in backquotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(text: &str) -> Result<Name, AnswerError> {
        let valid = !text.is_empty()
            && text.len() <= 128
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !text.starts_with(|c: char| c.is_ascii_digit());
        if valid {
            Ok(Name(text.to_owned()))
        } else {
            Err(AnswerError::BadName(text.to_owned()))
        }
    }

    /// The name in backquotes, as SQL takes it.
    pub fn sql(&self) -> String {
        format!("`{}`", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A usage table and the columns it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub database: Name,
    pub table: Name,
    pub columns: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let columns = ["timestamp", "client_id", "template", "method", "status", "requests"]
            .map(str::to_owned)
            .to_vec();
        Table {
            database: Name::parse("default").unwrap(),
            table: Name::parse("usage").unwrap(),
            columns,
        }
    }

    // Guards "each widget gets one query": a view's parts group by what its widgets show and
    // no more (Explore by IP never asks for every client, URL, method and IP together), the
    // filters' dimensions join every part, and a grouping asked twice, or held by another, is
    // no query of its own.
    #[test]
    fn each_widget_grouping_is_a_query_of_its_own() {
        use crate::view::View;
        use crate::widgets::view_groupings;
        let g = |dimensions: &[Dimension]| Grouping::of(dimensions).with(Dimension::Status);
        let (client, template, method, ip) = (Dimension::Client, Dimension::Template, Dimension::Method, Dimension::Ip);
        assert_eq!(
            view_groupings(View::Explore, ip),
            [g(&[]), g(&[client]), g(&[template]), g(&[ip])]
        );
        assert_eq!(
            view_groupings(View::Explore, template),
            [g(&[]), g(&[client]), g(&[template]), g(&[template, method])]
        );
        assert_eq!(
            view_groupings(View::Explore, Dimension::Class),
            [g(&[]), g(&[client]), g(&[template])],
            "classes are status codes"
        );
        assert_eq!(
            view_groupings(View::Overview, client),
            [g(&[]), g(&[client]), g(&[template]), g(&[client, template, method])],
            "the records export has methods"
        );
        assert_eq!(
            view_groupings(View::Clients, client),
            [g(&[]), g(&[client]), g(&[template]), g(&[client, template])]
        );
        assert_eq!(
            view_groupings(View::Urls, client),
            [g(&[]), g(&[client]), g(&[template]), g(&[template, method])]
        );
        assert_eq!(view_groupings(View::Today, client), [g(&[]), g(&[client])]);
        assert_eq!(view_groupings(View::Today, template), [g(&[]), g(&[template, method])]);
        // A grouping another holds is read from that one's answer.
        assert_eq!(
            usage_parts(&view_groupings(View::Explore, ip), &[]),
            [g(&[client]), g(&[template]), g(&[ip])]
        );
        assert_eq!(
            usage_parts(&view_groupings(View::Overview, client), &[]),
            [g(&[client, template, method])]
        );
        assert_eq!(
            usage_parts(&view_groupings(View::Urls, client), &[]),
            [g(&[client]), g(&[template, method])]
        );
        assert_eq!(
            usage_parts(&view_groupings(View::Today, template), &[]),
            [g(&[template, method])]
        );
        let filters = [
            Filter {
                dimension: client,
                key: "a".into(),
            },
            Filter {
                dimension: Dimension::Class,
                key: "5xx".into(),
            },
        ];
        assert_eq!(
            usage_parts(&view_groupings(View::Explore, ip), &filters),
            [g(&[client, template]), g(&[client, ip])],
            "every part keeps the filtered client apart"
        );
        // Each part's query groups by its own dimensions only.
        let windows = [Window { start: 0, end: 86_400 }];
        let raw = table();
        let listing = Listing {
            over: windows[0],
            most: LISTED,
        };
        let queries = usage_queries(
            &raw,
            &[],
            &view_groupings(View::Explore, Dimension::Method),
            &windows,
            Granularity::Hour,
            "UTC",
            &[],
            &Offsets::utc(),
            listing,
        );
        let grouped: Vec<&str> = queries
            .iter()
            .map(|q| {
                q.sql
                    .split(" GROUP BY ")
                    .nth(1)
                    .and_then(|rest| rest.split(" ORDER BY").next())
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(
            grouped,
            ["b, client_id, status", "b, template, status", "b, method, status"]
        );
        assert_eq!(answered_by(&queries), ["usage"], "three queries, one table, named once");
    }

    // Guards what a failed query says: each kind of ClickHouse exception (18.16's wording and a
    // current release's) gets its own advice, and anything else is not taken for one.
    #[test]
    fn clickhouse_errors_say_what_to_do() {
        let says = |text: &str| error_message(text, 15, 1_000_000).unwrap_or_default();
        assert!(says("Code: 60, e.displayText() = DB::Exception: Table callboard.nope doesn't exist., e.what() = DB::Exception").contains("Table callboard.nope doesn't exist. Check the database and table"));
        assert!(
            says("Code: 81. DB::Exception: Database nope does not exist. (UNKNOWN_DATABASE) (version 24.3.1)")
                .contains("Database nope does not exist")
        );
        assert!(says("Code: 516. DB::Exception: default: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)").contains("user name or password"));
        assert!(
            says("Code: 47, e.displayText() = DB::Exception: Unknown identifier: ip, e.what() = DB::Exception")
                .contains("Unknown identifier: ip. The table lacks a column")
        );
        assert!(
            says("Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 15.2 seconds")
                .contains("longer than 15 seconds")
        );
        assert!(
            says("Code: 396. DB::Exception: Limit for result exceeded, max rows: 1.00 million")
                .contains("over 1000000 rows")
        );
        assert!(says("Code: 999, e.displayText() = DB::Exception: Something odd").contains("code 999): Something odd"));
        assert!(says("Poco::Exception. Code: 1000, e.code() = 0, e.displayText() = Exception: Cannot load time zone Nope/Zone, e.what() = Exception").contains("does not know the time zone Nope/Zone: its"));
        assert!(
            says("Code: 36. DB::Exception: Cannot load time zone Nope/Zone: while executing. (BAD_ARGUMENTS)")
                .contains("time zone Nope/Zone: its")
        );
        assert_eq!(error_message("<html>502 Bad Gateway</html>", 15, 1), None);
        let url = query_url(
            "http://127.0.0.1:8123/",
            &Name::parse("callboard").unwrap(),
            15,
            1_000_000,
            None,
            false,
        );
        assert_eq!(
            url,
            "http://127.0.0.1:8123/?database=callboard&add_http_cors_header=1&max_execution_time=15&max_result_rows=1000000&result_overflow_mode=throw&readonly=1"
        );
        // An id that is not letters, digits and - is left out rather than escaped.
        let url = query_url(
            "http://h/",
            &Name::parse("db").unwrap(),
            15,
            9,
            Some("callboard-k3x9-7-usage-0"),
            false,
        );
        assert_eq!(
            url,
            "http://h/?database=db&add_http_cors_header=1&query_id=callboard-k3x9-7-usage-0&max_execution_time=15&max_result_rows=9&result_overflow_mode=throw&readonly=1"
        );
        assert!(
            !query_url(
                "http://h/",
                &Name::parse("db").unwrap(),
                15,
                9,
                Some("a&readonly=0"),
                false
            )
            .contains("query_id")
        );
        // Cancelled when the browser goes away, where the server has the setting: before readonly.
        let closing = query_url("http://h/", &Name::parse("db").unwrap(), 15, 9, None, true);
        assert!(
            closing.contains("&cancel_http_readonly_queries_on_client_close=1&") && closing.ends_with("&readonly=1"),
            "{closing}"
        );
        assert!(!query_url("http://h/", &Name::parse("db").unwrap(), 15, 9, None, false).contains("cancel_http"));
        assert!(has_setting(br#"{"meta":[{"name":"name","type":"String"}],"data":[["cancel_http_readonly_queries_on_client_close"]],"rows":1}"#));
        assert!(
            !has_setting(br#"{"meta":[{"name":"name","type":"String"}],"data":[],"rows":0}"#),
            "18.16 has none"
        );
        assert!(!has_setting(
            b"Code: 60, e.displayText() = DB::Exception: no such table"
        ));
        assert_eq!(query_id("k3x9", 7, "usage-0"), "callboard-k3x9-7-usage-0");
        assert_eq!(
            kill_sql("k3x9", 7).as_deref(),
            Some(
                "KILL QUERY WHERE query_id LIKE 'callboard-k3x9-%' AND toUInt64OrZero(splitByChar('-', query_id)[3]) < 7 ASYNC FORMAT JSONCompact"
            )
        );
        assert_eq!(kill_sql("k3-x9", 7), None, "the fetch's number must be the third part");
        assert_eq!(kill_sql("", 7), None);
    }

    // Guards read-only users: the refusal to change a setting is told from every other error,
    // and the address asked then carries no setting at all.
    #[test]
    fn a_read_only_user_is_asked_without_settings() {
        let refusal = "Code: 164, e.displayText() = DB::Exception: Cannot modify 'max_execution_time' setting in readonly mode, e.what() = DB::Exception";
        assert!(is_readonly_refusal(refusal));
        assert!(is_readonly_refusal(
            "Code: 164. DB::Exception: Cannot modify 'add_http_cors_header' setting in readonly mode. (READONLY) (version 26.9.1.1)"
        ));
        assert!(
            is_readonly_refusal(
                "Code: 164, e.displayText() = DB::Exception: Cannot override setting (max_result_rows) in readonly mode, e.what() = DB::Exception"
            ),
            "18.16's words"
        );
        assert!(
            !is_readonly_refusal("Code: 164, e.displayText() = DB::Exception: Cannot execute query in readonly mode"),
            "a query it may not run at all is not helped by asking without settings"
        );
        assert!(!is_readonly_refusal(
            "Code: 1640, e.displayText() = DB::Exception: readonly mode"
        ));
        assert!(!is_readonly_refusal(
            "Code: 60, e.displayText() = DB::Exception: Table doesn't exist"
        ));
        let url = plain_query_url(
            "http://h/",
            &Name::parse("db").unwrap(),
            Some("callboard-k3x9-7-usage-0"),
        );
        assert_eq!(url, "http://h/?database=db&query_id=callboard-k3x9-7-usage-0");
        assert!(
            error_message(refusal, 15, 9).is_some_and(|m| m.contains("readonly=1")),
            "said in words if it stays"
        );
    }

    // Guards the one escaping function: quotes, backslashes and NUL cannot end the literal, and
    // names are checked, never escaped.
    #[test]
    fn values_are_quoted_and_names_checked() {
        assert_eq!(quote("o'clock"), r"'o\'clock'");
        assert_eq!(quote(r"a\'; DROP TABLE usage; --"), r"'a\\\'; DROP TABLE usage; --'");
        assert_eq!(quote("nul\0byte"), r"'nul\0byte'");
        assert_eq!(quote("Zoë 🙂\n"), "'Zoë 🙂\n'");
        assert!(Name::parse("usage_2026").is_ok());
        for bad in ["", "1usage", "usage; DROP", "a.b", "`x`", "ü"] {
            assert!(Name::parse(bad).is_err(), "{bad}");
        }
    }

    // Guards the filter semantics: alternatives within a dimension, all dimensions together, the
    // status class rules, and a column the table lacks letting nothing through.
    #[test]
    fn filters_become_one_condition() {
        let f = |d: Dimension, k: &str| Filter {
            dimension: d,
            key: k.to_owned(),
        };
        let sql = table().condition(
            Window { start: 100, end: 200 },
            &[
                f(Dimension::Client, "a'b"),
                f(Dimension::Client, "c"),
                f(Dimension::Class, "4xx"),
                f(Dimension::Status, "x"),
            ],
        );
        assert_eq!(
            sql,
            r"timestamp >= toDateTime(100) AND timestamp < toDateTime(200) AND (client_id = 'a\'b' OR client_id = 'c') AND (0) AND ((status >= 400 AND status < 500 AND status != 429))"
        );
        assert!(
            table()
                .condition(Window { start: 0, end: 1 }, &[f(Dimension::Ip, "192.0.2.1")])
                .ends_with("AND 0"),
            "no ip column"
        );
    }

    // Guards the choice of table: the coarsest rollup that holds what is asked, the 10-minute one
    // for 10-minute buckets and +05:30's hours, the raw table for IPs, for +05:45 and without one.
    #[test]
    fn the_coarsest_rollup_answers_what_it_holds() {
        let raw = table();
        let columns = [
            "bucket",
            "client_id",
            "template",
            "method",
            "status",
            "module",
            "requests",
            "bytes",
        ]
        .map(str::to_owned)
        .to_vec();
        let rollup = |name: &str| Table {
            database: Name::parse("default").unwrap(),
            table: Name::parse(name).unwrap(),
            columns: columns.clone(),
        };
        let rollups = [rollup("usage_10m"), rollup("usage_1h")];
        assert_eq!(
            (raw.rollup_width(), rollups[0].rollup_width(), rollups[1].rollup_width()),
            (0, 600, 3_600)
        );
        let day = Window {
            start: 86_400,
            end: 2 * 86_400,
        };
        let utc = Offsets::utc();
        let by = |window, granularity, dimensions: &[Dimension], offsets: &Offsets| {
            answering(&raw, &rollups, window, granularity, dimensions, &[], offsets)
                .table
                .as_str()
                .to_owned()
        };
        assert_eq!(by(day, Granularity::Day, &[Dimension::Client], &utc), "usage_1h");
        assert_eq!(by(day, Granularity::Hour, &[], &Offsets::fixed(-5 * 3_600)), "usage_1h");
        assert_eq!(
            by(day, Granularity::TenMinutes, &[], &utc),
            "usage_10m",
            "hours cannot make 10-minute buckets"
        );
        assert_eq!(
            by(day, Granularity::Day, &[], &Offsets::fixed(19_800)),
            "usage_10m",
            "+05:30's days start on the half hour"
        );
        assert_eq!(
            by(
                Window {
                    start: 86_400 + 600,
                    end: 2 * 86_400
                },
                Granularity::Day,
                &[],
                &utc
            ),
            "usage_10m",
            "a window inside an hour"
        );
        assert_eq!(by(day, Granularity::Day, &[Dimension::Ip], &utc), "usage");
        assert_eq!(by(day, Granularity::Day, &[], &Offsets::fixed(20_700)), "usage");
        assert_eq!(
            answering(&raw, &[], day, Granularity::Day, &[], &[], &utc)
                .table
                .as_str(),
            "usage"
        );
        assert!(
            rollups[0].totals_sql(day, &[]).contains("bucket >= toDateTime(86400)"),
            "the rollup's time column"
        );
    }

    // Guards the latency queries: from the raw table only, a request's own rows, the nearest
    // rank in whole microseconds; their answers read by the store's own ids; and the ask's
    // hand-over to the worker.
    #[test]
    fn latencies_are_counted_from_requests_and_read_by_id() {
        let mut raw = table();
        assert!(!raw.has_latency(), "no latency_ms column");
        raw.columns.push("latency_ms".to_owned());
        assert!(raw.has_latency());
        let day = Window {
            start: 86_400,
            end: 2 * 86_400,
        };
        let listing = Listing {
            over: day,
            most: LISTED,
        };
        let sql = raw.latency_sql(day, Dimension::Class, &[], listing);
        assert!(sql.starts_with("SELECT multiIf("), "{sql}");
        assert!(sql.contains("quantilesExact(0.49999999999999, 0.94999999999999, 0.98999999999999)(toUInt64(round(latency_ms * 1000)))"), "{sql}");
        assert!(sql.contains("AND requests = 1 GROUP BY k"), "{sql}");
        let series = raw.latency_series_sql(
            day,
            Granularity::Hour,
            "Asia/Kathmandu",
            Dimension::Client,
            &[],
            listing,
        );
        assert!(series.starts_with("SELECT toUInt32(toStartOfHour(timestamp, 'Asia/Kathmandu')) AS b, client_id AS k, quantileExact(0.94999999999999)"), "{series}");
        let mut builder = crate::StoreBuilder::new();
        let meta = r#""meta":[{"name":"b"},{"name":"template"},{"name":"requests"}]"#;
        read_usage(
            format!(r#"{{{meta},"data":[[86400,"/a",1],[86400,"/b",2]]}}"#).as_bytes(),
            crate::model::BucketWidth::Hour,
            &mut builder,
        )
        .unwrap();
        let store = builder.finish();
        let mut by_id = |d: Dimension, t: &str| store.find_key(d, t);
        let read = read_latency(
            br#"{"data":[["/b",["5","6",7]],["/gone",[1,1,1]],["/a",[1,2,3]]]}"#,
            &mut by_id,
            Dimension::Template,
            day,
        )
        .unwrap();
        let id = |t: &str| store.find_key(Dimension::Template, t).unwrap();
        let mut expected = vec![
            (
                id("/a"),
                crate::query::Percentiles {
                    p50_us: 1,
                    p95_us: 2,
                    p99_us: 3,
                },
            ),
            (
                id("/b"),
                crate::query::Percentiles {
                    p50_us: 5,
                    p95_us: 6,
                    p99_us: 7,
                },
            ),
        ];
        expected.sort_by_key(|&(id, _)| id);
        assert_eq!(read.rows, expected, "by id, a value the store lacks left out");
        assert!(read_latency(br#"{"data":[["/a",[1,2]]]}"#, &mut by_id, Dimension::Template, day).is_err());
        let points = read_latency_series(
            br#"{"data":[[86400,"/a","9"]]}"#,
            &mut by_id,
            Dimension::Template,
            Granularity::Hour,
            day,
        )
        .unwrap();
        assert_eq!(points.points, vec![(id("/a"), 86_400, 9)]);
        let ask = LatencyAsk {
            window: day,
            before: Some(Window { start: 0, end: 86_400 }),
            table: Some(Dimension::Ip),
            chart: Some((Dimension::Client, Granularity::Week)),
        };
        assert_eq!(LatencyAsk::parse(&ask.to_text()), Some(ask.clone()));
        let bare = LatencyAsk {
            before: None,
            table: None,
            chart: None,
            ..ask
        };
        assert_eq!(bare.to_text(), "86400 172800 - - - - -");
        assert_eq!(LatencyAsk::parse(&bare.to_text()), Some(bare));
        assert_eq!(LatencyAsk::parse("1 2 3"), None);
        // What the ask sends: the table's query and the chart's for both periods; nothing of a
        // table without latencies, nor for a dimension it lacks.
        let before = Window { start: 0, end: 86_400 };
        raw.columns.push("ip".to_owned());
        assert_eq!(
            ask.parts(&raw),
            [
                LatencyPart::Table(Dimension::Ip, day),
                LatencyPart::Chart(Dimension::Client, Granularity::Week, day),
                LatencyPart::Chart(Dimension::Client, Granularity::Week, before)
            ]
        );
        raw.columns.retain(|c| c != "ip");
        assert_eq!(ask.parts(&raw).len(), 2, "no ip column");
        raw.columns.retain(|c| c != "latency_ms");
        assert_eq!(ask.parts(&raw), []);
        assert_eq!(
            crate::widgets::latency_widgets(crate::view::View::Urls, Dimension::Client),
            (Some(Dimension::Template), Dimension::Template)
        );
        assert_eq!(
            crate::widgets::latency_widgets(crate::view::View::Overview, Dimension::Ip),
            (None, Dimension::Client)
        );
    }

    // Guards listing a dimension with a value per caller in part: the SQL lists the IPs with
    // most requests over the view's window through the filters (ties by text) one by one and
    // the rest together, only where no filter narrows them; the latencies are asked for the
    // listed ones; the rest's rows read into a value no text finds, which a breakdown, its top
    // 5, its table and CSV, the compared period and the worker's hand-over keep apart.
    #[test]
    fn ips_are_listed_by_the_thousand_and_the_rest_counted_together() {
        let mut raw = table();
        raw.columns.extend(["ip", "user", "latency_ms"].map(str::to_owned));
        let (day, shown) = (
            Window {
                start: 86_400,
                end: 172_800,
            },
            Window {
                start: 90_000,
                end: 172_800,
            },
        );
        let listing = Listing { over: shown, most: 3 };
        let sql = raw.usage_sql(
            day,
            Granularity::Hour,
            "UTC",
            &[],
            &[Dimension::Ip, Dimension::Status],
            listing,
        );
        let subquery = "(SELECT ip FROM `default`.`usage` WHERE timestamp >= toDateTime(90000) AND timestamp < toDateTime(172800) GROUP BY ip ORDER BY sum(requests) DESC, ip LIMIT 3)";
        assert!(
            sql.contains(&format!(
                "ip GLOBAL IN {subquery} AS listed, if(listed, ip, '') AS listed_ip, status"
            )),
            "{sql}"
        );
        assert!(sql.contains("GROUP BY b, listed, listed_ip, status"), "{sql}");
        let filtered = [Filter {
            dimension: Dimension::Ip,
            key: "192.0.2.1".into(),
        }];
        assert!(
            !raw.usage_sql(day, Granularity::Hour, "UTC", &filtered, &[Dimension::Ip], listing)
                .contains("GLOBAL IN"),
            "a filtered IP is listed whole"
        );
        assert!(
            !raw.usage_sql(
                day,
                Granularity::Hour,
                "UTC",
                &[],
                &[Dimension::Client, Dimension::Template],
                listing
            )
            .contains("GLOBAL IN")
        );
        let class = [Filter {
            dimension: Dimension::Class,
            key: "5xx".into(),
        }];
        assert!(raw.latency_sql(shown, Dimension::User, &class, listing).contains(" AND user GLOBAL IN (SELECT user FROM `default`.`usage` WHERE timestamp >= toDateTime(90000) AND timestamp < toDateTime(172800) AND ((status >= 500 AND status < 600)) GROUP BY user"), "listed through the filters");
        assert!(
            !raw.latency_sql(shown, Dimension::Client, &[], listing)
                .contains("GLOBAL IN")
        );
        assert!(
            raw.latency_series_sql(shown, Granularity::Hour, "UTC", Dimension::Ip, &[], listing)
                .contains(&format!(" AND ip GLOBAL IN {subquery} AND requests = 1"))
        );
        assert_eq!(
            listed_in_part(&[Dimension::Client, Dimension::User], &[]),
            Some(Dimension::User)
        );
        assert_eq!(
            listed_in_part(&[Dimension::Module, Dimension::Template], &[]),
            None,
            "modules and URLs are listed whole"
        );
        // Their latencies wait for the counts (both rank every value); others go beside them.
        let ask = LatencyAsk {
            window: shown,
            before: None,
            table: Some(Dimension::Ip),
            chart: None,
        };
        assert!(ask.after_counts(&[]) && !ask.after_counts(&filtered));
        assert!(
            !LatencyAsk {
                table: Some(Dimension::Template),
                ..ask.clone()
            }
            .after_counts(&[])
        );
        assert!(
            !LatencyAsk {
                table: None,
                chart: Some((Dimension::Ip, Granularity::Hour)),
                ..ask
            }
            .after_counts(&[]),
            "the chart's top lines are few"
        );

        // An answer: three IPs listed, the rest in two rows (two status codes), yesterday and
        // the day before (the compared period), and bytes.
        let meta = r#""meta":[{"name":"b"},{"name":"listed"},{"name":"listed_ip"},{"name":"status"},{"name":"requests"},{"name":"bytes"}]"#;
        let data = r#"[[93600,1,"192.0.2.1",200,"50",5],[93600,1,"192.0.2.2",500,40,4],[93600,1,"",200,30,3],[93600,0,"",200,25,2],[93600,0,"",404,5,1],[7200,0,"",200,9,1],[7200,1,"192.0.2.2",200,1,1]]"#;
        let mut builder = crate::StoreBuilder::new();
        builder.begin_part(Grouping::of(&[Dimension::Ip]).with(Dimension::Status));
        read_usage(
            format!(r#"{{{meta},"data":{data}}}"#).as_bytes(),
            crate::model::BucketWidth::Hour,
            &mut builder,
        )
        .unwrap();
        // Through the worker's hand-over, as the page gets it.
        let (header, columns) = builder.finish().into_parts();
        let mut assembler = crate::parts::Assembler::new(header).unwrap();
        for column in columns {
            assembler.add(column).unwrap();
        }
        let store = assembler.finish().unwrap();
        let all = crate::query::RecordFilter::all();
        let b = store.breakdown(shown, Dimension::Ip, &all, false);
        let rows: Vec<(String, u64)> = b
            .rows
            .iter()
            .map(|r| (store.label(Dimension::Ip, r.key), r.counts.total()))
            .collect();
        assert_eq!(
            rows,
            [
                ("192.0.2.1".to_owned(), 50),
                ("192.0.2.2".into(), 40),
                ("Unknown".into(), 30)
            ],
            "the listed, ranked"
        );
        let rest = b.rest.expect("a rest");
        assert_eq!(
            (
                rest.counts.total(),
                rest.counts.get(crate::StatusClass::ClientError),
                rest.bytes
            ),
            (30, 5, 3)
        );
        assert_eq!(b.total.total(), 150, "the total holds the rest");
        assert_eq!(store.totals(shown, &all).total(), 150);
        assert_eq!(store.label(Dimension::Ip, rest.key), "Other IP addresses");
        assert_eq!(
            store.find_key(Dimension::Ip, "Other IP addresses"),
            None,
            "no link or filter names the rest"
        );
        assert_eq!(store.find_key(Dimension::Ip, ""), Some(0));
        let (top, other) = crate::query::top_n(&b, 1);
        assert_eq!(
            (top.len(), other.total()),
            (1, 100),
            "the doughnut's Other holds the rest"
        );
        // The table: the rest below the rows, in the CSV too, with its change and its bytes.
        let before = store.breakdown(Window { start: 0, end: 86_400 }, Dimension::Ip, &all, false);
        let table = crate::table::Table {
            dimension: Some(Dimension::Ip),
            columns: crate::table::TableColumn::for_table(Dimension::Ip, b.has_bytes, false),
            rows: b.rows.clone(),
            total: b.total,
            rest: b.rest,
            methods: Vec::new(),
            before: None,
        }
        .compared_with(&before);
        let csv = table.to_csv(&store, &table.rows, "h");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[5], "Other IP addresses,30,▲ 233.3%,25,0,5,0,0,16.7%,20.0%,3",
            "{csv}"
        );
        assert!(
            lines[6].starts_with("All IP addresses,150,") && lines[6].ends_with(",15"),
            "{csv}"
        );
        assert_eq!(lines.len(), 7);
    }

    // Guards what a link's `g=` asks of ClickHouse: finer buckets where a chart offers them for
    // the range, else the range's natural ones (never coarser than they are fetched in).
    #[test]
    fn a_links_finer_buckets_are_asked_for() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let days = |n: u64| crate::DateRange::new(today - chrono::Days::new(n), today - chrono::Days::new(1), today);
        let g = |n: u64, asked: Option<Granularity>| fetch_granularity(&days(n), asked);
        assert_eq!(g(7, None), Granularity::Day);
        assert_eq!(g(7, Some(Granularity::Hour)), Granularity::Hour);
        assert_eq!(
            g(7, Some(Granularity::TenMinutes)),
            Granularity::Day,
            "10 minutes are offered for 2 days at most"
        );
        assert_eq!(g(1, Some(Granularity::TenMinutes)), Granularity::TenMinutes);
        assert_eq!(g(1, None), Granularity::Hour);
        assert_eq!(
            g(7, Some(Granularity::Week)),
            Granularity::Day,
            "weeks are made from days"
        );
        assert_eq!(
            g(90, Some(Granularity::Hour)),
            Granularity::Day,
            "2,160 hours are more than a chart draws"
        );
    }

    // Guards the answers' two number forms (18.16 quotes 64-bit integers) and their shape.
    #[test]
    fn answers_are_read_in_both_number_forms() {
        let totals = parse_totals(br#"{"data":[["5","1",2,"0","3","0"]]}"#).unwrap();
        assert_eq!((totals.total(), totals.get(StatusClass::ServerError)), (11, 3));
        let rows = parse_breakdown(br#"{"data":[["app-1","5","0","0","0","1","0"]]}"#).unwrap();
        assert_eq!((rows[0].0.as_str(), rows[0].1.total()), ("app-1", 6));
        assert_eq!(
            parse_series(br#"{"data":[[1795000000,"7"]]}"#).unwrap(),
            [(1_795_000_000, 7)]
        );
        assert!(parse_series(br#"{"data":[[1]]}"#).is_err());
        assert!(parse_totals(b"Code: 60, e.displayText() = DB::Exception: Table default.nope doesn't exist").is_err());
        // The usage answer: 18.16's quoted counts and a current release's numbers, a name with
        // escapes, and the row at fault named when one is not what its column says.
        let meta = r#""meta":[{"name":"b","type":"UInt32"},{"name":"client_id","type":"String"},{"name":"client_name","type":"String"},{"name":"status","type":"UInt16"},{"name":"requests","type":"UInt64"}]"#;
        let answer =
            format!(r#"{{{meta},"data":[[600,"a","O\"Brien \\ \u00e9",200,"7"],[1200,"b","B",429,3]],"rows":2}}"#);
        let mut builder = crate::StoreBuilder::new();
        assert_eq!(
            read_usage(answer.as_bytes(), crate::model::BucketWidth::TenMinutes, &mut builder),
            Ok(2)
        );
        let store = builder.finish();
        let all = crate::RecordFilter::all();
        assert_eq!(store.totals(Window { start: 0, end: 1800 }, &all).total(), 10);
        assert_eq!(
            store
                .totals(Window { start: 0, end: 1800 }, &all)
                .get(StatusClass::RateLimited),
            3
        );
        let names: Vec<String> = store
            .breakdown(Window { start: 0, end: 1800 }, Dimension::Client, &all, false)
            .rows
            .iter()
            .map(|r| store.client_name(r.key).to_owned())
            .collect();
        assert!(names.contains(&"O\"Brien \\ é".to_owned()), "{names:?}");
        let bad = |data: &str| {
            read_usage(
                format!(r#"{{{meta},"data":[{data}]}}"#).as_bytes(),
                crate::model::BucketWidth::Hour,
                &mut crate::StoreBuilder::new(),
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            bad(r#"[600,"a","A",200,"7"],[600,"a","A",200,"x"]"#),
            "“x” is not a whole number"
        );
        assert_eq!(bad(r#"[600,"a","A",2000,1]"#), "row 1: the status is not a code");
        assert_eq!(bad(r#"[600,"a","A",200]"#), "row 1 is short");
        assert!(
            read_usage(
                b"{\"meta\":[],\"data\":[]}",
                crate::model::BucketWidth::Hour,
                &mut crate::StoreBuilder::new()
            )
            .unwrap_err()
            .to_string()
            .contains("no bucket")
        );
    }
}
