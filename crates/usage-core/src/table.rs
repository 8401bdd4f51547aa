//! What a breakdown table shows: its columns, each cell's text, its search box and its CSV.
//!
//! The screen and the export take their cells from the same functions, so an exported table
//! is the table on screen: its rows, in its order, with its columns. The only difference is
//! that the CSV writes numbers in full, for spreadsheets: `1500` for `1,500`, and bytes as a
//! count (`4376694000` for `4.4 GB`).

use std::sync::Arc;

use crate::csv_cell::csv_field;
use crate::format::{decimal, iso_date, percent, thousands};
use crate::query::{Dimension, Filter, Row, SortColumn, share};
use crate::range::DateRange;
use crate::status::{StatusClass, StatusCounts};
use crate::store::UsageStore;

/// A column of a breakdown table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableColumn {
    /// The value's display name: a client's name, a template, `404`, …
    Name,
    /// The methods a URL template was called with (URL tables only).
    Methods,
    Requests,
    /// Requests against the comparison period (`▲ 12.5%`), when the link compares.
    Change,
    Class(StatusClass),
    ErrorRate,
    Share,
    P50,
    P95,
    Bytes,
}

impl TableColumn {
    /// The columns of a table of `dimension`: latency and bytes only where the data has them.
    pub fn for_table(dimension: Dimension, has_bytes: bool, has_latency: bool) -> Vec<TableColumn> {
        let mut columns = vec![TableColumn::Name];
        if dimension == Dimension::Template {
            columns.push(TableColumn::Methods);
        }
        columns.push(TableColumn::Requests);
        columns.extend(StatusClass::NAMED.map(TableColumn::Class));
        columns.extend([TableColumn::ErrorRate, TableColumn::Share]);
        if has_latency {
            columns.extend([TableColumn::P50, TableColumn::P95]);
        }
        if has_bytes {
            columns.push(TableColumn::Bytes);
        }
        columns
    }

    /// The header text.
    pub fn header(self, dimension: Dimension) -> &'static str {
        match self {
            TableColumn::Name => dimension.label(),
            TableColumn::Methods => "Methods",
            TableColumn::Requests => "Requests",
            TableColumn::Change => "Change",
            TableColumn::Class(class) => class.as_str(),
            TableColumn::ErrorRate => "Error %",
            TableColumn::Share => "Share",
            TableColumn::P50 => "p50 ms",
            TableColumn::P95 => "p95 ms",
            TableColumn::Bytes => "Bytes",
        }
    }

    /// The cell's `data-col`: the `sort=` name where the column sorts.
    pub fn key(self) -> &'static str {
        match (self, self.sort()) {
            (_, Some(sort)) => sort.as_str(),
            (TableColumn::Change, _) => "change",
            _ => "methods",
        }
    }

    /// The order a click on its header asks for; the methods list and the change do not sort.
    pub fn sort(self) -> Option<SortColumn> {
        Some(match self {
            TableColumn::Name => SortColumn::Name,
            TableColumn::Methods | TableColumn::Change => return None,
            TableColumn::Requests => SortColumn::Requests,
            TableColumn::Class(class) => SortColumn::Class(class),
            TableColumn::ErrorRate => SortColumn::ErrorRate,
            TableColumn::Share => SortColumn::Share,
            TableColumn::P50 => SortColumn::P50,
            TableColumn::P95 => SortColumn::P95,
            TableColumn::Bytes => SortColumn::Bytes,
        })
    }

    pub fn numeric(self) -> bool {
        !matches!(self, TableColumn::Name | TableColumn::Methods)
    }
}

/// The rows of a table and what their cells need besides the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub dimension: Option<Dimension>,
    pub columns: Vec<TableColumn>,
    /// Every row, in the table's order (shared with the breakdown when that is the order).
    pub rows: Arc<Vec<Row>>,
    /// All requests of the table (what "Share" divides by), whatever the search shows.
    pub total: StatusCounts,
    /// The values a server did not list one by one, counted together: a row below the others,
    /// in every order, that names no value ([`crate::query::Breakdown::rest`]).
    pub rest: Option<Row>,
    /// For URL tables: the methods of each template id, as text (`GET, POST`).
    pub methods: Vec<String>,
    /// The comparison period's requests by key, and in all, when the link compares.
    pub before: Option<(Arc<Vec<u64>>, u64)>,
}

/// How a whole number is written: with separators on screen, without in a CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbers {
    Screen,
    Csv,
}

impl Table {
    /// The same table with a change column against `before`, the comparison period's breakdown
    /// of the same dimension through the same filters.
    pub fn compared_with(mut self, before: &crate::query::Breakdown) -> Table {
        let rows = || before.rows.iter().chain(&before.rest);
        let mut by_key = vec![0u64; rows().map(|r| r.key as usize + 1).max().unwrap_or(0)];
        for row in rows() {
            by_key[row.key as usize] = row.counts.total();
        }
        self.before = Some((Arc::new(by_key), before.total.total()));
        if let Some(at) = self.columns.iter().position(|&c| c == TableColumn::Requests) {
            self.columns.insert(at + 1, TableColumn::Change);
        }
        self
    }

    fn dimension(&self) -> Dimension {
        self.dimension.unwrap_or(Dimension::Client)
    }

    /// The text of one cell.
    pub fn cell(&self, store: &UsageStore, column: TableColumn, row: &Row, numbers: Numbers) -> String {
        let whole = |n: u64| match numbers {
            Numbers::Screen => thousands(n),
            Numbers::Csv => n.to_string(),
        };
        let ms = |us: Option<u64>| us.map_or_else(|| "–".to_owned(), |us| decimal(us as f64 / 1000.0, 1));
        match column {
            TableColumn::Name => store.label(self.dimension(), row.key),
            TableColumn::Methods => self.methods.get(row.key as usize).cloned().unwrap_or_default(),
            TableColumn::Requests => whole(row.counts.total()),
            TableColumn::Change => self.change(row.counts.total(), |(by_key, _)| {
                by_key.get(row.key as usize).copied().unwrap_or(0)
            }),
            TableColumn::Class(class) => whole(row.counts.get(class)),
            TableColumn::ErrorRate => percent(row.counts.error_rate()),
            TableColumn::Share => percent(share(row.counts.total(), self.total.total())),
            TableColumn::P50 => ms(row.latency.map(|l| l.p50_us)),
            TableColumn::P95 => ms(row.latency.map(|l| l.p95_us)),
            TableColumn::Bytes => bytes(row.bytes, numbers),
        }
    }

    /// The text of the total row's cell (`All clients`, the sums, 100 %).
    pub fn total_cell(&self, column: TableColumn, numbers: Numbers) -> String {
        let whole = |n: u64| match numbers {
            Numbers::Screen => thousands(n),
            Numbers::Csv => n.to_string(),
        };
        match column {
            TableColumn::Name => format!("All {}", self.dimension().plural()),
            TableColumn::Requests => whole(self.total.total()),
            TableColumn::Change => self.change(self.total.total(), |(_, total)| *total),
            TableColumn::Class(class) => whole(self.total.get(class)),
            TableColumn::ErrorRate => percent(self.total.error_rate()),
            TableColumn::Share => percent(share(self.total.total(), self.total.total())),
            TableColumn::Methods | TableColumn::P50 | TableColumn::P95 => String::new(),
            TableColumn::Bytes => bytes(self.rows.iter().chain(&self.rest).map(|r| r.bytes).sum(), numbers),
        }
    }

    /// `now`'s change against what `before` picks from the comparison period.
    fn change(&self, now: u64, before: impl Fn(&(Arc<Vec<u64>>, u64)) -> u64) -> String {
        self.before
            .as_ref()
            .map(|b| crate::format::count_change(now, before(b)).text)
            .unwrap_or_default()
    }

    /// The rows whose name or key contains `needle`, ignoring ASCII case, in the table's order
    /// ([`UsageStore::rows_matching`]).
    /// An empty needle keeps every row.
    pub fn search(&self, store: &UsageStore, needle: &str) -> Vec<Row> {
        match self.matching(store, needle) {
            Some(positions) => positions.into_iter().map(|i| self.rows[i as usize]).collect(),
            None => self.rows.to_vec(),
        }
    }

    /// The positions of the rows [`Table::search`] keeps; `None` when the search keeps every row
    /// (an empty needle), so a long table need not be copied.
    pub fn matching(&self, store: &UsageStore, needle: &str) -> Option<Vec<u32>> {
        if needle.trim().is_empty() {
            return None;
        }
        Some(
            store
                .rows_matching(self.dimension(), &self.rows, needle)
                .map(|i| i as u32)
                .collect(),
        )
    }

    /// The table as CSV: a line saying what it is (`heading`), the header, `rows` as shown, the
    /// rest's row where a server listed the values in part, and the total row. Text that a spreadsheet would run as a formula is neutralised ([`csv_field`]).
    pub fn to_csv(&self, store: &UsageStore, rows: &[Row], heading: &str) -> String {
        let dimension = self.dimension();
        let mut out = String::new();
        csv_field(&mut out, heading);
        out.push('\n');
        let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                csv_field(out, &cell);
            }
            out.push('\n');
        };
        line(
            &mut out,
            &mut self.columns.iter().map(|c| c.header(dimension).to_owned()),
        );
        for row in rows.iter().chain(&self.rest) {
            line(
                &mut out,
                &mut self.columns.iter().map(|&c| self.cell(store, c, row, Numbers::Csv)),
            );
        }
        line(
            &mut out,
            &mut self.columns.iter().map(|&c| self.total_cell(c, Numbers::Csv)),
        );
        out
    }
}

/// Bytes: in decimal units on screen (`4.4 GB`), in full in a CSV. Sums past u64 (18 EB) show as
/// that much.
fn bytes(n: u128, numbers: Numbers) -> String {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    match numbers {
        Numbers::Csv => n.to_string(),
        Numbers::Screen => crate::format::bytes(n),
    }
}

/// What an exported table is, for its first line: the dimension, range, zone, filters and search.
pub fn heading(dimension: Dimension, range: &DateRange, filters: &[Filter], search: &str, zone: &str) -> String {
    let mut text = format!(
        "Callboard: requests by {} from {} to {} ({zone} days)",
        dimension.label().to_ascii_lowercase(),
        iso_date(range.from()),
        iso_date(range.to())
    );
    if !filters.is_empty() {
        let filters: Vec<String> = filters
            .iter()
            .map(|f| format!("{} = {}", f.dimension.as_str(), f.key))
            .collect();
        text.push_str(&format!("; filters: {}", filters.join(" and ")));
    }
    if !search.trim().is_empty() {
        text.push_str(&format!("; rows matching “{}”", search.trim()));
    }
    text
}

/// The file name of an exported table: `callboard-ip-2026-10-01-to-2026-10-31-UTC-client-billing-sync.csv`.
/// Filter keys keep only characters every file system takes, and the name stays short.
pub fn file_name(dimension: Dimension, range: &DateRange, filters: &[Filter], zone: &str) -> String {
    let zone: String = zone
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let mut name = format!(
        "callboard-{}-{}-to-{}-{zone}",
        dimension.as_str(),
        iso_date(range.from()),
        iso_date(range.to())
    );
    for filter in filters {
        let key: String = filter
            .key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(40)
            .collect();
        name.push_str(&format!("-{}-{}", filter.dimension.as_str(), key.trim_matches('-')));
    }
    let mut name: String = name.chars().take(180).collect();
    name.push_str(".csv");
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketWidth, UsageRecord};
    use crate::query::{DaySpan, Filter, RecordFilter};
    use crate::view::ViewState;
    use chrono::NaiveDate;

    fn record(
        client: &str,
        template: &str,
        method: &str,
        status: u16,
        requests: u64,
        bytes: Option<u64>,
    ) -> UsageRecord {
        UsageRecord {
            timestamp: 1_795_000_000,
            bucket: BucketWidth::Request,
            client_id: client.to_lowercase(),
            client_name: client.into(),
            method: method.into(),
            template: template.into(),
            status,
            requests,
            user: String::new(),
            ip: String::new(),
            module: String::new(),
            bytes,
            latency_us: None,
        }
    }

    fn table(store: &UsageStore, dimension: Dimension) -> Table {
        let b = store.breakdown(
            DaySpan { start: 0, end: 30_000 },
            dimension,
            &RecordFilter::all(),
            false,
        );
        Table {
            dimension: Some(dimension),
            columns: TableColumn::for_table(dimension, b.has_bytes, b.has_latency),
            total: b.total,
            rest: b.rest,
            rows: b.rows,
            methods: Vec::new(),
            before: None,
        }
    }

    // Guards the change column: after Requests, each row against its own value in the comparison
    // period (new, up, down, gone to nothing), the total against the period's total, and the same
    // text in the CSV.
    #[test]
    fn change_column_compares_each_row() {
        // Both periods in one store, as in the app: Delta called only in the earlier one.
        let both: Vec<UsageRecord> = [
            ("Alpha", 150, 0),
            ("Beta", 80, 0),
            ("Gamma", 5, 0),
            ("Alpha", 100, 1),
            ("Beta", 100, 1),
            ("Delta", 7, 1),
        ]
        .iter()
        .map(|&(c, n, period)| UsageRecord {
            timestamp: 1_795_000_000 - period * 86_400 * 10,
            ..record(c, "/a", "GET", 200, n, None)
        })
        .collect();
        let store = UsageStore::from_records(&both).unwrap();
        let day = 1_795_000_000 / 86_400;
        let span = |d: i64| DaySpan { start: d, end: d + 1 };
        let b = store.breakdown(span(day), Dimension::Client, &RecordFilter::all(), false);
        let earlier = store.breakdown(span(day - 10), Dimension::Client, &RecordFilter::all(), false);
        let t = Table {
            dimension: Some(Dimension::Client),
            columns: TableColumn::for_table(Dimension::Client, false, false),
            total: b.total,
            rest: b.rest,
            rows: b.rows,
            methods: Vec::new(),
            before: None,
        }
        .compared_with(&earlier);
        assert_eq!(
            &t.columns[..3],
            [TableColumn::Name, TableColumn::Requests, TableColumn::Change]
        );
        let changes: Vec<(String, String)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    store.label(Dimension::Client, r.key),
                    t.cell(&store, TableColumn::Change, r, Numbers::Screen),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [
                ("Alpha".to_owned(), "▲ 50.0%".to_owned()),
                ("Beta".into(), "▼ 20.0%".into()),
                ("Gamma".into(), "▲ new".into())
            ]
        );
        assert_eq!(
            t.total_cell(TableColumn::Change, Numbers::Screen),
            "▲ 13.5%",
            "235 against 207"
        );
        assert!(
            t.to_csv(&store, &t.rows, "h")
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("Client,Requests,Change,"))
        );
    }

    // Guards the columns each table gets: methods for URLs only, bytes only when the data has them.
    #[test]
    fn columns_follow_the_data() {
        let plain = TableColumn::for_table(Dimension::Ip, false, false);
        assert_eq!(plain.len(), 9);
        assert!(!plain.contains(&TableColumn::Methods) && !plain.contains(&TableColumn::Bytes));
        let urls = TableColumn::for_table(Dimension::Template, true, true);
        assert_eq!(
            &urls[..3],
            [TableColumn::Name, TableColumn::Methods, TableColumn::Requests]
        );
        assert_eq!(urls.last(), Some(&TableColumn::Bytes));
        assert_eq!(urls.iter().map(|c| c.key()).filter(|k| *k == "requests").count(), 1);
    }

    // Guards the export against the screen: same rows, same order, same columns, raw whole
    // numbers, neutralised formulas, and a heading naming range and filters.
    #[test]
    fn csv_is_the_table_as_shown() {
        let store = UsageStore::from_records(&[
            record("=HYPERLINK(\"x\")", "/a", "GET", 200, 1_500, Some(10)),
            record("Beta", "/a", "GET", 503, 500, Some(5)),
            record("Beta", "/b", "POST", 200, 1, Some(1)),
        ])
        .unwrap();
        let t = table(&store, Dimension::Client);
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut state = ViewState::default_for(today);
        state.filters.push(Filter {
            dimension: Dimension::Class,
            key: "5xx".into(),
        });
        let csv = t.to_csv(
            &store,
            &t.rows,
            &heading(Dimension::Client, &state.range, &state.filters, "", "UTC"),
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].starts_with(
                "Callboard: requests by client from 2026-10-30 to 2026-11-28 (UTC days); filters: class = 5xx"
            ),
            "{}",
            lines[0]
        );
        assert_eq!(lines[1], "Client,Requests,2xx,3xx,4xx,429,5xx,Error %,Share,Bytes");
        assert_eq!(lines[2], "\"'=HYPERLINK(\"\"x\"\")\",1500,1500,0,0,0,0,0.0%,75.0%,10");
        assert_eq!(lines[3], "Beta,501,1,0,0,0,500,99.8%,25.0%,6");
        assert_eq!(lines[4], "All clients,2001,1501,0,0,0,500,25.0%,100.0%,16");
        assert_eq!(
            t.cell(&store, TableColumn::Requests, &t.rows[0], Numbers::Screen),
            "1,500"
        );
        assert_eq!(t.cell(&store, TableColumn::Bytes, &t.rows[0], Numbers::Screen), "10 B");
        assert_eq!(bytes(4_376_694_000, Numbers::Screen), "4.4 GB");
        assert_eq!(bytes(999, Numbers::Screen), "999 B");
        assert_eq!(bytes(u128::MAX, Numbers::Csv), u64::MAX.to_string());
        assert_eq!(
            file_name(Dimension::Client, &state.range, &state.filters, "UTC"),
            "callboard-client-2026-10-30-to-2026-11-28-UTC-class-5xx.csv"
        );
        assert_eq!(
            file_name(Dimension::Client, &state.range, &state.filters, "America/St_Johns"),
            "callboard-client-2026-10-30-to-2026-11-28-America_St_Johns-class-5xx.csv"
        );
        assert!(
            heading(Dimension::Client, &state.range, &state.filters, "", "Asia/Kathmandu")
                .contains("(Asia/Kathmandu days)")
        );
    }

    // Guards the search: ASCII case is ignored, keys match as well as names, order is kept.
    #[test]
    fn search_keeps_order_and_ignores_case() {
        let store = UsageStore::from_records(&[
            record("Billing", "/a", "GET", 200, 5, None),
            record("Payroll", "/a", "GET", 200, 9, None),
            record("billboard", "/a", "GET", 200, 1, None),
        ])
        .unwrap();
        let t = table(&store, Dimension::Client);
        let names = |rows: Vec<Row>| {
            rows.iter()
                .map(|r| store.label(Dimension::Client, r.key))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(t.search(&store, " BILL ")), ["Billing", "billboard"]);
        assert_eq!(names(t.search(&store, "payroll")), ["Payroll"]);
        assert_eq!(t.search(&store, "").len(), 3);
        assert!(t.search(&store, "nobody").is_empty());
    }

    // Guards export file names: hostile keys cannot make a path or a very long name.
    #[test]
    fn file_names_are_safe() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut state = ViewState::default_for(today);
        state.filters.push(Filter {
            dimension: Dimension::Template,
            key: "../../etc/{id}".into(),
        });
        state.filters.push(Filter {
            dimension: Dimension::Ip,
            key: "2001:db8::1".into(),
        });
        let name = file_name(Dimension::Ip, &state.range, &state.filters, "UTC");
        assert_eq!(
            name,
            "callboard-ip-2026-10-30-to-2026-11-28-UTC-template-..-..-etc--id-ip-2001-db8--1.csv"
        );
        state.filters.push(Filter {
            dimension: Dimension::User,
            key: "x".repeat(500),
        });
        assert!(file_name(Dimension::Ip, &state.range, &state.filters, "UTC").len() <= 184);
        assert!(!file_name(Dimension::Ip, &state.range, &state.filters, "UTC").contains('/'));
    }
}
