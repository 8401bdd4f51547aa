//! Queries over a [`UsageStore`]: breakdowns, time series, top N and sorting.
//!
//! Every query takes a half-open span of UTC days and a [`Scope`]. Records
//! are sorted by time, so a query first narrows to the span with two binary
//! searches and then makes one pass over the records inside it. A record
//! counts wholly in the bucket its timestamp starts in.

use std::cmp::Ordering;

use chrono::Datelike;

use crate::model::SECONDS_PER_DAY;
use crate::range::{DateRange, date_of_day, day_number};
use crate::status::{StatusClass, StatusCounts};
use crate::store::{ClientId, TemplateId, UsageStore};

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

impl From<&DateRange> for DaySpan {
    fn from(range: &DateRange) -> DaySpan {
        DaySpan { start: day_number(range.from()), end: day_number(range.to()) + 1 }
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
    /// Start of the bucket that contains `timestamp`, in Unix seconds.
    pub fn bucket_start(self, timestamp: i64) -> i64 {
        let fixed = |width: i64| timestamp - timestamp.rem_euclid(width);
        match self {
            Granularity::TenMinutes => fixed(600),
            Granularity::Hour => fixed(3_600),
            Granularity::Day => fixed(SECONDS_PER_DAY),
            Granularity::Week => {
                // 1970-01-01 was a Thursday, so Monday-based weeks are offset by 3 days.
                let day = timestamp.div_euclid(SECONDS_PER_DAY);
                (day - (day + 3).rem_euclid(7)) * SECONDS_PER_DAY
            }
            Granularity::Month => {
                let date = date_of_day(timestamp.div_euclid(SECONDS_PER_DAY));
                day_number(date.with_day(1).unwrap_or(date)) * SECONDS_PER_DAY
            }
        }
    }

    /// Start of the bucket after the one starting at `start`.
    pub fn next_start(self, start: i64) -> i64 {
        match self {
            Granularity::TenMinutes => start + 600,
            Granularity::Hour => start + 3_600,
            Granularity::Day => start + SECONDS_PER_DAY,
            Granularity::Week => start + 7 * SECONDS_PER_DAY,
            Granularity::Month => {
                let date = date_of_day(start.div_euclid(SECONDS_PER_DAY));
                let next = date.checked_add_months(chrono::Months::new(1)).unwrap_or(date);
                day_number(next.with_day(1).unwrap_or(next)) * SECONDS_PER_DAY
            }
        }
    }

    /// Bucket starts covering `span`; the first may begin before it (weeks, months).
    pub fn buckets(self, span: DaySpan) -> Vec<i64> {
        let mut starts = Vec::new();
        if span.end <= span.start {
            return starts;
        }
        let mut start = self.bucket_start(span.start_timestamp());
        while start < span.end_timestamp() {
            starts.push(start);
            start = self.next_start(start);
        }
        starts
    }
}

/// Which traffic a query counts, beyond the date span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Indexed by endpoint id: `true` where the endpoint's template is in scope. `None` = all.
    endpoints: Option<Vec<bool>>,
}

impl Scope {
    /// All traffic.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Only traffic to the given URL templates (any method).
    pub fn templates(store: &UsageStore, templates: &[TemplateId]) -> Scope {
        let mut wanted = vec![false; store.templates().len()];
        for &t in templates {
            if let Some(slot) = wanted.get_mut(t as usize) {
                *slot = true;
            }
        }
        let endpoints = store.endpoints().iter().map(|e| wanted[e.template as usize]).collect();
        Scope { endpoints: Some(endpoints) }
    }

    #[inline]
    fn includes(&self, endpoint: u32) -> bool {
        match &self.endpoints {
            None => true,
            Some(mask) => mask.get(endpoint as usize).copied().unwrap_or(false),
        }
    }
}

/// One client's requests in a span, per status class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientUsage {
    pub client: ClientId,
    pub counts: StatusCounts,
}

impl ClientUsage {
    /// This client's share of `total` requests, in `0.0..=1.0`.
    pub fn share_of(&self, total: u64) -> f64 {
        if total == 0 { 0.0 } else { self.counts.total() as f64 / total as f64 }
    }
}

/// Something to group requests by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    Client,
    /// URL template (any method).
    Template,
    Method,
    /// Method + URL template.
    Endpoint,
    /// The exact status code (its class is in every group's counts).
    Status,
    Module,
    User,
    Ip,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Client,
        Dimension::Template,
        Dimension::Method,
        Dimension::Endpoint,
        Dimension::Status,
        Dimension::Module,
        Dimension::User,
        Dimension::Ip,
    ];
}

/// Requests of one value of a dimension, per status class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: u32,
    pub counts: StatusCounts,
}

/// Requests of one pair of values of two dimensions, per status class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairGroup {
    pub first: u32,
    pub second: u32,
    pub counts: StatusCounts,
}

/// The first entries of a ranking, and everything else folded into "Other".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopN {
    pub top: Vec<ClientUsage>,
    pub other: StatusCounts,
}

/// Request counts over time: one row of values per series, one value per bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeSeries {
    pub granularity: Granularity,
    /// Start of each bucket, in Unix seconds.
    pub starts: Vec<i64>,
    /// One series per requested client, in the order asked for.
    pub series: Vec<(ClientId, Vec<u64>)>,
}

/// A column of the clients table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientSort {
    Name,
    Requests,
    Class(StatusClass),
    ErrorRate,
    /// The share of requests; it orders exactly like `Requests`.
    Share,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDirection {
    Ascending,
    Descending,
}

impl SortDirection {
    pub fn reversed(self) -> SortDirection {
        match self {
            SortDirection::Ascending => SortDirection::Descending,
            SortDirection::Descending => SortDirection::Ascending,
        }
    }

    /// The value of the `aria-sort` attribute.
    pub fn aria(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ascending",
            SortDirection::Descending => "descending",
        }
    }
}

impl UsageStore {
    /// Requests per client in `span` and `scope`, per status class.
    ///
    /// Only clients with requests are listed, ranked by requests (most first),
    /// ties by display name, then id. `group_by(span, Dimension::Client, scope)` gives the
    /// same numbers; this loop reads the client column directly because it is the hot path
    /// of every range change (the property tests hold both to the reference).
    pub fn client_usage(&self, span: DaySpan, scope: &Scope) -> Vec<ClientUsage> {
        let mut per_client = vec![StatusCounts::default(); self.client_count()];
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            if scope.includes(self.endpoint[i]) {
                per_client[self.client[i] as usize].add_code(self.status[i], n);
            }
        });
        let mut usage: Vec<ClientUsage> = per_client
            .into_iter()
            .enumerate()
            .filter(|(_, counts)| counts.total() > 0)
            .map(|(client, counts)| ClientUsage { client: client as ClientId, counts })
            .collect();
        self.sort_client_usage(&mut usage, ClientSort::Requests, SortDirection::Descending);
        usage
    }

    /// Requests per URL template in `span`, ranked like [`UsageStore::client_usage`] (ties by template).
    pub fn template_usage(&self, span: DaySpan) -> Vec<(TemplateId, u64)> {
        let mut per_endpoint = vec![0u64; self.endpoints().len()];
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            per_endpoint[self.endpoint[i] as usize] += n;
        });
        let mut per_template = vec![0u64; self.templates().len()];
        for (endpoint, n) in self.endpoints().iter().zip(per_endpoint) {
            per_template[endpoint.template as usize] += n;
        }
        let mut usage: Vec<(TemplateId, u64)> = per_template
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(t, n)| (t as TemplateId, n))
            .collect();
        usage.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| self.templates().get(a.0).cmp(self.templates().get(b.0))));
        usage
    }

    /// Requests over time for each client in `clients`, in `span` and `scope`.
    pub fn time_series(&self, span: DaySpan, granularity: Granularity, scope: &Scope, clients: &[ClientId]) -> TimeSeries {
        let starts = granularity.buckets(span);
        let mut slot = vec![None; self.client_count()];
        for (k, &c) in clients.iter().enumerate() {
            if let Some(s) = slot.get_mut(c as usize) {
                *s = Some(k);
            }
        }
        let mut values = vec![vec![0u64; starts.len()]; clients.len()];
        // Records and buckets are both in time order: walk them together.
        let mut bucket = 0usize;
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            let ts = self.timestamp(i);
            while bucket + 1 < starts.len() && starts[bucket + 1] <= ts {
                bucket += 1;
            }
            if let Some(k) = slot[self.client[i] as usize] {
                if scope.includes(self.endpoint[i]) {
                    values[k][bucket] += n;
                }
            }
        });
        TimeSeries { granularity, starts, series: clients.iter().copied().zip(values).collect() }
    }

    /// All requests over time in `span` and `scope`, one value per bucket of [`Granularity::buckets`].
    pub fn total_over_time(&self, span: DaySpan, granularity: Granularity, scope: &Scope) -> Vec<u64> {
        let starts = granularity.buckets(span);
        let mut values = vec![0u64; starts.len()];
        let mut bucket = 0usize;
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            let ts = self.timestamp(i);
            while bucket + 1 < starts.len() && starts[bucket + 1] <= ts {
                bucket += 1;
            }
            if scope.includes(self.endpoint[i]) {
                values[bucket] += n;
            }
        });
        values
    }

    /// The id of record `i` in `dimension`.
    #[inline]
    fn key(&self, dimension: Dimension, i: usize) -> u32 {
        match dimension {
            Dimension::Client => self.client[i],
            Dimension::Endpoint => self.endpoint[i],
            Dimension::Template => self.endpoints()[self.endpoint[i] as usize].template,
            Dimension::Method => self.endpoints()[self.endpoint[i] as usize].method,
            Dimension::Status => u32::from(self.status[i]),
            Dimension::Module => u32::from(self.module[i]),
            Dimension::User => self.user[i],
            Dimension::Ip => self.ip[i],
        }
    }

    /// How many ids `dimension` can have (ids run from 0 to this, exclusive).
    fn cardinality(&self, dimension: Dimension) -> usize {
        match dimension {
            Dimension::Client => self.client_count(),
            Dimension::Endpoint => self.endpoints().len(),
            Dimension::Template => self.templates().len(),
            Dimension::Method => self.methods().len(),
            Dimension::Status => usize::from(self.max_status) + 1,
            Dimension::Module => self.modules().len(),
            Dimension::User => self.users().len(),
            Dimension::Ip => self.ips().len(),
        }
    }

    /// The text of id `key` in `dimension`: a client's display name, a template, a status code…
    pub fn label(&self, dimension: Dimension, key: u32) -> String {
        match dimension {
            Dimension::Client => self.client_name(key).to_owned(),
            Dimension::Endpoint => self
                .endpoints()
                .get(key as usize)
                .map(|e| format!("{} {}", self.methods().get(e.method), self.templates().get(e.template)))
                .unwrap_or_default(),
            Dimension::Template => self.templates().get(key).to_owned(),
            Dimension::Method => self.methods().get(key).to_owned(),
            Dimension::Status => key.to_string(),
            Dimension::Module => self.modules().get(key).to_owned(),
            Dimension::User => self.users().get(key).to_owned(),
            Dimension::Ip => self.ips().get(key).to_owned(),
        }
    }

    /// Requests per status class for each value of `dimension` in `span` and
    /// `scope`, ranked by requests (most first), ties by label then id.
    pub fn group_by(&self, span: DaySpan, dimension: Dimension, scope: &Scope) -> Vec<Group> {
        let mut per_key = vec![StatusCounts::default(); self.cardinality(dimension)];
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            if scope.includes(self.endpoint[i]) {
                per_key[self.key(dimension, i) as usize].add_code(self.status[i], n);
            }
        });
        let mut groups: Vec<Group> = per_key
            .into_iter()
            .enumerate()
            .filter(|(_, counts)| counts.total() > 0)
            .map(|(key, counts)| Group { key: key as u32, counts })
            .collect();
        groups.sort_by(|a, b| {
            b.counts.total().cmp(&a.counts.total()).then_with(|| self.label(dimension, a.key).cmp(&self.label(dimension, b.key))).then(a.key.cmp(&b.key))
        });
        groups
    }

    /// Requests per status class for each pair of values of `first` × `second`
    /// (client × template, say), ranked like [`UsageStore::group_by`] by (first, second) labels.
    pub fn group_by_pair(&self, span: DaySpan, first: Dimension, second: Dimension, scope: &Scope) -> Vec<PairGroup> {
        let mut per_pair: rustc_hash::FxHashMap<u64, StatusCounts> = rustc_hash::FxHashMap::default();
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            if scope.includes(self.endpoint[i]) {
                let key = u64::from(self.key(first, i)) << 32 | u64::from(self.key(second, i));
                per_pair.entry(key).or_default().add_code(self.status[i], n);
            }
        });
        let mut pairs: Vec<PairGroup> =
            per_pair.into_iter().map(|(key, counts)| PairGroup { first: (key >> 32) as u32, second: key as u32, counts }).collect();
        pairs.sort_by(|a, b| {
            b.counts
                .total()
                .cmp(&a.counts.total())
                .then_with(|| (self.label(first, a.first), self.label(second, a.second)).cmp(&(self.label(first, b.first), self.label(second, b.second))))
                .then((a.first, a.second).cmp(&(b.first, b.second)))
        });
        pairs
    }

    /// How many different values of `dimension` have requests in `span`.
    /// For users, IPs and modules the "unknown" (empty) value is not counted.
    pub fn distinct(&self, span: DaySpan, dimension: Dimension, scope: &Scope) -> usize {
        let mut seen = vec![false; self.cardinality(dimension)];
        self.for_each_weighted(self.index_range(span.start_timestamp(), span.end_timestamp()), |i, n| {
            if n > 0 && scope.includes(self.endpoint[i]) {
                seen[self.key(dimension, i) as usize] = true;
            }
        });
        if matches!(dimension, Dimension::User | Dimension::Ip | Dimension::Module) {
            if let Some(unknown) = seen.first_mut() {
                *unknown = false;
            }
        }
        seen.into_iter().filter(|&s| s).count()
    }

    /// Sorts table rows by `key`; ties always go by display name, then id, ascending.
    pub fn sort_client_usage(&self, rows: &mut [ClientUsage], key: ClientSort, direction: SortDirection) {
        let name = |c: ClientId| (self.client_name(c), self.client_id(c));
        rows.sort_by(|a, b| {
            let primary = match key {
                ClientSort::Name => Ordering::Equal,
                ClientSort::Requests | ClientSort::Share => a.counts.total().cmp(&b.counts.total()),
                ClientSort::Class(class) => a.counts.get(class).cmp(&b.counts.get(class)),
                // Compare errors/total exactly by cross-multiplying instead of dividing.
                ClientSort::ErrorRate => (u128::from(a.counts.errors()) * u128::from(b.counts.total()))
                    .cmp(&(u128::from(b.counts.errors()) * u128::from(a.counts.total()))),
            };
            let by_name = name(a.client).cmp(&name(b.client));
            match (key, direction) {
                (ClientSort::Name, SortDirection::Ascending) => by_name,
                (ClientSort::Name, SortDirection::Descending) => by_name.reverse(),
                (_, SortDirection::Ascending) => primary.then(by_name),
                (_, SortDirection::Descending) => primary.reverse().then(by_name),
            }
        });
    }
}

/// How many clients called, for the Clients tile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCount {
    /// Clients that identify themselves (by id, key, consumer or user).
    pub identified: usize,
    /// Whether some traffic names no client: it is counted everywhere as "Unknown client", but
    /// it is not one more client.
    pub unidentified: bool,
}

/// The clients among `rows` (the clients with requests), telling the unidentified traffic apart.
pub fn client_count(store: &UsageStore, rows: &[ClientUsage]) -> ClientCount {
    let unidentified = store.unknown_client().is_some_and(|unknown| rows.iter().any(|r| r.client == unknown));
    ClientCount { identified: rows.len() - usize::from(unidentified), unidentified }
}

/// `part` as a fraction of `total`; `None` when the total is 0.
pub fn share(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// Sum of all rows.
pub fn total_of(rows: &[ClientUsage]) -> StatusCounts {
    let mut total = StatusCounts::default();
    for row in rows {
        total.merge(&row.counts);
    }
    total
}

/// The first `n` of ranked rows, and the rest folded into `other`.
pub fn top_n(ranked: &[ClientUsage], n: usize) -> TopN {
    let split = n.min(ranked.len());
    TopN { top: ranked[..split].to_vec(), other: total_of(&ranked[split..]) }
}

/// The rows of `chosen` clients in rank order, and everyone else folded into `other`.
pub fn chosen_and_other(ranked: &[ClientUsage], chosen: &[ClientId]) -> TopN {
    let (top, rest): (Vec<ClientUsage>, Vec<ClientUsage>) = ranked.iter().partition(|row| chosen.contains(&row.client));
    TopN { top, other: total_of(&rest) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketWidth, UsageRecord};

    fn rec(timestamp: i64, client: &str, template: &str, status: u16, requests: u64) -> UsageRecord {
        UsageRecord {
            timestamp,
            bucket: BucketWidth::Request,
            client_id: client.into(),
            client_name: client.to_uppercase(),
            method: "GET".into(),
            template: template.into(),
            status,
            requests,
            ..UsageRecord::default()
        }
    }

    const DAY: i64 = SECONDS_PER_DAY;

    // Guards the per-class breakdown, the ranking order and that out-of-span days are left out.
    #[test]
    fn client_usage_counts_classes_and_ranks() {
        let store = UsageStore::from_records(&[
            rec(0, "b", "/x", 200, 5),
            rec(10, "a", "/x", 429, 3),
            rec(20, "a", "/y", 404, 2),
            rec(30, "c", "/y", 503, 5),
            rec(DAY, "a", "/x", 200, 100), // next day: outside the span
        ])
        .unwrap();
        let usage = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::all());
        let names: Vec<&str> = usage.iter().map(|u| store.client_id(u.client)).collect();
        // a, b and c have 5 each: ties go by display name.
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(usage[0].counts.get(StatusClass::RateLimited), 3);
        assert_eq!(usage[0].counts.get(StatusClass::ClientError), 2);
        assert_eq!(usage[2].counts.get(StatusClass::ServerError), 5);
        assert_eq!(total_of(&usage).total(), 15);

        let y = store.template_by_name("/y").unwrap();
        let scoped = store.client_usage(DaySpan { start: 0, end: 2 }, &Scope::templates(&store, &[y]));
        assert_eq!(total_of(&scoped).total(), 7);
    }

    // Guards the Clients tile: "Unknown client" is unidentified traffic, not one more client.
    #[test]
    fn unknown_client_is_not_counted_as_a_client() {
        let mut records: Vec<UsageRecord> = (0..4).map(|i| rec(i, &format!("c{i}"), "/x", 200, 1)).collect();
        let store = UsageStore::from_records(&records).unwrap();
        let rows = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::all());
        assert_eq!(client_count(&store, &rows), ClientCount { identified: 4, unidentified: false });
        records.push(UsageRecord { client_id: String::new(), client_name: "Unknown client".into(), ..rec(5, "", "/x", 500, 3) });
        let store = UsageStore::from_records(&records).unwrap();
        let rows = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::all());
        assert_eq!((rows.len(), client_count(&store, &rows)), (5, ClientCount { identified: 4, unidentified: true }));
        let only_known = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::templates(&store, &[]));
        assert_eq!(client_count(&store, &only_known), ClientCount { identified: 0, unidentified: false });
    }

    // Guards top N + Other: the shares of top and other add up to the whole.
    #[test]
    fn top_n_folds_the_rest_into_other() {
        let records: Vec<UsageRecord> =
            (0..8).map(|i| rec(i, &format!("c{i}"), "/x", 200, 10 + i as u64)).collect();
        let store = UsageStore::from_records(&records).unwrap();
        let usage = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::all());
        let top = top_n(&usage, 5);
        assert_eq!(top.top.iter().map(|u| u.counts.total()).collect::<Vec<_>>(), [17, 16, 15, 14, 13]);
        assert_eq!(top.other.total(), 10 + 11 + 12);
        let few = top_n(&usage[..2], 5);
        assert_eq!((few.top.len(), few.other.total()), (2, 0));
    }

    // Guards hour buckets over a 2-day span, zero-filled, and the bucket a record starts in.
    #[test]
    fn hourly_series_is_dense() {
        let store = UsageStore::from_records(&[
            rec(3_599, "a", "/x", 200, 1),
            rec(3_600, "a", "/x", 200, 2),
            rec(DAY + 7_200, "a", "/x", 500, 4),
            rec(DAY + 7_200, "b", "/x", 200, 8),
        ])
        .unwrap();
        let a = store.client_by_id("a").unwrap();
        let series = store.time_series(DaySpan { start: 0, end: 2 }, Granularity::Hour, &Scope::all(), &[a]);
        assert_eq!(series.starts.len(), 48);
        let values = &series.series[0].1;
        assert_eq!((values[0], values[1], values[26]), (1, 2, 4));
        assert_eq!(values.iter().sum::<u64>(), 7);
    }

    // Guards ISO weeks (Monday start) and calendar months, including a leap February.
    #[test]
    fn week_and_month_buckets() {
        let ts = |y, m, d| day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()) * DAY;
        // 2024-02-29 is a Thursday; its ISO week starts Monday 2024-02-26.
        assert_eq!(Granularity::Week.bucket_start(ts(2024, 2, 29) + 5), ts(2024, 2, 26));
        assert_eq!(Granularity::Week.bucket_start(ts(2024, 2, 26)), ts(2024, 2, 26));
        assert_eq!(Granularity::Week.bucket_start(ts(1970, 1, 1)), ts(1969, 12, 29));
        assert_eq!(Granularity::Month.bucket_start(ts(2024, 2, 29) + 100), ts(2024, 2, 1));
        assert_eq!(Granularity::Month.next_start(ts(2024, 2, 1)), ts(2024, 3, 1));
        assert_eq!(Granularity::Month.next_start(ts(2024, 12, 1)), ts(2025, 1, 1));
        let span = DaySpan { start: day_number(chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()), end: day_number(chrono::NaiveDate::from_ymd_opt(2024, 3, 2).unwrap()) };
        assert_eq!(Granularity::Month.buckets(span), vec![ts(2024, 1, 1), ts(2024, 2, 1), ts(2024, 3, 1)]);
    }

    // Guards header sorting in both directions for every kind of column, with name tie-breaks.
    #[test]
    fn sorts_by_each_column() {
        let store = UsageStore::from_records(&[
            rec(0, "a", "/x", 200, 90),
            rec(0, "a", "/x", 500, 10),
            rec(0, "b", "/x", 200, 10),
            rec(0, "b", "/x", 429, 10),
            rec(0, "c", "/x", 200, 50),
        ])
        .unwrap();
        let mut rows = store.client_usage(DaySpan { start: 0, end: 1 }, &Scope::all());
        let order = |rows: &[ClientUsage]| rows.iter().map(|u| store.client_id(u.client).to_owned()).collect::<Vec<_>>();
        store.sort_client_usage(&mut rows, ClientSort::ErrorRate, SortDirection::Descending);
        assert_eq!(order(&rows), ["b", "a", "c"]);
        store.sort_client_usage(&mut rows, ClientSort::Name, SortDirection::Descending);
        assert_eq!(order(&rows), ["c", "b", "a"]);
        store.sort_client_usage(&mut rows, ClientSort::Requests, SortDirection::Ascending);
        assert_eq!(order(&rows), ["b", "c", "a"]);
        store.sort_client_usage(&mut rows, ClientSort::Class(StatusClass::Success), SortDirection::Ascending);
        assert_eq!(order(&rows), ["b", "c", "a"]);
        store.sort_client_usage(&mut rows, ClientSort::Class(StatusClass::RateLimited), SortDirection::Descending);
        assert_eq!(order(&rows), ["b", "a", "c"]);
    }
}
