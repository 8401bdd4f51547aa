//! The overview page: range filter, KPI tiles, three charts and the clients table.
//!
//! Every number here comes from a core query wrapped in a `Memo`; this file
//! only wires user intent (range in the URL, selection) to those queries.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use usage_core::format::{compact, long_date, percent, thousands, visible_name};
use usage_core::range::date_of_day;
use usage_core::formats::ReadReport;
use usage_core::query::{DaySpan, chosen_and_other, client_count, share, total_of};
use usage_core::range::RangeNotice;
use usage_core::{DateRange, Granularity, Scope, StatusClass, UsageStore};

use crate::app::DashboardState;
use crate::charts::canvas::ChartCanvas;
use crate::charts::doughnut::{Slice, draw_doughnut};
use crate::charts::line::{LineChart, draw_line_chart};
use crate::charts::palette::{OTHER_COLOR, client_color, client_swatch};
use crate::charts::stacked_bar::{Bar, draw_stacked_bars};
use crate::charts::Series;
use crate::components::clients_table::ClientsTable;
use crate::components::date_range::DateRangeFilter;
use crate::components::kpi_tiles::KpiTiles;
use crate::components::live_details::LiveDetails;
use crate::components::legend::{Legend, LegendItem};
use crate::components::selection_dialog::SelectionDialog;
use crate::components::connect_dialog::ConnectDialog;
use crate::components::export::ExportButtons;
use crate::components::file_open::FileOpen;
use crate::sources::{DataSource, Dataset};
use crate::sources::file::size_text;

/// The overview of API usage for the chosen range.
#[component]
pub fn Overview() -> impl IntoView {
    let state = expect_context::<DashboardState>();
    let today = state.today;
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();

    // The range lives in the URL (?from=&to=, inclusive UTC days), so reloads and shared links keep the view.
    let parsed = Memo::new(move |_| query.with(|q| DateRange::from_query(q.get_str("from"), q.get_str("to"), today)));
    let range = Memo::new(move |_| parsed.get().0);
    let range_notice = Memo::new(move |_| {
        parsed.get().1.map(|n| match n {
            RangeNotice::ClampedToYesterday => "The link asked for today or later; the range now ends yesterday, the last complete day.".to_owned(),
            RangeNotice::Swapped => "The link's start came after its end, so the two were swapped.".to_owned(),
            RangeNotice::Shortened => format!(
                "Ranges are at most {} days (about 10 years) and start no earlier than 1970, so this one now starts on {}.",
                thousands(usage_core::range::MAX_DAYS as u64),
                long_date(parsed.get().0.from())
            ),
            RangeNotice::Invalid(e) => format!("The link's date range could not be read ({e}); showing the last 30 days."),
        })
    });
    // A live source: from ?source= or "Connect API…"; refetched when the range changes or on Refresh.
    let live_source = RwSignal::new(query.get_untracked().get("source").filter(|s| !s.trim().is_empty()));
    let live_failure = RwSignal::new(None::<String>);

    // Writes the view into the URL: the range, and `source` exactly while a live source is connected,
    // so a reload or a shared link shows the same data.
    let navigate_to_range = move |next: DateRange| {
        let (from, to) = next.to_query();
        let mut params = query.get_untracked();
        params.replace("from", from);
        params.replace("to", to);
        match live_source.get_untracked() {
            Some(source) => params.replace("source", source),
            None => {
                params.remove("source");
            }
        }
        let path = location.pathname.get_untracked();
        navigate(&format!("{path}{}", params.to_query_string()), NavigateOptions { scroll: false, ..Default::default() });
    };
    let set_range = Callback::new(navigate_to_range);

    // A newly opened file: show it, over the days it covers (up to 60, ending yesterday).
    let empty_notice = RwSignal::new(None::<String>);
    let on_loaded = Callback::new(move |dataset: Dataset| {
        // A file replaces a live source: disconnect it, or its next refresh would replace the file.
        live_source.set(None);
        live_failure.set(None);
        let span = dataset.store.day_span();
        empty_notice.set(None);
        let covering = span.and_then(|(first, last)| DateRange::covering(first, last, today, 60));
        if covering.is_none() {
            empty_notice.set(Some(
                "The file has no usage before today (UTC). Callboard leaves out today, whose usage is not complete yet, and later days.".into(),
            ));
        }
        set_range.run(covering.unwrap_or_else(|| range.get_untracked()));
        state.dataset.set(dataset);
    });
    let live_loading = RwSignal::new(false);
    // Bytes of the answer received so far, while a fetch is under way.
    let live_received = RwSignal::new(0u64);
    let refresh = RwSignal::new(0u32);
    // Only the latest fetch may land: one still under way when the source changes (a file is
    // opened, the demo chosen, another API connected) or a newer fetch starts is dropped.
    let latest_fetch = StoredValue::new(0u64);
    let live_cancel = StoredValue::new_local(crate::ingest::page::Cancel::default());
    Effect::new(move |_| {
        refresh.track();
        let (source, range) = (live_source.get(), range.get());
        latest_fetch.update_value(|n| *n += 1);
        let Some(source) = source else {
            live_loading.set(false);
            return;
        };
        let this_fetch = latest_fetch.get_value();
        live_loading.set(true);
        live_received.set(0);
        let on_progress = move |bytes| {
            if latest_fetch.get_value() == this_fetch {
                live_received.set(bytes);
            }
        };
        // A fetch still under way for an older request is dropped: its worker is stopped.
        let cancel = crate::ingest::page::Cancel::default();
        live_cancel.with_value(|previous| previous.cancel());
        live_cancel.set_value(cancel.clone());
        leptos::task::spawn_local(async move {
            let result = crate::sources::rest::fetch(&source, &range, today, on_progress, &cancel).await;
            if latest_fetch.get_value() != this_fetch {
                return;
            }
            live_loading.set(false);
            match result {
                Ok(dataset) => {
                    live_failure.set(None);
                    empty_notice.set(None);
                    state.dataset.set(dataset);
                }
                // The last good data stays on screen, marked stale.
                Err(message) => live_failure.set(Some(message)),
            }
        });
    });
    // Optional automatic refresh, in minutes (0 = off).
    let auto_refresh = RwSignal::new(0u32);
    Effect::new(move |previous: Option<Option<leptos::leptos_dom::helpers::IntervalHandle>>| {
        if let Some(Some(handle)) = previous {
            handle.clear();
        }
        let minutes = auto_refresh.get();
        (minutes > 0 && live_source.get().is_some())
            .then(|| {
                leptos::leptos_dom::helpers::set_interval_with_handle(
                    move || refresh.update(|n| *n += 1),
                    std::time::Duration::from_secs(u64::from(minutes) * 60),
                )
                .ok()
            })
            .flatten()
    });
    let connect_open = RwSignal::new(false);
    let on_connect = Callback::new(move |source: String| {
        live_failure.set(None);
        live_source.set(Some(source));
        refresh.update(|n| *n += 1);
        set_range.run(range.get_untracked());
    });
    let back_to_demo = Callback::new(move |()| {
        live_source.set(None);
        live_failure.set(None);
        set_range.run(range.get_untracked());
        if let Ok(dataset) = crate::sources::demo::load(today) {
            empty_notice.set(None);
            state.dataset.set(dataset);
        }
    });

    let store: Signal<Arc<UsageStore>> = Signal::derive(move || state.dataset.with(|d| d.store.clone()));
    let span = Memo::new(move |_| DaySpan::from(&range.get()));

    // Everything in the range: KPIs and the table.
    let ranked = Memo::new(move |_| store.with(|s| s.client_usage(span.get(), &Scope::all())));
    let totals = Memo::new(move |_| ranked.with(|r| total_of(r)));
    let client_count = Memo::new(move |_| store.with(|s| ranked.with(|r| client_count(s, r))));
    let templates = Memo::new(move |_| store.with(|s| s.template_usage(span.get())));

    // The selection scopes the charts.
    let resolved = Memo::new(move |_| store.with(|s| ranked.with(|r| state.selection.get().resolve(s, r))));
    let scope = Memo::new(move |_| {
        store.with(|s| match resolved.get().templates {
            Some(ids) => Scope::templates(s, &ids),
            None => Scope::all(),
        })
    });
    let scoped = Memo::new(move |_| store.with(|s| s.client_usage(span.get(), &scope.get())));
    // Names as charts draw them: control characters made visible (canvas text cannot be isolated).
    let name_of = move |client| store.with(|s| s.client_info(client).map(|i| visible_name(&i.name).into_owned()).unwrap_or_default());

    let line = Memo::new(move |_| {
        let range = range.get();
        let granularity = range.natural_granularity();
        let clients = resolved.get().clients;
        let series = store.with(|s| s.time_series(span.get(), granularity, &scope.get(), &clients));
        LineChart {
            granularity,
            starts: series.starts,
            series: series
                .series
                .into_iter()
                .enumerate()
                .map(|(rank, (client, values))| Series { label: name_of(client), color: client_color(rank), values })
                .collect(),
        }
    });
    let bars = Memo::new(move |_| {
        let chosen = resolved.get().clients;
        scoped.with(|rows| {
            chosen_and_other(rows, &chosen).top.into_iter().map(|u| Bar { label: name_of(u.client), counts: u.counts }).collect::<Vec<_>>()
        })
    });
    // Doughnut slices, each with the legend swatch of the same colour.
    let shares = Memo::new(move |_| {
        let chosen = resolved.get().clients;
        let split = scoped.with(|rows| chosen_and_other(rows, &chosen));
        let mut shares: Vec<(Slice, String)> = split
            .top
            .iter()
            .map(|u| {
                let rank = chosen.iter().position(|&c| c == u.client).unwrap_or(0);
                (Slice { label: name_of(u.client), value: u.counts.total(), color: client_color(rank) }, client_swatch(rank))
            })
            .collect();
        if split.other.total() > 0 {
            shares.push((Slice { label: "Other".into(), value: split.other.total(), color: OTHER_COLOR }, "client-other".into()));
        }
        shares
    });
    let slices = Memo::new(move |_| shares.with(|s| s.iter().map(|(slice, _)| slice.clone()).collect::<Vec<_>>()));

    let client_legend = Signal::derive(move || {
        let chosen = resolved.get().clients;
        chosen.iter().enumerate().map(|(rank, &c)| LegendItem { label: name_of(c), swatch: client_swatch(rank), detail: None }).collect::<Vec<_>>()
    });
    let status_legend = Signal::derive(|| {
        StatusClass::NAMED.iter().map(|c| LegendItem { label: c.as_str().to_owned(), swatch: format!("status-{}", c.as_str()), detail: None }).collect::<Vec<_>>()
    });
    let share_legend = Signal::derive(move || {
        // The slices are the chosen clients plus everyone else: together, every request in scope.
        let all = scoped.with(|rows| total_of(rows).total());
        shares.with(|s| {
            s.iter()
                .map(|(slice, swatch)| LegendItem {
                    label: slice.label.clone(),
                    swatch: swatch.clone(),
                    detail: Some(format!("{} · {}", compact(slice.value as f64), percent(share(slice.value, all)))),
                })
                .collect::<Vec<_>>()
        })
    });

    let dialog_open = RwSignal::new(false);
    let on_choose = Callback::new(move |selection| state.choose(selection));
    let scope_caption = move || match resolved.get().templates {
        None => "all URL templates".to_owned(),
        Some(t) => format!("{} of {} URL templates", t.len(), templates.with(|all| all.len())),
    };
    let period = move || {
        let r = range.get();
        if r.days() == 1 { long_date(r.from()) } else { format!("{} – {}", long_date(r.from()), long_date(r.to())) }
    };
    // Whether live data is on screen; before it is, no live banner can say a fetch is busy.
    let showing_live = Memo::new(move |_| state.dataset.with(|d| matches!(d.source, DataSource::Live(_))));
    let connecting = move || live_loading.get() && !showing_live.get();
    let per = move || if range.get().natural_granularity() == Granularity::Hour { "per hour, UTC" } else { "per day, UTC" };

    view! {
        <div class="page">
            <header class="topbar">
                <div class="brand">
                    <img class="brand__logo" src="favicon.svg" alt="" width="28" height="28"/>
                    <span class="brand__name">"Callboard"</span>
                    <span class="brand__tag">"API usage"</span>
                </div>
                <div class="topbar__actions">
                    <FileOpen on_loaded=on_loaded/>
                    <button type="button" class="button button--connect" on:click=move |_| connect_open.set(true) data-testid="open-connect"
                        aria-busy=move || connecting().to_string()>
                        {move || if connecting() { "Connecting…" } else { "Connect API…" }}
                    </button>
                    <button type="button" class="button button--primary" on:click=move |_| dialog_open.set(true) data-testid="open-selection">
                        "Choose clients and URLs"
                    </button>
                </div>
            </header>

            <Show when=move || state.dataset.with(|d| d.source == DataSource::Demo)>
                <div class="banner" role="note" data-testid="demo-banner">
                    <strong>"Demo data."</strong>
                    " Twelve made-up client applications over the last 60 days, generated in your browser. Nothing is sent anywhere."
                </div>
            </Show>
            {move || match state.dataset.with(|d| d.source.clone()) {
                DataSource::Demo => None,
                DataSource::Live(live) => Some(view! {
                    <div class="banner banner--file" role="note" data-testid="live-banner" aria-busy=move || live_loading.get().to_string()>
                        <div>
                            <strong>{format!("Live ({}): {}", live.kind, live.url)}</strong>
                            {format!(" · fetched {} UTC", live.fetched_at.get(..19).unwrap_or(&live.fetched_at).replace('T', " "))}
                            // Always in the layout, so a refresh does not shift the page.
                            <span class="banner__busy" class:banner__busy--on=move || live_loading.get() data-testid="live-received">
                                {move || match live_received.get() {
                                    0 => " · refreshing…".to_owned(),
                                    bytes => format!(" · refreshing… {} received", size_text(bytes as f64)),
                                }}
                            </span>
                        </div>
                        {live.served_from.clone().map(|from| view! {
                            <div class="banner__detail banner__detail--warn" data-testid="served-from">
                                {format!("The server redirected Callboard to {from}: the figures come from there. No token was sent to it.")}
                            </div>
                        })}
                        <LiveDetails live=live.as_ref().clone() range=range today=today/>
                        {move || live_failure.get().map(|message| view! {
                            <div class="banner__problem" data-testid="live-failure">{format!("This data is stale: the last refresh failed. {message}")}</div>
                        })}
                        <span>
                            <button type="button" class="link-button" on:click=move |_| refresh.update(|n| *n += 1) data-testid="live-refresh">"Refresh"</button>
                            <label class="live__auto">
                                "Refresh automatically "
                                <select class="field__input" data-testid="live-auto" on:change=move |ev| auto_refresh.set(event_target_value(&ev).parse().unwrap_or(0))>
                                    <option value="0" selected=move || auto_refresh.get() == 0>"off"</option>
                                    <option value="1" selected=move || auto_refresh.get() == 1>"every minute"</option>
                                    <option value="5" selected=move || auto_refresh.get() == 5>"every 5 minutes"</option>
                                </select>
                            </label>
                            <button type="button" class="link-button" on:click=move |_| back_to_demo.run(())>"Back to demo data"</button>
                        </span>
                    </div>
                }.into_any()),
                DataSource::Files { files, duplicates } => Some(view! {
                    <div class="banner banner--file" role="note" data-testid="file-banner">
                        <div>
                            <strong>{files.iter().map(|f| format!("{} ({})", f.name, f.format)).collect::<Vec<_>>().join(", ")}</strong>
                            {let all = ReadReport::combined(files.iter().map(|f| &f.report)); format!(
                                " · {} rows read · {} skipped · {}",
                                thousands(all.rows as u64),
                                thousands(all.skipped as u64),
                                store.with(|s| s.day_span()).map(|(a, b)| format!("{} – {} (UTC)", long_date(date_of_day(a)), long_date(date_of_day(b)))).unwrap_or_default(),
                            )}
                            " · Read in your browser; nothing was sent anywhere."
                        </div>
                        {duplicates.into_iter().map(|d| view! { <div class="banner__detail" data-testid="duplicate-file">{d}</div> }).collect_view()}
                        {files.iter().flat_map(|f| f.report.notes.iter().map(move |n| format!("{}: {n}.", f.name))).map(|n| view! {
                            <div class="banner__detail" data-testid="read-note">{n}</div>
                        }).collect_view()}
                        {files.iter().flat_map(|f| f.report.problems.iter().take(3).map(move |p| (f.name.clone(), p.clone()))).map(|(name, p)| view! {
                            <div class="banner__problem" data-testid="skipped-row">{format!("Skipped {name} line {}: {}", p.line, p.reason)}</div>
                        }).collect_view()}
                        <button type="button" class="link-button" on:click=move |_| back_to_demo.run(()) data-testid="back-to-demo">"Back to demo data"</button>
                    </div>
                }.into_any()),
            }}
            {move || match (live_failure.get(), showing_live.get()) {
                // A failure before any live data arrived: the previous data stays, unmarked, and this says why.
                (Some(message), false) => Some(view! { <p class="notice notice--error" data-testid="live-failure">{message}</p> }),
                _ => None,
            }}
            <div class="notices" role="status" aria-live="polite">
                {move || connecting().then(|| view! {
                    <p class="notice" data-testid="live-connecting">
                        {move || format!("Connecting to {}… {}", live_source.get().unwrap_or_default(), match live_received.get() {
                            0 => "waiting for the answer".to_owned(),
                            bytes => format!("{} received", size_text(bytes as f64)),
                        })}
                    </p>
                })}
                {move || empty_notice.get().map(|n| view! { <p class="notice" data-testid="empty-notice">{n}</p> })}
                {move || state.load_error.get().map(|failure| view! {
                    <p class="notice notice--error" data-testid="load-error">
                        {failure.message}
                        {failure.change_columns.map(|pending| view! {
                            " "
                            <button type="button" class="link-button" data-testid="change-columns"
                                on:click=move |_| state.pending_mapping.set(Some(pending.clone()))>"Change columns…"</button>
                        })}
                    </p>
                })}
                {move || range_notice.get().map(|n| view! { <p class="notice" data-testid="range-notice">{n}</p> })}
                {move || state.selection_notice.get().map(|n| view! { <p class="notice" data-testid="selection-notice">{n}</p> })}
                {move || resolved.get().notices.into_iter().map(|n| view! { <p class="notice" data-testid="selection-fallback">{n.message()}</p> }).collect_view()}
            </div>

            <DateRangeFilter range=range today=today on_change=set_range/>
            <p class="period" data-testid="period">{period}</p>

            <KpiTiles totals=totals clients=client_count/>

            <section class="card card--wide" aria-labelledby="line-title">
                <header class="card__header">
                    <h2 id="line-title" class="card__title">"Requests over time"</h2>
                    <span class="card__sub">{per}" · "{scope_caption}</span>
                </header>
                <ChartCanvas class="chart chart--line" testid="chart-line"
                    label=Signal::derive(move || format!("Line chart of requests {} for the chosen clients", per()))
                    draw=Box::new(move |root, scale| line.with(|d| report(draw_line_chart(root, d, scale))))/>
                <Legend items=client_legend testid="selected-clients"/>
            </section>

            <div class="grid">
                <section class="card" aria-labelledby="bars-title">
                    <header class="card__header">
                        <h2 id="bars-title" class="card__title">"Chosen clients by status"</h2>
                        <span class="card__sub">{scope_caption}</span>
                    </header>
                    <ChartCanvas class="chart chart--bars" testid="chart-bars"
                        label=Signal::derive(|| "Stacked bar chart of requests per client by status class".to_owned())
                        draw=Box::new(move |root, scale| bars.with(|d| report(draw_stacked_bars(root, d, scale))))/>
                    <Legend items=status_legend/>
                </section>
                <section class="card" aria-labelledby="share-title">
                    <header class="card__header">
                        <h2 id="share-title" class="card__title">"Share of requests"</h2>
                        <span class="card__sub">"chosen clients and everyone else"</span>
                    </header>
                    <div class="share">
                        <ChartCanvas class="chart chart--doughnut" testid="chart-doughnut"
                            label=Signal::derive(|| "Doughnut chart of the share of requests per client".to_owned())
                            draw=Box::new(move |root, scale| slices.with(|d| report(draw_doughnut(root, d, scale))))/>
                        <Legend items=share_legend testid="share-legend"/>
                    </div>
                </section>
            </div>

            <section class="card card--wide" aria-labelledby="table-title">
                <header class="card__header">
                    <h2 id="table-title" class="card__title">"All clients"</h2>
                    <span class="card__sub">{move || format!("{} clients · every URL", client_count.get().identified)}</span>
                    <span class="card__spacer"></span>
                    <ExportButtons store=store range=range/>
                </header>
                <ClientsTable rows=ranked store=store/>
            </section>

            <footer class="footnote">
                <p>"Status classes are disjoint: 2xx, 3xx, 4xx (without 429), 429 and 5xx. Codes outside 200–599 count only in totals. Days are UTC."</p>
                <p data-testid="template-rules">
                    "URL templates: where a file gives concrete paths, the query string is dropped and each path segment that is "
                    {usage_core::template::RULES.iter().map(|(what, becomes)| format!("{what} becomes {becomes}")).collect::<Vec<_>>().join(", ")}
                    ". Records that name no client count as “Unknown client”."
                </p>
            </footer>

            <ConnectDialog open=connect_open source=live_source on_connect=on_connect/>
            <SelectionDialog open=dialog_open ranked=ranked templates=templates resolved=resolved store=store on_choose=on_choose/>
        </div>
    }
}

/// Logs a drawing failure to the console; a chart that cannot draw stays blank rather than breaking the page.
fn report<E: std::fmt::Debug>(result: Result<(), E>) {
    if let Err(error) = result {
        web_sys::console::error_1(&format!("chart drawing failed: {error:?}").into());
    }
}
