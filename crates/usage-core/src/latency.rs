//! Latency percentiles that a server counted (ClickHouse), for data whose records are aggregates
//! and carry no request's own latency.
//!
//! Percentiles of parts do not make the percentiles of the whole, so each set here is valid
//! only for what it was counted over: its window, its dimension, its buckets, and the link's
//! filters. Asked for anything else (another range while a new answer is on its way), the store
//! has none to give, and the dashboard shows no figure rather than a wrong one.

use crate::calendar::Granularity;
use crate::dimension::Dimension;
use crate::query::RecordFilter;
use crate::store::UsageStore;
pub use crate::store::latency::{BucketP95, CountedLatency, KeyPercentiles};
use crate::zone::Window;

impl CountedLatency {
    /// The percentiles of an answer read without the store (the page's second worker asks for
    /// them while the first fetches the counts), whose keys are positions in `texts`, with the
    /// keys made `store`'s ids: a value the store does not have is left out.
    pub fn resolve(mut self, texts: &[String], store: &UsageStore) -> CountedLatency {
        let id =
            |dimension: Dimension, key: u32| texts.get(key as usize).and_then(|text| store.find_key(dimension, text));
        for table in &mut self.tables {
            let dimension = table.dimension;
            table.rows = table
                .rows
                .iter()
                .filter_map(|&(key, p)| Some((id(dimension, key)?, p)))
                .collect();
            table.rows.sort_by_key(|&(key, _)| key);
        }
        for series in &mut self.series {
            let dimension = series.dimension;
            series.points = series
                .points
                .iter()
                .filter_map(|&(key, start, p95)| Some((id(dimension, key)?, start, p95)))
                .collect();
        }
        self
    }
}

impl UsageStore {
    /// The counted latencies, when they were counted through `filter`.
    fn counted_through(&self, filter: &RecordFilter) -> Option<&CountedLatency> {
        self.counted_latency
            .get()
            .map(|c| c.as_ref())
            .filter(|c| RecordFilter::new(self, &c.filters) == *filter)
    }

    /// Percentiles per value of `dimension` over exactly `span` through exactly `filter`, if a
    /// server counted them.
    pub(crate) fn counted_percentiles(
        &self,
        span: Window,
        dimension: Dimension,
        filter: &RecordFilter,
    ) -> Option<&KeyPercentiles> {
        self.counted_through(filter)?
            .tables
            .iter()
            .find(|t| t.dimension == dimension && t.window == span)
    }

    /// The p95 per bucket of `granularity` and value of `dimension` over exactly `span` through
    /// exactly `filter`, if a server counted it.
    pub(crate) fn counted_p95(
        &self,
        span: Window,
        granularity: Granularity,
        dimension: Dimension,
        filter: &RecordFilter,
    ) -> Option<&BucketP95> {
        self.counted_through(filter)?
            .series
            .iter()
            .find(|s| s.dimension == dimension && s.window == span && s.granularity == granularity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dimension::Filter;
    use crate::store::latency::{HandOverError, Percentiles};

    // Guards the hand-over from the worker: counted latencies come back as they went, and numbers
    // out of shape are an error, never a panic or a made-up figure.
    #[test]
    fn counted_latencies_travel_as_numbers() {
        let p = |a, b, c| Percentiles {
            p50_us: a,
            p95_us: b,
            p99_us: c,
        };
        let latency = CountedLatency {
            countable: true,
            filters: vec![Filter {
                dimension: Dimension::Client,
                key: "a".to_owned(),
            }],
            tables: vec![KeyPercentiles {
                dimension: Dimension::Template,
                window: Window {
                    start: 86_400,
                    end: 172_800,
                },
                rows: vec![(0, p(1, 2, 3)), (7, p(10, 9_000_000_000, 9_000_000_001))],
            }],
            series: vec![BucketP95 {
                dimension: Dimension::Ip,
                window: Window {
                    start: -3_600,
                    end: 7_200,
                },
                granularity: Granularity::Week,
                points: vec![(3, -3_600, 5), (4, 0, 6)],
            }],
        };
        let numbers = latency.to_numbers();
        assert_eq!(
            CountedLatency::from_numbers(&numbers, latency.filters.clone()),
            Ok(latency.clone())
        );
        assert_eq!(
            CountedLatency::from_numbers(&numbers[..numbers.len() - 1], vec![]),
            Err(HandOverError::EndsEarly)
        );
        let mut bad = numbers.clone();
        bad[2] = 99.0;
        assert_eq!(
            CountedLatency::from_numbers(&bad, vec![]),
            Err(HandOverError::Unknown("dimension"))
        );
        bad = numbers.clone();
        bad[7] = 0.5;
        assert!(
            CountedLatency::from_numbers(&bad, vec![])
                .unwrap_err()
                .to_string()
                .contains("not a whole number")
        );
        bad = numbers;
        bad[7] = -1.0;
        assert!(
            CountedLatency::from_numbers(&bad, vec![])
                .unwrap_err()
                .to_string()
                .contains("latency")
        );
    }

    // Guards what the store shows of counted latencies: a table's percentiles and the chart's
    // p95 only for exactly the window, buckets, dimension and filters they were counted for;
    // anything else shows no figure rather than another period's.
    #[test]
    fn counted_latencies_show_only_where_they_were_counted() {
        use crate::metric::Metric;
        use crate::zone::Offsets;
        let record = |t: i64, client: &str| crate::model::UsageRecord {
            timestamp: t,
            bucket: crate::model::BucketWidth::Hour,
            client_id: client.into(),
            template: "/a".into(),
            status: 200,
            requests: 3,
            ..Default::default()
        };
        let plain = UsageStore::from_records(&[record(86_400, "a"), record(90_000, "b")]).unwrap();
        let (a, b) = (
            plain.find_key(Dimension::Client, "a").unwrap(),
            plain.find_key(Dimension::Client, "b").unwrap(),
        );
        let day = Window {
            start: 86_400,
            end: 172_800,
        };
        let p = Percentiles {
            p50_us: 10,
            p95_us: 20,
            p99_us: 30,
        };
        let filters = vec![Filter {
            dimension: Dimension::Template,
            key: "/a".into(),
        }];
        assert_eq!(
            Metric::P95.availability(&plain, crate::query::StatusDetail::Codes),
            Err(crate::query::Unavailable::NoLatency)
        );
        let store = plain.with_counted_latency(CountedLatency {
            countable: true,
            filters: filters.clone(),
            tables: vec![KeyPercentiles {
                dimension: Dimension::Client,
                window: day,
                rows: vec![(a, p)],
            }],
            series: vec![BucketP95 {
                dimension: Dimension::Client,
                window: day,
                granularity: Granularity::Hour,
                points: vec![(b, 90_000, 7)],
            }],
        });
        assert_eq!(
            Metric::P95.availability(&store, crate::query::StatusDetail::Codes),
            Ok(())
        );
        let through = RecordFilter::new(&store, &filters);
        let latency_of = |span: Window, filter: &RecordFilter| -> Vec<Option<Percentiles>> {
            let breakdown = store.breakdown(span, Dimension::Client, filter, true);
            let mut rows: Vec<_> = breakdown.rows.iter().map(|r| (r.key, r.latency)).collect();
            rows.sort_by_key(|&(key, _)| key);
            rows.into_iter().map(|(_, l)| l).collect()
        };
        assert_eq!(latency_of(day, &through), [Some(p), None], "b has none counted");
        assert!(store.breakdown(day, Dimension::Client, &through, true).has_latency);
        assert_eq!(
            latency_of(
                Window {
                    start: 86_400,
                    end: 90_000
                },
                &through
            ),
            [None]
        );
        assert_eq!(
            latency_of(day, &RecordFilter::all()),
            [None, None],
            "counted through another filter"
        );
        assert!(
            !store.breakdown(day, Dimension::Client, &through, false).has_latency,
            "not asked for"
        );
        let p95 = |span: Window, granularity: Granularity, filter: &RecordFilter| {
            store
                .metric_series(
                    span,
                    granularity,
                    &Offsets::utc(),
                    filter,
                    Some((Dimension::Client, &[b, a])),
                    &Metric::P95,
                )
                .series
        };
        let hours = p95(day, Granularity::Hour, &through);
        assert_eq!(hours[0].1[1], Some(7), "b's second hour");
        assert_eq!(
            hours[0].1.iter().flatten().count() + hours[1].1.iter().flatten().count(),
            1,
            "nothing else counted"
        );
        assert!(
            p95(day, Granularity::Day, &through)
                .iter()
                .all(|(_, v)| v.iter().all(Option::is_none)),
            "other buckets"
        );
        assert!(
            p95(day, Granularity::Hour, &RecordFilter::all())
                .iter()
                .all(|(_, v)| v.iter().all(Option::is_none)),
            "another filter"
        );

        // Counted by a worker without the store, keyed by texts, and given to the store shown:
        // once, the texts made its ids, a text it lacks left out.
        let late = UsageStore::from_records(&[record(86_400, "a"), record(90_000, "b")]).unwrap();
        let texts = vec!["b".to_owned(), "gone".to_owned()];
        let by_text = CountedLatency {
            countable: true,
            filters: vec![],
            tables: vec![KeyPercentiles {
                dimension: Dimension::Client,
                window: day,
                rows: vec![(1, p), (0, p)],
            }],
            series: vec![BucketP95 {
                dimension: Dimension::Client,
                window: day,
                granularity: Granularity::Day,
                points: vec![(0, 86_400, 9), (1, 86_400, 8)],
            }],
        };
        let resolved = by_text.resolve(&texts, &late);
        let b = late.find_key(Dimension::Client, "b").unwrap();
        assert_eq!(resolved.tables[0].rows, vec![(b, p)]);
        assert_eq!(resolved.series[0].points, vec![(b, 86_400, 9)]);
        assert_eq!(
            late.breakdown(day, Dimension::Client, &RecordFilter::all(), true)
                .rows
                .iter()
                .filter(|r| r.latency.is_some())
                .count(),
            0
        );
        assert!(late.set_counted_latency(resolved.clone()));
        assert!(!late.set_counted_latency(resolved), "once per store");
        let rows = late.breakdown(day, Dimension::Client, &RecordFilter::all(), true).rows;
        assert_eq!(
            rows.iter()
                .map(|r| (r.key, r.latency))
                .filter(|(_, l)| l.is_some())
                .collect::<Vec<_>>(),
            vec![(b, Some(p))]
        );
    }
}
