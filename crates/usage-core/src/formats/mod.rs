//! Readers of usage exports. Each turns bytes into records in a [`StoreBuilder`]
//! and reports the rows it had to skip, with their line numbers.
//!
//! [`StoreBuilder`]: crate::StoreBuilder

pub mod access_log;
pub mod alma;
pub mod aws;
pub mod callboard;
pub mod callboard_csv;
pub mod encoding;
pub mod generic;
pub mod genesys;
pub mod json_records;
pub mod kong;
pub mod log_format;
pub mod moesif;
pub mod tabular;
pub mod threescale;
pub mod time;
pub mod tyk;

use serde_json::Value;
use thiserror::Error;

use crate::dimension::StatusDetail;
use crate::store::StoreBuilder;

pub use crate::model::UNKNOWN_CLIENT_ID;
/// How such records are shown: never as an error code.
pub const UNKNOWN_CLIENT_NAME: &str = "Unknown client";
/// The client a record names by id and/or name, or "Unknown client" when it names none.
pub(crate) fn client_or_unknown(
    builder: &mut StoreBuilder,
    id: Option<&str>,
    name: Option<&str>,
) -> crate::store::ClientId {
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
    /// What the reader decided for the whole file and the user should know (how it read
    /// epoch times, say).
    pub notes: Vec<String>,
    /// Rows that were read but with something to say (bytes that are not UTF-8, say): how many,
    /// and the first [`KEPT_PROBLEMS`] with their line numbers.
    pub warned: usize,
    pub warnings: Vec<RowProblem>,
}

impl ReadReport {
    /// The reports of several files as one: rows and skipped rows added up, problems kept in order.
    pub fn combined<'a>(reports: impl IntoIterator<Item = &'a ReadReport>) -> ReadReport {
        let mut all = ReadReport::default();
        for report in reports {
            all.rows += report.rows;
            all.skipped += report.skipped;
            all.problems.extend(report.problems.iter().cloned());
            all.notes.extend(report.notes.iter().cloned());
            all.warned += report.warned;
            all.warnings.extend(report.warnings.iter().cloned());
        }
        all
    }

    pub(crate) fn warn(&mut self, line: usize, reason: impl Into<String>) {
        self.warned += 1;
        if self.warnings.len() < KEPT_PROBLEMS {
            self.warnings.push(RowProblem {
                line,
                reason: reason.into(),
            });
        }
    }

    pub(crate) fn skip(&mut self, line: usize, reason: impl Into<String>) {
        self.skipped += 1;
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(RowProblem {
                line,
                reason: reason.into(),
            });
        }
    }
}

/// Why a whole file could not be read.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the header has no “{0}” column")]
    MissingColumn(&'static str),
    #[error("the file is not UTF-8 text")]
    NotText,
    #[error("this is {0}, not a usage export")]
    Binary(&'static str),
    #[error(
        "the format is not one Callboard reads. It reads Callboard CSV and JSON, nginx/Apache access logs, Genesys Cloud (JSON or CSV), 3scale analytics (JSON or CSV), Kong, Moesif and AWS API Gateway logs, Tyk pump CSV, Alma API usage reports, and CSV or JSON with a time and a status field"
    )]
    Unrecognised,
    #[error("the JSON is cut off or broken at line {line}: {reason}")]
    BadJson { line: usize, reason: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("JSON and vendor CSV files are read whole, and this one is over 256 MiB; split it into smaller files")]
    JsonTooLarge,
    #[error(
        "this looks like UTF-16 text without a byte-order mark, which cannot be read reliably: save it as UTF-8 (or as “Unicode text”, which adds the mark) and open it again"
    )]
    Utf16WithoutBom,
}

/// One export format: what the page calls it, how exact its status codes are, how a file of it
/// is recognised and read, and a small example. Each format's description is in a file of its
/// own (its vendor's), and is listed once, in [`formats!`] below.
pub struct Description {
    /// What the UI calls the format; the worker hands formats over by it.
    pub name: &'static str,
    /// How much the format says about status codes.
    pub status_detail: StatusDetail,
    pub recognise: Recognise,
    pub(crate) reading: Reading,
    /// A small file of the format, which detection must take for it (tested).
    pub example: &'static str,
}

/// How a format is recognised from a file's first bytes. Formats are asked in the list's
/// order, and the first that says yes is the file's.
pub enum Recognise {
    /// A JSON document or JSON lines, from the keys its head names.
    Json(fn(&JsonHead<'_>) -> bool),
    /// A line format, from its first line. Asked before any table.
    Line(fn(&str) -> bool),
    /// A table, from its header row.
    Header(fn(&Header<'_>) -> bool),
}

/// The head of a JSON file, as [`Recognise::Json`] sees it.
pub struct JsonHead<'a> {
    pub text: &'a str,
}

impl JsonHead<'_> {
    /// Whether the head names `key` as a key.
    pub fn has(&self, key: &str) -> bool {
        self.text.contains(&format!("\"{key}\""))
    }
}

/// A file's header row, as [`Recognise::Header`] sees it.
pub struct Header<'a> {
    /// Each cell trimmed, unquoted and lowercased.
    pub plain: &'a [String],
    /// Each cell as [`tabular::normalise`] makes it (`Status 200` → `status200`).
    pub normalised: &'a [String],
}

impl Header<'_> {
    /// Whether a normalised cell is `name`.
    pub fn has(&self, name: &str) -> bool {
        self.normalised.iter().any(|h| h == name)
    }
}

/// How a format's file is read.
pub(crate) enum Reading {
    /// Callboard's CSV, streamed.
    CallboardCsv,
    /// Access log lines, streamed.
    AccessLog,
    /// A table read whole.
    Table(tabular::TableKind),
    /// JSON documents or lines read whole, each record mapped by `record`.
    Json { record: MapRecord, epoch: Option<EpochOf> },
}

/// The list of formats, once: each a name for code to use and its description. The order is
/// the order detection asks them in.
macro_rules! formats {
    ($($variant:ident => $description:path,)*) => {
        /// A usage export format Callboard reads.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Format {
            $($variant,)*
        }

        impl Format {
            /// Every format, in the order detection asks them.
            pub const ALL: [Format; [$(stringify!($variant)),*].len()] = [$(Format::$variant),*];

            pub fn description(self) -> &'static Description {
                match self {
                    $(Format::$variant => &$description,)*
                }
            }

            /// What the UI calls the format. Read from each description at compile time, so
            /// that the page, which names formats, links none of the readers.
            pub fn name(self) -> &'static str {
                match self {
                    $(Format::$variant => $description.name,)*
                }
            }

            /// How much the format says about status codes (at compile time, as `name`).
            pub fn status_detail(self) -> StatusDetail {
                match self {
                    $(Format::$variant => $description.status_detail,)*
                }
            }
        }
    };
}

formats! {
    CallboardJson => callboard::JSON,
    CallboardApi => callboard::API,
    ThreeScaleUsage => threescale::USAGE,
    ThreeScaleTopApplications => threescale::TOP_APPLICATIONS,
    Genesys => genesys::JSON,
    Kong => kong::FORMAT,
    Moesif => moesif::FORMAT,
    AwsApiGateway => aws::FORMAT,
    GenericJson => generic::JSON,
    AccessLog => access_log::FORMAT,
    CallboardCsv => callboard::CSV,
    GenesysCsv => genesys::CSV,
    TykCsv => tyk::FORMAT,
    ThreeScaleCsv => threescale::CSV,
    AlmaCsv => alma::FORMAT,
    GenericCsv => generic::CSV,
}

impl Format {
    /// The format whose [`Format::name`] is `name` (the worker hands formats over by name).
    pub fn named(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What a file's first bytes say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: encoding::TextEncoding,
    pub format: Format,
    /// The first bytes as UTF-8 text, for a CSV's header.
    pub text_head: Vec<u8>,
}

/// Recognises a file's text encoding and then its format from its first bytes (64 KiB is
/// plenty), not its name. Read the file with [`FileReader::new`]`(format).decoding(encoding)`.
pub fn sniff(head: &[u8]) -> Result<Sniffed, ReadError> {
    if let Some(kind) = binary_kind(head) {
        return Err(ReadError::Binary(kind));
    }
    let encoding = encoding::TextEncoding::sniff(head)?;
    let text_head = encoding::decode_all(encoding, head);
    let format = detect(&text_head)?;
    Ok(Sniffed {
        encoding,
        format,
        text_head,
    })
}

/// What kind of binary file `head` starts, if it is one of the usual suspects.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 7] = [
        (b"PK\x03\x04", "a ZIP archive (unzip it first)"),
        (b"\x1f\x8b", "a gzip file (decompress it first)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x7fELF", "a program"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// Recognises the format of UTF-8 text from its first bytes (64 KiB is plenty), not its name.
pub fn detect(head: &[u8]) -> Result<Format, ReadError> {
    if let Some(kind) = binary_kind(head) {
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
    let asked = |yes: &dyn Fn(&Recognise) -> bool| Format::ALL.into_iter().find(|f| yes(&f.description().recognise));
    if text.starts_with('{') || text.starts_with('[') {
        let head = JsonHead { text };
        return asked(&|r| matches!(r, Recognise::Json(says) if says(&head))).ok_or(ReadError::Unrecognised);
    }
    let first_line = text.lines().next().unwrap_or("");
    if let Some(format) = asked(&|r| matches!(r, Recognise::Line(says) if says(first_line))) {
        return Ok(format);
    }
    let cells = || first_line.split(',').map(|h| h.trim().trim_matches('"'));
    let plain: Vec<String> = cells().map(str::to_ascii_lowercase).collect();
    let normalised: Vec<String> = cells().map(tabular::normalise).collect();
    let header = Header {
        plain: &plain,
        normalised: &normalised,
    };
    asked(&|r| matches!(r, Recognise::Header(says) if says(&header))).ok_or(ReadError::Unrecognised)
}

/// Reads one line of a line-based format into the builder. The error is why it was skipped;
/// `Ok(Some(warning))` keeps the line with something the report should say about it.
pub(crate) trait LineParser {
    fn parse_line(&mut self, line: &[u8], builder: &mut StoreBuilder) -> Result<Option<String>, String>;

    /// What to say about the whole file once every line is read.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Reads any [`Format`] fed in chunks: line formats are parsed as lines arrive,
/// JSON documents are gathered and parsed at the end.
pub struct FileReader {
    format: Format,
    decoder: encoding::TextDecoder,
    state: ReaderState,
    /// For generic CSV: the columns the user confirmed (else the proposed ones).
    mapping: Option<tabular::ColumnMapping>,
}

// One per file being read: the size of its largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum ReaderState {
    Csv(callboard_csv::CsvReader),
    Lines {
        parser: access_log::AccessLog,
        carry: Vec<u8>,
        line: usize,
        report: ReadReport,
    },
    /// A table, gathered whole and read at the end.
    Table(Vec<u8>, &'static tabular::TableKind),
    /// JSON documents or lines, gathered whole and mapped record by record at the end.
    Json {
        buffer: Vec<u8>,
        record: MapRecord,
        epoch: Option<EpochOf>,
    },
}

impl FileReader {
    pub fn new(format: Format) -> FileReader {
        let state = match &format.description().reading {
            Reading::CallboardCsv => ReaderState::Csv(callboard_csv::CsvReader::new()),
            Reading::AccessLog => ReaderState::Lines {
                parser: access_log::AccessLog::default(),
                carry: Vec::new(),
                line: 0,
                report: ReadReport::default(),
            },
            Reading::Table(kind) => ReaderState::Table(Vec::new(), kind),
            Reading::Json { record, epoch } => ReaderState::Json {
                buffer: Vec::new(),
                record: *record,
                epoch: *epoch,
            },
        };
        FileReader {
            format,
            decoder: encoding::TextDecoder::new(encoding::TextEncoding::Utf8),
            state,
            mapping: None,
        }
    }

    /// The same reader for a file in `encoding` (from [`sniff`]): its bytes are turned into
    /// UTF-8 with `\n` line ends before they are read.
    pub fn decoding(mut self, encoding: encoding::TextEncoding) -> FileReader {
        self.decoder = encoding::TextDecoder::new(encoding);
        self
    }

    /// An access-log reader that reads every line with the team's own `format`.
    pub fn with_log_format(format: log_format::LogFormat) -> FileReader {
        let mut reader = FileReader::new(Format::AccessLog);
        reader.state = ReaderState::Lines {
            parser: access_log::AccessLog::with_format(format),
            carry: Vec::new(),
            line: 0,
            report: ReadReport::default(),
        };
        reader
    }

    /// A generic-CSV reader using the given columns.
    pub fn with_mapping(mapping: tabular::ColumnMapping) -> FileReader {
        FileReader {
            mapping: Some(mapping),
            ..FileReader::new(Format::GenericCsv)
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn feed(&mut self, chunk: &[u8], builder: &mut StoreBuilder) -> Result<(), ReadError> {
        let chunk = self.decoder.decode(chunk, false);
        self.feed_text(&chunk, builder)
    }

    fn feed_text(&mut self, chunk: &[u8], builder: &mut StoreBuilder) -> Result<(), ReadError> {
        match &mut self.state {
            ReaderState::Csv(reader) => reader.feed(chunk, builder),
            ReaderState::Lines {
                parser,
                carry,
                line,
                report,
            } => {
                carry.extend_from_slice(chunk);
                let end = carry.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                read_lines(parser, &carry[..end], line, report, builder);
                carry.drain(..end);
                Ok(())
            }
            ReaderState::Table(buffer, _) | ReaderState::Json { buffer, .. } => {
                if buffer.len() + chunk.len() > MAX_JSON_BYTES {
                    return Err(ReadError::JsonTooLarge);
                }
                buffer.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    pub fn finish(mut self, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
        let rest = self.decoder.decode(&[], true).into_owned();
        self.feed_text(&rest, builder)?;
        let note = self.decoder.encoding().note();
        let mut report = self.finish_text(builder)?;
        report.notes.extend(note.map(str::to_owned));
        Ok(report)
    }

    fn finish_text(self, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
        let mapping = self.mapping;
        match self.state {
            ReaderState::Csv(reader) => reader.finish(builder),
            ReaderState::Lines {
                mut parser,
                carry,
                mut line,
                mut report,
            } => {
                read_lines(&mut parser, &carry, &mut line, &mut report, builder);
                report.notes.extend(parser.notes());
                Ok(report)
            }
            // A generic CSV's columns are the user's, when they confirmed them.
            ReaderState::Table(buffer, tabular::TableKind::Generic(_)) => {
                tabular::read(&buffer, &tabular::TableKind::Generic(mapping), builder)
            }
            ReaderState::Table(buffer, kind) => tabular::read(&buffer, kind, builder),
            ReaderState::Json { buffer, record, epoch } => read_json(&buffer, record, epoch, builder),
        }
    }
}

/// Reads a whole file's bytes with the reader for `format`, fed `chunk` bytes at a time
/// as the browser feeds it, and builds the store.
pub fn read_in_chunks(
    format: Format,
    bytes: &[u8],
    chunk: usize,
) -> Result<(crate::UsageStore, ReadReport), ReadError> {
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::new(format);
    for piece in bytes.chunks(chunk.max(1)) {
        reader.feed(piece, &mut builder)?;
    }
    let report = reader.finish(&mut builder)?;
    Ok((builder.finish(), report))
}

/// Reads a whole file as the browser does: its encoding and format from the first 64 KiB,
/// then every byte fed `chunk` bytes at a time.
pub fn read_file(bytes: &[u8], chunk: usize) -> Result<(Sniffed, crate::UsageStore, ReadReport), ReadError> {
    let sniffed = sniff(&bytes[..bytes.len().min(64 << 10)])?;
    let mut builder = StoreBuilder::new();
    let mut reader = FileReader::new(sniffed.format).decoding(sniffed.encoding);
    for piece in bytes.chunks(chunk.max(1)) {
        reader.feed(piece, &mut builder)?;
    }
    let report = reader.finish(&mut builder)?;
    Ok((sniffed, builder.finish(), report))
}

/// The fuzz targets' body: any bytes, in chunks sized by the first byte, must give
/// records or an error, never a panic.
pub fn fuzz_read(format: Format, data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1));
    let _ = read_in_chunks(format, data, chunk);
}

fn read_lines(
    parser: &mut impl LineParser,
    bytes: &[u8],
    line: &mut usize,
    report: &mut ReadReport,
    builder: &mut StoreBuilder,
) {
    let bytes = if *line == 0 {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    // `bytes` holds whole lines; a final newline ends the last one rather than starting another.
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return;
    }
    for raw in bytes.split(|&b| b == b'\n') {
        *line += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.trim_ascii().is_empty() {
            continue;
        }
        match parser.parse_line(raw, builder) {
            Ok(None) => report.rows += 1,
            Ok(Some(warning)) => {
                report.rows += 1;
                report.warn(*line, warning);
            }
            Err(reason) => report.skip(*line, reason),
        }
    }
}

/// Maps one record, given the document it came from (for shared fields such as a period)
/// and what was decided for the whole file.
pub(crate) type MapRecord = fn(&Value, &Value, &JsonContext, &mut StoreBuilder) -> Result<(), String>;

/// What a JSON reader decides once for the whole file before it maps any record.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonContext {
    pub epoch: time::EpochUnit,
}

/// Whole-number times a format's records carry, for deciding their unit over the whole file.
pub(crate) type EpochOf = fn(&Value) -> Option<i64>;

/// How a JSON file holds its documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsonLayout {
    /// One document per line (NDJSON, JSON Lines): every line stands alone, so a broken
    /// line is skipped and the lines after it are still read.
    Lines,
    /// One or more documents that may span lines (pretty-printed JSON).
    Stream,
}

/// NDJSON when most of the first non-blank lines (up to 20) parse as JSON on their own.
/// A pretty-printed document's lines (`{`, `"a": 1,`) do not, so it is read as a stream.
fn json_layout(buffer: &[u8]) -> JsonLayout {
    let (mut whole, mut probed) = (0, 0);
    for line in buffer
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty())
        .take(20)
    {
        probed += 1;
        whole += usize::from(serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok());
    }
    if probed > 0 && whole * 2 > probed {
        JsonLayout::Lines
    } else {
        JsonLayout::Stream
    }
}

/// Calls `each(line, document)` for every document of `buffer`, in order. A document that
/// does not parse is `Err(reason)`; in a stream nothing after it can be found, so it ends
/// there, while in NDJSON the next line is read as usual. The first document of a stream
/// failing means the file is not JSON at all.
fn for_each_document(buffer: &[u8], mut each: impl FnMut(usize, Result<Value, String>)) -> Result<usize, ReadError> {
    let mut seen = 0;
    match json_layout(buffer) {
        JsonLayout::Lines => {
            for (n, line) in buffer.split(|&b| b == b'\n').enumerate() {
                let line_text = line.trim_ascii();
                if line_text.is_empty() {
                    continue;
                }
                seen += 1;
                each(
                    n + 1,
                    serde_json::from_slice::<Value>(line_text).map_err(|e| format!("broken JSON: {}", column_only(&e))),
                );
            }
        }
        JsonLayout::Stream => {
            let line_at = |offset: usize| {
                1 + buffer[..offset.min(buffer.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
            };
            let mut documents = serde_json::Deserializer::from_slice(buffer).into_iter::<Value>();
            loop {
                let start = documents.byte_offset();
                // The document's own line: after the newline that ended the one before.
                let line = line_at(start) + usize::from(buffer.get(start) == Some(&b'\n'));
                match documents.next() {
                    None => break,
                    Some(Ok(document)) => each(line, Ok(document)),
                    Some(Err(e)) if seen == 0 => {
                        return Err(ReadError::BadJson {
                            line: e.line(),
                            reason: e.to_string(),
                        });
                    }
                    Some(Err(e)) => {
                        each(line, Err(format!("broken JSON: {e}")));
                        break;
                    }
                }
                seen += 1;
            }
        }
    }
    Ok(seen)
}

/// serde_json's message without its "at line 1" (each line of NDJSON is its own line 1).
fn column_only(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &text[..at], error.column()),
        None => text,
    }
}

/// The records of a document: the items of an array, of its `results`, `records`,
/// `applications` or `buckets`, or the document itself. The flag says whether there are several.
fn records_of(document: &Value) -> (Vec<&Value>, bool) {
    const LISTS: [&str; 4] = ["results", "records", "applications", "buckets"];
    match document {
        Value::Array(items) => (items.iter().collect(), true),
        Value::Object(object) => match LISTS.iter().find_map(|k| object.get(*k)).and_then(Value::as_array) {
            Some(results) => (results.iter().collect(), true),
            None => (vec![document], LISTS.iter().any(|k| object.contains_key(*k))),
        },
        _ => (vec![document], false),
    }
}

/// Reads JSON: one document, an array of records, a document whose `results`, `records`,
/// `applications` or `buckets` hold the records, or one document per line (NDJSON).
/// Where records carry whole-number times (`epoch_of`), their unit is decided from all of
/// them first, and the report says which it was.
fn read_json(
    buffer: &[u8],
    map: MapRecord,
    epoch_of: Option<EpochOf>,
    builder: &mut StoreBuilder,
) -> Result<ReadReport, ReadError> {
    let buffer = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
    let mut report = ReadReport::default();
    let mut context = JsonContext::default();
    if let Some(epoch_of) = epoch_of {
        let mut epochs = Vec::new();
        for_each_document(buffer, |_, document| {
            if let Ok(document) = document {
                epochs.extend(records_of(&document).0.into_iter().filter_map(epoch_of));
            }
        })?;
        if let Some(unit) = time::EpochUnit::decide(&epochs) {
            context.epoch = unit;
            report.notes.push(unit.note(epochs.len()));
        }
    }
    let seen = for_each_document(buffer, |line, document| {
        let document = match document {
            Ok(document) => document,
            Err(reason) => return report.skip(line, reason),
        };
        let (records, several) = records_of(&document);
        for (n, record) in records.into_iter().enumerate() {
            match map(record, &document, &context, builder) {
                Ok(()) => report.rows += 1,
                Err(reason) if several => report.skip(line, format!("record {}: {reason}", n + 1)),
                Err(reason) => report.skip(line, reason),
            }
        }
    })?;
    if seen == 0 {
        return Err(ReadError::Empty);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the hand-over of formats by name: every format has its own name and is found by it.
    #[test]
    fn formats_are_found_by_name() {
        for format in Format::ALL {
            assert_eq!(Format::named(format.name()), Some(format));
        }
        assert_eq!(Format::named("Lotus 1-2-3"), None);
    }

    // Guards the list of formats: each is detected from its own example, which reads into at
    // least one request or measure and skips nothing, whatever its place in the list.
    #[test]
    fn every_format_is_detected_from_its_example() {
        for format in Format::ALL {
            let example = format.description().example.as_bytes();
            assert_eq!(detect(example), Ok(format), "{}", format.name());
            let (store, report) =
                read_in_chunks(format, example, 7).unwrap_or_else(|e| panic!("{}: {e}", format.name()));
            assert_eq!(report.skipped, 0, "{}: {:?}", format.name(), report.problems);
            assert!(
                store.total_requests() > 0 || !store.measures().is_empty(),
                "{}: nothing read",
                format.name()
            );
        }
    }
}
