//! Latencies as a store holds them: a group's exact percentiles, and the percentiles a server
//! counted (ClickHouse) for data whose records are aggregates and carry no request's own latency.
//! [`crate::latency`] finds the set that answers a query.

use super::UsageStore;
use crate::calendar::Granularity;
use crate::dimension::{Dimension, Filter};
use crate::zone::Window;

/// Exact latency percentiles of a group, from its per-request records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `values` (reordered in place); `None` for none. Three
    /// selections in linear time rather than a sort: a drill-down to a big client has hundreds of
    /// thousands of latencies.
    pub fn of(values: &mut [u64]) -> Option<Percentiles> {
        if values.is_empty() {
            return None;
        }
        let rank = |p: u64| ((values.len() as u64 * p).div_ceil(100)).saturating_sub(1) as usize;
        let (r50, r95, r99) = (rank(50), rank(95), rank(99));
        // Each selection leaves everything smaller before it, where the next one looks.
        let p99_us = *values.select_nth_unstable(r99).1;
        let p95_us = *values[..=r99].select_nth_unstable(r95).1;
        let p50_us = *values[..=r95].select_nth_unstable(r50).1;
        Some(Percentiles { p50_us, p95_us, p99_us })
    }
}

/// Why the counted latencies the worker handed over are out of shape.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HandOverError {
    #[error("the counted latencies end early")]
    EndsEarly,
    #[error("{0} is not a whole number")]
    NotWhole(f64),
    #[error("a negative {0}")]
    Negative(&'static str),
    #[error("{0} is not a value's id")]
    NotAnId(i64),
    #[error("an unknown {0}")]
    Unknown(&'static str),
}

/// p50, p95 and p99 per value of a dimension over a window: a table's latency columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPercentiles {
    pub dimension: Dimension,
    pub window: Window,
    /// By the value's id in the store, ascending.
    pub rows: Vec<(u32, Percentiles)>,
}

/// The p95 per bucket and value of a dimension over a window: the time chart's p95 lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketP95 {
    pub dimension: Dimension,
    pub window: Window,
    pub granularity: Granularity,
    /// (the value's id, the bucket's first instant as the server names it, the p95 in µs).
    pub points: Vec<(u32, i64, u64)>,
}

/// Every set of percentiles a server counted for one answer, and the filters it counted through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountedLatency {
    /// Whether the server has the requests' latencies at all, and so counts what a view asks
    /// for (a chart's p95 is asked for only once the link shows it).
    pub countable: bool,
    pub filters: Vec<Filter>,
    pub tables: Vec<KeyPercentiles>,
    pub series: Vec<BucketP95>,
}

impl CountedLatency {
    /// As plain numbers, for the worker to hand the page: whether it is countable (1 or 0), then
    /// each table as its dimension, window,
    /// length and (id, p50, p95, p99) rows, then each series as its dimension, granularity,
    /// window, length and (id, bucket, p95) points. Every number is below 2^53, so an f64 holds
    /// it exactly.
    pub fn to_numbers(&self) -> Vec<f64> {
        let mut out = vec![f64::from(u8::from(self.countable)), self.tables.len() as f64];
        for t in &self.tables {
            out.extend([
                t.dimension as usize as f64,
                t.window.start as f64,
                t.window.end as f64,
                t.rows.len() as f64,
            ]);
            for (key, p) in &t.rows {
                out.extend([f64::from(*key), p.p50_us as f64, p.p95_us as f64, p.p99_us as f64]);
            }
        }
        out.push(self.series.len() as f64);
        for s in &self.series {
            let granularity = Granularity::ALL.iter().position(|&g| g == s.granularity).unwrap_or(0);
            out.extend([
                s.dimension as usize as f64,
                granularity as f64,
                s.window.start as f64,
                s.window.end as f64,
                s.points.len() as f64,
            ]);
            for &(key, start, p95) in &s.points {
                out.extend([f64::from(key), start as f64, p95 as f64]);
            }
        }
        out
    }

    /// [`CountedLatency::to_numbers`] read back, checked: anything out of shape is an error.
    pub fn from_numbers(numbers: &[f64], filters: Vec<Filter>) -> Result<CountedLatency, HandOverError> {
        let mut at = numbers.iter().copied();
        let mut next = || -> Result<i64, HandOverError> {
            let n = at.next().ok_or(HandOverError::EndsEarly)?;
            if n.fract() != 0.0 || n.abs() > 9_007_199_254_740_992.0 {
                return Err(HandOverError::NotWhole(n));
            }
            Ok(n as i64)
        };
        let length = |n: i64| usize::try_from(n).map_err(|_| HandOverError::Negative("length"));
        let unsigned = |n: i64| u64::try_from(n).map_err(|_| HandOverError::Negative("latency"));
        let key = |n: i64| u32::try_from(n).map_err(|_| HandOverError::NotAnId(n));
        let dimension = |n: i64| {
            usize::try_from(n)
                .ok()
                .and_then(|i| Dimension::ALL.get(i).copied())
                .ok_or(HandOverError::Unknown("dimension"))
        };
        let mut latency = CountedLatency {
            countable: next()? != 0,
            filters,
            ..CountedLatency::default()
        };
        for _ in 0..length(next()?)? {
            let (dimension, window) = (
                dimension(next()?)?,
                Window {
                    start: next()?,
                    end: next()?,
                },
            );
            let mut rows = Vec::new();
            for _ in 0..length(next()?)? {
                rows.push((
                    key(next()?)?,
                    Percentiles {
                        p50_us: unsigned(next()?)?,
                        p95_us: unsigned(next()?)?,
                        p99_us: unsigned(next()?)?,
                    },
                ));
            }
            latency.tables.push(KeyPercentiles {
                dimension,
                window,
                rows,
            });
        }
        for _ in 0..length(next()?)? {
            let dimension = dimension(next()?)?;
            let granularity = usize::try_from(next()?)
                .ok()
                .and_then(|i| Granularity::ALL.get(i).copied())
                .ok_or(HandOverError::Unknown("granularity"))?;
            let window = Window {
                start: next()?,
                end: next()?,
            };
            let mut points = Vec::new();
            for _ in 0..length(next()?)? {
                points.push((key(next()?)?, next()?, unsigned(next()?)?));
            }
            latency.series.push(BucketP95 {
                dimension,
                window,
                granularity,
                points,
            });
        }
        Ok(latency)
    }
}

impl UsageStore {
    /// The store with whether a server counts latencies for it, and any it counted.
    pub fn with_counted_latency(mut self, latency: CountedLatency) -> UsageStore {
        self.latency_countable = latency.countable;
        if !latency.tables.is_empty() || !latency.series.is_empty() {
            let _ = self.counted_latency.set(std::sync::Arc::new(latency));
        }
        self
    }

    /// Gives the store the percentiles a server counted for it after it was shown; `false` if it
    /// already has some (each fetch's store gets its own once).
    pub fn set_counted_latency(&self, latency: CountedLatency) -> bool {
        self.counted_latency.set(std::sync::Arc::new(latency)).is_ok()
    }

    /// Whether a server counts latencies for this data: the time chart may offer p95.
    pub fn has_counted_latency(&self) -> bool {
        self.latency_countable
    }
}
