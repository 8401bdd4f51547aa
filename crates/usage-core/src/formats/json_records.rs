//! Usage records from JSON objects: Genesys Cloud usage rows, Kong
//! `http-log`/`file-log` entries, Moesif collector events and AWS API Gateway
//! JSON access logs. Each function maps one object; `read_json` finds the
//! objects (one document, an array, `{results:[…]}`, or one per line).

use serde_json::Value;

use super::time::parse_iso8601;
use super::{JsonContext, client_or_unknown};
use crate::model::BucketWidth;
use crate::store::{ClientId, MeasurePoint, Row, StoreBuilder};
use crate::template;

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// A string field; AWS writes `"-"` for unset values, which counts as absent.
fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
}

/// A number that may also be written as a string (`"200"`).
fn number(value: &Value, path: &[&str]) -> Option<f64> {
    match at(value, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn count(value: &Value, path: &[&str]) -> Option<u64> {
    number(value, path)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64)
}

fn status_of(value: &Value, path: &[&str]) -> Result<u16, String> {
    number(value, path)
        .filter(|s| (0.0..1000.0).contains(s))
        .map(|s| s as u16)
        .ok_or_else(|| format!("no status code ({})", path.join(".")))
}

/// Milliseconds (possibly fractional) as whole microseconds.
fn ms_to_us(ms: f64) -> Option<u64> {
    (ms >= 0.0 && ms.is_finite()).then(|| (ms * 1000.0).round() as u64)
}

/// The client of a 3scale document: its `application`, else "Unknown client" (service-wide figures).
fn threescale_client(document: &Value, builder: &mut StoreBuilder) -> ClientId {
    let id = number(document, &["application", "id"]).map(|n| format!("{n}"));
    client_or_unknown(builder, id.as_deref(), text(document, &["application", "name"]))
}

/// The template 3scale figures are counted under: its `hits` metric covers every URL.
fn threescale_template(document: &Value) -> String {
    match text(document, &["metric", "system_name"]) {
        None | Some("hits") => "(all URLs)".to_owned(),
        Some(metric) => format!("(metric: {metric})"),
    }
}

/// 3scale's `usage.json` or `usage_response_code.json`: one value per granularity bucket,
/// the first starting at `period.since` (converted to UTC with the offset it carries).
/// `usage.json` counts hits without status codes, so they count as "other";
/// `usage_response_code.json` counts one class (`2XX`, `4XX`, …).
pub fn threescale_usage(
    document: &Value,
    _root: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    // Hits and methods (a part of hits) count in hits; any other metric (data transfer in MB,
    // CPU hours) counts something else: it is read as a measure of its own, never as requests.
    let measure =
        text(document, &["metric", "unit"]).filter(|u| !matches!(u.to_ascii_lowercase().as_str(), "hit" | "hits"));
    let since = text(document, &["period", "since"]).ok_or("no period.since")?;
    let start = parse_iso8601(since.as_bytes()).ok_or_else(|| format!("period.since “{since}” is not ISO 8601"))?;
    let (step, bucket) = match text(document, &["period", "granularity"]).unwrap_or("day") {
        "hour" => (3_600, BucketWidth::Hour),
        "day" => (86_400, BucketWidth::Day),
        "6hour" | "6h" => (6 * 3_600, BucketWidth::Hour),
        other => return Err(format!("granularity “{other}” is not hour or day")),
    };
    let status = match text(document, &["response_code", "code"]) {
        None => 0,
        Some(code) => match code.to_ascii_uppercase().as_str() {
            "2XX" => 200,
            "3XX" => 300,
            "4XX" => 400,
            "5XX" => 500,
            exact => exact
                .parse::<u16>()
                .ok()
                .filter(|&c| c < 1000)
                .ok_or_else(|| format!("response code “{code}” is not a class or a code"))?,
        },
    };
    let values = at(document, &["values"]).and_then(Value::as_array).ok_or("no values")?;
    let client = threescale_client(document, builder);
    let amount = |i: usize, value: &Value| {
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| format!("value {} is not a whole number", i + 1))
    };
    if let Some(unit) = measure {
        let system_name = text(document, &["metric", "system_name"]).ok_or("the metric has no system_name")?;
        let name = text(document, &["metric", "name"]).unwrap_or(system_name);
        let points = values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                Ok(MeasurePoint {
                    timestamp: start + i as i64 * step,
                    bucket,
                    client,
                    amount: amount(i, value)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        // One document is one answer: all of its buckets go in, or none.
        return Ok(builder.push_measure(system_name, name, unit, &points)?);
    }
    let endpoint = builder.endpoint("", &threescale_template(document));
    let mut rows = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let requests = value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| format!("value {} is not a count", i + 1))?;
        if requests > 0 {
            rows.push(Row {
                timestamp: start + i as i64 * step,
                bucket,
                client,
                endpoint,
                status,
                requests,
                ..Row::default()
            });
        }
    }
    // One document is one answer: all of its buckets go in, or none.
    Ok(builder.push_rows(&rows)?)
}

/// One application of 3scale's `top_applications.json`: its total for the document's
/// period (`value` is a string), counted on the period's first day.
pub fn threescale_application(
    application: &Value,
    document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let since = text(document, &["period", "since"]).ok_or("no period.since")?;
    let timestamp = parse_iso8601(since.as_bytes()).ok_or_else(|| format!("period.since “{since}” is not ISO 8601"))?;
    let requests = count(application, &["value"]).ok_or("the application's value is not a count")?;
    let id = number(application, &["id"]).map(|n| format!("{n}"));
    // `name` can be null in 3scale's output.
    let client = client_or_unknown(builder, id.as_deref(), text(application, &["name"]));
    let endpoint = builder.endpoint("", &threescale_template(document));
    if requests > 0 {
        builder.push_row(Row {
            timestamp,
            bucket: BucketWidth::Day,
            client,
            endpoint,
            status: 0,
            requests,
            ..Row::default()
        })?;
    }
    Ok(())
}

/// A bucket of Callboard's REST contract (docs/api.md): the traffic of one client,
/// template and method in one bucket of the document's granularity, per status class.
/// Problems name the field, as the contract asks.
pub fn callboard_api_bucket(
    bucket: &Value,
    document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let start = text(bucket, &["start"]).ok_or("start is missing")?;
    let timestamp =
        parse_iso8601(start.as_bytes()).ok_or_else(|| format!("start “{start}” is not an ISO 8601 time"))?;
    let width = match text(document, &["granularity"]).unwrap_or("day") {
        "10m" => BucketWidth::TenMinutes,
        "hour" => BucketWidth::Hour,
        "day" => BucketWidth::Day,
        other => return Err(format!("granularity “{other}” is not 10m, hour or day")),
    };
    let status = at(bucket, &["status"])
        .and_then(Value::as_object)
        .ok_or("status is missing or not an object")?;
    let mut counts = Vec::with_capacity(6);
    for (key, code) in [
        ("2xx", 200),
        ("3xx", 300),
        ("4xx", 400),
        ("429", 429),
        ("5xx", 500),
        ("other", 0),
    ] {
        let n = match status.get(key) {
            None => 0,
            Some(v) => v
                .as_u64()
                .ok_or_else(|| format!("status.{key} is not a whole number"))?,
        };
        counts.push((code, n));
    }
    if let Some(unknown) = status
        .keys()
        .find(|k| !["2xx", "3xx", "4xx", "429", "5xx", "other"].contains(&k.as_str()))
    {
        return Err(format!(
            "status.{unknown} is not a status class (2xx, 3xx, 4xx, 429, 5xx, other)"
        ));
    }
    let client = client_or_unknown(builder, text(bucket, &["client_id"]), text(bucket, &["client_name"]));
    let template = text(bucket, &["template"])
        .map(template::normalise)
        .unwrap_or_else(|| "(all URLs)".into());
    let endpoint = builder.endpoint(&text(bucket, &["method"]).unwrap_or("").to_ascii_uppercase(), &template);
    // The dimensions a server offers beyond the first four (docs/api.md); absent is unknown.
    let module = builder.module(text(bucket, &["module"]).unwrap_or(""));
    let ip = builder.ip(text(bucket, &["ip"]).unwrap_or(""));
    let user = builder.user(text(bucket, &["user"]).unwrap_or(""));
    let rows: Vec<Row> = counts
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(status, requests)| Row {
            timestamp,
            bucket: width,
            client,
            endpoint,
            status,
            requests,
            module,
            ip,
            user,
            ..Row::default()
        })
        .collect();
    Ok(builder.push_rows(&rows)?)
}

/// A JSON record of no known vendor, its top-level fields matched by name like a generic CSV's.
pub fn generic_record(
    record: &Value,
    _document: &Value,
    context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    use super::tabular::{Field, generic_row, normalise};
    let object = record.as_object().ok_or("not a JSON object")?;
    let fields: Vec<(String, String)> = object
        .iter()
        .filter_map(|(key, value)| match value {
            Value::String(s) => Some((normalise(key), s.clone())),
            Value::Number(n) => Some((normalise(key), n.to_string())),
            _ => None,
        })
        .collect();
    let field = |f: Field| {
        f.names()
            .iter()
            .find_map(|name| fields.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty() && *v != "-")
    };
    generic_row(&field, context.epoch, builder).map(|_| ())
}

/// A generic record's time when it is a whole number (an epoch in seconds or milliseconds).
pub(crate) fn generic_epoch(record: &Value) -> Option<i64> {
    let object = record.as_object()?;
    super::tabular::Field::Time.names().iter().find_map(|name| {
        object
            .iter()
            .find(|(key, _)| super::tabular::normalise(key) == *name)
            .and_then(|(_, value)| match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
    })
}

/// An AWS access-log line's `requestTimeEpoch`: milliseconds for REST APIs, seconds in some
/// HTTP API formats, so the unit is decided over the whole file.
pub(crate) fn aws_epoch(line: &Value) -> Option<i64> {
    number(line, &["requestTimeEpoch"])
        .filter(|n| n.is_finite())
        .map(|n| n.floor() as i64)
}

/// A record of Callboard's own JSON export.
pub fn callboard_record(
    record: &Value,
    _document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    // A measured amount (a 3scale metric), which Callboard's export writes with the measure named.
    if let Some(measure) = text(record, &["measure"]) {
        let timestamp = at(record, &["timestamp"])
            .and_then(Value::as_i64)
            .ok_or("the timestamp is not a whole number")?;
        let bucket: BucketWidth = at(record, &["bucket"])
            .and_then(|b| serde_json::from_value(b.clone()).ok())
            .ok_or("the bucket is not Request, TenMinutes, Hour or Day")?;
        let client = builder.client(
            text(record, &["client_id"]).unwrap_or(""),
            text(record, &["client_name"]).unwrap_or(""),
        );
        let amount = at(record, &["amount"])
            .and_then(Value::as_u64)
            .ok_or("the amount is not a whole number")?;
        let (name, unit) = (
            text(record, &["measure_name"]).unwrap_or(measure),
            text(record, &["unit"]).unwrap_or(""),
        );
        return Ok(builder.push_measure(
            measure,
            name,
            unit,
            &[MeasurePoint {
                timestamp,
                bucket,
                client,
                amount,
            }],
        )?);
    }
    let record: crate::UsageRecord =
        serde_json::from_value(record.clone()).map_err(|e| format!("not a Callboard record: {e}"))?;
    Ok(builder.push_record(&record)?)
}

/// A Genesys Cloud `ApiUsageRow`: one day of one client (and template, method) with
/// counts per status class. `status429` is part of `status400`; `requests` not in
/// any class counts as "other".
pub fn genesys_row(
    row: &Value,
    _document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let date = text(row, &["date"]).ok_or("no date")?;
    let timestamp = parse_iso8601(date.as_bytes()).ok_or_else(|| format!("the date “{date}” is not ISO 8601"))?;
    let client = client_or_unknown(builder, text(row, &["clientId"]), text(row, &["clientName"]));
    let method = text(row, &["httpMethod"]).unwrap_or("").to_ascii_uppercase();
    let template = text(row, &["templateUri"])
        .map(template::normalise)
        .unwrap_or_else(|| "(all URLs)".to_owned());
    let endpoint = builder.endpoint(&method, &template);
    let user = builder.user(text(row, &["userId"]).unwrap_or(""));
    // An absent count is 0; one that is there but not a whole number makes the row unreadable.
    let class = |key: &str| match at(row, &[key]) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(_) => count(row, &[key]).ok_or_else(|| format!("{key} is not a whole number")),
    };
    let (s200, s300, s400, s429, s500) = (
        class("status200")?,
        class("status300")?,
        class("status400")?,
        class("status429")?,
        class("status500")?,
    );
    if s429 > s400 {
        return Err(format!(
            "status429 ({s429}) is larger than status400 ({s400}), of which it is a part"
        ));
    }
    let classified = s200 + s300 + s400 + s500;
    let other = match count(row, &["requests"]) {
        Some(requests) if requests < classified => {
            return Err(format!(
                "requests ({requests}) is smaller than the status counts ({classified})"
            ));
        }
        Some(requests) => requests - classified,
        None => 0,
    };
    let rows: Vec<Row> = [
        (200, s200),
        (300, s300),
        (400, s400 - s429),
        (429, s429),
        (500, s500),
        (0, other),
    ]
    .into_iter()
    .filter(|&(_, n)| n > 0)
    .map(|(status, requests)| Row {
        timestamp,
        bucket: BucketWidth::Day,
        client,
        endpoint,
        status,
        requests,
        user,
        ..Row::default()
    })
    .collect();
    Ok(builder.push_rows(&rows)?)
}

/// A Kong `http-log`/`file-log` entry: one request. No consumer means an anonymous caller.
pub fn kong_entry(
    entry: &Value,
    _document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let started = number(entry, &["started_at"]).ok_or("no started_at")?;
    let timestamp = (started / 1000.0).floor() as i64;
    let method = text(entry, &["request", "method"])
        .ok_or("no request.method")?
        .to_ascii_uppercase();
    let uri = text(entry, &["request", "uri"])
        .or_else(|| text(entry, &["request", "url"]))
        .ok_or("no request.uri")?;
    let status = status_of(entry, &["response", "status"])?;
    let name = text(entry, &["consumer", "username"]).or_else(|| text(entry, &["consumer", "custom_id"]));
    let id = text(entry, &["consumer", "id"]).or(name);
    let client = client_or_unknown(builder, id, name);
    let endpoint = builder.endpoint(&method, &template::fold(uri));
    let ip = builder.ip(text(entry, &["client_ip"]).unwrap_or(""));
    builder.push_row(Row {
        timestamp,
        bucket: BucketWidth::Request,
        client,
        endpoint,
        status,
        requests: 1,
        ip,
        bytes: count(entry, &["response", "size"]),
        latency_us: number(entry, &["latencies", "request"]).and_then(ms_to_us),
        ..Row::default()
    })?;
    Ok(())
}

/// A Moesif collector event. Sampled events carry `weight` (100 / sample rate),
/// so the requests it stands for are its weight.
pub fn moesif_event(
    event: &Value,
    _document: &Value,
    _context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let time = text(event, &["request", "time"]).ok_or("no request.time")?;
    let timestamp = parse_iso8601(time.as_bytes()).ok_or_else(|| format!("request.time “{time}” is not ISO 8601"))?;
    let method = text(event, &["request", "verb"])
        .ok_or("no request.verb")?
        .to_ascii_uppercase();
    let uri = text(event, &["request", "uri"]).ok_or("no request.uri")?;
    let status = status_of(event, &["response", "status"])?;
    let requests = match number(event, &["weight"]) {
        None => 1,
        Some(w) if w >= 1.0 && w.fract() == 0.0 => w as u64,
        Some(w) => return Err(format!("weight {w} is not a whole number of requests")),
    };
    let company = text(event, &["company_id"]);
    let client = client_or_unknown(builder, company, company);
    let endpoint = builder.endpoint(&method, &template::fold(uri));
    let user = builder.user(text(event, &["user_id"]).unwrap_or(""));
    let ip = builder.ip(text(event, &["request", "ip_address"]).unwrap_or(""));
    builder.push_row(Row {
        timestamp,
        bucket: BucketWidth::Request,
        client,
        endpoint,
        status,
        requests,
        user,
        ip,
        ..Row::default()
    })?;
    Ok(())
}

/// An AWS API Gateway JSON access-log line (the console preset or a variant).
pub fn aws_access_log(
    line: &Value,
    _document: &Value,
    context: &JsonContext,
    builder: &mut StoreBuilder,
) -> Result<(), String> {
    let timestamp = match aws_epoch(line) {
        // Milliseconds for REST APIs, seconds for some HTTP API formats: decided for the file.
        Some(epoch) => context.epoch.to_seconds(epoch),
        None => {
            let clf = text(line, &["requestTime"]).ok_or("no requestTime or requestTimeEpoch")?;
            super::access_log::parse_clf_time(clf)
                .ok_or_else(|| format!("requestTime “{clf}” is not dd/MMM/yyyy:HH:mm:ss +hhmm"))?
        }
    };
    let method = text(line, &["httpMethod"]).ok_or("no httpMethod")?.to_ascii_uppercase();
    let template = match text(line, &["resourcePath"]) {
        Some(resource) => template::normalise(resource),
        None => template::fold(text(line, &["path"]).ok_or("no resourcePath or path")?),
    };
    let status = status_of(line, &["status"])?;
    let key = text(line, &["apiKeyId"]).or_else(|| text(line, &["identity", "apiKeyId"]));
    let caller = text(line, &["caller"]).or_else(|| text(line, &["user"]));
    let client = client_or_unknown(builder, key.or(caller), key.or(caller));
    let endpoint = builder.endpoint(&method, &template);
    let ip = builder.ip(text(line, &["ip"]).or_else(|| text(line, &["sourceIp"])).unwrap_or(""));
    builder.push_row(Row {
        timestamp,
        bucket: BucketWidth::Request,
        client,
        endpoint,
        status,
        requests: 1,
        ip,
        bytes: count(line, &["responseLength"]),
        latency_us: number(line, &["responseLatency"]).and_then(ms_to_us),
        ..Row::default()
    })?;
    Ok(())
}
