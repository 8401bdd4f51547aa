//! The columnar usage store: built once per load, queried on every change.
//!
//! Dimensions are dictionary-encoded (a record holds small integer ids), and
//! timestamps are stored as `u32` seconds after the earliest record. Records
//! are kept sorted by time, so a date range is found with two binary searches
//! and a query only touches the records inside it.
//!
//! Count-like columns (requests, bucket width, bytes, latency) are stored as a
//! single constant when every record has the same value, so a per-request log
//! pays nothing for its weight of 1. A per-request record with every
//! dimension and measure takes 32 bytes: see [`UsageStore::bytes_per_record`].

pub mod latency;
pub mod parts;

use rustc_hash::FxHashMap as HashMap;
use thiserror::Error;

use crate::model::{BucketWidth, UsageRecord};
use crate::strings::StringTable;

/// Index of a client in [`UsageStore::clients`].
pub type ClientId = u32;
/// Index of a method + URL template pair in [`UsageStore::endpoints`].
pub type EndpointId = u32;
/// Index of a URL template in [`UsageStore::templates`].
pub type TemplateId = u32;
/// Index into one of the plain string dictionaries (users, IPs, modules, methods).
pub type ValueId = u32;

/// A calling application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    /// Stable identifier, used as the key of saved selections.
    pub id: String,
    /// Display name; equals `id` when the source had none.
    pub name: String,
}

/// A client of a finished store, borrowed from its string tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// The clients of a store, by [`ClientId`].
#[derive(Clone, Copy)]
pub struct Clients<'a> {
    store: &'a UsageStore,
}

impl<'a> Clients<'a> {
    pub fn len(&self) -> usize {
        self.store.client_count()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, client: ClientId) -> Option<ClientRef<'a>> {
        self.store.client_info(client)
    }
    pub fn iter(&self) -> impl Iterator<Item = ClientRef<'a>> + 'a {
        let store = self.store;
        (0..store.client_count() as ClientId).filter_map(move |c| store.client_info(c))
    }
}

/// A method on a URL template, e.g. `GET /api/v2/users/{id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: ValueId,
    pub template: TemplateId,
}

/// The earliest instant a store holds: 1970-01-01T00:00:00Z.
pub const FIRST_TIMESTAMP: i64 = 0;
/// The latest instant a store holds: 2106-02-07T06:28:15Z, the end of the `u32` second offsets.
pub const LAST_TIMESTAMP: i64 = u32::MAX as i64;

/// Why one record cannot go into a store. The record is skipped (a reader reports it
/// with its line number); the records around it are kept.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RowError {
    #[error("the time {} is outside what Callboard can hold (1970-01-01 to 2106-02-07 UTC)", crate::format::describe_timestamp(*.0))]
    TimeOutOfRange(i64),
    /// Refused rather than wrapped: with every record's count added into one `u64` total
    /// that may never overflow, no sum the dashboard shows can overflow either.
    #[error(
        "its request count ({}) would take the total past {}, the most Callboard can count",
        crate::format::thousands(*.0),
        crate::format::thousands(u64::MAX)
    )]
    CountOverflow(u64),
    #[error("it names a module beyond the 65,536 different modules Callboard can hold")]
    TooManyModules,
    #[error("it counts {measure} in “{other}”, but earlier rows count it in “{unit}”")]
    MeasureUnit {
        measure: String,
        unit: String,
        other: String,
    },
}

impl From<RowError> for String {
    fn from(error: RowError) -> String {
        error.to_string()
    }
}

/// Why a store could not be built.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("record {index}: {error}")]
    Row { index: usize, error: RowError },
}

/// Distinct strings, each with a dense id. Id 0 is the empty string ("unknown").
#[derive(Clone, Debug)]
pub struct Dictionary {
    values: Vec<String>,
    index: HashMap<String, ValueId>,
}

impl Default for Dictionary {
    fn default() -> Dictionary {
        let mut dictionary = Dictionary {
            values: Vec::new(),
            index: HashMap::default(),
        };
        dictionary.intern("");
        dictionary
    }
}

impl Dictionary {
    pub fn intern(&mut self, value: &str) -> ValueId {
        if let Some(&id) = self.index.get(value) {
            return id;
        }
        let id = self.values.len() as ValueId;
        self.values.push(value.to_owned());
        self.index.insert(value.to_owned(), id);
        id
    }

    pub fn get(&self, id: ValueId) -> &str {
        self.values.get(id as usize).map_or("", String::as_str)
    }

    pub fn find(&self, value: &str) -> Option<ValueId> {
        self.index.get(value).copied()
    }

    /// Adds `value` as a value of its own that [`Dictionary::intern`] and [`Dictionary::find`]
    /// never give: one that no record's text names.
    pub fn push_apart(&mut self, value: &str) -> ValueId {
        self.values.push(value.to_owned());
        (self.values.len() - 1) as ValueId
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The values without the index: what a finished store keeps.
    fn into_table(self) -> StringTable {
        self.values.iter().map(String::as_str).collect()
    }
}

impl<'a> FromIterator<&'a str> for StringTable {
    fn from_iter<I: IntoIterator<Item = &'a str>>(values: I) -> StringTable {
        let mut table = StringTable::new();
        for value in values {
            table.push(value);
        }
        table
    }
}

/// A numeric column: one constant, or one value per record in 32 or 64 bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberColumn {
    Constant(u64),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Default for NumberColumn {
    fn default() -> NumberColumn {
        NumberColumn::Constant(0)
    }
}

impl NumberColumn {
    /// The narrowest column holding `values` (already in store order).
    fn pack(values: Vec<u64>) -> NumberColumn {
        match values.first() {
            None => NumberColumn::Constant(0),
            Some(&first) if values.iter().all(|&v| v == first) => NumberColumn::Constant(first),
            Some(_) if values.iter().all(|&v| v <= u64::from(u32::MAX)) => {
                NumberColumn::U32(values.into_iter().map(|v| v as u32).collect())
            }
            Some(_) => NumberColumn::U64(values),
        }
    }

    /// How many values it holds (`None` for a constant, which fits any length).
    pub fn stored_len(&self) -> Option<usize> {
        match self {
            NumberColumn::Constant(_) => None,
            NumberColumn::U32(values) => Some(values.len()),
            NumberColumn::U64(values) => Some(values.len()),
        }
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> u64 {
        match self {
            NumberColumn::Constant(v) => *v,
            NumberColumn::U32(values) => u64::from(values[i]),
            NumberColumn::U64(values) => values[i],
        }
    }

    /// The largest value (0 for none); a constant costs nothing.
    pub(crate) fn max(&self) -> u64 {
        match self {
            NumberColumn::Constant(v) => *v,
            NumberColumn::U32(values) => values.iter().copied().max().map_or(0, u64::from),
            NumberColumn::U64(values) => values.iter().copied().max().unwrap_or(0),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            NumberColumn::Constant(_) => 0,
            NumberColumn::U32(values) => values.len() * 4,
            NumberColumn::U64(values) => values.len() * 8,
        }
    }
}

/// A quantity the data measures besides requests: a 3scale metric such as data transfer (in MB)
/// or CPU hours. It is never counted as requests; the time chart offers it as a metric of its
/// own, in its own unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Measure {
    /// The name in a link (`metric=measure:data_transfer`): 3scale's `system_name`.
    pub system_name: String,
    /// The name people read (`Data Transfer`).
    pub name: String,
    /// `MB`, `hours`; empty when the export does not say.
    pub unit: String,
    /// Amounts per bucket and client, in time order.
    pub points: Vec<MeasurePoint>,
}

/// An amount of a [`Measure`] in one bucket, for one client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeasurePoint {
    pub timestamp: i64,
    pub bucket: BucketWidth,
    pub client: ClientId,
    pub amount: u64,
}

impl Measure {
    /// Its name with its unit, as the metric switch shows it: `Data Transfer (MB)`.
    pub fn label(&self) -> String {
        let name = if self.name.is_empty() {
            &self.system_name
        } else {
            &self.name
        };
        if self.unit.is_empty() {
            name.clone()
        } else {
            format!("{name} ({})", self.unit)
        }
    }
}

/// One record for [`StoreBuilder::push_row`], with its dimensions already interned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Start of the bucket, Unix seconds (UTC).
    pub timestamp: i64,
    pub bucket: BucketWidth,
    pub client: ClientId,
    pub endpoint: EndpointId,
    pub status: u16,
    pub requests: u64,
    pub module: ValueId,
    pub user: ValueId,
    pub ip: ValueId,
    pub bytes: Option<u64>,
    pub latency_us: Option<u64>,
}

/// Collects records and interns their dimensions; [`StoreBuilder::finish`] makes the store.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    clients: Vec<ClientInfo>,
    client_index: HashMap<String, ClientId>,
    templates: Vec<String>,
    template_index: HashMap<String, TemplateId>,
    endpoints: Vec<Endpoint>,
    endpoint_index: HashMap<(ValueId, TemplateId), EndpointId>,
    methods: Dictionary,
    modules: Dictionary,
    users: Dictionary,
    ips: Dictionary,
    timestamps: Vec<i64>,
    client: Vec<ClientId>,
    endpoint: Vec<EndpointId>,
    status: Vec<u16>,
    module: Vec<u16>,
    user: Vec<ValueId>,
    ip: Vec<ValueId>,
    requests: LazyColumn,
    bucket: LazyColumn,
    bytes: LazyColumn,
    latency_us: LazyColumn,
    has_bytes: bool,
    has_latency: bool,
    /// Where each part of grouped data starts, with its grouping ([`StoreBuilder::begin_part`]).
    part_starts: Vec<(crate::dimension::Grouping, usize)>,
    /// The values that stand for the rest of a dimension ([`StoreBuilder::rest`]).
    rests: Vec<(crate::dimension::Dimension, ValueId)>,
    /// Every request pushed so far; kept within `u64` (see [`RowError::CountOverflow`]).
    total_requests: u64,
    /// Quantities besides requests, with each one's total so far (kept within `u64` as well).
    measures: Vec<(Measure, u64)>,
}

/// A column that stays one constant until a second value appears.
#[derive(Debug, Default)]
struct LazyColumn {
    constant: Option<u64>,
    values: Vec<u64>,
    len: usize,
}

impl LazyColumn {
    #[inline]
    fn push(&mut self, value: u64) {
        if !self.values.is_empty() {
            self.values.push(value);
        } else {
            match self.constant {
                None => self.constant = Some(value),
                Some(c) if c == value => {}
                Some(c) => {
                    self.values = Vec::with_capacity(self.len * 2);
                    self.values.resize(self.len, c);
                    self.values.push(value);
                }
            }
        }
        self.len += 1;
    }

    /// The column in store order (`order[k]` is the builder index of the k-th stored record).
    fn into_column(self, order: Option<&[usize]>) -> NumberColumn {
        if self.values.is_empty() {
            return NumberColumn::Constant(self.constant.unwrap_or(0));
        }
        match order {
            Some(order) => NumberColumn::pack(order.iter().map(|&i| self.values[i]).collect()),
            None => NumberColumn::pack(self.values),
        }
    }
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
        self.clients.push(ClientInfo {
            id: id.to_owned(),
            name: name.to_owned(),
        });
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
        let method = self.methods.intern(method);
        if let Some(&e) = self.endpoint_index.get(&(method, template)) {
            return e;
        }
        let e = self.endpoints.len() as EndpointId;
        self.endpoints.push(Endpoint { method, template });
        self.endpoint_index.insert((method, template), e);
        e
    }

    /// Starts a part of grouped data: the records pushed from here on, until the next part, are
    /// the same requests as every other part's, grouped by `grouping` only (one widget's answer
    /// from a server that counted them). Records pushed before the first part are a part that
    /// keeps every dimension apart.
    pub fn begin_part(&mut self, grouping: crate::dimension::Grouping) {
        if self.part_starts.is_empty() && !self.timestamps.is_empty() {
            self.part_starts.push((crate::dimension::Grouping::ALL, 0));
        }
        self.part_starts.push((grouping, self.timestamps.len()));
    }

    /// The value that stands for every value of `dimension` that a server did not list one by
    /// one ("Other IP addresses": it lists those with most requests, [`crate::Dimension::open_ended`]),
    /// made on first use; `None` for a dimension that is always listed whole. No text finds it,
    /// so no link or filter can name it.
    pub fn rest(&mut self, dimension: crate::dimension::Dimension) -> Option<ValueId> {
        if let Some(&(_, key)) = self.rests.iter().find(|(d, _)| *d == dimension) {
            return Some(key);
        }
        let text = format!("Other {}", dimension.plural());
        let key = match dimension {
            crate::dimension::Dimension::Ip => self.ips.push_apart(&text),
            crate::dimension::Dimension::User => self.users.push_apart(&text),
            _ => return None,
        };
        self.rests.push((dimension, key));
        Some(key)
    }

    /// Interns a module (API area).
    pub fn module(&mut self, module: &str) -> ValueId {
        self.modules.intern(module)
    }

    /// Interns a user.
    pub fn user(&mut self, user: &str) -> ValueId {
        self.users.intern(user)
    }

    /// Interns an IP address.
    pub fn ip(&mut self, ip: &str) -> ValueId {
        self.ips.intern(ip)
    }

    /// Adds one bucket of traffic with only the core dimensions.
    pub fn push(
        &mut self,
        timestamp: i64,
        bucket: BucketWidth,
        client: ClientId,
        endpoint: EndpointId,
        status: u16,
        requests: u64,
    ) -> Result<(), RowError> {
        self.push_row(Row {
            timestamp,
            bucket,
            client,
            endpoint,
            status,
            requests,
            ..Row::default()
        })
    }

    /// Whether `row` can go in after `already` more requests: its time is in the store's
    /// window, its module fits, and the total stays countable.
    fn check(&self, row: &Row, already: u64) -> Result<u64, RowError> {
        if !(FIRST_TIMESTAMP..=LAST_TIMESTAMP).contains(&row.timestamp) {
            return Err(RowError::TimeOutOfRange(row.timestamp));
        }
        if row.module > ValueId::from(u16::MAX) {
            return Err(RowError::TooManyModules);
        }
        self.total_requests
            .checked_add(already)
            .and_then(|t| t.checked_add(row.requests))
            .ok_or(RowError::CountOverflow(row.requests))?;
        Ok(already + row.requests)
    }

    /// Adds one bucket of traffic, or refuses it (and keeps nothing of it). A request count
    /// above `u32::MAX` is kept whole (the requests column widens to 64 bits for such data).
    pub fn push_row(&mut self, row: Row) -> Result<(), RowError> {
        self.check(&row, 0)?;
        self.push_checked(row);
        Ok(())
    }

    /// Adds several records that stand for one source row (a Genesys row's status classes,
    /// say): all of them, or, if any is refused, none.
    pub fn push_rows(&mut self, rows: &[Row]) -> Result<(), RowError> {
        let mut sum = 0;
        for row in rows {
            sum = self.check(row, sum)?;
        }
        for row in rows {
            self.push_checked(*row);
        }
        Ok(())
    }

    fn push_checked(&mut self, row: Row) {
        self.total_requests += row.requests;
        self.has_bytes |= row.bytes.is_some();
        self.has_latency |= row.latency_us.is_some();
        self.timestamps.push(row.timestamp);
        self.client.push(row.client);
        self.endpoint.push(row.endpoint);
        self.status.push(row.status);
        self.module.push(row.module as u16);
        self.user.push(row.user);
        self.ip.push(row.ip);
        self.requests.push(row.requests);
        self.bucket
            .push(BucketWidth::ALL.iter().position(|&w| w == row.bucket).unwrap_or(0) as u64);
        self.bytes.push(row.bytes.unwrap_or(0));
        self.latency_us.push(row.latency_us.unwrap_or(0));
    }

    /// Adds amounts of the measure `system_name` (created with `name` and `unit` when first met):
    /// all of them, or, if any is refused, none. A measure met again with another unit is
    /// refused, as its amounts could not be added.
    pub fn push_measure(
        &mut self,
        system_name: &str,
        name: &str,
        unit: &str,
        points: &[MeasurePoint],
    ) -> Result<(), RowError> {
        let at = self.measures.iter().position(|(m, _)| m.system_name == system_name);
        if let Some(known) = at.map(|at| &self.measures[at].0).filter(|m| m.unit != unit) {
            return Err(RowError::MeasureUnit {
                measure: system_name.to_owned(),
                unit: known.unit.clone(),
                other: unit.to_owned(),
            });
        }
        let mut total = at.map_or(0, |at| self.measures[at].1);
        for point in points {
            if !(FIRST_TIMESTAMP..=LAST_TIMESTAMP).contains(&point.timestamp) {
                return Err(RowError::TimeOutOfRange(point.timestamp));
            }
            total = total
                .checked_add(point.amount)
                .ok_or(RowError::CountOverflow(point.amount))?;
        }
        let at = at.unwrap_or_else(|| {
            self.measures.push((
                Measure {
                    system_name: system_name.to_owned(),
                    name: name.to_owned(),
                    unit: unit.to_owned(),
                    points: Vec::new(),
                },
                0,
            ));
            self.measures.len() - 1
        });
        let (measure, sum) = &mut self.measures[at];
        measure.points.extend_from_slice(points);
        *sum = total;
        Ok(())
    }

    /// Amounts of measures pushed so far.
    pub fn measure_points(&self) -> usize {
        self.measures.iter().map(|(m, _)| m.points.len()).sum()
    }

    /// Adds a record in its readable form.
    pub fn push_record(&mut self, record: &UsageRecord) -> Result<(), RowError> {
        let row = Row {
            timestamp: record.timestamp,
            bucket: record.bucket,
            client: self.client(&record.client_id, &record.client_name),
            endpoint: self.endpoint(&record.method, &record.template),
            status: record.status,
            requests: record.requests,
            module: self.module(&record.module),
            user: self.user(&record.user),
            ip: self.ip(&record.ip),
            bytes: record.bytes,
            latency_us: record.latency_us,
        };
        self.push_row(row)
    }

    /// Number of records pushed so far.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Sorts the records by time and packs them into a store. Every record was checked
    /// as it came in, so this cannot fail: the times span at most the `u32` offsets.
    pub fn finish(self) -> UsageStore {
        let first = self.timestamps.iter().copied().min().unwrap_or(0);
        let n = self.timestamps.len();
        let parts: Vec<Part> = self
            .part_starts
            .iter()
            .enumerate()
            .map(|(i, &(grouping, _))| Part {
                grouping,
                end: self.part_starts.get(i + 1).map_or(n, |&(_, start)| start) as u32,
            })
            .collect();
        let ranges: Vec<std::ops::Range<usize>> = parts
            .iter()
            .scan(0usize, |start, p| {
                let range = *start..p.end as usize;
                *start = range.end;
                Some(range)
            })
            .collect();
        // Exports are often in time order already; only sort when they are not.
        let order: Option<Vec<usize>> = if !parts.is_empty() {
            // Each part in time order, the parts one after another (answers come in time order).
            let sorted = |r: &std::ops::Range<usize>| self.timestamps[r.clone()].windows(2).all(|w| w[0] <= w[1]);
            (!ranges.iter().all(sorted)).then(|| {
                // As below, (offset, index) packed into one u64 and sorted, a part at a time (a
                // server's answers, a few million records at most: their indices fit in 32 bits).
                let mut order: Vec<usize> = Vec::with_capacity(n);
                for r in &ranges {
                    let mut keys: Vec<u64> = r
                        .clone()
                        .map(|i| ((self.timestamps[i] - first) as u64) << 32 | i as u64)
                        .collect();
                    keys.sort_unstable();
                    order.extend(keys.into_iter().map(|k| (k & u64::from(u32::MAX)) as usize));
                }
                order
            })
        } else if self.timestamps.windows(2).all(|w| w[0] <= w[1]) {
            None
        } else if self.timestamps.len() <= u32::MAX as usize {
            // Sort (offset, index) packed into one u64: a plain integer sort, stable by index.
            let mut keys: Vec<u64> = self
                .timestamps
                .iter()
                .enumerate()
                .map(|(i, &t)| ((t - first) as u64) << 32 | i as u64)
                .collect();
            keys.sort_unstable();
            Some(keys.into_iter().map(|k| (k & u64::from(u32::MAX)) as usize).collect())
        } else {
            let mut order: Vec<usize> = (0..self.timestamps.len()).collect();
            order.sort_by_key(|&i| self.timestamps[i]);
            Some(order)
        };
        fn gather<T: Copy>(column: Vec<T>, order: Option<&[usize]>) -> Vec<T> {
            match order {
                Some(order) => order.iter().map(|&i| column[i]).collect(),
                None => column,
            }
        }
        let order = order.as_deref();
        UsageStore {
            base: first,
            offsets: gather(self.timestamps, order)
                .into_iter()
                .map(|t| (t - first) as u32)
                .collect(),
            max_status: self.status.iter().copied().max().unwrap_or(0),
            client: gather(self.client, order),
            endpoint: gather(self.endpoint, order),
            status: gather(self.status, order),
            module: gather(self.module, order),
            user: gather(self.user, order),
            ip: gather(self.ip, order),
            requests: self.requests.into_column(order),
            bucket: self.bucket.into_column(order),
            bytes: self.has_bytes.then(|| self.bytes.into_column(order)),
            latency_us: self.has_latency.then(|| self.latency_us.into_column(order)),
            unknown_client: self.client_index.get(crate::model::UNKNOWN_CLIENT_ID).copied(),
            client_ids: self.clients.iter().map(|c| c.id.as_str()).collect(),
            client_names: self.clients.iter().map(|c| c.name.as_str()).collect(),
            templates: self.templates.iter().map(String::as_str).collect(),
            endpoints: self.endpoints,
            methods: self.methods.into_table(),
            modules: self.modules.into_table(),
            users: self.users.into_table(),
            ips: self.ips.into_table(),
            total_requests: self.total_requests,
            measures: self
                .measures
                .into_iter()
                .map(|(mut m, _)| {
                    m.points.sort_by_key(|p| p.timestamp);
                    m
                })
                .collect(),
            client_postings: std::sync::OnceLock::new(),
            latency_countable: false,
            counted_latency: std::sync::OnceLock::new(),
            label_ranks: Default::default(),
            parts,
            rests: self.rests,
        }
    }
}

/// The records of each client, in time order: a drill-down to a client reads only its own.
#[derive(Clone, Debug, Default)]
pub(crate) struct Postings {
    /// Where each client's records start in `records` (one more entry than clients).
    starts: Vec<u32>,
    records: Vec<u32>,
}

impl Postings {
    /// The record indices of `client` within `range` (indices are in time order).
    pub(crate) fn of(&self, client: ClientId, range: &std::ops::Range<usize>) -> &[u32] {
        let (Some(&from), Some(&to)) = (self.starts.get(client as usize), self.starts.get(client as usize + 1)) else {
            return &[];
        };
        let list = &self.records[from as usize..to as usize];
        let lo = list.partition_point(|&i| (i as usize) < range.start);
        let hi = list.partition_point(|&i| (i as usize) < range.end);
        &list[lo..hi]
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
    pub(crate) module: Vec<u16>,
    pub(crate) user: Vec<ValueId>,
    pub(crate) ip: Vec<ValueId>,
    pub(crate) requests: NumberColumn,
    /// Index into [`BucketWidth::ALL`].
    pub(crate) bucket: NumberColumn,
    pub(crate) bytes: Option<NumberColumn>,
    pub(crate) latency_us: Option<NumberColumn>,
    pub(crate) max_status: u16,
    /// Each client's stable id and display name, by [`ClientId`].
    client_ids: StringTable,
    client_names: StringTable,
    templates: StringTable,
    endpoints: Vec<Endpoint>,
    methods: StringTable,
    modules: StringTable,
    users: StringTable,
    ips: StringTable,
    /// All requests in the store; every sum over a part of it fits in `u64` too.
    total_requests: u64,
    /// The client that stands for records naming none ("Unknown client"), if there are such records.
    unknown_client: Option<ClientId>,
    /// Quantities besides requests, each within `u64` in all.
    measures: Vec<Measure>,
    /// Built on the first filter by client.
    client_postings: std::sync::OnceLock<Postings>,
    /// Whether a server counts latencies for this data, and the percentiles it counted, which may
    /// come after the data ([`latency`]).
    pub(crate) latency_countable: bool,
    pub(crate) counted_latency: std::sync::OnceLock<std::sync::Arc<latency::CountedLatency>>,
    /// Each dimension's values ranked by label, built when a table of it is first sorted.
    pub(crate) label_ranks: [std::sync::OnceLock<Vec<u32>>; 8],
    /// The parts of grouped data, one after another, each in time order: none for data whose
    /// records keep every dimension apart (a file, the demo). See [`UsageStore::part_for`].
    pub(crate) parts: Vec<Part>,
    /// Each dimension that a server listed only in part, and the value that stands for the rest
    /// of it ([`UsageStore::rest_key`]).
    pub(crate) rests: Vec<(crate::dimension::Dimension, ValueId)>,
}

/// One part of a store: the same requests as every other part, grouped by fewer dimensions (one
/// widget's answer from ClickHouse). Its records end where the next part's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub grouping: crate::dimension::Grouping,
    /// One past its last record.
    pub end: u32,
}

/// Every field of a store, for [`parts`] to take apart and put back.
pub(crate) struct RawStore {
    pub base: i64,
    pub offsets: Vec<u32>,
    pub client: Vec<ClientId>,
    pub endpoint: Vec<EndpointId>,
    pub status: Vec<u16>,
    pub module: Vec<u16>,
    pub user: Vec<ValueId>,
    pub ip: Vec<ValueId>,
    pub requests: NumberColumn,
    pub bucket: NumberColumn,
    pub bytes: Option<NumberColumn>,
    pub latency_us: Option<NumberColumn>,
    pub max_status: u16,
    pub client_ids: StringTable,
    pub client_names: StringTable,
    pub templates: StringTable,
    pub endpoints: Vec<Endpoint>,
    pub methods: StringTable,
    pub modules: StringTable,
    pub users: StringTable,
    pub ips: StringTable,
    pub total_requests: u64,
    pub unknown_client: Option<ClientId>,
    pub measures: Vec<Measure>,
    pub parts: Vec<Part>,
    pub rests: Vec<(crate::dimension::Dimension, ValueId)>,
}

impl UsageStore {
    pub(crate) fn into_raw(self) -> RawStore {
        let UsageStore {
            base,
            offsets,
            client,
            endpoint,
            status,
            module,
            user,
            ip,
            requests,
            bucket,
            bytes,
            latency_us,
            max_status,
            client_ids,
            client_names,
            templates,
            endpoints,
            methods,
            modules,
            users,
            ips,
            total_requests,
            unknown_client,
            measures,
            parts,
            rests,
            ..
        } = self;
        RawStore {
            base,
            offsets,
            client,
            endpoint,
            status,
            module,
            user,
            ip,
            requests,
            bucket,
            bytes,
            latency_us,
            max_status,
            client_ids,
            client_names,
            templates,
            endpoints,
            methods,
            modules,
            users,
            ips,
            total_requests,
            unknown_client,
            measures,
            parts,
            rests,
        }
    }

    /// A store from checked raw parts ([`parts::Assembler`] checks them).
    pub(crate) fn from_raw(raw: RawStore) -> UsageStore {
        let RawStore {
            base,
            offsets,
            client,
            endpoint,
            status,
            module,
            user,
            ip,
            requests,
            bucket,
            bytes,
            latency_us,
            max_status,
            client_ids,
            client_names,
            templates,
            endpoints,
            methods,
            modules,
            users,
            ips,
            total_requests,
            unknown_client,
            measures,
            parts,
            rests,
        } = raw;
        UsageStore {
            base,
            offsets,
            client,
            endpoint,
            status,
            module,
            user,
            ip,
            requests,
            bucket,
            bytes,
            latency_us,
            max_status,
            client_ids,
            client_names,
            templates,
            endpoints,
            methods,
            modules,
            users,
            ips,
            total_requests,
            unknown_client,
            measures,
            parts,
            rests,
            client_postings: std::sync::OnceLock::new(),
            latency_countable: false,
            counted_latency: std::sync::OnceLock::new(),
            label_ranks: Default::default(),
        }
    }

    /// Takes label ranks worked out elsewhere (the worker that built the store); one whose
    /// length is not its dimension's is left to be worked out when needed.
    pub(crate) fn with_label_ranks(self, ranks: Vec<Vec<u32>>) -> UsageStore {
        for (dimension, ranks) in crate::Dimension::ALL.into_iter().zip(ranks) {
            if ranks.len() == self.cardinality_of(dimension) {
                let _ = self.label_ranks[dimension as usize].set(ranks);
            }
        }
        self
    }

    /// Each client's records, built once (two passes over the client column) when first asked for.
    pub(crate) fn client_postings(&self) -> &Postings {
        self.client_postings.get_or_init(|| {
            let mut starts = vec![0u32; self.client_count() + 1];
            for &c in &self.client {
                starts[c as usize + 1] += 1;
            }
            for i in 1..starts.len() {
                starts[i] += starts[i - 1];
            }
            let mut next = starts.clone();
            let mut records = vec![0u32; self.client.len()];
            for (i, &c) in self.client.iter().enumerate() {
                records[next[c as usize] as usize] = i as u32;
                next[c as usize] += 1;
            }
            Postings { starts, records }
        })
    }

    /// Builds a store from readable records; the first record that cannot go in is the error.
    pub fn from_records(records: &[UsageRecord]) -> Result<UsageStore, StoreError> {
        let mut builder = StoreBuilder::new();
        for (index, record) in records.iter().enumerate() {
            builder
                .push_record(record)
                .map_err(|error| StoreError::Row { index, error })?;
        }
        Ok(builder.finish())
    }

    /// All requests in the store, whatever their time.
    pub fn total_requests(&self) -> u64 {
        self.total_requests
    }

    /// The client of records that name none ("Unknown client"): it is traffic, not a client.
    pub fn unknown_client(&self) -> Option<ClientId> {
        self.unknown_client
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Every client, indexed by [`ClientId`].
    pub fn clients(&self) -> Clients<'_> {
        Clients { store: self }
    }

    /// How many clients the store knows (with or without requests in a range).
    pub fn client_count(&self) -> usize {
        self.client_ids.len()
    }

    /// A client's stable id; empty for an id from another store.
    pub fn client_id(&self, client: ClientId) -> &str {
        self.client_ids.get(client)
    }

    /// A client's display name; empty for an id from another store.
    pub fn client_name(&self, client: ClientId) -> &str {
        self.client_names.get(client)
    }

    /// A client by id; `None` for an id from another store.
    pub fn client_info(&self, client: ClientId) -> Option<ClientRef<'_>> {
        ((client as usize) < self.client_ids.len()).then(|| ClientRef {
            id: self.client_ids.get(client),
            name: self.client_names.get(client),
        })
    }

    /// Looks a client up by its stable id string.
    pub fn client_by_id(&self, id: &str) -> Option<ClientId> {
        self.client_ids.find(id)
    }

    /// Every URL template, indexed by [`TemplateId`].
    pub fn templates(&self) -> &StringTable {
        &self.templates
    }

    /// Every method + template pair, indexed by [`EndpointId`].
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// HTTP methods, modules, users and IP addresses (id 0 is "unknown").
    pub fn methods(&self) -> &StringTable {
        &self.methods
    }
    pub fn modules(&self) -> &StringTable {
        &self.modules
    }
    pub fn users(&self) -> &StringTable {
        &self.users
    }
    pub fn ips(&self) -> &StringTable {
        &self.ips
    }

    /// Looks a template up by its text.
    pub fn template_by_name(&self, template: &str) -> Option<TemplateId> {
        self.templates.find(template)
    }

    /// Timestamp of record `i`, in Unix seconds.
    #[inline]
    pub(crate) fn timestamp(&self, i: usize) -> i64 {
        self.base + i64::from(self.offsets[i])
    }

    /// Calls `f(index, requests)` for each record in `range`, with the weight
    /// column's layout resolved once rather than per record.
    #[inline]
    pub(crate) fn for_each_weighted(&self, range: std::ops::Range<usize>, mut f: impl FnMut(usize, u64)) {
        match &self.requests {
            NumberColumn::Constant(weight) => range.for_each(|i| f(i, *weight)),
            NumberColumn::U32(weights) => range.for_each(|i| f(i, u64::from(weights[i]))),
            NumberColumn::U64(weights) => range.for_each(|i| f(i, weights[i])),
        }
    }

    /// The half-open index range of records whose timestamp lies in `[start, end)`, of the part
    /// that keeps every dimension apart (all of them, for ungrouped data).
    #[cfg(test)]
    pub(crate) fn index_range(&self, start: i64, end: i64) -> std::ops::Range<usize> {
        self.index_range_in(self.part_for(crate::dimension::Grouping::ALL), start, end)
    }

    /// The half-open index range of the records of `part` (records in time order) whose
    /// timestamp lies in `[start, end)`.
    pub(crate) fn index_range_in(&self, part: std::ops::Range<usize>, start: i64, end: i64) -> std::ops::Range<usize> {
        let to_offset = |t: i64| t.saturating_sub(self.base).clamp(0, i64::from(u32::MAX) + 1);
        let (lo, hi) = (to_offset(start), to_offset(end));
        let offsets = self.offsets.get(part.clone()).unwrap_or(&[]);
        let lo = offsets.partition_point(|&o| i64::from(o) < lo);
        let hi = offsets.partition_point(|&o| i64::from(o) < hi);
        part.start + lo..part.start + hi.max(lo)
    }

    /// The records that answer a query reading `needs` of each record: all of them for ungrouped
    /// data; of grouped data, the smallest part that keeps `needs` apart. Every part holds the
    /// same requests, so any part that keeps them apart counts the same, and the smallest reads
    /// fewest. A query no part can answer (which ClickHouse's parts, one per widget, never
    /// leave) reads the part that keeps the most apart, as a store of one grouping would.
    pub fn part_for(&self, needs: crate::dimension::Grouping) -> std::ops::Range<usize> {
        let mut start = 0usize;
        let mut best: Option<std::ops::Range<usize>> = None;
        let mut widest: Option<(u32, std::ops::Range<usize>)> = None;
        for part in &self.parts {
            let range = start..(part.end as usize).clamp(start, self.len());
            start = range.end;
            if part.grouping.covers(needs) && best.as_ref().is_none_or(|b| range.len() < b.len()) {
                best = Some(range.clone());
            }
            if widest.as_ref().is_none_or(|(n, _)| part.grouping.len() > *n) {
                widest = Some((part.grouping.len(), range));
            }
        }
        best.or(widest.map(|(_, range)| range)).unwrap_or(0..self.len())
    }

    /// The value of `dimension` that stands for every value a server did not list one by one
    /// (it listed those with most requests), if it left some out: not a value of its own, so
    /// breakdowns give it apart ([`crate::query::Breakdown::rest`]) and no text finds it.
    pub fn rest_key(&self, dimension: crate::dimension::Dimension) -> Option<u32> {
        self.rests.iter().find(|(d, _)| *d == dimension).map(|&(_, key)| key)
    }

    /// The parts of grouped data (none for ungrouped data).
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The time of the earliest record, in Unix seconds (every part spans the same buckets).
    pub fn first_timestamp(&self) -> Option<i64> {
        self.offsets
            .get(self.part_for(crate::dimension::Grouping::NONE))
            .and_then(|o| o.first())
            .map(|&o| self.base + i64::from(o))
    }

    /// The first and last instant (Unix seconds) that have records or measured amounts.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let offsets = self
            .offsets
            .get(self.part_for(crate::dimension::Grouping::NONE))
            .unwrap_or(&[]);
        let records = offsets
            .first()
            .zip(offsets.last())
            .map(|(&first, &last)| (self.base + i64::from(first), self.base + i64::from(last)));
        let measured = self
            .measures
            .iter()
            .flat_map(|m| m.points.first().zip(m.points.last()))
            .map(|(a, b)| (a.timestamp, b.timestamp));
        records
            .into_iter()
            .chain(measured)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    }

    /// The first and last UTC day that have records or measured amounts, as days since 1970-01-01.
    pub fn day_span(&self) -> Option<(i64, i64)> {
        self.day_span_in(&crate::zone::Offsets::utc())
    }

    /// The same in a zone: the local days of the first and last instant, as days since local
    /// 1970-01-01. A range over these days holds every record when counted in that zone.
    pub fn day_span_in(&self, zone: &crate::zone::Offsets) -> Option<(i64, i64)> {
        let (first, last) = self.time_span()?;
        let day = |instant: i64| crate::range::day_number(zone.local_date(instant));
        Some((day(first), day(last)))
    }

    /// The range to show this data over when it is opened, with its days counted in `zone`: all
    /// of them up to yesterday there, at most `max_days`. `None` when it has no day before today.
    pub fn covering_range(&self, zone: &crate::zone::Offsets, now: i64, max_days: u64) -> Option<crate::DateRange> {
        let (first, last) = self.day_span_in(zone)?;
        crate::DateRange::covering(first, last, zone.local_date(now), max_days)
    }

    /// The quantities the data measures besides requests (3scale's other metrics).
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// Bytes of memory the records take (columns only, not the dictionaries).
    pub fn record_bytes(&self) -> usize {
        let n = self.len();
        n * (4 + 4 + 4 + 2 + 2 + 4 + 4)
            + self.requests.heap_bytes()
            + self.bucket.heap_bytes()
            + self.bytes.as_ref().map_or(0, NumberColumn::heap_bytes)
            + self.latency_us.as_ref().map_or(0, NumberColumn::heap_bytes)
    }

    /// Bytes of memory the dictionaries take (client ids and names, templates, methods, modules,
    /// users, IPs and the endpoint pairs).
    pub fn dictionary_bytes(&self) -> usize {
        [
            &self.client_ids,
            &self.client_names,
            &self.templates,
            &self.methods,
            &self.modules,
            &self.users,
            &self.ips,
        ]
        .iter()
        .map(|t| t.heap_bytes())
        .sum::<usize>()
            + self.endpoints.len() * 8
    }

    /// Average memory per record, in bytes; 0 for an empty store.
    pub fn bytes_per_record(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.record_bytes() as f64 / self.len() as f64
        }
    }

    /// A short text that differs between two stores unless they hold the same records in the same
    /// order: for tests that compare stores built in different places (the ingest worker and an
    /// in-thread reader, say).
    ///
    /// Every field is hashed at a fixed width (not through `Hash`, which writes enum discriminants
    /// and lengths as `isize`/`usize`, 4 bytes on wasm32 and 8 natively), so the same store gives
    /// the same text in the browser and in a native test.
    pub fn fingerprint(&self) -> String {
        use std::hash::Hasher;
        let mut hash = std::collections::hash_map::DefaultHasher::new();
        let text = |hash: &mut std::collections::hash_map::DefaultHasher, value: &str| {
            hash.write_u64(value.len() as u64);
            hash.write(value.as_bytes());
        };
        let optional = |hash: &mut std::collections::hash_map::DefaultHasher, value: Option<u64>| {
            hash.write_u8(u8::from(value.is_some()));
            hash.write_u64(value.unwrap_or(0));
        };
        for record in self.records() {
            hash.write_i64(record.timestamp);
            hash.write_u8(BucketWidth::ALL.iter().position(|&w| w == record.bucket).unwrap_or(0) as u8);
            for value in [
                &record.client_id,
                &record.client_name,
                &record.method,
                &record.template,
                &record.module,
                &record.user,
                &record.ip,
            ] {
                text(&mut hash, value);
            }
            hash.write_u16(record.status);
            hash.write_u64(record.requests);
            optional(&mut hash, record.bytes);
            optional(&mut hash, record.latency_us);
        }
        for measure in &self.measures {
            for value in [&measure.system_name, &measure.name, &measure.unit] {
                text(&mut hash, value);
            }
            for point in &measure.points {
                hash.write_i64(point.timestamp);
                hash.write_u8(BucketWidth::ALL.iter().position(|&w| w == point.bucket).unwrap_or(0) as u8);
                text(&mut hash, self.client_id(point.client));
                hash.write_u64(point.amount);
            }
        }
        for part in &self.parts {
            hash.write_u8(part.grouping.bits());
            hash.write_u32(part.end);
        }
        format!(
            "{} records, {} requests, {:016x}",
            self.len(),
            self.total_requests,
            hash.finish()
        )
    }

    /// Every record in its readable form, in time order (each part's in turn, for grouped data):
    /// for exports and tests.
    pub fn records(&self) -> impl Iterator<Item = UsageRecord> + '_ {
        (0..self.len()).map(move |i| self.record(i))
    }

    /// The records whose timestamp lies in `[start, end)` (Unix seconds), in time order (of
    /// grouped data, the part that keeps the most apart).
    pub fn records_between(&self, start: i64, end: i64) -> impl Iterator<Item = UsageRecord> + '_ {
        self.index_range_in(self.part_for(crate::dimension::Grouping::ALL), start, end)
            .map(move |i| self.record(i))
    }

    /// Record `i`, as a plain record.
    pub(crate) fn record(&self, i: usize) -> UsageRecord {
        let endpoint = &self.endpoints[self.endpoint[i] as usize];
        UsageRecord {
            timestamp: self.timestamp(i),
            bucket: BucketWidth::ALL[self.bucket.get(i) as usize % BucketWidth::ALL.len()],
            client_id: self.client_id(self.client[i]).to_owned(),
            client_name: self.client_name(self.client[i]).to_owned(),
            method: self.methods.get(endpoint.method).to_owned(),
            template: self.templates.get(endpoint.template).to_owned(),
            status: self.status[i],
            requests: self.requests.get(i),
            module: self.modules.get(ValueId::from(self.module[i])).to_owned(),
            user: self.users.get(self.user[i]).to_owned(),
            ip: self.ips.get(self.ip[i]).to_owned(),
            bytes: self.bytes.as_ref().map(|c| c.get(i)),
            latency_us: self.latency_us.as_ref().map(|c| c.get(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(timestamp: i64, client: &str, requests: u64) -> UsageRecord {
        UsageRecord {
            timestamp,
            client_id: client.into(),
            method: "GET".into(),
            template: "/a".into(),
            status: 200,
            requests,
            ..UsageRecord::default()
        }
    }

    // Guards that unsorted input comes out in time order with every column permuted alike.
    #[test]
    fn sorts_records_by_time_keeping_columns_together() {
        let store = UsageStore::from_records(&[record(300, "c", 3), record(100, "a", 1), record(200, "b", 2)])
            .expect("small span");
        let got: Vec<(i64, String, u64)> = store
            .records()
            .map(|r| (r.timestamp, r.client_id, r.requests))
            .collect();
        assert_eq!(
            got,
            vec![(100, "a".into(), 1), (200, "b".into(), 2), (300, "c".into(), 3)]
        );
    }

    // Guards the half-open bounds of the binary search, including bounds outside the data.
    #[test]
    fn index_range_is_half_open() {
        let store = UsageStore::from_records(&[
            record(100, "a", 1),
            record(200, "a", 1),
            record(200, "a", 1),
            record(300, "a", 1),
        ])
        .expect("small span");
        assert_eq!(store.index_range(200, 300), 1..3);
        assert_eq!(store.index_range(0, 1_000), 0..4);
        assert_eq!(store.index_range(301, 1_000), 4..4);
        assert_eq!(store.index_range(-50, 100), 0..0);
        assert_eq!(store.index_range(300, 200), 3..3);
    }

    // Guards that a count too big for 32 bits is kept whole, not truncated.
    #[test]
    fn huge_counts_are_kept_whole() {
        let store =
            UsageStore::from_records(&[record(0, "a", 10_000_000_000), record(1, "a", 1)]).expect("two records");
        let counts: Vec<u64> = store.records().map(|r| r.requests).collect();
        assert_eq!(counts, [10_000_000_000, 1]);
        assert!(matches!(store.requests, NumberColumn::U64(_)));
    }

    // Guards the memory budget: a per-request record with every dimension and measure takes 32 bytes,
    // because the constant weight and bucket columns take none.
    #[test]
    fn per_request_records_take_32_bytes() {
        let records: Vec<UsageRecord> = (0..1000)
            .map(|i| UsageRecord {
                user: format!("u{}", i % 7),
                ip: format!("192.0.2.{}", i % 200),
                module: "m".into(),
                bytes: Some(i * 10),
                latency_us: Some(i * 1000),
                ..record(i as i64, "a", 1)
            })
            .collect();
        let store = UsageStore::from_records(&records).expect("store");
        assert_eq!(store.bytes_per_record(), 32.0);
        let weighted = UsageStore::from_records(&[record(0, "a", 1), record(1, "a", 2)]).expect("store");
        assert_eq!(
            weighted.bytes_per_record(),
            24.0 + 4.0,
            "a varying weight costs 4 bytes; no bytes or latency columns"
        );
    }

    // Guards that every field survives the columnar round trip, including the optional measures.
    #[test]
    fn records_round_trip() {
        let records = vec![
            UsageRecord {
                bucket: BucketWidth::Day,
                client_name: "Alpha".into(),
                module: "users".into(),
                user: "ann".into(),
                ip: "2001:db8::1".into(),
                bytes: Some(5_000_000_000),
                latency_us: Some(1_500),
                ..record(86_400, "a", 7)
            },
            UsageRecord {
                bucket: BucketWidth::Request,
                bytes: None,
                latency_us: Some(9),
                ..record(90_000, "b", 1)
            },
        ];
        let store = UsageStore::from_records(&records).expect("store");
        let mut expected = records.clone();
        expected[1].bytes = Some(0); // a store with a bytes column reports 0 where a record had none
        expected[1].client_name = "b".into(); // no display name: the id stands in
        assert_eq!(store.records().collect::<Vec<_>>(), expected);
    }

    // Guards that a missing display name falls back to the id and a later real name replaces it.
    #[test]
    fn client_names_fall_back_to_id() {
        let mut builder = StoreBuilder::new();
        let a = builder.client("app-1", "");
        assert_eq!(builder.client("app-1", "Billing"), a);
        let store = builder.finish();
        assert_eq!(store.client_name(a), "Billing");
    }

    // Guards against silently wrapping timestamps that do not fit the u32 offsets: such a record
    // is refused on its own, with its time in words, and the others stay.
    #[test]
    fn refuses_times_outside_the_window_one_by_one() {
        let mut builder = StoreBuilder::new();
        let c = builder.client("a", "");
        let e = builder.endpoint("GET", "/a");
        assert_eq!(builder.push(1_700_000_000, BucketWidth::Request, c, e, 200, 1), Ok(()));
        let late = builder
            .push(253_402_300_799, BucketWidth::Request, c, e, 200, 1)
            .unwrap_err();
        assert_eq!(
            late.to_string(),
            "the time 9999-12-31 23:59:59 UTC is outside what Callboard can hold (1970-01-01 to 2106-02-07 UTC)"
        );
        let early = builder.push(-1, BucketWidth::Request, c, e, 200, 1).unwrap_err();
        assert!(
            early
                .to_string()
                .starts_with("the time 1969-12-31 23:59:59 UTC is outside"),
            "{early}"
        );
        assert_eq!(builder.push(LAST_TIMESTAMP, BucketWidth::Request, c, e, 200, 1), Ok(()));
        let store = builder.finish();
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.records().map(|r| r.timestamp).collect::<Vec<_>>(),
            [1_700_000_000, LAST_TIMESTAMP]
        );
    }

    // Guards the overflow rule: a count that would take the total past u64::MAX is refused,
    // the total stays exact, and a multi-record row goes in whole or not at all.
    #[test]
    fn refuses_counts_that_would_overflow_the_total() {
        let mut builder = StoreBuilder::new();
        let c = builder.client("a", "");
        let e = builder.endpoint("GET", "/a");
        let row = |status, requests| Row {
            timestamp: 100,
            client: c,
            endpoint: e,
            status,
            requests,
            ..Row::default()
        };
        assert_eq!(builder.push_row(row(200, 1 << 63)), Ok(()));
        assert_eq!(
            builder.push_row(row(500, 1 << 63)),
            Err(RowError::CountOverflow(1 << 63))
        );
        assert_eq!(
            builder.push_rows(&[row(200, 5), row(500, u64::MAX - (1 << 63))]),
            Err(RowError::CountOverflow(u64::MAX - (1 << 63)))
        );
        assert_eq!(builder.push_rows(&[row(200, 5), row(500, 7)]), Ok(()));
        let store = builder.finish();
        assert_eq!(store.total_requests(), (1 << 63) + 12);
        assert_eq!(store.len(), 3, "the refused row left nothing behind");
    }

    // Guards measures: kept apart from requests, each within u64 in all, a set of amounts in
    // whole or not at all, and one unit per measure.
    #[test]
    fn measures_stay_apart_and_countable() {
        let mut builder = StoreBuilder::new();
        let c = builder.client("a", "");
        let point = |timestamp, amount| MeasurePoint {
            timestamp,
            bucket: BucketWidth::Day,
            client: c,
            amount,
        };
        assert_eq!(
            builder.push_measure("data_transfer", "Data transfer", "MB", &[point(86_400, 1 << 63)]),
            Ok(())
        );
        assert_eq!(
            builder.push_measure("data_transfer", "", "MB", &[point(0, 5), point(172_800, 1 << 63)]),
            Err(RowError::CountOverflow(1 << 63))
        );
        assert!(matches!(
            builder.push_measure("data_transfer", "", "GB", &[point(0, 5)]),
            Err(RowError::MeasureUnit { .. })
        ));
        assert_eq!(builder.push_measure("data_transfer", "", "MB", &[point(0, 5)]), Ok(()));
        assert_eq!(
            builder.push_measure("cpu", "CPU", "hours", &[point(259_200, 2)]),
            Ok(())
        );
        let store = builder.finish();
        assert_eq!((store.len(), store.total_requests()), (0, 0), "no requests");
        let amounts: Vec<(i64, u64)> = store.measures()[0]
            .points
            .iter()
            .map(|p| (p.timestamp, p.amount))
            .collect();
        assert_eq!(
            amounts,
            [(0, 5), (86_400, 1 << 63)],
            "in time order, and the refused set left nothing behind"
        );
        assert_eq!(store.day_span(), Some((0, 3)), "measured days count as the data's days");
        assert_eq!(store.measures()[1].label(), "CPU (hours)");
    }
}
