//! The date-range filter: presets, a custom from/to, why today is left out, and the time
//! controls every view shares: the zone, the time charts' buckets and the comparison.

use chrono::NaiveDate;
use leptos::prelude::*;
use usage_core::format::{iso_date, parse_iso_date};
use usage_core::range::yesterday;
use usage_core::zone::{Compare, ZoneChoice};
use usage_core::{DateRange, Granularity, Preset};

use crate::state::Dashboard;

/// Presets and a custom range of whole days that always ends yesterday, in the link's zone.
#[component]
pub fn DateRangeFilter(
    /// The range on screen (from the URL).
    range: Memo<DateRange>,
    /// Today in the link's zone; the last day that can be picked is the day before.
    today: Memo<NaiveDate>,
    /// Called with the range the user picked.
    on_change: Callback<DateRange>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let last_day = move || iso_date(yesterday(today.get()));
    let pick = move |from: Option<NaiveDate>, to: Option<NaiveDate>| {
        let current = range.get_untracked();
        on_change.run(DateRange::new(
            from.unwrap_or(current.from()),
            to.unwrap_or(current.to()),
            today.get_untracked(),
        ));
    };
    let parse = |text: String| parse_iso_date(&text);

    view! {
        <section class="filter" aria-label="Date range">
            <div class="filter__presets" role="group" aria-label="Quick ranges">
                {Preset::ALL
                    .into_iter()
                    .map(|preset| {
                        let active = move || range.get().matching_preset(today.get()) == Some(preset);
                        view! {
                            <button type="button" class="chip" class:chip--active=active
                                aria-pressed=move || active().to_string()
                                on:click=move |_| on_change.run(DateRange::preset(preset, today.get_untracked()))>
                                {preset.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="filter__custom">
                <label class="field">
                    <span class="field__label">"From"</span>
                    <input type="date" class="field__input" data-testid="range-from" max=last_day
                        prop:value=move || range.get().to_query().0
                        on:change=move |ev| pick(parse(event_target_value(&ev)), None)/>
                </label>
                <label class="field">
                    <span class="field__label">"To"</span>
                    <input type="date" class="field__input" data-testid="range-to" max=last_day
                        prop:value=move || range.get().to_query().1
                        on:change=move |ev| pick(None, parse(event_target_value(&ev)))/>
                </label>
                <TimeControls/>
            </div>
            <p class="filter__note">
                "Ranges end yesterday: today's usage is still coming in, so it is never included. Days run from midnight to midnight in "
                <span data-testid="zone-label">{move || dashboard.zone_label.get()}</span>"."
                {move || dashboard.zone_note.get().map(|note| view! { " " <span class="filter__zone-note" data-testid="zone-note">{note}</span> })}
                {move || {
                    let bucket = dashboard.offered_bucket.get();
                    (bucket > 1).then(|| {
                        let what = match bucket {
                            600 => "10 minutes",
                            3_600 => "hours",
                            _ => "whole days",
                        };
                        view! { " " <span data-testid="bucket-note">{format!("This data comes in {what}, so no finer buckets are offered.")}</span> }
                    })
                }}
            </p>
        </section>
    }
}

/// The zone, the buckets of the time charts and the comparison, each kept in the link.
#[component]
fn TimeControls() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let on_granularity = move |ev: leptos::ev::Event| {
        let granularity = Granularity::parse(&event_target_value(&ev));
        dashboard.go_with(|v| v.granularity = granularity);
    };
    let on_compare = move |ev: leptos::ev::Event| {
        let compare = Compare::parse(&event_target_value(&ev));
        dashboard.go_with(|v| v.compare = compare);
    };
    view! {
        <ZoneSelect/>
        <label class="field">
            <span class="field__label">"Buckets"</span>
            <select class="field__input field__input--select" data-testid="granularity"
                prop:value=move || dashboard.granularity.get().as_str() on:change=on_granularity>
                // Each option says whether it is the one chosen: the select's value alone is lost
                // when the options change under it (a ClickHouse answer offers 10 minutes).
                {move || dashboard.granularities.get().into_iter().map(|g| view! { <option value=g.as_str() selected=move || dashboard.granularity.get() == g>{g.label()}</option> }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span class="field__label">"Compare with"</span>
            <select class="field__input field__input--select" data-testid="compare"
                prop:value=move || dashboard.view.with(|v| v.compare.map_or("", |c| c.as_str())) on:change=on_compare>
                <option value="">"Nothing"</option>
                {Compare::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The zone days and buckets follow, kept in the link (`tz=`).
#[component]
pub fn ZoneSelect() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let zone_value = move || dashboard.view.with(|v| v.zone.as_query().to_owned());
    let local_name = crate::state::clock::local_zone_name();
    let mut names = crate::state::clock::zone_names();
    // A zone the link names that the browser does not list still shows as chosen.
    if let ZoneChoice::Named(name) = dashboard.view.with_untracked(|v| v.zone.clone())
        && !names.contains(&name)
    {
        names.insert(0, name);
    }
    let on_zone = move |ev: leptos::ev::Event| {
        let zone = ZoneChoice::parse(&event_target_value(&ev)).unwrap_or_default();
        dashboard.go_with(|v| v.zone = zone);
    };
    view! {
        <label class="field">
            <span class="field__label">"Time zone"</span>
            <select class="field__input field__input--select" data-testid="zone" prop:value=zone_value on:change=on_zone>
                <option value="utc">"UTC"</option>
                <option value="local">{format!("Browser ({})", local_name.unwrap_or_else(|| "local time".to_owned()))}</option>
                <optgroup label="Every zone">
                    {names.into_iter().map(|name| { let label = name.clone(); view! { <option value=name>{label}</option> } }).collect_view()}
                </optgroup>
            </select>
        </label>
    }
}
