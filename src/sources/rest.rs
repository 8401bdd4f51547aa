//! Live usage from a JSON API: Callboard's contract (docs/api.md) or a static document of
//! its shape, the 3scale Analytics API, or a Genesys Cloud usage query. What to ask each is
//! decided in `usage_core::rest`; this module moves the bytes.
//!
//! The request is aborted after [`TIMEOUT_MS`]; 429 and 5xx answers are retried as
//! `usage_core::rest::retry_delay` says; every other failure gets its own message.
//! The token comes from sessionStorage and goes only into the Authorization header.

use std::sync::Arc;

use usage_core::query::DaySpan;
use usage_core::rest::{Auth, Endpoint, QueryStatus, genesys_query_status, genesys_results_url, origin_of, parse_meta, poll_delay, read_answers, retry_delay};
use usage_core::DateRange;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use super::{DataSource, Dataset, Live};

/// How long a request may take before it is aborted.
pub const TIMEOUT_MS: i32 = 20_000;
/// The largest answer Callboard reads.
pub const MAX_BYTES: usize = 256 << 20;

/// Why a fetch failed, in words that say what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestError {
    BadSource(String),
    /// Unreachable, or blocked by CORS: the browser does not say which.
    Network { origin: String },
    Timeout,
    NeedsToken,
    Refused,
    NotFound(String),
    RateLimited { attempts: u32 },
    ServerFailed { status: u16, attempts: u32 },
    Status(u16),
    TooLarge,
    /// An answer that could not be read as the endpoint's kind (`Endpoint::kind`) promises.
    Contract { kind: &'static str, detail: String },
    TokenNotAscii,
    QueryFailed,
    QueryTooSlow,
}

impl RestError {
    pub fn message(&self) -> String {
        match self {
            RestError::BadSource(why) => format!("This source cannot be used: {why}."),
            RestError::Network { origin } => format!(
                "Could not reach {origin}. Either it is down, or it is on another origin and does not allow this page: it must answer with \
                 Access-Control-Allow-Origin: {} (and Access-Control-Allow-Headers: Authorization when a token is used). This site's \
                 Content-Security-Policy must also list it in connect-src.",
                web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
            ),
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
        }
    }
}

/// Waits `seconds` without blocking the page.
async fn sleep(seconds: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, (seconds * 1000) as i32);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Fetches the usage of `range` from `source`, whatever kind of endpoint it is, and
/// `/meta` where the contract has one.
pub async fn fetch(source: &str, token: Option<String>, range: &DateRange) -> Result<Dataset, RestError> {
    let endpoint = Endpoint::parse(source).map_err(|e| RestError::BadSource(e.to_string()))?;
    let token = token.filter(|t| !t.is_empty());
    let plan = endpoint.plan(DaySpan::from(range), range.natural_granularity());
    let mut answers = Vec::with_capacity(plan.requests.len());
    for request in &plan.requests {
        let bytes = match &endpoint {
            Endpoint::Genesys { query_url } => genesys(query_url, request, token.as_deref()).await?,
            _ => send(&request.url, request.body.as_deref(), request.auth, token.as_deref()).await?,
        };
        answers.push((request.format, bytes));
    }
    let (store, _) = read_answers(answers.iter().map(|(format, bytes)| (*format, bytes.as_slice()))).map_err(|detail| RestError::Contract { kind: endpoint.kind(), detail })?;
    drop(answers);
    // /meta adds the quota and the server's time zone; the usage stands without it.
    let meta = match endpoint.meta_url() {
        Some(url) => match send(&url, None, Auth::Bearer, token.as_deref()).await {
            Ok(bytes) => Some(parse_meta(&bytes)),
            // A server that has no /meta simply has no quota to show.
            Err(RestError::NotFound(_)) => None,
            Err(e) => Some(Err(format!("/meta could not be read: {}", e.message()))),
        },
        None => None,
    };
    let fetched_at = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
    let live = Live { url: source.to_owned(), kind: endpoint.kind(), fetched_at, range: *range, caveat: plan.caveat, meta };
    Ok(Dataset { store: Arc::new(store), source: DataSource::Live(Box::new(live)) })
}

/// Runs a Genesys usage query: POSTs it, then polls its results until they are complete.
async fn genesys(query_url: &str, query: &usage_core::rest::Request, token: Option<&str>) -> Result<Vec<u8>, RestError> {
    let execution = send(&query.url, query.body.as_deref(), query.auth, token).await?;
    let broken = |detail| RestError::Contract { kind: "Genesys Cloud usage query", detail };
    let results = genesys_results_url(query_url, &execution).map_err(broken)?;
    let mut poll = 1;
    loop {
        let answer = send(&results, None, query.auth, token).await?;
        match genesys_query_status(&answer).map_err(broken)? {
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

/// One request, retried as `retry_delay` says: its body, or the failure in words.
async fn send(url: &str, body: Option<&str>, auth: Auth, token: Option<&str>) -> Result<Vec<u8>, RestError> {
    let origin = origin_of(url);
    let authorization = match (token, auth) {
        (None, _) => None,
        (Some(token), Auth::Bearer) => Some(format!("Bearer {token}")),
        (Some(token), Auth::BasicUser) => {
            let encoded = web_sys::window().and_then(|w| w.btoa(&format!("{token}:")).ok()).ok_or(RestError::TokenNotAscii)?;
            Some(format!("Basic {encoded}"))
        }
    };
    let mut attempt = 1;
    loop {
        let controller = web_sys::AbortController::new().map_err(|_| RestError::Network { origin: origin.clone() })?;
        let abort = {
            let controller = controller.clone();
            Closure::once(move || controller.abort())
        };
        let timer = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), TIMEOUT_MS).ok());
        let mut request = match body {
            Some(_) => gloo_net::http::Request::post(url).header("Content-Type", "application/json"),
            None => gloo_net::http::Request::get(url),
        }
        .abort_signal(Some(&controller.signal()));
        if let Some(authorization) = &authorization {
            request = request.header("Authorization", authorization);
        }
        let result = match body {
            Some(body) => match request.body(body) {
                Ok(request) => request.send().await,
                Err(e) => Err(e),
            },
            None => request.send().await,
        };
        let timed_out = controller.signal().aborted();
        if let (Some(window), Some(timer)) = (web_sys::window(), timer) {
            window.clear_timeout_with_handle(timer);
        }
        drop(abort);
        let response = match result {
            Ok(response) => response,
            Err(_) if timed_out => return Err(RestError::Timeout),
            Err(_) => return Err(RestError::Network { origin }),
        };
        let status = response.status();
        if response.ok() {
            let too_large = response.headers().get("Content-Length").and_then(|l| l.parse::<usize>().ok()).is_some_and(|l| l > MAX_BYTES);
            let bytes = if too_large { Vec::new() } else { response.binary().await.map_err(|_| RestError::Network { origin })? };
            if too_large || bytes.len() > MAX_BYTES {
                return Err(RestError::TooLarge);
            }
            return Ok(bytes);
        }
        let now = (js_sys::Date::now() / 1000.0) as i64;
        match retry_delay(attempt, status, response.headers().get("Retry-After").as_deref(), now) {
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
                    500..=599 => RestError::ServerFailed { status, attempts: attempt },
                    other => RestError::Status(other),
                });
            }
        }
    }
}
