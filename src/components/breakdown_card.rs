//! The one breakdown card, for any dimension: the top 5 and everything else as a doughnut that
//! toggles to a list, and "View all", the full table. A dimension the data lacks says why.

use leptos::prelude::*;
use usage_core::format::{percent, thousands, visible_name};
use usage_core::query::{share, top_n};
use usage_core::view::View;
use usage_core::{Breakdown, Dimension, Filter};

use crate::charts::canvas::{ChartCanvas, HitFn, Target};
use crate::charts::doughnut::{Slice, draw_doughnut, slice_at, slice_point};
use crate::charts::palette::{OTHER_COLOR, key_color};
use crate::components::cards::{chart_label, report, share_items};
use crate::components::legend::Legend;
use crate::state::{Dark, Dashboard};

/// How many values a card shows before "Other".
const TOP: usize = 5;

/// Where "View all" leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewAll {
    /// Explore, broken down by the card's dimension.
    Explore,
    /// The table with this element id, on the same page.
    Table(&'static str),
}

/// "IP addresses" from "IP addresses", "Status codes" from "status codes".
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| std::iter::once(c.to_ascii_uppercase()).chain(chars).collect())
        .unwrap_or_default()
}

#[component]
pub fn BreakdownCard(
    dimension: Dimension,
    breakdown: Memo<Breakdown>,
    view_all: ViewAll,
    /// The values to show, in this order, instead of the top 5 (the chosen clients).
    #[prop(optional, into)]
    picked: Option<Signal<Vec<u32>>>,
    #[prop(optional, into)] title: Option<String>,
    /// The doughnut's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let as_list = RwSignal::new(false);
    // The values shown and everything else.
    let split = Memo::new(move |_| {
        breakdown.with(|b| match picked {
            Some(keys) => keys.with(|k| usage_core::query::picked(b, k)),
            None => top_n(b, TOP),
        })
    });
    let slices = Memo::new(move |_| {
        store.with(|s| {
            split.with(|(top, other)| {
                let mut slices: Vec<Slice> = top
                    .iter()
                    .enumerate()
                    .map(|(rank, r)| Slice {
                        label: chart_label(s, dimension, r.key),
                        value: r.counts.total(),
                        color: key_color(dimension, r.key, rank).0,
                    })
                    .collect();
                if other.total() > 0 {
                    slices.push(Slice {
                        label: "Other".into(),
                        value: other.total(),
                        color: OTHER_COLOR,
                    });
                }
                slices
            })
        })
    });
    let legend = Signal::derive(move || {
        store.with(|s| {
            breakdown
                .with(|b| split.with(|(top, other)| share_items(dashboard, s, dimension, top, other, b.total.total())))
        })
    });
    let hit = move || -> HitFn {
        Box::new(move |x: f64, y: f64, plot: &crate::charts::Plot| {
            let i = slices.with_untracked(|slices| slice_at(plot, slices, x, y))?;
            let row = split.with_untracked(|(top, _)| top.get(i).copied());
            let tip = slices.with_untracked(|slices| {
                let total = slices.iter().map(|s| s.value).sum();
                format!(
                    "{}: {} requests ({})",
                    slices[i].label,
                    thousands(slices[i].value),
                    percent(share(slices[i].value, total))
                )
            });
            let go = row.map(|r| {
                dashboard.view.with_untracked(|v| {
                    v.with_filter(Filter {
                        dimension,
                        key: store.with_untracked(|s| s.key_text(dimension, r.key)),
                    })
                })
            });
            Some(Target { tip, go })
        })
    };
    let view_all_link = move || match view_all {
        ViewAll::Explore => {
            let next = dashboard.view.with(|v| {
                let mut next = v.with_view(View::Explore);
                next.by = dimension;
                next
            });
            view! { <a class="button button--small" href=dashboard.href(&next) data-testid=format!("view-all-{}", dimension.as_str())>"View all"</a> }.into_any()
        }
        ViewAll::Table(id) => view! {
            <button type="button" class="button button--small" data-testid=format!("view-all-{}", dimension.as_str())
                on:click=move |_| {
                    if let Some(table) = document().get_element_by_id(id) {
                        table.scroll_into_view();
                    }
                }>"View all"</button>
        }
        .into_any(),
    };
    let list = move || {
        store.with(|s| {
            breakdown.with(|b| {
                let total = b.total.total();
                split
                    .get()
                    .0
                    .into_iter()
                    .map(|r| {
                        let key = s.key_text(dimension, r.key);
                        let href = dashboard.href(&dashboard.view.with(|v| v.with_filter(Filter { dimension, key: key.clone() })));
                        let fraction = share(r.counts.total(), total);
                        view! {
                            <li class="toplist__item" data-key=key>
                                <a class="toplist__name drill" href=href><bdi>{visible_name(&s.label(dimension, r.key)).into_owned()}</bdi></a>
                                <span class="toplist__value">{thousands(r.counts.total())}</span>
                                <span class="toplist__share">{percent(fraction)}</span>
                                <meter class="toplist__bar" min="0" max="1" value=fraction.unwrap_or(0.0)></meter>
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let unavailable = move || dashboard.availability(dimension).err();
    let count = move || {
        breakdown.with(|b| match picked {
            Some(_) => format!(
                "of {} {}",
                thousands(b.rows.len() as u64),
                if b.rows.len() == 1 {
                    dimension.label_lower()
                } else {
                    dimension.plural()
                }
            ),
            None if b.rest.is_some() => format!("top {TOP} of the {} busiest", thousands(b.rows.len() as u64)),
            None => format!("top {TOP} of {}", thousands(b.rows.len() as u64)),
        })
    };

    view! {
        <section class="card" data-testid=format!("card-{}", dimension.as_str())>
            <header class="card__header">
                <h2 class="card__title">{title.unwrap_or_else(|| capitalised(dimension.plural()))}</h2>
                <span class="card__sub">{count}</span>
                <span class="card__spacer"></span>
                <div class="toggle" role="group" aria-label="Show as">
                    <button type="button" class="chip" class:chip--active=move || !as_list.get() aria-pressed=move || (!as_list.get()).to_string()
                        on:click=move |_| as_list.set(false)>"Chart"</button>
                    <button type="button" class="chip" class:chip--active=move || as_list.get() aria-pressed=move || as_list.get().to_string()
                        data-testid="show-list" on:click=move |_| as_list.set(true)>"List"</button>
                </div>
                {view_all_link}
            </header>
            {move || match unavailable() {
                Some(why) => view! { <p class="card__note" data-testid="unavailable">{why.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Show when=move || !as_list.get() fallback=move || view! { <ol class="toplist" data-testid="top-list">{list}</ol> }>
                <div class="share">
                    <ChartCanvas class="chart chart--doughnut" dark=Dark::now() on_go=dashboard.go_to() period=dashboard.chart_period() testid=testid.map_or_else(|| format!("chart-doughnut-{}", dimension.as_str()), str::to_owned)
                        label=Signal::derive(move || format!("Doughnut chart of the top {TOP} {} by requests, and all others", dimension.plural()))
                        draw=Box::new(move |root, scale| slices.with(|d| report(draw_doughnut(root, d, scale))))
                        hit=hit()
                        points=Box::new(move |plot: &crate::charts::Plot| slices.with_untracked(|list| (0..list.len()).map(|i| slice_point(plot, list, i)).collect()))
                        table=Box::new(move || slices.with(|list| {
                            let total = list.iter().map(|s| s.value).sum();
                            let rows = list.iter().map(|s| vec![s.label.clone(), thousands(s.value), percent(share(s.value, total))]).collect();
                            (vec![capitalised(dimension.label_lower()), "Requests".to_owned(), "Share".to_owned()], rows)
                        }))/>
                    <Legend items=legend testid="share-legend"/>
                </div>
            </Show>
        </section>
    }
}
