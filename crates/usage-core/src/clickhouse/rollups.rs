//! The hourly and 10-minute rollups: which table answers a query, and the SQL that makes them.

use super::*;

/// The optional rollups of a table `usage`, coarsest first: `usage_1h` (hours) and `usage_10m`
/// (10 minutes), each a name suffix and its buckets' width in seconds.
pub const ROLLUPS: [(&str, i64); 2] = [("_1h", 3_600), ("_10m", 600)];

/// The table that answers a query: the coarsest rollup that can ([`Table::can_answer`]), else
/// the raw table. The dashboard names the one that answered.
pub fn answering<'a>(
    raw: &'a Table,
    rollups: &'a [Table],
    window: Window,
    granularity: Granularity,
    dimensions: &[Dimension],
    filters: &[Filter],
    offsets: &Offsets,
) -> &'a Table {
    let mut fitting: Vec<&Table> = rollups
        .iter()
        .filter(|r| r.can_answer(window, granularity, dimensions, filters, offsets))
        .collect();
    fitting.sort_by_key(|r| std::cmp::Reverse(r.rollup_width()));
    fitting.first().copied().unwrap_or(raw)
}

/// An optional rollup of `database.raw`, named `rollup`, with buckets `width` seconds wide (600
/// or 3600, named as [`ROLLUPS`] says): a SummingMergeTree of requests and bytes per UTC bucket,
/// client, method, template, status and module, and the materialized view that fills it from
/// every insert into the raw table. Queries still `sum()`: parts are summed when they merge,
/// which is eventual.
pub fn rollup_sql(database: &Name, raw: &Name, rollup: &Name, width: i64) -> [String; 2] {
    let (db, raw_sql, rollup_sql) = (database.sql(), raw.sql(), rollup.sql());
    let view = Name(format!("{}_mv", rollup.0));
    [
        format!(
            "CREATE TABLE {db}.{rollup_sql} (bucket DateTime, client_id String, client_name String, method String, template String, status UInt16, module String, requests UInt64, bytes UInt64) \
             ENGINE = SummingMergeTree PARTITION BY toYYYYMM(bucket) ORDER BY (bucket, client_id, template, method, status, module, client_name)"
        ),
        format!(
            "CREATE MATERIALIZED VIEW {db}.{} TO {db}.{rollup_sql} AS SELECT toDateTime(intDiv(toUInt32(timestamp), {width}) * {width}) AS bucket, client_id, client_name, method, template, status, module, \
             sum(requests) AS requests, sum(bytes) AS bytes FROM {db}.{raw_sql} GROUP BY bucket, client_id, client_name, method, template, status, module",
            view.sql()
        ),
    ]
}
