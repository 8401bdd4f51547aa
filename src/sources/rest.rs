//! Live usage from a JSON API (docs/api.md), or a static document of the same shape.
//!
//! The request is aborted after [`TIMEOUT_MS`]; 429 and 5xx answers are retried as
//! `usage_core::rest::retry_delay` says; every other failure gets its own message.
//! The bearer token comes from sessionStorage and goes only into the request header.

use std::sync::Arc;

use usage_core::formats::{Format, read_in_chunks};
use usage_core::query::DaySpan;
use usage_core::rest::{retry_delay, usage_url};
use usage_core::DateRange;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use super::{DataSource, Dataset};

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
    Contract(String),
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
            RestError::Refused => "The server refused the token (403): check it, or ask for one that may read usage.".into(),
            RestError::NotFound(url) => format!("Nothing was found at {url} (404). Check the address: Callboard asks for {{base}}/usage."),
            RestError::RateLimited { attempts } => format!("The server is rate-limiting Callboard (429); gave up after {attempts} tries."),
            RestError::ServerFailed { status, attempts } => format!("The server failed ({status}) {attempts} times in a row."),
            RestError::Status(status) => format!("The server answered with status {status}."),
            RestError::TooLarge => "The answer is larger than 256 MiB: choose a shorter range.".into(),
            RestError::Contract(detail) => format!("The server's answer breaks the usage contract: {detail}."),
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

/// Fetches the usage of `range` from `source`.
pub async fn fetch(source: &str, token: Option<String>, range: &DateRange) -> Result<Dataset, RestError> {
    let url = usage_url(source, DaySpan::from(range), range.natural_granularity()).map_err(|e| RestError::BadSource(e.to_string()))?;
    let origin = url.split('/').take(3).collect::<Vec<_>>().join("/");
    let mut attempt = 1;
    loop {
        let controller = web_sys::AbortController::new().map_err(|_| RestError::Network { origin: origin.clone() })?;
        let abort = {
            let controller = controller.clone();
            Closure::once(move || controller.abort())
        };
        let timer = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), TIMEOUT_MS).ok());
        let mut request = gloo_net::http::Request::get(&url).abort_signal(Some(&controller.signal()));
        if let Some(token) = token.as_deref().filter(|t| !t.is_empty()) {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let result = request.send().await;
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
            let (store, report) = read_in_chunks(Format::CallboardApi, &bytes, bytes.len().max(1)).map_err(|e| RestError::Contract(e.to_string()))?;
            // A server must keep the contract: one broken bucket fails the whole answer, naming the field.
            if let Some(problem) = report.problems.first() {
                return Err(RestError::Contract(problem.reason.clone()));
            }
            let fetched_at = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
            return Ok(Dataset { store: Arc::new(store), source: DataSource::Live { url: source.to_owned(), fetched_at } });
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
                    404 => RestError::NotFound(url),
                    429 => RestError::RateLimited { attempts: attempt },
                    500..=599 => RestError::ServerFailed { status, attempts: attempt },
                    other => RestError::Status(other),
                });
            }
        }
    }
}
