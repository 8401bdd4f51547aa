//! Queries over a [`UsageStore`]: one breakdown by any dimension, time series split by any
//! dimension, pairs of dimensions, filters over any dimension, top N and sorting.
//!
//! Every query takes a half-open span of UTC days and a [`RecordFilter`]. Records are sorted by
//! time, so a query first narrows to the span with two binary searches and then makes one pass
//! over the records inside it. A record counts wholly in the bucket its timestamp starts in.

use std::cmp::Ordering;
use std::sync::Arc;

pub use crate::calendar::{DaySpan, Granularity};
pub use crate::dimension::{Dimension, Filter, Grouping, StatusDetail, Unavailable};
use crate::model::{BucketWidth, SECONDS_PER_DAY};
use crate::status::{StatusClass, StatusCounts};
use crate::store::UsageStore;
pub use crate::store::latency::Percentiles;
use crate::zone::{Offsets, Window};

impl Dimension {
    /// Whether a live source that offers `offered` (its `/meta` dimensions; empty when it does
    /// not say) can give this dimension, and whether the data in `store` can be broken down by
    /// it; if not, why.
    pub fn offered_by(
        self,
        offered: &[Dimension],
        store: &UsageStore,
        status: StatusDetail,
    ) -> Result<(), Unavailable> {
        let given =
            |d: Dimension| offered.contains(&d) || (d == Dimension::Class && offered.contains(&Dimension::Status));
        if !offered.is_empty() && !given(self) {
            let names: Vec<&str> = offered.iter().map(|d| d.as_str()).collect();
            return Err(Unavailable::NotOffered {
                dimension: self.label_lower(),
                offered: names.join(", "),
            });
        }
        self.availability(store, status)
    }

    /// Whether the data in `store` can be broken down by this dimension, and if not, why.
    pub fn availability(self, store: &UsageStore, status: StatusDetail) -> Result<(), Unavailable> {
        let no_values = |what| {
            Err(Unavailable::NoValues {
                what,
                dimension: self.label_lower(),
            })
        };
        match self {
            Dimension::Status if status == StatusDetail::Classes => Err(Unavailable::ClassesOnly),
            Dimension::Status | Dimension::Class if status == StatusDetail::Nothing || store.max_status == 0 => {
                Err(Unavailable::NoStatus)
            }
            Dimension::Module if store.known_values(self) == 0 => no_values("a module or API area"),
            Dimension::Ip if store.known_values(self) == 0 => no_values("an IP address"),
            Dimension::User if store.known_values(self) == 0 => no_values("a user"),
            _ => Ok(()),
        }
    }
}

/// Filters resolved against one store: which records pass. Filters on the same dimension are
/// alternatives (client A or B); filters on different dimensions all apply (client A and 5xx).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFilter {
    client: Option<Vec<bool>>,
    /// The clients `client` lets through, when it lets through few: their records are read
    /// from the store's per-client lists instead of scanning every record.
    few_clients: Option<Vec<u32>>,
    /// By endpoint: from template and method filters (and a chart's template selection).
    endpoint: Option<Vec<bool>>,
    /// By status code 0..=999: from status and class filters.
    status: Option<Vec<bool>>,
    module: Option<Vec<bool>>,
    user: Option<Vec<bool>>,
    ip: Option<Vec<bool>>,
    /// The dimensions it filters by: a store's part must keep them apart to answer through it.
    needs: Grouping,
}

impl RecordFilter {
    /// Every record passes.
    pub fn all() -> RecordFilter {
        RecordFilter::default()
    }

    /// Whether every record passes.
    pub fn is_all(&self) -> bool {
        *self == RecordFilter::default()
    }

    /// The filters of a link, resolved. A key the store does not have lets nothing through for
    /// its dimension (the filter stays on screen, and the dashboard shows no traffic for it).
    pub fn new(store: &UsageStore, filters: &[Filter]) -> RecordFilter {
        let mut filter = RecordFilter {
            needs: filters.iter().map(|f| f.dimension).collect(),
            ..RecordFilter::default()
        };
        let mask = |len: usize, dimension: Dimension| -> Option<Vec<bool>> {
            let wanted: Vec<&Filter> = filters.iter().filter(|f| f.dimension == dimension).collect();
            if wanted.is_empty() {
                return None;
            }
            let mut mask = vec![false; len];
            for f in wanted {
                if let Some(key) = store.find_key(dimension, &f.key)
                    && let Some(slot) = mask.get_mut(key as usize)
                {
                    *slot = true;
                }
            }
            Some(mask)
        };
        filter.client = mask(store.client_count(), Dimension::Client);
        filter.few_clients = few(filter.client.as_deref());
        filter.module = mask(store.modules().len(), Dimension::Module);
        filter.user = mask(store.users().len(), Dimension::User);
        filter.ip = mask(store.ips().len(), Dimension::Ip);
        let templates = mask(store.templates().len(), Dimension::Template);
        let methods = mask(store.methods().len(), Dimension::Method);
        if templates.is_some() || methods.is_some() {
            filter.endpoint = Some(
                store
                    .endpoints()
                    .iter()
                    .map(|e| {
                        templates.as_ref().is_none_or(|t| t[e.template as usize])
                            && methods.as_ref().is_none_or(|m| m[e.method as usize])
                    })
                    .collect(),
            );
        }
        let codes = mask(1000, Dimension::Status);
        let classes: Vec<&Filter> = filters.iter().filter(|f| f.dimension == Dimension::Class).collect();
        if codes.is_some() || !classes.is_empty() {
            filter.status = Some(
                (0..1000u16)
                    .map(|code| {
                        let class = StatusClass::of(code).as_str();
                        codes.as_ref().is_none_or(|c| c[code as usize])
                            && (classes.is_empty() || classes.iter().any(|f| f.key == class))
                    })
                    .collect(),
            );
        }
        filter
    }

    /// The dimensions it filters by.
    pub fn needs(&self) -> Grouping {
        self.needs
    }

    /// Whether it filters by nothing but clients: a measure, counted per client only, can go
    /// through it.
    pub(crate) fn only_clients(&self) -> bool {
        self.endpoint.is_none()
            && self.status.is_none()
            && self.module.is_none()
            && self.user.is_none()
            && self.ip.is_none()
    }

    /// Whether `client`'s traffic passes the client filters.
    pub(crate) fn passes_client(&self, client: u32) -> bool {
        self.client
            .as_ref()
            .is_none_or(|mask| mask.get(client as usize).copied().unwrap_or(false))
    }

    /// The same, letting through only the given URL templates as well (a chart's selection).
    pub fn and_templates(mut self, store: &UsageStore, templates: &[u32]) -> RecordFilter {
        let wanted = mask_of(store.templates().len(), templates);
        let chosen: Vec<bool> = store.endpoints().iter().map(|e| wanted[e.template as usize]).collect();
        self.endpoint = Some(intersect(self.endpoint, chosen));
        self.needs = self.needs.with(Dimension::Template);
        self
    }

    /// The same, letting through only the given clients as well (the chosen clients).
    pub fn and_clients(mut self, store: &UsageStore, clients: &[u32]) -> RecordFilter {
        self.client = Some(intersect(self.client, mask_of(store.client_count(), clients)));
        self.few_clients = few(self.client.as_deref());
        self.needs = self.needs.with(Dimension::Client);
        self
    }

    /// Whether record `i` of `store` passes.
    #[inline]
    fn passes(&self, store: &UsageStore, i: usize) -> bool {
        let has =
            |mask: &Option<Vec<bool>>, id: usize| mask.as_ref().is_none_or(|m| m.get(id).copied().unwrap_or(false));
        has(&self.client, store.client[i] as usize)
            && has(&self.endpoint, store.endpoint[i] as usize)
            && has(&self.status, usize::from(store.status[i]))
            && has(&self.module, usize::from(store.module[i]))
            && has(&self.user, store.user[i] as usize)
            && has(&self.ip, store.ip[i] as usize)
    }
}

/// The ids a mask lets through, when they are few enough that reading their records one by one
/// beats scanning everything.
fn few(mask: Option<&[bool]>) -> Option<Vec<u32>> {
    const FEW: usize = 16;
    let mask = mask?;
    let ids: Vec<u32> = mask
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .map(|(i, _)| i as u32)
        .take(FEW + 1)
        .collect();
    (ids.len() <= FEW).then_some(ids)
}

/// A mask of `len` ids with `ids` set (ids out of range are ignored).
fn mask_of(len: usize, ids: &[u32]) -> Vec<bool> {
    let mut mask = vec![false; len];
    for &id in ids {
        if let Some(slot) = mask.get_mut(id as usize) {
            *slot = true;
        }
    }
    mask
}

/// Both masks at once; no mask lets everything through.
fn intersect(existing: Option<Vec<bool>>, more: Vec<bool>) -> Vec<bool> {
    match existing {
        Some(existing) => existing.iter().zip(more).map(|(&a, b)| a && b).collect(),
        None => more,
    }
}

/// The requests of one value of a dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The value's id in its dimension ([`UsageStore::key_text`] gives its text).
    pub key: u32,
    pub counts: StatusCounts,
    /// Response bytes, summed (wide enough never to overflow).
    pub bytes: u128,
    /// Exact latency percentiles, when asked for and the data has per-request latencies.
    pub latency: Option<Percentiles>,
}

/// Requests per value of a dimension, ranked by requests (most first), ties by label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breakdown {
    pub dimension: Dimension,
    /// Shared: a table in the breakdown's own order reads these rows without copying them
    /// (a million clients are a hundred megabytes of rows).
    pub rows: Arc<Vec<Row>>,
    /// Every request the breakdown counts, the rest's included.
    pub total: StatusCounts,
    /// The requests of the values a server did not list one by one ([`UsageStore::rest_key`]),
    /// when it left some out: in the total, but not a value of its own, so no ranking, top 5,
    /// link or filter takes it.
    pub rest: Option<Row>,
    /// Whether the data has byte counts and per-request latencies to show.
    pub has_bytes: bool,
    pub has_latency: bool,
}

/// Every value's counts before they are ranked: [`UsageStore::tally`].
#[derive(Debug)]
pub struct Tally {
    dimension: Dimension,
    per_key: Vec<StatusCounts>,
    bytes: Option<Vec<u128>>,
    /// Per-request latencies: value k's are `flat[starts[k]..starts[k + 1]]` (empty without them).
    starts: Vec<usize>,
    flat: Vec<u64>,
}

impl Tally {
    /// The values with requests, ranked by requests (most first), ties by label: the second step.
    pub fn order(&self, store: &UsageStore) -> Vec<u32> {
        let ranks = store.ranks_of(self.dimension);
        let rest = store.rest_key(self.dimension);
        let present = self.per_key.iter().enumerate().filter_map(move |(k, counts)| {
            let requests = counts.total();
            (requests != 0 && rest != Some(k as u32)).then(|| {
                (
                    k as u32,
                    u128::from(requests),
                    ranks.get(k).copied().unwrap_or(u32::MAX),
                )
            })
        });
        order_by_keys(present, true)
    }

    /// The rows of the values in `order`, each built once, in order: with a million clients,
    /// building rows and then moving them into order costs twice. The last step; the rest of a
    /// dimension `store` lists in part ([`UsageStore::rest_key`]) is a row apart.
    pub fn into_breakdown(mut self, order: &[u32], store: &UsageStore) -> Breakdown {
        let rest = store.rest_key(self.dimension).and_then(|key| {
            let counts = *self.per_key.get(key as usize)?;
            let bytes = self
                .bytes
                .as_ref()
                .and_then(|b| b.get(key as usize))
                .copied()
                .unwrap_or(0);
            (counts.total() != 0).then_some(Row {
                key,
                counts,
                bytes,
                latency: None,
            })
        });
        let mut total = rest.map(|r| r.counts).unwrap_or_default();
        let mut has_latency = false;
        let mut rows: Vec<Row> = Vec::with_capacity(order.len());
        for &key in order {
            let key = key as usize;
            let Some(&counts) = self.per_key.get(key) else { continue };
            total.merge(&counts);
            let latency = match (self.starts.get(key), self.starts.get(key + 1)) {
                (Some(&from), Some(&to)) => Percentiles::of(&mut self.flat[from..to]),
                _ => None,
            };
            has_latency |= latency.is_some();
            let bytes = self.bytes.as_ref().and_then(|b| b.get(key)).copied().unwrap_or(0);
            rows.push(Row {
                key: key as u32,
                counts,
                bytes,
                latency,
            });
        }
        Breakdown {
            dimension: self.dimension,
            rows: Arc::new(rows),
            total,
            rest,
            has_bytes: self.bytes.is_some(),
            has_latency,
        }
    }
}

/// Requests of one pair of values of two dimensions (a client and a URL template, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairRow {
    pub first: u32,
    pub second: u32,
    pub counts: StatusCounts,
}

/// Request counts over time: the total, and one row of values per series asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeSeries {
    pub granularity: Granularity,
    /// Start of each bucket, in Unix seconds.
    pub starts: Vec<i64>,
    /// Every request that passes the filter, per bucket.
    pub total: Vec<u64>,
    /// One series per key asked for, in the order asked for.
    pub series: Vec<(u32, Vec<u64>)>,
}

/// Which of the keys a series was asked for a record's key is (its position in the ask; the last
/// when a key is asked twice). A table with a slot per value is quickest for a dimension of up to
/// 65,536 values; with more (a million clients), zeroing that table and reaching into it for
/// every record costs more than looking through the few keys asked for (at most 50).
pub(crate) enum KeySlots<'a> {
    None,
    Table(Vec<Option<u32>>),
    Few(&'a [u32]),
}

impl<'a> KeySlots<'a> {
    pub(crate) fn new(cardinality: usize, keys: &'a [u32]) -> KeySlots<'a> {
        if keys.is_empty() {
            return KeySlots::None;
        }
        if cardinality > 1 << 16 {
            return KeySlots::Few(keys);
        }
        let mut table = vec![None; cardinality];
        for (k, &key) in keys.iter().enumerate() {
            if let Some(slot) = table.get_mut(key as usize) {
                *slot = Some(k as u32);
            }
        }
        KeySlots::Table(table)
    }

    #[inline]
    pub(crate) fn of(&self, key: u32) -> Option<usize> {
        match self {
            KeySlots::None => None,
            KeySlots::Table(table) => table.get(key as usize).copied().flatten().map(|k| k as usize),
            KeySlots::Few(keys) => keys.iter().rposition(|&k| k == key),
        }
    }
}

/// Finds which of a series' buckets an instant falls in.
pub(crate) struct BucketIndex<'a> {
    starts: &'a [i64],
    /// The buckets' one width, when they all have it.
    width: Option<i64>,
}

impl<'a> BucketIndex<'a> {
    pub(crate) fn new(starts: &'a [i64], granularity: Granularity, offsets: &Offsets) -> BucketIndex<'a> {
        // Buckets of one width in a zone that keeps one offset are found by arithmetic; the rest
        // (weeks and months, days of 23 or 25 hours, a window that starts inside a bucket) by a
        // binary search.
        let width = granularity
            .fixed_seconds()
            .filter(|&w| offsets.fixed_offset().is_some() && starts.get(1).is_none_or(|&s| s - starts[0] == w));
        BucketIndex { starts, width }
    }

    /// The bucket of instant `ts`, which is inside the series' window.
    pub(crate) fn of(&self, ts: i64) -> usize {
        match self.width {
            Some(width) => ((ts - self.starts.first().copied().unwrap_or(0)) / width) as usize,
            None => self.starts.partition_point(|&s| s <= ts).saturating_sub(1),
        }
    }
}

/// A column of a breakdown table: what `sort=` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortColumn {
    Name,
    Requests,
    Class(StatusClass),
    ErrorRate,
    /// The share of requests; it orders exactly like `Requests`.
    Share,
    P50,
    P95,
    Bytes,
}

impl SortColumn {
    pub const ALL: [SortColumn; 12] = [
        SortColumn::Name,
        SortColumn::Requests,
        SortColumn::Class(StatusClass::Success),
        SortColumn::Class(StatusClass::Redirect),
        SortColumn::Class(StatusClass::ClientError),
        SortColumn::Class(StatusClass::RateLimited),
        SortColumn::Class(StatusClass::ServerError),
        SortColumn::ErrorRate,
        SortColumn::Share,
        SortColumn::P50,
        SortColumn::P95,
        SortColumn::Bytes,
    ];

    /// The name in a link (`sort=-requests`) and the cell's `data-col`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SortColumn::Name => "name",
            SortColumn::Requests => "requests",
            SortColumn::Class(class) => class.as_str(),
            SortColumn::ErrorRate => "error-rate",
            SortColumn::Share => "share",
            SortColumn::P50 => "p50",
            SortColumn::P95 => "p95",
            SortColumn::Bytes => "bytes",
        }
    }

    pub fn parse(text: &str) -> Option<SortColumn> {
        SortColumn::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Names read best A→Z; numbers are most useful largest first.
    pub const fn descending_first(self) -> bool {
        !matches!(self, SortColumn::Name)
    }
}

/// A label to sort by, compared without building a `String`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortLabel<'a> {
    Number(u32),
    Text(&'a str, &'a str),
}

impl UsageStore {
    /// The id of record `i` in `dimension`.
    #[inline]
    pub(crate) fn key(&self, dimension: Dimension, i: usize) -> u32 {
        match dimension {
            Dimension::Client => self.client[i],
            Dimension::Template => self.endpoints()[self.endpoint[i] as usize].template,
            Dimension::Method => self.endpoints()[self.endpoint[i] as usize].method,
            Dimension::Status => u32::from(self.status[i]),
            Dimension::Class => StatusClass::of(self.status[i]) as u32,
            Dimension::Module => u32::from(self.module[i]),
            Dimension::User => self.user[i],
            Dimension::Ip => self.ip[i],
        }
    }

    /// How many ids `dimension` can have (ids run from 0 to this, exclusive).
    pub(crate) fn cardinality_of(&self, dimension: Dimension) -> usize {
        self.cardinality(dimension)
    }

    pub(crate) fn cardinality(&self, dimension: Dimension) -> usize {
        match dimension {
            Dimension::Client => self.client_count(),
            Dimension::Template => self.templates().len(),
            Dimension::Method => self.methods().len(),
            Dimension::Status => usize::from(self.max_status) + 1,
            Dimension::Class => StatusClass::ALL.len(),
            Dimension::Module => self.modules().len(),
            Dimension::User => self.users().len(),
            Dimension::Ip => self.ips().len(),
        }
    }

    /// The text a link and a row's `data-key` use for a value: a client's id, a template, a
    /// method, a status code, a class name (`4xx`), a module, user or IP (empty when unknown).
    pub fn key_text(&self, dimension: Dimension, key: u32) -> String {
        match dimension {
            Dimension::Client => self.client_id(key).to_owned(),
            Dimension::Status => key.to_string(),
            Dimension::Class => StatusClass::ALL.get(key as usize).map_or("", |c| c.as_str()).to_owned(),
            _ => self.text_of(dimension, key).to_owned(),
        }
    }

    /// The value whose [`UsageStore::key_text`] is `text`, if the store has it (never the rest of
    /// a dimension a server listed in part).
    pub fn find_key(&self, dimension: Dimension, text: &str) -> Option<u32> {
        let rest = self.rest_key(dimension);
        let listed = |table: &crate::strings::StringTable| {
            table
                .iter()
                .enumerate()
                .find(|&(i, v)| v == text && rest != Some(i as u32))
                .map(|(i, _)| i as u32)
        };
        match dimension {
            Dimension::Client => self.client_by_id(text),
            Dimension::Template => self.templates().find(text),
            Dimension::Method => self.methods().find(text),
            Dimension::Status => text.parse::<u16>().ok().filter(|&c| c < 1000).map(u32::from),
            Dimension::Class => StatusClass::ALL
                .iter()
                .position(|c| c.as_str() == text)
                .map(|i| i as u32),
            Dimension::Module => self.modules().find(text),
            Dimension::User => listed(self.users()),
            Dimension::Ip => listed(self.ips()),
        }
    }

    fn text_of(&self, dimension: Dimension, key: u32) -> &str {
        match dimension {
            Dimension::Client => self.client_name(key),
            Dimension::Template => self.templates().get(key),
            Dimension::Method => self.methods().get(key),
            Dimension::Module => self.modules().get(key),
            Dimension::User => self.users().get(key),
            Dimension::Ip => self.ips().get(key),
            Dimension::Status | Dimension::Class => "",
        }
    }

    /// The positions in `rows` (of `dimension`) whose label, or a client's id, contains `needle`
    /// ignoring ASCII case, without a lower-case copy of any label: the one search of the tables
    /// and the selection dialog. An empty needle matches every row.
    pub fn rows_matching<'a>(
        &'a self,
        dimension: Dimension,
        rows: &'a [Row],
        needle: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        let needle = needle.trim().as_bytes();
        let contains = move |text: &str| {
            text.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        };
        rows.iter()
            .enumerate()
            .filter(move |(_, r)| {
                needle.is_empty()
                    || contains(&self.label_ref(dimension, r.key))
                    || (dimension == Dimension::Client && contains(self.client_id(r.key)))
            })
            .map(|(i, _)| i)
    }

    /// [`UsageStore::label`] without a copy where the store has the text.
    pub fn label_ref(&self, dimension: Dimension, key: u32) -> std::borrow::Cow<'_, str> {
        match dimension {
            Dimension::Status | Dimension::Class => std::borrow::Cow::Owned(self.key_text(dimension, key)),
            _ if dimension.has_unknown() && key == 0 => std::borrow::Cow::Borrowed("Unknown"),
            _ => std::borrow::Cow::Borrowed(self.text_of(dimension, key)),
        }
    }

    /// What a value is called on screen: a client's name, a template, `404`, `4xx`, and
    /// "Unknown" for a record without a user, IP or module.
    pub fn label(&self, dimension: Dimension, key: u32) -> String {
        match dimension {
            Dimension::Status | Dimension::Class => self.key_text(dimension, key),
            _ if dimension.has_unknown() && key == 0 => "Unknown".to_owned(),
            _ => self.text_of(dimension, key).to_owned(),
        }
    }

    /// Every value of `dimension` ranked by its label (ties by id): sorting then compares
    /// integers. Ranked once per store and dimension, with one sort of the labels.
    pub(crate) fn ranks_of(&self, dimension: Dimension) -> &[u32] {
        self.label_ranks[dimension as usize].get_or_init(|| {
            let mut keys: Vec<u32> = (0..self.cardinality(dimension) as u32).collect();
            keys.sort_unstable_by(|&a, &b| {
                self.sort_label(dimension, a)
                    .cmp(&self.sort_label(dimension, b))
                    .then(a.cmp(&b))
            });
            let mut ranks = vec![0u32; keys.len()];
            for (rank, key) in keys.into_iter().enumerate() {
                ranks[key as usize] = rank as u32;
            }
            ranks
        })
    }

    fn sort_label(&self, dimension: Dimension, key: u32) -> SortLabel<'_> {
        match dimension {
            Dimension::Status | Dimension::Class => SortLabel::Number(key),
            Dimension::Client => SortLabel::Text(self.client_name(key), self.client_id(key)),
            _ => SortLabel::Text(self.text_of(dimension, key), ""),
        }
    }

    /// The records of `span` in the part that answers a query reading `shown` through `filter`
    /// (one copy of this code, not one per caller of [`UsageStore::each`]).
    #[inline(never)]
    fn records_for(&self, span: Window, filter: &RecordFilter, shown: Grouping) -> std::ops::Range<usize> {
        let part = self.part_for(shown.and(filter.needs).with(Dimension::Status));
        self.index_range_in(part, span.start, span.end)
    }

    /// Calls `f(index, requests)` for each record of `span` that `filter` lets through, from the
    /// store's part that keeps apart `shown` (what the caller reads of each record), the
    /// filter's dimensions and status codes ([`UsageStore::part_for`]); not always in time
    /// order (a filter to a few clients reads their records client by client).
    #[inline]
    pub(crate) fn each(&self, span: Window, filter: &RecordFilter, shown: Grouping, mut f: impl FnMut(usize, u64)) {
        let range = self.records_for(span, filter, shown);
        if filter.is_all() {
            self.for_each_weighted(range, f);
        } else if let Some(clients) = &filter.few_clients {
            let postings = self.client_postings();
            for &client in clients {
                for &i in postings.of(client, &range) {
                    let i = i as usize;
                    if filter.passes(self, i) {
                        f(i, self.requests.get(i));
                    }
                }
            }
        } else {
            self.for_each_weighted(range, |i, n| {
                if filter.passes(self, i) {
                    f(i, n);
                }
            });
        }
    }

    /// Every request of `span` that `filter` lets through, per status class.
    pub fn totals(&self, span: impl Into<Window>, filter: &RecordFilter) -> StatusCounts {
        let span = span.into();
        let mut total = StatusCounts::default();
        self.each(span, filter, Grouping::NONE, |i, n| total.add_code(self.status[i], n));
        total
    }

    /// Requests per value of `dimension` in `span`, through `filter`: only values with requests,
    /// ranked by requests (most first), ties by label. With `latency`, exact percentiles per row
    /// from the per-request records (which costs memory for every latency in the span).
    pub fn breakdown(
        &self,
        span: impl Into<Window>,
        dimension: Dimension,
        filter: &RecordFilter,
        latency: bool,
    ) -> Breakdown {
        self.breakdown_in(span.into(), dimension, filter, latency)
    }

    /// [`UsageStore::breakdown`] of a window: one copy of the code, whatever the caller's span type.
    fn breakdown_in(&self, span: Window, dimension: Dimension, filter: &RecordFilter, latency: bool) -> Breakdown {
        let tally = self.tally(span, dimension, filter, latency);
        let order = tally.order(self);
        let mut breakdown = tally.into_breakdown(&order, self);
        if latency && !breakdown.has_latency {
            self.add_counted_percentiles(&mut breakdown, span, filter);
        }
        breakdown
    }

    /// Fills in the percentiles a server counted for exactly this breakdown's window, dimension
    /// and filters (ClickHouse's, for aggregated data): the rows get their own, found by id.
    fn add_counted_percentiles(&self, breakdown: &mut Breakdown, span: Window, filter: &RecordFilter) {
        let Some(counted) = self.counted_percentiles(span, breakdown.dimension, filter) else {
            return;
        };
        let mut rows = breakdown.rows.to_vec();
        for row in &mut rows {
            row.latency = counted
                .rows
                .binary_search_by_key(&row.key, |&(key, _)| key)
                .ok()
                .map(|at| counted.rows[at].1);
            breakdown.has_latency |= row.latency.is_some();
        }
        breakdown.rows = Arc::new(rows);
    }

    /// The first of [`UsageStore::breakdown`]'s three steps, which a page may run in separate
    /// tasks (a million clients make each long): every value's counts, in one pass over the
    /// records (two with `latency`). Then [`Tally::order`] ranks them and
    /// [`Tally::into_breakdown`] builds the rows.
    pub fn tally(&self, span: impl Into<Window>, dimension: Dimension, filter: &RecordFilter, latency: bool) -> Tally {
        let span = span.into();
        let cardinality = self.cardinality(dimension);
        let mut per_key = vec![StatusCounts::default(); cardinality];
        let bytes_column = self.bytes.as_ref();
        let mut bytes = bytes_column.map(|_| vec![0u128; cardinality]);
        let latency_column = self.latency_us.as_ref().filter(|_| latency);
        // Per-request latencies per value, without one vector per value (there may be 100k):
        // count them in the first pass, then place them in one flat array in a second.
        let mut latency_count = vec![0u32; if latency_column.is_some() { cardinality } else { 0 }];
        let shown = Grouping::NONE.with(dimension);
        self.each(span, filter, shown, |i, n| {
            let key = self.key(dimension, i) as usize;
            per_key[key].add_code(self.status[i], n);
            if let (Some(column), Some(bytes)) = (bytes_column, bytes.as_mut()) {
                bytes[key] += u128::from(column.get(i));
            }
            // Percentiles are exact on per-request records; a bucket's summed latency is not one request's.
            if latency_column.is_some() && self.bucket.get(i) == 0 {
                latency_count[key] += 1;
            }
        });
        let mut starts: Vec<usize> = Vec::with_capacity(latency_count.len() + 1);
        let mut flat: Vec<u64> = Vec::new();
        if let Some(column) = latency_column {
            let mut at = 0usize;
            for &count in &latency_count {
                starts.push(at);
                at += count as usize;
            }
            starts.push(at);
            flat = vec![0; at];
            let mut next = starts.clone();
            self.each(span, filter, shown, |i, _| {
                if self.bucket.get(i) == 0 {
                    let key = self.key(dimension, i) as usize;
                    flat[next[key]] = column.get(i);
                    next[key] += 1;
                }
            });
        }
        Tally {
            dimension,
            per_key,
            bytes,
            starts,
            flat,
        }
    }

    /// How many values of `dimension` the data has at all (the unknown one not counted): a
    /// dimension with none is not offered.
    pub fn known_values(&self, dimension: Dimension) -> usize {
        match dimension {
            Dimension::Status | Dimension::Class => usize::from(!self.is_empty()) * self.cardinality(dimension),
            _ if dimension.has_unknown() => self.cardinality(dimension).saturating_sub(1),
            _ => self.cardinality(dimension),
        }
    }

    /// `breakdown`'s rows in the order of `column`: its own rows, shared and not copied, when that
    /// is the order they are in (by requests or share, most first).
    pub fn rows_sorted(&self, breakdown: &Breakdown, column: SortColumn, descending: bool) -> Arc<Vec<Row>> {
        if matches!(column, SortColumn::Requests | SortColumn::Share) && descending {
            return breakdown.rows.clone();
        }
        let mut rows = breakdown.rows.to_vec();
        self.sort_rows(&mut rows, breakdown.dimension, column, descending);
        Arc::new(rows)
    }

    /// Sorts rows by `column`; ties always go by label, then id, ascending. Labels are compared
    /// through their ranks, so no string is built or compared per comparison.
    pub fn sort_rows(&self, rows: &mut [Row], dimension: Dimension, column: SortColumn, descending: bool) {
        let order = self.sort_order(rows, dimension, column, descending);
        let sorted: Vec<Row> = order.iter().map(|&i| rows[i as usize]).collect();
        rows.copy_from_slice(&sorted);
    }

    /// The positions of `rows` in [`UsageStore::sort_rows`]'s order. Rows are large: sorting
    /// their positions moves a fraction of the bytes.
    fn sort_order(&self, rows: &[Row], dimension: Dimension, column: SortColumn, descending: bool) -> Vec<u32> {
        let ranks = self.ranks_of(dimension);
        let rank = |row: &Row| ranks.get(row.key as usize).copied().unwrap_or(u32::MAX);
        let latency = |row: &Row, pick: fn(&Percentiles) -> u64| row.latency.as_ref().map(pick);
        let compare = |a: &Row, b: &Row| {
            let primary = match column {
                SortColumn::Name => Ordering::Equal,
                SortColumn::Requests | SortColumn::Share => a.counts.total().cmp(&b.counts.total()),
                SortColumn::Class(class) => a.counts.get(class).cmp(&b.counts.get(class)),
                // Compare errors/total exactly by cross-multiplying instead of dividing.
                SortColumn::ErrorRate => (u128::from(a.counts.errors()) * u128::from(b.counts.total()))
                    .cmp(&(u128::from(b.counts.errors()) * u128::from(a.counts.total()))),
                SortColumn::P50 => latency(a, |p| p.p50_us).cmp(&latency(b, |p| p.p50_us)),
                SortColumn::P95 => latency(a, |p| p.p95_us).cmp(&latency(b, |p| p.p95_us)),
                SortColumn::Bytes => a.bytes.cmp(&b.bytes),
            };
            let by_label = rank(a).cmp(&rank(b)).then(a.key.cmp(&b.key));
            match (column, descending) {
                (SortColumn::Name, false) => by_label,
                (SortColumn::Name, true) => by_label.reverse(),
                (_, false) => primary.then(by_label),
                (_, true) => primary.reverse().then(by_label),
            }
        };
        let key = |r: &Row| -> Option<u128> {
            let after_none = |v: Option<u64>| v.map_or(0, |v| u128::from(v) + 1);
            Some(match column {
                SortColumn::Name => 0,
                SortColumn::Requests | SortColumn::Share => u128::from(r.counts.total()),
                SortColumn::Class(class) => u128::from(r.counts.get(class)),
                SortColumn::Bytes => r.bytes,
                SortColumn::P50 => after_none(r.latency.map(|p| p.p50_us)),
                SortColumn::P95 => after_none(r.latency.map(|p| p.p95_us)),
                SortColumn::ErrorRate => return None,
            })
        };
        if column == SortColumn::ErrorRate {
            let mut order: Vec<u32> = (0..rows.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| compare(&rows[a as usize], &rows[b as usize]));
            return order;
        }
        // Every other column orders by one integer, with the label's rank (unique per value) to
        // break ties.
        match (column, descending) {
            (SortColumn::Name, true) => order_by_keys(
                rows.iter().enumerate().map(|(i, r)| (i as u32, 0, u32::MAX - rank(r))),
                false,
            ),
            _ => order_by_keys(
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| (i as u32, key(r).unwrap_or(0), rank(r))),
                descending,
            ),
        }
    }

    /// Requests over time in `span` through `filter`, in UTC buckets: see [`UsageStore::series_in`].
    pub fn series(
        &self,
        span: impl Into<Window>,
        granularity: Granularity,
        filter: &RecordFilter,
        split: Option<(Dimension, &[u32])>,
    ) -> TimeSeries {
        self.series_in(span.into(), granularity, &Offsets::utc(), filter, split)
    }

    /// Requests over time in `span` through `filter`, in buckets of the zone with `offsets`: the
    /// total per bucket and, for each of `keys` of `dimension`, its own series.
    pub fn series_in(
        &self,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        split: Option<(Dimension, &[u32])>,
    ) -> TimeSeries {
        self.series_of_class(span, granularity, offsets, filter, split, None)
    }

    /// The same, counting only the requests of status `class` when given (5xx, 429).
    pub fn series_of_class(
        &self,
        span: Window,
        granularity: Granularity,
        offsets: &Offsets,
        filter: &RecordFilter,
        split: Option<(Dimension, &[u32])>,
        class: Option<StatusClass>,
    ) -> TimeSeries {
        let starts = offsets.buckets(granularity, span);
        let mut total = vec![0u64; starts.len()];
        let (dimension, keys) = split.unwrap_or((Dimension::Client, &[]));
        let slots = KeySlots::new(self.cardinality(dimension), keys);
        let mut values = vec![vec![0u64; starts.len()]; keys.len()];
        let index = BucketIndex::new(&starts, granularity, offsets);
        let shown = if keys.is_empty() {
            Grouping::NONE
        } else {
            Grouping::NONE.with(dimension)
        };
        self.each(span, filter, shown, |i, n| {
            if class.is_some_and(|c| StatusClass::of(self.status[i]) != c) {
                return;
            }
            let bucket = index.of(self.timestamp(i));
            if let Some(cell) = total.get_mut(bucket) {
                *cell += n;
                if let Some(k) = slots.of(self.key(dimension, i)) {
                    values[k][bucket] += n;
                }
            }
        });
        TimeSeries {
            granularity,
            starts,
            total,
            series: keys.iter().copied().zip(values).collect(),
        }
    }

    /// Requests per pair of values of `first` × `second` (client × template, say) in `span`
    /// through `filter`, ranked by requests, ties by the two labels.
    pub fn pairs(
        &self,
        span: impl Into<Window>,
        first: Dimension,
        second: Dimension,
        filter: &RecordFilter,
    ) -> Vec<PairRow> {
        let span = span.into();
        let mut per_pair: rustc_hash::FxHashMap<u64, StatusCounts> = rustc_hash::FxHashMap::default();
        self.each(span, filter, Grouping::of(&[first, second]), |i, n| {
            let key = u64::from(self.key(first, i)) << 32 | u64::from(self.key(second, i));
            per_pair.entry(key).or_default().add_code(self.status[i], n);
        });
        let mut pairs: Vec<PairRow> = per_pair
            .into_iter()
            .map(|(key, counts)| PairRow {
                first: (key >> 32) as u32,
                second: key as u32,
                counts,
            })
            .collect();
        pairs.sort_by(|a, b| {
            b.counts
                .total()
                .cmp(&a.counts.total())
                .then_with(|| {
                    (self.sort_label(first, a.first), self.sort_label(second, a.second))
                        .cmp(&(self.sort_label(first, b.first), self.sort_label(second, b.second)))
                })
                .then((a.first, a.second).cmp(&(b.first, b.second)))
        });
        pairs
    }

    /// The records of `span` that `filter` lets through, in time order: what an export holds (of
    /// grouped data, the part that keeps the most apart).
    pub fn records_through<'a>(
        &'a self,
        span: impl Into<Window>,
        filter: &'a RecordFilter,
    ) -> impl Iterator<Item = crate::UsageRecord> + 'a {
        let span = span.into();
        self.index_range_in(self.part_for(Grouping::ALL), span.start, span.end)
            .filter(move |&i| filter.is_all() || filter.passes(self, i))
            .map(move |i| self.record(i))
    }

    /// The measured amounts of `span` that `filter` lets through, with their measure: a measure
    /// is counted per client only, so a filter on anything else lets none through.
    pub fn measure_points_through<'a>(
        &'a self,
        span: impl Into<Window>,
        filter: &'a RecordFilter,
    ) -> impl Iterator<Item = (&'a crate::store::Measure, &'a crate::store::MeasurePoint)> + 'a {
        let span = span.into();
        let open = filter.only_clients();
        self.measures()
            .iter()
            .flat_map(|m| m.points.iter().map(move |p| (m, p)))
            .filter(move |(_, p)| {
                open && span.start <= p.timestamp && p.timestamp < span.end && filter.passes_client(p.client)
            })
    }

    /// For each URL template id, the methods it was called with in `span` through `filter`, as
    /// text in alphabetical order (`GET, POST`); empty for a template without requests.
    pub fn template_methods(&self, span: impl Into<Window>, filter: &RecordFilter) -> Vec<String> {
        let span = span.into();
        let mut used = vec![false; self.endpoints().len()];
        self.each(
            span,
            filter,
            Grouping::of(&[Dimension::Template, Dimension::Method]),
            |i, _| used[self.endpoint[i] as usize] = true,
        );
        let mut methods: Vec<Vec<&str>> = vec![Vec::new(); self.templates().len()];
        for (endpoint, _) in used.iter().enumerate().filter(|(_, u)| **u) {
            let e = &self.endpoints()[endpoint];
            methods[e.template as usize].push(self.methods().get(e.method));
        }
        methods
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.iter()
                    .map(|m| if m.is_empty() { "(none)" } else { m })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect()
    }

    /// The widest bucket of any record: a time chart cannot be finer than its data.
    pub fn widest_bucket(&self) -> BucketWidth {
        // Widths are stored as their place in `BucketWidth::ALL`, narrowest first; per-request
        // data is one constant, so this is no pass over the records. Measured amounts count too.
        let place = |w: BucketWidth| BucketWidth::ALL.iter().position(|&a| a == w).unwrap_or(0) as u64;
        let measured = self
            .measures()
            .iter()
            .flat_map(|m| &m.points)
            .map(|p| place(p.bucket))
            .max()
            .unwrap_or(0);
        BucketWidth::ALL[self.bucket.max().max(measured) as usize % BucketWidth::ALL.len()]
    }

    /// The widest bucket of the records in `span`: the last day may be finer than the rest.
    pub fn widest_bucket_in(&self, span: Window) -> BucketWidth {
        let widest = self
            .index_range_in(self.part_for(Grouping::NONE), span.start, span.end)
            .map(|i| self.bucket.get(i))
            .max()
            .unwrap_or(0);
        BucketWidth::ALL[widest as usize % BucketWidth::ALL.len()]
    }

    /// Whether the data reaches back to `instant`: its first record's UTC day starts there or
    /// earlier. A comparison period the data does not reach is shown as missing, not as zero.
    pub fn reaches_back_to(&self, instant: i64) -> bool {
        self.day_span()
            .is_some_and(|(first, _)| first * SECONDS_PER_DAY <= instant)
    }
}

/// `part` as a fraction of `total`; `None` when the total is 0.
pub fn share(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// The first `n` rows, and the rest folded into one "Other": the breakdown's total less the
/// first rows, not a sum over the rest (there may be a million of them).
pub fn top_n(breakdown: &Breakdown, n: usize) -> (Vec<Row>, StatusCounts) {
    let top = breakdown.rows[..n.min(breakdown.rows.len())].to_vec();
    let mut other = breakdown.total;
    for row in &top {
        other.subtract(&row.counts);
    }
    (top, other)
}

/// The payloads of `items` (payload, key, rank) ordered by key (`descending` or not), then rank
/// ascending, then payload. Keys under 2^32 (the common case) sort packed with their rank in one
/// u64: half the bytes to move for a million rows.
fn order_by_keys(items: impl Iterator<Item = (u32, u128, u32)> + Clone, descending: bool) -> Vec<u32> {
    let small = items.clone().all(|(_, k, _)| k <= u128::from(u32::MAX));
    if small {
        let mut keyed: Vec<(u64, u32)> = items
            .map(|(i, k, rank)| {
                let k = if descending { u128::from(u32::MAX) - k } else { k } as u64;
                ((k << 32) | u64::from(rank), i)
            })
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    } else {
        let mut keyed: Vec<(u128, u32, u32)> = items
            .map(|(i, k, rank)| (if descending { u128::MAX - k } else { k }, rank, i))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }
}

/// The rows of `keys`, in that order (keys without requests are left out), and every other
/// row folded into one "Other": the chosen clients and everyone else. The rows are read only
/// until every key is found: the chosen ones are usually the top ones, and there may be a
/// million rows after them.
pub fn picked(breakdown: &Breakdown, keys: &[u32]) -> (Vec<Row>, StatusCounts) {
    let mut found: Vec<Option<Row>> = vec![None; keys.len()];
    // A key listed twice is still one slice, at its first place.
    let mut wanted = keys.iter().enumerate().filter(|&(i, k)| !keys[..i].contains(k)).count();
    for row in breakdown.rows.iter() {
        if wanted == 0 {
            break;
        }
        if let Some(at) = keys.iter().position(|&k| k == row.key) {
            found[at] = Some(*row);
            wanted -= 1;
        }
    }
    let chosen: Vec<Row> = found.into_iter().flatten().collect();
    let mut other = breakdown.total;
    for row in &chosen {
        other.subtract(&row.counts);
    }
    (chosen, other)
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

/// The clients among `rows` (a client breakdown's rows), telling the unidentified traffic apart.
pub fn client_count(store: &UsageStore, rows: &[Row]) -> ClientCount {
    let unidentified = store
        .unknown_client()
        .is_some_and(|unknown| rows.iter().any(|r| r.key == unknown));
    ClientCount {
        identified: rows.len() - usize::from(unidentified),
        unidentified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::day_number;
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

    fn ids(store: &UsageStore, rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| store.client_id(r.key).to_owned()).collect()
    }

    // Guards the per-class breakdown, the ranking order and that out-of-span days are left out.
    #[test]
    fn client_breakdown_counts_classes_and_ranks() {
        let store = UsageStore::from_records(&[
            rec(0, "b", "/x", 200, 5),
            rec(10, "a", "/x", 429, 3),
            rec(20, "a", "/y", 404, 2),
            rec(30, "c", "/y", 503, 5),
            rec(DAY, "a", "/x", 200, 100), // next day: outside the span
        ])
        .unwrap();
        let breakdown = store.breakdown(
            DaySpan { start: 0, end: 1 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        );
        // a, b and c have 5 each: ties go by display name.
        assert_eq!(ids(&store, &breakdown.rows), ["a", "b", "c"]);
        assert_eq!(breakdown.rows[0].counts.get(StatusClass::RateLimited), 3);
        assert_eq!(breakdown.rows[0].counts.get(StatusClass::ClientError), 2);
        assert_eq!(breakdown.rows[2].counts.get(StatusClass::ServerError), 5);
        assert_eq!(breakdown.total.total(), 15);

        let y = RecordFilter::new(
            &store,
            &[Filter {
                dimension: Dimension::Template,
                key: "/y".into(),
            }],
        );
        assert_eq!(store.totals(DaySpan { start: 0, end: 2 }, &y).total(), 7);
    }

    // Guards filters: the same dimension is "or", different dimensions "and", an unknown key lets nothing through.
    #[test]
    fn filters_combine() {
        let store = UsageStore::from_records(&[
            rec(0, "a", "/x", 200, 1),
            rec(1, "a", "/x", 500, 2),
            rec(2, "b", "/y", 503, 4),
            rec(3, "c", "/y", 200, 8),
        ])
        .unwrap();
        let span = DaySpan { start: 0, end: 1 };
        let f = |d: Dimension, k: &str| Filter {
            dimension: d,
            key: k.into(),
        };
        let total = |filters: &[Filter]| store.totals(span, &RecordFilter::new(&store, filters)).total();
        assert_eq!(total(&[f(Dimension::Client, "a"), f(Dimension::Client, "b")]), 7);
        assert_eq!(total(&[f(Dimension::Client, "a"), f(Dimension::Class, "5xx")]), 2);
        assert_eq!(total(&[f(Dimension::Class, "5xx"), f(Dimension::Status, "503")]), 4);
        assert_eq!(total(&[f(Dimension::Template, "/y"), f(Dimension::Method, "GET")]), 12);
        assert_eq!(total(&[f(Dimension::Client, "nobody")]), 0);
        assert_eq!(total(&[]), 15);
    }

    // Guards top N + Other: the shares of top and other add up to the whole.
    #[test]
    fn top_n_folds_the_rest_into_other() {
        let records: Vec<UsageRecord> = (0..8)
            .map(|i| rec(i, &format!("c{i}"), "/x", 200, 10 + i as u64))
            .collect();
        let store = UsageStore::from_records(&records).unwrap();
        let breakdown = store.breakdown(
            DaySpan { start: 0, end: 1 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        );
        let (top, other) = top_n(&breakdown, 5);
        assert_eq!(
            top.iter().map(|u| u.counts.total()).collect::<Vec<_>>(),
            [17, 16, 15, 14, 13]
        );
        assert_eq!(other.total(), 10 + 11 + 12);
        let few = UsageStore::from_records(&records[..2]).unwrap().breakdown(
            DaySpan { start: 0, end: 1 },
            Dimension::Client,
            &RecordFilter::all(),
            false,
        );
        let (few, other) = top_n(&few, 5);
        assert_eq!((few.len(), other.total()), (2, 0));
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
        let series = store.series(
            DaySpan { start: 0, end: 2 },
            Granularity::Hour,
            &RecordFilter::all(),
            Some((Dimension::Client, &[a])),
        );
        assert_eq!(series.starts.len(), 48);
        let values = &series.series[0].1;
        assert_eq!((values[0], values[1], values[26]), (1, 2, 4));
        assert_eq!(values.iter().sum::<u64>(), 7);
        assert_eq!(series.total.iter().sum::<u64>(), 15);
    }

    // Guards both ways of finding an asked-for key: the same answers from the table and the
    // search through the keys, a key asked twice being its last ask, and keys not asked none.
    #[test]
    fn key_slots_agree() {
        let keys = [70_000, 3, 70_000, 12, 0];
        let (small, large) = (KeySlots::new(1 << 16, &keys[1..2]), KeySlots::new(1 << 20, &keys));
        assert!(matches!(small, KeySlots::Table(_)) && matches!(large, KeySlots::Few(_)));
        let table = KeySlots::new(1 << 16, &[3, 12, 0]);
        for key in [0, 3, 12, 5, 65_535, 70_000, 99_999] {
            let expected = keys.iter().rposition(|&k| k == key);
            assert_eq!(large.of(key), expected, "{key}");
            assert_eq!(table.of(key), [3, 12, 0].iter().position(|&k| k == key), "{key}");
        }
        assert_eq!(KeySlots::new(10, &[]).of(0), None);
    }

    // Guards the data's widest bucket (what a time chart cannot go below) and how far back the
    // data reaches (what a comparison needs).
    #[test]
    fn widest_bucket_and_reach() {
        let per_request =
            UsageStore::from_records(&[rec(DAY + 5, "a", "/x", 200, 1), rec(DAY + 9, "a", "/x", 200, 1)]).unwrap();
        assert_eq!(per_request.widest_bucket(), BucketWidth::Request);
        let mixed = UsageStore::from_records(&[
            rec(DAY + 5, "a", "/x", 200, 1),
            UsageRecord {
                bucket: BucketWidth::Hour,
                ..rec(2 * DAY, "a", "/x", 200, 1)
            },
        ])
        .unwrap();
        assert_eq!(mixed.widest_bucket(), BucketWidth::Hour);
        assert_eq!(UsageStore::default().widest_bucket(), BucketWidth::Request);
        assert_eq!(
            mixed.widest_bucket_in(Window {
                start: DAY,
                end: 2 * DAY
            }),
            BucketWidth::Request,
            "only the records in the window"
        );
        assert_eq!(
            mixed.widest_bucket_in(Window {
                start: DAY,
                end: 2 * DAY + 1
            }),
            BucketWidth::Hour
        );
        assert!(
            per_request.reaches_back_to(DAY) && per_request.reaches_back_to(3 * DAY),
            "the first record's day counts from its midnight"
        );
        assert!(!per_request.reaches_back_to(DAY - 1));
        assert!(
            !UsageStore::default().reaches_back_to(i64::MAX),
            "no data reaches nowhere"
        );
    }

    // Guards ISO weeks (Monday start) and calendar months, including a leap February.
    #[test]
    fn week_and_month_buckets() {
        let ts = |y, m, d| day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()) * DAY;
        let days = |from: (i32, u32, u32), to: (i32, u32, u32)| DaySpan {
            start: ts(from.0, from.1, from.2) / DAY,
            end: ts(to.0, to.1, to.2) / DAY,
        };
        // 2024-02-29 is a Thursday; its ISO week starts Monday 2024-02-26.
        assert_eq!(
            Granularity::Week.buckets(days((2024, 2, 29), (2024, 3, 1))),
            vec![ts(2024, 2, 26)]
        );
        assert_eq!(
            Granularity::Week.buckets(days((2024, 2, 26), (2024, 3, 5))),
            vec![ts(2024, 2, 26), ts(2024, 3, 4)]
        );
        assert_eq!(
            Granularity::Week.buckets(days((1970, 1, 1), (1970, 1, 2))),
            vec![ts(1969, 12, 29)]
        );
        assert_eq!(
            Granularity::Month.buckets(days((2024, 12, 31), (2025, 1, 2))),
            vec![ts(2024, 12, 1), ts(2025, 1, 1)]
        );
        let span = DaySpan {
            start: day_number(chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()),
            end: day_number(chrono::NaiveDate::from_ymd_opt(2024, 3, 2).unwrap()),
        };
        assert_eq!(
            Granularity::Month.buckets(span),
            vec![ts(2024, 1, 1), ts(2024, 2, 1), ts(2024, 3, 1)]
        );
    }

    // Guards which dimensions are offered: values must exist, and status codes must be exact.
    #[test]
    fn dimensions_the_data_lacks_are_explained() {
        let store = UsageStore::from_records(&[rec(0, "a", "/x", 200, 1)]).unwrap();
        assert_eq!(Dimension::Client.availability(&store, StatusDetail::Codes), Ok(()));
        assert_eq!(Dimension::Status.availability(&store, StatusDetail::Codes), Ok(()));
        assert_eq!(
            Dimension::Status.availability(&store, StatusDetail::Classes),
            Err(Unavailable::ClassesOnly)
        );
        assert_eq!(Dimension::Class.availability(&store, StatusDetail::Classes), Ok(()));
        assert_eq!(
            Dimension::Class.availability(&store, StatusDetail::Nothing),
            Err(Unavailable::NoStatus)
        );
        assert!(
            Dimension::Ip
                .availability(&store, StatusDetail::Codes)
                .unwrap_err()
                .to_string()
                .contains("an IP address")
        );
        let with_ip = UsageStore::from_records(&[UsageRecord {
            ip: "192.0.2.1".into(),
            ..rec(0, "a", "/x", 0, 1)
        }])
        .unwrap();
        assert_eq!(Dimension::Ip.availability(&with_ip, StatusDetail::Codes), Ok(()));
        assert_eq!(
            Dimension::Status.availability(&with_ip, StatusDetail::Codes),
            Err(Unavailable::NoStatus),
            "only code 0: no status"
        );
        // A live source's /meta decides first; a status class comes with the status.
        let offered = [Dimension::Client, Dimension::Status];
        assert!(
            Dimension::Ip
                .offered_by(&offered, &with_ip, StatusDetail::Codes)
                .unwrap_err()
                .to_string()
                .contains("lists client, status")
        );
        assert_eq!(
            Dimension::Class.offered_by(&offered, &store, StatusDetail::Classes),
            Ok(())
        );
        assert_eq!(Dimension::Ip.offered_by(&[], &with_ip, StatusDetail::Codes), Ok(()));
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
        let mut rows = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows
            .to_vec();
        let mut sorted = |column, descending| {
            store.sort_rows(&mut rows, Dimension::Client, column, descending);
            ids(&store, &rows)
        };
        assert_eq!(sorted(SortColumn::ErrorRate, true), ["b", "a", "c"]);
        assert_eq!(sorted(SortColumn::Name, true), ["c", "b", "a"]);
        assert_eq!(sorted(SortColumn::Requests, false), ["b", "c", "a"]);
        assert_eq!(sorted(SortColumn::Class(StatusClass::Success), false), ["b", "c", "a"]);
        assert_eq!(
            sorted(SortColumn::Class(StatusClass::RateLimited), true),
            ["b", "a", "c"]
        );
    }

    // Guards exact percentiles (nearest rank) and that only per-request records feed them, and
    // bytes summed per row.
    #[test]
    fn percentiles_and_bytes() {
        let mut records: Vec<UsageRecord> = (1..=100)
            .map(|ms| UsageRecord {
                latency_us: Some(ms * 1_000),
                bytes: Some(10),
                ..rec(0, "a", "/x", 200, 1)
            })
            .collect();
        records.push(UsageRecord {
            bucket: BucketWidth::Hour,
            latency_us: Some(9_999_999),
            bytes: Some(5),
            ..rec(0, "a", "/x", 200, 40)
        });
        let store = UsageStore::from_records(&records).unwrap();
        let breakdown = store.breakdown(
            DaySpan { start: 0, end: 1 },
            Dimension::Template,
            &RecordFilter::all(),
            true,
        );
        assert_eq!(
            breakdown.rows[0].latency,
            Some(Percentiles {
                p50_us: 50_000,
                p95_us: 95_000,
                p99_us: 99_000
            })
        );
        assert_eq!(breakdown.rows[0].bytes, 1_005);
        assert!(breakdown.has_bytes && breakdown.has_latency);
        assert_eq!(Percentiles::of(&mut []), None);
        assert_eq!(
            Percentiles::of(&mut [7]),
            Some(Percentiles {
                p50_us: 7,
                p95_us: 7,
                p99_us: 7
            })
        );
    }

    // Guards the Clients tile: "Unknown client" is unidentified traffic, not one more client.
    #[test]
    fn unknown_client_is_not_counted_as_a_client() {
        let mut records: Vec<UsageRecord> = (0..4).map(|i| rec(i, &format!("c{i}"), "/x", 200, 1)).collect();
        let store = UsageStore::from_records(&records).unwrap();
        let rows = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows;
        assert_eq!(
            client_count(&store, &rows),
            ClientCount {
                identified: 4,
                unidentified: false
            }
        );
        records.push(UsageRecord {
            client_id: String::new(),
            client_name: "Unknown client".into(),
            ..rec(5, "", "/x", 500, 3)
        });
        let store = UsageStore::from_records(&records).unwrap();
        let rows = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows;
        assert_eq!(
            (rows.len(), client_count(&store, &rows)),
            (
                5,
                ClientCount {
                    identified: 4,
                    unidentified: true
                }
            )
        );
    }

    // Guards the texts of keys and labels, and finding a key back from its text.
    #[test]
    fn keys_and_labels() {
        let store = UsageStore::from_records(&[UsageRecord {
            user: String::new(),
            ip: "2001:db8::1".into(),
            ..rec(0, "a", "/x", 404, 1)
        }])
        .unwrap();
        for dimension in Dimension::ALL {
            let rows = store
                .breakdown(DaySpan { start: 0, end: 1 }, dimension, &RecordFilter::all(), false)
                .rows;
            let text = store.key_text(dimension, rows[0].key);
            assert_eq!(store.find_key(dimension, &text), Some(rows[0].key), "{dimension:?}");
        }
        let class = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                Dimension::Class,
                &RecordFilter::all(),
                false,
            )
            .rows[0]
            .key;
        assert_eq!(
            (
                store.label(Dimension::Class, class),
                store.key_text(Dimension::Class, class)
            ),
            ("4xx".into(), "4xx".into())
        );
        assert_eq!(store.label(Dimension::User, 0), "Unknown");
        assert_eq!(store.label(Dimension::Client, 0), "A");
        assert_eq!(
            (store.known_values(Dimension::User), store.known_values(Dimension::Ip)),
            (0, 1)
        );
    }
}
