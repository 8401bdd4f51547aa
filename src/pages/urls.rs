//! URLs (Genesys "URL Requests"): the status codes of the chosen URL templates, those templates
//! over time, and every URL template with its methods, classes, errors, latency and bytes.

use leptos::prelude::*;
use usage_core::Dimension;
use usage_core::query::top_n;
use usage_core::selection::MAX_CLIENTS;

use crate::components::cards::{SeriesCard, StatusCodesCard};
use crate::components::data_table::DataTable;
use crate::state::Dashboard;
use crate::state::chosen::{Chosen, SelectionMode};

/// URL templates charted when none are chosen.
const DEFAULT_URLS: usize = 5;

#[component]
pub fn Urls() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let chosen = expect_context::<Chosen>();
    let store = dashboard.store;
    // The chosen templates by requests (as many as there are colours), or the top 5.
    let charted = Signal::derive(move || {
        chosen
            .templates
            .with(|b| match chosen.resolved.with(|r| r.templates.clone()) {
                Some(ids) => b
                    .rows
                    .iter()
                    .filter(|r| ids.contains(&r.key))
                    .take(MAX_CLIENTS)
                    .map(|r| r.key)
                    .collect::<Vec<u32>>(),
                None => top_n(b, DEFAULT_URLS).0.iter().map(|r| r.key).collect(),
            })
    });
    let caption = Signal::derive(
        move || match chosen.resolved.with(|r| r.templates.as_ref().map(Vec::len)) {
            Some(n) => format!("the {n} chosen URL templates"),
            None => "all URL templates".to_owned(),
        },
    );
    let series_caption = Signal::derive(move || match chosen.resolved.with(|r| r.templates.is_some()) {
        true => "the chosen URL templates".to_owned(),
        false => format!("the top {DEFAULT_URLS} URL templates"),
    });
    // Every URL template with latency percentiles, and the methods each was called with.
    let table = Memo::new(move |_| {
        store.with(|s| {
            dashboard
                .filter
                .with(|f| s.breakdown(dashboard.span.get(), Dimension::Template, f, true))
        })
    });
    let methods =
        Memo::new(move |_| store.with(|s| dashboard.filter.with(|f| s.template_methods(dashboard.span.get(), f))));

    view! {
        <div class="grid">
            <StatusCodesCard sub=caption filter=chosen.scope/>
            <SeriesCard title="URLs over time" sub=series_caption dimension=Dimension::Template keys=charted
                filter=dashboard.filter testid="chart-urls-line" legend_testid="charted-urls"/>
        </div>
        <section class="card card--wide" aria-labelledby="urls-title">
            <header class="card__header">
                <h2 id="urls-title" class="card__title">"URL templates"</h2>
                <span class="card__sub">"every client"</span>
                <span class="card__spacer"></span>
                <button type="button" class="button button--small" data-testid="open-url-selection"
                    on:click=move |_| chosen.open.set(Some(SelectionMode::Urls))>"Template URL selections…"</button>
            </header>
            <DataTable dimension=Dimension::Template breakdown=table methods=methods id="all-urls"/>
        </section>
    }
}
