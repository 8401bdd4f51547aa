//! The date-range filter: presets, a custom from/to, and why today is left out.

use chrono::NaiveDate;
use leptos::prelude::*;
use usage_core::format::{iso_date, parse_iso_date};
use usage_core::range::yesterday;
use usage_core::{DateRange, Preset};

/// Presets and a custom range of whole UTC days that always ends yesterday.
#[component]
pub fn DateRangeFilter(
    /// The range on screen (from the URL).
    range: Memo<DateRange>,
    /// Today's UTC date; the last day that can be picked is the day before.
    today: NaiveDate,
    /// Called with the range the user picked.
    on_change: Callback<DateRange>,
) -> impl IntoView {
    let last_day = iso_date(yesterday(today));
    let pick = move |from: Option<NaiveDate>, to: Option<NaiveDate>| {
        let current = range.get_untracked();
        on_change.run(DateRange::new(from.unwrap_or(current.from()), to.unwrap_or(current.to()), today));
    };
    let parse = |text: String| parse_iso_date(&text);

    view! {
        <section class="filter" aria-label="Date range">
            <div class="filter__presets" role="group" aria-label="Quick ranges">
                {Preset::ALL
                    .into_iter()
                    .map(|preset| {
                        let active = move || range.get().matching_preset(today) == Some(preset);
                        view! {
                            <button type="button" class="chip" class:chip--active=active
                                aria-pressed=move || active().to_string()
                                on:click=move |_| on_change.run(DateRange::preset(preset, today))>
                                {preset.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="filter__custom">
                <label class="field">
                    <span class="field__label">"From"</span>
                    <input type="date" class="field__input" data-testid="range-from" max=last_day.clone()
                        prop:value=move || range.get().to_query().0
                        on:change=move |ev| pick(parse(event_target_value(&ev)), None)/>
                </label>
                <label class="field">
                    <span class="field__label">"To"</span>
                    <input type="date" class="field__input" data-testid="range-to" max=last_day
                        prop:value=move || range.get().to_query().1
                        on:change=move |ev| pick(None, parse(event_target_value(&ev)))/>
                </label>
                <span class="filter__tz" title="Days run from 00:00 to 24:00 UTC">"UTC"</span>
            </div>
            <p class="filter__note">
                "Ranges end yesterday: today's usage is still coming in, so it is never included."
            </p>
        </section>
    }
}
