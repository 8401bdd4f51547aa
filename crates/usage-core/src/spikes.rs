//! Spikes: buckets where a client's requests, 5xx or 429s jump far above its own recent baseline.
//!
//! The rule, for each series of counts per bucket:
//!
//! - the **baseline** is the median of the [`BASELINE`] buckets before it, or for buckets shorter
//!   than a day, of the same time of day on the [`BASELINE`] days before it (so the morning's rise
//!   is compared with other mornings). They are read from before the range too, but never from
//!   before the data begins (its start is no jump); at least [`MIN_BASELINE`] must exist;
//! - the **spread** is the larger of 1.4826 × the median absolute deviation of those buckets (the
//!   MAD scaled to a standard deviation for normal noise), √baseline (the noise of a count), and 1;
//! - a bucket is a **spike** when its count exceeds baseline + [`K`] × spread, is at least
//!   [`RATIO`] × the baseline, and at least [`MIN_JUMP`] more than it.
//!
//! Medians and MADs ignore a single outlier, so one earlier spike does not hide the next; a
//! count's own noise (√n) and the ratio keep ordinary ups and downs (weekends, a busy Monday) from
//! being marked. Flat data has no marks: nothing exceeds its own median.

use crate::model::SECONDS_PER_DAY;
use crate::query::{Dimension, Granularity, RecordFilter};
use crate::status::StatusClass;
use crate::store::UsageStore;
use crate::zone::{Offsets, Window};

/// Buckets the baseline looks back over.
pub const BASELINE: usize = 7;
/// Buckets that must come before one for it to be judged.
pub const MIN_BASELINE: usize = 4;
/// How many spreads above the baseline a spike is.
pub const K: f64 = 6.0;
/// The least jump over the baseline that is a spike, in requests.
pub const MIN_JUMP: u64 = 10;
/// The least multiple of the baseline that is a spike.
pub const RATIO: f64 = 2.0;

/// What jumped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpikeMetric {
    Requests,
    ServerErrors,
    RateLimited,
}

impl SpikeMetric {
    pub const ALL: [SpikeMetric; 3] = [
        SpikeMetric::Requests,
        SpikeMetric::ServerErrors,
        SpikeMetric::RateLimited,
    ];

    /// "requests", "5xx responses", "429 responses".
    pub const fn label(self) -> &'static str {
        match self {
            SpikeMetric::Requests => "requests",
            SpikeMetric::ServerErrors => "5xx responses",
            SpikeMetric::RateLimited => "429 responses",
        }
    }

    const fn class(self) -> Option<StatusClass> {
        match self {
            SpikeMetric::Requests => None,
            SpikeMetric::ServerErrors => Some(StatusClass::ServerError),
            SpikeMetric::RateLimited => Some(StatusClass::RateLimited),
        }
    }
}

/// One marked bucket of one value's series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spike {
    /// The value (a client's id in its dimension).
    pub key: u32,
    pub metric: SpikeMetric,
    /// The bucket's index in the series, and its start (Unix seconds).
    pub bucket: usize,
    pub start: i64,
    pub value: u64,
    /// The median of the buckets before it.
    pub baseline: u64,
}

/// The median of `values` (reordered in place): the lower middle of an even count.
fn median(values: &mut [u64]) -> u64 {
    let middle = (values.len() - 1) / 2;
    *values.select_nth_unstable(middle).1
}

/// Whether `value` is a spike after the `previous` buckets, and if so their median.
pub fn spike_after(previous: &[u64], value: u64) -> Option<u64> {
    if previous.len() < MIN_BASELINE {
        return None;
    }
    let mut window = previous.to_vec();
    let baseline = median(&mut window);
    let mut deviations: Vec<u64> = previous.iter().map(|&v| v.abs_diff(baseline)).collect();
    let mad = median(&mut deviations);
    let spread = (1.4826 * mad as f64).max((baseline as f64).sqrt()).max(1.0);
    let far = value as f64 > baseline as f64 + K * spread && value as f64 >= RATIO * baseline as f64;
    (far && value >= baseline.saturating_add(MIN_JUMP)).then_some(baseline)
}

/// Each spike of a series from bucket `from` on: its bucket and baseline. The baseline of bucket
/// `i` is read at `i - stride`, `i - 2 × stride`, … (a stride of a day's buckets compares the same
/// time of day).
pub fn marks(values: &[u64], from: usize, stride: usize) -> Vec<(usize, u64)> {
    let stride = stride.max(1);
    (from..values.len())
        .filter_map(|i| {
            let previous: Vec<u64> = (1..=BASELINE)
                .filter_map(|j| i.checked_sub(j * stride))
                .map(|p| values[p])
                .collect();
            spike_after(&previous, values[i]).map(|b| (i, b))
        })
        .collect()
}

impl UsageStore {
    /// The spikes of each of `keys` of `dimension` over `span` in buckets of `granularity`, for
    /// requests, 5xx and 429s, through `filter`; in time order, then by the order of `keys`.
    pub fn spikes(
        &self,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        dimension: Dimension,
        keys: &[u32],
    ) -> Vec<Spike> {
        // The baseline's buckets before the range: a week of days for buckets of a day or less.
        let (back, stride) = match granularity.fixed_seconds() {
            Some(width) if width < SECONDS_PER_DAY => {
                (BASELINE as i64 * SECONDS_PER_DAY, (SECONDS_PER_DAY / width) as usize)
            }
            Some(width) => (BASELINE as i64 * width, 1),
            None => (BASELINE as i64 * 31 * SECONDS_PER_DAY, 1),
        };
        let reach = Window {
            start: span.start.saturating_sub(back),
            end: span.end,
        };
        let mut found = Vec::new();
        for metric in SpikeMetric::ALL {
            let series = self.series_of_class(
                reach,
                granularity,
                offsets,
                filter,
                Some((dimension, keys)),
                metric.class(),
            );
            // The bucket holding the range's first instant (weeks and months may start before it).
            let first = series.starts.partition_point(|&s| s <= span.start).saturating_sub(1);
            for (key, values) in &series.series {
                // Buckets that begin before the data does are no baseline: the data's start is
                // not a jump.
                let covered = self
                    .first_timestamp()
                    .map_or(0, |t| series.starts.partition_point(|&s| s < t));
                let judged = values.get(covered..).unwrap_or_default();
                for (bucket, baseline) in marks(judged, first.saturating_sub(covered), stride)
                    .into_iter()
                    .map(|(b, base)| (b + covered, base))
                {
                    let start = series.starts[bucket];
                    found.push(Spike {
                        key: *key,
                        metric,
                        bucket: bucket - first,
                        start,
                        value: values[bucket],
                        baseline,
                    });
                }
            }
        }
        let rank = |key: u32| keys.iter().position(|&k| k == key);
        found.sort_by_key(|s| (s.start, rank(s.key), s.metric as u8));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::range::{DateRange, day_number};
    use chrono::NaiveDate;

    /// The rule written out plainly: sorted copies for the medians, floats for the comparison.
    fn naive_marks(values: &[u64], from: usize, stride: usize) -> Vec<(usize, u64)> {
        let mut out = Vec::new();
        for i in from..values.len() {
            let mut previous: Vec<u64> = (1..=BASELINE)
                .filter(|j| i >= j * stride)
                .map(|j| values[i - j * stride])
                .collect();
            if previous.len() < MIN_BASELINE {
                continue;
            }
            previous.sort();
            let baseline = previous[(previous.len() - 1) / 2];
            let mut deviations: Vec<u64> = previous.iter().map(|&v| v.abs_diff(baseline)).collect();
            deviations.sort();
            let mad = deviations[(deviations.len() - 1) / 2] as f64;
            let spread = [1.4826 * mad, (baseline as f64).sqrt(), 1.0]
                .into_iter()
                .fold(0.0, f64::max);
            let v = values[i] as f64;
            if v > baseline as f64 + K * spread && v >= RATIO * baseline as f64 && values[i] >= baseline + MIN_JUMP {
                out.push((i, baseline));
            }
        }
        out
    }

    proptest::proptest! {
        // Guards the marks against the rule written out plainly, on series with occasional jumps.
        #[test]
        fn marks_match_the_plain_rule(
            values in proptest::collection::vec(proptest::prop_oneof![8 => 0u64..60, 3 => 500u64..700, 1 => 0u64..100_000], 0..120),
            from in 0usize..12,
            stride in 1usize..30,
        ) {
            proptest::prop_assert_eq!(marks(&values, from, stride), naive_marks(&values, from, stride));
        }
    }

    // Guards that flat and steadily noisy or growing data has no marks, and a jump does.
    #[test]
    fn flat_data_has_no_marks() {
        assert!(marks(&[500; 60], 0, 1).is_empty());
        assert!(marks(&[0; 60], 0, 1).is_empty());
        let noisy: Vec<u64> = (0..60).map(|i| 1_000 + (i * 37 % 11) * 6 + i * 4).collect();
        assert!(marks(&noisy, 0, 1).is_empty(), "{:?}", marks(&noisy, 0, 1));
        let weekly: Vec<u64> = (0..60).map(|i| if i % 7 >= 5 { 300 } else { 1_000 }).collect();
        assert!(
            marks(&weekly, 0, 1).is_empty(),
            "weekends and Mondays are not spikes: {:?}",
            marks(&weekly, 0, 1)
        );
        // Office hours: quiet nights, busy days; each morning is compared with other mornings.
        let hourly: Vec<u64> = (0..24 * 14)
            .map(|h| {
                if (8..18).contains(&(h % 24)) {
                    900 + (h as u64 * 7) % 50
                } else {
                    40
                }
            })
            .collect();
        assert!(marks(&hourly, 0, 24).is_empty(), "{:?}", marks(&hourly, 0, 24));
        assert!(
            !marks(&hourly, 0, 1).is_empty(),
            "the stride is what keeps mornings unmarked"
        );
        let mut jump = vec![40u64; 20];
        jump[12] = 400;
        assert_eq!(marks(&jump, 0, 1), [(12, 40)]);
        assert_eq!(marks(&jump, 13, 1), [], "only from `from` on");
        let mut small = vec![0u64; 20];
        small[10] = 9;
        assert!(
            marks(&small, 0, 1).is_empty(),
            "nine 429s where there were none is below the least jump"
        );
        small[10] = 12;
        assert_eq!(marks(&small, 0, 1), [(10, 0)]);
        assert!(
            marks(&[0, 0, 0, 500], 0, 1).is_empty(),
            "too few buckets before it to judge"
        );
    }

    // Guards that the data's start is no spike: weekly buckets over a range that begins before the
    // demo's 60 days mark nothing in the weeks where the data begins.
    #[test]
    fn the_start_of_the_data_is_no_spike() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let store = crate::demo::demo_store(today).unwrap();
        let range = DateRange::new(today - chrono::Days::new(90), today - chrono::Days::new(1), today);
        let offsets = Offsets::utc();
        let keys: Vec<u32> = (0..store.client_count() as u32).collect();
        let spikes = store.spikes(
            offsets.window(&range),
            Granularity::Week,
            &offsets,
            &RecordFilter::all(),
            Dimension::Client,
            &keys,
        );
        let data_start = store.first_timestamp().unwrap();
        assert!(
            spikes
                .iter()
                .all(|s| s.start >= data_start + MIN_BASELINE as i64 * 7 * 86_400),
            "{spikes:#?}"
        );
    }

    // Guards the rule on the demo's two incidents: the 5xx spike 12 days ago for every client,
    // and the client hammered by 429s 5 days ago; nothing else in 30 days of daily buckets.
    #[test]
    fn marks_the_demo_incidents() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let store = crate::demo::demo_store(today).unwrap();
        let range = DateRange::preset(crate::Preset::Last30Days, today);
        let offsets = Offsets::utc();
        let window = offsets.window(&range);
        let keys: Vec<u32> = (0..store.client_count() as u32).collect();
        let spikes = store.spikes(
            window,
            Granularity::Day,
            &offsets,
            &RecordFilter::all(),
            Dimension::Client,
            &keys,
        );
        let day = |s: &Spike| day_number(today) - s.start / 86_400;
        let hammered = store.client_by_id("e61f2b7c-zapier").unwrap();
        // Every client's 5xx on the day of the server errors, but the night batch's: it called
        // before the afternoon's errors began.
        let server: Vec<&Spike> = spikes.iter().filter(|s| day(s) == 12).collect();
        let night = store.client_by_id("6e3b90d1-legacy-reports").unwrap();
        let mut marked: Vec<u32> = server.iter().map(|s| s.key).collect();
        marked.sort_unstable();
        assert_eq!(
            marked,
            keys.iter().copied().filter(|&k| k != night).collect::<Vec<_>>(),
            "{spikes:#?}"
        );
        assert!(
            server
                .iter()
                .all(|s| s.metric == SpikeMetric::ServerErrors && s.value >= 2 * s.baseline),
            "{server:#?}"
        );
        // The hammered client's 429s, and its requests (4× for 10 hours), on its day.
        let limited: Vec<(SpikeMetric, u32)> = spikes
            .iter()
            .filter(|s| day(s) == 5)
            .map(|s| (s.metric, s.key))
            .collect();
        assert!(
            limited.contains(&(SpikeMetric::RateLimited, hammered))
                && limited.contains(&(SpikeMetric::Requests, hammered)),
            "{limited:?}"
        );
        assert!(limited.iter().all(|&(_, key)| key == hammered), "{limited:?}");
        assert_eq!(
            server.len() + limited.len(),
            spikes.len(),
            "nothing else in 30 days: {spikes:#?}"
        );
    }
}
