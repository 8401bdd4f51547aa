//! The overview: the chosen clients over time, by status and as a share of all requests; the
//! status codes and the top 5 URLs (Genesys "Most Active Requests"); and every client.

use leptos::prelude::*;
use usage_core::Dimension;
use usage_core::query::top_n;

use crate::components::breakdown_card::{BreakdownCard, ViewAll};
use crate::components::cards::{SeriesCard, StatusBarsCard, StatusCodesCard};
use crate::components::data_table::DataTable;
use crate::components::export::ExportButtons;
use crate::components::misbehaving::Misbehaving;
use crate::state::Dashboard;
use crate::state::chosen::Chosen;

/// "all URL templates", or how many of them the charts count.
pub fn scope_caption(chosen: Chosen) -> Signal<String> {
    Signal::derive(
        move || match chosen.resolved.with(|r| r.templates.as_ref().map(Vec::len)) {
            None => "all URL templates".to_owned(),
            Some(n) => format!("{n} of {} URL templates", chosen.templates.with(|t| t.rows.len())),
        },
    )
}

#[component]
pub fn Overview() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let chosen = expect_context::<Chosen>();
    let store = dashboard.store;
    // Every client through the chosen URL templates: the bars and the share. With every
    // template chosen that is the dashboard's own client breakdown (its rows are shared, not
    // copied), not a second count: a million clients make each one costly.
    let narrowed = Memo::new(move |_| chosen.resolved.with(|r| r.templates.is_some()));
    let scoped = Memo::new(move |_| match narrowed.get() {
        true => store.with(|s| {
            chosen
                .scope
                .with(|f| s.breakdown(dashboard.span.get(), Dimension::Client, f, false))
        }),
        false => dashboard.clients.get(),
    });
    // The chosen clients' rows through the chosen URL templates, in the selection's order.
    let chosen_rows =
        Signal::derive(move || scoped.with(|b| chosen.resolved.with(|r| usage_core::query::picked(b, &r.clients).0)));
    let top_urls = Signal::derive(move || chosen.templates.with(|b| top_n(b, 5).0));
    let caption = scope_caption(chosen);

    view! {
        <SeriesCard title="Requests over time" sub=caption dimension=Dimension::Client
            keys=Signal::derive(move || chosen.resolved.with(|r| r.clients.clone()))
            filter=chosen.scope testid="chart-line" legend_testid="selected-clients"/>
        <div class="grid">
            <StatusBarsCard title="Chosen clients by status" sub=caption dimension=Dimension::Client rows=chosen_rows testid="chart-bars"/>
            <BreakdownCard dimension=Dimension::Client breakdown=scoped view_all=ViewAll::Table("all-clients")
                picked=Signal::derive(move || chosen.resolved.with(|r| r.clients.clone()))
                title="Share of requests" testid="chart-doughnut"/>
        </div>
        <Misbehaving/>
        <div class="grid">
            <StatusCodesCard sub="all clients" filter=dashboard.filter/>
            <StatusBarsCard title="Top 5 requested URLs" sub="by status class" dimension=Dimension::Template rows=top_urls testid="chart-top-urls"/>
        </div>
        <section class="card card--wide" aria-labelledby="table-title">
            <header class="card__header">
                <h2 id="table-title" class="card__title">"All clients"</h2>
                <span class="card__sub">"every URL"</span>
                <span class="card__spacer"></span>
                <ExportButtons/>
            </header>
            <DataTable dimension=Dimension::Client breakdown=dashboard.clients id="all-clients"/>
        </section>
    }
}
