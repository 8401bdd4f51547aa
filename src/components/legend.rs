//! HTML chart legends: crisp at any zoom, readable by screen readers, never clipped.

use leptos::prelude::*;
use usage_core::format::visible_name;

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub label: String,
    /// CSS modifier of the swatch colour, e.g. `status-429` or `client-3`.
    pub swatch: String,
    /// Optional figure after the label, e.g. a share.
    pub detail: Option<String>,
    /// Where a click on it goes: the dashboard filtered to it (a drill-down).
    pub href: Option<String>,
}

/// A row of coloured swatches with labels.
#[component]
pub fn Legend(
    items: Signal<Vec<LegendItem>>,
    /// `data-testid` of the list.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <ul class="legend" data-testid=testid>
            {move || items.get().into_iter().map(|item| view! {
                <li class="legend__item">
                    <span class=format!("swatch swatch--{}", item.swatch) aria-hidden="true"></span>
                    {match item.href {
                        Some(href) => view! { <a class="legend__label drill" href=href><bdi>{visible_name(&item.label).into_owned()}</bdi></a> }.into_any(),
                        None => view! { <bdi class="legend__label">{visible_name(&item.label).into_owned()}</bdi> }.into_any(),
                    }}
                    {item.detail.map(|d| view! { <span class="legend__detail">{d}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}
