//! Live usage from a JSON API, fetched and read in the ingest worker: Callboard's contract
//! (docs/api.md) or a static document of its shape, the 3scale Analytics API, or a Genesys Cloud
//! usage query. What to ask each is decided in `usage_core::rest`; this module moves the bytes.
//! It runs in the worker so that the fetching, retrying and reading cost the page's first download
//! nothing and never block it.
//!
//! One deadline of [`TIMEOUT_MS`] covers each request's headers and body; 429 and 5xx answers are
//! retried as `usage_core::rest::retry_delay` says; every other failure gets its own message.
//! The page hands over the one token entered for the source's origin (from its sessionStorage);
//! it goes only to that origin and only in the Authorization header.

use usage_core::clickhouse::{Name, Table};
use usage_core::model::BucketWidth;
use usage_core::query::DaySpan;
use usage_core::rest::SourceKind;
use usage_core::rest::{
    Ask, Auth, Endpoint, QueryStatus, genesys_query_status, genesys_results_url, origin_of, parse_meta, poll_delay,
    read_answers, retry_delay,
};
use usage_core::{DateRange, Granularity, UsageStore};
use usage_core::{Dimension, Filter};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::WorkerGlobalScope;

use super::protocol::LiveInfo;

fn scope() -> WorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// How long a request may take before it is aborted.
pub const TIMEOUT_MS: i32 = 20_000;
/// The largest answer Callboard reads.
pub const MAX_BYTES: usize = 256 << 20;

/// Why a fetch failed, in words that say what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestError {
    BadSource(String),
    /// Unreachable, or blocked by CORS: the browser does not say which.
    Network {
        origin: String,
    },
    /// The browser is offline: a live source needs the network.
    Offline,
    Timeout,
    NeedsToken,
    Refused,
    NotFound(String),
    RateLimited {
        attempts: u32,
    },
    ServerFailed {
        status: u16,
        attempts: u32,
    },
    Status(u16),
    TooLarge,
    /// An answer that could not be read as the endpoint's kind (`Endpoint::kind`) promises.
    Contract {
        kind: &'static str,
        detail: String,
    },
    TokenNotAscii,
    QueryFailed,
    QueryTooSlow,
    /// A ClickHouse exception, already in words ([`usage_core::clickhouse::error_message`]).
    ClickHouse(String),
    /// ClickHouse refused to let this user change a setting (a profile with readonly=1): asked
    /// again without settings.
    ClickHouseReadOnly(String),
    /// A ClickHouse server that could not be reached: down, or on another origin it cannot answer.
    ClickHouseUnreachable {
        origin: String,
    },
    /// A ClickHouse server that did not answer in time: a preflight it never answers, or a hang.
    ClickHouseSilent,
}

impl RestError {
    pub fn message(&self) -> String {
        match self {
            RestError::BadSource(why) => format!("This source cannot be used: {why}."),
            RestError::Network { origin } => format!(
                "Could not reach {origin}. Either it is down, or it is on another origin and does not allow this page: it must answer with \
                 Access-Control-Allow-Origin: {} (and Access-Control-Allow-Headers: Authorization when a token is used). This site's \
                 Content-Security-Policy must also list it in connect-src.",
                scope().location().origin()
            ),
            RestError::Offline => "You are offline: a live source needs the network. The last good data stays; Refresh once you are back online.".into(),
            RestError::Timeout => format!("The server did not answer within {} seconds.", TIMEOUT_MS / 1000),
            RestError::NeedsToken => "The server needs a token (401). Enter one under “Connect API…”.".into(),
            RestError::Refused => "The server refused the token (403): check it under “Connect API…”, or ask for one that may read usage.".into(),
            RestError::NotFound(url) => format!("Nothing was found at {url} (404). Check the address: for Callboard's own contract, give the base URL (Callboard adds /usage)."),
            RestError::RateLimited { attempts } => format!("The server is rate-limiting Callboard (429); gave up after {attempts} tries."),
            RestError::ServerFailed { status, attempts } => format!("The server failed ({status}) {attempts} times in a row."),
            RestError::Status(status) => format!("The server answered with status {status}."),
            RestError::TooLarge => "The answer is larger than 256 MiB: choose a shorter range.".into(),
            RestError::Contract { kind: "Callboard usage API" | "usage document", detail } => format!("The server's answer breaks the usage contract: {detail}."),
            RestError::Contract { kind, detail } => format!("The {kind} answered something Callboard cannot read: {detail}."),
            RestError::TokenNotAscii => "3scale takes the token as HTTP Basic credentials, which carry only ASCII: check the token.".into(),
            RestError::QueryFailed => "Genesys Cloud reports that the usage query failed (queryStatus Failed). Try again, or a shorter range.".into(),
            RestError::QueryTooSlow => format!("The Genesys Cloud usage query was still running after {} polls; try again later.", usage_core::rest::MAX_POLLS),
            RestError::ClickHouse(said) | RestError::ClickHouseReadOnly(said) => said.clone(),
            RestError::ClickHouseSilent => format!(
                "ClickHouse did not answer within {} seconds. On another origin with a user or password, the browser first sends a preflight, \
                 which ClickHouse 18.16 never answers: serve it through a path of this site, or use a release with http_options_response \
                 (docs/clickhouse.md).",
                TIMEOUT_MS / 1000
            ),
            RestError::ClickHouseUnreachable { origin } => format!(
                "Could not reach ClickHouse at {origin}. Either it is down, or it is on another origin that this page cannot read: ClickHouse must \
                 allow it (Callboard asks with add_http_cors_header=1; a user name and password travel in a header, which needs a preflight \
                 that ClickHouse 18.16 never answers, so serve it through a path of this site, or use a release with http_options_response), \
                 and this site's Content-Security-Policy must list it in connect-src."
            ),
        }
    }
}

/// Waits `seconds`.
async fn sleep(seconds: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, (seconds * 1000) as i32);
    });
    let _ = JsFuture::from(promise).await;
}

/// How a fetch is going: bytes of the answer received so far.
pub type OnProgress = std::rc::Rc<dyn Fn(u64)>;

/// What a live source is asked for.
pub struct Asked<'a> {
    pub source: &'a str,
    /// The kind chosen in "Connect API…" (`Auto`: the URL decides).
    pub kind: SourceKind,
    pub range: &'a DateRange,
    /// The range's natural one when `None`.
    pub granularity: Option<Granularity>,
    /// The link's filters: for a server that applies them itself, and for ClickHouse.
    pub filters: &'a [Filter],
    /// What the view's widgets show (`usage_core::widgets::view_groupings`): ClickHouse
    /// answers each grouping that no other holds in a query of its own.
    pub groupings: &'a [usage_core::query::Grouping],
    /// The zone (an IANA name) whose clock ClickHouse counts buckets on, and its offsets over
    /// the range; UTC when `None`.
    pub zone: Option<&'a str>,
    pub offsets: &'a usage_core::zone::Offsets,
    /// The UTC days of the period the view compares with, asked for as well (ClickHouse).
    pub before: Option<DateRange>,
    /// The latencies the view's widgets show (ClickHouse).
    pub latency: Option<usage_core::clickhouse::LatencyAsk>,
    /// The view's own window, over which ClickHouse picks the IP addresses or users it lists one
    /// by one; the fetched days' when `None`.
    pub window: Option<usage_core::zone::Window>,
    /// The page's own id (letters and digits), which names its ClickHouse queries, and the
    /// number of this fetch among the page's.
    pub session: &'a str,
    pub fetch: u32,
    /// Only the latencies (ClickHouse): a second worker counts them while the first fetches the
    /// counts, so the view shows as soon as its counts are in.
    pub latency_only: bool,
}

/// Fetches the usage of `asked.range` from `asked.source`, whatever kind of endpoint it is, and
/// reads it into a store. A contract server's `/meta` is asked first: it says which dimensions
/// `/usage` can group by and whether it applies `filters` itself. `token` is the one entered for
/// the source's origin, if any.
pub async fn fetch(
    asked: &Asked<'_>,
    token: Option<String>,
    on_progress: OnProgress,
) -> Result<(UsageStore, LiveInfo), RestError> {
    let Asked {
        source,
        kind,
        range,
        granularity,
        filters,
        ..
    } = *asked;
    let endpoint = Endpoint::parse_as(source, kind).map_err(|e| RestError::BadSource(e.to_string()))?;
    let token = Token {
        origin: origin_of(source),
        value: token.filter(|t| !t.is_empty()),
    };
    if let Endpoint::ClickHouse { url, database, table } = &endpoint {
        return clickhouse(source, url, database, table, asked, &token, &on_progress).await;
    }
    // /meta adds the dimensions, the quota and the server's time zone; the usage stands without it.
    let meta = match endpoint.meta_url() {
        Some(url) => match send(&url, None, Auth::Bearer, &token, &on_progress, Wire::Json).await {
            Ok(answer) => Some(parse_meta(&answer.bytes).map_err(|e| e.to_string())),
            // A server that has no /meta simply has none of these.
            Err(RestError::NotFound(_)) => None,
            Err(e) => Some(Err(format!("/meta could not be read: {}", e.message()))),
        },
        None => None,
    };
    let ask = Ask::for_server(meta.as_ref().and_then(|m| m.as_ref().ok()), filters);
    let plan = endpoint.plan_with(
        DaySpan::from(range),
        granularity.unwrap_or_else(|| range.natural_granularity()),
        &ask,
    );
    let mut answers = Vec::with_capacity(plan.requests.len());
    let mut served_from = None;
    for request in &plan.requests {
        let answer = match &endpoint {
            Endpoint::Genesys { query_url } => genesys(query_url, request, &token, &on_progress).await?,
            _ => {
                send(
                    &request.url,
                    request.body.as_deref(),
                    request.auth,
                    &token,
                    &on_progress,
                    Wire::Json,
                )
                .await?
            }
        };
        served_from = served_from.or(answer.redirected_to);
        answers.push((request.format, answer.bytes));
    }
    let (store, _) =
        read_answers(answers.iter().map(|(format, bytes)| (*format, bytes.as_slice()))).map_err(|detail| {
            RestError::Contract {
                kind: endpoint.kind(),
                detail: detail.to_string(),
            }
        })?;
    drop(answers);
    let fetched_at = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
    let (from, to) = range.to_query();
    Ok((
        store,
        LiveInfo {
            url: source.to_owned(),
            kind: endpoint.kind().to_owned(),
            fetched_at,
            from,
            to,
            caveat: plan.caveat,
            meta,
            served_from,
            zone: None,
            latency: Vec::new(),
            latency_keys: Vec::new(),
        },
    ))
}

/// The token entered for one origin: it goes to that origin and nowhere else.
struct Token {
    origin: String,
    value: Option<String>,
}

/// Runs a Genesys usage query: POSTs it, then polls its results until they are complete.
async fn genesys(
    query_url: &str,
    query: &usage_core::rest::Request,
    token: &Token,
    on_progress: &OnProgress,
) -> Result<Answer, RestError> {
    let execution = send(
        &query.url,
        query.body.as_deref(),
        query.auth,
        token,
        on_progress,
        Wire::Json,
    )
    .await?;
    let broken = |detail: usage_core::rest::AnswerError| RestError::Contract {
        kind: "Genesys Cloud usage query",
        detail: detail.to_string(),
    };
    let results = genesys_results_url(query_url, &execution.bytes).map_err(broken)?;
    let mut poll = 1;
    loop {
        let answer = send(&results, None, query.auth, token, on_progress, Wire::Json).await?;
        match genesys_query_status(&answer.bytes).map_err(broken)? {
            QueryStatus::Complete => return Ok(answer),
            QueryStatus::Failed => return Err(RestError::QueryFailed),
            QueryStatus::Running => match poll_delay(poll) {
                Some(seconds) => sleep(seconds).await,
                None => return Err(RestError::QueryTooSlow),
            },
        }
        poll += 1;
    }
}

/// How long ClickHouse may run a query, under the fetch's own deadline, and the most rows it may
/// answer with (an answer over it fails with its own message, never cut short).
const CLICKHOUSE_SECONDS: u32 = 15;
const CLICKHOUSE_ROWS: u64 = 1_000_000;

/// Reads usage from a ClickHouse table: its columns first (`DESCRIBE TABLE` of it and of the
/// optional `<table>_1h` and `<table>_10m` rollups, in parallel), then one aggregate query per
/// widget grouping that no other holds and stretch of days (the range, and the period it is
/// compared with unless the two touch), all in parallel, that the cluster answers per bucket on
/// the zone's clock and per value of the grouping's dimensions, with the link's filters applied
/// there. Each answer is a part of the store, which answers each widget from the smallest part
/// that keeps apart what it shows. The coarsest rollup that has everything a query needs answers it.
/// What the banner adds for a user who may change no setting.
const READ_ONLY_NOTE: &str = " This user may change no setting (its profile has readonly=1), so the limits on a query's time and rows are its profile's on the server, not Callboard's.";

async fn clickhouse(
    source: &str,
    url: &str,
    database: &Name,
    table: &Name,
    asked: &Asked<'_>,
    token: &Token,
    on_progress: &OnProgress,
) -> Result<(UsageStore, LiveInfo), RestError> {
    // Each query but the DESCRIBEs is named by the page, this fetch and its place in it, and the
    // earlier fetches' queries still running on the server are cancelled first (their workers
    // are gone, but 18.16 would run them on).
    // A server that has the setting also stops them when the tab closes (no newer fetch then).
    let closing = std::cell::Cell::new(false);
    // A user whose profile is readonly=1 may change no setting: once ClickHouse says so, every
    // query goes without them, under the profile's own limits.
    let plain = std::cell::Cell::new(false);
    let query_url = |place: Option<&str>| {
        let id = place.map(|place| usage_core::clickhouse::query_id(asked.session, asked.fetch, place));
        if plain.get() {
            return usage_core::clickhouse::plain_query_url(url, database, id.as_deref());
        }
        usage_core::clickhouse::query_url(
            url,
            database,
            CLICKHOUSE_SECONDS,
            CLICKHOUSE_ROWS,
            id.as_deref(),
            closing.get(),
        )
    };
    // Parallel answers' bytes, added up for the one progress figure.
    let received = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u64>::new()));
    let ask = |sql: String, place: Option<String>| {
        let query_url = query_url(place.as_deref());
        let (received, on_progress) = (received.clone(), on_progress.clone());
        async move {
            let slot = {
                let mut all = received.borrow_mut();
                all.push(0);
                all.len() - 1
            };
            let mine: OnProgress = std::rc::Rc::new(move |bytes| {
                let total = {
                    let mut all = received.borrow_mut();
                    all[slot] = bytes;
                    all.iter().sum()
                };
                on_progress(total);
            });
            send(&query_url, Some(&sql), Auth::Basic, token, &mine, Wire::ClickHouse).await
        }
    };
    let broken = |detail: usage_core::clickhouse::AnswerError| RestError::Contract {
        kind: "ClickHouse",
        detail: detail.to_string(),
    };
    let describe = |name: &Name| format!("DESCRIBE TABLE {}.{} FORMAT JSONCompact", database.sql(), name.sql());
    // The rollups are optional: a table that is not there is no failure. Latencies need none.
    let rollup_describe = |suffix: &str| {
        let name = Name::parse(&format!("{}{suffix}", table.as_str()))
            .ok()
            .filter(|_| !asked.latency_only);
        async move {
            let name = name?;
            let answer = ask(describe(&name), None).await.ok()?;
            Table::from_describe(database.clone(), name, &answer.bytes).ok()
        }
    };
    let [coarse, fine] = usage_core::clickhouse::ROLLUPS.map(|(suffix, _)| suffix);
    // A user who may not kill queries still gets the dashboard: the answer is not needed.
    let kill = || async {
        if let Some(sql) = usage_core::clickhouse::kill_sql(asked.session, asked.fetch).filter(|_| !asked.latency_only)
        {
            let _ = ask(sql, None).await;
        }
    };
    // Whether the server can stop a query when the tab closes (current releases; not 18.16).
    let closes = || async {
        ask(usage_core::clickhouse::has_setting_sql(), None)
            .await
            .is_ok_and(|answer| usage_core::clickhouse::has_setting(&answer.bytes))
    };
    let first = || {
        futures::future::join5(
            ask(describe(table), None),
            rollup_describe(coarse),
            rollup_describe(fine),
            kill(),
            closes(),
        )
    };
    let (mut raw, mut coarse, mut fine, (), mut closes) = first().await;
    if matches!(raw, Err(RestError::ClickHouseReadOnly(_))) {
        plain.set(true);
        (raw, coarse, fine, (), closes) = first().await;
    }
    // A setting of its own is no more allowed to such a user.
    closing.set(closes && !plain.get());
    let raw = Table::from_describe(database.clone(), table.clone(), &raw?.bytes).map_err(broken)?;
    let fetched_at = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
    let (from, to) = asked.range.to_query();
    if asked.latency_only {
        let (counted, texts, note) = clickhouse_latency(&raw, asked, &ask).await;
        let info = LiveInfo {
            url: source.to_owned(),
            kind: "ClickHouse".to_owned(),
            fetched_at,
            from,
            to,
            caveat: note,
            meta: None,
            served_from: None,
            zone: asked.zone.map(str::to_owned),
            latency: counted.to_numbers(),
            latency_keys: texts,
        };
        return Ok((UsageStore::default(), info));
    }
    let rollups: Vec<Table> = [coarse, fine].into_iter().flatten().collect();
    let granularity = asked.granularity.unwrap_or_else(|| asked.range.natural_granularity());
    let (granularity, width) = match granularity {
        Granularity::TenMinutes => (Granularity::TenMinutes, BucketWidth::TenMinutes),
        Granularity::Hour => (Granularity::Hour, BucketWidth::Hour),
        _ => (Granularity::Day, BucketWidth::Day),
    };
    let days = |range: &DateRange| {
        let span = DaySpan::from(range);
        usage_core::zone::Window {
            start: span.start * 86_400,
            end: span.end * 86_400,
        }
    };
    // The range and the compared period: one stretch when they touch, so no day is counted twice.
    let mut windows = vec![days(asked.range)];
    if let Some(before) = asked.before.as_ref().map(days) {
        if before.end >= windows[0].start && before.start <= windows[0].end {
            windows[0] = usage_core::zone::Window {
                start: before.start.min(windows[0].start),
                end: before.end.max(windows[0].end),
            };
        } else {
            windows.push(before);
        }
    }
    let zone = asked.zone.unwrap_or("UTC");
    let listing = usage_core::clickhouse::Listing {
        over: asked.window.unwrap_or(windows[0]),
        most: usage_core::clickhouse::LISTED,
    };
    let queries = usage_core::clickhouse::usage_queries(
        &raw,
        &rollups,
        asked.groupings,
        &windows,
        granularity,
        zone,
        asked.filters,
        asked.offsets,
        listing,
    );
    let answers = futures::future::try_join_all(
        queries
            .iter()
            .enumerate()
            .map(|(i, query)| ask(query.sql.clone(), Some(format!("usage-{i}")))),
    )
    .await?;
    let store = usage_core::clickhouse::read_parts(&queries, answers.iter().map(|a| a.bytes.as_slice()), width)
        .map_err(broken)?;
    // Whether the table has latencies to count: the p95 metric is offered then.
    let counted = usage_core::latency::CountedLatency {
        countable: raw.has_latency(),
        ..Default::default()
    };
    let names = usage_core::clickhouse::answered_by(&queries);
    let buckets = match granularity {
        Granularity::TenMinutes => "10-minute buckets",
        Granularity::Hour => "hours",
        _ => "days",
    };
    let caveat = format!(
        "Counted by ClickHouse from {}.{}, in {zone} {buckets}.{}",
        database.as_str(),
        names.join(" and "),
        if plain.get() { READ_ONLY_NOTE } else { "" }
    );
    let served_from = answers.into_iter().find_map(|a| a.redirected_to);
    let latency = counted.to_numbers();
    // What the table can break down by (its columns), as a contract server's /meta says it:
    // Explore offers those, whatever the store on screen holds (a view asks only for the
    // dimensions its widgets show), and the filters are applied by the cluster.
    let offered = usage_core::rest::ApiMeta {
        dimensions: Dimension::ALL.into_iter().filter(|&d| raw.offers(d)).collect(),
        filters: true,
        timezone: "UTC".to_owned(),
        clients: Vec::new(),
        metrics: Vec::new(),
        retention_days: None,
        quota: None,
    };
    Ok((
        store,
        LiveInfo {
            url: source.to_owned(),
            kind: "ClickHouse".to_owned(),
            fetched_at,
            from,
            to,
            caveat: Some(caveat),
            meta: Some(Ok(offered)),
            served_from,
            zone: asked.zone.map(str::to_owned),
            latency,
            latency_keys: Vec::new(),
        },
    ))
}

/// The latencies the view shows, from the raw table (only it has a request's own), in parallel:
/// keyed by their values' texts (the positions in the list returned), since this worker has no
/// store, and a note for the banner. They are not needed for the counts: one that fails leaves
/// its figures out, and the note says why.
async fn clickhouse_latency<F, A>(
    raw: &Table,
    asked: &Asked<'_>,
    ask: &A,
) -> (usage_core::latency::CountedLatency, Vec<String>, Option<String>)
where
    A: Fn(String, Option<String>) -> F,
    F: std::future::Future<Output = Result<Answer, RestError>>,
{
    let zone = asked.zone.unwrap_or("UTC");
    let Some(latency) = &asked.latency else {
        return (
            usage_core::latency::CountedLatency {
                countable: raw.has_latency(),
                filters: asked.filters.to_vec(),
                ..Default::default()
            },
            Vec::new(),
            None,
        );
    };
    let (parts, listing) = (latency.parts(raw), latency.listing());
    let answers = futures::future::join_all(parts.iter().enumerate().map(|(i, part)| {
        ask(
            part.sql(raw, zone, asked.filters, listing),
            Some(format!("latency-{i}")),
        )
    }))
    .await;
    let mut counted = usage_core::latency::CountedLatency {
        countable: raw.has_latency(),
        filters: asked.filters.to_vec(),
        ..Default::default()
    };
    let mut texts: Vec<String> = Vec::new();
    let mut positions: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut key = |_: Dimension, text: &str| -> Option<u32> {
        if let Some(&at) = positions.get(text) {
            return Some(at);
        }
        let at = u32::try_from(texts.len()).ok()?;
        texts.push(text.to_owned());
        positions.insert(text.to_owned(), at);
        Some(at)
    };
    let mut failure = None;
    for (part, answer) in parts.iter().zip(answers) {
        if let Err(why) = answer.map_err(|e| e.message()).and_then(|answer| {
            part.read(&answer.bytes, &mut key, &mut counted)
                .map_err(|e| e.to_string())
        }) {
            failure.get_or_insert(why);
        }
    }
    let note = match failure {
        Some(why) => Some(format!("Latency percentiles were not counted: {why}")),
        None if !parts.is_empty() => Some(format!(
            "Latency percentiles from {}.{}.",
            raw.database.as_str(),
            raw.table.as_str()
        )),
        None => None,
    };
    (counted, texts, note)
}

/// How a request's body goes and how its failures read: JSON for the usage APIs; the SQL as
/// plain text for ClickHouse (a simple request, with no preflight unless credentials go with
/// it), whose failures carry the exception's text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wire {
    Json,
    ClickHouse,
}

/// An answer's body, and where it came from when a redirect took the request to another origin.
struct Answer {
    bytes: Vec<u8>,
    redirected_to: Option<String>,
}

/// One request, retried as `retry_delay` says: its body, or the failure in words.
///
/// The token for the URL's own origin (if one was entered) goes in the Authorization header;
/// the browser drops it if a redirect leads to another origin, and the answer then says where it
/// came from. One deadline covers the headers and the whole body, which is read as a stream and
/// abandoned as soon as it passes [`MAX_BYTES`] (counting decoded bytes, so a gzip bomb stops there).
async fn send(
    url: &str,
    body: Option<&str>,
    auth: Auth,
    token: &Token,
    on_progress: &OnProgress,
    wire: Wire,
) -> Result<Answer, RestError> {
    let origin = origin_of(url);
    // The token only ever goes to the origin it was entered for.
    let token = token
        .value
        .clone()
        .filter(|_| !origin.is_empty() && origin == token.origin);
    let authorization = match (token, auth) {
        (None, _) => None,
        (Some(token), Auth::Bearer) => Some(format!("Bearer {token}")),
        (Some(token), Auth::BasicUser) => {
            let encoded = scope()
                .btoa(&format!("{token}:"))
                .map_err(|_| RestError::TokenNotAscii)?;
            Some(format!("Basic {encoded}"))
        }
        // `user:password`, as "Connect API…" keeps a ClickHouse login.
        (Some(login), Auth::Basic) => {
            let encoded = scope().btoa(&login).map_err(|_| RestError::TokenNotAscii)?;
            Some(format!("Basic {encoded}"))
        }
    };
    let mut attempt = 1;
    loop {
        let controller = web_sys::AbortController::new().map_err(|_| RestError::Network { origin: origin.clone() })?;
        // Set by the deadline alone: Callboard also aborts a body it refuses as too large.
        let deadline_passed = std::rc::Rc::new(std::cell::Cell::new(false));
        let abort = {
            let (controller, deadline_passed) = (controller.clone(), deadline_passed.clone());
            Closure::once(move || {
                deadline_passed.set(true);
                controller.abort();
            })
        };
        let timer = scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), TIMEOUT_MS)
            .ok();
        let outcome = attempt_once(url, body, authorization.as_deref(), &controller, on_progress, wire).await;
        let timed_out = deadline_passed.get();
        if let Some(timer) = timer {
            scope().clear_timeout_with_handle(timer);
        }
        // The closure may only go once no timer can call it any more.
        drop(abort);
        let (status, retry_after) = match outcome {
            Err(_) if timed_out && wire == Wire::ClickHouse => return Err(RestError::ClickHouseSilent),
            Err(_) if timed_out => return Err(RestError::Timeout),
            Err(RestError::Network { origin }) if wire == Wire::ClickHouse => {
                return Err(RestError::ClickHouseUnreachable { origin });
            }
            Err(error) => return Err(error),
            // A ClickHouse exception is an answer, not a passing failure: it is not tried again.
            Ok(Attempt::Exception(said)) => return Err(RestError::ClickHouse(said)),
            Ok(Attempt::ReadOnly(said)) => return Err(RestError::ClickHouseReadOnly(said)),
            Ok(Attempt::Body(bytes, final_url)) => {
                let redirected_to = Some(final_url).filter(|f| !f.is_empty() && origin_of(f) != origin);
                return Ok(Answer { bytes, redirected_to });
            }
            Ok(Attempt::Failed { status, retry_after }) => (status, retry_after),
        };
        let now = (js_sys::Date::now() / 1000.0) as i64;
        match retry_delay(attempt, status, retry_after.as_deref(), now) {
            Some(seconds) => {
                sleep(seconds).await;
                attempt += 1;
            }
            None => {
                return Err(match status {
                    401 => RestError::NeedsToken,
                    403 => RestError::Refused,
                    404 => RestError::NotFound(url.to_owned()),
                    429 => RestError::RateLimited { attempts: attempt },
                    500..=599 => RestError::ServerFailed {
                        status,
                        attempts: attempt,
                    },
                    other => RestError::Status(other),
                });
            }
        }
    }
}

/// What one try of a request gave.
enum Attempt {
    /// A successful answer's body, and the URL it finally came from.
    Body(Vec<u8>, String),
    Failed {
        status: u16,
        retry_after: Option<String>,
    },
    /// ClickHouse's exception, in words.
    Exception(String),
    /// ClickHouse's refusal to let a read-only user change a setting, in words.
    ReadOnly(String),
}

/// One try: the request, then, for a successful answer, its body read as a stream.
async fn attempt_once(
    url: &str,
    body: Option<&str>,
    authorization: Option<&str>,
    controller: &web_sys::AbortController,
    on_progress: &OnProgress,
    wire: Wire,
) -> Result<Attempt, RestError> {
    let network = || {
        if !scope().navigator().on_line() {
            RestError::Offline
        } else {
            RestError::Network { origin: origin_of(url) }
        }
    };
    let content_type = if wire == Wire::ClickHouse {
        "text/plain;charset=UTF-8"
    } else {
        "application/json"
    };
    let mut request = match body {
        Some(_) => gloo_net::http::Request::post(url).header("Content-Type", content_type),
        None => gloo_net::http::Request::get(url),
    }
    .abort_signal(Some(&controller.signal()));
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    let response = match body {
        Some(body) => request.body(body).map_err(|_| network())?.send().await,
        None => request.send().await,
    }
    .map_err(|_| network())?;
    if !response.ok() {
        // ClickHouse says what went wrong in a short text body: it is read only from ClickHouse,
        // not when its length says it is long, and within the request's deadline.
        let short = response
            .headers()
            .get("Content-Length")
            .and_then(|l| l.trim().parse::<u64>().ok())
            .is_none_or(|l| l <= 64 << 10);
        if wire == Wire::ClickHouse && short {
            let text = response.text().await.unwrap_or_default();
            if let Some(said) = usage_core::clickhouse::error_message(&text, CLICKHOUSE_SECONDS, CLICKHOUSE_ROWS) {
                if usage_core::clickhouse::is_readonly_refusal(&text) {
                    return Ok(Attempt::ReadOnly(said));
                }
                return Ok(Attempt::Exception(said));
            }
        }
        return Ok(Attempt::Failed {
            status: response.status(),
            retry_after: response.headers().get("Retry-After"),
        });
    }
    // A declared length over the cap is refused before any of the body is read. It is a u64:
    // a usize is 32 bits in wasm, and 5 GB would not parse and so not be refused.
    let declared = response
        .headers()
        .get("Content-Length")
        .and_then(|l| l.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BYTES as u64) {
        controller.abort();
        return Err(RestError::TooLarge);
    }
    let final_url = response.url();
    let Some(stream) = response.body() else {
        return Ok(Attempt::Body(Vec::new(), final_url));
    };
    let reader = web_sys::ReadableStreamDefaultReader::new(&stream).map_err(|_| network())?;
    let mut bytes = Vec::with_capacity(declared.map_or(0, |l| l as usize));
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|_| network())?;
        if js_sys::Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let chunk = js_sys::Reflect::get(&step, &"value".into())
            .map(|v| js_sys::Uint8Array::new(&v))
            .map_err(|_| network())?;
        if bytes.len() + chunk.length() as usize > MAX_BYTES {
            let _ = reader.cancel();
            controller.abort();
            return Err(RestError::TooLarge);
        }
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
        on_progress(bytes.len() as u64);
    }
    Ok(Attempt::Body(bytes, final_url))
}
