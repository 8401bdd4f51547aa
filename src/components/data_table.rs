//! The one breakdown table, for any dimension: sortable headers (the order lives in the link),
//! a search box, pages for very long tables, drill-down links on every name, and an export of
//! exactly what it shows. The cells' text comes from `usage_core::table`, shared with the CSV.

use leptos::prelude::*;
use usage_core::format::{thousands, visible_name};
use usage_core::table::{Numbers, Table, TableColumn, file_name, heading};
use usage_core::view::Sort;
use usage_core::{Breakdown, Dimension, Filter};

use crate::components::export::download;
use crate::state::Dashboard;

/// Rows on one page of a long table: enough to scroll, few enough to draw in a frame or two.
pub const PAGE: usize = 100;

/// A row's cells after its name, as the table shows them: a listed value's and the rest's alike.
fn number_cells(t: &Table, s: &usage_core::UsageStore, row: &usage_core::BreakdownRow) -> impl IntoView + use<> {
    let cells: Vec<(bool, &'static str, String)> = t.columns[1..]
        .iter()
        .map(|&c| (c.numeric(), c.key(), t.cell(s, c, row, Numbers::Screen)))
        .collect();
    cells
        .into_iter()
        .map(|(numeric, key, text)| view! { <td class:num=numeric data-col=key>{text}</td> })
        .collect_view()
}

/// The table of `breakdown`'s rows. `methods` gives URL tables their methods column.
#[component]
pub fn DataTable(
    dimension: Dimension,
    breakdown: Memo<Breakdown>,
    #[prop(optional)] methods: Option<Memo<Vec<String>>>,
    /// Where "View all" and the caption point to.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let store = dashboard.store;
    let sort = Memo::new(move |_| dashboard.view.with(|v| v.sort));
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);

    // The comparison period's breakdown through the same filters, when the link compares and
    // the data reaches back to it (the KPI tiles say so when it does not). The clients' is the
    // dashboard's own, which the KPIs use too.
    let before = Memo::new_with_compare(
        move |_| match dimension {
            Dimension::Client => dashboard.clients_before.get().and_then(Result::ok),
            _ => {
                let window = dashboard.compare_span.get()?;
                store.with(|s| {
                    s.reaches_back_to(window.start)
                        .then(|| dashboard.filter.with(|f| s.breakdown(window, dimension, f, false)))
                })
            }
        },
        |_, _| true,
    );
    // Every row, in the order the link asks for. A table may have 100k rows: it is never
    // compared with the last one, only rebuilt when its inputs change.
    let table = Memo::new_with_compare(
        move |_| {
            let Sort { column, descending } = sort.get().unwrap_or(Sort::RANKED);
            let (rows, total, rest, has_bytes, has_latency) = store.with(|s| {
                breakdown.with(|b| {
                    (
                        s.rows_sorted(b, column, descending),
                        b.total,
                        b.rest,
                        b.has_bytes,
                        b.has_latency,
                    )
                })
            });
            let table = Table {
                dimension: Some(dimension),
                columns: TableColumn::for_table(dimension, has_bytes, has_latency),
                rows,
                total,
                rest,
                methods: methods.map(|m| m.get()).unwrap_or_default(),
                before: None,
            };
            before.with(|b| match b {
                Some(b) => table.compared_with(b),
                None => table,
            })
        },
        |_, _| true,
    );
    // The positions of the rows the search lets through (`None`: all of them, uncopied); a new
    // search, order or data starts at the first page.
    let shown = Memo::new_with_compare(
        move |_| store.with(|s| table.with(|t| search.with(|needle| t.matching(s, needle)))),
        |_, _| true,
    );
    let shown_len = move || {
        shown
            .with(|positions| positions.as_ref().map(Vec::len))
            .unwrap_or_else(|| table.with(|t| t.rows.len()))
    };
    let rows_shown = move || {
        table.with_untracked(|t| {
            shown.with_untracked(|p| {
                p.as_ref().map_or_else(
                    || t.rows.to_vec(),
                    |p| p.iter().map(|&i| t.rows[i as usize]).collect::<Vec<_>>(),
                )
            })
        })
    };
    Effect::new(move |_| {
        shown.track();
        page.set(0);
    });
    let pages = move || shown_len().div_ceil(PAGE).max(1);

    let export = move |_| {
        let state = dashboard.view.get_untracked();
        let csv = store.with_untracked(|s| {
            table.with_untracked(|t| {
                t.to_csv(
                    s,
                    &rows_shown(),
                    &heading(
                        dimension,
                        &state.range,
                        &state.filters,
                        &search.get_untracked(),
                        &dashboard.zone_label.get_untracked(),
                    ),
                )
            })
        });
        if let Err(error) = download(
            &csv,
            &file_name(
                dimension,
                &state.range,
                &state.filters,
                &dashboard.zone_label.get_untracked(),
            ),
            "text/csv",
        ) {
            web_sys::console::error_1(&error);
        }
    };
    let header = move |column: TableColumn| {
        let label = column.header(dimension);
        let Some(sorts) = column.sort() else {
            return view! { <th scope="col" class="table__head table__head--plain" data-col=column.key()>{label}</th> }
                .into_any();
        };
        // Without an order in the link the table is ranked by requests, most first.
        let current = move || sort.get().unwrap_or(Sort::RANKED);
        let aria = move || match current() {
            s if s.column == sorts => {
                if s.descending {
                    "descending"
                } else {
                    "ascending"
                }
            }
            _ => "none",
        };
        let arrow = move || match current() {
            s if s.column == sorts => {
                if s.descending {
                    "▼"
                } else {
                    "▲"
                }
            }
            _ => "",
        };
        let click = move |_| dashboard.go_with(|v| v.sort = Some(Sort::clicked(Some(current()), sorts)));
        view! {
            <th scope="col" class="table__head" class:table__head--numeric=column.numeric() aria-sort=aria data-col=column.key()>
                <button type="button" class="table__sort" data-sort=label on:click=click>
                    {label}
                    <span class="table__arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
        .into_any()
    };
    let body = move || {
        let first = page.get() * PAGE;
        let state = dashboard.view.get();
        store.with(|s| {
            table.with(|t| {
                shown.with(|positions| {
                    let page_rows: Vec<&usage_core::BreakdownRow> = match positions {
                        Some(p) => p.iter().skip(first).take(PAGE).map(|&i| &t.rows[i as usize]).collect(),
                        None => t.rows.iter().skip(first).take(PAGE).collect(),
                    };
                    page_rows
                        .into_iter()
                        .map(|row| {
                            let key = s.key_text(dimension, row.key);
                            let href = dashboard.href(&state.with_filter(Filter {
                                dimension,
                                key: key.clone(),
                            }));
                            let name = t.cell(s, TableColumn::Name, row, Numbers::Screen);
                            let client_id = (dimension == Dimension::Client).then(|| key.clone());
                            let title = key.clone();
                            view! {
                                <tr data-key=key data-client-id=client_id>
                                    <th scope="row" class="table__name" title=title>
                                        <a class="drill" href=href><bdi>{visible_name(&name).into_owned()}</bdi></a>
                                    </th>
                                    {number_cells(t, s, row)}
                                </tr>
                            }
                        })
                        .collect_view()
                })
            })
        })
    };
    // The values a server did not list one by one, counted together: below the others in
    // every order, named but not a link (no filter can name them).
    let rest = move || {
        store.with(|s| {
            table.with(|t| {
                t.rest.map(|row| {
                    let name = t.cell(s, TableColumn::Name, &row, Numbers::Screen);
                    let why = format!(
                        "The {} with most requests are listed one by one; the rest are counted together here.",
                        thousands(t.rows.len() as u64)
                    );
                    view! {
                                            <tr class="table__rest" data-testid="table-rest">
                                                <th scope="row" class="table__name" title=why>{name}</th>
                    {number_cells(t, s, &row)}
                                            </tr>
                                        }
                })
            })
        })
    };
    let footer = move || {
        table.with(|t| {
            t.columns
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let text = t.total_cell(c, Numbers::Screen);
                    if i == 0 {
                        view! { <th scope="row">{text}</th> }.into_any()
                    } else {
                        view! { <td class:num=c.numeric() data-col=c.key()>{text}</td> }.into_any()
                    }
                })
                .collect_view()
        })
    };
    let testid = if dimension == Dimension::Client {
        "table-clients".to_owned()
    } else {
        format!("table-{}", dimension.as_str())
    };
    let empty = move || {
        let filtered = dashboard.view.with(|v| !v.filters.is_empty());
        let searched = search.with(|s| !s.trim().is_empty());
        (shown_len() == 0).then(|| {
            let why = if searched {
                "Nothing matches the search.".to_owned()
            } else if filtered {
                format!(
                    "No {} with requests in this range and these filters.",
                    dimension.plural()
                )
            } else {
                format!("No {} with requests in this range.", dimension.plural())
            };
            view! { <p class="table__empty" data-testid="table-empty">{why}</p> }
        })
    };

    view! {
        <div class="table-tools">
            <label class="field">
                <span class="visually-hidden">{format!("Search {}", dimension.plural())}</span>
                <input type="search" class="field__input" data-testid="table-search" placeholder=format!("Search {}", dimension.plural())
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </label>
            <span class="table-tools__count" data-testid="table-count">{move || {
                let (n, all) = (shown_len(), table.with(|t| t.rows.len()));
                let noun = if all == 1 { dimension.label_lower() } else { dimension.plural() };
                let listed = if table.with(|t| t.rest.is_some()) { " with most requests, the rest in one row" } else { "" };
                if n == all { format!("{} {noun}{listed}", thousands(n as u64)) } else { format!("{} of {} {noun}{listed}", thousands(n as u64), thousands(all as u64)) }
            }}</span>
            <span class="card__spacer"></span>
            <button type="button" class="button button--small" on:click=export data-testid="table-export">"Export table (CSV)"</button>
        </div>
        <div class="table-wrap" id=id>
            <table class="table" data-testid=testid data-rows=shown_len>
                <caption class="visually-hidden">{format!("Requests per {} and status class. Column headers sort the table; names filter the dashboard.", dimension.label_lower())}</caption>
                <thead><tr>{move || table.with(|t| t.columns.clone()).into_iter().map(header).collect_view()}</tr></thead>
                <tbody>{body}</tbody>
                <tfoot>{rest}<tr class="table__total">{footer}</tr></tfoot>
            </table>
        </div>
        {empty}
        <Show when=move || { pages() > 1 }>
            <nav class="pager" aria-label="Table pages">
                <button type="button" class="button button--small" data-testid="table-prev" prop:disabled=move || page.get() == 0
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                <span class="pager__text" data-testid="table-page">{move || {
                    let n = shown_len();
                    let first = page.get() * PAGE;
                    format!("Rows {}–{} of {}", thousands(first as u64 + 1), thousands((first + PAGE).min(n) as u64), thousands(n as u64))
                }}</span>
                <button type="button" class="button button--small" data-testid="table-next" prop:disabled=move || { page.get() + 1 >= pages() }
                    on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
            </nav>
        </Show>
    }
}
