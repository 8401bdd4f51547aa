//! Time zones, granularity and comparison periods, as the core sees them.
//!
//! The core never asks what zone it is in. The UI asks the browser (`Intl`) for a zone's UTC
//! offsets over the data's span and passes that table in as [`Offsets`]; everything that follows
//! the zone (day boundaries, bucket starts and labels, the range's [`Window`], what counts as
//! today) is computed here from the table, so a zone is tested natively with made-up tables.
//!
//! Local time is `instant + offset`. A day starts at the first instant whose local time is its
//! midnight, so a day that loses an hour is 23 hours long and one that gains an hour 25. Buckets
//! of 10 minutes and hours start where the local clock shows a multiple of their width and at
//! every offset change, so the repeated hour of a 25-hour day is its own bucket and a 30-minute
//! shift (Lord Howe) leaves one half-hour bucket.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::calendar::{DaySpan, Granularity};
use crate::model::SECONDS_PER_DAY;
use crate::range::{DateRange, date_of_day, day_number};

/// A half-open stretch of time, `start..end`, in Unix seconds: what a range covers in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

impl From<DaySpan> for Window {
    fn from(span: DaySpan) -> Window {
        Window {
            start: span.start_timestamp(),
            end: span.end_timestamp(),
        }
    }
}

/// The zone a link asks for (`tz=`): UTC, the browser's own, or an IANA name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ZoneChoice {
    /// Billing-aligned, as Genesys computes; the default.
    #[default]
    Utc,
    /// The browser's zone.
    Local,
    /// An IANA name (`Asia/Kathmandu`); the UI asks the browser whether it knows it.
    Named(String),
}

impl ZoneChoice {
    /// `utc`, `local` or the name.
    pub fn as_query(&self) -> &str {
        match self {
            ZoneChoice::Utc => "utc",
            ZoneChoice::Local => "local",
            ZoneChoice::Named(name) => name,
        }
    }

    /// Reads `tz=`: `utc`/`UTC`, `local`, or something shaped like an IANA name (letters,
    /// digits, `/_+-`, at most 64 characters); `None` for anything else.
    pub fn parse(text: &str) -> Option<ZoneChoice> {
        match text {
            "utc" | "UTC" | "Etc/UTC" => Some(ZoneChoice::Utc),
            "local" => Some(ZoneChoice::Local),
            _ => {
                let shaped = !text.is_empty()
                    && text.len() <= 64
                    && text.starts_with(|c: char| c.is_ascii_alphabetic())
                    && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
                shaped.then(|| ZoneChoice::Named(text.to_owned()))
            }
        }
    }
}

/// The largest offset a zone has had (+14:00, Kiribati) with room to spare: a table with more is
/// not a zone's.
const MAX_OFFSET: i32 = 18 * 3_600;

/// A zone's UTC offsets: from each change's instant on, its offset (seconds east of UTC) is in
/// force; the first also before its instant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Offsets {
    changes: Vec<(i64, i32)>,
}

impl Default for Offsets {
    fn default() -> Offsets {
        Offsets::utc()
    }
}

impl Offsets {
    pub fn utc() -> Offsets {
        Offsets::fixed(0)
    }

    /// A zone that never changes its offset.
    pub fn fixed(offset: i32) -> Offsets {
        Offsets {
            changes: vec![(i64::MIN, offset.clamp(-MAX_OFFSET, MAX_OFFSET))],
        }
    }

    /// A table from (instant, offset) changes in time order: offsets beyond ±18 h are clamped,
    /// changes to the offset already in force dropped, and a change before the one before it
    /// dropped too. No changes is UTC.
    pub fn from_changes(changes: Vec<(i64, i32)>) -> Offsets {
        let mut table: Vec<(i64, i32)> = Vec::with_capacity(changes.len());
        let mut latest = i64::MIN;
        for (at, offset) in changes {
            let offset = offset.clamp(-MAX_OFFSET, MAX_OFFSET);
            if at < latest {
                continue;
            }
            latest = at;
            match table.last_mut() {
                Some(last) if last.0 == at => last.1 = offset,
                Some(last) if last.1 == offset => {}
                _ => table.push((at, offset)),
            }
        }
        if table.is_empty() {
            return Offsets::utc();
        }
        table[0].0 = i64::MIN;
        Offsets { changes: table }
    }

    /// The changes, first one from the beginning of time.
    pub fn changes(&self) -> &[(i64, i32)] {
        &self.changes
    }

    /// The offset when it never changes.
    pub fn fixed_offset(&self) -> Option<i32> {
        match self.changes.as_slice() {
            [(_, offset)] => Some(*offset),
            _ => None,
        }
    }

    /// The offset in force at `instant`.
    pub fn offset_at(&self, instant: i64) -> i32 {
        let i = self.changes.partition_point(|&(at, _)| at <= instant);
        self.changes[i.saturating_sub(1)].1
    }

    /// The local wall-clock time of `instant`, as seconds since local 1970-01-01 00:00.
    pub fn local(&self, instant: i64) -> i64 {
        instant.saturating_add(i64::from(self.offset_at(instant)))
    }

    /// The local date of `instant`: what "today" is in this zone.
    pub fn local_date(&self, instant: i64) -> NaiveDate {
        date_of_day(self.local(instant).div_euclid(SECONDS_PER_DAY))
    }

    /// The first instant whose local time is `local` or later. In a gap (clocks going forward)
    /// that is the end of the gap; in a repeated hour, its first pass.
    pub fn first_instant_at(&self, local: i64) -> i64 {
        for (i, &(at, offset)) in self.changes.iter().enumerate() {
            let next = self.changes.get(i + 1).map(|c| c.0);
            let candidate = local.saturating_sub(i64::from(offset)).max(at);
            if next.is_none_or(|next| candidate < next) {
                return candidate;
            }
        }
        local
    }

    /// Where `date` starts: the first instant of its local midnight or later.
    pub fn day_start(&self, date: NaiveDate) -> i64 {
        self.first_instant_at(day_number(date) * SECONDS_PER_DAY)
    }

    /// The Today view's stretch: the 24 hours up to the end of the 10-minute bucket (on this
    /// zone's clock) that holds `now`, so its last bucket is the one still filling.
    pub fn last_day(&self, now: i64) -> Window {
        let end = now - (now + i64::from(self.offset_at(now))).rem_euclid(600) + 600;
        Window {
            start: end - SECONDS_PER_DAY,
            end,
        }
    }

    /// Today so far: from this zone's midnight up to and including `now`.
    pub fn today_so_far(&self, now: i64) -> Window {
        Window {
            start: self.day_start(self.local_date(now)),
            end: now + 1,
        }
    }

    /// The stretch of time `range`'s days cover in this zone.
    pub fn window(&self, range: &DateRange) -> Window {
        Window {
            start: self.day_start(range.from()),
            end: self.day_start(range.to().succ_opt().unwrap_or(range.to())),
        }
    }

    /// Starts of the buckets covering `window`, in order. Weeks and months may start before it.
    pub fn buckets(&self, granularity: Granularity, window: Window) -> Vec<i64> {
        let mut starts = Vec::new();
        if window.end <= window.start {
            return starts;
        }
        match granularity {
            Granularity::TenMinutes | Granularity::Hour => {
                let width = granularity.fixed_seconds().unwrap_or(3_600);
                starts.push(window.start);
                for (i, &(at, offset)) in self.changes.iter().enumerate() {
                    let next = self.changes.get(i + 1).map_or(i64::MAX, |c| c.0);
                    let (from, to) = (at.max(window.start), next.min(window.end));
                    if from >= to {
                        continue;
                    }
                    // A change inside the window starts a bucket, aligned or not.
                    starts.push(from);
                    let mut t = from + (-(from + i64::from(offset))).rem_euclid(width);
                    while t < to {
                        starts.push(t);
                        t += width;
                    }
                }
                starts.sort_unstable();
                starts.dedup();
            }
            Granularity::Day | Granularity::Week | Granularity::Month => {
                let first = self.local_date(window.start);
                let mut date = match granularity {
                    Granularity::Week => first - Days::new(u64::from(first.weekday().num_days_from_monday())),
                    Granularity::Month => first.with_day(1).unwrap_or(first),
                    _ => first,
                };
                loop {
                    let start = self.day_start(date);
                    if start >= window.end {
                        break;
                    }
                    starts.push(start);
                    let next = match granularity {
                        Granularity::Week => date.checked_add_days(Days::new(7)),
                        Granularity::Month => date.checked_add_months(Months::new(1)),
                        _ => date.succ_opt(),
                    };
                    match next {
                        Some(next) => date = next,
                        None => break,
                    }
                }
            }
        }
        starts
    }
}

/// What the time chart is compared with (`compare=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compare {
    /// The same number of days just before the range.
    Previous,
    /// The same dates a year earlier.
    Year,
}

impl Compare {
    pub const ALL: [Compare; 2] = [Compare::Previous, Compare::Year];

    pub const fn as_str(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<Compare> {
        Compare::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The label of the choice.
    pub const fn label(self) -> &'static str {
        match self {
            Compare::Previous => "Previous period",
            Compare::Year => "Same dates a year earlier",
        }
    }

    /// The days `range` is compared with: as many days just before it, or the same dates a year
    /// earlier (29 February falls back to the 28th, and a range keeps its length in days, so that
    /// the two are compared bucket by bucket). `None` before 1970.
    pub fn period(self, range: &DateRange) -> Option<(NaiveDate, NaiveDate)> {
        let days = range.days() as u64;
        let (from, to) = match self {
            Compare::Previous => {
                let to = range.from().pred_opt()?;
                (to.checked_sub_days(Days::new(days - 1))?, to)
            }
            Compare::Year => {
                let from = range.from().checked_sub_months(Months::new(12))?;
                (from, from.checked_add_days(Days::new(days - 1))?)
            }
        };
        (from >= crate::range::first_day()).then_some((from, to))
    }
}

/// The granularities a range of `days` offers, finest first: at most [`MAX_POINTS`] buckets,
/// 10 minutes only for ranges of 2 days or less, weeks from 2 weeks and months from 2 months, and
/// nothing finer than the data's own buckets (`data_bucket`, in seconds: a day for Genesys's daily
/// counts). A range offers at least one.
pub fn granularities(days: i64, data_bucket: i64) -> Vec<Granularity> {
    let offered: Vec<Granularity> = Granularity::ALL
        .into_iter()
        .filter(|&g| match g {
            Granularity::TenMinutes => days <= 2 && data_bucket <= 600,
            Granularity::Hour => days * 24 <= MAX_POINTS && data_bucket <= 3_600,
            Granularity::Day => days <= MAX_POINTS && data_bucket <= SECONDS_PER_DAY,
            Granularity::Week => days >= 14 && data_bucket <= 7 * SECONDS_PER_DAY,
            Granularity::Month => days >= 60,
        })
        .collect();
    if offered.is_empty() {
        vec![if days >= 14 {
            Granularity::Month
        } else {
            Granularity::Day
        }]
    } else {
        offered
    }
}

/// The most buckets a time chart draws.
pub const MAX_POINTS: i64 = 1_500;

/// The granularity a range shows when the link names none, or names one it does not offer:
/// hours for 2 days or less, days up to 1,500 days, else weeks; never finer than the data.
pub fn default_granularity(days: i64, data_bucket: i64, asked: Option<Granularity>) -> Granularity {
    let offered = granularities(days, data_bucket);
    if let Some(g) = asked.filter(|g| offered.contains(g)) {
        return g;
    }
    let natural = if days <= 2 {
        Granularity::Hour
    } else if days <= MAX_POINTS {
        Granularity::Day
    } else {
        Granularity::Week
    };
    if offered.contains(&natural) {
        natural
    } else {
        offered.first().copied().unwrap_or(Granularity::Day)
    }
}

impl Granularity {
    /// Bucket starts covering `span` in UTC; the first may begin before it (weeks, months).
    pub fn buckets(self, span: DaySpan) -> Vec<i64> {
        Offsets::utc().buckets(self, span.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // A zone at −03:00 that goes to −02:00 at local 00:00 on 2026-10-04 (a day that loses an
    // hour, starting at 01:00) and back at local 00:00 on 2027-02-21 (23:00 repeats).
    fn south() -> Offsets {
        let spring = day_number(d(2026, 10, 4)) * SECONDS_PER_DAY + 3 * 3_600;
        let autumn = day_number(d(2027, 2, 21)) * SECONDS_PER_DAY + 2 * 3_600;
        Offsets::from_changes(vec![(0, -3 * 3_600), (spring, -2 * 3_600), (autumn, -3 * 3_600)])
    }

    // Guards the Today view's stretches: 24 hours ending with the 10-minute bucket of `now` on
    // the zone's clock (a +05:45 zone's buckets are not UTC's), 144 buckets with the last still
    // filling, and today so far from the zone's own midnight, one that starts at 01:00 included.
    #[test]
    fn the_last_day_and_today_so_far() {
        let nepal = Offsets::fixed(5 * 3_600 + 45 * 60);
        let now = day_number(d(2026, 11, 29)) * SECONDS_PER_DAY + 8 * 3_600 + 21 * 60 + 7; // 08:21:07Z, 14:06:07 local
        let last = nepal.last_day(now);
        assert_eq!(
            nepal.local(last.end).rem_euclid(SECONDS_PER_DAY),
            14 * 3_600 + 10 * 60,
            "ends at 14:10 local"
        );
        assert_eq!(last.end - last.start, SECONDS_PER_DAY);
        assert!(last.start <= now - 23 * 3_600 && now < last.end);
        let buckets = nepal.buckets(Granularity::TenMinutes, last);
        assert_eq!(buckets.len(), 144);
        assert!(
            buckets.iter().all(|&b| nepal.local(b).rem_euclid(600) == 0),
            "every bucket starts on the local clock's 10 minutes"
        );
        assert_eq!(*buckets.last().unwrap(), last.end - 600);
        let aligned = day_number(d(2026, 11, 29)) * SECONDS_PER_DAY + 600;
        assert_eq!(
            Offsets::utc().last_day(aligned).end,
            aligned + 600,
            "a bucket that has just begun is the last one"
        );
        let so_far = nepal.today_so_far(now);
        assert_eq!(
            (nepal.local(so_far.start), so_far.end),
            (day_number(d(2026, 11, 29)) * SECONDS_PER_DAY, now + 1)
        );
        let spring = south().day_start(d(2026, 10, 4));
        assert_eq!(
            south().today_so_far(spring + 5 * 3_600).start,
            spring,
            "the day began at 01:00"
        );
    }

    // Guards that a day losing an hour is 23 hours long and one gaining an hour 25, even when the
    // change is at midnight (the day then starts at 01:00).
    #[test]
    fn days_of_23_and_25_hours() {
        let zone = south();
        let length = |date: NaiveDate| zone.day_start(date.succ_opt().unwrap()) - zone.day_start(date);
        assert_eq!(length(d(2026, 10, 3)), 24 * 3_600);
        assert_eq!(length(d(2026, 10, 4)), 23 * 3_600);
        assert_eq!(
            zone.local(zone.day_start(d(2026, 10, 4))).rem_euclid(SECONDS_PER_DAY),
            3_600,
            "midnight did not exist"
        );
        assert_eq!(length(d(2027, 2, 20)), 25 * 3_600);
        assert_eq!(length(d(2027, 2, 21)), 24 * 3_600);
        let window = zone.window(&DateRange::new(d(2026, 10, 4), d(2026, 10, 4), d(2026, 11, 1)));
        assert_eq!(zone.buckets(Granularity::Hour, window).len(), 23);
        let window = zone.window(&DateRange::new(d(2027, 2, 20), d(2027, 2, 20), d(2027, 3, 1)));
        assert_eq!(zone.buckets(Granularity::Hour, window).len(), 25);
    }

    // Guards a 30-minute shift (Lord Howe, +11:00 → +10:30 at local 02:00): the repeated half hour
    // is a bucket of its own and the day is 24.5 hours.
    #[test]
    fn half_hour_shift() {
        let change = day_number(d(2026, 4, 5)) * SECONDS_PER_DAY + 2 * 3_600 - 11 * 3_600;
        let zone = Offsets::from_changes(vec![(0, 11 * 3_600), (change, 10 * 3_600 + 1_800)]);
        let window = zone.window(&DateRange::new(d(2026, 4, 5), d(2026, 4, 5), d(2026, 5, 1)));
        assert_eq!(window.end - window.start, 24 * 3_600 + 1_800);
        let starts = zone.buckets(Granularity::Hour, window);
        // 00:00 and 01:00 at +11:00; 01:30 to 02:00 at +10:30 (the repeated half hour); then 02:00
        // to 23:00: 24 hours and one half hour.
        assert_eq!(starts.len(), 25);
        let widths: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(widths.iter().filter(|&&w| w == 1_800).count(), 1, "{widths:?}");
        assert_eq!(zone.local(starts[2]).rem_euclid(SECONDS_PER_DAY), 3_600 + 1_800);
    }

    // Guards the table's clean-up: repeats and out-of-order changes are dropped, offsets clamped.
    #[test]
    fn tables_are_cleaned() {
        let zone = Offsets::from_changes(vec![
            (0, 3_600),
            (100, 3_600),
            (50, 7_200),
            (200, 99 * 3_600),
            (200, 7_200),
            (300, 7_200),
        ]);
        assert_eq!(zone.changes(), [(i64::MIN, 3_600), (200, 7_200)]);
        assert_eq!(
            Offsets::from_changes(vec![(5, 99 * 3_600)]).fixed_offset(),
            Some(MAX_OFFSET)
        );
        assert_eq!(Offsets::from_changes(Vec::new()), Offsets::utc());
    }

    // Guards a +05:45 zone: hours start at :45 UTC, and the day at 18:15 UTC the day before.
    #[test]
    fn quarter_hour_zone() {
        let zone = Offsets::fixed(5 * 3_600 + 45 * 60);
        let window = zone.window(&DateRange::new(d(2026, 11, 1), d(2026, 11, 1), d(2026, 11, 29)));
        assert_eq!(
            window.start,
            day_number(d(2026, 10, 31)) * SECONDS_PER_DAY + 18 * 3_600 + 15 * 60
        );
        let starts = zone.buckets(Granularity::Hour, window);
        assert_eq!(starts.len(), 24);
        assert!(starts.iter().all(|s| s.rem_euclid(3_600) == 15 * 60));
    }

    // Guards comparison windows at month ends and leap days: as long as the range, just before it
    // or a year earlier.
    #[test]
    fn comparison_periods() {
        let today = d(2026, 11, 29);
        let range = DateRange::new(d(2024, 3, 1), d(2024, 3, 31), today);
        assert_eq!(
            Compare::Previous.period(&range),
            Some((d(2024, 1, 30), d(2024, 2, 29))),
            "31 days, leap day included"
        );
        assert_eq!(Compare::Year.period(&range), Some((d(2023, 3, 1), d(2023, 3, 31))));
        let leap = DateRange::new(d(2024, 2, 29), d(2024, 2, 29), today);
        assert_eq!(Compare::Year.period(&leap), Some((d(2023, 2, 28), d(2023, 2, 28))));
        assert_eq!(Compare::Previous.period(&leap), Some((d(2024, 2, 28), d(2024, 2, 28))));
        let year_end = DateRange::new(d(2025, 12, 1), d(2026, 1, 31), today);
        assert_eq!(Compare::Year.period(&year_end), Some((d(2024, 12, 1), d(2025, 1, 31))));
        assert_eq!(
            Compare::Previous.period(&DateRange::new(d(1970, 1, 1), d(1970, 1, 3), today)),
            None
        );
    }

    // Guards the granularity limits: at most 1,500 points, 10 minutes only up to 2 days, and
    // nothing finer than daily data.
    #[test]
    fn granularity_limits() {
        use Granularity::*;
        assert_eq!(granularities(1, 1), [TenMinutes, Hour, Day]);
        assert_eq!(granularities(2, 600), [TenMinutes, Hour, Day]);
        assert_eq!(granularities(3, 1), [Hour, Day]);
        assert_eq!(granularities(62, 1), [Hour, Day, Week, Month]);
        assert_eq!(
            granularities(63, 1),
            [Day, Week, Month],
            "63 days of hours is 1,512 points"
        );
        assert_eq!(granularities(30, SECONDS_PER_DAY), [Day, Week]);
        assert_eq!(granularities(1, 3_600), [Hour, Day]);
        assert_eq!(granularities(1, SECONDS_PER_DAY), [Day]);
        assert_eq!(granularities(3_660, 1), [Week, Month]);
        assert_eq!(default_granularity(1, 1, None), Hour);
        assert_eq!(
            default_granularity(30, 1, Some(TenMinutes)),
            Day,
            "not offered, so the default"
        );
        assert_eq!(default_granularity(1, SECONDS_PER_DAY, None), Day);
        assert_eq!(default_granularity(3_000, 1, None), Week);
        for days in 1..=3_660 {
            for data_bucket in [1, 600, 3_600, SECONDS_PER_DAY] {
                let offered = granularities(days, data_bucket);
                assert!(!offered.is_empty());
                for g in offered {
                    let width = g.fixed_seconds().unwrap_or(28 * SECONDS_PER_DAY);
                    assert!(days * SECONDS_PER_DAY / width <= MAX_POINTS, "{days} days by {g:?}");
                    assert!(width >= data_bucket, "{g:?} is finer than the data's {data_bucket} s");
                }
            }
        }
    }

    // Guards the link names of zones: only UTC, local and IANA-shaped names are read.
    #[test]
    fn zone_names() {
        assert_eq!(ZoneChoice::parse("utc"), Some(ZoneChoice::Utc));
        assert_eq!(ZoneChoice::parse("local"), Some(ZoneChoice::Local));
        assert_eq!(
            ZoneChoice::parse("America/Argentina/Buenos_Aires"),
            Some(ZoneChoice::Named("America/Argentina/Buenos_Aires".into()))
        );
        assert_eq!(
            ZoneChoice::parse("Etc/GMT+5"),
            Some(ZoneChoice::Named("Etc/GMT+5".into()))
        );
        for bad in ["", "<script>", "../x", "Europe/Paris;drop", &"A".repeat(65)] {
            assert_eq!(ZoneChoice::parse(bad), None, "{bad}");
        }
    }
}
