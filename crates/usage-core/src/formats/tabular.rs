//! Vendor CSV exports, matched by their headers (case, spaces, underscores,
//! dots and dashes do not matter): Genesys Cloud usage rows, Tyk pump CSV,
//! Ex Libris Alma API usage reports, and any CSV whose columns can be matched
//! by name (generic).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::json_records::genesys_row;
use super::time::{EpochUnit, days_from_civil, parse_iso8601};
use super::{ReadError, ReadReport, client_or_unknown as client};
use crate::model::{BucketWidth, SECONDS_PER_DAY};
use crate::store::{Row, StoreBuilder};
use crate::template;

/// Which table a header describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableKind {
    Genesys,
    Tyk,
    Alma,
    /// Columns matched by name; `None` uses the proposed mapping.
    Generic(Option<ColumnMapping>),
    ThreeScale,
}

/// A field of a generic CSV that a column can supply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Time,
    Status,
    Requests,
    Client,
    ClientName,
    Method,
    Template,
    Url,
    Ip,
    User,
    Bytes,
    /// Module or API area (Ex Libris's "API area", a gateway's service).
    Module,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Time,
        Field::Status,
        Field::Requests,
        Field::Client,
        Field::ClientName,
        Field::Method,
        Field::Template,
        Field::Url,
        Field::Ip,
        Field::User,
        Field::Bytes,
        Field::Module,
    ];

    /// Its name in a saved mapping (`callboard.csv-mappings.v1`): the variant's name, as serde writes it.
    pub fn key(self) -> &'static str {
        match self {
            Field::Time => "Time",
            Field::Status => "Status",
            Field::Requests => "Requests",
            Field::Client => "Client",
            Field::ClientName => "ClientName",
            Field::Method => "Method",
            Field::Template => "Template",
            Field::Url => "Url",
            Field::Ip => "Ip",
            Field::User => "User",
            Field::Bytes => "Bytes",
            Field::Module => "Module",
        }
    }

    /// The field a saved name stands for.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What the mapping dialog calls the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Time => "Time or date",
            Field::Status => "Status code",
            Field::Requests => "Request count",
            Field::Client => "Client (id or key)",
            Field::ClientName => "Client name",
            Field::Method => "HTTP method",
            Field::Template => "URL template",
            Field::Url => "URL or path",
            Field::Ip => "IP address",
            Field::User => "User",
            Field::Bytes => "Bytes",
            Field::Module => "Module or API area",
        }
    }

    /// Normalised header names that can supply the field, most likely first.
    pub(crate) fn names(self) -> &'static [&'static str] {
        match self {
            Field::Time => &GENERIC_TIME,
            Field::Status => &GENERIC_STATUS,
            Field::Requests => &["requests", "count", "hits", "calls"],
            Field::Client => &["clientid", "client", "app", "application", "consumer", "apikey", "key"],
            Field::ClientName => &["clientname", "appname", "applicationname", "consumername"],
            Field::Method => &["method", "httpmethod", "verb"],
            Field::Template => &["template", "route", "resource", "resourcepath"],
            Field::Url => &["url", "path", "uri", "endpoint"],
            Field::Ip => &["ip", "clientip", "ipaddress", "sourceip"],
            Field::User => &["user", "userid", "username"],
            Field::Bytes => &["bytes", "responsebytes", "size"],
            Field::Module => &["module", "apiarea", "area", "service"],
        }
    }

    /// Whether a file cannot be read without it.
    pub fn required(self) -> bool {
        matches!(self, Field::Time | Field::Status)
    }
}

/// Which column (by position) supplies each field of a generic CSV.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub columns: Vec<(Field, usize)>,
}

impl ColumnMapping {
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().find(|(f, _)| *f == field).map(|&(_, c)| c)
    }
}

/// The mapping Callboard would use for a header, and which fields had more than one candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingProposal {
    /// The header as written in the file.
    pub header: Vec<String>,
    pub mapping: ColumnMapping,
    /// Fields with several candidate columns: the user should confirm these.
    pub ambiguous: Vec<Field>,
    /// The key under which a confirmed mapping is remembered: the header set, normalised. Made once
    /// with the proposal, where the file is read, so the page needs none of Unicode's tables.
    pub key: String,
}

impl MappingProposal {
    /// The key under which a confirmed mapping is remembered.
    pub fn header_key(&self) -> String {
        self.key.clone()
    }
}

/// The header row of a CSV from its first bytes, as written (quotes resolved).
pub fn header_of(head: &[u8]) -> Option<Vec<String>> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(head);
    reader
        .headers()
        .ok()
        .map(|h| h.iter().map(|f| f.trim().to_owned()).collect())
}

/// Proposes a column for each field by name; a column serves one field at most.
pub fn propose(header: &[String]) -> MappingProposal {
    let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let mut mapping = ColumnMapping::default();
    let mut ambiguous = Vec::new();
    for field in Field::ALL {
        let candidates: Vec<usize> = field
            .names()
            .iter()
            .filter_map(|name| normalised.iter().position(|h| h == name))
            .filter(|c| mapping.columns.iter().all(|(_, used)| used != c))
            .collect();
        if let Some(&first) = candidates.first() {
            mapping.columns.push((field, first));
        }
        if candidates.len() > 1 {
            ambiguous.push(field);
        }
    }
    MappingProposal {
        header: header.to_vec(),
        mapping,
        ambiguous,
        key: normalised.join(","),
    }
}

/// `Latency.Total` → `latencytotal`; `API Usage - Total` → `apiusagetotal`.
pub fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const GENERIC_TIME: [&str; 5] = ["timestamp", "time", "datetime", "date", "day"];
const GENERIC_STATUS: [&str; 4] = ["status", "statuscode", "code", "responsecode"];

/// Reads a whole table of `kind` into `builder`.
pub fn read(bytes: &[u8], kind: &TableKind, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Line numbers are counted here from byte offsets: the csv crate's own are off by one in CRLF files.
    let (mut counted_to, mut newlines) = (0usize, 0usize);
    let mut line_at = |offset: u64| {
        // In CRLF files a record's offset can point at the end of the line before it.
        let mut offset = (offset as usize).min(bytes.len());
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > counted_to {
            newlines += bytes[counted_to..offset].iter().filter(|&&b| b == b'\n').count();
            counted_to = offset;
        }
        newlines + 1
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let original: Vec<String> = reader
        .headers()
        .map_err(|_| ReadError::NotText)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let header: Vec<String> = original.iter().map(|h| normalise(h)).collect();
    let column = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h == n));
    let mapping = match kind {
        TableKind::Generic(Some(mapping)) => mapping.clone(),
        _ => propose(&original).mapping,
    };
    if matches!(kind, TableKind::Generic(_))
        && let Some(field) = Field::ALL
            .into_iter()
            .find(|f| f.required() && mapping.column(*f).is_none())
    {
        return Err(ReadError::MissingColumn(field.label()));
    }
    let mut report = ReadReport::default();
    // Whole-number times count seconds or milliseconds: decided from the whole column.
    let mut epoch = EpochUnit::Seconds;
    if matches!(kind, TableKind::Generic(_))
        && let Some(column) = mapping.column(Field::Time)
    {
        let epochs: Vec<i64> = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes)
            .records()
            .filter_map(|r| r.ok()?.get(column)?.trim().parse::<i64>().ok())
            .collect();
        if let Some(unit) = EpochUnit::decide(&epochs) {
            epoch = unit;
            report.notes.push(unit.note(epochs.len()));
        }
    }
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                report.skip(line, format!("not CSV: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |names: &[&str]| {
            column(names)
                .and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "-")
        };
        let result = match kind {
            TableKind::Genesys => {
                let row: Map<String, Value> = header
                    .iter()
                    .zip(record.iter())
                    .filter_map(|(h, v)| {
                        GENESYS_KEYS
                            .iter()
                            .find(|(n, _)| n == h)
                            .map(|(_, key)| (key.to_string(), Value::String(v.trim().to_owned())))
                    })
                    .collect();
                let row = Value::Object(row);
                genesys_row(&row, &row, &super::JsonContext::default(), builder).map(|()| 1)
            }
            TableKind::Tyk => tyk_row(&field, builder),
            TableKind::Alma => alma_row(&header, &original, &record, &field, builder),
            TableKind::Generic(_) => {
                let mapped = |f: Field| {
                    mapping
                        .column(f)
                        .and_then(|c| record.get(c))
                        .map(str::trim)
                        .filter(|v| !v.is_empty() && *v != "-")
                };
                generic_row(&mapped, epoch, builder)
            }
            TableKind::ThreeScale => threescale_row(&field, builder),
        };
        match result {
            Ok(n) => report.rows += usize::from(n > 0),
            Err(reason) => report.skip(line, reason),
        }
    }
    Ok(report)
}

/// Genesys CSV headers (normalised) and the `ApiUsageRow` keys they stand for.
const GENESYS_KEYS: [(&str, &str); 13] = [
    ("clientid", "clientId"),
    ("clientname", "clientName"),
    ("organizationid", "organizationId"),
    ("userid", "userId"),
    ("templateuri", "templateUri"),
    ("httpmethod", "httpMethod"),
    ("status200", "status200"),
    ("status300", "status300"),
    ("status400", "status400"),
    ("status500", "status500"),
    ("status429", "status429"),
    ("requests", "requests"),
    ("date", "date"),
];

/// Go's `Time.String()`: `2026-11-21 14:03:12.5 +0000 UTC`.
fn parse_go_time(text: &str) -> Option<i64> {
    let mut parts = text.split(' ');
    let (date, time, offset) = (parts.next()?, parts.next()?, parts.next()?);
    parse_iso8601(format!("{date}T{time}{offset}").as_bytes())
}

/// `11/22/2026` (US order, as Windows tools save Alma reports) or ISO `2026-11-22`.
fn parse_day(text: &str) -> Option<i64> {
    if let Some(ts) = parse_iso8601(format!("{text}T00:00:00Z").as_bytes()) {
        return Some(ts);
    }
    let mut parts = text.split('/');
    let (m, d, y) = (
        parts.next()?.parse::<u32>().ok()?,
        parts.next()?.parse::<u32>().ok()?,
        parts.next()?.parse::<i64>().ok()?,
    );
    parse_iso8601(format!("{y:04}-{m:02}-{d:02}T00:00:00Z").as_bytes())
        .map(|_| days_from_civil(y, m, d) * SECONDS_PER_DAY)
}

fn tyk_row<'a>(field: &impl Fn(&[&str]) -> Option<&'a str>, builder: &mut StoreBuilder) -> Result<u64, String> {
    let time = field(&["timestamp"]).ok_or("no TimeStamp")?;
    let timestamp = parse_go_time(time)
        .ok_or_else(|| format!("TimeStamp “{time}” is not Go's 2006-01-02 15:04:05 -0700 MST form"))?;
    let method = field(&["method"]).ok_or("no Method")?.to_ascii_uppercase();
    let path = field(&["path"]).ok_or("no Path")?;
    // With TrackPath the Path is the tracked template already.
    let template = if field(&["trackpath"]) == Some("true") {
        template::normalise(path)
    } else {
        template::fold(path)
    };
    let status: u16 = field(&["responsecode"])
        .and_then(|s| s.parse().ok())
        .filter(|&s| s < 1000)
        .ok_or("ResponseCode is not a status code")?;
    let client = client(
        builder,
        field(&["alias"])
            .or_else(|| field(&["apikey"]))
            .or_else(|| field(&["oauthid"])),
        field(&["alias"]),
    );
    let endpoint = builder.endpoint(&method, &template);
    let ip = builder.ip(field(&["ipaddress"]).unwrap_or(""));
    let module = builder.module(field(&["apiname"]).unwrap_or(""));
    let latency_us = field(&["latencytotal"])
        .and_then(|l| l.parse::<u64>().ok())
        .map(|ms| ms * 1000);
    builder.push_row(Row {
        timestamp,
        bucket: BucketWidth::Request,
        client,
        endpoint,
        status,
        requests: 1,
        ip,
        module,
        latency_us,
        ..Row::default()
    })?;
    Ok(1)
}

fn alma_row<'a>(
    header: &[String],
    original: &[String],
    record: &'a csv::StringRecord,
    field: &impl Fn(&[&str]) -> Option<&'a str>,
    builder: &mut StoreBuilder,
) -> Result<u64, String> {
    let date = field(&["executiondate"]).ok_or("no Execution Date")?;
    let timestamp = parse_day(date).ok_or_else(|| format!("Execution Date “{date}” is not MM/DD/YYYY"))?;
    let client = client(builder, field(&["applicationname"]), field(&["applicationname"]));
    let method = field(&["apimethod"]).unwrap_or("").to_ascii_uppercase();
    let endpoint = builder.endpoint(
        &method,
        &field(&["apiurl"])
            .map(template::fold)
            .unwrap_or_else(|| "(all URLs)".into()),
    );
    let area = field(&["apiarea"]);
    // The total when the report has it, else one record per API area measure.
    let measures: Vec<(String, u64)> = match header.iter().position(|h| h == "apiusagetotal") {
        Some(c) => vec![(area.unwrap_or("").to_owned(), parse_count(record.get(c))?)],
        // "API Usage - Physical Items" → module "Physical Items".
        None => header
            .iter()
            .zip(original)
            .zip(record.iter())
            .filter(|((h, _), _)| h.starts_with("apiusage"))
            .map(|((_, name), v)| {
                Ok((
                    name.rsplit(" - ").next().unwrap_or(name).trim().to_owned(),
                    parse_count(Some(v))?,
                ))
            })
            .collect::<Result<_, String>>()?,
    };
    let rows: Vec<Row> = measures
        .into_iter()
        .filter(|(_, n)| *n > 0)
        // Alma reports no status codes: the requests count as "other".
        .map(|(module, requests)| Row {
            timestamp,
            bucket: BucketWidth::Day,
            client,
            endpoint,
            status: 0,
            requests,
            module: builder.module(&module),
            ..Row::default()
        })
        .collect();
    builder.push_rows(&rows)?;
    Ok(1)
}

/// A row of 3scale's usage CSV (`Metric System Name,Metric Name,Date,Value`). Only the
/// `hits` metric counts requests. Every other metric (a method, a part of hits, or another
/// quantity such as data transfer) is a measure of its own, which the time chart can show: as
/// requests it would count requests twice, or count megabytes as calls. The CSV names no unit.
fn threescale_row<'a>(field: &impl Fn(&[&str]) -> Option<&'a str>, builder: &mut StoreBuilder) -> Result<u64, String> {
    let date = field(&["date"]).ok_or("no Date")?;
    let timestamp = parse_iso8601(date.as_bytes())
        .or_else(|| parse_day(date))
        .or_else(|| parse_go_time(date))
        .ok_or_else(|| format!("Date “{date}” is not a date"))?;
    let requests = parse_count(field(&["value"]))?;
    let system_name = field(&["metricsystemname"]).unwrap_or("hits");
    if system_name != "hits" {
        let client = client(builder, None, None);
        let point = crate::store::MeasurePoint {
            timestamp,
            bucket: BucketWidth::Day,
            client,
            amount: requests,
        };
        builder.push_measure(system_name, field(&["metricname"]).unwrap_or(system_name), "", &[point])?;
        return Ok(1);
    }
    if requests == 0 {
        return Ok(1);
    }
    let client = client(builder, None, None);
    let endpoint = builder.endpoint("", "(all URLs)");
    builder.push_row(Row {
        timestamp,
        bucket: BucketWidth::Day,
        client,
        endpoint,
        status: 0,
        requests,
        ..Row::default()
    })?;
    Ok(1)
}

fn parse_count(text: Option<&str>) -> Result<u64, String> {
    let text = text.unwrap_or("").trim().replace(',', "");
    if text.is_empty() {
        return Ok(0);
    }
    text.parse()
        .map_err(|_| format!("“{text}” is not a whole number of requests"))
}

pub(crate) fn generic_row<'a>(
    field: &impl Fn(Field) -> Option<&'a str>,
    epoch: EpochUnit,
    builder: &mut StoreBuilder,
) -> Result<u64, String> {
    let time = field(Field::Time).ok_or("no time")?;
    let timestamp = parse_iso8601(time.as_bytes())
        .or_else(|| parse_day(time))
        .or_else(|| time.parse::<i64>().ok().map(|n| epoch.to_seconds(n)))
        .ok_or_else(|| format!("the time “{time}” is not ISO 8601, a date or an epoch"))?;
    let status_text = field(Field::Status).ok_or("no status")?;
    let status = match status_text.to_ascii_lowercase().as_str() {
        "2xx" => 200,
        "3xx" => 300,
        "4xx" => 400,
        "5xx" => 500,
        code => code
            .parse::<u16>()
            .ok()
            .filter(|&s| s < 1000)
            .ok_or_else(|| format!("“{status_text}” is not a status code"))?,
    };
    let requests = parse_count(field(Field::Requests).or(Some("1")))?;
    let (id, name) = (field(Field::Client), field(Field::ClientName));
    let client = client(builder, id.or(name), name.or(id));
    let method = field(Field::Method).unwrap_or("").to_ascii_uppercase();
    let template = match field(Field::Template) {
        Some(t) => template::normalise(t),
        None => field(Field::Url)
            .map(template::fold)
            .unwrap_or_else(|| "(all URLs)".into()),
    };
    let endpoint = builder.endpoint(&method, &template);
    let ip = builder.ip(field(Field::Ip).unwrap_or(""));
    let user = builder.user(field(Field::User).unwrap_or(""));
    let module = builder.module(field(Field::Module).unwrap_or(""));
    let bytes = field(Field::Bytes).and_then(|b| b.parse().ok());
    let bucket = if time.len() == 10 {
        BucketWidth::Day
    } else {
        BucketWidth::Request
    };
    builder.push_row(Row {
        timestamp,
        bucket,
        client,
        endpoint,
        status,
        requests,
        ip,
        user,
        module,
        bytes,
        ..Row::default()
    })?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the saved names of fields against serde's, which earlier versions stored: a mapping
    // saved before must still read back.
    #[test]
    fn field_keys_are_serde_names() {
        for field in Field::ALL {
            assert_eq!(serde_json::to_string(&field).unwrap(), format!("\"{}\"", field.key()));
            assert_eq!(Field::from_key(field.key()), Some(field));
        }
        assert_eq!(Field::from_key("Nope"), None);
    }
}
