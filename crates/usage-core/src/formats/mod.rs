//! Readers of usage exports. Each turns bytes into records in a [`StoreBuilder`]
//! and reports the rows it had to skip, with their line numbers.
//!
//! [`StoreBuilder`]: crate::StoreBuilder

pub mod access_log;
pub mod callboard_csv;
pub mod json_records;
pub mod tabular;
pub mod time;

use serde_json::Value;
use thiserror::Error;

use crate::store::StoreBuilder;

/// The client of records that name none (no consumer, key or client id).
pub const UNKNOWN_CLIENT_ID: &str = "";
/// How such records are shown: never as an error code.
pub const UNKNOWN_CLIENT_NAME: &str = "Unknown client";
/// The client a record names by id and/or name, or "Unknown client" when it names none.
pub(crate) fn client_or_unknown(builder: &mut StoreBuilder, id: Option<&str>, name: Option<&str>) -> crate::store::ClientId {
    match (id, name) {
        (Some(id), name) => builder.client(id, name.unwrap_or(id)),
        (None, Some(name)) => builder.client(name, name),
        (None, None) => builder.client(UNKNOWN_CLIENT_ID, UNKNOWN_CLIENT_NAME),
    }
}

/// The largest JSON document read whole (JSON arrays cannot be read piece by piece).
pub const MAX_JSON_BYTES: usize = 256 << 20;

/// How many skipped rows are kept with their line number and reason.
pub const KEPT_PROBLEMS: usize = 10;

/// One row that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line number in the file.
    pub line: usize,
    pub reason: String,
}

/// What a reader did with a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Rows read into the store.
    pub rows: usize,
    /// Rows skipped because they were malformed.
    pub skipped: usize,
    /// The first [`KEPT_PROBLEMS`] skipped rows.
    pub problems: Vec<RowProblem>,
}

impl ReadReport {
    /// The reports of several files as one: rows and skipped rows added up, problems kept in order.
    pub fn combined<'a>(reports: impl IntoIterator<Item = &'a ReadReport>) -> ReadReport {
        let mut all = ReadReport::default();
        for report in reports {
            all.rows += report.rows;
            all.skipped += report.skipped;
            all.problems.extend(report.problems.iter().cloned());
        }
        all
    }

    pub(crate) fn skip(&mut self, line: usize, reason: impl Into<String>) {
        self.skipped += 1;
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(RowProblem { line, reason: reason.into() });
        }
    }
}

/// Why a whole file could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the header has no “{0}” column")]
    MissingColumn(&'static str),
    #[error("the file is not UTF-8 text")]
    NotText,
    #[error("this is {0}, not a usage export")]
    Binary(&'static str),
    #[error("the format is not one Callboard reads. It reads Callboard CSV and JSON, nginx/Apache access logs, Genesys Cloud (JSON or CSV), 3scale analytics (JSON or CSV), Kong, Moesif and AWS API Gateway logs, Tyk pump CSV, Alma API usage reports, and CSV or JSON with a time and a status field")]
    Unrecognised,
    #[error("the JSON is cut off or broken at line {line}: {reason}")]
    BadJson { line: usize, reason: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("JSON and vendor CSV files are read whole, and this one is over 256 MiB; split it into smaller files")]
    JsonTooLarge,
}

/// A usage export format Callboard reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    CallboardCsv,
    CallboardJson,
    AccessLog,
    Genesys,
    Kong,
    Moesif,
    AwsApiGateway,
    GenesysCsv,
    TykCsv,
    AlmaCsv,
    GenericCsv,
    ThreeScaleUsage,
    ThreeScaleTopApplications,
    ThreeScaleCsv,
    GenericJson,
    CallboardApi,
}

impl Format {
    /// What the UI calls the format.
    pub fn name(self) -> &'static str {
        match self {
            Format::CallboardCsv => "Callboard CSV",
            Format::CallboardJson => "Callboard JSON",
            Format::AccessLog => "nginx/Apache access log",
            Format::Genesys => "Genesys Cloud API usage (JSON)",
            Format::Kong => "Kong http-log / file-log",
            Format::Moesif => "Moesif events",
            Format::AwsApiGateway => "AWS API Gateway access log (JSON)",
            Format::GenesysCsv => "Genesys Cloud API usage (CSV)",
            Format::TykCsv => "Tyk pump CSV",
            Format::AlmaCsv => "Ex Libris Alma API usage report",
            Format::GenericCsv => "CSV (columns matched by name)",
            Format::ThreeScaleUsage => "3scale analytics usage (JSON)",
            Format::ThreeScaleTopApplications => "3scale top applications (JSON)",
            Format::ThreeScaleCsv => "3scale usage (CSV)",
            Format::GenericJson => "JSON records (fields matched by name)",
            Format::CallboardApi => "Callboard usage API (JSON)",
        }
    }
}

/// Recognises a file's format from its first bytes (64 KiB is plenty), not its name.
pub fn detect(head: &[u8]) -> Result<Format, ReadError> {
    const MAGIC: [(&[u8], &str); 7] = [
        (b"PK\x03\x04", "a ZIP archive (unzip it first)"),
        (b"\x1f\x8b", "a gzip file (decompress it first)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x7fELF", "a program"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Err(ReadError::Binary(kind));
    }
    if head.contains(&0) {
        return Err(ReadError::Binary("binary data"));
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end inside a multi-byte character: judge only the valid prefix.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return Err(ReadError::NotText),
    };
    let text = text.trim_start();
    if text.is_empty() {
        return Err(ReadError::Empty);
    }
    if text.starts_with('{') || text.starts_with('[') {
        let has = |key: &str| text.contains(&format!("\"{key}\""));
        return if text.contains("\"callboard-usage\"") {
            Ok(Format::CallboardJson)
        } else if has("buckets") && has("granularity") {
            Ok(Format::CallboardApi)
        } else if has("values") && has("period") && (has("metric") || has("response_code")) {
            Ok(Format::ThreeScaleUsage)
        } else if has("applications") && has("period") {
            Ok(Format::ThreeScaleTopApplications)
        } else if has("status200") || has("templateUri") || (has("results") && has("clientId")) {
            Ok(Format::Genesys)
        } else if has("started_at") && has("request") && has("response") {
            Ok(Format::Kong)
        } else if has("verb") && has("request") && has("response") {
            Ok(Format::Moesif)
        } else if has("httpMethod") && (has("requestTime") || has("requestTimeEpoch") || has("requestId")) {
            Ok(Format::AwsApiGateway)
        } else if ["timestamp", "time", "date"].iter().any(|k| has(k)) && ["status", "status_code", "code"].iter().any(|k| has(k)) {
            Ok(Format::GenericJson)
        } else {
            Err(ReadError::Unrecognised)
        };
    }
    let first_line = text.lines().next().unwrap_or("");
    if looks_like_access_log(first_line) {
        return Ok(Format::AccessLog);
    }
    let header: Vec<String> = first_line.split(',').map(|h| h.trim().trim_matches('"').to_ascii_lowercase()).collect();
    if ["timestamp", "client_id", "status"].iter().all(|c| header.iter().any(|h| h == c)) {
        return Ok(Format::CallboardCsv);
    }
    let normalised: Vec<String> = first_line.split(',').map(|h| tabular::normalise(h.trim().trim_matches('"'))).collect();
    match tabular::kind(&normalised) {
        Some(tabular::TableKind::Genesys) => Ok(Format::GenesysCsv),
        Some(tabular::TableKind::Tyk) => Ok(Format::TykCsv),
        Some(tabular::TableKind::Alma) => Ok(Format::AlmaCsv),
        Some(tabular::TableKind::Generic(_)) => Ok(Format::GenericCsv),
        Some(tabular::TableKind::ThreeScale) => Ok(Format::ThreeScaleCsv),
        None => Err(ReadError::Unrecognised),
    }
}

/// `… [07/Dec/2016:11:05:07 +0100] "…`
fn looks_like_access_log(line: &str) -> bool {
    line.find(" [").is_some_and(|i| {
        let time = line.get(i + 2..i + 28).unwrap_or("");
        time.len() == 26 && time.as_bytes()[2] == b'/' && time.as_bytes()[6] == b'/' && time.as_bytes()[11] == b':' && line[i..].contains("] \"")
    })
}

/// Reads one line of a line-based format into the builder; the error is why it was skipped.
pub trait LineParser {
    fn parse_line(&mut self, line: &str, builder: &mut StoreBuilder) -> Result<(), String>;
}

/// Reads any [`Format`] fed in chunks: line formats are parsed as lines arrive,
/// JSON documents are gathered and parsed at the end.
pub struct FileReader {
    format: Format,
    state: ReaderState,
    /// For generic CSV: the columns the user confirmed (else the proposed ones).
    mapping: Option<tabular::ColumnMapping>,
}

enum ReaderState {
    Csv(callboard_csv::CsvReader),
    Lines { parser: access_log::AccessLog, carry: Vec<u8>, line: usize, report: ReadReport },
    Json(Vec<u8>),
}

impl FileReader {
    pub fn new(format: Format) -> FileReader {
        let state = match format {
            Format::CallboardCsv => ReaderState::Csv(callboard_csv::CsvReader::new()),
            Format::AccessLog => ReaderState::Lines { parser: access_log::AccessLog, carry: Vec::new(), line: 0, report: ReadReport::default() },
            _ => ReaderState::Json(Vec::new()),
        };
        FileReader { format, state, mapping: None }
    }

    /// A generic-CSV reader using the given columns.
    pub fn with_mapping(mapping: tabular::ColumnMapping) -> FileReader {
        FileReader { mapping: Some(mapping), ..FileReader::new(Format::GenericCsv) }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn feed(&mut self, chunk: &[u8], builder: &mut StoreBuilder) -> Result<(), ReadError> {
        match &mut self.state {
            ReaderState::Csv(reader) => reader.feed(chunk, builder),
            ReaderState::Lines { parser, carry, line, report } => {
                carry.extend_from_slice(chunk);
                let end = carry.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                read_lines(parser, &carry[..end], line, report, builder);
                carry.drain(..end);
                Ok(())
            }
            ReaderState::Json(buffer) => {
                if buffer.len() + chunk.len() > MAX_JSON_BYTES {
                    return Err(ReadError::JsonTooLarge);
                }
                buffer.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    pub fn finish(self, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
        let mapping = self.mapping;
        match self.state {
            ReaderState::Csv(reader) => reader.finish(builder),
            ReaderState::Lines { mut parser, carry, mut line, mut report } => {
                read_lines(&mut parser, &carry, &mut line, &mut report, builder);
                Ok(report)
            }
            ReaderState::Json(buffer) => {
                let table = match self.format {
                    Format::GenesysCsv => Some(tabular::TableKind::Genesys),
                    Format::TykCsv => Some(tabular::TableKind::Tyk),
                    Format::AlmaCsv => Some(tabular::TableKind::Alma),
                    Format::GenericCsv => Some(tabular::TableKind::Generic(mapping)),
                    Format::ThreeScaleCsv => Some(tabular::TableKind::ThreeScale),
                    _ => None,
                };
                if let Some(kind) = table {
                    return tabular::read(&buffer, &kind, builder);
                }
                let map = match self.format {
                    Format::CallboardJson => json_records::callboard_record,
                    Format::ThreeScaleUsage => json_records::threescale_usage,
                    Format::GenericJson => json_records::generic_record,
                    Format::CallboardApi => json_records::callboard_api_bucket,
                    Format::ThreeScaleTopApplications => json_records::threescale_application,
                    Format::Genesys => json_records::genesys_row,
                    Format::Kong => json_records::kong_entry,
                    Format::Moesif => json_records::moesif_event,
                    _ => json_records::aws_access_log,
                };
                read_json(&buffer, map, builder)
            }
        }
    }
}

/// Reads a whole file's bytes with the reader for `format`, fed `chunk` bytes at a time
/// as the browser feeds it, and builds the store.
pub fn read_in_chunks(format: Format, bytes: &[u8], chunk: usize) -> Result<(crate::UsageStore, ReadReport), ReadError> {
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::new(format);
    for piece in bytes.chunks(chunk.max(1)) {
        reader.feed(piece, &mut builder)?;
    }
    let report = reader.finish(&mut builder)?;
    let store = builder.finish()?;
    Ok((store, report))
}

/// The fuzz targets' body: any bytes, in chunks sized by the first byte, must give
/// records or an error, never a panic.
pub fn fuzz_read(format: Format, data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1));
    let _ = read_in_chunks(format, data, chunk);
}

fn read_lines(parser: &mut impl LineParser, bytes: &[u8], line: &mut usize, report: &mut ReadReport, builder: &mut StoreBuilder) {
    let bytes = if *line == 0 { bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes) } else { bytes };
    // `bytes` holds whole lines; a final newline ends the last one rather than starting another.
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return;
    }
    for raw in bytes.split(|&b| b == b'\n') {
        *line += 1;
        let text = String::from_utf8_lossy(raw.strip_suffix(b"\r").unwrap_or(raw));
        if text.trim().is_empty() {
            continue;
        }
        match parser.parse_line(&text, builder) {
            Ok(()) => report.rows += 1,
            Err(reason) => report.skip(*line, reason),
        }
    }
}

/// Maps one record, given the document it came from (for shared fields such as a period).
type MapRecord = fn(&Value, &Value, &mut StoreBuilder) -> Result<(), String>;

/// Reads JSON: one document, an array of records, a document whose `results`, `records` or
/// `applications` hold the records, or one document per line.
fn read_json(buffer: &[u8], map: MapRecord, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
    let buffer = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
    let line_at = |offset: usize| 1 + buffer[..offset.min(buffer.len())].iter().filter(|&&b| b == b'\n').count();
    let mut report = ReadReport::default();
    let mut documents = serde_json::Deserializer::from_slice(buffer).into_iter::<Value>();
    let mut seen = 0;
    loop {
        let start = documents.byte_offset();
        let document = match documents.next() {
            None => break,
            Some(Ok(document)) => document,
            Some(Err(e)) if seen == 0 => return Err(ReadError::BadJson { line: e.line(), reason: e.to_string() }),
            Some(Err(e)) => {
                // A broken document after good ones (a cut-off last line): keep what was read.
                report.skip(line_at(start) + usize::from(buffer.get(start) == Some(&b'\n')), format!("broken JSON: {e}"));
                break;
            }
        };
        seen += 1;
        let line = line_at(start) + usize::from(buffer.get(start) == Some(&b'\n'));
        let records: Vec<&Value> = match &document {
            Value::Array(items) => items.iter().collect(),
            Value::Object(object) => match ["results", "records", "applications", "buckets"].iter().find_map(|k| object.get(*k)).and_then(Value::as_array) {
                Some(results) => results.iter().collect(),
                None => vec![&document],
            },
            _ => vec![&document],
        };
        let several = matches!(document, Value::Array(_)) || ["results", "records", "applications", "buckets"].iter().any(|k| document.get(*k).is_some());
        for (n, record) in records.into_iter().enumerate() {
            match map(record, &document, builder) {
                Ok(()) => report.rows += 1,
                Err(reason) if several => report.skip(line, format!("record {}: {reason}", n + 1)),
                Err(reason) => report.skip(line, reason),
            }
        }
    }
    if seen == 0 {
        return Err(ReadError::Empty);
    }
    Ok(report)
}
