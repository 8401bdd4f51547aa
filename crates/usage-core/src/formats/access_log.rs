//! nginx and Apache access logs in the combined or common log format:
//! `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ["$referer" "$user_agent" …]`.
//!
//! Each line's own UTC offset is honoured. The address part may be an
//! X-Forwarded-For list (`10.0.0.2, 10.0.0.1, 81.2.69.143`, possibly quoted
//! and followed by the proxy's address); the caller's IP is its first public
//! address, else its first entry, as Elastic's nginx module does. nginx's
//! `\xXX` escapes are decoded. A request line that is not `METHOD URL
//! PROTOCOL` (a TLS handshake, `-`, an empty string) is skipped and reported.
//! Access logs name no API client, so the client is the authenticated
//! `$remote_user` when there is one, else "Unknown client".

use std::net::IpAddr;

use super::{LineParser, UNKNOWN_CLIENT_ID, UNKNOWN_CLIENT_NAME};
use crate::formats::time::days_from_civil;
use crate::model::{BucketWidth, SECONDS_PER_DAY};
use crate::store::{Row, StoreBuilder};
use crate::template;

/// Reads access-log lines.
#[derive(Default)]
pub struct AccessLog;

/// `07/Dec/2016:11:05:07 +0100` → Unix seconds (UTC).
pub(crate) fn parse_clf_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[14] != b':' || b[17] != b':' || b[20] != b' ' {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> { std::str::from_utf8(s).ok()?.parse().ok() };
    let month = match &text[3..6] {
        "Jan" => 1, "Feb" => 2, "Mar" => 3, "Apr" => 4, "May" => 5, "Jun" => 6,
        "Jul" => 7, "Aug" => 8, "Sep" => 9, "Oct" => 10, "Nov" => 11, "Dec" => 12,
        _ => return None,
    };
    let (day, year) = (num(&b[0..2])?, num(&b[7..11])?);
    let (hour, minute, second) = (num(&b[12..14])?, num(&b[15..17])?, num(&b[18..20])?);
    let sign = match b[21] { b'+' => 1, b'-' => -1, _ => return None };
    let offset = sign * (num(&b[22..24])? * 3_600 + num(&b[24..26])? * 60);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day as u32) * SECONDS_PER_DAY + hour * 3_600 + minute * 60 + second.min(59) - offset)
}

/// Reads a quoted field starting after its opening quote; returns it (unescaped) and the rest.
fn quoted(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), &text[i + 1..])),
            b'\\' if bytes.get(i + 1) == Some(&b'x') && i + 3 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 2..i + 4]).ok()?, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 4;
                        continue;
                    }
                    Err(_) => out.push(b'\\'),
                }
            }
            b'\\' if i + 1 < bytes.len() => {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            b => out.push(b),
        }
        i += 1;
    }
    None
}

fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !(v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()),
        IpAddr::V6(v6) => !(v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80),
    }
}

/// The caller's address from the remote part: the first public IP, else the first entry.
fn caller_address(remote: &str) -> String {
    let entries: Vec<&str> = remote.split([',', ' ']).map(|e| e.trim().trim_matches('"')).filter(|e| !e.is_empty()).collect();
    entries
        .iter()
        .find(|e| e.parse::<IpAddr>().is_ok_and(|ip| is_public(&ip)))
        .or(entries.first())
        .map(|e| e.to_string())
        .unwrap_or_default()
}

impl LineParser for AccessLog {
    fn parse_line(&mut self, line: &str, builder: &mut StoreBuilder) -> Result<(), String> {
        let open = line.find(" [").ok_or("no [time] field")?;
        let prefix = line[..open].trim_end();
        let mut parts = prefix.rsplitn(3, ' ');
        let (user, _ident, remote) = match (parts.next(), parts.next(), parts.next()) {
            (Some(user), Some(ident), Some(remote)) => (user, ident, remote),
            _ => return Err("the ident and user fields are missing before [time]".into()),
        };
        let close = line[open..].find("] ").map(|c| open + c).ok_or("the [time] field is not closed")?;
        let timestamp = parse_clf_time(&line[open + 2..close]).ok_or("the time is not dd/Mon/yyyy:hh:mm:ss ±hhmm")?;
        let rest = line[close + 2..].strip_prefix('"').ok_or("no quoted request")?;
        let (request, rest) = quoted(rest).ok_or("the request is not closed with a quote")?;
        let mut fields = rest.split_whitespace();
        let status: u16 = fields.next().and_then(|s| s.parse().ok()).filter(|&s| s < 1000).ok_or("the status is not a number")?;
        let bytes = fields.next().and_then(|b| b.parse::<u64>().ok());

        let mut words = request.split(' ');
        let (method, url) = match (words.next(), words.next(), words.next(), words.next()) {
            (Some(m), Some(u), Some(p), None) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) && p.starts_with("HTTP/") => (m, u),
            _ => {
                let shown: String = request.chars().take(40).collect();
                return Err(format!("“{shown}” is not an HTTP request line (a TLS handshake or a probe?)"));
            }
        };
        let client = match user {
            "-" | "" => builder.client(UNKNOWN_CLIENT_ID, UNKNOWN_CLIENT_NAME),
            name => builder.client(name, name),
        };
        let endpoint = builder.endpoint(method, &template::fold(url));
        let ip = builder.ip(&caller_address(remote));
        builder.push_row(Row { timestamp, bucket: BucketWidth::Request, client, endpoint, status, requests: 1, ip, bytes, ..Row::default() })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards time parsing with each line's own offset.
    #[test]
    fn clf_times_convert_to_utc() {
        assert_eq!(parse_clf_time("07/Dec/2016:11:05:07 +0100"), super::super::time::parse_iso8601(b"2016-12-07T10:05:07Z"));
        assert_eq!(parse_clf_time("29/Feb/2024:23:30:00 -0100"), super::super::time::parse_iso8601(b"2024-03-01T00:30:00Z"));
        assert_eq!(parse_clf_time("07/Foo/2016:11:05:07 +0100"), None);
        assert_eq!(parse_clf_time("07/Dec/2016 11:05:07"), None);
    }

    // Guards nginx escapes: UTF-8 bytes as \xXX and an escaped quote.
    #[test]
    fn nginx_escapes_are_decoded() {
        let (text, rest) = quoted(r#"GET /Z\xC3\xBCrich?q=\x22a\x22 HTTP/1.1" 200"#).unwrap();
        assert_eq!(text, "GET /Zürich?q=\"a\" HTTP/1.1");
        assert_eq!(rest, " 200");
    }

    // Guards the caller address chosen from forwarded lists.
    #[test]
    fn caller_is_the_first_public_address() {
        assert_eq!(caller_address("10.0.0.2, 10.0.0.1, 81.2.69.143"), "81.2.69.143");
        assert_eq!(caller_address("10.0.0.2, 10.0.0.1, 127.0.0.1"), "10.0.0.2");
        assert_eq!(caller_address("\"10.5.102.222, 175.16.199.1, 204.246.1.1\" 10.2.1.185"), "175.16.199.1");
        assert_eq!(caller_address("localhost, localhost"), "localhost");
        assert_eq!(caller_address("::1"), "::1");
    }
}
