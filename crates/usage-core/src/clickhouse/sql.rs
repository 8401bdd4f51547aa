//! The SQL of every query the dashboard sends: usage per widget grouping, totals, breakdowns,
//! series and latencies, each from the same typed view and filters the in-browser engine reads.

use super::*;

/// The column a dimension reads.
pub(super) fn column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Client => "client_id",
        Dimension::Template => "template",
        Dimension::Method => "method",
        Dimension::Status | Dimension::Class => "status",
        Dimension::Module => "module",
        Dimension::Ip => "ip",
        Dimension::User => "user",
    }
}

/// The first instant, in Unix seconds, of the bucket of `granularity` on `zone`'s clock that the
/// time column `t` falls in. A 10-minute bucket is the hour's start plus whole 10 minutes, as
/// 18.16 has no `toStartOfInterval`; on the zone's clock, so that +05:45's days split no bucket.
pub(super) fn bucket(t: &str, granularity: Granularity, zone: &str) -> String {
    let tz = quote(zone);
    match granularity {
        Granularity::TenMinutes => {
            format!("toUInt32(toStartOfHour({t}, {tz})) + intDiv(toMinute({t}, {tz}), 10) * 600")
        }
        Granularity::Hour => format!("toUInt32(toStartOfHour({t}, {tz}))"),
        Granularity::Day => format!("toUInt32(toStartOfDay({t}, {tz}))"),
        Granularity::Week => format!("toUInt32(toDateTime(toMonday({t}, {tz}), {tz}))"),
        Granularity::Month => format!("toUInt32(toDateTime(toStartOfMonth({t}, {tz}), {tz}))"),
    }
}

/// A request's latency in whole microseconds, as the in-browser engine keeps it.
pub(super) const LATENCY_US: &str = "toUInt64(round(latency_ms * 1000))";

/// The levels that make `quantilesExact` give the engine's nearest rank for p50, p95 and p99.
/// `quantileExact` takes the value at 0-based index ⌊level·n⌋ of the sorted values (18.16 and
/// current releases); the engine takes ⌈p·n⌉ − 1. With level = p − 10⁻¹⁴ they agree for every n
/// below 10¹¹: p·n is a whole number of hundredths, 10⁻¹⁴·n stays under a hundredth, and above
/// the product's rounding error. (Checked on 18.16 for every n up to 4,000 and for n up to 10⁸.)
/// It sorts a group's latencies in place, five times faster at 100M rows than
/// `quantilesExactWeighted`'s map of distinct values, which gives the same ranks.
pub(super) const NEAREST_RANK: &str = "0.49999999999999, 0.94999999999999, 0.98999999999999";
pub(super) const P95_NEAREST_RANK: &str = "0.94999999999999";

/// A dimension's value as text, as the dashboard names it (a row's `data-key`): a status class
/// by its name, a status code by its digits.
pub(super) fn key_sql(dimension: Dimension) -> String {
    match dimension {
        Dimension::Class => {
            let arms: Vec<String> = StatusClass::ALL[..5]
                .iter()
                .map(|&c| format!("{}, {}", class_condition(c), quote(c.as_str())))
                .collect();
            format!("multiIf({}, {})", arms.join(", "), quote(StatusClass::Other.as_str()))
        }
        Dimension::Status => "toString(status)".to_owned(),
        _ => column(dimension).to_owned(),
    }
}

/// The condition for one status class, as the core counts it (429 is not a 4xx).
pub(super) fn class_condition(class: StatusClass) -> &'static str {
    match class {
        StatusClass::Success => "status >= 200 AND status < 300",
        StatusClass::Redirect => "status >= 300 AND status < 400",
        StatusClass::ClientError => "status >= 400 AND status < 500 AND status != 429",
        StatusClass::RateLimited => "status = 429",
        StatusClass::ServerError => "status >= 500 AND status < 600",
        StatusClass::Other => "(status < 200 OR status >= 600)",
    }
}

impl Table {
    /// The table from its `DESCRIBE TABLE … FORMAT JSONCompact` answer: it must have a timestamp
    /// and requests; the other columns decide which dimensions are offered.
    pub fn from_describe(database: Name, table: Name, answer: &[u8]) -> Result<Table, AnswerError> {
        let document: Value = serde_json::from_slice(answer).map_err(|e| AnswerError::NotJson {
            what: "DESCRIBE TABLE",
            reason: e.to_string(),
        })?;
        let columns: Vec<String> = document
            .get("data")
            .and_then(Value::as_array)
            .ok_or(AnswerError::NoData { what: "DESCRIBE TABLE" })?
            .iter()
            .filter_map(|row| row.get(0)?.as_str().map(str::to_owned))
            .collect();
        let has = |name: &str| columns.iter().any(|c| c == name);
        if !has("timestamp") && !has("bucket") {
            return Err(AnswerError::NoTime);
        }
        for needed in ["requests", "status"] {
            if !has(needed) {
                return Err(AnswerError::NoColumn(needed));
            }
        }
        Ok(Table {
            database,
            table,
            columns,
        })
    }

    /// Whether the table has the column `dimension` reads.
    pub fn offers(&self, dimension: Dimension) -> bool {
        self.columns.iter().any(|c| c == column(dimension))
    }

    /// The time column: `timestamp` in the raw table, `bucket` in a rollup.
    fn time(&self) -> &'static str {
        if self.columns.iter().any(|c| c == "timestamp") {
            "timestamp"
        } else {
            "bucket"
        }
    }

    /// Whether this is a rollup rather than the raw table.
    pub fn is_rollup(&self) -> bool {
        self.time() == "bucket"
    }

    /// The width of a rollup's buckets in seconds, from its name's suffix ([`ROLLUPS`]); 0 for
    /// the raw table.
    pub fn rollup_width(&self) -> i64 {
        if !self.is_rollup() {
            return 0;
        }
        ROLLUPS
            .iter()
            .find(|(suffix, _)| self.table.as_str().ends_with(suffix))
            .map_or(600, |&(_, width)| width)
    }

    /// Whether this table can answer a query over `window` in buckets of `granularity`, by
    /// `dimensions`, through `filters`, in a zone with `offsets`: the raw table always can; a
    /// rollup only when its buckets are no wider than the query's, the window's ends and every
    /// bucket of the zone fall on its buckets' edges (a zone whose offsets are whole multiples of
    /// its width: not Asia/Kathmandu's +05:45 for 10 minutes, nor India's +05:30 for hours) and it
    /// has every column asked for (it keeps no IPs or users).
    pub fn can_answer(
        &self,
        window: Window,
        granularity: Granularity,
        dimensions: &[Dimension],
        filters: &[Filter],
        offsets: &Offsets,
    ) -> bool {
        let width = self.rollup_width();
        if width == 0 {
            return true;
        }
        let query_width = match granularity {
            Granularity::TenMinutes => 600,
            Granularity::Hour => 3_600,
            _ => 86_400,
        };
        width <= query_width
            && window.start % width == 0
            && window.end % width == 0
            && offsets
                .changes()
                .iter()
                .all(|&(_, offset)| i64::from(offset) % width == 0)
            && dimensions.iter().all(|&d| self.offers(d))
            && filters.iter().all(|f| self.offers(f.dimension))
    }

    fn from(&self) -> String {
        format!("{}.{}", self.database.sql(), self.table.sql())
    }

    /// The rows of `window` that `filters` let through: filters on one dimension are
    /// alternatives, filters on different dimensions all apply, as in the core. A filter on a
    /// column the table lacks lets nothing through.
    pub fn condition(&self, window: Window, filters: &[Filter]) -> String {
        let t = self.time();
        let mut parts = vec![format!(
            "{t} >= toDateTime({}) AND {t} < toDateTime({})",
            window.start.max(0),
            window.end.max(0)
        )];
        for dimension in Dimension::ALL {
            let keys: Vec<&str> = filters
                .iter()
                .filter(|f| f.dimension == dimension)
                .map(|f| f.key.as_str())
                .collect();
            if keys.is_empty() {
                continue;
            }
            if !self.offers(dimension) {
                parts.push("0".to_owned());
                continue;
            }
            let each: Vec<String> = keys
                .iter()
                .map(|key| match dimension {
                    Dimension::Class => StatusClass::ALL
                        .iter()
                        .find(|c| c.as_str() == *key)
                        .map_or("0".to_owned(), |&c| format!("({})", class_condition(c))),
                    Dimension::Status => key
                        .parse::<u16>()
                        .map_or("0".to_owned(), |code| format!("status = {code}")),
                    _ => format!("{} = {}", column(dimension), quote(key)),
                })
                .collect();
            parts.push(format!("({})", each.join(" OR ")));
        }
        parts.join(" AND ")
    }

    /// The six status-class sums, in [`StatusClass::ALL`]'s order.
    fn class_sums() -> String {
        StatusClass::ALL
            .iter()
            .map(|&c| format!("sumIf(requests, {})", class_condition(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Requests per status class in `window` through `filters`: one row.
    pub fn totals_sql(&self, window: Window, filters: &[Filter]) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} FORMAT JSONCompact",
            Self::class_sums(),
            self.from(),
            self.condition(window, filters)
        )
    }

    /// Requests per value of `dimension` (per status class), most first, at most `limit` values.
    pub fn breakdown_sql(&self, window: Window, dimension: Dimension, filters: &[Filter], limit: u64) -> String {
        format!(
            "SELECT {} AS k, {} FROM {} WHERE {} GROUP BY k ORDER BY sum(requests) DESC, k LIMIT {limit} FORMAT JSONCompact",
            key_sql(dimension),
            Self::class_sums(),
            self.from(),
            self.condition(window, filters)
        )
    }

    /// Whether the table has each request's latency (its `latency_ms` column): only the raw
    /// table can, as a rollup's rows are many requests each.
    pub fn has_latency(&self) -> bool {
        !self.is_rollup() && self.columns.iter().any(|c| c == "latency_ms")
    }

    /// Exact p50, p95 and p99 latency per value of `dimension` in `window` through `filters`, in
    /// whole microseconds: the requests' own (rows of one request; a row of many has no single
    /// latency), ranked as the in-browser engine ranks them ([`NEAREST_RANK`]). A dimension
    /// with a value per caller gets them for the values `listing` lists one by one.
    pub fn latency_sql(&self, window: Window, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        format!(
            "SELECT {} AS k, quantilesExact({NEAREST_RANK})({LATENCY_US}) FROM {} WHERE {}{} AND requests = 1 GROUP BY k FORMAT JSONCompact",
            key_sql(dimension),
            self.from(),
            self.condition(window, filters),
            self.only_listed(dimension, filters, listing)
        )
    }

    /// The values of `dimension` that `listing` lists one by one, as a subquery: those with most
    /// requests over its window through `filters`, ties by their text (bytes), as the in-browser
    /// engine ranks a breakdown.
    fn listed_values(&self, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        let c = column(dimension);
        format!(
            "(SELECT {c} FROM {} WHERE {} GROUP BY {c} ORDER BY sum(requests) DESC, {c} LIMIT {})",
            self.from(),
            self.condition(listing.over, filters),
            listing.most
        )
    }

    /// ` AND` the values of `dimension` that `listing` lists one by one, where it lists only
    /// some ([`listed_in_part`]); nothing otherwise.
    fn only_listed(&self, dimension: Dimension, filters: &[Filter], listing: Listing) -> String {
        match listed_in_part(&[dimension], filters) {
            Some(d) => format!(
                " AND {} GLOBAL IN {}",
                column(d),
                self.listed_values(d, filters, listing)
            ),
            None => String::new(),
        }
    }

    /// The exact p95 latency per bucket of `granularity` on `zone`'s clock and per value of
    /// `dimension` in `window` through `filters`: the time chart's p95 lines, as
    /// [`Table::latency_sql`] counts them.
    pub fn latency_series_sql(
        &self,
        window: Window,
        granularity: Granularity,
        zone: &str,
        dimension: Dimension,
        filters: &[Filter],
        listing: Listing,
    ) -> String {
        format!(
            "SELECT {} AS b, {} AS k, quantileExact({P95_NEAREST_RANK})({LATENCY_US}) FROM {} WHERE {}{} AND requests = 1 GROUP BY b, k FORMAT JSONCompact",
            bucket(self.time(), granularity, zone),
            key_sql(dimension),
            self.from(),
            self.condition(window, filters),
            self.only_listed(dimension, filters, listing)
        )
    }

    /// Requests over time in buckets of `granularity` on `zone`'s clock (an IANA name, `UTC`
    /// included), each bucket named by its first instant in Unix seconds.
    pub fn series_sql(&self, window: Window, granularity: Granularity, zone: &str, filters: &[Filter]) -> String {
        let bucket = bucket(self.time(), granularity, zone);
        format!(
            "SELECT {bucket} AS b, sum(requests) FROM {} WHERE {} GROUP BY b ORDER BY b FORMAT JSONCompact",
            self.from(),
            self.condition(window, filters)
        )
    }
}

/// The parts a view's usage is fetched in: each of its [`crate::widgets::view_groupings`] with the link's
/// filters' dimensions kept apart too (a part is filtered in the browser as well), once each,
/// and none that another part keeps apart as well: widgets whose grouping another widget's
/// holds read that widget's answer. Each query scans the range, and on 2 cores at 100M rows
/// the overview's four queries (status codes, clients, URLs, and clients × URLs × methods) took
/// about twice as long as the last alone, which answers all four (docs/benchmarks.md).
pub fn usage_parts(groupings: &[Grouping], filters: &[Filter]) -> Vec<Grouping> {
    let filtered: Grouping = filters.iter().map(|f| f.dimension).collect();
    let parts = crate::dimension::distinct(groupings.iter().map(|g| g.and(filtered)).collect());
    parts
        .iter()
        .copied()
        .filter(|&p| !parts.iter().any(|&q| q != p && q.covers(p)))
        .collect()
}

/// How many values of a dimension with a value per caller (an IP address, a user) a view lists
/// one by one: those with most requests; the rest are counted together, in one row. A day of a
/// busy API has a million IPs, more than any table shows or `max_result_rows` lets through.
pub const LISTED: u64 = 1_000;

/// How a dimension with a value per caller ([`Dimension::open_ended`]) is listed: the `most`
/// values with most requests over `over`, the view's own window, through the link's filters,
/// one by one, and the rest counted together ([`crate::StoreBuilder::rest`]). The values are
/// picked once, over the view's window, for the compared period as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    pub over: Window,
    pub most: u64,
}

/// The one of `dimensions` that a query lists only in part ([`Listing`]): a dimension with a
/// value per caller that no filter narrows to a few values.
pub fn listed_in_part(dimensions: &[Dimension], filters: &[Filter]) -> Option<Dimension> {
    dimensions
        .iter()
        .copied()
        .find(|&d| d.open_ended() && !filters.iter().any(|f| f.dimension == d))
}

/// One query of a view's usage: the part it fills, the table that answers it, and its SQL.
#[derive(Clone, Debug)]
pub struct UsageQuery<'a> {
    pub part: Grouping,
    pub table: &'a Table,
    pub sql: String,
}

/// A view's usage queries, to be sent in parallel: one per part ([`usage_parts`]) and stretch
/// of days in `windows`, each grouped by the part's dimensions that `raw` has, on the coarsest
/// table that can answer it ([`answering`]), counted on `zone`'s clock in buckets of
/// `granularity` through `filters`, a dimension with a value per caller as `listing` lists it.
#[allow(clippy::too_many_arguments)]
pub fn usage_queries<'a>(
    raw: &'a Table,
    rollups: &'a [Table],
    groupings: &[Grouping],
    windows: &[Window],
    granularity: Granularity,
    zone: &str,
    filters: &[Filter],
    offsets: &Offsets,
    listing: Listing,
) -> Vec<UsageQuery<'a>> {
    let mut queries = Vec::new();
    for part in usage_parts(groupings, filters) {
        let dimensions = raw.usage_dimensions(&part.dimensions());
        for &window in windows {
            let table = answering(raw, rollups, window, granularity, &dimensions, filters, offsets);
            queries.push(UsageQuery {
                part,
                table,
                sql: table.usage_sql(window, granularity, zone, filters, &dimensions, listing),
            });
        }
    }
    queries
}

/// The tables that answer `queries`, each named once, in the order first asked: the banner says
/// which counted.
pub fn answered_by<'a>(queries: &[UsageQuery<'a>]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for query in queries {
        if !names.contains(&query.table.table.as_str()) {
            names.push(query.table.table.as_str());
        }
    }
    names
}

/// The buckets ClickHouse counts a range in: the range's natural ones (hours up to 2 days, else
/// days), or the link's finer `g=` (10 minutes or hours) where a chart offers it for that range,
/// so that a link's `g=hour` on a week shows hours rather than the days a week is fetched in.
pub fn fetch_granularity(range: &crate::DateRange, asked: Option<Granularity>) -> Granularity {
    let natural = range.natural_granularity();
    match asked {
        Some(g @ (Granularity::TenMinutes | Granularity::Hour))
            if g.fixed_seconds() < natural.fixed_seconds()
                && crate::zone::granularities(range.days(), g.fixed_seconds().unwrap_or(0)).contains(&g) =>
        {
            g
        }
        _ => natural,
    }
}

/// The latencies a view asks ClickHouse for, besides its usage: over exactly the view's window
/// (and the compared period's, for the chart), never the whole UTC days fetched around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyAsk {
    pub window: Window,
    pub before: Option<Window>,
    /// The table's dimension, for p50, p95 and p99 per value.
    pub table: Option<Dimension>,
    /// The chart's dimension and buckets, for p95 per bucket and value (with `metric=p95`).
    pub chart: Option<(Dimension, Granularity)>,
}

/// One query of a [`LatencyAsk`]: a table's percentiles over the view's window, or the chart's
/// p95 per bucket over the view's window or the compared period's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyPart {
    Table(Dimension, Window),
    Chart(Dimension, Granularity, Window),
}

impl LatencyPart {
    /// Its SQL, on the raw table (only it has a request's own latency), for the values of a
    /// dimension with a value per caller that `listing` lists one by one.
    pub fn sql(&self, raw: &Table, zone: &str, filters: &[Filter], listing: Listing) -> String {
        match *self {
            LatencyPart::Table(dimension, window) => raw.latency_sql(window, dimension, filters, listing),
            LatencyPart::Chart(dimension, granularity, window) => {
                raw.latency_series_sql(window, granularity, zone, dimension, filters, listing)
            }
        }
    }

    /// Reads its answer into `counted`, each value keyed as `key` gives it.
    pub fn read(
        &self,
        answer: &[u8],
        key: &mut dyn FnMut(Dimension, &str) -> Option<u32>,
        counted: &mut crate::latency::CountedLatency,
    ) -> Result<(), AnswerError> {
        match *self {
            LatencyPart::Table(dimension, window) => counted.tables.push(read_latency(answer, key, dimension, window)?),
            LatencyPart::Chart(dimension, granularity, window) => {
                counted
                    .series
                    .push(read_latency_series(answer, key, dimension, granularity, window)?)
            }
        }
        Ok(())
    }
}

impl LatencyAsk {
    /// How a dimension with a value per caller is listed: as the view's usage lists it, over
    /// the view's window.
    pub fn listing(&self) -> Listing {
        Listing {
            over: self.window,
            most: LISTED,
        }
    }

    /// Whether these latencies are asked for only once the counts are in, rather than beside
    /// them: when the table's dimension is listed in part through `filters`. Its usage and
    /// latency queries then each rank every value of the range first (the heaviest part of
    /// both), and sent at once on the same cores each takes twice as long: the counts of
    /// Explore by IP over 7 days at 100M rows showed after 4.9 s beside the latencies
    /// (docs/benchmarks.md).
    pub fn after_counts(&self, filters: &[Filter]) -> bool {
        self.table.is_some_and(|d| listed_in_part(&[d], filters).is_some())
    }

    /// The queries this asks of `raw`: none when it has no latencies, and none for a dimension
    /// it lacks.
    pub fn parts(&self, raw: &Table) -> Vec<LatencyPart> {
        if !raw.has_latency() {
            return Vec::new();
        }
        let mut parts: Vec<LatencyPart> = self
            .table
            .filter(|&d| raw.offers(d))
            .map(|d| LatencyPart::Table(d, self.window))
            .into_iter()
            .collect();
        if let Some((dimension, granularity)) = self.chart.filter(|&(d, _)| raw.offers(d)) {
            parts.extend(
                std::iter::once(self.window)
                    .chain(self.before)
                    .map(|w| LatencyPart::Chart(dimension, granularity, w)),
            );
        }
        parts
    }

    /// As one line of text for the worker: `start end before-start before-end table chart
    /// granularity`, with `-` for what is not asked.
    pub fn to_text(&self) -> String {
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        let before = |pick: fn(Window) -> i64| or_dash(self.before.map(|w| pick(w).to_string()));
        let chart =
            |pick: fn((Dimension, Granularity)) -> &'static str| or_dash(self.chart.map(|c| pick(c).to_owned()));
        [
            self.window.start.to_string(),
            self.window.end.to_string(),
            before(|w| w.start),
            before(|w| w.end),
            or_dash(self.table.map(|d| d.as_str().to_owned())),
            chart(|c| c.0.as_str()),
            chart(|c| c.1.as_str()),
        ]
        .join(" ")
    }

    /// [`LatencyAsk::to_text`] read back; `None` when it is not one.
    pub fn parse(text: &str) -> Option<LatencyAsk> {
        let parts: Vec<&str> = text.split(' ').collect();
        let [start, end, before_start, before_end, table, chart, granularity] = parts.as_slice() else {
            return None;
        };
        let number = |t: &str| t.parse::<i64>().ok();
        let window = Window {
            start: number(start)?,
            end: number(end)?,
        };
        let before = match (number(before_start), number(before_end)) {
            (Some(start), Some(end)) => Some(Window { start, end }),
            _ => None,
        };
        let chart = Dimension::parse(chart).zip(Granularity::parse(granularity));
        Some(LatencyAsk {
            window,
            before,
            table: Dimension::parse(table),
            chart,
        })
    }
}

impl Table {
    /// The dimensions a usage query groups by: `needed` (a part's, [`usage_parts`]), once each,
    /// a status class by its status codes, and each only where the table has its column.
    pub fn usage_dimensions(&self, needed: &[Dimension]) -> Vec<Dimension> {
        let mut dimensions = Vec::new();
        for &d in needed {
            let d = if d == Dimension::Class { Dimension::Status } else { d };
            if !dimensions.contains(&d) && self.offers(d) {
                dimensions.push(d);
            }
        }
        dimensions
    }

    /// Requests per bucket of `granularity` (10 minutes, an hour or a day) on `zone`'s clock (an
    /// IANA name, `UTC` included) and per value of `dimensions` in `window` through `filters`:
    /// aggregates that the in-browser engine then reads as a live answer, as it reads Callboard's
    /// usage API. Each bucket is named by its first instant, so a day is the zone's own day
    /// (23 or 25 hours across a change of its clocks) and the dashboard's days, weeks and months
    /// in that zone count exactly what per-request data would. Bytes are summed where the table
    /// has them; latencies are not (a bucket's sum is not a request's latency). A dimension with
    /// a value per caller is listed as `listing` says: a row's `listed` is 0 for the rest,
    /// counted together, and its value is then empty.
    pub fn usage_sql(
        &self,
        window: Window,
        granularity: Granularity,
        zone: &str,
        filters: &[Filter],
        dimensions: &[Dimension],
        listing: Listing,
    ) -> String {
        let granularity = match granularity {
            Granularity::TenMinutes | Granularity::Hour => granularity,
            _ => Granularity::Day,
        };
        let bucket = bucket(self.time(), granularity, zone);
        let mut keys = vec!["b".to_owned()];
        let mut picked = vec![format!("{bucket} AS b")];
        let in_part = listed_in_part(dimensions, filters);
        for &d in dimensions {
            let c = column(d);
            if in_part == Some(d) {
                // Aliased apart: an alias named as its column would stand for the column everywhere.
                picked.push(format!(
                    "{c} GLOBAL IN {} AS listed, if(listed, {c}, '') AS listed_{c}",
                    self.listed_values(d, filters, listing)
                ));
                keys.extend(["listed".to_owned(), format!("listed_{c}")]);
            } else {
                picked.push(c.to_owned());
                keys.push(c.to_owned());
            }
        }
        if dimensions.contains(&Dimension::Client) && self.columns.iter().any(|c| c == "client_name") {
            picked.push("any(client_name) AS client_name".to_owned());
        }
        picked.push("sum(requests) AS requests".to_owned());
        if self.columns.iter().any(|c| c == "bytes") {
            picked.push("sum(bytes) AS bytes".to_owned());
        }
        format!(
            "SELECT {} FROM {} WHERE {} GROUP BY {} ORDER BY b FORMAT JSONCompact",
            picked.join(", "),
            self.from(),
            self.condition(window, filters),
            keys.join(", ")
        )
    }
}
