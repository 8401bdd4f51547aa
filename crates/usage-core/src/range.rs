//! Date ranges of whole UTC days that never include the current day.
//!
//! Usage for the current day is incomplete, so a [`DateRange`] always ends at
//! the latest on the day before `today`. `today` is an argument everywhere:
//! the core never reads the clock. Days are UTC days, the convention of
//! billing-aligned usage reports.

use chrono::{Days, NaiveDate};
use thiserror::Error;

use crate::calendar::{DaySpan, Granularity};
pub use crate::calendar::{date_of_day, day_number, yesterday};
use crate::model::SECONDS_PER_DAY;

/// An inclusive range of UTC days, `from..=to`, that ends before `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

/// The quick choices of the date-range filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Yesterday,
    Last7Days,
    Last30Days,
    Last60Days,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Yesterday,
        Preset::Last7Days,
        Preset::Last30Days,
        Preset::Last60Days,
    ];

    /// Number of whole days the preset covers.
    pub const fn days(self) -> u64 {
        match self {
            Preset::Yesterday => 1,
            Preset::Last7Days => 7,
            Preset::Last30Days => 30,
            Preset::Last60Days => 60,
        }
    }

    /// The button label.
    pub const fn label(self) -> &'static str {
        match self {
            Preset::Yesterday => "Yesterday",
            Preset::Last7Days => "Last 7 days",
            Preset::Last30Days => "Last 30 days",
            Preset::Last60Days => "Last 60 days",
        }
    }
}

/// Why a requested range could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RangeError {
    #[error("“{0}” is not a date; use YYYY-MM-DD")]
    NotADate(String),
}

/// The longest range: about 10 years. Longer ones start later, with a notice, so that a crafted
/// link cannot make the dashboard lay out millions of days.
pub const MAX_DAYS: i64 = 3_660;

/// The first day a range can start: the store holds nothing earlier.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// What [`DateRange::from_query`] had to change to make a valid range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeNotice {
    /// The range was longer than [`MAX_DAYS`] or began before 1970; it now starts later.
    Shortened,
    /// The end was today or later and now ends yesterday.
    ClampedToYesterday,
    /// `from` was after `to`; the two were swapped.
    Swapped,
    /// A date could not be read, so the default range is shown.
    Invalid(RangeError),
}

impl DateRange {
    /// The range `from..=to`, swapped if reversed and clamped to end before `today`.
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> DateRange {
        Self::normalise(from, to, today).0
    }

    /// The range a preset stands for, ending yesterday.
    pub fn preset(preset: Preset, today: NaiveDate) -> DateRange {
        let to = yesterday(today);
        let from = to
            .checked_sub_days(Days::new(preset.days() - 1))
            .unwrap_or(NaiveDate::MIN);
        DateRange { from, to }
    }

    /// The range used when none is given: the last 30 days.
    pub fn default_for(today: NaiveDate) -> DateRange {
        Self::preset(Preset::Last30Days, today)
    }

    /// Reads the `from`/`to` URL query values (inclusive `YYYY-MM-DD`).
    ///
    /// A missing value is taken from the default range; an unreadable one
    /// gives the default range and a notice, so a bad link never breaks the page.
    pub fn from_query(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> (DateRange, Option<RangeNotice>) {
        let default = Self::default_for(today);
        let parse = |text: Option<&str>, fallback: NaiveDate| match text {
            None | Some("") => Ok(fallback),
            Some(t) => crate::format::parse_iso_date(t).ok_or_else(|| RangeError::NotADate(t.to_owned())),
        };
        match (parse(from, default.from), parse(to, default.to)) {
            (Ok(from), Ok(to)) => Self::normalise(from, to, today),
            (Err(e), _) | (_, Err(e)) => (default, Some(RangeNotice::Invalid(e))),
        }
    }

    fn normalise(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> (DateRange, Option<RangeNotice>) {
        let last = yesterday(today);
        let mut notice = None;
        let (mut from, mut to) = (from, to);
        if from > to {
            std::mem::swap(&mut from, &mut to);
            notice = Some(RangeNotice::Swapped);
        }
        if to > last {
            to = last;
            notice = Some(RangeNotice::ClampedToYesterday);
        }
        let to = to.max(first_day().min(last));
        let earliest = to
            .checked_sub_days(Days::new(MAX_DAYS as u64 - 1))
            .unwrap_or(NaiveDate::MIN)
            .max(first_day());
        if from < earliest {
            from = earliest;
            notice = Some(RangeNotice::Shortened);
        }
        (DateRange { from: from.min(to), to }, notice)
    }

    /// The range to show for data spanning `first..=last` (days since 1970-01-01):
    /// all of it up to yesterday, at most `max_days` long, ending at its last complete day.
    /// `None` when the data has no day before `today` (only today's, incomplete usage).
    pub fn covering(first: i64, last: i64, today: NaiveDate, max_days: u64) -> Option<DateRange> {
        let last_complete = day_number(yesterday(today));
        let to = last.min(last_complete);
        if first > to {
            return None;
        }
        let from = first.max(to - max_days.saturating_sub(1) as i64);
        Some(DateRange {
            from: date_of_day(from),
            to: date_of_day(to),
        })
    }

    /// First day, inclusive.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// Last day, inclusive. Always before the `today` the range was made with.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Whether every day of `other` is in this range: data fetched for this range is then
    /// complete for `other`.
    pub fn covers(&self, other: &DateRange) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    /// Number of days in the range (at least 1).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Start of the first day, in Unix seconds (inclusive).
    pub fn start_timestamp(&self) -> i64 {
        day_number(self.from) * SECONDS_PER_DAY
    }

    /// Start of the day after the last, in Unix seconds (exclusive).
    pub fn end_timestamp(&self) -> i64 {
        (day_number(self.to) + 1) * SECONDS_PER_DAY
    }

    /// The time-series granularity for this range: hours for up to 2 days, else days.
    pub fn natural_granularity(&self) -> Granularity {
        if self.days() <= 2 {
            Granularity::Hour
        } else {
            Granularity::Day
        }
    }

    /// The preset this range equals on `today`, if any.
    pub fn matching_preset(&self, today: NaiveDate) -> Option<Preset> {
        Preset::ALL.into_iter().find(|&p| Self::preset(p, today) == *self)
    }

    /// The period of the same length just before (`forward` false) or just after this one: the
    /// `←` and `→` keys. A later period still ends before `today`, so it is shorter; when this one
    /// already ends yesterday (or starts in 1970, going back), it stays.
    pub fn stepped(&self, forward: bool, today: NaiveDate) -> DateRange {
        let days = self.days() as u64;
        let (from, to) = match forward {
            false => (
                self.from.checked_sub_days(Days::new(days)),
                self.to.checked_sub_days(Days::new(days)),
            ),
            true => (
                self.from.checked_add_days(Days::new(days)),
                self.to.checked_add_days(Days::new(days)),
            ),
        };
        match (from, to) {
            (Some(from), Some(to)) if from >= first_day() && from <= yesterday(today) => {
                DateRange::new(from, to.min(yesterday(today)), today)
            }
            _ => *self,
        }
    }

    /// The `from`/`to` URL query values, inclusive `YYYY-MM-DD`.
    pub fn to_query(&self) -> (String, String) {
        (crate::format::iso_date(self.from), crate::format::iso_date(self.to))
    }
}

impl From<&DateRange> for DaySpan {
    fn from(range: &DateRange) -> DaySpan {
        DaySpan {
            start: day_number(range.from()),
            end: day_number(range.to()) + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    // Guards the central rule: no preset and no query can include today.

    // Guards ← and →: the same length before or after, never reaching today, never before 1970.
    #[test]
    fn stepping_periods() {
        let today = d("2024-03-10");
        let week = DateRange::new(d("2024-02-26"), d("2024-03-03"), today);
        assert_eq!(
            week.stepped(false, today),
            DateRange::new(d("2024-02-19"), d("2024-02-25"), today)
        );
        let later = week.stepped(true, today);
        assert_eq!(
            (later.from(), later.to()),
            (d("2024-03-04"), d("2024-03-09")),
            "ends yesterday, a day short"
        );
        assert_eq!(later.stepped(true, today), later, "nothing after yesterday");
        let leap = DateRange::new(d("2024-02-29"), d("2024-02-29"), today);
        assert_eq!(leap.stepped(false, today).from(), d("2024-02-28"));
        let first = DateRange::new(d("1970-01-01"), d("1970-01-07"), today);
        assert_eq!(first.stepped(false, today), first);
    }

    // Guards the live source's "fetched for another range" note: only days outside the fetched range count.
    #[test]
    fn covers_only_ranges_inside() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |day: u32| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let fetched = DateRange::new(d(1), d(22), today);
        assert!(fetched.covers(&DateRange::new(d(16), d(22), today)));
        assert!(fetched.covers(&fetched));
        assert!(!fetched.covers(&DateRange::new(
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            d(22),
            today
        )));
        assert!(!DateRange::new(d(1), d(21), today).covers(&fetched));
    }
    #[test]
    fn today_is_never_included() {
        let today = d("2026-11-23");
        for preset in Preset::ALL {
            let range = DateRange::preset(preset, today);
            assert_eq!(range.to(), d("2026-11-22"), "{preset:?}");
            assert_eq!(range.days() as u64, preset.days(), "{preset:?}");
            assert!(range.end_timestamp() <= day_number(today) * SECONDS_PER_DAY);
        }
        let (range, notice) = DateRange::from_query(Some("2026-11-01"), Some("2026-11-23"), today);
        assert_eq!(range.to(), d("2026-11-22"));
        assert_eq!(notice, Some(RangeNotice::ClampedToYesterday));
        let (range, _) = DateRange::from_query(Some("2027-01-01"), Some("2027-02-01"), today);
        assert_eq!((range.from(), range.to()), (d("2026-11-22"), d("2026-11-22")));
        let range = DateRange::new(today, today, today);
        assert_eq!(range.to(), d("2026-11-22"));
    }

    // Guards month, year and leap-day ends: "last 7 days" counts calendar days across them.
    #[test]
    fn presets_cross_month_year_and_leap_days() {
        let range = DateRange::preset(Preset::Last7Days, d("2024-03-01"));
        assert_eq!((range.from(), range.to()), (d("2024-02-23"), d("2024-02-29")));
        let range = DateRange::preset(Preset::Last7Days, d("2023-03-01"));
        assert_eq!((range.from(), range.to()), (d("2023-02-22"), d("2023-02-28")));
        let range = DateRange::preset(Preset::Yesterday, d("2027-01-01"));
        assert_eq!((range.from(), range.to()), (d("2026-12-31"), d("2026-12-31")));
        let range = DateRange::preset(Preset::Last30Days, d("2026-03-01"));
        assert_eq!((range.from(), range.to()), (d("2026-01-30"), d("2026-02-28")));
        let range = DateRange::preset(Preset::Last60Days, d("2025-01-15"));
        assert_eq!((range.from(), range.to()), (d("2024-11-16"), d("2025-01-14")));
    }

    // Guards the half-open timestamp bounds used by every query.
    #[test]
    fn timestamps_are_half_open_utc_days() {
        let range = DateRange::new(d("2024-02-28"), d("2024-02-29"), d("2024-03-10"));
        assert_eq!(range.start_timestamp(), 1_709_078_400); // 2024-02-28T00:00:00Z
        assert_eq!(range.end_timestamp(), 1_709_251_200); // 2024-03-01T00:00:00Z
        assert_eq!(range.natural_granularity(), Granularity::Hour);
        let three = DateRange::new(d("2024-02-27"), d("2024-02-29"), d("2024-03-10"));
        assert_eq!(three.natural_granularity(), Granularity::Day);
    }

    // Guards that a bad shared link gives the default view and a notice instead of an error page.
    #[test]
    fn bad_query_values_fall_back_with_a_notice() {
        let today = d("2026-11-23");
        let (range, notice) = DateRange::from_query(Some("yesterday"), Some("2026-11-10"), today);
        assert_eq!(range, DateRange::default_for(today));
        assert!(matches!(notice, Some(RangeNotice::Invalid(RangeError::NotADate(_)))));
        let (range, notice) = DateRange::from_query(Some("2026-11-10"), Some("2026-11-01"), today);
        assert_eq!((range.from(), range.to()), (d("2026-11-01"), d("2026-11-10")));
        assert_eq!(notice, Some(RangeNotice::Swapped));
        let (range, notice) = DateRange::from_query(None, None, today);
        assert_eq!(range.matching_preset(today), Some(Preset::Last30Days));
        assert_eq!(notice, None);
        assert_eq!(range.to_query(), ("2026-10-24".to_string(), "2026-11-22".to_string()));
    }

    // Guards the one day without a yesterday: the range saturates instead of failing.
    #[test]
    fn the_first_representable_day_saturates() {
        let range = DateRange::preset(Preset::Last7Days, NaiveDate::MIN);
        assert_eq!((range.from(), range.to()), (NaiveDate::MIN, NaiveDate::MIN));
    }

    // Guards crafted links: a range from the year -262143 (or -100000) to today
    // is cut to at most MAX_DAYS ending yesterday, with a notice, so nothing is laid out per day
    // of a range no data can cover.
    #[test]
    fn crafted_huge_ranges_are_shortened() {
        let today = d("2026-11-21");
        for from in ["-262143-01-01", "-100000-01-01", "1900-01-01"] {
            let (range, notice) = DateRange::from_query(Some(from), Some("2026-11-21"), today);
            assert_eq!(range.to(), d("2026-11-20"), "{from}");
            assert_eq!(range.days(), MAX_DAYS, "{from}");
            assert_eq!(notice, Some(RangeNotice::Shortened), "{from}");
        }
        let (range, notice) = DateRange::from_query(Some("1969-06-01"), Some("1970-01-05"), today);
        assert_eq!(
            (range.from(), range.to(), notice),
            (d("1970-01-01"), d("1970-01-05"), Some(RangeNotice::Shortened))
        );
        let (range, notice) = DateRange::from_query(Some("2017-01-01"), Some("2026-11-20"), today);
        assert_eq!(
            (range.from(), notice),
            (d("2017-01-01"), None),
            "a long but sane range stays"
        );
        assert_eq!(DateRange::new(NaiveDate::MIN, d("2026-11-20"), today).days(), MAX_DAYS);
    }

    // Guards the range chosen for a loaded file: its days up to yesterday, capped, and none for today-only data.
    #[test]
    fn covering_a_files_days() {
        let today = d("2026-11-23");
        let n = |t| day_number(d(t));
        let range = DateRange::covering(n("2026-09-24"), n("2026-11-23"), today, 60).unwrap();
        assert_eq!((range.from(), range.to()), (d("2026-09-24"), d("2026-11-22")));
        let range = DateRange::covering(n("2025-01-01"), n("2025-12-31"), today, 60).unwrap();
        assert_eq!((range.from(), range.to()), (d("2025-11-02"), d("2025-12-31")));
        assert_eq!(DateRange::covering(n("2026-11-23"), n("2026-11-23"), today, 60), None);
        assert_eq!(DateRange::covering(n("2026-12-01"), n("2026-12-05"), today, 60), None);
    }

    // Guards day numbering on both sides of the epoch, which the store's day maths relies on.
    #[test]
    fn day_numbers_round_trip() {
        for text in ["1969-12-31", "1970-01-01", "2000-02-29", "2026-11-23"] {
            assert_eq!(date_of_day(day_number(d(text))), d(text));
        }
        assert_eq!(day_number(d("1969-12-31")), -1);
    }
}
