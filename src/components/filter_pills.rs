//! The link's filters as pills: what the whole dashboard is narrowed to, each with a button that
//! takes it away. Values the data does not have are named as such, not hidden.

use leptos::prelude::*;
use usage_core::format::visible_name;

use crate::state::Dashboard;

#[component]
pub fn FilterPills() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let pills = move || {
        let filters = dashboard.view.with(|v| v.filters.clone());
        dashboard.store.with(|s| {
            filters
                .into_iter()
                .enumerate()
                .map(|(index, filter)| {
                    let name = match s.find_key(filter.dimension, &filter.key) {
                        Some(key) => s.label(filter.dimension, key),
                        None => format!("{} (not in this data)", if filter.key.is_empty() { "Unknown" } else { &filter.key }),
                    };
                    let remove = move |_| dashboard.go_with(|v| *v = v.without_filter(index));
                    let label = format!("Remove the filter {}: {name}", filter.dimension.label_lower());
                    view! {
                        <li class="pill" data-testid="filter-pill" data-dimension=filter.dimension.as_str() data-key=filter.key.clone()>
                            <span class="pill__dimension">{filter.dimension.label()}</span>
                            <bdi class="pill__value">{visible_name(&name).into_owned()}</bdi>
                            <button type="button" class="pill__remove" aria-label=label on:click=remove>"✕"</button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let any = move || dashboard.view.with(|v| !v.filters.is_empty());
    view! {
        <Show when=any>
            <section class="filters" aria-label="Filters">
                <span class="filters__title">"Showing only"</span>
                <ul class="filters__list">{pills}</ul>
                <button type="button" class="link-button" data-testid="clear-filters" on:click=move |_| dashboard.go_with(|v| v.filters.clear())>"Clear all"</button>
            </section>
        </Show>
    }
}
