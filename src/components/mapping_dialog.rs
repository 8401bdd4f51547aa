//! "Which columns are which?": confirms how a CSV's columns are read when several could be.

use leptos::prelude::*;
use usage_core::formats::tabular::{ColumnMapping, Field, MappingProposal};

/// A modal dialog with one choice of column per field, filled with Callboard's guess;
/// the fields with more than one candidate are marked. Escape cancels.
#[component]
pub fn MappingDialog(
    /// The file and the proposal to confirm; `None` hides the dialog.
    pending: RwSignal<Option<(String, MappingProposal)>>,
    /// Called with the confirmed mapping and the proposal's header key.
    on_confirm: Callback<(String, ColumnMapping)>,
) -> impl IntoView {
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let choices = RwSignal::new(Vec::<(Field, Option<usize>)>::new());
    Effect::new(move |_| {
        let Some(dialog) = dialog_ref.get() else { return };
        match pending.get() {
            Some((_, proposal)) if !dialog.open() => {
                choices.set(Field::ALL.iter().map(|&f| (f, proposal.mapping.column(f))).collect());
                let _ = dialog.show_modal();
            }
            None if dialog.open() => dialog.close(),
            _ => {}
        }
    });
    let confirm = move |_| {
        let Some((_, proposal)) = pending.get_untracked() else {
            return;
        };
        let columns = choices
            .get_untracked()
            .into_iter()
            .filter_map(|(f, c)| c.map(|c| (f, c)))
            .collect();
        pending.set(None);
        on_confirm.run((proposal.header_key(), ColumnMapping { columns }));
    };
    let complete = move || {
        choices.with(|c| {
            Field::ALL
                .iter()
                .filter(|f| f.required())
                .all(|f| c.iter().any(|(g, col)| g == f && col.is_some()))
        })
    };

    view! {
        <dialog node_ref=dialog_ref class="dialog dialog--narrow" aria-labelledby="mapping-title" data-testid="mapping-dialog"
            on:close=move |_| if !dialog_ref.get_untracked().is_some_and(|d| d.open()) { pending.set(None) }>
            <form method="dialog" class="dialog__body" on:submit=|ev| ev.prevent_default()>
                <header class="dialog__header">
                    <h2 id="mapping-title" class="dialog__title">"Which columns are which?"</h2>
                    <p class="dialog__hint">{move || pending.get().map(|(file, _)| format!(
                        "Some columns of {file} could mean the same thing. Check the marked ones; Callboard remembers your answer for files with these columns."
                    ))}</p>
                </header>
                <div class="mapping">
                    {move || pending.get().map(|(_, proposal)| {
                        let header = proposal.header.clone();
                        Field::ALL.into_iter().map(|field| {
                            let marked = proposal.ambiguous.contains(&field);
                            let header = header.clone();
                            let selected = move |c: Option<usize>| choices.with(|all| all.iter().any(|&(f, col)| f == field && col == c));
                            view! {
                                <label class="mapping__row" class:mapping__row--marked=marked>
                                    <span class="mapping__field">{field.label()}{marked.then_some(" · several columns match")}</span>
                                    <select class="field__input" data-field=field.label() on:change=move |ev| {
                                        let column = event_target_value(&ev).parse::<usize>().ok();
                                        choices.update(|all| if let Some(slot) = all.iter_mut().find(|(f, _)| *f == field) { slot.1 = column });
                                    }>
                                        <option value="" selected=move || selected(None)>"— none —"</option>
                                        {header.into_iter().enumerate().map(|(i, name)| view! {
                                            <option value=i.to_string() selected=move || selected(Some(i))>{name}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                            }
                        }).collect_view()
                    })}
                </div>
                <footer class="dialog__footer">
                    <span class="dialog__spacer"></span>
                    <button type="button" class="button" on:click=move |_| pending.set(None)>"Cancel"</button>
                    <button type="button" class="button button--primary" prop:disabled=move || !complete() on:click=confirm data-testid="mapping-confirm">
                        "Use these columns"
                    </button>
                </footer>
            </form>
        </dialog>
    }
}
