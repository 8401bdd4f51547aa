//! ClickHouse's HTTP interface: the query URL and its settings, the messages its errors get,
//! and how a superseded query is stopped.

use super::*;

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

/// The same address for a user who may change no setting (a profile with `readonly=1`, as admins
/// make read-only users): the database and the query's id only. The time and row limits are then
/// the profile's, and a server on another origin needs `add_http_cors_header` in it.
pub fn plain_query_url(base: &str, database: &Name, query_id: Option<&str>) -> String {
    let mut pairs = vec![("database".to_owned(), database.0.clone())];
    if let Some(id) = query_id
        .filter(|id| !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        pairs.push(("query_id".to_owned(), id.to_owned()));
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        crate::query_string::write_query(&pairs)
    )
}

/// Whether ClickHouse's error text is its refusal to let a read-only user change a setting
/// (code 164: `Cannot modify 'max_execution_time' setting in readonly mode` on current releases,
/// `Cannot override setting (max_execution_time) in readonly mode` on 18.16, which lets a value
/// equal to the profile's through): asked again without settings ([`plain_query_url`]), the same
/// query is allowed.
pub fn is_readonly_refusal(text: &str) -> bool {
    let text = text.trim_start();
    let rest = text.strip_prefix("Poco::Exception. ").unwrap_or(text);
    rest.strip_prefix("Code: 164")
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
        && (text.contains("Cannot modify") || text.contains("Cannot override"))
        && text.contains("readonly mode")
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
        164 if said.contains("readonly mode") => format!(
            "ClickHouse lets this user change no setting (its profile has readonly=1): {said}. Callboard asks such a user without settings; if this stays, check the user's profile (docs/clickhouse.md)."
        ),
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
