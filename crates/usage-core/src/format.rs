//! Number and date formatting shared by tiles, tables and chart axes.
//!
//! Kept in the core so that what the screen shows is tested with the numbers. Dates and
//! decimals are written from their parts rather than through `strftime` patterns and float
//! formatting: the same text, for a fraction of the page's WebAssembly.

use chrono::{Datelike, NaiveDate};

use crate::calendar::{Granularity, date_of_day};
use crate::model::SECONDS_PER_DAY;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `value` with `places` decimals (0 to 3), rounded half away from zero: `3.45` → `"3.5"`.
pub fn decimal(value: f64, places: u32) -> String {
    let places = places.min(3);
    let scale = 10i64.pow(places);
    let scaled = (value * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9e15 {
        return "–".to_owned();
    }
    let scaled = scaled as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, part) = (scaled.abs() / scale, scaled.abs() % scale);
    match places {
        0 => format!("{sign}{whole}"),
        _ => format!("{sign}{whole}.{part:0width$}", width = places as usize),
    }
}

/// Bytes in decimal units: `4.4 GB`, `512 B`.
pub fn bytes(n: u64) -> String {
    let units = [(1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    match units.iter().find(|(size, _)| n as f64 >= *size) {
        Some((size, unit)) => format!("{} {unit}", decimal(n as f64 / size, 1)),
        None => format!("{n} B"),
    }
}

/// Microseconds as milliseconds: `184.2 ms`.
pub fn millis(us: u64) -> String {
    format!("{} ms", decimal(us as f64 / 1000.0, 1))
}

/// `2026-11-22`, the form links and exports use.
pub fn iso_date(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// Reads `YYYY-MM-DD` (the year may be longer or signed, as in a crafted `-262143-01-01`).
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let (rest, day) = text.trim().rsplit_once('-')?;
    let (year, month) = rest.rsplit_once('-')?;
    fn number(text: &str, max: usize) -> Option<i32> {
        (!text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    }
    let year = match year.strip_prefix(['-', '+']) {
        Some(unsigned) => number(unsigned, 9).map(|y| if year.starts_with('-') { -y } else { y })?,
        None => number(year, 9)?,
    };
    NaiveDate::from_ymd_opt(
        year,
        u32::try_from(number(month, 2)?).ok()?,
        u32::try_from(number(day, 2)?).ok()?,
    )
}

/// `2026-11-22T14:03:12Z` for a Unix time.
pub fn iso_datetime(timestamp: i64) -> String {
    let (date, seconds) = (
        date_of_day(timestamp.div_euclid(SECONDS_PER_DAY)),
        timestamp.rem_euclid(SECONDS_PER_DAY),
    );
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(date),
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A fraction as a percentage with one decimal: `0.0345` → `"3.5%"`; `None` → `"–"`.
pub fn percent(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) if f.is_finite() => format!("{}%", decimal(f * 100.0, 1)),
        _ => "–".to_owned(),
    }
}

/// How a figure moved against the comparison period: its direction and the text a tile shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub direction: std::cmp::Ordering,
    pub text: String,
}

/// The change of a count: `▲ 12.5%`, `▼ 3.0%`, `no change`; `▲ new` from nothing.
pub fn count_change(now: u64, before: u64) -> Change {
    use std::cmp::Ordering::*;
    let direction = now.cmp(&before);
    let text = match (direction, before) {
        (Equal, _) => "no change".to_owned(),
        (_, 0) => "▲ new".to_owned(),
        (Greater, _) => format!("▲ {}%", decimal((now - before) as f64 / before as f64 * 100.0, 1)),
        (Less, _) => format!("▼ {}%", decimal((before - now) as f64 / before as f64 * 100.0, 1)),
    };
    Change { direction, text }
}

/// The change of a rate, in percentage points: `▲ 0.4 pt`; `None` when either has no requests.
pub fn rate_change(now: Option<f64>, before: Option<f64>) -> Option<Change> {
    let points = (now? - before?) * 100.0;
    let rounded = decimal(points.abs(), 1);
    let direction = if rounded == "0.0" {
        std::cmp::Ordering::Equal
    } else if points > 0.0 {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Less
    };
    let text = match direction {
        std::cmp::Ordering::Equal => "no change".to_owned(),
        std::cmp::Ordering::Greater => format!("▲ {rounded} pt"),
        std::cmp::Ordering::Less => format!("▼ {rounded} pt"),
    };
    Some(Change { direction, text })
}

/// A short axis label: `950`, `12.5k`, `3.4M`, `1.2B`.
pub fn compact(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "k")
    } else {
        return format!("{}", value.round() as i64);
    };
    let text = decimal(scaled, 1);
    format!("{}{suffix}", text.trim_end_matches(".0"))
}

/// A time-axis label for a bucket starting at `timestamp` (UTC): `"14:00"` for
/// hours and shorter, `"3 Nov"` for days and weeks, `"Nov 2026"` for months.
pub fn bucket_label(timestamp: i64, granularity: Granularity) -> String {
    let (date, seconds) = (
        date_of_day(timestamp.div_euclid(SECONDS_PER_DAY)),
        timestamp.rem_euclid(SECONDS_PER_DAY),
    );
    let month = MONTHS[date.month0() as usize];
    match granularity {
        Granularity::TenMinutes | Granularity::Hour => format!("{:02}:{:02}", seconds / 3_600, seconds / 60 % 60),
        Granularity::Day | Granularity::Week => format!("{} {month}", date.day()),
        Granularity::Month => format!("{month} {}", date.year()),
    }
}

/// A Unix time in words for messages: `"9999-12-31 23:59:59 UTC"`, or which side of chrono's
/// range it lies on when no calendar can name it.
pub fn describe_timestamp(timestamp: i64) -> String {
    let day = timestamp.div_euclid(SECONDS_PER_DAY);
    let in_range = NaiveDate::MIN.num_days_from_ce() as i64 - 719_163 <= day
        && day <= NaiveDate::MAX.num_days_from_ce() as i64 - 719_163;
    match in_range {
        true => iso_datetime(timestamp).replace('T', " ").replace('Z', " UTC"),
        false if timestamp < 0 => format!("{timestamp} seconds before 1970, before the year −262143,"),
        false => format!("{timestamp} seconds after 1970, past the year 262143,"),
    }
}

/// Whether a character is one a name must not carry invisibly: C0 and C1 controls, DEL, the
/// bidirectional controls (which reorder the text around them: "Invoice\u{202E}fdp.exe"
/// shows as "Invoiceexe.pdf") and zero-width characters.
fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A name as tables, legends, charts and tooltips show it: every hidden control character
/// becomes a visible mark such as `⟨U+202E⟩`, so a name can neither reorder nor hide its own
/// text. The page also isolates each name (`<bdi>`), so a right-to-left name cannot reorder
/// what is around it.
pub fn visible_name(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.chars().any(is_hidden_control) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 16);
    for c in name.chars() {
        if is_hidden_control(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A full date for captions: `"Sun 22 Nov 2026"`.
pub fn long_date(day: NaiveDate) -> String {
    format!(
        "{} {} {} {:04}",
        WEEKDAYS[day.weekday().num_days_from_monday() as usize],
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards separator placement at every group boundary.
    #[test]
    fn thousands_separators() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
    }

    // Guards rounding and the suffix switch points of axis labels.
    #[test]
    fn compact_axis_labels() {
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(1_000.0), "1k");
        assert_eq!(compact(12_500.0), "12.5k");
        assert_eq!(compact(3_400_000.0), "3.4M");
        assert_eq!(compact(2_000_000_000.0), "2B");
    }

    // Guards percent rounding and the placeholder for an undefined rate.
    #[test]
    fn percentages() {
        assert_eq!(percent(Some(0.0345)), "3.5%");
        assert_eq!(percent(Some(1.0)), "100.0%");
        assert_eq!(percent(None), "–");
    }

    // Guards that direction overrides, zero-width and control characters show as marks, and that
    // ordinary names (right-to-left scripts included) are left as they are.
    #[test]
    fn hidden_controls_become_visible() {
        assert_eq!(visible_name("Invoice\u{202E}fdp.exe"), "Invoice⟨U+202E⟩fdp.exe");
        assert_eq!(visible_name("a\u{200B}b\u{0007}c\nd"), "a⟨U+200B⟩b⟨U+0007⟩c⟨U+000A⟩d");
        assert_eq!(visible_name("\u{2067}x\u{2069}"), "⟨U+2067⟩x⟨U+2069⟩");
        for plain in ["Billing Sync", "Zürich 🚀", "עברית", "مرحبا", "東京"] {
            assert!(matches!(visible_name(plain), std::borrow::Cow::Borrowed(_)), "{plain}");
        }
    }

    // Guards the hand-written date forms against chrono's own formatting and parsing.
    #[test]
    fn dates_match_chrono() {
        for text in ["2026-11-22", "2024-02-29", "1970-01-01", "0001-01-01", "9999-12-31"] {
            let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
            assert_eq!(iso_date(day), day.format("%Y-%m-%d").to_string());
            assert_eq!(parse_iso_date(text), Some(day));
            assert_eq!(long_date(day), day.format("%a %-d %b %Y").to_string());
        }
        assert_eq!(parse_iso_date("-262143-01-01"), NaiveDate::from_ymd_opt(-262_143, 1, 1));
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "yesterday",
            "2026-1",
            "20261122",
            "2026-11-22x",
            "2026--11",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        for ts in [0, 1_795_356_192, -1, 253_402_300_799] {
            let time = chrono::DateTime::<chrono::Utc>::from_timestamp(ts, 0).unwrap();
            assert_eq!(iso_datetime(ts), time.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(describe_timestamp(ts), time.format("%Y-%m-%d %H:%M:%S UTC").to_string());
        }
        assert!(describe_timestamp(i64::MAX).contains("past the year"));
    }

    // Guards decimals: rounding half away from zero, signs, and each number of places.
    #[test]
    fn decimals() {
        assert_eq!(
            (
                decimal(3.45, 1),
                decimal(0.04, 1),
                decimal(2.0, 2),
                decimal(-1.25, 1),
                decimal(7.6, 0)
            ),
            ("3.5".into(), "0.0".into(), "2.00".into(), "-1.3".into(), "8".into())
        );
        assert_eq!(decimal(f64::NAN, 1), "–");
    }

    // Guards that axis labels are UTC and suit the granularity.
    #[test]
    fn bucket_labels_are_utc() {
        let ts = 1_763_820_000; // 2025-11-22T14:00:00Z
        assert_eq!(bucket_label(ts, Granularity::Hour), "14:00");
        assert_eq!(bucket_label(ts, Granularity::Day), "22 Nov");
        assert_eq!(bucket_label(ts, Granularity::Month), "Nov 2025");
    }

    // Guards the comparison texts: relative change of counts, points for rates, and no fake 0 %.
    #[test]
    fn changes() {
        assert_eq!(count_change(1_125, 1_000).text, "▲ 12.5%");
        assert_eq!(count_change(970, 1_000).text, "▼ 3.0%");
        assert_eq!(count_change(5, 0).text, "▲ new");
        assert_eq!(count_change(0, 0).text, "no change");
        assert_eq!(count_change(0, 7).direction, std::cmp::Ordering::Less);
        assert_eq!(
            rate_change(Some(0.054), Some(0.05)).map(|c| c.text),
            Some("▲ 0.4 pt".to_owned())
        );
        assert_eq!(
            rate_change(Some(0.05), Some(0.05001)).map(|c| c.direction),
            Some(std::cmp::Ordering::Equal)
        );
        assert_eq!(rate_change(None, Some(0.05)), None);
    }
}
