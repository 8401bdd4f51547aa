//! The pure parts of reading a live usage API (docs/api.md): request URLs, when to retry,
//! and the `/meta` document. The browser side (fetching, the token, the UI) builds on these.

use serde_json::Value;
use thiserror::Error;

use crate::formats::{FileReader, Format, ReadReport};
use crate::{StoreBuilder, UsageStore};

mod endpoint;

pub use endpoint::{
    Auth, Endpoint, MAX_POLLS, Plan, QueryStatus, Request, SourceKind, ThreeScaleRoute, genesys_query_status,
    genesys_results_url, origin_of, poll_delay,
};

/// Why a source URL cannot be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SourceError {
    #[error("the source must be an http:// or https:// URL")]
    NotHttp,
    #[error("put the token in the token field, not in the URL: URLs end up in browser history, logs and shared links")]
    CredentialsInUrl,
    #[error("{0}")]
    NotThatKind(String),
}

/// How many times a request is tried in all before the failure is shown.
pub const MAX_ATTEMPTS: u32 = 4;
/// The longest Callboard waits before trying again, even if the server asks for longer.
pub const MAX_WAIT_SECONDS: u64 = 120;

/// Seconds to wait before trying again after `attempt` (1 for the first try) ended with
/// `status`, or `None` when the failure should be shown now. A 429 honours `Retry-After`
/// (seconds or an HTTP date, read against `now` in Unix seconds); 5xx and 429 without it
/// back off 1, 2, 4 s; other statuses are not retried.
pub fn retry_delay(attempt: u32, status: u16, retry_after: Option<&str>, now: i64) -> Option<u64> {
    if attempt >= MAX_ATTEMPTS || !(status == 429 || (500..600).contains(&status) && status != 501) {
        return None;
    }
    let backoff = 1u64 << (attempt - 1).min(6);
    let asked = match (status, retry_after.map(str::trim)) {
        (429, Some(value)) => value.parse::<u64>().ok().or_else(|| {
            chrono::DateTime::parse_from_rfc2822(value)
                .ok()
                .map(|when| (when.timestamp() - now).max(0) as u64)
        }),
        _ => None,
    };
    Some(asked.unwrap_or(backoff).clamp(1, MAX_WAIT_SECONDS))
}

/// Why a live source's answer breaks its contract.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BrokenAnswer {
    #[error(transparent)]
    Unreadable(#[from] crate::formats::ReadError),
    /// A record the reader skipped, with its reason (the field it names).
    #[error("{0}")]
    Record(String),
}

/// Reads the answers to a [`Plan`]'s requests into one store. An API must keep its
/// contract, unlike a file: one broken record fails the whole answer, naming the field.
pub fn read_answers<'a>(
    answers: impl IntoIterator<Item = (Format, &'a [u8])>,
) -> Result<(UsageStore, ReadReport), BrokenAnswer> {
    let mut builder = StoreBuilder::new();
    let mut reports = Vec::new();
    for (format, bytes) in answers {
        let mut reader = FileReader::new(format);
        reader.feed(bytes, &mut builder)?;
        let report = reader.finish(&mut builder)?;
        if let Some(problem) = report.problems.first() {
            return Err(BrokenAnswer::Record(problem.reason.clone()));
        }
        reports.push(report);
    }
    Ok((builder.finish(), ReadReport::combined(&reports)))
}

/// What `GET {base}/meta` says about a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiMeta {
    pub clients: Vec<MetaClient>,
    pub metrics: Vec<String>,
    pub timezone: String,
    pub retention_days: Option<u64>,
    pub quota: Option<Quota>,
    /// What `group_by` may name; empty when `/meta` does not say (then the four of the first
    /// contract: client, template, method, status). Names Callboard does not know are left out.
    pub dimensions: Vec<crate::Dimension>,
    /// Whether `/usage` applies `f=<dimension>:<key>` filters itself.
    pub filters: bool,
}

/// What `/usage` is asked to group by when `/meta` does not say: the first contract's four.
pub const FIRST_DIMENSIONS: [crate::Dimension; 4] = [
    crate::Dimension::Client,
    crate::Dimension::Template,
    crate::Dimension::Method,
    crate::Dimension::Status,
];

/// What to ask a contract server for besides the range: its dimensions, and the link's filters
/// when it applies them itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub group_by: Vec<crate::Dimension>,
    pub filters: Vec<crate::Filter>,
}

impl Ask {
    /// What to ask a server whose `/meta` said `meta` (or nothing) while the link has `filters`.
    pub fn for_server(meta: Option<&ApiMeta>, filters: &[crate::Filter]) -> Ask {
        let offered = meta
            .map(|m| m.dimensions.as_slice())
            .filter(|d| !d.is_empty())
            .unwrap_or(&FIRST_DIMENSIONS);
        // A status class is read from the status; it is not a dimension of its own to ask for.
        let group_by = offered
            .iter()
            .copied()
            .filter(|d| *d != crate::Dimension::Class)
            .collect();
        let filters = if meta.is_some_and(|m| m.filters) {
            filters.to_vec()
        } else {
            Vec::new()
        };
        Ask { group_by, filters }
    }
}

impl ApiMeta {
    /// The first day the server still keeps, when `range` starts before it: the days
    /// before it show no usage because there is none to show, not because none happened.
    pub fn first_kept_day(&self, range: &crate::DateRange, today: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        let kept = today.checked_sub_days(chrono::Days::new(self.retention_days?))?;
        (range.from() < kept).then_some(kept)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaClient {
    pub id: String,
    pub name: Option<String>,
}

/// A request quota: `used` of `limit` in the current `window`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u64,
    pub window: String,
    pub used: u64,
}

/// Why an answer of a live source could not be read: said to the user, after the source's name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{what} is not the expected JSON: {reason}")]
    NotJson { what: &'static str, reason: String },
    #[error("{what} field {path}: expected {expected}")]
    Field {
        what: &'static str,
        path: String,
        expected: &'static str,
    },
    #[error("resultsUri “{uri}” is not on {origin}; Callboard does not send the token elsewhere")]
    ResultsElsewhere { uri: String, origin: String },
    #[error("the query answer has neither resultsUri nor a usable executionId")]
    NoResults,
}

/// Reads a `/meta` document; the error names the field that breaks the contract.
///
/// Read through `serde_json::Value`, which the export readers already use, rather than a
/// derived `Deserialize`: the same checks for a fraction of the WebAssembly.
pub fn parse_meta(bytes: &[u8]) -> Result<ApiMeta, AnswerError> {
    let not_json = |reason: String| AnswerError::NotJson { what: "/meta", reason };
    let document: Value = serde_json::from_slice(bytes).map_err(|e| not_json(e.to_string()))?;
    let meta = document
        .as_object()
        .ok_or_else(|| not_json("it is not an object".to_owned()))?;
    let broken = |path: &str, expected: &'static str| AnswerError::Field {
        what: "/meta",
        path: path.to_owned(),
        expected,
    };
    let text = |value: &Value, path: &str| {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| broken(path, "a string"))
    };
    let whole = |value: &Value, path: &str| value.as_u64().ok_or_else(|| broken(path, "a whole number"));
    let list = |key: &str| match meta.get(key) {
        None | Some(Value::Null) => Ok(&[][..]),
        Some(value) => value.as_array().map(Vec::as_slice).ok_or_else(|| broken(key, "a list")),
    };
    let clients = list("clients")?
        .iter()
        .enumerate()
        .map(|(i, client)| {
            let id = client
                .get("id")
                .ok_or_else(|| broken(&format!("clients[{i}].id"), "a string"))?;
            let name = match client.get("name") {
                None | Some(Value::Null) => None,
                Some(name) => Some(text(name, &format!("clients[{i}].name"))?),
            };
            Ok(MetaClient {
                id: text(id, &format!("clients[{i}].id"))?,
                name,
            })
        })
        .collect::<Result<_, AnswerError>>()?;
    let metrics = list("metrics")?
        .iter()
        .enumerate()
        .map(|(i, m)| text(m, &format!("metrics[{i}]")))
        .collect::<Result<_, _>>()?;
    let timezone = text(meta.get("timezone").unwrap_or(&Value::Null), "timezone")?;
    let retention_days = match meta.get("retention_days") {
        None | Some(Value::Null) => None,
        Some(days) => Some(whole(days, "retention_days")?),
    };
    let quota = match meta.get("quota") {
        None | Some(Value::Null) => None,
        Some(quota) => {
            let part = |key: &str| quota.get(key).ok_or_else(|| broken(&format!("quota.{key}"), "a value"));
            Some(Quota {
                limit: whole(part("limit")?, "quota.limit")?,
                window: text(part("window")?, "quota.window")?,
                used: whole(part("used")?, "quota.used")?,
            })
        }
    };
    let dimensions = list("dimensions")?
        .iter()
        .enumerate()
        .map(|(i, d)| text(d, &format!("dimensions[{i}]")))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .filter_map(|name| crate::Dimension::parse(name))
        .collect();
    let filters = match meta.get("filters") {
        None | Some(Value::Null) => false,
        Some(value) => value.as_bool().ok_or_else(|| broken("filters", "true or false"))?,
    };
    Ok(ApiMeta {
        clients,
        metrics,
        timezone,
        retention_days,
        quota,
        dimensions,
        filters,
    })
}

/// For the fuzz target `live`: every pure step of reading a live source on arbitrary input,
/// as a URL and as answers. It must return, never panic.
#[doc(hidden)]
pub fn fuzz_live(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(endpoint) = Endpoint::parse(&text) {
        let span = crate::query::DaySpan {
            start: 20_000,
            end: 20_030,
        };
        for granularity in [crate::Granularity::Hour, crate::Granularity::Day] {
            let _ = endpoint.plan(span, granularity);
            if let Ok(meta) = parse_meta(data) {
                let _ = endpoint.plan_with(span, granularity, &Ask::for_server(Some(&meta), &[]));
            }
        }
    }
    let _ = genesys_results_url("https://api.mypurecloud.com/api/v2/usage/query", data);
    let _ = genesys_query_status(data);
    let _ = parse_meta(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the token rule: credentials never travel in a URL, and only http(s) sources are used.
    #[test]
    fn refuses_secrets_in_urls() {
        for url in [
            "https://user:pw@api.example.com",
            "https://api.example.com/?token=abc",
            "https://api.example.com/x?Access_Token=abc&y=1",
            "https://api.example.com/data.json?api_key=1",
        ] {
            assert_eq!(Endpoint::parse(url), Err(SourceError::CredentialsInUrl), "{url}");
        }
        assert_eq!(Endpoint::parse("javascript:alert(1)"), Err(SourceError::NotHttp));
        assert_eq!(Endpoint::parse("ftp://example.com"), Err(SourceError::NotHttp));
        assert!(Endpoint::parse("https://api.example.com/?tokenizer=on").is_ok());
    }

    // Guards the retry policy: Retry-After in seconds or as a date, bounded backoff, and no retry where it cannot help.
    #[test]
    fn retries_only_what_can_succeed() {
        let now = 1_795_356_000; // 2026-11-22T14:00:00Z
        assert_eq!(retry_delay(1, 429, Some("7"), now), Some(7));
        assert_eq!(
            retry_delay(1, 429, Some("Sun, 22 Nov 2026 14:00:30 GMT"), now),
            Some(30)
        );
        assert_eq!(
            retry_delay(1, 429, Some("Sun, 22 Nov 2026 13:00:00 GMT"), now),
            Some(1),
            "a date in the past: retry soon"
        );
        assert_eq!(retry_delay(1, 429, Some("3600"), now), Some(MAX_WAIT_SECONDS));
        assert_eq!(retry_delay(1, 429, None, now), Some(1));
        assert_eq!(
            (
                retry_delay(1, 503, None, now),
                retry_delay(2, 500, None, now),
                retry_delay(3, 502, None, now)
            ),
            (Some(1), Some(2), Some(4))
        );
        assert_eq!(retry_delay(MAX_ATTEMPTS, 503, None, now), None, "bounded");
        for status in [200, 400, 401, 403, 404, 501] {
            assert_eq!(retry_delay(1, status, Some("1"), now), None, "{status}");
        }
    }

    // Guards the dimensions and filters /meta offers, and what Callboard then asks for.
    #[test]
    fn meta_says_what_usage_can_be_asked() {
        use crate::{Dimension, Filter};
        let filters = [Filter {
            dimension: Dimension::Ip,
            key: "192.0.2.1".into(),
        }];
        let plain = parse_meta(br#"{"timezone":"UTC"}"#).unwrap();
        assert_eq!((plain.dimensions.len(), plain.filters), (0, false));
        assert_eq!(
            Ask::for_server(Some(&plain), &filters),
            Ask {
                group_by: FIRST_DIMENSIONS.to_vec(),
                filters: vec![]
            }
        );
        assert_eq!(Ask::for_server(None, &filters).group_by, FIRST_DIMENSIONS);
        let rich = parse_meta(
            br#"{"timezone":"UTC","dimensions":["client","template","ip","class","planet"],"filters":true}"#,
        )
        .unwrap();
        assert_eq!(
            rich.dimensions,
            [Dimension::Client, Dimension::Template, Dimension::Ip, Dimension::Class],
            "unknown names are left out"
        );
        assert_eq!(
            Ask::for_server(Some(&rich), &filters),
            Ask {
                group_by: vec![Dimension::Client, Dimension::Template, Dimension::Ip],
                filters: filters.to_vec()
            }
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","filters":"yes"}"#)
                .unwrap_err()
                .to_string(),
            "/meta field filters: expected true or false"
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","dimensions":[7]}"#)
                .unwrap_err()
                .to_string(),
            "/meta field dimensions[0]: expected a string"
        );
    }

    // Guards /meta: optional parts may be absent, and a broken field is named.
    #[test]
    fn reads_meta_and_names_broken_fields() {
        let meta = parse_meta(br#"{"clients":[{"id":"app-1","name":"Billing"}],"metrics":["requests"],"timezone":"UTC","retention_days":90,"quota":{"limit":1000,"window":"month","used":420}}"#).unwrap();
        assert_eq!(
            meta.quota,
            Some(Quota {
                limit: 1000,
                window: "month".into(),
                used: 420
            })
        );
        assert_eq!(parse_meta(br#"{"timezone":"UTC"}"#).unwrap().clients, vec![]);
        let error = parse_meta(br#"{"timezone":"UTC","quota":{"limit":"lots","window":"month","used":1}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("/meta field quota.limit:"), "{error}");
        let error = parse_meta(br#"{"clients":[]}"#).unwrap_err().to_string();
        assert!(error.contains("timezone"), "{error}");
        assert!(
            parse_meta(b"<html>")
                .unwrap_err()
                .to_string()
                .starts_with("/meta is not the expected JSON")
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","clients":[{"id":"a"},{"id":7}]}"#)
                .unwrap_err()
                .to_string(),
            "/meta field clients[1].id: expected a string"
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","metrics":"requests"}"#)
                .unwrap_err()
                .to_string(),
            "/meta field metrics: expected a list"
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","quota":{"limit":10,"used":1}}"#)
                .unwrap_err()
                .to_string(),
            "/meta field quota.window: expected a value"
        );
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC","retention_days":-3}"#)
                .unwrap_err()
                .to_string(),
            "/meta field retention_days: expected a whole number"
        );
        assert_eq!(
            parse_meta(b"[1]").unwrap_err().to_string(),
            "/meta is not the expected JSON: it is not an object"
        );
    }

    // Guards the retention note: only a range that starts before the oldest kept day gets one.
    #[test]
    fn tells_when_a_range_outruns_retention() {
        let date = |t: &str| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        let today = date("2026-11-23");
        let meta = parse_meta(br#"{"timezone":"UTC","retention_days":30}"#).unwrap();
        let range = |from: &str| crate::DateRange::new(date(from), date("2026-11-22"), today);
        assert_eq!(
            meta.first_kept_day(&range("2026-10-01"), today),
            Some(date("2026-10-24"))
        );
        assert_eq!(meta.first_kept_day(&range("2026-10-24"), today), None);
        assert_eq!(
            parse_meta(br#"{"timezone":"UTC"}"#)
                .unwrap()
                .first_kept_day(&range("2020-01-01"), today),
            None
        );
    }
}
