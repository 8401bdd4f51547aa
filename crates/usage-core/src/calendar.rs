//! The calendar: days as numbers since 1970-01-01, spans of whole days, and the widths of a
//! time series' buckets. A leaf: it uses nothing else in the crate but the day's length.

use chrono::{Days, NaiveDate};

use crate::model::SECONDS_PER_DAY;

/// A half-open span of UTC days, `start..end`, as days since 1970-01-01.
///
/// The engine answers for any span it is given; it is the UI's [`DateRange`]
/// that keeps the current day out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DaySpan {
    pub start: i64,
    pub end: i64,
}

impl DaySpan {
    pub fn start_timestamp(&self) -> i64 {
        self.start * SECONDS_PER_DAY
    }
    pub fn end_timestamp(&self) -> i64 {
        self.end * SECONDS_PER_DAY
    }
}

/// Width of the buckets of a time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Granularity {
    TenMinutes,
    Hour,
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    Month,
}

impl Granularity {
    pub const ALL: [Granularity; 5] = [
        Granularity::TenMinutes,
        Granularity::Hour,
        Granularity::Day,
        Granularity::Week,
        Granularity::Month,
    ];

    /// The name in a link (`g=hour`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Granularity::TenMinutes => "10m",
            Granularity::Hour => "hour",
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The choice's label.
    pub const fn label(self) -> &'static str {
        match self {
            Granularity::TenMinutes => "10 minutes",
            Granularity::Hour => "Hour",
            Granularity::Day => "Day",
            Granularity::Week => "Week",
            Granularity::Month => "Month",
        }
    }

    /// "per hour" for the chart's subtitle.
    pub const fn per(self) -> &'static str {
        match self {
            Granularity::TenMinutes => "per 10 minutes",
            Granularity::Hour => "per hour",
            Granularity::Day => "per day",
            Granularity::Week => "per ISO week",
            Granularity::Month => "per month",
        }
    }

    /// The bucket's length in seconds when it is fixed (every granularity but months).
    pub const fn fixed_seconds(self) -> Option<i64> {
        match self {
            Granularity::TenMinutes => Some(600),
            Granularity::Hour => Some(3_600),
            Granularity::Day => Some(SECONDS_PER_DAY),
            Granularity::Week => Some(7 * SECONDS_PER_DAY),
            Granularity::Month => None,
        }
    }
}

/// The last complete UTC day before `today`.
///
/// Saturates at chrono's first representable day (year −262143), the one
/// `today` that has no day before it, so that ranges never need an error path.
pub fn yesterday(today: NaiveDate) -> NaiveDate {
    today.pred_opt().unwrap_or(today)
}

/// Days since 1970-01-01 (negative before).
pub fn day_number(day: NaiveDate) -> i64 {
    (day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)).num_days()
}

/// The date of a day number; saturates outside chrono's range.
pub fn date_of_day(day: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    if day >= 0 {
        epoch.checked_add_days(Days::new(day as u64)).unwrap_or(NaiveDate::MAX)
    } else {
        epoch
            .checked_sub_days(Days::new(day.unsigned_abs()))
            .unwrap_or(NaiveDate::MIN)
    }
}
