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
use crate::model::BucketWidth;
use crate::store::{ClientId, EndpointId, StoreBuilder};

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
}

impl Columns {
    fn from_header(fields: &[&[u8]]) -> Result<Columns, ReadError> {
        let find = |name: &str| fields.iter().position(|f| f.trim_ascii().eq_ignore_ascii_case(name.as_bytes()));
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
        };
        if columns.url.is_none() && columns.template.is_none() {
            return Err(ReadError::MissingColumn("template"));
        }
        Ok(columns)
    }
}

/// Splits one record into fields. Unquoted fields are slices of the input;
/// quoted ones are unescaped into `owned`. Returns the bytes consumed,
/// including the line end (a quoted field may span lines).
fn split_record<'a>(input: &'a [u8], fields: &mut Vec<&'a [u8]>, owned: &mut Vec<Vec<u8>>) -> (usize, usize) {
    fields.clear();
    let line_end = memchr(b'\n', input).unwrap_or(input.len());
    let line = &input[..line_end];
    if memchr(b'"', line).is_none() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        fields.extend(line.split(|&b| b == b','));
        return ((line_end + 1).min(input.len()), 1);
    }
    // Slow path: quotes. Unescape every field into `owned`, then point `fields` at them.
    owned.clear();
    let mut field = Vec::new();
    let (mut i, mut in_quotes, mut newlines) = (0, false, 0);
    while i < input.len() {
        let b = input[i];
        match (in_quotes, b) {
            (true, b'"') if input.get(i + 1) == Some(&b'"') => {
                field.push(b'"');
                i += 1;
            }
            (true, b'"') => in_quotes = false,
            (true, b'\n') => {
                newlines += 1;
                field.push(b);
            }
            (true, _) => field.push(b),
            (false, b'"') if field.is_empty() => in_quotes = true,
            (false, b',') => owned.push(std::mem::take(&mut field)),
            (false, b'\n') => break,
            (false, _) => field.push(b),
        }
        i += 1;
    }
    if field.last() == Some(&b'\r') {
        field.pop();
    }
    owned.push(field);
    (i.saturating_add(1).min(input.len()), newlines + 1)
}

/// Reads a whole Callboard CSV file into `builder`.
pub fn read(input: &[u8], builder: &mut StoreBuilder) -> Result<ReadReport, ReadError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
    let mut owned: Vec<Vec<u8>> = Vec::new();
    let (used, mut line) = split_record(input, &mut fields, &mut owned);
    let header: Vec<&[u8]> = if owned.is_empty() { fields.clone() } else { owned.iter().map(Vec::as_slice).collect() };
    let columns = Columns::from_header(&header)?;
    line += 1;

    let mut report = ReadReport::default();
    let mut clients: FxHashMap<Box<[u8]>, ClientId> = FxHashMap::default();
    let mut endpoints: FxHashMap<Box<[u8]>, EndpointId> = FxHashMap::default();
    let mut endpoint_key: Vec<u8> = Vec::with_capacity(128);
    let mut rest = &input[used..];
    while !rest.is_empty() {
        let this_line = line;
        let (used, lines) = split_record(rest, &mut fields, &mut owned);
        let record = std::mem::take(&mut rest);
        rest = &record[used..];
        line += lines;
        let row: Vec<&[u8]>;
        let row: &[&[u8]] = if fields.is_empty() && !owned.is_empty() {
            row = owned.iter().map(Vec::as_slice).collect();
            &row
        } else {
            &fields
        };
        if row.len() == 1 && row[0].trim_ascii().is_empty() {
            continue; // blank line
        }
        if row.len() != columns.count {
            report.skip(this_line, format!("expected {} fields, found {}", columns.count, row.len()));
            continue;
        }
        let Some(timestamp) = parse_iso8601(row[columns.timestamp].trim_ascii()) else {
            report.skip(this_line, "the timestamp is not ISO 8601 (YYYY-MM-DDTHH:MM:SSZ)");
            continue;
        };
        let status = row[columns.status].trim_ascii();
        let Some(status) = (!status.is_empty() && status.len() <= 3 && status.iter().all(u8::is_ascii_digit))
            .then(|| status.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0')))
        else {
            report.skip(this_line, "the status is not an HTTP status code");
            continue;
        };
        let requests = match columns.requests.map(|c| row[c].trim_ascii()) {
            None => 1,
            Some(text) => match std::str::from_utf8(text).ok().and_then(|t| t.parse::<u64>().ok()) {
                Some(n) => n,
                None => {
                    report.skip(this_line, "the requests count is not a whole number");
                    continue;
                }
            },
        };

        let id = row[columns.client_id].trim_ascii();
        let client = match clients.get(id) {
            Some(&c) => c,
            None => {
                let name = columns.client_name.map(|c| row[c].trim_ascii()).unwrap_or(b"");
                let (Ok(id_text), Ok(name_text)) = (std::str::from_utf8(id), std::str::from_utf8(name)) else {
                    report.skip(this_line, "the client is not UTF-8 text");
                    continue;
                };
                let c = builder.client(id_text, name_text);
                clients.insert(id.into(), c);
                c
            }
        };

        let method = columns.method.map(|c| row[c].trim_ascii()).unwrap_or(b"");
        let template = match columns.template.map(|c| row[c].trim_ascii()) {
            Some(t) if !t.is_empty() => t,
            // No template: the URL's path, without its query string.
            _ => columns.url.map(|c| row[c].trim_ascii()).map(|u| u.split(|&b| b == b'?').next().unwrap_or(u)).unwrap_or(b""),
        };
        endpoint_key.clear();
        endpoint_key.extend_from_slice(method);
        endpoint_key.push(0);
        endpoint_key.extend_from_slice(template);
        let endpoint = match endpoints.get(endpoint_key.as_slice()) {
            Some(&e) => e,
            None => {
                let (Ok(method_text), Ok(template_text)) = (std::str::from_utf8(method), std::str::from_utf8(template)) else {
                    report.skip(this_line, "the method or URL is not UTF-8 text");
                    continue;
                };
                let e = builder.endpoint(&method_text.to_ascii_uppercase(), template_text);
                endpoints.insert(endpoint_key.as_slice().into(), e);
                e
            }
        };
        builder.push(timestamp, BucketWidth::Request, client, endpoint, status, requests);
        report.rows += 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UsageStore;

    const HEADER: &str = "timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n";

    fn read_str(text: &str) -> (UsageStore, ReadReport) {
        let mut builder = StoreBuilder::new();
        let report = read(text.as_bytes(), &mut builder).expect("readable");
        (builder.finish().expect("store"), report)
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
        assert_eq!(records[1].timestamp, super::super::time::parse_iso8601(b"2026-11-10T10:54:32Z").unwrap());
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
        let names: Vec<&str> = store.clients().iter().map(|c| c.name.as_str()).collect();
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
        assert_eq!(read(b"time,who\n1,2\n", &mut builder), Err(ReadError::MissingColumn("timestamp")));
        assert_eq!(read(b"timestamp,client_id,status\n", &mut builder), Err(ReadError::MissingColumn("template")));
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
