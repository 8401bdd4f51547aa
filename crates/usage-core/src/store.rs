//! The columnar usage store: built once per load, queried on every change.
//!
//! Dimensions are dictionary-encoded (a record holds small integer ids), and
//! timestamps are stored as `u32` seconds after the earliest record. Records
//! are kept sorted by timestamp, so a date range is found with two binary
//! searches and a query only touches the records inside it.

use rustc_hash::FxHashMap as HashMap;

use thiserror::Error;

use crate::model::{BucketWidth, UsageRecord};

/// Index of a client in [`UsageStore::clients`].
pub type ClientId = u32;
/// Index of a method + URL template pair in [`UsageStore::endpoints`].
pub type EndpointId = u32;
/// Index of a URL template in [`UsageStore::templates`].
pub type TemplateId = u32;

/// A calling application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    /// Stable identifier, used as the key of saved selections.
    pub id: String,
    /// Display name; equals `id` when the source had none.
    pub name: String,
}

/// A method on a URL template, e.g. `GET /api/v2/users/{id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: String,
    pub template: TemplateId,
}

/// Why a store could not be built.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("the records span more than 136 years ({first} to {last}); check the timestamps")]
    TimeSpanTooWide { first: i64, last: i64 },
}

/// Collects records and interns their dimensions; [`StoreBuilder::finish`] makes the store.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    clients: Vec<ClientInfo>,
    client_index: HashMap<String, ClientId>,
    templates: Vec<String>,
    template_index: HashMap<String, TemplateId>,
    endpoints: Vec<Endpoint>,
    endpoint_index: HashMap<(String, TemplateId), EndpointId>,
    timestamps: Vec<i64>,
    client: Vec<ClientId>,
    endpoint: Vec<EndpointId>,
    status: Vec<u16>,
    bucket: Vec<BucketWidth>,
    requests: Vec<u32>,
}

impl StoreBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns a client. The first non-empty display name seen for an id wins.
    pub fn client(&mut self, id: &str, name: &str) -> ClientId {
        if let Some(&key) = self.client_index.get(id) {
            let info = &mut self.clients[key as usize];
            if info.name == info.id && !name.is_empty() && name != id {
                info.name = name.to_owned();
            }
            return key;
        }
        let key = self.clients.len() as ClientId;
        let name = if name.is_empty() { id } else { name };
        self.clients.push(ClientInfo { id: id.to_owned(), name: name.to_owned() });
        self.client_index.insert(id.to_owned(), key);
        key
    }

    /// Interns a method + URL template pair.
    pub fn endpoint(&mut self, method: &str, template: &str) -> EndpointId {
        let template = match self.template_index.get(template) {
            Some(&t) => t,
            None => {
                let t = self.templates.len() as TemplateId;
                self.templates.push(template.to_owned());
                self.template_index.insert(template.to_owned(), t);
                t
            }
        };
        let key = (method.to_owned(), template);
        if let Some(&e) = self.endpoint_index.get(&key) {
            return e;
        }
        let e = self.endpoints.len() as EndpointId;
        self.endpoints.push(Endpoint { method: key.0.clone(), template });
        self.endpoint_index.insert(key, e);
        e
    }

    /// Adds one bucket of traffic. A count above `u32::MAX` is stored as several records.
    pub fn push(
        &mut self,
        timestamp: i64,
        bucket: BucketWidth,
        client: ClientId,
        endpoint: EndpointId,
        status: u16,
        requests: u64,
    ) {
        let mut left = requests;
        loop {
            let part = left.min(u64::from(u32::MAX));
            self.timestamps.push(timestamp);
            self.client.push(client);
            self.endpoint.push(endpoint);
            self.status.push(status);
            self.bucket.push(bucket);
            self.requests.push(part as u32);
            left -= part;
            if left == 0 {
                break;
            }
        }
    }

    /// Adds a record in its readable form.
    pub fn push_record(&mut self, record: &UsageRecord) {
        let client = self.client(&record.client_id, &record.client_name);
        let endpoint = self.endpoint(&record.method, &record.template);
        self.push(record.timestamp, record.bucket, client, endpoint, record.status, record.requests);
    }

    /// Number of records pushed so far.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Sorts the records by time and packs them into a store.
    pub fn finish(self) -> Result<UsageStore, StoreError> {
        let first = self.timestamps.iter().copied().min().unwrap_or(0);
        let last = self.timestamps.iter().copied().max().unwrap_or(0);
        if last - first > i64::from(u32::MAX) {
            return Err(StoreError::TimeSpanTooWide { first, last });
        }
        // Exports are often in time order already; only sort when they are not.
        let sorted = self.timestamps.windows(2).all(|w| w[0] <= w[1]);
        let order: Vec<usize> = if sorted {
            (0..self.timestamps.len()).collect()
        } else if self.timestamps.len() <= u32::MAX as usize {
            // Sort (offset, index) packed into one u64: a plain integer sort, stable by index.
            let mut keys: Vec<u64> =
                self.timestamps.iter().enumerate().map(|(i, &t)| ((t - first) as u64) << 32 | i as u64).collect();
            keys.sort_unstable();
            keys.into_iter().map(|k| (k & u64::from(u32::MAX)) as usize).collect()
        } else {
            let mut order: Vec<usize> = (0..self.timestamps.len()).collect();
            order.sort_by_key(|&i| self.timestamps[i]);
            order
        };
        let pick = |column: &[u32]| order.iter().map(|&i| column[i]).collect::<Vec<_>>();
        Ok(UsageStore {
            base: first,
            offsets: order.iter().map(|&i| (self.timestamps[i] - first) as u32).collect(),
            client: pick(&self.client),
            endpoint: pick(&self.endpoint),
            status: order.iter().map(|&i| self.status[i]).collect(),
            bucket: order.iter().map(|&i| self.bucket[i]).collect(),
            requests: pick(&self.requests),
            clients: self.clients,
            templates: self.templates,
            endpoints: self.endpoints,
        })
    }
}

/// Loaded usage data, columnar and sorted by time. Immutable once built.
#[derive(Clone, Debug, Default)]
pub struct UsageStore {
    /// Unix seconds of the earliest record; `offsets` count from here.
    pub(crate) base: i64,
    pub(crate) offsets: Vec<u32>,
    pub(crate) client: Vec<ClientId>,
    pub(crate) endpoint: Vec<EndpointId>,
    pub(crate) status: Vec<u16>,
    pub(crate) bucket: Vec<BucketWidth>,
    pub(crate) requests: Vec<u32>,
    clients: Vec<ClientInfo>,
    templates: Vec<String>,
    endpoints: Vec<Endpoint>,
}

impl UsageStore {
    /// Builds a store from readable records.
    pub fn from_records(records: &[UsageRecord]) -> Result<UsageStore, StoreError> {
        let mut builder = StoreBuilder::new();
        for record in records {
            builder.push_record(record);
        }
        builder.finish()
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Every client, indexed by [`ClientId`].
    pub fn clients(&self) -> &[ClientInfo] {
        &self.clients
    }

    /// A client by id; `None` for an id from another store.
    pub fn client_info(&self, client: ClientId) -> Option<&ClientInfo> {
        self.clients.get(client as usize)
    }

    /// Looks a client up by its stable id string.
    pub fn client_by_id(&self, id: &str) -> Option<ClientId> {
        self.clients.iter().position(|c| c.id == id).map(|i| i as ClientId)
    }

    /// Every URL template, indexed by [`TemplateId`].
    pub fn templates(&self) -> &[String] {
        &self.templates
    }

    /// Every method + template pair, indexed by [`EndpointId`].
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Looks a template up by its text.
    pub fn template_by_name(&self, template: &str) -> Option<TemplateId> {
        self.templates.iter().position(|t| t == template).map(|i| i as TemplateId)
    }

    /// Timestamp of record `i`, in Unix seconds.
    #[inline]
    pub(crate) fn timestamp(&self, i: usize) -> i64 {
        self.base + i64::from(self.offsets[i])
    }

    /// The half-open index range of records whose timestamp lies in `[start, end)`.
    pub(crate) fn index_range(&self, start: i64, end: i64) -> std::ops::Range<usize> {
        let to_offset = |t: i64| (t - self.base).clamp(0, i64::from(u32::MAX) + 1);
        let (lo, hi) = (to_offset(start), to_offset(end));
        let lo = self.offsets.partition_point(|&o| i64::from(o) < lo);
        let hi = self.offsets.partition_point(|&o| i64::from(o) < hi);
        lo..hi.max(lo)
    }

    /// The first and last UTC day that have records, as days since 1970-01-01.
    pub fn day_span(&self) -> Option<(i64, i64)> {
        let first = *self.offsets.first()?;
        let last = *self.offsets.last()?;
        Some((
            crate::model::day_of(self.base + i64::from(first)),
            crate::model::day_of(self.base + i64::from(last)),
        ))
    }

    /// The records in their readable form, in time order (for exports and tests).
    pub fn records(&self) -> impl Iterator<Item = UsageRecord> + '_ {
        (0..self.len()).map(move |i| {
            let client = &self.clients[self.client[i] as usize];
            let endpoint = &self.endpoints[self.endpoint[i] as usize];
            UsageRecord {
                timestamp: self.timestamp(i),
                bucket: self.bucket[i],
                client_id: client.id.clone(),
                client_name: client.name.clone(),
                method: endpoint.method.clone(),
                template: self.templates[endpoint.template as usize].clone(),
                status: self.status[i],
                requests: u64::from(self.requests[i]),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(timestamp: i64, client: &str, requests: u64) -> UsageRecord {
        UsageRecord {
            timestamp,
            bucket: BucketWidth::Request,
            client_id: client.into(),
            client_name: String::new(),
            method: "GET".into(),
            template: "/a".into(),
            status: 200,
            requests,
        }
    }

    // Guards that unsorted input comes out in time order with every column permuted alike.
    #[test]
    fn sorts_records_by_time_keeping_columns_together() {
        let store = UsageStore::from_records(&[record(300, "c", 3), record(100, "a", 1), record(200, "b", 2)])
            .expect("small span");
        let got: Vec<(i64, String, u64)> =
            store.records().map(|r| (r.timestamp, r.client_id, r.requests)).collect();
        assert_eq!(
            got,
            vec![(100, "a".into(), 1), (200, "b".into(), 2), (300, "c".into(), 3)]
        );
    }

    // Guards the half-open bounds of the binary search, including bounds outside the data.
    #[test]
    fn index_range_is_half_open() {
        let store = UsageStore::from_records(&[record(100, "a", 1), record(200, "a", 1), record(200, "a", 1), record(300, "a", 1)])
            .expect("small span");
        assert_eq!(store.index_range(200, 300), 1..3);
        assert_eq!(store.index_range(0, 1_000), 0..4);
        assert_eq!(store.index_range(301, 1_000), 4..4);
        assert_eq!(store.index_range(-50, 100), 0..0);
        assert_eq!(store.index_range(300, 200), 3..3);
    }

    // Guards that a count too big for one u32 cell is split, not truncated.
    #[test]
    fn huge_counts_are_split_not_truncated() {
        let store = UsageStore::from_records(&[record(0, "a", 10_000_000_000)]).expect("one record");
        let total: u64 = store.records().map(|r| r.requests).sum();
        assert_eq!(total, 10_000_000_000);
        assert_eq!(store.len(), 3);
    }

    // Guards that a missing display name falls back to the id and a later real name replaces it.
    #[test]
    fn client_names_fall_back_to_id() {
        let mut builder = StoreBuilder::new();
        let a = builder.client("app-1", "");
        assert_eq!(builder.client("app-1", "Billing"), a);
        let store = builder.finish().expect("empty store");
        assert_eq!(store.clients()[a as usize].name, "Billing");
    }

    // Guards against silently wrapping timestamps that do not fit the u32 offsets.
    #[test]
    fn rejects_absurd_time_spans() {
        let err = UsageStore::from_records(&[record(0, "a", 1), record(5_000_000_000, "a", 1)]).unwrap_err();
        assert!(matches!(err, StoreError::TimeSpanTooWide { .. }));
    }
}
