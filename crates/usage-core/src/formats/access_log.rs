//! nginx and Apache access logs in the combined or common log format:
//! `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ["$referer" "$user_agent" …]`.
//!
//! Lines are read by their structure, not split on spaces, because every field a client can
//! choose may hold spaces, quotes and brackets:
//! - the time is the first ` [dd/Mon/yyyy:hh:mm:ss ±hhmm]` followed by the request's quote;
//! - the remote user runs from after the ident (` - `) up to the ` [` that opens the time;
//! - the request, referrer and user agent each run up to their closing quote, escapes honoured.
//!
//! nginx writes `"`, `\` and every byte outside printable ASCII as `\xXX`; Apache writes `\"`,
//! `\\`, `\n`-style escapes and `\xhh`. Both are decoded in every field, and the bytes are then
//! read as UTF-8: invalid UTF-8 shows as U+FFFD and the read report says so for that line.
//!
//! Each line's own UTC offset is honoured. The address part may be an X-Forwarded-For list
//! (`10.0.0.2, 10.0.0.1, 81.2.69.143`, possibly quoted and followed by the proxy's address); the
//! caller's IP is its first public address, else its first entry, as Elastic's nginx module does.
//!
//! Every line with a time and a status is a request the server answered and counts, also when
//! its request line is not HTTP (a TLS handshake or a scanner's garbage, answered with a 400):
//! such requests go under the template `(malformed request line)` and the method `(none)`.
//! Only lines without a time or a status are skipped. Access logs name no API client, so the
//! client is the authenticated `$remote_user` when there is one, else "Unknown client".

use std::net::IpAddr;

use super::{LineParser, UNKNOWN_CLIENT_ID, UNKNOWN_CLIENT_NAME};
use crate::formats::time::days_from_civil;
use crate::model::{BucketWidth, SECONDS_PER_DAY};
use crate::store::{Row, StoreBuilder};
use crate::template;

/// The template of requests whose request line is not HTTP.
pub const MALFORMED_TEMPLATE: &str = "(malformed request line)";
/// Their method.
pub const NO_METHOD: &str = "(none)";

/// Reads access-log lines, counting those with a malformed request line for the report.
/// nginx's and Apache's access logs, combined or common.
pub const FORMAT: super::Description = super::Description {
    name: "nginx/Apache access log",
    status_detail: crate::dimension::StatusDetail::Codes,
    recognise: super::Recognise::Line(looks_like_access_log),
    reading: super::Reading::AccessLog,
    example: "203.0.113.7 - ann [22/Nov/2026:10:00:00 +0100] \"GET /api/users/1 HTTP/1.1\" 200 10 \"-\" \"curl/8.5\"\n",
};

/// `… [07/Dec/2016:11:05:07 +0100] "…`: a time in brackets (not only the first ` [`, since a
/// user name may hold one) followed by a quoted request.
fn looks_like_access_log(line: &str) -> bool {
    time_field(line.as_bytes()).is_some_and(|(open, _)| line.as_bytes().get(open + 29..open + 31) == Some(b" \""))
}

#[derive(Default)]
pub struct AccessLog {
    malformed: usize,
    /// The team's own format, when the lines are read with one rather than as combined.
    format: Option<super::log_format::LogFormat>,
}

impl AccessLog {
    /// A parser that reads every line with `format`.
    pub fn with_format(format: super::log_format::LogFormat) -> AccessLog {
        AccessLog {
            malformed: 0,
            format: Some(format),
        }
    }
}

/// What a request line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestLine {
    /// `METHOD target [HTTP/x.y]`; the target may hold spaces.
    Http {
        method: String,
        target: String,
        protocol: Option<String>,
    },
    /// Anything else the server answered: a TLS handshake, `-`, an empty string, garbage.
    Malformed(String),
}

/// One access-log line, every field decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLine {
    /// The address part as written: one address, or a forwarded-for list.
    pub remote: String,
    /// The authenticated user; `None` for `-`.
    pub user: Option<String>,
    /// Unix seconds (UTC).
    pub timestamp: i64,
    pub request: RequestLine,
    pub status: u16,
    /// Response bytes; `None` for `-`.
    pub bytes: Option<u64>,
    /// `None` when absent or `-`.
    pub referer: Option<String>,
    pub agent: Option<String>,
    /// The request's time in microseconds, from a common extended format's `$request_time`.
    pub latency_us: Option<u64>,
    /// The upstreams' time in microseconds (`$upstream_response_time`), summed.
    pub upstream_us: Option<u64>,
    /// Whether a field that is shown (address, user, request target) held bytes that are not
    /// UTF-8, now U+FFFD.
    pub lossy: bool,
}

/// `07/Dec/2016:11:05:07 +0100` → Unix seconds (UTC).
pub(crate) fn parse_clf_time(text: &str) -> Option<i64> {
    parse_clf_time_bytes(text.as_bytes())
}

fn parse_clf_time_bytes(b: &[u8]) -> Option<i64> {
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[14] != b':' || b[17] != b':' || b[20] != b' '
    {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> {
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    let month = match &b[3..6] {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    };
    let (day, year) = (num(&b[0..2])?, num(&b[7..11])?);
    let (hour, minute, second) = (num(&b[12..14])?, num(&b[15..17])?, num(&b[18..20])?);
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (num(&b[22..24])? * 3_600 + num(&b[24..26])? * 60);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(
        days_from_civil(year, month, day as u32) * SECONDS_PER_DAY + hour * 3_600 + minute * 60 + second.min(59)
            - offset,
    )
}

/// Decodes nginx's `\xXX` and Apache's `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\v` and `\xhh`
/// escapes into the bytes the client sent. A backslash before anything else stays as written.
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        if field[i] == b'\\' {
            let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
            match field.get(i + 1) {
                Some(b'x' | b'X') => {
                    if let (Some(h), Some(l)) = (hex(field.get(i + 2)), hex(field.get(i + 3))) {
                        out.push((h * 16 + l) as u8);
                        i += 4;
                        continue;
                    }
                }
                Some(&c @ (b'"' | b'\\')) => {
                    out.push(c);
                    i += 2;
                    continue;
                }
                Some(&c @ (b'n' | b'r' | b't' | b'b' | b'v')) => {
                    out.push(match c {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        _ => 0x0b,
                    });
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(field[i]);
        i += 1;
    }
    out
}

/// The text of decoded bytes: UTF-8, with U+FFFD (and `lossy` set) where it is not.
fn text_of(bytes: Vec<u8>, lossy: &mut bool) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| {
        *lossy = true;
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    })
}

/// A quoted field starting after its opening quote: the raw bytes up to the closing quote (a
/// quote after a backslash does not close it) and what follows the closing quote.
fn quoted(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'"' => return Some((&rest[..i], &rest[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

/// Where the time opens: the first ` [` followed by a valid time, `]` and the request's quote.
/// A user name may hold `[22/Nov/2026:10:00:00 +0000]` itself, but never a raw `"` (both servers
/// escape it), so only the real time is followed by `] "`. A log whose request is not quoted
/// falls back to the first time in brackets.
pub(crate) fn time_field(line: &[u8]) -> Option<(usize, i64)> {
    let mut first = None;
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&line[from..], b" [").map(|p| p + from) {
        if let Some(time) = line.get(at + 2..at + 28).and_then(parse_clf_time_bytes) {
            if line.get(at + 28..at + 31) == Some(b"] \"") {
                return Some((at, time));
            }
            if line.get(at + 28) == Some(&b']') && first.is_none() {
                first = Some((at, time));
            }
        }
        from = at + 1;
    }
    first
}

/// Reads a request line: `METHOD target [HTTP/x.y]`, where the target may hold spaces.
pub(crate) fn request_line(text: String) -> RequestLine {
    let method_end = text.find(' ');
    let method = method_end.map_or(text.as_str(), |end| &text[..end]);
    let rest = method_end.map_or("", |end| &text[end + 1..]);
    let is_method = !method.is_empty()
        && method.len() <= 20
        && method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-' || b == b'_');
    let (target, protocol) = match rest.rsplit_once(' ') {
        Some((target, protocol)) if protocol.starts_with("HTTP/") => (target, Some(protocol)),
        _ => (rest, None),
    };
    if !is_method || target.is_empty() {
        return RequestLine::Malformed(text);
    }
    RequestLine::Http {
        method: method.to_owned(),
        target: target.to_owned(),
        protocol: protocol.map(str::to_owned),
    }
}

/// Shows raw bytes in a message: printable text as it is, anything else as `\xXX`, at most 40 characters.
pub fn shown(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.push_str(&format!("\\x{:02X}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    if out.chars().count() > 40 {
        out = out.chars().take(39).collect::<String>() + "…";
    }
    out
}

/// Why an access log line cannot be counted: it has no time, no request or no status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("no [dd/Mon/yyyy:hh:mm:ss ±hhmm] time")]
    NoTime,
    /// What followed the time instead, shown with unreadable bytes as `\xXX`.
    #[error("no quoted request after the time (“{0}”)")]
    NoRequest(String),
    #[error("the status “{0}” is not a number")]
    BadStatus(String),
}

/// Reads one line; the error says why it cannot be counted.
pub fn parse_line(line: &[u8]) -> Result<AccessLine, LineError> {
    let (open, timestamp) = time_field(line).ok_or(LineError::NoTime)?;
    let mut lossy = false;
    // Before the time: the address part, then the ident (nginx always writes "-"), then the user.
    let prefix = &line[..open];
    let (remote, user) = match memchr::memmem::find(prefix, b" - ") {
        Some(dash) => (&prefix[..dash], &prefix[dash + 3..]),
        None => {
            // An identd name instead of "-", or nothing at all: address, ident, user by spaces.
            let mut parts = prefix.splitn(3, |&b| b == b' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(remote), Some(_ident), Some(user)) => (remote, user),
                (Some(remote), _, None) => (remote, &b"-"[..]),
                _ => (prefix, &b"-"[..]),
            }
        }
    };
    let user = match user {
        b"-" | b"" => None,
        user => Some(text_of(unescape(user), &mut lossy)),
    };
    let remote = text_of(unescape(remote), &mut lossy);
    let after_time = &line[open + 29..];
    let after_time = after_time.strip_prefix(b" ").unwrap_or(after_time);
    // The request, quoted; a log without quotes around it has none to read.
    let (request, rest) = match after_time.strip_prefix(b"\"").and_then(quoted) {
        Some((raw, rest)) => {
            // Only a request that is shown (its target becomes a template) can be "not UTF-8 text":
            // a TLS handshake's bytes are not text and never were.
            let mut request_lossy = false;
            let request = request_line(text_of(unescape(raw), &mut request_lossy));
            lossy |= request_lossy && matches!(request, RequestLine::Http { .. });
            (request, rest)
        }
        None => {
            return Err(LineError::NoRequest(shown(&after_time[..after_time.len().min(40)])));
        }
    };
    let mut fields = rest.trim_ascii_start().splitn(3, |&b| b == b' ');
    let status_text = fields.next().unwrap_or_default();
    let status = std::str::from_utf8(status_text)
        .ok()
        .filter(|s| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| LineError::BadStatus(shown(status_text)))?;
    let bytes = fields
        .next()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|b| b.trim().parse::<u64>().ok());
    let mut extra = fields.next().unwrap_or_default().trim_ascii_start();
    let mut next_quoted = || {
        let (raw, rest) = extra.strip_prefix(b"\"").and_then(quoted)?;
        extra = rest.trim_ascii_start();
        Some(raw)
    };
    let (referer, agent) = (next_quoted(), next_quoted());
    // Referrer and agent are decoded too, but not shown, so they need no word in the report.
    let optional = |raw: Option<&[u8]>| raw.filter(|r| *r != b"-").map(|r| text_of(unescape(r), &mut false));
    let (referer, agent) = (optional(referer), optional(agent));
    let (latency_us, upstream_us) = extended_times(extra);
    Ok(AccessLine {
        remote,
        user,
        timestamp,
        request,
        status,
        bytes,
        referer,
        agent,
        latency_us,
        upstream_us,
        lossy,
    })
}

/// The request and upstream times of the common extended formats, after the user agent: two
/// numbers (`$request_time $upstream_response_time`, the second optional), or nginx's labelled
/// `rt=… urt="…"`. Quoted fields between them (a header) are passed over.
fn extended_times(mut rest: &[u8]) -> (Option<u64>, Option<u64>) {
    let mut tokens: Vec<Vec<u8>> = Vec::new();
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix(b"\"") {
            // A quoted header: passed over.
            match quoted(after) {
                Some((_, tail)) => rest = tail,
                None => break,
            }
            continue;
        }
        let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        let token = rest[..end].to_vec();
        rest = &rest[end..];
        // A list of upstream times (`0.004, 0.010`) is one field.
        match tokens.last_mut() {
            Some(last) if last.ends_with(b",") => {
                last.push(b' ');
                last.extend(token);
            }
            _ => tokens.push(token),
        }
    }
    let (mut request, mut upstream) = (None, None);
    let mut bare = Vec::new();
    for token in &tokens {
        match token.iter().position(|&b| b == b'=') {
            Some(eq) => {
                let value = &token[eq + 1..];
                let value = value.strip_prefix(b"\"").unwrap_or(value);
                let value = value.strip_suffix(b"\"").unwrap_or(value);
                match &token[..eq] {
                    b"rt" | b"request_time" => request = seconds_us(value),
                    b"urt" | b"upstream_response_time" => upstream = upstream_us_of(value),
                    _ => {}
                }
            }
            None => bare.push(token.as_slice()),
        }
    }
    if request.is_none() {
        // Unlabelled: the first time is the request's, the next (or `-`) the upstreams'.
        let mut times = bare.into_iter().filter(|t| *t == b"-" || upstream_us_of(t).is_some());
        request = times.next().and_then(seconds_us);
        upstream = upstream.or_else(|| times.next().and_then(upstream_us_of));
    }
    (request, upstream)
}

/// nginx's seconds with milliseconds (`0.012`) in microseconds: digits, a point and three
/// digits, so that a byte count or a port is never taken for a time.
fn seconds_us(text: &[u8]) -> Option<u64> {
    let (whole, fraction) = text.split_at(text.iter().position(|&b| b == b'.')?);
    let fraction = &fraction[1..];
    if whole.is_empty() || fraction.len() != 3 || !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return None;
    }
    let whole: u64 = std::str::from_utf8(whole).ok()?.parse().ok()?;
    let fraction: u64 = std::str::from_utf8(fraction).ok()?.parse().ok()?;
    whole.checked_mul(1_000_000)?.checked_add(fraction * 1_000)
}

/// `$upstream_response_time` in microseconds: each upstream's time, read by `item`, summed
/// (`0.004, 0.010`; `:` across an internal redirect); `None` when no upstream answered (`-`).
pub(crate) fn upstream_sum(text: &[u8], item: impl Fn(&[u8]) -> Option<u64>) -> Option<u64> {
    let times: Vec<u64> = text
        .split(|&b| b == b',' || b == b':')
        .filter_map(|t| item(t.trim_ascii()))
        .collect();
    (!times.is_empty()).then(|| times.iter().sum())
}

/// The same with nginx's own notation only ([`seconds_us`]).
fn upstream_us_of(text: &[u8]) -> Option<u64> {
    upstream_sum(text, seconds_us)
}

fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !(v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()),
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// The caller's address from the remote part: the first public IP, else the first entry.
fn caller_address(remote: &str) -> String {
    let entries: Vec<&str> = remote
        .split([',', ' '])
        .map(|e| e.trim().trim_matches('"'))
        .filter(|e| !e.is_empty())
        .collect();
    entries
        .iter()
        .find(|e| e.parse::<IpAddr>().is_ok_and(|ip| is_public(&ip)))
        .or(entries.first())
        .map(|e| e.to_string())
        .unwrap_or_default()
}

impl LineParser for AccessLog {
    fn parse_line(&mut self, line: &[u8], builder: &mut StoreBuilder) -> Result<Option<String>, String> {
        let parsed = match &self.format {
            Some(format) => format.read_line(line).map_err(|e| e.to_string())?.line,
            None => parse_line(line).map_err(|e| e.to_string())?,
        };
        let client = match &parsed.user {
            None => builder.client(UNKNOWN_CLIENT_ID, UNKNOWN_CLIENT_NAME),
            Some(name) => builder.client(name, name),
        };
        let endpoint = match &parsed.request {
            RequestLine::Http { method, target, .. } => builder.endpoint(method, &template::fold(target)),
            RequestLine::Malformed(_) => builder.endpoint(NO_METHOD, MALFORMED_TEMPLATE),
        };
        let ip = builder.ip(&caller_address(&parsed.remote));
        // The authenticated user is both who calls (the client) and the User dimension.
        let user = builder.user(parsed.user.as_deref().unwrap_or(""));
        builder.push_row(Row {
            timestamp: parsed.timestamp,
            bucket: BucketWidth::Request,
            client,
            endpoint,
            status: parsed.status,
            requests: 1,
            ip,
            user,
            bytes: parsed.bytes,
            latency_us: parsed.latency_us,
            ..Row::default()
        })?;
        if matches!(parsed.request, RequestLine::Malformed(_)) {
            self.malformed += 1;
        }
        Ok(parsed
            .lossy
            .then(|| "some bytes are not UTF-8 text; they are shown as �".to_owned()))
    }

    fn notes(&self) -> Vec<String> {
        let format = self
            .format
            .as_ref()
            .map(|_| "read with the log format you gave".to_owned());
        match self.malformed {
            0 => format.into_iter().collect(),
            n => format.into_iter().chain([format!(
                "{} {} no HTTP request line (a TLS handshake, a probe or an empty request) but a response from the server: counted under “{MALFORMED_TEMPLATE}”",
                crate::format::thousands(n as u64),
                if n == 1 { "line had" } else { "lines had" }
            )]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards time parsing with each line's own offset.
    #[test]
    fn clf_times_convert_to_utc() {
        assert_eq!(
            parse_clf_time("07/Dec/2016:11:05:07 +0100"),
            super::super::time::parse_iso8601(b"2016-12-07T10:05:07Z")
        );
        assert_eq!(
            parse_clf_time("29/Feb/2024:23:30:00 -0100"),
            super::super::time::parse_iso8601(b"2024-03-01T00:30:00Z")
        );
        assert_eq!(parse_clf_time("07/Foo/2016:11:05:07 +0100"), None);
        assert_eq!(parse_clf_time("07/Dec/2016 11:05:07"), None);
    }

    // Guards decoding: nginx \xXX (UTF-8 bytes, an escaped quote) and Apache's \" and \\.
    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            unescape(br#"GET /Z\xC3\xBCrich?q=\x22a\x22 HTTP/1.1"#),
            "GET /Zürich?q=\"a\" HTTP/1.1".as_bytes()
        );
        assert_eq!(unescape(br#"say \"hi\" \\ there\n"#), b"say \"hi\" \\ there\n");
        assert_eq!(
            unescape(br"\q \x4 \xZZ"),
            br"\q \x4 \xZZ",
            "what is not an escape stays as written"
        );
    }

    // Guards the user field: non-ASCII from escapes, spaces, brackets and HTML all come out exactly.
    #[test]
    fn users_are_read_whole_and_decoded() {
        let line = |user: &str| {
            format!("203.0.113.9 - {user} [22/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl\"")
        };
        let user_of = |user: &str| parse_line(line(user).as_bytes()).unwrap().user;
        assert_eq!(user_of(r"Z\xC3\xBCrich-wallboard"), Some("Zürich-wallboard".into()));
        assert_eq!(
            user_of("<img src=x onerror=alert(1)>"),
            Some("<img src=x onerror=alert(1)>".into())
        );
        assert_eq!(user_of("ann [ops] team"), Some("ann [ops] team".into()));
        assert_eq!(user_of("a - b"), Some("a - b".into()));
        assert_eq!(
            user_of("x [22/Nov/2026:09:00:00 +0000] y"),
            Some("x [22/Nov/2026:09:00:00 +0000] y".into()),
            "a time inside the user name is not the line's"
        );
        assert_eq!(user_of("-"), None);
        let bad = parse_line(line(r"caf\xE9").as_bytes()).unwrap();
        assert_eq!((bad.user.as_deref(), bad.lossy), (Some("caf\u{FFFD}"), true));
    }

    // Guards lines the server answered without an HTTP request: counted, not skipped, and their
    // bytes (not text) are no reason to warn.
    #[test]
    fn malformed_request_lines_are_requests() {
        let tls =
            "198.51.100.4 - - [22/Nov/2026:10:00:00 +0000] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 157 \"-\" \"-\"";
        let parsed = parse_line(tls.as_bytes()).unwrap();
        assert!(matches!(parsed.request, RequestLine::Malformed(_)));
        assert_eq!(
            (parsed.status, parsed.bytes, parsed.remote.as_str(), parsed.lossy),
            (400, Some(157), "198.51.100.4", false)
        );
        for request in ["\"-\"", "\"\"", "\"hello\"", "\"get / HTTP/1.1\""] {
            let line = format!("::1 - - [22/Nov/2026:10:00:00 +0000] {request} 408 -");
            assert!(
                matches!(parse_line(line.as_bytes()).unwrap().request, RequestLine::Malformed(_)),
                "{request}"
            );
        }
        let spaced = parse_line(b"::1 - - [22/Nov/2026:10:00:00 +0000] \"GET /a b HTTP/1.1\" 200 1").unwrap();
        assert_eq!(
            spaced.request,
            RequestLine::Http {
                method: "GET".into(),
                target: "/a b".into(),
                protocol: Some("HTTP/1.1".into())
            }
        );
    }

    // Guards what is still skipped, and that the message shows unreadable bytes as \xXX, not boxes.
    #[test]
    fn only_lines_without_a_time_or_status_are_skipped() {
        assert!(
            parse_line(b"garbage without a time")
                .unwrap_err()
                .to_string()
                .contains("no [dd/Mon")
        );
        let error = parse_line(b"::1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" \x01\xff 12").unwrap_err();
        assert_eq!(error.to_string(), "the status “\\x01\\xFF” is not a number");
        assert_eq!(shown(b"ok\x00\xe9"), "ok\\x00\\xE9");
    }

    // Guards the caller address chosen from forwarded lists.
    #[test]
    fn caller_is_the_first_public_address() {
        assert_eq!(caller_address("10.0.0.2, 10.0.0.1, 81.2.69.143"), "81.2.69.143");
        assert_eq!(caller_address("10.0.0.2, 10.0.0.1, 127.0.0.1"), "10.0.0.2");
        assert_eq!(
            caller_address("\"10.5.102.222, 175.16.199.1, 204.246.1.1\" 10.2.1.185"),
            "175.16.199.1"
        );
        assert_eq!(caller_address("localhost, localhost"), "localhost");
        assert_eq!(caller_address("::1"), "::1");
    }
}
