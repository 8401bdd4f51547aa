//! A store taken apart into plain columns and put back together, checked.
//!
//! A Web Worker builds the store (parsing is the slow part) and hands the page its columns as
//! transferable typed arrays; the page puts them back together one column at a time, yielding
//! between columns so that no task runs long. Every column is checked as it arrives (lengths,
//! ids within their dictionaries, times in order, the request total), so a broken hand-over is
//! an error with a name, never a store that panics later.

use thiserror::Error;

use crate::store::{Endpoint, NumberColumn, UsageStore};
use crate::strings::{StringTable, TableError};

/// Everything of a store but its per-record columns: sizes, totals and dictionaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreHeader {
    /// Number of records.
    pub len: usize,
    /// Unix seconds the time offsets count from.
    pub base: i64,
    pub max_status: u16,
    pub total_requests: u64,
    pub unknown_client: Option<u32>,
    pub client_ids: StringTable,
    pub client_names: StringTable,
    pub templates: StringTable,
    pub methods: StringTable,
    pub modules: StringTable,
    pub users: StringTable,
    pub ips: StringTable,
    /// Each endpoint's method and template ids.
    pub endpoint_methods: Vec<u32>,
    pub endpoint_templates: Vec<u32>,
    /// Each dimension's values ranked by label (see [`crate::Dimension`]'s order), worked out
    /// where the store was built so that the page never sorts 100k labels; empty for one the
    /// page works out itself when first needed.
    pub label_ranks: Vec<Vec<u32>>,
    /// Quantities besides requests (few points: one per bucket and client of a 3scale metric).
    pub measures: Vec<crate::store::Measure>,
    /// The parts of grouped data, each a grouping and where its records end (none for data
    /// that keeps every dimension apart).
    pub parts: Vec<crate::store::Part>,
    /// Each dimension a server listed only in part, and the value that stands for its rest.
    pub rests: Vec<(crate::Dimension, u32)>,
}

/// One per-record column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Offsets(Vec<u32>),
    Client(Vec<u32>),
    Endpoint(Vec<u32>),
    Status(Vec<u16>),
    Module(Vec<u16>),
    User(Vec<u32>),
    Ip(Vec<u32>),
    Requests(NumberColumn),
    Bucket(NumberColumn),
    Bytes(Option<NumberColumn>),
    Latency(Option<NumberColumn>),
}

impl Column {
    /// Every column's name, in the order a store gives them.
    pub const NAMES: [&'static str; 11] = [
        "offsets", "client", "endpoint", "status", "module", "user", "ip", "requests", "bucket", "bytes", "latency",
    ];

    pub fn name(&self) -> &'static str {
        Column::NAMES[self.index()]
    }

    fn index(&self) -> usize {
        match self {
            Column::Offsets(_) => 0,
            Column::Client(_) => 1,
            Column::Endpoint(_) => 2,
            Column::Status(_) => 3,
            Column::Module(_) => 4,
            Column::User(_) => 5,
            Column::Ip(_) => 6,
            Column::Requests(_) => 7,
            Column::Bucket(_) => 8,
            Column::Bytes(_) => 9,
            Column::Latency(_) => 10,
        }
    }
}

/// Why parts do not make a store.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum PartsError {
    #[error("the {0} table is broken: {1}")]
    Table(&'static str, TableError),
    #[error("the {0} column has {1} values for {2} records")]
    Length(&'static str, usize, usize),
    #[error("the {0} column refers to an entry its dictionary does not have")]
    OutOfRange(&'static str),
    #[error("the times are not in order")]
    Unordered,
    #[error("the {0} column disagrees with the store's header")]
    Disagrees(&'static str),
    #[error("the {0} column came twice")]
    Twice(&'static str),
    #[error("the {0} column is missing")]
    Missing(&'static str),
}

impl UsageStore {
    /// Takes the store apart: its header and its columns, in [`Column::NAMES`] order.
    pub fn into_parts(self) -> (StoreHeader, Vec<Column>) {
        let label_ranks = crate::Dimension::ALL
            .iter()
            .map(|&d| self.ranks_of(d).to_vec())
            .collect();
        let parts = self.into_raw();
        let header = StoreHeader {
            len: parts.offsets.len(),
            base: parts.base,
            max_status: parts.max_status,
            total_requests: parts.total_requests,
            unknown_client: parts.unknown_client,
            endpoint_methods: parts.endpoints.iter().map(|e| e.method).collect(),
            endpoint_templates: parts.endpoints.iter().map(|e| e.template).collect(),
            label_ranks,
            measures: parts.measures,
            parts: parts.parts,
            rests: parts.rests,
            client_ids: parts.client_ids,
            client_names: parts.client_names,
            templates: parts.templates,
            methods: parts.methods,
            modules: parts.modules,
            users: parts.users,
            ips: parts.ips,
        };
        let columns = vec![
            Column::Offsets(parts.offsets),
            Column::Client(parts.client),
            Column::Endpoint(parts.endpoint),
            Column::Status(parts.status),
            Column::Module(parts.module),
            Column::User(parts.user),
            Column::Ip(parts.ip),
            Column::Requests(parts.requests),
            Column::Bucket(parts.bucket),
            Column::Bytes(parts.bytes),
            Column::Latency(parts.latency_us),
        ];
        (header, columns)
    }
}

/// Puts a store back together from its header and columns, checking each column as it comes.
pub struct Assembler {
    header: StoreHeader,
    columns: [Option<Column>; 11],
}

impl Assembler {
    /// Starts from a header, checked: names for every client, endpoints within their tables.
    pub fn new(header: StoreHeader) -> Result<Assembler, PartsError> {
        if header.client_names.len() != header.client_ids.len() {
            return Err(PartsError::Length(
                "client names",
                header.client_names.len(),
                header.client_ids.len(),
            ));
        }
        if header.endpoint_methods.len() != header.endpoint_templates.len() {
            return Err(PartsError::Length(
                "endpoint templates",
                header.endpoint_templates.len(),
                header.endpoint_methods.len(),
            ));
        }
        if header
            .endpoint_methods
            .iter()
            .any(|&m| m as usize >= header.methods.len())
            || header
                .endpoint_templates
                .iter()
                .any(|&t| t as usize >= header.templates.len())
        {
            return Err(PartsError::OutOfRange("endpoint"));
        }
        if header
            .unknown_client
            .is_some_and(|c| c as usize >= header.client_ids.len())
        {
            return Err(PartsError::OutOfRange("unknown client"));
        }
        let mut totals = header
            .measures
            .iter()
            .map(|m| m.points.iter().try_fold(0u64, |sum, p| sum.checked_add(p.amount)));
        if header
            .measures
            .iter()
            .flat_map(|m| &m.points)
            .any(|p| p.client as usize >= header.client_ids.len())
            || totals.any(|t| t.is_none())
        {
            return Err(PartsError::OutOfRange("measure"));
        }
        // Parts, where given, end in order and the last where the records do.
        if header.parts.windows(2).any(|w| w[0].end > w[1].end)
            || header.parts.last().is_some_and(|p| p.end as usize != header.len)
        {
            return Err(PartsError::Disagrees("parts"));
        }
        // A rest is a value of an IP or user, once each.
        let values = |d: crate::Dimension| match d {
            crate::Dimension::Ip => Some(header.ips.len()),
            crate::Dimension::User => Some(header.users.len()),
            _ => None,
        };
        let twice = header
            .rests
            .iter()
            .enumerate()
            .any(|(i, (d, _))| header.rests[..i].iter().any(|(e, _)| e == d));
        if twice
            || header
                .rests
                .iter()
                .any(|&(d, key)| values(d).is_none_or(|n| key as usize >= n))
        {
            return Err(PartsError::OutOfRange("rest"));
        }
        // Ranks, where given, are a permutation of each dimension's ids.
        if header.label_ranks.len() > crate::Dimension::ALL.len() {
            return Err(PartsError::Disagrees("label ranks"));
        }
        for ranks in &header.label_ranks {
            let mut seen = vec![false; ranks.len()];
            for &r in ranks {
                match seen.get_mut(r as usize) {
                    Some(slot) if !*slot => *slot = true,
                    _ => return Err(PartsError::OutOfRange("label ranks")),
                }
            }
        }
        Ok(Assembler {
            header,
            columns: Default::default(),
        })
    }

    /// Adds one column after checking it against the header.
    pub fn add(&mut self, column: Column) -> Result<(), PartsError> {
        let (name, len, h) = (column.name(), self.header.len, &self.header);
        let ids = |values: &[u32], limit: usize| -> Result<(), PartsError> {
            if values.len() != len {
                return Err(PartsError::Length(name, values.len(), len));
            }
            if values.iter().any(|&v| v as usize >= limit) {
                return Err(PartsError::OutOfRange(name));
            }
            Ok(())
        };
        let numbers = |values: &NumberColumn| match values.stored_len() {
            Some(n) if n != len => Err(PartsError::Length(name, n, len)),
            _ => Ok(()),
        };
        match &column {
            Column::Offsets(offsets) => {
                if offsets.len() != len {
                    return Err(PartsError::Length(name, offsets.len(), len));
                }
                // In time order: all of them, or each part's.
                let mut start = 0usize;
                let ends: Vec<usize> = if h.parts.is_empty() {
                    vec![len]
                } else {
                    h.parts.iter().map(|p| p.end as usize).collect()
                };
                for end in ends {
                    if offsets
                        .get(start..end)
                        .is_none_or(|part| part.windows(2).any(|w| w[0] > w[1]))
                    {
                        return Err(PartsError::Unordered);
                    }
                    start = end;
                }
            }
            Column::Client(values) => ids(values, h.client_ids.len())?,
            Column::Endpoint(values) => ids(values, h.endpoint_methods.len())?,
            Column::User(values) => ids(values, h.users.len())?,
            Column::Ip(values) => ids(values, h.ips.len())?,
            Column::Status(values) => {
                if values.len() != len {
                    return Err(PartsError::Length(name, values.len(), len));
                }
                if values.iter().copied().max().unwrap_or(0) != h.max_status {
                    return Err(PartsError::Disagrees(name));
                }
            }
            Column::Module(values) => {
                if values.len() != len {
                    return Err(PartsError::Length(name, values.len(), len));
                }
                if values.iter().any(|&m| usize::from(m) >= h.modules.len().max(1)) {
                    return Err(PartsError::OutOfRange(name));
                }
            }
            Column::Requests(values) => {
                numbers(values)?;
                // The total the store promises never to overflow must be the real total.
                let sum: u128 = (0..len).map(|i| u128::from(values.get(i))).sum();
                if sum != u128::from(h.total_requests) {
                    return Err(PartsError::Disagrees(name));
                }
            }
            Column::Bucket(values) => {
                numbers(values)?;
                if (0..len).any(|i| values.get(i) >= 4) {
                    return Err(PartsError::OutOfRange(name));
                }
            }
            Column::Bytes(values) | Column::Latency(values) => {
                if let Some(values) = values {
                    numbers(values)?;
                }
            }
        }
        let slot = &mut self.columns[column.index()];
        if slot.is_some() {
            return Err(PartsError::Twice(name));
        }
        *slot = Some(column);
        Ok(())
    }

    /// The store, once every column has come.
    pub fn finish(self) -> Result<UsageStore, PartsError> {
        let mut columns = self.columns.into_iter();
        let mut next = |name: &'static str| columns.next().flatten().ok_or(PartsError::Missing(name));
        let (
            Column::Offsets(offsets),
            Column::Client(client),
            Column::Endpoint(endpoint),
            Column::Status(status),
            Column::Module(module),
            Column::User(user),
            Column::Ip(ip),
            Column::Requests(requests),
            Column::Bucket(bucket),
            Column::Bytes(bytes),
            Column::Latency(latency_us),
        ) = (
            next("offsets")?,
            next("client")?,
            next("endpoint")?,
            next("status")?,
            next("module")?,
            next("user")?,
            next("ip")?,
            next("requests")?,
            next("bucket")?,
            next("bytes")?,
            next("latency")?,
        )
        else {
            return Err(PartsError::Missing("a column"));
        };
        let h = self.header;
        let label_ranks = h.label_ranks;
        let endpoints = h
            .endpoint_methods
            .iter()
            .zip(&h.endpoint_templates)
            .map(|(&method, &template)| Endpoint { method, template })
            .collect();
        Ok(UsageStore::from_raw(crate::store::RawStore {
            base: h.base,
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
            max_status: h.max_status,
            client_ids: h.client_ids,
            client_names: h.client_names,
            templates: h.templates,
            endpoints,
            methods: h.methods,
            modules: h.modules,
            users: h.users,
            ips: h.ips,
            total_requests: h.total_requests,
            unknown_client: h.unknown_client,
            measures: h.measures,
            parts: h.parts,
            rests: h.rests,
        })
        .with_label_ranks(label_ranks))
    }
}

/// Checks two parts of a string table as they arrive, naming the table.
pub fn table(name: &'static str, text: Vec<u8>, ends: Vec<u32>) -> Result<StringTable, PartsError> {
    StringTable::from_parts(text, ends).map_err(|e| PartsError::Table(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketWidth, UsageRecord};

    fn sample() -> UsageStore {
        let records: Vec<UsageRecord> = (0..50)
            .map(|i| UsageRecord {
                timestamp: 1_795_356_192 + (i * 7919 % 50) * 60,
                bucket: if i % 5 == 0 {
                    BucketWidth::Hour
                } else {
                    BucketWidth::Request
                },
                client_id: format!("c{}", i % 7),
                client_name: if i % 7 == 3 {
                    String::new()
                } else {
                    format!("Client Ü{}", i % 7)
                },
                method: ["GET", "POST"][i as usize % 2].into(),
                template: format!("/t/{}", i % 4),
                status: [200, 404, 429, 503][i as usize % 4],
                requests: 1 + (i as u64 % 3) * 1_000_000_000_000,
                module: ["", "users"][i as usize % 2].into(),
                user: format!("u{}", i % 3),
                ip: format!("192.0.2.{}", i % 11),
                bytes: Some(i as u64 * 10),
                latency_us: (i % 2 == 0).then_some(i as u64 * 1_000),
            })
            .collect();
        let mut builder = crate::StoreBuilder::new();
        for record in &records {
            builder.push_record(record).unwrap();
        }
        let client = builder.client("c3", "");
        let point = |amount| crate::store::MeasurePoint {
            timestamp: 1_795_356_192,
            bucket: BucketWidth::Day,
            client,
            amount,
        };
        builder
            .push_measure(
                "data_transfer",
                "Data transfer",
                "MB",
                &[point(12), point(u64::MAX - 12)],
            )
            .unwrap();
        builder.finish()
    }

    // Guards the hand-over from the worker: taken apart and put back together, a store holds the
    // very same records, totals and dictionaries, whatever order the columns arrive in.
    #[test]
    fn parts_round_trip() {
        let store = sample();
        let expected: Vec<UsageRecord> = store.records().collect();
        let total = store.total_requests();
        let (header, mut columns) = store.into_parts();
        columns.reverse();
        let mut assembler = Assembler::new(header).unwrap();
        for column in columns {
            assembler.add(column).unwrap();
        }
        let again = assembler.finish().unwrap();
        assert_eq!(again.records().collect::<Vec<_>>(), expected);
        assert_eq!(again.total_requests(), total);
        assert_eq!(again.client_count(), 7);
        assert_eq!(again.measures(), fresh_measures().as_slice(), "measures travel");
        // The label ranks came along, and are what the store would have worked out itself.
        let fresh = sample();
        for dimension in crate::Dimension::ALL {
            assert!(
                again.label_ranks[dimension as usize].get().is_some(),
                "{dimension:?} ranks travel"
            );
            assert_eq!(again.ranks_of(dimension), fresh.ranks_of(dimension), "{dimension:?}");
        }
    }

    fn fresh_measures() -> Vec<crate::store::Measure> {
        sample().measures().to_vec()
    }

    // Guards that a broken hand-over is refused with the column named, never trusted.
    #[test]
    fn broken_parts_are_refused() {
        let (header, columns) = sample().into_parts();
        let check = |column: Column| {
            let mut assembler = Assembler::new(header.clone()).unwrap();
            assembler.add(column).map(|_| ())
        };
        assert_eq!(
            check(Column::Client(vec![0; 49])),
            Err(PartsError::Length("client", 49, 50))
        );
        assert_eq!(
            check(Column::Client(vec![99; 50])),
            Err(PartsError::OutOfRange("client"))
        );
        assert_eq!(
            check(Column::Offsets((0..50).rev().collect())),
            Err(PartsError::Unordered)
        );
        assert_eq!(
            check(Column::Requests(NumberColumn::Constant(1))),
            Err(PartsError::Disagrees("requests"))
        );
        assert_eq!(
            check(Column::Status(vec![200; 50])),
            Err(PartsError::Disagrees("status"))
        );
        let mut broken = header.clone();
        broken.endpoint_templates[0] = 999;
        assert_eq!(Assembler::new(broken).err(), Some(PartsError::OutOfRange("endpoint")));
        let mut broken = header.clone();
        broken.label_ranks[0][1] = broken.label_ranks[0][0];
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("label ranks")),
            "ranks must be a permutation"
        );
        let mut broken = header.clone();
        broken.rests = vec![(crate::Dimension::Ip, broken.ips.len() as u32)];
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("rest")),
            "a rest must be a value"
        );
        let mut broken = header.clone();
        broken.rests = vec![(crate::Dimension::Client, 0)];
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("rest")),
            "clients are listed whole"
        );
        let mut broken = header.clone();
        broken.rests = vec![(crate::Dimension::User, 0), (crate::Dimension::User, 1)];
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("rest")),
            "one rest a dimension"
        );
        let mut broken = header.clone();
        broken.measures[0].points[0].client = 99;
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("measure")),
            "a measure's client must exist"
        );
        let mut broken = header.clone();
        broken.measures[0].points[0].amount += 1;
        assert_eq!(
            Assembler::new(broken).err(),
            Some(PartsError::OutOfRange("measure")),
            "a measure's total must fit"
        );
        let mut assembler = Assembler::new(header).unwrap();
        for column in columns.into_iter().take(10) {
            assembler.add(column).unwrap();
        }
        assert_eq!(assembler.finish().err(), Some(PartsError::Missing("latency")));
        assert_eq!(
            table("client ids", vec![0xff], vec![1]).err(),
            Some(PartsError::Table("client ids", TableError::NotUtf8))
        );
    }
}
