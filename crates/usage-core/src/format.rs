//! Number and date formatting shared by tiles, tables and chart axes.
//!
//! Kept in the core so that what the screen shows is tested with the numbers.

use chrono::{DateTime, Utc};

use crate::query::Granularity;

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A fraction as a percentage with one decimal: `0.0345` → `"3.5%"`; `None` → `"–"`.
pub fn percent(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) if f.is_finite() => format!("{:.1}%", f * 100.0),
        _ => "–".to_owned(),
    }
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
    let text = format!("{scaled:.1}");
    format!("{}{suffix}", text.trim_end_matches(".0"))
}

/// A time-axis label for a bucket starting at `timestamp` (UTC): `"14:00"` for
/// hours and shorter, `"3 Nov"` for days and weeks, `"Nov 2026"` for months.
pub fn bucket_label(timestamp: i64, granularity: Granularity) -> String {
    let Some(time) = DateTime::<Utc>::from_timestamp(timestamp, 0) else {
        return String::new();
    };
    match granularity {
        Granularity::TenMinutes | Granularity::Hour => time.format("%H:%M").to_string(),
        Granularity::Day | Granularity::Week => time.format("%-d %b").to_string(),
        Granularity::Month => time.format("%b %Y").to_string(),
    }
}

/// A Unix time in words for messages: `"9999-12-31 23:59:59 UTC"`, or which side of chrono's
/// range it lies on when no calendar can name it.
pub fn describe_timestamp(timestamp: i64) -> String {
    match DateTime::<Utc>::from_timestamp(timestamp, 0) {
        Some(time) => time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        None if timestamp < 0 => format!("{timestamp} seconds before 1970, before the year −262143,"),
        None => format!("{timestamp} seconds after 1970, past the year 262143,"),
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
pub fn long_date(day: chrono::NaiveDate) -> String {
    day.format("%a %-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards separator placement at every group boundary.
    #[test]
    fn thousands_separators() {
        let cases = [(0, "0"), (999, "999"), (1_000, "1,000"), (12_345, "12,345"), (1_234_567, "1,234,567"), (u64::MAX, "18,446,744,073,709,551,615")];
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

    // Guards that axis labels are UTC and suit the granularity.
    #[test]
    fn bucket_labels_are_utc() {
        let ts = 1_763_820_000; // 2025-11-22T14:00:00Z
        assert_eq!(bucket_label(ts, Granularity::Hour), "14:00");
        assert_eq!(bucket_label(ts, Granularity::Day), "22 Nov");
        assert_eq!(bucket_label(ts, Granularity::Month), "Nov 2025");
    }
}
