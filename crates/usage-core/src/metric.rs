//! What the time chart measures per bucket, beyond counting requests: the error rate, the p95
//! latency, the bytes sent, and any quantity the data measures besides requests (a 3scale metric
//! such as data transfer): `metric=` in a link.
//!
//! Every value is an integer, so the chart, its tooltip and its table show the very same figure:
//! requests and bytes as counts, the error rate in basis points (hundredths of a percent) and
//! latency in microseconds. A bucket with nothing to measure (no requests for a rate, no
//! per-request latency for a percentile) has no value, and the chart leaves a gap rather than
//! drawing a made-up zero.

use crate::Granularity;
use crate::query::{BucketIndex, Dimension, KeySlots, Percentiles, RecordFilter, StatusDetail, Unavailable};
use crate::status::StatusCounts;
use crate::store::UsageStore;
use crate::zone::{Offsets, Window};

/// What the time chart shows per bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metric {
    #[default]
    Requests,
    /// Errors (4xx, 429 and 5xx) as a share of requests.
    ErrorRate,
    /// The 95th percentile of per-request latencies, exact (nearest rank).
    P95,
    /// Response bytes, summed.
    Bytes,
    /// A [`Measure`](crate::store::Measure) of the data, by its system name, summed
    /// (`metric=measure:data_transfer`).
    Measure(String),
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::Requests, Metric::ErrorRate, Metric::P95, Metric::Bytes];

    /// The name in a link (`metric=p95`, `metric=measure:data_transfer`).
    pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Metric::Requests => "requests".into(),
            Metric::ErrorRate => "error-rate".into(),
            Metric::P95 => "p95".into(),
            Metric::Bytes => "bytes".into(),
            Metric::Measure(name) => format!("measure:{name}").into(),
        }
    }

    /// Its name as people read it; a measure's is the data's (`Data Transfer (MB)`).
    pub fn label(&self, store: &UsageStore) -> String {
        match self {
            Metric::Requests => "Requests".into(),
            Metric::ErrorRate => "Error rate".into(),
            Metric::P95 => "p95 latency".into(),
            Metric::Bytes => "Bytes".into(),
            Metric::Measure(name) => store
                .measures()
                .iter()
                .find(|m| &m.system_name == name)
                .map_or_else(|| name.clone(), |m| m.label()),
        }
    }

    /// The metric a link names, if it names one.
    pub fn parse(text: &str) -> Option<Metric> {
        match text.strip_prefix("measure:") {
            Some(name) if !name.is_empty() => Some(Metric::Measure(name.to_owned())),
            Some(_) => None,
            None => Metric::ALL.into_iter().find(|m| m.as_str() == text),
        }
    }

    /// Every metric `store` may offer: the built-in ones, then the data's own measures.
    pub fn offered(store: &UsageStore) -> Vec<Metric> {
        Metric::ALL
            .into_iter()
            .chain(store.measures().iter().map(|m| Metric::Measure(m.system_name.clone())))
            .collect()
    }

    /// Whether `store` can give this metric, and if not, why (the switch says it).
    pub fn availability(&self, store: &UsageStore, detail: StatusDetail) -> Result<(), Unavailable> {
        match self {
            Metric::Requests => Ok(()),
            Metric::ErrorRate => Dimension::Class.availability(store, detail),
            Metric::P95 if store.has_request_latency() || store.has_counted_latency() => Ok(()),
            Metric::P95 => Err(Unavailable::NoLatency),
            Metric::Bytes if store.bytes.is_some() => Ok(()),
            Metric::Bytes => Err(Unavailable::NoBytes),
            Metric::Measure(name) if store.measures().iter().any(|m| &m.system_name == name) => Ok(()),
            Metric::Measure(name) => Err(Unavailable::NoMeasure(name.clone())),
        }
    }

    /// A value of this metric in words: `12,345`, `2.50%`, `184.2 ms`, `1.2 MB`.
    pub fn text(&self, value: Option<u64>) -> String {
        let Some(value) = value else { return "–".to_owned() };
        match self {
            Metric::Requests | Metric::Measure(_) => crate::format::thousands(value),
            Metric::ErrorRate => format!("{}%", crate::format::decimal(value as f64 / 100.0, 2)),
            Metric::P95 => crate::format::millis(value),
            Metric::Bytes => crate::format::bytes(value),
        }
    }

    /// A value as an axis label, short: `12k`, `2.5%`, `184.2 ms`, `1.2 MB`.
    pub fn axis(&self, value: f64) -> String {
        match self {
            Metric::Requests | Metric::Measure(_) => crate::format::compact(value),
            Metric::ErrorRate => format!("{}%", crate::format::decimal(value / 100.0, 1).trim_end_matches(".0")),
            Metric::P95 => format!(
                "{} ms",
                crate::format::decimal(value.max(0.0) / 1000.0, 1).trim_end_matches(".0")
            ),
            Metric::Bytes => crate::format::bytes(value.max(0.0) as u64),
        }
    }
}

/// A metric per bucket: for everything through the filter, and for each key asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricSeries {
    pub starts: Vec<i64>,
    pub total: Vec<Option<u64>>,
    pub series: Vec<(u32, Vec<Option<u64>>)>,
}

/// What one bucket of one series gathers.
#[derive(Clone, Default)]
struct Cell {
    counts: StatusCounts,
    bytes: u64,
    latencies: Vec<u64>,
}

impl Cell {
    fn value(&mut self, metric: &Metric) -> Option<u64> {
        let total = self.counts.total();
        match metric {
            Metric::Requests => Some(total),
            // Rounded half up to a basis point, in integers.
            Metric::ErrorRate => (total > 0).then(|| {
                ((u128::from(self.counts.errors()) * 20_000 + u128::from(total)) / (2 * u128::from(total))) as u64
            }),
            Metric::P95 => Percentiles::of(&mut self.latencies).map(|p| p.p95_us),
            Metric::Bytes => Some(self.bytes),
            // Measures have a series of their own (`measure_series`).
            Metric::Measure(_) => None,
        }
    }
}

impl UsageStore {
    /// `metric` over time in `span` through `filter`, in buckets of the zone with `offsets`: for
    /// everything, and for each of `keys` of `dimension`.
    pub fn metric_series(
        &self,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        split: Option<(Dimension, &[u32])>,
        metric: &Metric,
    ) -> MetricSeries {
        if let Metric::Measure(name) = metric {
            return self.measure_series(span, granularity, offsets, filter, split, name);
        }
        let starts = offsets.buckets(granularity, span);
        let (dimension, keys) = split.unwrap_or((Dimension::Client, &[]));
        if *metric == Metric::P95 && !self.has_request_latency() {
            return self.counted_p95_series(starts, span, granularity, offsets, filter, dimension, keys);
        }
        let slots = KeySlots::new(self.cardinality(dimension), keys);
        // Row 0 is everything through the filter; row k + 1 is keys[k].
        let mut cells = vec![vec![Cell::default(); starts.len()]; keys.len() + 1];
        let index = BucketIndex::new(&starts, granularity, offsets);
        let shown = if keys.is_empty() {
            crate::query::Grouping::NONE
        } else {
            crate::query::Grouping::NONE.with(dimension)
        };
        self.each(span, filter, shown, |i, n| {
            let bucket = index.of(self.timestamp(i));
            if bucket >= starts.len() {
                return;
            }
            let own = slots.of(self.key(dimension, i)).map(|k| k + 1);
            for row in std::iter::once(0).chain(own) {
                let cell = &mut cells[row][bucket];
                cell.counts.add_code(self.status[i], n);
                match metric {
                    Metric::Bytes => {
                        cell.bytes = cell.bytes.saturating_add(self.bytes.as_ref().map_or(0, |b| b.get(i)))
                    }
                    // Percentiles are exact on per-request records only: a bucket's summed
                    // latency is not one request's.
                    Metric::P95 if self.bucket.get(i) == 0 => {
                        cell.latencies.extend(self.latency_us.as_ref().map(|l| l.get(i)))
                    }
                    _ => {}
                }
            }
        });
        let mut rows = cells
            .into_iter()
            .map(|mut row| row.iter_mut().map(|c| c.value(metric)).collect::<Vec<_>>());
        let total = rows.next().unwrap_or_default();
        MetricSeries {
            starts,
            total,
            series: keys.iter().copied().zip(rows).collect(),
        }
    }

    /// The measure `name` summed per bucket, like requests. A measure is counted per client
    /// only: through a filter on anything else (a URL, a status), or split by anything else, it
    /// has no amounts to show, and every bucket is a gap rather than a made-up zero.
    fn measure_series(
        &self,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        split: Option<(Dimension, &[u32])>,
        name: &str,
    ) -> MetricSeries {
        let starts = offsets.buckets(granularity, span);
        let (dimension, keys) = split.unwrap_or((Dimension::Client, &[]));
        let measure = self.measures().iter().find(|m| m.system_name == name);
        let known = measure.is_some() && filter.only_clients() && (keys.is_empty() || dimension == Dimension::Client);
        let index = BucketIndex::new(&starts, granularity, offsets);
        // Row 0 is everything through the filter; row k + 1 is keys[k]. The measure's total
        // fits in u64 (the store checked it), so no part of it can overflow.
        let mut sums = vec![vec![0u64; starts.len()]; keys.len() + 1];
        for point in measure
            .filter(|_| known)
            .map(|m| m.points.as_slice())
            .unwrap_or_default()
        {
            if point.timestamp < span.start || point.timestamp >= span.end || !filter.passes_client(point.client) {
                continue;
            }
            let bucket = index.of(point.timestamp);
            if bucket >= starts.len() {
                continue;
            }
            let own = keys.iter().rposition(|&k| k == point.client).map(|k| k + 1);
            for row in std::iter::once(0).chain(own) {
                sums[row][bucket] += point.amount;
            }
        }
        let mut rows = sums
            .into_iter()
            .map(|row| row.into_iter().map(|v| known.then_some(v)).collect::<Vec<_>>());
        let total = rows.next().unwrap_or_default();
        MetricSeries {
            starts,
            total,
            series: keys.iter().copied().zip(rows).collect(),
        }
    }

    /// The p95 per bucket that a server counted (ClickHouse, whose records here are aggregates),
    /// for each of `keys`: each counted bucket is the chart's bucket its first instant in `span`
    /// falls in. Without a count for exactly this span, granularity, dimension and filter, every
    /// bucket is a gap, as is the line of everything (nothing counted it).
    #[allow(clippy::too_many_arguments)]
    fn counted_p95_series(
        &self,
        starts: Vec<i64>,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        dimension: Dimension,
        keys: &[u32],
    ) -> MetricSeries {
        let mut rows = vec![vec![None; starts.len()]; keys.len()];
        if let Some(counted) = self.counted_p95(span, granularity, dimension, filter) {
            let index = BucketIndex::new(&starts, granularity, offsets);
            for &(key, start, p95) in &counted.points {
                let bucket = index.of(start.max(span.start));
                for (row, _) in keys.iter().enumerate().filter(|&(_, &k)| k == key) {
                    if let Some(cell) = rows[row].get_mut(bucket) {
                        *cell = Some(p95);
                    }
                }
            }
        }
        let total = vec![None; starts.len()];
        MetricSeries {
            starts,
            total,
            series: keys.iter().copied().zip(rows).collect(),
        }
    }

    /// Whether any record carries one request's own latency.
    pub fn has_request_latency(&self) -> bool {
        self.latency_us.is_some() && (0..self.len()).any(|i| self.bucket.get(i) == 0)
    }
}
