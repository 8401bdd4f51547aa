//! Fast timestamp parsing for exports: ISO 8601 / RFC 3339 with an offset.

use crate::model::SECONDS_PER_DAY;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(bytes: &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may replace the `T`)
/// into Unix seconds, converted to UTC with the offset it carries. No offset means UTC.
pub fn parse_iso8601(text: &[u8]) -> Option<i64> {
    if text.len() < 19
        || text[4] != b'-'
        || text[7] != b'-'
        || !matches!(text[10], b'T' | b't' | b' ')
        || text[13] != b':'
        || text[16] != b':'
    {
        return None;
    }
    let year = i64::from(digits(&text[0..4])?);
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    let (hour, minute, second) = (digits(&text[11..13])?, digits(&text[14..16])?, digits(&text[17..19])?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &fraction[n..];
    }
    let offset = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let minutes = i64::from(digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?);
            if *sign == b'+' { minutes * 60 } else { -minutes * 60 }
        }
        _ => return None,
    };
    let seconds = i64::from(hour * 3_600 + minute * 60 + second.min(59));
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + seconds - offset)
}

/// Whether whole-number times count seconds or milliseconds since 1970.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EpochUnit {
    #[default]
    Seconds,
    Milliseconds,
}

/// 10^11: as seconds, a time after the year 5138; as milliseconds, one in March 1973.
const MILLISECONDS_FROM: i64 = 100_000_000_000;

impl EpochUnit {
    /// Decides for a whole column, not value by value: milliseconds when most of its values
    /// are at least 10^11, else seconds. A year-9999 time among second timestamps then stays
    /// a time in 9999 (and is refused as out of range) instead of landing in 1978.
    /// `None` when the column has no whole-number times.
    pub fn decide(values: &[i64]) -> Option<EpochUnit> {
        if values.is_empty() {
            return None;
        }
        let large = values.iter().filter(|&&v| v >= MILLISECONDS_FROM).count();
        Some(if large * 2 > values.len() {
            EpochUnit::Milliseconds
        } else {
            EpochUnit::Seconds
        })
    }

    /// Unix seconds of a time in this unit (milliseconds round down).
    pub fn to_seconds(self, value: i64) -> i64 {
        match self {
            EpochUnit::Seconds => value,
            EpochUnit::Milliseconds => value.div_euclid(1_000),
        }
    }

    /// What the read report says about the choice.
    pub fn note(self, count: usize) -> String {
        let unit = match self {
            EpochUnit::Seconds => "seconds",
            EpochUnit::Milliseconds => "milliseconds",
        };
        format!(
            "{} whole-number times were read as {unit} since 1970 (decided from the whole column)",
            crate::format::thousands(count as u64)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the civil-date arithmetic against chrono on leap days and century rules.
    #[test]
    fn days_match_chrono() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2024, 2, 29),
            (2100, 3, 1),
            (1969, 12, 31),
            (2026, 11, 23),
        ] {
            let expected = crate::range::day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
            assert_eq!(days_from_civil(i64::from(y), m, d), expected, "{y}-{m}-{d}");
        }
    }

    // Guards offsets: every form converts to the same UTC instant.
    #[test]
    fn offsets_convert_to_utc() {
        let utc = parse_iso8601(b"2026-11-22T14:03:12Z").unwrap();
        assert_eq!(utc, 1_795_356_192); // date -d 2026-11-22T14:03:12Z +%s
        assert_eq!(parse_iso8601(b"2026-11-22T14:03:12.500Z"), Some(utc));
        assert_eq!(parse_iso8601(b"2026-11-22T16:03:12+02:00"), Some(utc));
        assert_eq!(parse_iso8601(b"2026-11-22T09:03:12-0500"), Some(utc));
        assert_eq!(parse_iso8601(b"2026-11-22 14:03:12"), Some(utc));
        // An offset can move the instant to another UTC day.
        assert_eq!(
            parse_iso8601(b"2026-11-23T01:00:00+02:00").map(|t| t.div_euclid(86_400)),
            parse_iso8601(b"2026-11-22T12:00:00Z").map(|t| t.div_euclid(86_400))
        );
    }

    // Guards the column-wide unit decision: one year-9999 value among seconds stays seconds.
    #[test]
    fn epoch_unit_is_decided_by_the_whole_column() {
        assert_eq!(
            EpochUnit::decide(&[1_795_356_192, 1_795_356_193, 253_402_300_799]),
            Some(EpochUnit::Seconds)
        );
        assert_eq!(
            EpochUnit::decide(&[1_795_356_192_000, 1_795_356_193_500, 5]),
            Some(EpochUnit::Milliseconds)
        );
        assert_eq!(EpochUnit::decide(&[]), None);
        assert_eq!(EpochUnit::Milliseconds.to_seconds(1_795_356_193_500), 1_795_356_193);
        assert_eq!(EpochUnit::Milliseconds.to_seconds(-1), -1);
    }

    // Guards rejection of malformed or impossible timestamps.
    #[test]
    fn rejects_bad_timestamps() {
        for bad in [
            "",
            "2026-11-22",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T10:00:00.Z",
            "2026-11-22T10:00:00+2",
            "yesterday at noon!!",
        ] {
            assert_eq!(parse_iso8601(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_iso8601(b"2024-02-29T00:00:00Z").is_some());
    }
}
