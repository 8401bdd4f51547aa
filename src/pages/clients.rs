//! Clients (Genesys "OAuth Client Requests"): the chosen clients over time, their status codes,
//! the URL templates each of them calls, and every client.

use leptos::prelude::*;
use usage_core::format::thousands;
use usage_core::query::{PairRow, top_n};
use usage_core::{Dimension, Filter, RecordFilter};

use crate::charts::canvas::{ChartCanvas, Target};
use crate::charts::palette::{OTHER_COLOR, URL_SHADES};
use crate::charts::stacked_bar::{Bar, bar_at, draw_stacked_bars};
use crate::components::cards::{SeriesCard, StatusCodesCard, chart_label, report};
use crate::components::data_table::DataTable;
use crate::components::legend::{Legend, LegendItem};
use crate::pages::overview::scope_caption;
use crate::state::chosen::Chosen;
use crate::state::{Dark, Dashboard};

/// URL templates shown per client before "other URLs".
const TOP_URLS: usize = 5;

#[component]
pub fn Clients() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let chosen = expect_context::<Chosen>();
    let store = dashboard.store;
    let keys = Signal::derive(move || chosen.resolved.with(|r| r.clients.clone()));
    // The chosen clients through the link's filters and the chosen URL templates.
    let of_chosen = Memo::new(move |_| store.with(|s| keys.with(|k| chosen.scope.get().and_clients(s, k))));
    let caption = scope_caption(chosen);

    view! {
        <SeriesCard title="Requests over time by client" sub=caption dimension=Dimension::Client keys=keys
            filter=chosen.scope testid="chart-line" legend_testid="selected-clients"/>
        <div class="grid">
            <StatusCodesCard sub="the chosen clients" filter=of_chosen/>
            <UrlsByClient filter=of_chosen/>
        </div>
        <section class="card card--wide" aria-labelledby="clients-title">
            <header class="card__header">
                <h2 id="clients-title" class="card__title">"All clients"</h2>
                <span class="card__sub">"every URL"</span>
            </header>
            <DataTable dimension=Dimension::Client breakdown=dashboard.clients id="all-clients"/>
        </section>
    }
}

/// Each chosen client's requests, stacked by the URL templates the chosen clients call most.
#[component]
fn UrlsByClient(filter: Memo<RecordFilter>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let chosen = expect_context::<Chosen>();
    let store = dashboard.store;
    let pairs = Memo::new(move |_| {
        store.with(|s| filter.with(|f| s.pairs(dashboard.span.get(), Dimension::Client, Dimension::Template, f)))
    });
    // The templates with the most requests from the chosen clients, in that order.
    let urls = Memo::new(move |_| {
        store.with(|s| {
            filter.with(|f| {
                top_n(
                    &s.breakdown(dashboard.span.get(), Dimension::Template, f, false),
                    TOP_URLS,
                )
                .0
                .iter()
                .map(|r| r.key)
                .collect::<Vec<u32>>()
            })
        })
    });
    let bars = Memo::new(move |_| {
        let clients = chosen.resolved.with(|r| r.clients.clone());
        let urls = urls.get();
        store.with(|s| {
            pairs.with(|pairs| {
                clients
                    .iter()
                    .map(|&client| {
                        let mine: Vec<&PairRow> = pairs.iter().filter(|p| p.first == client).collect();
                        let mut segments: Vec<(u64, _)> = urls
                            .iter()
                            .enumerate()
                            .map(|(rank, &u)| {
                                (
                                    mine.iter().find(|p| p.second == u).map_or(0, |p| p.counts.total()),
                                    URL_SHADES[rank % URL_SHADES.len()],
                                )
                            })
                            .collect();
                        let other = mine
                            .iter()
                            .filter(|p| !urls.contains(&p.second))
                            .map(|p| p.counts.total())
                            .sum();
                        segments.push((other, OTHER_COLOR));
                        Bar {
                            label: chart_label(s, Dimension::Client, client),
                            segments,
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let legend = Signal::derive(move || {
        let view = dashboard.view.get();
        store.with(|s| {
            let mut items: Vec<LegendItem> = urls
                .get()
                .into_iter()
                .enumerate()
                .map(|(rank, u)| LegendItem {
                    label: s.label(Dimension::Template, u),
                    swatch: format!("url-{}", rank % URL_SHADES.len()),
                    detail: None,
                    href: Some(dashboard.href(&view.with_filter(Filter {
                        dimension: Dimension::Template,
                        key: s.key_text(Dimension::Template, u),
                    }))),
                })
                .collect();
            items.push(LegendItem {
                label: "Other URLs".into(),
                swatch: "client-other".into(),
                detail: None,
                href: None,
            });
            items
        })
    });
    let hit = Box::new(move |_x: f64, y: f64, plot: &crate::charts::Plot| {
        let clients = chosen.resolved.with_untracked(|r| r.clients.clone());
        let client = *clients.get(bar_at(plot, clients.len(), y)?)?;
        store.with_untracked(|s| {
            let lines: Vec<String> = pairs.with_untracked(|pairs| {
                pairs
                    .iter()
                    .filter(|p| p.first == client)
                    .take(TOP_URLS)
                    .map(|p| {
                        format!(
                            "{}: {}",
                            s.label(Dimension::Template, p.second),
                            thousands(p.counts.total())
                        )
                    })
                    .collect()
            });
            Some(Target {
                tip: format!("{}\n{}", s.label(Dimension::Client, client), lines.join("\n")),
                go: Some(dashboard.view.with_untracked(|v| {
                    v.with_filter(Filter {
                        dimension: Dimension::Client,
                        key: s.key_text(Dimension::Client, client),
                    })
                })),
            })
        })
    });
    view! {
        <section class="card">
            <header class="card__header">
                <h2 class="card__title">"Request URL counts by client"</h2>
                <span class="card__sub">"each chosen client's calls, by URL template"</span>
            </header>
            <ChartCanvas class="chart chart--bars" dark=Dark::now() on_go=dashboard.go_to() period=dashboard.chart_period() testid="chart-urls-by-client"
                label=Signal::derive(|| "Stacked bar chart of each chosen client's requests by URL template".to_owned())
                draw=Box::new(move |root, scale| bars.with(|d| report(draw_stacked_bars(root, d, scale))))
                hit=hit points=crate::components::cards::bar_points(Signal::derive(move || chosen.resolved.with(|r| r.clients.len())))/>
            <Legend items=legend testid="urls-legend"/>
        </section>
    }
}
