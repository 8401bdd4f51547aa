//! The frame around the pages: the top bar, where the data comes from, the notices, the tabs,
//! the range and filters, the KPIs, then the page the link asks for.

use leptos::prelude::*;
use usage_core::query::client_count;
use usage_core::view::View;

use crate::components::connect_dialog::ConnectDialog;
use crate::components::date_range::DateRangeFilter;
use crate::components::file_open::FileOpen;
use crate::components::filter_pills::FilterPills;
use crate::components::kpi_tiles::KpiTiles;
use crate::components::notices::Notices;
use crate::components::selection_dialog::SelectionDialog;
use crate::components::shortcuts::Shortcuts;
use crate::components::source_banner::SourceBanner;
use crate::pages::{clients::Clients, explore::Explore, overview::Overview, today::Today, urls::Urls};
use crate::state::Dashboard;
use crate::state::chosen::{Chosen, SelectionMode};
use crate::state::live::SourceController;

#[component]
pub fn Shell() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let controller = expect_context::<SourceController>();
    let theme = crate::components::theme::provide_theme();
    let store = dashboard.store;
    let chosen = Chosen::new(dashboard);
    let resolved = chosen.resolved;
    provide_context(chosen);

    let totals = Memo::new(move |_| dashboard.clients.with(|c| c.total));
    // The comparison period's figures, when the link compares and the data reaches back to it.
    let before = Memo::new(move |_| {
        dashboard.clients_before.with(|b| {
            b.as_ref().map(|b| {
                b.as_ref()
                    .map(|b| (b.total, store.with(|s| client_count(s, &b.rows))))
                    .map_err(|_| ())
            })
        })
    });
    let clients = Memo::new(move |_| store.with(|s| dashboard.clients.with(|c| client_count(s, &c.rows))));
    let range = dashboard.range;
    let set_range = Callback::new(move |next| dashboard.go_with(|v| v.range = next));
    let period = move || dashboard.period();
    let connect_open = RwSignal::new(false);
    let showing_live = Memo::new(move |_| {
        dashboard
            .dataset
            .with(|d| matches!(d.source, crate::sources::DataSource::Live(_)))
    });
    let connecting = move || controller.loading.get() && !showing_live.get();
    let page = Memo::new(move |_| dashboard.view.with(|v| v.view));
    let on_today = Memo::new(move |_| page.get() == View::Today);

    view! {
        <div class="page" on:click=move |event| dashboard.follow(&event)>
            <header class="topbar">
                <div class="brand">
                    <img class="brand__logo" src="favicon.svg" alt="" width="28" height="28"/>
                    <span class="brand__name">"Callboard"</span>
                    <span class="brand__tag">"API usage"</span>
                </div>
                <div class="topbar__actions">
                    <FileOpen on_loaded=Callback::new(move |dataset| {
                        // In tasks of their own: taking the worker's columns in, and counting them
                        // for the screen, are each long enough with a million clients.
                        leptos::task::spawn_local(controller.show_files(dataset))
                    })/>
                    <button type="button" class="button button--connect" on:click=move |_| connect_open.set(true) data-testid="open-connect"
                        aria-busy=move || connecting().to_string()>
                        {move || if connecting() { "Connecting…" } else { "Connect API…" }}
                    </button>
                    <button type="button" class="button button--primary" on:click=move |_| chosen.open.set(Some(SelectionMode::Both)) data-testid="open-selection">
                        "Choose clients and URLs"
                    </button>
                </div>
            </header>
            <SourceBanner/>
            <Notices
                derived=Signal::derive(move || resolved.with(|r| r.notices.iter().map(|n| n.message()).collect::<Vec<_>>()))
                connecting=Signal::derive(move || connecting().then(|| (dashboard.view.with(|v| v.source.clone().unwrap_or_default()), controller.received.get())))/>
            <nav class="tabs" aria-label="Views">
                {View::ALL.into_iter().map(|view| {
                    let href = move || dashboard.href(&dashboard.view.with(|v| v.with_view(view)));
                    let current = move || page.get() == view;
                    view! {
                        <a class="tabs__tab" class:tabs__tab--current=current href=href data-testid=format!("nav-{}", view.as_str())
                            aria-current=move || current().then_some("page")>{view.label()}</a>
                    }
                }).collect_view()}
                <span class="tabs__spacer"></span>
                <crate::components::theme::ThemeSwitch choice=theme/>
                <CopyLink/>
                <button type="button" class="link-button tabs__help" aria-keyshortcuts="?" data-testid="show-shortcuts" title="Keyboard shortcuts (?)"
                    on:click=move |_| {
                        if let Some(dialog) = document().query_selector("[data-testid=shortcuts]").ok().flatten().and_then(|d| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDialogElement>(d).ok()) {
                            let _ = dialog.show_modal();
                        }
                    }>"Shortcuts ?"</button>
            </nav>
            // The last 24 hours stand apart from every date range: Today has neither the range
            // nor its figures. Shown or not as a whole, so changing between the other tabs
            // keeps them as they are.
            {move || (!on_today.get()).then(|| view! {
                <DateRangeFilter range=range today=dashboard.today on_change=set_range/>
                <p class="period" data-testid="period">{period}</p>
            })}
            <FilterPills/>
            {move || (!on_today.get()).then(|| view! { <KpiTiles totals=totals clients=clients before=before/> })}
            {move || match page.get() {
                View::Overview => view! { <Overview/> }.into_any(),
                View::Clients => view! { <Clients/> }.into_any(),
                View::Urls => view! { <Urls/> }.into_any(),
                View::Explore => view! { <Explore/> }.into_any(),
                View::Today => view! { <Today/> }.into_any(),
            }}
            <footer class="footnote">
                <p>"Status classes are disjoint: 2xx, 3xx, 4xx (without 429), 429 and 5xx. Codes outside 200–599 count only in totals. Days and buckets follow the chosen time zone, UTC unless the link says otherwise."</p>
                <p data-testid="template-rules">
                    "URL templates: where a file gives concrete paths, the query string is dropped and each path segment that is "
                    {usage_core::template::RULES.iter().map(|(what, becomes)| format!("{what} becomes {becomes}")).collect::<Vec<_>>().join(", ")}
                    ". Records that name no client count as “Unknown client”."
                </p>
            </footer>
            <ConnectDialog open=connect_open source=Signal::derive(move || dashboard.view.with(|v| v.source.clone().map(|s| (s, v.kind))))
                on_connect=Callback::new(move |(source, kind)| controller.connect(source, kind))/>
            <SelectionDialog/>
            <Shortcuts/>
        </div>
    }
}

/// "Copy link": the address of the view on screen, every choice in it, to the clipboard.
#[component]
fn CopyLink() -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let href = window().location().href().unwrap_or_default();
        let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into())
            .ok()
            .filter(|c| !c.is_undefined());
        let write = clipboard
            .as_ref()
            .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
            .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
        let promise = match (clipboard, write) {
            (Some(clipboard), Some(write)) => write
                .call1(&clipboard, &href.into())
                .ok()
                .and_then(|p| wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(p).ok()),
            _ => None,
        };
        leptos::task::spawn_local(async move {
            let done = match promise {
                Some(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
                None => false,
            };
            copied.set(Some(done));
            set_timeout(move || copied.set(None), std::time::Duration::from_secs(3));
        });
    };
    view! {
        <button type="button" class="link-button" data-testid="copy-link" on:click=copy>"Copy link"</button>
        <span class="tabs__status" role="status" data-testid="copy-link-status">
            {move || match copied.get() {
                Some(true) => "Link copied",
                Some(false) => "The browser did not allow copying; copy the address bar instead",
                None => "",
            }}
        </span>
    }
}
