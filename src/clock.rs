//! The one place that reads the clock: the UI asks it for today's UTC date
//! and hands that to the core as an argument.

use chrono::NaiveDate;

/// Today's date in UTC, from the browser's clock.
pub fn today_utc() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(now.get_utc_full_year() as i32, now.get_utc_month() + 1, now.get_utc_date())
        // A browser clock that yields no valid date is broken beyond repair; use a fixed, valid day.
        .unwrap_or(NaiveDate::MIN)
}
