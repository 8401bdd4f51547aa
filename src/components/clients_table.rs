//! The sortable table of every client in the range.

use std::sync::Arc;

use leptos::prelude::*;
use usage_core::format::{percent, thousands, visible_name};
use usage_core::query::total_of;
use usage_core::{ClientSort, ClientUsage, SortDirection, StatusClass, UsageStore};

/// Columns in display order: header text, sort key, and whether it is numeric.
const COLUMNS: [(&str, ClientSort, bool); 9] = [
    ("Client", ClientSort::Name, false),
    ("Requests", ClientSort::Requests, true),
    ("2xx", ClientSort::Class(StatusClass::Success), true),
    ("3xx", ClientSort::Class(StatusClass::Redirect), true),
    ("4xx", ClientSort::Class(StatusClass::ClientError), true),
    ("429", ClientSort::Class(StatusClass::RateLimited), true),
    ("5xx", ClientSort::Class(StatusClass::ServerError), true),
    ("Error %", ClientSort::ErrorRate, true),
    ("Share", ClientSort::Share, true),
];

/// Every client with requests in the range. Headers sort on click, Enter or Space.
#[component]
pub fn ClientsTable(
    /// The clients, ranked by the core.
    rows: Memo<Vec<ClientUsage>>,
    /// The store the client ids refer to.
    store: Signal<Arc<UsageStore>>,
) -> impl IntoView {
    let sort = RwSignal::new((ClientSort::Requests, SortDirection::Descending));
    let sorted = Memo::new(move |_| {
        let mut rows = rows.get();
        let (key, direction) = sort.get();
        store.with(|s| s.sort_client_usage(&mut rows, key, direction));
        rows
    });
    let total = Memo::new(move |_| rows.with(|r| total_of(r)));
    let click = move |key: ClientSort| {
        sort.update(|(current, direction)| {
            if *current == key {
                *direction = direction.reversed();
            } else {
                *current = key;
                // Names read best A→Z; numbers are most useful largest first.
                *direction = if key == ClientSort::Name { SortDirection::Ascending } else { SortDirection::Descending };
            }
        })
    };

    view! {
        <div class="table-wrap">
            <table class="table" data-testid="table-clients">
                <caption class="visually-hidden">"Requests per client and status class. Column headers sort the table."</caption>
                <thead>
                    <tr>
                        {COLUMNS
                            .into_iter()
                            .map(|(label, key, numeric)| {
                                let aria = move || {
                                    let (current, direction) = sort.get();
                                    if current == key { direction.aria() } else { "none" }
                                };
                                let arrow = move || match sort.get() {
                                    (k, SortDirection::Ascending) if k == key => "▲",
                                    (k, SortDirection::Descending) if k == key => "▼",
                                    _ => "",
                                };
                                view! {
                                    <th scope="col" class="table__head" class:table__head--numeric=numeric aria-sort=aria>
                                        <button type="button" class="table__sort" data-sort=label on:click=move |_| click(key)>
                                            {label}
                                            <span class="table__arrow" aria-hidden="true">{arrow}</span>
                                        </button>
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    // Keyed by the client's id, not its index: another file's client 0 is another client.
                    <For each=move || sorted.get() key=move |row| (store.with_untracked(|s| s.client_id(row.client).to_owned()), row.counts) let:row>
                        {
                            let (id, name) = store.with_untracked(|s| (s.client_id(row.client).to_owned(), s.client_name(row.client).to_owned()));
                            let share = move || percent(Some(row.share_of(total.get().total())));
                            let title = id.clone();
                            view! {
                                <tr data-client-id=id>
                                    <th scope="row" class="table__name" title=title><bdi>{visible_name(&name).into_owned()}</bdi></th>
                                    <td class="num">{thousands(row.counts.total())}</td>
                                    {StatusClass::NAMED
                                        .into_iter()
                                        .map(|class| view! { <td class="num">{thousands(row.counts.get(class))}</td> })
                                        .collect_view()}
                                    <td class="num">{percent(row.counts.error_rate())}</td>
                                    <td class="num">{share}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
                <tfoot>
                    <tr class="table__total">
                        <th scope="row">"All clients"</th>
                        <td class="num">{move || thousands(total.get().total())}</td>
                        {StatusClass::NAMED
                            .into_iter()
                            .map(|class| view! { <td class="num">{move || thousands(total.get().get(class))}</td> })
                            .collect_view()}
                        <td class="num">{move || percent(total.get().error_rate())}</td>
                        <td class="num">{move || if total.get().total() > 0 { "100.0%" } else { "–" }}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
