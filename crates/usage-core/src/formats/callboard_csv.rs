//! Callboard's own CSV format, as `../shared/bench` generates it:
//! `timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms`,
//! one row per request, RFC 4180 quoting, UTF-8.
//!
//! Columns are found by header name, so their order does not matter. An
//! optional `requests` column weights a row (pre-aggregated exports). The
//! reader works on the raw bytes: it never copies the file into a `String`,
//! and it only allocates when it meets a client or endpoint for the first time.

use memchr::memchr;
use rustc_hash::FxHashMap;

use super::time::parse_iso8601;
use super::{ReadError, ReadReport};
pub use crate::csv_cell::{csv_field, neutralise_text, restore_text};
use crate::model::BucketWidth;
use crate::store::{ClientId, EndpointId, Row, StoreBuilder, ValueId};

/// Byte-keyed caches from a field's text to its interned id, so that a known
/// value costs one hash lookup and no allocation.
#[derive(Default)]
struct Interned {
    clients: FxHashMap<Box<[u8]>, ClientId>,
    endpoints: FxHashMap<Box<[u8]>, EndpointId>,
    endpoint_key: Vec<u8>,
    modules: FxHashMap<Box<[u8]>, ValueId>,
    users: FxHashMap<Box<[u8]>, ValueId>,
    ips: FxHashMap<Box<[u8]>, ValueId>,
}

/// Interns `text` through `cache`, calling `intern` (into the builder) only the first time.
fn cached(
    cache: &mut FxHashMap<Box<[u8]>, ValueId>,
    text: &[u8],
    builder: &mut StoreBuilder,
    intern: fn(&mut StoreBuilder, &str) -> ValueId,
) -> Result<ValueId, String> {
    if let Some(&id) = cache.get(text) {
        return Ok(id);
    }
    let value = std::str::from_utf8(text).map_err(|_| "a field is not UTF-8 text".to_owned())?;
    let id = intern(builder, value);
    cache.insert(text.into(), id);
    Ok(id)
}

/// A whole number of bytes; absent when empty or unreadable.
fn parse_bytes(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// Milliseconds with up to 3 decimals (`592.2`) as microseconds; absent when empty or unreadable.
fn parse_latency_us(text: &[u8]) -> Option<u64> {
    let (whole, fraction) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &[][..]),
    };
    if whole.is_empty()
        || whole.len() > 12
        || fraction.len() > 3
        || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
    {
        return None;
    }
    let ms = whole.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    let micros = fraction
        .iter()
        .chain(std::iter::repeat(&b'0'))
        .take(3)
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    Some(ms * 1_000 + micros)
}

/// Where each needed column is in a row.
struct Columns {
    count: usize,
    timestamp: usize,
    client_id: usize,
    client_name: Option<usize>,
    method: Option<usize>,
    url: Option<usize>,
    template: Option<usize>,
    status: usize,
    requests: Option<usize>,
    bucket: Option<usize>,
    module: Option<usize>,
    user: Option<usize>,
    ip: Option<usize>,
    bytes: Option<usize>,
    latency_ms: Option<usize>,
    /// A measured amount rather than requests (Callboard's export of a 3scale metric).
    measure: Option<usize>,
    measure_name: Option<usize>,
    unit: Option<usize>,
    amount: Option<usize>,
}

impl Columns {
    fn from_header(fields: &[&[u8]]) -> Result<Columns, ReadError> {
        let find = |name: &str| {
            fields
                .iter()
                .position(|f| f.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
        };
        let columns = Columns {
            count: fields.len(),
            timestamp: find("timestamp").ok_or(ReadError::MissingColumn("timestamp"))?,
            client_id: find("client_id").ok_or(ReadError::MissingColumn("client_id"))?,
            client_name: find("client_name"),
            method: find("method"),
            url: find("url"),
            template: find("template"),
            status: find("status").ok_or(ReadError::MissingColumn("status"))?,
            requests: find("requests"),
            bucket: find("bucket"),
            module: find("module"),
            user: find("user"),
            ip: find("ip"),
            bytes: find("bytes"),
            latency_ms: find("latency_ms"),
            measure: find("measure"),
            measure_name: find("measure_name"),
            unit: find("unit"),
            amount: find("amount"),
        };
        if columns.url.is_none() && columns.template.is_none() {
            return Err(ReadError::MissingColumn("template"));
        }
        Ok(columns)
    }
}

/// Quoted fields, unescaped into one reused buffer: `bytes[range]` per field.
#[derive(Default)]
struct Unescaped {
    bytes: Vec<u8>,
    ranges: Vec<(usize, usize)>,
}

impl Unescaped {
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        self.ranges.iter().map(|&(a, b)| &self.bytes[a..b])
    }
}

/// Splits one record into fields. Unquoted records are split in place into
/// `fields`; a record with quotes is unescaped into `quoted` instead (and
/// `fields` is left empty). Returns the bytes consumed, including the line end
/// (a quoted field may span lines), and the lines it took; `None` when the
/// record does not end within `input` and more may follow.
fn split_record<'a>(
    input: &'a [u8],
    last: bool,
    fields: &mut Vec<&'a [u8]>,
    quoted: &mut Unescaped,
) -> Option<(usize, usize)> {
    fields.clear();
    quoted.bytes.clear();
    quoted.ranges.clear();
    let line_end = match memchr(b'\n', input) {
        Some(end) => end,
        None if last => input.len(),
        None => return None,
    };
    let line = &input[..line_end];
    if memchr(b'"', line).is_none() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        fields.extend(line.split(|&b| b == b','));
        return Some(((line_end + 1).min(input.len()), 1));
    }
    let out = &mut quoted.bytes;
    let (mut i, mut start, mut in_quotes, mut newlines, mut ended) = (0, 0, false, 0, false);
    while i < input.len() {
        let b = input[i];
        match (in_quotes, b) {
            (true, b'"') if input.get(i + 1) == Some(&b'"') => {
                out.push(b'"');
                i += 1;
            }
            (true, b'"') => in_quotes = false,
            (true, _) => {
                newlines += usize::from(b == b'\n');
                out.push(b);
            }
            (false, b'"') if out.len() == start => in_quotes = true,
            (false, b',') => {
                quoted.ranges.push((start, out.len()));
                start = out.len();
            }
            (false, b'\n') => {
                ended = true;
                break;
            }
            (false, _) => out.push(b),
        }
        i += 1;
    }
    if !ended && !last {
        return None;
    }
    if out.last() == Some(&b'\r') && out.len() > start {
        out.pop();
    }
    quoted.ranges.push((start, out.len()));
    Some((i.saturating_add(1).min(input.len()), newlines + 1))
}

/// Reads a whole Callboard CSV file into `builder`.
pub fn read(input: &[u8], builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
    let mut reader = CsvReader::new();
    reader.feed(input, builder)?;
    reader.finish(builder)
}

/// Reads Callboard CSV fed in chunks of any size, so that a large file can
/// be copied and parsed piece by piece, yielding to the page in between.
#[derive(Default)]
pub struct CsvReader {
    columns: Option<Columns>,
    /// The start of a record cut by the end of the previous chunk.
    carry: Vec<u8>,
    /// 1-based number of the next line.
    line: usize,
    /// Whether anything but whitespace has been seen.
    seen_data: bool,
    report: ReadReport,
    interned: Interned,
}

impl CsvReader {
    pub fn new() -> CsvReader {
        CsvReader {
            line: 1,
            ..CsvReader::default()
        }
    }

    /// Reads every complete record in `chunk` (after what was carried over).
    pub fn feed(&mut self, chunk: &[u8], builder: &mut StoreBuilder) -> Result<(), ReadError> {
        if self.carry.is_empty() {
            let used = self.read_records(chunk, false, builder)?;
            self.carry.extend_from_slice(&chunk[used..]);
        } else {
            let mut data = std::mem::take(&mut self.carry);
            data.extend_from_slice(chunk);
            let used = self.read_records(&data, false, builder)?;
            data.drain(..used);
            self.carry = data;
        }
        Ok(())
    }

    /// Reads what is left and reports what was read and skipped.
    pub fn finish(mut self, builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
        let data = std::mem::take(&mut self.carry);
        self.read_records(&data, true, builder)?;
        if !self.seen_data {
            return Err(ReadError::Empty);
        }
        if self.columns.is_none() {
            return Err(ReadError::MissingColumn("timestamp"));
        }
        Ok(self.report)
    }

    /// Rows read so far.
    pub fn rows(&self) -> usize {
        self.report.rows
    }

    /// Reads complete records from `input`; returns how many bytes it used.
    fn read_records(&mut self, input: &[u8], last: bool, builder: &mut StoreBuilder) -> Result<usize, ReadError> {
        let mut input_start = 0;
        if self.line == 1 && !self.seen_data {
            if input.len() < 3 && !last && b"\xEF\xBB\xBF".starts_with(input) {
                return Ok(0); // wait for the rest of a possible byte-order mark
            }
            if input.starts_with(b"\xEF\xBB\xBF") {
                input_start = 3;
            }
        }
        let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
        let mut quoted = Unescaped::default();
        let mut position = input_start;
        while position < input.len() {
            let Some((used, lines)) = split_record(&input[position..], last, &mut fields, &mut quoted) else {
                break;
            };
            let this_line = self.line;
            position += used;
            self.line += lines;
            let quoted_row: Vec<&[u8]>;
            let row: &[&[u8]] = if quoted.ranges.is_empty() {
                &fields
            } else {
                quoted_row = quoted.fields().collect();
                &quoted_row
            };
            if row.len() == 1 && row[0].trim_ascii().is_empty() {
                continue; // blank line
            }
            self.seen_data = true;
            match &self.columns {
                None => self.columns = Some(Columns::from_header(row)?),
                Some(columns) => {
                    if let Err(reason) = read_row(columns, row, builder, &mut self.interned) {
                        self.report.skip(this_line, reason);
                    } else {
                        self.report.rows += 1;
                    }
                }
            }
        }
        Ok(position)
    }
}

/// Reads one data row into `builder`; the error is the reason it was skipped.
fn read_row<'a>(
    columns: &Columns,
    row: &[&'a [u8]],
    builder: &mut StoreBuilder,
    interned: &mut Interned,
) -> Result<(), String> {
    let Interned {
        clients,
        endpoints,
        endpoint_key,
        modules,
        users,
        ips,
    } = interned;
    if row.len() != columns.count {
        return Err(format!("expected {} fields, found {}", columns.count, row.len()));
    }
    let timestamp = parse_iso8601(row[columns.timestamp].trim_ascii())
        .ok_or("the timestamp is not ISO 8601 (YYYY-MM-DDTHH:MM:SSZ)")?;
    // Text cells as Callboard's export neutralised them against spreadsheet formulas.
    let text = |cell: &'a [u8]| restore_text(cell.trim_ascii());
    let id = text(row[columns.client_id]);
    let client = match clients.get(id) {
        Some(&c) => c,
        None => {
            let name = columns.client_name.map(|c| text(row[c])).unwrap_or(b"");
            let (Ok(id_text), Ok(name_text)) = (std::str::from_utf8(id), std::str::from_utf8(name)) else {
                return Err("the client is not UTF-8 text".into());
            };
            let c = builder.client(id_text, name_text);
            clients.insert(id.into(), c);
            c
        }
    };
    let bucket = match columns.bucket.map(|c| row[c].trim_ascii()) {
        None | Some(b"" | b"request") => BucketWidth::Request,
        Some(b"10m") => BucketWidth::TenMinutes,
        Some(b"hour") => BucketWidth::Hour,
        Some(b"day") => BucketWidth::Day,
        Some(_) => return Err("the bucket is not request, 10m, hour or day".into()),
    };
    // A measured amount (a 3scale metric such as data transfer), never requests.
    let cell = |column: Option<usize>| {
        std::str::from_utf8(column.map_or(&b""[..], |c| text(row[c])))
            .map_err(|_| "a measure field is not UTF-8 text".to_owned())
    };
    let measure = cell(columns.measure)?;
    if !measure.is_empty() {
        let amount = cell(columns.amount)?
            .parse::<u64>()
            .map_err(|_| "the amount is not a whole number")?;
        let point = crate::store::MeasurePoint {
            timestamp,
            bucket,
            client,
            amount,
        };
        return Ok(builder.push_measure(measure, cell(columns.measure_name)?, cell(columns.unit)?, &[point])?);
    }
    let status = row[columns.status].trim_ascii();
    if status.is_empty() || status.len() > 3 || !status.iter().all(u8::is_ascii_digit) {
        return Err("the status is not an HTTP status code".into());
    }
    let status = status.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    let requests = match columns.requests.map(|c| row[c].trim_ascii()) {
        None => 1,
        Some(text) => std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or("the requests count is not a whole number")?,
    };

    let method = columns.method.map(|c| text(row[c])).unwrap_or(b"");
    let template = match columns.template.map(|c| text(row[c])) {
        Some(t) if !t.is_empty() => t,
        // No template: the URL's path, without its query string.
        _ => columns
            .url
            .map(|c| text(row[c]))
            .map(|u| u.split(|&b| b == b'?').next().unwrap_or(u))
            .unwrap_or(b""),
    };
    endpoint_key.clear();
    endpoint_key.extend_from_slice(method);
    endpoint_key.push(0);
    endpoint_key.extend_from_slice(template);
    let endpoint = match endpoints.get(endpoint_key.as_slice()) {
        Some(&e) => e,
        None => {
            let (Ok(method_text), Ok(template_text)) = (std::str::from_utf8(method), std::str::from_utf8(template))
            else {
                return Err("the method or URL is not UTF-8 text".into());
            };
            let e = builder.endpoint(&method_text.to_ascii_uppercase(), template_text);
            endpoints.insert(endpoint_key.as_slice().into(), e);
            e
        }
    };
    let field = |column: Option<usize>| column.map_or(&b""[..], |c| row[c].trim_ascii());
    let text_field = |column: Option<usize>| column.map_or(&b""[..], |c| text(row[c]));
    let module = cached(modules, text_field(columns.module), builder, StoreBuilder::module)?;
    let user = cached(users, text_field(columns.user), builder, StoreBuilder::user)?;
    let ip = cached(ips, text_field(columns.ip), builder, StoreBuilder::ip)?;
    builder.push_row(Row {
        timestamp,
        bucket,
        client,
        endpoint,
        status,
        requests,
        module,
        user,
        ip,
        bytes: parse_bytes(field(columns.bytes)),
        latency_us: parse_latency_us(field(columns.latency_ms)),
    })?;
    Ok(())
}

/// The columns Callboard writes; [`read`] reads them back exactly.
pub const EXPORT_HEADER: &str = "timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms,requests,bucket,measure,measure_name,unit,amount";

fn bucket_name(bucket: BucketWidth) -> &'static str {
    match bucket {
        BucketWidth::Request => "request",
        BucketWidth::TenMinutes => "10m",
        BucketWidth::Hour => "hour",
        BucketWidth::Day => "day",
    }
}

/// Writes the records of `span` that `filter` lets through as Callboard CSV: what the dashboard
/// counts for that range and those filters, one line per stored record. Reading it back gives
/// the same records.
pub fn write(store: &crate::UsageStore, span: crate::zone::Window, filter: &crate::RecordFilter) -> String {
    let mut out = String::with_capacity(store.len().min(1 << 20) * 100);
    out.push_str(EXPORT_HEADER);
    out.push('\n');
    for r in store.records_through(span, filter) {
        let time = crate::format::iso_datetime(r.timestamp);
        out.push_str(&time);
        for text in [&r.client_id, &r.client_name, &r.method, "", &r.template] {
            out.push(',');
            csv_field(&mut out, text);
        }
        out.push_str(&format!(",{}", r.status));
        for text in [&r.ip, &r.user, &r.module] {
            out.push(',');
            csv_field(&mut out, text);
        }
        let bytes = r.bytes.map(|b| b.to_string()).unwrap_or_default();
        let latency = r
            .latency_us
            .map(|us| format!("{}.{:03}", us / 1000, us % 1000))
            .unwrap_or_default();
        out.push_str(&format!(
            ",{bytes},{latency},{},{},,,,\n",
            r.requests,
            bucket_name(r.bucket)
        ));
    }
    // Then the amounts of measures (3scale's other metrics), with the measure named.
    for (measure, point) in store.measure_points_through(span, filter) {
        out.push_str(&crate::format::iso_datetime(point.timestamp));
        for text in [store.client_id(point.client), store.client_name(point.client)] {
            out.push(',');
            csv_field(&mut out, text);
        }
        out.push_str(&format!(",,,,,,,,,,,{},", bucket_name(point.bucket)));
        for text in [&measure.system_name, &measure.name, &measure.unit] {
            csv_field(&mut out, text);
            out.push(',');
        }
        out.push_str(&format!("{}\n", point.amount));
    }
    out
}

/// A bucket width as serde writes it in Callboard JSON.
fn json_bucket(bucket: BucketWidth) -> &'static str {
    match bucket {
        BucketWidth::Request => "Request",
        BucketWidth::TenMinutes => "TenMinutes",
        BucketWidth::Hour => "Hour",
        BucketWidth::Day => "Day",
    }
}

/// Writes the records of `span` that `filter` lets through as Callboard JSON
/// (`{"format":"callboard-usage","version":1,"records":[…]}`).
///
/// Each record is written as serde writes a [`crate::UsageRecord`], which is how the reader takes it back.
pub fn write_json(store: &crate::UsageStore, span: crate::zone::Window, filter: &crate::RecordFilter) -> String {
    use crate::json::{number, string};
    let mut out = String::from(r#"{"format":"callboard-usage","version":1,"records":["#);
    let mut written = 0usize;
    for r in store.records_through(span, filter) {
        if written > 0 {
            out.push(',');
        }
        written += 1;
        out.push_str(&format!(
            r#"{{"timestamp":{},"bucket":"{}","client_id":"#,
            r.timestamp,
            json_bucket(r.bucket)
        ));
        string(&mut out, &r.client_id);
        out.push_str(r#","client_name":"#);
        string(&mut out, &r.client_name);
        out.push_str(r#","method":"#);
        string(&mut out, &r.method);
        out.push_str(r#","template":"#);
        string(&mut out, &r.template);
        out.push_str(&format!(
            r#","status":{},"requests":{},"module":"#,
            r.status, r.requests
        ));
        string(&mut out, &r.module);
        out.push_str(r#","user":"#);
        string(&mut out, &r.user);
        out.push_str(r#","ip":"#);
        string(&mut out, &r.ip);
        out.push_str(r#","bytes":"#);
        number(&mut out, r.bytes);
        out.push_str(r#","latency_us":"#);
        number(&mut out, r.latency_us);
        out.push('}');
    }
    // Then the amounts of measures (3scale's other metrics), with the measure named.
    for (measure, point) in store.measure_points_through(span, filter) {
        if written > 0 {
            out.push(',');
        }
        written += 1;
        out.push_str(&format!(
            r#"{{"timestamp":{},"bucket":"{}","client_id":"#,
            point.timestamp,
            json_bucket(point.bucket)
        ));
        string(&mut out, store.client_id(point.client));
        out.push_str(r#","client_name":"#);
        string(&mut out, store.client_name(point.client));
        for (key, value) in [
            ("measure", &measure.system_name),
            ("measure_name", &measure.name),
            ("unit", &measure.unit),
        ] {
            out.push_str(&format!(r#","{key}":"#));
            string(&mut out, value);
        }
        out.push_str(&format!(r#","amount":{}}}"#, point.amount));
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UsageStore;

    const HEADER: &str = "timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n";

    fn read_str(text: &str) -> (UsageStore, ReadReport) {
        let mut builder = StoreBuilder::new();
        let report = read(text.as_bytes(), &mut builder).expect("readable");
        (builder.finish(), report)
    }

    // Guards the plain rows of the bench format: every field lands in the right place.
    #[test]
    fn reads_plain_rows() {
        let (store, report) = read_str(&format!(
            "{HEADER}2026-11-09T10:43:44.187Z,cl_1,Zorg Logistics,GET,/api/v2/absences,/api/v2/absences,500,192.0.2.189,,time,257,592.2\n\
             2026-11-10T10:54:32.721Z,cl_2,Cyberdyne,post,/api/v2/reports/255,/api/v2/reports/{{id}},200,192.0.2.32,a@b.example,reports,13622,193.4\n"
        ));
        assert_eq!((report.rows, report.skipped), (2, 0));
        let records: Vec<_> = store.records().collect();
        assert_eq!(records[0].client_name, "Zorg Logistics");
        assert_eq!(records[0].status, 500);
        assert_eq!(records[1].method, "POST");
        assert_eq!(records[1].template, "/api/v2/reports/{id}");
        assert_eq!(
            (
                records[0].ip.as_str(),
                records[0].user.as_str(),
                records[0].module.as_str()
            ),
            ("192.0.2.189", "", "time")
        );
        assert_eq!(records[1].user, "a@b.example");
        assert_eq!((records[0].bytes, records[0].latency_us), (Some(257), Some(592_200)));
        assert_eq!((records[1].bytes, records[1].latency_us), (Some(13_622), Some(193_400)));
        assert_eq!(
            records[1].timestamp,
            super::super::time::parse_iso8601(b"2026-11-10T10:54:32Z").unwrap()
        );
        assert_eq!(records[0].timestamp, 1_794_221_024); // date -d 2026-11-09T10:43:44Z +%s; milliseconds dropped
    }

    // Guards RFC 4180 quoting: commas, doubled quotes and a newline inside a name, UTF-8, CRLF, and a BOM.
    #[test]
    fn reads_quoted_fields() {
        let text = format!(
            "\u{feff}{}2026-11-09T10:00:00Z,cl_1,\"Smith, Bell & \"\"Partners\"\"\",GET,/a,/a,200,ip,,m,1,1\r\n\
             2026-11-09T11:00:00Z,cl_2,\"Zürich\nOffice\",GET,/a,/a,200,ip,,m,1,1\r\n\
             2026-11-09T12:00:00Z,cl_3,Café Ünïcode,GET,/a,/a,404,ip,,m,1,1\r\n",
            HEADER.replace('\n', "\r\n")
        );
        let (store, report) = read_str(&text);
        assert_eq!((report.rows, report.skipped), (3, 0), "{:?}", report.problems);
        let names: Vec<&str> = store.clients().iter().map(|c| c.name).collect();
        assert_eq!(names, ["Smith, Bell & \"Partners\"", "Zürich\nOffice", "Café Ünïcode"]);
    }

    // Guards skipping malformed rows with their line numbers while keeping the good rows.
    #[test]
    fn skips_malformed_rows_with_line_numbers() {
        let text = format!(
            "{HEADER}2026-11-09T10:00:00Z,cl_1,A,GET,/a,/a,200,ip,,m,1,1\n\
             not a row\n\
             2026-11-09T10:00:00Z,cl_1,A,GET,/a,/a,OK,ip,,m,1,1\n\
             \n\
             yesterday,cl_1,A,GET,/a,/a,200,ip,,m,1,1\n\
             2026-11-09T10:00:01Z,cl_1,A,GET,/a,/a,201,ip,,m,1,1\n"
        );
        let (store, report) = read_str(&text);
        assert_eq!((report.rows, report.skipped), (2, 3));
        let lines: Vec<usize> = report.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 6]);
        assert!(report.problems[0].reason.contains("expected 12 fields, found 1"));
        assert!(report.problems[1].reason.contains("status"));
        assert!(report.problems[2].reason.contains("timestamp"));
        assert_eq!(store.len(), 2);
    }

    // Guards whole-file failures: empty input and a header without the needed columns.
    #[test]
    fn rejects_unreadable_files() {
        let mut builder = StoreBuilder::new();
        assert_eq!(read(b"", &mut builder), Err(ReadError::Empty));
        assert_eq!(read(b"\n  \n", &mut builder), Err(ReadError::Empty));
        assert_eq!(
            read(b"time,who\n1,2\n", &mut builder),
            Err(ReadError::MissingColumn("timestamp"))
        );
        assert_eq!(
            read(b"timestamp,client_id,status\n", &mut builder),
            Err(ReadError::MissingColumn("template"))
        );
    }

    // Guards chunked reading: any chunk size, including records and a BOM cut mid-way, gives the same store.
    #[test]
    fn chunked_reading_matches_whole_reading() {
        let text = format!(
            "\u{feff}{HEADER}2026-11-09T10:00:00Z,cl_1,\"Smith, Bell\",GET,/a,/a,200,ip,,m,1,1\n\
             2026-11-09T11:00:00Z,cl_2,\"Two\nLines\",POST,/b,/b,503,ip,,m,1,1\n\
             bad row\n\
             2026-11-09T12:00:00Z,cl_1,\"Smith, Bell\",GET,/a,/a,429,ip,,m,1,1"
        );
        let (whole, whole_report) = read_str(&text);
        for size in [1, 2, 3, 7, 64, text.len()] {
            let mut builder = StoreBuilder::new();
            let mut reader = CsvReader::new();
            for chunk in text.as_bytes().chunks(size) {
                reader.feed(chunk, &mut builder).unwrap();
            }
            let report = reader.finish(&mut builder).unwrap();
            let store = builder.finish();
            assert_eq!(report, whole_report, "chunks of {size}");
            assert!(store.records().eq(whole.records()), "chunks of {size}");
        }
        assert_eq!((whole_report.rows, whole_report.skipped), (3, 1));
        assert_eq!(whole_report.problems[0].line, 5);
    }

    // Guards the measure parsers: whole bytes, millisecond latencies with up to 3 decimals, and junk as absent.
    #[test]
    fn measures() {
        assert_eq!(parse_latency_us(b"592.2"), Some(592_200));
        assert_eq!(parse_latency_us(b"7"), Some(7_000));
        assert_eq!(parse_latency_us(b"0.125"), Some(125));
        for junk in [&b""[..], b".5", b"1.2345", b"-3", b"fast"] {
            assert_eq!(parse_latency_us(junk), None, "{junk:?}");
        }
        assert_eq!(parse_bytes(b"13622"), Some(13_622));
        assert_eq!(parse_bytes(b"-"), None);
    }

    // Guards CSV injection (OWASP): every formula-like name is exported with a leading ', a plain
    // negative number is not, and reading the export back restores each name exactly.
    #[test]
    fn export_neutralises_formulas_and_reads_back_exactly() {
        let names = [
            "=HYPERLINK(\"http://evil.example/x\",\"open\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1+1)",
            "-2+3+cmd|' /C calc'!A0",
            "\tTabbed",
            "\rCarriage",
            "-12",
            "-3.5",
            "'=already quoted",
            "''=twice",
            "'plain",
            "Acme, Inc.",
        ];
        let records: Vec<crate::UsageRecord> = names
            .iter()
            .enumerate()
            .map(|(i, name)| crate::UsageRecord {
                timestamp: 1_795_356_192 + i as i64,
                client_id: format!("id{i}"),
                client_name: (*name).to_owned(),
                user: (*name).to_owned(),
                module: (*name).to_owned(),
                method: "GET".into(),
                template: format!("/t{i}"),
                status: 200,
                requests: 1,
                ..crate::UsageRecord::default()
            })
            .collect();
        let store = UsageStore::from_records(&records).unwrap();
        let text = write(
            &store,
            crate::query::DaySpan { start: 0, end: 50_000 }.into(),
            &crate::RecordFilter::all(),
        );
        let mut cells = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let exported: Vec<String> = cells.records().map(|r| r.unwrap()[2].to_owned()).collect();
        for (name, cell) in names.iter().zip(&exported) {
            let dangerous = matches!(name.as_bytes()[0], b'=' | b'+' | b'@' | b'\t' | b'\r')
                || (name.starts_with('-') && !["-12", "-3.5"].contains(name));
            let quoted_danger = name.starts_with('\'') && name.trim_start_matches('\'').starts_with('=');
            if dangerous || quoted_danger {
                assert_eq!(cell, &format!("'{name}"), "{name:?} must be neutralised");
            } else {
                assert_eq!(cell, name, "{name:?} stays as it is");
            }
            assert!(
                !matches!(cell.as_bytes()[0], b'=' | b'+' | b'@' | b'\t' | b'\r'),
                "{cell:?}"
            );
        }
        let (again, report) = read_str(&text);
        assert_eq!(report.skipped, 0, "{:?}", report.problems);
        assert!(
            again.records().eq(store.records()),
            "the export reads back to the same records"
        );
    }

    // Guards measures (3scale's other metrics) in the export: written after the records with the
    // measure named, read back to the same amounts, names and units, never as requests; and left
    // out through a filter on anything but clients, as the chart leaves them out.
    #[test]
    fn export_reads_back_measures() {
        let mut builder = crate::StoreBuilder::new();
        builder
            .push_record(&crate::UsageRecord {
                timestamp: 1_795_356_192,
                client_id: "a".into(),
                method: "GET".into(),
                template: "/x".into(),
                status: 200,
                requests: 4,
                ..crate::UsageRecord::default()
            })
            .unwrap();
        let a = builder.client("a", "");
        let b = builder.client("b", "=Bee, Inc.");
        let point = |timestamp, client, amount| crate::store::MeasurePoint {
            timestamp,
            bucket: BucketWidth::Day,
            client,
            amount,
        };
        builder
            .push_measure(
                "data_transfer",
                "Data transfer",
                "MB",
                &[point(1_795_305_600, a, 12), point(1_795_392_000, b, u64::MAX - 12)],
            )
            .unwrap();
        builder
            .push_measure("=cpu", "CPU, total", "", &[point(1_795_305_600, b, 3)])
            .unwrap();
        let store = builder.finish();
        let span = crate::query::DaySpan { start: 0, end: 50_000 }.into();
        let text = write(&store, span, &crate::RecordFilter::all());
        let (again, report) = read_str(&text);
        assert_eq!(report.skipped, 0, "{:?}", report.problems);
        assert!(again.records().eq(store.records()));
        assert_eq!(again.total_requests(), 4);
        // Each measure's names and unit, and its points with their clients' text.
        type Readable = Vec<(String, String, String, Vec<(i64, String, String, u64)>)>;
        let readable = |s: &UsageStore| -> Readable {
            s.measures()
                .iter()
                .map(|m| {
                    (
                        m.system_name.clone(),
                        m.name.clone(),
                        m.unit.clone(),
                        m.points
                            .iter()
                            .map(|p| {
                                (
                                    p.timestamp,
                                    s.client_id(p.client).to_owned(),
                                    s.client_name(p.client).to_owned(),
                                    p.amount,
                                )
                            })
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(readable(&again), readable(&store));
        let only_b = crate::RecordFilter::new(
            &store,
            &[crate::Filter {
                dimension: crate::Dimension::Client,
                key: "b".into(),
            }],
        );
        let (b_only, _) = read_str(&write(&store, span, &only_b));
        assert_eq!(b_only.measures().iter().map(|m| m.points.len()).sum::<usize>(), 2);
        let a_url = crate::RecordFilter::new(
            &store,
            &[crate::Filter {
                dimension: crate::Dimension::Template,
                key: "/x".into(),
            }],
        );
        let (urls, _) = read_str(&write(&store, span, &a_url));
        assert!(urls.measures().is_empty(), "a measure has no URL");
        // The JSON export carries them too.
        let json = write_json(&store, span, &crate::RecordFilter::all());
        let (again, report) =
            crate::formats::read_in_chunks(crate::formats::Format::CallboardJson, json.as_bytes(), 1 << 16).unwrap();
        assert_eq!(report.skipped, 0, "{:?}", report.problems);
        assert!(again.records().eq(store.records()));
        assert_eq!(readable(&again), readable(&store));
    }

    // Guards the hand-written JSON export: the very document serde_json writes for the records.
    #[test]
    fn json_export_is_what_serde_writes() {
        let records = vec![
            crate::UsageRecord {
                timestamp: 1_795_356_192,
                client_id: "c\"1".into(),
                client_name: "Zürich\n🚀".into(),
                method: "GET".into(),
                template: "/a\\b".into(),
                status: 200,
                requests: 3,
                bytes: Some(7),
                latency_us: None,
                user: "\u{1}".into(),
                ..crate::UsageRecord::default()
            },
            crate::UsageRecord {
                timestamp: 1_795_356_193,
                bucket: BucketWidth::Day,
                client_id: "c2".into(),
                method: "POST".into(),
                template: "/x".into(),
                status: 503,
                requests: u64::MAX / 2,
                latency_us: Some(9),
                ..crate::UsageRecord::default()
            },
        ];
        let store = UsageStore::from_records(&records).unwrap();
        let span = crate::query::DaySpan { start: 0, end: 50_000 };
        let ours: serde_json::Value =
            serde_json::from_str(&write_json(&store, span.into(), &crate::RecordFilter::all())).unwrap();
        let expected = serde_json::json!({ "format": "callboard-usage", "version": 1, "records": store.records().collect::<Vec<_>>() });
        assert_eq!(ours, expected);
    }

    // Guards the optional weight column and URL-only files (query strings dropped).
    #[test]
    fn weights_and_urls() {
        let (store, report) = read_str(
            "timestamp,client_id,url,status,requests\n2026-11-09T10:00:00Z,k,/a?x=1,200,40\n2026-11-09T10:00:00Z,k,/a?y=2,429,2\n",
        );
        assert_eq!(report.rows, 2);
        assert_eq!(store.templates(), ["/a"]);
        assert_eq!(store.records().map(|r| r.requests).sum::<u64>(), 42);
    }
}
