//! Explore (Zoho's and Ex Libris's views): requests broken down by any dimension, the top 5 as a
//! doughnut or a list, the top 5 over time, and "View all", the full sortable table.

use leptos::prelude::*;
use usage_core::Dimension;
use usage_core::query::top_n;

use crate::components::breakdown_card::{BreakdownCard, ViewAll};
use crate::components::cards::SeriesCard;
use crate::components::data_table::DataTable;
use crate::state::Dashboard;

#[component]
pub fn Explore() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let by = Memo::new(move |_| dashboard.view.with(|v| v.by));
    let picker = Dimension::ALL
        .into_iter()
        .map(|dimension| {
            let href = move || dashboard.href(&dashboard.view.with(|v| usage_core::view::ViewState { by: dimension, sort: None, ..v.clone() }));
            let current = move || by.get() == dimension;
            let why = move || dashboard.availability(dimension).err().map(|e| e.to_string());
            view! {
                <a class="chip" class:chip--active=current class:chip--unavailable=move || why().is_some() href=href
                    data-testid=format!("by-{}", dimension.as_str()) aria-current=move || current().then_some("true") title=why>
                    {dimension.label()}
                </a>
            }
        })
        .collect_view();

    view! {
        <nav class="picker" aria-label="Break down by">
            <span class="picker__title">"Break down by"</span>
            {picker}
        </nav>
        {move || {
            let dimension = by.get();
            match dashboard.availability(dimension) {
                Err(why) => view! {
                    <section class="card card--wide">
                        <p class="card__note" data-testid="unavailable">{why.to_string()}</p>
                    </section>
                }
                .into_any(),
                Ok(()) => view! { <Breakdown dimension=dimension/> }.into_any(),
            }
        }}
    }
}

/// The card, the chart over time and the full table of one dimension.
#[component]
fn Breakdown(dimension: Dimension) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let breakdown = Memo::new(move |_| {
        store.with(|s| {
            dashboard
                .filter
                .with(|f| s.breakdown(dashboard.span.get(), dimension, f, true))
        })
    });
    let top = Signal::derive(move || breakdown.with(|b| top_n(b, 5).0.iter().map(|r| r.key).collect::<Vec<u32>>()));
    let methods = (dimension == Dimension::Template).then(|| {
        Memo::new(move |_| store.with(|s| dashboard.filter.with(|f| s.template_methods(dashboard.span.get(), f))))
    });
    let id: &'static str = match dimension {
        Dimension::Client => "all-client",
        Dimension::Template => "all-template",
        Dimension::Method => "all-method",
        Dimension::Status => "all-status",
        Dimension::Class => "all-class",
        Dimension::Module => "all-module",
        Dimension::Ip => "all-ip",
        Dimension::User => "all-user",
    };
    view! {
        <div class="grid">
            <BreakdownCard dimension=dimension breakdown=breakdown view_all=ViewAll::Table(id)/>
            <SeriesCard title="Top 5 over time" sub=dimension.plural() dimension=dimension keys=top filter=dashboard.filter testid="chart-explore-line"/>
        </div>
        <section class="card card--wide">
            <header class="card__header">
                <h2 class="card__title">{format!("All {}", dimension.plural())}</h2>
                <span class="card__sub">"sortable · click a name to filter the dashboard to it"</span>
            </header>
            {match methods {
                Some(methods) => view! { <DataTable dimension=dimension breakdown=breakdown methods=methods id=id/> }.into_any(),
                None => view! { <DataTable dimension=dimension breakdown=breakdown id=id/> }.into_any(),
            }}
        </section>
    }
}
