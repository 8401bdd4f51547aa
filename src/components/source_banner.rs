//! The banner that says where the data on screen comes from: the demo, opened files (with what
//! reading them skipped) or a live source (with its freshness, refresh and failures).

use leptos::prelude::*;
use usage_core::format::{long_date, thousands};
use usage_core::formats::ReadReport;
use usage_core::range::date_of_day;

use crate::components::live_details::LiveDetails;
use crate::sources::file::size_text;
use crate::sources::{DataSource, LoadedFile};
use crate::state::Dashboard;
use crate::state::live::SourceController;

#[component]
pub fn SourceBanner() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let controller = expect_context::<SourceController>();
    move || {
        match dashboard.dataset.with(|d| d.source.clone()) {
        DataSource::Demo => view! {
            <div class="banner" role="note" data-testid="demo-banner">
                <strong>"Demo data."</strong>
                " Twelve made-up client applications over the last 60 days, generated in your browser. Nothing is sent anywhere."
            </div>
        }
        .into_any(),
        DataSource::Files { files, duplicates } => view! { <FilesBanner files=files duplicates=duplicates/> }.into_any(),
        DataSource::Live(live) => {
            // The Today view asks for its own days, which are no date range to warn about.
            let fetched = live.range;
            let range = Memo::new(move |_| if dashboard.view.with(|v| v.view == usage_core::view::View::Today) { fetched } else { dashboard.range.get() });
            let loading = controller.loading;
            view! {
                <div class="banner banner--file" role="note" data-testid="live-banner" aria-busy=move || loading.get().to_string()>
                    <div>
                        <strong>{format!("Live ({}): {}", live.kind, live.url)}</strong>
                        {format!(" · fetched {} UTC", live.fetched_at.get(..19).unwrap_or(&live.fetched_at).replace('T', " "))}
                        // Always in the layout, so a refresh does not shift the page.
                        <span class="banner__busy" class:banner__busy--on=move || loading.get() data-testid="live-received">
                            {move || match controller.received.get() {
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
                    <LiveDetails live=live.as_ref().clone() range=range today=dashboard.today.get_untracked()/>
                    {move || controller.failure.get().map(|message| view! {
                        <div class="banner__problem" data-testid="live-failure">{format!("This data is stale: the last refresh failed. {message}")}</div>
                    })}
                    <span>
                        <button type="button" class="link-button" on:click=move |_| controller.refresh() data-testid="live-refresh">"Refresh"</button>
                        <label class="live__auto">
                            "Refresh automatically "
                            <select class="field__input" data-testid="live-auto" on:change=move |ev| controller.auto_refresh.set(event_target_value(&ev).parse().unwrap_or(0))>
                                <option value="0" selected=move || controller.auto_refresh.get() == 0>"off"</option>
                                <option value="1" selected=move || controller.auto_refresh.get() == 1>"every minute"</option>
                                <option value="5" selected=move || controller.auto_refresh.get() == 5>"every 5 minutes"</option>
                            </select>
                        </label>
                        <button type="button" class="link-button" on:click=move |_| controller.show_demo()>"Back to demo data"</button>
                    </span>
                </div>
            }
            .into_any()
        }
    }
    }
}

/// Which files are shown, what reading them found, and the first rows it skipped.
#[component]
fn FilesBanner(files: Vec<LoadedFile>, duplicates: Vec<String>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let controller = expect_context::<SourceController>();
    let all = ReadReport::combined(files.iter().map(|f| &f.report));
    // The files' days in the zone the view counts them in, as the range they opened with.
    let days = dashboard
        .store
        .with_untracked(|s| dashboard.offsets.with_untracked(|o| s.day_span_in(o)))
        .map(|(a, b)| {
            format!(
                "{} – {} ({})",
                long_date(date_of_day(a)),
                long_date(date_of_day(b)),
                dashboard.zone_label.get_untracked()
            )
        })
        .unwrap_or_default();
    view! {
        <div class="banner banner--file" role="note" data-testid="file-banner">
            <div>
                <strong>{files.iter().map(|f| format!("{} ({})", f.name, f.format)).collect::<Vec<_>>().join(", ")}</strong>
                {format!(" · {} rows read · {} skipped · {days}", thousands(all.rows as u64), thousands(all.skipped as u64))}
                " · Read in your browser; nothing was sent anywhere."
            </div>
            {duplicates.into_iter().map(|d| view! { <div class="banner__detail" data-testid="duplicate-file">{d}</div> }).collect_view()}
            {files.iter().flat_map(|f| f.report.notes.iter().map(move |n| format!("{}: {n}.", f.name))).map(|n| view! {
                <div class="banner__detail" data-testid="read-note">{n}</div>
            }).collect_view()}
            {files.iter().flat_map(|f| f.report.problems.iter().take(3).map(move |p| (f.name.clone(), p.clone()))).map(|(name, p)| view! {
                <div class="banner__problem" data-testid="skipped-row">{format!("Skipped {name} line {}: {}", p.line, p.reason)}</div>
            }).collect_view()}
            <button type="button" class="link-button" on:click=move |_| controller.show_demo() data-testid="back-to-demo">"Back to demo data"</button>
        </div>
    }
}
