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

/// The column a dimension reads.
fn column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Client => "client_id",
        Dimension::Template => "template",
        Dimension::Method => "method",
        Dimension::Status | Dimension::Class => "status",
        Dimension::Module => "module",
        Dimension::Ip => "ip",
        Dimension::User => "user",
    }
}

/// The first instant, in Unix seconds, of the bucket of `granularity` on `zone`'s clock that the
/// time column `t` falls in. A 10-minute bucket is the hour's start plus whole 10 minutes, as
/// 18.16 has no `toStartOfInterval`; on the zone's clock, so that +05:45's days split no bucket.
fn bucket(t: &str, granularity: Granularity, zone: &str) -> String {
    let tz = quote(zone);
    match granularity {
        Granularity::TenMinutes => {
            format!("toUInt32(toStartOfHour({t}, {tz})) + intDiv(toMinute({t}, {tz}), 10) * 600")
        }
        Granularity::Hour => format!("toUInt32(toStartOfHour({t}, {tz}))"),
        Granularity::Day => format!("toUInt32(toStartOfDay({t}, {tz}))"),
        Granularity::Week => format!("toUInt32(toDateTime(toMonday({t}, {tz}), {tz}))"),
        Granularity::Month => format!("toUInt32(toDateTime(toStartOfMonth({t}, {tz}), {tz}))"),
    }
}

/// A request's latency in whole microseconds, as the in-browser engine keeps it.
const LATENCY_US: &str = "toUInt64(round(latency_ms * 1000))";

/// The levels that make `quantilesExact` give the engine's nearest rank for p50, p95 and p99.
/// `quantileExact` takes the value at 0-based index ⌊level·n⌋ of the sorted values (18.16 and
/// current releases); the engine takes ⌈p·n⌉ − 1. With level = p − 10⁻¹⁴ they agree for every n
/// below 10¹¹: p·n is a whole number of hundredths, 10⁻¹⁴·n stays under a hundredth, and above
/// the product's rounding error. (Checked on 18.16 for every n up to 4,000 and for n up to 10⁸.)
/// It sorts a group's latencies in place, five times faster at 100M rows than
/// `quantilesExactWeighted`'s map of distinct values, which gives the same ranks.
const NEAREST_RANK: &str = "0.49999999999999, 0.94999999999999, 0.98999999999999";
const P95_NEAREST_RANK: &str = "0.94999999999999";

/// A dimension's value as text, as the dashboard names it (a row's `data-key`): a status class
/// by its name, a status code by its digits.
fn key_sql(dimension: Dimension) -> String {
    match dimension {
        Dimension::Class => {
            let arms: Vec<String> = StatusClass::ALL[..5]
                .iter()
                .map(|&c| format!("{}, {}", class_condition(c), quote(c.as_str())))
                .collect();
            format!("multiIf({}, {})", arms.join(", "), quote(StatusClass::Other.as_str()))
        }
        Dimension::Status => "toString(status)".to_owned(),
        _ => column(dimension).to_owned(),
    }
}

/// The condition for one status class, as the core counts it (429 is not a 4xx).
fn class_condition(class: StatusClass) -> &'static str {
    match class {
        StatusClass::Success => "status >= 200 AND status < 300",
        StatusClass::Redirect => "status >= 300 AND status < 400",
        StatusClass::ClientError => "status >= 400 AND status < 500 AND status != 429",
        StatusClass::RateLimited => "status = 429",
        StatusClass::ServerError => "status >= 500 AND status < 600",
        StatusClass::Other => "(status < 200 OR status >= 600)",
    }
}

/// The address a query is POSTed to: the server's HTTP interface with the database and the
/// [`settings`] as parameters, and `add_http_cors_header=1`, so that a server on another origin
/// answers a simple request (a query with no credentials needs no preflight).
///
/// With a `query_id` (letters, digits and `-` only; anything else is left out), the query can be
/// cancelled by [`kill_sql`]: the dashboard names each query by its page, its fetch and its place
/// in the fetch ([`query_id`]). With `cancel_on_close` (a server that has [`CANCEL_ON_CLOSE`]),
/// the server stops the query when the browser drops its connection (the tab closed).
pub fn query_url(
    base: &str,
    database: &Name,
    max_seconds: u32,
    max_rows: u64,
    query_id: Option<&str>,
    cancel_on_close: bool,
) -> String {
    let mut pairs = vec![
        ("database".to_owned(), database.0.clone()),
        ("add_http_cors_header".to_owned(), "1".to_owned()),
    ];
    if let Some(id) = query_id
        .filter(|id| !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        pairs.push(("query_id".to_owned(), id.to_owned()));
    }
    if cancel_on_close {
        pairs.push((CANCEL_ON_CLOSE.to_owned(), "1".to_owned()));
    }
    // readonly last: the settings before it are set first.
    let mut limits = settings(max_seconds, max_rows);
    limits.rotate_left(1);
    pairs.extend(limits.into_iter().map(|(k, v)| (k.to_owned(), v)));
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        crate::query_string::write_query(&pairs)
    )
}

/// ClickHouse's error text (`Code: 60, e.displayText() = DB::Exception: Table … doesn't exist`)
/// as what to do about it; `None` when the text is not a ClickHouse exception.
pub fn error_message(text: &str, max_seconds: u32, max_rows: u64) -> Option<String> {
    // 18.16 words some exceptions as Poco's (`Poco::Exception. Code: 1000, …`).
    let text = text.trim_start();
    let rest = text
        .strip_prefix("Poco::Exception. ")
        .unwrap_or(text)
        .strip_prefix("Code: ")?;
    let code: u32 = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    // The exception's own words, without the code and the stack.
    let said = rest.split_once("Exception: ").map_or(rest, |(_, said)| said);
    let said = said
        .split([',', '\n'])
        .next()
        .unwrap_or(said)
        .trim()
        .trim_end_matches('.');
    if let Some(zone) = said.strip_prefix("Cannot load time zone ") {
        let zone = zone.split(':').next().unwrap_or(zone).trim();
        return Some(format!(
            "ClickHouse does not know the time zone {zone}: its time zone data may be older than the browser's. Choose another zone, or UTC."
        ));
    }
    Some(match code {
        192..=194 | 516 => "ClickHouse refused the user name or password: check them under “Connect API…”.".to_owned(),
        497 | 164 => format!("ClickHouse does not let this user read the table: {said}."),
        60 | 81 => format!(
            "ClickHouse says: {said}. Check the database and table under “Connect API…”; docs/clickhouse.md shows the table to create."
        ),
        16 | 47 => {
            format!("ClickHouse says: {said}. The table lacks a column Callboard reads: docs/clickhouse.md lists them.")
        }
        // Said of latency queries too, which only a shorter range helps: they read the raw table.
        159 => format!(
            "The query ran longer than {max_seconds} seconds (max_execution_time): choose a shorter range; for counts, an hourly or 10-minute rollup also helps (docs/clickhouse.md)."
        ),
        158 | 396 => format!(
            "The answer would be over {max_rows} rows (max_result_rows), so ClickHouse refused it rather than cut it short: choose a shorter range or longer buckets."
        ),
        _ => format!("ClickHouse failed (code {code}): {said}."),
    })
}

/// The id of a query: `callboard-<page>-<fetch>-<place>`, where `page` is the page's own id
/// (letters and digits), `fetch` the number of the page's fetch, and `place` which of the fetch's
/// queries it is (`usage-0`, `latency-1`). [`kill_sql`] reads the fetch's number back.
pub fn query_id(page: &str, fetch: u32, place: &str) -> String {
    format!("callboard-{page}-{fetch}-{place}")
}

/// Cancels, on the server, the page's queries of fetches before `fetch`: superseded fetches whose
/// answers the browser no longer waits for, but which 18.16 would run on until
/// `max_execution_time`. Only earlier fetches: a superseded fetch's own kill that reaches the
/// server late cannot cancel a newer fetch's queries. A read-only user may kill its own queries;
/// `ASYNC`: the answer does not wait for them to stop. `None` for a page id that is not letters
/// and digits.
pub fn kill_sql(page: &str, fetch: u32) -> Option<String> {
    (!page.is_empty() && page.chars().all(|c| c.is_ascii_alphanumeric())).then(|| {
        format!("KILL QUERY WHERE query_id LIKE {} AND toUInt64OrZero(splitByChar('-', query_id)[3]) < {fetch} ASYNC FORMAT JSONCompact", quote(&format!("callboard-{page}-%")))
    })
}

/// The setting of current releases that stops a read-only HTTP query when its client goes away
/// (a closed tab, whose fetches no newer fetch of the page will [`kill_sql`]). 18.16 refuses it as
/// unknown, so it is sent only where [`has_setting_sql`] finds it.
pub const CANCEL_ON_CLOSE: &str = "cancel_http_readonly_queries_on_client_close";

/// Asks whether the server has [`CANCEL_ON_CLOSE`]: its answer names it, or is empty
/// ([`has_setting`]).
pub fn has_setting_sql() -> String {
    format!(
        "SELECT name FROM system.settings WHERE name = {} FORMAT JSONCompact",
        quote(CANCEL_ON_CLOSE)
    )
}

/// Whether [`has_setting_sql`]'s answer names the setting; anything else (an error, another
/// shape) says no, so the setting is never sent to a server that would refuse it.
pub fn has_setting(answer: &[u8]) -> bool {
    serde_json::from_slice::<Value>(answer)
        .ok()
        .and_then(|v| {
            v.get("data").and_then(Value::as_array).map(|rows| {
                rows.iter()
                    .any(|r| r.get(0).and_then(Value::as_str) == Some(CANCEL_ON_CLOSE))
            })
        })
        .unwrap_or(false)
}

/// The settings every query carries, as the HTTP interface's URL parameters: read-only, a time
/// limit, and a row limit that fails loudly (`throw`) instead of cutting the answer short.
pub fn settings(max_seconds: u32, max_rows: u64) -> Vec<(&'static str, String)> {
    vec![
        ("readonly", "1".to_owned()),
        ("max_execution_time", max_seconds.to_string()),
        ("max_result_rows", max_rows.to_string()),
        ("result_overflow_mode", "throw".to_owned()),
    ]
}

impl Table {
    /// The table from its `DESCRIBE TABLE … FORMAT JSONCompact` answer: it must have a timestamp
    /// and requests; the other columns decide which dimensions are offered.
    pub fn from_describe(database: Name, table: Name, answer: &[u8]) -> Result<Table, AnswerError> {
        let document: Value = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
            what: "DESCRIBE TABLE",
            reason: e.to_string(),
        })?;
        let columns: Vec<String> = document
            .get("data")
            .and_then(Value::as_array)
            .ok_or(AnswerError::NoData { what: "DESCRIBE TABLE" })?
            .iter()
            .filter_map(|row| row.get(0)?.as_str().map(str::to_owned))
            .collect();
        let has = |name: &str| columns.iter().any(|c| c == name);
        if !has("timestamp") && !has("bucket") {
            return Err(AnswerError::NoTime);
        }
        for needed in ["requests", "status"] {
            if !has(needed) {
                return Err(AnswerError::NoColumn(needed));
            }
        }
        Ok(Table {
            database,
            table,
            columns,
        })
    }

    /// Whether the table has the column `dimension` reads.
    pub fn offers(&self, dimension: Dimension) -> bool {
        self.columns.iter().any(|c| c == column(dimension))
    }

    /// The time column: `timestamp` in the raw table, `bucket` in a rollup.
    fn time(&self) -> &'static str {
        if self.columns.iter().any(|c| c == "timestamp") {
            "timestamp"
        } else {
            "bucket"
        }
    }

    /// Whether this is a rollup rather than the raw table.
    pub fn is_rollup(&self) -> bool {
        self.time() == "bucket"
    }

    /// The width of a rollup's buckets in seconds, from its name's suffix ([`ROLLUPS`]); 0 for
    /// the raw table.
    pub fn rollup_width(&self) -> i64 {
        if !self.is_rollup() {
            return 0;
        }
        ROLLUPS
            .iter()
            .find(|(suffix, _)| self.table.as_str().ends_with(suffix))
            .map_or(600, |&(_, width)| width)
    }

    /// Whether this table can answer a query over `window` in buckets of `granularity`, by
    /// `dimensions`, through `filters`, in a zone with `offsets`: the raw table always can; a
    /// rollup only when its buckets are no wider than the query's, the window's ends and every
    /// bucket of the zone fall on its buckets' edges (a zone whose offsets are whole multiples of
    /// its width: not Asia/Kathmandu's +05:45 for 10 minutes, nor India's +05:30 for hours) and it
    /// has every column asked for (it keeps no IPs or users).
    pub fn can_answer(
        &self,
        window: Window,
        granularity: Granularity,
        dimensions: &[Dimension],
        filters: &[Filter],
        offsets: &Offsets,
    ) -> bool {
        let width = self.rollup_width();
        if width == 0 {
            return true;
        }
        let query_width = match granularity {
            Granularity::TenMinutes => 600,
            Granularity::Hour => 3_600,
            _ => 86_400,
        };
        width <= query_width
            && window.start % width == 0
            && window.end % width == 0
            && offsets
                .changes()
                .iter()
                .all(|&(_, offset)| i64::from(offset) % width == 0)
            && dimensions.iter().all(|&d| self.offers(d))
            && filters.iter().all(|f| self.offers(f.dimension))
    }

    fn from(&self) -> String {
        format!("{}.{}", self.database.sql(), self.table.sql())
    }

    /// The rows of `window` that `filters` let through: filters on one dimension are
    /// alternatives, filters on different dimensions all apply, as in the core. A filter on a
    /// column the table lacks lets nothing through.
    pub fn condition(&self, window: Window, filters: &[Filter]) -> String {
        let t = self.time();
        let mut parts = vec![format!(
            "{t} >= toDateTime({}) AND {t} < toDateTime({})",
            window.start.max(0),
            window.end.max(0)
        )];
        for dimension in Dimension::ALL {
            let keys: Vec<&str> = filters
                .iter()
                .filter(|f| f.dimension == dimension)
                .map(|f| f.key.as_str())
                .collect();
            if keys.is_empty() {
                continue;
            }
            if !self.offers(dimension) {
                parts.push("0".to_owned());
                continue;
            }
            let each: Vec<String> = keys
                .iter()
                .map(|key| match dimension {
                    Dimension::Class => StatusClass::ALL
                        .iter()
                        .find(|c| c.as_str() == *key)
                        .map_or("0".to_owned(), |&c| format!("({})", class_condition(c))),
                    Dimension::Status => key
                        .parse::<u16>()
                        .map_or("0".to_owned(), |code| format!("status = {code}")),
                    _ => format!("{} = {}", column(dimension), quote(key)),
                })
                .collect();
            parts.push(format!("({})", each.join(" OR ")));
        }
        parts.join(" AND ")
    }

    /// The six status-class sums, in [`StatusClass::ALL`]'s order.
    fn class_sums() -> String {
        StatusClass::ALL
            .iter()
            .map(|&c| format!("sumIf(requests, {})", class_condition(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Requests per status class in `window` through `filters`: one row.
    pub fn totals_sql(&self, window: Window, filters: &[Filter]) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} FORMAT JSONCompact",
            Self::class_sums(),
            self.from(),
            self.condition(window, filters)
        )
    }

    /// Requests per value of `dimension` (per status class), most first, at most `limit` values.
    pub fn breakdown_sql(&self, window: Window, dimension: Dimension, filters: &[Filter], limit: u64) -> String {
        format!(
            "SELECT {} AS k, {} FROM {} WHERE {} GROUP BY k ORDER BY sum(requests) DESC, k LIMIT {limit} FORMAT JSONCompact",
            key_sql(dimension),
            Self::class_sums(),
            self.from(),
            self.condition(window, filters)
        )
    }

    /// Whether the table has each request's latency (its `latency_ms` column): only the raw
    /// table can, as a rollup's rows are many requests each.
    pub fn has_latency(&self) -> bool {
        !self.is_rollup() && self.columns.iter().any(|c| c == "latency_ms")
    }

    /// Exact p50, p95 and p99 latency per value of `dimension` in `window` through `filters`, in
    /// whole microseconds: the requests' own (rows of one request; a row of many has no single
    /// latency), ranked as the in-browser engine ranks them ([`NEAREST_RANK`]). A dimension
    /// with a value per caller gets them for the values `listing` lists one by one.
    pub fn latency_sql(&self, window: Window, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        format!(
            "SELECT {} AS k, quantilesExact({NEAREST_RANK})({LATENCY_US}) FROM {} WHERE {}{} AND requests = 1 GROUP BY k FORMAT JSONCompact",
            key_sql(dimension),
            self.from(),
            self.condition(window, filters),
            self.only_listed(dimension, filters, listing)
        )
    }

    /// The values of `dimension` that `listing` lists one by one, as a subquery: those with most
    /// requests over its window through `filters`, ties by their text (bytes), as the in-browser
    /// engine ranks a breakdown.
    fn listed_values(&self, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        let c = column(dimension);
        format!(
            "(SELECT {c} FROM {} WHERE {} GROUP BY {c} ORDER BY sum(requests) DESC, {c} LIMIT {})",
            self.from(),
            self.condition(listing.over, filters),
            listing.most
        )
    }

    /// ` AND` the values of `dimension` that `listing` lists one by one, where it lists only
    /// some ([`listed_in_part`]); nothing otherwise.
    fn only_listed(&self, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        match listed_in_part(&[dimension], filters) {
            Some(d) => format!(
                " AND {} GLOBAL IN {}",
                column(d),
                self.listed_values(d, filters, listing)
            ),
            None => String::new(),
        }
    }

    /// The exact p95 latency per bucket of `granularity` on `zone`'s clock and per value of
    /// `dimension` in `window` through `filters`: the time chart's p95 lines, as
    /// [`Table::latency_sql`] counts them.
    pub fn latency_series_sql(
        &self,
        window: Window,
        granularity: Granularity,
        zone: &str,
        dimension: Dimension,
        filters: &[Filter],
        listing: Listing,
    ) -> String {
        format!(
            "SELECT {} AS b, {} AS k, quantileExact({P95_NEAREST_RANK})({LATENCY_US}) FROM {} WHERE {}{} AND requests = 1 GROUP BY b, k FORMAT JSONCompact",
            bucket(self.time(), granularity, zone),
            key_sql(dimension),
            self.from(),
            self.condition(window, filters),
            self.only_listed(dimension, filters, listing)
        )
    }

    /// Requests over time in buckets of `granularity` on `zone`'s clock (an IANA name, `UTC`
    /// included), each bucket named by its first instant in Unix seconds.
    pub fn series_sql(&self, window: Window, granularity: Granularity, zone: &str, filters: &[Filter]) -> String {
        let bucket = bucket(self.time(), granularity, zone);
        format!(
            "SELECT {bucket} AS b, sum(requests) FROM {} WHERE {} GROUP BY b ORDER BY b FORMAT JSONCompact",
            self.from(),
            self.condition(window, filters)
        )
    }
}

/// The parts a view's usage is fetched in: each of its [`crate::widgets::view_groupings`] with the link's
/// filters' dimensions kept apart too (a part is filtered in the browser as well), once each,
/// and none that another part keeps apart as well: widgets whose grouping another widget's
/// holds read that widget's answer. Each query scans the range, and on 2 cores at 100M rows
/// the overview's four queries (status codes, clients, URLs, and clients × URLs × methods) took
/// about twice as long as the last alone, which answers all four (docs/benchmarks.md).
pub fn usage_parts(groupings: &[Grouping], filters: &[Filter]) -> Vec<Grouping> {
    let filtered: Grouping = filters.iter().map(|f| f.dimension).collect();
    let parts = crate::dimension::distinct(groupings.iter().map(|g| g.and(filtered)).collect());
    parts
        .iter()
        .copied()
        .filter(|&p| !parts.iter().any(|&q| q != p && q.covers(p)))
        .collect()
}

/// How many values of a dimension with a value per caller (an IP address, a user) a view lists
/// one by one: those with most requests; the rest are counted together, in one row. A day of a
/// busy API has a million IPs, more than any table shows or `max_result_rows` lets through.
pub const LISTED: u64 = 1_000;

/// How a dimension with a value per caller ([`Dimension::open_ended`]) is listed: the `most`
/// values with most requests over `over`, the view's own window, through the link's filters,
/// one by one, and the rest counted together ([`crate::StoreBuilder::rest`]). The values are
/// picked once, over the view's window, for the compared period as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    pub over: Window,
    pub most: u64,
}

/// The one of `dimensions` that a query lists only in part ([`Listing`]): a dimension with a
/// value per caller that no filter narrows to a few values.
pub fn listed_in_part(dimensions: &[Dimension], filters: &[Filter]) -> Option<Dimension> {
    dimensions
        .iter()
        .copied()
        .find(|&d| d.open_ended() && !filters.iter().any(|f| f.dimension == d))
}

/// One query of a view's usage: the part it fills, the table that answers it, and its SQL.
#[derive(Clone, Debug)]
pub struct UsageQuery<'a> {
    pub part: Grouping,
    pub table: &'a Table,
    pub sql: String,
}

/// A view's usage queries, to be sent in parallel: one per part ([`usage_parts`]) and stretch
/// of days in `windows`, each grouped by the part's dimensions that `raw` has, on the coarsest
/// table that can answer it ([`answering`]), counted on `zone`'s clock in buckets of
/// `granularity` through `filters`, a dimension with a value per caller as `listing` lists it.
#[allow(clippy::too_many_arguments)]
pub fn usage_queries<'a>(
    raw: &'a Table,
    rollups: &'a [Table],
    groupings: &[Grouping],
    windows: &[Window],
    granularity: Granularity,
    zone: &str,
    filters: &[Filter],
    offsets: &Offsets,
    listing: Listing,
) -> Vec<UsageQuery<'a>> {
    let mut queries = Vec::new();
    for part in usage_parts(groupings, filters) {
        let dimensions = raw.usage_dimensions(&part.dimensions());
        for &window in windows {
            let table = answering(raw, rollups, window, granularity, &dimensions, filters, offsets);
            queries.push(UsageQuery {
                part,
                table,
                sql: table.usage_sql(window, granularity, zone, filters, &dimensions, listing),
            });
        }
    }
    queries
}

/// The tables that answer `queries`, each named once, in the order first asked: the banner says
/// which counted.
pub fn answered_by<'a>(queries: &[UsageQuery<'a>]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for query in queries {
        if !names.contains(&query.table.table.as_str()) {
            names.push(query.table.table.as_str());
        }
    }
    names
}

/// [`usage_queries`]' answers, in their order, read into one store: each part's answers into a
/// part of its own ([`crate::StoreBuilder::begin_part`]), whose buckets are `width` wide.
pub fn read_parts<'b>(
    queries: &[UsageQuery<'_>],
    answers: impl IntoIterator<Item = &'b [u8]>,
    width: crate::model::BucketWidth,
) -> Result<crate::UsageStore, AnswerError> {
    let mut builder = crate::StoreBuilder::new();
    let mut last = None;
    for (query, answer) in queries.iter().zip(answers) {
        if last != Some(query.part) {
            builder.begin_part(query.part);
            last = Some(query.part);
        }
        read_usage(answer, width, &mut builder)?;
    }
    Ok(builder.finish())
}

/// The buckets ClickHouse counts a range in: the range's natural ones (hours up to 2 days, else
/// days), or the link's finer `g=` (10 minutes or hours) where a chart offers it for that range,
/// so that a link's `g=hour` on a week shows hours rather than the days a week is fetched in.
pub fn fetch_granularity(range: &crate::DateRange, asked: Option<Granularity>) -> Granularity {
    let natural = range.natural_granularity();
    match asked {
        Some(g @ (Granularity::TenMinutes | Granularity::Hour))
            if g.fixed_seconds() < natural.fixed_seconds()
                && crate::zone::granularities(range.days(), g.fixed_seconds().unwrap_or(0)).contains(&g) =>
        {
            g
        }
        _ => natural,
    }
}

/// The latencies a view asks ClickHouse for, besides its usage: over exactly the view's window
/// (and the compared period's, for the chart), never the whole UTC days fetched around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyAsk {
    pub window: Window,
    pub before: Option<Window>,
    /// The table's dimension, for p50, p95 and p99 per value.
    pub table: Option<Dimension>,
    /// The chart's dimension and buckets, for p95 per bucket and value (with `metric=p95`).
    pub chart: Option<(Dimension, Granularity)>,
}

/// One query of a [`LatencyAsk`]: a table's percentiles over the view's window, or the chart's
/// p95 per bucket over the view's window or the compared period's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyPart {
    Table(Dimension, Window),
    Chart(Dimension, Granularity, Window),
}

impl LatencyPart {
    /// Its SQL, on the raw table (only it has a request's own latency), for the values of a
    /// dimension with a value per caller that `listing` lists one by one.
    pub fn sql(&self, raw: &Table, zone: &str, filters: &[Filter], listing: Listing) -> String {
        match *self {
            LatencyPart::Table(dimension, window) => raw.latency_sql(window, dimension, filters, listing),
            LatencyPart::Chart(dimension, granularity, window) => {
                raw.latency_series_sql(window, granularity, zone, dimension, filters, listing)
            }
        }
    }

    /// Reads its answer into `counted`, each value keyed as `key` gives it.
    pub fn read(
        &self,
        answer: &[u8],
        key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
        counted: &mut crate::latency::CountedLatency,
    ) -> Result<(), AnswerError> {
        match *self {
            LatencyPart::Table(dimension, window) => counted.tables.push(read_latency(answer, key, dimension, window)?),
            LatencyPart::Chart(dimension, granularity, window) => {
                counted
                    .series
                    .push(read_latency_series(answer, key, dimension, granularity, window)?)
            }
        }
        Ok(())
    }
}

impl LatencyAsk {
    /// How a dimension with a value per caller is listed: as the view's usage lists it, over
    /// the view's window.
    pub fn listing(&self) -> Listing {
        Listing {
            over: self.window,
            most: LISTED,
        }
    }

    /// Whether these latencies are asked for only once the counts are in, rather than beside
    /// them: when the table's dimension is listed in part through `filters`. Its usage and
    /// latency queries then each rank every value of the range first (the heaviest part of
    /// both), and sent at once on the same cores each takes twice as long: the counts of
    /// Explore by IP over 7 days at 100M rows showed after 4.9 s beside the latencies
    /// (docs/benchmarks.md).
    pub fn after_counts(&self, filters: &[Filter]) -> bool {
        self.table.is_some_and(|d| listed_in_part(&[d], filters).is_some())
    }

    /// The queries this asks of `raw`: none when it has no latencies, and none for a dimension
    /// it lacks.
    pub fn parts(&self, raw: &Table) -> Vec<LatencyPart> {
        if !raw.has_latency() {
            return Vec::new();
        }
        let mut parts: Vec<LatencyPart> = self
            .table
            .filter(|&d| raw.offers(d))
            .map(|d| LatencyPart::Table(d, self.window))
            .into_iter()
            .collect();
        if let Some((dimension, granularity)) = self.chart.filter(|&(d, _)| raw.offers(d)) {
            parts.extend(
                std::iter::once(self.window)
                    .chain(self.before)
                    .map(|w| LatencyPart::Chart(dimension, granularity, w)),
            );
        }
        parts
    }

    /// As one line of text for the worker: `start end before-start before-end table chart
    /// granularity`, with `-` for what is not asked.
    pub fn to_text(&self) -> String {
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        let before = |pick: fn(Window) -> i64| or_dash(self.before.map(|w| pick(w).to_string()));
        let chart =
            |pick: fn((Dimension, Granularity)) -> &'static str| or_dash(self.chart.map(|c| pick(c).to_owned()));
        [
            self.window.start.to_string(),
            self.window.end.to_string(),
            before(|w| w.start),
            before(|w| w.end),
            or_dash(self.table.map(|d| d.as_str().to_owned())),
            chart(|c| c.0.as_str()),
            chart(|c| c.1.as_str()),
        ]
        .join(" ")
    }

    /// [`LatencyAsk::to_text`] read back; `None` when it is not one.
    pub fn parse(text: &str) -> Option<LatencyAsk> {
        let parts: Vec<&str> = text.split(' ').collect();
        let [start, end, before_start, before_end, table, chart, granularity] = parts.as_slice() else {
            return None;
        };
        let number = |t: &str| t.parse::<i64>().ok();
        let window = Window {
            start: number(start)?,
            end: number(end)?,
        };
        let before = match (number(before_start), number(before_end)) {
            (Some(start), Some(end)) => Some(Window { start, end }),
            _ => None,
        };
        let chart = Dimension::parse(chart).zip(Granularity::parse(granularity));
        Some(LatencyAsk {
            window,
            before,
            table: Dimension::parse(table),
            chart,
        })
    }
}

impl Table {
    /// The dimensions a usage query groups by: `needed` (a part's, [`usage_parts`]), once each,
    /// a status class by its status codes, and each only where the table has its column.
    pub fn usage_dimensions(&self, needed: &[Dimension]) -> Vec<Dimension> {
        let mut dimensions = Vec::new();
        for &d in needed {
            let d = if d == Dimension::Class { Dimension::Status } else { d };
            if !dimensions.contains(&d) && self.offers(d) {
                dimensions.push(d);
            }
        }
        dimensions
    }

    /// Requests per bucket of `granularity` (10 minutes, an hour or a day) on `zone`'s clock (an
    /// IANA name, `UTC` included) and per value of `dimensions` in `window` through `filters`:
    /// aggregates that the in-browser engine then reads as a live answer, as it reads Callboard's
    /// usage API. Each bucket is named by its first instant, so a day is the zone's own day
    /// (23 or 25 hours across a change of its clocks) and the dashboard's days, weeks and months
    /// in that zone count exactly what per-request data would. Bytes are summed where the table
    /// has them; latencies are not (a bucket's sum is not a request's latency). A dimension with
    /// a value per caller is listed as `listing` says: a row's `listed` is 0 for the rest,
    /// counted together, and its value is then empty.
    pub fn usage_sql(
        &self,
        window: Window,
        granularity: Granularity,
        zone: &str,
        filters: &[Filter],
        dimensions: &[Dimension],
        listing: Listing,
    ) -> String {
        let granularity = match granularity {
            Granularity::TenMinutes | Granularity::Hour => granularity,
            _ => Granularity::Day,
        };
        let bucket = bucket(self.time(), granularity, zone);
        let mut keys = vec!["b".to_owned()];
        let mut picked = vec![format!("{bucket} AS b")];
        let in_part = listed_in_part(dimensions, filters);
        for &d in dimensions {
            let c = column(d);
            if in_part == Some(d) {
                // Aliased apart: an alias named as its column would stand for the column everywhere.
                picked.push(format!(
                    "{c} GLOBAL IN {} AS listed, if(listed, {c}, '') AS listed_{c}",
                    self.listed_values(d, filters, listing)
                ));
                keys.extend(["listed".to_owned(), format!("listed_{c}")]);
            } else {
                picked.push(c.to_owned());
                keys.push(c.to_owned());
            }
        }
        if dimensions.contains(&Dimension::Client) && self.columns.iter().any(|c| c == "client_name") {
            picked.push("any(client_name) AS client_name".to_owned());
        }
        picked.push("sum(requests) AS requests".to_owned());
        if self.columns.iter().any(|c| c == "bytes") {
            picked.push("sum(bytes) AS bytes".to_owned());
        }
        format!(
            "SELECT {} FROM {} WHERE {} GROUP BY {} ORDER BY b FORMAT JSONCompact",
            picked.join(", "),
            self.from(),
            self.condition(window, filters),
            keys.join(", ")
        )
    }
}

/// Reads [`Table::usage_sql`]'s answer into `builder`: a record per row, its bucket `width`
/// wide. The answer's own column names (its `meta`) say what each cell is. The answer is read
/// once, its cells borrowed from it where they need no unescaping: a view's answer may hold
/// hundreds of thousands of rows, and the worker reads it.
pub fn read_usage(
    answer: &[u8],
    width: crate::model::BucketWidth,
    builder: &mut crate::StoreBuilder,
) -> Result<usize, AnswerError> {
    let document: Compact = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
        what: "ClickHouse",
        reason: e.to_string(),
    })?;
    let at = |name: &str| document.meta.iter().position(|c| c.name == name);
    let (bucket, requests) = (
        at("b").ok_or(AnswerError::NoAnswerColumn("bucket"))?,
        at("requests").ok_or(AnswerError::NoAnswerColumn("requests"))?,
    );
    let [client_id, client_name, method, template, module] =
        ["client_id", "client_name", "method", "template", "module"].map(at);
    // A dimension listed in part ([`Listing`]): its values under `listed_…`, and the rest's rows.
    let (listed, listed_user, listed_ip) = (at("listed"), at("listed_user"), at("listed_ip"));
    let (user, ip) = (at("user").or(listed_user), at("ip").or(listed_ip));
    let in_part = listed.and(if listed_ip.is_some() {
        Some(Dimension::Ip)
    } else {
        listed_user.map(|_| Dimension::User)
    });
    let (status, bytes) = (at("status"), at("bytes"));
    for (i, row) in document.data.iter().enumerate() {
        let text = |column: Option<usize>| column.and_then(|c| row.get(c)).and_then(Cell::text).unwrap_or("");
        let number = |column: usize| {
            row.get(column)
                .ok_or(AnswerError::ShortRow(i + 1))
                .and_then(Cell::count)
        };
        let client = builder.client(text(client_id), text(client_name));
        let endpoint = builder.endpoint(&text(method).to_ascii_uppercase(), text(template));
        let status = match status {
            Some(c) => u16::try_from(number(c)?)
                .ok()
                .filter(|&s| s < 1000)
                .ok_or(AnswerError::NotACode(i + 1))?,
            None => 0,
        };
        let (module, mut user, mut ip) = (
            builder.module(text(module)),
            builder.user(text(user)),
            builder.ip(text(ip)),
        );
        if let (Some(column), Some(dimension)) = (listed, in_part)
            && number(column)? == 0
        {
            let rest = builder
                .rest(dimension)
                .ok_or(AnswerError::Row("a rest of a dimension listed whole"))?;
            match dimension {
                Dimension::Ip => ip = rest,
                _ => user = rest,
            }
        }
        let bytes = bytes.map(number).transpose()?;
        let row = crate::store::Row {
            timestamp: number(bucket)? as i64,
            bucket: width,
            client,
            endpoint,
            status,
            requests: number(requests)?,
            module,
            user,
            ip,
            bytes,
            latency_us: None,
        };
        builder
            .push_row(row)
            .map_err(|error| AnswerError::Store { row: i + 1, error })?;
    }
    Ok(document.data.len())
}

/// A `FORMAT JSONCompact` answer: its columns' names, and its rows of cells.
#[derive(serde::Deserialize)]
struct Compact<'a> {
    #[serde(borrow)]
    meta: Vec<ColumnName<'a>>,
    #[serde(borrow)]
    data: Vec<Vec<Cell<'a>>>,
}

#[derive(serde::Deserialize)]
struct ColumnName<'a> {
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
}

/// One cell of an answer: a whole number, a text (borrowed unless it had escapes), or anything
/// else, which no column Callboard reads holds.
enum Cell<'a> {
    Number(u64),
    Text(std::borrow::Cow<'a, str>),
    Other,
}

impl Cell<'_> {
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A whole number: 18.16 writes 64-bit integers as JSON strings, newer releases as numbers.
    fn count(&self) -> Result<u64, AnswerError> {
        match self {
            Cell::Number(n) => Ok(*n),
            Cell::Text(text) => text.parse().map_err(|_| AnswerError::NotWhole(text.to_string())),
            Cell::Other => Err(AnswerError::Row("a cell is not a whole number")),
        }
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Cell<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Cell<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a cell")
            }
            fn visit_u64<E>(self, n: u64) -> Result<Cell<'a>, E> {
                Ok(Cell::Number(n))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Cell<'a>, E> {
                Ok(u64::try_from(n).map_or(Cell::Other, Cell::Number))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_unit<E>(self) -> Result<Cell<'a>, E> {
                Ok(Cell::Other)
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Cell<'a>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(text)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'a>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Cell::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Cell<'a>, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Cell::Other)
            }
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

/// The optional rollups of a table `usage`, coarsest first: `usage_1h` (hours) and `usage_10m`
/// (10 minutes), each a name suffix and its buckets' width in seconds.
pub const ROLLUPS: [(&str, i64); 2] = [("_1h", 3_600), ("_10m", 600)];

/// The table that answers a query: the coarsest rollup that can ([`Table::can_answer`]), else
/// the raw table. The dashboard names the one that answered.
pub fn answering<'a>(
    raw: &'a Table,
    rollups: &'a [Table],
    window: Window,
    granularity: Granularity,
    dimensions: &[Dimension],
    filters: &[Filter],
    offsets: &Offsets,
) -> &'a Table {
    let mut fitting: Vec<&Table> = rollups
        .iter()
        .filter(|r| r.can_answer(window, granularity, dimensions, filters, offsets))
        .collect();
    fitting.sort_by_key(|r| std::cmp::Reverse(r.rollup_width()));
    fitting.first().copied().unwrap_or(raw)
}

/// An optional rollup of `database.raw`, named `rollup`, with buckets `width` seconds wide (600
/// or 3600, named as [`ROLLUPS`] says): a SummingMergeTree of requests and bytes per UTC bucket,
/// client, method, template, status and module, and the materialized view that fills it from
/// every insert into the raw table. Queries still `sum()`: parts are summed when they merge,
/// which is eventual.
pub fn rollup_sql(database: &Name, raw: &Name, rollup: &Name, width: i64) -> [String; 2] {
    let (db, raw_sql, rollup_sql) = (database.sql(), raw.sql(), rollup.sql());
    let view = Name(format!("{}_mv", rollup.0));
    [
        format!(
            "CREATE TABLE {db}.{rollup_sql} (bucket DateTime, client_id String, client_name String, method String, template String, status UInt16, module String, requests UInt64, bytes UInt64) \
             ENGINE = SummingMergeTree PARTITION BY toYYYYMM(bucket) ORDER BY (bucket, client_id, template, method, status, module, client_name)"
        ),
        format!(
            "CREATE MATERIALIZED VIEW {db}.{} TO {db}.{rollup_sql} AS SELECT toDateTime(intDiv(toUInt32(timestamp), {width}) * {width}) AS bucket, client_id, client_name, method, template, status, module, \
             sum(requests) AS requests, sum(bytes) AS bytes FROM {db}.{raw_sql} GROUP BY bucket, client_id, client_name, method, template, status, module",
            view.sql()
        ),
    ]
}

/// A whole number in an answer: 18.16 writes 64-bit integers as JSON strings, newer releases
/// as numbers unless told otherwise.
fn count(value: &Value) -> Result<u64, AnswerError> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| AnswerError::NotWhole(value.to_string()))
}

/// The rows of a `FORMAT JSONCompact` answer.
fn rows_of(answer: &[u8]) -> Result<Vec<Vec<Value>>, AnswerError> {
    let document: Value = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
        what: "ClickHouse",
        reason: e.to_string(),
    })?;
    let data = document
        .get("data")
        .and_then(Value::as_array)
        .ok_or(AnswerError::NoData { what: "ClickHouse" })?;
    data.iter()
        .map(|row| {
            row.as_array()
                .cloned()
                .ok_or(AnswerError::Row("a row of ClickHouse's answer is not a list"))
        })
        .collect()
}

fn counts(cells: &[Value]) -> Result<StatusCounts, AnswerError> {
    let mut counts = StatusCounts::default();
    for (&class, cell) in StatusClass::ALL.iter().zip(cells) {
        counts.add(class, count(cell)?);
    }
    Ok(counts)
}

/// [`Table::totals_sql`]'s answer.
pub fn parse_totals(answer: &[u8]) -> Result<StatusCounts, AnswerError> {
    let rows = rows_of(answer)?;
    counts(rows.first().map_or(&[][..], |r| r.as_slice()))
}

/// [`Table::breakdown_sql`]'s answer: each value's text (a row's `data-key`) and counts.
pub fn parse_breakdown(answer: &[u8]) -> Result<Vec<(String, StatusCounts)>, AnswerError> {
    rows_of(answer)?
        .iter()
        .map(|row| {
            let key = row
                .first()
                .and_then(Value::as_str)
                .ok_or(AnswerError::Row("a breakdown row has no key"))?
                .to_owned();
            Ok((key, counts(&row[1..])?))
        })
        .collect()
}

/// [`Table::latency_sql`]'s answer, as `dimension`'s percentiles over `window`, each value's key
/// as `key` gives it (a store's id, or a position in a list of texts); a value without one is
/// left out (it has no requests there to show).
pub fn read_latency(
    answer: &[u8],
    key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
    dimension: Dimension,
    window: Window,
) -> Result<crate::latency::KeyPercentiles, AnswerError> {
    let mut rows = Vec::new();
    let key_of = key;
    for row in rows_of(answer)? {
        let (Some(text), Some(Value::Array(p))) = (row.first().and_then(Value::as_str), row.get(1)) else {
            return Err(AnswerError::Row("a latency row is not (value, percentiles)"));
        };
        let [p50, p95, p99] = match p.as_slice() {
            [a, b, c] => [count(a)?, count(b)?, count(c)?],
            _ => return Err(AnswerError::Row("a latency row has not three percentiles")),
        };
        if let Some(id) = key_of(dimension, text) {
            rows.push((
                id,
                crate::query::Percentiles {
                    p50_us: p50,
                    p95_us: p95,
                    p99_us: p99,
                },
            ));
        }
    }
    rows.sort_by_key(|&(id, _)| id);
    Ok(crate::latency::KeyPercentiles {
        dimension,
        window,
        rows,
    })
}

/// [`Table::latency_series_sql`]'s answer, as `dimension`'s p95 per bucket of `granularity` over
/// `window`, keyed as [`read_latency`] keys.
pub fn read_latency_series(
    answer: &[u8],
    key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
    dimension: Dimension,
    granularity: Granularity,
    window: Window,
) -> Result<crate::latency::BucketP95, AnswerError> {
    let mut points = Vec::new();
    for row in rows_of(answer)? {
        let [bucket, value, p95] = row.as_slice() else {
            return Err(AnswerError::Row("a latency row is not (bucket, value, p95)"));
        };
        let text = value
            .as_str()
            .ok_or(AnswerError::Row("a latency row's value is not text"))?;
        if let Some(id) = key(dimension, text) {
            points.push((id, count(bucket)? as i64, count(p95)?));
        }
    }
    Ok(crate::latency::BucketP95 {
        dimension,
        window,
        granularity,
        points,
    })
}

/// [`Table::series_sql`]'s answer: (bucket start, requests), buckets without requests absent.
pub fn parse_series(answer: &[u8]) -> Result<Vec<(i64, u64)>, AnswerError> {
    rows_of(answer)?
        .iter()
        .map(|row| match row.as_slice() {
            [bucket, requests] => Ok((count(bucket)? as i64, count(requests)?)),
            _ => Err(AnswerError::Row("a series row is not (bucket, requests)")),
        })
        .collect()
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
