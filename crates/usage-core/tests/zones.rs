//! Property tests: time-zone bucketing against a simulation of the wall clock.
//!
//! The reference shares no code with `usage_core::zone`. It walks the clock minute by minute
//! through a synthetic offset table (found by a linear scan), and puts a bucket boundary where the
//! wall clock first reaches a new day (or ISO week, or month), where it shows a multiple of the
//! bucket width, and where the offset changes. Records are then counted into the last boundary
//! at or before them, and a range's days are those the walk reached.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use usage_core::model::{BucketWidth, UsageRecord};
use usage_core::query::{Dimension, Granularity, RecordFilter};
use usage_core::range::day_number;
use usage_core::zone::Offsets;
use usage_core::{DateRange, UsageStore};

const DAY: i64 = 86_400;
/// Days the generator centres on: a leap day, a year end and a month end.
const ANCHORS: [(i32, u32, u32); 3] = [(2024, 2, 29), (2025, 12, 31), (2026, 4, 30)];

/// The offset at `t` by a linear scan: the last change at or before it, else the first.
fn naive_offset(changes: &[(i64, i32)], t: i64) -> i64 {
    let mut offset = changes[0].1;
    for &(at, o) in changes {
        if at <= t {
            offset = o;
        }
    }
    i64::from(offset)
}

fn date(local: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(local.div_euclid(DAY))
}

/// Walks from `from` to `until` a minute at a time. Returns the boundaries of `granularity`, and
/// for each local date the wall clock reached, the instant it first did.
fn walk(changes: &[(i64, i32)], from: i64, until: i64, granularity: Granularity) -> (Vec<i64>, Vec<(NaiveDate, i64)>) {
    let mut boundaries = Vec::new();
    let mut days = Vec::new();
    let mut reached: Option<i64> = None; // the latest wall-clock time so far
    let mut previous_offset = None;
    let mut t = from;
    while t < until {
        let offset = naive_offset(changes, t);
        let local = t + offset;
        let new_day = match reached {
            None => true,
            Some(max) => local.div_euclid(DAY) > max.div_euclid(DAY),
        };
        if new_day {
            days.push((date(local), t));
        }
        let boundary = match granularity {
            Granularity::TenMinutes | Granularity::Hour => {
                let width = if granularity == Granularity::Hour { 3_600 } else { 600 };
                local.rem_euclid(width) == 0 || previous_offset.is_some_and(|p| p != offset)
            }
            Granularity::Day => new_day,
            Granularity::Week => new_day && date(local).weekday() == chrono::Weekday::Mon,
            Granularity::Month => new_day && date(local).day() == 1,
        };
        if boundary {
            boundaries.push(t);
        }
        reached = Some(reached.map_or(local, |m| m.max(local)));
        previous_offset = Some(offset);
        t += 60;
    }
    (boundaries, days)
}

/// A synthetic zone near `anchor`: a base offset and up to three changes on whole minutes,
/// alternating between two offsets like a zone with DST. The named shapes are a +05:45 zone, a
/// −03:30 zone with DST, and a 30-minute shift like Lord Howe; the last is any pair.
fn zone_strategy(anchor: i64) -> impl Strategy<Value = Vec<(i64, i32)>> {
    let pairs = prop_oneof![
        Just((5 * 3_600 + 45 * 60, 5 * 3_600 + 45 * 60)),
        Just((-(3 * 3_600 + 1_800), -(2 * 3_600 + 1_800))),
        Just((10 * 3_600 + 1_800, 11 * 3_600)),
        Just((-3 * 3_600, -2 * 3_600)),
        (-48i32..=56, -48i32..=56).prop_map(|(a, b)| (a * 900, b * 900)),
    ];
    // A change falls on any minute, or where the clock shows a whole hour or midnight (as real
    // zones change), where "the first instant at midnight" is easiest to get wrong.
    let change = (-4 * 24 * 60i64..4 * 24 * 60, 0..3u8);
    (pairs, prop::collection::vec(change, 0..4)).prop_map(move |((a, b), picks)| {
        let mut changes = vec![(anchor - 400 * DAY, a)];
        let mut minutes: Vec<(i64, u8)> = picks;
        minutes.sort_unstable();
        for (i, (minute, how)) in minutes.into_iter().enumerate() {
            let before = i64::from(changes[changes.len() - 1].1);
            let at = match how {
                0 => anchor + minute * 60,
                1 => anchor + minute.div_euclid(60) * 3_600 - before,
                _ => anchor + minute.div_euclid(24 * 60) * DAY - before,
            };
            if at > changes[changes.len() - 1].0 {
                changes.push((at, if i % 2 == 0 { b } else { a }));
            }
        }
        changes
    })
}

/// The anchor, the zone's changes, the records (time, client, requests), the range's first and
/// last day, and the granularity.
type Case = (i64, Vec<(i64, i32)>, Vec<(i64, u32, u64)>, i64, i64, Granularity);

fn case_strategy() -> impl Strategy<Value = Case> {
    (0..ANCHORS.len()).prop_flat_map(|a| {
        let (y, m, d) = ANCHORS[a];
        let anchor = day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap()) * DAY;
        (
            Just(anchor),
            zone_strategy(anchor),
            prop::collection::vec((-4 * DAY..4 * DAY, 0..3u32, 1..1_000u64), 0..80),
            -2i64..=1,
            0i64..=2,
            prop::sample::select(Granularity::ALL.to_vec()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    // Guards zone bucketing: the range's window, every bucket start and every bucket's count,
    // for fixed, DST, quarter-hour and half-hour-shift zones at every granularity.
    #[test]
    fn zoned_series_match_the_wall_clock((anchor, changes, rows, first, length, granularity) in case_strategy()) {
        let records: Vec<UsageRecord> = rows
            .iter()
            .map(|&(t, client, n)| UsageRecord { timestamp: anchor + t, bucket: BucketWidth::Request, client_id: format!("c{client}"), requests: n, status: 200, ..UsageRecord::default() })
            .collect();
        let store = UsageStore::from_records(&records).expect("small store");
        let offsets = Offsets::from_changes(changes.clone());
        let anchor_date = date(anchor);
        let (from, to) = (anchor_date + chrono::Duration::days(first), anchor_date + chrono::Duration::days(first + length));
        let range = DateRange::new(from, to, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap());

        let (_, days) = walk(&changes, anchor - 40 * DAY, anchor + 6 * DAY, Granularity::Day);
        let start_of = |d: NaiveDate| days.iter().find(|(day, _)| *day >= d).map(|&(_, t)| t).unwrap();
        let window = offsets.window(&range);
        prop_assert_eq!((window.start, window.end), (start_of(from), start_of(to.succ_opt().unwrap())));

        let (boundaries, _) = walk(&changes, anchor - 40 * DAY, window.end, granularity);
        let first_start = *boundaries.iter().rfind(|&&b| b <= window.start).unwrap();
        let expected: Vec<i64> = boundaries.iter().copied().filter(|&b| b >= first_start).collect();
        let clients: Vec<u32> = (0..store.client_count() as u32).collect();
        let series = store.series_in(window, granularity, &offsets, &RecordFilter::all(), Some((Dimension::Client, &clients)));
        prop_assert_eq!(&series.starts, &expected);

        let mut total = vec![0u64; expected.len()];
        let mut per_client = vec![vec![0u64; expected.len()]; clients.len()];
        for r in &records {
            if r.timestamp < window.start || r.timestamp >= window.end {
                continue;
            }
            let bucket = expected.iter().rposition(|&b| b <= r.timestamp).unwrap();
            total[bucket] += r.requests;
            let client = store.client_by_id(&r.client_id).unwrap() as usize;
            per_client[client][bucket] += r.requests;
        }
        prop_assert_eq!(&series.total, &total);
        for (key, values) in &series.series {
            prop_assert_eq!(values, &per_client[*key as usize]);
        }
    }

    // Guards that every local date of a zone starts where the wall clock first shows it, and that
    // an instant's local date is read from its offset.
    #[test]
    fn days_start_where_the_clock_first_shows_them((anchor, changes, _rows, _first, _length, _g) in case_strategy()) {
        let offsets = Offsets::from_changes(changes.clone());
        let (_, days) = walk(&changes, anchor - 5 * DAY, anchor + 5 * DAY, Granularity::Day);
        for &(day, t) in days.iter().skip(1) {
            prop_assert_eq!(offsets.day_start(day), t, "{}", day);
        }
        let seen: BTreeSet<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
        for minute in (-5 * 24 * 60..5 * 24 * 60).step_by(97) {
            let t = anchor + minute * 60;
            prop_assert_eq!(offsets.local_date(t), date(t + naive_offset(&changes, t)));
            prop_assert!(seen.contains(&offsets.local_date(t)) || t < anchor - 4 * DAY);
        }
    }
}

// Guards the range a file opens with: it covers the file's days in the view's zone. An nginx
// log of 55 lines around New York's DST change (1 November 2026) starts at 23:30 on 29 October
// New York time, 03:30 on the 30th in UTC; its UTC days would leave that line out of a New York
// view (54), so opened in New York the range starts on the 29th and counts all 55.
#[test]
fn a_file_opens_over_its_days_in_the_views_zone() {
    let log = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nginx-dst.log"))
        .expect("the fixture");
    let (_, store, report) = usage_core::formats::read_file(&log, 4096).expect("readable");
    assert_eq!((report.rows, report.skipped), (55, 0));
    let switch = usage_core::formats::time::parse_iso8601(b"2026-11-01T06:00:00Z").expect("a time");
    let new_york = Offsets::from_changes(vec![(0, -4 * 3_600), (switch, -5 * 3_600)]);
    let now = usage_core::formats::time::parse_iso8601(b"2026-12-07T12:00:00Z").expect("a time");
    let d = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date");
    let count =
        |range: &DateRange, offsets: &Offsets| store.totals(offsets.window(range), &RecordFilter::all()).total();

    let in_new_york = store.covering_range(&new_york, now, 60).expect("days before today");
    assert_eq!(
        (in_new_york.from(), in_new_york.to()),
        (d("2026-10-29"), d("2026-11-04"))
    );
    assert_eq!(count(&in_new_york, &new_york), 55);
    let in_utc = store
        .covering_range(&Offsets::utc(), now, 60)
        .expect("days before today");
    assert_eq!((in_utc.from(), in_utc.to()), (d("2026-10-30"), d("2026-11-04")));
    assert_eq!(count(&in_utc, &Offsets::utc()), 55);
    assert_eq!(
        count(&in_utc, &new_york),
        54,
        "the fixture has a line that only a New York range holds"
    );
}
