//! What a link says about the view: one typed value, parsed once from the query string's pairs
//! and written back to them, so that any static host serves every view and a reload or a shared
//! link shows the same thing.
//!
//! The grammar is fixed (tests outside the project rely on it):
//!
//! | pair | meaning |
//! |---|---|
//! | `view=overview\|clients\|urls\|explore\|today` | the tab |
//! | `by=client\|template\|method\|status\|class\|module\|ip\|user` | Explore's and Today's dimension |
//! | `f=<dimension>:<key>` | a filter, repeatable; the key is a row's `data-key` |
//! | `sort=<column>` or `sort=-<column>` | the table's order (descending with `-`) |
//! | `from`, `to` | the range, inclusive `YYYY-MM-DD` ([`DateRange::from_query`]) |
//! | `g=10m\|hour\|day\|week\|month` | the time chart's buckets (the range's default when absent) |
//! | `tz=utc\|local\|<IANA name>` | the zone days and buckets follow (UTC when absent) |
//! | `compare=previous\|year` | the period the figures are compared with |
//! | `metric=requests\|error-rate\|p95\|bytes\|measure:<name>` | what the time chart measures (requests when absent); a measure is one of the data's own, such as a 3scale metric |
//! | `source` | a live source's URL |
//! | `kind=auto\|callboard\|3scale\|genesys\|clickhouse` | what kind of source it is, as chosen in "Connect API…" (auto: the URL decides) |
//!
//! A part that cannot be read gives a notice, and the rest of the link still works.

use chrono::NaiveDate;

use crate::metric::Metric;
use crate::query::{Dimension, Filter, Granularity, SortColumn};
pub use crate::query_string::{parse_query, write_query};
use crate::range::{DateRange, RangeNotice};
use crate::rest::SourceKind;
use crate::zone::{Compare, ZoneChoice};

/// A tab of the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum View {
    #[default]
    Overview,
    Clients,
    Urls,
    Explore,
    /// The last 24 hours up to now, in 10-minute buckets: outside every date range.
    Today,
}

impl View {
    pub const ALL: [View; 5] = [View::Overview, View::Clients, View::Urls, View::Explore, View::Today];

    /// The name in a link (`view=urls`).
    pub const fn as_str(self) -> &'static str {
        match self {
            View::Overview => "overview",
            View::Clients => "clients",
            View::Urls => "urls",
            View::Explore => "explore",
            View::Today => "today",
        }
    }

    /// The tab's label.
    pub const fn label(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Clients => "Clients",
            View::Urls => "URLs",
            View::Explore => "Explore",
            View::Today => "Today so far",
        }
    }

    pub fn parse(text: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// A table's order: a column, descending or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Sort {
    /// The order of a table whose link names none: by requests, most first (a breakdown's own).
    pub const RANKED: Sort = Sort {
        column: SortColumn::Requests,
        descending: true,
    };

    /// `-requests`, `name`.
    pub fn as_query(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.column.as_str())
    }

    pub fn parse(text: &str) -> Option<Sort> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        SortColumn::parse(name).map(|column| Sort { column, descending })
    }

    /// The order a click on `column`'s header gives after `current`: the other direction on the
    /// same column, else the column's natural first direction.
    pub fn clicked(current: Option<Sort>, column: SortColumn) -> Sort {
        match current {
            Some(sort) if sort.column == column => Sort {
                column,
                descending: !sort.descending,
            },
            _ => Sort {
                column,
                descending: column.descending_first(),
            },
        }
    }
}

/// What a link asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ViewState {
    pub view: View,
    /// The dimension Explore breaks down by.
    pub by: Dimension,
    /// Filters in the order they were added (drilling down adds one).
    pub filters: Vec<Filter>,
    pub sort: Option<Sort>,
    pub range: DateRange,
    /// The time chart's buckets, when the link names them.
    pub granularity: Option<Granularity>,
    /// The zone days and buckets follow.
    pub zone: ZoneChoice,
    pub compare: Option<Compare>,
    /// What the time chart measures.
    pub metric: Metric,
    /// A live source's URL.
    pub source: Option<String>,
    /// What kind of source it is, as the user chose (`kind=clickhouse`); `Auto` goes by the URL.
    pub kind: SourceKind,
}

/// A part of a link that could not be read as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewNotice {
    Range(RangeNotice),
    UnknownView(String),
    UnknownDimension(String),
    BadFilter(String),
    BadSort(String),
    BadGranularity(String),
    BadZone(String),
    BadCompare(String),
    BadMetric(String),
    BadKind(String),
}

impl ViewNotice {
    /// What the page says; `range` is the range shown after all.
    pub fn message(&self, range: &DateRange) -> String {
        match self {
            ViewNotice::Range(RangeNotice::ClampedToYesterday) => {
                "The link asked for today or later; the range now ends yesterday, the last complete day.".to_owned()
            }
            ViewNotice::Range(RangeNotice::Swapped) => {
                "The link's start came after its end, so the two were swapped.".to_owned()
            }
            ViewNotice::Range(RangeNotice::Shortened) => format!(
                "Ranges are at most {} days (about 10 years) and start no earlier than 1970, so this one now starts on {}.",
                crate::format::thousands(crate::range::MAX_DAYS as u64),
                crate::format::long_date(range.from())
            ),
            ViewNotice::Range(RangeNotice::Invalid(e)) => {
                format!("The link's date range could not be read ({e}); showing the last 30 days.")
            }
            ViewNotice::UnknownView(view) => {
                format!("The link asked for a view “{view}” that Callboard does not have; showing the overview.")
            }
            ViewNotice::UnknownDimension(by) => {
                format!("The link asked to break down by “{by}”, which Callboard does not know; showing clients.")
            }
            ViewNotice::BadFilter(filter) => format!(
                "The link's filter “{filter}” could not be read (it should be dimension:key), so it is left out."
            ),
            ViewNotice::BadSort(sort) => {
                format!("The link's order “{sort}” is not a column, so the table is ranked by requests.")
            }
            ViewNotice::BadGranularity(g) => format!(
                "The link's granularity “{g}” is not one of 10m, hour, day, week or month, so the range's default is shown."
            ),
            ViewNotice::BadZone(tz) => {
                format!("The link's time zone “{tz}” is not utc, local or a zone name, so times are in UTC.")
            }
            ViewNotice::BadCompare(c) => format!(
                "The link asked to compare with “{c}”; Callboard compares with the previous period or a year earlier, so nothing is compared."
            ),
            ViewNotice::BadMetric(m) => format!(
                "The link asked for a metric “{m}”; the charts show requests, error-rate, p95, bytes or a measure of the data (measure:<name>), so they show requests."
            ),
            ViewNotice::BadKind(k) => format!(
                "The link asked for a source kind “{k}”; the kinds are auto, callboard, 3scale, genesys and clickhouse, so the URL decides."
            ),
        }
    }
}

impl ViewState {
    /// The view with nothing asked for: the overview of the default range.
    pub fn default_for(today: NaiveDate) -> ViewState {
        ViewState {
            view: View::Overview,
            by: Dimension::Client,
            filters: Vec::new(),
            sort: None,
            range: DateRange::default_for(today),
            granularity: None,
            zone: ZoneChoice::Utc,
            compare: None,
            metric: Metric::Requests,
            source: None,
            kind: SourceKind::Auto,
        }
    }

    /// Reads a link's query pairs (already percent-decoded), in order.
    pub fn from_query(pairs: &[(String, String)], today: NaiveDate) -> (ViewState, Vec<ViewNotice>) {
        let first = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let mut notices = Vec::new();
        let (range, range_notice) = DateRange::from_query(first("from"), first("to"), today);
        notices.extend(range_notice.map(ViewNotice::Range));
        let view = match first("view") {
            None | Some("") => View::Overview,
            Some(text) => View::parse(text).unwrap_or_else(|| {
                notices.push(ViewNotice::UnknownView(text.to_owned()));
                View::Overview
            }),
        };
        let by = match first("by") {
            None | Some("") => Dimension::Client,
            Some(text) => Dimension::parse(text).unwrap_or_else(|| {
                notices.push(ViewNotice::UnknownDimension(text.to_owned()));
                Dimension::Client
            }),
        };
        let mut filters: Vec<Filter> = Vec::new();
        for (_, value) in pairs.iter().filter(|(k, _)| k == "f") {
            match value.split_once(':').and_then(|(d, key)| {
                Some(Filter {
                    dimension: Dimension::parse(d)?,
                    key: key.to_owned(),
                })
            }) {
                Some(filter) if !filters.contains(&filter) => filters.push(filter),
                Some(_) => {}
                None => notices.push(ViewNotice::BadFilter(value.clone())),
            }
        }
        let sort = match first("sort") {
            None | Some("") => None,
            Some(text) => Sort::parse(text).or_else(|| {
                notices.push(ViewNotice::BadSort(text.to_owned()));
                None
            }),
        };
        let granularity = match first("g") {
            None | Some("") => None,
            Some(text) => Granularity::parse(text).or_else(|| {
                notices.push(ViewNotice::BadGranularity(text.to_owned()));
                None
            }),
        };
        let zone = zone_of(pairs);
        if let Some(text) = first("tz").filter(|t| !t.is_empty() && ZoneChoice::parse(t).is_none()) {
            notices.push(ViewNotice::BadZone(text.to_owned()));
        }
        let compare = match first("compare") {
            None | Some("") => None,
            Some(text) => Compare::parse(text).or_else(|| {
                notices.push(ViewNotice::BadCompare(text.to_owned()));
                None
            }),
        };
        let metric = match first("metric") {
            None | Some("") => Metric::Requests,
            Some(text) => Metric::parse(text).unwrap_or_else(|| {
                notices.push(ViewNotice::BadMetric(text.to_owned()));
                Metric::Requests
            }),
        };
        let source = first("source")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let kind = match first("kind") {
            None | Some("") => SourceKind::Auto,
            Some(text) => SourceKind::parse(text).unwrap_or_else(|| {
                notices.push(ViewNotice::BadKind(text.to_owned()));
                SourceKind::Auto
            }),
        };
        (
            ViewState {
                view,
                by,
                filters,
                sort,
                range,
                granularity,
                zone,
                compare,
                metric,
                source,
                kind,
            },
            notices,
        )
    }

    /// The query pairs that say this view: what [`ViewState::from_query`] reads back. The
    /// overview's `view`, a dimension outside Explore and Today, requests and an unset order are
    /// left out.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if self.view != View::Overview {
            pairs.push(("view".to_owned(), self.view.as_str().to_owned()));
        }
        if matches!(self.view, View::Explore | View::Today) {
            pairs.push(("by".to_owned(), self.by.as_str().to_owned()));
        }
        for filter in &self.filters {
            pairs.push(("f".to_owned(), format!("{}:{}", filter.dimension.as_str(), filter.key)));
        }
        if let Some(sort) = self.sort {
            pairs.push(("sort".to_owned(), sort.as_query()));
        }
        let (from, to) = self.range.to_query();
        pairs.push(("from".to_owned(), from));
        pairs.push(("to".to_owned(), to));
        if let Some(g) = self.granularity {
            pairs.push(("g".to_owned(), g.as_str().to_owned()));
        }
        if self.zone != ZoneChoice::Utc {
            pairs.push(("tz".to_owned(), self.zone.as_query().to_owned()));
        }
        if let Some(compare) = self.compare {
            pairs.push(("compare".to_owned(), compare.as_str().to_owned()));
        }
        if self.metric != Metric::Requests {
            pairs.push(("metric".to_owned(), self.metric.as_str().into_owned()));
        }
        if let Some(source) = &self.source {
            pairs.push(("source".to_owned(), source.clone()));
        }
        if self.kind != SourceKind::Auto {
            pairs.push(("kind".to_owned(), self.kind.as_str().to_owned()));
        }
        pairs
    }

    /// The same view with one more filter (drilling down); a filter already there is not doubled.
    pub fn with_filter(&self, filter: Filter) -> ViewState {
        let mut next = self.clone();
        if !next.filters.contains(&filter) {
            next.filters.push(filter);
        }
        next
    }

    /// The same view without filter `index` (its pill's button).
    pub fn without_filter(&self, index: usize) -> ViewState {
        let mut next = self.clone();
        if index < next.filters.len() {
            next.filters.remove(index);
        }
        next
    }

    /// Another tab, keeping the range, filters and source; a table order belongs to its tab.
    pub fn with_view(&self, view: View) -> ViewState {
        ViewState {
            view,
            sort: None,
            ..self.clone()
        }
    }
}

/// The zone a link's pairs ask for (`tz=`): what "today" is read in before the rest of the link,
/// whose range must end before it. Unreadable or absent is UTC.
pub fn zone_of(pairs: &[(String, String)]) -> ZoneChoice {
    pairs
        .iter()
        .find(|(k, _)| k == "tz")
        .and_then(|(_, v)| ZoneChoice::parse(v))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.split_once('=')
                    .map_or((p.to_owned(), String::new()), |(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect()
    }

    // Guards the grammar of the issue's own example, read and written back unchanged.
    #[test]
    fn reads_and_writes_the_example_link() {
        let link = "view=explore&by=ip&f=client:billing-sync&f=class:5xx&sort=-requests&from=2026-10-01&to=2026-10-31";
        let (state, notices) = ViewState::from_query(&pairs(link), today());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((state.view, state.by), (View::Explore, Dimension::Ip));
        assert_eq!(
            state.filters,
            [
                Filter {
                    dimension: Dimension::Client,
                    key: "billing-sync".into()
                },
                Filter {
                    dimension: Dimension::Class,
                    key: "5xx".into()
                }
            ]
        );
        assert_eq!(
            state.sort,
            Some(Sort {
                column: SortColumn::Requests,
                descending: true
            })
        );
        let written: Vec<String> = state.to_query().into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(written.join("&"), link);
    }

    // Guards round trips of any state, keys with colons (IPv6) and empty keys (unknown values) included.
    #[test]
    fn every_state_round_trips() {
        let range = DateRange::new(
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            today(),
        );
        for view in View::ALL {
            for sort in [
                None,
                Some(Sort {
                    column: SortColumn::Class(crate::StatusClass::RateLimited),
                    descending: false,
                }),
                Some(Sort {
                    column: SortColumn::P95,
                    descending: true,
                }),
            ] {
                let state = ViewState {
                    view,
                    by: if matches!(view, View::Explore | View::Today) {
                        Dimension::User
                    } else {
                        Dimension::Client
                    },
                    filters: vec![
                        Filter {
                            dimension: Dimension::Ip,
                            key: "2001:db8::1".into(),
                        },
                        Filter {
                            dimension: Dimension::User,
                            key: String::new(),
                        },
                    ],
                    sort,
                    range,
                    granularity: Some(Granularity::ALL[view as usize % 5]),
                    zone: [
                        ZoneChoice::Utc,
                        ZoneChoice::Local,
                        ZoneChoice::Named("America/St_Johns".into()),
                    ][view as usize % 3]
                        .clone(),
                    compare: [None, Some(Compare::Previous), Some(Compare::Year)][view as usize % 3],
                    metric: [Metric::ALL.to_vec(), vec![Metric::Measure("data_transfer".into())]].concat()
                        [view as usize % 5]
                        .clone(),
                    source: Some("https://usage.example/api".into()),
                    kind: SourceKind::ALL[view as usize % 5],
                };
                let (back, notices) = ViewState::from_query(&state.to_query(), today());
                assert!(notices.is_empty(), "{notices:?}");
                assert_eq!(back, state);
            }
        }
    }

    // Guards that a link with unreadable parts still shows a view, and says what it left out.
    #[test]
    fn unreadable_parts_give_notices() {
        let (state, notices) = ViewState::from_query(
            &pairs(
                "view=graphs&by=planet&f=nocolon&f=planet:x&sort=-loudness&f=method:GET&f=method:GET&g=fortnight&tz=<b>&compare=lastyear&metric=joy",
            ),
            today(),
        );
        assert_eq!(
            (state.view, state.by, state.sort),
            (View::Overview, Dimension::Client, None)
        );
        assert_eq!(
            (state.granularity, &state.zone, state.compare, state.metric),
            (None, &ZoneChoice::Utc, None, Metric::Requests)
        );
        assert_eq!(
            state.filters,
            [Filter {
                dimension: Dimension::Method,
                key: "GET".into()
            }],
            "a doubled filter is kept once"
        );
        assert_eq!(notices.len(), 9, "{notices:?}");
        let range = state.range;
        assert!(notices.iter().all(|n| !n.message(&range).is_empty()));
        assert!(notices[0].message(&range).contains("“graphs”"));
    }

    // Guards the query string both ways: keys with every character a link must escape, `+` as a
    // space, broken escapes kept, and the order of repeated filters.
    #[test]
    fn query_strings_round_trip() {
        let pairs = vec![
            ("f".to_owned(), "template:/a b/{id}?x=1&y=2#frag+100%".to_owned()),
            ("f".to_owned(), "ip:2001:db8::1".to_owned()),
            ("f".to_owned(), "user:Zoë 🙂".to_owned()),
        ];
        let written = write_query(&pairs);
        assert_eq!(
            written,
            "?f=template:/a%20b/%7Bid%7D%3Fx%3D1%26y%3D2%23frag%2B100%25&f=ip:2001:db8::1&f=user:Zo%C3%AB%20%F0%9F%99%82"
        );
        assert_eq!(parse_query(&written), pairs);
        assert_eq!(
            parse_query("a=1+2&b=%zz&c=%4&d&=e&&f=%C3"),
            [
                ("a".to_owned(), "1 2".to_owned()),
                ("b".to_owned(), "%zz".to_owned()),
                ("c".to_owned(), "%4".to_owned()),
                ("d".to_owned(), String::new()),
                (String::new(), "e".to_owned()),
                ("f".to_owned(), "\u{fffd}".to_owned()),
            ]
        );
        assert_eq!(write_query(&[]), "");
    }

    // Guards drilling down and removing a pill, and that another tab drops the table's order only.
    #[test]
    fn drilling_and_tabs() {
        let (state, _) = ViewState::from_query(&pairs("view=urls&sort=name"), today());
        let filter = Filter {
            dimension: Dimension::Template,
            key: "/a/{id}".into(),
        };
        let drilled = state.with_filter(filter.clone()).with_filter(filter.clone());
        assert_eq!(drilled.filters, [filter]);
        assert_eq!(drilled.without_filter(0).filters, []);
        let clients = drilled.with_view(View::Clients);
        assert_eq!(
            (clients.view, clients.sort, clients.filters.len()),
            (View::Clients, None, 1)
        );
        assert_eq!(
            Sort::clicked(None, SortColumn::Name),
            Sort {
                column: SortColumn::Name,
                descending: false
            }
        );
        assert!(
            !Sort::clicked(
                Some(Sort {
                    column: SortColumn::Requests,
                    descending: true
                }),
                SortColumn::Requests
            )
            .descending
        );
    }
}
