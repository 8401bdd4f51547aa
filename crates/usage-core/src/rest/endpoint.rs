//! Which kind of endpoint a source URL names, and the requests that ask it for a range.
//!
//! Besides Callboard's own contract (docs/api.md) and static documents of its shape, two
//! vendor APIs are read directly (../shared/formats.md):
//! - the 3scale Analytics API (`/stats/…/usage.json`, `usage_response_code.json`,
//!   `top_applications.json`), whose documents the 3scale readers already know;
//! - Genesys Cloud's usage query: `POST …/usage/query`, then polling its results until
//!   `queryStatus` is `Complete`.

use chrono::{Months, NaiveDate};
use serde_json::Value;

use super::SourceError;
use crate::formats::Format;
use crate::query::{DaySpan, Granularity};
use crate::range::{date_of_day, day_number};

/// An endpoint Callboard can read usage from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Callboard's usage contract: `{base}/usage` and `{base}/meta`.
    Contract { base: String },
    /// A static JSON document of the contract's shape, read as it is.
    Document { url: String },
    /// A 3scale Analytics API route; `params` are the user's own query parameters
    /// (`metric_name`, `response_code`) that Callboard keeps.
    ThreeScale {
        route: ThreeScaleRoute,
        path: String,
        params: Vec<(String, String)>,
    },
    /// Genesys Cloud's usage query (`…/api/v2/usage/query`, or a client's `…/usage/query`).
    Genesys { query_url: String },
    /// A ClickHouse server's HTTP interface (`url`, with no query) and the usage table to read:
    /// every figure is aggregated by the cluster ([`crate::clickhouse`]).
    ClickHouse {
        url: String,
        database: crate::clickhouse::Name,
        table: crate::clickhouse::Name,
    },
}

/// What kind of source a URL is, as the user chose it (`kind=` in a link). `Auto` goes by the
/// URL, and never takes a ClickHouse server for Callboard's contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SourceKind {
    #[default]
    Auto,
    Callboard,
    ThreeScale,
    Genesys,
    ClickHouse,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Auto,
        SourceKind::Callboard,
        SourceKind::ThreeScale,
        SourceKind::Genesys,
        SourceKind::ClickHouse,
    ];

    /// The name in a link.
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceKind::Auto => "auto",
            SourceKind::Callboard => "callboard",
            SourceKind::ThreeScale => "3scale",
            SourceKind::Genesys => "genesys",
            SourceKind::ClickHouse => "clickhouse",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            SourceKind::Auto => "Decide from the URL",
            SourceKind::Callboard => "Callboard usage API",
            SourceKind::ThreeScale => "3scale Analytics API",
            SourceKind::Genesys => "Genesys Cloud usage query",
            SourceKind::ClickHouse => "ClickHouse",
        }
    }

    pub fn parse(text: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreeScaleRoute {
    Usage,
    UsageResponseCode,
    TopApplications,
}

/// How the token, if any, goes with a request: never in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic base64(<token>:)`: 3scale takes an access token from the
    /// `access_token` parameter or, failing that, from HTTP Basic credentials
    /// (porta `api_authentication/by_access_token.rb`, `http_authentication.rb`).
    BasicUser,
    /// `Authorization: Basic base64(<user>:<password>)`, a ClickHouse login kept as `user:password`.
    Basic,
}

/// One HTTP request and the reader for its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    /// A JSON body to POST; `None` for a GET.
    pub body: Option<String>,
    pub auth: Auth,
    pub format: Format,
}

impl Request {
    fn get(url: String, auth: Auth, format: Format) -> Request {
        Request {
            url,
            body: None,
            auth,
            format,
        }
    }
}

/// What Callboard asks an endpoint for a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Requests whose answers together are the usage (merged into one store).
    pub requests: Vec<Request>,
    /// What the answer covers when the endpoint cannot give exactly the range asked for.
    pub caveat: Option<String>,
}

impl Endpoint {
    /// Reads a source URL as the kind the user chose. A ClickHouse URL names its database and
    /// table (`?database=…&table=…`); `Auto` refuses a URL that looks like ClickHouse's (those
    /// parameters, or its ports 8123 and 8443) rather than take it for Callboard's contract.
    pub fn parse_as(source: &str, kind: SourceKind) -> Result<Endpoint, SourceError> {
        let endpoint = Endpoint::parse(source)?;
        let query = source
            .split('#')
            .next()
            .unwrap_or("")
            .split_once('?')
            .map_or("", |(_, q)| q);
        let params = query_pairs(query);
        let param = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let authority = source
            .split_once("://")
            .map_or("", |(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let looks_like_clickhouse = param("table").is_some()
            || param("database").is_some()
            || authority.ends_with(":8123")
            || authority.ends_with(":8443");
        let wrong = |what: &str| Err(SourceError::NotThatKind(what.to_owned()));
        match (kind, &endpoint) {
            (SourceKind::ClickHouse, _) => {
                let (Some(database), Some(table)) = (param("database"), param("table")) else {
                    return wrong("a ClickHouse source names its database and table: …/?database=…&table=…");
                };
                let name = |text: &str| {
                    crate::clickhouse::Name::parse(text).map_err(|e| SourceError::NotThatKind(e.to_string()))
                };
                let url = source
                    .split(['?', '#'])
                    .next()
                    .unwrap_or(source)
                    .trim_end_matches('/')
                    .to_owned();
                Ok(Endpoint::ClickHouse {
                    url,
                    database: name(database)?,
                    table: name(table)?,
                })
            }
            (SourceKind::Auto, Endpoint::Contract { .. }) if looks_like_clickhouse => {
                wrong("this looks like a ClickHouse server: choose ClickHouse as the kind")
            }
            (SourceKind::Auto, _) => Ok(endpoint),
            (SourceKind::Callboard, Endpoint::Contract { .. } | Endpoint::Document { .. }) => Ok(endpoint),
            (SourceKind::ThreeScale, Endpoint::ThreeScale { .. }) => Ok(endpoint),
            (SourceKind::Genesys, Endpoint::Genesys { .. }) => Ok(endpoint),
            (SourceKind::Callboard, _) => wrong("this is not a Callboard usage API or document URL"),
            (SourceKind::ThreeScale, _) => wrong(
                "a 3scale Analytics route ends in …/stats/…/usage.json, usage_response_code.json or top_applications.json",
            ),
            (SourceKind::Genesys, _) => wrong("a Genesys Cloud usage query ends in …/usage/query"),
        }
    }

    /// Reads a source URL. URLs carrying credentials are refused for every kind.
    pub fn parse(source: &str) -> Result<Endpoint, SourceError> {
        let source = source.trim();
        let rest = source
            .strip_prefix("https://")
            .or_else(|| source.strip_prefix("http://"))
            .ok_or(SourceError::NotHttp)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let query = source
            .split(['#'])
            .next()
            .unwrap_or("")
            .split_once('?')
            .map_or("", |(_, q)| q);
        let params = query_pairs(query);
        let secret_in_query = params.iter().any(|(key, _)| {
            [
                "token",
                "access_token",
                "api_key",
                "apikey",
                "key",
                "secret",
                "password",
                "user_key",
                "provider_key",
            ]
            .contains(&key.to_ascii_lowercase().as_str())
        });
        if authority.is_empty() {
            return Err(SourceError::NotHttp);
        }
        if authority.contains('@') || secret_in_query {
            return Err(SourceError::CredentialsInUrl);
        }
        let path = source.split(['?', '#']).next().unwrap_or(source).trim_end_matches('/');
        let threescale = [
            ("/usage.json", ThreeScaleRoute::Usage),
            ("/usage_response_code.json", ThreeScaleRoute::UsageResponseCode),
            ("/top_applications.json", ThreeScaleRoute::TopApplications),
        ];
        if let Some(&(_, route)) = threescale
            .iter()
            .find(|(suffix, _)| path.contains("/stats/") && path.ends_with(suffix))
        {
            let params = params
                .into_iter()
                .filter(|(k, _)| k == "metric_name" || k == "response_code")
                .collect();
            return Ok(Endpoint::ThreeScale {
                route,
                path: path.to_owned(),
                params,
            });
        }
        if path.ends_with("/usage/query") {
            return Ok(Endpoint::Genesys {
                query_url: path.to_owned(),
            });
        }
        if path.ends_with(".json") {
            return Ok(Endpoint::Document { url: source.to_owned() });
        }
        Ok(Endpoint::Contract { base: path.to_owned() })
    }

    /// What the endpoint is, for the banner.
    pub fn kind(&self) -> &'static str {
        match self {
            Endpoint::Contract { .. } => "Callboard usage API",
            Endpoint::Document { .. } => "usage document",
            Endpoint::ThreeScale { .. } => "3scale Analytics API",
            Endpoint::Genesys { .. } => "Genesys Cloud usage query",
            Endpoint::ClickHouse { .. } => "ClickHouse",
        }
    }

    /// `{base}/meta`, for the contract only.
    pub fn meta_url(&self) -> Option<String> {
        match self {
            Endpoint::Contract { base } => Some(format!("{base}/meta")),
            _ => None,
        }
    }

    /// The requests for `span` (UTC days, half-open) at about `granularity`, asking a contract
    /// server for the first contract's four dimensions.
    pub fn plan(&self, span: DaySpan, granularity: Granularity) -> Plan {
        self.plan_with(span, granularity, &super::Ask::for_server(None, &[]))
    }

    /// The requests for `span` at about `granularity`; a contract server is asked to group by
    /// `ask`'s dimensions and to apply its filters.
    pub fn plan_with(&self, span: DaySpan, granularity: Granularity, ask: &super::Ask) -> Plan {
        let first = date_of_day(span.start);
        let end = date_of_day(span.end);
        let hourly = matches!(granularity, Granularity::TenMinutes | Granularity::Hour);
        match self {
            Endpoint::Contract { base } => {
                let granularity = match granularity {
                    Granularity::TenMinutes => "10m",
                    Granularity::Hour => "hour",
                    _ => "day",
                };
                let group_by: Vec<&str> = ask.group_by.iter().map(|d| d.as_str()).collect();
                let mut pairs = vec![
                    ("from".to_owned(), first.to_string()),
                    ("to".to_owned(), end.to_string()),
                    ("granularity".to_owned(), granularity.to_owned()),
                    ("group_by".to_owned(), group_by.join(",")),
                ];
                pairs.extend(
                    ask.filters
                        .iter()
                        .map(|f| ("f".to_owned(), format!("{}:{}", f.dimension.as_str(), f.key))),
                );
                let url = format!("{base}/usage{}", crate::query_string::write_query(&pairs));
                Plan {
                    requests: vec![Request::get(url, Auth::Bearer, Format::CallboardApi)],
                    caveat: None,
                }
            }
            Endpoint::Document { url } => Plan {
                requests: vec![Request::get(url.clone(), Auth::Bearer, Format::CallboardApi)],
                caveat: None,
            },
            Endpoint::ThreeScale { route, path, params } => threescale_plan(*route, path, params, span, hourly),
            Endpoint::Genesys { query_url } => {
                let body = serde_json::json!({
                    "interval": format!("{first}T00:00:00.000Z/{end}T00:00:00.000Z"),
                    "granularity": "Day",
                    "groupBy": ["OAuthClientId", "TemplateUri", "HttpMethod"],
                    "metrics": ["Status200", "Status300", "Status400", "Status500", "Status429", "Requests"],
                });
                let request = Request {
                    url: query_url.clone(),
                    body: Some(body.to_string()),
                    auth: Auth::Bearer,
                    format: Format::Genesys,
                };
                let caveat = hourly.then(|| "Genesys counts whole UTC days only, so the chart shows days.".to_owned());
                Plan {
                    requests: vec![request],
                    caveat,
                }
            }
            // Its queries depend on the table's columns: the worker asks DESCRIBE TABLE first.
            Endpoint::ClickHouse { .. } => Plan {
                requests: Vec::new(),
                caveat: None,
            },
        }
    }
}

fn threescale_plan(
    route: ThreeScaleRoute,
    path: &str,
    params: &[(String, String)],
    span: DaySpan,
    hourly: bool,
) -> Plan {
    let first = date_of_day(span.start);
    let metric = params
        .iter()
        .find(|(k, _)| k == "metric_name")
        .map_or("hits", |(_, v)| v.as_str());
    let request = |extra: String| {
        let url = format!("{path}?metric_name={metric}&timezone=UTC{extra}");
        Request::get(
            url,
            Auth::BasicUser,
            if route == ThreeScaleRoute::TopApplications {
                Format::ThreeScaleTopApplications
            } else {
                Format::ThreeScaleUsage
            },
        )
    };
    if route == ThreeScaleRoute::TopApplications {
        // 3scale totals top applications over a whole period from `since` (no `until`):
        // take the longest that ends within the range.
        let (period, end) = threescale_period(first, span.end);
        let caveat = (end != span.end).then(|| {
            format!(
                "3scale totals top applications per {period}: this is {first} to {}, counted on its first day.",
                date_of_day(end - 1)
            )
        });
        return Plan {
            requests: vec![request(format!("&since={first}&period={period}"))],
            caveat,
        };
    }
    let last = date_of_day(span.end - 1);
    let granularity = if hourly { "hour" } else { "day" };
    let range = format!("&since={first}&until={last}%2023:59:59&granularity={granularity}&skip_change=true");
    let requests = match route {
        ThreeScaleRoute::UsageResponseCode => match params.iter().find(|(k, _)| k == "response_code") {
            Some((_, code)) => vec![request(format!("&response_code={code}{range}"))],
            // One series per class, as porta's own UI asks, so the dashboard can split by status.
            None => ["2XX", "4XX", "5XX"]
                .iter()
                .map(|code| request(format!("&response_code={code}{range}")))
                .collect(),
        },
        _ => vec![request(range)],
    };
    Plan { requests, caveat: None }
}

/// The longest 3scale period (`year`, `month`, `week`, `day`) from `first` that ends by
/// day `end` (exclusive), and the day it ends on; a day if none fits.
fn threescale_period(first: NaiveDate, end: i64) -> (&'static str, i64) {
    let start = day_number(first);
    let candidates = [
        ("year", first.checked_add_months(Months::new(12)).map(day_number)),
        ("month", first.checked_add_months(Months::new(1)).map(day_number)),
        ("week", Some(start + 7)),
    ];
    candidates
        .into_iter()
        .find_map(|(name, until)| until.filter(|&u| u <= end).map(|u| (name, u)))
        .unwrap_or(("day", start + 1))
}

/// Where to poll for a Genesys query's results, from the answer to its POST. A
/// `resultsUri` on another origin is refused: the token would go with it.
pub fn genesys_results_url(query_url: &str, answer: &[u8]) -> Result<String, super::AnswerError> {
    let execution: Value = serde_json::from_slice(answer).map_err(|e| super::AnswerError::NotJson {
        what: "the query answer",
        reason: e.to_string(),
    })?;
    let field = |key: &str| {
        execution
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let origin = origin_of(query_url);
    match (field("resultsUri"), field("executionId")) {
        (Some(uri), _) if uri.starts_with('/') && !uri.starts_with("//") => Ok(format!("{origin}{uri}")),
        (Some(uri), _) if !origin.is_empty() && origin_of(uri) == origin => Ok(uri.to_owned()),
        (Some(uri), _) => Err(super::AnswerError::ResultsElsewhere {
            uri: uri.to_owned(),
            origin,
        }),
        (None, Some(id)) if id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            Ok(format!("{query_url}/{id}/results"))
        }
        (None, _) => Err(super::AnswerError::NoResults),
    }
}

/// Where a Genesys usage query stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryStatus {
    Complete,
    Running,
    Failed,
}

/// Reads `queryStatus` from a results answer; a missing one counts as still running.
pub fn genesys_query_status(answer: &[u8]) -> Result<QueryStatus, super::AnswerError> {
    let results: Value = serde_json::from_slice(answer).map_err(|e| super::AnswerError::NotJson {
        what: "the query results",
        reason: e.to_string(),
    })?;
    Ok(match results.get("queryStatus").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("complete") => QueryStatus::Complete,
        Some(s) if s.eq_ignore_ascii_case("failed") => QueryStatus::Failed,
        _ => QueryStatus::Running,
    })
}

/// How many times a running Genesys query is polled before Callboard gives up.
pub const MAX_POLLS: u32 = 20;

/// Seconds to wait before poll number `poll` (1 for the first), or `None` past [`MAX_POLLS`]:
/// 1, 1, 2, 2, 3, 3, then 5 s, about 80 s in all.
pub fn poll_delay(poll: u32) -> Option<u64> {
    (1..=MAX_POLLS).contains(&poll).then(|| match poll {
        1..=6 => u64::from(poll.div_ceil(2)),
        _ => 5,
    })
}

/// The `scheme://host[:port]` of an http(s) URL: where a request goes, for messages and
/// for keeping the token on the origin it was given for.
///
/// Written the way browsers compare origins: the scheme and host in lower case, a default port
/// (80, 443) left out, user information dropped. Not a URL gives an empty origin, which matches
/// none.
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.trim().split_once("://") else {
        return String::new();
    };
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority).to_ascii_lowercase();
    let host = match (scheme.as_str(), host.rsplit_once(':')) {
        ("http", Some((name, "80"))) | ("https", Some((name, "443"))) => name.to_owned(),
        _ => host,
    };
    if host.is_empty() {
        String::new()
    } else {
        format!("{scheme}://{host}")
    }
}

/// The `key=value` pairs of a query string, as written (not decoded).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the kind chosen in "Connect API…": ClickHouse names its database and table (checked
    // names), "auto" never takes a ClickHouse server for Callboard's contract, and a URL that is
    // not of the chosen kind says what that kind looks like.
    #[test]
    fn the_chosen_kind_decides() {
        let clickhouse = Endpoint::parse_as(
            "https://ch.example:8443/?database=usage_db&table=requests",
            SourceKind::ClickHouse,
        )
        .unwrap();
        match &clickhouse {
            Endpoint::ClickHouse { url, database, table } => assert_eq!(
                (url.as_str(), database, table),
                (
                    "https://ch.example:8443",
                    &crate::clickhouse::Name::parse("usage_db").unwrap(),
                    &crate::clickhouse::Name::parse("requests").unwrap()
                )
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(clickhouse.kind(), "ClickHouse");
        assert!(
            matches!(
                Endpoint::parse_as("https://ch.example:8443/", SourceKind::ClickHouse),
                Err(SourceError::NotThatKind(_))
            ),
            "no table"
        );
        assert!(
            matches!(
                Endpoint::parse_as("https://ch.example/?database=a;DROP&table=t", SourceKind::ClickHouse),
                Err(SourceError::NotThatKind(_))
            ),
            "a name is checked"
        );
        assert!(
            matches!(Endpoint::parse_as("https://ch.example:8443/", SourceKind::Auto), Err(SourceError::NotThatKind(why)) if why.contains("ClickHouse"))
        );
        assert!(matches!(
            Endpoint::parse_as("https://api.example/usage-api?table=t", SourceKind::Auto),
            Err(SourceError::NotThatKind(_))
        ));
        assert!(matches!(
            Endpoint::parse_as("https://api.example/usage-api", SourceKind::Auto),
            Ok(Endpoint::Contract { .. })
        ));
        assert!(matches!(
            Endpoint::parse_as("https://api.example/usage-api", SourceKind::Callboard),
            Ok(Endpoint::Contract { .. })
        ));
        assert!(
            matches!(Endpoint::parse_as("https://api.example/usage-api", SourceKind::ThreeScale), Err(SourceError::NotThatKind(why)) if why.contains("usage.json"))
        );
        assert!(matches!(
            Endpoint::parse_as("https://x.3scale.net/stats/services/4/usage.json", SourceKind::Genesys),
            Err(SourceError::NotThatKind(_))
        ));
        assert!(matches!(
            Endpoint::parse_as(
                "https://x.3scale.net/stats/services/4/usage.json",
                SourceKind::ThreeScale
            ),
            Ok(Endpoint::ThreeScale { .. })
        ));
        assert_eq!(
            Endpoint::parse_as("https://u:p@ch.example/?database=a&table=t", SourceKind::ClickHouse),
            Err(SourceError::CredentialsInUrl)
        );
        assert_eq!(
            Endpoint::parse_as(
                "https://ch.example/?database=a&table=t&password=x",
                SourceKind::ClickHouse
            ),
            Err(SourceError::CredentialsInUrl)
        );
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::parse(kind.as_str()), Some(kind));
        }
    }

    fn span(from: &str, to: &str) -> DaySpan {
        let day = |t: &str| day_number(NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap());
        DaySpan {
            start: day(from),
            end: day(to),
        }
    }

    fn urls(plan: &Plan) -> Vec<&str> {
        plan.requests.iter().map(|r| r.url.as_str()).collect()
    }

    // Guards the kinds: vendor routes are recognised by path, everything else is the contract or a document.
    #[test]
    fn recognises_endpoints() {
        let kind = |url: &str| Endpoint::parse(url).map(|e| e.kind());
        assert_eq!(kind("https://usage.example.com/api/"), Ok("Callboard usage API"));
        assert_eq!(kind("https://cdn.example.com/nightly.json"), Ok("usage document"));
        assert_eq!(
            kind("https://acme-admin.3scale.net/stats/services/42/usage.json?metric_name=hits"),
            Ok("3scale Analytics API")
        );
        assert_eq!(
            kind("https://acme-admin.3scale.net/stats/applications/7/usage_response_code.json"),
            Ok("3scale Analytics API")
        );
        assert_eq!(
            kind("https://acme-admin.3scale.net/stats/services/42/top_applications.json"),
            Ok("3scale Analytics API")
        );
        assert_eq!(
            kind("https://api.mypurecloud.com/api/v2/usage/query"),
            Ok("Genesys Cloud usage query")
        );
        assert_eq!(
            kind("https://api.mypurecloud.com/api/v2/oauth/clients/abc/usage/query/"),
            Ok("Genesys Cloud usage query")
        );
        assert_eq!(kind("https://"), Err(SourceError::NotHttp));
        assert_eq!(
            kind("https://acme-admin.3scale.net/stats/services/42/usage.json?access_token=abc"),
            Err(SourceError::CredentialsInUrl)
        );
        assert_eq!(
            kind("https://acme.example.com/stats/x/usage.json?provider_key=abc"),
            Err(SourceError::CredentialsInUrl)
        );
        assert_eq!(
            Endpoint::parse("https://a.example/api").unwrap().meta_url().as_deref(),
            Some("https://a.example/api/meta")
        );
        assert_eq!(Endpoint::parse("https://a.example/d.json").unwrap().meta_url(), None);
    }

    // Guards the contract's request with what /meta offered: more dimensions, and the link's
    // filters percent-encoded in the link's own grammar.
    #[test]
    fn contract_asks_for_offered_dimensions_and_filters() {
        use crate::{Dimension, Filter};
        let ask = super::super::Ask {
            group_by: vec![Dimension::Client, Dimension::Ip, Dimension::User],
            filters: vec![Filter {
                dimension: Dimension::Template,
                key: "/a b/{id}&x".into(),
            }],
        };
        let plan = Endpoint::parse("https://a.example/api").unwrap().plan_with(
            span("2026-11-01", "2026-11-03"),
            Granularity::Day,
            &ask,
        );
        assert_eq!(
            plan.requests[0].url,
            "https://a.example/api/usage?from=2026-11-01&to=2026-11-03&granularity=day&group_by=client,ip,user&f=template:/a%20b/%7Bid%7D%26x"
        );
    }

    // Guards the contract's request: half-open days, the group_by it asks for, and static documents as given.
    #[test]
    fn plans_contract_requests() {
        let ask = |url: &str, granularity| {
            Endpoint::parse(url).map(|e| urls(&e.plan(span("2026-10-24", "2026-11-23"), granularity)).concat())
        };
        assert_eq!(
            ask("https://usage.example.com/api/", Granularity::Day),
            Ok("https://usage.example.com/api/usage?from=2026-10-24&to=2026-11-23&granularity=day&group_by=client,template,method,status".into())
        );
        assert_eq!(
            ask("http://127.0.0.1:9000", Granularity::Hour).map(|u| u.contains("granularity=hour")),
            Ok(true)
        );
        assert_eq!(
            ask("https://cdn.example.com/usage-nightly.json?v=3", Granularity::Day),
            Ok("https://cdn.example.com/usage-nightly.json?v=3".into())
        );
    }

    // Guards the 3scale requests: the range on screen as since/until in UTC, the user's metric kept,
    // one series per status class when none is named, and the token never in the URL.
    #[test]
    fn plans_threescale_requests() {
        let usage = Endpoint::parse(
            "https://acme-admin.3scale.net/stats/applications/7/usage.json?metric_name=search&since=2020-01-01",
        )
        .unwrap();
        let plan = usage.plan(span("2026-11-16", "2026-11-23"), Granularity::Day);
        assert_eq!(
            urls(&plan),
            [
                "https://acme-admin.3scale.net/stats/applications/7/usage.json?metric_name=search&timezone=UTC&since=2026-11-16&until=2026-11-22%2023:59:59&granularity=day&skip_change=true"
            ]
        );
        assert_eq!(
            (plan.requests[0].auth, plan.requests[0].format, plan.caveat.clone()),
            (Auth::BasicUser, Format::ThreeScaleUsage, None)
        );
        let hourly = usage.plan(span("2026-11-21", "2026-11-23"), Granularity::Hour);
        assert!(
            urls(&hourly)[0].contains("since=2026-11-21&until=2026-11-22%2023:59:59&granularity=hour"),
            "{:?}",
            urls(&hourly)
        );

        let by_code =
            Endpoint::parse("https://acme-admin.3scale.net/stats/services/42/usage_response_code.json").unwrap();
        let plan = by_code.plan(span("2026-11-16", "2026-11-23"), Granularity::Day);
        let codes: Vec<_> = urls(&plan)
            .iter()
            .map(|u| {
                u.split("response_code=")
                    .nth(1)
                    .unwrap_or("")
                    .split('&')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        assert_eq!(codes, ["2XX", "4XX", "5XX"]);
        let one = Endpoint::parse(
            "https://acme-admin.3scale.net/stats/services/42/usage_response_code.json?response_code=429",
        )
        .unwrap();
        assert_eq!(
            one.plan(span("2026-11-16", "2026-11-23"), Granularity::Day)
                .requests
                .len(),
            1
        );
    }

    // Guards top_applications: 3scale only totals whole periods from `since`, so the longest that fits is asked for, and the gap is said.
    #[test]
    fn fits_top_application_periods_into_the_range() {
        let top = Endpoint::parse("https://acme-admin.3scale.net/stats/services/42/top_applications.json").unwrap();
        let ask = |from: &str, to: &str| {
            let plan = top.plan(span(from, to), Granularity::Day);
            let url = plan.requests[0].url.clone();
            (
                url.split("&since=").nth(1).unwrap_or("").to_owned(),
                plan.caveat.is_some(),
            )
        };
        assert_eq!(
            ask("2026-10-23", "2026-11-23"),
            ("2026-10-23&period=month".into(), false)
        );
        assert_eq!(
            ask("2026-10-24", "2026-11-23"),
            ("2026-10-24&period=week".into(), true),
            "a month from the 24th would reach today"
        );
        assert_eq!(
            ask("2026-11-16", "2026-11-23"),
            ("2026-11-16&period=week".into(), false)
        );
        assert_eq!(ask("2026-11-20", "2026-11-23"), ("2026-11-20&period=day".into(), true));
        assert_eq!(
            ask("2025-11-23", "2026-11-23"),
            ("2025-11-23&period=year".into(), false)
        );
        // A month from 31 January ends on the last day of February.
        assert_eq!(
            ask("2028-01-31", "2028-02-29"),
            ("2028-01-31&period=month".into(), false)
        );
    }

    // Guards the Genesys query: the half-open UTC interval, every status metric, and grouping by client, template and method.
    #[test]
    fn plans_genesys_query() {
        let genesys = Endpoint::parse("https://api.mypurecloud.com/api/v2/usage/query").unwrap();
        let plan = genesys.plan(span("2026-10-24", "2026-11-23"), Granularity::Day);
        let request = &plan.requests[0];
        assert_eq!(
            (request.url.as_str(), request.auth, request.format),
            (
                "https://api.mypurecloud.com/api/v2/usage/query",
                Auth::Bearer,
                Format::Genesys
            )
        );
        let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["interval"], "2026-10-24T00:00:00.000Z/2026-11-23T00:00:00.000Z");
        assert_eq!(body["granularity"], "Day");
        assert_eq!(
            body["groupBy"],
            serde_json::json!(["OAuthClientId", "TemplateUri", "HttpMethod"])
        );
        assert_eq!(body["metrics"].as_array().map(Vec::len), Some(6));
        assert!(
            genesys
                .plan(span("2026-11-21", "2026-11-23"), Granularity::Hour)
                .caveat
                .is_some()
        );
    }

    // Guards the polling target: a relative or same-origin resultsUri, or the executionId; never another origin.
    #[test]
    fn finds_where_to_poll() {
        let query = "https://api.mypurecloud.com/api/v2/usage/query";
        assert_eq!(
            genesys_results_url(
                query,
                br#"{"executionId":"e-1","resultsUri":"/api/v2/usage/query/e-1/results"}"#
            ),
            Ok("https://api.mypurecloud.com/api/v2/usage/query/e-1/results".into())
        );
        assert_eq!(
            genesys_results_url(query, br#"{"executionId":"e-2"}"#),
            Ok(format!("{query}/e-2/results"))
        );
        assert!(
            genesys_results_url(query, br#"{"resultsUri":"https://evil.example/x"}"#)
                .unwrap_err()
                .to_string()
                .contains("not on https://api.mypurecloud.com")
        );
        assert!(genesys_results_url(query, br#"{"resultsUri":"//evil.example/x"}"#).is_err());
        assert!(genesys_results_url(query, br#"{"resultsUri":"https://api.mypurecloud.com.evil.example/x"}"#).is_err());
        assert_eq!(
            origin_of("http://127.0.0.1:9000/api/usage?x=1"),
            "http://127.0.0.1:9000"
        );
        // Compared as browsers compare origins: case, default ports and user information do not count.
        assert_eq!(origin_of("HTTPS://API.Example.com:443/x"), "https://api.example.com");
        assert_eq!(origin_of("http://user:pw@example.com:80?x"), "http://example.com");
        assert_eq!(origin_of("http://[::1]:8080/a"), "http://[::1]:8080");
        assert_eq!(origin_of("https://example.com:8443"), "https://example.com:8443");
        assert_eq!(origin_of("/relative/path"), "");
        assert_eq!(origin_of("https:///nohost"), "");
        assert!(genesys_results_url(query, br#"{"executionId":"../../x"}"#).is_err());
        assert!(
            genesys_results_url(query, b"<html>")
                .unwrap_err()
                .to_string()
                .contains("not the expected JSON")
        );
    }

    // Guards the polling loop's inputs: status words in any case, and a bounded schedule.
    #[test]
    fn polls_a_bounded_number_of_times() {
        assert_eq!(
            genesys_query_status(br#"{"results":[],"queryStatus":"Complete"}"#),
            Ok(QueryStatus::Complete)
        );
        assert_eq!(
            genesys_query_status(br#"{"queryStatus":"RUNNING"}"#),
            Ok(QueryStatus::Running)
        );
        assert_eq!(
            genesys_query_status(br#"{"queryStatus":"Failed"}"#),
            Ok(QueryStatus::Failed)
        );
        assert_eq!(genesys_query_status(br#"{}"#), Ok(QueryStatus::Running));
        assert!(genesys_query_status(b"[").is_err());
        let schedule: Vec<_> = (1..=8).map(poll_delay).collect();
        assert_eq!(
            schedule,
            [Some(1), Some(1), Some(2), Some(2), Some(3), Some(3), Some(5), Some(5)]
        );
        assert_eq!(poll_delay(MAX_POLLS + 1), None);
        assert_eq!(poll_delay(0), None);
        assert_eq!((1..=MAX_POLLS).filter_map(poll_delay).sum::<u64>(), 82);
    }
}
