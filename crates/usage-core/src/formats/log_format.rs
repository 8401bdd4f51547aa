//! Access logs written with a team's own format: an nginx `log_format` or an Apache `LogFormat`.
//!
//! The format is read once into pieces (literal text and variables), and each line is read by
//! walking them: a variable runs up to the literal text that follows it, so a field may hold
//! spaces. Inside quotes a field runs to the first quote that no backslash escapes (nginx writes
//! a quote as `\x22`, Apache as `\"`), and escapes are decoded as in combined logs.
//!
//! Every variable the dashboard knows becomes part of the record (time, request, status, bytes,
//! user, address, latency); any other is kept by its name as text ([`LogLine::fields`]), never a
//! reason to refuse a line. A line whose literal text does not match is skipped with the column
//! where it stopped matching.

use super::access_log::{AccessLine, RequestLine, request_line, unescape};

/// What a variable holds, for the variables the dashboard reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var {
    /// `$remote_addr`, `%h`, `%a`: the caller's address (or a forwarded list).
    RemoteAddr,
    /// `$http_x_forwarded_for`, `%{X-Forwarded-For}i`.
    ForwardedFor,
    /// `$remote_user`, `%u`.
    RemoteUser,
    /// `$time_local`, `%t`: `10/Oct/2000:13:55:36 -0700` (Apache's in brackets).
    TimeLocal,
    /// `$time_iso8601`: `2000-10-10T13:55:36-07:00`.
    TimeIso8601,
    /// `$msec`: seconds since 1970 with milliseconds.
    Msec,
    /// `$request`, `%r`: `GET /a?b HTTP/1.1`.
    Request,
    /// `$request_method`, `%m`.
    Method,
    /// `$request_uri`: the path with its query.
    RequestUri,
    /// `$uri`, `%U`: the path alone.
    Uri,
    /// `$status`, `%>s`, `%s`.
    Status,
    /// `$body_bytes_sent`, `$bytes_sent`, `%b`, `%B`, `%O`.
    Bytes,
    /// `$request_time` (seconds with milliseconds), `%D` (microseconds), `%T` (seconds).
    RequestTime(TimeUnit),
    /// `$upstream_response_time`: seconds, a list (`0.004, 0.010`) when nginx tried more than
    /// one upstream, `-` when none answered.
    UpstreamTime,
    /// `$http_user_agent`, `%{User-Agent}i`.
    UserAgent,
    /// `$http_referer`, `%{Referer}i`.
    Referer,
    /// Anything else, by its name as written (`http_x_api_key`, `host`, `%{X-Api-Key}i`).
    Other(String),
}

/// The unit a request time is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Microseconds,
}

/// One piece of a format: text written as it is, or a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Literal(Vec<u8>),
    Var(Var),
}

/// Why a format cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the format is empty")]
    Empty,
    #[error("a quote opened in the format is never closed")]
    Unclosed,
    #[error("“{0}” and “{1}” follow each other with nothing between them, so a line cannot say where one ends")]
    Adjacent(String, String),
    #[error("the format has no time ($time_local, $time_iso8601, $msec or %t)")]
    NoTime,
    #[error("the format has no status ($status or %>s)")]
    NoStatus,
}

/// Why a line does not read with the format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("the line does not match the log format at column {column}: expected “{expected}”")]
    Mismatch { column: usize, expected: String },
    #[error("{var}, from column {column}, is never followed by “{expected}” as the log format has it")]
    NoEnd {
        var: String,
        column: usize,
        expected: String,
    },
    #[error("the time “{0}” is not one the format's time variable writes")]
    BadTime(String),
    #[error("the status “{0}” is not a number")]
    BadStatus(String),
}

/// A log format, read from what the user pasted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFormat {
    pieces: Vec<Piece>,
    /// What the user gave, as they gave it (what is saved).
    text: String,
}

/// One line read with a [`LogFormat`]: what a combined line has, every field decoded, and the
/// variables the dashboard does not read.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub line: AccessLine,
    /// The variables the dashboard does not read, by name, with their text.
    pub fields: Vec<(String, String)>,
}

impl LogFormat {
    /// Reads a format as the user pastes it: nginx's `log_format name '…' '…';` (the name and an
    /// `escape=` optional, quoted pieces over several lines), Apache's `LogFormat "…" name`, or
    /// the format string alone.
    pub fn parse(given: &str) -> Result<LogFormat, FormatError> {
        let text = given.trim();
        let pieces = if let Some(rest) = strip_word(text, "LogFormat") {
            apache_pieces(&quoted_strings(rest)?.join(""))
        } else if let Some(rest) = strip_word(text, "log_format") {
            nginx_pieces(&quoted_strings(skip_name_and_escape(rest))?.join(""))
        } else if text.starts_with(['\'', '"']) {
            let format = quoted_strings(text)?.join("");
            if looks_like_apache(&format) {
                apache_pieces(&format)
            } else {
                nginx_pieces(&format)
            }
        } else if looks_like_apache(text) {
            apache_pieces(text)
        } else {
            nginx_pieces(text)
        };
        let pieces = merge_literals(pieces);
        if pieces.is_empty() {
            return Err(FormatError::Empty);
        }
        for pair in pieces.windows(2) {
            if let [Piece::Var(a), Piece::Var(b)] = pair {
                return Err(FormatError::Adjacent(a.name(), b.name()));
            }
        }
        let has = |want: &dyn Fn(&Var) -> bool| pieces.iter().any(|p| matches!(p, Piece::Var(v) if want(v)));
        if !has(&|v| matches!(v, Var::TimeLocal | Var::TimeIso8601 | Var::Msec)) {
            return Err(FormatError::NoTime);
        }
        if !has(&|v| *v == Var::Status) {
            return Err(FormatError::NoStatus);
        }
        Ok(LogFormat {
            pieces,
            text: text.to_owned(),
        })
    }

    /// The format as the user gave it.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Whether the format reads the first lines of `head` (up to five, the last one only when
    /// it is whole): how a saved format is matched to a file of its shape.
    pub fn reads(&self, head: &[u8]) -> bool {
        let whole = match head.iter().rposition(|&b| b == b'\n') {
            Some(end) => &head[..end],
            None => head,
        };
        let mut lines = whole
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .take(5)
            .peekable();
        lines.peek().is_some() && lines.all(|line| self.read_line(line).is_ok())
    }

    /// Whether the format writes a request time.
    pub fn has_latency(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var(Var::RequestTime(_))))
    }

    /// The raw text of each variable in `line`, in the format's order.
    pub fn split<'a>(&self, line: &'a [u8]) -> Result<Vec<(&Var, &'a [u8])>, LineError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut out = Vec::new();
        let mut at = 0;
        let mut in_quotes = false;
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Literal(text) => {
                    if !line[at..].starts_with(text) {
                        return Err(LineError::Mismatch {
                            column: at + 1,
                            expected: String::from_utf8_lossy(text).into_owned(),
                        });
                    }
                    at += text.len();
                    in_quotes ^= text.iter().filter(|&&b| b == b'"').count() % 2 == 1;
                }
                Piece::Var(Var::UpstreamTime) => {
                    // A list (`0.004, 0.010`, or `0.004 : 0.002` across a redirect) holds the
                    // separator nginx puts between fields, so it is read by its own shape.
                    let end = at + upstream_len(&line[at..]);
                    out.push((&Var::UpstreamTime, &line[at..end]));
                    at = end;
                }
                Piece::Var(var) => {
                    let end = match self.pieces.get(i + 1) {
                        None => line.len(),
                        Some(Piece::Literal(next)) => find_end(&line[at..], next, in_quotes)
                            .map(|e| at + e)
                            .ok_or_else(|| LineError::NoEnd {
                                var: var.name(),
                                column: at + 1,
                                expected: String::from_utf8_lossy(next).into_owned(),
                            })?,
                        // Never: `parse` refuses two variables side by side.
                        Some(Piece::Var(_)) => line.len(),
                    };
                    out.push((var, &line[at..end]));
                    at = end;
                }
            }
        }
        if at != line.len() {
            return Err(LineError::Mismatch {
                column: at + 1,
                expected: "the end of the line".to_owned(),
            });
        }
        Ok(out)
    }

    /// Reads one line.
    pub fn read_line(&self, line: &[u8]) -> Result<LogLine, LineError> {
        let mut lossy = false;
        let mut text = |raw: &[u8], shown: bool| -> Option<String> {
            if raw == b"-" || raw.is_empty() {
                return None;
            }
            let bytes = unescape(raw);
            Some(String::from_utf8(bytes).unwrap_or_else(|e| {
                lossy |= shown;
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }))
        };
        let (mut remote, mut forwarded, mut user) = (None, None, None);
        let (mut timestamp, mut status, mut bytes) = (None, None, None);
        let (mut request, mut method, mut uri) = (None, None, None);
        let (mut latency_us, mut upstream_us, mut agent, mut referer) = (None, None, None, None);
        let mut fields = Vec::new();
        for (var, raw) in self.split(line)? {
            match var {
                Var::RemoteAddr => remote = text(raw, true),
                Var::ForwardedFor => forwarded = text(raw, true),
                Var::RemoteUser => user = text(raw, true),
                Var::TimeLocal => {
                    let inner = raw.strip_prefix(b"[").and_then(|r| r.strip_suffix(b"]")).unwrap_or(raw);
                    let at = std::str::from_utf8(inner)
                        .ok()
                        .and_then(super::access_log::parse_clf_time);
                    timestamp = Some(at.ok_or_else(|| LineError::BadTime(super::access_log::shown(raw)))?);
                }
                Var::TimeIso8601 => {
                    let at = super::time::parse_iso8601(raw);
                    timestamp = Some(at.ok_or_else(|| LineError::BadTime(super::access_log::shown(raw)))?);
                }
                Var::Msec => {
                    let at = std::str::from_utf8(raw)
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok())
                        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1e11);
                    timestamp = Some(at.ok_or_else(|| LineError::BadTime(super::access_log::shown(raw)))? as i64);
                }
                Var::Request => request = text(raw, false),
                Var::Method => method = text(raw, true),
                Var::RequestUri | Var::Uri => {
                    // `$request_uri` wins over `$uri`: it is what the client asked for.
                    if uri.is_none() || *var == Var::RequestUri {
                        uri = text(raw, true);
                    }
                }
                Var::Status => {
                    let parsed = std::str::from_utf8(raw)
                        .ok()
                        .filter(|s| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|s| s.parse::<u16>().ok());
                    status = Some(parsed.ok_or_else(|| LineError::BadStatus(super::access_log::shown(raw)))?);
                }
                Var::Bytes => {
                    bytes = bytes.or_else(|| std::str::from_utf8(raw).ok().and_then(|b| b.parse::<u64>().ok()));
                }
                Var::RequestTime(unit) => latency_us = duration_us(raw, *unit),
                Var::UpstreamTime => {
                    upstream_us = super::access_log::upstream_sum(raw, |t| duration_us(t, TimeUnit::Seconds));
                }
                Var::UserAgent => agent = text(raw, false),
                Var::Referer => referer = text(raw, false),
                // `-` is nginx's and Apache's "none": such a field is not kept.
                Var::Other(name) => fields.extend(text(raw, false).map(|value| (name.clone(), value))),
            }
        }
        let request = match (request, method, uri) {
            (Some(line), _, _) => request_line(line),
            (None, Some(method), Some(target)) => RequestLine::Http {
                method,
                target,
                protocol: None,
            },
            (None, None, Some(target)) => RequestLine::Http {
                method: "GET".to_owned(),
                target,
                protocol: None,
            },
            (None, method, None) => RequestLine::Malformed(method.unwrap_or_default()),
        };
        // A forwarded list names the caller first; the address alone is the last proxy's.
        let remote = match (forwarded, remote) {
            (Some(list), Some(addr)) => format!("{list}, {addr}"),
            (Some(list), None) => list,
            (None, addr) => addr.unwrap_or_default(),
        };
        Ok(LogLine {
            line: AccessLine {
                remote,
                user,
                // `parse` makes sure the format has both.
                timestamp: timestamp.ok_or(LineError::BadTime(String::new()))?,
                request,
                status: status.ok_or(LineError::BadStatus(String::new()))?,
                bytes,
                referer,
                agent,
                latency_us,
                upstream_us,
                lossy,
            },
            fields,
        })
    }
}

impl Var {
    /// The variable as a format writes it, for messages and unknown fields.
    pub fn name(&self) -> String {
        match self {
            Var::RemoteAddr => "$remote_addr",
            Var::ForwardedFor => "$http_x_forwarded_for",
            Var::RemoteUser => "$remote_user",
            Var::TimeLocal => "$time_local",
            Var::TimeIso8601 => "$time_iso8601",
            Var::Msec => "$msec",
            Var::Request => "$request",
            Var::Method => "$request_method",
            Var::RequestUri => "$request_uri",
            Var::Uri => "$uri",
            Var::Status => "$status",
            Var::Bytes => "$body_bytes_sent",
            Var::RequestTime(_) => "$request_time",
            Var::UpstreamTime => "$upstream_response_time",
            Var::UserAgent => "$http_user_agent",
            Var::Referer => "$http_referer",
            Var::Other(name) => return name.clone(),
        }
        .to_owned()
    }

    fn nginx(name: &str) -> Var {
        match name {
            "remote_addr" | "realip_remote_addr" | "binary_remote_addr" => Var::RemoteAddr,
            "http_x_forwarded_for" | "proxy_add_x_forwarded_for" => Var::ForwardedFor,
            "remote_user" => Var::RemoteUser,
            "time_local" => Var::TimeLocal,
            "time_iso8601" => Var::TimeIso8601,
            "msec" => Var::Msec,
            "request" => Var::Request,
            "request_method" => Var::Method,
            "request_uri" => Var::RequestUri,
            "uri" | "document_uri" => Var::Uri,
            "status" => Var::Status,
            "body_bytes_sent" | "bytes_sent" => Var::Bytes,
            "request_time" => Var::RequestTime(TimeUnit::Seconds),
            "upstream_response_time" => Var::UpstreamTime,
            "http_user_agent" => Var::UserAgent,
            "http_referer" => Var::Referer,
            other => Var::Other(format!("${other}")),
        }
    }

    fn apache(directive: char, argument: Option<&str>) -> Var {
        let header = argument.map(str::to_ascii_lowercase);
        match (directive, header.as_deref()) {
            ('h' | 'a', _) => Var::RemoteAddr,
            ('u', _) => Var::RemoteUser,
            ('t', None) => Var::TimeLocal,
            ('r', _) => Var::Request,
            ('m', _) => Var::Method,
            ('U', _) => Var::Uri,
            ('s', _) => Var::Status,
            ('b' | 'B' | 'O', _) => Var::Bytes,
            ('D', _) => Var::RequestTime(TimeUnit::Microseconds),
            ('T', None | Some("s")) => Var::RequestTime(TimeUnit::Seconds),
            ('T', Some("us")) => Var::RequestTime(TimeUnit::Microseconds),
            ('i', Some("user-agent")) => Var::UserAgent,
            ('i', Some("referer")) => Var::Referer,
            ('i', Some("x-forwarded-for")) => Var::ForwardedFor,
            (d, Some(_)) => Var::Other(format!("%{{{}}}{d}", argument.unwrap_or_default())),
            (d, None) => Var::Other(format!("%{d}")),
        }
    }
}

/// `text` without its first word `word` (case as written), or `None`.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    rest.starts_with(char::is_whitespace).then(|| rest.trim_start())
}

/// After `log_format`: the name and an optional `escape=…`, up to the first quote. A bare
/// format (no quotes) is the rest of the directive.
fn skip_name_and_escape(rest: &str) -> &str {
    match rest.find(['\'', '"']) {
        Some(quote) => &rest[quote..],
        None => rest.split_once(char::is_whitespace).map_or(rest, |(_, format)| format),
    }
}

/// The quoted strings of `text` in order, joined by nginx's rules: `'…'` or `"…"`, a backslash
/// escaping the next character inside them. Text outside quotes (a name, `;`) is left out; with
/// no quote at all, the text up to a `;` is the one string.
fn quoted_strings(text: &str) -> Result<Vec<String>, FormatError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        any = true;
        let mut piece = String::new();
        let mut closed = false;
        while let Some(inner) = chars.next() {
            match inner {
                '\\' => {
                    if let Some(&next) = chars.peek() {
                        // `\"` and `\'` are the quote; any other escape is kept for the format.
                        if next == c {
                            piece.push(next);
                        } else {
                            piece.push('\\');
                            piece.push(next);
                        }
                        chars.next();
                    }
                }
                q if q == c => {
                    closed = true;
                    break;
                }
                other => piece.push(other),
            }
        }
        if !closed {
            return Err(FormatError::Unclosed);
        }
        out.push(piece);
    }
    if !any {
        out.push(text.trim_end().trim_end_matches(';').to_owned());
    }
    Ok(out)
}

/// Whether a format string is Apache's: `%h`, `%>s`, `%{…}i` and no `$` variables.
fn looks_like_apache(format: &str) -> bool {
    !format.contains('$') && (format.contains("%h") || format.contains("%>s") || format.contains("%t"))
}

fn nginx_pieces(format: &str) -> Vec<Piece> {
    let bytes = format.as_bytes();
    let mut pieces = Vec::new();
    let mut literal = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let (name, end) = if bytes.get(i + 1) == Some(&b'{') {
                match format[i + 2..].find('}') {
                    Some(close) => (&format[i + 2..i + 2 + close], i + 3 + close),
                    None => ("", i + 1),
                }
            } else {
                let len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                (&format[i + 1..i + 1 + len], i + 1 + len)
            };
            if !name.is_empty() {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Var(Var::nginx(name)));
                i = end;
                continue;
            }
        }
        literal.push(bytes[i]);
        i += 1;
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    pieces
}

fn apache_pieces(format: &str) -> Vec<Piece> {
    let chars: Vec<char> = format.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            // Apache's own escapes in a format: \n, \t, \", \\.
            match chars.get(i + 1) {
                Some('n') => literal.push('\n'),
                Some('t') => literal.push('\t'),
                Some(&other) => literal.push(other),
                None => literal.push('\\'),
            }
            i += 2;
            continue;
        }
        if c != '%' {
            literal.push(c);
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if chars.get(j) == Some(&'%') {
            literal.push('%');
            i += 2;
            continue;
        }
        // Modifiers: `<`, `>`, and status conditions such as `!200,304`.
        while chars
            .get(j)
            .is_some_and(|c| matches!(c, '<' | '>' | '!' | ',') || c.is_ascii_digit())
        {
            j += 1;
        }
        let mut argument = None;
        if chars.get(j) == Some(&'{') {
            let close = chars[j..].iter().position(|&c| c == '}').map(|p| j + p);
            if let Some(close) = close {
                argument = Some(chars[j + 1..close].iter().collect::<String>());
                j = close + 1;
            }
        }
        match chars.get(j) {
            Some(&directive) if directive.is_ascii_alphabetic() => {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal).into_bytes()));
                }
                pieces.push(Piece::Var(Var::apache(directive, argument.as_deref())));
                i = j + 1;
            }
            _ => {
                literal.push('%');
                i += 1;
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal.into_bytes()));
    }
    pieces
}

fn merge_literals(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Piece::Literal(before)), Piece::Literal(more)) => before.extend(more),
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// Where a field ends: the first `next` in `rest`, skipping what a backslash escapes inside
/// quotes (where both servers escape a quote).
fn find_end(rest: &[u8], next: &[u8], in_quotes: bool) -> Option<usize> {
    if !in_quotes {
        return memchr::memmem::find(rest, next);
    }
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'\\' {
            i += 2;
            continue;
        }
        if rest[i..].starts_with(next) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// How long the `$upstream_response_time` at the start of `text` is: times or `-`, joined by
/// `, ` or ` : `.
fn upstream_len(text: &[u8]) -> usize {
    let item = |from: usize| {
        from + text[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.' || **b == b'-')
            .count()
    };
    let mut end = item(0);
    loop {
        let rest = &text[end..];
        let gap = if rest.starts_with(b", ") {
            2
        } else if rest.starts_with(b" : ") {
            3
        } else {
            return end;
        };
        let next = item(end + gap);
        if next == end + gap {
            return end;
        }
        end = next;
    }
}

/// A duration in microseconds; `None` for `-` or text that is not a duration.
fn duration_us(raw: &[u8], unit: TimeUnit) -> Option<u64> {
    let value: f64 = std::str::from_utf8(raw).ok()?.trim().parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let us = match unit {
        TimeUnit::Seconds => value * 1e6,
        TimeUnit::Microseconds => value,
    };
    (us < 1e15).then(|| us.round() as u64)
}

/// For the fuzz target: the first line of `data` as a format, every later line read with it,
/// and the whole read as a file in that format. Nothing may panic.
#[doc(hidden)]
pub fn fuzz_log_format(data: &[u8]) {
    let (format, lines) = match data.iter().position(|&b| b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &[][..]),
    };
    let Ok(format) = LogFormat::parse(&String::from_utf8_lossy(format)) else {
        return;
    };
    for line in lines.split(|&b| b == b'\n') {
        let _ = format.read_line(line);
    }
    let _ = format.reads(lines);
    let mut builder = crate::store::StoreBuilder::new();
    let mut reader = super::FileReader::with_log_format(format);
    let _ = reader.feed(lines, &mut builder);
    let _ = reader.finish(&mut builder);
}

#[cfg(test)]
mod tests {
    use super::*;

    const NGINX_TIMED: &str = r#"log_format api '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" $request_time $upstream_response_time "$http_x_api_key"';"#;

    // Guards the directive as nginx.conf has it: the name, quoted pieces over lines, the `;`.
    #[test]
    fn an_nginx_directive_over_several_lines_is_read() {
        let format = LogFormat::parse(NGINX_TIMED).unwrap();
        let vars: Vec<String> = format
            .pieces()
            .iter()
            .filter_map(|p| match p {
                Piece::Var(v) => Some(v.name()),
                Piece::Literal(_) => None,
            })
            .collect();
        assert_eq!(
            vars,
            [
                "$remote_addr",
                "$remote_user",
                "$time_local",
                "$request",
                "$status",
                "$body_bytes_sent",
                "$http_referer",
                "$http_user_agent",
                "$request_time",
                "$upstream_response_time",
                "$http_x_api_key"
            ]
        );
        assert!(format.has_latency());
        let line = br#"203.0.113.9 - - [08/Dec/2026:10:00:00 +0000] "GET /v1/users/7?api_key=x HTTP/1.1" 200 512 "-" "billing-sync/2.3" 0.012 0.004, 0.006 "sk_live_abc""#;
        let read = format.read_line(line).unwrap();
        assert_eq!(read.line.status, 200);
        assert_eq!(read.line.bytes, Some(512));
        assert_eq!(read.line.latency_us, Some(12_000));
        assert_eq!(read.line.upstream_us, Some(10_000), "both upstreams, summed");
        assert_eq!(read.line.agent.as_deref(), Some("billing-sync/2.3"));
        assert_eq!(read.fields, [("$http_x_api_key".to_owned(), "sk_live_abc".to_owned())]);
        assert!(matches!(read.line.request, RequestLine::Http { ref target, .. } if target == "/v1/users/7?api_key=x"));
    }

    // Guards Apache's LogFormat with %D (microseconds) and a header, and its nickname left out.
    #[test]
    fn an_apache_log_format_is_read() {
        let format = LogFormat::parse(r#"LogFormat "%h %l %u %t \"%r\" %>s %b %D \"%{X-Api-Key}i\"" timed"#).unwrap();
        let line = br#"198.51.100.2 - ann [08/Dec/2026:10:00:00 -0500] "POST /orders HTTP/1.1" 201 - 2345 "k-1""#;
        let read = format.read_line(line).unwrap();
        assert_eq!(
            (
                read.line.status,
                read.line.bytes,
                read.line.latency_us,
                read.line.user.as_deref()
            ),
            (201, None, Some(2345), Some("ann"))
        );
        assert_eq!(
            Some(read.line.timestamp),
            super::super::time::parse_iso8601(b"2026-12-08T15:00:00Z")
        );
        assert_eq!(read.fields, [("%{X-Api-Key}i".to_owned(), "k-1".to_owned())]);
    }

    // Guards formats a line cannot be read with: no time, no status, two variables side by side.
    #[test]
    fn unusable_formats_say_why() {
        assert_eq!(LogFormat::parse("$remote_addr $status"), Err(FormatError::NoTime));
        assert_eq!(LogFormat::parse("[$time_local] $request"), Err(FormatError::NoStatus));
        assert!(matches!(
            LogFormat::parse("$time_iso8601 $status$body_bytes_sent"),
            Err(FormatError::Adjacent(..))
        ));
        assert_eq!(LogFormat::parse("log_format x '$status"), Err(FormatError::Unclosed));
        assert_eq!(LogFormat::parse("   "), Err(FormatError::Empty));
    }

    // Guards a line that does not match: skipped with the column where it stopped.
    #[test]
    fn a_line_of_another_shape_says_where() {
        let format = LogFormat::parse("$time_iso8601 $status \"$request\"").unwrap();
        assert_eq!(
            format.read_line(b"2026-12-08T10:00:00Z 200 GET /").unwrap_err(),
            LineError::NoEnd {
                var: "$status".to_owned(),
                column: 22,
                expected: " \"".to_owned()
            },
            "the status is never followed by the quote that should open the request"
        );
        let read = format
            .read_line(b"2026-12-08T10:00:00+01:00 404 \"GET /a \\x22b\\x22 HTTP/2.0\"")
            .unwrap();
        assert_eq!(
            Some(read.line.timestamp),
            super::super::time::parse_iso8601(b"2026-12-08T09:00:00Z")
        );
        assert!(matches!(read.line.request, RequestLine::Http { ref target, .. } if target == "/a \"b\""));
    }

    // Guards $msec, method and uri pieces instead of $request, and a forwarded list before the address.
    #[test]
    fn pieces_of_the_request_and_the_forwarded_caller() {
        let format =
            LogFormat::parse("$msec $request_method $uri $status \"$http_x_forwarded_for\" $remote_addr").unwrap();
        let read = format
            .read_line(b"1796724000.123 DELETE /v1/keys/9 204 \"81.2.69.143, 10.0.0.2\" 10.0.0.1")
            .unwrap();
        assert_eq!(read.line.timestamp, 1_796_724_000, "whole seconds");
        assert_eq!(read.line.remote, "81.2.69.143, 10.0.0.2, 10.0.0.1");
        assert_eq!(
            read.line.request,
            RequestLine::Http {
                method: "DELETE".into(),
                target: "/v1/keys/9".into(),
                protocol: None
            }
        );
    }
}
