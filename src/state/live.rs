//! Where the data on screen comes from, above the pages: the demo, opened files and a live
//! source's whole lifecycle (connecting, the fetch, refreshing, latest-wins).
//!
//! A live source lives in the link (`source=`), like the rest of the view: connecting writes it
//! there, and this follows the link. So Back to a link with another source reconnects, Back to a
//! link without one shows the demo or files that were on screen before, and changing tab never
//! touches the connection. The controller is made once and owns its callbacks for the page's life.

use leptos::leptos_dom::helpers::IntervalHandle;
use leptos::prelude::*;
use usage_core::clickhouse::LatencyAsk;
use usage_core::metric::Metric;
use usage_core::rest::SourceKind;
use usage_core::view::View;
use usage_core::zone::{Window, ZoneChoice};
use usage_core::{DateRange, Granularity};

use crate::ingest::page::Cancel;
use crate::notices::Notice;
use crate::sources::rest::Ask;
use crate::sources::{DataSource, Dataset};
use crate::state::Dashboard;

/// Latencies the server counted, keyed by their values' texts, and the banner's note on them; or
/// why they could not be fetched.
type Counted = Result<(usage_core::latency::CountedLatency, Vec<String>, Option<String>), String>;

/// The live source's state, shared with the banner and the dialogs.
#[derive(Clone, Copy)]
pub struct SourceController {
    dashboard: Dashboard,
    /// A fetch is under way.
    pub loading: RwSignal<bool>,
    /// Bytes of the answer received so far, while a fetch is under way.
    pub received: RwSignal<u64>,
    /// Why the last refresh failed; the data on screen stays, marked stale.
    pub failure: RwSignal<Option<String>>,
    /// Automatic refresh, in minutes (0 = off).
    pub auto_refresh: RwSignal<u32>,
    refreshes: RwSignal<u32>,
    /// Bumped by every fetch: only the latest may land.
    latest: StoredValue<u64>,
    cancel: StoredValue<Cancel, LocalStorage>,
    /// The latencies' own fetch (ClickHouse), beside the counts': its worker, the fetch whose
    /// counts are on screen, and latencies that came before their counts.
    cancel_latency: StoredValue<Cancel, LocalStorage>,
    shown: StoredValue<u64>,
    early_latency: StoredValue<Option<(u64, Counted)>, LocalStorage>,
    /// What was on screen before a live source (demo or files), shown again when the link
    /// drops its source (Back).
    before_live: StoredValue<Option<Dataset>, LocalStorage>,
    /// What the last fetch was for: the source, the ask, the refresh count and the filters.
    followed: StoredValue<Option<Followed>, LocalStorage>,
}

/// What one fetch was for ([`SourceController::follow`]'s arguments and what else makes a fetch).
type Followed = (Option<String>, Ask, u32, Vec<usage_core::Filter>, SourceKind);

impl SourceController {
    pub fn new(dashboard: Dashboard) -> SourceController {
        let controller = SourceController {
            dashboard,
            loading: RwSignal::new(false),
            received: RwSignal::new(0),
            failure: RwSignal::new(None),
            auto_refresh: RwSignal::new(0),
            refreshes: RwSignal::new(0),
            latest: StoredValue::new(0),
            cancel: StoredValue::new_local(Cancel::default()),
            cancel_latency: StoredValue::new_local(Cancel::default()),
            shown: StoredValue::new(0),
            early_latency: StoredValue::new_local(None),
            before_live: StoredValue::new_local(None),
            followed: StoredValue::new_local(None),
        };
        let source = Memo::new(move |_| dashboard.view.with(|v| v.source.clone()));
        let kind = Memo::new(move |_| dashboard.view.with(|v| v.kind));
        // What a live source is asked for: the UTC days the range's days touch in the link's zone,
        // up to yesterday in UTC; on the Today view, the UTC days its 24 hours touch, today
        // included, in 10-minute buckets (asked again as they move on). ClickHouse also gets the
        // zone to count on, the compared period and what the view's widgets show.
        let ask = Memo::new(move |_| {
            let day = |t: i64| usage_core::range::date_of_day(t.div_euclid(86_400));
            let can = kind.get().capabilities();
            let today_view = dashboard.view.with(|v| v.view == View::Today);
            // A source asked per view gets what its widgets show; the others answer with every
            // dimension they have.
            let groupings = if can.per_widget {
                dashboard
                    .view
                    .with(|v| usage_core::widgets::view_groupings(v.view, v.by))
            } else {
                Vec::new()
            };
            let (range, today_utc) = (dashboard.range.get(), dashboard.today_utc.get());
            let compared = dashboard
                .view
                .with(|v| v.compare)
                .and_then(|c| c.period(&range))
                .filter(|_| can.per_widget && !today_view);
            // A source that counts on the link's zone's clock does so over the zone's own days,
            // whatever the data on screen was counted in; the others count UTC days.
            let zone = can
                .counts_in_zone
                .then(|| dashboard.zone_name.get())
                .flatten()
                .and_then(|name| {
                    let earliest = compared.map_or(range.from(), |(from, _)| from.min(range.from()));
                    let (from, until) = (
                        (usage_core::range::day_number(earliest) - 2) * 86_400,
                        (usage_core::range::day_number(today_utc) + 2) * 86_400,
                    );
                    let offsets = crate::state::clock::offsets(&ZoneChoice::Named(name.clone()), from, until).ok()?;
                    Some((name, offsets))
                });
            let utc_days = |window: Window, today| DateRange::new(day(window.start), day(window.end - 1), today);
            // A source that counts latencies does so over exactly the view's window: its table's
            // percentiles, and with `metric=p95` its chart's p95 per bucket, in the buckets the
            // chart will draw the fetched data in.
            let latency = |window: Window, before: Option<Window>, fetched: Granularity| {
                let (table, charted) = dashboard
                    .view
                    .with(|v| usage_core::widgets::latency_widgets(v.view, v.by));
                let chart = dashboard.view.with(|v| {
                    let data_bucket = fetched.fixed_seconds().unwrap_or(86_400);
                    let granularity = if today_view {
                        fetched
                    } else {
                        usage_core::zone::default_granularity(range.days(), data_bucket, v.granularity)
                    };
                    (v.metric == Metric::P95).then_some((charted, granularity))
                });
                can.counts_latency
                    .then_some(LatencyAsk {
                        window,
                        before,
                        table,
                        chart,
                    })
                    .filter(|ask| ask.table.is_some() || ask.chart.is_some())
            };
            if today_view {
                let window = zone.as_ref().map_or_else(
                    || dashboard.last_day.get(),
                    |(_, offsets)| offsets.last_day(dashboard.now.get()),
                );
                let tomorrow = day(window.end - 1 + 86_400);
                let latency = latency(window, None, Granularity::TenMinutes);
                return Ask {
                    range: utc_days(window, tomorrow),
                    today: tomorrow,
                    granularity: Some(Granularity::TenMinutes),
                    groupings,
                    zone,
                    before: None,
                    latency,
                    window: can.lists_callers.then_some(window),
                };
            }
            let window_of = |range: &DateRange| {
                zone.as_ref().map_or_else(
                    || dashboard.offsets.with(|o| o.window(range)),
                    |(_, offsets)| offsets.window(range),
                )
            };
            let window = window_of(&range);
            let before_window = compared.map(|(from, to)| window_of(&DateRange::new(from, to, dashboard.today.get())));
            let before = before_window.map(|w| utc_days(w, today_utc));
            // A source asked for any bucket buckets as finely as the view's own days need, not the
            // UTC days around them, or as the link's finer `g=` asks.
            let fetched = dashboard
                .view
                .with(|v| usage_core::clickhouse::fetch_granularity(&range, v.granularity));
            let granularity = can.any_bucket.then_some(fetched);
            let latency = latency(window, before_window, fetched);
            Ask {
                range: utc_days(window, today_utc),
                today: today_utc,
                granularity,
                groupings,
                zone,
                before,
                latency,
                window: can.lists_callers.then_some(window),
            }
        });
        // A server that applies the link's filters itself (its /meta says so) is asked again when
        // they change; any other source is filtered here, at once.
        let pushed = Memo::new(move |_| {
            let applies = kind.get().capabilities().applies_filters
                || dashboard.dataset.with(|d| matches!(&d.source, DataSource::Live(live) if live.meta.as_ref().is_some_and(|m| m.as_ref().is_ok_and(|m| m.filters))));
            if applies {
                dashboard.view.with(|v| v.filters.clone())
            } else {
                Vec::new()
            }
        });
        // Each link is fetched once: the effect also runs again with the same inputs (twice on
        // every page load, seen in the ClickHouse end-to-end test), which would send every query
        // twice. "Refresh" counts up, so it fetches again.
        Effect::new(move |_| {
            let followed: Followed = (
                source.get(),
                ask.get(),
                controller.refreshes.get(),
                pushed.get(),
                kind.get(),
            );
            if controller.followed.with_value(|last| last.as_ref() == Some(&followed)) {
                return;
            }
            controller.followed.set_value(Some(followed.clone()));
            controller.follow(followed.0, followed.1);
        });
        // The Today view of a live source is fetched again every minute.
        let today_live =
            Memo::new(move |_| source.with(Option::is_some) && dashboard.view.with(|v| v.view == View::Today));
        Effect::new(move |previous: Option<Option<IntervalHandle>>| {
            if let Some(Some(handle)) = previous {
                handle.clear();
            }
            today_live
                .get()
                .then(|| {
                    leptos::leptos_dom::helpers::set_interval_with_handle(
                        move || controller.refresh(),
                        std::time::Duration::from_secs(60),
                    )
                    .ok()
                })
                .flatten()
        });
        // The demo is made again as the Today view's 24 hours move on, so they reach now.
        Effect::new(move |first: Option<()>| {
            dashboard.last_day.track();
            if first.is_none() {
                return;
            }
            let demo_today = dashboard
                .dataset
                .with_untracked(|d| matches!(d.source, DataSource::Demo))
                && dashboard.view.with_untracked(|v| v.view == View::Today);
            if demo_today && let Ok(dataset) = crate::sources::demo::load(dashboard.now.get_untracked()) {
                dashboard.dataset.set(dataset);
            }
        });
        Effect::new(move |previous: Option<Option<IntervalHandle>>| {
            if let Some(Some(handle)) = previous {
                handle.clear();
            }
            let minutes = controller.auto_refresh.get();
            (minutes > 0 && source.with(Option::is_some))
                .then(|| {
                    leptos::leptos_dom::helpers::set_interval_with_handle(
                        move || controller.refresh(),
                        std::time::Duration::from_secs(u64::from(minutes) * 60),
                    )
                    .ok()
                })
                .flatten()
        });
        controller
    }

    /// Shows what the link asks for: fetches `source` for `ask`, or, without a source, stops
    /// any fetch and shows again what was on screen before a live source.
    fn follow(self, source: Option<String>, ask: Ask) {
        self.latest.update_value(|n| *n += 1);
        self.cancel.with_value(Cancel::cancel);
        self.cancel_latency.with_value(Cancel::cancel);
        self.early_latency.set_value(None);
        let Some(source) = source else {
            self.loading.set(false);
            self.failure.set(None);
            self.dashboard.clear("live-failure");
            if let Some(dataset) = self.before_live.get_value().filter(|_| self.showing_live()) {
                self.dashboard.dataset.set(dataset);
            }
            return;
        };
        let this_fetch = self.latest.get_value();
        let cancel = Cancel::default();
        self.cancel.set_value(cancel.clone());
        self.loading.set(true);
        self.received.set(0);
        // The latencies the view shows come from a worker of their own, so the counts show as
        // soon as they are in (a month's percentiles read every request of it); beside them,
        // or once they are in where both rank a dimension's every value (`after_counts`).
        let filters = self.dashboard.view.with_untracked(|v| v.filters.clone());
        let after_counts = ask.latency.as_ref().is_some_and(|l| l.after_counts(&filters));
        let latency = ask.latency.is_some().then(|| {
            let (source, ask, cancel) = (source.clone(), ask.clone(), Cancel::default());
            self.cancel_latency.set_value(cancel.clone());
            move || {
                leptos::task::spawn_local(async move {
                    let (filters, kind) = self.dashboard.view.with_untracked(|v| (v.filters.clone(), v.kind));
                    let counted =
                        crate::sources::rest::fetch_latency(&source, kind, &ask, &filters, this_fetch as u32, &cancel)
                            .await;
                    if self.latest.get_value() != this_fetch {
                        return;
                    }
                    if self.shown.get_value() == this_fetch {
                        self.show_latency(counted);
                    } else {
                        self.early_latency.set_value(Some((this_fetch, counted)));
                    }
                })
            }
        });
        let (now, later) = if after_counts { (None, latency) } else { (latency, None) };
        if let Some(start) = now {
            start();
        }
        leptos::task::spawn_local(async move {
            let on_progress = move |bytes| {
                if self.latest.get_value() == this_fetch {
                    self.received.set(bytes);
                }
            };
            let (filters, kind) = self.dashboard.view.with_untracked(|v| (v.filters.clone(), v.kind));
            let result =
                crate::sources::rest::fetch(&source, kind, &ask, &filters, this_fetch as u32, on_progress, &cancel)
                    .await;
            // A fetch overtaken by a newer one (another source, range or refresh) is dropped.
            if self.latest.get_value() != this_fetch {
                return;
            }
            // Still loading while the answer's clients are counted: "Connecting…" stays until it shows.
            if let Ok(dataset) = &result {
                self.dashboard
                    .prepare(dataset.store.clone(), self.dashboard.range.get_untracked())
                    .await;
                if self.latest.get_value() != this_fetch {
                    return;
                }
            }
            self.loading.set(false);
            match result {
                Ok(dataset) => {
                    self.failure.set(None);
                    self.dashboard.clear("live-failure");
                    self.dashboard.clear("empty-notice");
                    self.keep_what_was_shown();
                    self.dashboard.dataset.set(dataset);
                    self.shown.set_value(this_fetch);
                    if let Some((_, counted)) = self
                        .early_latency
                        .try_update_value(Option::take)
                        .flatten()
                        .filter(|(fetch, _)| *fetch == this_fetch)
                    {
                        self.show_latency(counted);
                    }
                    if let Some(start) = later {
                        start();
                    }
                }
                Err(message) if self.showing_live() => self.failure.set(Some(message)),
                // Before any live data arrived, the previous data stays, unmarked, and a notice says why.
                Err(message) => self.dashboard.notify(Notice::LiveFailed(message)),
            }
        });
    }

    /// Gives the data on screen the latencies counted for it, and says in the banner where they
    /// were counted, or why they were not.
    fn show_latency(self, counted: Counted) {
        self.dashboard.dataset.update(|d| {
            let note = match counted {
                Ok((counted, texts, note)) => {
                    d.store.set_counted_latency(counted.resolve(&texts, &d.store));
                    note
                }
                Err(why) => Some(format!("Latency percentiles were not counted: {why}")),
            };
            if let (Some(note), DataSource::Live(live)) = (note, &mut d.source) {
                live.caveat = Some(
                    live.caveat
                        .take()
                        .map_or_else(|| note.clone(), |caveat| format!("{caveat} {note}")),
                );
            }
        });
    }

    fn showing_live(self) -> bool {
        self.dashboard
            .dataset
            .with_untracked(|d| matches!(d.source, DataSource::Live(_)))
    }

    fn keep_what_was_shown(self) {
        if !self.showing_live() {
            self.before_live.set_value(Some(self.dashboard.dataset.get_untracked()));
        }
    }

    /// Connects `source`, read as `kind`: both go into the link, and the link is followed.
    pub fn connect(self, source: String, kind: SourceKind) {
        self.dashboard.clear("live-failure");
        if self
            .dashboard
            .view
            .with_untracked(|v| v.source.as_deref() == Some(source.as_str()) && v.kind == kind)
        {
            self.refresh();
        }
        self.dashboard.go_with(|v| {
            v.source = Some(source);
            v.kind = kind;
        });
    }

    pub fn refresh(self) {
        self.refreshes.update(|n| *n += 1);
    }

    /// Shows opened files over the days they cover (up to 60, ending yesterday), disconnecting a
    /// live source, whose next refresh would otherwise replace them. Their clients are counted
    /// first, in tasks of their own ([`Dashboard::prepare`]).
    pub async fn show_files(self, dataset: Dataset) {
        let dashboard = self.dashboard;
        let covering = dataset.store.covering_range(
            &dashboard.offsets_for(&dataset.store),
            dashboard.now.get_untracked(),
            60,
        );
        dashboard
            .prepare(
                dataset.store.clone(),
                covering.unwrap_or_else(|| dashboard.range.get_untracked()),
            )
            .await;
        match covering {
            Some(_) => dashboard.clear("empty-notice"),
            None => dashboard.notify(Notice::NothingBeforeToday),
        }
        self.before_live.set_value(None);
        // The range first, then the data: the new data is never counted over the old range
        // only to be counted again (a million clients make each count costly).
        dashboard.go_with(|v| {
            v.source = None;
            v.kind = SourceKind::Auto;
            if let Some(range) = covering {
                v.range = range;
            }
        });
        dashboard.dataset.set(dataset);
    }

    /// Back to the demo data, disconnecting a live source.
    pub fn show_demo(self) {
        let dashboard = self.dashboard;
        self.before_live.set_value(None);
        match crate::sources::demo::load(dashboard.now.get_untracked()) {
            Ok(dataset) => {
                dashboard.clear("empty-notice");
                dashboard.dataset.set(dataset);
            }
            Err(message) => dashboard.notify(Notice::DemoFailed(message)),
        }
        dashboard.go_with(|v| {
            v.source = None;
            v.kind = SourceKind::Auto;
        });
    }
}
