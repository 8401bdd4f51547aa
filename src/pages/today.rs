//! Today so far (Ex Libris's "Today" tab, Zoho's "last 24 hours"): the last 24 hours up to now
//! in 10-minute buckets, by client or by URL, and today's requests against a daily threshold.
//! It is marked as incomplete, and none of it enters the date ranges, which end yesterday.

use leptos::prelude::*;
use usage_core::format::{bucket_label, percent, thousands};
use usage_core::query::{share, top_n};
use usage_core::view::ViewState;
use usage_core::{BucketWidth, Dimension, Granularity};

use crate::components::cards::{SeriesCard, StatusBarsCard};
use crate::components::date_range::ZoneSelect;
use crate::components::kpi_tiles::Tile;
use crate::sources::DataSource;
use crate::state::Dashboard;
use crate::storage;

#[component]
pub fn Today() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let by = Memo::new(move |_| {
        dashboard.view.with(|v| {
            if v.by == Dimension::Template {
                Dimension::Template
            } else {
                Dimension::Client
            }
        })
    });
    // Nothing finer than the data's own buckets over these 24 hours.
    let granularity = Memo::new(move |_| {
        store.with(|s| match s.widest_bucket_in(dashboard.last_day.get()) {
            BucketWidth::Request | BucketWidth::TenMinutes => Granularity::TenMinutes,
            BucketWidth::Hour => Granularity::Hour,
            _ => Granularity::Day,
        })
    });
    let breakdown = Memo::new(move |_| {
        store.with(|s| {
            dashboard
                .filter
                .with(|f| s.breakdown(dashboard.last_day.get(), by.get(), f, false))
        })
    });
    let top = Signal::derive(move || breakdown.with(|b| top_n(b, 5).0));
    let keys = Signal::derive(move || top.with(|rows| rows.iter().map(|r| r.key).collect::<Vec<u32>>()));
    let so_far = Memo::new(move |_| {
        let window = dashboard.offsets.with(|o| o.today_so_far(dashboard.now.get()));
        store.with(|s| dashboard.filter.with(|f| s.totals(window, f)))
    });
    let clock = move |instant: i64| bucket_label(dashboard.offsets.with(|o| o.local(instant)), Granularity::TenMinutes);
    let until = move || format!("to {} {}", clock(dashboard.now.get()), dashboard.zone_label.get());
    let note = move || {
        let empty = breakdown.with(|b| b.total.total() == 0);
        match (empty, granularity.get()) {
            (true, _) => Some("The data on screen has no records in the last 24 hours: open a newer export, or connect a live source.".to_owned()),
            (false, Granularity::TenMinutes) => None,
            (false, g) => Some(format!("This data is counted no finer than {0}, so the last 24 hours are shown {0}.", g.per())),
        }
    };
    let choice = move |dimension: Dimension, label: &'static str| {
        let href = move || {
            dashboard.href(&dashboard.view.with(|v| ViewState {
                by: dimension,
                ..v.clone()
            }))
        };
        let current = move || by.get() == dimension;
        view! {
            <a class="chip" class:chip--active=current href=href aria-current=move || current().then_some("true")
                data-testid=format!("today-by-{}", dimension.as_str())>{label}</a>
        }
    };
    let plural = move || by.get().plural();

    view! {
        <p class="today-note" data-testid="today-note">
            <span class="badge">"Incomplete"</span>
            " The last 24 hours " {until} ", in 10-minute buckets as the data allows. The last bucket is still filling. None of this enters the date ranges, which always end yesterday."
        </p>
        <section class="kpis kpis--three" aria-label="Today's figures">
            <Tile label="Last 24 hours" testid="today-total" hint="requests so far" value=Signal::derive(move || thousands(breakdown.with(|b| b.total.total())))/>
            <Tile label="Error rate" testid="today-error-rate" hint="4xx, 429 and 5xx, last 24 hours" value=Signal::derive(move || percent(breakdown.with(|b| b.total.error_rate())))/>
            <Tile label="Today" testid="today-so-far" hint="since midnight, in the zone shown" value=Signal::derive(move || thousands(so_far.get().total()))/>
        </section>
        <Threshold used=Signal::derive(move || so_far.get().total())/>
        <div class="today-controls">
            <nav class="picker" aria-label="Show the last 24 hours by">
                <span class="picker__title">"By"</span>
                {choice(Dimension::Client, "Clients")}
                {choice(Dimension::Template, "URLs")}
            </nav>
            <ZoneSelect/>
        </div>
        {move || note().map(|text| view! { <p class="card__note" data-testid="today-data-note">{text}</p> })}
        {move || {
            // The cards for one dimension: a card's dimension is fixed when it is made.
            let dimension = by.get();
            view! {
                <SeriesCard title="Last 24 hours" sub=Signal::derive(move || format!("top 5 {}, incomplete", plural())) dimension=dimension keys=keys
                    filter=dashboard.filter testid="chart-today" legend_testid="today-legend"
                    window=Signal::derive(move || (dashboard.last_day.get(), granularity.get()))/>
                <StatusBarsCard title="Last 24 hours by status" sub=Signal::derive(move || format!("top 5 {}", plural())) dimension=dimension rows=top testid="chart-today-bars"/>
            }
        }}
    }
}

/// Today's requests against the daily threshold: the user's (kept in localStorage), else the
/// live source's daily quota from `/meta`. The bar keeps the accent colour below 90 %, then turns
/// red; the number and the percent are text. Changing the field saves it; emptying it clears it.
#[component]
fn Threshold(used: Signal<u64>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    // The user's threshold, and what saving the last entry said.
    let entry = RwSignal::new((storage::load_threshold(), String::new()));
    let threshold = move || {
        let quota = || {
            dashboard.dataset.with(|d| match &d.source {
                DataSource::Live(live) => live
                    .meta
                    .as_ref()?
                    .as_ref()
                    .ok()?
                    .quota
                    .as_ref()
                    .filter(|q| q.window == "day" && q.limit > 0)
                    .map(|q| (q.limit, "the source's daily quota")),
                _ => None,
            })
        };
        entry.with(|e| e.0).map(|n| (n, "your threshold")).or_else(quota)
    };
    let on_change = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        let digits: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
        let (value, said) = match digits.parse::<u64>() {
            _ if digits.is_empty() => (None, "Threshold cleared.".to_owned()),
            Ok(n) if n > 0 => (Some(n), format!("Saved: {} requests a day.", thousands(n))),
            _ => {
                return entry
                    .update(|e| e.1 = format!("“{}” is not a whole number of requests above zero.", text.trim()));
            }
        };
        let said = match storage::save_threshold(value) {
            Ok(()) => said,
            Err(why) => format!("Kept for this page only: {why}."),
        };
        entry.set((value, said));
    };
    let gauge = move || {
        let used = used.get();
        match threshold() {
            Some((limit, from)) => {
                // Red from 90 %, compared in integers.
                let over = u128::from(used) * 10 >= u128::from(limit) * 9;
                let text = format!("{} of {} requests today ({}), {from}", thousands(used), thousands(limit), percent(share(used, limit)));
                view! {
                    <p class="gauge__text" data-testid="threshold-text">{text}</p>
                    <meter class=if over { "gauge__meter gauge__meter--over" } else { "gauge__meter" } data-testid="threshold-meter" data-level=if over { "over" } else { "ok" }
                        min="0" max=limit as f64 value=used.min(limit) as f64 aria-label="Today against the daily threshold"></meter>
                }
                .into_any()
            }
            None => view! { <p class="gauge__text" data-testid="threshold-text">"No daily threshold yet: enter one to see today against it."</p> }.into_any(),
        }
    };
    view! {
        <section class="card card--wide gauge" aria-labelledby="threshold-title">
            <header class="card__header">
                <h2 id="threshold-title" class="card__title">"Today against the daily threshold"</h2>
            </header>
            {gauge}
            <div class="gauge__form">
                <label class="field">
                    <span class="field__label">"Daily threshold (requests; empty for none)"</span>
                    <input class="field__input" type="text" inputmode="numeric" autocomplete="off" data-testid="threshold-input"
                        placeholder="e.g. 250000" prop:value=move || entry.with(|e| e.0.map(|n| n.to_string()).unwrap_or_default()) on:change=on_change/>
                </label>
                <span class="gauge__status" role="status" data-testid="threshold-status">{move || entry.with(|e| e.1.clone())}</span>
            </div>
        </section>
    }
}
