//! "Choose clients and URLs" and "Template URL selections": which clients and URL templates the
//! charts show, saved in localStorage.

use leptos::prelude::*;
use usage_core::format::{thousands, visible_name};
use usage_core::selection::MAX_CLIENTS;
use usage_core::{Breakdown, ClientSelection, Dimension, UsageStore};
use wasm_bindgen::JsCast;

use crate::state::Dashboard;
use crate::state::chosen::{Chosen, SelectionMode};

/// One checkable line of the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Choice {
    /// Client id or template text: the value that is saved.
    key: String,
    label: String,
    requests: u64,
}

/// Most entries a list shows at once.
const LISTED: usize = 200;

/// The first entries that match the search, and how many match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Listed {
    items: Vec<Choice>,
    matching: usize,
}

/// The rows of a client or URL template breakdown that the search keeps (the core's search, as
/// in the tables), as (saved key, label, requests).
fn matching<'a>(
    store: &'a UsageStore,
    breakdown: &'a Breakdown,
    needle: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, u64)> + 'a {
    store
        .rows_matching(breakdown.dimension, &breakdown.rows, needle)
        .filter_map(move |i| {
            let row = &breakdown.rows[i];
            let (key, label) = match breakdown.dimension {
                Dimension::Client => store.client_info(row.key).map(|c| (c.id, c.name))?,
                _ => (store.templates().get(row.key), store.templates().get(row.key)),
            };
            Some((key, label, row.counts.total()))
        })
}

/// The first `LISTED` entries as choices, and the count of all.
fn listed<'a>(entries: impl Iterator<Item = (&'a str, &'a str, u64)>) -> Listed {
    let mut out = Listed::default();
    for (key, label, requests) in entries {
        if out.items.len() < LISTED {
            out.items.push(Choice {
                key: key.to_owned(),
                label: label.to_owned(),
                requests,
            });
        }
        out.matching += 1;
    }
    out
}

/// A modal dialog with search, select-all and restore-defaults. Escape closes
/// it and focus goes back to the control that opened it.
#[component]
pub fn SelectionDialog() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let chosen = expect_context::<Chosen>();
    let store = dashboard.store;
    let resolved = chosen.resolved;
    let mode = Memo::new(move |_| chosen.open.get());
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let search = RwSignal::new(String::new());
    let chosen_clients = RwSignal::new(Vec::<String>::new());
    let chosen_templates = RwSignal::new(Vec::<String>::new());

    // Only the first LISTED matches become DOM (a million clients cannot be a checklist), and
    // nothing is built while the dialog is closed. Search reaches the rest.
    let list = move |source: Memo<Breakdown>| {
        Memo::new(move |_| match mode.get() {
            None => Listed::default(),
            Some(_) => search.with(|needle| store.with(|s| source.with(|b| listed(matching(s, b, needle))))),
        })
    };
    let client_choices = list(dashboard.clients);
    let template_choices = list(chosen.templates);
    // Every match, listed or not, for "Select all" and "Clear" (at most `n` keys).
    let every = move |source: Memo<Breakdown>| {
        Callback::new(move |n: usize| {
            search.with_untracked(|needle| {
                store.with_untracked(|s| {
                    source.with_untracked(|b| {
                        matching(s, b, needle)
                            .take(n)
                            .map(|(key, _, _)| key.to_owned())
                            .collect()
                    })
                })
            })
        })
    };

    // Open and close the native modal; fill the draft from what is on screen.
    Effect::new(move |_| {
        let Some(dialog) = dialog_ref.get() else { return };
        let open = mode.get().is_some();
        if open && !dialog.open() {
            let resolved = resolved.get_untracked();
            store.with_untracked(|s| {
                chosen_clients.set(resolved.clients.iter().map(|&c| s.client_id(c).to_owned()).collect());
                chosen_templates.set(match &resolved.templates {
                    Some(ids) => ids.iter().map(|&t| s.templates().get(t).to_owned()).collect(),
                    None => chosen
                        .templates
                        .with_untracked(|b| b.rows.iter().map(|r| s.templates().get(r.key).to_owned()).collect()),
                });
            });
            search.set(String::new());
            opener.set_value(
                document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            );
            let _ = dialog.show_modal();
        } else if !open && dialog.open() {
            dialog.close();
        }
    });
    // Escape (the native "cancel") and close() both end here. A close event queued before a quick
    // re-open arrives after it: then the dialog is open again and must stay so.
    let on_close = move |_| {
        if dialog_ref.get_untracked().is_some_and(|d| d.open()) {
            return;
        }
        chosen.open.set(None);
        if let Some(element) = opener.get_value() {
            let _ = element.focus();
        }
    };

    let apply = move |_| {
        let all_templates = chosen.templates.with_untracked(|b| b.rows.len());
        let templates = chosen_templates.get_untracked();
        // In the table's order (by requests), and only clients the data still has.
        let clients = chosen_clients.with_untracked(|keys| {
            let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            keys.sort_unstable();
            store.with_untracked(|s| {
                dashboard.clients.with_untracked(|b| {
                    b.rows
                        .iter()
                        .map(|u| s.client_id(u.key))
                        .filter(|id| keys.binary_search(id).is_ok())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
            })
        });
        let current = dashboard.selection.get_untracked();
        dashboard.choose(ClientSelection {
            clients: if mode.get_untracked() == Some(SelectionMode::Urls) {
                current.clients
            } else {
                Some(clients)
            },
            templates: if templates.len() >= all_templates {
                None
            } else {
                Some(templates)
            },
        });
        chosen.open.set(None);
    };
    let restore = move |_| {
        let next = match mode.get_untracked() {
            Some(SelectionMode::Urls) => ClientSelection {
                templates: None,
                ..dashboard.selection.get_untracked()
            },
            _ => ClientSelection::defaults(),
        };
        dashboard.choose(next);
        chosen.open.set(None);
    };
    let urls_only = move || mode.get() == Some(SelectionMode::Urls);
    let can_apply =
        move || (urls_only() || chosen_clients.with(|c| !c.is_empty())) && chosen_templates.with(|t| !t.is_empty());

    view! {
        <dialog node_ref=dialog_ref class="dialog" aria-labelledby="selection-title" on:close=on_close data-testid="selection-dialog">
            <form method="dialog" class="dialog__body" on:submit=|ev| ev.prevent_default()>
                <header class="dialog__header">
                    <h2 id="selection-title" class="dialog__title">{move || if urls_only() { "Template URL selections" } else { "Choose clients and URLs" }}</h2>
                    <p class="dialog__hint">{move || if urls_only() {
                        "The URL charts show the chosen URL templates (the top 5 when all are chosen); the client charts count only calls to them. The KPIs and tables always count everything.".to_owned()
                    } else {
                        format!("The charts show the chosen clients (up to {MAX_CLIENTS}) and their calls to the chosen URL templates. The KPIs and the tables always count everything.")
                    }}</p>
                    <label class="field field--wide">
                        <span class="field__label">"Search"</span>
                        <input type="search" class="field__input" placeholder="Client name, id or URL" data-testid="selection-search"
                            prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                    </label>
                </header>
                <div class="dialog__columns" class:dialog__columns--single=urls_only>
                    <Show when=move || !urls_only()>
                        <ChoiceList title="Clients" testid="selection-clients" shown=client_choices every=every(dashboard.clients) chosen=chosen_clients limit=Some(MAX_CLIENTS)/>
                    </Show>
                    <ChoiceList title="URL templates" testid="selection-templates" shown=template_choices every=every(chosen.templates) chosen=chosen_templates limit=None/>
                </div>
                <footer class="dialog__footer">
                    <button type="button" class="button button--quiet" on:click=restore data-testid="selection-restore">"Restore defaults"</button>
                    <span class="dialog__spacer"></span>
                    <button type="button" class="button" on:click=move |_| chosen.open.set(None)>"Cancel"</button>
                    <button type="button" class="button button--primary" on:click=apply prop:disabled=move || !can_apply() data-testid="selection-apply">"Apply"</button>
                </footer>
            </form>
        </dialog>
    }
}

/// A searchable checklist with "Select all" and "Clear".
#[component]
fn ChoiceList(
    title: &'static str,
    testid: &'static str,
    /// The entries matching the search.
    shown: Memo<Listed>,
    /// The keys of the first `n` entries matching the search, listed or not.
    every: Callback<usize, Vec<String>>,
    /// Keys of the checked entries.
    chosen: RwSignal<Vec<String>>,
    /// Most entries that may be checked.
    limit: Option<usize>,
) -> impl IntoView {
    let full = move || limit.is_some_and(|l| chosen.with(|c| c.len() >= l));
    // Both act on every match of the search, not only the listed ones.
    let select_all = move |_| {
        let candidates = every.run(limit.map_or(usize::MAX, |l| l + chosen.with_untracked(Vec::len)));
        chosen.update(|c| {
            let mut had = c.clone();
            had.sort_unstable();
            for key in candidates {
                if limit.is_some_and(|l| c.len() >= l) {
                    break;
                }
                if had.binary_search(&key).is_err() {
                    c.push(key);
                }
            }
        })
    };
    let clear = move |_| {
        let mut matching = every.run(usize::MAX);
        matching.sort_unstable();
        chosen.update(|c| c.retain(|k| matching.binary_search(k).is_err()));
    };
    view! {
        <fieldset class="choices" data-testid=testid>
            <legend class="choices__title">
                {title}
                <span class="choices__count">{move || match limit {
                    Some(l) => format!("{} of at most {l} chosen", chosen.with(|c| c.len())),
                    None => format!("{} chosen", chosen.with(|c| c.len())),
                }}</span>
            </legend>
            <div class="choices__actions">
                <button type="button" class="link-button" on:click=select_all>"Select all"</button>
                <button type="button" class="link-button" on:click=clear>"Clear"</button>
            </div>
            <ul class="choices__list">
                <For each=move || shown.get().items key=|c| c.key.clone() let:choice>
                    {
                        let key = choice.key.clone();
                        let checked = {
                            let key = key.clone();
                            move || chosen.with(|c| c.contains(&key))
                        };
                        let disabled = {
                            let checked = checked.clone();
                            move || full() && !checked()
                        };
                        let toggle = move |_| {
                            let key = key.clone();
                            chosen.update(|c| match c.iter().position(|k| *k == key) {
                                Some(i) => { c.remove(i); }
                                None => c.push(key),
                            })
                        };
                        view! {
                            <li class="choices__item">
                                <label class="check">
                                    <input type="checkbox" data-key=choice.key.clone() prop:checked=checked prop:disabled=disabled on:change=toggle/>
                                    <bdi class="check__label">{visible_name(&choice.label).into_owned()}</bdi>
                                    <span class="check__count">{thousands(choice.requests)}</span>
                                </label>
                            </li>
                        }
                    }
                </For>
                <Show when=move || shown.with(|s| s.items.is_empty())>
                    <li class="choices__empty">"Nothing matches the search."</li>
                </Show>
                <Show when=move || shown.with(|s| s.matching > s.items.len())>
                    <li class="choices__more" data-testid=format!("{testid}-more")>{move || shown.with(|s| format!(
                        "The top {} of {} are listed: search to find the others.", thousands(s.items.len() as u64), thousands(s.matching as u64)))}</li>
                </Show>
            </ul>
        </fieldset>
    }
}
