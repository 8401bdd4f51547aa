//! The dashboard's state, provided once at the root: the data on screen, the view the link asks
//! for (parsed once by the core), the notices, and the queries every page shares.
//!
//! The link is the one source of truth for the view. Nothing writes the address bar but
//! [`Dashboard::go`], and everything on screen follows [`Dashboard::view`], so Back, Forward,
//! a reload and a shared link all show the same thing.
//!
//! Here: the dashboard's signals and the queries every page shares; `link` (the address bar's
//! one writer), `clock` (the only reader of the clock), `zone` (the offsets days follow),
//! `chosen` (the chart selection) and `live` (the live source's controller, which turns the
//! link into fetches). The sources only yield datasets; what reaches the dashboard goes
//! through here.

pub mod chosen;
pub mod clock;
pub mod link;
pub mod live;
pub mod zone;

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use usage_core::formats::tabular::MappingProposal;
use usage_core::query::StatusDetail;
use usage_core::view::{ViewNotice, ViewState, parse_query, zone_of};
use usage_core::zone::{Offsets, Window, ZoneChoice, default_granularity, granularities};
use usage_core::{Breakdown, ClientSelection, DateRange, Dimension, Granularity, RecordFilter, UsageStore};

use self::zone::zone_offsets;
use crate::notices::Notice;
use crate::sources::{DataSource, Dataset};
use crate::{sources, storage};

/// Breakdowns counted ahead (clients, URL templates), with what they were counted for.
struct Prepared {
    store: Arc<UsageStore>,
    span: Window,
    filter: RecordFilter,
    breakdowns: Vec<Breakdown>,
}

/// Takes the breakdown of `dimension` out of `prepared` when it was counted for this store,
/// window and filters. Anything counted for other data is dropped: a million clients' rows are a
/// hundred megabytes.
fn take_prepared(
    prepared: StoredValue<Option<Prepared>>,
    dimension: Dimension,
    store: &Arc<UsageStore>,
    span: Window,
    filter: &RecordFilter,
) -> Option<Breakdown> {
    prepared
        .try_update_value(|slot| {
            let fits = slot
                .as_ref()
                .is_some_and(|p| Arc::ptr_eq(&p.store, store) && p.span == span && p.filter == *filter);
            if !fits {
                *slot = None;
                return None;
            }
            let p = slot.as_mut()?;
            let at = p.breakdowns.iter().position(|b| b.dimension == dimension)?;
            Some(p.breakdowns.swap_remove(at))
        })
        .flatten()
}

/// Whether the page is dark now (the theme provides it): charts redraw in its ink.
#[derive(Clone, Copy)]
pub struct Dark(pub Memo<bool>);

impl Dark {
    /// The page's flag, or light where no theme is provided (a test that mounts one card).
    pub fn now() -> Signal<bool> {
        let dark = use_context::<Dark>();
        Signal::derive(move || dark.is_some_and(|d| d.0.get()))
    }
}

/// Everything the shell and the pages share. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct Dashboard {
    /// Today's UTC date: what a live source, which counts UTC days, is asked up to.
    pub today_utc: Memo<NaiveDate>,
    /// The clock, read again every minute and whenever the tab comes back into view.
    pub now: RwSignal<i64>,
    /// Today in the link's zone: every range ends before it.
    pub today: Memo<NaiveDate>,
    /// The Today view's 24 hours, up to the end of the 10-minute bucket that holds now.
    pub last_day: Memo<Window>,
    /// The zone days and buckets follow: the link's, or UTC for data counted in whole UTC days.
    pub offsets: Memo<Offsets>,
    /// The link's zone.
    pub zone: Memo<ZoneChoice>,
    /// The zone's name as labels show it (`UTC`, `Asia/Kathmandu`).
    pub zone_label: Memo<String>,
    /// The link's zone as an IANA name, for a source that counts on its clock (ClickHouse);
    /// `None` for UTC, or a browser that does not name its own zone.
    pub zone_name: Memo<Option<String>>,
    /// Why the zone shown is not the one the link asks for.
    pub zone_note: Memo<Option<String>>,
    /// The time charts' buckets: the link's when the range offers them, else the range's default.
    pub granularity: Memo<Granularity>,
    /// What the range and the data offer.
    pub granularities: Memo<Vec<Granularity>>,
    /// The finest bucket, in seconds, that the charts may offer: the data's own, or any for a
    /// source asked again for finer ones (ClickHouse).
    pub offered_bucket: Memo<i64>,
    /// The data's widest bucket, in seconds (1 for per-request data): nothing finer is offered.
    pub data_bucket: Memo<i64>,
    /// The data on screen. A failed load leaves it unchanged.
    pub dataset: RwSignal<Dataset>,
    /// What the link asks for.
    pub view: Memo<ViewState>,
    /// What the link asked for that could not be read.
    pub link_notices: Memo<Vec<ViewNotice>>,
    /// Notices that stay until something replaces or clears them (load failures and the like).
    pub notices: RwSignal<Vec<Notice>>,
    /// A CSV whose columns the user is asked to confirm (or change), and the guess to start from.
    pub pending_mapping: RwSignal<Option<(String, MappingProposal)>>,
    /// A file whose lines are in no known format (its name, its first line, and why the format
    /// given does not read it): "Log format…" asks for the format it was written with.
    pub pending_log_format: RwSignal<Option<(String, String, Option<String>)>>,
    /// The user's client/URL selection (persisted in localStorage).
    pub selection: RwSignal<ClientSelection>,
    pub store: Signal<Arc<UsageStore>>,
    /// The link's range alone: what depends on it is not redone when the order or view changes.
    pub range: Memo<DateRange>,
    /// The stretch of time the range's days cover in the zone.
    pub span: Memo<Window>,
    /// The comparison period's, when the link compares.
    pub compare_span: Memo<Option<Window>>,
    /// The link's filters, resolved against the store.
    pub filter: Memo<RecordFilter>,
    /// Every client through the filters: the KPIs and the clients tables.
    pub clients: Memo<Breakdown>,
    /// `clients` and the URL templates counted ahead for data about to be shown ([`Dashboard::prepare`]).
    prepared: StoredValue<Option<Prepared>>,
    /// The same for the comparison period, when the link compares (`Err` when the data does not
    /// reach back to it): the KPIs' change and the clients tables' Change column share it.
    pub clients_before: Memo<Option<Result<Breakdown, ()>>>,
    /// How exact the data's status codes are.
    pub status_detail: Memo<StatusDetail>,
    navigate: Callback<(String, bool)>,
    path: Memo<String>,
}

impl Dashboard {
    /// Loads the demo data and the saved selection, and reads the link. Call inside `<Router>`
    /// (so no `Default`, which could be called anywhere).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Dashboard {
        let mut notices = Vec::new();
        // One reading of the clock for the demo and `now`, so the demo's last bucket is the one
        // the Today view shows as still filling.
        let started = crate::state::clock::now();
        let dataset = sources::demo::load(started).unwrap_or_else(|message| {
            notices.push(Notice::DemoFailed(message));
            Dataset {
                store: Arc::new(UsageStore::default()),
                source: DataSource::Demo,
            }
        });
        let stored = storage::load_selection();
        notices.extend(stored.notice.map(Notice::StoredSelection));

        let location = use_location();
        let navigate = use_navigate();
        let dataset = RwSignal::new(dataset);
        let store: Signal<Arc<UsageStore>> = Signal::derive(move || dataset.with(|d| d.store.clone()));
        // The widest bucket of the data, in seconds: nothing finer can be charted.
        let data_bucket = Memo::new(move |_| store.with(|s| s.widest_bucket().seconds().max(1)));
        let day_span = Memo::new(move |_| store.with(|s| s.day_span()));

        let pairs = Memo::new(move |_| location.search.with(|search| parse_query(search)));
        let zone = Memo::new(move |_| pairs.with(|p| zone_of(p)));
        let zone_name = Memo::new(move |_| match zone.get() {
            ZoneChoice::Utc => None,
            ZoneChoice::Local => crate::state::clock::local_zone_name(),
            ZoneChoice::Named(name) => Some(name),
        });
        // The zone a live source counted its buckets on (ClickHouse, asked for one).
        let counted_zone = Memo::new(move |_| {
            dataset.with(|d| match &d.source {
                DataSource::Live(live) => live.zone.clone(),
                _ => None,
            })
        });
        let zoned = Memo::new(move |_| {
            // ClickHouse counts whole days on the zone's own clock when asked to.
            let counted_in_zone = counted_zone.with(|counted| counted.is_some() && *counted == zone_name.get());
            zone_offsets(
                &zone.get(),
                zone_name.get(),
                counted_in_zone,
                data_bucket.get(),
                day_span.get(),
            )
        });
        let offsets = Memo::new(move |_| zoned.with(|z| z.0.clone()));
        let zone_label = Memo::new(move |_| zoned.with(|z| z.1.clone()));
        let zone_note = Memo::new(move |_| zoned.with(|z| z.2.clone()));
        // Read again every minute, and when the tab is shown again (a laptop waking up throttles
        // timers), so a tab left open past midnight moves its "yesterday" on without a reload.
        // `today` changes, and with it everything after, only at midnight.
        let now = RwSignal::new(started);
        let _ = set_interval_with_handle(
            move || now.set(crate::state::clock::now()),
            std::time::Duration::from_secs(60),
        );
        let on_focus = window_event_listener(leptos::ev::focus, move |_| now.set(crate::state::clock::now()));
        // `visibilitychange` bubbles from the document to the window.
        let on_shown = window_event_listener(leptos::ev::visibilitychange, move |_| {
            now.set(crate::state::clock::now())
        });
        on_cleanup(move || {
            on_focus.remove();
            on_shown.remove();
        });
        let today_utc = Memo::new(move |_| usage_core::range::date_of_day(now.get().div_euclid(86_400)));
        let today = Memo::new(move |_| offsets.with(|o| o.local_date(now.get())));
        let last_day = Memo::new(move |_| offsets.with(|o| o.last_day(now.get())));

        let parsed = Memo::new(move |_| pairs.with(|p| ViewState::from_query(p, today.get())));
        let view = Memo::new(move |_| parsed.with(|(view, _)| view.clone()));
        let link_notices = Memo::new(move |_| parsed.with(|(_, notices)| notices.clone()));

        let range = Memo::new(move |_| view.with(|v| v.range));
        let span = Memo::new(move |_| offsets.with(|o| o.window(&range.get())));
        let compare_span = Memo::new(move |_| {
            let compare = view.with(|v| v.compare)?;
            let (from, to) = compare.period(&range.get())?;
            Some(offsets.with(|o| o.window(&DateRange::new(from, to, today.get()))))
        });
        // A source that counts whatever buckets the link asks for (it is asked again) offers every
        // granularity a range allows, not only the data's own; other data, no finer than it
        // comes in.
        let offered_bucket = Memo::new(move |_| {
            let any_bucket = dataset.with(|d| matches!(&d.source, DataSource::Live(live) if live.can.any_bucket));
            if any_bucket { 1 } else { data_bucket.get() }
        });
        let granularities = Memo::new(move |_| granularities(range.with(|r| r.days()), offered_bucket.get()));
        let granularity = Memo::new(move |_| {
            default_granularity(
                range.with(|r| r.days()),
                data_bucket.get(),
                view.with(|v| v.granularity),
            )
        });
        let filter = Memo::new(move |_| store.with(|s| view.with(|v| RecordFilter::new(s, &v.filters))));
        let prepared: StoredValue<Option<Prepared>> = StoredValue::new(None);
        let clients = Memo::new(move |_| {
            let span = span.get();
            store.with(|s| {
                filter.with(|f| {
                    take_prepared(prepared, Dimension::Client, s, span, f)
                        .unwrap_or_else(|| s.breakdown(span, Dimension::Client, f, false))
                })
            })
        });
        let clients_before = Memo::new_with_compare(
            move |_| {
                let window = compare_span.get()?;
                Some(store.with(|s| {
                    s.reaches_back_to(window.start)
                        .then(|| filter.with(|f| s.breakdown(window, Dimension::Client, f, false)))
                        .ok_or(())
                }))
            },
            // A million clients' rows are never compared, only replaced.
            |_, _| true,
        );
        let status_detail = Memo::new(move |_| dataset.with(|d| status_detail_of(&d.source)));
        Dashboard {
            today_utc,
            now,
            today,
            last_day,
            offsets,
            zone,
            zone_label,
            zone_name,
            zone_note,
            granularity,
            granularities,
            offered_bucket,
            data_bucket,
            compare_span,
            dataset,
            view,
            link_notices,
            notices: RwSignal::new(notices),
            pending_mapping: RwSignal::new(None),
            pending_log_format: RwSignal::new(None),
            selection: RwSignal::new(stored.selection),
            store,
            range,
            span,
            filter,
            clients,
            prepared,
            clients_before,
            status_detail,
            navigate: Callback::new(move |(url, replace): (String, bool)| {
                navigate(
                    &url,
                    NavigateOptions {
                        scroll: false,
                        replace,
                        ..Default::default()
                    },
                )
            }),
            path: location.pathname,
        }
    }

    /// What a saved chart image says it shows (the period, with its zone) and its file name's
    /// stem: the range's days, or the Today view's last 24 hours.
    pub fn chart_period(self) -> Signal<(String, String)> {
        Signal::derive(move || {
            let stem = self.view.with(|v| match v.view {
                usage_core::view::View::Today => "last-24-hours".to_owned(),
                _ => {
                    let (from, to) = v.range.to_query();
                    format!("{from}-to-{to}")
                }
            });
            (self.period(), stem)
        })
    }

    /// Counts the clients of `store`, about to be shown over `range`, for the view on screen, in
    /// three tasks (counts, order, rows) each after a turn of the page, then its URL templates in
    /// a fourth, and keeps them for `clients` and the templates' memo. Showing the store then takes no task that long: with a million clients each
    /// step takes tens of milliseconds, the three together longer than the page should stall.
    /// Should the view change in between, `clients` counts again, so what shows is always right.
    pub async fn prepare(self, store: Arc<UsageStore>, range: DateRange) {
        use crate::ingest::page::yield_to_page;
        let span = self.offsets.with_untracked(|o| o.window(&range));
        let filter = self.view.with_untracked(|v| RecordFilter::new(&store, &v.filters));
        yield_to_page().await;
        let tally = store.tally(span, Dimension::Client, &filter, false);
        yield_to_page().await;
        let order = tally.order(&store);
        yield_to_page().await;
        let clients = tally.into_breakdown(&order, &store);
        // The URL templates (one more pass over the records) in a task of their own too.
        yield_to_page().await;
        let templates = store.breakdown(span, Dimension::Template, &filter, false);
        // And the status codes (the overview's card), in a task of their own as well.
        yield_to_page().await;
        let statuses = store.breakdown(span, Dimension::Status, &filter, false);
        let _ = self.prepared.try_set_value(Some(Prepared {
            store,
            span,
            filter,
            breakdowns: vec![clients, templates, statuses],
        }));
    }

    /// The breakdown of `dimension` counted ahead ([`Dashboard::prepare`]) for this store, window
    /// and filters, if there is one: for the URL templates' memo, as `clients` takes its own.
    pub fn prepared(
        &self,
        dimension: Dimension,
        store: &Arc<UsageStore>,
        span: Window,
        filter: &RecordFilter,
    ) -> Option<Breakdown> {
        take_prepared(self.prepared, dimension, store, span, filter)
    }

    /// What the figures on screen cover, in words: the range's days and the zone, or the Today
    /// view's 24 hours. The period line and every chart's PNG say it.
    pub fn period(&self) -> String {
        use usage_core::format::long_date;
        let zone = self.zone_label.get();
        if self.view.with(|v| v.view == usage_core::view::View::Today) {
            let end = self.offsets.with(|o| o.local(self.now.get()));
            let day = usage_core::range::date_of_day(end.div_euclid(86_400));
            return format!(
                "The last 24 hours to {} {} · {zone} · incomplete",
                long_date(day),
                usage_core::format::bucket_label(end, Granularity::TenMinutes)
            );
        }
        let r = self.range.get();
        let days = if r.days() == 1 {
            long_date(r.from())
        } else {
            format!("{} – {}", long_date(r.from()), long_date(r.to()))
        };
        format!("{days} · {zone}")
    }

    /// Shows a notice, replacing any of the same kind.
    pub fn notify(&self, notice: Notice) {
        self.notices.update(|list| {
            list.retain(|n| n.kind() != notice.kind());
            list.push(notice);
        });
    }

    /// Takes away the notices of `kind` (a [`Notice::kind`]).
    pub fn clear(&self, kind: &'static str) {
        if self
            .notices
            .with_untracked(|list| list.iter().any(|n| n.kind() == kind))
        {
            self.notices.update(|list| list.retain(|n| n.kind() != kind));
        }
    }

    /// Saves and applies a new selection.
    pub fn choose(&self, selection: ClientSelection) {
        match storage::save_selection(&selection) {
            Ok(()) => self.clear("selection-not-saved"),
            Err(e) => self.notify(Notice::SelectionNotSaved(e)),
        }
        self.clear("stored-selection");
        self.selection.set(selection);
    }

    /// Whether the data can be broken down by `dimension`, and if not, why.
    pub fn availability(&self, dimension: Dimension) -> Result<(), usage_core::query::Unavailable> {
        let detail = self.status_detail.get();
        let (offered, per_view) = self.dataset.with(|d| match &d.source {
            DataSource::Live(live) => (
                live.meta
                    .as_ref()
                    .and_then(|m| m.as_ref().ok())
                    .map(|m| m.dimensions.clone())
                    .unwrap_or_default(),
                live.can.per_widget,
            ),
            _ => (Vec::new(), false),
        });
        // A source asked per view for the dimensions its widgets show offers one its table has
        // until it has been asked for (then its values say), and is asked for it when chosen.
        let column = if dimension == Dimension::Class {
            Dimension::Status
        } else {
            dimension
        };
        if per_view
            && offered.contains(&column)
            && !self.store.with(|s| s.parts().iter().any(|p| p.grouping.has(column)))
        {
            return Ok(());
        }
        self.store.with(|s| dimension.offered_by(&offered, s, detail))
    }
}

/// How exact the status codes of a source are: the least exact of its files.
fn status_detail_of(source: &DataSource) -> StatusDetail {
    match source {
        DataSource::Demo => StatusDetail::Codes,
        DataSource::Files { files, .. } => files
            .iter()
            .map(|f| f.status_detail)
            .max_by_key(|d| *d as u8)
            .unwrap_or_default(),
        DataSource::Live(live) => live.can.status,
    }
}
